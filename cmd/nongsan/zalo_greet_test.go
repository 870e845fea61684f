package main

import (
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// A Zalo group's first message failing after the bot recorded the group
// (Redis down: nothing committed; the webhook spools it, as Zalo does not
// deliver again) does not lose the greeting: it comes with that message
// handled from the spool once Redis is back, before its answer; and once
// only. A protected account's message before it (Zalo withholds its text)
// says nothing to the group, and keeps no greeting from coming.
func TestAZaloGroupsGreetingSurvivesAFirstMessageThatFailed(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	zs.SetCanJoinGroups(true)
	redis := redistest.StartServer(t)
	env := zaloEnv(orderEnv(t, tg), zs)
	env["MODERATORS"], env["REDIS_URL"] = "zalo:mod-0001", redis.URL()
	z := startZaloWith(t, tg, zs, env)
	hello, help := zaloText(t, "group.hello", "Moderators", true), zaloText(t, "group.help")
	const group = "zalo-group-first-message-failed"
	count := func(want string) int {
		n := 0
		for _, m := range z.received(group) {
			if strings.HasPrefix(squash(m), squash(want)) {
				n++
			}
		}
		return n
	}

	z.post(z.Z.Unsupported(zalotest.Group(group), z.user("member-0009")))
	settled(t, z.b)
	if got := z.received(group); len(got) != 0 {
		t.Fatalf("a protected account's message got the group %q", got)
	}
	redis.Stop()
	z.post(z.Z.Text(zalotest.Group(group), z.user("member-0001"), "/help")) // spooled
	if !strings.Contains(z.b.Logs.String(), "update spooled") {
		t.Fatal("the first message was not spooled")
	}
	redis.Start()
	waitFor(t, "the answer to the first message", func() bool { return count(help) == 1 })
	if got := z.received(group); len(got) != 2 || !strings.HasPrefix(squash(got[0]), squash(hello)) {
		t.Errorf("the group whose first message failed got %q, want the greeting, then the answer", got)
	}

	// Greeted now: never again.
	z.post(z.Z.Text(zalotest.Group(group), z.user("mod-0001"), "/dangky chi lang"))
	z.expect(group, "group.registered", "Area", "Chi Lăng")
	if n := count(hello); n != 1 {
		t.Errorf("the group was greeted %d times", n)
	}
}
