package main

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// groupShows waits until a post of listing code in group (sent, or
// edited since) shows every one of texts.
func groupShows(t *testing.T, tg *telegramtest.Server, group int64, code string, texts ...string) {
	t.Helper()
	waitFor(t, "the post of "+code+" in "+itoa(group)+" showing "+strings.Join(texts, ", "), func() bool {
		for _, c := range tg.Calls() {
			if c.ChatID != itoa(group) || c.Status != http.StatusOK {
				continue
			}
			shown := c.Params["caption"] + c.Params["text"] + c.Params["media"]
			if strings.Contains(shown, code) && !slices.ContainsFunc(texts, func(s string) bool { return !strings.Contains(shown, s) }) {
				return true
			}
		}
		return false
	})
}

// expectFarmer: the helper is shown the summary of a farmer she
// registered, as ✏️ Sửa hồ sơ shows it, with the code and account too.
func (b *testBot) expectFarmer(helper int64, name, phone, place, code, bank string) sent {
	b.t.Helper()
	check := b.expect(helper, "assist.check", "Name", name, "Phone", phone, "Place", place, "Found", true,
		"GrowingCode", code, "Bank", bank, "Press", "bấm")
	if !slices.Equal(check.Buttons, []string{"✅ Lưu", "👤 Tên", "📍 Địa chỉ", "🏷 Mã số vùng trồng", "🏦 Ngân hàng"}) {
		b.t.Fatalf("the farmer's summary offers %v", check.Buttons)
	}
	return check
}

// A helper's /nhavuon lists the farmers she registered who do not use the
// bot themselves: not one who took her profile over, not another
// helper's. She opens one, corrects her name and adds her growing-area
// code, and the posts of every listing of that farmer on sale show them,
// the one another helper posted for her too.
func TestAHelperListsTheFarmersSheRegisteredAndCorrectsOne(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	const helper, other = int64(7407), int64(7408)
	env["MODERATORS"] = "telegram:" + itoa(helper) + ",telegram:" + itoa(other)
	b := startBot(t, tg, env)
	b.markets()
	b.registerMai(helper)
	mine := b.publish(helper)

	// Another helper posts for Mai too, and registers a farmer of her own.
	b.Say(other, "/ban")
	b.Tap(other, "for:other")
	b.Say(other, "0987 654 321")
	b.expect(other, "sell.product")
	theirs := b.publish(other)
	b.Say(other, "/ban")
	b.Tap(other, "for:other")
	b.Say(other, "0977 111 222")
	b.Say(other, "Hoàng Thị Hoa")
	b.Say(other, "xã Quang Lang, Chi Lăng")
	b.Tap(other, b.Last(other).Data[0]) // ✅ Lưu
	b.expect(other, "sell.product")
	b.Say(other, "huỷ")

	// The helper registers Tú, who then writes to the bot himself and
	// takes his profile by sharing his contact.
	b.Say(helper, "/ban")
	b.Tap(helper, "for:other")
	b.Say(helper, "0388 123 456")
	b.Say(helper, "Lương Văn Tú")
	b.Say(helper, "xã Bắc Sơn, Bắc Sơn")
	b.Tap(helper, b.Last(helper).Data[0]) // ✅ Lưu
	b.expect(helper, "sell.product")
	b.Say(helper, "huỷ")
	const tu = int64(8408)
	b.Say(tu, "/ban")
	b.Tap(tu, "keep")
	b.Post(b.Up.Contact(tu, tu, "84388123456"))
	b.Say(tu, "xã Bắc Sơn, Bắc Sơn")
	b.Tap(tu, "skip")
	b.Tap(tu, "skip")
	b.expect(tu, "sell.product")

	for _, code := range []string{mine, theirs} {
		groupShows(t, tg, chiLangMarket, code, "Nhà vườn: Hoàng Thị Mai")
	}
	b.Say(helper, "/nhavuon")
	list := b.expect(helper, "farmers.pick", "Count", 1, "Page", 1, "Pages", 0, "Search", "", "Many", false, "Press", "bấm")
	if !slices.Equal(list.Buttons, []string{"Hoàng Thị Mai · 0987 654 321"}) {
		t.Fatalf("the helper's farmers: %v", list.Buttons)
	}
	mai := list.Data[0]
	b.Tap(helper, mai)
	check := b.expectFarmer(helper, "Hoàng Thị Mai", "0987 654 321", "xã Hữu Kiên, Chi Lăng", "", "")
	b.Tap(helper, check.Data[1]) // 👤 Tên
	b.expect(helper, "assist.name")
	b.Say(helper, "Hoàng Thị Mây")
	check = b.expectFarmer(helper, "Hoàng Thị Mây", "0987 654 321", "xã Hữu Kiên, Chi Lăng", "", "")
	b.Tap(helper, check.Data[3]) // 🏷 Mã số vùng trồng
	b.expect(helper, "farmers.code", "Press", "bấm")
	b.Say(helper, "vn-lsor-0012")
	check = b.expectFarmer(helper, "Hoàng Thị Mây", "0987 654 321", "xã Hữu Kiên, Chi Lăng", "VN-LSOR-0012", "")
	if !sellerNamed(t, b, "+84987654321", "Hoàng Thị Mai") {
		t.Fatal("the farmer was changed before ✅ Lưu")
	}
	b.Tap(helper, check.Data[0]) // ✅ Lưu
	b.expect(helper, "assist.corrected", "Name", "Hoàng Thị Mây")
	if !sellerNamed(t, b, "+84987654321", "Hoàng Thị Mây") {
		t.Fatal("the farmer is not saved as Hoàng Thị Mây")
	}
	for _, group := range []int64{chiLangMarket, allMarket} {
		for _, code := range []string{mine, theirs} {
			groupShows(t, tg, group, code, "Nhà vườn: Hoàng Thị Mây", "Mã số vùng trồng (cho người mua xuất khẩu): VN-LSOR-0012")
		}
	}

	// The other helper's list holds her own farmer only.
	b.Say(other, "/nhavuon")
	list = b.expect(other, "farmers.pick", "Count", 1, "Page", 1, "Pages", 0, "Search", "", "Many", false, "Press", "bấm")
	if !slices.Equal(list.Buttons, []string{"Hoàng Thị Hoa · 0977 111 222"}) {
		t.Fatalf("the other helper's farmers: %v", list.Buttons)
	}
	// Mai's button, from the first helper's list, opens nothing for her.
	b.Tap(other, mai)
	if got := idOf(t, b.Last(other).Text); got == "assist.check" {
		t.Fatal("another helper opened the farmer's profile")
	}
}

// A helper with many farmers goes through them a page at a time and
// finds one by typing part of her name or the last digits of her number.
// Someone who is no helper is refused; a helper without farmers is told
// how to register one; /help tells helpers of /nhavuon.
func TestAHelperFindsAFarmerByNameOrNumberAndOthersAreRefused(t *testing.T) {
	t.Parallel()
	b := withModerator(t)
	const helper, farmer, newHelper = int64(7507), int64(7508), int64(7509)
	b.grant(t, helper, "helper")
	b.grant(t, newHelper, "helper")
	b.Say(helper, "/help")
	if got := b.Sent(helper); !containsText(got, text(t, "vi", "help.helper", "Press", "bấm")) ||
		containsText(got, text(t, "vi", "help.moderator")) {
		t.Fatalf("a helper's /help: %+v", got)
	}
	b.Say(newHelper, "/nhavuon")
	b.expect(newHelper, "farmers.none", "Press", "bấm")

	names := []string{"Hoàng Thị Mai", "Lương Văn Tú", "Nông Văn Bảy", "Hà Thị Lan", "Vi Văn Hùng", "Lộc Thị Hoa",
		"Hoàng Văn Lâm", "Triệu Thị Xuân", "Lăng Văn Tài", "Mã Thị Thu", "Chu Văn Sơn"}
	phones := []string{"0987 654 321", "0388 123 456", "0912 000 003", "0912 000 004", "0912 000 005", "0912 000 006",
		"0912 000 007", "0912 000 008", "0912 000 009", "0912 000 010", "0912 000 011"}
	for i, name := range names {
		b.Say(helper, "/ban")
		b.Tap(helper, "for:other")
		b.Say(helper, phones[i])
		b.Say(helper, name)
		b.Say(helper, "xã Hữu Kiên, Chi Lăng")
		b.Tap(helper, b.Last(helper).Data[0]) // ✅ Lưu
		b.expect(helper, "sell.product")
	}
	b.Say(helper, "huỷ")

	b.Say(helper, "/nhavuon")
	list := b.expect(helper, "farmers.pick", "Count", 11, "Page", 1, "Pages", 2, "Search", "", "Many", true, "Press", "bấm")
	if len(list.Buttons) != 11 || list.Buttons[0] != "Chu Văn Sơn · 0912 000 011" || list.Buttons[10] != "Trang sau ▶" {
		t.Fatalf("the first page, the last registered first: %v", list.Buttons)
	}
	b.Tap(helper, "page:next")
	list = b.expect(helper, "farmers.pick", "Count", 11, "Page", 2, "Pages", 2, "Search", "", "Many", true, "Press", "bấm")
	if !slices.Equal(list.Buttons, []string{"Hoàng Thị Mai · 0987 654 321", "◀ Trang trước"}) {
		t.Fatalf("the second page: %v", list.Buttons)
	}
	b.Say(helper, "hoang")
	list = b.expect(helper, "farmers.pick", "Count", 2, "Page", 1, "Pages", 0, "Search", "hoang", "Many", true, "Press", "bấm")
	if !slices.Equal(list.Buttons, []string{"Hoàng Văn Lâm · 0912 000 007", "Hoàng Thị Mai · 0987 654 321", "↩️ Cả danh sách"}) {
		t.Fatalf("found by name: %v", list.Buttons)
	}
	b.Say(helper, "654 321")
	list = b.expect(helper, "farmers.pick", "Count", 1, "Page", 1, "Pages", 0, "Search", "654 321", "Many", true, "Press", "bấm")
	b.Tap(helper, list.Data[0])
	b.expectFarmer(helper, "Hoàng Thị Mai", "0987 654 321", "xã Hữu Kiên, Chi Lăng", "", "")

	// Not a helper: a farmer, then a helper whose role is taken back.
	b.Say(farmer, "/nhavuon")
	b.expect(farmer, "farmers.refused")
	if _, err := pgExec(b, `DELETE FROM user_roles WHERE user_id = (SELECT id FROM users WHERE platform_id = $1)`, itoa(helper)); err != nil {
		t.Fatal(err)
	}
	b.Say(helper, "/nhavuon")
	b.expect(helper, "farmers.refused")
}

// On Zalo, where choices are a numbered list, a helper picks a farmer by
// her number in the list and adds her bank account by the numbers too.
func TestAZaloHelperPicksAFarmerByNumber(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	p := z.typist
	const helper = "mod-0001"
	for _, f := range []struct{ phone, name string }{{"0987 654 321", "Hoàng Thị Mai"}, {"0388 123 456", "Lương Văn Tú"}} {
		p.say(helper, "/ban")
		p.say(helper, p.choose(p.expect(helper, "assist.for_whom"), "assist.for_other"))
		p.answer(helper, "assist.phone", f.phone, "assist.name", f.name, "assist.commune", "xã Hữu Kiên, Chi Lăng")
		check := p.expect(helper, "assist.check", "Name", f.name, "Phone", f.phone, "Place", "xã Hữu Kiên, Chi Lăng", "Found", false)
		p.say(helper, p.choose(check, "assist.save"))
		p.expect(helper, "assist.created", "Name", f.name)
		p.say(helper, "huỷ")
	}

	p.say(helper, "/nhavuon")
	list := p.expect(helper, "farmers.pick", "Count", 2, "Page", 1, "Pages", 0, "Search", "", "Many", false)
	p.say(helper, p.number(list, "farmers.item", "Name", "Hoàng Thị Mai", "Phone", "0987 654 321"))
	check := p.expect(helper, "assist.check", "Name", "Hoàng Thị Mai", "Phone", "0987 654 321", "Place", "xã Hữu Kiên, Chi Lăng",
		"Found", true, "GrowingCode", "", "Bank", "")
	p.say(helper, p.number(check, "profile.field_bank"))
	p.answer(helper, "farmers.bank", "agribank", "farmers.account", "1234 5678 9012")
	p.expect(helper, "reg.holder", "Holder", "HOANG THI MAI")
	p.say(helper, "1")
	check = p.expect(helper, "assist.check", "Name", "Hoàng Thị Mai", "Phone", "0987 654 321", "Place", "xã Hữu Kiên, Chi Lăng",
		"Found", true, "GrowingCode", "", "Bank", "Agribank 123456789012 (HOANG THI MAI)")
	p.say(helper, p.number(check, "assist.save"))
	p.expect(helper, "assist.corrected", "Name", "Hoàng Thị Mai")
	if n := count(t, z.b.Env["DATABASE_URL"], `SELECT count(*) FROM sellers WHERE phone_e164 = '+84987654321'
		AND bank_name = 'Agribank' AND bank_account = '123456789012' AND bank_holder = 'HOANG THI MAI'`); n != 1 {
		t.Fatal("the farmer's account is not saved")
	}
}
