package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/zalo"
)

// config is every setting, each a flag whose default comes from the
// environment variable named in its usage.
type config struct {
	HTTPAddr          string
	DebugAddr         string
	MetricsAddr       string
	DatabaseURL       string
	RedisURL          string
	RedisClusterAddrs string
	RedisPrefix       string
	TelegramToken     string
	TelegramSecret    string
	TelegramEndpoint  string
	ZaloToken         string
	ZaloSecret        string
	ZaloEndpoint      string
	ZaloBotName       string
	ZaloBotLink       string // https address of the private chat with the Zalo bot; "" none
	PublicBaseURL     string
	MediaCacheDir     string
	SpoolDir          string
	SpoolMax          int // updates a spool holds at most; beyond, the webhook answers 503
	Moderators        string
	RenewalHours      string // "7-21": from-until, Vietnam time; renewal questions, order reminders, follow notices
	LogLevel          string
	LogFormat         string
	SessionTTL        time.Duration
	ListingTTL        time.Duration
	TickEvery         time.Duration
	OrderTimeout      time.Duration
	AnnounceDelay     time.Duration
	SendTimeout       time.Duration
	TelegramGroupGap  time.Duration
	ZaloGroupGap      time.Duration
	AdminCacheTTL     time.Duration
	// Abuse limits (0: none).
	MaxOpenOrders     int
	MaxListingsPerDay int
	FollowDailyLimit  int
	MaxMessagesPerMin int
	// Send rates shared by every replica: messages per second overall,
	// and per minute to one group.
	TelegramRate      int
	TelegramGroupRate int
	ZaloRate          int
	ZaloGroupRate     int
	BroadcastWorkers  int
	Sandbox           string // "": on only without tokens; "1" on; "0" off
	SandboxUploadDir  string
	SandboxWipeEvery  time.Duration
	TrustedProxies    string // addresses or CIDRs whose X-Forwarded-For the sandbox believes
	// Adapters are channels beyond those the environment enables: tests
	// add theirs through run.
	Adapters []bot.Adapter
	// SandboxAdapters are the sandbox app's, beside the real one.
	SandboxAdapters []bot.Adapter

	// Set by the program, not by flags.
	publicURLSet bool   // PUBLIC_BASE_URL was given, not defaulted
	schema       string // PostgreSQL schema of the app's data; "" the URL's own
	base         string // path the app's pages, photos and QRs are served under
	sandbox      bool   // the config of the sandbox app (sandboxConfig)
}

// Local development instances started by deploy/dev/services.sh.
const (
	devDatabaseURL = "postgres://nongsan@127.0.0.1:55432/nongsan?sslmode=disable"
	devRedisURL    = "redis://127.0.0.1:56379/0"
)

func (c *config) flags(fs *flag.FlagSet, getenv func(string) string) {
	str := func(p *string, name, env, def, usage string) {
		v := getenv(env)
		if v == "" {
			v = def
		}
		fs.StringVar(p, name, v, fmt.Sprintf("%s (env %s)", usage, env))
	}
	str(&c.HTTPAddr, "addr", "HTTP_ADDR", ":8080", "listen address")
	str(&c.MetricsAddr, "metrics-addr", "METRICS_ADDR", "", "listen address of /metrics alone, e.g. :9090, for Prometheus inside the cluster; unset, /metrics is served on HTTP_ADDR beside the webhooks and pages")
	str(&c.DebugAddr, "debug-addr", "DEBUG_ADDR", "", "listen address of the Go profiler (/debug/pprof/), e.g. 127.0.0.1:6060; unset, none. Never a public one")
	str(&c.DatabaseURL, "database-url", "DATABASE_URL", devDatabaseURL, "PostgreSQL connection string")
	str(&c.RedisURL, "redis-url", "REDIS_URL", devRedisURL, "Redis URL, redis:// or rediss://")
	str(&c.RedisClusterAddrs, "redis-cluster-addrs", "REDIS_CLUSTER_ADDRS", "", "Redis Cluster nodes, host:port,…; set, the cluster is used (with REDIS_URL's user, password and TLS)")
	str(&c.RedisPrefix, "redis-prefix", "REDIS_PREFIX", "nongsan:", "prefix of every Redis key")
	str(&c.TelegramToken, "telegram-token", "TELEGRAM_BOT_TOKEN", "", "Telegram bot token; enables Telegram")
	str(&c.TelegramSecret, "telegram-secret", "TELEGRAM_WEBHOOK_SECRET", "", "Telegram webhook secret")
	str(&c.TelegramEndpoint, "telegram-endpoint", "TELEGRAM_API_ENDPOINT", "https://api.telegram.org/bot%s/%s", "Telegram Bot API endpoint")
	str(&c.ZaloToken, "zalo-token", "ZALO_BOT_TOKEN", "", "Zalo Bot Platform token (from Zalo Bot Creator); enables Zalo")
	str(&c.ZaloSecret, "zalo-secret", "ZALO_WEBHOOK_SECRET", "", "Zalo webhook secret, 8-256 characters")
	str(&c.ZaloEndpoint, "zalo-endpoint", "ZALO_API_ENDPOINT", zalo.DefaultEndpoint, "Zalo Bot API endpoint")
	str(&c.ZaloBotName, "zalo-bot-name", "ZALO_BOT_NAME", zalo.DefaultBotName, "the Zalo bot's name as users see it (it begins with \"Bot\"): what group members @mention, and what texts tell Zalo users to message")
	str(&c.ZaloBotLink, "zalo-bot-link", "ZALO_BOT_LINK", "", "an https address that opens the private chat with the Zalo bot, e.g. https://zalo.me/<bot id>: given where Zalo texts send users to it; unset, they name the bot only")
	str(&c.PublicBaseURL, "public-url", "PUBLIC_BASE_URL", "http://localhost:8080", "public base URL of this service")
	str(&c.MediaCacheDir, "media-cache-dir", "MEDIA_CACHE_DIR", defaultMediaCache(), "disk cache of the photos served at /media")
	str(&c.SpoolDir, "spool-dir", "SPOOL_DIR", ".dev/spool", "folder (one per channel inside) where updates of Zalo, which is not known to deliver again what failed, are kept while PostgreSQL or Redis is down, and replayed from; must outlive the process (a volume, not a container's layer)")
	str(&c.Moderators, "moderators", "MODERATORS", "", "global moderators, channel:user_id,…")
	str(&c.RenewalHours, "renewal-hours", "RENEWAL_HOURS", "7-21", "hours of the day (Vietnam time, from-until) in which a farmer is asked whether to sell a listing ending tomorrow another week, or reminded of an order not answered, and followers are told of new listings")
	str(&c.LogLevel, "log-level", "LOG_LEVEL", "info", "log level")
	str(&c.LogFormat, "log-format", "LOG_FORMAT", "json", "log format, json or console")
	str(&c.Sandbox, "sandbox", "SANDBOX", "", "the web sandbox at /sandbox, a world of its own: 1 on, 0 off; unset, on only when no bot token is set")
	str(&c.TrustedProxies, "trusted-proxies", "TRUSTED_PROXIES", "", "reverse proxies in front of the service (addresses or CIDRs, comma separated): the sandbox counts a request from one as the client's address in X-Forwarded-For; unset, every request as its connection's address")
	str(&c.SandboxUploadDir, "sandbox-upload-dir", "SANDBOX_UPLOAD_DIR", ".dev/sandbox-uploads", "folder of the photos uploaded in the sandbox")
	dur := func(p *time.Duration, name, env string, def time.Duration, usage string) {
		d, err := time.ParseDuration(getenv(env))
		if err != nil || d <= 0 {
			d = def
		}
		fs.DurationVar(p, name, d, fmt.Sprintf("%s (env %s)", usage, env))
	}
	dur(&c.SessionTTL, "session-ttl", "SESSION_TTL", 24*time.Hour, "how long an untouched conversation is kept")
	dur(&c.ListingTTL, "listing-ttl", "LISTING_TTL", 7*24*time.Hour, "how long a listing stays up after its ready date")
	dur(&c.OrderTimeout, "order-timeout", "ORDER_TIMEOUT", 12*time.Hour, "an order the farmer does not answer is cancelled after")
	dur(&c.AnnounceDelay, "announce-delay", "ANNOUNCE_DELAY", 20*time.Second, "group announcements wait this long to coalesce a burst")
	dur(&c.SendTimeout, "send-timeout", "SEND_TIMEOUT", 5*time.Second, "one call to a platform's API gives up after; a chat's send lease is three times as long")
	dur(&c.AdminCacheTTL, "admin-cache-ttl", "ADMIN_CACHE_TTL", 10*time.Minute, "how long a group's admin list, as the platform gave it, is trusted")
	dur(&c.SandboxWipeEvery, "sandbox-wipe-every", "SANDBOX_WIPE_EVERY", 24*time.Hour, "how often the whole sandbox, every visitor's world, is wiped and seeded again")
	dur(&c.TickEvery, "tick-every", "TICK_EVERY", time.Minute, "how often listing expiry is checked")
	// Telegram allows about 20 messages a minute in a group; Zalo publishes
	// no figure, so it gets the same.
	dur(&c.TelegramGroupGap, "telegram-group-gap", "TELEGRAM_GROUP_GAP", 3*time.Second, "time kept between two messages waiting for one Telegram group")
	dur(&c.ZaloGroupGap, "zalo-group-gap", "ZALO_GROUP_GAP", 3*time.Second, "time kept between two messages waiting for one Zalo group")
	num := func(p *int, name, env string, def int, usage string) {
		n, err := strconv.Atoi(getenv(env))
		if err != nil || n < 0 {
			n = def
		}
		fs.IntVar(p, name, n, fmt.Sprintf("%s; 0 for no limit (env %s)", usage, env))
	}
	// Today one buyer could reserve every listing's stock for 12 hours.
	num(&c.MaxOpenOrders, "max-open-orders", "MAX_OPEN_ORDERS", 5, "a buyer's orders not yet accepted by the farmer, at most")
	num(&c.MaxListingsPerDay, "max-listings-per-day", "MAX_LISTINGS_PER_DAY", 10, "a farmer's new listings per day (Vietnam time, a helper's posts included), at most")
	num(&c.FollowDailyLimit, "follow-daily-limit", "FOLLOW_DAILY_LIMIT", 5, "new listings told to a follower one by one per day (Vietnam time); the rest come in one digest the next morning, when RENEWAL_HOURS begin")
	num(&c.SpoolMax, "spool-max", "SPOOL_MAX", 10000, "updates a channel's spool (SPOOL_DIR) holds at most, not handled yet: beyond, its webhook answers 503 rather than fill the disk during a long outage")
	num(&c.MaxMessagesPerMin, "max-messages-per-minute", "MAX_MESSAGES_PER_MINUTE", 30, "updates of one private chat per minute, at most: the first over gets one kind reply, the rest none")
	// Telegram's figures: about 30 messages a second in all, 20 a minute
	// in one group. Zalo publishes none, so it gets the same.
	num(&c.TelegramRate, "telegram-rate", "TELEGRAM_RATE", 30, "Telegram messages per second, all replicas together (broadcasts)")
	num(&c.TelegramGroupRate, "telegram-group-rate", "TELEGRAM_GROUP_RATE", 20, "Telegram messages per minute to one group, all replicas together (broadcasts, on the pace TELEGRAM_GROUP_GAP keeps too)")
	num(&c.ZaloRate, "zalo-rate", "ZALO_RATE", 5, "Zalo messages per second, all replicas together (broadcasts; Zalo publishes no figure)")
	num(&c.ZaloGroupRate, "zalo-group-rate", "ZALO_GROUP_RATE", 20, "Zalo messages per minute to one group, all replicas together (broadcasts, on the pace ZALO_GROUP_GAP keeps too)")
	workers := 8
	if n, err := strconv.Atoi(getenv("BROADCAST_WORKERS")); err == nil && n > 0 {
		workers = n
	}
	fs.IntVar(&c.BroadcastWorkers, "broadcast-workers", workers, "announcements sent at once by one replica (env BROADCAST_WORKERS)")
}

// defaultMediaCache is under the user's cache folder, else the temporary one:
// a cache that may vanish (PostgreSQL keeps every photo).
func defaultMediaCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "nongsan", "media")
}

// qrSecret keys the codes of payment QR URLs (bot.QRCodes): the secrets
// the service already holds, which every replica shares and nobody else
// knows, so that no new setting is needed. Changing one of them changes
// the key, and the QR links sent before stop drawing (a platform fetches
// a photo as its message goes out, so little is lost). Without any (a
// sandbox alone, where no channel sends QRs by URL) nil: a random key.
func (c *config) qrSecret() []byte {
	secrets := []string{c.TelegramToken, c.TelegramSecret, c.ZaloToken, c.ZaloSecret}
	if strings.Join(secrets, "") == "" {
		return nil
	}
	h := sha256.New()
	for _, s := range secrets {
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	return h.Sum(nil)
}

// check refuses settings that cannot work, at start rather than in front
// of users.
func (c *config) check() error {
	if c.ZaloBotLink != "" && !httpsURL(c.ZaloBotLink) {
		return fmt.Errorf("ZALO_BOT_LINK %q is no https address (e.g. https://zalo.me/<bot id>): Zalo users are sent to it", c.ZaloBotLink)
	}
	return nil
}

// httpsURL tells whether s is an absolute https URL with a host, nothing
// else (no user, no spaces): shown to users as a link.
func httpsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil && u.Opaque == "" &&
		!strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}
