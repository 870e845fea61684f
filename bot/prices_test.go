package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// countedPrices answers a fixed range and counts the questions.
type countedPrices struct {
	r     flows.PriceRange
	asked int
}

func (p *countedPrices) RecentPrices(context.Context, string, string, vn.Unit, time.Time) (flows.PriceRange, error) {
	p.asked++
	return p.r, nil
}

// A range with enough prices is asked once a TTL, per product and area; a
// range without enough is asked each time, so that the first hint shows
// as soon as there is one.
func TestThePriceCacheKeepsOnlyRangesWithEnoughPrices(t *testing.T) {
	ctx, since := context.Background(), time.Now().Add(-14*24*time.Hour)
	enough := &countedPrices{r: flows.PriceRange{Listings: 3, Sellers: 2}}
	c := &bot.PriceCache{Prices: enough, TTL: time.Hour}
	for range 3 {
		if r, err := c.RecentPrices(ctx, "na-chi-lang", "chi_lang", vn.UnitKg, since); err != nil || !r.Enough() {
			t.Fatalf("%+v, %v", r, err)
		}
	}
	c.RecentPrices(ctx, "na-chi-lang", "bac_son", vn.UnitKg, since)
	if enough.asked != 2 {
		t.Errorf("asked %d times for two areas, want 2", enough.asked)
	}

	few := &countedPrices{r: flows.PriceRange{Listings: 2, Sellers: 1}}
	c = &bot.PriceCache{Prices: few, TTL: time.Hour}
	for range 3 {
		c.RecentPrices(ctx, "na-chi-lang", "chi_lang", vn.UnitKg, since)
	}
	if few.asked != 3 {
		t.Errorf("a range without enough prices asked %d times of 3", few.asked)
	}

	expired := &countedPrices{r: enough.r}
	c = &bot.PriceCache{Prices: expired} // kept for no time: every range is old
	c.RecentPrices(ctx, "na-chi-lang", "chi_lang", vn.UnitKg, since)
	c.RecentPrices(ctx, "na-chi-lang", "chi_lang", vn.UnitKg, since)
	if expired.asked != 2 {
		t.Errorf("a range older than the TTL asked %d times of 2", expired.asked)
	}
}
