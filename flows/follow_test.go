package flows_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// following is a market whose buyers may follow products, told of at most
// cap new listings a day, at 10:00 today (Vietnam time): in the waking
// hours whatever the hour the test runs, and on the day by which the store
// dates notices and counts those sent (by its own clock).
func following(t *testing.T, cap int, options ...func(*flows.Deps)) *market {
	m := newMarket(t, options...)
	m.now = vn.Today(time.Now()).Add(10 * time.Hour)
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
// phố Lạng Sơn". Beside a district, the province only says where it is:
// "na Chi Lăng, Lạng Sơn" is na from Chi Lăng, /dangky Chi Lăng, Lạng Sơn
// a market of Chi Lăng.
func TestLangSonAloneIsTheWholeProvince(t *testing.T) {
	t.Parallel()
	m := following(t, 5)
	const province, city, district = "2", "3", "4"
	for _, tt := range []struct{ user, typed, area string }{
		{province, "theo dõi na Lạng Sơn", ""},
		{province, "theo doi cam lang son", ""},
		{city, "theo dõi na TP Lạng Sơn", "Thành phố Lạng Sơn"},
		{city, "theo doi cam thanh pho lang son", "Thành phố Lạng Sơn"},
		{district, "theo dõi na Chi Lăng, Lạng Sơn", "Chi Lăng"},
		{district, "theo doi cam lang son, chi lang", "Chi Lăng"},
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
	if ids := idsTo(got, district); !slices.Contains(ids, "follow.new_listing") {
		t.Errorf("a follower of na in Chi Lăng, Lạng Sơn was not told of na from Chi Lăng: %v", ids)
	}

	ctx := context.Background()
	for i, tt := range []struct {
		arg   string
		said  string
		areas []string
	}{
		{"Lạng Sơn", "group.registered_all", nil},
		{"lang son, Chi Lăng", "group.registered", []string{"chi_lang"}},
		{"Chi Lăng, Lạng Sơn", "group.registered", []string{"chi_lang"}},
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

// /bothedoi stops what was already on its way: a buyer over the day's cap
// who unfollows na gets no morning digest of na, and a listing published
// just before she unfollowed (its notice not sent yet) is not sent after.
// A buyer who still follows na gets hers.
func TestUnfollowingStopsTheNoticesAlreadyQueued(t *testing.T) {
	t.Parallel()
	m := following(t, 1)
	const tired, still, late = "2", "3", "4"
	for _, buyer := range []string{tired, still} {
		if said := m.say(buyer, flows.KindText, "theo dõi na"); !slices.Contains(said, "follow.done") {
			t.Fatalf("following said %v", said)
		}
	}
	first := m.listing("1")
	if got := m.tick(m.now); len(idsTo(got, tired)) == 0 || len(idsTo(got, still)) == 0 {
		t.Fatalf("the followers were not told of the first listing: %v", got)
	}
	second := m.another(first, "test:second") // over the day's cap: held for the morning
	if got := m.tick(m.now); len(got) != 0 {
		t.Fatalf("over the day's cap the followers were sent %v", got)
	}
	if said := m.say(late, flows.KindText, "theo dõi na"); !slices.Contains(said, "follow.done") {
		t.Fatalf("following said %v", said)
	}
	third := m.another(first, "test:third") // not told yet
	for _, buyer := range []string{tired, late} {
		if said := m.say(buyer, flows.KindText, "bỏ theo dõi na"); !slices.Contains(said, "follow.removed") {
			t.Fatalf("unfollowing said %v", said)
		}
	}
	got := m.tick(vn.Today(m.now).Add(24*time.Hour + 7*time.Hour + time.Minute))
	if ids := idsTo(got, tired); len(ids) != 0 {
		t.Errorf("the morning after unfollowing na, she was sent %v", ids)
	}
	if ids := idsTo(got, late); len(ids) != 0 {
		t.Errorf("a listing published before he unfollowed na was sent after: %v", ids)
	}
	if ids := idsTo(got, still); !slices.Equal(ids, []string{"follow.digest", "follow.new_listing", "post.caption"}) {
		t.Fatalf("the buyer still following na was sent %v in the morning", ids)
	}
	for _, r := range got {
		if r.To.ChatID == still && r.Text.ID == "follow.digest" && !strings.Contains(r.Text.Data["List"].(string), second.Code) {
			t.Errorf("the digest lacks %s: %v", second.Code, r.Text.Data["List"])
		}
		if r.To.ChatID == still && r.Text.ID == "post.caption" && r.Text.Data["Code"] != third.Code {
			t.Errorf("the morning's listing is %v, want %s", r.Text.Data["Code"], third.Code)
		}
	}
}

// In the season a follower of na may have dozens of listings waiting in
// the morning; Telegram refuses a message with too many buttons, and the
// buyer would get nothing. The digest names the newest ten, each with its
// button, and says how many more there are and where to see them all: the
// market's page of na from Chi Lăng.
func TestAMorningDigestNamesTheNewestTenAndLinksTheRest(t *testing.T) {
	t.Parallel()
	m := following(t, 1, withPages)
	const buyer = "2"
	if said := m.say(buyer, flows.KindText, "theo dõi na"); !slices.Contains(said, "follow.done") {
		t.Fatalf("following said %v", said)
	}
	first := m.listing("1")
	m.tick(m.now)
	const held = flows.DigestShown + 25
	var codes []string
	for i := range held {
		codes = append(codes, m.another(first, "test:digest:"+strconv.Itoa(i)).Code)
	}
	if got := m.tick(m.now); len(got) != 0 {
		t.Fatalf("over the day's cap the follower was sent %v", idsTo(got, buyer))
	}
	got := m.tick(vn.Today(m.now).Add(24*time.Hour + 7*time.Hour + time.Minute))
	if ids := idsTo(got, buyer); !slices.Equal(ids, []string{"follow.digest"}) {
		t.Fatalf("in the morning the follower was sent %v", ids)
	}
	digest := got[0]
	if len(digest.Choices) != flows.DigestShown {
		t.Fatalf("the digest has %d buttons, want %d", len(digest.Choices), flows.DigestShown)
	}
	for i, row := range digest.Choices { // the newest first
		if want := "buy:" + codes[held-1-i]; len(row) != 1 || row[0].Value != want {
			t.Errorf("button %d is %+v, want %s", i+1, row, want)
		}
	}
	list := digest.Text.Data["List"].(string)
	if strings.Contains(list, codes[0]) || !strings.Contains(list, codes[held-1]) {
		t.Errorf("the digest names other than the newest ten:%s", list)
	}
	const page = "https://cho.example/cho?sp=na-chi-lang&vung=chi_lang"
	if data := digest.Text.Data; fmt.Sprint(data["Count"]) != strconv.Itoa(held) || // relayed as JSON: a float64
		fmt.Sprint(data["More"]) != strconv.Itoa(held-flows.DigestShown) || data["Page"] != page {
		t.Errorf("the digest counts %v listings, %v more, linked at %v; want %d, %d, %s",
			data["Count"], data["More"], data["Page"], held, held-flows.DigestShown, page)
	}
	for _, lang := range []string{"vi", "en"} {
		if text := m.router.Texts.Text(lang, digest.Text); !strings.Contains(text, page) {
			t.Errorf("in %s the digest does not say where to see the others:\n%s", lang, text)
		}
	}
}

// A listing published at night is not told at once (RENEWAL_HOURS, 07-21,
// as for every message the bot sends unprompted): it waits for the
// morning, in the digest at 07:00 with what was held over the day's cap.
// A listing published in the day is told at once. Other hours move both.
func TestFollowNoticesWaitForTheMorning(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		hours      flows.Hours
		late, wake time.Duration // a listing at late is held; the digest goes at wake
	}{
		{"default", flows.Hours{}, 23*time.Hour + 30*time.Minute, 7 * time.Hour},
		{"06-22", flows.Hours{From: 6, Until: 22}, 22*time.Hour + 10*time.Minute, 6 * time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := following(t, 5, func(d *flows.Deps) { d.RenewHours = tt.hours })
			const buyer = "2"
			if said := m.say(buyer, flows.KindText, "theo dõi na"); !slices.Contains(said, "follow.done") {
				t.Fatalf("following said %v", said)
			}
			day := vn.Today(m.now)
			m.now = day.Add(tt.late) // today, the day the store dates the listing's notice
			l := m.listing("1")
			if got := m.tick(m.now); len(got) != 0 {
				t.Fatalf("a listing published at %s was told at once: %v", m.now.In(vn.Location()).Format("15:04"), idsTo(got, buyer))
			}
			morning := day.AddDate(0, 0, 1).Add(tt.wake)
			if got := m.tick(morning.Add(-time.Minute)); len(got) != 0 {
				t.Fatalf("before the morning the follower was sent %v", idsTo(got, buyer))
			}
			got := m.tick(morning.Add(time.Minute))
			if ids := idsTo(got, buyer); !slices.Equal(ids, []string{"follow.digest"}) {
				t.Fatalf("in the morning the follower was sent %v", ids)
			}
			if d := got[0]; !strings.Contains(d.Text.Data["List"].(string), l.Code) || d.Choices[0][0].Value != "buy:"+l.Code {
				t.Errorf("the morning's digest lacks %s: %+v", l.Code, d)
			}
			if got := m.tick(morning.Add(2 * time.Minute)); len(got) != 0 {
				t.Errorf("the listing was told twice: %v", idsTo(got, buyer))
			}
			m.now = morning.Add(3 * time.Hour)
			m.another(l, "test:day")
			if ids := idsTo(m.tick(m.now), buyer); !slices.Equal(ids, []string{"follow.new_listing", "post.caption"}) {
				t.Errorf("a listing published at %s was sent %v", m.now.In(vn.Location()).Format("15:04"), ids)
			}
		})
	}
}
