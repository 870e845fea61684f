package flows

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// renewYes and renewNo answer the renewal question ("…Anh/chị có muốn bán
// thêm 7 ngày không ạ?") in words, as controlKey reads them: a yes to an
// order's question, or the renewal's own verbs.
const (
	renewYes = wordYes | wordRenewYes
	renewNo  = wordNo | wordRenewNo
)

// answersBare answers a bare word typed without a task's question to
// answer ("nhận đơn", "có", "không"). An order's verbs answer the orders
// waiting; a bare yes or no the latest yes/no question the bot put to
// the farmer (Orders.LastAsked): a new order's, a listing's renewal, or
// a profile change held for her word, which is shown first. done is false
// when the word answers none: it was meant otherwise ("vâng" thanks).
func (r *Router) answersBare(ctx context.Context, c *Conv, in Input) (done bool, err error) {
	// "không bán 30k": a refusal with her price, of the order waiting.
	if done, err := r.refusesAtPrice(ctx, c, in); done || err != nil {
		return done, err
	}
	w, ok := r.bareAnswer(in)
	if !ok || c.User == nil {
		return r.renewWords(ctx, c, in)
	}
	// Mid-task, the choices of "Nhận đơn DH-7K2Q ạ?" reach the step first,
	// which has no use for them: "có" answers that question here.
	if chosen := choose(c.Session, in); chosen.Kind == KindChoice && strings.HasPrefix(chosen.Text, "ord:") {
		return true, r.interject(ctx, c, "orders", chosen)
	}
	if w.yesNo {
		last, err := r.Deps.Orders.LastAsked(ctx, c.User.ID)
		if err != nil {
			return false, fmt.Errorf("last question to %d: %w", c.User.ID, err)
		}
		switch {
		case last.Kind == AskedOrder:
		case w.polite: // "vâng", "dạ" to anything else: thanks
			return false, nil
		case last.Kind == AskedChange:
			verdict := "ok"
			if w.action == "decline" {
				verdict = "no"
			}
			in.Text = lexicon.of(changeWords[verdict])[0]
			return r.changeTyped(ctx, c, in, false)
		default:
			return r.renewWords(ctx, c, in)
		}
	}
	if w.action == "ship" || w.action == "received" {
		return r.delivered(ctx, c, in, w.action)
	}
	if done, err := r.awaiting(ctx, c, in, w.action); done || err != nil {
		return done, err
	}
	return r.renewWords(ctx, c, in)
}

// maxDeliveries is how many orders waiting for a delivery word are listed
// to choose from (delivered): the newest.
const maxDeliveries = 20

// delivered answers the farmer's 🚚 Đã giao hàng ("đã gửi hàng") and the
// buyer's ✅ Đã nhận được hàng ("đã nhận hàng") typed without the order's
// code (action ship or received), whichever message showed the button:
// the buyer's comes with the farmer's change, and is never among her own
// last choices. The one order it applies to (her accepted one; his
// accepted or shipped one) is done as its button would; several (the
// newest maxDeliveries) are listed to choose, each with its product, the
// other side's name and when it was placed; with none, the latest it was
// done to is said to be done already, and when. done is false when she
// has no such order: the words were meant otherwise.
func (r *Router) delivered(ctx context.Context, c *Conv, in Input, action string) (done bool, err error) {
	received := action == "received"
	open, last, err := r.Deps.Orders.Deliveries(ctx, c.User.ID, received, maxDeliveries)
	if err != nil {
		return false, fmt.Errorf("orders of %d, %s typed: %w", c.User.ID, action, err)
	}
	data := func(o *Order) []any {
		other := o.BuyerName
		if received {
			other = o.Listing.Seller.Name
		}
		return append(dataFor(c.F(), o, c.User.ID), "Received", received, "First", givenName(other),
			"Placed", c.F().At(o.CreatedAt))
	}
	switch {
	case len(open) == 1:
		in.Kind, in.Text = KindChoice, "ord:"+action+":"+strconv.FormatInt(open[0].ID, 10)
		return true, r.interject(ctx, c, "orders", in)
	case len(open) > 1:
		lines := make([]string, len(open))
		rows := make([][]Choice, len(open))
		for i, o := range open {
			lines[i] = c.T(M("orders.delivered_item", data(o)...))
			rows[i] = []Choice{{Label: M("orders.delivered_choice", data(o)...), Value: "ord:" + action + ":" + strconv.FormatInt(o.ID, 10)}}
		}
		c.Ask(M("orders.delivered_pick", "Count", len(open), "Orders", strings.Join(lines, "\n"), "Example", open[0].Code,
			"Received", received), rows...)
	case last != nil:
		c.Say(M("orders.delivered_already", append(data(last.Order), "Done", last.Status, "At", c.F().At(last.At))...))
	default:
		return false, nil
	}
	if c.Session.Active() {
		r.prompt(c) // the task in progress goes on
	}
	return true, nil
}

// givenName is the name a person is called by: the last word of a
// Vietnamese full name ("Nguyễn Thị Hoa" is Hoa).
func givenName(full string) string {
	words := strings.Fields(full)
	if len(words) == 0 {
		return ""
	}
	return words[len(words)-1]
}

// answersSince tells whether in is a bare answer (answersBare) and a
// question it may answer was put to the farmer after since, when she left
// a listing unfinished: the newer question is the one answered. An order
// that came overnight is answered by her "có" in the morning, not the
// listing she left the day before ("làm tiếp tin này không ạ?"), which
// goes on after it; and "không, không" declines that order, never drops
// her draft. An order that came before she left the listing was already
// behind her: the listing's question comes first then.
func (r *Router) answersSince(ctx context.Context, c *Conv, in Input, since time.Time) (bool, error) {
	_, bare := r.bareAnswer(in)
	if word := controlKey(in.Text); !bare && !(in.Kind == KindText && in.Command == "" &&
		lexicon.is(word, renewYes|renewNo)) || c.User == nil {
		return false, nil
	}
	last, err := r.Deps.Orders.LastAsked(ctx, c.User.ID)
	if err != nil {
		return false, fmt.Errorf("last question to %d: %w", c.User.ID, err)
	}
	return last.Kind != "" && last.At.After(since), nil
}

// renewWords answers the renewal question when it is the latest the bot
// asked the farmer (Listings.RenewAskedLast) and she did nothing else
// since (Session.TaskAt): a yes renews the listing
// asked about, as its 🔄 button would; with several asked, they are
// listed to choose. A no keeps it ending as planned, and changes nothing.
func (r *Router) renewWords(ctx context.Context, c *Conv, in Input) (done bool, err error) {
	if in.Kind != KindText || in.Command != "" || c.User == nil {
		return false, nil
	}
	word := controlKey(in.Text)
	yes, no := lexicon.is(word, renewYes), lexicon.is(word, renewNo)
	if !yes && !no {
		return false, nil
	}
	asked, err := r.Deps.Listings.RenewAskedLast(ctx, c.User.ID, c.taskAt)
	if err != nil {
		return false, fmt.Errorf("renewal questions of %d: %w", c.User.ID, err)
	}
	asked = slices.DeleteFunc(asked, func(l *Listing) bool { return !c.Now.Before(l.ExpiresAt) }) // ends at this tick
	switch {
	case len(asked) == 0:
		return false, nil
	case yes && len(asked) == 1:
		in.Kind, in.Text = KindChoice, actValue("renew", asked[0].ID)
		return true, r.interject(ctx, c, "mine", in)
	case yes:
		lines := make([]string, len(asked))
		rows := make([][]Choice, len(asked))
		for i, l := range asked {
			data := []any{"Code", l.Code, "Product", l.Product, "Expires", c.F().Until(l.ExpiresAt)}
			lines[i] = c.T(M("mine.renew_which_item", data...))
			rows[i] = []Choice{{Label: M("mine.renew_which_choice", data...), Value: actValue("renew", l.ID)}}
		}
		c.Ask(M("mine.renew_which", "Count", len(asked), "Listings", strings.Join(lines, "\n"), "Example", asked[0].Code), rows...)
	default:
		codes := make([]string, len(asked))
		for i, l := range asked {
			codes[i] = l.Code
		}
		l := asked[0]
		c.Say(M("mine.renew_kept", "Count", len(asked), "Code", l.Code, "Product", l.Product,
			"Expires", c.F().Until(l.ExpiresAt), "Codes", strings.Join(codes, ", ")))
	}
	if c.Session.Active() {
		r.prompt(c) // the task in progress goes on
	}
	return true, nil
}

// thanksEmojiOnly tells whether text is thanking emoji alone (👍, 🙏, ❤️,
// 👌: wordThanks), any number of them, with their skin tones and
// variation selectors. Any other emoji (❓, 😡, 😢) asks for something,
// or is upset: not thanks.
func thanksEmojiOnly(text string) bool {
	seen := false
	for _, r := range text {
		switch {
		case unicode.IsSpace(r), r == '\uFE0F', r == '\uFE0E', r == '\u200D', r >= 0x1F3FB && r <= 0x1F3FF:
		case lexicon.is(string(r), wordThanks):
			seen = true
		default:
			return false
		}
	}
	return seen
}
