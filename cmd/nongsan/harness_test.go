package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

const testSecret = "test-secret-0123456789"

// testBot is the whole program started by run, as `nongsan serve`, against
// real PostgreSQL and Redis and a fake Telegram.
type testBot struct {
	t      testing.TB
	TG     *telegramtest.Server
	Up     *telegramtest.Updates
	URL    string
	Env    map[string]string
	Logs   *logWatcher
	cancel context.CancelFunc
	done   chan error
}

// newEnv is the environment of a bot with a database and Redis prefix of
// its own, talking to tg.
func newEnv(t testing.TB, tg *telegramtest.Server) map[string]string {
	return map[string]string{
		"HTTP_ADDR":               "127.0.0.1:0",
		"DATABASE_URL":            pgtest.NewDatabase(t),
		"REDIS_URL":               redistest.URL(t),
		"REDIS_PREFIX":            redistest.Prefix(t),
		"TELEGRAM_BOT_TOKEN":      telegramtest.Token,
		"TELEGRAM_WEBHOOK_SECRET": testSecret,
		"TELEGRAM_API_ENDPOINT":   tg.Endpoint(),
		"LOG_LEVEL":               "debug",
		// Groups are paced as in production, with a gap short enough for
		// stories that post several messages to one group.
		"TELEGRAM_GROUP_GAP": "50ms",
		"ZALO_GROUP_GAP":     "50ms",
		// Reachable as in production: platforms fetch our /media links.
		"PUBLIC_BASE_URL": publicAddress(t),
		"MEDIA_CACHE_DIR": t.TempDir(),
		"SPOOL_DIR":       t.TempDir(),
		// The sandbox's uploads, when it runs, stay out of the source tree.
		"SANDBOX_UPLOAD_DIR": t.TempDir(),
		// Tests type far faster than a person: the rate is still counted
		// on every update, never reached but where a test sets it.
		"MAX_MESSAGES_PER_MINUTE": "100000",
	}
}

// publicAddresses are the targets of the addresses publicAddress made.
var publicAddresses sync.Map // base URL → *atomic.Pointer[url.URL]

// publicAddress stands for PUBLIC_BASE_URL, which must be known before the
// bot listens on a port of its own: it forwards to the first bot started
// with it (startBot).
func publicAddress(t testing.TB) string {
	var target atomic.Pointer[url.URL]
	srv := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		if u := target.Load(); u != nil {
			r.SetURL(u)
		}
	}})
	t.Cleanup(srv.Close)
	publicAddresses.Store(srv.URL, &target)
	return srv.URL
}

// startBot runs a new bot; replicas share env (database, Redis, fake API).
// adapters are channels registered besides Telegram.
func startBot(t testing.TB, tg *telegramtest.Server, env map[string]string, adapters ...bot.Adapter) *testBot {
	t.Helper()
	if env == nil {
		env = newEnv(t, tg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &testBot{t: t, TG: tg, Up: tg.NewUpdates(), Env: env, Logs: newLogWatcher(), cancel: cancel, done: make(chan error, 1)}
	getenv := func(k string) string { return env[k] }
	go func() { b.done <- run(ctx, []string{"nongsan", "serve"}, getenv, b.Logs, b.Logs, adapters...) }()
	select {
	case addr := <-b.Logs.listening:
		b.URL = "http://" + addr
		if target, ok := publicAddresses.Load(env["PUBLIC_BASE_URL"]); ok {
			target.(*atomic.Pointer[url.URL]).CompareAndSwap(nil, &url.URL{Scheme: "http", Host: addr})
		}
	case err := <-b.done:
		t.Fatalf("serve stopped at start: %v\n%s", err, b.Logs)
	case <-time.After(90 * time.Second): // migrations and the first connections, with every other test starting too
		t.Fatalf("serve did not start\n%s", b.Logs)
	}
	t.Cleanup(func() {
		b.Stop()
		if t.Failed() {
			for _, line := range strings.Split(b.Logs.String(), "\n") {
				if strings.Contains(line, `"level":"error"`) || strings.Contains(line, `"level":"warn"`) {
					t.Log(line)
				}
			}
		}
	})
	return b
}

// Stop cancels the bot's context, as SIGTERM does, and waits for run.
func (b *testBot) Stop() {
	b.t.Helper()
	if b.cancel == nil {
		return
	}
	b.cancel()
	b.cancel = nil
	select {
	case err := <-b.done:
		if err != nil {
			b.t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(30 * time.Second):
		b.t.Error("serve did not shut down")
	}
	// The renderer never asks for an empty message (Telegram refuses them).
	for _, c := range b.TG.CallsTo("sendMessage") {
		if strings.Contains(c.Error, "text is empty") {
			b.t.Errorf("an empty message was sent to %s", c.ChatID)
		}
	}
	logs := b.Logs.String()
	if strings.Contains(logs, telegramtest.Token) {
		b.t.Error("the bot token appears in the logs")
	}
	// The phone numbers the tests' farmers and buyers use, in any spelling.
	for _, phone := range []string{"912888777", "912 888 777", "987654321", "987 654 321"} {
		if strings.Contains(logs, phone) {
			b.t.Errorf("a phone number (%s) appears in the logs", phone)
		}
	}
}

// Post delivers an update to the webhook and returns the HTTP status.
func (b *testBot) Post(u tgbotapi.Update) int {
	b.t.Helper()
	return telegramtest.Post(b.t, b.URL+"/webhook/telegram", testSecret, u)
}

// Say posts text from a user in their private chat and expects a 200.
func (b *testBot) Say(user int64, text string) {
	b.t.Helper()
	if code := b.Post(b.Up.Text(user, user, text)); code != http.StatusOK {
		b.t.Fatalf("%q: webhook answered %d", text, code)
	}
}

// Get fetches a path of the bot's HTTP surface.
func (b *testBot) Get(path string) (int, string) {
	b.t.Helper()
	resp, err := http.Get(b.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// sent is a message the bot sent, as a user sees it.
type sent struct {
	Chat    string
	Text    string
	Buttons []string // inline button labels, row by row
	Data    []string // their callback data or URL
	Contact bool     // offers the share-contact button
	Menu    bool     // shows the main menu as a keyboard that stays
}

// Sent returns the messages the bot sent to chat, oldest first.
func (b *testBot) Sent(chat int64) []sent {
	var out []sent
	for _, c := range b.TG.CallsTo("sendMessage") {
		if c.ChatID != itoa(chat) || c.Status != http.StatusOK {
			continue
		}
		out = append(out, decodeSent(b.t, c))
	}
	return out
}

func decodeSent(t testing.TB, c telegramtest.Call) sent {
	s := sent{Chat: c.ChatID, Text: c.Params["text"]}
	if c.Params["reply_markup"] == "" {
		return s
	}
	var kb struct {
		Inline [][]struct {
			Text         string  `json:"text"`
			CallbackData *string `json:"callback_data"`
			URL          *string `json:"url"`
		} `json:"inline_keyboard"`
		Keyboard [][]struct {
			RequestContact bool `json:"request_contact"`
		} `json:"keyboard"`
		Persistent bool `json:"is_persistent"`
	}
	if err := c.JSON("reply_markup", &kb); err != nil {
		t.Fatal(err)
	}
	for _, row := range kb.Inline {
		for _, btn := range row {
			s.Buttons = append(s.Buttons, btn.Text)
			switch {
			case btn.CallbackData != nil:
				s.Data = append(s.Data, *btn.CallbackData)
			case btn.URL != nil:
				s.Data = append(s.Data, *btn.URL)
			}
		}
	}
	for _, row := range kb.Keyboard {
		for _, btn := range row {
			s.Contact = s.Contact || btn.RequestContact
		}
	}
	s.Menu = kb.Persistent && len(kb.Keyboard) > 0
	return s
}

// text renders a message as a user of lang reads it.
func text(t testing.TB, lang, id string, kv ...any) string {
	t.Helper()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	return texts.Text(lang, flows.M(id, kv...))
}

// logWatcher collects the bot's log output and reports the listening address.
type logWatcher struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	partial   []byte
	listening chan string
}

func newLogWatcher() *logWatcher { return &logWatcher{listening: make(chan string, 1)} }

func (w *logWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		var line struct{ Message, Addr string }
		if json.Unmarshal(w.partial[:i], &line) == nil && line.Message == "listening" {
			w.listening <- line.Addr
		}
		w.partial = w.partial[i+1:]
	}
	return len(p), nil
}

func (w *logWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
