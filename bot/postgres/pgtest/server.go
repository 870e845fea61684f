package pgtest

import (
	"context"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a PostgreSQL cluster of the test's own, from the binaries
// deploy/dev/services.sh uses (/usr/lib/postgresql/<version>/bin, the
// newest), on a free port, in a temporary folder: a test can stop it as a
// crash would and start it again. As root, its commands run as the
// postgres user, as services.sh's do: PostgreSQL refuses to run as root.
// The server is the test process's child, killed with it, should the test
// binary die (a timeout's panic, a kill) before it stops the server.
type Server struct {
	tb     testing.TB
	bin    string
	dir    string
	port   string
	cred   *syscall.Credential // the postgres user's, when root
	cmd    *exec.Cmd           // the postmaster, while it runs
	exited chan struct{}       // closed when it has
}

// StartServer initialises and starts a cluster, removed when the test
// ends. Where there are no PostgreSQL binaries (or, as root, no postgres
// user), the test is skipped: `make test` installs both.
func StartServer(tb testing.TB) *Server {
	tb.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	slices.SortFunc(bins, func(a, b string) int { return version(a) - version(b) })
	if len(bins) == 0 {
		tb.Skip("no PostgreSQL under /usr/lib/postgresql: `make test` installs it")
	}
	s := &Server{tb: tb, bin: filepath.Dir(bins[len(bins)-1])}
	// Its own folder, not t.TempDir(): the postgres user must reach it.
	dir, err := os.MkdirTemp("", "nongsan-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	s.dir = dir
	tb.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			tb.Skip("running as root without a postgres user: `make test` installs PostgreSQL, which adds it")
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.port = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	if out, err := s.command("initdb", "-D", s.data(), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}
	tb.Cleanup(s.Stop)
	s.Start()
	return s
}

func version(pgctl string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(pgctl))))
	return n
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

// URL is the connection string of the cluster's postgres database.
func (s *Server) URL() string {
	return "postgres://postgres@127.0.0.1:" + s.port + "/postgres?sslmode=disable"
}

// Start starts the cluster (again) and waits until it answers.
func (s *Server) Start() {
	s.tb.Helper()
	log, err := os.OpenFile(filepath.Join(s.dir, "log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.tb.Fatal(err)
	}
	defer log.Close() // the server writes to its own copy
	// fsync off: the tests crash the server, never the machine.
	s.cmd = s.command("postgres", "-D", s.data(), "-c", "listen_addresses=127.0.0.1", "-c", "port="+s.port,
		"-c", "unix_socket_directories="+s.dir, "-c", "fsync=off", "-c", "max_connections=100")
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		s.tb.Fatal(err)
	}
	exited, cmd := make(chan struct{}), s.cmd
	s.exited = exited
	go func() { cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := pgx.Connect(context.Background(), s.URL())
		if err == nil {
			conn.Close(context.Background())
			return
		}
		select {
		case <-exited:
			s.tb.Fatalf("PostgreSQL exited at start: %v\n%s", err, s.log())
		default:
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("PostgreSQL did not answer: %v\n%s", err, s.log())
		}
		time.Sleep(20 * time.Millisecond) // waiting for a server process, not for our code
	}
}

// Pid is the postmaster's process id, 0 when it is stopped.
func (s *Server) Pid() int {
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Stop stops the cluster at once, as a crash does (SIGQUIT, PostgreSQL's
// immediate shutdown: no checkpoint; the next start recovers from the WAL).
func (s *Server) Stop() {
	s.tb.Helper()
	if s.cmd == nil {
		return // not running
	}
	s.cmd.Process.Signal(syscall.SIGQUIT)
	<-s.exited
	s.cmd = nil
}

func (s *Server) log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "log"))
	return string(b)
}

// command is one of the cluster's programs, as the postgres user when
// root, killed (SIGKILL) when the test process dies. It runs from "/":
// the postgres user may not reach the test's folder.
func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = "/"
	// Linux only, as the project. The kernel signals the child when the
	// thread that started it ends: Go ends a thread only when a goroutine
	// locked to it returns, which tests do not do.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGKILL}
	return cmd
}
