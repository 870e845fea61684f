package flows

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/nongsan-bot/nongsan/flows/vietqr"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// The orders flow (/don): a user's orders as buyer and as seller, and the
// actions each state allows. Buttons in notifications ("ord:accept:42")
// act at once.
const (
	ordersPick    Step = "pick"
	ordersDecline Step = "decline_reason"
	ordersOther   Step = "decline_other" // after ❔ Lý do khác: the reason in the farmer's words
)

type ordersDraft struct {
	OrderID int64  `json:"order"`
	Action  string `json:"action"`         // decline or drop: what the reason is for
	Code    string `json:"code,omitempty"` // DH-7K2Q, named in the question
}

// orderAction is what a role may do to an order in some states.
type orderAction struct {
	seller bool     // the farmer (or their helper); else the buyer
	from   []string // states it applies to
	to     string
}

var orderActions = map[string]orderAction{
	"accept":   {seller: true, from: []string{Pending}, to: Accepted},
	"decline":  {seller: true, from: []string{Pending}, to: Declined},
	"ship":     {seller: true, from: []string{Accepted}, to: Shipping},
	"cancel":   {seller: false, from: []string{Pending}, to: Cancelled},
	"received": {seller: false, from: []string{Accepted, Shipping}, to: Completed},
	// The farmer cannot deliver after all (the buyer vanished, the crop failed).
	"drop": {seller: true, from: []string{Accepted}, to: Cancelled},
}

func ordersFlow(d Deps) *Flow {
	f := &orders{deps: d}
	return &Flow{Name: "orders", Start: f.start, Steps: map[Step]StepDef{
		ordersPick:    {Prompt: f.askPick, Handle: f.onPick},
		ordersDecline: {Prompt: f.askReason, Handle: f.onReason},
		ordersOther:   {Prompt: f.askOther, Handle: f.onReason},
	}}
}

type orders struct{ deps Deps }

func (f *orders) start(ctx context.Context, c *Conv, in Input) (Step, error) {
	if in.Kind == KindChoice && strings.HasPrefix(in.Text, "ord:") {
		return f.act(ctx, c, in.Text)
	}
	buying, selling, err := f.deps.Orders.OrdersOf(ctx, c.User.ID)
	if err != nil {
		return "", err
	}
	if len(buying)+len(selling) == 0 {
		// A farmer (or a helper) with listings waits for orders: how to
		// buy is not news to her.
		listings, err := f.deps.Listings.ListingsOf(ctx, c.User.ID)
		if err != nil {
			return "", err
		}
		if len(listings) > 0 {
			c.Say(M("orders.none_selling"))
		} else {
			c.Say(M("orders.none"))
		}
		return Done, nil
	}
	return ordersPick, nil
}

func (f *orders) askPick(c *Conv) {
	buying, selling, err := f.deps.Orders.OrdersOf(c.Context(), c.User.ID)
	if err != nil {
		c.Fail(err)
		return
	}
	var rows [][]Choice
	for _, group := range []struct {
		label  string
		orders []*Order
	}{{"orders.as_seller", selling}, {"orders.as_buyer", buying}} {
		for _, o := range group.orders {
			rows = append(rows, []Choice{{Label: M(group.label, dataFor(c.F(), o, c.User.ID)...), Value: "ord:view:" + strconv.FormatInt(o.ID, 10)}})
		}
	}
	c.Ask(M("orders.pick", "Selling", len(selling), "Buying", len(buying)), rows...)
}

func (f *orders) onPick(ctx context.Context, c *Conv, in Input) (Step, error) {
	if in.Kind != KindChoice || !strings.HasPrefix(in.Text, "ord:") {
		return Unclear, nil
	}
	return f.act(ctx, c, in.Text)
}

// act carries out "ord:<action>:<id>" for the user, if their role and the
// order's state allow it. A reason button's value names its reason too,
// "ord:decline:42:sold_out": it acts on the order it was shown for,
// whichever question came after it.
func (f *orders) act(ctx context.Context, c *Conv, value string) (Step, error) {
	parts := strings.Split(value, ":")
	if len(parts) != 3 && len(parts) != 4 && !(len(parts) == 5 && parts[3] == priceValue) {
		return Unclear, nil
	}
	id, _ := strconv.ParseInt(parts[2], 10, 64)
	o, err := f.deps.Orders.Order(ctx, id)
	if errors.Is(err, ErrNotFound) {
		c.Say(M("orders.gone"))
		return Done, nil
	}
	if err != nil {
		return "", err
	}
	isSeller := o.Listing.Answers(c.User.ID)
	isBuyer := o.BuyerID == c.User.ID
	if !isSeller && !isBuyer {
		c.Say(farmerAnswers(o, c.User.ID))
		return Done, nil
	}
	parts[1] = ownVerb(parts[1], o, isSeller, isBuyer)
	told, err := f.takeTimedOut(ctx, c, o)
	if err != nil {
		return "", err
	}
	switch parts[1] {
	case "view":
		if err := f.show(ctx, c, o, isSeller); err != nil {
			return "", err
		}
		c.add(told...)
		return Done, nil
	case "timeline":
		c.add(told...)
		return Done, f.timeline(ctx, c, o)
	}
	if len(told) > 0 { // it says more than "not now": why, and whether the stock is on sale again
		c.add(told...)
		return Done, nil
	}
	switch parts[1] {
	case "counter": // ✅ Mua giá 30.000 đ/kg: the farmer's price, as she named it declining o
		if !isBuyer {
			c.Say(M("orders.not_yours", dataFor(c.F(), o, c.User.ID)...))
			return Done, nil
		}
		return Done, f.counter(ctx, c, o)
	case "pay":
		switch {
		case isBuyer && (o.Status == Accepted || o.Status == Shipping || o.Status == Completed):
			c.add(paymentReplies(c.F(), c.In.ChatKey(), o)...)
			return Done, nil
		case isBuyer: // an old 💳 of an order cancelled since: the buyer's, but no longer to pay
			c.Say(M("orders.not_now", buyerData(c.F(), o)...))
			return Done, nil
		}
	case "paid": // "đã chuyển khoản": the farmer checks her account
		switch {
		case isBuyer && (o.Status == Accepted || o.Status == Shipping || o.Status == Completed):
			return Done, f.paid(ctx, c, o)
		case isBuyer:
			c.Say(M("orders.not_now", buyerData(c.F(), o)...))
			return Done, nil
		}
	case "decline", "drop":
		a := orderActions[parts[1]]
		switch {
		case !isSeller || !slices.Contains(a.from, o.Status):
		case len(parts) == 5: // a refusal that named a price: "không bán 30k"
			p, ok := decodePrice(parts[4])
			if !ok {
				return Unclear, nil
			}
			return Done, f.decline(ctx, c, o, a, priceReason(o, p))
		case len(parts) == 4 && parts[3] == reasonOther:
			return ordersOther, c.SetDraft(ordersDraft{OrderID: o.ID, Action: parts[1], Code: o.Code})
		case len(parts) == 4 && (slices.Contains(reasonKeys, parts[3]) || parts[3] == ReasonUnsaid):
			return Done, f.decline(ctx, c, o, a, Reason{Key: parts[3]}) // told to the buyer in their language
		default:
			return ordersDecline, c.SetDraft(ordersDraft{OrderID: o.ID, Action: parts[1], Code: o.Code})
		}
	}
	action, ok := orderActions[parts[1]]
	switch {
	case !ok || action.seller != isSeller:
		c.Say(M("orders.not_yours", dataFor(c.F(), o, c.User.ID)...))
		return Done, nil
	case !slices.Contains(action.from, o.Status) && o.Status != action.to:
		c.Say(M("orders.not_now", dataFor(c.F(), o, c.User.ID)...))
		return Done, nil
	}
	// Already in the new state, it goes to the store all the same: this
	// very update may have made the change, its replies lost (run again
	// after a conflict, or delivered again), and the store knows it by
	// its source and gives the order back, so both sides are told.
	return Done, f.move(ctx, c, o, OrderChange{From: action.from, To: action.to})
}

// ownVerb is the action a user means by the other side's verb, typed
// with the code: the farmer's "huỷ DH-7K2Q" is her ❌ Từ chối of a pending
// order, her ❌ Không giao được nữa of an accepted one (each asks why);
// the buyer's "từ chối DH-7K2Q" his ❌ Huỷ đơn. No button sends these.
func ownVerb(verb string, o *Order, isSeller, isBuyer bool) string {
	switch {
	case isSeller && !isBuyer && verb == "cancel" && o.Status == Pending:
		return "decline"
	case isSeller && !isBuyer && verb == "cancel" && o.Status == Accepted:
		return "drop"
	case isBuyer && !isSeller && verb == "decline" && o.Status == Pending:
		return "cancel"
	}
	return verb
}

// cancelOrder answers "huỷ" (or "huỷ đơn", "không mua nữa") said between
// tasks by a buyer whose orders wait for the farmer: the order whose ❌
// Huỷ đơn is on screen (just placed) is cancelled, as the button would,
// while it waits (accepted since: she is told to call the farmer); else
// the waiting ones are listed, each with its button, to choose. done is
// false with none waiting.
func (r *Router) cancelOrder(ctx context.Context, c *Conv, in Input) (done bool, err error) {
	if c.User == nil || c.Session.Active() {
		return false, nil
	}
	var shown []string
	for _, o := range c.Session.Offered {
		if strings.HasPrefix(o.Value, "ord:cancel:") {
			shown = append(shown, o.Value)
		}
	}
	orders, err := r.ordersOf(ctx, c)
	if err != nil {
		return false, fmt.Errorf("orders of %d to cancel: %w", c.User.ID, err)
	}
	if len(shown) == 1 {
		// Its ❌ Huỷ đơn while she may still cancel it; once the farmer
		// has accepted it, she is told so and whom to call; once it is
		// over, "huỷ" is as if no order had been placed.
		i := slices.IndexFunc(orders.bought, func(o *Order) bool { return "ord:cancel:"+strconv.FormatInt(o.ID, 10) == shown[0] })
		switch {
		case i < 0 || orders.bought[i].Status == Pending:
			in.Kind, in.Text = KindChoice, shown[0]
			return true, r.interject(ctx, c, "orders", in)
		case orders.bought[i].Status == Accepted || orders.bought[i].Status == Shipping:
			o := orders.bought[i]
			c.Say(M("orders.cancel_accepted", append(orderData(c.F(), o), "FarmerPhone", formatPhone(o.Listing.Seller.Phone))...))
			taskDone(c)
			return true, nil
		}
	}
	var waiting []*Order
	for _, o := range orders.bought {
		if o.Status == Pending {
			waiting = append(waiting, o)
		}
	}
	if len(waiting) == 0 {
		return false, nil
	}
	lines := make([]string, len(waiting))
	rows := make([][]Choice, len(waiting))
	for i, o := range waiting {
		data := orderData(c.F(), o)
		lines[i] = c.T(M("orders.cancel_item", data...))
		rows[i] = []Choice{{Label: M("orders.cancel_choice", data...), Value: "ord:cancel:" + strconv.FormatInt(o.ID, 10)}}
	}
	c.Ask(M("orders.cancel_pick", "Count", len(waiting), "Orders", strings.Join(lines, "\n"), "Example", waiting[0].Code), rows...)
	return true, nil
}

// takeTimedOut takes back the notice of an order that timed out at night,
// held for the user's morning, when the user taps one of its buttons
// before: told now, as read now, it is not told again in the morning.
func (f *orders) takeTimedOut(ctx context.Context, c *Conv, o *Order) ([]Reply, error) {
	if f.deps.Held == nil || o.Status != Cancelled || o.Reason.Key != ReasonTimeout {
		return nil, nil
	}
	told, err := f.deps.Held.TakeHeld(ctx, heldAbout(o.ID, c.User.ID), heldSource(c.In), c.Now)
	if err != nil {
		return nil, err
	}
	for i, r := range told {
		told[i].To = c.In.ChatKey() // where she asks, were it another account of hers
		if r.Text.ID == "order.timed_out_farmer" && r.Text.Data != nil {
			timedOutAt(r.Text.Data, o.CreatedAt.Add(f.deps.OrderTimeout), c.Now)
		}
	}
	return told, nil
}

// heldSource names the update that takes back held notices.
func heldSource(in Input) string { return string(in.Channel) + ":" + in.UpdateID }

// GivenUp gives back the held notices in took back (takeTimedOut), when
// the engine gives up on it (the apology and the menu instead of its
// replies): the tick sends them, rather than no one.
func (r *Router) GivenUp(ctx context.Context, in Input) error {
	if r.Deps.Held == nil {
		return nil
	}
	return r.Deps.Held.GiveBackHeld(ctx, heldSource(in))
}

// paid tells the farmer (or the helper who answers for her) that the buyer
// says he paid o, and the buyer that she was told. The order stays as it
// is: only she can see whether the money came.
func (f *orders) paid(ctx context.Context, c *Conv, o *Order) error {
	farmer, err := farmerChat(ctx, f.deps, o.Listing)
	if err != nil {
		return err
	}
	if farmer != nil {
		fm := Format{Texts: f.deps.Texts, Lang: farmer.lang, Products: f.deps.Catalogs.Products}
		c.add(Reply{To: farmer.ref, Lang: farmer.lang, Text: M("order.paid_farmer", sellerData(fm, o)...)})
	}
	c.Say(M("order.paid_told", buyerData(c.F(), o)...))
	return nil
}

// move makes an order's change, by the user, and tells both sides.
func (f *orders) move(ctx context.Context, c *Conv, o *Order, ch OrderChange) error {
	before := o
	ch.Actor, ch.Source = c.User.ID, string(c.In.Channel)+":"+c.In.UpdateID
	o, err := f.deps.Orders.SetOrderStatus(ctx, o.ID, ch)
	if errors.Is(err, ErrStale) && before.Status == ch.To {
		c.Say(M("orders.already", dataFor(c.F(), before, c.User.ID)...))
		return nil
	}
	if errors.Is(err, ErrStale) {
		c.Say(M("orders.changed"))
		return nil
	}
	if err != nil {
		return err
	}
	replies, err := orderChanged(ctx, f.deps, o, c.Now)
	if err != nil {
		return err
	}
	c.add(replies...) // the actor's own buttons (`Đã giao hàng`) can be typed by number
	return nil
}

// orderChanged are the messages an order's new state sends: to the buyer,
// to the farmer, and, when stock came back, to the groups.
func orderChanged(ctx context.Context, deps Deps, o *Order, now time.Time) ([]Reply, error) {
	buyer, err := chatOf(ctx, deps, o.BuyerID)
	if err != nil {
		return nil, err
	}
	farmer, err := farmerChat(ctx, deps, o.Listing)
	if err != nil {
		return nil, err
	}
	bf := Format{Texts: deps.Texts, Lang: buyer.lang, Products: deps.Catalogs.Products}
	var out []Reply
	toBuyer := func(m Msg, rows ...[]Choice) {
		out = append(out, Reply{To: buyer.ref, Lang: buyer.lang, Text: m, Choices: rows})
	}
	toFarmer := func(m Msg, rows ...[]Choice) {
		if farmer != nil {
			out = append(out, Reply{To: farmer.ref, Lang: farmer.lang, Text: m, Choices: rows})
		}
	}
	fm := Format{Texts: deps.Texts, Lang: GroupLang, Products: deps.Catalogs.Products}
	if farmer != nil {
		fm.Lang = farmer.lang
	}
	switch o.Status {
	case Accepted:
		// Only now does the buyer get the farmer's phone, and a way to pay.
		// Collecting at the farm, she learns where it is: the farmer's commune.
		pickup := ""
		if o.Delivery != "deliver" {
			pickup = bf.Place(o.Listing.Seller)
		}
		toBuyer(M("order.accepted", append(orderData(bf, o), "FarmerPhone", formatPhone(o.Listing.Seller.Phone), "Pickup", pickup)...),
			[]Choice{actionChoice("received", o)})
		out = append(out, paymentReplies(bf, buyer.ref, o)...)
		toFarmer(M("order.accepted_farmer", orderData(fm, o)...), []Choice{actionChoice("ship", o)})
	case Shipping:
		toBuyer(M("order.shipping", orderData(bf, o)...), []Choice{actionChoice("received", o)})
		toFarmer(M("orders.done", sellerData(fm, o)...))
	case Completed:
		// She is thanked, and told how to buy from the same listing again.
		again := o.Listing.Status == Active && o.Listing.Remaining > 0
		toBuyer(M("order.received_done", append(orderData(bf, o), "Again", again)...))
		toFarmer(M("order.completed", orderData(fm, o)...))
	case Cancelled, Declined:
		msg := "order.declined"
		switch {
		case o.Reason.Key == ReasonTimeout:
			msg = "order.timed_out"
		case o.Status == Cancelled && !o.Reason.Empty():
			msg = "order.dropped" // by the farmer, after accepting
		case o.Status == Cancelled:
			msg = "order.cancelled"
		}
		// Each reads the reason in their own language, a typed one as typed.
		toBuyer(M(msg, append(orderData(bf, o), "Reason", bf.Reason(o.Reason))...))
		offer := counterOffer(bf, buyer.ref, o, now)
		out = append(out, offer...)
		if o.Status == Declined || !o.Reason.Empty() {
			out = append(out, offerSimilar(ctx, deps, buyer.ref, buyer.lang, o.BuyerID, o.Listing)...)
		}
		news, err := orderNews(ctx, deps, o)
		if err != nil {
			return nil, err
		}
		posts := len(OtherChats(ChatRef{}, news)) // the groups whose post is edited
		data := append(orderData(fm, o), "Reason", fm.Reason(o.Reason), "Released", released(fm, o, now, posts))
		if slices.Contains(priceReasons, o.Reason.Key) {
			// What the buyer read, and the listing's price (not the order's).
			data = append(data, "PriceSaid", fm.Reason(o.Reason), "Price", fm.Price(o.Listing.Price), "Offered", len(offer) > 0)
		}
		toFarmer(M(msg+"_farmer", data...))
		out = append(out, news...)
	}
	return out, nil
}

// released tells the farmer what became of a cancelled or declined order's
// quantity: back on sale, or not, with why, when the listing sells nothing
// (the farmer marked it sold out, it ended, or it is past its expiry and
// ends at this tick). o's listing is as read after the release, or just
// before it (a timeout): either way a listing its orders sold out is on
// sale again. Declined for Hết hàng, the listing is sold out, and its
// posts (in that many groups) say so.
func released(f Format, o *Order, now time.Time, posts int) string {
	l := o.Listing
	status := l.Status
	switch {
	case o.Reason.Key == ReasonSoldOut && status == SoldOut && l.SoldOutBy == "farmer":
		return f.Texts.Text(f.Lang, M("order.released_sold_out", "ListingCode", l.Code, "Posts", posts))
	case status == SoldOut && l.SoldOutBy == "orders":
		status = Active // the quantity given back puts it on sale again, unless past its expiry (below)
	}
	if status == Active && !now.Before(l.ExpiresAt) {
		status = Expired
	}
	data := []any{"Quantity", f.Ordered(o), "Product", l.Product, "ListingCode", l.Code}
	if status == Active {
		return f.Texts.Text(f.Lang, M("order.released_back", data...))
	}
	return f.Texts.Text(f.Lang, M("order.released_off", append(data,
		"Status", f.Texts.Text(f.Lang, M("status."+status)), "Removed", status == Removed)...))
}

// Reason is why an order ended, as f's reader reads it: a reason the bot
// names in their language, one the farmer typed as typed.
func (f Format) Reason(r Reason) string {
	if r.Key == ReasonUnsaid {
		return "" // none: nothing to tell
	}
	if p, ok := reasonPrice(r); ok && slices.Contains(priceReasons, r.Key) {
		return f.Texts.Text(f.Lang, M(reasonPrefix+r.Key, "Price", f.Price(p)))
	}
	if r.Key != "" {
		return f.Texts.Text(f.Lang, reasonMsg(r.Key))
	}
	return r.Text
}

// reasonMsg is the text of a reason the bot names (BuiltMessageIDs).
func reasonMsg(key string) Msg { return M(reasonPrefix + key) }

const reasonPrefix = "order.reason_"

// paymentReplies tell the buyer how to pay the farmer: a VietQR code to
// scan, or the account in words if the code cannot be made.
func paymentReplies(f Format, to ChatRef, o *Order) []Reply {
	bank := o.Listing.Seller.Bank
	if bank == nil || bank.Account == "" {
		return []Reply{{To: to, Lang: f.Lang, Text: M("order.pay_direct", orderData(f, o)...)}}
	}
	m := M("order.pay", append(orderData(f, o), "Bank", bank.Bank, "Account", bank.Account, "Holder", bank.Holder)...)
	qr, _ := payment(o)
	return []Reply{{To: to, Lang: f.Lang, QR: qr, Text: m}}
}

// payment is the VietQR payload of an order's total to the farmer's
// account, when the farmer registered one.
func payment(o *Order) (string, bool) {
	bank := o.Listing.Seller.Bank
	if bank == nil || bank.Account == "" {
		return "", false
	}
	qr, err := vietqr.Payload(vietqr.Transfer{BIN: bank.BIN, Account: bank.Account, Amount: o.Total,
		Purpose: o.Code + " " + o.Listing.Code})
	return qr, err == nil
}

func (f *orders) show(ctx context.Context, c *Conv, o *Order, isSeller bool) error {
	id := strconv.FormatInt(o.ID, 10)
	var row, counter []Choice
	msg, data := "orders.detail_buyer", buyerData(c.F(), o)
	if isSeller {
		msg, data = "orders.detail_seller", sellerData(c.F(), o)
	} else { // declined naming her price: the offer again, or the order taking it
		more, choice, err := f.counterNow(ctx, c, o)
		if err != nil {
			return err
		}
		data, counter = append(data, more...), choice
	}
	for _, name := range []string{"accept", "decline", "ship", "cancel", "received", "drop"} {
		if a := orderActions[name]; a.seller == isSeller && slices.Contains(a.from, o.Status) {
			row = append(row, actionChoice(name, o))
			// The detail names the buttons it shows: CanShip, CanReceive…
			data = append(data, "Can"+strings.ToUpper(name[:1])+name[1:], true)
		}
	}
	rows := [][]Choice{{{Label: M("orders.timeline_button"), Value: "ord:timeline:" + id}}}
	if !isSeller && (o.Status == Accepted || o.Status == Shipping || o.Status == Completed) {
		// Once accepted, the buyer can find the farmer's phone and the payment again.
		data = append(data, "FarmerPhone", formatPhone(o.Listing.Seller.Phone))
		if o.Listing.Seller.Bank != nil {
			rows[0] = append(rows[0], Choice{Label: M("orders.pay_button"), Value: "ord:pay:" + id})
			data = append(data, "CanPay", true)
		}
	}
	if len(row) > 0 {
		rows = append([][]Choice{row}, rows...)
	}
	rows = c.offer(rows)
	if counter != nil {
		// Unnumbered, as under the decline: a button, or MUA DH-7K2Q typed
		// from anywhere where there are none.
		rows = append(rows, counter)
	}
	c.reply(Reply{Text: M(msg, data...), Choices: rows})
	return nil
}

func (f *orders) timeline(ctx context.Context, c *Conv, o *Order) error {
	events, err := f.deps.Orders.Timeline(ctx, o.ID)
	if err != nil {
		return err
	}
	lines := make([]string, 0, len(events))
	for _, e := range events {
		lines = append(lines, c.T(M("orders.event", "At", c.F().At(e.At),
			"Status", c.T(M("order_status."+e.Status)), "Actor", e.Actor, "Note", c.F().Reason(e.Note))))
	}
	c.Say(M("orders.timeline", "Code", o.Code, "Events", strings.Join(lines, "\n")))
	return nil
}

// reasonKeys are the reasons a farmer can pick by button.
var reasonKeys = []string{ReasonSoldOut, ReasonFar}

// reasonOther is the button for another reason (❔ Lý do khác): the
// farmer is asked for it in their own words (askOther).
const reasonOther = "other"

// reasonValue is what a reason button sends: the action, the order and
// the reason it is for, so that it acts on that order from anywhere.
func reasonValue(d ordersDraft, key string) string {
	return "ord:" + cmp.Or(d.Action, "decline") + ":" + strconv.FormatInt(d.OrderID, 10) + ":" + key
}

// askReason asks why the farmer declines (or drops) the draft's order;
// each button names the order and the action it is for.
func (f *orders) askReason(c *Conv) {
	var d ordersDraft
	if err := c.Draft(&d); err != nil {
		c.Fail(err)
		return
	}
	var rows [][]Choice
	for _, key := range reasonKeys {
		rows = append(rows, []Choice{{Label: reasonMsg(key), Value: reasonValue(d, key)}})
	}
	rows = append(rows, []Choice{{Label: M("order.other_reason"), Value: reasonValue(d, reasonOther),
		Words: lexicon.of(wordOtherReason)}})
	c.Ask(M("order.decline_reason", "Code", d.Code), rows...)
}

// askOther asks, after ❔ Lý do khác, for the reason in the farmer's own
// words, told to the buyer as typed (onReason, as a reason typed at the
// first question); ⏭ Bỏ qua declines without one, rather than keep a
// farmer who would not say at a question.
func (f *orders) askOther(c *Conv) {
	var d ordersDraft
	if err := c.Draft(&d); err != nil {
		c.Fail(err)
		return
	}
	skip := skipChoice()
	skip.Value = reasonValue(d, ReasonUnsaid)
	// Here Bỏ qua declines the order for good: "thôi" (never mind) stops
	// the decline, as huỷ does, rather than decline it.
	skip.Words = slices.DeleteFunc(skip.Words, func(w string) bool { return lexicon.is(w, wordCancel) })
	c.Ask(M("order.decline_other"), []Choice{skip})
}

func (f *orders) onReason(ctx context.Context, c *Conv, in Input) (Step, error) {
	var d ordersDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	switch {
	case in.Kind == KindChoice && strings.HasPrefix(in.Text, "ord:") && strings.Count(in.Text, ":") == 3:
		// A reason button, of this question or an earlier one, says which
		// order it is for. This question ends: its buttons still act, from
		// anywhere. (Another order's buttons open its own task: Unclear.)
		return f.act(ctx, c, in.Text)
	case in.Kind == KindText && tooLong(in.Text, maxNote):
		c.Say(M("order.decline_long"))
		return c.Session.Step, nil // the question stands, its buttons too
	case in.Kind == KindText && f.changedMind(in.Text):
		return Done, f.keep(ctx, c, d)
	case in.Kind != KindText || !validReason(in.Text):
		return Unclear, nil // a button from before reasons named their order ("reason:far") is an old one
	}
	o, err := f.deps.Orders.Order(ctx, d.OrderID)
	if err != nil {
		return "", err
	}
	reason := Reason{Text: in.Text} // as typed
	if key, ok := reasonSaid(in.Text); ok {
		reason = Reason{Key: key} // "hết hàng rồi" is Hết hàng: the listing sells out, as by its button
	} else if p, least, ok := refusedPrice(in.Text, false); ok && (!least || belowLeast(o, p)) {
		reason = priceReason(o, p) // "30k mới bán": her price, in the buyer's language
	} // "không bán dưới 20k" of an order at 25k: her words as they are, no price she refuses

	return Done, f.decline(ctx, c, o, orderActions[cmp.Or(d.Action, "decline")], reason)
}

// reasonWords are the meanings (lexicon) of the reasons the bot names
// (its buttons) as farmers type them, read by controlKey: typed, "Hết
// hàng rồi ạ" must sell the listing out as Hết hàng does, not put the
// quantity back on sale.
var reasonWords = map[string]wordMeaning{ReasonSoldOut: wordSoldOut, ReasonFar: wordFar}

// reasonSaid is the named reason text says in words, if it says one.
func reasonSaid(text string) (key string, ok bool) {
	word := controlKey(text)
	for _, key := range reasonKeys {
		if lexicon.is(word, reasonWords[key]) {
			return key, true
		}
	}
	return "", false
}

// changedMind tells whether text, at the question why she declines, takes
// it back: an accept word (wordMind, after a leading "dạ"/"vâng"), its
// button's label, or a yes. Never a reason for the buyer.
func (f *orders) changedMind(text string) bool {
	word := controlKey(text)
	for _, polite := range []string{"da ", "vang "} { // "dạ nhận", "vâng, nhận ạ"
		word = strings.TrimPrefix(word, polite)
	}
	if lexicon.is(word, wordMind|wordYes) {
		return true
	}
	for _, lang := range f.deps.Texts.Langs() {
		if word == controlKey(f.deps.Texts.Text(lang, M("order.accept"))) {
			return true
		}
	}
	return false
}

// keep answers a change of mind at the reason question: the order is not
// declined. A pending one is asked about (✅ Nhận đơn / ❌ Từ chối), not
// accepted on the word alone; an accepted one she meant to drop stays hers.
func (f *orders) keep(ctx context.Context, c *Conv, d ordersDraft) error {
	o, err := f.deps.Orders.Order(ctx, d.OrderID)
	if errors.Is(err, ErrNotFound) {
		c.Say(M("orders.gone"))
		return nil
	}
	if err != nil {
		return fmt.Errorf("order %d, the farmer changed her mind: %w", d.OrderID, err)
	}
	switch o.Status {
	case Pending:
		askAccept(c, o)
	case Accepted:
		c.Say(M("orders.kept", sellerData(c.F(), o)...))
	default:
		c.Say(M("orders.not_now", dataFor(c.F(), o, c.User.ID)...))
	}
	return nil
}

// askAccept asks the farmer whether she accepts the order: "Nhận đơn
// DH-7K2Q ạ?" with ✅ Nhận đơn and ❌ Từ chối, a yes or a no typed to
// answer it.
func askAccept(c *Conv, o *Order) {
	id := strconv.FormatInt(o.ID, 10)
	c.Ask(M("orders.confirm", sellerData(c.F(), o)...), []Choice{
		{Label: M("order.accept"), Value: "ord:accept:" + id, Words: lexicon.of(wordYes | wordPoliteYes)},
		{Label: M("order.decline"), Value: "ord:decline:" + id, Words: append([]string{"khong nhan"}, lexicon.of(wordNo)...)},
	})
}

// decline declines a pending order, or drops an accepted one (action), for
// reason. Hết hàng: none left, the listing is sold out, not back on sale.
func (f *orders) decline(ctx context.Context, c *Conv, o *Order, action orderAction, reason Reason) error {
	return f.move(ctx, c, o, OrderChange{From: action.from, To: action.to, Reason: reason, SoldOut: reason.Key == ReasonSoldOut})
}

// validReason accepts a reason typed for the buyer: anything up to a
// note's length but a command, a word meant for the bot ("ok", "xong") or
// punctuation alone ("?"). An emoji alone is kept: "🙏" is an apology.
func validReason(s string) bool {
	said := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPunct(r) && !unicode.IsSpace(r) }) >= 0
	return said && !strings.HasPrefix(s, "/") && !lexicon.is(controlKey(s), wordControl)
}

// orderTick cancels orders the farmer did not answer in time (telling
// both, offering the buyer similar listings) and reminds farmers, once,
// when remindAt said as the order was placed. Each change is stored with
// its messages; one order failing does not keep the others back.
func (r *Router) orderTick(ctx context.Context, now time.Time) error {
	expired, waiting, err := r.Deps.Orders.DueOrders(ctx, now, r.Deps.OrderTimeout)
	if err != nil {
		return err
	}
	var errs error
	for _, o := range expired {
		errs = errors.Join(errs, r.timeOut(ctx, o, now))
	}
	// The time stored falls in the waking hours of when the order was
	// placed; but RENEWAL_HOURS may have changed since, and orders waiting
	// at the upgrade that stored it were given one by SQL: whatever is
	// stored, never at night (the morning's tick reminds them, if they
	// still wait).
	if !r.wakingHours().awake(now) {
		return errs
	}
	for _, o := range waiting {
		// An order placed with no time, by a replica of the version
		// before during a rolling update, is reminded as this one
		// would have placed it.
		if at := o.RemindAt; at.IsZero() {
			if at = remindAt(r.wakingHours(), o.CreatedAt, o.CreatedAt.Add(r.Deps.OrderTimeout)); at.IsZero() || at.After(now) {
				continue
			}
		}
		errs = errors.Join(errs, r.remind(ctx, o, now))
	}
	return errs
}

// remindLead is how long before its deadline a reminder put off to the
// morning must still come to be worth sending: time to see it after
// waking, between the morning's chores. With the defaults (12 hours,
// 07-21) it parts the orders as a farmer would: those that came while
// she was awake are reminded before she sleeps, those that came at night
// in the morning.
const remindLead = 2 * time.Hour

// remindAt is when the farmer is reminded of an order placed at created
// that cancels itself at deadline: halfway, but never at night (h, the
// hours of the renewal question: older farmers keep the phone by the
// bed). Halfway falling at night, the reminder waits for the morning if
// the farmer then still has remindLead to answer. Else it comes the
// evening before, an hour before the night (halfway to it for an order
// placed later): better a reminder soon after the order than none, and
// the farmer finding the order cancelled in the morning without a word.
// An order that came at night and ends before the morning is reminded
// in the morning if it still waits then, else not at all (zero time).
// When orders cancel does not change: buyers wait on that.
func remindAt(h Hours, created, deadline time.Time) time.Time {
	half := created.Add(deadline.Sub(created) / 2)
	if h.awake(half) {
		return half
	}
	morning, evening := h.opens(half), h.closes(half)
	if !morning.After(half) { // night after the day's close
		morning = h.opens(vn.Today(half).AddDate(0, 0, 1))
	} else { // night before the day's opening
		evening = h.closes(vn.Today(half).AddDate(0, 0, -1))
	}
	switch {
	case !morning.Add(remindLead).After(deadline):
		return morning
	case evening.After(created):
		at := evening.Add(-time.Hour)
		if mid := created.Add(evening.Sub(created) / 2); mid.After(at) {
			at = mid
		}
		return at
	case morning.Before(deadline):
		return morning
	}
	return time.Time{}
}

// timeOut cancels a pending order the farmer did not answer, at its
// deadline: the stock is on sale again at once. At night the farmer is told
// in the morning, as the bot writes to her unprompted only then; the buyer
// at once: it is the answer they wait for, at the time they were told.
func (r *Router) timeOut(ctx context.Context, o *Order, now time.Time) error {
	o.Status, o.Reason = Cancelled, Reason{Key: ReasonTimeout}
	notices, err := orderChanged(ctx, r.Deps, o, now)
	if err != nil {
		return err
	}
	if h := r.wakingHours(); r.Deps.Held != nil && !h.awake(now) {
		morning, deadline := h.morning(now), o.CreatedAt.Add(r.Deps.OrderTimeout)
		for i, n := range notices {
			if n.Text.ID == "order.timed_out_farmer" {
				// Read in the morning, it says when it happened: at the
				// time her reminder named.
				timedOutAt(n.Text.Data, deadline, morning)
				notices[i].NotBefore = morning
				// Should she tap a button of the order before, she is
				// told then, and not again in the morning (takeTimedOut).
				notices[i].About = heldAbout(o.ID, farmerOf(o.Listing))
			}
		}
	}
	_, err = r.Deps.Orders.SetOrderStatus(ctx, o.ID, OrderChange{From: []string{Pending}, To: Cancelled, Reason: o.Reason}, notices...)
	return unlessStale(err)
}

// timedOutAt says in the farmer's timeout notice when the order cancelled
// itself (its deadline), as read at read: "lúc 02:00 sáng nay", "lúc 22:00
// tối qua". An evening's time read the same night has no words of its own
// and goes unsaid ("đã tự huỷ vì…").
func timedOutAt(data map[string]any, deadline, read time.Time) {
	evening := vn.Today(deadline).Before(vn.Today(read))
	if !evening && deadline.In(vn.Location()).Hour() >= 12 {
		delete(data, "At")
		delete(data, "Evening")
		return
	}
	data["At"], data["Evening"] = deadline.In(vn.Location()).Format("15:04"), evening
}

// heldAbout names a notice held about an order for the person it is to
// (Reply.About).
func heldAbout(orderID, userID int64) string {
	return "order:" + strconv.FormatInt(orderID, 10) + ":user:" + strconv.FormatInt(userID, 10)
}

// unlessStale: a change the user or another replica made first is no
// failure of periodic work; the next tick looks again.
func unlessStale(err error) error {
	if errors.Is(err, ErrStale) {
		return nil
	}
	return err
}

// remind asks the farmer, once, to answer an order before its deadline.
func (r *Router) remind(ctx context.Context, o *Order, now time.Time) error {
	farmer, err := farmerChat(ctx, r.Deps, o.Listing)
	if err != nil {
		return err
	}
	var notices []Reply
	if farmer != nil { // else nobody to remind, but it is done
		notices = append(notices, r.reminder(o, farmer))
	}
	return unlessStale(r.Deps.Orders.Reminded(ctx, o.ID, now, notices...))
}

func (r *Router) reminder(o *Order, farmer *userChat) Reply {
	fm := Format{Texts: r.Texts, Lang: farmer.lang, Products: r.Deps.Catalogs.Products}
	deadline := o.CreatedAt.Add(r.Deps.OrderTimeout)
	return Reply{To: farmer.ref, Lang: farmer.lang, Choices: farmerActions(o),
		Text: M("order.remind", append(orderData(fm, o), "Deadline", fm.Date(deadline),
			"Time", deadline.In(vn.Location()).Format("15:04"))...)}
}

// partyTo tells whether a user is a side of an order: its buyer, its
// listing's farmer, or the helper who posted the listing for a farmer
// without an account (Listing.Answers).
func partyTo(o *Order, userID int64) bool {
	return o.BuyerID == userID || o.Listing.Answers(userID)
}

// farmerAnswers is what a user who is no side of o is told of it: the
// helper who posted its listing, that the farmer, who has claimed her
// profile since, answers it herself; anyone else, that there is no such
// order of theirs.
func farmerAnswers(o *Order, userID int64) Msg {
	if o.Listing.PostedFor(userID) {
		return M("orders.farmer_answers", "Name", o.Listing.Seller.Name, "Code", o.Code)
	}
	return M("orders.gone")
}
