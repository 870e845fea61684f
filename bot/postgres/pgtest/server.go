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
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a PostgreSQL cluster of the test's own, from the binaries
// deploy/dev/services.sh uses (/usr/lib/postgresql/<version>/bin, the
// newest), on a free port, in a temporary folder: a test can stop it as a
// crash would and start it again. As root, its commands run as the
// postgres user, as services.sh's do: PostgreSQL refuses to run as root.
type Server struct {
	tb   testing.TB
	bin  string
	dir  string
	port string
	asPG bool
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
	s := &Server{tb: tb, bin: filepath.Dir(bins[len(bins)-1]), asPG: os.Geteuid() == 0}
	// Its own folder, not t.TempDir(): the postgres user must reach it.
	dir, err := os.MkdirTemp("", "nongsan-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	s.dir = dir
	tb.Cleanup(func() { os.RemoveAll(dir) })
	if s.asPG {
		pg, err := user.Lookup("postgres")
		if err != nil {
			tb.Skip("running as root without a postgres user: `make test` installs PostgreSQL, which adds it")
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.port = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	s.run("initdb", "-D", s.data(), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
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
	// fsync off: the tests crash the server, never the machine.
	opts := "-c listen_addresses=127.0.0.1 -c port=" + s.port + " -c unix_socket_directories=" + s.dir +
		" -c fsync=off -c max_connections=100"
	s.run("pg_ctl", "-D", s.data(), "-l", filepath.Join(s.dir, "log"), "-o", opts, "-w", "-t", "60", "start")
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := pgx.Connect(context.Background(), s.URL())
		if err == nil {
			conn.Close(context.Background())
			return
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("PostgreSQL did not answer: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // waiting for a server process, not for our code
	}
}

// Stop stops the cluster at once, as a crash does (pg_ctl -m immediate: no
// checkpoint; the next start recovers from the WAL).
func (s *Server) Stop() {
	s.tb.Helper()
	if _, err := os.Stat(filepath.Join(s.data(), "postmaster.pid")); err != nil {
		return // not running
	}
	s.run("pg_ctl", "-D", s.data(), "-m", "immediate", "-w", "stop")
}

// run runs one of the cluster's programs, as the postgres user when root.
func (s *Server) run(name string, args ...string) {
	s.tb.Helper()
	path := filepath.Join(s.bin, name)
	cmd := exec.Command(path, args...)
	if s.asPG {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	cmd.Dir = "/"
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		s.tb.Fatalf("%s: %v\n%s\n%s", name, err, out, log)
	}
}
