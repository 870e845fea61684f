package bot

import (
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/flows"
)

func TestTheMessageRateWindowStartsOverEachMinute(t *testing.T) {
	e := &Engine{MaxPerMinute: 2}
	private := flows.Input{ChatType: flows.Private, Kind: flows.KindText}
	var st redis.State
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	type result struct{ over, first bool }
	for i, want := range []struct {
		after time.Duration
		in    flows.Input
		result
	}{
		{0, private, result{false, false}},
		{10 * time.Second, private, result{false, false}},
		{20 * time.Second, private, result{true, true}},                                                           // the third in the minute: one kind reply
		{30 * time.Second, private, result{true, false}},                                                          // then none
		{40 * time.Second, flows.Input{ChatType: flows.Group}, result{false, false}},                              // groups are not counted
		{41 * time.Second, flows.Input{ChatType: flows.Private, Kind: flows.KindProtected}, result{false, false}}, // nor withheld messages
		{61 * time.Second, private, result{false, false}},                                                         // a new minute
		{62 * time.Second, private, result{false, false}},
		{63 * time.Second, private, result{true, true}},
	} {
		over, first := e.overRate(&st, want.in, at.Add(want.after))
		if (result{over, first}) != want.result {
			t.Errorf("update %d at +%s: over %t, first %t; want %+v", i+1, want.after, over, first, want.result)
		}
	}
	if over, _ := (&Engine{}).overRate(&st, private, at); over {
		t.Error("a zero MaxPerMinute limited an update")
	}
}
