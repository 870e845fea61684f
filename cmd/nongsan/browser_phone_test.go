package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
)

// phoneScreen is a small phone's screen, 360 px wide, of the given height.
func phoneScreen(height int64) chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(360, height, chromedp.EmulateScale(phoneScale), chromedp.EmulateMobile,
		chromedp.EmulateTouch, chromedp.EmulatePortrait)
}

// chatRoom is what the farmer sees of the chat: the log's height, whether
// the bot's last message ends inside it, and whether the text box and the
// persona and view buttons are on screen.
type chatRoom struct {
	Log        float64 `json:"log"`
	LastInView bool    `json:"lastInView"`
	BoxInView  bool    `json:"boxInView"`
	TabsInView bool    `json:"tabsInView"`
	Banner     bool    `json:"banner"`
}

func (p *sandboxPage) chatRoom(step string) chatRoom {
	p.t.Helper()
	return eval[chatRoom](p.browser, step, `(() => {
		const r = e => e.getBoundingClientRect();
		const onScreen = e => { const b = r(e); return b.height > 0 && b.top >= 0 && b.bottom <= innerHeight; };
		const log = r(document.querySelector("#chat .log"));
		const last = [...document.querySelectorAll("#chat .msg[data-from=bot]")].pop();
		const m = last ? r(last) : null;
		return {
			log: log.height,
			lastInView: !!m && m.bottom <= log.bottom + 1 && m.bottom > log.top + 20,
			boxInView: onScreen(document.getElementById("text")) && onScreen(document.getElementById("send")),
			tabsInView: [...document.querySelectorAll("button[data-persona], button[data-view]")].every(onScreen),
			banner: onScreen(document.getElementById("sandbox-banner")),
		};
	})()`)
}

// On a 360-px phone with the on-screen keyboard open, about 380 px of the
// screen are left: the farmer still sees the bot's question above the text
// box, in a log of at least 150 px, with the personas and views a tap
// away; the long banner comes back when the keyboard closes.
func TestBrowserSandboxChatFitsAPhoneWithItsKeyboardOpen(t *testing.T) {
	site := startSandboxSite(t)
	b := newBrowser(t)
	p := &sandboxPage{browser: b, pane: "chat"}
	farmer := text(t, "vi", "persona.farmer")

	p.do("open the sandbox on a small phone", phoneScreen(640), chromedp.Navigate(site+"/sandbox"),
		chromedp.WaitVisible(chromedp.ID("sandbox-banner")))
	p.say("/ban")
	p.expect("reg.name", "Name", farmer)
	if room := p.chatRoom("measure the chat at 360×640"); !room.Banner || !room.LastInView || !room.BoxInView {
		t.Errorf("at 360×640 the page shows %+v, want the banner, the bot's question and the text box", room)
	}

	for i, answer := range []struct{ text, next string }{{"Hoàng Thị Lan", "reg.phone"}, {"0912 888 777", "reg.commune"}} {
		p.do("the keyboard opens", chromedp.Focus(chromedp.ID("text")), phoneScreen(380))
		p.waitFor("the page fits what the keyboard leaves", `document.documentElement.classList.contains("short")`)
		room := p.chatRoom("measure the chat at 360×380")
		t.Logf("answer %d: at 360×380: %+v", i+1, room)
		if room.Log < 150 || !room.LastInView || !room.BoxInView || !room.TabsInView {
			t.Errorf("answer %d: at 360×380 the page shows %+v, want a log of 150 px or more with the bot's last message in view, "+
				"the text box and every persona and view button on screen", i+1, room)
		}
		p.say(answer.text)
		p.expect(answer.next)
		if room := p.chatRoom("measure the chat after the reply"); !room.LastInView {
			t.Errorf("answer %d: the bot's reply is out of view: %+v", i+1, room)
		}
		p.do("the keyboard closes", phoneScreen(640))
		p.waitFor("the page has its room again", `!document.documentElement.classList.contains("short")`)
		if room := p.chatRoom("measure the chat at 360×640 again"); !room.Banner || !room.LastInView {
			t.Errorf("answer %d: with the keyboard closed the page shows %+v, want the banner and the bot's reply", i+1, room)
		}
	}
}

// When the server refuses the page's event stream (429: the address holds
// as many streams as it may), the page says it is reconnecting, and does:
// once the streams are freed, a message sent meanwhile shows. A send that
// fails keeps what the farmer typed, and it goes with the next tap.
func TestBrowserSandboxReconnectsAfterItsStreamIsRefusedAndKeepsAFailedMessage(t *testing.T) {
	tg := telegramtest.NewServer(t)
	env := orderEnv(t, tg)
	delete(env, "TELEGRAM_BOT_TOKEN")
	srv := startBot(t, tg, env)
	site := env["PUBLIC_BASE_URL"]
	farmer := text(t, "vi", "persona.farmer")
	offline := text(t, "vi", "sandbox.offline")

	// Other pages of this address hold every stream it may open.
	ctx, release := context.WithCancel(context.Background())
	t.Cleanup(release)
	for i := range 64 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/sandbox/api/events", nil)
		req.AddCookie(&http.Cookie{Name: "ns_sandbox", Value: fmt.Sprintf("%032x", i+1)})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("stream %d: %s", i+1, resp.Status)
		}
	}

	b := newBrowser(t)
	b.expect("/sandbox/api/events", "EventSource", "/sandbox/api/send") // refused and blocked on purpose
	p := &sandboxPage{browser: b, pane: "chat"}
	p.do("open the sandbox", chromedp.Navigate(site+"/sandbox"), chromedp.WaitVisible(chromedp.ID("sandbox-banner")))
	p.waitFor("the page says it lost the connection", `document.getElementById("notice").textContent === `+js(offline))

	// The streams close; the farmer's message is sent from elsewhere.
	release()
	// From the page's own origin, with its cookie: the message is this
	// visitor's farmer's (each visitor plays their own), sent beside the
	// page's composer.
	eval[bool](b, "send /ban from elsewhere", `fetch("/sandbox/api/send", {method: "POST",
		headers: {"Content-Type": "application/json"},
		body: JSON.stringify({persona: "farmer", chat: "private", text: "/ban"})}).then(r => { window.sentStatus = r.status }), true`)
	p.waitFor("the send is accepted", `window.sentStatus === 200`)
	p.expect("reg.name", "Name", farmer)
	p.waitFor("the notice goes", `document.getElementById("notice").hidden`)

	// On a dead link the send fails: the name stays in the box.
	block := func(on bool) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			var patterns []*network.BlockPattern
			if on {
				patterns = []*network.BlockPattern{{URLPattern: "*://*:*/sandbox/api/send", Block: true}}
			}
			_, err := cdp.Call(ctx, t, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: patterns})
			return err
		})
	}
	const name = "Hoàng Thị Lan"
	p.do("send on a dead link", block(true), chromedp.SendKeys(chromedp.ID("text"), name), chromedp.Click(chromedp.ID("send")))
	p.waitFor("the page says the send failed", `!document.getElementById("notice").hidden`)
	if got := eval[string](b, "read the text box", `document.getElementById("text").value`); got != name {
		t.Errorf("after a failed send the text box holds %q, want %q", got, name)
	}
	p.do("send again", block(false), chromedp.Click(chromedp.ID("send")))
	p.waitFor("the name is sent", expr(`mine("chat") === sq(`+js(name)+`)`))
	p.expect("reg.phone")
	p.waitFor("the text box is emptied once the name is sent", `document.getElementById("text").value === ""`)
}
