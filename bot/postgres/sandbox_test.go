package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
)

// mustOpenSchema opens url in schema and migrates it.
func mustOpenSchema(t *testing.T, url, schema string) *postgres.DB {
	t.Helper()
	db, err := postgres.OpenSchema(context.Background(), url, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// tablesIn lists the tables of a schema, goose's included.
func tablesIn(t *testing.T, db *postgres.DB, schema string) map[string]bool {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT tablename FROM pg_tables WHERE schemaname = $1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	tables := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables[name] = true
	}
	return tables
}

func TestASchemaOfItsOwnIsMigratedThereAndLeavesTheMainOneAlone(t *testing.T) {
	url := pgtest.NewDatabase(t)
	sandbox := mustOpenSchema(t, url, postgres.SandboxSchema)
	if tables := tablesIn(t, sandbox, "sandbox"); !tables["goose_db_version"] || !tables["listings"] || !tables["users"] {
		t.Fatalf("sandbox schema holds %v, want the migrated tables and goose's", tables)
	}
	if tables := tablesIn(t, sandbox, "public"); len(tables) != 0 {
		t.Fatalf("migrating the sandbox created %v in public", tables)
	}
	// Opened again, the schema is there already and nothing is pending.
	again, err := postgres.OpenSchema(context.Background(), url, postgres.SandboxSchema)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if n, err := again.Migrate(context.Background()); err != nil || n != 0 {
		t.Fatalf("second migration of the sandbox applied %d (%v), want 0", n, err)
	}
	// The main schema migrates on its own, from nothing.
	main := mustOpenSchema(t, url, "")
	if tables := tablesIn(t, main, "public"); !tables["goose_db_version"] || !tables["listings"] {
		t.Fatalf("public schema holds %v after its own migration", tables)
	}
}

func TestResetEmptiesTheSandboxOnly(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	main, sandbox := mustOpenSchema(t, url, ""), mustOpenSchema(t, url, postgres.SandboxSchema)
	realListing := pgtest.MustPublish(t, main, flows.Telegram, "p1")
	pgtest.MustPublish(t, sandbox, flows.Web, "p2")
	group := flows.ChatRef{Channel: flows.Web, ChatID: "market"}
	if err := sandbox.SaveGroup(ctx, group, "Chợ", true); err != nil {
		t.Fatal(err)
	}

	if err := sandbox.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"listings", "sellers", "chats", "media"} {
		var n int
		if err := sandbox.Pool.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil || n != 0 {
			t.Errorf("sandbox %s holds %d rows after reset (%v)", table, n, err)
		}
	}
	if n, err := sandbox.Migrate(ctx); err != nil || n != 0 {
		t.Errorf("goose's table was wiped too: %d migrations applied again (%v)", n, err)
	}
	if l, err := main.Listing(ctx, realListing.ID); err != nil || l.ID != realListing.ID {
		t.Errorf("the real listing is gone after the sandbox's reset: %+v, %v", l, err)
	}
	// Numbering starts over: the first listing after a reset is 1 again.
	if l := pgtest.MustPublish(t, sandbox, flows.Web, "p3"); l.ID != 1 {
		t.Errorf("first listing after reset has id %d, want 1", l.ID)
	}
}

func TestResetRefusesAnyOtherSchema(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	main := mustOpenSchema(t, url, "")
	l := pgtest.MustPublish(t, main, flows.Telegram, "p1")
	other := mustOpenSchema(t, url, "sandbox2")
	for name, db := range map[string]*postgres.DB{"public": main, "sandbox2": other} {
		if err := db.Reset(ctx); err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("reset of schema %s: %v, want refused", name, err)
		}
	}
	if got, err := main.Listing(ctx, l.ID); err != nil || got.ID != l.ID {
		t.Errorf("the listing is gone after a refused reset: %+v, %v", got, err)
	}
}

// A reset that meets an update reading tables in another order (a batch,
// one transaction) still empties the sandbox: PostgreSQL breaks the
// deadlock by failing one of the two, and the reset tries again.
func TestAResetMeetingAnUpdateTriesAgain(t *testing.T) {
	ctx := context.Background()
	sandbox := mustOpenSchema(t, pgtest.NewDatabase(t), postgres.SandboxSchema)
	update, err := sandbox.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer update.Rollback(ctx)
	if _, err := update.Exec(ctx, `SELECT count(*) FROM users`); err != nil { // as a batch's first read
		t.Fatal(err)
	}
	reset := make(chan error, 1)
	go func() { reset <- sandbox.Reset(ctx) }()
	// The reset, having locked the tables before users (chats first),
	// waits for users.
	for deadline := time.Now().Add(10 * time.Second); ; {
		var waiting bool
		if err := sandbox.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks
			WHERE relation = 'users'::regclass AND NOT granted)`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the reset never waited for the update's table")
		}
		time.Sleep(10 * time.Millisecond) // polled
	}
	// The update reads chats, which the reset holds: a ring.
	_, readErr := update.Exec(ctx, `SELECT count(*) FROM chats`)
	if err := update.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-reset; err != nil {
		t.Fatalf("the reset failed (the update's read: %v): %v", readErr, err)
	}
}
