package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	json "github.com/goccy/go-json"
	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
)

// queue writes the notices a change reports inside the change's
// transaction: both are committed, or neither. Those held until a time
// (NotBefore) wait in held_notices, in order, one row per time and what
// they are about (About), until ReleaseHeld queues them.
func queue(ctx context.Context, tx pgx.Tx, notices []flows.Reply) error {
	var now []flows.Reply
	var held [][]flows.Reply // by NotBefore and About, as they come
	for _, n := range notices {
		switch i := slices.IndexFunc(held, func(h []flows.Reply) bool {
			return h[0].NotBefore.Equal(n.NotBefore) && h[0].About == n.About
		}); {
		case n.NotBefore.IsZero():
			now = append(now, n)
		case i >= 0:
			held[i] = append(held[i], n)
		default:
			held = append(held, []flows.Reply{n})
		}
	}
	if len(now) > 0 {
		b, err := json.Marshal(now)
		if err != nil {
			return fmt.Errorf("encode notices: %w", err)
		}
		if _, err := tx.Exec(ctx, insertNotices, b); err != nil {
			return fmt.Errorf("queue notices: %w", err)
		}
	}
	for _, h := range held {
		b, err := json.Marshal(h)
		if err != nil {
			return fmt.Errorf("encode held notices: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO held_notices (not_before, replies, about) VALUES ($1, $2, NULLIF($3, ''))`,
			h[0].NotBefore, b, h[0].About); err != nil {
			return fmt.Errorf("hold notices: %w", err)
		}
	}
	return nil
}

const insertNotices = `INSERT INTO notices (replies) VALUES ($1)`

var _ flows.HeldNotices = (*DB)(nil)

// toldKept is how long a held notice taken back (TakeHeld) is kept after
// it was told, unsent: the update that told it may fail after and come
// again (Telegram keeps an update it could not deliver for 24 hours), and
// it must find the notice then, even past the notice's morning.
const toldKept = 24 * time.Hour

// ReleaseHeld moves up to limit rows of notices held until now or before
// into notices, the earliest first, in one statement: a row taken by
// another replica's statement is skipped, and a row moved is gone, so
// each is queued once. A row told already (TakeHeld) is not queued: it is
// kept for toldKept after it was told, then dropped.
func (db *DB) ReleaseHeld(ctx context.Context, now time.Time, limit int) (int, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `
		WITH due AS (
			DELETE FROM held_notices WHERE id IN (
				SELECT id FROM held_notices WHERE not_before <= $1 AND told_by IS NULL
				ORDER BY not_before, id LIMIT $2 FOR UPDATE SKIP LOCKED)
			RETURNING id, not_before, replies
		), queued AS (
			INSERT INTO notices (replies) SELECT replies FROM due ORDER BY not_before, id
		), told AS (
			DELETE FROM held_notices WHERE told_by IS NOT NULL AND coalesce(told_at, not_before) <= $3
		)
		SELECT count(*) FROM due`, now, limit, now.Add(-toldKept)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("release held notices: %w", err)
	}
	return n, nil
}

// TakeHeld marks the notices held about about as told by source at now
// and returns them, the earliest first; those source marked before are
// returned again (until a day after, toldKept, whether or not their time
// has come), those another update marked are not. A row the tick is
// releasing meanwhile is waited for, and gone: nothing is returned.
func (db *DB) TakeHeld(ctx context.Context, about, source string, now time.Time) ([]flows.Reply, error) {
	rows, err := db.Pool.Query(ctx, `
		WITH told AS (
			UPDATE held_notices SET told_by = $2, told_at = $3 WHERE about = $1 AND (told_by IS NULL OR told_by = $2)
			RETURNING id, not_before, replies
		)
		SELECT replies FROM told ORDER BY not_before, id`, about, source, now)
	if err != nil {
		return nil, fmt.Errorf("take held notices: %w", err)
	}
	var out []flows.Reply
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, fmt.Errorf("take held notices: %w", err)
		}
		var replies []flows.Reply
		if err := json.Unmarshal(raw, &replies); err != nil {
			return nil, fmt.Errorf("decode held notices: %w", err)
		}
		out = append(out, replies...)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("take held notices: %w", err)
	}
	return out, nil
}

// GiveBackHeld makes the notices source took back held again: the tick
// releases them (at once, if their time has come).
func (db *DB) GiveBackHeld(ctx context.Context, source string) error {
	if _, err := db.Pool.Exec(ctx, `UPDATE held_notices SET told_by = NULL, told_at = NULL WHERE told_by = $1`, source); err != nil {
		return fmt.Errorf("give back held notices: %w", err)
	}
	return nil
}

// change runs one statement that must change a row (else ErrStale), with
// the notices it reports.
func (db *DB) change(ctx context.Context, what, sql string, args []any, notices []flows.Reply) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sql, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return flows.ErrStale
		}
		return queue(ctx, tx, notices)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// relayLock names the advisory lock of the relay ("nsrelay").
const relayLock = 0x6e7372656c6179

// RelayNotices hands up to limit notices not relayed yet, oldest first, to
// relay, and marks them relayed if it succeeds, in one transaction. One
// replica relays at a time (the others find the relay busy and do nothing),
// so that a chat's notices reach its outbox in the order they were written;
// if we stop before the commit, they are handed out again (relay must
// recognise a notice it has seen by its ID).
func (db *DB) RelayNotices(ctx context.Context, limit int, relay func([]flows.Notice) error) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var mine bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, relayLock).Scan(&mine); err != nil || !mine {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, replies FROM notices WHERE relayed_at IS NULL
			ORDER BY id LIMIT $1 FOR UPDATE`, limit)
		if err != nil {
			return err
		}
		var notices []flows.Notice
		var bad []int64
		for rows.Next() {
			var n flows.Notice
			var raw []byte
			if err := rows.Scan(&n.ID, &raw); err != nil {
				return err
			}
			if json.Unmarshal(raw, &n.Replies) != nil {
				bad = append(bad, n.ID) // written by another version: set aside, never blocking the rest
				continue
			}
			notices = append(notices, n)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE notices SET relayed_at = now(), unreadable = true WHERE id = ANY($1)`, bad); err != nil {
			return err
		}
		if len(notices) == 0 {
			return nil
		}
		if err := relay(notices); err != nil {
			return err
		}
		ids := make([]int64, len(notices))
		for i, n := range notices {
			ids[i] = n.ID
		}
		n = len(ids)
		_, err = tx.Exec(ctx, `UPDATE notices SET relayed_at = now() WHERE id = ANY($1)`, ids)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("relay notices: %w", err)
	}
	return n, nil
}

// NoticesWaiting counts the notices not relayed yet.
func (db *DB) NoticesWaiting(ctx context.Context) (int64, error) {
	var n int64
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM notices WHERE relayed_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count notices: %w", err)
	}
	return n, nil
}

// HeldNoticesWaiting counts the rows of notices held for a later time
// (taken back ones aside: they will not be sent).
func (db *DB) HeldNoticesWaiting(ctx context.Context) (int64, error) {
	var n int64
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM held_notices WHERE told_by IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count held notices: %w", err)
	}
	return n, nil
}

// HeldNoticesDue counts the rows of held notices whose time has come but
// that the tick has not released yet.
func (db *DB) HeldNoticesDue(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM held_notices WHERE told_by IS NULL AND not_before <= $1`, now).Scan(&n); err != nil {
		return 0, fmt.Errorf("count held notices due: %w", err)
	}
	return n, nil
}

// PruneNotices deletes notices relayed before a time, and the follow
// notices of that age settled for listings no longer on sale (while one is,
// its rows keep a follower from being told of it twice).
func (db *DB) PruneNotices(ctx context.Context, before time.Time) error {
	if _, err := db.Pool.Exec(ctx, `DELETE FROM notices WHERE relayed_at < $1`, before); err != nil {
		return fmt.Errorf("prune notices: %w", err)
	}
	if _, err := db.Pool.Exec(ctx, `DELETE FROM follow_notices n USING listings l
		WHERE l.id = n.listing_id AND l.status <> 'active' AND n.state IN ('sent', 'digest', 'gone')
		AND n.created_at < $1`, before); err != nil {
		return fmt.Errorf("prune follow notices: %w", err)
	}
	return nil
}
