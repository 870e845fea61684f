// Package redis keeps conversation state in Redis: per-chat locks, sessions,
// the update ids already handled, and the outbox of replies still to send.
// It holds Redis commands only; what the state means is the flows' business.
package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/flows"
)

// Store is the Redis side of the bot. All keys start with Prefix, so tests
// and deployments can share one Redis.
type Store struct {
	rdb    *goredis.Client
	prefix string

	// LockTTL bounds how long a crashed replica can hold a chat.
	LockTTL time.Duration
	// SessionTTL is how long a session is kept; the router decides, with a
	// shorter TTL, when it has expired, so that the user can be told.
	SessionTTL time.Duration
	// SeenTTL is how long an update id is remembered, longer than any retry.
	SeenTTL time.Duration
}

// New returns a store over rdb with keys under prefix.
func New(rdb *goredis.Client, prefix string) *Store {
	return &Store{rdb: rdb, prefix: prefix, LockTTL: time.Minute, SessionTTL: 30 * 24 * time.Hour, SeenTTL: 72 * time.Hour}
}

// Open connects to a redis:// or rediss:// URL.
func Open(ctx context.Context, url string) (*goredis.Client, error) {
	opt, err := goredis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse REDIS_URL: %w", err)
	}
	rdb := goredis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("ping redis: %w", err)
	}
	return rdb, nil
}

// Ping tells whether Redis answers.
func (s *Store) Ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }

// ErrLockLost means the lock expired before the work was committed; the
// work must be redone, so the update is refused and redelivered.
var ErrLockLost = errors.New("chat lock lost")

// Lock is a held per-chat lock.
type Lock struct {
	key, token string
}

func (s *Store) chatKey(kind string, c flows.ChatRef) string {
	return s.prefix + kind + ":" + string(c.Channel) + ":" + c.ChatID
}

// Lock waits until it holds chat's lock, or ctx ends. Updates of one chat
// are handled one at a time across all replicas.
func (s *Store) Lock(ctx context.Context, chat flows.ChatRef) (*Lock, error) {
	l := &Lock{key: s.chatKey("lock", chat), token: token()}
	wait := time.Millisecond
	for {
		ok, err := s.rdb.SetNX(ctx, l.key, l.token, s.LockTTL).Result()
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", l.key, err)
		}
		if ok {
			return l, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("lock %s: %w", l.key, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(wait*2, 50*time.Millisecond)
	}
}

var unlock = goredis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`)

// Unlock releases l if it is still held.
func (s *Store) Unlock(ctx context.Context, l *Lock) error {
	if err := unlock.Run(ctx, s.rdb, []string{l.key}, l.token).Err(); err != nil {
		return fmt.Errorf("unlock %s: %w", l.key, err)
	}
	return nil
}

var extend = goredis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0`)

// Extend renews l's lease before slow work (a send), or says it is lost.
func (s *Store) Extend(ctx context.Context, l *Lock) error {
	n, err := extend.Run(ctx, s.rdb, []string{l.key}, l.token, s.LockTTL.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("extend %s: %w", l.key, err)
	}
	if n == 0 {
		return ErrLockLost
	}
	return nil
}

// SessionKey addresses one user's conversation in one chat.
func (s *Store) SessionKey(in flows.Input) string {
	return s.chatKey("sess", in.ChatKey()) + ":" + in.UserID
}

func (s *Store) seenKey(in flows.Input) string {
	return s.prefix + "seen:" + string(in.Channel) + ":" + in.UpdateID
}

// Load returns the session of in's user (nil if none) and whether in was
// handled already, in one round trip.
func (s *Store) Load(ctx context.Context, in flows.Input) (sess *flows.Session, seen bool, err error) {
	vals, err := s.rdb.MGet(ctx, s.SessionKey(in), s.seenKey(in)).Result()
	if err != nil {
		return nil, false, fmt.Errorf("load session: %w", err)
	}
	if vals[1] != nil {
		return nil, true, nil
	}
	if raw, ok := vals[0].(string); ok {
		sess = new(flows.Session)
		if err := json.Unmarshal([]byte(raw), sess); err != nil {
			return nil, false, fmt.Errorf("decode session: %w", err)
		}
	}
	return sess, false, nil
}

// Failed counts a failed attempt at handling in and returns how many there
// were, so that an update that can never succeed is not retried forever.
func (s *Store) Failed(ctx context.Context, in flows.Input) (int64, error) {
	key := s.prefix + "fail:" + string(in.Channel) + ":" + in.UpdateID
	var n *goredis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		n = p.Incr(ctx, key)
		p.Expire(ctx, key, s.SeenTTL)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count failure: %w", err)
	}
	return n.Val(), nil
}

// commit writes everything an update produced at once, only while the lock
// is still ours: the session, the update id as handled, and the replies
// appended to their chats' outboxes, which are marked due.
var commit = goredis.NewScript(`
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return redis.error_reply("LOCKLOST") end
if ARGV[2] == "" then redis.call("DEL", KEYS[2])
else redis.call("SET", KEYS[2], ARGV[2], "PX", ARGV[3]) end
redis.call("SET", KEYS[3], "1", "PX", ARGV[4])
local n = #KEYS - 4
for i = 1, n do
  redis.call("RPUSH", KEYS[4 + i], ARGV[4 + i])
  redis.call("ZADD", KEYS[4], "LT", ARGV[4 + n + i], KEYS[4 + i])
end
return 1`)

// Commit stores the outcome of handling in: its user's new session (nil
// ends it), in marked as handled, and replies queued for sending.
func (s *Store) Commit(ctx context.Context, l *Lock, in flows.Input, sess *flows.Session, replies []flows.Reply) error {
	keys := []string{l.key, s.SessionKey(in), s.seenKey(in), s.prefix + "due"}
	args := []any{l.token, "", s.SessionTTL.Milliseconds(), s.SeenTTL.Milliseconds()}
	if sess != nil {
		b, err := json.Marshal(sess)
		if err != nil {
			return fmt.Errorf("encode session: %w", err)
		}
		args[1] = string(b)
	}
	outKeys, outArgs, err := s.outbox(replies)
	if err != nil {
		return err
	}
	err = commit.Run(ctx, s.rdb, append(keys, outKeys...), append(args, outArgs...)...).Err()
	if err != nil && strings.Contains(err.Error(), "LOCKLOST") {
		return ErrLockLost
	}
	if err != nil {
		return fmt.Errorf("commit session: %w", err)
	}
	return nil
}

// outbox lays replies out for the scripts: the outbox key of each, then
// each reply's JSON followed by when its outbox is due.
func (s *Store) outbox(replies []flows.Reply) (keys []string, args []any, err error) {
	now := time.Now()
	dues := make([]any, 0, len(replies))
	for _, r := range replies {
		if r.Delay > 0 {
			r.DueAt = now.Add(r.Delay)
		}
		b, err := json.Marshal(r)
		if err != nil {
			return nil, nil, fmt.Errorf("encode reply: %w", err)
		}
		keys = append(keys, s.chatKey("out", r.To))
		args = append(args, string(b))
		dues = append(dues, now.Add(r.Delay).UnixMilli())
	}
	return keys, append(args, dues...), nil
}

var enqueue = goredis.NewScript(`
local n = #KEYS - 1
for i = 1, n do
  redis.call("RPUSH", KEYS[1 + i], ARGV[i])
  redis.call("ZADD", KEYS[1], "LT", ARGV[n + i], KEYS[1 + i])
end
return 1`)

// Enqueue appends replies to their chats' outboxes, outside any update.
func (s *Store) Enqueue(ctx context.Context, replies []flows.Reply) error {
	if len(replies) == 0 {
		return nil
	}
	keys, args, err := s.outbox(replies)
	if err != nil {
		return err
	}
	if err := enqueue.Run(ctx, s.rdb, append([]string{s.prefix + "due"}, keys...), args...).Err(); err != nil {
		return fmt.Errorf("enqueue replies: %w", err)
	}
	return nil
}

// Queued is a reply waiting in an outbox, with its stored form.
type Queued struct {
	flows.Reply
	raw string
}

// Outbox returns the replies waiting for chat, oldest first, and how long
// the platform asked us to leave the chat alone (zero: not at all).
func (s *Store) Outbox(ctx context.Context, chat flows.ChatRef) ([]Queued, time.Duration, error) {
	var raws *goredis.StringSliceCmd
	var hold *goredis.DurationCmd
	_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		raws = p.LRange(ctx, s.chatKey("out", chat), 0, -1)
		hold = p.PTTL(ctx, s.chatKey("hold", chat))
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, 0, fmt.Errorf("read outbox: %w", err)
	}
	out := make([]Queued, 0, len(raws.Val()))
	for _, raw := range raws.Val() {
		q := Queued{raw: raw}
		if err := json.Unmarshal([]byte(raw), &q.Reply); err != nil {
			return nil, 0, fmt.Errorf("decode outbox: %w", err)
		}
		out = append(out, q)
	}
	return out, max(hold.Val(), 0), nil
}

// Hold keeps every sender off chat for d: the platform asked us to wait.
func (s *Store) Hold(ctx context.Context, chat flows.ChatRef, d time.Duration) error {
	if err := s.rdb.Set(ctx, s.chatKey("hold", chat), "1", d).Err(); err != nil {
		return fmt.Errorf("hold outbox: %w", err)
	}
	return nil
}

var sent = goredis.NewScript(`
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return redis.error_reply("LOCKLOST") end
redis.call("LREM", KEYS[2], 1, ARGV[2])
return 1`)

// Sent removes q, sent (or said by a later reply), from chat's outbox,
// while l is still held: a replica that lost the chat must not remove what
// another now sends.
func (s *Store) Sent(ctx context.Context, l *Lock, chat flows.ChatRef, q Queued) error {
	err := sent.Run(ctx, s.rdb, []string{l.key, s.chatKey("out", chat)}, l.token, q.raw).Err()
	if err != nil && strings.Contains(err.Error(), "LOCKLOST") {
		return ErrLockLost
	}
	if err != nil {
		return fmt.Errorf("pop outbox: %w", err)
	}
	return nil
}

var settle = goredis.NewScript(`
if redis.call("LLEN", KEYS[1]) == 0 then return redis.call("ZREM", KEYS[2], KEYS[1]) end
redis.call("ZADD", KEYS[2], ARGV[1], KEYS[1])
return 0`)

// Retry marks chat's outbox due again at when, unless it is empty.
func (s *Store) Retry(ctx context.Context, chat flows.ChatRef, when time.Time) error {
	err := settle.Run(ctx, s.rdb, []string{s.chatKey("out", chat), s.prefix + "due"}, when.UnixMilli()).Err()
	if err != nil {
		return fmt.Errorf("settle outbox: %w", err)
	}
	return nil
}

// Waiting counts the chats with replies still to send.
func (s *Store) Waiting(ctx context.Context) (int64, error) {
	return s.rdb.ZCard(ctx, s.prefix+"due").Result()
}

// Due lists chats whose outbox should be sent by now, at most limit.
func (s *Store) Due(ctx context.Context, now time.Time, limit int64) ([]flows.ChatRef, error) {
	keys, err := s.rdb.ZRangeArgs(ctx, goredis.ZRangeArgs{
		Key: s.prefix + "due", ByScore: true, Start: "-inf", Stop: now.UnixMilli(), Count: limit,
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("due outboxes: %w", err)
	}
	chats := make([]flows.ChatRef, 0, len(keys))
	for _, k := range keys {
		channel, chat, ok := strings.Cut(strings.TrimPrefix(k, s.prefix+"out:"), ":")
		if ok {
			chats = append(chats, flows.ChatRef{Channel: flows.Channel(channel), ChatID: chat})
		}
	}
	return chats, nil
}

func token() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// SetLogger sends go-redis's own messages (dial failures and the like) to
// log, at warn level, instead of the standard logger. go-redis keeps one
// logger per process, so the first call wins.
func SetLogger(log zerolog.Logger) {
	setLogger.Do(func() { goredis.SetLogger(redisLog{log}) })
}

var setLogger sync.Once

type redisLog struct{ log zerolog.Logger }

func (l redisLog) Printf(_ context.Context, format string, v ...any) {
	l.log.Warn().Str("component", "go-redis").Msgf(format, v...)
}
