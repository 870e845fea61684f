package flows

import (
	"strings"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// T renders m in the conversation's language, for values placed inside
// other messages (a unit inside a quantity, a date inside a summary).
func (c *Conv) T(m Msg) string { return c.texts.Text(c.Lang, m) }

// Format renders values the Vietnamese way in lang: `1,5 tấn`,
// `25.000 đ/kg`, `thứ Bảy 15/08/2026`.
type Format struct {
	Texts Texts
	Lang  string
	// Now decides whether a date needs its year; zero is the wall clock.
	Now time.Time
	// Products say which produce is counted by the piece (eggs), for
	// Stock; nil: every chục is shown as it is.
	Products *vn.Catalog
}

// F returns the formats of the conversation's language.
func (c *Conv) F() Format {
	return Format{Texts: c.texts, Lang: c.Lang, Now: c.Now, Products: c.products}
}

// Unit is a unit's name: `tạ`.
func (f Format) Unit(u vn.Unit) string { return f.Texts.Text(f.Lang, M("unit."+string(u))) }

// Quantity is `1,5 tấn`; a unit of other than exactly one is named as
// many (unit_many: "200 pieces" in English).
func (f Format) Quantity(q vn.Quantity) string {
	unit := f.Unit(q.Unit)
	if q.Milli != 1000 {
		unit = f.Texts.Text(f.Lang, M("unit_many."+string(q.Unit)))
	}
	return f.Texts.Text(f.Lang, M("fmt.quantity", "Amount", vn.FormatMilli(q.Milli), "Unit", unit))
}

// Stock is a quantity of the product with key as people count it: `1,5
// tấn`, `3 chục`, and eggs that are not a whole chục in quả, `27 quả`
// rather than `2,7 chục` (vn.Quantity.Said).
func (f Format) Stock(q vn.Quantity, key string) string {
	return f.Quantity(q.Said(countedOf(f.Products, key)))
}

// Ordered is an order's quantity in the unit the buyer used, with the
// listing's unit when it differs and it makes at least one of that unit:
// `5 tạ (500 kg)`, `150 kg (1,5 tạ)`, `20 quả (2 chục)`. Under one,
// the listing's unit helps nobody: `50 kg`, not `50 kg (0,05 tấn)`.
// 25 quả of eggs by the chục are `25 quả`, said so both ways.
func (f Format) Ordered(o *Order) string {
	key := ""
	if o.Listing != nil {
		key = o.Listing.ProductKey
	}
	listed := f.Stock(o.Quantity, key)
	if o.Asked.Unit == "" || o.Asked.Unit == o.Quantity.Unit {
		return listed
	}
	asked := f.Stock(o.Asked, key)
	if asked == listed {
		return listed
	}
	if o.Quantity.Said(countedOf(f.Products, key)).Milli < 1000 {
		return asked
	}
	return f.Texts.Text(f.Lang, M("fmt.quantity_as", "Asked", asked, "Listed", listed))
}

// Price is `25.000 đ/kg`, with the per-kg price after a price per tạ or
// tấn: `2.000.000 đ/tạ (20.000 đ/kg)`.
func (f Format) Price(p vn.Price) string {
	s := f.Texts.Text(f.Lang, M("fmt.price", "Amount", vn.FormatNumber(p.VND), "Unit", f.Unit(p.Per)))
	if perKg, ok := p.PerKgVND(); ok && p.Per != vn.UnitKg {
		s = f.Texts.Text(f.Lang, M("fmt.price_per_kg", "Price", s, "PerKg", vn.FormatNumber(perKg)))
	}
	return s
}

// Money is `1.250.000 đ`.
func (f Format) Money(vnd int64) string {
	return f.Texts.Text(f.Lang, M("fmt.money", "Amount", vn.FormatNumber(vnd)))
}

// Date is `thứ Bảy 15/8` in Asia/Ho_Chi_Minh, with the year only when it
// is not this one (`thứ Sáu 15/1/2027`).
func (f Format) Date(d time.Time) string {
	d = d.In(vn.Location())
	now := f.Now
	if now.IsZero() {
		now = time.Now()
	}
	date := d.Format("2/1") // 15/8, as people write it
	if d.Year() != now.In(vn.Location()).Year() {
		date = d.Format("2/1/2006")
	}
	return f.Texts.Text(f.Lang, M("fmt.date", "Weekday", f.Texts.Text(f.Lang, M("weekday."+d.Weekday().String())),
		"Date", date))
}

// Until is when a listing's sale ends, as people say it: through its last
// day, `hết thứ Ba 8/12`, for a listing that ends at midnight (as listings
// do: their expiry is the midnight after the last day), else with the
// hour, `15:00 thứ Ba 8/12` (renewed before renewals ran to a day's end).
func (f Format) Until(expires time.Time) string {
	if expires.Equal(vn.Today(expires)) {
		return f.Texts.Text(f.Lang, M("fmt.until_day", "Date", f.Date(expires.Add(-time.Nanosecond))))
	}
	return f.Texts.Text(f.Lang, M("fmt.until_time", "Time", expires.In(vn.Location()).Format("15:04"), "Date", f.Date(expires)))
}

// At is a moment as people say it, `09:05 thứ Ba 8/12`, in
// Asia/Ho_Chi_Minh: the time, then the date as Date says it.
func (f Format) At(t time.Time) string {
	return f.Texts.Text(f.Lang, M("fmt.at", "Time", t.In(vn.Location()).Format("15:04"), "Date", f.Date(t)))
}

// Area is an area tag's name, or "" for none.
func (f Format) Area(tag string) string {
	if tag == "" {
		return ""
	}
	return f.Texts.Text(f.Lang, M("area."+tag))
}

// Place is `xã Chi Lăng (Chi Lăng)`: the commune as typed and its area.
func (f Format) Place(s Seller) string {
	if s.Area == "" || strings.Contains(vn.Fold(s.Commune), vn.Fold(f.Area(s.Area))) {
		return s.Commune
	}
	return f.Texts.Text(f.Lang, M("fmt.place", "Commune", s.Commune, "Area", f.Area(s.Area)))
}

func formatPhone(e164 string) string {
	if e164 == "" {
		return ""
	}
	return vn.FormatPhone(e164)
}

// BuiltMessageIDs lists the message IDs the flows build at run time (units,
// areas, weekdays, fields of summaries), so that a test can check that the
// locales have every one.
func BuiltMessageIDs() []string {
	var ids []string
	for _, u := range vn.Units() {
		ids = append(ids, "unit."+string(u), "unit_many."+string(u))
	}
	for _, a := range Areas {
		ids = append(ids, "area."+a)
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		ids = append(ids, "weekday."+d.String())
	}
	for _, form := range fieldChoices() {
		for _, row := range form {
			ids = append(ids, row[0].Label.ID)
		}
	}
	for _, st := range []string{Active, SoldOut, Closed, Expired, Removed} {
		ids = append(ids, "status."+st, "post_status."+st)
	}
	for _, st := range []string{Pending, Accepted, Shipping, Completed, Cancelled, Declined} {
		ids = append(ids, "order_status."+st)
	}
	for _, st := range sellerStatuses {
		ids = append(ids, "order_status_seller."+st)
	}
	for _, st := range buyerStatuses {
		ids = append(ids, "order_status_buyer."+st)
	}
	for name := range orderActions {
		ids = append(ids, "order."+name)
	}
	for _, key := range append(append(reasonKeys, ReasonTimeout), priceReasons...) {
		ids = append(ids, reasonMsg(key).ID)
	}
	ids = append(ids, ResetLost, ResetFailing)
	for _, ch := range namedChannels {
		ids = append(ids, "channel."+string(ch))
	}
	for _, id := range unclearMsg {
		ids = append(ids, id)
	}
	for _, m := range []string{"order.declined", "order.timed_out", "order.cancelled", "order.dropped"} {
		ids = append(ids, m+"_farmer")
	}
	for _, a := range []string{modRemove, modHide, modBan} {
		ids = append(ids, "moderation.reason_"+a, "moderation.confirm_"+a, "moderation.do_"+a)
	}
	for _, r := range hideReasons {
		ids = append(ids, whyMsg(r.key).ID)
	}
	for _, role := range []string{RoleModerator, RoleHelper} {
		ids = append(ids, "roles.role_"+role, "roles.granted_"+role)
	}
	for _, c := range Commands {
		ids = append(ids, "cmd."+c)
	}
	return ids
}
