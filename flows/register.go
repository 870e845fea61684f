package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/nongsan-bot/nongsan/flows/vietqr"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Registration steps, shared by the sell flow (first time only) and /hoso.
const (
	regName    Step = "reg_name"
	regPhone   Step = "reg_phone"
	regCommune Step = "reg_commune"
	regArea    Step = "reg_area"
	regCode    Step = "reg_code"
	regBank    Step = "reg_bank"
	regAccount Step = "reg_account"
	regHolder  Step = "reg_holder"
)

// draft is what the sell and profile flows keep between messages.
type draft struct {
	Seller  Seller       `json:"seller"`
	Listing listingDraft `json:"listing"`
	// Editing: a field was picked from a summary; after it, back there.
	Editing bool `json:"editing,omitempty"`
	// Albums already acknowledged, so an album gets one reply, not ten.
	Albums []string `json:"albums,omitempty"`
	// Assist: a helper sells for the farmer in Seller.
	Assist bool `json:"assist,omitempty"`
	// NewPhotos: the photos are being replaced; the old go when a new one comes.
	NewPhotos bool `json:"new_photos,omitempty"`
	// Nonce names the listing being written: publishing twice publishes once.
	Nonce string `json:"nonce,omitempty"`
}

// registration is the table of registration steps; finish is where a
// completed registration (or one edited field) leads.
type registration struct {
	deps   Deps
	finish func(ctx context.Context, c *Conv, d *draft) (Step, error)
}

// chained steps follow their predecessor even when editing one field.
var chained = map[Step]bool{regArea: true, regAccount: true, regHolder: true}

// next is natural, or finish when only one field was being edited.
func (r registration) next(ctx context.Context, c *Conv, d *draft, natural Step) (Step, error) {
	if d.Editing && !chained[natural] {
		return r.finish(ctx, c, d)
	}
	return natural, nil
}

// step wraps a handler that works on the draft.
func step(h func(ctx context.Context, c *Conv, d *draft, in Input) (Step, error)) func(context.Context, *Conv, Input) (Step, error) {
	return func(ctx context.Context, c *Conv, in Input) (Step, error) {
		var d draft
		if err := c.Draft(&d); err != nil {
			return "", err
		}
		next, err := h(ctx, c, &d, in)
		if err != nil || next == Unclear || next == Done {
			return next, err
		}
		return next, c.SetDraft(&d)
	}
}

func skipChoice() Choice {
	return Choice{Label: M("choice.skip"), Value: "skip", Words: []string{"bo qua", "khong", "khong co", "chua co", "chua", "skip"}}
}

func (r registration) steps() map[Step]StepDef {
	return map[Step]StepDef{
		regName: {
			Prompt: func(c *Conv) {
				c.Ask(M("reg.name", "Name", c.User.Name),
					[]Choice{{Label: M("reg.name_keep", "Name", c.User.Name), Value: "keep"}})
			},
			Handle: step(func(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
				switch {
				case in.Kind == KindChoice && in.Text == "keep":
					d.Seller.Name = c.User.Name
				case in.Kind == KindText && validName(in.Text):
					d.Seller.Name = in.Text
				default:
					return Unclear, nil
				}
				return r.next(ctx, c, d, regPhone)
			}),
		},
		regPhone: {
			Prompt: func(c *Conv) { c.AskContact(M("reg.phone")) },
			Handle: step(func(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
				if in.Kind != KindText && in.Kind != KindContact {
					return Unclear, nil
				}
				phone, err := vn.ParsePhone(in.Phone + in.Text)
				if err != nil {
					c.Say(M("reg.phone_bad"))
					return regPhone, nil
				}
				d.Seller.Phone, d.Seller.PhoneVerified = phone, in.Kind == KindContact && in.PhoneOwn
				c.reply(Reply{Text: M("reg.phone_ok", "Phone", vn.FormatPhone(phone)), ClearKeyboard: true})
				return r.next(ctx, c, d, regCommune)
			}),
		},
		regCommune: {
			Prompt: func(c *Conv) { c.Say(M("reg.commune")) },
			Handle: step(func(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
				if in.Kind != KindText || !validName(in.Text) {
					return Unclear, nil
				}
				d.Seller.Commune = in.Text
				if area, ok := areaIn(c, in.Text); ok && area != "other" {
					d.Seller.Area = area
					if d.Editing {
						return r.finish(ctx, c, d)
					}
					return r.next(ctx, c, d, regCode)
				}
				return r.next(ctx, c, d, regArea)
			}),
		},
		regArea: {
			Prompt: func(c *Conv) { c.Ask(M("reg.area"), areaChoices()...) },
			Handle: step(func(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
				area, ok := pickArea(c, in)
				if !ok {
					return Unclear, nil
				}
				d.Seller.Area = area
				if d.Editing {
					return r.finish(ctx, c, d)
				}
				return r.next(ctx, c, d, regCode)
			}),
		},
		regCode: {
			Prompt: func(c *Conv) { c.Ask(M("reg.code"), []Choice{skipChoice()}) },
			Handle: step(func(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
				switch {
				case in.Kind == KindChoice && in.Text == "skip":
					d.Seller.GrowingCode = ""
				case in.Kind == KindText && utf8.RuneCountInString(in.Text) <= 40 && strings.ContainsAny(in.Text, "0123456789"):
					d.Seller.GrowingCode = strings.ToUpper(in.Text)
				default:
					return Unclear, nil
				}
				return r.next(ctx, c, d, regBank)
			}),
		},
		regBank: {
			Prompt: func(c *Conv) {
				rows := [][]Choice{}
				for _, code := range []string{"VBA", "VCB", "BIDV", "ICB", "MB", "TCB"} {
					for _, b := range r.deps.Catalogs.Banks {
						if b.Code == code {
							rows = append(rows, []Choice{{Label: M("reg.bank_name", "Bank", b.ShortName), Value: "bank:" + b.BIN}})
						}
					}
				}
				c.Ask(M("reg.bank"), append(pairs(rows), []Choice{skipChoice()})...)
			},
			Handle: step(func(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
				if in.Kind != KindText && in.Kind != KindChoice {
					return Unclear, nil
				}
				if in.Kind == KindChoice && in.Text == "skip" {
					return r.finish(ctx, c, d)
				}
				var bank vietqr.Bank
				ok := false
				if bin, isBin := strings.CutPrefix(in.Text, "bank:"); isBin && in.Kind == KindChoice {
					bank, ok = vietqr.MatchBank(r.deps.Catalogs.Banks, bin)
				} else if in.Kind == KindText {
					bank, ok = vietqr.MatchBank(r.deps.Catalogs.Banks, in.Text)
				}
				if !ok {
					c.Say(M("reg.bank_unknown"))
					return regBank, nil
				}
				d.Seller.Bank = &BankAccount{BIN: bank.BIN, Bank: bank.ShortName}
				return r.next(ctx, c, d, regAccount)
			}),
		},
		regAccount: {
			Prompt: func(c *Conv) { c.Say(M("reg.account")) },
			Handle: step(func(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
				account := strings.Map(func(r rune) rune {
					if r == ' ' || r == '.' || r == '-' {
						return -1
					}
					return r
				}, in.Text)
				if in.Kind != KindText || d.Seller.Bank == nil {
					return Unclear, nil
				}
				if !digits(account) || len(account) < 6 || len(account) > vietqr.MaxAccountLen {
					c.Say(M("reg.account_bad"))
					return regAccount, nil
				}
				d.Seller.Bank.Account = account
				return r.next(ctx, c, d, regHolder)
			}),
		},
		regHolder: {
			Prompt: func(c *Conv) {
				var d draft
				c.Draft(&d)
				holder := strings.ToUpper(vn.Fold(d.Seller.Name))
				c.Ask(M("reg.holder"), []Choice{{Label: M("reg.holder_keep", "Holder", holder), Value: "keep"}})
			},
			Handle: step(func(ctx context.Context, c *Conv, d *draft, in Input) (Step, error) {
				switch {
				case d.Seller.Bank == nil:
					return Unclear, nil
				case in.Kind == KindChoice && in.Text == "keep":
					d.Seller.Bank.Holder = strings.ToUpper(vn.Fold(d.Seller.Name))
				case in.Kind == KindText && validName(in.Text):
					d.Seller.Bank.Holder = strings.ToUpper(vn.Fold(in.Text))
				default:
					return Unclear, nil
				}
				return r.finish(ctx, c, d)
			}),
		},
	}
}

func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// controlWords are answers meant for the bot, never a name or a product.
var controlWords = []string{"xong", "xong roi", "ok", "oke", "bo qua", "dong y", "co", "khong", "huy", "quay lai",
	"tro giup", "roi", "done", "skip", "yes", "no", "cancel", "back", "help", "mua", "ban"}

// validName accepts a name or place: 2 to 80 characters with a letter.
func validName(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 2 && n <= 80 && !slices.Contains(controlWords, vn.Fold(s)) && strings.IndexFunc(s, func(r rune) bool { return r >= 'A' }) >= 0 && !strings.HasPrefix(s, "/")
}

// areaIn finds an area named in text: `xã Quang Lang, Chi Lăng` is in
// Chi Lăng. `Lạng Sơn` alone names the province, not the city.
func areaIn(c *Conv, text string) (string, bool) {
	folded := " " + vn.Fold(stripEmoji(text)) + " "
	for _, tag := range Areas {
		for _, lang := range c.texts.Langs() {
			name := vn.Fold(c.texts.Text(lang, M("area."+tag)))
			if strings.Contains(folded, " "+name+" ") {
				return tag, true
			}
		}
	}
	if strings.Contains(folded, " tp lang son ") || strings.Contains(folded, " tp ls ") {
		return "tp_lang_son", true
	}
	for _, other := range []string{" tinh khac ", " khac ", " other "} {
		if strings.Contains(folded, other) {
			return "other", true
		}
	}
	return "", false
}

// pickArea reads the answer to the area question: a button or a typed
// name; "" for another province.
func pickArea(c *Conv, in Input) (string, bool) {
	tag, ok := strings.CutPrefix(in.Text, "area:")
	if in.Kind == KindText {
		tag, ok = areaIn(c, in.Text)
	}
	return strings.TrimPrefix(tag, "other"), ok && in.Kind != KindPhoto
}

func areaChoices() [][]Choice {
	var rows [][]Choice
	for _, tag := range Areas {
		rows = append(rows, []Choice{{Label: M("area." + tag), Value: "area:" + tag}})
	}
	rows = append(rows, []Choice{{Label: M("area.elsewhere"), Value: "area:other"}})
	return pairs(rows)
}

// pairs lays single-button rows out two to a row.
func pairs(rows [][]Choice) [][]Choice {
	var out [][]Choice
	for i := 0; i < len(rows); i += 2 {
		row := rows[i]
		if i+1 < len(rows) {
			row = append(row[:len(row):len(row)], rows[i+1]...)
		}
		out = append(out, row)
	}
	return out
}

// saveSeller stores the draft's seller as the user's own profile. A phone
// number another seller has sends the user back to the phone question.
func saveSeller(ctx context.Context, deps Deps, c *Conv, d *draft) (retry Step, err error) {
	d.Seller.UserID = c.User.ID
	err = deps.Sellers.SaveSeller(ctx, &d.Seller)
	if errors.Is(err, ErrPhoneTaken) {
		c.Say(M("reg.phone_taken"))
		d.Editing = true
		return regPhone, nil
	}
	if err != nil {
		return "", fmt.Errorf("save seller: %w", err)
	}
	return "", nil
}

// loadSeller returns the user's seller profile, nil if unregistered.
func loadSeller(ctx context.Context, deps Deps, c *Conv) (*Seller, error) {
	s, err := deps.Sellers.SellerOf(ctx, c.User.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return s, err
}
