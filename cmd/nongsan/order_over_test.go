package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// A farmer who answers a new order with "hết hàng rồi" or "không bán nữa"
// is asked about that order, on Telegram and on Zalo, rather than shown
// her listing (which left the order waiting till it timed out, the buyer
// told nothing): ❌ Từ chối: hết hàng declines it as Hết hàng (the buyer
// told, the listing sold out); ✅ Nhận đơn accepts it.
func TestSoldOutSaidWhileAnOrderWaitsAnswersTheOrder(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	tgBot := startBot(t, tg, orderEnv(t, tg))
	z := startZaloWith(t, tg, zs, zaloEnv(orderEnv(t, tg), zs))

	script := func(p *typist, db string) {
		const farmer, a, b = "4721", "4722", "4723"
		statuses := func(table string) string {
			return strings.Join(rows(t, db, `SELECT status FROM `+table+` ORDER BY id`), " ")
		}
		p.register(farmer, "0912 888 727")
		_, code := p.publish(farmer, "2 tạ", "27k")

		// "không bán nữa", then she still sells it after all: accepted.
		p.say(a, "mua "+code)
		first := p.order(a, "30 kg")
		p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, first) })
		p.say(farmer, "không bán nữa")
		ask := p.expect(farmer, "orders.over_one", "Code", first, "Quantity", "30 kg", "Product", "Na Chi Lăng",
			"Name", p.c.name(a), "ListingCode", code, "SoldOut", false)
		if got := statuses("orders"); got != "[pending]" {
			t.Fatalf("orders after \"không bán nữa\": %v", got)
		}
		p.say(farmer, p.choose(ask, "order.accept"))
		p.wait(a, func(s string) bool { return strings.Contains(s, first) && strings.Contains(s, "0912 888 727") })

		// "hết hàng rồi": declined as Hết hàng, the listing sold out.
		p.say(b, "mua "+code)
		second := p.order(b, "20 kg")
		p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, second) })
		p.say(farmer, "Hết hàng rồi ạ")
		ask = p.expect(farmer, "orders.over_one", "Code", second, "Quantity", "20 kg", "Product", "Na Chi Lăng",
			"Name", p.c.name(b), "ListingCode", code, "SoldOut", true)
		if got := statuses("orders"); got != "[accepted] [pending]" {
			t.Fatalf("orders after \"hết hàng rồi\": %v", got)
		}
		p.say(farmer, p.choose(ask, "orders.over_decline", "SoldOut", true))
		p.wait(b, func(s string) bool {
			return strings.HasPrefix(s, "😔") && strings.Contains(s, second) && strings.Contains(s, "Hết hàng")
		})
		if got := statuses("orders"); got != "[accepted] [declined]" {
			t.Fatalf("orders: %v", got)
		}
		if got := statuses("listings"); got != "[sold_out]" {
			t.Fatalf("the listing after Hết hàng: %v", got)
		}
	}
	script(&typist{t: t, c: tgTypist{tgBot}}, tgBot.Env["DATABASE_URL"])
	script(z.typist, z.b.Env["DATABASE_URL"])
}

// Words the bot does not understand ("chưa chín ạ"), or a voice note,
// from a farmer whose order waits for her answer get the order's question
// again (✅ Nhận đơn / ❌ Từ chối), on Telegram and on Zalo, not the menu,
// which left the order waiting till it timed out.
func TestWordsNotUnderstoodWhileAnOrderWaitsAskAboutTheOrder(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	tgBot := startBot(t, tg, orderEnv(t, tg))
	z := startZaloWith(t, tg, zs, zaloEnv(orderEnv(t, tg), zs))

	script := func(p *typist, db string) {
		const farmer, a = "4731", "4732"
		p.register(farmer, "0912 888 737")
		_, code := p.publish(farmer, "2 tạ", "27k")
		p.say(a, "mua "+code)
		first := p.order(a, "30 kg")
		p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, first) })
		p.say(farmer, "chưa chín ạ")
		p.expect(farmer, "unclear.text", "Task", true)
		ask := p.expect(farmer, "orders.confirm", "Code", first, "Quantity", "30 kg", "Product", "Na Chi Lăng",
			"Name", p.c.name(a), "Total", "810.000 đ")
		if got := strings.Join(rows(t, db, `SELECT status FROM orders`), " "); got != "[pending]" {
			t.Fatalf("orders after words not understood: %v", got)
		}
		p.say(farmer, p.choose(ask, "order.accept"))
		p.wait(a, func(s string) bool { return strings.Contains(s, first) && strings.Contains(s, "0912 888 737") })
	}
	script(&typist{t: t, c: tgTypist{tgBot}}, tgBot.Env["DATABASE_URL"])
	script(z.typist, z.b.Env["DATABASE_URL"])

	// A voice note: the same question.
	b, _, _, notice := pendingOrder(t)
	if code := b.Post(b.Up.Media(farmer, farmer, "voice", "")); code != http.StatusOK {
		t.Fatal(code)
	}
	ask := waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "🛒 Đơn "+orderCodeIn(notice.Text)) }, 1)[0]
	if msgs := b.Sent(farmer); msgs[len(msgs)-2].Text != text(t, "vi", "unclear.voice", "Task", true) {
		t.Fatalf("a voice note with an order waiting: %q", msgs[len(msgs)-2].Text)
	}
	if len(ask.Data) != 2 {
		t.Fatalf("the order's question again has buttons %q", ask.Data)
	}
}

// "đã gửi" (and "gửi hàng rồi"), as farmers say they sent the goods,
// marks her accepted order delivered as 🚚 Đã giao hàng does: the buyer
// is told. Before, "đã gửi" got "Em chưa hiểu" and the menu.
func TestDaGuiMarksTheAcceptedOrderDelivered(t *testing.T) {
	t.Parallel()
	b, _, _, notice := pendingOrder(t)
	code := orderCodeIn(notice.Text)
	b.Tap(farmer, notice.Data[0]) // ✅ Nhận đơn
	b.Say(farmer, "Đã gửi ạ")
	waitSent(t, b, buyer, func(s sent) bool { return strings.HasPrefix(s.Text, "🚚") && strings.Contains(s.Text, code) }, 1)
	if got := strings.Join(rows(t, b.Env["DATABASE_URL"], `SELECT status FROM orders`), " "); got != "[shipping]" {
		t.Fatalf("the order after \"đã gửi\": %v", got)
	}
}

// A buyer whose order was accepted and who asks how to pay ("stk", "số tài
// khoản") gets that order's VietQR again, as its 💳 Mã thanh toán would;
// before, nothing at all. Before the farmer accepts, nothing of hers.
func TestABuyerAskingForTheAccountGetsTheAcceptedOrdersPayment(t *testing.T) {
	t.Parallel()
	b, tg, _, notice := pendingOrder(t)
	code := orderCodeIn(notice.Text)
	b.Say(buyer, "stk")
	b.expect(buyer, "menu.buyer_title")
	b.Tap(farmer, notice.Data[0]) // ✅ Nhận đơn
	b.Say(buyer, "cho xin số tài khoản ạ")
	// The QR of the acceptance, then the one asked for.
	qrs := 0
	for n := 1; qrs < 2; n++ {
		qrs = 0
		for _, c := range tg.WaitCalls(t, "sendPhoto", n) {
			if c.ChatID == itoa(buyer) && strings.HasPrefix(c.Params["caption"], "💳 Trả tiền đơn "+code) {
				qrs++
			}
		}
	}
}

// A buyer who types that he paid ("đã chuyển khoản rồi ạ") after the
// farmer accepted is heard: the farmer reads who says he paid which order
// and how much, to check her account, and the buyer that she was told.
// The order stays accepted (only she can see the money came). Before she
// accepts, the words tell her nothing.
func TestABuyerWhoSaysHePaidIsHeardByTheFarmer(t *testing.T) {
	t.Parallel()
	b, _, _, notice := pendingOrder(t)
	code := orderCodeIn(notice.Text)
	paidNotice := func(s sent) bool {
		return strings.HasPrefix(s.Text, "💳 Người mua") && strings.Contains(s.Text, code)
	}

	b.Say(buyer, "đã chuyển khoản")
	b.expect(buyer, "menu.buyer_title")
	b.Tap(farmer, notice.Data[0]) // ✅ Nhận đơn
	waitSent(t, b, buyer, func(s sent) bool { return strings.Contains(s.Text, code) && strings.Contains(s.Text, "0912") }, 1)

	b.Say(buyer, "Đã chuyển khoản rồi ạ")
	told := waitSent(t, b, farmer, paidNotice, 1)
	if len(told) != 1 || !strings.Contains(told[0].Text, "500.000 đ") || !strings.Contains(told[0].Text, "xem tài khoản") {
		t.Errorf("the farmer was told %+v, want who paid %s, 500.000 đ, and to check her account", told, code)
	}
	waitSent(t, b, buyer, func(s sent) bool {
		return strings.HasPrefix(s.Text, "✅ Em đã báo nhà vườn") && strings.Contains(s.Text, "đã trả tiền đơn "+code+" (500.000 đ)")
	}, 1)
	if got := rows(t, b.Env["DATABASE_URL"], `SELECT status FROM orders`); strings.Join(got, " ") != "[accepted]" {
		t.Errorf("the order is %v after the buyer said he paid, want accepted", got)
	}
}

// With two orders accepted, "đã ck" asks which was paid; the farmer hears
// of the one picked.
func TestABuyerWithTwoAcceptedOrdersPicksTheOneHePaid(t *testing.T) {
	t.Parallel()
	b, _, code, first := pendingOrder(t)
	b.Say(buyer, deepLink(code))
	b.Say(buyer, "30 kg")
	b.expect(buyer, "order.delivery") // her name and phone are known by now
	b.Tap(buyer, "pickup")
	b.Tap(buyer, "skip")
	b.Place(buyer)
	second := waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "🛒 Đơn mới") }, 2)[1]
	b.Tap(farmer, first.Data[0]) // ✅ Nhận đơn
	b.Tap(farmer, second.Data[0])
	paid := orderCodeIn(second.Text)

	b.Say(buyer, "đã ck")
	pick := waitSent(t, b, buyer, func(s sent) bool {
		return strings.HasPrefix(s.Text, "Anh/chị có 2 đơn đã được nhà vườn nhận")
	}, 1)[0]
	if len(pick.Data) != 2 || !strings.Contains(pick.Text, orderCodeIn(first.Text)) || !strings.Contains(pick.Text, paid) {
		t.Fatalf("the buyer was asked %+v, want both orders to pick", pick)
	}
	row := 0 // the orders' buttons come in the order of the list's lines
	if strings.Index(pick.Text, paid) > strings.Index(pick.Text, orderCodeIn(first.Text)) {
		row = 1
	}
	b.Tap(buyer, pick.Data[row])
	told := waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "💳 Người mua") }, 1)
	if len(told) != 1 || !strings.Contains(told[0].Text, paid) || !strings.Contains(told[0].Text, "750.000 đ") {
		t.Errorf("the farmer was told %+v, want order %s paid, 750.000 đ", told, paid)
	}
}
