package flows

import "context"

const profileSummary Step = "summary"

// profileFlow is /hoso: registration for a newcomer, else the profile with
// a button per field to change.
func profileFlow(deps Deps) *Flow {
	f := &profile{deps: deps}
	steps := registration{deps: deps, finish: f.saved}.steps()
	steps[profileSummary] = StepDef{Prompt: f.show, Handle: step(f.onPick), Fresh: true}
	return &Flow{Name: "profile", Start: f.start, Steps: steps}
}

type profile struct{ deps Deps }

func (f *profile) start(ctx context.Context, c *Conv, _ Input) (Step, error) {
	seller, err := loadSeller(ctx, f.deps, c)
	if err != nil {
		return "", err
	}
	if seller == nil {
		return regName, c.SetDraft(&draft{})
	}
	return profileSummary, c.SetDraft(&draft{Seller: *seller, Editing: true})
}

// saved stores the profile after registration or a change, and shows it.
func (f *profile) saved(ctx context.Context, c *Conv, d *draft) (Step, error) {
	if retry, err := saveSeller(ctx, f.deps, c, d); retry != "" || err != nil {
		return retry, err
	}
	if !d.Editing {
		c.Say(M("reg.done"))
		d.Editing = true
	}
	return profileSummary, nil
}

// profileFields map the summary's buttons to the steps that change them.
var profileFields = []struct {
	value string
	step  Step
}{
	{"name", regName}, {"phone", regPhone}, {"place", regCommune}, {"code", regCode}, {"bank", regBank},
}

func (f *profile) show(c *Conv) {
	var d draft
	c.Draft(&d)
	s := d.Seller
	bank := ""
	if s.Bank != nil {
		bank = c.T(M("profile.bank_line", "Bank", s.Bank.Bank, "Account", s.Bank.Account, "Holder", s.Bank.Holder))
	}
	var rows [][]Choice
	for _, p := range profileFields {
		rows = append(rows, []Choice{{Label: M("profile.field_" + p.value), Value: "field:" + p.value}})
	}
	rows = append(rows, []Choice{doneChoice()})
	c.Ask(M("profile.summary", "Name", s.Name, "Phone", formatPhone(s.Phone), "Place", c.F().Place(s),
		"GrowingCode", s.GrowingCode, "Bank", bank), pairs(rows)...)
}

func (f *profile) onPick(_ context.Context, c *Conv, d *draft, in Input) (Step, error) {
	if in.Kind != KindChoice {
		return Unclear, nil
	}
	if in.Text == "done" {
		c.Say(M("profile.saved"))
		return Done, nil
	}
	for _, p := range profileFields {
		if in.Text == "field:"+p.value {
			return p.step, nil
		}
	}
	return Unclear, nil
}
