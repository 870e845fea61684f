package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

func TestMigrateTwiceIsHarmless(t *testing.T) {
	db := pgtest.MustOpen(t) // migrated once
	n, err := db.Migrate(context.Background())
	if err != nil || n != 0 {
		t.Fatalf("second migration applied %d (%v), want 0", n, err)
	}
}

// naDraft is a fresh database with a farmer, Mai, and her listing of 50 kg
// of na at 25k, not yet stored.
func naDraft(t *testing.T) (*postgres.DB, *flows.Listing) {
	t.Helper()
	db := pgtest.MustOpen(t)
	seller := &flows.Seller{Name: "Mai", Phone: "+84987654321", Commune: "xã Hữu Kiên"}
	if err := db.SaveSeller(context.Background(), seller); err != nil {
		t.Fatal(err)
	}
	return db, &flows.Listing{SellerID: seller.ID, Channel: flows.Telegram, Product: "Na", Photos: []string{"p"},
		Quantity: vn.Quantity{Milli: 50_000, Unit: vn.UnitKg}, Price: vn.Price{VND: 25_000, Per: vn.UnitKg},
		PriceTyped: "25k", Ready: time.Now()}
}

// Publishing is all or nothing: a listing whose group posts cannot be
// queued is not stored (the farmer is not told of a listing no group will
// see), and publishing it again stores it once, with its posts.
func TestAListingIsStoredWithItsPostsOrNotAtAll(t *testing.T) {
	ctx := context.Background()
	db, draft := naDraft(t)
	group := flows.ChatRef{Channel: flows.Telegram, ChatID: "-100"}
	broken := func(*flows.Listing) []flows.Reply { // a post that cannot be encoded as a notice
		return []flows.Reply{{To: group, Text: flows.M("sell.posted", "Group", func() {})}}
	}
	if _, err := db.CreateListing(ctx, draft, "telegram:78", broken); err == nil {
		t.Fatal("a listing whose posts cannot be queued was published")
	}
	posts := func(l *flows.Listing) []flows.Reply {
		return []flows.Reply{{To: group, Text: flows.M("sell.posted", "Group", l.Code)}}
	}
	for range 2 { // the second time, a retried update: the same listing, no second post
		l, err := db.CreateListing(ctx, draft, "telegram:78", posts)
		if err != nil {
			t.Fatal(err)
		}
		var listings, pending, notices int
		err = db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM listings), (SELECT count(*) FROM listing_posts WHERE listing_id = $1),
			(SELECT count(*) FROM notices WHERE replies::text LIKE '%' || $2 || '%')`, l.ID, l.Code).Scan(&listings, &pending, &notices)
		if err != nil {
			t.Fatal(err)
		}
		if listings != 1 || pending != 1 || notices != 1 {
			t.Fatalf("listings %d, pending posts %d, notices %d; want one each", listings, pending, notices)
		}
	}
}

// A listing published is stored, with its photos, pending posts and the
// notice that sends them, in one statement, under the id its Posting
// reserved; the posts queued say what the listing stored says (read back,
// it makes the same posts), so the groups see what the farmer confirmed.
// The update delivered again gets that listing back, and nothing more is
// stored or posted.
func TestAPublishedListingIsStoredInOneStatementWithItsPostsAsItIsShown(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	u, err := db.Touch(ctx, flows.Input{Channel: flows.Telegram, UserID: "41", UserName: "Mai"})
	if err != nil {
		t.Fatal(err)
	}
	seller := &flows.Seller{UserID: u.ID, Name: "Mai", Phone: "+84987654323", Commune: "xã Chi Lăng", Area: "chi_lang"}
	if err := db.SaveSeller(ctx, seller); err != nil {
		t.Fatal(err)
	}
	groups := []flows.ChatRef{{Channel: flows.Telegram, ChatID: "-1"}, {Channel: flows.Zalo, ChatID: "g-2"}}
	for _, g := range groups {
		if err := db.SaveGroup(ctx, g, "Chợ", true); err != nil {
			t.Fatal(err)
		}
		if err := db.RegisterMarket(ctx, flows.MarketGroup{Ref: g}, 0); err != nil {
			t.Fatal(err)
		}
	}
	// What a post shows of a listing, as the sell flow's would.
	posts := func(l *flows.Listing) []flows.Reply {
		var out []flows.Reply
		for _, g := range groups {
			out = append(out, flows.Reply{To: g, Lang: "vi", Photos: l.Photos, Group: true,
				Text: flows.M("post.caption", "Product", l.Product, "Quantity", l.Quantity.Milli, "Unit", string(l.Quantity.Unit),
					"Price", l.Price.VND, "Per", string(l.Price.Per), "PriceTyped", l.PriceTyped, "Ready", l.Ready.In(vn.Location()).Format("2/1/2006"),
					"Note", l.Note, "Seller", l.Seller.Name, "Code", l.Code, "Status", l.Status, "Remaining", l.Remaining,
					"Until", l.ExpiresAt.UTC().Format(time.RFC3339)),
				Report:  &flows.Report{Listing: l.ID, Code: l.Code, Group: "Chợ"},
				Rebuild: &flows.Ref{Kind: flows.RefListing, ID: l.ID}})
		}
		return out
	}
	draft := &flows.Listing{SellerID: seller.ID, Channel: flows.Telegram, Product: "Na", Photos: []string{"p"},
		Quantity: vn.Quantity{Milli: 500_000, Unit: vn.UnitKg}, Price: vn.Price{VND: 25_000, Per: vn.UnitKg},
		PriceTyped: "25k", Ready: vn.Today(time.Now()).AddDate(0, 0, 1), Note: "Na dai, quả to", Seller: *seller}
	var first *flows.Listing
	for try := range 2 { // the second time, the update delivered again
		p, err := db.Posting(ctx, flows.PostingOf{User: u.ID, Seller: seller.ID, Markets: true, Area: "chi_lang", Reserve: true})
		if err != nil || p.ListingID == 0 || len(p.Groups) != 2 {
			t.Fatalf("posting: %+v, %v; want an id reserved and both groups", p, err)
		}
		l := *draft
		l.ID = p.ListingID
		before := db.Statements()
		stored, err := db.CreateListing(ctx, &l, "listing:n1", posts)
		if err != nil {
			t.Fatal(err)
		}
		if n := db.Statements() - before; try == 0 && n != 1 {
			t.Errorf("publishing took %d SQL statements, want 1", n)
		}
		if try == 0 {
			first = stored
			if stored.ID != p.ListingID || stored.Status != flows.Active || stored.Remaining != 500_000 || stored.Note != draft.Note {
				t.Fatalf("stored %+v; want the id reserved (%d), on sale, all 500 kg left, the note", stored, p.ListingID)
			}
		} else if stored.ID != first.ID || stored.Code != first.Code {
			t.Fatalf("delivered again: listing %d %s, want the first, %d %s", stored.ID, stored.Code, first.ID, first.Code)
		}
	}
	var listings, media, notices int
	var queued string
	err = db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM listings), (SELECT count(*) FROM media WHERE listing_id = $1),
		(SELECT count(*) FROM notices), (SELECT replies::text FROM notices LIMIT 1)`, first.ID).Scan(&listings, &media, &notices, &queued)
	if err != nil {
		t.Fatal(err)
	}
	if listings != 1 || media != 1 || notices != 1 {
		t.Fatalf("listings %d, photos %d, notices %d; want one each", listings, media, notices)
	}
	pending, err := db.Posts(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	var at []flows.ChatRef
	for _, p := range pending {
		if p.Sent() {
			t.Errorf("post in %v sent already", p.Group)
		}
		at = append(at, p.Group)
	}
	if !slices.Equal(at, groups) {
		t.Fatalf("pending posts in %v, want %v", at, groups)
	}
	back, err := db.Listing(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	shown, _ := json.Marshal(posts(back))
	if err := json.Unmarshal([]byte(queued), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(shown, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("posts queued:\n%s\nwant them as the listing stored shows it:\n%s", queued, shown)
	}
}

// Buyers racing for one lot, each update delivered twice at the same
// moment: the lot is sold once, to as many as it holds, and each update
// places one order, which both its deliveries are answered with.
func TestBuyersRacingForOneLotAreNeverOversold(t *testing.T) {
	ctx := context.Background()
	db, draft := naDraft(t)
	l, err := db.CreateListing(ctx, draft, "telegram:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	const buyers = 12 // 10 kg each, for 50 kg
	placed := make([][2]int64, buyers)
	var wg sync.WaitGroup
	for i := range buyers {
		buyer, err := db.Touch(ctx, flows.Input{Channel: flows.Telegram, UserID: strconv.Itoa(100 + i), UserName: "Khách"})
		if err != nil {
			t.Fatal(err)
		}
		for twice := range 2 {
			wg.Go(func() {
				o, err := db.PlaceOrder(ctx, &flows.Order{ListingID: l.ID, BuyerID: buyer.ID, Quantity: vn.Quantity{Milli: 10_000},
					Total: 250_000, Price: l.Price, BuyerName: "Khách", BuyerPhone: "+84912888777", Delivery: "pickup"},
					"telegram:order-"+strconv.Itoa(i), flows.BuyerProfile{})
				var notEnough *flows.NotEnoughError
				switch {
				case err == nil:
					placed[i][twice] = o.ID
				case !errors.As(err, &notEnough):
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	orders := map[int64]bool{}
	for i, p := range placed {
		if p[0] != p[1] {
			t.Errorf("buyer %d's update, delivered twice, was answered with orders %d and %d (0: not enough)", i, p[0], p[1])
		}
		orders[max(p[0], p[1])] = true
	}
	delete(orders, 0)
	back, err := db.Listing(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 5 || back.Remaining != 0 || back.Status != flows.SoldOut {
		t.Fatalf("%d orders placed, %d g left, listing %s; want 5, 0 and sold out", len(orders), back.Remaining, back.Status)
	}
}

func TestListingsAndOrders(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	seller := &flows.Seller{Name: "Mai", Phone: "+84987654321", Commune: "xã Hữu Kiên"}
	if err := db.SaveSeller(ctx, seller); err != nil {
		t.Fatal(err)
	}
	buyer, err := db.Touch(ctx, flows.Input{Channel: flows.Telegram, UserID: "2", UserName: "Hoa"})
	if err != nil {
		t.Fatal(err)
	}
	draft := &flows.Listing{SellerID: seller.ID, Channel: flows.Telegram, Product: "Na", Photos: []string{"p"},
		Quantity: vn.Quantity{Milli: 50_000, Unit: vn.UnitKg}, Price: vn.Price{VND: 25_000, Per: vn.UnitKg},
		PriceTyped: "25k", Ready: time.Now()}

	l, err := db.CreateListing(ctx, draft, "telegram:77", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^NS-[2-9A-HJ-NP-Z]{4}$`).MatchString(l.Code) || l.Remaining != 50_000 || l.Status != flows.Active {
		t.Fatalf("new listing %+v", l)
	}
	again, err := db.CreateListing(ctx, draft, "telegram:77", nil)
	if err != nil || again.ID != l.ID {
		t.Fatalf("a retried update created listing %d, want %d back (%v)", again.ID, l.ID, err)
	}

	order := func(milli int64, source string) (*flows.Order, error) {
		return db.PlaceOrder(ctx, &flows.Order{ListingID: l.ID, BuyerID: buyer.ID, Quantity: vn.Quantity{Milli: milli},
			Total: 25 * milli, Price: l.Price, BuyerName: "Hoa", BuyerPhone: "+84912888777", Delivery: "pickup"}, source, flows.BuyerProfile{})
	}
	o, err := order(30_000, "telegram:100")
	if err != nil {
		t.Fatal(err)
	}
	if same, _ := order(30_000, "telegram:100"); same == nil || same.ID != o.ID {
		t.Fatalf("a retried order placed another: %+v", same)
	}
	var notEnough *flows.NotEnoughError
	if _, err := order(30_000, "telegram:101"); !errors.As(err, &notEnough) || notEnough.Remaining != 20_000 {
		t.Fatalf("ordering more than is left: %v", err)
	}
	// Declining gives the stock back; the order can then not be accepted.
	if _, err := db.SetOrderStatus(ctx, o.ID, flows.OrderChange{From: []string{flows.Pending}, To: flows.Declined, Reason: flows.Reason{Text: "chưa chín"}, Source: "telegram:200"}); err != nil {
		t.Fatal(err)
	}
	// The same update again (Telegram retrying) finds the change made.
	if again, err := db.SetOrderStatus(ctx, o.ID, flows.OrderChange{From: []string{flows.Pending}, To: flows.Declined, Reason: flows.Reason{Text: "chưa chín"}, Source: "telegram:200"}); err != nil || again.Status != flows.Declined {
		t.Fatalf("a retried decline: %+v, %v", again, err)
	}
	if _, err := db.SetOrderStatus(ctx, o.ID, flows.OrderChange{From: []string{flows.Pending}, To: flows.Accepted, Source: "telegram:201"}); !errors.Is(err, flows.ErrStale) {
		t.Fatalf("accepting a declined order: %v", err)
	}
	back, _ := db.Listing(ctx, l.ID)
	if back.Remaining != 50_000 {
		t.Fatalf("after the decline %d left, want 50000", back.Remaining)
	}
	events, err := db.Timeline(ctx, o.ID)
	if err != nil || len(events) != 2 || events[1].Status != flows.Declined || events[1].Note != (flows.Reason{Text: "chưa chín"}) {
		t.Fatalf("timeline %+v (%v)", events, err)
	}

	// A price changed since the buyer saw it is not charged.
	stale := &flows.Order{ListingID: l.ID, BuyerID: buyer.ID, Quantity: vn.Quantity{Milli: 1000}, Total: 20_000,
		Price: vn.Price{VND: 20_000, Per: vn.UnitKg}, BuyerName: "Hoa", BuyerPhone: "+84912888777", Delivery: "pickup"}
	if _, err := db.PlaceOrder(ctx, stale, "telegram:102", flows.BuyerProfile{}); !errors.Is(err, flows.ErrPriceChanged) {
		t.Fatalf("ordering at an old price: %v", err)
	}

	// A change made on a stale read is refused.
	back.Price.VND = 30_000
	if err := db.UpdateListing(ctx, back); err != nil {
		t.Fatal(err)
	}
	back.Price.VND = 31_000
	if err := db.UpdateListing(ctx, back); !errors.Is(err, flows.ErrStale) {
		t.Fatalf("a second change from the same read: %v", err)
	}
}

// A registration saved twice (its update delivered again after a failure
// that followed the save) leaves one profile, as saved the second time.
func TestARegistrationSavedTwiceIsOneSeller(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	u, err := db.Touch(ctx, flows.Input{Channel: flows.Telegram, UserID: "1", UserName: "Lan"})
	if err != nil {
		t.Fatal(err)
	}
	first := &flows.Seller{UserID: u.ID, Name: "Lan", Phone: "+84912888777", PhoneVerified: true, Commune: "xã Quang Lang"}
	again := *first
	again.Commune = "xã Chi Lăng"
	for _, s := range []*flows.Seller{first, &again} {
		if err := db.SaveSeller(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	var commune string
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), max(commune) FROM sellers WHERE user_id = $1`, u.ID).Scan(&n, &commune); err != nil {
		t.Fatal(err)
	}
	if n != 1 || commune != again.Commune || again.ID != first.ID {
		t.Errorf("%d sellers for the user, commune %q, ids %d and %d; want one, updated", n, commune, first.ID, again.ID)
	}
}

// PhoneTaken answers before registration what SaveSeller would answer after.
func TestPhoneTakenAgreesWithSaveSeller(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	user := func(id string) int64 { return newUser(t, db, id) }
	lan, mai := user("1"), user("2")
	own := &flows.Seller{UserID: lan, Name: "Lan", Phone: "+84912888777", Commune: "xã Quang Lang"}
	helped := &flows.Seller{Name: "Mai", Phone: "+84987654321", Commune: "xã Hữu Kiên", CreatedBy: lan}
	for _, s := range []*flows.Seller{own, helped} {
		if err := db.SaveSeller(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		s     flows.Seller
		taken bool
	}{
		{"a new number", flows.Seller{UserID: user("3"), Phone: "+84388123456"}, false},
		{"a seller's own number, when editing", flows.Seller{ID: own.ID, UserID: lan, Phone: own.Phone}, false},
		{"another user's number", flows.Seller{UserID: user("4"), Phone: own.Phone, PhoneVerified: true}, true},
		{"a helped farmer's number, typed", flows.Seller{UserID: user("5"), Phone: helped.Phone}, true},
		{"a helped farmer's own number, shared", flows.Seller{UserID: mai, Phone: helped.Phone, PhoneVerified: true}, false},
	} {
		taken, err := db.PhoneTaken(ctx, &tc.s)
		if err != nil || taken != tc.taken {
			t.Errorf("%s: taken %v (%v), want %v", tc.name, taken, err, tc.taken)
		}
		tc.s.Name, tc.s.Commune = "X", "Y"
		if err := db.SaveSeller(ctx, &tc.s); errors.Is(err, flows.ErrPhoneTaken) != tc.taken {
			t.Errorf("%s: saving says %v", tc.name, err)
		}
	}
}

// A user's own lists (/don, their listings) hold the newest of what is
// theirs, as the seller or as the helper who posted for one (until that
// farmer claims her profile), across all their listings, and nothing of
// anyone else's.
func TestAUsersOwnListsAreTheNewestOfTheirs(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	user := func(id string) int64 { return newUser(t, db, id) }
	mai, helper, buyer := user("1"), user("2"), user("3")
	seller := func(userID int64, name, phone string) int64 {
		s := &flows.Seller{UserID: userID, Name: name, Phone: phone, Commune: "xã Hữu Kiên"}
		if err := db.SaveSeller(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s.ID
	}
	maiSeller, lanSeller, otherSeller := seller(mai, "Mai", "+84987654321"), seller(0, "Lan", "+84912000111"), seller(user("4"), "Hùng", "+84912000222")
	listing := func(sellerID, helperID int64, source string) *flows.Listing {
		l, err := db.CreateListing(ctx, &flows.Listing{SellerID: sellerID, HelperID: helperID, Channel: flows.Telegram,
			Product: "Na", Photos: []string{"p"}, Quantity: vn.Quantity{Milli: 500_000, Unit: vn.UnitKg},
			Price: vn.Price{VND: 25_000, Per: vn.UnitKg}, PriceTyped: "25k", Ready: time.Now()}, source, nil)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	maiListings := []*flows.Listing{listing(maiSeller, 0, "telegram:1"), listing(maiSeller, 0, "telegram:2"), listing(maiSeller, 0, "telegram:3")}
	helped, other := listing(lanSeller, helper, "telegram:4"), listing(otherSeller, 0, "telegram:5")

	// 12 orders on Mai's listings, taking turns, each a minute after the
	// one before; one on the helped listing, one on another farmer's.
	start := time.Now().Add(-time.Hour)
	order := func(l *flows.Listing, n int) int64 {
		o, err := db.PlaceOrder(ctx, &flows.Order{ListingID: l.ID, BuyerID: buyer, Quantity: vn.Quantity{Milli: 1000},
			Total: 25_000, Price: l.Price, BuyerName: "Hoa", BuyerPhone: "+84912888777", Delivery: "pickup"},
			"telegram:order-"+strconv.Itoa(n), flows.BuyerProfile{})
		if err != nil {
			t.Fatal(err)
		}
		at := start.Add(time.Duration(n) * time.Minute)
		if _, err := db.Pool.Exec(ctx, `UPDATE orders SET created_at = $2 WHERE id = $1`, o.ID, at); err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	var maiOrders []int64
	for n := range 12 {
		maiOrders = append(maiOrders, order(maiListings[n%3], n))
	}
	helpedOrder, otherOrder := order(helped, 12), order(other, 13)

	ids := func(orders []*flows.Order) []int64 {
		var out []int64
		for _, o := range orders {
			if o.Listing == nil || o.Listing.ID != o.ListingID || o.Quantity.Unit != vn.UnitKg {
				t.Errorf("order %d without its listing: %+v", o.ID, o)
			}
			out = append(out, o.ID)
		}
		return out
	}
	asBuyer, asSeller, err := db.OrdersOf(ctx, mai)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(maiOrders[2:])
	slices.Reverse(want)
	if got := ids(asSeller); len(asBuyer) != 0 || !slices.Equal(got, want) {
		t.Errorf("Mai's orders as a seller %v (and %d as a buyer), want her 10 newest %v", got, len(asBuyer), want)
	}
	if _, asSeller, err := db.OrdersOf(ctx, helper); err != nil || !slices.Equal(ids(asSeller), []int64{helpedOrder}) {
		t.Errorf("the helper's orders as a seller %v (%v), want the helped listing's %d", ids(asSeller), err, helpedOrder)
	}
	asBuyer, asSeller, err = db.OrdersOf(ctx, buyer)
	if err != nil {
		t.Fatal(err)
	}
	want = []int64{otherOrder, helpedOrder}
	for i := 11; len(want) < 10; i-- {
		want = append(want, maiOrders[i])
	}
	if got := ids(asBuyer); len(asSeller) != 0 || !slices.Equal(got, want) {
		t.Errorf("the buyer's orders %v (and %d as a seller), want the 10 newest %v", got, len(asSeller), want)
	}

	listed := func(userID int64) []int64 {
		ls, err := db.ListingsOf(ctx, userID)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, l := range ls {
			out = append(out, l.ID)
		}
		return out
	}
	if got, want := listed(mai), []int64{maiListings[2].ID, maiListings[1].ID, maiListings[0].ID}; !slices.Equal(got, want) {
		t.Errorf("Mai's listings %v, want %v", got, want)
	}
	if got := listed(helper); !slices.Equal(got, []int64{helped.ID}) {
		t.Errorf("the helper's listings %v, want the one posted for Lan, %d", got, helped.ID)
	}

	// The orders waiting for a delivery word: the newest up to the limit,
	// as the farmer (accepted) or the buyer (accepted or shipped), and the
	// newest event of one said already, with when.
	move := func(id int64, from, to string) {
		if _, err := db.SetOrderStatus(ctx, id, flows.OrderChange{From: []string{from}, To: to, Source: "telegram:move-" + to + strconv.FormatInt(id, 10)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range append(slices.Clone(maiOrders), helpedOrder) {
		move(id, flows.Pending, flows.Accepted)
	}
	deliveries := func(userID int64, received bool, limit int) ([]int64, *flows.Delivered) {
		open, last, err := db.Deliveries(ctx, userID, received, limit)
		if err != nil {
			t.Fatal(err)
		}
		return ids(open), last
	}
	if open, last := deliveries(mai, false, 5); (len(open) != 5 || open[0] != maiOrders[11] || open[4] != maiOrders[7]) || last != nil {
		t.Errorf("Mai's orders to ship %v (last %+v), want her 5 newest from %d, none shipped", open, last, maiOrders[11])
	}
	move(maiOrders[0], flows.Accepted, flows.Shipping)
	move(maiOrders[3], flows.Accepted, flows.Completed) // received without a word from her
	if open, last := deliveries(mai, false, 20); len(open) != 10 || slices.Contains(open, maiOrders[0]) ||
		last == nil || last.Order.ID != maiOrders[3] || last.Status != flows.Completed || time.Since(last.At) > time.Minute {
		t.Errorf("Mai's orders to ship %v, last %+v; want 10, the last done %d received", open, last, maiOrders[3])
	}
	if open, last := deliveries(helper, false, 20); !slices.Equal(open, []int64{helpedOrder}) || last != nil {
		t.Errorf("the helper's orders to ship %v (last %+v), want %d", open, last, helpedOrder)
	}
	if open, last := deliveries(buyer, true, 20); len(open) != 12 || open[0] != helpedOrder || !slices.Contains(open, maiOrders[0]) ||
		slices.Contains(open, maiOrders[3]) || last == nil || last.Order.ID != maiOrders[3] {
		t.Errorf("the buyer's orders to receive %v, last %+v; want 12 (shipped too), the last %d", open, last, maiOrders[3])
	}
	if open, last := deliveries(mai, true, 20); len(open) != 0 || last != nil {
		t.Errorf("Mai bought nothing: %v, %+v", open, last)
	}

	// Lan takes over her profile: what the helper posted for her, and its
	// orders, are hers alone.
	lan := user("5")
	if _, err := db.Pool.Exec(ctx, `UPDATE sellers SET user_id = $2 WHERE id = $1`, lanSeller, lan); err != nil {
		t.Fatal(err)
	}
	if _, asSeller, err := db.OrdersOf(ctx, helper); err != nil || len(asSeller) != 0 {
		t.Errorf("after Lan's claim the helper's orders as a seller %v (%v), want none", ids(asSeller), err)
	}
	if got := listed(helper); len(got) != 0 {
		t.Errorf("after Lan's claim the helper's listings %v, want none", got)
	}
	if open, _ := deliveries(helper, false, 20); len(open) != 0 {
		t.Errorf("after Lan's claim the helper's orders to ship %v, want none", open)
	}
	if _, asSeller, err := db.OrdersOf(ctx, lan); err != nil || !slices.Equal(ids(asSeller), []int64{helpedOrder}) {
		t.Errorf("Lan's orders as a seller %v (%v), want %d", ids(asSeller), err, helpedOrder)
	}
	if got := listed(lan); !slices.Equal(got, []int64{helped.ID}) {
		t.Errorf("Lan's listings %v, want %d", got, helped.ID)
	}
}

// newUser is a Telegram user, by their platform id.
func newUser(t *testing.T, db *postgres.DB, id string) int64 {
	t.Helper()
	u, err := db.Touch(context.Background(), flows.Input{Channel: flows.Telegram, UserID: id, UserName: "U" + id})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// Stock the farmer adds while an order holds some is still on sale when
// the order is released: 50 kg listed, 30 ordered, the farmer says 40 are
// left (20 more harvested), the order is declined: 70 on sale, not 50.
func TestStockAddedWhileAnOrderHoldsSomeIsKeptWhenItIsReleased(t *testing.T) {
	ctx := context.Background()
	db, draft := naDraft(t)
	l, err := db.CreateListing(ctx, draft, "telegram:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	o, err := db.PlaceOrder(ctx, &flows.Order{ListingID: l.ID, BuyerID: newUser(t, db, "2"), Quantity: vn.Quantity{Milli: 30_000},
		Total: 750_000, Price: l.Price, BuyerName: "Hoa", BuyerPhone: "+84912888777", Delivery: "pickup"}, "telegram:2", flows.BuyerProfile{})
	if err != nil {
		t.Fatal(err)
	}
	l, _ = db.Listing(ctx, l.ID)
	l.Remaining = 40_000 // what the farmer typed at "how much is left"
	if err := db.UpdateListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetOrderStatus(ctx, o.ID, flows.OrderChange{From: []string{flows.Pending}, To: flows.Declined, Source: "telegram:3"}); err != nil {
		t.Fatal(err)
	}
	back, err := db.Listing(ctx, l.ID)
	if err != nil || back.Remaining != 70_000 || back.Quantity.Milli != 70_000 {
		t.Fatalf("after the decline %d g on sale of %d g listed (%v); want 70 kg of 70", back.Remaining, back.Quantity.Milli, err)
	}
}

// Placing an order reads the listing as it is then, not as the buyer saw
// it: a minimum raised meanwhile (unless the order takes all that is
// left), an expiry passed, or a listing ended each refuse it with the
// reason the buyer is told, and reserve nothing.
func TestPlacingAnOrderChecksTheListingAsItIsThen(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		change func(l *flows.Listing)
		milli  int64
		want   func(error) bool
	}{
		{"minimum raised", func(l *flows.Listing) { l.MinOrder = 20_000 }, 10_000, func(err error) bool {
			var below *flows.BelowMinError
			return errors.As(err, &below) && below.Min == 20_000
		}},
		{"minimum raised, all that is left", func(l *flows.Listing) { l.MinOrder = 60_000 }, 50_000, func(err error) bool { return err == nil }},
		{"past its expiry", func(l *flows.Listing) { l.ExpiresAt = time.Now().Add(-time.Second) }, 10_000, func(err error) bool {
			return errors.Is(err, flows.ErrListingExpired)
		}},
		{"expired", func(l *flows.Listing) { l.Status = flows.Expired }, 10_000, func(err error) bool {
			return errors.Is(err, flows.ErrListingExpired)
		}},
		{"closed", func(l *flows.Listing) { l.Status = flows.Closed }, 10_000, func(err error) bool { return errors.Is(err, flows.ErrNotOnSale) }},
		{"taken down", func(l *flows.Listing) { l.Status = flows.Removed }, 10_000, func(err error) bool { return errors.Is(err, flows.ErrNotOnSale) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db, draft := naDraft(t)
			l, err := db.CreateListing(ctx, draft, "telegram:1", nil)
			if err != nil {
				t.Fatal(err)
			}
			seen := l.Price
			tt.change(l)
			if err := db.UpdateListing(ctx, l); err != nil {
				t.Fatal(err)
			}
			_, err = db.PlaceOrder(ctx, &flows.Order{ListingID: l.ID, BuyerID: newUser(t, db, "2"), Quantity: vn.Quantity{Milli: tt.milli},
				Total: 25 * tt.milli, Price: seen, BuyerName: "Hoa", BuyerPhone: "+84912888777", Delivery: "pickup"}, "telegram:2", flows.BuyerProfile{})
			if !tt.want(err) {
				t.Fatalf("placing %d g: %v", tt.milli, err)
			}
			if after, _ := db.Listing(ctx, l.ID); err != nil && after.Remaining != 50_000 {
				t.Fatalf("a refused order reserved %d g", 50_000-after.Remaining)
			}
		})
	}
}

// What the sell flow decides on as it starts and as it publishes comes in
// one read: whether the user may post, their profile, the listings of the
// day (the one being published left out) and the area's market groups.
func TestPostingReadsWhatTheSellFlowDecidesOn(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	u, err := db.Touch(ctx, flows.Input{Channel: flows.Telegram, UserID: "31", UserName: "Mai"})
	if err != nil {
		t.Fatal(err)
	}
	today := vn.Today(time.Now())
	p, err := db.Posting(ctx, flows.PostingOf{User: u.ID, Since: today, Markets: true, Area: "chi_lang"})
	if err != nil || p.Banned || p.Helper || p.Seller != nil || p.Listed != 0 || len(p.Groups) != 0 {
		t.Fatalf("a newcomer: %+v, %v; want free to post, no profile, nothing listed, no groups", p, err)
	}

	seller := &flows.Seller{UserID: u.ID, Name: "Mai", Phone: "+84987654322", Commune: "xã Chi Lăng", Area: "chi_lang"}
	if err := db.SaveSeller(ctx, seller); err != nil {
		t.Fatal(err)
	}
	listing := &flows.Listing{SellerID: seller.ID, Channel: flows.Telegram, Product: "Na", Photos: []string{"p"},
		Quantity: vn.Quantity{Milli: 50_000, Unit: vn.UnitKg}, Price: vn.Price{VND: 25_000, Per: vn.UnitKg}, Ready: time.Now()}
	for _, source := range []string{"listing:a", "listing:b"} {
		if _, err := db.CreateListing(ctx, listing, source, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range []flows.MarketGroup{
		{Ref: flows.ChatRef{Channel: flows.Telegram, ChatID: "-1"}, Areas: []string{"chi_lang"}},
		{Ref: flows.ChatRef{Channel: flows.Zalo, ChatID: "g-2"}}, // every area
		{Ref: flows.ChatRef{Channel: flows.Telegram, ChatID: "-3"}, Areas: []string{"huu_lung"}},
	} {
		if err := db.SaveGroup(ctx, g.Ref, "Chợ", true); err != nil {
			t.Fatal(err)
		}
		if err := db.RegisterMarket(ctx, g, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Ban(ctx, flows.BanOf{User: u.ID}, 0, "hàng giả", ""); err != nil {
		t.Fatal(err)
	}

	// Starting: the user's own profile, and their listings of the day, with
	// their roles and bans, in one statement.
	before := db.Statements()
	p, err = db.Posting(ctx, flows.PostingOf{User: u.ID, Since: today})
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Errorf("starting took %d SQL statements, want 1", n)
	}
	if !p.Banned || p.Reason != "hàng giả" || p.Seller == nil || p.Seller.ID != seller.ID || p.Listed != 2 || p.Groups != nil {
		t.Fatalf("starting: %+v; want banned for its reason, Mai's profile, 2 listed, no groups asked", p)
	}
	// Publishing the second again (a retried update): it is not counted;
	// the groups of Chi Lăng and of every area, on every channel.
	before = db.Statements()
	p, err = db.Posting(ctx, flows.PostingOf{User: u.ID, Seller: seller.ID, Since: today, Source: "listing:b",
		Markets: true, Area: "chi_lang", Reserve: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 || p.ListingID == 0 {
		t.Errorf("publishing took %d SQL statements and reserved listing %d; want 1, an id", n, p.ListingID)
	}
	var groups []string
	for _, g := range p.Groups {
		groups = append(groups, g.Ref.ChatID)
	}
	if p.Seller != nil || p.Listed != 1 || !slices.Equal(groups, []string{"-1", "g-2"}) {
		t.Fatalf("publishing: profile %v, listed %d, groups %q; want no profile read, 1 listed, -1 and g-2", p.Seller, p.Listed, groups)
	}
	// Counting from tomorrow: nothing listed yet.
	if p, err = db.Posting(ctx, flows.PostingOf{User: u.ID, Since: today.AddDate(0, 0, 1)}); err != nil || p.Listed != 0 {
		t.Fatalf("tomorrow: %d listed (%v), want 0", p.Listed, err)
	}
	if _, err := db.Posting(ctx, flows.PostingOf{User: u.ID + 1000}); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("an unknown user: %v, want ErrNotFound", err)
	}
}

// A buyer whose order comes just after another took the whole lot is told
// it sold out, even when the stock comes back the moment after (that order
// cancelled): the reason is read by the statement that refused the order,
// from the listing as it refused it. A second look at the listing would
// find 10 kg on sale and tell the buyer, who asked for 10 kg, that only
// 10 kg are left. A trigger stands for the cancellation: it gives the
// stock back at the end of the refusing statement, before anything can
// look again.
func TestARefusedOrderIsToldWhyAsTheListingWasWhenItRefused(t *testing.T) {
	ctx := context.Background()
	db, draft := naDraft(t)
	l, err := db.CreateListing(ctx, draft, "telegram:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	order := func(buyer string, milli int64) (*flows.Order, error) {
		return db.PlaceOrder(ctx, &flows.Order{ListingID: l.ID, BuyerID: newUser(t, db, buyer), Quantity: vn.Quantity{Milli: milli},
			Total: 25 * milli, Price: l.Price, BuyerName: "Hoa", BuyerPhone: "+84912888777", Delivery: "pickup"}, "telegram:"+buyer, flows.BuyerProfile{})
	}
	if _, err := order("2", 50_000); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `
		CREATE FUNCTION give_back() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF pg_trigger_depth() = 1 THEN
				UPDATE listings SET remaining_milli = 10000, status = 'active', sold_out_by = NULL WHERE status = 'sold_out';
			END IF;
			RETURN NULL;
		END $$;
		CREATE TRIGGER give_back AFTER UPDATE ON listings FOR EACH STATEMENT EXECUTE FUNCTION give_back();`); err != nil {
		t.Fatal(err)
	}
	_, err = order("3", 10_000)
	if notEnough := (*flows.NotEnoughError)(nil); !errors.As(err, &notEnough) || notEnough.Remaining != 0 {
		left := int64(-1)
		if notEnough != nil {
			left = notEnough.Remaining
		}
		t.Errorf("the buyer of 10 kg of a lot sold out is told %v, %d g left; want sold out, none left", err, left)
	}
	if back, err := db.Listing(ctx, l.ID); err != nil || back.Remaining != 10_000 || back.Status != flows.Active {
		t.Fatalf("the stock did not come back after the refusal: %+v %v", back, err)
	}
}

// What an order decides on as it starts and as it is placed comes in one
// read: the listing, by its code or its id, the buyer's profile from their
// last order, which placing it keeps, and their orders not accepted yet,
// the one being placed again left out.
func TestOpeningReadsWhatAnOrderDecidesOn(t *testing.T) {
	ctx := context.Background()
	db, draft := naDraft(t)
	l, err := db.CreateListing(ctx, draft, "telegram:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	buyer := newUser(t, db, "2")
	op, err := db.Opening(ctx, flows.OpeningOf{Code: l.Code, Buyer: buyer, Profile: true, Open: true})
	if err != nil || op.Listing.ID != l.ID || op.Profile != nil || op.Open != 0 {
		t.Fatalf("a first order: %+v, %v; want the listing, no profile, none open", op, err)
	}
	keep := flows.BuyerProfile{Name: "Hoa", Phone: "+84912000111", Address: "12 Trần Phú, Hà Nội"}
	if _, err := db.PlaceOrder(ctx, &flows.Order{ListingID: l.ID, BuyerID: buyer, Quantity: vn.Quantity{Milli: 1000},
		Total: 25_000, Price: l.Price, BuyerName: keep.Name, BuyerPhone: keep.Phone, Delivery: "deliver", Address: keep.Address},
		"telegram:2", keep); err != nil {
		t.Fatal(err)
	}
	op, err = db.Opening(ctx, flows.OpeningOf{ListingID: l.ID, Buyer: buyer, Profile: true, Open: true})
	if err != nil || op.Listing.Remaining != 49_000 || op.Profile == nil || *op.Profile != keep || op.Open != 1 {
		t.Fatalf("the next order: %+v (profile %v), %v; want 49 kg left, the profile kept, one open", op, op.Profile, err)
	}
	if op, err = db.Opening(ctx, flows.OpeningOf{ListingID: l.ID, Buyer: buyer, Open: true, Source: "telegram:2"}); err != nil || op.Open != 0 || op.Profile != nil {
		t.Fatalf("placing the same order again: %d open, profile %v (%v); want it left out, no profile asked", op.Open, op.Profile, err)
	}
	if _, err := db.Opening(ctx, flows.OpeningOf{Code: "NS-ZZZZ", Buyer: buyer}); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("an unknown code: %v, want ErrNotFound", err)
	}
}
