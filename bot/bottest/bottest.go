// Package bottest is a text-only chat channel for tests: no buttons, no
// edits, no albums, no deep links, and messages of at most 300 characters,
// like the plainest platform the bot may meet. It records what it sends.
package bottest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/flows"
)

// Name is the channel's name; its webhook is POST /webhook/plain.
const Name flows.Channel = "plain"

// Secret is what a webhook request carries in header SecretHeader.
const (
	Secret       = "plain-secret-0123456789"
	SecretHeader = "X-Plain-Secret"
	MaxText      = 300
)

// Update is what the channel's webhook receives.
type Update struct {
	ID     string `json:"id"`
	Chat   string `json:"chat"`
	Group  string `json:"group,omitempty"` // the group's title, for messages in a group
	User   string `json:"user"`
	Name   string `json:"name,omitempty"`
	Admin  bool   `json:"admin,omitempty"` // the sender administers the group
	Text   string `json:"text,omitempty"`
	Photo  string `json:"photo,omitempty"` // a photo's file id
	Album  string `json:"album,omitempty"`
	Joined bool   `json:"joined,omitempty"` // the bot was added to the group
}

// Message is what the bot sent, as the user sees it.
type Message struct {
	Chat  string
	ID    string
	Text  string
	Photo string
	QR    string
}

// Channel is the adapter. The zero value is not usable: call New.
type Channel struct {
	mu   sync.Mutex
	sent []Message
}

var _ bot.Adapter = (*Channel)(nil)

// New returns an empty channel.
func New() *Channel { return &Channel{} }

// Name is the channel's name.
func (c *Channel) Name() flows.Channel { return Name }

// Caps: text only, 300 characters.
func (c *Channel) Caps() bot.Caps { return bot.Caps{MaxText: MaxText, MaxCaption: MaxText} }

// Parse reads an Update.
func (c *Channel) Parse(body []byte) (flows.Input, bool, error) {
	var u Update
	if err := json.Unmarshal(body, &u); err != nil {
		return flows.Input{}, false, fmt.Errorf("decode update: %w", err)
	}
	in := flows.Input{Channel: Name, UpdateID: u.ID, ChatID: u.Chat, ChatType: flows.Private, UserID: u.User,
		UserName: u.Name, Lang: "vi", MessageID: u.ID, Admin: u.Admin, Text: u.Text, Kind: flows.KindText, At: time.Now()}
	if u.Group != "" {
		in.ChatType, in.ChatTitle = flows.Group, u.Group
	}
	switch {
	case u.Joined:
		in.Kind = flows.KindJoined
	case u.Photo != "":
		in.Kind, in.Photo = flows.KindPhoto, &flows.Photo{FileID: u.Photo, MediaGroupID: u.Album}
	case len(u.Text) > 1 && u.Text[0] == '/':
		in.Command, in.Arg = command(u.Text)
	}
	return in, u.Chat != "" && u.User != "", nil
}

func command(text string) (cmd, arg string) {
	for i, r := range text {
		if r == ' ' {
			return text[1:i], text[i+1:]
		}
	}
	return text[1:], ""
}

// Post records a message; each gets the next id.
func (c *Channel) Post(_ context.Context, o bot.Out) (flows.Sent, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := Message{Chat: o.To.ChatID, ID: strconv.Itoa(len(c.sent) + 1), Text: o.Text, QR: o.QR}
	if len(o.Photos) > 0 {
		m.Photo = o.Photos[0]
	}
	if len([]rune(o.Text)) > MaxText || len(o.Photos) > 1 || len(o.Buttons) > 0 || o.Edit != "" {
		return flows.Sent{}, &bot.UndeliverableError{Reason: "beyond the plain channel's means"}
	}
	c.sent = append(c.sent, m)
	return flows.Sent{MessageIDs: []string{m.ID}}, nil
}

// Ack does nothing: there is nothing to acknowledge.
func (c *Channel) Ack(context.Context, flows.Input) error { return nil }

// Mount serves the webhook.
func (c *Channel) Mount(mux *http.ServeMux, webhook func(header, secret string) http.Handler) {
	mux.Handle("POST /webhook/plain", webhook(SecretHeader, Secret))
}

// DeepLink is never called: the channel has no deep links.
func (c *Channel) DeepLink(string) string { return "" }

// Sent returns the messages sent to chat, oldest first.
func (c *Channel) Sent(chat string) []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Message
	for _, m := range c.sent {
		if m.Chat == chat {
			out = append(out, m)
		}
	}
	return out
}

// All returns every message sent, oldest first.
func (c *Channel) All() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Message(nil), c.sent...)
}

// Fetch gives a photo the channel keeps: any reference is a small sample
// photo, as a platform's file would be.
func (c *Channel) Fetch(_ context.Context, ref string) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(PhotoPNG(64, 48))), nil
}

var _ bot.Fetcher = (*Channel)(nil)

// PhotoPNG is a w×h photo, as a farmer's phone or a platform's CDN gives
// one, for tests of what the bot does with photos.
func PhotoPNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, h/2, color.RGBA{G: 160, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding to memory does not fail
	}
	return buf.Bytes()
}
