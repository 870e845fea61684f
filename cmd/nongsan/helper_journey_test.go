package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// helperRegisters has helper register a farmer by typing, up to the
// product question.
func (p *plainBot) helperRegisters(helper, phone, name string) {
	p.t.Helper()
	p.say(helper, "/ban")
	p.say(helper, "Đăng hộ người khác")
	p.say(helper, phone)
	p.say(helper, name)
	p.say(helper, "xã Hữu Kiên, Chi Lăng")
	p.say(helper, "lưu") // typed, as the summary's ✅ Lưu
	p.expect(helper, "assist.created", "Name", name)
}

// buys has buyer order quantity of listing by typing, giving phone the
// first time, and returns the order's code.
func (p *plainBot) buys(buyer, listing, quantity, phone string) string {
	p.t.Helper()
	p.say(buyer, "mua "+listing)
	if phone != "" {
		p.toPhone(buyer, quantity)
		p.answer(buyer, "order.phone", phone, "order.delivery", "giao tận nơi",
			"order.address", "12 Trần Phú, Ba Đình, Hà Nội", "order.note", "bỏ qua")
	} else { // known: her name, number and address are kept
		p.say(buyer, quantity)
		p.answer(buyer, "order.delivery", "nhận tại vườn", "order.note", "bỏ qua")
	}
	before := len(p.received(buyer))
	p.say(buyer, "đặt hàng")
	placed := p.waitAfter(buyer, before, func(s string) bool { return strings.Contains(s, "DH-") })
	return regexp.MustCompile(`DH-[2-9A-HJ-NP-Z]{4}`).FindString(placed)
}

// claims has farmer claim the profile helper registered at phone, with
// the code the helper is sent.
func (p *plainBot) claims(farmer, helper, phone, name string) {
	p.t.Helper()
	p.say(farmer, "/ban")
	p.say(farmer, name)
	p.expect(farmer, "reg.phone")
	p.say(farmer, phone)
	before := len(p.received(helper))
	p.say(farmer, p.number(p.expect(farmer, "claim.offer"), "link.send"))
	sent := p.waitAfter(helper, before, func(s string) bool { return strings.HasPrefix(s, "🔐") })
	p.say(farmer, regexp.MustCompile(`\b\d{6}\b`).FindString(sent))
	p.expect(farmer, "claim.done", "Name", name)
	p.expect(helper, "claim.claimed", "Name", name, "Channel", "plain")
}

// Once a farmer takes over the profile a helper registered, what the
// helper posted for her is hers alone: the helper no longer lists the
// listing in /tin nor its orders in /don, cannot answer an order of it
// (typed or by its number) and is told the farmer answers it, and never
// reads the buyer's phone number; the farmer, told of the order waiting
// since before the claim, answers it, and one placed after it.
func TestAClaimedFarmersListingsAndOrdersAreHersAlone(t *testing.T) {
	t.Parallel()
	p := startPlain(t, func(env map[string]string) { env["MODERATORS"] = "plain:h1" })
	const helper, mai, buyer = "h1", "mai", "buyer"
	const maiPhone, buyerPhone = "0987 654 321", "0911 222 333"
	p.helperRegisters(helper, maiPhone, "Hoàng Thị Mai")
	_, listing := p.publish(helper, "300 kg", "30k")
	before := p.buys(buyer, listing, "50 kg", buyerPhone)
	p.wait(helper, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, before) })

	p.claims(mai, helper, maiPhone, "Hoàng Thị Mai")
	p.wait(mai, func(s string) bool {
		return strings.Contains(s, "🛒 Có 1 đơn mua đang chờ anh/chị trả lời. Anh/chị gõ /don để xem nhé.")
	})
	p.say(mai, "huỷ")
	after := p.buys(buyer, listing, "20 kg", "")
	p.wait(mai, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, after) })
	seen := len(p.received(helper))

	p.say(helper, "/tin")
	p.expect(helper, "mine.none")
	p.say(helper, "/don")
	p.expect(helper, "orders.none")
	for _, code := range []string{before, after} {
		p.say(helper, "nhận "+code)
		p.expect(helper, "orders.farmer_answers", "Name", "Hoàng Thị Mai", "Code", code)
	}
	p.say(helper, listing) // her listing's code typed alone shows it to its seller only
	if strings.Contains(p.last(helper), "Đổi giá") {
		t.Fatalf("the helper can still change the farmer's listing:\n%s", p.last(helper))
	}
	p.say(helper, "ngừng bán "+listing) // typed, as the listing's ⛔ Ngừng bán
	p.expect(helper, "mine.gone")
	var open int
	queryRow(t, p.b.Env["DATABASE_URL"], `SELECT count(*) FROM listings WHERE code = $1 AND status = 'active'`, []any{listing}, &open)
	if open != 1 {
		t.Fatal("the helper stopped selling the listing the farmer took over")
	}

	// The farmer answers both, and the buyer reads her number.
	for _, code := range []string{before, after} {
		p.say(mai, "nhận "+code)
		p.wait(mai, func(s string) bool {
			return strings.HasPrefix(s, "✅ Anh/chị đã nhận đơn "+code) && strings.Contains(s, buyerPhone)
		})
		p.wait(buyer, func(s string) bool {
			return strings.Contains(s, code) && strings.Contains(s, "Số điện thoại nhà vườn: "+maiPhone)
		})
	}
	for _, m := range p.received(helper)[seen:] {
		if strings.Contains(m, buyerPhone) {
			t.Fatalf("the helper read the buyer's number after the claim:\n%s", m)
		}
	}
	if got := count(t, p.b.Env["DATABASE_URL"], `SELECT count(*) FROM orders WHERE status = 'accepted'`); got != 2 {
		t.Fatalf("%d orders accepted, want the farmer's 2", got)
	}
}

// A helper who posts for several farmers reads, in every order notice,
// whose goods were ordered: an order for Mai arriving while she writes a
// listing for Tú names Mai, her acceptance says Mai's number went to the
// buyer (not hers), /don names Mai, and Tú's listing goes on where it was;
// /ban typed to switch farmers says it is Tú's listing that is kept.
func TestAHelperListingForOneFarmerReadsWhoseOrderArrives(t *testing.T) {
	t.Parallel()
	p := startPlain(t, func(env map[string]string) { env["MODERATORS"] = "plain:h1" })
	const helper, buyer = "h1", "buyer"
	p.helperRegisters(helper, "0987 654 321", "Hoàng Thị Mai")
	_, listing := p.publish(helper, "300 kg", "30k")
	p.helperRegisters(helper, "0987 654 322", "Lương Văn Tú")
	p.say(helper, "na chi lang")
	p.expect(helper, "sell.photos")

	code := p.buys(buyer, listing, "50 kg", "0911 222 333")
	notice := p.wait(helper, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") })
	if !strings.Contains(notice, "🤝 Hàng của Hoàng Thị Mai, anh/chị đăng hộ.") {
		t.Fatalf("the order notice does not say whose goods were ordered:\n%s", notice)
	}
	p.say(helper, "nhận "+code)
	accepted := p.wait(helper, func(s string) bool { return strings.HasPrefix(s, "✅ Anh/chị đã nhận đơn "+code) })
	if !strings.Contains(accepted, "Em đã gửi số điện thoại của Hoàng Thị Mai cho Hoàng Văn buyer") {
		t.Fatalf("the helper is not told the buyer has the farmer's number:\n%s", accepted)
	}
	p.wait(buyer, func(s string) bool { return strings.Contains(s, "Số điện thoại nhà vườn: 0987 654 321") })
	p.expect(helper, "sell.photos") // Tú's listing, asked again where it was
	p.say(helper, "/ban")           // to post for someone else: told whose listing is kept, and how
	p.wait(helper, func(s string) bool {
		return strings.HasPrefix(s, "📝 Anh/chị đang viết dở tin bán Na Chi Lăng cho Lương Văn Tú") &&
			strings.Contains(s, "hay đăng cho người khác")
	})
	p.expect(helper, "sell.photos")

	p.say(helper, "/don")
	if list := p.last(helper); !strings.Contains(list, "Bán 50 kg Na Chi Lăng của Hoàng Thị Mai") {
		t.Fatalf("/don does not name the farmer:\n%s", list)
	}
}

// At a commune meeting a helper registers farmers one after another; a
// digit typed wrong in one's number is seen on the summary and corrected
// there, the name and address she typed kept: no profile is left at the
// wrong number (whose holder could take it, and buyers would call), and
// the same farmer typed again is found, not registered twice.
func TestAHelperCorrectsAMistypedNumberBeforeSaving(t *testing.T) {
	t.Parallel()
	p := startPlain(t, func(env map[string]string) { env["MODERATORS"] = "plain:h1" })
	const helper = "h1"
	p.helperRegisters(helper, "0987 654 321", "Hoàng Thị Mai")
	p.say(helper, "huỷ")

	p.say(helper, "/ban")
	p.say(helper, "Đăng hộ người khác")
	p.say(helper, "0987 654 332") // Tú's is 0987 654 322
	p.say(helper, "Lương Văn Tú")
	p.say(helper, "xã Hữu Kiên, Chi Lăng")
	check := p.expect(helper, "assist.check", "Name", "Lương Văn Tú", "Phone", "0987 654 332", "Place", "xã Hữu Kiên, Chi Lăng", "Found", false)
	p.say(helper, p.number(check, "profile.field_phone"))
	p.expect(helper, "assist.phone")
	p.say(helper, "0987 654 322")
	check = p.expect(helper, "assist.check", "Name", "Lương Văn Tú", "Phone", "0987 654 322", "Place", "xã Hữu Kiên, Chi Lăng", "Found", false)
	p.say(helper, p.number(check, "assist.save"))
	p.expect(helper, "assist.created", "Name", "Lương Văn Tú")
	p.say(helper, "huỷ")
	url := p.b.Env["DATABASE_URL"]
	if count(t, url, `SELECT count(*) FROM sellers WHERE phone_e164 = '+84987654332'`) != 0 ||
		count(t, url, `SELECT count(*) FROM sellers WHERE phone_e164 = '+84987654322' AND name = 'Lương Văn Tú'`) != 1 {
		t.Fatal("Tú is not saved at the corrected number alone")
	}

	// Mai again, typed as on her paper: found, not registered twice.
	p.say(helper, "/ban")
	p.say(helper, "Đăng hộ người khác")
	p.say(helper, "0987.654.321")
	p.expect(helper, "sell.product")
	if n := count(t, url, `SELECT count(*) FROM sellers`); n != 2 {
		t.Fatalf("%d farmers saved, want Mai and Tú", n)
	}
}

// A farmer who takes over her profile on Telegram by sharing her contact
// (no code) is told of the order waiting for her answer, and the helper
// who registered her is told she now posts and answers orders herself.
func TestAFarmerWhoSharesHerContactTakesOverAndTheHelperIsTold(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	const helper, mai, buyer = int64(7507), int64(8507), int64(9507)
	env["MODERATORS"] = "telegram:" + itoa(helper)
	b := startBot(t, tg, env)
	b.markets()
	b.registerMai(helper)
	code := b.publish(helper)
	b.Say(buyer, deepLink(code))
	b.Say(buyer, "50 kg")
	b.Tap(buyer, "keep")
	b.Post(b.Up.Contact(buyer, buyer, "+84911222333"))
	b.Say(buyer, "giao tận nơi")
	b.Say(buyer, "12 Trần Phú, Ba Đình, Hà Nội")
	b.Say(buyer, "bỏ qua")
	b.Place(buyer)
	b.notice(helper, "🛒 Đơn mới")

	b.Say(mai, "/ban")
	b.Tap(mai, "keep")
	b.Post(b.Up.Contact(mai, mai, "84987654321"))
	b.Say(mai, "xã Hữu Kiên, Chi Lăng")
	b.Tap(mai, "skip")
	b.Tap(mai, "skip")
	b.expect(mai, "sell.product")
	b.notice(mai, "🛒 Có 1 đơn mua đang chờ anh/chị trả lời.")
	// Named as she gave her name (her Telegram name, kept).
	b.notice(helper, text(t, "vi", "claim.claimed", "Name", "Nông dân 8507", "Channel", "Telegram"))
}
