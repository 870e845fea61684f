// Package postgres stores users, groups, listings and orders in PostgreSQL.
// It holds SQL only; migrations are embedded and applied with goose.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/nongsan-bot/nongsan/flows"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the PostgreSQL store.
type DB struct {
	Pool       *pgxpool.Pool
	Moderators Moderators
	// ModeratorsLike, when set, makes every account whose "channel:id"
	// begins with it a global moderator: the sandbox's, where each
	// visitor plays their own moderator ("web:moderator-").
	ModeratorsLike string
	ListingTTL     time.Duration // a listing stays up this long after its ready date

	statements *counter
}

var (
	_ flows.Users = (*DB)(nil)
	_ flows.Chats = (*DB)(nil)
)

// Open connects to url and checks the connection.
func Open(ctx context.Context, url string) (*DB, error) {
	return OpenSchema(ctx, url, "")
}

// SandboxSchema is the schema of the sandbox's world, the only one Reset
// wipes.
const SandboxSchema = "sandbox"

// OpenSchema connects to url with every pooled connection's search_path set
// to schema, created if missing, so that tables, migrations and goose's
// version table all live there and nothing reaches another schema's. An
// empty schema is the URL's own search_path (Open).
func OpenSchema(ctx context.Context, url, schema string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if schema != "" {
		if err := createSchema(ctx, cfg.ConnConfig, schema); err != nil {
			return nil, err
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
	}
	statements := &counter{}
	cfg.ConnConfig.Tracer = statements
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping postgres: %w", err)
	}
	return &DB{Pool: pool, statements: statements}, nil
}

// Statements counts the SQL statements sent so far (BEGIN and COMMIT
// included), so that the SQL an update costs can be watched.
func (db *DB) Statements() int64 { return db.statements.Load() }

// uniqueViolation tells whether err is a row refused by one of the unique
// constraints named.
func uniqueViolation(err error, constraints ...string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && slices.Contains(constraints, pgErr.ConstraintName)
}

// counter is a pgx tracer that counts statements, batched or not; it costs
// an atomic add.
type counter struct{ atomic.Int64 }

func (c *counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.Add(1)
	return ctx
}

func (c *counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// A batch's statements count one by one, as they would sent apart: a
// batch saves round trips, not statements.
func (c *counter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (c *counter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) { c.Add(1) }

func (c *counter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func createSchema(ctx context.Context, cc *pgx.ConnConfig, schema string) error {
	conn, err := pgx.ConnectConfig(ctx, cc.Copy())
	if err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fmt.Errorf("create schema %s: %w", schema, err)
	}
	return nil
}

// RemoveSandboxListings takes down the listings of the sellers that the
// given users of channel are, or registered: a sandbox visitor's, when
// they start over, so that the shared market no longer shows them. Like
// Reset it refuses any schema but the sandbox's.
func (db *DB) RemoveSandboxListings(ctx context.Context, channel flows.Channel, userIDs []string) (int64, error) {
	tag, err := db.Pool.Exec(ctx, `
		UPDATE listings l SET status = 'removed', updated_at = now()
		FROM sellers s, users u
		WHERE current_schema() = $3 AND l.seller_id = s.id AND l.status <> 'removed'
			AND u.id IN (s.user_id, s.created_by) AND u.channel = $1 AND u.platform_id = ANY($2)`,
		channel, userIDs, SandboxSchema)
	if err != nil {
		return 0, fmt.Errorf("remove sandbox listings: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Reset empties every table of the sandbox's schema but goose's, numbering
// from 1 again. It refuses to run on any other schema: it is the sandbox's
// "start over", never a way to wipe real data.
func (db *DB) Reset(ctx context.Context) error {
	reset := func(tx pgx.Tx) error {
		var schema string
		if err := tx.QueryRow(ctx, `SELECT coalesce(current_schema(), '')`).Scan(&schema); err != nil {
			return err
		}
		if schema != SandboxSchema {
			return fmt.Errorf("refused on schema %q: only %q is reset", schema, SandboxSchema)
		}
		rows, err := tx.Query(ctx, `SELECT tablename FROM pg_tables
			WHERE schemaname = $1 AND tablename <> 'goose_db_version' ORDER BY tablename`, schema)
		if err != nil {
			return err
		}
		tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
			var name string
			err := r.Scan(&name)
			return pgx.Identifier{schema, name}.Sanitize(), err
		})
		if err != nil || len(tables) == 0 {
			return err
		}
		_, err = tx.Exec(ctx, "TRUNCATE "+strings.Join(tables, ", ")+" RESTART IDENTITY CASCADE")
		return err
	}
	var err error
	for range 5 {
		// TRUNCATE locks the tables one after the other, while an update
		// may read several in one transaction (a batch) in another order:
		// PostgreSQL breaks such a ring by failing one of the two, and the
		// reset is tried again (the update is, by its platform).
		if err = pgx.BeginFunc(ctx, db.Pool, reset); !deadlock(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	return nil
}

// deadlock tells whether PostgreSQL broke a deadlock by failing err's
// transaction.
func deadlock(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "40P01"
}

// Close closes the pool.
func (db *DB) Close() { db.Pool.Close() }

// Ping tells whether PostgreSQL answers.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }

// Migrate applies pending migrations. An advisory lock lets several replicas
// start at once; running it twice is harmless.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	var res []*goose.MigrationResult
	err = db.migrations(func(p *goose.Provider) (err error) {
		res, err = p.Up(ctx)
		return err
	})
	if err != nil {
		return len(res), err
	}
	return len(res), db.fillSlugs(ctx)
}

// migrations runs do with the migration provider.
func (db *DB) migrations(do func(*goose.Provider) error) error {
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	defer sqlDB.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	// Out of order: numbers are reserved per piece of work, and pieces land
	// in any order (00008 before 00007); a database that has the later one
	// still gets the earlier.
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, sub, goose.WithSessionLocker(locker),
		goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if err := do(p); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Touch returns the user behind in, creating it on first sight. An
// account linked to another acts as it: the id (and the language chosen)
// are that account's, the platform's name stays its own.
func (db *DB) Touch(ctx context.Context, in flows.Input) (*flows.User, error) {
	u := &flows.User{Channel: in.Channel, PlatformID: in.UserID}
	err := db.Pool.QueryRow(ctx, `
		WITH u AS (
			INSERT INTO users (channel, platform_id, platform_name) VALUES ($1, $2, $3)
			ON CONFLICT (channel, platform_id) DO UPDATE
				SET platform_name = EXCLUDED.platform_name, last_seen_at = now(), gone_at = NULL
			RETURNING id, linked_to, coalesce(display_name, platform_name) AS name, lang, xmax = 0 AS created)
		SELECT coalesce(u.linked_to, u.id), u.name, coalesce(p.lang, u.lang, ''), u.created, u.linked_to IS NOT NULL
		FROM u LEFT JOIN users p ON p.id = u.linked_to`,
		in.Channel, in.UserID, in.UserName,
	).Scan(&u.ID, &u.Name, &u.Lang, &u.Created, &u.Linked)
	if err != nil {
		return nil, fmt.Errorf("touch user: %w", err)
	}
	return u, nil
}

// SetLang saves the user's language.
func (db *DB) SetLang(ctx context.Context, userID int64, lang string) error {
	return db.exec1(ctx, "set language", `UPDATE users SET lang = $2 WHERE id = $1`, userID, lang)
}

// SaveGroup records the bot joining or leaving a group.
func (db *DB) SaveGroup(ctx context.Context, ref flows.ChatRef, title string, active bool) error {
	_, err := db.Pool.Exec(ctx, `
		INSERT INTO chats (channel, chat_id, type, title, active) VALUES ($1, $2, 'group', $3, $4)
		ON CONFLICT (channel, chat_id) DO UPDATE
			SET title = EXCLUDED.title, active = EXCLUDED.active, updated_at = now()`,
		ref.Channel, ref.ChatID, title, active)
	if err != nil {
		return fmt.Errorf("save group: %w", err)
	}
	return nil
}

// SeeGroup records a group first heard from, and tells whether it was
// first heard from within flows.GreetWithin: this insert, or an earlier
// one lately (an update whose greeting was never committed, delivered
// again). One statement: the row a concurrent update inserts, which the
// statement's snapshot may not show, is new too.
func (db *DB) SeeGroup(ctx context.Context, ref flows.ChatRef, title string) (bool, error) {
	var young bool
	err := db.Pool.QueryRow(ctx, `
		WITH ins AS (
			INSERT INTO chats (channel, chat_id, type, title, active) VALUES ($1, $2, 'group', $3, true)
			ON CONFLICT (channel, chat_id) DO NOTHING
			RETURNING created_at)
		SELECT created_at > now() - $4::float8 * interval '1 second' FROM ins
		UNION ALL
		SELECT created_at > now() - $4::float8 * interval '1 second' FROM chats WHERE channel = $1 AND chat_id = $2
		LIMIT 1`, ref.Channel, ref.ChatID, title, flows.GreetWithin.Seconds()).Scan(&young)
	if errors.Is(err, pgx.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("see group: %w", err)
	}
	return young, nil
}

// GroupGone deactivates a group the bot was refused in for good: it gets
// no more listings or announcements until it is registered again. A
// private chat is no row of type group: nothing changes.
func (db *DB) GroupGone(ctx context.Context, ref flows.ChatRef) error {
	_, err := db.Pool.Exec(ctx, `UPDATE chats SET active = false, updated_at = now()
		WHERE channel = $1 AND chat_id = $2 AND type = 'group' AND active`, ref.Channel, ref.ChatID)
	if err != nil {
		return fmt.Errorf("group gone: %w", err)
	}
	return nil
}

// MoveGroup follows a group upgraded to a supergroup: the new id takes the
// market registration and the listing posts, without their message ids (a
// supergroup numbers its messages anew: an edit aimed at an old id could
// change another post there); the old one is left inactive.
func (db *DB) MoveGroup(ctx context.Context, from, to flows.ChatRef) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO chats (channel, chat_id, type, title, active)
			SELECT channel, $3, 'group', title, true FROM chats WHERE channel = $1 AND chat_id = $2
			ON CONFLICT (channel, chat_id) DO UPDATE SET active = true, updated_at = now()`,
			from.Channel, from.ChatID, to.ChatID)
		if err != nil {
			return err
		}
		// The new id may be registered, and posted to, already (an admin
		// ran /dangky in the supergroup before the bot learnt of the
		// move): its own registration and posts stand, taking the old
		// id's take-downs, and the old id's go.
		for _, sql := range []string{
			`UPDATE market_groups SET chat_id = $3 WHERE channel = $1 AND chat_id = $2
				AND NOT EXISTS (SELECT 1 FROM market_groups WHERE channel = $1 AND chat_id = $3)`,
			`DELETE FROM market_groups WHERE channel = $1 AND chat_id = $2 AND chat_id <> $3`,
			`UPDATE listing_posts n SET hidden_at = o.hidden_at, hidden_by = o.hidden_by
				FROM listing_posts o WHERE o.listing_id = n.listing_id AND o.channel = $1 AND o.chat_id = $2
				AND n.channel = $1 AND n.chat_id = $3 AND $2 <> $3 AND n.hidden_at IS NULL AND o.hidden_at IS NOT NULL`,
			`UPDATE listing_posts p SET chat_id = $3, message_ids = '{}', buttons_id = NULL
				WHERE channel = $1 AND chat_id = $2 AND $2 <> $3
				AND NOT EXISTS (SELECT 1 FROM listing_posts n WHERE n.listing_id = p.listing_id AND n.channel = $1 AND n.chat_id = $3)`,
			`DELETE FROM listing_posts WHERE channel = $1 AND chat_id = $2 AND chat_id <> $3`,
		} {
			if _, err := tx.Exec(ctx, sql, from.Channel, from.ChatID, to.ChatID); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE chats SET active = false, updated_at = now() WHERE channel = $1 AND chat_id = $2`,
			from.Channel, from.ChatID)
		return err
	})
	if err != nil {
		return fmt.Errorf("move group %s to %s: %w", from.ChatID, to.ChatID, err)
	}
	return nil
}

func (db *DB) exec1(ctx context.Context, what, sql string, args ...any) error {
	tag, err := db.Pool.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", what, flows.ErrNotFound)
	}
	return nil
}
