package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vietqr"
)

const zaloSecret = "zalo-secret-0123456789"

// zaloText is message id in Vietnamese as the bot says it on Zalo, where
// users find the bot by its name there (ZALO_BOT_NAME).
func zaloText(t testing.TB, id string, kv ...any) string {
	t.Helper()
	return text(t, "vi", id, append(kv[:len(kv):len(kv)], "NoButtons", true, "BotName", zalotest.BotName)...)
}

// zaloBot drives the bot through POST /webhook/zalo, with a fake Zalo Bot
// API, by typing (Zalo has no buttons).
type zaloBot struct {
	*typist
	b *testBot
	Z *zalotest.Server
}

// zaloEnv adds a Zalo bot talking to z to env.
func zaloEnv(env map[string]string, z *zalotest.Server) map[string]string {
	env["ZALO_BOT_TOKEN"], env["ZALO_WEBHOOK_SECRET"], env["ZALO_API_ENDPOINT"] = zalotest.Token, zaloSecret, z.Endpoint()
	return env
}

// startZalo runs a bot with a Zalo channel of its own (and a Telegram).
func startZalo(t testing.TB) *zaloBot {
	tg, z := telegramtest.NewServer(t), zalotest.NewServer(t)
	return startZaloWith(t, tg, z, zaloEnv(orderEnv(t, tg), z))
}

// startZaloMarkets runs a bot on Telegram and on a Zalo account that may
// join groups, where zalo:mod-0001 moderates (Zalo cannot tell a group's
// admins, so only moderators register markets there).
func startZaloMarkets(t testing.TB) *zaloBot {
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	zs.SetCanJoinGroups(true)
	env := zaloEnv(orderEnv(t, tg), zs)
	env["MODERATORS"] = "zalo:mod-0001"
	return startZaloWith(t, tg, zs, env)
}

// startZaloWith runs a bot on env, driven through its Zalo channel z.
func startZaloWith(t testing.TB, tg *telegramtest.Server, z *zalotest.Server, env map[string]string) *zaloBot {
	zb := &zaloBot{b: startBot(t, tg, env), Z: z}
	zb.typist = &typist{t: t, c: zb}
	t.Cleanup(zb.check)
	return zb
}

// check: the bot never sent what Zalo refuses, and never logged its token.
func (z *zaloBot) check() {
	for _, c := range z.Z.Calls() {
		if c.Status == http.StatusBadRequest {
			z.t.Errorf("Zalo refused %s to %s: %s", c.Method, c.ChatID, c.Error)
		}
	}
	if strings.Contains(z.b.Logs.String(), zalotest.Token) {
		z.t.Error("the Zalo token appears in the logs")
	}
}

// user is who writes as user: the name as Telegram's fake gives it, so
// that the same script leaves the same rows on both.
func (z *zaloBot) user(id string) zalotest.User { return zalotest.User{ID: id, Name: z.name(id)} }

// post delivers an event, wrapped, and expects a 200.
func (z *zaloBot) post(ev zalo.Event) {
	z.t.Helper()
	if code := zalotest.Post(z.t, z.b.URL+"/webhook/zalo", zaloSecret, zalotest.Wrapped(ev)); code != http.StatusOK {
		z.t.Fatalf("%s %+v: webhook answered %d", ev.EventName, *ev.Message, code)
	}
}

// Zalo as a typist uses it.
func (z *zaloBot) name(user string) string { return "Nông dân " + user }
func (z *zaloBot) botName() string         { return zalotest.BotName }
func (z *zaloBot) buttons() bool           { return false }

func (z *zaloBot) send(user, text string) {
	z.t.Helper()
	u := z.user(user)
	z.post(z.Z.Text(zalotest.Private(u), u, text))
}

// sendPhoto sends one image event: Zalo has no albums.
func (z *zaloBot) sendPhoto(user, photo, _ string) {
	z.t.Helper()
	u := z.user(user)
	z.post(z.Z.Image(zalotest.Private(u), u, photo, ""))
}

func (z *zaloBot) received(chat string) []string {
	var texts []string
	for _, m := range z.Z.Received(chat) {
		texts = append(texts, m.Text)
	}
	return texts
}

// Driving only /webhook/zalo: a farmer registers by typing the phone,
// publishes a listing with photos, a buyer orders it by its code answering
// by number and by words, with and without diacritics, the farmer accepts
// from /don, and the buyer gets the farmer's phone and the account.
func TestZaloFarmerSellsAndBuyerOrders(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer, buyer = "6ede9afa66b88fe6d6a9", "8f3a0c1b2d4e5f607182"

	z.register(farmer, "0912 888 777")
	_, code := z.publish(farmer, "500 kg", "25k")
	if code == "" {
		t.Fatalf("no listing code in %q", z.last(farmer))
	}

	z.say(buyer, "mua "+code)
	z.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	// The listing's photos, by our /media URL rather than the CDN links the
	// farmer's images came with (those expire): each is the farmer's photo,
	// fetched from Zalo's CDN and kept.
	var photos []string
	for _, m := range z.Z.Received(buyer) {
		if m.Photo != "" {
			photos = append(photos, m.Photo)
		}
	}
	if len(photos) != 2 {
		t.Fatalf("photos shown to the buyer: %q", photos)
	}
	for _, u := range photos {
		id, ok := strings.CutPrefix(u, z.b.Env["PUBLIC_BASE_URL"]+"/media/")
		if !ok {
			t.Fatalf("a photo shown by %q, not by our URL", u)
		}
		if code, body := z.b.Get("/media/" + id); code != http.StatusOK || !strings.HasPrefix(body, "\xff\xd8") {
			t.Errorf("photo %s: %d", id, code)
		}
	}
	z.toPhone(buyer, "50kg")
	z.answer(buyer, "order.phone", "0987 654 321", "order.delivery", "giao tan noi",
		"order.address", "12 Tran Phu, Ba Dinh, Ha Noi", "order.note", "bo qua")
	before := len(z.received(buyer))
	z.say(buyer, "dat hang")
	placed := z.waitAfter(buyer, before, func(s string) bool { return strings.Contains(s, "DH-") })
	orderCode := orderCodeIn(placed)

	// The farmer hears of it, and accepts from /don: the list, the order by
	// its number, then the acceptance in words.
	z.wait(farmer, func(s string) bool { return strings.Contains(s, orderCode) })
	z.say(farmer, "/don")
	if list := z.expect(farmer, "orders.pick", "Selling", 1, "Buying", 0); !strings.HasPrefix(list, "📦 Đơn hàng của anh/chị: 1 đơn bán.\n") {
		t.Errorf("a farmer's /don: %q", list)
	}
	z.say(farmer, "1")
	z.number(z.wait(farmer, func(s string) bool { return strings.Contains(s, ". "+text(t, "vi", "order.accept")) }), "order.accept")
	z.say(farmer, "nhan don")

	accepted := z.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🎉") })
	if !strings.Contains(accepted, "0912 888 777") {
		t.Errorf("acceptance without the farmer's phone: %q", accepted)
	}
	pay := z.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "💳") && strings.Contains(s, orderCode) })
	if !strings.Contains(pay, "1.250.000 đ") || !strings.Contains(pay, "123456789012") {
		t.Errorf("payment details: %q", pay)
	}
	// The QR comes as a photo by our URL (sendPhoto takes URLs only), the
	// details as its caption; the URL serves the QR of the payment.
	var qrURL string
	for _, m := range z.Z.Received(buyer) {
		if m.Text == pay {
			qrURL = m.Photo
		}
	}
	if !strings.Contains(qrURL, "/qr/") {
		t.Fatalf("payment without its QR photo: %q", qrURL)
	}
	resp, err := http.Get(qrURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	img, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("GET %s: %d %q, %v", qrURL, resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
	if payload := decodeQR(t, img); !vietqr.Valid(payload) || !strings.Contains(payload, "123456789012") || !strings.Contains(payload, "1250000") {
		t.Errorf("the QR reads %q", payload)
	}
	// Only the bot makes such URLs: the account is not readable in it, and
	// a code altered, or made by anyone else from a payment of their own
	// choosing (a scammer's account), draws nothing.
	if strings.Contains(qrURL, "123456789012") {
		t.Errorf("the account stands in the QR's URL: %s", qrURL)
	}
	base, code := qrURL[:strings.LastIndex(qrURL, "/")+1], strings.TrimSuffix(qrURL[strings.LastIndex(qrURL, "/")+1:], ".png")
	altered := []byte(code)
	altered[len(altered)/2] ^= 1
	scam, err := vietqr.Payload(vietqr.Transfer{BIN: "970436", Account: "999988887777", Amount: 1250000, Purpose: orderCode})
	if err != nil {
		t.Fatal(err)
	}
	for name, url := range map[string]string{
		"altered":         base + string(altered) + ".png",
		"a payment, bare": base + base64.RawURLEncoding.EncodeToString([]byte(scam)) + ".png",
		"another's key":   base + bot.NewQRCodes([]byte("a guess")).Code(scam) + ".png",
	} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s QR URL %s: %d, want 404", name, url, resp.StatusCode)
		}
	}
}

func orderCodeIn(s string) string {
	i := strings.Index(s, "DH-")
	if i < 0 || len(s) < i+7 {
		return ""
	}
	return s[i : i+7]
}

// /tin, /don, /hoso, help, cancel and back, typed on Zalo.
func TestZaloCommandsHelpCancelAndBack(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer = "c0ffee00c0ffee00c0ff"
	z.say(farmer, "/don")
	z.expect(farmer, "orders.none")
	z.say(farmer, "/tin")
	z.expect(farmer, "mine.none")

	z.register(farmer, "0912 888 777")
	z.say(farmer, "trợ giúp")
	z.expect(farmer, "help.text")
	z.say(farmer, "na chi lang") // the question is still the product's
	z.expect(farmer, "sell.photos")
	z.say(farmer, "quay lai")
	z.expect(farmer, "sell.product")
	z.say(farmer, "huỷ")
	z.expect(farmer, "cancel.done")

	z.say(farmer, "/ban")
	_, code := z.publish(farmer, "200 kg", "30k")
	z.say(farmer, "/tin")
	if list := z.expect(farmer, "mine.pick", "Count", 1, "Store", z.b.storeOf(flows.Zalo, farmer)); !strings.Contains(list, "1. "+code) {
		t.Errorf("/tin: %q", list)
	}
	z.say(farmer, "/hoso")
	if profile := z.last(farmer); !strings.Contains(profile, "0912 888 777") || !strings.Contains(profile, z.name(farmer)) {
		t.Errorf("/hoso: %q", profile)
	}
	z.say(farmer, "/huy")
	z.expect(farmer, "cancel.done")
}

// The webhook's rules on Zalo: the secret, the body, unknown events,
// duplicates, wrapped and bare bodies, stickers and voice notes.
func TestZaloWebhook(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	url := z.b.URL + "/webhook/zalo"
	ted := z.user("7e d0")
	start := z.Z.Text(zalotest.Private(ted), ted, "/start")
	for _, c := range []struct {
		name   string
		secret string
		body   []byte
		want   int
	}{
		{"no secret", "", zalotest.Wrapped(start), http.StatusUnauthorized},
		{"wrong secret", zaloSecret[:len(zaloSecret)-1] + "x", zalotest.Wrapped(start), http.StatusUnauthorized},
		{"Telegram's header secret", testSecret, zalotest.Wrapped(start), http.StatusUnauthorized},
		{"not JSON", zaloSecret, []byte("<xml/>"), http.StatusBadRequest},
		// JSON but no event, as Zalo's test request when the webhook is
		// saved may be: acknowledged, or Zalo takes the webhook for broken.
		{"no event", zaloSecret, []byte(`{"ok":true}`), http.StatusOK},
		{"an empty object", zaloSecret, []byte(`{}`), http.StatusOK},
		{"over 1 MiB", zaloSecret, append(bytes.Repeat([]byte(" "), 1<<20), zalotest.Wrapped(start)...), http.StatusRequestEntityTooLarge},
		{"an event without a message", zaloSecret, []byte(`{"event_name":"user.follow"}`), http.StatusOK},
	} {
		if got := zalotest.Post(t, url, c.secret, c.body); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
	if calls := z.Z.CallsTo("sendMessage"); len(calls) != 0 {
		t.Fatalf("rejected or unknown events were answered: %d messages", len(calls))
	}

	// The same message delivered twice, wrapped then bare, is answered once.
	for _, body := range [][]byte{zalotest.Wrapped(start), zalotest.Bare(start)} {
		if got := zalotest.Post(t, url, zaloSecret, body); got != http.StatusOK {
			t.Fatalf("/start: %d", got)
		}
	}
	z.expect(ted.ID, "start.welcome", "Name", ted.Name)
	greetings := 0
	for _, m := range z.received(ted.ID) {
		if strings.HasPrefix(m, "🌾 Xin chào") {
			greetings++
		}
	}
	if greetings != 1 {
		t.Errorf("/start delivered twice was answered %d times", greetings)
	}
	// A bare event is handled like a wrapped one; a sticker and a voice
	// note get their kind's reprompt.
	if got := zalotest.Post(t, url, zaloSecret, zalotest.Bare(z.Z.Text(zalotest.Private(ted), ted, "/help"))); got != http.StatusOK {
		t.Fatal(got)
	}
	z.expect(ted.ID, "help.text")
	z.post(z.Z.Sticker(zalotest.Private(ted), ted))
	z.expect(ted.ID, "unclear.sticker")
	// A voice note is answered as on Telegram: the bot cannot listen yet.
	z.post(z.Z.Event("message.voice.received", zalotest.Private(ted), ted))
	z.expect(ted.ID, "unclear.voice")
	// A video or an audio file without a caption (events Zalo does not
	// document, named so by other Zalo bots; they went unanswered): the
	// bot says it reads text and photos, with an example.
	z.post(z.Z.Event("message.video.received", zalotest.Private(ted), ted))
	if got := z.expect(ted.ID, "unclear.video"); !strings.Contains(got, "chữ và ảnh") || !strings.Contains(got, "ví dụ: dang ban") {
		t.Errorf("a video: %q", got)
	}
	z.post(z.Z.Event("message.audio.received", zalotest.Private(ted), ted))
	z.expect(ted.ID, "unclear.voice")
}

// A protected Zalo account (a child's, one who cannot read …): Zalo sends
// message.unsupported.received instead of each of its messages, whatever
// was sent. The bot says once why it cannot read them and who can post for
// her, rather than "type it" at each; the listing she began is still at
// its question when a message comes through.
func TestZaloProtectedAccountIsToldOnceWhyItsMessagesCannotBeRead(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer = "9a0e5c7e00aa11bb22cc"
	z.register(farmer, "0912 888 777") // up to the listing's product question
	before := len(z.received(farmer))
	u := z.user(farmer)
	for range 3 {
		z.post(z.Z.Unsupported(zalotest.Private(u), u))
	}
	z.expect(farmer, "unclear.protected")
	if got := z.received(farmer)[before:]; len(got) != 1 {
		t.Fatalf("three withheld messages were answered with %q; want the reason once", got)
	}
	z.say(farmer, "na chi lang")
	z.expect(farmer, "sell.photos")
}

// A step that takes long shows "typing…" in the chat: here the reply's
// send hangs, and the reply still comes.
func TestZaloShowsTypingWhileSlow(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const user = "51ow"
	z.Z.FailNext("sendMessage", 1, zalotest.Failure{Hang: 1500 * time.Millisecond})
	z.say(user, "/help")
	typing := z.Z.WaitCalls(t, "sendChatAction", 1)[0]
	if typing.ChatID != user || typing.Params["action"] != "typing" || typing.Status != http.StatusOK {
		t.Errorf("typing: %+v", typing)
	}
	z.wait(user, func(s string) bool { return s == text(t, "vi", "help.text", "NoButtons", true) })
}

// tgTypist is Telegram as a typist drives it: the same script, typed.
type tgTypist struct{ b *testBot }

func (c tgTypist) userID(user string) int64 {
	id, err := strconv.ParseInt(user, 10, 64)
	if err != nil {
		c.b.t.Fatalf("a Telegram user id is a number: %q", user)
	}
	return id
}

func (c tgTypist) name(user string) string { return "Nông dân " + user }
func (c tgTypist) buttons() bool           { return true }
func (c tgTypist) send(user, text string)  { c.b.Say(c.userID(user), text) }

func (c tgTypist) sendPhoto(user, photo, _ string) {
	c.b.t.Helper()
	id := c.userID(user)
	if code := c.b.Post(c.b.Up.Photo(id, id, photo, "", "")); code != http.StatusOK {
		c.b.t.Fatalf("photo: webhook answered %d", code)
	}
}

func (c tgTypist) received(chat string) []string {
	var texts []string
	for _, s := range c.b.Sent(c.userID(chat)) {
		texts = append(texts, s.Text)
	}
	return texts
}

// The same conversation over Telegram and over Zalo leaves the same
// listings and orders, row for row.
func TestSameScriptOverTelegramAndZalo(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	tgBot := startBot(t, tg, orderEnv(t, tg))
	z := startZaloWith(t, tg, zs, zaloEnv(orderEnv(t, tg), zs))
	tgTyped := &typist{t: t, c: tgTypist{tgBot}}

	script := func(p *typist) {
		const farmer, buyer = "3101", "3102"
		p.register(farmer, "0912 888 777")
		_, code := p.publish(farmer, "2 tạ", "27k")
		p.say(buyer, "mua "+code)
		orderCode := p.order(buyer, "30 kg")
		p.wait(farmer, func(s string) bool { return strings.Contains(s, orderCode) })
		p.say(farmer, "/don")
		p.say(farmer, "1")
		p.wait(farmer, func(s string) bool { return strings.Contains(s, text(t, "vi", "order.accept")) })
		p.say(farmer, "nhận đơn")
		p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🎉") })
	}
	script(tgTyped)
	script(z.typist)

	for _, q := range []string{
		`SELECT s.name, s.phone_e164, s.commune, s.area_tag, s.growing_code, s.bank_bin, s.bank_name, s.bank_account, s.bank_holder,
			l.product_key, l.product_name, cardinality(l.photos), l.unit, l.quantity_milli, l.remaining_milli, l.price_vnd,
			l.price_unit, l.price_typed, l.ready_on, l.note, l.status
		 FROM listings l JOIN sellers s ON s.id = l.seller_id ORDER BY l.id`,
		`SELECT l.product_name, o.quantity_milli, o.total_vnd, o.buyer_name, o.buyer_phone, o.delivery, o.address, o.note,
			o.status, o.reason, (SELECT string_agg(status, ',' ORDER BY id) FROM order_events WHERE order_id = o.id)
		 FROM orders o JOIN listings l ON l.id = o.listing_id ORDER BY o.id`,
	} {
		onTelegram, onZalo := rows(t, tgBot.Env["DATABASE_URL"], q), rows(t, z.b.Env["DATABASE_URL"], q)
		if len(onTelegram) == 0 || !slices.Equal(onTelegram, onZalo) {
			t.Errorf("%s\nTelegram: %q\nZalo:     %q", strings.Fields(q)[len(strings.Fields(q))-3], onTelegram, onZalo)
		}
	}
}

// rows runs query on the database at url and prints each row.
func rows(t testing.TB, url, query string) []string {
	t.Helper()
	ctx := context.Background()
	db, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	rs, err := db.Query(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		values, err := rs.Values()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(values))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// nongsan webhook set|info|delete and nongsan poll, for Zalo.
func TestZaloWebhookCommandsAndPoll(t *testing.T) {
	t.Parallel()
	zs := zalotest.NewServer(t)
	env := map[string]string{
		"ZALO_BOT_TOKEN":      zalotest.Token,
		"ZALO_WEBHOOK_SECRET": zaloSecret,
		"ZALO_API_ENDPOINT":   zs.Endpoint(),
		"PUBLIC_BASE_URL":     "https://bot.nongsan.example/",
	}
	nongsan := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"nongsan"}, args...), func(k string) string { return env[k] }, &out, &out)
		return out.String(), err
	}
	if out, err := nongsan("webhook", "set"); err != nil || !strings.Contains(out, "https://bot.nongsan.example/webhook/zalo") {
		t.Fatalf("webhook set: %v\n%s", err, out)
	}
	if wh := zs.Webhook(); wh.URL != "https://bot.nongsan.example/webhook/zalo" || wh.Secret != zaloSecret {
		t.Errorf("registered %+v", wh)
	}
	// Zalo's test request to the webhook failed (a WAF refusing its
	// User-Agent): the operator is told what Zalo said, and the command fails.
	zs.SetVerification(&zalo.Verification{Outcome: "webhook.http.403", Hint: "Your server or CDN rejected the request with 403."})
	if out, err := nongsan("webhook", "set"); err == nil || !strings.Contains(out, "FAILED") ||
		!strings.Contains(out, "webhook.http.403") || !strings.Contains(out, "rejected the request with 403") {
		t.Errorf("webhook set, its test failing: %v\n%s", err, out)
	}
	zs.SetVerification(nil)
	out, err := nongsan("webhook", "info")
	if err != nil || !strings.Contains(out, "url: https://bot.nongsan.example/webhook/zalo") ||
		!strings.Contains(out, zalotest.AccountName) || !strings.Contains(out, "can join groups: false") {
		t.Errorf("webhook info: %v\n%s", err, out)
	}
	if out, err := nongsan("webhook", "delete"); err != nil || zs.Webhook().URL != "" {
		t.Errorf("webhook delete: %v\n%s", err, out)
	}
	env["ZALO_WEBHOOK_SECRET"] = "short"
	if _, err := nongsan("webhook", "set"); err == nil || len(zs.CallsTo("setWebhook")) != 2 {
		t.Errorf("a 5-character secret: %v, %d setWebhook calls", err, len(zs.CallsTo("setWebhook")))
	}
	for _, args := range [][]string{{"webhook", "set"}, {"webhook", "info"}, {"webhook", "delete"}, {"serve"}} {
		if out, _ := nongsan(args...); strings.Contains(out, zalotest.Token) {
			t.Errorf("%v printed the token", args)
		}
	}
	if _, err := nongsan("serve"); err == nil || !strings.Contains(err.Error(), "ZALO_WEBHOOK_SECRET") {
		t.Errorf("serve with a 5-character Zalo secret: %v", err)
	}

	// poll: Zalo's webhook goes, and queued events are answered; one the
	// bot cannot read is skipped, not asked for again for ever.
	tg := telegramtest.NewServer(t)
	env = zaloEnv(newEnv(t, tg), zs)
	delete(env, "TELEGRAM_BOT_TOKEN")
	zs.SetCanJoinGroups(true)
	nongsan("webhook", "set")
	deletes := len(zs.CallsTo("deleteWebhook"))
	u := zalotest.User{ID: "p0ll", Name: "Ted"}
	zs.QueueEvent(zalo.Event{}) // neither an event nor a message: acknowledged, skipped
	zs.QueueEvent(zs.Text(zalotest.Private(u), u, "/start"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"nongsan", "poll"}, func(k string) string { return env[k] }, newLogWatcher(), newLogWatcher())
	}()
	calls := zs.WaitCalls(t, "sendMessage", 1)
	cancel()
	if !strings.Contains(calls[0].Params["text"], "Ted") || calls[0].ChatID != u.ID {
		t.Errorf("polled /start answered %+v", calls[0])
	}
	if len(zs.CallsTo("deleteWebhook")) != deletes+1 {
		t.Error("poll did not remove the webhook first")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("poll did not stop")
	}
}

// Telegram shows "typing…" the same way.
func TestTelegramShowsTypingWhileSlow(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, nil)
	tg.FailNext("sendMessage", 1, telegramtest.Failure{Hang: 1500 * time.Millisecond, Status: http.StatusBadGateway})
	b.Say(farmer, "/help")
	typing := tg.WaitCalls(t, "sendChatAction", 1)[0]
	if typing.ChatID != itoa(farmer) || typing.Params["action"] != "typing" || typing.Status != http.StatusOK {
		t.Errorf("typing: %+v", typing)
	}
	waitSent(t, b, farmer, func(s sent) bool { return strings.HasPrefix(s.Text, "❓") }, 1)
}

// The other way across: a Telegram farmer's listing, with its photos, goes
// to the Telegram and the Zalo groups; a Zalo buyer orders it by typing,
// the farmer accepts with the notice's button on Telegram, and the buyer
// gets, on Zalo, the farmer's phone and the payment details. Neither group
// ever sees the buyer's phone.
func TestTelegramFarmerZaloBuyer(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	b, zs := z.b, z.Z
	const group, zaloBuyer = "zalo-group-cross", "8f3a0c1b2d4e5f60aa01"
	// In a group Zalo delivers only what @mentions the bot.
	z.post(zs.Text(zalotest.Group(group), z.user("mod-0001"), "@"+zalotest.BotName+" /dangky"))
	z.expect(group, "group.registered_all")
	b.markets()
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")

	// Both kinds of group show the post; Zalo's photos come by our URL and
	// are the farmer's Telegram photos.
	waitSent(t, b, chiLangMarket, func(s sent) bool { return strings.Contains(s.Text, code) }, 1)
	z.wait(group, func(s string) bool { return strings.Contains(s, zaloText(t, "render.order_by_text", "Code", code)) })
	var photos []string
	for _, m := range zs.Received(group) {
		if m.Photo != "" {
			photos = append(photos, m.Photo)
		}
	}
	if len(photos) != 2 {
		t.Fatalf("photos in the Zalo group: %q", photos)
	}
	for _, u := range photos {
		id, ok := strings.CutPrefix(u, b.Env["PUBLIC_BASE_URL"]+"/media/")
		if code, body := b.Get("/media/" + id); !ok || code != http.StatusOK || !strings.HasPrefix(body, "\xff\xd8") {
			t.Errorf("photo %q: %d", u, code)
		}
	}

	// A member who @mentions the bot with the post's words in the group is
	// sent to the private chat, as one who types them alone.
	z.post(zs.Text(zalotest.Group(group), z.user("member-0042"), "@"+zalotest.BotName+" mua "+code))
	z.expect(group, "group.order_privately", "Name", z.name("member-0042"), "Product", "Na Chi Lăng", "Code", code)

	// The Zalo buyer orders by typing what the post says.
	z.say(zaloBuyer, "mua "+code)
	z.expect(zaloBuyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	orderCode := z.order(zaloBuyer, "20 kg")
	if orderCode == "" {
		t.Fatal("no order code")
	}
	z.wait(group, func(s string) bool { return strings.HasPrefix(s, "🛒 Đã có đơn 20 kg") })
	waitSent(t, b, chiLangMarket, func(s sent) bool { return strings.HasPrefix(s.Text, "🛒 Đã có đơn 20 kg") }, 1)

	// The farmer, on Telegram, accepts with the notice's button.
	news := b.notice(farmer, "🛒 Đơn mới")
	if !strings.Contains(news.Text, orderCode) || len(news.Data) != 2 {
		t.Fatalf("farmer's notice: %+v", news)
	}
	b.Tap(farmer, news.Data[0])
	accepted := z.wait(zaloBuyer, func(s string) bool { return strings.HasPrefix(s, "🎉") })
	if !strings.Contains(accepted, "0912 888 777") {
		t.Errorf("acceptance without the farmer's phone: %q", accepted)
	}
	z.wait(zaloBuyer, func(s string) bool { return strings.HasPrefix(s, "💳") && strings.Contains(s, "500.000 đ") })
	// The farmer has the buyer's phone now; the groups never do.
	waitSent(t, b, farmer, func(s sent) bool { return strings.Contains(s.Text, "0987 654 321") }, 1)
	for _, s := range z.received(group) {
		if strings.Contains(s, "987 654 321") {
			t.Errorf("the Zalo group saw the buyer's phone: %q", s)
		}
	}
	for _, s := range b.Sent(chiLangMarket) {
		if strings.Contains(s.Text, "987 654 321") {
			t.Errorf("the Telegram group saw the buyer's phone: %q", s.Text)
		}
	}
}

// A Zalo group that removed the bot says nothing (Zalo sends no event of
// it): the first post refused with words that say the bot is not there is
// enough, the group is deactivated, and the next listings are not posted
// there, where each would be refused again and count against the quota.
func TestAZaloGroupThatRemovedTheBotGetsNoMorePosts(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	b, zs := z.b, z.Z
	const group = "zalo-group-gone"
	z.post(zs.Text(zalotest.Group(group), z.user("mod-0001"), "@"+zalotest.BotName+" /dangky"))
	z.expect(group, "group.registered_all")
	b.markets()
	b.register(farmer)
	zs.SetDownFor(group, &zalotest.Failure{Code: http.StatusForbidden, Description: "Bot is not a member of this group"})
	// listing's steps: the farmer is told of the posts that landed, not
	// of this one.
	b.Say(farmer, "/ban")
	b.Tap(farmer, "p:na-chi-lang")
	b.album(farmer, "album-gone", "photo-1", "photo-2")
	b.Say(farmer, "xong")
	b.Say(farmer, "500 kg")
	b.Say(farmer, "25k")
	b.Say(farmer, "hôm nay")
	b.Tap(farmer, "skip")
	b.Publish(farmer)
	db := openDB(t, b.Env)
	active := func() bool {
		var on bool
		if err := db.Pool.QueryRow(context.Background(), `SELECT active FROM chats WHERE channel = 'zalo' AND chat_id = $1`, group).Scan(&on); err != nil {
			t.Fatal(err)
		}
		return on
	}
	waitFor(t, "the group deactivated", func() bool { return !active() })
	refused := len(zs.CallsTo("sendMessage")) + len(zs.CallsTo("sendPhoto"))
	zs.SetDownFor(group, nil)
	const other = int64(3003)
	b.register(other)
	code := b.listing(other, "2 tạ", "27k")
	waitSent(t, b, chiLangMarket, func(s sent) bool { return strings.Contains(s.Text, code) }, 1)
	if got := zs.Received(group); len(got) != 2 { // the greeting of a group first heard from, the answer to /dangky
		t.Errorf("the group that removed the bot got %d messages: %+v", len(got), got)
	}
	if n := len(zs.CallsTo("sendMessage")) + len(zs.CallsTo("sendPhoto")); n != refused {
		t.Errorf("%d more calls to Zalo after the group was gone", n-refused)
	}
}

// Zalo says nothing when the bot is added to a group, and a group may have
// added it before it was deployed: the first message from a group the bot
// never heard of gets the greeting the bot says when it joins (how to make
// the group a market), once, even when two members write at once, and the
// message is answered too. The group is then known: nothing greets it again.
func TestAZaloGroupTheBotNeverHeardOfIsGreetedOnce(t *testing.T) {
	t.Parallel()
	z := startZaloMarkets(t)
	const group = "zalo-group-before-the-bot"
	hello := zaloText(t, "group.hello", "Moderators", true)
	if !strings.Contains(hello, "@"+zalotest.BotName+" /dangky") {
		t.Errorf("the greeting does not say what to type on Zalo: %q", hello)
	}
	help := zaloText(t, "group.help")
	count := func(want string) int {
		n := 0
		for _, m := range z.received(group) {
			if strings.HasPrefix(squash(m), squash(want)) {
				n++
			}
		}
		return n
	}

	var wg sync.WaitGroup
	for _, member := range []string{"member-0001", "member-0002", "member-0003"} {
		ev := z.Z.Text(zalotest.Group(group), z.user(member), "/help")
		wg.Go(func() {
			if code := zalotest.Post(t, z.b.URL+"/webhook/zalo", zaloSecret, zalotest.Wrapped(ev)); code != http.StatusOK {
				t.Errorf("/help in the new group: %d", code)
			}
		})
	}
	wg.Wait()
	waitFor(t, "each member answered", func() bool { return count(help) == 3 })
	// The greeting comes before the answer of the message that found the
	// group new; the others, answered at the same time, may come first.
	got := z.received(group)
	greeted := slices.IndexFunc(got, func(m string) bool { return strings.HasPrefix(squash(m), squash(hello)) })
	if count(hello) != 1 || greeted == len(got)-1 {
		t.Errorf("three first messages at once: the group got %q, want the greeting once, before an answer", got)
	}

	// Known now: a moderator makes it a market, and it is not greeted again.
	z.post(z.Z.Text(zalotest.Group(group), z.user("mod-0001"), "/dangky chi lang"))
	z.expect(group, "group.registered", "Area", "Chi Lăng")
	if n := count(hello); n != 1 {
		t.Errorf("the group was greeted %d times", n)
	}
}

// Zalo does not say which message a group member's reply quotes: a buyer
// who answers a listing post without its code ("lấy 20kg") is told in one
// line how to order, privately, with the link to the bot's chat
// (ZALO_BOT_LINK), which the post gives too; the buyer's words are not
// repeated to the group. With the code, the reply names the listing.
func TestAZaloBuyerReplyingToAPostWithoutItsCodeIsToldHowToOrder(t *testing.T) {
	t.Parallel()
	const link = "https://zalo.me/1459232241454765289"
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	zs.SetCanJoinGroups(true)
	env := zaloEnv(orderEnv(t, tg), zs)
	env["MODERATORS"], env["ZALO_BOT_LINK"] = "zalo:mod-0001", link
	z := startZaloWith(t, tg, zs, env)
	const group, farmer, buyer = "zalo-group-replies", "6ede9afa66b88fe6d6b1", "8f3a0c1b2d4e5f6071b2"
	z.post(zs.Text(zalotest.Group(group), z.user("mod-0001"), "/dangky chi lang"))
	z.expect(group, "group.registered", "Area", "Chi Lăng")
	z.register(farmer, "0912 888 774")
	_, code := z.publish(farmer, "500 kg", "25k")
	post := zaloText(t, "render.order_by_text", "Code", code, "BotLink", link)
	if !strings.Contains(post, link) {
		t.Fatalf("the post's order line has no link: %q", post)
	}
	z.wait(group, func(s string) bool { return strings.Contains(s, post) })

	z.post(zs.Reply(zalotest.Group(group), z.user(buyer), "lấy 20kg"))
	how := z.expect(group, "group.order_how", "BotLink", link)
	if !strings.Contains(how, zalotest.BotName+" ("+link+")") || strings.Contains(how, "lấy") {
		t.Errorf("the reply to a buyer quoting a post: %q", how)
	}
	// Thanks under a post (or an announcement) asks for nothing: the
	// group's next message answers the order after it.
	before := len(z.received(group))
	z.post(zs.Reply(zalotest.Group(group), z.user(buyer), "cảm ơn bot 👍"))
	z.post(zs.Reply(zalotest.Group(group), z.user(buyer), "mua "+code+" 20kg"))
	z.expect(group, "group.order_privately", "Name", z.name(buyer), "Product", "Na Chi Lăng", "Code", code)
	if got := z.received(group)[before:]; len(got) != 1 {
		t.Errorf("after thanks and an order, the group read %q", got)
	}
}
