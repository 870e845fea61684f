package flows

import (
	"context"
	"fmt"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Limits bound what one person may do, so that nobody can reserve every
// listing's stock or flood the market groups. Each is answered kindly and
// counted (Hit). Zero: no limit.
type Limits struct {
	// OpenOrders: a buyer's orders the farmer has not accepted yet.
	OpenOrders int
	// ListingsPerDay: a farmer's new listings per day in Asia/Ho_Chi_Minh,
	// a helper's posts for the farmer included.
	ListingsPerDay int
	// FollowsPerDay: new listings told to a follower per day in
	// Asia/Ho_Chi_Minh, one by one; the rest go in the next morning's
	// digest (0: no limit).
	FollowsPerDay int
	// Hit counts a limit reached, by name (LimitOpenOrders…); nil: not counted.
	Hit func(limit string)
}

// Names of the limits, as counted.
const (
	LimitOpenOrders = "open_orders"
	LimitListings   = "listings_per_day"
	LimitMessages   = "messages_per_minute"
)

func (l Limits) hit(name string) {
	if l.Hit != nil {
		l.Hit(name)
	}
}

// openOrdersFull tells the buyer, when they hold n unaccepted orders, as
// many as allowed, how many wait and where to see them.
func openOrdersFull(deps Deps, c *Conv, n int) bool {
	if deps.Limits.OpenOrders <= 0 || n < deps.Limits.OpenOrders {
		return false
	}
	deps.Limits.hit(LimitOpenOrders)
	c.Say(M("limits.open_orders", "Count", n))
	return true
}

// listingsFull tells the user, when the farmer s has published as many
// listings today as allowed, when they can post again. source is the
// listing being published, if any.
func listingsFull(ctx context.Context, deps Deps, c *Conv, s Seller, source string) (bool, error) {
	since := listedSince(deps, c)
	if since.IsZero() || s.ID == 0 {
		return false, nil
	}
	n, err := deps.Listings.ListingsSince(ctx, s.ID, since, source)
	if err != nil {
		return false, fmt.Errorf("count today's listings: %w", err)
	}
	return listedFull(deps, c, s, n), nil
}

// listedSince is when the listings a farmer may publish in a day are
// counted from: the day's start, or zero when they are not limited.
func listedSince(deps Deps, c *Conv) time.Time {
	if deps.Limits.ListingsPerDay <= 0 {
		return time.Time{}
	}
	return vn.Today(c.Now)
}

// listedFull tells the user, when the farmer s has published n listings
// today, as many as allowed, when they can post again.
func listedFull(deps Deps, c *Conv, s Seller, n int) bool {
	if deps.Limits.ListingsPerDay <= 0 || s.ID == 0 || n < deps.Limits.ListingsPerDay {
		return false
	}
	deps.Limits.hit(LimitListings)
	c.Say(M("limits.listings", "Count", n, "Name", s.Name, "Helped", s.UserID != c.User.ID))
	return true
}

// TooFast is the one kind reply to the first update over a private chat's
// message rate, which the engine keeps (MAX_MESSAGES_PER_MINUTE); the later
// ones of the minute get no reply.
func (r *Router) TooFast(user *User, in Input) []Reply {
	c := &Conv{User: user, In: in, Now: r.Now(), Lang: r.lang(user, in), texts: r.Texts, products: r.Deps.Catalogs.Products, ctx: context.Background()}
	c.Say(M("limits.too_fast"))
	return c.replies
}

// Protected is the reply to a message the platform withheld because the
// sender's account is protected (KindProtected): why the bot cannot read
// her, and who can post for her. The engine says it once a day.
func (r *Router) Protected(user *User, in Input) []Reply {
	c := &Conv{User: user, In: in, Now: r.Now(), Lang: r.lang(user, in), texts: r.Texts, products: r.Deps.Catalogs.Products, ctx: context.Background()}
	c.Say(M("unclear.protected"))
	return c.replies
}
