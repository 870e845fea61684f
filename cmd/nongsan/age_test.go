package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/flows"
)

// ageChat moves the times a chat's conversation keeps (when its question
// was asked, its task began, its user was read) d into the past, as the
// clock would: a test of what happens after a user goes quiet for longer
// than SESSION_TTL then neither waits for it nor depends on how fast the
// steps before ran. Called between updates, with none of the chat's in
// flight.
func (b *testBot) ageChat(chat flows.ChatRef, d time.Duration) {
	b.t.Helper()
	rdb, ctx, key := b.redis(), context.Background(), redis.ChatKey(b.Env["REDIS_PREFIX"], chat)
	stored, err := rdb.HGet(ctx, key, "s").Result()
	if err != nil {
		b.t.Fatalf("read the chat's state: %v", err)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(stored), &st); err != nil {
		b.t.Fatalf("decode the chat's state: %v", err)
	}
	if n := ageTimes(st, d); n == 0 {
		b.t.Fatalf("no time to age in the chat's state: %s", stored)
	}
	aged, err := json.Marshal(st)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := rdb.HSet(ctx, key, "s", aged).Err(); err != nil {
		b.t.Fatalf("store the aged state: %v", err)
	}
}

// clockKeys are the times a chat's state keeps of the conversation itself
// (bot/redis.State, flows.Session, the set-aside Parent too); a draft's
// times ("data": a ready date, say) are what the user said and stay.
var clockKeys = map[string]bool{"updated": true, "task_at": true, "user_at": true, "window": true, "protected_told": true}

// ageTimes moves the clock's times in v d into the past and counts them.
func ageTimes(v map[string]any, d time.Duration) (n int) {
	for k, x := range v {
		switch x := x.(type) {
		case string:
			if at, err := time.Parse(time.RFC3339Nano, x); err == nil && clockKeys[k] {
				v[k] = at.Add(-d).Format(time.RFC3339Nano)
				n++
			}
		case map[string]any:
			if k != "data" {
				n += ageTimes(x, d)
			}
		}
	}
	return n
}

// goneQuiet is how long the tests' users leave a question: past the
// default SESSION_TTL (24 h).
const goneQuiet = 25 * time.Hour

// ager is a chatter whose users' conversations can be aged.
type ager interface {
	age(user string, d time.Duration)
}

// leave lets user's conversation go untouched for d, as the clock would.
func (p *typist) leave(user string, d time.Duration) {
	p.t.Helper()
	a, ok := p.c.(ager)
	if !ok {
		p.t.Fatalf("%T cannot age a conversation", p.c)
	}
	a.age(user, d)
}

func (c tgTypist) age(user string, d time.Duration) {
	c.b.ageChat(flows.ChatRef{Channel: flows.Telegram, ChatID: user}, d)
}

func (z *zaloBot) age(user string, d time.Duration) {
	z.b.ageChat(flows.ChatRef{Channel: flows.Zalo, ChatID: user}, d)
}
