package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot/redis"
)

// hub is the one reader of the log in this process: it waits on Redis for
// new entries and hands them to every open page, rather than each page
// holding a blocking Redis connection. It runs while pages are open.
type hub struct {
	log    *redis.WebLog
	logger zerolog.Logger
	closed <-chan struct{}

	mu      sync.Mutex
	subs    map[chan redis.WebEntry]struct{}
	running bool
}

// subBuffer is how many entries a page may be behind before it is dropped
// (it reconnects and replays from where it was).
const subBuffer = 256

// waitBlock is how long one read waits on Redis: how soon the reader
// notices that no page is left.
const waitBlock = 2 * time.Second

func newHub(log *redis.WebLog, logger zerolog.Logger, closed <-chan struct{}) *hub {
	return &hub{log: log, logger: logger, closed: closed, subs: map[chan redis.WebEntry]struct{}{}}
}

// subscribe registers a page: it gets every entry appended from now on,
// until unsubscribed or dropped (its channel closed).
func (h *hub) subscribe(ctx context.Context) (chan redis.WebEntry, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.running {
		// Read from the newest entry now: the page's replay, which comes
		// after, reaches at least this far, so nothing falls between.
		last, err := h.log.Last(ctx)
		if err != nil {
			return nil, err
		}
		h.running = true
		go h.run(last)
	}
	ch := make(chan redis.WebEntry, subBuffer)
	h.subs[ch] = struct{}{}
	return ch, nil
}

func (h *hub) unsubscribe(ch chan redis.WebEntry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[ch]; ok {
		delete(h.subs, ch)
		close(ch)
	}
}

// run reads the log after id and fans out, until no page is left or the
// server shuts down.
func (h *hub) run(id string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-h.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		entries, err := h.log.Wait(ctx, id, waitBlock)
		if ctx.Err() != nil {
			h.stop()
			return
		}
		if err != nil {
			h.logger.Warn().Err(err).Msg("web log")
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
			}
		}
		if len(entries) > 0 {
			id = entries[len(entries)-1].ID
		}
		if !h.fanOut(entries) {
			return
		}
	}
}

// fanOut hands entries to every page; false when none is left, and the
// reader stops.
func (h *hub) fanOut(entries []redis.WebEntry) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		for _, e := range entries {
			select {
			case ch <- e:
			default: // too slow: dropped, it replays from where it was
				delete(h.subs, ch)
				close(ch)
			}
			if _, ok := h.subs[ch]; !ok {
				break
			}
		}
	}
	if len(h.subs) == 0 {
		h.running = false
		return false
	}
	return true
}

func (h *hub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running = false
	for ch := range h.subs {
		delete(h.subs, ch)
		close(ch)
	}
}

// replayBatch is how many entries one read of the history takes.
const replayBatch = 200

// Bounds of the event streams, so that a few scripts cannot make every
// replica read and write the whole log over and over: a page replays the
// newest maxReplay messages at most (it shows no more), and one visitor,
// one address and the replica hold so many streams open at once.
const (
	maxReplay            = 500
	maxStreamsPerVisitor = 8
	maxStreamsPerAddress = 64
	maxStreams           = 512
)

// streamWait is the Retry-After of a stream refused beyond the bounds.
const streamWait = 5 * time.Second

// openStream counts a stream of person from host, false beyond the bounds.
func (c *Channel) openStream(person, host string) bool {
	c.streamsMu.Lock()
	defer c.streamsMu.Unlock()
	if c.streams["v|"+person] >= maxStreamsPerVisitor || c.streams["a|"+host] >= maxStreamsPerAddress ||
		c.streams[""] >= maxStreams {
		return false
	}
	for _, k := range []string{"v|" + person, "a|" + host, ""} {
		c.streams[k]++
	}
	return true
}

func (c *Channel) closeStream(person, host string) {
	c.streamsMu.Lock()
	defer c.streamsMu.Unlock()
	for _, k := range []string{"v|" + person, "a|" + host, ""} {
		if c.streams[k]--; c.streams[k] <= 0 {
			delete(c.streams, k)
		}
	}
}

// events answers GET /sandbox/api/events: the log as server-sent events,
// from after Last-Event-ID (the newest maxReplay on a first visit, and at
// most as many after it), then as it grows; 429 beyond the streams a
// visitor, an address or the replica may hold open. It ends when the page goes or the server shuts down.
func (c *Channel) events() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		flusher, ok := w.(http.Flusher)
		if !ok {
			http.Error(w, "streaming unsupported", http.StatusInternalServerError)
			return
		}
		person, host := c.visitor(r)
		if !c.openStream(person, host) {
			// A stream is freed whenever a page of the visitor, the address
			// or the replica goes: soon, but not at once.
			retryAfter(w, streamWait)
			c.fail(w, http.StatusTooManyRequests, "sandbox.slow_down")
			return
		}
		defer c.closeStream(person, host)
		id, world := visitorID(r), worldOf(person)
		ctx := r.Context()
		live, err := c.hub.subscribe(ctx)
		if err != nil {
			c.cfg.Logger.Warn().Err(err).Msg("web events")
			http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
			return
		}
		defer c.hub.unsubscribe(live)
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Accel-Buffering", "no") // nginx would hold the stream back
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "retry: 2000\n\n") // reconnect soon after a drop or a restart
		sent := lastEventID(r)
		floor, err := c.cfg.Log.Floor(ctx, maxReplay)
		if err != nil {
			c.cfg.Logger.Warn().Err(err).Msg("web events replay")
			return
		}
		if floor != "" && (sent == "" || newer(floor, sent)) {
			sent = floor
		}
		// The replay in large writes: the stream's compressor compresses
		// each write on its own (bot.CompressStream).
		replay := bufio.NewWriterSize(w, 32<<10)
		for {
			batch, err := c.cfg.Log.After(ctx, sent, replayBatch)
			if err != nil {
				c.cfg.Logger.Warn().Err(err).Msg("web events replay")
				return
			}
			for _, e := range batch {
				if _, mine := forWorld(e, world); mine {
					writeEvent(replay, e)
				}
				sent = e.ID
			}
			if len(batch) < replayBatch {
				break
			}
		}
		replay.Flush()
		flusher.Flush()
		beat := time.NewTicker(c.cfg.Heartbeat)
		defer beat.Stop()
		for {
			select {
			case e, ok := <-live:
				if !ok {
					return // dropped or shutting down: the page reconnects
				}
				if !newer(e.ID, sent) {
					continue // replayed already
				}
				sent = e.ID
				reset, mine := forWorld(e, world)
				if !mine {
					continue
				}
				writeEvent(w, e)
				if reset {
					// The visitor started over as the next one (their new
					// cookie): the page follows, without reconnecting. One
					// without a cookie reconnects, as whoever it is then.
					if id == "" {
						flusher.Flush()
						return
					}
					id = nextVisitor(id)
					world = worldOf("v:" + id)
				}
			case <-beat.C:
				fmt.Fprint(w, ": ping\n\n")
			case <-ctx.Done():
				return
			case <-c.closed:
				return
			}
			flusher.Flush()
		}
	})
}

// lastEventID is where a reconnecting page left off: the header the
// browser sends, or ?after= for a first load that already has some.
func lastEventID(r *http.Request) string {
	id := r.Header.Get("Last-Event-ID")
	if id == "" {
		id = r.URL.Query().Get("after")
	}
	if _, _, ok := parseID(id); !ok {
		return ""
	}
	return id
}

// forWorld tells whether an entry is for the pages of world (its own, or
// everyone's) and whether it is that world's reset.
func forWorld(e redis.WebEntry, world string) (reset, mine bool) {
	var head struct{ Kind, World string }
	if err := json.Unmarshal(e.Data, &head); err != nil {
		return false, false
	}
	return head.Kind == kindReset && head.World != "", head.World == "" || head.World == world
}

func writeEvent(w io.Writer, e redis.WebEntry) {
	// JSON has no raw line breaks, so one data line carries it.
	fmt.Fprintf(w, "id: %s\ndata: %s\n\n", e.ID, e.Data)
}

// newer tells whether stream id a comes after b.
func newer(a, b string) bool {
	am, as, _ := parseID(a)
	bm, bs, ok := parseID(b)
	if !ok {
		return true
	}
	return am > bm || am == bm && as > bs
}

// parseID reads a stream id, "1700000000000-0".
func parseID(id string) (ms, seq uint64, ok bool) {
	a, b, found := strings.Cut(id, "-")
	if !found {
		return 0, 0, false
	}
	ms, err1 := strconv.ParseUint(a, 10, 64)
	seq, err2 := strconv.ParseUint(b, 10, 64)
	return ms, seq, err1 == nil && err2 == nil
}
