package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/flows"
)

// SendRate is a channel's limits: messages per second overall and per minute
// to one group. Zero is no limit.
type SendRate struct {
	PerSecond         int
	PerGroupPerMinute int
}

// Throttle hands out send tokens shared by every replica through Redis: a
// channel's overall rate (GCRA, github.com/go-redis/redis_rate) and each
// group's. Tokens are spaced evenly (a group's burst is one, a channel's a
// tenth of a second's worth), so that the platform sees the rate in any
// window, whatever the replicas. A group's tokens are the time its chat's
// replies are paced by (the chat hash's "p", the engine's GroupGap), one
// budget for both: listing posts and a broadcast together stay under it.
type Throttle struct {
	rdb   goredis.UniversalClient
	store *Store
	rate  *redis_rate.Limiter
	Rates map[flows.Channel]SendRate
}

// Throttle returns the send throttle of store's Redis, under its prefix.
func (s *Store) Throttle(rates map[flows.Channel]SendRate) *Throttle {
	return &Throttle{rdb: s.rdb, store: s, rate: redis_rate.NewLimiter(s.rdb), Rates: rates}
}

// Take tries to take a token for one message on channel: wait is zero when
// it was taken, else how long until one may be. A channel held back after
// a 429 (Hold) gives none until the hold ends.
func (l *Throttle) Take(ctx context.Context, channel flows.Channel) (wait time.Duration, err error) {
	if wait, err = l.held(ctx, holdKey(l.store.prefix, channel)); err != nil || wait > 0 {
		return wait, err
	}
	r := l.Rates[channel].PerSecond
	if r <= 0 {
		return 0, nil
	}
	// A tenth of a second's worth of burst: a worker that wakes late for
	// its token does not lose the slot for good, and the platform sees at
	// most that many early, whatever the window.
	return l.allow(ctx, "ch:"+string(channel), redis_rate.Limit{Rate: r, Burst: max(r/10, 1), Period: time.Second})
}

// TakeGroup tries to take the group's turn for a post of parts messages,
// as Take does: wait is zero when it was taken. The turn is the group
// chat's pace, which the engine's replies to the group wait for and move
// on too (redis.Finish.Spent): the group's one budget. A group held back
// after a 429 of its own (Limited) gives none until the hold ends.
func (l *Throttle) TakeGroup(ctx context.Context, group flows.ChatRef, parts int) (time.Duration, error) {
	if wait, err := l.held(ctx, l.chatHoldKey(group)); err != nil || wait > 0 {
		return wait, err
	}
	r := l.Rates[group.Channel].PerGroupPerMinute
	if r <= 0 {
		return 0, nil
	}
	spent := time.Minute / time.Duration(r) * time.Duration(max(parts, 1))
	now := time.Now()
	wait, err := takeTurn.Run(ctx, l.rdb, []string{l.store.chatKey(group)}, now.UnixMilli(), spent.Milliseconds(), l.store.TTL.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("turn of group %s: %w", group.ChatID, err)
	}
	return time.Duration(wait) * time.Millisecond, nil
}

// takeTurn takes a group's turn when its pace ("p", unix ms) has come, and
// paces it spent ms on; else it says how long (ms) until then. A chat
// hash it creates lasts as a chat's does. KEYS: chat. ARGV: now, spent,
// ttl (ms).
var takeTurn = goredis.NewScript(`
local now = tonumber(ARGV[1])
local at = tonumber(redis.call("HGET", KEYS[1], "p") or "0")
if at > now then return at - now end
redis.call("HSET", KEYS[1], "p", now + tonumber(ARGV[2]))
if redis.call("PTTL", KEYS[1]) < 0 and tonumber(ARGV[3]) > 0 then redis.call("PEXPIRE", KEYS[1], ARGV[3]) end
return 0`)

func (l *Throttle) allow(ctx context.Context, key string, limit redis_rate.Limit) (time.Duration, error) {
	res, err := l.rate.Allow(ctx, l.store.prefix+key, limit)
	if err != nil {
		return 0, fmt.Errorf("rate %s: %w", key, err)
	}
	if res.Allowed > 0 {
		return 0, nil
	}
	return max(res.RetryAfter, time.Millisecond), nil
}

// Hold gives no token of channel for d: the platform answered 429 with
// retry_after. A longer hold already set stays.
func (l *Throttle) Hold(ctx context.Context, channel flows.Channel, d time.Duration) error {
	return hold(ctx, l.rdb, holdKey(l.store.prefix, channel), d)
}

// Limits a platform's 429 may stand for, as Limited tells them apart.
const (
	// bulkWindow and bulkChats: that many chats of a channel refused
	// within the window are the bot's overall limit, not each chat's.
	bulkWindow = time.Second
	bulkChats  = 2
)

// Limited records that the platform answered 429 to a message to chat,
// asking to wait d, and holds back what the answer stands for. Telegram's
// answer does not say which of its limits it enforces. A chat refused
// alone is over its own (about a message a second in a chat, twenty a
// minute in a group): that chat is held back, for d, and the others go on.
// Chats refused together, bulkChats of them within bulkWindow, are the
// bot's limit overall (about thirty messages a second): the whole channel
// is held back too, and channel is true.
func (l *Throttle) Limited(ctx context.Context, chat flows.ChatRef, d time.Duration) (channel bool, err error) {
	if err := hold(ctx, l.rdb, l.chatHoldKey(chat), d); err != nil {
		return false, err
	}
	key, now := l.store.prefix+"rate:limited:"+string(chat.Channel), time.Now()
	var refused *goredis.IntCmd
	_, err = l.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.ZRemRangeByScore(ctx, key, "-inf", strconv.FormatInt(now.Add(-bulkWindow).UnixMilli(), 10))
		p.ZAdd(ctx, key, goredis.Z{Score: float64(now.UnixMilli()), Member: chat.ChatID})
		refused = p.ZCard(ctx, key)
		p.PExpire(ctx, key, bulkWindow)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("429s of %s: %w", chat.Channel, err)
	}
	if refused.Val() < bulkChats {
		return false, nil
	}
	return true, l.Hold(ctx, chat.Channel, d)
}

// hold sets key for d, unless it is set for longer already.
func hold(ctx context.Context, rdb goredis.UniversalClient, key string, d time.Duration) error {
	d = max(d, time.Millisecond) // a zero expiry would hold for ever
	if left, err := rdb.PTTL(ctx, key).Result(); err == nil && left > d {
		return nil
	}
	if err := rdb.Set(ctx, key, "1", d).Err(); err != nil {
		return fmt.Errorf("hold %s: %w", key, err)
	}
	return nil
}

// held is how long the hold key still holds back.
func (l *Throttle) held(ctx context.Context, key string) (time.Duration, error) {
	left, err := l.rdb.PTTL(ctx, key).Result()
	if err != nil {
		return 0, fmt.Errorf("hold %s: %w", key, err)
	}
	return max(left, 0), nil // -2: no hold
}

// holdKey holds channel's tokens back: a 429's retry_after, or a quota
// spent (QuotaSpent).
func holdKey(prefix string, channel flows.Channel) string {
	return prefix + "rate:hold:" + string(channel)
}

func (l *Throttle) chatHoldKey(chat flows.ChatRef) string {
	return holdKey(l.store.prefix, chat.Channel) + ":" + chat.ChatID
}

// Forget unsets key (Once): what it marked done was not.
func (s *Store) Forget(ctx context.Context, key string) error {
	if err := s.rdb.Del(ctx, s.prefix+key).Err(); err != nil {
		return fmt.Errorf("forget %s: %w", key, err)
	}
	return nil
}

// Once tells whether key was not set yet, and sets it for ttl: one replica
// among several does something (edits a progress message) at most once
// per ttl.
func (s *Store) Once(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.prefix+key, "1", ttl).Result()
	if err != nil {
		return false, fmt.Errorf("once %s: %w", key, err)
	}
	return ok, nil
}
