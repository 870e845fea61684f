package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/flows"
)

// A channel's quota is what the store knows of a platform that refused a
// send for a quota it did not say the length of (Zalo's 429, "Quota
// exceeded", per second or per day): how many sends it refused in a row,
// until when no send goes to it, and, once that time has come, until when
// one sender tries it (the probe) while the others wait for its answer. It
// is one hash per channel, shared by every replica, with the list of the
// chats held for it, made due at once when a send goes through; times are
// the engine's clock, in unix milliseconds, as a chat's hold is.
//
// The hash lives for a day and a half at most: a quota forgotten is learnt
// again from the next refusal, at the cost of one send.
//
// A channel has two such holds (Quota): one of every send, and one of its
// bulk sends only (broadcasts, posts to groups), so that a broadcast that
// meets the quota holds the bulk sends and leaves the replies to try.
const quotaTTL = 36 * time.Hour

// Quota names one of a channel's quota holds: of its every send, or of its
// bulk sends only.
type Quota struct {
	Channel flows.Channel
	Bulk    bool
}

func (q Quota) String() string {
	if q.Bulk {
		return string(q.Channel) + " (bulk)"
	}
	return string(q.Channel)
}

// Gate is what QuotaGate says of a send to a channel.
type Gate int

const (
	// GateOpen: no quota is known; send.
	GateOpen Gate = iota
	// GateProbe: the channel's hold is over; this sender tries it, and the
	// others wait for its answer.
	GateProbe
	// GateHeld: no send before the time given.
	GateHeld
)

// QuotaGate tells whether a send may go to channel at now, and until when:
// held, when the next may try; a probe, when its try ends (it names the
// try to QuotaUntried). A probe that does not answer (its sender stopped)
// lets another sender try after probeFor.
func (s *Store) QuotaGate(ctx context.Context, q Quota, now time.Time, probeFor time.Duration) (Gate, time.Time, error) {
	res, err := quotaGate.Run(ctx, s.rdb, []string{s.quotaKey(q)}, now.UnixMilli(), probeFor.Milliseconds()).Int64Slice()
	if err != nil {
		return GateOpen, time.Time{}, fmt.Errorf("quota gate of %s: %w", q, err)
	}
	return Gate(res[0]), time.UnixMilli(res[1]), nil
}

var quotaGate = goredis.NewScript(`
local now = tonumber(ARGV[1])
local q = redis.call('HMGET', KEYS[1], 'until', 'probe')
if not q[1] then return {0, 0} end
local hold, probe = tonumber(q[1]), tonumber(q[2] or '0')
if hold > now then return {2, hold} end
if probe > now then return {2, probe} end
local ends = now + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'probe', ends)
return {1, ends}`)

// QuotaUntried frees channel's try that ends at probe (QuotaGate) before
// its time: its send failed for a reason that says nothing of the quota (a
// 5xx, a timeout, a refusal of the chat's own), so the next sender may try
// at once, still one at a time, instead of every sender waiting for the
// try's whole time. A try that is no longer the current one (it ran out,
// and another sender tries now; the quota was refused or cleared since) is
// left alone.
func (s *Store) QuotaUntried(ctx context.Context, q Quota, probe time.Time) error {
	if err := quotaUntried.Run(ctx, s.rdb, []string{s.quotaKey(q)}, probe.UnixMilli()).Err(); err != nil {
		return fmt.Errorf("free the quota try of %s: %w", q, err)
	}
	return nil
}

var quotaUntried = goredis.NewScript(`
if tonumber(redis.call('HGET', KEYS[1], 'probe') or '0') ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'probe', 0)
return 1`)

// QuotaKnown tells whether a quota of channel is known: a send that went
// through since it was (QuotaCleared) forgot it.
func (s *Store) QuotaKnown(ctx context.Context, q Quota) (bool, error) {
	n, err := s.rdb.Exists(ctx, s.quotaKey(q)).Result()
	if err != nil {
		return false, fmt.Errorf("quota of %s: %w", q, err)
	}
	return n == 1, nil
}

// QuotaSpent records a send to channel refused for its quota, at now: the
// refusals in a row grow by one, and no send goes before holds[n-1], the
// hold after the nth refusal in a row (the last one for any after). A
// refusal while the channel is held counts nothing: it answers a send made
// before the hold was known (several were in flight). It returns when the
// hold ends and how many refusals it counts. The channel's broadcasts
// (Throttle) wait as long. by is the chat refused: a send to another chat
// that goes through next tells that the refusal was that chat's own
// (QuotaCleared).
func (s *Store) QuotaSpent(ctx context.Context, q Quota, by string, now time.Time, holds []time.Time) (time.Time, int, error) {
	if len(holds) == 0 {
		return time.Time{}, 0, fmt.Errorf("quota of %s: no hold given", q)
	}
	args := make([]any, 0, 3+len(holds))
	args = append(args, now.UnixMilli(), quotaTTL.Milliseconds(), by)
	for _, h := range holds {
		args = append(args, h.UnixMilli())
	}
	res, err := quotaSpent.Run(ctx, s.rdb, []string{s.quotaKey(q)}, args...).Int64Slice()
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("quota of %s: %w", q, err)
	}
	until := time.UnixMilli(res[1])
	if err := hold(ctx, s.rdb, holdKey(s.prefix, q.Channel), until.Sub(now)); err != nil {
		return until, int(res[0]), err
	}
	return until, int(res[0]), nil
}

var quotaSpent = goredis.NewScript(`
local now = tonumber(ARGV[1])
local q = redis.call('HMGET', KEYS[1], 'until', 'n')
local hold, n = tonumber(q[1] or '0'), tonumber(q[2] or '0')
if hold > now then return {n, hold} end
n = n + 1
hold = tonumber(ARGV[3 + math.min(n, #ARGV - 3)])
redis.call('HSET', KEYS[1], 'n', n, 'until', hold, 'probe', 0, 'by', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {n, hold}`)

// QuotaCleared forgets q's quota: a send to chat went through. Its
// broadcasts go on too, and the chats waiting for it (QuotaWait) are due
// at now, not when their holds end; it returns how many. When the refusal
// that held q was another chat's, that chat's refusals are its own until
// ownUntil (QuotaOwn): a limit of the chat, not of the channel.
func (s *Store) QuotaCleared(ctx context.Context, q Quota, chat string, now, ownUntil time.Time) (int, error) {
	channel := q.Channel
	by, err := quotaClear.Run(ctx, s.rdb, []string{s.quotaKey(q)}).Text()
	if err != nil && err != goredis.Nil {
		return 0, fmt.Errorf("clear quota of %s: %w", q, err)
	}
	if err := s.rdb.Del(ctx, holdKey(s.prefix, channel)).Err(); err != nil { // another slot on a cluster
		return 0, fmt.Errorf("clear quota of %s: %w", q, err)
	}
	if by != "" && by != chat {
		key := s.ownKey(channel)
		_, err := s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			p.ZAdd(ctx, key, goredis.Z{Score: float64(ownUntil.UnixMilli()), Member: by})
			p.ZRemRangeByScore(ctx, key, "-inf", fmt.Sprint(now.UnixMilli()))
			p.PExpire(ctx, key, ownUntil.Sub(now)) // the engine's clock is not Redis'
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("a chat's own quota of %s: %w", q, err)
		}
	}
	// After the quota is gone: a chat that joins the list later finds it
	// gone (QuotaWait), one that joined before is here.
	var waiting *goredis.ZSliceCmd
	_, err = s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		waiting = p.ZRangeWithScores(ctx, s.waitingKey(q), 0, -1)
		p.Del(ctx, s.waitingKey(q))
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("chats waiting for the quota of %s: %w", channel, err)
	}
	var cmds []*goredis.Cmd
	_, err = s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, z := range waiting.Val() {
			chat := flows.ChatRef{Channel: channel, ChatID: z.Member.(string)}
			cmds = append(cmds, quotaWake.Eval(ctx, p, []string{s.chatKey(chat), s.DueKey(chat)}, int64(z.Score), now.UnixMilli()))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("wake the chats waiting for the quota of %s: %w", channel, err)
	}
	woken := 0
	for _, c := range cmds {
		if n, _ := c.Int(); n == 1 {
			woken++
		}
	}
	return woken, nil
}

// quotaClear forgets a quota and tells which chat's refusal held it.
var quotaClear = goredis.NewScript(`
local by = redis.call('HGET', KEYS[1], 'by')
redis.call('DEL', KEYS[1])
return by or ''`)

// QuotaOwn tells whether chat's refusals for a quota are taken for its own
// at now: the last one was followed by a send to another chat that went
// through (QuotaCleared).
func (s *Store) QuotaOwn(ctx context.Context, chat flows.ChatRef, now time.Time) (bool, error) {
	until, err := s.rdb.ZScore(ctx, s.ownKey(chat.Channel), chat.ChatID).Result()
	switch {
	case err == goredis.Nil:
		return false, nil
	case err != nil:
		return false, fmt.Errorf("own quota of a chat of %s: %w", chat.Channel, err)
	}
	return int64(until) > now.UnixMilli(), nil
}

// QuotaWait records that chat's replies are held until hold for q's
// quota, once that hold is stored (Finish): a send that goes through makes
// the chat due at once (QuotaCleared). A quota cleared meanwhile makes it
// due at now.
func (s *Store) QuotaWait(ctx context.Context, q Quota, chat flows.ChatRef, hold, now time.Time) error {
	key := s.waitingKey(q)
	_, err := s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.ZAdd(ctx, key, goredis.Z{Score: float64(hold.UnixMilli()), Member: chat.ChatID})
		p.PExpire(ctx, key, quotaTTL)
		return nil
	})
	if err != nil {
		return fmt.Errorf("wait for the quota of %s: %w", chat.Channel, err)
	}
	n, err := s.rdb.Exists(ctx, s.quotaKey(q)).Result()
	switch {
	case err != nil:
		return fmt.Errorf("wait for the quota of %s: %w", chat.Channel, err)
	case n == 1:
		return nil
	}
	if err := quotaWake.Run(ctx, s.rdb, []string{s.chatKey(chat), s.DueKey(chat)}, hold.UnixMilli(), now.UnixMilli()).Err(); err != nil {
		return fmt.Errorf("wake a chat waiting for the quota of %s: %w", chat.Channel, err)
	}
	return nil
}

// quotaWake makes a chat due at now if it is still held until the time it
// waited for the quota with. KEYS: chat, due. ARGV: hold, now (unix ms).
var quotaWake = goredis.NewScript(`
if redis.call("HGET", KEYS[1], "h") ~= ARGV[1] then return 0 end
redis.call("HSET", KEYS[1], "h", ARGV[2])
redis.call("ZADD", KEYS[2], "LT", ARGV[2], KEYS[1])
return 1`)

func (s *Store) quotaKey(q Quota) string {
	if q.Bulk {
		return s.prefix + "quota:" + string(q.Channel) + ":bulk"
	}
	return s.prefix + "quota:" + string(q.Channel)
}

// waitingKey lists the chats held for q's quota, by chat id, each with the
// time it is held until.
func (s *Store) waitingKey(q Quota) string {
	return s.quotaKey(q) + ":waiting"
}

// ownKey holds the chats of channel whose quota refusals are their own, each
// with the time it is taken for so until.
func (s *Store) ownKey(channel flows.Channel) string {
	return s.prefix + "quota:" + string(channel) + ":own"
}
