package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// The farmer answers the 🛒 Đơn mới notice's own question ("Anh/chị có nhận
// đơn này không ạ?") in words, on Telegram and on Zalo. A yes ("có", "ok",
// "đồng ý", "được", "có nhận", the polite "vâng", "dạ", "có em") asks back
// "Nhận đơn DH-… ạ?" with ✅ Nhận đơn and ❌ Từ chối, and accepts nothing
// by itself; a yes to that question
// accepts. A no ("không", "không nhận", "từ chối ạ") asks the reason, as ❌
// Từ chối does. With two orders waiting, a yes or "Nhận ạ" lists them.
func TestTheFarmerAnswersTheNewOrdersQuestionInWords(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	tgBot := startBot(t, tg, orderEnv(t, tg))
	z := startZaloWith(t, tg, zs, zaloEnv(orderEnv(t, tg), zs))

	script := func(p *typist, db string) {
		const farmer = "3301"
		statuses := func() string {
			return strings.Join(rows(t, db, `SELECT status FROM orders ORDER BY id`), " ")
		}
		p.register(farmer, "0912 888 777")
		_, code := p.publish(farmer, "2 tạ", "27k")
		p.say("3302", "mua "+code)
		orderCode := p.order("3302", "30 kg")
		p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, orderCode) })
		question := "Nhận đơn " + orderCode + " ạ?"

		var confirm string
		for _, yes := range []string{"có", "ok", "đồng ý", "được", "có nhận", "Có", "Vâng", "Dạ", "Vâng ạ", "Dạ vâng", "Có em"} {
			before := len(p.c.received(farmer))
			p.say(farmer, yes)
			confirm = p.waitAfter(farmer, before, func(s string) bool { return strings.Contains(s, question) })
			if got := statuses(); got != "[pending]" {
				t.Fatalf("%q alone changed the order: %v", yes, got)
			}
			p.say(farmer, "huỷ")
		}
		for _, no := range []string{"không", "không nhận", "Từ chối ạ", "Không nhận ạ"} {
			p.say(farmer, no)
			p.expect(farmer, "order.decline_reason", "Code", orderCode)
			p.say(farmer, "huỷ")
			if got := statuses(); got != "[pending]" {
				t.Fatalf("%q then huỷ changed the order: %v", no, got)
			}
		}
		// The question asked back is answered: the order is accepted.
		before := len(p.c.received(farmer))
		p.say(farmer, "có")
		p.waitAfter(farmer, before, func(s string) bool { return strings.Contains(s, question) })
		p.say(farmer, p.choose(confirm, "order.accept"))
		p.wait("3302", func(s string) bool { return strings.HasPrefix(s, "🎉") && strings.Contains(s, orderCode) })

		// Two orders waiting: a yes lists them.
		for _, buyer := range []string{"3303", "3304"} {
			p.say(buyer, "mua "+code)
			p.order(buyer, "20 kg")
		}
		before = len(p.c.received(farmer))
		p.say(farmer, "ok")
		p.waitAfter(farmer, before, func(s string) bool { return strings.HasPrefix(s, "Anh/chị đang có 2 đơn chờ trả lời") })
		if got := statuses(); got != "[accepted] [pending] [pending]" {
			t.Fatalf("orders after the list: %v", got)
		}
		// Her verb said politely lists them too, to choose which.
		for _, accept := range []string{"Nhận ạ", "nhận đơn nha"} {
			before = len(p.c.received(farmer))
			p.say(farmer, accept)
			p.waitAfter(farmer, before, func(s string) bool { return strings.HasPrefix(s, "Anh/chị đang có 2 đơn chờ trả lời") })
		}
		if got := statuses(); got != "[accepted] [pending] [pending]" {
			t.Fatalf("orders after the polite verbs: %v", got)
		}
	}
	script(&typist{t: t, c: tgTypist{tgBot}}, tgBot.Env["DATABASE_URL"])
	script(z.typist, z.b.Env["DATABASE_URL"])

	// On Telegram the question asked back has the order's two buttons.
	var asked *sent
	for _, s := range tgBot.Sent(3301) {
		if strings.HasPrefix(s.Text, "🛒 Đơn DH-") {
			asked = &s
		}
	}
	if asked == nil || !slices.Equal(asked.Buttons, []string{text(t, "vi", "order.accept"), text(t, "vi", "order.decline")}) ||
		len(asked.Data) != 2 || !strings.HasPrefix(asked.Data[0], "ord:accept:") || !strings.HasPrefix(asked.Data[1], "ord:decline:") {
		t.Errorf("the question asked back on Telegram: %+v", asked)
	}
}
