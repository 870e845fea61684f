package flows

import (
	"context"
	"errors"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Order statuses: chờ xác nhận → đã nhận → đang giao → hoàn thành, or đã
// huỷ (by the buyer, or when the farmer does not answer) / bị từ chối.
const (
	Pending   = "pending"
	Accepted  = "accepted"
	Shipping  = "shipping"
	Completed = "completed"
	Cancelled = "cancelled"
	Declined  = "declined"
)

// Order is a buyer's order of part of a listing.
type Order struct {
	ID        int64
	Code      string // DH-7K2Q
	ListingID int64
	BuyerID   int64
	Quantity  vn.Quantity // in the listing's unit
	Asked     vn.Quantity // as the buyer typed it (50 kg of a listing in tạ); no unit: as Quantity
	Total     int64       // VND
	// Price is the order's price per unit: the listing's as the buyer saw
	// it (placing fails if it changed), or, for an order at the farmer's
	// price (CounterOf), the price she named. Read back as stored; an
	// order placed before orders kept it has its listing's.
	Price vn.Price
	// Listed, for an order at the farmer's price, is the listing's price
	// the order she declined was at: placing fails if the listing's
	// changed since (ErrPriceChanged). Zero: Price.
	Listed vn.Price
	// CounterOf is the order the farmer declined naming her price, which
	// this one takes (ReasonPrice); 0: none. One per declined order: a
	// second is *CounteredError.
	CounterOf  int64
	BuyerName  string
	BuyerPhone string // E.164; shown to the farmer only
	Delivery   string // "pickup" or "deliver"
	Address    string
	Note       string
	Status     string
	Reason     Reason // why it was declined or cancelled
	CreatedAt  time.Time
	// RemindAt is when the farmer is reminded if the order still waits,
	// decided as it is placed (remindAt); zero: never. Read back as
	// stored, but zero for never and for an order placed by a version that
	// did not store it (during a rolling update): DueOrders returns those,
	// for the tick to decide.
	RemindAt time.Time
	Listing  *Listing // as read with the order
}

// Reasons the bot names: a decline button's, or the clock's. Each is told
// as "order.reason_<key>" in the reader's language.
const (
	ReasonSoldOut = "sold_out" // Hết hàng
	ReasonFar     = "far"      // Không giao được tới đó
	ReasonTimeout = "timeout"  // the farmer did not answer in time
	// ReasonUnsaid: the farmer had another reason and skipped saying it;
	// the buyer is told no reason.
	ReasonUnsaid = "unsaid"
)

// Reason is why an order was declined or cancelled: a Key the bot names
// (a button's, the clock's), told to each reader in their own language, or
// the Text the farmer typed, told as typed. Neither: the buyer cancelled.
type Reason struct {
	Key  string
	Text string
}

// Empty tells whether there is no reason: the buyer's own cancellation.
func (r Reason) Empty() bool { return r.Key == "" && r.Text == "" }

// Delivered is an order whose delivery was said (Orders.Deliveries): its
// Status then (shipping or completed), and when.
type Delivered struct {
	Order  *Order
	Status string
	At     time.Time
}

// OrderEvent is one change of an order, for its timeline.
type OrderEvent struct {
	Status string
	Actor  string // the name of who did it, "" for the bot
	Note   Reason
	At     time.Time
}

// OrderChange moves an order from one of From to To, by Actor (0: the bot
// itself), for Reason. Source identifies the change (the update): made
// once, a retry of the same source finds it made.
type OrderChange struct {
	From   []string
	To     string
	Actor  int64
	Reason Reason
	Source string
	// SoldOut: the farmer has none left (Hết hàng). A decline or a drop
	// marks the listing sold out by the farmer instead of giving it the
	// order's quantity back, in the same transaction; a listing that sells
	// nothing already (stopped, expired, taken down) stays as it is.
	SoldOut bool
}

// BuyerProfile is what a buyer typed last time.
type BuyerProfile struct {
	Name    string
	Phone   string
	Address string
}

// NotEnoughError means the listing has less left than ordered.
type NotEnoughError struct{ Remaining int64 }

func (e *NotEnoughError) Error() string { return "not enough left" }

// BelowMinError means the order is smaller than the listing's minimum
// order (Min, in its unit), which the farmer raised after the buyer typed
// the quantity; Remaining is what the listing has left.
type BelowMinError struct{ Min, Remaining int64 }

func (e *BelowMinError) Error() string { return "below the minimum order" }

// ErrListingExpired means the listing is past its expiry; ErrNotOnSale,
// that the farmer stopped selling it or a moderator took it down.
var (
	ErrListingExpired = errors.New("listing expired")
	ErrNotOnSale      = errors.New("listing not on sale")
)

// ErrStale means the order is no longer in a state that allows the change.
var ErrStale = errors.New("order changed meanwhile")

// ErrPriceChanged means the farmer changed the price after the buyer saw it.
var ErrPriceChanged = errors.New("price changed")

// CounteredError means the buyer placed an order at the farmer's price of
// that declined order already: Order, placed by another update (a double
// tap).
type CounteredError struct{ Order *Order }

func (e *CounteredError) Error() string { return "placed at the farmer's price already" }

// Orders stores orders; placing one reserves stock in the same transaction.
type Orders interface {
	// PlaceOrder reserves o.Quantity of its listing and stores o, if the
	// listing still sells it as the buyer saw it; else it returns
	// ErrListingExpired, ErrNotOnSale, ErrPriceChanged, a *NotEnoughError
	// (Remaining 0: sold out), a *BelowMinError, or a *CounteredError for
	// a second order at the farmer's price of one declined order (CounterOf,
	// by another source). A retried source returns
	// the order it placed the first time. The order placed keeps keep as
	// the buyer's profile (Buyer), for their next order.
	PlaceOrder(ctx context.Context, o *Order, source string, keep BuyerProfile) (*Order, error)
	Order(ctx context.Context, id int64) (*Order, error)
	OrderByCode(ctx context.Context, code string) (*Order, error) // ErrNotFound
	// CounterOrder is the order placed at the farmer's price of declined
	// order id (its CounterOf); ErrNotFound while none is.
	CounterOrder(ctx context.Context, id int64) (*Order, error)
	// SetOrderStatus makes the change, recording the event; cancelling or
	// declining gives the stock back, unless ch.SoldOut. ErrStale if the order is in none of
	// ch.From. A retry of the same source returns the order as it is.
	// notices are queued with the change, in its transaction.
	SetOrderStatus(ctx context.Context, id int64, ch OrderChange, notices ...Reply) (*Order, error)
	OrdersOf(ctx context.Context, userID int64) (asBuyer, asSeller []*Order, err error)
	// Deliveries lists the orders waiting for a user's delivery word,
	// newest first, up to limit: as their farmer (or the helper who posted
	// the listing), the accepted ones (🚚 Đã giao hàng); as their buyer
	// (received), the accepted or shipped ones (✅ Đã nhận được hàng).
	// last is the newest change that word, or the buyer's, made already
	// (order_events: shipped or received for the farmer, received for the
	// buyer), nil when none.
	Deliveries(ctx context.Context, userID int64, received bool, limit int) (open []*Order, last *Delivered, err error)
	// Awaiting lists the pending orders waiting for a user's answer as
	// their seller (or the helper who posted the listing), oldest first.
	Awaiting(ctx context.Context, userID int64) ([]*Order, error)
	// LastAsked is the latest of the yes/no questions put to a user as a
	// seller unprompted: an order waiting for them (placed or reminded),
	// a listing's renewal, a profile change held for their word. A bare
	// "có" or "không" answers it. Kind "" when none was asked.
	LastAsked(ctx context.Context, userID int64) (Asked, error)
	Timeline(ctx context.Context, id int64) ([]OrderEvent, error)
	// DueOrders lists pending orders older than timeout, oldest first, and
	// the younger ones whose farmer is to be reminded by now (RemindAt, as
	// placed) and was not yet, the earliest first; and those placed with
	// no time (RemindAt zero: by a version before it was stored), whether
	// due or not, for the tick to decide.
	DueOrders(ctx context.Context, now time.Time, timeout time.Duration) (expired, waiting []*Order, err error)
	// Reminded marks an order's farmer reminded, at, with the reminder in
	// notices; ErrStale if the order is no longer pending or was reminded.
	Reminded(ctx context.Context, id int64, at time.Time, notices ...Reply) error
	// Opening reads what OpeningOf asks in one round trip: an order
	// decides on it as it starts and as it is placed. ErrNotFound: no such
	// listing.
	Opening(ctx context.Context, q OpeningOf) (Opening, error)
	// ForgetBuyer empties each field of the buyer's profile (Buyer) that
	// still holds what refused holds there (its empty fields: kept).
	ForgetBuyer(ctx context.Context, buyer int64, refused BuyerProfile) error
	ListingByCode(ctx context.Context, code string) (*Listing, error)
	ListingByPost(ctx context.Context, group ChatRef, messageID string) (*Listing, error)
	// Similar lists other active listings of the same product, not past
	// their expiry, for a buyer (their user id) whose order did not go
	// through: none of the buyer's own.
	Similar(ctx context.Context, l *Listing, buyer int64, n int) ([]*Listing, error)
	// Held is what a listing's orders not yet shipped (pending or
	// accepted) hold of it, in milli-units, and how many they are: what
	// cancelling or declining them would give back.
	Held(ctx context.Context, listingID int64) (milli int64, orders int, err error)
}

// OpeningOf asks Orders.Opening for a listing, by Code or else by
// ListingID, and as asked:
type OpeningOf struct {
	Code      string
	ListingID int64
	Buyer     int64
	Profile   bool // the buyer's profile from their last order
	// Open: the buyer's orders not accepted yet (pending) are counted,
	// leaving out the one placed by Source.
	Open   bool
	Source string
}

// Opening is what Orders.Opening read.
type Opening struct {
	Listing *Listing
	Profile *BuyerProfile // nil: none
	Open    int
}

// HeldNotices keeps the notices held until later (Reply.NotBefore).
type HeldNotices interface {
	// ReleaseHeld queues the notices held until now or before, the
	// earliest first, up to limit, each once whichever replica asks; it
	// returns how many it queued. Those taken back by TakeHeld are not
	// sent; they are dropped a day after they were told.
	ReleaseHeld(ctx context.Context, now time.Time, limit int) (int, error)
	// TakeHeld takes back the notices held about about (Reply.About), to
	// be told now by the update source instead: they are returned, and no
	// longer released. The same source gets them again (a run again, or
	// the update delivered again after it failed, even after the notices'
	// time: for a day); another gets none.
	TakeHeld(ctx context.Context, about, source string, now time.Time) ([]Reply, error)
	// GiveBackHeld makes the notices source took back held again, to be
	// released at their time (at once, if it has come): its update was
	// given up, and its replies, which told them, never go.
	GiveBackHeld(ctx context.Context, source string) error
}

// Asked is the latest yes/no question put to a seller (Orders.LastAsked).
type Asked struct {
	Kind AskedKind
	At   time.Time
}

// AskedKind is what a question put unprompted was about.
type AskedKind string

const (
	AskedOrder   AskedKind = "order"
	AskedRenewal AskedKind = "renewal"
	AskedChange  AskedKind = "change"
)
