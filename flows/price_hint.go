package flows

import (
	"context"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// hintDays: the prices of the last two weeks are the market's, as farmers
// see it; older ones belong to another moment of the season.
const hintDays = 14

// recentPrices is the range the seller's area paid lately for the product
// of d, priced per unit per (per kg for any weight); ok is false when there
// is no hint to give: no store, a product typed freely, a seller outside
// the areas, or too few prices (PriceRange.Enough). One query.
func recentPrices(ctx context.Context, deps Deps, c *Conv, d *draft, per vn.Unit) (r PriceRange, ok bool, err error) {
	if deps.Prices == nil || d.Listing.ProductKey == "" || d.Seller.Area == "" || per == "" {
		return r, false, nil
	}
	r, err = deps.Prices.RecentPrices(ctx, d.Listing.ProductKey, d.Seller.Area, per, c.Now.AddDate(0, 0, -hintDays))
	return r, err == nil && r.Enough(), err
}

// hintFor is the hint's line for d's product priced per per; "" for none.
// A hint is a courtesy: while the prices cannot be read, the form goes on
// without (a step mid-flow needs no database).
func hintFor(c *Conv, deps Deps, d *draft, per vn.Unit) string {
	r, ok, err := recentPrices(c.Context(), deps, c, d, per)
	if !ok || err != nil {
		return ""
	}
	return priceHint(c.F(), d.Seller.Area, r)
}

// priceHint is the hint's line: `Giá gần đây ở Chi Lăng: 22.000–28.000
// đ/kg (12 tin)`.
func priceHint(f Format, area string, r PriceRange) string {
	return f.Texts.Text(f.Lang, M("price_hint.range", "Area", f.Area(area), "Low", vn.FormatNumber(r.Low.VND),
		"High", vn.FormatNumber(r.High.VND), "Unit", f.Unit(r.Low.Per), "Listings", r.Listings, "Orders", r.Orders))
}

// farFrom tells whether p is far outside r: below half its low or above
// twice its high. Prices that do not compare (per quả against per kg) are
// not far.
func farFrom(p vn.Price, r PriceRange) bool {
	v := p.VND
	if r.Low.Per == vn.UnitKg {
		perKg, ok := p.PerKgVND()
		if !ok {
			return false
		}
		v = perKg
	} else if p.Per != r.Low.Per {
		return false
	}
	return 2*v < r.Low.VND || v > 2*r.High.VND
}
