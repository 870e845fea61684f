package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// A listing published in the chat is on the market page and its farmer's
// store at once, with its photo and a deep link to order it.
func TestAPublishedListingIsOnTheMarketPages(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, nil)
	b.markets()
	b.register(farmer)
	code := b.publish(farmer)

	status, market := b.Get("/cho")
	card := regexp.MustCompile(`(?s)<article class="listing" data-code="` + code + `">.*?</article>`).FindString(market)
	if status != http.StatusOK || card == "" {
		t.Fatalf("GET /cho: %d\n%s", status, market)
	}
	link := "https://t.me/" + telegramtest.DefaultBotUsername + "?start=buy_" + strings.ReplaceAll(code, "-", "")
	for _, want := range []string{`<p class="remaining">Còn 5 tạ</p>`, `<a class="order" href="` + link + `">`, `?w=480"`} {
		if !strings.Contains(card, want) {
			t.Errorf("the listing on the market lacks %q:\n%s", want, card)
		}
	}
	store := regexp.MustCompile(`<a class="store" href="(/cua-hang/[a-z0-9-]+)">`).FindStringSubmatch(card)
	if store == nil {
		t.Fatalf("no store link:\n%s", card)
	}
	if status, page := b.Get(store[1]); status != http.StatusOK || !strings.Contains(page, `data-code="`+code+`"`) {
		t.Errorf("GET %s: %d\n%s", store[1], status, page)
	}

	status, page := b.Get("/cho/" + code)
	image := regexp.MustCompile(`<meta property="og:image" content="([^"]+)">`).FindStringSubmatch(page)
	if status != http.StatusOK || image == nil || !strings.HasPrefix(image[1], b.Env["PUBLIC_BASE_URL"]+"/media/") {
		t.Fatalf("GET /cho/%s: %d, og:image %v", code, status, image)
	}
	resp, err := http.Get(image[1]) // as Zalo's and Telegram's previews fetch it
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("the shared photo: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
