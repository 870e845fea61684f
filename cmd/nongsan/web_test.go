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
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/web"
)

// webBot drives the bot through the web channel's own endpoints, as the
// sandbox page does: JSON to /sandbox/api/send, photos uploaded to
// /sandbox/api/photo, and every message read back from the event stream.
type webBot struct {
	*typist
	tt  *testing.T
	b   *testBot
	log *redis.WebLog

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
	store := redis.New(redistest.MustClient(t), env["REDIS_PREFIX"]+"sandbox:")
	w := &webBot{tt: t, b: startBot(t, tg, env), log: store.WebLog(sandboxLogMax), msgs: map[string][]webMsg{}}
	w.typist = &typist{t: t, c: w}
	w.listen()
	return w
}

// listen reads the event stream until the bot stops: its shutdown ends
// the stream (the server does not wait on it).
func (w *webBot) listen() {
	resp, err := http.Get(w.b.URL + "/sandbox/api/events")
	if err != nil {
		w.t.Fatal(err)
	}
	go func() {
		defer resp.Body.Close()
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

// caughtUp waits until the stream has brought every message sent so far
// (and perhaps some sent since, by the relay or the sweeper).
func (w *webBot) caughtUp() {
	w.t.Helper()
	last, err := w.log.Last(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	waitFor(w.tt, "the event stream to catch up", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return !streamBefore(w.seen, last)
	})
}

// streamBefore tells whether stream id a ("ms-seq"; "" for none) comes
// before b.
func streamBefore(a, b string) bool {
	parse := func(id string) (ms, seq int64) {
		m, q, _ := strings.Cut(id, "-")
		ms, _ = strconv.ParseInt(m, 10, 64)
		seq, _ = strconv.ParseInt(q, 10, 64)
		return ms, seq
	}
	am, as := parse(a)
	bm, bs := parse(b)
	return am < bm || am == bm && as < bs
}

// api posts JSON as the page does and returns the status.
func (w *webBot) api(v any) int {
	w.t.Helper()
	body, _ := json.Marshal(v)
	resp, err := http.Post(w.b.URL+"/sandbox/api/send", "application/json", bytes.NewReader(body))
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
	resp, err := http.Post(w.b.URL+"/sandbox/api/photo", mw.FormDataContentType(), &form)
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

// "Làm lại từ đầu" as the page sees it: the people are new to the bot
// again, the uploads and the messages are gone, the open page is told to
// clear, and a new listing reaches the reseeded market.
func TestWebSandboxStartsOver(t *testing.T) {
	t.Parallel()
	w := startWeb(t)
	w.say("buyer", "/start")
	w.expect("buyer", "start.welcome", "Name", w.c.name("buyer"))
	w.say("buyer", "/start")
	w.expect("buyer", "start.again", "Name", w.c.name("buyer"))
	w.c.sendPhoto("farmer", "", "")

	resp, err := http.Post(w.b.URL+"/sandbox/api/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset answered %d", resp.StatusCode)
	}
	w.caughtUp()
	w.mu.Lock()
	resets, left := w.resets, len(w.msgs)
	w.mu.Unlock()
	if resets != 1 || left != 0 {
		t.Errorf("after the reset the page was told %d times and shows %d chats", resets, left)
	}
	if uploads, _ := os.ReadDir(w.b.Env["SANDBOX_UPLOAD_DIR"]); len(uploads) != 0 {
		t.Errorf("%d uploads left", len(uploads))
	}
	if entries, _ := w.log.After(context.Background(), "", 10); len(entries) != 1 {
		t.Errorf("the log holds %d entries after the reset, want the reset alone", len(entries))
	}
	w.say("buyer", "/start")
	w.expect("buyer", "start.welcome", "Name", w.c.name("buyer"))
	w.register("farmer", "0912 888 777")
	if published, _ := w.publish("farmer", "50 kg", "30k"); !strings.HasPrefix(published, "✅ Đã đăng tin") {
		t.Errorf("after the reset a listing goes to no market: %q", published)
	}
}
