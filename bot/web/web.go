// Package web is the sandbox's chat channel: a page in the browser where
// one person plays a farmer, a buyer and a moderator. Messages come in as
// JSON (POST /sandbox/api/send) and go out through one Redis stream, which
// the page reads as server-sent events. Like every adapter it maps the
// platform to the neutral types and holds no business rules.
package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vietqr"
)

// Personas and the group. Each visitor of the page plays their own three
// personas: a persona's web user id and private chat id is its name and
// the visitor's world ("farmer-0123456789abcdef", see worldOf), so that
// two people in a room have two conversations. Market is the one market
// group's chat id, shared by every visitor: listings reach markets by
// area, so a market of one's own would get everyone's posts anyway, and
// a room shown the bot sees one another's listings and orders.
const (
	Farmer    = "farmer"
	Buyer     = "buyer"
	Moderator = "moderator"
	Market    = "market"
)

// Personas in the order the page shows them.
var Personas = []string{Farmer, Buyer, Moderator}

// personaNames are the personas' display names, and the group's title.
var personaNames = map[string]flows.Msg{
	Farmer:    flows.M("persona.farmer"),
	Buyer:     flows.M("persona.buyer"),
	Moderator: flows.M("persona.moderator"),
	Market:    flows.M("sandbox.market"),
}

// demoPrefixes begin what the "share my phone number" button sends for
// each persona: made-up numbers, as a phone would share its owner's.
var demoPrefixes = map[string]string{Farmer: "091", Buyer: "092", Moderator: "093"}

// demoPhone is a persona's made-up number, its last seven digits from the
// world: a phone number is one person's (one seller a number), so each
// visitor's farmer needs their own.
func demoPhone(persona, world string) string {
	n, _ := strconv.ParseUint(world[:7], 16, 64)
	return fmt.Sprintf("%s%07d", demoPrefixes[persona], n%10_000_000)
}

// worldOf is the world of a visitor (their cookie, or their address
// without one): 16 hex digits of a hash, so that the cookie, which lets
// one act as the visitor, is in no id, key, log or page.
func worldOf(person string) string {
	sum := sha256.Sum256([]byte("nongsan sandbox world\x00" + person))
	return hex.EncodeToString(sum[:8])
}

// VisitorWorld is the world of the visitor the cookie ns_sandbox names.
func VisitorWorld(cookie string) string { return worldOf("v:" + cookie) }

// validWorld: a world is 16 hex digits.
func validWorld(w string) bool { return len(w) == 16 && isHex(w) }

// personaChat is a persona's user id and private chat id in a world.
func personaChat(persona, world string) string { return persona + "-" + world }

// PersonaUsers are the web user ids of a world's personas.
func PersonaUsers(world string) []string {
	var ids []string
	for _, p := range Personas {
		ids = append(ids, personaChat(p, world))
	}
	return ids
}

// splitChat reads a private chat id made by personaChat.
func splitChat(id string) (persona, world string, ok bool) {
	persona, world, ok = strings.Cut(id, "-")
	_, known := demoPrefixes[persona]
	return persona, world, ok && known && validWorld(world)
}

// Name is the channel's name.
const Name = flows.Web

// Config is what the channel is given by the wiring.
type Config struct {
	// PublicURL is the app's PUBLIC_BASE_URL, Base included; Base is
	// where the app is mounted ("" or "/sandbox"). The channel's own
	// routes are at /sandbox whatever the Base.
	PublicURL string
	Base      string
	UploadDir string // where uploaded photos are kept
	// MaxUploads bounds the photos kept in UploadDir (0: DefaultMaxUploads):
	// beyond it an upload is answered "busy" until the sweep or a wipe.
	MaxUploads int
	Log        *redis.WebLog  // the sandbox's messages
	Limiter    *redis.Limiter // requests per visitor (POSTs; event streams opened, apart)
	// AddressLimiter counts the requests of all visitors of one address
	// together (nil: not counted), so that cookies made up do not escape
	// the limit; larger than Limiter's, for a room behind one proxy.
	AddressLimiter *redis.Limiter
	// TrustedProxies are the proxies (TLS terminators, ingresses) whose
	// X-Forwarded-For is believed: a request from one is counted as the
	// client's address the proxies name. Empty: the connection's address.
	TrustedProxies []netip.Prefix
	Texts          flows.Texts                     // the page's words
	Reset          func(ctx context.Context) error // wipes and reseeds the sandbox, every visitor's world (WipeAll)
	// Forget takes what a visitor's world left in the shared market (their
	// farmer's listings) down when they start over; nil: nothing.
	Forget func(ctx context.Context, world string) error
	Logger zerolog.Logger
	// Heartbeat is how often an idle event stream sends a comment, so that
	// proxies keep it open; 0 for 15 s.
	Heartbeat time.Duration
}

// Channel is the web adapter. The zero value is not usable: call New.
type Channel struct {
	cfg    Config
	root   string // the server's public URL, without Base
	origin string // its scheme and host, cut from links so the page loads them from where it is
	path   string // its path, before /sandbox
	secret string // what send gives the webhook: nobody outside knows it
	hub    *hub

	decoding chan struct{} // the sandbox's one photo decode at a time

	streamsMu sync.Mutex
	streams   map[string]int // event streams open, by visitor and by address ("" all)

	closeOnce sync.Once
	closed    chan struct{} // the server is shutting down
}

var (
	_ bot.Adapter = (*Channel)(nil)
	_ bot.Fetcher = (*Channel)(nil)
)

// New returns the channel.
func New(cfg Config) (*Channel, error) {
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.MaxUploads <= 0 {
		cfg.MaxUploads = DefaultMaxUploads
	}
	root := strings.TrimSuffix(strings.TrimRight(cfg.PublicURL, "/"), cfg.Base)
	u, err := url.Parse(root)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("web channel: public URL %q is not an absolute URL", cfg.PublicURL)
	}
	c := &Channel{cfg: cfg, root: root, origin: u.Scheme + "://" + u.Host, path: strings.TrimRight(u.Path, "/"),
		secret: randomHex(16), closed: make(chan struct{}), streams: map[string]int{},
		decoding: make(chan struct{}, 1)}
	c.hub = newHub(cfg.Log, cfg.Logger, c.closed)
	return c, nil
}

// Name is the channel's name.
func (c *Channel) Name() flows.Channel { return Name }

// Caps: the page shows everything a rich platform does. Limits are
// Telegram's, so that a conversation reads the same.
func (c *Channel) Caps() bot.Caps {
	return bot.Caps{Buttons: true, Edits: true, Albums: true, AlbumCaptions: true, DeepLinks: true,
		MenuKeyboard: true, PhotoUploads: true, MaxText: 4096, MaxCaption: 1024}
}

// DeepLink opens the sandbox page, which plays the buyer and sends
// /start payload.
func (c *Channel) DeepLink(payload string) string {
	return c.root + "/sandbox?start=" + url.QueryEscape(payload)
}

// Ack does nothing: a pressed button needs no answer.
func (c *Channel) Ack(context.Context, flows.Input) error { return nil }

// Shutdown ends the open event streams, so that the server's Shutdown
// does not wait on them.
func (c *Channel) Shutdown() { c.closeOnce.Do(func() { close(c.closed) }) }

// update is what the send handler gives the webhook: one user action,
// with the ids the server chose.
type update struct {
	ID      string `json:"id"`
	World   string `json:"world"` // the visitor's (worldOf)
	Persona string `json:"persona"`
	Chat    string `json:"chat"` // "private" or "market"
	Text    string `json:"text,omitempty"`
	Data    string `json:"data,omitempty"`    // a pressed button's
	Message string `json:"message,omitempty"` // the message whose button it was
	Photo   string `json:"photo,omitempty"`   // an upload's name
	Album   string `json:"album,omitempty"`
	Contact bool   `json:"contact,omitempty"` // the persona shares their phone number
}

// Parse reads an update the send handler made.
func (c *Channel) Parse(body []byte) (flows.Input, bool, error) {
	var u update
	if err := json.Unmarshal(body, &u); err != nil {
		return flows.Input{}, false, fmt.Errorf("decode web update: %w", err)
	}
	if _, ok := demoPrefixes[u.Persona]; !ok || (u.Chat != "private" && u.Chat != Market) || !validWorld(u.World) {
		return flows.Input{}, false, fmt.Errorf("web update of persona %q in chat %q", u.Persona, u.Chat)
	}
	me := personaChat(u.Persona, u.World)
	in := flows.Input{Channel: Name, UpdateID: u.ID, MessageID: u.ID, ChatID: me, ChatType: flows.Private,
		UserID: me, UserName: c.text(personaNames[u.Persona]), Lang: "vi", At: time.Now()}
	if u.Chat == Market {
		in.ChatID, in.ChatType, in.ChatTitle = Market, flows.Group, c.text(personaNames[Market])
	}
	switch {
	case u.Data != "":
		in.Kind, in.Text, in.MessageID = flows.KindChoice, u.Data, u.Message
	case u.Photo != "":
		in.Kind, in.Text, in.Photo = flows.KindPhoto, u.Text, &flows.Photo{FileID: u.Photo, MediaGroupID: u.Album}
	case u.Contact:
		in.Kind, in.Phone, in.PhoneOwn = flows.KindContact, demoPhone(u.Persona, u.World), true
	default:
		in.Kind, in.Text = flows.KindText, u.Text
		in.Command, in.Arg = command(u.Text)
	}
	return in, true, nil
}

// command splits "/start abc" into "start" and "abc".
func command(text string) (cmd, arg string) {
	if len(text) < 2 || text[0] != '/' {
		return "", ""
	}
	cmd, arg, _ = strings.Cut(text[1:], " ")
	return strings.ToLower(cmd), strings.TrimSpace(arg)
}

func (c *Channel) text(m flows.Msg) string { return c.cfg.Texts.Text("vi", m) }

// Message is one message of the log, as the page shows it.
type Message struct {
	Kind    string     `json:"kind"`              // kindMessage, or kindReset (the page clears)
	World   string     `json:"world,omitempty"`   // whose: only that visitor's pages get it; "" everyone's (the market, a wipe)
	Chat    string     `json:"chat,omitempty"`    // a persona's private chat (the persona), or Market
	From    string     `json:"from,omitempty"`    // "bot" or "me"
	Persona string     `json:"persona,omitempty"` // who wrote a "me" message
	Text    string     `json:"text,omitempty"`
	Photos  []string   `json:"photos,omitempty"` // URLs, from the page's host
	QR      string     `json:"qr,omitempty"`     // a payment QR, as a data: URL
	Buttons [][]Button `json:"buttons,omitempty"`
	// Keyboard is the main menu kept under the chat; Contact the label of
	// the "share my phone number" button; ClearKeyboard removes either.
	Keyboard      [][]string `json:"keyboard,omitempty"`
	Contact       string     `json:"contact,omitempty"`
	ClearKeyboard bool       `json:"clear_keyboard,omitempty"`
	Edit          string     `json:"edit,omitempty"` // the message this one changes
}

// Button is a choice under a message: it sends Data, or opens URL.
type Button struct {
	Label string `json:"label"`
	Data  string `json:"data,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Kinds of log entries.
const (
	kindMessage = "msg"
	kindReset   = "reset"
)

// Post appends a rendered message to the log; its id is the entry's.
func (c *Channel) Post(ctx context.Context, o bot.Out) (flows.Sent, error) {
	chat, world := Market, ""
	if o.To.ChatID != Market {
		var ok bool
		if chat, world, ok = splitChat(o.To.ChatID); !ok {
			return flows.Sent{}, &bot.UndeliverableError{Reason: "no such sandbox chat " + o.To.ChatID}
		}
	}
	m := Message{Kind: kindMessage, World: world, Chat: chat, From: "bot", Text: o.Text, Photos: c.photoURLs(o.Photos),
		Keyboard: o.Keyboard, Contact: o.Contact, ClearKeyboard: o.ClearKeyboard, Edit: o.Edit}
	for _, row := range o.Buttons {
		var bs []Button
		for _, b := range row {
			bs = append(bs, Button{Label: b.Label, Data: b.Data, URL: c.local(b.URL)})
		}
		m.Buttons = append(m.Buttons, bs)
	}
	if o.QR != "" {
		// Drawn here, as Telegram uploads it; without an image the account
		// in words still lets the buyer pay.
		if png, err := vietqr.PNG(o.QR, 512); err == nil {
			m.QR = "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
		}
	}
	id, err := c.append(ctx, m)
	if err != nil {
		return flows.Sent{}, err
	}
	if o.Edit != "" {
		id = o.Edit
	}
	return flows.Sent{MessageIDs: []string{id}}, nil
}

func (c *Channel) append(ctx context.Context, m Message) (string, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode web message: %w", err)
	}
	return c.cfg.Log.Append(ctx, data)
}

// photoURLs are where the page loads photos: an upload of this channel
// from the upload route, another channel's from /media.
func (c *Channel) photoURLs(photos []string) []string {
	var out []string
	for _, p := range photos {
		if validUpload.MatchString(p) {
			out = append(out, c.path+uploadPath+p)
		} else {
			out = append(out, c.local(p))
		}
	}
	return out
}

// local makes a link to this server a path, so that the page loads it
// from the host it was opened at (the CSP allows only 'self'); other
// links stay as they are.
func (c *Channel) local(u string) string {
	if rest, ok := strings.CutPrefix(u, c.origin); ok && (rest == "" || rest[0] == '/' || rest[0] == '?') {
		return rest
	}
	return u
}

// uploadPath is where uploaded photos are served; a name follows.
const uploadPath = "/sandbox/api/photo/"

// validUpload is an upload's name: the only names served, so that no
// request reaches outside the folder.
var validUpload = regexp.MustCompile(`^[0-9a-f]{32}\.jpg$`)

// Fetch opens an uploaded photo, for /media.
func (c *Channel) Fetch(_ context.Context, ref string) (io.ReadCloser, error) {
	if !validUpload.MatchString(ref) {
		return nil, &bot.UndeliverableError{Reason: "not an upload's name"}
	}
	f, err := os.Open(filepath.Join(c.cfg.UploadDir, ref))
	if err != nil {
		return nil, fmt.Errorf("open upload: %w", err)
	}
	return f, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
