package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

// load is a dozen farmers registering and listing na at once through the
// real webhook, closed loop (each waits for the bot's answer before the
// next message), as Telegram delivers: an update answered anything but 200
// is delivered again, the same update_id, until it gets one. Each user
// keeps a transcript. Fault tests break something under it.
type load struct {
	t     *testing.T
	up    *telegramtest.Updates
	apis  []*telegramtest.Server // what every Bot API the service used received
	url   atomic.Pointer[string] // the webhook's base URL: a restarted process listens elsewhere
	users []int64
	// scripts are the users' messages, rendered once: rendering is slow
	// under the race detector.
	scripts map[int64][]loadStep
	// Dup, when > 0, delivers every Dup-th update twice, every other one of
	// those concurrently with the first delivery.
	Dup int

	mu          sync.Mutex
	transcripts map[int64][]entry
	codes       map[int]int // deliveries by HTTP status, so far
	wg          sync.WaitGroup
	sent        atomic.Int64 // updates sent (first deliveries)
}

// entry is one update of a transcript: what the user sent, the status of
// each delivery (0: no answer, the connection failed), and the bot's reply.
type entry struct {
	UpdateID int
	Said     string
	Statuses []int
	Reply    string
	Took     time.Duration // from the first delivery to the answer
}

// loadStep is one message of the script and what its answer says.
type loadStep struct {
	said   string
	update func(up *telegramtest.Updates, user int64) tgbotapi.Update
	want   string
}

// loadClient delivers updates as Telegram does: a connection each, a
// deadline longer than any update's handling.
var loadClient = &http.Client{Timeout: 40 * time.Second}

func newLoad(t *testing.T, tg *telegramtest.Server, url string, users int) *load {
	return newLoadOf(t, tg, url, 7001, users)
}

// newLoadOf is a load of users numbered from first.
func newLoadOf(t *testing.T, tg *telegramtest.Server, url string, first int64, users int) *load {
	l := &load{t: t, up: tg.NewUpdates(), apis: []*telegramtest.Server{tg}, transcripts: map[int64][]entry{}, codes: map[int]int{},
		scripts: map[int64][]loadStep{}}
	l.url.Store(&url)
	// One reading of the locales for every script: each text() reads them
	// again, a tenth of a second under the race detector.
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	for i := range users {
		user := first + int64(i)
		l.users = append(l.users, user)
		l.scripts[user] = sellScript(t, texts, user)
	}
	return l
}

// sellScript registers user as a farmer and publishes one listing of na:
// the sell flow, from /ban to the confirmation.
func sellScript(t testing.TB, texts *locales.Texts, user int64) []loadStep {
	text := func(_ testing.TB, lang, id string, kv ...any) string { return texts.Text(lang, flows.M(id, kv...)) }
	say := func(s string) func(*telegramtest.Updates, int64) tgbotapi.Update {
		return func(up *telegramtest.Updates, u int64) tgbotapi.Update { return up.Text(u, u, s) }
	}
	tap := func(data string) func(*telegramtest.Updates, int64) tgbotapi.Update {
		return func(up *telegramtest.Updates, u int64) tgbotapi.Update { return up.Callback(u, u, 0, data) }
	}
	name := "Nông dân " + itoa(user)
	return []loadStep{
		{"/ban", say("/ban"), text(t, "vi", "reg.name", "Name", name)},
		{"[keep]", tap("keep"), text(t, "vi", "reg.phone")},
		{"[contact]", func(up *telegramtest.Updates, u int64) tgbotapi.Update { return up.Contact(u, u, phoneOf(u)) }, text(t, "vi", "reg.commune")},
		{"xã Quang Lang, Chi Lăng", say("xã Quang Lang, Chi Lăng"), text(t, "vi", "reg.code")},
		{"bỏ qua", say("bỏ qua"), text(t, "vi", "reg.bank")},
		{"agribank", say("agribank"), text(t, "vi", "reg.account")},
		{"1234 5678 9012", say("1234 5678 9012"), text(t, "vi", "reg.holder", "Holder", "NONG DAN "+itoa(user))},
		{"1", say("1"), text(t, "vi", "sell.product")},
		{"[p:na-chi-lang]", tap("p:na-chi-lang"), text(t, "vi", "sell.photos")},
		{"[photo]", func(up *telegramtest.Updates, u int64) tgbotapi.Update {
			return up.Photo(u, u, "photo-"+itoa(u), "", "")
		}, text(t, "vi", "sell.photo_got", "Count", 1)},
		{"xong", say("xong"), text(t, "vi", "sell.quantity", "Product", "Na Chi Lăng", "Unit", "kg")},
		{"5 tạ", say("5 tạ"), text(t, "vi", "sell.price", "Unit", "kg")},
		{"25k", say("25k"), text(t, "vi", "sell.ready")},
		{"mai", say("mai"), text(t, "vi", "sell.note")},
		{"Na dai " + itoa(user), say("Na dai " + itoa(user)), "📋"},
		// Typed: the summary's button names the summary (its stamp), which
		// the script does not read.
		{"đăng", say("đăng"), "✅ Đã lưu tin bán"},
	}
}

// start runs every user's script, each on a goroutine of its own.
func (l *load) start() {
	for _, user := range l.users {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.run(user, l.scripts[user])
		}()
	}
}

// wait waits until every user is done.
func (l *load) wait() { l.wg.Wait() }

// run sends user's script in order, each update until it gets a 200, then
// waits for its answer. A failure is reported and ends this user.
func (l *load) run(user int64, script []loadStep) {
	for i, s := range script {
		before := len(l.received(user))
		u := s.update(l.up, user)
		e, start := entry{UpdateID: u.UpdateID, Said: s.said}, time.Now()
		n := l.sent.Add(1)
		dup := l.Dup > 0 && n%int64(l.Dup) == 0
		var twin chan int
		if dup && n%int64(2*l.Dup) == 0 { // at the same time as the first delivery
			twin = make(chan int, 1)
			go func() { twin <- l.post(u) }()
		}
		deadline := time.Now().Add(60 * time.Second)
		for status := 0; status != http.StatusOK; {
			if time.Now().After(deadline) {
				l.t.Errorf("user %d, step %d (%s): no 200 in 60 s: %v", user, i+1, s.said, e.Statuses)
				l.record(user, e)
				return
			}
			if len(e.Statuses) > 0 {
				time.Sleep(25 * time.Millisecond) // Telegram's retry, sooner
			}
			status = l.post(u)
			e.Statuses = append(e.Statuses, status)
		}
		if twin != nil {
			e.Statuses = append(e.Statuses, <-twin)
		} else if dup {
			e.Statuses = append(e.Statuses, l.post(u))
		}
		reply, ok := l.await(user, before, s.want)
		e.Reply, e.Took = reply, time.Since(start)
		l.record(user, e)
		if !ok {
			l.t.Errorf("user %d, step %d (%s): no answer starting %q; the chat got %q", user, i+1, s.said, s.want, l.received(user)[before:])
			return
		}
	}
}

func (l *load) record(user int64, e entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.transcripts[user] = append(l.transcripts[user], e)
}

// post delivers u once and returns the status, 0 when the connection
// failed (the service is down).
func (l *load) post(u tgbotapi.Update) (status int) {
	defer func() {
		l.mu.Lock()
		l.codes[status]++
		l.mu.Unlock()
	}()
	req, err := http.NewRequest(http.MethodPost, *l.url.Load()+"/webhook/telegram", bytes.NewReader(telegramtest.UpdateJSON(u)))
	if err != nil {
		l.t.Error(err)
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(telegramtest.SecretHeader, testSecret)
	resp, err := loadClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// await polls user's chat until a message after the first before starts
// says want.
func (l *load) await(user int64, before int, want string) (string, bool) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		got := l.received(user)
		for _, m := range got[min(before, len(got)):] {
			if strings.Contains(m, want) {
				return m, true
			}
		}
		time.Sleep(20 * time.Millisecond) // polling, not synchronisation
	}
	return "", false
}

// received is every text the Bot APIs delivered to chat, oldest first.
func (l *load) received(chat int64) []string {
	var out []string
	for _, api := range l.apis {
		for _, c := range api.CallsTo("sendMessage") {
			if c.ChatID == itoa(chat) && c.Status == http.StatusOK {
				out = append(out, c.Params["text"])
			}
		}
	}
	return out
}

// progress is how many updates of the slowest user got their answer.
func (l *load) progress() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	least := -1
	for _, user := range l.users {
		if n := len(l.transcripts[user]); least < 0 || n < least {
			least = n
		}
	}
	return least
}

// statuses counts the deliveries so far by HTTP status.
func (l *load) statuses() map[int]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.codes)
}

// check verifies what the load left behind: every user went through the
// whole script (each update got a 200 and its answer); each answer of the
// script arrived once, in the script's order; and PostgreSQL holds one
// listing per user, published.
func (l *load) check(dbURL string) {
	l.t.Helper()
	for _, user := range l.users {
		script := l.scripts[user]
		tr := l.transcripts[user]
		if len(tr) != len(script) {
			l.t.Errorf("user %d got through %d of %d steps", user, len(tr), len(script))
			continue
		}
		got, at := l.received(user), 0
		for i, s := range script {
			n := 0
			for j, m := range got {
				if strings.Contains(m, s.want) {
					if n == 0 && j < at {
						l.t.Errorf("user %d: the answer to %q came before the previous step's", user, s.said)
					}
					n, at = n+1, j
				}
			}
			if n != 1 {
				l.t.Errorf("user %d: the answer to step %d (%s) arrived %d times, want once", user, i+1, s.said, n)
			}
		}
	}
	db, err := postgres.Open(context.Background(), dbURL)
	if err != nil {
		l.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Pool.Query(context.Background(), `SELECT s.name, count(*) FROM listings l JOIN sellers s ON s.id = l.seller_id
		WHERE l.status = 'active' GROUP BY s.name`)
	if err != nil {
		l.t.Fatal(err)
	}
	defer rows.Close()
	listings := map[string]int{}
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			l.t.Fatal(err)
		}
		listings[name] = n
	}
	for _, user := range l.users {
		if n := listings["Nông dân "+itoa(user)]; n != 1 {
			l.t.Errorf("user %d has %d listings in PostgreSQL, want 1", user, n)
		}
	}
	l.t.Logf("%d users, %d updates; deliveries by status: %v", len(l.users), l.sent.Load(), l.statuses())
	l.t.Logf("transcript of user %d:\n%s", l.users[0], l.transcript(l.users[0]))
}

// transcript is user's transcript as text, for a failing test's log.
func (l *load) transcript(user int64) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, e := range l.transcripts[user] {
		fmt.Fprintf(&b, "%d %q %v %s → %q\n", e.UpdateID, e.Said, e.Statuses, e.Took.Round(time.Millisecond), e.Reply)
	}
	return b.String()
}
