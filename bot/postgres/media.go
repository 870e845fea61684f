package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // kept copies are JPEGs: their size is read from the header
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
)

// withPhotoIDs gives an id to each photo that has none (a draft begun
// before photos had ids), so that every published photo can be served.
func withPhotoIDs(tokens []string) (photos []string, refs []flows.PhotoRef) {
	photos = make([]string, len(tokens))
	for i, token := range tokens {
		photos[i] = token
		p, err := flows.ParsePhotoRef(token)
		if err != nil {
			continue // kept as it came; never served
		}
		if p.ID == "" {
			p.ID = flows.NewPhotoID()
			photos[i] = p.String()
		}
		refs = append(refs, p)
	}
	return photos, refs
}

// onSale is the listings whose photos are served (shownNow): on sale
// ('active') or sold out ('sold_out': its posts still show it, and the
// farmer may sell more), until their last day. A farmer who stops selling
// ('closed') or a listing past its date ('expired', sold out or not)
// takes its photos down; renewing it brings them back, since every
// request asks.
const onSale = shownNow

// broadcastPhotosFor is how long an announcement's photo is served once
// its broadcast has ended (done or stopped): each platform fetches it as
// it is sent, and one that fetches late (a retry, a slow platform) still
// finds it. Then it is forgotten: a moderator's photo is no listing's, and
// it stays no longer public than its sending needs.
const broadcastPhotosFor = "1 day"

// servable is the media rows (m, with l their listing and b their
// broadcast, joined on the left) that /media serves: a listing's photo
// while it is on sale, and an announcement's while it is being sent and
// for broadcastPhotosFor after.
const servable = `(` + onSale + ` OR b.status = 'sending' OR b.finished_at > now() - interval '` + broadcastPhotosFor + `')`

// servedFrom joins a media row to what makes it served.
const servedFrom = `media m LEFT JOIN listings l ON l.id = m.listing_id LEFT JOIN broadcasts b ON b.id = m.broadcast_id`

// PhotoOnSale is nil for the photo of a listing on sale, or of an
// announcement being sent (servable), else ErrNotFound: asked on every
// request, before any copy is served. Three primary-key lookups, no bytes
// read.
func (db *DB) PhotoOnSale(ctx context.Context, id string) error {
	var ok bool
	err := db.Pool.QueryRow(ctx, `SELECT true FROM `+servedFrom+` WHERE m.id = $1 AND `+servable, id).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("photo: %w", flows.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("photo on sale: %w", err)
	}
	return nil
}

// PublishedPhoto returns the photo of a listing on sale (or of an
// announcement being sent) by its public id, with its kept copy if there
// is one; ErrNotFound for any other id.
func (db *DB) PublishedPhoto(ctx context.Context, id string) (*flows.KeptPhoto, error) {
	var p flows.KeptPhoto
	err := db.Pool.QueryRow(ctx, `SELECT m.id, coalesce(m.listing_id, 0), m.channel, m.ref, m.data, coalesce(m.content_type, '')
		FROM `+servedFrom+` WHERE m.id = $1 AND `+servable, id).
		Scan(&p.ID, &p.Listing, &p.Channel, &p.Ref, &p.Data, &p.Type)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("photo: %w", flows.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("photo: %w", err)
	}
	return &p, nil
}

// KeepPhoto stores a photo's copy, with its size for the pages (none if
// its header cannot be read). The first copy stays: replicas that fetched
// the same photo at once keep one.
func (db *DB) KeepPhoto(ctx context.Context, id string, data []byte, contentType string) error {
	var width, height *int
	if size, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
		width, height = &size.Width, &size.Height
	}
	_, err := db.Pool.Exec(ctx, `UPDATE media SET data = $2, content_type = $3, kept_at = now(), fails = 0,
		width = $4, height = $5 WHERE id = $1 AND kept_at IS NULL`, id, data, contentType, width, height)
	if err != nil {
		return fmt.Errorf("keep photo: %w", err)
	}
	return nil
}

// PhotoArrived records a photo of a draft, to be kept before its link
// expires; it is served only once its listing is published.
func (db *DB) PhotoArrived(ctx context.Context, p flows.PhotoRef) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO media (id, channel, ref) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		p.ID, p.Channel, p.Ref)
	if err != nil {
		return fmt.Errorf("photo arrived: %w", err)
	}
	return nil
}

// draftPhotosFor is how long a draft's photo is kept without a listing:
// longer than a conversation lasts.
const draftPhotosFor = "2 days"

// PhotosToKeep claims up to limit photos not kept yet whose time has come,
// for lease (another replica does not take them meanwhile): those of
// listings on sale, and those of drafts and announcements (no listing).
// An ended listing's photos wait: renewed, it is kept then. Drafts' photos
// never published are forgotten, and announcements' once no longer
// served.
func (db *DB) PhotosToKeep(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]flows.KeptPhoto, error) {
	_, err := db.Pool.Exec(ctx, `DELETE FROM media WHERE listing_id IS NULL AND broadcast_id IS NULL
		AND created_at < $1::timestamptz - interval '`+draftPhotosFor+`'`, now)
	if err != nil {
		return nil, fmt.Errorf("forget drafts' photos: %w", err)
	}
	_, err = db.Pool.Exec(ctx, `DELETE FROM media m USING broadcasts b WHERE b.id = m.broadcast_id
		AND m.listing_id IS NULL AND b.finished_at < $1::timestamptz - interval '`+broadcastPhotosFor+`'`, now)
	if err != nil {
		return nil, fmt.Errorf("forget announcements' photos: %w", err)
	}
	rows, err := db.Pool.Query(ctx, `
		UPDATE media SET next_try_at = $2::timestamptz + $3::interval
		WHERE id IN (SELECT m.id FROM media m LEFT JOIN listings l ON l.id = m.listing_id
			WHERE m.kept_at IS NULL AND m.next_try_at <= $2 AND (m.listing_id IS NULL OR `+onSale+`)
			ORDER BY m.next_try_at LIMIT $1 FOR UPDATE OF m SKIP LOCKED)
		RETURNING id, coalesce(listing_id, 0), channel, ref`, limit, now, lease)
	if err != nil {
		return nil, fmt.Errorf("photos to keep: %w", err)
	}
	photos, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (flows.KeptPhoto, error) {
		var p flows.KeptPhoto
		return p, row.Scan(&p.ID, &p.Listing, &p.Channel, &p.Ref)
	})
	if err != nil {
		return nil, fmt.Errorf("photos to keep: %w", err)
	}
	return photos, nil
}

// maxPhotoTries: a photo that failed this often is given up (its link is
// gone for good); it stays served as long as its platform still has it.
const maxPhotoTries = 16

// PhotoFailed records a failed fetch; the next try waits longer each time,
// a minute doubling up to six hours.
func (db *DB) PhotoFailed(ctx context.Context, id string, now time.Time) error {
	_, err := db.Pool.Exec(ctx, `UPDATE media SET fails = fails + 1,
		next_try_at = CASE WHEN fails + 1 >= $3 THEN 'infinity'
			ELSE $2::timestamptz + least(interval '1 minute' * power(2, fails), interval '6 hours') END
		WHERE id = $1 AND kept_at IS NULL`, id, now, maxPhotoTries)
	if err != nil {
		return fmt.Errorf("photo failed: %w", err)
	}
	return nil
}

// PhotosWaiting counts photos of listings on sale not kept yet that are
// still tried.
func (db *DB) PhotosWaiting(ctx context.Context) (int64, error) {
	var n int64
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM media m JOIN listings l ON l.id = m.listing_id
		WHERE m.kept_at IS NULL AND m.next_try_at < 'infinity' AND `+onSale).Scan(&n)
	return n, err
}

// ReusePhoto makes a photo the same photo by another reference of its
// channel (a Telegram photo sent as a file, by the photo file_id its first
// upload got): its media row, the listing or announcement showing it, and
// so every later post or order. A draft's photo, which has no row yet (a
// moderator's preview of an announcement), gets one: its announcement or
// listing joins it when sent, and later sends find the reference there
// (PhotoNow). Said again with the same references, it brings up to date a
// listing or announcement that still shows the old one. A photo whose
// reference changed to another already (another replica uploaded it too)
// is left as it is.
func (db *DB) ReusePhoto(ctx context.Context, was, now flows.PhotoRef) error {
	_, err := db.Pool.Exec(ctx, `
		WITH m AS (
			INSERT INTO media (id, channel, ref) VALUES ($1, $2, $4)
			ON CONFLICT (id) DO UPDATE SET ref = $4 WHERE media.channel = $2 AND media.ref IN ($3, $4)
			RETURNING listing_id, broadcast_id
		), l AS (
			UPDATE listings SET photos = array_replace(photos, $5, $6)
			WHERE id = (SELECT listing_id FROM m) AND $5 = ANY (photos)
		)
		UPDATE broadcasts SET photo = $6 WHERE id = (SELECT broadcast_id FROM m) AND photo = $5`,
		was.ID, string(was.Channel), was.Ref, now.Ref, was.String(), now.String())
	if err != nil {
		return fmt.Errorf("reuse photo %s: %w", was.ID, err)
	}
	return nil
}

// PhotoNow is the reference photo p goes by now on its channel: the one
// its first upload got (ReusePhoto), else p's own. Asked before a send
// that would upload p, so that a reply written before that upload (a
// group post waiting in the outbox, a draft) does not upload it again.
func (db *DB) PhotoNow(ctx context.Context, p flows.PhotoRef) (string, error) {
	var ref string
	err := db.Pool.QueryRow(ctx, `SELECT ref FROM media WHERE id = $1 AND channel = $2`, p.ID, string(p.Channel)).Scan(&ref)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return p.Ref, nil
	case err != nil:
		return "", fmt.Errorf("photo %s now: %w", p.ID, err)
	}
	return ref, nil
}
