package bot

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

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
//
// No farmer waits for a range to expire: once it is older than TTL, the
// first to ask reads it again while the others are shown the old one (up
// to twice TTL old), and those who find none share one read. When every
// asker of an expired range read it again at once, a 10-minute load
// stalled every minute for seconds, all steps alike.
type PriceCache struct {
	Prices flows.Prices
	TTL    time.Duration
	Now    func() time.Time // nil: time.Now

	mu     sync.Mutex
	ranges map[priceKey]cachedRange
	first  singleflight.Group // one read per range however many ask at once
}

type priceKey struct {
	product, area string
	per           vn.Unit
}

type cachedRange struct {
	r  flows.PriceRange
	at time.Time
	// refreshing: someone reads it again; the others are shown this one.
	refreshing bool
}

var _ flows.Prices = (*PriceCache)(nil)

// RecentPrices is the kept range, or Prices'; since is always two weeks
// back, which TTL hardly moves.
func (c *PriceCache) RecentPrices(ctx context.Context, productKey, area string, per vn.Unit, since time.Time) (flows.PriceRange, error) {
	k, now := priceKey{productKey, area, per}, c.now()
	c.mu.Lock()
	e, ok := c.ranges[k]
	age := now.Sub(e.at)
	switch {
	case ok && (age < c.TTL || age < 2*c.TTL && e.refreshing):
		c.mu.Unlock()
		return e.r, nil
	case ok && age < 2*c.TTL:
		e.refreshing = true // this asker reads it again
		c.ranges[k] = e
	}
	c.mu.Unlock()

	v, err, _ := c.first.Do(productKey+"\x00"+area+"\x00"+string(per), func() (any, error) {
		return c.Prices.RecentPrices(ctx, productKey, area, per, since)
	})
	r, _ := v.(flows.PriceRange)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case err != nil && ok:
		e.refreshing = false // the next asker tries again
		c.ranges[k] = e
	case err != nil:
	case r.Enough():
		if c.ranges == nil {
			c.ranges = map[priceKey]cachedRange{}
		}
		c.ranges[k] = cachedRange{r: r, at: now} // products × areas × units: a few hundred at most
	default:
		delete(c.ranges, k) // too few prices now: asked each time again
	}
	return r, err
}

func (c *PriceCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
