package main

import (
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// A farmer who refuses an order and names her price ("không bán giá đó,
// 30k mới bán", "ko bán giá 25k") declines it, on Telegram and on Zalo:
// the buyer reads the price in the bot's words ("Nhà vườn không bán giá
// đó, chỉ bán 30.000 đ/kg"), the farmer what he read and that her listing
// still says 27.000 đ/kg. Above the order's price it is hers; at or below
// it, the price she refuses. With two orders waiting she picks which; at
// the question why she declines, "30k mới bán" alone is her price.
func TestAFarmerRefusesAnOrderNamingHerPrice(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	tgBot := startBot(t, tg, orderEnv(t, tg))
	z := startZaloWith(t, tg, zs, zaloEnv(orderEnv(t, tg), zs))

	script := func(p *typist, db string) {
		const farmer, a, b, c = "4701", "4702", "4703", "4704"
		reasons := func() string {
			return strings.Join(rows(t, db, `SELECT status || ' ' || reason_key || ' ' || reason FROM orders ORDER BY id`), " ")
		}
		p.register(farmer, "0912 888 707")
		_, code := p.publish(farmer, "2 tạ", "27k")

		p.say(a, "mua "+code)
		first := p.order(a, "30 kg")
		p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, first) })
		before := len(p.c.received(farmer))
		p.say(farmer, "Không bán giá đó, 30k mới bán ạ")
		told := p.waitAfter(farmer, before, func(s string) bool { return strings.HasPrefix(s, "❌ Anh/chị đã từ chối đơn "+first) })
		for _, want := range []string{"Em nhắn người mua: Nhà vườn không bán giá đó, chỉ bán 30.000 đ/kg.",
			"Tin bán " + code + " vẫn để giá 27.000 đ/kg. Muốn đổi giá, anh/chị gõ /tin nhé."} {
			if !strings.Contains(told, want) {
				t.Fatalf("the farmer was told %q, without %q", told, want)
			}
		}
		p.wait(a, func(s string) bool {
			return strings.Contains(s, first) && strings.Contains(s, "Lý do: Nhà vườn không bán giá đó, chỉ bán 30.000 đ/kg.")
		})
		if got := reasons(); got != "[declined price 30000/kg]" {
			t.Fatalf("orders after her price: %v", got)
		}

		// Two orders waiting: she picks the one she refuses.
		p.say(b, "mua "+code)
		second := p.order(b, "20 kg")
		p.say(c, "mua "+code)
		third := p.order(c, "10 kg")
		before = len(p.c.received(farmer))
		p.say(farmer, "ko bán giá 25k")
		pick := p.waitAfter(farmer, before, func(s string) bool { return strings.Contains(s, "Anh/chị từ chối đơn nào ạ?") })
		if !strings.Contains(pick, "em sẽ báo người mua giá anh/chị nói: 25.000 đ.") || !strings.Contains(pick, second) ||
			!strings.Contains(pick, third) {
			t.Fatalf("the orders to refuse at 25k: %q", pick)
		}
		p.say(farmer, p.choose(pick, "orders.awaiting_choice", "Decline", true, "Code", third, "Quantity", "10 kg", "Product", "Na Chi Lăng"))
		p.wait(c, func(s string) bool {
			return strings.Contains(s, third) && strings.Contains(s, "Lý do: Nhà vườn không bán giá 25.000 đ/kg.")
		})

		// At the question why, her price alone.
		p.say(farmer, "từ chối")
		p.expect(farmer, "order.decline_reason", "Code", second)
		p.say(farmer, "30k mới bán")
		p.wait(b, func(s string) bool {
			return strings.Contains(s, second) && strings.Contains(s, "Lý do: Nhà vườn không bán giá đó, chỉ bán 30.000 đ/kg.")
		})
		want := "[declined price 30000/kg] [declined price 30000/kg] [declined price_refused 25000/kg]"
		if got := reasons(); got != want {
			t.Fatalf("orders: %v, want %v", got, want)
		}

		// With no order waiting, the words are no refusal: nothing declined.
		p.say(farmer, "không bán 30k")
		if got := reasons(); got != want {
			t.Fatalf("orders after the words with none waiting: %v", got)
		}
	}
	script(&typist{t: t, c: tgTypist{tgBot}}, tgBot.Env["DATABASE_URL"])
	script(z.typist, z.b.Env["DATABASE_URL"])
}

// A farmer who says the lowest price she sells at ("không bán dưới 20k",
// "không bán ít, 30k") while an order waits refuses no order on those
// words, on Telegram and on Zalo. An order at or above it is still hers to
// accept: she is asked, ✅ Nhận đơn or ❌ Từ chối, and the buyer gets her
// phone once she accepts. One below it is asked about with two choices;
// ❌ Không bán giá 27.000 đ/kg declines it, the buyer reading her price.
// Her price said alone ("30k mới bán"), above the order's, is asked about
// the same way; before, it opened a new listing.
func TestAFarmersLowestPriceRefusesNoOrderOnItsOwn(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	tgBot := startBot(t, tg, orderEnv(t, tg))
	z := startZaloWith(t, tg, zs, zaloEnv(orderEnv(t, tg), zs))

	script := func(p *typist, db string) {
		const farmer, a, b, c = "4711", "4712", "4713", "4714"
		statuses := func() string {
			return strings.Join(rows(t, db, `SELECT status || ' ' || reason_key || ' ' || reason FROM orders ORDER BY id`), " ")
		}
		p.register(farmer, "0912 888 717")
		_, code := p.publish(farmer, "2 tạ", "27k")

		// At or above her lowest price: asked to accept, nothing declined.
		p.say(a, "mua "+code)
		first := p.order(a, "30 kg")
		p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, first) })
		p.say(farmer, "không bán dưới 20k")
		ask := p.expect(farmer, "orders.least_met", "Code", first, "Quantity", "30 kg", "Product", "Na Chi Lăng",
			"Name", p.c.name(a), "Price", "27.000 đ/kg", "Least", "20.000 đ/kg")
		if got := statuses(); got != "[pending  ]" {
			t.Fatalf("orders after her lowest price below the order's: %v", got)
		}
		p.say(farmer, p.choose(ask, "order.accept"))
		p.wait(a, func(s string) bool { return strings.Contains(s, first) && strings.Contains(s, "0912 888 717") })

		// Below it: asked with two choices, declined only by hers.
		p.say(b, "mua "+code)
		second := p.order(b, "20 kg")
		p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, second) })
		p.say(farmer, "Không bán ít, 30k")
		ask = p.expect(farmer, "orders.least_below", "Code", second, "Quantity", "20 kg", "Product", "Na Chi Lăng",
			"Name", p.c.name(b), "Price", "27.000 đ/kg", "Least", "30.000 đ/kg", "From", true)
		if got := statuses(); got != "[accepted  ] [pending  ]" {
			t.Fatalf("orders after her lowest price above the order's: %v", got)
		}
		p.say(farmer, p.choose(ask, "orders.least_decline", "Price", "27.000 đ/kg"))
		p.wait(b, func(s string) bool {
			return strings.Contains(s, second) && strings.Contains(s, "Lý do: Nhà vườn không bán giá đó, chỉ bán 30.000 đ/kg.")
		})
		for _, m := range p.c.received(b) {
			if strings.Contains(m, "0912 888 717") {
				t.Fatalf("the buyer of a declined order read the farmer's phone: %q", m)
			}
		}
		if got := statuses(); got != "[accepted  ] [declined price 30000/kg]" {
			t.Fatalf("orders: %v", got)
		}

		// Her price alone ("30k mới bán") may be meant for the listing:
		// asked the same, and she still sells this one at 27.000 đ/kg.
		p.say(c, "mua "+code)
		third := p.order(c, "10 kg")
		p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, third) })
		p.say(farmer, "30k mới bán")
		ask = p.expect(farmer, "orders.least_below", "Code", third, "Quantity", "10 kg", "Product", "Na Chi Lăng",
			"Name", p.c.name(c), "Price", "27.000 đ/kg", "Least", "30.000 đ/kg", "From", false)
		p.say(farmer, p.choose(ask, "orders.least_accept", "Price", "27.000 đ/kg"))
		p.wait(c, func(s string) bool { return strings.Contains(s, third) && strings.Contains(s, "0912 888 717") })
		if got := statuses(); got != "[accepted  ] [declined price 30000/kg] [accepted  ]" {
			t.Fatalf("orders after her price alone: %v", got)
		}
	}
	script(&typist{t: t, c: tgTypist{tgBot}}, tgBot.Env["DATABASE_URL"])
	script(z.typist, z.b.Env["DATABASE_URL"])
}
