package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/flows"
)

// NoticeTTL is how long a relayed notice is remembered: far longer than a
// relay can take between appending a notice and marking it relayed.
const NoticeTTL = 24 * time.Hour

// relayNotice appends a notice's replies to their chats' outboxes, and
// marks the chats due, only if the notice's marker was not set yet: a
// notice relayed again after a crash is not sent twice.
//
// KEYS: the marker, the due set, then each reply's outbox.
// ARGV: the marker's TTL (ms), then each reply's JSON, then each outbox's
// due time (ms).
var relayNotice = goredis.NewScript(`
if not redis.call("SET", KEYS[1], "1", "NX", "PX", ARGV[1]) then return 0 end
local n = #KEYS - 2
for i = 1, n do
  redis.call("RPUSH", KEYS[2 + i], ARGV[1 + i])
  redis.call("ZADD", KEYS[2], "LT", ARGV[1 + n + i], KEYS[2 + i])
end
return 1`)

// RelayNotice queues the replies of notice id once, whoever relays it and
// however often. It reports whether they were queued now (false: before).
func (s *Store) RelayNotice(ctx context.Context, id int64, replies []flows.Reply) (bool, error) {
	outboxes, args, err := s.outboxLayout(replies)
	if err != nil {
		return false, err
	}
	keys := append([]string{s.noticeKey(id), s.dueKey()}, outboxes...)
	args = append([]any{NoticeTTL.Milliseconds()}, args...)
	queued, err := relayNotice.Run(ctx, s.rdb, keys, args...).Int()
	if err != nil {
		return false, fmt.Errorf("relay notice %d: %w", id, err)
	}
	return queued == 1, nil
}

func (s *Store) noticeKey(id int64) string { return s.prefix + "notice:" + strconv.FormatInt(id, 10) }

// The outbox layout as the rest of the store keeps it: the set of due
// outboxes, and per reply its outbox key, its JSON and its due time.
func (s *Store) dueKey() string { return s.prefix + "due" }

func (s *Store) outboxLayout(replies []flows.Reply) (keys []string, args []any, err error) {
	return s.outbox(replies)
}
