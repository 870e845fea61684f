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

// A quota met by a bulk send (a broadcast, a post to a group) holds the
// bulk sends only (redis.Quota's Bulk): a broadcast can wait, a farmer
// mid-order should not, so the replies go on trying, and only a reply
// refused too holds the whole channel. A refusal of one chat that a send
// to another chat answers by going through was that chat's own limit (a
// cap per recipient, as Zalo's OA has): the chat's later refusals, for
// ownFor, hold that chat alone. A refused token (401) holds the whole
// channel, bulk or not.

// ownFor is how long a chat's refusals are taken for its own limit once a
// send to another chat went through after one: a day, as a cap per
// recipient would be. Taken wrongly (a limit of a second that was over),
// it costs one more refusal: the next chat refused holds the channel.
const ownFor = 24 * time.Hour

// authMax bounds the wait between two tries of a channel that refuses the
// bot's token: the token is replaced by a restart, after which the replies
// should go within a minute, not the quota's half hour.
const authMax = time.Minute

// probes are the tries a send makes of the holds it passed (gate): of the
// channel's every send, and of its bulk sends (zero: no try).
type probes struct{ all, bulk time.Time }

// gate tells whether a send to channel may go now (bulk: a broadcast or a
// post to a group, held by the bulk sends' quota too): held is when to try
// again if not, and by the hold that says so; p, when this send tries a
// hold whose quota was spent, is when its try ends, the others waiting for
// its answer (tried) for at most probeFor (the send's time).
func (e *Engine) gate(ctx context.Context, log zerolog.Logger, channel flows.Channel, bulk bool, probeFor time.Duration) (p probes, held time.Time, by redis.Quota) {
	all := redis.Quota{Channel: channel}
	if p.all, held = e.gateOne(ctx, log, all, probeFor); !held.IsZero() || !bulk {
		return p, held, all
	}
	q := redis.Quota{Channel: channel, Bulk: true}
	if p.bulk, held = e.gateOne(ctx, log, q, probeFor); !held.IsZero() {
		e.untried(ctx, log, all, p.all) // the whole channel's try is the next sender's
		return probes{}, held, q
	}
	return p, time.Time{}, all
}

// gateOne is gate for one hold. Redis not answering lets the send go: the
// platform says no itself if it must.
func (e *Engine) gateOne(ctx context.Context, log zerolog.Logger, q redis.Quota, probeFor time.Duration) (probe, held time.Time) {
	now := e.Now()
	was, known := e.open.Load(q)
	if known && was.(openness).fresh(now) {
		return time.Time{}, time.Time{}
	}
	a, asked, err := e.askGate(ctx, q, now, probeFor, !known || was.(openness).open)
	g, until := a.g, a.until
	switch {
	case err != nil:
		log.Warn().Err(err).Msg("quota gate; sending")
		return time.Time{}, time.Time{}
	case g == redis.GateOpen:
		if known {
			e.open.CompareAndSwap(q, was, openness{true, now}) // unless a refusal came meanwhile
		} else {
			e.open.LoadOrStore(q, openness{true, now})
		}
		return time.Time{}, time.Time{}
	case g == redis.GateProbe && asked:
		return until, time.Time{}
	}
	// Held, or another send of this replica tries the channel until then.
	e.open.Store(q, openness{false, now})
	return time.Time{}, until.Add(rand.N(quotaSpread))
}

// askGate asks the store whether channel may be sent to (QuotaGate). When
// the replica took it to be open (shared), the sends in flight as its
// openFor runs out share one question, instead of each asking: asked
// tells whether this send asked, and so whether a GateProbe is its own.
func (e *Engine) askGate(ctx context.Context, q redis.Quota, now time.Time, probeFor time.Duration, shared bool) (a gateAnswer, asked bool, err error) {
	ask := func() (any, error) {
		asked = true
		g, until, err := e.Store.QuotaGate(ctx, q, now, probeFor)
		return gateAnswer{g, until}, err
	}
	var v any
	if shared {
		v, err, _ = e.openAsk.Do(q.String(), ask)
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

// tried records the answer to a send to chat of channel that tried its
// holds (p, from gate; zero: it did not): one that went through opens them
// to all (cleared), and says the bot's token works; a refusal for the
// quota holds them again (the caller's spent). Any other end (a 5xx, a
// timeout, a refusal of the chat's own, a send that never left) says
// nothing of the quota: the try is freed at once, and the next sender
// tries, one at a time still, instead of every sender waiting for the
// try's whole time.
func (e *Engine) tried(ctx context.Context, log zerolog.Logger, channel flows.Channel, chat string, p probes, err error) {
	if err == nil {
		e.authorized(log, channel)
	}
	if p.all.IsZero() && p.bulk.IsZero() {
		return // nothing was tried: the common case, without a loop's setup
	}
	tries := [...]struct {
		q     redis.Quota
		probe time.Time
	}{{redis.Quota{Channel: channel}, p.all}, {redis.Quota{Channel: channel, Bulk: true}, p.bulk}}
	for _, t := range tries {
		q, probe := t.q, t.probe
		var ra *RetryAfterError
		switch {
		case probe.IsZero():
		case err == nil:
			e.cleared(ctx, log, q, chat)
		case errors.As(err, &ra) && ra.Unsaid:
		default:
			log.Info().Err(err).Msg("the try of the platform's quota failed for another reason; the next send tries")
			e.untried(ctx, log, q, probe)
		}
	}
}

// untried frees q's try that ends at probe (zero: none), so that the next
// sender tries it at once.
func (e *Engine) untried(ctx context.Context, log zerolog.Logger, q redis.Quota, probe time.Time) {
	if probe.IsZero() {
		return
	}
	if err := e.Store.QuotaUntried(context.WithoutCancel(ctx), q, probe); err != nil {
		log.Warn().Err(err).Msg("free the quota try; it runs out instead")
	}
}

// spent records that channel refused a send to chat for its quota (ra;
// bulk: a broadcast's, a post to a group) and tells until when the send
// waits. The bulk sends' hold is spent by a bulk send, the whole channel's
// by a reply or a refused token. own: the refusal is the chat's own limit
// (ownFor): it waits alone, for ownWait, and holds no one else.
func (e *Engine) spent(ctx context.Context, log zerolog.Logger, channel flows.Channel, bulk bool, chat string, ra *RetryAfterError, ownWait time.Duration) (until time.Time, own bool) {
	now := e.Now()
	q, most := redis.Quota{Channel: channel, Bulk: bulk && !ra.Unauthorized}, e.QuotaMax
	if most <= 0 {
		most = defaultQuotaMax
	}
	if ra.Unauthorized {
		e.unauthorized(log, channel, ra)
		most = min(most, authMax)
	} else {
		own, err := e.Store.QuotaOwn(ctx, flows.ChatRef{Channel: channel, ChatID: chat}, now)
		if err != nil {
			log.Warn().Err(err).Msg("a chat's own quota; the channel waits")
		}
		if own {
			log.Info().Str("reason", ra.Reason).Dur("wait", ownWait).
				Msg("the platform refused this chat for a quota again while it took others' sends: the chat's own limit, it waits alone")
			return now.Add(ownWait), true
		}
	}
	e.open.Store(q, openness{false, now})
	until, n, err := e.Store.QuotaSpent(ctx, q, chat, now, e.quotaHolds(now, ra.After, most))
	if err != nil {
		log.Warn().Err(err).Msg("record the channel's quota spent")
		if until.IsZero() {
			return now.Add(ra.After), false
		}
	}
	ev := log.Warn()
	if ra.Unauthorized {
		ev = log.Debug() // said once (unauthorized)
	}
	ev.Str("reason", ra.Reason).Bool("bulk", q.Bulk).Int("refusals", n).Time("until", until).
		Msg("the platform's quota is spent: the channel waits")
	return until.Add(rand.N(quotaSpread)), false
}

// unauthorized says once, on this replica, that channel refuses the bot's
// token, and raises the alert metric until a send goes through
// (authorized). The token is never logged.
func (e *Engine) unauthorized(log zerolog.Logger, channel flows.Channel, ra *RetryAfterError) {
	if _, was := e.unauth.LoadOrStore(channel, true); was {
		return
	}
	e.Metrics.Unauthorized.WithLabelValues(string(channel)).Set(1)
	log.Error().Str("reason", ra.Reason).
		Msg("the platform refuses the bot's token (reset in the platform?): nothing is sent on the channel until it is replaced")
}

// authorized records that channel took a send: the token works (again).
func (e *Engine) authorized(log zerolog.Logger, channel flows.Channel) {
	if _, was := e.unauth.LoadAndDelete(channel); was {
		e.Metrics.Unauthorized.WithLabelValues(string(channel)).Set(0)
		log.Info().Msg("the platform takes the bot's token again")
	}
}

// cleared records that q's channel took a send to chat again after its
// quota: the chats that wait for it (waitQuota) and the broadcasts'
// targets (Broadcaster.waitQuota) go now, on every replica, not when their
// holds end.
func (e *Engine) cleared(ctx context.Context, log zerolog.Logger, q redis.Quota, chat string) {
	now := e.Now()
	woken, err := e.Store.QuotaCleared(ctx, q, chat, now, now.Add(ownFor))
	if err != nil {
		log.Warn().Err(err).Msg("clear the channel's quota; it clears at the next try")
		return
	}
	e.open.Store(q, openness{true, e.Now()})
	var targets int64
	if b := e.bcast.Load(); b != nil {
		targets = b.wake(ctx, log, q.Channel)
	}
	log.Info().Bool("bulk", q.Bulk).Int("woken", woken).Int64("targets", targets).Msg("the platform takes sends again after its quota")
}

// waitQuota records that chat is held until hold for q's quota, so that
// a send that goes through (cleared) wakes it. A chat the platform
// refused itself is not woken: it keeps its backoff, in case the refusal
// was its own.
func (e *Engine) waitQuota(ctx context.Context, log zerolog.Logger, q redis.Quota, chat flows.ChatRef, hold time.Time) {
	if err := e.Store.QuotaWait(ctx, q, chat, hold, e.Now()); err != nil {
		log.Warn().Err(err).Msg("wait for the channel's quota; the chat waits its hold out")
	}
}

// spentHere tells whether this replica saw channel's quota spent, for every
// send, and not yet over: a "typing…" would be refused too.
func (e *Engine) spentHere(channel flows.Channel) bool {
	o, known := e.open.Load(redis.Quota{Channel: channel})
	return known && !o.(openness).open
}

// quotaHolds are the holds after the 1st, 2nd … refusal in a row from now:
// least doubled each time, up to most (QuotaMax), and never past the next
// plausible start of a day's quota.
func (e *Engine) quotaHolds(now time.Time, least, most time.Duration) []time.Time {
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
