package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// followBot is a bot with market groups, its fake Telegram and database.
func followBot(t *testing.T) (*testBot, *telegramtest.Server, *postgres.DB) {
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	b := startBot(t, tg, env)
	b.markets()
	return b, tg, openDB(t, env)
}

// THE done-when of issue 12: a buyer following "na" is told privately of a
// new listing of na in Chi Lăng, with its photos and order button; a
// follower of na in Bắc Sơn is not. /theodoi lists the follows, /bothedoi
// removes one; the farmer's /tin counts the followers. Over Telegram.
func TestABuyerFollowingNaIsToldOfANewListingPrivately(t *testing.T) {
	t.Parallel()
	b, tg, db := followBot(t)
	const elsewhere = int64(2003)

	b.Say(buyer, "theo dõi na")
	b.expect(buyer, "follow.done", "Product", "Na Chi Lăng", "Area", "", "Anywhere", true)
	b.Say(elsewhere, "/theodoi na Bắc Sơn")
	b.expect(elsewhere, "follow.done", "Product", "Na Chi Lăng", "Area", "Bắc Sơn", "Anywhere", false)
	b.Say(elsewhere, "/theodoi")
	b.expect(elsewhere, "follow.list", "Count", 1, "List", "\n• Na Chi Lăng (Bắc Sơn)")

	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	b.notice(buyer, "🔔 Có tin bán mới: Na Chi Lăng ở Chi Lăng")
	waitFor(t, "the listing's photos in the buyer's chat", func() bool {
		for _, c := range tg.CallsTo("sendMediaGroup") {
			if c.ChatID == itoa(buyer) {
				return true
			}
		}
		return false
	})
	order := waitSent(t, b, buyer, func(s sent) bool {
		return len(s.Data) > 0 && strings.Contains(s.Data[0], "buy_"+strings.ReplaceAll(code, "-", ""))
	}, 1)[0]
	if order.Buttons[0] != text(t, "vi", "post.order") {
		t.Errorf("the follower's order button reads %q", order.Buttons[0])
	}
	var toElsewhere int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM follow_notices f
		JOIN users u ON u.id = f.user_id WHERE u.platform_id = $1`, itoa(elsewhere)).Scan(&toElsewhere); err != nil {
		t.Fatal(err)
	}
	if toElsewhere != 0 {
		t.Errorf("a follower of na in Bắc Sơn is to hear of a listing in Chi Lăng")
	}
	for _, s := range b.Sent(elsewhere) {
		if strings.HasPrefix(s.Text, "🔔 Có tin bán mới") {
			t.Errorf("a follower of na in Bắc Sơn heard of it: %q", s.Text)
		}
	}

	// 🔔 Theo dõi under the group post: its link follows the listing's
	// product in the seller's area, for a buyer who follows nothing yet.
	const tapper = int64(2004)
	link := "td_" + strings.ReplaceAll(code, "-", "")
	waitFor(t, "🔔 Theo dõi under the group post", func() bool {
		for _, c := range tg.Calls() {
			if c.ChatID != itoa(buyer) && strings.Contains(c.Params["reply_markup"], "start="+link) &&
				strings.Contains(c.Params["reply_markup"], text(t, "vi", "follow.button")) {
				return true
			}
		}
		return false
	})
	b.Say(tapper, "/start "+link)
	b.expect(tapper, "follow.done", "Product", "Na Chi Lăng", "Area", "Chi Lăng", "Anywhere", false)

	// The farmer's /tin counts the followers (not the one in Bắc Sơn).
	b.Say(farmer, "/tin")
	if want := text(t, "vi", "follow.followers", "Count", 2, "Product", "Na Chi Lăng"); !strings.Contains(b.Last(farmer).Text, want) {
		t.Errorf("/tin does not say %q:\n%s", want, b.Last(farmer).Text)
	}

	// /bothedoi lists the follows to remove one.
	b.Say(elsewhere, "/bothedoi")
	pick := b.expect(elsewhere, "follow.pick_remove", "Count", 1)
	if len(pick.Data) != 1 || !strings.HasPrefix(pick.Data[0], "unf:") {
		t.Fatalf("the follows to remove: %+v", pick)
	}
	b.Tap(elsewhere, pick.Data[0])
	b.expect(elsewhere, "follow.removed", "Product", "Na Chi Lăng", "Area", "Bắc Sơn", "Anywhere", false)
	b.Say(elsewhere, "/theodoi")
	b.expect(elsewhere, "follow.none")
}

// A buyer who blocked the bot is unsubscribed when the next listing they
// follow cannot reach them.
func TestABuyerWhoBlockedTheBotIsUnsubscribed(t *testing.T) {
	t.Parallel()
	b, tg, db := followBot(t)
	b.Say(buyer, "/theodoi na")
	b.expect(buyer, "follow.done", "Product", "Na Chi Lăng", "Area", "", "Anywhere", true)
	tg.BlockChat(buyer)
	b.register(farmer)
	b.listing(farmer, "500 kg", "25k")
	waitFor(t, "the blocked buyer's follows removed", func() bool {
		var n int
		if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM follows f
			JOIN users u ON u.id = f.user_id WHERE u.platform_id = $1`, itoa(buyer)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
	tg.UnblockChat(buyer)
	b.Say(buyer, "/theodoi")
	b.expect(buyer, "follow.none")
}

// On Zalo, without buttons: a buyer follows by typing without diacritics
// and is told privately of a Zalo farmer's new listing, its photos and how
// to order it by typing.
func TestAZaloBuyerFollowingNaIsToldPrivately(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer, buyer = "6ede9afa66b88fe6d6f1", "8f3a0c1b2d4e5f6071f2"
	z.say(buyer, "theo doi na chi lang")
	z.expect(buyer, "follow.done", "Product", "Na Chi Lăng", "Area", "Chi Lăng", "Anywhere", false)

	z.register(farmer, "0912 888 777")
	_, code := z.publish(farmer, "500 kg", "25k")
	z.wait(buyer, func(s string) bool {
		return strings.HasPrefix(s, "🔔 Có tin bán mới: Na Chi Lăng ở Chi Lăng")
	})
	z.wait(buyer, func(s string) bool { return strings.Contains(s, "MUA "+code) })
	var photos int
	for _, m := range z.Z.Received(buyer) {
		if m.Photo != "" {
			photos++
		}
	}
	if photos == 0 {
		t.Errorf("the listing reached the follower without its photos")
	}
}

// A Zalo group post, without buttons, says how to follow its product; a
// buyer who types it privately follows Na in the seller's area.
func TestAZaloGroupPostSaysHowToFollow(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	const group, farmer, buyer = "zalo-group-chilang", "6ede9afa66b88fe6d6f1", "8f3a0c1b2d4e5f6071f3"
	z.post(z.Z.Text(zalotest.Group(group), z.user("mod-0001"), "/dangky chi lang"))
	z.expect(group, "group.registered", "Area", "Chi Lăng")

	z.register(farmer, "0912 888 777")
	_, code := z.publish(farmer, "500 kg", "25k")
	how := zaloText(t, "follow.by_text", "Code", code, "Product", "Na Chi Lăng")
	z.wait(group, func(s string) bool { return strings.Contains(s, how) })

	z.say(buyer, "theo doi "+strings.ToLower(code))
	z.expect(buyer, "follow.done", "Product", "Na Chi Lăng", "Area", "Chi Lăng", "Anywhere", false)
}

// A farmer registered on the text-only channel who linked a Telegram
// account and follows na blocks the bot on Telegram: her follows stay, as
// her other chat still works, and the next listing of na reaches her there.
func TestBlockingTheBotOnOneChannelKeepsTheFollowsOfALinkedPerson(t *testing.T) {
	t.Parallel()
	p := startPlain(t)
	b := p.b
	const z, seller = "z1", int64(1002)
	p.register(z, "0912 888 777")
	p.expect(z, "sell.product")
	p.say(z, "huỷ")
	b.Say(farmer, "/hoso")
	b.Tap(farmer, "keep")
	b.Say(farmer, "0912 888 777")
	b.expect(farmer, "link.offer", "Channel", "plain")
	b.Tap(farmer, "link:send")
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(p.wait(z, func(s string) bool { return strings.HasPrefix(s, "🔐") }))
	b.Say(farmer, code)
	waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "✅ Xong rồi ạ!") }, 1)
	b.Say(farmer, "/theodoi na") // /hoso, set aside, asks again after it
	b.expectOnce(farmer, "follow.done", "Product", "Na Chi Lăng", "Area", "", "Anywhere", true)

	b.TG.BlockChat(farmer)
	b.register(seller)
	b.listing(seller, "500 kg", "25k") // its notice goes to Telegram, where she was last seen, and is refused
	follows := func() int { return count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM follows`) }
	waitFor(t, "the refused notice's chat to be forgotten", func() bool {
		return follows() == 0 || count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM users u
			WHERE channel = 'telegram' AND platform_id = $1 AND to_jsonb(u)->>'gone_at' IS NOT NULL`, itoa(farmer)) > 0
	})
	if follows() != 1 {
		t.Fatal("blocking the bot on Telegram removed the follows of a farmer still reachable on her other channel")
	}
	second := b.listing(seller, "300 kg", "30k")
	p.wait(z, func(s string) bool { return strings.Contains(s, second) })
	p.say(z, "/theodoi")
	p.expect(z, "follow.list", "Count", 1, "List", "\n• "+text(t, "vi", "follow.item", "Product", "Na Chi Lăng", "Area", "", "Anywhere", true))
}
