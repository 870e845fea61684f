package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// Zalo documents no redelivery of an event its webhook did not take: one
// answered 503 may be lost. So a Zalo farmer's answer that comes while
// PostgreSQL is unreachable is kept on disk and answered 200, and once
// PostgreSQL is back she gets her reply and her listing is published, once
// even though Zalo sent the event twice meanwhile. A Telegram update in the
// same outage still gets 503: Telegram delivers it again.
func TestZaloAnswerDuringAPostgresOutageIsKeptAndAnsweredAfter(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	env := zaloEnv(orderEnv(t, tg), zs)
	_, pgHost := withHost(t, env["DATABASE_URL"], "")
	pg := newProxy(t, pgHost)
	direct := env["DATABASE_URL"]
	env["DATABASE_URL"], _ = withHost(t, env["DATABASE_URL"], pg.addr)
	z := startZaloWith(t, tg, zs, env)
	const farmer = "6ede9afa66b88fe6d6a9"

	// A listing written up to its last question, the one that publishes.
	z.register(farmer, "0912 888 777")
	z.expect(farmer, "sell.product")
	z.say(farmer, "na chi lang")
	z.expect(farmer, "sell.photos")
	for _, photo := range []string{"photo-1", "photo-2"} {
		z.sendPhoto(farmer, photo, "")
	}
	for _, answer := range []string{"xong", "500 kg", "25k", "hôm nay", "bỏ qua"} {
		z.say(farmer, answer)
	}
	u := z.user(farmer)
	publish := zalotest.Wrapped(z.Z.Text(zalotest.Private(u), u, z.choose(z.last(farmer), "sell.publish")))
	before := len(z.received(farmer))

	pg.Cut()
	for range 2 { // Zalo might send it again: it is kept twice, handled once
		if code := zalotest.Post(t, z.b.URL+"/webhook/zalo", zaloSecret, publish); code != http.StatusOK {
			t.Fatalf("the farmer's answer with PostgreSQL down answered %d, want 200: Zalo would not send it again", code)
		}
	}
	// A new Telegram user is looked up in PostgreSQL.
	if code := z.b.Post(z.b.Up.Text(7001, 7001, "/start")); code != http.StatusServiceUnavailable {
		t.Errorf("a Telegram update with PostgreSQL down answered %d, want 503 so that Telegram sends it again", code)
	}
	if n := z.b.counter("nongsan_spool_depth"); n != 2 {
		t.Errorf("spool depth %v during the outage, want the 2 deliveries", n)
	}
	if n := z.b.counter("nongsan_spooled_updates_total"); n != 2 {
		t.Errorf("%v updates spooled, want 2", n)
	}
	if got := z.received(farmer); len(got) != before {
		t.Errorf("the farmer was answered while PostgreSQL was down: %q", got[before:])
	}

	pg.Restore()
	published := z.waitAfter(farmer, before, func(s string) bool {
		return strings.HasPrefix(s, "✅ Đã đăng tin") || strings.HasPrefix(s, "✅ Đã lưu tin")
	})
	waitFor(t, "the spool to be empty", func() bool { return z.b.counter("nongsan_spool_depth") == 0 })
	if n := z.b.counter("nongsan_spool_replayed_total"); n != 2 {
		t.Errorf("%v updates replayed, want 2", n)
	}
	got := z.received(farmer)[before:]
	if n := strings.Count(strings.Join(got, "\n"), "✅"); n != 1 {
		t.Errorf("after the outage the farmer got %q, want the listing published once", got)
	}
	db, err := pgx.Connect(context.Background(), direct)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	var listings int
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM listings`).Scan(&listings); err != nil {
		t.Fatal(err)
	}
	if listings != 1 {
		t.Errorf("%d listings stored, want 1 (%q)", listings, published)
	}
	// Zalo's timeout is not documented: the time to answer each webhook
	// request is measured.
	if n := z.b.counter("nongsan_webhook_answer_seconds_count"); n == 0 {
		t.Error("the time to answer the webhook is not measured")
	}
}

// What is kept on disk outlives the process: a Zalo farmer's answer spooled
// while Redis is down, the service stopped before Redis comes back, is
// handled when the service starts again, and she gets her reply.
func TestZaloSpoolSurvivesARestart(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	redis := redistest.StartServer(t)
	env := zaloEnv(newEnv(t, tg), zs)
	env["REDIS_URL"] = redis.URL()
	z := startZaloWith(t, tg, zs, env)
	const farmer = "8f3a0c1b2d4e5f607182"

	z.say(farmer, "/ngonngu")
	before := len(z.received(farmer))
	redis.Stop()
	z.say(farmer, "English") // 200, or say fails the test
	if code := z.b.Post(z.b.Up.Text(7002, 7002, "/start")); code != http.StatusServiceUnavailable {
		t.Errorf("a Telegram update with Redis down answered %d, want 503", code)
	}
	z.b.Stop()
	if got := z.received(farmer); len(got) != before {
		t.Fatalf("the farmer was answered while Redis was down: %q", got[before:])
	}

	redis.Start()
	again := startZaloWith(t, tg, zs, env)
	want := squash(text(t, "en", "lang.done", "NoButtons", true, "BotName", zalotest.BotName))
	again.waitAfter(farmer, before, func(s string) bool { return strings.HasPrefix(squash(s), want) })
	waitFor(t, "the spool to be empty", func() bool { return again.b.counter("nongsan_spool_depth") == 0 })
}

// The spool does not grow without bound: with SPOOL_MAX updates waiting
// (PostgreSQL down), the next Zalo event is answered 503, not kept, and
// the overflow is logged once, not once an event. Once PostgreSQL is back
// and the spool has drained, events are taken again, and those kept get
// their replies.
func TestZaloSpoolRefusesBeyondSpoolMaxUntilItDrains(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	env := zaloEnv(orderEnv(t, tg), zs)
	env["SPOOL_MAX"] = "2"
	_, pgHost := withHost(t, env["DATABASE_URL"], "")
	pg := newProxy(t, pgHost)
	env["DATABASE_URL"], _ = withHost(t, env["DATABASE_URL"], pg.addr)
	z := startZaloWith(t, tg, zs, env)
	farmers := []string{"5a1e0000000000000001", "5a1e0000000000000002", "5a1e0000000000000003", "5a1e0000000000000004"}
	event := func(id string) []byte {
		u := z.user(id)
		return zalotest.Wrapped(z.Z.Text(zalotest.Private(u), u, "/help"))
	}

	pg.Cut()
	for i, f := range farmers {
		want := http.StatusOK
		if i >= 2 {
			want = http.StatusServiceUnavailable // the spool holds 2
		}
		if code := zalotest.Post(t, z.b.URL+"/webhook/zalo", zaloSecret, event(f)); code != want {
			t.Errorf("event %d with PostgreSQL down answered %d, want %d", i+1, code, want)
		}
	}
	if n := z.b.counter("nongsan_spool_depth"); n != 2 {
		t.Errorf("spool depth %v, want SPOOL_MAX, 2", n)
	}
	if n := z.b.counter("nongsan_spool_refused_total"); n != 2 {
		t.Errorf("nongsan_spool_refused_total %v, want the 2 events refused", n)
	}
	if n := strings.Count(z.b.Logs.String(), "spool full"); n != 1 {
		t.Errorf("the overflow logged %d times, want once:\n%s", n, z.b.Logs)
	}

	pg.Restore()
	for _, f := range farmers[:2] {
		z.expect(f, "help.text")
	}
	waitFor(t, "the spool to be empty", func() bool { return z.b.counter("nongsan_spool_depth") == 0 })
	// Zalo may not send the refused ones again; this one is new.
	z.say(farmers[2], "/help")
	z.expect(farmers[2], "help.text")
	if got := z.received(farmers[3]); len(got) != 0 {
		t.Errorf("a refused event was answered: %q", got)
	}
}
