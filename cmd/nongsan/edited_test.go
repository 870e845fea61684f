package main

import (
	"net/http"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// A farmer who edits an answer on Telegram (25k corrected to 35k) is told,
// once for that message, that it was read as first sent and how to change
// it now: "quay lại" at a later question, ✏️ Sửa at the summary, a new
// message (or /tin) once the listing is published. The answer read stays:
// the summary and the listing show 25.000 đ/kg. A PDF captioned "5 tạ" at
// the quantity question is read as its caption.
func TestAnEditedAnswerIsToldToBeReadAsFirstSent(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, newEnv(t, tg))
	b.register(farmer)
	post := func(u tgbotapi.Update) tgbotapi.Update {
		t.Helper()
		if code := b.Post(u); code != http.StatusOK {
			t.Fatalf("webhook answered %d", code)
		}
		return u
	}
	told := func(id string) int {
		n := 0
		for _, s := range b.Sent(farmer) {
			if s.Text == text(t, "vi", id) {
				n++
			}
		}
		return n
	}

	b.Say(farmer, "/ban")
	b.Tap(farmer, "p:na-chi-lang")
	b.album(farmer, "album-edit", "photo-1")
	b.Say(farmer, "xong")
	b.expect(farmer, "sell.quantity", "Unit", "kg", "Product", "Na Chi Lăng")
	doc := post(b.Up.Document(farmer, farmer, "bang-gia.pdf", "application/pdf", "5 tạ"))
	if last := b.Last(farmer).Text; !strings.Contains(last, "Giá bán một kg là bao nhiêu ạ?") {
		t.Fatalf("a PDF captioned 5 tạ at the quantity question: %q", last)
	}
	price := post(b.Up.Text(farmer, farmer, "25k"))
	b.expect(farmer, "sell.ready")

	post(b.Up.Edited(price, "35k"))
	b.expect(farmer, "edited.step")
	post(b.Up.Edited(price, "36k")) // the same message again: told already
	ready := post(b.Up.Text(farmer, farmer, "hôm nay"))
	b.expect(farmer, "sell.note")
	if n := told("edited.step"); n != 1 {
		t.Errorf("told of the edits of one message %d times, want once", n)
	}

	b.Tap(farmer, "skip")
	summary := b.Last(farmer).Text
	if !strings.Contains(summary, "25.000 đ/kg") || !strings.Contains(summary, "5 tạ") {
		t.Fatalf("summary after the edits:\n%s", summary)
	}
	post(b.Up.Edited(ready, "mai"))
	b.expect(farmer, "edited.summary")

	b.Publish(farmer)
	b.publishedCode(farmer)
	before := len(b.Sent(farmer))
	post(b.Up.Edited(price, "37k")) // after the task: the price again, told already
	if after := b.Sent(farmer); len(after) != before {
		t.Errorf("an edit told of before was answered again: %q", after[len(after)-1].Text)
	}
	post(b.Up.Edited(doc, "6 tạ"))
	b.expect(farmer, "edited.idle")
	if got := strings.Join(rows(t, b.Env["DATABASE_URL"], `SELECT price_vnd, price_typed FROM listings`), " "); got != "[25000 25k]" {
		t.Errorf("the listing published: %s", got)
	}
}
