package main

import (
	"bytes"
	"encoding/json"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/nongsan-bot/nongsan/bot/bottest"
)

// A moderator's announcement with a photo sent "as a file" (a document,
// which Telegram refuses to sendPhoto by its file_id): the file is
// downloaded and uploaded once, for the preview she sees, and the four
// market groups get the photo by the file_id that upload got, whether
// their posts go out one by one or at the same moment; the announcement
// keeps that file_id.
func TestAnAnnouncementsPhotoFileIsUploadedOnce(t *testing.T) {
	t.Parallel()
	b := newsroom(t)
	img, err := png.Decode(bytes.NewReader(bottest.PhotoPNG(1600, 1200)))
	if err != nil {
		t.Fatal(err)
	}
	var photo bytes.Buffer
	if err := jpeg.Encode(&photo, img, nil); err != nil {
		t.Fatal(err)
	}
	announcement := "Chủ nhật này chợ phiên Đồng Mỏ thu mua na"
	b.Say(moderator, "/thongbao")
	b.expect(moderator, "broadcast.text")
	if code := b.Post(b.Up.PhotoDocument(moderator, moderator, "IMG_20261202_080000.jpg", "image/jpeg", photo.Bytes(), 0, announcement)); code != http.StatusOK {
		t.Fatal(code)
	}
	b.expect(moderator, "broadcast.targets", "Count", 4)
	b.Tap(moderator, "all")
	waitFor(t, "the preview's summary", func() bool { return strings.Contains(b.Last(moderator).Text, "Gửi tới 4 nhóm") })
	calls := b.TG.CallsTo("sendPhoto")
	preview := calls[len(calls)-1]
	caption := text(t, "vi", "broadcast.post", "Text", announcement)
	var m tgbotapi.Message
	if preview.ChatID != itoa(moderator) || !bytes.Equal(preview.Files["photo"].Bytes, photo.Bytes()) || preview.Params["caption"] != caption ||
		json.Unmarshal(preview.Result, &m) != nil || len(m.Photo) == 0 {
		t.Fatalf("the preview: to %s, %d bytes uploaded, caption %q, answered %s", preview.ChatID, len(preview.Files["photo"].Bytes),
			preview.Params["caption"], preview.Result)
	}
	id := m.Photo[len(m.Photo)-1].FileID

	b.Tap(moderator, "send")
	b.expectOnce(moderator, "broadcast.started", "Count", 4)
	var posts []string
	waitFor(t, "the announcement in the four groups", func() bool {
		posts = nil
		for _, c := range b.TG.CallsTo("sendPhoto") {
			if c.ChatID != itoa(moderator) && c.Status == http.StatusOK {
				posts = append(posts, c.ChatID)
			}
		}
		return len(posts) >= 4
	})
	uploads, downloads := 0, len(b.TG.CallsTo("getFile"))
	for _, c := range b.TG.CallsTo("sendPhoto") {
		if c.Files != nil {
			uploads++
			continue
		}
		if c.ChatID != itoa(moderator) && (c.Params["photo"] != id || c.Params["caption"] != caption) {
			t.Errorf("the post in %s: photo %q, caption %q; want the preview's upload %q", c.ChatID, c.Params["photo"], c.Params["caption"], id)
		}
	}
	if uploads != 1 || len(posts) != 4 {
		t.Errorf("the photo file uploaded %d times (want once, for the preview), posted in %q", uploads, posts)
	}
	var stored string
	queryRow(t, b.Env["DATABASE_URL"], `SELECT photo FROM broadcasts ORDER BY id DESC LIMIT 1`, nil, &stored)
	if !strings.HasSuffix(stored, ":telegram:"+id) {
		t.Errorf("the announcement keeps its photo as %q, want the upload's file_id %q", stored, id)
	}
	if n := len(b.TG.CallsTo("getFile")); n != downloads {
		t.Errorf("%d more downloads of the photo", n-downloads)
	}
}
