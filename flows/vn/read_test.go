package vn

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var testAreas = []Area{{"chi_lang", []string{"Chi Lăng"}}, {"bac_son", []string{"Bắc Sơn"}},
	{"cao_loc", []string{"Cao Lộc"}}, {"huu_lung", []string{"Hữu Lũng"}}}

func TestReadListing(t *testing.T) {
	c := loadCatalog(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, vnLoc) // Tuesday 1/12/2026
	day := func(d, m, y int) string { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, vnLoc).Format("2/1/2006") }
	tests := []struct {
		text, product, qty, price, ready, past, area, note string
		flags                                              string // listing, unsure-q, unsure-p, range, phone
		typed                                              string // PriceTyped, when said
		name                                               string // Product.Name of a catalogue product, when said
	}{
		{text: "Na Chi Lăng 5 tạ 25k mai có hàng", product: "na-chi-lang", qty: "5 ta", price: "25000",
			ready: day(2, 12, 2026), area: "chi_lang", flags: "listing"},
		{text: "Na Chi Lăng 5 tạ, 25k, mai có hàng", product: "na-chi-lang", qty: "5 ta", price: "25000",
			ready: day(2, 12, 2026), area: "chi_lang", flags: "listing"},
		{text: "bán 2 tấn quýt Bắc Sơn giá 18 nghìn, thu hoạch rằm tháng 9", product: "quyt-bac-son",
			qty: "2 tan", price: "18000", ready: day(14, 10, 2027), area: "bac_son", flags: "listing"},
		{text: "ban 2 tan quyt bac son gia 18 nghin, thu hoach ram thang 9", product: "quyt-bac-son",
			qty: "2 tan", price: "18000", ready: day(14, 10, 2027), area: "bac_son", flags: "listing"},
		// A count of animals and a price per head: "con" is the unit, not "còn".
		{text: "Gà đồi 50 con 150k/con", product: "ga", name: "Gà đồi", qty: "50 con", price: "150000/con", flags: "listing"},
		{text: "Lợn 2 con 4tr/con", product: "lon", qty: "2 con", price: "4000000/con", flags: "listing"},
		{text: "cảm ơn", note: ""},
		// Not there yet, or no photo: no ready date, said in the note.
		{text: "Na 5 tạ 25k chưa có hàng", product: "na-chi-lang", qty: "5 ta", price: "25000", note: "chưa có hàng", flags: "listing"},
		{text: "na 5 ta 25k chua co hang", product: "na-chi-lang", qty: "5 ta", price: "25000", note: "chua co hang", flags: "listing"},
		{text: "Na 5 tạ 25k, không có ảnh", product: "na-chi-lang", qty: "5 ta", price: "25000", note: "", flags: "listing"},
		{text: "na 5 ta 25k ko co anh", product: "na-chi-lang", qty: "5 ta", price: "25000", note: "", flags: "listing"},
		{text: "Na 5 tạ 25k có hàng luôn", product: "na-chi-lang", qty: "5 ta", price: "25000", ready: day(1, 12, 2026), flags: "listing"},
		// Emoji say nothing: read as spaces, left out of the note and of the
		// price as typed.
		{text: "Na 🍈 5 tạ 👍 25k🙏 mai nhé 😊", product: "na-chi-lang", qty: "5 ta", price: "25000",
			ready: day(2, 12, 2026), flags: "listing", typed: "25k"},
		{text: "🍊🍊 Cam 3 tạ, 20k/kg 🙏.", product: "cam", qty: "3 ta", price: "20000/kg", flags: "listing", typed: "20k/kg"},
		// A past date is read as such (and asked again), not left in the note.
		{text: "Na 5 tạ 25k hôm qua", product: "na-chi-lang", qty: "5 ta", price: "25000", past: day(30, 11, 2026), flags: "listing"},
		// A bare number after giá is thousands.
		{text: "na 3 tạ giá 25", product: "na-chi-lang", qty: "3 ta", price: "25000", flags: "listing"},
		{text: "5 tạ giá 25k", qty: "5 ta", price: "25000", flags: "listing"},
		{text: "25k, mai có hàng", price: "25000", ready: day(2, 12, 2026)},
		{text: "giá 25.000đ/kg", price: "25000/kg"},
		{text: "Cam 300kg 1tr2", product: "cam", qty: "300 kg", price: "1200000", flags: "listing unsure-p"},
		// A number after the price or the quantity that counts something of
		// its own is no decimal of it: "25k 3 tạ" is not 25.300 đ a tạ, nor
		// "5 tạ 3 ngày nữa" 5,3 tạ. Alone, "2 triệu 3" is 2,3 triệu.
		{text: "Na 25k 3 tạ mai có hàng", product: "na-chi-lang", qty: "3 ta", price: "25000", ready: day(2, 12, 2026), flags: "listing"},
		{text: "na 25k 500kg", product: "na-chi-lang", qty: "500 kg", price: "25000", flags: "listing"},
		{text: "quýt 18 nghìn 2 tấn", product: "quyt-bac-son", qty: "2 tan", price: "18000", flags: "listing"},
		{text: "na 5 tạ 3 ngày nữa có hàng", product: "na-chi-lang", qty: "5 ta", ready: day(4, 12, 2026), flags: "listing"},
		{text: "ban na 5 ta 25k 2 ngay nua", product: "na-chi-lang", qty: "5 ta", price: "25000", ready: day(3, 12, 2026), flags: "listing"},
		{text: "na 2 triệu 3", product: "na-chi-lang", price: "2300000", flags: "listing unsure-p"},
		// A date after the number is no count of days: 25 (thousand), then
		// tomorrow; 2,2 tấn, then today.
		{text: "na 3 tạ giá 25 ngày mai có hàng", product: "na-chi-lang", qty: "3 ta", price: "25000", ready: day(2, 12, 2026), flags: "listing"},
		{text: "na 2 tấn 2 hôm nay có hàng", product: "na-chi-lang", qty: "2,2 tan", ready: day(1, 12, 2026), flags: "listing"},
		{text: "na 3 tạ 1 triệu 2 hôm nay có hàng", product: "na-chi-lang", qty: "3 ta", price: "1200000", ready: day(1, 12, 2026), flags: "listing unsure-p"},
		// A typo right after "bán" is the product still.
		{text: "bán trứnh 500 quả", product: "trung", qty: "500 qua", flags: "listing"},
		// One word a letter away from a product is no product here: Tràng
		// (Định) is no trứng, nor does "chè" become anything.
		{text: "Chè Tràng Định 1 tạ 200k", product: "Chè Tràng Định", qty: "1 ta", price: "200000", flags: "listing"},
		{text: "Bán na Tràng Định 3 tạ 25k", product: "na-chi-lang", qty: "3 ta", price: "25000", note: "Tràng Định", flags: "listing"},
		{text: "Na 25k 1kg, 5 tạ", product: "na-chi-lang", qty: "5 ta", price: "25000/kg", flags: "listing"},
		{text: "Cam 300kg 1tr2/tạ", product: "cam", qty: "300 kg", price: "1200000/ta", flags: "listing"},
		{text: "bán dưa hấu 3 tấn giá 8k", product: "dưa hấu", qty: "3 tan", price: "8000", flags: "listing"},
		{text: "bán 3 tấn dưa hấu", product: "dưa hấu", qty: "3 tan", flags: "listing"},
		{text: "Na 2 tấn (2000kg) 30k", product: "na-chi-lang", qty: "2 tan", price: "30000", flags: "listing"},
		{text: "Na 2 tấn (200kg) 30k", product: "na-chi-lang", qty: "2 tan", price: "30000", flags: "listing unsure-q"},
		{text: "Na 5 tạ 35-40k", product: "na-chi-lang", qty: "5 ta", flags: "listing range"},
		{text: "Na 5 tạ 25k đt 0912 345 678", product: "na-chi-lang", qty: "5 ta", price: "25000",
			flags: "listing phone"},
		{text: "Na Chi Lăng 5 tạ 25k, quả to ngọt, hàng loại 1", product: "na-chi-lang", qty: "5 ta",
			price: "25000", area: "chi_lang", note: "quả to ngọt, hàng loại 1", flags: "listing"},
		{text: "Nhà em có 5 tạ na ạ", product: "na-chi-lang", qty: "5 ta", flags: "listing"},
		// Na năm nay: no date, no 5 kg.
		{text: "Na năm nay đẹp quá", product: "na-chi-lang", note: "năm nay đẹp quá"},
		{text: "chào"},
		{text: "giá na hôm nay bao nhiêu?", product: "na-chi-lang", ready: day(1, 12, 2026), note: "bao nhiêu"},
		{text: "ai mua cam không", product: "cam"},
		// "bạn" (a friend) is no "bán".
		{text: "chào bạn, na đẹp quá", product: "na-chi-lang", note: "chào bạn, đẹp quá"},
		{text: "Bán cam đẹp", product: "cam", note: "đẹp", flags: "listing"},
		{text: "Lạng Sơn", note: "Lạng Sơn"},
		// Eggs' chục is ten quả: "2 chục 5 quả" is one amount, 25 quả; "2
		// chục rưỡi" 2,5 chục. A chục of fruit is its own unit: its "2 chục
		// 5 quả" are two amounts, to be confirmed.
		{text: "Trứng gà 2 chục 5 quả 30k/chục mai", product: "trung", qty: "25 qua", price: "30000/chuc",
			ready: day(2, 12, 2026), flags: "listing"},
		{text: "trung ga hai chuc nam qua 3k", product: "trung", qty: "25 qua", price: "3000", flags: "listing"},
		{text: "Trứng gà 2 chục rưỡi 30k/chục mai", product: "trung", qty: "2,5 chuc", price: "30000/chuc",
			ready: day(2, 12, 2026), flags: "listing"},
		{text: "Cam 2 chục 5 quả 40k/chục", product: "cam", qty: "2 chuc", price: "40000/chuc", flags: "listing unsure-q"},
		// A listing's "1 tấn 120k" is a quantity then a price, not 120k a tấn.
		{text: "Hoa hồi khô 1 tấn 120k", product: "hoa-hoi", name: "Hoa hồi khô", qty: "1 tan", price: "120000", flags: "listing"},
		{text: "Quýt ngọt 1,2 tấn giá 22 ngàn một cân", product: "quyt-bac-son", qty: "1,2 tan", price: "22000/kg",
			note: "ngọt", flags: "listing"},
		// A product's whole name is the product, no part of it a note; words
		// past a shorter name that name an area are the area (Na Chi Lăng).
		{text: "Thạch đen 1 tấn 30k mai có hàng", product: "thach-den", qty: "1 tan", price: "30000",
			ready: day(2, 12, 2026), flags: "listing"},
		{text: "thach den 1 tan 30k mai co hang", product: "thach-den", qty: "1 tan", price: "30000",
			ready: day(2, 12, 2026), flags: "listing"},
		{text: "Đào Mẫu Sơn 1 tạ 50k mai có hàng", product: "dao-mau-son", qty: "1 ta", price: "50000",
			ready: day(2, 12, 2026), flags: "listing"},
		{text: "Cây thạch đen 2 tạ 40k", product: "thach-den", qty: "2 ta", price: "40000", flags: "listing"},
		{text: "Na Chi Lăng 5 tạ 25k mai có hàng", product: "na-chi-lang", qty: "5 ta", price: "25000",
			ready: day(2, 12, 2026), area: "chi_lang", flags: "listing"},
		{text: "Na Chi Lăng loại 1 5 tạ 25k", product: "na-chi-lang", qty: "5 ta", price: "25000",
			area: "chi_lang", flags: "listing"},
		{text: "Thạch đen Bắc Sơn 1 tạ 40k", product: "thach-den", qty: "1 ta", price: "40000", area: "bac_son", flags: "listing"},
		{text: "Đào tiên Mẫu Sơn 1 tạ 50k", product: "dao-mau-son", name: "Đào tiên Mẫu Sơn", qty: "1 ta", price: "50000", flags: "listing"},
		// A price's polite tail words ("có", "chủ") do not break a ready
		// date; a date with dashes is one after a cue.
		{text: "Na 5 tạ 25k chủ nhật", product: "na-chi-lang", qty: "5 ta", price: "25000", typed: "25k",
			ready: day(6, 12, 2026), flags: "listing"},
		{text: "Na 5 tạ 25k có hàng 20-12", product: "na-chi-lang", qty: "5 ta", price: "25000", typed: "25k",
			ready: day(20, 12, 2026), flags: "listing"},
		{text: "Gạo 1 tấn 18k thu hoạch 15-12", product: "gao", qty: "1 tan", price: "18000", typed: "18k",
			ready: day(15, 12, 2026), flags: "listing"},
		{text: "Gạo 1 tấn 18k, 15-12 thu hoạch", product: "gao", qty: "1 tan", price: "18000",
			ready: day(15, 12, 2026), flags: "listing"},
		{text: "Na 5 tạ 25k có hàng từ 15-12-2026", product: "na-chi-lang", qty: "5 ta", price: "25000",
			ready: day(15, 12, 2026), flags: "listing"},
		{text: "Na 5 tạ 25k có thương lượng", product: "na-chi-lang", qty: "5 ta", price: "25000",
			typed: "25k có thương lượng", flags: "listing"},
		{text: "Na 5 tạ 25k có hàng luôn", product: "na-chi-lang", qty: "5 ta", price: "25000",
			ready: day(1, 12, 2026), flags: "listing"},
		// Without a cue, or before a unit, a dashed pair may be a range: no
		// date (the date is asked).
		{text: "Na 5 tạ 25k, 15-12", product: "na-chi-lang", qty: "5 ta", price: "25000", flags: "listing"},
		{text: "Na 5 tạ 25k, hàng 10-12 quả/kg", product: "na-chi-lang", qty: "5 ta", price: "25000",
			note: "hàng 10-12 quả/kg", flags: "listing"},
		{text: "Na 25k, hàng 5-6 tạ", product: "na-chi-lang", price: "25000", note: "hàng 5-6 tạ", flags: "listing"},
		// Counts that are no weight are kept as named.
		{text: "Chuối 20 buồng 100k mai có hàng", product: "chuoi", qty: "20 buong", price: "100000",
			ready: day(2, 12, 2026), flags: "listing"},
		{text: "Rau muống 30 mớ 10k/mớ", product: "rau", name: "Rau muống", qty: "30 mo", price: "10000/mo", flags: "listing"},
		// Selling that is over, or that sold nothing, is no selling verb,
		// nor are the words after it a product ("hết rồi", "nữa").
		{text: "bán hết rồi", note: "rồi", flags: "over"},
		{text: "không bán nữa", flags: "over"},
		{text: "thôi không bán nữa", note: "thôi không", flags: "over"},
		{text: "thoi khong ban nua", note: "thoi khong", flags: "over"},
		{text: "không muốn bán nữa", note: "không muốn", flags: "over"},
		{text: "đã bán xong", note: "đã", flags: "over"},
		{text: "Đã bán rồi nhé", note: "Đã, nhé", flags: "over"},
		{text: "bán rồi nhé", flags: "over"},
		{text: "ngừng bán", note: "ngừng bán", flags: "over"},
		{text: "hết hàng rồi", note: "hết hàng rồi", flags: "over"},
		{text: "chưa bán được", note: "chưa", flags: "not-yet"},
		{text: "không bán được", flags: "not-yet"},
		{text: "đã bán hết chưa?", note: "đã, chưa"},
		// A no that answers something else, a "dạ", a quantity sold whole:
		// selling still, or a listing all the same.
		{text: "Không, bán na 5 tạ", product: "na-chi-lang", qty: "5 ta", flags: "listing"},
		{text: "Dạ bán dưa hấu", product: "dưa hấu", note: "Dạ", flags: "listing"},
		{text: "bán hết 5 tạ na 25k", product: "na-chi-lang", qty: "5 ta", price: "25000", flags: "listing"},
		{text: "không bán lẻ, na 5 tạ 25k", product: "na-chi-lang", qty: "5 ta", price: "25000", note: "không bán lẻ", flags: "listing"},
		// Negations compared as typed: a product's name, a person's, "thời"
		// and "bán nữa" with no negation before it are selling.
		{text: "Nhà em có hồng không hạt bán", product: "hong-khong-hat", ready: day(1, 12, 2026), flags: "listing"},
		{text: "Cà chua bán 15k/kg", product: "Cà chua", price: "15000/kg", flags: "listing"},
		{text: "Cà chua cần bán 5 tạ", product: "Cà chua", qty: "5 ta", flags: "listing"},
		// Typed without diacritics: cà chua (not "chưa bán"), a catalogue
		// product whose name holds "không", the friend "bạn" (no "bán"),
		// "k" for không, sắn (not sẵn), "vẫn chưa" (no typo of vải chua).
		{text: "ca chua ban 15k", product: "ca chua", price: "15000", flags: "listing"},
		{text: "CA CHUA BAN 15K", product: "CA CHUA", price: "15000", flags: "listing"},
		{text: "Ca chua can ban 5 ta", product: "Ca chua", qty: "5 ta", flags: "listing"},
		{text: "ca chua 5 ta 15 nghin", product: "ca chua", qty: "5 ta", price: "15000", flags: "listing"},
		{text: "ban ca chua 5 ta 15k", product: "ca chua", qty: "5 ta", price: "15000", flags: "listing"},
		{text: "mang chua ban 20k", product: "mang chua", price: "20000", flags: "listing"},
		{text: "chua ban duoc", note: "chua", flags: "not-yet"},
		{text: "Chua Ban Duoc", note: "Chua", flags: "not-yet"},
		{text: "nha em chua ban duoc", note: "nha em chua", flags: "not-yet"},
		{text: "tat ca chua ban duoc", note: "tat ca chua", flags: "not-yet"},
		{text: "ban het roi", note: "roi", flags: "over"},
		{text: "BAN HET ROI", note: "ROI", flags: "over"},
		{text: "k ban nua", flags: "over"},
		{text: "ko ban nua", flags: "over"},
		{text: "hong khong hat ban 30k", product: "hong-khong-hat", price: "30000", flags: "listing"},
		// Plain "hong" before "bán" and a price is hồng sold at it, as
		// "Hồng bán 30k" is (the product asked), not the southern "hổng
		// bán"; with no number after it, or typed with its marks, it is.
		{text: "hong ban 30k", price: "30000", note: "hong ban", flags: "listing"},
		{text: "Hồng bán 30k", price: "30000", note: "Hồng bán", flags: "listing"},
		{text: "hong ban nua", note: "hong", flags: "over"},
		{text: "hổng bán nữa", note: "hổng", flags: "over"},
		{text: "HONG KHONG HAT 3 TA 30K", product: "hong-khong-hat", qty: "3 ta", price: "30000", flags: "listing"},
		{text: "Quyt Bac Son 2 Tan 18 Nghin", product: "quyt-bac-son", qty: "2 tan", price: "18000", area: "bac_son", flags: "listing"},
		{text: "na 5 ta gia 25 nghin mai co hang", product: "na-chi-lang", qty: "5 ta", price: "25000", ready: day(2, 12, 2026), flags: "listing"},
		{text: "cam 5 ta 15k, thu hoach thu bay", product: "cam", qty: "5 ta", price: "15000", ready: day(5, 12, 2026), flags: "listing"},
		{text: "cam nua tan 15k ngay kia", product: "cam", qty: "0,5 tan", price: "15000", ready: day(3, 12, 2026), flags: "listing"},
		{text: "chao ban"},
		{text: "cam on ban"},
		{text: "ket ban zalo", note: "ket ban zalo"},
		{text: "ban oi mua na khong", product: "na-chi-lang"},
		{text: "chao ban, na 5 ta 25k", product: "na-chi-lang", qty: "5 ta", price: "25000", flags: "listing"},
		{text: "sắn 2 tạ 5k", product: "khoai", qty: "2 ta", price: "5000", flags: "listing"},
		{text: "san 2 ta 5k", product: "khoai", qty: "2 ta", price: "5000", flags: "listing"},
		{text: "na 5 ta 25k co san", product: "na-chi-lang", qty: "5 ta", price: "25000", ready: day(1, 12, 2026), flags: "listing"},
		{text: "van chua ban duoc", note: "van chua", flags: "not-yet"},
		{text: "me chua ban duoc", note: "me chua", flags: "not-yet"},
		{text: "Dũng bán na", product: "na-chi-lang", note: "Dũng", flags: "listing"},
		{text: "thời vụ này bán na 5 tạ 25k", product: "na-chi-lang", qty: "5 ta", price: "25000", note: "thời vụ này", flags: "listing"},
		{text: "Em còn hàng, muốn bán nữa", product: "nữa", note: "Em còn hàng, muốn", flags: "listing"},
		// A comma or a full stop typed with no space after it separates
		// still: the whole listing is read, "mai" no part of the price;
		// between digits it groups them or marks decimals.
		{text: "na 5 ta,25k,mai co hang", product: "na-chi-lang", qty: "5 ta", price: "25000", ready: day(2, 12, 2026),
			flags: "listing", typed: "25k"},
		{text: "Na 5 tạ,giá 25k,mai có hàng", product: "na-chi-lang", qty: "5 ta", price: "25000", ready: day(2, 12, 2026),
			flags: "listing", typed: "giá 25k"},
		{text: "na 5 ta.gia 25k.mai co hang", product: "na-chi-lang", qty: "5 ta", price: "25000", ready: day(2, 12, 2026), flags: "listing"},
		{text: "na chi lang,5 ta,25k/kg", product: "na-chi-lang", qty: "5 ta", price: "25000/kg", area: "chi_lang", flags: "listing"},
		{text: "Na 5 tạ giá:25k", product: "na-chi-lang", qty: "5 ta", price: "25000", flags: "listing"},
		{text: "quyt 1,5 tan,gia 25.000đ,ram thang 11", product: "quyt-bac-son", qty: "1,5 tan", price: "25000",
			ready: day(23, 12, 2026), flags: "listing"},
		// An area after the price or the quantity is the area, though "bác"
		// and "chị" are polite words after them.
		{text: "na 5 ta 25k bac son", product: "na-chi-lang", qty: "5 ta", price: "25000", area: "bac_son", flags: "listing", typed: "25k"},
		{text: "Quýt 2 tạ 25k Bắc Sơn", product: "quyt-bac-son", qty: "2 ta", price: "25000", area: "bac_son", flags: "listing", typed: "25k"},
		{text: "Na 3 tạ 25k Chi Lăng mai có hàng", product: "na-chi-lang", qty: "3 ta", price: "25000", ready: day(2, 12, 2026),
			area: "chi_lang", flags: "listing", typed: "25k"},
		{text: "na 5 ta chi lang gia 25k", product: "na-chi-lang", qty: "5 ta", price: "25000", area: "chi_lang", flags: "listing"},
		{text: "Na 5 tạ 25k bác ơi", product: "na-chi-lang", qty: "5 ta", price: "25000", flags: "listing"},
		// A product named by one of its catalogue names (a variety) is shown
		// as typed, as the product question shows it, with no part of the
		// name left for the note; words past it that are no name still are.
		{text: "Khoai môn 5 tạ 20k", product: "khoai", name: "Khoai môn", qty: "5 ta", price: "20000", flags: "listing"},
		{text: "khoai mon 5 ta 20k", product: "khoai", name: "Khoai mon", qty: "5 ta", price: "20000", flags: "listing"},
		{text: "Mận hậu 3 tạ 15k thu hoạch thứ 7", product: "man", name: "Mận hậu", qty: "3 ta", price: "15000",
			ready: day(5, 12, 2026), flags: "listing"},
		{text: "Cam sành 5 tạ 20k", product: "cam", name: "Cam sành", qty: "5 ta", price: "20000", flags: "listing"},
		{text: "Mật ong rừng 10 lít 400k", product: "mat-ong", name: "Mật ong rừng", qty: "10 lit", price: "400000", flags: "listing"},
		{text: "Na dai Chi Lăng 5 tạ 25k", product: "na-chi-lang", name: "Na dai", qty: "5 ta", price: "25000", area: "chi_lang", flags: "listing"},
		{text: "Na 5 tạ 25k", product: "na-chi-lang", name: "Na Chi Lăng", qty: "5 ta", price: "25000", flags: "listing"},
		{text: "Quýt ngọt 2 tạ 25k", product: "quyt-bac-son", name: "Quýt Bắc Sơn", qty: "2 ta", price: "25000", note: "ngọt", flags: "listing"},
		// Produce outside the catalogue, named first, right before the
		// quantity, is the product (not asked, nor left for the note); not
		// words that lead a quantity, greet or say little ("Hàng đẹp").
		{text: "Mít 2 tạ 15k", product: "Mít", qty: "2 ta", price: "15000", flags: "listing"},
		{text: "Bí xanh 20 quả 15k/quả", product: "Bí xanh", qty: "20 qua", price: "15000/qua", flags: "listing"},
		{text: "Su su 3 tạ 5k mai", product: "Su su", qty: "3 ta", price: "5000", ready: day(2, 12, 2026), flags: "listing"},
		{text: "ổi 2 tạ 15k", product: "ổi", qty: "2 ta", price: "15000", flags: "listing"},
		{text: "Nấm hương 20kg 300k/kg", product: "Nấm hương", qty: "20 kg", price: "300000/kg", flags: "listing"},
		{text: "hong 3 ta 30k", product: "hong", qty: "3 ta", price: "30000", flags: "listing"},
		{text: "Mít, 2 tạ, 15k", product: "Mít", qty: "2 ta", price: "15000", flags: "listing"},
		{text: "Mít Bắc Sơn 2 tạ 15k", product: "Mít", qty: "2 ta", price: "15000", area: "bac_son", flags: "listing"},
		{text: "Hàng đẹp 5 tạ 25k", qty: "5 ta", price: "25000", note: "Hàng đẹp", flags: "listing"},
		{text: "Nhà em 5 tạ 25k", qty: "5 ta", price: "25000", flags: "listing"},
		{text: "Dạ 5 tạ 25k", qty: "5 ta", price: "25000", flags: "listing"},
		{text: "Năm nay 5 tạ 25k", qty: "5 ta", price: "25000", note: "Năm nay", flags: "listing"},
		{text: "Tổng 5 tạ 25k", qty: "5 ta", price: "25000", flags: "listing"},
		{text: "Lạng Sơn 5 tạ 25k", qty: "5 ta", price: "25000", note: "Lạng Sơn", flags: "listing"},
		{text: "Mít 25k 2 tạ", product: "Mít", price: "25000", qty: "2 ta", flags: "listing"},
		// A number alone that only a price in đồng is ("25.000", "25000",
		// "25000/kg") is the price; "giá 25/kg", "giá 25 một cân" are 25k a
		// kg as "giá 25" is 25k; not a count ("2.000 quả"), nor a year.
		{text: "na 5 ta 25.000", product: "na-chi-lang", qty: "5 ta", price: "25000", flags: "listing", typed: "25.000"},
		{text: "na 5 ta 25,000 mai", product: "na-chi-lang", qty: "5 ta", price: "25000", ready: day(2, 12, 2026), flags: "listing"},
		{text: "Na 5 tạ 25000 ngày mai", product: "na-chi-lang", qty: "5 ta", price: "25000", ready: day(2, 12, 2026), flags: "listing"},
		{text: "na 25000 5 ta", product: "na-chi-lang", qty: "5 ta", price: "25000", flags: "listing"},
		{text: "na 500kg 25000/kg", product: "na-chi-lang", qty: "500 kg", price: "25000/kg", flags: "listing"},
		{text: "trứng 2.000 quả", product: "trung", qty: "2.000 qua", flags: "listing"},
		{text: "na 5 ta 1.200.000", product: "na-chi-lang", qty: "5 ta", price: "1200000", flags: "listing unsure-p"},
		{text: "quýt 2 tạ 2026", product: "quyt-bac-son", qty: "2 ta", flags: "listing"},
		{text: "na 5 ta gia 25/kg", product: "na-chi-lang", qty: "5 ta", price: "25000/kg", flags: "listing", typed: "gia 25/kg"},
		{text: "Na 5 tạ giá 25 một cân", product: "na-chi-lang", qty: "5 ta", price: "25000/kg", flags: "listing"},
		// A range of quantities before the price is no range of prices: the
		// price is read, the quantity asked (the range kept in the note).
		{text: "Na 5-6 tạ giá 25k mai", product: "na-chi-lang", price: "25000", ready: day(2, 12, 2026), note: "5-6 tạ", flags: "listing"},
		{text: "na 5-6 ta 25k", product: "na-chi-lang", price: "25000", note: "5-6 ta", flags: "listing"},
		{text: "Na 5 tạ 35-40 nghìn", product: "na-chi-lang", qty: "5 ta", flags: "listing range"},
		{text: "Na 5 tạ 35-40k mai", product: "na-chi-lang", qty: "5 ta", ready: day(2, 12, 2026), flags: "listing range"},
		{text: "na 5 ta 35 den 40 nghin mai", product: "na-chi-lang", qty: "5 ta", ready: day(2, 12, 2026), flags: "listing range"},
		// Words around a price that say no more than it are no note.
		{text: "na khoang 5 ta gia tam 25k", product: "na-chi-lang", qty: "5 ta", price: "25000", flags: "listing"},
		{text: "Na 5 tạ giá từ 25k", product: "na-chi-lang", qty: "5 ta", price: "25000", flags: "listing"},
		{text: "Na 5 tạ x 25k", product: "na-chi-lang", qty: "5 ta", price: "25000", flags: "listing"},
		// "hết tháng" is the month's end, as "cuối tháng" is.
		{text: "Na 5 tạ 25k hết tháng có hàng", product: "na-chi-lang", qty: "5 ta", price: "25000", ready: day(31, 12, 2026), flags: "listing"},
		// Once the product is read, words a letter away from another are
		// the note's: "phơi khô" is no "hồi khô".
		{text: "Thạch đen 5 tạ 35k/kg, đã phơi khô", product: "thach-den", qty: "5 ta", price: "35000/kg", note: "đã phơi khô", flags: "listing"},
		{text: "Ai có mít 2 tạ không?", qty: "2 ta", ready: day(1, 12, 2026), note: "Ai, mít, không"},
	}
	for _, tt := range tests {
		r := ReadListing(tt.text, now, c, testAreas)
		var got []string
		product := r.Product.Key
		if product == "" {
			product = r.Product.Name
		}
		qty, price, ready := "", "", ""
		if r.Quantity.Milli > 0 {
			qty = FormatMilli(r.Quantity.Milli) + " " + string(r.Quantity.Unit)
		}
		if r.Price.VND > 0 {
			price = FormatMilli(r.Price.VND * 1000)
			price = strings.ReplaceAll(price, ".", "")
			if r.Price.Per != "" {
				price += "/" + string(r.Price.Per)
			}
		}
		if !r.Ready.IsZero() {
			ready = r.Ready.Format("2/1/2006")
		}
		if past := ""; !r.ReadyPast.IsZero() || tt.past != "" {
			if !r.ReadyPast.IsZero() {
				past = r.ReadyPast.Format("2/1/2006")
			}
			if past != tt.past {
				t.Errorf("ReadListing(%q): past date %q, want %q", tt.text, past, tt.past)
			}
		}
		for flag, on := range map[string]bool{"listing": r.Listing(), "unsure-q": r.QuantityUnsure,
			"unsure-p": r.PriceUnsure, "range": r.PriceRange, "phone": r.Phone, "over": r.Over, "not-yet": r.NotYet} {
			if on != strings.Contains(" "+tt.flags+" ", " "+flag+" ") {
				got = append(got, flag)
			}
		}
		if tt.name != "" && r.Product.Name != tt.name {
			t.Errorf("ReadListing(%q): product named %q, want %q", tt.text, r.Product.Name, tt.name)
		}
		if tt.typed != "" && r.PriceTyped != tt.typed {
			t.Errorf("ReadListing(%q): price typed %q, want %q", tt.text, r.PriceTyped, tt.typed)
		}
		if product != tt.product || qty != tt.qty || price != tt.price || ready != tt.ready || r.Area != tt.area ||
			r.Note != tt.note || len(got) > 0 {
			t.Errorf("ReadListing(%q) = product %q qty %q price %q ready %q area %q note %q, flags wrong: %v\nwant product %q qty %q price %q ready %q area %q note %q",
				tt.text, product, qty, price, ready, r.Area, r.Note, got, tt.product, tt.qty, tt.price, tt.ready, tt.area, tt.note)
		}
	}
}

func FuzzReadListing(f *testing.F) {
	for _, s := range []string{"Na Chi Lăng 5 tạ 25k mai có hàng", "bán 2 tấn quýt Bắc Sơn giá 18 nghìn, thu hoạch rằm tháng 9",
		"Na 2 tấn (200kg) 30k", "(((", "giá", "bán", "0912 345 678", "\xff", "- - ,", "5 tạ giá 25",
		"Trứng gà 2 chục 5 quả 30k/chục mai", "trứng 2 chục rưỡi", "trứng chục 5 quả 2 chục",
		"bán hết rồi", "thôi không bán nữa", "chưa bán được", "bán hết 5 tạ na 25k",
		"Nhà em có hồng không hạt bán", "Cà chua bán 15k/kg", "Em còn hàng, muốn bán nữa", "Dũng bán na",
		"ca chua ban 15k", "tat ca chua ban duoc", "k ban nua", "25 k ban nua", "chao ban", "ket ban zalo", "san 2 ta 5k",
		"van chua ban duoc", "ca chua", "ca", "chua ca chua ban", "hong ban 30k", "hong ban", "hong ban 3", "hong ban nua",
		"na 5 ta,25k,mai co hang", "25.000,5", ",,.,", "a,b.c", "na 5 ta 25k bac son", "25k chi", "Mít 2 tạ 15k", "ổi, 2 tạ", "a b c d 5 tạ", "bán 5 tạ", "na 5 ta 25.000", "25000/kg", "25000/", "giá 25/kg", "5-6 tạ 25k"} {
		f.Add(s)
	}
	c := loadCatalog(f)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, vnLoc)
	f.Fuzz(func(t *testing.T, s string) {
		r := ReadListing(s, now, c, testAreas)
		if r.Quantity.Milli < 0 || r.Price.VND < 0 || !utf8.ValidString(r.Note) && utf8.ValidString(s) {
			t.Fatalf("ReadListing(%q) = %+v", s, r)
		}
		if (r.Over || r.NotYet) && (r.Listing() || r.Over && r.NotYet) {
			t.Fatalf("ReadListing(%q): over %v, not yet %v, listing %v", s, r.Over, r.NotYet, r.Listing())
		}
		if r.Quantity.Milli > 0 && !r.Quantity.Unit.Valid() {
			t.Fatalf("ReadListing(%q): quantity %+v without a unit", s, r.Quantity)
		}
		if utf8.RuneCountInString(r.Note) > utf8.RuneCountInString(Normalize(s))+len(s) {
			t.Fatalf("ReadListing(%q): note %q longer than the text", s, r.Note)
		}
	})
}
