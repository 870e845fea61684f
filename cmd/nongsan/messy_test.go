package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// A farmer answers as people talk (issue 12, item 4): "dạ 3 tạ ạ" (or "dạ
// 3 tạ na dai ạ"), "hai lăm nghìn", "có sẵn", and a product with its
// qualifier; the summary holds the right values. A buyer types a name after the phone number, and
// the order is in that name. Over Telegram and Zalo.
func TestMessyAnswersReachTheSummary(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	tgBot := startBot(t, tg, orderEnv(t, tg))
	z := startZaloWith(t, tg, zs, zaloEnv(orderEnv(t, tg), zs))
	script := func(p *typist, quantity string) {
		const farmer, buyer = "5201", "5202"
		p.register(farmer, "số em là 0912 888 764 ạ")
		p.expect(farmer, "sell.product")
		p.say(farmer, "na dai")
		p.expect(farmer, "sell.photos")
		p.c.sendPhoto(farmer, "photo-1", "album-1")
		p.say(farmer, "xong")
		p.expect(farmer, "sell.quantity", "Product", "Na dai", "Unit", "kg") // the qualifier kept
		p.say(farmer, quantity)
		p.expect(farmer, "sell.price", "Unit", "kg")
		p.say(farmer, "hai lăm nghìn")
		p.expect(farmer, "sell.ready")
		p.say(farmer, "có sẵn")
		p.expect(farmer, "sell.note")
		p.say(farmer, "bỏ qua")
		today := time.Now().In(vn.Location())
		ready := text(t, "vi", "fmt.date", "Weekday", text(t, "vi", "weekday."+today.Weekday().String()), "Date", today.Format("2/1"))
		summary := p.last(farmer)
		for _, want := range []string{"Na dai — 3 tạ", "25.000 đ/kg", "📅 Có hàng: " + ready} {
			if !strings.Contains(summary, want) {
				t.Fatalf("summary lacks %q:\n%s", want, summary)
			}
		}
		before := len(p.c.received(farmer))
		p.say(farmer, p.choose(summary, "sell.publish"))
		published := p.waitAfter(farmer, before, func(s string) bool { return strings.HasPrefix(s, "✅ Đã") })
		code := regexp.MustCompile(`NS-[2-9A-HJ-NP-Z]{4}`).FindString(published)

		p.say(buyer, "mua "+code)
		p.expect(buyer, "order.quantity", "Remaining", "3 tạ", "Unit", "tạ", "Price", "25.000 đ/kg")
		p.say(buyer, "dạ lấy 20 cân ạ")
		name := p.c.name(buyer)
		ask := p.expect(buyer, "order.name", "Name", name)
		p.say(buyer, p.choose(ask, "reg.name_keep", "Name", name))
		p.answer(buyer, "order.phone", "0987 654 321 chị Lan")
		p.expect(buyer, "order.delivery")
		p.say(buyer, "nhận tại vườn")
		p.answer(buyer, "order.note", "bỏ qua")
		if s := p.last(buyer); !strings.Contains(s, "chị Lan") || strings.Contains(s, name) || !strings.Contains(s, "0987 654 321") {
			t.Fatalf("order summary:\n%s", s)
		}
	}
	script(&typist{t: t, c: tgTypist{tgBot}}, "dạ 3 tạ ạ")
	script(z.typist, "dạ 3 tạ na dai ạ") // the product named again after the amount
}
