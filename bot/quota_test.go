package bot_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/zalo"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
	"github.com/nongsan-bot/nongsan/flows"
)

// zalo adds Zalo (a fake) to the replicas' channels.
func (r *replicas) zalo(t *testing.T) *zalotest.Server {
	t.Helper()
	zs := zalotest.NewServer(t)
	zb, err := zalo.New(zalotest.Token, zs.Endpoint(), &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r.channels.Add(bot.Render(zb, r.texts))
	return zs
}

// engine is a replica's engine on a clock the test moves on.
func (r *replicas) engine(now *time.Time) *bot.Engine {
	return &bot.Engine{Store: r.store, Channels: r.channels, Metrics: r.metrics, Log: zerolog.Nop(),
		Now: func() time.Time { return *now }, Attempt: 5 * time.Second, RetryMin: 500 * time.Millisecond,
		RetryMax: 10 * time.Second, QuotaMax: 30 * time.Minute, Senders: 1}
}

// zaloGroups are n Zalo market groups.
func zaloGroups(n int) []flows.MarketGroup {
	var gs []flows.MarketGroup
	for i := range n {
		gs = append(gs, flows.MarketGroup{Ref: flows.ChatRef{Channel: flows.Zalo, ChatID: "zg-" + strconv.Itoa(i+1)},
			Title: "Chợ Chi Lăng " + strconv.Itoa(i+1)})
	}
	return gs
}

var quotaExceeded = &zalotest.Failure{Code: http.StatusTooManyRequests, Description: "Quota exceeded"}

// refused counts the sends Zalo refused with a 429.
func refused(zs *zalotest.Server) int {
	n := 0
	for _, c := range zs.CallsTo("sendMessage") {
		if c.Code == http.StatusTooManyRequests {
			n++
		}
	}
	return n
}

// spendZalo has Zalo refuse a farmer's reply for its quota, at now: the
// engine holds the channel.
func spendZalo(t *testing.T, e *bot.Engine, zs *zalotest.Server, farmer string) {
	t.Helper()
	ctx := context.Background()
	to := flows.ChatRef{Channel: flows.Zalo, ChatID: farmer}
	if err := e.Store.Enqueue(ctx, []flows.Reply{{To: to, Lang: "vi", Text: flows.M("broadcast.post", "Text", "Na Chi Lăng còn 5 tạ")}}, e.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if n := refused(zs); n != 1 {
		t.Fatalf("Zalo refused %d requests, want the farmer's reply", n)
	}
}

// startBroadcast stores a broadcast to groups and has its progress
// message sent, so that its targets may be claimed; it claims them.
func (r *replicas) startBroadcast(t *testing.T, b *bot.Broadcaster, groups []flows.MarketGroup) []flows.BroadcastTarget {
	t.Helper()
	ctx := context.Background()
	r.seedTo(t, 5005, groups)
	if err := b.Watch(ctx); err != nil {
		t.Fatal(err)
	}
	targets, err := r.db.ClaimTargets(ctx, len(groups), time.Minute)
	if err != nil || len(targets) != len(groups) {
		t.Fatalf("claimed %d targets (%v), want %d", len(targets), err, len(groups))
	}
	return targets
}

// Zalo's quota, spent by a farmer's reply, holds the moderators'
// broadcasts too. When the hold ends, eight workers with a Zalo group each
// do not all try Zalo: one tries for every sender (refused: the quota
// lasts), and the other seven wait for the next hold. Zalo sees one more
// refused request, not eight.
func TestABroadcastTriesZaloOnceWhenItsQuotaHoldEnds(t *testing.T) {
	ctx := context.Background()
	r := newReplicas(t)
	zs := r.zalo(t)
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	e := r.engine(&now)
	zs.SetDown("sendMessage", quotaExceeded)
	spendZalo(t, e, zs, "u-farmer")
	b := r.broadcaster()
	targets := r.startBroadcast(t, b, zaloGroups(8))

	now = now.Add(3 * time.Second) // the hold is over
	e.Work(ctx, b, targets)
	if n := refused(zs) - 1; n != 1 {
		t.Errorf("Zalo refused %d requests of the broadcast when the hold ended, want 1 (one try for all)", n)
	}
	if calls := zs.CallsTo("sendMessage"); len(calls) != 2 {
		t.Errorf("%d requests to Zalo, want the farmer's reply and one try", len(calls))
	}
}

// A farmer's reply that waits while a broadcast tries Zalo after its quota
// goes as soon as the broadcast goes through, at the next sweep, not when
// the broadcast's try would have run out: a send of either opens Zalo for
// both.
func TestAReplyWaitingForABroadcastsTryGoesAsSoonAsItGoesThrough(t *testing.T) {
	ctx := context.Background()
	r := newReplicas(t)
	zs := r.zalo(t)
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	e := r.engine(&now)
	zs.SetDown("sendMessage", quotaExceeded)
	spendZalo(t, e, zs, "u-farmer")
	b := r.broadcaster()
	targets := r.startBroadcast(t, b, zaloGroups(1))

	now = now.Add(3 * time.Second) // the hold is over
	zs.HoldNext("sendMessage", 1)
	trying := make(chan struct{})
	go func() { defer close(trying); e.Work(ctx, b, targets) }()
	zs.WaitHolding(t, 1)
	if err := e.Sweep(ctx); err != nil { // the farmer's reply waits for the broadcast's answer
		t.Fatal(err)
	}
	zs.SetDown("sendMessage", nil)
	zs.Release()
	<-trying
	if got := zs.Received("zg-1"); len(got) != 1 {
		t.Fatalf("the group got %d messages, want the broadcast", len(got))
	}
	if err := e.Sweep(ctx); err != nil { // the next sweep, at once
		t.Fatal(err)
	}
	if got := zs.Received("u-farmer"); len(got) != 1 {
		t.Errorf("the farmer got %d replies at the sweep after the broadcast went through, want 1", len(got))
	}
	if n := refused(zs); n != 1 {
		t.Errorf("Zalo refused %d requests, want only the first", n)
	}
}

// The groups of a moderator's broadcast that wait while another replica's
// worker tries Zalo after its quota are due as soon as that try goes
// through, for the next worker to look, not when the try would have run
// out (12 to 14 s here): a send of either opens Zalo for both, and the
// groups waiting for it are made due on every replica, as the chats are.
func TestBroadcastGroupsWaitingForAZaloTryGoAsSoonAsItGoesThrough(t *testing.T) {
	ctx := context.Background()
	r := newReplicas(t)
	zs := r.zalo(t)
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	one, other := r.engine(&now), r.engine(&now)
	zs.SetDown("sendMessage", quotaExceeded)
	spendZalo(t, one, zs, "u-farmer")
	b1, b2 := r.broadcaster(), r.broadcaster()
	groups := zaloGroups(3)
	targets := r.startBroadcast(t, b1, groups)

	now = now.Add(3 * time.Second) // the hold is over
	zs.HoldNext("sendMessage", 1)
	trying := make(chan struct{})
	go func() { defer close(trying); one.Work(ctx, b1, targets[:1]) }()
	zs.WaitHolding(t, 1)
	other.Work(ctx, b2, targets[1:]) // the other replica's groups wait for the try's answer
	if calls := zs.CallsTo("sendMessage"); len(calls) != 1 {
		t.Fatalf("%d requests answered by Zalo while one group tried it, want only the farmer's", len(calls))
	}
	zs.SetDown("sendMessage", nil)
	zs.Release()
	<-trying

	due, err := r.db.ClaimTargets(ctx, len(groups), time.Minute) // any worker's next look
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 {
		t.Fatalf("%d groups due as the try went through, want the 2 that waited for it", len(due))
	}
	other.Work(ctx, b2, due)
	for _, g := range groups {
		if got := zs.Received(g.Ref.ChatID); len(got) != 1 {
			t.Errorf("%s got %d messages, want the broadcast", g.Title, len(got))
		}
	}
	if n := refused(zs); n != 1 {
		t.Errorf("Zalo refused %d requests, want only the farmer's", n)
	}
}

// A try of Zalo after its quota that fails for another reason (a 5xx:
// Zalo's trouble, not its quota) says nothing of the quota: the next reply
// tries Zalo at once, not when the failed try would have run out (7 s
// here), and goes through. It tries alone: the farmer's reply, which
// failed, waits its own short backoff.
func TestAZaloTryThatFailsForAnotherReasonLetsTheNextReplyTry(t *testing.T) {
	ctx := context.Background()
	r := newReplicas(t)
	zs := r.zalo(t)
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	e := r.engine(&now)
	zs.SetDown("sendMessage", quotaExceeded)
	spendZalo(t, e, zs, "u-farmer")
	zs.SetDown("sendMessage", nil)
	zs.FailNext("sendMessage", 3, zalotest.Failure{Status: http.StatusBadGateway}) // the send's 3 attempts

	now = now.Add(3 * time.Second) // the hold is over: the farmer's reply tries Zalo
	if err := e.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if calls := zs.CallsTo("sendMessage"); len(calls) != 4 || calls[3].Status != http.StatusBadGateway {
		t.Fatalf("%d requests to Zalo, want the refused one and the try's 3 attempts, which failed", len(calls))
	}
	buyer := flows.ChatRef{Channel: flows.Zalo, ChatID: "u-buyer"}
	if err := e.Store.Enqueue(ctx, []flows.Reply{{To: buyer, Lang: "vi", Text: flows.M("broadcast.post", "Text", "Đơn của anh/chị đã gửi")}}, now); err != nil {
		t.Fatal(err)
	}
	if err := e.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got := zs.Received("u-buyer"); len(got) != 1 {
		t.Errorf("the buyer got %d replies right after the failed try, want 1", len(got))
	}
	if calls := zs.CallsTo("sendMessage"); len(calls) != 5 {
		t.Errorf("%d requests to Zalo, want the refused one, the failed try's 3 and the buyer's", len(calls))
	}
}

// A replica that last found Zalo open learns within a moment (half a
// second here) of a quota that another replica met: its replies then wait
// for the hold, with no request to Zalo, instead of a burst of its own
// refused ones before it learns.
func TestAReplicaLearnsOfAZaloQuotaAnotherMetWithinAMoment(t *testing.T) {
	ctx := context.Background()
	r := newReplicas(t)
	zs := r.zalo(t)
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	one, other := r.engine(&now), r.engine(&now)
	one.Senders = 3
	reply := func(chat string) flows.Reply {
		return flows.Reply{To: flows.ChatRef{Channel: flows.Zalo, ChatID: chat}, Lang: "vi",
			Text: flows.M("broadcast.post", "Text", "Đơn của anh/chị đã gửi")}
	}
	if err := one.Store.Enqueue(ctx, []flows.Reply{reply("u-first")}, now); err != nil {
		t.Fatal(err)
	}
	if err := one.Sweep(ctx); err != nil { // Zalo open, as this replica sees it
		t.Fatal(err)
	}
	if got := zs.Received("u-first"); len(got) != 1 {
		t.Fatalf("the first buyer got %d replies, want 1", len(got))
	}
	zs.SetDown("sendMessage", quotaExceeded)
	spendZalo(t, other, zs, "u-farmer") // the other replica meets the quota: Zalo is held a second

	now = now.Add(600 * time.Millisecond)
	var burst []flows.Reply
	for _, chat := range []string{"u-b1", "u-b2", "u-b3"} {
		burst = append(burst, reply(chat))
	}
	if err := one.Store.Enqueue(ctx, burst, now); err != nil {
		t.Fatal(err)
	}
	if err := one.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if n := refused(zs); n != 1 {
		t.Errorf("Zalo refused %d requests, want only the other replica's: this one knows of the hold", n)
	}
	if calls := zs.CallsTo("sendMessage"); len(calls) != 2 {
		t.Errorf("%d requests to Zalo, want the first reply and the refused one", len(calls))
	}
}
