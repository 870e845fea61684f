package main

import (
	"net/http"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// loadUsers is how many farmers a fault test's load runs at once.
const loadUsers = 12

// Telegram delivers about one update in ten twice, some of them twice at
// the same moment: each is processed once (one answer, one listing).
func TestDuplicateDeliveriesUnderLoadAreProcessedOnce(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
