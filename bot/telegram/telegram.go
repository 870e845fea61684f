// Package telegram adapts the Telegram Bot API (through go-telegram-bot-api)
// to the neutral flows types: updates in, replies out. No business rules.
package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	json "github.com/goccy/go-json"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vietqr"
)

// DefaultEndpoint is the Bot API's address in go-telegram-bot-api's format.
const DefaultEndpoint = tgbotapi.APIEndpoint

// AllowedUpdates are the update types the bot asks Telegram for: edits too,
// so that a farmer who corrects an answer by editing it is told it was read
// as first sent.
var AllowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// Bot is the Telegram channel.
type Bot struct {
	api   *tgbotapi.BotAPI
	token string
	// files downloads the files getFile names, from fileEndpoint (in
	// go-telegram-bot-api's format: token, file_path).
	files        *http.Client
	fileEndpoint string
	texts        flows.Texts // for the command menu
	// Secret is what Telegram must send back with each update.
	Secret string
}

var (
	_ bot.Adapter     = (*Bot)(nil)
	_ bot.Redeliverer = (*Bot)(nil)
)

// New connects to the Bot API at endpoint and learns the bot's username
// (getMe). client carries the metrics and timeouts.
func New(token, endpoint string, client *http.Client, texts flows.Texts) (*Bot, error) {
	api, err := tgbotapi.NewBotAPIWithClient(token, endpoint, client)
	if err != nil {
		return nil, fmt.Errorf("telegram getMe: %w", redact(err, token))
	}
	// Files live beside the methods: https://api.telegram.org/file/bot<token>/<file_path>.
	files := strings.Replace(endpoint, "/bot%s/", "/file/bot%s/", 1)
	return &Bot{api: api, token: token, texts: texts, fileEndpoint: files,
		files: &http.Client{Timeout: time.Minute}}, nil
}

var _ bot.Fetcher = (*Bot)(nil)

// Fetch downloads a photo Telegram keeps, by its file_id: getFile names
// the file, then its download URL serves it. That URL holds the token:
// errors never quote it.
func (b *Bot) Fetch(ctx context.Context, fileID string) (io.ReadCloser, error) {
	fileID = strings.TrimPrefix(fileID, DocPhoto) // getFile takes a document's too
	f, err := b.with(ctx).api.GetFile(tgbotapi.FileConfig{FileID: fileID})
	if err != nil {
		return nil, fmt.Errorf("getFile: %w", b.classify(err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf(b.fileEndpoint, b.token, f.FilePath), nil)
	if err != nil {
		return nil, fmt.Errorf("file download: %w", redact(err, b.token))
	}
	resp, err := b.files.Do(req)
	if err != nil {
		return nil, fmt.Errorf("file download: %w", redact(err, b.token))
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("file download: %s", resp.Status)
	}
	return resp.Body, nil
}

// with is b whose Bot API calls end with ctx (go-telegram-bot-api takes
// none): a send must not outlive the lease that allows it.
func (b *Bot) with(ctx context.Context) *Bot {
	api := *b.api
	api.Client = ctxClient{ctx: ctx, next: b.api.Client}
	bound := *b
	bound.api = &api
	return &bound
}

type ctxClient struct {
	ctx  context.Context
	next tgbotapi.HTTPClient
}

func (c ctxClient) Do(r *http.Request) (*http.Response, error) {
	return c.next.Do(r.WithContext(c.ctx))
}

// Name is the channel's name.
func (b *Bot) Name() flows.Channel { return flows.Telegram }

// Redelivers is true: Telegram sends an update again while the webhook
// fails ("we will give up after a reasonable amount of attempts").
func (b *Bot) Redelivers() bool { return true }

// Username is the bot's @username, for deep links.
func (b *Bot) Username() string { return b.api.Self.UserName }

// Parse reads a Telegram Update, with go-json: encoding/json took three
// times as long on every webhook.
func (b *Bot) Parse(body []byte) (flows.Input, bool, error) {
	var u tgbotapi.Update
	if err := json.Unmarshal(body, &u); err != nil {
		return flows.Input{}, false, fmt.Errorf("decode update: %w", err)
	}
	in := flows.Input{Channel: flows.Telegram, UpdateID: strconv.Itoa(u.UpdateID), At: time.Now()}
	switch {
	case u.Message != nil:
		return b.message(in, u.Message)
	case u.EditedMessage != nil:
		return edited(in, u.EditedMessage)
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil:
		q := u.CallbackQuery
		in = withChat(in, q.Message.Chat, q.From)
		in.Kind, in.Text, in.AckID = flows.KindChoice, q.Data, q.ID
		in.MessageID = strconv.Itoa(q.Message.MessageID)
		return in, in.ChatType != "", nil
	case u.MyChatMember != nil:
		m := u.MyChatMember
		in = withChat(in, &m.Chat, &m.From)
		switch m.NewChatMember.Status {
		case "member", "administrator":
			in.Kind = flows.KindJoined
		case "left", "kicked":
			in.Kind = flows.KindLeft
		default:
			return in, false, nil
		}
		return in, in.ChatType == flows.Group, nil
	}
	return in, false, nil
}

func (b *Bot) message(in flows.Input, m *tgbotapi.Message) (flows.Input, bool, error) {
	if m.From == nil {
		return in, false, nil // channel posts
	}
	in = withChat(in, m.Chat, m.From)
	in.MessageID = strconv.Itoa(m.MessageID)
	// An anonymous admin writes as the group itself.
	in.Admin = m.SenderChat != nil && m.Chat != nil && m.SenderChat.ID == m.Chat.ID
	in.Text = m.Text + m.Caption // the engine normalises it
	if m.ReplyToMessage != nil {
		in.ReplyTo = strconv.Itoa(m.ReplyToMessage.MessageID)
	}
	switch {
	case m.MigrateToChatID != 0:
		in.Kind, in.Arg = flows.KindMigrated, strconv.FormatInt(m.MigrateToChatID, 10)
	case len(m.Photo) > 0:
		in.Kind = flows.KindPhoto
		in.Photo = &flows.Photo{FileID: m.Photo[len(m.Photo)-1].FileID, MediaGroupID: m.MediaGroupID}
	case m.Contact != nil:
		in.Kind, in.Phone = flows.KindContact, m.Contact.PhoneNumber
		in.PhoneOwn = m.Contact.UserID == m.From.ID
	case m.Sticker != nil:
		in.Kind = flows.KindSticker
	case m.Document != nil && m.Animation == nil && photoTypes[m.Document.MimeType]:
		// A photo sent "as a file", uncompressed (older phones do so): a
		// photo, sent on as one by downloading it (photoFile). One over
		// what getFile downloads cannot be: the flows say it is too big.
		in.Kind = flows.KindPhoto
		in.Photo = &flows.Photo{FileID: DocPhoto + m.Document.FileID, MediaGroupID: m.MediaGroupID,
			Size: int64(m.Document.FileSize)}
		if m.Document.FileSize > MaxDownload {
			in.Kind = flows.KindFile
		}
	case m.Document != nil && strings.HasPrefix(m.Document.MimeType, "image/") && m.Animation == nil:
		// An image of a type no photo is sent as (HEIC, TIFF): asked again.
		in.Kind = flows.KindFile
	case m.Caption != "":
		// Audio, a voice note, a video or an animation with a caption, or
		// another file: what the farmer typed is what can be read of it.
		in.Kind = flows.KindText
		if !b.command(&in) {
			return in, false, nil
		}
	case m.Voice != nil || m.Audio != nil || m.VideoNote != nil:
		in.Kind = flows.KindVoice
	case m.Video != nil || m.Animation != nil: // an animation comes with a document too
		in.Kind = flows.KindVideo
	case m.Text != "":
		// A file with a caption (a PDF, "5 tạ"): the caption is what can
		// be read of it.
		in.Kind = flows.KindText
		if !b.command(&in) {
			return in, false, nil // a command for another bot in a group
		}
	default:
		in.Kind = flows.KindOther
	}
	return in, in.ChatType != "", nil
}

// edited reads a message of a private chat changed after it was sent, with
// its new text or caption. Others are nobody's answer: a group's chatter,
// a live location moving (an edit every few seconds, without text).
func edited(in flows.Input, m *tgbotapi.Message) (flows.Input, bool, error) {
	if m.From == nil || m.Chat == nil || m.Chat.Type != "private" || m.Text+m.Caption == "" {
		return in, false, nil
	}
	in = withChat(in, m.Chat, m.From)
	in.Kind, in.Text, in.MessageID = flows.KindEdited, m.Text+m.Caption, strconv.Itoa(m.MessageID)
	return in, true, nil
}

// command splits "/start@nongsan_bot abc" into "start" and "abc". It returns
// false when the command names another bot.
func (b *Bot) command(in *flows.Input) bool {
	if !strings.HasPrefix(in.Text, "/") {
		return true
	}
	cmd, arg, _ := strings.Cut(in.Text[1:], " ")
	cmd, at, _ := strings.Cut(cmd, "@")
	if at != "" && !strings.EqualFold(at, b.Username()) {
		return false
	}
	in.Command, in.Arg = strings.ToLower(cmd), strings.TrimSpace(arg)
	return true
}

func withChat(in flows.Input, c *tgbotapi.Chat, from *tgbotapi.User) flows.Input {
	in.ChatID = strconv.FormatInt(c.ID, 10)
	switch c.Type {
	case "private":
		in.ChatType = flows.Private
	case "group", "supergroup":
		in.ChatType, in.ChatTitle = flows.Group, c.Title
	}
	if from != nil {
		in.UserID = strconv.FormatInt(from.ID, 10)
		in.UserName = strings.TrimSpace(from.FirstName + " " + from.LastName)
		in.Lang = from.LanguageCode
	}
	return in
}

// Caps: Telegram has buttons, edits, albums (captioned, without buttons),
// uploaded images and documents, deep links into the private chat, and reply keyboards
// that stay.
// Limits are in UTF-16 code units, as Telegram counts.
func (b *Bot) Caps() bot.Caps {
	return bot.Caps{Buttons: true, Edits: true, Albums: true, AlbumCaptions: true, DeepLinks: true,
		PhotoUploads: true, Documents: true, MenuKeyboard: true, MaxText: 4096, MaxCaption: 1024}
}

// DeepLink opens the private chat with the bot, which receives /start payload.
func (b *Bot) DeepLink(payload string) string {
	return "https://t.me/" + b.Username() + "?start=" + payload
}

// Mount serves the webhook; Telegram sends the secret given to setWebhook.
func (b *Bot) Mount(mux *http.ServeMux, webhook func(header, secret string) http.Handler) {
	mux.Handle("POST /webhook/telegram", webhook("X-Telegram-Bot-Api-Secret-Token", b.Secret))
}

// Post sends one rendered message: a text, a photo, an album, a VietQR
// image, a document, or an edit of an earlier message.
func (b *Bot) Post(ctx context.Context, o bot.Out) (flows.Sent, error) {
	b = b.with(ctx)
	chatID, err := strconv.ParseInt(o.To.ChatID, 10, 64)
	if err != nil {
		return flows.Sent{}, &bot.UndeliverableError{Reason: "bad chat id " + o.To.ChatID}
	}
	switch {
	case o.Edit != "":
		return b.edit(chatID, o)
	case o.Document != nil:
		doc := tgbotapi.NewDocument(chatID, tgbotapi.FileBytes{Name: o.Document.Name, Bytes: o.Document.Data})
		doc.Caption, doc.ReplyMarkup = o.Text, b.markup(o)
		return b.send(doc)
	case o.QR != "":
		if png, err := vietqr.PNG(o.QR, 512); err == nil {
			photo := tgbotapi.NewPhoto(chatID, tgbotapi.FileBytes{Name: "vietqr.png", Bytes: png})
			photo.Caption, photo.ReplyMarkup = o.Text, b.markup(o)
			return b.send(photo)
		}
		// No image: the account in words still lets the buyer pay.
	case len(o.Photos) == 1:
		file, err := b.photoFile(ctx, o.Photos[0])
		if err != nil {
			return flows.Sent{}, err
		}
		photo := tgbotapi.NewPhoto(chatID, file)
		photo.Caption, photo.ReplyMarkup = o.Text, b.markup(o)
		var m sent
		if err := b.call(photo, &m); err != nil {
			return flows.Sent{}, err
		}
		out := m.result()
		out.Uploaded = uploaded(o.Photos[:1], []sent{m})
		return out, nil
	case len(o.Photos) > 1:
		return b.album(ctx, chatID, o)
	}
	msg := tgbotapi.NewMessage(chatID, o.Text)
	msg.ReplyMarkup = b.markup(o)
	return b.send(msg)
}

// markup is what goes under a message: inline buttons, the contact button,
// the main menu that stays, or nothing (nil keeps the keyboard shown).
func (b *Bot) markup(o bot.Out) any {
	switch {
	case len(o.Buttons) > 0:
		return keyboard(o.Buttons)
	case o.Contact != "":
		kb := tgbotapi.NewReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact(o.Contact)))
		kb.OneTimeKeyboard, kb.ResizeKeyboard = true, true
		return kb
	case len(o.Keyboard) > 0:
		return menuKeyboard(o.Keyboard)
	case o.ClearKeyboard:
		return tgbotapi.NewRemoveKeyboard(false)
	}
	return nil
}

// menuKeyboard is a reply keyboard that stays under the chat: big buttons
// that send their label, which the router reads as the menu's words.
// go-telegram-bot-api v5.5.1 predates is_persistent, hence the struct.
func menuKeyboard(rows [][]string) any {
	var kb [][]tgbotapi.KeyboardButton
	for _, row := range rows {
		var buttons []tgbotapi.KeyboardButton
		for _, label := range row {
			buttons = append(buttons, tgbotapi.NewKeyboardButton(label))
		}
		kb = append(kb, buttons)
	}
	return struct {
		Keyboard   [][]tgbotapi.KeyboardButton `json:"keyboard"`
		Resize     bool                        `json:"resize_keyboard"`
		Persistent bool                        `json:"is_persistent"`
	}{kb, true, true}
}

func (b *Bot) send(c tgbotapi.Chattable) (flows.Sent, error) {
	var m sent
	if err := b.call(c, &m); err != nil {
		return flows.Sent{}, err
	}
	return m.result(), nil
}

// sent is what we read of a message Telegram answers with: its id, chat
// and photo sizes. Decoding the whole Message (its text, entities,
// keyboard, …), as BotAPI.Send does, cost more than the rest of a send.
type sent struct {
	MessageID int         `json:"message_id"`
	Chat      sentChat    `json:"chat"`
	Photo     []sentPhoto `json:"photo"`
}

type sentPhoto struct {
	FileID string `json:"file_id"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

func (m sent) result() flows.Sent {
	id := strconv.Itoa(m.MessageID)
	return flows.Sent{MessageIDs: []string{id}, Link: link(m.Chat, id)}
}

// largest is the file_id of the largest size of the message's photo: the
// one sendPhoto shows best, "" for none.
func (m sent) largest() string {
	best, area := "", -1
	for _, p := range m.Photo {
		if p.Width*p.Height > area {
			best, area = p.FileID, p.Width*p.Height
		}
	}
	return best
}

// uploaded pairs each photo sent as a file (photos, as given) with the
// photo file_id Telegram kept for its upload (msgs, one message each), so
// that it is sent by that file_id from then on, not downloaded and
// uploaded again.
func uploaded(photos []string, msgs []sent) map[string]string {
	var ids map[string]string
	for i, p := range photos {
		if i >= len(msgs) || !strings.HasPrefix(p, DocPhoto) {
			continue
		}
		if id := msgs[i].largest(); id != "" {
			if ids == nil {
				ids = map[string]string{}
			}
			ids[p] = id
		}
	}
	return ids
}

type sentChat struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"`
	UserName string `json:"username"`
}

// call makes a Bot API call and decodes its result into v.
func (b *Bot) call(c tgbotapi.Chattable, v any) error {
	resp, err := b.api.Request(c)
	if err != nil {
		return b.classify(err)
	}
	if err := json.Unmarshal(resp.Result, v); err != nil {
		return fmt.Errorf("decode %T answer: %w", c, err)
	}
	return nil
}

// DocPhoto marks the file_id of a photo sent as a file (a document):
// sendPhoto refuses a document's file_id ("type of file mismatch"), so it
// is downloaded and uploaded as a photo (photoFile). File ids are base64url:
// they hold no ':'.
const DocPhoto = "doc:"

var _ bot.Uploader = (*Bot)(nil)

// Uploads tells whether a photo sent by ref is uploaded (a photo sent as a
// file): the renderer then has it uploaded once, and sent by the photo
// file_id the upload got (Sent.Uploaded) from then on.
func (b *Bot) Uploads(ref string) bool { return strings.HasPrefix(ref, DocPhoto) }

// MaxDownload is the largest file getFile lets a bot download; MaxUpload,
// the largest photo sendPhoto takes as an upload. A photo file between
// the two is sent shrunk.
const (
	MaxDownload = 20 << 20
	MaxUpload   = 10 << 20
)

// photoTypes are the images a phone sends "as a file" that Telegram takes
// as a photo once uploaded.
var photoTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true}

// photoFile is a photo to send: a URL (a photo from another channel, which
// Telegram downloads), a file_id Telegram keeps, or a photo sent as a file,
// uploaded.
func (b *Bot) photoFile(ctx context.Context, p string) (tgbotapi.RequestFileData, error) {
	if strings.HasPrefix(p, "https://") || strings.HasPrefix(p, "http://") {
		return tgbotapi.FileURL(p), nil
	}
	if id, ok := strings.CutPrefix(p, DocPhoto); ok {
		data, err := b.download(ctx, id)
		if err != nil {
			return nil, err
		}
		return tgbotapi.FileBytes{Name: "photo.jpg", Bytes: data}, nil
	}
	return tgbotapi.FileID(p), nil
}

// download is a photo sent as a file, as sendPhoto takes it: whole when
// small enough (Telegram compresses it as any photo), shrunk otherwise.
func (b *Bot) download(ctx context.Context, fileID string) ([]byte, error) {
	body, err := b.Fetch(ctx, fileID)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, MaxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("photo file download: %w", redact(err, b.token))
	}
	if len(data) <= MaxUpload {
		return data, nil
	}
	small, err := bot.Resize(bytes.NewReader(data), bot.MaxPhotoSide)
	if err != nil {
		// Not a photo after all, or too large to decode: no retry helps.
		return nil, &bot.UndeliverableError{Reason: "photo file: " + err.Error()}
	}
	return small, nil
}

func (b *Bot) album(ctx context.Context, chatID int64, o bot.Out) (flows.Sent, error) {
	var media []any
	for i, p := range o.Photos {
		file, err := b.photoFile(ctx, p)
		if err != nil {
			return flows.Sent{}, err
		}
		photo := tgbotapi.NewInputMediaPhoto(file)
		if i == 0 {
			photo.Caption = o.Text
		}
		media = append(media, photo)
	}
	var msgs []sent
	if err := b.call(tgbotapi.NewMediaGroup(chatID, media), &msgs); err != nil {
		return flows.Sent{}, err
	}
	var out flows.Sent
	for _, m := range msgs {
		out.MessageIDs = append(out.MessageIDs, strconv.Itoa(m.MessageID))
	}
	if len(msgs) > 0 {
		out.Link = link(msgs[0].Chat, out.MessageIDs[0])
	}
	out.Uploaded = uploaded(o.Photos, msgs)
	return out, nil
}

// edit changes a message in place: a photo's caption, or a text, with its
// buttons; without buttons they go.
func (b *Bot) edit(chatID int64, o bot.Out) (flows.Sent, error) {
	msgID, err := strconv.Atoi(o.Edit)
	if err != nil {
		return flows.Sent{}, &bot.UndeliverableError{Reason: "bad message id " + o.Edit}
	}
	var markup *tgbotapi.InlineKeyboardMarkup
	if len(o.Buttons) > 0 {
		kb := keyboard(o.Buttons)
		markup = &kb
	}
	var c tgbotapi.Chattable
	if len(o.Photos) > 0 {
		cfg := tgbotapi.NewEditMessageCaption(chatID, msgID, o.Text)
		cfg.ReplyMarkup = markup
		c = cfg
	} else {
		cfg := tgbotapi.NewEditMessageText(chatID, msgID, o.Text)
		cfg.ReplyMarkup = markup
		c = cfg
	}
	return flows.Sent{MessageIDs: []string{o.Edit}}, b.request(c)
}

// request makes a call whose answer we do not need; an edit that changes
// nothing is not an error.
func (b *Bot) request(c tgbotapi.Chattable) error {
	_, err := b.api.Request(c)
	if err != nil && strings.Contains(err.Error(), "message is not modified") {
		return nil
	}
	return b.classify(err)
}

// link is a t.me link to a message of a supergroup, the kind market groups
// are: public ones by username, private ones by their internal id.
func link(c sentChat, msgID string) string {
	switch {
	case c.Type != "supergroup":
		return ""
	case c.UserName != "":
		return "https://t.me/" + c.UserName + "/" + msgID
	}
	return "https://t.me/c/" + strings.TrimPrefix(strconv.FormatInt(c.ID, 10), "-100") + "/" + msgID
}

func keyboard(rows [][]bot.Button) tgbotapi.InlineKeyboardMarkup {
	var kb [][]tgbotapi.InlineKeyboardButton
	for _, row := range rows {
		var buttons []tgbotapi.InlineKeyboardButton
		for _, c := range row {
			if c.URL != "" {
				buttons = append(buttons, tgbotapi.NewInlineKeyboardButtonURL(c.Label, c.URL))
			} else {
				buttons = append(buttons, tgbotapi.NewInlineKeyboardButtonData(c.Label, c.Data))
			}
		}
		kb = append(kb, buttons)
	}
	return tgbotapi.NewInlineKeyboardMarkup(kb...)
}

// Admins lists the users who administer a group (getChatAdministrators).
// A chat the bot is not in has none.
func (b *Bot) Admins(ctx context.Context, chatID string) ([]string, error) {
	b = b.with(ctx)
	chat, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		return nil, nil
	}
	members, err := b.api.GetChatAdministrators(tgbotapi.ChatAdministratorsConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chat}})
	if err := b.classify(err); bot.IsUndeliverable(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(members))
	for _, m := range members {
		if m.User != nil {
			ids = append(ids, strconv.FormatInt(m.User.ID, 10))
		}
	}
	return ids, nil
}

// Ack answers a button press so the client stops its spinner.
func (b *Bot) Ack(ctx context.Context, in flows.Input) error {
	if in.AckID == "" {
		return nil
	}
	b = b.with(ctx)
	_, err := b.api.Request(tgbotapi.NewCallback(in.AckID, ""))
	return b.classify(err)
}

var _ bot.AdminLister = (*Bot)(nil)

// classify turns Bot API errors into the runtime's kinds, without the token.
func (b *Bot) classify(err error) error {
	var apiErr *tgbotapi.Error
	switch {
	case err == nil:
		return nil
	// Uploads come back without the code, but with retry_after.
	case errors.As(err, &apiErr) && (apiErr.Code == http.StatusTooManyRequests || apiErr.RetryAfter > 0):
		return &bot.RetryAfterError{After: time.Duration(max(apiErr.RetryAfter, 1)) * time.Second}
	// A group upgraded to a supergroup lives on under a new id.
	case errors.As(err, &apiErr) && apiErr.MigrateToChatID != 0:
		return &bot.UndeliverableError{Reason: apiErr.Message, MovedTo: strconv.FormatInt(apiErr.MigrateToChatID, 10)}
	// 401: the bot's token was revoked or rotated, not this message's
	// fault: kept and retried while the operator puts the new one in.
	case errors.As(err, &apiErr) && apiErr.Code >= 400 && apiErr.Code < 500 && apiErr.Code != http.StatusUnauthorized:
		return &bot.UndeliverableError{Reason: apiErr.Message, Gone: gone(apiErr.Code, apiErr.Message)}
	// Uploads come back without the code: Telegram's description says it.
	case errors.As(err, &apiErr) && apiErr.Code == 0 && refused(apiErr.Message):
		return &bot.UndeliverableError{Reason: apiErr.Message, Gone: gone(apiErr.Code, apiErr.Message)}
	}
	return redact(err, b.token)
}

// refused tells a Bot API description of a request that will never
// succeed ("Bad Request: …", "Forbidden: …").
func refused(description string) bool {
	for _, p := range []string{"Bad Request", "Forbidden", "Not Found"} {
		if strings.HasPrefix(description, p) {
			return true
		}
	}
	return false
}

// gone tells a refusal that loses the chat to the bot: 403 (kicked from
// the group, blocked by the user, not a member any more) or a chat that
// no longer exists; not a message refused for what it holds.
func gone(code int, description string) bool {
	return code == http.StatusForbidden || strings.HasPrefix(description, "Forbidden") ||
		strings.Contains(description, "chat not found") || strings.Contains(description, "group chat was deactivated")
}

// Pin pins a message the bot sent to a group, quietly (no notification).
func (b *Bot) Pin(ctx context.Context, chat flows.ChatRef, messageID string) error {
	chatID, err1 := strconv.ParseInt(chat.ChatID, 10, 64)
	msgID, err2 := strconv.Atoi(messageID)
	if err1 != nil || err2 != nil {
		return &bot.UndeliverableError{Reason: "bad chat or message id"}
	}
	return b.with(ctx).request(tgbotapi.PinChatMessageConfig{ChatID: chatID, MessageID: msgID, DisableNotification: true})
}

var _ bot.Pinner = (*Bot)(nil)

// redact removes the token from errors that quote a request URL.
func redact(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "<token>"))
}

var _ bot.Typer = (*Bot)(nil)

// Typing shows "typing…" in a chat while a slow step runs.
func (b *Bot) Typing(ctx context.Context, chatID string) error {
	id, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		return &bot.UndeliverableError{Reason: "bad chat id " + chatID}
	}
	return b.with(ctx).request(tgbotapi.NewChatAction(id, tgbotapi.ChatTyping))
}
