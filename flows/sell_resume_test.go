package flows_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
)

// inAlbum is a photo of album g, as send would make it, with caption.
func (c *conversation) inAlbum(g, caption string) []string {
	c.t.Helper()
	c.update++
	return c.deliver(flows.Input{Channel: flows.Telegram, UpdateID: strconv.Itoa(c.update), ChatID: "7",
		ChatType: flows.Private, UserID: "7", UserName: "Lan", Lang: "vi", Kind: flows.KindPhoto, Text: caption,
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
	if said := c.inAlbum("g1", ""); !slices.Equal(said, []string{"sell.album_added", "sell.price"}) {
		t.Fatalf("first photo of an album at the price question said %v", said)
	}
	if said := c.inAlbum("g1", ""); len(said) != 0 {
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

// A photo sent at a later question with a caption: the caption is the
// answer, as if typed after the photo was acknowledged ("5 tạ" at the
// quantity question: the price is asked next), or refused as typed; under
// an album, on whichever photo it comes. It was ignored, and the question
// asked again.
func TestALatePhotosCaptionAnswersTheQuestion(t *testing.T) {
	c := newConversation(t)
	c.play(toSellQuantity)
	c.play([]turn{
		{flows.KindPhoto, "5 tạ", 0, "sell/price", []string{"sell.photo_added", "sell.price"}},
		{flows.KindPhoto, "rẻ lắm", 0, "sell/price", []string{"sell.photo_added", "sell.price_bad"}},
		{flows.KindPhoto, "25k", 0, "sell/ready", []string{"sell.photo_added", "sell.ready"}},
	})
	if said := c.inAlbum("g1", ""); !slices.Equal(said, []string{"sell.album_added", "sell.ready"}) {
		t.Fatalf("an album's first photo at the date question said %v", said)
	}
	if said := c.inAlbum("g1", "mai"); !slices.Equal(said, []string{"sell.note"}) || c.step() != "sell/note" {
		t.Fatalf("the album's captioned photo said %v at %s; want the note asked", said, c.step())
	}
	c.play([]turn{{text, "bỏ qua", 0, "sell/summary", []string{"sell.summary"}}})
	data := c.said[0].Text.Data
	if data["Photos"] != 6 || data["Quantity"] != "5 tạ" || data["PriceTyped"] != "25k" {
		t.Fatalf("the summary shows %v photos, %v at %v; want 6 photos, 5 tạ at 25k", data["Photos"], data["Quantity"], data["PriceTyped"])
	}
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
		{flows.KindSticker, "", 0, "sell/photos", []string{"sell.photos_sticker"}}, // nothing of videos or voice
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
			{text, "5 tạ", 30 * time.Hour, "resume/ask", []string{"sell.resume"}},
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
			{flows.KindChoice, "go", 0, "sell/quantity", []string{"sell.resume_on", "sell.quantity"}},
		})
		c = newConversation(t)
		c.play(toSellQuantity)
		c.play([]turn{
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

// A farmer who stopped at the photo question to take the photos sends them
// the next day: they are kept while she is asked about the listing left.
// ▶️ Làm tiếp adds them to it, told as a photo sent mid-listing; ❌ Bỏ tin
// này starts a new listing with them, without asking for photos again. An
// album without a caption is asked about too, not taken for a new listing
// with "em đã xoá đi".
func TestPhotosSentAfterADayAwayAreKept(t *testing.T) {
	t.Run("at the photo question, go on", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity[:7]) // at the photo question, no photo yet
		c.play([]turn{{flows.KindPhoto, "", 26 * time.Hour, "resume/ask", []string{"sell.resume"}}})
		if d := c.said[0].Text.Data; d["Held"] != 1 || d["Photos"] != 0 {
			t.Fatalf("sell.resume data %v, want 1 photo held and none in the listing", d)
		}
		c.play([]turn{{flows.KindPhoto, "", 0, "resume/ask", []string{"sell.resume"}}})
		if d := c.said[0].Text.Data; d["Held"] != 2 {
			t.Fatalf("second photo: sell.resume data %v, want 2 photos held", d)
		}
		c.play([]turn{{flows.KindChoice, "go", 0, "sell/photos", []string{"sell.resume_on", "sell.photos_more"}}})
		if n := c.said[1].Text.Data["Count"]; n != 2 {
			t.Fatalf("photos_more counts %v photos, want 2", n)
		}
		c.play([]turn{{text, "xong", 0, "sell/quantity", []string{"sell.quantity"}}})
	})
	t.Run("at a later question, go on", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity)
		c.play([]turn{
			{flows.KindPhoto, "", 30 * time.Hour, "resume/ask", []string{"sell.resume"}},
			{text, "làm tiếp", 0, "sell/quantity", []string{"sell.resume_on", "sell.photo_added", "sell.quantity"}},
		})
		if n := c.said[1].Text.Data["Count"]; n != 2 {
			t.Fatalf("photo_added counts %v photos, want 2", n)
		}
	})
	t.Run("an album, go on", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity[:7])
		c.now = c.now.Add(30 * time.Hour)
		if said := c.inAlbum("g1", ""); !slices.Equal(said, []string{"sell.resume"}) || c.step() != "resume/ask" {
			t.Fatalf("first photo of an album after a day away said %v at %q, want the resume question", said, c.step())
		}
		if d := c.said[0].Text.Data; d["Album"] != true {
			t.Fatalf("sell.resume data %v, want the album said to be kept", d)
		}
		for range 2 {
			if said := c.inAlbum("g1", ""); len(said) != 0 || c.step() != "resume/ask" {
				t.Fatalf("another photo of the album said %v at %q, want nothing", said, c.step())
			}
		}
		c.play([]turn{{flows.KindChoice, "go", 0, "sell/photos", []string{"sell.resume_on", "sell.photos_more"}}})
		if n := c.said[1].Text.Data["Count"]; n != 3 {
			t.Fatalf("photos_more counts %v photos, want 3", n)
		}
	})
	t.Run("drop: a new listing with them", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity)
		c.play([]turn{
			{flows.KindPhoto, "", 30 * time.Hour, "resume/ask", []string{"sell.resume"}},
			{flows.KindPhoto, "", 0, "resume/ask", []string{"sell.resume"}},
			{text, "bỏ", 0, "sell/product", []string{"sell.resume_dropped_photos", "sell.product"}},
		})
		if n := c.said[0].Text.Data["Count"]; n != 2 {
			t.Fatalf("resume_dropped_photos counts %v photos, want 2", n)
		}
		c.play([]turn{
			{text, "cam", 0, "sell/quantity", []string{"sell.quantity"}},
			{text, "5 tạ", 0, "sell/price", []string{"sell.price"}},
			{text, "25k", 0, "sell/ready", []string{"sell.ready"}},
			{text, "mai", 0, "sell/note", []string{"sell.note"}},
			{text, "bỏ qua", 0, "sell/summary", []string{"sell.summary"}},
		})
		if d := c.said[0].Text.Data; d["Photos"] != 2 || d["Product"] != "Cam" {
			t.Fatalf("the new listing's summary %v, want Cam with the 2 photos", d)
		}
	})
	t.Run("a captioned photo: a new listing, not expired", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity)
		c.play([]turn{{flows.KindPhoto, "Na Chi Lăng 5 tạ 25k mai có hàng", 30 * time.Hour, "sell/summary",
			[]string{"sell.resume_replaced", "sell.summary"}}})
	})
}

// The keep time of a listing left unfinished runs from when she left it,
// or from its oldest photo (whose copy is forgotten after DraftKeep); the
// resume question, unanswered, does not restart it, and names the day she
// left the listing.
func TestAListingIsKeptFromWhenItWasLeft(t *testing.T) {
	t.Run("the question restarts nothing", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity) // Saturday 1/8, 16:00 in Vietnam
		c.play([]turn{{text, "chào em", 40 * time.Hour, "resume/ask", []string{"sell.resume"}}})
		if d := c.said[0].Text.Data; d["When"] != "hôm kia" {
			t.Fatalf("sell.resume on Monday for a listing left on Saturday says %q", d["When"])
		}
		c.play([]turn{{text, "chào em", 40 * time.Hour, "", []string{"session.expired", "menu.title"}}})
	})
	t.Run("answered after the keep time", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity)
		c.play([]turn{
			{text, "chào em", 30 * time.Hour, "resume/ask", []string{"sell.resume"}},
			{text, "làm tiếp", 20 * time.Hour, "", []string{"session.expired", "menu.title"}},
		})
	})
	t.Run("from its oldest photo", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity)
		c.play([]turn{
			{text, "5 tạ", 20 * time.Hour, "sell/price", []string{"sell.price"}},
			{text, "25k", 29 * time.Hour, "", []string{"session.expired", "menu.title"}}, // 49 hours after the photo
		})
	})
	t.Run("left the day before", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity)
		c.play([]turn{{text, "5 tạ", 25 * time.Hour, "resume/ask", []string{"sell.resume"}}})
		if d := c.said[0].Text.Data; d["When"] != "hôm qua" {
			t.Fatalf("sell.resume says %q, want hôm qua", d["When"])
		}
	})
}

// A farmer who answers each question within SESSION_TTL keeps her listing
// for days, but not its photos: one sent more than DraftKeep ago is not
// posted (its kept copy is forgotten, a Zalo link expires). At 📢 Đăng she
// is told why and asked for photos again, those still fresh kept; the old
// ones were posted.
func TestPhotosOlderThanTwoDaysAreAskedAgainBeforePublishing(t *testing.T) {
	t.Run("every photo old", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity) // its photo at 9:00 UTC on 1/8
		c.play([]turn{
			{text, "5 tạ", 23 * time.Hour, "sell/price", []string{"sell.price"}},
			{text, "25k", 23 * time.Hour, "sell/ready", []string{"sell.ready"}},
			{text, "mai", time.Hour, "sell/note", []string{"sell.note"}},
			{text, "bỏ qua", 2 * time.Hour, "sell/summary", []string{"sell.summary"}}, // 49 hours after the photo
			{text, "đăng", 0, "sell/photos", []string{"sell.photos_old", "sell.photos"}},
		})
		if d := c.said[0].Text.Data; d["Count"] != 1 || d["Days"] != 2 {
			t.Fatalf("sell.photos_old data %v, want 1 photo, 2 days", d)
		}
		c.play([]turn{
			{flows.KindPhoto, "", 0, "sell/photos", []string{"sell.photo_got"}},
			{text, "xong", 0, "sell/summary", []string{"sell.summary"}},
			{text, "đăng", 0, "", []string{"sell.published_nowhere+menu"}},
		})
	})
	t.Run("one photo old, one fresh", func(t *testing.T) {
		c := newConversation(t)
		c.play(toSellQuantity)
		c.play([]turn{
			{text, "5 tạ", 23 * time.Hour, "sell/price", []string{"sell.price"}},
			{flows.KindPhoto, "", 23 * time.Hour, "sell/price", []string{"sell.photo_added", "sell.price"}},
			{text, "25k", 0, "sell/ready", []string{"sell.ready"}},
			{text, "mai", time.Hour, "sell/note", []string{"sell.note"}},
			{text, "bỏ qua", 2 * time.Hour, "sell/summary", []string{"sell.summary"}},
			{text, "đăng", 0, "sell/photos", []string{"sell.photos_old", "sell.photos_more"}},
		})
		if old, left := c.said[0].Text.Data["Count"], c.said[1].Text.Data["Count"]; old != 1 || left != 1 {
			t.Fatalf("told of %v old photos, %v left; want 1 and 1", old, left)
		}
		c.play([]turn{{text, "xong", 0, "sell/summary", []string{"sell.summary"}}})
		if n := c.said[0].Text.Data["Photos"]; n != 1 {
			t.Fatalf("the summary shows %v photos, want the fresh one", n)
		}
		c.play([]turn{{text, "đăng", 0, "", []string{"sell.published_nowhere+menu"}}})
	})
}

// A listing left after its ready date ("hôm nay") and resumed the next day
// asks the date again, saying it has passed, before the summary; the
// summary shown before midnight and confirmed after it does too.
func TestAResumedListingAsksAPastReadyDateAgain(t *testing.T) {
	toReady := append(slices.Clone(toSellQuantity), []turn{
		{text, "5 tạ", 0, "sell/price", []string{"sell.price"}},
		{text, "25k", 0, "sell/ready", []string{"sell.ready"}},
	}...)
	t.Run("resumed at the summary", func(t *testing.T) {
		c := newConversation(t)
		c.play(toReady)
		c.play([]turn{
			{text, "hôm nay", 0, "sell/note", []string{"sell.note"}},
			{text, "bỏ qua", 0, "sell/summary", []string{"sell.summary"}},
			{text, "đăng", 30 * time.Hour, "resume/ask", []string{"sell.resume"}},
			{text, "làm tiếp", 0, "sell/ready", []string{"sell.resume_on", "sell.ready_past"}},
			{text, "mai", 0, "sell/summary", []string{"sell.summary"}},
		})
		if d := c.said[0].Text.Data; d["Ready"] != "thứ Hai 3/8" {
			t.Fatalf("summary: ready %q, want thứ Hai 3/8", d["Ready"])
		}
		c.play([]turn{{text, "đăng", 0, "", []string{"sell.published_nowhere+menu"}}})
	})
	t.Run("resumed at the note", func(t *testing.T) {
		c := newConversation(t)
		c.play(toReady)
		c.play([]turn{
			{text, "hôm nay", 0, "sell/note", []string{"sell.note"}},
			{text, "quả to", 30 * time.Hour, "resume/ask", []string{"sell.resume"}},
			{text, "làm tiếp", 0, "sell/ready", []string{"sell.resume_on", "sell.ready_past"}},
			{text, "mai", 0, "sell/note", []string{"sell.note"}},
		})
	})
	t.Run("published after midnight", func(t *testing.T) {
		c := newConversation(t)
		c.play(toReady)
		c.play([]turn{
			{text, "hôm nay", 7*time.Hour + 50*time.Minute, "sell/note", []string{"sell.note"}}, // 23:50 in Vietnam
			{text, "bỏ qua", 0, "sell/summary", []string{"sell.summary"}},
			{text, "đăng", 20 * time.Minute, "sell/ready", []string{"sell.ready_past"}},
			{text, "hôm nay", 0, "sell/summary", []string{"sell.summary"}},
			{text, "đăng", 0, "", []string{"sell.published_nowhere+menu"}},
		})
	})
}
