package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
)

// The delivery side of broadcasts: broadcast_targets rows are the durable
// outbox of a broadcast, which the workers of every replica share with
// FOR UPDATE SKIP LOCKED. A target's claimed_until fences its claim: a
// worker whose claim expired (and was taken again) changes nothing.

// ClaimTargets claims up to n due targets of broadcasts still sending, for
// lease (pending → claimed), oldest due first. A broadcast starts once its
// progress message is on its way (or sent), so that its author sees it
// first, or, should that message fail, after progressWait.
func (db *DB) ClaimTargets(ctx context.Context, n int, lease time.Duration) ([]flows.BroadcastTarget, error) {
	rows, err := db.Pool.Query(ctx, `
		WITH due AS (
			SELECT t.broadcast_id, t.channel, t.chat_id FROM broadcast_targets t
			JOIN broadcasts b ON b.id = t.broadcast_id
			WHERE t.status = 'pending' AND t.not_before <= now() AND b.status = 'sending'
				AND (b.progress_id IS NOT NULL OR b.progress_until IS NOT NULL OR b.created_at < now() - $3::interval)
			ORDER BY t.not_before, t.broadcast_id LIMIT $1
			FOR UPDATE OF t SKIP LOCKED)
		UPDATE broadcast_targets t SET status = 'claimed', claimed_until = clock_timestamp() + $2::interval
		FROM due, broadcasts b
		WHERE (t.broadcast_id, t.channel, t.chat_id) = (due.broadcast_id, due.channel, due.chat_id) AND b.id = t.broadcast_id
		RETURNING t.channel, t.chat_id, t.title, t.attempts, t.claimed_until,
			b.id, b.author_id, b.channel, b.chat_id, b.lang, b.text, coalesce(b.photo, ''), b.pin, b.scope, b.status, b.created_at`,
		n, lease, progressWait)
	if err != nil {
		return nil, fmt.Errorf("claim broadcast targets: %w", err)
	}
	targets, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.BroadcastTarget, error) {
		var t flows.BroadcastTarget
		b := &t.Broadcast
		err := r.Scan(&t.Group.Ref.Channel, &t.Group.Ref.ChatID, &t.Group.Title, &t.Attempts, &t.Claim,
			&b.ID, &b.AuthorID, &b.Chat.Channel, &b.Chat.ChatID, &b.Lang, &b.Text, &b.Photo, &b.Pin, &b.Scope, &b.Status, &b.Created)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim broadcast targets: %w", err)
	}
	return targets, nil
}

// progressWait is how long a broadcast waits for its progress message.
const progressWait = 10 * time.Second

// targetKey is the WHERE clause of one target under its claim: $1 to $4.
const targetKey = `broadcast_id = $1 AND channel = $2 AND chat_id = $3 AND claimed_until = $4`

func keyArgs(t *flows.BroadcastTarget, more ...any) []any {
	return append([]any{t.Broadcast.ID, string(t.Group.Ref.Channel), t.Group.Ref.ChatID, t.Claim}, more...)
}

// StartSending marks a claimed target as on its way, for lease (claimed →
// sending), and counts the attempt. false: the claim is no longer the
// worker's (it expired, or the broadcast was cancelled): do not send.
func (db *DB) StartSending(ctx context.Context, t *flows.BroadcastTarget, lease time.Duration) (bool, error) {
	err := db.Pool.QueryRow(ctx, `UPDATE broadcast_targets
		SET status = 'sending', attempts = attempts + 1, claimed_until = clock_timestamp() + $5::interval
		WHERE `+targetKey+` AND status = 'claimed' RETURNING claimed_until`, keyArgs(t, lease)...).Scan(&t.Claim)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("start sending broadcast %d to %s: %w", t.Broadcast.ID, t.Group.Ref.ChatID, err)
	}
	return true, nil
}

// TargetSent records that the group got the broadcast, as messages ids,
// and whether without its photo (the platform could not fetch it). A
// target found unsure meanwhile (the worker was slow, not dead) is sent
// after all.
func (db *DB) TargetSent(ctx context.Context, t *flows.BroadcastTarget, sent flows.Sent) error {
	ids := sent.MessageIDs
	if ids == nil {
		ids = []string{}
	}
	tag, err := db.Pool.Exec(ctx, `UPDATE broadcast_targets
		SET status = 'sent', message_ids = $5, no_photo = $6, sent_at = now(), claimed_until = NULL, error = ''
		WHERE broadcast_id = $1 AND channel = $2 AND chat_id = $3
			AND (status = 'sending' AND claimed_until = $4 OR status = 'unsure')`, keyArgs(t, ids, sent.NoPhotos)...)
	if err != nil {
		return fmt.Errorf("broadcast %d sent to %s: %w", t.Broadcast.ID, t.Group.Ref.ChatID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("broadcast %d sent to %s: %w", t.Broadcast.ID, t.Group.Ref.ChatID, flows.ErrStale)
	}
	return nil
}

// MoveTarget follows a target's group, under the target's claim (renewed
// for lease), to the id it lives on under (a Telegram group upgraded to a
// supergroup): the target is the new id's from now on (moved). When the
// broadcast targets that id already (an admin registered the supergroup
// too), the old id's target goes instead: it is one group, which gets the
// broadcast once, by that target. ErrStale: the claim is no longer ours.
func (db *DB) MoveTarget(ctx context.Context, t *flows.BroadcastTarget, to string, lease time.Duration) (moved bool, err error) {
	claim := t.Claim
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM broadcast_targets WHERE `+targetKey+` AND status = 'sending'
			AND EXISTS (SELECT 1 FROM broadcast_targets WHERE broadcast_id = $1 AND channel = $2 AND chat_id = $5)`,
			keyArgs(t, to)...)
		if err != nil || tag.RowsAffected() == 1 {
			return err
		}
		err = tx.QueryRow(ctx, `UPDATE broadcast_targets SET chat_id = $5, claimed_until = clock_timestamp() + $6::interval
			WHERE `+targetKey+` AND status = 'sending' RETURNING claimed_until`, keyArgs(t, to, lease)...).Scan(&claim)
		if errors.Is(err, pgx.ErrNoRows) {
			return flows.ErrStale
		}
		moved = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("move broadcast %d from %s to %s: %w", t.Broadcast.ID, t.Group.Ref.ChatID, to, err)
	}
	if moved {
		t.Group.Ref.ChatID, t.Claim = to, claim
	}
	return moved, nil
}

// PinFailed notes that a sent target could not be pinned, and why.
func (db *DB) PinFailed(ctx context.Context, t *flows.BroadcastTarget, reason string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE broadcast_targets SET error = $4
		WHERE broadcast_id = $1 AND channel = $2 AND chat_id = $3 AND status = 'sent'`,
		t.Broadcast.ID, string(t.Group.Ref.Channel), t.Group.Ref.ChatID, flows.PinRefused+": "+reason)
	if err != nil {
		return fmt.Errorf("note pin of broadcast %d in %s: %w", t.Broadcast.ID, t.Group.Ref.ChatID, err)
	}
	return nil
}

// RetryTarget puts a claimed or sending target back, due after a while;
// refund does not count the attempt (the platform asked us to wait, or the
// rate did). A target of a broadcast cancelled meanwhile is cancelled: the
// broadcast's row is locked (FOR SHARE), so that a cancel committing at the
// same time, which leaves targets being sent alone, is seen; else the
// target would wait, pending, for a broadcast that no worker takes again.
func (db *DB) RetryTarget(ctx context.Context, t *flows.BroadcastTarget, after time.Duration, reason string, refund bool) error {
	_, err := db.Pool.Exec(ctx, `UPDATE broadcast_targets t
		SET status = CASE WHEN b.status = 'sending' THEN 'pending' ELSE 'cancelled' END,
			not_before = clock_timestamp() + $5::interval, claimed_until = NULL, error = $6,
			attempts = t.attempts - CASE WHEN $7 AND t.status = 'sending' THEN 1 ELSE 0 END
		FROM (SELECT id, status FROM broadcasts WHERE id = $1 FOR SHARE) b
		WHERE b.id = t.broadcast_id AND t.broadcast_id = $1 AND t.channel = $2 AND t.chat_id = $3
			AND t.claimed_until = $4 AND t.status IN ('claimed', 'sending')`, keyArgs(t, after, reason, refund)...)
	if err != nil {
		return fmt.Errorf("retry broadcast %d to %s: %w", t.Broadcast.ID, t.Group.Ref.ChatID, err)
	}
	return nil
}

// WakeTargets makes the targets on channel that wait for reason (its
// quota) due now, and returns how many: the channel takes sends again.
func (db *DB) WakeTargets(ctx context.Context, channel flows.Channel, reason string) (int64, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE broadcast_targets SET not_before = clock_timestamp()
		WHERE status = 'pending' AND channel = $1 AND error = $2 AND not_before > clock_timestamp()`,
		string(channel), reason)
	if err != nil {
		return 0, fmt.Errorf("wake broadcast targets on %s: %w", channel, err)
	}
	return tag.RowsAffected(), nil
}

// FailTarget records that the group will not get the broadcast (reason: a
// flows.Miss… code, a colon, the platform's words); gone deactivates the
// group, in the same transaction.
func (db *DB) FailTarget(ctx context.Context, t *flows.BroadcastTarget, status, reason string, gone bool) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE broadcast_targets SET status = $5, error = $6, claimed_until = NULL
			WHERE `+targetKey+` AND status IN ('claimed', 'sending')`, keyArgs(t, status, reason)...)
		if err != nil || tag.RowsAffected() == 0 || !gone {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE chats SET active = false, updated_at = now() WHERE channel = $1 AND chat_id = $2`,
			string(t.Group.Ref.Channel), t.Group.Ref.ChatID)
		return err
	})
	if err != nil {
		return fmt.Errorf("fail broadcast %d to %s: %w", t.Broadcast.ID, t.Group.Ref.ChatID, err)
	}
	return nil
}

// ReapTargets settles the targets of workers that stopped: a claim that
// expired before sending goes back to pending (or cancelled); one that
// expired while sending is unsure, never sent again. It returns how many
// of each.
func (db *DB) ReapTargets(ctx context.Context) (requeued, unsure int64, err error) {
	rows, err := db.Pool.Query(ctx, `UPDATE broadcast_targets t
		SET status = CASE WHEN t.status = 'sending' THEN 'unsure'
				WHEN b.status = 'sending' THEN 'pending' ELSE 'cancelled' END,
			error = CASE WHEN t.status = 'sending' THEN $1 ELSE t.error END,
			claimed_until = NULL
		FROM broadcasts b
		WHERE b.id = t.broadcast_id AND t.status IN ('claimed', 'sending') AND t.claimed_until < clock_timestamp()
		RETURNING t.status`, flows.MissUnsure+": the worker stopped while sending")
	if err != nil {
		return 0, 0, fmt.Errorf("reap broadcast targets: %w", err)
	}
	statuses, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, 0, fmt.Errorf("reap broadcast targets: %w", err)
	}
	for _, s := range statuses {
		if s == "unsure" {
			unsure++
		} else {
			requeued++
		}
	}
	return requeued, unsure, nil
}

// noPin is the error of a target sent where the channel cannot pin
// (PinFailed's note): no admin rights would help, counted apart.
const noPin = flows.PinRefused + ": " + flows.PinUnsupported

// tallySQL counts a broadcast's targets by outcome.
const tallySQL = `SELECT b.id, b.channel, b.chat_id, b.lang, b.status, b.pin, coalesce(b.progress_id, ''),
		count(t.chat_id),
		count(*) FILTER (WHERE t.status = 'sent'),
		count(*) FILTER (WHERE t.status = 'failed'),
		count(*) FILTER (WHERE t.status = 'unsure'),
		count(*) FILTER (WHERE t.status = 'cancelled'),
		count(*) FILTER (WHERE t.status = 'sent' AND b.pin AND t.error = ''),
		count(*) FILTER (WHERE t.status = 'sent' AND t.error LIKE '` + flows.PinRefused + `:%' AND t.error <> '` + noPin + `'),
		count(*) FILTER (WHERE t.status IN ('pending', 'claimed', 'sending')),
		count(*) FILTER (WHERE t.status = 'sent' AND t.no_photo),
		count(*) FILTER (WHERE t.status = 'sent' AND t.error = '` + noPin + `')
	FROM broadcasts b LEFT JOIN broadcast_targets t ON t.broadcast_id = b.id`

func scanTally(r pgx.CollectableRow) (flows.BroadcastTally, error) {
	var t flows.BroadcastTally
	err := r.Scan(&t.ID, &t.Chat.Channel, &t.Chat.ChatID, &t.Lang, &t.Status, &t.Pin, &t.ProgressID,
		&t.Total, &t.Sent, &t.Failed, &t.Unsure, &t.Cancelled, &t.Pinned, &t.PinFailed, &t.Open, &t.NoPhoto, &t.NoPin)
	return t, err
}

// OpenBroadcasts tallies the broadcasts not reported yet.
func (db *DB) OpenBroadcasts(ctx context.Context) ([]flows.BroadcastTally, error) {
	rows, err := db.Pool.Query(ctx, tallySQL+` WHERE b.reported_at IS NULL GROUP BY b.id ORDER BY b.id`)
	if err != nil {
		return nil, fmt.Errorf("open broadcasts: %w", err)
	}
	tallies, err := pgx.CollectRows(rows, scanTally)
	if err != nil {
		return nil, fmt.Errorf("open broadcasts: %w", err)
	}
	return tallies, nil
}

// ClaimProgress leases broadcast id's progress message to this worker for
// lease (claim is when it ends; zero: not leased), while no other worker
// holds it and the broadcast is not reported. No other worker sends or
// edits the message meanwhile, and the report waits (FinishBroadcast): it
// is the message's last word. messageID is the progress message sent, ""
// when none was yet (this worker sends it).
func (db *DB) ClaimProgress(ctx context.Context, id int64, lease time.Duration) (messageID string, claim time.Time, err error) {
	err = db.Pool.QueryRow(ctx, `UPDATE broadcasts SET progress_until = clock_timestamp() + $2::interval
		WHERE id = $1 AND reported_at IS NULL AND (progress_until IS NULL OR progress_until < clock_timestamp())
		RETURNING coalesce(progress_id, ''), progress_until`, id, lease).Scan(&messageID, &claim)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("claim progress of broadcast %d: %w", id, err)
	}
	return messageID, claim, nil
}

// ReleaseProgress ends ClaimProgress's lease, claim, recording the
// progress message when one was sent first (messageID not ""). A lease
// not released ends by itself; one that ended and was claimed again is no
// longer released by the worker that held it.
func (db *DB) ReleaseProgress(ctx context.Context, id int64, claim time.Time, messageID string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE broadcasts SET progress_until = NULL,
		progress_id = coalesce(progress_id, nullif($3, '')) WHERE id = $1 AND progress_until = $2`, id, claim, messageID)
	if err != nil {
		return fmt.Errorf("release progress of broadcast %d: %w", id, err)
	}
	return nil
}

func scanMiss(r pgx.CollectableRow) (flows.BroadcastMiss, error) {
	var m flows.BroadcastMiss
	return m, r.Scan(&m.Title, &m.Reason)
}

// maxMisses bounds the groups a report names, of each kind.
const maxMisses = 50

// FinishBroadcast ends broadcast id once none of its targets is left to
// send: status done (a cancelled one stays cancelled), and report's
// replies queued as notices in the same transaction, so that the report
// is queued exactly once, whichever replica gets here first. The misses
// are the groups that did not get it, then those where it was not pinned
// (reason flows.PinRefused). It waits for
// a progress message on its way (ClaimProgress's lease), which would land
// after the report's edit of it. false: not finished yet, or reported
// already.
func (db *DB) FinishBroadcast(ctx context.Context, id int64, report func(flows.BroadcastTally, []flows.BroadcastMiss) []flows.Reply) (bool, error) {
	done := false
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE broadcasts SET reported_at = now(), finished_at = coalesce(finished_at, now()),
				status = CASE WHEN status = 'sending' THEN 'done' ELSE status END
			WHERE id = $1 AND reported_at IS NULL AND (progress_until IS NULL OR progress_until < clock_timestamp())
				AND NOT EXISTS (SELECT 1 FROM broadcast_targets
				WHERE broadcast_id = $1 AND status IN ('pending', 'claimed', 'sending'))`, id)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		rows, err := tx.Query(ctx, tallySQL+` WHERE b.id = $1 GROUP BY b.id`, id)
		if err != nil {
			return err
		}
		tally, err := pgx.CollectExactlyOneRow(rows, scanTally)
		if err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT title, CASE status WHEN 'unsure' THEN $2 ELSE split_part(error, ':', 1) END
			FROM broadcast_targets WHERE broadcast_id = $1 AND status IN ('failed', 'unsure')
			ORDER BY status, title, chat_id LIMIT $3`, id, flows.MissUnsure, maxMisses)
		if err != nil {
			return err
		}
		misses, err := pgx.CollectRows(rows, scanMiss)
		if err != nil {
			return err
		}
		// The groups where pinning was refused, by name (not those of a
		// channel that cannot pin): the author asks their admins.
		rows, err = tx.Query(ctx, `SELECT title, $2::text FROM broadcast_targets
			WHERE broadcast_id = $1 AND status = 'sent' AND error LIKE $2 || ':%' AND error <> $3
			ORDER BY title, chat_id LIMIT $4`, id, flows.PinRefused, noPin, maxMisses)
		if err != nil {
			return err
		}
		unpinned, err := pgx.CollectRows(rows, scanMiss)
		if err != nil {
			return err
		}
		done = true
		misses = append(misses, unpinned...)
		return queue(ctx, tx, report(tally, misses))
	})
	if err != nil {
		return false, fmt.Errorf("finish broadcast %d: %w", id, err)
	}
	return done, nil
}
