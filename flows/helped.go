package flows

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// /nhavuon: a helper's farmers. The farmers she registered who do not use
// the bot themselves (none has claimed her profile) are hers to look
// after: listed the last registered first, a page at a time or those
// whose name or phone number she types, each opening the summary of
// ✏️ Sửa hồ sơ, where she corrects the name and address (the posts of
// every listing of the farmer on sale are edited) and adds or corrects
// the growing-area code and bank account. The store checks on every read
// and on saving that the farmer is still hers; the role is checked as the
// list opens and as a change is saved.
func farmersFlow(d Deps) *Flow { return newFarmers(d).form.Flow() }

type farmers struct {
	deps Deps
	form *Form[draft]
	// reg answers the code and bank questions as /hoso does; only its
	// holder row is named (where Bỏ qua at the bank leads).
	reg                             *registration
	pick, name, commune, area, code *Field[draft]
	bank, summary                   *Field[draft]
}

func newFarmers(d Deps) *farmers {
	f := &farmers{deps: d, reg: &registration{deps: d}}
	f.form = &Form[draft]{Name: "farmers", Start: f.start, Stamp: profileStamp}
	f.pick = f.form.Row(Field[draft]{Step: "farmer_pick", Ask: f.askPick, Answer: f.onPick, Fresh: true})
	f.name = f.form.Row(Field[draft]{Step: "farmer_name", Ask: ask(M("assist.name")).text,
		Answer: func(_ context.Context, c *Conv, d *draft, in Input) (Go, error) { return takeFarmerName(c, d, in), nil }})
	f.commune = f.form.Row(Field[draft]{Step: "farmer_commune", Ask: ask(M("assist.commune")).text,
		Answer: func(_ context.Context, c *Conv, d *draft, in Input) (Go, error) {
			return takeCommune(c, &d.Seller, in, f.area), nil
		}})
	f.area = f.form.Row(Field[draft]{Step: "farmer_area", Answer: takeArea, Follows: true,
		Ask: func(*Conv, *draft) Question { return Ask(M("assist.area"), areaChoices()...) }})
	f.code = f.form.Row(Field[draft]{Step: "farmer_code", Ask: ask(M("farmers.code")).text, Answer: f.reg.onCode,
		Skip: func(d *draft) { d.Seller.GrowingCode = "" }})
	f.bank = f.form.Row(Field[draft]{Step: "farmer_bank", Ask: f.askBank, Answer: f.reg.onBank})
	f.form.Row(Field[draft]{Step: "farmer_account", Ask: ask(M("farmers.account")).text, Answer: f.reg.onAccount, Follows: true})
	f.reg.holder = f.form.Row(Field[draft]{Step: "farmer_holder", Ask: f.reg.askHolder, Answer: f.reg.onHolder, Follows: true})
	f.summary = f.form.Row(Field[draft]{Step: "farmer_summary", Ask: f.askSummary, Answer: f.onSummary, Summary: true})
	f.form.Row(Field[draft]{Step: "farmer_save", Do: f.save})
	return f
}

// helper tells whether the user may look after farmers; others are told
// what the command is for (a barred helper, why she may not post).
func (f *farmers) helper(ctx context.Context, c *Conv) (bool, error) {
	p, err := mayPost(ctx, f.deps, c, PostingOf{})
	if err != nil || p.Banned {
		return false, err
	}
	if !p.Helper {
		c.Say(M("farmers.refused"))
	}
	return p.Helper, nil
}

func (f *farmers) start(ctx context.Context, c *Conv, d *draft, _ Input) (Go, error) {
	if ok, err := f.helper(ctx, c); !ok || err != nil {
		return Finish(), err
	}
	_, n, err := f.deps.Sellers.HelpedFarmers(ctx, c.User.ID, PeopleQuery{})
	if err != nil {
		return Go{}, err
	}
	if n.All == 0 {
		c.Say(M("farmers.none"))
		return Finish(), nil
	}
	d.Nonce = newNonce()
	return To(f.pick), nil
}

// farmerValue is a farmer's choice in the list: her id, no name
// (Telegram's callback data holds 64 bytes).
const farmerValue = "nv:"

func (f *farmers) askPick(c *Conv, d *draft) Question {
	found, n, err := f.deps.Sellers.HelpedFarmers(c.Context(), c.User.ID, d.Farmers.query())
	if err != nil {
		c.Fail(err)
		return Question{}
	}
	choices := make([]Choice, len(found))
	for i, s := range found {
		choices[i] = Choice{Label: M("farmers.item", "Name", s.Name, "Phone", formatPhone(s.Phone)),
			Value: farmerValue + strconv.FormatInt(s.ID, 10)}
	}
	rows, data := d.Farmers.show(choices, n)
	return Ask(M("farmers.pick", data...), rows...)
}

func (f *farmers) onPick(ctx context.Context, c *Conv, d *draft, in Input) (Go, error) {
	if d.Farmers.take(in) { // another page, or a search
		return To(f.pick), nil
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(in.Text, farmerValue), 10, 64)
	if in.Kind != KindChoice || !strings.HasPrefix(in.Text, farmerValue) || err != nil {
		return NotUnderstood(), nil
	}
	s, err := f.deps.Sellers.HelpedFarmer(ctx, c.User.ID, id)
	if errors.Is(err, ErrNotFound) {
		// She took her profile over since the list was shown.
		c.Say(M("farmers.gone"))
		return To(f.pick), nil
	}
	if err != nil {
		return Go{}, err
	}
	d.Seller, d.Nonce = *s, newNonce()
	return To(f.summary), nil
}

func (f *farmers) askBank(c *Conv, d *draft) Question {
	q := f.reg.askBank(c, d)
	q.Text = M("farmers.bank")
	return q
}

func (f *farmers) askSummary(c *Conv, d *draft) Question {
	return Ask(farmerCheck(c, d.Seller, true),
		[]Choice{{Label: M("assist.save"), Value: "farmer_save", Words: []string{"luu", "luu lai", "dung", "dung roi", "dung het roi", "ok"}}},
		[]Choice{{Label: M("profile.field_name"), Value: "farmer_name", Words: []string{"ten", "sua ten"}},
			{Label: M("profile.field_place"), Value: "farmer_place", Words: []string{"dia chi", "sua dia chi"}}},
		[]Choice{{Label: M("profile.field_code"), Value: "farmer_code", Words: []string{"ma vung trong", "ma so vung trong", "sua ma"}},
			{Label: M("profile.field_bank"), Value: "farmer_bank", Words: []string{"tai khoan", "so tai khoan", "sua tai khoan"}}})
}

func (f *farmers) onSummary(_ context.Context, _ *Conv, _ *draft, in Input) (Go, error) {
	if in.Kind != KindChoice {
		return NotUnderstood(), nil
	}
	switch in.Text {
	case "farmer_save":
		return Next(), nil
	case "farmer_name":
		return Redo(f.name), nil
	case "farmer_place":
		return Redo(f.commune), nil
	case "farmer_code":
		return Redo(f.code), nil
	case "farmer_bank":
		return Redo(f.bank), nil
	}
	return NotUnderstood(), nil
}

// save stores the farmer's profile as the summary showed it, with the
// edits of the posts of her listings on sale, if she is still the
// helper's (a claim ends her say) and the user still a helper.
func (f *farmers) save(ctx context.Context, c *Conv, d *draft) (Go, error) {
	if ok, err := f.helper(ctx, c); !ok || err != nil {
		return Finish(), err
	}
	before, err := f.deps.Sellers.HelpedFarmer(ctx, c.User.ID, d.Seller.ID)
	if errors.Is(err, ErrNotFound) {
		c.Say(M("assist.not_yours", "Name", d.Seller.Name))
		return Finish(), nil
	}
	if err != nil {
		return Go{}, err
	}
	if _, err := f.reg.saveHelped(ctx, c, &d.Seller, before); err != nil {
		return Go{}, err
	}
	return Finish(), nil
}
