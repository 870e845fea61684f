package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
)

// The farmers a helper registered and who do not use the bot themselves
// (/nhavuon): hers to look after until one claims her profile.

// helpedSQL lists the farmers a helper ($1) registered that no user holds,
// with the columns pagePeople searches (name, phone).
const helpedSQL = `
	SELECT id, name, coalesce(phone_e164, '') AS phone, commune, coalesce(area_tag, '') AS area, created_at
	FROM sellers WHERE created_by = $1 AND user_id IS NULL`

func scanHelped(r pgx.CollectableRow) (flows.Seller, error) {
	var s flows.Seller
	var at any
	err := r.Scan(&s.ID, &s.Name, &s.Phone, &s.Commune, &s.Area, &at)
	return s, err
}

// HelpedFarmers lists the page q asks of the farmers helper registered
// and who have not claimed their profile, the last registered first: a
// page of them with their name, phone and address.
func (db *DB) HelpedFarmers(ctx context.Context, helper int64, q flows.PeopleQuery) ([]flows.Seller, flows.PeopleFound, error) {
	farmers, n, err := pagePeople(ctx, db, helpedSQL, "created_at DESC, id DESC", q, scanHelped, helper)
	if err != nil {
		return nil, n, fmt.Errorf("farmers of helper %d: %w", helper, err)
	}
	for i := range farmers {
		farmers[i].CreatedBy = helper
	}
	return farmers, n, nil
}

// HelpedFarmer is the whole profile of a farmer helper registered and who
// has not claimed it; ErrNotFound for any other (claimed meanwhile, or
// another helper's).
func (db *DB) HelpedFarmer(ctx context.Context, helper, sellerID int64) (*flows.Seller, error) {
	s, err := scanSeller(db.Pool.QueryRow(ctx, `SELECT `+sellerColumns+` FROM sellers
		WHERE id = $1 AND created_by = $2 AND user_id IS NULL`, sellerID, helper))
	if err != nil {
		return nil, fmt.Errorf("farmer %d of helper %d: %w", sellerID, helper, err)
	}
	return s, nil
}
