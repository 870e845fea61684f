package main

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// A farmer registered on Telegram meets the bot on a second channel (Zalo,
// or the text-only test channel) and gives the same phone number.

// linkCode waits for the nth link code sent to a Telegram chat.
func (b *testBot) linkCode(chat int64, n int) string {
	b.t.Helper()
	codes := waitSent(b.t, b, chat, func(s sent) bool { return strings.HasPrefix(s.Text, "🔐") }, n)
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(codes[n-1].Text)
	if code == "" {
		b.t.Fatalf("no code in %q", codes[n-1].Text)
	}
	return code
}

// toLinkOffer opens /hoso as user and types the farmer's number.
func (p *typist) toLinkOffer(user string) {
	p.t.Helper()
	p.say(user, "/hoso")
	ask := p.expect(user, "reg.name", "Name", p.c.name(user))
	p.say(user, p.number(ask, "reg.name_keep", "Name", p.c.name(user)))
	p.expect(user, "reg.phone")
	p.say(user, "0912 888 777")
	p.expect(user, "link.offer", "Channel", "Telegram")
}

// since joins what the bot said in chat after the first skip messages.
func (p *typist) since(chat string, skip int) string {
	return strings.Join(p.c.received(chat)[skip:], "\n")
}

// tgSince joins what the bot said in a Telegram chat after the first skip
// messages, buttons included.
func (b *testBot) tgSince(chat int64, skip int) string {
	var out []string
	for _, m := range b.Sent(chat)[skip:] {
		out = append(out, m.Text, strings.Join(m.Buttons, "\n"))
	}
	return strings.Join(out, "\n")
}

// The whole story, on the text-only test channel and on Zalo.
func TestAFarmerOnTwoChannelsIsOnePersonOnceTheCodeIsTyped(t *testing.T) {
	t.Parallel()
	for _, second := range []struct {
		name  string // as the code's message names it
		start func(t *testing.T) (*typist, *testBot)
		user  string
	}{
		{"plain", func(t *testing.T) (*typist, *testBot) { p := startPlain(t); return p.typist, p.b }, "z1"},
		{"Zalo", func(t *testing.T) (*typist, *testBot) { z := startZalo(t); return z.typist, z.b }, "6ede9afa66b88fe6d6a9"},
	} {
		t.Run(second.name, func(t *testing.T) {
			t.Parallel()
			p, b := second.start(t)
			linkingStory(t, p, b, second.name, second.user)
		})
	}
}

// linkingStory: the farmer, registered on Telegram, writes as z on a
// second channel named here.
func linkingStory(t *testing.T, p *typist, b *testBot, here, z string) {
	b.register(farmer) // on Telegram, as Nông dân 1001 with 0912 888 777
	code := b.listing(farmer, "500 kg", "25k")

	// Without the code, nothing of the Telegram account shows on the
	// second channel: not the name, not the listing, not a profile.
	p.toLinkOffer(z)
	p.say(z, p.number(p.last(z), "link.send"))
	p.expect(z, "link.code_ask", "Channel", "Telegram", "Minutes", 10)
	p.say(z, "/tin")
	p.expect(z, "mine.none")
	p.say(z, "/don")
	p.expect(z, "orders.none")
	p.say(z, "/hoso")
	p.expect(z, "reg.name", "Name", p.c.name(z))
	for _, m := range p.c.received(z) {
		for _, secret := range []string{"Nông dân 1001", code, "1234 5678 9012", "Quang Lang", "912 888 777"} {
			if strings.Contains(m, secret) {
				t.Fatalf("%q of the Telegram account was shown on %s before linking: %q", secret, here, m)
			}
		}
	}

	// The code came to Telegram, saying who asked and what to do if it was
	// not the farmer.
	first := b.linkCode(farmer, 1)
	if want := text(t, "vi", "link.code", "Code", first, "Channel", here, "Minutes", 10); b.Last(farmer).Text != want {
		t.Fatalf("the code message on Telegram: %q\nwant %q", b.Last(farmer).Text, want)
	}

	// Again, a wrong code, then the right one.
	p.say(z, p.number(p.last(z), "reg.name_keep", "Name", p.c.name(z)))
	p.say(z, "0912888777")
	p.expect(z, "link.offer", "Channel", "Telegram")
	p.say(z, "gửi mã")
	right := b.linkCode(farmer, 2)
	wrong := "000000"
	if right == wrong {
		wrong = "999999"
	}
	p.say(z, wrong)
	p.expect(z, "link.wrong", "Channel", "Telegram", "Left", 4)
	p.say(z, right)
	p.wait(z, func(s string) bool { return strings.HasPrefix(s, "✅ Xong rồi ạ!") })
	// The farmer is told on Telegram, in case it was not them.
	notice := text(t, "vi", "link.linked", "Channel", here)
	waitSent(t, b, farmer, func(s sent) bool { return s.Text == notice }, 1)

	// One person now: /hoso and /tin show the same on both.
	for _, cmd := range []struct {
		cmd  string
		want []string
	}{
		{"/hoso", []string{"Nông dân 1001", "0912 888 777", "xã Quang Lang"}},
		{"/tin", []string{code}},
	} {
		before, tgBefore := len(p.c.received(z)), len(b.Sent(farmer))
		p.say(z, cmd.cmd)
		b.Say(farmer, cmd.cmd)
		mine, there := p.since(z, before), b.tgSince(farmer, tgBefore)
		for _, w := range cmd.want {
			if !strings.Contains(mine, w) || !strings.Contains(there, w) {
				t.Errorf("%s: %q on %s %v, on Telegram %v", cmd.cmd, w, here, strings.Contains(mine, w), strings.Contains(there, w))
			}
		}
	}

	// A Telegram buyer orders: the farmer hears of it on the second
	// channel, where they were last seen, and accepts there; the buyer
	// hears of it on Telegram.
	b.order(buyer, code, "50kg")
	b.Say(buyer, "đặt hàng")
	orderCode := regexp.MustCompile(`DH-[2-9A-HJ-NP-Z]{4}`).FindString(b.Finished(buyer).Text)
	p.wait(z, func(s string) bool { return strings.Contains(s, orderCode) })
	p.say(z, "/don")
	p.say(z, "1")
	p.wait(z, func(s string) bool { return strings.Contains(s, ". "+text(t, "vi", "order.accept")) })
	p.say(z, "nhận đơn")
	waitSent(t, b, buyer, func(s sent) bool {
		return strings.HasPrefix(s.Text, "🎉") && strings.Contains(s.Text, "0912 888 777")
	}, 1)

	// And /don shows that order on both.
	before, tgBefore := len(p.c.received(z)), len(b.Sent(farmer))
	p.say(z, "/don")
	b.Say(farmer, "/don")
	if mine, there := p.since(z, before), b.tgSince(farmer, tgBefore); !strings.Contains(mine, orderCode) || !strings.Contains(there, orderCode) {
		t.Errorf("/don after the order: %s %q, Telegram %q", here, mine, there)
	}
	for _, c := range []string{first, right} {
		if strings.Contains(b.Logs.String(), c) {
			t.Errorf("a link code (%s) appears in the logs", c)
		}
	}
}

// ageLinkCodes moves every link code d into the past, as the clock would.
func (b *testBot) ageLinkCodes(d time.Duration) {
	b.t.Helper()
	db, err := postgres.Open(context.Background(), b.Env["DATABASE_URL"])
	if err != nil {
		b.t.Fatal(err)
	}
	defer db.Close()
	for _, sql := range []string{
		`UPDATE link_codes SET created_at = created_at - $1::interval, expires_at = expires_at - $1::interval`,
		`UPDATE link_tries SET at = at - $1::interval`,
	} {
		if _, err := db.Pool.Exec(context.Background(), sql, d.String()); err != nil {
			b.t.Fatal(err)
		}
	}
}

func TestALinkCodeExpiresAndOnlyThreeGoInADay(t *testing.T) {
	t.Parallel()
	zb := startZalo(t)
	p, b := zb.typist, zb.b
	b.register(farmer)
	const z = "8f3a0c1b2d4e5f607182"
	p.toLinkOffer(z)
	p.say(z, "gui ma")
	code := b.linkCode(farmer, 1)

	b.ageLinkCodes(11 * time.Minute)
	p.say(z, code)
	p.expect(z, "link.expired", "Minutes", 10)
	p.say(z, p.number(p.last(z), "link.send"))
	p.expect(z, "link.code_ask", "Channel", "Telegram", "Minutes", 10)
	b.linkCode(farmer, 2)
	p.say(z, "gửi mã")
	p.expect(z, "link.code_ask", "Channel", "Telegram", "Minutes", 10)
	b.linkCode(farmer, 3)
	p.say(z, "gửi mã")
	// The first code went 11 minutes ago: the next may go in about a day.
	p.expect(z, "link.limited", "Codes", 3, "Hours", 24)
	p.say(z, "dùng số khác")
	p.expect(z, "reg.phone")
	if codes := waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "🔐") }, 3); len(codes) != 3 {
		t.Errorf("%d codes reached Telegram within the day, want 3", len(codes))
	}
}

// A link code warns never to give it to anyone, an official included.
// Once linked, a new phone number or bank account set on the linked
// account is asked of the farmer on her first account, masked: whoever got
// hold of the code could otherwise be called and paid instead of the
// farmer, silently. A global
// moderator (and nobody else) then undoes the link with /bonoi, finding
// the profile by one of its listings (the number was changed), after
// confirming: the account acts as itself from its next message (not an
// hour later), a change it had begun to the farmer's profile is not
// saved, and both sides are told.
func TestALinkedAccountsChangesAreToldAndAModeratorUndoesTheLink(t *testing.T) {
	t.Parallel()
	p := startPlain(t, func(env map[string]string) { env["MODERATORS"] = "telegram:" + itoa(moderator) })
	b := p.b
	const z = "z1"
	b.register(farmer) // on Telegram, 0912 888 777, Agribank 1234 5678 9012
	listing := b.listing(farmer, "500 kg", "25k")
	p.toLinkOffer(z)
	p.say(z, p.number(p.last(z), "link.send"))
	code := b.linkCode(farmer, 1)
	if got, want := b.Last(farmer).Text, text(t, "vi", "link.code", "Code", code, "Channel", "plain", "Minutes", 10); got != want ||
		!strings.Contains(got, "Đừng đưa mã này cho ai, kể cả người xưng là cán bộ") {
		t.Errorf("the code's message:\n%s\nwant a warning never to give it away:\n%s", got, want)
	}
	p.say(z, code)
	p.wait(z, func(s string) bool { return strings.HasPrefix(s, "✅ Xong rồi ạ!") })

	// The linked account changes the bank account, then the phone number:
	// each waits for the farmer's word on Telegram, who gives it.
	tgBefore := len(b.Sent(farmer))
	p.say(z, p.number(p.last(z), "profile.field_bank"))
	p.answer(z, "reg.bank", "vietcombank", "reg.account", "0071 0009 87654")
	p.say(z, "1") // the holder's name offered
	summary := p.expect(z, "profile.summary", "Name", "Nông dân 1001", "Phone", "0912 888 777", "Place", "xã Quang Lang, Chi Lăng",
		"GrowingCode", "VN-LSOR-0012", "Bank", "Agribank 123456789012 (NONG DAN 1001)")
	bank := text(t, "vi", "profilechange.ask", "Channel", "plain", "Name", "Hoàng Văn z1", "OldBank", "Agribank ••••9012", "Bank", "Vietcombank ••••7654")
	ask := waitSent(t, b, farmer, func(s sent) bool { return s.Text == bank }, 1)[0]
	b.Tap(farmer, ask.Data[0])
	b.expect(farmer, "profilechange.confirmed", "Bank", "Vietcombank ••••7654")
	p.expect(z, "profilechange.confirmed_there", "Bank", "Vietcombank ••••7654")
	p.say(z, p.number(summary, "profile.field_phone"))
	p.say(z, "0968 111 555")
	summary = p.expect(z, "profile.summary", "Name", "Nông dân 1001", "Phone", "0912 888 777", "Place", "xã Quang Lang, Chi Lăng",
		"GrowingCode", "VN-LSOR-0012", "Bank", "Vietcombank 0071000987654 (NONG DAN 1001)")
	phone := text(t, "vi", "profilechange.ask", "Channel", "plain", "Name", "Hoàng Văn z1", "OldPhone", "0912 ••• 777", "Phone", "0968 ••• 555")
	b.Tap(farmer, waitSent(t, b, farmer, func(s sent) bool { return s.Text == phone }, 1)[0].Data[0])
	b.expect(farmer, "profilechange.confirmed", "Phone", "0968 ••• 555")
	p.expect(z, "profilechange.confirmed_there", "Phone", "0968 ••• 555")
	var told []string
	for _, s := range b.Sent(farmer)[tgBefore:] {
		if strings.HasPrefix(s.Text, "🔔") {
			told = append(told, s.Text)
		}
	}
	if !slices.Equal(told, []string{bank, phone}) {
		t.Errorf("the farmer was told on Telegram:\n%q\nwant:\n%q", told, []string{bank, phone})
	}
	for _, m := range p.c.received(z) {
		if strings.HasPrefix(m, "🔔 Hồ sơ nhà vườn của anh/chị vừa được sửa") {
			t.Errorf("the account that made the change was told of it: %q", m)
		}
	}

	// It begins another change of the bank account...
	p.say(z, p.number(summary, "profile.field_bank"))
	p.expect(z, "reg.bank")

	// ... when a moderator undoes the link; nobody else may.
	b.Say(buyer, "/bonoi 0968 111 555")
	b.expect(buyer, "moderation.refused")
	// The farmer's own number no longer names the profile; a listing of
	// hers does.
	b.Say(moderator, "/bonoi 0912 888 777")
	b.expect(moderator, "unlink.none", "Named", "0912 888 777")
	b.Say(moderator, "/bonoi")
	b.expect(moderator, "unlink.phone")
	b.Say(moderator, strings.ToLower(listing))
	pick := b.expect(moderator, "unlink.pick", "Name", "Nông dân 1001", "Phone", "0968 ••• 555", "Count", 1)
	if len(pick.Buttons) != 1 || !strings.HasPrefix(pick.Buttons[0], "plain: Hoàng Văn z1 (dùng lần cuối ") {
		t.Fatalf("the accounts offered: %q", pick.Buttons)
	}
	b.Tap(moderator, pick.Data[0])
	account := pick.Buttons[0]
	b.expect(moderator, "unlink.confirm", "Account", account, "Name", "Nông dân 1001", "Phone", "0968 ••• 555")
	b.Tap(moderator, "unl:yes")
	b.expect(moderator, "unlink.done", "Account", account, "Name", "Nông dân 1001")
	owner := text(t, "vi", "link.unlinked_owner", "Channel", "plain", "Name", "Hoàng Văn z1")
	waitSent(t, b, farmer, func(s sent) bool { return s.Text == owner }, 1)
	p.expect(z, "link.unlinked")

	// The change begun is not saved; the account is its own again.
	p.say(z, "vietcombank")
	p.say(z, "0071 0009 11111")
	p.say(z, "1")
	p.expect(z, "session.lost")
	var account2 string
	queryRow(t, b.Env["DATABASE_URL"], `SELECT bank_account FROM sellers WHERE phone_e164 = '+84968111555'`, nil, &account2)
	if account2 != "0071000987654" {
		t.Errorf("after the link was undone, the farmer's account became %s", account2)
	}
	p.say(z, "/tin")
	p.expect(z, "mine.none")
	p.say(z, "/hoso")
	p.expect(z, "reg.name", "Name", "Hoàng Văn z1")
	b.Say(farmer, "/tin")
	if !strings.Contains(b.tgSince(farmer, len(b.Sent(farmer))-1), listing) {
		t.Errorf("the farmer's /tin lost %s: %q", listing, b.Last(farmer).Text)
	}
}

// A farmer a helper registered (without an account of her own then) who
// later writes to the bot where her number can only be typed (Zalo, this
// text-only channel) is not told that her own number is someone else's:
// she is offered a code sent to the helper who registered her, who reads
// it to her once sure it is her, and the profile is hers, with what the
// helper posted for her. A wrong code claims nothing. The helper is told
// what the code is for and never to give it to anyone else, then that she
// uses her profile herself: they no longer post for her.
func TestAFarmerAHelperRegisteredClaimsHerProfileWithTheHelpersCode(t *testing.T) {
	t.Parallel()
	p := startPlain(t, func(env map[string]string) { env["MODERATORS"] = "plain:h1" })
	const helper, mai = "h1", "mai"
	p.say(helper, "/ban")
	p.say(helper, "Đăng hộ người khác")
	p.say(helper, "0987 654 321")
	p.say(helper, "Hoàng Thị Mai")
	p.say(helper, "xã Hữu Kiên, Chi Lăng")
	p.say(helper, p.number(p.expect(helper, "assist.check", "Name", "Hoàng Thị Mai", "Phone", "0987 654 321", "Place", "xã Hữu Kiên, Chi Lăng", "Found", false), "assist.save"))
	_, listing := p.publish(helper, "300 kg", "30k")

	p.say(mai, "/ban")
	p.expect(mai, "reg.name", "Name", "Hoàng Văn mai")
	p.say(mai, "Hoàng Thị Mai")
	p.expect(mai, "reg.phone")
	p.say(mai, "0987 654 321")
	offer := p.expect(mai, "claim.offer")
	p.say(mai, p.number(offer, "link.send"))
	p.expect(mai, "claim.code_ask", "Minutes", 10)
	sent := p.wait(helper, func(s string) bool { return strings.HasPrefix(s, "🔐") })
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(sent)
	p.expect(helper, "claim.code", "Code", code, "Channel", "plain", "Name", "Hoàng Thị Mai", "Phone", "0987 654 321", "Minutes", 10)
	wrong := "000000"
	if code == wrong {
		wrong = "999999"
	}
	p.say(mai, wrong)
	p.expect(mai, "claim.wrong", "Left", 4)
	var owner int
	queryRow(t, p.b.Env["DATABASE_URL"], `SELECT count(*) FROM sellers WHERE phone_e164 = '+84987654321' AND user_id IS NOT NULL`, nil, &owner)
	if owner != 0 {
		t.Fatal("a wrong code claimed the profile")
	}
	p.say(mai, code)
	p.expect(mai, "claim.done", "Name", "Hoàng Thị Mai")
	p.expect(helper, "claim.claimed", "Name", "Hoàng Thị Mai", "Channel", "plain")

	// Her profile, with the listing the helper posted for her.
	p.say(mai, "/tin")
	p.wait(mai, func(s string) bool { return strings.Contains(s, listing) })
	p.say(mai, "/hoso")
	p.wait(mai, func(s string) bool {
		return strings.Contains(s, "0987 654 321") && strings.Contains(s, "Hoàng Thị Mai")
	})
	// The helper no longer posts for her.
	p.say(helper, "/ban")
	p.say(helper, "Đăng hộ người khác")
	p.say(helper, "0987 654 321")
	p.expect(helper, "assist.has_account")
	if strings.Contains(p.b.Logs.String(), code) {
		t.Errorf("a claim code (%s) appears in the logs", code)
	}

	// On Telegram, where a contact can be shared, the offer says so too.
	const lan, lanUser = "0987 654 322", int64(3005)
	p.say(helper, "/ban")
	p.say(helper, "Đăng hộ người khác")
	p.say(helper, lan)
	p.say(helper, "Hoàng Thị Lan")
	p.say(helper, "xã Hữu Kiên, Chi Lăng")
	p.say(helper, "lưu") // typed, as the summary's ✅ Lưu
	p.expect(helper, "sell.product")
	b := p.b
	b.Say(lanUser, "/ban")
	b.Tap(lanUser, "keep")
	b.Say(lanUser, lan)
	if offer := b.expect(lanUser, "claim.offer"); !strings.Contains(offer.Text, "bấm 📱 Gửi số điện thoại của tôi") {
		t.Errorf("on Telegram the offer does not say that sharing the contact proves the number: %q", offer.Text)
	}
	b.Tap(lanUser, "link:other")
	if !b.expect(lanUser, "reg.phone").Contact {
		t.Fatal("no share-contact button")
	}
	b.Post(b.Up.Contact(lanUser, lanUser, "84987654322"))
	b.expect(lanUser, "reg.commune")
}

// A farmer who claims the profile a helper registered is shown, right
// away, the bank account the helper entered for her, in full, and asked
// whether it is hers: buyers pay into it. She changes it, and buyers are
// then asked to pay into hers, never the helper's.
func TestAFarmerWhoClaimsHerProfileSeesTheBankAccountTheHelperSetAndChangesIt(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	const helper, hanh = int64(7117), int64(8118)
	env["MODERATORS"] = "telegram:" + itoa(helper)
	b := startBot(t, tg, env)
	b.markets()
	account := func() (bank, number string) {
		queryRow(t, b.Env["DATABASE_URL"], `SELECT coalesce(bank_name, ''), coalesce(bank_account, '') FROM sellers
			WHERE phone_e164 = '+84977555444'`, nil, &bank, &number)
		return bank, number
	}

	// The helper registers Hạnh, then sets a bank account for her.
	b.Say(helper, "/ban")
	b.Tap(helper, "for:other")
	b.Say(helper, "0977 555 444")
	b.Say(helper, "Hoàng Thị Hạnh")
	b.Say(helper, "xã Hữu Kiên, Chi Lăng")
	b.Tap(helper, b.Last(helper).Data[0]) // ✅ Lưu
	b.expect(helper, "sell.product")
	b.Say(helper, "huỷ")
	b.Say(helper, "/nhavuon")
	b.Tap(helper, b.expect(helper, "farmers.pick", "Count", 1, "Page", 1, "Pages", 0, "Search", "", "Many", false, "Press", "bấm").Data[0])
	check := b.expectFarmer(helper, "Hoàng Thị Hạnh", "0977 555 444", "xã Hữu Kiên, Chi Lăng", "", "")
	b.Tap(helper, check.Data[4]) // 🏦 Ngân hàng
	b.Say(helper, "agribank")
	b.expect(helper, "farmers.account")
	b.Say(helper, "1234 5678 9012")
	b.Tap(helper, "keep")
	check = b.expectFarmer(helper, "Hoàng Thị Hạnh", "0977 555 444", "xã Hữu Kiên, Chi Lăng", "", "Agribank 123456789012 (HOANG THI HANH)")
	b.Tap(helper, check.Data[0]) // ✅ Lưu
	b.expect(helper, "assist.corrected", "Name", "Hoàng Thị Hạnh")

	// Hạnh claims her profile with the helper's code, and is shown the
	// account at once, with a button for each answer.
	b.Say(hanh, "/ban")
	b.Tap(hanh, "keep")
	b.Say(hanh, "0977 555 444")
	b.expect(hanh, "claim.offer", "Press", "bấm")
	b.Tap(hanh, "link:send")
	b.Say(hanh, b.linkCode(helper, 1))
	msgs := b.Sent(hanh)
	if done := text(t, "vi", "claim.done", "Name", "Hoàng Thị Hạnh"); len(msgs) < 2 || msgs[len(msgs)-2].Text != done {
		t.Errorf("the claim is not done before the question: %+v", msgs[max(0, len(msgs)-2):])
	}
	ask := b.expect(hanh, "claim.bank", "Bank", "Agribank 123456789012 (HOANG THI HANH)", "Press", "bấm")
	if !slices.Equal(ask.Buttons, []string{"✅ Đúng, của tôi", "✏️ Đổi tài khoản", "🗑 Bỏ tài khoản này"}) {
		t.Fatalf("the question offers %q", ask.Buttons)
	}

	// She changes it to her own.
	b.Tap(hanh, ask.Data[1])
	b.expect(hanh, "reg.bank")
	b.Say(hanh, "vietcombank")
	b.expect(hanh, "reg.account")
	b.Say(hanh, "0071 0009 87654")
	b.expect(hanh, "reg.holder", "Holder", "HOANG THI HANH")
	b.Tap(hanh, "keep")
	changed := text(t, "vi", "claim.bank_changed", "Bank", "Vietcombank 0071000987654 (HOANG THI HANH)")
	waitSent(t, b, hanh, func(s sent) bool { return s.Text == changed }, 1)
	b.expect(hanh, "sell.product")
	if bank, number := account(); bank != "Vietcombank" || number != "0071000987654" {
		t.Fatalf("her account is %s %s", bank, number)
	}
	b.Tap(hanh, ask.Data[2]) // the answered question's 🗑 does nothing now
	if _, number := account(); number != "0071000987654" {
		t.Fatalf("an answered question's button removed her account: %q", number)
	}
	b.Say(hanh, "huỷ")

	// A buyer of her listing is asked to pay into her account.
	listing := b.listing(hanh, "500 kg", "25k")
	b.order(buyer, listing, "50kg")
	b.Say(buyer, "đặt hàng")
	orderCode := regexp.MustCompile(`DH-[2-9A-HJ-NP-Z]{4}`).FindString(b.Finished(buyer).Text)
	waitSent(t, b, hanh, func(s sent) bool { return strings.Contains(s.Text, orderCode) }, 1)
	b.Say(hanh, "nhận "+orderCode)
	var pay string
	for n := 1; pay == ""; n++ {
		for _, c := range b.TG.WaitCalls(t, "sendPhoto", n) {
			if c.ChatID == itoa(buyer) && strings.HasPrefix(c.Params["caption"], "💳") {
				pay = c.Params["caption"]
			}
		}
	}
	if !strings.Contains(pay, "Vietcombank") || !strings.Contains(pay, "0071000987654") || strings.Contains(pay, "123456789012") {
		t.Errorf("the buyer is asked to pay: %q", pay)
	}
}

// On a channel without buttons the question is a numbered list, as every
// choice is: one farmer removes the helper's account by its number, and
// her profile has none; another keeps it, typing her yes. Each answer is
// told back.
func TestAFarmerWhoClaimsHerProfileRemovesOrKeepsTheHelpersBankAccountByTyping(t *testing.T) {
	t.Parallel()
	p := startPlain(t, func(env map[string]string) { env["MODERATORS"] = "plain:h1" })
	const helper = "h1"
	// helped: the helper registers a farmer and sets her bank account,
	// then the farmer claims her profile in /hoso and is asked about it.
	helped := func(farmer, name, phone, holder string) string {
		t.Helper()
		p.say(helper, "/ban")
		p.say(helper, "Đăng hộ người khác")
		p.say(helper, phone)
		p.say(helper, name)
		p.say(helper, "xã Hữu Kiên, Chi Lăng")
		p.say(helper, p.number(p.expect(helper, "assist.check", "Name", name, "Phone", phone, "Place", "xã Hữu Kiên, Chi Lăng", "Found", false), "assist.save"))
		p.expect(helper, "assist.created", "Name", name)
		p.say(helper, "huỷ")
		p.say(helper, "/nhavuon")
		list := p.expect(helper, "farmers.pick", "Count", 1, "Page", 1, "Pages", 0, "Search", "", "Many", false)
		p.say(helper, p.number(list, "farmers.item", "Name", name, "Phone", phone))
		check := p.expect(helper, "assist.check", "Name", name, "Phone", phone, "Place", "xã Hữu Kiên, Chi Lăng",
			"Found", true, "GrowingCode", "", "Bank", "")
		p.say(helper, p.number(check, "profile.field_bank"))
		p.answer(helper, "farmers.bank", "agribank", "farmers.account", "1234 5678 9012")
		p.expect(helper, "reg.holder", "Holder", holder)
		p.say(helper, "1")
		bank := "Agribank 123456789012 (" + holder + ")"
		check = p.expect(helper, "assist.check", "Name", name, "Phone", phone, "Place", "xã Hữu Kiên, Chi Lăng",
			"Found", true, "GrowingCode", "", "Bank", bank)
		p.say(helper, p.number(check, "assist.save"))
		p.expect(helper, "assist.corrected", "Name", name)

		seen := len(p.c.received(helper))
		p.say(farmer, "/hoso")
		p.say(farmer, name)
		p.say(farmer, phone)
		p.say(farmer, p.number(p.expect(farmer, "claim.offer"), "link.send"))
		code := regexp.MustCompile(`\b\d{6}\b`).FindString(p.waitAfter(helper, seen, func(s string) bool { return strings.HasPrefix(s, "🔐") }))
		p.say(farmer, code)
		return p.expect(farmer, "claim.bank", "Bank", bank)
	}
	account := func(phone string) string {
		var number string
		queryRow(t, p.b.Env["DATABASE_URL"], `SELECT coalesce(bank_account, '') FROM sellers WHERE phone_e164 = $1`, []any{phone}, &number)
		return number
	}

	ask := helped("mai", "Hoàng Thị Mai", "0987 654 321", "HOANG THI MAI")
	p.say("mai", p.number(ask, "claim.bank_remove"))
	p.expect("mai", "claim.bank_removed")
	if number := account("+84987654321"); number != "" {
		t.Errorf("the helper's account %s is still Mai's", number)
	}
	// Her profile, as /hoso goes on to show it, has none.
	p.expect("mai", "profile.summary", "Name", "Hoàng Thị Mai", "Phone", "0987 654 321", "Place", "xã Hữu Kiên, Chi Lăng",
		"GrowingCode", "", "Bank", "")

	helped("lan", "Hoàng Thị Lan", "0987 654 322", "HOANG THI LAN")
	p.say("lan", "đúng rồi ạ")
	p.expect("lan", "claim.bank_kept", "Bank", "Agribank 123456789012 (HOANG THI LAN)")
	if number := account("+84987654322"); number != "123456789012" {
		t.Errorf("Lan's account is %q after she kept it", number)
	}
}

// A bank account set on an account linked to the farmer's (by whoever got
// hold of a link code) is not used until the farmer says so on the account
// she registered the profile on: buyers go on paying into the old one
// meanwhile. The linked account cannot say so for her; she can refuse it
// by typing, as on Zalo (without the code the question gives where there
// are no buttons, the words show it first); a question's button confirms
// no newer change.
func TestABankAccountSetFromALinkedAccountWaitsForTheFarmersWord(t *testing.T) {
	t.Parallel()
	p := startPlain(t)
	b := p.b
	const z = "z1"
	b.register(farmer) // on Telegram, 0912 888 777, Agribank 1234 5678 9012
	listing := b.listing(farmer, "500 kg", "25k")
	p.toLinkOffer(z)
	p.say(z, p.number(p.last(z), "link.send"))
	p.say(z, b.linkCode(farmer, 1))
	p.wait(z, func(s string) bool { return strings.HasPrefix(s, "✅ Xong rồi ạ!") })
	account := func() string {
		var a string
		queryRow(t, b.Env["DATABASE_URL"], `SELECT bank_account FROM sellers WHERE phone_e164 = '+84912888777'`, nil, &a)
		return a
	}

	summary := p.last(z)
	changeBank := func() {
		t.Helper()
		p.say(z, p.number(summary, "profile.field_bank"))
		p.answer(z, "reg.bank", "vietcombank", "reg.account", "0071 0009 87654")
		p.say(z, "1") // the holder's name offered
		summary = p.expect(z, "profile.summary", "Name", "Nông dân 1001", "Phone", "0912 888 777", "Place", "xã Quang Lang, Chi Lăng",
			"GrowingCode", "VN-LSOR-0012", "Bank", "Agribank 123456789012 (NONG DAN 1001)")
	}
	changeBank()
	held := text(t, "vi", "profilechange.held", "Bank", "Vietcombank ••••7654", "OldBank", "Agribank ••••9012", "First", "Telegram")
	if !strings.Contains(strings.Join(p.c.received(z), "\n"), held) { // in parts, on this channel
		t.Errorf("the linked account was not told the account waits: %q", p.c.received(z))
	}
	ask := text(t, "vi", "profilechange.ask", "Channel", "plain", "Name", "Hoàng Văn z1", "OldBank", "Agribank ••••9012", "Bank", "Vietcombank ••••7654")
	first := waitSent(t, b, farmer, func(s sent) bool { return s.Text == ask }, 1)[0]
	if !slices.Equal(first.Buttons, []string{"✅ Đúng, tôi đổi", "❌ Không phải tôi"}) {
		t.Fatalf("the farmer's question offers %q", first.Buttons)
	}

	// The linked account cannot agree in her place.
	p.say(z, "đúng tôi đổi")
	if account() != "123456789012" {
		t.Fatalf("the linked account agreed to its own change: the account is %s", account())
	}

	// A buyer ordering meanwhile is to pay into the old account.
	b.order(buyer, listing, "50kg")
	b.Say(buyer, "đặt hàng")
	orderCode := regexp.MustCompile(`DH-[2-9A-HJ-NP-Z]{4}`).FindString(b.Finished(buyer).Text)
	p.wait(z, func(s string) bool { return strings.Contains(s, orderCode) }) // where she was last seen
	p.say(z, "nhận "+orderCode)
	var pay string
	for n := 1; pay == ""; n++ {
		for _, c := range b.TG.WaitCalls(t, "sendPhoto", n) {
			if c.ChatID == itoa(buyer) && strings.HasPrefix(c.Params["caption"], "💳") {
				pay = c.Params["caption"]
			}
		}
	}
	if !strings.Contains(pay, "Agribank 123456789012") || strings.Contains(pay, "0071000987654") {
		t.Errorf("the buyer is asked to pay: %q", pay)
	}

	// She refuses it, typing.
	b.Say(farmer, "Không phải tôi")
	b.expect(farmer, "profilechange.show", "Channel", "plain", "Name", "Hoàng Văn z1",
		"OldBank", "Agribank ••••9012", "Bank", "Vietcombank ••••7654")
	b.Say(farmer, "Không phải tôi")
	b.expect(farmer, "profilechange.refused", "Bank", "Vietcombank ••••7654")
	p.expect(z, "profilechange.refused_there", "Bank", "Vietcombank ••••7654")
	b.Tap(farmer, first.Data[0])
	b.expect(farmer, "profilechange.none")

	// Asked again, she agrees, by the new question's button only.
	p.say(z, "/hoso")
	summary = p.expect(z, "profile.summary", "Name", "Nông dân 1001", "Phone", "0912 888 777", "Place", "xã Quang Lang, Chi Lăng",
		"GrowingCode", "VN-LSOR-0012", "Bank", "Agribank 123456789012 (NONG DAN 1001)")
	changeBank()
	second := waitSent(t, b, farmer, func(s sent) bool { return s.Text == ask }, 2)[1]
	b.Tap(farmer, first.Data[0])
	b.expect(farmer, "profilechange.none")
	if account() != "123456789012" {
		t.Fatalf("an old question's button agreed to a newer change: the account is %s", account())
	}
	b.Tap(farmer, second.Data[0])
	b.expect(farmer, "profilechange.confirmed", "Bank", "Vietcombank ••••7654")
	p.expect(z, "profilechange.confirmed_there", "Bank", "Vietcombank ••••7654")
	if account() != "0071000987654" {
		t.Errorf("after she agreed the account is %s", account())
	}
}

// Undoing a link gives the account back what linking had moved from it to
// the farmer (its role, its orders as a buyer) and the role it was given
// through its own chat while linked: whoever reached a farmer's profile
// with a link code leaves her with none of their roles. The moderator is
// told what went back.
func TestUndoingALinkGivesTheAccountBackItsRolesAndOrders(t *testing.T) {
	t.Parallel()
	p := startPlain(t, func(env map[string]string) { env["MODERATORS"] = "telegram:" + itoa(moderator) })
	b := p.b
	const z = "z1"
	b.register(farmer) // on Telegram, 0912 888 777
	listing := b.listing(farmer, "500 kg", "25k")

	// z, a helper, ordered from her before linking to her profile.
	p.say(z, "nhận "+b.invite(t, "helper", "HT"))
	p.say(z, "mua "+listing)
	orderCode := p.order(z, "50kg")
	p.toLinkOffer(z)
	p.say(z, p.number(p.last(z), "link.send"))
	p.say(z, b.linkCode(farmer, 1))
	p.wait(z, func(s string) bool { return strings.HasPrefix(s, "✅ Xong rồi ạ!") })
	// Made a moderator meanwhile, through its own chat. The moderator who
	// invited it is told on their own, maybe after the replies below.
	qt := b.invite(t, "moderator", "QT")
	p.say(z, "nhận "+qt)
	used := strings.Split(text(t, "vi", "roles.invite_used", "Name", "\x00", "Code", qt, "Role", "người điều phối chợ"), "\x00")
	waitSent(t, b, moderator, func(s sent) bool {
		return strings.HasPrefix(s.Text, used[0]) && strings.HasSuffix(s.Text, used[1])
	}, 1)
	b.Say(farmer, "/themmod")
	b.expect(farmer, "roles.pick_role", "Press", "bấm") // the farmer's profile moderates
	b.Say(farmer, "/huy")

	b.Say(moderator, "/bonoi 0912 888 777")
	pick := b.expect(moderator, "unlink.pick", "Name", "Nông dân 1001", "Phone", "0912 ••• 777", "Count", 1)
	b.Tap(moderator, pick.Data[0])
	b.Tap(moderator, "unl:yes")
	b.expect(moderator, "unlink.back", "Roles", "người hỗ trợ, người điều phối chợ", "Orders", 1)
	// The farmer is told in her own chat, maybe after the moderator: her
	// next reply comes after that notice.
	owner := strings.SplitN(text(t, "vi", "link.unlinked_owner", "Channel", "\x00", "Name", "\x00"), "\x00", 2)[0]
	waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, owner) }, 1)

	// The farmer holds neither role; the account holds both, and its order.
	b.Say(farmer, "/themmod")
	b.expect(farmer, "roles.refused")
	if roles := roleOf(t, b, farmer); roles != "" {
		t.Errorf("the farmer kept the roles %q", roles)
	}
	p.expect(z, "link.unlinked")
	p.say(z, "/themmod")
	p.expect(z, "roles.pick_role")
	p.say(z, "/huy")
	p.say(z, "/don")
	p.wait(z, func(s string) bool { return strings.Contains(s, orderCode) })
}

// linked registers the farmer on Telegram (0912 888 777, Agribank 1234
// 5678 9012) with a listing, and links the text-only channel's z to her
// profile; it returns the listing's code.
func (p *plainBot) linked(z string) string {
	p.t.Helper()
	b := p.b
	b.register(farmer)
	listing := b.listing(farmer, "500 kg", "25k")
	p.toLinkOffer(z)
	p.say(z, p.number(p.last(z), "link.send"))
	p.say(z, b.linkCode(farmer, 1))
	p.wait(z, func(s string) bool { return strings.HasPrefix(s, "✅ Xong rồi ạ!") })
	return listing
}

// sellerPhone is the number buyers are given for the profile a listing is
// of.
func sellerPhone(t *testing.T, b *testBot, listing string) string {
	t.Helper()
	var phone string
	queryRow(t, b.Env["DATABASE_URL"], `SELECT s.phone_e164 FROM sellers s JOIN listings l ON l.seller_id = s.id
		WHERE l.code = $1`, []any{listing}, &phone)
	return phone
}

// A phone number set on an account linked to the farmer's (by whoever got
// hold of a link code) is not given to buyers until the farmer says so on
// the account she registered the profile on: a buyer whose order is
// accepted meanwhile is given the old number, and the farmer's answer
// makes the new one hers. While she can answer there, a moderator is not
// offered to answer for her.
func TestAPhoneNumberSetFromALinkedAccountWaitsForTheFarmersWord(t *testing.T) {
	t.Parallel()
	p := startPlain(t, func(env map[string]string) { env["MODERATORS"] = "telegram:" + itoa(moderator) })
	b := p.b
	const z = "z1"
	listing := p.linked(z)

	p.say(z, p.number(p.last(z), "profile.field_phone"))
	p.say(z, "0968 111 555")
	p.expect(z, "profile.summary", "Name", "Nông dân 1001", "Phone", "0912 888 777", "Place", "xã Quang Lang, Chi Lăng",
		"GrowingCode", "VN-LSOR-0012", "Bank", "Agribank 123456789012 (NONG DAN 1001)")
	held := text(t, "vi", "profilechange.held", "Phone", "0968 ••• 555", "OldPhone", "0912 ••• 777", "First", "Telegram")
	if !strings.Contains(strings.Join(p.c.received(z), "\n"), held) { // in parts, on this channel
		t.Errorf("the linked account was not told the number waits: %q", p.c.received(z))
	}
	ask := text(t, "vi", "profilechange.ask", "Channel", "plain", "Name", "Hoàng Văn z1", "OldPhone", "0912 ••• 777", "Phone", "0968 ••• 555")
	question := waitSent(t, b, farmer, func(s sent) bool { return s.Text == ask }, 1)[0]
	if !slices.Equal(question.Buttons, []string{"✅ Đúng, tôi đổi", "❌ Không phải tôi"}) {
		t.Fatalf("the farmer's question offers %q", question.Buttons)
	}
	if got := sellerPhone(t, b, listing); got != "+84912888777" {
		t.Fatalf("the number became %s before the farmer agreed", got)
	}

	// A buyer whose order is accepted meanwhile is given the old number.
	b.order(buyer, listing, "50kg")
	b.Say(buyer, "đặt hàng")
	orderCode := regexp.MustCompile(`DH-[2-9A-HJ-NP-Z]{4}`).FindString(b.Finished(buyer).Text)
	p.wait(z, func(s string) bool { return strings.Contains(s, orderCode) }) // where she was last seen
	p.say(z, "nhận "+orderCode)
	accepted := waitSent(t, b, buyer, func(s sent) bool { return strings.HasPrefix(s.Text, "🎉") }, 1)[0].Text
	if !strings.Contains(accepted, "0912 888 777") || strings.Contains(accepted, "0968") {
		t.Errorf("the buyer is given: %q", accepted)
	}

	// Her first account can answer: a moderator is not offered to.
	b.Say(moderator, "/bonoi 0912 888 777")
	pick := b.expect(moderator, "unlink.pick", "Name", "Nông dân 1001", "Phone", "0912 ••• 777", "Count", 1)
	if len(pick.Buttons) != 1 || slices.Contains(pick.Data, "unl:held") {
		t.Errorf("while the farmer can answer, a moderator is offered %q", pick.Buttons)
	}
	b.Say(moderator, "/huy")

	b.Tap(farmer, question.Data[0])
	b.expect(farmer, "profilechange.confirmed", "Phone", "0968 ••• 555")
	p.expect(z, "profilechange.confirmed_there", "Phone", "0968 ••• 555")
	if got := sellerPhone(t, b, listing); got != "+84968111555" {
		t.Errorf("after she agreed the number is %s", got)
	}
}

// A farmer who blocked the bot on the account she registered on cannot
// agree there to a change made on her linked account, which would wait
// forever: the linked account is told whom to see, and a global moderator
// who met her is shown the change in /bonoi and makes it hers, only as
// they were shown it (a newer change asked meanwhile is not made by that
// word). Every account of hers is told.
func TestAModeratorWhoMetTheFarmerConfirmsAChangeHerGoneAccountCannot(t *testing.T) {
	t.Parallel()
	p := startPlain(t, func(env map[string]string) { env["MODERATORS"] = "telegram:" + itoa(moderator) })
	b := p.b
	const z = "z1"
	listing := p.linked(z)
	b.TG.BlockChat(farmer)

	summary := p.last(z)
	p.say(z, p.number(summary, "profile.field_phone"))
	p.say(z, "0968 111 555")
	summary = p.expect(z, "profile.summary", "Name", "Nông dân 1001", "Phone", "0912 888 777", "Place", "xã Quang Lang, Chi Lăng",
		"GrowingCode", "VN-LSOR-0012", "Bank", "Agribank 123456789012 (NONG DAN 1001)")
	// The question refused on Telegram, the account is known to be gone.
	waitFor(t, "the farmer's Telegram account to be marked gone", func() bool {
		return count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM users
			WHERE channel = 'telegram' AND platform_id = $1 AND gone_at IS NOT NULL`, itoa(farmer)) > 0
	})

	b.Say(moderator, "/bonoi 0912 888 777")
	sentTo := b.Sent(moderator)
	pick := sentTo[len(sentTo)-1]
	if want := text(t, "vi", "unlink.pick", "Name", "Nông dân 1001", "Phone", "0912 ••• 777", "Count", 1); pick.Text != want {
		t.Fatalf("/bonoi said %q\nwant %q", pick.Text, want)
	}
	if shown := sentTo[len(sentTo)-2].Text; !strings.HasPrefix(shown, "⏳ Hồ sơ này có thay đổi đang chờ") ||
		!strings.Contains(shown, "📱 0912 ••• 777 → 0968 ••• 555") {
		t.Errorf("the moderator is shown: %q", shown)
	}
	if !slices.Equal(pick.Data, []string{pick.Data[0], "unl:held"}) || pick.Buttons[1] != "✅ Dùng thay đổi này" {
		t.Fatalf("/bonoi offers %q %q", pick.Buttons, pick.Data)
	}
	b.Tap(moderator, "unl:held")
	b.expect(moderator, "unlink.held_confirm", "Name", "Nông dân 1001", "OldPhone", "0912 ••• 777", "Phone", "0968 ••• 555")

	// Meanwhile the linked account changes the bank account too: it waits
	// with the number, and it is told whom the farmer sees.
	p.say(z, p.number(summary, "profile.field_bank"))
	p.answer(z, "reg.bank", "vietcombank", "reg.account", "0071 0009 87654")
	p.say(z, "1") // the holder's name offered
	held := text(t, "vi", "profilechange.held", "Phone", "0968 ••• 555", "OldPhone", "0912 ••• 777",
		"Bank", "Vietcombank ••••7654", "OldBank", "Agribank ••••9012", "First", "Telegram", "Gone", true)
	if !strings.Contains(strings.Join(p.c.received(z), "\n"), held) {
		t.Errorf("the linked account was not told whom the farmer sees: %q", p.c.received(z))
	}

	// The moderator's word was for the number alone: nothing is changed.
	b.Tap(moderator, "unl:use")
	b.expect(moderator, "unlink.held_none")
	if got := sellerPhone(t, b, listing); got != "+84912888777" {
		t.Fatalf("a word for an older change made the number %s", got)
	}

	b.Say(moderator, "/bonoi "+strings.ToLower(listing))
	b.Tap(moderator, "unl:held")
	b.expect(moderator, "unlink.held_confirm", "Name", "Nông dân 1001", "OldPhone", "0912 ••• 777", "Phone", "0968 ••• 555",
		"OldBank", "Agribank ••••9012", "Bank", "Vietcombank ••••7654")
	b.Tap(moderator, "unl:use")
	b.expect(moderator, "unlink.held_done", "Name", "Nông dân 1001")
	p.expect(z, "profilechange.confirmed_moderator", "Phone", "0968 ••• 555", "Bank", "Vietcombank ••••7654")
	var phone, account string
	queryRow(t, b.Env["DATABASE_URL"], `SELECT s.phone_e164, s.bank_account FROM sellers s JOIN listings l ON l.seller_id = s.id
		WHERE l.code = $1`, []any{listing}, &phone, &account)
	if phone != "+84968111555" || account != "0071000987654" {
		t.Errorf("after the moderator agreed: %s, %s", phone, account)
	}
}

// A farmer whose first account was gone when a change was asked never saw
// the question. Typing the words she was told ("ĐÚNG TÔI ĐỔI", maybe by
// whoever holds the link code) shows her the change first; only her
// answer to what she was shown makes it hers.
func TestTheFarmersTypedWordsShowTheChangeBeforeMakingItHers(t *testing.T) {
	t.Parallel()
	p := startPlain(t)
	b := p.b
	const z = "z1"
	listing := p.linked(z)
	b.TG.BlockChat(farmer)

	p.say(z, p.number(p.last(z), "profile.field_phone"))
	p.say(z, "0968 111 555")
	waitFor(t, "the farmer's Telegram account to be marked gone", func() bool {
		return count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM users
			WHERE channel = 'telegram' AND platform_id = $1 AND gone_at IS NOT NULL`, itoa(farmer)) > 0
	})
	b.TG.UnblockChat(farmer)

	b.Say(farmer, "ĐÚNG TÔI ĐỔI")
	shown := b.expect(farmer, "profilechange.show", "Channel", "plain", "Name", "Hoàng Văn z1",
		"OldPhone", "0912 ••• 777", "Phone", "0968 ••• 555")
	if !slices.Equal(shown.Buttons, []string{"✅ Đúng, tôi đổi", "❌ Không phải tôi"}) {
		t.Errorf("the change is shown with %q", shown.Buttons)
	}
	if got := sellerPhone(t, b, listing); got != "+84912888777" {
		t.Fatalf("the words alone made the number %s", got)
	}

	b.Say(farmer, "đúng tôi đổi")
	b.expect(farmer, "profilechange.confirmed", "Phone", "0968 ••• 555")
	p.expect(z, "profilechange.confirmed_there", "Phone", "0968 ••• 555")
	if got := sellerPhone(t, b, listing); got != "+84968111555" {
		t.Errorf("after she agreed to what she was shown the number is %s", got)
	}
}

// A farmer registered on Zalo, which has no buttons, answers the question
// about a change made on her linked account by typing once what it tells
// her to type: the words with the question's code, which only the question
// carries, even at a question of a task in progress. She is not shown the
// change a second time; the refusal is answered at once the same way.
func TestAFarmerOnZaloAnswersTheQuestionByTypingItsWordsOnce(t *testing.T) {
	t.Parallel()
	tg, zs, pc := telegramtest.NewServer(t), zalotest.NewServer(t), bottest.New()
	b := startBot(t, tg, zaloEnv(orderEnv(t, tg), zs), pc)
	p := &plainBot{b: b, ch: pc}
	p.typist = &typist{t: t, c: p}
	z := &zaloBot{b: b, Z: zs}
	z.typist = &typist{t: t, c: z}
	const zu, pu = "5001", "z1"
	z.register(zu, "0912 888 777")
	z.expect(zu, "sell.product")
	z.say(zu, "/huy")

	p.say(pu, "/hoso")
	p.say(pu, p.number(p.expect(pu, "reg.name", "Name", p.name(pu)), "reg.name_keep", "Name", p.name(pu)))
	p.expect(pu, "reg.phone")
	p.say(pu, "0912 888 777")
	p.say(pu, p.number(p.expect(pu, "link.offer", "Channel", "Zalo"), "link.send"))
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(z.wait(zu, func(s string) bool { return strings.HasPrefix(s, "🔐") }))
	before := len(p.c.received(pu))
	p.say(pu, code)
	p.wait(pu, func(s string) bool { return strings.HasPrefix(s, "✅ Xong rồi ạ!") })
	summary := p.since(pu, before) // in parts, on this channel

	// ✅ typed as the question says.
	p.say(pu, p.number(summary, "profile.field_phone"))
	p.say(pu, "0968 111 555")
	question := z.wait(zu, func(s string) bool { return strings.HasPrefix(s, "🔔 Có người vừa sửa") })
	words := regexp.MustCompile(`nhắn (ĐÚNG TÔI ĐỔI.*)`).FindStringSubmatch(question)
	if words == nil {
		t.Fatalf("the question tells her to type: %q", question)
	}
	// She types them at her own profile's name question: they are her
	// answer to the change, not her new name.
	z.say(zu, "/hoso")
	z.say(zu, z.number(z.last(zu), "profile.field_name"))
	z.expect(zu, "reg.name", "Name", z.c.name(zu))
	z.say(zu, words[1])
	z.expect(zu, "profilechange.confirmed", "Phone", "0968 ••• 555")
	z.say(zu, "/huy")
	z.expect(zu, "cancel.done")
	if n := count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM sellers WHERE name LIKE '%ĐỔI%'`); n != 0 {
		t.Fatalf("her typed answer became the name of %d profiles", n)
	}
	p.wait(pu, func(s string) bool {
		return strings.HasPrefix(s, text(t, "vi", "profilechange.confirmed_there", "Phone", "0968 ••• 555"))
	})
	if n := count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM sellers WHERE phone_e164 = $1`, "+84968111555"); n != 1 {
		t.Fatalf("after she typed her answer once, %d profiles have the new number", n)
	}

	// ❌ typed as the next question says.
	p.say(pu, p.number(summary, "profile.field_phone"))
	p.say(pu, "0977 222 666")
	question = z.wait(zu, func(s string) bool {
		return strings.HasPrefix(s, "🔔 Có người vừa sửa") && strings.Contains(s, "0977 ••• 666")
	})
	no := regexp.MustCompile(`nhắn (KHÔNG PHẢI TÔI.*)`).FindStringSubmatch(question)
	if no == nil {
		t.Fatalf("the question tells her to type: %q", question)
	}
	z.say(zu, strings.ToLower(no[1]))
	z.expect(zu, "profilechange.refused", "Phone", "0977 ••• 666")
	if n := count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM profile_changes`); n != 0 {
		t.Errorf("after she refused, %d changes wait", n)
	}
}

// "KHÔNG PHẢI TÔI" typed without the question's code (she may never have
// seen it) shows the change first, as "ĐÚNG TÔI ĐỔI" does, and her answer
// to that refuses it, naming what she refused.
func TestTheFarmersTypedRefusalShowsTheChangeItRefuses(t *testing.T) {
	t.Parallel()
	p := startPlain(t)
	b := p.b
	const z = "z1"
	listing := p.linked(z)
	b.TG.BlockChat(farmer)

	p.say(z, p.number(p.last(z), "profile.field_phone"))
	p.say(z, "0968 111 555")
	waitFor(t, "the farmer's Telegram account to be marked gone", func() bool {
		return count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM users
			WHERE channel = 'telegram' AND platform_id = $1 AND gone_at IS NOT NULL`, itoa(farmer)) > 0
	})
	b.TG.UnblockChat(farmer)

	b.Say(farmer, "KHÔNG PHẢI TÔI")
	b.expect(farmer, "profilechange.show", "Channel", "plain", "Name", "Hoàng Văn z1",
		"OldPhone", "0912 ••• 777", "Phone", "0968 ••• 555")
	if n := count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM profile_changes`); n != 1 {
		t.Fatalf("the words alone dropped the change she was never shown (%d waiting)", n)
	}

	b.Say(farmer, "không phải tôi")
	b.expect(farmer, "profilechange.refused", "Phone", "0968 ••• 555")
	p.expect(z, "profilechange.refused_there", "Phone", "0968 ••• 555")
	if got := sellerPhone(t, b, listing); got != "+84912888777" {
		t.Errorf("after she refused the number is %s", got)
	}
}

// A change shown to the farmer that no longer waits when the question is
// asked again (the account that asked was separated meanwhile) is said to
// be gone, and the question ends: her next words are not read as an
// answer to it.
func TestAShownChangeThatNoLongerWaitsEndsTheQuestion(t *testing.T) {
	t.Parallel()
	p := startPlain(t, func(env map[string]string) { env["MODERATORS"] = "telegram:" + itoa(moderator) })
	b := p.b
	const z = "z1"
	p.linked(z)
	b.TG.BlockChat(farmer)

	p.say(z, p.number(p.last(z), "profile.field_phone"))
	p.say(z, "0968 111 555")
	waitFor(t, "the farmer's Telegram account to be marked gone", func() bool {
		return count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM users
			WHERE channel = 'telegram' AND platform_id = $1 AND gone_at IS NOT NULL`, itoa(farmer)) > 0
	})
	b.TG.UnblockChat(farmer)
	b.Say(farmer, "ĐÚNG TÔI ĐỔI")
	b.expect(farmer, "profilechange.show", "Channel", "plain", "Name", "Hoàng Văn z1",
		"OldPhone", "0912 ••• 777", "Phone", "0968 ••• 555")

	b.Say(moderator, "/bonoi 0912 888 777")
	pick := b.expect(moderator, "unlink.pick", "Name", "Nông dân 1001", "Phone", "0912 ••• 777", "Count", 1)
	b.Tap(moderator, pick.Data[0])
	b.Tap(moderator, "unl:yes")
	b.expect(moderator, "unlink.done", "Account", pick.Buttons[0], "Name", "Nông dân 1001")

	b.Say(farmer, "trợ giúp")
	b.expect(farmer, "profilechange.none")
	b.Say(farmer, "hả")
	if last := b.Last(farmer).Text; last == text(t, "vi", "profilechange.none") {
		t.Errorf("the question went on after the change was gone: %q", last)
	}
}

// A moderator on /bonoi's "✅ Dùng thay đổi này" question, when a newer
// change comes in meanwhile, is told that the change shown no longer
// waits, not the bot's generic failure, and the question ends.
func TestAModeratorAskedAboutAReplacedChangeIsToldItNoLongerWaits(t *testing.T) {
	t.Parallel()
	p := startPlain(t, func(env map[string]string) { env["MODERATORS"] = "telegram:" + itoa(moderator) })
	b := p.b
	const z = "z1"
	p.linked(z)
	b.TG.BlockChat(farmer)

	summary := p.last(z)
	p.say(z, p.number(summary, "profile.field_phone"))
	p.say(z, "0968 111 555")
	summary = p.expect(z, "profile.summary", "Name", "Nông dân 1001", "Phone", "0912 888 777", "Place", "xã Quang Lang, Chi Lăng",
		"GrowingCode", "VN-LSOR-0012", "Bank", "Agribank 123456789012 (NONG DAN 1001)")
	waitFor(t, "the farmer's Telegram account to be marked gone", func() bool {
		return count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM users
			WHERE channel = 'telegram' AND platform_id = $1 AND gone_at IS NOT NULL`, itoa(farmer)) > 0
	})

	b.Say(moderator, "/bonoi 0912 888 777")
	b.Tap(moderator, "unl:held")
	b.expect(moderator, "unlink.held_confirm", "Name", "Nông dân 1001", "OldPhone", "0912 ••• 777", "Phone", "0968 ••• 555")

	p.say(z, p.number(summary, "profile.field_bank"))
	p.answer(z, "reg.bank", "vietcombank", "reg.account", "0071 0009 87654")
	p.say(z, "1") // the holder's name offered

	b.Say(moderator, "hả")
	b.expect(moderator, "unlink.held_none")
	b.Say(moderator, "hả")
	if last := b.Last(moderator).Text; last == text(t, "vi", "unlink.held_none") || strings.Contains(last, "Dùng thay đổi này") {
		t.Errorf("the question went on: %q", last)
	}
}

// Two linked accounts' changes are not merged under the last one to ask:
// the farmer would be asked about both as the last account's, and
// separating the first with /bonoi would leave its part waiting. A change
// from another account replaces what waited, whose asker is told; the
// farmer's ✅ makes only the newer change hers.
func TestAChangeFromAnotherLinkedAccountReplacesTheOneWaiting(t *testing.T) {
	t.Parallel()
	tg, zs, pc := telegramtest.NewServer(t), zalotest.NewServer(t), bottest.New()
	b := startBot(t, tg, zaloEnv(orderEnv(t, tg), zs), pc)
	p := &plainBot{b: b, ch: pc}
	p.typist = &typist{t: t, c: p}
	z := &zaloBot{b: b, Z: zs}
	z.typist = &typist{t: t, c: z}
	const zu = "5001"
	p.linked("z1")
	summary := p.last("z1")
	z.say(zu, "/hoso")
	z.say(zu, z.number(z.expect(zu, "reg.name", "Name", z.name(zu)), "reg.name_keep", "Name", z.name(zu)))
	z.say(zu, "0912 888 777")
	z.say(zu, z.number(z.last(zu), "link.send"))
	// The code goes where the farmer was seen last: the linked account.
	code := ""
	waitFor(t, "the second link code", func() bool {
		for _, m := range p.c.received("z1") {
			if strings.HasPrefix(m, "🔐") {
				code = regexp.MustCompile(`\b\d{6}\b`).FindString(m)
			}
		}
		return code != ""
	})
	z.say(zu, code)
	z.wait(zu, func(s string) bool { return strings.HasPrefix(s, "✅ Xong rồi ạ!") })

	p.say("z1", p.number(summary, "profile.field_bank"))
	p.answer("z1", "reg.bank", "vietcombank", "reg.account", "0071 0009 87654")
	p.say("z1", "1") // the holder's name offered
	waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "🔔 Có người vừa sửa") }, 1)

	z.say(zu, z.number(z.last(zu), "profile.field_phone"))
	z.say(zu, "0968 111 555")
	ask := text(t, "vi", "profilechange.ask", "Channel", "Zalo", "Name", z.name(zu), "OldPhone", "0912 ••• 777", "Phone", "0968 ••• 555")
	question := waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "🔔 Có người vừa sửa") }, 2)[1]
	if question.Text != ask {
		t.Fatalf("the farmer is asked %q\nwant %q", question.Text, ask)
	}
	replaced := text(t, "vi", "profilechange.replaced", "Bank", "Vietcombank ••••7654")
	waitFor(t, "the first asker to be told its change no longer waits", func() bool {
		return strings.Contains(strings.Join(p.c.received("z1"), "\n"), replaced) // in parts, on this channel
	})

	b.Tap(farmer, question.Data[0])
	b.expect(farmer, "profilechange.confirmed", "Phone", "0968 ••• 555")
	var phone, account string
	queryRow(t, b.Env["DATABASE_URL"], `SELECT phone_e164, bank_account FROM sellers WHERE phone_e164 = '+84968111555'`, nil, &phone, &account)
	if account != "123456789012" {
		t.Errorf("the farmer's ✅ for the number made the other account's bank account hers: %s", account)
	}
}

// A farmer with an order waiting is then asked about a number set from her
// linked account: her bare "không" answers that latest question, showing
// the change first as its typed words do, not "Vì sao anh/chị không bán
// được đơn…"; "không phải tôi" then refuses it, and the order still waits.
func TestABareNoAfterAProfileChangeQuestionAnswersTheChangeNotTheOrder(t *testing.T) {
	t.Parallel()
	p := startPlain(t)
	b := p.b
	const z = "z1"
	b.register(farmer)
	listing := b.listing(farmer, "500 kg", "25k")
	b.order(buyer, listing, "50kg")
	b.Say(buyer, "đặt hàng")
	orderCode := regexp.MustCompile(`DH-[2-9A-HJ-NP-Z]{4}`).FindString(b.Finished(buyer).Text)
	waitSent(t, b, farmer, func(s sent) bool { return strings.Contains(s.Text, orderCode) }, 1)

	p.toLinkOffer(z)
	p.say(z, p.number(p.last(z), "link.send"))
	p.say(z, b.linkCode(farmer, 1))
	p.wait(z, func(s string) bool { return strings.HasPrefix(s, "✅ Xong rồi ạ!") })
	p.say(z, p.number(p.last(z), "profile.field_phone"))
	p.say(z, "0968 111 555")
	ask := text(t, "vi", "profilechange.ask", "Channel", "plain", "Name", "Hoàng Văn z1", "OldPhone", "0912 ••• 777", "Phone", "0968 ••• 555")
	waitSent(t, b, farmer, func(s sent) bool { return s.Text == ask }, 1)

	b.Say(farmer, "không")
	b.expect(farmer, "profilechange.show", "Channel", "plain", "Name", "Hoàng Văn z1",
		"OldPhone", "0912 ••• 777", "Phone", "0968 ••• 555")
	b.Say(farmer, "không phải tôi")
	b.expect(farmer, "profilechange.refused", "Phone", "0968 ••• 555")
	if got := rows(t, b.Env["DATABASE_URL"], `SELECT status FROM orders`); !slices.Equal(got, []string{"[pending]"}) {
		t.Fatalf("the order after the change was refused: %v", got)
	}
}
