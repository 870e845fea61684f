package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
)

var _ flows.Invites = (*DB)(nil)

// invitePrefix is the code's first letters, by role: QT (quản trị) and HT
// (hỗ trợ).
var invitePrefix = map[string]string{flows.RoleModerator: "QT-", flows.RoleHelper: "HT-"}

// hashInvite is what role_invites keeps of a code.
func hashInvite(code string) []byte {
	h := sha256.Sum256([]byte("nongsan role invite " + code))
	return h[:]
}

// CreateInvite stores a fresh code of six characters: with 48 hours to
// guess, 32^6 codes leave a guesser no chance.
func (db *DB) CreateInvite(ctx context.Context, inv *flows.Invite) error {
	b := []byte(invitePrefix[inv.Role])
	for range 6 {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		if err != nil {
			return fmt.Errorf("invite code: %w", err)
		}
		b = append(b, codeAlphabet[n.Int64()])
	}
	inv.Code = string(b)
	_, err := db.Pool.Exec(ctx, `INSERT INTO role_invites (code_hash, role, created_by, expires_at) VALUES ($1, $2, $3, $4)`,
		hashInvite(inv.Code), inv.Role, inv.CreatedBy, inv.Expires)
	if err != nil {
		return fmt.Errorf("create invite: %w", err)
	}
	return nil
}

// UseInvite grants the code's role once: the invite row is locked, checked,
// marked used and the role granted, with the notices, in one transaction.
func (db *DB) UseInvite(ctx context.Context, code string, userID int64, now time.Time, notices func(flows.Invite) []flows.Reply) (flows.Invite, error) {
	inv := flows.Invite{Code: code}
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var used bool
		err := tx.QueryRow(ctx, `SELECT role, created_by, expires_at, used_by IS NOT NULL FROM role_invites
			WHERE code_hash = $1 FOR UPDATE`, hashInvite(code)).Scan(&inv.Role, &inv.CreatedBy, &inv.Expires, &used)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return flows.ErrNotFound
		case err != nil:
			return err
		case used:
			return flows.ErrInviteUsed
		case !now.Before(inv.Expires):
			return flows.ErrInviteExpired
		}
		if _, err := tx.Exec(ctx, `UPDATE role_invites SET used_by = $2, used_at = $3 WHERE code_hash = $1`,
			hashInvite(code), userID, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO user_roles (user_id, role, granted_by) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, role) DO NOTHING`, userID, inv.Role, inv.CreatedBy); err != nil {
			return err
		}
		return queue(ctx, tx, notices(inv))
	})
	if err != nil {
		return inv, fmt.Errorf("use invite: %w", err)
	}
	return inv, nil
}

// GrantedRoles lists the moderators and helpers granted with /themmod, by
// name.
func (db *DB) GrantedRoles(ctx context.Context) ([]flows.Granted, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT u.id, coalesce(nullif(s.name, ''), nullif(u.display_name, ''), u.platform_name), r.role
		FROM user_roles r JOIN users u ON u.id = r.user_id LEFT JOIN sellers s ON s.user_id = u.id
		WHERE r.role IN ('moderator', 'helper') ORDER BY r.role DESC, r.granted_at, u.id LIMIT 50`)
	if err != nil {
		return nil, fmt.Errorf("granted roles: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.Granted, error) {
		var g flows.Granted
		err := r.Scan(&g.UserID, &g.Name, &g.Role)
		return g, err
	})
}

// Revoke takes a granted role back, with notices.
func (db *DB) Revoke(ctx context.Context, userID int64, role string, notices ...flows.Reply) error {
	return db.change(ctx, fmt.Sprintf("revoke %s of user %d", role, userID),
		`DELETE FROM user_roles WHERE user_id = $1 AND role = $2 AND role IN ('moderator', 'helper')`,
		[]any{userID, role}, notices)
}
