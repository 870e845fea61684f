package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// stack is what the load runs against: a throwaway Redis (unless given
// one), a fresh database on the PostgreSQL server, and the service's
// replicas, each a `nongsan serve` process this tool started.
type stack struct {
	dir      string
	redis    *exec.Cmd
	redisURL string
	adminURL string // the server's URL, to create and drop the database
	dbName   string
	dbURL    string
	procs    []replica
	urls     []string
}

type replica struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// freePort asks the kernel for a port nobody listens on.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomName(prefix string) string {
	b := make([]byte, 5)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// startRedis starts redis-server on a free port, its data in dir, with the
// append-only file fsynced as appendfsync says ("off": no AOF at all).
func (s *stack) startRedis(ctx context.Context, appendfsync string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--daemonize", "no", "--logfile", filepath.Join(s.dir, "redis.log")}
	if appendfsync == "off" {
		args = append(args, "--appendonly", "no")
	} else {
		args = append(args, "--appendonly", "yes", "--appendfsync", appendfsync)
	}
	s.redis = exec.Command("redis-server", args...)
	s.redis.SysProcAttr = diesWithUs()
	if err := s.redis.Start(); err != nil {
		return fmt.Errorf("start redis-server (is it installed? make services-up installs it): %w", err)
	}
	s.redisURL = fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	return waitFor(ctx, 20*time.Second, func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			return false
		}
		defer c.Close()
		fmt.Fprint(c, "PING\r\n")
		line, _ := bufio.NewReader(c).ReadString('\n')
		return strings.HasPrefix(line, "+PONG")
	})
}

// createDatabase makes a database of the run's own on the server adminURL
// names.
func (s *stack) createDatabase(ctx context.Context, adminURL string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	name := randomName("load_")
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	u.Path = "/" + name
	s.adminURL, s.dbName, s.dbURL = adminURL, name, u.String()
	return nil
}

// build compiles the service into the run's folder.
func (s *stack) build(ctx context.Context) (string, error) {
	bin := filepath.Join(s.dir, "nongsan")
	// By import path: the tool builds the service from anywhere in the module.
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/nongsan-bot/nongsan/cmd/nongsan")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/nongsan: %v\n%s", err, out)
	}
	return bin, nil
}

// startReplicas starts n `nongsan serve` processes, one after the other
// (the first applies the migrations), and waits until each is ready.
func (s *stack) startReplicas(ctx context.Context, bin string, n int, env []string) error {
	for i := range n {
		port, err := freePort()
		if err != nil {
			return err
		}
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		log, err := os.Create(filepath.Join(s.dir, fmt.Sprintf("nongsan-%d.log", i+1)))
		if err != nil {
			return err
		}
		cmd := exec.Command(bin, "serve")
		cmd.SysProcAttr = diesWithUs()
		cmd.Env = append(append(os.Environ(), env...),
			"HTTP_ADDR=127.0.0.1:"+strconv.Itoa(port),
			"PUBLIC_BASE_URL="+base,
			"MEDIA_CACHE_DIR="+filepath.Join(s.dir, fmt.Sprintf("media-%d", i+1)),
			"SANDBOX_UPLOAD_DIR="+filepath.Join(s.dir, "sandbox"))
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start nongsan serve: %w", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }() // the log says why
		s.procs = append(s.procs, replica{cmd, exited})
		s.urls = append(s.urls, base)
		up := func() bool {
			select {
			case <-exited:
				return true
			default:
			}
			return ready(base)
		}
		if err := waitFor(ctx, time.Minute, up); err != nil {
			return fmt.Errorf("replica %d not ready (log %s): %w", i+1, log.Name(), err)
		}
		select {
		case <-exited:
			return fmt.Errorf("replica %d exited at start (log %s)", i+1, log.Name())
		default:
		}
	}
	return nil
}

// diesWithUs makes a child process get SIGKILL when the tool dies, even
// killed (a CI timeout): no Redis or service is left running after a run.
// SIGKILL, not SIGTERM: a child busy shutting down must not outlive us.
func diesWithUs() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }

// ready says whether the service at base answers /readyz with 200.
func ready(base string) bool {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// peakRSS is the high-water mark of each replica's resident memory.
func (s *stack) peakRSS() []int64 {
	var out []int64
	for _, p := range s.procs {
		out = append(out, vmHWM(p.cmd.Process.Pid))
	}
	return out
}

// vmHWM reads a process's peak resident set, in bytes (0 if unknown).
func vmHWM(pid int) int64 { return procStatus(pid, "VmHWM:") }

// stopReplicas ends the replicas as Kubernetes does (SIGTERM, then KILL).
func (s *stack) stopReplicas() {
	for _, p := range s.procs {
		p.cmd.Process.Signal(syscall.SIGTERM) // gone already is fine
	}
	for _, p := range s.procs {
		select {
		case <-p.exited:
		case <-time.After(15 * time.Second):
			p.cmd.Process.Kill()
			<-p.exited
		}
	}
	s.procs = nil
}

// close stops everything the stack started and drops its database.
func (s *stack) close(keep bool) {
	s.stopReplicas()
	if s.redis != nil {
		s.redis.Process.Signal(syscall.SIGTERM)
		s.redis.Wait()
	}
	if s.dbName != "" && !keep {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, s.adminURL); err == nil {
			conn.Exec(ctx, "DROP DATABASE IF EXISTS "+s.dbName+" WITH (FORCE)") // best effort
			conn.Close(ctx)
		}
	}
	if !keep {
		os.RemoveAll(s.dir)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(ctx context.Context, d time.Duration, cond func() bool) error {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not within %s", d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}
