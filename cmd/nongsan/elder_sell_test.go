package main

import (
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// elderSeller is an older farmer, registered, at the product question,
// typing on Telegram.
func elderSeller(t *testing.T, user string) (*typist, *testBot) {
	t.Helper()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	p := &typist{t: t, c: tgTypist{b}}
	p.register(user, "0912 888 764")
	p.expect(user, "sell.product")
	return p, b
}

// An older farmer ends her answers with an emoji, as she does with her
// family: "Na 🍈", "5 tạ 👍", "25k 🙏", "mai nhé 😊" are read as without
// it, and the summary echoes her price without the emoji.
func TestAnElderFarmerEndsHerAnswersWithEmoji(t *testing.T) {
	t.Parallel()
	const farmer = "7701"
	p, _ := elderSeller(t, farmer)
	p.say(farmer, "Na 🍈")
	p.expect(farmer, "sell.photos")
	p.c.sendPhoto(farmer, "photo-1", "")
	p.say(farmer, "xong 👍")
	p.expect(farmer, "sell.quantity", "Product", "Na Chi Lăng", "Unit", "kg")
	p.say(farmer, "5 tạ 👍")
	p.expect(farmer, "sell.price", "Unit", "kg")
	p.say(farmer, "25k 🙏")
	p.expect(farmer, "sell.ready")
	p.say(farmer, "mai nhé 😊")
	p.expect(farmer, "sell.note")
	p.say(farmer, "bỏ qua")
	summary := p.lastSummary(farmer)
	for _, want := range []string{"Na Chi Lăng — 5 tạ", "25.000 đ/kg", "25.000 đ/kg, anh/chị gõ \"25k\"\n"} {
		if !strings.Contains(summary, want) {
			t.Fatalf("summary lacks %q:\n%s", want, summary)
		}
	}
	if strings.Contains(summary, "🙏") {
		t.Fatalf("summary echoes the emoji:\n%s", summary)
	}
}

// lastSummary waits for the listing's summary and returns the last one.
func (p *typist) lastSummary(user string) string {
	p.t.Helper()
	p.wait(user, isSummary)
	msgs := p.c.received(user)
	for i := len(msgs) - 1; ; i-- {
		if isSummary(msgs[i]) {
			return msgs[i]
		}
	}
}

func isSummary(s string) bool {
	return strings.HasPrefix(s, "📋 Anh/chị kiểm tra lại tin bán")
}

// "chưa có hàng" (not there yet) in her one-message listing is no ready
// date of today: the date is asked, and "chưa có hàng" typed at it gets
// the question again, not today.
func TestNotThereYetIsNoReadyDate(t *testing.T) {
	t.Parallel()
	const farmer = "7702"
	p, _ := elderSeller(t, farmer)
	p.say(farmer, "Na 5 tạ 25k chưa có hàng")
	p.expect(farmer, "sell.photos")
	p.c.sendPhoto(farmer, "photo-1", "")
	p.say(farmer, "xong")
	p.expect(farmer, "sell.ready")
	before := len(p.c.received(farmer))
	p.say(farmer, "chua co hang")
	p.waitAfter(farmer, before, func(s string) bool { return strings.HasPrefix(s, "📅") })
	if isSummary(p.last(farmer)) {
		t.Fatalf("summary after %q", "chua co hang")
	}
	p.say(farmer, "rằm tháng 11")
	p.expect(farmer, "sell.note")
}

// She types /ban again in the middle of her listing (she thinks the bot
// did not hear, or forgot where she was): what she typed is kept, the
// question in progress asked again below a line saying so, and how to
// start over ("huỷ", then /ban). Her product was typed as a Telex
// keyboard left it ("cams"): Cam.
func TestBanTypedAgainKeepsTheListingInProgress(t *testing.T) {
	t.Parallel()
	const farmer = "7703"
	p, _ := elderSeller(t, farmer)
	p.say(farmer, "cams")
	p.expect(farmer, "sell.photos")
	p.c.sendPhoto(farmer, "photo-1", "")
	p.say(farmer, "xong")
	p.expect(farmer, "sell.quantity", "Product", "Cam", "Unit", "kg")
	p.say(farmer, "/ban")
	got := p.expect(farmer, "sell.still_writing", "Product", "Cam")
	if want := text(t, "vi", "sell.quantity", "Product", "Cam", "Unit", "kg"); !strings.Contains(got, want) {
		t.Fatalf("after /ban: %q\nwant the quantity question again: %q", got, want)
	}
	p.say(farmer, "3 tạ")
	p.expect(farmer, "sell.price", "Unit", "kg")
	p.say(farmer, "huỷ")
	p.expect(farmer, "cancel.done")
	p.say(farmer, "/ban")
	p.expect(farmer, "sell.product")
}

// At the summary she types what to change rather than finding ✏️ Sửa:
// "sua gia" opens the price at once, "sửa số lượng" the quantity; each
// comes back to the summary. Words the summary does not know get a short
// list of what can be typed, not the whole summary again.
func TestTypedFieldNamesAtTheSummaryOpenThatField(t *testing.T) {
	t.Parallel()
	const farmer = "7704"
	p, _ := elderSeller(t, farmer)
	p.say(farmer, "na")
	p.expect(farmer, "sell.photos")
	p.c.sendPhoto(farmer, "photo-1", "")
	for _, a := range []string{"xong", "5 tạ", "25k", "mai", "bỏ qua"} {
		p.say(farmer, a)
	}
	p.lastSummary(farmer)
	p.say(farmer, "sua gia")
	p.expect(farmer, "sell.price", "Unit", "kg")
	p.say(farmer, "28k")
	if s := p.lastSummary(farmer); !strings.Contains(s, "28.000 đ/kg") {
		t.Fatalf("summary after the price changed:\n%s", s)
	}
	p.say(farmer, "sửa số lượng ạ")
	p.expect(farmer, "sell.quantity", "Product", "Na Chi Lăng", "Unit", "kg")
	p.say(farmer, "4 tạ")
	if s := p.last(farmer); !isSummary(s) || !strings.Contains(s, "4 tạ") {
		t.Fatalf("after the quantity changed: %q", s)
	}
	p.say(farmer, "ảnh") // alone, "anh" may be anyone: a field only after "sửa"
	p.expect(farmer, "sell.summary_unclear")
	p.say(farmer, "đổi ngày")
	p.expect(farmer, "sell.ready")
	p.say(farmer, "ngày kia")
	p.lastSummary(farmer)
	p.say(farmer, "cái này là sao")
	p.expect(farmer, "sell.summary_unclear")
	p.say(farmer, "dang")
	p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "✅ Đã") })
}

// The summary's price line reads clean whatever the unit and whatever she
// typed: no two brackets in a row ("(20.000 đ/kg) (anh/chị gõ: …)"), no
// bracket inside a bracket, no stray punctuation.
func TestTheSummarysPriceLineReadsClean(t *testing.T) {
	t.Parallel()
	const farmer = "7705"
	p, _ := elderSeller(t, farmer)
	p.say(farmer, "na")
	p.expect(farmer, "sell.photos")
	p.c.sendPhoto(farmer, "photo-1", "")
	for _, a := range []string{"xong", "5 tạ", "2 triệu/tạ", "mai", "bỏ qua"} {
		p.say(farmer, a)
	}
	for _, tt := range []struct{ typed, line string }{
		{"", "💰 2.000.000 đ/tạ (20.000 đ/kg), anh/chị gõ \"2 triệu/tạ\"\n"},
		{"25k.", "💰 25.000 đ/kg, anh/chị gõ \"25k\"\n"},
		{"25k (25.000đ)", "💰 25.000 đ/kg, anh/chị gõ \"25k (25.000đ)\"\n"},
		{"\"2tr5/tạ\"", "💰 2.500.000 đ/tạ (25.000 đ/kg), anh/chị gõ \"2tr5/tạ\"\n"},
	} {
		if tt.typed != "" {
			p.say(farmer, "sửa giá")
			p.expect(farmer, "sell.price", "Unit", "kg")
			p.say(farmer, tt.typed)
		}
		s := p.lastSummary(farmer)
		if !strings.Contains(s, tt.line) {
			t.Fatalf("price %q: summary\n%s\nwant the line %q", tt.typed, s, tt.line)
		}
		for _, odd := range []string{") (", "))", "((", "\"\"", ".\"", "( "} {
			if strings.Contains(s, odd) {
				t.Fatalf("price %q: %q in the summary\n%s", tt.typed, odd, s)
			}
		}
	}
}

// At the name question she types "giu ten" (keep the name) rather than
// finding the button with her name: the name shown is kept, not "giu ten".
func TestGiuTenKeepsTheNameShown(t *testing.T) {
	t.Parallel()
	for i, keep := range []string{"giu ten", "giữ tên ạ", "đúng rồi"} {
		tg := telegramtest.NewServer(t)
		b := startBot(t, tg, orderEnv(t, tg))
		p := &typist{t: t, c: tgTypist{b}}
		farmer := "77" + itoa(int64(10+i))
		p.say(farmer, "/ban")
		name := p.c.name(farmer)
		p.expect(farmer, "reg.name", "Name", name)
		p.say(farmer, keep)
		p.expect(farmer, "reg.phone")
		if n := count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM sellers`); n != 0 {
			t.Fatalf("%d sellers before the phone", n)
		}
		p.answer(farmer, "reg.phone", "0912 888 764", "reg.commune", "xã Quang Lang, Chi Lăng", "reg.code", "bỏ qua",
			"reg.bank", "bỏ qua")
		p.expect(farmer, "sell.product")
		if n := count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM sellers WHERE name = '`+name+`'`); n != 1 {
			t.Fatalf("%q at the name question: %d sellers named %q", keep, n, name)
		}
	}
}

// At the photo question she types the quantity before any photo ("5 tạ"),
// then sends a photo with "25k mai có hàng" under it: both are noted
// ("📝 Em đã ghi lại: …") and not asked again; after ✅ Xong, the note.
// Before, the text got "Em chưa hiểu" and the caption was lost.
func TestWhatSheSaysAtThePhotoQuestionIsKept(t *testing.T) {
	t.Parallel()
	const farmer = "7706"
	p, b := elderSeller(t, farmer)
	p.say(farmer, "na")
	p.expect(farmer, "sell.photos")
	p.say(farmer, "5 tạ")
	got := p.expect(farmer, "sell.noted", "What", "5 tạ")
	if !strings.Contains(got, text(t, "vi", "sell.photos")) {
		t.Fatalf("after 5 tạ at the photo question: %q\nwant the photo question again", got)
	}
	id := int64(7706)
	if code := b.Post(b.Up.Photo(id, id, "photo-1", "", "25k mai có hàng")); code != 200 {
		t.Fatal(code)
	}
	tomorrow := time.Now().In(vn.Location()).AddDate(0, 0, 1)
	date := text(t, "vi", "fmt.date", "Weekday", text(t, "vi", "weekday."+tomorrow.Weekday().String()), "Date", tomorrow.Format("2/1"))
	p.expect(farmer, "sell.noted", "What", "25.000 đ/kg, có hàng "+date)
	p.expect(farmer, "sell.photo_got", "Count", 1)
	p.say(farmer, "xong")
	p.expect(farmer, "sell.note")
	p.say(farmer, "bỏ qua")
	s := p.lastSummary(farmer)
	for _, want := range []string{"Na Chi Lăng — 5 tạ", "💰 25.000 đ/kg", "📅 Có hàng: " + date} {
		if !strings.Contains(s, want) {
			t.Fatalf("summary lacks %q:\n%s", want, s)
		}
	}
}
