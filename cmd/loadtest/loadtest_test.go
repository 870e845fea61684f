package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// binDir holds the nongsan binary, built once for the tests.
var binDir string

var service = sync.OnceValues(func() (string, error) {
	st := &stack{dir: binDir}
	return st.build(context.Background())
})

func TestMain(m *testing.M) {
	var err error
	if binDir, err = os.MkdirTemp("", "loadtest-bin-"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}

// runArgs are the tool's flags for a test run, the built service included.
func runArgs(t *testing.T, args ...string) []string {
	t.Helper()
	if os.Getenv("DATABASE_URL") == "" {
		t.Fatal("DATABASE_URL is unset: run the tests with `make test`, which starts PostgreSQL")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("no redis-server: `make test` installs it")
	}
	bin, err := service()
	if err != nil {
		t.Fatal(err)
	}
	// A generous wait for each reply: the machine may be busy with other tests.
	return append(args, "-bin", bin, "-timeout", "30s")
}

// TestSmallSellRun runs the tool as `make bench` does, on a small scale: 5
// farmers, 2 listings each, against a service it builds and starts.
func TestSmallSellRun(t *testing.T) {
	var out strings.Builder
	rep, err := run(context.Background(), runArgs(t, "-users", "5", "-rounds", "2", "-json", "-sample", "1s"), &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Check.OK {
		t.Fatalf("check failed: %s\n%s", rep.Check.Summary, strings.Join(rep.Check.Problems, "\n"))
	}
	// 5 users × 2 rounds of the 10 turns of a listing.
	if rep.Updates != 100 || rep.Listings != 10 {
		t.Errorf("%d updates and %d listings, want 100 and 10", rep.Updates, rep.Listings)
	}
	if rep.Errors.Non200+rep.Errors.Timeouts+rep.Errors.Unexpected != 0 {
		t.Errorf("errors: %+v, unexpected replies %q", rep.Errors, rep.Unexpected)
	}
	if rep.RedisPerUpdate <= 0 || rep.SQLPerUpdate <= 0 || len(rep.PeakRSSMiB) != 1 || rep.PeakRSSMiB[0] <= 0 || rep.LatencyMs.P99 <= 0 {
		t.Errorf("a figure is missing: redis %.2f, sql %.2f, RSS %v, p99 %.1f ms", rep.RedisPerUpdate, rep.SQLPerUpdate, rep.PeakRSSMiB, rep.LatencyMs.P99)
	}
	// The machine's busy time holds the service's and the tool's (ticks of
	// 10 ms: a small run is coarse, but a few ticks off at most).
	if c := rep.CPU; c.Service <= 0 || c.Tool <= 0 || c.Redis <= 0 || c.Machine+6*tickPerUpdate(rep) < c.Service+c.Tool+c.Redis {
		t.Errorf("CPU µs per update: %+v", c)
	}
	var decoded report
	if err := json.Unmarshal([]byte(out.String()), &decoded); err != nil || decoded.Updates != rep.Updates {
		t.Errorf("-json printed %q (%v)", out.String(), err)
	}
}

// TestSmallMixedRun: 12 farmers, 6 buyers and 2 users reading the menu
// and the help, 2 rounds each; every order the buyers placed is in
// PostgreSQL.
func TestSmallMixedRun(t *testing.T) {
	rep, err := run(context.Background(), runArgs(t, "-users", "20", "-rounds", "2", "-workload", "mixed"), io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Check.OK {
		t.Fatalf("check failed: %s\n%s", rep.Check.Summary, strings.Join(rep.Check.Problems, "\n"))
	}
	// Setup: each farmer one listing, each buyer one order; then 2 rounds.
	if rep.Listings != 12*3 || rep.Orders != 6*3 {
		t.Errorf("%d listings and %d orders, want 36 and 18", rep.Listings, rep.Orders)
	}
	if len(rep.Shares) != 3 {
		t.Errorf("shares %v, want listing, ordering, menu and help", rep.Shares)
	}
	if rep.Errors.Non200+rep.Errors.Timeouts+rep.Errors.Unexpected != 0 {
		t.Errorf("errors: %+v, unexpected replies %q", rep.Errors, rep.Unexpected)
	}
}

// tickPerUpdate is one /proc CPU tick (10 ms) spread over the run's updates, µs.
func tickPerUpdate(rep *report) float64 { return 10_000 / float64(rep.Updates) }

// The fake Bot API reads a JSON body's parameters as the reference bot
// (grammY) sends them: a group's long chat id exactly, the text as sent.
func TestTheFakeAPIReadsJSONParameters(t *testing.T) {
	param := jsonParams([]byte(`{"chat_id":-1009000000001,"text":"Bước 2","reply_markup":{"x":1}}`))
	if got := param("chat_id"); got != "-1009000000001" {
		t.Errorf("chat_id = %q", got)
	}
	if got := param("text"); got != "Bước 2" {
		t.Errorf("text = %q", got)
	}
	if got := jsonParams([]byte(`{not json`))("chat_id"); got != "" {
		t.Errorf("a body that does not decode gave chat_id %q", got)
	}
}
