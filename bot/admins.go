package bot

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/flows"
)

// GroupAdmins tells who administers a group, as its channel says, from a
// list cached in Redis for TTL: a group command or a broadcast to one's own
// group costs one platform call per group and TTL, not one per command.
// Channels that cannot tell (Zalo, web) have no admins.
type GroupAdmins struct {
	Channels Channels
	Store    *redis.Store
	TTL      time.Duration
}

var _ flows.Admins = (*GroupAdmins)(nil)

// IsGroupAdmin tells whether platformUserID administers group.
func (g *GroupAdmins) IsGroupAdmin(ctx context.Context, group flows.ChatRef, platformUserID string) (bool, error) {
	lister, ok := g.Channels[group.Channel].(AdminLister)
	if !ok || platformUserID == "" {
		return false, nil
	}
	ids, cached, err := g.Store.GroupAdmins(ctx, group)
	if err != nil {
		return false, err
	}
	if !cached {
		if ids, err = lister.Admins(ctx, group.ChatID); err != nil {
			return false, fmt.Errorf("list admins of %s group: %w", group.Channel, err)
		}
		if err := g.Store.SetGroupAdmins(ctx, group, ids, g.TTL); err != nil {
			return false, err
		}
	}
	return slices.Contains(ids, platformUserID), nil
}

// Forget drops a group's cached list, so that the next question asks the
// platform.
func (g *GroupAdmins) Forget(ctx context.Context, group flows.ChatRef) error {
	return g.Store.ForgetGroupAdmins(ctx, group)
}
