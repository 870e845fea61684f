package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/web"
)

// webBot drives the bot through the web channel's own endpoints, as the
// sandbox page does, as one visitor (a browser's cookies): JSON to
// /sandbox/api/send, photos uploaded to /sandbox/api/photo, and the
// visitor's messages read back from the event stream, reconnecting when it
// ends as a browser does.
type webBot struct {
	*typist
	tt     *testing.T
	b      *testBot
	log    *redis.WebLog
	client *http.Client // the visitor's browser: its cookie jar

	mu     sync.Mutex
	msgs   map[string][]webMsg // chat → the bot's messages, edits applied
	seen   string              // the last event read
	resets int                 // how many times the page was told to clear
}

type webMsg struct {
	ID string
	web.Message
}

func startWeb(t *testing.T) *webBot {
	t.Helper()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	delete(env, "TELEGRAM_BOT_TOKEN") // the sandbox is the whole service, as make run starts it
	return openWeb(t, startBot(t, tg, env))
}

// openWeb opens the sandbox page on b as a new visitor, with a browser of
// its own.
func openWeb(t *testing.T, b *testBot) *webBot {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	store := redis.New(redistest.MustClient(t), b.Env["REDIS_PREFIX"]+"sandbox:")
	w := &webBot{tt: t, b: b, log: store.WebLog(sandboxLogMax), msgs: map[string][]webMsg{}, client: &http.Client{Jar: jar}}
	w.typist = &typist{t: t, c: w}
	resp, err := w.client.Get(b.URL + "/sandbox")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if w.cookie() == "" {
		t.Fatal("the page gave no visitor cookie")
	}
	w.listen()
	return w
}

// cookie is the visitor's id, as the browser holds it.
func (w *webBot) cookie() string {
	u, _ := url.Parse(w.b.URL)
	for _, c := range w.client.Jar.Cookies(u) {
		if c.Name == "ns_sandbox" {
			return c.Value
		}
	}
	return ""
}

// listen reads the event stream until the bot stops, and connects again
// from the last event read when it ends (after the visitor's reset, as
// the new visitor), as EventSource does.
func (w *webBot) listen() {
	connect := func() *http.Response {
		req, _ := http.NewRequest(http.MethodGet, w.b.URL+"/sandbox/api/events", nil)
		w.mu.Lock()
		if w.seen != "" {
			req.Header.Set("Last-Event-ID", w.seen)
		}
		w.mu.Unlock()
		resp, err := w.client.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			return nil // the bot stopped
		}
		return resp
	}
	resp := connect()
	if resp == nil {
		w.t.Fatal("the event stream did not open")
	}
	go func() {
		for resp != nil {
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(nil, 1<<20)
			var id string
			for sc.Scan() {
				line := sc.Text()
				switch {
				case strings.HasPrefix(line, "id: "):
					id = line[4:]
				case strings.HasPrefix(line, "data: "):
					var m web.Message
					json.Unmarshal([]byte(line[6:]), &m)
					w.add(id, m)
				}
			}
			resp.Body.Close()
			resp = connect()
		}
	}()
}

func (w *webBot) add(id string, m web.Message) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = id
	if m.Kind == "reset" {
		w.msgs = map[string][]webMsg{}
		w.resets++
	}
	if m.From != "bot" {
		return
	}
	if m.Edit == "" {
		w.msgs[m.Chat] = append(w.msgs[m.Chat], webMsg{id, m})
		return
	}
	for i, old := range w.msgs[m.Chat] {
		if old.ID == m.Edit {
			w.msgs[m.Chat][i].Text, w.msgs[m.Chat][i].Buttons = m.Text, m.Buttons
		}
	}
}

// caughtUp waits until the stream has brought every message for this
// visitor (theirs and the market's) sent so far, and perhaps some sent
// since, by the relay or the sweeper.
func (w *webBot) caughtUp() {
	w.t.Helper()
	waitFor(w.tt, "the event stream to catch up", func() bool {
		w.mu.Lock()
		seen := w.seen
		w.mu.Unlock()
		world := web.VisitorWorld(w.cookie())
		rest, err := w.log.After(context.Background(), seen, 10_000)
		if err != nil {
			w.t.Fatal(err)
		}
		for _, e := range rest {
			var m web.Message
			json.Unmarshal(e.Data, &m)
			if m.World == "" || m.World == world {
				return false
			}
		}
		return true
	})
}

// chatOf is the web user and private chat id of this visitor's persona.
func (w *webBot) chatOf(persona string) string {
	return persona + "-" + web.VisitorWorld(w.cookie())
}

// api posts JSON as the page does and returns the status.
func (w *webBot) api(v any) int {
	w.t.Helper()
	body, _ := json.Marshal(v)
	resp, err := w.client.Post(w.b.URL+"/sandbox/api/send", "application/json", bytes.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	w.caughtUp()
	return resp.StatusCode
}

func (w *webBot) sendAs(persona, chat string, fields map[string]any) {
	w.t.Helper()
	fields["persona"], fields["chat"] = persona, chat
	if code := w.api(fields); code != http.StatusOK {
		w.t.Fatalf("%v: send answered %d", fields, code)
	}
}

// The web channel as a typist uses it: user ids are the personas.
func (w *webBot) name(user string) string {
	return text(w.t, "vi", "persona."+user)
}
func (w *webBot) buttons() bool { return true }
func (w *webBot) send(user, text string) {
	w.t.Helper()
	w.sendAs(user, "private", map[string]any{"text": text})
}

// sendPhoto uploads a real photo, as the phone took it, and sends it.
func (w *webBot) sendPhoto(user, _, _ string) {
	w.t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
	for x := range 1600 {
		img.Set(x, 600, color.RGBA{G: 160, A: 255})
	}
	var photo, form bytes.Buffer
	jpeg.Encode(&photo, img, nil)
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("photo", "IMG_0001.jpg")
	fw.Write(photo.Bytes())
	mw.Close()
	resp, err := w.client.Post(w.b.URL+"/sandbox/api/photo", mw.FormDataContentType(), &form)
	if err != nil {
		w.t.Fatal(err)
	}
	var out struct{ Name string }
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		w.t.Fatalf("upload answered %d", resp.StatusCode)
	}
	w.sendAs(user, "private", map[string]any{"photos": []string{out.Name}})
}

func (w *webBot) received(chat string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var texts []string
	for _, m := range w.msgs[chat] {
		texts = append(texts, m.Text)
	}
	return texts
}

// messages are the bot's messages in chat, edits applied.
func (w *webBot) messages(chat string) []webMsg {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]webMsg(nil), w.msgs[chat]...)
}

// One whole story through the web endpoints: the farmer registers and lists na with a photo
// (buttons pressed, answers typed), the post shows in the market group with
// its photo and an order link into the sandbox chat, and the buyer opens
// that link and orders.
func TestWebSandboxStory(t *testing.T) {
	t.Parallel()
	w := startWeb(t)
	w.register("farmer", "0912 888 777")
	w.expect("farmer", "sell.product")
	w.say("farmer", "na chi lang")
	w.expect("farmer", "sell.photos")
	w.c.sendPhoto("farmer", "", "")
	for _, answer := range []string{"xong", "500 kg", "25k", "hôm nay", "bỏ qua"} {
		w.say("farmer", answer)
	}
	// The summary's publish button, pressed.
	summary := w.messages("farmer")
	var publish web.Button
	for _, row := range summary[len(summary)-1].Buttons {
		for _, b := range row {
			if b.Label == text(t, "vi", "sell.publish") {
				publish = b
			}
		}
	}
	if publish.Data == "" {
		t.Fatalf("no publish button under %q", summary[len(summary)-1].Text)
	}
	w.sendAs("farmer", "private", map[string]any{"data": publish.Data, "label": publish.Label, "message": summary[len(summary)-1].ID})
	published := w.wait("farmer", func(s string) bool { return strings.HasPrefix(s, "✅ Đã đăng tin") })
	code := regexp.MustCompile(`NS-[2-9A-HJ-NP-Z]{4}`).FindString(published)

	// In the market group: the photo, the listing and a link into the chat.
	var post webMsg
	waitFor(t, "the post in the market group", func() bool {
		for _, m := range w.messages("market") {
			if strings.Contains(m.Text, code) && len(m.Photos) > 0 && len(m.Buttons) > 0 {
				post = m
				return true
			}
		}
		return false
	})
	resp, err := http.Get(w.b.URL + post.Photos[0])
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(resp.Body)
	resp.Body.Close()
	if err != nil || img.Bounds().Dx() != 1280 {
		t.Fatalf("the post's photo %s: %v", post.Photos[0], err)
	}
	var link string
	for _, row := range post.Buttons {
		for _, b := range row {
			if strings.Contains(b.URL, "/sandbox?start=buy_") {
				link = b.URL
			}
		}
	}
	u, err := url.Parse(link)
	// A link to this server is a path, loaded from wherever the page is.
	if err != nil || !strings.HasPrefix(link, "/sandbox?start=buy_") {
		t.Fatalf("the post's order link: %q", link)
	}

	// The buyer opens it, as the page does, and orders.
	w.say("buyer", "/start "+u.Query().Get("start"))
	w.expect("buyer", "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	orderCode := w.order("buyer", "50 kg")
	if orderCode == "" {
		t.Fatal("no order code")
	}
	w.wait("farmer", func(s string) bool { return strings.Contains(s, orderCode) })
	w.wait("market", func(s string) bool { return strings.Contains(s, code) && strings.Contains(s, "450 kg") })

	// "mua NS-… 20kg" in the group: the reply's link carries the 20 kg, its
	// text does not, and the chat it opens does not ask them (issue 12).
	before := len(w.messages("market"))
	w.sendAs("buyer", "market", map[string]any{"text": "mua " + code + " 20kg"})
	link, reply := "", ""
	waitFor(t, "the reply in the market group", func() bool {
		for _, m := range w.messages("market")[before:] {
			for _, row := range m.Buttons {
				for _, b := range row {
					// The group's reply: other posts' buttons carry no quantity.
					if strings.Contains(b.URL, "/sandbox?start=buy_") && strings.Contains(b.URL, "_q") {
						link, reply = b.URL, m.Text
					}
				}
			}
		}
		return link != ""
	})
	if u, err = url.Parse(link); err != nil || u.Query().Get("start") != "buy_"+strings.ReplaceAll(code, "-", "")+"_q20kg" ||
		strings.Contains(reply, "20kg") || strings.Contains(reply, "20 kg") {
		t.Fatalf("the reply %q and its order link %q", reply, link)
	}
	w.say("buyer", "/start "+u.Query().Get("start"))
	w.expect("buyer", "order.delivery") // a returning buyer: name and phone known too
}

// reset presses "Làm lại từ đầu" as the page does, and waits for the page
// to be back, as the new visitor, with all there is for them.
func (w *webBot) reset() {
	w.t.Helper()
	before := w.cookie()
	w.mu.Lock()
	told := w.resets
	w.mu.Unlock()
	resp, err := w.client.Post(w.b.URL+"/sandbox/api/reset", "application/json", nil)
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || w.cookie() == before {
		w.t.Fatalf("reset answered %d, cookie changed: %v", resp.StatusCode, w.cookie() != before)
	}
	// The page is told to clear in the world it had (caughtUp reads the
	// new cookie's): waited for first, or a loaded machine finds the old
	// messages still shown.
	waitFor(w.tt, "the page to be told to clear", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.resets > told
	})
	w.caughtUp()
}

// "Làm lại từ đầu" as the page sees it: the visitor's people are new to
// the bot, their uploads are gone, the open page is told to clear, and a
// new listing reaches the market.
func TestWebSandboxStartsOver(t *testing.T) {
	t.Parallel()
	w := startWeb(t)
	w.say("buyer", "/start")
	w.expect("buyer", "start.welcome", "Name", w.c.name("buyer"))
	w.say("buyer", "/start")
	w.expect("buyer", "start.again", "Name", w.c.name("buyer"))
	w.c.sendPhoto("farmer", "", "")

	w.reset()
	w.mu.Lock()
	resets, left := w.resets, len(w.msgs)
	w.mu.Unlock()
	if resets != 1 || left != 0 {
		t.Errorf("after the reset the page was told %d times and shows %d chats", resets, left)
	}
	if uploads, _ := os.ReadDir(w.b.Env["SANDBOX_UPLOAD_DIR"]); len(uploads) != 0 {
		t.Errorf("%d uploads left", len(uploads))
	}
	w.say("buyer", "/start")
	w.expect("buyer", "start.welcome", "Name", w.c.name("buyer"))
	w.register("farmer", "0912 888 777")
	if published, _ := w.publish("farmer", "50 kg", "30k"); !strings.HasPrefix(published, "✅ Đã đăng tin") {
		t.Errorf("after the reset a listing goes to no market: %q", published)
	}
}

// Two people in a room open the sandbox (two browsers, two cookies): each
// is their own farmer, so two "dang ban" are two conversations, and one's
// "Làm lại từ đầu" leaves the other's where it was (review-web finding 3).
func TestTwoVisitorsOfTheSandboxAreTwoFarmers(t *testing.T) {
	t.Parallel()
	a := startWeb(t)
	b := openWeb(t, a.b)
	name := a.c.name("farmer")

	a.say("farmer", "dang ban")
	a.expect("farmer", "reg.name", "Name", name)
	b.say("farmer", "dang ban")
	b.expect("farmer", "reg.name", "Name", name) // not A's next question
	shown := len(b.received("farmer"))
	a.say("farmer", a.choose(a.last("farmer"), "reg.name_keep", "Name", name))
	a.expect("farmer", "reg.phone")
	b.expect("farmer", "reg.name", "Name", name) // A's answer did not reach B
	if n := len(b.received("farmer")); n != shown {
		t.Errorf("B's page shows %d of the bot's messages, want B's %d: %q", n, shown, b.received("farmer"))
	}
	url := a.b.Env["DATABASE_URL"]
	if n := count(t, url, `SELECT count(*) FROM sandbox.users WHERE channel = 'web' AND platform_id IN ($1, $2)`,
		a.chatOf("farmer"), b.chatOf("farmer")); n != 2 {
		t.Errorf("%d web users for the two visitors' farmers, want 2", n)
	}

	// B starts over; A's conversation is where it was.
	b.reset()
	if n := len(b.received("farmer")); n != 0 {
		t.Errorf("B's page after B's reset: %q", b.received("farmer"))
	}
	a.caughtUp()
	a.mu.Lock()
	resets := a.resets
	a.mu.Unlock()
	if resets != 0 {
		t.Errorf("A's page was told to clear %d times by B's reset", resets)
	}
	a.say("farmer", "0912 888 777")
	a.expect("farmer", "reg.commune")
	b.say("farmer", "dang ban")
	b.expect("farmer", "reg.name", "Name", name)
}

// A visitor who starts over takes their listings off the shared market
// with them; another visitor's stay (before, they stayed until the
// sandbox's daily wipe).
func TestAVisitorWhoStartsOverTakesTheirListingsOffTheMarket(t *testing.T) {
	t.Parallel()
	a := startWeb(t)
	b := openWeb(t, a.b)
	a.register("farmer", "0912 888 777")
	_, mine := a.publish("farmer", "50 kg", "30k")
	b.register("farmer", "0912 888 666")
	_, theirs := b.publish("farmer", "40 kg", "25k")
	if mine == "" || theirs == "" {
		t.Fatalf("listings published: %q and %q", mine, theirs)
	}
	if _, market := a.b.Get("/cho"); !strings.Contains(market, mine) || !strings.Contains(market, theirs) {
		t.Fatalf("the market before the reset lacks %s or %s", mine, theirs)
	}

	a.reset()
	_, market := a.b.Get("/cho")
	if strings.Contains(market, mine) || !strings.Contains(market, theirs) {
		t.Errorf("after A's reset the market shows A's %s: %v, B's %s: %v; want only B's",
			mine, strings.Contains(market, mine), theirs, strings.Contains(market, theirs))
	}
	if status, _ := a.b.Get("/cho/" + mine); status != http.StatusNotFound {
		t.Errorf("A's listing page after A's reset: %d, want 404", status)
	}
}
