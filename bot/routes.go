package bot

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
)

// MaxBody is the largest webhook body accepted.
const MaxBody = 1 << 20

// Webhook is one channel's webhook endpoint.
type Webhook struct {
	Channel Channel
	Header  string // where the platform puts the secret
	Secret  string
}

// Server is the bot's whole HTTP surface.
type Server struct {
	Engine   *Engine
	Webhooks []Webhook
	Ready    func(ctx context.Context) error // nil when PostgreSQL and Redis answer
	Metrics  *Metrics
	Log      zerolog.Logger
}

// Routes returns the handler of every endpoint.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	for _, w := range s.Webhooks {
		mux.Handle("POST /webhook/"+string(w.Channel.Name()), s.webhook(w))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /readyz", s.ready())
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{}))
	return s.recoverer(mux)
}

// webhook answers 401 for a wrong secret, 413 for a body over MaxBody, 400
// for a body that is not an update, 503 when the update could not be stored
// (the platform retries), and 200 once it is handled or ignored.
func (s *Server) webhook(wh Webhook) http.Handler {
	channel := string(wh.Channel.Name())
	reject := func(w http.ResponseWriter, status int) {
		s.Metrics.Updates.WithLabelValues(channel, OutcomeRejected).Inc()
		http.Error(w, http.StatusText(status), status)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get(wh.Header)
		if wh.Secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(wh.Secret)) != 1 {
			reject(w, http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			reject(w, http.StatusRequestEntityTooLarge)
			return
		}
		if err != nil {
			reject(w, http.StatusBadRequest)
			return
		}
		status := s.Receive(r.Context(), wh.Channel, body)
		if status != http.StatusOK {
			http.Error(w, http.StatusText(status), status)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// Receive handles one update body from ch and returns the HTTP status to
// answer; long polling uses it too.
func (s *Server) Receive(ctx context.Context, ch Channel, body []byte) int {
	channel := string(ch.Name())
	in, ok, err := ch.Parse(body)
	if err != nil {
		s.Metrics.Updates.WithLabelValues(channel, OutcomeRejected).Inc()
		return http.StatusBadRequest
	}
	if !ok {
		s.Metrics.Updates.WithLabelValues(channel, OutcomeIgnored).Inc()
		return http.StatusOK
	}
	// Finish what was started even if the platform hangs up: the work is
	// committed atomically, and an unsent reply waits in the outbox.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 25*time.Second)
	defer cancel()
	if err := s.Engine.Handle(ctx, in); err != nil {
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
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
