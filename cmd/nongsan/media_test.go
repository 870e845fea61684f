package main

import (
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// publicAddress stands for PUBLIC_BASE_URL, which must be known before the
// bot listens on a port of its own: it forwards to the bot once it is up.
func publicAddress(t testing.TB) (base string, forwardTo func(botURL string)) {
	var target atomic.Pointer[url.URL]
	srv := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target.Load())
	}})
	t.Cleanup(srv.Close)
	return srv.URL, func(botURL string) {
		u, err := url.Parse(botURL)
		if err != nil {
			t.Fatal(err)
		}
		target.Store(u)
	}
}

// startMediaBot runs a bot with Telegram and the plain channel, reachable
// at its public address (Telegram fetches photos given by URL from there).
func startMediaBot(t *testing.T) (*plainBot, string) {
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	base, forward := publicAddress(t)
	env["PUBLIC_BASE_URL"], env["MEDIA_CACHE_DIR"] = base, t.TempDir()
	ch := bottest.New()
	p := &plainBot{t: t, b: startBot(t, tg, env, ch), ch: ch}
	forward(p.b.URL)
	return p, base
}

// mediaIDs are the ids of the photos in msgs given by our /media URL.
func mediaIDs(t testing.TB, base string, msgs []bottest.Message) []string {
	t.Helper()
	var ids []string
	for _, m := range msgs {
		if m.Photo == "" {
			continue
		}
		id, ok := strings.CutPrefix(m.Photo, base+"/media/")
		if !ok {
			t.Fatalf("a photo shown by %q, not by our URL", m.Photo)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestATelegramListingShowsItsPhotosOnAnotherChannelByURL(t *testing.T) {
	t.Parallel()
	p, base := startMediaBot(t)
	b := p.b
	b.TG.SetFile("photo-1", bottest.PhotoPNG(2400, 1800))
	b.TG.SetFile("photo-2", bottest.PhotoPNG(600, 800))
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")

	// A buyer on another channel opens it: the listing comes with its
	// photos, by our address, each its own (the channel has no albums).
	const shopper = "b-plain"
	p.say(shopper, "mua "+code)
	p.expect(shopper, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	ids := mediaIDs(t, base, p.ch.Sent(shopper))
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Fatalf("photos shown %q", ids)
	}
	// The photos are Telegram's, fetched with getFile, served resized.
	for i, want := range [][2]int{{1280, 960}, {600, 800}} {
		resp, err := http.Get(base + "/media/" + ids[i])
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("photo %d: %d, %v", i, resp.StatusCode, err)
		}
		if got := img.Bounds().Size(); got.X != want[0] || got.Y != want[1] {
			t.Errorf("photo %d served %v, want %v", i, got, want)
		}
	}
	if n := len(b.TG.CallsTo("getFile")); n != 2 {
		t.Errorf("getFile called %d times, want once a photo", n)
	}
	// Telegram itself still shows them by file_id.
	for _, c := range b.TG.CallsTo("sendMediaGroup") {
		if files, _ := albumMedia(t, c); strings.Join(files, ",") != "photo-1,photo-2" {
			t.Errorf("album on Telegram: %q", files)
		}
	}
}

func TestAListingFromAnotherChannelShowsItsPhotosOnTelegram(t *testing.T) {
	t.Parallel()
	p, base := startMediaBot(t)
	// The other channel gives its photos by URL, as Zalo does.
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/na.png" {
			http.NotFound(w, r)
			return
		}
		w.Write(bottest.PhotoPNG(640, 480))
	}))
	defer cdn.Close()
	const seller = "f-plain"
	p.register(seller, "0912 888 777")
	p.expect(seller, "sell.product")
	p.say(seller, "na chi lang")
	p.expect(seller, "sell.photos")
	p.post(bottest.Update{Chat: seller, User: seller, Photo: cdn.URL + "/na.png"})
	for _, answer := range []string{"xong", "500 kg", "25k", "hôm nay", "bỏ qua"} {
		p.say(seller, answer)
	}
	before := len(p.ch.Sent(seller))
	p.say(seller, p.number(p.last(seller), "sell.publish"))
	published := p.waitAfter(seller, before, func(s string) bool { return strings.HasPrefix(s, "✅") && strings.Contains(s, "NS-") })
	code := regexp.MustCompile(`NS-[2-9A-HJ-NP-Z]{4}`).FindString(published)

	// A Telegram buyer opens it: Telegram is given our URL, fetches it
	// (the fake does, as Telegram does) and shows the photo.
	b := p.b
	b.Say(buyer, "mua "+code)
	b.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	// (On a loaded machine the first try may outlast SEND_TIMEOUT while the
	// photo is fetched and resized: the retry finds it kept.)
	shown := 0
	for _, c := range b.TG.CallsTo("sendPhoto") {
		if c.ChatID != itoa(buyer) {
			continue
		}
		if !strings.HasPrefix(c.Params["photo"], base+"/media/") {
			t.Errorf("photo to the Telegram buyer by %q", c.Params["photo"])
		}
		if c.Status == http.StatusOK {
			shown++
		}
	}
	if shown != 1 {
		t.Fatalf("the Telegram buyer was shown the photo %d times, want once", shown)
	}
}
