package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/web"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
	"github.com/nongsan-bot/nongsan/flows"
)

// announcer is the Telegram moderator who broadcasts in these stories.
const announcer int64 = 5005

// announcement is what the announcer announces.
const announcement = "Thứ 7 này có thương lái Hà Nội về thu mua na tại chợ Đồng Mỏ"

// telegramGroups are n Telegram market groups, ids -1001000000001….
func telegramGroups(n int) []flows.MarketGroup { return telegramGroupsFrom(1, n) }

// telegramGroupsFrom are n Telegram market groups from the first'th on.
func telegramGroupsFrom(first, n int) []flows.MarketGroup {
	var gs []flows.MarketGroup
	for i := first; i < first+n; i++ {
		gs = append(gs, flows.MarketGroup{Ref: flows.ChatRef{Channel: flows.Telegram, ChatID: fmt.Sprint(-1001000000000 - i)},
			Title: fmt.Sprintf("Chợ na %d", i)})
	}
	return gs
}

// seedBroadcast registers groups as market groups and stores a broadcast
// of announcement to them from the announcer, as the /thongbao
// conversation leaves it once confirmed; it returns the broadcast's id.
func seedBroadcast(t testing.TB, dbURL string, pin bool, groups []flows.MarketGroup) int64 {
	t.Helper()
	return seedBroadcastBy(t, openDB(t, map[string]string{"DATABASE_URL": dbURL}), flows.ChatRef{Channel: flows.Telegram, ChatID: itoa(announcer)}, pin, groups)
}

// seedBroadcastBy is seedBroadcast in db, from the author of a private chat.
func seedBroadcastBy(t testing.TB, db *postgres.DB, author flows.ChatRef, pin bool, groups []flows.MarketGroup) int64 {
	t.Helper()
	ctx := context.Background()
	var channels, chats, titles []string
	for _, g := range groups {
		channels, chats, titles = append(channels, string(g.Ref.Channel)), append(chats, g.Ref.ChatID), append(titles, g.Title)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (channel, platform_id, platform_name) VALUES ($1, $2, 'Cán bộ khuyến nông')
			ON CONFLICT DO NOTHING`, []any{string(author.Channel), author.ChatID}},
		{`INSERT INTO chats (channel, chat_id, type, title) SELECT c, id, 'group', title
			FROM unnest($1::text[], $2::text[], $3::text[]) AS g (c, id, title) ON CONFLICT DO NOTHING`, []any{channels, chats, titles}},
		{`INSERT INTO market_groups (channel, chat_id) SELECT c, id FROM unnest($1::text[], $2::text[]) AS g (c, id)
			ON CONFLICT DO NOTHING`, []any{channels, chats}},
	} {
		if _, err := db.Pool.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	var authorID int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM users WHERE channel = $1 AND platform_id = $2`,
		string(author.Channel), author.ChatID).Scan(&authorID); err != nil {
		t.Fatal(err)
	}
	b, err := db.CreateBroadcast(ctx, &flows.Broadcast{AuthorID: authorID, Chat: author,
		Lang: "vi", Text: announcement, Pin: pin, Scope: flows.ScopeAll}, groups, "test:"+t.Name())
	if err != nil {
		t.Fatal(err)
	}
	return b.ID
}

// reports are the final reports the announcer got.
func reports(b *testBot) []string {
	var out []string
	for _, s := range b.Sent(announcer) {
		if strings.HasPrefix(s.Text, "✅ Thông báo đã gửi xong") || strings.HasPrefix(s.Text, "⛔ Thông báo đã dừng") {
			out = append(out, s.Text)
		}
	}
	return out
}

// waitReport waits for the broadcast's report and returns it.
func waitReport(t *testing.T, b *testBot) string {
	t.Helper()
	waitFor(t, "the broadcast's report", func() bool { return len(reports(b)) > 0 })
	return reports(b)[0]
}

// deliveredOnce checks that each Telegram group got exactly one message.
func deliveredOnce(t *testing.T, tg *telegramtest.Server, groups []flows.MarketGroup) {
	t.Helper()
	for _, g := range groups {
		id, _ := parseID(g.Ref.ChatID)
		if n := tg.Delivered(id); n != 1 {
			t.Errorf("%s got the announcement %d times, want once", g.Title, n)
		}
	}
}

func parseID(s string) (int64, error) {
	var id int64
	_, err := fmt.Sscan(s, &id)
	return id, err
}

// A announcer's announcement reaches every market group of Telegram and
// Zalo once, pinned where the bot is an admin (Zalo groups are said to be
// unpinned because Zalo has no pinning, not for admin rights); a group that removed the
// bot is reported by its title with a plain reason and deactivated; the
// announcer sees one progress message, edited in place with the stop
// button, and one report.
func TestABroadcastReachesEveryGroupOnce(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	env := zaloEnv(newEnv(t, tg), zs)
	b := startBot(t, tg, env)
	tgGroups := telegramGroups(5)
	zaloGroups := []flows.MarketGroup{
		{Ref: flows.ChatRef{Channel: flows.Zalo, ChatID: "zg-chi-lang"}, Title: "Chợ Chi Lăng (Zalo)"},
		{Ref: flows.ChatRef{Channel: flows.Zalo, ChatID: "zg-bac-son"}, Title: "Chợ Bắc Sơn (Zalo)"},
	}
	for _, g := range tgGroups[:2] { // the bot may pin in these two
		id, _ := parseID(g.Ref.ChatID)
		tg.SetMemberStatus(id, telegramtest.DefaultBotID, "administrator")
	}
	removed, _ := parseID(tgGroups[4].Ref.ChatID)
	tg.BlockChat(removed)
	id := seedBroadcast(t, env["DATABASE_URL"], true, append(slices.Clone(tgGroups), zaloGroups...))

	report := waitReport(t, b)
	deliveredOnce(t, tg, tgGroups[:4])
	if n := tg.Delivered(removed); n != 0 {
		t.Errorf("the group that removed the bot got %d messages", n)
	}
	for _, g := range zaloGroups {
		if got := zs.Received(g.Ref.ChatID); len(got) != 1 || !strings.Contains(got[0].Text, announcement) {
			t.Errorf("%s got %+v, want the announcement once", g.Title, got)
		}
	}
	post := b.TG.Messages(-1001000000001)
	if len(post) != 1 || !strings.Contains(post[0].Text, announcement) || !strings.HasPrefix(post[0].Text, "📣") {
		t.Errorf("the group's post: %+v", post)
	}
	for i, g := range tgGroups[:4] {
		gid, _ := parseID(g.Ref.ChatID)
		if pinned := tg.Pinned(gid); (pinned != 0) != (i < 2) {
			t.Errorf("%s: pinned message %d (the bot is admin: %v)", g.Title, pinned, i < 2)
		}
	}
	// Zalo cannot pin at all: its groups are no admin rights missing.
	for _, want := range []string{"6/7 nhóm đã nhận", "Đã ghim ở 2 nhóm", "Có 2 nhóm em chưa ghim được: ở đó em chưa được làm quản trị viên có quyền ghim tin.\n• Chợ na 3\n• Chợ na 4\n",
		"Có 2 nhóm trên Zalo không ghim được: Zalo không cho bot ghim tin", "• Chợ na 5: em đã bị xoá khỏi nhóm"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	// One progress message, edited to its end, its stop button gone.
	var progress []sent
	for _, s := range b.Sent(announcer) {
		if strings.HasPrefix(s.Text, "📣 Đã gửi") {
			progress = append(progress, s)
		}
	}
	if len(progress) != 1 || len(progress[0].Data) != 1 || progress[0].Data[0] != fmt.Sprintf("bc:stop:%d", id) {
		t.Fatalf("progress messages %+v, want one with the stop button", progress)
	}
	waitFor(t, "the progress message's last edit", func() bool {
		for _, m := range tg.Messages(announcer) {
			if strings.HasPrefix(m.Text, "📣 Đã gửi 6/7 nhóm · 1 nhóm chưa nhận được") && m.ReplyMarkup == nil {
				return true
			}
		}
		return false
	})
	settled(t, b)
	if n := len(reports(b)); n != 1 {
		t.Errorf("%d reports, want one", n)
	}
	db := openDB(t, env)
	var active bool
	var status string
	if err := db.Pool.QueryRow(context.Background(), `SELECT active FROM chats WHERE chat_id = $1`, itoa(removed)).Scan(&active); err != nil || active {
		t.Errorf("the removed group is active: %v (%v)", active, err)
	}
	if err := db.Pool.QueryRow(context.Background(), `SELECT status FROM broadcasts WHERE id = $1`, id).Scan(&status); err != nil || status != "done" {
		t.Errorf("broadcast status %q (%v), want done", status, err)
	}
	_, metrics := b.Get("/metrics")
	if !strings.Contains(metrics, `nongsan_broadcast_sends_total{channel="telegram",outcome="sent"} 4`) {
		t.Errorf("metrics lack the sends:\n%s", grep(metrics, "nongsan_broadcast"))
	}
}

func grep(text, word string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, word) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// With Telegram enforcing its limits, a broadcast keeps to the configured
// rate and never meets a 429.
func TestABroadcastKeepsTheRate(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	tg.SetLimits(10, 20)
	env := newEnv(t, tg)
	env["TELEGRAM_RATE"] = "10"
	b := startBot(t, tg, env)
	groups := telegramGroups(25)
	seedBroadcast(t, env["DATABASE_URL"], false, groups)
	report := waitReport(t, b)
	if !strings.Contains(report, "25/25 nhóm đã nhận") {
		t.Errorf("report:\n%s", report)
	}
	deliveredOnce(t, tg, groups)
	if n := tg.RateLimited(); n != 0 {
		t.Errorf("%d answers 429, want none", n)
	}
	sends := groupSends(tg)
	// 25 groups at 10/s: no faster than the rate.
	if took := sends[len(sends)-1].At.Sub(sends[0].At); took.Seconds() < 2.3 {
		t.Errorf("25 groups took %s at 10 a second", took)
	}
}

// groupSends are the messages Telegram took for the market groups, in order.
func groupSends(tg *telegramtest.Server) []telegramtest.Call {
	var sends []telegramtest.Call
	for _, c := range tg.Calls() {
		if c.Status == http.StatusOK && strings.HasPrefix(c.ChatID, "-100") && strings.HasPrefix(c.Method, "send") {
			sends = append(sends, c)
		}
	}
	return sends
}

// seedDueFirst is seedBroadcast before the bot starts, the first groups'
// targets due before the others, so that one worker sends them first.
func seedDueFirst(t *testing.T, env map[string]string, groups []flows.MarketGroup, first int) {
	t.Helper()
	ctx := context.Background()
	db := openDB(t, env)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	id := seedBroadcast(t, env["DATABASE_URL"], false, groups)
	for i, g := range groups[:first] {
		if _, err := db.Pool.Exec(ctx, `UPDATE broadcast_targets SET not_before = now() - make_interval(mins => 10 - $3)
			WHERE broadcast_id = $1 AND chat_id = $2`, id, g.Ref.ChatID, i); err != nil {
			t.Fatal(err)
		}
	}
}

// limitedAt is when Telegram answered 429 to a message for chat.
func limitedAt(t *testing.T, tg *telegramtest.Server, chat string) time.Time {
	t.Helper()
	for _, c := range tg.Calls() {
		if c.Status == http.StatusTooManyRequests && c.ChatID == chat {
			return c.At
		}
	}
	t.Fatalf("no 429 for %s", chat)
	return time.Time{}
}

// One group over its own limit (Telegram answers 429, retry after 3 s, for
// it alone) waits its 3 s and then gets the announcement once; the other
// groups get theirs meanwhile, not held back by that group's wait.
func TestOneGroupsWaitHoldsBackThatGroupOnly(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["TELEGRAM_RATE"], env["BROADCAST_WORKERS"] = "10", "1"
	groups := telegramGroups(8)
	busy, _ := parseID(groups[0].Ref.ChatID)
	const wait = 3 * time.Second
	tg.FailNext("sendMessage", 1, telegramtest.Failure{RetryAfter: int(wait.Seconds()), ChatID: busy})
	seedDueFirst(t, env, groups, 1)
	b := startBot(t, tg, env)

	report := waitReport(t, b)
	if !strings.Contains(report, "8/8 nhóm đã nhận") {
		t.Errorf("report:\n%s", report)
	}
	deliveredOnce(t, tg, groups)
	limited := limitedAt(t, tg, groups[0].Ref.ChatID)
	for _, c := range groupSends(tg) {
		switch d := c.At.Sub(limited); {
		case c.ChatID == groups[0].Ref.ChatID && d < wait:
			t.Errorf("the busy group got it %s after Telegram asked for %s", d, wait)
		case c.ChatID != groups[0].Ref.ChatID && d >= wait:
			t.Errorf("group %s got it %s after the busy group's 429: held back by its wait", c.ChatID, d)
		}
	}
}

// Groups refused one after the other (429s for two groups within a
// second) are the bot's overall limit: the whole channel waits, and no
// group gets the announcement before the wait is over.
func TestGroupsRefusedTogetherHoldBackTheChannel(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["TELEGRAM_RATE"], env["BROADCAST_WORKERS"] = "10", "1"
	groups := telegramGroups(6)
	const wait = 2 * time.Second
	for _, g := range groups[:2] {
		id, _ := parseID(g.Ref.ChatID)
		tg.FailNext("sendMessage", 1, telegramtest.Failure{RetryAfter: int(wait.Seconds()), ChatID: id})
	}
	seedDueFirst(t, env, groups, 2)
	b := startBot(t, tg, env)

	report := waitReport(t, b)
	if !strings.Contains(report, "6/6 nhóm đã nhận") {
		t.Errorf("report:\n%s", report)
	}
	deliveredOnce(t, tg, groups)
	limited := limitedAt(t, tg, groups[1].Ref.ChatID)
	if d := limited.Sub(limitedAt(t, tg, groups[0].Ref.ChatID)); d > time.Second {
		t.Fatalf("the two 429s came %s apart, want within a second", d)
	}
	for _, c := range groupSends(tg) {
		if d := c.At.Sub(limited); d < wait {
			t.Errorf("group %s got it %s after the second 429, before the channel's %s wait was over", c.ChatID, d, wait)
		}
	}
}

// delivered is how many of the groups got at least one message.
func delivered(tg *telegramtest.Server, groups []flows.MarketGroup) int {
	n := 0
	for _, g := range groups {
		if id, _ := parseID(g.Ref.ChatID); tg.Delivered(id) > 0 {
			n++
		}
	}
	return n
}

// A broadcast stopped halfway sends nothing more; the report says it was
// stopped and how many groups got it.
func TestACancelledBroadcastStops(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["TELEGRAM_RATE"] = "4"
	b := startBot(t, tg, env)
	groups := telegramGroups(20)
	id := seedBroadcast(t, env["DATABASE_URL"], false, groups)
	waitFor(t, "a few groups to get it", func() bool { return delivered(tg, groups) >= 3 })
	if err := openDB(t, env).CancelBroadcast(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	report := waitReport(t, b)
	n := delivered(tg, groups)
	if n >= len(groups) {
		t.Fatalf("every group got the cancelled broadcast")
	}
	if want := fmt.Sprintf("⛔ Thông báo đã dừng theo yêu cầu: %d/20 nhóm đã nhận, %d nhóm không gửi nữa.", n, 20-n); !strings.HasPrefix(report, want) {
		t.Errorf("report:\n%s\nwant it to start %q", report, want)
	}
	for _, g := range groups {
		if id, _ := parseID(g.Ref.ChatID); tg.Delivered(id) > 1 {
			t.Errorf("%s got it %d times", g.Title, tg.Delivered(id))
		}
	}
	settled(t, b)
	if after := delivered(tg, groups); after != n {
		t.Errorf("%d groups got it after the report, which said %d", after, n)
	}
}

// Two replicas share one broadcast: each sends part of it, no group gets
// it twice, and the announcer gets one progress message and one report.
func TestReplicasShareABroadcast(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["TELEGRAM_RATE"] = "40" // 3 s of work: each replica looks for work every second
	bots := []*testBot{startBot(t, tg, env), startBot(t, tg, env)}
	groups := telegramGroups(120)
	seedBroadcast(t, env["DATABASE_URL"], false, groups)
	report := waitReport(t, bots[0])
	if !strings.Contains(report, "120/120 nhóm đã nhận") {
		t.Errorf("report:\n%s", report)
	}
	deliveredOnce(t, tg, groups)
	settled(t, bots[0])
	if n := len(reports(bots[0])); n != 1 {
		t.Errorf("%d reports, want one", n)
	}
	progress := 0
	for _, s := range bots[0].Sent(announcer) {
		if strings.HasPrefix(s.Text, "📣") {
			progress++
		}
	}
	if progress != 1 {
		t.Errorf("%d progress messages, want one", progress)
	}
	for i, b := range bots {
		_, metrics := b.Get("/metrics")
		if !strings.Contains(metrics, `nongsan_broadcast_sends_total{channel="telegram",outcome="sent"}`) {
			t.Errorf("replica %d sent nothing:\n%s", i, grep(metrics, "nongsan_broadcast"))
		}
	}
}

// THE KILL TEST: the service is killed (SIGKILL) in the middle of a
// broadcast, with requests to Telegram in flight (held by the fake, which
// carries them out all the same, as Telegram does). Started again, it
// finishes the broadcast: every group has it exactly once, counted by the
// fake, and the announcer gets one report, which names the groups whose
// request was in flight as unsure (not sent again).
func TestAKilledBroadcastResumesOnce(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["TELEGRAM_RATE"] = "10"
	env["SEND_TIMEOUT"] = "1s" // claims of the killed process expire within 6 s
	_, p := startProcess(t, bin, tg, env)
	groups := telegramGroups(30)
	seedBroadcast(t, env["DATABASE_URL"], false, groups)
	waitFor(t, "a few groups to get it", func() bool { return delivered(tg, groups) >= 5 })
	tg.Hold("sendMessage")
	waitFor(t, "a request in flight", func() bool { return tg.Holding() >= 2 })
	p.Kill()
	tg.Release()
	t.Logf("killed with %d groups sent to", delivered(tg, groups))

	b2, _ := startProcess(t, bin, tg, env)
	report := waitReport(t, b2)
	deliveredOnce(t, tg, groups)
	settled(t, b2)
	if n := len(reports(b2)); n != 1 {
		t.Errorf("%d reports, want one", n)
	}
	unsure := text(t, "vi", "broadcast_run.reason_unsure")
	if !strings.Contains(report, unsure) {
		t.Errorf("the report names no group as unsure:\n%s", report)
	}
	t.Logf("report:\n%s", report)
}

// In the sandbox, the announcer persona's announcement reaches the web
// market group, and the announcer's chat shows the progress, edited in
// place to its end, and the report.
func TestABroadcastReachesTheWebGroup(t *testing.T) {
	t.Parallel()
	w := startWeb(t)
	db, err := postgres.OpenSchema(context.Background(), w.b.Env["DATABASE_URL"], postgres.SandboxSchema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	market := flows.MarketGroup{Ref: flows.ChatRef{Channel: flows.Web, ChatID: web.Market}, Title: "Chợ thử"}
	seedBroadcastBy(t, db, flows.ChatRef{Channel: flows.Web, ChatID: w.chatOf(web.Moderator)}, false, []flows.MarketGroup{market})
	report := w.wait(web.Moderator, func(s string) bool { return strings.HasPrefix(s, "✅ Thông báo đã gửi xong") })
	if !strings.Contains(report, "1/1 nhóm đã nhận") {
		t.Errorf("report %q", report)
	}
	w.caughtUp()
	posts := slices.DeleteFunc(w.received(web.Market), func(s string) bool { return !strings.Contains(s, announcement) })
	if len(posts) != 1 {
		t.Errorf("the web group got the announcement %d times: %q", len(posts), w.received(web.Market))
	}
	waitFor(t, "the progress message's last edit", func() bool {
		for _, m := range w.messages(web.Moderator) {
			if strings.HasPrefix(m.Text, "📣 Đã gửi 1/1 nhóm.") && len(m.Buttons) == 0 {
				return true
			}
		}
		return false
	})
}

// While Telegram fails (502), the groups' sends are tried again later, and
// each group gets the announcement once when it works again.
func TestABroadcastRetriesAFailingPlatform(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	b := startBot(t, tg, env)
	groups := telegramGroups(3)
	tg.SetDown("sendMessage", &telegramtest.Failure{Status: http.StatusBadGateway})
	seedBroadcast(t, env["DATABASE_URL"], false, groups)
	waitFor(t, "the groups' sends to fail", func() bool {
		failed := map[string]bool{}
		for _, c := range tg.CallsTo("sendMessage") {
			if c.Status == http.StatusBadGateway && strings.HasPrefix(c.ChatID, "-100") {
				failed[c.ChatID] = true
			}
		}
		return len(failed) == len(groups)
	})
	tg.SetDown("sendMessage", nil)
	report := waitReport(t, b)
	if !strings.Contains(report, "3/3 nhóm đã nhận") {
		t.Errorf("report:\n%s", report)
	}
	deliveredOnce(t, tg, groups)
}

// A announcer on Zalo, where messages cannot be edited, gets a new
// progress message only at a few milestones, then the report.
func TestABroadcastFromZaloReportsAtMilestones(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	env := zaloEnv(newEnv(t, tg), zs)
	env["TELEGRAM_RATE"] = "4"
	startBot(t, tg, env)
	const author = "8f3a0c1b2d4e5f607188"
	groups := telegramGroups(12)
	seedBroadcastBy(t, openDB(t, env), flows.ChatRef{Channel: flows.Zalo, ChatID: author}, false, groups)
	var got []string
	waitFor(t, "the report on Zalo", func() bool {
		got = nil
		for _, m := range zs.Received(author) {
			got = append(got, m.Text)
		}
		return slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "✅ Thông báo đã gửi xong: 12/12") })
	})
	deliveredOnce(t, tg, groups)
	progress := slices.DeleteFunc(slices.Clone(got), func(s string) bool { return !strings.HasPrefix(s, "📣 Đã gửi") })
	if len(progress) < 2 || len(progress) > 4 {
		t.Errorf("%d progress messages, want the first and a few milestones: %q", len(progress), got)
	}
	t.Logf("the first progress message on Zalo: %q", progress[0])
	for _, s := range got {
		if strings.Contains(s, "bấm") {
			t.Errorf("a Zalo announcer is told to press a button: %q", s)
		}
	}
}

// A market group that Telegram upgraded to a supergroup (the bot missed
// the notice) refuses the announcement at its old id: the broadcast
// follows it, the supergroup gets the announcement once, its market
// registration moves to the new id, and the report counts it as reached.
// A group whose supergroup an admin had registered too gets it once.
func TestABroadcastFollowsAGroupUpgradedToASupergroup(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	b := startBot(t, tg, env)
	const basic, super = int64(-4001000001), int64(-1009001000001)
	const basic2, super2 = int64(-4001000002), int64(-1009001000002) // both registered
	groups := append(telegramGroups(2),
		flows.MarketGroup{Ref: flows.ChatRef{Channel: flows.Telegram, ChatID: itoa(basic)}, Title: "Chợ na Chi Lăng"},
		flows.MarketGroup{Ref: flows.ChatRef{Channel: flows.Telegram, ChatID: itoa(basic2)}, Title: "Chợ hồi Văn Quan"},
		flows.MarketGroup{Ref: flows.ChatRef{Channel: flows.Telegram, ChatID: itoa(super2)}, Title: "Chợ hồi Văn Quan"})
	tg.UpgradeGroup(basic, super)
	tg.UpgradeGroup(basic2, super2)
	seedBroadcast(t, env["DATABASE_URL"], false, groups)

	report := waitReport(t, b)
	if !strings.HasPrefix(report, "✅ Thông báo đã gửi xong: 4/4 nhóm đã nhận.") || strings.Contains(report, "Chợ na Chi Lăng") {
		t.Errorf("report:\n%s\nwant every group reached, the upgraded one too", report)
	}
	deliveredOnce(t, tg, groups[:2])
	for _, id := range []int64{super, super2} {
		if n := tg.Delivered(id); n != 1 {
			t.Errorf("supergroup %d got the announcement %d times, want once", id, n)
		}
	}
	if post := tg.Messages(super); len(post) != 1 || !strings.Contains(post[0].Text, announcement) {
		t.Errorf("the supergroup's post: %+v", post)
	}
	var registered []string
	rows, err := openDB(t, env).Pool.Query(context.Background(),
		`SELECT chat_id FROM market_groups WHERE chat_id IN ($1, $2, $3, $4) ORDER BY chat_id`,
		itoa(basic), itoa(super), itoa(basic2), itoa(super2))
	if err == nil {
		registered, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if want := []string{itoa(super), itoa(super2)}; err != nil || !slices.Equal(registered, want) {
		t.Errorf("market groups %v (%v), want the supergroups' %v", registered, err, want)
	}
}

// While Zalo refuses a broadcast with 429 ("quota exceeded", for how long
// unsaid), the group's tries come less and less often (1–2 s, 2–4 s, then
// 4–8 s apart), not every second; once Zalo takes messages again the group
// gets the announcement once.
func TestABroadcastBacksOffWhileZaloIsOverQuota(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	env := zaloEnv(newEnv(t, tg), zs)
	env["ZALO_GROUP_RATE"] = "600" // the group's own pace out of the way
	b := startBot(t, tg, env)
	group := flows.MarketGroup{Ref: flows.ChatRef{Channel: flows.Zalo, ChatID: "zg-chi-lang"}, Title: "Chợ Chi Lăng (Zalo)"}
	zs.SetDown("sendMessage", &zalotest.Failure{Code: http.StatusTooManyRequests, Description: "Quota exceeded"})
	seedBroadcast(t, env["DATABASE_URL"], false, []flows.MarketGroup{group})
	tries := func() []zalotest.Call {
		return slices.DeleteFunc(zs.CallsTo("sendMessage"), func(c zalotest.Call) bool { return c.ChatID != group.Ref.ChatID })
	}
	waitFor(t, "three tries refused", func() bool { return len(tries()) >= 3 })
	zs.SetDown("sendMessage", nil)
	report := waitReport(t, b)
	if !strings.Contains(report, "1/1 nhóm đã nhận") {
		t.Errorf("report:\n%s", report)
	}
	if got := zs.Received(group.Ref.ChatID); len(got) != 1 || !strings.Contains(got[0].Text, announcement) {
		t.Errorf("the group got %+v, want the announcement once", got)
	}
	all := tries()
	if len(all) < 4 {
		t.Fatalf("%d tries", len(all))
	}
	var gaps []time.Duration
	for i := 1; i < len(all); i++ {
		gaps = append(gaps, all[i].At.Sub(all[i-1].At))
	}
	if gaps[2] < 4*time.Second || gaps[2] <= gaps[0] {
		t.Errorf("tries %v apart, want the waits to grow (the third at least 4 s)", gaps)
	}
}

// A broadcast that meets Zalo's quota holds the broadcasts only: while the
// group's tries are refused, further and further apart, a farmer who
// writes to the bot privately is answered at once, not when the group's
// hold (4 s and more by then) ends. Once Zalo takes the group's messages
// again, it gets the announcement once.
func TestAFarmersZaloReplyArrivesWhileABroadcastWaitsForTheQuota(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	env := zaloEnv(newEnv(t, tg), zs)
	env["ZALO_GROUP_RATE"] = "600" // the group's own pace out of the way
	z := startZaloWith(t, tg, zs, env)
	group := flows.MarketGroup{Ref: flows.ChatRef{Channel: flows.Zalo, ChatID: "zg-chi-lang"}, Title: "Chợ Chi Lăng (Zalo)"}
	quota := zalotest.Failure{Code: http.StatusTooManyRequests, Description: "Quota exceeded"}
	zs.SetDownFor(group.Ref.ChatID, &quota)
	seedBroadcast(t, env["DATABASE_URL"], false, []flows.MarketGroup{group})
	tries := func() []zalotest.Call {
		return slices.DeleteFunc(zs.CallsTo("sendMessage"), func(c zalotest.Call) bool { return c.ChatID != group.Ref.ChatID })
	}
	waitFor(t, "three tries refused", func() bool { return len(tries()) >= 3 }) // the hold is 4 s or more now
	const farmer = "c0ffee00c0ffee00f4f4"
	asked := time.Now()
	z.say(farmer, "/don")
	z.expect(farmer, "orders.none")
	if took, refused := time.Since(asked), len(tries()); took > 3*time.Second || refused > 3 {
		t.Errorf("the farmer's answer took %s (%d of the group's tries refused meanwhile): held by the broadcast's quota", took, refused)
	}
	zs.SetDownFor(group.Ref.ChatID, nil)
	if report := waitReport(t, z.b); !strings.Contains(report, "1/1 nhóm đã nhận") {
		t.Errorf("report:\n%s", report)
	}
	if got := zs.Received(group.Ref.ChatID); len(got) != 1 || !strings.Contains(got[0].Text, announcement) {
		t.Errorf("the group got %+v, want the announcement once", got)
	}
}

// After the bot's token is reset in Bot Creator, Zalo answers 401: the
// channel holds (nothing sent, nothing set aside), the operator sees
// nongsan_channel_unauthorized{channel="zalo"} 1 and one log line, and
// once the token works again the farmer's answer arrives and the alert
// clears.
func TestAZaloTokenResetHoldsTheRepliesUntilTheTokenWorks(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer = "c0ffee00c0ffee00a401"
	z.Z.SetDown("", &zalotest.Failure{Code: http.StatusUnauthorized, Description: "Unauthorized"})
	z.say(farmer, "/don")
	refused := func() int {
		n := 0
		for _, c := range z.Z.CallsTo("sendMessage") {
			if c.Code == http.StatusUnauthorized {
				n++
			}
		}
		return n
	}
	waitFor(t, "two tries refused", func() bool { return refused() >= 2 })
	if got := z.received(farmer); len(got) != 0 {
		t.Fatalf("sent with a refused token: %q", got)
	}
	if _, metrics := z.b.Get("/metrics"); !strings.Contains(metrics, `nongsan_channel_unauthorized{channel="zalo"} 1`) ||
		!strings.Contains(metrics, "nongsan_outbox_dead_letters_total 0") {
		t.Errorf("metrics while the token is refused:\n%s", grepLines(metrics, "unauthorized", "dead_letters"))
	}
	if n := strings.Count(z.b.Logs.String(), "refuses the bot's token"); n != 1 {
		t.Errorf("the refused token logged %d times, want once", n)
	}
	z.Z.SetDown("", nil)
	z.expect(farmer, "orders.none")
	if got := z.received(farmer); len(got) != 1 {
		t.Errorf("the farmer got %q, want the answer once", got)
	}
	waitFor(t, "the alert to clear", func() bool {
		_, metrics := z.b.Get("/metrics")
		return strings.Contains(metrics, `nongsan_channel_unauthorized{channel="zalo"} 0`)
	})
}

// grepLines are the lines of s that hold any of words.
func grepLines(s string, words ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, w := range words {
			if strings.Contains(l, w) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
