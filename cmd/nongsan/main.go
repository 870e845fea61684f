// Command nongsan runs Nông Sản Bot. main only wires the process to run.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/joho/godotenv"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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
