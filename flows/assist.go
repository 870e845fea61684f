package flows

import (
	"context"
	"errors"
	"fmt"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Assisted posting: a helper of the commune's technology team sells for a
// farmer without a smartphone, found or registered by phone number. The
// post shows the farmer as the seller; the helper is recorded and is the
// one the bot talks to.
// assist are the sell form's first rows, for helpers, named here when an
// answer leads to them.
type assist struct {
	forWhom, assistPhone, assistName, assistCommune, assistArea, check *Field[draft]
}

func newAssist(f *sell, form *Form[draft]) assist {
	var a assist
	a.forWhom = form.Row(Field[draft]{Step: "for_whom", Ask: askForWhom, Answer: f.onForWhom})
	a.assistPhone = form.Row(Field[draft]{Step: "assist_phone", Ask: ask(M("assist.phone")).text, Answer: f.onAssistPhone})
	a.assistName = form.Row(Field[draft]{Step: "assist_name", Ask: ask(M("assist.name")).text, Answer: f.onAssistName})
	a.assistCommune = form.Row(Field[draft]{Step: "assist_commune", Ask: ask(M("assist.commune")).text, Answer: f.onAssistCommune})
	a.assistArea = form.Row(Field[draft]{Step: "assist_area", Answer: takeArea, Follows: true,
		Ask: func(*Conv, *draft) Question { return Ask(M("assist.area"), areaChoices()...) }})
	// What will be posted of the farmer, before it is saved: the helper
	// types it for someone else, and a typo would be on every post.
	a.check = form.Row(Field[draft]{Step: "assist_check", Ask: askFarmerCheck, Answer: f.onFarmerCheck, Summary: true})
	form.Row(Field[draft]{Step: "assist_create", Do: f.createFarmer})
	return a
}

func askForWhom(*Conv, *draft) Question {
	return Ask(M("assist.for_whom"),
		[]Choice{{Label: M("assist.for_me"), Value: "for:me"}},
		[]Choice{{Label: M("assist.for_other"), Value: "for:other"}})
}

func (f *sell) onForWhom(ctx context.Context, c *Conv, d *draft, in Input) (Go, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "for:other":
		d.Assist = true
		return Next(), nil
	case in.Kind == KindChoice && in.Text == "for:me":
		return f.ownSeller(ctx, c, d)
	}
	return NotUnderstood(), nil
}

// ownSeller continues as the user selling for themselves.
func (f *sell) ownSeller(ctx context.Context, c *Conv, d *draft) (Go, error) {
	p, err := f.deps.Listings.Posting(ctx, PostingOf{User: c.User.ID, Since: listedSince(f.deps, c)})
	if err != nil {
		return Go{}, err
	}
	return f.sellAs(c, d, p), nil
}

// sellAs continues as the user selling for themselves, as p found them:
// registering first, or stopped by the day's listings.
func (f *sell) sellAs(c *Conv, d *draft, p Posting) Go {
	switch {
	case p.Seller == nil:
		c.Say(M("sell.register_first"))
		return To(f.reg.name)
	case listedFull(f.deps, c, *p.Seller, p.Listed):
		return Finish()
	}
	d.Seller = *p.Seller
	return f.toProduct(d)
}

func (f *sell) onAssistPhone(ctx context.Context, c *Conv, d *draft, in Input) (Go, error) {
	if in.Kind != KindText && in.Kind != KindContact {
		return NotUnderstood(), nil
	}
	// A helper may write whose number it is ("0987 654 321 bà Mai"): the
	// name question follows, the number is read all the same.
	phone, rest, err := vn.ParsePhoneRest(in.Text + in.Phone)
	if err != nil {
		return Again(M("reg.phone_bad")), nil
	}
	if vn.ContainsPhone(rest) {
		return Again(M("reg.phone_one")), nil
	}
	seller, err := f.deps.Sellers.SellerByPhone(ctx, phone)
	switch {
	case errors.Is(err, ErrNotFound):
		// A number typed again at the new farmer's summary (a digit
		// wrong) keeps the name and address typed for her.
		if d.Seller.ID != 0 {
			d.Seller = Seller{}
		}
		d.Seller.Phone, d.Seller.CreatedBy = phone, c.User.ID
		return Next(), nil
	case err != nil:
		return Go{}, err
	case seller.UserID != 0:
		// The farmer uses the bot themselves: a helper may not sell in their name.
		return Again(M("assist.has_account")), nil
	}
	reason, banned, err := f.deps.Roles.Banned(ctx, BanOf{Seller: seller.ID})
	if err != nil {
		return Go{}, err
	}
	if banned {
		return Again(M("assist.farmer_banned", "Name", seller.Name, "Reason", reason, "Another", true)), nil
	}
	if full, err := listingsFull(ctx, f.deps, c, *seller, ""); full || err != nil {
		return Finish(), err
	}
	d.Seller = *seller
	c.Say(M("assist.found", "Name", seller.Name, "Place", c.F().Place(*seller)))
	return f.toProduct(d), nil
}

// helpedByMe tells whether the farmer in d is one this helper registered
// and who has no account of her own: her profile is the helper's to
// correct. The store checks it again when saving.
func helpedByMe(c *Conv, d *draft) bool {
	return d.Assist && d.Seller.ID != 0 && d.Seller.UserID == 0 && d.Seller.CreatedBy == c.User.ID
}

// farmerEditChoice is ✏️ Sửa hồ sơ under the product question, for a farmer
// the helper registered and found again by phone.
func farmerEditChoice(d *draft) []Choice {
	return []Choice{{Label: M("assist.edit", "Name", d.Seller.Name), Value: "farmer:edit",
		Words: []string{"sua ho so", "sua ten", "sua dia chi"}}}
}

// farmerCheck is the summary of a farmer's profile that a helper saves:
// a new one, or one she registered (found).
func farmerCheck(c *Conv, s Seller, found bool) Msg {
	bank := ""
	if s.Bank != nil {
		bank = c.T(M("profile.bank_line", "Bank", s.Bank.Bank, "Account", s.Bank.Account, "Holder", s.Bank.Holder))
	}
	return M("assist.check", "Name", s.Name, "Phone", formatPhone(s.Phone), "Place", c.F().Place(s), "Found", found,
		"GrowingCode", s.GrowingCode, "Bank", bank)
}

// askFarmerCheck shows the farmer's profile before it is saved. A new
// farmer's phone number is corrected there too (a digit typed wrong would
// give buyers a stranger's number, and her profile to whoever holds it);
// a saved one's stays, as it is how she claims her profile.
func askFarmerCheck(c *Conv, d *draft) Question {
	fields := []Choice{{Label: M("profile.field_name"), Value: "farmer_name", Words: []string{"ten", "sua ten"}}}
	if d.Seller.ID == 0 {
		fields = append(fields, Choice{Label: M("profile.field_phone"), Value: "farmer_phone",
			Words: []string{"so dien thoai", "dien thoai", "sua so", "sua so dien thoai"}})
	}
	fields = append(fields, Choice{Label: M("profile.field_place"), Value: "farmer_place", Words: []string{"dia chi", "sua dia chi"}})
	return Ask(farmerCheck(c, d.Seller, d.Seller.ID != 0),
		[]Choice{{Label: M("assist.save"), Value: "farmer_save", Words: []string{"luu", "luu lai", "dung", "dung roi", "dung het roi", "ok"}}},
		fields)
}

func (f *sell) onFarmerCheck(_ context.Context, _ *Conv, d *draft, in Input) (Go, error) {
	if in.Kind != KindChoice {
		return NotUnderstood(), nil
	}
	switch in.Text {
	case "farmer_save":
		return Next(), nil
	case "farmer_name":
		return Redo(f.assist.assistName), nil
	case "farmer_phone":
		if d.Seller.ID != 0 { // a saved farmer's number stays
			return NotUnderstood(), nil
		}
		return Redo(f.assist.assistPhone), nil
	case "farmer_place":
		return Redo(f.assist.assistCommune), nil
	}
	return NotUnderstood(), nil
}

func (f *sell) onAssistName(_ context.Context, c *Conv, d *draft, in Input) (Go, error) {
	return takeFarmerName(c, d, in), nil
}

// takeFarmerName reads the name of the farmer a helper registers or
// corrects: shown on every post of hers.
func takeFarmerName(c *Conv, d *draft, in Input) Go {
	switch {
	case in.Kind == KindText && tooLong(in.Text, maxName):
		return Again(M("reg.name_long"))
	case withPhone(in):
		return Again(M("reg.name_phone"))
	case in.Kind != KindText || !validName(in.Text):
		return NotUnderstood()
	}
	d.Seller.Name = nameAnswer(c, in.Text)
	return Next()
}

func (f *sell) onAssistCommune(_ context.Context, c *Conv, d *draft, in Input) (Go, error) {
	return takeCommune(c, &d.Seller, in, f.assistArea), nil
}

// createFarmer registers the farmer the helper sells for, or saves what
// she corrected of one she registered before (found by phone), editing
// the posts of its listings on sale that show it.
func (f *sell) createFarmer(ctx context.Context, c *Conv, d *draft) (Go, error) {
	if d.Seller.ID != 0 {
		return f.correctFarmer(ctx, c, d)
	}
	if err := f.deps.Sellers.SaveSeller(ctx, &d.Seller); err != nil {
		return Go{}, fmt.Errorf("register farmer for helper: %w", err)
	}
	c.Say(M("assist.created", "Name", d.Seller.Name))
	return f.toProduct(d), nil
}

func (f *sell) correctFarmer(ctx context.Context, c *Conv, d *draft) (Go, error) {
	before, err := f.deps.Sellers.SellerByPhone(ctx, d.Seller.Phone)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Go{}, fmt.Errorf("farmer before the change: %w", err)
	}
	if before == nil || before.ID != d.Seller.ID || before.UserID != 0 || before.CreatedBy != c.User.ID {
		// She took her profile over meanwhile (a claim), or it is gone.
		c.Say(M("assist.not_yours", "Name", d.Seller.Name))
		return Finish(), nil
	}
	// Here she corrects the name and address only: the growing-area code
	// and bank account stay as saved (she may have set them in /nhavuon
	// since she typed the phone).
	d.Seller.GrowingCode, d.Seller.Bank = before.GrowingCode, before.Bank
	saved, err := f.reg.saveHelped(ctx, c, &d.Seller, before)
	if err != nil {
		return Go{}, err
	}
	if !saved {
		return Finish(), nil
	}
	return f.toProduct(d), nil
}
