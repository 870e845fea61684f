package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

var _ flows.Follows = (*DB)(nil)

// followFold is how a product typed freely is matched: its folded name.
// A catalog product is matched by its key alone.
func followFold(key, name string) string {
	if key != "" {
		return ""
	}
	return vn.Fold(name)
}

// Follow subscribes a user to a product in an area; the same follow twice
// is one.
func (db *DB) Follow(ctx context.Context, f flows.Follow) (int64, bool, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `
		INSERT INTO follows (user_id, product_key, product_fold, product_name, area)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id`,
		f.UserID, f.ProductKey, followFold(f.ProductKey, f.Product), f.Product, f.Area).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, false, fmt.Errorf("follow: %w", err)
	}
	err = db.Pool.QueryRow(ctx, `SELECT id FROM follows
		WHERE user_id = $1 AND product_key = $2 AND product_fold = $3 AND area = $4`,
		f.UserID, f.ProductKey, followFold(f.ProductKey, f.Product), f.Area).Scan(&id)
	if err != nil {
		return 0, false, fmt.Errorf("follow: %w", err)
	}
	return id, false, nil
}

// FollowsOf lists a user's follows, oldest first.
func (db *DB) FollowsOf(ctx context.Context, userID int64) ([]flows.Follow, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, user_id, product_key, product_name, area
		FROM follows WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("follows of %d: %w", userID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.Follow, error) {
		var f flows.Follow
		return f, r.Scan(&f.ID, &f.UserID, &f.ProductKey, &f.Product, &f.Area)
	})
	if err != nil {
		return nil, fmt.Errorf("follows of %d: %w", userID, err)
	}
	return out, nil
}

// Unfollow removes one of the user's follows.
func (db *DB) Unfollow(ctx context.Context, userID, id int64) (bool, error) {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM follows WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return false, fmt.Errorf("unfollow: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// followMatch is the condition on follows f that a new listing l of seller
// s matches ($20: the listing's folded name, for a product outside the
// catalogue); see createListing.
const followMatch = `(CASE WHEN coalesce(l.product_key, '') <> '' THEN f.product_key = l.product_key
		ELSE f.product_key = '' AND f.product_fold = $20 END)
	AND (f.area = '' OR f.area = coalesce(s.area_tag, ''))
	AND f.user_id <> coalesce(s.user_id, 0) AND f.user_id <> coalesce(l.helper_id, 0)`

// Followers counts the people each listing would reach, in one query.
func (db *DB) Followers(ctx context.Context, listings []*flows.Listing) (map[int64]int, error) {
	out := map[int64]int{}
	if len(listings) == 0 {
		return out, nil
	}
	ids := make([]int64, len(listings))
	for i, l := range listings {
		ids[i] = l.ID
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT l.id, count(DISTINCT f.user_id)
		FROM listings l JOIN sellers s ON s.id = l.seller_id
		JOIN follows f ON (CASE WHEN coalesce(l.product_key, '') <> '' THEN f.product_key = l.product_key
				ELSE f.product_key = '' AND f.product_fold = ($2::text[])[array_position($1::bigint[], l.id)] END)
			AND (f.area = '' OR f.area = coalesce(s.area_tag, ''))
			AND f.user_id <> coalesce(s.user_id, 0) AND f.user_id <> coalesce(l.helper_id, 0)
		WHERE l.id = ANY($1) GROUP BY l.id`, ids, folds(listings))
	if err != nil {
		return nil, fmt.Errorf("followers: %w", err)
	}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("followers: %w", err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("followers: %w", err)
	}
	return out, nil
}

func folds(listings []*flows.Listing) []string {
	out := make([]string, len(listings))
	for i, l := range listings {
		out[i] = followFold(l.ProductKey, l.Product)
	}
	return out
}

// followCapLock names the advisory locks of buyers' daily counts ("nsfc").
const followCapLock = 0x6e736663

// DeliverFollows sends up to limit new follow notices; see flows.Follows.
func (db *DB) DeliverFollows(ctx context.Context, limit int, dayStart time.Time,
	send func(n flows.FollowNotice, sentToday int) []flows.Reply) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		todo, err := takeFollowNotices(ctx, tx, `state = 'new' ORDER BY id LIMIT $1`, limit)
		if err != nil {
			return err
		}
		// The day's count is per buyer, and another replica may be sending
		// to the same buyer: each buyer's count is taken under their lock,
		// locked in one order so that two replicas never wait on each other.
		slices.SortStableFunc(todo, func(a, b pendingNotice) int { return cmp.Compare(a.user, b.user) })
		for _, d := range todo {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, ($2 % 2147483647)::int)`, followCapLock, d.user); err != nil {
				return err
			}
			fn, err := followNotice(ctx, tx, d.id, d.listing, d.user)
			if err != nil {
				return err
			}
			var today int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM follow_notices
				WHERE user_id = $1 AND state = 'sent' AND sent_at >= $2`, d.user, dayStart).Scan(&today); err != nil {
				return err
			}
			var replies []flows.Reply
			if fn != nil && fn.Listing.Status == flows.Active {
				replies = send(*fn, today)
			}
			state := "sent"
			switch {
			case fn == nil || fn.Listing.Status != flows.Active:
				state = "gone" // no chat, or the listing ended before it went
			case len(replies) == 0:
				state = "held"
			}
			if _, err := tx.Exec(ctx, `UPDATE follow_notices SET state = $2,
				sent_at = CASE WHEN $2 = 'sent' THEN now() END WHERE id = $1`, d.id, state); err != nil {
				return err
			}
			if err := queue(ctx, tx, replies); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("deliver follows: %w", err)
	}
	return n, nil
}

// pendingNotice is a follow notice taken to send.
type pendingNotice struct{ id, listing, user int64 }

// takeFollowNotices locks the follow notices where says, skipping those
// another replica holds: each is sent once.
func takeFollowNotices(ctx context.Context, tx pgx.Tx, where string, arg any) ([]pendingNotice, error) {
	rows, err := tx.Query(ctx, `SELECT id, listing_id, user_id FROM follow_notices WHERE `+where+` FOR UPDATE SKIP LOCKED`, arg)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (pendingNotice, error) {
		var p pendingNotice
		return p, r.Scan(&p.id, &p.listing, &p.user)
	})
}

// stillFollowed tells whether a follower (user $1) still follows what the
// listing ($2) is: a notice written when it was published waits for the
// tick or the morning's digest, and /bothedoi in between must stop it.
var stillFollowed = `SELECT EXISTS (SELECT 1 FROM listings l JOIN sellers s ON s.id = l.seller_id, follows f
	WHERE f.user_id = $1 AND l.id = $2 AND ` + strings.ReplaceAll(followMatch, "$20", "$3") + `)`

// followNotice reads a notice's listing and the follower's chat; nil when
// the follower has no chat left or follows the listing's product no more.
func followNotice(ctx context.Context, tx pgx.Tx, id, listingID, userID int64) (*flows.FollowNotice, error) {
	l, err := listing(ctx, tx, listingID)
	if err != nil {
		return nil, err
	}
	var follows bool
	if err := tx.QueryRow(ctx, stillFollowed, userID, listingID, followFold(l.ProductKey, l.Product)).Scan(&follows); err != nil {
		return nil, fmt.Errorf("still followed: %w", err)
	}
	if !follows {
		return nil, nil
	}
	to, lang, err := chatOf(ctx, tx, userID, 0)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &flows.FollowNotice{ID: id, UserID: userID, To: to, Lang: lang, Listing: l}, nil
}

// DeliverDigests sends each follower one list of the notices held before
// morning; see flows.Follows.
func (db *DB) DeliverDigests(ctx context.Context, morning time.Time, digest func(held []flows.FollowNotice) []flows.Reply) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		all, err := takeFollowNotices(ctx, tx, `state = 'held' AND created_at < $1 ORDER BY user_id, id`, morning)
		if err != nil {
			return err
		}
		var ids []int64
		var batch []flows.FollowNotice
		flush := func() error {
			if len(batch) > 0 {
				n++
				if err := queue(ctx, tx, digest(batch)); err != nil {
					return err
				}
			}
			batch = nil
			return nil
		}
		for i, h := range all {
			if i > 0 && all[i-1].user != h.user {
				if err := flush(); err != nil {
					return err
				}
			}
			ids = append(ids, h.id)
			fn, err := followNotice(ctx, tx, h.id, h.listing, h.user)
			if err != nil {
				return err
			}
			if fn != nil && fn.Listing.Status == flows.Active {
				batch = append(batch, *fn)
			}
		}
		if err := flush(); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE follow_notices SET state = 'digest', sent_at = now() WHERE id = ANY($1)`, ids)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("deliver digests: %w", err)
	}
	return n, nil
}

// Forget marks the account of a chat gone for good (users.gone_at, until
// it writes again) and, when none of the person's other accounts is still
// reachable, removes their follows and the notices not yet sent to them
// (else the morning's digest would go).
func (db *DB) Forget(ctx context.Context, chat flows.ChatRef) (int, error) {
	tag, err := db.Pool.Exec(ctx, `WITH gone AS (
			UPDATE users SET gone_at = now() WHERE channel = $1 AND platform_id = $2
			RETURNING coalesce(linked_to, id) AS person),
		u AS (
			SELECT g.person AS id FROM gone g WHERE NOT EXISTS (
				SELECT 1 FROM users o WHERE (o.id = g.person OR o.linked_to = g.person) AND o.gone_at IS NULL
					AND NOT (o.channel = $1 AND o.platform_id = $2))),
		dropped AS (
			UPDATE follow_notices SET state = 'gone' WHERE user_id IN (SELECT id FROM u) AND state IN ('new', 'held'))
		DELETE FROM follows WHERE user_id IN (SELECT id FROM u)`, chat.Channel, chat.ChatID)
	if err != nil {
		return 0, fmt.Errorf("forget follows: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
