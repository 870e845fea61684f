package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/web"
	"github.com/nongsan-bot/nongsan/flows"
)

// The sandbox is a second wiring of the same app, a world of its own: its
// PostgreSQL schema, its Redis prefix, its moderators, its only channel the
// web one. Whoever opens it plays three people of their own (the web
// channel's worlds), in one market group shared by every visitor.
const (
	sandboxPath = "/sandbox" // its chat page, in every mode; its base beside the real app
	// sandboxMarket is the web channel's group chat: the market of every area.
	sandboxMarket = web.Market
	// sandboxModerator is the persona who moderates the sandbox: each
	// visitor's (ModeratorsLike).
	sandboxModerator = web.Moderator
)

// sandboxBase tells where the sandbox is served: the whole service ("")
// when no bot token is set, beside the real app ("/sandbox") with tokens
// and SANDBOX=1, nowhere (on false) with SANDBOX=0, or with tokens and
// SANDBOX unset.
func (c config) sandboxBase() (base string, on bool, err error) {
	explicit := c.Sandbox != ""
	want, err := strconv.ParseBool(c.Sandbox)
	if explicit && err != nil {
		return "", false, fmt.Errorf("SANDBOX is %q: 1 turns the sandbox on, 0 off", c.Sandbox)
	}
	if c.TelegramToken == "" && c.ZaloToken == "" {
		return "", !explicit || want, nil
	}
	return sandboxPath, explicit && want, nil
}

// sandboxConfig is the sandbox app's config, derived from the service's:
// same servers, its own schema, prefix, moderator and photo cache, no bot
// token, and a public URL under its base, so that every link it builds
// (photos, QRs, pages) is right in both modes.
func sandboxConfig(c config, base string) config {
	s := c
	s.sandbox, s.base, s.schema = true, base, postgres.SandboxSchema
	s.RedisPrefix = c.RedisPrefix + "sandbox:"
	s.PublicBaseURL = strings.TrimRight(c.PublicBaseURL, "/") + base
	s.Moderators = "" // no real one: every visitor's moderator persona is one (ModeratorsLike)
	s.TelegramToken, s.ZaloToken = "", ""
	s.MediaCacheDir = filepath.Join(c.MediaCacheDir, "sandbox")
	s.SpoolDir = filepath.Join(c.SpoolDir, "sandbox")
	s.Adapters, s.SandboxAdapters = c.SandboxAdapters, nil
	return s
}

// inSandbox is a channel that tests register in the sandbox app rather
// than the real one; run unwraps it.
type inSandbox struct{ bot.Adapter }

// Web channel limits: the stream keeps the newest messages; every POST of
// the page is counted per client.
const (
	sandboxLogMax   = 10_000
	sandboxPostsMax = 120 // a minute
	// All visitors of one address together, a minute: a room of some twenty
	// people behind one proxy, each at full pace.
	sandboxAddressMax = 20 * sandboxPostsMax
)

// openSandbox gives the sandbox app its web channel, whose wipe is the
// app's reset (every visitor's world), and seeds its world.
func (a *app) openSandbox(ctx context.Context, log zerolog.Logger) error {
	proxies, err := web.ParseProxies(a.cfg.TrustedProxies)
	if err != nil {
		return err
	}
	ch, err := web.New(web.Config{PublicURL: a.cfg.PublicBaseURL, Base: a.cfg.base, UploadDir: a.cfg.SandboxUploadDir,
		Log: a.store.WebLog(sandboxLogMax), Limiter: a.store.Limiter("web", sandboxPostsMax, time.Minute),
		AddressLimiter: a.store.Limiter("web-address", sandboxAddressMax, time.Minute), TrustedProxies: proxies,
		Texts: a.texts, Reset: a.reset, Forget: a.forget, Logger: log})
	if err != nil {
		return err
	}
	a.addChannel(ch, a.texts, a.cfg)
	a.web = ch
	return a.seed(ctx)
}

// uploadSweepEvery is how often uploads never sent are looked for.
const uploadSweepEvery = 10 * time.Minute

// runSandboxChores removes the uploads never sent, and wipes the whole
// sandbox every SANDBOX_WIPE_EVERY (a visitor's reset is only theirs), so
// that its tables do not grow for ever. Each replica wipes on its own
// clock: a wipe is idempotent, and the sandbox is meant to run alone.
func (a *app) runSandboxChores(ctx context.Context, log zerolog.Logger) {
	sweep := time.NewTicker(uploadSweepEvery)
	defer sweep.Stop()
	wipe := time.NewTicker(a.cfg.SandboxWipeEvery)
	defer wipe.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-sweep.C:
			if err := a.web.SweepUploads(now); err != nil {
				log.Warn().Err(err).Msg("sandbox uploads")
			}
		case <-wipe.C:
			if err := a.web.WipeAll(ctx); err != nil {
				log.Error().Err(err).Msg("sandbox wipe")
			} else {
				log.Info().Msg("sandbox wiped, as every SANDBOX_WIPE_EVERY")
			}
		}
	}
}

// seed gives the sandbox its market group: the web channel's group chat,
// titled from the locales, a market for every area. Run at start and
// after every reset; running it again changes nothing.
func (a *app) seed(ctx context.Context) error {
	market := flows.ChatRef{Channel: flows.Web, ChatID: sandboxMarket}
	if err := a.db.SaveGroup(ctx, market, a.texts.Text("vi", flows.M("sandbox.market")), true); err != nil {
		return fmt.Errorf("seed sandbox: %w", err)
	}
	if err := a.db.RegisterMarket(ctx, flows.MarketGroup{Ref: market}, 0); err != nil {
		return fmt.Errorf("seed sandbox: %w", err)
	}
	return nil
}

// reset is the sandbox's "start over": its tables and Redis keys are
// emptied (both refuse anything but the sandbox's), its cached photos
// removed, and its market seeded again.
func (a *app) reset(ctx context.Context) error {
	if !a.cfg.sandbox {
		return fmt.Errorf("reset: not the sandbox")
	}
	if err := a.db.Reset(ctx); err != nil {
		return err
	}
	if err := a.store.Reset(ctx); err != nil {
		return err
	}
	cached, _ := filepath.Glob(filepath.Join(a.cfg.MediaCacheDir, "*.jpg"))
	for _, f := range cached {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("reset: photo cache: %w", err)
		}
	}
	return a.seed(ctx)
}

// forget takes down a sandbox visitor's listings when they start over
// (their world's farmer's, or those a persona of theirs registered), so
// that the shared market shows only what someone is still playing with.
func (a *app) forget(ctx context.Context, world string) error {
	_, err := a.db.RemoveSandboxListings(ctx, flows.Web, web.PersonaUsers(world))
	return err
}
