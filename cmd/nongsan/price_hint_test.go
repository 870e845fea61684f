package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// seedNaPrices stores listings of na in Chi Lăng by two other farmers this
// week: 22.000 đ/kg, 2.500.000 đ/tạ (25.000 đ/kg) and 28.000 đ/kg.
func seedNaPrices(t *testing.T, db *postgres.DB) {
	t.Helper()
	ctx := context.Background()
	sellers := make([]flows.Seller, 2)
	for i := range sellers {
		sellers[i] = flows.Seller{Name: "Cúc", Phone: "+8491100000" + itoa(int64(i)), Commune: "xã Quang Lang", Area: "chi_lang"}
		if err := db.SaveSeller(ctx, &sellers[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range []vn.Price{{VND: 22_000, Per: vn.UnitKg}, {VND: 2_500_000, Per: vn.UnitTa}, {VND: 28_000, Per: vn.UnitKg}} {
		s := sellers[i%2]
		q := vn.Quantity{Milli: 500_000, Unit: p.Per}
		if _, err := db.CreateListing(ctx, &flows.Listing{SellerID: s.ID, Channel: flows.Telegram, ProductKey: "na-chi-lang",
			Product: "Na Chi Lăng", Photos: []string{"p"}, Quantity: q, Remaining: q.Milli, Price: p, PriceTyped: "giá",
			Ready: time.Now(), Status: flows.Active, Seller: s}, "seed:price:"+itoa(int64(i)), nil); err != nil {
			t.Fatal(err)
		}
	}
}

// The price question shows the recent prices of na in Chi Lăng once other
// farmers have sold it there, a price far outside them is questioned
// naming them, and the summary shows them too; before, no hint. Over
// Telegram and over Zalo.
func TestThePriceQuestionShowsTheAreasRecentPrices(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	tgEnv := orderEnv(t, tg)
	tgBot := startBot(t, tg, tgEnv)
	zEnv := zaloEnv(orderEnv(t, tg), zs)
	z := startZaloWith(t, tg, zs, zEnv)

	hint := text(t, "vi", "price_hint.range", "Area", "Chi Lăng", "Low", "22.000", "High", "28.000", "Unit", "kg",
		"Listings", 3, "Orders", 0)
	if hint != "Giá gần đây ở Chi Lăng: 22.000–28.000 đ/kg (3 tin)" {
		t.Fatalf("the hint reads %q", hint)
	}
	toPrice := func(p *typist, farmer string) {
		p.say(farmer, "na chi lang")
		p.expect(farmer, "sell.photos")
		p.c.sendPhoto(farmer, "photo-1", "")
		p.say(farmer, "xong")
		p.say(farmer, "5 tạ")
	}
	script := func(p *typist, db *postgres.DB) {
		const farmer = "4101"
		p.register(farmer, "0912 888 777")
		toPrice(p, farmer)
		p.expect(farmer, "sell.price", "Unit", "kg", "Hint", "")
		if strings.Contains(p.last(farmer), "📊") {
			t.Errorf("a hint without data: %q", p.last(farmer))
		}
		p.say(farmer, "/huy")

		seedNaPrices(t, db)
		p.say(farmer, "/ban")
		p.expect(farmer, "sell.product")
		toPrice(p, farmer)
		p.expect(farmer, "sell.price", "Unit", "kg", "Hint", hint)
		p.say(farmer, "250k") // a zero too many
		ask := p.expect(farmer, "price_hint.check", "Price", "250.000 đ/kg", "Hint", hint)
		p.say(farmer, p.choose(ask, "choice.retype"))
		p.expect(farmer, "sell.price", "Unit", "kg", "Hint", hint)
		p.say(farmer, "10k") // under half the low: questioned too
		ask = p.expect(farmer, "price_hint.check", "Price", "10.000 đ/kg", "Hint", hint)
		p.say(farmer, p.choose(ask, "choice.yes")) // a farmer may sell cheap
		p.expect(farmer, "sell.ready")
		p.say(farmer, "hôm nay")
		p.say(farmer, "bỏ qua")
		if summary := p.last(farmer); !strings.Contains(summary, "10.000 đ/kg") || !strings.Contains(summary, "📊 "+hint) {
			t.Errorf("the summary has no hint: %q", summary)
		}
	}
	script(&typist{t: t, c: tgTypist{tgBot}}, openDB(t, tgEnv))
	script(z.typist, openDB(t, zEnv))
}
