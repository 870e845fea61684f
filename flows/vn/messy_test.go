package vn

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// messyAnswers are answers typed the way a new user types them (issue 12,
// item 4), at each question. want is what the parser must read: a quantity
// as "milli unit", a price as "vnd/per", a date as "2006-01-02", a phone in
// E.164; "unsure" for two writings that disagree (ErrUnsure), "refused" for a
// range or no value at all, which the flows ask about.
var messyAnswers = []struct{ kind, in, want string }{
	// Quantity of na (default kg).
	{"qty", "dạ 3 tạ ạ", "3000 ta"},
	{"qty", "tầm 5 tạ", "5000 ta"},
	{"qty", "khoảng 2 tấn thôi", "2000 tan"},
	{"qty", "em có 3 tạ nhé", "3000 ta"},
	{"qty", "2 tấn (2000kg)", "2000 tan"},
	{"qty", "2 tấn tức 2000 kg", "2000 tan"},
	{"qty", "5 tạ = 500kg", "5000 ta"},
	{"qty", "2 tấn (200kg)", "unsure"},
	{"qty", "ba tạ", "3000 ta"},
	{"qty", "năm mươi cân", "50000 kg"},
	{"qty", "hai chục", "2000 chuc"},
	{"qty", "hai chục cân", "20000 kg"},
	{"qty", "mười lăm tạ", "15000 ta"},
	{"qty", "một trăm rưỡi kg", "150000 kg"},
	{"qty", "bốn mốt kg", "41000 kg"},
	{"qty", "bốn mươi mốt kg", "41000 kg"},
	{"qty", "hai lăm tạ", "25000 ta"},
	{"qty", "hai nhăm tạ", "25000 ta"},
	{"qty", "hai tư thùng", "24000 thung"},
	{"qty", "ba mươi", "30000 kg"},
	{"qty", "muoi lam ta", "15000 ta"},
	{"qty", "nam muoi kg", "50000 kg"},
	{"qty", "chừng 4 tạ", "4000 ta"},
	{"qty", "được khoảng 6 tạ", "6000 ta"},
	{"qty", "nhà em có 2 tấn", "2000 tan"},
	{"qty", "500 ký nha", "500000 kg"},
	{"qty", "5 tạ nha anh", "5000 ta"},
	{"qty", "1 tấn rưỡi ạ", "1500 tan"},
	{"qty", "dạ 800kg", "800000 kg"},
	{"qty", "700 cân thôi ạ", "700000 kg"},
	{"qty", "3 tạ nhé chị", "3000 ta"},
	{"qty", "Dạ có 3 tạ", "3000 ta"},
	{"qty", "mình có 4 tạ", "4000 ta"},
	{"qty", "tầm ba tạ thôi ạ", "3000 ta"},
	{"qty", "khoảng 2-3 tạ", "refused"},
	{"qty", "vâng 4 tạ", "4000 ta"},
	{"qty", "4 tạ ạ anh", "4000 ta"},
	{"qty", "sl 300kg", "300000 kg"},
	{"qty", "số lượng 3 tạ", "3000 ta"},
	{"qty", "hai mươi thùng", "20000 thung"},
	{"qty", "có khoảng 3 tạ ạ", "3000 ta"},
	{"qty", "dạ em có tầm 5 tạ nha", "5000 ta"},
	{"qty", "tầm 2 tấn", "2000 tan"},
	{"qty", "3 ta a", "3000 ta"},
	{"qty", "1 tạ rưỡi nhé", "1500 ta"},
	{"qty", "u 3 ta", "3000 ta"},
	{"qty", "dạ vâng 2 tấn ạ", "2000 tan"},
	{"qty", "em còn 3 tạ", "3000 ta"},
	{"qty", "còn khoảng 4 tạ thôi", "4000 ta"},
	{"qty", "500kg ạ", "500000 kg"},
	{"qty", "1 tấn hai", "1200 tan"},
	{"qty", "20kg tự lấy", "refused"}, // not 20,4 kg: "tự" is no "tư" here
	{"qty", "hai tấn rưỡi ạ", "2500 tan"},
	{"qty", "hai trăm cân", "200000 kg"},
	{"qty", "được 3 tạ ạ anh", "3000 ta"},
	{"qty", "tầm 3-4 tạ", "refused"},
	// Price.
	{"price", "giá 25k nha", "25000/"},
	{"price", "hai lăm nghìn", "25000/"},
	{"price", "hai lăm", "25000/"},
	{"price", "ba mươi nghìn", "30000/"},
	{"price", "hai chục nghìn", "20000/"},
	{"price", "hai mươi lăm nghìn", "25000/"},
	{"price", "mười lăm nghìn", "15000/"},
	{"price", "bốn lăm k", "45000/"},
	{"price", "năm mươi nghìn", "50000/"},
	{"price", "ba chục nghìn", "30000/"},
	{"price", "một trăm rưỡi nghìn", "150000/"},
	{"price", "hai lăm ngàn một cân", "25000/kg"},
	{"price", "30 cành", "30000/"},
	{"price", "25 cành 1 cân", "25000/kg"},
	{"price", "1 củ 2", "1200000/"},
	{"price", "25k (25.000đ)", "25000/"},
	{"price", "25k (20.000đ)", "unsure"},
	{"price", "dạ 25k ạ", "25000/"},
	{"price", "giá 25 nghìn ạ", "25000/"},
	{"price", "em bán 25k", "25000/"},
	{"price", "tầm 25k", "25000/"},
	{"price", "khoảng 25 nghìn thôi", "25000/"},
	{"price", "25k thôi anh", "25000/"},
	{"price", "dạ giá 25k", "25000/"},
	{"price", "giá em để 25k", "25000/"},
	{"price", "để 25k", "25000/"},
	{"price", "em để giá 25k ạ", "25000/"},
	{"price", "25k/kg ạ", "25000/kg"},
	{"price", "25k một cân nhé", "25000/kg"},
	{"price", "giá 25k/1kg", "25000/kg"},
	{"price", "vâng 25k", "25000/"},
	{"price", "25 nghìn một ký nha", "25000/kg"},
	{"price", "2 triệu một tạ", "2000000/ta"},
	{"price", "hai triệu một tạ", "2000000/ta"},
	{"price", "25k 1 ký ạ", "25000/kg"},
	{"price", "giá bán 25k", "25000/"},
	{"price", "25k nhé chị", "25000/"},
	{"price", "25.000đ/kg ạ", "25000/kg"},
	{"price", "giá tại vườn 25k", "25000/"},
	{"price", "giá 25k tại vườn", "25000/"},
	{"price", "35-40k", "refused"},
	{"price", "ba mươi k", "30000/"},
	{"price", "25k mỗi cân", "25000/kg"},
	{"price", "25 ngàn thôi ạ", "25000/"},
	{"price", "em lấy 25k", "25000/"},
	{"price", "chỉ 25k", "25000/"},
	{"price", "25k (25 nghìn)", "25000/"},
	{"price", "25k = 25.000đ", "25000/"},
	{"price", "u 25k", "25000/"},
	{"price", "25k/1 cân nhé", "25000/kg"},
	{"price", "một triệu hai", "1200000/"},
	{"price", "25k thương lượng", "25000/"},
	{"price", "25k/kg có thương lượng", "25000/kg"},
	{"price", "25 cá", "25000/"},
	{"price", "hai lăm cá một ký", "25000/kg"},
	{"price", "30 cành một cân", "30000/kg"},
	// Ready date, typed on Tue 1 Dec 2026.
	{"date", "mai ạ", "2026-12-02"},
	{"date", "dạ mai ạ", "2026-12-02"},
	{"date", "có sẵn", "2026-12-01"},
	{"date", "sẵn rồi", "2026-12-01"},
	{"date", "có hàng luôn", "2026-12-01"},
	{"date", "hàng có sẵn", "2026-12-01"},
	{"date", "lúc nào cũng có", "2026-12-01"},
	{"date", "có sẵn rồi ạ", "2026-12-01"},
	{"date", "sẵn hàng", "2026-12-01"},
	{"date", "có luôn", "2026-12-01"},
	{"date", "có ngay", "2026-12-01"},
	{"date", "đang có", "2026-12-01"},
	{"date", "hàng sẵn rồi", "2026-12-01"},
	{"date", "có rồi", "2026-12-01"},
	{"date", "mai có hàng", "2026-12-02"},
	{"date", "tuần sau ạ", "2026-12-07"},
	{"date", "khoảng tuần sau", "2026-12-07"},
	{"date", "tầm 20/12", "2026-12-20"},
	{"date", "ngày mai nhé", "2026-12-02"},
	{"date", "đầu tháng sau", "2027-01-01"},
	{"date", "hôm nay", "2026-12-01"},
	{"date", "bây giờ luôn", "2026-12-01"},
	{"date", "thứ 7 này", "2026-12-05"},
	{"date", "dạ thứ 7 ạ", "2026-12-05"},
	{"date", "cuối tuần này ạ", "2026-12-05"},
	{"date", "sang tuần", "2026-12-07"},
	{"date", "20/12 ạ", "2026-12-20"},
	{"date", "ngày 20 nhé", "2026-12-20"},
	{"date", "mai là có", "2026-12-02"},
	{"date", "mai có", "2026-12-02"},
	{"date", "mai thu hoạch", "2026-12-02"},
	{"date", "thu hoạch mai", "2026-12-02"},
	{"date", "dự kiến 20/12", "2026-12-20"},
	{"date", "khoảng 20/12 ạ", "2026-12-20"},
	{"date", "3 ngày nữa ạ", "2026-12-04"},
	{"date", "vài hôm nữa", "refused"},
	{"date", "mai nha anh", "2026-12-02"},
	{"date", "ngày kia ạ", "2026-12-03"},
	{"date", "sẵn sàng", "2026-12-01"},
	{"date", "có hàng rồi", "2026-12-01"},
	{"date", "hàng có luôn", "2026-12-01"},
	{"date", "bây giờ", "2026-12-01"},
	{"date", "hôm nay luôn ạ", "2026-12-01"},
	{"date", "tuần sau có", "2026-12-07"},
	{"date", "có sẵn nhé", "2026-12-01"},
	{"date", "luôn", "2026-12-01"},
	{"date", "đã có hàng", "2026-12-01"},
	{"date", "vâng mai ạ", "2026-12-02"},
	{"date", "ngày mai có hàng", "2026-12-02"},
	{"date", "co san", "2026-12-01"},
	{"date", "hai ngày nữa", "2026-12-03"},
	{"date", "lúc nào cũng được", "2026-12-01"},
	{"date", "bất cứ lúc nào", "2026-12-01"},
	{"date", "đang thu hoạch", "2026-12-01"},
	{"date", "hết hàng", "refused"}, // no date: asked again
	// Phone.
	{"phone", "0912345678", "+84912345678"},
	{"phone", "số em là 0912 345 678 ạ", "+84912345678"},
	{"phone", "0912345678 ạ", "+84912345678"},
	{"phone", "0912.345.678 nhé", "+84912345678"},
	{"phone", "dạ 0912345678", "+84912345678"},
	{"phone", "0912345678 nha", "+84912345678"},
	{"phone", "em sdt 0912 345 678", "+84912345678"},
	{"phone", "số của em: 0912-345-678", "+84912345678"},
	{"phone", "đây ạ 0912345678", "+84912345678"},
	{"phone", "vâng 0912345678", "+84912345678"},
	{"phone", "sđt em 0912345678 ạ", "+84912345678"},
	{"phone", "zalo 0912345678", "+84912345678"},
	{"phone", "0912 345 678 (zalo)", "+84912345678"},
	{"phone", "0912345678 zalo luôn", "+84912345678"},
	{"phone", "số đt 0912345678", "+84912345678"},
	{"phone", "dt: 0912345678", "+84912345678"},
	{"phone", "số mình 0912345678", "+84912345678"},
	{"phone", "0912345678 nhé anh", "+84912345678"},
	{"phone", "sdt của mình là 0912345678", "+84912345678"},
	{"phone", "số điện thoại em là 0912345678", "+84912345678"},
	// Typed without diacritics (no Vietnamese keyboard), in any case.
	{"qty", "2 ta", "2000 ta"},
	{"qty", "2 TA", "2000 ta"},
	{"qty", "nua can", "500 kg"},
	{"qty", "Nua Can", "500 kg"},
	{"qty", "nua ta", "500 ta"},
	{"qty", "hai muoi lang", "20000 lang"},
	{"qty", "Hai Ta Ruoi", "2500 ta"},
	{"qty", "mot tan hai", "1200 tan"},
	{"qty", "nam tram ky", "500000 kg"},
	{"qty", "da em co tam 3 ta a", "3000 ta"},
	{"qty", "KHOANG 2 TAN THOI", "2000 tan"},
	{"qty", "20 trai", "20000 qua"},
	{"qty", "hai chuc", "2000 chuc"},
	{"price", "15 nghin", "15000/"},
	{"price", "15 NGHIN", "15000/"},
	{"price", "15 ngan ruoi", "15500/"},
	{"price", "hai muoi lam nghin", "25000/"},
	{"price", "muoi tam nghin", "18000/"},
	{"price", "1 TRIEU RUOI", "1500000/"},
	{"price", "1 cu 2", "1200000/"},
	{"price", "2 trieu/ta", "2000000/ta"},
	{"price", "25k mot can", "25000/kg"},
	{"price", "25 nghin 1 ky", "25000/kg"},
	{"price", "Gia 15 Nghin/Kg", "15000/kg"},
	{"price", "25.000 dong", "25000/"},
	{"price", "30 nghin 1 chuc", "30000/chuc"},
	{"price", "35 den 40 nghin", "refused"},
	{"price", "mien phi", "refused"},
	{"date", "mai", "2026-12-02"},
	{"date", "MAI", "2026-12-02"},
	{"date", "Ngay Mai", "2026-12-02"},
	{"date", "ngay kia", "2026-12-03"},
	{"date", "mot", "2026-12-03"},
	{"date", "thu 7", "2026-12-05"},
	{"date", "Thu Bay", "2026-12-05"},
	{"date", "chu nhat", "2026-12-06"},
	{"date", "CN", "2026-12-06"},
	{"date", "tuan sau", "2026-12-07"},
	{"date", "tuan sau moi co", "2026-12-07"},
	{"date", "cuoi thang", "2026-12-31"},
	{"date", "dau thang 9", "2027-09-01"},
	{"date", "ram thang 8", "2027-09-15"},
	{"date", "mung 1 thang 9 am", "2027-09-30"},
	{"date", "co san roi", "2026-12-01"},
	// An emoji (or an ellipsis) says nothing of the value: read as a space.
	{"qty", "5 tạ 👍", "5000 ta"},
	{"qty", "5 tạ👍", "5000 ta"},
	{"qty", "👍 3 tạ ạ", "3000 ta"},
	{"qty", "5 ta 👍🏻", "5000 ta"},
	{"qty", "2 tấn ❤️", "2000 tan"},
	{"qty", "5 tạ 👍 25k", "refused"}, // the price is the flow's to read, not a unit
	{"price", "25k 🙏", "25000/"},
	{"price", "25k🙏", "25000/"},
	{"price", "🙏 25 nghìn", "25000/"},
	{"price", "30k/kg 😊", "30000/kg"},
	{"price", "25k…", "25000/"},
	{"date", "mai nhé 😊", "2026-12-02"},
	{"date", "mai😊", "2026-12-02"},
	{"date", "hôm nay 👍", "2026-12-01"},
	{"date", "có hàng 🙏", "2026-12-01"},
	{"date", "15/12 🙏🙏", "2026-12-15"},
	{"date", "mai nhé…", "2026-12-02"},
	// Not there: no date.
	{"date", "chưa có hàng", "refused"},
	{"date", "chua co hang", "refused"},
	{"date", "không có ảnh", "refused"},
	{"date", "có ảnh rồi", "refused"},
	{"date", "ko co hang", "refused"},
	{"date", "khi nào có hàng", "refused"}, // a question, not "có sẵn"
	{"date", "lúc nào cũng có hàng", "2026-12-01"},
	{"phone", "SDT: 0912 345 678", "+84912345678"},
	{"phone", "so dien thoai em la 0912345678", "+84912345678"},
	{"phone", "sdt em 0912.345.678 a", "+84912345678"},
	{"phone", "Zalo 0912345678 nhe", "+84912345678"},
}

// messyNow is Tuesday 1 December 2026, 09:00 in Vietnam.
var messyNow = time.Date(2026, 12, 1, 9, 0, 0, 0, Location())

func readMessy(kind, in string) (string, error) {
	switch kind {
	case "qty":
		q, err := ParseQuantity(in, UnitKg)
		return fmt.Sprintf("%d %s", q.Milli, q.Unit), err
	case "price":
		p, err := ParsePrice(in)
		return fmt.Sprintf("%d/%s", p.VND, p.Per), err
	case "date":
		d, err := ParseDate(in, messyNow)
		return d.Format("2006-01-02"), err
	default:
		return ParsePhone(in)
	}
}

// TestMessyAnswers reads every messy answer and reports the rate of "not
// understood" (an error where a value was expected).
func TestMessyAnswers(t *testing.T) {
	failed := 0
	for _, tt := range messyAnswers {
		got, err := readMessy(tt.kind, tt.in)
		switch tt.want {
		case "unsure":
			if !errors.Is(err, ErrUnsure) {
				t.Errorf("%s %q: got %s, %v; want ErrUnsure", tt.kind, tt.in, got, err)
			}
		case "refused":
			if err == nil {
				t.Errorf("%s %q: got %s; want an error", tt.kind, tt.in, got)
			}
		default:
			if err != nil {
				failed++
			}
			if err != nil || got != tt.want {
				t.Errorf("%s %q: got %s, %v; want %s", tt.kind, tt.in, got, err, tt.want)
			}
		}
	}
	t.Logf("not understood: %d of %d messy answers", failed, len(messyAnswers))
}

// A unit or product named after the amount is returned as typed, for the
// flows and the free-text reader to use.
func TestParseQuantityRest(t *testing.T) {
	tests := []struct {
		in   string
		want Quantity
		rest string
		err  error
	}{
		{"3 tạ na", Quantity{3000, UnitTa}, "na", nil},
		{"100 quả bưởi", Quantity{100000, UnitQua}, "bưởi", nil},
		{"10 thùng xốp", Quantity{10000, UnitThung}, "xốp", nil}, // the kind of crate: kept for the note
		{"dạ 5 tạ na dai ạ", Quantity{5000, UnitTa}, "na dai ạ", nil},
		{"2 tấn (2000kg) quýt", Quantity{2000, UnitTan}, "quýt", nil},
		{"5 tạ giá 25k", Quantity{5000, UnitTa}, "giá 25k", nil},
		{"5 tạ", Quantity{5000, UnitTa}, "", nil},
		{"ba tạ Na Chi Lăng", Quantity{3000, UnitTa}, "Na Chi Lăng", nil},
		{"3 na", Quantity{}, "", ErrUnknownUnit},
		{"2 tấn (200kg) na", Quantity{2000, UnitTan}, "na", ErrUnsure},
	}
	for _, tt := range tests {
		q, rest, err := ParseQuantityRest(tt.in, UnitKg)
		if q != tt.want || rest != tt.rest || !errors.Is(err, tt.err) {
			t.Errorf("ParseQuantityRest(%q) = %+v, %q, %v; want %+v, %q, %v", tt.in, q, rest, err, tt.want, tt.rest, tt.err)
		}
	}
	// Eggs listed by the piece: a chục is ten quả, the product after it
	// kept; fruit keeps its chục.
	counted := []struct {
		in   string
		def  Unit
		want Quantity
		rest string
	}{
		{"2 chục trứng", UnitQua, Quantity{2000, UnitChuc}, "trứng"},
		{"2 chục rưỡi quả trứng gà", UnitQua, Quantity{25_000, UnitQua}, "trứng gà"},
		{"2 chục rưỡi quả bưởi", UnitKg, Quantity{2500, UnitChuc}, "bưởi"},
		{"chục rưỡi cam", UnitKg, Quantity{1500, UnitChuc}, "cam"},
	}
	for _, tt := range counted {
		q, rest, err := ParseQuantityRest(tt.in, tt.def)
		if q != tt.want || rest != tt.rest || err != nil {
			t.Errorf("ParseQuantityRest(%q, %q) = %+v, %q, %v; want %+v, %q", tt.in, tt.def, q, rest, err, tt.want, tt.rest)
		}
	}
	// ParseQuantity itself stays whole: a product after the amount is for
	// the callers that want it.
	if _, err := ParseQuantity("3 tạ na", UnitKg); err == nil {
		t.Error(`ParseQuantity("3 tạ na") passed`)
	}
}

// A name after (or before) a phone number is returned as typed.
func TestParsePhoneRest(t *testing.T) {
	tests := []struct{ in, e164, rest string }{
		{"0912345678 chị Lan", "+84912345678", "chị Lan"},
		{"số em 0912 345 678 tên Hoa", "+84912345678", "Hoa"},
		{"0912345678 tên là Nguyễn Văn A ạ", "+84912345678", "Nguyễn Văn A"},
		{"Lan 0912345678", "+84912345678", "Lan"},
		{"dạ chị Lan, 0912.345.678 ạ", "+84912345678", "Lan"},
		{"số em là 0912 345 678 ạ", "+84912345678", ""},
		{"0912 345 678 (zalo)", "+84912345678", ""},
		{"0912345678 anh Minh", "+84912345678", "anh Minh"},
	}
	for _, tt := range tests {
		e, rest, err := ParsePhoneRest(tt.in)
		if err != nil || e != tt.e164 || rest != tt.rest {
			t.Errorf("ParsePhoneRest(%q) = %q, %q, %v; want %q, %q", tt.in, e, rest, err, tt.e164, tt.rest)
		}
	}
	if _, err := ParsePhone("0912345678 chị Lan"); err == nil {
		t.Error(`ParsePhone("0912345678 chị Lan") passed: the name is for ParsePhoneRest`)
	}
	if _, _, err := ParsePhoneRest("chị Lan"); !errors.Is(err, ErrNotPhone) {
		t.Errorf(`ParsePhoneRest("chị Lan") = %v`, err)
	}
}
