package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
)

// Ban stops a user posting listings, with the reason they are told, and
// queues notices in the same transaction. Banning again updates the reason.
func (db *DB) Ban(ctx context.Context, userID, by int64, reason string, notices ...flows.Reply) error {
	return db.change(ctx, fmt.Sprintf("ban user %d", userID), `
		INSERT INTO user_roles (user_id, role, granted_by, reason) VALUES ($1, 'banned', nullif($2, 0), $3)
		ON CONFLICT (user_id, role) DO UPDATE SET granted_by = EXCLUDED.granted_by, reason = EXCLUDED.reason, granted_at = now()`,
		[]any{userID, by, reason}, notices)
}

// Unban lifts a ban, with notices; ErrStale when the user was not banned.
func (db *DB) Unban(ctx context.Context, userID int64, notices ...flows.Reply) error {
	return db.change(ctx, fmt.Sprintf("unban user %d", userID),
		`DELETE FROM user_roles WHERE user_id = $1 AND role = 'banned'`, []any{userID}, notices)
}

// Banned tells whether a user may not post, and why.
func (db *DB) Banned(ctx context.Context, userID int64) (reason string, banned bool, err error) {
	err = db.Pool.QueryRow(ctx, `SELECT reason FROM user_roles WHERE user_id = $1 AND role = 'banned'`, userID).Scan(&reason)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("ban of user %d: %w", userID, err)
	}
	return reason, true, nil
}

// BannedUsers lists the banned, longest banned first.
func (db *DB) BannedUsers(ctx context.Context) ([]flows.Banned, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT u.id, coalesce(nullif(s.name, ''), nullif(u.display_name, ''), u.platform_name), r.reason
		FROM user_roles r JOIN users u ON u.id = r.user_id LEFT JOIN sellers s ON s.user_id = u.id
		WHERE r.role = 'banned' ORDER BY r.granted_at, u.id LIMIT 50`)
	if err != nil {
		return nil, fmt.Errorf("banned users: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.Banned, error) {
		var b flows.Banned
		err := r.Scan(&b.UserID, &b.Name, &b.Reason)
		return b, err
	})
}
