package bot

import (
	"context"
	"net"
	"net/http"
	"path"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the bot's Prometheus metrics, on a registry of their own so
// that tests can run several bots in one process.
type Metrics struct {
	Registry *prometheus.Registry
	Updates  *prometheus.CounterVec   // by channel and outcome
	Latency  *prometheus.HistogramVec // handling time by channel
	APICalls *prometheus.CounterVec   // platform API calls by channel, method and HTTP status
	// APIConns are connections opened to a platform's API, by channel: a
	// pooled client opens few, however many chats are answered at once.
	APIConns *prometheus.CounterVec
	Steps    *prometheus.CounterVec // conversations entering a flow's state
	Resets   *prometheus.CounterVec // chats started over, by why
	Dead     prometheus.Counter     // replies set aside as undeliverable
	// MediaFetches are downloads of photos from their platform, by channel
	// and outcome (ok, failed).
	MediaFetches *prometheus.CounterVec
	// LimitHits are actions refused by an abuse limit, by limit
	// (flows.LimitOpenOrders, flows.LimitListings, flows.LimitMessages).
	LimitHits *prometheus.CounterVec
	// Broadcasts are sends of announcements to groups, by channel and
	// outcome (sent, failed, unsure, retried, rate_limited, throttled).
	Broadcasts *prometheus.CounterVec
	// FollowNotices are new listings told to their followers, by kind
	// (listing: one by one; digest: the morning's list of the rest).
	FollowNotices *prometheus.CounterVec
	// Unauthorized is 1 for a channel whose platform refuses the bot's
	// token (Zalo's 401 after a reset in Bot Creator): nothing is sent
	// there until an operator sets the new token. Back to 0 once a send
	// goes through.
	Unauthorized *prometheus.GaugeVec
	// Spooled are updates kept on disk because they could not be handled
	// and their platform does not deliver again (Spool), by channel;
	// Replayed, those handled from there since; SpoolDepth, those waiting.
	Spooled    *prometheus.CounterVec
	Replayed   *prometheus.CounterVec
	SpoolDepth *prometheus.GaugeVec
	// SpoolRefused are updates answered 503 because the spool held
	// SPOOL_MAX already, by channel.
	SpoolRefused *prometheus.CounterVec
	// Answer is the time from a webhook request's start to its answer, by
	// channel and status: what a platform's timeout is measured against.
	Answer *prometheus.HistogramVec
}

// NewMetrics registers the metrics and the Go runtime's.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nongsan_updates_total", Help: "Updates received, by channel and outcome.",
		}, []string{"channel", "outcome"}),
		Latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "nongsan_update_duration_seconds", Help: "Time to handle an update, replies included.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"channel"}),
		APICalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nongsan_platform_api_calls_total", Help: "Calls to the platforms' Bot APIs, by method and HTTP status.",
		}, []string{"channel", "method", "status"}),
		APIConns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nongsan_platform_api_connections_total", Help: "Connections opened to the platforms' Bot APIs.",
		}, []string{"channel"}),
		Steps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nongsan_conversation_steps_total", Help: "Conversations moving into a flow's state.",
		}, []string{"flow", "state"}),
		Resets: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nongsan_conversation_resets_total",
			Help: "Chats started over because their state could not be used, or an update kept failing.",
		}, []string{"why"}),
		Dead: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "nongsan_outbox_dead_letters_total", Help: "Replies moved to the dead-letter list (nongsan outbox).",
		}),
		MediaFetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nongsan_media_fetches_total",
			Help: "Photos fetched from their platform to serve or keep, by channel and outcome (ok, failed).",
		}, []string{"channel", "outcome"}),
		LimitHits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nongsan_limit_hits_total",
			Help: "Actions refused by an abuse limit (open orders, listings per day, messages per minute).",
		}, []string{"limit"}),
		Broadcasts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nongsan_broadcast_sends_total",
			Help: "Announcements to market groups, by channel and outcome (sent, failed, unsure, retried, rate_limited: a 429, throttled: waited for the shared rate).",
		}, []string{"channel", "outcome"}),
		FollowNotices: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nongsan_follow_notices_total",
			Help: "New listings told privately to buyers who follow the product, by kind (listing, digest).",
		}, []string{"kind"}),
		Unauthorized: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "nongsan_channel_unauthorized",
			Help: "1 while the platform refuses the bot's token (401): the channel sends nothing until the token is replaced.",
		}, []string{"channel"}),
		Spooled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nongsan_spooled_updates_total",
			Help: "Updates of a platform that does not deliver again (Zalo) kept on disk (SPOOL_DIR) because PostgreSQL or Redis failed, answered 200.",
		}, []string{"channel"}),
		Replayed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nongsan_spool_replayed_total", Help: "Spooled updates handled from the spool and deleted.",
		}, []string{"channel"}),
		SpoolDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "nongsan_spool_depth", Help: "Updates waiting in the spool.",
		}, []string{"channel"}),
		SpoolRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nongsan_spool_refused_total",
			Help: "Updates answered 503 instead of spooled because the spool held SPOOL_MAX updates already.",
		}, []string{"channel"}),
		Answer: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "nongsan_webhook_answer_seconds", Help: "Time from a webhook request's start to its answer, by channel and HTTP status.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2, 3, 5, 10, 25},
		}, []string{"channel", "status"}),
	}
	m.Registry.MustRegister(m.Updates, m.Latency, m.APICalls, m.APIConns, m.Steps, m.Resets, m.Dead, m.MediaFetches, m.LimitHits, m.Broadcasts, m.FollowNotices, m.Unauthorized,
		m.Spooled, m.Replayed, m.SpoolDepth, m.SpoolRefused, m.Answer,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// WatchOutbox publishes how many chats have replies waiting: a number that
// grows when a platform is down or rate-limits us.
func (m *Metrics) WatchOutbox(waiting func(context.Context, time.Time) (int64, error)) {
	m.watch("nongsan_outbox_chats_waiting", "Chats whose replies are overdue (platform failing or rate-limiting).",
		func(ctx context.Context) (int64, error) { return waiting(ctx, time.Now()) })
}

// WatchNotices publishes how many notices are committed but not yet in the
// outbox: a number that grows when the relay cannot reach Redis.
func (m *Metrics) WatchNotices(waiting func(context.Context) (int64, error)) {
	m.watch("nongsan_notices_waiting",
		"Notices (timeouts, reminders, expiries, group posts) committed but not yet relayed to the outbox.", waiting)
}

// WatchHeldNotices publishes the notices held for a later time (a night's
// timeouts, told to farmers in the morning), which nongsan_notices_waiting
// does not count until released: all of them, and those whose time has
// come, a number that stays above 0 when the tick does not release them.
func (m *Metrics) WatchHeldNotices(held func(context.Context) (int64, error), due func(context.Context, time.Time) (int64, error)) {
	m.watch("nongsan_notices_held",
		"Notices held for a later time (a night's order timeouts, told to farmers in the morning), not yet released to nongsan_notices_waiting.", held)
	m.watch("nongsan_notices_held_due", "Held notices whose time has come, not yet released by the tick.",
		func(ctx context.Context) (int64, error) { return due(ctx, time.Now()) })
}

// WatchMedia publishes how many published photos are not kept yet: a
// number that grows when a platform's files cannot be fetched.
func (m *Metrics) WatchMedia(waiting func(context.Context) (int64, error)) {
	m.watch("nongsan_media_waiting", "Published photos not kept yet (still tried).", waiting)
}

// watch registers a gauge read at each scrape; -1 when it cannot be read.
func (m *Metrics) watch(name, help string, read func(context.Context) (int64, error)) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := read(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
}

// CountSQL publishes the SQL statements sent so far, as counted by the
// store: the SQL an update costs is their increase over the updates'.
func (m *Metrics) CountSQL(statements func() int64) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "nongsan_sql_statements_total", Help: "SQL statements sent to PostgreSQL (BEGIN and COMMIT included).",
	}, func() float64 { return float64(statements()) }))
}

// Client returns an HTTP client for a platform's API that counts its calls
// by method (the last path segment: the token in the path is never a label).
// With no base it keeps a connection open for every chat being answered.
func (m *Metrics) Client(channel string, base http.RoundTripper) *http.Client {
	if base == nil {
		base = m.transport(channel)
	}
	return &http.Client{Timeout: 35 * time.Second, Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(r)
		status := "error"
		if err == nil {
			status = strconv.Itoa(resp.StatusCode)
		}
		m.APICalls.WithLabelValues(channel, path.Base(r.URL.Path), status).Inc()
		return resp, err
	})}
}

// maxIdlePerHost is how many connections to one platform stay open between
// sends: one per chat answered at once at peak. Go's default keeps 2, so
// with 200 chats at once nearly every send would open (and TLS-handshake)
// a connection of its own, and close it after.
const maxIdlePerHost = 512

// transport is the default transport with a pool as large as the chats
// answered at once, counting the connections it opens.
func (m *Metrics) transport(channel string) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = maxIdlePerHost, maxIdlePerHost
	conns := m.APIConns.WithLabelValues(channel)
	dial := t.DialContext
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conns.Inc()
		return dial(ctx, network, addr)
	}
	return t
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
