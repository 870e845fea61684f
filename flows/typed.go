package flows

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Typed commands act on an order or a listing by its code, from any chat:
// "nhận DH-7K2Q" is the ✅ Nhận đơn button of that order's notice. A
// channel without buttons prints them (Choice.Typed) where a notice's
// choices cannot be answered by number; the router reads them anywhere, and
// they do exactly what the button does, with the same checks.
type typedCommand struct {
	action string      // an order action ("accept") or a listing one ("renew")
	verb   wordMeaning // the verbs that name it (lexicon)
}

// orderCommands and listingCommands are the verbs typed before a DH- or an
// NS- code.
var (
	orderCommands = []typedCommand{
		{"accept", wordAccept}, {"decline", wordDecline}, {"ship", wordShip}, {"received", wordReceived},
		{"cancel", wordOrderCancel}, {"drop", wordDrop}, {"view", wordView}, {"counter", wordCounter},
	}
	listingCommands = []typedCommand{
		{"renew", wordRenew}, {"close", wordClose}, {modRemove, wordRemove}, {modBan, wordBan},
	}
)

// typedPattern reads "verb DH-7K2Q" (or NS-), folded: the code as
// "DH-7K2Q", "dh7k2q" or "dh 7k2q".
var typedPattern = regexp.MustCompile(`^([a-z ]+?) (dh|ns)[ -]?([0-9a-z]{4})$`)

// typedAction reads a typed command: what it does and the code it names.
func typedAction(in Input) (kind, action, code string, ok bool) {
	if in.Kind != KindText || in.Command != "" {
		return "", "", "", false
	}
	m := typedPattern.FindStringSubmatch(vn.Fold(stripEmoji(in.Text)))
	if m == nil {
		return "", "", "", false
	}
	commands := orderCommands
	if m[2] == "ns" {
		commands = listingCommands
	}
	for _, cmd := range commands {
		if lexicon.is(strings.TrimSpace(m[1]), cmd.verb) {
			return m[2], cmd.action, strings.ToUpper(m[2]) + "-" + strings.ToUpper(m[3]), true
		}
	}
	return "", "", "", false
}

// typed carries out a typed command as its button would: the order or
// listing is looked up by code, then the orders or listings flow does the
// rest, authorisation included. An unknown code gets an example.
func (r *Router) typed(ctx context.Context, c *Conv, in Input, kind, action, code string) error {
	var flow FlowName
	switch kind {
	case "dh":
		o, err := r.Deps.Orders.OrderByCode(ctx, code)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		// The helper who posted it, for a farmer who has claimed her
		// profile since, is told the farmer answers it now.
		if err == nil && o.Listing.PostedFor(c.User.ID) && o.BuyerID != c.User.ID {
			return r.unknownCode(c, farmerAnswers(o, c.User.ID))
		}
		// Someone else's order is answered as an unknown one: a stranger
		// typing codes learns nothing of which orders exist.
		if err != nil || !partyTo(o, c.User.ID) {
			// The example has the verb she typed: a buyer's HUỶ, not NHẬN.
			return r.unknownCode(c, M("typed.unknown_order", "Code", code, "Action", action))
		}
		flow, in.Text = "orders", "ord:"+action+":"+strconv.FormatInt(o.ID, 10)
	default:
		l, err := r.Deps.Orders.ListingByCode(ctx, code)
		if errors.Is(err, ErrNotFound) {
			return r.unknownCode(c, M("typed.unknown_listing", "Code", code))
		}
		if err != nil {
			return err
		}
		if action == modRemove && l.Answers(c.User.ID) {
			// "gỡ NS-7K2Q" of her own listing is her stop selling, unless
			// she moderates: a moderator's take-down stays hers.
			moderator, err := r.Deps.Roles.IsModerator(ctx, c.User.ID)
			if err != nil {
				return fmt.Errorf("is %d a moderator: %w", c.User.ID, err)
			}
			if !moderator {
				action = "close"
			}
		}
		flow, in.Text = "mine", "mine:"+action+":"+strconv.FormatInt(l.ID, 10)
		if action == modRemove || action == modBan {
			flow, in.Text = "moderate", "mod:"+action+":"+strconv.FormatInt(l.ID, 10)
		}
	}
	in.Kind = KindChoice
	return r.interject(ctx, c, flow, in)
}

// buyTyped opens the order of a "mua NS-7K2Q" ("buy NS-7K2Q") typed while a task is in
// progress, the task set aside as for a typed action: an order is no answer
// to the question (a note, a phone number, a name). A code of no listing
// typed at an order's question is said to be none, and the question asked
// again; in another task, done is false: it is left to the question.
func (r *Router) buyTyped(ctx context.Context, c *Conv, in Input) (done bool, err error) {
	if !c.Session.Active() || in.Kind != KindText || in.Command != "" {
		return false, nil
	}
	// Either verb buyCode reads: "buy NS-7K2Q" from a buyer who reads English.
	rest, ok := strings.CutPrefix(vn.Fold(in.Text), "mua ")
	if !ok {
		rest, ok = strings.CutPrefix(vn.Fold(in.Text), "buy ")
	}
	// The code alone, typed at an order's question, names a listing too:
	// no quantity or name looks like it.
	if !ok && c.Session.Flow == "order" && onlyCode(in) {
		rest, ok = vn.Fold(in.Text), true
	}
	if at := codePattern.FindStringIndex(rest); !ok || at == nil || at[0] != 0 {
		return false, nil
	}
	code, _ := buyCode(in)
	if _, err := r.Deps.Orders.ListingByCode(ctx, code); errors.Is(err, ErrNotFound) {
		if c.Session.Flow == "order" { // no quantity, name or note: a mistyped code, her order kept
			return true, r.unknownCode(c, M("order.no_listing", "Code", code))
		}
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("listing %s typed to buy: %w", code, err)
	}
	return true, r.interject(ctx, c, "order", in)
}

// holdsCode tells whether a text or a photo's caption holds a listing's
// code anywhere: a group post forwarded or pasted ("Mã tin bán: NS-7K2Q",
// "🛒 Nhắn MUA NS-7K2Q"), which is no new listing.
func holdsCode(in Input) bool {
	return in.Command == "" && (in.Kind == KindText || in.Kind == KindPhoto) && codePattern.MatchString(vn.Fold(in.Text))
}

// pasted opens the listing whose code a text or a caption holds
// (holdsCode): read as a listing, a post forwarded or pasted to the bot
// would start a new one (or seller registration) from its words; read by
// a question, it would be a buyer's name or note. A buyer gets its order,
// as its 🛒 Đặt mua button would open it, nothing of the post's words taken
// as said; its farmer, or her helper, her listing. Mid-task, the task is
// set aside as by a command, for a whole post only (wholePost): "giao cùng
// NS-7K2Q" is a note. done is false when no code names a listing.
func (r *Router) pasted(ctx context.Context, c *Conv, in Input) (done bool, err error) {
	if !holdsCode(in) || c.Session.Active() && postsAnswer[c.Session.Flow] {
		return false, nil
	}
	for _, m := range codePattern.FindAllStringSubmatch(vn.Fold(in.Text), 3) {
		code := "NS-" + strings.ToUpper(m[1])
		if c.Session.Active() && !r.wholePost(in, code) {
			continue
		}
		l, err := r.Deps.Orders.ListingByCode(ctx, code)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("listing %s of a pasted post: %w", code, err)
		}
		if l.Answers(c.User.ID) {
			in.Kind, in.Text = KindChoice, actValue("show", l.ID)
			return true, r.interject(ctx, c, "mine", in)
		}
		in.Kind, in.Text = KindChoice, "buy:"+code
		return true, r.interject(ctx, c, "order", in)
	}
	return false, nil
}

// ownCode shows the farmer (or her helper) her listing when its code is
// typed alone, with no "mua": she looks it up, she does not buy. A buyer's
// code, or an unknown one, is left to the order (done false).
func (r *Router) ownCode(ctx context.Context, c *Conv, in Input) (done bool, err error) {
	if in.Kind != KindText || in.Command != "" || c.User == nil {
		return false, nil
	}
	code, ok := buyCode(in)
	if folded := vn.Fold(in.Text); !ok || strings.HasPrefix(folded, "mua ") || strings.HasPrefix(folded, "buy ") {
		return false, nil
	}
	l, err := r.Deps.Orders.ListingByCode(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("listing %s typed alone: %w", code, err)
	}
	if !l.Answers(c.User.ID) {
		return false, nil
	}
	in.Kind, in.Text = KindChoice, actValue("show", l.ID)
	return true, r.interject(ctx, c, "mine", in)
}

// postMarks are the messages whose last line ends a listing's post, the
// line that names its code: "Mã tin bán: NS-7K2Q" under a Telegram post,
// "🛒 Nhắn MUA NS-7K2Q cho Bot Nông Sản để đặt hàng" under a Zalo one.
var postMarks = []string{"post.caption", "render.order_by_text"}

// wholePost tells a listing's post pasted or forwarded from an answer that
// names its code ("giao cùng NS-7K2Q"): the post's photo with the post as
// caption, or the post's own line with the code, in any language. Lines
// are gone by now (the engine collapses white space).
func (r *Router) wholePost(in Input, code string) bool {
	if in.Kind == KindPhoto {
		return true
	}
	text := vn.Fold(stripEmoji(in.Text))
	for _, lang := range r.Texts.Langs() {
		for _, id := range postMarks {
			mark := r.Texts.Text(lang, M(id, "Code", code))
			mark = mark[strings.LastIndex(mark, "\n")+1:]
			// Up to the code only: what follows names the bot, as the
			// channel it was posted on calls it (ZALO_BOT_NAME).
			if i := strings.Index(mark, code); i >= 0 {
				mark = mark[:i+len(code)]
			}
			if strings.Contains(text, vn.Fold(stripEmoji(mark))) {
				return true
			}
		}
	}
	return false
}

// postsAnswer are the flows a pasted post answers: a moderator's
// announcement may well quote a listing's post.
var postsAnswer = map[FlowName]bool{"broadcast": true}

// unknownCode says a typed code names nothing, and asks the question in
// progress again.
func (r *Router) unknownCode(c *Conv, m Msg) error {
	c.Say(m)
	if c.Session.Active() {
		r.prompt(c)
	}
	return nil
}

// confirmAccept is bareAnswer's action for a yes: the order is asked about
// (✅ Nhận đơn / ❌ Từ chối), not accepted.
const confirmAccept = "confirm"

// bareWord is what a word typed alone answers: an order's action, and
// whether it is a bare yes or no (which answers the latest question, not
// necessarily an order's) and a polite one (which may be thanks).
type bareWord struct {
	action        string
	yesNo, polite bool
}

// bareKeys are the ways a word typed alone is read, in turn: as typed
// (folded), as controlKey reads it ("Nhận ạ", "Có em"), and without a
// polite "dạ"/"vâng" before it ("Dạ nhận", "Vâng, từ chối ạ").
func bareKeys(text string) []string {
	keys := []string{strings.TrimSpace(vn.Fold(stripEmoji(text))), controlKey(text)}
	marked := strings.Fields(strings.ToLower(strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
			return r
		}
		return ' '
	}, vn.Normalize(text))))
	key := strings.Fields(keys[1]) // the same words as marked, maybe fewer at the end
	for len(key) > 1 && lexicon.is(marked[0], wordLeadYes) {
		marked, key = marked[1:], key[1:]
		keys = append(keys, strings.Join(key, " "))
	}
	return keys
}

// bareVerbs are the order actions whose words are read alone (bareAnswer),
// without the order's code: a new order's answer, the farmer's delivery
// (said as done: "giao hàng" alone may be a question), the buyer's receipt.
var bareVerbs = []typedCommand{{"accept", wordAccept}, {"decline", wordDecline}, {"ship", wordShipped}, {"received", wordReceived}}

// bareAnswer reads an order's buttons typed without the order's code
// ("nhận đơn", "✅ Nhận đơn", "từ chối", "đã giao hàng", "đã nhận được
// hàng"), folded: the verbs of its typed commands, and its buttons' labels
// in every language; and a yes or no to a new order's question, which it
// says it was.
func (r *Router) bareAnswer(in Input) (w bareWord, ok bool) {
	if in.Kind != KindText || in.Command != "" {
		return bareWord{}, false
	}
	for _, word := range bareKeys(in.Text) {
		switch {
		case word == "":
			continue
		case lexicon.is(word, wordYes):
			return bareWord{action: confirmAccept, yesNo: true}, true
		case lexicon.is(word, wordPoliteYes):
			return bareWord{action: confirmAccept, yesNo: true, polite: true}, true
		case lexicon.is(word, wordNo):
			return bareWord{action: "decline", yesNo: true}, true
		}
		for _, cmd := range bareVerbs {
			if lexicon.is(word, cmd.verb) {
				return bareWord{action: cmd.action}, true
			}
			for _, lang := range r.Texts.Langs() {
				if word == strings.TrimSpace(vn.Fold(stripEmoji(r.Texts.Text(lang, M("order."+cmd.action))))) {
					return bareWord{action: cmd.action}, true
				}
			}
		}
	}
	return bareWord{}, false
}

// awaiting answers a bare verb (bareAnswer) with the orders waiting for the
// user's answer: the one there is, done as its button would (a yes, asked
// about first); several, listed with their buttons and typed commands, to
// choose. With none, done is false: the words were meant otherwise.
func (r *Router) awaiting(ctx context.Context, c *Conv, in Input, action string) (done bool, err error) {
	orders, err := r.Deps.Orders.Awaiting(ctx, c.User.ID)
	if err != nil || len(orders) == 0 {
		return false, err
	}
	if action == confirmAccept && len(orders) == 1 {
		askAccept(c, orders[0])
		if c.Session.Active() {
			r.prompt(c) // the task in progress goes on
		}
		return true, nil
	}
	if action == confirmAccept {
		action = "accept"
	}
	if len(orders) == 1 {
		in.Kind, in.Text = KindChoice, "ord:"+action+":"+strconv.FormatInt(orders[0].ID, 10)
		return true, r.interject(ctx, c, "orders", in)
	}
	decline := action == "decline"
	lines := make([]string, len(orders))
	rows := make([][]Choice, len(orders))
	for i, o := range orders {
		data := append(sellerData(c.F(), o), "Decline", decline) // no phone before accepting
		lines[i] = c.T(M("orders.awaiting_item", data...))
		rows[i] = []Choice{{Label: M("orders.awaiting_choice", data...), Value: "ord:" + action + ":" + strconv.FormatInt(o.ID, 10)}}
	}
	c.Ask(M("orders.awaiting", "Count", len(orders), "Orders", strings.Join(lines, "\n"), "Example", orders[0].Code,
		"Decline", decline), rows...)
	if c.Session.Active() {
		r.prompt(c) // the task in progress goes on
	}
	return true, nil
}

// typedChoice is the line a channel without buttons prints for an action
// of the order or listing code, where its button cannot be answered by
// number: "✅ Nhận đơn: nhắn NHẬN DH-7K2Q".
func typedChoice(action, code string) *Msg {
	m := M("typed."+action, "Code", code)
	return &m
}

// typedAs is c with its typed form for the listing or order code.
func typedAs(c Choice, action, code string) Choice {
	c.Typed = typedChoice(action, code)
	return c
}

// typedNumber tells whether text is a number alone, as one picks from a
// list: "1", "2 ạ", "số 2".
func typedNumber(text string) bool {
	k := controlKey(text)
	if n := pickedNumber(k); n != "" {
		k = n
	}
	n, err := strconv.Atoi(k)
	return err == nil && n >= 0 && n < 100
}

// awaitingAsked are the orders waiting for the farmer's answer when an
// order's notice or reminder is the latest question put to her; none when
// a later one was (a renewal's, a profile change's).
func (r *Router) awaitingAsked(ctx context.Context, userID int64) ([]*Order, error) {
	last, err := r.Deps.Orders.LastAsked(ctx, userID)
	if err != nil || last.Kind != AskedOrder {
		return nil, err
	}
	return r.Deps.Orders.Awaiting(ctx, userID)
}

// numberAtOrder answers a number typed after a new order's notice, the
// latest question put to the farmer: the newest order waiting for her, and
// exactly what to send for it. done is false when no order waits, or a
// later question was put to her.
func (r *Router) numberAtOrder(ctx context.Context, c *Conv) (done bool, err error) {
	if c.User == nil {
		return false, nil
	}
	orders, err := r.awaitingAsked(ctx, c.User.ID)
	if err != nil || len(orders) == 0 {
		return false, err
	}
	o := orders[len(orders)-1] // the newest: the notice she just read
	c.Say(M("orders.number_typed", append(sellerData(c.F(), o), "Count", len(orders))...))
	return true, nil
}
