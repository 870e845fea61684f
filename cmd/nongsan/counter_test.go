package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
	"github.com/nongsan-bot/nongsan/flows/vietqr"
)

var orderCodePattern = regexp.MustCompile(`DH-[2-9A-HJ-NP-Z]{4}`)

// A farmer who declines an order saying "không bán, 30k mới bán" gives the
// buyer her price to take: under the decline, ✅ Mua giá 30.000 đ/kg
// places the same order again at 30k (same quantity, same address), which
// she receives marked as at the price she asked, total at that price. A
// double tap places one order. Accepted, the buyer's payment QR is for the
// total at 30k; her /don shows the order at her price; the listing keeps
// its own price.
func TestABuyerTakesTheFarmersPriceInOneTap(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.markets()
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")

	b.order(buyer, code, "10 kg")
	b.Place(buyer)
	first := orderCodePattern.FindString(b.Finished(buyer).Text)
	b.notice(farmer, "🛒 Đơn mới: 10 kg")
	b.Say(farmer, "không bán, 30k mới bán")
	if told := b.notice(farmer, "❌ Anh/chị đã từ chối đơn "+first).Text; !strings.Contains(told,
		"Em nhắn người mua: Nhà vườn không bán giá đó, chỉ bán 30.000 đ/kg. Người mua đồng ý giá đó thì em gửi anh/chị đơn mới ạ.") {
		t.Fatalf("the farmer, declining at her price: %q", told)
	}

	offer := b.notice(buyer, "💬")
	for _, want := range []string{"10 kg Na Chi Lăng × 30.000 đ/kg, tổng 300.000 đ", "Giao đến: 12 Trần Phú, Ba Đình, Hà Nội"} {
		if !strings.Contains(offer.Text, want) {
			t.Fatalf("the buyer's offer lacks %q:\n%s", want, offer.Text)
		}
	}
	if len(offer.Buttons) != 1 || offer.Buttons[0] != "✅ Mua giá 30.000 đ/kg" || !strings.HasPrefix(offer.Data[0], "ord:counter:") {
		t.Fatalf("the offer's buttons: %q %q", offer.Buttons, offer.Data)
	}

	// Tapped twice: one order.
	before := len(b.Sent(buyer))
	b.Tap(buyer, offer.Data[0])
	b.Tap(buyer, offer.Data[0])
	msgs := b.Sent(buyer)[before:]
	var placed, again string
	for _, m := range msgs {
		switch {
		case strings.HasPrefix(m.Text, "✅ Em đã gửi đơn"):
			placed = m.Text
		case strings.HasPrefix(m.Text, "Anh/chị đã đặt đơn"):
			again = m.Text
		}
	}
	second := orderCodePattern.FindString(placed)
	if second == "" || second == first || !strings.Contains(placed, "10 kg Na Chi Lăng, tổng 300.000 đ.") ||
		!strings.Contains(placed, "💬 Đúng giá nhà vườn nói: 30.000 đ/kg.") {
		t.Fatalf("the buyer, after taking her price: %q", placed)
	}
	if want := "Anh/chị đã đặt đơn " + second + " giá 30.000 đ/kg rồi ạ: 10 kg Na Chi Lăng, tổng 300.000 đ"; !strings.HasPrefix(again, want) {
		t.Fatalf("the second tap: %q, want %q…", again, want)
	}
	db := b.Env["DATABASE_URL"]
	got := strings.Join(rows(t, db, `SELECT o.code || ' ' || o.status || ' ' || o.total_vnd || ' ' || coalesce(o.price_vnd::text, '-') || ' '
		|| coalesce(d.code, '-') FROM orders o LEFT JOIN orders d ON d.id = o.counter_of ORDER BY o.id`), " | ")
	if want := "[" + first + " declined 250000 25000 -] | [" + second + " pending 300000 30000 " + first + "]"; got != want {
		t.Fatalf("orders: %s\nwant    %s", got, want)
	}
	if left := rows(t, db, `SELECT remaining_milli || ' ' || price_vnd FROM listings`); left[0] != "[490000 25000]" {
		t.Fatalf("the listing after the order at her price: %v", left)
	}

	// The farmer reads it as an order at her price, once.
	news := waitSent(t, b, farmer, func(s sent) bool {
		return strings.Contains(s.Text, second) && strings.HasPrefix(s.Text, "🛒 Đơn mới")
	}, 1)
	if len(news) != 1 || !strings.HasPrefix(news[0].Text, "🛒 Đơn mới: 10 kg Na Chi Lăng, tổng 300.000 đ\n"+
		"💬 Đúng giá anh/chị đưa ra: 30.000 đ/kg. Người mua đồng ý giá này sau khi anh/chị từ chối đơn "+first+".\n") {
		t.Fatalf("the farmer's new order at her price: %+v", news)
	}
	b.Tap(farmer, news[0].Data[0]) // ✅ Nhận đơn
	accepted := waitSent(t, b, buyer, func(s sent) bool { return strings.HasPrefix(s.Text, "🎉") }, 1)[0]
	if !strings.Contains(accepted.Text, second) || !strings.Contains(accepted.Text, "tổng 300.000 đ") {
		t.Fatalf("the acceptance: %q", accepted.Text)
	}
	var qr telegramtest.Call
	for n := 1; qr.Files == nil; n++ {
		for _, c := range tg.WaitCalls(t, "sendPhoto", n) {
			if c.ChatID == itoa(buyer) && strings.Contains(c.Params["caption"], second) {
				qr = c
			}
		}
	}
	want, err := vietqr.Payload(vietqr.Transfer{BIN: "970405", Account: "123456789012", Amount: 300_000, Purpose: second + " " + code})
	if payload := decodeQR(t, qr.Files["photo"].Bytes); err != nil || payload != want {
		t.Fatalf("the QR to pay: %q\nwant          %q (%v)", payload, want, err)
	}
	if !strings.Contains(qr.Params["caption"], "300.000 đ") {
		t.Fatalf("the QR's caption: %q", qr.Params["caption"])
	}

	// Her /don shows the order at her price.
	b.Say(farmer, "/don")
	b.Tap(farmer, b.Last(farmer).Data[0]) // the newest
	if detail := b.Finished(farmer).Text; !strings.Contains(detail, second) ||
		!strings.Contains(detail, "10 kg Na Chi Lăng × 30.000 đ/kg (giá anh/chị đưa ra), tổng 300.000 đ") {
		t.Fatalf("the farmer's /don: %q", detail)
	}
}

// The farmer's price is taken only while the listing sells as it did: its
// price changed since, the buyer is told the new one and how to order at
// it; stopped, that it ended. Nobody else can take the buyer's offer.
func TestTheFarmersPriceIsNotTakenOnceTheListingChanged(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	db := b.Env["DATABASE_URL"]
	const other = int64(2003)

	declined := func(user int64) sent {
		t.Helper()
		b.order(user, code, "10 kg")
		b.Place(user)
		placed := orderCodePattern.FindString(b.Finished(user).Text)
		b.notice(farmer, "🛒 Đơn mới: 10 kg")
		b.Say(farmer, "tu choi "+placed)
		b.Say(farmer, "30k mới bán")
		return b.notice(user, "💬")
	}
	offer, otherOffer := declined(buyer), declined(other)

	// Someone else's tap does nothing.
	b.Tap(other, offer.Data[0])
	b.expect(other, "orders.gone")

	if _, err := pgExec(b, `UPDATE listings SET price_vnd = 28000 WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	b.Tap(buyer, offer.Data[0])
	b.expect(buyer, "order.counter_price_changed", "Product", "Na Chi Lăng", "Code", code, "Price", "28.000 đ/kg")

	if _, err := pgExec(b, `UPDATE listings SET status = 'closed' WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	b.Tap(other, otherOffer.Data[0])
	b.expect(other, "order.ended", "Product", "Na Chi Lăng", "Code", code)
	if n := rows(t, db, `SELECT count(*) FROM orders WHERE counter_of IS NOT NULL`); n[0] != "[0]" {
		t.Fatalf("orders at the farmer's price: %v", n)
	}
}

// On Zalo, without buttons, the buyer takes the farmer's price by typing
// what the offer says: "MUA DH-7K2Q". Typed twice, one order.
func TestAZaloBuyerTakesTheFarmersPriceByTyping(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	z := startZaloWith(t, tg, zs, zaloEnv(orderEnv(t, tg), zs))
	p, db := z.typist, z.b.Env["DATABASE_URL"]
	const farmer, buyer = "4801", "4802"
	p.register(farmer, "0912 888 708")
	_, code := p.publish(farmer, "2 tạ", "27k")
	p.say(buyer, "mua "+code)
	first := p.order(buyer, "30 kg")
	p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, first) })
	p.say(farmer, "không bán giá đó, 30k mới bán")

	offer := p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "💬") })
	for _, want := range []string{"× 30.000 đ/kg, tổng 900.000 đ", "Mua thì anh/chị nhắn MUA " + first,
		"✅ Mua giá 30.000 đ/kg: nhắn MUA " + first} {
		if !strings.Contains(offer, want) {
			t.Fatalf("the offer lacks %q:\n%s", want, offer)
		}
	}
	// Her /don detail of the declined order offers it again, typed.
	p.say(buyer, "/don")
	list := p.wait(buyer, func(s string) bool { return strings.Contains(s, "· "+first) })
	p.say(buyer, regexp.MustCompile(`(?m)^(\d+)\. .*` + first + `$`).FindStringSubmatch(list)[1])
	detail := p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mua "+first) })
	for _, want := range []string{"\n💬 Nhà vườn bán giá 30.000 đ/kg, tổng 900.000 đ. Mua giá này thì anh/chị nhắn MUA " + first + " ạ.",
		"\n✅ Mua giá 30.000 đ/kg: nhắn MUA " + first} {
		if !strings.Contains(detail, want) {
			t.Fatalf("the declined order's detail lacks %q:\n%s", want, detail)
		}
	}

	before := len(p.c.received(buyer))
	p.say(buyer, "mua "+first)
	placed := p.waitAfter(buyer, before, func(s string) bool { return strings.HasPrefix(s, "✅ Em đã gửi đơn") })
	second := orderCodePattern.FindString(placed)
	if !strings.Contains(placed, "tổng 900.000 đ") || second == first {
		t.Fatalf("placed by typing: %q", placed)
	}
	p.say(buyer, "MUA "+first)
	p.expect(buyer, "order.counter_placed", "Code", second, "Price", "30.000 đ/kg", "Quantity", "30 kg",
		"Product", "Na Chi Lăng", "Total", "900.000 đ", "Status", "chờ nhà vườn nhận đơn")
	p.say(buyer, "xem "+first)
	if detail = p.waitAfter(buyer, before, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mua "+first) }); !strings.Contains(detail,
		"\n💬 Anh/chị đã mua giá nhà vườn đưa ra: đơn "+second+".") || strings.Contains(detail, "nhắn MUA") {
		t.Fatalf("the detail once taken:\n%s", detail)
	}
	if n := rows(t, db, `SELECT count(*) || ' ' || sum(total_vnd) FROM orders WHERE counter_of IS NOT NULL`); n[0] != "[1 900000]" {
		t.Fatalf("orders at the farmer's price: %v", n)
	}

	news := p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, second) })
	if !strings.Contains(news, "💬 Đúng giá anh/chị đưa ra: 30.000 đ/kg.") || !strings.Contains(news, "tổng 900.000 đ") {
		t.Fatalf("the farmer's new order: %q", news)
	}
	p.say(farmer, "nhận "+second)
	pay := p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "💳") })
	if !strings.Contains(pay, second) || !strings.Contains(pay, "900.000 đ") {
		t.Fatalf("the payment: %q", pay)
	}
}

// The reminder of an order at the farmer's price, still waiting for her
// answer, says so, as the new order did: she asked that price, the buyer
// took it. A plain order's reminder says nothing of it.
func TestTheFarmerIsRemindedTheOrderIsAtHerPrice(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")

	b.order(buyer, code, "10 kg")
	b.Place(buyer)
	first := orderCodePattern.FindString(b.Finished(buyer).Text)
	b.notice(farmer, "🛒 Đơn mới: 10 kg")
	b.Say(farmer, "không bán, 30k mới bán")
	b.Tap(buyer, b.notice(buyer, "💬").Data[0]) // ✅ Mua giá 30.000 đ/kg
	second := waitSent(t, b, farmer, func(s sent) bool {
		return strings.HasPrefix(s.Text, "🛒 Đơn mới") && strings.Contains(s.Text, "💬")
	}, 1)[0]
	counter := orderCodePattern.FindString(strings.ReplaceAll(second.Text, first, ""))

	// Its time to be reminded has come (the tick looks every 20 ms).
	if n, err := pgExec(b, `UPDATE orders SET remind_at = now() - interval '1 second' WHERE code = $1`, counter); err != nil || n != 1 {
		t.Fatalf("order %s due for its reminder: %d rows (%v)", counter, n, err)
	}
	remind := waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "⏰") }, 1)[0]
	if want := "⏰ Nông dân 2002 đặt 10 kg Na Chi Lăng, tổng 300.000 đ, vẫn đang chờ anh/chị trả lời.\n" +
		"💬 Đúng giá anh/chị đưa ra: 30.000 đ/kg. Người mua đồng ý giá này.\n"; !strings.HasPrefix(remind.Text, want) ||
		!strings.Contains(remind.Text, counter) || len(remind.Data) != 2 {
		t.Fatalf("the reminder of the order at her price:\n%s\nwant it to start\n%s", remind.Text, want)
	}
}

// The buyer's /don detail of an order the farmer declined naming her price
// offers that price again while it can be taken, with the same ✅ Mua giá
// 30.000 đ/kg: she need not find the old message. Once taken, the detail
// says which order was placed at it, and offers it no more.
func TestTheDeclinedOrdersDetailOffersTheFarmersPrice(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	b.order(buyer, code, "10 kg")
	b.Place(buyer)
	first := orderCodePattern.FindString(b.Finished(buyer).Text)
	b.notice(farmer, "🛒 Đơn mới: 10 kg")
	b.Say(farmer, "không bán, 30k mới bán")
	b.notice(buyer, "💬")

	detail := func() sent {
		t.Helper()
		b.Say(buyer, "/don")
		list := b.Last(buyer)
		for i, label := range list.Buttons {
			if strings.Contains(label, first) {
				b.Tap(buyer, list.Data[i])
				return b.Last(buyer)
			}
		}
		t.Fatalf("/don lists no %s: %q", first, list.Buttons)
		return sent{}
	}
	shown := detail()
	if want := "\n💬 Nhà vườn bán giá 30.000 đ/kg, tổng 300.000 đ. Mua giá này thì anh/chị bấm ✅ Mua giá 30.000 đ/kg ạ."; !strings.Contains(shown.Text, want) {
		t.Fatalf("the declined order's detail:\n%s\nwant it to say\n%s", shown.Text, want)
	}
	at := slices.Index(shown.Buttons, "✅ Mua giá 30.000 đ/kg")
	if at < 0 || !strings.HasPrefix(shown.Data[at], "ord:counter:") {
		t.Fatalf("the detail's buttons: %q %q", shown.Buttons, shown.Data)
	}
	before := len(b.Sent(buyer))
	b.Tap(buyer, shown.Data[at])
	var second string
	for _, m := range b.Sent(buyer)[before:] {
		if strings.HasPrefix(m.Text, "✅ Em đã gửi đơn") {
			second = orderCodePattern.FindString(m.Text)
		}
	}
	if second == "" || second == first {
		t.Fatalf("taken from the detail: %+v", b.Sent(buyer)[before:])
	}

	shown = detail()
	if want := "\n💬 Anh/chị đã mua giá nhà vườn đưa ra: đơn " + second + "."; !strings.Contains(shown.Text, want) ||
		slices.Contains(shown.Buttons, "✅ Mua giá 30.000 đ/kg") {
		t.Fatalf("the detail once taken:\n%s\n%q\nwant it to say\n%s", shown.Text, shown.Buttons, want)
	}

	// Declined again, naming another price, the listing's price having
	// changed since: nothing to take, nothing offered.
	if _, err := pgExec(b, `UPDATE listings SET price_vnd = 28000 WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	b.Say(farmer, "tu choi "+second)
	b.Say(farmer, "35k mới bán")
	first = second
	if shown = detail(); strings.Contains(shown.Text, "💬") || len(shown.Buttons) != 1 {
		t.Fatalf("the detail of a price no longer takeable:\n%s\n%q", shown.Text, shown.Buttons)
	}
}
