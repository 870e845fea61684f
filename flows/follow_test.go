package flows_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// following is a market whose buyers may follow products, told of at most
// cap new listings a day.
func following(t *testing.T, cap int) *market {
	m := newMarket(t)
	deps := m.router.Deps
	deps.Follows, deps.Limits.FollowsPerDay = m.db, cap
	m.router = flows.NewRouter(deps)
	return m
}

// another puts one more listing of na by the farmer of m.listing on sale.
func (m *market) another(l *flows.Listing, source string) *flows.Listing {
	m.t.Helper()
	next := *l
	next.ID, next.Code = 0, ""
	stored, err := m.db.CreateListing(context.Background(), &next, source, nil)
	if err != nil {
		m.t.Fatal(err)
	}
	return stored
}

func (m *market) tick(now time.Time) []flows.Reply {
	m.t.Helper()
	if err := m.router.Tick(context.Background(), now); err != nil {
		m.t.Fatal(err)
	}
	return m.notices()
}

// A follower of na hears of a new listing privately, photo and order
// button; a follower of na in Bắc Sơn does not. Beyond the day's cap, the
// listings wait for the next morning's digest, once; an unfollowed
// product is heard of no more.
func TestAFollowersDayIsCappedAndTheRestComeInTheMorningsDigest(t *testing.T) {
	t.Parallel()
	m := following(t, 1)
	const buyer, elsewhere = "2", "3"
	if said := m.say(buyer, flows.KindText, "theo dõi na"); !slices.Contains(said, "follow.done") {
		t.Fatalf("following said %v", said)
	}
	if said := m.say(elsewhere, flows.KindText, "Theo doi na Bac Son"); !slices.Contains(said, "follow.done") {
		t.Fatalf("following in Bắc Sơn said %v", said)
	}
	if said := m.say(buyer, flows.KindText, "theo dõi Na"); !slices.Contains(said, "follow.already") {
		t.Fatalf("following again said %v", said)
	}

	first := m.listing("1")
	got := m.tick(m.now)
	if ids := idsTo(got, buyer); !slices.Equal(ids, []string{"follow.new_listing", "post.caption"}) {
		t.Fatalf("the follower was sent %v", ids)
	}
	post := got[1]
	if len(post.Photos) == 0 || len(post.Choices) == 0 || post.Choices[0][0].Do == nil ||
		post.Choices[0][0].Do.Kind != flows.ActOrder || post.Choices[0][0].Do.Code != first.Code {
		t.Errorf("the listing came without its photo or order button: %+v", post)
	}
	if ids := idsTo(got, elsewhere); len(ids) != 0 {
		t.Errorf("a follower of na in Bắc Sơn was sent %v", ids)
	}

	second := m.another(first, "test:second")
	if got := m.tick(m.now); len(got) != 0 {
		t.Fatalf("over the day's cap, the follower was sent %v", idsTo(got, buyer))
	}
	if got := m.tick(vn.Today(m.now).Add(24*time.Hour + 6*time.Hour)); len(got) != 0 {
		t.Fatalf("the digest went before 07:00: %v", idsTo(got, buyer))
	}
	morning := vn.Today(m.now).Add(24*time.Hour + 7*time.Hour + 30*time.Minute)
	got = m.tick(morning)
	if ids := idsTo(got, buyer); !slices.Equal(ids, []string{"follow.digest"}) {
		t.Fatalf("in the morning the follower was sent %v", ids)
	}
	digest := got[0]
	if !strings.Contains(digest.Text.Data["List"].(string), second.Code) || digest.Choices[0][0].Value != "buy:"+second.Code {
		t.Errorf("the digest lacks %s: %+v", second.Code, digest)
	}
	if got := m.tick(morning.Add(time.Minute)); len(got) != 0 {
		t.Errorf("the digest went twice: %v", idsTo(got, buyer))
	}

	if said := m.say(buyer, flows.KindText, "bỏ theo dõi na"); !slices.Contains(said, "follow.removed") {
		t.Fatalf("unfollowing said %v", said)
	}
	m.another(first, "test:third")
	if got := m.tick(morning.Add(time.Hour)); len(idsTo(got, buyer)) != 0 {
		t.Errorf("an unfollowed product was still told: %v", idsTo(got, buyer))
	}
}

// A product with more followers than one batch: every follower hears of
// a new listing at the next tick.
func TestEveryFollowerHearsAtTheNextTick(t *testing.T) {
	t.Parallel()
	m := following(t, 5)
	followers := flows.FollowBatch + 20
	for i := range followers {
		if said := m.say(strconv.Itoa(1000+i), flows.KindText, "theo dõi na"); !slices.Contains(said, "follow.done") {
			t.Fatalf("following said %v", said)
		}
	}
	m.listing("1")
	told := map[string]bool{}
	for got := m.tick(m.now); len(got) > 0; got = m.notices() { // relayed 100 at a time
		for _, r := range got {
			if r.Text.ID == "follow.new_listing" {
				told[r.To.ChatID] = true
			}
		}
	}
	if len(told) != followers {
		t.Errorf("%d of %d followers told at the first tick", len(told), followers)
	}
}

// "Lạng Sơn" alone names the province, as a farmer's address does: a
// follow of na "in Lạng Sơn" hears of na from Chi Lăng, and /dangky Lạng
// Sơn makes a market of every area. Its city is "TP Lạng Sơn" or "thành
// phố Lạng Sơn".
func TestLangSonAloneIsTheWholeProvince(t *testing.T) {
	t.Parallel()
	m := following(t, 5)
	const province, city = "2", "3"
	for _, tt := range []struct{ user, typed, area string }{
		{province, "theo dõi na Lạng Sơn", ""},
		{province, "theo doi cam lang son", ""},
		{city, "theo dõi na TP Lạng Sơn", "Thành phố Lạng Sơn"},
		{city, "theo doi cam thanh pho lang son", "Thành phố Lạng Sơn"},
	} {
		if said := m.say(tt.user, flows.KindText, tt.typed); !slices.Equal(said, []string{"follow.done"}) {
			t.Fatalf("%q said %v", tt.typed, said)
		}
		if got := m.said[0].Text.Data; got["Anywhere"] != (tt.area == "") || tt.area != "" && got["Area"] != tt.area {
			t.Errorf("%q is followed %v, want in %q", tt.typed, got, tt.area)
		}
	}
	m.listing("1") // na from Chi Lăng
	got := m.tick(m.now)
	if ids := idsTo(got, province); !slices.Contains(ids, "follow.new_listing") {
		t.Errorf("a follower of na in Lạng Sơn was not told of na from Chi Lăng: %v", ids)
	}
	if ids := idsTo(got, city); len(ids) != 0 {
		t.Errorf("a follower of na in the city was told of na from Chi Lăng: %v", ids)
	}

	ctx := context.Background()
	for i, tt := range []struct {
		arg   string
		said  string
		areas []string
	}{
		{"Lạng Sơn", "group.registered_all", nil},
		{"lang son, Chi Lăng", "group.registered_all", nil},
		{"TP Lạng Sơn", "group.registered", []string{"tp_lang_son"}},
		{"Thành phố Lạng Sơn và Cao Lộc", "group.registered", []string{"tp_lang_son", "cao_loc"}},
	} {
		group := "-100" + strconv.Itoa(i)
		in := m.input("9", flows.KindText, "/dangky "+tt.arg)
		in.ChatID, in.ChatType, in.ChatTitle, in.Admin, in.Command, in.Arg = group, flows.Group, "Chợ "+tt.arg, true, "dangky", tt.arg
		u, err := m.db.Touch(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		res, err := m.router.Handle(ctx, u, nil, in)
		if err != nil {
			t.Fatal(err)
		}
		if said := idsTo(res.Replies, group); !slices.Equal(said, []string{tt.said}) {
			t.Errorf("/dangky %s said %v, want %s", tt.arg, said, tt.said)
		}
		markets, err := m.db.AllMarkets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range markets {
			if g.Ref.ChatID == group && !slices.Equal(g.Areas, tt.areas) && len(g.Areas)+len(tt.areas) > 0 {
				t.Errorf("/dangky %s takes the listings of %q, want %q", tt.arg, g.Areas, tt.areas)
			}
		}
	}
}
