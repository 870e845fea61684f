package zalotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/zalo"
)

// User is someone writing to the bot.
type User struct {
	ID   string
	Name string
}

// Private is a user's private chat with the bot (its id is the user's).
func Private(u User) zalo.Chat { return zalo.Chat{ID: u.ID, ChatType: "PRIVATE"} }

// Group is a group chat.
func Group(id string) zalo.Chat { return zalo.Chat{ID: id, ChatType: "GROUP"} }

// Event builds an event of the given name from u in chat, with a new
// message id; fill what the event carries (Text, Photo …) on its Message.
func (s *Server) Event(name string, chat zalo.Chat, u User) zalo.Event {
	s.mu.Lock()
	s.seq++
	id := fmt.Sprintf("in%018x", s.seq)
	s.mu.Unlock()
	return zalo.Event{EventName: name, Message: &zalo.Message{
		From: zalo.User{ID: u.ID, DisplayName: u.Name}, Chat: chat, MessageID: id, Date: time.Now().UnixMilli(),
	}}
}

// Text is a message.text.received event. In a group Zalo gives the bot
// only the messages that mention it (or reply to its own), the mention
// written first, as members pick the bot from the list: a group text that
// does not begin with a mention gets the bot's (BotName) put before it.
func (s *Server) Text(chat zalo.Chat, u User, text string) zalo.Event {
	ev := s.Event(zalo.EventText, chat, u)
	if chat.ChatType == "GROUP" && !strings.HasPrefix(text, "@") {
		text = "@" + BotName + " " + text
	}
	ev.Message.Text = text
	return ev
}

// Reply is a message.text.received event of a member replying to (quoting)
// one of the bot's messages in a group: Zalo gives it to the bot without a
// mention, and does not say which message it quotes.
func (s *Server) Reply(chat zalo.Chat, u User, text string) zalo.Event {
	ev := s.Event(zalo.EventText, chat, u)
	ev.Message.Text = text
	return ev
}

// Image is a message.image.received event of one of the server's sample
// photos (see PhotoURL).
func (s *Server) Image(chat zalo.Chat, u User, photo, caption string) zalo.Event {
	ev := s.Event(zalo.EventImage, chat, u)
	ev.Message.Photo, ev.Message.Caption = zalo.Image(s.PhotoURL(photo)), caption
	return ev
}

// Sticker is a message.sticker.received event.
func (s *Server) Sticker(chat zalo.Chat, u User) zalo.Event {
	ev := s.Event(zalo.EventSticker, chat, u)
	ev.Message.Sticker, ev.Message.URL = "bfe458bf64fa8da4d4eb", "https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid=1"
	return ev
}

// Unsupported is a message.unsupported.received event: what Zalo sends
// instead of every message of a protected account (children, people with
// disabilities, people who cannot read …), whatever was sent.
func (s *Server) Unsupported(chat zalo.Chat, u User) zalo.Event {
	return s.Event(zalo.EventUnsupported, chat, u)
}

// Wrapped is the event as the webhook documentation shows it,
// {"ok":true,"result":{…}}.
func Wrapped(ev zalo.Event) []byte {
	body, err := json.Marshal(map[string]any{"ok": true, "result": ev})
	if err != nil {
		panic(err)
	}
	return body
}

// Bare is the event alone, {"event_name":…}.
func Bare(ev zalo.Event) []byte {
	body, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return body
}

// Post delivers body to a webhook with the secret in X-Bot-Api-Secret-Token
// ("" sends none) and returns the HTTP status.
func Post(tb testing.TB, url, secret string, body []byte) int {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(zalo.SecretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
