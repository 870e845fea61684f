package main

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// An older farmer on Zalo picks from the numbered lists as she would say
// it: "số 1", "chọn 1 ạ", "em chọn số ba". Each picks that number; none
// is kept as her name or her growing-area code.
func TestZaloFarmerPicksByNumberWithWordsAroundIt(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer = "5o1e9afa66b88fe6d6a9"
	z.say(farmer, "/ban")
	z.expect(farmer, "reg.name", "Name", z.name(farmer))
	z.say(farmer, "số 1")
	z.expect(farmer, "reg.phone")
	z.say(farmer, "0912 888 701")
	z.expect(farmer, "reg.commune")
	z.say(farmer, "xã Quang Lang, Chi Lăng")
	z.expect(farmer, "reg.code")
	z.say(farmer, "chọn 1 ạ") // ⏭ Bỏ qua
	z.expect(farmer, "reg.bank")
	z.say(farmer, "so 1") // Agribank
	z.expect(farmer, "reg.account")
	z.say(farmer, "1234 5678 9012")
	z.expect(farmer, "reg.holder", "Holder", "NONG DAN "+strings.ToUpper(farmer))
	z.say(farmer, "Số 1.")
	z.expect(farmer, "sell.product")
	z.say(farmer, "em chọn số hai") // Quýt Bắc Sơn
	z.expect(farmer, "sell.photos")
	z.sendPhoto(farmer, "photo-1", "")
	for _, answer := range []string{"xong", "2 tạ", "30k", "hôm nay", "bỏ qua"} {
		z.say(farmer, answer)
	}
	z.say(farmer, "sửa")
	z.expect(farmer, "sell.edit_pick")
	z.say(farmer, "chọn 3") // ⚖️ Số lượng
	z.expect(farmer, "sell.quantity", "Product", "Quýt Bắc Sơn", "Unit", "kg")

	z.say(farmer, "/hoso")
	profile := z.last(farmer)
	for _, want := range []string{"Tên: " + z.name(farmer), "Agribank 123456789012 (NONG DAN " + strings.ToUpper(farmer) + ")"} {
		if !strings.Contains(profile, want) {
			t.Errorf("/hoso has no %q: %q", want, profile)
		}
	}
	if strings.Contains(profile, "Mã số vùng trồng:") {
		t.Errorf("a number picked was kept as a growing-area code: %q", profile)
	}
}

// A phone set up for English leaves Telex or VNI keys in what the farmer
// types: "xongf" (xong), "bor qua" (bỏ qua), "ddangw tin banf" (đăng tin
// bán), "bo3 qua". Each presses the choice it spells.
func TestZaloFarmerTypingTelexLeftoversPressesTheChoice(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer = "7e1e9afa66b88fe6d6a9"
	z.say(farmer, "/ban")
	z.say(farmer, "1")
	z.say(farmer, "0912 888 702")
	z.say(farmer, "xã Quang Lang, Chi Lăng")
	z.expect(farmer, "reg.code")
	z.say(farmer, "bor qua")
	z.expect(farmer, "reg.bank")
	z.say(farmer, "bo3 qua")
	z.expect(farmer, "sell.product")
	z.say(farmer, "na")
	z.sendPhoto(farmer, "photo-1", "")
	z.say(farmer, "xongf")
	z.expect(farmer, "sell.quantity", "Product", "Na Chi Lăng", "Unit", "kg")
	for _, answer := range []string{"3 tạ", "25k", "mai"} {
		z.say(farmer, answer)
	}
	z.expect(farmer, "sell.note")
	z.say(farmer, "bor qua")
	if summary := z.last(farmer); !strings.HasPrefix(summary, "📋") || strings.Contains(summary, "📝") {
		t.Fatalf("after bor qua at the note: %q", summary)
	}
	z.say(farmer, "ddangw tin banf")
	z.wait(farmer, func(s string) bool {
		return strings.HasPrefix(s, "✅ Đã lưu tin") || strings.HasPrefix(s, "✅ Đã đăng tin")
	})
}

// At her listing in /tin the farmer says it her way: "hết hàng rồi" is
// 🏁 Đã bán hết, as "bán hết" is.
func TestZaloFarmerSaysHetHangAtHerListing(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer = "8e1e9afa66b88fe6d6a9"
	z.register(farmer, "0912 888 703")
	_, code := z.publish(farmer, "200 kg", "30k")
	z.say(farmer, "/tin")
	z.say(farmer, "1")
	if detail := z.last(farmer); !strings.HasPrefix(detail, "📋 Tin bán "+code) || !strings.Contains(detail, "3. 🏁 Đã bán hết") {
		t.Fatalf("the listing in /tin: %q", detail)
	}
	z.say(farmer, "hết hàng rồi")
	if got := z.last(farmer); !strings.Contains(got, code) || !strings.Contains(got, "đã hết hàng") {
		t.Fatalf("after hết hàng rồi: %q", got)
	}
	z.say(farmer, "/tin")
	if list := z.last(farmer); !strings.Contains(list, "1. "+code) || !strings.Contains(list, "đã hết hàng") {
		t.Errorf("/tin after hết hàng: %q", list)
	}
}

// Zalo gives a group no name: a farmer whose listing lands in a Zalo
// market group reads that it is up in a market group on Zalo, not "lên
// nhóm Nhóm chợ".
func TestZaloFarmerIsToldHerListingIsUpInAZaloMarketGroup(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	const group, farmer = "zalo-group-posted", "9e1e9afa66b88fe6d6a9"
	z.post(z.Z.Text(zalotest.Group(group), z.user("mod-0001"), "/dangky chi lang"))
	z.expect(group, "group.registered", "Area", "Chi Lăng")
	z.register(farmer, "0912 888 704")
	_, code := z.publish(farmer, "500 kg", "25k")
	z.wait(group, func(s string) bool { return strings.Contains(s, code) })
	posted := z.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "📢") })
	if want := "📢 Tin bán " + code + " đã lên một nhóm chợ trên Zalo"; posted != want {
		t.Errorf("the farmer read %q, want %q", posted, want)
	}
}

// A new order on Zalo tells the farmer once what to send to accept or
// decline it (the lines under the question), not in a sentence above it
// too; she accepts by sending what it says.
func TestZaloFarmersNewOrderSaysWhatToSendOnce(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer, buyer = "ae1e9afa66b88fe6d6a9", "be1e9afa66b88fe6d6a9"
	z.register(farmer, "0912 888 705")
	_, code := z.publish(farmer, "500 kg", "25k")
	z.say(buyer, "mua "+code)
	orderCode := z.order(buyer, "50 kg")
	notice := z.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") })
	want := "Anh/chị có nhận đơn này không ạ?\n\n✅ Nhận đơn: nhắn NHẬN " + orderCode + "\n❌ Từ chối: nhắn TỪ CHỐI " + orderCode
	if !strings.HasSuffix(notice, want) || strings.Count(notice, "NHẬN "+orderCode) != 1 || strings.Count(notice, "TỪ CHỐI "+orderCode) != 1 {
		t.Fatalf("the new order reads %q, want it to end %q and say each once", notice, want)
	}
	if utf8.RuneCountInString(notice) > 2000 {
		t.Errorf("the notice is %d characters, over Zalo's 2000", utf8.RuneCountInString(notice))
	}
	z.say(farmer, "nhan "+orderCode)
	z.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🎉") && strings.Contains(s, orderCode) })
}

// A number typed where the list has no such number ("2 ạ", "số 3") is
// no name: the farmer is asked again, not registered as "2 A".
func TestZaloFarmersNumberOffTheListIsNoName(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer = "ce1e9afa66b88fe6d6a9"
	z.say(farmer, "/ban")
	z.expect(farmer, "reg.name", "Name", z.name(farmer))
	z.say(farmer, "số 3")
	z.expect(farmer, "reg.name", "Name", z.name(farmer)) // asked again, after "Em chưa hiểu"
	z.say(farmer, "1")
	z.answer(farmer, "reg.phone", "0912 888 706", "reg.commune", "xã Quang Lang, Chi Lăng", "reg.code", "bỏ qua",
		"reg.bank", "agribank", "reg.account", "1234 5678 9012")
	holder := "NONG DAN " + strings.ToUpper(farmer)
	z.expect(farmer, "reg.holder", "Holder", holder)
	z.say(farmer, "2 ạ")
	z.expect(farmer, "reg.holder", "Holder", holder)
	z.say(farmer, "1 ạ")
	z.expect(farmer, "sell.product")
	z.say(farmer, "/hoso")
	if profile := z.last(farmer); !strings.Contains(profile, "Tên: "+z.name(farmer)+"\n") || !strings.Contains(profile, "("+holder+")") {
		t.Errorf("/hoso: %q", profile)
	}
}

// On Zalo nothing sends /start: a farmer's very first message ("chào
// em") is where she meets the bot. She gets the welcome (who the bot is,
// what it keeps) and the menu, not "Em chưa hiểu"; a later unclear
// message is told so, and /start then greets her as one met before.
func TestZaloFarmersFirstHelloIsWelcomed(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer = "de1e9afa66b88fe6d6a9"
	z.say(farmer, "chào em")
	// The bot's name as she finds it on Zalo (ZALO_BOT_NAME).
	if welcome := z.expect(farmer, "start.welcome", "Name", z.name(farmer)); !strings.Contains(welcome, "Em là "+zalotest.BotName+".\n") {
		t.Errorf("the welcome does not give the bot's Zalo name: %q", welcome)
	}
	menu := z.last(farmer)
	if !strings.Contains(menu, "1. 🌾 Đăng bán") {
		t.Errorf("no menu after the welcome: %q", menu)
	}
	for _, m := range z.received(farmer) {
		if strings.HasPrefix(m, "Em chưa hiểu") {
			t.Errorf("her first hello was not understood: %q", z.received(farmer))
		}
	}
	z.say(farmer, "alo alo")
	z.expect(farmer, "unclear.text", "Task", false)
	z.say(farmer, "/start")
	z.expect(farmer, "start.again", "Name", z.name(farmer))
}

// "boqua" typed as one word (no space, no marks) skips, as "bỏ qua" does:
// at the growing-area code and at the listing's note.
func TestZaloFarmerTypesBoquaAsOneWordToSkip(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer = "ee1e9afa66b88fe6d6a9"
	z.say(farmer, "/ban")
	z.say(farmer, "1")
	z.answer(farmer, "reg.phone", "0912 888 707", "reg.commune", "xã Quang Lang, Chi Lăng")
	z.expect(farmer, "reg.code")
	z.say(farmer, "boqua")
	z.expect(farmer, "reg.bank")
	z.say(farmer, "Boqua")
	z.expect(farmer, "sell.product")
	z.say(farmer, "na")
	z.sendPhoto(farmer, "photo-1", "")
	for _, answer := range []string{"xong", "3 tạ", "25k", "mai"} {
		z.say(farmer, answer)
	}
	z.expect(farmer, "sell.note")
	z.say(farmer, "boqua")
	if summary := z.last(farmer); !strings.HasPrefix(summary, "📋") || strings.Contains(summary, "📝") {
		t.Fatalf("after boqua at the note: %q", summary)
	}
	z.say(farmer, "/hoso")
	if profile := z.last(farmer); strings.Contains(profile, "Mã số vùng trồng:") {
		t.Errorf("boqua was kept as a growing-area code: %q", profile)
	}
}

// /tin typed again while her listings (or one of them) are shown shows
// them afresh, without "Em đã dừng việc anh/chị đang làm dở": looking is
// no work left undone.
func TestZaloFarmersTinTypedAgainIsNoWorkStopped(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer = "fe1e9afa66b88fe6d6a9"
	z.register(farmer, "0912 888 708")
	_, code := z.publish(farmer, "200 kg", "30k")
	left := zaloText(t, "flow.left")
	for _, step := range []string{"/tin", "/tin", "1", "/tin"} {
		before := len(z.received(farmer))
		z.say(farmer, step)
		said := z.received(farmer)[before:]
		for _, s := range said {
			if strings.Contains(s, left) {
				t.Errorf("%s said %q", step, s)
			}
		}
		if step == "/tin" && !strings.Contains(z.last(farmer), "1. "+code) {
			t.Errorf("/tin shows %q", z.last(farmer))
		}
	}
}

// A photo sent while registering (at the bank account) is kept for the
// listing to come, and she is told so, not that it joined a listing that
// does not exist yet; the question is asked again, and the photo question
// later counts it.
func TestZaloFarmersPhotoWhileRegisteringIsKeptForTheListing(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer = "0f1e9afa66b88fe6d6a9"
	z.say(farmer, "/ban")
	z.say(farmer, "1")
	z.answer(farmer, "reg.phone", "0912 888 709", "reg.commune", "xã Quang Lang, Chi Lăng", "reg.code", "bỏ qua",
		"reg.bank", "agribank")
	z.expect(farmer, "reg.account")
	before := len(z.received(farmer))
	z.sendPhoto(farmer, "photo-1", "")
	said := z.received(farmer)[before:]
	if len(said) == 0 || said[0] != zaloText(t, "sell.photo_held") {
		t.Fatalf("a photo at the bank account: %q", said)
	}
	for _, s := range said {
		if strings.Contains(s, "giờ có") || strings.Contains(s, "vào tin bán") {
			t.Errorf("she is told of a listing that does not exist: %q", s)
		}
	}
	z.expect(farmer, "reg.account")
	z.say(farmer, "1234 5678 9012")
	z.say(farmer, "1")
	z.expect(farmer, "sell.product")
	z.say(farmer, "na")
	z.expect(farmer, "sell.photos_more", "Count", 1)
}

// Declining one order for "1. Hết hàng" closes the whole listing: the
// farmer reads plainly that NS-… was closed because she is out of stock,
// that nobody can order more, and how to sell again (/tin, ⚖️ Đổi số còn
// lại), which she does.
func TestZaloFarmerDecliningForHetHangIsToldTheListingClosed(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer, buyer = "1f1e9afa66b88fe6d6a9", "2f1e9afa66b88fe6d6a9"
	z.register(farmer, "0912 888 710")
	_, code := z.publish(farmer, "470 kg", "25k")
	z.say(buyer, "mua "+code)
	orderCode := z.order(buyer, "20 kg")
	z.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") })
	z.say(farmer, "từ chối "+orderCode)
	ask := z.expect(farmer, "order.decline_reason", "Code", orderCode)
	if !strings.Contains(ask, "1. Hết hàng") {
		t.Fatalf("the reasons: %q", ask)
	}
	before := len(z.received(farmer))
	z.say(farmer, "1")
	told := z.waitAfter(farmer, before, func(s string) bool { return strings.HasPrefix(s, "❌") })
	for _, want := range []string{"❌ Anh/chị đã từ chối đơn " + orderCode,
		"Anh/chị báo hết hàng nên em đã đóng tin bán " + code + ", không ai đặt thêm được nữa.",
		"Vẫn còn hàng thì anh/chị gõ /tin, chọn tin này rồi chọn ⚖️ Đổi số còn lại để mở bán lại nhé."} {
		if !strings.Contains(told, want) {
			t.Errorf("the farmer read %q, without %q", told, want)
		}
	}
	z.say(farmer, "/tin")
	z.say(farmer, "1")
	z.say(farmer, z.choose(z.last(farmer), "mine.act_stock"))
	z.say(farmer, "450 kg")
	z.say(buyer, "mua "+code)
	if got := z.last(buyer); strings.Contains(got, "hết hàng") {
		t.Errorf("after ⚖️ Đổi số còn lại the buyer still reads %q", got)
	}
}

// The new-order notice on Zalo says what to send, not numbers: a farmer
// who types "1" or "2 ạ" under it is told exactly what to send, with the
// order's code, not "Em chưa hiểu" and the main menu; she then accepts.
func TestZaloFarmersNumberUnderANewOrderIsToldWhatToSend(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer, buyer = "3f1e9afa66b88fe6d6a9", "4f1e9afa66b88fe6d6a9"
	z.register(farmer, "0912 888 711")
	_, code := z.publish(farmer, "500 kg", "25k")
	z.say(buyer, "mua "+code)
	orderCode := z.order(buyer, "50 kg")
	z.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") })
	for _, typed := range []string{"1", "2 ạ"} {
		before := len(z.received(farmer))
		z.say(farmer, typed)
		said := z.received(farmer)[before:]
		want := zaloText(t, "orders.number_typed", "Code", orderCode, "Quantity", "50 kg", "Product", "Na Chi Lăng", "Count", 1)
		if len(said) != 1 || said[0] != want {
			t.Fatalf("after %q the farmer read %q, want %q", typed, said, want)
		}
		if !strings.Contains(want, "NHẬN "+orderCode) || !strings.Contains(want, "TỪ CHỐI "+orderCode) {
			t.Fatalf("the answer does not say what to send: %q", want)
		}
	}
	z.say(farmer, "NHẬN "+orderCode)
	z.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🎉") && strings.Contains(s, orderCode) })
}
