package main

import (
	"bytes"
	"encoding/json"
	"image/jpeg"
	"image/png"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// A farmer on an older phone sends her photo "as a file" (uncompressed)
// and answers with a recording or a video captioned with what she means:
// the photo is taken as a photo and posted in the market groups as one
// (uploaded: Telegram refuses a document's file_id to sendPhoto), the
// captions are her answers. One over Telegram's 20 MB download limit is
// said to be too big, with how to send it as a photo; a voice note or a
// round video without words gets "gõ chữ giúp em" and the question again.
func TestPhotosSentAsFilesAndCaptionedRecordingsAreRead(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, newEnv(t, tg))
	b.markets()
	b.register(farmer)
	post := func(u tgbotapi.Update) {
		t.Helper()
		if code := b.Post(u); code != http.StatusOK {
			t.Fatalf("webhook answered %d", code)
		}
	}
	b.Tap(farmer, "p:na-chi-lang")
	b.expect(farmer, "sell.photos")
	img, err := png.Decode(bytes.NewReader(bottest.PhotoPNG(1600, 1200)))
	if err != nil {
		t.Fatal(err)
	}
	var photo bytes.Buffer // a phone camera's JPEG
	if err := jpeg.Encode(&photo, img, nil); err != nil {
		t.Fatal(err)
	}
	post(b.Up.PhotoDocument(farmer, farmer, "IMG_20261202_071203.jpg", "image/jpeg", photo.Bytes(), 0, ""))
	b.expect(farmer, "sell.photo_got", "Count", 1)
	post(b.Up.PhotoDocument(farmer, farmer, "IMG_20261202_071544.jpg", "image/jpeg", photo.Bytes(), 25<<20, ""))
	b.expect(farmer, "sell.photo_file", "MB", 25)
	if last := b.Last(farmer).Text; !strings.Contains(last, "25 MB") || !strings.Contains(last, "Thư viện ảnh") {
		t.Errorf("a photo file too big: %q", last)
	}
	// One under 20 MB whose header says 10000×7000 pixels, more than any
	// copy is made of: told now, not when posted, and told what is wrong
	// (its pixels, not its weight) and what to do.
	post(b.Up.PhotoDocument(farmer, farmer, "IMG_20261202_071801.jpg", "image/jpeg", withSize(t, photo.Bytes(), 10000, 7000), 18<<20, ""))
	b.expect(farmer, "sell.photo_file", "MP", 70)
	if last := b.Last(farmer).Text; !strings.Contains(last, "to quá (70 MP)") || strings.Contains(last, "MB") || !strings.Contains(last, "dạng ảnh thường") {
		t.Errorf("a photo file of too many pixels: %q", last)
	}
	b.Say(farmer, "xong")
	b.expect(farmer, "sell.quantity", "Product", "Na Chi Lăng", "Unit", "kg")

	post(b.Up.Media(farmer, farmer, "audio", "5 tạ"))
	b.expect(farmer, "sell.price", "Unit", "kg")
	post(b.Up.Media(farmer, farmer, "voice", ""))
	b.expectOnce(farmer, "unclear.voice", "Task", true)
	b.expect(farmer, "sell.price", "Unit", "kg")
	post(b.Up.Media(farmer, farmer, "video", "25k"))
	b.expect(farmer, "sell.ready")
	post(b.Up.Media(farmer, farmer, "animation", "mai"))
	b.expect(farmer, "sell.note")
	post(b.Up.Media(farmer, farmer, "video_note", ""))
	voice := text(t, "vi", "unclear.voice", "Task", true)
	if got := waitSent(t, b, farmer, func(s sent) bool { return s.Text == voice }, 2); len(got) != 2 {
		t.Fatalf("unclear.voice said %d times, want twice", len(got))
	}
	b.expect(farmer, "sell.note")
	post(b.Up.Media(farmer, farmer, "voice", "Na dai, quả to"))
	summary := b.Last(farmer).Text
	for _, want := range []string{"Na Chi Lăng — 5 tạ", "25.000 đ/kg", "1 ảnh", "Na dai, quả to"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	b.Publish(farmer)
	code := b.publishedCode(farmer)

	// In both market groups, the photo as a photo: the file uploaded once,
	// then sent by the photo file_id Telegram gave the upload, even to a
	// group posted to at the same moment.
	var kept []string // the photo file_ids uploads got
	for _, c := range b.TG.WaitCalls(t, "sendPhoto", 2) {
		var m tgbotapi.Message
		if err := json.Unmarshal(c.Result, &m); err != nil || len(m.Photo) == 0 {
			t.Fatalf("sendPhoto to %s answered %s", c.ChatID, c.Result)
		}
		byUpload := bytes.Equal(c.Files["photo"].Bytes, photo.Bytes())
		if c.Status != http.StatusOK || !byUpload && !slices.Contains(kept, c.Params["photo"]) || !strings.Contains(c.Params["caption"], code) {
			t.Errorf("sendPhoto to %s: %d, %d bytes uploaded (file_id %q, earlier uploads %q), caption %q", c.ChatID, c.Status,
				len(c.Files["photo"].Bytes), c.Params["photo"], kept, c.Params["caption"])
		}
		if byUpload {
			kept = append(kept, m.Photo[len(m.Photo)-1].FileID)
		}
	}
	if len(kept) != 1 {
		t.Errorf("the photo file was uploaded %d times to the market groups, want once", len(kept))
	}
	// A buyer opening the listing sees the photo sent by that file_id:
	// nothing downloaded or uploaded again.
	downloads := len(b.TG.CallsTo("getFile"))
	b.Say(buyer, deepLink(code))
	calls := b.TG.WaitCalls(t, "sendPhoto", 3)
	if c := calls[2]; c.ChatID != strconv.FormatInt(buyer, 10) || c.Status != http.StatusOK || c.Files != nil || !slices.Contains(kept, c.Params["photo"]) {
		t.Errorf("the listing's photo to the buyer: to %s, %d, uploads %d, file_id %q; want one of %q", c.ChatID, c.Status, len(c.Files), c.Params["photo"], kept)
	}
	if n := len(b.TG.CallsTo("getFile")); n != downloads {
		t.Errorf("the photo file was downloaded %d more times for the buyer", n-downloads)
	}
	var photos []string
	queryRow(t, b.Env["DATABASE_URL"], `SELECT photos FROM listings WHERE code = $1`, []any{code}, &photos)
	if len(photos) != 1 || !slices.ContainsFunc(kept, func(id string) bool { return strings.HasSuffix(photos[0], ":telegram:"+id) }) {
		t.Errorf("the listing keeps its photo as %q; want the file_id of an upload, %q", photos, kept)
	}
}

// An idle voice note, video or sticker gets what the bot expects, with an
// example.
func TestAVoiceNoteBetweenTasksGetsAnExample(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, newEnv(t, tg))
	if code := b.Post(b.Up.Media(farmer, farmer, "voice", "")); code != http.StatusOK {
		t.Fatal(code)
	}
	b.expectOnce(farmer, "unclear.voice", "Task", false)
	if !strings.Contains(text(t, "vi", "unclear.voice", "Task", false), "ví dụ: dang ban") {
		t.Errorf("unclear.voice between tasks: %q", text(t, "vi", "unclear.voice", "Task", false))
	}
	// With a caption, the caption is what she typed: /ban.
	if code := b.Post(b.Up.Media(farmer, farmer, "video", "/ban")); code != http.StatusOK {
		t.Fatal(code)
	}
	b.expectOnce(farmer, "sell.register_first")
}

// withSize is a JPEG whose header (its SOF0 segment) says w×h pixels: what
// a huge camera photo's first bytes say, without its megabytes.
func withSize(t *testing.T, jpg []byte, w, h int) []byte {
	t.Helper()
	out := bytes.Clone(jpg)
	i := bytes.Index(out, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0 in the JPEG")
	}
	out[i+5], out[i+6], out[i+7], out[i+8] = byte(h>>8), byte(h), byte(w>>8), byte(w)
	return out
}
