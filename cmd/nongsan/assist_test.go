package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// expectMaiChecked: the helper is shown Mai's profile (0987 654 321) as it
// will be saved, with ✅ Lưu, 👤 Tên, 📍 Địa chỉ, and 📱 Điện thoại before
// it is first saved.
func (b *testBot) expectMaiChecked(helper int64, name, place string, found bool) {
	b.t.Helper()
	check := b.expect(helper, "assist.check", "Name", name, "Phone", "0987 654 321", "Place", place, "Found", found, "Press", "bấm")
	want := []string{"✅ Lưu", "👤 Tên", "📱 Điện thoại", "📍 Địa chỉ"}
	if found {
		want = []string{"✅ Lưu", "👤 Tên", "📍 Địa chỉ"}
	}
	if !slices.Equal(check.Buttons, want) {
		b.t.Fatalf("the farmer's summary offers %v", check.Buttons)
	}
}

// sellerNamed tells whether the seller with phone (E.164) is saved as name.
func sellerNamed(t *testing.T, b *testBot, phone, name string) bool {
	t.Helper()
	return count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM sellers WHERE phone_e164 = $1 AND name = $2`, phone, name) == 1
}

// A helper registering a farmer sees what will be posted of her before it
// is saved, and corrects a typo in her name and her address there: the
// profile saved is the corrected one (review-profile 3a).
func TestAHelperSeesTheFarmerSheRegistersAndCorrectsItBeforeSaving(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	const helper = int64(7207)
	env["MODERATORS"] = "telegram:" + itoa(helper)
	b := startBot(t, tg, env)
	b.Say(helper, "/ban")
	b.Tap(helper, "for:other")
	b.Say(helper, "0987 654 321")
	b.Say(helper, "Hoàng Thị Mia")
	b.Say(helper, "xã Hữu Kiên, Chi Lăng")
	b.expectMaiChecked(helper, "Hoàng Thị Mia", "xã Hữu Kiên, Chi Lăng", false)

	b.Tap(helper, b.Last(helper).Data[1]) // 👤 Tên
	b.expect(helper, "assist.name")
	b.Say(helper, "Hoàng Thị Mai")
	b.expectMaiChecked(helper, "Hoàng Thị Mai", "xã Hữu Kiên, Chi Lăng", false)
	b.Say(helper, "địa chỉ") // typed, as the button
	b.expect(helper, "assist.commune")
	b.Say(helper, "thôn Bản Chành, xã Hữu Kiên")
	b.expect(helper, "assist.area")
	b.Say(helper, "Chi Lăng")
	b.expectMaiChecked(helper, "Hoàng Thị Mai", "thôn Bản Chành, xã Hữu Kiên (Chi Lăng)", false)
	if n := count(t, b.Env["DATABASE_URL"], `SELECT count(*) FROM sellers`); n != 0 {
		t.Fatalf("%d sellers saved before ✅ Lưu", n)
	}
	b.Say(helper, "Lưu") // typed, as the button
	b.expect(helper, "sell.product")
	if msgs := b.Sent(helper); msgs[len(msgs)-2].Text != text(t, "vi", "assist.created", "Name", "Hoàng Thị Mai") {
		t.Fatalf("after saving the farmer: %q", msgs[len(msgs)-2].Text)
	}
	if !sellerNamed(t, b, "+84987654321", "Hoàng Thị Mai") {
		t.Fatal("the farmer is not saved as Hoàng Thị Mai")
	}
}

// A helper who finds again by phone a farmer she registered is offered
// ✏️ Sửa hồ sơ: the name she corrects is saved and reaches the posts of
// the farmer's listing on sale. Another helper finding the same farmer is
// not offered it, and her tap of it changes nothing (review-profile 3b).
func TestAHelperCorrectsTheProfileOfAFarmerSheRegistered(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	const helper, other = int64(7307), int64(7308)
	env["MODERATORS"] = "telegram:" + itoa(helper) + ",telegram:" + itoa(other)
	b := startBot(t, tg, env)
	b.markets()
	b.registerMai(helper)
	b.publish(helper)

	b.Say(helper, "/ban")
	b.Tap(helper, "for:other")
	b.Say(helper, "0987 654 321")
	product := b.expect(helper, "sell.product")
	if got := product.Buttons[len(product.Buttons)-1]; got != "✏️ Sửa hồ sơ Hoàng Thị Mai" {
		t.Fatalf("the product question's last button: %q", got)
	}
	b.Tap(helper, "farmer:edit")
	b.expectMaiChecked(helper, "Hoàng Thị Mai", "xã Hữu Kiên, Chi Lăng", true)
	b.Tap(helper, b.Last(helper).Data[1]) // 👤 Tên
	b.Say(helper, "Hoàng Thị Mây")
	b.expectMaiChecked(helper, "Hoàng Thị Mây", "xã Hữu Kiên, Chi Lăng", true)
	b.Tap(helper, b.Last(helper).Data[0]) // ✅ Lưu
	b.expect(helper, "sell.product")
	if msgs := b.Sent(helper); msgs[len(msgs)-2].Text != text(t, "vi", "assist.corrected", "Name", "Hoàng Thị Mây") {
		t.Fatalf("after correcting the farmer: %q", msgs[len(msgs)-2].Text)
	}
	if !sellerNamed(t, b, "+84987654321", "Hoàng Thị Mây") {
		t.Fatal("the farmer is not saved as Hoàng Thị Mây")
	}
	for _, group := range []int64{chiLangMarket, allMarket} {
		waitFor(t, "the post in "+itoa(group)+" edited with the new name", func() bool {
			for _, c := range tg.Calls() {
				if c.ChatID == itoa(group) && strings.HasPrefix(c.Method, "edit") &&
					strings.Contains(c.Params["caption"]+c.Params["text"], "Nhà vườn: Hoàng Thị Mây") {
					return true
				}
			}
			return false
		})
	}

	// Another helper posts for her, but her profile is not hers to change.
	b.Say(other, "/ban")
	b.Tap(other, "for:other")
	b.Say(other, "0987 654 321")
	product = b.expect(other, "sell.product")
	for _, label := range product.Buttons {
		if strings.HasPrefix(label, "✏️") {
			t.Fatalf("another helper is offered %q", label)
		}
	}
	b.Tap(other, "farmer:edit")
	if got := idOf(t, b.Last(other).Text); got == "assist.check" {
		t.Fatal("another helper's tap opened the farmer's profile")
	}
	if !sellerNamed(t, b, "+84987654321", "Hoàng Thị Mây") {
		t.Fatal("the farmer is not saved as Hoàng Thị Mây")
	}
}

// A buyer who opens the bot reads how to buy and follow, and what she
// reads works as she types it (review-profile 10).
func TestTheWelcomeTellsABuyerHowToBuyAndFollow(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	const buyer = int64(3401)
	b.Say(buyer, "/start")
	welcome := b.Sent(buyer)[0].Text
	if welcome != text(t, "vi", "start.welcome", "Name", "Nông dân 3401") ||
		!strings.Contains(welcome, "mua NS-7K2Q") || !strings.Contains(welcome, "theo dõi na") {
		t.Fatalf("welcome:\n%s", welcome)
	}
	b.Say(buyer, "theo dõi na")
	b.expect(buyer, "follow.done", "Product", "Na Chi Lăng", "Area", "", "Anywhere", true)
}

// On Zalo, where choices are a numbered list, a helper corrects the farmer
// she registers by typing the numbers, and finds ✏️ Sửa hồ sơ in the list
// when she finds the farmer again.
func TestAZaloHelperCorrectsTheFarmerSheRegisters(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	p := z.typist
	const helper = "mod-0001"
	p.say(helper, "/ban")
	p.say(helper, p.choose(p.expect(helper, "assist.for_whom"), "assist.for_other"))
	p.answer(helper, "assist.phone", "0987 654 321", "assist.name", "Hoàng Thị Mia", "assist.commune", "xã Hữu Kiên, Chi Lăng")
	check := p.expect(helper, "assist.check", "Name", "Hoàng Thị Mia", "Phone", "0987 654 321", "Place", "xã Hữu Kiên, Chi Lăng", "Found", false)
	p.say(helper, p.choose(check, "profile.field_name"))
	p.say(helper, "Hoàng Thị Mai")
	check = p.expect(helper, "assist.check", "Name", "Hoàng Thị Mai", "Phone", "0987 654 321", "Place", "xã Hữu Kiên, Chi Lăng", "Found", false)
	p.say(helper, p.choose(check, "assist.save"))
	p.expect(helper, "assist.created", "Name", "Hoàng Thị Mai")
	p.say(helper, "huỷ")

	p.say(helper, "/ban")
	p.say(helper, p.choose(p.expect(helper, "assist.for_whom"), "assist.for_other"))
	p.say(helper, "0987 654 321")
	product := p.expect(helper, "assist.found", "Name", "Hoàng Thị Mai", "Place", "xã Hữu Kiên, Chi Lăng")
	p.say(helper, p.choose(product, "assist.edit", "Name", "Hoàng Thị Mai"))
	p.expect(helper, "assist.check", "Name", "Hoàng Thị Mai", "Phone", "0987 654 321", "Place", "xã Hữu Kiên, Chi Lăng", "Found", true)
}
