package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// Replicas scale out: three of them share one PostgreSQL and one Redis, the
// webhook deliveries of 20 farmers and 20 buyers, all at once, are spread
// over them in turn (a chat's next update lands on another replica), each
// farmer publishes a listing and each buyer orders from one. Every
// conversation ends where it should, every listing and order exists once,
// and every group post and order notice went out once.
func TestReplicasShareTheWorkAndDoItOnce(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	scaleOut(t, tg, orderEnv(t, tg), 3, 20)
}

// One farmer lists and one buyer orders through replicas on a Redis
// Cluster: a chat's keys share a slot, replies to chats of other slots
// (the group posts, the farmer's order notice) are forwarded.
func TestAConversationOnARedisCluster(t *testing.T) {
	t.Parallel()
	addrs := redistest.ClusterAddrs(t) // skips without the test cluster
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["REDIS_CLUSTER_ADDRS"] = addrs
	scaleOut(t, tg, env, 2, 2)
}

// scaleOut runs pairs of farmers and buyers through n replicas of env.
func scaleOut(t *testing.T, tg *telegramtest.Server, env map[string]string, n, pairs int) {
	env["TELEGRAM_GROUP_GAP"] = "1ms" // many posts to the same two groups
	var replicas []*testBot
	for range n {
		replicas = append(replicas, startBot(t, tg, env))
	}
	var next atomic.Int64
	lb := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		u, _ := url.Parse(replicas[next.Add(1)%int64(n)].URL)
		r.SetURL(u)
	}})
	t.Cleanup(lb.Close)
	b := *replicas[0]
	b.URL, b.cancel = lb.URL, nil // Stop is the replicas' own
	b.markets()

	codes := make([]string, pairs)
	orders := make([]string, pairs)
	var wg sync.WaitGroup
	for i := range pairs {
		wg.Go(func() {
			pb := b
			pb.t = &goroutineT{TB: t}
			farmer, buyer := int64(700_000+i), int64(800_000+i)
			pb.register(farmer)
			codes[i] = pb.listing(farmer, "500 kg", "25k")
			pb.order(buyer, codes[i], "100kg")
			pb.Place(buyer)
			orders[i] = regexp.MustCompile(`DH-[2-9A-HJ-NP-Z]{4}`).FindString(pb.Finished(buyer).Text)
			if orders[i] == "" {
				t.Errorf("buyer %d: no order code in %q", buyer, pb.Last(buyer).Text)
				return
			}
			news := pb.notice(farmer, "🛒 Đơn mới")
			if !strings.Contains(news.Text, orders[i]) {
				t.Errorf("farmer %d: order news %q, want %s", farmer, news.Text, orders[i])
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	// The announcements wait for the groups' gap: every one sent, then
	// nothing more to send.
	code := regexp.MustCompile(`NS-[2-9A-HJ-NP-Z]{4}`)
	announced := func(g int64) map[string]int {
		n := map[string]int{}
		for _, m := range b.Sent(g) {
			if strings.HasPrefix(m.Text, "🛒 Đã có đơn") {
				n[code.FindString(m.Text)]++
			}
		}
		return n
	}
	waitFor(t, "every order announced in both groups", func() bool {
		return len(announced(chiLangMarket)) == pairs && len(announced(allMarket)) == pairs
	})
	settled(t, &b)

	// PostgreSQL: each listing and each order once, the order on its listing.
	db := env["DATABASE_URL"]
	for i := range pairs {
		farmer, buyer := int64(700_000+i), int64(800_000+i)
		if got := count(t, db, `SELECT count(*) FROM listings l JOIN sellers s ON s.id = l.seller_id JOIN users u ON u.id = s.user_id
			WHERE l.code = $1 AND u.platform_id = $2`, codes[i], itoa(farmer)); got != 1 {
			t.Errorf("listing %s of farmer %d: %d rows", codes[i], farmer, got)
		}
		if got := count(t, db, `SELECT count(*) FROM orders o JOIN listings l ON l.id = o.listing_id JOIN users u ON u.id = o.buyer_id
			WHERE o.code = $1 AND l.code = $2 AND u.platform_id = $3`, orders[i], codes[i], itoa(buyer)); got != 1 {
			t.Errorf("order %s of buyer %d on %s: %d rows", orders[i], buyer, codes[i], got)
		}
	}
	if got := count(t, db, `SELECT count(*) FROM listings`); got != pairs {
		t.Errorf("%d listings, want %d", got, pairs)
	}
	if got := count(t, db, `SELECT count(*) FROM orders`); got != pairs {
		t.Errorf("%d orders, want %d", got, pairs)
	}

	// The groups: each listing's album and its order's announcement once in
	// each of the two markets; each farmer's order news once.
	for _, g := range []int64{chiLangMarket, allMarket} {
		albums := map[string]int{}
		for _, c := range tg.CallsTo("sendMediaGroup") {
			if c.ChatID == itoa(g) && c.Status == http.StatusOK {
				_, caption := albumMedia(t, c)
				albums[code.FindString(caption)]++
			}
		}
		orders := announced(g)
		for _, c := range codes {
			if albums[c] != 1 || orders[c] != 1 {
				t.Errorf("group %d: listing %s posted %d times, its order announced %d times; want once each", g, c, albums[c], orders[c])
			}
		}
		if len(albums) != pairs {
			t.Errorf("group %d: %d listings posted, want %d", g, len(albums), pairs)
		}
	}
	for i := range pairs {
		farmer := int64(700_000 + i)
		n := 0
		for _, m := range b.Sent(farmer) {
			if strings.HasPrefix(m.Text, "🛒 Đơn mới") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("farmer %d was told of the order %d times", farmer, n)
		}
	}
	for i, r := range replicas {
		if _, metrics := r.Get("/metrics"); !strings.Contains(metrics, "nongsan_updates_total") {
			t.Errorf("replica %d: no updates counted", i)
		}
	}
	t.Logf("%d replicas, %d farmers and %d buyers, %d webhook deliveries", n, pairs, pairs, next.Load())
}

// goroutineT lets a story run in a goroutine of its own: a fatal failure
// ends that story (the test fails), not the test's goroutine.
type goroutineT struct{ testing.TB }

func (g *goroutineT) Fatal(args ...any) { g.TB.Error(args...); runtime.Goexit() }
func (g *goroutineT) Fatalf(format string, args ...any) {
	g.TB.Errorf(format, args...)
	runtime.Goexit()
}
func (g *goroutineT) FailNow() { g.TB.Fail(); runtime.Goexit() }
