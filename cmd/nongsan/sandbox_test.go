package main

import (
	"context"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vietqr"
)

// plainOn drives b's plain channel ch, registered in whichever app.
func plainOn(t *testing.T, b *testBot, ch *bottest.Channel) *plainBot {
	p := &plainBot{b: b, ch: ch}
	p.typist = &typist{t: t, c: p}
	return p
}

// queryRow reads one row of the database at url.
func queryRow(t *testing.T, url, sql string, args []any, dest ...any) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func count(t *testing.T, url, sql string, args ...any) int {
	t.Helper()
	var n int
	queryRow(t, url, sql, args, &n)
	return n
}

// sandboxMarketTitle is the seeded market group's title, "" if it is not
// a market for every area.
func sandboxMarketTitle(t *testing.T, url string) string {
	t.Helper()
	var title string
	queryRow(t, url, `SELECT coalesce(max(c.title), '') FROM sandbox.market_groups m JOIN sandbox.chats c USING (channel, chat_id)
		WHERE m.channel = 'web' AND m.chat_id = 'market' AND cardinality(m.areas) = 0 AND c.active AND c.type = 'group'`, nil, &title)
	return title
}

// A photo's public id, by the listing it belongs to, in a schema.
func photoOf(t *testing.T, url, schema, code string) string {
	t.Helper()
	var id string
	queryRow(t, url, `SELECT m.id FROM `+schema+`.media m JOIN `+schema+`.listings l ON l.id = m.listing_id
		WHERE l.code = $1 ORDER BY m.id LIMIT 1`, []any{code}, &id)
	return id
}

func TestWithoutATokenTheServiceIsTheSandboxInASchemaOfItsOwn(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	delete(env, "TELEGRAM_BOT_TOKEN")
	ch := bottest.New()
	b := startBot(t, tg, env, ch)
	p := plainOn(t, b, ch)

	// Printed just after "listening", which startBot waits for.
	waitFor(t, "serve to print the sandbox's address", func() bool {
		return strings.Contains(b.Logs.String(), "\nOpen "+env["PUBLIC_BASE_URL"]+"/sandbox\n")
	})
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/sandbox"} {
		if code, _ := b.Get(path); code != http.StatusOK {
			t.Errorf("GET %s: %d", path, code)
		}
	}
	url := env["DATABASE_URL"]
	if title := sandboxMarketTitle(t, url); title != text(t, "vi", "sandbox.market") {
		t.Errorf("the sandbox's market group at start: %q", title)
	}

	p.register("f1", "0912 888 777")
	published, code := p.publish("f1", "500 kg", "25k")
	if !strings.HasPrefix(published, "✅ Đã đăng tin") {
		t.Errorf("the listing did not go to the seeded market: %q", published)
	}
	if n := count(t, url, `SELECT count(*) FROM sandbox.listings WHERE code = $1`, code); n != 1 {
		t.Errorf("%d listings %s in schema sandbox", n, code)
	}
	if n := count(t, url, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`); n != 0 {
		t.Errorf("the sandbox alone created %d tables in public", n)
	}
	if n := count(t, url, `SELECT count(*) FROM sandbox.market_groups`); n != 1 {
		t.Errorf("%d market groups in the sandbox, want its one", n)
	}
	// Its photos at /media, as the only app's.
	photo := photoOf(t, url, "sandbox", code)
	if status, _ := b.Get("/media/" + photo); status != http.StatusOK {
		t.Errorf("GET /media/%s: %d", photo, status)
	}
}

func TestTheSandboxBesideTheRealAppSharesNothingWithIt(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["SANDBOX"] = "1"
	ch := bottest.New()
	b := startBot(t, tg, env, inSandbox{ch})
	p := plainOn(t, b, ch)
	url := env["DATABASE_URL"]

	// Logged just after "listening", which is all startBot waits for.
	waitFor(t, "the sandbox's address in the logs", func() bool {
		return strings.Contains(b.Logs.String(), `"url":"`+env["PUBLIC_BASE_URL"]+`/sandbox"`)
	})
	b.markets()
	b.register(farmer)
	real := b.listing(farmer, "5 tạ", "25k")
	p.register("f1", "0912 888 777")
	_, sandbox := p.publish("f1", "500 kg", "26k")

	// Each world's listing in its own schema only.
	for _, c := range []struct{ schema, code string }{{"public", real}, {"sandbox", sandbox}} {
		if n := count(t, url, `SELECT count(*) FROM `+c.schema+`.listings`); n != 1 {
			t.Errorf("%d listings in %s, want %s alone", n, c.schema, c.code)
		}
		if n := count(t, url, `SELECT count(*) FROM `+c.schema+`.listings WHERE code = $1`, c.code); n != 1 {
			t.Errorf("listing %s not in %s", c.code, c.schema)
		}
	}
	// Markets: the real groups are not the sandbox's, nor its group theirs.
	if n := count(t, url, `SELECT count(*) FROM public.market_groups WHERE channel = 'web'`); n != 0 {
		t.Errorf("the sandbox's market is among the real ones")
	}
	if n := count(t, url, `SELECT count(*) FROM sandbox.market_groups WHERE channel <> 'web'`); n != 0 {
		t.Errorf("a real market is among the sandbox's")
	}
	// Nothing of the sandbox reached Telegram, nothing real the sandbox.
	for _, c := range tg.Calls() {
		for _, v := range c.Params {
			if strings.Contains(v, sandbox) || strings.Contains(v, "26.000") {
				t.Errorf("the sandbox's listing reached Telegram: %s to %s", c.Method, c.ChatID)
			}
		}
	}
	for _, m := range ch.All() {
		if strings.Contains(m.Text, real) {
			t.Errorf("the real listing reached the sandbox: %q", m.Text)
		}
	}

	// Photos under each app's base; health and metrics from the real app only.
	realPhoto, sandboxPhoto := photoOf(t, url, "public", real), photoOf(t, url, "sandbox", sandbox)
	for path, want := range map[string]int{
		"/media/" + realPhoto:            http.StatusOK,
		"/sandbox/media/" + sandboxPhoto: http.StatusOK,
		"/media/" + sandboxPhoto:         http.StatusNotFound,
		"/sandbox/media/" + realPhoto:    http.StatusNotFound,
		"/healthz":                       http.StatusOK,
		"/sandbox":                       http.StatusOK,
		"/sandbox/healthz":               http.StatusNotFound,
		"/sandbox/metrics":               http.StatusNotFound,
	} {
		if status, _ := b.Get(path); status != want {
			t.Errorf("GET %s: %d, want %d", path, status, want)
		}
	}
	// Redis: the sandbox's keys are under its own prefix.
	rdb := redistest.MustClient(t)
	if keys, _ := rdb.Keys(context.Background(), env["REDIS_PREFIX"]+"sandbox:{*}chat:plain:*").Result(); len(keys) == 0 {
		t.Error("no sandbox chat under the sandbox's prefix")
	}
	if keys, _ := rdb.Keys(context.Background(), env["REDIS_PREFIX"]+"{*}chat:plain:*").Result(); len(keys) != 0 {
		t.Errorf("sandbox chats under the real prefix: %v", keys)
	}

	// "Làm lại từ đầu" starts over only the visitor who pressed it (here a
	// page of its own): neither the real world nor the sandbox's other
	// people lose anything. The whole sandbox's wipe is
	// TestResetEmptiesTheSandboxAndKeepsTheRealWorld.
	resp, err := http.Post(b.URL+"/sandbox/api/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if n := count(t, url, `SELECT count(*) FROM sandbox.listings WHERE code = $1`, sandbox); n != 1 {
		t.Errorf("another sandbox person's listing is gone after a visitor's reset")
	}
	if n := count(t, url, `SELECT count(*) FROM public.listings WHERE code = $1`, real); n != 1 {
		t.Error("the real listing is gone after the sandbox's reset")
	}
	if keys, _ := rdb.Keys(context.Background(), env["REDIS_PREFIX"]+"sandbox:{*}chat:plain:*").Result(); len(keys) == 0 {
		t.Error("another sandbox person's chat is gone after a visitor's reset")
	}
	if keys, _ := rdb.Keys(context.Background(), env["REDIS_PREFIX"]+"{*}chat:telegram:*").Result(); len(keys) == 0 {
		t.Error("the real chats are gone after the sandbox's reset")
	}
	for path, want := range map[string]int{"/sandbox/media/" + sandboxPhoto: http.StatusOK, "/media/" + realPhoto: http.StatusOK} {
		if status, _ := b.Get(path); status != want {
			t.Errorf("GET %s after a visitor's reset: %d, want %d", path, status, want)
		}
	}
}

func TestNoSandboxWithATokenUnlessAskedNorWithSandboxOff(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	payment, err := vietqr.Payload(vietqr.Transfer{BIN: "970436", Account: "0011001932418", Amount: 25000, Purpose: "DH-7K2Q"})
	if err != nil {
		t.Fatal(err)
	}
	for name, configure := range map[string]func(env map[string]string){
		"token, SANDBOX unset": func(map[string]string) {},
		"token, SANDBOX=0":     func(env map[string]string) { env["SANDBOX"] = "0" },
		"no token, SANDBOX=0": func(env map[string]string) {
			delete(env, "TELEGRAM_BOT_TOKEN")
			env["SANDBOX"] = "0"
		},
	} {
		env := newEnv(t, tg)
		configure(env)
		b := startBot(t, tg, env)
		// Served by the real app, minted with its key.
		cfg := config{TelegramToken: env["TELEGRAM_BOT_TOKEN"], TelegramSecret: env["TELEGRAM_WEBHOOK_SECRET"]}
		qr := bot.QRPath + bot.NewQRCodes(cfg.qrSecret()).Code(payment) + ".png"
		if status, _ := b.Get(qr); status != http.StatusOK {
			t.Errorf("%s: GET %s: %d", name, qr, status)
		}
		for _, path := range []string{"/sandbox", "/sandbox/media/x", "/sandbox" + qr, "/sandbox/cho"} {
			if status, _ := b.Get(path); status != http.StatusNotFound {
				t.Errorf("%s: GET %s: %d, want 404", name, path, status)
			}
		}
		if n := count(t, env["DATABASE_URL"], `SELECT count(*) FROM pg_namespace WHERE nspname = 'sandbox'`); n != 0 {
			t.Errorf("%s: a sandbox schema was created", name)
		}
		if strings.Contains(b.Logs.String(), "/sandbox") {
			t.Errorf("%s: a sandbox address was given:\n%s", name, b.Logs)
		}
		b.Stop()
	}
}

func TestSandboxSettingIsOneOrZero(t *testing.T) {
	t.Parallel()
	env := newEnv(t, telegramtest.NewServer(t))
	env["SANDBOX"] = "yes please"
	err := run(context.Background(), []string{"nongsan", "serve"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "SANDBOX") {
		t.Fatalf("serve with SANDBOX=%q: %v", env["SANDBOX"], err)
	}
}

// The sandbox's "start over" empties its world and seeds its market again;
// the real world beside it, in the same database and Redis, keeps everything.
func TestResetEmptiesTheSandboxAndKeepsTheRealWorld(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": pgtest.NewDatabase(t), "REDIS_URL": redistest.URL(t),
		"REDIS_PREFIX": redistest.Prefix(t), "MEDIA_CACHE_DIR": t.TempDir()}
	var cfg config
	cfg.flags(flag.NewFlagSet("test", flag.ContinueOnError), func(k string) string { return env[k] })
	real, err := newApp(ctx, cfg, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer real.close()
	sandbox, err := newApp(ctx, sandboxConfig(cfg, sandboxPath), zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer sandbox.close()

	realListing := pgtest.MustPublish(t, real.db, flows.Telegram, "p1")
	pgtest.MustPublish(t, sandbox.db, flows.Web, "p2")
	rdb := redistest.MustClient(t)
	realKey, sandboxKey := cfg.RedisPrefix+"chat:telegram:1", cfg.RedisPrefix+"sandbox:chat:web:farmer"
	rdb.Set(ctx, realKey, "x", 0)
	rdb.Set(ctx, sandboxKey, "x", 0)
	cached := filepath.Join(sandbox.cfg.MediaCacheDir, "abc.jpg")
	if err := os.MkdirAll(filepath.Dir(cached), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cached, []byte("jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}

	if err := sandbox.reset(ctx); err != nil {
		t.Fatal(err)
	}
	url := env["DATABASE_URL"]
	for _, table := range []string{"listings", "sellers", "users", "media"} {
		if n := count(t, url, `SELECT count(*) FROM sandbox.`+table); n != 0 {
			t.Errorf("%d rows left in sandbox.%s", n, table)
		}
	}
	if title := sandboxMarketTitle(t, url); title != text(t, "vi", "sandbox.market") {
		t.Errorf("the market was not seeded again: %q", title)
	}
	markets, err := sandbox.db.MarketsFor(ctx, "chi_lang")
	if err != nil || len(markets) != 1 || markets[0].Ref != (flows.ChatRef{Channel: flows.Web, ChatID: "market"}) {
		t.Errorf("the sandbox's markets for Chi Lăng after reset: %+v, %v", markets, err)
	}
	if n, _ := rdb.Exists(ctx, sandboxKey).Result(); n != 0 {
		t.Error("a sandbox key survived the reset")
	}
	if _, err := os.Stat(cached); !os.IsNotExist(err) {
		t.Errorf("a cached sandbox photo survived the reset: %v", err)
	}

	if l, err := real.db.Listing(ctx, realListing.ID); err != nil || l.Code != realListing.Code {
		t.Errorf("the real listing after the sandbox's reset: %+v, %v", l, err)
	}
	if n, _ := rdb.Exists(ctx, realKey).Result(); n != 1 {
		t.Error("a real key was deleted by the sandbox's reset")
	}
	// The real app never resets, whoever asks.
	if err := real.reset(ctx); err == nil {
		t.Error("the real app reset")
	}
	if n := count(t, url, `SELECT count(*) FROM public.listings`); n != 1 {
		t.Errorf("%d real listings after the real app was asked to reset", n)
	}
}

func TestMigrateMigratesTheSandboxWhenItIsOn(t *testing.T) {
	t.Parallel()
	migrate := func(env map[string]string) string {
		t.Helper()
		var out strings.Builder
		if err := run(context.Background(), []string{"nongsan", "migrate"}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	tg := telegramtest.NewServer(t)
	withToken := newEnv(t, tg)
	if out := migrate(withToken); strings.Contains(out, "sandbox") ||
		count(t, withToken["DATABASE_URL"], `SELECT count(*) FROM pg_namespace WHERE nspname = 'sandbox'`) != 0 {
		t.Errorf("migrate with a token and no SANDBOX made the sandbox: %q", out)
	}
	noToken := newEnv(t, tg)
	delete(noToken, "TELEGRAM_BOT_TOKEN")
	if out := migrate(noToken); !strings.Contains(out, "migrations applied in schema sandbox: ") {
		t.Errorf("migrate without a token: %q", out)
	}
	if n := count(t, noToken["DATABASE_URL"], `SELECT count(*) FROM sandbox.goose_db_version`); n == 0 {
		t.Error("the sandbox schema is not migrated")
	}
	if out := migrate(noToken); !strings.Contains(out, "migrations applied: 0\nmigrations applied in schema sandbox: 0\n") {
		t.Errorf("migrate again: %q", out)
	}
}
