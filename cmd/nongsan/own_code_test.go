package main

import (
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// The farmer's own listing code typed alone ("NS-7K2Q", "ns 7k2q") shows
// her that listing to act on, as her post pasted does, instead of "là của
// anh/chị nên không tự đặt mua được". A buyer's bare code still opens the
// order, and "mua" with her own code is still refused.
func TestHerOwnCodeTypedAloneShowsHerListing(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	p := &typist{t: t, c: tgTypist{b}}
	const farmer, buyer = "4301", "4302"
	p.register(farmer, "0912 888 703")
	_, code := p.publish(farmer, "2 tạ", "27k")
	refused := strings.SplitN(text(t, "vi", "order.own_listing", "Code", code), "\n", 2)[0]

	for _, typed := range []string{code, strings.ToLower(strings.Replace(code, "-", " ", 1))} {
		before := len(p.c.received(farmer))
		p.say(farmer, typed)
		p.waitAfter(farmer, before, func(s string) bool { return strings.HasPrefix(s, "📋 Tin bán "+code) })
		if got := p.received(farmer, before); strings.Contains(got, refused) {
			t.Errorf("%q typed by its farmer was refused as an order: %q", typed, got)
		}
	}
	// Her listing's buttons work from there.
	before := len(p.c.received(farmer))
	p.say(farmer, p.choose(p.last(farmer), "mine.act_price"))
	p.waitAfter(farmer, before, func(s string) bool { return strings.Contains(s, "giá") })

	p.say(farmer, "huỷ")
	p.say(farmer, "mua "+code)
	p.expect(farmer, "order.own_listing", "Code", code)

	p.say(buyer, code)
	p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🛒 Còn 2 tạ") })
}
