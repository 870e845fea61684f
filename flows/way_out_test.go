package flows_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/flows"
)

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
