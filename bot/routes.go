package bot

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// MaxBody is the largest webhook body accepted.
const MaxBody = 1 << 20

// Server is the bot's whole HTTP surface.
type Server struct {
	Engine  *Engine                         // its Channels mount their routes
	Ready   func(ctx context.Context) error // nil when PostgreSQL and Redis answer
	Metrics *Metrics
	Media   *Media  // serves published photos; nil: none
	Pages   Mounter // the public web pages (bot/pages); nil: none
	// Downloads serves the files offered by link (flows.DownloadPath); nil: none.
	Downloads Downloader
	// QRCodes reads the codes of the payment QRs served at QRPath, those
	// the renderers minted with the same key; nil: every QR is 404.
	QRCodes *QRCodes
	Log     zerolog.Logger
	// Spools keep the updates of channels whose platform does not deliver
	// again (Redelivers false) while they cannot be handled; RunReplayer
	// handles them later. A channel without one answers 503 then.
	Spools map[flows.Channel]*Spool
	// Base is the path the app's own pages, photos and QRs are served
	// under: "" for the real app, "/sandbox" for the sandbox beside it.
	// Health, readiness and metrics are served only by the app at "".
	Base string
	// MetricsApart leaves /metrics off the routes: it is served on a
	// listener of its own (MetricsHandler), not public.
	MetricsApart bool
}

// MetricsHandler serves the Prometheus metrics.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{})
}

// Downloader finds a file offered for download by its token, while it has
// not expired; flows.ErrNotFound otherwise.
type Downloader interface {
	Download(ctx context.Context, token string, now time.Time) (*flows.Document, error)
}

// Mounter adds its routes to a mux.
type Mounter interface {
	Mount(mux *http.ServeMux)
}

// Routes returns the handler of every endpoint of s and of the apps beside
// it (the sandbox), on one mux, behind one recoverer.
func (s *Server) Routes(beside ...*Server) http.Handler {
	mux := http.NewServeMux()
	for _, srv := range append([]*Server{s}, beside...) {
		srv.Mount(mux)
	}
	return s.recoverer(mux)
}

// Mount adds the app's endpoints to mux: each channel's own (its webhook,
// and pages or streams for a web channel), then, at Base, the photos of
// published listings, payment QRs and the market pages, and at "" only,
// health, readiness and metrics.
func (s *Server) Mount(mux *http.ServeMux) {
	for _, name := range slices.Sorted(maps.Keys(s.Engine.Channels)) {
		ch := s.Engine.Channels[name]
		ch.Mount(mux, func(header, secret string) http.Handler { return s.webhook(ch, header, secret) })
	}
	if s.Base == "" {
		mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, "ok\n")
		})
		mux.Handle("GET /readyz", s.ready())
		if !s.MetricsApart {
			mux.Handle("GET /metrics", s.MetricsHandler())
		}
	}
	if s.Media != nil {
		mux.Handle("GET "+s.Base+"/media/{id}", s.Media.serve())
	}
	mux.Handle("GET "+s.Base+QRPath+"{file}", serveQR(s.QRCodes))
	if s.Downloads != nil {
		mux.Handle("GET "+s.Base+flows.DownloadPath+"{token}", s.download())
	}
	if s.Pages != nil {
		s.Pages.Mount(mux)
	}
}

// Shutdown tells the channels that hold requests open (the web channel's
// event streams) to end them, so that http.Server.Shutdown, which waits for
// every request, does not wait on them: serve registers it with
// RegisterOnShutdown.
func (s *Server) Shutdown() {
	for _, ch := range s.Engine.Channels {
		if r, ok := ch.(*Rendered); ok {
			if h, ok := r.Adapter.(Holder); ok {
				h.Shutdown()
			}
		}
	}
}

// webhook answers 401 for a wrong secret, 413 for a body over MaxBody, 400
// for a body that is not an update, 503 when the update could not be stored
// (the platform retries; on a channel whose platform does not, it is
// spooled and answered 200, and 503 only when even that fails), and 200
// once it is handled or ignored. The time to answer is measured (Answer)
// and logged: Zalo documents no timeout for its webhook.
func (s *Server) webhook(ch Channel, header, secret string) http.Handler {
	channel := string(ch.Name())
	// Digests are compared, in constant time: ConstantTimeCompare of the
	// strings returns at once when the lengths differ, which tells a prober
	// the secret's length.
	want := sha256.Sum256([]byte(secret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		status := s.answerWebhook(w, r, ch, secret, header, want)
		took := time.Since(start)
		s.Metrics.Answer.WithLabelValues(channel, strconv.Itoa(status)).Observe(took.Seconds())
		ev := s.Log.Debug()
		if took >= slowUpdate || status >= http.StatusInternalServerError {
			ev = s.Log.Info()
		}
		ev.Str("channel", channel).Int("status", status).Dur("took", took).Msg("webhook answered")
	})
}

// answerWebhook answers one webhook request and returns its status.
func (s *Server) answerWebhook(w http.ResponseWriter, r *http.Request, ch Channel, secret, header string, want [sha256.Size]byte) int {
	reject := func(status int) int {
		s.Metrics.Updates.WithLabelValues(string(ch.Name()), OutcomeRejected).Inc()
		http.Error(w, http.StatusText(status), status)
		return status
	}
	got := sha256.Sum256([]byte(r.Header.Get(header)))
	if secret == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return reject(http.StatusUnauthorized)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return reject(http.StatusRequestEntityTooLarge)
	}
	if err != nil {
		return reject(http.StatusBadRequest)
	}
	var status int
	if sp := s.Spools[ch.Name()]; sp != nil {
		status = s.receiveSpooled(r.Context(), ch, sp, body)
	} else {
		status = s.Receive(r.Context(), ch, body)
	}
	if status != http.StatusOK {
		http.Error(w, http.StatusText(status), status)
		return status
	}
	w.WriteHeader(http.StatusOK)
	return status
}

// Receive handles one update body from ch and returns the HTTP status to
// answer; long polling uses it too.
func (s *Server) Receive(ctx context.Context, ch Channel, body []byte) int {
	in, status, ok := s.parse(ch, body)
	if !ok {
		return status
	}
	return s.handle(ctx, ch, in)
}

// parse reads an update body; ok is false, with the status to answer, for
// a body that is no update (400) or an update the bot ignores (200).
func (s *Server) parse(ch Channel, body []byte) (in flows.Input, status int, ok bool) {
	channel := string(ch.Name())
	in, ok, err := ch.Parse(body)
	if err != nil {
		s.Metrics.Updates.WithLabelValues(channel, OutcomeRejected).Inc()
		return in, http.StatusBadRequest, false
	}
	if !ok {
		s.Metrics.Updates.WithLabelValues(channel, OutcomeIgnored).Inc()
		return in, http.StatusOK, false
	}
	return in, 0, true
}

// handle handles an update read by parse and returns the status to answer.
func (s *Server) handle(ctx context.Context, ch Channel, in flows.Input) int {
	channel := string(ch.Name())
	normalize(&in)
	if in.Photo != nil {
		// Named once, here, so that every copy of the photo (drafts,
		// listings, replies) carries the same public id.
		in.Photo.ID, in.Photo.Channel = flows.NewPhotoID(), in.Channel
		ref := flows.PhotoRef{ID: in.Photo.ID, Channel: in.Channel, Ref: in.Photo.FileID}
		if err := s.Media.Arrived(ctx, ref); err != nil {
			s.Log.Warn().Err(err).Str("channel", channel).Msg("photo arrived")
			return http.StatusServiceUnavailable // the platform sends it again
		}
		if in.Kind == flows.KindPhoto && in.Photo.Size > 0 {
			// A photo sent as a file, uncompressed: one of too many pixels
			// is told now, as one too heavy is (KindFile), rather than
			// failing when posted. Unread, it is taken as it comes.
			pixels, err := s.Media.TooManyPixels(ctx, ref)
			if err != nil {
				s.Log.Warn().Err(err).Str("channel", channel).Msg("photo file header")
			}
			if pixels > 0 {
				in.Kind, in.Photo.Pixels = flows.KindFile, pixels
			}
		}
	}
	// Finish what was started even if the platform hangs up: the work is
	// committed atomically, and an unsent reply waits in the outbox.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handleBudget)
	defer cancel()
	if err := s.Engine.Handle(ctx, in); err != nil {
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}

// handleBudget is how long an update may take once it is read.
const handleBudget = 25 * time.Second

// normalize tidies what users typed, once, before any flow reads it: NFC,
// no zero-width characters, spaces trimmed and collapsed.
func normalize(in *flows.Input) {
	in.Text, in.Arg = vn.Normalize(in.Text), vn.Normalize(in.Arg)
	in.UserName, in.ChatTitle = vn.Normalize(in.UserName), vn.Normalize(in.ChatTitle)
}

// download serves a file by its unguessable token, as an attachment that
// no cache keeps: 404 for an unknown or expired token.
func (s *Server) download() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := s.Downloads.Download(r.Context(), r.PathValue("token"), time.Now())
		if errors.Is(err, flows.ErrNotFound) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			s.Log.Warn().Err(err).Msg("download")
			http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
			return
		}
		h := w.Header()
		h.Set("Content-Type", d.MIME)
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Name}))
		h.Set("Cache-Control", "private, no-store")
		h.Set("X-Robots-Tag", "noindex")
		w.Write(d.Data)
	})
}

func (s *Server) ready() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			s.Log.Warn().Err(err).Msg("not ready")
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
}

// recoverer turns a panic into a 500 and a log line instead of a crash.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil && v != http.ErrAbortHandler {
				s.Log.Error().Interface("panic", v).Str("path", r.URL.Path).Msg("handler panicked")
				http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
