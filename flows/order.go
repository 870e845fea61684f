package flows

import (
	gojson "github.com/goccy/go-json"

	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

type orderDraft struct {
	ListingID int64       `json:"listing"`
	Nonce     string      `json:"nonce"`           // the order's identity: placing it twice places it once
	Price     vn.Price    `json:"price"`           // as the buyer saw it
	Known     string      `json:"known,omitempty"` // the address remembered from last time
	Quantity  vn.Quantity `json:"quantity"`        // in the listing's unit
	Asked     vn.Quantity `json:"asked"`           // as the buyer typed it: 50 kg of a listing in tạ
	Name      string      `json:"name,omitempty"`
	Phone     string      `json:"phone,omitempty"`
	Delivery  string      `json:"delivery,omitempty"`
	Address   string      `json:"address,omitempty"`
	Note      string      `json:"note,omitempty"`
	// Said: the rows answered in the buyer's first message ("mua NS-7K2Q
	// 20kg giao Hà Nội"), not asked unless changed from the summary.
	Said []Step `json:"said,omitempty"`
}

// said tells whether row was answered in the first message.
func (d *orderDraft) said(row Step) bool { return slices.Contains(d.Said, row) }

// returning: a buyer who ordered before is not asked their name and phone.
func (d *orderDraft) returning() bool { return d.Name != "" && d.Phone != "" }

// stamp names what a summary shows: the order (its Nonce) as it is
// filled in now. Its buttons carry it, and place, change or cancel the
// order only while the draft is still what the buyer saw.
func (d *orderDraft) stamp() string { return stamp(d.Nonce, d) }

// wholeCount tells whether a counted quantity is whole: half a pomelo
// cannot be sold, half a kilogram can.
func wholeCount(q vn.Quantity) bool {
	return q.Unit.IsWeight() || q.Unit == vn.UnitLit || q.Milli%1000 == 0
}

// wholeCounted tells whether q is whole as wholeCount does, or, where a
// chục counts ten of counted (eggs: quả), a whole number of them: 2,5 chục
// of eggs is 25 quả; 2,5 chục of oranges is not whole.
func wholeCounted(q vn.Quantity, counted vn.Unit) bool {
	c, ok := q.Counted(counted)
	return wholeCount(q) || ok && wholeCount(c)
}

// newNonce names a draft's outcome (an order, a listing) so that doing it
// again, on a retried or repeated update, finds it done.
func newNonce() string {
	b := make([]byte, 9)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// codePattern finds a listing code as typed: "NS-7K2Q", "ns 7k2q", "NS7K2Q".
var codePattern = regexp.MustCompile(`(?i)\bns[ -]?([0-9a-z]{4})\b`)

// buyCode reads the listing code of "mua NS-7K2Q" ("buy NS-7K2Q" in
// English, as the English texts may say it) or of a deep link
// payload "buy_NS7K2Q" (maybe followed by a quantity: "buy_NS7K2Q_q20kg").
func buyCode(in Input) (string, bool) {
	text := vn.Fold(in.Text)
	switch {
	case in.Command == "start" && strings.HasPrefix(in.Arg, "buy_"):
		code, _, _ := strings.Cut(strings.TrimPrefix(in.Arg, "buy_"), "_")
		text = "mua " + code
	case in.Kind == KindChoice && strings.HasPrefix(in.Text, "buy:"):
		text = "mua " + strings.TrimPrefix(vn.Fold(in.Text), "buy:")
	}
	rest, ok := strings.CutPrefix(text, "mua ")
	if !ok {
		rest, ok = strings.CutPrefix(text, "buy ")
	}
	if !ok {
		rest = text // the code alone: "NS-7K2Q"
	}
	m := codePattern.FindStringSubmatch(rest)
	if !ok && (m == nil || len(m[0]) != len(rest)) {
		return "", false
	}
	if m == nil {
		return "", false
	}
	return "NS-" + strings.ToUpper(m[1]), true
}

// onlyCode tells whether in names a listing and nothing more: "mua
// NS-7K2Q", the code alone, a deep link without a quantity.
func onlyCode(in Input) bool {
	if in.Command == "start" {
		return !strings.Contains(strings.TrimPrefix(in.Arg, "buy_"), "_")
	}
	text := vn.Fold(in.Text)
	for _, verb := range []string{"mua ", "buy "} {
		text = strings.TrimPrefix(text, verb)
	}
	m := codePattern.FindStringIndex(text)
	return m != nil && m[0] == 0 && m[1] == len(text)
}

// order is the order form. Its rows are named here when an answer leads to them.
type order struct {
	deps                                             Deps
	form                                             *Form[orderDraft]
	quantity, quantityCheck, phone, address, summary *Field[orderDraft]
}

func orderFlow(d Deps) *Flow { return newOrder(d).form.Flow() }

// newOrder is the order flow's table, in the buyer's private chat, opened by
// a group post's deep link or by typing "mua NS-7K2Q": quantity → name →
// phone → delivery (→ address) → note → summary → place. A known buyer
// skips name and phone.
func newOrder(d Deps) *order {
	f := &order{deps: d}
	f.form = &Form[orderDraft]{Name: "order", Start: f.start, Labels: "order.field_", Stamp: (*orderDraft).stamp}
	f.quantity = f.form.Row(Field[orderDraft]{Step: "quantity", Ask: f.askQty, Answer: f.onQty, Edit: "quantity",
		Known: func(d *orderDraft) bool { return d.said("quantity") }})
	f.quantityCheck = f.form.Row(Field[orderDraft]{Step: "quantity_check", Ask: f.askQtyCheck, Answer: f.onQtyCheck, Aside: true})
	f.form.Row(Field[orderDraft]{Step: "name", Ask: f.askName, Answer: f.onName, Edit: "name",
		Known: (*orderDraft).returning})
	f.phone = f.form.Row(Field[orderDraft]{Step: "phone", Ask: f.askPhone, Answer: f.onPhone, Edit: "phone",
		Known: (*orderDraft).returning})
	f.form.Row(Field[orderDraft]{Step: "delivery", Ask: f.askDelivery, Answer: f.onDelivery, Edit: "delivery",
		Known: func(d *orderDraft) bool { return d.said("delivery") }})
	f.address = f.form.Row(Field[orderDraft]{Step: "address", Ask: f.askAddress, Answer: f.onAddress, Follows: true,
		Known: func(d *orderDraft) bool { return d.said("address") || d.said("delivery") && d.Delivery == "pickup" }})
	f.form.Row(Field[orderDraft]{Step: "note", Ask: f.askNote, Answer: f.onNote, Edit: "note",
		Skip: func(d *orderDraft) { d.Note = "" }})
	f.summary = f.form.Row(Field[orderDraft]{Step: "summary", Ask: f.showSummary, Answer: f.onSummary, Summary: true})
	return f
}

// listing is the listing being ordered, as it is now.
func (f *order) listing(c *Conv, d *orderDraft) (*Listing, error) {
	l, err := f.deps.Listings.Listing(c.Context(), d.ListingID)
	if err != nil {
		return nil, fmt.Errorf("listing of order draft: %w", err)
	}
	return l, nil
}

func (f *order) start(ctx context.Context, c *Conv, d *orderDraft, in Input) (Go, error) {
	code, ok := buyCode(in)
	if !ok {
		c.Say(M("order.ask_code"))
		return Finish(), nil
	}
	op, err := f.deps.Orders.Opening(ctx, OpeningOf{Code: code, Buyer: c.User.ID, Profile: true, Open: f.deps.Limits.OpenOrders > 0})
	l := op.Listing
	switch {
	case errors.Is(err, ErrNotFound):
		c.Say(M("order.no_listing", "Code", code))
		return Finish(), nil
	case err != nil:
		return Go{}, err
	case l.Answers(c.User.ID):
		c.Say(M("order.own_listing", "Code", l.Code))
		return Finish(), nil
	case l.Status == SoldOut || (l.Status == Active && l.Remaining == 0):
		f.noSale(ctx, c, l, "order.sold_out")
		return Finish(), nil
	case l.Status != Active || !c.Now.Before(l.ExpiresAt): // past its expiry, it ends at the next tick
		f.noSale(ctx, c, l, "order.ended")
		return Finish(), nil
	}
	if openOrdersFull(f.deps, c, op.Open) {
		return Finish(), nil
	}
	*d = orderDraft{ListingID: l.ID, Nonce: newNonce(), Price: l.Price}
	if b := op.Profile; b != nil {
		d.Name, d.Phone, d.Address, d.Known = b.Name, b.Phone, b.Address, b.Address
		// A name or an address saved with a phone number in it, from
		// before such were refused, would reach the farmer before she
		// accepts: asked again, and forgotten now, not kept until the
		// buyer gives another (nor kept by an order collected at the farm).
		var refused BuyerProfile
		if vn.ContainsPhone(d.Name) {
			refused.Name, d.Name = d.Name, ""
		}
		if d.Known != "" && !keepable(d.Known) {
			refused.Address, d.Address, d.Known = d.Known, "", ""
		}
		if refused != (BuyerProfile{}) {
			if err := f.deps.Orders.ForgetBuyer(ctx, c.User.ID, refused); err != nil {
				return Go{}, err
			}
		}
	}
	// The listing as in the group, in the buyer's language, then the first
	// question not answered already.
	post := postReply(c.F(), l, c.In.ChatKey(), "")
	post.Choices, post.Footer = nil, nil
	c.add(post)
	return f.takeSaid(c, d, l, in), nil
}

// takeSaid fills the draft with what the buyer said in the message that
// opened the order, and says where to go: the quantity question unless a
// quantity was said and is one that can be ordered (else its question,
// after why not).
func (f *order) takeSaid(c *Conv, d *orderDraft, l *Listing, in Input) Go {
	said := saidInOpening(in)
	if said.Delivery != "" {
		d.Delivery, d.Said = said.Delivery, append(d.Said, "delivery")
	}
	if said.Address != "" && said.Delivery == "deliver" {
		d.Address, d.Said = said.Address, append(d.Said, "address")
	}
	if said.Quantity.Milli == 0 {
		return To(f.quantity)
	}
	if reason := f.takeQty(c, d, l, said.Quantity, nil); reason != nil {
		c.Say(*reason)
		return To(f.quantity)
	}
	if said.Unsure {
		return To(f.quantityCheck) // two amounts: the first, confirmed
	}
	d.Said = append(d.Said, "quantity")
	return Past(f.quantity)
}

func (f *order) askQtyCheck(c *Conv, d *orderDraft) Question {
	return Ask(M("order_once.quantity_check", "Quantity", c.F().Quantity(d.Asked)), confirmChoices()...)
}

// onQtyCheck takes the confirmation, or a quantity typed instead.
func (f *order) onQtyCheck(ctx context.Context, c *Conv, d *orderDraft, in Input) (Go, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "yes":
		return Next(), nil
	case in.Kind == KindChoice && in.Text == "no":
		return To(f.quantity), nil
	}
	return f.onQty(ctx, c, d, in)
}

// noSale tells the buyer why the listing sells nothing (msg: sold out,
// ended, expired) and offers other listings of the product.
func (f *order) noSale(ctx context.Context, c *Conv, l *Listing, msg string) {
	c.Say(M(msg, "Product", l.Product, "Code", l.Code))
	c.add(offerSimilar(ctx, f.deps, c.In.ChatKey(), c.Lang, c.User.ID, l)...)
}

// offerSimilar suggests other listings of the same product to a buyer
// (their user id), in one message (none when there are none). A
// suggestion is a courtesy: when they cannot be found, the buyer simply
// gets none.
func offerSimilar(ctx context.Context, deps Deps, to ChatRef, lang string, buyer int64, l *Listing) []Reply {
	similar, err := deps.Orders.Similar(ctx, l, buyer, 3)
	if err != nil || len(similar) == 0 {
		return nil
	}
	var rows [][]Choice
	fm := Format{Texts: deps.Texts, Lang: lang, Products: deps.Catalogs.Products}
	for _, s := range similar {
		data := []any{"Code", s.Code, "Product", s.Product, "Price", fm.Price(s.Price), "Place", fm.Area(s.Seller.Area)}
		// Typed, from any chat, as "mua NS-7K2Q": the offer may come with a
		// notice, where its number means nothing.
		typed := M("typed.buy", data...)
		rows = append(rows, []Choice{{Label: M("order.similar_item", data...), Value: "buy:" + s.Code, Typed: &typed}})
	}
	return []Reply{{To: to, Lang: lang, Text: M("order.similar"), Choices: rows}}
}

func (f *order) askQty(c *Conv, d *orderDraft) Question {
	l, err := f.listing(c, d)
	if err != nil {
		c.Fail(err)
		return Question{}
	}
	min := ""
	if l.MinOrder > 0 {
		min = c.F().Stock(vn.Quantity{Milli: l.MinOrder, Unit: l.Quantity.Unit}, l.ProductKey)
	}
	// Less left than the minimum: the farmer sells the rest whole, and the
	// example is that; else the example is the minimum, when there is one.
	return Ask(M("order.quantity", "Remaining", c.F().Stock(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit}, l.ProductKey),
		"Unit", c.F().Unit(l.Quantity.Unit), "Price", c.F().Price(l.Price), "Min", min, "Whole", wholeRest(l),
		"Example", qtyExample(c, l)))
}

// qtyExample is the quantity the order's question gives as an example,
// and its reprompt: what is left when it is sold whole, the minimum order
// when there is one, else 2 of the listing's unit (1, or what is left,
// when less than that is left).
func qtyExample(c *Conv, l *Listing) string {
	ex := int64(2000)
	switch {
	case wholeRest(l):
		ex = l.Remaining
	case l.MinOrder > 0:
		ex = l.MinOrder
	case l.Remaining <= 0: // sold out meanwhile: any example
	case l.Remaining < 1000:
		ex = l.Remaining
	case l.Remaining < ex:
		ex = 1000
	}
	return c.F().Stock(vn.Quantity{Milli: ex, Unit: l.Quantity.Unit}, l.ProductKey)
}

// wholeRest tells whether a listing has less left than its minimum order:
// then the rest is sold whole, no more and no less.
func wholeRest(l *Listing) bool { return l.Remaining > 0 && l.Remaining < l.MinOrder }

// wholeRestMsg tells a buyer that the farmer sells what is left (left,
// in milli-units of l's unit) whole, as it is less than the minimum order
// min.
func wholeRestMsg(c *Conv, l *Listing, left, min int64) Msg {
	return M("order.whole_rest", "Remaining", c.F().Stock(vn.Quantity{Milli: left, Unit: l.Quantity.Unit}, l.ProductKey),
		"Min", c.F().Stock(vn.Quantity{Milli: min, Unit: l.Quantity.Unit}, l.ProductKey))
}

func (f *order) onQty(_ context.Context, c *Conv, d *orderDraft, in Input) (Go, error) {
	if in.Kind != KindText {
		return NotUnderstood(), nil
	}
	l, err := f.listing(c, d)
	if err != nil {
		return Go{}, err
	}
	asked, err := parseIn(in.Text, l.Quantity.Unit, counted(f.deps, l), l.Product)
	if lexicon.is(controlKey(in.Text), wordAll) { // "lấy hết": what is left
		asked, err = vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit}, nil
	}
	if reason := f.takeQty(c, d, l, asked, err); reason != nil {
		return Again(*reason), nil
	}
	return Next(), nil // past name and phone for a returning buyer
}

// counted is what a chục of l counts ten of: quả where its product is sold
// by the piece (eggs), nothing for fruit, whose chục is its own unit, not
// always ten (DOMAIN.md).
func counted(deps Deps, l *Listing) vn.Unit { return countedOf(deps.Catalogs.Products, l.ProductKey) }

// parseIn reads a quantity typed for a listing in unit, a bare number
// being in unit; where a chục counts ten of counted (eggs), what reads only
// so is taken too: "2 chục 5 quả" is 25 quả of eggs listed by the chục.
// The product's name counts it ("20 bí" of bí đỏ: 20 quả, not bì).
func parseIn(text string, unit, counted vn.Unit, product string) (vn.Quantity, error) {
	q, err := vn.ParseQuantityOf(text, unit, product)
	if err != nil && counted != "" && counted != unit {
		if c, cerr := vn.ParseQuantityOf(text, counted, product); cerr == nil {
			return c, nil
		}
	}
	return q, err
}

// countedOf is what a chục of the product with key counts ten of, as
// counted; no catalog counts nothing.
func countedOf(products *vn.Catalog, key string) vn.Unit {
	if products == nil {
		return ""
	}
	if p, ok := products.ByKey(key); ok && p.Unit == vn.UnitQua {
		return vn.UnitQua
	}
	return ""
}

// pieceMinOf is the lowest plausible price of one piece of the product
// key (Product.PieceMin), 0 for the usual or a product typed freely.
func pieceMinOf(products *vn.Catalog, key string) int64 {
	if products == nil {
		return 0
	}
	p, _ := products.ByKey(key)
	return p.PieceMin
}

// takeQty takes the quantity asked (as parsed, with the parser's error)
// into the draft, in the listing's unit; else it says why not. A chục of
// eggs is ten of them (counted): "2 chục" of eggs listed by quả is 20 quả,
// "25 quả" of eggs listed by the chục 2,5 chục (any whole number of eggs
// is sold); "2 chục" of pomelos listed by quả is refused, and asked again
// in quả, as "20 quả" of oranges listed by the chục is in chục.
func (f *order) takeQty(c *Conv, d *orderDraft, l *Listing, asked vn.Quantity, err error) (reason *Msg) {
	q, counted := asked, counted(f.deps, l)
	if err == nil {
		var ok bool
		if q, ok = asked.InCounted(l.Quantity.Unit, counted); !ok {
			err = vn.ErrUnknownUnit
		}
	}
	unit := c.F().Unit(l.Quantity.Unit)
	var m Msg
	switch {
	case errors.Is(err, vn.ErrZero):
		m = M("order.quantity_zero", "Unit", unit)
	case err != nil || q.Milli <= 0: // the question's example, never more than she can buy
		m = M("order.quantity_bad", "Unit", unit, "Example", qtyExample(c, l))
	case !wholeCounted(q, counted):
		m = M("order.quantity_whole", "Unit", unit)
	case wholeRest(l) && q.Milli != l.Remaining:
		m = wholeRestMsg(c, l, l.Remaining, l.MinOrder)
	case q.Milli > l.Remaining:
		m = M("order.only_left", "Remaining", c.F().Stock(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit}, l.ProductKey))
	case q.Milli < l.MinOrder && q.Milli < l.Remaining:
		m = M("order.below_min", "Min", c.F().Stock(vn.Quantity{Milli: l.MinOrder, Unit: l.Quantity.Unit}, l.ProductKey))
	default:
		d.Quantity, d.Asked = q, asked
		return nil
	}
	return &m
}

func (f *order) askName(c *Conv, _ *orderDraft) Question { return askName(c, "order.name") }

func (f *order) onName(_ context.Context, c *Conv, d *orderDraft, in Input) (Go, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "keep" && platformName(c) != "":
		d.Name = c.User.Name
	case in.Kind == KindText && tooLong(in.Text, maxName):
		return Again(M("order.name_long")), nil
	case withPhone(in): // the name reaches the farmer with the order, the number only once it is accepted
		return Again(M("order.name_phone")), nil
	case in.Kind == KindText && validName(in.Text):
		d.Name = in.Text
	default:
		return NotUnderstood(), nil
	}
	return Next(), nil
}

func (f *order) askPhone(*Conv, *orderDraft) Question {
	return Question{Text: M("order.phone"), Contact: true}
}

func (f *order) onPhone(_ context.Context, c *Conv, d *orderDraft, in Input) (Go, error) {
	if in.Kind != KindText && in.Kind != KindContact {
		return NotUnderstood(), nil
	}
	phone, name, err := vn.ParsePhoneRest(in.Phone + in.Text)
	if err != nil || name != "" && (tooLong(name, maxName) || !validName(name)) {
		return Again(M("reg.phone_bad")), nil
	}
	if vn.ContainsPhone(name) { // a second number is no name: which one to call?
		return Again(M("reg.phone_one")), nil
	}
	if name != "" { // "0912 345 678 chị Lan": the name said last is the one to call
		d.Name = name
	}
	d.Phone = phone
	c.reply(Reply{Text: M("reg.phone_ok", "Phone", vn.FormatPhone(phone)), ClearKeyboard: true})
	return Next(), nil
}

func (f *order) askDelivery(*Conv, *orderDraft) Question {
	return Ask(M("order.delivery"),
		[]Choice{{Label: M("order.pickup"), Value: "pickup", Words: []string{"nhan tai vuon", "tu lay", "lay tai vuon", "collect at the farm"}}},
		[]Choice{{Label: M("order.deliver"), Value: "deliver", Words: []string{"giao", "giao hang", "ship"}}})
}

func (f *order) onDelivery(_ context.Context, _ *Conv, d *orderDraft, in Input) (Go, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "pickup":
		d.Delivery, d.Address = "pickup", ""
		return Past(f.address), nil
	case in.Kind == KindChoice && in.Text == "deliver":
		d.Delivery = "deliver"
		return Next(), nil
	}
	return NotUnderstood(), nil
}

func (f *order) askAddress(_ *Conv, d *orderDraft) Question {
	if keepable(d.Known) {
		return Ask(M("order.address", "Known", d.Known), []Choice{{Label: M("order.address_keep", "Address", d.Known), Value: "keep"}})
	}
	return Ask(M("order.address"))
}

// maxAddress: an address fits on a delivery slip.
const maxAddress = 200

func (f *order) onAddress(_ context.Context, _ *Conv, d *orderDraft, in Input) (Go, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "keep" && keepable(d.Known):
		d.Address = d.Known
	case in.Kind == KindText && tooLong(in.Text, maxAddress):
		return Again(M("order.address_long")), nil
	case withPhone(in): // the address reaches the farmer with the order, the number only once it is accepted
		return Again(M("order.address_phone")), nil
	case in.Kind == KindText && utf8.RuneCountInString(in.Text) >= 5 && saysSomething(in.Text) && !strings.HasPrefix(in.Text, "/"):
		d.Address = in.Text
	default:
		return NotUnderstood(), nil
	}
	return Next(), nil
}

// keepable tells whether the address remembered from last time may be
// offered again: not one saved with a phone number in it, which would reach
// the farmer before she accepts.
func keepable(known string) bool { return known != "" && !vn.ContainsPhone(known) }

func (f *order) askNote(*Conv, *orderDraft) Question { return Ask(M("order.note")) }

func (f *order) onNote(_ context.Context, _ *Conv, d *orderDraft, in Input) (Go, error) {
	switch {
	case in.Kind == KindText && tooLong(in.Text, maxNote):
		return Again(M("order.note_long")), nil
	case withPhone(in): // the note reaches the farmer with the order, the number only once it is accepted
		return Again(M("order.note_phone")), nil
	case in.Kind == KindText && bareNumber(in.Text):
		// "2" under a list numbered "1. ⏭ Bỏ qua": a choice missed, no note.
		return Again(M("order.note_number")), nil
	case in.Kind == KindText && saysSomething(in.Text):
		d.Note = in.Text
	default:
		return NotUnderstood(), nil
	}
	return Next(), nil
}

// bareNumber tells whether s is a number and nothing else ("2", "3."),
// which says nothing to a farmer as a note.
func bareNumber(s string) bool {
	s = strings.Trim(s, " .")
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// orderData is the template data of an order, in f's language.
func orderData(f Format, o *Order) []any {
	delivery := f.Texts.Text(f.Lang, M("order.pickup")) // the button's words, its sign included
	if o.Delivery == "deliver" {
		delivery = f.Texts.Text(f.Lang, M("order.deliver_to", "Address", o.Address))
	}
	price := o.Price // the order's own: the farmer's, for one at her price
	if price.VND == 0 {
		price = o.Listing.Price
	}
	return []any{
		"Code", o.Code, "Product", o.Listing.Product, "ListingCode", o.Listing.Code,
		"Quantity", f.Ordered(o), "Price", f.Price(price), "Total", f.Money(o.Total), "Counter", o.CounterOf != 0,
		"Name", o.BuyerName, "Phone", formatPhone(o.BuyerPhone), "Delivery", delivery, "Note", o.Note,
		"Status", f.Texts.Text(f.Lang, M("order_status."+o.Status)), "Seller", o.Listing.Seller.Name,
		"Helped", helpedName(o.Listing),
	}
}

// helpedName is the name of the farmer a helper posted l for, "" for a
// farmer who answers herself: the helper told of an order reads whose it
// is (she may post for ten farmers), and that the buyer was given the
// farmer's number, not hers.
func helpedName(l *Listing) string {
	if l.Seller.UserID != 0 || l.HelperID == 0 {
		return ""
	}
	return l.Seller.Name
}

// sellerStatuses are the order statuses that the farmer reads as their
// own doing ("chờ anh/chị nhận đơn"), rather than the nhà vườn's, as if
// someone else had to act.
var sellerStatuses = []string{Pending, Accepted, Shipping, Declined}

// sellerData is orderData as the farmer sees it: the buyer's phone number
// only once the farmer has accepted the order, and the status in the
// farmer's own words.
func sellerData(f Format, o *Order) []any {
	data := orderData(f, o)
	hidePhone := o.Status != Accepted && o.Status != Shipping && o.Status != Completed
	for i := 0; i+1 < len(data); i += 2 {
		switch {
		case data[i] == "Phone" && hidePhone:
			data[i+1] = ""
		case data[i] == "Status" && slices.Contains(sellerStatuses, o.Status):
			data[i+1] = f.Texts.Text(f.Lang, M("order_status_seller."+o.Status))
		}
	}
	return data
}

// buyerStatuses are the order statuses that the buyer reads as her own
// doing ("anh/chị đã nhận hàng"), not a "người mua" she would not know
// to be her.
var buyerStatuses = []string{Completed}

// buyerData is orderData as the buyer sees it: the status in her own words.
func buyerData(f Format, o *Order) []any {
	data := orderData(f, o)
	for i := 0; i+1 < len(data); i += 2 {
		if data[i] == "Status" && slices.Contains(buyerStatuses, o.Status) {
			data[i+1] = f.Texts.Text(f.Lang, M("order_status_buyer."+o.Status))
		}
	}
	return data
}

// dataFor is the order's data as userID sees it: sellerData for its farmer
// (or the helper who posted the listing), buyerData for its buyer.
func dataFor(f Format, o *Order, userID int64) []any {
	if o.Listing.Answers(userID) {
		return sellerData(f, o)
	}
	return buyerData(f, o)
}

// asOrder is the draft as an order of the conversation's buyer.
func (d orderDraft) asOrder(c *Conv, l *Listing) *Order {
	seen := *l
	seen.Price = d.Price // the summary shows, and the order keeps, the price the buyer agreed to
	total, _ := d.Price.Total(d.Quantity)
	return &Order{ListingID: l.ID, BuyerID: c.User.ID, Quantity: d.Quantity, Asked: d.Asked, Total: total, Price: d.Price,
		BuyerName: d.Name, BuyerPhone: d.Phone, Delivery: d.Delivery, Address: d.Address, Note: d.Note,
		Status: Pending, Listing: &seen}
}

func (f *order) showSummary(c *Conv, d *orderDraft) Question {
	l, err := f.listing(c, d)
	if err != nil {
		c.Fail(err)
		return Question{}
	}
	return Ask(M("order.summary", orderData(c.F(), d.asOrder(c, l))...),
		[]Choice{{Label: M("order.place"), Value: "place", Words: []string{"dat", "dat hang", "dong y", "ok", "co", "order"}}},
		[]Choice{{Label: M("sell.edit"), Value: "edit", Words: []string{"sua"}}, {Label: M("sell.cancel"), Value: "cancel"}})
}

func (f *order) onSummary(ctx context.Context, c *Conv, d *orderDraft, in Input) (Go, error) {
	if in.Kind != KindChoice {
		return NotUnderstood(), nil
	}
	switch in.Text { // a button of this summary (Form.Stamp)
	case "place":
		return f.place(ctx, c, d)
	case "edit":
		return EditFields(), nil
	case "cancel":
		c.Say(M("cancel.done"))
		return Finish(), nil
	}
	return NotUnderstood(), nil
}

// place reserves the stock and tells the farmer, the buyer and the groups.
func (f *order) place(ctx context.Context, c *Conv, d *orderDraft) (Go, error) {
	source := "order:" + d.Nonce
	op, err := f.deps.Orders.Opening(ctx, OpeningOf{ListingID: d.ListingID, Buyer: c.User.ID,
		Open: f.deps.Limits.OpenOrders > 0, Source: source})
	if err != nil {
		return Go{}, fmt.Errorf("listing of order draft: %w", err)
	}
	l := op.Listing
	if openOrdersFull(f.deps, c, op.Open) {
		return Finish(), nil
	}
	address := d.Address
	if address == "" {
		address = d.Known // collecting at the farm keeps the address for next time
	}
	keep := BuyerProfile{Name: d.Name, Phone: d.Phone, Address: address}
	placing := d.asOrder(c, l)
	// When to remind the farmer is decided now and stored, so that the
	// tick reads only the orders due, not every one waiting.
	placing.RemindAt = remindAt(f.deps.wakingHours(), c.Now, c.Now.Add(f.deps.OrderTimeout))
	o, err := f.deps.Orders.PlaceOrder(ctx, placing, source, keep)
	var notEnough *NotEnoughError
	var belowMin *BelowMinError
	switch {
	case errors.Is(err, ErrListingExpired):
		f.noSale(ctx, c, l, "order.expired")
		return Finish(), nil
	case errors.Is(err, ErrNotOnSale):
		f.noSale(ctx, c, l, "order.ended")
		return Finish(), nil
	case errors.Is(err, ErrPriceChanged):
		c.Say(M("order.price_changed", "Price", c.F().Price(l.Price)))
		d.Price = l.Price
		return To(f.summary), nil // its question again, at the new price
	case errors.As(err, &notEnough) && notEnough.Remaining == 0:
		f.noSale(ctx, c, l, "order.sold_out")
		return Finish(), nil
	case errors.As(err, &notEnough) && notEnough.Remaining < l.MinOrder:
		c.Say(wholeRestMsg(c, l, notEnough.Remaining, l.MinOrder))
		return Redo(f.quantity), nil
	case errors.As(err, &belowMin) && belowMin.Remaining < belowMin.Min:
		c.Say(wholeRestMsg(c, l, belowMin.Remaining, belowMin.Min))
		return Redo(f.quantity), nil
	case errors.As(err, &notEnough):
		c.Say(M("order.only_left", "Remaining", c.F().Stock(vn.Quantity{Milli: notEnough.Remaining, Unit: l.Quantity.Unit}, l.ProductKey)))
		return Redo(f.quantity), nil
	case errors.As(err, &belowMin):
		c.Say(M("order.min_raised", "Min", c.F().Stock(vn.Quantity{Milli: belowMin.Min, Unit: l.Quantity.Unit}, l.ProductKey)))
		return Redo(f.quantity), nil
	case err != nil:
		return Go{}, err
	}
	return Finish(), tellPlaced(ctx, f.deps, c, o)
}

// tellPlaced tells of an order just placed: the buyer (with ❌ Huỷ đơn),
// the farmer (✅ Nhận đơn, ❌ Từ chối) and the groups. extra is more data
// for the buyer's and the farmer's messages.
func tellPlaced(ctx context.Context, deps Deps, c *Conv, o *Order, extra ...any) error {
	hours := timeoutHours(deps.OrderTimeout)
	// ❌ Huỷ đơn under it: "huỷ" said next cancels this order (cancelOrder).
	c.Ask(M("order.placed", append(append(orderData(c.F(), o), "Hours", hours), extra...)...), []Choice{actionChoice("cancel", o)})
	farmer, err := farmerChat(ctx, deps, o.Listing)
	if err != nil {
		return err
	}
	if farmer != nil {
		fm := Format{Texts: deps.Texts, Lang: farmer.lang, Products: deps.Catalogs.Products}
		c.SendTo(farmer.ref, farmer.lang, M("order.new", append(append(sellerData(fm, o), "Hours", hours), extra...)...), farmerActions(o)...)
	}
	news, err := orderNews(ctx, deps, o)
	if err != nil {
		return err
	}
	c.replies = append(c.replies, news...)
	return nil
}

// orderExpired tells a buyer coming back to an order she left unfinished
// longer than SESSION_TTL which order was dropped and, while its listing
// is on sale, what to type to order it again: "làm lại từ đầu" alone
// leaves her to find the code again. told is false when sess is no order.
func (r *Router) orderExpired(ctx context.Context, c *Conv, sess *Session, in Input) (told bool, err error) {
	if sess.Flow != "order" {
		return false, nil
	}
	var d orderDraft
	if err := gojson.Unmarshal(sess.Data, &d); err != nil || d.ListingID == 0 {
		return false, nil
	}
	l, err := r.Deps.Listings.Listing(ctx, d.ListingID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("listing of the order left: %w", err)
	}
	onSale := l.Status == Active && l.Remaining > 0 && c.Now.Before(l.ExpiresAt)
	_, reopens := buyCode(in) // "mua NS-7K2Q" again: she knows the way
	c.Say(M("order.left_expired", "Product", l.Product, "Code", l.Code, "OnSale", onSale && !reopens))
	return onSale, nil
}

// reorder opens the order of the listing in ("mua NS-B") while the buyer
// fills in another's (NS-A), which is left, saying so and how to buy it
// after: a form set aside would come back after this order's, its
// questions naming no listing. When the new order ends at once (sold
// out, her own listing), the one in progress goes on.
func (r *Router) reorder(ctx context.Context, c *Conv, in Input) error {
	current := *c.Session
	var d orderDraft
	if err := c.Draft(&d); err != nil {
		return err
	}
	at := len(c.replies)
	left := M("flow.left")
	if code, ok := buyCode(in); ok {
		l, err := r.Deps.Listings.Listing(ctx, d.ListingID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("listing of the order left: %w", err)
		}
		if err == nil && l.Code != code {
			left = M("order.left", "Code", l.Code, "Product", l.Product)
		}
		if err == nil && l.Code == code && onlyCode(in) {
			// The same listing's button tapped again, or its code typed
			// again: what she answered is kept, the question asked again.
			c.Say(M("order.same", "Code", l.Code, "Product", l.Product))
			r.prompt(c)
			return nil
		}
	}
	c.Say(left)
	if err := r.open(ctx, c, "order", in, current.Parent); err != nil {
		return err
	}
	if !c.Session.Active() {
		undoTaskDone(c)
		c.replies = slices.Delete(c.replies, at, at+1) // nothing was left
		*c.Session = current
		r.prompt(c)
	}
	return nil
}

// timeoutHours is how many hours a farmer has to answer a new order, as
// the notice says it: whole hours, rounded down so that the farmer is never
// promised more time than there is (at least 1).
func timeoutHours(d time.Duration) int {
	return max(1, int(d.Hours()))
}

func farmerActions(o *Order) [][]Choice {
	return [][]Choice{{actionChoice("accept", o), actionChoice("decline", o)}}
}

// actionWords are more typed answers for an order's action buttons: the
// words of their former labels.
var actionWords = map[string][]string{
	"ship": lexicon.of(wordShipLabel),
}

// actionChoice is the button of an order action ("ord:ship:42"), which
// can be typed with the order's code from any chat.
func actionChoice(name string, o *Order) Choice {
	return Choice{Label: M("order." + name), Value: "ord:" + name + ":" + strconv.FormatInt(o.ID, 10), Words: actionWords[name],
		Typed: typedChoice(name, o.Code)}
}

type userChat struct {
	ref  ChatRef
	lang string
}

// farmerChat is where the bot talks to a listing's seller: the farmer, or
// the helper who posted for a farmer without a smartphone.
func farmerChat(ctx context.Context, deps Deps, l *Listing) (*userChat, error) {
	who := farmerOf(l)
	if who == 0 {
		return nil, nil
	}
	return chatOf(ctx, deps, who)
}

// farmerOf is the person told of a listing's orders: its farmer, or the
// helper who posted it for a farmer without an account (0: neither).
func farmerOf(l *Listing) int64 {
	if l.Seller.UserID != 0 {
		return l.Seller.UserID
	}
	return l.HelperID
}

func chatOf(ctx context.Context, deps Deps, userID int64) (*userChat, error) {
	ref, lang, err := deps.UserChats.ChatOf(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("chat of user %d: %w", userID, err)
	}
	if lang == "" {
		lang = GroupLang
	}
	return &userChat{ref: ref, lang: lang}, nil
}

// orderNews are the group side of an order: a short announcement (no buyer
// name or phone) and the listing's posts edited with what remains. A post
// still waiting in its group's outbox (the group's gap) needs no edit, but
// the announcement follows it there. o's listing is as read with o (after
// the change, or just before it for a timeout); the edits and
// announcements are rebuilt from the stores when they are sent anyway.
func orderNews(ctx context.Context, deps Deps, o *Order) ([]Reply, error) {
	l := o.Listing
	posts, err := deps.Listings.Posts(ctx, l.ID)
	if err != nil {
		return nil, fmt.Errorf("posts of %s: %w", l.Code, err)
	}
	fm := Format{Texts: deps.Texts, Lang: GroupLang, Products: deps.Catalogs.Products}
	remaining := fm.Stock(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit}, l.ProductKey)
	var out []Reply
	// A burst of orders is announced once, at most AnnounceDelay after its
	// first order however long it goes on.
	for _, p := range posts {
		if p.Hidden {
			continue // taken down there by the group's admin
		}
		if o.Status == Pending { // once per group
			out = append(out, Reply{To: p.Group, Group: true, Lang: GroupLang, Coalesce: "order:" + l.Code, Delay: deps.AnnounceDelay,
				MaxWait: deps.AnnounceDelay, Rebuild: &Ref{Kind: RefListing, ID: l.ID},
				Text: M("order.announce", "Quantity", fm.Ordered(o), "Product", l.Product, "Code", l.Code,
					"Remaining", remaining, "SoldOut", l.Remaining == 0)})
		}
		if p.Sent() {
			e := postEdit(fm, l, p, deps.listingPage(l.Code))
			e.Delay, e.MaxWait = deps.AnnounceDelay, deps.AnnounceDelay
			out = append(out, e)
		}
	}
	return out, nil
}
