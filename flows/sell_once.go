package flows

import (
	"context"
	"slices"
	"strings"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Say it once: a listing from one message ("Na Chi Lăng 5 tạ 25k mai có
// hàng" under a photo), or several answers in one ("5 tạ giá 25k" at the
// quantity question). What the message says fills the draft; the rows it
// filled are Known, so the form asks only the rest, in the usual order.

// The sell form's rows a message can fill, as listingDraft.Said names them.
const (
	saidProduct  = "product"
	saidPhotos   = "photos"
	saidQuantity = "quantity"
	saidPrice    = "price"
	saidReady    = "ready"
	saidNote     = "note"
)

// What a reading leaves to confirm, as listingDraft.Unsure names it.
const (
	unsureQuantity   = "quantity"    // two amounts that disagree, or a huge one
	unsurePricePer   = "price_per"   // "1tr2" on na: per kg or per tạ?
	unsurePricePiece = "price_piece" // "3k" a chục of eggs: per quả or per chục?
	unsurePriceDear  = "price_dear"  // dear for any produce, or far from the area's prices
	unsureReadyPast  = "ready_past"  // a ready date that has passed: asked again, saying so
)

// said makes row name Known unless its value is still to be confirmed.
func said(name, unsure string) func(d *draft) bool {
	return func(d *draft) bool {
		return slices.Contains(d.Listing.Said, name) && (unsure == "" || !d.unsure(unsure))
	}
}

func (d *draft) unsure(what string) bool { return slices.Contains(d.Listing.Unsure, what) }

func (d *draft) sure(what string) {
	d.Listing.Unsure = slices.DeleteFunc(d.Listing.Unsure, func(s string) bool { return s == what })
}

func (d *draft) unsay(name string) {
	d.Listing.Said = slices.DeleteFunc(d.Listing.Said, func(s string) bool { return s == name })
}

func (d *draft) say(name string) {
	if !slices.Contains(d.Listing.Said, name) {
		d.Listing.Said = append(d.Listing.Said, name)
	}
}

// readListing reads text for a listing, with the areas by their names in
// every language.
func readListing(c *Conv, deps Deps, text string) vn.Reading {
	areas := make([]vn.Area, 0, len(Areas))
	for _, tag := range Areas {
		a := vn.Area{Tag: tag}
		for _, lang := range c.texts.Langs() {
			a.Names = append(a.Names, c.texts.Text(lang, M("area."+tag)))
		}
		areas = append(areas, a)
	}
	return vn.ReadListing(text, c.Now, deps.Catalogs.Products, areas)
}

// maxReading: a listing is said in a few lines; a longer text is not read
// (looking for a phone number in 1.000 characters of digits takes seconds).
const maxReading = 300

// opensListing tells whether a message outside any task is a listing: a
// photo with a caption, or a text that reads as one (a selling verb, or a
// product with a quantity or a price). "chào", "giá na hôm nay bao
// nhiêu?", "ai mua cam không" are not: they get the menu.
func opensListing(c *Conv, deps Deps, in Input) bool {
	switch {
	case deps.Catalogs.Products == nil || in.Command != "":
		return false
	case in.Kind == KindPhoto:
		// An album's photos arrive one by one, the captioned one not always
		// first: an uncaptioned one opens the listing too, and the caption
		// is read at the product question when it comes.
		return in.Text != "" || in.Photo != nil && in.Photo.MediaGroupID != ""
	case in.Kind == KindText:
		return !tooLong(in.Text, maxReading) && readListing(c, deps, in.Text).Listing()
	}
	return false
}

// takeOpening fills the draft from the message that opened the form: its
// photo, and what its text or caption says. A text with a phone number is
// refused as at the product question: nothing of it is taken.
func (f *sell) takeOpening(ctx context.Context, c *Conv, d *draft, in Input) error {
	if in.Kind == KindPhoto {
		keepPhoto(d, in, c.Now)
		d.say(saidPhotos)
	}
	return f.takeText(ctx, c, d, in)
}

// takeText fills the draft from what a text or caption says.
func (f *sell) takeText(ctx context.Context, c *Conv, d *draft, in Input) error {
	if in.Command != "" || in.Kind != KindPhoto && in.Kind != KindText || in.Text == "" || tooLong(in.Text, maxReading) {
		return nil
	}
	if vn.ContainsPhone(in.Text) {
		c.Say(M("sell_once.phone"))
		return nil
	}
	r := readListing(c, f.deps, in.Text)
	if in.Kind == KindText && !r.Listing() {
		return nil
	}
	f.takeProduct(d, r)
	if err := f.take(ctx, c, d, r); err != nil {
		return err
	}
	if !tooLong(r.Note, maxNote) {
		d.Listing.Note = r.Note // decided, even when empty: it is not asked
		d.say(saidNote)
	}
	return nil
}

func (f *sell) takeProduct(d *draft, r vn.Reading) {
	if r.Product.Name == "" || r.Product.Key == "" && (!validName(r.Product.Name) || tooLong(r.Product.Name, maxProduct)) {
		return
	}
	d.Listing.ProductKey, d.Listing.Product = r.Product.Key, r.Product.Name
	d.say(saidProduct)
}

// take fills the quantity, price and ready date that r states, each only
// when its own question would take it, and as it would take them (eggs'
// "30k/chục" for 50 quả is 3.000 đ/quả); a value to confirm is kept with
// its doubt, and its question asks for the confirmation.
func (f *sell) take(ctx context.Context, c *Conv, d *draft, r vn.Reading) error {
	if q := r.Quantity; q.Milli > 0 && wholeCounted(q, f.defaultUnit(d)) {
		d.Listing.Quantity = q
		d.say(saidQuantity)
		if kg, ok := q.InKg(); r.QuantityUnsure || ok && kg > maxKg*1000 {
			d.Listing.Unsure = append(d.Listing.Unsure, unsureQuantity)
		}
	}
	if p := r.Price; p.VND > 0 && !r.PriceRange {
		said := p.Per != ""
		if !said {
			p.Per = f.priceUnit(d)
		}
		typed := p
		if counted, ok := f.countedPrice(d, p, d.Listing.Quantity, said); ok && d.Listing.Quantity.Milli > 0 {
			p = counted
		}
		switch {
		case r.PriceUnsure:
			d.Listing.Unsure = append(d.Listing.Unsure, unsurePricePer)
		case !vn.PlausiblePrice(p) && !unusuallyHigh(p) || d.Listing.Quantity.Milli > 0 && !convertible(p, d.Listing.Quantity):
			p = vn.Price{} // asked, as typed at the question it would be refused
		case typed.CheapChuc(f.defaultUnit(d), f.pieceMin(d)): // "3k" a chục of eggs, surely a quả: asked
			p = typed
			d.Listing.Unsure = append(d.Listing.Unsure, unsurePricePiece)
		case !vn.PlausiblePrice(p):
			d.Listing.Unsure = append(d.Listing.Unsure, unsurePriceDear)
		default:
			rp, ok, err := recentPrices(ctx, f.deps, c, d, p.Per)
			if err == nil && ok && farFrom(p, rp) {
				d.Listing.Unsure = append(d.Listing.Unsure, unsurePriceDear)
			}
		}
		if p.VND > 0 {
			d.Listing.Price, d.Listing.PriceTyped = p, r.PriceTyped
			d.say(saidPrice)
		}
	}
	switch {
	case !r.Ready.IsZero():
		d.Listing.Ready = r.Ready
		d.say(saidReady)
	case !r.ReadyPast.IsZero():
		d.Listing.Ready = r.ReadyPast // not said: its question names it
		d.Listing.Unsure = append(d.Listing.Unsure, unsureReadyPast)
	}
	return nil
}

// toProduct goes to the first question the draft does not answer yet,
// from the product on.
func (f *sell) toProduct(d *draft) Go {
	if f.product.Known(d) {
		return Past(f.product)
	}
	return To(f.product)
}

// moreThanAsked reads an answer that the question's own parser refused
// for several answers at once ("5 tạ giá 25k" at the quantity question,
// "25k, mai có hàng" at the price question); ok when it states the value
// asked and at least one more.
func (f *sell) moreThanAsked(ctx context.Context, c *Conv, d *draft, in Input, asked string) (Go, bool, error) {
	if in.Kind != KindText || tooLong(in.Text, maxReading) || vn.ContainsPhone(in.Text) {
		return Go{}, false, nil
	}
	r := readListing(c, f.deps, in.Text)
	values := map[string]bool{saidQuantity: r.Quantity.Milli > 0, saidPrice: r.Price.VND > 0, saidReady: !r.Ready.IsZero()}
	n := 0
	for _, ok := range values {
		if ok {
			n++
		}
	}
	if !values[asked] || n < 2 {
		return Go{}, false, nil
	}
	if asked == saidPrice {
		r.Quantity = vn.Quantity{} // answered already
	}
	if err := f.take(ctx, c, d, r); err != nil {
		return Go{}, false, err
	}
	if !slices.Contains(d.Listing.Said, asked) {
		return Go{}, false, nil // the value asked was refused: the question says why
	}
	return Next(), true, nil
}

// askQuantityCheck confirms a quantity read from a message that said
// another amount too ("2 tấn (200kg)").
func (f *sell) askQuantityCheck(c *Conv, d *draft) Question {
	return Ask(M("sell_once.quantity_check", "Quantity", c.F().Quantity(d.Listing.Quantity)), confirmChoices()...)
}

// askPricePer asks what a price in millions with no unit is for: "1tr2"
// on na may be per kg or per tạ.
func (f *sell) askPricePer(c *Conv, d *draft) Question {
	p := d.Listing.Price
	var rows [][]Choice
	for i, u := range []vn.Unit{f.defaultUnit(d), vn.UnitTa, vn.UnitTan} {
		if i > 0 && u == f.defaultUnit(d) {
			continue
		}
		rows = append(rows, []Choice{{Label: M("sell_once.per", "Price", c.F().Price(vn.Price{VND: p.VND, Per: u})),
			Value: "per:" + string(u)}})
	}
	return Ask(M("sell_once.price_per", "Price", vn.FormatNumber(p.VND)), rows...)
}

// askPricePiece asks what a price too low for a chục of eggs is for: "3k"
// is surely the price of a quả, but the farmer says which.
func (f *sell) askPricePiece(c *Conv, d *draft) Question {
	p := d.Listing.Price
	return Ask(M("sell_once.price_piece", "Price", vn.FormatNumber(p.VND)), piecePrices(c, p)...)
}

// piecePrices are the answers to the question whether p is for a quả or a
// chục of eggs.
func piecePrices(c *Conv, p vn.Price) [][]Choice {
	per := func(u vn.Unit, words ...string) []Choice {
		return []Choice{{Label: M("sell_once.per", "Price", c.F().Price(vn.Price{VND: p.VND, Per: u})),
			Value: "per:" + string(u), Words: words}}
	}
	return [][]Choice{per(vn.UnitQua, "qua", "1 qua", "mot qua", "trai", "1 trai"), per(vn.UnitChuc, "chuc", "1 chuc", "mot chuc")}
}

// onPriceDoubt takes the answer to a doubt about a price read from a
// message: its unit picked ("per:ta"), or Đúng vậy / Gõ lại.
func (f *sell) onPriceDoubt(c *Conv, d *draft, in Input) (Go, bool) {
	if in.Kind != KindChoice {
		return Go{}, false
	}
	switch per, picked := strings.CutPrefix(in.Text, "per:"); {
	case (d.unsure(unsurePricePer) || d.unsure(unsurePricePiece)) && picked && vn.Unit(per).Valid():
		d.sure(unsurePricePer)
		d.sure(unsurePricePiece)
		p := vn.Price{VND: d.Listing.Price.VND, Per: vn.Unit(per)}
		if counted, ok := f.countedPrice(d, p, d.Listing.Quantity, true); ok {
			p = counted // 3k a quả of eggs listed by the chục is 30k a chục
		}
		switch {
		case !vn.PlausiblePrice(p) && !unusuallyHigh(p):
			d.Listing.Price = vn.Price{}
			d.unsay(saidPrice)
			return Again(M("sell.price_implausible", "Price", c.F().Price(p))), true
		case !convertible(p, d.Listing.Quantity):
			d.Listing.Price = vn.Price{}
			d.unsay(saidPrice)
			return Again(M("sell.price_unit", "Price", c.F().Price(p), "Unit", c.F().Unit(d.Listing.Quantity.Unit))), true
		}
		d.Listing.Price = p
		if !vn.PlausiblePrice(p) {
			d.Listing.Unsure = append(d.Listing.Unsure, unsurePriceDear)
			return To(f.price), true
		}
		return Next(), true
	case d.unsure(unsurePriceDear) && in.Text == "yes":
		d.sure(unsurePriceDear)
		return Next(), true
	case d.unsure(unsurePriceDear) && in.Text == "no":
		d.sure(unsurePriceDear)
		d.Listing.Price = vn.Price{}
		d.unsay(saidPrice)
		return To(f.price), true
	}
	return Go{}, false
}
