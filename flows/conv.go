package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	gojson "github.com/goccy/go-json"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// FlowName names a conversation.
type FlowName string

// Step is one state of a flow. Steps are constants declared next to their
// flow's table; Done and Unclear are understood by every flow.
type Step string

const (
	// Done ends the flow: the session is cleared.
	Done Step = "done"
	// Unclear means the step could not use the input: the router says so and
	// asks the step's question again.
	Unclear Step = "unclear"
)

// StepDef is one row of a flow's table: how the step asks, and what it does
// with an answer. Handle returns the next step; returning its own step keeps
// the user there (after saying why), Unclear asks again.
type StepDef struct {
	Prompt func(c *Conv)
	Handle func(ctx context.Context, c *Conv, in Input) (Step, error)
	// Fresh: `quay lại` never leads back past this step (what came
	// before is done and saved, like a registration).
	Fresh bool
	// Unclear, when set, is said for a text not understood at this step
	// instead of unclear.text and the question again: the question is
	// long and still on screen (a summary); it says what can be typed.
	Unclear Msg
}

// Flow is a conversation: an entry that returns the first step, and a table
// of steps.
type Flow struct {
	Name  FlowName
	Start func(ctx context.Context, c *Conv, in Input) (Step, error)
	Steps map[Step]StepDef
}

// Session is the state of one user's conversation in one chat, kept in Redis.
type Session struct {
	Flow    FlowName        `json:"flow,omitempty"`
	Step    Step            `json:"step,omitempty"`
	History []Step          `json:"history,omitempty"` // earlier steps, for `quay lại`
	Data    json.RawMessage `json:"data,omitempty"`    // the flow's draft
	Offered []Offer         `json:"offered,omitempty"` // what the last question offered
	Album   string          `json:"album,omitempty"`   // the last album answered as unclear
	Edited  []string        `json:"edited,omitempty"`  // the last messages whose edits were answered
	// Editing: a form's field picked from its summary is being changed;
	// after it, back to the summary.
	Editing bool `json:"editing,omitempty"`
	// Parent is the flow an interjection (a notification's button) set
	// aside; it goes on when the interjection is done.
	Parent  *Session  `json:"parent,omitempty"`
	Updated time.Time `json:"updated"`
	// TaskAt is when a task last began or ended in this chat: a renewal
	// question asked before it is closed, so that an "ok" said after
	// something else renews nothing (renewWords). Kept between tasks.
	TaskAt time.Time `json:"task_at,omitzero"`
}

// Active tells whether the session is inside a flow.
func (s *Session) Active() bool { return s != nil && s.Flow != "" }

// empty tells whether the session holds nothing worth keeping: the choices
// on screen count, since they can be typed by number after a task is done.
func (s *Session) empty() bool {
	return !s.Active() && s.Album == "" && len(s.Edited) == 0 && len(s.Offered) == 0 && s.TaskAt.IsZero()
}

// Offer remembers a choice offered to the user so that typing its number,
// its label or one of its words selects it.
type Offer struct {
	Value string   `json:"v"`
	Keys  []string `json:"k"`
}

// Texts renders messages; the flows need it only to recognise typed labels.
type Texts interface {
	Text(lang string, m Msg) string
	Langs() []string
}

// Conv is what a step works with while it handles one input: who is talking,
// the session, and the replies gathered so far.
type Conv struct {
	User    *User
	Session *Session
	In      Input
	Now     time.Time
	Lang    string

	ctx      context.Context
	texts    Texts
	products *vn.Catalog // for Format.Stock
	replies  []Reply
	offered  []Offer
	menuAt   int        // 1 + the index in replies of the whole main menu, if shown
	err      error      // a store failed while asking a question
	ended    bool       // a prompt found nothing left to ask (End)
	decoded  draftCache // a form's draft, decoded once per update
	taskAt   time.Time  // Session.TaskAt as this update found it
	began    bool       // a flow was opened in this update
	// onlyBuys tells, once asked, whether the user has only ever bought
	// (Router.onlyBuys): her main menu says how to order, not how to sell.
	// nil: the farmer's menu.
	onlyBuys func() (bool, error)
	// What this update already read of the user, not read twice.
	orders    *userOrders
	helperSet bool // helper holds her helper's role
	helper    bool
}

// userOrders are the user's orders as a buyer and as a farmer.
type userOrders struct{ bought, sold []*Order }

// Context is the update's context, for prompts that read the stores.
func (c *Conv) Context() context.Context { return c.ctx }

// Fail records that a prompt could not be asked; the update fails and is
// delivered again, rather than leave the user without a question.
func (c *Conv) Fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// End, from a prompt, ends its step: what it would ask about is gone
// (the prompt said so), and a question left open would read her next
// words as an answer to it.
func (c *Conv) End() { c.ended = true }

// Say sends a message to the user's chat.
func (c *Conv) Say(m Msg) { c.reply(Reply{Text: m}) }

// Ask sends a message with choices, shown as button rows. Typing a choice's
// number, its label in any language, or one of its Words selects it too;
// each choice carries its number, for channels that print them.
func (c *Conv) Ask(m Msg, rows ...[]Choice) { c.reply(Reply{Text: m, Choices: c.offer(rows)}) }

// offer numbers the choices that answer here, after those offered before
// in this update, and remembers them for the router.
func (c *Conv) offer(rows [][]Choice) [][]Choice {
	n := len(c.offered)
	numbered := make([][]Choice, len(rows))
	for i, row := range rows {
		numbered[i] = slices.Clone(row)
		for j, ch := range numbered[i] {
			if ch.URL != "" || ch.Do != nil || ch.Value == "" {
				continue
			}
			n++
			numbered[i][j].Number = n
			keys := []string{strconv.Itoa(n), offerFolds.fold(ch.Value, vn.Fold)}
			add := func(k string) { // once: the session carries them at every update
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
			for _, lang := range c.texts.Langs() {
				add(labelFolds.fold(c.texts.Text(lang, ch.Label), foldLabel))
			}
			for _, w := range ch.Words {
				add(offerFolds.fold(w, vn.Fold))
			}
			c.offered = append(c.offered, Offer{Value: ch.Value, Keys: keys})
		}
	}
	return numbered
}

// add sends replies made without the conversation (code shared with the
// ticks, which have none): one to the user's own chat offers its choices,
// as Ask does, so they can be typed by number there.
func (c *Conv) add(replies ...Reply) {
	for _, r := range replies {
		if r.To == c.In.ChatKey() {
			r.Choices = c.offer(r.Choices)
		}
		c.replies = append(c.replies, r)
	}
}

// AskContact asks for a phone number with the platform's share button.
func (c *Conv) AskContact(m Msg) { c.reply(Reply{Text: m, AskContact: true}) }

// SendTo sends a message to another chat, in that user's language.
func (c *Conv) SendTo(to ChatRef, lang string, m Msg, rows ...[]Choice) {
	c.replies = append(c.replies, Reply{To: to, Lang: lang, Text: m, Choices: rows})
}

func (c *Conv) reply(r Reply) {
	r.To, r.Lang, r.Group = c.In.ChatKey(), c.Lang, c.In.ChatType == Group
	c.replies = append(c.replies, r)
}

// Draft decodes the flow's draft into v; an empty draft leaves v as it is.
func (c *Conv) Draft(v any) error {
	if len(c.Session.Data) == 0 {
		return nil
	}
	if err := gojson.Unmarshal(c.Session.Data, v); err != nil {
		return fmt.Errorf("decode %s draft: %w: %v", c.Session.Flow, ErrBadState, err)
	}
	return nil
}

// SetDraft stores v as the flow's draft.
func (c *Conv) SetDraft(v any) error {
	b, err := gojson.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s draft: %w", c.Session.Flow, err)
	}
	c.Session.Data = b
	return nil
}

// OtherChats lists the chats other than own that replies go to, in order.
func OtherChats(own ChatRef, replies []Reply) []ChatRef {
	var chats []ChatRef
	seen := map[ChatRef]bool{own: true}
	for _, r := range replies {
		if !seen[r.To] {
			seen[r.To] = true
			chats = append(chats, r.To)
		}
	}
	return chats
}

// saidHere tells whether anything was said in the user's own chat.
func (c *Conv) saidHere() bool { return c.lastHere() >= 0 }

// lastHere is the index of the last reply to the user's own chat, or -1.
func (c *Conv) lastHere() int {
	for i := len(c.replies) - 1; i >= 0; i-- {
		if c.replies[i].To == c.In.ChatKey() {
			return i
		}
	}
	return -1
}

// Replies returns what the conversation said.
func (c *Conv) Replies() []Reply { return c.replies }

// foldLabel is how a button's label can be typed: folded, its emoji gone.
func foldLabel(label string) string { return vn.Fold(stripEmoji(label)) }

// foldMemo remembers the folded forms of the values, labels and words
// offered: the same few hundred strings, folded at every question
// otherwise (a skip's twenty words each time a note is asked for). Labels
// with data (a listing's code) make it grow: past foldMemoMax strings it
// folds without remembering.
type foldMemo struct {
	mu sync.RWMutex
	m  map[string]string
}

const foldMemoMax = 8192

var offerFolds, labelFolds = &foldMemo{m: map[string]string{}}, &foldMemo{m: map[string]string{}}

// fold is fold(s), remembered.
func (f *foldMemo) fold(s string, fold func(string) string) string {
	f.mu.RLock()
	v, ok := f.m[s]
	f.mu.RUnlock()
	if ok {
		return v
	}
	v = fold(s)
	f.mu.Lock()
	if len(f.m) < foldMemoMax {
		f.m[s] = v
	}
	f.mu.Unlock()
	return v
}

// stripEmoji drops the pictographs that decorate labels (`🌾 Đăng bán`), so
// that the words alone match what the user types.
func stripEmoji(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) || unicode.IsMark(r) {
			return r
		}
		return -1
	}, s)
}
