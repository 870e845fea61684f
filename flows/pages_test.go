package flows_test

import (
	"context"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/flows"
)

func withPages(d *flows.Deps) { d.PagesURL = "https://cho.example" }

// /tin gives the farmer the link to their store, to send to buyers.
func TestMyListingsGiveTheStoresLink(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		options []func(*flows.Deps)
		want    func(slug string) string
	}{
		{"with pages", []func(*flows.Deps){withPages}, func(slug string) string { return "https://cho.example/cua-hang/" + slug }},
		{"without", nil, func(string) string { return "" }},
	} {
		m := newMarket(t, tc.options...)
		l := m.listing("1")
		m.say("1", flows.KindChoice, "menu:mine")
		var pick *flows.Reply
		for i, r := range m.said {
			if r.Text.ID == "mine.pick" {
				pick = &m.said[i]
			}
		}
		if pick == nil {
			t.Fatalf("%s: /tin said %v", tc.name, idsTo(m.said, "1"))
		}
		if got, want := pick.Text.Data["Store"], tc.want(l.Seller.Slug); got != want || l.Seller.Slug == "" {
			t.Errorf("%s: the store's link %q, want %q", tc.name, got, want)
		}
	}
}

// A post in a group links the listing's page beside its order button,
// while it is on sale.
func TestAGroupPostLinksTheListingsPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMarket(t, withPages)
	l := m.listing("1")
	pending := flows.Reply{To: flows.ChatRef{Channel: flows.Telegram, ChatID: "-100"}, Lang: flows.GroupLang, Group: true,
		Report: &flows.Report{Listing: l.ID, Code: l.Code}, Rebuild: &flows.Ref{Kind: flows.RefListing, ID: l.ID}}
	post, err := m.router.Rebuild(ctx, pending)
	if err != nil {
		t.Fatal(err)
	}
	// The order button and the page, then 🔔 Theo dõi (its product in its area).
	if len(post.Choices) != 2 || len(post.Choices[0]) != 2 || post.Choices[0][0].Do == nil ||
		post.Choices[0][1].URL != "https://cho.example/cho/"+l.Code || post.Choices[0][1].Label.ID != "post.page" ||
		post.Choices[1][0].Do == nil || post.Choices[1][0].Do.Payload() != "td_"+strings.ReplaceAll(l.Code, "-", "") {
		t.Fatalf("the post's buttons: %+v", post.Choices)
	}
	// Stopped: no button at all, the page is gone too.
	l.Status = flows.Closed
	if err := m.db.UpdateListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	if post, _ := m.router.Rebuild(ctx, pending); len(post.Choices) != 0 {
		t.Errorf("a stopped listing's post keeps buttons: %+v", post.Choices)
	}
}
