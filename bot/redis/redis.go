// Package redis keeps conversation state in Redis: one hash per chat holds
// the conversation, the update ids already handled, the replies still to
// send and who is sending them. It holds Redis commands only; what the state
// means is the flows' business.
//
// The hot path is three calls of eight commands in all: HGETALL the chat;
// one script that checks the chat's version, writes the new state and
// replies and takes the send lease; one script that removes what was sent
// and frees the lease. Concurrent updates' calls share round trips (the
// client's automatic pipelining). Concurrent updates of one chat, on any
// replica, are serialised by the version check: the loser reads again and
// redoes its step.
//
// The keys work on one Redis and on a Redis Cluster alike: a chat's hash,
// and the due and held sets its scripts touch with it, share the hash tag of
// the chat's shard ({0}…{63}), so that each script runs in one slot (on a
// single Redis one due set and one held set, {0}'s, serve every shard). A
// reply to a chat of another shard cannot be written by the same script on
// a cluster: the commit keeps it in the chat's own hash ("r:" fields) and
// forwards it right after, once (a marker in the receiving shard), and the
// sweeper finishes a forward a stopped replica left. Forwards go in commit
// order: those a failed write left go before the next commit's own.
package redis

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	// go-json: every update decodes and encodes its chat's state and
	// replies, which took a tenth of the service's CPU with encoding/json.
	json "github.com/goccy/go-json"
	goredis "github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/flows"
)

// Store is the Redis side of the bot. All keys start with Prefix, so tests
// and deployments can share one Redis; a prefix holds no braces (they would
// make the hash tag).
type Store struct {
	rdb goredis.UniversalClient
	// hot runs the commands of the update path: rdb's autopipeliner.
	hot     hotClient
	prefix  string
	cluster bool // keys of different shards never meet in one script
	dueSets int  // shards on a cluster; on one Redis one set serves them all

	// Lease bounds how long a replica that stopped mid-send keeps a chat's
	// replies from the others.
	Lease time.Duration
	// TTL is how long an untouched chat is kept; the router decides, with a
	// shorter TTL, when a conversation has expired, so that the user is told.
	TTL time.Duration
	// Seen is how many handled update ids a chat remembers, to drop
	// redeliveries.
	Seen int
}

// New returns a store over rdb with keys under prefix.
func New(rdb goredis.UniversalClient, prefix string) *Store {
	_, cluster := rdb.(*goredis.ClusterClient)
	dueSets := 1 // the sweeper reads one set, not 64
	if cluster {
		dueSets = shards
	}
	return &Store{rdb: rdb, hot: autoPipeline(rdb), prefix: prefix, cluster: cluster, dueSets: dueSets, Lease: 15 * time.Second, TTL: 30 * 24 * time.Hour, Seen: 64}
}

// Open connects to a redis:// or rediss:// URL or, when clusterAddrs
// (host:port, comma-separated) is set, to the Redis Cluster they belong to,
// with the URL's user, password and TLS.
func Open(ctx context.Context, url, clusterAddrs string) (goredis.UniversalClient, error) {
	opt, err := goredis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse REDIS_URL: %w", err)
	}
	var rdb goredis.UniversalClient
	if clusterAddrs == "" {
		rdb = goredis.NewClient(opt)
	} else {
		var tlsConf *tls.Config
		if opt.TLSConfig != nil {
			tlsConf = &tls.Config{MinVersion: opt.TLSConfig.MinVersion} // the URL's host is no cluster node's name
		}
		rdb = goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: strings.Split(clusterAddrs, ","),
			Username: opt.Username, Password: opt.Password, TLSConfig: tlsConf})
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("ping redis: %w", err)
	}
	return rdb, nil
}

// hotClient is what the update path needs of a client.
type hotClient interface {
	goredis.Scripter
	HGetAll(ctx context.Context, key string) *goredis.MapStringStringCmd
	HMGet(ctx context.Context, key string, fields ...string) *goredis.SliceCmd
}

// autoPipeline is rdb's automatic pipeliner, or rdb itself for a client
// that has none: concurrent updates' commands then share one write and one
// read instead of a round trip each, which was a fifth of the service's CPU
// (system calls) and 25-35 % of the updates a second (sell load, 200 users).
func autoPipeline(rdb goredis.UniversalClient) hotClient {
	var ap *goredis.AutoPipeliner
	var err error
	switch c := rdb.(type) {
	case *goredis.Client:
		ap, err = c.AutoPipeline()
	case *goredis.ClusterClient:
		ap, err = c.AutoPipeline()
	default:
		return rdb
	}
	if err != nil { // only for options of our own, which we do not set
		return rdb
	}
	return ap
}

// Ping tells whether Redis answers.
func (s *Store) Ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }

// Errors of the chat hash's optimistic writes.
var (
	// ErrConflict: another update of the chat was committed since it was
	// read; read again and redo the step.
	ErrConflict = errors.New("chat changed concurrently")
	// ErrLeaseLost: the send lease ran out and another replica may be
	// sending; stop without removing anything.
	ErrLeaseLost = errors.New("chat send lease lost")
)

// Fields of a chat's hash.
const (
	// bumped by every committed update, and by a sender keeping a reply
	// with what went of it: a handler's read from before would send it whole
	fVersion = "v"
	fState   = "s"  // State as JSON
	fSeq     = "n"  // the last outbox sequence number given
	fToken   = "lt" // the send lease's holder
	fUntil   = "lu" // and when it ends (unix ms)
	fHold    = "h"  // no send before (unix ms): the platform asked us to wait, or a send failed
	fFails   = "f"  // sends failed in a row, for the backoff
	fExpiry  = "x"  // when the key's TTL was last set (unix ms)
	// how many forwards wait in "r:" fields (used by the scripts too)
	fForwards = "fw"
	// "p", used by the scripts only: a group's gap. Nothing is sent before
	// it (unix ms), though nothing may be waiting now, by the sweeper,
	// another chat's update or the group's own: a command's answer waits
	// its turn behind the posts queued before it.
	// "m", used by the scripts only: the due set holds the chat until then
	// at least (unix ms), so most commits need no ZADD.
	// "b", used by the scripts only: no reply below this sequence number
	// waits any more, so that a sender reads a long outbox from its head.
	fThrough = "#through" // in a sender's read of a long outbox, never stored: the last sequence number read
	outField = "o:"       // + sequence number: a reply waiting to be sent
)

// State is a chat's conversation, as the engine keeps it.
type State struct {
	Session *flows.Session `json:"session,omitempty"`
	// User is the private chat's user as last read from PostgreSQL, so that
	// a step that needs no SQL runs none.
	User   *flows.User `json:"user,omitempty"`
	UserAt time.Time   `json:"user_at,omitzero"`
	Seen   Seen        `json:"seen_ids,omitempty"` // update ids handled, newest last
	// SeenList is where Seen was stored before it was one string: read,
	// never written. A key of its own, so that a version from before reads
	// today's states (a rollback) with its session, ignoring seen_ids.
	SeenList []string `json:"seen,omitempty"`
	// Window and InWindow count a private chat's updates in the minute
	// begun at Window, for the message rate limit: kept in the hash the
	// update reads and writes anyway, so that the limit costs no round trip.
	Window   time.Time `json:"window,omitzero"`
	InWindow int       `json:"in_window,omitempty"`
	// ProtectedTold is when the chat was last told that the platform
	// withholds its messages (flows.KindProtected): at most once a day,
	// kept here for the same reason as Window, and gone with the chat.
	ProtectedTold time.Time `json:"protected_told,omitzero"`
}

// Chat is one read of a chat's hash.
type Chat struct {
	Ref     flows.ChatRef
	version int64
	seq     int64
	expiry  time.Time
	// through: Out holds the replies up to this sequence number only (a
	// sender's read of a long outbox); 0: all of them.
	through int64

	State State
	// StateErr: the stored state could not be decoded; State is empty.
	StateErr error
	Out      []Queued // replies waiting, in the order they were queued
	// Bad are outbox entries that could not be decoded, by field.
	Bad map[string]string
	// stranded are forwards an earlier commit left (their write failed):
	// the next commit sends them before its own, to keep the order.
	stranded []forward

	Lease     string    // who sends now, if anyone
	LeaseEnds time.Time //
	Hold      time.Time // nothing is sent before
	Fails     int       // sends failed in a row
}

// Seen tells whether update id was handled already.
func (c *Chat) Seen(id string) bool { return c.State.Seen.Has(id) }

// Seen are the ids of the updates a chat handled last, oldest first, in one
// string, separated by spaces: every update decodes and encodes them, and
// one string costs a twentieth of a list of 64 (allocations, GC).
type Seen string

// seenID is id as Seen holds it: no id has spaces (Telegram's are numbers,
// Zalo's and the web's tokens), but one that had would read as several.
func seenID(id string) string { return strings.ReplaceAll(id, " ", "_") }

// Has tells whether s holds id. An update without an id is never a repeat.
func (s Seen) Has(id string) bool {
	if s == "" || id == "" {
		return false
	}
	id = seenID(id)
	for f := range strings.SplitSeq(string(s), " ") {
		if f == id {
			return true
		}
	}
	return false
}

// Add is s with id, newest last.
func (s Seen) Add(id string) Seen {
	if id == "" {
		return s
	}
	if s == "" {
		return Seen(seenID(id))
	}
	return s + " " + Seen(seenID(id))
}

// Last is s's newest n ids.
func (s Seen) Last(n int) Seen {
	for extra := strings.Count(string(s), " ") + 1 - n; extra > 0; extra-- {
		s = s[strings.IndexByte(string(s), ' ')+1:]
	}
	return s
}

// Queued is a reply waiting in a chat's outbox.
type Queued struct {
	flows.Reply
	Seq int64
	Raw string // as stored, for the dead-letter list
}

// Field names q in its chat's hash.
func (q Queued) Field() string { return outField + strconv.FormatInt(q.Seq, 10) }

// shards is how many hash tags the chats spread over: enough for the slots
// of a cluster's masters to share the load (64 tags fall 21, 22 and 21 on
// three masters; 32 fell 13, 11 and 8), few enough for the sweeper to read
// every due set at each sweep.
const shards = 64

// shard is chat's shard, which its keys' hash tag names.
func shard(chat flows.ChatRef) int {
	h := fnv.New32a()
	h.Write([]byte(chat.Channel))
	h.Write([]byte{':'})
	h.Write([]byte(chat.ChatID))
	return int(h.Sum32() % shards)
}

// tag begins every key of shard n.
func (s *Store) tag(n int) string { return s.prefix + "{" + strconv.Itoa(n) + "}" }

func (s *Store) chatKey(c flows.ChatRef) string { return ChatKey(s.prefix, c) }

// ChatKey is the key of chat's hash in a store under prefix, for tests and
// tools that look at it from outside.
func ChatKey(prefix string, chat flows.ChatRef) string {
	return prefix + "{" + strconv.Itoa(shard(chat)) + "}chat:" + string(chat.Channel) + ":" + chat.ChatID
}

// DueKey is the due set chat is marked in.
func (s *Store) DueKey(chat flows.ChatRef) string { return s.dueKey(shard(chat)) }

// dueKey is the set of shard n's chats whose outbox the sweeper looks at,
// by when.
func (s *Store) dueKey(n int) string { return s.tag(n%s.dueSets) + "due" }

// heldKey is the set of shard n's chats the platform holds back: failing,
// or rate-limiting us.
func (s *Store) heldKey(n int) string { return s.tag(n%s.dueSets) + "held" }

// keyTag is the tag a key of this store begins with.
func keyTag(key string) string { return key[:strings.IndexByte(key, '}')+1] }

// Load reads chat's hash in one command, for an update of a private chat,
// whose outbox is short.
func (s *Store) Load(ctx context.Context, chat flows.ChatRef) (*Chat, error) {
	h, err := s.hot.HGetAll(ctx, s.chatKey(chat)).Result()
	if err != nil {
		return nil, fmt.Errorf("load chat: %w", err)
	}
	return decodeChat(chat, h), nil
}

// LoadHead reads chat's hash for an update, as Load, but only the head of a
// long outbox (headLua), as its sender does: a market group's posts can
// wait by the thousand for its gap, and every command or button pressed in
// it would read and decode them all. Its commit then leaves the outbox to
// be read again by its sender.
func (s *Store) LoadHead(ctx context.Context, chat flows.ChatRef) (*Chat, error) {
	res, err := loadHead.Run(ctx, s.hot, []string{s.chatKey(chat)}).Result()
	if err != nil {
		return nil, fmt.Errorf("load chat: %w", err)
	}
	return decodeChat(chat, flat(res)), nil
}

// loadHead reads the head of a chat's hash (headLua). KEYS: chat.
var loadHead = goredis.NewScript(headLua + `
return head(KEYS[1])`)

func decodeChat(ref flows.ChatRef, h map[string]string) *Chat {
	c := &Chat{Ref: ref}
	num := func(f string) int64 {
		v := h[f]
		if v == "" { // most fields are absent: ParseInt's error would cost two allocations each
			return 0
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	c.version, c.seq, c.Fails, c.through = num(fVersion), num(fSeq), int(num(fFails)), num(fThrough)
	c.Lease = h[fToken]
	if ms := num(fUntil); ms > 0 {
		c.LeaseEnds = time.UnixMilli(ms)
	}
	if ms := num(fHold); ms > 0 {
		c.Hold = time.UnixMilli(ms)
	}
	if ms := num(fExpiry); ms > 0 {
		c.expiry = time.UnixMilli(ms)
	}
	if raw := h[fState]; raw != "" {
		c.State, c.StateErr = decodeState(raw)
	}
	for f, raw := range h {
		n, ok := strings.CutPrefix(f, outField)
		if !ok {
			continue
		}
		q := Queued{Raw: raw}
		q.Seq, _ = strconv.ParseInt(n, 10, 64)
		if err := json.Unmarshal([]byte(raw), &q.Reply); err != nil || q.Seq == 0 {
			if c.Bad == nil {
				c.Bad = map[string]string{}
			}
			c.Bad[f] = raw
			continue
		}
		c.Out = append(c.Out, q)
	}
	slices.SortFunc(c.Out, func(a, b Queued) int { return int(a.Seq - b.Seq) })
	if h[fForwards] != "" {
		c.stranded = forwards(h)
	}
	return c
}

func decodeState(raw string) (State, error) {
	var st State
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return State{}, fmt.Errorf("decode chat state: %w", err)
	}
	for _, id := range st.SeenList {
		st.Seen = st.Seen.Add(id)
	}
	st.SeenList = nil
	return st, nil
}

// Leased is a held send lease: only its holder sends a chat's replies, so
// they go out once and in order.
type Leased struct {
	Chat  flows.ChatRef
	token string
	Ends  time.Time
	// Out are the replies to send, oldest first.
	Out []Queued
	// Fails counts the sends that failed in a row before this lease.
	Fails int
	// Bad are outbox entries that could not be decoded, by field: the
	// sender sets them aside.
	Bad map[string]string
	// held: the chat was held back before; a send that goes through ends it.
	held bool
	// known is the last sequence number whose reply is in Out (or sent).
	known int64
	// read is the chat's last sequence number when Out was read: beyond
	// known when Out is the head of a long outbox.
	read int64
}

// take fills l with c's outbox, as read for a sender.
func (l *Leased) take(c *Chat) {
	l.Out, l.Fails, l.Bad, l.held = c.Out, c.Fails, c.Bad, !c.Hold.IsZero()
	l.known, l.read = c.seq, c.seq
	if c.through > 0 {
		l.known = c.through
	}
}

// Committed is the outcome of Commit.
type Committed struct {
	// Lease is set when this update is to send the chat's replies; nil when
	// another is sending (it sends these too) or the chat is on hold.
	Lease *Leased
	// Busy: another sender holds the chat and sends these replies too; the
	// last of them is Last.
	Busy bool
	Last Queued
	// Unforwarded: the replies to chats of other slots of a cluster are
	// committed but not queued yet; the sweeper queues them.
	Unforwarded error
}

// commit writes an update's outcome if the chat is still at the version
// read: its state, its replies to the chat itself (taking the send lease
// when it is free) and to other chats of its slot, each chat marked due for
// the sweeper should this replica stop before sending; replies to chats of
// other slots are kept as forwards. KEYS: chat, due, then the other chats.
// ARGV: version, state, now, lease end, token, refresh ttl (ms, or 0), n own
// replies, ttl, n forwards, the own replies, each other reply and when it is
// due, each forward's field and value, then the outbox fields the reader
// saw (to learn which were sent since).
var commit = goredis.NewScript(`
local nown, nother, nfwd = tonumber(ARGV[7]), #KEYS - 2, tonumber(ARGV[9])
local fwd = 9 + nown + 2 * nother
local seen = {}
for i = fwd + 2 * nfwd + 1, #ARGV do seen[#seen + 1] = ARGV[i] end
local st = redis.call("HMGET", KEYS[1], "v", "n", "lt", "lu", "h", "m", "p", unpack(seen))
if (st[1] or "0") ~= ARGV[1] then
  -- this very commit, run again (a batch the client replayed): its lease
  -- is taken; the sender reads the outbox again
  if st[3] == ARGV[5] then return {1, 1, -1} end
  return {-1}
end
local seq = tonumber(st[2] or "0")
local before = seq
local f = {"v", tonumber(ARGV[1]) + 1, "s", ARGV[2]}
for i = 1, nown do
  seq = seq + 1
  f[#f + 1] = "o:" .. seq
  f[#f + 1] = ARGV[9 + i]
end
f[#f + 1] = "n"
f[#f + 1] = seq
for i = fwd + 1, fwd + 2 * nfwd do f[#f + 1] = ARGV[i] end
local now = tonumber(ARGV[3])
local out = {1, 0, before}
local pending = seq > before
for i = 1, #seen do
  if st[7 + i] == false then out[#out + 1] = seen[i] else pending = true end
end
-- a group's gap ("p") keeps this update's replies waiting as it keeps
-- the sweeper's: the outbox goes in order, one gap apart
local hold = math.max(tonumber(st[5] or "0"), tonumber(st[7] or "0"))
local mark = false
if pending and (not st[3] or st[3] == "" or tonumber(st[4] or "0") < now) and hold <= now then
  out[2] = 1
  f[#f + 1] = "lt"; f[#f + 1] = ARGV[5]
  f[#f + 1] = "lu"; f[#f + 1] = ARGV[4]
  -- the due set holds the chat until m; renewed when half the lease is left
  mark = tonumber(st[6] or "0") < now + (tonumber(ARGV[4]) - now) / 2
  if mark then f[#f + 1] = "m"; f[#f + 1] = ARGV[4] end
end
if ARGV[6] ~= "0" then
  f[#f + 1] = "x"; f[#f + 1] = ARGV[3]
end
redis.call("HSET", KEYS[1], unpack(f))
if ARGV[6] ~= "0" then redis.call("PEXPIRE", KEYS[1], ARGV[6]) end
if mark then
  -- for the sweeper, should this sender stop before it finishes
  redis.call("ZADD", KEYS[2], "GT", ARGV[4], KEYS[1])
elseif pending and out[2] == 1 then
  -- marked already, until at least half a lease from now
elseif pending and hold > now then
  redis.call("ZADD", KEYS[2], hold, KEYS[1])
elseif pending then
  out[2] = 2
  redis.call("ZADD", KEYS[2], "GT", st[4], KEYS[1]) -- the sender finds these
end
if nfwd > 0 then
  -- the sweeper forwards them should this replica stop first
  redis.call("HINCRBY", KEYS[1], "fw", nfwd)
  redis.call("ZADD", KEYS[2], "LT", ARGV[4], KEYS[1])
end
for i = 1, nother do
  local k, at = KEYS[2 + i], fwd - 2 * nother + 2 * i - 1
  local n = redis.call("HINCRBY", k, "n", 1)
  redis.call("HSET", k, "o:" .. n, ARGV[at])
  redis.call("PEXPIRE", k, ARGV[8])
  redis.call("ZADD", KEYS[2], "LT", ARGV[at + 1], k)
end
return out`)

// forward is a reply to a chat of another slot, kept in the committing
// chat's hash until it is queued in its own chat's outbox.
type forward struct {
	// in the committing chat's hash: "r:", the chat's version and the
	// reply's index (so fields sort in commit order), a unique token
	field string
	Key   string `json:"k"` // the receiving chat's key
	Due   int64  `json:"d"` // unix ms
	Reply string `json:"r"` // as stored in an outbox
}

// Commit stores the outcome of an update read as c: the chat's new state and
// the replies, to the chat itself and to others, all or nothing. It returns
// ErrConflict when the chat changed since c was read.
func (s *Store) Commit(ctx context.Context, c *Chat, st State, replies []flows.Reply, now time.Time) (Committed, error) {
	done, fwds, err := s.commit(ctx, c, st, replies, now)
	if err == nil && len(c.stranded)+len(fwds) > 0 {
		// the forwards a failed write left first: a chat receives in the
		// order they were committed
		done.Unforwarded = s.forward(ctx, c.Ref, append(slices.Clip(c.stranded), fwds...))
	}
	return done, err
}

func (s *Store) commit(ctx context.Context, c *Chat, st State, replies []flows.Reply, now time.Time) (Committed, []forward, error) {
	st.Seen = st.Seen.Last(s.Seen)
	state, err := json.Marshal(st)
	if err != nil {
		return Committed{}, nil, fmt.Errorf("encode chat state: %w", err)
	}
	l := &Leased{Chat: c.Ref, token: token(), Ends: now.Add(s.Lease), Fails: c.Fails, Bad: c.Bad, held: !c.Hold.IsZero()}
	home := shard(c.Ref)
	keys := []string{s.chatKey(c.Ref), s.dueKey(home)}
	args := []any{c.version, state, now.UnixMilli(), l.Ends.UnixMilli(), l.token, s.refresh(c, now), 0, s.TTL.Milliseconds(), 0}
	var own []Queued
	var others []any
	var fwds []forward
	for _, r := range replies {
		b, err := encodeReply(r, now)
		if err != nil {
			return Committed{}, nil, err
		}
		if r.To != c.Ref && s.cluster && shard(r.To) != home {
			f := forward{field: fmt.Sprintf("r:%012d:%03d:%s", c.version+1, len(fwds), l.token), Key: s.chatKey(r.To), Due: now.Add(r.Delay).UnixMilli(), Reply: b}
			fwds = append(fwds, f)
			continue
		}
		if r.To != c.Ref {
			keys = append(keys, s.chatKey(r.To))
			others = append(others, b, now.Add(r.Delay).UnixMilli())
			continue
		}
		q := Queued{Raw: b}
		if err := json.Unmarshal([]byte(b), &q.Reply); err != nil { // with DueAt, as stored
			return Committed{}, nil, fmt.Errorf("decode reply: %w", err)
		}
		own = append(own, q)
		args = append(args, b)
	}
	args[6], args[8] = len(own), len(fwds)
	args = append(args, others...)
	for _, f := range fwds {
		v, err := json.Marshal(f)
		if err != nil {
			return Committed{}, nil, fmt.Errorf("encode forward: %w", err)
		}
		args = append(args, f.field, v)
	}
	// The outbox as read, to learn what of it was sent since: its head only
	// in a long one (a group's can hold thousands, more than a script takes
	// as arguments), whose sender then reads it again.
	head := c.Out[:min(len(c.Out), commitHead)]
	for _, q := range head {
		args = append(args, q.Field())
	}
	res, err := commit.Run(ctx, s.hot, keys, args...).Slice()
	if err != nil {
		return Committed{}, nil, errors.Join(fmt.Errorf("commit chat: %w", err), s.Release(ctx, l, now))
	}
	if res[0].(int64) != 1 {
		return Committed{}, nil, ErrConflict
	}
	before := res[2].(int64)
	switch res[1].(int64) {
	case 0:
		return Committed{}, fwds, nil
	case 2:
		last := Queued{Seq: before + int64(len(own))}
		return Committed{Busy: len(own) > 0, Last: last}, fwds, nil
	}
	if before != c.seq || len(head) < len(c.Out) || c.through > 0 && c.through < c.seq {
		// Others queued replies for this chat since it was read (or the
		// commit was replayed: -1), or only the head was read or checked:
		// the sender reads the outbox again before sending.
		l.known = -1
		return Committed{Lease: l}, fwds, nil
	}
	gone := map[string]bool{}
	for _, f := range res[3:] {
		gone[f.(string)] = true
	}
	for _, q := range head {
		if !gone[q.Field()] {
			l.Out = append(l.Out, q)
		}
	}
	for i := range own {
		own[i].Seq = before + int64(i) + 1
	}
	l.Out = append(l.Out, own...)
	l.known = before + int64(len(own))
	return Committed{Lease: l}, fwds, nil
}

// commitHead is how many replies of the outbox as read a commit checks:
// Redis's Lua unpacks no more than about 8,000 values.
const commitHead = 256

// forwardTTL is how long a forward's marker keeps it from being queued
// twice: far longer than a sweeper takes to finish a stopped forward.
const forwardTTL = 24 * time.Hour

// unforward drops forwards done from a chat's hash and counts them off.
// KEYS: chat. ARGV: the forwards' fields.
var unforward = goredis.NewScript(`
local n = redis.call("HDEL", KEYS[1], unpack(ARGV))
if n > 0 and redis.call("HINCRBY", KEYS[1], "fw", -n) <= 0 then redis.call("HDEL", KEYS[1], "fw") end
return n`)

// forward queues fwds in their chats' outboxes, each once whoever forwards
// it (the committing replica, or a sweeper after it stopped), then drops
// them from chat's hash.
func (s *Store) forward(ctx context.Context, chat flows.ChatRef, fwds []forward) error {
	var fields []any
	var err error
	for _, f := range fwds {
		tag := keyTag(f.Key)
		err = enqueue.Run(ctx, s.rdb, []string{tag + "fw:" + f.field[2:], f.Key, tag + "due"},
			forwardTTL.Milliseconds(), s.TTL.Milliseconds(), f.Reply, f.Due).Err()
		if err != nil {
			break
		}
		fields = append(fields, f.field)
	}
	if len(fields) > 0 {
		err = errors.Join(err, unforward.Run(ctx, s.rdb, []string{s.chatKey(chat)}, fields...).Err())
	}
	if err != nil {
		return fmt.Errorf("forward replies: %w", err)
	}
	return nil
}

// forwards are the forwards left in a chat's hash, in the order they were
// committed (their fields sort so).
func forwards(h map[string]string) []forward {
	var out []forward
	for field, raw := range h {
		if !strings.HasPrefix(field, "r:") {
			continue
		}
		f := forward{field: field}
		if json.Unmarshal([]byte(raw), &f) == nil && strings.Contains(f.Key, "}") {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b forward) int { return strings.Compare(a.field, b.field) })
	return out
}

// refresh is the TTL to set on c's key, or 0 when it was set recently:
// most updates then need no PEXPIRE.
func (s *Store) refresh(c *Chat, now time.Time) int64 {
	if now.Sub(c.expiry) < s.TTL/30 {
		return 0
	}
	return s.TTL.Milliseconds()
}

func encodeReply(r flows.Reply, now time.Time) (string, error) {
	if r.Delay > 0 && r.DueAt.IsZero() {
		r.DueAt = now.Add(r.Delay)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("encode reply: %w", err)
	}
	return string(b), nil
}

// Pending tells whether q still waits in chat's outbox to be sent soon:
// false once it is sent, or when the chat is held back until later.
func (s *Store) Pending(ctx context.Context, chat flows.ChatRef, q Queued, now time.Time) (bool, error) {
	vals, err := s.hot.HMGet(ctx, s.chatKey(chat), q.Field(), fHold).Result()
	if err != nil {
		return false, fmt.Errorf("look up outbox: %w", err)
	}
	hold, _ := vals[1].(string)
	ms, _ := strconv.ParseInt(hold, 10, 64)
	return vals[0] != nil && ms <= now.UnixMilli(), nil
}

// Stale tells whether l's outbox must be read again before sending: others
// queued replies that l does not hold.
func (l *Leased) Stale() bool { return l.known < 0 }

// headLua reads a chat's hash for a sender: the whole hash while it is
// small (64 fields at most); else its bookkeeping, its state and the first
// 32 replies of its outbox that are not delayed, with the delayed ones
// among them (256 replies at most), and "#through", the last sequence
// number read. A market
// group whose posts wait for its gap can hold thousands: reading and
// decoding them all at each send made each send cost more as they piled up
// (the soak's memory). The reading starts at "b", below which no reply
// waits, and moves it on.
const headLua = `
local function head(key)
  local st = redis.call("HMGET", key, "v", "n", "lt", "lu", "h", "f", "x", "b", "fw", "s")
  if redis.call("HLEN", key) <= 64 or tonumber(st[9] or "0") > 0 then
    return redis.call("HGETALL", key) -- short, or forwards to finish
  end
  local out = {}
  for i, f in ipairs({"v", "n", "lt", "lu", "h", "f", "x"}) do
    if st[i] then out[#out + 1] = f; out[#out + 1] = st[i] end
  end
  if st[10] then out[#out + 1] = "s"; out[#out + 1] = st[10] end
  local last, from = tonumber(st[2] or "0"), math.max(tonumber(st[8] or "1"), 1)
  local first, found, read, through, full = nil, 0, 0, last, false
  while from <= last and not full do
    local fields = {}
    for n = from, math.min(from + 63, last) do fields[#fields + 1] = "o:" .. n end
    local got = redis.call("HMGET", key, unpack(fields))
    for i = 1, #got do
      if got[i] then
        if found >= 32 or read >= 256 then full = true; break end
        first = first or from + i - 1
        read = read + 1
        -- a delayed reply (an order announcement waiting for others to
        -- coalesce with) does not fill the head: what is queued behind it
        -- does not wait for it
        if not string.find(got[i], '"due_at":', 1, true) then found = found + 1 end
        through = from + i - 1
        out[#out + 1] = fields[i]; out[#out + 1] = got[i]
      end
    end
    from = from + #fields
  end
  if not full then through = last end
  local b = first or last + 1
  if b ~= tonumber(st[8] or "0") then redis.call("HSET", key, "b", b) end
  out[#out + 1] = "` + fThrough + `"; out[#out + 1] = through
  return out
end
`

// claim takes chat's send lease if it is free and nothing holds the chat,
// and returns its head (headLua). A busy chat is marked due when it is free
// again, unless a later time is set: here, in the same step as the look,
// for a sender that finishes right after sets the time itself (its group's
// gap), and a separate write would put it back to the old lease's end.
// When the chat has forwards left, it returns the hash even when busy, so
// that they are not held up. KEYS: chat, due. ARGV: now, lease end, token.
var claim = goredis.NewScript(headLua + `
local st = redis.call("HMGET", KEYS[1], "lt", "lu", "h", "p", "fw")
local now = tonumber(ARGV[1])
local function busy(at)
  local due = redis.call("ZSCORE", KEYS[2], KEYS[1])
  if not due or tonumber(due) <= now then redis.call("ZADD", KEYS[2], at, KEYS[1]) end
  if tonumber(st[5] or "0") > 0 then return {0, at, redis.call("HGETALL", KEYS[1])} end
  return {0, at}
end
if st[1] == ARGV[3] then return {1, head(KEYS[1])} end -- this claim, run again (a replayed batch)
if st[1] and st[1] ~= "" and tonumber(st[2] or "0") >= now then return busy(st[2]) end
if tonumber(st[3] or "0") > now then return busy(st[3]) end
if tonumber(st[4] or "0") > now then return busy(st[4]) end
redis.call("HSET", KEYS[1], "lt", ARGV[3], "lu", ARGV[2])
return {1, head(KEYS[1])}`)

// reload reads the head (headLua) of a chat whose send lease ARGV[1]
// holds, or nothing when it is not the holder. KEYS: chat.
var reload = goredis.NewScript(headLua + `
if redis.call("HGET", KEYS[1], "lt") ~= ARGV[1] then return false end
return head(KEYS[1])`)

// flat makes a map of a script's HGETALL-shaped answer.
func flat(v any) map[string]string {
	fields, _ := v.([]any)
	h := make(map[string]string, len(fields)/2)
	for i := 0; i+1 < len(fields); i += 2 {
		k, _ := fields[i].(string)
		switch v := fields[i+1].(type) {
		case string:
			h[k] = v
		case int64:
			h[k] = strconv.FormatInt(v, 10)
		}
	}
	return h
}

// Claim takes chat's send lease for a sender outside an update (the
// sweeper, the replies of another chat's update). It tries once: when the
// chat is busy or on hold it returns a nil lease and when it is free (the
// sweeper looks again then). It finishes the forwards a stopped replica
// left in the chat.
func (s *Store) Claim(ctx context.Context, chat flows.ChatRef, now time.Time) (*Leased, *Chat, time.Time, error) {
	l := &Leased{Chat: chat, token: token(), Ends: now.Add(s.Lease)}
	res, err := claim.Run(ctx, s.hot, []string{s.chatKey(chat), s.DueKey(chat)}, now.UnixMilli(), l.Ends.UnixMilli(), l.token).Slice()
	if err != nil {
		return nil, nil, time.Time{}, errors.Join(fmt.Errorf("claim chat: %w", err), s.Release(ctx, l, now))
	}
	var h map[string]string
	if _, ok := res[len(res)-1].([]any); ok {
		h = flat(res[len(res)-1])
		if fwds := forwards(h); len(fwds) > 0 {
			if err := s.forward(ctx, chat, fwds); err != nil {
				// a lease the claim took is let go: the chat's replies
				// need not wait for it to run out
				return nil, nil, time.Time{}, errors.Join(err, s.Release(ctx, l, now))
			}
		}
	}
	if res[0].(int64) != 1 {
		ms, _ := strconv.ParseInt(res[1].(string), 10, 64)
		return nil, nil, time.UnixMilli(ms), nil
	}
	c := decodeChat(chat, h)
	l.take(c)
	return l, c, time.Time{}, nil
}

// Reload reads l's chat again under the lease (its head, as Claim does),
// when l is Stale or Finish said more came.
func (s *Store) Reload(ctx context.Context, l *Leased) (*Chat, error) {
	res, err := reload.Run(ctx, s.hot, []string{s.chatKey(l.Chat)}, l.token).Result()
	switch {
	case errors.Is(err, goredis.Nil):
		return nil, ErrLeaseLost
	case err != nil:
		return nil, fmt.Errorf("reload chat: %w", err)
	}
	c := decodeChat(l.Chat, flat(res))
	l.take(c)
	return c, nil
}

var extend = goredis.NewScript(`
if redis.call("HGET", KEYS[1], "lt") ~= ARGV[1] then return 0 end
redis.call("HSET", KEYS[1], "lu", ARGV[2])
return 1`)

// Extend renews l before a send that could outlast it.
func (s *Store) Extend(ctx context.Context, l *Leased, now time.Time) error {
	ends := now.Add(s.Lease)
	n, err := extend.Run(ctx, s.hot, []string{s.chatKey(l.Chat)}, l.token, ends.UnixMilli()).Int()
	if err != nil {
		return fmt.Errorf("extend lease: %w", err)
	}
	if n == 0 {
		return ErrLeaseLost
	}
	l.Ends = ends
	return nil
}

// release gives up l's lease and marks the chat due now, if l still holds
// it. KEYS: chat, due. ARGV: token, now.
var release = goredis.NewScript(`
if redis.call("HGET", KEYS[1], "lt") ~= ARGV[1] then return 0 end
redis.call("HDEL", KEYS[1], "lt", "lu")
redis.call("ZADD", KEYS[2], "LT", ARGV[2], KEYS[1])
return 1`)

// Release gives up l when its sender stops without finishing (an error, a
// shutdown), and the lease a commit or claim may have taken though its
// answer was lost: the sweeper takes the chat at once, not when the lease
// runs out. What was sent and not recorded is sent again, as it would be
// then. One short try, even when ctx ended, on the plain client: the
// autopipeliner's batch may be what just failed, and Redis may be down.
func (s *Store) Release(ctx context.Context, l *Leased, now time.Time) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := release.Run(ctx, s.rdb, []string{s.chatKey(l.Chat), s.DueKey(l.Chat)}, l.token, now.UnixMilli()).Err(); err != nil {
		return fmt.Errorf("release lease: %w", err)
	}
	return nil
}

// Finish says how a send under l went.
type Finish struct {
	Sent []Queued // sent, or said by a later reply, or dropped for good
	Dead []string // fields moved to the dead-letter list
	// Rewrite are replies kept with what changed while sending them (the
	// part of a reply that went before a send stopped).
	Rewrite []Queued
	// Next is when the chat's remaining replies are due (zero: none remain
	// that l knows of).
	Next time.Time
	// Hold keeps every sender off the chat until then: the platform asked
	// us to wait, or a send failed (Fails counts them).
	Hold  time.Time
	Fails int
	// Pace keeps every sender off the chat until then, when replies remain
	// (l's, or queued meanwhile): a group's gap between messages. Unlike
	// Hold it is no sign of trouble: the chat does not count as held back.
	// When none remain it still keeps the sweeper and other chats' updates
	// off (fPace): a burst queued a moment apart is paced too.
	Pace time.Time
	// Spent is the group's time the send used (its gap for each message
	// sent): the group's one budget, which broadcasts draw on too
	// (Throttle.TakeGroup), so a broadcast sent meanwhile pushes Pace on by
	// it rather than being overwritten.
	Spent time.Duration
	// Clean drops the chat from the due set when nothing remains; the hot
	// path leaves that to the sweeper to save a command.
	Clean bool
}

// finish removes what was sent and frees the lease, unless replies l does
// not know of came meanwhile (then it keeps the lease for them, unless the
// chat is held or paced). A rewritten reply bumps the chat's version (see
// fVersion). KEYS: chat, due, held. ARGV: token, known seq,
// lease end, next due (ms or 0), hold (ms or 0), fails, clean, was held,
// the number of replies to rewrite, pace (ms or 0), the group's time spent
// (ms), each rewritten reply's field and JSON, then the fields to remove.
var finish = goredis.NewScript(`
local st = redis.call("HMGET", KEYS[1], "lt", "n", "p")
if st[1] ~= ARGV[1] then return -1 end
local rw = tonumber(ARGV[9])
for i = 12, 11 + 2 * rw, 2 do redis.call("HSET", KEYS[1], ARGV[i], ARGV[i + 1]) end
if rw > 0 then redis.call("HINCRBY", KEYS[1], "v", 1) end
local del = {}
for i = 12 + 2 * rw, #ARGV do del[#del + 1] = ARGV[i] end
local hold, pace = tonumber(ARGV[5]), tonumber(ARGV[10])
-- one budget per group: a broadcast's turn taken while this sent (a later
-- "p" than the one this send began after) is not given back
if pace > 0 then
  pace = math.max(pace, tonumber(st[3] or "0") + tonumber(ARGV[11]))
  redis.call("HSET", KEYS[1], "p", pace)
end
local newer = tonumber(st[2] or "0") > tonumber(ARGV[2])
if not newer and ARGV[4] == "0" then pace = 0 end -- nothing waits for the gap
if hold > 0 then
  redis.call("HSET", KEYS[1], "h", ARGV[5], "f", ARGV[6])
  redis.call("ZADD", KEYS[2], hold, KEYS[1])
  redis.call("ZADD", KEYS[3], hold, KEYS[1])
else
  if ARGV[8] == "1" then
    del[#del + 1] = "f"
    if pace == 0 then del[#del + 1] = "h" end
    redis.call("ZREM", KEYS[3], KEYS[1])
  end
  if pace > 0 then redis.call("HSET", KEYS[1], "h", pace) end
end
if newer and hold == 0 and pace == 0 then
  redis.call("HSET", KEYS[1], "lu", ARGV[3])
  if #del > 0 then redis.call("HDEL", KEYS[1], unpack(del)) end
  return 1
end
local clean = hold == 0 and ARGV[4] == "0" and ARGV[7] == "1" and not newer
del[#del + 1] = "lt"
del[#del + 1] = "lu"
if clean then del[#del + 1] = "m" end
redis.call("HDEL", KEYS[1], unpack(del))
if hold > 0 then return 0 end
local nextAt = tonumber(ARGV[4])
if pace > 0 and (nextAt > 0 or newer) then redis.call("ZADD", KEYS[2], math.max(nextAt, pace), KEYS[1])
elseif nextAt > 0 then redis.call("ZADD", KEYS[2], nextAt, KEYS[1])
elseif clean then redis.call("ZREM", KEYS[2], KEYS[1]) end
return 0`)

// Finish records a send under l. more is true when replies l does not
// hold were queued meanwhile: l is kept, Reload and send them.
func (s *Store) Finish(ctx context.Context, l *Leased, f Finish) (more bool, err error) {
	ms := func(t time.Time) int64 {
		if t.IsZero() {
			return 0
		}
		return t.UnixMilli()
	}
	clean := "0"
	if f.Clean {
		clean = "1"
	}
	held := "0"
	if l.held && (len(f.Sent) > 0 || len(f.Dead) > 0) {
		held = "1" // a send went through, or the failing reply was set aside: the hold is over
	}
	known := l.known // replies beyond it are news: l's sender goes on with them
	if len(f.Sent) == 0 && len(f.Dead) == 0 && len(f.Rewrite) == 0 {
		// Nothing of the head went (all of it waits until later): the rest
		// is no news, or the sender would read the same head again at once.
		known = max(known, l.read)
	}
	args := []any{l.token, known, l.Ends.UnixMilli(), ms(f.Next), ms(f.Hold), f.Fails, clean, held, len(f.Rewrite), ms(f.Pace), f.Spent.Milliseconds()}
	for _, q := range f.Rewrite {
		raw, err := json.Marshal(q.Reply)
		if err != nil {
			return false, fmt.Errorf("encode reply: %w", err)
		}
		args = append(args, q.Field(), raw)
	}
	for _, q := range f.Sent {
		args = append(args, q.Field())
	}
	for _, d := range f.Dead {
		args = append(args, d)
	}
	n := shard(l.Chat)
	done, err := finish.Run(ctx, s.hot, []string{s.chatKey(l.Chat), s.dueKey(n), s.heldKey(n)}, args...).Int()
	switch {
	case err != nil:
		return false, fmt.Errorf("finish send: %w", err)
	case done < 0:
		return false, ErrLeaseLost
	}
	return done == 1, nil
}

// enqueue appends replies to chats' outboxes and marks them due, outside
// any update of those chats; with a marker, only once: the marker is set
// with them, and when it is set already nothing is appended. KEYS: marker,
// then each reply's chat and its due set, all of one slot on a cluster.
// ARGV: the marker's TTL (ms, 0 for no marker), the chats' TTL, then per
// reply its JSON and when it is due.
var enqueue = goredis.NewScript(`
if ARGV[1] ~= "0" and not redis.call("SET", KEYS[1], "1", "NX", "PX", ARGV[1]) then return 0 end
for i = 1, (#KEYS - 1) / 2 do
  local k = KEYS[2 * i]
  local seq = redis.call("HINCRBY", k, "n", 1)
  redis.call("HSET", k, "o:" .. seq, ARGV[1 + 2 * i])
  redis.call("PEXPIRE", k, ARGV[2])
  redis.call("ZADD", KEYS[2 * i + 1], "LT", ARGV[2 + 2 * i], k)
end
return 1`)

// Enqueue appends replies to their chats' outboxes, outside any update of
// those chats (notifications, group posts, periodic work).
func (s *Store) Enqueue(ctx context.Context, replies []flows.Reply, now time.Time) error {
	_, err := s.enqueue(ctx, "", 0, replies, now)
	return err
}

// enqueue runs the script once per slot the replies go to (once on a
// single Redis); the marker, named after its slot, makes each run once.
// It reports whether any run appended.
func (s *Store) enqueue(ctx context.Context, marker string, markerTTL time.Duration, replies []flows.Reply, now time.Time) (bool, error) {
	if len(replies) == 0 {
		return true, nil
	}
	type batch struct {
		keys []string
		args []any
	}
	var order []int
	batches := map[int]*batch{}
	for _, r := range replies {
		b, err := encodeReply(r, now)
		if err != nil {
			return false, err
		}
		n := 0 // one batch on a single Redis: one script, all or nothing
		if s.cluster {
			n = shard(r.To)
		}
		bt := batches[n]
		if bt == nil {
			name := s.tag(n) + "no-marker" // never written: its TTL argument is 0
			if marker != "" {
				name = s.tag(n) + marker
			}
			bt = &batch{keys: []string{name}, args: []any{markerTTL.Milliseconds(), s.TTL.Milliseconds()}}
			batches[n] = bt
			order = append(order, n)
		}
		bt.keys = append(bt.keys, s.chatKey(r.To), s.dueKey(shard(r.To)))
		bt.args = append(bt.args, b, now.Add(r.Delay).UnixMilli())
	}
	queued := false
	for _, n := range order {
		bt := batches[n]
		done, err := enqueue.Run(ctx, s.rdb, bt.keys, bt.args...).Int()
		if err != nil {
			return queued, fmt.Errorf("enqueue replies: %w", err)
		}
		queued = queued || done == 1
	}
	return queued, nil
}

// Waiting counts the chats whose replies wait: held back by a failing or
// rate-limiting platform, or overdue for the sweeper.
func (s *Store) Waiting(ctx context.Context, now time.Time) (int64, error) {
	var counts []*goredis.IntCmd
	_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for n := range s.dueSets {
			counts = append(counts, p.ZCard(ctx, s.heldKey(n)),
				p.ZCount(ctx, s.dueKey(n), "-inf", strconv.FormatInt(now.UnixMilli(), 10)))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count waiting chats: %w", err)
	}
	var total int64
	for _, c := range counts {
		total += c.Val()
	}
	return total, nil
}

// Due lists chats whose outbox should be looked at by now, at most limit,
// the longest due first.
func (s *Store) Due(ctx context.Context, now time.Time, limit int64) ([]flows.ChatRef, error) {
	var ranges []*goredis.ZSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for n := range s.dueSets {
			ranges = append(ranges, p.ZRangeArgsWithScores(ctx, goredis.ZRangeArgs{
				Key: s.dueKey(n), ByScore: true, Start: "-inf", Stop: now.UnixMilli(), Count: limit,
			}))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("due outboxes: %w", err)
	}
	var due []goredis.Z
	for _, r := range ranges {
		due = append(due, r.Val()...)
	}
	slices.SortStableFunc(due, func(a, b goredis.Z) int { return cmp.Compare(a.Score, b.Score) })
	chats := make([]flows.ChatRef, 0, min(int64(len(due)), limit))
	for _, z := range due[:min(int64(len(due)), limit)] {
		k, _ := z.Member.(string)
		_, ref, _ := strings.Cut(k, "}chat:")
		channel, chat, ok := strings.Cut(ref, ":")
		if ok {
			chats = append(chats, flows.ChatRef{Channel: flows.Channel(channel), ChatID: chat})
		}
	}
	return chats, nil
}

// Failed counts a failed attempt at handling update id of chat and returns
// how many there were, so that an update that can never succeed is not
// retried forever.
func (s *Store) Failed(ctx context.Context, chat flows.ChatRef, id string) (int64, error) {
	key := s.prefix + "fail:" + string(chat.Channel) + ":" + id
	var n *goredis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		n = p.Incr(ctx, key)
		p.Expire(ctx, key, 72*time.Hour)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count failure: %w", err)
	}
	return n.Val(), nil
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
