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
// guess, 32^6 codes leave a guesser no chance. The source that made an
// invite, run again, gives that invite the fresh code: only a hash of the
// first is kept, and it was never shown (its reply went with the run).
func (db *DB) CreateInvite(ctx context.Context, inv *flows.Invite, source string) error {
	b := []byte(invitePrefix[inv.Role])
	for range 6 {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		if err != nil {
			return fmt.Errorf("invite code: %w", err)
		}
		b = append(b, codeAlphabet[n.Int64()])
	}
	inv.Code = string(b)
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		// An invite of the same source made more than a day ago is
		// another update's (Telegram reuses update_ids after a week
		// without updates), not this one run again: it lets go of it.
		if _, err := tx.Exec(ctx, `UPDATE role_invites SET source = NULL
			WHERE source = $1 AND created_at <= now() - `+sourceFresh, source); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO role_invites (code_hash, role, created_by, expires_at, source) VALUES ($1, $2, $3, $4, nullif($5, ''))
			ON CONFLICT (source) DO UPDATE SET code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at
				WHERE role_invites.used_by IS NULL AND role_invites.revoked_at IS NULL`,
			hashInvite(inv.Code), inv.Role, inv.CreatedBy, inv.Expires, source)
		if err == nil && tag.RowsAffected() == 0 {
			err = errors.New("its first code was used or voided") // never shown: guessed, or its maker taken off
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create invite: %w", err)
	}
	return nil
}

// UseInvite grants the code's role once: the invite row is locked, checked,
// marked used and the role granted, with the notices, in one transaction.
// Its maker must moderate still, and not have lost the role since making
// it (revoked_at): a moderator taken off cannot come back with a code they
// kept, nor give a role to anyone else. A wrong code is a row of
// invite_tries, once per update; the person's row is locked meanwhile, so
// that tries from their chats at once are counted one after the other.
func (db *DB) UseInvite(ctx context.Context, u flows.InviteUse, lim flows.InviteLimits, notices func(flows.Invite) []flows.Reply) (flows.Invite, error) {
	inv := flows.Invite{Code: u.Code}
	var outcome error // what the committed transaction tells
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, u.User); err != nil {
			return err
		}
		// The wrong tries of the day, but this update's, newest first.
		wrong, err := newest(ctx, tx, `SELECT at FROM invite_tries WHERE user_id = $1 AND at > $2 AND source <> $3
			ORDER BY at DESC LIMIT $4`, u.User, u.At.Add(-lim.Window), u.Source, lim.Tries)
		if err != nil {
			return err
		}
		if next := capEnd(wrong, lim.Tries, lim.Window); !next.IsZero() {
			outcome = &flows.InviteBlockedError{Next: next}
			return nil
		}
		var used, revoked, usedByThem bool
		err = tx.QueryRow(ctx, `SELECT role, created_by, expires_at, used_by IS NOT NULL, revoked_at IS NOT NULL,
				coalesce((SELECT coalesce(linked_to, id) FROM users WHERE id = used_by) = $2, false)
			FROM role_invites WHERE code_hash = $1 FOR UPDATE`, hashInvite(u.Code), u.User).
			Scan(&inv.Role, &inv.CreatedBy, &inv.Expires, &used, &revoked, &usedByThem)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			_, err := tx.Exec(ctx, `INSERT INTO invite_tries (user_id, at, source) VALUES ($1, $2, $3)
				ON CONFLICT (source) DO NOTHING`, u.User, u.At, u.Source)
			if err != nil {
				return err
			}
			outcome = flows.ErrNotFound
			if next := capEnd(append([]time.Time{u.At}, wrong...), lim.Tries, lim.Window); !next.IsZero() {
				outcome = &flows.InviteBlockedError{Next: next} // this try was the last of the day
			}
			return nil
		case err != nil:
			return err
		case used && usedByThem:
			// Used by this person (an earlier delivery of this update):
			// done, while they hold its role.
			var holds bool
			err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM user_roles WHERE user_id = $1 AND role = $2)`,
				u.User, inv.Role).Scan(&holds)
			if err == nil && !holds {
				outcome = flows.ErrInviteUsed
			}
			return err
		case used:
			outcome = flows.ErrInviteUsed
			return nil
		case revoked:
			outcome = flows.ErrInviteVoid
			return nil
		}
		moderates, err := db.moderates(ctx, tx, inv.CreatedBy)
		switch {
		case err != nil:
			return err
		case !moderates:
			outcome = flows.ErrInviteVoid
			return nil
		case !u.At.Before(inv.Expires):
			outcome = flows.ErrInviteExpired
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE role_invites SET used_by = $2, used_at = $3 WHERE code_hash = $1`,
			hashInvite(u.Code), u.User, u.At); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO user_roles (user_id, role, granted_by, linked_from)
			VALUES ($1, $2, $3, (SELECT id FROM users WHERE channel = $4 AND platform_id = $5 AND linked_to = $1))
			ON CONFLICT (user_id, role) DO NOTHING`, u.User, inv.Role, inv.CreatedBy, u.Linked.Channel, u.Linked.ChatID); err != nil {
			return err
		}
		return queue(ctx, tx, notices(inv))
	})
	if err == nil {
		err = outcome
	}
	if err != nil {
		return inv, fmt.Errorf("use invite: %w", err)
	}
	return inv, nil
}

// moderates tells, in tx, whether a user moderates now: the person the
// account is (linked since, or not) granted the role, or one of their
// accounts listed in MODERATORS. A /xoamod under way is not waited for:
// the code is used before it, and Revoke, waiting for the invite's lock,
// then finds it used.
func (db *DB) moderates(ctx context.Context, tx pgx.Tx, userID int64) (bool, error) {
	rows, err := tx.Query(ctx, `
		WITH p AS (SELECT coalesce(linked_to, id) AS id FROM users WHERE id = $1)
		SELECT u.channel, u.platform_id, EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = p.id AND r.role = 'moderator')
		FROM p JOIN users u ON u.id = p.id OR u.linked_to = p.id`, userID)
	if err != nil {
		return false, err
	}
	var channel, platformID string
	var granted, moderates bool
	_, err = pgx.ForEachRow(rows, []any{&channel, &platformID, &granted}, func() error {
		moderates = moderates || granted || db.listed(channel, platformID)
		return nil
	})
	return moderates, err
}

// grantedSQL lists every moderator and helper granted with /themmod, by
// name, with the phone number they gave (as a farmer, else as a buyer),
// to be found by.
const grantedSQL = `
	SELECT u.id, ` + userName + ` AS name, coalesce(s.phone_e164, b.phone_e164, '') AS phone, r.role, r.granted_at
	FROM user_roles r JOIN users u ON u.id = r.user_id LEFT JOIN sellers s ON s.user_id = u.id
		LEFT JOIN buyers b ON b.user_id = u.id
	WHERE r.role IN ('moderator', 'helper')`

func scanGranted(r pgx.CollectableRow) (flows.Granted, error) {
	var g flows.Granted
	var at any
	err := r.Scan(&g.UserID, &g.Name, &g.Phone, &g.Role, &at)
	return g, err
}

// GrantedRoles lists the page q asks of the moderators and helpers granted
// with /themmod: moderators first, then by when they were granted.
func (db *DB) GrantedRoles(ctx context.Context, q flows.PeopleQuery) ([]flows.Granted, flows.PeopleFound, error) {
	granted, n, err := pagePeople(ctx, db, grantedSQL, "role DESC, granted_at, id", q, scanGranted)
	if err != nil {
		return nil, n, fmt.Errorf("granted roles: %w", err)
	}
	return granted, n, nil
}

// GrantedRole is the role granted to userID with /themmod.
func (db *DB) GrantedRole(ctx context.Context, userID int64, role string) (flows.Granted, error) {
	rows, err := db.Pool.Query(ctx, grantedSQL+` AND u.id = $1 AND r.role = $2`, userID, role)
	if err != nil {
		return flows.Granted{}, fmt.Errorf("%s role of user %d: %w", role, userID, err)
	}
	found, err := pgx.CollectExactlyOneRow(rows, scanGranted)
	if errors.Is(err, pgx.ErrNoRows) {
		err = flows.ErrNotFound
	}
	if err != nil {
		return flows.Granted{}, fmt.Errorf("%s role of user %d: %w", role, userID, err)
	}
	return found, nil
}

// Revoke takes a granted role back, with notices, recording source (run
// again, it is told nil). Taking back the moderator role voids the codes
// the person made that nobody used yet, from any of their accounts: given
// the role back later, they are not good again.
func (db *DB) Revoke(ctx context.Context, userID int64, role, source string, notices ...flows.Reply) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM user_roles WHERE user_id = $1 AND role = $2 AND role IN ('moderator', 'helper')`,
			userID, role)
		switch {
		case err != nil:
			return err
		case tag.RowsAffected() == 0:
			return lifted(ctx, tx, source, &flows.Banned{})
		}
		if role == flows.RoleModerator {
			_, err := tx.Exec(ctx, `UPDATE role_invites SET revoked_at = now()
				WHERE used_by IS NULL AND revoked_at IS NULL
					AND created_by IN (SELECT id FROM users WHERE id = $1 OR linked_to = $1)`, userID)
			if err != nil {
				return err
			}
		}
		if err := liftedBy(ctx, tx, source, "", userID); err != nil {
			return err
		}
		return queue(ctx, tx, notices)
	})
	if err != nil {
		return fmt.Errorf("revoke %s of user %d: %w", role, userID, err)
	}
	return nil
}
