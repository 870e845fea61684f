package flows_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/flows"
)

const photo = flows.KindPhoto

// registered: a farmer registers on their first /ban and cancels the
// listing; the next message starts afresh.
var registered = append(slices.Clone(toSellQuantity[:6]), turn{text, "huỷ", 0, "", []string{"cancel.done+menu"}})

func TestOneMessageListings(t *testing.T) {
	tests := []struct {
		name  string
		turns []turn
	}{
		{"a captioned photo saying it all reaches the summary, and publishes with one tap", append(slices.Clone(registered),
			turn{photo, "Na Chi Lăng 5 tạ 25k mai có hàng", 0, "sell/summary", []string{"sell.summary"}},
			turn{text, "đăng", 0, "", []string{"sell.published_nowhere+menu"}})},
		{"a message without a photo asks for the photos only", append(slices.Clone(registered),
			turn{text, "bán 2 tấn quýt Bắc Sơn giá 18 nghìn, thu hoạch rằm tháng 9", 0, "sell/photos", []string{"sell.photos"}},
			turn{photo, "", 0, "sell/photos", []string{"sell.photo_got"}},
			turn{text, "xong", 0, "sell/summary", []string{"sell.summary"}})},
		{"what is missing is asked, in the usual order", append(slices.Clone(registered),
			turn{photo, "Na 5 tạ", 0, "sell/price", []string{"sell.price"}},
			turn{text, "25k", 0, "sell/ready", []string{"sell.ready"}},
			turn{text, "mai", 0, "sell/summary", []string{"sell.summary"}})},
		{"without a product, the product first", append(slices.Clone(registered),
			turn{photo, "5 tạ 25k mai", 0, "sell/product", []string{"sell.product"}},
			turn{text, "na", 0, "sell/summary", []string{"sell.summary"}})},
		{"an unregistered farmer registers first and keeps the reading", []turn{
			{photo, "Na Chi Lăng 5 tạ 25k mai có hàng", 0, "sell/reg_name", []string{"sell.register_first", "reg.name"}},
			{text, "1", 0, "sell/reg_phone", []string{"reg.phone"}},
			{text, "0912 345 678", 0, "sell/reg_commune", []string{"reg.phone_ok", "reg.commune"}},
			{text, "xã Quang Lang, Chi Lăng", 0, "sell/reg_code", []string{"reg.code"}},
			{text, "bỏ qua", 0, "sell/reg_bank", []string{"reg.bank"}},
			{text, "bỏ qua", 0, "sell/summary", []string{"reg.done", "sell.summary"}}}},
		{"two amounts that disagree are confirmed", append(slices.Clone(registered),
			turn{photo, "Na 2 tấn (200kg) 25k mai", 0, "sell/quantity", []string{"sell_once.quantity_check"}},
			turn{text, "đúng", 0, "sell/summary", []string{"sell.summary"}})},
		{"two amounts that disagree: Gõ lại asks the quantity", append(slices.Clone(registered),
			turn{photo, "Na 2 tấn (200kg) 25k mai", 0, "sell/quantity", []string{"sell_once.quantity_check"}},
			turn{text, "gõ lại", 0, "sell/quantity", []string{"sell.quantity"}},
			turn{text, "2 tạ", 0, "sell/summary", []string{"sell.summary"}})},
		{"a price in millions is asked per what", append(slices.Clone(registered),
			turn{photo, "Cam 3 tạ 1tr2 mai có hàng", 0, "sell/price", []string{"sell_once.price_per"}},
			turn{text, "2", 0, "sell/summary", []string{"sell.summary"}})},
		{"a price in millions per kg is questioned", append(slices.Clone(registered),
			turn{photo, "Cam 3 tạ 1tr2 mai có hàng", 0, "sell/price", []string{"sell_once.price_per"}},
			turn{text, "1", 0, "sell/price", []string{"sell.price_check"}},
			turn{text, "gõ lại", 0, "sell/price", []string{"sell.price"}},
			turn{text, "12k", 0, "sell/summary", []string{"sell.summary"}})},
		{"a phone number is refused, the rest asked step by step", append(slices.Clone(registered),
			turn{photo, "Na Chi Lăng 5 tạ 25k mai có hàng, lh 0912 345 678", 0, "sell/product", []string{"sell_once.phone", "sell.product"}})},
		{"not a listing: the menu", append(slices.Clone(registered),
			turn{text, "giá na hôm nay bao nhiêu?", 0, "", []string{"unclear.text", "menu.title"}},
			turn{text, "ai mua cam không", 0, "", []string{"unclear.text", "menu.title"}},
			turn{text, "na", 0, "", []string{"unclear.text", "menu.title"}},
			turn{text, "chào", 0, "", []string{"start.again", "menu.title"}})},
		{"the whole listing typed at the product question", append(slices.Clone(registered),
			turn{text, "/ban", 0, "sell/product", []string{"sell.product"}},
			turn{text, "Na Chi Lăng 5 tạ 25k mai có hàng", 0, "sell/photos", []string{"sell.photos"}})},
		{"several answers at the quantity question", append(slices.Clone(toSellQuantity),
			turn{text, "5 tạ giá 25k", 0, "sell/ready", []string{"sell.ready"}})},
		{"several answers at the price question", append(slices.Clone(toSellQuantity),
			turn{text, "5 tạ", 0, "sell/price", []string{"sell.price"}},
			turn{text, "25k, mai có hàng", 0, "sell/note", []string{"sell.note"}},
			turn{text, "bỏ qua", 0, "sell/summary", []string{"sell.summary"}},
			turn{text, "sửa", 0, "sell/edit", []string{"sell.edit_pick"}},
			turn{text, "giá", 0, "sell/price", []string{"sell.price"}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newConversation(t).play(tt.turns)
		})
	}
}

// listingMessages are real-looking first messages of a listing: captions
// (photo) and texts, with typos, without diacritics, mixed units, lunar
// dates, phone numbers. asks: the questions still asked before the
// summary, in order; all: the message states product, quantity, price and
// date under a photo.
var listingMessages = []struct {
	kind flows.InputKind
	text string
	asks string
	all  bool
}{
	{photo, "Na Chi Lăng 5 tạ 25k mai có hàng", "", true},
}

// TestListingsFromOneMessage measures how many messages a registered
// farmer sends from the first to the published listing (before issue 12:
// 9), answering each question as a farmer would.
func TestListingsFromOneMessage(t *testing.T) {
	c := newConversation(t)
	c.play(registered)
	answers := map[string]string{"sell/product": "na", "sell/quantity": "5 tạ", "sell/price": "25k",
		"sell/ready": "mai", "sell/note": "bỏ qua", "sell/quantity_check": "đúng", "sell/price_check": "đúng"}
	confirm := map[string]string{"sell_once.quantity_check": "đúng", "sell_once.price_per": "1",
		"sell.price_check": "đúng", "price_hint.check": "đúng"}
	var all, complete []int
	for _, m := range listingMessages {
		said := c.send(m.kind, m.text)
		messages := 1
		var asks []string
		for c.step() != "sell/summary" && messages < 15 {
			step := c.step()
			asks = append(asks, strings.TrimPrefix(step, "sell/"))
			answer, ok := answers[step]
			if a, confirming := confirm[said[len(said)-1]]; confirming {
				answer, ok = a, true
				asks[len(asks)-1] = strings.TrimPrefix(said[len(said)-1], "sell.")
			}
			switch {
			case step == "sell/photos":
				c.send(photo, "")
				said, messages = c.send(text, "xong"), messages+2
				continue
			case !ok:
				t.Fatalf("%q: step %q said %v", m.text, step, said)
			}
			said, messages = c.send(text, answer), messages+1
		}
		if got := c.send(text, "đăng"); !slices.Equal(got, []string{"sell.published_nowhere+menu"}) {
			t.Fatalf("%q: publishing said %v", m.text, got)
		}
		messages++
		t.Logf("%-70q %d messages, asked %v", m.text, messages, asks)
		if got := strings.Join(asks, " "); got != m.asks {
			t.Errorf("%q: asked %q, want %q", m.text, got, m.asks)
		}
		all = append(all, messages)
		if m.all {
			complete = append(complete, messages)
		}
	}
	if len(listingMessages) < 60 {
		t.Errorf("%d messages measured, want at least 60", len(listingMessages))
	}
	t.Logf("median: %d messages (all), %d (a captioned photo stating product, quantity, price and date)", median(all), median(complete))
	if m := median(complete); m > 3 {
		t.Errorf("a captioned photo stating product, quantity, price and date: median %d messages, want at most 3", m)
	}
}

func median(ns []int) int {
	if len(ns) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ns))
	return s[len(s)/2]
}
