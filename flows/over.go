package flows

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// sellingOver answers, between tasks, a farmer saying her selling is over
// ("bán hết rồi", "không bán nữa", "hết hàng") or that nothing sold yet
// ("chưa bán được"): words that once opened a listing of "hết rồi". Over,
// with listings on sale, she is shown them to mark sold out or stop
// selling, as /tin does; otherwise a short answer. done is false when the
// text says neither.
func (r *Router) sellingOver(ctx context.Context, c *Conv, in Input) (done bool, err error) {
	if c.Session.Active() || in.Kind != KindText || in.Command != "" || r.Deps.Catalogs.Products == nil ||
		tooLong(in.Text, maxReading) {
		return false, nil
	}
	read := readListing(c, r.Deps, in.Text)
	if !read.Over && !read.NotYet {
		return false, nil
	}
	if read.Over {
		if done, err := r.overAwaiting(ctx, c, in); done || err != nil {
			return done, err
		}
	}
	listings, err := r.Deps.Listings.ListingsOf(ctx, c.User.ID)
	if err != nil {
		return false, fmt.Errorf("listings of a farmer whose selling is over: %w", err)
	}
	var onSale []*Listing
	for _, l := range listings {
		if l.Status == Active && l.Remaining > 0 && c.Now.Before(l.ExpiresAt) {
			onSale = append(onSale, l)
		}
	}
	switch {
	case read.NotYet || len(onSale) == 0:
		c.Say(M("over.nothing", "NotYet", read.NotYet, "OnSale", len(onSale) > 0))
		taskDone(c)
		return true, nil
	case len(onSale) == 1:
		l := onSale[0]
		c.Say(M("over.listing", "Product", l.Product, "Code", l.Code))
		in.Kind, in.Text = KindChoice, actValue("show", l.ID)
	default:
		c.Say(M("over.listings"))
	}
	return true, r.interject(ctx, c, "mine", in)
}

// overAwaiting answers "hết hàng", "không bán nữa" said by a farmer whose
// orders wait for her answer: most likely her answer to them, which the
// listing alone would leave waiting till they time out. The one order
// waiting is asked about with two choices, ❌ Từ chối (for Hết hàng when
// she said so, which also marks the listing sold out; else asking why) or
// ✅ Nhận đơn; several are listed to choose the one to decline. done is
// false with none waiting.
func (r *Router) overAwaiting(ctx context.Context, c *Conv, in Input) (done bool, err error) {
	orders, err := r.Deps.Orders.Awaiting(ctx, c.User.ID)
	if err != nil {
		return false, fmt.Errorf("orders awaiting %d, selling over: %w", c.User.ID, err)
	}
	if len(orders) == 0 {
		return false, nil
	}
	key, _ := reasonSaid(in.Text)
	soldOut := key == ReasonSoldOut
	value := func(o *Order) string {
		v := "ord:decline:" + strconv.FormatInt(o.ID, 10)
		if soldOut {
			v += ":" + ReasonSoldOut
		}
		return v
	}
	if len(orders) == 1 {
		o := orders[0]
		data := append(sellerData(c.F(), o), "SoldOut", soldOut)
		c.Ask(M("orders.over_one", data...), []Choice{
			{Label: M("orders.over_decline", data...), Value: value(o)},
			{Label: M("order.accept"), Value: "ord:accept:" + strconv.FormatInt(o.ID, 10)},
		})
		return true, nil
	}
	lines := make([]string, len(orders))
	rows := make([][]Choice, len(orders))
	for i, o := range orders {
		data := append(sellerData(c.F(), o), "Decline", true)
		lines[i] = c.T(M("orders.awaiting_item", data...))
		rows[i] = []Choice{{Label: M("orders.awaiting_choice", data...), Value: value(o)}}
	}
	c.Ask(M("orders.awaiting", "Count", len(orders), "Orders", strings.Join(lines, "\n"), "Example", orders[0].Code,
		"Decline", true), rows...)
	return true, nil
}
