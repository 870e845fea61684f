package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
)

// Ban stops who posting listings, with the reason they are told, and
// queues notices in the same transaction: a user's ban is a role, a seller
// profile's a row of seller_bans. ErrStale when who may not post already
// (bannedSQL); the source that banned them, run again, is told nil and
// changes nothing.
func (db *DB) Ban(ctx context.Context, who flows.BanOf, by int64, reason, source string, notices ...flows.Reply) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		// The row locked, or the lock of the user or seller it would be
		// added to: two bans at once are decided one after the other.
		if who.User != 0 {
			_, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, who.User)
			if err != nil {
				return err
			}
		} else if _, err := tx.Exec(ctx, `SELECT 1 FROM sellers WHERE id = $1 FOR UPDATE`, who.Seller); err != nil {
			return err
		}
		var mine bool
		err := tx.QueryRow(ctx, `
			SELECT coalesce(source = nullif($3, '') AND granted_at > now() - `+sourceFresh+`, false)
				FROM user_roles WHERE user_id = $1 AND role = 'banned'
			UNION ALL SELECT coalesce(source = nullif($3, '') AND banned_at > now() - `+sourceFresh+`, false)
				FROM seller_bans WHERE seller_id = $2`, who.User, who.Seller, source).Scan(&mine)
		switch {
		case err == nil && mine:
			return errRedone // its own ban: nothing changes
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		var banned bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (`+bannedSQL+`)`, who.User, who.Seller).Scan(&banned); err != nil || banned {
			return cmp.Or(err, flows.ErrStale)
		}
		if who.User != 0 {
			_, err = tx.Exec(ctx, `INSERT INTO user_roles (user_id, role, granted_by, reason, source)
				VALUES ($1, 'banned', nullif($2, 0), $3, nullif($4, ''))`, who.User, by, reason, source)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO seller_bans (seller_id, banned_by, reason, source)
				VALUES ($1, nullif($2, 0), $3, nullif($4, ''))`, who.Seller, by, reason, source)
		}
		if err != nil {
			return err
		}
		return queue(ctx, tx, notices)
	})
	if errors.Is(err, errRedone) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ban %+v: %w", who, err)
	}
	return nil
}

// errRedone ends a transaction that finds its change made already by the
// same source (an update run again): nothing is written.
var errRedone = errors.New("made by this source already")

// Unban lifts a ban, with notices, and records that source lifted it, with
// b's name and account; ErrStale when there was none. The source that
// lifted it, run again, gets that record back.
func (db *DB) Unban(ctx context.Context, b flows.Banned, source string, notices ...flows.Reply) (flows.Banned, error) {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		del := `DELETE FROM user_roles WHERE user_id = $1 AND role = 'banned'`
		id := b.Who.User
		if id == 0 {
			del, id = `DELETE FROM seller_bans WHERE seller_id = $1`, b.Who.Seller
		}
		tag, err := tx.Exec(ctx, del, id)
		switch {
		case err != nil:
			return err
		case tag.RowsAffected() == 0:
			return lifted(ctx, tx, source, &b)
		}
		if err := liftedBy(ctx, tx, source, b.Name, b.Account); err != nil {
			return err
		}
		return queue(ctx, tx, notices)
	})
	if err != nil {
		return b, fmt.Errorf("unban %+v: %w", b.Who, err)
	}
	return b, nil
}

// liftedBy records that source lifted a ban or took a role back, from
// name (told to account). A row of the same source is an older update's:
// Telegram draws update_ids anew after a week without updates, and a run
// again lifts nothing (lifted). This one replaces it, never fails on it.
func liftedBy(ctx context.Context, tx pgx.Tx, source, name string, account int64) error {
	if source == "" {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO lifted_roles (source, name, account) VALUES ($1, $2, $3)
		ON CONFLICT (source) DO UPDATE SET name = EXCLUDED.name, account = EXCLUDED.account, lifted_at = now()`,
		source, name, account)
	return err
}

// sourceFresh is how long a moderation source names its update: a run
// again comes within seconds, and Telegram reuses update_ids only after a
// week without updates. An older row is another update's.
const sourceFresh = `interval '1 day'`

// lifted reads into b what source lifted before (an update run again);
// ErrStale when it lifted nothing: someone else did, or there was nothing.
func lifted(ctx context.Context, tx pgx.Tx, source string, b *flows.Banned) error {
	err := tx.QueryRow(ctx, `SELECT name, account FROM lifted_roles
		WHERE source = $1 AND lifted_at > now() - `+sourceFresh, source).Scan(&b.Name, &b.Account)
	if errors.Is(err, pgx.ErrNoRows) {
		return flows.ErrStale
	}
	return err
}

// bannedSQL is why user $1 or seller $2 may not post, if they may not: the
// user's ban, or their own profile's; the profile's, or its owner's.
const bannedSQL = `
	SELECT reason FROM user_roles WHERE role = 'banned'
		AND user_id = coalesce(nullif($1, 0::bigint), (SELECT user_id FROM sellers WHERE id = $2))
	UNION ALL
	SELECT reason FROM seller_bans
		WHERE seller_id = coalesce(nullif($2, 0::bigint), (SELECT id FROM sellers WHERE user_id = $1))
	LIMIT 1`

// Banned tells whether who may not post, and why.
func (db *DB) Banned(ctx context.Context, who flows.BanOf) (reason string, banned bool, err error) {
	err = db.Pool.QueryRow(ctx, bannedSQL, who.User, who.Seller).Scan(&reason)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("ban of %+v: %w", who, err)
	}
	return reason, true, nil
}

// userName is the name a moderator knows user u by (joined to their
// seller profile s): the seller's name, else the one their chat shows.
const userName = `coalesce(nullif(s.name, ''), nullif(u.display_name, ''), u.platform_name)`

// bannedListSQL lists every banned user and seller profile, with the phone
// number they gave (as a farmer, else as a buyer), to be found by.
const bannedListSQL = `
	SELECT u.id AS user_id, 0::bigint AS seller_id, ` + userName + ` AS name, coalesce(s.phone_e164, b.phone_e164, '') AS phone,
		r.reason, u.id AS account, r.granted_at AS at
	FROM user_roles r JOIN users u ON u.id = r.user_id LEFT JOIN sellers s ON s.user_id = u.id
		LEFT JOIN buyers b ON b.user_id = u.id
	WHERE r.role = 'banned'
	UNION ALL
	SELECT 0, s.id, s.name, coalesce(s.phone_e164, ''), b.reason, coalesce(s.user_id, 0), b.banned_at
	FROM seller_bans b JOIN sellers s ON s.id = b.seller_id`

func scanBanned(r pgx.CollectableRow) (flows.Banned, error) {
	var b flows.Banned
	var at any
	err := r.Scan(&b.Who.User, &b.Who.Seller, &b.Name, &b.Phone, &b.Reason, &b.Account, &at)
	return b, err
}

// BannedUsers lists the page q asks of the banned users and seller
// profiles, longest banned first.
func (db *DB) BannedUsers(ctx context.Context, q flows.PeopleQuery) ([]flows.Banned, flows.PeopleFound, error) {
	banned, n, err := pagePeople(ctx, db, bannedListSQL, "at, user_id, seller_id", q, scanBanned)
	if err != nil {
		return nil, n, fmt.Errorf("banned users: %w", err)
	}
	return banned, n, nil
}

// BanDetails is the ban of who, as BannedUsers lists it.
func (db *DB) BanDetails(ctx context.Context, who flows.BanOf) (flows.Banned, error) {
	rows, err := db.Pool.Query(ctx, `SELECT * FROM (`+bannedListSQL+`) listed WHERE user_id = $1 AND seller_id = $2`,
		who.User, who.Seller)
	if err != nil {
		return flows.Banned{}, fmt.Errorf("ban of %+v: %w", who, err)
	}
	found, err := pgx.CollectExactlyOneRow(rows, scanBanned)
	if errors.Is(err, pgx.ErrNoRows) {
		err = flows.ErrNotFound
	}
	if err != nil {
		return flows.Banned{}, fmt.Errorf("ban of %+v: %w", who, err)
	}
	return found, nil
}

// NameOf is the name a moderator knows a user by.
func (db *DB) NameOf(ctx context.Context, userID int64) (string, error) {
	var name string
	err := db.Pool.QueryRow(ctx, `SELECT `+userName+` FROM users u LEFT JOIN sellers s ON s.user_id = u.id WHERE u.id = $1`,
		userID).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		err = flows.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("name of user %d: %w", userID, err)
	}
	return name, nil
}
