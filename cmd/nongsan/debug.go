package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/rs/zerolog"
)

// serveDebug serves Go's profiler on its own listener, apart from the
// public mux, so that it is reachable only where DEBUG_ADDR says (a
// loopback or pod-local port), never through the webhook's.
// It returns the address listened on.
func serveDebug(addr string, log zerolog.Logger) (listening string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("listen debug: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	log.Info().Str("addr", ln.Addr().String()).Msg("profiler listening")
	return ln.Addr().String(), func() { srv.Close() }, nil
}

// serveMetrics serves /metrics alone on its own listener (METRICS_ADDR),
// so that Prometheus scrapes each pod there and the public listener, which
// an ingress may route the world to, does not show the bot's traffic.
func serveMetrics(addr string, metrics http.Handler, log zerolog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	log.Info().Str("addr", ln.Addr().String()).Msg("metrics listening")
	return func() { srv.Close() }, nil
}
