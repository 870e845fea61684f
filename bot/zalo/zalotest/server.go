// Package zalotest is a fake Zalo Bot Platform API for tests.
//
// It speaks the wire protocol of bot-api.zaloplatforms.com: one endpoint per
// method under /bot<token>/<method>, POST with a JSON body, answers
// {"ok":true,"result":…} or {"ok":false,"error_code":N,"description":"…"}.
// It checks what Zalo checks (text 1–2000 characters, photos by http(s)
// URL that it fetches as Zalo does, a webhook secret of 8–256 characters), records every call, keeps
// what each chat received, serves getUpdates from a queue, can fail or
// hold a request in flight on demand, and serves sample JPEG photos at URLs of its own, as the images
// users send come to the bot as URLs.
//
//	s := zalotest.NewServer(t)
//	b, _ := zalo.New(zalotest.Token, s.Endpoint(), http.DefaultClient)
//	b.Post(ctx, bot.Out{To: …, Text: "Xin chào"})
//	s.WaitCalls(t, "sendMessage", 1)
//
// events.go builds incoming events and posts them to a webhook.
package zalotest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/nongsan-bot/nongsan/bot/holdtest"
	"github.com/nongsan-bot/nongsan/bot/zalo"
)

const (
	// BotID is the bot's id in getMe; Token, the only token accepted
	// ({bot_id}:{access_token}, as Zalo Bot Creator gives them).
	BotID = "1459232241454765289"
	Token = BotID + ":TEST-zalo-access-token"
	// AccountName is the bot's account_name in getMe.
	AccountName = "bot.NongSanTest"
	// BotName is the bot's name as members see it and @mention it in a
	// group, zalo.DefaultBotName.
	BotName = zalo.DefaultBotName
)

const (
	defaultWaitTimeout = 10 * time.Second
	maxPollWait        = 10 * time.Second // cap of getUpdates' timeout
)

// Failure is an error answer. Status alone is a bare HTTP error (a 502
// from a gateway, no JSON); Code is Zalo's error_code, answered in JSON
// (429: too many requests). Hang > 0 holds the call that long, or until
// the client gives up, and then answers the error (504 by default).
type Failure struct {
	Status      int
	Code        int
	Description string
	Hang        time.Duration
}

// Call is one request the server answered.
type Call struct {
	Method string
	Params map[string]string // the JSON body's fields, non-strings as their JSON text
	ChatID string
	Status int             // HTTP status answered
	Code   int             // error_code answered, 0 on success
	Error  string          // description answered on error
	Result json.RawMessage // nil on error
	At     time.Time       // when it came, for tests of pacing
}

// Message is what a chat received from the bot.
type Message struct {
	Chat  string
	ID    string
	Text  string // a text, or a photo's caption
	Photo string // a photo's URL
}

// Webhook is what setWebhook stored.
type Webhook struct {
	URL       string
	Secret    string
	UpdatedAt int64
}

// Server is a fake Zalo Bot API. All methods are safe for concurrent use.
type Server struct {
	srv         *httptest.Server
	done        chan struct{}
	WaitTimeout time.Duration
	holds       holdtest.Holds // calls held in flight (HoldNext)

	mu            sync.Mutex
	changed       chan struct{} // closed and replaced on every call and queued event
	canJoinGroups bool
	calls         []Call
	received      []Message
	failures      map[string][]Failure
	down          map[string]Failure
	downFor       map[string]Failure // by chat_id
	updates       []zalo.Event
	webhook       Webhook
	verification  *zalo.Verification // setWebhook's; nil: webhook.ok
	photos        map[string][]byte
	seq           int
}

// NewServer starts a fake Bot API on 127.0.0.1 and closes it when the test ends.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{
		done: make(chan struct{}), WaitTimeout: defaultWaitTimeout, changed: make(chan struct{}),
		failures: map[string][]Failure{}, down: map[string]Failure{}, downFor: map[string]Failure{}, photos: map[string][]byte{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	tb.Cleanup(func() {
		close(s.done) // long polls and hangs return
		s.srv.Close()
	})
	return s
}

// URL is the server's base URL.
func (s *Server) URL() string { return s.srv.URL }

// Endpoint is the API endpoint for zalo.New and ZALO_API_ENDPOINT,
// "http://127.0.0.1:<port>/bot%s/%s" (token, method).
func (s *Server) Endpoint() string { return s.srv.URL + "/bot%s/%s" }

// SetCanJoinGroups sets what getMe says of groups (false, as for BASIC
// accounts, until set).
func (s *Server) SetCanJoinGroups(can bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.canJoinGroups = can
}

// PhotoURL is the URL of a sample JPEG the server serves, as Zalo serves
// the images users send; each name has its own picture.
func (s *Server) PhotoURL(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.photos[name] == nil {
		s.photos[name] = sampleJPEG(name)
	}
	return s.srv.URL + "/photos/" + name + ".jpg"
}

// ExpirePhoto makes a photo's URL answer 404 from now on, as Zalo's CDN
// links do after a while.
func (s *Server) ExpirePhoto(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.photos, name)
}

// sampleJPEG is a small JPEG whose colour depends on name.
func sampleJPEG(name string) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	h := 0
	for _, r := range name {
		h = h*31 + int(r)
	}
	c := color.RGBA{uint8(h), uint8(h >> 8), uint8(h >> 16), 255}
	for y := range 12 {
		for x := range 16 {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// FailNext makes the next n calls of method ("" = any) answer f.
func (s *Server) FailNext(method string, n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[method] = append(s.failures[method], f)
	}
}

// SetDown makes every call of method ("" = any but getMe) answer f until
// SetDown(method, nil): an outage.
func (s *Server) SetDown(method string, f *Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == nil {
		delete(s.down, method)
		return
	}
	s.down[method] = *f
}

// SetDownFor makes every call to chat (its chat_id) answer f until
// SetDownFor(chat, nil), whatever the method: a limit of that chat alone,
// the others answered.
func (s *Server) SetDownFor(chat string, f *Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == nil {
		delete(s.downFor, chat)
		return
	}
	s.downFor[chat] = *f
}

// HoldNext keeps the next n calls of method unanswered until Release: a
// request in flight while others go on. A held call is answered as the
// server is on Release (FailNext, SetDown).
func (s *Server) HoldNext(method string, n int) { s.holds.HoldNext(method, n) }

// Release answers the held calls and stops holding.
func (s *Server) Release() { s.holds.Release() }

// WaitHolding waits until n calls are held; it fails the test after
// WaitTimeout.
func (s *Server) WaitHolding(tb testing.TB, n int) {
	tb.Helper()
	s.holds.WaitHolding(tb, "zalotest", n, s.WaitTimeout)
}

// SetVerification makes setWebhook answer v as how its test request to
// the webhook went (a 403 from a WAF, a TLS error …); nil, "webhook.ok".
// The fake sends no test request itself: the URLs tests register are not
// served.
func (s *Server) SetVerification(v *zalo.Verification) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.verification = v
}

// QueueEvent queues an event for getUpdates.
func (s *Server) QueueEvent(ev zalo.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.updates = append(s.updates, ev)
	s.notifyLocked()
}

// Webhook is what setWebhook stored (zero after deleteWebhook).
func (s *Server) Webhook() Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook
}

// Calls returns every call answered so far, in order.
func (s *Server) Calls() []Call { return s.CallsTo("") }

// CallsTo returns the calls of one method ("" = all).
func (s *Server) CallsTo(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Received returns the messages chat received, oldest first.
func (s *Server) Received(chat string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.received {
		if m.Chat == chat {
			out = append(out, m)
		}
	}
	return out
}

// All returns every message sent, oldest first.
func (s *Server) All() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.received...)
}

// WaitCalls waits until at least n calls of method ("" = any) were
// answered and returns them; it fails the test after WaitTimeout.
func (s *Server) WaitCalls(tb testing.TB, method string, n int) []Call {
	tb.Helper()
	timer := time.NewTimer(s.WaitTimeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if calls := s.CallsTo(method); len(calls) >= n {
			return calls
		}
		select {
		case <-changed:
		case <-timer.C:
			tb.Fatalf("zalotest: waited %v for %d call(s) of %q, got %d", s.WaitTimeout, n, method, len(s.CallsTo(method)))
			return nil
		}
	}
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if name, ok := strings.CutPrefix(r.URL.Path, "/photos/"); ok && r.Method == http.MethodGet {
		s.mu.Lock()
		data := s.photos[strings.TrimSuffix(name, ".jpg")]
		s.mu.Unlock()
		if data == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(data)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, _ := strings.Cut(rest, "/")
	call := Call{Method: method, Params: map[string]string{}, At: time.Now()}
	switch {
	case !ok || method == "" || strings.Contains(method, "/"):
		answer(w, nil, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	case r.Method != http.MethodPost:
		answer(w, nil, &apiError{code: http.StatusMethodNotAllowed, desc: "Method Not Allowed"})
		return
	}
	perr := readParams(r, call.Params)
	call.ChatID = call.Params["chat_id"]
	var image []byte
	if method == "sendPhoto" {
		image = fetchPhoto(r.Context(), call.Params["photo"])
		if r.Context().Err() != nil {
			return // the client hung up while the photo came: nothing was sent
		}
	}
	s.holds.Wait(method, s.done)

	s.mu.Lock()
	result, aerr := s.dispatchLocked(r.Context(), token, method, call.Params, perr, image)
	call = s.recordLocked(call, result, aerr)
	s.mu.Unlock()
	answer(w, result, aerr)
}

func readParams(r *http.Request, params map[string]string) *apiError {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return badRequest("can't read request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return badRequest("invalid JSON body")
	}
	for k, raw := range fields {
		var str string
		if json.Unmarshal(raw, &str) == nil {
			params[k] = str
		} else if string(raw) != "null" {
			params[k] = string(raw)
		}
	}
	return nil
}

type apiError struct {
	code   int // error_code; bare: HTTP status without JSON
	desc   string
	bare   bool
	status int // HTTP status, when not code
}

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: desc}
}

// fetchPhoto downloads a photo sent by URL, as Zalo does before it sends
// it on (the image reaches the chat from Zalo's servers, never from ours):
// nil when it could not, or when what came is no image.
func fetchPhoto(ctx context.Context, u string) []byte {
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPhotoBytes))
	if err != nil || resp.StatusCode != http.StatusOK || !strings.HasPrefix(http.DetectContentType(data), "image/") {
		return nil
	}
	return data
}

// maxPhotoBytes is the most the fake reads of a photo's URL.
const maxPhotoBytes = 20 << 20

// dispatchLocked answers a call; getUpdates and hangs release s.mu while
// they wait. image is what a sendPhoto's URL gave (fetchPhoto).
func (s *Server) dispatchLocked(ctx context.Context, token, method string, params map[string]string, perr *apiError, image []byte) (any, *apiError) {
	if token != Token {
		return nil, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"}
	}
	f, ok := s.takeFailureLocked(method)
	if !ok && params["chat_id"] != "" {
		f, ok = s.downFor[params["chat_id"]]
	}
	if ok {
		if f.Hang > 0 {
			s.waitUnlocked(ctx, f.Hang)
		}
		return nil, f.apiError()
	}
	if perr != nil {
		return nil, perr
	}
	switch method {
	case "getMe":
		return zalo.Me{ID: BotID, AccountName: AccountName, AccountType: "BASIC", CanJoinGroups: s.canJoinGroups}, nil
	case "getUpdates":
		return s.getUpdatesLocked(ctx, params)
	case "setWebhook":
		url, secret := params["url"], params["secret_token"]
		if !strings.HasPrefix(url, "https://") {
			return nil, badRequest("url must be an HTTPS URL")
		}
		if n := utf8.RuneCountInString(secret); n < 8 || n > 256 {
			return nil, badRequest("secret_token must be 8 to 256 characters")
		}
		s.webhook = Webhook{URL: url, Secret: secret, UpdatedAt: time.Now().UnixMilli()}
		// Saved whatever its test request gave, as Zalo's docs show it.
		v := zalo.Verification{OK: true, Outcome: "webhook.ok", Hint: "Your endpoint responded successfully."}
		if s.verification != nil {
			v = *s.verification
		}
		v.URL = url
		return zalo.WebhookInfo{URL: url, UpdatedAt: s.webhook.UpdatedAt, Verification: &v}, nil
	case "deleteWebhook":
		s.webhook = Webhook{UpdatedAt: time.Now().UnixMilli()}
		return zalo.WebhookInfo{UpdatedAt: s.webhook.UpdatedAt}, nil
	case "getWebhookInfo":
		return zalo.WebhookInfo{URL: s.webhook.URL, UpdatedAt: s.webhook.UpdatedAt}, nil
	case "sendMessage":
		if n := units(params["text"]); n < 1 || n > zalo.MaxText {
			return nil, badRequest(fmt.Sprintf("text must be 1 to %d characters, got %d", zalo.MaxText, n))
		}
		return s.deliverLocked(params, Message{Text: params["text"]})
	case "sendPhoto":
		photo := params["photo"]
		if !strings.HasPrefix(photo, "http://") && !strings.HasPrefix(photo, "https://") {
			return nil, badRequest("photo must be an http(s) URL")
		}
		if caption, ok := params["caption"]; ok && (caption == "" || units(caption) > zalo.MaxText) {
			return nil, badRequest(fmt.Sprintf("caption must be 1 to %d characters", zalo.MaxText))
		}
		if image == nil {
			// Zalo's words for it are not documented; the code is a 400.
			return nil, badRequest("can not download the photo from its URL")
		}
		return s.deliverLocked(params, Message{Photo: photo, Text: params["caption"]})
	case "sendSticker":
		if params["sticker"] == "" {
			return nil, badRequest("sticker is required")
		}
		return s.deliverLocked(params, Message{})
	case "sendChatAction":
		if params["chat_id"] == "" || (params["action"] != "typing" && params["action"] != "upload_photo") {
			return nil, badRequest("chat_id and action (typing, upload_photo) are required")
		}
		return nil, nil
	}
	return nil, &apiError{code: http.StatusNotFound, desc: "Not Found"}
}

func (s *Server) waitUnlocked(ctx context.Context, d time.Duration) {
	s.mu.Unlock()
	defer s.mu.Lock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-s.done:
	}
}

func (s *Server) deliverLocked(params map[string]string, m Message) (any, *apiError) {
	if params["chat_id"] == "" {
		return nil, badRequest("chat_id is required")
	}
	s.seq++
	m.Chat, m.ID = params["chat_id"], fmt.Sprintf("%020x", s.seq)
	s.received = append(s.received, m)
	return map[string]any{"message_id": m.ID, "date": time.Now().UnixMilli()}, nil
}

// getUpdatesLocked answers the oldest queued event, or 408 once timeout
// (seconds, a string) passes; it refuses while a webhook is set.
func (s *Server) getUpdatesLocked(ctx context.Context, params map[string]string) (any, *apiError) {
	if s.webhook.URL != "" {
		return nil, &apiError{code: http.StatusConflict, desc: "getUpdates does not work while a webhook is set"}
	}
	wait := 30 * time.Second
	if secs, err := strconv.Atoi(params["timeout"]); err == nil {
		wait = time.Duration(secs) * time.Second
	}
	deadline := time.Now().Add(min(wait, maxPollWait))
	for len(s.updates) == 0 {
		left := time.Until(deadline)
		if left <= 0 {
			return nil, &apiError{code: http.StatusRequestTimeout, desc: "Request timeout"}
		}
		changed := s.changed
		s.mu.Unlock()
		t := time.NewTimer(left)
		select {
		case <-changed:
		case <-t.C:
		case <-ctx.Done():
		case <-s.done:
		}
		t.Stop()
		s.mu.Lock()
		if ctx.Err() != nil {
			return nil, &apiError{code: http.StatusRequestTimeout, desc: "Request timeout"}
		}
	}
	ev := s.updates[0]
	s.updates = s.updates[1:]
	return ev, nil
}

// units is the length of s as the limits of sendMessage and sendPhoto
// count it: in UTF-16 code units, as the platform (JavaScript strings) and
// the renderer (bot.Caps) do, so that an emoji counts two. Counting bytes
// would refuse Vietnamese text that Zalo takes; counting runes would take
// text that Zalo refuses.
func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func (s *Server) takeFailureLocked(method string) (Failure, bool) {
	if method != "getMe" {
		for _, key := range []string{method, ""} {
			if f, ok := s.down[key]; ok {
				return f, true
			}
		}
	}
	for _, key := range []string{method, ""} {
		if q := s.failures[key]; len(q) > 0 {
			s.failures[key] = q[1:]
			return q[0], true
		}
	}
	return Failure{}, false
}

func (f Failure) apiError() *apiError {
	switch {
	case f.Code != 0:
		desc := f.Description
		if desc == "" {
			desc = http.StatusText(f.Code)
		}
		return &apiError{code: f.Code, desc: desc}
	case f.Status != 0:
		return &apiError{bare: true, status: f.Status, desc: http.StatusText(f.Status)}
	}
	return &apiError{bare: true, status: http.StatusGatewayTimeout, desc: http.StatusText(http.StatusGatewayTimeout)}
}

func (s *Server) recordLocked(c Call, result any, aerr *apiError) Call {
	if aerr == nil {
		c.Status = http.StatusOK
		if result != nil {
			c.Result, _ = json.Marshal(result)
		}
	} else {
		c.Status, c.Code, c.Error = aerr.httpStatus(), aerr.code, aerr.desc
	}
	s.calls = append(s.calls, c)
	s.notifyLocked()
	return c
}

func (e *apiError) httpStatus() int {
	if e.bare {
		return e.status
	}
	return e.code
}

// answer writes Zalo's envelope, or a bare HTTP error.
func answer(w http.ResponseWriter, result any, aerr *apiError) {
	if aerr != nil && aerr.bare {
		http.Error(w, aerr.desc, aerr.status)
		return
	}
	env := map[string]any{"ok": aerr == nil}
	if aerr != nil {
		env["error_code"], env["description"] = aerr.code, aerr.desc
	} else if result != nil {
		env["result"] = result
	}
	status := http.StatusOK
	if aerr != nil {
		status = aerr.httpStatus()
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(env)
}
