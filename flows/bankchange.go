package flows

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Whoever got hold of a link code could have buyers pay them: orders'
// VietQR carries the profile's bank account. So a bank account set from an
// account linked to the farmer's first one (the one she registered the
// profile on, which a link code was sent to) is held: buyers go on paying
// the old one until she presses ✅ Đúng, tôi đổi on that first account. It
// waits for nothing else — no deadline makes it hers by itself, since an
// older farmer may not read her messages for days. ❌ Không phải tôi drops
// it and tells her whom to ask to separate the other account. A change
// made on the first account itself is saved at once, as before, and drops
// one waiting.

// BankChange is a bank account waiting for the farmer's word.
type BankChange struct {
	Seller int64
	// Token names it in the question's buttons: an old button confirms
	// nothing newer.
	Token string
	Bank  BankAccount
	By    ChatRef // the linked account that asked for it (its private chat)
	At    time.Time
}

// BankChanges keeps the bank accounts waiting for confirmation.
type BankChanges interface {
	// HoldBankChange keeps ch waiting (replacing one the profile had),
	// with the notices that ask for it, in one transaction.
	HoldBankChange(ctx context.Context, ch BankChange, notices ...Reply) error
	// BankChangeOf is the change waiting for a profile; ErrNotFound.
	BankChangeOf(ctx context.Context, seller int64) (*BankChange, error)
	// ConfirmBankChange gives the profile the account of the change named
	// by token; DropBankChange forgets it (any, for token ""). Both queue
	// notices with it; ErrStale when it no longer waits.
	ConfirmBankChange(ctx context.Context, seller int64, token string, notices ...Reply) error
	DropBankChange(ctx context.Context, seller int64, token string, notices ...Reply) error
}

// bankPrefix starts the values of the question's buttons: "bnk:ok:<token>",
// "bnk:no:<token>" (an empty token: the change waiting, typed).
const bankPrefix = "bnk:"

// bankWords are the question's buttons typed (on Zalo, which has none),
// folded, without punctuation.
var bankWords = map[string][]string{
	"ok": {"dung toi doi", "dung la toi doi", "toi doi", "yes i changed it"},
	"no": {"khong phai toi", "khong phai", "not me", "it was not me"},
}

// bankMasked is an account as shown to anyone but its holder in a chat:
// Vietcombank ••••7654.
func bankMasked(c *Conv, lang string, b *BankAccount) string {
	if b == nil {
		return ""
	}
	return c.texts.Text(lang, M("profile.bank_masked", "Bank", b.Bank, "Last", lastDigits(b.Account, 4)))
}

// holdBank keeps bank, asked for s from a linked account, waiting for the
// farmer, asked on her first account. The account that asked is told why.
func (r *registration) holdBank(ctx context.Context, c *Conv, s *Seller, bank BankAccount, before *Seller) error {
	accounts, lang, err := r.deps.Links.Accounts(ctx, c.User.ID)
	if err != nil {
		return fmt.Errorf("accounts of seller: %w", err)
	}
	i := slices.IndexFunc(accounts, func(a Account) bool { return !a.Linked })
	if i < 0 {
		return fmt.Errorf("no first account of user %d: %w", c.User.ID, ErrBadState)
	}
	first := accounts[i]
	lang = cmp.Or(lang, c.Lang)
	token, err := newToken()
	if err != nil {
		return err
	}
	ch := BankChange{Seller: s.ID, Token: token, Bank: bank, By: ChatRef{Channel: c.User.Channel, ChatID: c.User.PlatformID}, At: c.Now}
	ok := M("bankchange.ok_typed")
	no := M("bankchange.no_typed")
	ask := Reply{To: first.Chat, Lang: lang, Text: M("bankchange.ask", "Channel", ChannelName(c.texts, lang, c.In.Channel),
		"Name", c.User.Name, "Old", bankMasked(c, lang, before.Bank), "New", bankMasked(c, lang, &ch.Bank)),
		Choices: [][]Choice{
			{{Label: M("bankchange.ok"), Value: bankPrefix + "ok:" + token, Typed: &ok}},
			{{Label: M("bankchange.no"), Value: bankPrefix + "no:" + token, Typed: &no}},
		}}
	if err := r.deps.Links.HoldBankChange(ctx, ch, ask); err != nil {
		return fmt.Errorf("hold bank change: %w", err)
	}
	c.Say(M("bankchange.held", "New", bankMasked(c, c.Lang, &ch.Bank), "Old", bankMasked(c, c.Lang, before.Bank),
		"First", ChannelName(c.texts, c.Lang, first.Chat.Channel)))
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

// bankChangeFlow answers the question: the farmer, on her first account,
// confirms or refuses the bank account waiting.
func bankChangeFlow(d Deps) *Flow {
	return &Flow{Name: "bankchange", Start: func(ctx context.Context, c *Conv, in Input) (Step, error) {
		return Done, answerBankChange(ctx, d, c, in)
	}}
}

func answerBankChange(ctx context.Context, d Deps, c *Conv, in Input) error {
	action, token, _ := strings.Cut(strings.TrimPrefix(in.Text, bankPrefix), ":")
	if in.Kind != KindChoice || action != "ok" && action != "no" || d.Links == nil {
		c.Say(M("bankchange.none"))
		return nil
	}
	if c.User.Linked { // only where the profile was registered
		c.Say(M("bankchange.first_only"))
		return nil
	}
	seller, err := loadSeller(ctx, d, c)
	if err != nil {
		return err
	}
	var ch *BankChange
	if seller != nil {
		ch, err = d.Links.BankChangeOf(ctx, seller.ID)
	}
	if errors.Is(err, ErrNotFound) || seller == nil || token != "" && ch.Token != token {
		c.Say(M("bankchange.none"))
		return nil
	}
	if err != nil {
		return fmt.Errorf("bank change of seller: %w", err)
	}
	_, lang, err := d.Links.Accounts(ctx, c.User.ID)
	if err != nil {
		return fmt.Errorf("accounts of seller: %w", err)
	}
	lang = cmp.Or(lang, c.Lang)
	masked := bankMasked(c, lang, &ch.Bank)
	if action == "ok" {
		err = d.Links.ConfirmBankChange(ctx, seller.ID, ch.Token, Reply{To: ch.By, Lang: lang, Text: M("bankchange.confirmed_there", "Bank", masked)})
	} else {
		err = d.Links.DropBankChange(ctx, seller.ID, ch.Token, Reply{To: ch.By, Lang: lang, Text: M("bankchange.refused_there", "Bank", masked)})
	}
	if errors.Is(err, ErrStale) {
		c.Say(M("bankchange.none"))
		return nil
	}
	if err != nil {
		return fmt.Errorf("answer bank change: %w", err)
	}
	if action == "ok" {
		c.Say(M("bankchange.confirmed", "Bank", bankMasked(c, c.Lang, &ch.Bank)))
	} else {
		c.Say(M("bankchange.refused", "Bank", bankMasked(c, c.Lang, &ch.Bank)))
	}
	return nil
}

// bankTyped answers the question's buttons typed, when a bank account
// waits for this user's word; done is false otherwise: the words were
// meant for something else.
func (r *Router) bankTyped(ctx context.Context, c *Conv, in Input) (done bool, err error) {
	if in.Kind != KindText || in.Command != "" || r.Deps.Links == nil || c.User.Linked {
		return false, nil
	}
	word := strings.Join(strings.FieldsFunc(vn.Fold(stripEmoji(in.Text)), func(r rune) bool {
		return r == ' ' || r == ',' || r == '.' || r == '!'
	}), " ")
	action := ""
	for a, words := range bankWords {
		if slices.Contains(words, word) {
			action = a
		}
	}
	if action == "" {
		return false, nil
	}
	seller, err := loadSeller(ctx, r.Deps, c)
	if err != nil || seller == nil {
		return false, err
	}
	if _, err := r.Deps.Links.BankChangeOf(ctx, seller.ID); errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("bank change of seller: %w", err)
	}
	in.Kind, in.Text = KindChoice, bankPrefix+action+":"
	return true, r.interject(ctx, c, "bankchange", in)
}
