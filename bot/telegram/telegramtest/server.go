// Package telegramtest is a fake Telegram Bot API server for tests.
//
// It speaks the wire protocol that github.com/go-telegram-bot-api/telegram-bot-api/v5
// (and any other client) uses: one HTTP endpoint per method under
// /bot<token>/<method>, parameters as application/x-www-form-urlencoded,
// multipart/form-data (uploads), application/json or a query string, and
// answers shaped like Telegram's ({"ok":true,"result":...} or
// {"ok":false,"error_code":...,"description":...,"parameters":{...}}).
//
// It keeps the messages the bot sent per chat (so edits and deletes of unknown
// messages fail as they do on Telegram), records every call for assertions,
// can be told to fail the next calls of a method, and serves getUpdates from a
// queue for long-polling tests.
//
//	s := telegramtest.NewServer(t)
//	bot, _ := tgbotapi.NewBotAPIWithAPIEndpoint(telegramtest.Token, s.Endpoint())
//	bot.Send(tgbotapi.NewMessage(42, "Xin chào"))
//	calls := s.WaitCalls(t, "sendMessage", 1)
//
// Updates and Post (updates.go) build incoming updates and deliver them to a
// webhook handler.
package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/nongsan-bot/nongsan/bot/holdtest"
)

const (
	// Token is the only bot token the server accepts; any other gets
	// 401 {"ok":false,"error_code":401,"description":"Unauthorized"}.
	Token = "123456:TEST-token"

	// DefaultBotID and DefaultBotUsername are what getMe answers until SetBot.
	DefaultBotID       int64 = 7000000001
	DefaultBotUsername       = "nongsan_test_bot"

	// BotFirstName is the bot's first_name in getMe and in "from" of its messages.
	BotFirstName = "Nông Sản Bot"
	// GroupTitle is the title of every group (negative id) chat.
	GroupTitle = "Chợ nông sản"
)

const (
	defaultWaitTimeout = 10 * time.Second // WaitCalls
	maxPollWait        = 10 * time.Second // cap of getUpdates' timeout
	maxUploadMemory    = 64 << 20
)

// File is one multipart upload of a call.
type File struct {
	Name        string // file name of the part
	ContentType string // Content-Type of the part
	Bytes       []byte
}

// Call is one request the server answered.
type Call struct {
	Method string            // as Telegram spells it ("sendMessage"), whatever case the client used
	Params map[string]string // every field; nested JSON values (reply_markup, media, ...) as their JSON text
	Files  map[string]File   // multipart uploads by field name ("photo", "file-0", ...); nil when none
	ChatID string            // Params["chat_id"]

	Result json.RawMessage // the "result" answered; nil on error
	Status int             // HTTP status answered: 200, or the error_code
	Error  string          // the description answered on error
	At     time.Time       // when it was answered, for tests of pacing
}

// JSON decodes the JSON text of a parameter (reply_markup, media, commands,
// allowed_updates, ...) into v.
func (c Call) JSON(param string, v any) error {
	raw, ok := c.Params[param]
	if !ok {
		return fmt.Errorf("telegramtest: %s call has no %q parameter", c.Method, param)
	}
	return json.Unmarshal([]byte(raw), v)
}

// DecodeResult decodes the answered result into v (a *tgbotapi.Message for
// sendMessage, a *[]tgbotapi.Message for sendMediaGroup, ...).
func (c Call) DecodeResult(v any) error {
	if c.Result == nil {
		return fmt.Errorf("telegramtest: %s call failed: %d %s", c.Method, c.Status, c.Error)
	}
	return json.Unmarshal(c.Result, v)
}

// Failure is an error answer that FailNext queues.
//
// RetryAfter > 0 answers 429 "Too Many Requests: retry after N" with
// parameters.retry_after; MigrateToChatID != 0 answers 400 "Bad Request: group
// chat was upgraded to a supergroup chat" with parameters.migrate_to_chat_id.
// Otherwise Status defaults to 400 and Description to Telegram's text for the
// status ("Bad Request", "Forbidden", "Internal Server Error", ...).
//
// Hang > 0 holds the call unanswered for that long, or until the client
// gives up, as a stalled Bot API does; the message is not delivered.
//
// ChatID != 0 answers only a call to that chat: calls to other chats pass
// the failure by (a group over its own limit).
type Failure struct {
	Status          int
	Description     string
	RetryAfter      int
	MigrateToChatID int64
	Hang            time.Duration
	ChatID          int64
}

// Webhook is what the last setWebhook stored (zero after deleteWebhook).
type Webhook struct {
	URL                string
	SecretToken        string
	AllowedUpdates     []string
	MaxConnections     int
	IPAddress          string
	DropPendingUpdates bool
}

// Server is a fake Telegram Bot API. All methods are safe for concurrent use.
type Server struct {
	srv         *httptest.Server
	done        chan struct{} // closed on cleanup: ends long polls
	waitTimeout time.Duration
	holds       holdtest.Holds // calls held in flight (Hold, HoldNext)

	mu           sync.Mutex
	changed      chan struct{} // closed and replaced on every answered call and queued update
	botID        int64
	botUsername  string
	calls        []Call
	failures     map[string][]Failure // by lower-case method; "" = any method
	down         map[string]Failure   // likewise, until SetDown(method, nil)
	blocked      map[int64]bool
	upgraded     map[int64]int64 // a basic group's id → its supergroup's (UpgradeGroup)
	members      map[memberKey]string
	chats        map[int64]*chatState
	files        map[string]*fileRecord
	updates      []tgbotapi.Update
	lastUpdateID int
	webhook      Webhook
	commands     map[string]json.RawMessage // by scope and language
	seq          int                        // file ids, media group ids
	polling      int                        // getUpdates calls waiting
	limits       limits                     // SetLimits
}

type memberKey struct{ chat, user int64 }

type chatState struct {
	pinned int
	lastID int
	msgs   map[int]*message
}

type fileRecord struct {
	uniqueID string
	name     string
	data     []byte // nil: the default JPEG
	kind     string // "document", "photo"…; "" for any (SetFile)
}

func (f *fileRecord) bytes() []byte {
	if f == nil || f.data == nil {
		return defaultJPEG
	}
	return f.data
}

// defaultJPEG is what files nobody uploaded or SetFile'd contain: a valid 8x8 grey JPEG.
var defaultJPEG = func() []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		panic(err)
	}
	return buf.Bytes()
}()

// NewServer starts a fake Bot API on 127.0.0.1 and closes it when the test ends.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{
		done:        make(chan struct{}),
		waitTimeout: defaultWaitTimeout,
		changed:     make(chan struct{}),
		botID:       DefaultBotID,
		botUsername: DefaultBotUsername,
		failures:    map[string][]Failure{},
		down:        map[string]Failure{},
		blocked:     map[int64]bool{},
		upgraded:    map[int64]int64{},
		members:     map[memberKey]string{},
		chats:       map[int64]*chatState{},
		files:       map[string]*fileRecord{},
		commands:    map[string]json.RawMessage{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	tb.Cleanup(func() {
		close(s.done) // long polls return, so Close does not wait for them
		s.srv.Close()
	})
	return s
}

// URL is the server's base URL, "http://127.0.0.1:<port>".
func (s *Server) URL() string { return s.srv.URL }

// Endpoint is the API endpoint in go-telegram-bot-api's format,
// "http://127.0.0.1:<port>/bot%s/%s" (token, method), for
// tgbotapi.NewBotAPIWithAPIEndpoint and TELEGRAM_API_ENDPOINT.
func (s *Server) Endpoint() string { return s.srv.URL + "/bot%s/%s" }

// FileEndpoint is the file download endpoint, "http://127.0.0.1:<port>/file/bot%s/%s"
// (token, file_path). tgbotapi's File.Link and GetFileDirectURL always use
// api.telegram.org, so code that downloads files must build the URL from a
// configurable endpoint like this one.
func (s *Server) FileEndpoint() string { return s.srv.URL + "/file/bot%s/%s" }

// SetBot changes who getMe says the bot is and the "from" of its messages.
func (s *Server) SetBot(id int64, username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.botID, s.botUsername = id, username
}

// BlockChat makes every send, edit and delete to the chat fail with 403:
// "Forbidden: bot was blocked by the user" for a user (positive id),
// "Forbidden: bot was kicked from the supergroup chat" for a group.
func (s *Server) BlockChat(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chatID] = true
}

// UnblockChat undoes BlockChat.
func (s *Server) UnblockChat(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, chatID)
}

// UpgradeGroup makes a basic group a supergroup with a new id, as Telegram
// does when a group grows or an admin turns on a supergroup's feature:
// every send, edit and delete to the old id then fails with 400 "Bad
// Request: group chat was upgraded to a supergroup chat" and
// parameters.migrate_to_chat_id = to. No service message is queued: a bot
// may well have missed it.
func (s *Server) UpgradeGroup(from, to int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.upgraded[from] = to
}

// SetMemberStatus sets what getChatMember answers for the user in the chat:
// "creator", "administrator", "member", "restricted", "left" or "kicked".
// Users without a status are "member"s.
func (s *Server) SetMemberStatus(chatID, userID int64, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.members[memberKey{chatID, userID}] = status
}

// SetFile sets the content that getFile and the file endpoint serve for a
// file_id, e.g. a QR code image for the file_id of a Photo update. Files
// nobody uploaded or set contain a small grey JPEG.
func (s *Server) SetFile(fileID string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[fileID] = &fileRecord{uniqueID: uniqueID(fileID), data: slices.Clone(data)}
}

// SetDocument is SetFile for the file_id of a Document update: as Telegram
// does, sendPhoto refuses it ("type of file mismatch"), getFile and the
// file endpoint serve it.
func (s *Server) SetDocument(fileID string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[fileID] = &fileRecord{uniqueID: uniqueID(fileID), data: slices.Clone(data), kind: "document"}
}

// Webhook is what setWebhook stored.
func (s *Server) Webhook() Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.webhook
	w.AllowedUpdates = slices.Clone(w.AllowedUpdates)
	return w
}

// FailNext makes the next n calls of method (any method for "") answer f
// instead of their normal answer. Failures queued for the method itself are
// used before those queued for "".
func (s *Server) FailNext(method string, n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(method)
	for range n {
		s.failures[key] = append(s.failures[key], f)
	}
}

// QueueUpdate queues an update for getUpdates. An UpdateID of 0 is replaced by
// the next id.
func (s *Server) QueueUpdate(u tgbotapi.Update) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.UpdateID == 0 {
		u.UpdateID = s.lastUpdateID + 1
	}
	s.lastUpdateID = max(s.lastUpdateID, u.UpdateID)
	s.updates = append(s.updates, u)
	s.notifyLocked()
}

// Calls returns every call answered so far, successful or not, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callsToLocked("")
}

// CallsTo returns the calls of one method (case-insensitive).
func (s *Server) CallsTo(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callsToLocked(method)
}

// WaitCalls blocks until at least n calls of method ("" = any method) have
// been answered and returns all calls of it. It fails the test after 10 s.
// Like t.Fatal, call it from the test's goroutine.
func (s *Server) WaitCalls(tb testing.TB, method string, n int) []Call {
	tb.Helper()
	timer := time.NewTimer(s.waitTimeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		calls := s.callsToLocked(method)
		changed := s.changed
		s.mu.Unlock()
		if len(calls) >= n {
			return calls
		}
		select {
		case <-changed:
		case <-timer.C:
			what := method
			if what == "" {
				what = "any method"
			}
			var seen []string
			for _, c := range s.Calls() {
				seen = append(seen, fmt.Sprintf("%s(%d)", c.Method, c.Status))
			}
			tb.Fatalf("telegramtest: waited %v for %d call(s) of %s, got %d; calls so far: %v",
				s.waitTimeout, n, what, len(calls), seen)
			return calls
		}
	}
}

// Messages returns the messages currently in a chat (sent by the bot, or
// recorded by an Updates from s.NewUpdates), as edited, without deleted ones,
// by message id.
func (s *Server) Messages(chatID int64) []tgbotapi.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		return nil
	}
	var out []tgbotapi.Message
	for _, id := range slices.Sorted(maps.Keys(cs.msgs)) {
		out = append(out, cs.msgs[id].decode())
	}
	return out
}

func (s *Server) callsToLocked(method string) []Call {
	var out []Call
	for _, c := range s.calls {
		if method == "" || strings.EqualFold(c.Method, method) {
			c.Params = maps.Clone(c.Params)
			c.Files = maps.Clone(c.Files)
			out = append(out, c)
		}
	}
	return out
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/file/bot"):
		s.serveFile(w, strings.TrimPrefix(p, "/file/bot"))
	case strings.HasPrefix(p, "/bot"):
		s.serveMethod(w, r, strings.TrimPrefix(p, "/bot"))
	default:
		writeAnswer(w, errNotFound.code, errNotFound.envelope())
	}
}

// request is one parsed method call.
type request struct {
	ctx    context.Context
	method string
	params map[string]string
	files  map[string]File
	urls   map[string]fetched // files given by URL, fetched before the call
}

func (s *Server) serveMethod(w http.ResponseWriter, r *http.Request, rest string) {
	token, name, _ := strings.Cut(rest, "/")
	if name == "" || strings.Contains(name, "/") {
		writeAnswer(w, errNotFound.code, errNotFound.envelope())
		return
	}
	req := &request{ctx: r.Context(), method: canonicalMethod(name)}
	params, files, perr := readParams(r)
	req.params, req.files = params, files
	// Telegram fetches a file given by URL itself. Outside the lock: the URL
	// may be the bot's own, which may call this server to answer it.
	req.urls = downloadURLs(r.Context(), params)
	s.holds.Wait(req.method, s.done)

	s.mu.Lock()
	result, aerr := s.dispatchLocked(token, req, perr)
	status, env := s.recordLocked(req, result, aerr)
	s.mu.Unlock()
	writeAnswer(w, status, env)
}

// dispatchLocked answers a call. getUpdates releases s.mu while it waits.
func (s *Server) dispatchLocked(token string, req *request, perr *apiError) (any, *apiError) {
	if token != Token {
		return nil, errUnauthorized
	}
	if f, ok := s.takeFailureLocked(req.method, req.params["chat_id"]); ok {
		if f.Hang > 0 {
			s.mu.Unlock()
			select {
			case <-req.ctx.Done():
			case <-time.After(f.Hang):
			case <-s.done:
			}
			s.mu.Lock()
		}
		return nil, f.apiError()
	}
	if perr != nil {
		return nil, perr
	}
	if e := s.rateLocked(req, time.Now()); e != nil {
		return nil, e
	}
	m, ok := methods[strings.ToLower(req.method)]
	if !ok {
		return nil, errNotFound
	}
	return m.handle(s, req)
}

// SetDown makes every call of method (any method for "") answer f until
// SetDown is called again with nil: an outage. getMe keeps answering.
func (s *Server) SetDown(method string, f *Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == nil {
		delete(s.down, strings.ToLower(method))
		return
	}
	s.down[strings.ToLower(method)] = *f
}

func (s *Server) takeFailureLocked(method, chatID string) (Failure, bool) {
	mine := func(f Failure) bool { return f.ChatID == 0 || strconv.FormatInt(f.ChatID, 10) == chatID }
	for _, key := range []string{strings.ToLower(method), ""} {
		if f, ok := s.down[key]; ok && !strings.EqualFold(method, "getMe") && mine(f) {
			return f, true
		}
	}
	for _, key := range []string{strings.ToLower(method), ""} {
		if i := slices.IndexFunc(s.failures[key], mine); i >= 0 {
			f := s.failures[key][i]
			s.failures[key] = slices.Delete(s.failures[key], i, i+1)
			return f, true
		}
	}
	return Failure{}, false
}

// recordLocked records the call and builds its answer.
func (s *Server) recordLocked(req *request, result any, aerr *apiError) (int, envelope) {
	call := Call{Method: req.method, Params: req.params, Files: req.files, ChatID: req.params["chat_id"], At: time.Now()}
	var env envelope
	if aerr == nil {
		raw, err := marshal(result)
		if err != nil {
			aerr = &apiError{code: http.StatusInternalServerError, desc: "Internal Server Error: " + err.Error()}
		} else {
			env = envelope{OK: true, Result: raw}
			call.Result, call.Status = raw, http.StatusOK
		}
	}
	if aerr != nil {
		env = aerr.envelope()
		call.Status, call.Error = aerr.code, aerr.desc
	}
	s.calls = append(s.calls, call)
	s.notifyLocked()
	return call.Status, env
}

// readParams collects the query string and the body's fields, whatever the
// body's encoding.
func readParams(r *http.Request) (map[string]string, map[string]File, *apiError) {
	params := map[string]string{}
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return params, nil, nil
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxUploadMemory); err != nil {
			return params, nil, badRequest("can't parse multipart/form-data request: " + err.Error())
		}
		defer r.MultipartForm.RemoveAll()
		for k, v := range r.MultipartForm.Value {
			params[k] = v[0]
		}
		var files map[string]File
		for k, headers := range r.MultipartForm.File {
			f, err := headers[0].Open()
			if err != nil {
				return params, nil, badRequest("can't read file: " + err.Error())
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return params, nil, badRequest("can't read file: " + err.Error())
			}
			if files == nil {
				files = map[string]File{}
			}
			files[k] = File{Name: headers[0].Filename, ContentType: headers[0].Header.Get("Content-Type"), Bytes: data}
		}
		return params, files, nil
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return params, nil, badRequest("can't read request body")
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return params, nil, nil
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(body, &fields); err != nil {
			return params, nil, badRequest("can't parse JSON encoded request")
		}
		for k, raw := range fields {
			if v, ok := jsonParam(raw); ok {
				params[k] = v
			}
		}
		return params, nil, nil
	default: // application/x-www-form-urlencoded, or no body
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return params, nil, badRequest("can't read request body")
		}
		values, err := url.ParseQuery(string(body))
		if err != nil {
			return params, nil, badRequest("can't parse request body")
		}
		for k, v := range values {
			params[k] = v[0]
		}
		return params, nil, nil
	}
}

// jsonParam turns a JSON field into a form value: strings unquoted, null
// dropped, anything else as its compact JSON text.
func jsonParam(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", false
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	default:
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return string(raw), true
		}
		return buf.String(), true
	}
}

func (s *Server) serveFile(w http.ResponseWriter, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	fileID, ok := strings.CutPrefix(path, "photos/")
	fileID, ok2 := strings.CutSuffix(fileID, ".jpg")
	if token != Token || !ok || !ok2 || fileID == "" {
		writeAnswer(w, errNotFound.code, errNotFound.envelope())
		return
	}
	s.mu.Lock()
	data := s.files[fileID].bytes()
	s.mu.Unlock()
	w.Header().Set("Content-Type", http.DetectContentType(data))
	w.Write(data)
}

// envelope is Telegram's answer.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *respParams     `json:"parameters,omitempty"`
}

type respParams struct {
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
	RetryAfter      int   `json:"retry_after,omitempty"`
}

func writeAnswer(w http.ResponseWriter, status int, env envelope) {
	body, err := marshal(env)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// apiError is an error answer.
type apiError struct {
	code   int
	desc   string
	params *respParams
}

func (e *apiError) envelope() envelope {
	return envelope{ErrorCode: e.code, Description: e.desc, Parameters: e.params}
}

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

var (
	errUnauthorized = &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"}
	errNotFound     = &apiError{code: http.StatusNotFound, desc: "Not Found"}
	errNotModified  = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
)

func (f Failure) apiError() *apiError {
	e := &apiError{code: f.Status, desc: f.Description}
	if f.RetryAfter > 0 {
		e.code = http.StatusTooManyRequests
		if e.desc == "" {
			e.desc = fmt.Sprintf("Too Many Requests: retry after %d", f.RetryAfter)
		}
		e.params = &respParams{RetryAfter: f.RetryAfter}
	}
	if f.MigrateToChatID != 0 {
		if e.code == 0 {
			e.code = http.StatusBadRequest
		}
		if e.desc == "" {
			e.desc = "Bad Request: group chat was upgraded to a supergroup chat"
		}
		if e.params == nil {
			e.params = &respParams{}
		}
		e.params.MigrateToChatID = f.MigrateToChatID
	}
	if e.code == 0 {
		e.code = http.StatusBadRequest
	}
	if e.desc == "" {
		e.desc = http.StatusText(e.code)
	}
	return e
}

// marshal is json.Marshal without HTML escaping.
func marshal(v any) (json.RawMessage, error) {
	if raw, ok := v.(json.RawMessage); ok {
		return raw, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// withoutNulls re-encodes v leaving out null fields, as Telegram does:
// tgbotapi's types marshal some absent fields as null (my_chat_member,
// chat.photo, caption_entities, ...).
func withoutNulls(v any) (json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	return marshal(pruneNulls(tree))
}

func pruneNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				delete(v, k)
				continue
			}
			v[k] = pruneNulls(e)
		}
	case []any:
		for i, e := range v {
			v[i] = pruneNulls(e)
		}
	}
	return v
}
