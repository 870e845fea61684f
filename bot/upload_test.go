package bot_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/bot/telegram"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows"
)

// A listing's photo sent as a file, posted to five groups at the same
// moment: one send uploads it, the other four wait for it and go by the
// file_id it got; a reply written before (still naming the file) goes by
// that file_id too, and the listing keeps it.
func TestSendsOfOnePhotoFileAtOnceUploadItOnce(t *testing.T) {
	ctx := context.Background()
	tg := telegramtest.NewServer(t)
	tb, err := telegram.New(telegramtest.Token, tg.Endpoint(), http.DefaultClient, texts(t))
	if err != nil {
		t.Fatal(err)
	}
	db := pgtest.MustOpen(t)
	r := bot.Render(tb, texts(t))
	r.Photos = db
	tg.SetDocument("BQAD-na", bottest.PhotoPNG(800, 600))
	photo := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Telegram, Ref: telegram.DocPhoto + "BQAD-na"}
	l := pgtest.MustPublish(t, db, flows.Telegram, photo.String())
	post := func(chat int) flows.Reply {
		return flows.Reply{To: flows.ChatRef{Channel: flows.Telegram, ChatID: strconv.Itoa(-1000 - chat)}, Lang: "vi",
			Photos: []string{photo.String()}, Text: flows.M("cancel.done")}
	}

	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			<-start
			if _, err := r.Send(ctx, post(i)); err != nil {
				t.Errorf("group %d: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if _, err := r.Send(ctx, post(5)); err != nil { // written before the upload
		t.Fatal(err)
	}

	var id string
	var byID []string
	for _, c := range tg.CallsTo("sendPhoto") {
		if c.Files == nil {
			byID = append(byID, c.Params["photo"])
			continue
		}
		var m tgbotapi.Message
		if id != "" || json.Unmarshal(c.Result, &m) != nil || len(m.Photo) == 0 {
			t.Fatalf("uploaded again, or answered %s", c.Result)
		}
		id = m.Photo[len(m.Photo)-1].FileID
	}
	if id == "" || len(byID) != 5 || slices.ContainsFunc(byID, func(p string) bool { return p != id }) {
		t.Errorf("upload's file_id %q; the other five sends by %q", id, byID)
	}
	if n := len(tg.CallsTo("getFile")); n != 1 {
		t.Errorf("the file was downloaded %d times, want once", n)
	}
	var photos []string
	if err := db.Pool.QueryRow(ctx, `SELECT photos FROM listings WHERE id = $1`, l.ID).Scan(&photos); err != nil ||
		len(photos) != 1 || photos[0] != (flows.PhotoRef{ID: photo.ID, Channel: flows.Telegram, Ref: id}).String() {
		t.Errorf("the listing's photos %q, %v; want the upload's file_id %q", photos, err, id)
	}
}
