package bot

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// A platform that refuses a send for a quota without saying for how long
// (Zalo's 429 "Quota exceeded": one code, no retry_after, no figure
// published, per second or per day alike) refuses the bot, not the chat:
// every chat waiting would try again every few seconds, all day if the
// quota is a day's, each try a refused request that may prolong it. So the
// whole channel waits (the store's quota hold, shared by the replicas),
// longer each time it refuses again, and when the wait is over one send
// tries it (the probe) while the others wait for its answer; a try that
// fails for another reason (a 5xx, a timeout) hands the turn to the next
// sender at once, one at a time still. Replies stay in their outboxes
// meanwhile, and go once a send goes through: the chats held meanwhile are
// made due at once, on every replica, not when their holds (a probe's
// whole time) would end. The broadcasts obey the same hold and gate: a
// reply's probe or a broadcast's tries for both, and opens the channel to
// both, its groups that waited made due at once too.
//
// The waits double from the error's least wait up to QuotaMax: a limit of
// a second or a minute is over after a few short tries; a day's costs a
// try every QuotaMax, and a reply waits at most that long once it is over.
// Since Zalo does not say when a day's quota starts again, a try is also
// made just after the next midnight in Vietnam, when a platform's day
// plausibly begins again.

// defaultQuotaMax is QuotaMax when it is not set: 48 tries a day while a
// day's quota lasts, instead of one every few seconds for every chat
// waiting; a reply waits half an hour at most once the quota is over.
const defaultQuotaMax = 30 * time.Minute

// quotaSpread spreads the chats waiting for a channel's quota over the
// first moments after the wait: the first due tries it, and it is not
// always the same chat (should one chat be refused for a reason of its
// own, the others still get their turn to show the channel open).
const quotaSpread = 2 * time.Second

// gate tells whether channel may be sent to now: held is when to try
// again if not; probe, when this send tries a channel whose quota was
// spent, is when its try ends, the others waiting for its answer (tried)
// for at most probeFor (the send's time). Redis not answering lets the
// send go: the platform says no itself if it must.
func (e *Engine) gate(ctx context.Context, log zerolog.Logger, channel flows.Channel, probeFor time.Duration) (probe, held time.Time) {
	now := e.Now()
	was, known := e.open.Load(channel)
	if known && was.(openness).fresh(now) {
		return time.Time{}, time.Time{}
	}
	a, asked, err := e.askGate(ctx, channel, now, probeFor, !known || was.(openness).open)
	g, until := a.g, a.until
	switch {
	case err != nil:
		log.Warn().Err(err).Msg("quota gate; sending")
		return time.Time{}, time.Time{}
	case g == redis.GateOpen:
		if known {
			e.open.CompareAndSwap(channel, was, openness{true, now}) // unless a refusal came meanwhile
		} else {
			e.open.LoadOrStore(channel, openness{true, now})
		}
		return time.Time{}, time.Time{}
	case g == redis.GateProbe && asked:
		return until, time.Time{}
	}
	// Held, or another send of this replica tries the channel until then.
	e.open.Store(channel, openness{false, now})
	return time.Time{}, until.Add(rand.N(quotaSpread))
}

// askGate asks the store whether channel may be sent to (QuotaGate). When
// the replica took it to be open (shared), the sends in flight as its
// openFor runs out share one question, instead of each asking: asked
// tells whether this send asked, and so whether a GateProbe is its own.
func (e *Engine) askGate(ctx context.Context, channel flows.Channel, now time.Time, probeFor time.Duration, shared bool) (a gateAnswer, asked bool, err error) {
	ask := func() (any, error) {
		asked = true
		g, until, err := e.Store.QuotaGate(ctx, channel, now, probeFor)
		return gateAnswer{g, until}, err
	}
	var v any
	if shared {
		v, err, _ = e.openAsk.Do(string(channel), ask)
	} else {
		v, err = ask()
	}
	return v.(gateAnswer), asked, err
}

// gateAnswer is the store's answer to askGate.
type gateAnswer struct {
	g     redis.Gate
	until time.Time
}

// openFor is how long a replica takes a channel it found open (no quota
// known to the store) to be open without asking the store again: a quota
// that another replica met meanwhile holds this one's sends too after that
// long at most, not after a burst of refused sends of its own. It is kept
// under the least hold (a second), and costs one question to the store
// per channel and replica in that time.
const openFor = 500 * time.Millisecond

// openness is what a replica last learnt of a channel's quota (Engine.open)
// and when.
type openness struct {
	open bool
	at   time.Time
}

// fresh tells whether the channel may be taken to be open at now without
// asking the store.
func (o openness) fresh(now time.Time) bool {
	return o.open && now.Sub(o.at) < openFor
}

// tried records the answer to a send that tried channel (probe, from
// gate; zero: it did not): one that went through opens the channel to all
// (cleared); a refusal for the quota holds it again (the caller's spent).
// Any other end (a 5xx, a timeout, a refusal of the chat's own, a send
// that never left) says nothing of the quota: the try is freed at once,
// and the next sender tries, one at a time still, instead of every sender
// waiting for the try's whole time.
func (e *Engine) tried(ctx context.Context, log zerolog.Logger, channel flows.Channel, probe time.Time, err error) {
	var ra *RetryAfterError
	switch {
	case probe.IsZero():
	case err == nil:
		e.cleared(ctx, log, channel)
	case errors.As(err, &ra) && ra.Unsaid:
	default:
		log.Info().Err(err).Msg("the try of the platform's quota failed for another reason; the next send tries")
		if err := e.Store.QuotaUntried(context.WithoutCancel(ctx), channel, probe); err != nil {
			log.Warn().Err(err).Msg("free the quota try; it runs out instead")
		}
	}
}

// spent records that channel refused a send for its quota (ra) and tells
// until when the channel waits.
func (e *Engine) spent(ctx context.Context, log zerolog.Logger, channel flows.Channel, ra *RetryAfterError) time.Time {
	now := e.Now()
	e.open.Store(channel, openness{false, now})
	until, n, err := e.Store.QuotaSpent(ctx, channel, now, e.quotaHolds(now, ra.After))
	if err != nil {
		log.Warn().Err(err).Msg("record the channel's quota spent")
		if until.IsZero() {
			return now.Add(ra.After)
		}
	}
	log.Warn().Str("reason", ra.Reason).Int("refusals", n).Time("until", until).
		Msg("the platform's quota is spent: the channel waits")
	return until.Add(rand.N(quotaSpread))
}

// cleared records that channel took a send again after its quota: the
// chats that wait for it (waitQuota) and the broadcasts' targets
// (Broadcaster.waitQuota) go now, on every replica, not when their holds
// end.
func (e *Engine) cleared(ctx context.Context, log zerolog.Logger, channel flows.Channel) {
	woken, err := e.Store.QuotaCleared(ctx, channel, e.Now())
	if err != nil {
		log.Warn().Err(err).Msg("clear the channel's quota; it clears at the next try")
		return
	}
	e.open.Store(channel, openness{true, e.Now()})
	var targets int64
	if b := e.bcast.Load(); b != nil {
		targets = b.wake(ctx, log, channel)
	}
	log.Info().Int("woken", woken).Int64("targets", targets).Msg("the platform takes sends again after its quota")
}

// waitQuota records that chat is held until hold for its channel's quota,
// so that a send that goes through (cleared) wakes it. A chat the platform
// refused itself is not woken: it keeps its backoff, in case the refusal
// was its own.
func (e *Engine) waitQuota(ctx context.Context, log zerolog.Logger, chat flows.ChatRef, hold time.Time) {
	if err := e.Store.QuotaWait(ctx, chat, hold, e.Now()); err != nil {
		log.Warn().Err(err).Msg("wait for the channel's quota; the chat waits its hold out")
	}
}

// spentHere tells whether this replica saw channel's quota spent and not
// yet over: a "typing…" would be refused too.
func (e *Engine) spentHere(channel flows.Channel) bool {
	o, known := e.open.Load(channel)
	return known && !o.(openness).open
}

// quotaHolds are the holds after the 1st, 2nd … refusal in a row from now:
// least doubled each time, up to QuotaMax, and never past the next
// plausible start of a day's quota.
func (e *Engine) quotaHolds(now time.Time, least time.Duration) []time.Time {
	most := e.QuotaMax
	if most <= 0 {
		most = defaultQuotaMax
	}
	reset := quotaReset(now)
	var holds []time.Time
	for d := max(least, time.Second); ; d *= 2 {
		d = min(d, most)
		holds = append(holds, earlier(now.Add(d), reset))
		if d == most {
			return holds
		}
	}
}

// quotaReset is when a day's quota plausibly starts again after now: a
// minute past midnight in Vietnam, the next one, or this one if it is less
// than a minute ago.
func quotaReset(now time.Time) time.Time {
	return vn.Today(now.Add(-time.Minute)).AddDate(0, 0, 1).Add(time.Minute)
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
