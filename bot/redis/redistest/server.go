package redistest

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Server is a Redis of the test's own (the binary make test installs), with
// the append-only file on, so that it can be stopped and started, and its
// command statistics belong to the test alone.
type Server struct {
	tb   testing.TB
	dir  string
	port string
	cmd  *exec.Cmd
}

// StartServer starts a private Redis, stopped when the test ends.
func StartServer(tb testing.TB) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	r := &Server{tb: tb, dir: tb.TempDir(), port: port}
	r.Start()
	tb.Cleanup(r.Stop)
	return r
}

// URL is the server's redis:// URL.
func (r *Server) URL() string { return "redis://127.0.0.1:" + r.port + "/0" }

// Start starts the server (again) and waits until it answers.
func (r *Server) Start() {
	r.tb.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		r.tb.Fatal("redis-server is not installed: run the tests with `make test`")
	}
	r.cmd = exec.Command(path, "--port", r.port, "--bind", "127.0.0.1", "--dir", r.dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "")
	// Killed with the test process, should the test binary die (a
	// timeout's panic, a kill) before it stops the server. Linux only, as
	// the project; Go ends no thread a test starts a process from.
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := r.cmd.Start(); err != nil {
		r.tb.Fatal(err)
	}
	rdb := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:" + r.port, MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	// Waiting for a server process to accept connections, not for our code.
	for rdb.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			r.tb.Fatal("redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Pid is the server process's id, 0 when it is stopped.
func (r *Server) Pid() int {
	if r.cmd == nil {
		return 0
	}
	return r.cmd.Process.Pid
}

// Stop shuts Redis down as an operator would; the AOF keeps the data.
func (r *Server) Stop() {
	if r.cmd == nil {
		return
	}
	exited := make(chan struct{})
	go func() { r.cmd.Wait(); close(exited) }()
	rdb := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:" + r.port})
	rdb.ShutdownSave(context.Background())
	rdb.Close()
	// SHUTDOWN can be refused (a busy script, a failed save): a test must
	// not hang on it, so the server is killed after a while.
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		r.tb.Logf("redis-server on port %s did not shut down in 10 s: killed", r.port)
		r.cmd.Process.Kill()
		<-exited
	}
	r.cmd = nil
}

// Kill stops Redis at once, as a crash or an OOM kill does (SIGKILL, no
// shutdown): what the AOF holds is all a restart finds.
func (r *Server) Kill() {
	if r.cmd == nil {
		return
	}
	r.cmd.Process.Kill()
	r.cmd.Wait()
	r.cmd = nil
}

// Commands sums INFO commandstats: every command the server ran, those
// inside scripts included, since the last CONFIG RESETSTAT.
func Commands(ctx context.Context, rdb goredis.UniversalClient) (int64, error) {
	info, err := rdb.Info(ctx, "commandstats").Result()
	if err != nil {
		return 0, err
	}
	var total int64
	for _, line := range strings.Split(info, "\n") {
		_, stats, ok := strings.Cut(strings.TrimSpace(line), ":calls=")
		if !ok || !strings.HasPrefix(line, "cmdstat_") || strings.HasPrefix(line, "cmdstat_info:") ||
			strings.HasPrefix(line, "cmdstat_config|resetstat:") {
			continue
		}
		calls, _, _ := strings.Cut(stats, ",")
		n, _ := strconv.ParseInt(calls, 10, 64)
		total += n
	}
	return total, nil
}

// Reads is how many reads from its clients the server processed since the
// last CONFIG RESETSTAT: the round trips, however many commands each held.
func Reads(ctx context.Context, rdb goredis.UniversalClient) (int64, error) {
	info, err := rdb.Info(ctx, "stats").Result()
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "total_reads_processed:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, errors.New("INFO stats has no total_reads_processed")
}
