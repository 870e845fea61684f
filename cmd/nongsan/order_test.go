package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/png"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vietqr"
)

const buyer = int64(2002)

// orderEnv is a bot whose group announcements go out at once.
func orderEnv(t testing.TB, tg *telegramtest.Server) map[string]string {
	env := newEnv(t, tg)
	env["ANNOUNCE_DELAY"] = "1ms"
	env["TICK_EVERY"] = "20ms"
	env["RENEWAL_HOURS"] = "0-24" // order reminders at whatever hour the test runs
	return env
}

// listing publishes a listing of quantity na at price from a registered
// farmer and returns its code.
func (b *testBot) listing(user int64, quantity, price string) string {
	b.t.Helper()
	b.Say(user, "/ban")
	b.Tap(user, "p:na-chi-lang")
	b.album(user, "album-"+quantity, "photo-1", "photo-2")
	b.Say(user, "xong")
	b.Say(user, quantity)
	b.Say(user, price)
	b.Say(user, "hôm nay")
	b.Tap(user, "skip")
	b.Publish(user)
	return b.publishedCode(user)
}

// deepLink is /start with the payload of a post's order button.
func deepLink(code string) string { return "/start buy_" + strings.ReplaceAll(code, "-", "") }

// order runs a buyer's order up to the summary.
func (b *testBot) order(user int64, code, quantity string) {
	b.t.Helper()
	b.Say(user, deepLink(code))
	b.expect(user, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	b.Say(user, quantity)
	b.expect(user, "order.name", "Name", fmt.Sprintf("Nông dân %d", user))
	b.Tap(user, "keep")
	b.expect(user, "order.phone")
	b.Post(b.Up.Contact(user, user, "+84987654321"))
	b.expect(user, "order.delivery")
	b.Say(user, "giao tận nơi")
	b.expect(user, "order.address")
	b.Say(user, "12 Trần Phú, Ba Đình, Hà Nội")
	b.expect(user, "order.note")
	b.Say(user, "bỏ qua")
}

// Place taps 🛒 Đặt hàng under the order summary the buyer was shown last.
func (b *testBot) Place(user int64) {
	b.t.Helper()
	b.Tap(user, b.summaryData(user, "place"))
}

// Publish taps ✅ Đăng tin bán under the listing summary the farmer was
// shown last.
func (b *testBot) Publish(user int64) {
	b.t.Helper()
	b.Tap(user, b.summaryData(user, "publish"))
}

// Edit taps ✏️ Sửa under the summary (of an order or a listing) user was
// shown last.
func (b *testBot) Edit(user int64) {
	b.t.Helper()
	b.Tap(user, b.summaryData(user, "edit"))
}

// summaryData is what the button value ("place", "publish", "edit") of
// the last summary sent to user carries: it names that summary.
func (b *testBot) summaryData(user int64, value string) string {
	b.t.Helper()
	msgs := b.Sent(user)
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, data := range msgs[i].Data {
			if strings.HasPrefix(data, value+":") {
				return data
			}
		}
	}
	b.t.Fatalf("no summary with its %q button was sent to %d", value, user)
	return ""
}

// unstamped are a summary's button values without the stamp that names
// the summary: "publish", "edit", "cancel".
func unstamped(data []string) []string {
	values := make([]string, len(data))
	for i, d := range data {
		values[i], _, _ = strings.Cut(d, ":")
	}
	return values
}

// changeListing has a farmer change their newest listing from /tin: the
// action's button, then the answer typed.
func (b *testBot) changeListing(user int64, action, answer string) {
	b.t.Helper()
	b.Say(user, "/tin")
	b.Tap(user, b.Last(user).Data[0])
	b.Tap(user, action)
	b.Say(user, answer)
}

// notice is the first message to chat that starts with prefix, waited for:
// a message to another chat than the update's may come just after the
// update is answered (its chat was busy with another sender).
func (b *testBot) notice(chat int64, prefix string) sent {
	b.t.Helper()
	return waitSent(b.t, b, chat, func(s sent) bool { return strings.HasPrefix(s.Text, prefix) }, 1)[0]
}

func TestBuyerOrdersFarmerAcceptsBuyerPaysWithVietQR(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	b := startBot(t, tg, env)
	b.markets()
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")

	b.order(buyer, code, "50kg")
	summary := b.Last(buyer).Text
	for _, want := range []string{"50 kg × 25.000 đ/kg", "Tổng: 1.250.000 đ", "0987 654 321", "Giao đến: 12 Trần Phú"} {
		if !strings.Contains(summary, want) {
			t.Errorf("order summary lacks %q:\n%s", want, summary)
		}
	}
	b.Say(buyer, "đặt hàng")
	orderCode := regexp.MustCompile(`DH-[2-9A-HJ-NP-Z]{4}`).FindString(b.Finished(buyer).Text)
	if orderCode == "" {
		t.Fatalf("no order code in %q", b.Finished(buyer).Text)
	}

	// The farmer is told at once, with two buttons; the buyer's phone comes
	// with the acceptance, as the farmer's goes to the buyer then.
	news := b.notice(farmer, "🛒 Đơn mới")
	if !strings.Contains(news.Text, orderCode) || strings.Contains(news.Text, "0987 654 321") || len(news.Data) != 2 {
		t.Fatalf("farmer's notice: %+v", news)
	}
	// Before acceptance the buyer has not seen the farmer's phone.
	for _, m := range b.Sent(buyer) {
		if strings.Contains(m.Text, "912 888 777") {
			t.Fatalf("the farmer's phone reached the buyer before acceptance: %q", m.Text)
		}
	}
	// The groups see a short announcement, without the buyer, and the post
	// shows what is left.
	for _, g := range []int64{chiLangMarket, allMarket} {
		got := waitSent(t, b, g, func(s sent) bool { return strings.HasPrefix(s.Text, "🛒 Đã có đơn") }, 1)[0]
		if want := "🛒 Đã có đơn 50 kg Na Chi Lăng (" + code + ") — còn 450 kg"; got.Text != want {
			t.Errorf("announcement in %d = %q, want %q", g, got.Text, want)
		}
	}
	for _, c := range tg.CallsTo("sendMessage") {
		if (c.ChatID == itoa(chiLangMarket) || c.ChatID == itoa(allMarket)) &&
			(strings.Contains(c.Params["text"], "0987") || strings.Contains(c.Params["text"], "Nông dân 2002")) {
			t.Errorf("the buyer appears in a group: %q", c.Params["text"])
		}
	}
	edits := tg.WaitCalls(t, "editMessageCaption", 2)
	if !strings.Contains(edits[0].Params["caption"], "(còn 450 kg)") {
		t.Errorf("edited post:\n%s", edits[0].Params["caption"])
	}

	// The farmer accepts: the buyer gets the phone and a VietQR to scan.
	b.Tap(farmer, news.Data[0])
	accepted := waitSent(t, b, buyer, func(s sent) bool { return strings.HasPrefix(s.Text, "🎉") }, 1)[0]
	if !strings.Contains(accepted.Text, "0912 888 777") {
		t.Errorf("acceptance without the farmer's phone: %q", accepted.Text)
	}
	// The buyer was also shown the listing's photo: the QR is the photo
	// whose caption names the order.
	var qrCall telegramtest.Call
	for n := 1; qrCall.Files == nil; n++ {
		for _, c := range tg.WaitCalls(t, "sendPhoto", n) {
			if c.ChatID == itoa(buyer) && strings.Contains(c.Params["caption"], orderCode) {
				qrCall = c
			}
		}
	}
	if qrCall.Files["photo"].Bytes == nil {
		t.Fatalf("no QR image uploaded to the buyer: %+v", qrCall)
	}
	payload := decodeQR(t, qrCall.Files["photo"].Bytes)
	want, err := vietqr.Payload(vietqr.Transfer{BIN: "970405", Account: "123456789012", Amount: 1_250_000, Purpose: orderCode + " " + code})
	if err != nil || payload != want {
		t.Fatalf("scanned QR %q\nwant         %q (%v)", payload, want, err)
	}
	if !strings.Contains(qrCall.Params["caption"], "1.250.000 đ") || !strings.Contains(qrCall.Params["caption"], orderCode) {
		t.Errorf("QR caption: %q", qrCall.Params["caption"])
	}

	// Shipped, received; the timeline tells the story.
	b.Tap(farmer, b.Finished(farmer).Data[0])
	shipping := waitSent(t, b, buyer, func(s sent) bool { return strings.Contains(s.Text, "đã giao hàng") }, 1)[0]
	b.Tap(buyer, shipping.Data[0])
	waitSent(t, b, farmer, func(s sent) bool { return strings.Contains(s.Text, "đã nhận được hàng") }, 1)
	b.Say(buyer, "/don")
	// A buyer who sells nothing is not told of "0 đơn bán".
	if list := b.Last(buyer).Text; !strings.HasPrefix(list, "📦 Đơn hàng của anh/chị: 1 đơn mua.\n") || strings.Contains(list, "0 đơn") {
		t.Errorf("a buyer's /don: %q", list)
	}
	b.Tap(buyer, b.Last(buyer).Data[0])
	detail := b.Finished(buyer)
	if !strings.Contains(detail.Text, text(t, "vi", "order_status_buyer.completed")) {
		t.Errorf("order detail: %q", detail.Text)
	}
	for _, d := range detail.Data {
		if strings.HasPrefix(d, "ord:timeline:") {
			b.Tap(buyer, d)
		}
	}
	timeline := b.Finished(buyer).Text
	for _, status := range []string{"pending", "accepted", "shipping", "completed"} {
		want := text(t, "vi", "order_status."+status)
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline lacks %q:\n%s", want, timeline)
		}
	}
}

func decodeQR(t testing.TB, png []byte) string {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		// gozxing's finder-pattern search misreads a few valid symbols (it
		// failed on about one random order code in a few hundred); read as
		// the pure, upright code it is, as a banking app's scanner manages.
		pure := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
		if res, err = qrcode.NewQRCodeReader().Decode(bmp, pure); err != nil {
			t.Fatal(err)
		}
	}
	return res.GetText()
}

// The buyer's name reaches the farmer with the order, before it is
// accepted, and their number only after: a name with a phone number in
// it, however written, is asked again, saying why and with an example;
// the farmer reads the name typed then, and no number.
func TestABuyersNameWithAPhoneNumberIsAskedAgain(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.markets()
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")

	b.Say(buyer, deepLink(code))
	b.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	b.Say(buyer, "50kg")
	b.expect(buyer, "order.name", "Name", "Nông dân 2002")
	for _, typed := range []string{"Hoa 0968 111 222", "Hoa không chín sáu tám một một một hai hai hai", "Hoa O968.lll.222"} {
		b.Say(buyer, typed)
		if got := b.Last(buyer).Text; !strings.HasPrefix(got, "Tên người nhận được gửi cho nhà vườn") ||
			!strings.Contains(got, "ví dụ: Nguyễn Thị Hoa") {
			t.Fatalf("after the name %q the bot said %q", typed, got)
		}
		b.expect(buyer, "order.name_phone")
	}
	b.Say(buyer, "Nguyễn Thị Hoa")
	b.expect(buyer, "order.phone")
	b.Post(b.Up.Contact(buyer, buyer, "+84987654321"))
	b.expect(buyer, "order.delivery")
	b.Say(buyer, "nhận tại vườn")
	b.expect(buyer, "order.note")
	b.Say(buyer, "bỏ qua")
	b.Say(buyer, "đặt hàng")
	news := b.notice(farmer, "🛒 Đơn mới")
	if !strings.Contains(news.Text, "👤 Nguyễn Thị Hoa\n") {
		t.Errorf("the farmer's notice does not name the buyer Nguyễn Thị Hoa:\n%s", news.Text)
	}
	for _, m := range b.Sent(farmer) {
		for _, bad := range []string{"0968", "chín", "O968", "0987"} {
			if strings.Contains(m.Text, bad) {
				t.Errorf("the farmer read %q before accepting: %q", bad, m.Text)
			}
		}
	}
}

// The address and the note reach the farmer with the order, before it is
// accepted, and the buyer's number only after: an address or a note with a
// phone number in it is asked again, saying why and with an example, and an
// address saved with a number in it is not offered again. The farmer reads
// no number before accepting.
func TestABuyersAddressOrNoteWithAPhoneNumberIsAskedAgain(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	b := startBot(t, tg, env)
	b.markets()
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")

	b.Say(buyer, deepLink(code))
	b.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	b.Say(buyer, "50kg")
	b.Say(buyer, "Nguyễn Thị Hoa")
	b.expect(buyer, "order.phone")
	b.Post(b.Up.Contact(buyer, buyer, "+84987654321"))
	b.expect(buyer, "order.delivery")
	b.Say(buyer, "giao hàng")
	b.expect(buyer, "order.address")
	for _, typed := range []string{"Thôn 3 Mai Pha, gọi 0968 111 222", "Thôn 3 Mai Pha, không chín sáu tám một một một hai hai hai"} {
		b.Say(buyer, typed)
		if got := b.Last(buyer).Text; !strings.HasPrefix(got, "Địa chỉ được gửi cho nhà vườn") ||
			!strings.Contains(got, "ví dụ: 12 Trần Phú") {
			t.Fatalf("after the address %q the bot said %q", typed, got)
		}
		b.expect(buyer, "order.address_phone")
	}
	b.Say(buyer, "Thôn 3 Mai Pha, Lạng Sơn")
	b.expect(buyer, "order.note")
	b.Say(buyer, "gọi em 0968.111.222 trước khi giao")
	if got := b.Last(buyer).Text; !strings.HasPrefix(got, "Lời dặn được gửi cho nhà vườn") ||
		!strings.Contains(got, "ví dụ: gọi trước khi giao") {
		t.Fatalf("after the note with a number the bot said %q", got)
	}
	b.expect(buyer, "order.note_phone")
	b.Say(buyer, "gọi trước khi giao")
	b.Say(buyer, "đặt hàng")
	news := b.notice(farmer, "🛒 Đơn mới")
	if !strings.Contains(news.Text, "Thôn 3 Mai Pha, Lạng Sơn") || !strings.Contains(news.Text, "gọi trước khi giao") {
		t.Errorf("the farmer's notice lacks the address or the note:\n%s", news.Text)
	}

	// An address saved with a number in it, from before, is asked again.
	const other = buyer + 1
	db, err := postgres.Open(context.Background(), env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.Touch(context.Background(), flows.Input{Channel: flows.Telegram, UserID: itoa(other), UserName: "Lan"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(context.Background(), `INSERT INTO buyers (user_id, name, phone_e164, address)
		VALUES ($1, 'Trần Thị Lan', '+84933444555', 'Xóm 5 Quang Lang, gọi 0977 222 333')`, u.ID); err != nil {
		t.Fatal(err)
	}
	b.Say(other, deepLink(code))
	b.Say(other, "20kg")
	b.expect(other, "order.delivery")
	b.Say(other, "giao hàng")
	b.expect(other, "order.address")
	if data := b.Last(other).Data; len(data) != 0 {
		t.Errorf("the address saved with a number is offered: %v", data)
	}
	b.Say(other, "Xóm 5 Quang Lang, Chi Lăng")
	b.expect(other, "order.note")
	b.Say(other, "bỏ qua")
	b.Say(other, "đặt hàng")
	waitSent(t, b, farmer, func(s sent) bool { return strings.Contains(s.Text, "Xóm 5 Quang Lang, Chi Lăng") }, 1)

	// So is a name saved with a number in it, from before such names were
	// refused.
	const third = buyer + 2
	u, err = db.Touch(context.Background(), flows.Input{Channel: flows.Telegram, UserID: itoa(third), UserName: "Mai"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(context.Background(), `INSERT INTO buyers (user_id, name, phone_e164, address)
		VALUES ($1, 'Mai 0977 222 333', '+84977222333', '')`, u.ID); err != nil {
		t.Fatal(err)
	}
	b.Say(third, deepLink(code))
	b.Say(third, "30kg")
	b.expect(third, "order.name", "Name", fmt.Sprintf("Nông dân %d", third))
	b.Say(third, "Lê Thị Mai")
	b.expect(third, "order.delivery") // the number saved is kept
	b.Say(third, "nhận tại vườn")
	b.expect(third, "order.note")
	b.Say(third, "bỏ qua")
	b.Say(third, "đặt hàng")
	waitSent(t, b, farmer, func(s sent) bool { return strings.Contains(s.Text, "👤 Lê Thị Mai\n") }, 1)

	for _, m := range b.Sent(farmer) {
		for _, bad := range []string{"0968", "chín", "0977", "0987", "0933"} {
			if strings.Contains(m.Text, bad) {
				t.Errorf("the farmer read %q before accepting: %q", bad, m.Text)
			}
		}
	}
}

// A buyer who speaks English orders by typing "buy" and the code, as the
// English texts say "Buy"; "mua" and the code go on working too.
func TestAnEnglishBuyerOrdersByTypingBuyAndTheCode(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.markets()
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	want := text(t, "en", "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 VND/kg")
	for _, typed := range []string{"BUY " + code, "buy " + strings.ToLower(code), "mua " + code} {
		if code := b.Post(b.Up.WithLanguage("en").Text(buyer, buyer, typed)); code != http.StatusOK {
			t.Fatal(code)
		}
		if got := b.Last(buyer).Text; got != want {
			t.Fatalf("after %q the bot said %q\nwant %q", typed, got, want)
		}
		b.Say(buyer, "/huy")
	}
}

func TestOrdersAreShownInTheBuyersUnit(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.markets()
	b.register(farmer)
	code := b.listing(farmer, "5 tạ", "25k")
	b.Say(buyer, deepLink(code))
	b.expect(buyer, "order.quantity", "Remaining", "5 tạ", "Unit", "tạ", "Price", "25.000 đ/kg")
	b.Say(buyer, "50kg")
	b.Tap(buyer, "keep")
	b.Post(b.Up.Contact(buyer, buyer, "+84987654321"))
	b.Tap(buyer, "pickup")
	b.Tap(buyer, "skip")
	if s := b.Last(buyer).Text; !strings.Contains(s, "50 kg × 25.000 đ/kg") || !strings.Contains(s, "1.250.000 đ") {
		t.Fatalf("order summary:\n%s", s)
	}
	b.Place(buyer)
	if s := b.Finished(buyer).Text; !strings.Contains(s, ": 50 kg Na Chi Lăng") {
		t.Fatalf("order placed: %q", s)
	}
	if s := b.notice(farmer, "🛒 Đơn mới").Text; !strings.HasPrefix(s, "🛒 Đơn mới: 50 kg Na Chi Lăng, tổng 1.250.000 đ") {
		t.Fatalf("farmer's notice:\n%s", s)
	}
	got := waitSent(t, b, allMarket, func(s sent) bool { return strings.HasPrefix(s.Text, "🛒 Đã có đơn") }, 1)[0]
	if want := "🛒 Đã có đơn 50 kg Na Chi Lăng (" + code + ") — còn 4,5 tạ"; got.Text != want {
		t.Errorf("announcement = %q, want %q", got.Text, want)
	}
}

func TestDeclinedOrderReleasesStockAndOffersSimilar(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.markets()
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	const other = int64(3003)
	b.register(other)
	otherCode := b.listing(other, "2 tạ", "27k")

	b.order(buyer, code, "500 kg") // all of it
	b.Place(buyer)
	news := b.notice(farmer, "🛒 Đơn mới")
	b.Tap(farmer, news.Data[1])
	b.expect(farmer, "order.decline_reason", "Code", orderCodeIn(news.Text))
	b.Say(farmer, "Hàng chưa chín")
	// The orders had sold it out: the 500 kg are on sale again, and the
	// farmer is told so.
	if s := b.Finished(farmer).Text; !strings.HasSuffix(s, "\n500 kg Na Chi Lăng đã được cộng lại vào tin bán "+code+".") {
		t.Errorf("the farmer's decline:\n%s", s)
	}
	declined := waitSent(t, b, buyer, func(s sent) bool { return strings.HasPrefix(s.Text, "😔") }, 1)[0]
	if !strings.Contains(declined.Text, "Hàng chưa chín") {
		t.Errorf("decline notice: %q", declined.Text)
	}
	similar := waitSent(t, b, buyer, func(s sent) bool { return len(s.Data) > 0 && strings.HasPrefix(s.Data[0], "buy:") }, 1)[0]
	if len(similar.Data) != 1 || similar.Data[0] != "buy:"+otherCode {
		t.Fatalf("similar listings offered: %+v", similar)
	}
	// The stock is back: the listing can be ordered again in full.
	b.Say(buyer, "mua "+strings.ToLower(code))
	b.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	// And a similar listing opens from its button.
	b.Tap(buyer, "buy:"+otherCode)
	b.expect(buyer, "order.quantity", "Remaining", "2 tạ", "Unit", "tạ", "Price", "27.000 đ/kg")
}

// A farmer declining for a reason of her own presses ❔ Lý do khác and is
// asked for it in her words, one short question with ⏭ Bỏ qua: what she
// types (a note's length at most; longer is asked shorter) is passed to
// the buyer as typed; skipping declines without a reason, and the buyer
// reads no "Lý do" line. Before, there was no such button: the farmer had
// to pick a reason or type one, with no way to decline without saying why.
func TestAnotherReasonToDeclineIsAskedInTheFarmersWords(t *testing.T) {
	t.Parallel()
	const why = "Nhà có đám cưới, tuần sau mới hái được"
	for _, tt := range []struct {
		name   string
		answer func(b *testBot, asked sent)
		told   string // how what the buyer is told ends
	}{
		{"in her words", func(b *testBot, _ sent) {
			b.Say(farmer, strings.Repeat(why+". ", 10))
			b.expect(farmer, "order.decline_long")
			b.Say(farmer, why)
		}, " (20 kg Na Chi Lăng) ạ.\nLý do: " + why + "."},
		{"skipped", func(b *testBot, asked sent) { b.Tap(farmer, asked.Data[0]) }, " (20 kg Na Chi Lăng) ạ."},
		{"skipped by typing", func(b *testBot, _ sent) { b.Say(farmer, "bo qua") }, " (20 kg Na Chi Lăng) ạ."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, _, _, news := pendingOrder(t)
			b.Tap(farmer, news.Data[1]) // ❌ Từ chối
			reasons := b.expect(farmer, "order.decline_reason", "Code", orderCodeIn(news.Text))
			if want := []string{"Hết hàng", "Không giao được tới đó", "❔ Lý do khác"}; !slices.Equal(reasons.Buttons, want) {
				t.Fatalf("the reasons offered: %q, want %q", reasons.Buttons, want)
			}
			b.Tap(farmer, reasons.Data[2])
			asked := b.expect(farmer, "order.decline_other")
			if !slices.Equal(asked.Buttons, []string{"⏭ Bỏ qua"}) {
				t.Fatalf("the question's buttons: %q, want ⏭ Bỏ qua", asked.Buttons)
			}
			tt.answer(b, asked)
			if s := b.Finished(farmer).Text; !strings.HasPrefix(s, "❌ Anh/chị đã từ chối đơn") {
				t.Fatalf("the farmer was told:\n%s", s)
			}
			told := waitSent(t, b, buyer, func(s sent) bool { return strings.HasPrefix(s.Text, "😔") }, 1)[0].Text
			if !strings.HasPrefix(told, "😔 Nhà vườn không nhận đơn DH-") || !strings.HasSuffix(told, tt.told) {
				t.Errorf("the buyer was told:\n%s\nwant it to end with:\n%s", told, tt.told)
			}
		})
	}
}

// The listing changes between the buyer's quantity and their confirmation:
// the farmer raises the minimum order, or the listing expires. Placing the
// order checks both again, and the buyer is told what happened instead of
// getting an order the farmer would not take.
func TestAnOrderIsPlacedOnlyIfTheListingStillTakesIt(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	const late = int64(2005)
	b.order(buyer, code, "20 kg")
	b.order(late, code, "60 kg")

	b.changeListing(farmer, "act:min", "50 kg")

	// 20 kg is below the new minimum: asked again, then placed at 50 kg.
	b.Place(buyer)
	msgs := b.Sent(buyer)
	if got, want := msgs[len(msgs)-2].Text, text(t, "vi", "order.min_raised", "Min", "50 kg"); got != want {
		t.Fatalf("placing below the raised minimum: %q, want %q", got, want)
	}
	b.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg", "Min", "50 kg")
	b.Say(buyer, "30 kg")
	b.expect(buyer, "order.below_min", "Min", "50 kg")
	b.Say(buyer, "50 kg")
	if s := b.Last(buyer).Text; !strings.Contains(s, "50 kg × 25.000 đ/kg") {
		t.Fatalf("summary after the new quantity:\n%s", s)
	}
	b.Place(buyer)
	if s := b.Finished(buyer).Text; !strings.HasPrefix(s, "✅ Em đã gửi đơn") || !strings.Contains(s, "50 kg") {
		t.Fatalf("placing 50 kg: %q", s)
	}
	if s := b.notice(farmer, "🛒 Đơn mới").Text; !strings.HasPrefix(s, "🛒 Đơn mới: 50 kg") {
		t.Fatalf("the farmer's first new order: %q", s)
	}

	// The listing expires before the other buyer confirms 60 kg.
	if _, err := pgExec(b, `UPDATE listings SET expires_at = now() - interval '1 second' WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	b.Place(late)
	if got, want := b.Finished(late).Text, text(t, "vi", "order.expired", "Product", "Na Chi Lăng", "Code", code); got != want {
		t.Fatalf("placing on an expired listing: %q, want %q", got, want)
	}
	if n := count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM orders`); n != 1 {
		t.Fatalf("%d orders placed, want the one of 50 kg", n)
	}
}

// A farmer who stopped selling while an order waited, then declines it,
// is not told the order's quantity is back on sale: nobody can buy it.
func TestADeclinedOrderOfAStoppedListingIsNotSaidToBeBackOnSale(t *testing.T) {
	t.Parallel()
	b, _, code, news := pendingOrder(t)
	b.Say(farmer, "/tin")
	b.Tap(farmer, b.Last(farmer).Data[0])
	b.Tap(farmer, "act:close")
	b.Tap(farmer, news.Data[1]) // ❌ Từ chối
	b.expect(farmer, "order.decline_reason", "Code", orderCodeIn(news.Text))
	b.Say(farmer, "Hết hàng")
	want := "\nTin bán " + code + " đã ngừng bán nên em không mở bán lại 20 kg Na Chi Lăng này ạ. Muốn bán tiếp, anh/chị gõ /tin nhé."
	if s := b.Finished(farmer).Text; !strings.HasSuffix(s, want) {
		t.Fatalf("the farmer's decline:\n%s\nwant it to end with:%s", s, want)
	}
}

// The stock question says how much the orders not yet delivered hold (one
// accepted, one waiting): the farmer leaves it out of the figure typed,
// as it comes back by itself if such an order falls through.
func TestTheStockQuestionSaysWhatOrdersHold(t *testing.T) {
	t.Parallel()
	b, _, code, news := pendingOrder(t) // 20 kg
	b.Tap(farmer, news.Data[0])         // ✅ Nhận đơn
	b.Say(buyer, deepLink(code))        // a returning buyer: no name or phone asked
	b.Say(buyer, "30 kg")
	b.Tap(buyer, "pickup")
	b.Tap(buyer, "skip")
	b.Place(buyer)
	waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "🛒 Đơn mới") }, 2)

	b.Say(farmer, "/tin")
	b.Tap(farmer, b.Last(farmer).Data[0])
	b.Tap(farmer, "act:stock")
	asked := b.expect(farmer, "mine.stock", "Remaining", "450 kg", "Example", "450 kg", "Held", "50 kg", "Orders", 2)
	if !strings.HasPrefix(asked.Text, "⚖️ Bây giờ còn 450 kg để bán (chưa tính 50 kg đang giữ cho 2 đơn chưa giao).") {
		t.Fatalf("the stock question:\n%s", asked.Text)
	}
}

func TestUnansweredOrderIsRemindedThenCancelled(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["ORDER_TIMEOUT"] = "300ms"
	b := startBot(t, tg, env)
	code := b.unansweredOrder()

	remind := waitSent(t, b, farmer, func(s sent) bool {
		return strings.HasPrefix(s.Text, "⏰") && strings.Contains(s.Text, "đang chờ")
	}, 1)[0]
	if len(remind.Data) != 2 {
		t.Errorf("reminder without its buttons: %+v", remind)
	}
	if strings.Contains(remind.Text, "💬") {
		t.Errorf("a plain order's reminder speaks of the farmer's price: %q", remind.Text)
	}
	waitSent(t, b, buyer, func(s sent) bool { return strings.Contains(s.Text, "đã tự huỷ") }, 1)
	waitSent(t, b, farmer, func(s sent) bool { return strings.Contains(s.Text, "đã tự huỷ") }, 1)
	// Accepting now is too late.
	b.Tap(farmer, remind.Data[0])
	if got := b.Finished(farmer).Text; !strings.Contains(got, "đã huỷ") {
		t.Errorf("accepting a cancelled order: %q", got)
	}
	b.Say(buyer, deepLink(code))
	b.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
}

// A hundred buyers confirm at the same moment for a listing with stock for
// ten of them: exactly ten orders go through.
func TestConcurrentOrdersNeverOversell(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	b := startBot(t, tg, env)
	b.register(farmer)
	code := b.listing(farmer, "100 kg", "25k")

	const buyers = 100
	var wg sync.WaitGroup
	for i := range buyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := int64(10_000 + i)
			for _, step := range []func() int{
				func() int { return b.Post(b.Up.Text(u, u, deepLink(code))) },
				func() int { return b.Post(b.Up.Text(u, u, "10 kg")) },
				func() int { return b.Post(b.Up.Callback(u, u, 0, "keep")) },
				func() int { return b.Post(b.Up.Text(u, u, fmt.Sprintf("09%08d", i))) },
				func() int { return b.Post(b.Up.Callback(u, u, 0, "pickup")) },
				func() int { return b.Post(b.Up.Callback(u, u, 0, "skip")) },
			} {
				if code := step(); code != http.StatusOK {
					t.Errorf("buyer %d: webhook answered %d", u, code)
					return
				}
			}
		}()
	}
	wg.Wait()
	start := make(chan struct{})
	for i := range buyers {
		u := int64(10_000 + i)
		update := b.Up.Callback(u, u, 0, b.summaryData(u, "place")) // the 🛒 Đặt hàng of the summary each was shown
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if code := b.Post(update); code != http.StatusOK {
				t.Errorf("buyer %d: place answered %d", u, code)
			}
		}()
	}
	close(start)
	wg.Wait()

	placed, soldOut := 0, 0
	for i := range buyers {
		for _, m := range b.Sent(int64(10_000 + i)) {
			switch {
			case strings.HasPrefix(m.Text, "✅ Em đã gửi đơn"):
				placed++
			case strings.HasPrefix(m.Text, "😔") && strings.Contains(m.Text, "đã hết hàng"):
				soldOut++
			}
		}
	}
	if placed != 10 || soldOut != 90 {
		t.Errorf("%d orders placed and %d buyers told it is sold out; want 10 and 90", placed, soldOut)
	}
	db, err := postgres.Open(context.Background(), env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var remaining, reserved int64
	var status string
	err = db.Pool.QueryRow(context.Background(), `
		SELECT l.remaining_milli, l.status, (SELECT coalesce(sum(quantity_milli), 0) FROM orders o WHERE o.listing_id = l.id)
		FROM listings l WHERE code = $1`, code).Scan(&remaining, &status, &reserved)
	if err != nil || remaining != 0 || reserved != 100_000 || status != "sold_out" {
		t.Fatalf("listing after the rush: remaining %d reserved %d status %s (%v)", remaining, reserved, status, err)
	}
}

func TestGroupRepliesPointToThePrivateChat(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.markets()
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	waitSent(t, b, farmer, func(s sent) bool { return strings.Contains(s.Text, "📢 Tin bán "+code) }, 2)

	group, before := b.replyUnderPost(tg, "lấy 20kg")
	// A group's answer waits for the group's gap after the post.
	waitFor(t, "the reply in the group", func() bool { return len(b.Sent(group)) > before })
	got := b.Sent(group)[before:]
	if len(got) != 1 || !strings.Contains(got[0].Text, code) ||
		got[0].Data[0] != "https://t.me/"+telegramtest.DefaultBotUsername+"?start=buy_"+strings.ReplaceAll(code, "-", "")+"_q20kg" {
		t.Fatalf("reply in the group: %+v", got)
	}
	// Chatter is not answered; "mua NS-…" in the group is.
	b.Post(b.Up.Text(group, buyer, "Na năm nay đẹp quá"))
	b.Post(b.Up.Text(group, buyer, "mua "+code))
	waitFor(t, "the answer to 'mua' in the group", func() bool { return len(b.Sent(group)) >= before+2 })
	if got := b.Sent(group)[before:]; len(got) != 2 || !strings.Contains(got[1].Text, code) {
		t.Fatalf("group messages: %+v", got)
	}
	// The farmer cannot order their own listing.
	b.Say(farmer, deepLink(code))
	if got := b.Finished(farmer).Text; got != text(t, "vi", "order.own_listing", "Code", code) {
		t.Errorf("own listing: %q", got)
	}

	// The reply said nothing of the 20 kg, its link carries them, and the
	// private chat does not ask them again (issue 12): the summary shows them.
	if strings.Contains(got[0].Text, "20kg") || strings.Contains(got[0].Text, "20 kg") {
		t.Errorf("the group's reply repeats the quantity: %q", got[0].Text)
	}
	b.Say(buyer, deepLink(code)+"_q20kg")
	b.expect(buyer, "order.name", "Name", fmt.Sprintf("Nông dân %d", buyer))
	b.Tap(buyer, "keep")
	b.expect(buyer, "order.phone")
	b.Post(b.Up.Contact(buyer, buyer, "+84987654321"))
	b.expect(buyer, "order.delivery")
	b.Tap(buyer, "pickup")
	b.expect(buyer, "order.note")
	b.Say(buyer, "bỏ qua")
	if summary := b.Last(buyer).Text; !strings.Contains(summary, "Na Chi Lăng: 20 kg × 25.000 đ/kg") {
		t.Fatalf("summary: %q", summary)
	}
	// A quantity changed from the summary is asked again, as always.
	b.Edit(buyer)
	b.Tap(buyer, "field:quantity")
	b.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
}

// replyUnderPost sends text from buyer as a reply to the first group
// post of the listing published first, and returns the group and how many
// messages it had before.
func (b *testBot) replyUnderPost(tg *telegramtest.Server, text string) (group int64, before int) {
	b.t.Helper()
	album := tg.CallsTo("sendMediaGroup")[0]
	var msgs []struct {
		MessageID int `json:"message_id"`
	}
	if err := album.DecodeResult(&msgs); err != nil {
		b.t.Fatal(err)
	}
	fmt.Sscan(album.ChatID, &group)
	before = len(b.Sent(group))
	reply := b.Up.Text(group, buyer, text)
	posted := tg.Messages(group)[msgIndex(tg, group, msgs[0].MessageID)]
	reply.Message.ReplyToMessage = &posted
	if code := b.Post(reply); code != http.StatusOK {
		b.t.Fatal(code)
	}
	return group, before
}

func msgIndex(tg *telegramtest.Server, chat int64, id int) int {
	for i, m := range tg.Messages(chat) {
		if m.MessageID == id {
			return i
		}
	}
	return -1
}

// A burst of orders becomes one announcement per group, with the stock
// left after all of them; a buyer's question in the group meanwhile is
// answered at once.
func TestBurstOfOrdersIsAnnouncedOnce(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["ANNOUNCE_DELAY"] = "4s" // three placings and a question fit in it on a loaded machine
	b := startBot(t, tg, env)
	b.markets()
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	waitSent(t, b, farmer, func(s sent) bool { return strings.Contains(s.Text, "📢 Tin bán "+code) }, 2)

	for i, qty := range []string{"10 kg", "20 kg", "30 kg"} {
		u := buyer + int64(i)
		b.Say(u, deepLink(code))
		b.Say(u, qty)
		b.Tap(u, "keep")
		b.Say(u, fmt.Sprintf("09%08d", 70+i))
		b.Tap(u, "pickup")
		b.Tap(u, "skip")
	}
	for i := range 3 { // the burst: three orders placed one after the other
		b.Place(buyer + int64(i))
	}
	// Meanwhile a buyer asks in the group: answered without waiting.
	before := len(b.Sent(chiLangMarket))
	b.Post(b.Up.Text(chiLangMarket, buyer+9, "mua "+code))
	waitFor(t, "the answer in the group", func() bool { return len(b.Sent(chiLangMarket)) > before })
	if got := b.Sent(chiLangMarket)[before:]; len(got) != 1 || !strings.Contains(got[0].Text, code) {
		t.Fatalf("the group question waited behind the announcements: %+v", got)
	}

	announced := waitSent(t, b, chiLangMarket, func(s sent) bool { return strings.HasPrefix(s.Text, "🛒 Bà con vừa đặt") }, 1)
	want := "🛒 Bà con vừa đặt 3 đơn Na Chi Lăng (" + code + ") — còn 440 kg"
	if announced[0].Text != want {
		t.Errorf("announcement %q, want %q", announced[0].Text, want)
	}
	for _, s := range b.Sent(chiLangMarket) {
		if strings.HasPrefix(s.Text, "🛒 Đã có đơn") {
			t.Errorf("a single-order announcement was sent too: %q", s.Text)
		}
	}
}
