package flows_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
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
