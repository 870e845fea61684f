package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// received is what chat received after its first skip messages, joined.
func (p *typist) received(chat string, skip int) string {
	return strings.Join(p.c.received(chat)[skip:], "\n")
}

// A farmer who left a task for over SESSION_TTL answers the new order's
// question with a bare word, on Telegram and on Zalo: after the "task left
// too long" notice, "có" asks back "Nhận đơn DH-… ạ?" as it does between
// tasks, instead of the menu while the order's time runs on; with two
// orders waiting, "ok" lists them. Nothing is accepted by a yes alone.
func TestABareYesAfterATaskExpiredAnswersTheWaitingOrder(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	tgBot := startBot(t, tg, orderEnv(t, tg))
	z := startZaloWith(t, tg, zs, zaloEnv(orderEnv(t, tg), zs))
	expired := strings.SplitN(text(t, "vi", "session.expired"), "\n", 2)[0]

	script := func(p *typist, db string) {
		const farmer = "3401"
		statuses := func() string {
			return strings.Join(rows(t, db, `SELECT status FROM orders ORDER BY id`), " ")
		}
		// leave starts a task (/hoso) and lets it go untouched past
		// SESSION_TTL.
		leave := func() {
			before := len(p.c.received(farmer))
			p.say(farmer, "/hoso")
			p.waitAfter(farmer, before, func(string) bool { return true })
			p.leave(farmer, goneQuiet)
		}
		p.register(farmer, "0912 888 777")
		_, code := p.publish(farmer, "2 tạ", "27k")
		p.say("3402", "mua "+code)
		orderCode := p.order("3402", "30 kg")
		p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, orderCode) })

		leave()
		before := len(p.c.received(farmer))
		p.say(farmer, "có")
		p.waitAfter(farmer, before, func(s string) bool { return strings.Contains(s, "Nhận đơn "+orderCode+" ạ?") })
		if got := p.received(farmer, before); !strings.Contains(got, expired) {
			t.Errorf("after the task expired, có said %q: not that the task is gone", got)
		}
		if got := statuses(); got != "[pending]" {
			t.Fatalf("có alone changed the order: %v", got)
		}

		// Two orders waiting: a yes lists them, after the notice.
		p.say("3403", "mua "+code)
		second := p.order("3403", "20 kg")
		p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, second) })
		leave()
		before = len(p.c.received(farmer))
		p.say(farmer, "ok")
		list := p.waitAfter(farmer, before, func(s string) bool { return strings.HasPrefix(s, "Anh/chị đang có 2 đơn chờ trả lời") })
		if !strings.Contains(list, orderCode) || !strings.Contains(list, second) {
			t.Errorf("the orders listed: %q", list)
		}
		if got := p.received(farmer, before); !strings.Contains(got, expired) {
			t.Errorf("after the task expired, ok said %q: not that the task is gone", got)
		}
		if got := statuses(); got != "[pending] [pending]" {
			t.Fatalf("ok alone changed the orders: %v", got)
		}
	}
	script(&typist{t: t, c: tgTypist{tgBot}}, tgBot.Env["DATABASE_URL"])
	script(z.typist, z.b.Env["DATABASE_URL"])
}

// The renewal question ("…Anh/chị có muốn bán thêm 7 ngày không ạ?")
// answered in words, on Telegram and on Zalo, when it is the latest
// question the bot asked: "không" says the listing ends as planned and
// changes nothing, "có" sells it 7 more days; with two listings asked,
// "có" lists them to choose. Between tasks ❓ gets the help, not the warm
// word that 👍 gets.
func TestTheFarmerAnswersTheRenewalQuestionInWords(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	env := func() map[string]string {
		env := orderEnv(t, tg)
		env["LISTING_TTL"] = "24h1s" // expires tomorrow: the renewal question comes at once
		return env
	}
	tgBot := startBot(t, tg, env())
	z := startZaloWith(t, tg, zs, zaloEnv(env(), zs))
	thanks := strings.SplitN(text(t, "vi", "unclear.thanks"), "\n", 2)[0]

	script := func(p *typist, db string) {
		const farmer = "3501"
		expires := func() []string {
			return rows(t, db, `SELECT code || ' ' || (expires_at > now() + interval '6 days') FROM listings ORDER BY id`)
		}
		asked := func(code string) {
			p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "⏳") && strings.Contains(s, code) })
		}
		p.register(farmer, "0912 777 666")
		_, code := p.publish(farmer, "2 tạ", "27k")
		asked(code)

		before := len(p.c.received(farmer))
		p.say(farmer, "Không ạ")
		p.waitAfter(farmer, before, func(s string) bool {
			return strings.Contains(s, "kết thúc như dự kiến") && strings.Contains(s, code)
		})
		if got := expires(); !slices.Equal(got, []string{"[" + code + " false]"}) {
			t.Fatalf("không changed the listing: %v", got)
		}

		before = len(p.c.received(farmer))
		p.say(farmer, "❓")
		p.expect(farmer, "menu.title")
		if got := p.received(farmer, before); strings.Contains(got, thanks) {
			t.Errorf("❓ was taken for thanks: %q", got)
		}
		p.say(farmer, "👍")
		p.expect(farmer, "unclear.thanks")

		before = len(p.c.received(farmer))
		p.say(farmer, "có")
		p.waitAfter(farmer, before, func(s string) bool { return strings.HasPrefix(s, "✅ Đã sửa tin bán "+code) })
		if got := expires(); !slices.Equal(got, []string{"[" + code + " true]"}) {
			t.Fatalf("có did not sell the listing 7 more days: %v", got)
		}

		// Two listings asked about at once (by the morning's tick, here
		// after both were published): "có" asks which.
		var codes []string
		for _, q := range []string{"3 tạ", "4 tạ"} {
			p.say(farmer, "/ban")
			_, c := p.publish(farmer, q, "27k")
			asked(c)
			codes = append(codes, c)
		}
		rows(t, db, `UPDATE listings SET renew_asked_at = now(), renew_question_at = now() WHERE renew_asked_at IS NOT NULL`)
		before = len(p.c.received(farmer))
		p.say(farmer, "có")
		which := p.waitAfter(farmer, before, func(s string) bool { return strings.HasPrefix(s, "Anh/chị có 2 tin bán sắp hết hạn") })
		if !strings.Contains(which, codes[0]) || !strings.Contains(which, codes[1]) || strings.Contains(which, code) {
			t.Errorf("the listings asked which: %q (want %v)", which, codes)
		}
		p.say(farmer, "bán thêm "+codes[1])
		p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "✅ Đã sửa tin bán "+codes[1]) })
		if got := expires(); !slices.Equal(got, []string{"[" + code + " true]", "[" + codes[0] + " false]", "[" + codes[1] + " true]"}) {
			t.Fatalf("listings after choosing one: %v", got)
		}
	}
	script(&typist{t: t, c: tgTypist{tgBot}}, tgBot.Env["DATABASE_URL"])
	script(z.typist, z.b.Env["DATABASE_URL"])
}

// A farmer who left a listing unfinished (the resume question waits for
// her) and got a new order after she left answers the order with a bare
// word: the newer question wins. "Có" asks back "Nhận đơn DH-… ạ?", not
// "làm tiếp tin này không ạ?"; "không", "không" ask why she declines and
// never drop her draft, which goes on after "huỷ" at that question.
func TestABareWordAnswersAnOrderThatCameAfterAListingWasLeft(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	p := &typist{t: t, c: tgTypist{b}}
	db := b.Env["DATABASE_URL"]
	const farmer = "3601"
	const resume = "làm tiếp tin này" // the listing's question, "làm tiếp tin này không ạ?"
	p.register(farmer, "0912 888 772")
	_, code := p.publish(farmer, "2 tạ", "27k")
	p.say(farmer, "/ban")
	p.say(farmer, "quýt bắc sơn")
	p.expect(farmer, "sell.photos")
	p.leave(farmer, goneQuiet) // she leaves the listing; the order comes after
	p.say("3602", "mua "+code)
	orderCode := p.order("3602", "30 kg")
	p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, orderCode) })

	before := len(p.c.received(farmer))
	p.say(farmer, "Có")
	p.waitAfter(farmer, before, func(s string) bool { return strings.Contains(s, "Nhận đơn "+orderCode+" ạ?") })
	if got := p.received(farmer, before); strings.Contains(got, resume) {
		t.Errorf("Có to the newer order asked about the listing left: %q", got)
	}
	for _, no := range []string{"không", "không"} {
		p.say(farmer, no)
		p.expect(farmer, "order.decline_reason", "Code", orderCode)
	}
	p.say(farmer, "huỷ")
	p.expect(farmer, "sell.photos")
	if got := rows(t, db, `SELECT status FROM orders`); !slices.Equal(got, []string{"[pending]"}) {
		t.Fatalf("the order after có, không, không, huỷ: %v", got)
	}
}
