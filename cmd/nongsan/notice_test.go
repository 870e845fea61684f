package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows/vn"
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
	// Killed with the test process, should the test binary die (a
	// timeout's panic, a kill) before its cleanup (Linux only, as the project).
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
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

// The messages of an order the farmer did not answer.
var (
	timedOut = func(s sent) bool {
		return strings.HasPrefix(s.Text, "😔") && strings.Contains(s.Text, "đã tự huỷ")
	}
	farmerTimedOut = func(s sent) bool { return strings.Contains(s.Text, "đã tự huỷ") }
	reminded       = func(s sent) bool { return strings.Contains(s.Text, "đang chờ") }
)

// unansweredOrder registers the farmer, who lists 500 kg, and has the
// buyer order 100 kg; it returns the listing's code.
func (b *testBot) unansweredOrder() string {
	b.t.Helper()
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	b.order(buyer, code, "100kg")
	b.Place(buyer)
	return code
}

// settled waits until every notice is relayed and every outbox empty:
// nothing more can be sent.
func settled(t *testing.T, b *testBot) {
	t.Helper()
	waitFor(t, "every notice to be relayed and sent", func() bool {
		_, metrics := b.Get("/metrics")
		return strings.Contains(metrics, "nongsan_notices_waiting 0") && strings.Contains(metrics, "nongsan_outbox_chats_waiting 0")
	})
}

// sentOnce checks that the buyer and the farmer were told of the timeout,
// and the farmer reminded, once each, counting what bots sent.
func sentOnce(t *testing.T, bots ...*testBot) {
	t.Helper()
	for _, c := range []struct {
		what string
		chat int64
		ok   func(sent) bool
	}{{"buyer's cancellation", buyer, timedOut}, {"farmer's cancellation", farmer, farmerTimedOut}, {"farmer's reminder", farmer, reminded}} {
		n := 0
		for _, b := range bots {
			n += len(slices.DeleteFunc(b.Sent(c.chat), func(s sent) bool { return !c.ok(s) }))
		}
		if n != 1 {
			t.Errorf("the %s arrived %d times, want once", c.what, n)
		}
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

	b.unansweredOrder()
	waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "🛒 Đơn mới") }, 1) // the new order
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

	count := func(chat int64, ok func(sent) bool) int {
		return len(slices.DeleteFunc(append(b.Sent(chat), b2.Sent(chat)...), func(s sent) bool { return !ok(s) }))
	}
	// Killed while it held a chat (a send under way), the first process
	// keeps it until its send lease expires.
	waitFor(t, "the notices after the restart", func() bool {
		return count(buyer, timedOut) > 0 && count(farmer, farmerTimedOut) > 0 && count(farmer, reminded) > 0
	})
	settled(t, b2)
	sentOnce(t, b, b2)
}

// Three replicas tick and relay at once: an unanswered order is reminded
// and cancelled once, and each message arrives once.
func TestReplicasShareTheNotices(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["ORDER_TIMEOUT"] = "1s"
	b := startBot(t, tg, env)
	startBot(t, tg, env)
	startBot(t, tg, env)
	b.unansweredOrder()
	waitSent(t, b, buyer, timedOut, 1)
	waitSent(t, b, farmer, farmerTimedOut, 1)
	settled(t, b)
	sentOnce(t, b)
}

// An order that cancels itself at night is told to the farmer in the
// morning; until then its notice is held, and operators see it counted
// (nongsan_notices_held), apart from the notices on their way to the
// outbox (nongsan_notices_waiting, at 0), and not yet due.
func TestHeldNoticesAreCountedInTheMetrics(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["ORDER_TIMEOUT"] = "1s"
	// Night now: the bot writes unprompted from two hours on, for an hour.
	from := (time.Now().In(vn.Location()).Hour() + 2) % 24
	env["RENEWAL_HOURS"] = fmt.Sprintf("%d-%d", from, from+1)
	b := startBot(t, tg, env)
	b.unansweredOrder()
	waitSent(t, b, buyer, timedOut, 1)
	settled(t, b)
	if n := len(slices.DeleteFunc(b.Sent(farmer), func(s sent) bool { return !farmerTimedOut(s) })); n != 0 {
		t.Fatalf("the farmer was told of the timeout at night (%d messages)", n)
	}
	_, metrics := b.Get("/metrics")
	for _, want := range []string{"\nnongsan_notices_held 1\n", "\nnongsan_notices_held_due 0\n", "\nnongsan_notices_waiting 0\n"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", strings.TrimSpace(want))
		}
	}
}

// A farmer taps 🕑 Lịch sử đơn under an order that cancelled itself at
// night: the update takes back the morning's notice to tell it now, then
// fails (PostgreSQL refuses the order's history) and is answered 5xx, so
// Telegram delivers it again, here only after the morning's release. That
// release does not send the notice the update took (it may have been told),
// and the update delivered again still tells it: the farmer learns of the
// timeout once, with the history. Another order's notice, not taken back,
// goes in the morning as usual.
func TestAHeldNoticeTakenBackByAnUpdateThatFailedIsToldWhenItComesAgain(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["ORDER_TIMEOUT"] = "1s"
	// Night now: the bot writes unprompted from two hours on, for an hour.
	from := (time.Now().In(vn.Location()).Hour() + 2) % 24
	env["RENEWAL_HOURS"] = fmt.Sprintf("%d-%d", from, from+1)
	b := startBot(t, tg, env)
	const buyer2 = int64(2003)
	code := b.unansweredOrder()
	waitSent(t, b, buyer, timedOut, 1)
	b.order(buyer2, code, "100kg")
	b.Place(buyer2)
	waitSent(t, b, buyer2, timedOut, 1)
	var first string // the first order's id
	for _, s := range b.Sent(farmer) {
		for _, d := range s.Data {
			if id, ok := strings.CutPrefix(d, "ord:accept:"); ok && first == "" {
				first = id
			}
		}
	}
	if first == "" {
		t.Fatal("the farmer was not told of the first order")
	}
	toldOf := func(name string) func(sent) bool {
		return func(s sent) bool { return farmerTimedOut(s) && strings.Contains(s.Text, "của "+name) }
	}

	if _, err := pgExec(b, "ALTER TABLE order_events RENAME TO order_events_away"); err != nil {
		t.Fatal(err)
	}
	tap := b.Up.Callback(farmer, farmer, 0, "ord:timeline:"+first)
	if code := b.Post(tap); code < 500 {
		t.Fatalf("the tap with the order's history refused answered %d, want 5xx so that Telegram delivers it again", code)
	}
	if _, err := pgExec(b, "ALTER TABLE order_events_away RENAME TO order_events"); err != nil {
		t.Fatal(err)
	}
	// Morning: the tick releases the held notices; the second order's
	// comes, so the first's has been released too, had it been.
	if _, err := pgExec(b, "UPDATE held_notices SET not_before = now()"); err != nil {
		t.Fatal(err)
	}
	waitSent(t, b, farmer, toldOf("Nông dân 2003"), 1)
	if n := len(slices.DeleteFunc(b.Sent(farmer), func(s sent) bool { return !toldOf("Nông dân 2002")(s) })); n != 0 {
		t.Fatalf("the morning sent the notice the failed update took back (%d)", n)
	}

	if code := b.Post(tap); code != http.StatusOK {
		t.Fatalf("the tap delivered again answered %d, want 200", code)
	}
	waitSent(t, b, farmer, toldOf("Nông dân 2002"), 1)
	settled(t, b)
	msgs := b.Sent(farmer)
	if !toldOf("Nông dân 2002")(msgs[len(msgs)-2]) || !strings.HasPrefix(msgs[len(msgs)-1].Text, "🕑 Lịch sử đơn") {
		t.Errorf("the tap delivered again said %q, then %q; want the order's timeout, then its history", msgs[len(msgs)-2].Text, msgs[len(msgs)-1].Text)
	}
	for _, name := range []string{"Nông dân 2002", "Nông dân 2003"} {
		if n := len(slices.DeleteFunc(b.Sent(farmer), func(s sent) bool { return !toldOf(name)(s) })); n != 1 {
			t.Errorf("the farmer was told %d times of the timeout of %s's order, want once", n, name)
		}
	}
}

// The same tap failing three times is given up: the farmer gets the
// apology and the menu, not the notice it took back. The notice is given
// back, and the morning's release sends it, once.
func TestAHeldNoticeTakenBackByAnUpdateGivenUpIsSentInTheMorning(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["ORDER_TIMEOUT"] = "1s"
	// Night now: the bot writes unprompted from two hours on, for an hour.
	from := (time.Now().In(vn.Location()).Hour() + 2) % 24
	env["RENEWAL_HOURS"] = fmt.Sprintf("%d-%d", from, from+1)
	b := startBot(t, tg, env)
	b.unansweredOrder()
	waitSent(t, b, buyer, timedOut, 1)
	var id string
	for _, s := range b.Sent(farmer) {
		for _, d := range s.Data {
			if v, ok := strings.CutPrefix(d, "ord:accept:"); ok {
				id = v
			}
		}
	}
	if _, err := pgExec(b, "ALTER TABLE order_events RENAME TO order_events_away"); err != nil {
		t.Fatal(err)
	}
	tap := b.Up.Callback(farmer, farmer, 0, "ord:timeline:"+id)
	for try := 1; try <= 2; try++ {
		if code := b.Post(tap); code < 500 {
			t.Fatalf("try %d answered %d, want 5xx", try, code)
		}
	}
	if code := b.Post(tap); code != http.StatusOK {
		t.Fatalf("the third try answered %d, want 200: given up", code)
	}
	b.expect(farmer, "menu.title")
	if _, err := pgExec(b, "ALTER TABLE order_events_away RENAME TO order_events"); err != nil {
		t.Fatal(err)
	}
	if n := len(slices.DeleteFunc(b.Sent(farmer), func(s sent) bool { return !farmerTimedOut(s) })); n != 0 {
		t.Fatalf("the farmer was told of the timeout at night (%d)", n)
	}
	if _, err := pgExec(b, "UPDATE held_notices SET not_before = now()"); err != nil {
		t.Fatal(err)
	}
	waitSent(t, b, farmer, farmerTimedOut, 1)
	settled(t, b)
	if n := len(slices.DeleteFunc(b.Sent(farmer), func(s sent) bool { return !farmerTimedOut(s) })); n != 1 {
		t.Errorf("the farmer was told of the timeout %d times, want once", n)
	}
}
