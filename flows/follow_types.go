package flows

import (
	"context"
	"time"
)

// Follow is a buyer's wish to hear of new listings of a product, in an
// area or anywhere (/theodoi na Chi Lăng).
type Follow struct {
	ID         int64
	UserID     int64
	ProductKey string // the catalog's key; "" for a product typed freely
	Product    string // as shown: "Na", "Mật ong rừng"
	Area       string // an area tag from Areas; "" for every area
}

// FollowNotice is a new listing on its way to one of its followers, in
// the follower's private chat.
type FollowNotice struct {
	ID      int64
	UserID  int64
	To      ChatRef
	Lang    string
	Listing *Listing
}

// Follows stores buyers' follows. A new listing's notices to its
// followers are written by CreateListing, in the publishing transaction.
type Follows interface {
	// Follow subscribes f.UserID; following the same thing twice is one
	// follow (created false).
	Follow(ctx context.Context, f Follow) (id int64, created bool, err error)
	FollowsOf(ctx context.Context, userID int64) ([]Follow, error)
	// Unfollow removes one of the user's follows (false: not theirs, or gone).
	Unfollow(ctx context.Context, userID, id int64) (bool, error)
	// Followers counts the people following each of the listings (by ID),
	// in one query.
	Followers(ctx context.Context, listings []*Listing) (map[int64]int, error)
	// DeliverFollows hands up to limit new follow notices to send, with
	// how many the follower was sent since dayStart; the replies it returns
	// are queued and the notice marked sent, or, for none, held for the
	// digest. Replicas share the notices (each is taken once).
	DeliverFollows(ctx context.Context, limit int, dayStart time.Time,
		send func(n FollowNotice, sentToday int) []Reply) (int, error)
	// DeliverDigests hands each follower's notices held before morning
	// (when the waking hours began), oldest first, as one list, to digest, whose
	// replies are queued; the notices are then done. A notice is handed
	// over (by either) only while its follower still follows its product:
	// else it is dropped.
	DeliverDigests(ctx context.Context, morning time.Time, digest func(held []FollowNotice) []Reply) (int, error)
	// Forget records that a chat is gone for good (the user blocked the
	// bot) and, unless another account of the same person is still
	// reachable, removes every follow of theirs.
	Forget(ctx context.Context, chat ChatRef) (int, error)
}
