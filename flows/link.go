package flows

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// One person, several channels. A farmer registered on Telegram who
// registers on Zalo with the same phone number is offered to link the two
// accounts: a 6-digit code goes to the Telegram chat and is typed on Zalo.
// Once linked, the Zalo account acts as the Telegram one (Users.Touch gives
// its id), so that both show the same profile, listings and orders. Until
// then nothing of the other account is shown: only the channel the code
// goes to.

// The rules of link codes. A code has a million values: the caps below
// keep guessing one hopeless. They hold per account whose number is
// claimed (for a claim, per farmer the helper registered: one helper
// registers many), whoever asks and from however many chats, and per
// account asking, which could otherwise go through many farmers' numbers.
// The wrong tries at all the codes one account is sent are capped too: a
// helper who registered a hundred farmers would otherwise let 500 guesses
// a day at her codes.
const (
	LinkCodeTTL       = 10 * time.Minute
	LinkDay           = 24 * time.Hour // the caps count over it, up to the moment
	LinkCodesPerDay   = 3              // codes sent to one account
	LinkTriesPerDay   = 5              // wrong tries at one account's codes: then no link to it for the day
	LinkTargetsPerDay = 3              // accounts one account is sent codes for
	// LinkHelperTriesPerDay: wrong tries at all the codes one account is
	// sent (a helper's, for every farmer she registered). Honest claims
	// miss a digit now and then: twenty is four farmers' whole day of
	// mistakes, more than a commune's morning of claims makes, and keeps
	// guessing any of her farmers' codes at one chance in 50,000 a day.
	LinkHelperTriesPerDay = 20
)

// LinkLimits are the caps stores enforce, counted over Window.
type LinkLimits struct {
	Window  time.Duration
	Codes   int // codes sent to one account (for one farmer, a claim's)
	Tries   int // wrong tries at one account's codes (for one farmer), whoever typed them
	Targets int // accounts (farmers, claimed) one requester is sent codes for
	// HelperTries: wrong tries at all the codes sent to one account (a
	// helper's, whichever farmer they are for); 0: no such cap.
	HelperTries int
}

// linkLimits are the caps of the rules above.
var linkLimits = LinkLimits{Window: LinkDay, Codes: LinkCodesPerDay, Tries: LinkTriesPerDay, Targets: LinkTargetsPerDay,
	HelperTries: LinkHelperTriesPerDay}

// LinkCode is a code sent to Account, to be typed by Requester.
type LinkCode struct {
	Account   int64
	Requester int64
	Code      string // 6 digits; stores keep only a hash of it
	At        time.Time
	Expires   time.Time
	// Source is the update that asked for it: a retry of that update
	// replaces its code rather than count as another.
	Source string
	// Seller, for a claim: the profile a helper registered, given to the
	// requester by the right code, instead of a link to Account (the
	// helper, who reads the code to the farmer).
	Seller int64
}

// LinkGuess is a code typed by Requester for the code ID.
type LinkGuess struct {
	ID        int64
	Requester int64
	Code      string
	At        time.Time
	// Source is the update that typed it: its retry is not counted as
	// another wrong try.
	Source string
}

// LinkOutcome is what typing a code did.
type LinkOutcome int

const (
	LinkWrong   LinkOutcome = iota // not the code; LinkTry.Left tries remain
	LinkDone                       // the accounts are linked
	LinkExpired                    // too late
	LinkBlocked                    // the account's wrong tries for the day are spent (LinkTry.Cap): not tried
)

// LinkTry is the outcome of a typed code.
type LinkTry struct {
	Outcome LinkOutcome
	Left    int       // of LinkWrong
	Next    time.Time // of LinkBlocked: when the account may be linked to again
	Cap     LinkCap   // of LinkBlocked: CapTries (this farmer's or account's), or CapHelperTries
	Lang    string    // of LinkDone: the language the person chose, if any
	// Owner is, of LinkDone, the chat the account's owner was last seen
	// in before the link: they are told of it there.
	Owner ChatRef
}

// LinkCap is the cap a code was refused by.
type LinkCap int

const (
	CapCodes       LinkCap = iota + 1 // the account was sent its codes for the day
	CapTries                          // the account's codes were typed wrong too often
	CapTargets                        // the requester was sent codes for too many accounts
	CapHelperTries                    // the account's codes, for any farmer, were typed wrong too often
)

// LinkLimitError means no code may go: Cap is reached until Next.
type LinkLimitError struct {
	Cap  LinkCap
	Next time.Time
}

func (e *LinkLimitError) Error() string {
	return fmt.Sprintf("link cap %d reached until %s", e.Cap, e.Next.Format(time.RFC3339))
}

// Links joins a person's accounts on several channels into one.
type Links interface {
	// Channels lists the channels on which a user (an id as Touch gives
	// it) has an account.
	Channels(ctx context.Context, userID int64) ([]Channel, error)
	// NewLinkCode stores a code, unless a cap of lim is reached in the
	// window before c.At (a retry of c.Source not counted): then a
	// *LinkLimitError.
	NewLinkCode(ctx context.Context, c LinkCode, lim LinkLimits) (id int64, err error)
	// TryLinkCode checks a typed code. The right one links its requester
	// to the code's account, moving to it what the requester had of its
	// own (orders, buyer details), in one transaction; a claim's gives the
	// requester the profile (ErrStale: another took it meanwhile). No code
	// of an account whose codes were typed wrong lim.Tries times in the
	// window is tried, not even the right one.
	TryLinkCode(ctx context.Context, g LinkGuess, lim LinkLimits) (LinkTry, error)
	// Accounts lists a person's accounts (userID as Touch gives it), the
	// first one first, and the language the person chose ("" for none).
	Accounts(ctx context.Context, userID int64) (accounts []Account, lang string, err error)
	// Unlink makes account act as itself again, no longer as userID, and
	// queues notices with the change; ErrStale when it is not linked to
	// userID (any more). What linking moved from it (roles, orders as a
	// buyer) goes back to it, and a profile change it asked for is dropped;
	// the result says what went back and what stayed.
	Unlink(ctx context.Context, account, userID int64, notices ...Reply) (Unlinked, error)
	ProfileChanges
}

// Account is one channel's account of a person: the first, or one linked
// to it.
type Account struct {
	ID       int64
	Chat     ChatRef // its private chat
	Name     string  // its name on the platform
	LastSeen time.Time
	Linked   bool // linked to the person's first account
	// Gone: the bot learnt that its chat is lost (the user blocked the
	// bot, or the account was deleted), and it has not written since.
	Gone bool
}

// linking is the link being offered, in the registration's draft. It
// holds nothing of the other account but its id and its channel.
type linking struct {
	Account int64   `json:"account"` // the user who registered the number
	To      Channel `json:"to"`      // where the code goes
	Code    int64   `json:"code,omitempty"`
	// Seller: a claim, of the profile a helper (Account) registered for a
	// farmer without an account, not a link; Phone, the number typed.
	Seller int64  `json:"seller,omitempty"`
	Phone  string `json:"phone,omitempty"`
	// State says what the code question says: the code was sent, or
	// cannot be used (expired), or a cap keeps codes from going or being
	// tried (limited, blocked, targets).
	State string    `json:"state,omitempty"`
	Next  time.Time `json:"next,omitzero"` // of a cap: when it ends
}

// Link states.
const (
	linkSent    = "sent"
	linkExpired = "expired"
	linkLimited = "limited" // the account was sent its codes for the day
	linkBlocked = "blocked" // the account's codes were typed wrong too often
	linkTargets = "targets" // this account was sent codes for too many numbers
	// the codes of the helper who registered the number, for any farmer,
	// were typed wrong too often
	linkHelperBlocked = "helper_blocked"
)

// capStates are the states of the caps a code is refused by.
var capStates = map[LinkCap]string{CapCodes: linkLimited, CapTries: linkBlocked, CapTargets: linkTargets,
	CapHelperTries: linkHelperBlocked}

// linkSource names the update for the stores, which count its retry once.
func linkSource(in Input) string { return string(in.Channel) + ":" + in.UpdateID }

// linkRows are the registration's rows that link accounts: after the phone
// question, the offer and the code; both are asked only when the phone
// leads to them.
func (r *registration) linkRows(form *Form[draft]) {
	r.linkOffer = form.Row(Field[draft]{Step: "reg_link", Ask: r.askLink, Answer: r.onLink, Aside: true})
	r.linkCode = form.Row(Field[draft]{Step: "reg_link_code", Ask: r.askLinkCode, Answer: r.onLinkCode, Aside: true})
}

// offerLink leads a newcomer who typed the number of a seller on another
// channel to the offer; one who typed the number of a farmer a helper
// registered, to the offer of a claim (offerClaim). ok is false when
// there is nothing to offer: the user is a seller already, or the
// number's seller has an account on this channel.
func (r *registration) offerLink(ctx context.Context, c *Conv, d *draft, phone string) (g Go, ok bool, err error) {
	if d.Seller.ID != 0 || r.deps.Links == nil {
		return Go{}, false, nil
	}
	other, err := r.deps.Sellers.SellerByPhone(ctx, phone)
	if errors.Is(err, ErrNotFound) {
		return Go{}, false, nil
	}
	if err != nil {
		return Go{}, false, fmt.Errorf("seller by phone: %w", err)
	}
	if other.UserID == 0 {
		return r.offerClaim(ctx, c, d, other)
	}
	if other.UserID == c.User.ID {
		return Go{}, false, nil
	}
	channels, err := r.deps.Links.Channels(ctx, other.UserID)
	if err != nil {
		return Go{}, false, fmt.Errorf("channels of seller: %w", err)
	}
	if slices.Contains(channels, c.In.Channel) {
		return Go{}, false, nil
	}
	ref, _, err := r.deps.UserChats.ChatOf(ctx, other.UserID)
	if err != nil {
		return Go{}, false, fmt.Errorf("chat of seller: %w", err)
	}
	d.Link = &linking{Account: other.UserID, To: ref.Channel}
	return To(r.linkOffer), true, nil
}

// offerClaim leads a newcomer who typed the number of a farmer a helper
// registered to the offer of a code sent to that helper: on a channel
// where the number can only be typed, nothing else shows that it is
// theirs. Where no helper can be asked (none recorded, or the newcomer is
// that helper), they are told whom to ask, and how a shared contact
// would do.
func (r *registration) offerClaim(ctx context.Context, c *Conv, d *draft, other *Seller) (Go, bool, error) {
	if other.CreatedBy == 0 || other.CreatedBy == c.User.ID {
		return Again(M("reg.phone_helped")), true, nil
	}
	ref, _, err := r.deps.UserChats.ChatOf(ctx, other.CreatedBy)
	if errors.Is(err, ErrNotFound) {
		return Again(M("reg.phone_helped")), true, nil
	}
	if err != nil {
		return Go{}, false, fmt.Errorf("chat of helper: %w", err)
	}
	d.Link = &linking{Account: other.CreatedBy, To: ref.Channel, Seller: other.ID, Phone: other.Phone}
	return To(r.linkOffer), true, nil
}

func sendCodeChoice() Choice {
	return Choice{Label: M("link.send"), Value: "link:send", Words: []string{"gui ma", "gui ma moi", "ma moi", "send code"}}
}

func otherPhoneChoice() Choice {
	return Choice{Label: M("link.other_phone"), Value: "link:other", Words: []string{"so khac", "another number"}}
}

func (r *registration) askLink(c *Conv, d *draft) Question {
	if d.Link == nil {
		return Question{} // a draft without the offer: the form's prompt fails
	}
	m := M("link.offer", "Channel", ChannelName(c.texts, c.Lang, d.Link.To))
	if d.Link.Seller != 0 {
		m = M("claim.offer")
	}
	return Ask(m, []Choice{sendCodeChoice()}, []Choice{otherPhoneChoice()})
}

func (r *registration) onLink(ctx context.Context, c *Conv, d *draft, in Input) (Go, error) {
	switch {
	case d.Link == nil:
		return Go{}, fmt.Errorf("link offer without a link: %w", ErrBadState)
	case in.Kind == KindChoice && in.Text == "link:send":
		return r.sendCode(ctx, c, d)
	case in.Kind == KindChoice && in.Text == "link:other":
		d.Link = nil
		return To(r.phone), nil
	}
	return NotUnderstood(), nil
}

// sendCode sends a new code to the other account's chat, as the caps
// allow, and asks for it.
func (r *registration) sendCode(ctx context.Context, c *Conv, d *draft) (Go, error) {
	ref, lang, err := r.deps.UserChats.ChatOf(ctx, d.Link.Account)
	if err != nil {
		return Go{}, fmt.Errorf("chat of seller: %w", err)
	}
	if lang == "" {
		lang = c.Lang
	}
	code, err := newLinkCode()
	if err != nil {
		return Go{}, err
	}
	id, err := r.deps.Links.NewLinkCode(ctx, LinkCode{Account: d.Link.Account, Requester: c.User.ID, Code: code,
		At: c.Now, Expires: c.Now.Add(LinkCodeTTL), Source: linkSource(c.In), Seller: d.Link.Seller}, linkLimits)
	var capped *LinkLimitError
	if errors.As(err, &capped) {
		d.Link.State, d.Link.Next = capStates[capped.Cap], capped.Next
		return To(r.linkCode), nil
	}
	if err != nil {
		return Go{}, fmt.Errorf("new link code: %w", err)
	}
	d.Link.Code, d.Link.To, d.Link.State = id, ref.Channel, linkSent
	m := M("link.code", "Code", code, "Channel", ChannelName(c.texts, lang, c.In.Channel), "Minutes", int(LinkCodeTTL/time.Minute))
	if d.Link.Seller != 0 {
		// The helper, who registered the number, is told who says it is
		// theirs, to be sure before reading the code to them.
		m = M("claim.code", "Code", code, "Channel", ChannelName(c.texts, lang, c.In.Channel), "Minutes", int(LinkCodeTTL/time.Minute),
			"Name", d.Seller.Name, "Phone", formatPhone(d.Link.Phone))
	}
	c.SendTo(ref, lang, m)
	return To(r.linkCode), nil
}

// newLinkCode draws 6 digits.
func newLinkCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("draw link code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

func (r *registration) askLinkCode(c *Conv, d *draft) Question {
	if d.Link == nil {
		return Question{}
	}
	to := ChannelName(c.texts, c.Lang, d.Link.To)
	var m Msg
	switch d.Link.State {
	case linkExpired:
		m = M("link.expired", "Minutes", int(LinkCodeTTL/time.Minute))
	case linkLimited:
		m = M("link.limited", "Codes", LinkCodesPerDay, "Hours", hoursUntil(c.Now, d.Link.Next))
	case linkBlocked, linkHelperBlocked: // names no one: whoever reads it may not be the owner
		m = M("link.blocked", "Hours", hoursUntil(c.Now, d.Link.Next))
		if d.Link.State == linkHelperBlocked && d.Link.Seller != 0 { // not her number's doing: the helper's codes
			m = M("claim.blocked", "Hours", hoursUntil(c.Now, d.Link.Next))
		}
	case linkTargets:
		m = M("link.targets", "Numbers", LinkTargetsPerDay, "Hours", hoursUntil(c.Now, d.Link.Next))
	default:
		m = M("link.code_ask", "Channel", to, "Minutes", int(LinkCodeTTL/time.Minute))
		if d.Link.Seller != 0 {
			m = M("claim.code_ask", "Minutes", int(LinkCodeTTL/time.Minute))
		}
	}
	return Ask(m, []Choice{sendCodeChoice()}, []Choice{otherPhoneChoice()})
}

// hoursUntil is the whole hours from now to t, at least 1.
func hoursUntil(now, t time.Time) int {
	return max(1, int((t.Sub(now)+time.Hour-1)/time.Hour))
}

// onLinkCode reads the code typed, or a new code or another number asked for.
func (r *registration) onLinkCode(ctx context.Context, c *Conv, d *draft, in Input) (Go, error) {
	if d.Link == nil {
		return Go{}, fmt.Errorf("link code without a link: %w", ErrBadState)
	}
	if in.Kind == KindChoice {
		return r.onLink(ctx, c, d, in)
	}
	code, digits := typedCode(in)
	switch {
	case digits == 0:
		return NotUnderstood(), nil
	case code == "":
		return Again(M("link.code_bad")), nil
	case d.Link.Code == 0: // no code went: a cap
		return To(r.linkCode), nil
	}
	try, err := r.deps.Links.TryLinkCode(ctx, LinkGuess{ID: d.Link.Code, Requester: c.User.ID, Code: code,
		At: c.Now, Source: linkSource(c.In)}, linkLimits)
	if errors.Is(err, ErrStale) { // the profile claimed was taken meanwhile
		d.Link = nil
		c.Say(M("reg.phone_taken"))
		return To(r.phone), nil
	}
	if err != nil {
		return Go{}, fmt.Errorf("try link code: %w", err)
	}
	switch {
	case try.Outcome == LinkWrong && d.Link.Seller != 0:
		return Again(M("claim.wrong", "Left", try.Left)), nil
	case try.Outcome == LinkWrong:
		return Again(M("link.wrong", "Channel", ChannelName(c.texts, c.Lang, d.Link.To), "Left", try.Left)), nil
	case try.Outcome == LinkExpired:
		d.Link.State = linkExpired
		return To(r.linkCode), nil
	case try.Outcome == LinkBlocked:
		d.Link.State, d.Link.Next = cmp.Or(capStates[try.Cap], linkBlocked), try.Next
		return To(r.linkCode), nil
	case d.Link.Seller != 0:
		return r.claimed(ctx, c, d, try)
	}
	return r.linked(ctx, c, d, try)
}

// linked goes on as the person the accounts now are: the engine keeps
// the new id with the chat, and the form goes on past saving a profile,
// with the one this person has. The owner is told on their own chat, so
// that a link they did not make does not go unseen.
func (r *registration) linked(ctx context.Context, c *Conv, d *draft, try LinkTry) (Go, error) {
	other := ChannelName(c.texts, c.Lang, d.Link.To)
	c.User.ID, c.User.Linked = d.Link.Account, true
	if try.Lang != "" {
		c.User.Lang = try.Lang
	}
	if lang := cmp.Or(try.Lang, c.Lang); try.Owner.ChatID != "" {
		c.SendTo(try.Owner, lang, M("link.linked", "Channel", ChannelName(c.texts, lang, c.In.Channel)))
	}
	seller, err := r.deps.Sellers.SellerOf(ctx, c.User.ID)
	if err != nil {
		return Go{}, fmt.Errorf("seller after linking: %w", err)
	}
	d.Seller, d.Link = *seller, nil
	c.Session.Editing = false // nothing is left to change: the profile is the one saved
	c.Say(M("link.done", "Channel", other, "Here", ChannelName(c.texts, c.Lang, c.In.Channel)))
	return Past(r.save), nil
}

// claimed goes on with the profile the user claimed, whole: the form goes
// on past saving it. The helper who registered it is told, on their
// chat: they no longer post for this farmer.
func (r *registration) claimed(ctx context.Context, c *Conv, d *draft, try LinkTry) (Go, error) {
	seller, err := r.deps.Sellers.SellerOf(ctx, c.User.ID)
	if err != nil {
		return Go{}, fmt.Errorf("seller after claiming: %w", err)
	}
	if lang := cmp.Or(try.Lang, c.Lang); try.Owner.ChatID != "" {
		c.SendTo(try.Owner, lang, M("claim.claimed", "Name", seller.Name, "Channel", ChannelName(c.texts, lang, c.In.Channel)))
	}
	d.Seller, d.Link = *seller, nil
	c.Session.Editing = false
	c.Say(M("claim.done", "Name", seller.Name))
	if err := r.tellWaiting(ctx, c); err != nil {
		return Go{}, err
	}
	if seller.Bank != nil {
		return To(r.claimBank), nil
	}
	return Past(r.save), nil
}

// askClaimBank shows a farmer who just claimed her profile the bank
// account the helper set for her, which buyers are asked to pay into, and
// asks whether it is hers. Until she answers it stays as the helper set
// it (she may be in the middle of selling; most helpers type the
// farmer's own account), but she has seen it, in full.
func (r *registration) askClaimBank(c *Conv, d *draft) Question {
	return Ask(M("claim.bank", "Bank", bankLine(c, d.Seller.Bank)),
		[]Choice{{Label: M("claim.bank_yes"), Value: "claimbank:keep",
			Words: append(lexicon.of(wordYes), "dung", "dung roi", "dung vay", "phai", "phai roi", "vang", "vang dung roi",
				"dung cua toi", "cua toi", "dung la cua toi", "giu", "giu nguyen")}},
		[]Choice{{Label: M("claim.bank_change"), Value: "claimbank:change",
			Words: []string{"doi", "doi tai khoan", "sua", "sua tai khoan", "tai khoan khac", "change"}},
			{Label: M("claim.bank_remove"), Value: "claimbank:remove",
				Words: append(lexicon.of(wordNo), "bo", "xoa", "bo tai khoan", "xoa tai khoan", "khong phai cua toi", "remove")}})
}

// onClaimBank keeps the account, or asks the bank questions for hers, or
// removes it (buyers then pay her in hand): saving says which.
func (r *registration) onClaimBank(_ context.Context, c *Conv, d *draft, in Input) (Go, error) {
	if in.Kind != KindChoice {
		return NotUnderstood(), nil
	}
	switch in.Text {
	case "claimbank:keep":
		c.Say(M("claim.bank_kept", "Bank", bankLine(c, d.Seller.Bank)))
		return Next(), nil
	case "claimbank:change":
		d.ClaimBank = true
		return Redo(r.bank), nil
	case "claimbank:remove":
		d.ClaimBank, d.Seller.Bank, d.BankSet = true, nil, true
		return Past(r.holder), nil // to saving
	}
	return NotUnderstood(), nil
}

// toldClaimBank tells a farmer who changed or removed the account the
// helper set (claimBank) where buyers now pay: a Bỏ qua at the bank
// question kept the helper's, and she hears so.
func (r *registration) toldClaimBank(c *Conv, s, before *Seller) {
	switch {
	case s.Bank == nil:
		c.Say(M("claim.bank_removed"))
	case before == nil || newBank(s, before):
		c.Say(M("claim.bank_changed", "Bank", bankLine(c, s.Bank)))
	default:
		c.Say(M("claim.bank_kept", "Bank", bankLine(c, s.Bank)))
	}
}

// bankLine is an account as a profile shows it, in full: Agribank
// 123456789012 (HOANG THI MAI).
func bankLine(c *Conv, b *BankAccount) string {
	if b == nil {
		return ""
	}
	return c.T(M("profile.bank_line", "Bank", b.Bank, "Account", b.Account, "Holder", b.Holder))
}

// typedCode reads a code typed with or without spaces or words around it:
// `123 456`, `mã 123456`. digits counts the digits typed.
func typedCode(in Input) (code string, digits int) {
	if in.Kind != KindText {
		return "", 0
	}
	var b strings.Builder
	for _, r := range in.Text {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() != 6 {
		return "", b.Len()
	}
	return b.String(), 6
}

// namedChannels are the channels with a name in the locales ("channel.zalo").
var namedChannels = []Channel{Telegram, Zalo, Web}

// ChannelName is a channel as users know it: `Zalo`.
func ChannelName(texts Texts, lang string, ch Channel) string {
	if slices.Contains(namedChannels, ch) {
		return texts.Text(lang, M("channel."+string(ch)))
	}
	return string(ch)
}

// tellWaiting tells a farmer who just took over the profile a helper
// registered how many orders wait for her answer: placed on what the
// helper posted, their notices went to the helper.
func (r *registration) tellWaiting(ctx context.Context, c *Conv) error {
	waiting, err := r.deps.Orders.Awaiting(ctx, c.User.ID)
	if err != nil {
		return fmt.Errorf("orders waiting after claiming: %w", err)
	}
	if len(waiting) > 0 {
		c.Say(M("claim.waiting", "Count", len(waiting)))
	}
	return nil
}

// tookOver tells, once a farmer's shared contact gave her the profile a
// helper registered at her number (SaveSeller), the helper that she now
// posts and answers orders herself, as a code typed does, and her the
// orders waiting.
func (r *registration) tookOver(ctx context.Context, c *Conv, s *Seller) error {
	ref, lang, err := r.deps.UserChats.ChatOf(ctx, s.CreatedBy)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("chat of helper: %w", err)
	}
	if lang = cmp.Or(lang, c.Lang); err == nil && ref.ChatID != "" {
		c.SendTo(ref, lang, M("claim.claimed", "Name", s.Name, "Channel", ChannelName(c.texts, lang, c.In.Channel)))
	}
	return r.tellWaiting(ctx, c)
}
