package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// listingDraft is the listing being written.
type listingDraft struct {
	ProductKey string      `json:"product_key,omitempty"`
	Product    string      `json:"product,omitempty"`
	Photos     []photo     `json:"photos,omitempty"`
	Quantity   vn.Quantity `json:"quantity"`
	Price      vn.Price    `json:"price"`
	PriceTyped string      `json:"price_typed,omitempty"`
	Ready      time.Time   `json:"ready"`
	Note       string      `json:"note,omitempty"`
	// Said: the rows answered by an earlier message (a captioned photo,
	// "5 tạ giá 25k"), not asked; Unsure: what of it is to be confirmed.
	Said   []string `json:"said,omitempty"`
	Unsure []string `json:"unsure,omitempty"`
}

type photo struct {
	Token string `json:"f"` // a PhotoRef; drafts older than photo ids hold a Telegram file_id
	Order string `json:"o"` // the platform's message id, for album order
	// At is when it came (Unix seconds; 0 in older drafts): its kept copy
	// is forgotten DraftKeep later if the listing is not published.
	At int64 `json:"t,omitempty"`
}

const maxPhotos = 10

// sell is the sell form. Its rows are named here when an answer leads to them.
type sell struct {
	deps Deps
	form *Form[draft]
	reg  *registration
	assist
	product, photos, quantity, quantityCheck, price, priceCheck, ready *Field[draft]
}

func sellFlow(d Deps) *Flow { return newSell(d).form.Flow() }

// newSell is the sell flow's table: for whom (helpers), registration (the
// first time), then product → photos → quantity → price → ready date →
// note → summary → publish. From the summary, Sửa picks one field, changes
// it and comes back. Unusual answers are questioned, not refused (Aside).
func newSell(d Deps) *sell {
	f := &sell{deps: d}
	f.form = &Form[draft]{Name: "sell", Start: f.start, Labels: "sell.field_", Before: f.lateAlbum, Stamp: listingStamp}
	f.assist = newAssist(f, f.form)
	f.reg = newRegistration(d, f.form, false)
	f.product = f.form.Row(Field[draft]{Step: "product", Ask: f.askProduct, Answer: f.onProduct, Edit: "product", Fresh: true,
		EditWords: []string{"san pham"}, Known: said(saidProduct, "")})
	f.photos = f.form.Row(Field[draft]{Step: "photos", Ask: f.askPhotos, Answer: f.onPhoto, Edit: "photos",
		Picked: func(d *draft) { d.NewPhotos = true }, Known: said(saidPhotos, "")}) // new photos replace the old, once one arrives
	f.quantity = f.form.Row(Field[draft]{Step: "quantity", Ask: f.askQuantity, Answer: f.onQuantity, Edit: "quantity",
		Known: said(saidQuantity, unsureQuantity)})
	f.quantityCheck = f.form.Row(Field[draft]{Step: "quantity_check", Ask: f.askQtyCheck, Answer: f.onQtyCheck, Aside: true})
	f.price = f.form.Row(Field[draft]{Step: "price", Ask: f.askPrice, Answer: f.onPrice, Edit: "price",
		Known: func(d *draft) bool {
			return said(saidPrice, unsurePricePer)(d) && !d.unsure(unsurePriceDear) && !d.unsure(unsurePricePiece)
		}})
	f.priceCheck = f.form.Row(Field[draft]{Step: "price_check", Ask: f.askPriceCheck, Answer: f.onPriceCheck, Aside: true})
	f.ready = f.form.Row(Field[draft]{Step: "ready", Ask: f.askDate, Answer: f.onDate, Edit: "ready", Known: said(saidReady, "")})
	f.form.Row(Field[draft]{Step: "note", Ask: ask(M("sell.note")).text, Answer: f.onNote, Edit: "note",
		Skip: func(d *draft) { d.Listing.Note = "" }, Known: said(saidNote, "")})
	f.form.Row(Field[draft]{Step: "summary", Ask: f.showSummary, Answer: f.onSummary, Summary: true,
		Unclear: M("sell.summary_unclear")})
	return f
}

// start asks a helper whom they sell for; anyone else sells for themselves,
// registering the first time.
func (f *sell) start(ctx context.Context, c *Conv, d *draft, in Input) (Go, error) {
	p, err := mayPost(ctx, f.deps, c, PostingOf{Since: listedSince(f.deps, c)})
	if err != nil || p.Banned {
		return Finish(), err
	}
	d.Nonce = newNonce()
	if err := f.takeOpening(ctx, c, d, in); err != nil {
		return Go{}, err
	}
	if p.Helper {
		return To(f.forWhom), nil
	}
	return f.sellAs(c, d, p), nil
}

// lateAlbum takes in a photo sent after the photo question, at any later
// question (farmers remember one more photo while typing the price): it
// joins the listing, up to maxPhotos, and the farmer is told so, then
// asked the question again. The other photos of an album already being
// collected join silently: on a slow connection an album's photos come in
// one by one. A caption is the answer to the question (lateCaption). A
// photo sent as a file cannot be posted: she is told how to send it as a
// photo.
func (f *sell) lateAlbum(ctx context.Context, c *Conv, d *draft, in Input) (Go, bool, error) {
	step := c.Session.Step
	switch {
	case in.Kind == KindFile && step != f.photos.Step:
		c.Say(photoFileMsg(in))
		return f.again(c), true, nil
	case in.Kind != KindPhoto || step == f.photos.Step || step == f.product.Step:
		return Go{}, false, nil
	case in.Photo.MediaGroupID != "" && slices.Contains(d.Albums, in.Photo.MediaGroupID):
		if !d.NewPhotos { // else the album is being replaced anyway
			keepPhoto(d, in, c.Now)
		}
		return f.lateCaption(ctx, c, d, in, Stay())
	case len(d.Listing.Photos) >= maxPhotos && !d.NewPhotos:
		if g := in.Photo.MediaGroupID; g != "" {
			d.Albums = append(d.Albums, g) // told once for the album
		}
		c.Say(M("sell.photos_full", "Max", maxPhotos))
		return f.lateCaption(ctx, c, d, in, f.again(c))
	}
	keepPhoto(d, in, c.Now)
	if strings.HasPrefix(string(step), "reg_") { // no listing yet: kept for it
		c.Say(M("sell.photo_held"))
	} else if in.Photo.MediaGroupID != "" {
		c.Say(M("sell.album_added"))
	} else {
		c.Say(M("sell.photo_added", "Count", len(d.Listing.Photos)))
	}
	return f.lateCaption(ctx, c, d, in, f.again(c))
}

// lateCaption reads the caption of a photo taken in by lateAlbum as the
// answer to the question in progress, as if typed ("5 tạ" under a photo
// at the quantity question: the price is asked next; "abc": why not, as
// for a typed answer). Without a caption, or with one that answers
// nothing, it goes on as otherwise does (the question again). Only the
// listing's own questions read it: a caption is no name or bank account.
func (f *sell) lateCaption(ctx context.Context, c *Conv, d *draft, in Input, otherwise Go) (Go, bool, error) {
	step := c.Session.Step
	if strings.TrimSpace(in.Text) == "" || step == editStep || f.form.index(step) <= f.form.index(f.photos.Step) {
		return otherwise, true, nil
	}
	g, err := f.form.answerTyped(ctx, c, d, step, in)
	if err != nil || g.kind == goUnclear {
		return otherwise, true, err
	}
	return g, true, nil
}

// again asks the question in progress again, below what was just said.
func (f *sell) again(c *Conv) Go {
	for _, row := range f.form.Rows {
		if row.Step == c.Session.Step {
			return To(row)
		}
	}
	return Stay() // the list of fields to change, still on screen
}

func (f *sell) askProduct(c *Conv, d *draft) Question {
	var rows [][]Choice
	for _, p := range f.deps.Catalogs.Products.Featured() {
		rows = append(rows, []Choice{{Label: M("product.name", "Name", f.productName(c, p)), Value: "p:" + p.Key}})
	}
	rows = pairs(rows)
	if helpedByMe(c, d) {
		rows = append(rows, farmerEditChoice(d))
	}
	return Ask(M("sell.product"), rows...)
}

func (f *sell) productName(c *Conv, p vn.Product) string {
	if c.Lang == "en" && p.NameEN != "" {
		return p.NameEN
	}
	return p.Name
}

// maxProduct: a product name fits on a line of the group post.
const maxProduct = 60

func (f *sell) onProduct(ctx context.Context, c *Conv, d *draft, in Input) (Go, error) {
	if in.Kind == KindChoice && in.Text == "farmer:edit" && helpedByMe(c, d) {
		return To(f.assist.check), nil
	}
	if in.Kind == KindPhoto {
		// Farmers often send the photos first: keep them, then ask what it
		// is — unless an album's caption, coming late, says it.
		answer, named := keepPhoto(d, in, c.Now), slices.Contains(d.Listing.Said, saidProduct)
		if err := f.takeText(ctx, c, d, in); err != nil {
			return Go{}, err
		}
		if !named && slices.Contains(d.Listing.Said, saidProduct) {
			d.say(saidPhotos)
			return Next(), nil
		}
		if answer {
			c.Say(M("sell.photo_first"))
		}
		return Stay(), nil
	}
	var p vn.Product
	var name string // as typed when it says more: "Mật ong rừng"
	ok := false
	switch in.Kind {
	case KindChoice:
		key, _ := strings.CutPrefix(in.Text, "p:")
		p, ok = f.deps.Catalogs.Products.ByKey(key)
		name = p.Name
	case KindText:
		if tooLong(in.Text, maxReading) { // before looking for a phone number in it: that takes long
			return Again(M("sell.product_long")), nil
		}
		if withPhone(in) { // before the catalog: `Na Chi Lăng 0912…` would pass as Na Chi Lăng, unexplained
			return Again(M("sell.product_phone")), nil
		}
		// "Na Chi Lăng 5 tạ 25k mai có hàng": the whole listing at once.
		if r := readListing(c, f.deps, in.Text); r.Product.Name != "" && r.Listing() &&
			(r.Quantity.Milli > 0 || r.Price.VND > 0 || !r.Ready.IsZero()) {
			f.takeProduct(d, r)
			if slices.Contains(d.Listing.Said, saidProduct) {
				return Next(), f.take(ctx, c, d, r)
			}
		}
		if vn.Courtesy(in.Text) {
			return NotUnderstood(), nil // thanks, not a product ("cảm ơn" is no cam)
		}
		p, name, ok = f.deps.Catalogs.Products.MatchName(in.Text)
		if !ok && tooLong(in.Text, maxProduct) {
			return Again(M("sell.product_long")), nil
		}
		if !ok && validName(in.Text) {
			d.Listing.ProductKey, d.Listing.Product = "", in.Text // free text is fine
			return Next(), nil
		}
	}
	if !ok {
		return NotUnderstood(), nil
	}
	d.Listing.ProductKey, d.Listing.Product = p.Key, name
	return Next(), nil
}

func (f *sell) askPhotos(_ *Conv, d *draft) Question {
	if len(d.Listing.Photos) == 0 || d.NewPhotos {
		return Ask(M("sell.photos"))
	}
	return Ask(M("sell.photos_more", "Count", len(d.Listing.Photos)), []Choice{doneChoice()})
}

func doneChoice() Choice {
	return Choice{Label: M("choice.done"), Value: "done", Words: []string{"xong", "xong roi", "het", "done", "ok", "tiep", "tiep tuc"}}
}

// onPhoto keeps every photo, in the order the user sent them, and answers
// an album once: its photos arrive as separate updates, maybe at once.
func (f *sell) onPhoto(ctx context.Context, c *Conv, d *draft, in Input) (Go, error) {
	photos := &d.Listing.Photos
	if in.Kind == KindText && slices.Contains(doneChoice().Words, vn.Fold(in.Text)) {
		in.Kind, in.Text = KindChoice, "done" // "xong" before any photo, when no button was offered
	}
	switch {
	case in.Kind == KindChoice && in.Text == "done":
		if len(*photos) == 0 {
			return Again(M("sell.photos_none")), nil
		}
		return Next(), nil
	case in.Kind == KindFile:
		return Again(photoFileMsg(in)), nil
	case in.Kind == KindText:
		// "5 tạ 25k" typed before the photos: kept for its questions, and
		// the photos asked again.
		if noted, err := f.noteAtPhotos(ctx, c, d, in); err != nil || noted {
			return f.again(c), err
		}
		return NotUnderstood(), nil
	case in.Kind == KindSticker:
		return Again(M("sell.photos_sticker")), nil // a photo of the goods, not of a cartoon
	case in.Kind == KindVoice || in.Kind == KindVideo || in.Kind == KindOther:
		return Again(M("sell.photos_want")), nil // not "gõ chữ": a photo is what is asked
	case in.Kind != KindPhoto:
		return NotUnderstood(), nil
	case len(*photos) >= maxPhotos && !d.NewPhotos:
		if g := in.Photo.MediaGroupID; g == "" || !slices.Contains(d.Albums, g) {
			c.Ask(M("sell.photos_max", "Max", maxPhotos), []Choice{doneChoice()})
			d.Albums = append(d.Albums, g)
		}
		return Stay(), nil
	}
	answer := keepPhoto(d, in, c.Now)
	if _, err := f.noteAtPhotos(ctx, c, d, in); err != nil { // "5 tạ 25k" under the photo
		return Go{}, err
	}
	switch {
	case !answer:
		// the album was answered already
	case in.Photo.MediaGroupID != "":
		c.Ask(M("sell.album_got"), []Choice{doneChoice()})
	default:
		c.Ask(M("sell.photo_got", "Count", len(*photos)), []Choice{doneChoice()})
	}
	return Stay(), nil
}

// noteAtPhotos reads a caption, or a text typed at the photo question,
// for the quantity, price and ready date ("5 tạ 25k", "mai có hàng"), as
// a caption is read at the later questions: each is kept for its
// question, which is then passed by, and the farmer is told what was
// noted. The product is answered already; a text that states none of
// these is not noted (false).
func (f *sell) noteAtPhotos(ctx context.Context, c *Conv, d *draft, in Input) (bool, error) {
	if strings.TrimSpace(in.Text) == "" || tooLong(in.Text, maxReading) {
		return false, nil
	}
	if vn.ContainsPhone(in.Text) {
		c.Say(M("sell_once.phone"))
		return in.Kind == KindText, nil
	}
	r := readListing(c, f.deps, in.Text)
	r.Product = vn.Product{}
	if r.Quantity.Milli == 0 && r.Price.VND == 0 && r.Ready.IsZero() {
		return false, nil
	}
	if err := f.take(ctx, c, d, r); err != nil {
		return false, err
	}
	var what []string
	fm := c.F()
	if r.Quantity.Milli > 0 && slices.Contains(d.Listing.Said, saidQuantity) && d.Listing.Quantity == r.Quantity {
		what = append(what, fm.Stock(d.Listing.Quantity, d.Listing.ProductKey))
	}
	if slices.Contains(d.Listing.Said, saidPrice) && r.Price.VND > 0 {
		what = append(what, fm.Price(d.Listing.Price))
	}
	if slices.Contains(d.Listing.Said, saidReady) && !r.Ready.IsZero() {
		what = append(what, fm.Texts.Text(fm.Lang, M("sell.noted_ready", "Date", fm.Date(d.Listing.Ready))))
	}
	if len(what) == 0 {
		return false, nil
	}
	c.Say(M("sell.noted", "What", strings.Join(what, ", ")))
	return true, nil
}

// dropOldPhotos takes out of the draft the photos that came more than
// DraftKeep ago, and says how many: their kept copies are forgotten by
// then (bot/postgres draftPhotosFor) and the platform's own links may have
// expired (Zalo's do), so they cannot be posted. Coming back after
// SESSION_TTL, such a draft is not offered back at all (draft.kept);
// answering within it each time, she keeps it that long. Photos of older
// drafts carry no time and stay.
func (d *draft) dropOldPhotos(now time.Time) (dropped int) {
	fresh := d.Listing.Photos[:0:0]
	for _, p := range d.Listing.Photos {
		if p.At != 0 && now.Sub(time.Unix(p.At, 0)) > DraftKeep {
			dropped++
			continue
		}
		fresh = append(fresh, p)
	}
	if dropped > 0 {
		d.Listing.Photos = fresh
	}
	return dropped
}

// keepPhoto adds in's photo to the draft, in the order the user sent them,
// and tells whether to answer it: every single photo, an album once.
func keepPhoto(d *draft, in Input, now time.Time) (answer bool) {
	return addPhoto(d, photo{Token: in.Photo.Ref().String(), Order: in.MessageID, At: now.Unix()}, in.Photo.MediaGroupID)
}

// addPhoto adds p, of album g ("" for none), as keepPhoto does.
func addPhoto(d *draft, p photo, g string) (answer bool) {
	if d.NewPhotos {
		d.Listing.Photos, d.Albums, d.NewPhotos = nil, nil, false
	}
	if len(d.Listing.Photos) < maxPhotos {
		d.Listing.Photos = append(d.Listing.Photos, p)
		slices.SortStableFunc(d.Listing.Photos, func(a, b photo) int { return cmpMessageID(a.Order, b.Order) })
	}
	if g == "" {
		return true
	}
	if slices.Contains(d.Albums, g) {
		return false
	}
	d.Albums = append(d.Albums, g)
	return true
}

// cmpMessageID orders numeric message ids numerically.
func cmpMessageID(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func (f *sell) defaultUnit(d *draft) vn.Unit {
	if p, ok := f.deps.Catalogs.Products.ByKey(d.Listing.ProductKey); ok && p.Unit != "" {
		return p.Unit
	}
	return vn.UnitKg
}

// pieceMin is the lowest plausible price of one of the product's pieces
// (eggs), 0 for the usual.
func (f *sell) pieceMin(d *draft) int64 {
	return pieceMinOf(f.deps.Catalogs.Products, d.Listing.ProductKey)
}

func (f *sell) askQuantity(c *Conv, d *draft) Question {
	if d.unsure(unsureQuantity) {
		return f.askQuantityCheck(c, d)
	}
	return Ask(M("sell.quantity", "Product", d.Listing.Product, "Unit", c.F().Unit(f.defaultUnit(d))))
}

// maxKg: more than a thousand tonnes is surely a typo.
const maxKg = 1_000_000

func (f *sell) onQuantity(ctx context.Context, c *Conv, d *draft, in Input) (Go, error) {
	switch {
	case d.unsure(unsureQuantity) && in.Kind == KindChoice && in.Text == "yes":
		d.sure(unsureQuantity)
		return Next(), nil
	case d.unsure(unsureQuantity) && in.Kind == KindChoice && in.Text == "no":
		d.sure(unsureQuantity)
		d.unsay(saidQuantity)
		return To(f.quantity), nil
	case in.Kind != KindText:
		return NotUnderstood(), nil
	}
	q, err := f.readQuantity(d, in.Text)
	if err != nil {
		if g, ok, err := f.moreThanAsked(ctx, c, d, in, saidQuantity); ok || err != nil {
			return g, err
		}
	}
	switch {
	case errors.Is(err, vn.ErrUnsure) && q.Milli > 0: // "2 tấn (200kg)": the first, confirmed
		d.Listing.Quantity = q
		d.say(saidQuantity)
		d.Listing.Unsure = append(d.Listing.Unsure, unsureQuantity)
		return To(f.quantity), nil
	case errors.Is(err, vn.ErrQuantityRange):
		return Again(M("sell.quantity_range")), nil
	case errors.Is(err, vn.ErrZero):
		return Again(M("order.quantity_zero", "Unit", c.F().Unit(f.defaultUnit(d)))), nil
	case err != nil:
		return Again(M("sell.quantity_bad")), nil
	case !wholeCounted(q, f.defaultUnit(d)): // "2 chục rưỡi" of eggs is 25 quả: whole
		return Again(M("order.quantity_whole", "Unit", c.F().Unit(q.Unit))), nil
	}
	d.Listing.Quantity = q
	d.sure(unsureQuantity)
	if kg, ok := q.InKg(); ok && kg > maxKg*1000 {
		return To(f.quantityCheck), nil
	}
	// A price read before the quantity ("Na 25k mai") is kept unless the
	// two cannot make a total (25k/kg for 100 quả): then it is asked. One
	// whose unit is asked ("3k/chục" of eggs) is kept as typed, for that.
	// Its quả may be only the product's unit, unsaid: never made per chục.
	if p := d.Listing.Price; p.VND > 0 && !d.unsure(unsurePricePiece) {
		counted, ok := f.countedPrice(d, p, q, false)
		if !ok {
			d.Listing.Price = vn.Price{}
			d.unsay(saidPrice)
			return To(f.price), nil
		}
		d.Listing.Price = counted
	}
	return Next(), nil
}

// readQuantity reads the amount, which may name the product being sold
// after it ("3 tạ na", "100 quả bưởi", "20 quả bí" of bí đỏ), or be
// counted by its name ("20 bí": 20 quả, not bì); other words after it are
// refused as before.
func (f *sell) readQuantity(d *draft, text string) (vn.Quantity, error) {
	q, rest, err := vn.ParseQuantityRestOf(text, f.defaultUnit(d), d.Listing.Product)
	if err != nil || rest == "" {
		return q, err
	}
	if p, ok := f.deps.Catalogs.Products.Match(rest); ok && p.Key == d.Listing.ProductKey ||
		strings.HasPrefix(vn.Fold(d.Listing.Product)+" ", vn.Fold(rest)+" ") {
		return q, nil
	}
	return vn.Quantity{}, vn.ErrNotQuantity
}

func (f *sell) askQtyCheck(c *Conv, d *draft) Question {
	return Ask(M("sell.quantity_too_much", "Quantity", c.F().Quantity(d.Listing.Quantity)), confirmChoices()...)
}

func confirmChoices() [][]Choice {
	return [][]Choice{{
		{Label: M("choice.yes"), Value: "yes", Words: []string{"dung", "dung roi", "dung vay", "co", "ok", "dong y"}},
		{Label: M("choice.retype"), Value: "no", Words: []string{"khong", "sai", "go lai"}},
	}}
}

// onQtyCheck takes the confirmation, or a new quantity typed instead.
func (f *sell) onQtyCheck(ctx context.Context, c *Conv, d *draft, in Input) (Go, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "yes":
		return Next(), nil
	case in.Kind == KindChoice && in.Text == "no":
		return To(f.quantity), nil
	}
	return f.onQuantity(ctx, c, d, in)
}

// askPrice shows the area's recent prices above the question, when there
// are enough.
func (f *sell) askPrice(c *Conv, d *draft) Question {
	switch {
	case d.unsure(unsurePricePer):
		return f.askPricePer(c, d)
	case d.unsure(unsurePricePiece):
		return f.askPricePiece(c, d)
	case d.unsure(unsurePriceDear):
		return f.askPriceCheck(c, d)
	}
	return Ask(M("sell.price", "Unit", c.F().Unit(f.priceUnit(d)), "Hint", hintFor(c, f.deps, d, f.priceUnit(d))))
}

// priceUnit is the unit a bare price is per: the product's usual unit for
// weights ("25k" for na is per kg, even when selling 5 tạ), else the unit
// the quantity was counted in (quả, bó, con…).
func (f *sell) priceUnit(d *draft) vn.Unit {
	if q, def := d.Listing.Quantity.Unit, f.defaultUnit(d); q != "" && !(q.IsWeight() && def.IsWeight()) {
		return q
	}
	return f.defaultUnit(d)
}

func (f *sell) onPrice(ctx context.Context, c *Conv, d *draft, in Input) (Go, error) {
	if g, ok := f.onPriceDoubt(c, d, in); ok {
		return g, nil
	}
	if in.Kind != KindText {
		return NotUnderstood(), nil
	}
	p, err := vn.ParsePrice(in.Text)
	if err != nil {
		if g, ok, err := f.moreThanAsked(ctx, c, d, in, saidPrice); ok || err != nil {
			return g, err
		}
	}
	said := p.Per != ""
	if !said {
		p.Per = f.priceUnit(d)
	}
	typed := p
	if counted, ok := f.countedPrice(d, p, d.Listing.Quantity, said); ok {
		p = counted
	}
	switch {
	case errors.Is(err, vn.ErrPriceRange):
		return Again(M("sell.price_range")), nil
	case errors.Is(err, vn.ErrFree):
		return Again(M("sell.price_free")), nil
	case err != nil:
		return Again(M("sell.price_bad")), nil
	case !vn.PlausiblePrice(p) && !unusuallyHigh(p):
		return Again(M("sell.price_implausible", "Price", c.F().Price(p))), nil
	case !convertible(p, d.Listing.Quantity):
		return Again(M("sell.price_unit", "Price", c.F().Price(p), "Unit", c.F().Unit(d.Listing.Quantity.Unit))), nil
	case typed.CheapChuc(f.defaultUnit(d), f.pieceMin(d)): // "3k" a chục of eggs, surely a quả: asked
		d.Listing.Price, d.Listing.PriceTyped = typed, vn.WithoutPictographs(in.Text)
		d.sure(unsurePricePiece)
		d.Listing.Unsure = append(d.Listing.Unsure, unsurePricePiece)
		return To(f.price), nil
	}
	d.Listing.Price, d.Listing.PriceTyped = p, vn.WithoutPictographs(in.Text)
	d.sure(unsurePricePer)
	d.sure(unsurePricePiece)
	d.sure(unsurePriceDear)
	if !vn.PlausiblePrice(p) {
		return To(f.priceCheck), nil // dear, but some produce is (bird's nest, ginseng)
	}
	if r, ok, err := recentPrices(ctx, f.deps, c, d, p.Per); err == nil && ok && farFrom(p, r) {
		return To(f.priceCheck), nil // a zero too many or too few, most likely
	}
	return Next(), nil
}

// countedPrice is p for a stock of q, when the two make a total: as it
// is, or, where quả are counted (eggs), per quả for a price per chục
// ("30k/chục" for a stock of 50 quả is 3k/quả), and, when its unit was
// said, per chục for a price per quả ("3k/quả" for 5 chục is 30k/chục). A
// price per quả only as the product's unit is not: "Trứng gà 30k mai",
// then "5 chục", was never 30k an egg.
func (f *sell) countedPrice(d *draft, p vn.Price, q vn.Quantity, said bool) (vn.Price, bool) {
	if convertible(p, q) {
		return p, true
	}
	if !said {
		c := p.Counted(f.defaultUnit(d))
		return c, convertible(c, q)
	}
	c, ok := p.InCounted(q.Unit, f.defaultUnit(d))
	return c, ok && convertible(c, q)
}

// convertible tells whether an order's total can be worked out: a price per
// kg for a stock in quả cannot.
func convertible(p vn.Price, q vn.Quantity) bool {
	_, ok := p.Total(q)
	return ok
}

// unusuallyHigh is a price above the usual range yet possible for rare
// produce: up to 50 million đồng a kilogram. Beyond, or too low, it is a typo.
func unusuallyHigh(p vn.Price) bool {
	perKg, ok := p.PerKgVND()
	return ok && perKg > 1_000_000 && perKg <= 50_000_000
}

// askPriceCheck questions a price that is dear for any produce, or far
// from what the area's farmers asked lately.
func (f *sell) askPriceCheck(c *Conv, d *draft) Question {
	p := d.Listing.Price
	if vn.PlausiblePrice(p) { // else dear for any produce: no need of the market to say so
		if hint := hintFor(c, f.deps, d, p.Per); hint != "" {
			return Ask(M("price_hint.check", "Price", c.F().Price(p), "Hint", hint), confirmChoices()...)
		}
	}
	return Ask(M("sell.price_check", "Price", c.F().Price(p)), confirmChoices()...)
}

func (f *sell) onPriceCheck(ctx context.Context, c *Conv, d *draft, in Input) (Go, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "yes":
		return Next(), nil
	case in.Kind == KindChoice && in.Text == "no":
		return To(f.price), nil
	}
	return f.onPrice(ctx, c, d, in)
}

func (f *sell) askDate(c *Conv, d *draft) Question {
	msg := M("sell.ready")
	if d.unsure(unsureReadyPast) { // "hôm qua" in the first message
		msg = M("sell.ready_past", "Date", c.F().Date(d.Listing.Ready))
	}
	return Ask(msg, []Choice{
		{Label: M("date.today"), Value: "hom nay"},
		{Label: M("date.tomorrow"), Value: "ngay mai"},
	})
}

func (f *sell) onDate(_ context.Context, c *Conv, d *draft, in Input) (Go, error) {
	if in.Kind != KindText && in.Kind != KindChoice {
		return NotUnderstood(), nil
	}
	text := in.Text
	if vi, ok := englishDays[vn.Fold(text)]; ok {
		text = vi // the date words of English users
	}
	day, err := vn.ParseDate(text, c.Now)
	if err == nil {
		err = vn.CheckDate(day, c.Now)
	}
	switch {
	case errors.Is(err, vn.ErrDatePast):
		return Again(M("sell.ready_past", "Date", c.F().Date(day))), nil
	case errors.Is(err, vn.ErrDateFar):
		return Again(M("sell.ready_far", "Date", c.F().Date(day))), nil
	case errors.Is(err, vn.ErrNoSuchDate):
		return Again(M("sell.ready_no_such")), nil
	case err != nil:
		return NotUnderstood(), nil
	}
	d.Listing.Ready = day
	d.sure(unsureReadyPast)
	return Next(), nil
}

// reaskPastReady tells whether the ready date is now before today, as it is
// for a listing left yesterday with "hôm nay", and marks it to be asked
// again, saying so (sell.ready_past), rather than posted a day old.
func (d *draft) reaskPastReady(now time.Time) bool {
	if d.Listing.Ready.IsZero() || !errors.Is(vn.CheckDate(d.Listing.Ready, now), vn.ErrDatePast) {
		return false
	}
	d.unsay(saidReady)
	if !d.unsure(unsureReadyPast) {
		d.Listing.Unsure = append(d.Listing.Unsure, unsureReadyPast)
	}
	return true
}

var englishDays = map[string]string{"today": "hom nay", "tomorrow": "ngay mai", "yesterday": "hom qua"}

const maxNote = 300

func (f *sell) onNote(_ context.Context, _ *Conv, d *draft, in Input) (Go, error) {
	switch {
	case in.Kind == KindText && tooLong(in.Text, maxNote):
		return Again(M("sell.note_long", "Max", maxNote)), nil
	case withPhone(in):
		return Again(M("sell.note_phone")), nil
	case in.Kind == KindText && saysSomething(in.Text):
		d.Listing.Note = in.Text
	default:
		return NotUnderstood(), nil
	}
	return Next(), nil
}

// withPhone tells whether a typed answer holds a phone number. Answers
// shown in group posts (product, seller, place, growing code, note) or on
// the payment details refuse it: the buyer gets the farmer's number once
// the order is accepted, from the bot.
func withPhone(in Input) bool { return in.Kind == KindText && vn.ContainsPhone(in.Text) }

// listing is the draft as a listing of the conversation's seller.
func (f *sell) listing(c *Conv, d *draft) *Listing {
	l := d.Listing
	photos := make([]string, len(l.Photos))
	for i, p := range l.Photos {
		photos[i] = p.Token
	}
	helper := int64(0)
	if d.Assist {
		helper = c.User.ID
	}
	return &Listing{
		SellerID: d.Seller.ID, HelperID: helper, Channel: c.In.Channel, ProductKey: l.ProductKey, Product: l.Product,
		Photos: photos, Quantity: l.Quantity, Remaining: l.Quantity.Milli, Price: l.Price,
		PriceTyped: l.PriceTyped, Ready: l.Ready, Note: l.Note, Status: Active, Seller: d.Seller,
	}
}

// listingStamp names what a listing's summary shows: the listing (its
// Nonce) as it is written now. Its buttons carry it, and publish, change
// or cancel the listing only while the draft is still what the farmer saw.
// The photos are left out: an album's photos that come late join the
// listing silently (lateAlbum), and would make the summary's buttons old
// under the farmer's eyes.
func listingStamp(d *draft) string {
	shown := d.Listing
	shown.Photos = nil
	return stamp(d.Nonce, struct {
		Seller  Seller
		Listing listingDraft
		Assist  bool
	}{d.Seller, shown, d.Assist})
}

func (f *sell) showSummary(c *Conv, d *draft) Question {
	hint := hintFor(c, f.deps, d, d.Listing.Price.Per)
	return Ask(M("sell.summary", append(listingData(c.F(), f.listing(c, d)), "PriceHint", hint)...),
		[]Choice{{Label: M("sell.publish"), Value: "publish", Words: []string{"dang", "dang tin", "dong y", "ok", "co", "publish"}}},
		[]Choice{{Label: M("sell.edit"), Value: "edit", Words: []string{"sua"}}, {Label: M("sell.cancel"), Value: "cancel"}},
	)
}

// listingData is the template data of a listing's summary and post.
func listingData(f Format, l *Listing) []any {
	remaining, ended := "", ""
	if l.Remaining < l.Quantity.Milli && l.Status == Active {
		remaining = f.Stock(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit}, l.ProductKey)
	}
	if l.Status != Active && l.Status != "" {
		ended = f.Texts.Text(f.Lang, M("post_status."+l.Status))
	}
	return []any{
		"Product", l.Product, "Quantity", f.Stock(l.Quantity, l.ProductKey), "Price", f.Price(l.Price),
		"PriceTyped", typedEcho(l.PriceTyped), "Ready", f.Date(l.Ready), "Note", l.Note, "Photos", len(l.Photos),
		"Seller", l.Seller.Name, "Place", f.Place(l.Seller), "GrowingCode", l.Seller.GrowingCode, "Code", l.Code,
		"Remaining", remaining, "Ended", ended,
	}
}

// typedEcho is what the farmer typed, echoed back in quotes: without
// quotes of its own or punctuation around it ("25k." is "25k"), so that
// the line reads clean whatever she typed.
func typedEcho(s string) string {
	s = strings.NewReplacer(`"`, "", "“", "", "”", "").Replace(s)
	return strings.TrimSpace(strings.Trim(s, " .,;:!?'"))
}

func (f *sell) onSummary(ctx context.Context, c *Conv, d *draft, in Input) (Go, error) {
	if in.Kind == KindText {
		if field := summaryField(in.Text); field != "" {
			return f.form.pick(d, field), nil // "sửa giá", "sua gia", "giá": the price, at once
		}
	}
	if in.Kind != KindChoice {
		return NotUnderstood(), nil
	}
	switch in.Text { // a button of this summary (Form.Stamp)
	case "publish":
		switch old := d.dropOldPhotos(c.Now); {
		case old > 0: // a listing written over days, each answer within SESSION_TTL
			c.Say(M("sell.photos_old", "Count", old, "Days", int(DraftKeep/(24*time.Hour))))
			return Redo(f.photos), nil
		case len(d.Listing.Photos) == 0:
			c.Say(M("sell.photos_none"))
			return Redo(f.photos), nil
		case !convertible(d.Listing.Price, d.Listing.Quantity):
			c.Say(M("sell.price_unit", "Price", c.F().Price(d.Listing.Price), "Unit", c.F().Unit(d.Listing.Quantity.Unit)))
			return Redo(f.price), nil
		case d.reaskPastReady(c.Now): // the summary shown before midnight
			return Redo(f.ready), nil
		}
		if !d.Assist && d.Seller.UserID != c.User.ID {
			// The farmer's profile is no longer this account's: its link
			// to the farmer was undone (/bonoi) while it wrote the listing.
			return Go{}, fmt.Errorf("publish as seller %d: %w", d.Seller.ID, ErrBadState)
		}
		if d.Nonce == "" {
			d.Nonce = newNonce() // a draft from before nonces
		}
		source := "listing:" + d.Nonce
		p, err := mayPost(ctx, f.deps, c, PostingOf{Seller: d.Seller.ID, Since: listedSince(f.deps, c), Source: source,
			Markets: true, Area: d.Seller.Area, Reserve: true})
		if err != nil || p.Banned || listedFull(f.deps, c, d.Seller, p.Listed) {
			return Finish(), err // banned, or the day's listings posted, while filling the form
		}
		switch {
		case d.Assist && !p.Helper: // the helper role taken back while filling the form
			c.Say(M("assist.not_helper", "Name", d.Seller.Name))
			return Finish(), nil
		case p.SellerBanned: // the farmer helped, meanwhile
			c.Say(M("assist.farmer_banned", "Name", d.Seller.Name, "Reason", p.SellerReason))
			return Finish(), nil
		}
		l := f.listing(c, d)
		l.ID = p.ListingID
		return Finish(), publish(ctx, f.deps, c, l, source, p.Groups)
	case "edit":
		return EditFields(), nil
	case "cancel":
		c.Say(M("cancel.done"))
		return Finish(), nil
	}
	return NotUnderstood(), nil
}

// summaryFields are the words that name a field of the listing, typed at
// its summary with or without "sửa" ("sửa giá", "sua so luong", "ngày"):
// folded, by field.
var summaryFields = map[string][]string{
	"product":  {"ten", "ten hang", "hang", "san pham", "mat hang", "loai hang", "product", "name"},
	"photos":   {"anh", "hinh", "hinh anh", "anh hang", "photo", "photos"},
	"quantity": {"so luong", "sl", "luong", "so can", "so ky", "quantity"},
	"price":    {"gia", "gia ban", "gia tien", "price"},
	"ready":    {"ngay", "ngay co hang", "ngay thu hoach", "ngay ban", "date"},
	"note":     {"ghi chu", "note"},
}

// summaryField is the field named by text typed at the summary, "" for
// none: "sửa giá", "sua gia", "giá", "đổi ngày", "sửa lại số lượng ạ".
func summaryField(text string) string {
	words := strings.Fields(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r == ' ' {
			return r
		}
		return ' '
	}, vn.Fold(text)))
	verb := false
	for len(words) > 1 && slices.Contains([]string{"sua", "doi", "chinh", "lai", "xin", "cho", "em", "toi", "minh", "muon", "can", "edit", "change"}, words[0]) {
		verb = verb || slices.Contains([]string{"sua", "doi", "chinh", "edit", "change"}, words[0])
		words = words[1:]
	}
	for len(words) > 1 && slices.Contains([]string{"a", "nhe", "nha", "di", "lai", "voi", "oi", "em"}, words[len(words)-1]) {
		words = words[:len(words)-1]
	}
	said := strings.Join(words, " ")
	if !verb && slices.Contains([]string{"anh", "hang", "ten", "ngay", "luong"}, said) {
		return "" // "anh ơi", "hàng", "ngay": a field only after "sửa"
	}
	for field, names := range summaryFields {
		if slices.Contains(names, said) {
			return field
		}
	}
	return ""
}

// photoFileMsg asks again for a photo sent as a file that could not be
// taken: of too many pixels (said in megapixels, as phone cameras count:
// its weight is not what is wrong), too big to download (its size said),
// or of a type no photo is. Each time, sent as a photo, it goes: the
// phone makes it smaller.
func photoFileMsg(in Input) Msg {
	switch {
	case in.Photo != nil && in.Photo.Pixels > 0:
		return M("sell.photo_file", "MP", (in.Photo.Pixels+500_000)/1_000_000)
	case in.Photo != nil && in.Photo.Size > 0:
		return M("sell.photo_file", "MB", (in.Photo.Size+1<<20-1)>>20)
	}
	return M("sell.photo_file")
}
