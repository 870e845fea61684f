package flows_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

// A notice's command is read however a farmer types it; other text with a
// code is no command.
func TestTypedCommandsAreReadHoweverTheyAreTyped(t *testing.T) {
	for _, tt := range []struct{ text, action, code string }{
		{"NHẬN DH-7K2Q", "accept", "DH-7K2Q"},
		{"nhan dh-7k2q", "accept", "DH-7K2Q"},
		{"Nhận  DH7K2Q", "accept", "DH-7K2Q"},
		{norm.NFD.String("nhận đơn dh 7k2q"), "accept", "DH-7K2Q"},
		{"✅ Nhận đơn DH-7K2Q", "accept", "DH-7K2Q"},
		{"từ chối DH-7K2Q", "decline", "DH-7K2Q"},
		{"Đã giao DH-7K2Q", "ship", "DH-7K2Q"},
		{"da nhan hang dh-7k2q", "received", "DH-7K2Q"},
		{"hủy DH-7K2Q", "cancel", "DH-7K2Q"},
		{"huỷ đơn DH-7K2Q", "cancel", "DH-7K2Q"},
		{"bán thêm NS-7K2Q", "renew", "NS-7K2Q"},
		{"ngung ban ns7k2q", "close", "NS-7K2Q"},
		{"hết hàng NS-7K2Q", "close", "NS-7K2Q"},
		{"gỡ NS-7K2Q", "remove", "NS-7K2Q"},
		{"Xoá tin NS-7K2Q", "remove", "NS-7K2Q"},
		{"mua NS-7K2Q", "", ""},  // an order, read by the order flow
		{"nhận NS-7K2Q", "", ""}, // accepting is for orders
		{"bán thêm DH-7K2Q", "", ""},
		{"DH-7K2Q", "", ""},
		{"nhận hàng ở chợ DH-7K2Q nhé", "", ""},
	} {
		_, action, code, ok := flows.TypedAction(flows.Input{Kind: flows.KindText, Text: tt.text})
		if ok != (tt.action != "") || action != tt.action || code != tt.code {
			t.Errorf("%q: %q %q %v, want %q %q", tt.text, action, code, ok, tt.action, tt.code)
		}
	}
}

// "gỡ NS-7K2Q", "xoá tin NS-7K2Q", "hết hàng NS-7K2Q" typed by the farmer
// of the listing stop selling it, as "ngừng bán NS-7K2Q" does: gỡ is her
// word for taking her post down, not a moderator's take-down she is
// refused. A moderator's gỡ, of her own listing too, is still the
// take-down; anyone else's is refused as before.
func TestAFarmerTakingDownHerOwnListingStopsSellingIt(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	m.db.Moderators = map[string]bool{"telegram:9": true}
	const farmer = "1"
	first := m.listing(farmer)
	for i, verb := range []string{"gỡ", "gỡ tin", "xoá tin", "Xoa tin", "hết hàng", "không bán nữa"} {
		l := m.another(first, fmt.Sprint("test:again:", i))
		typed := verb + " " + l.Code
		if got := m.say(farmer, flows.KindText, typed); !slices.Equal(got, []string{"mine.updated"}) {
			t.Errorf("%q said %v, want the listing stopped", typed, got)
		}
		if got, err := m.db.Listing(context.Background(), l.ID); err != nil || got.Status != flows.Closed {
			t.Errorf("after %q the listing is %+v (%v), want stopped", typed, got, err)
		}
	}
	if got := m.say("2", flows.KindText, "gỡ "+first.Code); !slices.Equal(got, []string{"moderation.refused"}) {
		t.Errorf("a buyer's gỡ said %v, want refused", got)
	}
	if m.say("9", flows.KindText, "gỡ "+first.Code); m.step("9") != "moderate/reason" {
		t.Errorf("a moderator's gỡ went to %q, want the take-down's reason", m.step("9"))
	}
	m.say("9", flows.KindText, "huỷ")
	own := m.another(first, "test:moderator")
	if _, err := m.db.Pool.Exec(context.Background(), `UPDATE listings SET helper_id = (SELECT id FROM users WHERE platform_id = '9') WHERE id = $1`, own.ID); err != nil {
		t.Fatal(err)
	}
	if m.say("9", flows.KindText, "gỡ "+own.Code); m.step("9") != "moderate/reason" {
		t.Errorf("a moderator's gỡ of a listing she posted went to %q, want the take-down's reason", m.step("9"))
	}
}

// "mua NS-7K2Q" (a group post on Zalo says to send it), or "buy NS-7K2Q"
// in English, typed at a question that takes free text opens the order,
// the task set aside as for a typed action; it is no seller name, phone
// number or note. Cancelling the order goes back to the question.
func TestBuyingTypedAtAQuestionOpensTheOrder(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	l := m.listing("1")
	const buyer = "2"
	m.say(buyer, flows.KindText, "/ban")
	for _, at := range []string{"sell/reg_name", "sell/reg_phone"} {
		if m.step(buyer) != at {
			t.Fatalf("at %q, want %q", m.step(buyer), at)
		}
		for _, verb := range []string{"mua ", "buy "} {
			if m.say(buyer, flows.KindText, verb+l.Code); m.step(buyer) != "order/quantity" {
				t.Errorf("%s%s at %s went to %q, want the order", verb, l.Code, at, m.step(buyer))
			}
			if got := m.say(buyer, flows.KindText, "huỷ"); !slices.Contains(got, "cancel.done") || m.step(buyer) != at {
				t.Fatalf("cancelling the order said %v at %q, want %s again", got, m.step(buyer), at)
			}
		}
		m.say(buyer, flows.KindText, "1") // the name shown; then the phone question
	}
}

// A listing's group post forwarded to the bot (a photo and its caption)
// or its text pasted opens that listing's order, nothing of the post read
// as said: a buyer is not started on seller registration, a registered
// farmer gets no copy of another's listing to publish. The listing's own
// farmer is shown her listing.
func TestAListingPostSentToTheBotOpensItsOrder(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m := newMarket(t)
	l := m.listing("1")
	m.say("9", flows.KindText, "mua "+l.Code) // the post, as the bot shows it
	post := texts.Text("vi", m.said[0].Text)
	if !strings.Contains(post, "Mã tin bán: "+l.Code) {
		t.Fatalf("the post reads %q", post)
	}
	zalo := "🌾 Na Chi Lăng — 100 kg\n💰 Giá: 25.000 đ/kg\n🛒 Nhắn MUA " + l.Code + " cho Nông Sản Bot"
	farmer, err := m.db.Touch(ctx, m.input("5", flows.KindText, ""))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.db.SaveSeller(ctx, &flows.Seller{UserID: farmer.ID, Name: "Hoa", Phone: "+84912888666", Commune: "xã Quang Lang", Area: "chi_lang"}); err != nil {
		t.Fatal(err)
	}
	send := func(user string, kind flows.InputKind, text string) []string {
		t.Helper()
		in := m.input(user, kind, text)
		if kind == flows.KindPhoto {
			in.Photo = &flows.Photo{FileID: "fwd" + user}
		}
		u, err := m.db.Touch(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		res, err := m.router.Handle(ctx, u, m.sess[user], in)
		if err != nil {
			t.Fatal(err)
		}
		m.sess[user], m.said = res.Session, res.Replies
		return idsTo(res.Replies, user)
	}
	for _, tt := range []struct {
		user string
		kind flows.InputKind
		text string
	}{
		{"2", flows.KindPhoto, post}, // a buyer forwards a Telegram post
		{"3", flows.KindText, post},  // or pastes its text
		{"4", flows.KindText, zalo},  // a Zalo post
		{"5", flows.KindPhoto, post}, // a farmer who sells too
	} {
		if got := send(tt.user, tt.kind, tt.text); m.step(tt.user) != "order/quantity" || !slices.Contains(got, "order.quantity") {
			t.Errorf("user %s: the post (%s) said %v at %q, want its order", tt.user, tt.kind, got, m.step(tt.user))
		}
	}
	if got := send("1", flows.KindPhoto, post); m.step("1") != "mine/act" || !slices.Contains(got, "mine.detail") {
		t.Errorf("her own post said %v at %q, want her listing", got, m.step("1"))
	}
}

// A notice's words typed after a task was left for over SESSION_TTL do
// what they say once the task is said to be gone: "nhận DH-…" accepts the
// order, it is not dropped for the menu.
func TestANoticesWordsTypedAfterATaskExpiredDoWhatTheySay(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	l := m.listing("1")
	if said := m.typed("1", "hoso", ""); m.step("1") != "profile/summary" {
		t.Fatalf("/hoso said %v at %q", said, m.step("1"))
	}
	m.now = m.now.Add(20 * time.Hour)
	m.order("2", l.Code)
	m.placedAt(m.now)
	var code string
	for _, r := range m.said {
		if r.Text.ID == "order.new" {
			code, _ = r.Text.Data["Code"].(string)
		}
	}
	if code == "" {
		t.Fatal("no new order's code")
	}
	m.now = m.now.Add(5 * time.Hour) // the /hoso left 25 hours ago
	if said := m.say("1", flows.KindText, "nhận "+code); !slices.Equal(said, []string{"session.expired", "order.accepted_farmer"}) {
		t.Errorf("nhận %s after the task expired said %v; want it said gone, then the order accepted", code, said)
	}
}

// A listing's whole post pasted, or forwarded with its photo, while a task
// waits at a question opens that listing's order, the task set aside as
// by a command: it is no seller name or price. Cancelling the order goes
// back to the question. A one-line answer naming a code is still the
// answer; the listing's own farmer is shown her listing; a moderator's
// announcement may quote a post.
func TestAListingPostPastedAtAQuestionOpensItsOrder(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	m := newMarket(t)
	m.db.Moderators = map[string]bool{"telegram:9": true}
	l := m.listing("1")
	m.say("8", flows.KindText, "mua "+l.Code) // the post, as the bot shows it
	post := texts.Text("vi", m.said[0].Text)
	zalo := "🌾 Na Chi Lăng — 100 kg 💰 Giá: 25.000 đ/kg 🛒 Nhắn MUA " + l.Code + " cho Bot Nông Sản để đặt hàng" // as ZALO_BOT_NAME names it

	const buyer = "2"
	m.say(buyer, flows.KindText, "/ban")
	for _, pasted := range []string{post, zalo} {
		if m.step(buyer) != "sell/reg_name" {
			t.Fatalf("at %q, want the seller's name", m.step(buyer))
		}
		if got := m.say(buyer, flows.KindText, pasted); m.step(buyer) != "order/quantity" || !slices.Contains(got, "order.quantity") {
			t.Errorf("the post pasted at the name said %v at %q, want its order", got, m.step(buyer))
		}
		if got := m.say(buyer, flows.KindText, "huỷ"); !slices.Contains(got, "cancel.done") || m.step(buyer) != "sell/reg_name" {
			t.Fatalf("cancelling the order said %v at %q, want the name again", got, m.step(buyer))
		}
	}
	// Forwarded: the post's photo, the post as its caption.
	in := m.input(buyer, flows.KindPhoto, post)
	in.Photo = &flows.Photo{FileID: "fwd"}
	u, err := m.db.Touch(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.router.Handle(context.Background(), u, m.sess[buyer], in)
	if err != nil {
		t.Fatal(err)
	}
	if m.sess[buyer] = res.Session; m.step(buyer) != "order/quantity" {
		t.Errorf("the post forwarded at the name went to %q, want its order", m.step(buyer))
	}
	m.say(buyer, flows.KindText, "huỷ")
	if m.say(buyer, flows.KindText, "Lan ("+l.Code+")"); m.step(buyer) == "order/quantity" || m.step(buyer) == "sell/reg_name" {
		t.Errorf("a name naming a code went to %q, want it taken as the name", m.step(buyer))
	}

	// Her own post, pasted at the product question of a new listing.
	m.say("1", flows.KindText, "/ban")
	at := m.step("1")
	if got := m.say("1", flows.KindText, post); m.step("1") != "mine/act" || !slices.Contains(got, "mine.detail") {
		t.Errorf("her own post pasted at %s said %v at %q, want her listing", at, got, m.step("1"))
	}

	// An announcement's text may quote a post.
	m.typed("9", "thongbao", "")
	if m.step("9") != "broadcast/text" {
		t.Fatalf("/thongbao at %q", m.step("9"))
	}
	if m.say("9", flows.KindText, "Bà con xem tin này: "+post); m.step("9") == "order/quantity" || m.step("9") == "broadcast/text" {
		t.Errorf("an announcement quoting a post went to %q, want it taken as the text", m.step("9"))
	}
}
