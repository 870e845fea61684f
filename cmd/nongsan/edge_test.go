package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Edge cases a farmer runs into: old buttons, numbers that look like
// choices, albums at the wrong moment, counted goods, privacy.

func TestANumberAnswersTheCurrentQuestionNotAnOldButton(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.toQuantity(farmer)
	// "1" was "✅ Xong" at the photo step; now it is one kilogram.
	b.Say(farmer, "1")
	b.expect(farmer, "sell.price", "Unit", "kg")
}

func TestCountedGoodsArePricedPerPiece(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.register(farmer)
	b.Say(farmer, "bưởi")
	b.Post(b.Up.Photo(farmer, farmer, "photo-B", "", ""))
	b.Say(farmer, "xong")
	b.Say(farmer, "200 quả")
	b.expect(farmer, "sell.price", "Unit", "quả")
	b.Say(farmer, "30k")
	b.Say(farmer, "mai")
	b.Tap(farmer, "skip")
	if s := b.Last(farmer).Text; !strings.Contains(s, "200 quả") || !strings.Contains(s, "30.000 đ/quả") {
		t.Fatalf("summary for pomelos:\n%s", s)
	}
}

func TestNoListingWithoutPhotos(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.toQuantity(farmer)
	b.Say(farmer, "5 tạ")
	b.Say(farmer, "25k")
	b.Say(farmer, "mai")
	b.Tap(farmer, "skip")
	// Change the photos, then change one's mind: the old photo stays.
	b.Edit(farmer)
	b.Tap(farmer, "field:photos")
	b.Say(farmer, "quay lại")
	b.Tap(farmer, "field:none")
	if s := b.Last(farmer).Text; !strings.Contains(s, "1 ảnh") {
		t.Fatalf("summary after not changing the photos:\n%s", s)
	}
}

// An album sent while a number is expected joins the listing, and is
// answered once: that the photos were added, and the question again.
func TestAnAlbumAtTheWrongMomentIsAnsweredOnce(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.toQuantity(farmer) // a number is expected now
	before := len(b.Sent(farmer))
	b.album(farmer, "album-late", "p1", "p2", "p3", "p4", "p5")
	got := b.Sent(farmer)[before:]
	if len(got) != 2 || got[0].Text != text(t, "vi", "sell.album_added") {
		t.Fatalf("an album of 5 at the quantity question got %d messages: %+v", len(got), got)
	}
	b.Say(farmer, "5 tạ")
	b.Say(farmer, "25k")
	b.Say(farmer, "mai")
	b.Tap(farmer, "skip")
	if s := b.Last(farmer).Text; !strings.Contains(s, "6 ảnh") {
		t.Fatalf("the summary after an album of 5 joined one photo:\n%s", s)
	}
}

func TestLateAlbumPhotosJoinTheListing(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, nil)
	b.markets()
	b.register(farmer)
	b.Tap(farmer, "p:na-chi-lang")
	album := b.albumUpdates(farmer, "album-slow", "photo-1", "photo-2", "photo-3", "photo-4")
	if code := b.Post(album[0]); code != http.StatusOK {
		t.Fatal(code)
	}
	b.expect(farmer, "sell.album_got")
	// On a slow connection the farmer taps Xong before the rest arrives.
	b.Tap(farmer, "done")
	b.expect(farmer, "sell.quantity", "Product", "Na Chi Lăng", "Unit", "kg")
	late := func(u tgbotapi.Update) {
		t.Helper()
		before := len(b.Sent(farmer))
		if code := b.Post(u); code != http.StatusOK {
			t.Fatal(code)
		}
		b.Say(farmer, "trợ giúp") // something that is always answered, to see what the photo got
		if got := b.Sent(farmer)[before:]; idOf(t, got[0].Text) != "help.text" {
			t.Fatalf("a late photo of the album was answered: %+v", got)
		}
	}
	late(album[1])
	late(album[2])
	b.Say(farmer, "5 tạ")
	b.expect(farmer, "sell.price", "Unit", "kg")
	late(album[3]) // later still
	b.Say(farmer, "25k")
	b.Say(farmer, "mai")
	b.Tap(farmer, "skip")
	if s := b.Last(farmer).Text; !strings.Contains(s, "4 ảnh") {
		t.Fatalf("the summary does not count the late photos:\n%s", s)
	}
	b.Publish(farmer)
	for _, a := range b.TG.WaitCalls(t, "sendMediaGroup", 2) {
		if files, _ := albumMedia(t, a); strings.Join(files, ",") != "photo-1,photo-2,photo-3,photo-4" {
			t.Errorf("album posted in %s: %v", a.ChatID, files)
		}
	}
}

func TestRefusedTextsSayWhatIsWrong(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.register(farmer)
	b.Say(farmer, strings.Repeat("Hàng nhà tự trồng ", 84)) // 1 512 characters
	b.expect(farmer, "sell.product_long")
	b.Say(farmer, "Na dai")
	b.expect(farmer, "sell.photos")
	b.Say(farmer, "/huy")

	code := b.listing(farmer, "500 kg", "25k")
	b.Say(buyer, "mua "+code)
	b.Say(buyer, "20 kg")
	b.Say(buyer, strings.Repeat("Nguyễn ", 20))
	b.expect(buyer, "order.name_long")
	b.Tap(buyer, "keep")
	b.Say(buyer, "0987 654 321")
	b.Tap(buyer, "pickup")
	b.Say(buyer, strings.Repeat("giao sớm ", 40))
	b.expect(buyer, "order.note_long")
	b.Say(buyer, "giao sớm")
	if s := b.Last(buyer).Text; !strings.Contains(s, "📝 giao sớm") {
		t.Fatalf("order summary:\n%s", s)
	}
}

// pendingOrder is a bot where a buyer ordered 20 kg of a farmer's listing;
// it returns the listing's code and the farmer's notice with its buttons.
func pendingOrder(t *testing.T) (*testBot, *telegramtest.Server, string, sent) {
	t.Helper()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	b.order(buyer, code, "20 kg")
	b.Place(buyer)
	// The farmer's notice goes to another chat: it may come a moment later.
	notice := waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "🛒 Đơn mới") }, 1)[0]
	return b, tg, code, notice
}

// A notification's button pressed while the farmer writes a listing: a
// one-step action (accept) or a two-step one (decline, then the reason),
// maybe with a menu tap on top; either way the listing goes on where it was.
func TestNotificationButtonsKeepTheListingBeingWritten(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		button int
		answer func(b *testBot)
	}{
		{"accept", 0, func(b *testBot) {
			if msgs := b.Sent(farmer); !strings.Contains(msgs[len(msgs)-2].Text, "Anh/chị đã nhận đơn") {
				b.t.Fatalf("accepting mid-listing: %q", msgs[len(msgs)-2].Text)
			}
		}},
		{"decline", 1, func(b *testBot) {
			b.expect(farmer, "order.decline_reason", "Code", orderCodeIn(b.notice(farmer, "🛒 Đơn mới").Text))
			b.Say(farmer, "Hàng chưa chín")
		}},
		// The menu keyboard stays on screen: a tap on it while the reason
		// is asked is an interjection inside an interjection.
		{"decline, then help from the menu", 1, func(b *testBot) {
			b.expect(farmer, "order.decline_reason", "Code", orderCodeIn(b.notice(farmer, "🛒 Đơn mới").Text))
			b.Say(farmer, "❓ Trợ giúp")
			b.expect(farmer, "order.decline_reason", "Code", orderCodeIn(b.notice(farmer, "🛒 Đơn mới").Text))
			b.Say(farmer, "Hàng chưa chín")
		}},
		{"decline, then the language from the menu", 1, func(b *testBot) {
			b.expect(farmer, "order.decline_reason", "Code", orderCodeIn(b.notice(farmer, "🛒 Đơn mới").Text))
			b.Say(farmer, "🌐 Ngôn ngữ / Language")
			b.expect(farmer, "lang.ask")
			b.Say(farmer, "1")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, _, _, notice := pendingOrder(t)
			b.Say(farmer, "/ban")
			b.Say(farmer, "quýt")
			b.expect(farmer, "sell.photos")
			b.Tap(farmer, notice.Data[tt.button])
			tt.answer(b)
			b.expect(farmer, "sell.photos") // the listing goes on where it was
			b.Post(b.Up.Photo(farmer, farmer, "photo-Q", "", ""))
			b.expect(farmer, "sell.photo_got", "Count", 1)
		})
	}
}

func TestPhoneNumbersStayOutOfGroupPosts(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["MODERATORS"] = "telegram:7007" // the helper below
	b := startBot(t, tg, env)
	b.markets()

	// Every answer that a group post shows (or the payment details, before
	// the order is accepted) refuses a phone number, saying why, and takes
	// the answer without it.
	type answer struct{ phone, refused, good, next string }
	answers := func(user int64, steps ...answer) {
		t.Helper()
		for _, step := range steps {
			if step.phone != "" {
				b.Say(user, step.phone)
				b.expect(user, step.refused)
			}
			if step.good != "" {
				b.Say(user, step.good)
				if got := idOf(t, b.Last(user).Text); got != step.next {
					t.Fatalf("after %q the bot said %s, want %s", step.good, got, step.next)
				}
			}
		}
	}
	b.Say(farmer, "/ban")
	answers(farmer,
		answer{"Lâm, LH 0912 888 777", "reg.name_phone", "Hoàng Văn Lâm", "reg.phone"},
		answer{"", "", "0912 888 777", "reg.commune"},
		answer{"xã Quang Lang, zalo 0912.888.777", "reg.commune_phone", "xã Quang Lang, Chi Lăng", "reg.code"},
		answer{"VN-LSOR 0912888777", "reg.code_phone", "vn-lsor-0012", "reg.bank"},
		answer{"", "", "agribank", "reg.account"},
		answer{"", "", "1234 5678 9012", "reg.holder"},
		answer{"HOANG VAN LAM +84 912 888 777", "reg.holder_phone", "HOANG VAN LAM", "sell.product"},
		answer{"Mít Thái LH 0912888777", "sell.product_phone", "", ""},
		// The catalog knows Na: the number would be dropped without a word.
		answer{"Na Chi Lăng loại 1 0912 888 777", "sell.product_phone", "Mít Thái", "sell.photos"},
	)
	b.Post(b.Up.Photo(farmer, farmer, "photo-M", "", ""))
	b.Tap(farmer, "done")
	b.Say(farmer, "5 tạ")
	b.Say(farmer, "25k")
	b.Say(farmer, "mai")
	b.Say(farmer, "Gọi 0988.123.456 để xem hàng")
	b.expect(farmer, "sell.note_phone")
	b.Say(farmer, "Quả to, ngọt")
	if got := idOf(t, b.Last(farmer).Text); got != "sell.summary" {
		t.Fatalf("after a note without a phone: %s", got)
	}
	b.Publish(farmer)
	b.publishedCode(farmer)

	// The posts show every answer, and no number typed above.
	groups := map[string]bool{itoa(chiLangMarket): true, itoa(allMarket): true, itoa(bacSonMarket): true}
	var posted strings.Builder
	for _, c := range tg.Calls() {
		if !groups[c.ChatID] {
			continue
		}
		for name, value := range c.Params {
			posted.WriteString(value + "\n")
			if digits := onlyDigits(value); strings.Contains(digits, "912888777") || strings.Contains(digits, "988123456") {
				t.Errorf("%s to group %s: %s holds a phone number: %s", c.Method, c.ChatID, name, value)
			}
		}
	}
	for _, want := range []string{"Mít Thái", "Hoàng Văn Lâm", "xã Quang Lang", "VN-LSOR-0012", "Quả to, ngọt"} {
		if !strings.Contains(posted.String(), want) {
			t.Errorf("the group posts lack %q:\n%s", want, posted.String())
		}
	}

	// A helper posting for a farmer without a smartphone is held to the same.
	const helper = int64(7007)
	b.Say(helper, "/ban")
	b.Tap(helper, "for:other")
	answers(helper,
		answer{"", "", "0987 654 321", "assist.name"},
		answer{"Hoàng Thị Mai 0987 654 321", "reg.name_phone", "Hoàng Thị Mai", "assist.commune"},
		answer{"xã Hữu Kiên, đt 0987654321", "reg.commune_phone", "xã Hữu Kiên, Chi Lăng", "assist.check"},
	)
}

// onlyDigits keeps the digits of s: a number however it is spaced.
func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// registerMai: a helper registers a farmer without a smartphone, Hoàng
// Thị Mai (0987 654 321), saves her profile as it is summed up, and is
// asked what she sells.
func (b *testBot) registerMai(helper int64) {
	b.t.Helper()
	b.Say(helper, "/ban")
	b.Tap(helper, "for:other")
	b.Say(helper, "0987 654 321")
	b.Say(helper, "Hoàng Thị Mai")
	b.Say(helper, "xã Hữu Kiên, Chi Lăng")
	b.expectMaiChecked(helper, "Hoàng Thị Mai", "xã Hữu Kiên, Chi Lăng", false)
	b.Tap(helper, b.Last(helper).Data[0]) // ✅ Lưu
	b.expect(helper, "sell.product")
}

func TestProfilesCannotBeTakenOverByTypingAPhone(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	const helper = int64(7007)
	env["MODERATORS"] = "telegram:" + itoa(helper)
	b := startBot(t, tg, env)
	b.registerMai(helper)

	// Someone else types that number: stopped at once, not after the bank
	// questions (issue 7 moved the check to the phone question), with only
	// the offer of a code sent to the helper, who reads it to the farmer
	// alone (TestAFarmerAHelperRegisteredClaimsHerProfileWithTheHelpersCode).
	const stranger = int64(6006)
	b.Say(stranger, "/ban")
	b.Tap(stranger, "keep")
	b.Say(stranger, "0987654321")
	b.expect(stranger, "claim.offer")
	b.Tap(stranger, "link:other")
	b.Say(stranger, "0388 123 456")
	b.expect(stranger, "reg.commune")

	// The farmer herself, sharing her own contact, gets her profile.
	const mai = int64(8008)
	b.Say(mai, "/ban")
	b.Tap(mai, "keep")
	b.Post(b.Up.Contact(mai, mai, "84987654321"))
	b.Say(mai, "xã Hữu Kiên, Chi Lăng")
	b.Tap(mai, "skip")
	b.Tap(mai, "skip")
	b.expect(mai, "sell.product")

	// And from then on the helper cannot post in her name.
	b.Say(helper, "/ban")
	b.Tap(helper, "for:other")
	b.Say(helper, "0987 654 321")
	b.expect(helper, "assist.has_account")
}

func TestRenewingTwiceRenewsOnce(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["LISTING_TTL"] = "24h1s"
	env["RENEWAL_HOURS"] = "0-24" // the renewal question at whatever hour the test runs
	env["TICK_EVERY"] = "20ms"
	b := startBot(t, tg, env)
	b.markets()
	b.register(farmer)
	b.publish(farmer)
	ask := waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "⏳") }, 1)[0]
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code := b.Post(b.Up.Callback(farmer, farmer, 0, ask.Data[0])); code != http.StatusOK {
				t.Errorf("renew answered %d", code)
			}
		}()
	}
	wg.Wait()
	b.Say(farmer, "/tin")
	b.Tap(farmer, b.Last(farmer).Data[0])
	detail := b.Last(farmer).Text
	week, fortnight := time.Now().Add(7*24*time.Hour), time.Now().Add(14*24*time.Hour)
	if !strings.Contains(detail, " "+week.In(vn.Location()).Format("2/1")) ||
		strings.Contains(detail, " "+fortnight.In(vn.Location()).Format("2/1")) {
		t.Fatalf("after two taps on renew, the listing should be up for a week:\n%s", detail)
	}
}

func TestUnusualValuesAreQuestionedNotRefused(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.toQuantity(farmer)
	b.Say(farmer, "2000 tấn")
	b.expect(farmer, "sell.quantity_too_much", "Quantity", "2.000 tấn")
	b.Say(farmer, "đúng")
	b.expect(farmer, "sell.price", "Unit", "kg")
	b.Say(farmer, "5 triệu/kg")
	b.expect(farmer, "sell.price_check", "Price", "5.000.000 đ/kg")
	b.Tap(farmer, "no")
	b.expect(farmer, "sell.price", "Unit", "kg")
	b.Say(farmer, "5 triệu/kg")
	b.Tap(farmer, "yes")
	b.expect(farmer, "sell.ready")
}

func TestFarmerCanDropAnAcceptedOrderAndBuyerFindsThePaymentAgain(t *testing.T) {
	t.Parallel()
	b, tg, code, notice := pendingOrder(t)
	b.Tap(farmer, notice.Data[0]) // accept
	// The payment codes sent to the buyer: photos whose caption names the
	// order (the listing's photo names the listing). The first goes with the
	// acceptance, to the buyer's chat after the farmer's.
	payments := func() int {
		n := 0
		for _, c := range tg.CallsTo("sendPhoto") {
			if c.ChatID == itoa(buyer) && strings.Contains(c.Params["caption"], "DH-") {
				n++
			}
		}
		return n
	}
	waitFor(t, "the payment code of the acceptance", func() bool { return payments() == 1 })

	// The buyer finds the farmer's phone and the payment code in /don.
	b.Say(buyer, "/don")
	b.Tap(buyer, b.Last(buyer).Data[0])
	detail := b.Finished(buyer)
	if !strings.Contains(detail.Text, "0912 888 777") || !strings.HasPrefix(detail.Data[len(detail.Data)-1], "ord:pay:") {
		t.Fatalf("accepted order detail: %+v", detail)
	}
	b.Tap(buyer, detail.Data[len(detail.Data)-1]) // 💳
	if n := payments(); n != 2 {
		t.Errorf("the payment code was not sent again: %d QR images, want 2", n)
	}

	// The farmer cannot deliver after all.
	b.Say(farmer, "/don")
	b.Tap(farmer, b.Last(farmer).Data[0])
	view := b.Finished(farmer)
	drop := ""
	for _, d := range view.Data {
		if strings.HasPrefix(d, "ord:drop:") {
			drop = d
		}
	}
	if drop == "" {
		t.Fatalf("no way to drop an accepted order: %+v", view)
	}
	b.Tap(farmer, drop)
	b.Say(farmer, "Mưa đá làm hỏng hết")
	dropped := waitSent(t, b, buyer, func(s sent) bool { return strings.Contains(s.Text, "không giao được") }, 1)[0]
	if !strings.Contains(dropped.Text, "Mưa đá") {
		t.Errorf("buyer told: %q", dropped.Text)
	}
	b.Say(buyer, deepLink(code))
	b.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
}

// Found by playing the farmer and the buyer: each of these was a real
// wrong turn.
func TestClumsyFarmer(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.Say(farmer, "dang ban")
	b.Tap(farmer, "keep")
	b.Say(farmer, "0912888777")
	b.Say(farmer, "xa Quang Lang, Chi Lang")
	b.Say(farmer, "bo qua")
	b.Say(farmer, "agribank")
	b.Say(farmer, "agribank") // a word is not an account number
	b.expect(farmer, "reg.account_bad")
	b.Say(farmer, "1234 5678 9012")
	b.Tap(farmer, "keep")
	b.expect(farmer, "sell.product")
	// Registration is done: "back" does not reopen it.
	b.Say(farmer, "quay lai")
	if msgs := b.Sent(farmer); msgs[len(msgs)-2].Text != text(t, "vi", "back.none") {
		t.Fatalf("back at the first selling question: %q", msgs[len(msgs)-2].Text)
	}
	// "xong" is not a product.
	b.Say(farmer, "xong")
	if got := idOf(t, b.Sent(farmer)[len(b.Sent(farmer))-2].Text); got != "unclear.text" {
		t.Fatalf("'xong' as a product: %s", got)
	}
	// Half a pomelo cannot be sold.
	b.Say(farmer, "buoi")
	b.Post(b.Up.Photo(farmer, farmer, "photo-P", "", ""))
	b.Say(farmer, "xong roi")
	b.Say(farmer, "200,5 qua")
	b.expect(farmer, "order.quantity_whole", "Unit", "quả")
	// An old button is not "not understood".
	b.Tap(farmer, "publish")
	if got := idOf(t, b.Sent(farmer)[len(b.Sent(farmer))-2].Text); got != "unclear.button" {
		t.Fatalf("an old button: %s", got)
	}
}

func TestClumsyBuyer(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")

	// The code alone is enough.
	b.Say(buyer, strings.ToLower(code))
	b.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg", "Min", "")
	b.Say(buyer, "0")
	b.expect(buyer, "order.quantity_zero", "Unit", "kg")
	b.Say(buyer, "20kg")
	b.Tap(buyer, "keep")
	b.Say(buyer, "0987 654 321")
	b.Tap(buyer, "pickup")
	b.Tap(buyer, "skip")

	// The farmer changes the price before the buyer confirms.
	b.Say(farmer, "/tin")
	b.Tap(farmer, b.Last(farmer).Data[0])
	b.Tap(farmer, "act:price")
	b.Say(farmer, "30k")
	b.Place(buyer)
	msgs := b.Sent(buyer)
	if msgs[len(msgs)-2].Text != text(t, "vi", "order.price_changed", "Price", "30.000 đ/kg") ||
		!strings.Contains(msgs[len(msgs)-1].Text, "Tổng: 600.000 đ") {
		t.Fatalf("after a price change the buyer sees %q then %q", msgs[len(msgs)-2].Text, msgs[len(msgs)-1].Text)
	}
	b.Place(buyer)
	if !strings.HasPrefix(b.Finished(buyer).Text, "✅ Em đã gửi đơn") {
		t.Fatalf("placing at the new price: %q", b.Finished(buyer).Text)
	}

	// A closed listing is closed, not sold out.
	b.Say(farmer, "/tin")
	b.Tap(farmer, b.Last(farmer).Data[0])
	b.Tap(farmer, "act:close")
	b.Say(buyer, "mua "+code)
	if got := b.Finished(buyer).Text; got != text(t, "vi", "order.ended", "Product", "Na Chi Lăng", "Code", code) {
		t.Fatalf("ordering from a closed listing: %q", got)
	}
}

func TestPhotosSentBeforeTheProductAreKept(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.register(farmer) // at the product question
	b.album(farmer, "album-first", "f1", "f2")
	b.expect(farmer, "sell.photo_first")
	b.Say(farmer, "quýt")
	b.expect(farmer, "sell.photos_more", "Count", 2)
	b.Say(farmer, "xong")
	b.expect(farmer, "sell.quantity", "Product", "Quýt Bắc Sơn", "Unit", "kg")
}

func TestMinimumOrder(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	b.Say(farmer, "/tin")
	b.Tap(farmer, b.Last(farmer).Data[0])
	b.Tap(farmer, "act:min")
	b.Say(farmer, "600 kg") // more than the listing: refused
	b.expect(farmer, "mine.stock_bad", "Unit", "kg")
	b.Say(farmer, "50 kg")

	b.Say(buyer, deepLink(code))
	b.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg", "Min", "50 kg")
	b.Say(buyer, "20 kg")
	b.expect(buyer, "order.below_min", "Min", "50 kg")
	b.Say(buyer, "50 kg")
	b.expect(buyer, "order.name", "Name", fmt.Sprintf("Nông dân %d", buyer))
}

// The farmer sees the buyer's phone number once the order is accepted,
// not before: DOMAIN.md's rule for phone numbers, both ways.
func TestTheBuyersPhoneReachesTheFarmerOnlyOnAcceptance(t *testing.T) {
	t.Parallel()
	b, _, _, news := pendingOrder(t)
	if strings.Contains(news.Text, "987 654 321") {
		t.Fatalf("the new order shows the buyer's phone before acceptance:\n%s", news.Text)
	}
	b.Say(farmer, "/don")
	b.Tap(farmer, b.Last(farmer).Data[0]) // the order, from the list
	if detail := b.Last(farmer).Text; !strings.Contains(detail, "20 kg") || strings.Contains(detail, "987 654 321") {
		t.Fatalf("/don's detail of the pending order:\n%s", detail)
	}
	b.Tap(farmer, news.Data[0]) // ✅ Nhận đơn
	accepted := waitSent(t, b, farmer, func(s sent) bool { return strings.Contains(s.Text, "987 654 321") }, 1)[0]
	if !strings.HasPrefix(accepted.Text, "✅") {
		t.Fatalf("the phone came in %q, not in the acceptance", accepted.Text)
	}
}
