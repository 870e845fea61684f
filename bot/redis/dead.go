package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/flows"
)

// Dead is an outbox entry that could not be delivered and was set aside so
// that it never blocks the replies behind it: `nongsan outbox` shows and
// requeues them.
type Dead struct {
	Chat   flows.ChatRef `json:"chat"`
	Reason string        `json:"reason"`
	At     time.Time     `json:"at"`
	Raw    string        `json:"raw"` // the entry as it was stored
}

func (s *Store) deadKey() string { return s.prefix + "dead" }

// Bury moves entries to the dead-letter list. The caller removes them from
// their outbox (Finish's Dead) once this returns.
func (s *Store) Bury(ctx context.Context, dead []Dead) error {
	if len(dead) == 0 {
		return nil
	}
	vals := make([]any, len(dead))
	for i, d := range dead {
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("encode dead letter: %w", err)
		}
		vals[i] = b
	}
	if err := s.rdb.RPush(ctx, s.deadKey(), vals...).Err(); err != nil {
		return fmt.Errorf("bury replies: %w", err)
	}
	return nil
}

// DeadLetters lists the dead-letter list, oldest first.
func (s *Store) DeadLetters(ctx context.Context) ([]Dead, error) {
	raws, err := s.rdb.LRange(ctx, s.deadKey(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("read dead letters: %w", err)
	}
	out := make([]Dead, 0, len(raws))
	for _, raw := range raws {
		var d Dead
		if err := json.Unmarshal([]byte(raw), &d); err != nil {
			d = Dead{Reason: "unreadable dead letter", Raw: raw}
		}
		out = append(out, d)
	}
	return out, nil
}

// Requeue puts up to n dead letters, oldest first, back into their chats'
// outboxes, and returns how many it moved. An entry that still cannot be
// delivered comes back to the list.
func (s *Store) Requeue(ctx context.Context, n int, now time.Time) (int, error) {
	// Only those listed now: entries set aside again while this runs wait
	// for the next requeue.
	listed, err := s.rdb.LLen(ctx, s.deadKey()).Result()
	if err != nil {
		return 0, fmt.Errorf("count dead letters: %w", err)
	}
	moved := 0
	for range min(int64(n), listed) {
		// Popped, then queued: the list and the chat may live in different
		// slots of a cluster, so no one script holds both.
		raw, err := s.rdb.LPop(ctx, s.deadKey()).Result()
		if errors.Is(err, goredis.Nil) {
			break
		} else if err != nil {
			return moved, fmt.Errorf("requeue dead letter: %w", err)
		}
		var d Dead
		if json.Unmarshal([]byte(raw), &d) != nil || d.Chat.ChatID == "" {
			// names no chat: kept at the end
			if err := s.rdb.RPush(ctx, s.deadKey(), raw).Err(); err != nil {
				return moved, fmt.Errorf("keep dead letter: %w", err)
			}
			continue
		}
		n := shard(d.Chat)
		keys := []string{s.tag(n) + "no-marker", s.chatKey(d.Chat), s.dueKey(n)}
		if err := enqueue.Run(ctx, s.rdb, keys, 0, s.TTL.Milliseconds(), d.Raw, now.UnixMilli()).Err(); err != nil {
			return moved, errors.Join(fmt.Errorf("requeue dead letter: %w", err), s.rdb.LPush(ctx, s.deadKey(), raw).Err())
		}
		moved++
	}
	return moved, nil
}
