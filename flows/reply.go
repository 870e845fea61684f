package flows

import "time"

// Msg is a user-facing text: a message ID from locales/*.toml and the data
// its template needs. The channel adapter localises it.
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
	URL   string `json:"url,omitempty"`   // a link button instead of a choice
	// Start is a deep link into the bot's private chat carrying this
	// payload ([A-Za-z0-9_-], at most 64): the group post's order button.
	Start string `json:"start,omitempty"`
	// Words are more typed answers that select it (ASCII, folded), e.g. "ok".
	Words []string `json:"-"`
}

// Reply is one message the bot sends.
type Reply struct {
	To      ChatRef    `json:"to"`
	Lang    string     `json:"lang"`
	Text    Msg        `json:"text"`
	Choices [][]Choice `json:"choices,omitempty"` // rows of buttons
	// AskContact offers the platform's "share my phone number" button.
	AskContact bool `json:"ask_contact,omitempty"`
	// ClearKeyboard removes a reply keyboard left by AskContact.
	ClearKeyboard bool `json:"clear_keyboard,omitempty"`
	// Photos are shown with Text as their caption: one photo, or an album
	// (which cannot carry Choices).
	Photos []string `json:"photos,omitempty"`
	// Track asks the engine to report the sent message to Router.Posted.
	Track string `json:"track,omitempty"`
	// QR is a payment payload (VietQR) the channel shows as a scannable
	// image, with Text as its caption.
	QR string `json:"qr,omitempty"`
	// Coalesce: of several replies with this key waiting for one chat, only
	// the last is sent (its Text gets Merged = how many it stands for).
	Coalesce string `json:"coalesce,omitempty"`
	// Delay holds this reply back, so that a burst can coalesce; replies
	// behind it in the outbox do not wait for it. DueAt is set when queued.
	Delay time.Duration `json:"delay,omitempty"`
	DueAt time.Time     `json:"due_at,omitzero"`
	// Refresh names what the reply shows ("listing:42"), rebuilt from the
	// stores just before sending, so that a late reply never shows old stock.
	Refresh string `json:"refresh,omitempty"`
	// Edit changes a message sent earlier instead of sending a new one: its
	// caption (with Photos) or text, and its buttons; an edit without
	// Choices removes them.
	Edit *Edit `json:"edit,omitempty"`
}

// Edit addresses a message to change.
type Edit struct {
	MessageID string `json:"message_id"`
}

// Sent is what the platform says about a delivered reply.
type Sent struct {
	MessageIDs []string // the messages that carry the text or photos
	Link       string   // a link to the first message, when the platform has one
}
