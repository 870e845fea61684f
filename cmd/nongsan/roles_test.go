package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// A group's admins are asked of Telegram once, not once per command; the
// bot leaving and joining again asks afresh (who administers it may have
// changed meanwhile).
func TestGroupAdminsAreAskedOnceAndCached(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	const group = int64(-1007777777701)
	b.Post(b.Up.AddedToGroup(group, groupAdmin, telegramtest.DefaultBotID))
	b.TG.SetMemberStatus(group, groupAdmin, "administrator")
	b.Post(b.Up.Text(group, groupAdmin, "/dangky Văn Lãng"))
	b.expectIn(group, "group.registered", "Area", "Văn Lãng")
	b.Post(b.Up.Text(group, farmer, "/dangky"))
	b.expectIn(group, "group.admins_only")
	b.Post(b.Up.Text(group, groupAdmin, "/dangky Cao Lộc"))
	b.expectIn(group, "group.registered", "Area", "Cao Lộc", "Dropped", "Văn Lãng", "Both", "Văn Lãng, Cao Lộc")
	if n := len(b.TG.CallsTo("getChatAdministrators")); n != 1 {
		t.Fatalf("getChatAdministrators called %d times for three commands, want 1", n)
	}
	if n := len(b.TG.CallsTo("getChatMember")); n != 0 {
		t.Fatalf("getChatMember called %d times: group commands use the cached list", n)
	}
	b.Post(b.Up.MyChatMember(group, groupAdmin, telegramtest.DefaultBotID, "member", "left"))
	b.Post(b.Up.AddedToGroup(group, groupAdmin, telegramtest.DefaultBotID))
	b.TG.SetMemberStatus(group, groupAdmin, "member")
	b.TG.SetMemberStatus(group, farmer, "administrator")
	b.Post(b.Up.Text(group, farmer, "/dangky Lộc Bình"))
	b.expectIn(group, "group.registered", "Area", "Lộc Bình", "Dropped", "Cao Lộc", "Both", "Cao Lộc, Lộc Bình")
	if n := len(b.TG.CallsTo("getChatAdministrators")); n != 2 {
		t.Fatalf("getChatAdministrators called %d times in all, want 2 (asked again after rejoining)", n)
	}
}

// knownAreas is how an answer lists the areas a market can take.
const knownAreas = "Chi Lăng, Bắc Sơn, Cao Lộc, Văn Lãng, Tràng Định, Bình Gia, Văn Quan, Hữu Lũng, Lộc Bình, Đình Lập, Thành phố Lạng Sơn"

// wantAreas checks a market group's areas as PostgreSQL has them: "-"
// when the group is no market, "" when it takes every area.
func wantAreas(t *testing.T, b *testBot, group int64, want, when string) {
	t.Helper()
	var areas string
	queryRow(t, b.Env["DATABASE_URL"], `SELECT coalesce((SELECT array_to_string(areas, ',') FROM market_groups
		WHERE channel = 'telegram' AND chat_id = $1), '-')`, []any{itoa(group)}, &areas)
	if areas != want {
		t.Fatalf("%s: the market's areas are %q, want %q", when, areas, want)
	}
}

// /dangky takes several areas however they are separated; an unknown name
// is answered with the known ones and changes nothing; /huydangky ends the
// market. Both only for the group's admins.
func TestAMarketTakesSeveralAreasAndIsUnregistered(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	const group = int64(-1007777777702)
	b.TG.SetMemberStatus(group, groupAdmin, "administrator")
	b.Post(b.Up.AddedToGroup(group, groupAdmin, telegramtest.DefaultBotID))
	for _, typed := range []string{"/dangky Chi Lăng, Bắc Sơn", "/dangky chi lang va bac son", "/dangky Chi Lăng Bắc Sơn Chi Lăng"} {
		b.Post(b.Up.Text(group, groupAdmin, typed))
		b.expectIn(group, "group.registered", "Area", "Chi Lăng, Bắc Sơn")
		wantAreas(t, b, group, "chi_lang,bac_son", "after "+typed)
	}
	b.Post(b.Up.Text(group, groupAdmin, "/dangky Cao Lộc, Hà Giang"))
	b.expectIn(group, "group.area_unknown", "Area", "Hà Giang", "Known", knownAreas)
	wantAreas(t, b, group, "chi_lang,bac_son", "after an unknown area")
	b.Post(b.Up.Text(group, farmer, "/huydangky"))
	b.expectIn(group, "group.admins_only")
	wantAreas(t, b, group, "chi_lang,bac_son", "after a member's /huydangky")
	b.Post(b.Up.Text(group, groupAdmin, "/huydangky"))
	b.expectIn(group, "group.unregistered")
	wantAreas(t, b, group, "-", "after /huydangky")
	b.Post(b.Up.Text(group, groupAdmin, "/huydangky"))
	b.expectIn(group, "group.not_registered")
	b.Post(b.Up.Text(group, farmer, "/dangky Cao Lộc"))
	b.expectIn(group, "group.admins_only")
	wantAreas(t, b, group, "-", "after a member's /dangky")
	b.Post(b.Up.Text(group, groupAdmin, "/dangky"))
	b.expectIn(group, "group.registered_all")
	wantAreas(t, b, group, "", "after /dangky alone")
}

// The province typed beside a district, as in an address, only says where
// the district is: "/dangky Chi Lăng, Lạng Sơn" makes a market of Chi Lăng
// (the province alone: of every area), and "theo dõi na Chi Lăng, Lạng Sơn"
// follows na from Chi Lăng.
func TestTheProvinceBesideADistrictMeansTheDistrict(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	const group = int64(-1007777777705)
	b.TG.SetMemberStatus(group, groupAdmin, "administrator")
	b.Post(b.Up.AddedToGroup(group, groupAdmin, telegramtest.DefaultBotID))
	b.Post(b.Up.Text(group, groupAdmin, "/dangky Chi Lăng, Lạng Sơn"))
	b.expectIn(group, "group.registered", "Area", "Chi Lăng")
	wantAreas(t, b, group, "chi_lang", "after /dangky Chi Lăng, Lạng Sơn")
	b.Post(b.Up.Text(group, groupAdmin, "/dangky Lạng Sơn"))
	b.expectIn(group, "group.registered_all")
	wantAreas(t, b, group, "", "after /dangky Lạng Sơn")

	b.Say(buyer, "theo dõi na Chi Lăng, Lạng Sơn")
	b.expect(buyer, "follow.done", "Product", "Na Chi Lăng", "Area", "Chi Lăng", "Anywhere", false)
}

// A group that removes the bot gets no more listings; adding it back makes
// it a market again, with its areas.
func TestAGroupThatRemovesTheBotGetsNoListingsUntilItIsBack(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	const group = int64(-1007777777703)
	b.TG.SetMemberStatus(group, groupAdmin, "administrator")
	b.Post(b.Up.AddedToGroup(group, groupAdmin, telegramtest.DefaultBotID))
	b.Post(b.Up.Text(group, groupAdmin, "/dangky Chi Lăng, Bắc Sơn"))
	b.expectIn(group, "group.registered", "Area", "Chi Lăng, Bắc Sơn")
	b.register(farmer)
	b.Post(b.Up.MyChatMember(group, groupAdmin, telegramtest.DefaultBotID, "member", "kicked"))
	posts := len(b.Sent(group))
	code := b.listing(farmer, "500kg", "25000")
	b.expect(farmer, "sell.published_nowhere", "Code", code)
	if n := len(b.Sent(group)); n != posts {
		t.Fatalf("%d messages went to the group the bot was removed from", n-posts)
	}
	b.Post(b.Up.AddedToGroup(group, groupAdmin, telegramtest.DefaultBotID))
	code = b.listing(farmer, "300kg", "25000")
	waitSent(t, b, group, func(s sent) bool { return strings.Contains(s.Text, code) }, 1)
	wantAreas(t, b, group, "chi_lang,bac_son", "back in the group")
}

// While Telegram cannot tell who administers a group, an admin's command
// there fails (503), however often it comes, so that Telegram delivers it
// again: it is not given up, the group never told. Once Telegram answers,
// the command goes through.
func TestAGroupCommandWaitsForTelegramToTellItsAdmins(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	const group = int64(-1007777777702)
	b.Post(b.Up.AddedToGroup(group, groupAdmin, telegramtest.DefaultBotID))
	b.TG.SetMemberStatus(group, groupAdmin, "administrator")
	b.TG.SetDown("getChatAdministrators", &telegramtest.Failure{Status: http.StatusInternalServerError})
	register := b.Up.Text(group, groupAdmin, "/dangky Văn Lãng")
	for try := 1; try <= 5; try++ {
		if code := b.Post(register); code != http.StatusServiceUnavailable {
			t.Fatalf("try %d answered %d, want 503 so that Telegram retries", try, code)
		}
	}
	b.TG.SetDown("getChatAdministrators", nil)
	if code := b.Post(register); code != http.StatusOK {
		t.Fatalf("after Telegram answers again: %d", code)
	}
	b.expectIn(group, "group.registered", "Area", "Văn Lãng")
}

// A second /dangky of other areas says which areas the group no longer
// gets, and what to type to keep them too; before, "/dangky Cao Lộc" in a
// Chi Lăng market said only "khu vực Cao Lộc" and Chi Lăng's listings
// stopped without a word. From every area to one, it says so too.
func TestASecondDangkySaysWhatTheGroupNoLongerGets(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	const group = int64(-1007777777703)
	b.TG.SetMemberStatus(group, groupAdmin, "administrator")
	b.Post(b.Up.AddedToGroup(group, groupAdmin, telegramtest.DefaultBotID))
	b.Post(b.Up.Text(group, groupAdmin, "/dangky Chi Lăng"))
	b.expectIn(group, "group.registered", "Area", "Chi Lăng")
	b.Post(b.Up.Text(group, groupAdmin, "/dangky Cao Lộc"))
	b.expectIn(group, "group.registered", "Area", "Cao Lộc", "Dropped", "Chi Lăng", "Both", "Chi Lăng, Cao Lộc")
	if last := b.Last(group).Text; !strings.Contains(last, "Tin bán khu vực Chi Lăng từ giờ không đăng vào đây nữa") ||
		!strings.HasSuffix(last, "/dangky Chi Lăng, Cao Lộc") {
		t.Fatalf("the second /dangky said %q", last)
	}
	wantAreas(t, b, group, "cao_loc", "after /dangky Cao Lộc")
	b.Post(b.Up.Text(group, groupAdmin, "/dangky Chi Lăng, Cao Lộc")) // as it says: both, and nothing dropped
	b.expectIn(group, "group.registered", "Area", "Chi Lăng, Cao Lộc")
	wantAreas(t, b, group, "chi_lang,cao_loc", "after /dangky Chi Lăng, Cao Lộc")
	b.Post(b.Up.Text(group, groupAdmin, "/dangky"))
	b.expectIn(group, "group.registered_all")
	b.Post(b.Up.Text(group, groupAdmin, "/dangky Bắc Sơn"))
	b.expectIn(group, "group.registered", "Area", "Bắc Sơn", "WasAll", true)
	wantAreas(t, b, group, "bac_son", "after /dangky Bắc Sơn")
}
