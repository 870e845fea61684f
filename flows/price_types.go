package flows

import (
	"context"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// PriceRange is what a product sold for in an area lately, from published
// listings and completed orders, all per the same unit: per kg for weights
// (a price per tạ is a hundredth of it per kg), else per the counted unit.
type PriceRange struct {
	Low, High vn.Price
	Listings  int // listings counted
	Orders    int // completed orders counted
	Sellers   int // distinct farmers within the range: a range is never one farmer's
}

// Points are the prices the range was drawn from.
func (r PriceRange) Points() int { return r.Listings + r.Orders }

// Enough: a hint needs 3 prices at least, and from 2 farmers at least, so
// that no single farmer sets the market's price.
func (r PriceRange) Enough() bool { return r.Points() >= 3 && r.Sellers >= 2 }

// Prices tells the market's recent prices, for the hints at the price
// question.
type Prices interface {
	// RecentPrices is the range of productKey's prices per unit per (per
	// kg for any weight) in area since a time: the whole range when there
	// are fewer than 10 prices, else the middle 80 % (a tenth of them at
	// each end left out, so one typo does not stretch it). A range of
	// nothing has no points.
	RecentPrices(ctx context.Context, productKey, area string, per vn.Unit, since time.Time) (PriceRange, error)
}
