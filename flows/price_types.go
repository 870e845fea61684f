package flows

import (
	"context"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// PriceRange is what a product sold for in an area lately, from published
// listings and completed orders, all per the same unit.
type PriceRange struct {
	Low, High vn.Price
	Points    int // listings and orders counted
	Sellers   int // distinct farmers among them: a range is never one farmer's
}

// Prices tells the market's recent prices, for the hints at the price
// question.
type Prices interface {
	// RecentPrices is the range of productKey's prices per unit per in
	// area since a time; ok false when there are none to speak of.
	RecentPrices(ctx context.Context, productKey, area string, per vn.Unit, since time.Time) (r PriceRange, ok bool, err error)
}
