package flows

import (
	"context"
	"fmt"
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
