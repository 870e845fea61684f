package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/flows"
)

// secretHeader carries the channel's secret from send to the webhook.
const secretHeader = "X-Web-Secret"

// Limits of what the page sends.
const (
	maxSendBody = 64 << 10
	maxText     = 4096 // letters, as Telegram counts them, not bytes
	maxAlbum    = 10
	MaxUpload   = 10 << 20 // one photo, as the phone took it
	// An upload's pixels, read from its header before it is decoded: a
	// small file can claim a huge picture, and decoding one takes seconds
	// of CPU. The page sends photos shrunk to 1280 px; a phone's own
	// photo is at most some 12 MP (4000×3000).
	MaxUploadSide   = 4096
	MaxUploadPixels = 16_000_000
	// DefaultMaxUploads: some 1.5 GB of photos kept at 1280 px, whatever
	// scripts upload and never send in a day.
	DefaultMaxUploads = 5000
)

// csp lets the page load only its own script, style and images (photos
// and QRs come as data: URLs or from this server).
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Mount serves the page, its script and style, and its API. The webhook
// is not mounted: only send reaches it, with ids the server chose.
func (c *Channel) Mount(mux *http.ServeMux, webhook func(header, secret string) http.Handler) {
	hook := webhook(secretHeader, c.secret)
	// The page and the stream are gzipped (bot.Compress): a replay of
	// hundreds of messages is mostly the same JSON keys.
	mux.Handle("GET /sandbox", c.headers(bot.Compress(c.page())))
	mux.Handle("GET /sandbox/ui/", c.headers(http.StripPrefix("/sandbox/ui/", ui())))
	mux.Handle("GET /sandbox/api/events", c.headers(c.limitedTo("events:", bot.CompressStream(c.events()))))
	mux.Handle("GET "+uploadPath+"{name}", c.headers(c.servePhoto()))
	mux.Handle("POST /sandbox/api/send", c.headers(c.limited(c.send(hook))))
	mux.Handle("POST /sandbox/api/photo", c.headers(c.limited(c.upload())))
	mux.Handle("POST /sandbox/api/reset", c.headers(c.limited(c.reset())))
}

func (c *Channel) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// limited answers 429 to a visitor beyond the limit, and 403 to a POST
// another site's page makes (a form that would reset the sandbox, say).
func (c *Channel) limited(next http.Handler) http.Handler { return c.limitedTo("", next) }

// limitedTo counts requests under kind (a budget of their own): each
// visitor's (visitor), and all those of one address together, which every
// visitor behind one proxy shares (AddressLimiter, a larger budget).
func (c *Channel) limitedTo(kind string, next http.Handler) http.Handler {
	return http.NewCrossOriginProtection().Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		person, host := c.visitor(r)
		now := time.Now()
		ok, err := c.cfg.Limiter.Allow(r.Context(), kind+person, now)
		if ok && err == nil && c.cfg.AddressLimiter != nil {
			ok, err = c.cfg.AddressLimiter.Allow(r.Context(), kind+host, now)
		}
		switch {
		case err != nil:
			c.cfg.Logger.Warn().Err(err).Msg("web rate limit")
			c.fail(w, http.StatusServiceUnavailable, "sandbox.busy")
		case !ok:
			// Both limiters count by the minute: the next one's start.
			retryAfter(w, c.cfg.Limiter.Wait(now))
			c.fail(w, http.StatusTooManyRequests, "sandbox.slow_down")
		default:
			next.ServeHTTP(w, r)
		}
	}))
}

// retryAfter tells a refused client when to come back, in whole seconds.
func retryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
}

// visitorCookie names the visitor of the sandbox: given with the page, so
// that people behind one proxy (a room shown the sandbox on one network)
// are each counted on their own.
const visitorCookie = "ns_sandbox"

// visitor is who a request is counted as: the visitor its cookie names,
// else its address; and that address. A cookie is anyone's to make up, so
// the address is counted too (limitedTo, streams).
func (c *Channel) visitor(r *http.Request) (person, host string) {
	host = c.clientAddr(r)
	if id := visitorID(r); id != "" {
		return "v:" + id, host
	}
	return host, host
}

// visitorID is the visitor id the request's cookie gives, "" if none.
func visitorID(r *http.Request) string {
	if ck, err := r.Cookie(visitorCookie); err == nil && validVisitor(ck.Value) {
		return ck.Value
	}
	return ""
}

// nextVisitor is the visitor id a reset gives one: derived from the old,
// so that the visitor's open pages follow to the new world on their own
// (stream.go). Only the visitor knows the old one.
func nextVisitor(id string) string {
	sum := sha256.Sum256([]byte("nongsan sandbox next visitor\x00" + id))
	return hex.EncodeToString(sum[:16])
}

// clientAddr is the address a request came from: the connection's, or,
// when that is a trusted proxy's (TrustedProxies), the one the proxies
// put in X-Forwarded-For: read from the right, the first not a proxy's.
// Entries left of it are the client's to write, so they are not believed.
func (c *Channel) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !c.trusted(addr) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbled: the last proxy's word is all there is
		}
		addr = hop.Unmap()
		if !c.trusted(addr) {
			break
		}
	}
	return addr.String()
}

func (c *Channel) trusted(addr netip.Addr) bool {
	for _, p := range c.cfg.TrustedProxies {
		if p.Contains(addr.Unmap()) {
			return true
		}
	}
	return false
}

// ParseProxies reads TRUSTED_PROXIES: addresses or CIDR ranges, comma
// separated ("10.0.0.0/8, 127.0.0.1").
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if a, err := netip.ParseAddr(f); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("TRUSTED_PROXIES: %q is neither an address nor a CIDR range", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// validVisitor: a visitor id is 32 hex digits (randomHex(16)).
func validVisitor(id string) bool { return len(id) == 32 && isHex(id) }

func isHex(s string) bool {
	for _, b := range []byte(s) {
		if !('0' <= b && b <= '9' || 'a' <= b && b <= 'f') {
			return false
		}
	}
	return true
}

// welcome gives a new visitor of the page their cookie.
func (c *Channel) welcome(w http.ResponseWriter, r *http.Request) {
	if visitorID(r) != "" {
		return
	}
	c.setVisitor(w, randomHex(16))
}

// setVisitor gives the browser its visitor id.
func (c *Channel) setVisitor(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{Name: visitorCookie, Value: id, Path: "/", MaxAge: 30 * 24 * 3600,
		HttpOnly: true, Secure: strings.HasPrefix(c.origin, "https://"), SameSite: http.SameSiteStrictMode})
}

// fail answers an error the page shows as it is: a kind message.
func (c *Channel) fail(w http.ResponseWriter, status int, id string) {
	writeJSON(w, status, map[string]string{"error": c.text(flows.M(id))})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// sendRequest is what the page sends: text, a pressed button, photos or
// the persona's phone number, as one persona in their private chat or in
// the market group.
type sendRequest struct {
	Persona string   `json:"persona"`
	Chat    string   `json:"chat"`
	Text    string   `json:"text"`
	Data    string   `json:"data"`
	Label   string   `json:"label"`   // the pressed button's, shown as what the persona chose
	Message string   `json:"message"` // the message the button was under
	Photos  []string `json:"photos"`
	Contact bool     `json:"contact"`
}

// send answers POST /sandbox/api/send: it shows the persona's message in
// the log, then hands it to the webhook as the platforms' updates go, so
// that deduplication, metrics and the engine are the same path.
func (c *Channel) send(hook http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req sendRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSendBody)).Decode(&req); err != nil || !req.valid() {
			c.fail(w, http.StatusBadRequest, "sandbox.bad_request")
			return
		}
		for _, p := range req.Photos {
			if _, err := os.Stat(filepath.Join(c.cfg.UploadDir, p)); err != nil {
				c.fail(w, http.StatusBadRequest, "sandbox.photo_gone")
				return
			}
		}
		person, _ := c.visitor(r)
		world := worldOf(person)
		chat, mineWorld := req.Persona, world
		if req.Chat == Market {
			chat, mineWorld = Market, ""
		}
		mine := Message{Kind: kindMessage, World: mineWorld, Chat: chat, From: "me", Persona: req.Persona, Text: req.Text,
			Photos: c.photoURLs(req.Photos)}
		switch {
		case req.Data != "":
			mine.Text = req.Label
		case req.Contact:
			mine.Text = demoPhone(req.Persona, world)
		}
		if _, err := c.append(r.Context(), mine); err != nil {
			c.cfg.Logger.Warn().Err(err).Msg("web send")
			c.fail(w, http.StatusServiceUnavailable, "sandbox.busy")
			return
		}
		for _, p := range req.Photos {
			c.markSent(p)
		}
		for _, u := range req.updates(world) {
			if status := c.deliver(hook, r, u); status != http.StatusOK {
				c.fail(w, http.StatusServiceUnavailable, "sandbox.busy")
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
}

func (req sendRequest) valid() bool {
	if _, ok := demoPrefixes[req.Persona]; !ok || req.Chat != "private" && req.Chat != Market {
		return false
	}
	if !utf8.ValidString(req.Text) || utf8.RuneCountInString(req.Text) > maxText || len(req.Data) > 64 || len(req.Label) > 256 ||
		len(req.Message) > 64 || len(req.Photos) > maxAlbum {
		return false
	}
	for _, p := range req.Photos {
		if !validUpload.MatchString(p) {
			return false
		}
	}
	return req.Text != "" || req.Data != "" || len(req.Photos) > 0 || req.Contact
}

// updates are the updates of one request: one, or one per photo of an
// album, the text as the first photo's caption.
func (req sendRequest) updates(world string) []update {
	base := update{World: world, Persona: req.Persona, Chat: req.Chat}
	switch {
	case req.Data != "":
		base.Data, base.Message = req.Data, req.Message
	case req.Contact:
		base.Contact = true
	case len(req.Photos) == 0:
		base.Text = req.Text
	}
	if len(req.Photos) == 0 {
		base.ID = randomHex(12)
		return []update{base}
	}
	var album string
	if len(req.Photos) > 1 {
		album = randomHex(8)
	}
	var out []update
	for i, p := range req.Photos {
		u := base
		u.ID, u.Photo, u.Album = randomHex(12), p, album
		if i == 0 {
			u.Text = req.Text
		}
		out = append(out, u)
	}
	return out
}

// deliver hands one update to the webhook, with the request's context.
func (c *Channel) deliver(hook http.Handler, r *http.Request, u update) int {
	body, _ := json.Marshal(u)
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, "/sandbox/api/update", bytes.NewReader(body))
	req.Header.Set(secretHeader, c.secret)
	rec := &status{header: http.Header{}, code: http.StatusOK}
	hook.ServeHTTP(rec, req)
	return rec.code
}

// status is a ResponseWriter that keeps only the status: the webhook's
// answer is for the platform, and here the platform is us.
type status struct {
	header http.Header
	code   int
}

func (s *status) Header() http.Header         { return s.header }
func (s *status) Write(b []byte) (int, error) { return len(b), nil }
func (s *status) WriteHeader(code int)        { s.code = code }

// upload answers POST /sandbox/api/photo: one image of at most MaxUpload
// bytes (JPEG, PNG or WebP), resized and kept as a JPEG under a random
// name, which it returns for send.
func (c *Channel) upload() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxUpload+64<<10) // the form's own bytes besides
		file, _, err := r.FormFile("photo")
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			c.fail(w, http.StatusRequestEntityTooLarge, "sandbox.photo_big")
			return
		case err != nil:
			c.fail(w, http.StatusBadRequest, "sandbox.photo_bad")
			return
		}
		defer file.Close()
		defer r.MultipartForm.RemoveAll()
		raw, err := io.ReadAll(io.LimitReader(file, MaxUpload+1))
		switch {
		case err != nil:
			c.fail(w, http.StatusBadRequest, "sandbox.photo_bad")
			return
		case len(raw) > MaxUpload:
			c.fail(w, http.StatusRequestEntityTooLarge, "sandbox.photo_big")
			return
		}
		switch http.DetectContentType(raw) {
		case "image/jpeg", "image/png", "image/webp":
		default:
			c.fail(w, http.StatusUnsupportedMediaType, "sandbox.photo_bad")
			return
		}
		size, _, err := image.DecodeConfig(bytes.NewReader(raw))
		switch {
		case err != nil:
			c.fail(w, http.StatusUnsupportedMediaType, "sandbox.photo_bad")
			return
		case size.Width > MaxUploadSide || size.Height > MaxUploadSide || size.Width*size.Height > MaxUploadPixels:
			c.fail(w, http.StatusRequestEntityTooLarge, "sandbox.photo_huge")
			return
		}
		if full, err := c.uploadsFull(); err != nil || full {
			if err != nil {
				c.cfg.Logger.Error().Err(err).Msg("count uploads")
			}
			c.fail(w, http.StatusServiceUnavailable, "sandbox.busy")
			return
		}
		// One decode at a time for the whole sandbox, so that its visitors
		// never hold both of the process's decode slots (bot.Resize), which
		// the real app's /media shares.
		select {
		case c.decoding <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		jpeg, err := bot.Resize(bytes.NewReader(raw), bot.MaxPhotoSide)
		<-c.decoding
		if err != nil {
			c.fail(w, http.StatusUnsupportedMediaType, "sandbox.photo_bad")
			return
		}
		// Named after the world, so that the visitor's reset finds theirs.
		person, _ := c.visitor(r)
		name := worldOf(person) + randomHex(8) + ".jpg"
		if err := bot.WriteFile(c.cfg.UploadDir, name, jpeg); err != nil {
			c.cfg.Logger.Error().Err(err).Msg("keep upload")
			c.fail(w, http.StatusServiceUnavailable, "sandbox.busy")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"name": name, "url": c.path + uploadPath + name})
	})
}

// uploadsFull tells whether UploadDir holds MaxUploads photos already.
func (c *Channel) uploadsFull() (bool, error) {
	entries, err := os.ReadDir(c.cfg.UploadDir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	n := 0
	for _, e := range entries {
		if validUpload.MatchString(e.Name()) {
			n++
		}
	}
	return n >= c.cfg.MaxUploads, nil
}

// servePhoto answers GET /sandbox/api/photo/{name}: an upload, by a name
// of the form uploads are given, and nothing else.
func (c *Channel) servePhoto() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if !validUpload.MatchString(name) {
			http.NotFound(w, r)
			return
		}
		f, err := os.Open(filepath.Join(c.cfg.UploadDir, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Cache-Control", "private, max-age=86400")
		http.ServeContent(w, r, "", info.ModTime(), f)
	})
}

// reset answers POST /sandbox/api/reset: "start my conversation over".
// The visitor gets a new world (a new cookie, nextVisitor): their personas
// are new to the bot. Their farmer's listings leave the shared market
// (Forget); their orders stay with the old ids, as another person's
// would, until they end or the sandbox is wiped (WipeAll). Their uploads
// go, and their open pages are told to clear and follow to the new world.
// Nobody else's conversation changes.
func (c *Channel) reset() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		person, _ := c.visitor(r)
		world := worldOf(person)
		var err error
		if c.cfg.Forget != nil {
			err = c.cfg.Forget(ctx, world)
		}
		if err == nil {
			err = removeUploads(c.cfg.UploadDir, false, func(name string) bool { return strings.HasPrefix(name, world) })
		}
		if err == nil {
			_, err = c.append(ctx, Message{Kind: kindReset, World: world})
		}
		if err != nil {
			c.cfg.Logger.Error().Err(err).Msg("sandbox reset")
			c.fail(w, http.StatusServiceUnavailable, "sandbox.busy")
			return
		}
		next := randomHex(16) // without a cookie (a script's), a new one
		if id := visitorID(r); id != "" {
			next = nextVisitor(id)
		}
		c.setVisitor(w, next)
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
}

// WipeAll empties the whole sandbox, every visitor's world: its tables
// and keys wiped and seeded again (Config.Reset), the uploads and the log
// cleared, and every open page told to clear. Run on a timer, never by a
// visitor, so that nobody wipes what others are in the middle of.
func (c *Channel) WipeAll(ctx context.Context) error {
	err := c.cfg.Reset(ctx)
	if err == nil {
		err = removeUploads(c.cfg.UploadDir, true, func(string) bool { return true })
	}
	if err == nil {
		err = c.cfg.Log.Clear(ctx)
	}
	if err == nil {
		_, err = c.append(ctx, Message{Kind: kindReset})
	}
	if err != nil {
		return fmt.Errorf("wipe the sandbox: %w", err)
	}
	return nil
}

// UnsentUploadAge is how long an upload no message has sent is kept: the
// page sends a photo as soon as it is uploaded.
const UnsentUploadAge = time.Hour

// sentMark marks an upload sent in a message: kept until its visitor's
// reset or the wipe, as the chat shows it (and a listing's photo is read
// from it until PostgreSQL keeps it).
const sentMark = ".sent"

func (c *Channel) markSent(name string) {
	if f, err := os.OpenFile(filepath.Join(c.cfg.UploadDir, name+sentMark), os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		f.Close()
	}
}

// SweepUploads removes the uploads written before now less
// UnsentUploadAge that no message sent, so that photos chosen and never
// sent (or uploaded by a script) do not fill the disk.
func (c *Channel) SweepUploads(now time.Time) error {
	dir := c.cfg.UploadDir
	return removeUploads(dir, false, func(name string) bool {
		if _, err := os.Stat(filepath.Join(dir, name+sentMark)); err == nil {
			return false
		}
		info, err := os.Stat(filepath.Join(dir, name))
		return err == nil && info.ModTime().Before(now.Add(-UnsentUploadAge))
	})
}

// removeUploads removes the uploads (with their marks) which names, and
// only uploads; half-written ones (.tmp) too if all.
func removeUploads(dir string, all bool, which func(name string) bool) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("uploads: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		var gone []string
		switch {
		case validUpload.MatchString(name) && which(name):
			gone = []string{name, name + sentMark}
		case all && strings.HasSuffix(name, ".tmp"):
			gone = []string{name}
		}
		for _, g := range gone {
			if err := os.Remove(filepath.Join(dir, g)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("uploads: %w", err)
			}
		}
	}
	return nil
}
