package bot_test

import (
	"context"
	"sync/atomic"
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

// slowPrices answers what r holds when asked, after start is told and
// until go says so.
type slowPrices struct {
	r          atomic.Pointer[flows.PriceRange]
	asked      atomic.Int32
	start, end chan struct{}
}

func (p *slowPrices) RecentPrices(context.Context, string, string, vn.Unit, time.Time) (flows.PriceRange, error) {
	p.asked.Add(1)
	if p.start != nil {
		p.start <- struct{}{}
		<-p.end
	}
	return *p.r.Load(), nil
}

// When a range expires at harvest time, one farmer's price question reads
// it again while every other farmer is shown the old range at once:
// nobody waits in line behind the same query.
func TestAnExpiredRangeIsReadAgainByOneWhileTheOthersSeeTheOld(t *testing.T) {
	ctx, now := context.Background(), time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	since := now.Add(-14 * 24 * time.Hour)
	old, fresh := flows.PriceRange{Listings: 3, Sellers: 2, Low: vn.Price{VND: 20000, Per: vn.UnitKg}}, flows.PriceRange{Listings: 4, Sellers: 3, Low: vn.Price{VND: 22000, Per: vn.UnitKg}}
	p := &slowPrices{}
	p.r.Store(&old)
	c := &bot.PriceCache{Prices: p, TTL: time.Minute, Now: func() time.Time { return now }}
	ask := func() flows.PriceRange {
		r, err := c.RecentPrices(ctx, "na-chi-lang", "chi_lang", vn.UnitKg, since)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ask()
	now = now.Add(61 * time.Second)
	p.r.Store(&fresh)
	p.start, p.end = make(chan struct{}), make(chan struct{})
	refreshed := make(chan flows.PriceRange)
	go func() {
		r, _ := c.RecentPrices(ctx, "na-chi-lang", "chi_lang", vn.UnitKg, since)
		refreshed <- r
	}()
	<-p.start // the first asker reads it again
	for range 10 {
		if r := ask(); r.Low != old.Low {
			t.Fatalf("while it is read again another farmer sees %+v, want the old range", r)
		}
	}
	close(p.end)
	if r := <-refreshed; r.Low != fresh.Low {
		t.Fatalf("the asker who read it again got %+v, want the new range", r)
	}
	if r := ask(); r.Low != fresh.Low || p.asked.Load() != 2 {
		t.Fatalf("after: %+v, asked %d times; want the new range, read twice in all", r, p.asked.Load())
	}
}
