package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// SecretHeader is the header Telegram sends a webhook's secret_token in.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// Updates builds incoming updates as Telegram sends them. Users are
// "Nông dân <id>" (username "user<id>", language_code "vi" unless
// WithLanguage); a chat is the user's private chat when chatID > 0 and a
// supergroup titled GroupTitle when chatID < 0.
//
// NewUpdates hands out its own update and message ids, each chat's message ids
// counting from 1. s.NewUpdates instead draws them from s, so that users'
// messages and the bot's interleave in one sequence per chat as on Telegram,
// and records the users' messages in s: the bot can reply to and delete them
// (but not edit them), and Callback carries the bot's message as s stored it.
//
// Updates is safe for concurrent use.
type Updates struct {
	st   *updatesState
	lang string
}

type updatesState struct {
	srv *Server // nil: own counters

	mu       sync.Mutex
	updateID int
	msgIDs   map[int64]int
	seq      int
}

// NewUpdates returns an update builder with its own ids.
func NewUpdates() *Updates {
	return &Updates{st: &updatesState{msgIDs: map[int64]int{}}, lang: "vi"}
}

// NewUpdates returns an update builder bound to s (see Updates).
func (s *Server) NewUpdates() *Updates {
	u := NewUpdates()
	u.st.srv = s
	return u
}

// WithLanguage returns a builder whose users have language_code code ("" for
// none). It shares u's ids.
func (u *Updates) WithLanguage(code string) *Updates {
	return &Updates{st: u.st, lang: code}
}

// User is the user that u's updates come from for userID.
func (u *Updates) User(userID int64) tgbotapi.User {
	return tgbotapi.User{ID: userID, FirstName: userFirstName(userID), UserName: userUsername(userID), LanguageCode: u.lang}
}

func userFirstName(id int64) string { return fmt.Sprintf("Nông dân %d", id) }
func userUsername(id int64) string  { return fmt.Sprintf("user%d", id) }

// Chat is the chat updates name for chatID.
func (u *Updates) Chat(chatID int64) tgbotapi.Chat {
	c := chatOf(chatID)
	return tgbotapi.Chat{ID: c.ID, Type: c.Type, Title: c.Title, UserName: c.Username, FirstName: c.FirstName}
}

// Text is a text message. Text starting with a command ("/start xyz") gets a
// bot_command entity at offset 0.
func (u *Updates) Text(chatID, userID int64, text string) tgbotapi.Update {
	m := u.message(chatID, userID)
	m.Text = text
	if cmd := commandPrefix(text); cmd != "" {
		m.Entities = []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: utf16Len(cmd)}}
	}
	return u.messageUpdate(m)
}

func commandPrefix(text string) string {
	if !strings.HasPrefix(text, "/") {
		return ""
	}
	cmd := text
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		cmd = text[:i]
	}
	if len(cmd) < 2 {
		return ""
	}
	return cmd
}

// Photo is a photo message: three PhotoSizes, the largest last with file_id
// fileID (whose content s.SetFile can set). mediaGroupID and caption may be "".
func (u *Updates) Photo(chatID, userID int64, fileID, mediaGroupID, caption string) tgbotapi.Update {
	m := u.message(chatID, userID)
	for _, p := range photoSizes(fileID, uniqueID(fileID), 48213) {
		m.Photo = append(m.Photo, tgbotapi.PhotoSize{
			FileID: p.FileID, FileUniqueID: p.FileUniqueID, Width: p.Width, Height: p.Height, FileSize: p.FileSize,
		})
	}
	m.MediaGroupID, m.Caption = mediaGroupID, caption
	return u.messageUpdate(m)
}

// Document is a file sent as a document, named name, of type mime, with
// caption (may be "").
func (u *Updates) Document(chatID, userID int64, name, mime, caption string) tgbotapi.Update {
	m := u.message(chatID, userID)
	id := fmt.Sprintf("BQACAgUAAxkBAAE-tt-document-%d", u.nextSeq())
	m.Document = &tgbotapi.Document{FileID: id, FileUniqueID: uniqueID(id), FileName: name, MimeType: mime, FileSize: 34567}
	m.Caption = caption
	return u.messageUpdate(m)
}

// PhotoDocument is a photo sent "as a file" (uncompressed), as phones send
// one: a document of type mime with a thumbnail, its file_size size (0 for
// len(data)). The fake Bot API serves data for it (getFile) and refuses its
// file_id to sendPhoto, as Telegram does (SetDocument); s.NewUpdates only.
func (u *Updates) PhotoDocument(chatID, userID int64, name, mime string, data []byte, size int, caption string) tgbotapi.Update {
	m := u.message(chatID, userID)
	id := fmt.Sprintf("BQACAgUAAxkBAAE-tt-photodoc-%d", u.nextSeq())
	if size == 0 {
		size = len(data)
	}
	thumb := &tgbotapi.PhotoSize{FileID: id + "-t", FileUniqueID: uniqueID(id + "-t"), Width: 320, Height: 240, FileSize: 9876}
	m.Document = &tgbotapi.Document{FileID: id, FileUniqueID: uniqueID(id), Thumbnail: thumb, FileName: name, MimeType: mime, FileSize: size}
	m.Caption = caption
	if srv := u.st.srv; srv != nil {
		srv.SetDocument(id, data)
	}
	return u.messageUpdate(m)
}

// Media is a message of kind "audio", "voice", "video", "animation" or
// "video_note" with caption (may be ""; a video note has none), shaped as
// Telegram sends it: an animation comes with a document of the same file.
func (u *Updates) Media(chatID, userID int64, kind, caption string) tgbotapi.Update {
	m := u.message(chatID, userID)
	id := fmt.Sprintf("BAACAgUAAxkBAAE-tt-%s-%d", kind, u.nextSeq())
	thumb := &tgbotapi.PhotoSize{FileID: id + "-t", FileUniqueID: uniqueID(id + "-t"), Width: 320, Height: 180, FileSize: 6789}
	switch kind {
	case "audio":
		m.Audio = &tgbotapi.Audio{FileID: id, FileUniqueID: uniqueID(id), Duration: 41, FileName: "ghi-am.m4a", MimeType: "audio/mp4", FileSize: 654321}
	case "voice":
		m.Voice = &tgbotapi.Voice{FileID: id, FileUniqueID: uniqueID(id), Duration: 3, MimeType: "audio/ogg", FileSize: 6543}
	case "video":
		m.Video = &tgbotapi.Video{FileID: id, FileUniqueID: uniqueID(id), Width: 848, Height: 480, Duration: 12,
			Thumbnail: thumb, FileName: "vuon-na.mp4", MimeType: "video/mp4", FileSize: 2345678}
	case "animation":
		m.Animation = &tgbotapi.Animation{FileID: id, FileUniqueID: uniqueID(id), Width: 320, Height: 240, Duration: 2,
			Thumbnail: thumb, FileName: "na.gif.mp4", MimeType: "video/mp4", FileSize: 123456}
		m.Document = &tgbotapi.Document{FileID: id, FileUniqueID: uniqueID(id), Thumbnail: thumb, FileName: "na.gif.mp4", MimeType: "video/mp4", FileSize: 123456}
	case "video_note":
		m.VideoNote = &tgbotapi.VideoNote{FileID: id, FileUniqueID: uniqueID(id), Length: 240, Duration: 5, Thumbnail: thumb, FileSize: 345678}
		caption = ""
	default:
		panic("telegramtest: Media of kind " + kind)
	}
	m.Caption = caption
	return u.messageUpdate(m)
}

// Edited is the edited_message update of the user changing the text (or
// the caption, of a photo or a document) of the message upd sent to text.
// From s.NewUpdates, s stores the message as changed.
func (u *Updates) Edited(upd tgbotapi.Update, text string) tgbotapi.Update {
	if upd.Message == nil {
		panic("telegramtest: Edited needs a message update")
	}
	m := *upd.Message
	if m.Caption != "" || m.Document != nil || len(m.Photo) > 0 {
		m.Caption = text
	} else {
		m.Text, m.Entities = text, nil
	}
	m.EditDate = int(time.Now().Unix())
	if srv := u.st.srv; srv != nil {
		srv.recordIncoming(&m)
	}
	return tgbotapi.Update{UpdateID: u.nextUpdateID(), EditedMessage: &m}
}

// Contact is the user sharing their own phone number with a request_contact
// button (contact.user_id is userID).
func (u *Updates) Contact(chatID, userID int64, phone string) tgbotapi.Update {
	m := u.message(chatID, userID)
	m.Contact = &tgbotapi.Contact{PhoneNumber: phone, FirstName: userFirstName(userID), UserID: userID}
	return u.messageUpdate(m)
}

// Sticker is a sticker message.
func (u *Updates) Sticker(chatID, userID int64) tgbotapi.Update {
	m := u.message(chatID, userID)
	id := fmt.Sprintf("CAACAgIAAxkBAAE-tt-sticker-%d", u.nextSeq())
	m.Sticker = &tgbotapi.Sticker{
		FileID: id, FileUniqueID: uniqueID(id), Width: 512, Height: 512,
		Emoji: "👍", SetName: "NongSanTest", FileSize: 23456,
	}
	return u.messageUpdate(m)
}

// Voice is a voice message.
func (u *Updates) Voice(chatID, userID int64) tgbotapi.Update {
	m := u.message(chatID, userID)
	id := fmt.Sprintf("AwACAgUAAxkBAAE-tt-voice-%d", u.nextSeq())
	m.Voice = &tgbotapi.Voice{FileID: id, FileUniqueID: uniqueID(id), Duration: 3, MimeType: "audio/ogg", FileSize: 6543}
	return u.messageUpdate(m)
}

// Callback is the user pressing an inline button with callback data on the
// bot's message messageID. From s.NewUpdates the message is the one s stored
// (text, caption, reply_markup); otherwise, or if s has no such message, it
// has only its id, chat, date and the bot as sender.
func (u *Updates) Callback(chatID, userID int64, messageID int, data string) tgbotapi.Update {
	from := u.User(userID)
	var msg *tgbotapi.Message
	if srv := u.st.srv; srv != nil {
		msg = srv.lookupMessage(chatID, messageID)
	}
	if msg == nil {
		bot := u.botUser(DefaultBotID)
		chat := u.Chat(chatID)
		msg = &tgbotapi.Message{MessageID: messageID, From: &bot, Date: int(time.Now().Unix()), Chat: &chat}
	}
	return tgbotapi.Update{
		UpdateID: u.nextUpdateID(),
		CallbackQuery: &tgbotapi.CallbackQuery{
			ID:           fmt.Sprintf("%d%06d", userID, u.nextSeq()),
			From:         &from,
			Message:      msg,
			ChatInstance: strconv.FormatUint(fnv64(strconv.FormatInt(chatID, 10))>>1, 10),
			Data:         data,
		},
	}
}

// AddedToGroup is the my_chat_member update of a user adding the bot to a
// group: the bot's status goes from "left" to "member".
func (u *Updates) AddedToGroup(chatID, byUserID, botID int64) tgbotapi.Update {
	return u.MyChatMember(chatID, byUserID, botID, "left", "member")
}

// MyChatMember is a my_chat_member update: the bot's status in the chat
// changed from oldStatus to newStatus by byUserID's doing ("member" to
// "kicked" in a private chat is the user blocking the bot). From
// s.NewUpdates it also sets the bot's status in s.
func (u *Updates) MyChatMember(chatID, byUserID, botID int64, oldStatus, newStatus string) tgbotapi.Update {
	bot := u.botUser(botID)
	if srv := u.st.srv; srv != nil {
		srv.SetMemberStatus(chatID, botID, newStatus)
	}
	return tgbotapi.Update{
		UpdateID: u.nextUpdateID(),
		MyChatMember: &tgbotapi.ChatMemberUpdated{
			Chat:          u.Chat(chatID),
			From:          u.User(byUserID),
			Date:          int(time.Now().Unix()),
			OldChatMember: tgbotapi.ChatMember{User: &bot, Status: oldStatus},
			NewChatMember: tgbotapi.ChatMember{User: &bot, Status: newStatus},
		},
	}
}

func (u *Updates) botUser(id int64) tgbotapi.User {
	username := DefaultBotUsername
	if srv := u.st.srv; srv != nil {
		srv.mu.Lock()
		if id == srv.botID {
			username = srv.botUsername
		}
		srv.mu.Unlock()
	}
	return tgbotapi.User{ID: id, IsBot: true, FirstName: BotFirstName, UserName: username}
}

func (u *Updates) message(chatID, userID int64) *tgbotapi.Message {
	from := u.User(userID)
	chat := u.Chat(chatID)
	return &tgbotapi.Message{MessageID: u.nextMessageID(chatID), From: &from, Date: int(time.Now().Unix()), Chat: &chat}
}

func (u *Updates) messageUpdate(m *tgbotapi.Message) tgbotapi.Update {
	if srv := u.st.srv; srv != nil {
		srv.recordIncoming(m)
	}
	return tgbotapi.Update{UpdateID: u.nextUpdateID(), Message: m}
}

func (u *Updates) nextUpdateID() int {
	if srv := u.st.srv; srv != nil {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		srv.lastUpdateID++
		return srv.lastUpdateID
	}
	u.st.mu.Lock()
	defer u.st.mu.Unlock()
	u.st.updateID++
	return u.st.updateID
}

func (u *Updates) nextMessageID(chatID int64) int {
	if srv := u.st.srv; srv != nil {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		cs := srv.chatLocked(chatID)
		cs.lastID++
		return cs.lastID
	}
	u.st.mu.Lock()
	defer u.st.mu.Unlock()
	u.st.msgIDs[chatID]++
	return u.st.msgIDs[chatID]
}

func (u *Updates) nextSeq() int {
	u.st.mu.Lock()
	defer u.st.mu.Unlock()
	u.st.seq++
	return u.st.seq
}

// recordIncoming stores a user's message built by a bound Updates.
func (s *Server) recordIncoming(m *tgbotapi.Message) {
	raw, err := withoutNulls(m)
	if err != nil {
		return
	}
	stored := &message{}
	if json.Unmarshal(raw, stored) != nil {
		return
	}
	stored.incoming = raw
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(m.Chat.ID).msgs[m.MessageID] = stored
}

func (s *Server) lookupMessage(chatID int64, id int) *tgbotapi.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messageLocked(chatID, id)
	if m == nil {
		return nil
	}
	d := m.decode()
	return &d
}

// UpdateJSON is upd as Telegram sends it: tgbotapi's JSON without the null
// fields (my_chat_member, chat.photo, ...) tgbotapi's types add.
func UpdateJSON(upd tgbotapi.Update) []byte {
	raw, err := withoutNulls(upd)
	if err != nil {
		panic("telegramtest: marshalling update: " + err.Error())
	}
	return raw
}

var postClient = &http.Client{Timeout: 30 * time.Second}

// Post delivers upd to a webhook as Telegram does: a JSON POST with the
// secret in X-Telegram-Bot-Api-Secret-Token (none when secret is ""). It
// returns the HTTP status and fails the test on transport errors; like
// t.Fatal, call it from the test's goroutine.
func Post(tb testing.TB, url, secret string, upd tgbotapi.Update) int {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(UpdateJSON(upd)))
	if err != nil {
		tb.Fatalf("telegramtest: Post %s: %v", url, err)
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(SecretHeader, secret)
	}
	resp, err := postClient.Do(req)
	if err != nil {
		tb.Fatalf("telegramtest: Post %s: %v", url, err)
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
