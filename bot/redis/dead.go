package redis

import (
	"context"
	"encoding/json"
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

// requeue moves the oldest dead letter back to its chat's outbox, due now.
// KEYS: dead, due, prefix. ARGV: now, ttl.
var requeue = goredis.NewScript(`
local raw = redis.call("LPOP", KEYS[1])
if not raw then return 0 end
local ok, d = pcall(cjson.decode, raw)
if not ok or type(d) ~= "table" or type(d.chat) ~= "table" then
  redis.call("RPUSH", KEYS[1], raw)
  return -1
end
local k = KEYS[3] .. "chat:" .. d.chat.Channel .. ":" .. d.chat.ChatID
local n = redis.call("HINCRBY", k, "n", 1)
redis.call("HSET", k, "o:" .. n, d.raw)
redis.call("PEXPIRE", k, ARGV[2])
redis.call("ZADD", KEYS[2], ARGV[1], k)
return 1`)

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
		r, err := requeue.Run(ctx, s.rdb, []string{s.deadKey(), s.dueKey(), s.prefix}, now.UnixMilli(), s.TTL.Milliseconds()).Int()
		if err != nil {
			return moved, fmt.Errorf("requeue dead letter: %w", err)
		}
		if r == 1 {
			moved++
		}
		// 0: the list is empty; -1: an entry that names no chat, kept at the end.
	}
	return moved, nil
}
