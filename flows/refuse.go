package flows

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// A farmer who refuses an order and names a price ("không bán 30k", "ko
// bán giá 30k", "không bán giá đó, 30k mới bán") declines it with that
// price as the reason: the buyer reads "Nhà vườn không bán giá đó, chỉ bán
// 30.000 đ/kg" in his language. Orders have no haggling: the buyer ordered
// at the listing's price, so a price above it is hers (ReasonPrice), and
// one at or below it the price she will not sell at (ReasonPriceRefused).
const (
	ReasonPrice        = "price"         // Text: the price she sells at ("30000/kg")
	ReasonPriceRefused = "price_refused" // Text: the price she does not sell at
)

// priceReasons are the reasons that carry a price in their Text.
var priceReasons = []string{ReasonPrice, ReasonPriceRefused}

// priceValue is the part of a reason button's value that names a price:
// "price:30000" or "price:2000000/ta".
const priceValue = "price"

// refusedPrice reads a refusal that names a price, folded: a refusal
// (wordRefuse) first, which lead false makes optional (at the question why
// she declines, the refusal is said already: "30k mới bán"), then the price,
// the words around it (wordPriceFill) dropped. A price no one sells at
// ("không bán 30": 30 đ) is none. least tells that the price is the
// lowest she sells at, not her price: "không bán dưới 20k", "không bán
// ít, 25k" (wordPriceMin), which an order above it does not refuse.
func refusedPrice(text string, lead bool) (p vn.Price, least, ok bool) {
	var words, keys []string // as typed (folded), and without their punctuation
	for _, w := range strings.Fields(vn.Fold(text)) {
		if k := strings.Trim(w, ",;:!?.…"); k != "" {
			words, keys = append(words, strings.Trim(w, ",;:!?…")), append(keys, k)
		}
	}
	n := longestOf(keys, 0, wordRefuse)
	if n == 0 && lead {
		return vn.Price{}, false, false
	}
	words, keys = words[n:], keys[n:]
	var kept []string
	for i := 0; i < len(keys); {
		if n := longestOf(keys, i, wordPriceFill); n > 0 {
			i += n
			continue
		}
		if n := longestOf(keys, i, wordPriceMin); n > 0 && len(kept) == 0 {
			least = true
			i += n
			continue
		}
		kept = append(kept, words[i])
		i++
	}
	if len(kept) == 0 {
		return vn.Price{}, false, false
	}
	p, err := vn.ParsePrice(strings.Join(kept, " "))
	if err != nil || !vn.PlausiblePrice(p) {
		return vn.Price{}, false, false
	}
	return p, least, true
}

// longestOf is how many words from keys[at] make the longest phrase that
// means m (up to four words), 0 for none.
func longestOf(keys []string, at int, m wordMeaning) int {
	for n := min(4, len(keys)-at); n > 0; n-- {
		if lexicon.is(strings.Join(keys[at:at+n], " "), m) {
			return n
		}
	}
	return 0
}

// priceReason is the reason of a decline for price p, said by the farmer
// of o: her price when above the order's (its listing's), else the price
// she refuses. A price without a unit is in the order's.
func priceReason(o *Order, p vn.Price) Reason {
	p, ordered := orderedAnd(o, p)
	key := ReasonPriceRefused
	if above(p, ordered) {
		key = ReasonPrice
	}
	return Reason{Key: key, Text: strconv.FormatInt(p.VND, 10) + "/" + string(p.Per)}
}

// above tells whether p is more than q: per kg when both are weights, else
// in the same unit; a price of another unit, which cannot be compared, is
// taken as hers (above).
func above(p, q vn.Price) bool {
	if p.Per == q.Per || q.Per == "" {
		return p.VND > q.VND
	}
	pk, ok1 := p.PerKgVND()
	qk, ok2 := q.PerKgVND()
	return !ok1 || !ok2 || pk > qk
}

// reasonPrice reads the price a price reason carries.
func reasonPrice(r Reason) (vn.Price, bool) {
	amount, unit, _ := strings.Cut(r.Text, "/")
	vnd, err := strconv.ParseInt(amount, 10, 64)
	if err != nil {
		return vn.Price{}, false
	}
	return vn.Price{VND: vnd, Per: vn.Unit(unit)}, true
}

// encodePrice is p as a reason button's value carries it (priceValue).
func encodePrice(p vn.Price) string {
	s := strconv.FormatInt(p.VND, 10)
	if p.Per != "" {
		s += "/" + string(p.Per)
	}
	return s
}

// decodePrice reads encodePrice.
func decodePrice(s string) (vn.Price, bool) {
	return reasonPrice(Reason{Text: s})
}

// refusesAtPrice answers a refusal that names a price (refusedPrice),
// typed without an order's code by a farmer with orders waiting for her
// answer: the one there is, declined with the price as its reason, as ❌
// Từ chối and a reason would; several, listed to choose (each button
// carries the price). done is false with none waiting, or for other words:
// "không bán nữa" is no refusal of an order.
func (r *Router) refusesAtPrice(ctx context.Context, c *Conv, in Input) (done bool, err error) {
	if in.Kind != KindText || in.Command != "" || c.User == nil {
		return false, nil
	}
	p, least, ok := refusedPrice(in.Text, true)
	alone := false // "30k mới bán", "giá 30k nhé": her price, no refusal said
	if !ok {
		if p, least, ok = refusedPrice(in.Text, false); !ok {
			return false, nil
		}
		alone = true
	}
	orders, err := r.Deps.Orders.Awaiting(ctx, c.User.ID)
	if err != nil {
		return false, fmt.Errorf("orders awaiting %d, refused at a price: %w", c.User.ID, err)
	}
	if alone && !slices.ContainsFunc(orders, func(o *Order) bool { return belowLeast(o, p) }) {
		return false, nil // no order below it: read as before
	}
	if (least || alone) && len(orders) > 0 {
		r.asksAtLeast(c, orders, p, least)
		return true, nil
	}
	switch len(orders) {
	case 0:
		return false, nil
	case 1:
		in.Kind, in.Text = KindChoice, declineAt(orders[0], p)
		return true, r.interject(ctx, c, "orders", in)
	}
	r.pickRefused(c, orders, p)
	return true, nil
}

// declineAt is the value of the choice that declines o, telling its
// buyer the price p the farmer named.
func declineAt(o *Order, p vn.Price) string {
	return "ord:decline:" + strconv.FormatInt(o.ID, 10) + ":" + priceValue + ":" + encodePrice(p)
}

// belowLeast tells whether order o is at a price below p, the lowest its
// farmer said she sells at ("không bán dưới 30k"): p in the order's unit
// when she named none.
func belowLeast(o *Order, p vn.Price) bool {
	return above(orderedAnd(o, p))
}

// orderedAnd is a price p the farmer of o named, in the order's unit when
// she named none, and the price o is at (as placed; an order read back
// has its listing's).
func orderedAnd(o *Order, p vn.Price) (vn.Price, vn.Price) {
	ordered := o.Price
	if ordered.VND == 0 && o.Listing != nil {
		ordered = o.Listing.Price
	}
	if p.Per == "" {
		p.Per = cmp.Or(ordered.Per, o.Quantity.Unit)
	}
	return p, ordered
}

// asksAtLeast answers the lowest price a farmer sells at ("không bán dưới
// 20k", "không bán ít, 25k"; least), or her price said alone ("30k mới
// bán"), typed without an order's code while orders wait for her: a
// lowest price is no refusal of an order above it, nor her price for one
// below it, and a price alone may be meant for the listing, so nothing is
// declined on these words. The
// one order below it (of those waiting) is asked about with two choices:
// ❌ Không bán giá 25.000 đ/kg (declined, the buyer told her lowest
// price) or ✅ Nhận đơn giá 25.000 đ/kg; several below are listed to
// choose the one to decline. With none below, the one order waiting is
// asked about (✅ Nhận đơn or ❌ Từ chối, which asks why), several are
// listed to accept, as "nhận đơn" lists them.
func (r *Router) asksAtLeast(c *Conv, orders []*Order, p vn.Price, least bool) {
	var below []*Order
	for _, o := range orders {
		if belowLeast(o, p) {
			below = append(below, o)
		}
	}
	lowest := func(o *Order) string {
		p, _ := orderedAnd(o, p)
		return c.F().Price(p)
	}
	switch {
	case len(below) == 1:
		o := below[0]
		id := strconv.FormatInt(o.ID, 10)
		data := append(sellerData(c.F(), o), "Least", lowest(o), "From", least)
		c.Ask(M("orders.least_below", data...), []Choice{
			{Label: M("orders.least_decline", data...), Value: declineAt(o, p)},
			{Label: M("orders.least_accept", data...), Value: "ord:accept:" + id},
		})
	case len(below) > 1:
		r.pickRefused(c, below, p)
		return
	case len(orders) == 1:
		o := orders[0]
		id := strconv.FormatInt(o.ID, 10)
		data := append(sellerData(c.F(), o), "Least", lowest(o))
		c.Ask(M("orders.least_met", data...), []Choice{
			{Label: M("order.accept"), Value: "ord:accept:" + id},
			{Label: M("order.decline"), Value: "ord:decline:" + id},
		})
	default:
		lines := make([]string, len(orders))
		rows := make([][]Choice, len(orders))
		for i, o := range orders {
			data := append(sellerData(c.F(), o), "Decline", false)
			lines[i] = c.T(M("orders.awaiting_item", data...))
			rows[i] = []Choice{{Label: M("orders.awaiting_choice", data...), Value: "ord:accept:" + strconv.FormatInt(o.ID, 10)}}
		}
		c.Ask(M("orders.least_met_many", "Count", len(orders), "Orders", strings.Join(lines, "\n"), "Example", orders[0].Code,
			"Least", lowest(orders[0])), rows...)
	}
	if c.Session.Active() {
		r.prompt(c) // the task in progress goes on
	}
}

// pickRefused lists the orders waiting for the farmer, to choose the one
// she declines at the price p she named.
func (r *Router) pickRefused(c *Conv, orders []*Order, p vn.Price) {
	lines := make([]string, len(orders))
	rows := make([][]Choice, len(orders))
	for i, o := range orders {
		data := append(sellerData(c.F(), o), "Decline", true)
		lines[i] = c.T(M("orders.awaiting_item", data...))
		rows[i] = []Choice{{Label: M("orders.awaiting_choice", data...), Value: declineAt(o, p)}}
	}
	said := c.F().Money(p.VND) // orders of listings in other units: as she said it
	if p.Per != "" {
		said = c.F().Price(p)
	}
	c.Ask(M("orders.refused_pick", "Count", len(orders), "Orders", strings.Join(lines, "\n"), "Example", orders[0].Code,
		"Price", said), rows...)
	if c.Session.Active() {
		r.prompt(c) // the task in progress goes on
	}
}
