package main

import (
	"strings"
	"testing"
)

// A Zalo buyer who reports the goods received is thanked in her own words
// (not "người mua đã nhận hàng", as if it were someone else), told the
// farmer knows, and how to buy from the same listing again; /don shows
// the order as hers.
func TestABuyerWhoReceivedTheGoodsIsThankedAndToldHowToBuyAgain(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer, buyer = "6ede9afa66b88fe6d6a8", "8f3a0c1b2d4e5f607183"
	z.register(farmer, "0912 888 777")
	_, code := z.publish(farmer, "500 kg", "25k")
	z.say(buyer, "mua "+code)
	orderCode := z.order(buyer, "50kg")
	z.wait(farmer, func(s string) bool { return strings.Contains(s, orderCode) })
	z.say(farmer, "nhan "+orderCode)
	z.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🎉") })
	z.say(farmer, "da giao "+orderCode)
	z.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🚚") })

	z.say(buyer, "da nhan hang")
	got := z.expect(buyer, "order.received_done", "Seller", z.name(farmer), "Code", orderCode, "Quantity", "50 kg",
		"Product", "Na Chi Lăng", "ListingCode", code, "Again", true)
	for _, want := range []string{"anh/chị đã nhận được hàng", "Cảm ơn", "mua " + code} {
		if !strings.Contains(got, want) {
			t.Errorf("the buyer's receipt lacks %q: %q", want, got)
		}
	}
	if strings.Contains(got, "người mua") {
		t.Errorf("the buyer is called the buyer: %q", got)
	}

	z.say(buyer, "/don")
	list := z.expect(buyer, "orders.pick", "Selling", 0, "Buying", 1)
	if !strings.Contains(list, "Mua 50 kg Na Chi Lăng · anh/chị đã nhận hàng · "+orderCode) {
		t.Errorf("the buyer's /don: %q", list)
	}
	z.say(buyer, "1")
	detail := z.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mua "+orderCode) })
	if !strings.HasPrefix(detail, "🛒 Đơn mua "+orderCode+": anh/chị đã nhận hàng\n") {
		t.Errorf("the buyer's order: %q", detail)
	}
}
