package redis_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/flows"
)

func input(update int) flows.Input {
	return flows.Input{Channel: flows.Telegram, UpdateID: strconv.Itoa(update), ChatID: "42", UserID: "42"}
}

// Two "replicas" (separate clients) increment a counter kept in the session
// of one chat; with the lock every increment survives.
func TestLockSerialisesOneChatAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	prefix := redistest.Prefix(t)
	replicas := []*redis.Store{
		redis.New(redistest.MustClient(t), prefix),
		redis.New(redistest.MustClient(t), prefix),
	}
	const updates = 40
	var wg sync.WaitGroup
	errs := make(chan error, updates)
	for i := range updates {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := replicas[i%2]
			in := input(i + 1)
			lock, err := s.Lock(ctx, in.ChatKey())
			if err != nil {
				errs <- err
				return
			}
			defer s.Unlock(ctx, lock)
			sess, _, err := s.Load(ctx, in)
			if err != nil {
				errs <- err
				return
			}
			if sess == nil {
				sess = &flows.Session{Flow: "count"}
			}
			sess.History = append(sess.History, flows.Step(in.UpdateID))
			errs <- s.Commit(ctx, lock, in, sess, nil)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sess, _, err := replicas[0].Load(ctx, input(updates+1))
	if err != nil {
		t.Fatal(err)
	}
	if len(sess.History) != updates {
		t.Fatalf("session saw %d of %d updates: transitions were lost", len(sess.History), updates)
	}
}

func TestCommitRefusedAfterLockExpired(t *testing.T) {
	ctx := context.Background()
	s := redistest.MustOpen(t)
	s.LockTTL = 50 * time.Millisecond
	in := input(1)
	lock, err := s.Lock(ctx, in.ChatKey())
	if err != nil {
		t.Fatal(err)
	}
	// Another replica takes the chat once the lease runs out.
	other, err := s.Lock(ctx, in.ChatKey())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Unlock(ctx, other)
	err = s.Commit(ctx, lock, in, &flows.Session{Flow: "x"}, nil)
	if !errors.Is(err, redis.ErrLockLost) {
		t.Fatalf("commit with a lost lock: err = %v, want ErrLockLost", err)
	}
	if sess, seen, _ := s.Load(ctx, in); sess != nil || seen {
		t.Fatalf("a refused commit left state behind: %+v seen=%v", sess, seen)
	}
}

func TestCommitMarksUpdateSeenAndQueuesReplies(t *testing.T) {
	ctx := context.Background()
	s := redistest.MustOpen(t)
	in := input(7)
	group := flows.ChatRef{Channel: flows.Telegram, ChatID: "-100"}
	lock, err := s.Lock(ctx, in.ChatKey())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Unlock(ctx, lock)
	replies := []flows.Reply{
		{To: in.ChatKey(), Text: flows.M("a.b")},
		{To: group, Text: flows.M("c.d")},
		{To: in.ChatKey(), Text: flows.M("e.f")},
	}
	if err := s.Commit(ctx, lock, in, &flows.Session{Flow: "f", Step: "s"}, replies); err != nil {
		t.Fatal(err)
	}

	if _, seen, _ := s.Load(ctx, in); !seen {
		t.Error("update not marked as handled")
	}
	own, _, err := s.Outbox(ctx, in.ChatKey())
	if err != nil || len(own) != 2 || own[0].Text.ID != "a.b" || own[1].Text.ID != "e.f" {
		t.Fatalf("own outbox = %+v, %v; want a.b then e.f", own, err)
	}
	due, err := s.Due(ctx, time.Now(), 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("due = %v, %v; want both chats", due, err)
	}
	// Sending the first reply leaves the second, still due.
	if err := s.Sent(ctx, lock, in.ChatKey(), own[0]); err != nil {
		t.Fatal(err)
	}
	// A reply that is no longer at the head is not popped twice.
	if err := s.Sent(ctx, lock, in.ChatKey(), own[0]); err != nil {
		t.Fatal(err)
	}
	if left, _, _ := s.Outbox(ctx, in.ChatKey()); len(left) != 1 || left[0].Text.ID != "e.f" {
		t.Fatalf("outbox after sending a.b (twice) = %+v", left)
	}
	if err := s.Retry(ctx, in.ChatKey(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	due, _ = s.Due(ctx, time.Now(), 10)
	if len(due) != 1 || due[0] != group {
		t.Fatalf("due after deferring own chat = %v, want only the group", due)
	}
	// An emptied outbox is no longer due at all.
	groupBox, _, _ := s.Outbox(ctx, group)
	groupLock, err := s.Lock(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	s.Sent(ctx, groupLock, group, groupBox[0])
	s.Retry(ctx, group, time.Now())
	s.Unlock(ctx, groupLock)
	due, _ = s.Due(ctx, time.Now().Add(2*time.Hour), 10)
	if len(due) != 1 || due[0] != in.ChatKey() {
		t.Fatalf("due later = %v, want only own chat", due)
	}
}
