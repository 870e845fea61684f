package flows_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
	"github.com/nongsan-bot/nongsan/locales"
)

// The listing's buttons were renamed (`Đóng tin` is now `Ngừng bán`,
// `Gia hạn 7 ngày` is now `Bán thêm 7 ngày`); a farmer who learnt the old
// words and types them, with or without diacritics, is still understood.
func TestOldListingLabelsStillWorkTyped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ typed, status string }{
		{"Đóng tin", flows.Closed}, {"dong tin", flows.Closed},
		{"🔄 Gia hạn 7 ngày", flows.Active}, {"gia han", flows.Active},
		{"Ngừng bán", flows.Closed}, {"ban them 7 ngay", flows.Active},
	} {
		m := newMarket(t)
		l := m.listing("1")
		m.say("1", flows.KindChoice, "menu:mine")
		m.say("1", flows.KindChoice, "l:"+strconv.FormatInt(l.ID, 10))
		if said := m.say("1", flows.KindText, tc.typed); !slices.Contains(said, "mine.updated") {
			t.Errorf("typing %q said %v, want the listing updated", tc.typed, said)
			continue
		}
		if got, err := m.db.Listing(context.Background(), l.ID); err != nil || got.Status != tc.status {
			t.Errorf("after %q the listing is %+v (%v), want %s", tc.typed, got, err, tc.status)
		}
	}
}

// A new price dear for any produce ("1tr2" on a listing sold by the kg:
// 1.200.000 đ a kg) is asked before it reaches the group posts, as
// selling asks it: "type again" goes back to the price, "that's right"
// saves it.
func TestADearNewPriceIsAskedFirst(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	l := m.listing("1")
	price := func() int64 {
		got, err := m.db.Listing(context.Background(), l.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Price.VND
	}
	m.say("1", flows.KindChoice, "menu:mine")
	m.say("1", flows.KindChoice, "l:"+strconv.FormatInt(l.ID, 10))
	m.say("1", flows.KindChoice, "act:price")
	for _, turn := range []struct {
		kind      flows.InputKind
		text, say string
		price     int64
	}{
		{flows.KindText, "1tr2", "sell.price_check", 25_000},
		{flows.KindChoice, "no", "mine.price", 25_000},
		{flows.KindText, "1tr2", "sell.price_check", 25_000},
		{flows.KindChoice, "yes", "mine.updated", 1_200_000},
	} {
		if said := m.say("1", turn.kind, turn.text); !slices.Contains(said, turn.say) || price() != turn.price {
			t.Fatalf("%q said %v, the price %d; want %s and %d", turn.text, said, price(), turn.say, turn.price)
		}
	}
}

// An egg farmer's stock typed in chục is ten quả a chục, as a buyer's
// order of eggs is; a chục of pomelos is not (DOMAIN.md), and is asked
// again in quả.
func TestAnEggFarmersStockInChucIsCountedInQua(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		key, product, answer string
		said                 string
		left                 int64
	}{
		{"trung", "Trứng gà", "còn 3 chục", "mine.updated", 30_000},
		{"buoi", "Bưởi", "còn 3 chục", "mine.stock_bad", 200_000},
	} {
		t.Run(tt.product, func(t *testing.T) {
			m := newMarket(t)
			l := m.sell("1", &flows.Listing{ProductKey: tt.key, Product: tt.product, Quantity: vn.Quantity{Milli: 200_000, Unit: vn.UnitQua},
				Price: vn.Price{VND: 3000, Per: vn.UnitQua}, PriceTyped: "3k"})
			m.say("1", flows.KindChoice, "menu:mine")
			m.say("1", flows.KindChoice, "l:"+strconv.FormatInt(l.ID, 10))
			m.say("1", flows.KindChoice, "act:stock")
			said := m.say("1", flows.KindText, tt.answer)
			got, err := m.db.Listing(context.Background(), l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(said, tt.said) || got.Remaining != tt.left {
				t.Fatalf("%q said %v and left %d; want %s and %d", tt.answer, said, got.Remaining, tt.said, tt.left)
			}
		})
	}
}

// An egg farmer's stock of eggs listed by the chục, typed in quả, is
// counted in chục (20 quả is 2 chục, 25 quả 2,5 chục), as a buyer's order
// of them is, and the reply shows it as people say it (2 chục, 25 quả);
// "2 chục rưỡi" and "2 chục 7 quả" are taken too, half an egg is not. A
// chục of oranges is not always ten (DOMAIN.md), so their quả are asked
// again in chục, and half a chục of them is not sold.
func TestAnEggFarmersStockInQuaIsCountedInChuc(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		key, product, answer string
		said, shown          string // the reply, and what it says is left
		left                 int64
	}{
		{"trung", "Trứng gà", "còn 20 quả", "mine.updated", "Trứng gà, còn 2 chục", 2000},
		{"trung", "Trứng gà", "còn 25 quả", "mine.updated", "Trứng gà, còn 25 quả", 2500}, // 2,5 chục, said in quả
		{"cam", "Cam", "còn 20 quả", "mine.stock_bad", "", 5000},
		{"trung", "Trứng gà", "còn 2 chục rưỡi", "mine.updated", "Trứng gà, còn 25 quả", 2500},
		{"trung", "Trứng gà", "còn 2 chục 7 quả", "mine.updated", "Trứng gà, còn 27 quả", 2700},
		{"trung", "Trứng gà", "còn 2,75 chục", "mine.stock_bad", "", 5000}, // half an egg
		{"cam", "Cam", "còn 2 chục rưỡi", "mine.stock_bad", "", 5000},      // half a chục of oranges is not sold
	} {
		t.Run(tt.answer+" "+tt.product, func(t *testing.T) {
			m := newMarket(t)
			l := m.sell("1", &flows.Listing{ProductKey: tt.key, Product: tt.product, Quantity: vn.Quantity{Milli: 5000, Unit: vn.UnitChuc},
				Price: vn.Price{VND: 30_000, Per: vn.UnitChuc}, PriceTyped: "30k"})
			m.say("1", flows.KindChoice, "menu:mine")
			m.say("1", flows.KindChoice, "l:"+strconv.FormatInt(l.ID, 10))
			m.say("1", flows.KindChoice, "act:stock")
			said := m.say("1", flows.KindText, tt.answer)
			got, err := m.db.Listing(context.Background(), l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(said, tt.said) || got.Remaining != tt.left {
				t.Fatalf("%q said %v and left %d; want %s and %d", tt.answer, said, got.Remaining, tt.said, tt.left)
			}
			for _, r := range m.said {
				if text := texts.Text("vi", r.Text); r.Text.ID == tt.said && !strings.Contains(text, tt.shown) {
					t.Fatalf("%q was answered:\n%s\nwant it to say %q", tt.answer, text, tt.shown)
				}
			}
		})
	}
}

// An egg farmer's new price from /tin is taken as selling takes it: "3k/quả"
// for eggs listed by the chục is 30k a chục, "3k" alone for a chục is
// asked per quả or per chục, and "30k/chục" for eggs by quả is 3k a quả. A
// chục of oranges is its own unit: "3k" stays a chục's price, "3k/quả"
// does not fit.
func TestAnEggFarmersNewPriceIsTakenInTheListingsUnit(t *testing.T) {
	t.Parallel()
	chuc := vn.Price{VND: 30_000, Per: vn.UnitChuc}
	for _, tt := range []struct {
		key, product string
		unit         vn.Unit
		was          vn.Price
		answers      []string // the last is said with the result
		said         string
		now          vn.Price
	}{
		{"trung", "Trứng gà", vn.UnitChuc, chuc, []string{"3k/quả"}, "mine.updated", vn.Price{VND: 30_000, Per: vn.UnitChuc}},
		{"trung", "Trứng gà", vn.UnitChuc, chuc, []string{"3k", "per:qua"}, "mine.updated", vn.Price{VND: 30_000, Per: vn.UnitChuc}},
		{"trung", "Trứng gà", vn.UnitChuc, chuc, []string{"3k", "per:chuc"}, "mine.updated", vn.Price{VND: 3_000, Per: vn.UnitChuc}},
		{"trung", "Trứng gà", vn.UnitChuc, chuc, []string{"3k", "35k"}, "mine.updated", vn.Price{VND: 35_000, Per: vn.UnitChuc}},
		{"trung", "Trứng gà", vn.UnitQua, vn.Price{VND: 3_000, Per: vn.UnitQua}, []string{"40k/chục"}, "mine.updated", vn.Price{VND: 4_000, Per: vn.UnitQua}},
		{"cam", "Cam", vn.UnitChuc, chuc, []string{"3k"}, "mine.updated", vn.Price{VND: 3_000, Per: vn.UnitChuc}},
		{"cam", "Cam", vn.UnitChuc, chuc, []string{"3k/quả"}, "sell.price_bad", chuc},
	} {
		t.Run(tt.product+" "+strings.Join(tt.answers, ", "), func(t *testing.T) {
			t.Parallel()
			m := newMarket(t)
			l := m.sell("1", &flows.Listing{ProductKey: tt.key, Product: tt.product, Quantity: vn.Quantity{Milli: 5000, Unit: tt.unit},
				Price: tt.was, PriceTyped: "before"})
			m.say("1", flows.KindChoice, "menu:mine")
			m.say("1", flows.KindChoice, "l:"+strconv.FormatInt(l.ID, 10))
			m.say("1", flows.KindChoice, "act:price")
			var said []string
			for i, a := range tt.answers {
				kind := flows.KindText
				if strings.HasPrefix(a, "per:") {
					kind = flows.KindChoice
				}
				said = m.say("1", kind, a)
				if i < len(tt.answers)-1 && !slices.Contains(said, "sell_once.price_piece") {
					t.Fatalf("%q said %v, want the question whether it is a quả's or a chục's price", a, said)
				}
			}
			got, err := m.db.Listing(context.Background(), l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(said, tt.said) || got.Price != tt.now {
				t.Fatalf("the last answer said %v and the price is %+v; want %s and %+v", said, got.Price, tt.said, tt.now)
			}
		})
	}
}

// A listing a moderator takes down, or that ends (stopped from another
// chat, expired), while its farmer is at one of its questions is not
// changed by the answer, and never put back on sale: the farmer is told
// why, as when picking an action. Before, typing the stock of a listing
// taken down marked it sold out, and then the stock put it back on sale.
func TestAnAnswerLeavesAListingThatEndedMeanwhileAsItIs(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	type turn struct {
		kind flows.InputKind
		text string
	}
	for _, action := range []struct {
		name   string
		before []turn // from the listing's detail to the question
		answer turn
	}{
		{"stock", []turn{{flows.KindChoice, "act:stock"}}, turn{flows.KindText, "50 kg"}},
		{"stock to zero", []turn{{flows.KindChoice, "act:stock"}}, turn{flows.KindText, "0"}},
		{"price", []turn{{flows.KindChoice, "act:price"}}, turn{flows.KindText, "28k"}},
		{"dear price", []turn{{flows.KindChoice, "act:price"}, {flows.KindText, "1tr2"}}, turn{flows.KindChoice, "yes"}},
		{"smallest order", []turn{{flows.KindChoice, "act:min"}}, turn{flows.KindText, "20 kg"}},
	} {
		for _, end := range []struct {
			status, said, text string
		}{
			{flows.Removed, "moderation.listing_removed", "đã bị người điều phối chợ gỡ nên không sửa hay bán tiếp được"},
			{flows.Closed, "mine.ended", "đã ngừng bán"},
			{flows.Expired, "mine.ended", "đã hết hạn"},
		} {
			t.Run(action.name+"/"+end.status, func(t *testing.T) {
				t.Parallel()
				m := newMarket(t)
				l := m.listing("1")
				ctx := context.Background()
				m.say("1", flows.KindChoice, "menu:mine")
				m.say("1", flows.KindChoice, "l:"+strconv.FormatInt(l.ID, 10))
				for _, tr := range action.before {
					m.say("1", tr.kind, tr.text)
				}
				ended, err := m.db.Listing(ctx, l.ID) // meanwhile, elsewhere
				if err != nil {
					t.Fatal(err)
				}
				ended.Status = end.status
				if err := m.db.UpdateListing(ctx, ended); err != nil {
					t.Fatal(err)
				}
				said := m.say("1", action.answer.kind, action.answer.text)
				if !slices.Contains(said, end.said) {
					t.Errorf("answering %q said %v, want %s", action.answer.text, said, end.said)
				}
				for _, r := range m.said {
					if r.Text.ID == end.said && !strings.Contains(texts.Text("vi", r.Text), end.text) {
						t.Errorf("the farmer read %q, want it to say %q", texts.Text("vi", r.Text), end.text)
					}
				}
				got, err := m.db.Listing(ctx, l.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != end.status || got.Remaining != 100_000 || got.Price.VND != 25_000 || got.MinOrder != 0 {
					t.Errorf("the listing is %s with %d left at %d đ, smallest order %d; want it %s as it was",
						got.Status, got.Remaining, got.Price.VND, got.MinOrder, end.status)
				}
			})
		}
	}
}

// The buttons under a listing's detail act on that listing, whichever is
// open when they are tapped: a farmer who opened A, then B, and taps ⛔
// Ngừng bán or 💰 Đổi giá under A's message (higher up) changes A, not B,
// and is told A's code. A button naming someone else's listing changes
// nothing. Before, the buttons named no listing and B was stopped.
func TestAnOlderDetailsButtonsActOnTheirOwnListing(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m := newMarket(t)
	a := m.listing("1")
	b, err := m.db.CreateListing(ctx, &flows.Listing{SellerID: a.SellerID, Channel: flows.Telegram, ProductKey: "quyt-bac-son",
		Product: "Quýt Bắc Sơn", Quantity: vn.Quantity{Milli: 200_000, Unit: vn.UnitKg}, Price: vn.Price{VND: 18_000, Per: vn.UnitKg},
		PriceTyped: "18k", Photos: []string{"p"}, Ready: vn.Today(m.now)}, "second", nil)
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := m.db.Touch(ctx, m.input("3", flows.KindText, ""))
	if err != nil {
		t.Fatal(err)
	}
	seller := &flows.Seller{UserID: stranger.ID, Name: "Mai", Phone: "+84912000111", Commune: "xã Bắc Sơn", Area: "bac_son"}
	if err := m.db.SaveSeller(ctx, seller); err != nil {
		t.Fatal(err)
	}
	other, err := m.db.CreateListing(ctx, &flows.Listing{SellerID: seller.ID, Channel: flows.Telegram, ProductKey: "na-chi-lang",
		Product: "Na", Quantity: vn.Quantity{Milli: 50_000, Unit: vn.UnitKg}, Price: vn.Price{VND: 20_000, Per: vn.UnitKg},
		PriceTyped: "20k", Photos: []string{"p"}, Ready: vn.Today(m.now)}, "other", nil)
	if err != nil {
		t.Fatal(err)
	}
	detail := func(l *flows.Listing) map[string]string { // the detail's buttons, by label
		m.say("1", flows.KindChoice, "act:list") // ↩️ Các tin bán, or nothing to go back from
		m.say("1", flows.KindChoice, "menu:mine")
		m.say("1", flows.KindChoice, "l:"+strconv.FormatInt(l.ID, 10))
		buttons := map[string]string{}
		for _, r := range m.said {
			for _, row := range r.Choices {
				for _, c := range row {
					buttons[c.Label.ID] = c.Value
				}
			}
		}
		return buttons
	}
	told := func() string {
		var out []string
		for _, r := range m.said {
			out = append(out, texts.Text("vi", r.Text))
		}
		return strings.Join(out, "\n")
	}
	status := func(l *flows.Listing) *flows.Listing {
		got, err := m.db.Listing(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	ofA := detail(a)
	detail(b) // B is open now
	m.say("1", flows.KindChoice, ofA["mine.act_price"])
	m.say("1", flows.KindText, "28k")
	if got := told(); !strings.Contains(got, "Đã sửa tin bán "+a.Code) || !strings.Contains(got, "28.000 đ/kg") {
		t.Errorf("after 💰 Đổi giá under %s's detail and 28k, the farmer read:\n%s", a.Code, got)
	}
	if pa, pb := status(a).Price.VND, status(b).Price.VND; pa != 28_000 || pb != 18_000 {
		t.Errorf("prices %d (A) and %d (B), want A's changed to 28.000 and B's left at 18.000", pa, pb)
	}

	detail(b)
	m.say("1", flows.KindChoice, ofA["mine.act_close"])
	if got := told(); !strings.Contains(got, "Đã sửa tin bán "+a.Code+" (đã ngừng bán)") {
		t.Errorf("after ⛔ Ngừng bán under %s's detail, the farmer read:\n%s", a.Code, got)
	}
	if sa, sb := status(a).Status, status(b).Status; sa != flows.Closed || sb != flows.Active {
		t.Errorf("A is %s and B %s; want A stopped, B still on sale", sa, sb)
	}

	// A value naming another farmer's listing (however it came) is answered
	// as a typed code of someone else's is.
	detail(b)
	if said := m.say("1", flows.KindChoice, "mine:close:"+strconv.FormatInt(other.ID, 10)); !slices.Contains(said, "mine.gone") {
		t.Errorf("stopping another farmer's listing said %v, want mine.gone", said)
	}
	if s := status(other).Status; s != flows.Active {
		t.Errorf("another farmer's listing is %s", s)
	}
}

// 🔄 Bán thêm 7 ngày on a sold-out listing that was then stopped, or that
// expired, asks what is left; an amount puts it back on sale for a week,
// and the farmer is told so. Nothing left leaves it as it was. A banned
// farmer is refused, as when renewing a listing with stock. Before, the
// amount was saved and the listing stayed stopped.
func TestSellingAStoppedSoldOutListingAgainPutsItBackOnSale(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, ended, answer string
		banned              bool
		status              string
		left                int64
		told                string
	}{
		{"stopped", flows.Closed, "50 kg", false, flows.Active, 50_000, "đang bán lại rồi ạ"},
		{"expired", flows.Expired, "còn 3 tạ", false, flows.Active, 300_000, "đang bán lại rồi ạ"},
		{"stopped, nothing left", flows.Closed, "0", false, flows.Closed, 0, "(đã ngừng bán)"},
		{"stopped, banned", flows.Closed, "50 kg", true, flows.Closed, 0, "chưa đăng tin bán được"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			m := newMarket(t)
			l := m.listing("1")
			id := strconv.FormatInt(l.ID, 10)
			m.say("1", flows.KindChoice, "menu:mine")
			m.say("1", flows.KindChoice, "l:"+id)
			m.say("1", flows.KindChoice, "mine:soldout:"+id)
			ended, err := m.db.Listing(ctx, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			ended.Status = tt.ended // stopped by the farmer, or expired at a tick
			if err := m.db.UpdateListing(ctx, ended); err != nil {
				t.Fatal(err)
			}
			said := m.say("1", flows.KindText, "BÁN THÊM "+l.Code)
			if !slices.Contains(said, "mine.stock") {
				t.Fatalf("BÁN THÊM %s said %v, want what is left asked", l.Code, said)
			}
			if tt.banned { // between the question and the answer
				farmer, err := m.db.Touch(ctx, m.input("1", flows.KindText, ""))
				if err != nil {
					t.Fatal(err)
				}
				if err := m.db.Ban(ctx, flows.BanOf{User: farmer.ID}, 0, "Ảnh không đúng hàng", ""); err != nil {
					t.Fatal(err)
				}
			}
			m.say("1", flows.KindText, tt.answer)
			var told []string
			for _, r := range m.said {
				told = append(told, texts.Text("vi", r.Text))
			}
			if !strings.Contains(strings.Join(told, "\n"), tt.told) {
				t.Errorf("after %q the farmer read:\n%s\nwant %q", tt.answer, strings.Join(told, "\n"), tt.told)
			}
			got, err := m.db.Listing(ctx, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.status || got.Remaining != tt.left {
				t.Errorf("after %q the listing is %s with %d left, want %s with %d", tt.answer, got.Status, got.Remaining, tt.status, tt.left)
			}
			if tt.status == flows.Active && got.ExpiresAt.Before(m.now.Add(flows.RenewFor-time.Second)) {
				t.Errorf("back on sale until %s, want a week from now at least", got.ExpiresAt)
			}
		})
	}
}

// /tin lists the listings on sale first, then those ended lately, ten at a
// time: a farmer whose listing on sale is older than ten stopped ones
// finds it at the top, and the rest a page further. Before, /tin showed
// the ten newest, stopped ones included, and the older one on sale could
// not be picked.
func TestMyListingsOnSaleComeFirstAndTheRestAPageFurther(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m := newMarket(t)
	onSale := m.listing("1")
	for i := range 11 {
		l, err := m.db.CreateListing(ctx, &flows.Listing{SellerID: onSale.SellerID, Channel: flows.Telegram, ProductKey: "quyt-bac-son",
			Product: "Quýt Bắc Sơn", Quantity: vn.Quantity{Milli: 10_000, Unit: vn.UnitKg}, Price: vn.Price{VND: 18_000, Per: vn.UnitKg},
			PriceTyped: "18k", Photos: []string{"p"}, Ready: vn.Today(m.now)}, "stopped:"+strconv.Itoa(i), nil)
		if err != nil {
			t.Fatal(err)
		}
		l.Status = flows.Closed
		if err := m.db.UpdateListing(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	// shown is the list as the farmer sees it: the message, and the
	// buttons' labels and values.
	shown := func() (string, []string, []string) {
		var msg string
		var labels, values []string
		for _, r := range m.said {
			if r.Text.ID != "mine.pick" {
				continue
			}
			msg = texts.Text("vi", r.Text)
			for _, row := range r.Choices {
				for _, c := range row {
					labels, values = append(labels, texts.Text("vi", c.Label)), append(values, c.Value)
				}
			}
		}
		return msg, labels, values
	}

	m.say("1", flows.KindChoice, "menu:mine")
	msg, labels, values := shown()
	if !strings.Contains(msg, "Anh/chị có 12 tin bán, đây là trang 1/2.") {
		t.Errorf("/tin says %q", msg)
	}
	if len(labels) != 11 || !strings.HasPrefix(labels[0], onSale.Code) || !strings.Contains(labels[0], "đang bán") ||
		labels[10] != "Trang sau ▶" {
		t.Fatalf("/tin's first page: %q; want %s (on sale) first, then 9 stopped, then Trang sau ▶", labels, onSale.Code)
	}
	for _, label := range labels[1:10] {
		if !strings.Contains(label, "đã ngừng bán") {
			t.Errorf("after the listing on sale: %q", label)
		}
	}
	if said := m.say("1", flows.KindChoice, values[0]); !slices.Contains(said, "mine.detail") {
		t.Errorf("picking the listing on sale said %v", said)
	}

	m.say("1", flows.KindChoice, "act:list")
	m.say("1", flows.KindText, "trang sau") // typed, as every button may be
	msg, labels, values = shown()
	if !strings.Contains(msg, "đây là trang 2/2") || len(labels) != 3 || labels[2] != "◀ Trang trước" ||
		!strings.Contains(labels[0], "đã ngừng bán") || !strings.Contains(labels[1], "đã ngừng bán") {
		t.Fatalf("the second page: %q %q; want the 2 other stopped listings and ◀ Trang trước", msg, labels)
	}
	if said := m.say("1", flows.KindChoice, values[1]); !slices.Contains(said, "mine.detail") {
		t.Errorf("picking a listing of the second page said %v", said)
	}
}

// A listing ready on Wednesday 2/12 is on sale through Tuesday 8/12: it
// ends at the midnight after, and every message says "bán đến hết thứ Ba
// 8/12". Its farmer is asked whether to sell 7 more days at 07:00 on
// Monday 7/12, the day before the last, not at night; a question not asked
// then (the service was down) waits for the morning. Selling 7 more days
// runs to the end of the 7th day. Before, the question came at midnight
// on the last day, naming Wednesday 9/12, a day not on sale.
func TestTheRenewalQuestionComesInTheMorningAndNamesTheLastDay(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := func(day, hour, minute int) time.Time {
		return time.Date(2026, 12, day, hour, minute, 0, 0, vn.Location())
	}
	const question = "⏳ Tin bán %s (Na Chi Lăng) chỉ còn bán đến hết thứ Ba 8/12."
	for _, tt := range []struct {
		name   string
		quiet  []time.Time // ticks that ask nothing
		asking time.Time   // the tick that asks
	}{
		{"the day before", []time.Time{at(6, 12, 0), at(7, 0, 1), at(7, 6, 59)}, at(7, 7, 0)},
		{"not asked the day before", []time.Time{at(7, 21, 30), at(8, 0, 1), at(8, 6, 59)}, at(8, 7, 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMarket(t)
			m.now = at(2, 9, 0)
			l := m.listing("1")
			tick := func(now time.Time) []string {
				t.Helper()
				if err := m.router.Tick(ctx, now); err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, r := range m.notices() {
					out = append(out, texts.Text("vi", r.Text))
				}
				return out
			}
			for _, now := range tt.quiet {
				if got := tick(now); len(got) != 0 {
					t.Errorf("at %s the farmer was sent %q", now.Format("15:04 2/1"), got)
				}
			}
			got := tick(tt.asking)
			if len(got) != 1 || !strings.HasPrefix(got[0], fmt.Sprintf(question, l.Code)) {
				t.Fatalf("at %s the farmer was sent %q, want the question %q", tt.asking.Format("15:04 2/1"), got, fmt.Sprintf(question, l.Code))
			}
			if got := tick(tt.asking.Add(time.Minute)); len(got) != 0 {
				t.Errorf("the farmer is asked once, then %q", got)
			}

			m.now = at(8, 23, 0)
			m.say("1", flows.KindChoice, "menu:mine")
			m.say("1", flows.KindChoice, "l:"+strconv.FormatInt(l.ID, 10))
			if s := texts.Text("vi", m.said[len(m.said)-1].Text); !strings.Contains(s, "⏳ Bán đến hết thứ Ba 8/12\n") {
				t.Errorf("/tin at 23:00 on the last day shows:\n%s", s)
			}
			m.say("1", flows.KindText, "huỷ")
			tick(at(8, 23, 59))
			if got, err := m.db.Listing(ctx, l.ID); err != nil || got.Status != flows.Active {
				t.Fatalf("at 23:59 on its last day the listing is %s (%v)", got.Status, err)
			}
			tick(at(9, 0, 0))
			if got, err := m.db.Listing(ctx, l.ID); err != nil || got.Status != flows.Expired {
				t.Fatalf("at the midnight after its last day the listing is %s (%v)", got.Status, err)
			}
		})
	}

	// Selling 7 more days from the question, on Monday 7/12: to the end of
	// Monday 14/12.
	m := newMarket(t)
	m.now = at(2, 9, 0)
	l := m.listing("1")
	m.now = at(7, 7, 5)
	m.say("1", flows.KindChoice, "mine:renew:"+strconv.FormatInt(l.ID, 10))
	if s := texts.Text("vi", m.said[0].Text); !strings.Contains(s, "⏳ Bán đến hết thứ Hai 14/12") {
		t.Errorf("after selling 7 more days on 7/12 the farmer read:\n%s", s)
	}
	if got, err := m.db.Listing(ctx, l.ID); err != nil || !got.ExpiresAt.Equal(at(15, 0, 0)) {
		t.Errorf("renewed on 7/12, the listing ends %s (%v), want the midnight after 14/12", got.ExpiresAt.In(vn.Location()), err)
	}
}

// A tick reads a listing to ask about, its farmer sells 7 more days
// meanwhile (another chat, another replica), then the tick records the
// question: it is refused, the question naming the old last day is not
// sent, and the farmer is asked again before the new last day. Before,
// the question went out and the listing was marked asked: a week later
// nobody asked.
func TestARenewalQuestionReadBeforeTheFarmerRenewedIsNotSent(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, vn.Location()) }
	m := newMarket(t)
	m.now = at(2, 9)
	l := m.listing("1")

	tick := at(7, 7)
	_, ask, err := m.db.Expiring(ctx, tick, at(9, 0)) // what the tick reads
	if err != nil || len(ask) != 1 {
		t.Fatalf("listings to ask about at 07:00 7/12: %d (%v), want 1", len(ask), err)
	}
	m.now = tick
	if said := m.say("1", flows.KindText, "BÁN THÊM "+l.Code); !slices.Contains(said, "mine.updated") {
		t.Fatalf("selling 7 more days said %v", said)
	}
	question := flows.Reply{To: flows.ChatRef{Channel: flows.Telegram, ChatID: "1"}, Lang: "vi",
		Text: flows.M("mine.renew_ask", "Code", l.Code, "Product", l.Product, "Expires", "hết thứ Ba 8/12")}
	if err := m.db.AskedRenew(ctx, ask[0].ID, ask[0].ExpiresAt, tick, question); !errors.Is(err, flows.ErrStale) {
		t.Errorf("recording the question read before the renewal: %v, want ErrStale", err)
	}
	for _, r := range m.notices() {
		t.Errorf("the farmer was sent %q", texts.Text("vi", r.Text))
	}

	if err := m.router.Tick(ctx, at(14, 7)); err != nil {
		t.Fatal(err)
	}
	var sent []string
	for _, r := range m.notices() {
		sent = append(sent, texts.Text("vi", r.Text))
	}
	if len(sent) != 1 || !strings.Contains(sent[0], "chỉ còn bán đến hết thứ Hai 14/12") {
		t.Errorf("at 07:00 on 14/12, the day before the new last day, the farmer was sent %q", sent)
	}
}

// A listing not on sale has no last day to show: after ⛔ Ngừng bán or 🏁
// Đã bán hết the confirmation, and the listing's detail, say no "⏳ Bán
// đến"; one on sale does. Before, the stopped listing's confirmation
// still said "⏳ Bán đến: <date>".
func TestAListingNotOnSaleShowsNoLastDay(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		action, status string
		lastDay        bool
	}{
		{"close", "(đã ngừng bán)", false},
		{"soldout", "(đã hết hàng)", false},
		{"renew", "(đang bán)", true},
	} {
		t.Run(tt.action, func(t *testing.T) {
			t.Parallel()
			m := newMarket(t)
			l := m.listing("1")
			id := strconv.FormatInt(l.ID, 10)
			read := func(msg string) string {
				for _, r := range m.said {
					if r.Text.ID == msg {
						return texts.Text("vi", r.Text)
					}
				}
				t.Fatalf("no %s in %v", msg, idsTo(m.said, "1"))
				return ""
			}
			m.say("1", flows.KindChoice, "mine:"+tt.action+":"+id)
			if s := read("mine.updated"); !strings.Contains(s, tt.status) || strings.Contains(s, "Bán đến") != tt.lastDay {
				t.Errorf("after %s the farmer read:\n%s", tt.action, s)
			}
			m.say("1", flows.KindChoice, "menu:mine")
			m.say("1", flows.KindChoice, "l:"+id)
			if s := read("mine.detail"); strings.Contains(s, "Bán đến") != tt.lastDay {
				t.Errorf("the detail after %s:\n%s", tt.action, s)
			}
		})
	}
}
