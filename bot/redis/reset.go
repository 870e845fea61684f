package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// limitKeys begin the rate limits' counts (after the store's prefix).
const limitKeys = "limit:"

// Reset deletes every key under the store's prefix: the sandbox's "start
// over". The rate limits' counts are kept, so that starting over is no way
// round them. It refuses a prefix that does not name the sandbox (an empty
// one would be the whole Redis), so that it never wipes real conversations.
func (s *Store) Reset(ctx context.Context) error {
	if s.prefix == "" || !strings.Contains(s.prefix, "sandbox") {
		return fmt.Errorf("redis reset: refused on prefix %q: only a sandbox's keys are reset", s.prefix)
	}
	iter := s.rdb.Scan(ctx, 0, globEscape(s.prefix)+"*", 500).Iterator()
	var batch []string
	unlink := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.rdb.Unlink(ctx, batch...).Err()
		batch = batch[:0]
		return err
	}
	var err error
	for iter.Next(ctx) && err == nil {
		if strings.HasPrefix(iter.Val(), s.prefix+limitKeys) {
			continue
		}
		if batch = append(batch, iter.Val()); len(batch) == 500 {
			err = unlink()
		}
	}
	if err = errors.Join(err, iter.Err(), unlink()); err != nil {
		return fmt.Errorf("redis reset: %w", err)
	}
	return nil
}

// globEscape makes a key prefix match itself only in SCAN's MATCH pattern.
var globEscape = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`).Replace
