package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// controlKey is a typed text as a word meant for the bot may be said:
// folded, without emoji or punctuation ("Hủy."), and without the particles
// after it ("huỷ ạ", "quay lại nhé": wordParticle). Only whole keys count: "huỷ đơn giúp em" is no "huỷ".
func controlKey(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
			return r
		}
		return ' '
	}, s)
	words := strings.Fields(vn.Fold(s))
	for len(words) > 1 && lexicon.is(words[len(words)-1], wordParticle) {
		words = words[:len(words)-1]
	}
	return strings.Join(words, " ")
}

// Router decides what one input does to a conversation. Order: the way out
// (cancel), help, commands, back, the current step, then entry words, then a
// reprompt. It is pure apart from the flows' own stores.
type Router struct {
	Flows    []*Flow
	Commands map[string]FlowName // "/start" → "start" (without the slash)
	Entries  map[string]FlowName // folded words and menu values that open a flow
	Texts    Texts
	Deps     Deps
	TTL      time.Duration // an untouched session expires after it
	Now      func() time.Time

	menuOnce sync.Once
	menu     []menuChoice // the main menu's labels as typed, for menuValue
}

// menuChoice is a main menu choice with its label in every language, as a
// menu keyboard's button sends it.
type menuChoice struct {
	value  string
	labels []string
	words  []string
}

// Result is what handling one input produced.
type Result struct {
	Session *Session // nil: no conversation in progress
	Replies []Reply
}

// Handle runs one input through the conversation held in sess (nil for none).
func (r *Router) Handle(ctx context.Context, user *User, sess *Session, in Input) (Result, error) {
	c := &Conv{User: user, In: in, Now: r.Now(), Lang: r.lang(user, in), texts: r.Texts, products: r.Deps.Catalogs.Products, ctx: ctx}
	known, buys := false, false
	c.onlyBuys = func() (bool, error) { // read only if the menu is shown, once
		if !known {
			b, err := r.onlyBuys(ctx, c)
			if err != nil {
				return false, err
			}
			known, buys = true, b
		}
		return buys, nil
	}
	if in.ChatType == Group {
		err := r.group(ctx, c, in)
		return Result{Replies: c.replies}, err
	}
	if in.Kind == KindReaction {
		return Result{Session: sess}, nil // reactions and the like change nothing
	}
	if in.Kind == KindEdited {
		return r.edited(c, sess), nil
	}
	if err := r.check(sess); err != nil {
		return Result{}, err
	}
	var edited []string // kept whatever the task: an edit is answered once
	if sess != nil {
		edited, c.taskAt = sess.Edited, sess.TaskAt
	}
	expired := sess.Active() && c.Now.Sub(sess.Updated) > r.TTL
	var left *Session // a listing left unfinished, offered back
	if expired {
		left = unfinished(sess, c.Now)
	}
	orderLeft := false // an order left unfinished, named with the way back to it
	switch {
	case left != nil:
		expired, sess = false, left
	case expired:
		var err error
		if orderLeft, err = r.orderExpired(ctx, c, sess, in); err != nil {
			return Result{}, err
		}
		if !orderLeft {
			c.Say(M("session.expired"))
		}
		sess = nil
	}
	if sess == nil {
		sess = &Session{}
	}
	if !sess.Active() && c.Now.Sub(sess.Updated) > r.TTL {
		sess.Offered = nil // choices shown long ago no longer count
	}
	c.Session = sess
	flow, step := sess.Flow, sess.Step
	switch {
	case left != nil && takesOver(c, r.Deps, in):
		// A new listing in one message: it replaces the one left, which
		// was not thrown away for its age (no session.expired).
		c.Say(M("sell.resume_replaced", "Product", leftProduct(left), "When", leftOn(c, left.Updated)))
		*c.Session = Session{}
		if err := r.dispatch(ctx, c, in); err != nil {
			return Result{}, err
		}
	case left != nil && r.asksResume(c, in):
		// A bare "có" to a question asked since she left the listing (an
		// order that came overnight) answers it: the latest question
		// asked wins (answersSince). The listing goes on after it, as
		// after a tap on that order's button.
		if since, err := r.answersSince(ctx, c, in, left.Updated); err != nil {
			return Result{}, err
		} else if since {
			done, err := r.answersBare(ctx, c, in)
			if err != nil {
				return Result{}, err
			}
			if done {
				break
			}
		}
		aside := *left // c.Session is left: a copy, not a loop
		*c.Session = Session{Flow: resumeName, Step: resumeAsk, Parent: &aside}
		if in.Kind == KindPhoto && in.Photo != nil { // the photos she left to take: kept for her answer
			var held resumeHeld
			held.hold(in, c.Now)
			if err := c.SetDraft(held); err != nil {
				return Result{}, err
			}
		}
		r.prompt(c)
	case expired && in.Command == "" && !r.opens(in) && !opensListing(c, r.Deps, in) && !holdsCode(in) && !noticeTyped(in):
		// A bare "nhận đơn" or "có" answers the question still open, an
		// order's or a renewal's, as between tasks; else the notice said
		// it all: no "not understood" on top.
		done, err := r.answersBare(ctx, c, in)
		if err != nil {
			return Result{}, err
		}
		if !done && !orderLeft {
			mainMenu(c)
		}
	default:
		if err := r.dispatch(ctx, c, in); err != nil {
			return Result{}, err
		}
	}
	if c.err != nil {
		return Result{}, fmt.Errorf("%s/%s prompt: %w", c.Session.Flow, c.Session.Step, c.err)
	}
	c.Session.Updated, c.Session.TaskAt = c.Now, c.taskAt
	if c.began || c.Session.Flow != flow {
		c.Session.TaskAt = c.Now // something begun or ended: the questions before it are behind her
	}
	// What is on screen now; old buttons no longer count. An answer refused
	// at the same question asks nothing new: its choices are still there.
	stayed := c.Session.Active() && c.Session.Flow == flow && c.Session.Step == step && len(c.offered) == 0
	if (c.saidHere() || !c.Session.Active()) && !stayed {
		c.Session.Offered = c.offered
	}
	c.Session.Edited = edited
	res := Result{Session: c.Session, Replies: c.replies}
	if c.Session.empty() {
		res.Session = nil
	}
	return res, nil
}

func (r *Router) dispatch(ctx context.Context, c *Conv, in Input) error {
	word := ""
	if in.Kind == KindText && in.Command == "" {
		word = controlKey(in.Text)
	}
	// "không bán nữa" stops a task as "huỷ" does; with nothing in progress
	// it is no cancel, and other readers may take it.
	quits := c.Session.Active() && lexicon.is(word, wordQuit)
	switch {
	case in.Command == "huy" || lexicon.is(word, wordCancel) && !skips(c.Session, word) || quits:
		switch {
		case c.Session.Flow == resumeName: // "huỷ" at "go on with it?": drop it
			*c.Session = Session{}
			c.Say(M("sell.resume_dropped"))
			taskDone(c)
		case c.Session.Parent != nil:
			c.Say(M("cancel.done"))
			*c.Session = *c.Session.Parent // only the interjection is cancelled
			r.prompt(c)
			return nil
		case c.Session.Active():
			*c.Session = Session{}
			c.Say(M("cancel.done"))
			taskDone(c)
		default:
			if done, err := r.stopSending(ctx, c, in); done || err != nil {
				return err // her announcement going out: "huỷ" right after ✅ Gửi
			}
			if done, err := r.cancelOrder(ctx, c, in); done || err != nil {
				return err // a buyer's order waiting: "huỷ" right after placing it
			}
			c.Say(M("cancel.nothing"))
			mainMenu(c)
		}
		return nil
	case !c.Session.Active() && lexicon.is(word, wordCancelOrder):
		if done, err := r.cancelOrder(ctx, c, in); done || err != nil {
			return err
		}
		c.Say(M("orders.cancel_none"))
		return nil
	case in.Command == "help" || lexicon.is(word, wordHelp):
		helper, moderator := false, false
		if c.User != nil && r.Deps.Roles != nil {
			var err error
			if helper, err = r.Deps.Roles.IsHelper(ctx, c.User.ID); err != nil && !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("help: %w", err)
			}
			c.helperSet, c.helper = true, helper
			if helper { // a moderator is a helper too
				if moderator, err = r.Deps.Roles.IsModerator(ctx, c.User.ID); err != nil && !errors.Is(err, ErrNotFound) {
					return fmt.Errorf("help: %w", err)
				}
			}
		}
		c.Say(M("help.text"))
		if helper {
			c.Say(M("help.helper")) // their commands are in no menu
		}
		if moderator {
			c.Say(M("help.moderator"))
		}
		r.prompt(c)
		return nil
	// A deep link is a button's action, as its typed form ("mua NS-7K2Q")
	// is: the task in progress is set aside.
	case in.Command == "start" && strings.HasPrefix(in.Arg, ownPrefix):
		return r.interject(ctx, c, "broadcast", in) // a group admin's button
	case in.Command == "start" && in.Arg != "":
		if _, ok := inviteCode(in); ok {
			return r.interject(ctx, c, "invite", in) // the link of /themmod
		}
		if _, ok := buyCode(in); ok {
			return r.interject(ctx, c, "order", in) // a group post's order button
		}
		if _, _, ok := followTyped(in); ok {
			return r.interject(ctx, c, "follow", in) // a listing's 🔔 button
		}
		return r.start(ctx, c, "start", in)
	case in.Command == "dangky" || in.Command == "huydangky":
		// help.moderator names them: typed here, one line says where they
		// work; the question in progress again, but no menu between tasks.
		c.Say(M("command.group_only", "Command", "/"+in.Command))
		if c.Session.Active() {
			r.prompt(c)
		}
		return nil
	case in.Command != "":
		name, ok := r.Commands[in.Command]
		if !ok {
			c.Say(M("command.unknown", "Command", "/"+in.Command))
			r.prompt(c)
			return nil
		}
		return r.start(ctx, c, name, in)
	case r.menuValue(in) != "":
		// A tap on the menu kept on screen: the task it names, whatever
		// the question in progress.
		in.Kind, in.Text = KindChoice, r.menuValue(in)
		return r.interject(ctx, c, r.Entries[in.Text], in)
	case lexicon.is(word, wordBack) && c.Session.Active():
		r.back(c)
		return nil
	}
	// "nhận DH-7K2Q" is a notice's button typed, from any chat, whatever
	// the question in progress: a code is no answer to one.
	if stop, ok := stopTyped(in); ok {
		in.Kind, in.Text = KindChoice, stop
		return r.interject(ctx, c, "broadcast_stop", in)
	}
	if _, ok := inviteCode(in); ok {
		return r.interject(ctx, c, "invite", in) // "nhận QT-7K2Q9M"
	}
	if kind, action, code, ok := typedAction(in); ok {
		return r.typed(ctx, c, in, kind, action, code)
	}
	if done, err := r.buyTyped(ctx, c, in); done || err != nil {
		return err // "mua NS-7K2Q" at a question: the order, not the answer
	}
	if c.Session.Active() { // a whole post pasted at a question: its order, not the answer
		if done, err := r.pasted(ctx, c, in); done || err != nil {
			return err
		}
	}
	// "ĐÚNG TÔI ĐỔI 4827" with the waiting change's code is no note or
	// name either; the words alone are left to the question (below).
	if c.Session.Active() {
		if done, err := r.changeTyped(ctx, c, in, true); done || err != nil {
			return err
		}
	}
	// "theo dõi na Chi Lăng", "bỏ theo dõi na": typed commands too, but
	// typed mid-task they may be an answer (a note "theo dõi fanpage…"):
	// the question in progress reads them first.
	_, unfollow, follow := followTyped(in)
	typedFollow := follow && in.Kind == KindText && in.Command == ""
	if follow && !(typedFollow && c.Session.Active()) {
		return r.interject(ctx, c, followName(unfollow), in)
	}
	if c.Session.Active() {
		chosen := choose(c.Session, in)
		if done, err := r.answerResume(ctx, c, chosen); done || err != nil {
			return err
		}
		def := r.flow(c.Session.Flow).Steps[c.Session.Step]
		next, err := def.Handle(ctx, c, chosen)
		if err != nil {
			return fmt.Errorf("%s/%s: %w", c.Session.Flow, c.Session.Step, err)
		}
		if next != Unclear {
			r.move(c, next)
			return nil
		}
	}
	if typedFollow {
		return r.interject(ctx, c, followName(unfollow), in)
	}
	// Between tasks, the choices on screen (the menu, an order's actions)
	// can still be typed.
	if chosen := choose(c.Session, in); !c.Session.Active() {
		in = chosen
	}
	// Her own listing's code alone ("NS-7K2Q") asks to see it, as her post
	// pasted does: not an order refused.
	if done, err := r.ownCode(ctx, c, in); done || err != nil {
		return err
	}
	if name, ok := r.entry(in); ok {
		return r.interject(ctx, c, name, in)
	}
	// "đúng tôi đổi", "không phải tôi": the buttons of a profile change held
	// for the farmer's word, typed.
	if done, err := r.changeTyped(ctx, c, in, false); done || err != nil {
		return err
	}
	// "nhận đơn", "✅ Nhận đơn": a new order's button typed, without the
	// order's code, where the notice showed it as a button; "có", "không":
	// the answer to the latest question, an order's or a renewal's.
	if done, err := r.answersBare(ctx, c, in); done || err != nil {
		return err
	}
	// A group post forwarded or pasted: its listing, not a new one.
	if done, err := r.pasted(ctx, c, in); done || err != nil {
		return err
	}
	// "Na Chi Lăng 5 tạ 25k mai có hàng", under a photo or not: a listing.
	if !c.Session.Active() && opensListing(c, r.Deps, in) {
		return r.interject(ctx, c, "sell", in)
	}
	// "bán hết rồi", "không bán nữa": no listing of "hết rồi" or "nữa".
	if done, err := r.sellingOver(ctx, c, in); done || err != nil {
		return err
	}
	if g := albumOf(in); g != "" && g == c.Session.Album {
		return nil // this album was answered at its first photo
	}
	c.Session.Album = albumOf(in)
	// "cảm ơn", "ok", "👍" between tasks: thanks, not a question.
	if in.Kind == KindText && !c.Session.Active() && thanks(in.Text) {
		c.Say(M("unclear.thanks"))
		return nil
	}
	if in.Kind == KindText && c.Session.Active() {
		if def := r.flow(c.Session.Flow).Steps[c.Session.Step]; def.Unclear.ID != "" {
			c.Say(def.Unclear) // what can be typed; the question is still on screen
			return nil
		}
	}
	// "1", "2 ạ" under a new order's notice, which lists what to send, not
	// numbers: what to send, with the order's code, not the menu.
	if in.Kind == KindText && !c.Session.Active() && typedNumber(in.Text) {
		if done, err := r.numberAtOrder(ctx, c); done || err != nil {
			return err
		}
	}
	// Her very first words ("chào em", "alo"): on Zalo no
	// /start comes first, so this is where she meets the bot. The welcome
	// and the menu, not "Em chưa hiểu".
	if in.Kind == KindText && c.User.Created && !c.Session.Active() {
		return r.start(ctx, c, "start", in)
	}
	id, ok := unclearMsg[in.Kind]
	if !ok {
		id = "unclear.unknown"
	}
	if done, err := r.payTyped(ctx, c, in); done || err != nil {
		return err
	}
	if done, err := r.paidTyped(ctx, c, in); done || err != nil {
		return err
	}
	if done, err := r.unclearAtOrder(ctx, c, in, id); done || err != nil {
		return err
	}
	// Mid-task, the question follows: its example is the one to copy, not
	// an idle one ("dang ban") that would leave the task.
	c.Say(M(id, "Task", c.Session.Active()))
	r.prompt(c)
	return nil
}

// unclearAtOrder answers, between tasks, what the bot did not understand
// (words, a voice note, a sticker) from a farmer whose orders wait for her
// answer, the latest question she was asked being an order's: most likely
// meant for it ("không được", "chưa chín", a voice note saying "ừ
// nhận"). Not understood (id), then the order's question
// again, in place of the menu, which would leave it waiting till it times
// out: the one waiting with ✅ Nhận đơn and ❌ Từ chối, of several the
// newest with what to send. done is false with none waiting.
func (r *Router) unclearAtOrder(ctx context.Context, c *Conv, in Input, id string) (done bool, err error) {
	switch {
	case c.User == nil || c.Session.Active():
		return false, nil
	case in.Kind != KindText && in.Kind != KindVoice && in.Kind != KindSticker:
		return false, nil
	}
	// The latest question asked wins: after a renewal's, "được" is not
	// the order's answer.
	orders, err := r.awaitingAsked(ctx, c.User.ID)
	if err != nil || len(orders) == 0 {
		return false, err
	}
	c.Say(M(id, "Task", true)) // the question follows, with its example
	if len(orders) == 1 {
		askAccept(c, orders[0])
		return true, nil
	}
	o := orders[len(orders)-1] // the newest
	c.Say(M("orders.number_typed", append(sellerData(c.F(), o), "Count", len(orders))...))
	return true, nil
}

// payTyped answers, between tasks, a buyer asking how to pay ("stk", "số
// tài khoản": wordPay) while orders of his are accepted and not yet
// received: the one there is gets its 💳 Mã thanh toán (the VietQR and
// the account, or to pay in hand), as its button would; several are
// listed, each with its button. done is false with none: the words were
// meant otherwise (a farmer's own account).
func (r *Router) payTyped(ctx context.Context, c *Conv, in Input) (done bool, err error) {
	if c.User == nil || c.Session.Active() || in.Kind != KindText || !lexicon.is(controlKey(in.Text), wordPay) {
		return false, nil
	}
	return r.toPay(ctx, c, in, "pay", "orders.pay_pick", "orders.pay_choice")
}

// paidTyped answers, between tasks, a buyer saying he paid ("đã chuyển
// khoản": wordPaid) while orders of his are accepted and not yet
// received: the farmer of the one there is is told to check her account
// (orders' "paid"); several are listed to pick which. done is false with
// none.
func (r *Router) paidTyped(ctx context.Context, c *Conv, in Input) (done bool, err error) {
	if c.User == nil || c.Session.Active() || in.Kind != KindText || !lexicon.is(controlKey(in.Text), wordPaid) {
		return false, nil
	}
	return r.toPay(ctx, c, in, "paid", "orders.paid_pick", "orders.pay_choice")
}

// toPay does verb (ord:<verb>:<id>) to the buyer's one order accepted and
// not yet received, or asks which (pick, each order a choice).
func (r *Router) toPay(ctx context.Context, c *Conv, in Input, verb, pick, choice string) (done bool, err error) {
	orders, err := r.ordersOf(ctx, c)
	if err != nil {
		return false, fmt.Errorf("orders of %d to pay: %w", c.User.ID, err)
	}
	var due []*Order
	for _, o := range orders.bought {
		if o.Status == Accepted || o.Status == Shipping {
			due = append(due, o)
		}
	}
	value := func(o *Order) string { return "ord:" + verb + ":" + strconv.FormatInt(o.ID, 10) }
	switch len(due) {
	case 0:
		return false, nil
	case 1:
		in.Kind, in.Text = KindChoice, value(due[0])
		return true, r.interject(ctx, c, "orders", in)
	}
	lines := make([]string, len(due))
	rows := make([][]Choice, len(due))
	for i, o := range due {
		data := buyerData(c.F(), o)
		lines[i] = c.T(M("orders.pay_item", data...))
		rows[i] = []Choice{{Label: M(choice, data...), Value: value(o)}}
	}
	c.Ask(M(pick, "Count", len(due), "Orders", strings.Join(lines, "\n")), rows...)
	return true, nil
}

// thanks tells whether text thanks or agrees, asking for nothing after a
// task: a word of wordThanks, "cảm
// ơn" said to anyone ("cảm ơn em nhiều"), or thanking emoji alone (👍, 🙏:
// thanksEmojiOnly; ❓ or 😡 are no thanks).
func thanks(text string) bool {
	key := controlKey(text)
	return thanksEmojiOnly(text) || lexicon.is(key, wordThanks) ||
		strings.HasPrefix(key, "cam on ") || strings.HasPrefix(key, "thank")
}

func followName(unfollow bool) FlowName {
	if unfollow {
		return "unfollow"
	}
	return "follow"
}

func albumOf(in Input) string {
	if in.Photo == nil {
		return ""
	}
	return in.Photo.MediaGroupID
}

// unclearMsg says why an input was not understood, by its kind.
var unclearMsg = map[InputKind]string{
	KindText:    "unclear.text",
	KindChoice:  "unclear.button",
	KindContact: "unclear.text",
	KindPhoto:   "unclear.photo",
	KindSticker: "unclear.sticker",
	KindVoice:   "unclear.voice",
	KindVideo:   "unclear.video",
	KindFile:    "unclear.file",
	KindOther:   "unclear.unknown",
}

// start opens a flow by its command. Typed commands are all Zalo users
// have, so the task in progress is set aside as by a tap on the menu: it
// goes on once the command's task is done, or refused (/thongbao to a
// farmer). A command naming the task in progress, or the one set aside,
// starts it afresh (saying so): /ban for a new listing.
func (r *Router) start(ctx context.Context, c *Conv, name FlowName, in Input) error {
	s := c.Session
	if name == "sell" && s.Flow != resumeName {
		// /ban typed again while writing a listing (she forgot where she
		// was, or thought the bot had not heard): what she typed is kept,
		// the question in progress asked again, and she is told how to
		// start over. Before a product is chosen there is nothing to keep:
		// /ban starts afresh (a helper then picks whom she sells for).
		for w := s; w.Active(); w = w.Parent {
			if w.Flow == name && leftProduct(w) != "" {
				if p, err := mayPost(ctx, r.Deps, c, PostingOf{Since: listedSince(r.Deps, c)}); err != nil || p.Banned {
					*c.Session = Session{} // banned meanwhile: told why, the listing goes
					return err
				}
				*c.Session = *w // an interjection over it is dropped
				c.Say(M("sell.still_writing", "Product", leftProduct(w), "For", leftFor(w)))
				r.prompt(c)
				return nil
			}
		}
	}
	switch {
	case s.Active() && s.Flow == name:
		if !shownOnly(s) { // a list left holds nothing done
			c.Say(M("flow.left"))
		}
		return r.open(ctx, c, name, in, s.Parent)
	case s.Active() && s.Parent != nil && s.Parent.Flow == name:
		c.Say(M("flow.left"))
		return r.open(ctx, c, name, in, nil) // the interjection over it goes too
	}
	return r.setAside(ctx, c, name, in)
}

// shownOnly: s is a list or an item shown (/don's orders, /tin's listings
// or one of them), nothing half answered: the command typed again shows it
// afresh without saying work was stopped.
func shownOnly(s *Session) bool {
	return s.Flow == "orders" && s.Step == ordersPick ||
		s.Flow == "mine" && (s.Step == minePick || s.Step == mineAct)
}

// open begins flow name afresh, with aside as the task set aside meanwhile.
func (r *Router) open(ctx context.Context, c *Conv, name FlowName, in Input, aside *Session) error {
	f := r.flow(name)
	c.began = true
	*c.Session = Session{Flow: name, Parent: aside}
	next, err := f.Start(ctx, c, in)
	if err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	if next == Unclear {
		return fmt.Errorf("start %s: returned Unclear", name)
	}
	r.enter(c, next)
	return nil
}

// interject opens a flow from a button or words while another may be in
// progress, which is set aside, not left. Only one task is ever set aside:
// the outermost, however many interjections follow; a new one replaces the
// one in progress. If the new flow is over at once (a one-shot action, such
// as accepting an order from a notification), what was in progress goes on.
func (r *Router) interject(ctx context.Context, c *Conv, name FlowName, in Input) error {
	if r.resume(c, name, in) {
		return nil
	}
	return r.setAside(ctx, c, name, in)
}

// setAside opens flow name with the task in progress set aside, as
// interject says.
func (r *Router) setAside(ctx context.Context, c *Conv, name FlowName, in Input) error {
	s := c.Session
	switch {
	case !s.Active():
		return r.open(ctx, c, name, in, nil)
	case s.Flow == name && name == "order":
		return r.reorder(ctx, c, in) // another listing's order: said, not a silent loss
	case s.Flow == name:
		// The same flow for something else (another order's button).
		return r.open(ctx, c, name, in, s.Parent)
	}
	current := *s
	aside := s.Parent
	if aside == nil {
		aside = &current
	}
	if err := r.open(ctx, c, name, in, nil); err != nil {
		return err
	}
	if c.Session.Active() {
		c.Session.Parent = aside // resumed when this one is done
		return nil
	}
	// Instead of the menu that ended it, the question in progress again.
	undoTaskDone(c)
	*c.Session = current
	r.prompt(c)
	return nil
}

// resume goes on with flow name when it is in progress or set aside and in
// names nothing more (its menu button, its words): a farmer tapping
// `Đăng bán` mid-listing wants that listing, not a blank one.
func (r *Router) resume(c *Conv, name FlowName, in Input) bool {
	if !r.bare(in) {
		return false
	}
	for s := c.Session; s.Active(); s = s.Parent {
		if s.Flow == name {
			*c.Session = *s // an interjection over it is dropped
			c.Say(M("flow.resume"))
			r.prompt(c)
			return true
		}
	}
	return false
}

// bare tells whether in names a flow and nothing more, unlike an action on
// something ("ord:accept:42", "mua NS-7K2Q").
func (r *Router) bare(in Input) bool {
	if _, ok := buyCode(in); ok {
		return false
	}
	name, ok := r.entry(in)
	return ok && (in.Kind != KindChoice || r.Entries[in.Text] == name)
}

// move goes from the current step to next, remembering the way back.
func (r *Router) move(c *Conv, next Step) {
	if next == c.Session.Step {
		return // stays, having said why
	}
	switch def := r.flow(c.Session.Flow).Steps[next]; {
	case def.Fresh && !c.Session.Editing: // a change from the summary goes back to it
		c.Session.History = nil
	case next != Done:
		c.Session.History = append(c.Session.History, c.Session.Step)
	}
	r.enter(c, next)
}

func (r *Router) enter(c *Conv, next Step) {
	if next == Done {
		if parent := c.Session.Parent; parent != nil {
			*c.Session = *parent // back to what the interjection set aside
			r.prompt(c)
			return
		}
		*c.Session = Session{}
		taskDone(c)
		return
	}
	c.Session.Step = next
	r.prompt(c)
}

func (r *Router) back(c *Conv) {
	h := c.Session.History
	if len(h) == 0 {
		c.Say(M("back.none"))
		r.prompt(c)
		return
	}
	c.Session.Step, c.Session.History = h[len(h)-1], h[:len(h)-1]
	r.prompt(c)
}

// prompt asks the current step's question again, or shows the menu.
func (r *Router) prompt(c *Conv) {
	if !c.Session.Active() {
		mainMenu(c)
		return
	}
	r.flow(c.Session.Flow).Steps[c.Session.Step].Prompt(c)
	if c.ended {
		c.ended = false
		r.enter(c, Done)
	}
}

// skips tells whether word presses the ⏭ Bỏ qua on screen: "thôi" at a
// question that offers it skips the question, elsewhere it cancels.
func skips(s *Session, word string) bool {
	if !s.Active() || !lexicon.is(word, wordSkip) {
		return false
	}
	return slices.ContainsFunc(s.Offered, func(o Offer) bool { return slices.Contains(o.Keys, word) })
}

// choose turns a typed answer into the choice it names, if any.
func choose(s *Session, in Input) Input {
	if in.Kind != KindText || len(s.Offered) == 0 {
		return in
	}
	word := vn.Fold(stripEmoji(in.Text))
	for _, o := range s.Offered {
		if slices.Contains(o.Keys, word) {
			in.Kind, in.Text = KindChoice, o.Value
			return in
		}
	}
	// "Bỏ qua ạ.", "Đúng rồi ạ": the key said politely, after the exact
	// match so that a label ending in a particle keeps its own choice.
	word = controlKey(in.Text)
	// "số 2", "chọn 2", "em chọn số hai": the number with the words said
	// around it; "xongf", "bor qua", "bo3 qua": a keyboard that left its
	// Telex or VNI keys in the words.
	for _, w := range []string{word, pickedNumber(word), vn.Untyped(word)} {
		for _, o := range s.Offered {
			if w != "" && slices.Contains(o.Keys, w) {
				in.Kind, in.Text = KindChoice, o.Value
				return in
			}
		}
	}
	return in
}

// pickedNumber is the number a choice is picked by in words (folded,
// without particles) that lead up to it: "so 2", "chon 2", "em chon so
// hai" are "2"; "" when they say more than that.
func pickedNumber(words string) string {
	ws := strings.Fields(words)
	lead := 0
	for lead < len(ws)-1 && lexicon.is(ws[lead], wordPickLead) {
		lead++
	}
	if lead == 0 || lead != len(ws)-1 {
		return ""
	}
	n := ws[lead]
	if i := slices.Index(pickWords, n); i >= 0 {
		return strconv.Itoa(i + 1)
	}
	if _, err := strconv.Atoi(n); err != nil {
		return ""
	}
	return n
}

// pickWords are one to ten, folded, as said after "số" or "chọn".
var pickWords = []string{"mot", "hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin", "muoi"}

// noticeTyped tells whether in is a notice's words typed ("nhận DH-7K2Q",
// "ĐÚNG TÔI ĐỔI 4827", "dừng", "nhận QT-…"): after a task expired they do
// what they say, as between tasks, and are not dropped for the menu.
func noticeTyped(in Input) bool {
	_, stop := stopTyped(in)
	_, invite := inviteCode(in)
	_, _, _, action := typedAction(in)
	change, _ := typedAnswer(in)
	return stop || invite || action || change != ""
}

// menuValue is the value of the main menu's choice whose label, in any
// language, is exactly what was typed: what a menu keyboard's button sends.
func (r *Router) menuValue(in Input) string {
	if in.Kind != KindText || in.Command != "" {
		return ""
	}
	// A keyboard sent before a label changed stays on the user's phone:
	// its buttons (an emoji, then the old words) still mean the same.
	bare := strings.TrimSpace(stripEmoji(in.Text))
	old := bare != in.Text && bare != ""
	r.menuOnce.Do(func() { // the labels are the same at every update
		for _, row := range MainMenu() {
			for _, ch := range row {
				m := menuChoice{value: ch.Value, words: ch.Words}
				for _, lang := range r.Texts.Langs() {
					m.labels = append(m.labels, vn.Normalize(r.Texts.Text(lang, ch.Label)))
				}
				r.menu = append(r.menu, m)
			}
		}
	})
	for _, ch := range r.menu {
		if slices.Contains(ch.labels, in.Text) {
			return ch.value
		}
		if old && slices.Contains(ch.words, vn.Fold(bare)) {
			return ch.value
		}
	}
	return ""
}

// opens tells whether in opens a flow by itself (words, a menu button).
func (r *Router) opens(in Input) bool {
	_, ok := r.entry(in)
	return ok
}

func (r *Router) entry(in Input) (FlowName, bool) {
	if _, ok := buyCode(in); ok && in.Kind == KindText {
		return "order", true // "mua NS-7K2Q"
	}
	switch in.Kind {
	case KindChoice:
		if name, ok := r.Entries[in.Text]; ok {
			return name, true
		}
		prefix, _, _ := strings.Cut(in.Text, ":")
		name, ok := r.Entries[prefix+":"]
		return name, ok
	case KindText:
		name, ok := r.Entries[vn.Fold(stripEmoji(in.Text))]
		return name, ok
	}
	return "", false
}

// check tells whether sess names flows and steps that exist: a deploy may
// have removed the ones it was saved in.
func (r *Router) check(sess *Session) error {
	for s := sess; s.Active(); s = s.Parent {
		f, ok := r.lookup(s.Flow)
		if !ok {
			return fmt.Errorf("session names flow %q: %w", s.Flow, ErrBadState)
		}
		if _, ok := f.Steps[s.Step]; !ok {
			return fmt.Errorf("session names step %s/%s: %w", s.Flow, s.Step, ErrBadState)
		}
	}
	return nil
}

// Why a chat is started over: the message the user is told.
const (
	ResetLost    = "session.lost" // its stored state could not be used
	ResetFailing = "error.sorry"  // an update kept failing
)

// Reset starts a chat over whose state could not be used: the user is told
// that the unfinished task was lost (why is ResetLost or ResetFailing) and
// shown the menu.
func (r *Router) Reset(user *User, in Input, why string) Result {
	if in.ChatType == Group {
		return Result{} // nothing was going on for anyone there
	}
	c := &Conv{User: user, In: in, Now: r.Now(), Lang: r.lang(user, in), texts: r.Texts, products: r.Deps.Catalogs.Products, ctx: context.Background()}
	c.Say(M(why))
	mainMenu(c)
	return Result{Replies: c.replies}
}

func (r *Router) lookup(name FlowName) (*Flow, bool) {
	for _, f := range r.Flows {
		if f.Name == name {
			return f, true
		}
	}
	return nil, false
}

func (r *Router) flow(name FlowName) *Flow {
	for _, f := range r.Flows {
		if f.Name == name {
			return f
		}
	}
	panic(fmt.Sprintf("flows: no flow %q", name)) // a wiring mistake, caught by tests
}

// SeeGroup records the group of in, where the platform does not say when
// the bot is added to one (the engine asks for such a platform's group
// updates), and tells whether the group is new to the bot (Chats.SeeGroup):
// the first of its updates the engine commits then greets it
// (Input.NewGroup), once whatever the updates racing it.
func (r *Router) SeeGroup(ctx context.Context, in Input) (bool, error) {
	title := safeTitle(in.ChatTitle)
	if strings.IndexFunc(title, unicode.IsLetter) < 0 {
		title = r.Texts.Text(GroupLang, M("group.untitled"))
	}
	seen, err := r.Deps.Chats.SeeGroup(ctx, in.ChatKey(), title)
	if err != nil {
		return false, fmt.Errorf("see group: %w", err)
	}
	return seen, nil
}

// group handles what reaches the bot in a group: it is added or removed, or
// asked for help. Other group chatter is not for the bot. A group the bot
// first hears from (no event said it was added) is greeted first.
func (r *Router) group(ctx context.Context, c *Conv, in Input) error {
	if in.NewGroup {
		lang := c.Lang
		c.Lang = GroupLang
		c.Say(M("group.hello", "Moderators", in.NoAdmins))
		c.Lang = lang
	}
	switch {
	case in.Kind == KindJoined || in.Kind == KindLeft:
		if err := r.Deps.Chats.SaveGroup(ctx, in.ChatKey(), groupTitle(c, in), in.Kind == KindJoined); err != nil {
			return fmt.Errorf("save group: %w", err)
		}
		if in.Kind == KindJoined {
			c.Say(M("group.hello", "Moderators", in.NoAdmins))
		}
	case in.Kind == KindMigrated:
		return r.Moved(ctx, in.ChatKey(), ChatRef{Channel: in.Channel, ChatID: in.Arg})
	case in.Command == "dangky":
		return r.registerMarket(ctx, c, in)
	case in.Command == "thongbao":
		return r.groupBroadcast(ctx, c, in)
	case in.Command == "huydangky":
		return r.unregisterMarket(ctx, c, in)
	case in.Kind == KindText && in.Command == "":
		return r.groupBuyer(ctx, c, in)
	case slices.Contains(moderatorCommands, in.Command):
		// Not the buyers' help to the whole group: where the command works.
		c.Lang = GroupLang
		command := "/" + in.Command
		c.Ask(M("group.mod_privately", "Command", command), []Choice{{Label: M("group.open_private"),
			Do: &Action{Kind: ActOpenChat, Code: command}}})
	case in.Command != "":
		// Selling and ordering happen in the private chat.
		c.Lang = GroupLang
		c.Ask(M("group.help"), []Choice{{Label: M("group.open_private"), Do: &Action{Kind: ActOpenChat}}})
	}
	return nil
}

// moderatorCommands are the global moderators' commands that work in the
// private chat only (/thongbao and /dangky have a group form).
var moderatorCommands = []string{"thongke", "themmod", "xoamod", "bochan", "bonoi", "gotin", "chan"}

// Moved follows a group that lives on under a new id (a Telegram group
// upgraded to a supergroup), whether the platform announced it or refused
// a message to the old id: its market registration and its listing posts
// move along. Moving a group twice is harmless.
func (r *Router) Moved(ctx context.Context, from, to ChatRef) error {
	if err := r.Deps.Chats.MoveGroup(ctx, from, to); err != nil {
		return fmt.Errorf("move group: %w", err)
	}
	return nil
}

// groupBuyer answers a buyer who replies to a listing post in a group
// (`lấy 20kg`, `còn không?`) or types "mua NS-7K2Q" there: one short reply
// with the button into the private chat, never a conversation in the group.
func (r *Router) groupBuyer(ctx context.Context, c *Conv, in Input) error {
	var l *Listing
	var err error
	if code, ok := buyCode(in); ok {
		l, err = r.Deps.Orders.ListingByCode(ctx, code)
	} else if in.ReplyTo != "" {
		l, err = r.Deps.Orders.ListingByPost(ctx, in.ChatKey(), in.ReplyTo)
	} else if in.RepliesToBot && !thanks(in.Text) {
		// A reply to one of the bot's posts, the platform not saying
		// which (Zalo): one line on how to order, never the buyer's
		// words again; a burst of them says it once. "Cảm ơn" under an
		// announcement asks for nothing.
		c.Lang = GroupLang
		c.Say(M("group.order_how"))
		c.replies[len(c.replies)-1].Coalesce = "groupreply:how"
		return nil
	} else {
		return nil // chatter
	}
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if l.Answers(c.User.ID) {
		return nil // the farmer answering buyers under their own post
	}
	c.Lang = GroupLang
	switch {
	case l.Status == SoldOut || l.Status == Active && l.Remaining == 0:
		// A cancelled order puts it back on sale only before its last day
		// ends (release): after, it stays sold out until the tick ends it.
		back := l.SoldOutBy == "orders" && c.Now.Before(l.ExpiresAt)
		c.Say(M("group.listing_sold_out", "Product", l.Product, "Code", l.Code, "Orders", back))
		return nil
	case l.Status != Active || !c.Now.Before(l.ExpiresAt): // past its expiry, as order.start: it ends at the next tick
		c.Say(M("group.listing_ended", "Product", l.Product, "Code", l.Code))
		return nil
	}
	posts, err := r.Deps.Listings.Posts(ctx, l.ID)
	if err != nil {
		return fmt.Errorf("posts of %s: %w", l.Code, err)
	}
	if hiddenIn(posts, in.ChatKey()) { // the group's admin took it down here
		c.Say(M("group.listing_hidden", "Product", l.Product, "Code", l.Code))
		return nil
	}
	// What the buyer said goes into the order button's link, never into
	// the group's reply.
	said := ""
	if s := saidInOpening(in); !s.Unsure { // two amounts: asked privately
		said = quantityArg(s.Quantity)
	}
	c.Ask(M("group.order_privately", "Name", in.UserName, "Product", l.Product, "Code", l.Code),
		[]Choice{{Label: M("post.order"), Do: &Action{Kind: ActOrder, Code: l.Code, Quantity: said}}})
	// Many buyers at once: when the group's limit holds replies back, one
	// says it all (one for each quantity said: each link carries its own).
	c.replies[len(c.replies)-1].Coalesce = "groupreply:" + l.Code + said
	return nil
}

// lang picks the user's saved language, else the platform's, else Vietnamese.
func (r *Router) lang(u *User, in Input) string {
	if u != nil && u.Lang != "" {
		return u.Lang
	}
	for _, l := range r.Texts.Langs() {
		if len(in.Lang) >= 2 && in.Lang[:2] == l {
			return l
		}
	}
	return "vi"
}

// onlyBuys tells whether the user has only ever bought: orders as a
// buyer, no farmer's profile, no orders of hers to answer, no helper's
// role. Such a user is shown how to order, not how to sell.
func (r *Router) onlyBuys(ctx context.Context, c *Conv) (bool, error) {
	if c.User == nil || r.Deps.Orders == nil || r.Deps.Sellers == nil {
		return false, nil
	}
	if _, err := r.Deps.Sellers.SellerOf(ctx, c.User.ID); err == nil {
		return false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return false, fmt.Errorf("farmer of a buyer: %w", err)
	}
	if c.helperSet {
		if c.helper {
			return false, nil
		}
	} else if r.Deps.Roles != nil {
		if helper, err := r.Deps.Roles.IsHelper(ctx, c.User.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return false, fmt.Errorf("helper role of a buyer: %w", err)
		} else if helper {
			return false, nil
		}
	}
	o, err := r.ordersOf(ctx, c)
	if err != nil {
		return false, fmt.Errorf("orders of a buyer: %w", err)
	}
	return len(o.bought) > 0 && len(o.sold) == 0, nil
}

// ordersOf reads the user's orders, once in an update.
func (r *Router) ordersOf(ctx context.Context, c *Conv) (*userOrders, error) {
	if c.orders == nil {
		bought, sold, err := r.Deps.Orders.OrdersOf(ctx, c.User.ID)
		if err != nil {
			return nil, err
		}
		c.orders = &userOrders{bought, sold}
	}
	return c.orders, nil
}
