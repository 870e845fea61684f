package bot_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/bot/telegram"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

// replicas is a broadcast's world as two replicas share it: PostgreSQL,
// Redis, Telegram (a fake), and what each replica runs.
type replicas struct {
	db       *postgres.DB
	store    *redis.Store
	tg       *telegramtest.Server
	channels bot.Channels
	texts    flows.Texts
	metrics  *bot.Metrics
}

func newReplicas(t *testing.T) *replicas {
	t.Helper()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	r := &replicas{db: pgtest.MustOpen(t), store: redistest.MustOpen(t), tg: telegramtest.NewServer(t),
		channels: bot.Channels{}, texts: texts, metrics: bot.NewMetrics()}
	tb, err := telegram.New(telegramtest.Token, r.tg.Endpoint(), http.DefaultClient, texts)
	if err != nil {
		t.Fatal(err)
	}
	r.channels.Add(bot.Render(tb, texts))
	return r
}

// broadcaster is one replica's broadcaster; its progress message may be
// edited at every look.
func (r *replicas) broadcaster() *bot.Broadcaster {
	return &bot.Broadcaster{Jobs: r.db, Channels: r.channels, Store: r.store, Texts: r.texts, Metrics: r.metrics,
		Throttle: r.store.Throttle(map[flows.Channel]redis.SendRate{}), Log: zerolog.Nop(),
		Workers: 1, Attempt: 5 * time.Second, Lease: 30 * time.Second, RetryMin: time.Second, RetryMax: time.Minute,
		MaxAttempts: 8, ProgressEvery: time.Millisecond}
}

// deliver relays the notices waiting (a broadcast's report) and sends them.
func (r *replicas) deliver(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	e := &bot.Engine{Store: r.store, Channels: r.channels, Metrics: r.metrics, Log: zerolog.Nop(), Now: time.Now,
		Attempt: 5 * time.Second, RetryMin: 500 * time.Millisecond, RetryMax: 10 * time.Second, Senders: 1}
	relay := &bot.Relay{Notices: r.db, Store: r.store, Deliver: e.Deliver, Log: zerolog.Nop()}
	chats, err := relay.Once(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, chat := range chats {
		e.Deliver(ctx, chat)
	}
}

// seed stores a broadcast from a moderator's private chat to Telegram groups.
func (r *replicas) seed(t *testing.T, author int64, groups int) *flows.Broadcast {
	t.Helper()
	var targets []flows.MarketGroup
	for i := range groups {
		targets = append(targets, flows.MarketGroup{Ref: flows.ChatRef{Channel: flows.Telegram, ChatID: strconv.FormatInt(-1001000000001-int64(i), 10)},
			Title: "Chợ na " + strconv.Itoa(i+1)})
	}
	return r.seedTo(t, author, targets)
}

// seedTo stores a broadcast from a moderator's private chat on Telegram to
// targets.
func (r *replicas) seedTo(t *testing.T, author int64, targets []flows.MarketGroup) *flows.Broadcast {
	t.Helper()
	ctx := context.Background()
	chat := flows.ChatRef{Channel: flows.Telegram, ChatID: strconv.FormatInt(author, 10)}
	var authorID int64
	if err := r.db.Pool.QueryRow(ctx, `INSERT INTO users (channel, platform_id, platform_name)
		VALUES ($1, $2, 'Cán bộ khuyến nông') RETURNING id`, string(chat.Channel), chat.ChatID).Scan(&authorID); err != nil {
		t.Fatal(err)
	}
	b, err := r.db.CreateBroadcast(ctx, &flows.Broadcast{AuthorID: authorID, Chat: chat, Lang: "vi",
		Text: "Thứ 7 này có thương lái về thu mua na", Scope: flows.ScopeAll}, targets, "test:"+t.Name())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sendTargets has n of the broadcast's targets sent, as a worker records them.
func (r *replicas) sendTargets(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	targets, err := r.db.ClaimTargets(ctx, n, time.Minute)
	if err != nil || len(targets) != n {
		t.Fatalf("claimed %d targets (%v), want %d", len(targets), err, n)
	}
	for _, target := range targets {
		if ok, err := r.db.StartSending(ctx, &target, time.Minute); err != nil || !ok {
			t.Fatalf("start sending: %v %v", ok, err)
		}
		if err := r.db.TargetSent(ctx, &target, flows.Sent{MessageIDs: []string{"1"}}); err != nil {
			t.Fatal(err)
		}
	}
}

// A progress edit still on its way to Telegram (one replica's) when the
// last group is sent and another replica looks: the moderator's progress
// message ends as the report says ("📣 Đã gửi 3/3 nhóm.", its stop button
// gone), after the report, not as the stale edit said ("1/3" with the
// stop button).
func TestTheReportIsTheProgressMessagesLastWord(t *testing.T) {
	const author = 5005
	ctx := context.Background()
	r := newReplicas(t)
	one, other := r.broadcaster(), r.broadcaster()
	r.seed(t, author, 3)

	if err := one.Watch(ctx); err != nil { // the progress message
		t.Fatal(err)
	}
	r.sendTargets(t, 1)
	r.tg.HoldNext("editMessageText", 1)
	var held atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() { // looks until its edit is on its way, held by Telegram
		for !held.Load() {
			if err := one.Watch(ctx); err != nil {
				t.Error(err)
				return
			}
		}
	})
	r.tg.WaitHolding(t, 1) // the progress edit on its way
	held.Store(true)
	r.sendTargets(t, 2)
	if err := other.Watch(ctx); err != nil { // the broadcast has no group left
		t.Fatal(err)
	}
	r.deliver(t)
	r.tg.Release() // the edit lands
	wg.Wait()
	if err := other.Watch(ctx); err != nil {
		t.Fatal(err)
	}
	r.deliver(t)

	msgs := r.tg.Messages(author)
	if len(msgs) != 2 {
		t.Fatalf("the moderator has %d messages, want the progress and the report: %+v", len(msgs), msgs)
	}
	if p := msgs[0]; !strings.HasPrefix(p.Text, "📣 Đã gửi 3/3 nhóm.") || p.ReplyMarkup != nil {
		t.Errorf("the progress message ends as %q (buttons %v), want it to say all 3 groups got it, without the stop button",
			p.Text, p.ReplyMarkup)
	}
	if !strings.HasPrefix(msgs[1].Text, "✅ Thông báo đã gửi xong: 3/3 nhóm đã nhận.") {
		t.Errorf("report %q", msgs[1].Text)
	}
}
