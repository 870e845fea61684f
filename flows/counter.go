package flows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// A farmer who declines an order naming her price (ReasonPrice: "không
// bán giá đó, 30k mới bán") gives the buyer a way on: the decline he reads
// offers the same order again at her price (✅ Mua giá 30.000 đ/kg, or
// "MUA DH-7K2Q" typed where there are no buttons). Taking it places a new
// order, same quantity, delivery and address, at that price, which the
// farmer receives as any order, marked as at the price she asked. The
// price is read from the decline as stored, never from what the buyer
// sends; the listing must still sell at the price the declined order was
// at, have the stock, be on sale; the buyer's limits hold; and one
// declined order gives one order at her price (CounterOf), however often
// it is tapped.

// counterPrice is the farmer's price a declined (or dropped) order offers
// its buyer to order at, and the order's total at it; ok false when it
// offers none: no price of hers, or one that cannot price the quantity
// (per quả of a listing in kg).
func counterPrice(o *Order) (p vn.Price, total int64, ok bool) {
	if (o.Status != Declined && o.Status != Cancelled) || o.Reason.Key != ReasonPrice {
		return vn.Price{}, 0, false
	}
	if p, ok = reasonPrice(o.Reason); !ok || p.VND <= 0 {
		return vn.Price{}, 0, false
	}
	if total, ok = p.Total(o.Quantity); !ok {
		return vn.Price{}, 0, false
	}
	return p, total, true
}

// counterOffer is the offer told to the buyer with a decline that named
// the farmer's price, while the listing is on sale: the new order's
// total, and ✅ Mua giá 30.000 đ/kg (typed: MUA DH-7K2Q). None otherwise.
func counterOffer(f Format, to ChatRef, o *Order, now time.Time) []Reply {
	p, total, ok := counterPrice(o)
	if l := o.Listing; !ok || l.Status != Active || !now.Before(l.ExpiresAt) {
		return nil
	}
	data := append(orderData(f, o), "Price", f.Price(p), "Total", f.Money(total))
	return []Reply{{To: to, Lang: f.Lang, Text: M("order.counter_offer", data...), Choices: [][]Choice{{counterChoice(f, o, p)}}}}
}

// counterChoice is ✅ Mua giá 30.000 đ/kg, taking the farmer's price p of
// declined order o; typed: MUA DH-7K2Q.
func counterChoice(f Format, o *Order, p vn.Price) Choice {
	typed := M("typed.counter", "Code", o.Code, "Price", f.Price(p))
	return Choice{Label: M("order.counter", "Price", f.Price(p)), Value: "ord:counter:" + strconv.FormatInt(o.ID, 10), Typed: &typed}
}

// counterNow is what the buyer's detail of declined order o says of the
// farmer's price: the order placed at it (Countered, its code), or, while
// it can still be taken (the listing on sale, at the price o was at), the
// offer again (OfferPrice, OfferTotal) with its choice; else nothing.
func (f *orders) counterNow(ctx context.Context, c *Conv, o *Order) ([]any, []Choice, error) {
	p, total, ok := counterPrice(o)
	if !ok {
		return nil, nil, nil
	}
	placed, err := f.deps.Orders.CounterOrder(ctx, o.ID)
	switch {
	case err == nil:
		return []any{"Countered", placed.Code}, nil, nil
	case !errors.Is(err, ErrNotFound):
		return nil, nil, fmt.Errorf("order at the farmer's price of order %d: %w", o.ID, err)
	}
	if l := o.Listing; l.Status != Active || !c.Now.Before(l.ExpiresAt) {
		return nil, nil, nil
	}
	listed, err := f.listedOf(ctx, o)
	if err != nil || listed != o.Listing.Price {
		return nil, nil, err
	}
	return []any{"OfferPrice", c.F().Price(p), "OfferTotal", c.F().Money(total)}, []Choice{counterChoice(c.F(), o, p)}, nil
}

// counter places the declined order o again for its buyer, at the price
// the farmer named declining it, and tells the buyer, the farmer and the
// groups as any order; or says why not.
func (f *orders) counter(ctx context.Context, c *Conv, o *Order) error {
	p, total, ok := counterPrice(o)
	if !ok {
		c.Say(M("orders.not_now", orderData(c.F(), o)...))
		return nil
	}
	listed, err := f.listedOf(ctx, o)
	if err != nil {
		return err
	}
	// The update's own source: run again, it finds its order; another
	// tap, another update, finds the one placed (CounteredError).
	source := "counter:" + strconv.FormatInt(o.ID, 10) + ":" + heldSource(c.In)
	op, err := f.deps.Orders.Opening(ctx, OpeningOf{ListingID: o.ListingID, Buyer: c.User.ID, Profile: true,
		Open: f.deps.Limits.OpenOrders > 0, Source: source})
	if err != nil {
		return fmt.Errorf("listing of order %d, at the farmer's price: %w", o.ID, err)
	}
	l := op.Listing
	if openOrdersFull(f.deps, c, op.Open) {
		return nil
	}
	keep := BuyerProfile{Name: o.BuyerName, Phone: o.BuyerPhone, Address: o.Address}
	if keep.Address == "" && op.Profile != nil {
		keep.Address = op.Profile.Address // collected at the farm: the address is kept for next time
	}
	placing := &Order{ListingID: o.ListingID, BuyerID: c.User.ID, Quantity: o.Quantity, Asked: o.Asked, Total: total,
		Price: p, Listed: listed, CounterOf: o.ID, BuyerName: o.BuyerName, BuyerPhone: o.BuyerPhone,
		Delivery: o.Delivery, Address: o.Address, Note: o.Note, Status: Pending, Listing: l,
		RemindAt: remindAt(f.deps.wakingHours(), c.Now, c.Now.Add(f.deps.OrderTimeout))}
	placed, err := f.deps.Orders.PlaceOrder(ctx, placing, source, keep)
	var countered *CounteredError
	var notEnough *NotEnoughError
	var belowMin *BelowMinError
	left := func(milli int64) string {
		return c.F().Stock(vn.Quantity{Milli: milli, Unit: l.Quantity.Unit}, l.ProductKey)
	}
	noSale := func(msg string) {
		c.Say(M(msg, "Product", l.Product, "Code", l.Code))
		c.add(offerSimilar(ctx, f.deps, c.In.ChatKey(), c.Lang, c.User.ID, l)...)
	}
	switch {
	case errors.As(err, &countered):
		c.Say(M("order.counter_placed", dataFor(c.F(), countered.Order, c.User.ID)...))
		return nil
	case errors.Is(err, ErrListingExpired):
		noSale("order.expired")
		return nil
	case errors.Is(err, ErrNotOnSale):
		noSale("order.ended")
		return nil
	case errors.As(err, &notEnough) && notEnough.Remaining == 0:
		noSale("order.sold_out")
		return nil
	case errors.Is(err, ErrPriceChanged):
		c.Say(M("order.counter_price_changed", "Price", c.F().Price(l.Price), "Code", l.Code, "Product", l.Product))
		return nil
	case errors.As(err, &notEnough):
		c.Say(M("order.counter_short", "Remaining", left(notEnough.Remaining), "Quantity", c.F().Ordered(o), "Code", l.Code))
		return nil
	case errors.As(err, &belowMin):
		c.Say(M("order.counter_min", "Min", left(belowMin.Min), "Quantity", c.F().Ordered(o), "Code", l.Code))
		return nil
	case err != nil:
		return err
	}
	return tellPlaced(ctx, f.deps, c, placed, "Countered", o.Code)
}

// listedOf is the listing's price the order o was at: its own, or, for
// an order at the farmer's price, the one of the order it took the price
// of, and so on back to the first.
func (f *orders) listedOf(ctx context.Context, o *Order) (vn.Price, error) {
	for o.CounterOf != 0 {
		first, err := f.deps.Orders.Order(ctx, o.CounterOf)
		if err != nil {
			return vn.Price{}, fmt.Errorf("order %d, taken at the farmer's price by %d: %w", o.CounterOf, o.ID, err)
		}
		o = first
	}
	return o.Price, nil
}
