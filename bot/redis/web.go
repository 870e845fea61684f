package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// WebLog is the web channel's conversation log: one Redis stream of every
// message shown in the sandbox (the bot's and the users' own), so that a
// page connected to any replica sees what any replica sent, and a page
// reloaded replays it.
type WebLog struct {
	rdb goredis.UniversalClient
	key string
	max int64
}

// WebEntry is one message of the log: its stream id and what it holds.
type WebEntry struct {
	ID   string
	Data []byte
}

// WebLog is the log of the web channel, kept to about max entries.
func (s *Store) WebLog(max int64) *WebLog {
	return &WebLog{rdb: s.rdb, key: s.prefix + "web:log", max: max}
}

// Append adds an entry and returns its id; the oldest go beyond max.
func (l *WebLog) Append(ctx context.Context, data []byte) (string, error) {
	id, err := l.rdb.XAdd(ctx, &goredis.XAddArgs{Stream: l.key, MaxLen: l.max, Approx: true,
		Values: []any{"d", data}}).Result()
	if err != nil {
		return "", fmt.Errorf("append to web log: %w", err)
	}
	return id, nil
}

// After returns up to n entries after id ("" for the first ones), oldest first.
func (l *WebLog) After(ctx context.Context, id string, n int64) ([]WebEntry, error) {
	start := "-"
	if id != "" {
		start = "(" + id
	}
	msgs, err := l.rdb.XRangeN(ctx, l.key, start, "+", n).Result()
	if err != nil {
		return nil, fmt.Errorf("read web log: %w", err)
	}
	return entries(msgs), nil
}

// Floor is the id after which the newest n entries come, "" when the log
// holds no more than n: a reader that starts there reads n at most.
func (l *WebLog) Floor(ctx context.Context, n int64) (string, error) {
	msgs, err := l.rdb.XRevRangeN(ctx, l.key, "+", "-", n+1).Result()
	if err != nil {
		return "", fmt.Errorf("read web log: %w", err)
	}
	if int64(len(msgs)) <= n {
		return "", nil
	}
	return msgs[n].ID, nil
}

// Wait returns the entries after id, waiting up to block for one to come;
// none when none came.
func (l *WebLog) Wait(ctx context.Context, id string, block time.Duration) ([]WebEntry, error) {
	streams, err := l.rdb.XRead(ctx, &goredis.XReadArgs{Streams: []string{l.key, id}, Block: block, Count: 100}).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("wait on web log: %w", err)
	}
	var out []WebEntry
	for _, s := range streams {
		out = append(out, entries(s.Messages)...)
	}
	return out, nil
}

// Last is the id of the newest entry, "0-0" when there is none.
func (l *WebLog) Last(ctx context.Context) (string, error) {
	msgs, err := l.rdb.XRevRangeN(ctx, l.key, "+", "-", 1).Result()
	if err != nil {
		return "", fmt.Errorf("read web log: %w", err)
	}
	if len(msgs) == 0 {
		return "0-0", nil
	}
	return msgs[0].ID, nil
}

// Clear empties the log.
func (l *WebLog) Clear(ctx context.Context) error {
	if err := l.rdb.Del(ctx, l.key).Err(); err != nil {
		return fmt.Errorf("clear web log: %w", err)
	}
	return nil
}

func entries(msgs []goredis.XMessage) []WebEntry {
	out := make([]WebEntry, 0, len(msgs))
	for _, m := range msgs {
		d, _ := m.Values["d"].(string)
		out = append(out, WebEntry{ID: m.ID, Data: []byte(d)})
	}
	return out
}

// Limiter counts requests per client in fixed windows, shared by replicas.
type Limiter struct {
	rdb    goredis.UniversalClient
	prefix string
	limit  int64
	window time.Duration
}

// Limiter allows limit requests per client per window; name keeps the
// counts of one limiter apart from another's.
func (s *Store) Limiter(name string, limit int, window time.Duration) *Limiter {
	return &Limiter{rdb: s.rdb, prefix: s.prefix + limitKeys + name + ":", limit: int64(limit), window: window}
}

// Wait is how long from now until the window counting now ends, and a
// client refused in it is counted afresh: a refusal's Retry-After.
func (l *Limiter) Wait(now time.Time) time.Duration {
	w := l.window.Milliseconds()
	return time.Duration(w-now.UnixMilli()%w) * time.Millisecond
}

// Allow counts a request of client and tells whether it is within the limit.
func (l *Limiter) Allow(ctx context.Context, client string, now time.Time) (bool, error) {
	slot := now.UnixMilli() / l.window.Milliseconds()
	key := l.prefix + client + ":" + fmt.Sprint(slot)
	pipe := l.rdb.TxPipeline()
	n := pipe.Incr(ctx, key)
	pipe.PExpire(ctx, key, l.window)
	if _, err := pipe.Exec(ctx); err != nil {
		return false, fmt.Errorf("rate limit: %w", err)
	}
	return n.Val() <= l.limit, nil
}
