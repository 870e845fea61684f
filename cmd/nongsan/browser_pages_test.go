package main

import (
	"math"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// onScreen is how a listing's page fits a phone's first screen.
type onScreen struct {
	Screen      float64   `json:"screen"`      // the window's height
	OrderBottom float64   `json:"orderBottom"` // the first way to order's bottom edge, -1 for none
	Ratios      []float64 `json:"ratios"`      // each photo's height over its width
	Eager       []bool    `json:"eager"`       // each photo loads at once
}

const measureScreen = `(() => {
	const order = document.querySelector(".order, .order-typed");
	const imgs = [...document.querySelectorAll(".listing img")];
	return {
		screen: innerHeight,
		orderBottom: order ? order.getBoundingClientRect().bottom : -1,
		ratios: imgs.map(i => { const b = i.getBoundingClientRect(); return b.width ? b.height / b.width : 0; }),
		eager: imgs.map(i => i.loading !== "lazy"),
	};
})()`

// A buyer on a cheap phone (360×640) opens a listing shared on Zalo: how
// to order is on the first screen, above the photos; the first two photos
// load at once. On the market each card's photo keeps a 4:3 frame, so
// nothing moves as photos arrive.
func TestBrowserABuyerOnASmallPhoneSeesHowToOrderFirst(t *testing.T) {
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.markets()
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	b.register(farmer + 1)
	b.listing(farmer+1, "2 tạ", "30k")

	br := newBrowser(t)
	br.do("open the listing on a 360×640 phone", phoneScreen(640), chromedp.Navigate(b.URL+"/cho/"+code))
	br.waitFor("the page and its first photos are loaded", `document.readyState === "complete"`)
	got := eval[onScreen](br, "measure the listing's page", measureScreen)
	t.Logf("the listing's page at 360×640: %+v", got)
	if got.OrderBottom < 0 || got.OrderBottom > got.Screen {
		t.Errorf("the way to order ends at %.0f px, below the first screen of %.0f px", got.OrderBottom, got.Screen)
	}
	if len(got.Eager) != 2 || !got.Eager[0] || !got.Eager[1] {
		t.Errorf("the listing's photos load at once: %v, want both", got.Eager)
	}
	br.screenshot("listing-phone")

	br.do("open the market", chromedp.Navigate(b.URL+"/cho"))
	br.waitFor("the market is loaded", `document.readyState === "complete"`)
	got = eval[onScreen](br, "measure the market", measureScreen)
	t.Logf("the market at 360×640: %+v", got)
	if len(got.Ratios) != 2 {
		t.Fatalf("the market shows %d photos, want 2", len(got.Ratios))
	}
	for i, r := range got.Ratios {
		if math.Abs(r-0.75) > 0.01 {
			t.Errorf("card %d's photo is %.3f as high as wide, want a 4:3 frame", i+1, r)
		}
	}
	if !got.Eager[0] || !got.Eager[1] {
		t.Errorf("the first two cards' photos load at once: %v", got.Eager)
	}
	// Each filter's label is on its select's line, however the form wraps.
	apart := eval[[]float64](br, "measure the filters", `[...document.querySelectorAll("#filters label")].map(l => {
		const a = l.getBoundingClientRect(), s = document.getElementById(l.htmlFor).getBoundingClientRect();
		return Math.abs((a.top + a.bottom) / 2 - (s.top + s.bottom) / 2);
	})`)
	for i, d := range apart {
		if d > 4 {
			t.Errorf("filter %d's label is %.0f px off its select's line", i+1, d)
		}
	}
}
