package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// The profiler is served on DEBUG_ADDR's own listener, not beside the
// webhooks.
func TestTheProfilerIsServedOnlyOnItsOwnAddress(t *testing.T) {
	addr, stop, err := serveDebug("127.0.0.1:0", zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get("http://" + addr + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine") {
		t.Fatalf("debug listener: %d %.200s", resp.StatusCode, body)
	}

	tg := telegramtest.NewServer(t)
	bot := startBot(t, tg, newEnv(t, tg))
	if code, _ := bot.Get("/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("the public listener serves the profiler: %d", code)
	}
}
