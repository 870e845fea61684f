package flows_test

import (
	"cmp"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
	"github.com/nongsan-bot/nongsan/locales"
)

// market is a router over a real database with a clock the test moves,
// and users who talk to it.
type market struct {
	t      *testing.T
	db     *postgres.DB
	router *flows.Router
	now    time.Time
	sess   map[string]*flows.Session
	said   []flows.Reply // by the last input, to every chat
	update int
	names  map[string]string // a user's name on their platform, if not "User <id>"
}

func newMarket(t *testing.T, options ...func(*flows.Deps)) *market {
	m := &market{t: t, db: pgtest.MustOpen(t), now: time.Now(), sess: map[string]*flows.Session{}}
	deps := mustDeps(t, m.db, func() time.Time { return m.now })
	for _, o := range options {
		o(&deps)
	}
	m.router = flows.NewRouter(deps)
	return m
}

func (m *market) input(user string, kind flows.InputKind, text string) flows.Input {
	m.update++
	return flows.Input{Channel: flows.Telegram, UpdateID: strconv.Itoa(m.update), ChatID: user, ChatType: flows.Private,
		UserID: user, UserName: cmp.Or(m.names[user], "User "+user), Lang: "vi", Kind: kind, Text: text, At: m.now}
}

// say handles one input of user and returns the message IDs said to them.
func (m *market) say(user string, kind flows.InputKind, text string) []string {
	m.t.Helper()
	in := m.input(user, kind, text)
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

// notices takes the notices committed since the last call, as the relay
// does, and returns their replies.
func (m *market) notices() []flows.Reply {
	m.t.Helper()
	var out []flows.Reply
	_, err := m.db.RelayNotices(context.Background(), 100, func(notices []flows.Notice) error {
		for _, n := range notices {
			out = append(out, n.Replies...)
		}
		return nil
	})
	if err != nil {
		m.t.Fatal(err)
	}
	return out
}

func idsTo(replies []flows.Reply, chat string) []string {
	var ids []string
	for _, r := range replies {
		if r.To.ChatID == chat {
			ids = append(ids, r.Text.ID)
		}
	}
	return ids
}

// listing puts a farmer's listing of 100 kg of na on sale.
func (m *market) listing(farmerUser string) *flows.Listing {
	m.t.Helper()
	return m.sell(farmerUser, &flows.Listing{ProductKey: "na-chi-lang", Product: "Na Chi Lăng",
		Quantity: vn.Quantity{Milli: 100_000, Unit: vn.UnitKg}, Price: vn.Price{VND: 25_000, Per: vn.UnitKg}, PriceTyped: "25k"})
}

// sell puts l on sale as a listing of farmerUser, with a photo, ready
// today.
func (m *market) sell(farmerUser string, l *flows.Listing) *flows.Listing {
	m.t.Helper()
	ctx := context.Background()
	u, err := m.db.Touch(ctx, m.input(farmerUser, flows.KindText, ""))
	if err != nil {
		m.t.Fatal(err)
	}
	s := &flows.Seller{UserID: u.ID, Name: "Lâm", Phone: "+84912888777", Commune: "xã Quang Lang", Area: "chi_lang"}
	if err := m.db.SaveSeller(ctx, s); err != nil {
		m.t.Fatal(err)
	}
	l.SellerID, l.Channel, l.Photos, l.Ready = s.ID, flows.Telegram, []string{"p"}, vn.Today(m.now)
	l, err = m.db.CreateListing(ctx, l, "test:"+farmerUser, nil)
	if err != nil {
		m.t.Fatal(err)
	}
	return l
}

// order has buyer order 40 kg of the listing code, to pick up: m.said is
// then what placing it said.
func (m *market) order(buyer, code string) {
	m.t.Helper()
	m.toSummary(buyer, code)
	if said := m.say(buyer, flows.KindChoice, m.button(buyer, "order.place")); !slices.Contains(said, "order.placed") {
		m.t.Fatalf("placing the order said %v", said)
	}
}

// toSummary takes buyer's order of 40 kg of the listing code, to pick up,
// to its summary: m.said is then the summary.
func (m *market) toSummary(buyer, code string) {
	m.t.Helper()
	for _, turn := range []struct {
		kind flows.InputKind
		text string
	}{{flows.KindText, "mua " + code}, {flows.KindText, "40 kg"}, {flows.KindChoice, "keep"},
		{flows.KindText, "0987654321"}, {flows.KindChoice, "pickup"}, {flows.KindChoice, "skip"}} {
		m.say(buyer, turn.kind, turn.text)
	}
}

// placedAt dates the order just placed (its new-order notice in m.said)
// at, as if placed then: the store dates it by its own clock.
func (m *market) placedAt(at time.Time) {
	m.t.Helper()
	if _, err := m.db.Pool.Exec(context.Background(), `UPDATE orders SET created_at = $2 WHERE id = $1`, m.newOrderID(), at); err != nil {
		m.t.Fatal(err)
	}
}

// An order placed at 07:00 (Vietnam time) is reminded halfway, at 13:00,
// and cancelled at 19:00, both told (before the night: a farmer's is then
// told in the morning, TestAnOrderTimingOutAtNightIsToldToTheFarmerInTheMorning).
func TestAnUnansweredOrderIsRemindedHalfwayThenCancelled(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	m.now = vn.Today(time.Now()).AddDate(0, 0, 1).Add(7 * time.Hour) // tomorrow 07:00: the listing is on sale
	l := m.listing("1")
	const buyer = "2"
	m.order(buyer, l.Code)
	m.placedAt(m.now)
	tick := func(after time.Duration) []flows.Reply {
		if err := m.router.Tick(context.Background(), m.now.Add(after)); err != nil {
			t.Fatal(err)
		}
		return m.notices()
	}
	if r := tick(5 * time.Hour); len(r) != 0 {
		t.Fatalf("5 h after the order: %v, want nothing yet", r)
	}
	if r := tick(7 * time.Hour); !slices.Equal(idsTo(r, "1"), []string{"order.remind"}) {
		t.Fatalf("7 h after the order the farmer got %v, want a reminder", idsTo(r, "1"))
	}
	if r := tick(8 * time.Hour); len(r) != 0 {
		t.Fatalf("the farmer is reminded once, got %v", r)
	}
	r := tick(13 * time.Hour)
	if !slices.Contains(idsTo(r, buyer), "order.timed_out") || !slices.Contains(idsTo(r, "1"), "order.timed_out_farmer") {
		t.Fatalf("13 h after the order: buyer %v, farmer %v", idsTo(r, buyer), idsTo(r, "1"))
	}
	after, err := m.db.Listing(context.Background(), l.ID)
	if err != nil || after.Remaining != 100_000 {
		t.Fatalf("the reservation was not released: %d left (%v)", after.Remaining, err)
	}
}

// The farmer is reminded of an order she has not answered, once, never at
// night (RENEWAL_HOURS, 07-21 by default, as for the renewal question).
// Placed at 19:00, an order would be reminded halfway, at 01:00, and it
// cancels itself at 07:00, before the morning is of any use: she is
// reminded at 20:00, before the night, the reminder naming 07:00. Placed
// at 23:00, it is reminded at 07:00, with four hours left. Placed at
// 09:00, halfway (15:00) as before. Each cancels 12 hours after it was
// placed, as the buyer was told. The same when a replica of the version
// before placed it during a rolling update, with no time stored: the tick
// decides then.
func TestAnOrderIsNeverRemindedAtNight(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	day := vn.Today(time.Now()).AddDate(0, 0, 1) // the listing is on sale then
	for _, tt := range []struct {
		name     string
		placed   time.Duration // after the day's midnight, Vietnam time
		reminded time.Duration
		deadline string // as the reminder says it
		old      bool   // placed by the version before, with no time
	}{
		{"placed at 19:00", 19 * time.Hour, 20 * time.Hour, "Đến 07:00 ", false},
		{"placed at 23:00", 23 * time.Hour, 31 * time.Hour, "Đến 11:00 ", false},
		{"placed at 09:00", 9 * time.Hour, 15 * time.Hour, "Đến 21:00 ", false},
		{"placed at 19:00 by the version before", 19 * time.Hour, 20 * time.Hour, "Đến 07:00 ", true},
		{"placed at 09:00 by the version before", 9 * time.Hour, 15 * time.Hour, "Đến 21:00 ", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMarket(t)
			m.now = day.Add(tt.placed)
			l := m.listing("1")
			m.order("2", l.Code)
			m.placedAt(m.now)
			if tt.old {
				if _, err := m.db.Pool.Exec(context.Background(), `UPDATE orders SET remind_at = NULL WHERE id = $1`, m.newOrderID()); err != nil {
					t.Fatal(err)
				}
			}
			placed := m.now
			var reminded []time.Time
			for now := placed.Add(10 * time.Minute); now.Before(placed.Add(12 * time.Hour)); now = now.Add(10 * time.Minute) {
				for _, r := range m.tick(now) {
					if r.To.ChatID != "1" || r.Text.ID != "order.remind" {
						t.Fatalf("at %s: %s told %s", now.In(vn.Location()).Format("15:04"), r.To.ChatID, r.Text.ID)
					}
					reminded = append(reminded, now)
					if s := texts.Text("vi", r.Text); !strings.Contains(s, "\n"+tt.deadline) {
						t.Errorf("the reminder does not say when the order cancels itself (%q):\n%s", tt.deadline, s)
					}
				}
			}
			if want := day.Add(tt.reminded); len(reminded) != 1 || !reminded[0].Equal(want) {
				var at []string
				for _, r := range reminded {
					at = append(at, r.In(vn.Location()).Format("15:04 2/1"))
				}
				t.Fatalf("the farmer was reminded at %v, want once at %s", at, want.In(vn.Location()).Format("15:04 2/1"))
			}
			r := m.tick(placed.Add(12 * time.Hour))
			if !slices.Contains(idsTo(r, "2"), "order.timed_out") {
				t.Fatalf("12 hours after the order the buyer got %v, want it cancelled", idsTo(r, "2"))
			}
		})
	}
}

// An order whose deadline falls at night (ORDER_TIMEOUT 6 hours here) is
// cancelled at its deadline: the buyer, who waits for the answer at the
// time they were told, hears at once, and the 40 kg are on sale again at
// once. The farmer is not woken: she is told at 07:00, when the bot writes
// to her unprompted (RENEWAL_HOURS), with when it happened.
func TestAnOrderTimingOutAtNightIsToldToTheFarmerInTheMorning(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	day := vn.Today(time.Now()).AddDate(0, 0, 1) // the listing is on sale then
	for _, tt := range []struct {
		name   string
		placed time.Duration // after the day's midnight, Vietnam time
		told   string        // how the farmer's message says when
	}{
		{"placed at 20:00, cancelled at 02:00", 20 * time.Hour, "đã tự huỷ lúc 02:00 sáng nay vì anh/chị chưa trả lời."},
		{"placed at 16:00, cancelled at 22:00", 16 * time.Hour, "đã tự huỷ lúc 22:00 tối qua vì anh/chị chưa trả lời."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMarket(t, func(d *flows.Deps) { d.OrderTimeout = 6 * time.Hour })
			m.now = day.Add(tt.placed)
			l := m.listing("1")
			m.order("2", l.Code)
			m.placedAt(m.now)
			deadline, morning := m.now.Add(6*time.Hour), day.AddDate(0, 0, 1).Add(7*time.Hour)
			var buyerTold, farmerTold []time.Time
			for now := m.now.Add(10 * time.Minute); !now.After(morning.Add(time.Hour)); now = now.Add(10 * time.Minute) {
				for _, r := range m.tick(now) {
					switch {
					case r.To.ChatID == "2" && r.Text.ID == "order.timed_out":
						buyerTold = append(buyerTold, now)
					case r.To.ChatID == "1" && r.Text.ID == "order.timed_out_farmer":
						farmerTold = append(farmerTold, now)
						if s := texts.Text("vi", r.Text); !strings.Contains(s, tt.told) {
							t.Errorf("the farmer's message does not say when (%q):\n%s", tt.told, s)
						}
					}
				}
				if now.Equal(deadline) {
					after, err := m.db.Listing(context.Background(), l.ID)
					if err != nil || after.Remaining != 100_000 {
						t.Fatalf("at the deadline the listing has %d left (%v), want the 40 kg back: 100 kg", after.Remaining, err)
					}
				}
			}
			clock := func(at []time.Time) []string {
				var s []string
				for _, t := range at {
					s = append(s, t.In(vn.Location()).Format("15:04 2/1"))
				}
				return s
			}
			if len(buyerTold) != 1 || !buyerTold[0].Equal(deadline) {
				t.Errorf("the buyer was told at %v, want once at the deadline, %s", clock(buyerTold), clock([]time.Time{deadline}))
			}
			if len(farmerTold) != 1 || !farmerTold[0].Equal(morning) {
				t.Errorf("the farmer was told at %v, want once at %s", clock(farmerTold), clock([]time.Time{morning}))
			}
		})
	}
}

// A farmer who taps a button of an order that cancelled itself at night,
// before 07:00, is told then what the morning's notice says, as read then
// (its time unsaid when it happened that evening: "sáng nay" and "tối qua"
// would both be wrong); ✅ Nhận gets that instead of "not now", opening
// the order gets it under the order. The morning brings her nothing more.
func TestAFarmerToldOfATimeoutAtNightIsNotToldAgainInTheMorning(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	day := vn.Today(time.Now()).AddDate(0, 0, 1) // the listing is on sale then
	for _, tt := range []struct {
		name           string
		placed, tapped time.Duration // after the day's midnight, Vietnam time
		tap            string
		said           []string
		told           string
	}{
		{"✅ Nhận at 05:00, cancelled at 02:00", 20 * time.Hour, 29 * time.Hour, "accept",
			[]string{"order.timed_out_farmer"}, "đã tự huỷ lúc 02:00 sáng nay vì anh/chị chưa trả lời."},
		{"✅ Nhận at 23:00, cancelled at 22:00", 16 * time.Hour, 23 * time.Hour, "accept",
			[]string{"order.timed_out_farmer"}, "đã tự huỷ vì anh/chị chưa trả lời."},
		{"the order opened at 01:00, cancelled at 22:00", 16 * time.Hour, 25 * time.Hour, "view",
			[]string{"orders.detail_seller", "order.timed_out_farmer"}, "đã tự huỷ lúc 22:00 tối qua vì anh/chị chưa trả lời."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMarket(t, func(d *flows.Deps) { d.OrderTimeout = 6 * time.Hour })
			m.now = day.Add(tt.placed)
			l := m.listing("1")
			m.order("2", l.Code)
			m.placedAt(m.now)
			id := m.newOrderID()
			deadline, morning := m.now.Add(6*time.Hour), day.AddDate(0, 0, 1).Add(7*time.Hour)
			m.notices() // the order's, told already
			if r := m.tick(deadline); !slices.Contains(idsTo(r, "2"), "order.timed_out") || len(idsTo(r, "1")) != 0 {
				t.Fatalf("at the deadline the buyer got %v, the farmer %v; want the buyer told, the farmer not yet", idsTo(r, "2"), idsTo(r, "1"))
			}
			m.now = day.Add(tt.tapped)
			if said := m.say("1", flows.KindChoice, "ord:"+tt.tap+":"+id); !slices.Equal(said, tt.said) {
				t.Fatalf("tapping %s the farmer was told %v, want %v", tt.tap, said, tt.said)
			}
			if s := m.told(texts, "1", "order.timed_out_farmer", "vi"); !strings.Contains(s, tt.told) ||
				!strings.Contains(s, "đã được cộng lại vào tin bán "+l.Code) {
				t.Errorf("the farmer read:\n%s\nwant %q, and the 40 kg back on sale", s, tt.told)
			}
			for now := deadline.Add(10 * time.Minute); !now.After(morning.Add(time.Hour)); now = now.Add(10 * time.Minute) {
				if r := idsTo(m.tick(now), "1"); len(r) != 0 {
					t.Fatalf("at %s the farmer was told %v again", now.In(vn.Location()).Format("15:04 2/1"), r)
				}
			}
		})
	}
}

// An order cancelled by the clock gives its 40 kg back; the farmer is told
// it is on sale again only if the listing is: not once they marked it sold
// out, stopped selling it, or it expired or was taken down.
func TestAFarmerIsToldWhetherATimedOutOrderGoesBackOnSale(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const renew = " Muốn bán tiếp, anh/chị gõ /tin nhé."
	for _, tt := range []struct {
		name   string
		change func(l *flows.Listing, now time.Time)
		want   string // %s: the listing's code
	}{
		{"on sale", nil, "40 kg Na Chi Lăng đã được cộng lại vào tin bán %s."},
		{"marked sold out", func(l *flows.Listing, _ time.Time) { l.Status, l.Remaining, l.SoldOutBy = flows.SoldOut, 0, "farmer" },
			"Tin bán %s đã hết hàng nên em không mở bán lại 40 kg Na Chi Lăng này ạ." + renew},
		{"stopped", func(l *flows.Listing, _ time.Time) { l.Status = flows.Closed },
			"Tin bán %s đã ngừng bán nên em không mở bán lại 40 kg Na Chi Lăng này ạ." + renew},
		{"expired", func(l *flows.Listing, _ time.Time) { l.Status = flows.Expired },
			"Tin bán %s đã hết hạn nên em không mở bán lại 40 kg Na Chi Lăng này ạ." + renew},
		{"past its expiry, ending at this tick", func(l *flows.Listing, now time.Time) { l.ExpiresAt = now.Add(12*time.Hour + 30*time.Minute) },
			"Tin bán %s đã hết hạn nên em không mở bán lại 40 kg Na Chi Lăng này ạ." + renew},
		{"taken down", func(l *flows.Listing, _ time.Time) { l.Status = flows.Removed },
			"Tin bán %s đã bị gỡ nên em không mở bán lại 40 kg Na Chi Lăng này ạ."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Told at once at whatever hour the test runs: a timeout at
			// night is told to the farmer in the morning.
			m := newMarket(t, func(d *flows.Deps) { d.RenewHours = flows.Hours{From: 0, Until: 24} })
			l := m.listing("1")
			m.order("2", l.Code)
			l, err := m.db.Listing(ctx, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.change != nil {
				tt.change(l, m.now)
				if err := m.db.UpdateListing(ctx, l); err != nil {
					t.Fatal(err)
				}
			}
			if err := m.router.Tick(ctx, m.now.Add(13*time.Hour)); err != nil {
				t.Fatal(err)
			}
			var told string
			for _, r := range m.notices() {
				if r.To.ChatID == "1" && r.Text.ID == "order.timed_out_farmer" {
					told = texts.Text("vi", r.Text)
				}
			}
			if want := fmt.Sprintf(tt.want, l.Code); !strings.HasSuffix(told, "\n"+want) {
				t.Fatalf("the farmer was told:\n%s\nwant it to end with:\n%s", told, want)
			}
		})
	}
}

// The farmer's new-order notice leads with what was ordered and says how
// many hours are left before the order cancels itself, as configured; the
// buyer is told the same. The order's detail names the buttons under it.
func TestTheNewOrderNoticeSaysHowManyHoursTheFarmerHas(t *testing.T) {
	t.Parallel()
	m := newMarket(t, func(d *flows.Deps) { d.OrderTimeout = 6 * time.Hour })
	l := m.listing("1")
	const buyer = "2"
	m.order(buyer, l.Code)
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	said, id := map[string]string{}, "" // by chat; the order's id
	for _, r := range m.said {
		if r.Text.ID == "order.new" || r.Text.ID == "order.placed" {
			said[r.To.ChatID] = texts.Text("vi", r.Text)
		}
		if r.Text.ID == "order.new" {
			id = strings.TrimPrefix(r.Choices[0][0].Value, "ord:accept:")
		}
	}
	notice := said["1"]
	if !strings.HasPrefix(notice, "🛒 Đơn mới: 40 kg Na Chi Lăng") {
		t.Errorf("the farmer's notice does not lead with the product and quantity:\n%s", notice)
	}
	if !strings.Contains(notice, "Sau 6 giờ") {
		t.Errorf("the farmer's notice does not say the 6 hours left:\n%s", notice)
	}
	if !strings.Contains(said[buyer], "sau 6 giờ") {
		t.Errorf("the buyer is not told the 6 hours either:\n%s", said[buyer])
	}

	// The order seen from the list of orders names its buttons too.
	m.say("1", flows.KindChoice, "ord:view:"+id)
	if len(m.said) == 0 {
		t.Fatal("the order's detail said nothing")
	}
	detail := texts.Text("vi", m.said[0].Text)
	if want := "bấm " + texts.Text("vi", flows.M("order.accept")) + " hoặc " + texts.Text("vi", flows.M("order.decline")); !strings.Contains(detail, want) {
		t.Errorf("the farmer's detail of a new order does not say %q:\n%s", want, detail)
	}
}

// Every step constant the flows declare is a row of some flow's table, so
// a handler cannot lead to a step nobody handles. (Forms name the rows
// themselves, not their steps: TestEveryRowNamedByAFlowIsInItsTable.)
func TestEveryDeclaredStepHasARow(t *testing.T) {
	router := flows.NewRouter(mustDeps(t, nil, time.Now))
	rows := map[flows.Step]bool{flows.Done: true, flows.Unclear: true}
	for _, f := range router.Flows {
		for step := range f.Steps {
			rows[step] = true
		}
	}
	for _, step := range flows.FormSteps() {
		rows[step] = true // actions: rows without a question
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	declared := 0
	fset := token.NewFileSet()
	for _, name := range files {
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok || spec.Type == nil || fmtIdent(spec.Type) != "Step" {
				return true
			}
			for i, v := range spec.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok {
					continue
				}
				declared++
				value, _ := strconv.Unquote(lit.Value)
				if !rows[flows.Step(value)] {
					t.Errorf("%s: step %s (%q) is in no flow's table", name, spec.Names[i].Name, value)
				}
			}
			return true
		})
	}
	if declared < 8 { // the flows that are not forms; a form's steps are named in its rows only
		t.Fatalf("found only %d step constants", declared)
	}
}

func fmtIdent(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func TestAnOrderChangesOneFieldFromItsSummary(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	l := m.listing("1")
	const buyer = "2"
	choice, text := flows.KindChoice, flows.KindText
	for i, turn := range []struct {
		kind flows.InputKind
		text string
		step flows.Step // afterwards
		last string     // the last message said
	}{
		{text, "mua " + l.Code, "quantity", "order.quantity"},
		{text, "40 kg", "name", "order.name"},
		{choice, "keep", "phone", "order.phone"},
		{text, "0987654321", "delivery", "order.delivery"},
		{choice, "pickup", "note", "order.note"},
		{choice, "skip", "summary", "order.summary"},
		{text, "sửa", "edit", "sell.edit_pick"},
		{choice, "field:delivery", "delivery", "order.delivery"},
		{choice, "deliver", "address", "order.address"}, // the address follows the delivery
		{text, "12 Trần Phú, Hà Nội", "summary", "order.summary"},
		{text, "sửa", "edit", "sell.edit_pick"},
		{choice, "field:none", "summary", "order.summary"},
		{text, "sửa", "edit", "sell.edit_pick"},
		{choice, "field:quantity", "quantity", "order.quantity"},
		{text, "2 tạ", "quantity", "order.only_left"},
		{text, "1 tạ", "summary", "order.summary"},
	} {
		said := m.say(buyer, turn.kind, turn.text)
		if s := m.sess[buyer]; s == nil || s.Step != turn.step || len(said) == 0 || said[len(said)-1] != turn.last {
			t.Fatalf("turn %d %q: at %+v said %v; want %s then %s", i, turn.text, s, said, turn.last, turn.step)
		}
	}
}

// An order's group news (the announcement, the post's new stock) waits to
// coalesce a burst, but never longer than the announce delay after the
// first order: the engine reads MaxWait.
func TestOrderNewsHasACeiling(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	l := m.listing("1")
	m.posted(l, "9")
	m.toSummary("2", l.Code)
	in := m.input("2", flows.KindChoice, m.button("2", "order.place"))
	u, err := m.db.Touch(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.router.Handle(context.Background(), u, m.sess["2"], in)
	if err != nil {
		t.Fatal(err)
	}
	news := 0
	for _, r := range res.Replies {
		if r.To == marketGroup {
			news++
			if r.Coalesce == "" || r.Delay != time.Second || r.MaxWait != time.Second {
				t.Errorf("%s: coalesce %q, delay %s, max wait %s; want a key and 1s, 1s", r.Text.ID, r.Coalesce, r.Delay, r.MaxWait)
			}
		}
	}
	if news != 2 {
		t.Fatalf("%d replies to the group, want the announcement and the post's edit", news)
	}
}

// A farmer's press of "accept" run again (its first run's replies lost: a
// conflict in Redis, or the platform delivering it again) tells both sides
// what the first run did: the buyer gets the farmer's phone and how to pay.
// A second, separate press only hears that it is done already.
func TestAnAcceptanceRunAgainTellsBothSides(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	l := m.listing("1")
	const buyer = "2"
	m.order(buyer, l.Code)
	var accept string
	for _, r := range m.said {
		if r.Text.ID == "order.new" {
			accept = r.Choices[0][0].Value
		}
	}
	if !strings.HasPrefix(accept, "ord:accept:") {
		t.Fatalf("the farmer's notice has no accept button: %q", accept)
	}
	ctx := context.Background()
	in := m.input("1", flows.KindChoice, accept)
	u, err := m.db.Touch(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ {
		res, err := m.router.Handle(ctx, u, m.sess["1"], in)
		if err != nil {
			t.Fatal(err)
		}
		if got := idsTo(res.Replies, buyer); !slices.Contains(got, "order.accepted") {
			t.Fatalf("run %d told the buyer %v, want order.accepted", run, got)
		}
		if got := idsTo(res.Replies, "1"); !slices.Contains(got, "order.accepted_farmer") {
			t.Fatalf("run %d told the farmer %v, want order.accepted_farmer", run, got)
		}
	}
	if said := m.say("1", flows.KindChoice, accept); !slices.Equal(said, []string{"orders.already"}) || len(idsTo(m.said, buyer)) != 0 {
		t.Fatalf("a second press said %v to the farmer, %v to the buyer; want only orders.already", said, idsTo(m.said, buyer))
	}
}

// A chục of eggs listed by the piece is ten of them: a buyer who orders "2
// chục", at the quantity question or in the message that opens the order,
// orders 20 quả (the summary says so, the listing keeps 480). A chục of
// fruit listed by the chục stays a chục.
func TestABuyerOrderingTwoChucOfEggsOrdersTwentyQua(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	eggs := &flows.Listing{ProductKey: "trung", Product: "Trứng gà", Quantity: vn.Quantity{Milli: 500_000, Unit: vn.UnitQua},
		Price: vn.Price{VND: 3000, Per: vn.UnitQua}, PriceTyped: "3k/quả"}
	eggsByChuc := &flows.Listing{ProductKey: "trung", Product: "Trứng gà", Quantity: vn.Quantity{Milli: 5000, Unit: vn.UnitChuc},
		Price: vn.Price{VND: 30_000, Per: vn.UnitChuc}, PriceTyped: "30k"}
	oranges := &flows.Listing{ProductKey: "cam", Product: "Cam", Quantity: vn.Quantity{Milli: 50_000, Unit: vn.UnitChuc},
		Price: vn.Price{VND: 40_000, Per: vn.UnitChuc}, PriceTyped: "40k/chục"}
	for _, tt := range []struct {
		name    string
		listing flows.Listing
		opening string // after "mua <code>"
		asked   string // at the quantity question, "" for none
		shown   string // the quantity in the summary
		total   string
		left    int64 // in the listing, once placed
	}{
		{"eggs, at the question", *eggs, "", "2 chục", "2 chục (20 quả)", "60.000 đ", 480_000},
		{"eggs, spoken, with a half", *eggs, "", "hai chục rưỡi quả", "25 quả", "75.000 đ", 475_000},
		{"eggs, in the opening message", *eggs, " 2 chục", "", "2 chục (20 quả)", "60.000 đ", 480_000},
		{"oranges by the chục", *oranges, "", "3 chục", "3 chục", "120.000 đ", 47_000},
		{"eggs listed by the chục", *eggsByChuc, "", "2 chục", "2 chục", "60.000 đ", 3000},
		{"eggs listed by the chục, the number alone", *eggsByChuc, "", "2", "2 chục", "60.000 đ", 3000},
		{"eggs listed by the chục, in the opening message", *eggsByChuc, " 2 chục", "", "2 chục", "60.000 đ", 3000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := newMarket(t)
			l := m.sell("1", &tt.listing)
			summary := m.orderCounted(texts, l, tt.opening, tt.asked)
			if want := ": " + tt.shown + " × "; !strings.Contains(summary, want) || !strings.Contains(summary, "Tổng: "+tt.total) {
				t.Fatalf("the summary says:\n%s\nwant %q and a total of %s", summary, want, tt.total)
			}
			after, err := m.db.Listing(context.Background(), l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Remaining != tt.left {
				t.Fatalf("the listing keeps %d, want %d", after.Remaining, tt.left)
			}
		})
	}
}

// orderCounted has buyer 2 order listing l, saying opening after "mua
// <code>" and then asked at the quantity question ("" for none), to pick
// up; it places the order and returns the summary as shown, in Vietnamese.
func (m *market) orderCounted(texts flows.Texts, l *flows.Listing, opening, asked string) string {
	m.t.Helper()
	const buyer = "2"
	choice, text := flows.KindChoice, flows.KindText
	turns := []struct {
		kind flows.InputKind
		text string
		step flows.Step // afterwards
	}{{text, "mua " + l.Code + opening, "quantity"}, {text, asked, "name"}, {choice, "keep", "phone"},
		{text, "0987654321", "delivery"}, {choice, "pickup", "note"}, {choice, "skip", "summary"}}
	if asked == "" {
		turns = append(turns[:1:1], turns[2:]...)
		turns[0].step = "name"
	}
	for i, turn := range turns {
		said := m.say(buyer, turn.kind, turn.text)
		if s := m.sess[buyer]; s == nil || s.Step != turn.step {
			m.t.Fatalf("turn %d %q said %v; want step %s", i, turn.text, said, turn.step)
		}
	}
	var summary string
	for _, r := range m.said {
		if r.Text.ID == "order.summary" {
			summary = texts.Text("vi", r.Text)
		}
	}
	if said := m.say(buyer, choice, m.button(buyer, "order.place")); !slices.Contains(said, "order.placed") {
		m.t.Fatalf("placing the order said %v", said)
	}
	return summary
}

// Eggs listed by the chục are ordered in quả too, as eggs listed by quả
// are in chục: a buyer's "20 quả", at the quantity question or in the
// message that opens the order, orders 2 chục, and any whole number of
// eggs can be ordered (25 quả is 2,5 chục, 23 quả 2,3 chục, and so is "2
// chục rưỡi"). The summary shows the buyer's count first, and eggs that
// are not a whole chục in quả, as people count them ("23 quả", not "2,3
// chục"); the listing keeps the rest in chục.
func TestABuyerOrderingTwentyQuaOfEggsListedByTheChucOrdersTwoChuc(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		opening string // after "mua <code>"
		asked   string // at the quantity question, "" for none
		shown   string // the quantity in the summary
		total   string
		left    int64 // in the listing, once placed
	}{
		{"at the question", "", "20 quả", "20 quả (2 chục)", "60.000 đ", 3000},
		{"in the opening message", " 20 quả", "", "20 quả (2 chục)", "60.000 đ", 3000},
		{"half a chục", "", "25 quả", "25 quả", "75.000 đ", 2500},
		{"any whole number of eggs", "", "23 quả", "23 quả", "69.000 đ", 2700},
		{"spoken", "", "hai mươi ba quả", "23 quả", "69.000 đ", 2700},
		{"two chục and a half", "", "2 chục rưỡi", "25 quả", "75.000 đ", 2500},
		{"two chục and three quả", "", "2 chục 3 quả", "23 quả", "69.000 đ", 2700},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := newMarket(t)
			l := m.sell("1", &flows.Listing{ProductKey: "trung", Product: "Trứng gà", Quantity: vn.Quantity{Milli: 5000, Unit: vn.UnitChuc},
				Price: vn.Price{VND: 30_000, Per: vn.UnitChuc}, PriceTyped: "30k"})
			summary := m.orderCounted(texts, l, tt.opening, tt.asked)
			if want := ": " + tt.shown + " × "; !strings.Contains(summary, want) || !strings.Contains(summary, "Tổng: "+tt.total) {
				t.Fatalf("the summary says:\n%s\nwant %q and a total of %s", summary, want, tt.total)
			}
			after, err := m.db.Listing(context.Background(), l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Remaining != tt.left {
				t.Fatalf("the listing keeps %d, want %d", after.Remaining, tt.left)
			}
		})
	}
}

// A chục of oranges is not always ten (DOMAIN.md): a buyer's "20 quả" of
// oranges listed by the chục is asked again in chục, not taken as 2 chục,
// and half a chục is not sold.
func TestQuaOfFruitListedByTheChucAreAskedAgainInChuc(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	l := m.sell("1", &flows.Listing{ProductKey: "cam", Product: "Cam", Quantity: vn.Quantity{Milli: 50_000, Unit: vn.UnitChuc},
		Price: vn.Price{VND: 40_000, Per: vn.UnitChuc}, PriceTyped: "40k/chục"})
	const buyer = "2"
	m.say(buyer, flows.KindText, "mua "+l.Code)
	for _, tc := range []struct{ asked, said string }{{"20 quả", "order.quantity_bad"}, {"2 chục rưỡi", "order.quantity_whole"}} {
		if said := m.say(buyer, flows.KindText, tc.asked); !slices.Contains(said, tc.said) || m.sess[buyer].Step != "quantity" {
			t.Fatalf("%q of oranges by the chục said %v at step %s; want %s and the question again", tc.asked, said, m.sess[buyer].Step, tc.said)
		}
	}
	if said := m.say(buyer, flows.KindText, "2 chục"); m.sess[buyer].Step == "quantity" {
		t.Fatalf("2 chục of oranges said %v, still at the quantity question", said)
	}
}

// A chục of pomelos is not always ten (DOMAIN.md): a buyer's "2 chục" of
// pomelos listed by quả is asked again in quả, not taken as 20.
func TestAChucOfFruitListedByQuaIsAskedAgainInQua(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	l := m.sell("1", &flows.Listing{ProductKey: "buoi", Product: "Bưởi", Quantity: vn.Quantity{Milli: 200_000, Unit: vn.UnitQua},
		Price: vn.Price{VND: 30_000, Per: vn.UnitQua}, PriceTyped: "30k/quả"})
	const buyer = "2"
	m.say(buyer, flows.KindText, "mua "+l.Code)
	for _, asked := range []string{"2 chục", "hai chục"} {
		if said := m.say(buyer, flows.KindText, asked); !slices.Contains(said, "order.quantity_bad") || m.sess[buyer].Step != "quantity" {
			t.Fatalf("%q of pomelos by quả said %v at step %s; want order.quantity_bad and the question again", asked, said, m.sess[buyer].Step)
		}
	}
	if said := m.say(buyer, flows.KindText, "20 quả"); m.sess[buyer].Step == "quantity" {
		t.Fatalf("20 quả of pomelos said %v, still at the quantity question", said)
	}
}

// A buyer's "20 bí" of bí đỏ listed by quả is 20 quả of it, not 20 bì
// (a sack), which the listing's quả could not take.
func TestABuyersTwentyBiOfPumpkinsAreTwentyQua(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	l := m.sell("1", &flows.Listing{Product: "Bí đỏ", Quantity: vn.Quantity{Milli: 100_000, Unit: vn.UnitQua},
		Price: vn.Price{VND: 15_000, Per: vn.UnitQua}, PriceTyped: "15k"})
	const buyer = "2"
	m.say(buyer, flows.KindText, "mua "+l.Code)
	if said := m.say(buyer, flows.KindText, "20 bí"); m.sess[buyer].Step == "quantity" {
		t.Fatalf("20 bí of bí đỏ by quả said %v, still at the quantity question", said)
	}
}

// What is left of eggs listed by the chục, once a buyer ordered them by
// quả, is said as people count eggs: the group post and the order's
// announcement say "còn 27 quả" (not "2,7 chục"), and so does the
// farmer's /tin; a whole chục left stays "3 chục".
func TestAPostOfEggsSaysWhatIsLeftInQuaOnceOrderedByQua(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ asked, left string }{{"23 quả", "27 quả"}, {"20 quả", "3 chục"}} {
		t.Run(tt.asked, func(t *testing.T) {
			m := newMarket(t)
			l := m.sell("1", &flows.Listing{ProductKey: "trung", Product: "Trứng gà", Quantity: vn.Quantity{Milli: 5000, Unit: vn.UnitChuc},
				Price: vn.Price{VND: 30_000, Per: vn.UnitChuc}, PriceTyped: "30k"})
			m.posted(l, "77")
			m.orderCounted(texts, l, "", tt.asked)
			var post, announced string
			for _, r := range m.said {
				if r.To != marketGroup {
					continue
				}
				if r, err = m.router.Rebuild(context.Background(), r); err != nil { // as it is sent
					t.Fatal(err)
				}
				switch {
				case r.Edit != nil:
					post = texts.Text("vi", r.Text)
				case r.Text.ID == "order.announce":
					announced = texts.Text("vi", r.Text)
				}
			}
			if want := "🌾 Trứng gà — 5 chục (còn " + tt.left + ")\n"; !strings.Contains(post, want) {
				t.Errorf("the group post is edited to:\n%s\nwant it to say %q", post, want)
			}
			if want := "— còn " + tt.left; !strings.HasSuffix(announced, want) {
				t.Errorf("the group is told %q, want it to end with %q", announced, want)
			}
			m.say("1", flows.KindChoice, "menu:mine")
			var items []string
			for _, r := range m.said {
				for _, row := range r.Choices {
					for _, ch := range row {
						if ch.Label.ID == "mine.item" {
							items = append(items, texts.Text("vi", ch.Label))
						}
					}
				}
			}
			if want := "Trứng gà · còn " + tt.left + " ·"; len(items) != 1 || !strings.Contains(items[0], want) {
				t.Errorf("/tin lists %q, want %q", items, want)
			}
		})
	}
}

// A buyer's address saved with a phone number in it, from before such
// addresses were refused, is forgotten as soon as an order opens, not kept
// until the buyer types another: not by an order collected at the farm
// (which keeps the address saved for next time), nor by an order left
// halfway. So is a name saved with a number; the rest of the profile stays.
func TestASavedAddressWithAPhoneNumberIsForgottenAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMarket(t)
	l := m.listing("1")
	saved := func(buyer string) (name, address string) {
		t.Helper()
		if err := m.db.Pool.QueryRow(ctx, `SELECT b.name, b.address FROM buyers b JOIN users u ON u.id = b.user_id
			WHERE u.platform_id = $1`, buyer).Scan(&name, &address); err != nil {
			t.Fatal(err)
		}
		return name, address
	}
	for buyer, profile := range map[string][2]string{
		"2": {"Trần Thị Lan", "Xóm 5 Quang Lang, gọi 0977 222 333"},
		"3": {"Mai 0977 222 333", "Thôn 3 Mai Pha, Chi Lăng"},
	} {
		u, err := m.db.Touch(ctx, m.input(buyer, flows.KindText, "chào"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.db.Pool.Exec(ctx, `INSERT INTO buyers (user_id, name, phone_e164, address) VALUES ($1, $2, '+84933444555', $3)`,
			u.ID, profile[0], profile[1]); err != nil {
			t.Fatal(err)
		}
	}

	m.say("2", flows.KindText, "mua "+l.Code)
	if name, address := saved("2"); name != "Trần Thị Lan" || address != "" {
		t.Fatalf("as the order opened the profile holds %q, %q; want the name, no address", name, address)
	}
	for _, turn := range []struct {
		kind flows.InputKind
		text string
	}{{flows.KindText, "40 kg"}, {flows.KindChoice, "pickup"}, {flows.KindChoice, "skip"}} {
		m.say("2", turn.kind, turn.text)
	}
	if said := m.say("2", flows.KindChoice, m.button("2", "order.place")); !slices.Contains(said, "order.placed") {
		t.Fatalf("placing the order said %v", said)
	}
	if _, address := saved("2"); address != "" {
		t.Fatalf("an order collected at the farm kept the address %q", address)
	}

	m.say("3", flows.KindText, "mua "+l.Code)
	m.say("3", flows.KindText, "/huy")
	if name, address := saved("3"); name != "" || address != "Thôn 3 Mai Pha, Chi Lăng" {
		t.Fatalf("after an order left halfway the profile holds %q, %q; want no name, the address", name, address)
	}
}
