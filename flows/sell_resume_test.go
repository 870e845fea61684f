package flows_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
)

// inAlbum is a photo of album g, as send would make it.
func (c *conversation) inAlbum(g string) []string {
	c.t.Helper()
	c.update++
	return c.deliver(flows.Input{Channel: flows.Telegram, UpdateID: strconv.Itoa(c.update), ChatID: "7",
		ChatType: flows.Private, UserID: "7", UserName: "Lan", Lang: "vi", Kind: flows.KindPhoto,
		MessageID: strconv.Itoa(c.update), Photo: &flows.Photo{FileID: "photo-" + strconv.Itoa(c.update), MediaGroupID: g}})
}

// A farmer remembers one more photo while typing the quantity or the
// price: it joins the listing, she is told so and asked the question again;
// never "Muốn đăng bán, bấm 🌾 Đăng bán trước" while she is selling. An
// eleventh photo is said not to be kept, and how to change the photos.
func TestAPhotoSentAfterThePhotoQuestionJoinsTheListing(t *testing.T) {
	c := newConversation(t)
	c.play(toSellQuantity)
	c.play([]turn{
		{flows.KindPhoto, "", 0, "sell/quantity", []string{"sell.photo_added", "sell.quantity"}},
	})
	if n := c.said[0].Text.Data["Count"]; n != 2 {
		t.Fatalf("photo_added says %v photos, want 2", n)
	}
	// An album at the price question: told once, every photo kept.
	c.play([]turn{{text, "5 tạ", 0, "sell/price", []string{"sell.price"}}})
	if said := c.inAlbum("g1"); !slices.Equal(said, []string{"sell.album_added", "sell.price"}) {
		t.Fatalf("first photo of an album at the price question said %v", said)
	}
	if said := c.inAlbum("g1"); len(said) != 0 {
		t.Fatalf("second photo of the album said %v, want nothing", said)
	}
	c.play([]turn{
		{text, "25k", 0, "sell/ready", []string{"sell.ready"}},
		{text, "mai", 0, "sell/note", []string{"sell.note"}},
		{text, "bỏ qua", 0, "sell/summary", []string{"sell.summary"}},
	})
	if n := c.said[0].Text.Data["Photos"]; n != 4 {
		t.Fatalf("summary shows %v photos, want 4", n)
	}
	// At the summary: the summary again, with the photo counted.
	for want := 5; want <= 10; want++ {
		c.play([]turn{{flows.KindPhoto, "", 0, "sell/summary", []string{"sell.photo_added", "sell.summary"}}})
		if n := c.said[1].Text.Data["Photos"]; n != want {
			t.Fatalf("summary shows %v photos, want %d", n, want)
		}
	}
	c.play([]turn{{flows.KindPhoto, "", 0, "sell/summary", []string{"sell.photos_full", "sell.summary"}}})
	if n := c.said[1].Text.Data["Photos"]; n != 10 {
		t.Fatalf("summary shows %v photos after an eleventh, want 10", n)
	}
	c.play([]turn{{text, "đăng", 0, "", []string{"sell.published_nowhere+menu"}}})
}

// The photo question wants a photo: a voice note, a video or anything else
// is answered so, not "gõ chữ giúp em"; a photo sent as a file (which
// cannot be posted) is asked again as a photo, at any question of the
// listing.
func TestThePhotoQuestionAsksForAPhotoNotTyping(t *testing.T) {
	c := newConversation(t)
	c.play(toSellQuantity[:7])
	c.play([]turn{
		{flows.KindVoice, "", 0, "sell/photos", []string{"sell.photos_want"}},
		{flows.KindVideo, "", 0, "sell/photos", []string{"sell.photos_want"}},
		{flows.KindOther, "", 0, "sell/photos", []string{"sell.photos_want"}},
		{flows.KindFile, "", 0, "sell/photos", []string{"sell.photo_file"}},
		{flows.KindPhoto, "", 0, "sell/photos", []string{"sell.photo_got"}},
		{text, "xong", 0, "sell/quantity", []string{"sell.quantity"}},
		{flows.KindFile, "", 0, "sell/quantity", []string{"sell.photo_file", "sell.quantity"}},
		{flows.KindVoice, "", 0, "sell/quantity", []string{"unclear.voice", "sell.quantity"}},
	})
}

// A farmer who stopped a listing at the quantity question and comes back
// the next evening, past SESSION_TTL, is asked whether to go on with it,
// not told that it was thrown away: "Làm tiếp" asks the question where she
// stopped, "Bỏ" (or huỷ) drops it. Past DraftKeep it expires as before,
// and so does any other task past SESSION_TTL.
func TestAListingLeftOvernightIsOfferedBack(t *testing.T) {
	t.Run("go on", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity)
		c.play([]turn{{text, "5 tạ", 25 * time.Hour, "resume/ask", []string{"sell.resume"}}})
		if d := c.said[0].Text.Data; d["When"] != "hôm qua" || d["Product"] != "Quýt Bắc Sơn" || d["Photos"] != 1 {
			t.Fatalf("sell.resume data %v", d)
		}
		c.play([]turn{
			{text, "lam tiep", 0, "sell/quantity", []string{"sell.resume_on", "sell.quantity"}},
			{text, "5 tạ", 0, "sell/price", []string{"sell.price"}},
		})
	})
	t.Run("drop", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity)
		c.play([]turn{
			{flows.KindPhoto, "", 30 * time.Hour, "resume/ask", []string{"sell.resume"}},
			{text, "bỏ", 0, "", []string{"sell.resume_dropped+menu"}},
		})
	})
	t.Run("huỷ drops it too", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity)
		c.play([]turn{
			{text, "chào em", 25 * time.Hour, "resume/ask", []string{"sell.resume"}},
			{text, "huỷ", 0, "", []string{"sell.resume_dropped+menu"}},
		})
	})
	t.Run("the menu's sell button and /ban offer it", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity)
		c.play([]turn{
			{flows.KindChoice, "menu:sell", 26 * time.Hour, "resume/ask", []string{"sell.resume"}},
			{text, "/ban", 26 * time.Hour, "resume/ask", []string{"sell.resume"}},
			{flows.KindChoice, "go", 0, "sell/quantity", []string{"sell.resume_on", "sell.quantity"}},
		})
	})
	t.Run("too old", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity)
		c.play([]turn{{text, "5 tạ", flows.DraftKeep + time.Hour, "", []string{"session.expired", "menu.title"}}})
	})
}
