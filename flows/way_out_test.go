package flows_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

// command sends /cmd arg from user 7, as a platform splits it.
func (c *conversation) command(cmd, arg string) []string {
	c.t.Helper()
	c.update++
	id := strconv.Itoa(c.update)
	in := flows.Input{Channel: flows.Telegram, UpdateID: id, ChatID: "7", ChatType: flows.Private,
		UserID: "7", UserName: "Lan", Lang: "vi", Kind: flows.KindText, Text: strings.TrimSpace("/" + cmd + " " + arg),
		Command: cmd, Arg: arg, MessageID: id}
	return c.deliver(in)
}

// A command typed mid-task (all Zalo users have) sets the task aside as a
// tap on the menu does: /don at the price question shows the orders, then
// asks the price again; a moderator's command refused to a farmer leaves
// her listing as it was.
func TestACommandTypedMidTaskSetsTheTaskAside(t *testing.T) {
	t.Parallel()
	c := newConversation(t)
	c.play(append(slices.Clone(toSellQuantity), []turn{
		{text, "5 tạ", 0, "sell/price", []string{"sell.price"}},
		{text, "/don", 0, "sell/price", []string{"orders.none", "sell.price"}},
		{text, "25k", 0, "sell/ready", []string{"sell.ready"}},
		{text, "/thongbao", 0, "sell/ready", []string{"broadcast.refused", "sell.ready"}},
		{text, "/themmod", 0, "sell/ready", []string{"roles.refused", "sell.ready"}},
		{text, "/bonoi", 0, "sell/ready", []string{"moderation.refused", "sell.ready"}},
		{text, "/bochan", 0, "sell/ready", []string{"moderation.refused", "sell.ready"}},
		{text, "/thongke", 0, "sell/ready", []string{"figures.refused", "sell.ready"}},
		{text, "/tin", 0, "sell/ready", []string{"mine.none", "sell.ready"}},
		{text, "/ngonngu", 0, "language/pick", []string{"lang.ask"}},
		{text, "1", 0, "sell/ready", []string{"lang.done", "sell.ready"}},
		{text, "mai", 0, "sell/note", []string{"sell.note"}},
		{text, "/start", 0, "sell/note", []string{"start.again", "sell.note"}},
		{text, "bỏ qua", 0, "sell/summary", []string{"sell.summary"}},
		{text, "/huy", 0, "", []string{"cancel.done+menu"}},
	}...))
}

// A group post's 🛒 Đặt mua (a deep link, /start buy_…) tapped mid-listing
// sets the listing aside, as "mua NS-…" typed does: cancelling the order
// goes back to it.
func TestADeepLinkMidTaskSetsTheTaskAside(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	l := m.listing("5")
	say := func(kind flows.InputKind, text string) []string {
		t.Helper()
		in := m.input("6", kind, text)
		if strings.HasPrefix(text, "/") {
			in.Command, in.Arg, _ = strings.Cut(text[1:], " ")
		}
		if kind == flows.KindPhoto {
			in.Photo = &flows.Photo{FileID: "photo-" + in.UpdateID}
		}
		u, err := m.db.Touch(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		res, err := m.router.Handle(context.Background(), u, m.sess["6"], in)
		if err != nil {
			t.Fatal(err)
		}
		m.sess["6"], m.said = res.Session, res.Replies
		return idsTo(res.Replies, "6")
	}
	step := func() string {
		s := m.sess["6"]
		if !s.Active() {
			return ""
		}
		return string(s.Flow) + "/" + string(s.Step)
	}
	for _, tt := range []struct {
		kind flows.InputKind
		text string
		step string
		said []string
	}{
		{text, "/ban", "sell/reg_name", []string{"sell.register_first", "reg.name"}},
		{text, "Hoàng Văn Lâm", "sell/reg_phone", []string{"reg.phone"}},
		{text, "0912 345 679", "sell/reg_commune", []string{"reg.phone_ok", "reg.commune"}},
		{text, "xã Quang Lang, Chi Lăng", "sell/reg_code", []string{"reg.code"}},
		{text, "bỏ qua", "sell/reg_bank", []string{"reg.bank"}},
		{text, "bỏ qua", "sell/product", []string{"reg.done", "sell.product"}},
		{text, "quýt", "sell/photos", []string{"sell.photos"}},
		{flows.KindPhoto, "", "sell/photos", []string{"sell.photo_got"}},
		{text, "xong", "sell/quantity", []string{"sell.quantity"}},
		{text, "/start buy_" + l.Code, "order/quantity", []string{"post.caption", "order.quantity"}},
		{text, "/huy", "sell/quantity", []string{"cancel.done", "sell.quantity"}},
		{text, "5 tạ", "sell/price", []string{"sell.price"}},
	} {
		if said := say(tt.kind, tt.text); step() != tt.step || !slices.Equal(said, tt.said) {
			t.Fatalf("%q: step %q said %v; want step %q said %v", tt.text, step(), said, tt.step, tt.said)
		}
	}
}

// "huỷ ạ", "Hủy.", "hủy đi", "thôi không bán nữa" are a way out at any
// question, never an answer: not a name, not a phone number to correct,
// not a product. A name with such a word in it is still a name.
func TestPoliteOrPunctuatedCancelsCancel(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	c := newConversation(t)
	c.play([]turn{
		{text, "/ban", 0, "sell/reg_name", []string{"sell.register_first", "reg.name"}},
		{text, "huỷ ạ", 0, "", []string{"cancel.done+menu"}},
		{text, "/ban", 0, "sell/reg_name", []string{"sell.register_first", "reg.name"}},
		{text, "Hủy.", 0, "", []string{"cancel.done+menu"}},
		{text, "/ban", 0, "sell/reg_name", []string{"sell.register_first", "reg.name"}},
		{text, "Lê Văn Huy", 0, "sell/reg_phone", []string{"reg.phone"}},
		{text, "0912", 0, "sell/reg_phone", []string{"reg.phone_bad"}},
	})
	for _, lang := range []string{"vi", "en"} {
		bad := texts.Text(lang, c.said[0].Text)
		if want := map[string]string{"vi": `gõ "huỷ"`, "en": `type "cancel"`}[lang]; !strings.Contains(bad, want) {
			t.Errorf("%s reg.phone_bad says no way out (%q):\n%s", lang, want, bad)
		}
	}
	c.play([]turn{
		{text, "hủy đi", 0, "", []string{"cancel.done+menu"}},
		{text, "/ban", 0, "sell/reg_name", []string{"sell.register_first", "reg.name"}},
		{text, "Thôi Thị Lan", 0, "sell/reg_phone", []string{"reg.phone"}},
		{text, "0912 345 678", 0, "sell/reg_commune", []string{"reg.phone_ok", "reg.commune"}},
		{text, "quay lại nhé", 0, "sell/reg_phone", []string{"reg.phone"}},
		{text, "0912 345 678", 0, "sell/reg_commune", []string{"reg.phone_ok", "reg.commune"}},
		{text, "xã Quang Lang, Chi Lăng", 0, "sell/reg_code", []string{"reg.code"}},
		{text, "bỏ qua", 0, "sell/reg_bank", []string{"reg.bank"}},
		{text, "bỏ qua", 0, "sell/product", []string{"reg.done", "sell.product"}},
		{text, "đăng bán", 0, "sell/product", []string{"flow.resume", "sell.product"}},
		{text, "thôi không bán nữa", 0, "", []string{"cancel.done+menu"}},
	})
}

// Emoji or punctuation alone say nothing: they are no name, place, product
// or note, and the question is asked again with its example.
func TestEmojiOrPunctuationAloneIsNoAnswer(t *testing.T) {
	t.Parallel()
	newConversation(t).play([]turn{
		{text, "/ban", 0, "sell/reg_name", []string{"sell.register_first", "reg.name"}},
		{text, "🙏🙏🙏", 0, "sell/reg_name", []string{"unclear.text", "reg.name"}},
		{text, "?!", 0, "sell/reg_name", []string{"unclear.text", "reg.name"}},
		{text, "Hoàng Văn Lâm", 0, "sell/reg_phone", []string{"reg.phone"}},
		{text, "0912 345 678", 0, "sell/reg_commune", []string{"reg.phone_ok", "reg.commune"}},
		{text, "🏠🏠", 0, "sell/reg_commune", []string{"unclear.text", "reg.commune"}},
		{text, "xã Quang Lang, Chi Lăng", 0, "sell/reg_code", []string{"reg.code"}},
		{text, "bỏ qua", 0, "sell/reg_bank", []string{"reg.bank"}},
		{text, "bỏ qua", 0, "sell/product", []string{"reg.done", "sell.product"}},
		{text, "🍊🍊🍊", 0, "sell/product", []string{"unclear.text", "sell.product"}},
		{text, "quýt", 0, "sell/photos", []string{"sell.photos"}},
		{flows.KindPhoto, "", 0, "sell/photos", []string{"sell.photo_got"}},
		{text, "xong", 0, "sell/quantity", []string{"sell.quantity"}},
		{text, "5 tạ", 0, "sell/price", []string{"sell.price"}},
		{text, "25k", 0, "sell/ready", []string{"sell.ready"}},
		{text, "mai", 0, "sell/note", []string{"sell.note"}},
		{text, "👍", 0, "sell/note", []string{"unclear.text", "sell.note"}},
		{text, "?", 0, "sell/note", []string{"unclear.text", "sell.note"}},
		{text, "quả to, 2 loại", 0, "sell/summary", []string{"sell.summary"}},
	})
}

// /dangky and /huydangky, which help.moderator names, typed in the private
// chat are told in one line to be typed in the market group, with an
// example, and nothing more (no menu); a task in progress goes on.
func TestGroupCommandsTypedInPrivateSayWhereTheyWork(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	c := newConversation(t)
	if said := c.command("dangky", "Chi Lăng"); !slices.Equal(said, []string{"command.group_only"}) || c.step() != "" {
		t.Fatalf("/dangky Chi Lăng said %v at %q", said, c.step())
	}
	for lang, want := range map[string]string{"vi": "/dangky Chi Lăng", "en": "/dangky Chi Lăng"} {
		if got := texts.Text(lang, c.said[0].Text); !strings.Contains(got, want) || strings.Contains(got, "\n") {
			t.Errorf("%s: %q; want one line with an example %q", lang, got, want)
		}
	}
	c.play([]turn{{text, "/ngonngu", 0, "language/pick", []string{"lang.ask"}}})
	if said := c.command("huydangky", ""); !slices.Equal(said, []string{"command.group_only", "lang.ask"}) || c.step() != "language/pick" {
		t.Fatalf("/huydangky mid-task said %v at %q", said, c.step())
	}
	if got := texts.Text("vi", c.said[0].Text); !strings.Contains(got, "nhóm chợ") || !strings.Contains(got, "/huydangky") {
		t.Errorf("vi: %q; want the market group named, and /huydangky", got)
	}
}

// Nor is an emoji or a question mark an order's note, a take-down reason
// or a decline reason; "🙏" alone still says sorry to the buyer.
func TestEmojiOrPunctuationAloneIsNoNoteOrReason(t *testing.T) {
	t.Parallel()
	m := moderating(t)
	l := m.listing("1")
	for _, tt := range []struct {
		user string
		kind flows.InputKind
		text string
		said []string
	}{
		{"2", text, "mua " + l.Code, nil},
		{"2", text, "40 kg", nil},
		{"2", flows.KindChoice, "keep", nil},
		{"2", text, "0987654321", nil},
		{"2", flows.KindChoice, "pickup", []string{"order.note"}},
		{"2", text, "👍", []string{"unclear.text", "order.note"}},
		{"2", text, "?", []string{"unclear.text", "order.note"}},
		{"2", text, "giao buổi sáng", []string{"order.summary"}},
		{"2", text, "huỷ", []string{"cancel.done"}},
	} {
		said := m.say(tt.user, tt.kind, tt.text)
		if tt.said != nil && !slices.Equal(said, tt.said) {
			t.Fatalf("%q said %v; want %v", tt.text, said, tt.said)
		}
	}
	m.typed("9", "gotin", l.Code)
	for _, typed := range []string{"👍", "?"} {
		if said := m.say("9", text, typed); !slices.Equal(said, []string{"unclear.text", "moderation.reason_remove"}) {
			t.Fatalf("%q as a take-down reason said %v; want it asked again", typed, said)
		}
	}
	m.say("9", text, "/huy")
	m.order("2", l.Code)
	m.say("1", flows.KindChoice, "ord:decline:"+m.newOrderID())
	if said := m.say("1", text, "?"); m.sess["1"].Step != "decline_reason" {
		t.Fatalf("\"?\" as a decline reason said %v, at %+v; want the question again", said, m.sess["1"])
	}
}

// Thanks or "ok" after a task ask for nothing: they get a warm word, not
// "Em chưa hiểu ý" and the menu; what is not understood still gets that.
func TestThanksBetweenTasksGetAWarmWord(t *testing.T) {
	t.Parallel()
	newConversation(t).play([]turn{
		{text, "cảm ơn em nhiều ạ", 0, "", []string{"unclear.thanks"}},
		{text, "Ok", 0, "", []string{"unclear.thanks"}},
		{text, "vâng ạ", 0, "", []string{"unclear.thanks"}},
		{text, "👍", 0, "", []string{"unclear.thanks"}},
		{text, "Thanks!", 0, "", []string{"unclear.thanks"}},
		{text, "🙏🙏", 0, "", []string{"unclear.thanks"}},
		{text, "❓", 0, "", []string{"unclear.text", "menu.title"}}, // a question, not thanks
		{text, "😡", 0, "", []string{"unclear.text", "menu.title"}},
		{text, "xyz abc", 0, "", []string{"unclear.text", "menu.title"}},
		{text, "/ban", 0, "sell/reg_name", []string{"sell.register_first", "reg.name"}},
		{text, "👍", 0, "sell/reg_name", []string{"unclear.text", "reg.name"}},
	})
}

// A choice's key said politely is the choice: "Đúng rồi ạ" confirms a
// price, "Bỏ qua ạ." skips the note (no "📝 Bỏ qua ạ." in every group).
func TestPoliteChoicesAreTheChoice(t *testing.T) {
	t.Parallel()
	c := newConversation(t)
	c.play(append(slices.Clone(toSellQuantity), []turn{
		{text, "5 tạ", 0, "sell/price", []string{"sell.price"}},
		{text, "1tr2", 0, "sell/price_check", []string{"sell.price_check"}},
		{text, "Đúng rồi ạ", 0, "sell/ready", []string{"sell.ready"}},
		{text, "mai", 0, "sell/note", []string{"sell.note"}},
		{text, "Bỏ qua ạ.", 0, "sell/summary", []string{"sell.summary"}},
	}...))
	if note := c.said[0].Text.Data["Note"]; note != "" {
		t.Errorf("the summary's note is %q; want none", note)
	}
}
