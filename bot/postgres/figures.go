package postgres

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
)

var (
	_ flows.FiguresStore = (*DB)(nil)
	_ flows.Downloads    = (*DB)(nil)
)

// Figures counts the province's measures for area ("" for every area):
// farmers registered, those with a bank account and active listings at
// now, and the orders sold (accepted by the farmer, not cancelled) among
// those placed in [from, to), by product, area and unit.
func (db *DB) Figures(ctx context.Context, area string, from, to, now time.Time) (*flows.Figures, error) {
	f := &flows.Figures{}
	err := db.Pool.QueryRow(ctx, `
		SELECT count(*),
		       count(*) FILTER (WHERE coalesce(bank_account, '') <> ''),
		       (SELECT count(*) FROM listings l JOIN sellers ls ON ls.id = l.seller_id
		        WHERE l.status = 'active' AND l.remaining_milli > 0 AND l.expires_at > $2
		          AND ($1 = '' OR ls.area_tag = $1))
		FROM sellers WHERE $1 = '' OR area_tag = $1`, area, now).Scan(&f.Sellers, &f.Banked, &f.Active)
	if err != nil {
		return nil, fmt.Errorf("figures of farmers and listings: %w", err)
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT coalesce(l.product_key, ''), min(l.product_name), coalesce(s.area_tag, ''), l.unit,
		       count(*), sum(o.quantity_milli), sum(o.total_vnd)
		FROM orders o JOIN listings l ON l.id = o.listing_id JOIN sellers s ON s.id = l.seller_id
		WHERE o.status IN ('accepted', 'shipping', 'completed') AND o.created_at >= $2 AND o.created_at < $3
		  AND ($1 = '' OR s.area_tag = $1)
		GROUP BY 1, CASE WHEN l.product_key IS NULL THEN lower(l.product_name) END, 3, 4
		ORDER BY 1, 2, 3, 4`, area, from, to)
	if err != nil {
		return nil, fmt.Errorf("figures of orders sold: %w", err)
	}
	f.Sold, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.SoldRow, error) {
		var s flows.SoldRow
		err := r.Scan(&s.ProductKey, &s.Product, &s.Area, &s.Unit, &s.Orders, &s.Milli, &s.VND)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("figures of orders sold: %w", err)
	}
	return f, nil
}

// SaveDownload keeps a file to be downloaded until expires and returns its
// unguessable token; files already expired are removed on the way.
func (db *DB) SaveDownload(ctx context.Context, d flows.Document, expires time.Time) (string, error) {
	b := make([]byte, 16)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM downloads WHERE expires_at < now()`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO downloads (token, name, mime, data, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			token, d.Name, d.MIME, d.Data, expires)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("save download %s: %w", d.Name, err)
	}
	return token, nil
}

// Download is the file of token while it has not expired at now;
// flows.ErrNotFound otherwise.
func (db *DB) Download(ctx context.Context, token string, now time.Time) (*flows.Document, error) {
	var d flows.Document
	err := db.Pool.QueryRow(ctx, `SELECT name, mime, data FROM downloads WHERE token = $1 AND expires_at > $2`,
		token, now).Scan(&d.Name, &d.MIME, &d.Data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, flows.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	return &d, nil
}
