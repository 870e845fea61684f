package flows

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// The sell flow: (registration, first time) → product → photos → quantity →
// price → ready date → note → summary → publish. From the summary, Sửa
// picks one field, changes it and comes back.
const (
	sellProduct Step = "product"
	sellPhotos  Step = "photos"
	sellQty     Step = "quantity"
	sellPrice   Step = "price"
	sellDate    Step = "ready"
	sellNote    Step = "note"
	sellSummary Step = "summary"
	sellEdit    Step = "edit"
	// Unusual answers are questioned, not refused: the farmer confirms.
	sellQtyCheck   Step = "quantity_check"
	sellPriceCheck Step = "price_check"
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
}

type photo struct {
	FileID string `json:"f"`
	Order  string `json:"o"` // the platform's message id, for album order
}

const maxPhotos = 10

func sellFlow(d Deps) *Flow {
	f := &sell{deps: d}
	reg := registration{deps: d, finish: f.registered}
	steps := reg.steps()
	for k, v := range f.assistSteps() {
		steps[k] = v
	}
	for k, v := range map[Step]StepDef{
		sellProduct: {Prompt: f.askProduct, Handle: step(f.onProduct), Fresh: true},
		sellPhotos:  {Prompt: f.askPhotos, Handle: step(f.onPhoto)},
		sellQty:     {Prompt: f.askQuantity, Handle: step(f.onQuantity)},
		sellPrice:   {Prompt: f.askPrice, Handle: step(f.onPrice)},
		sellDate:    {Prompt: f.askDate, Handle: step(f.onDate)},
		sellNote:    {Prompt: f.askNote, Handle: step(f.onNote)},
		sellSummary: {Prompt: f.showSummary, Handle: step(f.onSummary)},
		sellEdit:    {Prompt: f.askEdit, Handle: step(f.onEdit)},

		sellQtyCheck:   {Prompt: f.askQtyCheck, Handle: step(f.onQtyCheck)},
		sellPriceCheck: {Prompt: f.askPriceCheck, Handle: step(f.onPriceCheck)},
	} {
		steps[k] = v
	}
	return &Flow{Name: "sell", Start: f.start, Steps: steps}
}

type sell struct{ deps Deps }

// start asks a helper whom they sell for; anyone else sells for themselves,
// registering the first time.
func (f *sell) start(ctx context.Context, c *Conv, _ Input) (Step, error) {
	helper, err := f.deps.Roles.IsHelper(ctx, c.User.ID)
	if err != nil {
		return "", err
	}
	d := draft{Nonce: newNonce()}
	next := sellFor
	if !helper {
		if next, err = f.ownSeller(ctx, c, &d); err != nil {
			return "", err
		}
	}
	return next, c.SetDraft(&d)
}

// registered ends the first-time registration and goes on to the product.
func (f *sell) registered(ctx context.Context, c *Conv, d *draft) (Step, error) {
	if retry, err := saveSeller(ctx, f.deps, c, d); retry != "" || err != nil {
		return retry, err
	}
	d.Editing = false
	c.Say(M("reg.done"))
	return sellProduct, nil
}

// then is natural, or the summary when one field was being changed.
func (f *sell) then(d *draft, natural Step) Step {
	if d.Editing {
		return sellSummary
	}
	return natural
}

func (f *sell) askProduct(c *Conv) {
	var rows [][]Choice
	for _, p := range f.deps.Catalogs.Products.Featured() {
		rows = append(rows, []Choice{{Label: M("product.name", "Name", f.productName(c, p)), Value: "p:" + p.Key}})
	}
	c.Ask(M("sell.product"), pairs(rows)...)
}

func (f *sell) productName(c *Conv, p vn.Product) string {
	if c.Lang == "en" && p.NameEN != "" {
		return p.NameEN
	}
	return p.Name
}

func (f *sell) onProduct(_ context.Context, c *Conv, d *draft, in Input) (Step, error) {
	if in.Kind == KindPhoto {
		// Farmers often send the photos first: keep them, then ask what it is.
		if keepPhoto(d, in) {
			c.Say(M("sell.photo_first"))
		}
		return sellProduct, nil
	}
	var p vn.Product
	ok := false
	switch in.Kind {
	case KindChoice:
		key, _ := strings.CutPrefix(in.Text, "p:")
		p, ok = f.deps.Catalogs.Products.ByKey(key)
	case KindText:
		p, ok = f.deps.Catalogs.Products.Match(in.Text)
		if !ok && validName(in.Text) && utf8.RuneCountInString(in.Text) <= 60 {
			d.Listing.ProductKey, d.Listing.Product = "", in.Text // free text is fine
			return f.then(d, sellPhotos), nil
		}
	}
	if !ok {
		return Unclear, nil
	}
	d.Listing.ProductKey, d.Listing.Product = p.Key, p.Name
	return f.then(d, sellPhotos), nil
}

func (f *sell) askPhotos(c *Conv) {
	var d draft
	c.Draft(&d)
	if len(d.Listing.Photos) == 0 || d.NewPhotos {
		c.Say(M("sell.photos"))
		return
	}
	c.Ask(M("sell.photos_more", "Count", len(d.Listing.Photos)), []Choice{doneChoice()})
}

func doneChoice() Choice {
	return Choice{Label: M("choice.done"), Value: "done", Words: []string{"xong", "xong roi", "het", "done", "ok", "tiep", "tiep tuc"}}
}

// onPhoto keeps every photo, in the order the user sent them, and answers
// an album once: its photos arrive as separate updates, maybe at once.
func (f *sell) onPhoto(_ context.Context, c *Conv, d *draft, in Input) (Step, error) {
	photos := &d.Listing.Photos
	if in.Kind == KindText && slices.Contains(doneChoice().Words, vn.Fold(in.Text)) {
		in.Kind, in.Text = KindChoice, "done" // "xong" before any photo, when no button was offered
	}
	switch {
	case in.Kind == KindChoice && in.Text == "done":
		if len(*photos) == 0 {
			c.Say(M("sell.photos_none"))
			return sellPhotos, nil
		}
		return f.then(d, sellQty), nil
	case in.Kind != KindPhoto:
		return Unclear, nil
	case len(*photos) >= maxPhotos && !d.NewPhotos:
		if g := in.Photo.MediaGroupID; g == "" || !slices.Contains(d.Albums, g) {
			c.Ask(M("sell.photos_max", "Max", maxPhotos), []Choice{doneChoice()})
			d.Albums = append(d.Albums, g)
		}
		return sellPhotos, nil
	}
	switch {
	case !keepPhoto(d, in):
		// the album was answered already
	case in.Photo.MediaGroupID != "":
		c.Ask(M("sell.album_got"), []Choice{doneChoice()})
	default:
		c.Ask(M("sell.photo_got", "Count", len(*photos)), []Choice{doneChoice()})
	}
	return sellPhotos, nil
}

// keepPhoto adds in's photo to the draft, in the order the user sent them,
// and tells whether to answer it: every single photo, an album once.
func keepPhoto(d *draft, in Input) (answer bool) {
	if d.NewPhotos {
		d.Listing.Photos, d.Albums, d.NewPhotos = nil, nil, false
	}
	if len(d.Listing.Photos) < maxPhotos {
		d.Listing.Photos = append(d.Listing.Photos, photo{FileID: in.Photo.FileID, Order: in.MessageID})
		slices.SortStableFunc(d.Listing.Photos, func(a, b photo) int { return cmpMessageID(a.Order, b.Order) })
	}
	g := in.Photo.MediaGroupID
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

func (f *sell) askQuantity(c *Conv) {
	var d draft
	c.Draft(&d)
	c.Say(M("sell.quantity", "Product", d.Listing.Product, "Unit", c.F().Unit(f.defaultUnit(&d))))
}

// maxKg: more than a thousand tonnes is surely a typo.
const maxKg = 1_000_000

func (f *sell) onQuantity(_ context.Context, c *Conv, d *draft, in Input) (Step, error) {
	if in.Kind != KindText {
		return Unclear, nil
	}
	q, err := vn.ParseQuantity(in.Text, f.defaultUnit(d))
	switch {
	case errors.Is(err, vn.ErrQuantityRange):
		c.Say(M("sell.quantity_range"))
		return sellQty, nil
	case errors.Is(err, vn.ErrZero):
		c.Say(M("order.quantity_zero", "Unit", c.F().Unit(f.defaultUnit(d))))
		return sellQty, nil
	case err != nil:
		c.Say(M("sell.quantity_bad"))
		return sellQty, nil
	case !wholeCount(q):
		c.Say(M("order.quantity_whole", "Unit", c.F().Unit(q.Unit)))
		return sellQty, nil
	}
	d.Listing.Quantity = q
	if kg, ok := q.InKg(); ok && kg > maxKg*1000 {
		return sellQtyCheck, nil
	}
	return f.then(d, sellPrice), nil
}

func (f *sell) askQtyCheck(c *Conv) {
	var d draft
	c.Draft(&d)
	c.Ask(M("sell.quantity_too_much", "Quantity", c.F().Quantity(d.Listing.Quantity)), confirmChoices()...)
}

func confirmChoices() [][]Choice {
	return [][]Choice{{
		{Label: M("choice.yes"), Value: "yes", Words: []string{"dung", "dung roi", "dung vay", "co", "ok", "dong y"}},
		{Label: M("choice.retype"), Value: "no", Words: []string{"khong", "sai", "go lai"}},
	}}
}

// onQtyCheck takes the confirmation, or a new quantity typed instead.
func (f *sell) onQtyCheck(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "yes":
		return f.then(d, sellPrice), nil
	case in.Kind == KindChoice && in.Text == "no":
		return sellQty, nil
	}
	return f.onQuantity(ctx, c, d, in)
}

func (f *sell) askPrice(c *Conv) {
	var d draft
	c.Draft(&d)
	c.Say(M("sell.price", "Unit", c.F().Unit(f.priceUnit(&d))))
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

func (f *sell) onPrice(_ context.Context, c *Conv, d *draft, in Input) (Step, error) {
	if in.Kind != KindText {
		return Unclear, nil
	}
	p, err := vn.ParsePrice(in.Text)
	if p.Per == "" {
		p.Per = f.priceUnit(d)
	}
	switch {
	case errors.Is(err, vn.ErrPriceRange):
		c.Say(M("sell.price_range"))
		return sellPrice, nil
	case errors.Is(err, vn.ErrFree):
		c.Say(M("sell.price_free"))
		return sellPrice, nil
	case err != nil:
		c.Say(M("sell.price_bad"))
		return sellPrice, nil
	case !vn.PlausiblePrice(p) && !unusuallyHigh(p):
		c.Say(M("sell.price_implausible", "Price", c.F().Price(p)))
		return sellPrice, nil
	case !convertible(p, d.Listing.Quantity):
		c.Say(M("sell.price_unit", "Price", c.F().Price(p), "Unit", c.F().Unit(d.Listing.Quantity.Unit)))
		return sellPrice, nil
	}
	d.Listing.Price, d.Listing.PriceTyped = p, in.Text
	if !vn.PlausiblePrice(p) {
		return sellPriceCheck, nil // dear, but some produce is (bird's nest, ginseng)
	}
	return f.then(d, sellDate), nil
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

func (f *sell) askPriceCheck(c *Conv) {
	var d draft
	c.Draft(&d)
	c.Ask(M("sell.price_check", "Price", c.F().Price(d.Listing.Price)), confirmChoices()...)
}

func (f *sell) onPriceCheck(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "yes":
		return f.then(d, sellDate), nil
	case in.Kind == KindChoice && in.Text == "no":
		return sellPrice, nil
	}
	return f.onPrice(ctx, c, d, in)
}

func (f *sell) askDate(c *Conv) {
	c.Ask(M("sell.ready"), []Choice{
		{Label: M("date.today"), Value: "hom nay"},
		{Label: M("date.tomorrow"), Value: "ngay mai"},
	})
}

func (f *sell) onDate(_ context.Context, c *Conv, d *draft, in Input) (Step, error) {
	if in.Kind != KindText && in.Kind != KindChoice {
		return Unclear, nil
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
		c.Say(M("sell.ready_past", "Date", c.F().Date(day)))
		return sellDate, nil
	case errors.Is(err, vn.ErrDateFar):
		c.Say(M("sell.ready_far", "Date", c.F().Date(day)))
		return sellDate, nil
	case errors.Is(err, vn.ErrNoSuchDate):
		c.Say(M("sell.ready_no_such"))
		return sellDate, nil
	case err != nil:
		return Unclear, nil
	}
	d.Listing.Ready = day
	return f.then(d, sellNote), nil
}

var englishDays = map[string]string{"today": "hom nay", "tomorrow": "ngay mai", "yesterday": "hom qua"}

func (f *sell) askNote(c *Conv) { c.Ask(M("sell.note"), []Choice{skipChoice()}) }

const maxNote = 300

func (f *sell) onNote(_ context.Context, c *Conv, d *draft, in Input) (Step, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "skip":
		d.Listing.Note = ""
	case in.Kind == KindText && utf8.RuneCountInString(in.Text) > maxNote:
		c.Say(M("sell.note_long", "Max", maxNote))
		return sellNote, nil
	case in.Kind == KindText && containsPhone(in.Text):
		c.Say(M("sell.note_phone"))
		return sellNote, nil
	case in.Kind == KindText:
		d.Listing.Note = in.Text
	default:
		return Unclear, nil
	}
	return sellSummary, nil
}

// phoneLike finds runs of digits long enough to be a phone number.
var phoneLike = regexp.MustCompile(`\+?\d[\d .-]{7,}\d`)

// containsPhone tells whether text holds a mobile number: a phone number
// must never reach a group post.
func containsPhone(text string) bool {
	for _, m := range phoneLike.FindAllString(text, -1) {
		if _, err := vn.ParsePhone(m); err == nil {
			return true
		}
	}
	return false
}

// listing is the draft as a listing of the conversation's seller.
func (f *sell) listing(c *Conv, d *draft) *Listing {
	l := d.Listing
	photos := make([]string, len(l.Photos))
	for i, p := range l.Photos {
		photos[i] = p.FileID
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

func (f *sell) showSummary(c *Conv) {
	var d draft
	c.Draft(&d)
	c.Ask(M("sell.summary", listingData(c.F(), f.listing(c, &d))...),
		[]Choice{{Label: M("sell.publish"), Value: "publish", Words: []string{"dang", "dang tin", "dong y", "ok", "co"}}},
		[]Choice{{Label: M("sell.edit"), Value: "edit", Words: []string{"sua"}}, {Label: M("sell.cancel"), Value: "cancel"}},
	)
}

// listingData is the template data of a listing's summary and post.
func listingData(f Format, l *Listing) []any {
	remaining, ended := "", ""
	if l.Remaining < l.Quantity.Milli && l.Status == Active {
		remaining = f.Quantity(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit})
	}
	if l.Status != Active && l.Status != "" {
		ended = f.Texts.Text(f.Lang, M("post_status."+l.Status))
	}
	return []any{
		"Product", l.Product, "Quantity", f.Quantity(l.Quantity), "Price", f.Price(l.Price),
		"PriceTyped", l.PriceTyped, "Ready", f.Date(l.Ready), "Note", l.Note, "Photos", len(l.Photos),
		"Seller", l.Seller.Name, "Place", f.Place(l.Seller), "GrowingCode", l.Seller.GrowingCode, "Code", l.Code,
		"Remaining", remaining, "Ended", ended,
	}
}

func (f *sell) onSummary(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
	if in.Kind != KindChoice {
		return Unclear, nil
	}
	switch in.Text {
	case "publish":
		switch {
		case len(d.Listing.Photos) == 0:
			c.Say(M("sell.photos_none"))
			d.Editing = true
			return sellPhotos, nil
		case !convertible(d.Listing.Price, d.Listing.Quantity):
			c.Say(M("sell.price_unit", "Price", c.F().Price(d.Listing.Price), "Unit", c.F().Unit(d.Listing.Quantity.Unit)))
			d.Editing = true
			return sellPrice, nil
		}
		if d.Nonce == "" {
			d.Nonce = newNonce() // a draft from before nonces
		}
		return Done, publish(ctx, f.deps, c, f.listing(c, d), "listing:"+d.Nonce)
	case "edit":
		return sellEdit, nil
	case "cancel":
		c.Say(M("cancel.done"))
		return Done, nil
	}
	return Unclear, nil
}

// editable fields, in the order of the summary.
var editable = []struct {
	value string
	step  Step
}{
	{"product", sellProduct}, {"photos", sellPhotos}, {"quantity", sellQty},
	{"price", sellPrice}, {"ready", sellDate}, {"note", sellNote},
}

func (f *sell) askEdit(c *Conv) {
	var rows [][]Choice
	for _, e := range editable {
		rows = append(rows, []Choice{{Label: M("sell.field_" + e.value), Value: "field:" + e.value}})
	}
	rows = append(rows, []Choice{{Label: M("sell.field_none"), Value: "field:none"}})
	c.Ask(M("sell.edit_pick"), pairs(rows)...)
}

func (f *sell) onEdit(_ context.Context, c *Conv, d *draft, in Input) (Step, error) {
	field, ok := strings.CutPrefix(in.Text, "field:")
	if in.Kind != KindChoice || !ok {
		return Unclear, nil
	}
	for _, e := range editable {
		if e.value == field {
			d.Editing = true
			d.NewPhotos = e.step == sellPhotos // new photos replace the old, once one arrives
			return e.step, nil
		}
	}
	return sellSummary, nil
}
