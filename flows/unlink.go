package flows

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// /bonoi undoes a link between accounts, for a farmer tricked into giving
// a link code away: a global moderator names the farmer's profile by its
// phone number ("/bonoi 0912 345 678") or one of its listings ("/bonoi
// NS-7K2Q": the other person may have changed the number), picks one of
// the accounts linked to it, and confirms. That account acts as itself again from its next
// message; the farmer is told on each of their other accounts, and the
// account on its own chat. What moved to the farmer when it was linked
// (its roles, its orders as a buyer) and roles it was given through its
// own chat since go back to it; what cannot be told apart from the
// farmer's own (orders placed and roles given since the link, the buyer
// details merged) stays, and the moderator is told what.
//
// A change of the profile's number or bank account that a linked account
// asked for waits for the farmer on her first account (profilechange.go).
// When that account is gone she cannot answer there, so /bonoi shows the
// change too, with ✅ Dùng thay đổi này: the moderator, having met her in
// person, either separates the account or makes the change hers. Only a
// global moderator, never one of the profile's own accounts, and only
// while the first account is gone (checked again as it is saved).
const (
	unlinkPhone   Step = "phone"
	unlinkPick    Step = "pick"
	unlinkConfirm Step = "confirm"
	unlinkHeld    Step = "held" // confirm the change waiting
)

// unlinkPrefix starts the values of /bonoi's buttons: an account's id,
// yes, no.
const unlinkPrefix = "unl:"

type unlinkDraft struct {
	Person  int64  `json:"person"`            // the farmer, as Touch gives their id
	Seller  int64  `json:"seller,omitempty"`  // their profile
	Token   string `json:"token,omitempty"`   // the change waiting picked
	Name    string `json:"name"`              // the farmer's name, in their profile
	Phone   string `json:"phone"`             // the profile's number, E.164, shown masked
	Account int64  `json:"account,omitempty"` // the account picked
}

type unlink struct{ deps Deps }

// Unlinked is what undoing a link did with what linking had moved from
// the account to the farmer, and what it could not tell apart.
type Unlinked struct {
	// Given back to the account: its roles and its orders as a buyer from
	// before the link.
	Roles  []string
	Orders int
	// Left with the farmer, whoever of the two they were of: roles granted
	// and orders placed as a buyer since the link, and the buyer details
	// (name, phone, address) linking had merged.
	RolesSince  []string
	OrdersSince int
	Buyer       bool
}

func unlinkFlow(d Deps) *Flow {
	f := &unlink{deps: d}
	return &Flow{Name: "unlink", Start: f.start, Steps: map[Step]StepDef{
		unlinkPhone:   {Prompt: f.askPhone, Handle: f.onPhone},
		unlinkPick:    {Prompt: f.askPick, Handle: f.onPick},
		unlinkConfirm: {Prompt: f.askConfirm, Handle: f.onConfirm},
		unlinkHeld:    {Prompt: f.askHeld, Handle: f.onHeld},
	}}
}

func (f *unlink) start(ctx context.Context, c *Conv, in Input) (Step, error) {
	if ok, err := onlyModerators(ctx, f.deps, c, "moderation.refused"); !ok || err != nil {
		return Done, err
	}
	if !namesProfile(in.Arg) {
		return unlinkPhone, nil // the question says what to type
	}
	return f.find(ctx, c, in.Arg)
}

// namesProfile tells whether typed is a phone number or a listing's code.
func namesProfile(typed string) bool {
	_, err := vn.ParsePhone(typed)
	return err == nil || codePattern.MatchString(typed) && len(strings.Fields(typed)) == 1
}

func (f *unlink) askPhone(c *Conv) { c.Say(M("unlink.phone")) }

func (f *unlink) onPhone(ctx context.Context, c *Conv, in Input) (Step, error) {
	if in.Kind != KindText {
		return Unclear, nil
	}
	if !namesProfile(in.Text) {
		c.Say(M("unlink.unknown"))
		return unlinkPhone, nil
	}
	return f.find(ctx, c, in.Text)
}

// find goes to the accounts linked to the profile typed names (see
// namesProfile): by its phone number, or by the code of one of its
// listings (the number may be one a linked account set).
func (f *unlink) find(ctx context.Context, c *Conv, typed string) (Step, error) {
	var seller *Seller
	var named string
	var err error
	if m := codePattern.FindStringSubmatch(typed); m != nil && len(strings.Fields(typed)) == 1 {
		named = "NS-" + strings.ToUpper(m[1])
		var l *Listing
		if l, err = f.deps.Orders.ListingByCode(ctx, named); err == nil {
			seller = &l.Seller
		}
	} else {
		phone, _ := vn.ParsePhone(typed) // namesProfile
		named = formatPhone(phone)
		seller, err = f.deps.Sellers.SellerByPhone(ctx, phone)
	}
	if errors.Is(err, ErrNotFound) || err == nil && seller.UserID == 0 {
		c.Say(M("unlink.none", "Named", named))
		return Done, nil
	}
	if err != nil {
		return "", err
	}
	linked, err := f.linked(ctx, seller.UserID)
	if err != nil {
		return "", err
	}
	if len(linked) == 0 {
		c.Say(M("unlink.none", "Named", named))
		return Done, nil
	}
	return unlinkPick, c.SetDraft(unlinkDraft{Person: seller.UserID, Seller: seller.ID, Name: seller.Name, Phone: seller.Phone})
}

// linked are the accounts linked to a person's first one.
func (f *unlink) linked(ctx context.Context, person int64) ([]Account, error) {
	accounts, _, err := f.deps.Links.Accounts(ctx, person)
	if err != nil {
		return nil, fmt.Errorf("accounts of user %d: %w", person, err)
	}
	var linked []Account
	for _, a := range accounts {
		if a.Linked {
			linked = append(linked, a)
		}
	}
	return linked, nil
}

// account is what a moderator is shown of an account: its channel, its
// name there and when it was last used.
func (f *unlink) account(c *Conv, a Account) Msg {
	return M("unlink.account", "Channel", ChannelName(c.texts, c.Lang, a.Chat.Channel), "Name", a.Name, "Seen", c.F().At(a.LastSeen))
}

func (f *unlink) askPick(c *Conv) {
	var d unlinkDraft
	if err := c.Draft(&d); err != nil {
		c.Fail(err)
		return
	}
	linked, err := f.linked(c.Context(), d.Person)
	if err != nil {
		c.Fail(err)
		return
	}
	rows := make([][]Choice, 0, len(linked)+1)
	for _, a := range linked {
		rows = append(rows, []Choice{{Label: f.account(c, a), Value: unlinkPrefix + strconv.FormatInt(a.ID, 10)}})
	}
	h, err := f.held(c.Context(), d)
	if err != nil {
		c.Fail(err)
		return
	}
	if h != nil {
		c.Say(f.heldMsg(c, "unlink.held", h))
		rows = append(rows, []Choice{{Label: M("unlink.held_use"), Value: unlinkPrefix + "held", Words: []string{"dung thay doi"}}})
	}
	c.Ask(M("unlink.pick", "Name", d.Name, "Phone", maskPhone(d.Phone), "Count", len(linked)), rows...)
}

func (f *unlink) onPick(ctx context.Context, c *Conv, in Input) (Step, error) {
	if in.Kind == KindChoice && in.Text == unlinkPrefix+"held" {
		return f.pickHeld(ctx, c)
	}
	id, ok := strings.CutPrefix(in.Text, unlinkPrefix)
	n, err := strconv.ParseInt(id, 10, 64)
	if in.Kind != KindChoice || !ok || err != nil {
		return Unclear, nil
	}
	var d unlinkDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	d.Account = n
	if a, _, _, err := f.picked(ctx, d); err != nil || a == nil {
		if err == nil {
			c.Say(M("unlink.gone"))
		}
		return Done, err
	}
	return unlinkConfirm, c.SetDraft(d)
}

// picked is the account the draft names, still linked to the farmer; nil
// when it no longer is.
func (f *unlink) picked(ctx context.Context, d unlinkDraft) (*Account, []Account, string, error) {
	accounts, lang, err := f.deps.Links.Accounts(ctx, d.Person)
	if err != nil {
		return nil, nil, "", fmt.Errorf("accounts of user %d: %w", d.Person, err)
	}
	for i, a := range accounts {
		if a.ID == d.Account && a.Linked {
			return &accounts[i], accounts, lang, nil
		}
	}
	return nil, accounts, lang, nil
}

func (f *unlink) askConfirm(c *Conv) {
	var d unlinkDraft
	if err := c.Draft(&d); err != nil {
		c.Fail(err)
		return
	}
	a, _, _, err := f.picked(c.Context(), d)
	if err == nil && a == nil {
		err = fmt.Errorf("account %d not linked to %d: %w", d.Account, d.Person, ErrBadState)
	}
	if err != nil {
		c.Fail(err)
		return
	}
	c.Ask(M("unlink.confirm", "Account", c.T(f.account(c, *a)), "Name", d.Name, "Phone", maskPhone(d.Phone)),
		[]Choice{{Label: M("unlink.do"), Value: unlinkPrefix + "yes", Words: []string{"dong y", "ok", "co", "tach"}}},
		[]Choice{{Label: M("moderation.keep"), Value: unlinkPrefix + "no", Words: []string{"khong"}}})
}

// saidYes reads a button answer to one of /bonoi's confirmations: ❌ ends
// it; a yes counts only from a global moderator still, and d is then the
// conversation's draft.
func (f *unlink) saidYes(ctx context.Context, c *Conv, in Input, d *unlinkDraft) (bool, error) {
	if in.Text == unlinkPrefix+"no" {
		c.Say(M("cancel.done"))
		return false, nil
	}
	if ok, err := onlyModerators(ctx, f.deps, c, "moderation.refused"); !ok || err != nil {
		return false, err
	}
	return true, c.Draft(d)
}

func (f *unlink) onConfirm(ctx context.Context, c *Conv, in Input) (Step, error) {
	if in.Kind != KindChoice || in.Text != unlinkPrefix+"yes" && in.Text != unlinkPrefix+"no" {
		return Unclear, nil
	}
	var d unlinkDraft
	if yes, err := f.saidYes(ctx, c, in, &d); !yes || err != nil {
		return Done, err
	}
	a, accounts, lang, err := f.picked(ctx, d)
	if err != nil {
		return "", err
	}
	if a == nil {
		c.Say(M("unlink.gone"))
		return Done, nil
	}
	lang = cmp.Or(lang, c.Lang)
	channel := ChannelName(c.texts, lang, a.Chat.Channel)
	notices := []Reply{{To: a.Chat, Lang: lang, Text: M("link.unlinked")}}
	for _, other := range accounts {
		if other.ID != a.ID {
			notices = append(notices, Reply{To: other.Chat, Lang: lang, Text: M("link.unlinked_owner", "Channel", channel, "Name", a.Name)})
		}
	}
	u, err := f.deps.Links.Unlink(ctx, a.ID, d.Person, notices...)
	if errors.Is(err, ErrStale) {
		c.Say(M("unlink.gone"))
		return Done, nil
	}
	if err != nil {
		return "", err
	}
	c.Say(M("unlink.done", "Account", c.T(f.account(c, *a)), "Name", d.Name))
	if len(u.Roles) > 0 || u.Orders > 0 {
		c.Say(M("unlink.back", "Roles", roleNames(c, u.Roles), "Orders", u.Orders))
	}
	if len(u.RolesSince) > 0 || u.OrdersSince > 0 || u.Buyer {
		c.Say(M("unlink.stayed", "Name", d.Name, "Roles", roleNames(c, u.RolesSince), "Orders", u.OrdersSince, "Buyer", u.Buyer))
	}
	return Done, nil
}

// heldChange is a change waiting for a farmer whose first account is gone,
// as a moderator is shown it.
type heldChange struct {
	Change *ProfileChange
	First  Account  // the farmer's first account, gone
	By     *Account // the account that asked for it, nil if no longer linked
	Now    *Seller  // the profile as it is
}

// held is the change waiting for the draft's profile that a moderator may
// confirm: nil when none waits, or the farmer can answer on her first
// account.
func (f *unlink) held(ctx context.Context, d unlinkDraft) (*heldChange, error) {
	if d.Seller == 0 {
		return nil, nil
	}
	ch, err := f.deps.Links.ProfileChangeOf(ctx, d.Seller)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("profile change of seller %d: %w", d.Seller, err)
	}
	accounts, _, err := f.deps.Links.Accounts(ctx, d.Person)
	if err != nil {
		return nil, fmt.Errorf("accounts of user %d: %w", d.Person, err)
	}
	first, err := firstAccount(accounts, d.Person)
	if err != nil || !first.Gone {
		return nil, err
	}
	now, err := f.deps.Sellers.SellerOf(ctx, d.Person)
	if err != nil {
		return nil, fmt.Errorf("seller of user %d: %w", d.Person, err)
	}
	h := &heldChange{Change: ch, First: first, Now: now}
	for i, a := range accounts {
		if a.Chat == ch.By {
			h.By = &accounts[i]
		}
	}
	return h, nil
}

// heldMsg is message id about h, for the moderator.
func (f *unlink) heldMsg(c *Conv, id string, h *heldChange) Msg {
	by := ""
	if h.By != nil {
		by = c.T(f.account(c, *h.By))
	}
	return changeMsg(c, c.Lang, id, h.Change, h.Now, "Account", by, "At", c.F().At(h.Change.At),
		"First", ChannelName(c.texts, c.Lang, h.First.Chat.Channel), "Name", h.Now.Name)
}

// pickHeld goes to confirming the change waiting, if a moderator still
// may.
func (f *unlink) pickHeld(ctx context.Context, c *Conv) (Step, error) {
	var d unlinkDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	h, err := f.held(ctx, d)
	if err != nil {
		return "", err
	}
	if h == nil {
		c.Say(M("unlink.held_none"))
		return Done, nil
	}
	d.Token = h.Change.Token
	return unlinkHeld, c.SetDraft(d)
}

func (f *unlink) askHeld(c *Conv) {
	var d unlinkDraft
	if err := c.Draft(&d); err != nil {
		c.Fail(err)
		return
	}
	h, err := f.held(c.Context(), d)
	if err != nil {
		c.Fail(err)
		return
	}
	if h == nil || h.Change.Token != d.Token { // answered, replaced or back meanwhile
		accounts, _, err := f.deps.Links.Accounts(c.Context(), d.Person)
		if err == nil {
			err = f.heldGoneBy(c.Context(), c, d, accounts)
		}
		if err != nil {
			c.Fail(fmt.Errorf("accounts of user %d: %w", d.Person, err))
		}
		return
	}
	c.Ask(f.heldMsg(c, "unlink.held_confirm", h),
		[]Choice{{Label: M("unlink.held_use"), Value: unlinkPrefix + "use", Words: []string{"dong y", "ok", "co", "dung thay doi"}}},
		[]Choice{{Label: M("moderation.keep"), Value: unlinkPrefix + "no", Words: []string{"khong"}}})
}

// onHeld makes the change the profile's, when the moderator confirms: the
// role checked again, the change still the one shown, the first account
// still gone. Every account of the farmer is told.
func (f *unlink) onHeld(ctx context.Context, c *Conv, in Input) (Step, error) {
	if in.Kind != KindChoice || in.Text != unlinkPrefix+"use" && in.Text != unlinkPrefix+"no" {
		return f.heldUnclear(ctx, c)
	}
	var d unlinkDraft
	if yes, err := f.saidYes(ctx, c, in, &d); !yes || err != nil {
		return Done, err
	}
	if c.User.ID == d.Person { // their own word is asked on the first account
		c.Say(M("unlink.held_own"))
		return Done, nil
	}
	accounts, lang, err := f.deps.Links.Accounts(ctx, d.Person)
	if err != nil {
		return "", fmt.Errorf("accounts of user %d: %w", d.Person, err)
	}
	h, err := f.held(ctx, d)
	if err != nil {
		return "", err
	}
	if h == nil || h.Change.Token != d.Token {
		return Done, f.heldGoneBy(ctx, c, d, accounts)
	}
	lang = cmp.Or(lang, c.Lang)
	var notices []Reply
	for _, a := range accounts {
		notices = append(notices, Reply{To: a.Chat, Lang: lang, Text: changeMsg(c, lang, "profilechange.confirmed_moderator", h.Change, nil)})
	}
	err = f.deps.Links.ConfirmProfileChange(ctx, d.Seller, d.Token, ByModerator, notices...)
	switch {
	case errors.Is(err, ErrStale):
		return Done, f.heldGoneBy(ctx, c, d, accounts)
	case errors.Is(err, ErrPhoneTaken):
		return Done, phoneTakenMeanwhile(ctx, f.deps, c, h.Change)
	case err != nil:
		return "", err
	}
	c.Say(M("unlink.held_done", "Name", d.Name))
	return Done, nil
}

// heldUnclear asks again, unless the change shown was answered, replaced
// or the first account came back meanwhile: then the moderator is told so
// (as a ✅ would tell them) and the step ends, with no question left that
// nothing can answer.
func (f *unlink) heldUnclear(ctx context.Context, c *Conv) (Step, error) {
	var d unlinkDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	h, err := f.held(ctx, d)
	if err != nil {
		return "", err
	}
	if h != nil && h.Change.Token == d.Token {
		return Unclear, nil
	}
	accounts, _, err := f.deps.Links.Accounts(ctx, d.Person)
	if err != nil {
		return "", fmt.Errorf("accounts of user %d: %w", d.Person, err)
	}
	return Done, f.heldGoneBy(ctx, c, d, accounts)
}

// heldGoneBy says why the change picked can no longer be confirmed: the
// farmer's first account is back (she answers there), or it no longer
// waits.
func (f *unlink) heldGoneBy(ctx context.Context, c *Conv, d unlinkDraft, accounts []Account) error {
	first, err := firstAccount(accounts, d.Person)
	if err != nil {
		return err
	}
	if _, err := f.deps.Links.ProfileChangeOf(ctx, d.Seller); err == nil && !first.Gone {
		c.Say(M("unlink.held_back", "First", ChannelName(c.texts, c.Lang, first.Chat.Channel)))
		return nil
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("profile change of seller %d: %w", d.Seller, err)
	}
	c.Say(M("unlink.held_none"))
	return nil
}

// roleNames lists roles as moderators know them: "🤝 Người hỗ trợ, …".
func roleNames(c *Conv, roles []string) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = r
		if id, ok := roleMsgs[r]; ok {
			names[i] = c.T(M(id))
		}
	}
	return strings.Join(names, ", ")
}

var roleMsgs = map[string]string{"helper": "unlink.role_helper", "moderator": "unlink.role_moderator", "banned": "unlink.role_banned"}
