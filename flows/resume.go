package flows

import (
	"context"
	"fmt"
	"slices"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// DraftKeep is how long a listing left unfinished is kept, however long
// SESSION_TTL is: farmers stop halfway and come back the next day, or the
// one after. It is offered back (resumeFlow) rather than thrown away. It
// runs from when the listing was left, or from when its oldest photo came
// if that is earlier, and the question restarts nothing: a draft's photos
// are forgotten 2 days after they came (bot/postgres draftPhotosFor), and
// Zalo's links expire.
const DraftKeep = 48 * time.Hour

// resumeName is the question asked when a farmer comes back to a listing
// left unfinished longer than SESSION_TTL: go on with it, or drop it. The
// listing waits as its Parent; the photos sent meanwhile wait in its draft
// (resumeHeld).
const resumeName FlowName = "resume"

const resumeAsk Step = "ask"

func resumeFlow() *Flow {
	return &Flow{Name: resumeName, Steps: map[Step]StepDef{resumeAsk: {Prompt: askResume, Handle: onResume}},
		Start: func(context.Context, *Conv, Input) (Step, error) { return resumeAsk, nil }}
}

// resumeHeld is the resume question's draft: the photos that came with it
// or while it waits, for the listing the farmer picks. She came back with
// the photos she left to take: they are not lost whatever she answers.
type resumeHeld struct {
	Photos []heldPhoto `json:"photos,omitempty"`
}

type heldPhoto struct {
	Photo photo  `json:"p"`
	Album string `json:"g,omitempty"`
}

// hold keeps in's photo and tells whether to answer it: every single
// photo, an album once (its photos arrive one by one).
func (h *resumeHeld) hold(in Input, now time.Time) (answer bool) {
	g := in.Photo.MediaGroupID
	answer = g == "" || !slices.ContainsFunc(h.Photos, func(p heldPhoto) bool { return p.Album == g })
	if len(h.Photos) < maxPhotos { // no listing keeps more
		h.Photos = append(h.Photos, heldPhoto{Photo: photo{Token: in.Photo.Ref().String(), Order: in.MessageID, At: now.Unix()}, Album: g})
	}
	return answer
}

// into adds the held photos to d, and tells whether some did not fit.
func (h resumeHeld) into(d *draft) (full bool) {
	full = !d.NewPhotos && len(d.Listing.Photos)+len(h.Photos) > maxPhotos
	for _, p := range h.Photos {
		addPhoto(d, p.Photo, p.Album)
	}
	return full
}

func (h resumeHeld) album() bool {
	return slices.ContainsFunc(h.Photos, func(p heldPhoto) bool { return p.Album != "" })
}

// unfinished is the listing left in sess, with something in it (a product,
// a photo), while it is kept (draft.kept): the sell session, without what
// was opened over it since, its Updated when it was left.
func unfinished(sess *Session, now time.Time) *Session {
	for s := sess; s.Active(); s = s.Parent {
		if s.Flow != "sell" {
			continue
		}
		var d draft
		if err := gojson.Unmarshal(s.Data, &d); err != nil || d.Listing.Product == "" && len(d.Listing.Photos) == 0 {
			return nil
		}
		left := sess.Updated
		if sess.Flow == resumeName {
			left = s.Updated // the question, unanswered, restarts nothing
		}
		if !d.kept(left, now) {
			return nil
		}
		kept := *s
		kept.Parent, kept.Updated = nil, left
		return &kept
	}
	return nil
}

// kept tells whether a draft left at left is still kept at now: DraftKeep
// from then, or from its oldest photo if earlier (older drafts' photos
// carry no time).
func (d *draft) kept(left, now time.Time) bool {
	since := left
	for _, p := range d.Listing.Photos {
		if at := time.Unix(p.At, 0); p.At != 0 && at.Before(since) {
			since = at
		}
	}
	return now.Sub(since) <= DraftKeep
}

// takesOver tells whether in, arriving for a listing left unfinished, is a
// new listing in one message that replaces it: a text that reads as a
// listing, a photo with a caption. An album's photo without one may be for
// the listing left: she is asked (asksResume); so is a post holding a
// listing's code (holdsCode), which is no new listing.
func takesOver(c *Conv, deps Deps, in Input) bool {
	return opensListing(c, deps, in) && !(in.Kind == KindPhoto && in.Text == "") && !holdsCode(in)
}

// asksResume tells whether in, arriving for a listing left unfinished, is
// met by the question "go on with it?": what is typed after a day away
// answers no question of the day before. A command, a button, a way out
// or another task's words do what they say, the listing in progress as
// before.
func (r *Router) asksResume(c *Conv, in Input) bool {
	word := ""
	if in.Kind == KindText && in.Command == "" {
		word = controlKey(in.Text)
	}
	_, _, follow := followTyped(in)
	_, _, _, action := typedAction(in)
	_, stop := stopTyped(in)
	_, invite := inviteCode(in)
	switch {
	case in.Command != "":
		return in.Arg == "" && r.Commands[in.Command] == "sell" // /ban: this listing, or a new one?
	case r.menuValue(in) != "":
		return r.Entries[r.menuValue(in)] == "sell"
	case in.Kind == KindChoice: // a button of yesterday's question answers it
		return r.Entries[in.Text] == "sell"
	case lexicon.is(word, wordCancel|wordQuit|wordHelp),
		follow, action, stop, invite, takesOver(c, r.Deps, in):
		return false
	}
	name, ok := r.entry(in)
	return !ok || name == "sell"
}

// askResume: "Anh/chị còn tin bán Na Chi Lăng (2 ảnh) làm dở từ hôm qua."
// Photos that came with it are said to be kept, and where each answer
// takes them.
func askResume(c *Conv) {
	s := c.Session.Parent
	var d draft
	_ = gojson.Unmarshal(s.Data, &d) // read by unfinished already
	var held resumeHeld
	if err := c.Draft(&held); err != nil {
		c.Fail(err)
		return
	}
	c.Ask(M("sell.resume", "Product", d.Listing.Product, "For", leftFor(s), "Photos", len(d.Listing.Photos), "When", leftOn(c, s.Updated),
		"Held", len(held.Photos), "Album", held.album()),
		[]Choice{{Label: M("sell.resume_go"), Value: "go", Words: []string{"lam tiep", "tiep", "tiep tuc", "co", "ok", "dong y"}}},
		[]Choice{{Label: M("sell.resume_drop"), Value: "drop", Words: []string{"bo", "bo di", "bo tin nay", "khong", "xoa"}}})
}

// leftOn names the day a listing was left: hôm nay, hôm qua, hôm kia, or
// its date.
func leftOn(c *Conv, left time.Time) string {
	switch today := vn.Today(c.Now); {
	case !left.Before(today):
		return c.T(M("sell.resume_today"))
	case !left.Before(today.AddDate(0, 0, -1)):
		return c.T(M("sell.resume_yesterday"))
	case !left.Before(today.AddDate(0, 0, -2)):
		return c.T(M("sell.resume_day_before"))
	}
	return c.F().Date(left)
}

func onResume(_ context.Context, c *Conv, in Input) (Step, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "go":
		c.Say(M("sell.resume_on"))
		return Done, goOn(c) // the listing, its question again
	case in.Kind == KindChoice && in.Text == "drop":
		c.Session.Parent = nil
		c.Say(M("sell.resume_dropped"))
		return Done, nil
	}
	return Unclear, nil
}

// goOn readies the listing left to go on: the photos held join it, as a
// photo sent mid-listing does (the photo question says how many there are
// itself), and a ready date now past is asked again before the summary.
func goOn(c *Conv) error {
	s := c.Session.Parent
	var held resumeHeld
	if err := c.Draft(&held); err != nil {
		return err
	}
	var d draft
	if err := gojson.Unmarshal(s.Data, &d); err != nil {
		return fmt.Errorf("decode sell draft: %w: %v", ErrBadState, err)
	}
	switch {
	case len(held.Photos) == 0:
	case held.into(&d):
		c.Say(M("sell.photos_full", "Max", maxPhotos))
	case s.Step == "photos":
	case len(held.Photos) == 1 && !held.album():
		c.Say(M("sell.photo_added", "Count", len(d.Listing.Photos)))
	default:
		c.Say(M("sell.album_added"))
	}
	// The rows after the date (or a change going back to the summary)
	// would not ask it: it is asked now, then the form goes on.
	if d.reaskPastReady(c.Now) && (s.Editing || slices.Contains([]Step{"note", "summary", editStep}, s.Step)) {
		s.Editing = s.Editing || s.Step != "note"
		if i := slices.Index(s.History, "ready"); i >= 0 {
			s.History = s.History[:i]
		}
		s.Step = "ready"
	}
	b, err := gojson.Marshal(&d)
	if err != nil {
		return fmt.Errorf("encode sell draft: %w", err)
	}
	s.Data = b
	return nil
}

// answerResume answers at the resume question what needs more than the
// question: a photo, held (or, with a caption, a new listing in one
// message), ❌ with photos held (a new listing with them), and ▶️ once
// the listing is no longer kept.
func (r *Router) answerResume(ctx context.Context, c *Conv, in Input) (bool, error) {
	if c.Session.Flow != resumeName || c.Session.Parent == nil {
		return false, nil
	}
	var held resumeHeld
	if err := c.Draft(&held); err != nil {
		return true, err
	}
	left := c.Session.Parent
	switch choice := in.Kind == KindChoice; {
	case in.Kind == KindPhoto && in.Photo != nil && in.Text != "":
		c.Say(M("sell.resume_replaced", "Product", leftProduct(left), "When", leftOn(c, left.Updated)))
		return true, r.openHeld(ctx, c, in, held)
	case in.Kind == KindPhoto && in.Photo != nil:
		answer := held.hold(in, c.Now)
		if err := c.SetDraft(held); err != nil {
			return true, err
		}
		if answer {
			r.prompt(c) // the count of photos kept, and the choice again
		}
		return true, nil
	case choice && in.Text == "go" && unfinished(c.Session, c.Now) == nil:
		c.Say(M("session.expired"))
		if len(held.Photos) > 0 {
			return true, r.openHeld(ctx, c, in, held)
		}
		*c.Session = Session{}
		mainMenu(c)
		return true, nil
	case choice && in.Text == "drop" && len(held.Photos) > 0:
		c.Say(M("sell.resume_dropped_photos", "Count", len(held.Photos)))
		return true, r.openHeld(ctx, c, in, held)
	}
	return false, nil
}

// openHeld begins a new listing from in, with the photos held: she is not
// asked for photos again.
func (r *Router) openHeld(ctx context.Context, c *Conv, in Input, held resumeHeld) error {
	if err := r.open(ctx, c, "sell", in, nil); err != nil {
		return err
	}
	if c.Session.Flow != "sell" || len(held.Photos) == 0 {
		return nil // not allowed to sell (a ban, the day's listings posted): said so
	}
	var d draft
	if err := c.Draft(&d); err != nil {
		return err
	}
	held.into(&d)
	d.say(saidPhotos)
	return c.SetDraft(&d)
}

func leftProduct(s *Session) string {
	var d draft
	_ = gojson.Unmarshal(s.Data, &d) // read by unfinished already
	return d.Listing.Product
}

// leftFor is the farmer a helper was writing the listing left in s for,
// "" for her own: a helper who posts for several farmers reads whose
// listing is kept.
func leftFor(s *Session) string {
	var d draft
	_ = gojson.Unmarshal(s.Data, &d) // read by unfinished already
	if !d.Assist {
		return ""
	}
	return d.Seller.Name
}
