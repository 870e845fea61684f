package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/flows"
)

// adminsKey is a group's admin list as the platform last gave it.
func (s *Store) adminsKey(group flows.ChatRef) string {
	return s.prefix + "admins:" + string(group.Channel) + ":" + group.ChatID
}

// GroupAdmins returns a group's cached admin list; ok is false when none is
// cached (never asked, or expired).
func (s *Store) GroupAdmins(ctx context.Context, group flows.ChatRef) (ids []string, ok bool, err error) {
	raw, err := s.rdb.Get(ctx, s.adminsKey(group)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("read group admins: %w", err)
	}
	if err := json.Unmarshal(raw, &ids); err != nil {
		return nil, false, nil // unreadable: ask the platform again
	}
	return ids, true, nil
}

// SetGroupAdmins caches a group's admin list for ttl.
func (s *Store) SetGroupAdmins(ctx context.Context, group flows.ChatRef, ids []string, ttl time.Duration) error {
	if ids == nil {
		ids = []string{} // "nobody" is an answer worth keeping too
	}
	raw, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("encode group admins: %w", err)
	}
	if err := s.rdb.Set(ctx, s.adminsKey(group), raw, ttl).Err(); err != nil {
		return fmt.Errorf("cache group admins: %w", err)
	}
	return nil
}

// ForgetGroupAdmins drops a group's cached list (the bot joined or left it).
func (s *Store) ForgetGroupAdmins(ctx context.Context, group flows.ChatRef) error {
	if err := s.rdb.Del(ctx, s.adminsKey(group)).Err(); err != nil {
		return fmt.Errorf("forget group admins: %w", err)
	}
	return nil
}
