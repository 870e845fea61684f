package vn

import (
	"errors"
	"math"
	"testing"
)

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in   string
		def  Unit
		want Quantity
		err  error
	}{
		// DOMAIN.md
		{"500kg", "", Quantity{500000, UnitKg}, nil},
		{"500 kg", "", Quantity{500000, UnitKg}, nil},
		{"5 tạ", "", Quantity{5000, UnitTa}, nil},
		{"nửa tấn", "", Quantity{500, UnitTan}, nil},
		{"1,5 tấn", "", Quantity{1500, UnitTan}, nil},
		{"2 tấn rưỡi", "", Quantity{2500, UnitTan}, nil},
		{"Lạng Sơn", UnitKg, Quantity{}, ErrNoNumber},
		{"tan roi", UnitKg, Quantity{}, ErrNoNumber},
		// Unit table of DOMAIN.md
		{"3 ký", "", Quantity{3000, UnitKg}, nil},
		{"3 kí", "", Quantity{3000, UnitKg}, nil},
		{"3 ki lô", "", Quantity{3000, UnitKg}, nil},
		{"3 kilo", "", Quantity{3000, UnitKg}, nil},
		{"3 cân", "", Quantity{3000, UnitKg}, nil},
		{"2 yến", "", Quantity{2000, UnitYen}, nil},
		{"2 yen", "", Quantity{2000, UnitYen}, nil},
		{"5 ta", "", Quantity{5000, UnitTa}, nil},
		{"5 tan", "", Quantity{5000, UnitTan}, nil},
		{"5t", "", Quantity{5000, UnitTan}, nil},
		{"5 lạng", "", Quantity{5000, UnitLang}, nil},
		{"5 lang", "", Quantity{5000, UnitLang}, nil},
		{"20 quả", "", Quantity{20000, UnitQua}, nil},
		{"20 qua", "", Quantity{20000, UnitQua}, nil},
		{"20 trái", "", Quantity{20000, UnitQua}, nil},
		{"20 trai", "", Quantity{20000, UnitQua}, nil},
		{"3 chục", "", Quantity{3000, UnitChuc}, nil},
		// counts kept as the farmer names them, never converted to kg
		{"20 buồng", UnitKg, Quantity{20000, UnitBuong}, nil},
		{"20 buong", UnitKg, Quantity{20000, UnitBuong}, nil},
		{"50 nải", UnitKg, Quantity{50000, UnitNai}, nil},
		{"10 sọt", UnitKg, Quantity{10000, UnitSot}, nil},
		{"5 bì", UnitKg, Quantity{5000, UnitBi}, nil},
		{"30 mớ", UnitKg, Quantity{30000, UnitMo}, nil},
		{"100 cây", UnitKg, Quantity{100_000, UnitCay}, nil},
		{"40 hộp", UnitKg, Quantity{40000, UnitHop}, nil},
		{"3 kiện", UnitKg, Quantity{3000, UnitKien}, nil},
		{"hai chục buồng", UnitKg, Quantity{20000, UnitBuong}, nil},
		{"3 chuc", "", Quantity{3000, UnitChuc}, nil},
		// a chục of fruit is its own unit: quả after it names what is counted
		{"3 chục quả", "", Quantity{3000, UnitChuc}, nil},
		{"5 chuc trai", "", Quantity{5000, UnitChuc}, nil},
		{"hai chục quả", "", Quantity{2000, UnitChuc}, nil},
		// where quả are counted (eggs by the piece), "chục quả" is tens of them
		{"3 chục quả", UnitQua, Quantity{30_000, UnitQua}, nil},
		{"hai chục quả", UnitQua, Quantity{20_000, UnitQua}, nil},
		// but a bare chục stays a chục: only the flow knows whether the
		// product's is ten (eggs: Quantity.Counted) or not (a pomelo's)
		{"2 chục", UnitQua, Quantity{2000, UnitChuc}, nil},
		{"hai chục", UnitQua, Quantity{2000, UnitChuc}, nil},
		{"ba chục", UnitQua, Quantity{3000, UnitChuc}, nil},
		{"chục rưỡi", UnitQua, Quantity{1500, UnitChuc}, nil},
		{"2 chục rưỡi", UnitQua, Quantity{2500, UnitChuc}, nil},
		{"nửa chục", UnitQua, Quantity{500, UnitChuc}, nil},
		{"em lấy 2 chục nhé", UnitQua, Quantity{2000, UnitChuc}, nil},
		{"2 chục (20 quả)", UnitQua, Quantity{2000, UnitChuc}, ErrUnsure},
		{"chục rưỡi quả", UnitQua, Quantity{15_000, UnitQua}, nil},
		{"2 chục rưỡi quả", UnitQua, Quantity{25_000, UnitQua}, nil},
		{"hai chục rưỡi quả", UnitQua, Quantity{25_000, UnitQua}, nil},
		{"2 chuc ruoi trai", UnitQua, Quantity{25_000, UnitQua}, nil},
		{"2 chục quả rưỡi", UnitQua, Quantity{25_000, UnitQua}, nil}, // half a chục, not half an egg
		// a chục and some quả of eggs are quả: 2 chục 5 quả is 25 quả (2,5 chục)
		{"2 chục 5 quả", UnitQua, Quantity{25_000, UnitQua}, nil},
		{"2 chuc 5 qua", UnitQua, Quantity{25_000, UnitQua}, nil},
		{"hai chục năm quả", UnitQua, Quantity{25_000, UnitQua}, nil},
		{"hai chục lăm quả", UnitQua, Quantity{25_000, UnitQua}, nil},
		{"3 chục 7 trái nhé", UnitQua, Quantity{37_000, UnitQua}, nil},
		{"còn 2 chục 0 quả", UnitQua, Quantity{20_000, UnitQua}, nil},
		{"2 chục 15 quả", UnitQua, Quantity{}, ErrNotQuantity},  // no one counts so
		{"2,5 chục 3 quả", UnitQua, Quantity{}, ErrNotQuantity}, // nor so
		{"2 chục 5", UnitQua, Quantity{2500, UnitChuc}, nil},    // as "1 tấn 2"
		// a chục of fruit stays a chục, rưỡi included, whatever else is the default
		{"2 chục 5 quả", "", Quantity{}, ErrNotQuantity}, // its chục may not be ten
		{"2 chục 5 quả", UnitKg, Quantity{}, ErrNotQuantity},
		{"2 chục", "", Quantity{2000, UnitChuc}, nil},
		{"hai chục", UnitKg, Quantity{2000, UnitChuc}, nil},
		{"ba chục", UnitChuc, Quantity{3000, UnitChuc}, nil},
		{"chục rưỡi", "", Quantity{1500, UnitChuc}, nil},
		{"chục rưỡi quả", UnitKg, Quantity{1500, UnitChuc}, nil},
		{"2 chục rưỡi", "", Quantity{2500, UnitChuc}, nil},
		{"2 chục rưỡi", UnitKg, Quantity{2500, UnitChuc}, nil},
		{"2 chục rưỡi quả", "", Quantity{2500, UnitChuc}, nil},
		{"hai chục rưỡi quả", UnitKg, Quantity{2500, UnitChuc}, nil},
		{"2 chục quả rưỡi", "", Quantity{2500, UnitChuc}, nil},
		{"2 chục (20 quả)", "", Quantity{2000, UnitChuc}, ErrUnsure},
		{"10 thùng", "", Quantity{10000, UnitThung}, nil},
		{"4 bao", "", Quantity{4000, UnitBao}, nil},
		{"30 bó", "", Quantity{30000, UnitBo}, nil},
		{"12 con", "", Quantity{12000, UnitCon}, nil},
		{"5 lít", "", Quantity{5000, UnitLit}, nil},
		{"1,5l", "", Quantity{1500, UnitLit}, nil},
		// Defaults, separators, habits.
		{"500", UnitKg, Quantity{500000, UnitKg}, nil},
		{"500", UnitQua, Quantity{500000, UnitQua}, nil},
		{"500", "", Quantity{}, ErrNoUnit},
		{"1.000 kg", "", Quantity{1000000, UnitKg}, nil},
		{"1.000", UnitKg, Quantity{1000000, UnitKg}, nil},
		{"1 000 kg", "", Quantity{1000000, UnitKg}, nil},
		{"1,000 kg", "", Quantity{1000000, UnitKg}, nil},
		{"1,500 kg", "", Quantity{1500, UnitKg}, nil}, // Vietnamese decimal comma
		{"1.5 tấn", "", Quantity{1500, UnitTan}, nil},
		{"1.234,5 kg", "", Quantity{1234500, UnitKg}, nil},
		{"0,25 tấn", "", Quantity{250, UnitTan}, nil},
		{"2 rưỡi", UnitTa, Quantity{2500, UnitTa}, nil},
		{"tạ rưỡi", "", Quantity{1500, UnitTa}, nil},
		{"1 tấn 2", "", Quantity{1200, UnitTan}, nil},
		{"5 tạ 3 ngày nữa", "", Quantity{}, ErrNotQuantity}, // 5 tạ, then a time
		{"1 tạ 20", "", Quantity{1200, UnitTa}, nil},
		{"2 yến 5", "", Quantity{2500, UnitYen}, nil},
		{"1 tấn 200 kg", "", Quantity{1200, UnitTan}, nil},
		{"2 kg 3 lạng", "", Quantity{2300, UnitKg}, nil},
		{"1 tấn 5 lạng", "", Quantity{10005000, UnitLang}, nil},
		{"500g", "", Quantity{500, UnitKg}, nil},
		{"500 gam", "", Quantity{500, UnitKg}, nil},
		{"một tấn", "", Quantity{1000, UnitTan}, nil},
		{"hai tạ", "", Quantity{2000, UnitTa}, nil},
		{"tám tạ", "", Quantity{8000, UnitTa}, nil},
		{"tầm 5 tạ", "", Quantity{5000, UnitTa}, nil},
		{"khoảng nửa tấn", "", Quantity{500, UnitTan}, nil},
		{"còn 2 tấn", "", Quantity{2000, UnitTan}, nil},
		{"có tạ rưỡi", "", Quantity{1500, UnitTa}, nil},
		{"5 tạ thôi", "", Quantity{5000, UnitTa}, nil},
		{"5 tấn rồi", "", Quantity{5000, UnitTan}, nil},
		{"2 trăm kg", "", Quantity{200000, UnitKg}, nil},
		{"3 nghìn quả", "", Quantity{3000000, UnitQua}, nil},
		{"2 trăm rưỡi kg", "", Quantity{250000, UnitKg}, nil},
		{"  5   TẠ ", "", Quantity{5000, UnitTa}, nil},
		{"5 ta\u0323", "", Quantity{5000, UnitTa}, nil}, // NFD
		{"1,2345 kg", "", Quantity{1235, UnitKg}, nil},  // rounded to the thousandth
		// Errors.
		{"500 Lạng Sơn", UnitKg, Quantity{}, ErrUnknownUnit},
		{"5 lạng sơn", UnitKg, Quantity{}, ErrUnknownUnit},
		{"5 xyz", UnitKg, Quantity{}, ErrUnknownUnit},
		{"5 tạ na", "", Quantity{}, ErrNotQuantity},
		{"tấn", UnitKg, Quantity{}, ErrNoNumber},
		{"", UnitKg, Quantity{}, ErrNoNumber},
		{"abc", UnitKg, Quantity{}, ErrNoNumber},
		{"0", UnitKg, Quantity{}, ErrZero},
		{"0 kg", "", Quantity{}, ErrZero},
		{"0,0001 kg", "", Quantity{}, ErrZero},
		{"5-6 tạ", "", Quantity{}, ErrQuantityRange},
		{"5 đến 6 tạ", "", Quantity{}, ErrQuantityRange},
		{"-5 kg", "", Quantity{}, ErrNotQuantity},
		{"5 kg 2 bao", "", Quantity{}, ErrNotQuantity},
		{"5 kg 2 tấn", "", Quantity{}, ErrNotQuantity},
		{"1.23.4 kg", "", Quantity{}, ErrNotQuantity},
		{"99999999999999 tấn", "", Quantity{}, ErrTooLarge},
	}
	for _, tt := range tests {
		got, err := ParseQuantity(tt.in, tt.def)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("ParseQuantity(%q, %q) = %+v, %v; want %+v, %v", tt.in, tt.def, got, err, tt.want, tt.err)
		}
	}
}

// A unit's word that is the product's name spelled otherwise counts the
// product: "bí" folds to "bi", a bì (sack), but 20 bí of bí đỏ are 20
// quả; so are 20 bơ (not bó) and 20 mơ (not mớ); 20 bò are 20 con. The
// unit written as such stays the unit, and a name that is the unit's own
// word (cây giống: cây) changes nothing, nor does a name that only folds
// to a weight unit's word (cần tây: can, cân). Any other name whose first
// word folds to a count unit's ("Bào ngư": bao) names the product: it is
// counted as the product is, or its unit is asked (ErrNoUnit).
func TestParseQuantityOfAProduct(t *testing.T) {
	tests := []struct {
		in, product string
		def         Unit
		want        Quantity
		err         error
	}{
		{"20 bí", "bí đỏ", UnitKg, Quantity{20000, UnitQua}, nil},
		{"20 bi", "bí đỏ", UnitKg, Quantity{20000, UnitQua}, nil},
		{"20 BÍ", "Bí xanh", UnitKg, Quantity{20000, UnitQua}, nil},
		{"20 bí đỏ", "bí đỏ", UnitKg, Quantity{20000, UnitQua}, nil},
		{"hai mươi bí", "bí đỏ", UnitKg, Quantity{20000, UnitQua}, nil},
		{"20 bi", "bi do", UnitKg, Quantity{20000, UnitQua}, nil},
		{"dạ 20 bí thôi ạ", "bí đỏ", UnitKg, Quantity{20000, UnitQua}, nil},
		{"20 bì", "bí đỏ", UnitKg, Quantity{20000, UnitBi}, nil},
		{"20 bì", "", UnitKg, Quantity{20000, UnitBi}, nil},
		{"20 bí", "", UnitKg, Quantity{20000, UnitBi}, nil}, // no product: folded, a bì
		{"5 tạ", "bí đỏ", UnitKg, Quantity{5000, UnitTa}, nil},
		{"20", "bí đỏ", UnitKg, Quantity{20000, UnitKg}, nil},
		{"20 quả", "bí đỏ", UnitKg, Quantity{20000, UnitQua}, nil},
		{"20 bơ", "Bơ sáp", UnitKg, Quantity{20000, UnitQua}, nil},
		{"20 bo", "quả bơ", UnitKg, Quantity{20000, UnitQua}, nil},
		{"20 bó", "bơ", UnitKg, Quantity{20000, UnitBo}, nil},
		{"20 mơ", "mơ", UnitKg, Quantity{20000, UnitQua}, nil},
		{"20 mớ", "mơ", UnitKg, Quantity{20000, UnitMo}, nil},
		{"3 bò", "bò", UnitKg, Quantity{3000, UnitCon}, nil},
		{"3 bó", "rau", UnitKg, Quantity{3000, UnitBo}, nil},
		{"20 cây", "cây giống", UnitKg, Quantity{20000, UnitCay}, nil},
		{"20 cay", "cây giống", UnitKg, Quantity{20000, UnitCay}, nil},
		{"20 bí ngô", "bí đỏ", UnitKg, Quantity{}, ErrNotQuantity},
		// A weight unit's word is the unit, whatever the product's name
		// folds to: 5 can of a free-typed "Cần tây" are 5 cân (kg).
		{"5 can", "Cần tây", UnitKg, Quantity{5000, UnitKg}, nil},
		{"5 cân", "Cần tây", UnitKg, Quantity{5000, UnitKg}, nil},
		{"5 can", "cần", UnitQua, Quantity{5000, UnitKg}, nil},
		{"5 tan", "Tần ô", UnitKg, Quantity{5000, UnitTan}, nil},
		{"3 ta", "Tà lại", UnitKg, Quantity{3000, UnitTa}, nil},
		{"2 yen", "Yến sào", UnitKg, Quantity{2000, UnitYen}, nil},
		{"5 lang", "lăng quăng", UnitKg, Quantity{5000, UnitLang}, nil},
		{"5 ky", "Kỷ tử", UnitKg, Quantity{5000, UnitKg}, nil},
		// Any count unit's word that is the first word of the product's
		// name, spelled otherwise, names the product: it is counted in
		// the product's own count unit, or its unit is asked.
		{"20 bào", "Bào ngư", UnitKg, Quantity{}, ErrNoUnit},
		{"20 bao", "Bào ngư", UnitKg, Quantity{20000, UnitBao}, nil},
		{"20 bào ngư", "Bào ngư", UnitKg, Quantity{}, ErrNoUnit},
		{"20 bào", "Bào ngư", UnitCon, Quantity{20000, UnitCon}, nil},
		{"hai mươi bào ngư", "Bào ngư", UnitCon, Quantity{20000, UnitCon}, nil},
		{"20 bào", "Bào ngư", "", Quantity{}, ErrNoUnit},
		{"3 kg", "Bào ngư", UnitKg, Quantity{3000, UnitKg}, nil},
		{"3 con", "Bào ngư", UnitKg, Quantity{3000, UnitCon}, nil},
		{"3 mỡ", "Mỡ lợn", UnitKg, Quantity{}, ErrNoUnit},
		{"3 mớ", "Mỡ lợn", UnitKg, Quantity{3000, UnitMo}, nil},
		{"4 hợp", "Hợp tác xã", UnitHop, Quantity{4000, UnitHop}, nil},
		{"20 nải", "Chuối nải", UnitKg, Quantity{20000, UnitNai}, nil},
		{"20 nải", "Nải chuối", UnitKg, Quantity{20000, UnitNai}, nil},
		{"20 nai", "nai chuoi", UnitKg, Quantity{20000, UnitNai}, nil}, // nải chuối typed without diacritics
		{"5 cây", "cay giong", UnitKg, Quantity{5000, UnitCay}, nil},
		{"2 kiện", "Kiến vàng", UnitKg, Quantity{2000, UnitKien}, nil},
		{"2 kiến", "Kiến vàng", UnitKg, Quantity{}, ErrNoUnit},
		{"2 kiến vàng loại 1", "Kiến vàng", UnitKg, Quantity{}, ErrUnknownUnit},
		// Typed without diacritics, a count unit's word that is the first
		// word of the product's name folded ("Nai rừng": nai, a deer, or
		// nải) is the product, counted as above: its unit is asked, not
		// guessed. The unit written as the unit is the unit. A name typed
		// wholly without diacritics may be the unit's ("nai chuoi"): its
		// writer can type the unit no other way.
		{"20 nai", "Nai rừng", UnitKg, Quantity{}, ErrNoUnit},
		{"20 NAI", "Nai rừng", UnitKg, Quantity{}, ErrNoUnit},
		{"hai muoi nai", "Nai rừng", UnitKg, Quantity{}, ErrNoUnit},
		{"20 nai rung", "Nai rừng", UnitKg, Quantity{}, ErrNoUnit},
		{"20 nai", "Nai rừng", UnitCon, Quantity{20000, UnitCon}, nil},
		{"20 nai", "Nai", UnitKg, Quantity{}, ErrNoUnit},
		{"20 nải", "Nai rừng", UnitKg, Quantity{20000, UnitNai}, nil},
		{"20 con", "Nai rừng", UnitKg, Quantity{20000, UnitCon}, nil},
		{"20 kg", "Nai rừng", UnitKg, Quantity{20000, UnitKg}, nil},
		{"5 cay", "Cay xè", UnitKg, Quantity{}, ErrNoUnit},
		{"5 cây", "Cay xè", UnitKg, Quantity{5000, UnitCay}, nil},
		{"20 nai", "nai chuoi", UnitNai, Quantity{20000, UnitNai}, nil},
		{"20 nai", "Nải chuối", UnitKg, Quantity{20000, UnitNai}, nil},
		{"5 cay", "cay giong", UnitKg, Quantity{5000, UnitCay}, nil},
		{"3 mo", "Mỡ lợn", UnitKg, Quantity{}, ErrNoUnit},
		{"2 kien", "Kiến vàng", UnitKg, Quantity{}, ErrNoUnit},
	}
	for _, tt := range tests {
		got, err := ParseQuantityOf(tt.in, tt.def, tt.product)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("ParseQuantityOf(%q, %q, %q) = %+v, %v; want %+v, %v", tt.in, tt.def, tt.product, got, err, tt.want, tt.err)
		}
	}
	// What follows is left as typed.
	if q, rest, err := ParseQuantityRestOf("20 bí đỏ loại 1", UnitKg, "bí đỏ"); err != nil || q != (Quantity{20000, UnitQua}) || rest != "loại 1" {
		t.Errorf("ParseQuantityRestOf(20 bí đỏ loại 1) = %+v, %q, %v", q, rest, err)
	}
}

func TestQuantityKg(t *testing.T) {
	tests := []struct {
		q    Quantity
		want int64
		ok   bool
	}{
		{Quantity{1500, UnitTan}, 1500000, true},
		{Quantity{5000, UnitTa}, 500000, true},
		{Quantity{2000, UnitYen}, 20000, true},
		{Quantity{500000, UnitKg}, 500000, true},
		{Quantity{5000, UnitLang}, 500, true},
		{Quantity{1234, UnitLang}, 123, true}, // 123,4 g rounds
		{Quantity{20000, UnitQua}, 0, false},
	}
	for _, tt := range tests {
		got, ok := tt.q.InKg()
		if got != tt.want || ok != tt.ok {
			t.Errorf("%+v.InKg() = %d, %v; want %d, %v", tt.q, got, ok, tt.want, tt.ok)
		}
	}
	for _, u := range Units() {
		m, ok := u.Kg()
		if ok != u.IsWeight() || (ok && m <= 0) {
			t.Errorf("%s.Kg() = %d, %v", u, m, ok)
		}
	}
	if m, _ := UnitTan.Kg(); m != 1000000 {
		t.Errorf("tan = %d g", m)
	}
}

func TestQuantityArithmetic(t *testing.T) {
	kg := func(n int64) Quantity { return Quantity{n * 1000, UnitKg} }
	stock := Quantity{5000, UnitTa} // 5 ta = 500 kg
	if c, ok := stock.Cmp(kg(50)); !ok || c != 1 {
		t.Errorf("5 ta vs 50 kg = %d, %v", c, ok)
	}
	if c, ok := stock.Cmp(kg(500)); !ok || c != 0 {
		t.Errorf("5 ta vs 500 kg = %d, %v", c, ok)
	}
	if c, ok := kg(500).Cmp(Quantity{600, UnitTan}); !ok || c != -1 {
		t.Errorf("500 kg vs 0,6 tan = %d, %v", c, ok)
	}
	if left, ok := stock.Sub(kg(50)); !ok || left != kg(450) {
		t.Errorf("5 ta - 50 kg = %+v, %v", left, ok)
	}
	if left, ok := kg(500).Sub(kg(50)); !ok || left != kg(450) {
		t.Errorf("500 kg - 50 kg = %+v, %v", left, ok)
	}
	if sum, ok := (Quantity{1500, UnitTan}).Add(Quantity{2000, UnitTa}); !ok || sum != (Quantity{17000, UnitTa}) {
		t.Errorf("1,5 tan + 2 ta = %+v, %v", sum, ok)
	}
	if d, ok := kg(50).Sub(kg(60)); !ok || d.Milli != -10000 {
		t.Errorf("50 kg - 60 kg = %+v, %v", d, ok)
	}
	if _, ok := kg(5).Add(Quantity{5000, UnitQua}); ok {
		t.Error("kg + qua should not mix")
	}
	if _, ok := (Quantity{5000, UnitQua}).Cmp(Quantity{5000, UnitChuc}); ok {
		t.Error("qua and chuc should not compare")
	}
	if c, ok := (Quantity{5000, UnitQua}).Cmp(Quantity{7000, UnitQua}); !ok || c != -1 {
		t.Error("qua compare")
	}
	if _, ok := (Quantity{math.MaxInt64, UnitKg}).Add(kg(1)); ok {
		t.Error("overflow not caught")
	}
	if _, ok := kg(1).Sub(Quantity{math.MinInt64, UnitKg}); ok {
		t.Error("MinInt64 not caught")
	}
	if _, ok := (Quantity{math.MaxInt64, UnitTan}).Cmp(kg(1)); ok {
		t.Error("conversion overflow not caught")
	}
	if q, ok := (Quantity{1500, UnitTa}).In(UnitKg); !ok || q != kg(150) {
		t.Errorf("1,5 ta in kg = %+v, %v", q, ok)
	}
	if _, ok := (Quantity{1000, UnitLang}).In(UnitTan); ok {
		t.Error("1 lang in tan is not exact")
	}
	// A chục counted where quả are (eggs) is ten of them; elsewhere it stays.
	for _, tt := range []struct {
		q    Quantity
		u    Unit
		want Quantity
		ok   bool
	}{
		{Quantity{2500, UnitChuc}, UnitQua, Quantity{25_000, UnitQua}, true},
		{Quantity{2500, UnitChuc}, UnitChuc, Quantity{2500, UnitChuc}, true},
		{Quantity{2500, UnitChuc}, UnitKg, Quantity{2500, UnitChuc}, true},
		{Quantity{2500, UnitChuc}, "", Quantity{2500, UnitChuc}, true},
		{kg(5), UnitQua, kg(5), true},
		{Quantity{math.MaxInt64, UnitChuc}, UnitQua, Quantity{}, false},
	} {
		if got, ok := tt.q.Counted(tt.u); got != tt.want || ok != tt.ok {
			t.Errorf("%+v.Counted(%q) = %+v, %v; want %+v, %v", tt.q, tt.u, got, ok, tt.want, tt.ok)
		}
	}
}

func TestQuantityInCounted(t *testing.T) {
	// A listing's own unit first; a chục of eggs (quả counted) is ten quả
	// where the listing is by quả, and ten quả of eggs a chục where it is
	// by the chục; fruit's chục and quả convert to nothing.
	for _, tt := range []struct {
		q          Quantity
		u, counted Unit
		want       Quantity
		ok         bool
	}{
		{Quantity{2000, UnitChuc}, UnitQua, UnitQua, Quantity{20_000, UnitQua}, true},
		{Quantity{2000, UnitChuc}, UnitChuc, UnitQua, Quantity{2000, UnitChuc}, true},
		{Quantity{20_000, UnitQua}, UnitChuc, UnitQua, Quantity{2000, UnitChuc}, true},
		{Quantity{25_000, UnitQua}, UnitChuc, UnitQua, Quantity{2500, UnitChuc}, true},
		{Quantity{23_000, UnitQua}, UnitChuc, UnitQua, Quantity{2300, UnitChuc}, true},
		{Quantity{1, UnitQua}, UnitChuc, UnitQua, Quantity{}, false}, // 0,001 quả: no whole thousandth of a chục
		{Quantity{20_000, UnitQua}, UnitChuc, "", Quantity{}, false}, // quả of fruit are no chục
		{Quantity{20_000, UnitQua}, UnitKg, UnitQua, Quantity{}, false},
		{Quantity{2000, UnitChuc}, UnitQua, "", Quantity{}, false},
		{Quantity{5000, UnitTa}, UnitKg, "", Quantity{500_000, UnitKg}, true},
		{Quantity{5000, UnitTa}, UnitQua, UnitQua, Quantity{}, false},
	} {
		if got, ok := tt.q.InCounted(tt.u, tt.counted); got != tt.want || ok != tt.ok {
			t.Errorf("%+v.InCounted(%q, %q) = %+v, %v; want %+v, %v", tt.q, tt.u, tt.counted, got, ok, tt.want, tt.ok)
		}
	}
}

func TestQuantitySaid(t *testing.T) {
	// A chục of eggs (quả counted) that is not whole is said in quả; a
	// whole one, fruit's chục and other units stay as they are.
	for _, tt := range []struct {
		q       Quantity
		counted Unit
		want    Quantity
	}{
		{Quantity{2700, UnitChuc}, UnitQua, Quantity{27_000, UnitQua}},
		{Quantity{2500, UnitChuc}, UnitQua, Quantity{25_000, UnitQua}},
		{Quantity{300, UnitChuc}, UnitQua, Quantity{3000, UnitQua}},
		{Quantity{3000, UnitChuc}, UnitQua, Quantity{3000, UnitChuc}},
		{Quantity{0, UnitChuc}, UnitQua, Quantity{0, UnitChuc}},
		{Quantity{27_000, UnitQua}, UnitQua, Quantity{27_000, UnitQua}},
		{Quantity{2500, UnitChuc}, "", Quantity{2500, UnitChuc}}, // a chục of fruit
		{Quantity{2500, UnitChuc}, UnitKg, Quantity{2500, UnitChuc}},
		{Quantity{2500, UnitTa}, UnitQua, Quantity{2500, UnitTa}},
		{Quantity{200_000_000_000_001, UnitChuc}, UnitQua, Quantity{200_000_000_000_001, UnitChuc}}, // past the bound: as it is
	} {
		if got := tt.q.Said(tt.counted); got != tt.want {
			t.Errorf("%+v.Said(%q) = %+v, want %+v", tt.q, tt.counted, got, tt.want)
		}
	}
}

func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"500kg", "nửa tấn", "1,5 tấn", "2 tấn rưỡi", "1.000 kg", "20 quả",
		"Lạng Sơn", "tan roi", "tạ rưỡi", "1 tấn 200 kg", "500g", "5-6 tạ", "1 tấn 5 lạng",
		"\xff", "0,0005 kg", "2 trăm rưỡi kg", "dạ 3 tạ ạ", "hai lăm tạ", "bốn mươi mốt kg",
		"một trăm linh năm quả", "2 tấn (2000kg)", "2 tấn (200kg)", "5 tạ = 500kg", "2 tấn tức 2000 kg",
		"hai chục cân", "3 tạ na", "10 thùng xốp", "2 tấn 3000 kg", "2 chục", "hai chục rưỡi quả",
		"chục rưỡi quả", "2 chục quả rưỡi", "500000000000 chục", "2 chục rưỡi", "2 chục 5 quả",
		"hai chục lăm quả", "2 chục 15 quả", "999999999999 chục 9 quả", "2 chục 5 quả (25 quả)",
		"20 bí", "20 bi", "20 bí đỏ", "20 bì", "hai mươi bí đỏ", "20 bơ", "3 bò", "20 cây", "20 bí (20 quả)",
		"5 can", "5 cần tây", "5 tan", "5 tần ô", "3 ta", "2 yen", "5 lang", "5 ky",
		"20 bào", "20 bao", "20 bào ngư", "3 mỡ", "2 kiến vàng", "20 nai", "5 gấm",
		"20 NAI", "hai muoi nai", "20 nai rung", "5 cay", "nua can", "Nua Can", "2 TA", "hai muoi lang", "2 ta ruoi"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Weighed produce, and eggs counted by the piece.
		for _, def := range []Unit{UnitKg, UnitQua} {
			q, err := ParseQuantity(s, def)
			if r, rest, rerr := ParseQuantityRest(s, def); rerr == nil && rest == "" && r != q {
				t.Fatalf("ParseQuantityRest(%q, %q) = %+v, ParseQuantity %+v", s, def, r, q)
			}
			if errors.Is(err, ErrUnsure) {
				if q.Milli <= 0 || !q.Unit.Valid() {
					t.Fatalf("ParseQuantity(%q, %q) = %+v, unsure", s, def, q)
				}
				continue
			}
			if err != nil {
				if q != (Quantity{}) {
					t.Fatalf("ParseQuantity(%q, %q) = %+v with error %v", s, def, q, err)
				}
				continue
			}
			if q.Milli <= 0 || q.Milli > 1e15 || !q.Unit.Valid() {
				t.Fatalf("ParseQuantity(%q, %q) = %+v", s, def, q)
			}
			// Formatting then parsing gives the same quantity.
			echo := FormatMilli(q.Milli) + " " + string(q.Unit)
			if r, err := ParseQuantity(echo, ""); err != nil || r != q {
				t.Fatalf("ParseQuantity(%q, %q) = %+v, but its echo %q = %+v, %v", s, def, q, echo, r, err)
			}
			_, _ = q.InKg()
			// A product whose name collides with a unit's word changes
			// the unit at most, never the amount, and only to count it.
			for _, product := range []string{"bí đỏ", "bơ", "bò", "cây giống", "Bào ngư", "Mỡ lợn", "Kiến vàng", "Nai rừng", "Nai", "Cay xè"} {
				if r, err := ParseQuantityOf(s, def, product); err == nil && r.Milli != q.Milli {
					t.Fatalf("ParseQuantityOf(%q, %q, %q) = %+v, ParseQuantity %+v", s, def, product, r, q)
				}
			}
			// One whose name only folds to a unit's word changes nothing:
			// "5 can" of cần tây is 5 cân.
			for _, product := range []string{"Cần tây", "Tần ô", "Tà lại", "Yến sào", "lăng quăng", "Kỷ tử",
				"nai chuoi", "cay giong", "Bì gạo", "Gấm"} {
				if r, err := ParseQuantityOf(s, def, product); err != nil || r != q {
					t.Fatalf("ParseQuantityOf(%q, %q, %q) = %+v, %v; ParseQuantity %+v", s, def, product, r, err, q)
				}
			}
			// Said as people say it, it is the same amount.
			if said := q.Said(def); said != q {
				if back, ok := said.InCounted(q.Unit, def); !ok || back != q {
					t.Fatalf("ParseQuantity(%q, %q) = %+v, said %+v, back %+v, %v", s, def, q, said, back, ok)
				}
			}
		}
	})
}
