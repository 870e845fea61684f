package main

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

const farmer = 1001

func TestStartGreetsInVietnameseWithMenu(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.Say(farmer, "/start")

	got := b.Sent(farmer)
	if len(got) != 2 {
		t.Fatalf("got %d messages, want greeting and menu: %+v", len(got), got)
	}
	if got[0].Text != text(t, "vi", "start.welcome", "Name", "Nông dân 1001") || !strings.Contains(got[0].Text, "chào Nông dân 1001") {
		t.Errorf("greeting = %q, want a Vietnamese greeting by name", got[0].Text)
	}
	if got[1].Text != text(t, "vi", "menu.title") || !slices.Contains(got[1].Buttons, "❓ Trợ giúp") {
		t.Errorf("menu = %+v, want the Vietnamese menu with a help button", got[1])
	}

	// A second /start is a returning user's.
	b.Say(farmer, "/start")
	if again := b.Sent(farmer)[2].Text; again != text(t, "vi", "start.again", "Name", "Nông dân 1001") {
		t.Errorf("second greeting = %q", again)
	}
}

func TestDuplicateUpdateIsHandledOnce(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	u := b.Up.Text(farmer, farmer, "/start")
	for range 3 {
		if code := b.Post(u); code != http.StatusOK {
			t.Fatalf("delivery answered %d, want 200", code)
		}
	}
	if n := len(b.Sent(farmer)); n != 2 {
		t.Fatalf("the same update delivered 3 times got %d messages, want 2 (one greeting, one menu)", n)
	}
}

// Telegram may deliver one update to two replicas at the same moment.
func TestConcurrentDuplicatesAcrossReplicasAnsweredOnce(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := newEnv(t, tg)
	a, b := startBot(t, tg, env), startBot(t, tg, env)
	u := a.Up.Text(farmer, farmer, "/start")
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replica := []*testBot{a, b}[i%2]
			if code := replica.Post(u); code != http.StatusOK {
				t.Errorf("delivery answered %d", code)
			}
		}()
	}
	wg.Wait()
	if n := len(a.Sent(farmer)); n != 2 {
		t.Fatalf("10 concurrent deliveries got %d messages, want 2", n)
	}
}

func TestLanguageChoiceTypedOrTappedIsRemembered(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.Say(farmer, "/ngonngu")
	ask := b.Sent(farmer)[0]
	if ask.Text != text(t, "vi", "lang.ask") || !slices.Equal(ask.Data, []string{"lang:vi", "lang:en"}) {
		t.Fatalf("language question = %+v", ask)
	}
	b.Say(farmer, "2") // the number of "English"
	if got := b.Sent(farmer)[1].Text; got != text(t, "en", "lang.done") {
		t.Fatalf("after typing 2: %q, want the English confirmation", got)
	}
	b.Say(farmer, "/start")
	msgs := b.Sent(farmer)
	if got := msgs[len(msgs)-2].Text; !strings.HasPrefix(got, "🌾 Hello") {
		t.Errorf("greeting after choosing English = %q", got)
	}

	// Back to Vietnamese by tapping the button.
	b.Say(farmer, "/ngonngu")
	if code := b.Post(b.Up.Callback(farmer, farmer, 0, "lang:vi")); code != http.StatusOK {
		t.Fatalf("callback answered %d", code)
	}
	if got := b.Finished(farmer).Text; got != text(t, "vi", "lang.done") {
		t.Errorf("after tapping Tiếng Việt: %q", got)
	}
	if n := len(b.TG.CallsTo("answerCallbackQuery")); n != 1 {
		t.Errorf("button press acknowledged %d times, want 1", n)
	}
}

func TestPlatformLanguageIsTheDefault(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	if code := b.Post(b.Up.WithLanguage("en").Text(farmer, farmer, "/start")); code != http.StatusOK {
		t.Fatal(code)
	}
	if got := b.Sent(farmer)[0].Text; !strings.HasPrefix(got, "🌾 Hello") {
		t.Errorf("an English Telegram user was greeted with %q", got)
	}
}

// Mid-task, what is not understood is answered with the question again,
// whose example is the one to follow: never the idle example ("dang ban"),
// which would leave the task. With nothing in progress, that example is
// given.
func TestCancelAndBadInputInAFlow(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.Say(farmer, "/ngonngu")

	// A sticker where a choice is expected: say so, ask again.
	if code := b.Post(b.Up.Sticker(farmer, farmer)); code != http.StatusOK {
		t.Fatal(code)
	}
	msgs := b.Sent(farmer)
	if msgs[1].Text != text(t, "vi", "unclear.sticker", "Task", true) || msgs[2].Text != text(t, "vi", "lang.ask") {
		t.Fatalf("after a sticker: %q / %q", msgs[1].Text, msgs[2].Text)
	}
	// Gibberish likewise.
	b.Say(farmer, "asdfgh")
	msgs = b.Sent(farmer)
	if msgs[3].Text != text(t, "vi", "unclear.text", "Task", true) || strings.Contains(msgs[3].Text, "dang ban") ||
		msgs[4].Text != text(t, "vi", "lang.ask") {
		t.Fatalf("after gibberish: %q / %q", msgs[3].Text, msgs[4].Text)
	}
	// "hủy" typed with the other tone-mark placement, decomposed (NFD).
	b.Say(farmer, "hu\u0309y")
	msgs = b.Sent(farmer)
	if msgs[5].Text != text(t, "vi", "cancel.done") {
		t.Fatalf("after hủy: %q", msgs[5].Text)
	}
	// Nothing left in progress: "2" is no longer a language.
	b.Say(farmer, "2")
	msgs = b.Sent(farmer)
	if msgs[6].Text != text(t, "vi", "unclear.text") || !strings.Contains(msgs[6].Text, "dang ban") {
		t.Fatalf("after cancel, 2 = %q", msgs[6].Text)
	}
}

func TestHelpInAFlowKeepsTheQuestion(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	b.Say(farmer, "/ngonngu")
	b.Say(farmer, "tro giup")
	msgs := b.Sent(farmer)
	if msgs[1].Text != text(t, "vi", "help.text") || msgs[2].Text != text(t, "vi", "lang.ask") {
		t.Fatalf("help in a flow: %q / %q", msgs[1].Text, msgs[2].Text)
	}
	b.Say(farmer, "English")
	if got := b.Sent(farmer)[3].Text; got != text(t, "en", "lang.done") {
		t.Fatalf("the flow did not continue after help: %q", got)
	}
}

func TestHealthReadyAndMetrics(t *testing.T) {
	t.Parallel()
	b := startBot(t, telegramtest.NewServer(t), nil)
	if code, _ := b.Get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d", code)
	}
	if code, _ := b.Get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d", code)
	}
	b.Say(farmer, "/start")
	code, body := b.Get("/metrics")
	for _, want := range []string{
		`nongsan_updates_total{channel="telegram",outcome="handled"} 1`,
		`nongsan_platform_api_calls_total{channel="telegram",method="sendMessage",status="200"} 2`,
		`nongsan_update_duration_seconds_count{channel="telegram"} 1`,
		`nongsan_outbox_chats_waiting 0`,
	} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
