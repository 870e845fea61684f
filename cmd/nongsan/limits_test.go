package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// limitHits is the count of nongsan_limit_hits_total for limit on /metrics.
func (b *testBot) limitHits(limit string) string {
	b.t.Helper()
	_, metrics := b.Get("/metrics")
	for _, line := range strings.Split(metrics, "\n") {
		if v, ok := strings.CutPrefix(line, `nongsan_limit_hits_total{limit="`+limit+`"} `); ok {
			return v
		}
	}
	return "0"
}

// refused checks that the user's task ended with the limit's message.
func (b *testBot) refused(user int64, id string, kv ...any) {
	b.t.Helper()
	if got, want := b.Finished(user).Text, text(b.t, "vi", id, kv...); got != want {
		b.t.Fatalf("bot said %q\nwant %s: %q", got, id, want)
	}
}

// openDB opens the test bot's database, to seed or change what a story
// needs around it.
func openDB(t testing.TB, env map[string]string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

func TestABuyerHoldsAtMostMaxOpenOrders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["MAX_OPEN_ORDERS"] = "2"
	b := startBot(t, tg, env)
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	db := openDB(t, env)
	l, err := db.ListingByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	b.Say(buyer, "/start")
	u, err := db.Touch(ctx, flows.Input{Channel: flows.Telegram, UserID: itoa(buyer)})
	if err != nil {
		t.Fatal(err)
	}
	place := func(source string) *flows.Order {
		o, err := db.PlaceOrder(ctx, &flows.Order{ListingID: l.ID, BuyerID: u.ID, Quantity: vn.Quantity{Milli: 10_000},
			Total: 250_000, Price: l.Price, BuyerName: "Hoa", BuyerPhone: "+84987654321", Delivery: "pickup"}, source, flows.BuyerProfile{})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	first := place("seed:1")
	place("seed:2")

	// Two orders wait for the farmer: a third is refused at once, kindly.
	b.Say(buyer, deepLink(code))
	b.refused(buyer, "limits.open_orders", "Count", 2)
	// The farmer accepts one: the buyer may order again.
	if _, err := db.SetOrderStatus(ctx, first.ID, flows.OrderChange{From: []string{flows.Pending}, To: flows.Accepted, Source: "seed:accept"}); err != nil {
		t.Fatal(err)
	}
	b.Say(buyer, deepLink(code))
	b.expect(buyer, "order.quantity", "Remaining", "480 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	b.Say(buyer, "10kg")
	b.Tap(buyer, "keep")
	b.Post(b.Up.Contact(buyer, buyer, "+84987654321"))
	b.Say(buyer, "lấy tại vườn")
	b.Say(buyer, "bỏ qua")
	if got := b.Last(buyer).Text; !strings.HasPrefix(got, "🛒 Anh/chị xem lại đơn hàng") {
		t.Fatalf("not at the order's summary: %q", got)
	}
	// Meanwhile another order of theirs was placed: placing is checked again.
	place("seed:3")
	b.Say(buyer, "đặt hàng")
	b.refused(buyer, "limits.open_orders", "Count", 2)
	if n, err := db.OpenOrders(ctx, u.ID, ""); err != nil || n != 2 {
		t.Fatalf("open orders = %d (%v), want 2", n, err)
	}
	if got := b.limitHits(flows.LimitOpenOrders); got != "2" {
		t.Errorf("nongsan_limit_hits_total{limit=open_orders} = %s, want 2", got)
	}
}

func TestAFarmerPostsAtMostMaxListingsPerDay(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["MAX_LISTINGS_PER_DAY"] = "2"
	const helper, helper2 = int64(7007), int64(7008)
	env["MODERATORS"] = "telegram:" + itoa(helper) + ",telegram:" + itoa(helper2)
	b := startBot(t, tg, env)

	b.register(farmer)
	b.publish(farmer)
	b.Say(farmer, "/ban")
	b.publish(farmer)
	b.Say(farmer, "/ban")
	b.refused(farmer, "limits.listings", "Count", 2, "Name", "Nông dân 1001", "Helped", false)

	// Helpers post for a farmer without a smartphone: their posts count
	// for her, and publishing is checked again.
	b.registerMai(helper)
	b.toSummary(helper) // her first of the day, not published yet
	for range 2 {
		b.Say(helper2, "/ban")
		b.Tap(helper2, "for:other")
		b.Say(helper2, "0987 654 321")
		b.expect(helper2, "sell.product")
		b.publish(helper2)
	}
	b.Publish(helper)
	b.refused(helper, "limits.listings", "Count", 2, "Name", "Hoàng Thị Mai", "Helped", true)
	b.Say(helper2, "/ban")
	b.Tap(helper2, "for:other")
	b.Say(helper2, "0987 654 321")
	b.refused(helper2, "limits.listings", "Count", 2, "Name", "Hoàng Thị Mai", "Helped", true)
	if got := b.limitHits(flows.LimitListings); got != "3" {
		t.Errorf("nongsan_limit_hits_total{limit=listings_per_day} = %s, want 3", got)
	}
}

func TestTooManyMessagesAMinuteGetOneKindReply(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["MAX_MESSAGES_PER_MINUTE"] = "3"
	b := startBot(t, tg, env)
	start := time.Now()
	for range 3 {
		b.Say(buyer, "/start")
		b.expect(buyer, "menu.title")
	}
	answered := len(b.Sent(buyer))
	b.Say(buyer, "/start")
	b.expect(buyer, "limits.too_fast")
	b.Say(buyer, "/start")
	b.Tap(buyer, "menu:sell") // a button is acknowledged, not answered
	if time.Since(start) > 50*time.Second {
		t.Skip("the minute nearly passed: too slow a machine to tell")
	}
	if got := len(b.Sent(buyer)); got != answered+1 {
		t.Fatalf("over the limit the bot sent %d messages, want 1: %+v", got-answered, b.Sent(buyer)[answered:])
	}
	if n := len(tg.CallsTo("answerCallbackQuery")); n != 1 {
		t.Errorf("the button press was acknowledged %d times, want 1", n)
	}
	if got := b.limitHits(flows.LimitMessages); got != "3" {
		t.Errorf("nongsan_limit_hits_total{limit=messages_per_minute} = %s, want 3", got)
	}
	// A group is not limited: many people speak there.
	for range 5 {
		b.Post(b.Up.Text(allMarket, buyer, "còn na không?"))
	}
	if got := b.limitHits(flows.LimitMessages); got != "3" {
		t.Errorf("group messages were limited: %s hits", got)
	}
}
