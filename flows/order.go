package flows

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// The order flow, in the buyer's private chat, opened by a group post's
// deep link or by typing "mua NS-7K2Q": quantity → name → phone → delivery
// (→ address) → note → summary → place. A known buyer skips name and phone.
const (
	orderQty      Step = "quantity"
	orderName     Step = "name"
	orderPhone    Step = "phone"
	orderDelivery Step = "delivery"
	orderAddress  Step = "address"
	orderNote     Step = "note"
	orderSummary  Step = "summary"
	orderEdit     Step = "edit"
)

type orderDraft struct {
	ListingID int64       `json:"listing"`
	Nonce     string      `json:"nonce"`           // the order's identity: placing it twice places it once
	Price     vn.Price    `json:"price"`           // as the buyer saw it
	Known     string      `json:"known,omitempty"` // the address remembered from last time
	Quantity  vn.Quantity `json:"quantity"`
	Name      string      `json:"name,omitempty"`
	Phone     string      `json:"phone,omitempty"`
	Delivery  string      `json:"delivery,omitempty"`
	Address   string      `json:"address,omitempty"`
	Note      string      `json:"note,omitempty"`
	Editing   bool        `json:"editing,omitempty"`
}

// wholeCount tells whether a counted quantity is whole: half a pomelo
// cannot be sold, half a kilogram can.
func wholeCount(q vn.Quantity) bool {
	return q.Unit.IsWeight() || q.Unit == vn.UnitLit || q.Milli%1000 == 0
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

// buyCode reads the listing code of "mua NS-7K2Q" or of a deep link
// payload "buy_NS7K2Q".
func buyCode(in Input) (string, bool) {
	text := vn.Fold(in.Text)
	switch {
	case in.Command == "start" && strings.HasPrefix(in.Arg, "buy_"):
		text = "mua " + strings.TrimPrefix(in.Arg, "buy_")
	case in.Kind == KindChoice && strings.HasPrefix(in.Text, "buy:"):
		text = "mua " + strings.TrimPrefix(vn.Fold(in.Text), "buy:")
	}
	rest, ok := strings.CutPrefix(text, "mua ")
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

func orderFlow(d Deps) *Flow {
	f := &order{deps: d}
	return &Flow{Name: "order", Start: f.start, Steps: map[Step]StepDef{
		orderQty:      {Prompt: f.askQty, Handle: f.onQty},
		orderName:     {Prompt: f.askName, Handle: f.onName},
		orderPhone:    {Prompt: func(c *Conv) { c.AskContact(M("order.phone")) }, Handle: f.onPhone},
		orderDelivery: {Prompt: f.askDelivery, Handle: f.onDelivery},
		orderAddress:  {Prompt: f.askAddress, Handle: f.onAddress},
		orderNote:     {Prompt: func(c *Conv) { c.Ask(M("order.note"), []Choice{skipChoice()}) }, Handle: f.onNote},
		orderSummary:  {Prompt: f.showSummary, Handle: f.onSummary},
		orderEdit:     {Prompt: f.askEdit, Handle: f.onEdit},
	}}
}

type order struct{ deps Deps }

func (f *order) draft(c *Conv) (orderDraft, *Listing, error) {
	var d orderDraft
	if err := c.Draft(&d); err != nil {
		return d, nil, err
	}
	l, err := f.deps.Listings.Listing(c.Context(), d.ListingID)
	return d, l, err
}

// next is natural, or the summary when one field was being changed.
func (d *orderDraft) next(natural Step) Step {
	if d.Editing {
		return orderSummary
	}
	return natural
}

func (f *order) start(ctx context.Context, c *Conv, in Input) (Step, error) {
	code, ok := buyCode(in)
	if !ok {
		c.Say(M("order.ask_code"))
		return Done, nil
	}
	l, err := f.deps.Orders.ListingByCode(ctx, code)
	switch {
	case errors.Is(err, ErrNotFound):
		c.Say(M("order.no_listing", "Code", code))
		return Done, nil
	case err != nil:
		return "", err
	case l.Seller.UserID == c.User.ID || l.HelperID == c.User.ID:
		c.Say(M("order.own_listing", "Code", l.Code))
		return Done, nil
	case l.Status == SoldOut || (l.Status == Active && l.Remaining == 0):
		f.soldOut(ctx, c, l)
		return Done, nil
	case l.Status != Active:
		c.Say(M("order.ended", "Product", l.Product, "Code", l.Code))
		offerSimilar(ctx, f.deps, c.In.ChatKey(), c.Lang, l, &c.replies)
		return Done, nil
	}
	d := orderDraft{ListingID: l.ID, Nonce: newNonce(), Price: l.Price}
	if b, err := f.deps.Orders.Buyer(ctx, c.User.ID); err == nil {
		d.Name, d.Phone, d.Address, d.Known = b.Name, b.Phone, b.Address, b.Address
	} else if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	// The listing as in the group, in the buyer's language, then the question.
	post := postReply(c.F(), l, c.In.ChatKey())
	post.Choices, post.Footer = nil, nil
	c.replies = append(c.replies, post)
	return orderQty, c.SetDraft(d)
}

// soldOut tells the buyer and offers other listings of the product.
func (f *order) soldOut(ctx context.Context, c *Conv, l *Listing) {
	c.Say(M("order.sold_out", "Product", l.Product, "Code", l.Code))
	offerSimilar(ctx, f.deps, c.In.ChatKey(), c.Lang, l, &c.replies)
}

// offerSimilar suggests other listings of the same product to a buyer.
func offerSimilar(ctx context.Context, deps Deps, to ChatRef, lang string, l *Listing, out *[]Reply) {
	similar, err := deps.Orders.Similar(ctx, l, 3)
	if err != nil || len(similar) == 0 {
		return
	}
	var rows [][]Choice
	fm := Format{Texts: deps.Texts, Lang: lang}
	for _, s := range similar {
		rows = append(rows, []Choice{{Label: M("order.similar_item", "Code", s.Code, "Product", s.Product,
			"Price", fm.Price(s.Price), "Place", fm.Area(s.Seller.Area)), Value: "buy:" + s.Code}})
	}
	*out = append(*out, Reply{To: to, Lang: lang, Text: M("order.similar"), Choices: rows})
}

func (f *order) askQty(c *Conv) {
	_, l, err := f.draft(c)
	if err != nil {
		c.Fail(err)
		return
	}
	min := ""
	if l.MinOrder > 0 {
		min = c.F().Quantity(vn.Quantity{Milli: l.MinOrder, Unit: l.Quantity.Unit})
	}
	c.Say(M("order.quantity", "Remaining", c.F().Quantity(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit}),
		"Unit", c.F().Unit(l.Quantity.Unit), "Price", c.F().Price(l.Price), "Min", min))
}

func (f *order) onQty(ctx context.Context, c *Conv, in Input) (Step, error) {
	if in.Kind != KindText {
		return Unclear, nil
	}
	d, l, err := f.draft(c)
	if err != nil {
		return "", err
	}
	q, err := vn.ParseQuantity(in.Text, l.Quantity.Unit)
	if err == nil {
		var ok bool
		if q, ok = q.In(l.Quantity.Unit); !ok {
			err = vn.ErrUnknownUnit
		}
	}
	switch {
	case errors.Is(err, vn.ErrZero):
		c.Say(M("order.quantity_zero", "Unit", c.F().Unit(l.Quantity.Unit)))
		return orderQty, nil
	case err != nil || q.Milli <= 0:
		c.Say(M("order.quantity_bad", "Unit", c.F().Unit(l.Quantity.Unit)))
		return orderQty, nil
	case !wholeCount(q):
		c.Say(M("order.quantity_whole", "Unit", c.F().Unit(l.Quantity.Unit)))
		return orderQty, nil
	}
	if q.Milli > l.Remaining {
		c.Say(M("order.only_left", "Remaining", c.F().Quantity(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit})))
		return orderQty, nil
	}
	if q.Milli < l.MinOrder && q.Milli < l.Remaining {
		c.Say(M("order.below_min", "Min", c.F().Quantity(vn.Quantity{Milli: l.MinOrder, Unit: l.Quantity.Unit})))
		return orderQty, nil
	}
	d.Quantity = q
	next := orderName
	if d.Name != "" && d.Phone != "" {
		next = orderDelivery // a returning buyer: name and phone as last time
	}
	return d.next(next), c.SetDraft(d)
}

func (f *order) askName(c *Conv) {
	c.Ask(M("order.name"), []Choice{{Label: M("reg.name_keep", "Name", c.User.Name), Value: "keep"}})
}

func (f *order) onName(_ context.Context, c *Conv, in Input) (Step, error) {
	var d orderDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	switch {
	case in.Kind == KindChoice && in.Text == "keep":
		d.Name = c.User.Name
	case in.Kind == KindText && validName(in.Text):
		d.Name = in.Text
	default:
		return Unclear, nil
	}
	return d.next(orderPhone), c.SetDraft(d)
}

func (f *order) onPhone(_ context.Context, c *Conv, in Input) (Step, error) {
	if in.Kind != KindText && in.Kind != KindContact {
		return Unclear, nil
	}
	var d orderDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	phone, err := vn.ParsePhone(in.Phone + in.Text)
	if err != nil {
		c.Say(M("reg.phone_bad"))
		return orderPhone, nil
	}
	d.Phone = phone
	c.reply(Reply{Text: M("reg.phone_ok", "Phone", vn.FormatPhone(phone)), ClearKeyboard: true})
	return d.next(orderDelivery), c.SetDraft(d)
}

func (f *order) askDelivery(c *Conv) {
	c.Ask(M("order.delivery"),
		[]Choice{{Label: M("order.pickup"), Value: "pickup", Words: []string{"nhan tai vuon", "tu lay", "lay tai vuon"}}},
		[]Choice{{Label: M("order.deliver"), Value: "deliver", Words: []string{"giao", "giao hang", "ship"}}})
}

func (f *order) onDelivery(_ context.Context, c *Conv, in Input) (Step, error) {
	var d orderDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	switch {
	case in.Kind == KindChoice && in.Text == "pickup":
		d.Delivery, d.Address = "pickup", ""
		return d.next(orderNote), c.SetDraft(d)
	case in.Kind == KindChoice && in.Text == "deliver":
		d.Delivery = "deliver"
		return orderAddress, c.SetDraft(d)
	}
	return Unclear, nil
}

func (f *order) askAddress(c *Conv) {
	var d orderDraft
	c.Draft(&d)
	if d.Known != "" {
		c.Ask(M("order.address"), []Choice{{Label: M("order.address_keep", "Address", d.Known), Value: "keep"}})
		return
	}
	c.Say(M("order.address"))
}

func (f *order) onAddress(_ context.Context, c *Conv, in Input) (Step, error) {
	var d orderDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	switch {
	case in.Kind == KindChoice && in.Text == "keep" && d.Known != "":
		d.Address = d.Known
	case in.Kind == KindText && utf8.RuneCountInString(in.Text) > 200:
		c.Say(M("order.address_long"))
		return orderAddress, nil
	case in.Kind == KindText && utf8.RuneCountInString(in.Text) >= 5 && !strings.HasPrefix(in.Text, "/"):
		d.Address = in.Text
	default:
		return Unclear, nil
	}
	return d.next(orderNote), c.SetDraft(d)
}

func (f *order) onNote(_ context.Context, c *Conv, in Input) (Step, error) {
	var d orderDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	switch {
	case in.Kind == KindChoice && in.Text == "skip":
		d.Note = ""
	case in.Kind == KindText && utf8.RuneCountInString(in.Text) <= maxNote:
		d.Note = in.Text
	default:
		return Unclear, nil
	}
	return orderSummary, c.SetDraft(d)
}

// orderData is the template data of an order, in f's language.
func orderData(f Format, o *Order) []any {
	delivery := strings.TrimSpace(stripEmoji(f.Texts.Text(f.Lang, M("order.pickup"))))
	if o.Delivery == "deliver" {
		delivery = f.Texts.Text(f.Lang, M("order.deliver_to", "Address", o.Address))
	}
	return []any{
		"Code", o.Code, "Product", o.Listing.Product, "ListingCode", o.Listing.Code,
		"Quantity", f.Quantity(o.Quantity), "Price", f.Price(o.Listing.Price), "Total", f.Money(o.Total),
		"Name", o.BuyerName, "Phone", formatPhone(o.BuyerPhone), "Delivery", delivery, "Note", o.Note,
		"Status", f.Texts.Text(f.Lang, M("order_status."+o.Status)), "Seller", o.Listing.Seller.Name,
	}
}

// asOrder is the draft as an order of the conversation's buyer.
func (d orderDraft) asOrder(c *Conv, l *Listing) *Order {
	seen := *l
	seen.Price = d.Price // the summary shows, and the order keeps, the price the buyer agreed to
	total, _ := d.Price.Total(d.Quantity)
	return &Order{ListingID: l.ID, BuyerID: c.User.ID, Quantity: d.Quantity, Total: total, Price: d.Price,
		BuyerName: d.Name, BuyerPhone: d.Phone, Delivery: d.Delivery, Address: d.Address, Note: d.Note,
		Status: Pending, Listing: &seen}
}

func (f *order) showSummary(c *Conv) {
	d, l, err := f.draft(c)
	if err != nil {
		c.Fail(err)
		return
	}
	c.Ask(M("order.summary", orderData(c.F(), d.asOrder(c, l))...),
		[]Choice{{Label: M("order.place"), Value: "place", Words: []string{"dat", "dat hang", "dong y", "ok", "co"}}},
		[]Choice{{Label: M("sell.edit"), Value: "edit", Words: []string{"sua"}}, {Label: M("sell.cancel"), Value: "cancel"}})
}

func (f *order) onSummary(ctx context.Context, c *Conv, in Input) (Step, error) {
	if in.Kind != KindChoice {
		return Unclear, nil
	}
	switch in.Text {
	case "place":
		return f.place(ctx, c)
	case "edit":
		return orderEdit, nil
	case "cancel":
		c.Say(M("cancel.done"))
		return Done, nil
	}
	return Unclear, nil
}

// place reserves the stock and tells the farmer, the buyer and the groups.
func (f *order) place(ctx context.Context, c *Conv) (Step, error) {
	d, l, err := f.draft(c)
	if err != nil {
		return "", err
	}
	o, err := f.deps.Orders.PlaceOrder(ctx, d.asOrder(c, l), "order:"+d.Nonce)
	var notEnough *NotEnoughError
	switch {
	case errors.Is(err, ErrPriceChanged):
		c.Say(M("order.price_changed", "Price", c.F().Price(l.Price)))
		d.Price = l.Price
		if err := c.SetDraft(d); err != nil {
			return "", err
		}
		f.showSummary(c) // the same step: its question again, at the new price
		return orderSummary, nil
	case errors.As(err, &notEnough) && notEnough.Remaining == 0:
		f.soldOut(ctx, c, l)
		return Done, nil
	case errors.As(err, &notEnough):
		c.Say(M("order.only_left", "Remaining", c.F().Quantity(vn.Quantity{Milli: notEnough.Remaining, Unit: l.Quantity.Unit})))
		d.Editing = true
		return orderQty, c.SetDraft(d)
	case err != nil:
		return "", err
	}
	address := d.Address
	if address == "" {
		address = d.Known // collecting at the farm keeps the address for next time
	}
	if err := f.deps.Orders.SaveBuyer(ctx, c.User.ID, BuyerProfile{Name: d.Name, Phone: d.Phone, Address: address}); err != nil {
		return "", err
	}
	c.Say(M("order.placed", orderData(c.F(), o)...))
	farmer, err := farmerChat(ctx, f.deps, o.Listing)
	if err != nil {
		return "", err
	}
	if farmer != nil {
		fm := Format{Texts: f.deps.Texts, Lang: farmer.lang}
		c.SendTo(farmer.ref, farmer.lang, M("order.new", orderData(fm, o)...), farmerActions(o)...)
	}
	news, err := orderNews(ctx, f.deps, o)
	if err != nil {
		return "", err
	}
	c.replies = append(c.replies, news...)
	return Done, nil
}

func farmerActions(o *Order) [][]Choice {
	id := strconv.FormatInt(o.ID, 10)
	return [][]Choice{{{Label: M("order.accept"), Value: "ord:accept:" + id}, {Label: M("order.decline"), Value: "ord:decline:" + id}}}
}

type userChat struct {
	ref  ChatRef
	lang string
}

// farmerChat is where the bot talks to a listing's seller: the farmer, or
// the helper who posted for a farmer without a smartphone.
func farmerChat(ctx context.Context, deps Deps, l *Listing) (*userChat, error) {
	who := l.Seller.UserID
	if who == 0 {
		who = l.HelperID
	}
	if who == 0 {
		return nil, nil
	}
	return chatOf(ctx, deps, who)
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
// name or phone) and the listing's posts edited with what remains.
func orderNews(ctx context.Context, deps Deps, o *Order) ([]Reply, error) {
	l, err := deps.Listings.Listing(ctx, o.ListingID)
	if err != nil {
		return nil, err
	}
	edits, err := postEdits(ctx, deps, deps.Texts, l)
	if err != nil {
		return nil, err
	}
	fm := Format{Texts: deps.Texts, Lang: GroupLang}
	remaining := fm.Quantity(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit})
	var out []Reply
	for _, e := range edits {
		e.Coalesce, e.Delay = "edit:"+e.Edit.MessageID+":"+e.Edit.FooterID, deps.AnnounceDelay
		if o.Status == Pending { // once per group
			out = append(out, Reply{To: e.To, Lang: GroupLang, Coalesce: "order:" + l.Code, Delay: deps.AnnounceDelay,
				Rebuild: &Ref{Kind: RefListing, ID: l.ID},
				Text: M("order.announce", "Quantity", fm.Quantity(o.Quantity), "Product", l.Product, "Code", l.Code,
					"Remaining", remaining, "SoldOut", l.Remaining == 0)})
		}
		out = append(out, e)
	}
	return out, nil
}

var orderFields = []struct {
	value string
	step  Step
}{{"quantity", orderQty}, {"name", orderName}, {"phone", orderPhone}, {"delivery", orderDelivery}, {"note", orderNote}}

func (f *order) askEdit(c *Conv) {
	var rows [][]Choice
	for _, e := range orderFields {
		rows = append(rows, []Choice{{Label: M("order.field_" + e.value), Value: "field:" + e.value}})
	}
	c.Ask(M("sell.edit_pick"), pairs(rows)...)
}

func (f *order) onEdit(_ context.Context, c *Conv, in Input) (Step, error) {
	var d orderDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	for _, e := range orderFields {
		if in.Kind == KindChoice && in.Text == "field:"+e.value {
			d.Editing = true
			return e.step, c.SetDraft(d)
		}
	}
	return Unclear, nil
}
