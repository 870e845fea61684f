package main

import (
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"sync"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// startBotOnOwnRedis runs a bot whose Redis is the test's own, to stop
// and start.
func startBotOnOwnRedis(t *testing.T) (*testBot, *redistest.Server) {
	t.Helper()
	tg := telegramtest.NewServer(t)
	redis := redistest.StartServer(t)
	env := newEnv(t, tg)
	env["REDIS_URL"] = redis.URL()
	return startBot(t, tg, env), redis
}

func TestRedisOutageRefusesUpdatesThenConversationContinues(t *testing.T) {
	t.Parallel()
	b, redis := startBotOnOwnRedis(t)

	b.Say(farmer, "/ngonngu") // a conversation in progress
	redis.Stop()

	if code, _ := b.Get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with Redis down = %d, want 503", code)
	}
	pending := b.Up.Text(farmer, farmer, "English")
	if code := b.Post(pending); code < 500 {
		t.Fatalf("update with Redis down answered %d, want 5xx so that Telegram retries", code)
	}

	redis.Start()
	if code, _ := b.Get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after Redis restarted = %d, want 200", code)
	}
	// Telegram's retry of the same update continues the conversation.
	if code := b.Post(pending); code != http.StatusOK {
		t.Fatalf("retried update answered %d", code)
	}
	if got := b.Finished(farmer).Text; got != text(t, "en", "lang.done") {
		t.Fatalf("after the outage the language step got %q, want the English confirmation", got)
	}
}

// proxy forwards TCP to a server and can cut every connection, standing in
// for a database that goes away.
type proxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target}
	p.listen("127.0.0.1:0")
	t.Cleanup(p.Cut)
	return p
}

func (p *proxy) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
}

// Cut closes the listener and every connection.
func (p *proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// Restore listens again on the same address.
func (p *proxy) Restore() { p.listen(p.addr) }

// startBotBehindProxy runs a bot whose PostgreSQL is reached through a
// proxy that the test can cut.
func startBotBehindProxy(t *testing.T) (*testBot, *proxy) {
	t.Helper()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	_, pgHost := withHost(t, env["DATABASE_URL"], "")
	p := newProxy(t, pgHost)
	env["DATABASE_URL"], _ = withHost(t, env["DATABASE_URL"], p.addr)
	return startBot(t, tg, env), p
}

func TestPostgresOutageRefusesUpdates(t *testing.T) {
	t.Parallel()
	b, p := startBotBehindProxy(t)

	b.Say(farmer, "/ngonngu")
	p.Cut()
	if code, _ := b.Get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with PostgreSQL down = %d, want 503", code)
	}
	pending := b.Up.Text(farmer, farmer, "1")
	if code := b.Post(pending); code < 500 {
		t.Fatalf("update with PostgreSQL down answered %d, want 5xx", code)
	}
	if n := len(b.Sent(farmer)); n != 1 {
		t.Fatalf("a refused update was answered: %d messages", n)
	}

	p.Restore()
	if code, _ := b.Get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after PostgreSQL came back = %d", code)
	}
	if code := b.Post(pending); code != http.StatusOK {
		t.Fatalf("retried update answered %d", code)
	}
	if got := b.Finished(farmer).Text; got != text(t, "vi", "lang.done") {
		t.Fatalf("after the outage: %q, want the Vietnamese confirmation", got)
	}
}

// withHost returns the database URL dbURL with its host:port replaced.
func withHost(t *testing.T, dbURL, host string) (url, oldHost string) {
	t.Helper()
	u, err := neturl.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	oldHost, u.Host = u.Host, host
	return u.String(), oldHost
}
