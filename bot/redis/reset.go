package redis

import (
	"context"
	"fmt"
	"strings"

	goredis "github.com/redis/go-redis/v9"
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
	err := Scan(ctx, s.rdb, globEscape(s.prefix)+"*", func(ctx context.Context, node goredis.UniversalClient, keys []string) error {
		p := node.Pipeline()
		for _, k := range keys {
			if !strings.HasPrefix(k, s.prefix+limitKeys) {
				p.Unlink(ctx, k) // one key a command: a node's keys lie in many slots
			}
		}
		_, err := p.Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("redis reset: %w", err)
	}
	return nil
}

// Scan hands the keys matching pattern to each, in batches, with the node
// that holds them: on a cluster, every master is scanned (at once).
func Scan(ctx context.Context, rdb goredis.UniversalClient, pattern string, each func(ctx context.Context, node goredis.UniversalClient, keys []string) error) error {
	scan := func(ctx context.Context, node *goredis.Client) error {
		var cursor uint64
		for {
			keys, next, err := node.Scan(ctx, cursor, pattern, 500).Result()
			if err != nil {
				return err
			}
			if len(keys) > 0 {
				if err := each(ctx, node, keys); err != nil {
					return err
				}
			}
			if cursor = next; cursor == 0 {
				return nil
			}
		}
	}
	switch c := rdb.(type) {
	case *goredis.ClusterClient:
		return c.ForEachMaster(ctx, scan)
	case *goredis.Client:
		return scan(ctx, c)
	}
	return fmt.Errorf("scan: unsupported client %T", rdb)
}

// globEscape makes a key prefix match itself only in SCAN's MATCH pattern.
var globEscape = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`).Replace
