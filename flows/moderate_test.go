package flows_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"testing"

	"github.com/nongsan-bot/nongsan/flows"
)

// twiceReplies handles in as the engine does when the chat's state lost a race in
// Redis after the step committed its change: run again on the state it
// first read (as Redis holds it). It returns what each run said; m.sess
// and m.said are then the second run's.
func (m *market) twiceReplies(in flows.Input) [2][]flows.Reply {
	m.t.Helper()
	ctx := context.Background()
	u, err := m.db.Touch(ctx, in)
	if err != nil {
		m.t.Fatal(err)
	}
	read, err := json.Marshal(m.sess[in.UserID])
	if err != nil {
		m.t.Fatal(err)
	}
	var said [2][]flows.Reply
	for run := range 2 {
		var sess *flows.Session
		if err := json.Unmarshal(read, &sess); err != nil {
			m.t.Fatal(err)
		}
		res, err := m.router.Handle(ctx, u, sess, in)
		if err != nil {
			m.t.Fatalf("run %d: %v", run+1, err)
		}
		said[run], m.said = res.Replies, res.Replies
		if run == 1 {
			m.sess[in.UserID] = res.Session
		}
	}
	return said
}

// twice is twiceReplies' message IDs to the user.
func (m *market) twice(in flows.Input) [2][]string {
	m.t.Helper()
	runs := m.twiceReplies(in)
	return [2][]string{idsTo(runs[0], in.UserID), idsTo(runs[1], in.UserID)}
}

// typed is a command typed with its argument: "/chan NS-7K2Q".
func (m *market) typed(user, cmd, arg string) []string {
	m.t.Helper()
	in := m.input(user, flows.KindText, "/"+cmd+" "+arg)
	in.Command, in.Arg = cmd, arg
	u, err := m.db.Touch(context.Background(), in)
	if err != nil {
		m.t.Fatal(err)
	}
	res, err := m.router.Handle(context.Background(), u, m.sess[user], in)
	if err != nil {
		m.t.Fatal(err)
	}
	m.sess[user], m.said = res.Session, res.Replies
	return idsTo(res.Replies, user)
}

// noticesTo are the IDs of the notices committed since the last call to
// chat.
func (m *market) noticesTo(chat string) []string {
	m.t.Helper()
	return idsTo(m.notices(), chat)
}

// both fails unless each run said want (among what it said).
func both(t *testing.T, what string, said [2][]string, want string) {
	t.Helper()
	for run, ids := range said {
		if !slices.Contains(ids, want) {
			t.Fatalf("%s, run %d said %v; want %s, as the first run", what, run+1, ids, want)
		}
	}
}

// A moderator's ban confirmed, run again (two taps on two replicas: the
// chat's state lost a race in Redis after the ban was stored), tells the
// moderator it is done, as the first run did, not that the farmer "was
// banned already"; the farmer is told once. Another moderator's later ban
// still hears it was done already.
func TestABanRunAgainIsToldDone(t *testing.T) {
	t.Parallel()
	m := moderating(t)
	l := m.listing("1")
	m.notices()
	m.typed("9", "chan", l.Code)
	m.say("9", flows.KindText, "Hàng giả")
	said := m.twice(m.input("9", flows.KindChoice, "mod:yes"))
	both(t, "a ban", said, "moderation.banned")
	if told := m.noticesTo("1"); !slices.Equal(told, []string{"moderation.banned_user"}) {
		t.Fatalf("the farmer was told %v; want moderation.banned_user once", told)
	}
	if said := m.typed("9", "chan", l.Code); !slices.Contains(said, "moderation.already_banned") {
		t.Fatalf("a later ban said %v; want moderation.already_banned", said)
	}
}

// A moderator's take-down confirmed, run again, tells the moderator it is
// taken down, not "đã bị gỡ rồi"; the farmer is told once and the post is
// edited once.
func TestATakeDownRunAgainIsToldDone(t *testing.T) {
	t.Parallel()
	m := moderating(t)
	l := m.listing("1")
	m.posted(l, "77")
	m.notices()
	m.typed("9", "gotin", l.Code)
	m.say("9", flows.KindText, "Ảnh không đúng hàng")
	said := m.twice(m.input("9", flows.KindChoice, "mod:yes"))
	both(t, "a take-down", said, "moderation.removed")
	if posts := m.said[len(m.said)-1].Text.Data["Posts"]; posts != 1 {
		t.Errorf("run 2 said %v posts were edited, want 1", posts)
	}
	notices := m.notices()
	if told := idsTo(notices, "1"); !slices.Equal(told, []string{"moderation.removed_farmer"}) {
		t.Fatalf("the farmer was told %v; want moderation.removed_farmer once", told)
	}
	if edits := idsTo(notices, marketGroup.ChatID); len(edits) != 1 {
		t.Fatalf("the group's post was edited %d times, want once", len(edits))
	}
	if said := m.typed("9", "gotin", l.Code); !slices.Contains(said, "moderation.already_removed") {
		t.Fatalf("a later take-down said %v; want moderation.already_removed", said)
	}
}

// A group admin's take-down in their group, run again, tells them it is
// taken down there, naming the group, not that it was already.
func TestAHideRunAgainIsToldDone(t *testing.T) {
	t.Parallel()
	m := newMarket(t, func(d *flows.Deps) { d.Admins = admins{marketGroup.ChatID + "/5": true} })
	l := m.listing("1")
	if err := m.db.SaveGroup(context.Background(), marketGroup, "Chợ Chi Lăng", true); err != nil {
		t.Fatal(err)
	}
	m.posted(l, "77")
	m.notices()
	m.typed("5", "gotin", l.Code)
	m.say("5", flows.KindChoice, "why:area")
	said := m.twice(m.input("5", flows.KindChoice, "mod:yes"))
	both(t, "a take-down in a group", said, "moderation.hidden")
	if groups := m.said[len(m.said)-1].Text.Data["Groups"]; groups != "Chợ Chi Lăng" {
		t.Errorf("run 2 named the groups %q, want Chợ Chi Lăng", groups)
	}
	if told := m.noticesTo("1"); !slices.Equal(told, []string{"moderation.hidden_farmer"}) {
		t.Fatalf("the farmer was told %v; want moderation.hidden_farmer once", told)
	}
}

// A ban lifted with /bochan, run again, tells the moderator it is lifted,
// with the name, not "Người này đã được bỏ chặn rồi"; the person is told
// once.
func TestAnUnbanRunAgainIsToldDone(t *testing.T) {
	t.Parallel()
	m := moderating(t)
	farmer := m.user("1")
	if err := m.db.Ban(context.Background(), flows.BanOf{User: farmer}, 0, "Hàng giả", ""); err != nil {
		t.Fatal(err)
	}
	m.command("9", "bochan")
	said := m.twice(m.input("9", flows.KindChoice, "unban:"+strconv.FormatInt(farmer, 10)))
	both(t, "lifting a ban", said, "moderation.unbanned")
	if data := m.said[len(m.said)-1].Text.Data; data["Name"] != "User 1" || data["Told"] != true {
		t.Errorf("run 2 said %v; want the name and that they were told", data)
	}
	if told := m.noticesTo("1"); !slices.Equal(told, []string{"moderation.unbanned_user"}) {
		t.Fatalf("the farmer was told %v; want moderation.unbanned_user once", told)
	}
}

// A role taken back with /xoamod, run again, tells the moderator it is
// taken back, not roles.not_granted.
func TestARevokeRunAgainIsToldDone(t *testing.T) {
	t.Parallel()
	m := moderating(t)
	helper := m.user("1")
	if _, err := m.db.Pool.Exec(context.Background(), `INSERT INTO user_roles (user_id, role) VALUES ($1, 'helper')`, helper); err != nil {
		t.Fatal(err)
	}
	m.command("9", "xoamod")
	m.pick("9", flows.KindChoice, "rv:helper:"+strconv.FormatInt(helper, 10))
	said := m.twice(m.input("9", flows.KindChoice, "rv:yes"))
	both(t, "taking a role back", said, "roles.revoked")
	if told := m.noticesTo("1"); !slices.Equal(told, []string{"roles.revoked_user"}) {
		t.Fatalf("the helper was told %v; want roles.revoked_user once", told)
	}
}

// /themmod run again shows a code that grants the role, and makes no
// second one: the code of the first run, never shown, grants nothing.
func TestAnInviteRunAgainMakesNoSecondCode(t *testing.T) {
	t.Parallel()
	m := moderating(t)
	m.command("9", "themmod")
	var codes []string
	for _, run := range m.twiceReplies(m.input("9", flows.KindChoice, "role:helper")) {
		said := idsTo(run, "9")
		if !slices.Equal(said, []string{"roles.invite"}) {
			t.Fatalf("/themmod said %v; want roles.invite", said)
		}
		code, _ := run[0].Text.Data["Code"].(string)
		codes = append(codes, code)
	}
	var n int
	if err := m.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM role_invites`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d invites (%v); want one", n, err)
	}
	if said := m.say("5", flows.KindText, "nhận "+codes[0]); codes[0] != codes[1] && !slices.Contains(said, "roles.invite_unknown") {
		t.Fatalf("the first run's code, never shown, said %v; want roles.invite_unknown", said)
	}
	if said := m.say("6", flows.KindText, "nhận "+codes[1]); !slices.Contains(said, "roles.granted_helper") {
		t.Fatalf("the code shown said %v; want roles.granted_helper", said)
	}
}
