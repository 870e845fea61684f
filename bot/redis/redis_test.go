package redis_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/flows"
)

var (
	chat  = flows.ChatRef{Channel: flows.Telegram, ChatID: "42"}
	group = flows.ChatRef{Channel: flows.Telegram, ChatID: "-100"}
	t0    = time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
)

func reply(to flows.ChatRef, id string) flows.Reply { return flows.Reply{To: to, Text: flows.M(id)} }

// step is one update's read-modify-write, redone when another committed
// first, as the engine does.
func step(ctx context.Context, s *redis.Store, id string, replies ...flows.Reply) (redis.Committed, error) {
	for {
		c, err := s.Load(ctx, chat)
		if err != nil {
			return redis.Committed{}, err
		}
		if c.Seen(id) { // committed, though the commit said otherwise
			return redis.Committed{}, errors.New("update " + id + " was committed, then refused")
		}
		st := c.State
		if st.Session == nil {
			st.Session = &flows.Session{Flow: "count"}
		}
		st.Session.History = append(st.Session.History, flows.Step(id))
		st.Seen = st.Seen.Add(id)
		done, err := s.Commit(ctx, c, st, replies, t0)
		if !errors.Is(err, redis.ErrConflict) {
			return done, err
		}
	}
}

// Two "replicas" (separate clients) append to the session of one chat at
// once; the version check keeps every append.
func TestConcurrentUpdatesOfOneChatAcrossReplicasAllCount(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		prefix := redistest.Prefix(t)
		replicas := []*redis.Store{
			redis.New(client(t), prefix),
			redis.New(client(t), prefix),
		}
		const updates = 40
		var wg sync.WaitGroup
		errs := make(chan error, updates)
		for i := range updates {
			wg.Go(func() {
				_, err := step(ctx, replicas[i%2], strconv.Itoa(i+1))
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		c, err := replicas[0].Load(ctx, chat)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(c.State.Session.History); n != updates {
			t.Fatalf("session saw %d of %d updates: transitions were lost", n, updates)
		}
		for i := range updates {
			if !c.Seen(strconv.Itoa(i + 1)) {
				t.Errorf("update %d not remembered as handled", i+1)
			}
		}
	})
}

func TestCommitRefusedWhenTheChatChanged(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		stale, _ := s.Load(ctx, chat)
		if _, err := step(ctx, s, "1"); err != nil {
			t.Fatal(err)
		}
		_, err := s.Commit(ctx, stale, redis.State{Session: &flows.Session{Flow: "x"}}, []flows.Reply{reply(chat, "x")}, t0)
		if !errors.Is(err, redis.ErrConflict) {
			t.Fatalf("commit over a changed chat: err = %v, want ErrConflict", err)
		}
		c, _ := s.Load(ctx, chat)
		if c.State.Session.Flow != "count" || len(c.Out) != 0 {
			t.Fatalf("a refused commit changed the chat: %+v, outbox %d", c.State.Session, len(c.Out))
		}
	})
}

func TestOneSenderAtATimeInOrder(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		first, err := step(ctx, s, "1", reply(chat, "a"), reply(group, "g"))
		if err != nil || first.Lease == nil {
			t.Fatalf("first commit: lease %v, err %v; want the lease", first.Lease, err)
		}
		if ids := texts(first.Lease.Out); ids != "a" {
			t.Fatalf("first sender holds %q, want a", ids)
		}
		// While the first sends, a second update queues behind it.
		second, err := step(ctx, s, "2", reply(chat, "b"))
		if err != nil || second.Lease != nil {
			t.Fatalf("second commit: lease %v, err %v; want no lease while another sends", second.Lease, err)
		}
		more, err := s.Finish(ctx, first.Lease, redis.Finish{Sent: first.Lease.Out})
		if err != nil || !more {
			t.Fatalf("finish: more=%v err=%v; want more (b came meanwhile)", more, err)
		}
		if _, err := s.Reload(ctx, first.Lease); err != nil {
			t.Fatal(err)
		}
		if ids := texts(first.Lease.Out); ids != "b" {
			t.Fatalf("after a, the sender holds %q, want b", ids)
		}
		if more, err := s.Finish(ctx, first.Lease, redis.Finish{Sent: first.Lease.Out, Clean: true}); err != nil || more {
			t.Fatalf("finish b: more=%v err=%v", more, err)
		}
		if c, _ := s.Load(ctx, chat); len(c.Out) != 0 || c.Lease != "" {
			t.Fatalf("after sending all: outbox %d, lease %q; want both empty", len(c.Out), c.Lease)
		}
		// The group's reply was committed with the update, and is due.
		due, err := s.Due(ctx, t0, 10)
		if err != nil || len(due) != 1 || due[0] != group {
			t.Fatalf("due = %v, %v; want the group (own chat cleaned)", due, err)
		}
	})
}

func TestAnExpiredLeaseIsTakenOverAndTheLateSenderRemovesNothing(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		s.Lease = time.Second
		first, err := step(ctx, s, "1", reply(chat, "a"))
		if err != nil || first.Lease == nil {
			t.Fatal(first.Lease, err)
		}
		if l, _, busy, _ := s.Claim(ctx, chat, t0.Add(500*time.Millisecond)); l != nil || !busy.Equal(t0.Add(time.Second)) {
			t.Fatalf("claim during the lease: %v until %v; want busy until the lease ends", l, busy)
		}
		other, c, _, err := s.Claim(ctx, chat, t0.Add(2*time.Second))
		if err != nil || other == nil || len(c.Out) != 1 {
			t.Fatalf("claim after the lease: %v %v %v", other, c, err)
		}
		if _, err := s.Finish(ctx, first.Lease, redis.Finish{Sent: first.Lease.Out}); !errors.Is(err, redis.ErrLeaseLost) {
			t.Fatalf("late finish: %v, want ErrLeaseLost", err)
		}
		if c, _ := s.Load(ctx, chat); len(c.Out) != 1 {
			t.Fatal("the late sender removed a reply the new sender owns")
		}
	})
}

func TestHoldKeepsSendersOff(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		first, _ := step(ctx, s, "1", reply(chat, "a"))
		hold := t0.Add(3 * time.Second)
		if _, err := s.Finish(ctx, first.Lease, redis.Finish{Hold: hold, Fails: 2}); err != nil {
			t.Fatal(err)
		}
		next, _ := step(ctx, s, "2", reply(chat, "b"))
		if next.Lease != nil {
			t.Fatal("an update took the lease of a chat on hold")
		}
		if due, _ := s.Due(ctx, hold.Add(-time.Millisecond), 10); len(due) != 0 {
			t.Fatalf("chat due before its hold ends: %v", due)
		}
		l, c, _, err := s.Claim(ctx, chat, hold.Add(time.Millisecond))
		if err != nil || l == nil || texts(l.Out) != "ab" || c.Fails != 2 {
			t.Fatalf("claim after the hold: %v %q fails=%d, %v", l, texts(l.Out), c.Fails, err)
		}
	})
}

// A reply that stopped halfway is kept with what went of it, for the next
// sender to go on from there.
func TestAHeldReplyKeepsWhatWentOfIt(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		first, _ := step(ctx, s, "1", reply(chat, "a"))
		q := first.Lease.Out[0]
		q.Done = &flows.Sent{MessageIDs: []string{"7"}, Parts: 1}
		hold := t0.Add(time.Second)
		if _, err := s.Finish(ctx, first.Lease, redis.Finish{Hold: hold, Fails: 1, Rewrite: []redis.Queued{q}}); err != nil {
			t.Fatal(err)
		}
		l, _, _, err := s.Claim(ctx, chat, hold.Add(time.Millisecond))
		if err != nil || l == nil || len(l.Out) != 1 {
			t.Fatalf("claim after the hold: %v, %v", l, err)
		}
		if got := l.Out[0]; got.Text.ID != "a" || got.Done == nil || got.Done.Parts != 1 || got.Done.MessageIDs[0] != "7" {
			t.Fatalf("kept %+v", got.Reply)
		}
	})
}

// An update read before a sender kept a reply with what went of it is
// handled again: a commit of the older read would send the reply whole,
// and what went of it twice.
func TestAnUpdateReadBeforeAReplyWasKeptIsHandledAgain(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		first, _ := step(ctx, s, "1", reply(chat, "a"))
		read, err := s.Load(ctx, chat) // the next update's handler starts
		if err != nil {
			t.Fatal(err)
		}
		q := first.Lease.Out[0]
		q.Done = &flows.Sent{MessageIDs: []string{"7"}, Parts: 1}
		hold := t0.Add(time.Second)
		if _, err := s.Finish(ctx, first.Lease, redis.Finish{Hold: hold, Fails: 1, Rewrite: []redis.Queued{q}}); err != nil {
			t.Fatal(err)
		}
		after := hold.Add(time.Millisecond) // the handler was slow
		if _, err := s.Commit(ctx, read, read.State, []flows.Reply{reply(chat, "b")}, after); !errors.Is(err, redis.ErrConflict) {
			t.Fatalf("commit of a read older than the kept reply: %v, want ErrConflict", err)
		}
		again, err := s.Load(ctx, chat)
		if err != nil {
			t.Fatal(err)
		}
		done, err := s.Commit(ctx, again, again.State, []flows.Reply{reply(chat, "b")}, after)
		if err != nil || done.Lease == nil || texts(done.Lease.Out) != "ab" {
			t.Fatalf("commit read again: %+v, %v", done.Lease, err)
		}
		if got := done.Lease.Out[0]; got.Done == nil || got.Done.Parts != 1 {
			t.Fatalf("the sender would send the kept reply whole: %+v", got.Reply)
		}
	})
}

func TestUnreadableStateAndRepliesAreReported(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		rdb := client(t)
		prefix := redistest.Prefix(t)
		s := redis.New(rdb, prefix)
		key := redis.ChatKey(prefix, chat)
		rdb.HSet(ctx, key, "s", "{not json", "o:1", "[garbage", "o:2", `{"to":{"Channel":"telegram","ChatID":"42"},"text":{"id":"ok"}}`, "n", 2)
		c, err := s.Load(ctx, chat)
		if err != nil {
			t.Fatal(err)
		}
		if c.StateErr == nil || len(c.Bad) != 1 || texts(c.Out) != "ok" {
			t.Fatalf("state err %v, bad %v, out %q", c.StateErr, c.Bad, texts(c.Out))
		}
		// Buried and requeued, the entry is back in its outbox.
		if err := s.Bury(ctx, []redis.Dead{{Chat: chat, Reason: "test", At: t0, Raw: c.Bad["o:1"]}}); err != nil {
			t.Fatal(err)
		}
		dead, _ := s.DeadLetters(ctx)
		if len(dead) != 1 || dead[0].Chat != chat || dead[0].Raw != "[garbage" {
			t.Fatalf("dead letters = %+v", dead)
		}
		if n, err := s.Requeue(ctx, 10, t0); n != 1 || err != nil {
			t.Fatalf("requeue = %d, %v", n, err)
		}
		if dead, _ := s.DeadLetters(ctx); len(dead) != 0 {
			t.Fatalf("dead letters after requeue = %+v", dead)
		}
		if c, _ := s.Load(ctx, chat); len(c.Bad) != 2 {
			t.Fatalf("requeued entry not in the outbox: bad = %v", c.Bad)
		}
	})
}

// A step in the middle of a conversation costs at most eight Redis
// commands, those run inside scripts included, in three round trips.
func TestAMidFlowStepIsLean(t *testing.T) {
	ctx := context.Background()
	srv := redistest.StartServer(t)
	rdb, err := redis.Open(ctx, srv.URL(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	s := redis.New(rdb, "lean:")
	cycle := func(id string) {
		done, err := step(ctx, s, id, reply(chat, "q"))
		if err != nil || done.Lease == nil {
			t.Fatal(done.Lease, err)
		}
		if _, err := s.Finish(ctx, done.Lease, redis.Finish{Sent: done.Lease.Out}); err != nil {
			t.Fatal(err)
		}
	}
	cycle("1") // the chat's first update sets its TTL
	if err := rdb.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	const steps = 10
	for i := range steps {
		cycle(strconv.Itoa(i + 2))
	}
	n, err := redistest.Commands(ctx, rdb)
	if err != nil {
		t.Fatal(err)
	}
	if per := float64(n) / steps; per > 8 {
		t.Fatalf("%.1f Redis commands per step, want at most 8", per)
	}
}

func texts(qs []redis.Queued) string {
	out := ""
	for _, q := range qs {
		out += q.Text.ID
	}
	return out
}

// A sender that stops before it finishes leaves its chat in the due set,
// for the sweeper: after a clean finish too, once the chat has replies again.
func TestACommitThatStopsBeforeSendingIsFoundBySweeper(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		first, err := step(ctx, s, "1", reply(chat, "a"))
		if err != nil || first.Lease == nil {
			t.Fatal(first.Lease, err)
		}
		if _, err := s.Finish(ctx, first.Lease, redis.Finish{Sent: first.Lease.Out, Clean: true}); err != nil {
			t.Fatal(err)
		}
		if due, _ := s.Due(ctx, t0.Add(time.Hour), 10); len(due) != 0 {
			t.Fatalf("a chat with nothing to send is due: %v", due)
		}
		second, err := step(ctx, s, "2", reply(chat, "b"))
		if err != nil || second.Lease == nil {
			t.Fatal(second.Lease, err)
		}
		// This sender stops here. Once its lease is over, the sweeper has it.
		if due, _ := s.Due(ctx, t0.Add(s.Lease), 10); len(due) != 1 || due[0] != chat {
			t.Fatalf("due after the lease = %v, want the chat", due)
		}
	})
}

// redises runs test on the single Redis and on the Redis Cluster: the
// store's keys and scripts must work on both.
func redises(t *testing.T, test func(t *testing.T, client func(testing.TB) goredis.UniversalClient)) {
	t.Run("single", func(t *testing.T) { test(t, redistest.MustClient) })
	t.Run("cluster", func(t *testing.T) { test(t, redistest.MustCluster) })
}

// open is a store with a prefix of its own on client's Redis.
func open(tb testing.TB, client func(testing.TB) goredis.UniversalClient) *redis.Store {
	return redis.New(client(tb), redistest.Prefix(tb))
}

// keys lists the keys matching pattern, on every node.
func keys(t *testing.T, rdb goredis.UniversalClient, pattern string) []string {
	var mu sync.Mutex
	var out []string
	err := redis.Scan(context.Background(), rdb, pattern, func(_ context.Context, _ goredis.UniversalClient, ks []string) error {
		mu.Lock()
		defer mu.Unlock()
		out = append(out, ks...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// On a cluster, a reply to a chat of another slot is forwarded after the
// commit, once: a forward a replica left (it stopped after the commit, or
// after queuing but before it said so) is finished by whoever claims the
// chat next, and never queued twice.
func TestRepliesToOtherSlotsAreForwardedOnce(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.MustCluster(t)
	prefix := redistest.Prefix(t)
	s := redis.New(rdb, prefix)
	other := otherSlot(prefix)
	done, err := step(ctx, s, "1", reply(chat, "a"), reply(other, "g"))
	if err != nil || done.Unforwarded != nil {
		t.Fatal(err, done.Unforwarded)
	}
	outbox := func() string {
		c, err := s.Load(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		return texts(c.Out)
	}
	if got := outbox(); got != "g" {
		t.Fatalf("the other chat's outbox after the commit: %q, want g", got)
	}
	if due, _ := s.Due(ctx, t0, 10); !slices.Contains(due, other) {
		t.Fatalf("due = %v, want the other chat", due)
	}
	// Written again as a replica that stopped before dropping it leaves it,
	// and once more as one that stopped before queuing it.
	own := redis.ChatKey(prefix, chat)
	fields, err := rdb.HGetAll(ctx, own).Result()
	if err != nil {
		t.Fatal(err)
	}
	if _, left := fields["fw"]; left {
		t.Fatalf("forward still counted after it was done: %v", fields)
	}
	raw := `{"k":"` + redis.ChatKey(prefix, other) + `","d":` + strconv.FormatInt(t0.UnixMilli(), 10) + `,"r":`
	g2, _ := json.Marshal(`{"to":{"Channel":"telegram","ChatID":"` + other.ChatID + `"},"text":{"id":"h"}}`)
	for f := range fields {
		if strings.HasPrefix(f, "r:") {
			t.Fatalf("forward field %s left", f)
		}
	}
	rdb.HSet(ctx, own, "r:left:000", raw+string(g2)+"}", "fw", 1)
	for range 2 { // two replicas' sweepers
		if _, _, _, err := s.Claim(ctx, chat, t0); err != nil {
			t.Fatal(err)
		}
	}
	if got := outbox(); got != "gh" {
		t.Fatalf("the other chat's outbox after the sweep: %q, want gh", got)
	}
	rdb.HSet(ctx, own, "r:left:000", raw+string(g2)+"}", "fw", 1)
	if _, _, _, err := s.Claim(ctx, chat, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := outbox(); got != "gh" {
		t.Fatalf("a forward done before was queued again: %q", got)
	}
}

// A market group's outbox can hold thousands of posts waiting for its gap:
// a sender reads its head only, a window at a time, and every reply still
// goes once and in order; a head that is not due yet is no news.
func TestALongOutboxIsReadFromItsHead(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		const queued = 300
		var replies []flows.Reply
		for i := range queued {
			replies = append(replies, reply(group, "p"+strconv.Itoa(i+1)))
		}
		if err := s.Enqueue(ctx, replies, t0); err != nil {
			t.Fatal(err)
		}
		ids := func(qs []redis.Queued) []string {
			var out []string
			for _, q := range qs {
				out = append(out, q.Text.ID)
			}
			return out
		}
		l, c, _, err := s.Claim(ctx, group, t0)
		if err != nil || l == nil {
			t.Fatal(l, err)
		}
		if got := ids(l.Out); len(got) != 32 || got[0] != "p1" || got[31] != "p32" || len(c.Out) != 32 {
			t.Fatalf("the head read: %v", got)
		}
		// One post, then the group's gap: the chat is due when it ends.
		pace := t0.Add(3 * time.Second)
		if more, err := s.Finish(ctx, l, redis.Finish{Sent: l.Out[:1], Pace: pace, Next: pace}); err != nil || more {
			t.Fatal(more, err)
		}
		if l, _, busy, _ := s.Claim(ctx, group, t0.Add(time.Second)); l != nil || !busy.Equal(pace) {
			t.Fatalf("claimed during the gap: %v, busy until %v", l, busy)
		}
		if due, _ := s.Due(ctx, pace, 10); len(due) != 1 || due[0] != group {
			t.Fatalf("due when the gap ends: %v", due)
		}
		// Without a gap, a sender goes on from window to window.
		l, _, _, err = s.Claim(ctx, group, pace)
		if err != nil || l == nil {
			t.Fatal(l, err)
		}
		var sent []string
		for {
			sent = append(sent, ids(l.Out)...)
			more, err := s.Finish(ctx, l, redis.Finish{Sent: l.Out, Clean: true})
			if err != nil {
				t.Fatal(err)
			}
			if !more {
				break
			}
			if _, err := s.Reload(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
		if len(sent) != queued-1 || sent[0] != "p2" || sent[len(sent)-1] != "p300" || !slices.IsSortedFunc(sent, func(a, b string) int {
			x, _ := strconv.Atoi(a[1:])
			y, _ := strconv.Atoi(b[1:])
			return x - y
		}) {
			t.Fatalf("sent %d replies: %v", len(sent), sent)
		}
		if due, _ := s.Due(ctx, pace.Add(time.Hour), 10); len(due) != 0 {
			t.Fatalf("an empty outbox is due: %v", due)
		}

		// Delayed replies (order announcements waiting to coalesce) do not
		// fill the head: a reply behind a hundred of them is read with them,
		// to be sent now. What waits holds the sender for no longer than
		// until it is due.
		later := pace.Add(time.Minute)
		replies = replies[:0]
		for i := range 100 {
			r := reply(group, "d"+strconv.Itoa(i+1))
			r.Delay = time.Minute
			replies = append(replies, r)
		}
		if err := s.Enqueue(ctx, append(replies, reply(group, "now")), pace); err != nil {
			t.Fatal(err)
		}
		l, _, _, err = s.Claim(ctx, group, pace)
		if err != nil || l == nil {
			t.Fatal(l, err)
		}
		if got := ids(l.Out); len(got) != 101 || got[0] != "d1" || got[100] != "now" {
			t.Fatalf("the head read behind delayed replies: %d replies, %v", len(got), got)
		}
		if more, err := s.Finish(ctx, l, redis.Finish{Sent: l.Out[100:], Next: later}); err != nil || more {
			t.Fatalf("a head not due yet: more %v, %v", more, err)
		}
		if due, _ := s.Due(ctx, later, 10); len(due) != 1 {
			t.Fatalf("not due when the head is: %v", due)
		}
	})
}

// A chat found busy is looked at again when it is free: when its sender's
// lease ends, should the sender stop; or as soon as its group's gap is
// over, when the sender finishes with that gap, a moment after the look.
func TestABusyChatIsDueWhenItIsFree(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		if err := s.Enqueue(ctx, []flows.Reply{reply(group, "g1"), reply(group, "g2")}, t0); err != nil {
			t.Fatal(err)
		}
		sender, _, _, err := s.Claim(ctx, group, t0)
		if err != nil || sender == nil || texts(sender.Out) != "g1g2" {
			t.Fatalf("first claim: %v, %v", sender, err)
		}
		look := t0.Add(100 * time.Millisecond)
		if l, _, busy, err := s.Claim(ctx, group, look); err != nil || l != nil || !busy.Equal(t0.Add(s.Lease)) {
			t.Fatalf("claim while it sends: %v until %v, %v; want busy until the lease ends", l, busy, err)
		}
		if due, _ := s.Due(ctx, look, 10); len(due) != 0 {
			t.Fatalf("a busy chat is due at once: %v", due)
		}
		if due, _ := s.Due(ctx, t0.Add(s.Lease), 10); len(due) != 1 || due[0] != group {
			t.Fatalf("due when the lease ends = %v, want the group", due)
		}
		gap := look.Add(time.Millisecond)
		if _, err := s.Finish(ctx, sender, redis.Finish{Sent: sender.Out[:1], Pace: gap, Next: gap}); err != nil {
			t.Fatal(err)
		}
		if due, _ := s.Due(ctx, gap, 10); len(due) != 1 || due[0] != group {
			t.Fatalf("due after the gap = %v, want the group (g2 waits)", due)
		}
		l, _, _, err := s.Claim(ctx, group, gap)
		if err != nil || l == nil || texts(l.Out) != "g2" {
			t.Fatalf("claim after the gap: %v, %v; want g2", l, err)
		}
	})
}

// replaying runs every script twice, as the client does when a batch's
// connection fails after Redis ran it (go-redis replays the batch): the
// second run's answer is the one the store reads.
type replaying struct{ goredis.UniversalClient }

func (r replaying) EvalSha(ctx context.Context, sha string, keys []string, args ...any) *goredis.Cmd {
	r.UniversalClient.EvalSha(ctx, sha, keys, args...)
	return r.UniversalClient.EvalSha(ctx, sha, keys, args...)
}

func (r replaying) Eval(ctx context.Context, script string, keys []string, args ...any) *goredis.Cmd {
	r.UniversalClient.Eval(ctx, script, keys, args...)
	return r.UniversalClient.Eval(ctx, script, keys, args...)
}

// A commit or a claim that Redis ran and the client ran again (its batch
// replayed after a broken connection) still holds its lease: the update's
// replies go out at once, not when a lease nobody uses runs out.
func TestAReplayedCommitOrClaimKeepsItsLease(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		rdb := client(t)
		s := redis.New(rdb, redistest.Prefix(t))
		redis.SetHot(s, replaying{rdb})
		done, err := step(ctx, s, "1", reply(chat, "a"))
		if err != nil || done.Lease == nil {
			t.Fatalf("replayed commit: lease %v, err %v; want the lease", done.Lease, err)
		}
		if c, _ := s.Load(ctx, chat); c.State.Seen != "1" || len(c.Out) != 1 {
			t.Fatalf("after the replayed commit: seen %v, %d replies; want the update once", c.State.Seen, len(c.Out))
		}
		if !done.Lease.Stale() {
			t.Fatal("a replayed commit's sender does not read the outbox again")
		}
		if _, err := s.Reload(ctx, done.Lease); err != nil || texts(done.Lease.Out) != "a" {
			t.Fatalf("reload: %q, %v; want a", texts(done.Lease.Out), err)
		}
		if err := s.Enqueue(ctx, []flows.Reply{reply(group, "g")}, t0); err != nil {
			t.Fatal(err)
		}
		l, _, busy, err := s.Claim(ctx, group, t0)
		if err != nil || l == nil || texts(l.Out) != "g" {
			t.Fatalf("replayed claim: %v (busy until %v), %v; want the lease and g", l, busy, err)
		}
	})
}

// losing loses the answer of the first script Redis runs, as a connection
// that breaks after Redis ran it does (a NOSCRIPT answer is no run: it
// goes through, and the script is sent in full).
type losing struct {
	goredis.UniversalClient
	lost *atomic.Bool
}

func (l losing) EvalSha(ctx context.Context, sha string, keys []string, args ...any) *goredis.Cmd {
	return l.lose(ctx, l.UniversalClient.EvalSha(ctx, sha, keys, args...))
}

func (l losing) Eval(ctx context.Context, script string, keys []string, args ...any) *goredis.Cmd {
	return l.lose(ctx, l.UniversalClient.Eval(ctx, script, keys, args...))
}

func (l losing) lose(ctx context.Context, ran *goredis.Cmd) *goredis.Cmd {
	if ran.Err() != nil && !errors.Is(ran.Err(), goredis.Nil) || !l.lost.CompareAndSwap(false, true) {
		return ran
	}
	lost := goredis.NewCmd(ctx)
	lost.SetErr(errors.New("read tcp: connection reset by peer"))
	return lost
}

// A commit or a claim whose answer was lost gives up the lease it took all
// the same: the chat's replies are due at once, for whoever claims it, and
// do not wait for a lease nobody uses to run out.
func TestALostAnswerLeavesNoLeaseBehind(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		rdb := client(t)
		s := redis.New(rdb, redistest.Prefix(t))
		lost := &atomic.Bool{}
		redis.SetHot(s, losing{rdb, lost})
		if _, err := step(ctx, s, "1", reply(chat, "a")); err == nil {
			t.Fatal("the commit whose answer was lost said it went through")
		}
		c, err := s.Load(ctx, chat) // HGETALL: nothing lost
		if err != nil || !c.Seen("1") || c.Lease != "" {
			t.Fatalf("after the lost answer: seen %v, lease %q (%v); want the update stored and no lease", c.State.Seen, c.Lease, err)
		}
		if due, _ := s.Due(ctx, t0, 10); len(due) != 1 || due[0] != chat {
			t.Fatalf("due = %v, want the chat at once", due)
		}
		lost.Store(false)
		if err := s.Enqueue(ctx, []flows.Reply{reply(group, "g")}, t0); err != nil {
			t.Fatal(err)
		}
		if l, _, _, err := s.Claim(ctx, group, t0); err == nil || l != nil {
			t.Fatalf("the claim whose answer was lost: %v, %v; want an error", l, err)
		}
		if l, _, _, err := s.Claim(ctx, group, t0); err != nil || l == nil || texts(l.Out) != "g" {
			t.Fatalf("the next claim: %v, %v; want the lease and g", l, err)
		}
	})
}

// An update of a group whose outbox holds thousands of replies (a busy
// market, or one the platform holds back) commits: the commit checks the
// head of the outbox only, and its sender reads the outbox again. It
// failed past about 8,000, more than Redis's Lua unpacks, and the group
// then took no update until its backlog drained.
func TestAGroupWithAHugeOutboxTakesUpdates(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		const queued = 9000
		replies := make([]flows.Reply, queued)
		for i := range replies {
			replies[i] = reply(group, "p"+strconv.Itoa(i+1))
		}
		for i := 0; i < queued; i += 500 {
			if err := s.Enqueue(ctx, replies[i:i+500], t0); err != nil {
				t.Fatal(err)
			}
		}
		for i, load := range []func(context.Context, flows.ChatRef) (*redis.Chat, error){s.Load, s.LoadHead} {
			update := strconv.Itoa(i + 1)
			c, err := load(ctx, group)
			if err != nil || len(c.Out) == 0 || c.Out[0].Text.ID != "p1" {
				t.Fatalf("load for update %s: %d replies, %v; want p1 first", update, len(c.Out), err)
			}
			st := c.State
			st.Seen = st.Seen.Add(update)
			done, err := s.Commit(ctx, c, st, []flows.Reply{reply(group, "answer"+update)}, t0)
			if err != nil {
				t.Fatalf("the group's update %s: %v", update, err)
			}
			if done.Lease != nil {
				if !done.Lease.Stale() {
					t.Fatal("the sender would send the outbox as the commit read it, not its head")
				}
				if _, err := s.Reload(ctx, done.Lease); err != nil || len(done.Lease.Out) == 0 || done.Lease.Out[0].Text.ID != "p1" {
					t.Fatalf("the sender's read: %v; want the head, p1 first", err)
				}
				if err := s.Release(ctx, done.Lease, t0); err != nil {
					t.Fatal(err)
				}
			}
		}
		// An update of the group reads the head of its outbox, not
		// thousands of posts, and its state with it.
		if c, err := s.LoadHead(ctx, group); err != nil || len(c.Out) > 256 || !c.Seen("1") || !c.Seen("2") {
			t.Fatalf("a group update's read: %d replies, seen %q (%v); want the head, both updates seen", len(c.Out), c.State.Seen, err)
		}
		if c, _ := s.Load(ctx, group); len(c.Out) != queued+2 {
			t.Fatalf("after the updates: %d replies; want both answers queued behind the posts", len(c.Out))
		}
	})
}
