package flows

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	gojson "github.com/goccy/go-json"
)

// A Form is a flow that fills a draft D one field at a time. Its table
// lists the rows in the order they are asked; a row asks one question from
// the decoded draft and reads the answer into it, then says where to go
// (Next, To a row, Again with a reason…). The runner does the rest: it
// decodes the draft once per update and saves it after each answer, offers
// Bỏ qua on optional rows, lists the fields a summary can change, and after
// a changed field goes back to the summary, asking on the way only the rows
// that must follow it.
type Form[D any] struct {
	Name FlowName
	// Start prepares a new draft and says where to begin.
	Start func(ctx context.Context, c *Conv, d *D, in Input) (Go, error)
	Rows  []*Field[D]
	// Labels prefixes a field's Edit value to name its button: "sell.field_".
	Labels string
	// Before sees every answer before the row does; handled=false passes it on.
	Before func(ctx context.Context, c *Conv, d *D, in Input) (g Go, handled bool, err error)
	// Stamp names the draft as it is now (see stamp). A summary's buttons
	// carry it ("place:<stamp>", "field:name:<stamp>" where the summary
	// lists the fields, as /hoso's does), and act only while the draft is
	// still what that summary showed: a button under an older summary
	// (before a change, or of another draft) is an old button, and the
	// summary in progress is shown again. Typed words pick the summary on
	// screen; a field's button without a stamp (the list of fields') acts.
	// nil: the buttons act on the draft as it is.
	Stamp func(d *D) string
}

// Field is one row of a form's table: a question, or an action (Do) that
// runs when the form reaches it.
type Field[D any] struct {
	Step Step
	// Ask is the question, from the draft as it is now.
	Ask func(c *Conv, d *D) Question
	// Answer reads an answer into the draft and says where to go.
	Answer func(ctx context.Context, c *Conv, d *D, in Input) (Go, error)
	// Do, instead of Ask and Answer, acts on what the rows before filled
	// (saves a profile). Reaching it ends a change made from a summary.
	Do func(ctx context.Context, c *Conv, d *D) (Go, error)
	// Skip makes the field optional: Bỏ qua empties it with Skip and goes on.
	Skip func(d *D)
	// Edit is the value of the field's button in the summary ("field:"+Edit);
	// "" when it cannot be picked there. Picked runs when it is.
	Edit   string
	Picked func(d *D)
	// EditWords also pick it there when typed (folded): a former label.
	EditWords []string
	// Follows: asked after the row before it even when only that one is
	// being changed (bank → account → holder).
	Follows bool
	// Aside: asked only when a row goes To it (a confirmation); Next passes by.
	Aside bool
	// Known: already answered, said in an earlier message ("5 tạ giá 25k",
	// a captioned photo): Next passes it by, unless it is being changed
	// from the summary. To and Redo still ask it.
	Known func(d *D) bool
	// Summary shows the whole draft: a changed field comes back to it.
	Summary bool
	// Fresh: `quay lại` never leads back past this row.
	Fresh bool
	// Unclear: said for a text not understood here (StepDef.Unclear).
	Unclear Msg
}

// Question is what a row asks: a text, choices, or the platform's
// share-my-phone button.
type Question struct {
	Text    Msg
	Choices [][]Choice
	Contact bool
}

// Ask is a question with choices.
func Ask(m Msg, rows ...[]Choice) Question { return Question{Text: m, Choices: rows} }

// Go is where a row's answer leads.
type Go struct {
	kind   goKind
	step   Step // of To, Past, Redo
	reason Msg  // of Again
}

type goKind int

const (
	goNone goKind = iota // a Go left empty: a mistake, not a way to go
	goNext
	goTo
	goPast
	goRedo
	goAgain
	goStay
	goUnclear
	goEdit
	goDone
)

// Next goes on to the next row; when a field picked from the summary was
// being changed, back to the summary (by way of the rows that follow it).
func Next() Go { return Go{kind: goNext} }

// To goes to row f (a confirmation, a branch). To the row being answered
// asks its question again.
func To[D any](f *Field[D]) Go { return Go{kind: goTo, step: f.Step} }

// Past goes on as if f had been answered: the row after it, or back to the
// summary.
func Past[D any](f *Field[D]) Go { return Go{kind: goPast, step: f.Step} }

// Redo asks f again as if it had been picked from the summary: after it,
// and the rows that follow it, the form goes on from the next summary or
// action (a phone number taken meanwhile, a listing without photos).
func Redo[D any](f *Field[D]) Go { return Go{kind: goRedo, step: f.Step} }

// Again refuses the answer with its reason, which says what is expected
// with an example; the user stays at the question.
func Again(reason Msg) Go { return Go{kind: goAgain, reason: reason} }

// Stay keeps the user at the question, having said what there was to say.
func Stay() Go { return Go{kind: goStay} }

// NotUnderstood hands the answer back to the router: it may open another
// flow, or is said to be not understood and the question is asked again.
func NotUnderstood() Go { return Go{kind: goUnclear} }

// EditFields asks which field of the summary to change.
func EditFields() Go { return Go{kind: goEdit} }

// Finish ends the form; its draft is dropped.
func Finish() Go { return Go{kind: goDone} }

// editStep is the question "which field?" that every form with editable
// fields has.
const editStep Step = "edit"

// Flow is the form as the router runs it: a step per question row, and
// the list of fields to change.
func (f *Form[D]) Flow() *Flow {
	steps := map[Step]StepDef{}
	seen := map[Step]bool{}
	editable := false
	for _, row := range f.Rows {
		if seen[row.Step] || row.Step == editStep || (row.Do == nil) == (row.Ask == nil || row.Answer == nil) {
			panic(fmt.Sprintf("flows: form %s: row %q is repeated or has neither a question nor an action", f.Name, row.Step))
		}
		seen[row.Step] = true
		editable = editable || row.Edit != ""
		if row.Do == nil {
			steps[row.Step] = StepDef{Prompt: f.prompt(row), Handle: f.handle(row), Fresh: row.Fresh, Unclear: row.Unclear}
		}
	}
	if editable {
		picker := &Field[D]{Step: editStep, Ask: f.askField, Answer: func(context.Context, *Conv, *D, Input) (Go, error) {
			return NotUnderstood(), nil // the runner reads the picked field
		}}
		steps[editStep] = StepDef{Prompt: f.prompt(picker), Handle: f.handle(picker)}
	}
	return &Flow{Name: f.Name, Steps: steps, Start: func(ctx context.Context, c *Conv, in Input) (Step, error) {
		d := new(D)
		g, err := f.Start(ctx, c, d, in)
		if err != nil {
			return "", err
		}
		return f.follow(ctx, c, d, -1, g)
	}}
}

// Row adds a row at the end of the table and returns it, for the answers
// that lead to it.
func (f *Form[D]) Row(row Field[D]) *Field[D] {
	f.Rows = append(f.Rows, &row)
	return &row
}

// FieldChoices are the buttons of the fields a summary can change.
func (f *Form[D]) FieldChoices() [][]Choice {
	var rows [][]Choice
	for _, row := range f.Rows {
		if row.Edit != "" {
			rows = append(rows, []Choice{{Label: M(f.Labels + row.Edit), Value: "field:" + row.Edit, Words: row.EditWords}})
		}
	}
	return rows
}

// fieldChoices are the buttons of every form's fields, for the test that
// the locales have their labels.
func fieldChoices() [][][]Choice {
	return [][][]Choice{newSell(Deps{}).form.FieldChoices(), newProfile(Deps{}).form.FieldChoices(),
		newOrder(Deps{}).form.FieldChoices()}
}

func (f *Form[D]) askField(*Conv, *D) Question {
	rows := append(f.FieldChoices(), []Choice{{Label: M("sell.field_none"), Value: "field:none"}})
	return Ask(M("sell.edit_pick"), pairs(rows)...)
}

func (f *Form[D]) prompt(row *Field[D]) func(c *Conv) {
	return func(c *Conv) {
		d, err := f.draft(c)
		if err != nil {
			c.Fail(err)
			return
		}
		f.ask(c, row, d)
	}
}

func (f *Form[D]) ask(c *Conv, row *Field[D], d *D) {
	q := row.Ask(c, d)
	if q.Text.ID == "" {
		return // the question could not be made (the prompt called c.Fail)
	}
	if row.Summary && f.Stamp != nil {
		stamp := f.Stamp(d)
		stamped := make([][]Choice, len(q.Choices))
		for i, choices := range q.Choices {
			stamped[i] = slices.Clone(choices)
			for j := range stamped[i] {
				stamped[i][j].Value += ":" + stamp
			}
		}
		q.Choices = stamped
	}
	if row.Skip != nil {
		q.Choices = append(q.Choices, []Choice{skipChoice()})
	}
	switch {
	case q.Contact:
		c.AskContact(q.Text)
	case len(q.Choices) > 0:
		c.Ask(q.Text, q.Choices...)
	default:
		c.Say(q.Text)
	}
}

func (f *Form[D]) handle(row *Field[D]) func(ctx context.Context, c *Conv, in Input) (Step, error) {
	return func(ctx context.Context, c *Conv, in Input) (Step, error) {
		d, err := f.draft(c)
		if err != nil {
			return "", err
		}
		from := slices.Index(f.Rows, row) // -1 for the list of fields, which is no row
		g, err := f.answer(ctx, c, d, row, in, f.Before)
		if err != nil {
			return "", err
		}
		return f.follow(ctx, c, d, from, g)
	}
}

// answer reads in at row: a summary's button, a field picked, Bỏ qua, or
// else an answer, which before sees first (when not nil).
func (f *Form[D]) answer(ctx context.Context, c *Conv, d *D, row *Field[D], in Input,
	before func(context.Context, *Conv, *D, Input) (Go, bool, error)) (Go, error) {
	field, picked := strings.CutPrefix(in.Text, "field:")
	fresh := true
	switch {
	case in.Kind != KindChoice || !row.Summary || f.Stamp == nil:
	case !picked:
		in.Text, fresh = f.unstamp(d, in.Text)
	case strings.Contains(field, ":"): // a field's button on the summary (/hoso), stamped
		field, fresh = f.unstamp(d, field)
	}
	switch {
	case !fresh:
		return NotUnderstood(), nil // an older summary's button: "Nút đó cũ rồi", and this summary again
	case in.Kind == KindChoice && picked && (row.Summary || row.Step == editStep):
		return f.pick(d, field), nil
	case in.Kind == KindChoice && in.Text == "skip" && row.Skip != nil:
		row.Skip(d)
		return Next(), nil
	}
	if before != nil {
		if g, handled, err := before(ctx, c, d, in); handled || err != nil {
			return g, err
		}
	}
	return row.Answer(ctx, c, d, in)
}

// answerTyped reads in's text as if typed at step, the question in
// progress (its choices on screen picked by their words), Before left out:
// the caption of a photo that Before took in ("5 tạ" under a photo at the
// quantity question). Where it leads is Before's to return.
func (f *Form[D]) answerTyped(ctx context.Context, c *Conv, d *D, step Step, in Input) (Go, error) {
	in.Kind, in.Photo = KindText, nil
	return f.answer(ctx, c, d, f.Rows[f.index(step)], choose(c.Session, in), nil)
}

// unstamp is the value of a summary's button without its stamp, and
// whether the button was shown for the draft as it is now.
func (f *Form[D]) unstamp(d *D, data string) (value string, fresh bool) {
	value, stamp, _ := strings.Cut(data, ":")
	return value, stamp == f.Stamp(d)
}

// stamp names a draft (its nonce) as it is now (shown, what its summary
// shows): a digest short enough for a button's value, which any change
// to shown changes.
func stamp(nonce string, shown any) string {
	b, _ := json.Marshal(shown) // structs: their fields in order, always the same for the same draft
	sum := sha256.Sum256(b)
	return nonce + ":" + base64.RawURLEncoding.EncodeToString(sum[:6])
}

// pick starts changing the field of a summary's button.
func (f *Form[D]) pick(d *D, field string) Go {
	for _, row := range f.Rows {
		if row.Edit != "" && row.Edit == field {
			if row.Picked != nil {
				row.Picked(d)
			}
			return Go{kind: goRedo, step: row.Step}
		}
	}
	// None: back to the summary that lists the fields, the first after
	// them (the sell form's helper summary of a farmer comes before).
	fields := false
	for _, row := range f.Rows {
		fields = fields || row.Edit != ""
		if row.Summary && fields && field == "none" {
			return Go{kind: goTo, step: row.Step}
		}
	}
	return NotUnderstood()
}

// follow turns where an answer leads into the step to be at, running the
// actions on the way, and saves the draft.
func (f *Form[D]) follow(ctx context.Context, c *Conv, d *D, from int, g Go) (Step, error) {
	s := c.Session
	for range len(f.Rows) + 1 { // actions lead on; a loop is a wiring mistake
		to := -1
		switch g.kind {
		case goDone:
			return Done, nil
		case goUnclear:
			return Unclear, f.save(c, d)
		case goAgain:
			c.Say(g.reason)
			return s.Step, f.save(c, d)
		case goStay:
			return s.Step, f.save(c, d)
		case goEdit:
			return editStep, f.save(c, d)
		case goTo:
			to = f.index(g.step)
		case goRedo:
			s.Editing = true
			to = f.index(g.step)
		case goNext:
			to = f.after(d, from, s.Editing)
		case goPast:
			to = f.after(d, f.index(g.step), s.Editing)
		default:
			return "", fmt.Errorf("form %s: an answer at %q says nowhere to go", f.Name, s.Step)
		}
		row := f.Rows[to]
		if row.Do != nil || row.Summary {
			s.Editing = false // a change is over once its summary or action is reached
		}
		if row.Do == nil {
			if row.Step == s.Step && from >= 0 {
				f.ask(c, row, d) // the router asks only when the step changes
			}
			return row.Step, f.save(c, d)
		}
		var err error
		if g, err = row.Do(ctx, c, d); err != nil {
			return "", fmt.Errorf("%s: %w", row.Step, err)
		}
		from = to
	}
	return "", fmt.Errorf("form %s: its actions lead in a loop", f.Name)
}

// after is the row that comes after row i, passing rows aside and rows
// already known. While a field is being changed, that is a row that
// follows it, else the next summary or action.
func (f *Form[D]) after(d *D, i int, editing bool) int {
	adjacent := true
	for j := i + 1; j < len(f.Rows); j++ {
		switch row := f.Rows[j]; {
		case row.Aside:
		case !editing && row.Known != nil && row.Known(d):
		case !editing || row.Do != nil || row.Summary || row.Follows && adjacent:
			return j
		default:
			adjacent = false
		}
	}
	panic(fmt.Sprintf("flows: form %s: no row after %q", f.Name, f.Rows[i].Step))
}

func (f *Form[D]) index(step Step) int {
	for i, row := range f.Rows {
		if row.Step == step {
			return i
		}
	}
	panic(fmt.Sprintf("flows: form %s has no row %q", f.Name, step))
}

// draftCache is the draft a form decoded or saved during this update, so
// that the question after an answer does not decode it again.
type draftCache struct {
	data json.RawMessage
	v    any
}

// draft decodes the session's draft, once per update. A draft that does not
// decode is unusable state: the engine resets the chat.
func (f *Form[D]) draft(c *Conv) (*D, error) {
	if d, ok := c.decoded.v.(*D); ok && bytes.Equal(c.decoded.data, c.Session.Data) {
		return d, nil
	}
	d := new(D)
	if len(c.Session.Data) > 0 {
		// go-json: a draft is decoded and encoded at every step, and
		// encoding/json took a tenth of the service's CPU.
		if err := gojson.Unmarshal(c.Session.Data, d); err != nil {
			return nil, fmt.Errorf("decode %s draft: %w: %v", f.Name, ErrBadState, err)
		}
	}
	c.decoded = draftCache{data: c.Session.Data, v: d}
	return d, nil
}

func (f *Form[D]) save(c *Conv, d *D) error {
	b, err := gojson.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode %s draft: %w", f.Name, err)
	}
	c.Session.Data = b
	c.decoded = draftCache{data: b, v: d}
	return nil
}
