package flows

import (
	"context"
	"slices"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// DraftKeep is how long a listing left unfinished is kept, however long
// SESSION_TTL is: farmers stop halfway and come back the next day, or the
// one after. It is offered back (resumeFlow) rather than thrown away. No
// longer: a draft's photos whose links expire (Zalo) are kept 2 days
// (bot/postgres draftPhotosFor).
const DraftKeep = 48 * time.Hour

// resumeName is the question asked when a farmer comes back to a listing
// left unfinished longer than SESSION_TTL: go on with it, or drop it. The
// listing waits as its Parent.
const resumeName FlowName = "resume"

const resumeAsk Step = "ask"

func resumeFlow() *Flow {
	return &Flow{Name: resumeName, Steps: map[Step]StepDef{resumeAsk: {Prompt: askResume, Handle: onResume}},
		Start: func(context.Context, *Conv, Input) (Step, error) { return resumeAsk, nil }}
}

// unfinished is the listing left in sess, with something in it (a product,
// a photo), when it was left less than DraftKeep ago: the sell session,
// without what was opened over it since.
func unfinished(sess *Session, now time.Time) *Session {
	if now.Sub(sess.Updated) > DraftKeep {
		return nil
	}
	for s := sess; s.Active(); s = s.Parent {
		if s.Flow != "sell" {
			continue
		}
		var d draft
		if err := gojson.Unmarshal(s.Data, &d); err != nil || d.Listing.Product == "" && len(d.Listing.Photos) == 0 {
			return nil
		}
		kept := *s
		kept.Parent, kept.Updated = nil, sess.Updated // when it was left
		return &kept
	}
	return nil
}

// asksResume tells whether in, arriving for a listing left unfinished, is
// met by the question "go on with it?": what is typed after a day away
// answers no question of the day before. A command, a button, a way out
// or another task's words do what they say, the listing in progress as
// before.
func (r *Router) asksResume(c *Conv, in Input) bool {
	word := ""
	if in.Kind == KindText && in.Command == "" {
		word = vn.Fold(in.Text)
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
	case slices.Contains(cancelWords, word), slices.Contains(helpWords, word),
		follow, action, stop, invite, opensListing(c, r.Deps, in):
		return false
	}
	name, ok := r.entry(in)
	return !ok || name == "sell"
}

// askResume: "Anh/chị còn tin bán Na Chi Lăng (2 ảnh) làm dở từ hôm qua."
func askResume(c *Conv) {
	s := c.Session.Parent
	var d draft
	if s != nil {
		_ = gojson.Unmarshal(s.Data, &d) // read by unfinished already
	}
	when := c.F().Date(s.Updated)
	switch today := vn.Today(c.Now); {
	case !s.Updated.Before(today):
		when = c.T(M("sell.resume_today"))
	case !s.Updated.Before(today.AddDate(0, 0, -1)):
		when = c.T(M("sell.resume_yesterday"))
	}
	c.Ask(M("sell.resume", "Product", d.Listing.Product, "Photos", len(d.Listing.Photos), "When", when),
		[]Choice{{Label: M("sell.resume_go"), Value: "go", Words: []string{"lam tiep", "tiep", "tiep tuc", "co", "ok", "dong y"}}},
		[]Choice{{Label: M("sell.resume_drop"), Value: "drop", Words: []string{"bo", "bo di", "bo tin nay", "khong", "xoa"}}})
}

func onResume(_ context.Context, c *Conv, in Input) (Step, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "go":
		c.Say(M("sell.resume_on"))
		return Done, nil // the listing, its question again
	case in.Kind == KindChoice && in.Text == "drop":
		c.Session.Parent = nil
		c.Say(M("sell.resume_dropped"))
		return Done, nil
	}
	return Unclear, nil
}
