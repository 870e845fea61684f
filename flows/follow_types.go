package flows

import "context"

// Follow is a buyer's wish to hear of new listings of a product, in an
// area or anywhere (/theodoi na Chi Lăng).
type Follow struct {
	ID         int64
	UserID     int64
	ProductKey string // the catalog's key; "" for a product typed freely
	Product    string // as shown: "Na", "Mật ong rừng"
	Area       string // an area tag from Areas; "" for every area
}

// Follows stores buyers' follows.
type Follows interface {
	// Follow subscribes f.UserID; following the same thing twice is one
	// follow (created false).
	Follow(ctx context.Context, f Follow) (id int64, created bool, err error)
	FollowsOf(ctx context.Context, userID int64) ([]Follow, error)
	// Unfollow removes one of the user's follows (false: not theirs, or gone).
	Unfollow(ctx context.Context, userID, id int64) (bool, error)
	// Followers counts the people a new listing like l would reach.
	Followers(ctx context.Context, l *Listing) (int, error)
}
