package postgres

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
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

// NewLinkCode stores a code unless a cap is reached. The rows of both
// accounts are locked meanwhile (as TryLinkCode does), so that chats
// asking at once cannot both pass a cap. A claim's codes count per farmer
// (the helper's account with the profile claimed), apart from the
// helper's own: a helper who registered ten farmers in a morning is sent
// codes for each of them, three a day for one.
func (db *DB) NewLinkCode(ctx context.Context, c flows.LinkCode, lim flows.LinkLimits) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := lockUsers(ctx, tx, c.Account, c.Requester); err != nil {
			return err
		}
		since := c.At.Add(-lim.Window)
		for _, q := range []struct {
			cap   flows.LinkCap
			limit int
			query string // the times that count, newest first
			args  []any
		}{
			{flows.CapTries, lim.Tries, wrongTriesSQL, []any{c.Account, c.Seller, since, lim.Tries}},
			{flows.CapHelperTries, lim.HelperTries, allWrongTriesSQL, []any{c.Account, since, lim.HelperTries}},
			// A retry of the update replaces its code: not another.
			{flows.CapCodes, lim.Codes, `SELECT created_at FROM link_codes WHERE account_id = $1 AND coalesce(seller_id, 0) = $2
				AND created_at > $3 AND source <> $4 ORDER BY created_at DESC LIMIT $5`,
				[]any{c.Account, c.Seller, since, c.Source, lim.Codes}},
			// Asking again for an account (or a farmer) asked for before
			// is not another.
			{flows.CapTargets, lim.Targets, `SELECT max(created_at) FROM link_codes WHERE requester_id = $1 AND created_at > $2
				AND (account_id, coalesce(seller_id, 0)) <> ($3, $4) GROUP BY account_id, coalesce(seller_id, 0)
				ORDER BY 1 DESC LIMIT $5`, []any{c.Requester, since, c.Account, c.Seller, lim.Targets}},
		} {
			if q.limit <= 0 {
				continue // no such cap
			}
			times, err := newest(ctx, tx, q.query, q.args...)
			if err != nil {
				return err
			}
			if next := capEnd(times, q.limit, lim.Window); !next.IsZero() {
				return &flows.LinkLimitError{Cap: q.cap, Next: next}
			}
		}
		return tx.QueryRow(ctx, `
			INSERT INTO link_codes (account_id, requester_id, code_hash, created_at, expires_at, source, seller_id)
			VALUES ($1, $2, $3, $4, $5, $6, nullif($7, 0))
			ON CONFLICT (source) DO UPDATE SET code_hash = EXCLUDED.code_hash, tries = 0,
				created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, used_at = NULL,
				seller_id = EXCLUDED.seller_id
			RETURNING id`,
			c.Account, c.Requester, hashCode(c.Code), c.At, c.Expires, c.Source, c.Seller).Scan(&id)
	})
	var capped *flows.LinkLimitError
	if errors.As(err, &capped) {
		return 0, capped
	}
	if err != nil {
		return 0, fmt.Errorf("new link code: %w", err)
	}
	return id, nil
}

// wrongTriesSQL selects the times of the wrong tries at account $1's codes
// for seller $2 (a claim's farmer; 0: the account's own) since $3, newest
// first, at most $4. One farmer's mistakes stop no other farmer's claim.
const wrongTriesSQL = `SELECT t.at FROM link_tries t JOIN link_codes c ON c.id = t.code_id
	WHERE t.account_id = $1 AND coalesce(c.seller_id, 0) = $2 AND t.at > $3 ORDER BY t.at DESC LIMIT $4`

// allWrongTriesSQL selects the times of the wrong tries at all account
// $1's codes (a helper's, for every farmer) since $2, newest first, at
// most $3.
const allWrongTriesSQL = `SELECT at FROM link_tries WHERE account_id = $1 AND at > $2 ORDER BY at DESC LIMIT $3`

// wrongTries are the wrong tries that count against a code's caps: its
// farmer's (or account's own) and, with lim.HelperTries, all its account's.
type wrongTries struct{ farmer, all []time.Time }

func countWrong(ctx context.Context, tx pgx.Tx, account, seller int64, since time.Time, lim flows.LinkLimits) (w wrongTries, err error) {
	if w.farmer, err = newest(ctx, tx, wrongTriesSQL, account, seller, since, lim.Tries); err != nil || lim.HelperTries <= 0 {
		return w, err
	}
	w.all, err = newest(ctx, tx, allWrongTriesSQL, account, since, lim.HelperTries)
	return w, err
}

// blocked says which cap the wrong tries reached, if any, and until when
// (the later end, should both be reached).
func (w wrongTries) blocked(lim flows.LinkLimits) (flows.LinkCap, time.Time) {
	farmer := capEnd(w.farmer, lim.Tries, lim.Window)
	var all time.Time
	if lim.HelperTries > 0 {
		all = capEnd(w.all, lim.HelperTries, lim.Window)
	}
	switch {
	case all.After(farmer):
		return flows.CapHelperTries, all
	case !farmer.IsZero():
		return flows.CapTries, farmer
	}
	return 0, time.Time{}
}

// left is how many wrong tries remain before a cap.
func (w wrongTries) left(lim flows.LinkLimits) int {
	left := lim.Tries - len(w.farmer)
	if lim.HelperTries > 0 {
		left = min(left, lim.HelperTries-len(w.all))
	}
	return max(0, left)
}

// lockUsers locks the rows of two users, in the order of their ids so that
// two transactions locking the same two cannot deadlock.
func lockUsers(ctx context.Context, tx pgx.Tx, a, b int64) error {
	_, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id IN ($1, $2) ORDER BY id FOR UPDATE`, a, b)
	return err
}

// newest runs a query selecting times.
func newest(ctx context.Context, tx pgx.Tx, query string, args ...any) ([]time.Time, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[time.Time])
}

// capEnd is when a cap of limit in a window ends, given the times that
// count against it, newest first: when the limit-th newest leaves the
// window. Zero while the cap is not reached.
func capEnd(times []time.Time, limit int, window time.Duration) time.Time {
	if len(times) < limit {
		return time.Time{}
	}
	return times[limit-1].Add(window)
}

// TryLinkCode checks a typed code and, if it is the right one, links the
// accounts (or, for a claim, gives the requester the profile), all in one
// transaction. Each wrong try is a row of link_tries,
// kept once per update.
func (db *DB) TryLinkCode(ctx context.Context, g flows.LinkGuess, lim flows.LinkLimits) (flows.LinkTry, error) {
	var try flows.LinkTry
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var account int64
		err := tx.QueryRow(ctx, `SELECT account_id FROM link_codes WHERE id = $1 AND requester_id = $2`, g.ID, g.Requester).
			Scan(&account)
		if errors.Is(err, pgx.ErrNoRows) {
			return flows.ErrNotFound
		}
		if err != nil {
			return err
		}
		// Tries at the account's codes, from any chat, wait for each other.
		if err := lockUsers(ctx, tx, account, g.Requester); err != nil {
			return err
		}
		var hash []byte
		var expires time.Time
		var used bool
		var seller int64
		err = tx.QueryRow(ctx, `SELECT code_hash, expires_at, used_at IS NOT NULL, coalesce(seller_id, 0) FROM link_codes WHERE id = $1`, g.ID).
			Scan(&hash, &expires, &used, &seller)
		if err != nil {
			return err
		}
		since := g.At.Add(-lim.Window)
		wrong, err := countWrong(ctx, tx, account, seller, since, lim)
		if err != nil {
			return err
		}
		capped, next := wrong.blocked(lim)
		switch {
		case used:
			// Used by an earlier delivery of this update: linked already.
			try.Outcome = flows.LinkDone
		case capped != 0:
			try.Outcome, try.Cap, try.Next = flows.LinkBlocked, capped, next
		case !g.At.Before(expires):
			try.Outcome = flows.LinkExpired
		case subtle.ConstantTimeCompare(hash, hashCode(g.Code)) != 1:
			tag, err := tx.Exec(ctx, `INSERT INTO link_tries (code_id, account_id, at, source) VALUES ($1, $2, $3, $4)
				ON CONFLICT (source) DO NOTHING`, g.ID, account, g.At, g.Source)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 { // not counted by an earlier delivery of this update
				if _, err := tx.Exec(ctx, `UPDATE link_codes SET tries = tries + 1 WHERE id = $1`, g.ID); err != nil {
					return err
				}
			}
			if wrong, err = countWrong(ctx, tx, account, seller, since, lim); err != nil {
				return err
			}
			try.Outcome, try.Left = flows.LinkWrong, wrong.left(lim)
			if capped, next := wrong.blocked(lim); capped != 0 {
				try.Outcome, try.Left, try.Cap, try.Next = flows.LinkBlocked, 0, capped, next
			}
		default:
			if _, err := tx.Exec(ctx, `UPDATE link_codes SET used_at = $2 WHERE id = $1`, g.ID, g.At); err != nil {
				return err
			}
			if seller != 0 {
				if err := claim(ctx, tx, g.Requester, seller); err != nil {
					return err
				}
			} else if err := link(ctx, tx, g.Requester, account); err != nil {
				return err
			}
			try.Outcome = flows.LinkDone
		}
		if try.Outcome != flows.LinkDone {
			return nil
		}
		// The owner hears of it where they were last seen before, in the
		// language the person chose.
		try.Owner, try.Lang, err = chatOf(ctx, tx, account, g.Requester)
		return err
	})
	if err != nil {
		return try, fmt.Errorf("try link code %d: %w", g.ID, err)
	}
	return try, nil
}

// claim gives requester the seller profile a helper registered, still
// without a user: ErrStale when someone took it meanwhile.
func claim(ctx context.Context, tx pgx.Tx, requester, seller int64) error {
	tag, err := tx.Exec(ctx, `UPDATE sellers SET user_id = $1, updated_at = now() WHERE id = $2 AND user_id IS NULL`,
		requester, seller)
	if err != nil {
		return fmt.Errorf("claim seller %d: %w", seller, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("claim seller %d: %w", seller, flows.ErrStale)
	}
	return nil
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
		`UPDATE users SET linked_to = $2, linked_at = now() WHERE id = $1 OR linked_to = $1`,
		`UPDATE users SET lang = (SELECT lang FROM users WHERE id = $1) WHERE id = $2 AND lang IS NULL`,
		// What moves names where from (unless an account linked to the
		// requester had brought it): undoing the link gives it back.
		`UPDATE orders SET buyer_id = $2, linked_from = coalesce(linked_from, $1) WHERE buyer_id = $1`,
		// Listings before buyers, in the order placing an order locks
		// them (placeOrder): the two never wait for each other in a ring.
		`UPDATE listings SET helper_id = $2 WHERE helper_id = $1`,
		`WITH gone AS (DELETE FROM buyers WHERE user_id = $1 RETURNING *)
			INSERT INTO buyers (user_id, name, phone_e164, address, updated_at)
			SELECT $2, name, phone_e164, address, updated_at FROM gone
			ON CONFLICT (user_id) DO UPDATE SET name = EXCLUDED.name, phone_e164 = EXCLUDED.phone_e164,
				address = EXCLUDED.address, updated_at = EXCLUDED.updated_at
			WHERE buyers.updated_at < EXCLUDED.updated_at`,
		`WITH gone AS (DELETE FROM user_roles WHERE user_id = $1 RETURNING *)
			INSERT INTO user_roles (user_id, role, granted_by, granted_at, reason, linked_from)
			SELECT $2, role, granted_by, granted_at, reason, coalesce(linked_from, $1) FROM gone
			ON CONFLICT (user_id, role) DO UPDATE SET reason = coalesce(nullif(user_roles.reason, ''), EXCLUDED.reason)`,
		`UPDATE sellers SET created_by = $2 WHERE created_by = $1`,
	} {
		if _, err := tx.Exec(ctx, sql, requester, account); err != nil {
			return fmt.Errorf("link user %d to %d: %w", requester, account, err)
		}
	}
	return nil
}

// Accounts lists a person's accounts, the first one (the person's own id)
// first, the others in the order they were linked.
func (db *DB) Accounts(ctx context.Context, userID int64) ([]flows.Account, string, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT a.id, a.channel, a.platform_id, coalesce(a.display_name, a.platform_name, ''), a.last_seen_at,
			a.linked_to IS NOT NULL, a.gone_at IS NOT NULL, coalesce(p.lang, '')
		FROM users p JOIN users a ON a.id = p.id OR a.linked_to = p.id
		WHERE p.id = $1 ORDER BY a.linked_to IS NOT NULL, a.id`, userID)
	if err != nil {
		return nil, "", fmt.Errorf("accounts of user %d: %w", userID, err)
	}
	var lang string
	accounts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.Account, error) {
		var a flows.Account
		err := r.Scan(&a.ID, &a.Chat.Channel, &a.Chat.ChatID, &a.Name, &a.LastSeen, &a.Linked, &a.Gone, &lang)
		return a, err
	})
	if err != nil {
		return nil, "", fmt.Errorf("accounts of user %d: %w", userID, err)
	}
	return accounts, lang, nil
}

// Unlink makes an account linked to userID act as itself again, with the
// notices that report it. What linking moved from it and what it was
// granted through its own chat since (roles, its orders as a buyer) goes
// back to it; a profile change it asked for and that waits is dropped.
// Orders it placed and roles given to the person since the link cannot be
// told from the farmer's own: they stay, and are counted.
func (db *DB) Unlink(ctx context.Context, account, userID int64, notices ...flows.Reply) (flows.Unlinked, error) {
	var u flows.Unlinked
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var since *time.Time
		err := tx.QueryRow(ctx, `
			WITH old AS (SELECT linked_at FROM users WHERE id = $1 AND linked_to = $2 FOR UPDATE)
			UPDATE users SET linked_to = NULL, linked_at = NULL FROM old WHERE id = $1 RETURNING old.linked_at`,
			account, userID).Scan(&since)
		if errors.Is(err, pgx.ErrNoRows) {
			return flows.ErrStale
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			WITH back AS (DELETE FROM user_roles WHERE user_id = $2 AND linked_from = $1 RETURNING *)
			INSERT INTO user_roles (user_id, role, granted_by, granted_at, reason)
			SELECT $1, role, granted_by, granted_at, reason FROM back
			ON CONFLICT (user_id, role) DO NOTHING
			RETURNING role`, account, userID)
		if err != nil {
			return err
		}
		if u.Roles, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		slices.Sort(u.Roles)
		tag, err := tx.Exec(ctx, `UPDATE orders SET buyer_id = $1, linked_from = NULL WHERE buyer_id = $2 AND linked_from = $1`,
			account, userID)
		if err != nil {
			return err
		}
		u.Orders = int(tag.RowsAffected())
		if _, err := tx.Exec(ctx, `DELETE FROM profile_changes WHERE asked_by = $1`, account); err != nil {
			return err
		}
		if since != nil {
			// An account linked before linked_at was kept has no since:
			// nothing is counted.
			rows, err := tx.Query(ctx, `SELECT role FROM user_roles WHERE user_id = $1 AND granted_at >= $2 AND role <> 'banned'
				AND linked_from IS NULL ORDER BY role`, userID, *since)
			if err != nil {
				return err
			}
			if u.RolesSince, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
				return err
			}
			err = tx.QueryRow(ctx, `SELECT count(*), EXISTS (SELECT 1 FROM buyers WHERE user_id = $1 AND updated_at >= $2)
				FROM orders WHERE buyer_id = $1 AND created_at >= $2 AND linked_from IS NULL`, userID, *since).
				Scan(&u.OrdersSince, &u.Buyer)
			if err != nil {
				return err
			}
		}
		return queue(ctx, tx, notices)
	})
	if err != nil {
		return u, fmt.Errorf("unlink user %d: %w", account, err)
	}
	return u, nil
}
