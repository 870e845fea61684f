package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

var _ flows.Prices = (*DB)(nil)

// RecentPrices is the range of prices of productKey in area since a time,
// per unit per (per kg for any weight), from listings published then (not
// removed) and orders placed then and completed, each order at its agreed
// price (its total over its quantity). Prices in another unit are left out.
// With 10 prices or more, a tenth at each end is left out of the range;
// the farmers are counted among those left in.
func (db *DB) RecentPrices(ctx context.Context, productKey, area string, per vn.Unit, since time.Time) (flows.PriceRange, error) {
	r := flows.PriceRange{Low: vn.Price{Per: per}, High: vn.Price{Per: per}}
	if productKey == "" || area == "" {
		return r, nil // a product typed freely, or a place outside the areas, has no market to compare with
	}
	// The units counted and grams in each: the weights, to price per kg;
	// else only per itself, as is.
	units, grams := []string{string(per)}, []int64{1000}
	if per.IsWeight() {
		r.Low.Per, r.High.Per = vn.UnitKg, vn.UnitKg
		units, grams = nil, nil
		for _, u := range vn.Units() {
			if g, ok := u.Kg(); ok {
				units, grams = append(units, string(u)), append(grams, g)
			}
		}
	}
	err := db.Pool.QueryRow(ctx, `
		WITH unit (name, grams) AS (SELECT * FROM unnest($4::text[], $5::bigint[])),
		points AS (
			SELECT l.seller_id, true AS listing, l.price_vnd * 1000.0 / u.grams AS price
			FROM listings l JOIN sellers s ON s.id = l.seller_id
			JOIN unit u ON u.name = coalesce(nullif(l.price_unit, ''), l.unit)
			WHERE l.product_key = $1 AND s.area_tag = $2 AND l.created_at >= $3 AND l.status <> 'removed'
			UNION ALL
			SELECT l.seller_id, false, o.total_vnd * 1000000.0 / (o.quantity_milli * u.grams)
			FROM orders o JOIN listings l ON l.id = o.listing_id JOIN sellers s ON s.id = l.seller_id
			JOIN unit u ON u.name = l.unit
			WHERE l.product_key = $1 AND s.area_tag = $2 AND o.created_at >= $3
			  AND o.status = 'completed' AND o.total_vnd > 0
		),
		ranked AS (
			SELECT *, row_number() OVER (ORDER BY price) AS rank, count(*) OVER () AS n FROM points
		),
		kept AS (SELECT * FROM ranked WHERE rank > n / 10 AND rank <= n - n / 10)
		SELECT (SELECT count(*) FILTER (WHERE listing) FROM points), (SELECT count(*) FILTER (WHERE NOT listing) FROM points),
		       count(DISTINCT seller_id), coalesce(round(min(price)), 0)::bigint, coalesce(round(max(price)), 0)::bigint
		FROM kept`, productKey, area, since, units, grams).
		Scan(&r.Listings, &r.Orders, &r.Sellers, &r.Low.VND, &r.High.VND)
	if err != nil {
		return r, fmt.Errorf("recent prices of %s in %s: %w", productKey, area, err)
	}
	return r, nil
}
