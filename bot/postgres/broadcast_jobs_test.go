package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
)

// A target's claim fences the worker that holds it: once it expired and
// was reaped, that worker changes nothing; a target whose worker stopped
// while sending is unsure, never claimed again; the report waits for a
// progress message on its way (its lease), and is queued once.
func TestBroadcastTargetsAreClaimedOnce(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	author := mustTouch(t, db, flows.Telegram, "9")
	groups := []flows.MarketGroup{
		{Ref: flows.ChatRef{Channel: flows.Telegram, ChatID: "-100"}, Title: "Chợ Chi Lăng"},
		{Ref: flows.ChatRef{Channel: flows.Telegram, ChatID: "-200"}, Title: "Chợ Bắc Sơn"},
	}
	b, err := db.CreateBroadcast(ctx, &flows.Broadcast{AuthorID: author, Chat: flows.ChatRef{Channel: flows.Telegram, ChatID: "9"},
		Lang: "vi", Text: "Thứ 7 có thương lái về", Scope: flows.ScopeAll}, groups, "jobs:1")
	if err != nil {
		t.Fatal(err)
	}
	claim := func(n int) []flows.BroadcastTarget {
		t.Helper()
		ts, err := db.ClaimTargets(ctx, n, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	expire := func(chat string) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, `UPDATE broadcast_targets SET claimed_until = now() - interval '1 second'
			WHERE broadcast_id = $1 AND chat_id = $2`, b.ID, chat); err != nil {
			t.Fatal(err)
		}
	}
	if len(claim(1)) != 0 {
		t.Fatal("a broadcast started before its progress message")
	}
	id, progress, err := db.ClaimProgress(ctx, b.ID, time.Hour)
	if err != nil || progress.IsZero() || id != "" {
		t.Fatalf("claim progress: %q %v %v", id, progress, err)
	}
	if _, again, _ := db.ClaimProgress(ctx, b.ID, time.Hour); !again.IsZero() {
		t.Fatal("the progress message was claimed twice")
	}
	first := claim(1)
	if len(first) != 1 || first[0].Broadcast.Text != b.Text || first[0].Group.Title == "" {
		t.Fatalf("claimed %+v", first)
	}
	second := claim(5)
	if len(second) != 1 || second[0].Group.Ref == first[0].Group.Ref {
		t.Fatalf("then claimed %+v, want the other target only", second)
	}
	a := first[0]
	expire(a.Group.Ref.ChatID)
	if requeued, unsure, err := db.ReapTargets(ctx); err != nil || requeued != 1 || unsure != 0 {
		t.Fatalf("reaped %d requeued, %d unsure (%v)", requeued, unsure, err)
	}
	if ok, err := db.StartSending(ctx, &a, time.Minute); err != nil || ok {
		t.Fatalf("a worker whose claim expired may send: %v %v", ok, err)
	}
	again := claim(5)
	if len(again) != 1 || again[0].Group.Ref != a.Group.Ref {
		t.Fatalf("claimed again %+v", again)
	}
	a = again[0]
	if ok, err := db.StartSending(ctx, &a, time.Minute); err != nil || !ok {
		t.Fatalf("start sending: %v %v", ok, err)
	}
	expire(a.Group.Ref.ChatID) // the worker was killed mid-request
	if requeued, unsure, err := db.ReapTargets(ctx); err != nil || requeued != 0 || unsure != 1 {
		t.Fatalf("reaped %d requeued, %d unsure (%v)", requeued, unsure, err)
	}
	if more := claim(5); len(more) != 0 {
		t.Fatalf("an unsure target was claimed again: %+v", more)
	}
	c := second[0]
	if ok, err := db.StartSending(ctx, &c, time.Minute); err != nil || !ok {
		t.Fatalf("start sending: %v %v", ok, err)
	}
	if err := db.TargetSent(ctx, &c, flows.Sent{MessageIDs: []string{"77"}}); err != nil {
		t.Fatal(err)
	}
	tallies, err := db.OpenBroadcasts(ctx)
	if err != nil || len(tallies) != 1 || tallies[0].Open != 0 || tallies[0].Sent != 1 || tallies[0].Unsure != 1 {
		t.Fatalf("tally %+v (%v)", tallies, err)
	}
	// The progress message is on its way: the report waits for it.
	reported := 0
	report := func(tally flows.BroadcastTally, misses []flows.BroadcastMiss) []flows.Reply {
		reported++
		if len(misses) != 1 || misses[0].Reason != flows.MissUnsure || misses[0].Title != a.Group.Title {
			t.Errorf("misses %+v", misses)
		}
		return []flows.Reply{{To: tally.Chat, Text: flows.M("broadcast_run.report_done")}}
	}
	if done, err := db.FinishBroadcast(ctx, b.ID, report); err != nil || done {
		t.Fatalf("reported while the progress message was on its way: %v %v", done, err)
	}
	if err := db.ReleaseProgress(ctx, b.ID, progress, "41"); err != nil {
		t.Fatal(err)
	}
	if id, _, err := db.ClaimProgress(ctx, b.ID, time.Hour); err != nil || id != "41" {
		t.Fatalf("the progress message sent is %q (%v), want 41", id, err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE broadcasts SET progress_until = now() - interval '1 second' WHERE id = $1`, b.ID); err != nil {
		t.Fatal(err) // that claim's worker stopped: its lease ended
	}
	for range 2 {
		if _, err := db.FinishBroadcast(ctx, b.ID, report); err != nil {
			t.Fatal(err)
		}
	}
	if _, after, _ := db.ClaimProgress(ctx, b.ID, time.Hour); !after.IsZero() {
		t.Error("the progress message was claimed after the report")
	}
	var notices int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM notices`).Scan(&notices); err != nil || reported != 1 || notices != 1 {
		t.Errorf("reported %d times, %d notices (%v), want once", reported, notices, err)
	}
	if back, err := db.Broadcast(ctx, b.ID); err != nil || back.Status != flows.BroadcastDone {
		t.Errorf("broadcast %+v (%v), want done", back, err)
	}
}
