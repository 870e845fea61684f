package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf16"

	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// plainBot drives the bot through the text-only test channel, registered
// and mounted like any other: no buttons, edits or deep links, 300
// characters a message.
type plainBot struct {
	*typist
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
	p := &plainBot{b: startBot(t, tg, env, ch), ch: ch}
	p.typist = &typist{t: t, c: p}
	return p
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

// The plain channel as a typist uses it.
func (p *plainBot) name(user string) string { return "Hoàng Văn " + user }
func (p *plainBot) buttons() bool           { return false }

func (p *plainBot) send(user, text string) {
	p.t.Helper()
	p.post(bottest.Update{Chat: user, User: user, Name: p.name(user), Text: text})
}

func (p *plainBot) sendPhoto(user, photo, album string) {
	p.t.Helper()
	p.post(bottest.Update{Chat: user, User: user, Photo: photo, Album: album})
}

func (p *plainBot) received(chat string) []string {
	var texts []string
	for _, m := range p.ch.Sent(chat) {
		texts = append(texts, m.Text)
	}
	return texts
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
	// A finished task ends in one message, with a hint instead of the menu;
	// only the notice of the group post (📢, sent when the post goes, which
	// may be at once) may follow it.
	got := p.received(farmer)
	after := got[slices.Index(got, published)+1:]
	if hint := text(t, "vi", "render.menu_hint"); !strings.HasSuffix(published, "\n\n"+hint) ||
		slices.ContainsFunc(after, func(m string) bool { return !strings.HasPrefix(m, "📢") }) {
		t.Errorf("the task did not end in one message with the hint: %q, then %q", published, after)
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
	var notice []string // in two messages where it is longer than 300 characters
	for _, m := range p.ch.Sent(farmer) {
		if strings.Contains(m.Text, orderCode) || len(notice) > 0 {
			notice = append(notice, m.Text)
		}
	}
	decline := text(t, "vi", "typed.decline", "Code", orderCode)
	ends := func(s string) bool { // a whole line of the notice
		return strings.HasSuffix(s, accept) || strings.HasSuffix(s, decline) || strings.HasSuffix(s, "Anh/chị có nhận đơn này không ạ?")
	}
	if len(notice) == 0 || len(notice) > 1 && !ends(notice[0]) {
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
	if !strings.HasPrefix(offer, text(t, "vi", "order.similar", "NoButtons", true)) || strings.Contains(offer, "• ") ||
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
