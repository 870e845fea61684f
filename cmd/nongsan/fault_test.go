package main

import (
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// loadUsers is how many farmers a fault test's load runs at once.
//
// The tests that run a load are not parallel: alone, their load does not
// starve the timing of the other tests, and they take seconds each.
const loadUsers = 12

// Telegram delivers about one update in ten twice, some of them twice at
// the same moment: each is processed once (one answer, one listing).
func TestDuplicateDeliveriesUnderLoadAreProcessedOnce(t *testing.T) {
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, nil)
	l := newLoad(t, tg, b.URL, loadUsers)
	l.Dup = 10
	l.start()
	l.wait()
	l.check(b.Env["DATABASE_URL"])
}

// Redis is killed (SIGKILL) and started again on the same port and folder
// in the middle of the load. Meanwhile the webhook answers 5xx, so that
// Telegram delivers again, and /readyz says not ready; after it, the
// deliveries again succeed and every conversation goes on from where it
// was: the append-only file kept it.
func TestRedisKilledMidLoad(t *testing.T) {
	b, redis := startBotOnOwnRedis(t)
	l := newLoad(t, b.TG, b.URL, loadUsers)
	l.start()
	waitFor(t, "every user a few steps in", func() bool { return l.progress() >= 4 })

	redis.Kill()
	if code, _ := b.Get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with Redis down = %d, want 503", code)
	}
	waitFor(t, "the load's deliveries to be refused", func() bool { return l.statuses()[http.StatusServiceUnavailable] >= loadUsers })
	if code := b.Post(b.Up.Text(farmer, farmer, "/start")); code < 500 {
		t.Errorf("an update with Redis down answered %d, want 5xx", code)
	}
	redis.Start()

	l.wait()
	if code, _ := b.Get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after Redis came back = %d", code)
	}
	l.check(b.Env["DATABASE_URL"])
}

// PostgreSQL, a cluster of the test's own, stops as a crash would (pg_ctl
// -m immediate) in the middle of the load and starts again. Meanwhile what
// needs it answers 5xx and /readyz says not ready; after it, every
// conversation finishes, and nothing that got a 200 is lost: each user's
// listing is in the database once.
func TestPostgresRestartedMidLoad(t *testing.T) {
	pg := pgtest.StartServer(t)
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["DATABASE_URL"] = pg.URL()
	b := startBot(t, tg, env)
	l := newLoad(t, tg, b.URL, loadUsers)
	l.start()
	waitFor(t, "every user a few steps in", func() bool { return l.progress() >= 2 })

	pg.Stop()
	if code, _ := b.Get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with PostgreSQL down = %d, want 503", code)
	}
	// A new user is looked up in PostgreSQL.
	if code := b.Post(b.Up.Text(farmer, farmer, "/start")); code < 500 {
		t.Errorf("an update with PostgreSQL down answered %d, want 5xx", code)
	}
	// Steps in the middle of a form need no database and go on; every user
	// comes to one that does.
	waitFor(t, "the load's deliveries to be refused", func() bool { return l.statuses()[http.StatusServiceUnavailable] >= 2*loadUsers })
	pg.Start()

	l.wait()
	if code, _ := b.Get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after PostgreSQL came back = %d", code)
	}
	l.check(pg.URL())
}

// The Bot API answers 429 with retry_after, 500s, and calls that hang past
// the send timeout, in the middle of the load: each reply is tried again,
// none lost or sent twice, each chat's in order, a chat told to wait waits
// that long, and the calls are bounded by what the retry policy promises:
// one more call per failure, no storm.
func TestBotAPIFailuresUnderLoad(t *testing.T) {
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["SEND_TIMEOUT"] = "1s" // a hanging call is given up soon
	b := startBot(t, tg, env)
	// One user first, alone and without failures: how many messages a
	// user gets for the script.
	alone := newLoadOf(t, tg, b.URL, 7501, 1)
	alone.start()
	alone.wait()
	perUser := len(alone.received(alone.users[0]))
	l := newLoad(t, tg, b.URL, loadUsers)
	l.start()
	failures := 0
	for i, f := range []telegramtest.Failure{{RetryAfter: 1}, {Status: http.StatusInternalServerError}, {Hang: 3 * time.Second}} {
		waitFor(t, "the load to go on", func() bool { return l.progress() >= 2+3*i })
		tg.FailNext("sendMessage", loadUsers/2, f)
		failures += loadUsers / 2
	}
	l.wait()
	l.check(env["DATABASE_URL"])

	// What the users saw: in every chat, as many messages as the user alone
	// got, each once, none lost (what failed came later), whatever failed
	// on the way; each failure cost one more call, no more.
	calls := tg.CallsTo("sendMessage")
	byChat := map[string][]telegramtest.Call{}
	failed := 0
	for _, c := range calls {
		byChat[c.ChatID] = append(byChat[c.ChatID], c)
		if c.Status != http.StatusOK {
			failed++
		}
	}
	if failed != failures {
		t.Errorf("%d calls failed, want the %d failures queued", failed, failures)
	}
	messages := perUser // the user alone's
	for _, user := range l.users {
		chat := itoa(user)
		messages += perUser
		got := map[string]int{} // deliveries by text
		var prev telegramtest.Call
		for i, c := range byChat[chat] {
			if c.Status == http.StatusOK {
				got[c.Params["text"]]++
			}
			if i > 0 && prev.Status == http.StatusTooManyRequests && c.At.Sub(prev.At) < time.Second {
				t.Errorf("chat %s was told to wait 1 s and called again after %s", chat, c.At.Sub(prev.At))
			}
			prev = c
		}
		delivered := 0
		for text, n := range got {
			delivered += n
			if n > 1 {
				t.Errorf("chat %s got %q %d times", chat, text, n)
			}
		}
		if delivered != perUser {
			t.Errorf("chat %s got %d messages, want %d as the user alone", chat, delivered, perUser)
		}
		for _, c := range byChat[chat] {
			if c.Status != http.StatusOK && got[c.Params["text"]] == 0 {
				t.Errorf("chat %s never got %q after its call failed (%d)", chat, c.Params["text"], c.Status)
			}
		}
	}
	if len(calls) != messages+failures {
		t.Errorf("%d calls for %d messages and %d failures, want one more call per failure: no storm, nothing else sent", len(calls), messages, failures)
	}
	t.Logf("%d sendMessage calls: %d messages, %d failed", len(calls), messages, failed)
}

// The service is SIGKILLed in the middle of the load, while every user's
// latest update is committed but its answer not yet sent (the Bot API holds
// the calls: they never reach a user), and started again. Telegram
// delivers the updates that got no answer again; every update that got a
// 200 before or after is reflected once: its answer arrives (the restarted
// process sends what the killed one had queued), none twice, and each
// listing is stored once.
func TestServiceKilledMidLoad(t *testing.T) {
	bin := buildBinary(t)
	tg, tg2 := telegramtest.NewServer(t), telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["SEND_TIMEOUT"] = "1s" // the killed process's send leases end 3 s later
	b, p := startProcess(t, bin, tg, env)
	l := newLoad(t, tg, b.URL, loadUsers)
	l.apis = append(l.apis, tg2)
	l.start()
	waitFor(t, "every user a few steps in", func() bool { return l.progress() >= 4 })

	tg.Hold("sendMessage")
	waitFor(t, "every user to wait for an answer", func() bool { return tg.Holding() >= loadUsers })
	p.Kill()
	env2 := maps.Clone(env)
	env2["TELEGRAM_API_ENDPOINT"] = tg2.Endpoint()
	b2, _ := startProcess(t, bin, tg2, env2)
	l.url.Store(&b2.URL)

	l.wait()
	l.check(env["DATABASE_URL"])
	if l.statuses()[0] < loadUsers {
		t.Errorf("%d deliveries failed for the kill, want one per user at least", l.statuses()[0])
	}
}
