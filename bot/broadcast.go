package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/flows"
)

// BroadcastJobs are the broadcasts' targets, the durable outbox of each
// broadcast, as the workers use them (bot/postgres).
type BroadcastJobs interface {
	ClaimTargets(ctx context.Context, n int, lease time.Duration) ([]flows.BroadcastTarget, error)
	StartSending(ctx context.Context, t *flows.BroadcastTarget, lease time.Duration) (bool, error)
	TargetSent(ctx context.Context, t *flows.BroadcastTarget, sent flows.Sent) error
	MoveTarget(ctx context.Context, t *flows.BroadcastTarget, to string, lease time.Duration) (bool, error)
	PinFailed(ctx context.Context, t *flows.BroadcastTarget, reason string) error
	RetryTarget(ctx context.Context, t *flows.BroadcastTarget, after time.Duration, reason string, refund bool) error
	WakeTargets(ctx context.Context, channel flows.Channel, reason string) (int64, error)
	FailTarget(ctx context.Context, t *flows.BroadcastTarget, status, reason string, gone bool) error
	ReapTargets(ctx context.Context) (requeued, unsure int64, err error)
	OpenBroadcasts(ctx context.Context) ([]flows.BroadcastTally, error)
	ClaimProgress(ctx context.Context, id int64, lease time.Duration) (messageID string, claim time.Time, err error)
	ReleaseProgress(ctx context.Context, id int64, claim time.Time, messageID string) error
	FinishBroadcast(ctx context.Context, id int64, report func(flows.BroadcastTally, []flows.BroadcastMiss) []flows.Reply) (bool, error)
}

// Broadcaster delivers moderators' announcements to market groups. Every
// replica runs one: its workers claim targets (FOR UPDATE SKIP LOCKED),
// wait for the group's and the channel's tokens of the throttle every
// replica shares, and send; its watcher settles targets of workers that
// stopped, keeps each author's progress message up to date and, once a
// broadcast has no target left to send, queues its report.
type Broadcaster struct {
	Jobs     BroadcastJobs
	Channels Channels
	Throttle *redis.Throttle
	Store    *redis.Store
	Texts    flows.Texts
	Metrics  *Metrics
	Log      zerolog.Logger

	// Workers is how many targets a replica sends at once.
	Workers int
	// Attempt bounds one call to a platform.
	Attempt time.Duration
	// Lease is how long a claimed target may wait for its tokens before
	// another worker may take it.
	Lease time.Duration
	// RetryMin and RetryMax bound the backoff of a target whose sends fail;
	// after MaxAttempts it is given up.
	RetryMin, RetryMax time.Duration
	MaxAttempts        int
	// ProgressEvery is how often, at most, a progress message is edited.
	ProgressEvery time.Duration

	// quota is the engine whose quota hold (quota.go) the broadcasts share
	// with its replies: one try at a time when the hold ends, and a send
	// that goes through opens the channel for all (nil: a broadcaster run
	// without an engine, held by the throttle alone).
	quota *Engine
}

// RunBroadcaster runs b's workers and its watcher (every interval) until
// ctx ends.
func (e *Engine) RunBroadcaster(ctx context.Context, b *Broadcaster, interval time.Duration) {
	b.quota = e
	e.bcast.Store(b)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { e.every(ctx, interval, "watch broadcasts", func(time.Time) error { return b.Watch(ctx) }) })
	b.dispatch(ctx, interval, e.guard, e.follow)
}

// follower moves a group that a refused send says lives on under a new id,
// as ordinary replies do (Engine.follow).
type follower func(ctx context.Context, log zerolog.Logger, from flows.ChatRef, to string) error

// dispatch claims as many targets as workers are free and sends each on a
// goroutine of its own; with nothing due it waits for interval.
func (b *Broadcaster) dispatch(ctx context.Context, interval time.Duration, guard func(string, func()), follow follower) {
	slots := make(chan struct{}, max(b.Workers, 1))
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		n := 1
	fill:
		for n < cap(slots) {
			select {
			case slots <- struct{}{}:
				n++
			default:
				break fill
			}
		}
		targets, err := b.Jobs.ClaimTargets(ctx, n, b.Lease)
		if err != nil && ctx.Err() == nil {
			b.Log.Error().Err(err).Msg("claim broadcast targets")
		}
		for range n - len(targets) {
			<-slots
		}
		for _, t := range targets {
			wg.Go(func() {
				defer func() { <-slots }()
				guard("broadcast "+strconv.FormatInt(t.Broadcast.ID, 10), func() { b.deliver(ctx, &t, follow) })
			})
		}
		if len(targets) == 0 && sleep(ctx, interval) != nil {
			return
		}
	}
}

// Outcomes of a target's send, as counted.
const (
	sentOutcome     = "sent"
	failedOutcome   = "failed"
	unsureOutcome   = "unsure"
	retriedOutcome  = "retried"
	limitedOutcome  = "rate_limited" // the platform answered 429
	movedOutcome    = "moved"        // the group lives on under a new id: followed
	throttleOutcome = "throttled"    // the group's or the channel's tokens were not there in time
)

// deliver sends one claimed target: the group's token, the channel's (one
// per platform message), the platform's quota (gate), then the send, recorded as started first so that
// a worker that stops mid-request never has the group sent to twice. A
// group that the platform says moved (a Telegram group upgraded to a
// supergroup) is followed, as ordinary replies follow it, and sent to
// there.
func (b *Broadcaster) deliver(ctx context.Context, t *flows.BroadcastTarget, follow follower) {
	group := t.Group.Ref
	log := b.Log.With().Int64("broadcast", t.Broadcast.ID).Str("channel", string(group.Channel)).Str("chat", group.ChatID).Logger()
	// What is decided is recorded even when ctx ends meanwhile (a shutdown).
	record := func(f func(ctx context.Context) error) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := f(rctx); err != nil {
			log.Error().Err(err).Msg("record broadcast target")
		}
	}
	later := func(after time.Duration, reason string) {
		b.count(group.Channel, throttleOutcome)
		record(func(ctx context.Context) error { return b.Jobs.RetryTarget(ctx, t, after, reason, true) })
	}
	ch, ok := b.Channels[group.Channel]
	if !ok {
		b.count(group.Channel, failedOutcome)
		record(func(ctx context.Context) error {
			return b.Jobs.FailTarget(ctx, t, "failed", flows.MissRefused+": channel not configured", false)
		})
		return
	}
	post := flows.BroadcastPost(t.Broadcast, group, true)
	parts := 1
	if r, ok := ch.(*Rendered); ok {
		parts = max(r.Parts(post), 1)
	}
	if wait, err := b.Throttle.TakeGroup(ctx, group, parts); err != nil || wait > 0 {
		later(max(wait, b.RetryMin), errText(err))
		return
	}
	until := time.Now().Add(b.Lease / 2) // the claim must outlast the wait
	for range parts {
		if wait, err := b.token(ctx, group.Channel, until); err != nil || wait > 0 {
			later(max(wait, b.RetryMin), errText(err))
			return
		}
	}
	// Past this point a shutdown must not cut in: a cancellation reported
	// after the row was marked sending would leave it unsure, never sent.
	if ctx.Err() != nil {
		later(b.RetryMin, "shutting down")
		return
	}
	probe, wait, by := b.gate(ctx, log, group.Channel)
	if wait > 0 {
		later(wait, quotaWait)
		b.waitQuota(ctx, log, by)
		return
	}
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), b.Attempt)
	ok, err := b.Jobs.StartSending(sctx, t, b.Attempt+leaseMargin)
	scancel()
	if err != nil || !ok {
		if err != nil {
			log.Error().Err(err).Msg("start sending broadcast")
		}
		// Cancelled, or no longer ours: nothing was tried.
		b.tried(ctx, log, group, probe, errStopped)
		return
	}
	sent, cut, err := b.send(ctx, ch, post)
	if to, ok := Moved(err); ok {
		moved, ferr := b.follow(ctx, log, t, to, follow)
		switch {
		case ferr != nil:
			err = ferr // tried again later, as a failed send
		case !moved: // the new id is a target of its own
			b.tried(ctx, log, group, probe, err)
			b.count(group.Channel, movedOutcome)
			return
		default:
			b.count(group.Channel, movedOutcome)
			group = t.Group.Ref
			sent, cut, err = b.send(ctx, ch, flows.BroadcastPost(t.Broadcast, group, true))
		}
	}
	b.tried(ctx, log, group, probe, err)
	var ra *RetryAfterError
	var part *PartialError
	switch {
	case err == nil:
		b.count(group.Channel, sentOutcome)
		record(func(ctx context.Context) error { return b.Jobs.TargetSent(ctx, t, sent) })
		if t.Broadcast.Pin {
			b.pin(ctx, ch, t, sent, record)
		}
	case errors.As(err, &part):
		b.count(group.Channel, failedOutcome)
		record(func(ctx context.Context) error {
			return b.Jobs.FailTarget(ctx, t, "failed", flows.MissPartial+": "+err.Error(), false)
		})
	case errors.As(err, &ra):
		b.count(group.Channel, limitedOutcome)
		record(func(ctx context.Context) error {
			wait, own, herr := b.limited(ctx, log, group, ra, b.retry().wait(t.Attempts+1))
			if own && t.Attempts+1 >= b.MaxAttempts {
				return errors.Join(herr, b.Jobs.FailTarget(ctx, t, "failed", flows.MissFailed+": "+err.Error(), false))
			}
			// A limit of the group's own counts as a failed try; the
			// channel's does not.
			return errors.Join(herr, b.Jobs.RetryTarget(ctx, t, wait, "429: "+err.Error(), !own))
		})
	case cut:
		b.count(group.Channel, unsureOutcome)
		record(func(ctx context.Context) error {
			return b.Jobs.FailTarget(ctx, t, "unsure", flows.MissUnsure+": "+err.Error(), false)
		})
	case IsUndeliverable(err):
		b.count(group.Channel, failedOutcome)
		reason := flows.MissRefused
		if IsGone(err) {
			reason = flows.MissGone
		}
		log.Warn().Err(err).Bool("gone", IsGone(err)).Msg("broadcast refused for good")
		record(func(ctx context.Context) error {
			return b.Jobs.FailTarget(ctx, t, "failed", reason+": "+err.Error(), IsGone(err))
		})
	case t.Attempts+1 >= b.MaxAttempts:
		b.count(group.Channel, failedOutcome)
		record(func(ctx context.Context) error {
			return b.Jobs.FailTarget(ctx, t, "failed", flows.MissFailed+": "+err.Error(), false)
		})
	default:
		b.count(group.Channel, retriedOutcome)
		record(func(ctx context.Context) error {
			return b.Jobs.RetryTarget(ctx, t, b.retry().wait(t.Attempts+1), flows.MissFailed+": "+err.Error(), false)
		})
	}
}

// send sends a target's post. A shutdown lets the request finish: cut
// short, the group might get the message and the target be unsure.
func (b *Broadcaster) send(ctx context.Context, ch Channel, post flows.Reply) (sent flows.Sent, cut bool, err error) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.Attempt)
	defer cancel()
	sent, err = ch.Send(actx, post)
	return sent, actx.Err() != nil, err // cut: the request may have reached the platform
}

// follow moves t's group to the id to, as ordinary replies do (its market
// registration and listing posts go along), and t with it; false: the
// broadcast targets that id already, and t is gone.
func (b *Broadcaster) follow(ctx context.Context, log zerolog.Logger, t *flows.BroadcastTarget, to string, follow follower) (bool, error) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := follow(fctx, log, t.Group.Ref, to); err != nil {
		return false, err
	}
	return b.Jobs.MoveTarget(fctx, t, to, b.Attempt+leaseMargin)
}

// pin pins a sent broadcast where the channel can; a refusal (the bot is
// not an admin) leaves the target sent, and is counted in the report, apart
// from a channel with no pinning (flows.PinUnsupported).
func (b *Broadcaster) pin(ctx context.Context, ch Channel, t *flows.BroadcastTarget, sent flows.Sent, record func(func(context.Context) error)) {
	reason := flows.PinUnsupported
	if p, ok := ch.(interface {
		Pin(context.Context, flows.ChatRef, string) (bool, error)
	}); ok && len(sent.MessageIDs) > 0 {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.Attempt) // not "refused" at a shutdown
		can, err := p.Pin(pctx, t.Group.Ref, sent.MessageIDs[0])
		cancel()
		switch {
		case can && err == nil:
			return
		case can:
			reason = err.Error()
		}
	}
	record(func(ctx context.Context) error { return b.Jobs.PinFailed(ctx, t, reason) })
}

// limited holds back what a 429 to chat stands for, and returns how long
// the chat waits: the wait the platform said, for the chat alone or, when
// several chats were refused at once, the whole channel (Throttle.Limited).
// A wait the platform did not say (Zalo's quota, its scope unsaid too)
// is the engine's quota hold of the bulk sends (quota.go): the
// broadcasts and the posts to groups wait longer each time it refuses
// again, the replies go on; or, when the refusal is chat's own limit
// (own), chat alone waits ownWait. A refused token holds the whole
// channel.
func (b *Broadcaster) limited(ctx context.Context, log zerolog.Logger, chat flows.ChatRef, ra *RetryAfterError, ownWait time.Duration) (wait time.Duration, own bool, err error) {
	if ra.Unsaid && b.quota != nil {
		until, own := b.quota.spent(ctx, log, chat.Channel, true, chat.ChatID, ra, ownWait)
		return max(until.Sub(b.quota.Now()), ra.After), own, nil
	}
	if ra.Unsaid { // a broadcaster run without an engine
		return ra.After, false, b.Throttle.Hold(ctx, chat.Channel, ra.After)
	}
	channel, err := b.Throttle.Limited(ctx, chat, ra.After)
	if channel {
		log.Warn().Dur("retry_after", ra.After).Msg("rate limited by the platform in several chats at once; the channel is held back")
	} else {
		log.Warn().Dur("retry_after", ra.After).Msg("rate limited by the platform; the chat is held back")
	}
	return ra.After, false, err
}

// gate asks the engine's quota gate (Engine.gate) whether a bulk send to
// channel may go: wait, when not, is how long the hold by lasts; probe,
// when this send tries it for every sender, is when its try ends (tried
// hears its answer). The probe's time covers the send and the record
// before it (StartSending).
func (b *Broadcaster) gate(ctx context.Context, log zerolog.Logger, channel flows.Channel) (probe probes, wait time.Duration, by redis.Quota) {
	if b.quota == nil {
		return probes{}, 0, redis.Quota{Channel: channel}
	}
	probe, held, by := b.quota.gate(ctx, log, channel, true, 2*b.Attempt+leaseMargin)
	if held.IsZero() {
		return probe, 0, by
	}
	return probes{}, max(held.Sub(b.quota.Now()), time.Millisecond), by
}

// tried tells the engine's quota how a send to chat that tried its
// channel's holds ended (Engine.tried).
func (b *Broadcaster) tried(ctx context.Context, log zerolog.Logger, chat flows.ChatRef, probe probes, err error) {
	if b.quota != nil {
		b.quota.tried(ctx, log, chat.Channel, chat.ChatID, probe, err)
	}
}

// quotaWait is why a target waits that was not sent for its channel's
// quota (gate): such targets, and only those, go as soon as a send to the
// channel goes through (wake). One the platform refused itself keeps its
// wait, as a chat does (Engine.waitQuota).
const quotaWait = "the platform's quota"

// wake makes the targets waiting for channel's quota due now, for the
// workers of every replica, and returns how many.
func (b *Broadcaster) wake(ctx context.Context, log zerolog.Logger, channel flows.Channel) int64 {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	n, err := b.Jobs.WakeTargets(wctx, channel, quotaWait)
	if err != nil {
		log.Warn().Err(err).Msg("wake the broadcast targets waiting for the quota; they wait their time out")
	}
	return n
}

// waitQuota follows a target put back for its channel's quota (q, the
// hold that held it): should a send have gone through since the gate held
// it, the wake that came with it may have missed the target, so it is
// woken now.
func (b *Broadcaster) waitQuota(ctx context.Context, log zerolog.Logger, q redis.Quota) {
	known, err := b.Store.QuotaKnown(ctx, q)
	if err != nil {
		log.Warn().Err(err).Msg("wait for the channel's quota; the target waits its time out")
	}
	if err == nil && !known {
		b.wake(ctx, log, q.Channel)
	}
}

// token waits for a token of channel, until until at most: wait is how
// long was still left when it gave up.
func (b *Broadcaster) token(ctx context.Context, channel flows.Channel, until time.Time) (wait time.Duration, err error) {
	for {
		if wait, err = b.Throttle.Take(ctx, channel); err != nil || wait == 0 {
			return wait, err
		}
		if time.Now().Add(wait).After(until) {
			return wait, nil
		}
		if err := sleep(ctx, wait); err != nil {
			return 0, err
		}
	}
}

// retry is the backoff of a target whose sends fail.
func (b *Broadcaster) retry() backoff { return backoff{b.RetryMin, b.RetryMax} }

func (b *Broadcaster) count(channel flows.Channel, outcome string) {
	b.Metrics.Broadcasts.WithLabelValues(string(channel), outcome).Inc()
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Watch settles the targets of workers that stopped, updates the progress
// of the broadcasts under way, and reports those that ended.
func (b *Broadcaster) Watch(ctx context.Context) error {
	requeued, unsure, err := b.Jobs.ReapTargets(ctx)
	if err != nil {
		return err
	}
	if requeued+unsure > 0 {
		b.Log.Warn().Int64("requeued", requeued).Int64("unsure", unsure).Msg("broadcast targets of a stopped worker settled")
	}
	tallies, err := b.Jobs.OpenBroadcasts(ctx)
	if err != nil {
		return err
	}
	for _, t := range tallies {
		if t.Open > 0 {
			if t.Status == flows.BroadcastSending {
				b.progress(ctx, t)
			}
			continue
		}
		report := func(t flows.BroadcastTally, misses []flows.BroadcastMiss) []flows.Reply {
			return flows.BroadcastReport(b.Texts, t, misses)
		}
		if done, err := b.Jobs.FinishBroadcast(ctx, t.ID, report); err != nil {
			b.Log.Error().Err(err).Int64("broadcast", t.ID).Msg("report broadcast")
		} else if done {
			b.Log.Info().Int64("broadcast", t.ID).Int("sent", t.Sent).Int("failed", t.Failed).Int("unsure", t.Unsure).
				Int("cancelled", t.Cancelled).Msg("broadcast reported")
		}
	}
	return nil
}

// milestones: a channel that cannot edit gets a new progress message only
// as each quarter of the groups is done.
const milestones = 4

// progress keeps the author's progress message up to date: sent once by
// whichever replica claims it first, then edited at most every
// ProgressEvery, or, where messages cannot be edited, sent anew at a few
// milestones. Each is sent under the progress message's lease
// (ClaimProgress), which the report waits for: a progress message on its
// way never lands after the report's.
func (b *Broadcaster) progress(ctx context.Context, t flows.BroadcastTally) {
	ch, ok := b.Channels[t.Chat.Channel]
	if !ok {
		return
	}
	log := b.Log.With().Int64("broadcast", t.ID).Logger()
	msg := flows.BroadcastProgress(t)
	key := "bc:progress:" + strconv.FormatInt(t.ID, 10)
	r, _ := ch.(*Rendered)
	edits := r != nil && r.Caps().Edits
	var pace string // what paces this send: taken under the lease, so that none is lost
	var every time.Duration
	switch {
	case t.ProgressID == "": // the first, at once
	case edits:
		pace, every = key, b.ProgressEvery
		msg.Edit = &flows.Edit{MessageID: t.ProgressID}
	default:
		m := milestones * (t.Total - t.Open) / max(t.Total, 1)
		if m == 0 || m == milestones {
			return
		}
		pace, every = key+":"+strconv.Itoa(m), 7*24*time.Hour
	}
	// The lease outlasts own: its wait for a token, and the send.
	id, claim, err := b.Jobs.ClaimProgress(ctx, t.ID, b.Lease/2+b.Attempt+leaseMargin)
	switch {
	case err != nil:
		log.Warn().Err(err).Msg("claim broadcast progress")
		return
	case claim.IsZero(): // another's on its way, or the report is queued
		return
	}
	var sent flows.Sent
	// Else the first went since the tally was read (the next look sends),
	// or this edit or milestone went already.
	if id == t.ProgressID && b.paced(ctx, pace, every) {
		sent, err = b.own(ctx, ch, msg)
	}
	var ra *RetryAfterError
	switch {
	case err == nil:
	case errors.Is(err, errStopped) || errors.As(err, &ra) || IsUndeliverable(err):
		// It did not go: the next look sends it, a milestone too.
		log.Warn().Err(err).Bool("first", id == "").Msg("send broadcast progress; another try follows")
		if pace != "" {
			if err := b.Store.Forget(ctx, pace); err != nil {
				log.Warn().Err(err).Msg("pace broadcast progress")
			}
		}
	default:
		// It may land still (cut short, a 5xx): the lease ends by
		// itself, and the report waits for it.
		log.Warn().Err(err).Bool("first", id == "").Msg("send broadcast progress; another try follows its lease")
		return
	}
	first := ""
	if id == "" {
		first = firstID(sent.MessageIDs)
		if _, err := b.Store.Once(ctx, key, b.ProgressEvery); err != nil {
			log.Warn().Err(err).Msg("pace broadcast progress")
		}
	}
	if err := b.Jobs.ReleaseProgress(context.WithoutCancel(ctx), t.ID, claim, first); err != nil {
		log.Error().Err(err).Msg("record broadcast progress")
	}
}

// paced tells whether a progress send that key paces may go now: once per
// every (an edit), or once (a milestone); one that nothing paces always.
func (b *Broadcaster) paced(ctx context.Context, key string, every time.Duration) bool {
	if key == "" {
		return true
	}
	first, err := b.Store.Once(ctx, key, every)
	return err == nil && first
}

// own sends a message of the broadcaster's own (progress) under the
// channel's tokens, which it shares with the groups' messages.
func (b *Broadcaster) own(ctx context.Context, ch Channel, r flows.Reply) (flows.Sent, error) {
	wait, err := b.token(ctx, ch.Name(), time.Now().Add(b.Lease/2))
	switch {
	case err != nil:
		return flows.Sent{}, fmt.Errorf("%w: %w", errStopped, err)
	case wait > 0:
		return flows.Sent{}, fmt.Errorf("no send token within %s: %w", b.Lease/2, errStopped)
	}
	log := b.Log.With().Str("chat", r.To.ChatID).Logger()
	probe, wait, _ := b.gate(ctx, log, ch.Name())
	if wait > 0 {
		return flows.Sent{}, fmt.Errorf("the platform's quota holds the channel for %s: %w", wait, errStopped)
	}
	actx, cancel := context.WithTimeout(ctx, b.Attempt)
	defer cancel()
	sent, err := ch.Send(actx, r)
	b.tried(ctx, log, r.To, probe, err)
	if ra := (*RetryAfterError)(nil); errors.As(err, &ra) {
		if _, _, herr := b.limited(ctx, log, r.To, ra, b.RetryMin); herr != nil {
			return sent, errors.Join(err, herr)
		}
	}
	return sent, err
}
