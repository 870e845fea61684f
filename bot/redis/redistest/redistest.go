// Package redistest gives each test its own key prefix on the Redis named by
// REDIS_URL (make test starts one), removed at the end of the test, and on
// the Redis Cluster named by REDIS_TEST_CLUSTER_ADDRS (make test starts
// one too).
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/bot/redis"
)

// ClusterEnv names the test cluster's nodes, host:port comma-separated:
// `deploy/dev/services.sh env` prints it.
const ClusterEnv = "REDIS_TEST_CLUSTER_ADDRS"

// URL returns REDIS_URL, failing the test when it is unset.
func URL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		tb.Fatal("REDIS_URL is unset: run the tests with `make test`, which starts Redis")
	}
	return url
}

// ClusterAddrs returns the test cluster's nodes, skipping the test when
// there is none.
func ClusterAddrs(tb testing.TB) string {
	tb.Helper()
	addrs := os.Getenv(ClusterEnv)
	if addrs == "" {
		tb.Skip(ClusterEnv + " is unset: run the tests with `make test`, which starts a Redis Cluster")
	}
	return addrs
}

// Prefix returns a key prefix no other test uses, whose keys are deleted
// when the test ends, on the single Redis and on the cluster.
func Prefix(tb testing.TB) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	prefix := "test:" + hex.EncodeToString(b) + ":"
	clients := []goredis.UniversalClient{MustClient(tb)}
	if os.Getenv(ClusterEnv) != "" {
		clients = append(clients, MustCluster(tb))
	}
	tb.Cleanup(func() {
		for _, rdb := range clients {
			redis.Scan(context.Background(), rdb, prefix+"*", func(ctx context.Context, node goredis.UniversalClient, keys []string) error {
				p := node.Pipeline()
				for _, k := range keys {
					p.Del(ctx, k)
				}
				_, err := p.Exec(ctx)
				return err
			})
		}
	})
	return prefix
}

// MustClient connects to REDIS_URL.
func MustClient(tb testing.TB) goredis.UniversalClient {
	tb.Helper()
	return open(tb, URL(tb), "")
}

// MustCluster connects to the test cluster, skipping the test when there
// is none.
func MustCluster(tb testing.TB) goredis.UniversalClient {
	tb.Helper()
	return open(tb, "redis://", ClusterAddrs(tb))
}

func open(tb testing.TB, url, cluster string) goredis.UniversalClient {
	tb.Helper()
	rdb, err := redis.Open(context.Background(), url, cluster)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { rdb.Close() })
	return rdb
}

// MustOpen returns a store with a prefix of its own.
func MustOpen(tb testing.TB) *redis.Store {
	tb.Helper()
	return redis.New(MustClient(tb), Prefix(tb))
}
