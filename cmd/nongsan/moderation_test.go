package main

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// moderated starts a bot with a global moderator, the three market
// groups (groupAdmin administers them) and a farmer's listing in two of
// them; it returns the listing's code.
func moderated(t *testing.T) (*testBot, string) {
	b := withModerator(t)
	b.markets()
	b.register(farmer)
	return b, b.listing(farmer, "500kg", "25000")
}

// withModerator starts a bot with a global moderator.
func withModerator(t *testing.T) *testBot {
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["MODERATORS"] = "telegram:" + itoa(moderator)
	return startBot(t, tg, env)
}

// listingStatus is a listing's status in PostgreSQL.
func listingStatus(t *testing.T, b *testBot, code string) string {
	t.Helper()
	var status string
	queryRow(t, b.Env["DATABASE_URL"], `SELECT status FROM listings WHERE code = $1`, []any{code}, &status)
	return status
}

// Anyone can make a group of theirs a market, so a group's admin takes a
// listing down in the groups they administer, and there only: a
// stranger's group does not stop them. Its posts there say so without the
// order button, nothing more of it goes there (a new price, an order), and
// a buyer asking for it there is told; it stays on sale in the stranger's
// group, and the farmer is told it was taken down there only. Asked again,
// the admin is told it is done; a buyer is refused. A global moderator
// still takes it down everywhere.
func TestAGroupAdminTakesAListingDownInTheirGroupsOnly(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["MODERATORS"] = "telegram:" + itoa(moderator)
	b := startBot(t, tg, env)
	b.markets()
	const strangersGroup, stranger = int64(-1009999999999), int64(6006)
	b.TG.SetMemberStatus(strangersGroup, stranger, "administrator")
	for _, u := range []tgbotapi.Update{b.Up.AddedToGroup(strangersGroup, stranger, telegramtest.DefaultBotID), b.Up.Text(strangersGroup, stranger, "/dangky")} {
		if code := b.Post(u); code != http.StatusOK {
			t.Fatal(code)
		}
	}
	b.expectIn(strangersGroup, "group.registered_all")
	b.register(farmer)
	code := b.listing(farmer, "500kg", "25000") // in Chi Lăng's, every area's and the stranger's group

	b.Say(buyer, "gỡ "+code)
	b.expect(buyer, "moderation.refused")
	b.Say(buyer, "/gotin "+code)
	b.expect(buyer, "moderation.refused")

	b.Say(groupAdmin, "gỡ "+strings.ToLower(code))
	b.expect(groupAdmin, "moderation.reason_hide", "Code", code, "Product", "Na Chi Lăng", "Name", "Nông dân 1001",
		"Groups", telegramtest.GroupTitle)
	b.Tap(groupAdmin, "why:goods")
	b.expect(groupAdmin, "moderation.confirm_hide", "Code", code, "Product", "Na Chi Lăng", "Name", "Nông dân 1001",
		"Groups", telegramtest.GroupTitle, "Reason", "📷 Hàng không đúng ảnh", "Left", 1, "Press", "bấm")
	b.Tap(groupAdmin, "mod:yes")
	b.expect(groupAdmin, "moderation.hidden", "Code", code, "Groups", telegramtest.GroupTitle, "Left", 1)
	if s := listingStatus(t, b, code); s != "active" {
		t.Fatalf("after a group admin's take-down the listing is %s, want still on sale", s)
	}
	hidden := []string{itoa(chiLangMarket), itoa(allMarket)}
	for _, c := range tg.WaitCalls(t, "editMessageCaption", 2) {
		if !slices.Contains(hidden, c.ChatID) || !strings.HasPrefix(c.Params["caption"], "⛔ TIN ĐÃ BỊ GỠ") {
			t.Errorf("post caption in %s after the take-down:\n%s", c.ChatID, c.Params["caption"])
		}
	}
	for _, e := range tg.WaitCalls(t, "editMessageText", 2) {
		if !slices.Contains(hidden, e.ChatID) || e.Params["reply_markup"] != "" || !strings.Contains(e.Params["text"], "TIN ĐÃ BỊ GỠ") {
			t.Errorf("the post's buttons message after the take-down: %+v", e.Params)
		}
	}
	told := waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "⛔ Tin bán "+code) }, 1)[0]
	if want := text(t, "vi", "moderation.hidden_farmer", "Code", code, "Product", "Na Chi Lăng", "Groups", telegramtest.GroupTitle,
		"Reason", "📷 Hàng không đúng ảnh", "Left", 1); told.Text != want {
		t.Fatalf("the farmer was told %q, want %q", told.Text, want)
	}
	b.Say(groupAdmin, "/gotin "+code)
	b.expect(groupAdmin, "moderation.already_hidden", "Code", code, "Groups", telegramtest.GroupTitle)

	// A buyer asking for it in a group that took it down gets no order
	// button there; in the stranger's group they do.
	b.Post(b.Up.Text(chiLangMarket, buyer, "mua "+code))
	b.expectIn(chiLangMarket, "group.listing_hidden", "Product", "Na Chi Lăng", "Code", code)
	b.Post(b.Up.Text(strangersGroup, buyer, "mua "+code))
	b.expectIn(strangersGroup, "group.order_privately", "Name", "Nông dân 2002", "Product", "Na Chi Lăng", "Code", code)
	before := map[string]int{}
	for _, g := range hidden {
		before[g] = len(shownIn(tg, g))
	}

	// Still on sale: ordered, and its price changed, which only the
	// stranger's group hears of.
	b.order(buyer, code, "50kg")
	b.Say(buyer, "đặt hàng")
	waitSent(t, b, strangersGroup, func(s sent) bool { return strings.HasPrefix(s.Text, "🛒 Đã có đơn 50 kg") }, 1)
	b.notice(farmer, "🛒 Đơn mới")
	b.Say(farmer, "/tin")
	b.Tap(farmer, b.Last(farmer).Data[0])
	b.Tap(farmer, "act:price")
	b.Say(farmer, "28 nghìn")
	waitCall(t, tg, "editMessageCaption", func(c telegramtest.Call) bool {
		return c.ChatID == itoa(strangersGroup) && strings.Contains(c.Params["caption"], "28.000 đ/kg")
	})
	// The farmer's next listing reaches every group, after all that was
	// queued for them before it.
	next := b.listing(farmer, "300kg", "30000")
	for _, g := range hidden {
		for _, c := range shownIn(tg, g)[before[g]:] {
			if !strings.Contains(c.Params["text"]+c.Params["media"], next) {
				t.Errorf("%s in a group that took %s down: %+v", c.Method, code, c.Params)
			}
		}
	}

	// A global moderator takes it down everywhere: the stranger's post too.
	b.Say(moderator, "gỡ "+code)
	b.expect(moderator, "moderation.reason_remove", "Code", code, "Product", "Na Chi Lăng", "Name", "Nông dân 1001")
	b.Say(moderator, "Ảnh không đúng hàng")
	b.Say(moderator, "đồng ý")
	b.expect(moderator, "moderation.removed", "Code", code, "Posts", 1)
	if s := listingStatus(t, b, code); s != "removed" {
		t.Fatalf("after a moderator's take-down the listing is %s", s)
	}
	waitCall(t, tg, "editMessageCaption", func(c telegramtest.Call) bool {
		return c.ChatID == itoa(strangersGroup) && strings.HasPrefix(c.Params["caption"], "⛔ TIN ĐÃ BỊ GỠ")
	})
	waitSent(t, b, farmer, func(s sent) bool {
		return s.Text == text(t, "vi", "moderation.removed_farmer", "Code", code, "Product", "Na Chi Lăng", "Reason", "Ảnh không đúng hàng")
	}, 1)
	b.Say(groupAdmin, "gỡ "+code)
	b.expect(groupAdmin, "moderation.already_removed", "Code", code)
	// The farmer cannot put it back up.
	b.Say(farmer, "gia hạn "+code)
	b.expect(farmer, "moderation.listing_removed", "Code", code)
}

// A group's title that gives a contact in words ("kết bạn Zalo tên
// Hùng", a number spelled out) reaches farmers without it.
func TestAGroupsContactInWordsDoesNotReachFarmers(t *testing.T) {
	t.Parallel()
	const title, shown = "Chợ Na | kết bạn Zalo tên Hùng | không chín sáu tám một một một hai hai hai", "Chợ Na | kết bạn … | …"
	if posted := postedUnder(t, title); !strings.Contains(posted, "nhóm "+shown) ||
		strings.Contains(posted, "Hùng") || strings.Contains(posted, "chín") {
		t.Errorf("the farmer was told where the listing went: %q, want the group named %q", posted, shown)
	}
}

// A group's title that names Zalo but no one keeps its place ("Chợ nông
// sản Zalo Lạng Sơn"), and a contact word typed apart ("Z.a.l.o tên
// Hùng") is still one.
func TestAGroupsTitleLosesOnlyWhatLeadsToSomeone(t *testing.T) {
	t.Parallel()
	const title, shown = "Chợ nông sản Zalo Lạng Sơn | Z.a.l.o tên Hùng", "Chợ nông sản Zalo Lạng Sơn | Z.a.l.o …"
	if posted := postedUnder(t, title); !strings.Contains(posted, "nhóm "+shown) || strings.Contains(posted, "Hùng") {
		t.Errorf("the farmer was told where the listing went: %q, want the group named %q", posted, shown)
	}
}

// postedUnder registers a market group named title, has a farmer's
// listing posted there and returns what the farmer is told of it.
func postedUnder(t *testing.T, title string) string {
	t.Helper()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	const group, admin = int64(-1009999999996), int64(6007)
	b.TG.SetMemberStatus(group, admin, "administrator")
	added, register := b.Up.AddedToGroup(group, admin, telegramtest.DefaultBotID), b.Up.Text(group, admin, "/dangky")
	added.MyChatMember.Chat.Title, register.Message.Chat.Title = title, title
	for _, u := range []tgbotapi.Update{added, register} {
		if code := b.Post(u); code != http.StatusOK {
			t.Fatal(code)
		}
	}
	b.expectIn(group, "group.registered_all")
	b.register(farmer)
	code := b.listing(farmer, "500kg", "25000")
	return b.notice(farmer, "📢 Tin bán "+code).Text
}

// Anyone can make a group of theirs a market, name it, and take listings
// down there, but nothing they type reaches a farmer from the bot. The
// phone number and link in the group's title are left out where the
// farmer reads it ("📢 … đã lên nhóm …", the take-down). Its admin picks
// the reason, by button or by its number: a reason typed freely (a
// scam's "pay the fee to account …, call …") is refused and the question
// asked again, and the farmer reads the reason picked, in the bot's words.
func TestAStrangersGroupReachesFarmersOnlyInTheBotsWords(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	const strangersGroup, stranger = int64(-1009999999997), int64(6006)
	const title, shown = "Chợ Na - xác minh gọi 0968 111 222, t.me/xacminh", "Chợ Na - xác minh gọi …, …"
	b.TG.SetMemberStatus(strangersGroup, stranger, "administrator")
	added, register := b.Up.AddedToGroup(strangersGroup, stranger, telegramtest.DefaultBotID), b.Up.Text(strangersGroup, stranger, "/dangky")
	added.MyChatMember.Chat.Title, register.Message.Chat.Title = title, title
	for _, u := range []tgbotapi.Update{added, register} {
		if code := b.Post(u); code != http.StatusOK {
			t.Fatal(code)
		}
	}
	b.expectIn(strangersGroup, "group.registered_all")
	b.register(farmer)
	code := b.listing(farmer, "500kg", "25000")
	if posted := b.notice(farmer, "📢 Tin bán "+code); !strings.Contains(posted.Text, "nhóm "+shown) {
		t.Errorf("the farmer was told where the listing went: %q, want the group named %q", posted.Text, shown)
	}

	b.Say(stranger, "gỡ "+code)
	asked := b.expect(stranger, "moderation.reason_hide", "Code", code, "Product", "Na Chi Lăng", "Name", "Nông dân 1001",
		"Groups", shown)
	if want := []string{"📍 Không đúng khu vực của nhóm", "📷 Hàng không đúng ảnh", "🔁 Tin đăng trùng", "❔ Lý do khác"}; !slices.Equal(asked.Buttons, want) {
		t.Fatalf("the reasons offered: %q, want %q", asked.Buttons, want)
	}
	b.Say(stranger, "Nộp 200k phí xác minh vào STK 0123456789 Vietcombank, gọi 0968 111 222")
	msgs := b.Sent(stranger)
	if got, want := msgs[len(msgs)-2].Text, text(t, "vi", "moderation.reason_fixed"); got != want {
		t.Fatalf("a reason typed freely: the bot said %q, want %q", got, want)
	}
	b.expect(stranger, "moderation.reason_hide", "Code", code, "Product", "Na Chi Lăng", "Name", "Nông dân 1001", "Groups", shown)
	b.Say(stranger, "2")
	b.expect(stranger, "moderation.confirm_hide", "Code", code, "Product", "Na Chi Lăng", "Name", "Nông dân 1001",
		"Groups", shown, "Reason", "📷 Hàng không đúng ảnh", "Left", 0)
	b.Tap(stranger, "mod:yes")
	told := waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "⛔ Tin bán "+code) }, 1)[0]
	if want := text(t, "vi", "moderation.hidden_farmer", "Code", code, "Product", "Na Chi Lăng", "Groups", shown,
		"Reason", "📷 Hàng không đúng ảnh", "Left", 0); told.Text != want {
		t.Errorf("the farmer was told %q, want %q", told.Text, want)
	}
	for _, s := range b.Sent(farmer) {
		for _, bad := range []string{"0968 111 222", "0123456789", "xacminh", "Nộp 200k"} {
			if strings.Contains(s.Text, bad) {
				t.Errorf("the farmer read the stranger's %q from the bot: %q", bad, s.Text)
			}
		}
	}
}

// An admin of every group a listing was posted in takes it down there:
// no group shows it any more, and neither they nor the farmer (who reads
// English) are told it is still on sale in other groups; the farmer is
// told how it can still be ordered (it is on sale, by its code), and the
// reason in English. A take-down that leaves it in another group says
// so (TestAGroupAdminTakesAListingDownInTheirGroupsOnly); in Vietnamese,
// TestAStrangersGroupReachesFarmersOnlyInTheBotsWords.
func TestAListingTakenDownInEveryGroupIsSaidToBeInNone(t *testing.T) {
	t.Parallel()
	b, code := moderated(t) // in Chi Lăng's and every area's groups, both groupAdmin's
	b.Say(farmer, "/ngonngu")
	b.Say(farmer, "English")
	b.Say(groupAdmin, "gỡ "+code)
	b.Say(groupAdmin, "trùng tin")
	b.expect(groupAdmin, "moderation.confirm_hide", "Code", code, "Product", "Na Chi Lăng", "Name", "Nông dân 1001",
		"Groups", telegramtest.GroupTitle, "Reason", "🔁 Tin đăng trùng", "Left", 0)
	if last := b.Last(groupAdmin).Text; strings.Contains(last, "nhóm khác") {
		t.Errorf("the admin is told it stays on sale in other groups: %q", last)
	}
	b.Tap(groupAdmin, "mod:yes")
	b.expect(groupAdmin, "moderation.hidden", "Code", code, "Groups", telegramtest.GroupTitle, "Left", 0)
	told := waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "⛔ Your listing "+code) }, 1)[0]
	want := text(t, "en", "moderation.hidden_farmer", "Code", code, "Product", "Na Chi Lăng", "Groups", telegramtest.GroupTitle,
		"Reason", "🔁 Posted twice", "Left", 0)
	if told.Text != want || strings.Contains(told.Text, "other") || !strings.Contains(told.Text, `"mua `+code+`"`) {
		t.Errorf("the farmer was told:\n%s\nwant:\n%s", told.Text, want)
	}
	if shown := count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM listing_posts p JOIN listings l ON l.id = p.listing_id
		WHERE l.code = $1 AND p.hidden_at IS NULL`, code); shown != 0 {
		t.Errorf("%d posts still show it", shown)
	}
}

// shownIn lists what the bot showed in chat: the messages it sent there
// and its edits.
func shownIn(tg *telegramtest.Server, chat string) []telegramtest.Call {
	var out []telegramtest.Call
	for _, c := range tg.Calls() {
		if c.ChatID == chat && c.Method != "sendChatAction" &&
			(strings.HasPrefix(c.Method, "send") || strings.HasPrefix(c.Method, "edit")) {
			out = append(out, c)
		}
	}
	return out
}

// waitCall waits for a call to method that ok accepts.
func waitCall(t *testing.T, tg *telegramtest.Server, method string, ok func(telegramtest.Call) bool) {
	t.Helper()
	for n := 1; ; n++ {
		calls := tg.WaitCalls(t, method, n)
		if slices.ContainsFunc(calls, ok) {
			return
		}
		n = len(calls)
	}
}

// A moderator bars a farmer from posting: the farmer is told, and /ban
// then refuses kindly and creates nothing; /bochan lifts it. Others may do
// neither, nor may a group admin bar anyone.
func TestABannedFarmerCannotPostUntilTheBanIsLifted(t *testing.T) {
	t.Parallel()
	b, code := moderated(t)
	for _, user := range []int64{buyer, groupAdmin} {
		b.Say(user, "chặn "+code)
		b.expect(user, "moderation.refused")
		b.Say(user, "/bochan")
		b.expect(user, "moderation.refused")
	}
	banned := func() int {
		return count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM user_roles WHERE role = 'banned'`)
	}
	if n := banned(); n != 0 {
		t.Fatalf("%d users banned by people who may not", n)
	}
	b.Say(moderator, "/bochan")
	b.expect(moderator, "moderation.none_banned")

	b.Say(moderator, "/chan "+code)
	b.expect(moderator, "moderation.reason_ban", "Code", code, "Product", "Na Chi Lăng", "Name", "Nông dân 1001")
	b.Say(moderator, "Đăng hàng không đúng ảnh")
	b.Say(moderator, "đồng ý")
	b.expect(moderator, "moderation.banned", "Name", "Nông dân 1001")
	if n := banned(); n != 1 {
		t.Fatalf("%d users banned, want 1", n)
	}
	waitSent(t, b, farmer, func(s sent) bool {
		return s.Text == text(t, "vi", "moderation.banned_user", "Reason", "Đăng hàng không đúng ảnh")
	}, 1)

	listings := func() int { return count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM listings`) }
	b.Say(farmer, "/ban")
	b.expect(farmer, "moderation.banned_refusal", "Reason", "Đăng hàng không đúng ảnh")
	b.Tap(farmer, "p:na-chi-lang") // the old question's button does nothing now
	if n := listings(); n != 1 {
		t.Fatalf("a banned farmer has %d listings, want the 1 from before", n)
	}
	// Selling for 7 more days is posting again: refused too.
	expiry := func() int {
		return count(t, b.Env["DATABASE_URL"], `SELECT extract(epoch FROM expires_at)::int FROM listings`)
	}
	was := expiry()
	b.Say(farmer, "bán thêm "+code)
	refusal := func(s sent) bool {
		return s.Text == text(t, "vi", "moderation.banned_refusal", "Reason", "Đăng hàng không đúng ảnh")
	}
	waitSent(t, b, farmer, refusal, 2)
	if now := expiry(); now != was {
		t.Fatalf("a banned farmer renewed a listing: expiry %d → %d", was, now)
	}
	// Nor may stock put a sold-out listing back on sale.
	for _, stock := range []string{"0", "300kg"} {
		b.Say(farmer, "/tin")
		b.Tap(farmer, b.Last(farmer).Data[0])
		b.Tap(farmer, "act:stock")
		b.Say(farmer, stock)
	}
	waitSent(t, b, farmer, refusal, 3)
	if s := listingStatus(t, b, code); s != "sold_out" {
		t.Fatalf("a banned farmer's stock put the sold-out listing back: %s", s)
	}

	b.Say(moderator, "/bochan")
	pick := b.expect(moderator, "moderation.unban_pick", "Count", 1, "Press", "bấm")
	if len(pick.Buttons) != 1 || pick.Buttons[0] != "Nông dân 1001: Đăng hàng không đúng ảnh" {
		t.Fatalf("banned list: %+v", pick.Buttons)
	}
	b.Tap(moderator, pick.Data[0])
	b.expect(moderator, "moderation.unbanned", "Name", "Nông dân 1001", "Told", true)
	if n := banned(); n != 0 {
		t.Fatalf("%d users still banned", n)
	}
	waitSent(t, b, farmer, func(s sent) bool { return s.Text == text(t, "vi", "moderation.unbanned_user") }, 1)
	b.Say(farmer, "/ban")
	b.expect(farmer, "sell.product")
}

// invite has the moderator invite someone to role with /themmod and
// returns the code, checking the link that opens the private chat with it.
func (b *testBot) invite(t *testing.T, role, prefix string) string {
	t.Helper()
	b.Say(moderator, "/themmod")
	b.expect(moderator, "roles.pick_role", "Press", "bấm")
	b.Tap(moderator, "role:"+role)
	msg := b.Last(moderator)
	code := regexp.MustCompile(prefix + `-[2-9A-HJ-NP-Z]{6}`).FindString(msg.Text)
	if code == "" {
		t.Fatalf("no %s invite code in %q", prefix, msg.Text)
	}
	link := "https://t.me/" + telegramtest.DefaultBotUsername + "?start=" + strings.ToLower(strings.Replace(code, "-", "_", 1))
	if len(msg.Data) != 1 || msg.Data[0] != link {
		t.Fatalf("invite link: %+v, want %s", msg.Data, link)
	}
	return code
}

// roleOf lists a user's granted roles in PostgreSQL.
func roleOf(t *testing.T, b *testBot, user int64) string {
	t.Helper()
	var roles string
	queryRow(t, b.Env["DATABASE_URL"], `SELECT coalesce(string_agg(r.role, ',' ORDER BY r.role), '') FROM user_roles r
		JOIN users u ON u.id = r.user_id WHERE u.channel = 'telegram' AND u.platform_id = $1`, []any{itoa(user)}, &roles)
	return roles
}

// /themmod gives a one-time code valid 48 hours, used by link or typed;
// the granter is told. A used, expired or wrong code grants nothing.
// /xoamod takes a granted role back. Only global moderators invite or
// revoke.
func TestInviteCodesGrantRolesOnceAndXoamodTakesThemBack(t *testing.T) {
	t.Parallel()
	b := withModerator(t)
	const helper, newMod = int64(3003), int64(3004)
	for _, cmd := range []string{"/themmod", "/xoamod"} {
		b.Say(buyer, cmd)
		b.expect(buyer, "roles.refused")
	}
	if n := count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM role_invites`); n != 0 {
		t.Fatalf("a refused /themmod stored %d invites", n)
	}
	b.Say(moderator, "/xoamod")
	b.expect(moderator, "roles.none_granted")

	code := b.invite(t, "helper", "HT")
	b.Say(helper, "nhận "+code)
	b.expect(helper, "roles.granted_helper")
	if got := roleOf(t, b, helper); got != "helper" {
		t.Fatalf("after the invite the helper's roles are %q", got)
	}
	waitSent(t, b, moderator, func(s sent) bool {
		return s.Text == text(t, "vi", "roles.invite_used", "Name", "Nông dân 3003", "Code", code, "Role", "người hỗ trợ")
	}, 1)
	b.Say(buyer, "nhận "+code)
	b.expect(buyer, "roles.invite_used_before", "Code", code)
	b.Say(buyer, "nhận HT-222222")
	b.expect(buyer, "roles.invite_unknown", "Code", "HT-222222")
	if got := roleOf(t, b, buyer); got != "" {
		t.Fatalf("a used and a wrong code gave the buyer roles %q", got)
	}

	code = b.invite(t, "moderator", "QT")
	if _, err := pgExec(b, `UPDATE role_invites SET expires_at = now() - interval '1 minute' WHERE used_by IS NULL`); err != nil {
		t.Fatal(err)
	}
	b.Say(newMod, "/start "+strings.ToLower(strings.Replace(code, "-", "_", 1)))
	b.expect(newMod, "roles.invite_expired", "Code", code)
	code = b.invite(t, "moderator", "QT")
	b.Say(newMod, "/start "+strings.ToLower(strings.Replace(code, "-", "_", 1)))
	b.expect(newMod, "roles.granted_moderator")
	// The moderator is told the code was used: that news travels on its
	// own, and could land after the replies below.
	waitSent(t, b, moderator, func(s sent) bool {
		return s.Text == text(t, "vi", "roles.invite_used", "Name", "Nông dân 3004", "Code", code, "Role", "người điều phối chợ")
	}, 1)
	b.Say(newMod, "/themmod") // a moderator now
	b.expect(newMod, "roles.pick_role", "Press", "bấm")

	b.Say(moderator, "/xoamod")
	pick := b.expect(moderator, "roles.revoke_pick", "Count", 2, "Press", "bấm")
	if len(pick.Buttons) != 2 || pick.Buttons[0] != "Nông dân 3004: 👮 Người điều phối chợ" {
		t.Fatalf("granted roles listed: %+v", pick.Buttons)
	}
	b.Tap(moderator, pick.Data[1]) // the helper
	b.expect(moderator, "roles.revoke_confirm", "Name", "Nông dân 3003", "Role", "🤝 Người hỗ trợ (đăng tin giúp bà con)", "Press", "bấm")
	b.Tap(moderator, "rv:yes")
	b.expect(moderator, "roles.revoked", "Name", "Nông dân 3003", "Role", "🤝 Người hỗ trợ (đăng tin giúp bà con)")
	if got := roleOf(t, b, helper); got != "" {
		t.Fatalf("after /xoamod the helper's roles are %q", got)
	}
	waitSent(t, b, helper, func(s sent) bool {
		return s.Text == text(t, "vi", "roles.revoked_user", "Role", "🤝 Người hỗ trợ (đăng tin giúp bà con)")
	}, 1)

	// The new moderator's /themmod, left at its question, is refused once
	// their role is taken back meanwhile: authorised when carried out.
	b.Say(moderator, "/xoamod")
	b.Tap(moderator, b.expect(moderator, "roles.revoke_pick", "Count", 1, "Press", "bấm").Data[0])
	b.Tap(moderator, "rv:yes")
	b.expect(moderator, "roles.revoked", "Name", "Nông dân 3004", "Role", "👮 Người điều phối chợ")
	// Told on its own path, as the helper was: it could land after the
	// tap's answer below.
	waitSent(t, b, newMod, func(s sent) bool {
		return s.Text == text(t, "vi", "roles.revoked_user", "Role", "👮 Người điều phối chợ")
	}, 1)
	invites := count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM role_invites`)
	b.Tap(newMod, "role:helper")
	b.expect(newMod, "roles.refused")
	if n := count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM role_invites`); n != invites {
		t.Fatalf("a revoked moderator made an invite: %d invites, were %d", n, invites)
	}
}

// pgExec runs one statement on the bot's database.
func pgExec(b *testBot, sql string, args ...any) (int64, error) {
	db, err := postgres.Open(context.Background(), b.Env["DATABASE_URL"])
	if err != nil {
		return 0, err
	}
	defer db.Close()
	tag, err := db.Pool.Exec(context.Background(), sql, args...)
	return tag.RowsAffected(), err
}

// Without buttons or deep links (Zalo; here the text-only channel) every
// moderator command is typed: the invite says what to type instead of a
// link, codes and commands work without diacritics, and a member's
// /huydangky is refused.
func TestModeratorCommandsAreTypedWithoutButtons(t *testing.T) {
	t.Parallel()
	p := startPlain(t, func(env map[string]string) { env["MODERATORS"] = "plain:mod1" })
	code := p.market("g-chilang", "f1", "0912888777")
	p.post(bottest.Update{Chat: "g-chilang", Group: "Chợ Chi Lăng", User: "m1", Text: "/huydangky"})
	p.expect("g-chilang", "group.moderators_only")

	p.say("mod1", "/themmod")
	msg := p.expect("mod1", "roles.pick_role", "Press", "chọn")
	p.say("mod1", p.choose(msg, "roles.role_helper"))
	invite := p.last("mod1")
	inv := regexp.MustCompile(`HT-[2-9A-HJ-NP-Z]{6}`).FindString(invite)
	if inv == "" || !strings.Contains(invite, "NHẬN "+inv) || strings.Contains(invite, "http") {
		t.Fatalf("the invite without links: %q", invite)
	}
	p.say("h1", "nhan "+strings.ToLower(inv))
	p.expect("h1", "roles.granted_helper")
	// The moderator is told the code was used: that news travels on its own.
	p.wait("mod1", func(s string) bool { return strings.Contains(s, "h1") && strings.Contains(s, inv) })

	p.say("mod1", "go "+strings.ToLower(code))
	p.expect("mod1", "moderation.reason_remove", "Code", code, "Product", "Na Chi Lăng", "Name", "Hoàng Văn f1")
	p.say("mod1", "Ảnh không đúng hàng")
	p.say("mod1", "dong y")
	p.expect("mod1", "moderation.removed", "Code", code, "Posts", 1)
	p.wait("g-chilang", func(s string) bool { return strings.Contains(s, "TIN ĐÃ BỊ GỠ") && strings.Contains(s, code) })
}

// In the sandbox its moderator persona takes a listing down and bars the
// farmer persona, typing, as the page's visitor would.
func TestTheSandboxModeratorTakesDownAndBars(t *testing.T) {
	t.Parallel()
	w := startWeb(t)
	w.register("farmer", "0912 888 777")
	_, code := w.publish("farmer", "500 kg", "25k")
	w.wait("market", func(s string) bool { return strings.Contains(s, code) })

	w.say("buyer", "gỡ "+code)
	w.expect("buyer", "moderation.refused")
	w.say("moderator", "gỡ "+code)
	w.expect("moderator", "moderation.reason_remove", "Code", code, "Product", "Na Chi Lăng", "Name", w.name("farmer"))
	w.say("moderator", "Ảnh không đúng hàng")
	w.say("moderator", "đồng ý")
	w.expect("moderator", "moderation.removed", "Code", code, "Posts", 1)
	w.wait("market", func(s string) bool { return strings.Contains(s, "TIN ĐÃ BỊ GỠ") && strings.Contains(s, code) })

	w.say("moderator", "chặn "+code)
	w.say("moderator", "Đăng hàng không đúng ảnh")
	w.say("moderator", "đồng ý")
	w.expect("moderator", "moderation.banned", "Name", w.name("farmer"))
	w.say("farmer", "/ban")
	w.expect("farmer", "moderation.banned_refusal", "Reason", "Đăng hàng không đúng ảnh")
}

// Moderators' commands are in no menu: their /help lists them, a farmer's
// does not.
func TestAModeratorsHelpListsTheirCommands(t *testing.T) {
	t.Parallel()
	b := withModerator(t)
	b.Say(moderator, "/help")
	if got := b.Sent(moderator); len(got) == 0 || !containsText(got, text(t, "vi", "help.moderator")) {
		t.Fatalf("a moderator's /help: %+v", got)
	}
	b.Say(farmer, "/help")
	got := b.Sent(farmer)
	if !containsText(got, text(t, "vi", "help.text")) {
		t.Fatalf("a farmer's /help: %+v", got)
	}
	for _, m := range got {
		if strings.Contains(m.Text, "/thongbao") {
			t.Fatalf("a farmer is told of /thongbao: %q", m.Text)
		}
	}
}

func containsText(msgs []sent, want string) bool {
	for _, m := range msgs {
		if m.Text == want {
			return true
		}
	}
	return false
}

// A code is only as good as its maker's role: a moderator taken off with
// /xoamod cannot make themselves a moderator again with a code they kept,
// nor make anyone a helper with one; given the role back, those codes
// stay void. A maker who lost the role another way (the server's
// configuration, the database) is checked as the code is used.
func TestACodeDiesWithItsMakersRole(t *testing.T) {
	t.Parallel()
	b := withModerator(t)
	const newMod, helper, other = int64(3004), int64(3003), int64(3005)
	b.grant(t, newMod, "moderator")
	spare := func(role, prefix string) string {
		t.Helper()
		b.Say(newMod, "/themmod")
		b.Tap(newMod, "role:"+role)
		code := regexp.MustCompile(prefix + `-[2-9A-HJ-NP-Z]{6}`).FindString(b.Last(newMod).Text)
		if code == "" {
			t.Fatalf("no %s code: %q", prefix, b.Last(newMod).Text)
		}
		return code
	}
	ownQT, forHelper := spare("moderator", "QT"), spare("helper", "HT")

	b.revoke(newMod, "Nông dân 3004", "👮 Người điều phối chợ")
	b.Say(newMod, "nhận "+ownQT)
	b.expect(newMod, "roles.invite_void", "Code", ownQT)
	b.Say(helper, "nhận "+forHelper)
	b.expect(helper, "roles.invite_void", "Code", forHelper)
	for _, user := range []int64{newMod, helper} {
		if got := roleOf(t, b, user); got != "" {
			t.Fatalf("a code of a moderator taken off gave %d the roles %q", user, got)
		}
	}

	// Invited again, the moderator's old codes are still void; a new one works.
	b.grant(t, newMod, "moderator")
	b.Say(helper, "nhận "+forHelper)
	b.expect(helper, "roles.invite_void", "Code", forHelper)
	fresh := spare("helper", "HT")

	// The role gone without /xoamod: the code is refused as it is used.
	if _, err := pgExec(b, `DELETE FROM user_roles WHERE role = 'moderator'`); err != nil {
		t.Fatal(err)
	}
	b.Say(other, "nhận "+fresh)
	b.expect(other, "roles.invite_void", "Code", fresh)
	if got := roleOf(t, b, other); got != "" {
		t.Fatalf("a code of a maker without the role gave the roles %q", got)
	}
}

// revoke has the moderator take back the one role /xoamod lists, held
// by user, and waits for user to be told: that news travels on its own,
// and could land after the user's next answers.
func (b *testBot) revoke(user int64, name, role string) {
	b.t.Helper()
	b.Say(moderator, "/xoamod")
	b.Tap(moderator, b.expect(moderator, "roles.revoke_pick", "Count", 1, "Press", "bấm").Data[0])
	b.Tap(moderator, "rv:yes")
	b.expect(moderator, "roles.revoked", "Name", name, "Role", role)
	waitSent(b.t, b, user, func(s sent) bool { return s.Text == text(b.t, "vi", "roles.revoked_user", "Role", role) }, 1)
}

// grant has the moderator invite user to role, and user take it; it waits
// for the moderator to be told, which could otherwise land after the
// moderator's next answers.
func (b *testBot) grant(t *testing.T, user int64, role string) {
	t.Helper()
	prefix, granted := map[string]string{"helper": "HT", "moderator": "QT"}[role], "roles.granted_"+role
	code := b.invite(t, role, prefix)
	b.Say(user, "nhận "+code)
	b.expect(user, granted)
	// The invite, then the news of its use.
	waitSent(t, b, moderator, func(s sent) bool { return strings.Contains(s.Text, code) }, 2)
}

// A helper whose role is taken back posts nothing more for farmers: not
// the listing they were writing for one when it happened, nor again a
// listing they posted for one (selling 7 more days, or its stock after it
// sold out). Each time they are told kindly, naming the farmer.
func TestAHelperTakenOffPostsNothingMoreForFarmers(t *testing.T) {
	t.Parallel()
	b := withModerator(t)
	b.markets()
	const helper = int64(3003)
	b.grant(t, helper, "helper")
	b.registerMai(helper)
	code := b.publish(helper)
	b.Say(helper, "/ban")
	b.Tap(helper, "for:other")
	b.Say(helper, "0987 654 321")
	b.expect(helper, "sell.product")

	b.revoke(helper, "Nông dân 3003", "🤝 Người hỗ trợ (đăng tin giúp bà con)")
	listings := func() int { return count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM listings`) }
	b.toSummary(helper)
	b.Publish(helper)
	b.expect(helper, "assist.not_helper", "Name", "Hoàng Thị Mai")
	if n := listings(); n != 1 {
		t.Fatalf("%d listings, want the 1 posted before the role was taken back", n)
	}

	expiry := func() int {
		return count(t, b.Env["DATABASE_URL"], `SELECT extract(epoch FROM expires_at)::int FROM listings WHERE code = $1`, code)
	}
	was := expiry()
	b.Say(helper, "bán thêm "+code)
	b.expect(helper, "assist.not_helper", "Name", "Hoàng Thị Mai")
	if now := expiry(); now != was {
		t.Fatalf("the helper taken off sold %s 7 more days: expiry %d → %d", code, was, now)
	}
	// Marking it sold out is no posting; putting it back on sale is.
	for _, stock := range []string{"0", "300kg"} {
		b.Say(helper, "/tin")
		b.Tap(helper, b.Last(helper).Data[0])
		b.Tap(helper, "act:stock")
		b.Say(helper, stock)
	}
	b.expect(helper, "assist.not_helper", "Name", "Hoàng Thị Mai")
	if s := listingStatus(t, b, code); s != "sold_out" {
		t.Fatalf("the helper taken off put %s back on sale: %s", code, s)
	}
}

// /chan on a listing a helper posted for a farmer without an account bans
// the farmer, as the moderator is asked: her seller profile, which no
// helper may post for any more (at her phone number, at publishing, when
// selling 7 more days), while the helper still may for others. Every
// message names the one banned; /bochan lists her by name. Banning the
// helper instead is a choice of its own.
func TestABanOnAHelpedListingStopsTheFarmer(t *testing.T) {
	t.Parallel()
	b := withModerator(t)
	b.markets()
	const helper, other = int64(3003), int64(3005)
	for _, h := range []int64{helper, other} {
		b.grant(t, h, "helper")
	}
	b.registerMai(helper)
	code := b.publish(helper)
	b.Say(other, "/ban") // writing another listing for Mai as she is banned
	b.Tap(other, "for:other")
	b.Say(other, "0987 654 321")
	b.expect(other, "sell.product")

	b.Say(moderator, "/chan "+code)
	b.expect(moderator, "moderation.reason_ban", "Code", code, "Product", "Na Chi Lăng", "Name", "Hoàng Thị Mai")
	b.Say(moderator, "Ảnh không đúng hàng")
	confirm := b.expect(moderator, "moderation.confirm_ban", "Code", code, "Name", "Hoàng Thị Mai", "Reason", "Ảnh không đúng hàng",
		"NoAccount", true, "Helper", "Nông dân 3003", "Press", "bấm")
	if !slices.Equal(confirm.Data, []string{"mod:yes", "mod:helper", "mod:no"}) {
		t.Fatalf("the ban's choices: %+v %+v", confirm.Buttons, confirm.Data)
	}
	b.Tap(moderator, "mod:yes")
	b.expect(moderator, "moderation.banned_seller", "Name", "Hoàng Thị Mai")
	if n := count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM user_roles WHERE role = 'banned'`); n != 0 {
		t.Fatalf("%d users banned, want none: the farmer has no account", n)
	}
	waitSent(t, b, helper, func(s sent) bool {
		return s.Text == text(t, "vi", "moderation.banned_seller_helper", "Name", "Hoàng Thị Mai", "Reason", "Ảnh không đúng hàng")
	}, 1)

	// No helper posts for her: not the listing being written, not a new
	// one, not the old one for 7 more days.
	b.toSummary(other)
	b.Publish(other)
	b.expect(other, "assist.farmer_banned", "Name", "Hoàng Thị Mai", "Reason", "Ảnh không đúng hàng")
	for _, h := range []int64{helper, other} {
		b.Say(h, "/ban")
		b.Tap(h, "for:other")
		b.Say(h, "0987 654 321")
		b.expect(h, "assist.farmer_banned", "Name", "Hoàng Thị Mai", "Reason", "Ảnh không đúng hàng", "Another", true)
		b.Say(h, "huỷ")
	}
	b.Say(helper, "bán thêm "+code)
	b.expect(helper, "assist.farmer_banned", "Name", "Hoàng Thị Mai", "Reason", "Ảnh không đúng hàng")
	if n := count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM listings`); n != 1 {
		t.Fatalf("%d listings for a banned farmer, want the 1 from before", n)
	}
	// The helper may still post for someone else.
	b.Say(helper, "/ban")
	b.Tap(helper, "for:other")
	b.Say(helper, "0987 111 222")
	b.expect(helper, "assist.name")
	b.Say(helper, "huỷ")

	b.Say(moderator, "/bochan")
	pick := b.expect(moderator, "moderation.unban_pick", "Count", 1, "Press", "bấm")
	if !slices.Equal(pick.Buttons, []string{"Hoàng Thị Mai: Ảnh không đúng hàng"}) {
		t.Fatalf("banned list: %+v", pick.Buttons)
	}
	b.Tap(moderator, pick.Data[0])
	b.expect(moderator, "moderation.unbanned", "Name", "Hoàng Thị Mai", "Told", false)
	b.Say(helper, "/ban")
	b.Tap(helper, "for:other")
	b.Say(helper, "0987 654 321")
	b.expect(helper, "sell.product")
	b.Say(helper, "huỷ")

	// The helper, picked instead: banned as a user, told, and named.
	b.Say(moderator, "/chan "+code)
	b.Say(moderator, "Đăng giúp hàng không đúng ảnh")
	b.Tap(moderator, "mod:helper")
	b.expect(moderator, "moderation.banned", "Name", "Nông dân 3003")
	waitSent(t, b, helper, func(s sent) bool {
		return s.Text == text(t, "vi", "moderation.banned_user", "Reason", "Đăng giúp hàng không đúng ảnh")
	}, 1)
	b.Say(helper, "/ban")
	b.expect(helper, "moderation.banned_refusal", "Reason", "Đăng giúp hàng không đúng ảnh")
	b.Say(moderator, "/bochan")
	pick = b.expect(moderator, "moderation.unban_pick", "Count", 1, "Press", "bấm")
	if !slices.Equal(pick.Buttons, []string{"Nông dân 3003: Đăng giúp hàng không đúng ảnh"}) {
		t.Fatalf("banned list: %+v", pick.Buttons)
	}
}

// MODERATORS is read as people type it: the channel in any case, spaces
// around either part. An entry that names nobody is logged at start, by
// its place and why, never as written (a phone number or a token may have
// been pasted there), and one naming an unknown channel is pointed out.
func TestModeratorsAreReadAsTypedAndMistakesAreLogged(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["MODERATORS"] = " Telegram : 4242 ,0912345678, telegram:@someone ,zalo:8f3aBC, telgram:77,"
	b := startBot(t, tg, env)
	b.Say(4242, "/themmod")
	b.expect(4242, "roles.pick_role", "Press", "bấm")
	b.Say(77, "/themmod")
	b.expect(77, "roles.refused")

	type entry struct {
		Level, Message, Why, Channel string
		Entry                        int
	}
	var warned []entry
	for _, line := range strings.Split(b.Logs.String(), "\n") {
		var e entry
		if json.Unmarshal([]byte(line), &e) == nil && strings.HasPrefix(e.Message, "MODERATORS") {
			warned = append(warned, e)
		}
	}
	want := []entry{
		{Level: "warn", Entry: 2, Why: "not channel:user_id"},
		{Level: "warn", Entry: 3, Why: "a Telegram user id is a number"},
		{Level: "warn", Entry: 5, Channel: "telgram"},
	}
	if len(warned) != len(want) {
		t.Fatalf("logged about MODERATORS: %+v, want %d entries", warned, len(want))
	}
	for i, w := range want {
		if got := warned[i]; got.Level != w.Level || got.Entry != w.Entry || got.Why != w.Why || got.Channel != w.Channel {
			t.Errorf("logged %+v, want %+v", got, w)
		}
	}
	for _, secret := range []string{"0912345678", "912345678", "someone"} {
		if strings.Contains(b.Logs.String(), secret) {
			t.Errorf("the logs show what MODERATORS holds: %q", secret)
		}
	}
}

// On Zalo, /themmod's invite names the bot as Zalo users find it (its
// name there begins with "Bot"), says the role in words, and gives the
// line to forward once; the invited person sends that line and has the
// role.
func TestAZaloInviteNamesTheBotAsZaloFindsIt(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	const mod, invited = "mod-0001", "officer-0002"
	z.say(mod, "/themmod")
	roles := z.expect(mod, "roles.pick_role")
	z.say(mod, z.number(roles, "roles.role_moderator"))
	invite := z.wait(mod, func(s string) bool {
		return strings.HasPrefix(s, "✅ Đây là mã mời làm người điều phối chợ: QT-")
	})
	code := regexp.MustCompile(`QT-[2-9A-HJ-NP-Z]{6}`).FindString(invite)
	line := "Nhắn cho " + zalotest.BotName + ": NHẬN " + code
	if code == "" || strings.Count(invite, "NHẬN "+code) != 1 || !strings.Contains(invite, line) ||
		strings.Contains(invite, "Nông Sản Bot") || strings.Contains(invite, "👮") {
		t.Fatalf("the invite on Zalo: %q\nwant the line %q once, the role in words, no other name of the bot", invite, line)
	}
	z.say(invited, "NHẬN "+code)
	z.expect(invited, "roles.granted_moderator")
}
