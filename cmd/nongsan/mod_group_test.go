package main

import (
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// A moderator's command typed in a market group (/thongke, /themmod,
// /bochan…) gets one short line saying it is typed in the private chat,
// with the button into it, instead of the buyers' help to the whole group.
// Other commands still get the buyers' help.
func TestAModeratorCommandInAGroupPointsToThePrivateChat(t *testing.T) {
	t.Parallel()
	b := newsroom(t)
	for _, command := range []string{"/thongke", "/themmod", "/bochan"} {
		b.Post(b.Up.Text(chiLangMarket, moderator, command))
		b.expectIn(chiLangMarket, "group.mod_privately", "Command", command)
		last := b.Last(chiLangMarket)
		if len(last.Data) != 1 || !strings.Contains(last.Data[0], "?start=") {
			t.Fatalf("%s in the group: %+v, want the button into the private chat", command, last)
		}
	}
	b.Post(b.Up.Text(chiLangMarket, member, "/ban"))
	b.expectIn(chiLangMarket, "group.help")
}

// On Zalo, where no button opens the private chat, the line names the bot
// as Zalo search finds it, with the command to send it.
func TestAZaloModeratorCommandInAGroupNamesTheBot(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	const group, mod = "zalo-group-mod", "mod-0001"
	z.post(z.Z.Text(zalotest.Group(group), z.user(mod), "/dangky"))
	z.expect(group, "group.registered_all")
	z.post(z.Z.Text(zalotest.Group(group), z.user(mod), "/thongke"))
	want := []string{zaloText(t, "group.mod_privately", "Command", "/thongke"),
		zaloText(t, "render.command_by_text", "Command", "/thongke")}
	z.wait(group, func(s string) bool { return strings.Contains(s, want[0]) && strings.Contains(s, want[1]) })
	if got := z.received(group); strings.Contains(got[len(got)-1], zaloText(t, "group.help")) {
		t.Errorf("the group got the buyers' help: %q", got[len(got)-1])
	}
}

// /dangky typed in the private chat, where it cannot apply, gets one short
// line saying how to type it in the market group, and not the farmer's
// menu on top. On Zalo the line mentions the bot, as a group command must
// there, and typed so in the group it works.
func TestDangkyTypedPrivatelyGetsOneLine(t *testing.T) {
	t.Parallel()
	b := newsroom(t)
	b.Say(moderator, "/start")
	settled(t, b)
	before := len(b.Sent(moderator))
	b.Say(moderator, "/dangky Chi Lăng")
	b.expect(moderator, "command.group_only", "Command", "/dangky")
	settled(t, b)
	if got := b.Sent(moderator)[before:]; len(got) != 1 || strings.Contains(got[0].Text, "\n") ||
		!strings.Contains(got[0].Text, "trong nhóm chợ") || !strings.Contains(got[0].Text, "/dangky Chi Lăng") {
		t.Errorf("after /dangky in the private chat: %+v, want one line", got)
	}

	z := startZaloMarkets(t)
	const mod, group = "mod-0001", "zalo-group-line"
	z.say(mod, "/dangky chi lang")
	line := z.expect(mod, "command.group_only", "Command", "/dangky")
	if !strings.Contains(line, "@"+zalotest.BotName+" /dangky Chi Lăng") {
		t.Errorf("the line on Zalo: %q, want the bot mentioned", line)
	}
	settled(t, z.b)
	if got := z.received(mod); len(got) != 1 {
		t.Errorf("after /dangky in the private chat on Zalo: %q, want one line", got)
	}
	z.post(z.Z.Text(zalotest.Group(group), z.user(mod), "@"+zalotest.BotName+" /dangky Chi Lăng"))
	z.expect(group, "group.registered", "Area", "Chi Lăng")
}
