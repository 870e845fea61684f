package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// plainBot drives the bot through the text-only test channel, registered
// and mounted like any other: no buttons, edits or deep links, 300
// characters a message.
type plainBot struct {
	t   testing.TB
	b   *testBot
	ch  *bottest.Channel
	ids atomic.Int64
}

func startPlain(t testing.TB, configure ...func(env map[string]string)) *plainBot {
	tg := telegramtest.NewServer(t)
	ch := bottest.New()
	env := orderEnv(t, tg)
	for _, c := range configure {
		c(env)
	}
	return &plainBot{t: t, b: startBot(t, tg, env, ch), ch: ch}
}

// post delivers an update to /webhook/plain and expects a 200.
func (p *plainBot) post(u bottest.Update) {
	p.t.Helper()
	u.ID = strconv.FormatInt(p.ids.Add(1), 10)
	body, _ := json.Marshal(u)
	req, _ := http.NewRequest(http.MethodPost, p.b.URL+"/webhook/plain", bytes.NewReader(body))
	req.Header.Set(bottest.SecretHeader, bottest.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		p.t.Fatalf("%+v: webhook answered %d", u, resp.StatusCode)
	}
}

// say sends text from user in their private chat (its id is the user's).
func (p *plainBot) say(user, text string) {
	p.t.Helper()
	p.post(bottest.Update{Chat: user, User: user, Name: "Hoàng Văn " + user, Text: text})
}

// last is the last message in chat.
func (p *plainBot) last(chat string) string {
	p.t.Helper()
	msgs := p.ch.Sent(chat)
	if len(msgs) == 0 {
		p.t.Fatalf("nothing sent to %s", chat)
	}
	return msgs[len(msgs)-1].Text
}

// expect checks that the last reply in chat starts with message id. A reply
// longer than the channel's limit comes as several messages, cut at a line
// or a space: the last few are read together, latest first.
func (p *plainBot) expect(chat, id string, kv ...any) string {
	p.t.Helper()
	want := text(p.t, "vi", id, kv...)
	msgs := p.ch.Sent(chat)
	for i := len(msgs) - 1; i >= 0 && i >= len(msgs)-3; i-- {
		var parts []string
		for _, m := range msgs[i:] {
			parts = append(parts, m.Text)
		}
		got := strings.Join(parts, "\n")
		if strings.HasPrefix(squash(got), squash(want)) {
			return got
		}
	}
	p.t.Fatalf("in %s the bot said %q\nwant %s: %q", chat, p.last(chat), id, want)
	return ""
}

// squash turns every run of spaces and line breaks into one space.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// answer checks each question (a message id) in turn and types its answer.
func (p *plainBot) answer(chat string, questionsAndAnswers ...string) {
	p.t.Helper()
	for i := 0; i+1 < len(questionsAndAnswers); i += 2 {
		p.expect(chat, questionsAndAnswers[i])
		p.say(chat, questionsAndAnswers[i+1])
	}
}

// number is the number printed before label in a numbered list.
func (p *plainBot) number(msg, id string, kv ...any) string {
	p.t.Helper()
	label := text(p.t, "vi", id, kv...)
	m := regexp.MustCompile(`(?m)^(\d+)\. ` + regexp.QuoteMeta(label) + `$`).FindStringSubmatch(msg)
	if m == nil {
		p.t.Fatalf("no numbered %q in %q", label, msg)
	}
	return m[1]
}

// wait polls chat until a message satisfies ok.
func (p *plainBot) wait(chat string, ok func(string) bool) string { return p.waitAfter(chat, 0, ok) }

// waitAfter polls chat until a message after the first skip ones satisfies ok.
func (p *plainBot) waitAfter(chat string, skip int, ok func(string) bool) string {
	p.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range p.ch.Sent(chat)[skip:] {
			if ok(m.Text) {
				return m.Text
			}
		}
		time.Sleep(10 * time.Millisecond) // polling, not synchronisation
	}
	p.t.Fatalf("no such message in %s: %q", chat, p.ch.Sent(chat))
	return ""
}

// register registers user as a farmer of Chi Lăng by typing, choices
// answered by number, up to the product question.
func (p *plainBot) register(user, phone string) {
	p.t.Helper()
	p.say(user, "/ban")
	ask := p.expect(user, "reg.name", "Name", "Hoàng Văn "+user)
	p.say(user, p.number(ask, "reg.name_keep", "Name", "Hoàng Văn "+user))
	p.answer(user, "reg.phone", phone, "reg.commune", "xã Quang Lang, Chi Lăng", "reg.code", "bỏ qua",
		"reg.bank", "agribank", "reg.account", "1234 5678 9012")
	p.expect(user, "reg.holder", "Holder", strings.ToUpper(vn.Fold("Hoàng Văn "+user)))
	p.say(user, "1")
}

// publish writes a listing of na with an album of two photos, answered by
// words, from the product question; it returns the message saying it is
// published, and the listing's code.
func (p *plainBot) publish(user, quantity, price string) (published, code string) {
	p.t.Helper()
	p.expect(user, "sell.product")
	p.say(user, "na chi lang")
	p.expect(user, "sell.photos")
	for _, photo := range []string{"photo-1", "photo-2"} {
		p.post(bottest.Update{Chat: user, User: user, Photo: photo, Album: "album-" + quantity})
	}
	for _, answer := range []string{"xong", quantity, price, "hôm nay", "bỏ qua"} {
		p.say(user, answer)
	}
	before := len(p.ch.Sent(user))
	p.say(user, p.number(p.last(user), "sell.publish"))
	published = p.waitAfter(user, before, func(s string) bool { return strings.HasPrefix(s, "✅ Đã đăng tin") })
	return published, regexp.MustCompile(`NS-[2-9A-HJ-NP-Z]{4}`).FindString(published)
}

// order answers a buyer's order questions by typing, from the quantity
// question to placing it, and returns the order's code.
func (p *plainBot) order(buyer, quantity string) string {
	p.t.Helper()
	p.say(buyer, quantity)
	ask := p.expect(buyer, "order.name", "Name", "Hoàng Văn "+buyer)
	p.say(buyer, p.number(ask, "reg.name_keep", "Name", "Hoàng Văn "+buyer))
	p.answer(buyer, "order.phone", "0987 654 321", "order.delivery", "giao tận nơi",
		"order.address", "12 Trần Phú, Ba Đình, Hà Nội", "order.note", "bỏ qua")
	before := len(p.ch.Sent(buyer))
	p.say(buyer, "đặt hàng")
	placed := p.waitAfter(buyer, before, func(s string) bool { return strings.Contains(s, "DH-") })
	return regexp.MustCompile(`DH-[2-9A-HJ-NP-Z]{4}`).FindString(placed)
}

func TestPlainChannelSellsAndOrdersByTyping(t *testing.T) {
	t.Parallel()
	p := startPlain(t)
	const group, farmer, buyer = "g-chilang", "f1", "b1"

	p.post(bottest.Update{Chat: group, Group: "Chợ Chi Lăng", User: "admin", Admin: true, Text: "/dangky Chi Lăng"})
	p.expect(group, "group.registered", "Area", "Chi Lăng")

	// Registration: numbered choices answered by number, the phone typed;
	// the listing, answered by words.
	p.register(farmer, "0912 888 777")
	published, code := p.publish(farmer, "500 kg", "25k")
	// A finished task ends in one message, with a hint instead of the menu.
	if hint := text(t, "vi", "render.menu_hint"); !strings.HasSuffix(published, "\n\n"+hint) || p.last(farmer) != published {
		t.Errorf("the task did not end in one message with the hint: %q", p.ch.Sent(farmer)[len(p.ch.Sent(farmer))-2:])
	}

	// In the group: both photos, the listing, and what to type instead of a
	// button, every message within the channel's limit.
	order := text(t, "vi", "render.order_by_text", "Code", code)
	p.wait(group, func(s string) bool { return strings.Contains(s, order) })
	var photos []string
	for _, m := range p.ch.Sent(group) {
		if m.Photo != "" {
			photos = append(photos, m.Photo)
		}
	}
	if strings.Join(photos, ",") != "photo-1,photo-2" {
		t.Errorf("photos in the group: %q", photos)
	}
	for _, m := range p.ch.All() {
		if n := len(utf16.Encode([]rune(m.Text))); n > bottest.MaxText {
			t.Errorf("a message of %d characters to %s: %q", n, m.Chat, m.Text)
		}
	}

	// The buyer orders by typing what the post says.
	p.say(buyer, "mua "+code)
	p.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	orderCode := p.order(buyer, "50kg")

	// The group hears of it, and the post's change comes as a short note.
	p.wait(group, func(s string) bool { return strings.HasPrefix(s, "🛒 Đã có đơn 50 kg Na Chi Lăng") })
	p.wait(group, func(s string) bool {
		return strings.HasPrefix(s, "📝 Tin bán "+code) && strings.Contains(s, "còn 450 kg")
	})

	// The notice came to the farmer's chat from the buyer's: its buttons
	// have no number there, so it says what to type, from anywhere. The
	// farmer types it in lower case, without diacritics.
	accept := text(t, "vi", "typed.accept", "Code", orderCode)
	p.wait(farmer, func(s string) bool { return strings.Contains(s, accept) })
	var notice []string // in two messages: it is longer than 300 characters
	for _, m := range p.ch.Sent(farmer) {
		if strings.Contains(m.Text, orderCode) || len(notice) > 0 {
			notice = append(notice, m.Text)
		}
	}
	decline := text(t, "vi", "typed.decline", "Code", orderCode)
	if len(notice) < 2 || !strings.HasSuffix(notice[0], accept) && !strings.HasSuffix(notice[0], decline) {
		t.Errorf("the long notice is not split at a line: %q", notice)
	}
	if all := strings.Join(notice, "\n"); !strings.Contains(all, decline) || strings.Contains(all, "• ") ||
		strings.Contains(all, text(t, "vi", "render.choices_later")) || regexp.MustCompile(`(?m)^\d+\. `).MatchString(all) {
		t.Errorf("the farmer's notice: %q", notice)
	}
	p.say(farmer, "nhan "+strings.ToLower(orderCode))
	p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🎉") && strings.Contains(s, "0912 888 777") })
	qr := false
	for _, m := range p.ch.Sent(buyer) {
		qr = qr || m.QR != ""
	}
	if !qr {
		t.Error("no VietQR for the buyer")
	}
}

// A buyer who opens a sold-out listing is offered similar ones as a
// numbered list, as any question is, and picks one by typing its number;
// the farmer's own buttons after accepting can be typed by number too.
func TestPlainChannelOffersSimilarListingsByNumber(t *testing.T) {
	t.Parallel()
	p := startPlain(t)
	const group, farmer, buyer = "g-all", "f2", "b2"
	p.post(bottest.Update{Chat: group, Group: "Chợ Lạng Sơn", User: "admin", Admin: true, Text: "/dangky"})
	p.expect(group, "group.registered_all")
	p.register(farmer, "0912 888 776")
	_, small := p.publish(farmer, "20 kg", "25k")
	p.say(farmer, "/ban")
	_, other := p.publish(farmer, "2 tạ", "27k")

	p.say(buyer, "mua "+small)
	p.expect(buyer, "order.quantity", "Remaining", "20 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	orderCode := p.order(buyer, "20 kg") // all of it

	// Sold out now: the other listing, numbered, and no word of choices to
	// find elsewhere.
	p.say(buyer, "mua "+small)
	offer := p.last(buyer)
	if !strings.HasPrefix(offer, text(t, "vi", "order.similar")) || strings.Contains(offer, "• ") ||
		strings.Contains(offer, text(t, "vi", "render.choices_later")) {
		t.Fatalf("similar listings offered: %q", offer)
	}
	p.say(buyer, p.number(offer, "order.similar_item", "Code", other, "Product", "Na Chi Lăng",
		"Price", "27.000 đ/kg", "Place", "Chi Lăng"))
	p.expect(buyer, "order.quantity", "Remaining", "2 tạ", "Unit", "tạ", "Price", "27.000 đ/kg")
	p.say(buyer, "huỷ")

	// The farmer accepts from the list of orders; the button to say the
	// order is sent answers by its number in the farmer's own chat.
	p.say(farmer, "menu")
	p.say(farmer, p.number(p.last(farmer), "menu.orders"))
	p.say(farmer, "1")
	p.say(farmer, "nhận đơn")
	accepted := p.wait(farmer, func(s string) bool { return strings.Contains(s, orderCode) && strings.Contains(s, "đã nhận đơn") })
	if strings.Contains(accepted, text(t, "vi", "render.choices_later")) {
		t.Errorf("the farmer's buttons are not offered in the farmer's chat: %q", accepted)
	}
	p.number(accepted, "order.ship")
	p.say(farmer, "đã gửi hàng") // the button's former label still works
	p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🚚") && strings.Contains(s, orderCode) })
}
