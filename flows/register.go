package flows

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nongsan-bot/nongsan/flows/vietqr"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// draft is what the sell and profile flows keep between messages.
type draft struct {
	Seller  Seller       `json:"seller"`
	Listing listingDraft `json:"listing"`
	// Albums already acknowledged, so an album gets one reply, not ten.
	Albums []string `json:"albums,omitempty"`
	// Assist: a helper sells for the farmer in Seller.
	Assist bool `json:"assist,omitempty"`
	// NewPhotos: the photos are being replaced; the old go when a new one comes.
	NewPhotos bool `json:"new_photos,omitempty"`
	// Nonce names the listing being written: publishing twice publishes once.
	Nonce string `json:"nonce,omitempty"`
	// Link: the phone typed is another channel's seller's, and linking
	// the two accounts is offered.
	Link *linking `json:"link,omitempty"`
	// BankSet: the bank questions were answered since the profile was
	// last saved. Otherwise saving keeps the account saved, which may have
	// changed meanwhile (a change confirmed on another account).
	BankSet bool `json:"bank_set,omitempty"`
	// PhoneSet: the phone question was answered since; likewise.
	PhoneSet bool `json:"phone_set,omitempty"`
	// ClaimBank: a farmer who claimed her profile is changing or removing
	// the bank account the helper had set (claimBank): saving tells her
	// which account buyers now pay into.
	ClaimBank bool `json:"claim_bank,omitempty"`
	// Farmers: where a helper is in the list of her farmers (/nhavuon).
	Farmers peopleList `json:"farmers,omitzero"`
}

// registration is the seller's profile as rows of a form, ending in saving
// it; shared by the sell flow (the first time) and /hoso. Its rows are named
// here when an answer leads to them.
type registration struct {
	deps                                                 Deps
	name, phone, area, holder, save, linkOffer, linkCode *Field[draft]
	bank, claimBank                                      *Field[draft]
}

// newRegistration adds the rows to form; editable ones get a button in the
// form's summary.
func newRegistration(deps Deps, form *Form[draft], editable bool) *registration {
	r := &registration{deps: deps}
	edit := func(value string) string {
		if !editable {
			return ""
		}
		return value
	}
	r.name = form.Row(Field[draft]{Step: "reg_name", Ask: r.askName, Answer: r.onName, Edit: edit("name")})
	r.phone = form.Row(Field[draft]{Step: "reg_phone", Ask: ask(M("reg.phone")).contact, Answer: r.onPhone, Edit: edit("phone")})
	r.linkRows(form)
	form.Row(Field[draft]{Step: "reg_commune", Ask: ask(M("reg.commune")).text, Answer: r.onCommune, Edit: edit("place")})
	r.area = form.Row(Field[draft]{Step: "reg_area", Ask: r.askArea, Answer: takeArea, Follows: true})
	form.Row(Field[draft]{Step: "reg_code", Ask: ask(M("reg.code")).text, Answer: r.onCode, Edit: edit("code"),
		EditWords: []string{"ma vung trong"}, Skip: func(d *draft) { d.Seller.GrowingCode = "" }})
	r.bank = form.Row(Field[draft]{Step: "reg_bank", Ask: r.askBank, Answer: r.onBank, Edit: edit("bank")})
	form.Row(Field[draft]{Step: "reg_account", Ask: ask(M("reg.account")).text, Answer: r.onAccount, Follows: true})
	r.holder = form.Row(Field[draft]{Step: "reg_holder", Ask: r.askHolder, Answer: r.onHolder, Follows: true})
	r.save = form.Row(Field[draft]{Step: "reg_save", Do: r.saved})
	r.claimBank = form.Row(Field[draft]{Step: "reg_claim_bank", Ask: r.askClaimBank, Answer: r.onClaimBank, Aside: true, Fresh: true})
	return r
}

// ask is a fixed question, for rows that need nothing from the draft.
type ask Msg

func (q ask) text(*Conv, *draft) Question    { return Question{Text: Msg(q)} }
func (q ask) contact(*Conv, *draft) Question { return Question{Text: Msg(q), Contact: true} }

// skipChoice is ⏭ Bỏ qua, wherever a question offers it: typed, any word
// of wordSkip presses it ("không có", "ko", "chưa có", "thôi", "skip").
func skipChoice() Choice {
	return Choice{Label: M("choice.skip"), Value: "skip", Words: lexicon.of(wordSkip)}
}

func (r *registration) askName(c *Conv, _ *draft) Question { return askName(c, "reg.name") }

// askName asks question, offering the user's name on their platform as a
// button (👤 Lan) when it could have been typed as one.
func askName(c *Conv, question string) Question {
	name := platformName(c)
	if name == "" {
		return Ask(M(question, "Name", ""))
	}
	return Ask(M(question, "Name", name), []Choice{{Label: M("reg.name_keep", "Name", name), Value: "keep", Words: keepNameWords}})
}

// keepNameWords keep the name shown, typed: "giữ tên", "giu nguyen", "đúng
// rồi", never saved as a name. Not "đúng" alone: Dũng is a name.
var keepNameWords = []string{"giu ten", "giu", "giu nguyen", "giu nguyen ten", "giu ten nay", "giu ten do", "giu ten cu",
	"de nguyen", "de ten nay", "ten nay", "ten do", "dung ten", "dung roi", "dung vay", "dong y", "ok", "keep", "keep name"}

// platformName is the user's name on their chat platform if it passes the
// checks of a typed name, "" if not: people often put their phone number
// in it ("Hoa bán na 0912345678"), and it would be shown to strangers.
func platformName(c *Conv) string {
	if !nameOK(c.User.Name) {
		return ""
	}
	return c.User.Name
}

func (r *registration) onName(_ context.Context, c *Conv, d *draft, in Input) (Go, error) {
	switch {
	case in.Kind == KindChoice && in.Text == "keep" && platformName(c) != "":
		d.Seller.Name = c.User.Name
	case in.Kind == KindText && tooLong(in.Text, maxName):
		return Again(M("reg.name_long")), nil
	case withPhone(in):
		return Again(M("reg.name_phone")), nil
	case in.Kind == KindText && validName(in.Text):
		d.Seller.Name = nameAnswer(c, in.Text)
	default:
		return NotUnderstood(), nil
	}
	return Next(), nil
}

// nameAnswer is the name in an answer ("Tôi tên là Hoàng Thị Hoa" is
// Hoàng Thị Hoa): it is shown on every group post. What was kept of a
// longer answer is said, so that a wrong guess is seen at once.
func nameAnswer(c *Conv, typed string) string {
	name, cut := vn.NameAnswer(typed)
	if !cut || !validName(name) {
		return typed
	}
	c.Say(M("reg.name_ok", "Name", name))
	return name
}

// onPhone takes the seller's number if no other seller has it: better said
// now than after the bank questions. A newcomer with the number of a seller
// on another channel is offered to link the two accounts.
func (r *registration) onPhone(ctx context.Context, c *Conv, d *draft, in Input) (Go, error) {
	if in.Kind != KindText && in.Kind != KindContact {
		return NotUnderstood(), nil
	}
	// What else is said is never taken for a name: the name was asked just
	// before, and words after a number are about it ("của chồng em",
	// "gọi giờ trưa"), yet a name is shown in every group post.
	phone, rest, err := vn.ParsePhoneRest(in.Phone + in.Text)
	if err != nil {
		return Again(M("reg.phone_bad")), nil
	}
	if vn.ContainsPhone(rest) { // "0987 654 321 hoặc zalo 0912345678"
		return Again(M("reg.phone_one")), nil
	}
	candidate := d.Seller
	candidate.UserID, candidate.Phone, candidate.PhoneVerified = c.User.ID, phone, in.Kind == KindContact && in.PhoneOwn
	taken, err := r.deps.Sellers.PhoneTaken(ctx, &candidate)
	if err != nil {
		return Go{}, fmt.Errorf("check phone: %w", err)
	}
	if taken {
		if g, ok, err := r.offerLink(ctx, c, d, phone); err != nil || ok {
			return g, err
		}
		return Again(M("reg.phone_taken")), nil
	}
	d.Seller.Phone, d.Seller.PhoneVerified, d.PhoneSet = phone, candidate.PhoneVerified, true
	c.reply(Reply{Text: M("reg.phone_ok", "Phone", vn.FormatPhone(phone)), ClearKeyboard: true})
	return Next(), nil
}

func (r *registration) onCommune(_ context.Context, c *Conv, d *draft, in Input) (Go, error) {
	return takeCommune(c, &d.Seller, in, r.area), nil
}

// takeCommune reads a commune into s; when it names its area, the area
// question is passed.
func takeCommune(c *Conv, s *Seller, in Input, area *Field[draft]) Go {
	switch {
	case in.Kind == KindText && tooLong(in.Text, maxName):
		return Again(M("reg.commune_long"))
	case withPhone(in):
		return Again(M("reg.commune_phone"))
	case in.Kind != KindText || !validName(in.Text):
		return NotUnderstood()
	}
	s.Commune = in.Text
	if place, cut := vn.PlaceAnswer(in.Text); cut && validName(place) {
		s.Commune = place // "tôi ở thôn Bản Chành" is thôn Bản Chành, shown on every post
		c.Say(M("reg.commune_ok", "Place", place))
	}
	if tag, ok := areaIn(c, in.Text); ok && tag != "other" {
		s.Area = tag
		return Past(area)
	}
	return Next()
}

func (r *registration) askArea(*Conv, *draft) Question { return Ask(M("reg.area"), areaChoices()...) }

// takeArea reads the answer to an area question into the draft's seller.
func takeArea(_ context.Context, c *Conv, d *draft, in Input) (Go, error) {
	area, ok := pickArea(c, in)
	if !ok {
		return NotUnderstood(), nil
	}
	d.Seller.Area = area
	return Next(), nil
}

// maxCode: growing-area codes are short, like VN-LSOR-0012.
const maxCode = 40

func (r *registration) onCode(_ context.Context, _ *Conv, d *draft, in Input) (Go, error) {
	switch {
	case in.Kind == KindText && tooLong(in.Text, maxCode):
		return Again(M("reg.code_long")), nil
	case withPhone(in):
		return Again(M("reg.code_phone")), nil
	case in.Kind == KindText && strings.ContainsAny(in.Text, "0123456789"):
		d.Seller.GrowingCode = strings.ToUpper(in.Text)
	default:
		return NotUnderstood(), nil
	}
	return Next(), nil
}

func (r *registration) askBank(*Conv, *draft) Question {
	rows := [][]Choice{}
	for _, code := range []string{"VBA", "VCB", "BIDV", "ICB", "MB", "TCB"} {
		for _, b := range r.deps.Catalogs.Banks {
			if b.Code == code {
				rows = append(rows, []Choice{{Label: M("reg.bank_name", "Bank", b.ShortName), Value: "bank:" + b.BIN}})
			}
		}
	}
	return Ask(M("reg.bank"), append(pairs(rows), []Choice{skipChoice()})...)
}

func (r *registration) onBank(_ context.Context, _ *Conv, d *draft, in Input) (Go, error) {
	if in.Kind != KindText && in.Kind != KindChoice {
		return NotUnderstood(), nil
	}
	if in.Kind == KindChoice && in.Text == "skip" {
		return Past(r.holder), nil // the account stays as it was
	}
	var bank vietqr.Bank
	ok := false
	if bin, isBin := strings.CutPrefix(in.Text, "bank:"); isBin && in.Kind == KindChoice {
		bank, ok = vietqr.MatchBank(r.deps.Catalogs.Banks, bin)
	} else if in.Kind == KindText {
		bank, ok = vietqr.MatchBank(r.deps.Catalogs.Banks, in.Text)
	}
	if !ok {
		return Again(M("reg.bank_unknown")), nil
	}
	d.Seller.Bank, d.BankSet = &BankAccount{BIN: bank.BIN, Bank: bank.ShortName}, true
	return Next(), nil
}

func (r *registration) onAccount(_ context.Context, _ *Conv, d *draft, in Input) (Go, error) {
	account := strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '-' {
			return -1
		}
		return r
	}, in.Text)
	if in.Kind != KindText || d.Seller.Bank == nil {
		return NotUnderstood(), nil
	}
	if !digits(account) || len(account) < 6 || len(account) > vietqr.MaxAccountLen {
		return Again(M("reg.account_bad")), nil
	}
	d.Seller.Bank.Account = account
	return Next(), nil
}

func (r *registration) askHolder(_ *Conv, d *draft) Question {
	holder := strings.ToUpper(vn.Fold(d.Seller.Name))
	return Ask(M("reg.holder", "Holder", holder), []Choice{{Label: M("reg.holder_keep", "Holder", holder), Value: "keep"}})
}

func (r *registration) onHolder(_ context.Context, _ *Conv, d *draft, in Input) (Go, error) {
	switch {
	case d.Seller.Bank == nil:
		return NotUnderstood(), nil
	case in.Kind == KindChoice && in.Text == "keep":
		d.Seller.Bank.Holder = strings.ToUpper(vn.Fold(d.Seller.Name))
	case in.Kind == KindText && tooLong(in.Text, maxName):
		return Again(M("reg.holder_long")), nil
	case withPhone(in):
		return Again(M("reg.holder_phone")), nil
	case in.Kind == KindText && validName(in.Text):
		d.Seller.Bank.Holder = strings.ToUpper(vn.Fold(in.Text))
	default:
		return NotUnderstood(), nil
	}
	return Next(), nil
}

// saved stores the draft's seller as the user's own profile. A phone number
// another seller took meanwhile sends the user back to the phone question.
// A new phone number or bank account is told to the person's other
// accounts, with the change; one set from a linked account waits for the
// farmer's word instead (hold). A profile that is no longer the user's (an
// account whose link to it was undone meanwhile) is not saved: the task
// starts over.
func (r *registration) saved(ctx context.Context, c *Conv, d *draft) (Go, error) {
	registered := d.Seller.ID != 0
	d.Seller.UserID = c.User.ID
	before, err := r.before(ctx, c, &d.Seller)
	if err != nil {
		return Go{}, err
	}
	if before != nil && !d.BankSet {
		d.Seller.Bank = before.Bank
	}
	if before != nil && !d.PhoneSet {
		d.Seller.Phone = before.Phone
	}
	d.BankSet, d.PhoneSet = false, false
	var held ProfileChange
	if before != nil && c.User.Linked {
		// Buyers would call and pay whoever set them: they wait for the
		// farmer's word on her first account, and the profile keeps the
		// old ones.
		if newBank(&d.Seller, before) {
			held.Bank, d.Seller.Bank = d.Seller.Bank, before.Bank
		}
		if d.Seller.Phone != before.Phone {
			held.Phone, d.Seller.Phone = d.Seller.Phone, before.Phone
		}
	}
	notices, err := r.changedNotices(ctx, c, &d.Seller, before)
	if err != nil {
		return Go{}, err
	}
	edits, err := r.postsShowing(ctx, c, &d.Seller, before)
	if err != nil {
		return Go{}, err
	}
	notices = append(notices, edits...)
	err = r.deps.Sellers.SaveSeller(ctx, &d.Seller, notices...)
	if errors.Is(err, ErrPhoneTaken) {
		c.Say(M("reg.phone_taken"))
		return Redo(r.phone), nil
	}
	if errors.Is(err, ErrStale) {
		return Go{}, fmt.Errorf("save seller: %w: %v", ErrBadState, err)
	}
	if err != nil {
		return Go{}, fmt.Errorf("save seller: %w", err)
	}
	if !registered {
		c.Say(M("reg.done"))
		if d.Seller.CreatedBy != 0 && d.Seller.CreatedBy != c.User.ID { // a helper's registration, hers now
			if err := r.tookOver(ctx, c, &d.Seller); err != nil {
				return Go{}, err
			}
		}
	}
	if d.ClaimBank {
		d.ClaimBank = false
		r.toldClaimBank(c, &d.Seller, before)
	}
	if held.Phone != "" || held.Bank != nil {
		if err := r.hold(ctx, c, &d.Seller, held, before); err != nil {
			return Go{}, err
		}
	}
	if phone, bank := before != nil && d.Seller.Phone != before.Phone, newBank(&d.Seller, before); phone || bank {
		// Set on the first account itself: what waited of it is dropped.
		if err := r.deps.Links.SupersedeProfileChange(ctx, d.Seller.ID, phone, bank); err != nil {
			return Go{}, fmt.Errorf("supersede profile change: %w", err)
		}
	}
	return Next(), nil
}

// saveHelped stores s, a farmer the helper in c registered, as corrected
// from before, with the edits of her posts, and says so. False when she is
// no longer the helper's (a claim meanwhile): the helper is told.
func (r *registration) saveHelped(ctx context.Context, c *Conv, s, before *Seller) (bool, error) {
	edits, err := r.postsShowing(ctx, c, s, before)
	if err != nil {
		return false, err
	}
	err = r.deps.Sellers.SaveHelped(ctx, s, c.User.ID, edits...)
	if errors.Is(err, ErrStale) {
		c.Say(M("assist.not_yours", "Name", s.Name))
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("correct farmer %d for helper: %w", s.ID, err)
	}
	c.Say(M("assist.corrected", "Name", s.Name))
	return true, nil
}

// postsShowing are the edits of the group posts of s's listings on sale
// when s, about to be saved, changes what they show of the seller (name,
// address, growing-area code) from before: a name set right in /hoso, or
// by the helper who registered her, is the one buyers then read. None for
// a new profile.
func (r *registration) postsShowing(ctx context.Context, c *Conv, s, before *Seller) ([]Reply, error) {
	if before == nil || s.Name == before.Name && s.Commune == before.Commune && s.Area == before.Area && s.GrowingCode == before.GrowingCode {
		return nil, nil
	}
	// Every listing of hers on sale, whoever posted it: she, or any
	// helper (the one correcting her profile, or another).
	listings, err := r.deps.Listings.OnSale(ctx, s.ID)
	if err != nil {
		return nil, fmt.Errorf("listings of seller: %w", err)
	}
	var edits []Reply
	for _, l := range listings {
		shown := *l
		shown.Seller = *s
		e, err := postEdits(ctx, r.deps, c.texts, &shown)
		if err != nil {
			return nil, err
		}
		edits = append(edits, e...)
	}
	return edits, nil
}

// before is the profile s changes as saved, nil for a new one (or
// without links to tell).
func (r *registration) before(ctx context.Context, c *Conv, s *Seller) (*Seller, error) {
	if s.ID == 0 || r.deps.Links == nil {
		return nil, nil
	}
	before, err := r.deps.Sellers.SellerOf(ctx, c.User.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("seller before the change: %w", err)
	}
	return before, nil
}

// newBank tells whether s has a bank account other than before's.
func newBank(s, before *Seller) bool {
	return before != nil && s.Bank != nil && (before.Bank == nil || s.Bank.BIN != before.Bank.BIN || s.Bank.Account != before.Bank.Account)
}

// changedNotices tell the person's other accounts that s, about to be
// saved, changes their profile's phone number or bank account (before):
// whoever holds an account linked to theirs could be paid instead of them.
// The new number and account are shown masked. None for a new profile.
func (r *registration) changedNotices(ctx context.Context, c *Conv, s *Seller, before *Seller) ([]Reply, error) {
	if before == nil {
		return nil, nil
	}
	phone := s.Phone != before.Phone
	bank := newBank(s, before)
	if !phone && !bank {
		return nil, nil
	}
	accounts, lang, err := r.deps.Links.Accounts(ctx, c.User.ID)
	if err != nil {
		return nil, fmt.Errorf("accounts of seller: %w", err)
	}
	lang = cmp.Or(lang, c.Lang)
	here := ChatRef{Channel: c.User.Channel, ChatID: c.User.PlatformID}
	var notices []Reply
	for _, a := range accounts {
		if a.Chat == here {
			continue
		}
		m := M("profile.changed_elsewhere", "Channel", ChannelName(c.texts, lang, c.In.Channel), "Phone", "", "Bank", "")
		if phone {
			m.Data["Phone"] = maskPhone(s.Phone)
		}
		if bank {
			m.Data["Bank"] = bankMasked(c, lang, s.Bank)
		}
		notices = append(notices, Reply{To: a.Chat, Lang: lang, Text: m})
	}
	return notices, nil
}

// maskPhone shows a number as 0912 ••• 678: enough for its owner to
// recognise it, not to call it.
func maskPhone(e164 string) string {
	parts := strings.Fields(formatPhone(e164))
	if len(parts) != 3 {
		return "•••"
	}
	return parts[0] + " ••• " + parts[2]
}

// lastDigits is the last n characters of s, all of it if shorter.
func lastDigits(s string, n int) string { return s[max(0, len(s)-n):] }

func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// maxName is the longest name or place: longer is surely not one.
const maxName = 80

// tooLong tells whether an answer is longer than max characters.
func tooLong(s string, max int) bool { return utf8.RuneCountInString(s) > max }

// validName accepts a name or place: 2 to 80 characters with a letter
// (emoji such as 🙏🙏🙏 are none).
func validName(s string) bool {
	n, key := utf8.RuneCountInString(s), controlKey(s)
	return n >= 2 && n <= maxName && !lexicon.is(key, wordControl) && !strings.HasPrefix(s, "/") &&
		// "2 ạ", "số 3": a number picked from a list, not a name
		strings.IndexFunc(key, unicode.IsLetter) >= 0 && pickedNumber(key) == ""
}

// saysSomething tells whether a free answer (a note, a reason, an
// announcement) has a letter or a digit: "👍" or "?" says nothing to show.
func saysSomething(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// nameOK tells whether s passes every check of a typed name (one shown in
// group posts or to the other side of an order): short enough, one, and
// without a phone number.
func nameOK(s string) bool { return !tooLong(s, maxName) && !vn.ContainsPhone(s) && validName(s) }

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

// loadSeller returns the user's seller profile, nil if unregistered.
func loadSeller(ctx context.Context, deps Deps, c *Conv) (*Seller, error) {
	s, err := deps.Sellers.SellerOf(ctx, c.User.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return s, err
}
