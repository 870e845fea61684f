package flows_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Invite codes are not guessed: after five wrong codes in a day none is
// tried, not even the right one, until the day has passed (an update
// delivered again is not counted again). The update that used a code,
// delivered again, is told the role is theirs, not that the code was used.
func TestInviteCodesCannotBeGuessedAndARetryIsGranted(t *testing.T) {
	t.Parallel()
	m := moderating(t)
	m.command("9", "themmod")
	data, _ := m.pick("9", flows.KindChoice, "role:helper")
	code, _ := data["Code"].(string)
	if code == "" {
		t.Fatalf("no code: %v", data)
	}
	const guesser = "5"
	said := func(in flows.Input) []string {
		t.Helper()
		m.asked(in)
		return idsTo(m.said, guesser)
	}
	for try := 1; try <= 4; try++ {
		wrong := m.input(guesser, flows.KindText, "nhận HT-22222"+string(rune('0'+try)))
		for range 2 { // the second time, the same update delivered again
			if got := said(wrong); !slices.Equal(got, []string{"roles.invite_unknown"}) {
				t.Fatalf("wrong code %d said %v", try, got)
			}
		}
	}
	if got := said(m.input(guesser, flows.KindText, "nhận HT-222229")); !slices.Equal(got, []string{"roles.invite_blocked"}) {
		t.Fatalf("the fifth wrong code said %v", got)
	}
	if got := said(m.input(guesser, flows.KindText, "nhận "+code)); !slices.Equal(got, []string{"roles.invite_blocked"}) {
		t.Fatalf("the right code after five wrong ones said %v", got)
	}
	if hours := m.said[0].Text.Data["Hours"]; hours != 24 {
		t.Fatalf("told to wait %v hours, want 24", hours)
	}

	m.now = m.now.Add(flows.InviteDay + time.Minute)
	right := m.input(guesser, flows.KindText, "nhận "+code)
	for range 2 { // the second time, the same update delivered again
		if got := said(right); !slices.Equal(got, []string{"roles.granted_helper"}) {
			t.Fatalf("the right code the next day said %v", got)
		}
	}
	if got := said(m.input("6", flows.KindText, "nhận "+code)); !slices.Contains(idsTo(m.said, "6"), "roles.invite_used_before") {
		t.Fatalf("someone else with the used code: %v %v", got, idsTo(m.said, "6"))
	}
	p, err := m.db.Posting(context.Background(), flows.PostingOf{User: m.user(guesser)})
	if err != nil || !p.Helper {
		t.Fatalf("the guesser's roles after the right code: %+v (%v)", p, err)
	}
}

// user is the id of a user of the market.
func (m *market) user(user string) int64 {
	m.t.Helper()
	u, err := m.db.Touch(context.Background(), m.input(user, flows.KindText, ""))
	if err != nil {
		m.t.Fatal(err)
	}
	return u.ID
}

// Whoever would be refused selling a listing 7 more days is not asked
// whether to: a banned farmer, a helper whose role was taken back, the
// helper of a farmer banned. A farmer, and a helper, who may are asked.
func TestOnlyThoseWhoMayRenewAreAskedTo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMarket(t)
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, vn.Location()) }
	m.now = at(2, 9)
	// A listing of a farmer (a user, or "" for none), posted by a helper
	// (or "" for the farmer).
	listed := func(owner, helper, phone string) *flows.Listing {
		t.Helper()
		s := &flows.Seller{Name: "Nhà vườn " + phone, Phone: phone, Commune: "xã Hữu Kiên", Area: "chi_lang"}
		l := &flows.Listing{Channel: flows.Telegram, Product: "Na", Photos: []string{"p"}, Ready: vn.Today(m.now),
			Quantity: vn.Quantity{Milli: 100_000, Unit: vn.UnitKg}, Price: vn.Price{VND: 25_000, Per: vn.UnitKg}}
		if owner != "" {
			s.UserID = m.user(owner)
		}
		if helper != "" {
			s.CreatedBy, l.HelperID = m.user(helper), m.user(helper)
		}
		if err := m.db.SaveSeller(ctx, s); err != nil {
			t.Fatal(err)
		}
		l.SellerID = s.ID
		l, err := m.db.CreateListing(ctx, l, "test:"+phone, nil)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	banned, farmer := listed("1", "", "+84912888771"), listed("2", "", "+84912888772")
	if err := m.db.Ban(ctx, flows.BanOf{User: m.user("1")}, 0, "hàng giả", ""); err != nil {
		t.Fatal(err)
	}
	// Helper "3" posts for two farmers without an account, one of them
	// banned; "4", whose role was taken back, for a third.
	if _, err := m.db.Pool.Exec(ctx, `INSERT INTO user_roles (user_id, role) VALUES ($1, 'helper')`, m.user("3")); err != nil {
		t.Fatal(err)
	}
	forMai, forBanned, takenOff := listed("", "3", "+84987654321"), listed("", "3", "+84987654322"), listed("", "4", "+84987654323")
	if err := m.db.Ban(ctx, flows.BanOf{Seller: forBanned.SellerID}, 0, "hàng giả", ""); err != nil {
		t.Fatal(err)
	}

	if err := m.router.Tick(ctx, at(7, 7)); err != nil {
		t.Fatal(err)
	}
	var asked []string
	for _, r := range m.notices() {
		if r.Text.ID == "mine.renew_ask" {
			asked = append(asked, r.To.ChatID+" "+r.Text.Data["Code"].(string))
		}
	}
	want := []string{"2 " + farmer.Code, "3 " + forMai.Code}
	slices.Sort(asked)
	if !slices.Equal(asked, want) {
		t.Errorf("asked to renew: %q, want %q (not %s banned, %s for a banned farmer, %s by a helper taken off)",
			asked, want, banned.Code, forBanned.Code, takenOff.Code)
	}
	if err := m.router.Tick(ctx, at(7, 8)); err != nil {
		t.Fatal(err)
	}
	if n := len(m.notices()); n != 0 {
		t.Errorf("the next tick sent %d messages: those not asked are asked no later", n)
	}
}
