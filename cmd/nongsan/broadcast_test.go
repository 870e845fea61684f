package main

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

const (
	moderator    = int64(7007)
	member       = int64(7008)           // no role
	caoLocMarket = int64(-1004444444444) // a market group for Cao Lộc only
)

// newsroom runs a bot where moderator moderates, with the three market
// groups of markets and one for Cao Lộc.
func newsroom(t *testing.T) *testBot {
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["MODERATORS"] = "telegram:" + itoa(moderator)
	b := startBot(t, tg, env)
	b.markets()
	b.TG.SetMemberStatus(caoLocMarket, groupAdmin, "administrator")
	b.Post(b.Up.AddedToGroup(caoLocMarket, groupAdmin, telegramtest.DefaultBotID))
	b.Post(b.Up.Text(caoLocMarket, groupAdmin, "/dangky Cao Lộc"))
	b.expectIn(caoLocMarket, "group.registered", "Area", "Cao Lộc")
	return b
}

// targets are the chats a database's broadcasts go to, by broadcast.
func targets(t *testing.T, b *testBot) []string {
	return rows(t, b.Env["DATABASE_URL"], `SELECT b.id, b.scope, b.pin, string_agg(t.chat_id, ',' ORDER BY t.chat_id)
		FROM broadcasts b JOIN broadcast_targets t ON t.broadcast_id = b.id GROUP BY b.id ORDER BY b.id`)
}

// Through the webhook: the moderator sends a photo with the announcement
// as its caption, picks two areas (one tapped, one typed), previews it as
// the groups will see it, pins it and sends it; the button pressed twice
// (Telegram retrying the update, a double tap) stores one broadcast to the
// groups of those areas and the group of every area. A member cannot.
func TestAModeratorBroadcastsToTwoAreas(t *testing.T) {
	t.Parallel()
	b := newsroom(t)
	announcement := "Thứ 7 này có thương lái Hà Nội về thu mua na tại chợ Đồng Mỏ"

	b.Say(member, "/thongbao")
	b.expect(member, "broadcast.refused")

	b.Say(moderator, "/thongbao")
	b.expect(moderator, "broadcast.text")
	if code := b.Post(b.Up.Photo(moderator, moderator, "photo-bc", "", announcement)); code != http.StatusOK {
		t.Fatal(code)
	}
	b.expect(moderator, "broadcast.targets", "Count", 4)
	b.Tap(moderator, "areas")
	b.expect(moderator, "broadcast.areas", "Everywhere", 1, "Chosen", 0)
	b.Tap(moderator, "area:chi_lang")
	b.Say(moderator, "bac son")
	areas := b.expect(moderator, "broadcast.areas", "Everywhere", 1, "Chosen", 2)
	if done := areas.Buttons[len(areas.Buttons)-1]; done != text(t, "vi", "broadcast.areas_done", "Count", 3) {
		t.Errorf("the areas' Xong button says %q, want 3 groups", done)
	}
	b.Tap(moderator, "done")
	summary := b.Last(moderator)
	if !strings.HasPrefix(summary.Text, "👆") || !strings.Contains(summary.Text, "Gửi tới 3 nhóm") {
		t.Fatalf("the preview's summary: %q", summary.Text)
	}
	// The preview: the photo with the announcement as a group gets it.
	photos := b.TG.CallsTo("sendPhoto")
	preview := photos[len(photos)-1]
	if preview.ChatID != itoa(moderator) || preview.Params["photo"] != "photo-bc" ||
		preview.Params["caption"] != text(t, "vi", "broadcast.post", "Text", announcement) {
		t.Fatalf("the preview: %+v", preview.Params)
	}
	b.Tap(moderator, "pin")
	// The groups, of one title, each with its areas, in the order listed.
	named := map[string]string{}
	for _, area := range []string{"Chi Lăng", "", "Bắc Sơn"} {
		named[area] = text(t, "vi", "broadcast.title", "Title", b.Up.Chat(chiLangMarket).Title, "Channel", "Telegram", "Areas", area)
	}
	summary = b.Last(moderator)
	found := false
	for _, order := range [][]string{{"Chi Lăng", "", "Bắc Sơn"}, {"Chi Lăng", "Bắc Sơn", ""}, {"", "Chi Lăng", "Bắc Sơn"},
		{"", "Bắc Sơn", "Chi Lăng"}, {"Bắc Sơn", "Chi Lăng", ""}, {"Bắc Sơn", "", "Chi Lăng"}} {
		groups := named[order[0]] + ", " + named[order[1]] + ", " + named[order[2]]
		found = found || summary.Text == text(t, "vi", "broadcast.summary", "Count", 3, "Groups", groups, "More", 0, "Pin", true, "CanPin", true)
	}
	if !found {
		t.Fatalf("the summary, pinned: %q", summary.Text)
	}

	send := b.Up.Callback(moderator, moderator, 0, "send")
	for range 2 {
		if code := b.Post(send); code != http.StatusOK {
			t.Fatal(code)
		}
	}
	b.expectOnce(moderator, "broadcast.started", "Count", 3)
	b.Tap(moderator, "send")
	want := strings.Join([]string{itoa(chiLangMarket), itoa(allMarket), itoa(bacSonMarket)}, ",")
	if got := targets(t, b); len(got) != 1 || !strings.HasSuffix(got[0], " areas true "+want+"]") {
		t.Fatalf("broadcasts %q, want one to %s, pinned", got, want)
	}
	// The groups get what the preview showed, once each; Cao Lộc's nothing.
	waitFor(t, "the announcement in the three groups", func() bool {
		got := map[string]int{}
		for _, c := range b.TG.CallsTo("sendPhoto") {
			if c.Status == http.StatusOK && c.Params["caption"] == preview.Params["caption"] && c.Params["photo"] == "photo-bc" {
				got[c.ChatID]++
			}
		}
		return got[itoa(chiLangMarket)] == 1 && got[itoa(allMarket)] == 1 && got[itoa(bacSonMarket)] == 1
	})
	for _, c := range b.TG.CallsTo("sendPhoto") {
		if c.ChatID == itoa(caoLocMarket) {
			t.Errorf("Cao Lộc's group got %+v", c.Params)
		}
	}
}

// A group's admin types /thongbao in the group and gets a button into the
// private chat, where the announcement goes to that group only; a member
// is told no.
func TestAGroupAdminAnnouncesToTheirGroup(t *testing.T) {
	t.Parallel()
	b := newsroom(t)
	b.Post(b.Up.Text(chiLangMarket, member, "/thongbao"))
	b.expectIn(chiLangMarket, "broadcast.group_admins_only")
	b.Post(b.Up.Text(chiLangMarket, groupAdmin, "/thongbao"))
	b.expectIn(chiLangMarket, "broadcast.group_open")
	button := b.Last(chiLangMarket)
	if len(button.Data) != 1 || !strings.HasSuffix(button.Data[0], "?start=tb_"+itoa(chiLangMarket)) {
		t.Fatalf("the group's button: %+v", button)
	}
	payload := "/start tb_" + itoa(chiLangMarket)
	b.Say(member, payload) // the link passed on to a member
	b.expect(member, "broadcast.own_refused")
	b.Say(groupAdmin, payload)
	b.expect(groupAdmin, "broadcast.text_own")
	b.Say(groupAdmin, "Sáng mai họp nhóm ở nhà văn hoá thôn")
	b.expect(groupAdmin, "broadcast.photo")
	b.Tap(groupAdmin, "skip")
	group := text(t, "vi", "broadcast.title", "Title", b.Up.Chat(chiLangMarket).Title, "Channel", "Telegram", "Areas", "Chi Lăng")
	b.expect(groupAdmin, "broadcast.summary", "Count", 1, "Groups", group, "More", 0, "Pin", false, "CanPin", true)
	b.Tap(groupAdmin, "send")
	b.expectOnce(groupAdmin, "broadcast.started", "Count", 1)
	if got := targets(t, b); len(got) != 1 || !strings.HasSuffix(got[0], " own false "+itoa(chiLangMarket)+"]") {
		t.Fatalf("broadcasts %q, want one to the admin's group", got)
	}
}

// ⛔ Dừng gửi on a broadcast's progress: another user is refused; the
// author is asked, and stops it.
func TestABroadcastIsStoppedByItsAuthor(t *testing.T) {
	t.Parallel()
	b := newsroom(t)
	b.Say(moderator, "/thongbao")
	if code := b.Post(b.Up.Photo(moderator, moderator, "photo-stop", "", "Họp chợ sáng mai")); code != http.StatusOK {
		t.Fatal(code)
	}
	b.Tap(moderator, "all")
	// The groups' posts are held on their way, so that the broadcast is
	// still going when its author stops it, however fast the workers.
	b.TG.Hold("sendPhoto")
	t.Cleanup(b.TG.Release)
	b.Tap(moderator, "send")
	b.expectOnce(moderator, "broadcast.started", "Count", 4)
	var id int64
	queryRow(t, b.Env["DATABASE_URL"], `SELECT max(id) FROM broadcasts`, nil, &id)
	stop := "bc:stop:" + strconv.FormatInt(id, 10)

	b.Tap(member, stop)
	b.expect(member, "broadcast.stop_refused")
	b.Tap(moderator, stop)
	b.expect(moderator, "broadcast.stop_confirm")
	b.Tap(moderator, "stop")
	b.expect(moderator, "broadcast.stopped")
	if status := rows(t, b.Env["DATABASE_URL"], `SELECT status FROM broadcasts`); status[0] != "[cancelled]" {
		t.Errorf("a stopped broadcast is %q", status)
	}
}

// Market groups are often named alike: the picker and the summary name
// each with its channel and its areas, so that they can be told apart.
func TestTheGroupPickerNamesEachGroupsAreas(t *testing.T) {
	t.Parallel()
	b := newsroom(t)
	b.Say(moderator, "/thongbao")
	b.Say(moderator, "Họp chợ sáng mai")
	b.Tap(moderator, "skip")
	b.Tap(moderator, "picked")
	pick := b.expect(moderator, "broadcast.pick", "Chosen", 0, "Page", 1, "Pages", 1)
	title := b.Up.Chat(chiLangMarket).Title
	for _, area := range []string{"Chi Lăng", "", "Bắc Sơn", "Cao Lộc"} {
		if label := text(t, "vi", "broadcast.group", "Title", title, "Channel", "Telegram", "Areas", area); !slices.Contains(pick.Buttons, label) {
			t.Errorf("no button %q in the picker: %q", label, pick.Buttons)
		}
	}
	if !slices.Contains(pick.Buttons, title+" (Telegram · mọi khu vực)") {
		t.Errorf("the group of every area is not named so: %q", pick.Buttons)
	}
	b.Tap(moderator, groupValue(caoLocMarket))
	b.Tap(moderator, "done")
	b.expect(moderator, "broadcast.summary", "Count", 1, "Groups", title+" (Telegram · Cao Lộc)", "More", 0, "Pin", false, "CanPin", true)
}

// groupValue is a Telegram group's choice in the picker.
func groupValue(chat int64) string { return "g:telegram:" + itoa(chat) }

// "huỷ" (or /huy) just after ✅ Gửi, while the announcement is still going
// out, asks whether to stop it, as ⛔ Dừng gửi does, instead of "nothing
// to cancel"; ⛔ Dừng gửi pressed once it is stopped says it was stopped,
// not that it went in full; once nothing is sending, "huỷ" has nothing to
// cancel again.
func TestHuyJustAfterSendingOffersToStopTheAnnouncement(t *testing.T) {
	t.Parallel()
	b := newsroom(t)
	b.Say(moderator, "/thongbao")
	if code := b.Post(b.Up.Photo(moderator, moderator, "photo-huy", "", "Họp chợ sáng mai")); code != http.StatusOK {
		t.Fatal(code)
	}
	b.Tap(moderator, "all")
	b.TG.Hold("sendPhoto") // still going, however fast the workers
	t.Cleanup(b.TG.Release)
	b.Tap(moderator, "send")
	b.expectOnce(moderator, "broadcast.started", "Count", 4)
	waitSent(t, b, moderator, func(s sent) bool { return strings.HasPrefix(s.Text, "📣 Đã gửi 0/4") }, 1)

	b.Say(moderator, "/huy")
	b.expect(moderator, "broadcast.stop_confirm")
	b.Tap(moderator, "go_on")
	b.expect(moderator, "broadcast.stop_not")
	b.Say(moderator, "huỷ")
	b.expect(moderator, "broadcast.stop_confirm")
	b.Tap(moderator, "stop")
	b.expect(moderator, "broadcast.stopped")
	if status := rows(t, b.Env["DATABASE_URL"], `SELECT status FROM broadcasts`); status[0] != "[cancelled]" {
		t.Errorf("a stopped broadcast is %q", status)
	}

	var id int64
	queryRow(t, b.Env["DATABASE_URL"], `SELECT max(id) FROM broadcasts`, nil, &id)
	b.Tap(moderator, "bc:stop:"+strconv.FormatInt(id, 10)) // the progress's button, still on screen
	b.expect(moderator, "broadcast.stop_stopped")
	b.Say(moderator, "huỷ")
	b.expectOnce(moderator, "cancel.nothing")
}

// On Zalo, by typing: the moderator's announcement to every group, its
// choices answered by number; in a Zalo group, where admins are unknown,
// a member is refused and the moderator told to write it privately.
func TestZaloModeratorAnnouncesByTyping(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	const group, mod = "zalo-group-bc", "mod-0001"
	inGroup := func(user, text string) { z.post(z.Z.Text(zalotest.Group(group), z.user(user), text)) }
	inGroup(mod, "/dangky")
	z.expect(group, "group.registered_all")
	inGroup("member-0003", "/thongbao")
	z.expect(group, "broadcast.group_moderators_only")
	inGroup(mod, "/thongbao")
	z.wait(group, func(s string) bool { return strings.Contains(s, zaloText(t, "broadcast.by_text")) })

	z.say(mod, "/thongbao")
	z.expect(mod, "broadcast.text")
	z.say(mod, "Thu mua na tai cho Dong Mo")
	z.expect(mod, "broadcast.photo")
	z.say(mod, "bo qua")
	targets := z.expect(mod, "broadcast.targets", "Count", 1)
	z.say(mod, z.number(targets, "broadcast.all", "Count", 1))
	summary := z.last(mod)
	if !regexp.MustCompile(`Gửi tới 1 nhóm`).MatchString(summary) {
		t.Fatalf("the summary: %q", summary)
	}
	z.say(mod, z.number(summary, "broadcast.send"))
	z.expect(mod, "broadcast.started", "Count", 1)
	if got := rows(t, z.b.Env["DATABASE_URL"], `SELECT channel, chat_id FROM broadcast_targets`); len(got) != 1 ||
		got[0] != "[zalo "+group+"]" {
		t.Fatalf("targets %q", got)
	}
	// ⛔ Dừng gửi typed, as the progress message says without buttons.
	var id int64
	queryRow(t, z.b.Env["DATABASE_URL"], `SELECT max(id) FROM broadcasts`, nil, &id)
	z.say(mod, "dung tb"+strconv.FormatInt(id, 10))
	confirm := z.expect(mod, "broadcast.stop_confirm")
	z.say(mod, z.number(confirm, "broadcast.stop_yes"))
	if last := z.last(mod); !strings.HasPrefix(last, text(t, "vi", "broadcast.stopped")) &&
		!strings.HasPrefix(last, text(t, "vi", "broadcast.stop_ended")) { // the workers were quicker
		t.Fatalf("after typing the stop: %q", last)
	}
}

// The sandbox's moderator persona announces to the seeded market group.
func TestTheSandboxModeratorAnnounces(t *testing.T) {
	t.Parallel()
	w := startWeb(t)
	w.say("moderator", "/thongbao")
	w.expect("moderator", "broadcast.text")
	w.say("moderator", "Chợ phiên sáng thứ 7")
	w.say("moderator", "bỏ qua")
	w.say("moderator", "tất cả")
	w.expect("moderator", "broadcast.summary", "Count", 1, "Groups", text(t, "vi", "sandbox.market")+" (Web · mọi khu vực)", "More", 0,
		"Pin", false)
	w.say("moderator", "gửi")
	w.expect("moderator", "broadcast.started", "Count", 1)
	w.say("buyer", "/thongbao")
	w.expect("buyer", "broadcast.refused", "NoAdmins", true) // the sandbox cannot tell a group's admins either
	if n := count(t, w.b.Env["DATABASE_URL"], `SELECT count(*) FROM sandbox.broadcast_targets WHERE channel = 'web' AND chat_id = 'market'`); n != 1 {
		t.Errorf("%d targets in the sandbox's market, want 1", n)
	}
}

// announcePhoto has zalo:mod-0001 announce a photo with its caption to a
// Zalo group and a Telegram group, checking the preview on the way: it
// shows the photo, with the caption the groups get.
func announcePhoto(t *testing.T, z *zaloBot, group string) (caption string) {
	t.Helper()
	const mod = "mod-0001"
	z.post(z.Z.Text(zalotest.Group(group), z.user(mod), "/dangky"))
	z.expect(group, "group.registered_all")
	b := z.b
	b.TG.SetMemberStatus(allMarket, groupAdmin, "administrator")
	b.Post(b.Up.AddedToGroup(allMarket, groupAdmin, telegramtest.DefaultBotID))
	b.Post(b.Up.Text(allMarket, groupAdmin, "/dangky"))
	b.expectIn(allMarket, "group.registered_all")

	announcement := "Thu mua na tai cho Dong Mo"
	caption = text(t, "vi", "broadcast.post", "Text", announcement)
	z.say(mod, "/thongbao")
	z.expect(mod, "broadcast.text")
	u := z.user(mod)
	z.post(z.Z.Image(zalotest.Private(u), u, "na-thongbao", announcement))
	targets := z.expect(mod, "broadcast.targets", "Count", 2)
	z.say(mod, z.number(targets, "broadcast.all", "Count", 2))
	if got := z.Z.Received(mod); !slices.ContainsFunc(got, func(m zalotest.Message) bool {
		return m.Photo != "" && m.Text == caption
	}) {
		t.Fatalf("the preview has no photo: %+v", got)
	}
	z.say(mod, z.number(z.last(mod), "broadcast.send"))
	z.expect(mod, "broadcast.started", "Count", 2)
	return caption
}

// telegramPhotos are the photos a Telegram chat got.
func telegramPhotos(b *testBot, chat int64) []telegramtest.Call {
	var got []telegramtest.Call
	for _, c := range b.TG.CallsTo("sendPhoto") {
		if c.ChatID == itoa(chat) && c.Status == http.StatusOK {
			got = append(got, c)
		}
	}
	return got
}

// A Zalo moderator's announcement with a captioned photo, to a Zalo group
// and a Telegram group: the preview and both groups show the photo, each
// platform fetching it from its link as it does (a link that answered 404
// would be refused), and the report says both got it.
func TestAZaloModeratorAnnouncesAPhotoOnBothChannels(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	const group = "zalo-group-photo"
	caption := announcePhoto(t, z, group)

	report := text(t, "vi", "broadcast_run.report_done", "Sent", 2, "Total", 2, "NoButtons", true)
	z.wait("mod-0001", func(s string) bool { return s == report })
	inZalo := z.Z.Received(group)
	if last := inZalo[len(inZalo)-1]; !strings.HasPrefix(last.Photo, z.b.Env["PUBLIC_BASE_URL"]+"/media/") || last.Text != caption {
		t.Errorf("the Zalo group got %+v, want the photo with its caption", last)
	}
	if got := telegramPhotos(z.b, allMarket); len(got) != 1 || got[0].Params["caption"] != caption {
		t.Errorf("the Telegram group got photos %+v, want the one with its caption", got)
	}
}

// A group whose platform cannot fetch the photo gets the text alone, and
// the moderator is told so, not only that every group got it.
func TestABroadcastsPhotoRefusedIsReported(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	z.b.TG.FailNext("sendPhoto", 1, telegramtest.Failure{Status: http.StatusBadRequest,
		Description: "Bad Request: failed to get HTTP URL content"})
	caption := announcePhoto(t, z, "zalo-group-nophoto")

	report := text(t, "vi", "broadcast_run.report_done", "Sent", 2, "Total", 2, "NoPhoto", 1, "NoButtons", true)
	z.wait("mod-0001", func(s string) bool { return s == report })
	if got := telegramPhotos(z.b, allMarket); len(got) != 0 {
		t.Errorf("the Telegram group got photos %+v", got)
	}
	if got := z.b.Sent(allMarket); len(got) == 0 || got[len(got)-1].Text != caption {
		t.Errorf("the Telegram group got %+v, want the text alone", got)
	}
}

// Zalo does not let bots pin: an announcement to Zalo groups only is not
// offered 📌, and one to Telegram groups too says the Zalo groups will not
// have it pinned; before, 📌 was offered and the preview said "có" for a
// Zalo group, and only the report said it could not be done.
func TestZaloGroupsAreNotOfferedAPin(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	const group, mod = "zalo-group-pin", "mod-0001"
	z.post(z.Z.Text(zalotest.Group(group), z.user(mod), "/dangky"))
	z.expect(group, "group.registered_all")
	z.say(mod, "/thongbao")
	z.say(mod, "Hop cho sang mai")
	z.say(mod, "bo qua")
	z.say(mod, "tat ca")
	if summary := z.last(mod); !strings.Contains(summary, "Gửi tới 1 nhóm") || strings.Contains(summary, "📌") {
		t.Fatalf("the summary for a Zalo group offers a pin: %q", summary)
	}
	z.say(mod, "ghim") // typed where it is not offered: not understood, nothing pinned
	if last := z.last(mod); strings.Contains(last, "📌") {
		t.Fatalf("after typing ghim: %q", last)
	}
	z.say(mod, "huy")

	z.b.markets() // three Telegram groups besides
	z.say(mod, "/thongbao")
	z.say(mod, "Hop cho sang mai")
	z.say(mod, "bo qua")
	z.say(mod, "tat ca")
	summary := z.last(mod)
	z.say(mod, z.number(summary, "broadcast.pin", "On", false))
	if summary := z.last(mod); !strings.Contains(summary, "📌 Ghim trong nhóm: có, trừ 1 nhóm trên Zalo: Zalo không cho bot ghim tin.") {
		t.Fatalf("the summary with a pin to Telegram and Zalo groups: %q", summary)
	}
	z.say(mod, z.number(z.last(mod), "broadcast.send"))
	z.expect(mod, "broadcast.started", "Count", 4)
	if got := rows(t, z.b.Env["DATABASE_URL"], `SELECT pin FROM broadcasts`); len(got) != 1 || got[0] != "[true]" {
		t.Fatalf("broadcasts %q, want one pinned", got)
	}
}

// "thôi", "ko có", "không" typed where a question offers ⏭ Bỏ qua press it,
// through the webhook: an announcement's photo, a farmer's growing-area
// code and bank account. "thôi" does not cancel the task there.
func TestSkipWordsTypedPressBoQua(t *testing.T) {
	t.Parallel()
	b := newsroom(t)
	b.Say(moderator, "/thongbao")
	b.expect(moderator, "broadcast.text")
	b.Say(moderator, "Chợ phiên sáng thứ 7")
	b.expect(moderator, "broadcast.photo")
	b.Say(moderator, "thôi")
	b.expect(moderator, "broadcast.targets", "Count", 4)
	b.Say(moderator, "huỷ")
	b.expect(moderator, "cancel.done")

	b.Say(farmer, "/ban")
	b.Tap(farmer, "keep")
	b.expect(farmer, "reg.phone")
	b.Say(farmer, phoneOf(farmer))
	b.expect(farmer, "reg.commune")
	b.Say(farmer, "xã Quang Lang, Chi Lăng")
	b.expect(farmer, "reg.code")
	b.Say(farmer, "ko có")
	b.expect(farmer, "reg.bank")
	b.Say(farmer, "Không ạ")
	b.expect(farmer, "sell.product")
	if got := rows(t, b.Env["DATABASE_URL"], `SELECT coalesce(growing_code, ''), coalesce(bank_bin, '') FROM sellers`); len(got) != 1 || got[0] != "[ ]" {
		t.Errorf("the farmer's code and bank: %q, want none", got)
	}
}

// A moderator's pinned announcement, where the bot may pin in no group:
// the report says plainly that it is pinned nowhere and why (the bot needs
// the pin right), naming the groups. Once an admin gives the bot that right
// in one group, the next report counts that pin and names the group left.
func TestTheReportNamesTheGroupsWhereThePinFailed(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["MODERATORS"] = "telegram:" + itoa(moderator)
	b := startBot(t, tg, env)
	titles := map[int64]string{chiLangMarket: "Chợ na Hữu Lũng", bacSonMarket: "Chợ quýt Bắc Sơn"}
	for group, title := range titles {
		b.TG.SetMemberStatus(group, groupAdmin, "administrator")
		added := b.Up.AddedToGroup(group, groupAdmin, telegramtest.DefaultBotID) // a member, not an admin
		added.MyChatMember.Chat.Title = title
		b.Post(added)
		register := b.Up.Text(group, groupAdmin, "/dangky")
		register.Message.Chat.Title = title
		b.Post(register)
		b.expectIn(group, "group.registered_all")
	}
	report := func(n int) string {
		t.Helper()
		got := waitSent(t, b, moderator, func(s sent) bool { return strings.HasPrefix(s.Text, "✅ Thông báo đã gửi xong") }, n)
		return got[n-1].Text
	}
	announce := func() {
		t.Helper()
		b.Say(moderator, "/thongbao")
		b.Say(moderator, "Chợ phiên sáng thứ 7 ở Đồng Mỏ")
		b.Tap(moderator, "skip")
		b.Tap(moderator, "all")
		b.Tap(moderator, "pin")
		b.Tap(moderator, "send")
		b.expect(moderator, "broadcast.started", "Count", 2)
	}

	announce()
	first := report(1)
	for _, want := range []string{"2/2 nhóm đã nhận", "📌 Em chưa ghim được ở nhóm nào ạ: em cần được làm quản trị viên có quyền ghim tin trong nhóm.",
		"• Chợ na Hữu Lũng", "• Chợ quýt Bắc Sơn"} {
		if !strings.Contains(first, want) {
			t.Errorf("the report lacks %q:\n%s", want, first)
		}
	}
	if strings.Contains(first, "Đã ghim ở") {
		t.Errorf("the report counts pins where there is none:\n%s", first)
	}

	b.TG.SetMemberStatus(chiLangMarket, telegramtest.DefaultBotID, "administrator")
	announce()
	second := report(2)
	for _, want := range []string{"📌 Đã ghim ở 1 nhóm.", "📌 Có 1 nhóm em chưa ghim được: ở đó em chưa được làm quản trị viên có quyền ghim tin.",
		"• Chợ quýt Bắc Sơn"} {
		if !strings.Contains(second, want) {
			t.Errorf("the second report lacks %q:\n%s", want, second)
		}
	}
	if strings.Contains(second, "Chợ na Hữu Lũng") || strings.Contains(second, "nhóm nào") {
		t.Errorf("the second report names the group pinned, or says none is:\n%s", second)
	}
}

// An announcement's header says who speaks: a group admin's to their own
// group is the group owner's, in the preview and in the group; a
// moderator's is the market coordinator's, even to one group from its
// button.
func TestAnAnnouncementSaysWhoSpeaks(t *testing.T) {
	t.Parallel()
	b := newsroom(t)
	own := func(user, group int64, words string) {
		t.Helper()
		b.Say(user, "/start tb_"+itoa(group))
		b.expect(user, "broadcast.text_own")
		b.Say(user, words)
		b.expect(user, "broadcast.photo")
		b.Tap(user, "skip")
		msgs := b.Sent(user)
		if len(msgs) < 2 || !strings.HasPrefix(msgs[len(msgs)-1].Text, "👆") {
			t.Fatalf("no preview: %+v", msgs)
		}
		preview := msgs[len(msgs)-2].Text
		b.Tap(user, "send")
		b.expectOnce(user, "broadcast.started", "Count", 1)
		waitSent(t, b, group, func(s sent) bool { return s.Text == preview }, 1)
	}

	const admins, moderators = "📣 Thông báo của trưởng nhóm\n", "📣 Thông báo của người điều phối chợ\n"
	own(groupAdmin, chiLangMarket, "Sáng mai họp nhóm ở nhà văn hoá thôn")
	if got := b.Last(chiLangMarket).Text; got != admins+"Sáng mai họp nhóm ở nhà văn hoá thôn" {
		t.Errorf("the group admin's announcement reads %q", got)
	}
	own(moderator, bacSonMarket, "Thứ 7 có thương lái về thu mua quýt")
	if got := b.Last(bacSonMarket).Text; got != moderators+"Thứ 7 có thương lái về thu mua quýt" {
		t.Errorf("the moderator's announcement to one group reads %q", got)
	}
	b.Say(moderator, "/thongbao")
	b.Say(moderator, "Chợ phiên sáng thứ 7")
	b.Tap(moderator, "skip")
	b.Tap(moderator, "all")
	b.Tap(moderator, "send")
	waitSent(t, b, caoLocMarket, func(s sent) bool { return s.Text == moderators+"Chợ phiên sáng thứ 7" }, 1)
}

// A moderator's announcement to one group reads as the market
// coordinator's however that group was chosen: picked alone in
// /thongbao's Chọn từng nhóm, or from the group's own 📣 Soạn thông báo
// button by a moderator who is also that group's admin, after Sửa chữ
// (the header follows who speaks, not how the group was picked).
func TestAModeratorsAnnouncementToOneGroupIsTheCoordinators(t *testing.T) {
	t.Parallel()
	b := newsroom(t)
	const moderators = "📣 Thông báo của người điều phối chợ\n"
	done := strings.SplitN(text(t, "vi", "broadcast_run.report_done", "Sent", 1, "Total", 1), "\n", 2)[0]
	reports := 0
	goesOut := func(group int64, words string) {
		t.Helper()
		msgs := b.Sent(moderator)
		if preview := msgs[len(msgs)-2].Text; preview != moderators+words {
			t.Errorf("the preview reads %q", preview)
		}
		b.Tap(moderator, "send")
		waitSent(t, b, group, func(s sent) bool { return strings.HasSuffix(s.Text, words) }, 1)
		if got := b.Last(group).Text; got != moderators+words {
			t.Errorf("the group reads %q", got)
		}
		// The moderator's report comes after the post, and before what she does next.
		reports++
		waitSent(t, b, moderator, func(s sent) bool { return strings.HasPrefix(s.Text, done) }, reports)
	}

	b.Say(moderator, "/thongbao")
	b.Say(moderator, "Chiều nay cân na ở chợ Cao Lộc")
	b.Tap(moderator, "skip")
	b.Tap(moderator, "picked")
	b.Tap(moderator, groupValue(caoLocMarket))
	b.Tap(moderator, "done")
	goesOut(caoLocMarket, "Chiều nay cân na ở chợ Cao Lộc")

	b.TG.SetMemberStatus(bacSonMarket, moderator, "administrator")
	b.Post(b.Up.Text(bacSonMarket, moderator, "/thongbao"))
	b.expectIn(bacSonMarket, "broadcast.group_open")
	b.Say(moderator, "/start tb_"+itoa(bacSonMarket))
	b.expect(moderator, "broadcast.text_own")
	b.Say(moderator, "Chữ viết vội")
	b.Tap(moderator, "skip")
	b.Tap(moderator, "field:text")
	b.Say(moderator, "Sáng thứ 7 có thương lái về mua quýt")
	goesOut(bacSonMarket, "Sáng thứ 7 có thương lái về mua quýt")
}
