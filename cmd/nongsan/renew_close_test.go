package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// An open renewal question ("⏳ … bán thêm 7 ngày không ạ?") is closed by
// anything else the farmer starts or finishes: an "ok" after she saved her
// profile gets the warm word and renews nothing (before, it sold the
// listing 7 more days). A question asked after that is answered again.
func TestARenewalQuestionClosesWhenTheFarmerDoesSomethingElse(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["LISTING_TTL"] = "24h1s" // expires tomorrow: the renewal question comes at once
	b := startBot(t, tg, env)
	p := &typist{t: t, c: tgTypist{b}}
	db := b.Env["DATABASE_URL"]
	const farmer = "4401"
	renewed := func() []string {
		return rows(t, db, `SELECT (expires_at > now() + interval '6 days')::text FROM listings ORDER BY id`)
	}
	p.register(farmer, "0912 888 704")
	_, code := p.publish(farmer, "2 tạ", "27k")
	p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "⏳") && strings.Contains(s, code) })

	// Her profile, edited and saved after the question.
	p.say(farmer, "/hoso")
	p.say(farmer, p.choose(p.last(farmer), "profile.field_phone"))
	p.expect(farmer, "reg.phone")
	p.say(farmer, "0388 123 456")
	p.say(farmer, "xong")
	p.expect(farmer, "profile.saved")
	for _, yes := range []string{"ok", "có"} {
		before := len(p.c.received(farmer))
		p.say(farmer, yes)
		p.waitAfter(farmer, before, func(string) bool { return true })
		if got := p.received(farmer, before); strings.Contains(got, "✅ Đã sửa tin bán") {
			t.Errorf("%q after the profile was saved renewed the listing: %q", yes, got)
		}
		if got := renewed(); !slices.Equal(got, []string{"[false]"}) {
			t.Fatalf("%q after the profile was saved: listing sold 7 more days %v", yes, got)
		}
	}

	// Asked again (the morning's tick, here by hand): "có" renews it.
	rows(t, db, `UPDATE listings SET renew_asked_at = now(), renew_question_at = now()`)
	before := len(p.c.received(farmer))
	p.say(farmer, "có")
	p.waitAfter(farmer, before, func(s string) bool { return strings.HasPrefix(s, "✅ Đã sửa tin bán "+code) })
	if got := renewed(); !slices.Equal(got, []string{"[true]"}) {
		t.Fatalf("có to the question asked again: %v", got)
	}
}
