package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// The tick reads only the orders whose farmer is due a reminder, by the
// time stored as each was placed: not one whose time is hours away, nor
// one never to be reminded, nor one reminded already; and it reads them
// through the index on that time, not by walking the pending orders.
func TestTheTickReadsOnlyTheOrdersDueAReminder(t *testing.T) {
	ctx := context.Background()
	db, draft := naDraft(t)
	l, err := db.CreateListing(ctx, draft, "telegram:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	buyer, err := db.Touch(ctx, flows.Input{Channel: flows.Telegram, UserID: "2", UserName: "Hoa"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	order := func(source string, remindAt time.Time) int64 {
		o, err := db.PlaceOrder(ctx, &flows.Order{ListingID: l.ID, BuyerID: buyer.ID, Quantity: vn.Quantity{Milli: 1000},
			Total: 25_000, Price: l.Price, BuyerName: "Hoa", BuyerPhone: "+84912888777", Delivery: "pickup", RemindAt: remindAt},
			source, flows.BuyerProfile{})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	due, later := order("telegram:10", now.Add(-time.Minute)), order("telegram:11", now.Add(3*time.Hour))
	order("telegram:12", time.Time{}) // came at night, cancelled before the morning: never reminded
	// Placed by a replica of the version before during a rolling update,
	// after the migration: no time at all. The tick gets it to decide.
	old := order("telegram:13", now.Add(5*time.Hour))
	if _, err := db.Pool.Exec(ctx, `UPDATE orders SET remind_at = NULL WHERE id = $1`, old); err != nil {
		t.Fatal(err)
	}
	waiting := func(at time.Time) []int64 {
		t.Helper()
		expired, waiting, err := db.DueOrders(ctx, at, 12*time.Hour)
		if err != nil || len(expired) != 0 {
			t.Fatalf("due orders: %d expired (%v)", len(expired), err)
		}
		var ids []int64
		for _, o := range waiting {
			ids = append(ids, o.ID)
		}
		return ids
	}
	if got := waiting(now); len(got) != 2 || got[0] != due || got[1] != old {
		t.Fatalf("due a reminder now: %v, want %d and the undecided %d", got, due, old)
	}
	if err := db.Reminded(ctx, due, now); err != nil {
		t.Fatal(err)
	}
	if err := db.Reminded(ctx, old, now); err != nil {
		t.Fatal(err)
	}
	if got := waiting(now); len(got) != 0 {
		t.Fatalf("after the reminders: %v, want none", got)
	}
	if got := waiting(now.Add(3 * time.Hour)); len(got) != 1 || got[0] != later {
		t.Fatalf("due a reminder 3 hours later: %v, want only %d", got, later)
	}
	if o, err := db.Order(ctx, later); err != nil || !o.RemindAt.Equal(now.Add(3*time.Hour).Truncate(time.Microsecond)) {
		t.Fatalf("read back: %v (%v), want its time", o, err)
	}

	// A small table would be read whole whatever the indexes; without that
	// way out, the planner must find an index that answers the query.
	plan := explain(t, db, postgres.DueReminders, now, now.Add(-12*time.Hour))
	if !strings.Contains(plan, "orders_remind_due") {
		t.Fatalf("the orders due a reminder are not read through orders_remind_due:\n%s", plan)
	}
}

// explain is the plan of query with args, sequential scans off.
func explain(t *testing.T, db *postgres.DB, query string, args ...any) string {
	t.Helper()
	var lines []string
	err := pgx.BeginFunc(context.Background(), db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(context.Background(), `SET LOCAL enable_seqscan = off`); err != nil {
			return err
		}
		rows, err := tx.Query(context.Background(), `EXPLAIN `+query, args...)
		if err != nil {
			return err
		}
		lines, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// A notice held for the morning is not sent before; then it is, once,
// whichever of two replicas releases it, and the notices queued with it
// are sent at once.
func TestAHeldNoticeIsSentOnceAtItsTime(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	seller := &flows.Seller{Name: "Mai", Phone: "+84987654321", Commune: "xã Hữu Kiên"}
	morning := time.Now().Add(5 * time.Hour)
	buyer, farmer := flows.ChatRef{Channel: flows.Telegram, ChatID: "2"}, flows.ChatRef{Channel: flows.Telegram, ChatID: "1"}
	if err := db.SaveSeller(ctx, seller, flows.Reply{To: buyer, Text: flows.M("order.timed_out")},
		flows.Reply{To: farmer, Text: flows.M("order.timed_out_farmer"), NotBefore: morning}); err != nil {
		t.Fatal(err)
	}
	relayed := func() []string {
		t.Helper()
		var ids []string
		if _, err := db.RelayNotices(ctx, 100, func(notices []flows.Notice) error {
			for _, n := range notices {
				for _, r := range n.Replies {
					ids = append(ids, r.To.ChatID+" "+r.Text.ID)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := relayed(); strings.Join(got, ",") != "2 order.timed_out" {
		t.Fatalf("sent at once: %v, want the buyer's only", got)
	}
	if n, err := db.ReleaseHeld(ctx, morning.Add(-time.Second), 10); err != nil || n != 0 {
		t.Fatalf("released %d before its time (%v)", n, err)
	}
	var wg sync.WaitGroup
	released := make([]int, 2)
	for i := range released {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := db.ReleaseHeld(ctx, morning, 10)
			if err != nil {
				t.Error(err)
			}
			released[i] = n
		}()
	}
	wg.Wait()
	if released[0]+released[1] != 1 {
		t.Fatalf("two replicas released %v, want one notice in all", released)
	}
	if got := relayed(); strings.Join(got, ",") != "1 order.timed_out_farmer" {
		t.Fatalf("sent in the morning: %v, want the farmer's", got)
	}
}

// A held notice taken back by an update (the farmer tapped the order's
// button at night) is that update's: run again, it gets it again; another
// update gets nothing; the morning's release does not send it. Kept
// unsent, it is still that update's after the morning, should the update
// fail and come again: a day after it was told, it is dropped.
func TestAHeldNoticeTakenBackIsNotSentInTheMorning(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	seller := &flows.Seller{Name: "Mai", Phone: "+84987654321", Commune: "xã Hữu Kiên"}
	night := time.Now()
	morning := night.Add(5 * time.Hour)
	farmer := flows.ChatRef{Channel: flows.Telegram, ChatID: "1"}
	if err := db.SaveSeller(ctx, seller,
		flows.Reply{To: farmer, Text: flows.M("order.timed_out_farmer", "Code", "DH-A"), NotBefore: morning, About: "order:1:user:7"},
		flows.Reply{To: farmer, Text: flows.M("order.timed_out_farmer", "Code", "DH-B"), NotBefore: morning, About: "order:2:user:7"}); err != nil {
		t.Fatal(err)
	}
	taken := func(source string, at time.Time) []string {
		t.Helper()
		told, err := db.TakeHeld(ctx, "order:1:user:7", source, at)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, r := range told {
			codes = append(codes, r.Text.Data["Code"].(string))
		}
		return codes
	}
	if got := taken("telegram:10", night); strings.Join(got, ",") != "DH-A" {
		t.Fatalf("taken back: %v, want DH-A's notice", got)
	}
	if got := taken("telegram:10", night); strings.Join(got, ",") != "DH-A" {
		t.Fatalf("taken back again by the same update: %v, want DH-A's notice again", got)
	}
	if got := taken("telegram:11", night); len(got) != 0 {
		t.Fatalf("taken back by another update: %v, want none", got)
	}
	if n, err := db.ReleaseHeld(ctx, morning, 10); err != nil || n != 1 {
		t.Fatalf("released %d rows (%v), want DH-B's", n, err)
	}
	var sent []string
	if _, err := db.RelayNotices(ctx, 100, func(notices []flows.Notice) error {
		for _, n := range notices {
			for _, r := range n.Replies {
				sent = append(sent, r.Text.Data["Code"].(string))
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(sent, ",") != "DH-B" {
		t.Fatalf("sent in the morning: %v, want DH-B's notice only", sent)
	}
	// The update that told DH-A failed; delivered again after the morning,
	// it tells it again. Nothing else takes it, and the tick never sends it.
	later := night.Add(23 * time.Hour)
	if n, err := db.ReleaseHeld(ctx, later, 10); err != nil || n != 0 {
		t.Fatalf("released %d rows (%v) later, want none", n, err)
	}
	if got := taken("telegram:11", later); len(got) != 0 {
		t.Fatalf("taken back after the morning by another update: %v, want none", got)
	}
	if got := taken("telegram:10", later); strings.Join(got, ",") != "DH-A" {
		t.Fatalf("taken back after the morning by the update delivered again: %v, want DH-A's notice", got)
	}
	// A day after it was last told, it is gone.
	if n, err := db.ReleaseHeld(ctx, later.Add(postgres.ToldKept), 10); err != nil || n != 0 {
		t.Fatalf("released %d rows (%v) a day later, want none", n, err)
	}
	if got := taken("telegram:10", later.Add(postgres.ToldKept)); len(got) != 0 {
		t.Fatalf("taken back a day after it was told: %v, want it dropped", got)
	}
	var rows int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM held_notices`).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("%d held notices kept (%v), want none", rows, err)
	}
}
