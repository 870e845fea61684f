package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
)

// A farmer registered on Telegram meets the bot on a second channel (the
// text-only plain one) and gives the same phone number.

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

// toLinkOffer opens /hoso on plain as user and types the farmer's number.
func (p *plainBot) toLinkOffer(user string) {
	p.t.Helper()
	p.say(user, "/hoso")
	ask := p.expect(user, "reg.name", "Name", "Hoàng Văn "+user)
	p.say(user, p.number(ask, "reg.name_keep", "Name", "Hoàng Văn "+user))
	p.expect(user, "reg.phone")
	p.say(user, "0912 888 777")
	p.expect(user, "link.offer", "Channel", "Telegram")
}

// since joins what the bot said in chat after the first skip messages.
func (p *plainBot) since(chat string, skip int) string {
	var out []string
	for _, m := range p.ch.Sent(chat)[skip:] {
		out = append(out, m.Text)
	}
	return strings.Join(out, "\n")
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

func TestAFarmerOnTwoChannelsIsOnePersonOnceTheCodeIsTyped(t *testing.T) {
	t.Parallel()
	p := startPlain(t)
	b := p.b
	b.register(farmer) // on Telegram, as Nông dân 1001 with 0912 888 777
	code := b.listing(farmer, "500 kg", "25k")
	const z = "z1"

	// Without the code, nothing of the Telegram account shows on plain:
	// not the name, not the listing, not a profile.
	p.toLinkOffer(z)
	p.say(z, p.number(p.last(z), "link.send"))
	p.expect(z, "link.code_ask", "Channel", "Telegram", "Minutes", 10)
	p.say(z, "/tin")
	p.expect(z, "mine.none")
	p.say(z, "/don")
	p.expect(z, "orders.none")
	p.say(z, "/hoso")
	p.expect(z, "reg.name", "Name", "Hoàng Văn "+z)
	for _, m := range p.ch.Sent(z) {
		for _, secret := range []string{"Nông dân", code, "1234 5678 9012", "Quang Lang", "912 888 777"} {
			if strings.Contains(m.Text, secret) {
				t.Fatalf("%q of the Telegram account was shown on plain before linking: %q", secret, m.Text)
			}
		}
	}

	// The code came to Telegram, saying who asked and what to do if it was
	// not the farmer.
	first := b.linkCode(farmer, 1)
	if want := text(t, "vi", "link.code", "Code", first, "Channel", "plain", "Minutes", 10); b.Last(farmer).Text != want {
		t.Fatalf("the code message on Telegram: %q\nwant %q", b.Last(farmer).Text, want)
	}

	// Again, a wrong code, then the right one.
	p.say(z, p.number(p.last(z), "reg.name_keep", "Name", "Hoàng Văn "+z))
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
	p.waitAfter(z, 0, func(s string) bool { return strings.HasPrefix(s, "✅ Xong rồi ạ!") })

	// One person now: /hoso, /tin and /don show the same on both.
	for _, cmd := range []struct {
		cmd  string
		want []string
	}{
		{"/hoso", []string{"Nông dân 1001", "0912 888 777", "xã Quang Lang"}},
		{"/tin", []string{code}},
	} {
		before, tgBefore := len(p.ch.Sent(z)), len(b.Sent(farmer))
		p.say(z, cmd.cmd)
		b.Say(farmer, cmd.cmd)
		here, there := p.since(z, before), b.tgSince(farmer, tgBefore)
		for _, w := range cmd.want {
			if !strings.Contains(here, w) || !strings.Contains(there, w) {
				t.Errorf("%s: %q on plain %v, on Telegram %v", cmd.cmd, w, strings.Contains(here, w), strings.Contains(there, w))
			}
		}
	}

	// A Telegram buyer orders: the farmer hears of it on plain, where they
	// were last seen, and accepts there; the buyer hears on Telegram.
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

	before, tgBefore := len(p.ch.Sent(z)), len(b.Sent(farmer))
	p.say(z, "/don")
	b.Say(farmer, "/don")
	if here, there := p.since(z, before), b.tgSince(farmer, tgBefore); !strings.Contains(here, orderCode) || !strings.Contains(there, orderCode) {
		t.Errorf("/don after the order: plain %q, Telegram %q", here, there)
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
	_, err = db.Pool.Exec(context.Background(), `UPDATE link_codes SET created_at = created_at - $1::interval,
		expires_at = expires_at - $1::interval`, d.String())
	if err != nil {
		b.t.Fatal(err)
	}
}

func TestALinkCodeExpiresAndOnlyThreeGoInAnHour(t *testing.T) {
	t.Parallel()
	p := startPlain(t)
	b := p.b
	b.register(farmer)
	const z = "z2"
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
	// The first code went 11 minutes ago: the next may go in 49.
	p.expect(z, "link.limited", "Codes", 3, "Minutes", 49)
	p.say(z, "dùng số khác")
	p.expect(z, "reg.phone")
	if codes := waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "🔐") }, 3); len(codes) != 3 {
		t.Errorf("%d codes reached Telegram within the hour, want 3", len(codes))
	}
}
