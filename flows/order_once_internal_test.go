package flows

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

func TestABuyersFirstMessageIsReadForTheOrder(t *testing.T) {
	kg := func(n int64) vn.Quantity { return vn.Quantity{Milli: n * 1000, Unit: vn.UnitKg} }
	for _, c := range []struct {
		text string
		want orderSaid
	}{
		{"lấy 20kg", orderSaid{Quantity: kg(20)}},
		{"cho mình 2 tạ", orderSaid{Quantity: vn.Quantity{Milli: 2000, Unit: vn.UnitTa}}},
		{"20kg nhé", orderSaid{Quantity: kg(20)}},
		{"20kg giao Hà Nội", orderSaid{Quantity: kg(20), Delivery: "deliver", Address: "Hà Nội"}},
		{"mua 20 kg, giao đến 12 Trần Phú, Ba Đình", orderSaid{Quantity: kg(20), Delivery: "deliver", Address: "12 Trần Phú, Ba Đình"}},
		{"lấy 20kg tự lấy", orderSaid{Quantity: kg(20), Delivery: "pickup"}},
		{"cho em 50 quả ship tận nơi", orderSaid{Quantity: vn.Quantity{Milli: 50_000, Unit: vn.UnitQua}, Delivery: "deliver"}},
		// The address's number is no quantity; nor is a phone number.
		{"giao 12 Trần Phú", orderSaid{Delivery: "deliver", Address: "12 Trần Phú"}},
		{"0912 345 678", orderSaid{}},
		{"lấy 20", orderSaid{}}, // 20 what: asked, not guessed
		{"giao 20kg về Hà Nội", orderSaid{Quantity: kg(20), Delivery: "deliver", Address: "Hà Nội"}},
		{"lấy 20kg giao cho mình ở Cầu Giấy", orderSaid{Quantity: kg(20), Delivery: "deliver", Address: "Cầu Giấy"}},
		{"gửi cho mình 20kg, chuyển khoản trước", orderSaid{Quantity: kg(20)}},
		// Said twice: one amount, or two to be confirmed.
		{"lấy 2 tấn (2000kg)", orderSaid{Quantity: vn.Quantity{Milli: 2000, Unit: vn.UnitTan}}},
		{"lấy 2 tấn (200kg)", orderSaid{Quantity: vn.Quantity{Milli: 2000, Unit: vn.UnitTan}, Unsure: true}},
		{"20kg à không 30kg", orderSaid{Quantity: kg(20), Unsure: true}},
		{"lấy 1 tấn 200 kg", orderSaid{Quantity: vn.Quantity{Milli: 1200, Unit: vn.UnitTan}}},
		{"lấy 20kg nhé, giao 12 Trần Phú, số mình 0987654321", orderSaid{Quantity: kg(20), Delivery: "deliver"}},
		{"lấy 20 kg, sdt 0987 654 321", orderSaid{Quantity: kg(20)}},
		{"còn không ạ?", orderSaid{}},
		// Words after giao that are no place leave the address to be asked;
		// a question about delivery is no delivery; "quả lấy" is no pickup.
		{"lấy 10kg, giao chiều nay nhé", orderSaid{Quantity: kg(10), Delivery: "deliver"}},
		{"lấy 10kg giao cho chồng mình", orderSaid{Quantity: kg(10), Delivery: "deliver"}},
		{"lấy 10kg, ship nhanh giúp", orderSaid{Quantity: kg(10), Delivery: "deliver"}},
		{"có giao không, lấy 10kg", orderSaid{Quantity: kg(10)}},
		{"giao hàng tận nơi không? lấy 30kg", orderSaid{Quantity: kg(30)}},
		{"mua 20 quả lấy về biếu", orderSaid{Quantity: vn.Quantity{Milli: 20_000, Unit: vn.UnitQua}}},
		{"lấy 2 tạ, 200kg", orderSaid{Quantity: vn.Quantity{Milli: 2000, Unit: vn.UnitTa}}},
		{"Na năm nay đẹp quá", orderSaid{}},
	} {
		if got := readOrderSaid(c.text); got != c.want {
			t.Errorf("%q: %+v, want %+v", c.text, got, c.want)
		}
	}
}

// payloadPattern is what Telegram accepts as a start parameter.
var payloadPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func TestADeepLinkCarriesTheQuantity(t *testing.T) {
	for _, q := range []vn.Quantity{{Milli: 20_000, Unit: vn.UnitKg}, {Milli: 1500, Unit: vn.UnitTa}, {Milli: 50_000, Unit: vn.UnitQua},
		{Milli: 250, Unit: vn.UnitTan}, {Milli: 1, Unit: vn.UnitKg}} {
		arg := quantityArg(q)
		back, ok := parseQuantityArg(arg)
		if !ok || back != q {
			t.Errorf("%+v went as %q and came back as %+v (%v)", q, arg, back, ok)
		}
		if payload := (Action{Kind: ActOrder, Code: "NS-7K2Q", Quantity: arg}).Payload(); !payloadPattern.MatchString(payload) {
			t.Errorf("payload %q is not a Telegram start parameter", payload)
		}
	}
	if got := quantityArg(vn.Quantity{Milli: 20_000, Unit: vn.UnitKg}); got != "q20kg" {
		t.Errorf("20 kg as %q, want q20kg", got)
	}
	if got := quantityArg(vn.Quantity{Milli: 1500, Unit: vn.UnitTa}); got != "q1p5ta" {
		t.Errorf("1,5 tạ as %q, want q1p5ta", got)
	}
	for _, bad := range []string{"", "q", "20kg", "q20", "q20bich", "q0kg", "qxkg"} {
		if q, ok := parseQuantityArg(bad); ok {
			t.Errorf("%q read as %+v", bad, q)
		}
	}
}

// A deep link's quantity, however mangled, reads back only as a quantity
// that writes the same link.
func FuzzParseQuantityArg(f *testing.F) {
	for _, s := range []string{"q20kg", "q1p5ta", "q0kg", "q", "q1p", "q999999999p999tan", "qp5kg", "q20bich"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, ok := parseQuantityArg(s)
		if !ok {
			return
		}
		if q.Milli <= 0 || !q.Unit.Valid() {
			t.Fatalf("%q read as %+v", s, q)
		}
		if back, ok := parseQuantityArg(quantityArg(q)); !ok || back != q {
			t.Fatalf("%q read as %+v, written %q, read back as %+v", s, q, quantityArg(q), back)
		}
	})
}

// Whatever a buyer writes, the reading never panics, never takes an
// address holding a phone number, and a quantity is one to order.
func FuzzReadOrderSaid(f *testing.F) {
	for _, s := range []string{"lấy 20kg", "mua 2 tấn (200kg) giao 12 Trần Phú", "giao", "giao 20kg", "(((", "0912345678 giao 0912345678",
		"ship về nhà 5 tạ rưỡi", "tự lấy"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		said := readOrderSaid(s)
		switch {
		case said.Quantity.Milli < 0 || said.Quantity.Milli > 0 && !said.Quantity.Unit.Valid():
			t.Fatalf("%q: quantity %+v", s, said.Quantity)
		case said.Address != "" && (vn.ContainsPhone(said.Address) || said.Delivery != "deliver"):
			t.Fatalf("%q: address %q (%s)", s, said.Address, said.Delivery)
		case said.Unsure && said.Quantity.Milli == 0:
			t.Fatalf("%q: unsure of no quantity", s)
		}
	})
}

// Only the start of a long message is read: a group member replying with
// thousands of digits does not keep the bot busy (it took 90 s).
func TestALongMessageIsReadOnlyForItsStart(t *testing.T) {
	if said := readOrderSaid(strings.Repeat("na ", 150) + "lấy 20kg"); said.Quantity.Milli != 0 {
		t.Errorf("a quantity past the start was read: %+v", said)
	}
	start := time.Now()
	readOrderSaid(strings.Repeat("1 ", 2000))
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("2000 digits took %v", took)
	}
}
