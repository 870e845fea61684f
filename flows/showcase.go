package flows

import (
	"context"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Shown is a listing as anyone may see it on the web pages: on sale or
// sold out, and nothing personal (no phone, no bank account).
type Shown struct {
	Code        string
	ProductKey  string // "" for free text
	Product     string
	Quantity    vn.Quantity // as listed
	Remaining   int64       // milli-units left
	Price       vn.Price
	Ready       time.Time
	Note        string
	GrowingCode string
	Status      string       // Active or SoldOut
	Photo       string       // the first photo's public id, "" for none
	Photos      []ShownPhoto // every photo, in the farmer's order: Photo first
	Store       Store        // the farmer's store, without its listings
	Created     time.Time
}

// Ended is a listing whose page has come down: what it was and whose
// store it was in, nothing else.
type Ended struct {
	Code    string
	Product string
	Store   Store // its slug and name only
}

// ShownPhoto is a listing's photo on the pages: its public id and the
// size of its kept copy (0 before it is kept), so that a page reserves its
// space before it loads.
type ShownPhoto struct {
	ID            string
	Width, Height int
}

// Store is a farmer's public store (cửa hàng số): a name, a place and the
// listings on sale or recently sold out.
type Store struct {
	Slug     string
	Name     string
	Commune  string
	Area     string
	Listings []Shown // only from Showcase.Store
}

// Place is where the store is, for Format.Place.
func (s Store) Place() Seller { return Seller{Commune: s.Commune, Area: s.Area} }

// MarketQuery filters and pages the market.
type MarketQuery struct {
	Product string // a product key, "" for all
	Area    string // an area tag, "" for all
	Page    int    // from 1
	PerPage int
}

// MarketProduct is a product on sale, for the market's filter.
type MarketProduct struct {
	Key  string
	Name string
}

// Showcase is what the public pages read. Only listings on sale (or sold
// out, on their own page and their store's) ever come out of it.
type Showcase interface {
	// Market lists the listings on sale, newest first; more tells whether
	// another page follows.
	Market(ctx context.Context, q MarketQuery) (listings []Shown, more bool, err error)
	// MarketProducts lists the catalog products on sale, for the filter.
	MarketProducts(ctx context.Context) ([]MarketProduct, error)
	// ShownListing is a listing on sale or sold out; ErrNotFound otherwise.
	ShownListing(ctx context.Context, code string) (*Shown, error)
	// EndedListing is a listing that was shown and is no longer (stopped,
	// expired, or sold out past its last day), for a page that says so;
	// ErrNotFound for one still shown, taken down by a moderator, or
	// unknown.
	EndedListing(ctx context.Context, code string) (*Ended, error)
	// Store is a farmer's store by its slug, with its listings on sale and
	// those sold out lately; ErrNotFound for an unknown slug.
	Store(ctx context.Context, slug string) (*Store, error)
}
