package flows

import (
	"cmp"
	"context"
	"fmt"
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
// ("không bán 30": 30 đ) is none.
func refusedPrice(text string, lead bool) (vn.Price, bool) {
	var words, keys []string // as typed (folded), and without their punctuation
	for _, w := range strings.Fields(vn.Fold(text)) {
		if k := strings.Trim(w, ",;:!?.…"); k != "" {
			words, keys = append(words, strings.Trim(w, ",;:!?…")), append(keys, k)
		}
	}
	n := longestOf(keys, 0, wordRefuse)
	if n == 0 && lead {
		return vn.Price{}, false
	}
	words, keys = words[n:], keys[n:]
	var kept []string
	for i := 0; i < len(keys); {
		if n := longestOf(keys, i, wordPriceFill); n > 0 {
			i += n
			continue
		}
		kept = append(kept, words[i])
		i++
	}
	if len(kept) == 0 {
		return vn.Price{}, false
	}
	p, err := vn.ParsePrice(strings.Join(kept, " "))
	if err != nil || !vn.PlausiblePrice(p) {
		return vn.Price{}, false
	}
	return p, true
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
	ordered := o.Price // as placed; an order read back has its listing's
	if ordered.VND == 0 && o.Listing != nil {
		ordered = o.Listing.Price
	}
	if p.Per == "" {
		p.Per = cmp.Or(ordered.Per, o.Quantity.Unit)
	}
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
	p, ok := refusedPrice(in.Text, true)
	if !ok {
		return false, nil
	}
	orders, err := r.Deps.Orders.Awaiting(ctx, c.User.ID)
	if err != nil {
		return false, fmt.Errorf("orders awaiting %d, refused at a price: %w", c.User.ID, err)
	}
	value := func(o *Order) string {
		return "ord:decline:" + strconv.FormatInt(o.ID, 10) + ":" + priceValue + ":" + encodePrice(p)
	}
	switch len(orders) {
	case 0:
		return false, nil
	case 1:
		in.Kind, in.Text = KindChoice, value(orders[0])
		return true, r.interject(ctx, c, "orders", in)
	}
	lines := make([]string, len(orders))
	rows := make([][]Choice, len(orders))
	for i, o := range orders {
		data := append(sellerData(c.F(), o), "Decline", true)
		lines[i] = c.T(M("orders.awaiting_item", data...))
		rows[i] = []Choice{{Label: M("orders.awaiting_choice", data...), Value: value(o)}}
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
	return true, nil
}
