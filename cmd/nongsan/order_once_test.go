package main

import (
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// "mua NS-7K2Q 20kg giao Hà Nội" typed privately: the order holds the
// quantity and the address; only the name, phone and note are asked.
// Over Telegram and Zalo.
func TestABuyerWhoWritesTheOrderInOneMessageIsAskedOnlyTheRest(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	tgBot := startBot(t, tg, orderEnv(t, tg))
	z := startZaloWith(t, tg, zs, zaloEnv(orderEnv(t, tg), zs))
	script := func(p *typist) {
		const farmer, buyer = "5101", "5102"
		p.register(farmer, "0912 888 777")
		_, code := p.publish(farmer, "2 tạ", "25k")
		p.say(buyer, "mua "+code+" 20kg giao Hà Nội nhé")
		name := p.c.name(buyer)
		ask := p.expect(buyer, "order.name", "Name", name)
		p.say(buyer, p.choose(ask, "reg.name_keep", "Name", name))
		p.answer(buyer, "order.phone", "0987 654 321", "order.note", "bỏ qua")
		summary := p.last(buyer)
		if !strings.Contains(summary, "20 kg × 25.000 đ/kg") || !strings.Contains(summary, "Hà Nội") {
			t.Fatalf("summary: %q", summary)
		}
		// More than is left: told so, then asked, as at the question.
		p.say(buyer, "huỷ")
		p.say(buyer, "mua "+code+" 3 tạ")
		p.expect(buyer, "order.quantity", "Remaining", "2 tạ", "Unit", "tạ", "Price", "25.000 đ/kg")
		if msgs := p.c.received(buyer); !strings.HasPrefix(msgs[len(msgs)-2], text(t, "vi", "order.only_left", "Remaining", "2 tạ")) {
			t.Errorf("before the question: %q", msgs[len(msgs)-2])
		}
		// Two amounts that disagree: the first is confirmed, not taken.
		p.say(buyer, "huỷ")
		p.say(buyer, "mua "+code+" 1 tạ (10kg)")
		ask = p.expect(buyer, "order_once.quantity_check", "Quantity", "1 tạ")
		p.say(buyer, p.choose(ask, "choice.yes"))
		p.expect(buyer, "order.name", "Name", name)
	}
	script(&typist{t: t, c: tgTypist{tgBot}})
	script(z.typist)
}

// Where there are no deep links, the group's reply to "mua NS-7K2Q 20kg"
// asks the buyer to write the code with the quantity privately, and says
// nothing of it.
func TestWithoutDeepLinksTheGroupReplyAsksForTheQuantityPrivately(t *testing.T) {
	t.Parallel()
	p := startPlain(t)
	const group, farmer, buyer = "g-all", "f3", "b3"
	p.post(bottest.Update{Chat: group, Group: "Chợ Lạng Sơn", User: "admin", Admin: true, Text: "/dangky"})
	p.expect(group, "group.registered_all")
	p.register(farmer, "0912 888 775")
	_, code := p.publish(farmer, "50 kg", "25k")
	p.wait(group, func(s string) bool { return strings.Contains(s, code) }) // the post, which goes on its own
	before := len(p.c.received(group))
	p.post(bottest.Update{Chat: group, Group: "Chợ Lạng Sơn", User: buyer, Text: "mua " + code + " 20kg giao Hà Nội, số mình 0987654321"})
	reply := p.waitAfter(group, before, func(s string) bool { return strings.Contains(s, code) })
	if !strings.Contains(reply, text(t, "vi", "order_once.by_text", "Code", code)) ||
		strings.Contains(reply, "20kg") || strings.Contains(reply, "20 kg") || strings.Contains(reply, "Hà Nội") ||
		strings.Contains(reply, "0987") {
		t.Fatalf("reply in the group: %q", reply)
	}
}
