package main

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/flows"
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
	// The farmer finds the same link in the chat, to send to buyers.
	b.Say(farmer, "/tin")
	if link := b.storeOf(flows.Telegram, itoa(farmer)); !strings.HasSuffix(link, store[1]) || !strings.Contains(b.Last(farmer).Text, link) {
		t.Errorf("/tin said %q, want the store's link %s", b.Last(farmer).Text, link)
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

// storeOf is the link to the store of a channel's user who sells.
func (b *testBot) storeOf(channel flows.Channel, user string) string {
	b.t.Helper()
	db, err := postgres.Open(context.Background(), b.Env["DATABASE_URL"])
	if err != nil {
		b.t.Fatal(err)
	}
	defer db.Close()
	var slug string
	err = db.Pool.QueryRow(context.Background(), `SELECT s.slug FROM sellers s JOIN users u ON u.id = s.user_id
		WHERE u.channel = $1 AND u.platform_id = $2`, channel, user).Scan(&slug)
	if err != nil {
		b.t.Fatalf("the store of %s:%s: %v", channel, user, err)
	}
	return b.Env["PUBLIC_BASE_URL"] + "/cua-hang/" + slug
}

// With the sandbox beside the real app, each has its own pages: the
// sandbox's under /sandbox, with its banner, and neither shows the other's
// listings.
func TestEachWorldHasItsOwnMarketPages(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	env["SANDBOX"] = "1"
	ch := bottest.New()
	b := startBot(t, tg, env, inSandbox{ch})
	p := plainOn(t, b, ch)
	b.markets()
	b.register(farmer)
	real := b.listing(farmer, "5 tạ", "25k")
	p.register("f1", "0912 888 777")
	_, sandbox := p.publish("f1", "500 kg", "26k")

	banner := `<div id="sandbox-banner"`
	_, market := b.Get("/cho")
	if !strings.Contains(market, `data-code="`+real+`"`) || strings.Contains(market, sandbox) || strings.Contains(market, banner) {
		t.Errorf("the real market shows the sandbox's listing %s, a banner, or not its own %s:\n%s", sandbox, real, market)
	}
	_, market = b.Get("/sandbox/cho")
	if !strings.Contains(market, `data-code="`+sandbox+`"`) || strings.Contains(market, real) || !strings.Contains(market, banner) {
		t.Errorf("the sandbox's market shows the real listing %s, no banner, or not its own %s:\n%s", real, sandbox, market)
	}
	store := regexp.MustCompile(`<a class="store" href="(/sandbox/cua-hang/[a-z0-9-]+)">`).FindStringSubmatch(market)
	if store == nil {
		t.Fatalf("no store link under /sandbox:\n%s", market)
	}
	if status, page := b.Get(store[1]); status != http.StatusOK || !strings.Contains(page, sandbox) {
		t.Errorf("GET %s: %d", store[1], status)
	}
	if status, _ := b.Get("/cho/" + sandbox); status != http.StatusNotFound {
		t.Errorf("the real app shows the sandbox's listing: %d", status)
	}
	if status, _ := b.Get(strings.Replace(store[1], "/sandbox", "", 1)); status != http.StatusNotFound {
		t.Errorf("the real app shows the sandbox's store: %d", status)
	}
}
