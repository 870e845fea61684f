package main

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// On a channel without buttons, the farmer and the buyer act on the
// notices that reach their private chats by typing what they say, with or
// without diacritics, in any case, the code with or without its dash, even
// in the middle of another task; nobody else can, and an unknown code gets
// an example.
func TestPlainNoticesAreAnsweredByTypingTheirCommands(t *testing.T) {
	t.Parallel()
	p := startPlain(t)
	const farmer, buyer, stranger = "f3", "b3", "s3"
	code := p.market("g-f3", farmer, "0912 888 775")
	p.say(buyer, "mua "+code)
	orderCode := p.order(buyer, "50kg")
	p.wait(farmer, func(s string) bool { return strings.Contains(s, text(t, "vi", "typed.accept", "Code", orderCode)) })

	// Someone else, and the buyer, cannot accept; the buyer is told it is
	// the farmer's to do, a stranger as if the order did not exist.
	p.say(stranger, "nhận "+orderCode)
	p.expect(stranger, "typed.unknown_order", "Code", orderCode, "Action", "accept")
	p.say(buyer, "NHẬN "+strings.ReplaceAll(orderCode, "-", ""))
	p.expect(buyer, "orders.not_yours", "Code", orderCode)
	// A code that names no order.
	p.say(farmer, "nhan dh-zzzz")
	p.expect(farmer, "typed.unknown_order", "Code", "DH-ZZZZ", "Action", "accept")

	// The farmer, writing another listing, accepts: the listing goes on.
	p.say(farmer, "/ban")
	p.expect(farmer, "sell.product")
	p.say(farmer, "nhan "+strings.ToLower(orderCode))
	p.expect(farmer, "sell.product")
	accepted := p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🎉") && strings.Contains(s, orderCode) })
	received := text(t, "vi", "typed.received", "Code", orderCode)
	if !strings.Contains(strings.Join(texts(p.ch.Sent(buyer)), "\n"), received) {
		t.Errorf("the buyer is not told what to type on receiving the goods: %q", accepted)
	}

	// The farmer says it is delivered; the buyer confirms receipt, the
	// code's dash left out.
	p.say(farmer, "huỷ") // the listing being written
	p.say(farmer, "Đã giao "+orderCode)
	p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🚚") && strings.Contains(s, orderCode) })
	p.say(buyer, "da nhan hang "+strings.ToLower(strings.ReplaceAll(orderCode, "-", " ")))
	p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🎉") && strings.Contains(s, orderCode) })
	p.expect(buyer, "order.received_done", "Seller", p.c.name(farmer), "Code", orderCode, "Quantity", "50 kg",
		"Product", "Na Chi Lăng", "ListingCode", code, "Again", true)
}

// On a channel without buttons, a notice whose choices come as what to
// type (it reached the chat from another's update, so nothing there is
// numbered) says to send those words, never to choose a button: the
// farmer's new order, and the buyer's acceptance.
func TestPlainNoticesSayWhatToSendNotWhatToChoose(t *testing.T) {
	t.Parallel()
	p := startPlain(t)
	const farmer, buyer = "f9", "b9"
	code := p.market("g-f9", farmer, "0912 888 779")
	p.say(buyer, "mua "+code)
	orderCode := p.order(buyer, "50kg")
	send := "✅ Nhận đơn: nhắn NHẬN " + orderCode + "\n❌ Từ chối: nhắn TỪ CHỐI " + orderCode
	p.wait(farmer, func(s string) bool { return strings.Contains(s, send) })
	p.say(farmer, "nhan "+orderCode)
	p.wait(buyer, func(s string) bool {
		return strings.Contains(s, "Khi nhận được hàng, anh/chị nhắn ĐÃ NHẬN HÀNG "+orderCode+" nhé.")
	})
	for _, chat := range []string{farmer, buyer} {
		for _, s := range p.received(chat) {
			if strings.Contains(s, "chọn ✅ Nhận đơn") || strings.Contains(s, "chọn ✅ Đã nhận được hàng") {
				t.Errorf("%s was told to choose what has no number: %q", chat, s)
			}
		}
	}
}

// market makes group a market for Chi Lăng, where farmer registers and
// publishes 500 kg of na at 25k; it returns the listing's code.
func (p *plainBot) market(group, farmer, phone string) string {
	p.t.Helper()
	p.post(bottest.Update{Chat: group, Group: "Chợ Chi Lăng", User: "admin", Admin: true, Text: "/dangky Chi Lăng"})
	p.register(farmer, phone)
	_, code := p.publish(farmer, "500 kg", "25k")
	// The post goes on its own: the group's next reply comes after it.
	follow := text(p.t, "vi", "follow.by_text", "Code", code, "Product", "Na Chi Lăng")
	p.wait(group, func(s string) bool { return strings.Contains(s, follow) })
	return code
}

func texts(msgs []bottest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

// A listing reaches the market groups of every channel, whichever channel
// its farmer uses: a Telegram farmer's post reaches a text-only group (with
// what to type instead of a button), a text-only farmer's reaches the
// Telegram groups (with the order button); the announcements of an order
// reach both, and the post's change is an edit on Telegram, a short note in
// the text-only group.
func TestListingsAndOrdersReachTheGroupsOfEveryChannel(t *testing.T) {
	t.Parallel()
	p := startPlain(t)
	b := p.b
	const group, plainFarmer, plainBuyer = "g-mixed", "f4", "b4"
	b.markets()
	p.post(bottest.Update{Chat: group, Group: "Chợ Chi Lăng (Zalo)", User: "admin", Admin: true, Text: "/dangky chi lang"})
	p.expect(group, "group.registered", "Area", "Chi Lăng")

	// A Telegram farmer's listing, in the text-only group.
	b.register(farmer)
	tgCode := b.publish(farmer)
	typeToOrder := text(t, "vi", "render.order_by_text", "Code", tgCode)
	post := p.wait(group, func(s string) bool { return strings.Contains(s, typeToOrder) })
	if !strings.Contains(post, tgCode) || strings.Contains(post, "bấm") {
		t.Errorf("the post in the text-only group: %q", post)
	}
	// The farmer hears of every group it landed in, the text-only one too.
	waitSent(t, b, farmer, func(s sent) bool { return strings.Contains(s.Text, "Chợ Chi Lăng (Zalo)") }, 1)
	// The admin of the Telegram groups would take it down there, not in
	// the text-only group.
	b.Say(groupAdmin, "gỡ "+tgCode)
	b.expect(groupAdmin, "moderation.reason_hide", "Code", tgCode, "Product", "Na Chi Lăng", "Name", "Nông dân 1001",
		"Groups", telegramtest.GroupTitle)
	b.Say(groupAdmin, "/huy")

	// A buyer on the text-only channel orders it: both kinds of group hear
	// of it, and the posts change.
	p.say(plainBuyer, "mua "+tgCode)
	orderCode := p.order(plainBuyer, "50kg")
	waitSent(t, b, farmer, func(s sent) bool { return strings.Contains(s.Text, orderCode) && len(s.Buttons) == 2 }, 1)
	p.wait(group, func(s string) bool {
		return strings.HasPrefix(s, "🛒 Đã có đơn 50 kg Na Chi Lăng ("+tgCode+")")
	})
	p.wait(group, func(s string) bool {
		return strings.HasPrefix(s, "📝 Tin bán "+tgCode) && strings.Contains(s, "còn 4,5 tạ")
	})
	waitSent(t, b, chiLangMarket, func(s sent) bool { return strings.HasPrefix(s.Text, "🛒 Đã có đơn 50 kg") }, 1)
	b.TG.WaitCalls(t, "editMessageCaption", 2)

	// A text-only farmer's listing, in the Telegram groups, with the order
	// button that opens the private chat.
	p.register(plainFarmer, "0912 888 774")
	_, plainCode := p.publish(plainFarmer, "200 kg", "30k")
	footers := waitSent(t, b, chiLangMarket, func(s sent) bool { return strings.Contains(s.Text, plainCode) && len(s.Data) == 3 }, 1)
	if !strings.Contains(footers[0].Data[0], "start=buy_"+strings.ReplaceAll(plainCode, "-", "")) ||
		footers[0].Data[1] != b.Env["PUBLIC_BASE_URL"]+"/cho/"+plainCode {
		t.Errorf("the order button of a text-only farmer's post: %+v", footers[0])
	}
	p.wait(plainFarmer, func(s string) bool { return strings.HasPrefix(s, "📢 Tin bán "+plainCode) })
}

// The bot's greeting in a group it joins tells the group's admins what
// they can type there: /dangky to make it a market, /thongbao to announce,
// /help; each does what it says when the admin types it.
func TestTheGreetingSaysWhatAGroupAdminCanDo(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	const group = int64(-1007777777706)
	b.TG.SetMemberStatus(group, groupAdmin, "administrator")
	b.Post(b.Up.AddedToGroup(group, groupAdmin, telegramtest.DefaultBotID))
	b.expectIn(group, "group.hello")
	hello := b.Last(group).Text
	for _, want := range []string{"Trưởng nhóm, phó nhóm", "/dangky Chi Lăng", "📣 /thongbao để gửi thông báo cho bà con trong nhóm", "/help"} {
		if !strings.Contains(hello, want) {
			t.Errorf("the greeting lacks %q:\n%s", want, hello)
		}
	}
	b.Post(b.Up.Text(group, groupAdmin, "/dangky Chi Lăng"))
	b.expectIn(group, "group.registered", "Area", "Chi Lăng")
	b.Post(b.Up.Text(group, groupAdmin, "/thongbao"))
	b.expectIn(group, "broadcast.group_open")
	b.Post(b.Up.Text(group, groupAdmin, "/help"))
	b.expectIn(group, "group.help")
}

// Where the platform cannot tell a group's admins (Zalo; here the text-only
// channel), only moderators register a market, and the group is told so;
// the bot's greeting there names what to type, not a button.
func TestWithoutAdminsOnlyModeratorsRegisterMarkets(t *testing.T) {
	t.Parallel()
	p := startPlain(t, func(env map[string]string) { env["MODERATORS"] = "telegram:1,plain:mod1" })
	const group = "g-zalo"
	p.post(bottest.Update{Chat: group, Group: "Chợ Bắc Sơn", User: "m1", Joined: true})
	hello := p.expect(group, "group.hello", "NoButtons", true, "Moderators", true)
	if strings.Contains(hello, "bấm") || strings.Contains(hello, "Trưởng nhóm") || !strings.Contains(hello, "/thongbao") {
		t.Errorf("the greeting: %q", hello)
	}
	p.post(bottest.Update{Chat: group, Group: "Chợ Bắc Sơn", User: "m1", Text: "/dangky bac son"})
	p.expect(group, "group.moderators_only")
	p.post(bottest.Update{Chat: group, Group: "Chợ Bắc Sơn", User: "mod1", Text: "/dangky bac son"})
	p.expect(group, "group.registered", "Area", "Bắc Sơn")
}

// A burst of orders does not flood a group: while the group's messages
// pile up, two of them are at least the channel's gap apart (after a post
// or an edit of n messages, n gaps), and every order is still announced.
// (How many announcements a burst takes depends on the machine's speed;
// that they coalesce is the engine tests' to show, with their clock.)
func TestABurstOfOrdersKeepsTheGroupsGap(t *testing.T) {
	t.Parallel()
	const gap = time.Second
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["TELEGRAM_GROUP_GAP"] = gap.String()
	env["ANNOUNCE_DELAY"] = "200ms" // announced during the burst, not after
	b := startBot(t, tg, env)
	b.markets()
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")

	const orders = 5
	for i := range orders {
		u := buyer + int64(i)
		b.Say(u, deepLink(code))
		b.Say(u, "10 kg")
		b.Tap(u, "keep")
		b.Say(u, fmt.Sprintf("09%08d", 70+i))
		b.Tap(u, "pickup")
		b.Tap(u, "skip")
		b.Place(u)
	}
	// Every order is announced: singly, or in a message that counts them.
	announced := func() (n, msgs int) {
		var texts []string
		for _, s := range b.Sent(chiLangMarket) {
			texts = append(texts, s.Text)
		}
		return ordersAnnounced(texts)
	}
	// And the post shows what is left after all of them.
	edited := func() bool {
		for _, c := range tg.CallsTo("editMessageCaption") {
			if c.ChatID == itoa(chiLangMarket) && strings.Contains(c.Params["caption"], "còn 450 kg") {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(30 * time.Second)
	for n, _ := announced(); n < orders || !edited(); n, _ = announced() {
		if time.Now().After(deadline) {
			t.Fatalf("%d orders announced of %d; the post edited: %v", n, orders, edited())
		}
		time.Sleep(50 * time.Millisecond) // polling, not synchronisation
	}
	// The group's messages from the first announcement on.
	var calls []telegramtest.Call
	for _, c := range tg.CallsTo("") {
		if c.ChatID == itoa(chiLangMarket) && c.Status == 200 {
			calls = append(calls, c)
		}
	}
	slices.SortFunc(calls, func(a, b telegramtest.Call) int { return a.At.Compare(b.At) })
	first := slices.IndexFunc(calls, func(c telegramtest.Call) bool {
		return strings.HasPrefix(c.Params["text"], "🛒 ") && c.Method == "sendMessage" && c.Params["reply_markup"] == ""
	})
	if first < 0 {
		t.Fatal("no announcement in the group")
	}
	var at []time.Time
	for _, c := range calls[first:] {
		at = append(at, c.At)
	}
	keptGap(t, at, gap)
}

// A member's command in a group while a post waits for the group's gap is
// answered in its turn, behind the post: the group's messages keep the
// gap, whoever's update finds them waiting.
func TestAGroupCommandKeepsTheGroupsGap(t *testing.T) {
	t.Parallel()
	const gap = 2 * time.Second // a post of 2 messages keeps the next 4 s away
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["TELEGRAM_GROUP_GAP"] = gap.String()
	b := startBot(t, tg, env)
	b.markets()
	b.register(farmer)
	first := b.publish(farmer) // its post has gone
	b.publishAnother(farmer)
	// The second post waits in the group's outbox for the gap.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) { // polling
		fields, err := b.redis().HKeys(t.Context(), b.chatKey(chiLangMarket)).Result()
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(fields, func(f string) bool { return strings.HasPrefix(f, "o:") }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second post never waited in the group's outbox")
		}
	}
	const member = int64(7007)
	if code := b.Post(b.Up.Text(chiLangMarket, member, "/ban")); code != http.StatusOK {
		t.Fatal(code)
	}
	help := text(t, "vi", "group.help")
	waitSent(t, b, chiLangMarket, func(s sent) bool { return s.Text == help }, 1)
	waitSent(t, b, chiLangMarket, func(s sent) bool { return len(s.Data) == 3 && !strings.Contains(s.Text, first) }, 1)

	// From the first post on, each reply to the group comes a gap per
	// message of the reply before it later: a post is an album and the
	// message with its buttons.
	var starts []time.Time
	var parts []int
	for _, c := range tg.CallsTo("") {
		switch {
		case c.ChatID != itoa(chiLangMarket) || c.Status != 200 || len(starts) == 0 && c.Method != "sendMediaGroup":
		case c.Method == "sendMediaGroup":
			starts, parts = append(starts, c.At), append(parts, 2)
		case len(parts) > 0 && parts[len(parts)-1] == 2 && c.At.Sub(starts[len(starts)-1]) < gap/4:
			// the post's buttons
		default:
			starts, parts = append(starts, c.At), append(parts, 1)
		}
	}
	if len(starts) != 3 {
		t.Fatalf("%d replies to the group from the first post on, want the 2 posts and the answer", len(starts))
	}
	for i := 1; i < len(starts); i++ {
		if pause, want := starts[i].Sub(starts[i-1]), gap*time.Duration(parts[i-1])-50*time.Millisecond; pause < want {
			t.Errorf("reply %d came %s after the one before, want at least %s", i+1, pause, want)
		}
	}
}

// A post that waits for its group's gap while its listing sells out is
// dropped when its turn comes: the turn goes to the next listing buyers can
// order from, and no post of the sold-out listing reaches the group.
func TestAPostWhoseListingEndsWhileItWaitsIsDropped(t *testing.T) {
	t.Parallel()
	const gap = 2 * time.Second
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	env["TELEGRAM_GROUP_GAP"] = gap.String()
	b := startBot(t, tg, env)
	b.markets()
	b.register(farmer)
	first := b.publish(farmer) // its posts have gone: the next wait 2 gaps
	ended := b.publishAnother(farmer)
	if ended == "" || ended == first {
		t.Fatalf("the second listing's code: %q", b.Last(farmer).Text)
	}
	// Sold out at once, while its posts wait.
	b.Say(farmer, "/tin")
	pick := b.Last(farmer)
	i := slices.IndexFunc(pick.Buttons, func(s string) bool { return strings.Contains(s, ended) })
	if i < 0 {
		t.Fatalf("my listings: %+v", pick)
	}
	b.Tap(farmer, pick.Data[i])
	b.Tap(farmer, "act:soldout")
	third := b.listing(farmer, "3 tạ", "26k") // waits for its posts

	for _, g := range []int64{chiLangMarket, allMarket} {
		for _, s := range b.Sent(g) {
			if strings.Contains(s.Text, ended) {
				t.Errorf("the sold-out listing reached group %d: %q", g, s.Text)
			}
		}
		if !slices.ContainsFunc(b.Sent(g), func(s sent) bool { return strings.Contains(s.Text, third) }) {
			t.Errorf("the third listing's post is not in group %d", g)
		}
	}
	if n := len(tg.CallsTo("sendMediaGroup")); n != 4 {
		t.Errorf("%d albums posted, want the first and third listings' in 2 groups", n)
	}
}

// ordersAnnounced counts the orders a group's texts announce, singly or
// counted in one message, and the messages that announce them.
func ordersAnnounced(texts []string) (n, msgs int) {
	for _, s := range texts {
		if m := regexp.MustCompile(`^🛒 Bà con vừa đặt (\d+) đơn`).FindStringSubmatch(s); m != nil {
			k, _ := strconv.Atoi(m[1])
			n, msgs = n+k, msgs+1
		} else if strings.HasPrefix(s, "🛒 Đã có đơn") {
			n, msgs = n+1, msgs+1
		}
	}
	return n, msgs
}

// keptGap checks that messages sent at the times at (in order) keep gap
// between the replies they make: a reply's messages go together, the next
// reply at least a gap per message later. It fails when it sees no burst.
func keptGap(t *testing.T, at []time.Time, gap time.Duration) {
	t.Helper()
	replies, parts := 0, 0
	for i := range at {
		if i == 0 {
			replies, parts = 1, 1
			continue
		}
		switch pause := at[i].Sub(at[i-1]); {
		case pause < gap/4: // another message of the same reply
			parts++
		case pause < gap*time.Duration(parts)-50*time.Millisecond:
			t.Errorf("a message %s after the previous reply of %d messages, want at least %s", pause, parts, gap*time.Duration(parts))
			replies, parts = replies+1, 1
		default:
			replies, parts = replies+1, 1
		}
	}
	t.Logf("%d messages to the group in %d replies", len(at), replies)
	if replies < 2 {
		t.Errorf("only %d replies to the group: no burst to pace", replies)
	}
}

// On Zalo, where the bot cannot tell who owns a group, its answers name
// who can act there, a market coordinator, and never send anyone to a
// group owner's command that the bot would refuse them: /huydangky before
// and after registering, and /thongbao refused in the private chat.
func TestOnZaloNobodyIsSentToACommandTheBotRefuses(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	const group, mod, member = "zalo-group-unreg", "mod-0001", "member-0009"
	inGroup := func(user, text string) { z.post(z.Z.Text(zalotest.Group(group), z.user(user), text)) }
	inGroup(mod, "/huydangky")
	said := []string{z.expect(group, "group.not_registered", "Moderators", true)}
	inGroup(mod, "/dangky")
	z.expect(group, "group.registered_all")
	inGroup(mod, "/huydangky")
	said = append(said, z.expect(group, "group.unregistered", "Moderators", true))
	for _, s := range said {
		if strings.Contains(strings.ToLower(s), "trưởng nhóm") || !strings.Contains(s, "người điều phối chợ") {
			t.Errorf("the group was told: %q", s)
		}
	}
	z.say(member, "/thongbao")
	if refused := z.expect(member, "broadcast.refused", "NoAdmins", true); strings.Contains(refused, "/thongbao") {
		t.Errorf("the member was sent to /thongbao in a Zalo group: %q", refused)
	}
}

// Zalo groups are markets like Telegram's: registered by a moderator (Zalo
// cannot tell a group's admins), they get every listing of their area with
// what to type instead of a button, and the order announcements and notes.
// A Telegram buyer orders a Zalo farmer's listing; the farmer accepts by
// typing what the notice says.
func TestZaloGroupsAreMarketsAlongsideTelegramGroups(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	b, zs := z.b, z.Z
	const group, farmer = "zalo-group-chilang", "6ede9afa66b88fe6d6a9"
	inGroup := func(user, text string) { z.post(zs.Text(zalotest.Group(group), z.user(user), text)) }

	inGroup("member-0002", "/dangky chi lang")
	z.expect(group, "group.moderators_only")
	inGroup("mod-0001", "/dangky chi lang")
	z.expect(group, "group.registered", "Area", "Chi Lăng")
	b.markets()

	// A Zalo farmer's listing, in both kinds of group.
	z.register(farmer, "0912 888 773")
	_, code := z.publish(farmer, "500 kg", "25k")
	z.wait(group, func(s string) bool { return strings.Contains(s, zaloText(t, "render.order_by_text", "Code", code)) })
	waitSent(t, b, chiLangMarket, func(s sent) bool { return strings.Contains(s.Text, code) && len(s.Data) == 3 }, 1)

	// A Telegram buyer orders it from the post's button.
	b.Say(buyer, deepLink(code))
	b.Say(buyer, "10 kg")
	b.Tap(buyer, "keep")
	b.Say(buyer, "0987 654 321")
	b.Tap(buyer, "pickup")
	b.Tap(buyer, "skip")
	b.Place(buyer)
	placed := waitSent(t, b, buyer, func(s sent) bool { return strings.Contains(s.Text, "DH-") }, 1)
	orderCode := regexp.MustCompile(`DH-[2-9A-HJ-NP-Z]{4}`).FindString(placed[0].Text)

	// Both kinds of group hear of it; the Zalo post changes by a note.
	z.wait(group, func(s string) bool { return strings.HasPrefix(s, "🛒 Đã có đơn 10 kg Na Chi Lăng ("+code+")") })
	z.wait(group, func(s string) bool {
		return strings.HasPrefix(s, "📝 Tin bán "+code) && strings.Contains(s, "còn 490 kg")
	})
	waitSent(t, b, chiLangMarket, func(s sent) bool { return strings.HasPrefix(s.Text, "🛒 Đã có đơn 10 kg") }, 1)
	for _, s := range z.received(group) {
		if strings.Contains(s, "bấm") {
			t.Errorf("a Zalo group is told to press a button: %q", s)
		}
	}

	// The farmer, on Zalo, accepts by typing what the notice says.
	z.wait(farmer, func(s string) bool { return strings.Contains(s, text(t, "vi", "typed.accept", "Code", orderCode)) })
	z.say(farmer, "Nhận "+strings.ReplaceAll(orderCode, "-", ""))
	waitSent(t, b, buyer, func(s sent) bool { return strings.HasPrefix(s.Text, "🎉") && strings.Contains(s.Text, orderCode) }, 1)
}

// The farmer declines by typing; the buyer, told in a notice, is offered
// similar listings as what to type (their numbers would mean nothing in a
// chat that did not offer them), and orders one that way.
func TestPlainDeclineByTypingOffersWhatToTypeForSimilarListings(t *testing.T) {
	t.Parallel()
	p := startPlain(t)
	const farmer, buyer = "f5", "b5"
	code := p.market("g-f5", farmer, "0912 888 772")
	p.say(farmer, "/ban")
	_, other := p.publish(farmer, "2 tạ", "27k")
	p.say(buyer, "mua "+code)
	orderCode := p.order(buyer, "50kg")

	p.wait(farmer, func(s string) bool { return strings.Contains(s, text(t, "vi", "typed.decline", "Code", orderCode)) })
	p.say(farmer, "tu choi "+orderCode)
	p.expect(farmer, "order.decline_reason", "Code", orderCode)
	p.say(farmer, "hết hàng")
	buy := text(t, "vi", "typed.buy", "Code", other, "Product", "Na Chi Lăng", "Price", "27.000 đ/kg", "Place", "Chi Lăng")
	offer := p.wait(buyer, func(s string) bool { return strings.Contains(s, buy) })
	if strings.Contains(offer, "• ") || strings.Contains(offer, text(t, "vi", "render.choices_later")) {
		t.Errorf("similar listings offered with the notice: %q", offer)
	}
	p.say(buyer, "mua "+strings.ToLower(other))
	p.expect(buyer, "order.quantity", "Remaining", "2 tạ", "Unit", "tạ", "Price", "27.000 đ/kg")
}

// Zalo groups keep ZALO_GROUP_GAP as Telegram's keep theirs: a burst of
// orders by Zalo buyers reaches the Zalo group paced, every order
// announced.
func TestABurstOfOrdersKeepsTheZaloGroupsGap(t *testing.T) {
	t.Parallel()
	const gap = time.Second
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	zs.SetCanJoinGroups(true)
	env := zaloEnv(orderEnv(t, tg), zs)
	env["MODERATORS"], env["ZALO_GROUP_GAP"], env["ANNOUNCE_DELAY"] = "zalo:mod-0001", gap.String(), "200ms"
	z := &zaloBot{b: startBot(t, tg, env), Z: zs}
	z.typist = &typist{t: t, c: z}
	t.Cleanup(z.check)
	const group, farmer = "zalo-group-burst", "6ede9afa66b88fe6d6b0"
	z.post(zs.Text(zalotest.Group(group), z.user("mod-0001"), "/dangky"))
	z.register(farmer, "0912 888 771")
	_, code := z.publish(farmer, "500 kg", "25k")

	const orders = 4
	for i := range orders {
		buyer := fmt.Sprintf("8f3a0c1b2d4e5f6071%02d", i)
		z.say(buyer, "mua "+code)
		z.order(buyer, "10 kg")
	}
	// Every order is announced, singly or counted, and the post says what
	// is left after all of them: in a note, or in the post itself when it
	// was still waiting for the group's gap (it is written when it goes).
	announced := func() (n, msgs int, noted bool) {
		for _, s := range z.received(group) {
			noted = noted || !strings.HasPrefix(s, "🛒") && strings.Contains(s, code) && strings.Contains(s, "460 kg")
		}
		n, msgs = ordersAnnounced(z.received(group))
		return n, msgs, noted
	}
	deadline := time.Now().Add(30 * time.Second)
	for n, _, noted := announced(); n < orders || !noted; n, _, noted = announced() {
		if time.Now().After(deadline) {
			t.Fatalf("%d orders announced of %d; the note came: %v", n, orders, noted)
		}
		time.Sleep(50 * time.Millisecond) // polling, not synchronisation
	}
	// Every message to the group since it became a market: its reply, the
	// post (its photos), the announcements and notes.
	var at []time.Time
	for _, c := range zs.Calls() {
		if c.ChatID == group && c.Status == 200 {
			at = append(at, c.At)
		}
	}
	keptGap(t, at, gap)
}
