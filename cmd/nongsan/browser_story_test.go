package main

import (
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// sandboxPage is the sandbox chat page in the browser, driven as a person
// would: persona and view buttons, the composer, choice buttons, the photo
// picker. Its selectors are the page's DOM contract.
type sandboxPage struct {
	*browser
	pane string // where the composer writes: "chat" or "market"
}

// pageJS are the helpers every expression below may use: sq squashes
// spaces; reply(pane) is the bot's messages in a pane since the last one
// the persona sent there, said(pane) their text, mine(pane) the text of
// that last one, and choice(pane, label) the button (or link) among the
// bot's that reads label.
const pageJS = `
const sq = s => (s || "").replace(/\s+/g, " ").trim();
const reply = pane => {
	const ms = [...document.querySelectorAll("#" + pane + " .msg")];
	const last = ms.findLastIndex(m => m.dataset.from === "me");
	return ms.slice(last + 1).filter(m => m.dataset.from === "bot");
};
const said = pane => sq(reply(pane).map(m => (m.querySelector(".msg-text") || {}).textContent).join(" "));
const mine = pane => sq(([...document.querySelectorAll("#" + pane + " .msg[data-from=me] .msg-text")].pop() || {}).textContent);
const choice = (pane, label) => reply(pane).flatMap(m => [...m.querySelectorAll(".choice")]).find(b => sq(b.textContent) === sq(label));
`

// expr wraps a JavaScript expression with the helpers.
func expr(e string) string { return "(() => {" + pageJS + "return (" + e + ");})()" }

// persona plays p: its button pressed, its chat shown.
func (p *sandboxPage) persona(who string) {
	p.t.Helper()
	sel := `button[data-persona="` + who + `"]`
	p.do("play "+who, chromedp.Click(chromedp.CSS(sel)))
	p.waitFor(who+" is played", `document.querySelector(`+js(sel)+`).getAttribute("aria-pressed") === "true"`)
}

// view shows the persona's chat or the market group: on a phone, one at a
// time, through the tabs.
func (p *sandboxPage) view(pane string) {
	p.t.Helper()
	p.do("show "+pane, chromedp.Click(chromedp.CSS(`button[data-view="`+pane+`"]`)), chromedp.WaitVisible(chromedp.ID(pane)))
	p.pane = pane
}

// say types text in the composer and sends it.
func (p *sandboxPage) say(text string) {
	p.t.Helper()
	p.do("type "+text, chromedp.SendKeys(chromedp.ID("text"), text), chromedp.Click(chromedp.ID("send")))
	p.waitFor("the page shows "+text+" as sent", expr(`mine(`+js(p.pane)+`) === sq(`+js(text)+`)`))
}

// expect waits until the bot's reply in the pane says message id.
func (p *sandboxPage) expect(id string, kv ...any) {
	p.t.Helper()
	want := text(p.t, "vi", id, kv...)
	p.waitFor("the bot says "+id, expr(`said(`+js(p.pane)+`).includes(sq(`+js(want)+`))`))
}

// press presses the button labelled with message id under the bot's reply.
func (p *sandboxPage) press(id string, kv ...any) {
	p.t.Helper()
	label := text(p.t, "vi", id, kv...)
	p.do("press "+label, chromedp.Click(chromedp.JSPath(expr(`choice(`+js(p.pane)+`, `+js(label)+`)`))))
	p.waitFor("the page shows "+label+" as pressed", expr(`mine(`+js(p.pane)+`) === sq(`+js(label)+`)`))
}

// answer expects each question (a message id) in turn and types its answer.
func (p *sandboxPage) answer(questionsAndAnswers ...string) {
	p.t.Helper()
	for i := 0; i+1 < len(questionsAndAnswers); i += 2 {
		p.expect(questionsAndAnswers[i])
		p.say(questionsAndAnswers[i+1])
	}
}

// naPhoto writes a photo as a phone takes it: a JPEG, 1600×1200, of a few
// green custard apples.
func naPhoto(t *testing.T) string {
	img := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
	centres := []image.Point{{500, 520}, {900, 480}, {1200, 700}, {700, 820}}
	for y := range 1200 {
		for x := range 1600 {
			c := color.RGBA{R: uint8(200 - y/20), G: uint8(170 - y/25), B: 120, A: 255} // a basket's straw
			for _, o := range centres {
				dx, dy := x-o.X, y-o.Y
				if d := dx*dx + dy*dy; d < 230*230 {
					shade := uint8(40 * d / (230 * 230))
					bump := uint8(0)
					if (x/40+y/40)%2 == 0 {
						bump = 12 // the scales of a custard apple
					}
					c = color.RGBA{R: 110 + shade + bump, G: 170 + shade, B: 80 + bump, A: 255}
				}
			}
			img.Set(x, y, c)
		}
	}
	path := filepath.Join(t.TempDir(), "IMG_0001.jpg")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return path
}

// A newcomer's whole story in the sandbox, on a phone: as the farmer,
// registering and listing na with a photo taken on the phone, by pressing
// the buttons and typing where the bot asks; the post in the market group;
// as the buyer, its order button, and an order for part of the stock,
// which the farmer accepts, the buyer getting the payment QR; then
// /cho (its filters too) and the farmer's store page, reached from the
// listing, show it with what remains, and the store's order button leads
// back to the chat; "Làm lại từ đầu" clears the page.
func TestBrowserSandboxStory(t *testing.T) {
	// Not parallel: Chromium's processes would take the small machine's
	// cores from the tests that measure time (the groups' gaps).
	site := startSandboxSite(t)
	b := newBrowser(t)
	p := &sandboxPage{browser: b, pane: "chat"}
	photo := naPhoto(t)
	farmer, buyer := text(t, "vi", "persona.farmer"), text(t, "vi", "persona.buyer")

	p.do("open the sandbox", chromedp.Navigate(site+"/sandbox"), chromedp.WaitVisible(chromedp.ID("sandbox-banner")))
	p.waitFor("the page is ready", `document.readyState === "complete"`)
	if banner := eval[string](b, "read the banner", `document.getElementById("sandbox-banner").textContent`); strings.TrimSpace(banner) == "" {
		t.Error("the sandbox banner is empty")
	}
	// What a phone needs of the composer: a labelled text box, and a photo
	// picker that offers the camera or the gallery.
	if !eval[bool](b, "read the composer", `(() => {
		const text = document.querySelector("form#composer input#text[name=text]");
		const label = text && document.querySelector('label[for="text"]');
		const photo = document.querySelector('input#photo[type=file][accept="image/*"]');
		return !!label && label.offsetHeight > 0 && !!photo && !!document.querySelector('label[for="photo"]');
	})()`) {
		t.Error("the composer lacks its labelled text box or its photo picker")
	}

	// The farmer registers: her name and the bank offered as buttons,
	// the rest typed.
	p.persona("farmer")
	p.say("/ban")
	p.expect("reg.name", "Name", farmer)
	p.press("reg.name_keep", "Name", farmer)
	p.answer("reg.phone", "0912 888 777", "reg.commune", "xã Quang Lang, Chi Lăng")
	p.expect("reg.code")
	p.press("choice.skip")
	p.expect("reg.bank")
	p.press("reg.bank_name", "Bank", "Agribank")
	p.answer("reg.account", "1234 5678 9012")
	holder := "HOANG THI LAN"
	p.expect("reg.holder", "Holder", holder)
	p.press("reg.holder_keep", "Holder", holder)

	// Then the listing: the product's button, a photo from the phone.
	p.expect("sell.product")
	p.press("product.name", "Name", "Na Chi Lăng")
	p.expect("sell.photos")
	p.do("choose a photo", chromedp.SetUploadFiles(chromedp.ID("photo"), []string{photo}))
	p.waitFor("the photo shows in the chat", expr(`[...document.querySelectorAll("#chat .msg[data-from=me] img.msg-photo")].some(i => i.complete && i.naturalWidth > 0 && i.alt)`))
	p.press("choice.done")
	p.expect("sell.quantity", "Unit", "kg", "Product", "Na Chi Lăng")
	p.say("500 kg")
	p.expect("sell.price", "Unit", "kg")
	p.say("25k")
	p.expect("sell.ready")
	p.press("date.today")
	p.expect("sell.note")
	p.press("choice.skip")
	p.waitFor("the summary", expr(`said("chat").startsWith("📋")`))
	eval[bool](b, "show the summary", expr(`(reply("chat")[0].scrollIntoView({block: "start"}), true)`))
	p.screenshot("sandbox-chat")
	p.press("sell.publish")
	p.waitFor("the listing is published", expr(`said("chat").includes("Đã đăng tin bán NS-")`))
	code := regexp.MustCompile(`NS-[2-9A-HJ-NP-Z]{4}`).FindString(eval[string](b, "read the code", expr(`said("chat")`)))
	if code == "" {
		t.Fatal("no listing code in the published message")
	}

	// The post in the market group, with its photo.
	p.view("market")
	post := `[...document.querySelectorAll("#market .msg[data-from=bot]")].find(m => m.textContent.includes(` + js(code) + `) && m.querySelector("img.msg-photo"))`
	p.waitFor("the post's photo in the market", expr(`(() => { const m = `+post+`; const i = m && m.querySelector("img.msg-photo");
		return !!i && i.complete && i.naturalWidth > 0 && i.alt !== ""; })()`))
	eval[bool](b, "show the post", expr(`((`+post+`).scrollIntoView({block: "end"}), true)`))
	p.screenshot("sandbox-market")
	if n := eval[int](b, "count messages without an id", `[...document.querySelectorAll(".msg")].filter(m => !m.dataset.id || !["bot", "me"].includes(m.dataset.from)).length`); n != 0 {
		t.Errorf("%d messages lack data-id or data-from", n)
	}

	// Beside its order button, a link to the listing's page.
	pageLink := text(t, "vi", "post.page")
	href := eval[string](b, "read the post's page link", expr(`([...(`+post+`).querySelectorAll("a.choice")].find(a => sq(a.textContent) === sq(`+js(pageLink)+`)) || {}).href || ""`))
	if !strings.HasSuffix(href, "/cho/"+code) {
		t.Errorf("the post's %s links to %q", pageLink, href)
	}

	// The buyer presses its order button and orders part of the stock.
	order := text(t, "vi", "post.order")
	p.do("press "+order, chromedp.Click(chromedp.JSPath(expr(`[...(`+post+`).querySelectorAll("a.choice")].find(a => sq(a.textContent) === sq(`+js(order)+`))`))))
	p.pane = "chat"
	p.waitFor("the page plays the buyer", `document.querySelector('button[data-persona="buyer"]').getAttribute("aria-pressed") === "true"`)
	p.do("the buyer's chat shows", chromedp.WaitVisible(chromedp.ID("chat")))
	p.expect("order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	p.say("50 kg")
	p.expect("order.name", "Name", buyer)
	p.press("reg.name_keep", "Name", buyer)
	p.answer("order.phone", "0987 654 321")
	p.expect("order.delivery")
	p.press("order.deliver")
	p.answer("order.address", "12 Trần Phú, Ba Đình, Hà Nội")
	p.expect("order.note")
	p.press("choice.skip")
	p.waitFor("the order's summary", expr(`said("chat").startsWith("🛒")`))
	p.press("order.place")
	p.waitFor("the order is placed", expr(`/DH-[2-9A-HJ-NP-Z]{4}/.test(said("chat"))`))

	// The farmer accepts it from her notice; the buyer gets the payment QR,
	// an image a banking app can scan.
	p.persona("farmer")
	p.waitFor("the farmer's notice", expr(`said("chat").includes("Đơn mới: 50 kg Na Chi Lăng")`))
	p.press("order.accept")
	p.persona("buyer")
	qr := text(t, "vi", "sandbox.qr_alt")
	p.waitFor("the buyer's payment QR", `[...document.querySelectorAll("#chat .msg[data-from=bot] img.msg-photo")].some(i =>
		i.alt === `+js(qr)+` && i.complete && i.naturalWidth > 0)`)

	// The market group hears what remains.
	p.view("market")
	p.waitFor("the market hears of the order", `[...document.querySelectorAll("#market .msg[data-from=bot]")].some(m =>
		m.textContent.includes(`+js(code)+`) && m.textContent.includes("450 kg"))`)

	// /cho lists the listing with what remains, on a small phone's screen
	// (most of the farmers' and buyers' Androids are 360 px wide), as the
	// README's screenshots show it, until the store's order button.
	listing := `article.listing[data-code="` + code + `"]`
	p.do("a small phone", phoneScreen(800))
	p.do("open /cho", chromedp.Navigate(site+"/cho"), chromedp.WaitVisible(chromedp.CSS(listing)),
		chromedp.WaitVisible(chromedp.ID("sandbox-banner")))
	p.checkListing("/cho", listing, "450 kg")
	p.screenshot("cho")

	// The post's link shows it alone, with what remains.
	p.do("open the listing's page", chromedp.Navigate(href), chromedp.WaitVisible(chromedp.CSS(listing)))
	p.checkListing("its page", listing, "450 kg")
	p.do("back to /cho", chromedp.Navigate(site+"/cho"), chromedp.WaitVisible(chromedp.CSS(listing)))

	// Filtered by its product and area, it stays; in another area, it goes.
	all := text(t, "vi", "pages.filter_all")
	p.filter("Na Chi Lăng", "Chi Lăng")
	p.do("the filtered market", chromedp.WaitVisible(chromedp.CSS(listing)))
	p.filter(all, "Bắc Sơn")
	p.do("the market of another area", chromedp.WaitNotPresent(chromedp.CSS(listing)))
	p.filter(all, all)

	// Its farmer's store, from the listing's link.
	p.follow("open the store", chromedp.Click(chromedp.CSS(listing+" a.store")))
	p.do("the store", chromedp.WaitVisible(chromedp.CSS(listing)), chromedp.WaitVisible(chromedp.ID("sandbox-banner")))
	if loc := eval[string](b, "read the address", `location.pathname`); !strings.HasPrefix(loc, "/cua-hang/") {
		t.Errorf("the store link led to %s", loc)
	}
	p.checkListing("the store", listing, "450 kg")
	p.screenshot("store")
	p.do("the phone of the story", chromedp.EmulateViewport(phoneWidth, phoneHeight,
		chromedp.EmulateScale(phoneScale), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))

	// Its order button opens the sandbox chat, as the buyer, on that listing.
	p.follow("order from the store", chromedp.Click(chromedp.CSS(listing+` a.order[href*="/sandbox?start="]`)))
	p.pane = "chat"
	p.waitFor("the page plays the buyer", `document.querySelector('button[data-persona="buyer"]').getAttribute("aria-pressed") === "true"`)
	p.expect("order.quantity", "Remaining", "450 kg", "Unit", "kg", "Price", "25.000 đ/kg")

	// Her listings (/tin) give the farmer her store's address, on the host
	// the page was opened at, not PUBLIC_BASE_URL's.
	p.persona("farmer")
	p.say("/tin")
	p.waitFor("the store's address in the farmer's listings", expr(`reply("chat").some(m => [...m.querySelectorAll(".msg-text a")].some(a =>
		a.origin === location.origin && a.pathname.startsWith("/cua-hang/") && a.textContent === a.href))`))

	// "Làm lại từ đầu", confirmed, starts this visitor over: every chat
	// and the market clear on the page, and the page says so.
	p.do("start over", chromedp.Click(chromedp.ID("reset")), chromedp.WaitVisible(chromedp.ID("reset-dialog")),
		chromedp.Click(chromedp.ID("reset-confirm")))
	p.waitFor("the sandbox is cleared", `document.querySelectorAll(".msg").length === 0`)
	p.do("the page says it started over", chromedp.WaitVisible(chromedp.ID("notice")))
	if got, want := eval[string](b, "read the notice", `document.getElementById("notice").textContent`), text(t, "vi", "sandbox.cleared"); got != want {
		t.Errorf("after the reset the page says %q, want %q", got, want)
	}
	for _, who := range []string{"farmer", "buyer"} {
		p.persona(who)
		if n := eval[int](b, "count "+who+"'s messages", `document.querySelectorAll("#chat .msg").length`); n != 0 {
			t.Errorf("%s's chat still shows %d messages after the reset", who, n)
		}
	}
	// The visitor's listing leaves the shared market with them: nobody
	// else in the room orders from a farmer who is gone.
	p.do("open /cho again", chromedp.Navigate(site+"/cho"), chromedp.WaitVisible(chromedp.ID("filters")))
	if n := eval[int](b, "count the listing on /cho", `document.querySelectorAll(`+js(listing)+`).length`); n != 0 {
		t.Errorf("after the reset /cho still shows the visitor's listing")
	}
}

// follow runs an action that loads another page, and waits for it.
func (p *sandboxPage) follow(step string, action chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	p.do(step, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.WaitEvent(page.LoadEventFired, nil, action)(ctx, t)
		return err
	}))
}

// filter chooses a product and an area, by their names, in /cho's filters
// and applies them.
func (p *sandboxPage) filter(product, area string) {
	p.t.Helper()
	for name, label := range map[string]string{"sp": product, "vung": area} {
		sel := `#filters select[name=` + name + `]`
		value := eval[string](p.browser, "find "+label, `(() => { const o = [...document.querySelectorAll(`+js(sel+" option")+`)].find(o => o.textContent.trim() === `+js(label)+`);
			return o ? o.value : "?"; })()`)
		if value == "?" {
			p.t.Fatalf("no %q to choose in %s", label, sel)
		}
		p.do("choose "+label, chromedp.SetValue(chromedp.CSS(sel), value))
	}
	p.follow("filter by "+product+", "+area, chromedp.Click(chromedp.CSS(`#filters button[type=submit]`)))
}

// checkListing checks the listing's card on a page: its photo shows, with
// alt text, and it says what remains.
func (p *sandboxPage) checkListing(where, listing, remaining string) {
	p.t.Helper()
	p.waitFor("the listing's photo on "+where, `(() => { const i = document.querySelector(`+js(listing+" img")+`);
		return !!i && i.complete && i.naturalWidth > 0 && i.alt !== ""; })()`)
	got := eval[string](p.browser, "read what remains", `document.querySelector(`+js(listing+" .remaining")+`).textContent`)
	if !strings.Contains(got, remaining) {
		p.t.Errorf("%s: the listing says %q, want %s left", where, got, remaining)
	}
}

// startSandboxSite starts the service as `make run` does without a bot
// token, the sandbox being the whole service, and returns the address a
// browser opens it at: the machine's own, as a phone on the LAN does, not
// PUBLIC_BASE_URL (localhost in `make run`), from which the links in the
// bot's texts start.
func startSandboxSite(t *testing.T) string {
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	delete(env, "TELEGRAM_BOT_TOKEN")
	return startBot(t, tg, env).URL
}
