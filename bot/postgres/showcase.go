package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

var _ flows.Showcase = (*DB)(nil)

// slugAlphabet: lower case letters and digits, without those read alike
// (0/o, 1/l/i).
const slugAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// maxSlugBase bounds the readable part of a slug, in bytes (ASCII).
const maxSlugBase = 40

// communeWords are the words of a commune's name that say what it is, not
// which one: "xã Hữu Kiên" gives "huu-kien".
var communeWords = []string{"xa ", "phuong ", "thi tran "}

// newSlug is a store's slug: the name and commune folded to ASCII words
// joined by "-", and a random suffix, e.g. "lan-huu-kien-7k2q". Never the
// phone number.
func newSlug(name, commune string) string {
	commune = vn.Fold(commune)
	for _, w := range communeWords {
		commune = strings.TrimPrefix(commune, w)
	}
	var b strings.Builder
	dash := false
	for _, r := range vn.Fold(name) + " " + commune {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	base := b.String()
	if len(base) > maxSlugBase {
		base = base[:maxSlugBase]
		if i := strings.LastIndexByte(base, '-'); i > 0 {
			base = base[:i]
		}
	}
	suffix := make([]byte, 4)
	for i := range suffix {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(slugAlphabet))))
		suffix[i] = slugAlphabet[n.Int64()]
	}
	if base == "" {
		return string(suffix)
	}
	return base + "-" + string(suffix)
}

// slugTaken tells whether err is a slug drawn twice; another is drawn.
func slugTaken(err error) bool {
	return uniqueViolation(err, "sellers_slug_key")
}

// fillSlugs gives a slug to every seller without one (those saved before
// stores had pages).
func (db *DB) fillSlugs(ctx context.Context) error {
	rows, err := db.Pool.Query(ctx, `SELECT id, name, commune FROM sellers WHERE slug IS NULL ORDER BY id`)
	if err != nil {
		return fmt.Errorf("sellers without a slug: %w", err)
	}
	type seller struct {
		id            int64
		name, commune string
	}
	sellers, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (s seller, err error) {
		return s, r.Scan(&s.id, &s.name, &s.commune)
	})
	if err != nil {
		return fmt.Errorf("sellers without a slug: %w", err)
	}
	for _, s := range sellers {
		for try := 0; ; try++ {
			_, err := db.Pool.Exec(ctx, `UPDATE sellers SET slug = $2 WHERE id = $1 AND slug IS NULL`,
				s.id, newSlug(s.name, s.commune))
			if err == nil {
				break
			}
			if !slugTaken(err) || try == 8 {
				return fmt.Errorf("slug of seller %d: %w", s.id, err)
			}
		}
	}
	return nil
}

// onSaleNow: on sale and not past its expiry (the tick that ends it may
// not have come yet).
const onSaleNow = `l.status = 'active' AND l.expires_at > now()`

// shownNow is the listings whose page and photos are public: on sale or
// sold out, until their last day. The tick ends both then (Expiring);
// this holds until it has.
const shownNow = `(l.status IN ('active', 'sold_out') AND l.expires_at > now())`

// shownColumns are a Shown's columns, of listings l joined with sellers s:
// never a phone number or a bank account.
const shownColumns = `l.code, coalesce(l.product_key, ''), l.product_name, l.unit, l.quantity_milli, l.remaining_milli,
	l.price_vnd, l.price_unit, l.ready_on, l.note, coalesce(s.growing_code, ''), l.status,
	coalesce((SELECT jsonb_agg(jsonb_build_object('ID', m.id, 'Width', coalesce(m.width, 0), 'Height', coalesce(m.height, 0))
		ORDER BY u.n) FROM unnest(l.photos) WITH ORDINALITY AS u (p, n)
		JOIN media m ON m.id = split_part(u.p, ':', 1) AND m.listing_id = l.id), '[]'),
	coalesce(s.slug, ''), s.name, s.commune, coalesce(s.area_tag, ''), l.created_at`

// shownFrom joins what shownColumns read.
const shownFrom = ` FROM listings l JOIN sellers s ON s.id = l.seller_id`

func scanShown(r pgx.CollectableRow) (flows.Shown, error) {
	var l flows.Shown
	var unit, per string
	err := r.Scan(&l.Code, &l.ProductKey, &l.Product, &unit, &l.Quantity.Milli, &l.Remaining,
		&l.Price.VND, &per, &l.Ready, &l.Note, &l.GrowingCode, &l.Status, &l.Photos,
		&l.Store.Slug, &l.Store.Name, &l.Store.Commune, &l.Store.Area, &l.Created)
	l.Quantity.Unit, l.Price.Per = vn.Unit(unit), vn.Unit(per)
	if len(l.Photos) > 0 {
		l.Photo = l.Photos[0].ID
	}
	return l, err
}

func (db *DB) shown(ctx context.Context, what, where string, args ...any) ([]flows.Shown, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+shownColumns+shownFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, scanShown)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// Market lists the listings on sale, newest first, a page at a time.
func (db *DB) Market(ctx context.Context, q flows.MarketQuery) ([]flows.Shown, bool, error) {
	per := max(q.PerPage, 1)
	out, err := db.shown(ctx, "market", onSaleNow+`
		AND ($1 = '' OR l.product_key = $1) AND ($2 = '' OR s.area_tag = $2)
		ORDER BY l.created_at DESC, l.id DESC LIMIT $3 OFFSET $4`,
		q.Product, q.Area, per+1, (max(q.Page, 1)-1)*per)
	if err != nil {
		return nil, false, err
	}
	if len(out) > per {
		return out[:per], true, nil
	}
	return out, false, nil
}

// MarketProducts lists the catalog products on sale, by name.
func (db *DB) MarketProducts(ctx context.Context) ([]flows.MarketProduct, error) {
	rows, err := db.Pool.Query(ctx, `SELECT l.product_key, min(l.product_name) FROM listings l
		WHERE `+onSaleNow+` AND l.product_key IS NOT NULL GROUP BY l.product_key ORDER BY 2`)
	if err != nil {
		return nil, fmt.Errorf("market products: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (p flows.MarketProduct, err error) {
		return p, r.Scan(&p.Key, &p.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("market products: %w", err)
	}
	return out, nil
}

// ShownListing is a listing on sale or sold out, by its code, until its
// last day.
func (db *DB) ShownListing(ctx context.Context, code string) (*flows.Shown, error) {
	out, err := db.shown(ctx, "listing "+code, `l.code = $1 AND `+shownNow, code)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("listing %s: %w", code, flows.ErrNotFound)
	}
	return &out[0], nil
}

// EndedListing is a listing that was on sale and has ended: stopped,
// expired, or sold out past its last day; not one a moderator took down.
func (db *DB) EndedListing(ctx context.Context, code string) (*flows.Ended, error) {
	var e flows.Ended
	err := db.Pool.QueryRow(ctx, `SELECT l.code, l.product_name, coalesce(s.slug, ''), s.name`+shownFrom+`
		WHERE l.code = $1 AND l.status IN ('active', 'sold_out', 'closed', 'expired') AND NOT `+shownNow, code).
		Scan(&e.Code, &e.Product, &e.Store.Slug, &e.Store.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("ended listing %s: %w", code, flows.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("ended listing %s: %w", code, err)
	}
	return &e, nil
}

// storeListings bounds a store page; soldOutFor is how long a sold-out
// listing stays on it.
const (
	storeListings = 50
	soldOutFor    = "30 days"
)

// Store is a farmer's store: its listings on sale, then those sold out in
// the last month.
func (db *DB) Store(ctx context.Context, slug string) (*flows.Store, error) {
	var s flows.Store
	err := db.Pool.QueryRow(ctx, `SELECT slug, name, commune, coalesce(area_tag, '') FROM sellers WHERE slug = $1`, slug).
		Scan(&s.Slug, &s.Name, &s.Commune, &s.Area)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store %s: %w", slug, flows.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", slug, err)
	}
	s.Listings, err = db.shown(ctx, "store "+slug, `s.slug = $1
		AND `+shownNow+` AND (l.status = 'active' OR l.updated_at > now() - interval '`+soldOutFor+`')
		ORDER BY l.status = 'sold_out', l.created_at DESC LIMIT $2`, slug, storeListings)
	if err != nil {
		return nil, err
	}
	return &s, nil
}
