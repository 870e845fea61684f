package redis

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/flows"
)

// RenameOld moves the chats of a deployment from before the hash tags
// (keys "chat:<channel>:<id>", one "due" and one "held" set) to their
// present names, so that conversations in flight and replies still queued
// survive the upgrade; it returns how many chats it moved. A chat that has
// a key under its present name already keeps that one. Only a single Redis
// held the old names: on a cluster there is nothing to do.
func (s *Store) RenameOld(ctx context.Context) (int, error) {
	if s.cluster {
		return 0, nil
	}
	old := s.prefix + "chat:"
	var moved atomic.Int64
	err := Scan(ctx, s.rdb, globEscape(old)+"*", func(ctx context.Context, node goredis.UniversalClient, keys []string) error {
		for _, k := range keys {
			ref, ok := oldChat(old, k)
			if !ok {
				continue
			}
			done, err := node.RenameNX(ctx, k, s.chatKey(ref)).Result()
			if err != nil {
				return err
			}
			if done {
				moved.Add(1)
			}
		}
		return nil
	})
	if err != nil {
		return int(moved.Load()), fmt.Errorf("rename old chats: %w", err)
	}
	for set, key := range map[string]func(int) string{"due": s.dueKey, "held": s.heldKey} {
		if err := s.renameSet(ctx, old, s.prefix+set, key); err != nil {
			return int(moved.Load()), fmt.Errorf("rename old %s set: %w", set, err)
		}
	}
	return int(moved.Load()), nil
}

// renameSet moves the members of an old sorted set of chats to the sets
// of their shards, keeping the earlier time, and drops the old set.
func (s *Store) renameSet(ctx context.Context, old, from string, to func(int) string) error {
	zs, err := s.rdb.ZRangeWithScores(ctx, from, 0, -1).Result()
	if err != nil || len(zs) == 0 {
		return err
	}
	_, err = s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		for _, z := range zs {
			if ref, ok := oldChat(old, z.Member.(string)); ok {
				p.ZAddLT(ctx, to(shard(ref)), goredis.Z{Score: z.Score, Member: s.chatKey(ref)})
			}
		}
		p.Del(ctx, from)
		return nil
	})
	return err
}

// oldChat reads an old chat key.
func oldChat(old, key string) (flows.ChatRef, bool) {
	channel, id, ok := strings.Cut(strings.TrimPrefix(key, old), ":")
	return flows.ChatRef{Channel: flows.Channel(channel), ChatID: id}, ok && strings.HasPrefix(key, old) && id != ""
}
