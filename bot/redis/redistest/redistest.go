// Package redistest gives each test its own key prefix on the Redis named by
// REDIS_URL (make test starts one), removed at the end of the test.
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

// URL returns REDIS_URL, failing the test when it is unset.
func URL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		tb.Fatal("REDIS_URL is unset: run the tests with `make test`, which starts Redis")
	}
	return url
}

// Prefix returns a key prefix no other test uses, whose keys are deleted
// when the test ends.
func Prefix(tb testing.TB) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	prefix := "test:" + hex.EncodeToString(b) + ":"
	rdb := MustClient(tb)
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
	})
	return prefix
}

// MustClient connects to REDIS_URL.
func MustClient(tb testing.TB) *goredis.Client {
	tb.Helper()
	rdb, err := redis.Open(context.Background(), URL(tb))
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
