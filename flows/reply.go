package flows

import (
	"strings"
	"time"
)

// Msg is a user-facing text: a message ID from locales/*.toml and the data
// its template needs. The channel's renderer localises it.
type Msg struct {
	ID    string         `json:"id"`
	Data  map[string]any `json:"data,omitempty"`
	Count any            `json:"count,omitempty"` // selects the plural form
}

// M builds a Msg from an ID and key/value pairs, e.g. M(id, "Name", n).
func M(id string, kv ...any) Msg {
	m := Msg{ID: id}
	if len(kv) > 0 {
		m.Data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m.Data[kv[i].(string)] = kv[i+1]
		}
	}
	return m
}

// Choice is one option offered with a message. Channels with buttons show
// it as a button; the others as a numbered line. It can always be typed.
type Choice struct {
	Label Msg    `json:"label"`
	Value string `json:"value,omitempty"` // what pressing it sends back; [A-Za-z0-9:_-], short
	// Number is what typing selects it: Conv.Ask numbers the choices it
	// offers in the order shown. 0 for choices that are not answers (links,
	// actions) and for those sent to another chat.
	Number int `json:"number,omitempty"`
	// Words are more typed answers that select it (ASCII, folded), e.g. "ok".
	Words []string `json:"words,omitempty"`
	URL   string   `json:"url,omitempty"` // a link instead of an answer
	// Do is done in the bot's private chat instead of answering here: the
	// order button under a group post.
	Do *Action `json:"do,omitempty"`
	// Typed is what to type for it from any chat ("✅ Nhận đơn: nhắn NHẬN
	// DH-7K2Q"): a channel without buttons shows it where the choice has no
	// number (a notice sent to another chat).
	Typed *Msg `json:"typed,omitempty"`
}

// ActionKind says what an Action does.
type ActionKind string

const (
	// ActOpenChat opens the user's private chat with the bot; Action.Code,
	// if any, is the command to type there.
	ActOpenChat ActionKind = "chat"
	// ActOrder starts an order of the listing Action.Code.
	ActOrder ActionKind = "order"
	// ActListing opens the listing Action.Code in the private chat (it is
	// shown with the question of how much to order).
	ActListing ActionKind = "listing"
	// ActBroadcast opens /thongbao for the group Action.Code (its chat id,
	// on the channel of the button): a group admin's announcement.
	ActBroadcast ActionKind = "broadcast"
	// ActInvite uses the invite Action.Code (/themmod's link).
	ActInvite ActionKind = "invite"
	// ActFollow follows the product of the listing Action.Code, in its
	// seller's area (🔔 Theo dõi under a post).
	ActFollow ActionKind = "follow"
)

// Action is something a user starts in the private chat from elsewhere (a
// group). A channel with deep links makes it a link carrying Payload; the
// others tell the user what to type.
type Action struct {
	Kind ActionKind `json:"kind"`
	Code string     `json:"code,omitempty"` // the listing's code, NS-7K2Q, or an invite's
	// Quantity: an order's quantity, said in the group ("lấy 20kg"), as
	// the deep link carries it ("q20kg"); the private chat does not ask it.
	Quantity string `json:"quantity,omitempty"`
	// Product names the listing's product, for the words of a channel
	// without links ("THEO DÕI NS-7K2Q … tin Na mới").
	Product string `json:"product,omitempty"`
}

// Payload is the action as the private chat receives it back: the
// argument of `/start`, [A-Za-z0-9_-] and at most 64 characters.
func (a Action) Payload() string {
	switch a.Kind {
	case ActOrder, ActListing:
		if a.Quantity != "" {
			return "buy_" + strings.ReplaceAll(a.Code, "-", "") + "_" + a.Quantity
		}
		return "buy_" + strings.ReplaceAll(a.Code, "-", "")
	case ActBroadcast:
		return ownPrefix + a.Code
	case ActFollow:
		return followPrefix + strings.ReplaceAll(a.Code, "-", "")
	case ActInvite:
		return strings.ToLower(strings.Replace(a.Code, "-", "_", 1)) // qt_7k2q9m
	}
	return "menu"
}

// Reply is one message the bot sends: what it shows, and how it is
// delivered. Each channel's renderer decides how to show it.
type Reply struct {
	To   ChatRef `json:"to"`
	Lang string  `json:"lang"`

	// What it shows.
	Text    Msg        `json:"text"`
	Choices [][]Choice `json:"choices,omitempty"` // rows of buttons
	// AskContact offers the platform's "share my phone number" button.
	AskContact bool `json:"ask_contact,omitempty"`
	// ClearKeyboard: the contact request is over.
	ClearKeyboard bool `json:"clear_keyboard,omitempty"`
	// Photos are shown with Text as their caption: one photo or an album.
	// They are PhotoRef tokens: each channel shows them its own way.
	Photos []string `json:"photos,omitempty"`
	// Footer is the text that carries the Choices when a channel cannot put
	// them under the photos (an album).
	Footer *Msg `json:"footer,omitempty"`
	// QR is a payment payload (VietQR) the channel shows as a scannable
	// image, with Text as its caption.
	QR string `json:"qr,omitempty"`
	// Document is a file sent with Text as its caption (a CSV export).
	Document *Document `json:"document,omitempty"`
	// Menu: the reply ends a task, and the channel shows where its main menu
	// is (a keyboard that stays, or a one-line hint).
	Menu bool `json:"menu,omitempty"`
	// Edit changes a message sent earlier instead of sending a new one.
	Edit *Edit `json:"edit,omitempty"`

	// How it is delivered.

	// Group: To is a group chat. The engine keeps the platform's gap
	// between two messages to one group (Telegram allows about 20 a minute);
	// flows set it where they address groups, which is where they know it.
	Group bool `json:"group,omitempty"`

	// Coalesce: of several replies with this key waiting for one chat, only
	// the last is sent (its Text gets Merged = how many it stands for).
	Coalesce string `json:"coalesce,omitempty"`
	// Delay holds this reply back, so that a burst can coalesce; replies
	// behind it in the outbox do not wait for it. DueAt is set when queued.
	Delay time.Duration `json:"delay,omitempty"`
	DueAt time.Time     `json:"due_at,omitzero"`
	// NotBefore holds a notice queued with a change (the notices a store
	// takes with it) in the store until then: the farmer is told in the
	// morning what the bot's clock did at night. HeldNotices releases it;
	// a reply sent from a conversation ignores it.
	NotBefore time.Time `json:"-"`
	// About names what a held notice tells (heldAbout), so that it can be
	// taken back (HeldNotices.TakeHeld) when its reader learns it sooner.
	About string `json:"-"`
	// MaxWait caps how long coalescing may postpone the first reply of a
	// burst: later ones do not push it past the first's time plus MaxWait.
	MaxWait time.Duration `json:"max_wait,omitempty"`
	// Rebuild names what the reply shows; it is rebuilt from the stores
	// just before sending (Router.Rebuild), so a late reply never shows old
	// stock.
	Rebuild *Ref `json:"rebuild,omitempty"`
	// Report asks the engine to tell the flows where the reply landed
	// (Router.Posted): a listing's post in a group.
	Report *Report `json:"report,omitempty"`
	// Done is what a channel delivered of the reply before a send stopped
	// halfway (an album went, its button message did not): only the rest
	// is sent again.
	Done *Sent `json:"done,omitempty"`
}

// Document is a file for the user to keep. A channel that cannot send
// files shows Link instead, under the text: where to download it.
type Document struct {
	Name string `json:"name"` // thong-ke-2026-11.csv
	MIME string `json:"mime"`
	Data []byte `json:"data"`
	Link Msg    `json:"link"`
}

// RefKind names a kind of stored record a reply can show.
type RefKind string

// RefListing is a listing, by its id.
const RefListing RefKind = "listing"

// Ref points at a stored record.
type Ref struct {
	Kind RefKind `json:"kind"`
	ID   int64   `json:"id"`
}

// Report is what a listing's group post carries back to Router.Posted.
type Report struct {
	Listing int64   `json:"listing"`
	Code    string  `json:"code"`
	Notify  ChatRef `json:"notify"` // the seller's chat, told where it landed
	Lang    string  `json:"lang"`
	Group   string  `json:"group"` // the group's title
}

// Edit addresses a message to change: its caption (with Photos) or text,
// and its buttons; an edit without Choices removes them.
type Edit struct {
	MessageID string `json:"message_id"`
	// FooterID is the message that carried the Footer and the Choices,
	// when the channel sent them apart from the photos.
	FooterID string `json:"footer_id,omitempty"`
	// Note is what a channel that cannot edit sends instead, as a short new
	// message; without it such a channel sends nothing.
	Note *Msg `json:"note,omitempty"`
}

// Sent is what the platform says about a delivered reply.
type Sent struct {
	MessageIDs []string `json:"ids,omitempty"`    // the messages that carry the text or photos
	FooterID   string   `json:"footer,omitempty"` // the message that carried the Footer and the Choices, if apart
	Link       string   `json:"link,omitempty"`   // a link to the first message, when the platform has one
	// Parts is how many platform messages the reply took (or, in
	// Reply.Done, how many went before the send stopped).
	Parts int `json:"parts,omitempty"`
	// NoPhotos: photos the reply showed were left out, the platform having
	// refused them (it could not fetch our link); the rest went.
	NoPhotos bool `json:"no_photos,omitempty"`
	// Uploaded are photos the platform could not take by the reference
	// given (a Telegram photo sent as a file, downloaded and uploaded),
	// each with the reference it keeps for the upload: sent by that from
	// then on (bot.Rendered records it). Not kept with a reply.
	Uploaded map[string]string `json:"-"`
}
