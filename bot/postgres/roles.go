package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
)

// Ban stops who posting listings, with the reason they are told, and
// queues notices in the same transaction: a user's ban is a role, a seller
// profile's a row of seller_bans. Banning again updates the reason.
func (db *DB) Ban(ctx context.Context, who flows.BanOf, by int64, reason string, notices ...flows.Reply) error {
	if who.User != 0 {
		return db.change(ctx, fmt.Sprintf("ban user %d", who.User), `
			INSERT INTO user_roles (user_id, role, granted_by, reason) VALUES ($1, 'banned', nullif($2, 0), $3)
			ON CONFLICT (user_id, role) DO UPDATE SET granted_by = EXCLUDED.granted_by, reason = EXCLUDED.reason, granted_at = now()`,
			[]any{who.User, by, reason}, notices)
	}
	return db.change(ctx, fmt.Sprintf("ban seller %d", who.Seller), `
		INSERT INTO seller_bans (seller_id, banned_by, reason) VALUES ($1, nullif($2, 0), $3)
		ON CONFLICT (seller_id) DO UPDATE SET banned_by = EXCLUDED.banned_by, reason = EXCLUDED.reason, banned_at = now()`,
		[]any{who.Seller, by, reason}, notices)
}

// Unban lifts a ban, with notices; ErrStale when there was none.
func (db *DB) Unban(ctx context.Context, who flows.BanOf, notices ...flows.Reply) error {
	if who.User != 0 {
		return db.change(ctx, fmt.Sprintf("unban user %d", who.User),
			`DELETE FROM user_roles WHERE user_id = $1 AND role = 'banned'`, []any{who.User}, notices)
	}
	return db.change(ctx, fmt.Sprintf("unban seller %d", who.Seller),
		`DELETE FROM seller_bans WHERE seller_id = $1`, []any{who.Seller}, notices)
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

// BannedUsers lists every banned user and seller profile, longest banned
// first, with the phone number they gave (as a farmer, else as a buyer),
// to be found by.
func (db *DB) BannedUsers(ctx context.Context) ([]flows.Banned, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT u.id, 0::bigint, `+userName+`, coalesce(s.phone_e164, b.phone_e164, ''), r.reason, u.id, r.granted_at AS at
		FROM user_roles r JOIN users u ON u.id = r.user_id LEFT JOIN sellers s ON s.user_id = u.id
			LEFT JOIN buyers b ON b.user_id = u.id
		WHERE r.role = 'banned'
		UNION ALL
		SELECT 0, s.id, s.name, coalesce(s.phone_e164, ''), b.reason, coalesce(s.user_id, 0), b.banned_at
		FROM seller_bans b JOIN sellers s ON s.id = b.seller_id
		ORDER BY at, 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("banned users: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.Banned, error) {
		var b flows.Banned
		var at any
		err := r.Scan(&b.Who.User, &b.Who.Seller, &b.Name, &b.Phone, &b.Reason, &b.Account, &at)
		return b, err
	})
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
