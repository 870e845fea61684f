package main

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
// and what each update costs, numbers that do not depend on how busy the
// machine is: Redis commands (scripts' inner commands included, counted on
// a Redis of its own), the reads Redis made for them (round trips, however
// many commands each carried), SQL statements, and connections opened to
// the Bot API.
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
	rdb, err := redis.Open(context.Background(), srv.URL(), "")
	if err != nil {
		b.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.ConfigResetStat(context.Background()).Err(); err != nil {
		b.Fatal(err)
	}
	answers := []string{"5 tạ", "quay lại"} // quantity → price → back to quantity
	sql, conns := bot.counter("nongsan_sql_statements_total"), bot.counter("nongsan_platform_api_connections_total")
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
	reads, err := redistest.Reads(context.Background(), rdb)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
	b.ReportMetric(float64(cmds)/float64(b.N), "redis-cmds/update")
	b.ReportMetric(float64(reads)/float64(b.N), "redis-reads/update")
	b.ReportMetric((bot.counter("nongsan_sql_statements_total")-sql)/float64(b.N), "sql-stmts/update")
	b.ReportMetric((bot.counter("nongsan_platform_api_connections_total")-conns)/float64(b.N), "api-conns/update")
}

// counter is the sum of a counter's series on /metrics.
func (b *testBot) counter(name string) float64 {
	b.t.Helper()
	_, metrics := b.Get("/metrics")
	var sum float64
	for _, line := range strings.Split(metrics, "\n") {
		if rest, ok := strings.CutPrefix(line, name); ok && (strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "{")) {
			v, err := strconv.ParseFloat(rest[strings.LastIndexByte(rest, ' ')+1:], 64)
			if err != nil {
				b.t.Fatalf("%s: %v", line, err)
			}
			sum += v
		}
	}
	return sum
}

// BenchmarkBroadcast sends an announcement to 5,000 Telegram groups with
// the fake Bot API enforcing Telegram's limits (30 messages a second, 20 a
// minute per group) and the bot configured with the same: it reports the
// rate achieved (the groups' messages from the first to the last), as a
// share of the configured rate, the 429s, and how long it took from the
// broadcast stored to its report queued.
func BenchmarkBroadcast(b *testing.B) {
	const groups, rate = 5000, 30
	tg := telegramtest.NewServer(b)
	tg.SetLimits(rate, 20)
	env := newEnv(b, tg)
	env["LOG_LEVEL"] = "info" // as in production
	env["TELEGRAM_RATE"], env["TELEGRAM_GROUP_RATE"] = strconv.Itoa(rate), "20"
	startBot(b, tg, env)
	db := openDB(b, env)
	var sent int
	var took, span time.Duration
	for i := 0; b.Loop(); i++ {
		targets := telegramGroupsFrom(1+i*groups, groups)
		start := time.Now()
		id := seedBroadcast(b, env["DATABASE_URL"], false, targets)
		for deadline := start.Add(10 * time.Minute); ; {
			var done bool
			if err := db.Pool.QueryRow(context.Background(), `SELECT reported_at IS NOT NULL FROM broadcasts WHERE id = $1`, id).Scan(&done); err != nil {
				b.Fatal(err)
			}
			if done {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("the broadcast to %d groups did not end within 10 minutes", groups)
			}
			time.Sleep(100 * time.Millisecond)
		}
		took += time.Since(start)
		var first, last time.Time
		for _, c := range tg.CallsTo("sendMessage") {
			if c.Status != http.StatusOK || !strings.HasPrefix(c.ChatID, "-100") || c.At.Before(start) {
				continue
			}
			if first.IsZero() {
				first = c.At
			}
			last = c.At
			sent++
		}
		span += last.Sub(first)
	}
	b.StopTimer()
	if sent != groups*b.N {
		b.Errorf("%d groups got the announcement, want %d", sent, groups*b.N)
	}
	achieved := float64(sent-b.N) / span.Seconds() // messages in the span between the first and the last
	b.ReportMetric(achieved, "msgs/s")
	b.ReportMetric(100*achieved/rate, "%rate")
	b.ReportMetric(float64(tg.RateLimited()), "429s")
	b.ReportMetric(took.Seconds()/float64(b.N), "s/broadcast")
}
