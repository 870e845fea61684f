package flows_test

import (
	"slices"
	"testing"

	"github.com/nongsan-bot/nongsan/flows"
)

// Every word that means "none" presses ⏭ Bỏ qua wherever a question offers
// it, from one table (wordSkip): the growing-area code, the bank account,
// the listing's note. "thôi" there skips the question instead of cancelling
// the listing (where no Bỏ qua is offered, it still cancels); "không" too,
// with or without diacritics, and politely.
func TestEverySkipWordPressesBoQua(t *testing.T) {
	t.Parallel()
	c := newConversation(t)
	c.play([]turn{
		{text, "/ban", 0, "sell/reg_name", []string{"sell.register_first", "reg.name"}},
		{text, "1", 0, "sell/reg_phone", []string{"reg.phone"}},
		{text, "0912 345 678", 0, "sell/reg_commune", []string{"reg.phone_ok", "reg.commune"}},
		{text, "xã Quang Lang, Chi Lăng", 0, "sell/reg_code", []string{"reg.code"}},
		{text, "thôi", 0, "sell/reg_bank", []string{"reg.bank"}},
		{text, "ko có", 0, "sell/product", []string{"reg.done", "sell.product"}},
		{text, "thôi", 0, "", []string{"cancel.done+menu"}}, // no Bỏ qua here: the listing is cancelled
	})
	for _, word := range []string{"bỏ qua", "bo qua", "Bỏ qua ạ", "không có", "ko có", "k có", "khong", "không", "Không ạ",
		"ko", "k", "thôi", "Thôi ạ", "skip", "chưa có", "chua co", "chưa", "không cần", "không có gì", "để sau"} {
		c.play([]turn{
			{text, "/ban", 0, "sell/product", []string{"sell.product"}},
			{text, "quýt", 0, "sell/photos", []string{"sell.photos"}},
			{flows.KindPhoto, "", 0, "sell/photos", []string{"sell.photo_got"}},
			{text, "xong", 0, "sell/quantity", []string{"sell.quantity"}},
			{text, "5 tạ", 0, "sell/price", []string{"sell.price"}},
			{text, "25k", 0, "sell/ready", []string{"sell.ready"}},
			{text, "mai", 0, "sell/note", []string{"sell.note"}},
			{text, word, 0, "sell/summary", []string{"sell.summary"}},
			{text, "huỷ", 0, "", []string{"cancel.done+menu"}},
		})
	}
}

// At the question why she declines, Bỏ qua declines the order for good:
// "ko có" presses it, but "thôi" (never mind) stops the decline, as huỷ
// does, and the order still waits for her.
func TestThoiDoesNotDeclineAnOrderWithoutAReason(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	l := m.listing("1")
	m.order("2", l.Code)
	id := m.newOrderID()
	m.say("1", flows.KindChoice, "ord:decline:"+id)
	if said := m.say("1", flows.KindChoice, m.button("1", "order.other_reason")); !slices.Equal(said, []string{"order.decline_other"}) {
		t.Fatalf("❔ Lý do khác said %v, want the reason asked", said)
	}
	if said := m.say("1", flows.KindText, "thôi"); len(said) == 0 || said[0] != "cancel.done" {
		t.Fatalf("thôi at the reason said %v, want the decline cancelled", said)
	}
	m.say("1", flows.KindChoice, "ord:decline:"+id)
	m.say("1", flows.KindChoice, m.button("1", "order.other_reason"))
	if said := m.say("1", flows.KindText, "ko có"); len(said) == 0 || said[0] != "order.declined_farmer" {
		t.Fatalf("ko có at the reason said %v, want the order declined", said)
	}
}
