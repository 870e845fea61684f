package vn

import (
	"errors"
	"math"
	"testing"
)

func TestParsePrice(t *testing.T) {
	tests := []struct {
		in   string
		want Price
		err  error
	}{
		// DOMAIN.md: 25 000
		{"25000", Price{25000, ""}, nil},
		{"25.000", Price{25000, ""}, nil},
		{"25,000", Price{25000, ""}, nil},
		{"25000đ", Price{25000, ""}, nil},
		{"25.000 đồng", Price{25000, ""}, nil},
		{"25.000 vnđ", Price{25000, ""}, nil},
		{"25000 VND", Price{25000, ""}, nil},
		{"25.000₫", Price{25000, ""}, nil},
		{"25k", Price{25000, ""}, nil},
		{"25 k", Price{25000, ""}, nil},
		{"25K", Price{25000, ""}, nil},
		{"25 nghìn", Price{25000, ""}, nil},
		{"25 ngàn", Price{25000, ""}, nil},
		{"25 nghin", Price{25000, ""}, nil},
		{"25 ngan", Price{25000, ""}, nil},
		// DOMAIN.md: 25 500
		{"25 nghìn rưỡi", Price{25500, ""}, nil},
		{"25,5k", Price{25500, ""}, nil},
		// DOMAIN.md: 1 200 000
		{"1tr2", Price{1200000, ""}, nil},
		{"1 triệu 2", Price{1200000, ""}, nil},
		{"1,2 triệu", Price{1200000, ""}, nil},
		{"1.2tr", Price{1200000, ""}, nil},
		{"1 củ 2", Price{1200000, ""}, nil},
		// DOMAIN.md: 1 500 000
		{"1 triệu rưỡi", Price{1500000, ""}, nil},
		{"1tr5", Price{1500000, ""}, nil},
		// DOMAIN.md: per unit
		{"2 triệu/tạ", Price{2000000, UnitTa}, nil},
		{"25 nghìn/kg", Price{25000, UnitKg}, nil},
		{"25k 1 kg", Price{25000, UnitKg}, nil},
		// Answering the price question, a number and a unit after the
		// amount are its last digits and its unit; one that counts days
		// from now is no part of it.
		{"1 triệu 2 tạ", Price{1200000, UnitTa}, nil},
		{"25 nghìn 5 kg", Price{25500, UnitKg}, nil},
		{"2 triệu 3", Price{2300000, ""}, nil},
		{"25k 2 ngày nữa", Price{}, ErrNotPrice},
		{"25k một cân", Price{25000, UnitKg}, nil},
		// DOMAIN.md: ranges, free, implausible
		{"35-40k", Price{}, ErrPriceRange},
		{"35 đến 40 nghìn", Price{}, ErrPriceRange},
		{"0", Price{}, ErrFree},
		{"miễn phí", Price{}, ErrFree},
		{"10 tỷ/kg", Price{10_000_000_000, UnitKg}, nil}, // parsed; PlausiblePrice rejects

		// Spacing, case, decomposed input, filler words.
		{"  25   NGHÌN  ", Price{25000, ""}, nil},
		{"25 nghi\u0300n", Price{25000, ""}, nil}, // NFD
		{"25 000", Price{25000, ""}, nil},
		{"25 000 đ/kg", Price{25000, UnitKg}, nil},
		{"1.000.000", Price{1000000, ""}, nil},
		{"1,000,000 vnd", Price{1000000, ""}, nil},
		{"giá 25k/kg nhé", Price{25000, UnitKg}, nil},
		{"tầm 25k thôi", Price{25000, ""}, nil},
		{"khoảng 25 nghìn đồng 1 ký", Price{25000, UnitKg}, nil},
		{"25.000đ/kg", Price{25000, UnitKg}, nil},
		{"25.000 đ / 1 kg", Price{25000, UnitKg}, nil},
		{"25k/ký", Price{25000, UnitKg}, nil},
		{"25k mỗi cân", Price{25000, UnitKg}, nil},
		{"một cân 25 nghìn", Price{25000, UnitKg}, nil},
		{"1 kg là 25k", Price{25000, UnitKg}, nil},
		{"2tr/tấn", Price{2000000, UnitTan}, nil},
		{"2tr/t", Price{2000000, UnitTan}, nil},
		{"1tr2/tạ", Price{1200000, UnitTa}, nil},
		{"1tr2 tạ", Price{1200000, UnitTa}, nil},
		{"2 triệu 1 tạ", Price{2000000, UnitTa}, nil},
		{"2tr1 tạ", Price{2100000, UnitTa}, nil},
		{"5k/quả", Price{5000, UnitQua}, nil},
		{"5k/trái", Price{5000, UnitQua}, nil},
		{"50k/chục", Price{50000, UnitChuc}, nil},
		{"150k/con", Price{150000, UnitCon}, nil},
		{"350k/lít", Price{350000, UnitLit}, nil},
		{"50k/100g", Price{50000, UnitLang}, nil},
		{"20k/lạng", Price{20000, UnitLang}, nil},
		{"100k/5kg", Price{20000, UnitKg}, nil},
		{"50k/10 quả", Price{5000, UnitQua}, nil},
		{"100k/3kg", Price{33333, UnitKg}, nil}, // rounded to the dong
		{"1 triệu 200 nghìn", Price{1200000, ""}, nil},
		{"1tr200k", Price{1200000, ""}, nil},
		{"1 triệu 250", Price{1250000, ""}, nil},
		{"1tr25", Price{1250000, ""}, nil},
		{"25k5", Price{25500, ""}, nil},
		{"25 nghìn 500", Price{25500, ""}, nil},
		{"1 triệu 2 trăm", Price{1200000, ""}, nil},
		{"1 triệu 2 trăm nghìn", Price{1200000, ""}, nil},
		{"5 trăm", Price{500, ""}, nil},
		{"5 trăm nghìn", Price{500000, ""}, nil},
		{"hai triệu", Price{2000000, ""}, nil},
		{"ba trăm nghìn", Price{300000, ""}, nil},
		{"tám nghìn", Price{8000, ""}, nil},
		{"1 tỷ 2", Price{1200000000, ""}, nil},
		{"1.500k", Price{1500000, ""}, nil}, // Vietnamese thousands dot
		{"0,5k", Price{500, ""}, nil},
		{"1,2345 triệu", Price{1234500, ""}, nil},
		{"25", Price{25, ""}, nil}, // literal; PlausiblePrice rejects
		{"35k - 40k", Price{}, ErrPriceRange},
		{"35 – 40k", Price{}, ErrPriceRange},
		{"từ 35 đến 40 nghìn", Price{}, ErrPriceRange},
		{"35 tới 40k", Price{}, ErrPriceRange},
		{"35k hoặc 40k", Price{}, ErrPriceRange},
		{"25.000-30.000", Price{}, ErrPriceRange},
		{"0đ", Price{}, ErrFree},
		{"0k/kg", Price{}, ErrFree},
		{"cho không", Price{}, ErrFree},
		{"Miễn phí ạ", Price{}, ErrFree},
		{"free", Price{}, ErrFree},
		{"", Price{}, ErrNotPrice},
		{"abc", Price{}, ErrNotPrice},
		{"bao nhiêu", Price{}, ErrNotPrice},
		{"-25k", Price{}, ErrNotPrice},
		{"25.5", Price{}, ErrNotPrice}, // a fraction of a dong
		{"25k 30k", Price{}, ErrNotPrice},
		{"25k ship 10k", Price{}, ErrNotPrice},
		{"25k/", Price{}, ErrNotPrice},
		{"25k/bịch", Price{}, ErrUnknownUnit},
		// "chủ" and "nhất" after a price are politeness, the two a day:
		// the price question leaves "25k chủ nhật" to the listing's reader
		{"25k chủ nhật", Price{}, ErrNotPrice},
		{"25k chu nhat", Price{}, ErrNotPrice},
		{"25k chứ", Price{25000, ""}, nil},
		{"25k là nhất", Price{25000, ""}, nil},
		{"100k/buồng", Price{100_000, UnitBuong}, nil},
		{"15k một nải", Price{15000, UnitNai}, nil},
		{"1.23.4", Price{}, ErrNotPrice},
		{"25k 1tr", Price{}, ErrNotPrice}, // multipliers must decrease
		{"k", Price{}, ErrNotPrice},
		{"99999999999999999999", Price{}, ErrTooLarge},
		{"2 triệu tỷ tỷ", Price{}, ErrNotPrice},
	}
	for _, tt := range tests {
		got, err := ParsePrice(tt.in)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("ParsePrice(%q) = %+v, %v; want %+v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestPricePerKg(t *testing.T) {
	tests := []struct {
		p    Price
		want int64
		ok   bool
	}{
		{Price{2000000, UnitTa}, 20000, true},
		{Price{25000, UnitKg}, 25000, true},
		{Price{20000000, UnitTan}, 20000, true},
		{Price{300000, UnitYen}, 30000, true},
		{Price{20000, UnitLang}, 200000, true},
		{Price{25001, UnitTa}, 250, true}, // rounded
		{Price{25000, ""}, 0, false},
		{Price{5000, UnitQua}, 0, false},
	}
	for _, tt := range tests {
		got, ok := tt.p.PerKgVND()
		if got != tt.want || ok != tt.ok {
			t.Errorf("%+v.PerKgVND() = %d, %v; want %d, %v", tt.p, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPlausiblePrice(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"25k", true},
		{"25k/kg", true},
		{"2 triệu/tạ", true},
		{"150k/kg", true},   // star anise
		{"200k/kg", true},   // star anise
		{"450k/lít", true},  // honey
		{"500k/kg", true},   // honey
		{"10 tỷ/kg", false}, // DOMAIN.md
		{"10 tỷ", false},
		{"2tr/kg", false},
		{"25", false}, // 25 đ: the farmer meant 25k
		{"25/kg", false},
		{"25k/tấn", false}, // 25 đ/kg
		{"3k/quả", true},
		{"5tr/quả", false},
		{"40 triệu/con", true}, // a buffalo
		{"200 triệu/con", false},
		{"6 triệu/bao", true},
		{"1tr/bó", true},
		{"2tr/bó", false},
		{"150k/buồng", true},
		{"5tr/buồng", false},
		{"20k/nải", true},
		{"10tr/cây", true}, // a peach tree for Tết
		{"15k/mớ", true},
	}
	for _, tt := range tests {
		p, err := ParsePrice(tt.in)
		if err != nil {
			t.Fatalf("ParsePrice(%q): %v", tt.in, err)
		}
		if got := PlausiblePrice(p); got != tt.want {
			t.Errorf("PlausiblePrice(%q = %+v) = %v, want %v", tt.in, p, got, tt.want)
		}
	}
	if PlausiblePrice(Price{}) || PlausiblePrice(Price{0, UnitKg}) || PlausiblePrice(Price{-5, UnitKg}) {
		t.Error("a zero or negative price is plausible")
	}
	if PlausiblePrice(Price{25000, "xyz"}) {
		t.Error("an unknown unit is plausible")
	}
}

func TestPriceTotal(t *testing.T) {
	tests := []struct {
		p    Price
		q    Quantity
		want int64
		ok   bool
	}{
		{Price{25000, UnitKg}, Quantity{50000, UnitKg}, 1250000, true},
		{Price{2000000, UnitTa}, Quantity{150000, UnitKg}, 3000000, true},
		{Price{2000000, UnitTa}, Quantity{1500, UnitTan}, 30000000, true},
		{Price{25000, ""}, Quantity{1500, UnitKg}, 37500, true},
		{Price{5000, UnitQua}, Quantity{20000, UnitQua}, 100000, true},
		{Price{20000, UnitLang}, Quantity{1, UnitKg}, 200, true},
		{Price{33333, UnitKg}, Quantity{1500, UnitKg}, 50000, true}, // 49999,5 rounds up
		{Price{5000, UnitQua}, Quantity{1000, UnitKg}, 0, false},
		{Price{1_000_000_000, UnitKg}, Quantity{1_000_000_000_000, UnitTan}, 0, false},
	}
	for _, tt := range tests {
		got, ok := tt.p.Total(tt.q)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%+v.Total(%+v) = %d, %v; want %d, %v", tt.p, tt.q, got, ok, tt.want, tt.ok)
		}
	}
}

// A price per chục of eggs counted by the piece is a tenth of it per quả;
// a chục of fruit keeps its price.
func TestPriceCounted(t *testing.T) {
	tests := []struct {
		p    Price
		u    Unit
		want Price
	}{
		{Price{30000, UnitChuc}, UnitQua, Price{3000, UnitQua}},
		{Price{35500, UnitChuc}, UnitQua, Price{3550, UnitQua}},
		{Price{30005, UnitChuc}, UnitQua, Price{30005, UnitChuc}}, // not a whole đồng a quả
		{Price{30000, UnitChuc}, UnitKg, Price{30000, UnitChuc}},
		{Price{30000, UnitChuc}, UnitChuc, Price{30000, UnitChuc}},
		{Price{3000, UnitQua}, UnitQua, Price{3000, UnitQua}},
		{Price{25000, UnitKg}, UnitQua, Price{25000, UnitKg}},
	}
	for _, tt := range tests {
		if got := tt.p.Counted(tt.u); got != tt.want {
			t.Errorf("%+v.Counted(%q) = %+v; want %+v", tt.p, tt.u, got, tt.want)
		}
	}
}

// A price per quả of eggs is ten times that per chục, a price per chục a
// tenth of it per quả; fruit's chục and quả do not convert.
func TestPriceInCounted(t *testing.T) {
	tests := []struct {
		p          Price
		u, counted Unit
		want       Price
		ok         bool
	}{
		{Price{3000, UnitQua}, UnitChuc, UnitQua, Price{30000, UnitChuc}, true},
		{Price{30000, UnitChuc}, UnitQua, UnitQua, Price{3000, UnitQua}, true},
		{Price{30005, UnitChuc}, UnitQua, UnitQua, Price{}, false}, // not a whole đồng a quả
		{Price{30000, UnitChuc}, UnitChuc, UnitQua, Price{30000, UnitChuc}, true},
		{Price{30000, UnitChuc}, UnitChuc, "", Price{30000, UnitChuc}, true},
		{Price{3000, UnitQua}, UnitChuc, "", Price{}, false}, // a chục of fruit is not always ten
		{Price{30000, UnitChuc}, UnitQua, "", Price{}, false},
		{Price{25000, UnitKg}, UnitChuc, UnitQua, Price{}, false},
		{Price{3000, UnitQua}, UnitKg, UnitQua, Price{}, false},
		{Price{math.MaxInt64, UnitQua}, UnitChuc, UnitQua, Price{}, false},
	}
	for _, tt := range tests {
		if got, ok := tt.p.InCounted(tt.u, tt.counted); got != tt.want || ok != tt.ok {
			t.Errorf("%+v.InCounted(%q, %q) = %+v, %v; want %+v, %v", tt.p, tt.u, tt.counted, got, ok, tt.want, tt.ok)
		}
	}
}

// A price per chục of eggs below ten eggs at 1.000 đ is surely per quả;
// a chục of fruit has no such bound.
func TestPriceCheapChuc(t *testing.T) {
	tests := []struct {
		p       Price
		counted Unit
		want    bool
	}{
		{Price{3000, UnitChuc}, UnitQua, true},
		{Price{9999, UnitChuc}, UnitQua, true},
		{Price{10000, UnitChuc}, UnitQua, false},
		{Price{30000, UnitChuc}, UnitQua, false},
		{Price{3000, UnitChuc}, "", false},
		{Price{3000, UnitQua}, UnitQua, false},
		{Price{3000, UnitKg}, UnitQua, false},
	}
	for _, tt := range tests {
		if got := tt.p.CheapChuc(tt.counted, 0); got != tt.want {
			t.Errorf("%+v.CheapChuc(%q, 0) = %v; want %v", tt.p, tt.counted, got, tt.want)
		}
	}
	// Quail eggs (piece_min 200 đ): a chục at 3.000–6.000 đ is their price.
	for _, tt := range []struct {
		p    Price
		want bool
	}{
		{Price{3000, UnitChuc}, false},
		{Price{2000, UnitChuc}, false},
		{Price{1999, UnitChuc}, true},
		{Price{500, UnitChuc}, true},
	} {
		if got := tt.p.CheapChuc(UnitQua, 200); got != tt.want {
			t.Errorf("%+v.CheapChuc(qua, 200) = %v; want %v", tt.p, got, tt.want)
		}
	}
}

func FuzzParsePrice(f *testing.F) {
	for _, s := range []string{"25000", "25.000 đ", "25,5k", "1tr2", "1 củ 2", "2 triệu/tạ",
		"25k một cân", "35-40k", "miễn phí", "10 tỷ/kg", "50k/100g", "1 triệu 2 trăm",
		"25 000", "1.234,5k", "\xff", "/", "1 kg 25k", "100k/0kg", "hai lăm", "ba mươi nghìn",
		"hai chục nghìn", "30 cành", "25k (25.000đ)", "25k (20.000đ)", "dạ em để giá 25k ạ", "(", "25k ="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePrice(s)
		if errors.Is(err, ErrUnsure) {
			if p.VND <= 0 {
				t.Fatalf("ParsePrice(%q) = %+v, unsure", s, p)
			}
			return
		}
		if err != nil {
			if p != (Price{}) {
				t.Fatalf("ParsePrice(%q) = %+v with error %v", s, p, err)
			}
			return
		}
		if p.VND <= 0 || p.VND > 1e15 {
			t.Fatalf("ParsePrice(%q) = %+v: not in 1..10^15", s, p)
		}
		if p.Per != "" && !p.Per.Valid() {
			t.Fatalf("ParsePrice(%q) = %+v: unit not canonical", s, p)
		}
		// What the bot echoes back reads the same.
		echo := FormatNumber(p.VND) + " \u0111"
		if p.Per != "" {
			echo += "/" + string(p.Per)
		}
		if q, err := ParsePrice(echo); err != nil || q != p {
			t.Fatalf("ParsePrice(%q) = %+v, but its echo %q = %+v, %v", s, p, echo, q, err)
		}
		_ = PlausiblePrice(p)
		_, _ = p.PerKgVND()
	})
}
