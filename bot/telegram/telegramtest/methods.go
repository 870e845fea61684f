package telegramtest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"html"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// The Bot API's limits, counted in UTF-16 code units after entity parsing.
const (
	maxTextLen      = 4096
	maxCaptionLen   = 1024
	maxCallbackData = 64 // bytes
	maxAlbum        = 10
)

type handler func(s *Server, req *request) (any, *apiError)

type methodInfo struct {
	name   string // as Telegram spells it
	handle handler
}

// methods are the methods the server knows, by lower-case name (Telegram's
// method names are case-insensitive). Handlers run with s.mu held.
var methods = map[string]methodInfo{}

func init() {
	for name, h := range map[string]handler{
		"getMe":                  (*Server).getMe,
		"getUpdates":             (*Server).getUpdates,
		"sendMessage":            (*Server).sendMessage,
		"sendPhoto":              (*Server).sendPhoto,
		"sendDocument":           (*Server).sendDocument,
		"sendMediaGroup":         (*Server).sendMediaGroup,
		"editMessageText":        (*Server).editMessageText,
		"editMessageCaption":     (*Server).editMessageCaption,
		"editMessageReplyMarkup": (*Server).editMessageReplyMarkup,
		"editMessageMedia":       (*Server).editMessageMedia,
		"deleteMessage":          (*Server).deleteMessage,
		"answerCallbackQuery":    (*Server).answerCallbackQuery,
		"sendChatAction":         (*Server).sendChatAction,
		"setMyCommands":          (*Server).setMyCommands,
		"getMyCommands":          (*Server).getMyCommands,
		"deleteMyCommands":       (*Server).deleteMyCommands,
		"setWebhook":             (*Server).setWebhook,
		"deleteWebhook":          (*Server).deleteWebhook,
		"getWebhookInfo":         (*Server).getWebhookInfo,
		"leaveChat":              (*Server).leaveChat,
		"getFile":                (*Server).getFile,
		"getChat":                (*Server).getChat,
		"getChatMember":          (*Server).getChatMember,
		"getChatMemberCount":     (*Server).getChatMemberCount,
		"getChatMembersCount":    (*Server).getChatMemberCount, // the deprecated name tgbotapi v5.5.1 uses
		"getChatAdministrators":  (*Server).getChatAdministrators,
		"pinChatMessage":         (*Server).pinChatMessage,
	} {
		methods[strings.ToLower(name)] = methodInfo{name: name, handle: h}
	}
}

func canonicalMethod(name string) string {
	if m, ok := methods[strings.ToLower(name)]; ok {
		return m.name
	}
	return name
}

// Objects as Telegram answers them (tgbotapi's types marshal absent fields as
// null or false; these leave them out).

type apiUser struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

type apiChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
}

type photoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

type mediaFile struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width,omitempty"`
	Height       int    `json:"height,omitempty"`
	Duration     int    `json:"duration,omitempty"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

type message struct {
	MessageID       int             `json:"message_id"`
	From            *apiUser        `json:"from,omitempty"`
	Chat            apiChat         `json:"chat"`
	Date            int64           `json:"date"`
	EditDate        int64           `json:"edit_date,omitempty"`
	MediaGroupID    string          `json:"media_group_id,omitempty"`
	ReplyToMessage  *message        `json:"reply_to_message,omitempty"`
	Text            string          `json:"text,omitempty"`
	Entities        json.RawMessage `json:"entities,omitempty"`
	Photo           []photoSize     `json:"photo,omitempty"`
	Video           *mediaFile      `json:"video,omitempty"`
	Document        *mediaFile      `json:"document,omitempty"`
	Audio           *mediaFile      `json:"audio,omitempty"`
	Caption         string          `json:"caption,omitempty"`
	CaptionEntities json.RawMessage `json:"caption_entities,omitempty"`
	ReplyMarkup     json.RawMessage `json:"reply_markup,omitempty"`

	incoming   json.RawMessage // an incoming message recorded by Updates, as built; the bot can't edit it
	textSrc    string          // text, parse_mode and entities as sent, to tell "not modified"
	captionSrc string
}

func (m *message) decode() tgbotapi.Message {
	raw := m.incoming
	if raw == nil {
		raw, _ = marshal(m)
	}
	var out tgbotapi.Message
	_ = json.Unmarshal(raw, &out)
	return out
}

func (m *message) setMedia(kind, fileID string, rec *fileRecord) {
	m.Photo, m.Video, m.Document, m.Audio = nil, nil, nil, nil
	size := len(rec.bytes())
	f := &mediaFile{FileID: fileID, FileUniqueID: rec.uniqueID, FileName: rec.name, FileSize: size}
	switch kind {
	case "photo":
		m.Photo = photoSizes(fileID, rec.uniqueID, size)
	case "video":
		f.Width, f.Height, f.Duration, f.MimeType = 640, 360, 1, "video/mp4"
		m.Video = f
	case "audio":
		f.Duration, f.MimeType = 1, "audio/mpeg"
		m.Audio = f
	default:
		f.MimeType = mime.TypeByExtension(filepath.Ext(rec.name))
		if f.MimeType == "" {
			f.MimeType = "application/octet-stream"
		}
		m.Document = f
	}
}

// mediaID is the file_id of the message's media (its largest photo), "" for none.
func (m *message) mediaID() string {
	switch {
	case len(m.Photo) > 0:
		return m.Photo[len(m.Photo)-1].FileID
	case m.Video != nil:
		return m.Video.FileID
	case m.Document != nil:
		return m.Document.FileID
	case m.Audio != nil:
		return m.Audio.FileID
	}
	return ""
}

// photoSizes are three sizes of a photo, the largest last with the photo's own
// file_id.
func photoSizes(fileID, uniqueID string, size int) []photoSize {
	return []photoSize{
		{FileID: fileID + "-s", FileUniqueID: uniqueID + "-s", Width: 90, Height: 67, FileSize: max(size/16, 1)},
		{FileID: fileID + "-m", FileUniqueID: uniqueID + "-m", Width: 320, Height: 240, FileSize: max(size/4, 1)},
		{FileID: fileID, FileUniqueID: uniqueID, Width: 800, Height: 600, FileSize: size},
	}
}

func chatOf(id int64) apiChat {
	if id < 0 {
		return apiChat{ID: id, Type: "supergroup", Title: GroupTitle}
	}
	return apiChat{ID: id, Type: "private", FirstName: userFirstName(id), Username: userUsername(id)}
}

func (s *Server) botUserLocked() *apiUser {
	return &apiUser{ID: s.botID, IsBot: true, FirstName: BotFirstName, Username: s.botUsername}
}

func (s *Server) userLocked(id int64) *apiUser {
	if id == s.botID {
		return s.botUserLocked()
	}
	return &apiUser{ID: id, FirstName: userFirstName(id), Username: userUsername(id)}
}

func (s *Server) chatLocked(id int64) *chatState {
	cs := s.chats[id]
	if cs == nil {
		cs = &chatState{msgs: map[int]*message{}}
		s.chats[id] = cs
	}
	return cs
}

func (s *Server) messageLocked(chatID int64, id int) *message {
	if cs := s.chats[chatID]; cs != nil {
		return cs.msgs[id]
	}
	return nil
}

// newMessageLocked stores a new message from the bot with the chat's next id.
func (s *Server) newMessageLocked(chatID int64) *message {
	cs := s.chatLocked(chatID)
	cs.lastID++
	m := &message{MessageID: cs.lastID, From: s.botUserLocked(), Chat: chatOf(chatID), Date: time.Now().Unix()}
	cs.msgs[m.MessageID] = m
	return m
}

// replyToLocked is the message that reply_to_message_id (or reply_parameters)
// names, if the server knows it.
func (s *Server) replyToLocked(chatID int64, p map[string]string) *message {
	id, err := strconv.Atoi(p["reply_to_message_id"])
	if err != nil {
		var rp struct {
			MessageID int `json:"message_id"`
		}
		if json.Unmarshal([]byte(p["reply_parameters"]), &rp) != nil {
			return nil
		}
		id = rp.MessageID
	}
	orig := s.messageLocked(chatID, id)
	if orig == nil {
		return nil
	}
	cp := *orig
	cp.ReplyToMessage = nil
	return &cp
}

func chatIDParam(p map[string]string) (int64, *apiError) {
	v := p["chat_id"]
	if v == "" {
		return 0, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id == 0 {
		return 0, badRequest("chat not found")
	}
	return id, nil
}

// refusedLocked is the error of a call to a chat that blocked the bot or
// was upgraded to a supergroup (UpgradeGroup); nil for any other chat.
func (s *Server) refusedLocked(chatID int64) *apiError {
	if to, ok := s.upgraded[chatID]; ok {
		return Failure{MigrateToChatID: to}.apiError()
	}
	switch {
	case !s.blocked[chatID]:
		return nil
	case chatID > 0:
		return &apiError{code: http.StatusForbidden, desc: "Forbidden: bot was blocked by the user"}
	default:
		return &apiError{code: http.StatusForbidden, desc: "Forbidden: bot was kicked from the supergroup chat"}
	}
}

// writableChatLocked is the chat_id of a call that sends to or changes the chat.
func (s *Server) writableChatLocked(p map[string]string) (int64, *apiError) {
	id, e := chatIDParam(p)
	if e != nil {
		return 0, e
	}
	return id, s.refusedLocked(id)
}

var htmlTag = regexp.MustCompile(`<[^>]*>`)

// visibleText is the text Telegram keeps after parsing entities. Only HTML is
// parsed; Markdown text is counted as sent.
func visibleText(text, parseMode string) string {
	if strings.EqualFold(parseMode, tgbotapi.ModeHTML) {
		return html.UnescapeString(htmlTag.ReplaceAllString(text, ""))
	}
	return text
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

func messageText(text, parseMode string) (string, *apiError) {
	v := visibleText(text, parseMode)
	switch {
	case strings.TrimSpace(v) == "":
		return "", badRequest("message text is empty")
	case utf16Len(v) > maxTextLen:
		return "", badRequest("message is too long")
	}
	return v, nil
}

func captionText(caption, parseMode string) (string, *apiError) {
	v := visibleText(caption, parseMode)
	if utf16Len(v) > maxCaptionLen {
		return "", badRequest("message caption is too long")
	}
	return v, nil
}

// source identifies content as sent, for "message is not modified".
func source(p map[string]string, text, parseMode, entities string) string {
	return p[text] + "\x00" + p[parseMode] + "\x00" + string(canonicalJSON(p[entities]))
}

// rawParam is a JSON parameter to echo in a result; nil when absent or invalid.
func rawParam(v string) json.RawMessage {
	if v == "" || v == "null" || !json.Valid([]byte(v)) {
		return nil
	}
	return json.RawMessage(v)
}

// canonicalJSON re-encodes JSON with sorted keys, to compare; nil for none.
func canonicalJSON(v string) json.RawMessage {
	if v == "" || v == "null" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(v))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return json.RawMessage(v)
	}
	raw, err := marshal(tree)
	if err != nil {
		return json.RawMessage(v)
	}
	return raw
}

func sameJSON(a, b json.RawMessage) bool {
	return bytes.Equal(canonicalJSON(string(a)), canonicalJSON(string(b)))
}

var buttonActions = []string{
	"url", "callback_data", "login_url", "web_app", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
	"copy_text", "callback_game", "pay",
}

// replyMarkup validates reply_markup and returns what a Message echoes of it:
// Telegram echoes inline keyboards only, and an empty one removes the keyboard.
func replyMarkup(raw string) (json.RawMessage, *apiError) {
	if raw == "" {
		return nil, nil
	}
	var markup map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &markup); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	ik, ok := markup["inline_keyboard"]
	if !ok {
		return nil, nil // reply keyboard, keyboard removal or force reply
	}
	var rows [][]map[string]json.RawMessage
	if err := json.Unmarshal(ik, &rows); err != nil {
		return nil, badRequest("can't parse inline keyboard markup JSON object")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	for _, row := range rows {
		for _, b := range row {
			if !slices.ContainsFunc(buttonActions, func(k string) bool { _, ok := b[k]; return ok }) {
				return nil, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
			if v, ok := b["callback_data"]; ok {
				var data string
				if json.Unmarshal(v, &data) != nil || data == "" || len(data) > maxCallbackData {
					return nil, badRequest("BUTTON_DATA_INVALID")
				}
			}
			if v, ok := b["url"]; ok {
				var u string
				_ = json.Unmarshal(v, &u)
				if !buttonURLAllowed(u) {
					return nil, badRequest(fmt.Sprintf("inline keyboard button URL '%s' is invalid: Unsupported URL protocol", u))
				}
			}
		}
	}
	echo, err := marshal(map[string]any{"inline_keyboard": rows})
	if err != nil {
		return nil, badRequest("can't parse inline keyboard markup JSON object")
	}
	return echo, nil
}

func buttonURLAllowed(u string) bool {
	parsed, err := url.Parse(u)
	if err != nil || u == "" {
		return false
	}
	switch strings.ToLower(parsed.Scheme) {
	case "", "http", "https", "tg", "ton":
		return true
	}
	return false
}

// Files.

// uniqueID is a stable file_unique_id for a file_id.
func uniqueID(fileID string) string {
	return fmt.Sprintf("AQAD%012x", fnv64(fileID)&0xffffffffffff)
}

func fnv64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func (s *Server) newFileLocked(kind, name string, data []byte) (string, *fileRecord) {
	s.seq++
	id := fmt.Sprintf("tt-%s-%d", kind, s.seq)
	rec := &fileRecord{uniqueID: fmt.Sprintf("tt-unique-%d", s.seq), name: name, data: data, kind: kind}
	s.files[id] = rec
	return id, rec
}

func (s *Server) storeUploadLocked(f File, kind string) (string, *fileRecord, *apiError) {
	if len(f.Bytes) == 0 {
		return "", nil, badRequest("file must be non-empty")
	}
	id, rec := s.newFileLocked(kind, f.Name, f.Bytes)
	return id, rec, nil
}

// inputFileLocked resolves a file sent as the upload named field, as
// "attach://<part>", as an http(s) URL or as a file_id. A URL is fetched as
// Telegram fetches it (downloadURLs); Telegram then answers, as observed,
// "Bad Request: failed to get HTTP URL content" when it cannot get it, and
// "Bad Request: wrong type of the web page content" when a photo's URL
// gives no image.
func (s *Server) inputFileLocked(req *request, field, value, kind string) (string, *fileRecord, *apiError) {
	if value == "" {
		if f, ok := req.files[field]; ok && field != "" {
			return s.storeUploadLocked(f, kind)
		}
		return "", nil, badRequest(fmt.Sprintf("there is no %s in the request", kind))
	}
	if part, ok := strings.CutPrefix(value, "attach://"); ok {
		f, ok := req.files[part]
		if !ok {
			return "", nil, badRequest("can't parse InputMedia: media not found")
		}
		return s.storeUploadLocked(f, kind)
	}
	if u, err := url.Parse(value); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		got, ok := req.urls[value]
		switch {
		case !ok || got.data == nil:
			return "", nil, badRequest("failed to get HTTP URL content")
		case kind == "photo" && !strings.HasPrefix(http.DetectContentType(got.data), "image/"):
			return "", nil, badRequest("wrong type of the web page content")
		}
		id, rec := s.newFileLocked(kind, path.Base(u.Path), got.data)
		return id, rec, nil
	}
	rec := s.files[value]
	if rec == nil {
		rec = &fileRecord{uniqueID: uniqueID(value)}
	}
	// A file_id names a file of one kind: a document's is no photo.
	if kind == "photo" && rec.kind != "" && rec.kind != "photo" {
		return "", nil, badRequest("type of file mismatch")
	}
	return value, rec, nil
}

// fetched is a file given by URL, as fetched: nil data when it could not be.
type fetched struct{ data []byte }

// maxDownload is the most the fake fetches of a URL: Telegram's 20 MB for
// files sent by URL.
const maxDownload = 20 << 20

// downloadURLs fetches the files a call gives by http(s) URL: in the
// parameters that name a file, and in an album's media.
func downloadURLs(ctx context.Context, params map[string]string) map[string]fetched {
	var urls []string
	for _, name := range []string{"photo", "document", "video", "audio", "animation"} {
		urls = append(urls, params[name])
	}
	var items []inputMedia
	if json.Unmarshal([]byte(params["media"]), &items) == nil {
		for _, it := range items {
			urls = append(urls, it.Media)
		}
	}
	got := map[string]fetched{}
	client := &http.Client{Timeout: 30 * time.Second}
	for _, u := range urls {
		if _, done := got[u]; done || !(strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) {
			continue
		}
		got[u] = fetchURL(ctx, client, u)
	}
	return got
}

func fetchURL(ctx context.Context, client *http.Client, u string) fetched {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fetched{}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fetched{}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload))
	if err != nil || resp.StatusCode != http.StatusOK || len(data) == 0 {
		return fetched{}
	}
	return fetched{data: data}
}

// Methods.

func (s *Server) getMe(*request) (any, *apiError) {
	return struct {
		ID                      int64  `json:"id"`
		IsBot                   bool   `json:"is_bot"`
		FirstName               string `json:"first_name"`
		Username                string `json:"username"`
		CanJoinGroups           bool   `json:"can_join_groups"`
		CanReadAllGroupMessages bool   `json:"can_read_all_group_messages"`
		SupportsInlineQueries   bool   `json:"supports_inline_queries"`
	}{ID: s.botID, IsBot: true, FirstName: BotFirstName, Username: s.botUsername, CanJoinGroups: true}, nil
}

// getUpdates answers from the queue. With a timeout and nothing queued it
// waits, releasing s.mu, until an update is queued, the timeout (at most
// maxPollWait) passes, the client goes away or the test ends.
func (s *Server) getUpdates(req *request) (any, *apiError) {
	p := req.params
	offset, _ := strconv.Atoi(p["offset"])
	limit, err := strconv.Atoi(p["limit"])
	if err != nil || limit < 1 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	var expired <-chan time.Time
	if wait := min(time.Duration(max(timeout, 0))*time.Second, maxPollWait); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		expired = t.C
	}
	waiting := false
	defer func() { // s.mu is held again when the handler returns
		if waiting {
			s.polling--
		}
	}()
	for {
		if s.webhook.URL != "" {
			return nil, &apiError{code: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
		}
		s.confirmLocked(offset)
		if len(s.updates) > 0 || expired == nil {
			batch := make([]tgbotapi.Update, min(limit, len(s.updates)))
			copy(batch, s.updates)
			raw, err := withoutNulls(batch)
			if err != nil {
				return nil, &apiError{code: http.StatusInternalServerError, desc: "Internal Server Error: " + err.Error()}
			}
			return raw, nil
		}
		if !waiting {
			waiting = true
			s.polling++
			s.notifyLocked() // lets tests see the poll waiting
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-expired:
			expired = nil
		case <-req.ctx.Done():
			expired = nil
		case <-s.done:
			expired = nil
		}
		s.mu.Lock()
	}
}

// confirmLocked forgets the updates that an offset confirms.
func (s *Server) confirmLocked(offset int) {
	switch {
	case offset > 0:
		s.updates = slices.DeleteFunc(s.updates, func(u tgbotapi.Update) bool { return u.UpdateID < offset })
	case offset < 0 && len(s.updates) > -offset:
		s.updates = slices.Delete(s.updates, 0, len(s.updates)+offset)
	}
}

func (s *Server) sendMessage(req *request) (any, *apiError) {
	p := req.params
	chatID, e := chatIDParam(p)
	if e != nil {
		return nil, e
	}
	text, e := messageText(p["text"], p["parse_mode"])
	if e != nil {
		return nil, e
	}
	markup, e := replyMarkup(p["reply_markup"])
	if e != nil {
		return nil, e
	}
	if e := s.refusedLocked(chatID); e != nil {
		return nil, e
	}
	m := s.newMessageLocked(chatID)
	m.Text, m.Entities, m.textSrc = text, rawParam(p["entities"]), source(p, "text", "parse_mode", "entities")
	m.ReplyMarkup = markup
	m.ReplyToMessage = s.replyToLocked(chatID, p)
	return m, nil
}

func (s *Server) sendPhoto(req *request) (any, *apiError) { return s.sendFile(req, "photo") }

// sendDocument sends a file, uploaded (multipart, its file name the
// part's), by URL or by file_id; Telegram shows it with its name and size.
func (s *Server) sendDocument(req *request) (any, *apiError) { return s.sendFile(req, "document") }

// sendFile sends one photo or document (kind, also its parameter's name)
// with an optional caption and buttons.
func (s *Server) sendFile(req *request, kind string) (any, *apiError) {
	p := req.params
	chatID, e := chatIDParam(p)
	if e != nil {
		return nil, e
	}
	caption, e := captionText(p["caption"], p["parse_mode"])
	if e != nil {
		return nil, e
	}
	markup, e := replyMarkup(p["reply_markup"])
	if e != nil {
		return nil, e
	}
	if e := s.refusedLocked(chatID); e != nil {
		return nil, e
	}
	fileID, rec, e := s.inputFileLocked(req, kind, p[kind], kind)
	if e != nil {
		return nil, e
	}
	m := s.newMessageLocked(chatID)
	m.setMedia(kind, fileID, rec)
	m.Caption, m.CaptionEntities = caption, rawParam(p["caption_entities"])
	m.captionSrc = source(p, "caption", "parse_mode", "caption_entities")
	m.ReplyMarkup = markup
	m.ReplyToMessage = s.replyToLocked(chatID, p)
	return m, nil
}

// inputMedia is an InputMediaPhoto/Video/Document/Audio.
type inputMedia struct {
	Type            string          `json:"type"`
	Media           string          `json:"media"`
	Caption         string          `json:"caption"`
	ParseMode       string          `json:"parse_mode"`
	CaptionEntities json.RawMessage `json:"caption_entities"`
}

func (im inputMedia) source() string {
	return im.Caption + "\x00" + im.ParseMode + "\x00" + string(canonicalJSON(string(im.CaptionEntities)))
}

// check validates an item and returns its visible caption.
func (im inputMedia) check(req *request) (string, *apiError) {
	switch im.Type {
	case "photo", "video", "document", "audio":
	default:
		return "", badRequest(fmt.Sprintf("can't parse InputMedia: type \"%s\" is unsupported", im.Type))
	}
	if im.Media == "" {
		return "", badRequest("can't parse InputMedia: media not found")
	}
	if part, ok := strings.CutPrefix(im.Media, "attach://"); ok {
		if _, ok := req.files[part]; !ok {
			return "", badRequest("can't parse InputMedia: media not found")
		}
	}
	return captionText(im.Caption, im.ParseMode)
}

// sendMediaGroup sends 2–10 items as an album. Telegram itself sends a single
// item as a lone message; the fake refuses it, as the Bot API documents 2–10.
func (s *Server) sendMediaGroup(req *request) (any, *apiError) {
	p := req.params
	chatID, e := chatIDParam(p)
	if e != nil {
		return nil, e
	}
	raw, ok := p["media"]
	if !ok {
		return nil, badRequest(`parameter "media" is required`)
	}
	var items []inputMedia
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		return nil, badRequest("can't parse media JSON object")
	}
	switch {
	case len(items) == 0:
		return nil, badRequest("there are no messages to send")
	case len(items) > maxAlbum:
		return nil, badRequest("too many messages to send as an album")
	case len(items) == 1:
		return nil, badRequest("media must include 2-10 items")
	}
	captions := make([]string, len(items))
	for i, it := range items {
		if captions[i], e = it.check(req); e != nil {
			return nil, e
		}
	}
	if e := s.refusedLocked(chatID); e != nil {
		return nil, e
	}
	type resolved struct {
		id  string
		rec *fileRecord
	}
	files := make([]resolved, len(items))
	for i, it := range items {
		id, rec, e := s.inputFileLocked(req, "", it.Media, it.Type)
		if e != nil {
			return nil, e
		}
		files[i] = resolved{id, rec}
	}
	s.seq++
	groupID := strconv.FormatInt(13700000000000000+int64(s.seq), 10)
	replyTo := s.replyToLocked(chatID, p)
	out := make([]*message, len(items))
	for i, it := range items {
		m := s.newMessageLocked(chatID)
		m.MediaGroupID = groupID
		m.setMedia(it.Type, files[i].id, files[i].rec)
		m.Caption, m.CaptionEntities, m.captionSrc = captions[i], rawParam(string(it.CaptionEntities)), it.source()
		m.ReplyToMessage = replyTo
		out[i] = m
	}
	return out, nil
}

// editTargetLocked is the message an edit names; nil for an inline message.
func (s *Server) editTargetLocked(p map[string]string) (*message, *apiError) {
	if p["inline_message_id"] != "" {
		return nil, nil
	}
	chatID, e := s.writableChatLocked(p)
	if e != nil {
		return nil, e
	}
	if p["message_id"] == "" {
		return nil, badRequest("message identifier is not specified")
	}
	id, _ := strconv.Atoi(p["message_id"])
	m := s.messageLocked(chatID, id)
	switch {
	case m == nil:
		return nil, badRequest("message to edit not found")
	case m.incoming != nil:
		return nil, badRequest("message can't be edited")
	}
	return m, nil
}

func (s *Server) editMessageText(req *request) (any, *apiError) {
	p := req.params
	m, e := s.editTargetLocked(p)
	if e != nil {
		return nil, e
	}
	text, e := messageText(p["text"], p["parse_mode"])
	if e != nil {
		return nil, e
	}
	markup, e := replyMarkup(p["reply_markup"])
	if e != nil {
		return nil, e
	}
	if m == nil {
		return true, nil
	}
	if m.mediaID() != "" {
		return nil, badRequest("there is no text in the message to edit")
	}
	src := source(p, "text", "parse_mode", "entities")
	if src == m.textSrc && sameJSON(markup, m.ReplyMarkup) {
		return nil, errNotModified
	}
	m.Text, m.Entities, m.textSrc, m.ReplyMarkup = text, rawParam(p["entities"]), src, markup
	m.EditDate = time.Now().Unix()
	return m, nil
}

func (s *Server) editMessageCaption(req *request) (any, *apiError) {
	p := req.params
	m, e := s.editTargetLocked(p)
	if e != nil {
		return nil, e
	}
	caption, e := captionText(p["caption"], p["parse_mode"])
	if e != nil {
		return nil, e
	}
	markup, e := replyMarkup(p["reply_markup"])
	if e != nil {
		return nil, e
	}
	if m == nil {
		return true, nil
	}
	if m.mediaID() == "" {
		return nil, badRequest("there is no caption in the message to edit")
	}
	src := source(p, "caption", "parse_mode", "caption_entities")
	if src == m.captionSrc && sameJSON(markup, m.ReplyMarkup) {
		return nil, errNotModified
	}
	m.Caption, m.CaptionEntities, m.captionSrc, m.ReplyMarkup = caption, rawParam(p["caption_entities"]), src, markup
	m.EditDate = time.Now().Unix()
	return m, nil
}

func (s *Server) editMessageReplyMarkup(req *request) (any, *apiError) {
	p := req.params
	m, e := s.editTargetLocked(p)
	if e != nil {
		return nil, e
	}
	markup, e := replyMarkup(p["reply_markup"])
	if e != nil {
		return nil, e
	}
	if m == nil {
		return true, nil
	}
	if sameJSON(markup, m.ReplyMarkup) {
		return nil, errNotModified
	}
	m.ReplyMarkup = markup
	m.EditDate = time.Now().Unix()
	return m, nil
}

func (s *Server) editMessageMedia(req *request) (any, *apiError) {
	p := req.params
	m, e := s.editTargetLocked(p)
	if e != nil {
		return nil, e
	}
	raw, ok := p["media"]
	if !ok {
		return nil, badRequest(`parameter "media" is required`)
	}
	var it inputMedia
	if err := json.Unmarshal([]byte(raw), &it); err != nil {
		return nil, badRequest("can't parse InputMedia JSON object")
	}
	caption, e := it.check(req)
	if e != nil {
		return nil, e
	}
	markup, e := replyMarkup(p["reply_markup"])
	if e != nil {
		return nil, e
	}
	if m == nil {
		return true, nil
	}
	if m.mediaID() == "" {
		return nil, badRequest("there is no media in the message to edit")
	}
	if it.Media == m.mediaID() && it.source() == m.captionSrc && sameJSON(markup, m.ReplyMarkup) {
		return nil, errNotModified
	}
	fileID, rec, e := s.inputFileLocked(req, "", it.Media, it.Type)
	if e != nil {
		return nil, e
	}
	m.setMedia(it.Type, fileID, rec)
	m.Caption, m.CaptionEntities, m.captionSrc = caption, rawParam(string(it.CaptionEntities)), it.source()
	m.ReplyMarkup = markup
	m.EditDate = time.Now().Unix()
	return m, nil
}

func (s *Server) deleteMessage(req *request) (any, *apiError) {
	p := req.params
	chatID, e := s.writableChatLocked(p)
	if e != nil {
		return nil, e
	}
	if p["message_id"] == "" {
		return nil, badRequest("message identifier is not specified")
	}
	id, _ := strconv.Atoi(p["message_id"])
	if s.messageLocked(chatID, id) == nil {
		return nil, badRequest("message to delete not found")
	}
	delete(s.chats[chatID].msgs, id)
	return true, nil
}

func (s *Server) answerCallbackQuery(req *request) (any, *apiError) {
	if req.params["callback_query_id"] == "" {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	return true, nil
}

func (s *Server) sendChatAction(req *request) (any, *apiError) {
	if _, e := s.writableChatLocked(req.params); e != nil {
		return nil, e
	}
	if req.params["action"] == "" {
		return nil, badRequest("wrong parameter action in request")
	}
	return true, nil
}

var commandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// commandsKey identifies a command list by scope and language.
func commandsKey(p map[string]string) string {
	scope := p["scope"]
	if scope == "" {
		scope = `{"type":"default"}`
	}
	return string(canonicalJSON(scope)) + "|" + p["language_code"]
}

func (s *Server) setMyCommands(req *request) (any, *apiError) {
	raw, ok := req.params["commands"]
	if !ok {
		return nil, badRequest(`parameter "commands" is required`)
	}
	var cmds []tgbotapi.BotCommand
	if err := json.Unmarshal([]byte(raw), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	for _, c := range cmds {
		if !commandName.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
	}
	if cmds == nil {
		cmds = []tgbotapi.BotCommand{}
	}
	stored, err := marshal(cmds)
	if err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	s.commands[commandsKey(req.params)] = stored
	return true, nil
}

func (s *Server) getMyCommands(req *request) (any, *apiError) {
	if cmds, ok := s.commands[commandsKey(req.params)]; ok {
		return cmds, nil
	}
	return json.RawMessage("[]"), nil
}

func (s *Server) deleteMyCommands(req *request) (any, *apiError) {
	delete(s.commands, commandsKey(req.params))
	return true, nil
}

var secretToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(req *request) (any, *apiError) {
	p := req.params
	drop := p["drop_pending_updates"] == "true"
	if p["url"] == "" { // Telegram removes the webhook
		s.webhook = Webhook{}
		if drop {
			s.updates = nil
		}
		return true, nil
	}
	u, err := url.Parse(p["url"])
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	switch u.Port() {
	case "", "443", "80", "88", "8443":
	default:
		return nil, badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
	}
	if v := p["secret_token"]; v != "" && !secretToken.MatchString(v) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	w := Webhook{URL: p["url"], SecretToken: p["secret_token"], IPAddress: p["ip_address"], DropPendingUpdates: drop, MaxConnections: 40}
	if v := p["max_connections"]; v != "" {
		w.MaxConnections, _ = strconv.Atoi(v)
	}
	if v := p["allowed_updates"]; v != "" {
		if err := json.Unmarshal([]byte(v), &w.AllowedUpdates); err != nil {
			return nil, badRequest("can't parse allowed updates JSON object")
		}
	}
	s.webhook = w
	if drop {
		s.updates = nil
	}
	return true, nil
}

func (s *Server) deleteWebhook(req *request) (any, *apiError) {
	s.webhook = Webhook{}
	if req.params["drop_pending_updates"] == "true" {
		s.updates = nil
	}
	return true, nil
}

func (s *Server) getWebhookInfo(*request) (any, *apiError) {
	info := struct {
		URL                  string   `json:"url"`
		HasCustomCertificate bool     `json:"has_custom_certificate"`
		PendingUpdateCount   int      `json:"pending_update_count"`
		IPAddress            string   `json:"ip_address,omitempty"`
		MaxConnections       int      `json:"max_connections,omitempty"`
		AllowedUpdates       []string `json:"allowed_updates,omitempty"`
	}{
		URL:                s.webhook.URL,
		PendingUpdateCount: len(s.updates),
		IPAddress:          s.webhook.IPAddress,
		MaxConnections:     s.webhook.MaxConnections,
		AllowedUpdates:     s.webhook.AllowedUpdates,
	}
	return info, nil
}

func (s *Server) leaveChat(req *request) (any, *apiError) {
	chatID, e := chatIDParam(req.params)
	if e != nil {
		return nil, e
	}
	s.members[memberKey{chatID, s.botID}] = "left"
	return true, nil
}

func (s *Server) getFile(req *request) (any, *apiError) {
	id := req.params["file_id"]
	if id == "" {
		return nil, badRequest("invalid file_id")
	}
	rec := s.files[id]
	unique := uniqueID(id)
	if rec != nil {
		unique = rec.uniqueID
	}
	return struct {
		FileID       string `json:"file_id"`
		FileUniqueID string `json:"file_unique_id"`
		FileSize     int    `json:"file_size"`
		FilePath     string `json:"file_path"`
	}{id, unique, len(rec.bytes()), "photos/" + id + ".jpg"}, nil
}

func (s *Server) getChat(req *request) (any, *apiError) {
	chatID, e := chatIDParam(req.params)
	if e != nil {
		return nil, e
	}
	return chatOf(chatID), nil
}

func (s *Server) memberLocked(chatID, userID int64) map[string]any {
	status := s.members[memberKey{chatID, userID}]
	if status == "" {
		status = "member"
	}
	m := map[string]any{"user": s.userLocked(userID), "status": status}
	switch status {
	case "creator":
		m["is_anonymous"] = false
	case "administrator":
		for _, k := range []string{"can_be_edited", "is_anonymous", "can_post_stories", "can_edit_stories", "can_delete_stories", "can_promote_members"} {
			m[k] = false
		}
		for _, k := range []string{"can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members", "can_change_info", "can_invite_users", "can_pin_messages"} {
			m[k] = true
		}
	case "restricted":
		m["is_member"], m["until_date"], m["can_send_messages"] = true, 0, false
	case "kicked":
		m["until_date"] = 0
	}
	return m
}

func (s *Server) getChatMember(req *request) (any, *apiError) {
	chatID, e := chatIDParam(req.params)
	if e != nil {
		return nil, e
	}
	userID, err := strconv.ParseInt(req.params["user_id"], 10, 64)
	if err != nil || userID <= 0 {
		return nil, badRequest("invalid user_id specified")
	}
	return s.memberLocked(chatID, userID), nil
}

// getChatMemberCount is 2 in a private chat; in a group, the users given a
// status other than "left" or "kicked", counting the bot unless it was given one.
func (s *Server) getChatMemberCount(req *request) (any, *apiError) {
	chatID, e := chatIDParam(req.params)
	if e != nil {
		return nil, e
	}
	if chatID > 0 {
		return 2, nil
	}
	n := 0
	if _, ok := s.members[memberKey{chatID, s.botID}]; !ok {
		n++
	}
	for k, status := range s.members {
		if k.chat == chatID && status != "left" && status != "kicked" {
			n++
		}
	}
	return n, nil
}

// getChatAdministrators lists the users SetMemberStatus made "creator" or
// "administrator", the creator first.
func (s *Server) getChatAdministrators(req *request) (any, *apiError) {
	chatID, e := chatIDParam(req.params)
	if e != nil {
		return nil, e
	}
	if chatID > 0 {
		return nil, badRequest("there are no administrators in the private chat")
	}
	var ids []int64
	for k, status := range s.members {
		if k.chat == chatID && (status == "creator" || status == "administrator") {
			ids = append(ids, k.user)
		}
	}
	slices.SortFunc(ids, func(a, b int64) int {
		ca, cb := s.members[memberKey{chatID, a}] == "creator", s.members[memberKey{chatID, b}] == "creator"
		switch {
		case ca != cb && ca:
			return -1
		case ca != cb:
			return 1
		}
		return cmp.Compare(a, b)
	})
	out := []map[string]any{}
	for _, id := range ids {
		out = append(out, s.memberLocked(chatID, id))
	}
	return out, nil
}
