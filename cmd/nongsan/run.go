package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/pages"
	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/bot/telegram"
	"github.com/nongsan-bot/nongsan/bot/web"
	"github.com/nongsan-bot/nongsan/bot/zalo"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

const usage = `Nông Sản Bot

Usage:
  nongsan serve                   HTTP server: webhooks, health, metrics (applies migrations)
  nongsan migrate                 apply database migrations and exit
  nongsan poll                    long polling of Telegram and/or Zalo, for local use without a public URL
  nongsan webhook set|delete|info register the webhooks of Telegram and/or Zalo (and Telegram's command menu)
  nongsan outbox list|requeue     replies set aside as undeliverable: show them, or put them back

Every flag has an environment variable; see 'nongsan SUBCOMMAND --help'.
`

// run is the whole program; main only hands it the process's context,
// arguments, environment and output, so tests can run it too (with
// adapters of their own, registered like any channel).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, adapters ...bot.Adapter) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errors.New("no subcommand")
	}
	cmd, rest := args[1], args[2:]
	if (cmd == "webhook" || cmd == "outbox") && len(rest) > 0 {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	var cfg config
	for _, ad := range adapters {
		if s, ok := ad.(inSandbox); ok {
			cfg.SandboxAdapters = append(cfg.SandboxAdapters, s.Adapter)
		} else {
			cfg.Adapters = append(cfg.Adapters, ad)
		}
	}
	fs := flag.NewFlagSet("nongsan "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.flags(fs, getenv)
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if err := cfg.check(); err != nil {
		return err
	}
	cfg.publicURLSet = getenv("PUBLIC_BASE_URL") != ""
	fs.Visit(func(f *flag.Flag) { cfg.publicURLSet = cfg.publicURLSet || f.Name == "public-url" })
	switch cmd {
	case "serve":
		return serve(ctx, cfg, stdout)
	case "migrate":
		return migrate(ctx, cfg, stdout)
	case "poll":
		return poll(ctx, cfg, stdout)
	case "outbox list", "outbox requeue":
		return outbox(ctx, cfg, strings.TrimPrefix(cmd, "outbox "), stdout)
	case "webhook set", "webhook delete", "webhook info":
		return webhook(ctx, cfg, strings.TrimPrefix(cmd, "webhook "), stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown subcommand %q", cmd)
}

func newLogger(cfg config, w io.Writer) zerolog.Logger {
	level, err := zerolog.ParseLevel(cfg.LogLevel)
	if err != nil {
		level = zerolog.InfoLevel
	}
	if cfg.LogFormat == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}

// migrate applies the migrations of the main schema, and of the sandbox's
// when the sandbox is on.
func migrate(ctx context.Context, cfg config, stdout io.Writer) error {
	_, sandbox, err := cfg.sandboxBase()
	if err != nil {
		return err
	}
	schemas := []string{""}
	if sandbox {
		schemas = append(schemas, postgres.SandboxSchema)
	}
	for _, schema := range schemas {
		db, err := postgres.OpenSchema(ctx, cfg.DatabaseURL, schema)
		if err != nil {
			return err
		}
		n, err := db.Migrate(ctx)
		db.Close()
		if err != nil {
			return err
		}
		if schema == "" {
			fmt.Fprintf(stdout, "migrations applied: %d\n", n)
		} else {
			fmt.Fprintf(stdout, "migrations applied in schema %s: %d\n", schema, n)
		}
	}
	return nil
}

// app is the wired service: stores, flows, engine and HTTP surface.
type app struct {
	cfg      config
	texts    flows.Texts
	db       *postgres.DB
	store    *redis.Store
	engine   *bot.Engine
	relay    *bot.Relay
	bcast    *bot.Broadcaster
	media    *bot.Media
	server   *bot.Server
	telegram *telegram.Bot
	zalo     *zalo.Bot
	web      *web.Channel // the sandbox's
	close    func()
}

func newApp(ctx context.Context, cfg config, log zerolog.Logger) (*app, error) {
	if cfg.base == "" {
		redis.SetLogger(log) // one for the process: the app at "" has it
	}
	db, err := postgres.OpenSchema(ctx, cfg.DatabaseURL, cfg.schema)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	rdb, err := redis.Open(ctx, cfg.RedisURL, cfg.RedisClusterAddrs)
	if err != nil {
		db.Close()
		return nil, err
	}
	a := &app{cfg: cfg, db: db, store: redis.New(rdb, cfg.RedisPrefix), close: func() { rdb.Close(); db.Close() }}
	a.store.Lease = 3 * cfg.SendTimeout
	if n, err := a.store.RenameOld(ctx); err != nil {
		a.close()
		return nil, err
	} else if n > 0 {
		log.Info().Int("chats", n).Msg("renamed the chats' Redis keys of an older version")
	}
	texts, err := locales.New()
	if err != nil {
		a.close()
		return nil, err
	}
	a.texts = texts
	catalogs, err := locales.Catalogs()
	if err != nil {
		a.close()
		return nil, err
	}
	db.Moderators, db.ListingTTL = parseModerators(cfg.Moderators, log), cfg.ListingTTL
	if cfg.sandbox {
		db.ModeratorsLike = string(flows.Web) + ":" + sandboxModerator + "-" // each visitor's moderator
	}
	metrics := bot.NewMetrics()
	metrics.CountSQL(db.Statements)
	metrics.WatchOutbox(a.store.Waiting)
	metrics.WatchNotices(db.NoticesWaiting)
	metrics.WatchHeldNotices(db.HeldNoticesWaiting, db.HeldNoticesDue)
	channels := bot.Channels{}
	admins := &bot.GroupAdmins{Channels: channels, Store: a.store, TTL: cfg.AdminCacheTTL}
	ready := func(ctx context.Context) error {
		if err := db.Ping(ctx); err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		if err := a.store.Ping(ctx); err != nil {
			return fmt.Errorf("redis: %w", err)
		}
		return nil
	}
	a.engine = &bot.Engine{
		Store: a.store,
		Ready: ready,
		Users: db,
		Router: flows.NewRouter(flows.Deps{
			Users: db, Chats: db, Sellers: db, Listings: db, Markets: db, Roles: db, UserChats: db, Orders: db, Links: db, Invites: db,
			Broadcasts: db, Admins: admins, Pins: channels.CanPin, OrderTimeout: cfg.OrderTimeout, AnnounceDelay: cfg.AnnounceDelay,
			Figures: db, Downloads: db, Prices: &bot.PriceCache{Prices: db, TTL: time.Minute}, Follows: db, Held: db,
			FollowSent: func(kind string) { metrics.FollowNotices.WithLabelValues(kind).Inc() },
			Limits: flows.Limits{OpenOrders: cfg.MaxOpenOrders, ListingsPerDay: cfg.MaxListingsPerDay, FollowsPerDay: cfg.FollowDailyLimit,
				Hit: func(limit string) { metrics.LimitHits.WithLabelValues(limit).Inc() }},
			Catalogs: catalogs, Texts: texts, Now: time.Now, TTL: cfg.SessionTTL, RenewHours: parseHours(cfg.RenewalHours),
			PagesURL: strings.TrimRight(cfg.PublicBaseURL, "/"),
		}),
		Channels: channels,
		Admins:   admins,
		Metrics:  metrics,
		Log:      log,
		Now:      time.Now,
		UserTTL:  time.Hour,
		Attempt:  cfg.SendTimeout,
		RetryMin: 500 * time.Millisecond,
		RetryMax: 10 * time.Second,
		Senders:  8,
		GroupGap: map[flows.Channel]time.Duration{flows.Telegram: cfg.TelegramGroupGap, flows.Zalo: cfg.ZaloGroupGap},

		TypingAfter:  time.Second,
		MaxPerMinute: cfg.MaxMessagesPerMin,
	}
	// A buyer who blocked the bot follows nothing any more.
	a.engine.Gone = func(ctx context.Context, chat flows.ChatRef) {
		if err := a.engine.Router.ChatGone(ctx, chat); err != nil {
			log.Error().Err(err).Msg("forget the follows of a chat gone")
		}
	}
	a.media = &bot.Media{Store: db, Fetchers: map[flows.Channel]bot.Fetcher{}, Client: &http.Client{Timeout: time.Minute},
		CacheDir: cfg.MediaCacheDir, Metrics: metrics, Log: log, KeepOnArrival: map[flows.Channel]bool{flows.Zalo: true}}
	metrics.WatchMedia(db.PhotosWaiting)
	a.relay = &bot.Relay{Notices: db, Store: a.store, Deliver: a.engine.Deliver, Log: log, KeepFor: 7 * 24 * time.Hour}
	a.server = &bot.Server{
		Engine:  a.engine,
		Metrics: metrics,
		Media:   a.media,
		Log:     log,
		// Files offered by link where a channel cannot send them.
		Downloads: db,
		QRCodes:   bot.NewQRCodes(cfg.qrSecret()),
		Base:      cfg.base,
		Ready:     ready,
		// METRICS_ADDR set: /metrics on its own listener only (serve).
		MetricsApart: cfg.MetricsAddr != "",
	}
	a.bcast = &bot.Broadcaster{
		Jobs: db, Channels: a.engine.Channels, Store: a.store, Texts: texts, Metrics: metrics, Log: log,
		Throttle: a.store.Throttle(map[flows.Channel]redis.SendRate{
			flows.Telegram: {PerSecond: cfg.TelegramRate, PerGroupPerMinute: cfg.TelegramGroupRate},
			flows.Zalo:     {PerSecond: cfg.ZaloRate, PerGroupPerMinute: cfg.ZaloGroupRate},
		}),
		Workers: cfg.BroadcastWorkers, Attempt: cfg.SendTimeout, Lease: 6 * cfg.SendTimeout,
		RetryMin: time.Second, RetryMax: time.Minute, MaxAttempts: 8, ProgressEvery: 3 * time.Second,
	}
	if cfg.TelegramToken != "" {
		a.telegram, err = telegram.New(cfg.TelegramToken, cfg.TelegramEndpoint, metrics.Client("telegram", nil), texts)
		if err != nil {
			a.close()
			return nil, err
		}
		a.telegram.Secret = cfg.TelegramSecret
		a.addChannel(a.telegram, texts, cfg)
	}
	if cfg.ZaloToken != "" {
		a.zalo, err = zalo.New(cfg.ZaloToken, cfg.ZaloEndpoint, metrics.Client("zalo", nil))
		if err != nil {
			a.close()
			return nil, err
		}
		a.zalo.Secret, a.zalo.Log, a.zalo.BotName, a.zalo.BotLink = cfg.ZaloSecret, log, cfg.ZaloBotName, cfg.ZaloBotLink
		a.addChannel(a.zalo, texts, cfg)
	}
	for _, ad := range cfg.Adapters {
		a.addChannel(ad, texts, cfg)
	}
	if err := a.openSpools(cfg); err != nil {
		a.close()
		return nil, err
	}
	if cfg.sandbox {
		if err := a.openSandbox(ctx, log); err != nil {
			a.close()
			return nil, err
		}
	}
	if a.server.Pages, err = a.newPages(cfg, texts, catalogs, log); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

// newPages serves the market pages, with a way to order on each channel.
func (a *app) newPages(cfg config, texts flows.Texts, catalogs flows.Catalogs, log zerolog.Logger) (*pages.Pages, error) {
	var order []pages.Orderer
	for _, name := range slices.Sorted(maps.Keys(a.engine.Channels)) {
		if o, ok := a.engine.Channels[name].(pages.Orderer); ok {
			order = append(order, o)
		}
	}
	return pages.New(pages.Config{Base: cfg.base, PublicURL: cfg.PublicBaseURL, Sandbox: cfg.sandbox, Store: a.db,
		Texts: texts, Products: catalogs.Products, Channels: order, Log: log})
}

// addChannel registers a channel: its renderer, which links to the photos
// of other channels at /media and to payment QRs at /qr and records the
// platform's references of photos it uploaded, and its photo downloads, if
// it has them.
func (a *app) addChannel(ad bot.Adapter, texts flows.Texts, cfg config) {
	r := bot.Render(ad, texts)
	r.MediaURL = strings.TrimRight(cfg.PublicBaseURL, "/") + "/media/"
	r.QRURL = strings.TrimRight(cfg.PublicBaseURL, "/") + bot.QRPath
	r.QRCodes = a.server.QRCodes
	r.PagesURL = strings.TrimRight(cfg.PublicBaseURL, "/")
	r.Photos, r.Log = a.db, a.engine.Log
	a.engine.Channels.Add(r)
	if f, ok := ad.(bot.Fetcher); ok {
		a.media.Fetchers[ad.Name()] = f
	}
}

// openSpools gives each channel whose platform does not deliver again what
// got a 5xx (Zalo) its spool, in a folder of its own under SPOOL_DIR.
func (a *app) openSpools(cfg config) error {
	for _, name := range slices.Sorted(maps.Keys(a.engine.Channels)) {
		ch := a.engine.Channels[name]
		if bot.Redelivers(ch) {
			continue
		}
		sp, err := bot.OpenSpool(filepath.Join(cfg.SpoolDir, string(name)), ch, a.server.Metrics)
		if err != nil {
			return fmt.Errorf("SPOOL_DIR: %w", err)
		}
		sp.Max = cfg.SpoolMax
		if a.server.Spools == nil {
			a.server.Spools = map[flows.Channel]*bot.Spool{}
		}
		a.server.Spools[name] = sp
	}
	return nil
}

// relayEvery: notices (order timeouts, reminders, group posts) reach the
// outbox this soon after their change is committed.
const relayEvery = 250 * time.Millisecond

// keepEvery: published photos are fetched and kept this soon after.
const keepEvery = 2 * time.Second

// sweepEvery is how often outboxes that are due are looked at: replies
// held back by a failure go out within about this much of their time.
const sweepEvery = 250 * time.Millisecond

// broadcastEvery is how often, while none is due, announcements are looked
// for, and how often their progress and end are: each look is a query on
// every replica, idle or not.
const broadcastEvery = time.Second

// validSecret is what Telegram accepts as a webhook secret_token.
var validSecret = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// localURL tells whether u names this machine, which no platform reaches.
func localURL(u string) bool {
	parsed, err := url.Parse(u)
	if err != nil {
		return false
	}
	host := parsed.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback() || ip.IsUnspecified()
	}
	return host == "localhost"
}

// parseModerators reads MODERATORS: "telegram:12345,zalo:8f3a". The
// channel is read whatever its case, and spaces around either part do not
// count ("Telegram : 12345"). An entry that names nobody is left out and
// logged, by its place in the list and why, never as written: a token or
// a phone number may have been pasted there by mistake.
func parseModerators(s string, log zerolog.Logger) postgres.Moderators {
	m := postgres.Moderators{}
	for i, entry := range strings.Split(s, ",") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		channel, id, ok := strings.Cut(entry, ":")
		channel, id = strings.ToLower(strings.TrimSpace(channel)), strings.TrimSpace(id)
		why := ""
		switch {
		case !ok || channel == "" || id == "":
			why = "not channel:user_id"
		case strings.ContainsFunc(channel, func(r rune) bool { return r < 'a' || r > 'z' }):
			why = "a channel is a word, e.g. telegram or zalo"
		case strings.ContainsFunc(id, unicode.IsSpace) || strings.Contains(id, ":"):
			why = "a user id is one word"
		case channel == string(flows.Telegram) && strings.ContainsFunc(id, func(r rune) bool { return r < '0' || r > '9' }):
			why = "a Telegram user id is a number"
		}
		if why != "" {
			log.Warn().Int("entry", i+1).Str("why", why).Msg("MODERATORS: an entry names nobody, left out")
			continue
		}
		if !slices.Contains([]flows.Channel{flows.Telegram, flows.Zalo, flows.Web}, flows.Channel(channel)) {
			log.Warn().Int("entry", i+1).Str("channel", channel).Msg("MODERATORS: an entry names a channel the bot may not serve")
		}
		m[channel+":"+id] = true
	}
	return m
}

// parseHours reads a span of the day, "7-21" (from 07:00 to 21:00);
// anything else is the default (the zero Hours).
func parseHours(s string) flows.Hours {
	from, until, ok := strings.Cut(s, "-")
	h, err1 := strconv.Atoi(strings.TrimSpace(from))
	u, err2 := strconv.Atoi(strings.TrimSpace(until))
	if !ok || err1 != nil || err2 != nil || h < 0 || u > 24 || h >= u {
		return flows.Hours{}
	}
	return flows.Hours{From: h, Until: u}
}

func serve(ctx context.Context, cfg config, stdout io.Writer) error {
	log := newLogger(cfg, stdout)
	if cfg.TelegramToken != "" && !validSecret.MatchString(cfg.TelegramSecret) {
		return errors.New("TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_BOT_TOKEN (1-256 characters: A-Z, a-z, 0-9, _ and -): Telegram sends it back so that nobody else can post updates")
	}
	if cfg.ZaloToken != "" && !zalo.ValidSecret(cfg.ZaloSecret) {
		return errors.New("ZALO_WEBHOOK_SECRET is required with ZALO_BOT_TOKEN (8-256 characters): Zalo sends it back so that nobody else can post events")
	}
	sandboxBase, sandboxOn, err := cfg.sandboxBase()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	if !cfg.publicURLSet {
		// Links are built with the port actually listened on.
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		cfg.PublicBaseURL = "http://localhost:" + port
	}
	a, sandbox, err := newApps(ctx, cfg, log, sandboxBase, sandboxOn)
	if err != nil {
		return err
	}
	apps := []*app{a}
	if sandbox != nil && sandbox != a { // without a token the sandbox is the app
		apps = append(apps, sandbox)
	}
	for _, a := range apps {
		defer a.close()
	}

	var beside []*bot.Server
	if sandbox != nil && sandbox != a {
		beside = append(beside, sandbox.server)
	}
	srv := &http.Server{Handler: a.server.Routes(beside...), ReadHeaderTimeout: 10 * time.Second}
	for _, a := range apps {
		srv.RegisterOnShutdown(a.server.Shutdown) // open event streams end, so Shutdown does not wait on them
	}
	background, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	for _, a := range apps {
		wg.Go(func() { a.engine.RunSweeper(background, sweepEvery) })
		wg.Go(func() { a.engine.RunTicks(background, cfg.TickEvery) })
		wg.Go(func() { a.engine.RunRelay(background, a.relay, relayEvery) })
		wg.Go(func() { a.engine.RunKeeper(background, a.media, keepEvery) })
		wg.Go(func() { a.engine.RunBroadcaster(background, a.bcast, broadcastEvery) })
		if a.web != nil {
			wg.Go(func() { a.runSandboxChores(background, log) })
		}
		a.runReplayers(background, &wg)
	}
	// Last, after the HTTP server: stop the background work before the pools close.
	defer wg.Wait()
	defer stopBackground()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg.MetricsAddr, a.server.MetricsHandler(), log)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	if cfg.DebugAddr != "" {
		_, stopDebug, err := serveDebug(cfg.DebugAddr, log)
		if err != nil {
			return err
		}
		defer stopDebug()
	}
	log.Info().Str("addr", ln.Addr().String()).Msg("listening")
	if len(a.engine.Channels) > 1 && localURL(cfg.PublicBaseURL) {
		log.Warn().Str("public_url", cfg.PublicBaseURL).
			Msg("PUBLIC_BASE_URL is local: platforms cannot fetch the photos of other channels from it; posts go without them")
	}
	sandboxURL := strings.TrimRight(cfg.PublicBaseURL, "/") + sandboxPath
	if sandbox == a {
		fmt.Fprintf(stdout, sandboxHelp, sandboxURL)
	}
	switch {
	case a.telegram == nil && a.zalo == nil:
		fmt.Fprintf(stdout, noTokenHelp, ln.Addr().String())
	case sandbox != nil:
		log.Info().Str("url", sandboxURL).Msg("sandbox enabled (SANDBOX=1): a world of its own beside the real one")
	}
	if a.telegram != nil {
		log.Info().Str("bot", a.telegram.Username()).Str("webhook", strings.TrimRight(cfg.PublicBaseURL, "/")+"/webhook/telegram").Msg("telegram enabled")
	}
	if a.zalo != nil {
		me := a.zalo.Me()
		log.Info().Str("bot", me.AccountName).Bool("can_join_groups", me.CanJoinGroups).
			Str("webhook", strings.TrimRight(cfg.PublicBaseURL, "/")+"/webhook/zalo").Msg("zalo enabled")
	}

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Stop accepting, let in-flight updates finish, then close the pools.
	log.Info().Msg("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// runReplayers handles, in the background, the updates spooled by this run
// or an earlier one.
func (a *app) runReplayers(ctx context.Context, wg *sync.WaitGroup) {
	for name, sp := range a.server.Spools {
		if n := sp.Depth(); n > 0 {
			a.engine.Log.Info().Str("channel", string(name)).Int("updates", n).Msg("replaying the spool")
		}
		wg.Go(func() { a.server.RunReplayer(ctx, a.engine.Channels[name], sp) })
	}
}

// newApps wires the service: a is the app served at "" (the real one, or
// the sandbox when it is the whole service); sandbox is the sandbox app, a
// itself, another beside it, or nil.
func newApps(ctx context.Context, cfg config, log zerolog.Logger, sandboxBase string, sandboxOn bool) (a, sandbox *app, err error) {
	if sandboxOn && sandboxBase == "" {
		sc := sandboxConfig(cfg, "")
		sc.Adapters = append(cfg.Adapters, cfg.SandboxAdapters...)
		sandbox, err = newApp(ctx, sc, log)
		return sandbox, sandbox, err
	}
	if a, err = newApp(ctx, cfg, log); err != nil {
		return nil, nil, err
	}
	if sandboxOn {
		if sandbox, err = newApp(ctx, sandboxConfig(cfg, sandboxBase), log.With().Str("app", "sandbox").Logger()); err != nil {
			a.close()
			return nil, nil, err
		}
	}
	return a, sandbox, nil
}

const sandboxHelp = `
Open %s
to try Nông Sản Bot in the browser: you play a farmer, a buyer and a group
moderator in a sandbox whose people, listings and orders are its own.
`

const noTokenHelp = `
Nông Sản Bot is running on %s without a chat platform.
To connect a Telegram bot (create one with @BotFather), set in .env or the environment:
    TELEGRAM_BOT_TOKEN=123456:ABC...
    TELEGRAM_WEBHOOK_SECRET=<the output of: openssl rand -hex 32>
To connect a Zalo bot (create one with Zalo Bot Creator, https://zalo.me/s/botcreator/):
    ZALO_BOT_TOKEN=<bot id>:<access token>
    ZALO_WEBHOOK_SECRET=<the output of: openssl rand -hex 32>
then either
    PUBLIC_BASE_URL=https://your.host  make run   and   bin/nongsan webhook set
or, without a public URL:
    bin/nongsan poll
`

func poll(ctx context.Context, cfg config, stdout io.Writer) error {
	if cfg.TelegramToken == "" && cfg.ZaloToken == "" {
		return errors.New("TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN is required for polling")
	}
	log := newLogger(cfg, stdout)
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	// Each platform polled at once, every update through the same Receive.
	var pollers []func(ctx context.Context) error
	if a.telegram != nil {
		if err := a.telegram.DeleteWebhook(); err != nil {
			return fmt.Errorf("delete Telegram webhook before polling: %w", err)
		}
		log.Info().Str("bot", a.telegram.Username()).Msg("polling Telegram")
		ch := a.engine.Channels[flows.Telegram]
		pollers = append(pollers, func(ctx context.Context) error { return a.telegram.Poll(ctx, a.server.PollHandler(ctx, ch)) })
	}
	if a.zalo != nil {
		if err := a.zalo.DeleteWebhook(ctx); err != nil {
			return fmt.Errorf("delete Zalo webhook before polling: %w", err)
		}
		log.Info().Str("bot", a.zalo.Me().AccountName).Msg("polling Zalo")
		ch := a.engine.Channels[flows.Zalo]
		pollers = append(pollers, func(ctx context.Context) error { return a.zalo.Poll(ctx, a.server.PollHandler(ctx, ch)) })
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { a.engine.RunSweeper(ctx, sweepEvery) })
	wg.Go(func() { a.engine.RunTicks(ctx, cfg.TickEvery) })
	wg.Go(func() { a.engine.RunRelay(ctx, a.relay, relayEvery) })
	wg.Go(func() { a.engine.RunKeeper(ctx, a.media, keepEvery) })
	wg.Go(func() { a.engine.RunBroadcaster(ctx, a.bcast, broadcastEvery) })
	a.runReplayers(ctx, &wg) // what serve spooled and did not handle
	errs := make(chan error, len(pollers))
	for _, p := range pollers {
		go func() {
			err := p(ctx)
			stop() // one poller failing stops them all
			errs <- err
		}()
	}
	for range pollers {
		err = errors.Join(err, <-errs)
	}
	return err
}

// webhook registers, removes or shows the webhook of each platform whose
// token is set.
func webhook(ctx context.Context, cfg config, action string, stdout io.Writer) error {
	if cfg.TelegramToken == "" && cfg.ZaloToken == "" {
		return errors.New("TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN is required")
	}
	client := &http.Client{Timeout: 30 * time.Second}
	if cfg.TelegramToken != "" {
		if err := webhookTelegram(cfg, client, action, stdout); err != nil {
			return err
		}
	}
	if cfg.ZaloToken != "" {
		if err := webhookZalo(ctx, cfg, client, action, stdout); err != nil {
			return err
		}
	}
	return nil
}

func webhookTelegram(cfg config, client *http.Client, action string, stdout io.Writer) error {
	texts, err := locales.New()
	if err != nil {
		return err
	}
	tg, err := telegram.New(cfg.TelegramToken, cfg.TelegramEndpoint, client, texts)
	if err != nil {
		return err
	}
	switch action {
	case "set":
		if cfg.TelegramSecret == "" {
			return errors.New("TELEGRAM_WEBHOOK_SECRET is required")
		}
		url := strings.TrimRight(cfg.PublicBaseURL, "/") + "/webhook/telegram"
		if err := tg.SetWebhook(url, cfg.TelegramSecret); err != nil {
			return fmt.Errorf("setWebhook: %w", err)
		}
		if err := tg.SetCommands(flows.Commands); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "webhook of @%s set to %s, command menu published\n", tg.Username(), url)
	case "delete":
		if err := tg.DeleteWebhook(); err != nil {
			return fmt.Errorf("deleteWebhook: %w", err)
		}
		fmt.Fprintf(stdout, "webhook of @%s deleted\n", tg.Username())
	case "info":
		info, err := tg.WebhookInfo()
		if err != nil {
			return fmt.Errorf("getWebhookInfo: %w", err)
		}
		fmt.Fprintf(stdout, "bot: @%s\nurl: %s\npending updates: %d\nlast error: %s\n",
			tg.Username(), info.URL, info.PendingUpdateCount, info.LastErrorMessage)
	}
	return nil
}

// webhookZalo does for Zalo what webhookTelegram does; Zalo has no
// command menu to publish.
func webhookZalo(ctx context.Context, cfg config, client *http.Client, action string, stdout io.Writer) error {
	z, err := zalo.New(cfg.ZaloToken, cfg.ZaloEndpoint, client)
	if err != nil {
		return err
	}
	name := z.Me().AccountName
	switch action {
	case "set":
		if !zalo.ValidSecret(cfg.ZaloSecret) {
			return errors.New("ZALO_WEBHOOK_SECRET is required (8-256 characters)")
		}
		url := strings.TrimRight(cfg.PublicBaseURL, "/") + "/webhook/zalo"
		v, err := z.SetWebhook(ctx, url, cfg.ZaloSecret)
		if err != nil {
			return fmt.Errorf("zalo setWebhook: %w", err)
		}
		switch {
		case v == nil:
			fmt.Fprintf(stdout, "webhook of Zalo bot %s set to %s (Zalo reported no test of it)\n", name, url)
		case !v.OK:
			// Zalo keeps it, but its test request failed: farmers would
			// get no answers, and nothing else would say why.
			fmt.Fprintf(stdout, "webhook of Zalo bot %s set to %s, but Zalo's test request to it FAILED\noutcome: %s\nhint: %s\n",
				name, url, v.Outcome, v.Hint)
			return fmt.Errorf("zalo webhook verification failed: %s", v.Outcome)
		default:
			fmt.Fprintf(stdout, "webhook of Zalo bot %s set to %s, and Zalo's test request to it succeeded (%s)\n", name, url, v.Outcome)
		}
	case "delete":
		if err := z.DeleteWebhook(ctx); err != nil {
			return fmt.Errorf("zalo deleteWebhook: %w", err)
		}
		fmt.Fprintf(stdout, "webhook of Zalo bot %s deleted\n", name)
	case "info":
		info, err := z.WebhookInfo(ctx)
		if err != nil {
			return fmt.Errorf("zalo getWebhookInfo: %w", err)
		}
		updated := "never"
		if info.UpdatedAt > 0 {
			updated = time.UnixMilli(info.UpdatedAt).UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(stdout, "zalo bot: %s (%s)\nurl: %s\nupdated: %s\ncan join groups: %t\n",
			name, z.Me().AccountType, info.URL, updated, z.Me().CanJoinGroups)
	}
	return nil
}

// outbox shows the dead-letter list (where each reply was going, why it was
// set aside, when; never what it says, which may hold a phone number), or
// puts every entry back into its chat's outbox.
func outbox(ctx context.Context, cfg config, action string, stdout io.Writer) error {
	rdb, err := redis.Open(ctx, cfg.RedisURL, cfg.RedisClusterAddrs)
	if err != nil {
		return err
	}
	defer rdb.Close()
	store := redis.New(rdb, cfg.RedisPrefix)
	switch action {
	case "list":
		dead, err := store.DeadLetters(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d replies set aside\n", len(dead))
		for _, d := range dead {
			fmt.Fprintf(stdout, "%s  %s:%s  %s\n", d.At.Format(time.RFC3339), d.Chat.Channel, d.Chat.ChatID, d.Reason)
		}
	case "requeue":
		n, err := store.Requeue(ctx, math.MaxInt, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d replies put back in their outboxes\n", n)
	}
	return nil
}
