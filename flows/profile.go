package flows

import "context"

// profileFlow is /hoso: registration for a newcomer, else the profile with
// a button per field to change. Every change is saved at once.
func profileFlow(deps Deps) *Flow { return newProfile(deps).form.Flow() }

func newProfile(deps Deps) *profile {
	f := &profile{deps: deps}
	f.form = &Form[draft]{Name: "profile", Start: f.start, Labels: "profile.field_", Stamp: profileStamp}
	f.reg = newRegistration(deps, f.form, true)
	f.summary = f.form.Row(Field[draft]{Step: "summary", Ask: f.show, Answer: f.onSummary, Summary: true, Fresh: true})
	return f
}

type profile struct {
	deps    Deps
	form    *Form[draft]
	reg     *registration
	summary *Field[draft]
}

func (f *profile) start(ctx context.Context, c *Conv, d *draft, _ Input) (Go, error) {
	d.Nonce = newNonce()
	seller, err := loadSeller(ctx, f.deps, c)
	if err != nil {
		return Go{}, err
	}
	if seller == nil {
		return To(f.reg.name), nil
	}
	d.Seller = *seller
	return To(f.summary), nil
}

// profileStamp names what a profile's summary shows: the profile as it is
// now, in this /hoso. Its buttons carry it, so that those of an older
// summary (before a change, or of an earlier /hoso) change or close
// nothing: the summary in progress is shown again.
func profileStamp(d *draft) string { return stamp(d.Nonce, d.Seller) }

func (f *profile) show(c *Conv, d *draft) Question {
	s := d.Seller
	bank := ""
	if s.Bank != nil {
		bank = c.T(M("profile.bank_line", "Bank", s.Bank.Bank, "Account", s.Bank.Account, "Holder", s.Bank.Holder))
	}
	rows := append(f.form.FieldChoices(), []Choice{doneChoice()})
	return Ask(M("profile.summary", "Name", s.Name, "Phone", formatPhone(s.Phone), "Place", c.F().Place(s),
		"GrowingCode", s.GrowingCode, "Bank", bank), pairs(rows)...)
}

// onSummary ends the flow; the runner reads the fields' buttons.
func (f *profile) onSummary(_ context.Context, c *Conv, _ *draft, in Input) (Go, error) {
	if in.Kind != KindChoice || in.Text != "done" {
		return NotUnderstood(), nil
	}
	c.Say(M("profile.saved"))
	return Finish(), nil
}
