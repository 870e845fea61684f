package flows

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// The `Tin của tôi` flow (/tin): pick a listing, then change its price or
// stock, mark it sold out, close or renew it. Every change edits the group
// posts in place.
const (
	minePick       Step = "pick"
	mineAct        Step = "act"
	minePrice      Step = "price"
	minePriceCheck Step = "price_check"
	minePricePiece Step = "price_piece"
	mineStock      Step = "stock"
	mineMin        Step = "min_order"
)

// RenewFor is how long a renewal keeps a listing up, at least: to the end
// of the day (Vietnam time) it reaches, so that its last day is sold whole
// and said as people say it ("bán đến hết thứ Ba 8/12").
const RenewFor = 7 * 24 * time.Hour

type mineDraft struct {
	ListingID int64 `json:"listing_id"`
	// Renew: the farmer asked to sell again (🔄 Bán thêm 7 ngày) a listing
	// sold out, and is asked what is left: the one way a listing that
	// ended (stopped, expired) is changed.
	Renew bool `json:"renew,omitempty"`
	// Price, typed as Typed, waits for the farmer to confirm it: dear for
	// any produce, asked as selling asks it.
	Price *vn.Price `json:"price,omitempty"`
	Typed string    `json:"typed,omitempty"`
	// Page of the listings shown to pick from, from 0.
	Page int `json:"page,omitempty"`
}

// minePage: the listings to pick from are shown this many at a time.
const minePage = 10

func mineFlow(d Deps) *Flow {
	f := &mine{deps: d}
	return &Flow{Name: "mine", Start: f.start, Steps: map[Step]StepDef{
		minePick:       {Prompt: f.askPick, Handle: f.onPick},
		mineAct:        {Prompt: f.askAct, Handle: f.onAct},
		minePrice:      {Prompt: f.askPrice, Handle: f.onPrice},
		minePriceCheck: {Prompt: f.askPriceCheck, Handle: f.onPriceCheck},
		minePricePiece: {Prompt: f.askPricePiece, Handle: f.onPricePiece},
		mineStock:      {Prompt: f.askStock, Handle: f.onStock},
		mineMin:        {Prompt: f.askMin, Handle: f.onMin},
	}}
}

type mine struct{ deps Deps }

// start lists the seller's listings, or acts at once on a button that
// names its listing ("mine:renew:42"): of the renewal question, of a
// listing's detail shown earlier, or a code typed ("bán thêm NS-7K2Q").
func (f *mine) start(ctx context.Context, c *Conv, in Input) (Step, error) {
	if strings.HasPrefix(in.Text, "mine:") && in.Kind == KindChoice {
		return f.onAct(ctx, c, in)
	}
	listings, err := f.deps.Listings.ListingsOf(ctx, c.User.ID)
	if err != nil {
		return "", err
	}
	if len(listings) == 0 {
		c.Say(M("mine.none"))
		return Done, nil
	}
	return minePick, nil
}

func (f *mine) askPick(c *Conv) {
	listings, err := f.deps.Listings.ListingsOf(c.Context(), c.User.ID)
	if err != nil {
		c.Fail(err)
		return
	}
	var d mineDraft
	if err := c.Draft(&d); err != nil {
		c.Fail(err)
		return
	}
	// Those on sale come first: the ones a farmer changes.
	pages := max(1, (len(listings)+minePage-1)/minePage)
	page := min(max(d.Page, 0), pages-1)
	var rows [][]Choice
	for _, l := range listings[page*minePage : min(len(listings), (page+1)*minePage)] {
		rows = append(rows, []Choice{{Label: M("mine.item", f.itemData(c, l)...), Value: "l:" + strconv.FormatInt(l.ID, 10)}})
	}
	var nav []Choice
	if page > 0 {
		nav = append(nav, Choice{Label: M("mine.page_prev"), Value: "page:prev", Words: []string{"truoc", "trang truoc"}})
	}
	if page < pages-1 {
		nav = append(nav, Choice{Label: M("mine.page_next"), Value: "page:next", Words: []string{"sau", "trang sau"}})
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	store, err := f.store(c)
	if err != nil {
		c.Fail(err)
		return
	}
	followers, err := followersOf(c, f.deps, listings)
	if err != nil {
		c.Fail(err)
		return
	}
	shown := 0 // the page is said only when there are several
	if pages > 1 {
		shown = pages
	}
	c.Ask(M("mine.pick", "Count", len(listings), "Store", store, "Followers", followers, "Page", page+1, "Pages", shown), rows...)
}

// store is the link to the user's own store page, "" for a helper who
// sells nothing of their own.
func (f *mine) store(c *Conv) (string, error) {
	s, err := f.deps.Sellers.SellerOf(c.Context(), c.User.ID)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return f.deps.storePage(s.Slug), nil
}

func (f *mine) itemData(c *Conv, l *Listing) []any {
	return []any{"Code", l.Code, "Product", l.Product, "Status", c.T(M("status." + l.Status)),
		"Remaining", c.F().Stock(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit}, l.ProductKey)}
}

func (f *mine) onPick(ctx context.Context, c *Conv, in Input) (Step, error) {
	if in.Kind == KindChoice && (in.Text == "page:next" || in.Text == "page:prev") {
		var d mineDraft
		if err := c.Draft(&d); err != nil {
			return "", err
		}
		if in.Text == "page:next" {
			d.Page++
		} else {
			d.Page = max(0, d.Page-1)
		}
		if err := c.SetDraft(mineDraft{Page: d.Page}); err != nil {
			return "", err
		}
		f.askPick(c) // the same step: the router asks nothing again
		return minePick, nil
	}
	id, ok := strings.CutPrefix(in.Text, "l:")
	if in.Kind != KindChoice || !ok {
		return Unclear, nil
	}
	n, _ := strconv.ParseInt(id, 10, 64)
	if _, err := f.own(ctx, c, n); err != nil {
		return Unclear, nil
	}
	return mineAct, c.SetDraft(mineDraft{ListingID: n})
}

// own loads the draft's (or id's) listing if it belongs to the user: as its
// seller, or as the helper who posted it.
func (f *mine) own(ctx context.Context, c *Conv, id int64) (*Listing, error) {
	if id == 0 {
		var d mineDraft
		if err := c.Draft(&d); err != nil {
			return nil, err
		}
		id = d.ListingID
	}
	l, err := f.deps.Listings.Listing(ctx, id)
	if err != nil {
		return nil, err
	}
	if !l.Answers(c.User.ID) {
		return nil, fmt.Errorf("listing %d: %w", id, ErrNotFound)
	}
	return l, nil
}

func (f *mine) askAct(c *Conv) {
	l, err := f.own(c.Context(), c, 0)
	if err != nil {
		c.Fail(err)
		return
	}
	// Each button names the listing: tapped under this message once another
	// listing is open, it still acts on this one.
	act := func(action string) string { return actValue(action, l.ID) }
	rows := [][]Choice{}
	switch l.Status {
	case Active:
		rows = append(rows,
			[]Choice{{Label: M("mine.act_price"), Value: act("price")}, {Label: M("mine.act_stock"), Value: act("stock")}},
			[]Choice{{Label: M("mine.act_soldout"), Value: act("soldout"), Words: lexicon.of(wordSoldOut)}, closeChoice(act("close"))},
			[]Choice{{Label: M("mine.act_min"), Value: act("min")}})
	case SoldOut:
		rows = append(rows,
			[]Choice{{Label: M("mine.act_stock"), Value: act("stock")}, closeChoice(act("close"))})
	}
	list := Choice{Label: M("mine.act_list"), Value: "act:list", Words: []string{"danh sach tin"}}
	if l.Status == Removed {
		rows = append(rows, []Choice{list}) // a moderator took it down: not the farmer's to put back
	} else {
		rows = append(rows, []Choice{renewChoice(act("renew")), list})
	}
	data := append(listingData(c.F(), l), f.itemData(c, l)...)
	c.Ask(M("mine.detail", append(data, "Expires", until(c, l))...), rows...)
}

// until is when l's sale ends, "" when it is not on sale: sold out,
// stopped, expired or taken down, it has no last day to show.
func until(c *Conv, l *Listing) string {
	if l.Status != Active {
		return ""
	}
	return c.F().Until(l.ExpiresAt)
}

// renewChoice and closeChoice keep a listing up, or end it; the words are
// their labels before, still typed by those who learnt them.
func renewChoice(value string) Choice {
	return Choice{Label: M("mine.act_renew"), Value: value, Words: []string{"gia han", "gia han 7 ngay", "renew", "renew for 7 days"}}
}

func closeChoice(value string) Choice {
	return Choice{Label: M("mine.act_close"), Value: value, Words: []string{"dong tin", "close"}}
}

// actValue is the choice of an action on a listing: "mine:close:42".
func actValue(action string, id int64) string {
	return "mine:" + action + ":" + strconv.FormatInt(id, 10)
}

// actionOf reads the choice of an action: "mine:close:42" on listing 42,
// or "act:close" (a button from before they named their listing, or
// "act:list") on the listing open, id 0.
func actionOf(in Input) (action string, id int64, ok bool) {
	if in.Kind != KindChoice {
		return "", 0, false
	}
	if action, ok := strings.CutPrefix(in.Text, "act:"); ok {
		return action, 0, true
	}
	rest, ok := strings.CutPrefix(in.Text, "mine:")
	action, n, _ := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(n, 10, 64)
	return action, id, ok && err == nil && id > 0
}

func (f *mine) onAct(ctx context.Context, c *Conv, in Input) (Step, error) {
	action, id, ok := actionOf(in)
	if !ok && in.Kind == KindChoice && strings.HasPrefix(in.Text, "mine:") {
		c.Say(M("mine.gone")) // names no listing that can be found
		return Done, nil
	}
	if !ok {
		return Unclear, nil
	}
	// The listing the button names, checked as a typed code is: the user's
	// own, or posted by them as a helper.
	l, err := f.own(ctx, c, id)
	if errors.Is(err, ErrNotFound) {
		c.Say(M("mine.gone"))
		return Done, nil
	}
	if err != nil {
		return "", err
	}
	if action != "list" && action != "show" && !f.changeable(c, l, action == "renew") {
		return Done, nil
	}
	// What follows is about this listing, and is no renewal unless said.
	if err := c.SetDraft(mineDraft{ListingID: l.ID}); err != nil {
		return "", err
	}
	switch action {
	case "price":
		return minePrice, nil
	case "stock":
		return mineStock, nil
	case "list":
		return minePick, nil
	case "show": // her listing, shown to act on: from words, not a button
		return mineAct, nil
	case "min":
		return mineMin, nil
	case "soldout":
		l.Status, l.Remaining, l.SoldOutBy = SoldOut, 0, "farmer"
	case "close":
		l.Status = Closed
	case "renew":
		// Selling again is posting again: a banned user may not.
		if ok, err := f.mayPostAgain(ctx, c, l); !ok || err != nil {
			return Done, err
		}
		if l.Remaining == 0 {
			// Sold out: only the farmer knows whether there is more to sell.
			c.Say(M("mine.renew_empty", "Code", l.Code))
			return mineStock, c.SetDraft(mineDraft{ListingID: l.ID, Renew: true})
		}
		reopened := l.Status != Active
		renew(l, c.Now)
		return Done, f.save(ctx, c, l, reopened)
	default:
		return Unclear, nil
	}
	return Done, f.save(ctx, c, l, false)
}

// mayPostAgain tells whether the user may put l on sale again (renewing
// it, or its stock after it sold out), which is posting again: not when
// banned, nor, for a listing they posted for a farmer, once their helper
// role is taken back or the farmer is banned. Says why not.
func (f *mine) mayPostAgain(ctx context.Context, c *Conv, l *Listing) (bool, error) {
	helped := l.HelperID == c.User.ID && l.Seller.UserID != c.User.ID
	q := PostingOf{}
	if helped {
		q.Seller = l.SellerID
	}
	p, err := mayPost(ctx, f.deps, c, q)
	switch {
	case err != nil || p.Banned:
		return false, err
	case helped && !p.Helper:
		c.Say(M("assist.not_helper", "Name", l.Seller.Name))
		return false, nil
	case p.SellerBanned:
		c.Say(M("assist.farmer_banned", "Name", l.Seller.Name, "Reason", p.SellerReason))
		return false, nil
	}
	return true, nil
}

// renew puts l on sale for RenewFor more, to that day's end: pressing
// twice renews once.
func renew(l *Listing, now time.Time) {
	l.Status, l.SoldOutBy = Active, ""
	l.ExpiresAt = later(l.ExpiresAt, vn.Today(now.Add(RenewFor)).AddDate(0, 0, 1))
}

// changeable tells whether l may still be changed, saying why not: a
// listing a moderator took down never is, by its farmer; one that ended
// (stopped, expired) only by selling it again (renewing). Checked as each
// answer is taken, not only as the action is picked: a moderator, the
// expiry or another chat may have ended it meanwhile.
func (f *mine) changeable(c *Conv, l *Listing, renewing bool) bool {
	switch {
	case l.Status == Removed:
		c.Say(M("moderation.listing_removed", "Code", l.Code))
		return false
	case (l.Status == Closed || l.Status == Expired) && !renewing:
		c.Say(M("mine.ended", "Code", l.Code, "Status", c.T(M("status."+l.Status))))
		return false
	}
	return true
}

// answered loads the listing an answer is for, if it may still be changed
// (changeable); else the step to go to comes back, having said why.
func (f *mine) answered(ctx context.Context, c *Conv) (*Listing, Step, error) {
	var d mineDraft
	if err := c.Draft(&d); err != nil {
		return nil, "", err
	}
	l, err := f.own(ctx, c, d.ListingID)
	if err != nil {
		stay, err := f.gone(c, err)
		return nil, stay, err
	}
	if !f.changeable(c, l, d.Renew) {
		return nil, Done, nil
	}
	return l, "", nil
}

// gone ends the flow kindly when the listing is not the user's (any more).
func (f *mine) gone(c *Conv, err error) (Step, error) {
	if errors.Is(err, ErrNotFound) {
		c.Say(M("mine.gone"))
		return Done, nil
	}
	return "", err
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// save stores a changed listing with the edits of its posts, queued in the
// same transaction (an update retried after a crash finds the listing
// changed, and would not send them again), and tells the user: that it is
// on sale again, when reopened.
func (f *mine) save(ctx context.Context, c *Conv, l *Listing, reopened bool) error {
	edits, err := postEdits(ctx, f.deps, c.texts, l)
	if err != nil {
		return err
	}
	err = f.deps.Listings.UpdateListing(ctx, l, edits...)
	if errors.Is(err, ErrStale) {
		c.Say(M("mine.changed"))
		return nil
	}
	if err != nil {
		return err
	}
	c.Say(M("mine.updated", append(f.itemData(c, l), "Price", c.F().Price(l.Price), "Posts", len(OtherChats(c.In.ChatKey(), edits)),
		"Expires", until(c, l), "Reopened", reopened)...))
	return nil
}

func (f *mine) askPrice(c *Conv) {
	if l, err := f.own(c.Context(), c, 0); err != nil {
		c.Fail(err)
	} else {
		c.Say(M("mine.price", "Price", c.F().Price(l.Price), "Unit", c.F().Unit(l.Price.Per)))
	}
}

func (f *mine) onPrice(ctx context.Context, c *Conv, in Input) (Step, error) {
	if in.Kind != KindText {
		return Unclear, nil
	}
	l, stay, err := f.answered(ctx, c)
	if l == nil {
		return stay, err
	}
	p, err := vn.ParsePrice(in.Text)
	if err != nil {
		c.Say(M("sell.price_bad"))
		return minePrice, nil
	}
	if p.Per == "" {
		p.Per = l.Price.Per
		if p.CheapChuc(counted(f.deps, l), pieceMinOf(f.deps.Catalogs.Products, l.ProductKey)) { // "3k" a chục of eggs, surely a quả: asked
			return minePricePiece, c.SetDraft(mineDraft{ListingID: l.ID, Price: &p, Typed: in.Text})
		}
	}
	return f.takePrice(ctx, c, l, p, in.Text)
}

// takePrice changes l's price to p, typed as typed: in the listing's unit
// where eggs are counted ("3k/quả" for eggs by the chục is 30k a chục), a
// dear one confirmed first.
func (f *mine) takePrice(ctx context.Context, c *Conv, l *Listing, p vn.Price, typed string) (Step, error) {
	typed = vn.WithoutPictographs(typed)
	if in, ok := p.InCounted(l.Quantity.Unit, counted(f.deps, l)); ok {
		p = in
	}
	if _, ok := p.Total(l.Quantity); !ok || !(vn.PlausiblePrice(p) || unusuallyHigh(p)) {
		c.Say(M("sell.price_bad"))
		return minePrice, nil
	}
	if !vn.PlausiblePrice(p) { // dear for any produce: a slip ("1tr2" for 1tr2 a tạ) is asked first
		return minePriceCheck, c.SetDraft(mineDraft{ListingID: l.ID, Price: &p, Typed: typed})
	}
	l.Price, l.PriceTyped = p, typed
	return Done, f.save(ctx, c, l, false)
}

// askPricePiece asks what a price too low for a chục of eggs is for, as
// selling asks it.
func (f *mine) askPricePiece(c *Conv) {
	d, err := pendingPrice(c)
	if err != nil {
		c.Fail(err)
		return
	}
	c.Ask(M("sell_once.price_piece", "Price", vn.FormatNumber(d.Price.VND)), piecePrices(c, *d.Price)...)
}

// onPricePiece takes the unit picked for the pending price; another price
// typed instead is read afresh.
func (f *mine) onPricePiece(ctx context.Context, c *Conv, in Input) (Step, error) {
	per, picked := strings.CutPrefix(in.Text, "per:")
	if in.Kind != KindChoice || !picked || !vn.Unit(per).Valid() {
		return f.onPrice(ctx, c, in)
	}
	d, err := pendingPrice(c)
	if err != nil {
		return "", err
	}
	l, stay, err := f.answered(ctx, c)
	if l == nil {
		return stay, err
	}
	return f.takePrice(ctx, c, l, vn.Price{VND: d.Price.VND, Per: vn.Unit(per)}, d.Typed)
}

func (f *mine) askPriceCheck(c *Conv) {
	d, err := pendingPrice(c)
	if err != nil {
		c.Fail(err)
		return
	}
	c.Ask(M("sell.price_check", "Price", c.F().Price(*d.Price)), confirmChoices()...)
}

// pendingPrice is the draft with the price waiting to be confirmed.
func pendingPrice(c *Conv) (mineDraft, error) {
	var d mineDraft
	if err := c.Draft(&d); err != nil || d.Price == nil {
		return d, cmp.Or(err, errors.New("no price to confirm"))
	}
	return d, nil
}

// onPriceCheck saves the dear price once confirmed; "no", or another price
// typed instead, goes back to the price.
func (f *mine) onPriceCheck(ctx context.Context, c *Conv, in Input) (Step, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "no":
		return minePrice, nil
	case in.Kind != KindChoice || in.Text != "yes":
		return f.onPrice(ctx, c, in)
	}
	d, err := pendingPrice(c)
	if err != nil {
		return "", err
	}
	l, stay, err := f.answered(ctx, c)
	if l == nil {
		return stay, err
	}
	l.Price, l.PriceTyped = *d.Price, d.Typed
	return Done, f.save(ctx, c, l, false)
}

// askStock asks what is left for sale, saying what the orders not yet
// shipped hold: not to be counted again, as it comes back on its own when
// such an order is cancelled or declined.
func (f *mine) askStock(c *Conv) {
	l, err := f.own(c.Context(), c, 0)
	if err != nil {
		c.Fail(err)
		return
	}
	held, orders, err := f.deps.Orders.Held(c.Context(), l.ID)
	if err != nil {
		c.Fail(err)
		return
	}
	qty := func(milli int64) string {
		return c.F().Stock(vn.Quantity{Milli: milli, Unit: l.Quantity.Unit}, l.ProductKey)
	}
	example, heldText := l.Remaining, ""
	if example == 0 {
		example = l.Quantity.Milli
	}
	if orders > 0 {
		heldText = qty(held)
	}
	c.Say(M("mine.stock", "Remaining", qty(l.Remaining), "Example", qty(example), "Held", heldText, "Orders", orders))
}

func (f *mine) onStock(ctx context.Context, c *Conv, in Input) (Step, error) {
	l, q, stay, err := f.quantityAnswer(ctx, c, in, mineStock, 0)
	if stay != "" || err != nil {
		return stay, err
	}
	l.Remaining = q.Milli
	if q.Milli > l.Quantity.Milli {
		l.Quantity.Milli = q.Milli // more harvested than first listed
	}
	ended := l.Status == Closed || l.Status == Expired // here only when renewing (changeable)
	reopened := false
	switch {
	case q.Milli == 0 && ended:
		// Nothing to sell again: it stays as it was.
	case q.Milli == 0:
		l.Status, l.SoldOutBy = SoldOut, "farmer"
	case l.Status == SoldOut || ended:
		// On sale again, for a fresh week: posting again, which a banned
		// user may not (as renewing).
		if ok, err := f.mayPostAgain(ctx, c, l); !ok || err != nil {
			return Done, err
		}
		renew(l, c.Now)
		reopened = true
	}
	return Done, f.save(ctx, c, l, reopened)
}

func (f *mine) askMin(c *Conv) {
	if l, err := f.own(c.Context(), c, 0); err != nil {
		c.Fail(err)
	} else {
		c.Say(M("mine.min", "Unit", c.F().Unit(l.Quantity.Unit)))
	}
}

// onMin sets the smallest order the farmer takes; 0 takes any.
func (f *mine) onMin(ctx context.Context, c *Conv, in Input) (Step, error) {
	l, q, stay, err := f.quantityAnswer(ctx, c, in, mineMin, -1)
	if stay != "" || err != nil {
		return stay, err
	}
	l.MinOrder = q.Milli
	return Done, f.save(ctx, c, l, false)
}

// quantityAnswer reads a quantity typed for the user's listing at step,
// zero allowed, at most max milli-units (0: any; -1: the listing's
// quantity). A step to stay at (or to end) comes back when the answer
// cannot be used, having said why.
func (f *mine) quantityAnswer(ctx context.Context, c *Conv, in Input, step Step, max int64) (*Listing, vn.Quantity, Step, error) {
	if in.Kind != KindText {
		return nil, vn.Quantity{}, Unclear, nil
	}
	l, stay, err := f.answered(ctx, c)
	if l == nil {
		return nil, vn.Quantity{}, stay, err
	}
	if max < 0 {
		max = l.Quantity.Milli
	}
	q, err := inUnit(in.Text, l.Quantity.Unit, counted(f.deps, l), l.Product)
	if err != nil || (max > 0 && q.Milli > max) || !wholeCounted(q, counted(f.deps, l)) { // half a pomelo is not sold
		c.Say(M("mine.stock_bad", "Unit", c.F().Unit(l.Quantity.Unit)))
		return nil, q, step, nil
	}
	return l, q, "", nil
}

// inUnit reads a quantity, zero allowed, in unit (5 tạ for a listing in kg
// is 500 kg; 3 chục of eggs by quả, whose chục counts ten quả, 30 quả, and
// 25 quả of eggs by the chục 2,5 chục).
func inUnit(text string, unit, counted vn.Unit, product string) (vn.Quantity, error) {
	q, err := parseIn(text, unit, counted, product)
	if errors.Is(err, vn.ErrZero) {
		return vn.Quantity{Unit: unit}, nil
	}
	if err != nil {
		return q, err
	}
	q, ok := q.InCounted(unit, counted)
	if !ok {
		return q, vn.ErrUnknownUnit
	}
	return q, nil
}

// Tick does the periodic work: orders time out, listings past their expiry
// end (editing their posts), sold out ones too: a listing's page and
// photos stay public no longer than its sale would have; and the sellers of those whose last day is
// today or tomorrow are asked whether to renew, in the daytime
// (askRenewBy); notices held for the morning go. Each change is stored
// with the messages it sends, in one transaction, and made once whichever
// replica ticks.
func (r *Router) Tick(ctx context.Context, now time.Time) error {
	errs := errors.Join(r.orderTick(ctx, now), r.followTick(ctx, now), r.releaseHeld(ctx, now))
	expired, ask, err := r.Deps.Listings.Expiring(ctx, now, r.askRenewBy(now))
	if err != nil {
		return errors.Join(errs, err)
	}
	// One listing failing does not keep the others back.
	for _, l := range expired {
		errs = errors.Join(errs, r.expire(ctx, l))
	}
	for _, l := range ask {
		errs = errors.Join(errs, r.askRenew(ctx, l, now))
	}
	return errs
}

// heldBatch bounds the held notices one statement releases, and
// heldBatches the statements of one tick: a night's timeouts at harvest go
// within the morning's first ticks.
const (
	heldBatch   = 200
	heldBatches = 25
)

// releaseHeld sends the notices held until now (Reply.NotBefore).
func (r *Router) releaseHeld(ctx context.Context, now time.Time) error {
	if r.Deps.Held == nil {
		return nil
	}
	for range heldBatches {
		n, err := r.Deps.Held.ReleaseHeld(ctx, now, heldBatch)
		if err != nil || n < heldBatch {
			return err
		}
	}
	return nil
}

// Hours is a span of the day in Vietnam, from From:00 to Until:00.
type Hours struct{ From, Until int }

// DefaultRenewHours are the hours the bot writes unprompted (asks about
// renewing, reminds of an order, tells of a followed product), unless Deps.RenewHours says
// otherwise: not at night.
var DefaultRenewHours = Hours{From: 7, Until: 21}

// wakingHours are the hours in which the bot writes to a farmer
// unprompted (RENEWAL_HOURS): one setting for every such message, so
// that a farmer's night is quiet whatever the message.
func (r *Router) wakingHours() Hours { return r.Deps.wakingHours() }

func (d Deps) wakingHours() Hours {
	if d.RenewHours == (Hours{}) {
		return DefaultRenewHours
	}
	return d.RenewHours
}

// opens and closes are when h begins and ends on t's day (Vietnam time).
func (h Hours) opens(t time.Time) time.Time {
	return vn.Today(t).Add(time.Duration(h.From) * time.Hour)
}

func (h Hours) closes(t time.Time) time.Time {
	return vn.Today(t).Add(time.Duration(h.Until) * time.Hour)
}

// awake tells whether t falls within h.
func (h Hours) awake(t time.Time) bool {
	return !t.Before(h.opens(t)) && t.Before(h.closes(t))
}

// morning is when h next opens after t, a time of the night: that day's
// opening before it, else the next day's.
func (h Hours) morning(t time.Time) time.Time {
	if at := h.opens(t); at.After(t) {
		return at
	}
	return h.opens(vn.Today(t).AddDate(0, 0, 1))
}

// askRenewBy is the latest expiry whose seller is asked about renewing at
// now: the listings whose last day is today or tomorrow (expiring by the
// midnight after tomorrow), from 07:00 on the day before the last, so
// that the farmer has that day and the next to answer. At night, none
// (the zero time): they are asked in the morning.
func (r *Router) askRenewBy(now time.Time) time.Time {
	if !r.wakingHours().awake(now) {
		return time.Time{}
	}
	return vn.Today(now).AddDate(0, 0, 2)
}

// expire ends a listing and takes the order button off its posts.
func (r *Router) expire(ctx context.Context, l *Listing) error {
	l.Status = Expired
	edits, err := postEdits(ctx, r.Deps, r.Texts, l)
	if err != nil {
		return err
	}
	return unlessStale(r.Deps.Listings.UpdateListing(ctx, l, edits...))
}

// askRenew asks the seller (or the helper who posted for a farmer without
// a smartphone) whether to keep a listing up: not one who may not sell it
// 7 more days (banned, the farmer banned, the helper role taken back),
// who would be refused on answering.
func (r *Router) askRenew(ctx context.Context, l *Listing, now time.Time) error {
	var notices []Reply
	who := l.Seller.UserID
	if who == 0 {
		who = l.HelperID
	}
	if who != 0 {
		may, err := r.mayRenew(ctx, l, who)
		if err != nil {
			return err
		}
		if !may {
			who = 0
		}
	}
	if who != 0 { // else nobody to ask, but it is done
		chat, err := chatOf(ctx, r.Deps, who)
		if err != nil {
			return err
		}
		id := strconv.FormatInt(l.ID, 10)
		f := Format{Texts: r.Texts, Lang: chat.lang, Now: now, Products: r.Deps.Catalogs.Products}
		notices = append(notices, Reply{To: chat.ref, Lang: chat.lang,
			Text:    M("mine.renew_ask", "Code", l.Code, "Product", l.Product, "Expires", f.Until(l.ExpiresAt)),
			Choices: [][]Choice{{typedAs(renewChoice("mine:renew:"+id), "renew", l.Code), typedAs(closeChoice("mine:close:"+id), "close", l.Code)}},
		})
	}
	// Asked when stored, not when the tick began: a listing published or
	// a task ended meanwhile (the tick's other work can take seconds) came
	// before the question, and "ok" answers it (RenewAskedLast).
	at := now
	if r.Deps.Now != nil && r.Deps.Now().After(at) {
		at = r.Deps.Now()
	}
	return unlessStale(r.Deps.Listings.AskedRenew(ctx, l.ID, l.ExpiresAt, at, notices...))
}

// mayRenew tells whether who, asked about renewing l, may sell it 7 more
// days, as mayPostAgain would let them.
func (r *Router) mayRenew(ctx context.Context, l *Listing, who int64) (bool, error) {
	helped := who != l.Seller.UserID
	q := PostingOf{User: who}
	if helped {
		q.Seller = l.SellerID
	}
	p, err := r.Deps.Listings.Posting(ctx, q)
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return !p.Banned && !p.SellerBanned && (!helped || p.Helper), nil
}
