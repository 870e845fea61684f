// Package zalo adapts the Zalo Bot Platform (bot-api.zaloplatforms.com) to
// the neutral flows types: events in, replies out. No business rules. The
// API is JSON over HTTP POST, so plain net/http does it.
package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"
	"golang.org/x/text/unicode/norm"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/flows"
)

// DefaultBotName is the bot's name on Zalo unless configured.
const DefaultBotName = "Bot Nông Sản"

// DefaultEndpoint is the Bot API's address in go-telegram-bot-api's format
// (token, method).
const DefaultEndpoint = "https://bot-api.zaloplatforms.com/bot%s/%s"

// SecretHeader carries the secret given to setWebhook on every event.
const SecretHeader = "X-Bot-Api-Secret-Token"

// MaxText is the longest text sendMessage takes, and the longest caption.
const MaxText = 2000

// Events the bot reads. Others (files, reactions …) are logged and
// acknowledged.
const (
	EventText        = "message.text.received"
	EventImage       = "message.image.received"
	EventSticker     = "message.sticker.received"
	EventVoice       = "message.voice.received" // with voice_url, not in DOMAIN.md's list
	EventUnsupported = "message.unsupported.received"
	// Not in Zalo's docs, whose five events have none for a video or an
	// audio file: the names other Zalo bots read them by. Answered as on
	// Telegram (the bot reads text and photos), not left unanswered.
	EventVideo = "message.video.received"
	EventAudio = "message.audio.received"
)

// Me is what getMe says of the bot.
type Me struct {
	ID            string `json:"id"`
	AccountName   string `json:"account_name"`
	AccountType   string `json:"account_type"`
	CanJoinGroups bool   `json:"can_join_groups"`
}

// Bot is the Zalo channel.
type Bot struct {
	client   *http.Client
	endpoint string
	token    string
	me       Me
	// BotName is the bot's name as Zalo users see it and @mention it
	// (ZALO_BOT_NAME; Zalo requires it to begin with "Bot"). getMe does not
	// give it: its account_name is "bot.…".
	BotName string
	// BotLink is an https address that opens the private chat with the
	// bot (ZALO_BOT_LINK, e.g. https://zalo.me/<id>), given where texts
	// send users to it; "" none.
	BotLink string
	// Secret is what Zalo must send back with each event.
	Secret string
	// Log hears of events the bot does not know.
	Log zerolog.Logger
}

var (
	_ bot.Adapter     = (*Bot)(nil)
	_ bot.Typer       = (*Bot)(nil)
	_ bot.Redeliverer = (*Bot)(nil)
	_ bot.JoinTeller  = (*Bot)(nil)
)

// New connects to the Bot API at endpoint and learns who the bot is
// (getMe). client carries the metrics and timeouts.
func New(token, endpoint string, client *http.Client) (*Bot, error) {
	b := &Bot{client: client, endpoint: endpoint, token: token, BotName: DefaultBotName, Log: zerolog.Nop()}
	if err := b.call(context.Background(), "getMe", struct{}{}, &b.me); err != nil {
		return nil, fmt.Errorf("zalo getMe: %w", err)
	}
	return b, nil
}

// Me is who the bot is.
func (b *Bot) Me() Me { return b.me }

// Name is the channel's name.
func (b *Bot) Name() flows.Channel { return flows.Zalo }

// Caps: text and single photos by URL only, 2000 characters each; no
// buttons, edits, albums, deep links or menu keyboard. Users find the bot
// by its name (BotName) alone.
func (b *Bot) Caps() bot.Caps {
	return bot.Caps{PhotoURLs: true, MaxText: MaxText, MaxCaption: MaxText, BotName: b.BotName, BotLink: b.BotLink}
}

// Redelivers is false: Zalo's docs say nothing of sending an event again
// when the webhook fails (the OA product retries only when told to), so
// the server spools what it cannot handle rather than answer 5xx.
func (b *Bot) Redelivers() bool { return false }

// TellsJoins is false: no Zalo event says the bot was added to a group
// (or removed), so a group is known from its first message to the bot.
func (b *Bot) TellsJoins() bool { return false }

// DeepLink is never called: Zalo has no deep links.
func (b *Bot) DeepLink(string) string { return "" }

// Ack does nothing: Zalo has no buttons to stop spinning.
func (b *Bot) Ack(context.Context, flows.Input) error { return nil }

// Mount serves the webhook; Zalo sends the secret given to setWebhook.
func (b *Bot) Mount(mux *http.ServeMux, webhook func(header, secret string) http.Handler) {
	mux.Handle("POST /webhook/zalo", webhook(SecretHeader, b.Secret))
}

// Event is one update as Zalo sends it, to a webhook or from getUpdates.
type Event struct {
	EventName string   `json:"event_name"`
	Message   *Message `json:"message,omitempty"`
}

// Message is an event's message. Ids are strings; Date is in milliseconds.
type Message struct {
	From      User   `json:"from"`
	Chat      Chat   `json:"chat"`
	MessageID string `json:"message_id"`
	Date      int64  `json:"date,omitempty"`
	Text      string `json:"text,omitempty"`
	// Photo is the image's URL, as documented. Image events have also been
	// seen with it as an array or an object, or with the URL in PhotoURL,
	// URL or Attachments instead (OpenClaw's Zalo channel reads them all):
	// imageURL reads each.
	Photo       Image             `json:"photo,omitempty"`
	PhotoURL    string            `json:"photo_url,omitempty"`
	Caption     string            `json:"caption,omitempty"` // of an image
	Sticker     string            `json:"sticker,omitempty"`
	URL         string            `json:"url,omitempty"` // of a sticker, or of an image
	Attachments []json.RawMessage `json:"attachments,omitempty"`
}

// Image is an image event's photo: a URL, whether sent as a string, an
// array or an object holding one. Another shape is no URL, not an error:
// the event is still read.
type Image string

// UnmarshalJSON reads a photo in any of its shapes.
func (p *Image) UnmarshalJSON(raw []byte) error {
	*p = Image(urlOf(raw, 1))
	return nil
}

// urlKeys name an image's URL in an object, the documented one first.
var urlKeys = []string{"url", "photo_url", "image_url", "media_url", "download_url", "src"}

// urlOf is the URL that raw holds: a string, the first URL of an array, or
// an object's URL (urlKeys), looked for down to depth nested objects or
// arrays (an attachment's payload).
func urlOf(raw json.RawMessage, depth int) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return strings.TrimSpace(s)
		}
	case '[':
		var items []json.RawMessage
		if depth < 0 || json.Unmarshal(raw, &items) != nil {
			return ""
		}
		for _, item := range items {
			if u := urlOf(item, depth-1); u != "" {
				return u
			}
		}
	case '{':
		var fields map[string]json.RawMessage
		if depth < 0 || json.Unmarshal(raw, &fields) != nil {
			return ""
		}
		for _, k := range urlKeys {
			if v := bytes.TrimSpace(fields[k]); len(v) > 0 && v[0] == '"' {
				if u := urlOf(v, 0); u != "" {
					return u
				}
			}
		}
		for _, k := range []string{"payload", "data"} {
			if u := urlOf(fields[k], depth-1); u != "" {
				return u
			}
		}
	}
	return ""
}

// imageURL is the URL of the image a message carries: photo, then
// photo_url, then url, then the first image attachment's.
func (m *Message) imageURL() string {
	switch {
	case m.Photo != "":
		return string(m.Photo)
	case m.PhotoURL != "":
		return strings.TrimSpace(m.PhotoURL)
	case m.URL != "" && m.Sticker == "":
		return strings.TrimSpace(m.URL)
	}
	for _, a := range m.Attachments {
		var kind struct {
			Type      string `json:"type"`
			MediaType string `json:"media_type"`
		}
		json.Unmarshal(a, &kind) // a shape without them is still looked into
		hint := strings.ToLower(kind.Type + " " + kind.MediaType)
		if strings.TrimSpace(hint) != "" && !strings.Contains(hint, "image") && !strings.Contains(hint, "photo") {
			continue // a file, a link
		}
		if u := urlOf(a, 2); u != "" {
			return u
		}
	}
	return ""
}

// attachmentTypes says what attachments came, for a log line that never
// quotes their URLs.
func (m *Message) attachmentTypes() []string {
	types := make([]string, 0, len(m.Attachments))
	for _, a := range m.Attachments {
		var kind struct {
			Type string `json:"type"`
		}
		json.Unmarshal(a, &kind)
		types = append(types, kind.Type)
	}
	return types
}

// User is a message's sender.
type User struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name,omitempty"`
	FirstName   string `json:"first_name,omitempty"` // getUpdates' sample says so
	IsBot       bool   `json:"is_bot,omitempty"`
}

// Chat is where a message was written: PRIVATE or GROUP.
type Chat struct {
	ID       string `json:"id"`
	ChatType string `json:"chat_type"`
}

// Parse reads an event, wrapped in {"ok":true,"result":…} or bare.
func (b *Bot) Parse(body []byte) (flows.Input, bool, error) {
	ev, ok, err := decodeEvent(body)
	if err != nil {
		return flows.Input{}, false, err
	}
	in := flows.Input{Channel: flows.Zalo, Lang: "vi", At: time.Now()}
	if !ok {
		b.Log.Debug().Int("bytes", len(body)).Msg("zalo request that is no event, acknowledged")
		return in, false, nil
	}
	m := ev.Message
	if m == nil || m.MessageID == "" || m.Chat.ID == "" || m.From.ID == "" {
		b.Log.Warn().Str("event", ev.EventName).Msg("zalo event without a message, ignored")
		return in, false, nil
	}
	// Zalo has no update id: a message delivered again has the same id.
	in.UpdateID, in.MessageID = m.MessageID, m.MessageID
	in.ChatID, in.UserID = m.Chat.ID, m.From.ID
	in.UserName = strings.TrimSpace(m.From.DisplayName)
	if in.UserName == "" {
		in.UserName = strings.TrimSpace(m.From.FirstName)
	}
	switch t := strings.ToUpper(strings.TrimSpace(m.Chat.ChatType)); {
	case t == "PRIVATE":
		in.ChatType = flows.Private
	case t == "GROUP":
		in.ChatType = flows.Group
	case m.Chat.ID == m.From.ID:
		// A type the docs do not name (GROUP is still beta): a chat
		// whose id is the sender's is the sender's own, private.
		b.Log.Warn().Str("event", ev.EventName).Str("chat_type", m.Chat.ChatType).Msg("zalo chat of an unknown type, taken for private: its id is the sender's")
		in.ChatType = flows.Private
	default:
		b.Log.Warn().Str("event", ev.EventName).Str("chat_type", m.Chat.ChatType).Msg("zalo chat of an unknown type, ignored")
		return in, false, nil
	}
	if m.From.IsBot {
		return in, false, nil
	}
	name := eventName(ev)
	switch name {
	case EventText:
		in.Kind, in.Text = flows.KindText, m.Text
		if in.ChatType == flows.Group {
			in.Text = b.unmention(m.Text)
			// Zalo gives the bot only the group messages that mention
			// it or reply to one of its own: one that does not begin
			// with a mention is a reply, to which message Zalo does not
			// say.
			in.RepliesToBot = !strings.HasPrefix(strings.TrimSpace(m.Text), "@")
		}
		in.Command, in.Arg = command(in.Text)
	case EventImage:
		url := m.imageURL()
		if url == "" {
			// Nothing to keep: the bot says what it expects. The keys
			// tell what the shape was; a URL is never logged.
			b.Log.Warn().Bool("photo", m.Photo != "").Bool("photo_url", m.PhotoURL != "").
				Strs("attachments", m.attachmentTypes()).Msg("zalo image event without an image URL")
			in.Kind = flows.KindOther
			break
		}
		in.Kind, in.Text, in.Photo = flows.KindPhoto, m.Caption, &flows.Photo{FileID: url}
	case EventSticker:
		in.Kind = flows.KindSticker
	case EventVoice, EventAudio, EventVideo:
		// The bot asks them to type it; a caption is what they typed.
		in.Kind = flows.KindVoice
		if name == EventVideo {
			in.Kind = flows.KindVideo
		}
		if m.Caption != "" || m.Text != "" {
			in.Kind, in.Text = flows.KindText, m.Caption+m.Text
			if in.ChatType == flows.Group {
				in.Text = b.unmention(in.Text)
			}
			in.Command, in.Arg = command(in.Text)
		}
	case EventUnsupported:
		// Not a kind of message: Zalo withholds every message of a
		// protected account (children, people with disabilities, people
		// who cannot read …) and sends this instead.
		in.Kind = flows.KindProtected
	case "":
		in.Kind = flows.KindOther // a message of no kind the bot knows
	default:
		b.Log.Info().Str("event", ev.EventName).Msg("zalo event not handled, acknowledged")
		return in, false, nil
	}
	return in, true, nil
}

// decodeEvent reads a wrapped or a bare event. A body that is JSON but
// neither (Zalo's test request when the webhook is saved, whose body is
// undocumented) is no event: ok false. Only a body that is not JSON is an
// error.
func decodeEvent(body []byte) (ev Event, ok bool, err error) {
	if !json.Valid(body) {
		return Event{}, false, errors.New("decode zalo event: not JSON")
	}
	var wrapped struct {
		Result json.RawMessage `json:"result"`
		Event
	}
	if json.Unmarshal(body, &wrapped) != nil {
		return Event{}, false, nil
	}
	if len(wrapped.Result) == 0 || string(wrapped.Result) == "null" {
		return wrapped.Event, wrapped.EventName != "" || wrapped.Message != nil, nil
	}
	if json.Unmarshal(wrapped.Result, &ev) != nil {
		return Event{}, false, nil
	}
	return ev, ev.EventName != "" || ev.Message != nil, nil
}

// eventName is the event's name, or, where getUpdates leaves it out (as
// its documented sample does), what the message holds ("": nothing known).
func eventName(ev Event) string {
	switch m := ev.Message; {
	case ev.EventName != "":
		return ev.EventName
	case m.Sticker != "":
		return EventSticker
	case m.imageURL() != "":
		return EventImage
	case m.Text != "":
		return EventText
	}
	return ""
}

// unmention drops the @mentions a group message begins with. In a group,
// Zalo gives the bot only the messages that mention it (or reply to its
// own), the mention written in the text: "@Bot Nông Sản /dangky Chi
// Lăng". The bot's name as members see it (BotName) tells where its
// mention ends, others' mentions before it included; without it, a
// command's "/" does.
func (b *Bot) unmention(text string) string {
	text = strings.TrimSpace(norm.NFC.String(text))
	if !strings.HasPrefix(text, "@") {
		return text
	}
	if name := norm.NFC.String(strings.TrimSpace(b.BotName)); name != "" {
		for i, r := range text {
			if r != '@' {
				continue
			}
			if rest, ok := cutFold(text[i+1:], name); ok {
				return strings.TrimSpace(rest)
			}
		}
	}
	if loc := commandStart.FindStringIndex(text); loc != nil {
		return text[loc[1]-2:]
	}
	return text
}

// cutFold cuts prefix off s, letter case aside.
func cutFold(s, prefix string) (string, bool) {
	for _, p := range prefix {
		r, size := utf8.DecodeRuneInString(s)
		if size == 0 || !strings.EqualFold(string(r), string(p)) {
			return s, false
		}
		s = s[size:]
	}
	return s, true
}

// commandStart is where a command begins after mentions: a "/" starting a
// word, then a letter ("1/2 tạ" is none).
var commandStart = regexp.MustCompile(`\s/[A-Za-z]`)

// command splits "/start abc" into "start" and "abc".
func command(text string) (cmd, arg string) {
	if len(text) < 2 || text[0] != '/' {
		return "", ""
	}
	cmd, arg, _ = strings.Cut(text[1:], " ")
	return strings.ToLower(cmd), strings.TrimSpace(arg)
}

// Post sends one rendered message: a text, or one photo by URL with its
// caption. The renderer turns a payment QR into a photo at our /qr URL
// (sendPhoto only takes URLs); a QR left in o.QR goes as the text alone.
func (b *Bot) Post(ctx context.Context, o bot.Out) (flows.Sent, error) {
	var sent struct {
		MessageID string `json:"message_id"`
	}
	var err error
	switch {
	case o.Edit != "" || len(o.Buttons) > 0 || len(o.Photos) > 1:
		return flows.Sent{}, &bot.UndeliverableError{Reason: "beyond what Zalo shows"}
	case len(o.Photos) == 1:
		params := map[string]string{"chat_id": o.To.ChatID, "photo": o.Photos[0]}
		if o.Text != "" {
			params["caption"] = o.Text // 1 to 2000 characters when given
		}
		err = b.call(ctx, "sendPhoto", params, &sent)
	default:
		err = b.call(ctx, "sendMessage", map[string]string{"chat_id": o.To.ChatID, "text": o.Text}, &sent)
	}
	if err != nil {
		return flows.Sent{}, b.classify(err)
	}
	return flows.Sent{MessageIDs: []string{sent.MessageID}}, nil
}

// Typing shows "typing…" in a chat while a slow step runs.
func (b *Bot) Typing(ctx context.Context, chatID string) error {
	return b.classify(b.call(ctx, "sendChatAction", map[string]string{"chat_id": chatID, "action": "typing"}, nil))
}

// APIError is an answer {"ok":false,"error_code":…,"description":…}, or
// an HTTP error status without one.
type APIError struct {
	Code        int
	Description string
}

func (e *APIError) Error() string { return fmt.Sprintf("zalo: %d %s", e.Code, e.Description) }

// call posts params as JSON to method and decodes the answer's result into
// result (nil: not needed). Errors never hold the token.
func (b *Bot) call(ctx context.Context, method string, params, result any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("encode %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf(b.endpoint, b.token, method), bytes.NewReader(body))
	if err != nil {
		return redact(fmt.Errorf("%s: %w", method, err), b.token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		return redact(fmt.Errorf("%s: %w", method, err), b.token)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s: read answer: %w", method, err)
	}
	var env struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		if resp.StatusCode != http.StatusOK {
			b.logRefusal(method, resp.StatusCode, "")
			return &APIError{Code: resp.StatusCode, Description: http.StatusText(resp.StatusCode)}
		}
		return fmt.Errorf("%s: decode answer: %w", method, err)
	}
	if !env.OK {
		code := env.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		b.logRefusal(method, code, env.Description)
		return &APIError{Code: code, Description: env.Description}
	}
	if result == nil || len(env.Result) == 0 {
		return nil
	}
	if err := json.Unmarshal(env.Result, result); err != nil {
		return fmt.Errorf("%s: decode result: %w", method, err)
	}
	return nil
}

// logRefusal logs a 4xx with its method, code and description, so that
// the wording of the refusals Zalo's error table does not name (a user who
// blocked the bot, a group that removed it) can be learnt and mapped
// (goneWords). The request (token, chat, text, phone) is never logged.
// getUpdates' 408 is the long poll's "nothing new".
func (b *Bot) logRefusal(method string, code int, description string) {
	if code < 400 || code >= 500 || method == "getUpdates" && code == http.StatusRequestTimeout {
		return
	}
	b.Log.Warn().Str("method", method).Int("code", code).Str("description", description).Msg("zalo refused a call")
}

// retryAfter is the least wait after a 429. Zalo's error table has one
// code for it, "429 Quota exceeded - Vượt quá giới hạn sử dụng API cho
// phép", with no retry_after and no figure published for the quota: it does
// not say how long, nor whether the quota is per second or per day, nor
// tell one from the other. The engine holds the bot's bulk sends, or the
// whole bot, longer each time it refuses again (Unsaid).
const retryAfter = time.Second

// goneWords are what a refusal's description says when the chat is lost
// to the bot (blocked, removed from the group, the chat deleted). Zalo's
// error table has no code for it (400 bad request, 401 token, 403 its
// internal server error, 404 not found, 408 timeout, 429 quota): these are
// the usual wordings, in English and Vietnamese, until the logged ones
// (logRefusal) say what Zalo writes.
var goneWords = []string{
	"blocked", "not a member", "not in group", "not in the group", "kicked", "removed from",
	"chat not found", "user not found", "group not found", "deactivated",
	"chặn", "không phải thành viên", "không còn trong nhóm", "bị xóa khỏi", "bị xoá khỏi",
}

// gone tells whether a refusal's description says the chat is lost to the
// bot (goneWords).
func gone(description string) bool {
	d := strings.ToLower(norm.NFC.String(description))
	for _, w := range goneWords {
		if strings.Contains(d, w) {
			return true
		}
	}
	return false
}

// classify turns Bot API errors into the runtime's kinds: 429 slows down;
// 401, the bot's token refused, holds the whole channel as a quota does
// (the token does not expire, but is reset in Bot Creator, and the next
// restart brings the new one); a refusal whose description says the chat
// is gone is bot.Gone, as Telegram's 403; other 4xx will never succeed;
// the rest is worth retrying.
func (b *Bot) classify(err error) error {
	var apiErr *APIError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &apiErr):
		return err
	case apiErr.Code == http.StatusTooManyRequests:
		return &bot.RetryAfterError{After: retryAfter, Unsaid: true, Reason: apiErr.Description}
	case apiErr.Code == http.StatusUnauthorized:
		return &bot.RetryAfterError{After: retryAfter, Unsaid: true, Unauthorized: true, Reason: "401 " + apiErr.Description}
	case apiErr.Code >= 400 && apiErr.Code < 500 && gone(apiErr.Description):
		return &bot.UndeliverableError{Reason: apiErr.Description, Gone: true}
	case apiErr.Code >= 400 && apiErr.Code < 500 && apiErr.Code != http.StatusRequestTimeout && apiErr.Code != http.StatusForbidden:
		return &bot.UndeliverableError{Reason: apiErr.Description}
	}
	// 403 is Zalo's "internal server error" (its error table), 408 its
	// timeout: worth retrying, as 5xx are.
	return err
}

// redact removes the token from errors that quote a request URL.
func redact(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "<token>"))
}
