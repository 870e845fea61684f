package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	json "github.com/goccy/go-json"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

var (
	_ flows.Sellers   = (*DB)(nil)
	_ flows.Listings  = (*DB)(nil)
	_ flows.Markets   = (*DB)(nil)
	_ flows.Roles     = (*DB)(nil)
	_ flows.UserChats = (*DB)(nil)
)

const sellerColumns = `id, coalesce(user_id, 0), name, coalesce(phone_e164, ''), commune, coalesce(area_tag, ''),
	coalesce(growing_code, ''), coalesce(bank_bin, ''), coalesce(bank_name, ''), coalesce(bank_account, ''),
	coalesce(bank_holder, ''), coalesce(created_by, 0), coalesce(slug, '')`

func scanSeller(row pgx.Row) (*flows.Seller, error) {
	var s flows.Seller
	var b flows.BankAccount
	if err := row.Scan(sellerDest(&s, &b)...); errors.Is(err, pgx.ErrNoRows) {
		return nil, flows.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	withBank(&s, &b)
	return &s, nil
}

// sellerDest is where a row of sellerColumns is scanned to; withBank then
// gives the seller the account, if any.
func sellerDest(s *flows.Seller, b *flows.BankAccount) []any {
	return []any{&s.ID, &s.UserID, &s.Name, &s.Phone, &s.Commune, &s.Area, &s.GrowingCode,
		&b.BIN, &b.Bank, &b.Account, &b.Holder, &s.CreatedBy, &s.Slug}
}

func withBank(s *flows.Seller, b *flows.BankAccount) {
	if b.BIN != "" {
		s.Bank = b
	}
}

// SellerOf returns the seller profile of a user.
func (db *DB) SellerOf(ctx context.Context, userID int64) (*flows.Seller, error) {
	var s *flows.Seller
	err := db.batch(ctx, func(b *pgx.Batch) { queueSellerOf(b, userID, &s) })
	if err == nil && s == nil {
		err = flows.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("seller of user: %w", err)
	}
	return s, nil
}

// queueSellerOf queues the look-up of a user's seller profile into s, left
// nil when they have none.
func queueSellerOf(b *pgx.Batch, userID int64, s **flows.Seller) {
	b.Queue(`SELECT `+sellerColumns+` FROM sellers WHERE user_id = $1`, userID).QueryRow(func(row pgx.Row) error {
		found, err := scanSeller(row)
		if errors.Is(err, flows.ErrNotFound) {
			return nil
		}
		*s = found
		return err
	})
}

// SellerByPhone finds a seller by phone number (E.164).
func (db *DB) SellerByPhone(ctx context.Context, phone string) (*flows.Seller, error) {
	s, err := scanSeller(db.Pool.QueryRow(ctx, `SELECT `+sellerColumns+` FROM sellers WHERE phone_e164 = $1`, phone))
	if err != nil {
		return nil, fmt.Errorf("seller by phone: %w", err)
	}
	return s, nil
}

// SaveSeller creates or updates a seller, with the notices that report the
// change, in one transaction. A user registering with the phone of a
// farmer a helper registered takes that profile over. A profile that is
// another user's is not changed (ErrStale): the draft of an account that
// acted as that user, before its link was undone.
func (db *DB) SaveSeller(ctx context.Context, s *flows.Seller, notices ...flows.Reply) error {
	var b flows.BankAccount
	if s.Bank != nil {
		b = *s.Bank
	}
	// A new seller gets a slug; an existing one keeps the one it has.
	upsert := func(q querier) error {
		return q.QueryRow(ctx, `
		INSERT INTO sellers (id, user_id, name, phone_e164, commune, area_tag, growing_code,
			bank_bin, bank_name, bank_account, bank_holder, created_by, slug)
		VALUES (coalesce(nullif($1, 0), nextval('sellers_id_seq')), nullif($2, 0), $3, nullif($4, ''), $5,
			nullif($6, ''), nullif($7, ''), nullif($8, ''), nullif($9, ''), nullif($10, ''), nullif($11, ''), nullif($12, 0), $13)
		ON CONFLICT (id) DO UPDATE SET user_id = EXCLUDED.user_id, name = EXCLUDED.name,
			phone_e164 = EXCLUDED.phone_e164, commune = EXCLUDED.commune, area_tag = EXCLUDED.area_tag,
			growing_code = EXCLUDED.growing_code, bank_bin = EXCLUDED.bank_bin, bank_name = EXCLUDED.bank_name,
			bank_account = EXCLUDED.bank_account, bank_holder = EXCLUDED.bank_holder,
			slug = coalesce(sellers.slug, EXCLUDED.slug), updated_at = now()
		WHERE sellers.user_id IS NULL OR sellers.user_id = EXCLUDED.user_id
		RETURNING id, slug`,
			s.ID, s.UserID, s.Name, s.Phone, s.Commune, s.Area, s.GrowingCode, b.BIN, b.Bank, b.Account, b.Holder, s.CreatedBy,
			newSlug(s.Name, s.Commune),
		).Scan(&s.ID, &s.Slug)
	}
	save := func() error {
		if len(notices) == 0 {
			return upsert(db.Pool)
		}
		return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
			if err := upsert(tx); err != nil {
				return err
			}
			return queue(ctx, tx, notices)
		})
	}
	err := save()
	for try := 0; slugTaken(err) && try < 8; try++ {
		err = save()
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("save seller %d: another user's: %w", s.ID, flows.ErrStale)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "sellers_user_id_key" && s.ID == 0 {
		// The user's profile is there already: the same registration saved
		// again, its update delivered again after a failure that followed
		// the save (Redis down). It is updated, not refused.
		if err := db.Pool.QueryRow(ctx, `SELECT id FROM sellers WHERE user_id = $1`, s.UserID).Scan(&s.ID); err != nil {
			return fmt.Errorf("save seller: %w", err)
		}
		return db.SaveSeller(ctx, s, notices...)
	}
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "sellers_phone_e164_key" && s.ID == 0 && s.PhoneVerified {
		other, ferr := db.SellerByPhone(ctx, s.Phone)
		if ferr != nil || !claims(s, other) {
			return fmt.Errorf("save seller: %w", flows.ErrPhoneTaken)
		}
		s.ID, s.CreatedBy = other.ID, other.CreatedBy
		return db.SaveSeller(ctx, s, notices...)
	}
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "sellers_phone_e164_key" {
		return fmt.Errorf("save seller: %w", flows.ErrPhoneTaken)
	}
	if err != nil {
		return fmt.Errorf("save seller: %w", err)
	}
	return nil
}

// SaveHelped saves the name, address, growing-area code and bank account
// of s, a farmer's profile that helper registered and no user holds (she
// has not claimed it), with the notices; ErrStale for any other: the
// helper's say ends with the claim. The phone number stays: it is how the
// farmer is found and claims her profile.
func (db *DB) SaveHelped(ctx context.Context, s *flows.Seller, helper int64, notices ...flows.Reply) error {
	var b flows.BankAccount
	if s.Bank != nil {
		b = *s.Bank
	}
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE sellers SET name = $3, commune = $4, area_tag = nullif($5, ''), growing_code = nullif($6, ''),
				bank_bin = nullif($7, ''), bank_name = nullif($8, ''), bank_account = nullif($9, ''),
				bank_holder = nullif($10, ''), updated_at = now()
			WHERE id = $1 AND user_id IS NULL AND created_by = $2`,
			s.ID, helper, s.Name, s.Commune, s.Area, s.GrowingCode, b.BIN, b.Bank, b.Account, b.Holder)
		if err != nil {
			return fmt.Errorf("save helped farmer %d: %w", s.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("save helped farmer %d: not helper %d's: %w", s.ID, helper, flows.ErrStale)
		}
		return queue(ctx, tx, notices)
	})
}

// claims tells whether s, saved, takes over other's profile: the user's own
// number, of a farmer a helper registered.
func claims(s, other *flows.Seller) bool {
	return s.ID == 0 && s.PhoneVerified && (other.UserID == 0 || other.UserID == s.UserID)
}

// PhoneTaken tells whether SaveSeller would refuse s because another seller
// has its phone number.
func (db *DB) PhoneTaken(ctx context.Context, s *flows.Seller) (bool, error) {
	other, err := db.SellerByPhone(ctx, s.Phone)
	if errors.Is(err, flows.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("phone taken: %w", err)
	}
	return other.ID != s.ID && !claims(s, other), nil
}

// codeAlphabet leaves out 0/O and 1/I, which farmers confuse.
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

func newCode() string {
	b := []byte("NS-")
	for range 4 {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		b = append(b, codeAlphabet[n.Int64()])
	}
	return string(b)
}

// DefaultListingTTL is how long a listing stays up after its ready date.
const DefaultListingTTL = 7 * 24 * time.Hour

// CreateListing stores l with a fresh code, and its group posts as pending
// posts and notices, its followers' notices, and its photos as media to
// serve, in one statement: one round trip, all or nothing. The posts are
// written before it, from the listing as it will be stored, so they must
// know its id: l.ID, when set, is the id reserved for it (Posting, asked
// to Reserve, drew it in the round trip it makes anyway); without one a
// listing with posts reserves its id first. A retried source gets the
// listing it created the first time, and posts nothing more.
func (db *DB) CreateListing(ctx context.Context, l *flows.Listing, source string, posts func(*flows.Listing) []flows.Reply) (*flows.Listing, error) {
	ttl := db.ListingTTL
	if ttl <= 0 {
		ttl = DefaultListingTTL
	}
	photos, refs := withPhotoIDs(l.Photos)
	ids, channels, originals := make([]string, len(refs)), make([]string, len(refs)), make([]string, len(refs))
	for i, p := range refs {
		ids[i], channels[i], originals[i] = p.ID, string(p.Channel), p.Ref
	}
	id := l.ID
	for range 8 {
		code := newCode()
		var groups, chats []string
		var notices []byte
		if posts != nil {
			if id == 0 {
				if err := db.Pool.QueryRow(ctx, `SELECT nextval('listings_id_seq')`).Scan(&id); err != nil {
					return nil, fmt.Errorf("create listing: reserve its id: %w", err)
				}
			}
			shown := *l // as the statement stores it, and Listing reads it back
			shown.ID, shown.Code, shown.Photos, shown.Status = id, code, photos, flows.Active
			shown.Remaining, shown.ExpiresAt, shown.SoldOutBy, shown.MinOrder = l.Quantity.Milli, l.Ready.Add(ttl), "", 0
			var err error
			if groups, chats, notices, err = encodePosts(posts(&shown)); err != nil {
				return nil, fmt.Errorf("create listing: %w", err)
			}
		}
		stored, err := scanListing(db.Pool.QueryRow(ctx, createListing, code, l.SellerID, l.HelperID, l.Channel,
			l.ProductKey, l.Product, photos, l.Quantity.Unit, l.Quantity.Milli, l.Price.VND, l.Price.Per, l.PriceTyped,
			l.Ready, l.Note, l.Ready.Add(ttl), source, ids, channels, originals, followFold(l.ProductKey, l.Product),
			id, groups, chats, notices))
		if err == nil {
			return stored, nil
		}
		if !errors.Is(err, flows.ErrNotFound) {
			return nil, fmt.Errorf("create listing: %w", err)
		}
		var earlier int64
		err = db.Pool.QueryRow(ctx, `SELECT id FROM listings WHERE source_update = $1`, source).Scan(&earlier)
		if err == nil {
			// Created by an earlier delivery of the same update.
			return listing(ctx, db.Pool, earlier)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("create listing: %w", err)
		}
		// Else the code was taken, or the id (the sandbox, numbering from
		// 1 again after its reset): draw both anew.
		id = 0
	}
	return nil, errors.New("create listing: no free code")
}

// createListing inserts a listing with the code $1 and the id $21 (0: the
// next), nothing when its id, code or source is taken; its photos as media
// ($17-$19), a notice to each of its followers ($20: the product's folded
// name, for a product outside the catalogue), and its posts ($22-$24: the
// groups' channels and chats, pending, and their replies as one notice),
// and returns it with its seller. A photo kept since it arrived
// (PhotoArrived) joins its listing. Foreign keys are checked at the
// statement's end, when the listing is there. One statement is one
// transaction: all of it is stored, or none.
const createListing = `
	WITH l AS (
		INSERT INTO listings (id, code, seller_id, helper_id, channel, product_key, product_name, photos, unit,
			quantity_milli, remaining_milli, price_vnd, price_unit, price_typed, ready_on, note, expires_at, source_update)
		VALUES (coalesce(nullif($21, 0::bigint), nextval('listings_id_seq')), $1, $2, nullif($3, 0), $4, nullif($5, ''),
			$6, $7, $8, $9, $9, $10, $11, $12, $13, $14, $15, $16)
		ON CONFLICT DO NOTHING
		RETURNING *
	), photos AS (
		INSERT INTO media (id, listing_id, channel, ref)
		SELECT m.id, l.id, m.channel, m.ref FROM l, unnest($17::text[], $18::text[], $19::text[]) AS m (id, channel, ref)
		ON CONFLICT (id) DO UPDATE SET listing_id = EXCLUDED.listing_id WHERE media.listing_id IS NULL
	), followers AS (
		INSERT INTO follow_notices (listing_id, user_id)
		SELECT DISTINCT l.id, f.user_id FROM l JOIN sellers s ON s.id = l.seller_id, follows f WHERE ` + followMatch + `
		ON CONFLICT DO NOTHING
	), posts AS (
		INSERT INTO listing_posts (listing_id, channel, chat_id)
		SELECT l.id, p.channel, p.chat_id FROM l, unnest($22::text[], $23::text[]) AS p (channel, chat_id)
		ON CONFLICT DO NOTHING
	), notices AS (
		INSERT INTO notices (replies) SELECT $24::jsonb FROM l WHERE $24::jsonb IS NOT NULL
	)
	SELECT ` + listingColumns + ` FROM l` + withSeller

// encodePosts is a listing's posts as createListing records them: the
// groups they address, pending, and the notice that sends them (nil: no
// post).
func encodePosts(posts []flows.Reply) (channels, chats []string, notice []byte, err error) {
	if len(posts) == 0 {
		return nil, nil, nil, nil
	}
	channels, chats = make([]string, len(posts)), make([]string, len(posts))
	for i, r := range posts {
		channels[i], chats[i] = string(r.To.Channel), r.To.ChatID
	}
	if notice, err = json.Marshal(posts); err != nil {
		return nil, nil, nil, fmt.Errorf("encode notices: %w", err)
	}
	return channels, chats, notice, nil
}

// Listing returns a listing with its seller.
func (db *DB) Listing(ctx context.Context, id int64) (*flows.Listing, error) {
	return listing(ctx, db.Pool, id)
}

// querier is the pool, or a transaction that must see its own changes.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// listingColumns are a listing's (l) and its seller's (s, withSeller), as
// scanListing reads them.
const listingColumns = `l.id, l.code, l.seller_id, coalesce(l.helper_id, 0), l.channel, coalesce(l.product_key, ''),
	l.product_name, l.photos, l.unit, l.quantity_milli, l.remaining_milli, l.price_vnd, l.price_unit, l.price_typed,
	l.ready_on, l.note, l.status, l.expires_at, l.updated_at, coalesce(l.sold_out_by, ''), l.min_order_milli, s.*`

// withSeller joins the listings l to their sellers s.
const withSeller = ` l, LATERAL (SELECT ` + sellerColumns + ` FROM sellers WHERE id = l.seller_id) AS s (` + sellerNames + `)`

// selectListings reads listings (l) with their sellers; a condition on
// them follows.
const selectListings = `SELECT ` + listingColumns + ` FROM listings` + withSeller + ` WHERE `

// listingRow is where a row of listingColumns is scanned to.
type listingRow struct {
	l         flows.Listing
	b         flows.BankAccount
	unit, per string
}

func (r *listingRow) dest() []any {
	l := &r.l
	return append([]any{&l.ID, &l.Code, &l.SellerID, &l.HelperID, &l.Channel, &l.ProductKey, &l.Product, &l.Photos,
		&r.unit, &l.Quantity.Milli, &l.Remaining, &l.Price.VND, &r.per, &l.PriceTyped, &l.Ready, &l.Note, &l.Status,
		&l.ExpiresAt, &l.UpdatedAt, &l.SoldOutBy, &l.MinOrder}, sellerDest(&l.Seller, &r.b)...)
}

func (r *listingRow) listing() *flows.Listing {
	r.l.Quantity.Unit, r.l.Price.Per = vn.Unit(r.unit), vn.Unit(r.per)
	withBank(&r.l.Seller, &r.b)
	return &r.l
}

// scanListing reads a row of listingColumns; no row is ErrNotFound.
func scanListing(row pgx.Row) (*flows.Listing, error) {
	var r listingRow
	err := row.Scan(r.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, flows.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return r.listing(), nil
}

// listing reads a listing with its seller, in one statement.
func listing(ctx context.Context, q querier, id int64) (*flows.Listing, error) {
	l, err := scanListing(q.QueryRow(ctx, selectListings+`l.id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("listing %d: %w", id, err)
	}
	return l, nil
}

// listingsWhere reads the listings a condition (with its order and limit)
// selects, with their sellers, in one statement.
func (db *DB) listingsWhere(ctx context.Context, cond string, args ...any) ([]*flows.Listing, error) {
	rows, err := db.Pool.Query(ctx, selectListings+cond, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*flows.Listing, error) { return scanListing(r) })
}

// SavePost records where a listing's post landed: its photos, or (for an
// album) the message with its button, whichever is reported first; and
// queues notices with it.
func (db *DB) SavePost(ctx context.Context, p flows.Post, notices ...flows.Reply) (hidden bool, err error) {
	if p.MessageIDs == nil {
		p.MessageIDs = []string{}
	}
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO listing_posts (listing_id, channel, chat_id, message_ids, buttons_id, link)
			VALUES ($1, $2, $3, $4, nullif($5, ''), $6)
			ON CONFLICT (listing_id, channel, chat_id) DO UPDATE SET
				message_ids = CASE WHEN cardinality(EXCLUDED.message_ids) > 0 THEN EXCLUDED.message_ids
					ELSE listing_posts.message_ids END,
				buttons_id = coalesce(EXCLUDED.buttons_id, listing_posts.buttons_id),
				link = CASE WHEN EXCLUDED.link <> '' THEN EXCLUDED.link ELSE listing_posts.link END
			RETURNING hidden_at IS NOT NULL`,
			p.ListingID, p.Group.Channel, p.Group.ChatID, p.MessageIDs, p.ButtonsID, p.Link).Scan(&hidden)
		if err != nil || hidden {
			return err
		}
		return queue(ctx, tx, notices)
	})
	if err != nil {
		return false, fmt.Errorf("save post: %w", err)
	}
	return hidden, nil
}

// RegisterMarket makes a group a market for its areas (none: every area).
func (db *DB) RegisterMarket(ctx context.Context, g flows.MarketGroup, by int64) error {
	if g.Areas == nil {
		g.Areas = []string{}
	}
	_, err := db.Pool.Exec(ctx, `
		INSERT INTO market_groups (channel, chat_id, areas, registered_by) VALUES ($1, $2, $3, nullif($4, 0))
		ON CONFLICT (channel, chat_id) DO UPDATE
			SET areas = EXCLUDED.areas, registered_by = EXCLUDED.registered_by, registered_at = now()`,
		g.Ref.Channel, g.Ref.ChatID, g.Areas, by)
	if err != nil {
		return fmt.Errorf("register market: %w", err)
	}
	return nil
}

// UnregisterMarket stops a group being a market.
func (db *DB) UnregisterMarket(ctx context.Context, group flows.ChatRef) error {
	return db.exec1(ctx, "unregister market", `DELETE FROM market_groups WHERE channel = $1 AND chat_id = $2`,
		group.Channel, group.ChatID)
}

// AllMarkets lists every active market group, on every channel.
func (db *DB) AllMarkets(ctx context.Context) ([]flows.MarketGroup, error) {
	return db.markets(ctx, `WHERE c.active`)
}

// MarketsFor lists the active market groups, on every channel, that take
// an area's listings: those of the area and those of every area.
func (db *DB) MarketsFor(ctx context.Context, area string) ([]flows.MarketGroup, error) {
	var groups []flows.MarketGroup
	err := db.batch(ctx, func(b *pgx.Batch) { queueMarkets(b, marketsFor, []any{area}, &groups) })
	return groups, err
}

// marketsFor selects the groups that take the area $1's listings.
const marketsFor = `WHERE c.active AND (cardinality(m.areas) = 0 OR $1 = ANY(m.areas))`

// markets lists the market groups that where (a constant) selects.
func (db *DB) markets(ctx context.Context, where string, args ...any) ([]flows.MarketGroup, error) {
	var groups []flows.MarketGroup
	err := db.batch(ctx, func(b *pgx.Batch) { queueMarkets(b, where, args, &groups) })
	return groups, err
}

// queueMarkets queues the look-up of the market groups that where (a
// constant) selects, into groups.
func queueMarkets(b *pgx.Batch, where string, args []any, groups *[]flows.MarketGroup) {
	b.Queue(`
		SELECT m.channel, m.chat_id, c.title, m.areas
		FROM market_groups m JOIN chats c USING (channel, chat_id) `+where+`
		ORDER BY m.registered_at, m.channel, m.chat_id`, args...).Query(func(rows pgx.Rows) (err error) {
		*groups, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.MarketGroup, error) {
			var g flows.MarketGroup
			err := r.Scan(&g.Ref.Channel, &g.Ref.ChatID, &g.Title, &g.Areas)
			return g, err
		})
		if err != nil {
			return fmt.Errorf("market groups: %w", err)
		}
		return nil
	})
}

// batch sends what queue queues in one round trip, and runs the queued
// queries' functions.
func (db *DB) batch(ctx context.Context, queue func(*pgx.Batch)) error {
	b := &pgx.Batch{}
	queue(b)
	return db.Pool.SendBatch(ctx, b).Close()
}

// Moderators are the global moderators from MODERATORS, "channel:user_id".
type Moderators map[string]bool

// listed tells whether an account is a global moderator by the config.
func (db *DB) listed(channel, platformID string) bool {
	return db.listedAccount(channel + ":" + platformID)
}

// listedAccount tells whether "channel:platform_id" is a global moderator
// by the config.
func (db *DB) listedAccount(account string) bool {
	return db.Moderators[account] || db.ModeratorsLike != "" && strings.HasPrefix(account, db.ModeratorsLike)
}

// Posting reads, in one statement, what the sell flow decides on as it
// starts and as it publishes: whether the user may post, their seller
// profile, whether that profile (or the one posted for) is banned, the
// seller's listings of the day and the area's market groups; and reserves
// the id of the listing it publishes: one statement (postingSQL), which
// runs as a farmer opens /ban and as she taps ✅ Đăng tin. The groups are
// those MarketsFor lists.
func (db *DB) Posting(ctx context.Context, q flows.PostingOf) (flows.Posting, error) {
	var p flows.Posting
	var accounts []string
	var helper bool
	var ban, sellerBan *string
	var own *bool // the profile banned is the user's own
	sql := postingSQL
	args := []any{q.User, []string{"helper", "moderator"}, q.Seller}
	dest := []any{&accounts, &helper, &ban, &sellerBan, &own}
	var s flows.Seller
	var bank flows.BankAccount
	if q.Seller == 0 {
		sql += `, ` + sellerOrNone
		dest = append(dest, sellerDest(&s, &bank)...)
	}
	if !q.Since.IsZero() {
		sql += `, (SELECT count(*) FROM listings WHERE seller_id = seller.id AND created_at >= $4
			AND source_update IS DISTINCT FROM $5)`
		args = append(args, q.Since, q.Source)
		dest = append(dest, &p.Listed)
	}
	if q.Reserve {
		sql += `, nextval('listings_id_seq')`
		dest = append(dest, &p.ListingID)
	}
	if q.Markets {
		args = append(args, q.Area)
		sql += `, (SELECT json_agg(json_build_object('Ref', json_build_object('Channel', m.channel, 'ChatID', m.chat_id),
				'Title', c.title, 'Areas', m.areas) ORDER BY m.registered_at, m.channel, m.chat_id)
			FROM market_groups m JOIN chats c USING (channel, chat_id)
			WHERE c.active AND (cardinality(m.areas) = 0 OR $` + strconv.Itoa(len(args)) + ` = ANY(m.areas)))`
		dest = append(dest, &p.Groups)
	}
	sql += postingFrom
	if q.Seller == 0 {
		sql += ` LEFT JOIN LATERAL (SELECT ` + sellerColumns + ` FROM sellers WHERE user_id = $1) AS s (` + sellerNames + `) ON true`
	}
	err := db.Pool.QueryRow(ctx, sql, args...).Scan(dest...)
	if err == nil && accounts == nil {
		err = flows.ErrNotFound // no such user
	}
	if err != nil {
		return flows.Posting{}, fmt.Errorf("posting of user %d: %w", q.User, err)
	}
	for _, a := range accounts {
		p.Helper = p.Helper || db.listedAccount(a)
	}
	p.Helper = p.Helper || helper
	if s.ID != 0 {
		withBank(&s, &bank)
		p.Seller = &s
	}
	switch {
	case ban != nil:
		p.Banned, p.Reason = true, *ban
	case sellerBan != nil && *own:
		p.Banned, p.Reason = true, *sellerBan
	}
	if sellerBan != nil && !*own {
		p.SellerBanned, p.SellerReason = true, *sellerBan
	}
	return p, nil
}

// postingSQL, with postingFrom after the columns it is given, reads of
// user $1 their accounts (as "channel:platform_id", for MODERATORS; none:
// no such user), whether they have one of the roles $2, why they are
// banned, and why the seller posted for, $3 (0: the user's own profile), is,
// with whether that profile is the user's own.
const postingSQL = `
	SELECT (SELECT array_agg(channel || ':' || platform_id) FROM users WHERE id = $1 OR linked_to = $1),
		EXISTS (SELECT 1 FROM user_roles WHERE user_id = $1 AND role = ANY($2)),
		(SELECT reason FROM user_roles WHERE user_id = $1 AND role = 'banned'),
		b.reason, b.own`

// postingFrom is the seller posted for (seller.id, NULL: none) and its
// ban (b), if any.
const postingFrom = `
	FROM (SELECT coalesce(nullif($3, 0::bigint), (SELECT id FROM sellers WHERE user_id = $1)) AS id) seller
	LEFT JOIN LATERAL (SELECT sb.reason, s.user_id IS NOT DISTINCT FROM $1 AS own
		FROM seller_bans sb JOIN sellers s ON s.id = sb.seller_id WHERE sb.seller_id = seller.id) b ON true`

// sellerNames name sellerColumns in a subquery.
const sellerNames = `id, user_id, name, phone, commune, area, growing_code, bank_bin, bank_name, bank_account, bank_holder,
	created_by, slug`

// sellerOrNone are the columns of a seller s joined by a LEFT JOIN, as
// sellerDest reads them: a seller of id 0 when there is none.
const sellerOrNone = `coalesce(s.id, 0), coalesce(s.user_id, 0), coalesce(s.name, ''), coalesce(s.phone, ''),
	coalesce(s.commune, ''), coalesce(s.area, ''), coalesce(s.growing_code, ''), coalesce(s.bank_bin, ''),
	coalesce(s.bank_name, ''), coalesce(s.bank_account, ''), coalesce(s.bank_holder, ''), coalesce(s.created_by, 0),
	coalesce(s.slug, '')`

// IsModerator tells whether a user moderates: listed in MODERATORS, or
// granted the role.
func (db *DB) IsModerator(ctx context.Context, userID int64) (bool, error) {
	var r userRoles
	if err := db.batch(ctx, func(b *pgx.Batch) { db.queueRoles(b, userID, []string{"moderator"}, &r) }); err != nil {
		return false, fmt.Errorf("roles of user %d: %w", userID, err)
	}
	return r.has, nil
}

// IsHelper tells whether a user may post for farmers and look after those
// they registered: a helper, or a moderator.
func (db *DB) IsHelper(ctx context.Context, userID int64) (bool, error) {
	var r userRoles
	if err := db.batch(ctx, func(b *pgx.Batch) { db.queueRoles(b, userID, []string{"helper", "moderator"}, &r) }); err != nil {
		return false, fmt.Errorf("roles of user %d: %w", userID, err)
	}
	return r.has, nil
}

// userRoles is what queueRoles reads of a user.
type userRoles struct {
	has bool    // one of the roles asked
	ban *string // why they are banned, if they are
}

// queueRoles queues the look-up of whether a user has one of roles
// (granted, or listed in MODERATORS under any of its accounts) and why
// they are banned, if they are: ErrNotFound, no such user.
func (db *DB) queueRoles(b *pgx.Batch, userID int64, roles []string, r *userRoles) {
	b.Queue(`
		SELECT channel, platform_id, EXISTS (SELECT 1 FROM user_roles WHERE user_id = $1 AND role = ANY($2)),
			(SELECT reason FROM user_roles WHERE user_id = $1 AND role = 'banned')
		FROM users WHERE id = $1 OR linked_to = $1`, userID, roles).Query(func(rows pgx.Rows) error {
		var channel, platformID string
		var granted, found bool
		_, err := pgx.ForEachRow(rows, []any{&channel, &platformID, &granted, &r.ban}, func() error {
			found, r.has = true, r.has || granted || db.listed(channel, platformID)
			return nil
		})
		if err == nil && !found {
			err = flows.ErrNotFound
		}
		return err
	})
}

// listingsOfMax bounds the listings /tin pages through.
const listingsOfMax = 100

// answersFor is the condition that listing a is one user $1 answers for
// (flows.Listing.Answers): her own, or one she posted as a helper for a
// farmer who has not claimed her profile (a claim makes it the farmer's
// alone). A scalar seller id, not IN: with it the conditions are index
// scans, where IN read every listing of the province.
func answersFor(a string) string {
	return `(` + a + `.seller_id = (SELECT id FROM sellers WHERE user_id = $1) OR ` + a + `.helper_id = $1
		AND EXISTS (SELECT 1 FROM sellers hs WHERE hs.id = ` + a + `.seller_id AND hs.user_id IS NULL))`
}

// ListingsOf lists a user's listings: their own and those they posted as a
// helper for farmers still without an account. Those still up come first, on sale then sold out, newest first;
// then those ended in the last month, the last ended first. At most
// listingsOfMax: every listing up, as a farmer posts at most a few a day.
func (db *DB) ListingsOf(ctx context.Context, userID int64) ([]*flows.Listing, error) {
	mine, err := db.listingsWhere(ctx, answersFor("l")+`
			AND (l.status IN ('active', 'sold_out') OR l.updated_at > now() - interval '30 days')
		ORDER BY CASE l.status WHEN 'active' THEN 0 WHEN 'sold_out' THEN 1 ELSE 2 END,
			CASE WHEN l.status IN ('active', 'sold_out') THEN l.created_at ELSE l.updated_at END DESC, l.id DESC
		LIMIT $2`, userID, listingsOfMax)
	if err != nil {
		return nil, fmt.Errorf("listings of seller: %w", err)
	}
	return mine, nil
}

// OnSale lists a seller's listings on sale or sold out, whoever posted
// them (she, or any helper), newest first: every post that shows her
// profile.
func (db *DB) OnSale(ctx context.Context, sellerID int64) ([]*flows.Listing, error) {
	listings, err := db.listingsWhere(ctx, `l.seller_id = $1 AND l.status IN ('active', 'sold_out')
		ORDER BY l.created_at DESC, l.id DESC`, sellerID)
	if err != nil {
		return nil, fmt.Errorf("listings on sale of seller %d: %w", sellerID, err)
	}
	return listings, nil
}

// UpdateListing saves a listing's price, stock, status and expiry, with
// the notices the change sends, unless it changed since it was read (an
// order, the expiry): then ErrStale.
func (db *DB) UpdateListing(ctx context.Context, l *flows.Listing, notices ...flows.Reply) error {
	return db.change(ctx, fmt.Sprintf("update listing %d", l.ID), `
		UPDATE listings SET price_vnd = $2, price_unit = $3, price_typed = $4, quantity_milli = $5,
			remaining_milli = $6, status = $7, expires_at = $8, sold_out_by = nullif($10, ''), min_order_milli = $11,
			renew_asked_at = CASE WHEN expires_at <> $8 THEN NULL ELSE renew_asked_at END, updated_at = now()
		WHERE id = $1 AND updated_at = $9`,
		[]any{l.ID, l.Price.VND, l.Price.Per, l.PriceTyped, l.Quantity.Milli, l.Remaining, l.Status, l.ExpiresAt, l.UpdatedAt,
			l.SoldOutBy, l.MinOrder}, notices)
}

// RemoveListing takes l down for a moderator, as read (ErrStale: it
// changed since, or was taken down already), recording source; the source
// that took it down, run again, is told nil and changes nothing.
func (db *DB) RemoveListing(ctx context.Context, l *flows.Listing, source string, notices ...flows.Reply) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM listings WHERE id = $1 AND removed_source = $2
			AND updated_at > now() - `+sourceFresh+`)`,
			l.ID, source).Scan(&done); err != nil || done {
			return err // run again: its take-down is made
		}
		tag, err := tx.Exec(ctx, `
			UPDATE listings SET status = 'removed', removed_source = nullif($3, ''), updated_at = now()
			WHERE id = $1 AND updated_at = $2 AND status <> 'removed'`, l.ID, l.UpdatedAt, source)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return flows.ErrStale
		}
		return queue(ctx, tx, notices)
	})
	if err != nil {
		return fmt.Errorf("remove listing %d: %w", l.ID, err)
	}
	return nil
}

// Posts lists where a listing was posted, with the groups' titles, hidden
// posts too.
func (db *DB) Posts(ctx context.Context, listingID int64) ([]flows.Post, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT p.channel, p.chat_id, p.message_ids, coalesce(p.buttons_id, ''), p.link, coalesce(c.title, ''),
			p.hidden_at IS NOT NULL, coalesce(p.hidden_source, '')
		FROM listing_posts p LEFT JOIN chats c USING (channel, chat_id)
		WHERE p.listing_id = $1 ORDER BY p.posted_at`, listingID)
	if err != nil {
		return nil, fmt.Errorf("posts of listing: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.Post, error) {
		p := flows.Post{ListingID: listingID}
		err := r.Scan(&p.Group.Channel, &p.Group.ChatID, &p.MessageIDs, &p.ButtonsID, &p.Link, &p.Title, &p.Hidden, &p.HiddenSource)
		return p, err
	})
}

// HidePosts takes a listing down in groups, for source, with the notices
// that report it: all of them or, when one is hidden already or was never
// posted to, none (ErrStale). The source that hid them, run again, is
// told nil and changes nothing.
func (db *DB) HidePosts(ctx context.Context, listingID int64, posts []flows.Post, by int64, source string, notices ...flows.Reply) error {
	channels, chats, sent := make([]string, len(posts)), make([]string, len(posts)), make([]bool, len(posts))
	for i, p := range posts {
		channels[i], chats[i], sent[i] = string(p.Group.Channel), p.Group.ChatID, p.Sent()
	}
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM listing_posts WHERE listing_id = $1 AND hidden_source = $2
			AND hidden_at > now() - `+sourceFresh+`)`,
			listingID, source).Scan(&done); err != nil || done {
			return err // run again: its take-down is made
		}
		tag, err := tx.Exec(ctx, `
			UPDATE listing_posts SET hidden_at = now(), hidden_by = $4, hidden_source = nullif($6, '')
			WHERE listing_id = $1 AND hidden_at IS NULL
				AND (channel, chat_id, cardinality(message_ids) > 0 OR buttons_id IS NOT NULL)
					IN (SELECT * FROM unnest($2::text[], $3::text[], $5::bool[]))`,
			listingID, channels, chats, by, sent, source)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != int64(len(posts)) || len(posts) == 0 {
			return flows.ErrStale
		}
		return queue(ctx, tx, notices)
	})
	if err != nil {
		return fmt.Errorf("hide listing %d: %w", listingID, err)
	}
	return nil
}

// Expiring lists the listings on sale or sold out past their expiry at
// now (sold out, a listing still ends at its last day: its page and photos
// go), and the active ones not past it expiring by askBy whose seller was not asked yet (none when askBy
// is zero). It changes nothing: each is ended (UpdateListing) or asked
// (AskedRenew) with its messages.
func (db *DB) Expiring(ctx context.Context, now, askBy time.Time) (expired, ask []*flows.Listing, err error) {
	if expired, err = db.listingsWhere(ctx, `l.status IN ('active', 'sold_out') AND l.expires_at <= $1::timestamptz
		ORDER BY l.id LIMIT 100`, now); err != nil {
		return nil, nil, fmt.Errorf("expiring listings: %w", err)
	}
	if askBy.IsZero() {
		return expired, nil, nil
	}
	ask, err = db.listingsWhere(ctx, `l.status = 'active' AND l.renew_asked_at IS NULL
			AND l.expires_at > $1::timestamptz AND l.expires_at <= $2::timestamptz
		ORDER BY l.id LIMIT 100`, now, askBy)
	if err != nil {
		return nil, nil, fmt.Errorf("expiring listings: %w", err)
	}
	return expired, ask, nil
}

// AskedRenew marks a listing's seller asked about renewing, with the
// question, once: only while the listing is on sale until expires, as the
// question read it (renewed meanwhile, it is asked again before its new
// expiry, and the question naming the old one is not sent).
func (db *DB) AskedRenew(ctx context.Context, id int64, expires, at time.Time, notices ...flows.Reply) error {
	return db.change(ctx, fmt.Sprintf("ask to renew listing %d", id), `
		UPDATE listings SET renew_asked_at = $2, renew_question_at = $2
		WHERE id = $1 AND status = 'active' AND renew_asked_at IS NULL AND expires_at = $3`,
		[]any{id, at, expires}, notices)
}

// ChatOf returns the private chat of a user: on our channels an account's
// own id. Of a person's linked accounts, the one last seen among those
// still reachable (not blocked since: users.gone_at): a farmer who moved to
// Zalo hears of new orders on Zalo. (Last seen to the hour: the
// engine reads a chat's user from PostgreSQL at most hourly.) The language
// is the one the person chose.
func (db *DB) ChatOf(ctx context.Context, userID int64) (flows.ChatRef, string, error) {
	return chatOf(ctx, db.Pool, userID, 0)
}

// chatOf is ChatOf leaving out the account except.
func chatOf(ctx context.Context, q querier, userID, except int64) (flows.ChatRef, string, error) {
	var ref flows.ChatRef
	var lang string
	err := q.QueryRow(ctx, `
		SELECT a.channel, a.platform_id, coalesce(p.lang, '')
		FROM users p JOIN users a ON a.id = p.id OR a.linked_to = p.id
		WHERE p.id = $1 AND a.id <> $2 ORDER BY a.gone_at IS NOT NULL, a.last_seen_at DESC, a.id DESC LIMIT 1`, userID, except).
		Scan(&ref.Channel, &ref.ChatID, &lang)
	if err != nil {
		return ref, "", fmt.Errorf("chat of user %d: %w", userID, err)
	}
	return ref, lang, nil
}

// ListingsSince counts a farmer's listings created since, whoever posted
// them (a helper's count for the farmer), leaving out the one published
// by source (its retry is not a new listing).
func (db *DB) ListingsSince(ctx context.Context, sellerID int64, since time.Time, source string) (int, error) {
	var n int
	if err := db.batch(ctx, func(b *pgx.Batch) { queueListed(b, 0, sellerID, since, source, &n) }); err != nil {
		return 0, fmt.Errorf("listings of seller %d since %s: %w", sellerID, since, err)
	}
	return n, nil
}

// queueListed queues the count of ListingsSince into n: of the seller
// sellerID, or of the user's own seller profile when sellerID is 0.
func queueListed(b *pgx.Batch, userID, sellerID int64, since time.Time, source string, n *int) {
	seller, key := `$1`, sellerID
	if sellerID == 0 {
		seller, key = `(SELECT id FROM sellers WHERE user_id = $1)`, userID
	}
	b.Queue(`
		SELECT count(*) FROM listings
		WHERE seller_id = `+seller+` AND created_at >= $2 AND source_update IS DISTINCT FROM $3`,
		key, since, source).QueryRow(func(row pgx.Row) error { return row.Scan(n) })
}
