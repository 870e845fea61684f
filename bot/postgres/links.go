package postgres

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
)

var _ flows.Links = (*DB)(nil)

// hashCode is what link_codes keeps of a code (see migration 00008).
func hashCode(code string) []byte {
	h := sha256.Sum256([]byte("nongsan link code " + code))
	return h[:]
}

// Channels lists the channels of a user's accounts: its own and those
// linked to it.
func (db *DB) Channels(ctx context.Context, userID int64) ([]flows.Channel, error) {
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT channel FROM users WHERE id = $1 OR linked_to = $1 ORDER BY channel`, userID)
	if err != nil {
		return nil, fmt.Errorf("channels of user %d: %w", userID, err)
	}
	channels, err := pgx.CollectRows(rows, pgx.RowTo[flows.Channel])
	if err != nil {
		return nil, fmt.Errorf("channels of user %d: %w", userID, err)
	}
	return channels, nil
}

// NewLinkCode stores a code unless its account had limit codes in the
// window. The account's row is locked meanwhile, so that two chats asking
// at once cannot both pass the limit.
func (db *DB) NewLinkCode(ctx context.Context, c flows.LinkCode, limit int, window time.Duration) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, c.Account); err != nil {
			return err
		}
		var sent int
		var oldest *time.Time
		err := tx.QueryRow(ctx, `
			SELECT count(*), min(created_at) FROM link_codes
			WHERE account_id = $1 AND created_at > $2 AND source <> $3`,
			c.Account, c.At.Add(-window), c.Source).Scan(&sent, &oldest)
		if err != nil {
			return err
		}
		if sent >= limit && oldest != nil {
			return &flows.TooManyCodesError{Next: oldest.Add(window)}
		}
		return tx.QueryRow(ctx, `
			INSERT INTO link_codes (account_id, requester_id, code_hash, created_at, expires_at, source)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (source) DO UPDATE SET code_hash = EXCLUDED.code_hash, tries = 0,
				created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, used_at = NULL
			RETURNING id`,
			c.Account, c.Requester, hashCode(c.Code), c.At, c.Expires, c.Source).Scan(&id)
	})
	var many *flows.TooManyCodesError
	if errors.As(err, &many) {
		return 0, many
	}
	if err != nil {
		return 0, fmt.Errorf("new link code: %w", err)
	}
	return id, nil
}

// TryLinkCode checks a typed code and, if it is the right one, links the
// accounts, all in one transaction.
func (db *DB) TryLinkCode(ctx context.Context, id, requester int64, code string, now time.Time, maxTries int) (flows.LinkTry, error) {
	var try flows.LinkTry
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var account int64
		var hash []byte
		var tries int
		var expires time.Time
		var used bool
		err := tx.QueryRow(ctx, `
			SELECT account_id, code_hash, tries, expires_at, used_at IS NOT NULL
			FROM link_codes WHERE id = $1 AND requester_id = $2 FOR UPDATE`, id, requester).
			Scan(&account, &hash, &tries, &expires, &used)
		if errors.Is(err, pgx.ErrNoRows) {
			return flows.ErrNotFound
		}
		if err != nil {
			return err
		}
		switch {
		case used:
			// Used by an earlier delivery of this update: linked already.
			try.Outcome = flows.LinkDone
		case tries >= maxTries:
			try.Outcome = flows.LinkSpent
		case !now.Before(expires):
			try.Outcome = flows.LinkExpired
		case subtle.ConstantTimeCompare(hash, hashCode(code)) != 1:
			tries++
			try.Outcome, try.Left = flows.LinkWrong, maxTries-tries
			if try.Left == 0 {
				try.Outcome = flows.LinkSpent
			}
			_, err := tx.Exec(ctx, `UPDATE link_codes SET tries = $2 WHERE id = $1`, id, tries)
			return err
		default:
			if _, err := tx.Exec(ctx, `UPDATE link_codes SET used_at = $2 WHERE id = $1`, id, now); err != nil {
				return err
			}
			if err := link(ctx, tx, requester, account); err != nil {
				return err
			}
			try.Outcome = flows.LinkDone
		}
		if try.Outcome == flows.LinkDone {
			return tx.QueryRow(ctx, `SELECT coalesce(lang, '') FROM users WHERE id = $1`, account).Scan(&try.Lang)
		}
		return nil
	})
	if err != nil {
		return try, fmt.Errorf("try link code %d: %w", id, err)
	}
	return try, nil
}

// link makes requester (and any account linked to it) act as account, and
// moves to account what requester had of its own: its orders as a buyer,
// its buyer details (the newer stay), roles, and what it did as a helper.
// A requester with a seller profile of its own is refused: two profiles
// are not merged.
func link(ctx context.Context, tx pgx.Tx, requester, account int64) error {
	var seller, linked bool
	err := tx.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM sellers WHERE user_id = $1), (SELECT linked_to IS NOT NULL FROM users WHERE id = $2)`,
		requester, account).Scan(&seller, &linked)
	if err != nil {
		return err
	}
	if seller || linked || requester == account {
		return fmt.Errorf("link user %d to %d: a seller, or an account linked itself", requester, account)
	}
	for _, sql := range []string{
		`UPDATE users SET linked_to = $2 WHERE id = $1 OR linked_to = $1`,
		`UPDATE users SET lang = (SELECT lang FROM users WHERE id = $1) WHERE id = $2 AND lang IS NULL`,
		`UPDATE orders SET buyer_id = $2 WHERE buyer_id = $1`,
		`WITH gone AS (DELETE FROM buyers WHERE user_id = $1 RETURNING *)
			INSERT INTO buyers (user_id, name, phone_e164, address, updated_at)
			SELECT $2, name, phone_e164, address, updated_at FROM gone
			ON CONFLICT (user_id) DO UPDATE SET name = EXCLUDED.name, phone_e164 = EXCLUDED.phone_e164,
				address = EXCLUDED.address, updated_at = EXCLUDED.updated_at
			WHERE buyers.updated_at < EXCLUDED.updated_at`,
		`WITH gone AS (DELETE FROM user_roles WHERE user_id = $1 RETURNING *)
			INSERT INTO user_roles (user_id, role, granted_by, granted_at)
			SELECT $2, role, granted_by, granted_at FROM gone ON CONFLICT DO NOTHING`,
		`UPDATE listings SET helper_id = $2 WHERE helper_id = $1`,
		`UPDATE sellers SET created_by = $2 WHERE created_by = $1`,
	} {
		if _, err := tx.Exec(ctx, sql, requester, account); err != nil {
			return fmt.Errorf("link user %d to %d: %w", requester, account, err)
		}
	}
	return nil
}
