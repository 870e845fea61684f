package bot_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/flows"
)

// The spool keeps each update in a file of its own, readable by the
// service only, listed in arrival order, with nothing half-written left
// beside; opened again (a restart), it forgets a temporary file a crash
// left and knows again which chats have updates waiting.
func TestSpoolKeepsUpdatesInArrivalOrderAcrossARestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plain")
	ch := bot.Render(bottest.New(), nil)
	sp, err := bot.OpenSpool(dir, ch, bot.NewMetrics())
	if err != nil {
		t.Fatal(err)
	}
	chat := func(id string) flows.ChatRef { return flows.ChatRef{Channel: bottest.Name, ChatID: id} }
	var bodies [][]byte
	for i, c := range []string{"a", "b", "a", "c", "a"} {
		body, _ := json.Marshal(bottest.Update{ID: string(rune('1' + i)), Chat: c, User: c, Text: "hi"})
		bodies = append(bodies, body)
		if _, err := sp.Put(body, chat(c)); err != nil {
			t.Fatal(err)
		}
	}
	read := func() [][]byte {
		t.Helper()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var got [][]byte
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".json") {
				t.Errorf("%s beside the updates", e.Name())
				continue
			}
			info, _ := e.Info()
			if info.Mode().Perm() != 0o600 {
				t.Errorf("%s is %v: others may read what farmers wrote", e.Name(), info.Mode().Perm())
			}
			body, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			got = append(got, body)
		}
		return got
	}
	if got := read(); !slices.EqualFunc(got, bodies, slices.Equal) {
		t.Fatalf("the spool lists %q, want the updates in the order they came", got)
	}
	if !sp.Pending(chat("a")) || sp.Pending(chat("d")) || sp.Depth() != 5 {
		t.Fatalf("pending a %t, d %t, depth %d", sp.Pending(chat("a")), sp.Pending(chat("d")), sp.Depth())
	}

	// A crash in the middle of a write leaves a temporary file: it was never
	// answered 200, and is no update to handle.
	// And the clock went back: far in the future, the last update kept.
	if err := os.Rename(filepath.Join(dir, names(t, dir)[4]), filepath.Join(dir, "09000000000000000000.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".tmp-00000000000000000009.json"), []byte(`{"id":`), 0o600); err != nil {
		t.Fatal(err)
	}
	again, err := bot.OpenSpool(dir, ch, bot.NewMetrics())
	if err != nil {
		t.Fatal(err)
	}
	if got := read(); !slices.EqualFunc(got, bodies, slices.Equal) {
		t.Fatalf("after a restart the spool lists %q", got)
	}
	if !again.Pending(chat("c")) || again.Pending(chat("d")) || again.Depth() != 5 {
		t.Fatalf("after a restart: pending c %t, d %t, depth %d", again.Pending(chat("c")), again.Pending(chat("d")), again.Depth())
	}
	// A later update goes after those kept, whatever the clock said then.
	last, _ := json.Marshal(bottest.Update{ID: "9", Chat: "d", User: "d", Text: "hi"})
	if _, err := again.Put(last, chat("d")); err != nil {
		t.Fatal(err)
	}
	if got := read(); !slices.Equal(got[len(got)-1], last) {
		t.Fatalf("the update put after the restart is not last: %q", got)
	}
}

// Only a channel whose adapter says its platform does not deliver again
// is spooled: the others (Telegram, the web page) answer 5xx as before.
func TestOnlyAChannelThatSaysSoIsNotRedelivered(t *testing.T) {
	if !bot.Redelivers(bot.Render(bottest.New(), nil)) {
		t.Error("a channel that says nothing is taken as not redelivering")
	}
	if bot.Redelivers(bot.Render(once{bottest.New()}, nil)) {
		t.Error("a channel whose adapter says it does not redeliver is taken as redelivering")
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

type once struct{ *bottest.Channel }

func (once) Redelivers() bool { return false }
