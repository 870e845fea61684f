package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
)

var _ flows.BankChanges = (*DB)(nil)

// HoldBankChange keeps a bank account waiting for the farmer's word (see
// migration 00028), replacing the one waiting, with the notices that ask.
func (db *DB) HoldBankChange(ctx context.Context, ch flows.BankChange, notices ...flows.Reply) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO bank_changes (seller_id, token, bank_bin, bank_name, bank_account, bank_holder, asked_by, asked_at)
			SELECT $1, $2, $3, $4, $5, $6, id, $9 FROM users WHERE channel = $7 AND platform_id = $8
			ON CONFLICT (seller_id) DO UPDATE SET token = EXCLUDED.token, bank_bin = EXCLUDED.bank_bin,
				bank_name = EXCLUDED.bank_name, bank_account = EXCLUDED.bank_account, bank_holder = EXCLUDED.bank_holder,
				asked_by = EXCLUDED.asked_by, asked_at = EXCLUDED.asked_at`,
			ch.Seller, ch.Token, ch.Bank.BIN, ch.Bank.Bank, ch.Bank.Account, ch.Bank.Holder, ch.By.Channel, ch.By.ChatID, ch.At)
		if err != nil {
			return err
		}
		return queue(ctx, tx, notices)
	})
	if err != nil {
		return fmt.Errorf("hold bank change of seller %d: %w", ch.Seller, err)
	}
	return nil
}

// BankChangeOf is the bank account waiting for a profile.
func (db *DB) BankChangeOf(ctx context.Context, seller int64) (*flows.BankChange, error) {
	ch := flows.BankChange{Seller: seller}
	err := db.Pool.QueryRow(ctx, `
		SELECT b.token, b.bank_bin, b.bank_name, b.bank_account, b.bank_holder, u.channel, u.platform_id, b.asked_at
		FROM bank_changes b JOIN users u ON u.id = b.asked_by WHERE b.seller_id = $1`, seller).
		Scan(&ch.Token, &ch.Bank.BIN, &ch.Bank.Bank, &ch.Bank.Account, &ch.Bank.Holder, &ch.By.Channel, &ch.By.ChatID, &ch.At)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, flows.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("bank change of seller %d: %w", seller, err)
	}
	return &ch, nil
}

// ConfirmBankChange gives the profile the account waiting, if it is the
// one token names.
func (db *DB) ConfirmBankChange(ctx context.Context, seller int64, token string, notices ...flows.Reply) error {
	return db.change(ctx, "confirm bank change", `
		WITH ch AS (DELETE FROM bank_changes WHERE seller_id = $1 AND token = $2 RETURNING *)
		UPDATE sellers s SET bank_bin = ch.bank_bin, bank_name = ch.bank_name, bank_account = ch.bank_account,
			bank_holder = ch.bank_holder, updated_at = now()
		FROM ch WHERE s.id = ch.seller_id`, []any{seller, token}, notices)
}

// DropBankChange forgets the account waiting (token "": whichever).
func (db *DB) DropBankChange(ctx context.Context, seller int64, token string, notices ...flows.Reply) error {
	return db.change(ctx, "drop bank change", `DELETE FROM bank_changes WHERE seller_id = $1 AND ($2 = '' OR token = $2)`,
		[]any{seller, token}, notices)
}
