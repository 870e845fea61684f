package bot

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/flows"
)

// Engine handles updates: one chat at a time across every replica, each
// update once, state committed before any reply is sent.
type Engine struct {
	Store    *redis.Store
	Users    flows.Users
	Router   *flows.Router
	Channels map[flows.Channel]Channel
	Metrics  *Metrics
	Log      zerolog.Logger

	// LockWait bounds the wait for a busy chat; past it the update is
	// refused and the platform delivers it again.
	LockWait time.Duration
	// RetryLater is when a reply that failed to send is tried again.
	RetryLater time.Duration
}

// Outcomes of an update, as logged and counted.
const (
	OutcomeHandled   = "handled"
	OutcomeDuplicate = "duplicate"
	OutcomeIgnored   = "ignored"
	OutcomeRejected  = "rejected"
	OutcomeFailed    = "failed"
)

// Handle runs one update through its conversation. A nil error means the
// update's effects and replies are durably stored; replies are then sent,
// or left in the outbox for the sweeper when the platform is unavailable.
func (e *Engine) Handle(ctx context.Context, in flows.Input) error {
	start := time.Now()
	log := e.Log.With().Str("update_id", in.UpdateID).Str("channel", string(in.Channel)).
		Str("chat", in.ChatID).Logger()
	outcome, state, err := e.handle(ctx, in)
	e.Metrics.Updates.WithLabelValues(string(in.Channel), outcome).Inc()
	e.Metrics.Latency.WithLabelValues(string(in.Channel)).Observe(time.Since(start).Seconds())
	ev := log.Info()
	if err != nil {
		ev = log.Error().Err(err)
	}
	ev.Str("kind", string(in.Kind)).Str("flow", string(state.Flow)).Str("state", string(state.Step)).
		Str("outcome", outcome).Dur("took", time.Since(start)).Msg("update")
	return err
}

func (e *Engine) handle(ctx context.Context, in flows.Input) (outcome string, state flows.Session, err error) {
	lockCtx, cancel := context.WithTimeout(ctx, e.LockWait)
	defer cancel()
	lock, err := e.Store.Lock(lockCtx, in.ChatKey())
	if err != nil {
		return OutcomeFailed, state, err
	}
	defer func() {
		if lock != nil {
			e.unlock(lock)
		}
	}()

	sess, seen, err := e.Store.Load(ctx, in)
	if err != nil {
		return OutcomeFailed, state, err
	}
	if seen {
		// Its replies may still be waiting if we crashed after committing.
		e.flush(ctx, lock, in.ChatKey())
		return OutcomeDuplicate, state, nil
	}
	user, err := e.Users.Touch(ctx, in)
	if err != nil {
		return OutcomeFailed, state, err
	}
	if checker, ok := e.Channels[in.Channel].(AdminChecker); ok && in.ChatType == flows.Group && in.Command != "" && !in.Admin {
		if in.Admin, err = checker.IsAdmin(ctx, in.ChatID, in.UserID); err != nil {
			return OutcomeFailed, state, fmt.Errorf("check group admin: %w", err)
		}
	}
	res, err := e.Router.Handle(ctx, user, sess, in)
	if err != nil {
		res, err = e.giveUp(ctx, in, sess, err)
		if err != nil {
			return OutcomeFailed, state, err
		}
	}
	if res.Session != nil {
		state = *res.Session
		e.Metrics.Steps.WithLabelValues(string(state.Flow), string(state.Step)).Inc()
	}
	if err := e.Store.Commit(ctx, lock, in, res.Session, res.Replies); err != nil {
		return OutcomeFailed, state, err
	}
	// The button stops spinning now, not after every group is posted to.
	if ch, ok := e.Channels[in.Channel]; ok {
		if err := ch.Ack(ctx, in); err != nil {
			e.Log.Warn().Err(err).Str("update_id", in.UpdateID).Msg("ack failed")
		}
	}
	e.flush(ctx, lock, in.ChatKey())
	e.unlock(lock)
	lock = nil
	for _, chat := range flows.OtherChats(in.ChatKey(), res.Replies) {
		e.Deliver(ctx, chat)
	}
	return OutcomeHandled, state, nil
}

// maxAttempts: an update that fails this often is answered with an apology
// and marked handled, rather than retried by the platform forever.
const maxAttempts = 3

// giveUp decides what a failed update does: fail again (the platform
// retries), or, after maxAttempts, apologise and leave the conversation as
// it was.
func (e *Engine) giveUp(ctx context.Context, in flows.Input, sess *flows.Session, cause error) (flows.Result, error) {
	n, err := e.Store.Failed(ctx, in)
	if err != nil || n < maxAttempts {
		return flows.Result{}, cause
	}
	e.Log.Error().Err(cause).Str("update_id", in.UpdateID).Msg("giving up on update")
	return flows.Result{Session: sess, Replies: []flows.Reply{{To: in.ChatKey(), Lang: in.Lang, Text: flows.M("error.sorry")}}}, nil
}

func (e *Engine) unlock(l *redis.Lock) {
	if err := e.Store.Unlock(context.Background(), l); err != nil {
		e.Log.Warn().Err(err).Msg("unlock failed; the lock expires by itself")
	}
}

// Deliver sends chat's waiting replies under its lock.
func (e *Engine) Deliver(ctx context.Context, chat flows.ChatRef) {
	lockCtx, cancel := context.WithTimeout(ctx, e.LockWait)
	defer cancel()
	lock, err := e.Store.Lock(lockCtx, chat)
	if err != nil {
		e.Log.Warn().Err(err).Str("chat", chat.ChatID).Msg("outbox busy; the sweeper retries")
		return
	}
	defer e.unlock(lock)
	e.flush(ctx, lock, chat)
}

// Sweep delivers every outbox that is due: replies that failed earlier, or
// were committed by a replica that stopped before sending.
func (e *Engine) Sweep(ctx context.Context) error {
	chats, err := e.Store.Due(ctx, time.Now(), 100)
	if err != nil {
		return err
	}
	for _, chat := range chats {
		e.Deliver(ctx, chat)
	}
	return nil
}

// RunSweeper sweeps every interval until ctx ends.
func (e *Engine) RunSweeper(ctx context.Context, interval time.Duration) {
	e.every(ctx, interval, "sweep outboxes", func(time.Time) error { return e.Sweep(ctx) })
}

// RunTicks runs the flows' periodic work (expiries, reminders, timeouts)
// every interval until ctx ends; the sweeper sends what it says.
func (e *Engine) RunTicks(ctx context.Context, interval time.Duration) {
	e.every(ctx, interval, "periodic work", func(now time.Time) error { return e.Tick(ctx, now) })
}

func (e *Engine) every(ctx context.Context, interval time.Duration, what string, work func(time.Time) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := work(now); err != nil && ctx.Err() == nil {
				e.Log.Error().Err(err).Msg(what)
			}
		}
	}
}

// Tick runs the flows' periodic work once. Each change is committed with
// its messages as notices, which the relay queues for sending.
func (e *Engine) Tick(ctx context.Context, now time.Time) error {
	return e.Router.Tick(ctx, now)
}

// flush sends chat's outbox in order; the caller holds chat's lock. A reply
// is removed once sent (or refused for good). A delayed reply waits without
// holding back those behind it; of replies that coalesce, the last is sent
// for all. When the platform asks us to wait, everything waits for the
// sweeper.
func (e *Engine) flush(ctx context.Context, lock *redis.Lock, chat flows.ChatRef) {
	log := e.Log.With().Str("channel", string(chat.Channel)).Str("chat", chat.ChatID).Logger()
	ch, ok := e.Channels[chat.Channel]
	if !ok {
		log.Error().Msg("replies for a channel that is not configured")
		return
	}
	queued, hold, err := e.Store.Outbox(ctx, chat)
	if err != nil {
		log.Error().Err(err).Msg("read outbox")
		return
	}
	now := time.Now()
	next := now
	if hold > 0 {
		e.settle(ctx, chat, now.Add(hold))
		return
	}
	last := map[string]int{}
	for i, q := range queued {
		if q.Coalesce != "" {
			last[q.Coalesce] = i
		}
	}
	var later []time.Time
	for i, q := range queued {
		switch {
		case q.DueAt.After(now):
			later = append(later, q.DueAt)
			continue
		case q.Coalesce != "" && last[q.Coalesce] != i:
			continue // the last of its kind says it all
		}
		if err := e.Store.Extend(ctx, lock); err != nil {
			log.Warn().Err(err).Msg("lost the chat while sending; another replica goes on")
			return
		}
		said := coalesced(queued[:i], q.Coalesce)
		r, err := e.refresh(ctx, q.Reply, len(said))
		if err != nil {
			log.Error().Err(err).Str("msg", q.Text.ID).Msg("refresh reply")
			next = now.Add(e.RetryLater)
			break
		}
		sent, err := e.send(ctx, ch, r)
		var ra *RetryAfterError
		if errors.As(err, &ra) || (err != nil && !IsUndeliverable(err)) {
			wait := e.RetryLater
			if ra != nil {
				wait = ra.After
			}
			log.Warn().Err(err).Dur("retry_in", wait).Msg("reply kept for later")
			if err := e.Store.Hold(ctx, chat, wait); err != nil {
				log.Error().Err(err).Msg("hold outbox")
			}
			next = now.Add(wait)
			break
		}
		if err != nil {
			log.Warn().Err(err).Str("msg", r.Text.ID).Msg("reply dropped")
		}
		for _, done := range append(said, q) {
			if err := e.Store.Sent(ctx, lock, chat, done); err != nil {
				log.Error().Err(err).Msg("remove from outbox")
				return
			}
		}
		if err == nil && r.Report != nil {
			e.posted(ctx, r, sent)
		}
	}
	if next == now && len(later) > 0 {
		next = slices.MinFunc(later, time.Time.Compare)
	}
	e.settle(ctx, chat, next)
}

// coalesced are the replies before the last that share its key.
func coalesced(before []redis.Queued, key string) []redis.Queued {
	var out []redis.Queued
	for _, q := range before {
		if key != "" && q.Coalesce == key {
			out = append(out, q)
		}
	}
	return out
}

// refresh rebuilds a reply from the stores when it asks to be (Rebuild), and counts
// the replies it stands for.
func (e *Engine) refresh(ctx context.Context, r flows.Reply, merged int) (flows.Reply, error) {
	if r.Rebuild != nil {
		var err error
		if r, err = e.Router.Rebuild(ctx, r); err != nil {
			return r, err
		}
	}
	if merged > 0 {
		r.Text.Data = maps.Clone(r.Text.Data)
		if r.Text.Data == nil {
			r.Text.Data = map[string]any{}
		}
		r.Text.Data["Merged"] = merged + 1
	}
	return r, nil
}

// settle schedules chat's next delivery, or forgets an empty outbox.
func (e *Engine) settle(ctx context.Context, chat flows.ChatRef, when time.Time) {
	if err := e.Store.Retry(ctx, chat, when); err != nil {
		e.Log.Error().Err(err).Str("chat", chat.ChatID).Msg("settle outbox")
	}
}

// send tries a reply a few times: network errors and 5xx after a short
// backoff, a short 429 after its retry_after. Longer waits are the
// sweeper's, so that a chat's lock is not held for long.
func (e *Engine) send(ctx context.Context, ch Channel, r flows.Reply) (flows.Sent, error) {
	wait := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		sent, err := ch.Send(ctx, r)
		var ra *RetryAfterError
		switch {
		case err == nil || IsUndeliverable(err) || attempt == 3:
			return sent, err
		case errors.As(err, &ra) && ra.After > 3*time.Second:
			return sent, err
		case errors.As(err, &ra):
			wait = ra.After
		}
		select {
		case <-ctx.Done():
			return sent, fmt.Errorf("send: %w", ctx.Err())
		case <-time.After(wait):
		}
		wait *= 4
	}
}

// posted tells the flows where a reported reply landed (a listing's group
// post); they record it with what they say about it, as notices.
func (e *Engine) posted(ctx context.Context, r flows.Reply, sent flows.Sent) {
	if err := e.Router.Posted(ctx, r, sent); err != nil {
		e.Log.Error().Err(err).Int64("listing", r.Report.Listing).Msg("record post")
	}
}
