package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/nongsan-bot/nongsan/flows"
)

var _ flows.ProfileChanges = (*DB)(nil)

// HoldProfileChange keeps a number or bank account waiting for the
// farmer's word (see migrations 00028 and 00032), replacing the change
// waiting, with the notices that ask.
func (db *DB) HoldProfileChange(ctx context.Context, ch flows.ProfileChange, notices ...flows.Reply) error {
	var b flows.BankAccount
	if ch.Bank != nil {
		b = *ch.Bank
	}
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO profile_changes (seller_id, token, phone_e164, bank_bin, bank_name, bank_account, bank_holder, asked_by, asked_at)
			SELECT $1, $2, nullif($3, ''), nullif($4, ''), nullif($5, ''), nullif($6, ''), nullif($7, ''), id, $10
			FROM users WHERE channel = $8 AND platform_id = $9
			ON CONFLICT (seller_id) DO UPDATE SET token = EXCLUDED.token, phone_e164 = EXCLUDED.phone_e164,
				bank_bin = EXCLUDED.bank_bin, bank_name = EXCLUDED.bank_name, bank_account = EXCLUDED.bank_account,
				bank_holder = EXCLUDED.bank_holder, asked_by = EXCLUDED.asked_by, asked_at = EXCLUDED.asked_at`,
			ch.Seller, ch.Token, ch.Phone, b.BIN, b.Bank, b.Account, b.Holder, ch.By.Channel, ch.By.ChatID, ch.At)
		if err != nil {
			return err
		}
		return queue(ctx, tx, notices)
	})
	if err != nil {
		return fmt.Errorf("hold profile change of seller %d: %w", ch.Seller, err)
	}
	return nil
}

// ProfileChangeOf is the change waiting for a profile.
func (db *DB) ProfileChangeOf(ctx context.Context, seller int64) (*flows.ProfileChange, error) {
	ch := flows.ProfileChange{Seller: seller}
	var phone, bin, bank, account, holder *string
	err := db.Pool.QueryRow(ctx, `
		SELECT c.token, c.phone_e164, c.bank_bin, c.bank_name, c.bank_account, c.bank_holder, u.channel, u.platform_id, c.asked_at
		FROM profile_changes c JOIN users u ON u.id = c.asked_by WHERE c.seller_id = $1`, seller).
		Scan(&ch.Token, &phone, &bin, &bank, &account, &holder, &ch.By.Channel, &ch.By.ChatID, &ch.At)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, flows.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("profile change of seller %d: %w", seller, err)
	}
	if phone != nil {
		ch.Phone = *phone
	}
	if account != nil {
		ch.Bank = &flows.BankAccount{BIN: deref(bin), Bank: deref(bank), Account: *account, Holder: deref(holder)}
	}
	return &ch, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ConfirmProfileChange gives the profile what the change waiting holds, if
// it is the one token names; by a moderator only while the account the
// profile was registered on is gone.
func (db *DB) ConfirmProfileChange(ctx context.Context, seller int64, token string, by flows.ConfirmedBy, notices ...flows.Reply) error {
	err := db.change(ctx, "confirm profile change", `
		WITH ch AS (
			DELETE FROM profile_changes c WHERE seller_id = $1 AND token = $2
				AND ($3 = 0 OR EXISTS (SELECT 1 FROM sellers s JOIN users u ON u.id = s.user_id
					WHERE s.id = c.seller_id AND u.gone_at IS NOT NULL))
			RETURNING *)
		UPDATE sellers s SET phone_e164 = coalesce(ch.phone_e164, s.phone_e164),
			bank_bin = CASE WHEN ch.bank_account IS NULL THEN s.bank_bin ELSE ch.bank_bin END,
			bank_name = CASE WHEN ch.bank_account IS NULL THEN s.bank_name ELSE ch.bank_name END,
			bank_account = coalesce(ch.bank_account, s.bank_account),
			bank_holder = CASE WHEN ch.bank_account IS NULL THEN s.bank_holder ELSE ch.bank_holder END,
			updated_at = now()
		FROM ch WHERE s.id = ch.seller_id`, []any{seller, token, int(by)}, notices)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "sellers_phone_e164_key" {
		return fmt.Errorf("confirm profile change of seller %d: %w", seller, flows.ErrPhoneTaken)
	}
	return err
}

// DropProfileChange forgets the change waiting (token "": whichever).
func (db *DB) DropProfileChange(ctx context.Context, seller int64, token string, notices ...flows.Reply) error {
	return db.change(ctx, "drop profile change", `DELETE FROM profile_changes WHERE seller_id = $1 AND ($2 = '' OR token = $2)`,
		[]any{seller, token}, notices)
}

// SupersedeProfileChange forgets the number or account waiting, set on
// the first account meanwhile.
func (db *DB) SupersedeProfileChange(ctx context.Context, seller int64, phone, bank bool) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM profile_changes WHERE seller_id = $1
			AND (phone_e164 IS NULL OR $2) AND (bank_account IS NULL OR $3)`, seller, phone, bank); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE profile_changes SET
			phone_e164 = CASE WHEN $2 THEN NULL ELSE phone_e164 END,
			bank_bin = CASE WHEN $3 THEN NULL ELSE bank_bin END, bank_name = CASE WHEN $3 THEN NULL ELSE bank_name END,
			bank_account = CASE WHEN $3 THEN NULL ELSE bank_account END, bank_holder = CASE WHEN $3 THEN NULL ELSE bank_holder END
			WHERE seller_id = $1`, seller, phone, bank)
		return err
	})
	if err != nil {
		return fmt.Errorf("supersede profile change of seller %d: %w", seller, err)
	}
	return nil
}
