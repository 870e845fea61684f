package flows

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Whoever got hold of a link code could take the farmer's buyers: after an
// accepted order buyers call the profile's phone number and pay into its
// bank account (VietQR). So a number or an account set from an account
// linked to the farmer's first one (the one she registered the profile
// on, which a link code was sent to) is held: buyers go on calling and
// paying the old ones until she presses ✅ Đúng, tôi đổi on that first
// account. It waits for nothing else — no deadline makes it hers by
// itself, since an older farmer may not read her messages for days.
// ❌ Không phải tôi drops it and tells her whom to ask to separate the
// other account. A change made on the first account itself is saved at
// once, as before, and drops what waited of the same kind.
//
// Where the first account is gone (she blocked the bot there, or the
// account was deleted: users.gone_at), she cannot answer there. Then a
// global moderator, who can already separate the linked account with
// /bonoi, is offered the change there too: having met her in person, they
// either separate the account or make the change hers (unlink.go).

// ProfileChange is a new phone number, bank account or both, set from a
// linked account and waiting for the farmer's word.
type ProfileChange struct {
	Seller int64
	// Token names it in the question's buttons: an old button confirms
	// nothing newer.
	Token string
	Phone string       // E.164; "" when the number is not changed
	Bank  *BankAccount // nil when the account is not changed
	By    ChatRef      // the linked account that asked for it (its private chat)
	At    time.Time
}

// ConfirmedBy says who makes a change waiting the profile's.
type ConfirmedBy int

const (
	ByFarmer ConfirmedBy = iota // on her first account
	// ByModerator: a global moderator who met her, only while her first
	// account is gone (stores check it in the same transaction).
	ByModerator
)

// ProfileChanges keeps the changes waiting for confirmation.
type ProfileChanges interface {
	// HoldProfileChange keeps ch waiting (replacing the one the profile
	// had), with the notices that ask for it, in one transaction.
	HoldProfileChange(ctx context.Context, ch ProfileChange, notices ...Reply) error
	// ProfileChangeOf is the change waiting for a profile; ErrNotFound.
	ProfileChangeOf(ctx context.Context, seller int64) (*ProfileChange, error)
	// ConfirmProfileChange gives the profile the number and account of
	// the change named by token; DropProfileChange forgets it (any, for
	// token ""). Both queue notices with it; ErrStale when it no longer
	// waits (or, by a moderator, when the first account is back);
	// ErrPhoneTaken when another profile has the number now.
	ConfirmProfileChange(ctx context.Context, seller int64, token string, by ConfirmedBy, notices ...Reply) error
	DropProfileChange(ctx context.Context, seller int64, token string, notices ...Reply) error
	// SupersedeProfileChange forgets the number (phone) or the account
	// (bank) waiting, set meanwhile on the first account; a change left
	// with neither is dropped.
	SupersedeProfileChange(ctx context.Context, seller int64, phone, bank bool) error
}

// changePrefix starts the values of the question's buttons: "bnk:ok:<token>",
// "bnk:no:<token>" (an empty token: the change waiting, typed). Named when
// only bank accounts waited; kept, so that questions sent then still work.
const changePrefix = "bnk:"

// changeWords are the meanings (lexicon) of the question's buttons typed
// (on Zalo, which has none), folded, without punctuation.
var changeWords = map[string]wordMeaning{"ok": wordChangeYes, "no": wordChangeNo}

// changeCode is the short part of a change's token that its question
// tells the farmer to type after the words ("nhắn ĐÚNG TÔI ĐỔI 4827"):
// four digits, copied from the message more easily than a token, and
// known only where the question itself reached her.
func changeCode(token string) string {
	h := fnv.New32a()
	h.Write([]byte(token))
	return fmt.Sprintf("%04d", h.Sum32()%10000)
}

// typedAnswer reads the question's words typed, with the change's code
// after them or not; action is "" when in is not them.
func typedAnswer(in Input) (action, code string) {
	fields := strings.FieldsFunc(vn.Fold(stripEmoji(in.Text)), func(r rune) bool {
		return r == ' ' || r == ',' || r == '.' || r == '!' || r == ':'
	})
	// The digits may come apart ("48 27"): every trailing group is code.
	for n := len(fields); n > 1 && strings.Trim(fields[n-1], "0123456789") == ""; n-- {
		code, fields = fields[n-1]+code, fields[:n-1]
	}
	word := strings.Join(fields, " ")
	for a, words := range changeWords {
		if lexicon.is(word, words) {
			return a, code
		}
	}
	return "", ""
}

// bankMasked is an account as shown to anyone but its holder in a chat:
// Vietcombank ••••7654.
func bankMasked(c *Conv, lang string, b *BankAccount) string {
	if b == nil {
		return ""
	}
	return c.texts.Text(lang, M("profile.bank_masked", "Bank", b.Bank, "Last", lastDigits(b.Account, 4)))
}

// changeMsg is message id about ch, with the new and old number and
// account, masked, as its data ("" for what ch does not change), and
// more data.
func changeMsg(c *Conv, lang, id string, ch *ProfileChange, old *Seller, more ...any) Msg {
	m := M(id, append([]any{"Phone", "", "OldPhone", "", "Bank", "", "OldBank", ""}, more...)...)
	if ch.Phone != "" {
		m.Data["Phone"] = maskPhone(ch.Phone)
		if old != nil {
			m.Data["OldPhone"] = maskPhone(old.Phone)
		}
	}
	if ch.Bank != nil {
		m.Data["Bank"] = bankMasked(c, lang, ch.Bank)
		if old != nil {
			m.Data["OldBank"] = bankMasked(c, lang, old.Bank)
		}
	}
	return m
}

// firstAccount is the account a person registered on, among accounts.
func firstAccount(accounts []Account, user int64) (Account, error) {
	i := slices.IndexFunc(accounts, func(a Account) bool { return !a.Linked })
	if i < 0 {
		return Account{}, fmt.Errorf("no first account of user %d: %w", user, ErrBadState)
	}
	return accounts[i], nil
}

// hold keeps what ch changes of s (as it was: before), asked for from a
// linked account, waiting for the farmer, asked on her first account. What
// waited already and ch does not change still waits, in the same
// question, when the same account asked for it. The account that asked
// is told why, and, when the first account is gone, whom the farmer asks
// instead.
func (r *registration) hold(ctx context.Context, c *Conv, s *Seller, ch ProfileChange, before *Seller) error {
	accounts, lang, err := r.deps.Links.Accounts(ctx, c.User.ID)
	if err != nil {
		return fmt.Errorf("accounts of seller: %w", err)
	}
	first, err := firstAccount(accounts, c.User.ID)
	if err != nil {
		return err
	}
	lang = cmp.Or(lang, c.Lang)
	waiting, err := r.deps.Links.ProfileChangeOf(ctx, s.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("change waiting: %w", err)
	}
	ch.Seller, ch.By, ch.At = s.ID, ChatRef{Channel: c.User.Channel, ChatID: c.User.PlatformID}, c.Now
	// Only what the same account asked is merged: a change is kept under
	// one asker, whom the farmer's question names and whose separation
	// (/bonoi) drops it, so another account's part would be credited to
	// the wrong one. A change from another account replaces what waited,
	// and the account that asked for that is told.
	var notices []Reply
	switch {
	case waiting != nil && waiting.By == ch.By:
		ch.Phone = cmp.Or(ch.Phone, waiting.Phone)
		ch.Bank = cmp.Or(ch.Bank, waiting.Bank)
	case waiting != nil:
		notices = append(notices, Reply{To: waiting.By, Lang: lang, Text: changeMsg(c, lang, "profilechange.replaced", waiting, nil)})
	}
	// The code typed with the words must not be the one of the question it
	// replaces: words read there would answer this one.
	for {
		if ch.Token, err = newToken(); err != nil {
			return err
		}
		if waiting == nil || changeCode(ch.Token) != changeCode(waiting.Token) {
			break
		}
	}
	// Typed with the code (on a channel without buttons), the words answer
	// this question as its buttons do; without it, they show the change
	// first (profileChangeFlow).
	ok := M("profilechange.ok_typed", "Code", changeCode(ch.Token))
	no := M("profilechange.no_typed", "Code", changeCode(ch.Token))
	ask := Reply{To: first.Chat, Lang: lang,
		Text: changeMsg(c, lang, "profilechange.ask", &ch, before, "Channel", ChannelName(c.texts, lang, c.In.Channel), "Name", c.User.Name),
		Choices: [][]Choice{
			{{Label: M("profilechange.ok"), Value: changePrefix + "ok:" + ch.Token, Typed: &ok}},
			{{Label: M("profilechange.no"), Value: changePrefix + "no:" + ch.Token, Typed: &no}},
		}}
	if err := r.deps.Links.HoldProfileChange(ctx, ch, append(notices, ask)...); err != nil {
		return fmt.Errorf("hold profile change: %w", err)
	}
	c.Say(changeMsg(c, c.Lang, "profilechange.held", &ch, before,
		"First", ChannelName(c.texts, c.Lang, first.Chat.Channel), "Gone", first.Gone))
	return nil
}

// newToken draws a change's name for its buttons.
func newToken() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("draw token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// profileChangeFlow answers the question: the farmer, on her first
// account, confirms or refuses the change waiting.
//
// The question's words typed with its code ("ĐÚNG TÔI ĐỔI 4827", where
// there are no buttons) answer it as a button does: the code is only in
// the question, so she typed what she read there. Typed without it (or
// with an older question's code) they answer nothing yet: the question may
// never have reached her (her first account was gone when it was asked,
// and whoever holds the link code may be the one telling her what to
// type). She is shown the change first, under its token, and only her
// answer to that makes it hers, or refuses it knowing what she refused.
func profileChangeFlow(d Deps) *Flow {
	return &Flow{Name: "profilechange",
		Start: func(ctx context.Context, c *Conv, in Input) (Step, error) {
			if in.Kind == KindChoice && (in.Text == changePrefix+"ok:" || in.Text == changePrefix+"no:") {
				return showProfileChange(ctx, d, c, in)
			}
			return Done, answerProfileChange(ctx, d, c, in)
		},
		Steps: map[Step]StepDef{
			changeShown: {
				Prompt: func(c *Conv) { askShownChange(c, d) },
				Handle: func(ctx context.Context, c *Conv, in Input) (Step, error) {
					action, token, _ := strings.Cut(strings.TrimPrefix(in.Text, changePrefix), ":")
					if in.Kind == KindChoice && (action == "ok" || action == "no") && token != "" {
						return Done, answerProfileChange(ctx, d, c, in)
					}
					// Unclear, unless what was shown no longer waits.
					var dr shownChange
					if err := c.Draft(&dr); err != nil {
						return "", err
					}
					if ch, _, err := shownChangeOf(ctx, d, c, dr.Token); err != nil || ch == nil {
						return Done, err
					}
					return Unclear, nil
				},
			},
		},
	}
}

// changeShown: the change waiting is shown to the farmer, who typed the
// words without the question's code; her next answer must name it.
const changeShown Step = "shown"

// shownChange is the draft of changeShown: the token of the change shown.
type shownChange struct {
	Token string `json:"token"`
}

// showProfileChange shows the farmer the change waiting, with its buttons
// and typed words under its token; in is the words she typed.
func showProfileChange(ctx context.Context, d Deps, c *Conv, in Input) (Step, error) {
	if c.User.Linked || d.Links == nil {
		return Done, answerProfileChange(ctx, d, c, in)
	}
	seller, err := loadSeller(ctx, d, c)
	if err != nil {
		return "", err
	}
	if seller == nil {
		c.Say(M("profilechange.none"))
		return Done, nil
	}
	ch, err := d.Links.ProfileChangeOf(ctx, seller.ID)
	if errors.Is(err, ErrNotFound) {
		c.Say(M("profilechange.none"))
		return Done, nil
	}
	if err != nil {
		return "", fmt.Errorf("profile change of seller: %w", err)
	}
	if err := c.SetDraft(shownChange{Token: ch.Token}); err != nil {
		return "", err
	}
	return changeShown, nil
}

// shownChangeOf is the change shown under token and the profile as it is;
// nil (having said so) when it no longer waits.
func shownChangeOf(ctx context.Context, d Deps, c *Conv, token string) (*ProfileChange, *Seller, error) {
	seller, err := loadSeller(ctx, d, c)
	if err != nil {
		return nil, nil, err
	}
	var ch *ProfileChange
	if seller != nil {
		ch, err = d.Links.ProfileChangeOf(ctx, seller.ID)
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, nil, fmt.Errorf("profile change of seller: %w", err)
	}
	if seller == nil || ch == nil || ch.Token != token {
		c.Say(M("profilechange.none"))
		return nil, nil, nil
	}
	return ch, seller, nil
}

// askShownChange asks about the change shown, masked as the question on
// her first account shows it: the account that asked, old → new. When it
// no longer waits (answered, replaced, separated meanwhile), having said
// so, the step ends: no question is left that nothing can answer.
func askShownChange(c *Conv, d Deps) {
	var dr shownChange
	if err := c.Draft(&dr); err != nil {
		c.Fail(err)
		return
	}
	ch, seller, err := shownChangeOf(c.Context(), d, c, dr.Token)
	if err != nil {
		c.Fail(err)
		return
	}
	if ch == nil {
		c.End()
		return
	}
	accounts, _, err := d.Links.Accounts(c.Context(), c.User.ID)
	if err != nil {
		c.Fail(fmt.Errorf("accounts of seller: %w", err))
		return
	}
	name := ""
	for _, a := range accounts {
		if a.Chat == ch.By {
			name = a.Name
		}
	}
	c.Ask(changeMsg(c, c.Lang, "profilechange.show", ch, seller, "Channel", ChannelName(c.texts, c.Lang, ch.By.Channel), "Name", name),
		[]Choice{{Label: M("profilechange.ok"), Value: changePrefix + "ok:" + ch.Token, Words: lexicon.of(changeWords["ok"])}},
		[]Choice{{Label: M("profilechange.no"), Value: changePrefix + "no:" + ch.Token, Words: lexicon.of(changeWords["no"])}})
}

func answerProfileChange(ctx context.Context, d Deps, c *Conv, in Input) error {
	action, token, _ := strings.Cut(strings.TrimPrefix(in.Text, changePrefix), ":")
	if in.Kind != KindChoice || action != "ok" && action != "no" || d.Links == nil {
		c.Say(M("profilechange.none"))
		return nil
	}
	if c.User.Linked { // only where the profile was registered
		c.Say(M("profilechange.first_only"))
		return nil
	}
	seller, err := loadSeller(ctx, d, c)
	if err != nil {
		return err
	}
	var ch *ProfileChange
	if seller != nil {
		ch, err = d.Links.ProfileChangeOf(ctx, seller.ID)
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("profile change of seller: %w", err)
	}
	// An answer names the change it answers (words typed without the
	// question's code were shown it first): none answers whatever waits.
	if ch == nil || token == "" || ch.Token != token {
		c.Say(M("profilechange.none"))
		return nil
	}
	_, lang, err := d.Links.Accounts(ctx, c.User.ID)
	if err != nil {
		return fmt.Errorf("accounts of seller: %w", err)
	}
	lang = cmp.Or(lang, c.Lang)
	if action == "ok" {
		err = d.Links.ConfirmProfileChange(ctx, seller.ID, ch.Token, ByFarmer,
			Reply{To: ch.By, Lang: lang, Text: changeMsg(c, lang, "profilechange.confirmed_there", ch, nil)})
	} else {
		err = d.Links.DropProfileChange(ctx, seller.ID, ch.Token,
			Reply{To: ch.By, Lang: lang, Text: changeMsg(c, lang, "profilechange.refused_there", ch, nil)})
	}
	switch {
	case errors.Is(err, ErrStale):
		c.Say(M("profilechange.none"))
		return nil
	case errors.Is(err, ErrPhoneTaken):
		return phoneTakenMeanwhile(ctx, d, c, ch)
	case err != nil:
		return fmt.Errorf("answer profile change: %w", err)
	case action == "ok":
		c.Say(changeMsg(c, c.Lang, "profilechange.confirmed", ch, nil))
	default:
		c.Say(changeMsg(c, c.Lang, "profilechange.refused", ch, nil))
	}
	return nil
}

// phoneTakenMeanwhile drops a change whose number another profile took
// since it was asked for (it never can be the profile's), and says so.
func phoneTakenMeanwhile(ctx context.Context, d Deps, c *Conv, ch *ProfileChange) error {
	if err := d.Links.DropProfileChange(ctx, ch.Seller, ch.Token); err != nil && !errors.Is(err, ErrStale) {
		return fmt.Errorf("drop profile change: %w", err)
	}
	c.Say(M("profilechange.phone_taken", "Phone", maskPhone(ch.Phone)))
	return nil
}

// changeTyped answers the question's buttons typed, when a change waits
// for this user's word; done is false otherwise: the words were meant for
// something else. With the code of the change waiting they name it (its
// question reached her); without, they show it first. coded: only the
// words with the waiting change's code count (mid-task, where words alone
// may be an answer to the question in progress).
func (r *Router) changeTyped(ctx context.Context, c *Conv, in Input, coded bool) (done bool, err error) {
	if in.Kind != KindText || in.Command != "" || r.Deps.Links == nil || c.User.Linked {
		return false, nil
	}
	action, code := typedAnswer(in)
	if action == "" || coded && code == "" {
		return false, nil
	}
	seller, err := loadSeller(ctx, r.Deps, c)
	if err != nil || seller == nil {
		return false, err
	}
	ch, err := r.Deps.Links.ProfileChangeOf(ctx, seller.ID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("profile change of seller: %w", err)
	}
	token := ""
	if code != "" && code == changeCode(ch.Token) {
		token = ch.Token
	} else if coded {
		return false, nil
	}
	in.Kind, in.Text = KindChoice, changePrefix+action+":"+token
	return true, r.interject(ctx, c, "profilechange", in)
}
