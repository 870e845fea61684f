package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
)

var _ flows.Orders = (*DB)(nil)

// selectOrders reads orders (o) with their listings and the listings'
// sellers, in one statement; a condition on them follows.
const selectOrders = `SELECT o.id, o.code, o.listing_id, o.buyer_id, o.quantity_milli, o.total_vnd, o.buyer_name,
	o.buyer_phone, o.delivery, o.address, o.note, o.status, o.reason_key, o.reason, o.created_at, coalesce(o.asked_milli, 0),
	coalesce(o.asked_unit, ''), CASE WHEN isfinite(o.remind_at) THEN o.remind_at END, coalesce(o.price_vnd, 0),
	coalesce(o.price_unit, ''), coalesce(o.counter_of, 0), ` + listingColumns + ` FROM orders o, listings` + withSeller + ` WHERE l.id = o.listing_id AND `

// scanOrder reads a row of selectOrders; no row is ErrNotFound.
func scanOrder(row pgx.Row) (*flows.Order, error) {
	var o flows.Order
	var l listingRow
	var remind *time.Time
	err := row.Scan(append([]any{&o.ID, &o.Code, &o.ListingID, &o.BuyerID, &o.Quantity.Milli, &o.Total, &o.BuyerName,
		&o.BuyerPhone, &o.Delivery, &o.Address, &o.Note, &o.Status, &o.Reason.Key, &o.Reason.Text, &o.CreatedAt, &o.Asked.Milli,
		&o.Asked.Unit, &remind, &o.Price.VND, &o.Price.Per, &o.CounterOf}, l.dest()...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, flows.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if remind != nil {
		o.RemindAt = *remind
	}
	o.Listing = l.listing()
	o.Quantity.Unit = o.Listing.Quantity.Unit
	if o.Price.VND == 0 { // placed before orders kept their price
		o.Price = o.Listing.Price
	}
	return &o, nil
}

// PlaceOrder reserves stock and stores the order in one statement: two
// buyers can never be sold the same kilogram, and the listing's row stays
// locked for that statement only, not for a transaction's round trips, so
// that buyers racing for one lot wait for each other as little as can be.
// When it reserves nothing, the same statement says why, from the listing
// as it refused it: a second look after it could find the listing changed
// (an order cancelled, a price set back) and tell the buyer another reason.
// The buyer's profile is kept by the statement that places the order.
func (db *DB) PlaceOrder(ctx context.Context, o *flows.Order, source string, keep flows.BuyerProfile) (*flows.Order, error) {
	var placed *flows.Order
	var why *string
	var left, least int64
	var err error
	listed := o.Listed
	if listed.VND == 0 {
		listed = o.Price
	}
	for range 8 {
		// The order is read back in the statement's round trip (one
		// implicit transaction): the one placed now, or by an earlier
		// delivery of the same update.
		b := &pgx.Batch{}
		b.Queue(placeOrder, o.ListingID, o.Quantity.Milli, listed.VND, listed.Per,
			"DH-"+newCode()[3:], o.BuyerID, o.Total, o.BuyerName, o.BuyerPhone, o.Delivery, o.Address, o.Note,
			source, o.Asked.Milli, o.Asked.Unit, keep.Name, keep.Phone, keep.Address, nullTime(o.RemindAt),
			o.Price.VND, o.Price.Per, o.CounterOf).QueryRow(func(row pgx.Row) error {
			return row.Scan(&why, &left, &least)
		})
		b.Queue(selectOrders+`o.source_update = $1`, source).QueryRow(func(row pgx.Row) (err error) {
			if placed, err = scanOrder(row); errors.Is(err, flows.ErrNotFound) {
				return nil
			}
			return err
		})
		err = db.Pool.SendBatch(ctx, b).Close()
		// A code drawn twice draws another; the same update placing it
		// at this moment (a duplicate delivery) is found the next time.
		if !uniqueViolation(err, "orders_code_key", "orders_source_update_key") {
			break
		}
	}
	if uniqueViolation(err, "orders_counter_of_key") {
		// Placed at the farmer's price already, by another update.
		first, err := db.CounterOrder(ctx, o.CounterOf)
		if err != nil {
			return nil, fmt.Errorf("place order at the farmer's price of order %d: %w", o.CounterOf, err)
		}
		return nil, &flows.CounteredError{Order: first}
	}
	if err != nil {
		return nil, fmt.Errorf("place order: %w", err)
	}
	if placed == nil {
		id, err := db.refused(ctx, o, source, why, left, least)
		if err != nil {
			return nil, err
		}
		if placed, err = db.Order(ctx, *id); err != nil {
			return nil, err
		}
	}
	if placed.BuyerID != o.BuyerID {
		return nil, fmt.Errorf("place order: source %s belongs to another buyer", source)
	}
	return placed, nil
}

// CounterOrder is the order placed at the farmer's price of declined
// order id; ErrNotFound while none is.
func (db *DB) CounterOrder(ctx context.Context, id int64) (*flows.Order, error) {
	return scanOrder(db.Pool.QueryRow(ctx, selectOrders+`o.counter_of = $1`, id))
}

// placeOrder takes the quantity ($2) off the listing ($1) if it is on sale
// and not past its expiry, with that much left at the price the buyer saw
// ($3, $4), and the quantity is its minimum order or more (or all that is
// left); and it stores the order (code $5) at its price ($20, $21: the
// listing's, or the farmer's for an order taking the price she named
// declining order $22) with its first event, and the
// buyer's profile for next time ($16-$18: kept), with when its farmer is
// reminded ($19; none: never, stored as infinity, NULL being an order
// placed by a version that did not decide it), unless the update ($13) placed it already. The quantity was checked when the buyer
// typed it, but the farmer may have changed the listing since, and it may
// have expired. It returns the verdict on the listing ('ok' when it sells
// the order, else why not; none when the update placed it already), what
// the listing has left and its minimum order; PlaceOrder reads the order
// placed after it, in the same round trip.
//
// The listing is read locked (cur), so that the verdict and the update see
// the same row: a reservation committed while this statement waited for
// the row is in both. A plain read would see the row as it was when the
// statement began, while the update, once the row is free, sees it as it
// is then.
const placeOrder = `
	WITH prior AS (
		SELECT id FROM orders WHERE source_update = $13
	), cur AS MATERIALIZED (
		SELECT id, status, remaining_milli, min_order_milli, price_vnd, price_unit, expires_at <= now() AS past
		FROM listings WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM prior)
		FOR NO KEY UPDATE
	), verdict AS (
		SELECT id, remaining_milli, min_order_milli, CASE
			WHEN status = 'expired' OR status = 'active' AND past THEN 'expired'
			WHEN status IN ('closed', 'removed') THEN 'not_on_sale'
			WHEN status <> 'active' THEN 'sold_out'
			WHEN price_vnd <> $3 OR price_unit <> $4 THEN 'price_changed'
			WHEN remaining_milli > $2 AND min_order_milli > $2 THEN 'below_min'
			WHEN remaining_milli < $2 THEN 'not_enough'
			ELSE 'ok' END AS why
		FROM cur
	), sold AS (
		UPDATE listings l SET remaining_milli = l.remaining_milli - $2,
			status = CASE WHEN l.remaining_milli = $2 THEN 'sold_out' ELSE l.status END,
			sold_out_by = CASE WHEN l.remaining_milli = $2 THEN 'orders' ELSE l.sold_out_by END, updated_at = now()
		FROM verdict v WHERE l.id = v.id AND v.why = 'ok'
		RETURNING l.id
	), placed AS (
		INSERT INTO orders (code, listing_id, buyer_id, quantity_milli, total_vnd, buyer_name, buyer_phone,
			delivery, address, note, source_update, asked_milli, asked_unit, remind_at, price_vnd, price_unit, counter_of)
		SELECT $5, id, $6, $2, $7, $8, $9, $10, $11, $12, $13, nullif($14, 0), nullif($15, ''), coalesce($19::timestamptz, 'infinity'),
			$20, $21, nullif($22::bigint, 0) FROM sold
		RETURNING id
	), pending AS (
		INSERT INTO order_events (order_id, status, actor_id) SELECT id, 'pending', $6 FROM placed
	), kept AS (
		INSERT INTO buyers (user_id, name, phone_e164, address) SELECT $6, $16, $17, $18 FROM placed
		ON CONFLICT (user_id) DO UPDATE SET name = EXCLUDED.name, phone_e164 = EXCLUDED.phone_e164,
			address = EXCLUDED.address, updated_at = now()
	)
	SELECT (SELECT why FROM verdict), coalesce((SELECT remaining_milli FROM verdict), 0),
		coalesce((SELECT min_order_milli FROM verdict), 0)`

// refused turns the verdict of a statement that reserved nothing into the
// reason the buyer is told: the listing is past its expiry
// (ErrListingExpired) or ended otherwise (ErrNotOnSale), its price changed
// since the buyer saw it (ErrPriceChanged), it has less left than asked
// (NotEnoughError, with what is left: none once it is sold out), or the
// order is below its minimum (BelowMinError). Unless the same update,
// delivered twice at once, placed it meanwhile (the statement looked for it
// before that committed): then it returns that order's id.
func (db *DB) refused(ctx context.Context, o *flows.Order, source string, why *string, left, least int64) (*int64, error) {
	var placed *int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM orders WHERE source_update = $1`, source).Scan(&placed); err == nil {
		return placed, nil
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("place order: %w", err)
	}
	switch {
	case why == nil:
		return nil, fmt.Errorf("place order: listing %d: %w", o.ListingID, flows.ErrNotFound)
	case *why == "expired":
		return nil, flows.ErrListingExpired
	case *why == "not_on_sale":
		return nil, flows.ErrNotOnSale
	case *why == "sold_out":
		return nil, &flows.NotEnoughError{Remaining: 0}
	case *why == "price_changed":
		return nil, flows.ErrPriceChanged
	case *why == "below_min":
		return nil, &flows.BelowMinError{Min: least, Remaining: left}
	case *why == "not_enough":
		return nil, &flows.NotEnoughError{Remaining: left}
	}
	return nil, fmt.Errorf("place order: listing %d: verdict %q reserved nothing", o.ListingID, *why)
}

// Order returns an order with its listing.
func (db *DB) Order(ctx context.Context, id int64) (*flows.Order, error) {
	o, err := scanOrder(db.Pool.QueryRow(ctx, selectOrders+`o.id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("order %d: %w", id, err)
	}
	return o, nil
}

// releases are the statuses that give the stock back.
var releases = []string{flows.Cancelled, flows.Declined}

// SetOrderStatus makes an order's change, if it is still in one of ch.From.
func (db *DB) SetOrderStatus(ctx context.Context, id int64, ch flows.OrderChange, notices ...flows.Reply) (*flows.Order, error) {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM order_events WHERE source = $1 AND order_id = $2)`,
			ch.Source, id).Scan(&done); err != nil || done {
			return err // a retry of a change already made
		}
		var listing, qty int64
		err := tx.QueryRow(ctx, `
			UPDATE orders SET status = $3, reason_key = $4, reason = $5, updated_at = now()
			WHERE id = $1 AND status = ANY($2) RETURNING listing_id, quantity_milli`,
			id, ch.From, ch.To, ch.Reason.Key, ch.Reason.Text).Scan(&listing, &qty)
		if errors.Is(err, pgx.ErrNoRows) {
			return flows.ErrStale
		}
		if err != nil {
			return err
		}
		switch {
		case slices.Contains(releases, ch.To) && ch.SoldOut:
			if err := soldOutByFarmer(ctx, tx, listing); err != nil {
				return err
			}
		case slices.Contains(releases, ch.To):
			if err := release(ctx, tx, listing, qty); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO order_events (order_id, status, actor_id, note_key, note, source)
			VALUES ($1, $2, nullif($3, 0), $4, $5, nullif($6, ''))`,
			id, ch.To, ch.Actor, ch.Reason.Key, ch.Reason.Text, ch.Source)
		if err != nil {
			return err
		}
		return queue(ctx, tx, notices)
	})
	if errors.Is(err, flows.ErrStale) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("order %d to %s: %w", id, ch.To, err)
	}
	return db.Order(ctx, id)
}

// release gives an order's quantity back to its listing. A listing its
// orders sold out is on sale again, unless past its expiry: it stays sold
// out and ends at the next tick (Expiring). One the farmer marked sold out
// stays so. The stock can grow past the quantity first listed: the farmer
// said how much is left while the order held some (more harvested), and
// both count.
func release(ctx context.Context, tx pgx.Tx, listing, qty int64) error {
	_, err := tx.Exec(ctx, `
		UPDATE listings SET
			remaining_milli = CASE WHEN sold_out_by = 'farmer' THEN remaining_milli ELSE remaining_milli + $2 END,
			quantity_milli = CASE WHEN sold_out_by = 'farmer' THEN quantity_milli
				ELSE greatest(quantity_milli, remaining_milli + $2) END,
			status = CASE WHEN status = 'sold_out' AND sold_out_by = 'orders' AND expires_at > now() THEN 'active' ELSE status END,
			sold_out_by = CASE WHEN sold_out_by = 'orders' AND expires_at > now() THEN NULL ELSE sold_out_by END,
			updated_at = now()
		WHERE id = $1`, listing, qty)
	return err
}

// soldOutByFarmer marks a listing sold out by its farmer, who said there
// is none left while declining an order: its orders' quantity does not put
// it back on sale. A listing that sells nothing already (stopped, expired,
// taken down, or past its expiry: it ends at the next tick) stays so.
func soldOutByFarmer(ctx context.Context, tx pgx.Tx, listing int64) error {
	_, err := tx.Exec(ctx, `
		UPDATE listings SET remaining_milli = 0, status = 'sold_out', sold_out_by = 'farmer', updated_at = now()
		WHERE id = $1 AND (status = 'sold_out' OR status = 'active' AND expires_at > now())`, listing)
	return err
}

// OrdersOf lists a user's recent orders as a buyer and as a seller (their
// own listings and those they posted as a helper for farmers still
// without an account), in one round trip.
func (db *DB) OrdersOf(ctx context.Context, userID int64) (asBuyer, asSeller []*flows.Order, err error) {
	var batch pgx.Batch
	batch.Queue(selectOrders+`o.buyer_id = $1 ORDER BY o.created_at DESC LIMIT 10`, userID)
	// Each of the user's listings' newest orders, then the newest of all:
	// this reads the user's own orders only, where walking all orders
	// newest first read the whole table for a user who sold nothing lately.
	batch.Queue(selectOrders+`o.id IN (
			SELECT recent.id FROM listings mine, LATERAL (
				SELECT id, created_at FROM orders WHERE listing_id = mine.id ORDER BY created_at DESC LIMIT 10) recent
			WHERE `+answersFor("mine")+`
			ORDER BY recent.created_at DESC LIMIT 10)
		ORDER BY o.created_at DESC`, userID)
	res := db.Pool.SendBatch(ctx, &batch)
	defer res.Close()
	for _, out := range []*[]*flows.Order{&asBuyer, &asSeller} {
		rows, err := res.Query()
		if err != nil {
			return nil, nil, fmt.Errorf("orders of user: %w", err)
		}
		if *out, err = pgx.CollectRows(rows, collectOrder); err != nil {
			return nil, nil, fmt.Errorf("orders of user: %w", err)
		}
	}
	return asBuyer, asSeller, nil
}

// Deliveries implements flows.Orders: the user's orders waiting for her
// delivery word, newest first, and the newest event of one she said it of
// already (order_events), read in one round trip; that order is read after.
func (db *DB) Deliveries(ctx context.Context, userID int64, received bool, limit int) ([]*flows.Order, *flows.Delivered, error) {
	mine := answersFor("l")
	open, done := []string{flows.Accepted}, []string{flows.Shipping, flows.Completed}
	if received {
		mine, open, done = `o.buyer_id = $1`, []string{flows.Accepted, flows.Shipping}, []string{flows.Completed}
	}
	var batch pgx.Batch
	batch.Queue(selectOrders+`o.status = ANY($2) AND `+mine+` ORDER BY o.created_at DESC LIMIT $3`, userID, open, limit)
	batch.Queue(`SELECT e.order_id, e.status, e.at FROM order_events e, orders o, listings l
		WHERE e.order_id = o.id AND l.id = o.listing_id AND e.status = ANY($2) AND `+mine+`
		ORDER BY e.at DESC, e.id DESC LIMIT 1`, userID, done)
	res := db.Pool.SendBatch(ctx, &batch)
	rows, err := res.Query()
	if err != nil {
		res.Close()
		return nil, nil, fmt.Errorf("deliveries of user %d: %w", userID, err)
	}
	orders, err := pgx.CollectRows(rows, collectOrder)
	if err != nil {
		res.Close()
		return nil, nil, fmt.Errorf("deliveries of user %d: %w", userID, err)
	}
	var id int64
	var last flows.Delivered
	err = res.QueryRow().Scan(&id, &last.Status, &last.At)
	res.Close()
	if errors.Is(err, pgx.ErrNoRows) {
		return orders, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("deliveries of user %d, the last done: %w", userID, err)
	}
	if last.Order, err = db.Order(ctx, id); err != nil {
		return nil, nil, err
	}
	return orders, &last, nil
}

// Awaiting lists the pending orders of the listings a user sells or
// posted as a helper for farmers still without an account, oldest first
// (the first to cancel itself).
func (db *DB) Awaiting(ctx context.Context, userID int64) ([]*flows.Order, error) {
	orders, err := db.orders(ctx, `o.status = 'pending'
		AND `+answersFor("l")+`
		ORDER BY o.created_at LIMIT 10`, userID)
	if err != nil {
		return nil, fmt.Errorf("orders awaiting user %d: %w", userID, err)
	}
	return orders, nil
}

// LastAsked implements flows.Orders: the latest of a pending order's
// notice or reminder, a listing's renewal question (renew_question_at:
// kept once the answer renewed the listing) and a profile change held for
// the farmer's word (asked_at). An order wins a tie, as it always did.
func (db *DB) LastAsked(ctx context.Context, userID int64) (flows.Asked, error) {
	var last flows.Asked
	err := db.Pool.QueryRow(ctx, `
		WITH me AS (SELECT id FROM sellers WHERE user_id = $1),
		mine AS (SELECT l.id, l.renew_question_at FROM listings l WHERE `+answersFor("l")+`)
		SELECT kind, at FROM (
			SELECT 'order' AS kind, max(greatest(o.created_at, o.reminded_at)) AS at FROM orders o
				WHERE o.status = 'pending' AND o.listing_id IN (SELECT id FROM mine)
			UNION ALL SELECT 'renewal', max(renew_question_at) FROM mine
			UNION ALL SELECT 'change', max(c.asked_at) FROM profile_changes c WHERE c.seller_id = (SELECT id FROM me)
		) q WHERE at IS NOT NULL
		ORDER BY at DESC, kind = 'order' DESC LIMIT 1`, userID).Scan(&last.Kind, &last.At)
	if errors.Is(err, pgx.ErrNoRows) {
		return flows.Asked{}, nil
	}
	if err != nil {
		return flows.Asked{}, fmt.Errorf("last question to user %d: %w", userID, err)
	}
	return last, nil
}

// RenewAskedLast implements flows.Listings: the listings on sale whose
// renewal question is unanswered (renew_asked_at, cleared by renewing) and
// came after every pending order's notice or reminder, and after every
// listing the user published (an "ok" to "✅ Đã đăng tin" renews nothing),
// and after, when she began or ended another task then (an "ok" to "✅ Đã
// lưu hồ sơ" neither), the latest first.
func (db *DB) RenewAskedLast(ctx context.Context, userID int64, after time.Time) ([]*flows.Listing, error) {
	asked, err := db.listingsWhere(ctx, answersFor("l")+`
			AND l.status = 'active' AND l.renew_asked_at IS NOT NULL AND l.renew_asked_at > $2
			AND l.renew_asked_at > coalesce((SELECT max(greatest(o.created_at, o.reminded_at)) FROM orders o
				JOIN listings ol ON ol.id = o.listing_id
				WHERE o.status = 'pending'
					AND `+answersFor("ol")+`), '-infinity')
			AND NOT EXISTS (SELECT 1 FROM listings nl WHERE nl.id <> l.id AND nl.created_at > l.renew_asked_at
				AND `+answersFor("nl")+`)
		ORDER BY l.renew_asked_at DESC, l.id LIMIT 10`, userID, after)
	if err != nil {
		return nil, fmt.Errorf("renewal questions to user %d: %w", userID, err)
	}
	return asked, nil
}

// orders reads the orders a condition (with its order and limit) selects.
func (db *DB) orders(ctx context.Context, cond string, args ...any) ([]*flows.Order, error) {
	rows, err := db.Pool.Query(ctx, selectOrders+cond, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, collectOrder)
}

func collectOrder(r pgx.CollectableRow) (*flows.Order, error) { return scanOrder(r) }

// Timeline lists an order's events, oldest first.
func (db *DB) Timeline(ctx context.Context, id int64) ([]flows.OrderEvent, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT e.status, coalesce(u.display_name, u.platform_name, ''), e.note_key, e.note, e.at
		FROM order_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.order_id = $1 ORDER BY e.at, e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.OrderEvent, error) {
		var e flows.OrderEvent
		err := r.Scan(&e.Status, &e.Actor, &e.Note.Key, &e.Note.Text, &e.At)
		return e, err
	})
}

// DueOrders lists pending orders past the timeout (orders_pending), and the
// others whose farmer is to be reminded by now and was not
// (orders_remind_due): when (halfway, not at night) the flows said as the
// order was placed. With them come those placed with no time (remind_at
// NULL, RemindAt zero): an old replica placed them during a rolling update,
// after the migration; the flows decide for those. It changes nothing: each is cancelled
// (SetOrderStatus) or reminded (Reminded) with its messages, which claims
// it: of two replicas, one reminds, the other finds it done (ErrStale).
func (db *DB) DueOrders(ctx context.Context, now time.Time, timeout time.Duration) (expired, waiting []*flows.Order, err error) {
	if expired, err = db.orders(ctx, `o.status = 'pending' AND o.created_at <= $1::timestamptz
		ORDER BY o.created_at LIMIT 100`, now.Add(-timeout)); err != nil {
		return nil, nil, fmt.Errorf("due orders: %w", err)
	}
	waiting, err = db.orders(ctx, dueReminders, now, now.Add(-timeout))
	if err != nil {
		return nil, nil, fmt.Errorf("due orders: %w", err)
	}
	return expired, waiting, nil
}

// dueReminders selects the orders whose farmer is to be reminded by $1,
// or not decided (NULL; the index holds those too), not yet past the
// timeout (created after $2: those are cancelled). Never is infinity.
const dueReminders = `o.status = 'pending' AND o.reminded_at IS NULL
	AND (o.remind_at <= $1::timestamptz OR o.remind_at IS NULL)
	AND o.created_at > $2::timestamptz ORDER BY o.remind_at LIMIT 500`

// Reminded marks an order's farmer reminded, with the reminder, once.
func (db *DB) Reminded(ctx context.Context, id int64, at time.Time, notices ...flows.Reply) error {
	return db.change(ctx, fmt.Sprintf("remind order %d", id), `
		UPDATE orders SET reminded_at = $2 WHERE id = $1 AND status = 'pending' AND reminded_at IS NULL`,
		[]any{id, at}, notices)
}

// Opening reads, in one round trip, what an order decides on as it starts
// and as it is placed: the listing, the buyer's profile and their open
// orders, as q asks.
func (db *DB) Opening(ctx context.Context, q flows.OpeningOf) (flows.Opening, error) {
	var o flows.Opening
	err := db.batch(ctx, func(b *pgx.Batch) {
		if q.Code != "" {
			queueListing(b, `l.code = $1`, q.Code, &o.Listing)
		} else {
			queueListing(b, `l.id = $1`, q.ListingID, &o.Listing)
		}
		if q.Profile {
			queueBuyer(b, q.Buyer, &o.Profile)
		}
		if q.Open {
			queueOpenOrders(b, q.Buyer, q.Source, &o.Open)
		}
	})
	if err != nil {
		return flows.Opening{}, fmt.Errorf("order opening: %w", err)
	}
	return o, nil
}

// queueListing queues the read of the listing cond ($1: key) selects into
// l: ErrNotFound, none.
func queueListing(b *pgx.Batch, cond string, key any, l **flows.Listing) {
	b.Queue(selectListings+cond, key).QueryRow(func(row pgx.Row) (err error) {
		*l, err = scanListing(row)
		return err
	})
}

// Buyer returns what a buyer typed last time.
func (db *DB) Buyer(ctx context.Context, userID int64) (*flows.BuyerProfile, error) {
	var b *flows.BuyerProfile
	err := db.batch(ctx, func(batch *pgx.Batch) { queueBuyer(batch, userID, &b) })
	if err == nil && b == nil {
		err = flows.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("buyer: %w", err)
	}
	return b, nil
}

// ForgetBuyer empties the fields of a buyer's profile that still hold
// what refused holds, leaving those the buyer changed meanwhile.
func (db *DB) ForgetBuyer(ctx context.Context, buyer int64, refused flows.BuyerProfile) error {
	if _, err := db.Pool.Exec(ctx, `UPDATE buyers SET
			name = CASE WHEN $2 <> '' AND name = $2 THEN '' ELSE name END,
			address = CASE WHEN $3 <> '' AND address = $3 THEN '' ELSE address END,
			updated_at = now()
		WHERE user_id = $1 AND ($2 <> '' AND name = $2 OR $3 <> '' AND address = $3)`, buyer, refused.Name, refused.Address); err != nil {
		return fmt.Errorf("forget buyer's refused profile: %w", err)
	}
	return nil
}

// queueBuyer queues the read of a buyer's profile into b, left nil when
// they have none.
func queueBuyer(batch *pgx.Batch, userID int64, b **flows.BuyerProfile) {
	batch.Queue(`SELECT name, phone_e164, address FROM buyers WHERE user_id = $1`, userID).QueryRow(func(row pgx.Row) error {
		var p flows.BuyerProfile
		err := row.Scan(&p.Name, &p.Phone, &p.Address)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		*b = &p
		return err
	})
}

// OrderByCode finds an order by its code (DH-7K2Q).
func (db *DB) OrderByCode(ctx context.Context, code string) (*flows.Order, error) {
	o, err := scanOrder(db.Pool.QueryRow(ctx, selectOrders+`o.code = $1`, code))
	if err != nil {
		return nil, fmt.Errorf("order by code: %w", err)
	}
	return o, nil
}

// ListingByCode finds a listing by its code, "NS-7K2Q".
func (db *DB) ListingByCode(ctx context.Context, code string) (*flows.Listing, error) {
	var l *flows.Listing
	if err := db.batch(ctx, func(b *pgx.Batch) { queueListing(b, `l.code = $1`, code, &l) }); err != nil {
		return nil, fmt.Errorf("listing by code: %w", err)
	}
	return l, nil
}

// ListingByPost finds the listing a group message belongs to.
func (db *DB) ListingByPost(ctx context.Context, group flows.ChatRef, messageID string) (*flows.Listing, error) {
	l, err := scanListing(db.Pool.QueryRow(ctx, selectListings+`l.id = (
		SELECT listing_id FROM listing_posts
		WHERE channel = $1 AND chat_id = $2 AND (message_ids @> ARRAY[$3] OR buttons_id = $3) LIMIT 1)`,
		group.Channel, group.ChatID, messageID))
	if err != nil {
		return nil, fmt.Errorf("listing by post: %w", err)
	}
	return l, nil
}

// Similar lists other listings of the same product still on sale, and
// not past their expiry, that buyer may order: none they sell or posted
// as a helper, from any of their accounts.
func (db *DB) Similar(ctx context.Context, l *flows.Listing, buyer int64, n int) ([]*flows.Listing, error) {
	similar, err := db.listingsWhere(ctx, `l.status = 'active' AND l.id <> $1 AND l.remaining_milli > 0
			AND l.expires_at > now() AND (l.product_key = nullif($2, '') OR lower(l.product_name) = lower($3))
			AND NOT EXISTS (SELECT 1 FROM users u WHERE (u.id = $5 OR u.linked_to = $5) AND u.id IN (s.user_id, l.helper_id))
		ORDER BY l.created_at DESC LIMIT $4`, l.ID, l.ProductKey, l.Product, n, buyer)
	if err != nil {
		return nil, fmt.Errorf("similar listings: %w", err)
	}
	return similar, nil
}

// OpenOrders counts a buyer's orders the farmer has not accepted yet,
// leaving out the one placed by source (its retry is not the next order).
func (db *DB) OpenOrders(ctx context.Context, buyerID int64, source string) (int, error) {
	var n int
	if err := db.batch(ctx, func(b *pgx.Batch) { queueOpenOrders(b, buyerID, source, &n) }); err != nil {
		return 0, fmt.Errorf("open orders of buyer %d: %w", buyerID, err)
	}
	return n, nil
}

// queueOpenOrders queues the count of OpenOrders into n.
func queueOpenOrders(b *pgx.Batch, buyerID int64, source string, n *int) {
	b.Queue(`
		SELECT count(*) FROM orders
		WHERE buyer_id = $1 AND status = 'pending' AND source_update IS DISTINCT FROM $2`, buyerID, source).
		QueryRow(func(row pgx.Row) error { return row.Scan(n) })
}

// Held sums a listing's orders not yet shipped: those that give their
// quantity back when cancelled or declined (releases).
func (db *DB) Held(ctx context.Context, listingID int64) (milli int64, orders int, err error) {
	err = db.Pool.QueryRow(ctx, `
		SELECT coalesce(sum(quantity_milli), 0), count(*) FROM orders
		WHERE listing_id = $1 AND status IN ('pending', 'accepted')`, listingID).Scan(&milli, &orders)
	if err != nil {
		return 0, 0, fmt.Errorf("held of listing %d: %w", listingID, err)
	}
	return milli, orders, nil
}

// nullTime is t for a nullable column: NULL for the zero time.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
