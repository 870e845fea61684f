package bot

import (
	"context"
	"sync"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// PriceCache keeps each product's recent price range in an area for TTL. A
// market's prices over two weeks move slowly, while at harvest time
// hundreds of farmers of one area ask for the same range, three times a
// listing (price question, its check, the summary), and the query reads
// every listing of those weeks. Only a range with enough prices is kept:
// the query is cheap while there are few, and the first hint shows as soon
// as there are enough.
type PriceCache struct {
	Prices flows.Prices
	TTL    time.Duration

	mu     sync.Mutex
	ranges map[priceKey]cachedRange
}

type priceKey struct {
	product, area string
	per           vn.Unit
}

type cachedRange struct {
	r  flows.PriceRange
	at time.Time
}

var _ flows.Prices = (*PriceCache)(nil)

// RecentPrices is the kept range, or Prices' when there is none of less
// than TTL; since is always two weeks back, which TTL hardly moves.
func (c *PriceCache) RecentPrices(ctx context.Context, productKey, area string, per vn.Unit, since time.Time) (flows.PriceRange, error) {
	k, now := priceKey{productKey, area, per}, time.Now()
	c.mu.Lock()
	e, ok := c.ranges[k]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.TTL {
		return e.r, nil
	}
	r, err := c.Prices.RecentPrices(ctx, productKey, area, per, since)
	if err != nil || !r.Enough() {
		return r, err
	}
	c.mu.Lock()
	if c.ranges == nil {
		c.ranges = map[priceKey]cachedRange{}
	}
	c.ranges[k] = cachedRange{r, now} // products × areas × units: a few hundred at most
	c.mu.Unlock()
	return r, nil
}
