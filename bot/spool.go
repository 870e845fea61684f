package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
)

// Redeliverer is an adapter that says whether its platform delivers an
// update again when the webhook answers 5xx. Telegram documents that it
// does; Zalo documents nothing of the kind, so an update it could not
// handle for a passing reason (PostgreSQL or Redis down) is kept in a Spool
// and answered 200 instead of being lost.
type Redeliverer interface {
	Redelivers() bool
}

// Redelivers tells whether ch's platform sends again what got a 5xx: yes
// unless its adapter says otherwise (the web page sends again itself).
func Redelivers(ch Channel) bool {
	var a any = ch
	if r, ok := ch.(*Rendered); ok {
		a = r.Adapter
	}
	if r, ok := a.(Redeliverer); ok {
		return r.Redelivers()
	}
	return true
}

// Spool keeps on local disk the raw updates of one channel that could not
// be handled yet, one file each, named so that the folder lists them in
// arrival order; Server.RunReplayer handles them and deletes each once
// handled. A file appears whole or not at all (written to a temporary
// name, synced, renamed, the folder synced): one that exists was answered
// 200.
type Spool struct {
	dir     string
	metrics *Metrics
	channel string
	// Max is how many updates the spool holds at most (SPOOL_MAX; 0: no
	// limit): beyond, Put refuses (ErrSpoolFull) and the webhook answers
	// 503, so that an outage long enough fills no disk.
	Max int

	mu      sync.Mutex
	last    int64                    // the last name's time, so that names only grow
	chats   map[string]flows.ChatRef // file name → its update's chat
	pending map[flows.ChatRef]int    // files by chat
	wake    chan struct{}
	// full: an overflow is on, Put having refused an update, until the
	// spool drains to half of Max (so that one logged at its start is not
	// logged again at each update that goes and the next that is refused).
	full bool
}

// ErrSpoolFull: the spool holds Max updates; the update is not kept.
var ErrSpoolFull = errors.New("spool: full")

// spoolExt ends the name of every spooled update; a temporary file begins
// with spoolTmp.
const (
	spoolExt = ".json"
	spoolTmp = ".tmp-"
)

// OpenSpool opens (and creates) ch's spool in dir: temporary files a crash
// left (never answered 200) are removed, and the updates kept are indexed
// by chat, so that a chat's new updates wait behind them.
func OpenSpool(dir string, ch Channel, m *Metrics) (*Spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s := &Spool{dir: dir, metrics: m, channel: string(ch.Name()), chats: map[string]flows.ChatRef{},
		pending: map[flows.ChatRef]int{}, wake: make(chan struct{}, 1)}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, spoolTmp):
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return nil, fmt.Errorf("spool: %w", err)
			}
		case strings.HasSuffix(name, spoolExt) && e.Type().IsRegular():
			body, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				return nil, fmt.Errorf("spool: %w", err)
			}
			// One the channel cannot read any more is refused by the
			// replayer, and deleted then.
			in, _, _ := ch.Parse(body)
			s.add(name, in.ChatKey())
			if n, err := strconv.ParseInt(strings.TrimSuffix(name, spoolExt), 10, 64); err == nil {
				s.last = max(s.last, n)
			}
		}
	}
	s.gauge()
	return s, nil
}

// Dir is the spool's folder.
func (s *Spool) Dir() string { return s.dir }

// Depth is how many updates wait in the spool.
func (s *Spool) Depth() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.chats)
}

// Pending tells whether chat has updates waiting in the spool: its next
// one goes behind them, so that a chat's updates are handled in the order
// they came.
func (s *Spool) Pending(chat flows.ChatRef) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending[chat] > 0
}

// Put keeps body, an update of chat, durably. The chat counts as pending
// from before the file is written, so that none of its later updates is
// handled ahead of it. With Max updates waiting it keeps nothing and
// returns ErrSpoolFull; first tells whether it is an overflow's first
// refusal (logged once).
func (s *Spool) Put(body []byte, chat flows.ChatRef) (first bool, err error) {
	s.mu.Lock()
	if s.Max > 0 && len(s.chats) >= s.Max {
		first, s.full = !s.full, true
		s.mu.Unlock()
		s.metrics.SpoolRefused.WithLabelValues(s.channel).Inc()
		return first, ErrSpoolFull
	}
	// The time is only the order: a clock put back (or a tie) does not put
	// an update before one already kept.
	s.last = max(time.Now().UnixNano(), s.last+1)
	name := fmt.Sprintf("%020d%s", s.last, spoolExt)
	s.add(name, chat)
	s.mu.Unlock()
	if err := s.write(name, body); err != nil {
		s.mu.Lock()
		s.remove(name)
		s.mu.Unlock()
		return false, fmt.Errorf("spool: %w", err)
	}
	s.metrics.Spooled.WithLabelValues(s.channel).Inc()
	s.gauge()
	s.Wake()
	return false, nil
}

// write writes body to name durably: to a temporary name, synced, renamed,
// and the folder synced, so that the rename survives a crash of the
// machine.
func (s *Spool) write(name string, body []byte) error {
	tmp := filepath.Join(s.dir, spoolTmp+name)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(body)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(s.dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Wake tells the replayer to look at the spool now, when it is not waiting
// out an outage.
func (s *Spool) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// names are the spooled updates, oldest first.
func (s *Spool) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.chats))
	for name := range s.chats {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// done deletes a handled update.
func (s *Spool) done(name string) error {
	if err := os.Remove(filepath.Join(s.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spool: %w", err)
	}
	s.mu.Lock()
	s.remove(name)
	if len(s.chats) <= s.Max/2 {
		s.full = false
	}
	s.mu.Unlock()
	s.gauge()
	return nil
}

func (s *Spool) add(name string, chat flows.ChatRef) {
	s.chats[name] = chat
	s.pending[chat]++
}

func (s *Spool) remove(name string) {
	chat, ok := s.chats[name]
	if !ok {
		return
	}
	delete(s.chats, name)
	if s.pending[chat]--; s.pending[chat] <= 0 {
		delete(s.pending, chat)
	}
}

func (s *Spool) gauge() {
	s.metrics.SpoolDepth.WithLabelValues(s.channel).Set(float64(s.Depth()))
}

// receiveSpooled is the webhook's handling of an update of a channel whose
// platform does not deliver again: an update whose chat has updates in the
// spool goes behind them, and one that could not be handled for a passing
// reason (5xx) is spooled and answered 200. Only when even the spool
// cannot keep it is it 503.
func (s *Server) receiveSpooled(ctx context.Context, ch Channel, sp *Spool, body []byte) int {
	in, status, ok := s.parse(ch, body)
	if !ok {
		return status
	}
	chat, id := in.ChatKey(), in.UpdateID
	if !sp.Pending(chat) {
		status := s.handle(ctx, ch, in)
		if status < http.StatusInternalServerError {
			if sp.Depth() > 0 {
				sp.Wake() // the stores answer again
			}
			return status
		}
	}
	if first, err := sp.Put(body, chat); err != nil {
		switch {
		case !errors.Is(err, ErrSpoolFull):
			s.Log.Error().Err(err).Str("channel", string(ch.Name())).Msg("update could not be spooled; answered 503")
		case first: // once an overflow, not once a request: it may last hours
			s.Log.Error().Str("channel", string(ch.Name())).Int("max", sp.Max).Str("dir", sp.Dir()).
				Msg("spool full (SPOOL_MAX): updates answered 503 until it drains; the platform may not send them again")
		}
		return http.StatusServiceUnavailable
	}
	s.Log.Warn().Str("channel", string(ch.Name())).Str("chat", chat.ChatID).Str("update_id", id).
		Msg("update spooled, to be handled once PostgreSQL and Redis answer")
	return http.StatusOK
}

// Replay timing: the wait after a failed replay grows from replayMin to
// replayMax while the stores stay down. On shutdown, what is left is tried
// once more for at most replayDrain, the stores answering (a deploy's
// drain): a spool on an emptyDir is lost with its pod.
const (
	replayMin   = 200 * time.Millisecond
	replayMax   = 5 * time.Second
	replayDrain = 10 * time.Second
)

// RunReplayer hands the updates kept in sp, oldest first, one at a time,
// to the webhook's own handling, and deletes each once handled, until ctx
// ends: at start (what a previous run kept), whenever an update is
// spooled, and, while PostgreSQL or Redis is down, again and again with
// backoff. One at a time, in arrival order, keeps each chat's order. An
// update is given up as a polled one is (PollHandler): refused (4xx), it
// is deleted; failing maxAttempts times with the stores up, its chat gets
// the apology and starts over. Duplicates (Zalo delivering it again, a
// replay after a crash) are dropped by the engine, by update id.
func (s *Server) RunReplayer(ctx context.Context, ch Channel, sp *Spool) {
	handle := s.PollHandler(ctx, ch)
	retry, fails := backoff{replayMin, replayMax}, 0
	for ctx.Err() == nil {
		if s.replay(ch, sp, handle) {
			fails = 0
			select {
			case <-ctx.Done():
			case <-sp.wake:
			}
			continue
		}
		fails++
		select {
		case <-ctx.Done():
		case <-time.After(retry.wait(fails)):
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replayDrain)
	defer cancel()
	if s.Ready == nil || s.Ready(ctx) == nil {
		s.replay(ch, sp, s.PollHandler(ctx, ch))
	}
	if n := sp.Depth(); n > 0 {
		s.Log.Warn().Str("channel", string(ch.Name())).Int("updates", n).Str("dir", sp.Dir()).
			Msg("updates left in the spool, for the next start")
	}
}

// replay hands every spooled update to handle, oldest first; false at the
// first that must wait.
func (s *Server) replay(ch Channel, sp *Spool, handle func([]byte) bool) bool {
	for _, name := range sp.names() {
		body, err := os.ReadFile(filepath.Join(sp.dir, name))
		if errors.Is(err, os.ErrNotExist) { // removed by hand
			sp.done(name)
			continue
		}
		if err != nil {
			s.Log.Error().Err(err).Str("channel", string(ch.Name())).Msg("spooled update unreadable, left")
			return false
		}
		if !handle(body) {
			return false
		}
		if err := sp.done(name); err != nil {
			s.Log.Error().Err(err).Str("channel", string(ch.Name())).Msg("replayed update not deleted")
			return false
		}
		s.Metrics.Replayed.WithLabelValues(string(ch.Name())).Inc()
	}
	return true
}
