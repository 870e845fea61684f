package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Phone-sized, as most farmers and buyers see the pages.
const (
	phoneWidth  = 390
	phoneHeight = 844
	phoneScale  = 2
	// stepTimeout bounds one step of a browser test: a page to load, an
	// element to appear, a reply to come; the shared test machine is slow.
	stepTimeout = 30 * time.Second
)

// chromiumPath is the browser the browser tests drive: CHROMIUM_PATH, else
// Debian's chromium (which `make test` installs when root) or a Chrome on
// the PATH. Without one the test is skipped, except in CI, where .ci/run
// installs it and a skip would hide that it did not.
func chromiumPath(t testing.TB) string {
	t.Helper()
	names := []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"}
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		names = []string{p}
	}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const how = "no Chromium for the browser test: install Debian's package (sudo apt-get install chromium), " +
		"run `make test` as root (it installs it), or set CHROMIUM_PATH"
	if os.Getenv("CI") != "" {
		t.Fatal(how)
	}
	t.Skip(how)
	return ""
}

// browser is one headless Chromium tab at phone size. Console errors,
// uncaught exceptions and the browser's own errors (a Content-Security-Policy
// violation, a failed request) are problems, and problems fail the test at
// the step they appear in.
type browser struct {
	t   testing.TB
	ctx context.Context

	mu       sync.Mutex
	problems []string
	expected []string // what a test makes happen (a refused request): not a problem
}

// expect makes reports that contain any of parts no problem, for a test
// that refuses or blocks a request on purpose.
func (b *browser) expect(parts ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expected = append(b.expected, parts...)
}

func newBrowser(t testing.TB) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.WindowSize(phoneWidth, phoneHeight),
		chromedp.UserDataDir(t.TempDir()),
	)
	if os.Geteuid() == 0 { // Chromium refuses to start its sandbox as root (CI runs as root)
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx}

	// Starting the browser is the first Run, with no timeout: a step's
	// timeout would end the browser with the step.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// The browser asks for /favicon.ico of itself, whatever the page
			// says; the service has none, and that is no fault of a page.
			favicon := strings.HasSuffix(m.URL, "/favicon.ico")
			if (m.Type == chromedp.ConsoleError || m.IsException()) && !favicon {
				p := fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1)
				b.mu.Lock()
				if !slices.ContainsFunc(b.expected, func(e string) bool { return strings.Contains(p, e) }) {
					b.problems = append(b.problems, p)
				}
				b.mu.Unlock()
			}
		}
	}()
	b.do("phone screen", chromedp.EmulateViewport(phoneWidth, phoneHeight,
		chromedp.EmulateScale(phoneScale), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	t.Cleanup(func() {
		if p := b.takeProblems(); len(p) > 0 {
			t.Errorf("the browser reported:\n%s", strings.Join(p, "\n"))
		}
	})
	return b
}

// takeProblems returns the problems seen so far and forgets them.
func (b *browser) takeProblems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.problems
	b.problems = nil
	return p
}

// do runs the actions of one step within stepTimeout and fails the test,
// naming the step and the page it was on, when they fail or the page
// reported a problem meanwhile.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v\n%s", step, err, b.where())
	}
	if p := b.takeProblems(); len(p) > 0 {
		b.t.Fatalf("%s: the browser reported:\n%s\n%s", step, strings.Join(p, "\n"), b.where())
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](b *browser, step, expression string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expression))
	if err != nil {
		b.t.Fatalf("%s: %v\n%s", step, err, b.where())
	}
	return v
}

// waitFor polls a JavaScript condition until it is true, for step.
func (b *browser) waitFor(step, condition string) {
	b.t.Helper()
	b.do(step, chromedp.Action[chromedp.Void](func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](condition, chromedp.WithPollingInterval(50*time.Millisecond))(ctx, t)
		return chromedp.Void{}, err
	}))
}

// where is the page's address and the start of its text, to tell what the
// browser showed when a step failed.
func (b *browser) where() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	url, _ := chromedp.Run(ctx, chromedp.Location())
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if len(text) > 3000 {
		text = "…" + text[len(text)-3000:]
	}
	return fmt.Sprintf("page %s:\n%s", url, text)
}

// screenshot saves what the phone shows as deploy/docs/<name>.png, only
// when UPDATE_SCREENSHOTS=1 (`make test` must not change the work tree).
func (b *browser) screenshot(name string) {
	b.t.Helper()
	if os.Getenv("UPDATE_SCREENSHOTS") != "1" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	// What the screen shows, one pixel per CSS pixel: drawn at the phone's
	// scale and reduced, so sharp, and small enough for the README.
	view := eval[page.Viewport](b, "measure the screen",
		`({x: window.scrollX, y: window.scrollY, width: window.innerWidth, height: window.innerHeight, scale: 1 / devicePixelRatio})`)
	png, err := chromedp.Run(ctx, chromedp.Action[[]byte](func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{Clip: &view})
		return res.Data, err
	}))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join("..", "..", "deploy", "docs", name+".png")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("wrote %s", path)
}

// js quotes s as a JavaScript string.
func js(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// The harness itself: Chromium starts at phone size, runs a page's own
// script under a strict Content-Security-Policy, clicks, and reports a
// script the policy refuses.
func TestBrowserHarness(t *testing.T) {
	const csp = "default-src 'none'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		fmt.Fprint(w, `<!doctype html><html lang="vi"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Thử</title><button id="go">Bấm</button><p id="out"></p><script src="/app.js"></script>`)
	})
	mux.HandleFunc("GET /app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, `document.getElementById("go").addEventListener("click", () => {
	document.getElementById("out").textContent = "Đã bấm " + window.innerWidth;
});`)
	})
	mux.HandleFunc("GET /inline", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		fmt.Fprint(w, `<!doctype html><meta charset="utf-8"><title>Inline</title><script>document.title = "ran"</script>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	b := newBrowser(t)
	b.do("open the page", chromedp.Navigate(srv.URL+"/"), chromedp.Click(chromedp.ID("go")))
	b.waitFor("the page's script answers the click", `document.getElementById("out").textContent !== ""`)
	if got, want := eval[string](b, "read the answer", `document.getElementById("out").textContent`),
		fmt.Sprintf("Đã bấm %d", phoneWidth); got != want {
		t.Errorf("the page shows %q, want %q (a phone's width)", got, want)
	}

	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/inline")); err != nil {
		t.Fatal(err)
	}
	// The refusal is reported as the page loads, or just after.
	deadline := time.Now().Add(stepTimeout)
	var problems []string
	for time.Now().Before(deadline) && !slices.ContainsFunc(problems, func(p string) bool {
		return strings.Contains(p, "Content Security Policy")
	}) {
		problems = append(problems, b.takeProblems()...)
		time.Sleep(20 * time.Millisecond) // polling, not synchronisation
	}
	if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, "Content Security Policy") }) {
		t.Errorf("an inline script refused by the policy was not reported: %q", problems)
	}
	if title := eval[string](b, "read the title", `document.title`); title != "Inline" {
		t.Errorf("the refused script ran: title %q", title)
	}
}
