package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
)

var _ flows.Broadcasts = (*DB)(nil)

// CreateBroadcast stores b and one pending target per group (its title
// copied, so the report names it even if the group goes) in one
// transaction. A retried source gets the broadcast it created the first
// time, and targets nothing more.
func (db *DB) CreateBroadcast(ctx context.Context, b *flows.Broadcast, targets []flows.MarketGroup, source string) (*flows.Broadcast, error) {
	areas := b.Areas
	if areas == nil {
		areas = []string{}
	}
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO broadcasts (author_id, channel, chat_id, lang, text, photo, pin, scope, areas, source_update)
			VALUES ($1, $2, $3, $4, $5, nullif($6, ''), $7, $8, $9, $10)
			ON CONFLICT (source_update) DO NOTHING
			RETURNING id`,
			b.AuthorID, b.Chat.Channel, b.Chat.ChatID, b.Lang, b.Text, b.Photo, b.Pin, b.Scope, areas, source,
		).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			// Created by an earlier delivery of the same update.
			return tx.QueryRow(ctx, `SELECT id FROM broadcasts WHERE source_update = $1`, source).Scan(&id)
		}
		if err != nil {
			return err
		}
		channels, chats, titles := make([]string, len(targets)), make([]string, len(targets)), make([]string, len(targets))
		for i, g := range targets {
			channels[i], chats[i], titles[i] = string(g.Ref.Channel), g.Ref.ChatID, g.Title
		}
		// A group listed twice is one target.
		_, err = tx.Exec(ctx, `
			INSERT INTO broadcast_targets (broadcast_id, channel, chat_id, title)
			SELECT $1, t.channel, t.chat_id, t.title FROM unnest($2::text[], $3::text[], $4::text[]) AS t (channel, chat_id, title)
			ON CONFLICT DO NOTHING`, id, channels, chats, titles)
		if err != nil {
			return err
		}
		return servePhoto(ctx, tx, id, b.Photo)
	})
	if err != nil {
		return nil, fmt.Errorf("create broadcast: %w", err)
	}
	return db.Broadcast(ctx, id)
}

// servePhoto makes the photo of broadcast id served at /media/{id} (see
// servable), where the groups of other channels, and Zalo's, get it from.
// A Zalo photo is there already, kept since it arrived (PhotoArrived). A
// photo without an id (from before photos had one) cannot be served.
func servePhoto(ctx context.Context, tx pgx.Tx, id int64, token string) error {
	if token == "" {
		return nil
	}
	p, err := flows.ParsePhotoRef(token)
	if err != nil || p.ID == "" {
		return nil
	}
	_, err = tx.Exec(ctx, `INSERT INTO media (id, broadcast_id, channel, ref) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET broadcast_id = EXCLUDED.broadcast_id WHERE media.broadcast_id IS NULL`,
		p.ID, id, string(p.Channel), p.Ref)
	return err
}

// Broadcast returns a broadcast by id.
func (db *DB) Broadcast(ctx context.Context, id int64) (*flows.Broadcast, error) {
	var b flows.Broadcast
	err := db.Pool.QueryRow(ctx, `
		SELECT id, author_id, channel, chat_id, lang, text, coalesce(photo, ''), pin, scope, areas, status, created_at
		FROM broadcasts WHERE id = $1`, id,
	).Scan(&b.ID, &b.AuthorID, &b.Chat.Channel, &b.Chat.ChatID, &b.Lang, &b.Text, &b.Photo, &b.Pin, &b.Scope, &b.Areas,
		&b.Status, &b.Created)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("broadcast %d: %w", id, flows.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("broadcast %d: %w", id, err)
	}
	return &b, nil
}

// Sending returns the author's latest broadcast still sending: the one a
// "huỷ" just after ✅ Gửi means.
func (db *DB) Sending(ctx context.Context, authorID int64) (*flows.Broadcast, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `SELECT id FROM broadcasts WHERE author_id = $1 AND status = 'sending'
		ORDER BY id DESC LIMIT 1`, authorID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("broadcast sending by %d: %w", authorID, flows.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("broadcast sending by %d: %w", authorID, err)
	}
	return db.Broadcast(ctx, id)
}

// CancelBroadcast stops a broadcast still sending: the targets not yet on
// their way (pending, claimed) are cancelled; those sent, or being sent
// right now, stay as they are. ErrStale if it had ended already.
func (db *DB) CancelBroadcast(ctx context.Context, id int64) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE broadcasts SET status = 'cancelled', finished_at = now()
			WHERE id = $1 AND status = 'sending'`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			if _, err := db.Broadcast(ctx, id); err != nil {
				return err
			}
			return fmt.Errorf("broadcast %d has ended: %w", id, flows.ErrStale)
		}
		_, err = tx.Exec(ctx, `UPDATE broadcast_targets SET status = 'cancelled', claimed_until = NULL
			WHERE broadcast_id = $1 AND status IN ('pending', 'claimed')`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("cancel broadcast %d: %w", id, err)
	}
	return nil
}
