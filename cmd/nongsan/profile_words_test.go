package main

import (
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows"
)

// An older farmer answers as she would answer a person, and knows her
// number by its 11 digits from before 2018: her name and address are kept
// without "tôi tên là", "tôi ở", and shown back; her number is read as it
// is now; an old number in a name is refused like any other.
func TestAFarmerWhoAnswersInSentencesIsRegisteredByHerName(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	const u = int64(3101)
	b.Say(u, "/ban")
	b.Say(u, "Hoa bán na 01689 123 456")
	b.expect(u, "reg.name_phone")
	b.Say(u, "Tôi tên là Hoàng Thị Hoa")
	b.expect(u, "reg.phone")
	if msgs := b.Sent(u); msgs[len(msgs)-2].Text != text(t, "vi", "reg.name_ok", "Name", "Hoàng Thị Hoa") {
		t.Fatalf("the name kept is not shown: %q", msgs[len(msgs)-2].Text)
	}
	b.Say(u, "01689 123 456")
	b.expect(u, "reg.commune")
	if msgs := b.Sent(u); msgs[len(msgs)-2].Text != text(t, "vi", "reg.phone_ok", "Phone", "0389 123 456") {
		t.Fatalf("the old number is not read as today's: %q", msgs[len(msgs)-2].Text)
	}
	b.Say(u, "dạ tôi ở thôn Bản Chành xã Hữu Kiên ạ")
	b.expect(u, "reg.area")
	if msgs := b.Sent(u); msgs[len(msgs)-2].Text != text(t, "vi", "reg.commune_ok", "Place", "thôn Bản Chành xã Hữu Kiên") {
		t.Fatalf("the address kept is not shown: %q", msgs[len(msgs)-2].Text)
	}
	b.Say(u, "Chi Lăng")
	b.Say(u, "bỏ qua")
	b.Say(u, "bỏ qua")
	b.expect(u, "sell.product")
	b.Say(u, "/hoso")
	if s := b.Last(u).Text; !strings.Contains(s, "Tên: Hoàng Thị Hoa\n") || !strings.Contains(s, "Điện thoại: 0389 123 456\n") ||
		!strings.Contains(s, "Địa chỉ: thôn Bản Chành xã Hữu Kiên (Chi Lăng)\n") {
		t.Fatalf("profile:\n%s", s)
	}
}

// A helper writes whose number it is beside it, and the farmer's name as a
// sentence: the number is read, the name kept alone and shown back.
func TestAHelperTypesTheFarmersNumberWithHerName(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	const helper = int64(7107)
	env["MODERATORS"] = "telegram:" + itoa(helper)
	b := startBot(t, tg, env)
	b.Say(helper, "/ban")
	b.Tap(helper, "for:other")
	b.Say(helper, "0987 654 321 hoặc 0912 345 678")
	b.expect(helper, "reg.phone_one")
	b.Say(helper, "0987 654 321 bà Mai")
	b.expect(helper, "assist.name")
	b.Say(helper, "Tên: Hoàng Thị Mai")
	b.expect(helper, "assist.commune")
	if msgs := b.Sent(helper); msgs[len(msgs)-2].Text != text(t, "vi", "reg.name_ok", "Name", "Hoàng Thị Mai") {
		t.Fatalf("the name kept is not shown: %q", msgs[len(msgs)-2].Text)
	}
	b.Say(helper, "xã Hữu Kiên, Chi Lăng")
	b.expectMaiChecked(helper, "Hoàng Thị Mai", "xã Hữu Kiên, Chi Lăng", false)
	b.Tap(helper, b.Last(helper).Data[0]) // ✅ Lưu
	b.expect(helper, "sell.product")
	if msgs := b.Sent(helper); msgs[len(msgs)-2].Text != text(t, "vi", "assist.created", "Name", "Hoàng Thị Mai") {
		t.Fatalf("after registering the farmer: %q", msgs[len(msgs)-2].Text)
	}
}

// A farmer who sets her name right in /hoso is read by it in the groups at
// once: the posts of her listing on sale are edited, not left with the old
// name for the week it sells.
func TestANameSetRightInTheProfileReachesThePostsInTheGroups(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.markets()
	b.register(farmer)
	b.listing(farmer, "500 kg", "25k")
	b.Say(farmer, "/hoso")
	b.Tap(farmer, b.Last(farmer).Data[0]) // 👤 Tên
	b.expect(farmer, "reg.name", "Name", "Nông dân "+itoa(farmer))
	b.Say(farmer, "Hoàng Thị Mai")
	b.Say(farmer, "xong")
	for _, group := range []int64{chiLangMarket, allMarket} {
		waitFor(t, "the post in "+itoa(group)+" edited with the new name", func() bool {
			for _, c := range tg.Calls() {
				if c.ChatID == itoa(group) && strings.HasPrefix(c.Method, "edit") &&
					strings.Contains(c.Params["caption"]+c.Params["text"], "Nhà vườn: Hoàng Thị Mai") {
					return true
				}
			}
			return false
		})
	}
}

// A buyer types a follow as a sentence: the words around the product are
// not taken for one ("giúp em với" is none; "tin bán quýt nhé" is Quýt Bắc
// Sơn), and one person follows at most flows.MaxFollows products.
func TestAFollowTypedAsASentenceFollowsItsProductAndFollowsAreCapped(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	const u = int64(3301)
	b.Say(u, "theo dõi giúp em với")
	b.expect(u, "follow.how")
	b.Say(u, "Theo dõi tin bán quýt nhé")
	b.expect(u, "follow.done", "Product", "Quýt Bắc Sơn", "Area", "", "Anywhere", true)
	for i := 1; i < flows.MaxFollows; i++ {
		b.Say(u, "theo dõi măng khô số "+itoa(int64(i)))
		b.expect(u, "follow.done", "Product", "măng khô số "+itoa(int64(i)), "Area", "", "Anywhere", true)
	}
	b.Say(u, "theo dõi mật ong")
	b.expect(u, "follow.full", "Max", flows.MaxFollows)
	b.Say(u, "theo dõi quýt") // followed already: said so, not refused
	b.expect(u, "follow.already", "Product", "Quýt Bắc Sơn", "Area", "", "Anywhere", true)
	b.Say(u, "/theodoi")
	b.expect(u, "follow.list", "Count", flows.MaxFollows, "List", "\n• "+strings.Join(followItems(t), "\n• "))
}

// followItems are the follows of TestAFollowTypedAsASentence… as /theodoi lists them.
func followItems(t *testing.T) []string {
	items := []string{text(t, "vi", "follow.item", "Product", "Quýt Bắc Sơn", "Area", "", "Anywhere", true)}
	for i := 1; i < flows.MaxFollows; i++ {
		items = append(items, text(t, "vi", "follow.item", "Product", "măng khô số "+itoa(int64(i)), "Area", "", "Anywhere", true))
	}
	return items
}
