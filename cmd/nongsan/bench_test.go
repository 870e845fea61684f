package main

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// BenchmarkWebhook measures the whole path of an update, as a farmer's
// message takes it: webhook, Redis lock and session, PostgreSQL user, flow,
// commit, and the replies sent to (a fake) Telegram. Each update comes from
// its own chat, in parallel, as a market day's traffic does.
func BenchmarkWebhook(b *testing.B) {
	tg := telegramtest.NewServer(b)
	env := newEnv(b, tg)
	env["LOG_LEVEL"] = "info" // as in production
	bot := startBot(b, tg, env)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			user := 100_000 + next.Add(1)
			if code := bot.Post(bot.Up.Text(user, user, "/start")); code != http.StatusOK {
				b.Errorf("webhook answered %d", code)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// BenchmarkConversationStep measures one farmer answering a question: the
// price step of a listing, parsed, validated and stored.
func BenchmarkConversationStep(b *testing.B) {
	tg := telegramtest.NewServer(b)
	env := newEnv(b, tg)
	env["LOG_LEVEL"] = "info" // as in production
	bot := startBot(b, tg, env)
	bot.register(farmer)
	bot.Say(farmer, "na")
	bot.Post(bot.Up.Photo(farmer, farmer, "photo-bench", "", ""))
	bot.Say(farmer, "xong")
	bot.Say(farmer, "5 tạ")
	b.ResetTimer()
	for range b.N {
		bot.Say(farmer, "35-40k") // a range: questioned, the step stays
	}
}
