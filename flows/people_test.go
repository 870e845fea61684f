package flows_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/nongsan-bot/nongsan/flows"
)

// moderating is a market with a global moderator ("9") who grants roles.
func moderating(t *testing.T) *market {
	m := newMarket(t)
	deps := m.router.Deps
	deps.Invites = m.db
	m.router = flows.NewRouter(deps)
	m.db.Moderators = map[string]bool{"telegram:9": true}
	return m
}

// command has user type "/cmd" and returns what they were asked: the
// message's data and its choices' values.
func (m *market) command(user, cmd string) (map[string]any, []string) {
	m.t.Helper()
	in := m.input(user, flows.KindText, "/"+cmd)
	in.Command = cmd
	return m.asked(in)
}

// pick has user answer with kind and text and returns what they were asked.
func (m *market) pick(user string, kind flows.InputKind, text string) (map[string]any, []string) {
	m.t.Helper()
	return m.asked(m.input(user, kind, text))
}

func (m *market) asked(in flows.Input) (map[string]any, []string) {
	m.t.Helper()
	u, err := m.db.Touch(context.Background(), in)
	if err != nil {
		m.t.Fatal(err)
	}
	res, err := m.router.Handle(context.Background(), u, m.sess[in.UserID], in)
	if err != nil {
		m.t.Fatal(err)
	}
	m.sess[in.UserID], m.said = res.Session, res.Replies
	if len(res.Replies) == 0 {
		m.t.Fatalf("nothing said to %q", in.Text)
	}
	last := res.Replies[len(res.Replies)-1]
	var values []string
	for _, row := range last.Choices {
		for _, ch := range row {
			values = append(values, ch.Value)
		}
	}
	return last.Text.Data, values
}

// /xoamod and /bochan reach everyone, however many: ten at a time, the
// heading counting them all and saying the page; typing a name (without
// diacritics too) or a phone number lists those it matches, with the
// whole list a button away; one found is picked as from the list.
func TestXoamodAndBochanReachEveryoneAPageAtATimeOrByName(t *testing.T) {
	t.Parallel()
	m := moderating(t)
	ctx := context.Background()
	ids := map[string]int64{}
	for i := range 60 {
		user := strconv.Itoa(100 + i)
		u, err := m.db.Touch(ctx, m.input(user, flows.KindText, ""))
		if err != nil {
			t.Fatal(err)
		}
		ids[user] = u.ID
		for _, role := range []string{"helper", "banned"} {
			if _, err := m.db.Pool.Exec(ctx, `INSERT INTO user_roles (user_id, role, reason) VALUES ($1, $2, 'x')`, u.ID, role); err != nil {
				t.Fatal(err)
			}
		}
	}
	mai := &flows.Seller{UserID: ids["142"], Name: "Hoàng Thị Mai", Phone: "+84987654321", Commune: "xã Hữu Kiên"}
	if err := m.db.SaveSeller(ctx, mai); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cmd, value string // the last person's choice
		want       string // what picking someone found leads to
	}{
		{"xoamod", "rv:helper:" + strconv.FormatInt(ids["159"], 10), "roles.revoke_confirm"},
		{"bochan", "unban:" + strconv.FormatInt(ids["159"], 10), "moderation.unbanned"},
	} {
		data, values := m.command("9", c.cmd)
		if data["Count"] != 60 || data["Pages"] != 6 || data["Page"] != 1 || len(values) != 11 || values[10] != "page:next" {
			t.Fatalf("/%s: %v, choices %v; want 60 people, page 1 of 6, ten and the next page", c.cmd, data, values)
		}
		for page := 2; page <= 6; page++ {
			data, values = m.pick("9", flows.KindChoice, "page:next")
			if data["Page"] != page {
				t.Fatalf("/%s, the next page: %v", c.cmd, data)
			}
		}
		if len(values) != 11 || values[9] != c.value || values[10] != "page:prev" {
			t.Fatalf("/%s, the last page: %v; want the last ten, %s last, and the page before", c.cmd, values, c.value)
		}
		data, _ = m.pick("9", flows.KindText, "trang truoc")
		if data["Page"] != 5 {
			t.Fatalf("/%s, typed back a page: %v", c.cmd, data)
		}

		data, values = m.pick("9", flows.KindText, "User 15") // User 150 … User 159
		if data["Count"] != 10 || data["Pages"] != 0 || len(values) != 11 || values[9] != c.value || values[10] != "people:all" {
			t.Fatalf("/%s, a name typed: %v, %v; want ten found and the whole list", c.cmd, data, values)
		}
		data, values = m.pick("9", flows.KindText, "hoang thi mai")
		if data["Count"] != 1 || data["Search"] != "hoang thi mai" || len(values) != 2 {
			t.Fatalf("/%s, a name typed without diacritics: %v, %v", c.cmd, data, values)
		}
		if data, _ = m.pick("9", flows.KindText, "0987.654.321"); data["Count"] != 1 {
			t.Fatalf("/%s, a phone number typed: %v", c.cmd, data)
		}
		if data, values = m.pick("9", flows.KindText, "Lâm"); data["Count"] != 0 || !slices.Equal(values, []string{"people:all"}) {
			t.Fatalf("/%s, nobody found: %v, %v", c.cmd, data, values)
		}
		if data, _ = m.pick("9", flows.KindChoice, "people:all"); data["Count"] != 60 || data["Search"] != "" {
			t.Fatalf("/%s, the whole list again: %v", c.cmd, data)
		}
		if _, values = m.pick("9", flows.KindText, "user 159"); len(values) != 2 || values[0] != c.value {
			t.Fatalf("/%s, the last one searched: %v", c.cmd, values)
		}
		m.pick("9", flows.KindText, "1") // picked by its number, as from the list
		if said := idsTo(m.said, "9"); !slices.Contains(said, c.want) {
			t.Fatalf("/%s, the one found picked: %v, want %s", c.cmd, said, c.want)
		}
		m.pick("9", flows.KindText, "huỷ")
	}
}

// The second page of /xoamod and /bochan is the next ten, in the list's
// order (roles as granted, bans as made), between the page before and the
// page after; past the end of a search, the last page of what it found.
func TestXoamodAndBochanShowTheNextTenOnPageTwo(t *testing.T) {
	t.Parallel()
	m := moderating(t)
	ctx := context.Background()
	var ids []string
	for i := range 25 {
		u, err := m.db.Touch(ctx, m.input(strconv.Itoa(100+i), flows.KindText, ""))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, strconv.FormatInt(u.ID, 10))
		for _, role := range []string{"helper", "banned"} {
			if _, err := m.db.Pool.Exec(ctx, `INSERT INTO user_roles (user_id, role, reason, granted_at)
				VALUES ($1, $2, 'x', now() + $3 * interval '1 minute')`, u.ID, role, i); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, c := range []struct{ cmd, prefix string }{{"xoamod", "rv:helper:"}, {"bochan", "unban:"}} {
		m.command("9", c.cmd)
		data, values := m.pick("9", flows.KindChoice, "page:next")
		var want []string
		for _, id := range ids[10:20] {
			want = append(want, c.prefix+id)
		}
		want = append(want, "page:prev", "page:next")
		if data["Count"] != 25 || data["Page"] != 2 || data["Pages"] != 3 || !slices.Equal(values, want) {
			t.Fatalf("/%s, page 2: %v, %v; want %v", c.cmd, data, values, want)
		}
		// A search finding one, from page 2: its only page.
		if data, values = m.pick("9", flows.KindText, "user 112"); data["Count"] != 1 || !slices.Equal(values, []string{c.prefix + ids[12], "people:all"}) {
			t.Fatalf("/%s, a search from page 2: %v, %v", c.cmd, data, values)
		}
		m.pick("9", flows.KindText, "huỷ")
	}
}
