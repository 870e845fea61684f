package main

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

func TestServerErrorsFromTelegramAreRetried(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.TG.FailNext("sendMessage", 2, telegramtest.Failure{Status: 502, Description: "Bad Gateway"})
	b.Say(farmer, "/start")
	if got := b.Sent(farmer); len(got) != 2 || !strings.Contains(got[0].Text, "chào") {
		t.Fatalf("after two 502s the user got %+v, want greeting and menu", got)
	}
}

func TestShortRateLimitIsWaitedOut(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.TG.FailNext("sendMessage", 1, telegramtest.Failure{RetryAfter: 1})
	b.Say(farmer, "/start")
	if got := b.Sent(farmer); len(got) != 2 {
		t.Fatalf("after a 429 the user got %d messages, want 2", len(got))
	}
}

// When Telegram stays unavailable, the update is still accepted (its
// replies are stored) and the replies arrive later, in order, without
// corrupting the conversation.
func TestRepliesSurviveALongTelegramOutage(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.TG.FailNext("sendMessage", 1, telegramtest.Failure{RetryAfter: 4})
	b.Say(farmer, "/ngonngu")
	if n := len(b.Sent(farmer)); n != 0 {
		t.Fatalf("sent %d messages while rate limited", n)
	}
	// The conversation moved on regardless: the next answer is understood,
	// and its replies wait behind the first until Telegram allows.
	b.Say(farmer, "English")
	if n := len(b.TG.CallsTo("sendMessage")); n != 1 {
		t.Fatalf("%d sends during the rate limit, want the one refused", n)
	}
	if _, metrics := b.Get("/metrics"); !strings.Contains(metrics, "nongsan_outbox_chats_waiting 1") {
		t.Error("/metrics does not show the chat waiting for Telegram")
	}
	calls := b.TG.WaitCalls(t, "sendMessage", 1+2) // sent by the sweeper
	var texts []string
	for _, c := range calls {
		if c.Status == http.StatusOK {
			texts = append(texts, c.Params["text"])
		}
	}
	want := []string{text(t, "vi", "lang.ask"), text(t, "en", "lang.done")}
	if !slices.Equal(texts, want) {
		t.Fatalf("delivered %q, want %q in order", texts, want)
	}
}

func TestBlockedUserDoesNotStallTheChat(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.TG.BlockChat(farmer)
	b.Say(farmer, "/start")
	b.TG.UnblockChat(farmer)
	b.Say(farmer, "/ngonngu")
	got := b.Sent(farmer)
	if len(got) != 1 || got[0].Text != text(t, "vi", "lang.ask") {
		t.Fatalf("after unblocking: %+v, want only the language question (old replies dropped)", got)
	}
}

func TestBotAddedToGroupIsRecordedAndGreets(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	b := startBot(t, tg, env)
	const group = -1002003004
	if code := b.Post(b.Up.AddedToGroup(group, farmer, telegramtest.DefaultBotID)); code != http.StatusOK {
		t.Fatal(code)
	}
	got := b.Sent(group)
	if len(got) != 1 || got[0].Text != text(t, "vi", "group.hello") || !strings.Contains(got[0].Text, "bà con") {
		t.Fatalf("group greeting = %+v", got)
	}
	// Chatter in the group is not for the bot.
	b.Post(b.Up.Text(group, farmer, "Na năm nay ngọt lắm"))
	if n := len(b.Sent(group)); n != 1 {
		t.Errorf("the bot answered group chatter: %d messages", n)
	}
	db, err := postgres.Open(context.Background(), env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var title string
	var active bool
	err = db.Pool.QueryRow(context.Background(),
		`SELECT title, active FROM chats WHERE channel = 'telegram' AND chat_id = $1`, itoa(group)).Scan(&title, &active)
	if err != nil || !active || title != telegramtest.GroupTitle {
		t.Fatalf("group row: %q active=%v err=%v", title, active, err)
	}
}

func TestConversationSurvivesARestart(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	first := startBot(t, tg, env)
	first.Say(farmer, "/ngonngu")
	first.Stop()

	second := startBot(t, tg, env)
	second.Up = first.Up // the same Telegram, the same update ids
	second.Say(farmer, "tieng anh")
	if got := second.Finished(farmer).Text; got != text(t, "en", "lang.done") {
		t.Fatalf("after a restart the language step got %q", got)
	}
}

func TestPollHandlesQueuedUpdates(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	up := tg.NewUpdates()
	tg.QueueUpdate(up.Text(farmer, farmer, "/start"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"nongsan", "poll"}, func(k string) string { return env[k] }, newLogWatcher(), newLogWatcher()) // redis logs through the last logger made: it must be safe for concurrent use
	}()
	calls := tg.WaitCalls(t, "sendMessage", 2)
	cancel()
	if !strings.Contains(calls[0].Params["text"], "chào") {
		t.Errorf("polled /start answered %q", calls[0].Params["text"])
	}
	if len(tg.CallsTo("deleteWebhook")) != 1 {
		t.Error("poll did not remove the webhook first")
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("poll did not stop")
	}
}

// Long polling hands updates over in order: one whose handling panics or
// fails every time, PostgreSQL and Redis answering, would hold every later
// update back for ever. After three tries it is given up as a webhook's
// failing update is: its user gets the apology and the menu, and the
// updates behind it are answered. Here one is a message without its chat,
// which the Telegram adapter cannot read (it panics: there is no chat to
// tell), and PostgreSQL refuses the sender of the other.
func TestPollGivesUpOnAnUpdateThatKeepsFailing(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	getenv := func(k string) string { return env[k] }
	if err := run(context.Background(), []string{"nongsan", "migrate"}, getenv, newLogWatcher(), newLogWatcher()); err != nil {
		t.Fatal(err)
	}
	const refused = int64(4242)
	db, err := postgres.Open(context.Background(), env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Pool.Exec(context.Background(), `
		CREATE FUNCTION refuse_user() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
		CREATE TRIGGER refuse_user BEFORE INSERT OR UPDATE ON users
			FOR EACH ROW WHEN (NEW.platform_id = '`+itoa(refused)+`') EXECUTE FUNCTION refuse_user()`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	up := tg.NewUpdates()
	chatless := up.Text(farmer, farmer, "/start")
	chatless.Message.Chat = nil
	tg.QueueUpdate(chatless)
	tg.QueueUpdate(up.Text(refused, refused, "/start"))
	tg.QueueUpdate(up.Text(farmer, farmer, "/start"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"nongsan", "poll"}, getenv, newLogWatcher(), newLogWatcher()) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	calls := tg.WaitCalls(t, "sendMessage", 4)
	line := func(s string) string { first, _, _ := strings.Cut(s, "\n"); return first }
	var got []string
	for _, c := range calls[:3] {
		got = append(got, c.ChatID+": "+line(c.Params["text"]))
	}
	want := []string{
		itoa(refused) + ": " + line(text(t, "vi", "error.sorry")),
		itoa(refused) + ": " + line(text(t, "vi", "menu.title")),
		itoa(farmer) + ": 🌾 Xin chào Nông dân " + itoa(farmer) + "!",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the bot said %q, want %q", got, want)
	}
	for _, c := range tg.CallsTo("getUpdates") {
		if c.Status != http.StatusOK {
			t.Errorf("getUpdates failed: %+v", c)
		}
	}
}

func TestWebhookSetRegistersSecretUpdatesAndMenu(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := map[string]string{
		"TELEGRAM_BOT_TOKEN":      telegramtest.Token,
		"TELEGRAM_WEBHOOK_SECRET": testSecret,
		"TELEGRAM_API_ENDPOINT":   tg.Endpoint(),
		"PUBLIC_BASE_URL":         "https://bot.nongsan.example/",
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"nongsan", "webhook", "set"}, func(k string) string { return env[k] }, &out, &out); err != nil {
		t.Fatalf("webhook set: %v\n%s", err, out.String())
	}
	wh := tg.Webhook()
	if wh.URL != "https://bot.nongsan.example/webhook/telegram" || wh.SecretToken != testSecret {
		t.Errorf("registered %q with secret %q", wh.URL, wh.SecretToken)
	}
	if !slices.Equal(wh.AllowedUpdates, []string{"message", "edited_message", "callback_query", "my_chat_member"}) {
		t.Errorf("allowed updates %v", wh.AllowedUpdates)
	}
	menus := tg.CallsTo("setMyCommands")
	if len(menus) != 2 || !strings.Contains(menus[0].Params["commands"], "Trợ giúp") || menus[1].Params["language_code"] != "en" {
		t.Errorf("command menus: %+v", menus)
	}
	if strings.Contains(out.String(), telegramtest.Token) {
		t.Error("the token was printed")
	}
}

func TestServeWithoutTokenExplainsHowToConnect(t *testing.T) {
	t.Parallel()
	env := newEnv(t, telegramtest.NewServer(t))
	delete(env, "TELEGRAM_BOT_TOKEN")
	logs := newLogWatcher()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"nongsan", "serve"}, func(k string) string { return env[k] }, logs, logs)
	}()
	select {
	case <-logs.listening:
	case err := <-done:
		t.Fatalf("serve without a token stopped: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "ZALO_BOT_TOKEN", "ZALO_WEBHOOK_SECRET", "nongsan webhook set", "nongsan poll"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the start-up help does not mention %s", want)
		}
	}
}

func TestServeRefusesTokenWithoutSecret(t *testing.T) {
	t.Parallel()
	env := newEnv(t, telegramtest.NewServer(t))
	delete(env, "TELEGRAM_WEBHOOK_SECRET")
	err := run(context.Background(), []string{"nongsan", "serve"}, func(k string) string { return env[k] }, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "TELEGRAM_WEBHOOK_SECRET") {
		t.Fatalf("serve with a token and no secret: %v", err)
	}
}

// A group post whose album went but whose order button did not (the Bot API
// failed in between) sends the button later, never the album again.
func TestAnAlbumIsPostedOnceWhenItsButtonFails(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, newEnv(t, tg))
	b.markets()
	b.register(farmer)
	b.toSummary(farmer)
	tg.FailNext("sendMessage", 6, telegramtest.Failure{Status: http.StatusBadGateway})
	b.Publish(farmer)
	for _, g := range []int64{chiLangMarket, allMarket} {
		waitSent(t, b, g, func(s sent) bool { return strings.HasPrefix(s.Text, "🛒 Đặt mua Na Chi Lăng") }, 1)
		albums := 0
		for _, c := range tg.CallsTo("sendMediaGroup") {
			if c.ChatID == itoa(g) && c.Status == http.StatusOK {
				albums++
			}
		}
		if albums != 1 {
			t.Errorf("the album went %d times to %d", albums, g)
		}
	}
}

// ZALO_BOT_LINK is shown to users as the way to the bot: anything but an
// https address stops the service at start, saying which setting.
func TestServeRefusesAZaloBotLinkThatIsNotHTTPS(t *testing.T) {
	t.Parallel()
	for _, link := range []string{"http://zalo.me/1459232241454765289", "zalo.me/1459232241454765289", "javascript:alert(1)", "https://", "https://zalo.me/a b"} {
		env := newEnv(t, telegramtest.NewServer(t))
		env["ZALO_BOT_LINK"] = link
		err := run(context.Background(), []string{"nongsan", "serve"}, func(k string) string { return env[k] }, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "ZALO_BOT_LINK") {
			t.Errorf("serve with ZALO_BOT_LINK=%q: %v", link, err)
		}
	}
}
