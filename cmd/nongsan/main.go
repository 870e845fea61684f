// Command nongsan runs Nông Sản Bot. main only wires the process to run.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/joho/godotenv"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tuneGC()
	dotenv, _ := godotenv.Read() // a missing .env is fine
	getenv := func(k string) string {
		if v, ok := os.LookupEnv(k); ok {
			return v // the environment wins over .env
		}
		return dotenv[k]
	}
	if err := run(ctx, os.Args, getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "nongsan:", err)
		os.Exit(1)
	}
}

// tuneGC collects garbage half as often as Go's default, within a soft
// memory limit: an update's garbage is short-lived and the live heap small
// (about 30 MiB at 200 users), so this costs about 20 MiB of RSS and saves
// 5–10 % of the service's CPU per update (deploy/BENCHMARKS.md, session 15).
// GOGC and GOMEMLIMIT in the environment win, as the Go runtime reads them.
func tuneGC() {
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(200)
	}
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(75 << 20)
	}
}
