package redis_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

func TestWebLogAppendsReadsWaitsTrimsAndClears(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		log := open(t, client).WebLog(20)
		if last, err := log.Last(ctx); err != nil || last != "0-0" {
			t.Fatalf("empty log's last = %q, %v", last, err)
		}
		var ids []string
		for i := range 3 {
			id, err := log.Append(ctx, fmt.Appendf(nil, "m%d", i))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		all, err := log.After(ctx, "", 10)
		if err != nil || len(all) != 3 || string(all[0].Data) != "m0" || all[2].ID != ids[2] {
			t.Fatalf("After(\"\") = %+v, %v", all, err)
		}
		rest, err := log.After(ctx, ids[0], 10)
		if err != nil || len(rest) != 2 || string(rest[0].Data) != "m1" {
			t.Fatalf("After(first) = %+v, %v", rest, err)
		}
		if last, _ := log.Last(ctx); last != ids[2] {
			t.Errorf("Last = %s, want %s", last, ids[2])
		}

		// A waiting reader gets what is appended while it waits.
		got := make(chan string, 1)
		go func() {
			es, err := log.Wait(ctx, ids[2], 10*time.Second)
			if err != nil || len(es) != 1 {
				got <- fmt.Sprintf("%+v %v", es, err)
				return
			}
			got <- string(es[0].Data)
		}()
		// Appended once the reader is seen waiting.
		admin := client(t)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if clients, _ := admin.ClientList(ctx).Result(); strings.Contains(clients, "cmd=xread") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the reader never waited")
			}
		}
		if _, err := log.Append(ctx, []byte("late")); err != nil {
			t.Fatal(err)
		}
		if g := <-got; g != "late" {
			t.Errorf("Wait got %s", g)
		}
		if es, err := log.Wait(ctx, "$", 10*time.Millisecond); err != nil || len(es) != 0 {
			t.Errorf("Wait with nothing new = %+v, %v", es, err)
		}

		// Bounded: some hundreds of entries leave about the last 20 (Redis
		// trims whole nodes, hence "about").
		for i := range 500 {
			if _, err := log.Append(ctx, fmt.Appendf(nil, "n%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		kept, _ := log.After(ctx, "", 1000)
		if len(kept) >= 500 || string(kept[len(kept)-1].Data) != "n499" {
			t.Errorf("after 500 appends the log keeps %d entries, the last %s", len(kept), kept[len(kept)-1].Data)
		}

		if err := log.Clear(ctx); err != nil {
			t.Fatal(err)
		}
		if es, _ := log.After(ctx, "", 10); len(es) != 0 {
			t.Errorf("cleared log has %d entries", len(es))
		}
	})
}

func TestLimiterAllowsSoManyPerClientPerWindow(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		lim := open(t, client).Limiter("web", 3, time.Minute)
		at := time.Date(2026, 8, 15, 9, 0, 10, 0, time.UTC)
		for i := range 3 {
			if ok, err := lim.Allow(ctx, "10.0.0.1", at); err != nil || !ok {
				t.Fatalf("request %d refused: %v", i+1, err)
			}
		}
		if ok, _ := lim.Allow(ctx, "10.0.0.1", at); ok {
			t.Error("the 4th request in the window was allowed")
		}
		if ok, _ := lim.Allow(ctx, "10.0.0.2", at); !ok {
			t.Error("another client was refused")
		}
		if ok, _ := lim.Allow(ctx, "10.0.0.1", at.Add(time.Minute)); !ok {
			t.Error("the next window still refuses")
		}
	})
}
