package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// orphanEnv names the file where TestOrphanHelper writes the ids of the
// processes it started; set, it runs as TestNothingOutlivesAKilledTest's
// helper.
const orphanEnv = "NONGSAN_ORPHAN_PIDS"

// A test binary that dies (a timeout's panic, a CI kill) leaves nothing
// running: the throwaway PostgreSQL and Redis and the service processes
// the fault tests start die with it.
func TestNothingOutlivesAKilledTest(t *testing.T) {
	if os.Getenv(orphanEnv) != "" {
		t.Skip("running as the helper")
	}
	bin := buildBinary(t)
	// The helper's temporary folders, removed here since its own cleanup
	// never runs; reachable by the postgres user when root.
	tmp, err := os.MkdirTemp("", "nongsan-orphans-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	if err := os.Chmod(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(tmp, "pids")
	var out bytes.Buffer
	helper := exec.Command(os.Args[0], "-test.run=^TestOrphanHelper$", "-test.v", "-test.timeout=3m")
	helper.Env = append(os.Environ(), "TMPDIR="+tmp, orphanEnv+"="+pidFile, "NONGSAN_BIN="+bin)
	helper.Stdout, helper.Stderr = &out, &out
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { helper.Wait(); close(exited) }()
	var pids []int
	deadline := time.Now().Add(2 * time.Minute) // PostgreSQL's initdb and the service's migrations, on a busy machine
	for pids == nil {
		if b, err := os.ReadFile(pidFile); err == nil {
			for _, f := range strings.Fields(string(b)) {
				pid, _ := strconv.Atoi(f)
				pids = append(pids, pid)
			}
		}
		select {
		case <-exited:
			t.Fatalf("the helper exited before it started its processes:\n%s", &out)
		default:
		}
		if time.Now().After(deadline) {
			helper.Process.Kill()
			<-exited
			t.Fatalf("the helper did not start its processes:\n%s", &out)
		}
		time.Sleep(50 * time.Millisecond) // polling for a file another process writes
	}
	if len(pids) != 3 {
		t.Fatalf("the helper wrote %v, want 3 process ids", pids)
	}
	t.Cleanup(func() { // should they outlive it after all
		for _, pid := range pids {
			if alive(pid) {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	helper.Process.Kill()
	<-exited
	deadline = time.Now().Add(30 * time.Second)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("process %d (%s) outlived the killed test binary", pid, comm(pid))
			}
			time.Sleep(10 * time.Millisecond) // polling for the kernel's signal
		}
	}
}

// TestOrphanHelper, as TestNothingOutlivesAKilledTest's helper, starts a
// PostgreSQL and a Redis of its own and the service on them, writes their
// process ids, and waits to be killed.
func TestOrphanHelper(t *testing.T) {
	pidFile := os.Getenv(orphanEnv)
	if pidFile == "" {
		t.Skip("TestNothingOutlivesAKilledTest's helper")
	}
	pg, redis, tg := pgtest.StartServer(t), redistest.StartServer(t), telegramtest.NewServer(t)
	env := map[string]string{
		"HTTP_ADDR":               "127.0.0.1:0",
		"DATABASE_URL":            pg.URL(),
		"REDIS_URL":               redis.URL(),
		"TELEGRAM_BOT_TOKEN":      telegramtest.Token,
		"TELEGRAM_WEBHOOK_SECRET": testSecret,
		"TELEGRAM_API_ENDPOINT":   tg.Endpoint(),
		"MEDIA_CACHE_DIR":         t.TempDir(),
		"SANDBOX_UPLOAD_DIR":      t.TempDir(),
	}
	_, p := startProcess(t, os.Getenv("NONGSAN_BIN"), tg, env)
	pids := strconv.Itoa(pg.Pid()) + " " + strconv.Itoa(redis.Pid()) + " " + strconv.Itoa(p.cmd.Process.Pid) + "\n"
	if err := os.WriteFile(pidFile+".new", []byte(pids), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(pidFile+".new", pidFile); err != nil { // whole, for the reader
		t.Fatal(err)
	}
	time.Sleep(time.Hour) // until killed, or the timeout's panic
}

// alive tells whether process pid still runs (a zombie no longer does:
// only the reaper is missing).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	state := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(state) > 0 && state[0] != "Z"
}

// comm is process pid's command name, for the failure message.
func comm(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	return strings.TrimSpace(string(b))
}
