package main

import (
	"context"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
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

// BenchmarkMidFlow measures what a harvest morning is made of: many farmers
// at once, each in the middle of a listing, answering the quantity and
// price questions (and going back, to answer again). It reports updates/s
// and the Redis commands each update costs, scripts' inner commands
// included, counted on a Redis of its own.
func BenchmarkMidFlow(b *testing.B) {
	const farmers = 200
	tg := telegramtest.NewServer(b)
	env := newEnv(b, tg)
	env["LOG_LEVEL"] = "info" // as in production
	srv := redistest.StartServer(b)
	env["REDIS_URL"] = srv.URL()
	bot := startBot(b, tg, env)
	users := make(chan int64, farmers)
	for i := range farmers {
		user := int64(200_000 + i)
		bot.register(user)
		bot.Say(user, "na")
		bot.Post(bot.Up.Photo(user, user, "photo-bench", "", ""))
		bot.Say(user, "xong")
		users <- user
	}
	rdb, err := redis.Open(context.Background(), srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.ConfigResetStat(context.Background()).Err(); err != nil {
		b.Fatal(err)
	}
	answers := []string{"5 tạ", "quay lại"} // quantity → price → back to quantity
	b.SetParallelism(farmers / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		user := <-users
		for i := 0; pb.Next(); i++ {
			if code := bot.Post(bot.Up.Text(user, user, answers[i%2])); code != http.StatusOK {
				b.Errorf("webhook answered %d", code)
			}
		}
	})
	b.StopTimer()
	cmds, err := redistest.Commands(context.Background(), rdb)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
	b.ReportMetric(float64(cmds)/float64(b.N), "redis-cmds/update")
}
