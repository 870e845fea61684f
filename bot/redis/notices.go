package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
)

// NoticeTTL is how long a relayed notice is remembered: far longer than a
// relay can take between appending a notice and marking it relayed.
const NoticeTTL = 24 * time.Hour

// RelayNotice queues the replies of notice id once, whoever relays it and
// however often: a notice relayed again after a crash is not sent twice.
// It reports whether they were queued now (false: before).
func (s *Store) RelayNotice(ctx context.Context, id int64, replies []flows.Reply, now time.Time) (bool, error) {
	queued, err := s.enqueue(ctx, "notice:"+strconv.FormatInt(id, 10), NoticeTTL, replies, now)
	if err != nil {
		return false, fmt.Errorf("relay notice %d: %w", id, err)
	}
	return queued, nil
}
