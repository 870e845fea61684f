package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/bot/telegram"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

func newBot(t *testing.T, tg *telegramtest.Server) *telegram.Bot {
	t.Helper()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	b, err := telegram.New(telegramtest.Token, tg.Endpoint(), &http.Client{}, texts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jpegOf is a small JPEG, as a platform's CDN or our /media serves.
var jpegOf = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00 a photo")

func TestAPhotoFromAnotherChannelGoesByURL(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/media/ok" {
			w.Write(jpegOf)
			return
		}
		io.WriteString(w, "<html>gone</html>")
	}))
	defer web.Close()
	tg := telegramtest.NewServer(t)
	b := newBot(t, tg)
	to := flows.ChatRef{Channel: flows.Telegram, ChatID: "-1001"}

	if _, err := b.Post(context.Background(), bot.Out{To: to, Text: "Na", Photos: []string{web.URL + "/media/ok"}}); err != nil {
		t.Fatalf("one photo by URL: %v", err)
	}
	if c := tg.CallsTo("sendPhoto")[0]; c.Params["photo"] != web.URL+"/media/ok" {
		t.Errorf("sent photo %q", c.Params["photo"])
	}
	// An album mixes Telegram's own photos and others' URLs.
	tg.SetFile("AgAD-own", jpegOf)
	if _, err := b.Post(context.Background(), bot.Out{To: to, Text: "Na", Photos: []string{"AgAD-own", web.URL + "/media/ok"}}); err != nil {
		t.Fatalf("album: %v", err)
	}
	media := tg.CallsTo("sendMediaGroup")[0].Params["media"]
	if !strings.Contains(media, `"AgAD-own"`) || !strings.Contains(media, web.URL+"/media/ok") {
		t.Errorf("album media %s", media)
	}
	// A URL that gives no image is refused for good, as Telegram refuses it.
	_, err := b.Post(context.Background(), bot.Out{To: to, Text: "Na", Photos: []string{web.URL + "/media/gone"}})
	if !bot.IsUndeliverable(err) {
		t.Errorf("a URL without a photo: %v, want undeliverable", err)
	}
}

func TestFetchDownloadsAPhotoTelegramKeeps(t *testing.T) {
	tg := telegramtest.NewServer(t)
	b := newBot(t, tg)
	tg.SetFile("AgAD-farm", jpegOf)
	body, err := b.Fetch(context.Background(), "AgAD-farm")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(body)
	body.Close()
	if !bytes.Equal(got, jpegOf) {
		t.Errorf("fetched %q", got)
	}
	if calls := tg.CallsTo("getFile"); len(calls) != 1 || calls[0].Params["file_id"] != "AgAD-farm" {
		t.Errorf("getFile calls %+v", calls)
	}
	// The download URL holds the token: a failure never quotes it.
	tg.FailNext("getFile", 1, telegramtest.Failure{Status: http.StatusBadRequest, Description: "Bad Request: invalid file_id"})
	if _, err := b.Fetch(context.Background(), "AgAD-gone"); err == nil || strings.Contains(err.Error(), telegramtest.Token) {
		t.Errorf("failed fetch: %v", err)
	}
}

// A revoked or rotated token (401) is the bot's, not the message's: the
// reply is kept to be sent again, not dropped. A 403 of a user who blocked
// the bot is theirs for good.
func TestAnUnauthorizedBotKeepsItsReplies(t *testing.T) {
	tg := telegramtest.NewServer(t)
	b := newBot(t, tg)
	to := flows.ChatRef{Channel: flows.Telegram, ChatID: "42"}
	tg.FailNext("sendMessage", 1, telegramtest.Failure{Status: http.StatusUnauthorized})
	if _, err := b.Post(context.Background(), bot.Out{To: to, Text: "Na"}); err == nil || bot.IsUndeliverable(err) {
		t.Errorf("401: %v, want an error worth retrying", err)
	}
	tg.FailNext("sendMessage", 1, telegramtest.Failure{Status: http.StatusForbidden, Description: "Forbidden: bot was blocked by the user"})
	if _, err := b.Post(context.Background(), bot.Out{To: to, Text: "Na"}); !bot.IsGone(err) {
		t.Errorf("blocked: %v, want the chat gone", err)
	}
}

// A photo sent "as a file" is a photo, its file_id marked as a document's
// (telegram.DocPhoto); one over what getFile downloads, or of a type no
// photo is sent as (HEIC), is told from other files and from videos, so
// that the photo question can say how to send it as a photo.
func TestAPhotoSentAsAFileIsToldFromOtherMessages(t *testing.T) {
	b := newBot(t, telegramtest.NewServer(t))
	for _, tc := range []struct {
		media string
		want  flows.InputKind
	}{
		{`"document":{"file_id":"BQAD","file_unique_id":"u","mime_type":"image/jpeg","file_name":"IMG_2041.jpg","file_size":4812345}`, flows.KindPhoto},
		{`"document":{"file_id":"BQAD","file_unique_id":"u","mime_type":"image/png","file_name":"a.png","file_size":812345}`, flows.KindPhoto},
		{`"document":{"file_id":"BQAD","file_unique_id":"u","mime_type":"image/webp","file_name":"a.webp","file_size":81234}`, flows.KindPhoto},
		{`"document":{"file_id":"BQAD","file_unique_id":"u","mime_type":"image/jpeg","file_name":"IMG_2041.jpg","file_size":25165824}`, flows.KindFile},
		{`"document":{"file_id":"BQAD","file_unique_id":"u","mime_type":"image/heic","file_name":"IMG_2041.HEIC","file_size":2516582}`, flows.KindFile},
		{`"document":{"file_id":"BQAD","file_unique_id":"u","mime_type":"application/pdf"}`, flows.KindOther},
		{`"video":{"file_id":"BAAD","file_unique_id":"u","width":1,"height":1,"duration":3}`, flows.KindVideo},
		{`"animation":{"file_id":"CgAD","file_unique_id":"u","width":1,"height":1,"duration":1},` +
			`"document":{"file_id":"CgAD","file_unique_id":"u","mime_type":"image/gif"}`, flows.KindVideo},
		{`"voice":{"file_id":"AwAD","file_unique_id":"u","duration":2}`, flows.KindVoice},
	} {
		body := `{"update_id":1,"message":{"message_id":5,"date":1,"chat":{"id":7,"type":"private"},` +
			`"from":{"id":7,"is_bot":false,"first_name":"Lan"},` + tc.media + `}}`
		in, ok, err := b.Parse([]byte(body))
		if err != nil || !ok || in.Kind != tc.want {
			t.Errorf("%s: kind %q ok %v err %v; want %q", tc.media, in.Kind, ok, err, tc.want)
		}
		if in.Kind == flows.KindPhoto && (in.Photo.FileID != telegram.DocPhoto+"BQAD" || in.Photo.Size == 0) {
			t.Errorf("%s: photo %+v", tc.media, in.Photo)
		}
	}
}

// A photo sent as a file goes on as a photo: sendPhoto refuses a
// document's file_id, so it is downloaded and uploaded, whole while
// sendPhoto takes it (10 MB), shrunk beyond; alone or in an album. Fetch
// (for /media) downloads it too.
func TestAPhotoSentAsAFileIsUploadedAsAPhoto(t *testing.T) {
	tg := telegramtest.NewServer(t)
	b := newBot(t, tg)
	to := flows.ChatRef{Channel: flows.Telegram, ChatID: "-1001"}
	small := bottest.PhotoPNG(800, 600)
	tg.SetDocument("BQAD-small", small)
	big := append(bottest.PhotoPNG(2000, 1500), make([]byte, telegram.MaxUpload)...) // padded past sendPhoto's limit
	tg.SetDocument("BQAD-big", big)

	if _, err := b.Post(context.Background(), bot.Out{To: to, Text: "Na", Photos: []string{"BQAD-small"}}); err == nil {
		t.Fatal("the fake took a document's file_id as a photo")
	}
	sent, err := b.Post(context.Background(), bot.Out{To: to, Text: "Na", Photos: []string{telegram.DocPhoto + "BQAD-small"}})
	if err != nil {
		t.Fatalf("one photo file: %v", err)
	}
	calls := tg.CallsTo("sendPhoto")
	if c := calls[len(calls)-1]; c.Status != http.StatusOK || !bytes.Equal(c.Files["photo"].Bytes, small) {
		t.Errorf("sendPhoto %d, uploaded %d bytes, want the file whole (%d)", c.Status, len(c.Files["photo"].Bytes), len(small))
	}
	// The upload's photo file_id (its largest size) is said back, and the
	// photo goes by it from then on: no download, no upload.
	var m tgbotapi.Message
	if err := json.Unmarshal(calls[len(calls)-1].Result, &m); err != nil || len(m.Photo) == 0 {
		t.Fatalf("sendPhoto answered %s", calls[len(calls)-1].Result)
	}
	id := m.Photo[len(m.Photo)-1].FileID
	if got := sent.Uploaded; len(got) != 1 || got[telegram.DocPhoto+"BQAD-small"] != id {
		t.Fatalf("Sent.Uploaded %v, want the photo file %q", got, id)
	}
	downloads := len(tg.CallsTo("getFile"))
	if sent, err = b.Post(context.Background(), bot.Out{To: to, Text: "Na", Photos: []string{id}}); err != nil || sent.Uploaded != nil {
		t.Fatalf("the photo by its file_id: %v, uploaded %v", err, sent.Uploaded)
	}
	calls = tg.CallsTo("sendPhoto")
	if c := calls[len(calls)-1]; c.Status != http.StatusOK || c.Files != nil || c.Params["photo"] != id || len(tg.CallsTo("getFile")) != downloads {
		t.Errorf("sendPhoto by file_id: %d, %d uploads, photo %q, %d downloads", c.Status, len(c.Files), c.Params["photo"], len(tg.CallsTo("getFile"))-downloads)
	}
	sent, err = b.Post(context.Background(), bot.Out{To: to, Text: "Na", Photos: []string{telegram.DocPhoto + "BQAD-big", "AgAD-own"}})
	if err != nil {
		t.Fatalf("album: %v", err)
	}
	if got := sent.Uploaded; len(got) != 1 || got[telegram.DocPhoto+"BQAD-big"] == "" {
		t.Errorf("album's Sent.Uploaded %v, want the photo file's only", got)
	}
	album := tg.CallsTo("sendMediaGroup")[0]
	if len(album.Files) != 1 {
		t.Fatalf("album uploads %d files, want the photo file", len(album.Files))
	}
	for _, f := range album.Files {
		img, err := jpeg.Decode(bytes.NewReader(f.Bytes))
		if err != nil || len(f.Bytes) > telegram.MaxUpload || img.Bounds().Dx() != bot.MaxPhotoSide {
			t.Errorf("album's upload: %d bytes, %v, want a JPEG %d wide", len(f.Bytes), err, bot.MaxPhotoSide)
		}
	}
	body, err := b.Fetch(context.Background(), telegram.DocPhoto+"BQAD-small")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(body)
	body.Close()
	if !bytes.Equal(got, small) {
		t.Errorf("fetched %d bytes", len(got))
	}
}

// A file with a caption is read as its caption; an edited message of a
// private chat comes as an edit, with its new text and its message's id;
// other edits (a group's, a live location moving) are nothing to answer.
func TestACaptionedFileIsTextAndAnEditIsAnEdit(t *testing.T) {
	b := newBot(t, telegramtest.NewServer(t))
	from := `"from":{"id":7,"is_bot":false,"first_name":"Lan"}`
	for _, tc := range []struct {
		update string
		ok     bool
		kind   flows.InputKind
		text   string
	}{
		{`"message":{"message_id":5,"date":1,"chat":{"id":7,"type":"private"},` + from +
			`,"document":{"file_id":"BQAD","file_unique_id":"u","mime_type":"application/pdf"},"caption":"5 tạ"}`, true, flows.KindText, "5 tạ"},
		{`"message":{"message_id":5,"date":1,"chat":{"id":7,"type":"private"},` + from +
			`,"audio":{"file_id":"CQAD","file_unique_id":"u","duration":3},"caption":"25k"}`, true, flows.KindText, "25k"},
		{`"message":{"message_id":5,"date":1,"chat":{"id":7,"type":"private"},` + from +
			`,"voice":{"file_id":"AwAD","file_unique_id":"u","duration":3,"mime_type":"audio/ogg"},"caption":"5 tạ"}`, true, flows.KindText, "5 tạ"},
		{`"message":{"message_id":5,"date":1,"chat":{"id":7,"type":"private"},` + from +
			`,"video":{"file_id":"BAAD","file_unique_id":"u","width":848,"height":480,"duration":12,"mime_type":"video/mp4"},"caption":"/ban"}`, true, flows.KindText, "/ban"},
		{`"message":{"message_id":5,"date":1,"chat":{"id":7,"type":"private"},` + from +
			`,"animation":{"file_id":"CgAD","file_unique_id":"u","width":1,"height":1,"duration":1},` +
			`"document":{"file_id":"CgAD","file_unique_id":"u","mime_type":"video/mp4"},"caption":"mua NS-7K2Q"}`, true, flows.KindText, "mua NS-7K2Q"},
		{`"message":{"message_id":5,"date":1,"chat":{"id":7,"type":"private"},` + from +
			`,"video_note":{"file_id":"DQAD","file_unique_id":"u","length":240,"duration":5}}`, true, flows.KindVoice, ""},
		{`"edited_message":{"message_id":5,"date":1,"edit_date":2,"chat":{"id":7,"type":"private"},` + from + `,"text":"35k"}`,
			true, flows.KindEdited, "35k"},
		{`"edited_message":{"message_id":5,"date":1,"edit_date":2,"chat":{"id":-100,"type":"supergroup","title":"Chợ"},` + from + `,"text":"35k"}`,
			false, "", ""},
		{`"edited_message":{"message_id":5,"date":1,"edit_date":2,"chat":{"id":7,"type":"private"},` + from +
			`,"location":{"latitude":21.8,"longitude":106.7,"live_period":900}}`, false, "", ""},
	} {
		in, ok, err := b.Parse([]byte(`{"update_id":1,` + tc.update + `}`))
		if err != nil || ok != tc.ok || ok && (in.Kind != tc.kind || in.Text != tc.text || in.MessageID != "5") {
			t.Errorf("%s: kind %q text %q message %q ok %v err %v; want %q %q ok %v", tc.update, in.Kind, in.Text, in.MessageID, ok, err, tc.kind, tc.text, tc.ok)
		}
	}
}

// A group post forwarded to the bot keeps its caption, which holds the
// listing's code: the router opens that listing's order from it.
func TestAForwardedPostKeepsItsCaption(t *testing.T) {
	b := newBot(t, telegramtest.NewServer(t))
	body := `{"update_id":1,"message":{"message_id":5,"date":1,"chat":{"id":7,"type":"private"},` +
		`"from":{"id":7,"is_bot":false,"first_name":"Lan"},` +
		`"forward_origin":{"type":"chat","chat":{"id":-100,"type":"supergroup","title":"Chợ"},"date":1},` +
		`"photo":[{"file_id":"AgAD","file_unique_id":"u","width":1,"height":1}],` +
		`"caption":"🌾 Na Chi Lăng — 100 kg\nMã tin bán: NS-7K2Q"}}`
	in, ok, err := b.Parse([]byte(body))
	if err != nil || !ok || in.Kind != flows.KindPhoto || !strings.HasSuffix(in.Text, "Mã tin bán: NS-7K2Q") {
		t.Errorf("a forwarded post: kind %q text %q ok %v err %v", in.Kind, in.Text, ok, err)
	}
}
