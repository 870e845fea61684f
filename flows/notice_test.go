package flows_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// marketGroup is the market group of these tests.
var marketGroup = flows.ChatRef{Channel: flows.Telegram, ChatID: "-100"}

// posted records l's post in the market group as sent, as message id.
func (m *market) posted(l *flows.Listing, id string) {
	m.t.Helper()
	if _, err := m.db.SavePost(context.Background(), flows.Post{ListingID: l.ID, Group: marketGroup, MessageIDs: []string{id}}); err != nil {
		m.t.Fatal(err)
	}
}

// A group post waits in the outbox (Telegram is down, or the relay has not
// run yet): it is sent as its listing is when it goes, and a post recorded
// as sent already is edited rather than posted twice.
func TestAPendingPostIsSentAsItsListingIsNowAndOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMarket(t)
	l := m.listing("1")
	post := flows.Reply{To: marketGroup, Lang: flows.GroupLang, Text: flows.M("post.caption"),
		Report:  &flows.Report{Listing: l.ID, Code: l.Code, Group: "Chợ"},
		Rebuild: &flows.Ref{Kind: flows.RefListing, ID: l.ID}}

	l.Price, l.PriceTyped = vn.Price{VND: 28_000, Per: vn.UnitKg}, "28k" // changed while the post waited
	if err := m.db.UpdateListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	sent, err := m.router.Rebuild(ctx, post)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Edit != nil || sent.Report == nil || sent.Text.Data["Price"] != "28.000 đ/kg" {
		t.Fatalf("pending post sent as %+v, want a new post at 28.000 đ/kg, reported", sent)
	}

	// Sent and recorded, but still in the outbox when we stopped.
	m.posted(l, "77")
	again, err := m.router.Rebuild(ctx, post)
	if err != nil {
		t.Fatal(err)
	}
	if again.Edit == nil || again.Edit.MessageID != "77" || again.Report != nil {
		t.Fatalf("a post recorded as sent went out as %+v, want an edit of message 77, not reported again", again)
	}
}

// Closing a listing from the renewal question edits its group posts; the
// edits are committed with the change, so a crash before they are queued
// in Redis does not lose them.
func TestPostEditsAreCommittedWithTheListingChange(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	l := m.listing("1")
	m.posted(l, "77")
	said := m.say("1", flows.KindChoice, "mine:close:"+strconv.FormatInt(l.ID, 10))
	if !slices.Contains(said, "mine.updated") {
		t.Fatalf("closing said %v", said)
	}
	notices := m.notices()
	if len(notices) != 1 || notices[0].To != marketGroup || notices[0].Edit == nil || notices[0].Edit.MessageID != "77" {
		t.Fatalf("notices %+v, want the edit of the group's post", notices)
	}
}

// A day before its expiry the seller is asked, once, whether to renew; at
// its expiry the listing ends and its posts lose their order button. Each
// message is committed with its change.
func TestListingsExpireWithTheirMessages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMarket(t)
	l := m.listing("1")
	m.posted(l, "77")
	tick := func(at time.Time) []flows.Reply {
		t.Helper()
		if err := m.router.Tick(ctx, at); err != nil {
			t.Fatal(err)
		}
		return m.notices()
	}
	dayBefore := l.ExpiresAt.Add(-12 * time.Hour)
	if got := tick(dayBefore); !slices.Equal(idsTo(got, "1"), []string{"mine.renew_ask"}) || len(got) != 1 {
		t.Fatalf("half a day before expiry: %+v, want the renewal question", got)
	}
	if got := tick(dayBefore.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("the seller is asked once, got %+v", got)
	}
	got := tick(l.ExpiresAt.Add(time.Minute))
	if len(got) != 1 || got[0].To != marketGroup || got[0].Edit == nil || len(got[0].Choices) != 0 {
		t.Fatalf("at expiry: %+v, want the post edited without its order button", got)
	}
	if ended, err := m.db.Listing(ctx, l.ID); err != nil || ended.Status != flows.Expired {
		t.Fatalf("after expiry the listing is %+v (%v)", ended, err)
	}
	if got := tick(l.ExpiresAt.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("a listing expires once, got %+v", got)
	}
}

// A sold-out listing ends at its last day as one on sale does: its post
// is edited to say so, and its page and photos go (they were public for
// good). Its farmer is not asked about renewing a listing with nothing
// left: they put stock back from /tin.
func TestASoldOutListingEndsAtItsLastDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMarket(t)
	l := m.listing("1")
	m.posted(l, "77")
	if said := m.say("1", flows.KindChoice, "mine:soldout:"+strconv.FormatInt(l.ID, 10)); !slices.Contains(said, "mine.updated") {
		t.Fatalf("marking it sold out said %v", said)
	}
	m.notices()
	tick := func(at time.Time) []flows.Reply {
		t.Helper()
		if err := m.router.Tick(ctx, at); err != nil {
			t.Fatal(err)
		}
		return m.notices()
	}
	if got := tick(l.ExpiresAt.Add(-12 * time.Hour)); len(got) != 0 {
		t.Fatalf("half a day before its last day ends: %+v, want nothing (nothing left to renew)", got)
	}
	got := tick(l.ExpiresAt.Add(time.Minute))
	if len(got) != 1 || got[0].To != marketGroup || got[0].Edit == nil || len(got[0].Choices) != 0 {
		t.Fatalf("at its last day's end: %+v, want the post edited", got)
	}
	if ended, err := m.db.Listing(ctx, l.ID); err != nil || ended.Status != flows.Expired {
		t.Fatalf("after its last day the listing is %+v (%v)", ended, err)
	}
	if _, err := m.db.ShownListing(ctx, l.Code); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("its page is still shown: %v", err)
	}
	if got := tick(l.ExpiresAt.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("a listing ends once, got %+v", got)
	}
}

// A post being sent while its group's admin took the listing down there
// landed with its order button: recorded, it is edited at once to show
// the listing taken down (no later edit of the listing reaches a group
// that hid it), and the farmer is not told it was posted there.
func TestAPostThatLandsInAGroupThatHidItIsTakenDownThere(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMarket(t)
	l := m.listing("1")
	if _, err := m.db.SavePost(ctx, flows.Post{ListingID: l.ID, Group: marketGroup}); err != nil { // pending
		t.Fatal(err)
	}
	admin, err := m.db.Touch(ctx, m.input("2", flows.KindText, ""))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.db.HidePosts(ctx, l.ID, []flows.Post{{Group: marketGroup}}, admin.ID, ""); err != nil {
		t.Fatal(err)
	}
	m.notices() // the take-down's own

	post := flows.Reply{To: marketGroup, Lang: flows.GroupLang, Text: flows.M("post.caption"),
		Report: &flows.Report{Listing: l.ID, Code: l.Code, Group: "Chợ", Notify: flows.ChatRef{Channel: flows.Telegram, ChatID: "1"}}}
	edits, err := m.router.Posted(ctx, post, flows.Sent{MessageIDs: []string{"88"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) != 1 || edits[0].To != marketGroup || edits[0].Edit == nil || edits[0].Edit.MessageID != "88" ||
		len(edits[0].Choices) != 0 || edits[0].Footer == nil || edits[0].Footer.ID != "post.ended_footer" {
		t.Fatalf("after the post landed: %+v; want an edit of message 88, taken down, without the order button", edits)
	}
	if n := m.notices(); len(n) != 0 {
		t.Fatalf("the farmer was told %+v; want nothing of a post its group took down", n)
	}
}
