package flows_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

// people is a router over a real database, with a clock the test moves,
// and users on several channels. Like the engine, it reads each chat's
// user once and keeps it: what a flow changes in it stays.
type people struct {
	t      *testing.T
	db     *postgres.DB
	router *flows.Router
	now    time.Time
	sess   map[flows.ChatRef]*flows.Session
	users  map[flows.ChatRef]*flows.User
	said   []flows.Reply
	update int
}

func newPeople(t *testing.T) *people {
	p := &people{t: t, db: pgtest.MustOpen(t), now: time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC),
		sess: map[flows.ChatRef]*flows.Session{}, users: map[flows.ChatRef]*flows.User{}}
	p.router = flows.NewRouter(mustDeps(t, p.db, func() time.Time { return p.now }))
	return p
}

// say handles text (a choice when it starts with "=", a shared contact
// with "☎") from a user in their private chat on ch, and returns the
// message IDs said to them.
func (p *people) say(ch flows.Channel, user, text string) []string {
	p.t.Helper()
	p.update++
	in := flows.Input{Channel: ch, UpdateID: strconv.Itoa(p.update), ChatID: user, ChatType: flows.Private, UserID: user,
		UserName: "Người " + user, Lang: "vi", Kind: flows.KindText, Text: text, At: p.now}
	if v, ok := strings.CutPrefix(text, "="); ok {
		in.Kind, in.Text = flows.KindChoice, v
	}
	if v, ok := strings.CutPrefix(text, "☎"); ok { // the user's own contact, shared
		in.Kind, in.Text, in.Phone, in.PhoneOwn = flows.KindContact, "", v, true
	}
	if len(text) > 1 && text[0] == '/' {
		in.Command = text[1:]
	}
	u := p.users[in.ChatKey()]
	if u == nil {
		var err error
		if u, err = p.db.Touch(context.Background(), in); err != nil {
			p.t.Fatal(err)
		}
		p.users[in.ChatKey()] = u
	}
	res, err := p.router.Handle(context.Background(), u, p.sess[in.ChatKey()], in)
	if err != nil {
		p.t.Fatal(err)
	}
	p.sess[in.ChatKey()], p.said = res.Session, res.Replies
	var ids []string
	for _, r := range res.Replies {
		if r.To == in.ChatKey() {
			ids = append(ids, r.Text.ID)
		}
	}
	return ids
}

// to is what the last input said to another chat.
func (p *people) to(ch flows.Channel, chat string) []flows.Reply {
	var out []flows.Reply
	for _, r := range p.said {
		if r.To == (flows.ChatRef{Channel: ch, ChatID: chat}) {
			out = append(out, r)
		}
	}
	return out
}

// farmer registers a seller on Telegram with phone 0912 888 777.
func (p *people) farmer(user string) *flows.User {
	p.t.Helper()
	in := flows.Input{Channel: flows.Telegram, ChatID: user, UserID: user, UserName: "Hoàng Văn Lâm"}
	u, err := p.db.Touch(context.Background(), in)
	if err != nil {
		p.t.Fatal(err)
	}
	s := &flows.Seller{UserID: u.ID, Name: "Hoàng Văn Lâm", Phone: "+84912888777", Commune: "xã Quang Lang", Area: "chi_lang"}
	if err := p.db.SaveSeller(context.Background(), s); err != nil {
		p.t.Fatal(err)
	}
	return u
}

// askCode opens /hoso on Zalo as user z, types the farmer's number and
// asks for a code; it returns the code that reached the farmer's chat.
func (p *people) askCode(z, farmer string) string {
	p.t.Helper()
	p.say(flows.Zalo, z, "/hoso")
	p.say(flows.Zalo, z, "=keep")
	if said := p.say(flows.Zalo, z, "0912 888 777"); !slices.Equal(said, []string{"link.offer"}) {
		p.t.Fatalf("the farmer's number on Zalo: %v, want the offer to link", said)
	}
	return p.newCode(z, farmer)
}

// shownAs are the channels' names in messages.
var shownAs = map[flows.Channel]string{flows.Telegram: "Telegram", flows.Zalo: "Zalo", flows.Web: "Web"}

// newCode asks for a code on Zalo at the offer or the code question.
func (p *people) newCode(z, farmer string) string {
	p.t.Helper()
	return p.newCodeOn(flows.Zalo, z, farmer)
}

// newCodeOn asks for a code on ch, and returns the one that reached the
// farmer's chat, saying which channel asked.
func (p *people) newCodeOn(ch flows.Channel, z, farmer string) string {
	p.t.Helper()
	if said := p.say(ch, z, "gửi mã"); !slices.Equal(said, []string{"link.code_ask"}) {
		p.t.Fatalf("asking for a code: %v", said)
	}
	sent := p.to(flows.Telegram, farmer)
	if len(sent) != 1 || sent[0].Text.ID != "link.code" {
		p.t.Fatalf("to the farmer's Telegram: %+v, want the code", sent)
	}
	code, _ := sent[0].Text.Data["Code"].(string)
	if !regexp.MustCompile(`^\d{6}$`).MatchString(code) || sent[0].Text.Data["Channel"] != shownAs[ch] {
		p.t.Fatalf("the code message: %+v", sent[0].Text)
	}
	return code
}

func TestLinkingAZaloAccountToTheTelegramFarmer(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	farmer := p.farmer("1")
	code := p.askCode("z1", "1")
	// Nothing of the farmer was shown on Zalo before the code.
	for _, r := range p.said {
		for _, v := range r.Text.Data {
			if s, ok := v.(string); ok && strings.Contains(s, "Lâm") {
				t.Errorf("the farmer's name reached %v: %+v", r.To, r.Text)
			}
		}
	}
	if said := p.say(flows.Zalo, "z1", "mã là "+code[:3]+" "+code[3:]); !slices.Equal(said, []string{"link.done", "profile.summary"}) {
		t.Fatalf("the right code: %v, want linked and the farmer's profile", said)
	}
	if u := p.users[flows.ChatRef{Channel: flows.Zalo, ChatID: "z1"}]; u.ID != farmer.ID || u.Channel != flows.Zalo {
		t.Fatalf("the Zalo chat's user after linking: %+v, want the farmer's id %d", u, farmer.ID)
	}
	if name := p.said[len(p.said)-1].Text.Data["Name"]; name != "Hoàng Văn Lâm" {
		t.Errorf("the profile shown on Zalo is %v's", name)
	}
	// The farmer is told on Telegram, in case it was not them.
	if told := p.to(flows.Telegram, "1"); len(told) != 1 || told[0].Text.ID != "link.linked" || told[0].Text.Data["Channel"] != "Zalo" {
		t.Errorf("to the farmer's Telegram after linking: %+v, want the notice naming Zalo", told)
	}
	// From now on, both are one: /hoso on Zalo is the farmer's profile.
	p.say(flows.Zalo, "z1", "="+button(t, p.said, "z1", "choice.done"))
	if said := p.say(flows.Zalo, "z1", "/hoso"); !slices.Equal(said, []string{"profile.summary"}) {
		t.Fatalf("/hoso on Zalo after linking: %v", said)
	}
}

// Each answer at the code question, in turn, with the clock moved before
// it; the messages said on Zalo.
func TestLinkCodeAnswers(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	p.farmer("1")
	code := p.askCode("z1", "1")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i, turn := range []struct {
		after time.Duration
		text  string
		want  []string
		left  int
	}{
		{0, "12345", []string{"link.code_bad"}, 0},
		{0, "gì vậy", []string{"unclear.text", "link.code_ask"}, 0},
		{0, wrong, []string{"link.wrong"}, 4},
		{flows.LinkCodeTTL, code, []string{"link.expired"}, 0},
		{0, "gui ma", []string{"link.code_ask"}, 0},     // the second code of the day
		{0, wrong, []string{"link.wrong"}, 3},           // the tries are the day's, not the code's
		{0, "=link:send", []string{"link.code_ask"}, 0}, // the third
		{0, "=link:send", []string{"link.limited"}, 0},
		{0, "=link:other", []string{"reg.phone"}, 0},
	} {
		p.now = p.now.Add(turn.after)
		said := p.say(flows.Zalo, "z1", turn.text)
		if !slices.Equal(said, turn.want) {
			t.Fatalf("turn %d, %q: said %v, want %v", i, turn.text, said, turn.want)
		}
		if turn.left > 0 && p.said[0].Text.Data["Left"] != turn.left {
			t.Fatalf("turn %d: %+v, want %d tries left", i, p.said[0].Text, turn.left)
		}
		if turn.want[0] == "link.limited" && p.said[0].Text.Data["Hours"] != 24 {
			t.Fatalf("the limit says %+v, want the first code's day to end in about 24 hours", p.said[0].Text)
		}
	}
	// The limit holds for another chat asking too, until the day is over.
	p.say(flows.Web, "w1", "/hoso")
	p.say(flows.Web, "w1", "=keep")
	p.say(flows.Web, "w1", "0912888777")
	if said := p.say(flows.Web, "w1", "=link:send"); !slices.Equal(said, []string{"link.limited"}) {
		t.Fatalf("another chat within the hour: %v", said)
	}
	p.now = p.now.Add(flows.LinkDay - flows.LinkCodeTTL)
	if said := p.say(flows.Web, "w1", "=link:send"); !slices.Equal(said, []string{"link.code_ask"}) {
		t.Fatalf("a day after the first code: %v", said)
	}
}

// Five wrong tries a day at a farmer's codes, whoever typed them, stop
// linking to the farmer for the rest of the day: the sixth is refused
// even with a fresh code, and the message names no one.
func TestTheSixthWrongTryOfTheDayIsRefusedEvenWithAFreshCode(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	farmer := p.farmer("1")
	code := p.askCode("z1", "1")
	for left := 4; left > 1; left-- {
		if said := p.say(flows.Zalo, "z1", notThe(code)); !slices.Equal(said, []string{"link.wrong"}) || p.said[0].Text.Data["Left"] != left {
			t.Fatalf("a wrong code: %v %+v, want %d tries left", said, p.said, left)
		}
	}
	// Another chat asks for a fresh code meanwhile, and types it wrong.
	p.say(flows.Web, "w1", "/hoso")
	p.say(flows.Web, "w1", "=keep")
	p.say(flows.Web, "w1", "0912888777")
	fresh := p.newCodeOn(flows.Web, "w1", "1")
	if said := p.say(flows.Web, "w1", notThe(fresh)); !slices.Equal(said, []string{"link.wrong"}) || p.said[0].Text.Data["Left"] != 1 {
		t.Fatalf("a wrong fresh code: %v %+v, want 1 try left for the day", said, p.said)
	}
	if said := p.say(flows.Zalo, "z1", notThe(code)); !slices.Equal(said, []string{"link.blocked"}) {
		t.Fatalf("the fifth wrong try of the day: %v", said)
	}
	blocked := p.said[0].Text
	if h := blocked.Data["Hours"]; h != 24 || len(blocked.Data) != 1 {
		t.Errorf("the stop says %+v, want only that it ends in about 24 hours", blocked)
	}
	if said := p.say(flows.Web, "w1", notThe(fresh)); !slices.Equal(said, []string{"link.blocked"}) {
		t.Fatalf("the sixth wrong try, with a fresh code: %v", said)
	}
	if said := p.say(flows.Web, "w1", fresh); !slices.Equal(said, []string{"link.blocked"}) {
		t.Fatalf("the right fresh code after five wrong tries: %v", said)
	}
	if u := p.users[flows.ChatRef{Channel: flows.Web, ChatID: "w1"}]; u.ID == farmer.ID {
		t.Fatal("linked after five wrong tries")
	}
	// No code goes to the farmer for the rest of the day.
	if said := p.say(flows.Zalo, "z1", "=link:send"); !slices.Equal(said, []string{"link.blocked"}) || len(p.to(flows.Telegram, "1")) != 0 {
		t.Fatalf("a new code after five wrong tries: %v %+v", said, p.said)
	}
	p.now = p.now.Add(flows.LinkDay)
	if code := p.newCodeOn(flows.Zalo, "z1", "1"); code == "" {
		t.Fatal("no code the next day")
	}
}

// notThe is a code that is not code.
func notThe(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// A number that cannot be linked is refused as before.
func TestTheNumberOfASellerIsRefusedWhereThereIsNothingToLink(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	p.farmer("1")
	// The same channel: another Telegram account.
	p.say(flows.Telegram, "2", "/hoso")
	p.say(flows.Telegram, "2", "=keep")
	if said := p.say(flows.Telegram, "2", "0912888777"); !slices.Equal(said, []string{"reg.phone_taken"}) {
		t.Errorf("the number on the same channel: %v", said)
	}
	// A seller on Zalo changing their number to the farmer's.
	p.say(flows.Zalo, "z2", "/hoso")
	p.say(flows.Zalo, "z2", "=keep")
	for _, answer := range []string{"0987654321", "xã Quang Lang, Chi Lăng", "bỏ qua", "=skip"} {
		p.say(flows.Zalo, "z2", answer)
	}
	p.say(flows.Zalo, "z2", "=field:phone")
	if said := p.say(flows.Zalo, "z2", "0912888777"); !slices.Equal(said, []string{"reg.phone_taken"}) {
		t.Errorf("a Zalo seller typing the number: %v", said)
	}
}

// Linked from /ban, the farmer goes on to the listing, as the farmer
// already registered on Telegram.
func TestLinkingFromTheSellFlowGoesOnToTheListing(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	p.farmer("1")
	p.say(flows.Zalo, "z1", "/ban")
	p.say(flows.Zalo, "z1", "=keep")
	if said := p.say(flows.Zalo, "z1", "0912888777"); !slices.Equal(said, []string{"link.offer"}) {
		t.Fatalf("the farmer's number in /ban: %v", said)
	}
	code := p.newCode("z1", "1")
	if said := p.say(flows.Zalo, "z1", code); !slices.Equal(said, []string{"link.done", "sell.product"}) {
		t.Fatalf("the right code in /ban: %v, want linked and the product question", said)
	}
	if said := p.say(flows.Zalo, "z1", "quay lại"); !slices.Equal(said, []string{"back.none", "sell.product"}) {
		t.Errorf("back from the product question: %v, want no way back into the registration", said)
	}
}

// The other way round: a Zalo farmer shares the same number as their
// Telegram contact, and the code goes to Zalo.
func TestAZaloFarmerIsOfferedTheLinkOnTelegram(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	u, err := p.db.Touch(context.Background(), flows.Input{Channel: flows.Zalo, ChatID: "z1", UserID: "z1", UserName: "Lâm"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.db.SaveSeller(context.Background(), &flows.Seller{UserID: u.ID, Name: "Lâm", Phone: "+84912888777", Commune: "xã Quang Lang"}); err != nil {
		t.Fatal(err)
	}
	p.say(flows.Telegram, "7", "/hoso")
	p.say(flows.Telegram, "7", "=keep")
	if said := p.say(flows.Telegram, "7", "☎+84912888777"); !slices.Equal(said, []string{"link.offer"}) ||
		p.said[0].Text.Data["Channel"] != "Zalo" {
		t.Fatalf("the Zalo farmer's number shared on Telegram: %v %+v", said, p.said)
	}
	p.say(flows.Telegram, "7", "=link:send")
	sent := p.to(flows.Zalo, "z1")
	if len(sent) != 1 || sent[0].Text.Data["Channel"] != "Telegram" {
		t.Fatalf("to the farmer's Zalo: %+v", sent)
	}
	if said := p.say(flows.Telegram, "7", sent[0].Text.Data["Code"].(string)); !slices.Equal(said, []string{"link.done", "profile.summary"}) {
		t.Fatalf("the right code on Telegram: %v", said)
	}
	if told := p.to(flows.Zalo, "z1"); len(told) != 1 || told[0].Text.ID != "link.linked" || told[0].Text.Data["Channel"] != "Telegram" {
		t.Errorf("to the farmer's Zalo after linking: %+v, want the notice naming Telegram", told)
	}
}

// A helper who registered several farmers in a morning is sent a code for
// each farmer who claims her profile: the day's three codes, and five
// wrong tries, are one farmer's, not the helper's for all of them.
func TestAHelpersClaimCodesCountPerFarmer(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	ctx := context.Background()
	helper, err := p.db.Touch(ctx, flows.Input{Channel: flows.Telegram, ChatID: "h", UserID: "h", UserName: "Tổ công nghệ"})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{} // the last code of each farmer, as the helper got it
	ask := func(z string) []string {
		t.Helper()
		said := p.say(flows.Zalo, z, "gửi mã")
		if sent := p.to(flows.Telegram, "h"); len(sent) == 1 && sent[0].Text.ID == "claim.code" {
			codes[z], _ = sent[0].Text.Data["Code"].(string)
		}
		return said
	}
	for i := 1; i <= 4; i++ {
		phone := "+8491200000" + strconv.Itoa(i)
		s := &flows.Seller{Name: "Nhà vườn " + strconv.Itoa(i), Phone: phone, Commune: "xã Hữu Kiên", Area: "chi_lang", CreatedBy: helper.ID}
		if err := p.db.SaveSeller(ctx, s); err != nil {
			t.Fatal(err)
		}
		z := "z" + strconv.Itoa(i)
		p.say(flows.Zalo, z, "/hoso")
		p.say(flows.Zalo, z, "=keep")
		if said := p.say(flows.Zalo, z, phone); !slices.Equal(said, []string{"claim.offer"}) {
			t.Fatalf("farmer %d's number: %v, want the offer of a code", i, said)
		}
		if said := ask(z); !slices.Equal(said, []string{"claim.code_ask"}) || codes[z] == "" {
			t.Fatalf("farmer %d asks for a code: %v, the helper got %+v; want a code sent", i, said, p.said)
		}
	}

	// One farmer still gets three a day.
	for n := 2; n <= 3; n++ {
		if said := ask("z1"); !slices.Equal(said, []string{"claim.code_ask"}) {
			t.Fatalf("farmer 1's code %d: %v", n, said)
		}
	}
	if said := ask("z1"); !slices.Equal(said, []string{"link.limited"}) {
		t.Fatalf("farmer 1's fourth code of the day: %v, want link.limited", said)
	}

	// Five wrong tries stop one farmer's claim, not another's.
	for range 5 {
		p.say(flows.Zalo, "z2", notThe(codes["z2"]))
	}
	if said := p.say(flows.Zalo, "z2", codes["z2"]); !slices.Equal(said, []string{"link.blocked"}) {
		t.Fatalf("farmer 2's right code after five wrong: %v, want link.blocked", said)
	}
	if said := p.say(flows.Zalo, "z3", codes["z3"]); !slices.Contains(said, "claim.done") {
		t.Fatalf("farmer 3's right code: %v, want claim.done", said)
	}
}

// A helper's codes are tried wrong at most twenty times a day for all the
// farmers she registered: the claims of an honest morning, a typo each,
// all go through; guesses spread over five farmers, each below a farmer's
// five, stop at the twentieth, and then no farmer of hers claims or is
// sent a code that day, told why.
func TestAHelpersCodesAreCappedForAllHerFarmers(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	ctx := context.Background()
	registered := func(helper string, n int) []string { // the Zalo chats of her farmers, each with a code sent
		t.Helper()
		h, err := p.db.Touch(ctx, flows.Input{Channel: flows.Telegram, ChatID: helper, UserID: helper, UserName: "Tổ công nghệ"})
		if err != nil {
			t.Fatal(err)
		}
		var chats []string
		for i := range n {
			phone := fmt.Sprintf("+849130%02d%03d", h.ID%100, i)
			s := &flows.Seller{Name: "Nhà vườn " + strconv.Itoa(i), Phone: phone, Commune: "xã Hữu Kiên", Area: "chi_lang", CreatedBy: h.ID}
			if err := p.db.SaveSeller(ctx, s); err != nil {
				t.Fatal(err)
			}
			z := helper + "-z" + strconv.Itoa(i)
			p.say(flows.Zalo, z, "/hoso")
			p.say(flows.Zalo, z, "=keep")
			if said := p.say(flows.Zalo, z, phone); !slices.Equal(said, []string{"claim.offer"}) {
				t.Fatalf("farmer %s's number: %v, want the offer of a code", z, said)
			}
			chats = append(chats, z)
		}
		return chats
	}
	code := func(helper, z string) string { // asks for a code; the one the helper got
		t.Helper()
		if said := p.say(flows.Zalo, z, "gửi mã"); !slices.Equal(said, []string{"claim.code_ask"}) {
			t.Fatalf("farmer %s asks for a code: %v, want it sent", z, said)
		}
		sent := p.to(flows.Telegram, helper)
		if len(sent) != 1 || sent[0].Text.ID != "claim.code" {
			t.Fatalf("the helper got %+v, want the code", sent)
		}
		return sent[0].Text.Data["Code"].(string)
	}

	// An honest morning: eight farmers claim, each mistyping once.
	for _, z := range registered("honest", 8) {
		c := code("honest", z)
		if said := p.say(flows.Zalo, z, notThe(c)); !slices.Equal(said, []string{"claim.wrong"}) {
			t.Fatalf("farmer %s's typo: %v, want claim.wrong", z, said)
		}
		if said := p.say(flows.Zalo, z, c); !slices.Contains(said, "claim.done") {
			t.Fatalf("farmer %s's right code after a typo: %v, want claim.done", z, said)
		}
	}

	// Guesses at another helper's farmers, four each.
	farmers := registered("guessed", 6)
	last := code("guessed", farmers[5]) // sent before the guessing
	for i, z := range farmers[:5] {
		c := code("guessed", z)
		for n := 1; n <= 4; n++ {
			want := "claim.wrong"
			if 4*i+n == flows.LinkHelperTriesPerDay {
				want = "claim.blocked"
			}
			if said := p.say(flows.Zalo, z, notThe(c)); !slices.Equal(said, []string{want}) {
				t.Fatalf("wrong try %d of all (farmer %d's %d): %v, want %s", 4*i+n, i, n, said, want)
			}
		}
	}
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	if said := p.say(flows.Zalo, farmers[5], last); !slices.Equal(said, []string{"claim.blocked"}) {
		t.Fatalf("another farmer's right code after twenty wrong: %v, want claim.blocked", said)
	}
	if s := texts.Text("vi", p.said[0].Text); !strings.Contains(s, "đợi khoảng 24 giờ") {
		t.Errorf("the farmer read:\n%s\nwant when to try again", s)
	}
	if said := p.say(flows.Zalo, farmers[5], "gửi mã"); !slices.Equal(said, []string{"claim.blocked"}) || len(p.to(flows.Telegram, "guessed")) != 0 {
		t.Fatalf("a new code asked for: %v, want claim.blocked and none sent", said)
	}
}
