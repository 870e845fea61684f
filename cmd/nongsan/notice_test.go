package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// buildBinary builds nongsan into the test's temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "nongsan")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is a nongsan process the test can kill.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// startProcess runs the binary as `nongsan serve` with env, as a process of
// its own, and returns a bot that drives it through tg. The process is
// killed at the end of the test, if it still runs.
func startProcess(t *testing.T, bin string, tg *telegramtest.Server, env map[string]string) (*testBot, *process) {
	t.Helper()
	p := &process{cmd: exec.Command(bin, "serve"), exited: make(chan struct{})}
	p.cmd.Dir = t.TempDir() // no stray .env
	p.cmd.Env = os.Environ()
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v) // the last of a key wins
	}
	b := &testBot{t: t, TG: tg, Up: tg.NewUpdates(), Env: env, Logs: newLogWatcher()}
	p.cmd.Stdout, p.cmd.Stderr = b.Logs, b.Logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.Kill()
		if t.Failed() {
			t.Logf("%s:\n%s", bin, b.Logs)
		}
	})
	select {
	case addr := <-b.Logs.listening:
		b.URL = "http://" + addr
	case <-p.exited:
		t.Fatalf("nongsan serve exited at start\n%s", b.Logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("nongsan serve did not start\n%s", b.Logs)
	}
	return b, p
}

// Kill stops the process at once, as SIGKILL does (no shutdown, no flush),
// and returns once it is gone.
func (p *process) Kill() {
	p.cmd.Process.Kill()
	<-p.exited
}

// waitFor calls ok until it holds, failing the test after 30 s.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// An order times out while Telegram refuses every message, and the service
// is killed (SIGKILL) right after the cancellation is committed. Started
// again, it tells the buyer and the farmer, once each.
func TestANoticeCommittedBeforeAKillArrivesOnce(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["ORDER_TIMEOUT"] = "2s"
	env["SEND_TIMEOUT"] = "1s" // a chat the killed process was sending to is free 3 s later
	b, p := startProcess(t, bin, tg, env)
	db, err := postgres.Open(context.Background(), env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	b.order(buyer, code, "100kg")
	b.Tap(buyer, "place")
	waitSent(t, b, farmer, func(s sent) bool { return strings.Contains(s.Text, "0987 654 321") }, 1) // the new order
	// From now on Telegram refuses every message: it asks to wait a few
	// seconds, which the service does without holding the chat.
	tg.FailNext("sendMessage", 1_000_000, telegramtest.Failure{RetryAfter: 4})

	waitFor(t, "the cancellation to be committed", func() bool {
		var n int
		err := db.Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM notices WHERE replies @> '[{"text": {"id": "order.timed_out"}}]'`).Scan(&n)
		return err == nil && n == 1
	})
	p.Kill()
	var relayed bool
	if err := db.Pool.QueryRow(context.Background(),
		`SELECT relayed_at IS NOT NULL FROM notices WHERE replies @> '[{"text": {"id": "order.timed_out"}}]'`).Scan(&relayed); err != nil {
		t.Fatal(err)
	}
	t.Logf("killed with the cancellation committed; relayed to Redis: %v", relayed)

	// Started again, with Telegram working.
	tg2 := telegramtest.NewServer(t)
	env2 := map[string]string{}
	for k, v := range env {
		env2[k] = v
	}
	env2["TELEGRAM_API_ENDPOINT"] = tg2.Endpoint()
	b2, _ := startProcess(t, bin, tg2, env2)

	timedOut := func(s sent) bool { return strings.Contains(s.Text, "chưa trả lời") }
	farmerTimedOut := func(s sent) bool { return strings.Contains(s.Text, "đã tự huỷ") }
	reminded := func(s sent) bool { return strings.Contains(s.Text, "đang chờ") }
	count := func(chat int64, ok func(sent) bool) int {
		n := 0
		for _, bot := range []*testBot{b, b2} {
			for _, s := range bot.Sent(chat) {
				if ok(s) {
					n++
				}
			}
		}
		return n
	}
	// Killed while it held a chat (a send under way), the first process
	// keeps it until its send lease expires.
	waitFor(t, "the notices after the restart", func() bool {
		return count(buyer, timedOut) > 0 && count(farmer, farmerTimedOut) > 0 && count(farmer, reminded) > 0
	})
	// Once every notice is relayed and every outbox empty, nothing more can
	// be sent: count.
	waitFor(t, "every notice to be relayed and sent", func() bool {
		_, metrics := b2.Get("/metrics")
		return strings.Contains(metrics, "nongsan_notices_waiting 0") && strings.Contains(metrics, "nongsan_outbox_chats_waiting 0")
	})
	for _, c := range []struct {
		who  string
		chat int64
		ok   func(sent) bool
	}{{"buyer's cancellation", buyer, timedOut}, {"farmer's cancellation", farmer, farmerTimedOut}, {"farmer's reminder", farmer, reminded}} {
		if n := count(c.chat, c.ok); n != 1 {
			t.Errorf("the %s arrived %d times, want once", c.who, n)
		}
	}
}
