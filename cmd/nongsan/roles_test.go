package main

import (
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// A group's admins are asked of Telegram once, not once per command; the
// bot leaving and joining again asks afresh (who administers it may have
// changed meanwhile).
func TestGroupAdminsAreAskedOnceAndCached(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	const group = int64(-1007777777701)
	b.Post(b.Up.AddedToGroup(group, groupAdmin, telegramtest.DefaultBotID))
	b.TG.SetMemberStatus(group, groupAdmin, "administrator")
	b.Post(b.Up.Text(group, groupAdmin, "/dangky Văn Lãng"))
	b.expectIn(group, "group.registered", "Area", "Văn Lãng")
	b.Post(b.Up.Text(group, farmer, "/dangky"))
	b.expectIn(group, "group.admins_only")
	b.Post(b.Up.Text(group, groupAdmin, "/dangky Cao Lộc"))
	b.expectIn(group, "group.registered", "Area", "Cao Lộc")
	if n := len(b.TG.CallsTo("getChatAdministrators")); n != 1 {
		t.Fatalf("getChatAdministrators called %d times for three commands, want 1", n)
	}
	if n := len(b.TG.CallsTo("getChatMember")); n != 0 {
		t.Fatalf("getChatMember called %d times: group commands use the cached list", n)
	}
	b.Post(b.Up.MyChatMember(group, groupAdmin, telegramtest.DefaultBotID, "member", "left"))
	b.Post(b.Up.AddedToGroup(group, groupAdmin, telegramtest.DefaultBotID))
	b.TG.SetMemberStatus(group, groupAdmin, "member")
	b.TG.SetMemberStatus(group, farmer, "administrator")
	b.Post(b.Up.Text(group, farmer, "/dangky Lộc Bình"))
	b.expectIn(group, "group.registered", "Area", "Lộc Bình")
	if n := len(b.TG.CallsTo("getChatAdministrators")); n != 2 {
		t.Fatalf("getChatAdministrators called %d times in all, want 2 (asked again after rejoining)", n)
	}
}
