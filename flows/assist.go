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
const (
	sellFor       Step = "for_whom"
	assistPhone   Step = "assist_phone"
	assistName    Step = "assist_name"
	assistCommune Step = "assist_commune"
	assistArea    Step = "assist_area"
)

func (f *sell) assistSteps() map[Step]StepDef {
	return map[Step]StepDef{
		sellFor: {
			Prompt: func(c *Conv) {
				c.Ask(M("assist.for_whom"),
					[]Choice{{Label: M("assist.for_me"), Value: "for:me"}},
					[]Choice{{Label: M("assist.for_other"), Value: "for:other"}})
			},
			Handle: step(f.onForWhom),
		},
		assistPhone:   {Prompt: func(c *Conv) { c.Say(M("assist.phone")) }, Handle: step(f.onAssistPhone)},
		assistName:    {Prompt: func(c *Conv) { c.Say(M("assist.name")) }, Handle: step(f.onAssistName)},
		assistCommune: {Prompt: func(c *Conv) { c.Say(M("assist.commune")) }, Handle: step(f.onAssistCommune)},
		assistArea:    {Prompt: func(c *Conv) { c.Ask(M("assist.area"), areaChoices()...) }, Handle: step(f.onAssistArea)},
	}
}

func (f *sell) onForWhom(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "for:other":
		d.Assist = true
		return assistPhone, nil
	case in.Kind == KindChoice && in.Text == "for:me":
		return f.ownSeller(ctx, c, d)
	}
	return Unclear, nil
}

// ownSeller continues as the user selling for themselves.
func (f *sell) ownSeller(ctx context.Context, c *Conv, d *draft) (Step, error) {
	seller, err := loadSeller(ctx, f.deps, c)
	if err != nil {
		return "", err
	}
	if seller == nil {
		c.Say(M("sell.register_first"))
		return regName, nil
	}
	d.Seller = *seller
	return sellProduct, nil
}

func (f *sell) onAssistPhone(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
	if in.Kind != KindText && in.Kind != KindContact {
		return Unclear, nil
	}
	phone, err := vn.ParsePhone(in.Text + in.Phone)
	if err != nil {
		c.Say(M("reg.phone_bad"))
		return assistPhone, nil
	}
	seller, err := f.deps.Sellers.SellerByPhone(ctx, phone)
	switch {
	case errors.Is(err, ErrNotFound):
		d.Seller = Seller{Phone: phone, CreatedBy: c.User.ID}
		return assistName, nil
	case err != nil:
		return "", err
	case seller.UserID != 0:
		// The farmer uses the bot themselves: a helper may not sell in their name.
		c.Say(M("assist.has_account"))
		return assistPhone, nil
	}
	d.Seller = *seller
	c.Say(M("assist.found", "Name", seller.Name, "Place", c.F().Place(*seller)))
	return sellProduct, nil
}

func (f *sell) onAssistName(_ context.Context, _ *Conv, d *draft, in Input) (Step, error) {
	if in.Kind != KindText || !validName(in.Text) {
		return Unclear, nil
	}
	d.Seller.Name = in.Text
	return assistCommune, nil
}

func (f *sell) onAssistCommune(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
	if in.Kind != KindText || !validName(in.Text) {
		return Unclear, nil
	}
	d.Seller.Commune = in.Text
	if area, ok := areaIn(c, in.Text); ok && area != "other" {
		d.Seller.Area = area
		return f.createFarmer(ctx, c, d)
	}
	return assistArea, nil
}

func (f *sell) onAssistArea(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
	area, ok := pickArea(c, in)
	if !ok {
		return Unclear, nil
	}
	d.Seller.Area = area
	return f.createFarmer(ctx, c, d)
}

// createFarmer registers the farmer the helper sells for.
func (f *sell) createFarmer(ctx context.Context, c *Conv, d *draft) (Step, error) {
	if err := f.deps.Sellers.SaveSeller(ctx, &d.Seller); err != nil {
		return "", fmt.Errorf("register farmer for helper: %w", err)
	}
	c.Say(M("assist.created", "Name", d.Seller.Name))
	return sellProduct, nil
}
