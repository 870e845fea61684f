package flows

import (
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Every word of the lexicon means what the places that read it expect,
// typed with its marks and capitals as farmers type it, or without them.
// Each word of the table must be named here: a new word needs its row.
func TestEveryWordMeansWhatItSays(t *testing.T) {
	rows := []struct {
		typed string
		want  wordMeaning
	}{
		// The way out, help, back: every step reads them.
		{"Huỷ", wordCancel | wordOrderCancel | wordControl},
		{"hủy bỏ", wordCancel | wordOrderCancel},
		{"Thôi", wordCancel | wordSkip},
		{"cancel", wordCancel | wordOrderCancel | wordControl},
		{"Trợ giúp", wordHelp | wordControl},
		{"giúp", wordHelp},
		{"Hướng dẫn", wordHelp},
		{"help", wordHelp | wordControl},
		{"Quay lại", wordBack | wordControl},
		{"trở lại", wordBack},
		{"back", wordBack | wordControl},
		{"Thôi không bán nữa", wordQuit},
		{"không bán nữa", wordQuit | wordClose},
		{"thôi không đăng nữa", wordQuit},
		{"Không đăng nữa", wordQuit},
		{"thôi không mua nữa", wordQuit | wordCancelOrder},
		{"không mua nữa", wordQuit | wordCancelOrder},
		{"thôi không làm nữa", wordQuit},
		{"không làm nữa", wordQuit},
		{"ạ", wordParticle},
		{"nhé", wordParticle},
		{"nha", wordParticle},
		{"đi", wordParticle},
		{"luôn", wordParticle},
		{"em", wordParticle | wordPickLead},
		// Yes and no, to an order's question, the renewal's, a change's.
		{"Có", wordYes | wordControl},
		{"có ạ", wordYes},
		{"dạ có", wordYes},
		{"có nhận", wordYes | wordMind},
		{"OK", wordYes | wordThanks | wordControl},
		{"oke", wordYes | wordThanks | wordControl},
		{"okay", wordYes | wordThanks},
		{"Đồng ý", wordYes | wordControl},
		{"được", wordYes},
		{"được ạ", wordYes},
		{"yes", wordYes | wordControl},
		{"Vâng", wordPoliteYes | wordLeadYes | wordThanks | wordMind},
		{"vang", wordPoliteYes | wordLeadYes | wordThanks | wordMind},
		{"Dạ", wordPoliteYes | wordThanks | wordMind},
		{"dạ vâng", wordPoliteYes | wordThanks},
		{"vâng dạ", wordPoliteYes},
		{"ừ", wordPoliteYes | wordThanks | wordMind},
		{"uh", wordPoliteYes | wordThanks | wordMind},
		{"được rồi", wordPoliteYes | wordThanks | wordMind},
		{"Không", wordNo | wordSkip | wordControl},
		{"không ạ", wordNo},
		{"no", wordNo | wordSkip | wordControl},
		{"Gia hạn", wordRenewYes | wordRenew},
		{"gia hạn 7 ngày", wordRenewYes},
		{"có bán thêm", wordRenewYes},
		{"renew", wordRenewYes | wordRenew},
		{"không bán thêm", wordRenewNo},
		{"Không gia hạn", wordRenewNo},
		{"Cảm ơn", wordThanks},
		{"cảm ơn nhé", wordThanks},
		{"cám ơn nhiều", wordThanks},
		{"thanks", wordThanks},
		{"thank you", wordThanks},
		{"Tốt quá", wordThanks},
		{"hay quá", wordThanks},
		{"vâng ạ", wordThanks},
		// At the question why she declines: she accepts after all.
		{"Bán", wordMind | wordControl},
		{"vẫn bán", wordMind},
		{"có bán", wordMind},
		{"có nhận đơn", wordMind},
		{"nhận đơn này", wordMind},
		{"nhận được", wordMind},
		{"vẫn nhận", wordMind},
		{"đồng ý nhận", wordMind},
		// A buyer's order cancelled between tasks.
		{"huỷ bỏ đơn", wordCancelOrder},
		{"Huỷ đơn", wordCancelOrder | wordOrderCancel},
		{"hủy đơn hàng", wordCancelOrder | wordOrderCancel},
		{"huỷ đơn mua", wordCancelOrder},
		{"huỷ đơn này", wordCancelOrder | wordOrderCancel},
		// Verbs before an order's code, and alone where they are done.
		{"Nhận", wordMind | wordAccept},
		{"nhận đơn", wordMind | wordAccept},
		{"accept", wordMind | wordAccept},
		{"Từ chối", wordDecline | wordRefuse},
		{"không nhận", wordDecline | wordRefuse},
		{"decline", wordDecline},
		{"Đã giao", wordShip | wordShipped},
		{"đã giao hàng", wordShip | wordShipped},
		{"Đã giao hàng rồi", wordShip | wordShipped},
		{"đã giao rồi", wordShip | wordShipped},
		{"đã gửi", wordShip | wordShipped},
		{"Đã gửi rồi", wordShip | wordShipped},
		{"đã gửi hàng rồi", wordShip | wordShipped},
		{"gửi hàng rồi", wordShip | wordShipped},
		{"gửi rồi", wordShip | wordShipped},
		{"Giao rồi", wordShip | wordShipped},
		{"giao hàng rồi", wordShip | wordShipped},
		{"giao hàng", wordShip},
		{"đã gửi hàng", wordShip | wordShipped | wordShipLabel},
		{"gửi hàng", wordShipLabel},
		{"shipped", wordShip | wordShipped | wordShipLabel},
		{"Đã nhận hàng", wordReceived},
		{"đã nhận được hàng", wordReceived},
		{"Đã nhận được hàng rồi", wordReceived},
		{"đã nhận được rồi", wordReceived},
		{"đã nhận hàng rồi", wordReceived},
		{"nhận được hàng", wordReceived},
		{"nhận được hàng rồi", wordReceived},
		{"Nhận được rồi", wordReceived},
		{"received", wordReceived},
		{"không giao", wordDrop},
		{"Không giao được", wordDrop | wordFar},
		{"không giao được nữa", wordDrop},
		{"Xem", wordView},
		{"xem đơn", wordView},
		{"view", wordView},
		// Verbs before a listing's code.
		{"ngừng bán", wordClose},
		{"Đóng tin", wordClose},
		{"hết hàng", wordClose | wordSoldOut},
		{"close", wordClose},
		{"Gỡ", wordRemove},
		{"gỡ tin", wordRemove},
		{"xoá", wordRemove},
		{"xóa tin", wordRemove},
		{"remove", wordRemove},
		{"Chặn", wordBan},
		{"chặn người đăng", wordBan},
		{"bán thêm", wordRenewYes | wordRenew},
		{"Bán thêm 7 ngày", wordRenewYes | wordRenew},
		// ⏭ Bỏ qua typed, wherever a question offers it.
		{"Bỏ qua", wordSkip | wordControl},
		{"bo qua", wordSkip | wordControl},
		{"boqua", wordSkip | wordControl},
		{"skip", wordSkip | wordControl},
		{"none", wordSkip},
		{"không có", wordSkip},
		{"Ko có", wordSkip},
		{"k có", wordSkip},
		{"hông có", wordSkip},
		{"ko", wordSkip},
		{"k", wordSkip},
		{"không cần", wordSkip},
		{"ko cần", wordSkip},
		{"chưa cần", wordSkip},
		{"không có gì", wordSkip},
		{"ko có gì", wordSkip},
		{"Chưa có", wordSkip},
		{"chưa", wordSkip},
		{"để sau", wordSkip},
		// A refusal before a price, and the words around the price.
		{"Không bán", wordRefuse},
		{"ko bán", wordRefuse},
		{"k bán", wordRefuse},
		{"kh bán", wordRefuse},
		{"khg bán", wordRefuse},
		{"hông bán", wordRefuse},
		{"hok bán", wordRefuse},
		{"không bán được", wordRefuse},
		{"ko bán được", wordRefuse},
		{"không nhận đơn", wordRefuse},
		{"ko nhận", wordRefuse},
		{"ko nhận đơn", wordRefuse},
		{"giá đó", wordPriceFill},
		{"dưới", wordPriceMin},
		{"ít", wordPriceMin},
		{"ít hơn", wordPriceMin},
		{"thấp hơn", wordPriceMin},
		{"rẻ hơn", wordPriceMin},
		{"nhỏ hơn", wordPriceMin},
		{"bé hơn", wordPriceMin},
		{"dưới giá", wordPriceMin},
		{"giá dưới", wordPriceMin},
		// A buyer asking how to pay.
		{"stk", wordPay},
		{"số tk", wordPay},
		{"số tài khoản", wordPay},
		{"xin stk", wordPay},
		{"cho xin stk", wordPay},
		{"xin số tài khoản", wordPay},
		{"Cho xin số tài khoản", wordPay},
		{"mã QR", wordPay},
		{"mã thanh toán", wordPay},
		{"thanh toán", wordPay},
		{"trả tiền", wordPay},
		{"chuyển khoản", wordPay},
		{"trả tiền thế nào", wordPay},
		{"chuyển khoản vào đâu", wordPay},
		{"trả tiền vào đâu", wordPay},
		{"chuyển tiền vào đâu", wordPay},
		{"Đã chuyển khoản", wordPaid},
		{"đã chuyển khoản rồi", wordPaid},
		{"chuyển khoản rồi", wordPaid},
		{"đã ck", wordPaid},
		{"đã ck rồi", wordPaid},
		{"ck rồi", wordPaid},
		{"đã chuyển tiền", wordPaid},
		{"đã chuyển tiền rồi", wordPaid},
		{"chuyển tiền rồi", wordPaid},
		{"đã thanh toán", wordPaid},
		{"đã thanh toán rồi", wordPaid},
		{"đã trả tiền", wordPaid},
		{"đã trả tiền rồi", wordPaid},
		{"trả tiền rồi", wordPaid},
		{"em đã chuyển khoản", wordPaid},
		{"tôi đã chuyển khoản", wordPaid},
		{"giá này", wordPriceFill},
		{"giá vậy", wordPriceFill},
		{"giá đấy", wordPriceFill},
		{"với giá", wordPriceFill},
		{"ở giá", wordPriceFill},
		{"mức giá", wordPriceFill},
		{"mới bán", wordPriceFill},
		{"mới bán được", wordPriceFill},
		{"thì bán", wordPriceFill},
		{"thì mới bán", wordPriceFill},
		{"nữa", wordPriceFill},
		{"đâu", wordPriceFill},
		// Answers meant for the bot: never a name, a product, a reason.
		{"Xong", wordControl},
		{"xong rồi", wordControl},
		{"rồi", wordControl},
		{"done", wordControl},
		{"mua", wordControl | wordCounter},
		// Before a declined order's code: buy at the farmer's price.
		{"mua lại", wordCounter},
		{"Đặt lại", wordCounter},
		{"mua giá này", wordCounter},
		{"mua giá đó", wordCounter},
		{"buy", wordCounter},
		{"đăng bán", wordControl},
		{"bán hàng", wordControl},
		// A profile change's buttons, typed.
		{"Đúng tôi đổi", wordChangeYes},
		{"đúng là tôi đổi", wordChangeYes},
		{"tôi đổi", wordChangeYes},
		{"yes I changed it", wordChangeYes},
		{"Không phải tôi", wordChangeNo},
		{"không phải", wordChangeNo},
		{"not me", wordChangeNo},
		{"it was not me", wordChangeNo},
		// The reasons to decline, typed: Hết hàng, Không giao được tới đó, ❔ Lý do khác.
		{"Hết", wordSoldOut | wordAll},
		{"hết rồi", wordSoldOut},
		{"hết hàng rồi", wordSoldOut},
		{"đã hết", wordSoldOut},
		{"đã hết hàng", wordSoldOut},
		{"bán hết", wordSoldOut},
		{"bán hết rồi", wordSoldOut},
		{"bán hết hàng rồi", wordSoldOut},
		{"hết sạch", wordSoldOut},
		{"hết sạch rồi", wordSoldOut},
		{"hết hàng mất rồi", wordSoldOut},
		{"không còn", wordSoldOut},
		{"không còn hàng", wordSoldOut},
		{"không còn hàng nữa", wordSoldOut},
		{"hàng hết rồi", wordSoldOut},
		{"sold out", wordSoldOut},
		{"Xa quá", wordFar},
		{"xa", wordFar},
		{"không giao được tới đó", wordFar},
		{"không giao tới được", wordFar},
		{"xa quá không giao được", wordFar},
		{"không giao được xa", wordFar},
		{"too far", wordFar},
		{"khác", wordOtherReason},
		{"Lý do khác", wordOtherReason},
		{"other", wordOtherReason},
		// All that is left, at an order's quantity question.
		{"lấy hết", wordAll},
		{"mua hết", wordAll},
		{"lấy cả", wordAll},
		{"mua cả", wordAll},
		{"bao hết", wordAll},
		{"lấy tất cả", wordAll},
		{"mua tất cả", wordAll},
		{"lấy hết hàng", wordAll},
		{"mua hết hàng", wordAll},
		{"all", wordAll},
		// The follow verbs.
		{"Theo dõi", wordFollow},
		{"follow", wordFollow},
		{"bỏ theo dõi", wordUnfollow},
		{"Huỷ theo dõi", wordUnfollow},
		{"unfollow", wordUnfollow},
		// The words before a choice's number ("số 2", "em chọn 2").
		{"Chọn", wordPickLead},
		{"số", wordPickLead},
		{"mục", wordPickLead},
		{"tôi", wordPickLead},
		{"cháu", wordPickLead},
	}
	seen := map[string]bool{}
	for _, row := range rows {
		key := strings.Join(strings.Fields(vn.Fold(row.typed)), " ")
		if got := lexicon.meaning(key); got != row.want {
			t.Errorf("%q (%q) means %v, want %v", row.typed, key, got, row.want)
		}
		seen[key] = true
	}
	// The lead words, with their marks: "đã" is none.
	for _, lead := range []string{"dạ", "vâng", "vang", "ừ"} {
		if !lexicon.is(lead, wordLeadYes) {
			t.Errorf("%q leads no answer", lead)
		}
		seen[lead] = true
	}
	if lexicon.is("đã", wordLeadYes) {
		t.Error(`"đã" leads an answer`)
	}
	for _, emoji := range []string{"👍", "🙏", "👌", "👏", "🤝", "💪", "✅", "✔", "☑", "🆗", "❤", "♥", "💕", "💖", "💗", "💓",
		"💞", "💚", "💙", "💛", "🧡", "💜", "🫶", "🥰", "😍", "😘", "😊", "☺", "🙂", "😀", "😃", "😄", "😁", "😆", "🤗", "😇",
		"🌹", "🌸", "💐", "🌾", "🎉", "💯"} {
		if lexicon.meaning(emoji) != wordThanks {
			t.Errorf("%s means %v, want thanks", emoji, lexicon.meaning(emoji))
		}
		seen[emoji] = true
	}
	for _, upset := range []string{"❓", "😡", "😢", "?"} {
		if lexicon.meaning(upset) != 0 {
			t.Errorf("%s means %v, want nothing", upset, lexicon.meaning(upset))
		}
	}
	for word := range lexicon {
		if !seen[word] {
			t.Errorf("%q (%v) has no row in this test", word, lexicon.meaning(word))
		}
	}
}

// Words read as controlKey reads them: with particles after them,
// punctuation, emoji.
func TestWordsAreReadAsControlKeyReadsThem(t *testing.T) {
	for text, want := range map[string]wordMeaning{
		"Huỷ ạ.":          wordCancel | wordOrderCancel | wordControl,
		"quay lại nhé":    wordBack | wordControl,
		"Có em":           wordYes | wordControl,
		"✅ Đã nhận hàng":  wordReceived,
		"🚚 Đã giao hàng!": wordShip | wordShipped,
		"Cảm ơn nhé":      wordThanks,
		"huỷ đơn giúp em": 0, // only whole keys count
		"":                0,
	} {
		if got := lexicon.meaning(controlKey(text)); got != want {
			t.Errorf("%q (%q) means %v, want %v", text, controlKey(text), got, want)
		}
	}
}

// A choice's typed words are the words of its meanings, each once.
func TestWordsOfAMeaning(t *testing.T) {
	got := strings.Join(lexicon.of(wordNo), ",")
	if got != "khong,khong a,no" {
		t.Errorf("of(no) = %s", got)
	}
	got = strings.Join(lexicon.of(wordShipLabel), ",")
	if got != "da gui hang,gui hang,shipped" {
		t.Errorf("of(ship label) = %s", got)
	}
}

// A refusal that names a price is read for the price, whatever is around
// it; without a refusal (or at the reason question, lead false: with or
// without one) a price alone; anything else is none.
func TestARefusalNamesAPrice(t *testing.T) {
	for _, row := range []struct {
		typed string
		lead  bool
		want  vn.Price // VND 0: no refusal with a price
	}{
		{"không bán 30k", true, vn.Price{VND: 30_000}},
		{"Ko bán giá 30k", true, vn.Price{VND: 30_000}},
		{"ko ban gia 30k a", true, vn.Price{VND: 30_000}},
		{"không bán giá đó, 30k mới bán", true, vn.Price{VND: 30_000}},
		{"Không bán giá này đâu, 30 nghìn thì bán", true, vn.Price{VND: 30_000}},
		{"k bán với giá 27k nữa", true, vn.Price{VND: 27_000}},
		{"Từ chối, chỉ bán 32.000đ/kg", true, vn.Price{VND: 32_000, Per: vn.UnitKg}},
		{"không nhận, 3 triệu/tạ mới bán", true, vn.Price{VND: 3_000_000, Per: "ta"}},
		{"không bán 30", true, vn.Price{}}, // 30 đ: no price
		{"không bán nữa", true, vn.Price{}},
		{"không bán", true, vn.Price{}},
		{"30k mới bán", true, vn.Price{}}, // no refusal
		{"bán 2 tấn quýt giá 18k", true, vn.Price{}},
		{"30k mới bán", false, vn.Price{VND: 30_000}},
		{"giá đó không được, 30k", false, vn.Price{}},
		{"không bán 30k", false, vn.Price{VND: 30_000}},
		{"hàng chưa chín", false, vn.Price{}},
		{"còn 30 kg thôi", false, vn.Price{}},
	} {
		got, least, ok := refusedPrice(row.typed, row.lead)
		if ok != (row.want.VND > 0) || got != row.want || least {
			t.Errorf("refusedPrice(%q, %v) = %+v, %v; want %+v", row.typed, row.lead, got, ok, row.want)
		}
	}
}

// A refusal of a price below one ("không bán dưới 20k", "không bán ít,
// 25k") names the lowest price she sells at, not her price.
func TestARefusalNamesHerLowestPrice(t *testing.T) {
	for _, row := range []struct {
		typed string
		want  vn.Price
	}{
		{"không bán dưới 20k", vn.Price{VND: 20_000}},
		{"Không bán ít, 25k", vn.Price{VND: 25_000}},
		{"ko ban duoi 20 nghin dau", vn.Price{VND: 20_000}},
		{"không bán ít hơn 25k", vn.Price{VND: 25_000}},
		{"không bán thấp hơn 22.000đ/kg", vn.Price{VND: 22_000, Per: vn.UnitKg}},
		{"k bán rẻ hơn 2 triệu/tạ", vn.Price{VND: 2_000_000, Per: "ta"}},
		{"không bán giá dưới 20k", vn.Price{VND: 20_000}},
	} {
		got, least, ok := refusedPrice(row.typed, true)
		if !ok || !least || got != row.want {
			t.Errorf("refusedPrice(%q) = %+v, least %v, %v; want %+v, least", row.typed, got, least, ok, row.want)
		}
	}
	if _, _, ok := refusedPrice("không bán ít", true); ok {
		t.Errorf("\"không bán ít\" names a price")
	}
}

// The reason a price refusal stores is her price above the order's, the
// price refused at or below it, in the order's unit when she named none;
// and it reads back.
func TestAPriceReasonComparesWithTheOrder(t *testing.T) {
	o := &Order{Price: vn.Price{VND: 27_000, Per: vn.UnitKg}, Quantity: vn.Quantity{Milli: 30_000, Unit: vn.UnitKg}}
	for _, row := range []struct {
		said vn.Price
		want Reason
	}{
		{vn.Price{VND: 30_000}, Reason{Key: ReasonPrice, Text: "30000/kg"}},
		{vn.Price{VND: 27_000}, Reason{Key: ReasonPriceRefused, Text: "27000/kg"}},
		{vn.Price{VND: 20_000}, Reason{Key: ReasonPriceRefused, Text: "20000/kg"}},
		{vn.Price{VND: 3_000_000, Per: "ta"}, Reason{Key: ReasonPrice, Text: "3000000/ta"}},
		{vn.Price{VND: 2_000_000, Per: "ta"}, Reason{Key: ReasonPriceRefused, Text: "2000000/ta"}},
	} {
		got := priceReason(o, row.said)
		if got != row.want {
			t.Errorf("priceReason(%+v) = %+v, want %+v", row.said, got, row.want)
		}
		if p, ok := reasonPrice(got); !ok || p.VND != row.said.VND {
			t.Errorf("reasonPrice(%+v) = %+v, %v", got, p, ok)
		}
	}
}

// The lists that once sat in the flows read the table: a reason typed is
// the button it names, a change's button typed is its answer, a follow
// verb starts a follow, and an answer meant for the bot is no name.
func TestTheFlowsReadTheirWordsFromTheTable(t *testing.T) {
	for text, want := range map[string]string{"Hết hàng rồi ạ": ReasonSoldOut, "xa quá": ReasonFar, "Không giao được tới đó": ReasonFar} {
		if got, ok := reasonSaid(text); !ok || got != want {
			t.Errorf("reasonSaid(%q) = %q, %v; want %q", text, got, ok, want)
		}
	}
	if _, ok := reasonSaid("hàng chưa chín"); ok {
		t.Error(`"hàng chưa chín" names a reason`)
	}
	for text, want := range map[string][2]string{"Đúng tôi đổi 4827": {"ok", "4827"}, "không phải tôi": {"no", ""}, "tôi đổi": {"ok", ""}} {
		if a, code := typedAnswer(Input{Kind: KindText, Text: text}); a != want[0] || code != want[1] {
			t.Errorf("typedAnswer(%q) = %q, %q; want %v", text, a, code, want)
		}
	}
	for text, want := range map[string]struct {
		what     string
		unfollow bool
	}{"theo dõi na Chi Lăng": {"na Chi Lăng", false}, "Bỏ theo dõi na": {"na", true}, "huỷ theo dõi cam": {"cam", true}, "follow na": {"na", false}} {
		what, unfollow, ok := followTyped(Input{Kind: KindText, Text: text})
		if !ok || what != want.what || unfollow != want.unfollow {
			t.Errorf("followTyped(%q) = %q, %v, %v; want %+v", text, what, unfollow, ok, want)
		}
	}
	for _, s := range []string{"Xong ạ", "Bỏ qua.", "đăng bán", "OK"} {
		if validName(s) || validReason(s) {
			t.Errorf("%q is taken as a name or a reason", s)
		}
	}
	if !validName("Nguyễn Thị Hoa") || !validReason("hàng chưa chín") {
		t.Error("a name or a reason refused")
	}
}
