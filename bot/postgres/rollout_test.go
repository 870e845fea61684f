package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
)

// During the rolling update that renames bank_changes to profile_changes
// (00032), replicas of the version before still run their statements on
// bank_changes (copied here from 0ddc59a): a linked account's bank change,
// the farmer's ✅, a first account's own change and /bonoi's unlink all
// work, through the view, alongside a number held by the new version.
func TestReplicasOfTheVersionBeforeStillHoldBankChangesDuringTheRollout(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	seller := &flows.Seller{Name: "Mai", Phone: "+84987654321", Commune: "xã Hữu Kiên"}
	if err := db.SaveSeller(ctx, seller); err != nil {
		t.Fatal(err)
	}
	linked, err := db.Touch(ctx, flows.Input{Channel: flows.Zalo, UserID: "5", UserName: "Mai Zalo"})
	if err != nil {
		t.Fatal(err)
	}
	by := flows.ChatRef{Channel: flows.Zalo, ChatID: "5"}
	now := time.Now().Truncate(time.Second)
	// The new version holds a number.
	if err := db.HoldProfileChange(ctx, flows.ProfileChange{Seller: seller.ID, Token: "new", Phone: "+84912000111", By: by, At: now}); err != nil {
		t.Fatal(err)
	}
	read := func() (token, account string, err error) {
		err = db.Pool.QueryRow(ctx, `
			SELECT b.token, b.bank_bin, b.bank_name, b.bank_account, b.bank_holder, u.channel, u.platform_id, b.asked_at
			FROM bank_changes b JOIN users u ON u.id = b.asked_by WHERE b.seller_id = $1`, seller.ID).
			Scan(&token, new(string), new(string), &account, new(string), new(string), new(string), new(time.Time))
		return token, account, err
	}
	if _, _, err := read(); !errors.Is(err, pgx.ErrNoRows) {
		t.Fatalf("the old version reads a number-only change as a bank change (%v), want none", err)
	}
	// An old replica holds a bank account: it joins the number.
	hold := func(token string) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, `
			INSERT INTO bank_changes (seller_id, token, bank_bin, bank_name, bank_account, bank_holder, asked_by, asked_at)
			SELECT $1, $2, $3, $4, $5, $6, id, $9 FROM users WHERE channel = $7 AND platform_id = $8
			ON CONFLICT (seller_id) DO UPDATE SET token = EXCLUDED.token, bank_bin = EXCLUDED.bank_bin,
				bank_name = EXCLUDED.bank_name, bank_account = EXCLUDED.bank_account, bank_holder = EXCLUDED.bank_holder,
				asked_by = EXCLUDED.asked_by, asked_at = EXCLUDED.asked_at`,
			seller.ID, token, "970436", "Vietcombank", "0071000123456", "NGUYEN THI MAI", by.Channel, by.ChatID, now); err != nil {
			t.Fatalf("the old version holds a bank change: %v", err)
		}
	}
	hold("old")
	ch, err := db.ProfileChangeOf(ctx, seller.ID)
	if err != nil || ch.Token != "old" || ch.Phone != "+84912000111" || ch.Bank == nil || ch.Bank.Account != "0071000123456" {
		t.Fatalf("the new version reads %+v (%v), want the number and the account under the old token", ch, err)
	}
	if token, account, err := read(); err != nil || token != "old" || account != "0071000123456" {
		t.Fatalf("the old version reads %q %q (%v)", token, account, err)
	}
	// The farmer's ✅ on an old replica.
	if _, err := db.Pool.Exec(ctx, `
		WITH ch AS (DELETE FROM bank_changes WHERE seller_id = $1 AND token = $2 RETURNING *)
		UPDATE sellers s SET bank_bin = ch.bank_bin, bank_name = ch.bank_name, bank_account = ch.bank_account,
			bank_holder = ch.bank_holder, updated_at = now()
		FROM ch WHERE s.id = ch.seller_id`, seller.ID, "old"); err != nil {
		t.Fatalf("the old version confirms: %v", err)
	}
	var account string
	if err := db.Pool.QueryRow(ctx, `SELECT bank_account FROM sellers WHERE id = $1`, seller.ID).Scan(&account); err != nil || account != "0071000123456" {
		t.Fatalf("confirmed by the old version, the profile's account is %q (%v)", account, err)
	}
	// A first account's own change drops the waiting one; /bonoi unlinks.
	hold("again")
	if _, err := db.Pool.Exec(ctx, `DELETE FROM bank_changes WHERE seller_id = $1 AND ($2 = '' OR token = $2)`, seller.ID, ""); err != nil {
		t.Fatalf("the old version drops a bank change: %v", err)
	}
	hold("again")
	if _, err := db.Pool.Exec(ctx, `DELETE FROM bank_changes WHERE asked_by = $1`, linked.ID); err != nil {
		t.Fatalf("the old version unlinks: %v", err)
	}
	if _, err := db.ProfileChangeOf(ctx, seller.ID); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("after the old version's unlink: %v, want no change waiting", err)
	}
}
