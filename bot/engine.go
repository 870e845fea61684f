package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sync/singleflight"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/flows"
)

// Engine handles updates: each once, its state committed before any reply
// is sent, and a chat's replies sent in order by one sender at a time
// across every replica.
type Engine struct {
	Store    *redis.Store
	Users    flows.Users
	Router   *flows.Router
	Channels Channels
	// Admins authorises group commands (nil: only moderators run them).
	Admins  *GroupAdmins
	Metrics *Metrics
	Log     zerolog.Logger
	Now     func() time.Time

	// UserTTL is how long the user read from PostgreSQL travels in the
	// session before it is read again.
	UserTTL time.Duration
	// Attempt bounds one call to a platform; it is kept under the store's
	// lease, so that no send outlives the right to make it.
	Attempt time.Duration
	// RetryMin and RetryMax bound the backoff of a chat whose sends fail.
	RetryMin, RetryMax time.Duration
	// QuotaMax bounds the wait between two tries of a channel that refuses
	// sends for a quota it does not say the length of (Zalo's 429); 0:
	// defaultQuotaMax. See quotaHolds.
	QuotaMax time.Duration
	// Senders is how many chats the sweeper serves at once.
	Senders int
	// GroupGap is, per channel, the time kept between two messages to one
	// group (Reply.Group) while more wait for it: a reply of n platform
	// messages keeps the group's next one n gaps away. Zero: no gap.
	GroupGap map[flows.Channel]time.Duration
	// TypingAfter: an update still being handled this long after it came
	// shows "typing…" in its chat, where the channel can (0: never).
	TypingAfter time.Duration
	// MaxPerMinute bounds the updates of one private chat in a minute (0:
	// none): the first over it gets one kind reply, later ones none.
	MaxPerMinute int
	// Ready tells whether PostgreSQL and Redis answer (nil: not asked). An
	// update failing while they do not is not counted against it.
	Ready func(ctx context.Context) error
	// Gone hears of a chat lost to the bot for good (the user blocked it),
	// learnt from a refused send (nil: nobody listens).
	Gone func(ctx context.Context, chat flows.ChatRef)

	stripes  [stripes]sync.Mutex
	sweeping sync.Map      // chats a sweeper goroutine serves now
	slots    chan struct{} // one per sweeper goroutine at work
	initOnce sync.Once

	// open holds, by channel, whether this replica knows of no quota spent
	// or one may be, and since when (openness): a send asks the store
	// (QuotaGate) only when one may be or what it knows is older than
	// openFor.
	open sync.Map
	// openAsk shares one question to the store among the sends that find
	// what open says out of date at once (askGate).
	openAsk singleflight.Group
	// unauth holds the channels this replica found refusing the bot's
	// token, their alert metric raised (quota.go).
	unauth sync.Map
	// bcast is the broadcaster run with the engine (RunBroadcaster), whose
	// targets waiting for a channel's quota go when it clears (nil: none).
	bcast atomic.Pointer[Broadcaster]
}

// Outcomes of an update, as logged and counted.
const (
	OutcomeHandled   = "handled"
	OutcomeDuplicate = "duplicate"
	OutcomeIgnored   = "ignored"
	OutcomeRejected  = "rejected"
	OutcomeFailed    = "failed"
	OutcomeLimited   = "limited" // over the chat's message rate: not run
)

// Handle runs one update through its conversation. A nil error means the
// update's effects and replies are durably stored; replies are then sent,
// or left in the outbox for the sweeper when the platform is unavailable.
func (e *Engine) Handle(ctx context.Context, in flows.Input) error {
	start := time.Now()
	log := e.Log.With().Str("update_id", in.UpdateID).Str("channel", string(in.Channel)).
		Str("chat", in.ChatID).Logger()
	stopTyping := e.typing(ctx, log, in)
	outcome, state, err := e.handle(ctx, log, in, stopTyping)
	stopTyping()
	took := time.Since(start)
	e.Metrics.Updates.WithLabelValues(string(in.Channel), outcome).Inc()
	e.Metrics.Latency.WithLabelValues(string(in.Channel)).Observe(took.Seconds())
	var ev *zerolog.Event
	switch {
	case err != nil:
		ev = log.Error().Err(err)
	case (outcome == OutcomeHandled || outcome == OutcomeIgnored) && took < slowUpdate:
		// The usual case, counted by the metrics: a line for each would
		// be a write to stdout an update, at info level.
		ev = log.Debug()
	default:
		ev = log.Info()
	}
	ev.Str("kind", string(in.Kind)).Str("flow", string(state.Flow)).Str("state", string(state.Step)).
		Str("outcome", outcome).Dur("took", took).Msg("update")
	return err
}

// slowUpdate: an update handled slower than this is logged at info level.
const slowUpdate = time.Second

// typing shows "typing…" in the update's chat once handling it takes
// TypingAfter, on its own goroutine so that it never holds the update up;
// the returned func stops the timer (the chat has its answer). A failure
// is only logged.
func (e *Engine) typing(ctx context.Context, log zerolog.Logger, in flows.Input) (stop func()) {
	t, ok := e.Channels[in.Channel].(Typer)
	if !ok || e.TypingAfter <= 0 || in.Kind == flows.KindJoined || in.Kind == flows.KindLeft || e.spentHere(in.Channel) {
		return func() {}
	}
	timer := time.AfterFunc(e.TypingAfter, func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), max(e.Attempt, time.Second))
		defer cancel()
		if err := t.Typing(ctx, in.ChatID); err != nil {
			log.Warn().Err(err).Msg("typing")
		}
	})
	return func() { timer.Stop() }
}

// stripes is how many per-chat mutexes an engine has.
const stripes = 1024

// maxConflicts bounds how often an update is redone because another update
// of its chat committed first.
const maxConflicts = 20

// answered is called once the update's own chat has its replies.
func (e *Engine) handle(ctx context.Context, log zerolog.Logger, in flows.Input, answered func()) (string, flows.Session, error) {
	if e.unannounced(in) {
		// The group is recorded once an update; whether this try greets
		// it is the chat's to say (decide).
		seen, err := e.Router.SeeGroup(ctx, in)
		if err != nil {
			return OutcomeFailed, flows.Session{}, err
		}
		in.NewGroup = seen
	}
	for try := 1; ; try++ {
		outcome, state, res, done, err := e.decide(ctx, log, in)
		switch {
		case err == nil && (outcome == OutcomeHandled || outcome == OutcomeLimited):
			e.reply(ctx, log, in, res, done, answered)
		case err == nil && outcome == OutcomeDuplicate:
			// Its first delivery may have stopped before the button's
			// answer (the platform delivers again when it got no 200).
			e.ack(ctx, log, in)
		}
		if !errors.Is(err, redis.ErrConflict) || try == maxConflicts {
			return outcome, state, err
		}
		if err := sleep(ctx, jitter(time.Duration(try)*time.Millisecond)); err != nil {
			return OutcomeFailed, state, err
		}
	}
}

// unannounced tells whether in comes from a group of a platform that does
// not say when the bot is added to one (Zalo): the group may be new to the
// bot, and is recorded (and greeted) at its first update. Updates that say
// nothing to the group (a protected account's) are left alone.
func (e *Engine) unannounced(in flows.Input) bool {
	if in.ChatType != flows.Group || in.Kind == flows.KindProtected || in.Kind == flows.KindReaction ||
		in.Kind == flows.KindJoined || in.Kind == flows.KindLeft || in.Kind == flows.KindMigrated {
		return false
	}
	ch, ok := e.Channels[in.Channel]
	return ok && !TellsJoins(ch)
}

// lock takes chat's mutex; its caller lets it go deferred, so that a panic
// (outside the flows, which recover their own) does not leave every later
// update of the chats sharing it waiting for ever.
func (e *Engine) lock(chat flows.ChatRef) *sync.Mutex {
	mu := &e.stripes[stripe(chat)]
	mu.Lock()
	return mu
}

// stripe picks one of the engine's per-chat mutexes.
func stripe(chat flows.ChatRef) int {
	h := fnv.New32a()
	h.Write([]byte(chat.Channel))
	h.Write([]byte(chat.ChatID))
	return int(h.Sum32() % stripes)
}

// decide reads the chat, runs the update and commits, unless another update
// of the chat committed in between (redis.ErrConflict). Updates of one chat
// that reach this replica together take turns, in the order they came
// (lock): the version check in Redis then only has to settle races between
// replicas, and a step is rarely redone.
func (e *Engine) decide(ctx context.Context, log zerolog.Logger, in flows.Input) (outcome string, state flows.Session, res flows.Result, done redis.Committed, err error) {
	defer e.lock(in.ChatKey()).Unlock()
	now := e.Now()
	chat, err := e.load(ctx, in)
	if err != nil {
		return OutcomeFailed, state, res, done, err
	}
	if chat.Seen(in.UpdateID) {
		return OutcomeDuplicate, state, res, done, nil
	}
	st := chat.State
	if in.NewGroup && st.Seen != "" {
		// Greeted with the first update of the group committed: this
		// one's outbox. An update that failed before its commit (the
		// group recorded) left the greeting to the next, or to its own
		// delivery again; a try redone because another update committed
		// first finds it greeted.
		in.NewGroup = false
	}
	user, err := e.user(ctx, in, &st, now)
	if r, ok := e.Channels[in.Channel].(*Rendered); ok && in.ChatType == flows.Group && !r.KnowsAdmins() {
		in.NoAdmins = true // only moderators, then, run group commands
	}
	if e.Admins != nil && in.ChatType == flows.Group {
		// The platform not telling who administers the group is an
		// outage of it: the update fails, and comes again.
		if err := e.checkAdmin(ctx, &in); err != nil {
			return OutcomeFailed, state, res, done, err
		}
	}
	over, first := e.overRate(&st, in, now)
	switch {
	case err != nil:
		// The sender could not be read: failing for good, this update
		// ends as a failing step does (giveUp), with the user the chat
		// knew, not in 503s the platform stops retrying, the user never
		// told.
		user, over = knownUser(st, in), false
	case over:
		outcome, res.Session = OutcomeLimited, st.Session
		if first {
			res.Replies = e.Router.TooFast(user, in)
		}
	case chat.StateErr != nil:
		res = e.reset(log, user, in, chat.StateErr, "state")
	case in.Kind == flows.KindProtected:
		// Nothing in it to answer, and every message of the account comes
		// so: the question in progress is neither read nor asked again,
		// and she is told why once a day, not at each message. A group
		// hears nothing (it would not know whom it is about).
		res.Session = st.Session
		if in.ChatType == flows.Private && now.Sub(st.ProtectedTold) >= protectedEvery {
			res.Replies, st.ProtectedTold = e.Router.Protected(user, in), now
		}
	default:
		res, err = e.route(ctx, user, st.Session, in)
	}
	if errors.Is(err, flows.ErrBadState) {
		res, err = e.reset(log, user, in, err, "flow"), nil
	}
	if err != nil {
		if res, err = e.giveUp(ctx, log, user, in, err); err != nil {
			return OutcomeFailed, state, res, done, err
		}
	}
	if res.Session != nil && !over {
		state = *res.Session
		e.Metrics.Steps.WithLabelValues(string(state.Flow), string(state.Step)).Inc()
	}
	st.Session = res.Session
	if in.ChatType == flows.Private || in.Kind != flows.KindProtected {
		// A group's protected message does nothing, again or not: left
		// out, it leaves the group unheard of until an update that may
		// greet it (NewGroup).
		st.Seen = st.Seen.Add(in.UpdateID)
	}
	if in.ChatType == flows.Private {
		st.User = user
	}
	if done, err = e.Store.Commit(ctx, chat, st, res.Replies, now); err != nil {
		return OutcomeFailed, state, res, done, err
	}
	if done.Unforwarded != nil {
		log.Warn().Err(done.Unforwarded).Msg("replies to other chats left to the sweeper")
	}
	if over {
		e.Metrics.LimitHits.WithLabelValues(flows.LimitMessages).Inc()
		return outcome, state, res, done, nil
	}
	return OutcomeHandled, state, res, done, nil
}

// protectedEvery is how often a chat whose messages the platform withholds
// is told so.
const protectedEvery = 24 * time.Hour

// load reads in's chat: of a group, the head of its outbox only, which may
// hold posts by the thousand.
func (e *Engine) load(ctx context.Context, in flows.Input) (*redis.Chat, error) {
	if in.ChatType == flows.Group {
		return e.Store.LoadHead(ctx, in.ChatKey())
	}
	return e.Store.Load(ctx, in.ChatKey())
}

// checkAdmin tells a group command whether its sender administers the
// group. The bot joining or leaving drops the cached list: who administers
// the group may have changed meanwhile.
func (e *Engine) checkAdmin(ctx context.Context, in *flows.Input) (err error) {
	switch {
	case in.Kind == flows.KindJoined || in.Kind == flows.KindLeft:
		err = e.Admins.Forget(ctx, in.ChatKey())
	case in.Command != "" && !in.Admin && !in.NoAdmins:
		in.Admin, err = e.Admins.IsGroupAdmin(ctx, in.ChatKey(), in.UserID)
	}
	if err != nil {
		return fmt.Errorf("check group admin: %w", err)
	}
	return nil
}

// overRate counts an update of a private chat in its minute's window, kept
// in the chat's state, and tells whether it is over MaxPerMinute, and the
// first to be.
func (e *Engine) overRate(st *redis.State, in flows.Input, now time.Time) (over, first bool) {
	// A protected account's withheld messages are answered once a day
	// anyway: "too fast" would be one more reply she cannot act on.
	if e.MaxPerMinute <= 0 || in.ChatType != flows.Private || in.Kind == flows.KindReaction || in.Kind == flows.KindProtected {
		return false, false
	}
	if now.Sub(st.Window) >= time.Minute || now.Before(st.Window) {
		st.Window, st.InWindow = now, 0
	}
	st.InWindow++
	return st.InWindow > e.MaxPerMinute, st.InWindow == e.MaxPerMinute+1
}

// reply acknowledges a committed update and sends what it said: its own
// chat's replies (or waits for the sender that has them), then the others'.
func (e *Engine) reply(ctx context.Context, log zerolog.Logger, in flows.Input, res flows.Result, done redis.Committed, answered func()) {
	e.ack(ctx, log, in) // the button stops spinning now, not after every group is posted to
	switch {
	case done.Lease != nil:
		e.deliver(ctx, done.Lease, false)
	case done.Busy:
		e.await(ctx, in.ChatKey(), done.Last)
	}
	answered() // no "typing…" while the groups are posted to
	for _, other := range flows.OtherChats(in.ChatKey(), res.Replies) {
		e.Deliver(ctx, other)
	}
}

// ack answers a pressed button, so that it stops spinning.
func (e *Engine) ack(ctx context.Context, log zerolog.Logger, in flows.Input) {
	if ch, ok := e.Channels[in.Channel]; ok {
		if err := ch.Ack(ctx, in); err != nil {
			log.Warn().Err(err).Msg("ack failed")
		}
	}
}

// route runs the flows; a panic (a draft no step expected) fails the update
// like any error, so that it ends in giveUp rather than in a crash loop.
func (e *Engine) route(ctx context.Context, user *flows.User, sess *flows.Session, in flows.Input) (res flows.Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("flow panicked: %v", v)
		}
	}()
	return e.Router.Handle(ctx, user, sess, in)
}

// await waits, for a while, until another sender has sent this update's
// replies too, so that the update is answered when it is acknowledged, as
// when it sends them itself. Past the wait the replies go out all the same.
func (e *Engine) await(ctx context.Context, chat flows.ChatRef, last redis.Queued) {
	deadline := time.Now().Add(2 * e.Attempt)
	for wait := time.Millisecond; time.Now().Before(deadline); wait = min(2*wait, 50*time.Millisecond) {
		if pending, err := e.Store.Pending(ctx, chat, last, e.Now()); err != nil || !pending {
			return
		}
		if sleep(ctx, wait) != nil {
			return
		}
	}
}

// user is the sender, from the session while it is fresh: most steps then
// run no SQL at all. An account linked to another is read every time: its
// link may have been undone since.
func (e *Engine) user(ctx context.Context, in flows.Input, st *redis.State, now time.Time) (*flows.User, error) {
	if u := st.User; in.ChatType == flows.Private && u != nil && u.PlatformID == in.UserID && !u.Linked &&
		(in.UserName == "" || u.Name == in.UserName) && now.Sub(st.UserAt) < e.UserTTL {
		u.Created = false
		return u, nil
	}
	u, err := e.Users.Touch(ctx, in)
	if err != nil {
		return nil, err
	}
	st.UserAt = now
	return u, nil
}

// reset starts a chat over whose state could not be used, telling the user,
// so that a chat is never stuck on what it stored.
func (e *Engine) reset(log zerolog.Logger, user *flows.User, in flows.Input, cause error, why string) flows.Result {
	log.Error().Err(cause).Str("why", why).Msg("conversation reset")
	e.Metrics.Resets.WithLabelValues(why).Inc()
	return e.Router.Reset(user, in, flows.ResetLost)
}

// maxAttempts: an update that fails this often, PostgreSQL and Redis
// answering, is answered with an apology and its conversation started
// over, rather than retried forever.
const maxAttempts = 3

// giveUp decides what a failed update does: fail again (the platform
// retries), or, after maxAttempts, apologise and start the chat over.
func (e *Engine) giveUp(ctx context.Context, log zerolog.Logger, user *flows.User, in flows.Input, cause error) (flows.Result, error) {
	if e.Ready != nil && e.Ready(ctx) != nil {
		// An outage, not this update: the platform delivers it again, as
		// often as it takes, and the conversation goes on after.
		return flows.Result{}, cause
	}
	n, err := e.Store.Failed(ctx, in.ChatKey(), in.UpdateID)
	if err != nil || n < maxAttempts {
		return flows.Result{}, cause
	}
	// What the update took back to tell is given back, or it fails again:
	// no one would tell it.
	if err := e.Router.GivenUp(ctx, in); err != nil {
		return flows.Result{}, errors.Join(cause, err)
	}
	return e.givenUp(log, user, in, cause), nil
}

// givenUp is the apology and the fresh start of an update given up.
func (e *Engine) givenUp(log zerolog.Logger, user *flows.User, in flows.Input, cause error) flows.Result {
	log.Error().Err(cause).Msg("giving up on update")
	e.Metrics.Resets.WithLabelValues("failing").Inc()
	return e.Router.Reset(user, in, flows.ResetFailing)
}

// knownUser is the sender as the chat knew them (in a private chat): for
// when reading them again is what fails.
func knownUser(st redis.State, in flows.Input) *flows.User {
	if in.ChatType == flows.Private {
		return st.User
	}
	return nil
}

// Abandon ends an update that failed maxAttempts times, PostgreSQL and
// Redis answering, where the flows could not give up on it themselves (a
// panic outside them, a store refusing its sender): as after giveUp, the
// user gets the apology and the chat starts over, and the update counts
// as handled. Long polling needs it: unlike a webhook's platform, which
// stops retrying, a poller would hand the update again for ever, every
// later one waiting behind it.
func (e *Engine) Abandon(ctx context.Context, in flows.Input, cause error) error {
	log := e.Log.With().Str("update_id", in.UpdateID).Str("channel", string(in.Channel)).
		Str("chat", in.ChatID).Logger()
	for try := 1; ; try++ {
		res, done, err := e.abandon(ctx, log, in, cause)
		switch {
		case errors.Is(err, redis.ErrConflict) && try < maxConflicts:
			continue
		case err != nil:
			return err
		}
		e.reply(ctx, log, in, res, done, func() {})
		return nil
	}
}

// abandon commits the apology and a fresh start for in's chat, unless the
// update was handled meanwhile. The sender is the user the chat knew, if
// any: reading them again may be what fails.
func (e *Engine) abandon(ctx context.Context, log zerolog.Logger, in flows.Input, cause error) (flows.Result, redis.Committed, error) {
	defer e.lock(in.ChatKey()).Unlock()
	chat, err := e.load(ctx, in)
	if err != nil || chat.Seen(in.UpdateID) {
		return flows.Result{}, redis.Committed{}, err
	}
	if err := e.Router.GivenUp(ctx, in); err != nil {
		return flows.Result{}, redis.Committed{}, err
	}
	st := chat.State
	res := e.givenUp(log, knownUser(st, in), in, cause)
	st.Session, st.Seen = nil, st.Seen.Add(in.UpdateID)
	done, err := e.Store.Commit(ctx, chat, st, res.Replies, e.Now())
	return res, done, err
}

// Deliver sends chat's waiting replies if no one else is sending them; if
// someone is, they send these too.
func (e *Engine) Deliver(ctx context.Context, chat flows.ChatRef) {
	e.claim(ctx, chat, false)
}

// claim tries chat's send lease once and sends what is due; clean drops the
// chat from the due set when nothing is left. A busy chat is left to its
// sender, or to the sweeper once it is free (the store marks it due then).
func (e *Engine) claim(ctx context.Context, chat flows.ChatRef, clean bool) {
	lease, _, _, err := e.Store.Claim(ctx, chat, e.Now())
	switch {
	case err != nil:
		e.Log.Warn().Err(err).Str("channel", string(chat.Channel)).Str("chat", chat.ChatID).Msg("claim outbox")
	case lease != nil:
		e.deliver(ctx, lease, clean)
	}
}

// Sweep delivers every outbox that is due and waits until it is done:
// replies that failed earlier, were held back, or were committed by a
// replica that stopped before sending.
func (e *Engine) Sweep(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	return e.sweep(ctx, &wg)
}

// RunSweeper sweeps every interval until ctx ends. A sweep does not wait
// for the chats it started: a slow chat holds one sender, not the others.
func (e *Engine) RunSweeper(ctx context.Context, interval time.Duration) {
	var wg sync.WaitGroup
	defer wg.Wait()
	e.every(ctx, interval, "sweep outboxes", func(time.Time) error { return e.sweep(ctx, &wg) })
}

// sweep starts a sender for each due chat that has none, as long as one of
// the Senders is free; the others wait for the next sweep.
func (e *Engine) sweep(ctx context.Context, wg *sync.WaitGroup) error {
	e.initOnce.Do(func() { e.slots = make(chan struct{}, max(e.Senders, 1)) })
	chats, err := e.Store.Due(ctx, e.Now(), 500)
	if err != nil {
		return err
	}
	for _, chat := range chats {
		if _, busy := e.sweeping.LoadOrStore(chat, true); busy {
			continue
		}
		select {
		case e.slots <- struct{}{}:
		default:
			e.sweeping.Delete(chat)
			return nil // every sender is busy
		}
		wg.Go(func() {
			defer func() { <-e.slots; e.sweeping.Delete(chat) }()
			e.guard("sweep "+chat.ChatID, func() { e.claim(ctx, chat, true) })
		})
	}
	return nil
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
			e.guard(what, func() {
				if err := work(now); err != nil && ctx.Err() == nil {
					e.Log.Error().Err(err).Msg(what)
				}
			})
		}
	}
}

// guard runs f, turning a panic into a log line: one bad chat must not stop
// the background work of every other.
func (e *Engine) guard(what string, f func()) {
	defer func() {
		if v := recover(); v != nil {
			e.Log.Error().Interface("panic", v).Str("work", what).Msg("background work panicked")
		}
	}()
	f()
}

// Tick runs the flows' periodic work once. Each change is committed with
// its messages as notices, which the relay queues for sending.
func (e *Engine) Tick(ctx context.Context, now time.Time) error {
	return e.Router.Tick(ctx, now)
}

// deliver sends l's due replies in order, then records what went; when
// more were queued meanwhile, it goes on with them. However it stops, it
// lets go of the lease: a sender that stopped early (an error, a
// shutdown, a panic) would otherwise keep the chat's replies waiting
// until the lease ran out.
func (e *Engine) deliver(ctx context.Context, l *redis.Leased, clean bool) {
	log := e.Log.With().Str("channel", string(l.Chat.Channel)).Str("chat", l.Chat.ChatID).Logger()
	held := true // until Finish lets the lease go
	defer func() {
		if !held {
			return
		}
		if err := e.Store.Release(ctx, l, e.Now()); err != nil {
			log.Warn().Err(err).Msg("release lease; it runs out instead")
		}
	}()
	for {
		if l.Stale() {
			if _, err := e.Store.Reload(ctx, l); err != nil {
				log.Warn().Err(err).Msg("reload outbox")
				return
			}
		}
		fin, quota, settled, stopped := e.send(ctx, log, l)
		fin.Clean = clean && settled
		if err := e.renew(ctx, l); err != nil {
			log.Warn().Err(err).Msg("renew lease before recording the sends")
		}
		more, err := e.finish(ctx, l, fin)
		if err != nil {
			log.Warn().Err(err).Msg("finish sending; the sweeper goes on")
			return
		}
		if quota.Channel != "" {
			// Once its hold is stored: the wake looks for it.
			e.waitQuota(ctx, log, quota, l.Chat, fin.Hold)
		}
		if held = more; !more || stopped {
			return
		}
		if _, err := e.Store.Reload(ctx, l); err != nil {
			log.Warn().Err(err).Msg("reload outbox")
			return
		}
	}
}

// renew extends l when it could end before the next send and the record
// of it: a send, or the work between sends (a post's record, a reply
// rebuilt from PostgreSQL), may take that long.
func (e *Engine) renew(ctx context.Context, l *redis.Leased) error {
	if l.Ends.Sub(e.Now()) >= e.Attempt+leaseMargin {
		return nil
	}
	return e.Store.Extend(ctx, l, e.Now())
}

// errStopped: a reply was not sent, or not to the end, for a reason of
// ours (no time left, a shutdown, Redis not answering), not the
// platform's: no failure is counted, and the sweeper goes on at once.
var errStopped = errors.New("sending stopped; the sweeper goes on")

// finish records what was sent, even when ctx ended meanwhile (a shutdown,
// the webhook's budget), trying again while Redis does not answer (a
// restart) and the lease holds: else what went out would be sent again, by
// whoever takes the chat after the lease.
func (e *Engine) finish(ctx context.Context, l *redis.Leased, fin redis.Finish) (more bool, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), max(l.Ends.Sub(e.Now()), 5*time.Second))
	defer cancel()
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, 500*time.Millisecond) {
		more, err = e.Store.Finish(ctx, l, fin)
		if err == nil || errors.Is(err, redis.ErrLeaseLost) || sleep(ctx, wait) != nil {
			return more, err
		}
	}
}

// send sends l's due replies in order. A delayed reply waits without
// holding back those behind it; of replies that coalesce, the last is sent
// for all, when the first of them is due. After a reply to a group, with
// more waiting, the chat is paced: the next waits for the channel's
// GroupGap (the sweeper sends it), so a burst never floods a group, and
// replies queued meanwhile wait too and coalesce. A failed send holds the
// whole chat back, for longer each time it fails again; a reply that fails
// maxSendFails times in a row is set aside, so that it cannot block the
// chat for ever. A send refused for a quota the platform does not say the
// length of holds the whole channel back, every chat of it, or its bulk
// sends only when a post to a group met it (quota.go); quota is the hold
// the chat waits for, not refused itself (zero: none). A
// send refused because its group moved to a new id (a
// Telegram group upgraded to a supergroup) follows it there. settled is
// false when a reply could not be set aside;
// stopped is true when sending stopped for a reason of ours (errStopped, a
// lost lease): the rest is the sweeper's.
func (e *Engine) send(ctx context.Context, log zerolog.Logger, l *redis.Leased) (fin redis.Finish, quota redis.Quota, settled, stopped bool) {
	settled = true
	bury := func(reason, field, raw string) {
		if e.bury(ctx, log, l.Chat, reason, raw) {
			fin.Dead = append(fin.Dead, field)
		} else {
			settled = false
		}
	}
	for field, raw := range l.Bad {
		bury("unreadable reply", field, raw)
	}
	ch, ok := e.Channels[l.Chat.Channel]
	if !ok {
		for _, q := range l.Out {
			bury("channel not configured", q.Field(), q.Raw)
		}
		return fin, quota, settled, false
	}
	now, fails := e.Now(), l.Fails
	var pace time.Time // a group's next message waits until then
	var movedTo string // the chat's new id, once a send said it moved
	due, last := coalesceDue(l.Out)
	gated := false   // the channel's quota asked about
	var probe probes // this send tries the channel's holds, until then
	for i, q := range l.Out {
		switch {
		case due[i].After(now):
			if fin.Next.IsZero() || due[i].Before(fin.Next) {
				fin.Next = due[i]
			}
			continue
		case q.Coalesce != "" && last[q.Coalesce] != i:
			continue // the last of its kind says it all
		case pace.After(e.Now()):
			fin.Pace, fin.Next = pace, pace // the group's gap first
			return fin, quota, settled, false
		}
		said := coalesced(l.Out[:i], q.Coalesce)
		reply := q.Reply
		if movedTo != "" && reply.To == l.Chat {
			reply.To.ChatID = movedTo // rebuilt, and sent, as the new id's
		}
		r, err := e.rebuild(ctx, reply, reply.To != q.Reply.To, len(said))
		if errors.Is(err, flows.ErrOver) {
			log.Debug().Err(err).Msg("reply dropped before its turn")
			fin.Sent = append(append(fin.Sent, said...), q)
			continue
		}
		if e.storeDown(ctx, err) {
			// Not rebuilt in an outage of PostgreSQL: ours, not the
			// platform's, so no failure counts and an outage sets no post
			// aside, however long. Other errors count as failed sends.
			fin.Hold, fin.Fails = e.Now().Add(jitter(e.RetryMax)), fails
			log.Warn().Err(err).Time("retry_at", fin.Hold).Str("msg", r.Text.ID).Msg("reply kept: not rebuilt")
			return fin, quota, settled, false
		}
		if err == nil && !gated {
			gated = true
			var held time.Time
			var by redis.Quota
			if probe, held, by = e.gate(ctx, log, l.Chat.Channel, q.Group, e.Attempt+leaseMargin); !held.IsZero() {
				// The platform's quota is spent: nothing is tried, and
				// nothing counts as failed.
				fin.Hold, fin.Fails = held, fails
				log.Debug().Time("retry_at", held).Bool("bulk", by.Bulk).Msg("replies wait for the channel's quota")
				return fin, by, settled, false
			}
		}
		if err == nil {
			var sent flows.Sent
			sent, err = e.attempt(ctx, ch, l, &r)
			unbuilt := false // moved, but not followed or rebuilt
			if to, ok := Moved(err); ok {
				unbuilt = true
				if err = e.follow(ctx, log, r.To, to); err == nil {
					// Rebuilt for the new id: the group's post may be
					// there already, or taken down there.
					movedTo, reply.To.ChatID = to, to
					if r, err = e.rebuild(ctx, reply, true, len(said)); err == nil {
						unbuilt = false
						sent, err = e.attempt(ctx, ch, l, &r)
					}
				}
			}
			e.tried(ctx, log, l.Chat.Channel, l.Chat.ChatID, probe, err)
			probe = probes{}
			if unbuilt && !errors.Is(err, flows.ErrOver) && e.storeDown(ctx, err) {
				// As above: following the group needs PostgreSQL.
				fin.Hold, fin.Fails = e.Now().Add(jitter(e.RetryMax)), fails
				log.Warn().Err(err).Time("retry_at", fin.Hold).Str("msg", r.Text.ID).Msg("reply kept: its group's move not followed")
				return fin, quota, settled, false
			}
			if err == nil && r.Report != nil {
				if err := e.renew(ctx, l); err != nil {
					log.Warn().Err(err).Msg("renew lease before recording a post")
				}
				e.posted(ctx, ch, l, r, sent)
			}
			if gap := e.GroupGap[l.Chat.Channel]; err == nil && q.Group && gap > 0 && sent.Parts > 0 {
				fin.Spent = gap * time.Duration(sent.Parts)
				pace = e.Now().Add(fin.Spent)
			}
		}
		var ra *RetryAfterError
		switch {
		case errors.Is(err, flows.ErrOver): // in the group it moved to
			log.Debug().Err(err).Msg("reply dropped after its group moved")
			fin.Sent = append(append(fin.Sent, said...), q)
			continue
		case errors.Is(err, redis.ErrLeaseLost):
			log.Warn().Msg("lost the chat while sending; another sender goes on")
			return fin, quota, false, true // Finish fails too: nothing is removed
		case errors.Is(err, errStopped) || err != nil && ctx.Err() != nil:
			fin.Next, stopped = e.Now(), true
		case errors.As(err, &ra) && ra.Unsaid:
			// For how long, the platform did not say (a quota, a refused
			// token): the whole channel waits (spent), or its bulk sends
			// when this is a post to a group, or this chat alone when the
			// limit is its own; this chat at least as after a failed
			// send, but it is never set aside for it.
			var wait time.Duration
			fin.Fails, wait = e.retry().unsaid(fails, ra.After)
			until, _ := e.spent(ctx, log, l.Chat.Channel, q.Group, l.Chat.ChatID, ra, wait)
			fin.Hold = later(until, e.Now().Add(wait))
		case errors.As(err, &ra):
			fin.Hold, fin.Fails = e.Now().Add(ra.After), fails
		case err != nil && !IsUndeliverable(err) && fails+1 >= maxSendFails:
			for _, s := range append(said, q) {
				bury("failed "+strconv.Itoa(maxSendFails)+" times: "+err.Error(), s.Field(), s.Raw)
			}
			fails = 0
			continue
		case err != nil && !IsUndeliverable(err):
			fin.Fails = fails + 1
			fin.Hold = e.Now().Add(e.retry().wait(fin.Fails))
		}
		if !fin.Hold.IsZero() || stopped {
			if r.Done != nil { // what went is not sent again
				q.Reply.Done = r.Done
				fin.Rewrite = append(fin.Rewrite, q)
			}
			log.Warn().Err(err).Time("retry_at", fin.Hold).Str("msg", r.Text.ID).Msg("reply kept for later")
			return fin, quota, settled, stopped
		}
		if err != nil {
			log.Warn().Err(err).Str("msg", r.Text.ID).Msg("reply dropped")
			if IsGone(err) && e.Gone != nil {
				e.Gone(ctx, l.Chat)
			}
		}
		fin.Sent = append(append(fin.Sent, said...), q)
	}
	fin.Pace = pace // kept: replies remain, or may be queued soon
	return fin, quota, settled, false
}

// follow moves a group that a refused send says lives on under a new id
// (a Telegram group upgraded to a supergroup whose notice of it the bot
// missed), as the flows do when the platform announces it: its market
// registration and listing posts go along, so that later posts go there
// at once; the reply is then sent there.
func (e *Engine) follow(ctx context.Context, log zerolog.Logger, from flows.ChatRef, to string) error {
	if err := e.Router.Moved(ctx, from, flows.ChatRef{Channel: from.Channel, ChatID: to}); err != nil {
		return fmt.Errorf("follow the chat to %s: %w", to, err)
	}
	log.Info().Str("moved_to", to).Msg("chat moved; its replies follow")
	return nil
}

// maxSendFails is how often in a row a reply may fail before it is set
// aside: with the backoff, about ten minutes of trying, longer than the
// platform outages we know of.
const maxSendFails = 60

// bury sets a reply aside in the dead-letter list, where it blocks no one,
// and tells whether it did.
func (e *Engine) bury(ctx context.Context, log zerolog.Logger, chat flows.ChatRef, reason, raw string) bool {
	if err := e.Store.Bury(ctx, []redis.Dead{{Chat: chat, Reason: reason, At: e.Now(), Raw: raw}}); err != nil {
		log.Error().Err(err).Msg("bury reply")
		return false
	}
	log.Error().Str("reason", reason).Msg("reply moved to the dead-letter list")
	e.Metrics.Dead.Inc()
	return true
}

// coalesceDue is when each reply is due, and the index of the last reply of
// each coalescing key. Later replies of a burst postpone it, but never past
// the first's queueing time plus its MaxWait, so that a steady stream is
// still announced on time.
func coalesceDue(out []redis.Queued) (due []time.Time, last map[string]int) {
	due = make([]time.Time, len(out))
	ceiling := map[string]time.Time{}
	last = map[string]int{}
	for i, q := range out {
		due[i] = q.DueAt
		if q.Coalesce == "" {
			continue
		}
		last[q.Coalesce] = i
		if _, ok := ceiling[q.Coalesce]; !ok && q.MaxWait > 0 {
			ceiling[q.Coalesce] = q.DueAt.Add(q.MaxWait - q.Delay)
		}
		if t, ok := ceiling[q.Coalesce]; ok && t.Before(due[i]) {
			due[i] = t
		}
	}
	return due, last
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

// storeDown tells whether err came of PostgreSQL not answering (/readyz
// fails too), not of the reply or the platform.
func (e *Engine) storeDown(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() == nil && e.Ready != nil && e.Ready(ctx) != nil
}

// rebuild is refresh for a reply that may have followed its group to a new
// id (moved): an edit is then over, the new chat's messages having ids of
// their own.
func (e *Engine) rebuild(ctx context.Context, r flows.Reply, moved bool, merged int) (flows.Reply, error) {
	if moved && r.Edit != nil {
		return r, fmt.Errorf("edit of a message of the group before it moved: %w", flows.ErrOver)
	}
	return e.refresh(ctx, r, merged)
}

// refresh rebuilds a reply from the stores when it asks to be, and counts
// the replies it stands for.
func (e *Engine) refresh(ctx context.Context, r flows.Reply, merged int) (flows.Reply, error) {
	if r.Rebuild != nil {
		done := r.Done // what went of it stays gone
		var err error
		if r, err = e.Router.Rebuild(ctx, r); err != nil {
			return r, fmt.Errorf("rebuild %s %d: %w", r.Rebuild.Kind, r.Rebuild.ID, err)
		}
		r.Done = done
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

// leaseMargin is kept between the end of an attempt and the end of the
// lease: for the round trip that records the send, and for the drift
// between replicas' clocks, which time the lease.
const leaseMargin = 2 * time.Second

// attempt sends a reply, trying again a couple of times at once: a network
// error or 5xx after a short, jittered wait, a short 429 after its
// retry_after. Each try has a deadline that ends before the lease, renewed
// when needed, so that no other replica can send while a try is in flight.
// Longer waits, and a 429 that does not say how long, are the sweeper's.
// A reply that stopped halfway goes on
// from there (r.Done).
func (e *Engine) attempt(ctx context.Context, ch Channel, l *redis.Leased, r *flows.Reply) (flows.Sent, error) {
	wait := e.RetryMin
	for try := 1; ; try++ {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < e.Attempt {
			return flows.Sent{}, fmt.Errorf("no time left to send: %w", errStopped)
		}
		if err := e.renew(ctx, l); errors.Is(err, redis.ErrLeaseLost) {
			return flows.Sent{}, err
		} else if err != nil {
			return flows.Sent{}, fmt.Errorf("%w: %w", errStopped, err)
		}
		actx, cancel := context.WithTimeout(ctx, e.Attempt)
		sent, err := ch.Send(actx, *r)
		cancel()
		if err == nil {
			return sent, nil // before the error variables below, which escape to the heap
		}
		var part *PartialError
		if errors.As(err, &part) {
			r.Done = &part.Sent
		}
		var ra *RetryAfterError
		switch {
		case err == nil || IsUndeliverable(err) || try == 3:
			return sent, err
		case errors.As(err, &ra) && (ra.Unsaid || ra.After > 3*time.Second):
			return sent, err
		case errors.As(err, &ra):
			wait = ra.After
		default:
			wait = jitter(wait)
		}
		if err := sleep(ctx, wait); err != nil {
			return sent, fmt.Errorf("%w: %w", errStopped, err)
		}
		wait *= 2
	}
}

// retry is the backoff of a chat whose sends fail.
func (e *Engine) retry() backoff { return backoff{e.RetryMin, e.RetryMax} }

// jitter is d less up to half of it, at random.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d - rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// posted tells the flows where a reported reply landed (a listing's group
// post); they record it with what they say about it, as notices. An edit
// they ask for (the post landed in a group that took its listing down
// meanwhile) is sent at once, under l's lease: queued, it would wait
// behind the group's backlog, the post up meanwhile. It is queued only
// when that send fails.
func (e *Engine) posted(ctx context.Context, ch Channel, l *redis.Leased, r flows.Reply, sent flows.Sent) {
	edits, err := e.Router.Posted(ctx, r, sent)
	for i := range edits {
		if edits[i].To == l.Chat {
			if _, serr := e.attempt(ctx, ch, l, &edits[i]); serr == nil {
				continue
			}
		}
		if err = e.Store.Enqueue(ctx, edits[i:i+1], e.Now()); err != nil {
			break
		}
	}
	if err != nil {
		e.Log.Error().Err(err).Int64("listing", r.Report.Listing).Msg("record post")
	}
}
