package bot

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

// After an outage of 6 s, with every retry of the chat failing until then,
// the first try after the recovery comes within 15 s of it, even with the
// least lucky jitter.
func TestBackoffComesBackSoonAfterAShortOutage(t *testing.T) {
	e := &Engine{RetryMin: 500 * time.Millisecond, RetryMax: 10 * time.Second}
	for _, outage := range []time.Duration{time.Second, 6 * time.Second, 30 * time.Second} {
		for range 100 {
			at, fails := time.Duration(0), 0
			for at < outage {
				fails++
				at += e.retry().wait(fails)
			}
			if late := at - outage; late > 15*time.Second {
				t.Fatalf("after a %s outage the first try came %s after the recovery", outage, late)
			}
			if outage == 6*time.Second && at-outage > 10*time.Second {
				t.Fatalf("after a 6s outage: %s", at-outage)
			}
		}
	}
	if d := e.retry().wait(1); d < 500*time.Millisecond || d > time.Second {
		t.Errorf("first retry after %s, want within a second", d)
	}
	if d := e.retry().wait(50); d > 10*time.Second {
		t.Errorf("retry after %s, want at most RetryMax", d)
	}
}

// channel is a platform that accepts everything (but what fail refuses)
// and remembers it.
type channel struct {
	mu    sync.Mutex
	sent  []flows.Reply
	acked []string // the updates whose buttons were answered
	fail  func(r flows.Reply) error
}

func (c *channel) Name() flows.Channel                     { return flows.Telegram }
func (c *channel) Parse([]byte) (flows.Input, bool, error) { return flows.Input{}, false, nil }
func (c *channel) Ack(_ context.Context, in flows.Input) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.acked = append(c.acked, in.UpdateID)
	return nil
}
func (c *channel) Send(_ context.Context, r flows.Reply) (flows.Sent, error) {
	if c.fail != nil {
		if err := c.fail(r); err != nil {
			return flows.Sent{}, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, r)
	return flows.Sent{MessageIDs: []string{"1"}, Parts: 1}, nil
}

func (c *channel) Sent() []flows.Reply {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]flows.Reply(nil), c.sent...)
}

// A group's order announcements coalesce, but a steady stream of orders
// does not postpone them forever: the announcement goes out at most
// MaxWait after the first order of the burst, standing for all of them.
func TestASteadyStreamOfAnnouncementsIsAnnouncedOnTime(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	ch := &channel{}
	e := newEngine(t, ch, func() time.Time { return now })
	group := flows.ChatRef{Channel: flows.Telegram, ChatID: "-100"}
	order := func() {
		r := flows.Reply{To: group, Text: flows.M("order.announce"), Coalesce: "order:NS-7K2Q",
			Delay: 20 * time.Second, MaxWait: 20 * time.Second}
		if err := e.Store.Enqueue(ctx, []flows.Reply{r}, now); err != nil {
			t.Fatal(err)
		}
	}
	sweepAt := func(at time.Time) int {
		now = at
		if err := e.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		return len(ch.Sent())
	}
	start := now
	for i := range 3 { // an order every 8 s
		now = start.Add(time.Duration(i) * 8 * time.Second)
		order()
		if n := sweepAt(now); n != 0 {
			t.Fatalf("announced %d times before the delay", n)
		}
	}
	if n := sweepAt(start.Add(19 * time.Second)); n != 0 {
		t.Fatalf("announced before the first order's delay: %d", n)
	}
	if n := sweepAt(start.Add(20 * time.Second)); n != 1 {
		t.Fatalf("20 s after the first order: %d announcements, want 1 (the third order would postpone it to 36 s)", n)
	}
	if merged := ch.Sent()[0].Text.Data["Merged"]; merged != 3 {
		t.Fatalf("the announcement stands for %v orders, want 3", merged)
	}
	// A new burst starts afresh.
	now = start.Add(24 * time.Second)
	order()
	if n := sweepAt(start.Add(43 * time.Second)); n != 1 {
		t.Fatalf("the next burst went early: %d", n)
	}
	if n := sweepAt(start.Add(44 * time.Second)); n != 2 {
		t.Fatalf("the next burst: %d announcements in all, want 2", n)
	}
}

func (c *channel) Mount(*http.ServeMux, func(header, secret string) http.Handler) {}

func newEngine(t *testing.T, ch *channel, now func() time.Time) *Engine {
	return &Engine{
		Store: redistest.MustOpen(t), Channels: map[flows.Channel]Channel{flows.Telegram: ch},
		Metrics: NewMetrics(), Log: zerolog.Nop(), Now: now,
		Attempt: time.Second, RetryMin: time.Millisecond, RetryMax: 10 * time.Second, Senders: 2,
	}
}

func ids(rs []flows.Reply) string {
	out := ""
	for _, r := range rs {
		out += r.Text.ID
	}
	return out
}

var farmer = flows.ChatRef{Channel: flows.Telegram, ChatID: "1001"}

// A reply the platform refuses again and again (but not for good) is set
// aside after maxSendFails tries, and the replies behind it go out.
func TestAReplyThatAlwaysFailsDoesNotBlockItsChatForever(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	ch := &channel{fail: func(r flows.Reply) error {
		if r.Text.ID == "a" {
			return errors.New("502 Bad Gateway")
		}
		return nil
	}}
	e := newEngine(t, ch, func() time.Time { return now })
	if err := e.Store.Enqueue(ctx, []flows.Reply{{To: farmer, Text: flows.M("a")}, {To: farmer, Text: flows.M("b")}}, now); err != nil {
		t.Fatal(err)
	}
	for sweep := 1; sweep <= maxSendFails; sweep++ {
		if err := e.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if got := ids(ch.Sent()); got != "" && sweep < maxSendFails {
			t.Fatalf("sweep %d sent %q past the failing reply", sweep, got)
		}
		now = now.Add(e.RetryMax)
	}
	if got := ids(ch.Sent()); got != "b" {
		t.Fatalf("after %d failures sent %q, want b", maxSendFails, got)
	}
	if dead, _ := e.Store.DeadLetters(ctx); len(dead) != 1 || dead[0].Chat != farmer {
		t.Fatalf("dead letters = %+v, want the failing reply", dead)
	}
}

// A sender stopped halfway (a shutdown cancels its context) still records
// what it sent: nothing goes out twice.
func TestAStoppedSenderRecordsWhatItSent(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := &channel{}
	ch.fail = func(r flows.Reply) error {
		if r.Text.ID == "c" {
			cancel()
			return context.Canceled
		}
		return nil
	}
	e := newEngine(t, ch, time.Now)
	replies := []flows.Reply{{To: farmer, Text: flows.M("a")}, {To: farmer, Text: flows.M("b")}, {To: farmer, Text: flows.M("c")}}
	if err := e.Store.Enqueue(context.Background(), replies, time.Now()); err != nil {
		t.Fatal(err)
	}
	e.Sweep(ctx)
	c, err := e.Store.Load(context.Background(), farmer)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Out) != 1 || c.Out[0].Text.ID != "c" {
		t.Fatalf("after stopping at c the outbox holds %d replies, want only c", len(c.Out))
	}
	// The stop was ours, not the platform's: no failure counted, no hold,
	// and the next replica's sweeper sends c at once.
	if c.Fails != 0 || !c.Hold.IsZero() || c.Lease != "" {
		t.Fatalf("after the stop: fails %d, hold %v, lease %q; want none", c.Fails, c.Hold, c.Lease)
	}
	ch.fail = nil
	if err := e.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := ids(ch.Sent()); got != "abc" {
		t.Fatalf("sent %q, want abc: c at the next sweep, nothing twice", got)
	}
}

// A sender that stops without finishing (here a panic, as a bug would)
// lets go of the chat: the next sweep sends what is left, instead of
// waiting for the lease to run out.
func TestASenderThatStopsEarlyLetsGoOfTheChat(t *testing.T) {
	ctx := context.Background()
	ch := &channel{}
	ch.fail = func(r flows.Reply) error {
		if r.Text.ID == "b" {
			panic("a bug while sending b")
		}
		return nil
	}
	e := newEngine(t, ch, time.Now)
	replies := []flows.Reply{{To: farmer, Text: flows.M("a")}, {To: farmer, Text: flows.M("b")}}
	if err := e.Store.Enqueue(ctx, replies, time.Now()); err != nil {
		t.Fatal(err)
	}
	e.Sweep(ctx) // the sweeper survives the panic
	if c, err := e.Store.Load(ctx, farmer); err != nil || c.Lease != "" {
		t.Fatalf("after the panic the chat's lease is %q (%v), want free", c.Lease, err)
	}
	ch.fail = nil
	if err := e.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ids(to(farmer, ch.Sent())); got != "aab" {
		t.Fatalf("sent %q, want a, then a again (it was not recorded) and b at the next sweep", got)
	}
}

// A reply there is no time left to send (the webhook's budget nearly
// spent) waits for the sweeper without counting as a platform failure.
func TestNoTimeLeftIsNoFailure(t *testing.T) {
	ch := &channel{}
	e := newEngine(t, ch, time.Now)
	if err := e.Store.Enqueue(context.Background(), []flows.Reply{{To: farmer, Text: flows.M("a")}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(context.Background(), e.Attempt/2)
	defer cancel()
	e.Deliver(short, farmer)
	c, err := e.Store.Load(context.Background(), farmer)
	if err != nil || len(c.Out) != 1 || c.Fails != 0 || !c.Hold.IsZero() || c.Lease != "" {
		t.Fatalf("after no time to send: %d waiting, fails %d, hold %v, lease %q (%v); want a waiting, nothing else", len(c.Out), c.Fails, c.Hold, c.Lease, err)
	}
	if err := e.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := ids(ch.Sent()); got != "a" {
		t.Fatalf("the sweeper sent %q, want a", got)
	}
}

// A caption cut at the limit loses nothing and repeats nothing, even when
// the text starts with a blank.
func TestCutKeepsEveryWordOnce(t *testing.T) {
	head, rest := cut("  Na Chi Lăng ngon ngọt", 12)
	if head+" "+rest != "Na Chi Lăng ngon ngọt" {
		t.Fatalf("cut gave %q + %q", head, rest)
	}
}

// A chat whose only reply failed until it was set aside no longer counts
// as waiting for the platform.
func TestASetAsideReplyEndsItsChatsHold(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	ch := &channel{fail: func(flows.Reply) error { return errors.New("502 Bad Gateway") }}
	e := newEngine(t, ch, func() time.Time { return now })
	if err := e.Store.Enqueue(ctx, []flows.Reply{{To: farmer, Text: flows.M("a")}}, now); err != nil {
		t.Fatal(err)
	}
	for range maxSendFails {
		if err := e.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(e.RetryMax)
	}
	if dead, _ := e.Store.DeadLetters(ctx); len(dead) != 1 {
		t.Fatalf("dead letters = %d, want the failing reply", len(dead))
	}
	if n, err := e.Store.Waiting(ctx, now); err != nil || n != 0 {
		t.Fatalf("chats waiting = %d (%v), want 0 once the reply is set aside", n, err)
	}
}

// A group gets one message per gap at most: after a reply to a group the
// next waits for the sweeper, without counting as held back or failing;
// replies that pile up meanwhile wait too, and coalesce. Private chats are
// not paced.
func TestAGroupGetsOneMessagePerGap(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	now := start
	ch := &channel{}
	e := newEngine(t, ch, func() time.Time { return now })
	e.GroupGap = map[flows.Channel]time.Duration{flows.Telegram: 3 * time.Second}
	group := flows.ChatRef{Channel: flows.Telegram, ChatID: "-100"}
	queue := func(rs ...flows.Reply) {
		t.Helper()
		for i := range rs {
			if rs[i].To.ChatID == "" {
				rs[i].To, rs[i].Group = group, true
			}
		}
		if err := e.Store.Enqueue(ctx, rs, now); err != nil {
			t.Fatal(err)
		}
	}
	sweepAt := func(after time.Duration, want string) {
		t.Helper()
		now = start.Add(after)
		if err := e.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if got := ids(to(group, ch.Sent())); got != want {
			t.Fatalf("at +%s sent %q to the group, want %q", after, got, want)
		}
		if n, err := e.Store.Waiting(ctx, now); err != nil || n != 0 {
			t.Fatalf("at +%s %d chats count as waiting (%v): a gap is no trouble", after, n, err)
		}
	}
	queue(flows.Reply{Text: flows.M("a")}, flows.Reply{Text: flows.M("b")},
		flows.Reply{To: farmer, Text: flows.M("p")}, flows.Reply{To: farmer, Text: flows.M("q")})
	sweepAt(0, "a")
	if got := ids(to(farmer, ch.Sent())); got != "pq" {
		t.Fatalf("sent %q to the farmer, want both at once: a private chat is not paced", got)
	}
	// Two announcements queued within the gap wait for it, and the last
	// says both.
	now = start.Add(time.Second)
	announce := flows.Reply{Text: flows.M("c"), Coalesce: "order:NS-7K2Q"}
	queue(announce, announce)
	e.Deliver(ctx, group) // the hot path too waits for the gap
	sweepAt(2900*time.Millisecond, "a")
	sweepAt(3*time.Second, "ab")
	sweepAt(5*time.Second, "ab")
	sweepAt(6*time.Second, "abc")
	if merged := to(group, ch.Sent())[2].Text.Data["Merged"]; merged != 2 {
		t.Fatalf("the announcement stands for %v, want 2", merged)
	}
	c, err := e.Store.Load(ctx, group)
	if err != nil || c.Fails != 0 {
		t.Fatalf("the group's fails = %d (%v), want 0", c.Fails, err)
	}
}

// to are the replies sent to chat.
func to(chat flows.ChatRef, rs []flows.Reply) []flows.Reply {
	var out []flows.Reply
	for _, r := range rs {
		if r.To == chat {
			out = append(out, r)
		}
	}
	return out
}

// A reply rebuilt from PostgreSQL before it goes (a group post, an edit, an
// order announcement) waits out an outage of PostgreSQL however long it
// lasts: the outage is ours, not the platform's, so no failure counts and
// the reply is not set aside. It goes once PostgreSQL answers again.
func TestAnOutageOfPostgreSQLSetsNoRebuiltReplyAside(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	ch := &channel{}
	e := newEngine(t, ch, func() time.Time { return now })
	db, down := rebuildsFail(t, e, now)
	e.Ready = func(ctx context.Context) error { return down.Pool.Ping(ctx) } // /readyz says PostgreSQL is down
	for range 2 * maxSendFails {
		if err := e.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(e.RetryMax)
	}
	if sent := ids(ch.Sent()); sent != "" {
		t.Fatalf("during the outage sent %q, want nothing: the replies keep their order", sent)
	}
	if dead, _ := e.Store.DeadLetters(ctx); len(dead) != 0 {
		t.Fatalf("the outage set %+v aside", dead)
	}
	e.Router.Deps.Listings, e.Ready = db, nil // PostgreSQL answers again
	if err := e.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	sent := ch.Sent()
	if ids(sent) != "ab" || sent[0].Text.Data["Remaining"] == nil {
		t.Fatalf("after the outage sent %q (%+v), want the rebuilt a, then b", ids(sent), sent)
	}
}

// A reply that cannot be rebuilt while PostgreSQL answers (a fault of that
// reply, not an outage) is set aside as one that cannot be sent is, so
// that the replies behind it go out.
func TestARebuildThatAlwaysFailsIsSetAside(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	ch := &channel{}
	e := newEngine(t, ch, func() time.Time { return now })
	rebuildsFail(t, e, now) // e.Ready is nil: PostgreSQL counts as up
	for range maxSendFails {
		if err := e.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(e.RetryMax)
	}
	if dead, _ := e.Store.DeadLetters(ctx); len(dead) != 1 || ids(ch.Sent()) != "b" {
		t.Fatalf("after %d failed rebuilds: dead letters %+v, sent %q; want a set aside, b sent", maxSendFails, dead, ids(ch.Sent()))
	}
}

// rebuildsFail queues, for farmer, a reply rebuilt from a listing ("a")
// then a plain one ("b"), with e's router reading listings from down, a
// closed store whose every query fails; db is a working one, holding the
// listing.
func rebuildsFail(t *testing.T, e *Engine, now time.Time) (db, down *postgres.DB) {
	t.Helper()
	ctx := context.Background()
	db = pgtest.MustOpen(t)
	l := pgtest.MustPublish(t, db, flows.Telegram)
	down, err := postgres.Open(ctx, pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	down.Close() // every query fails
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	e.Router = &flows.Router{Texts: texts, Deps: flows.Deps{Listings: down}}
	news := flows.Reply{To: farmer, Text: flows.M("a"), Rebuild: &flows.Ref{Kind: flows.RefListing, ID: l.ID}}
	if err := e.Store.Enqueue(ctx, []flows.Reply{news, {To: farmer, Text: flows.M("b")}}, now); err != nil {
		t.Fatal(err)
	}
	return db, down
}

// A button press delivered again (its first delivery got no 200: the
// answer of its commit was lost) is not handled twice, but its button is
// answered: else it spins until the app gives up.
func TestAButtonPressDeliveredAgainIsAnswered(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	ch := &channel{}
	e := newEngine(t, ch, func() time.Time { return now })
	in := flows.Input{Channel: flows.Telegram, UpdateID: "77", ChatID: farmer.ChatID, ChatType: flows.Private,
		UserID: farmer.ChatID, Kind: flows.KindChoice, Text: "p:na", At: now}
	// The first delivery committed; its answer did not reach the engine.
	c, err := e.Store.Load(ctx, farmer)
	if err != nil {
		t.Fatal(err)
	}
	st := c.State
	st.Seen = st.Seen.Add(in.UpdateID)
	if _, err := e.Store.Commit(ctx, c, st, nil, now); err != nil {
		t.Fatal(err)
	}
	if err := e.Handle(ctx, in); err != nil {
		t.Fatal(err)
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if len(ch.acked) != 1 || ch.acked[0] != "77" || len(ch.sent) != 0 {
		t.Fatalf("the press delivered again: answered %v, sent %d replies; want it answered, nothing sent", ch.acked, len(ch.sent))
	}
}

// panicky is a store of users that panics reading one: a bug outside the
// flows, which recover their own.
type panicky struct{ flows.Users }

func (panicky) Touch(context.Context, flows.Input) (*flows.User, error) { panic("a bug in the store") }

// parsing is a channel whose every update is the farmer's "hello".
type parsing struct{ channel }

func (*parsing) Parse([]byte) (flows.Input, bool, error) {
	return flows.Input{Channel: flows.Telegram, ChatType: flows.Private, UpdateID: "7", ChatID: farmer.ChatID,
		UserID: farmer.ChatID, Kind: flows.KindText, Text: "hello"}, true, nil
}

// A panic outside the flows lets go of the chat: the poller's next tries
// of the update run, and the third gives it up with the apology, rather
// than waiting for ever on the chat the first try held.
func TestAPanicOutsideTheFlowsLetsGoOfTheChat(t *testing.T) {
	ch := &parsing{}
	e := newEngine(t, &ch.channel, time.Now)
	e.Channels[flows.Telegram] = ch
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	e.Router, e.Users = &flows.Router{Texts: texts, Now: time.Now}, panicky{}
	s := &Server{Engine: e, Metrics: e.Metrics, Log: e.Log}
	handle := s.PollHandler(context.Background(), ch)
	tries := make(chan []bool, 1)
	go func() {
		var goOn []bool
		for range maxAttempts {
			goOn = append(goOn, handle([]byte("{}")))
		}
		tries <- goOn
	}()
	select {
	case goOn := <-tries:
		if goOn[0] || !goOn[maxAttempts-1] {
			t.Fatalf("the poller goes on after each try: %v; want the update again, then given up", goOn)
		}
	case <-time.After(10 * time.Second): // a hang made a failure, not a sleep
		t.Fatal("the second try of the update waits for ever on the chat the first one held")
	}
	if got := ids(ch.Sent()); got != "error.sorrymenu.title" {
		t.Fatalf("the farmer was sent %q, want the apology and the menu", got)
	}
}

// A group upgraded to a supergroup that an admin registered too, before
// the bot learnt of the upgrade (a listing is posted under both ids):
// replies refused at the old id follow it to the supergroup, rather than
// failing on the move, send after send; an edit of an old message does
// not (the supergroup numbers its messages anew: it could change another).
func TestRepliesFollowAGroupOntoItsRegisteredSupergroup(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	old, super := flows.ChatRef{Channel: flows.Telegram, ChatID: "-5"}, flows.ChatRef{Channel: flows.Telegram, ChatID: "-1005"}
	ch := &channel{fail: func(r flows.Reply) error {
		if r.To == old {
			return &UndeliverableError{Reason: "group chat was upgraded to a supergroup chat", MovedTo: super.ChatID}
		}
		return nil
	}}
	e := newEngine(t, ch, func() time.Time { return now })
	db := routed(t, e)
	l := pgtest.MustPublish(t, db, flows.Telegram)
	for _, g := range []flows.ChatRef{old, super} {
		if err := db.SaveGroup(ctx, g, "Chợ", true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SavePost(ctx, flows.Post{ListingID: l.ID, Group: g, MessageIDs: []string{"9"}}); err != nil {
			t.Fatal(err)
		}
	}
	edit := flows.Reply{To: old, Group: true, Text: flows.M("edit"), Edit: &flows.Edit{MessageID: "9"}}
	if err := e.Store.Enqueue(ctx, []flows.Reply{{To: old, Group: true, Text: flows.M("a")}, edit, {To: old, Group: true, Text: flows.M("b")}, edit}, now); err != nil {
		t.Fatal(err)
	}
	if err := e.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got := to(super, ch.Sent()); ids(got) != "ab" {
		c, _ := e.Store.Load(ctx, old)
		t.Fatalf("the supergroup got %q; want ab (the old id's outbox holds %d, %d failures in a row)", ids(got), len(c.Out), c.Fails)
	}
}

// A group's move learnt from a refused send, while PostgreSQL is down,
// cannot be followed (the group's registration moves there): the reply
// waits the outage out, however long, as a reply not rebuilt does,
// instead of counting failed sends until it is set aside. It goes to the
// new id once PostgreSQL answers again.
func TestAGroupsMoveLearntInAnOutageOfPostgreSQLSetsNoReplyAside(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	old, super := flows.ChatRef{Channel: flows.Telegram, ChatID: "-5"}, flows.ChatRef{Channel: flows.Telegram, ChatID: "-1005"}
	ch := &channel{fail: func(r flows.Reply) error {
		if r.To == old {
			return &UndeliverableError{Reason: "group chat was upgraded to a supergroup chat", MovedTo: super.ChatID}
		}
		return nil
	}}
	e := newEngine(t, ch, func() time.Time { return now })
	db := routed(t, e)
	if err := db.SaveGroup(ctx, old, "Chợ", true); err != nil {
		t.Fatal(err)
	}
	down, err := postgres.Open(ctx, pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	down.Close() // every query fails
	e.Router.Deps.Chats, e.Router.Deps.Listings = down, down
	e.Ready = func(ctx context.Context) error { return down.Pool.Ping(ctx) } // /readyz says PostgreSQL is down
	if err := e.Store.Enqueue(ctx, []flows.Reply{{To: old, Group: true, Text: flows.M("a")}}, now); err != nil {
		t.Fatal(err)
	}
	for range 2 * maxSendFails {
		if err := e.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(e.RetryMax)
	}
	if dead, _ := e.Store.DeadLetters(ctx); len(dead) != 0 {
		t.Fatalf("the outage set %+v aside", dead)
	}
	e.Router.Deps.Chats, e.Router.Deps.Listings, e.Ready = db, db, nil // PostgreSQL answers again
	if err := e.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got := to(super, ch.Sent()); ids(got) != "a" {
		t.Fatalf("after the outage the supergroup got %q, want a", ids(got))
	}
}

// A post that lands in a group whose admin took its listing down while it
// was being sent is edited at once, under the same lease, to show it taken
// down: queued, the edit would wait behind the group's backlog, one gap
// apart each, the post up meanwhile with its order button.
func TestAPostLandingWhereItWasTakenDownIsEditedAtOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	group := flows.ChatRef{Channel: flows.Telegram, ChatID: "-100"}
	ch := &channel{}
	e := newEngine(t, ch, func() time.Time { return now })
	e.GroupGap = map[flows.Channel]time.Duration{flows.Telegram: 3 * time.Second}
	db := routed(t, e)
	l := pgtest.MustPublish(t, db, flows.Telegram)
	if _, err := db.SavePost(ctx, flows.Post{ListingID: l.ID, Group: group}); err != nil { // waiting to be sent
		t.Fatal(err)
	}
	admin, err := db.Touch(ctx, flows.Input{Channel: flows.Telegram, UserID: "5005", UserName: "Lâm"})
	if err != nil {
		t.Fatal(err)
	}
	// The post was rebuilt, and on its way, when the admin took it down.
	post := flows.Reply{To: group, Group: true, Lang: flows.GroupLang, Text: flows.M("post.caption"),
		Report: &flows.Report{Listing: l.ID, Code: l.Code, Notify: farmer}}
	backlog := []flows.Reply{post}
	for range 20 {
		backlog = append(backlog, flows.Reply{To: group, Group: true, Text: flows.M("other")})
	}
	if err := e.Store.Enqueue(ctx, backlog, now); err != nil {
		t.Fatal(err)
	}
	if err := db.HidePosts(ctx, l.ID, []flows.Post{{Group: group}}, admin.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	got := to(group, ch.Sent())
	if len(got) != 2 || got[0].Edit != nil || got[1].Edit == nil || got[1].Edit.MessageID != "1" || len(got[1].Choices) != 0 {
		t.Fatalf("the group got %q; want the post, then at once its edit without the order button", ids(got))
	}
}

// routed gives e the flows, on a database of its own, for the replies it
// rebuilds and the groups it follows.
func routed(t *testing.T, e *Engine) *postgres.DB {
	db := pgtest.MustOpen(t)
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	e.Router = &flows.Router{Texts: texts, Deps: flows.Deps{Chats: db, Listings: db}}
	return db
}
