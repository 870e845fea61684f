package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows"
)

// chatKey is where the bot keeps a Telegram chat in Redis.
func (b *testBot) chatKey(chat int64) string {
	return redis.ChatKey(b.Env["REDIS_PREFIX"], flows.ChatRef{Channel: flows.Telegram, ChatID: itoa(chat)})
}

func (b *testBot) redis() goredis.UniversalClient {
	b.t.Helper()
	return redistest.MustClient(b.t)
}

// A chat whose stored state is garbage, or names a flow or a step that a
// deploy removed, is answered at its very next message: the farmer is told
// the unfinished task was lost and sees the menu, and the webhook says 200
// so that Telegram does not retry forever.
func TestAChatWithUnusableStateIsAnsweredAtOnce(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		state func(stored string) string
	}{
		{"garbage", func(string) string { return "{not json at all" }},
		{"removed flow", func(s string) string { return strings.Replace(s, `"flow":"sell"`, `"flow":"barter"`, 1) }},
		{"removed step", func(s string) string { return strings.Replace(s, `"step":"quantity"`, `"step":"weigh"`, 1) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := startBot(t, telegramtest.NewServer(t), nil)
			b.toQuantity(farmer)
			rdb := b.redis()
			ctx := context.Background()
			stored, err := rdb.HGet(ctx, b.chatKey(farmer), "s").Result()
			if err != nil {
				t.Fatal(err)
			}
			broken := tt.state(stored)
			if broken == stored {
				t.Fatalf("the stored state does not look as expected: %s", stored)
			}
			rdb.HSet(ctx, b.chatKey(farmer), "s", broken)

			if code := b.Post(b.Up.Text(farmer, farmer, "5 tạ")); code != http.StatusOK {
				t.Fatalf("webhook answered %d, want 200", code)
			}
			msgs := b.Sent(farmer)
			if got, want := msgs[len(msgs)-2].Text, text(t, "vi", "session.lost"); got != want {
				t.Fatalf("bot said %q, want %q", got, want)
			}
			b.expect(farmer, "menu.title")
			// The chat works again: a new listing starts as usual.
			b.Say(farmer, "/ban")
			b.expect(farmer, "sell.product")
			if _, metrics := b.Get("/metrics"); !strings.Contains(metrics, "nongsan_conversation_resets_total") {
				t.Error("/metrics does not count the reset")
			}
		})
	}
}

// A reply that cannot be read, or is for a channel this deployment does
// not run, is set aside in the dead-letter list instead of blocking the
// replies behind it; `nongsan outbox` shows it and puts it back.
func TestUndeliverableRepliesAreSetAsideAndCanBeRequeued(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	rdb := b.redis()
	ctx := context.Background()
	rdb.HSet(ctx, b.chatKey(farmer), "o:1", "[garbage", "n", 1)
	zaloChat := flows.ChatRef{Channel: flows.Zalo, ChatID: "8f3a"}
	zalo := redis.ChatKey(b.Env["REDIS_PREFIX"], zaloChat)
	rdb.HSet(ctx, zalo, "o:1", `{"to":{"Channel":"zalo","ChatID":"8f3a"},"lang":"vi","text":{"id":"menu.title"}}`, "n", 1)
	rdb.ZAdd(ctx, redis.New(rdb, b.Env["REDIS_PREFIX"]).DueKey(zaloChat), goredis.Z{Score: 0, Member: zalo})

	b.Say(farmer, "/start")
	b.expect(farmer, "menu.title") // not held back by the garbage before it

	// The sweeper sets the Zalo reply aside too (no Zalo here).
	var list string
	waitFor(t, "both replies set aside", func() bool {
		list = b.outbox("list")
		return strings.Count(list, "\n") >= 3
	})
	for _, want := range []string{"telegram:" + itoa(farmer), "unreadable reply", "zalo:8f3a", "channel not configured"} {
		if !strings.Contains(list, want) {
			t.Errorf("nongsan outbox list lacks %q:\n%s", want, list)
		}
	}
	if strings.Contains(list, "menu.title") && strings.Contains(list, "Anh/chị") {
		t.Errorf("the list shows reply texts:\n%s", list)
	}
	if out := b.outbox("requeue"); !strings.HasPrefix(out, "2 ") {
		t.Errorf("requeue said %q, want it to count 2", out)
	}
	// Back in their outboxes, they are tried again, and set aside again
	// since they still cannot be delivered.
	waitFor(t, "the requeued replies tried and set aside again", func() bool {
		return strings.Contains(b.outbox("list"), "zalo:8f3a")
	})
}

// outbox runs `nongsan outbox action` against the bot's Redis.
func (b *testBot) outbox(action string) string {
	b.t.Helper()
	var out strings.Builder
	if err := run(context.Background(), []string{"nongsan", "outbox", action}, func(k string) string { return b.Env[k] }, &out, &out); err != nil {
		b.t.Fatalf("nongsan outbox %s: %v\n%s", action, err, out.String())
	}
	return out.String()
}

// sentTexts are the texts Telegram accepted for chat, in order.
func (b *testBot) sentTexts(chat int64) []string {
	var texts []string
	for _, m := range b.Sent(chat) {
		texts = append(texts, m.Text)
	}
	return texts
}

// Telegram stalls while a reply is being sent, longer than the chat's send
// lease; meanwhile the farmer answers through another replica. Every reply
// arrives once, in order: a stalled try is abandoned before the lease
// ends, and the other replica leaves the chat's replies to the sender.
func TestAStalledBotAPISendsNothingTwiceNorOutOfOrder(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["SEND_TIMEOUT"] = "300ms" // the lease is 900ms; the stall 3s
	a, b := startBot(t, tg, env), startBot(t, tg, env)
	tg.FailNext("sendMessage", 1, telegramtest.Failure{Hang: 3 * time.Second, Status: http.StatusGatewayTimeout})

	first := make(chan int, 1)
	go func() { first <- a.Post(a.Up.Text(farmer, farmer, "/ngonngu")) }()
	rdb, ctx := a.redis(), context.Background()
	waitFor(t, "replica a sending", func() bool {
		lease, _ := rdb.HGet(ctx, a.chatKey(farmer), "lt").Result()
		return lease != ""
	})
	b.Say(farmer, "English")
	if code := <-first; code != http.StatusOK {
		t.Fatalf("first update answered %d", code)
	}
	want := []string{text(t, "vi", "lang.ask"), text(t, "en", "lang.done")}
	var got []string
	waitFor(t, "both replies", func() bool {
		got = a.sentTexts(farmer)
		return len(got) >= 2
	})
	if got = got[:min(len(got), 3)]; !slices.Equal(got[:2], want) {
		t.Fatalf("delivered %q, want %q first, once each", got, want)
	}
	for i, text := range got[1:] {
		if text == got[i] {
			t.Fatalf("delivered %q twice in a row", text)
		}
	}
	if n := strings.Count(strings.Join(a.sentTexts(farmer), "\n"), want[0]); n != 1 {
		t.Fatalf("the language question was delivered %d times", n)
	}
}

// Telegram answers 502 to every message for a while; the farmer goes on
// typing. Once it is back, the waiting replies arrive within seconds (the
// backoff starts under a second and never waits more than 10 s), in order,
// once each.
func TestRepliesHeldByAnOutageArriveSoonAfterInOrder(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.TG.SetDown("sendMessage", &telegramtest.Failure{Status: http.StatusBadGateway})
	b.Say(farmer, "/ngonngu")
	b.Say(farmer, "English")
	// Several rounds of the backoff have failed: the outage is not short.
	waitFor(t, "six failed sends", func() bool { return len(b.TG.CallsTo("sendMessage")) >= 6 })
	b.TG.SetDown("sendMessage", nil)

	failed := len(b.TG.CallsTo("sendMessage"))
	calls := b.TG.WaitCalls(t, "sendMessage", failed+2) // within 10 s of the recovery
	var got []string
	for _, c := range calls {
		if c.Status == http.StatusOK {
			got = append(got, c.Params["text"])
		}
	}
	want := []string{text(t, "vi", "lang.ask"), text(t, "en", "lang.done")}
	if len(got) < 2 || !slices.Equal(got[:2], want) {
		t.Fatalf("after the outage: %q, want %q first", got, want)
	}
	if n := strings.Count(strings.Join(got, "\n"), want[0]); n != 1 {
		t.Fatalf("the language question arrived %d times", n)
	}
}

// A step that needs nothing from PostgreSQL runs no SQL: the farmer's
// answers mid-listing are understood even while the database is away (the
// user travels in the session, read again at most once an hour).
func TestAMidFlowStepNeedsNoDatabase(t *testing.T) {
	t.Parallel()
	b, p := startBotBehindProxy(t)
	b.toQuantity(farmer)

	p.Cut()
	b.Say(farmer, "5 tạ")
	b.expect(farmer, "sell.price", "Unit", "kg")
	b.Say(farmer, "quay lại")
	b.expect(farmer, "sell.quantity", "Product", "Quýt Bắc Sơn", "Unit", "kg")
}

// An update that keeps failing is answered after its third try with an
// apology, and the chat starts over instead of failing again and again.
func TestAnUpdateThatKeepsFailingEndsInAnApology(t *testing.T) {
	t.Parallel()
	b, p := startBotBehindProxy(t)
	b.Say(farmer, "/ngonngu") // a conversation in progress

	// While PostgreSQL is away the update is refused, however often it
	// comes: the outage is not its fault.
	p.Cut()
	mine := b.Up.Text(farmer, farmer, "/tin") // reads the farmer's listings
	for try := 1; try <= 5; try++ {
		if code := b.Post(mine); code != http.StatusServiceUnavailable {
			t.Fatalf("try %d during the outage answered %d, want 503 so that Telegram retries", try, code)
		}
	}
	p.Restore()
	// PostgreSQL answers, but the update still fails (here: its table is
	// gone): after three tries it gets an apology.
	if _, err := pgExec(b, "ALTER TABLE listings RENAME TO listings_away"); err != nil {
		t.Fatal(err)
	}
	for try := 1; try <= 2; try++ {
		if code := b.Post(mine); code != http.StatusServiceUnavailable {
			t.Fatalf("try %d answered %d, want 503 so that Telegram retries", try, code)
		}
	}
	if code := b.Post(mine); code != http.StatusOK {
		t.Fatalf("third try answered %d, want 200", code)
	}
	msgs := b.Sent(farmer)
	if got, want := msgs[len(msgs)-2].Text, text(t, "vi", "error.sorry"); got != want {
		t.Fatalf("after three failures: %q, want %q", got, want)
	}
	b.expect(farmer, "menu.title")
	// The language question is gone: "1" no longer picks Vietnamese.
	if _, err := pgExec(b, "ALTER TABLE listings_away RENAME TO listings"); err != nil {
		t.Fatal(err)
	}
	b.Say(farmer, "1")
	if got := b.Last(farmer).Text; got == text(t, "vi", "lang.done") {
		t.Fatal("the conversation the failure interrupted went on")
	}
}

// A sender whose own row PostgreSQL refuses (read before any flow runs) is
// not left to 503s that the platform stops retrying: after the third try
// the update ends in the apology and the menu, as a failing step does.
func TestASenderThatCannotBeReadIsToldAfterTheThirdTry(t *testing.T) {
	t.Parallel()
	b, _ := startBotBehindProxy(t)
	const refused = int64(4343)
	if _, err := pgExec(b, `
		CREATE FUNCTION refuse_sender() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
		CREATE TRIGGER refuse_sender BEFORE INSERT OR UPDATE ON users
			FOR EACH ROW WHEN (NEW.platform_id = '`+itoa(refused)+`') EXECUTE FUNCTION refuse_sender()`); err != nil {
		t.Fatal(err)
	}
	up := b.Up.Text(refused, refused, "/start")
	for try := 1; try <= 2; try++ {
		if code := b.Post(up); code != http.StatusServiceUnavailable {
			t.Fatalf("try %d answered %d, want 503 so that Telegram retries", try, code)
		}
	}
	if code := b.Post(up); code != http.StatusOK {
		t.Fatalf("third try answered %d, want 200", code)
	}
	msgs := b.Sent(refused)
	if len(msgs) < 2 || msgs[len(msgs)-2].Text != text(t, "vi", "error.sorry") {
		t.Fatalf("after three failures: %d messages, want the apology, then the menu", len(msgs))
	}
	b.expect(refused, "menu.title")
}
