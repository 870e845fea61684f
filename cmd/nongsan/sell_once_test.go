package main

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// The done-when: a registered farmer sends one captioned photo,
// "Na Chi Lăng 5 tạ 25k mai có hàng", and publishes with one tap: the
// listing is in PostgreSQL and posted to the market groups. Then an album
// whose first photo carries the caption: the others join the draft.
func TestAFarmerPublishesWithOneCaptionedPhotoOnTelegram(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	b := startBot(t, tg, env)
	b.markets()
	b.register(farmer)
	b.Say(farmer, "huỷ")

	if code := b.Post(b.Up.Photo(farmer, farmer, "photo-A", "", "Na Chi Lăng 5 tạ 25k mai có hàng")); code != http.StatusOK {
		t.Fatal(code)
	}
	summary := b.Last(farmer)
	for _, want := range []string{"Na Chi Lăng — 5 tạ", "25.000 đ/kg", "1 ảnh"} {
		if !strings.Contains(summary.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary.Text)
		}
	}
	if !slices.Equal(unstamped(summary.Data), []string{"publish", "edit", "cancel"}) {
		t.Fatalf("after one captioned photo: %q %v", summary.Text, summary.Data)
	}
	b.Publish(farmer)
	published := b.Finished(farmer).Text
	code := regexp.MustCompile(`NS-[2-9A-HJ-NP-Z]{4}`).FindString(published)
	if code == "" || published != text(t, "vi", "sell.published", "Code", code, "Groups", 2) {
		t.Fatalf("confirmation = %q", published)
	}
	l, err := openDB(t, env).ListingByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if l.ProductKey != "na-chi-lang" || l.Quantity != (vn.Quantity{Milli: 5000, Unit: vn.UnitTa}) || l.Price.VND != 25_000 ||
		len(l.Photos) != 1 || !strings.HasSuffix(l.Photos[0], ":photo-A") || l.Note != "" {
		t.Fatalf("listing stored: %+v", l)
	}
	for _, c := range tg.WaitCalls(t, "sendPhoto", 2) {
		if !strings.Contains(c.Params["caption"], code) {
			t.Errorf("group post without the code: %v", c.Params)
		}
	}

	// An album: the caption is on its first photo; the others join.
	if code := b.Post(b.Up.Photo(farmer, farmer, "photo-B", "album-2", "Quýt Bắc Sơn 2 tấn giá 18 nghìn, thu hoạch rằm tháng 9")); code != http.StatusOK {
		t.Fatal(code)
	}
	b.album(farmer, "album-2", "photo-C", "photo-D")
	// The first listing's notices ("📢 … đã lên nhóm") may come after it.
	waitFor(t, "the album's summary", func() bool {
		for _, m := range b.Sent(farmer) {
			if strings.Contains(m.Text, "Quýt Bắc Sơn — 2 tấn") && strings.Contains(m.Text, "18.000 đ/kg") &&
				slices.Equal(unstamped(m.Data), []string{"publish", "edit", "cancel"}) {
				return true
			}
		}
		return false
	})
	b.Publish(farmer)
	albums := b.TG.WaitCalls(t, "sendMediaGroup", 2)
	for _, a := range albums {
		if files, _ := albumMedia(t, a); !slices.Equal(files, []string{"photo-B", "photo-C", "photo-D"}) {
			t.Errorf("album photos %v, want B, C, D", files)
		}
	}

	// The caption on the album's last photo to arrive: the first ones open
	// the listing, the caption fills it; the farmer is never told a photo
	// was not understood.
	b.album(farmer, "album-3", "photo-E", "photo-F")
	if code := b.Post(b.Up.Photo(farmer, farmer, "photo-G", "album-3", "Na dai 3 tạ 30k mai có hàng")); code != http.StatusOK {
		t.Fatal(code)
	}
	waitFor(t, "the late caption's summary", func() bool {
		for _, m := range b.Sent(farmer) {
			if strings.Contains(m.Text, "Na dai — 3 tạ") && strings.Contains(m.Text, "30.000 đ/kg") {
				return true
			}
		}
		return false
	})
	for _, m := range b.Sent(farmer) {
		if m.Text == text(t, "vi", "unclear.photo") {
			t.Errorf("the farmer was told: %q", m.Text)
		}
	}
	b.Publish(farmer)
	albums = b.TG.WaitCalls(t, "sendMediaGroup", 4)[2:]
	for _, a := range albums {
		if files, _ := albumMedia(t, a); !slices.Equal(files, []string{"photo-E", "photo-F", "photo-G"}) {
			t.Errorf("album photos %v, want E, F, G", files)
		}
	}
}

// The same over Zalo (an image with a caption) and the plain channel, and
// the several answers at the quantity question: "5 tạ giá 25k" is asked
// the date next.
func TestAFarmerSaysItOnceOnEveryChannel(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	z := startZaloWith(t, tg, zs, zaloEnv(orderEnv(t, tg), zs))
	p := startPlain(t)
	script := func(ty *typist, captioned func(user, photo, caption string)) {
		const farmer = "6101"
		ty.register(farmer, "0912 888 666")
		ty.say(farmer, "huỷ")
		captioned(farmer, "photo-1", "Na Chi Lăng 5 tạ 25k mai có hàng")
		summary := ty.last(farmer)
		if !strings.Contains(summary, "Na Chi Lăng — 5 tạ") || !strings.Contains(summary, "25.000 đ/kg") {
			t.Fatalf("after one captioned photo: %q", summary)
		}
		before := len(ty.c.received(farmer))
		ty.say(farmer, ty.choose(summary, "sell.publish"))
		ty.waitAfter(farmer, before, func(s string) bool {
			return strings.HasPrefix(s, "✅ Đã đăng tin") || strings.HasPrefix(s, "✅ Đã lưu tin")
		})

		// Several answers at the quantity question.
		ty.say(farmer, "/ban")
		ty.expect(farmer, "sell.product")
		ty.say(farmer, "na")
		ty.c.sendPhoto(farmer, "photo-2", "")
		ty.say(farmer, "xong")
		ty.say(farmer, "5 tạ giá 25k")
		ty.expect(farmer, "sell.ready")

		// Not a listing: the menu, not a draft.
		ty.say(farmer, "huỷ")
		ty.say(farmer, "giá na hôm nay bao nhiêu?")
		ty.expect(farmer, "menu.title")
	}
	script(z.typist, func(user, photo, caption string) {
		u := z.user(user)
		z.post(z.Z.Image(zalotest.Private(u), u, photo, caption))
	})
	script(p.typist, func(user, photo, caption string) {
		p.post(bottest.Update{Chat: user, User: user, Photo: photo, Text: caption})
	})
}

// A farmer typing without diacritics: "ca chua ban 15k" (cà chua bán 15k)
// sells tomatoes at 15.000 đ, the name typed freely; it was read as "chưa
// bán" (not yet selling) and answered that nothing sold yet, with no
// listing. "chua ban duoc" and "ban het roi" typed so still say not yet
// and over.
func TestATomatoListingTypedWithoutDiacriticsSells(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, newEnv(t, tg))
	b.register(farmer)
	b.Say(farmer, "huỷ")

	b.Say(farmer, "ca chua ban 15k")
	b.expect(farmer, "sell.photos")
	if code := b.Post(b.Up.Photo(farmer, farmer, "photo-T", "", "")); code != http.StatusOK {
		t.Fatal(code)
	}
	b.expect(farmer, "sell.photo_got", "Count", 1)
	b.Tap(farmer, "done")
	b.expect(farmer, "sell.quantity", "Product", "ca chua", "Unit", "kg")
	b.Say(farmer, "5 ta")
	b.expect(farmer, "sell.ready")
	b.Say(farmer, "mai")
	summary := b.Last(farmer).Text
	for _, want := range []string{"ca chua — 5 tạ", "15.000 đ/kg"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	b.Say(farmer, "huỷ")

	b.Say(farmer, "chua ban duoc")
	b.expect(farmer, "over.nothing", "NotYet", true, "OnSale", false)
	b.Say(farmer, "ban het roi")
	b.expect(farmer, "over.nothing", "NotYet", false, "OnSale", false)
}

// Farmers type on a phone as they speak: no space after a comma, a price
// as a number alone, produce the catalogue does not know named first, a
// variety it knows typed without diacritics. A captioned photo "Mít 2
// tạ,25.000,mai có hàng.Bắc Sơn" reaches the summary at once and is
// published as Mít, 2 tạ, 25.000 đ/kg with no note; it asked the product,
// the quantity and the price. A text "khoai mon 5 ta,25000/kg,tuan sau"
// asks only for the photos.
func TestAFarmerTypingOnAPhoneListsInOneCaption(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	b := startBot(t, tg, env)
	b.register(farmer)
	b.Say(farmer, "huỷ")

	if code := b.Post(b.Up.Photo(farmer, farmer, "photo-M", "", "Mít 2 tạ,25.000,mai có hàng.Bắc Sơn")); code != http.StatusOK {
		t.Fatal(code)
	}
	summary := b.Last(farmer)
	for _, want := range []string{"🌾 Mít — 2 tạ\n💰 25.000 đ/kg, anh/chị gõ \"25.000\"\n", "1 ảnh"} {
		if !strings.Contains(summary.Text, want) || strings.Contains(summary.Text, "📝") {
			t.Errorf("summary lacks %q or has a note:\n%s", want, summary.Text)
		}
	}
	if !slices.Equal(unstamped(summary.Data), []string{"publish", "edit", "cancel"}) {
		t.Fatalf("after one captioned photo: %q %v", summary.Text, summary.Data)
	}
	b.Publish(farmer)
	code := regexp.MustCompile(`NS-[2-9A-HJ-NP-Z]{4}`).FindString(b.Finished(farmer).Text)
	l, err := openDB(t, env).ListingByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if l.ProductKey != "" || l.Product != "Mít" || l.Quantity != (vn.Quantity{Milli: 2000, Unit: vn.UnitTa}) ||
		l.Price.VND != 25_000 || l.Note != "" {
		t.Fatalf("listing stored: %+v", l)
	}

	b.Say(farmer, "khoai mon 5 ta,25000/kg,tuan sau")
	b.expect(farmer, "sell.photos")
	if code := b.Post(b.Up.Photo(farmer, farmer, "photo-K", "", "")); code != http.StatusOK {
		t.Fatal(code)
	}
	b.expect(farmer, "sell.photo_got", "Count", 1)
	b.Tap(farmer, "done")
	summary = b.Last(farmer)
	if want := "🌾 Khoai mon — 5 tạ\n💰 25.000 đ/kg"; !strings.Contains(summary.Text, want) || strings.Contains(summary.Text, "📝") {
		t.Fatalf("summary lacks %q or has a note:\n%s", want, summary.Text)
	}
}
