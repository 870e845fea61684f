package pages_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/pages"
	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
	"github.com/nongsan-bot/nongsan/locales"
)

// channel is a way to order: with deep links (as Telegram) or without
// (as Zalo).
type channel struct {
	name  flows.Channel
	links bool
}

func (c channel) Name() flows.Channel { return c.name }
func (c channel) Caps() bot.Caps      { return bot.Caps{DeepLinks: c.links} }
func (c channel) DeepLink(payload string) string {
	return "https://t.me/nongsanbot?start=" + payload
}

// site is the pages over a fresh database, as an HTTP server.
type site struct {
	db  *postgres.DB
	url string
}

func newSite(t *testing.T, db *postgres.DB, base string, sandbox bool) *site {
	t.Helper()
	return newSiteOn(t, http.NewServeMux(), db, base, sandbox)
}

// newSiteOn is newSite on mux, which may hold other routes.
func newSiteOn(t *testing.T, mux *http.ServeMux, db *postgres.DB, base string, sandbox bool) *site {
	t.Helper()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	catalogs, err := locales.Catalogs()
	if err != nil {
		t.Fatal(err)
	}
	p, err := pages.New(pages.Config{Base: base, PublicURL: "https://cho.example" + base, Sandbox: sandbox, Store: db,
		Texts: texts, Products: catalogs.Products, Now: func() time.Time { return pageDay },
		Channels: []pages.Orderer{channel{flows.Telegram, true}, channel{flows.Zalo, false}}})
	if err != nil {
		t.Fatal(err)
	}
	p.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &site{db: db, url: srv.URL}
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// seller registers a farmer, with a phone number and a bank account that
// no page may show.
func seller(t *testing.T, db *postgres.DB, name, commune, area string) *flows.Seller {
	t.Helper()
	phones++
	s := &flows.Seller{Name: name, Phone: fmt.Sprintf("+8498765432%d", phones), Commune: commune, Area: area,
		Bank: &flows.BankAccount{BIN: "970436", Bank: "Vietcombank", Account: "0123456789123", Holder: "HOANG THI LAN"}}
	if err := db.SaveSeller(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

// listing publishes one with a photo, then puts it in status with remaining
// kilograms left.
func listing(t *testing.T, db *postgres.DB, s *flows.Seller, key, product, note, status string, remaining int64) *flows.Listing {
	t.Helper()
	ctx := context.Background()
	photo := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Telegram, Ref: "AgAD"}
	l, err := db.CreateListing(ctx, &flows.Listing{SellerID: s.ID, Channel: flows.Telegram, ProductKey: key, Product: product,
		Photos: []string{photo.String()}, Quantity: vn.Quantity{Milli: 100_000, Unit: vn.UnitKg},
		Price: vn.Price{VND: 25_000, Per: vn.UnitKg}, PriceTyped: "25k", Ready: time.Date(2026, 8, 15, 0, 0, 0, 0, vn.Location()),
		Note: note}, "telegram:"+flows.NewPhotoID(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE listings SET status = $2, remaining_milli = $3, expires_at = now() + interval '1 day'
		WHERE id = $1`, l.ID, status, remaining*1000); err != nil {
		t.Fatal(err)
	}
	l.Photos = []string{photo.String()}
	return l
}

var phones int

// pageDay is the day the pages are read on: listings are ready on 15/8,
// five days later.
var pageDay = time.Date(2026, 8, 10, 9, 0, 0, 0, vn.Location())

func photoID(l *flows.Listing) string {
	p, _ := flows.ParsePhotoRef(l.Photos[0])
	return p.ID
}

// article is the listing element of code in a page.
func article(body, code string) string {
	re := regexp.MustCompile(`(?s)<article class="listing[^"]*" data-code="` + code + `">.*?</article>`)
	return re.FindString(body)
}

func TestTheMarketListsWhatIsOnSaleWithWaysToOrder(t *testing.T) {
	db := pgtest.MustOpen(t)
	s := newSite(t, db, "", false)
	lan := seller(t, db, "Hoàng Thị Lan", "xã Quang Lang", "chi_lang")
	mai := seller(t, db, "Mai", "xã Vũ Lễ", "bac_son")
	na := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.Active, 80)
	quyt := listing(t, db, mai, "quyt-bac-son", "Quýt Bắc Sơn", "", flows.Active, 40)
	sold := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.SoldOut, 0)
	closed := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.Closed, 10)

	resp, body := get(t, s.url+"/cho")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") != pages.CSP ||
		resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("GET /cho: %d %v", resp.StatusCode, resp.Header)
	}
	for _, gone := range []string{sold.Code, closed.Code} {
		if strings.Contains(body, gone) {
			t.Errorf("the market shows %s, not on sale", gone)
		}
	}
	a := article(body, na.Code)
	for _, want := range []string{
		`<img src="/media/` + photoID(na) + `?w=480"`, `alt="Ảnh Na Chi Lăng của nhà vườn Hoàng Thị Lan"`,
		// Every width /media offers, so that a phone takes no more than its
		// card needs: 720 for a 360-px phone's column at twice its pixels.
		`srcset="/media/` + photoID(na) + `?w=320 320w, /media/` + photoID(na) + `?w=480 480w, /media/` + photoID(na) + `?w=720 720w, /media/` + photoID(na) + `?w=960 960w"`,
		`>Na Chi Lăng</a>`, `25.000 đ/kg`, `<p class="remaining">Còn 80 kg</p>`, `xã Quang Lang (Chi Lăng)`,
		`thứ Bảy 15/8`, `<a class="store" href="/cua-hang/` + lan.Slug + `">Hoàng Thị Lan</a>`,
		`<a class="order" href="https://t.me/nongsanbot?start=buy_` + strings.ReplaceAll(na.Code, "-", "") + `">🛒 Đặt mua qua Telegram</a>`,
		`Nhắn MUA ` + na.Code + ` cho Nông Sản Bot trên Zalo`,
	} {
		if !strings.Contains(a, want) {
			t.Errorf("the listing on the market lacks %q:\n%s", want, a)
		}
	}
	if article(body, quyt.Code) == "" {
		t.Errorf("the market lacks %s", quyt.Code)
	}
	for _, want := range []string{`<form id="filters"`, `<label for="sp">`, `<select id="sp" name="sp">`,
		`<option value="quyt-bac-son">Quýt Bắc Sơn</option>`, `<label for="vung">`, `<option value="bac_son">Bắc Sơn</option>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the filters lack %q", want)
		}
	}

	_, byProduct := get(t, s.url+"/cho?sp=quyt-bac-son")
	_, byArea := get(t, s.url+"/cho?vung=chi_lang")
	if article(byProduct, quyt.Code) == "" || article(byProduct, na.Code) != "" ||
		!strings.Contains(byProduct, `<option value="quyt-bac-son" selected>`) {
		t.Errorf("filtered by quýt:\n%s", byProduct)
	}
	if article(byArea, na.Code) == "" || article(byArea, quyt.Code) != "" {
		t.Errorf("filtered by Chi Lăng:\n%s", byArea)
	}
	if _, none := get(t, s.url+"/cho?sp=quyt-bac-son&vung=chi_lang"); !strings.Contains(none, "Chưa có tin bán nào như vậy") {
		t.Errorf("nothing like that: %s", none)
	}
}

// A listing is ready "hôm nay" or "ngày mai" when it is; once its ready
// date is past (it stays up for days after), it is ready now, not on a
// weekday that reads as still to come.
func TestTheReadyDateReadsFromToday(t *testing.T) {
	db := pgtest.MustOpen(t)
	s := newSite(t, db, "", false)
	lan := seller(t, db, "Lan", "xã Quang Lang", "chi_lang")
	for day, want := range map[int]string{-3: "📅 Có hàng ngay", 0: "📅 Có hàng: hôm nay, thứ Hai 10/8",
		1: "📅 Có hàng: ngày mai, thứ Ba 11/8", 5: "📅 Có hàng: thứ Bảy 15/8"} {
		l := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.Active, 80)
		if _, err := db.Pool.Exec(context.Background(), `UPDATE listings SET ready_on = $2 WHERE id = $1`,
			l.ID, pageDay.AddDate(0, 0, day)); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/cho", "/cho/" + l.Code} {
			_, body := get(t, s.url+path)
			if a := article(body, l.Code); !strings.Contains(a, `<p class="ready">`+want+`</p>`) {
				t.Errorf("ready %+d days: %s says\n%s\nwant %q", day, path, a, want)
			}
		}
	}
}

// A shared link to a page past the last (the listings since ended) leads
// to the first page, not to "the market has no listing".
func TestAPagePastTheLastLeadsToTheFirst(t *testing.T) {
	db := pgtest.MustOpen(t)
	s := newSite(t, db, "", false)
	lan := seller(t, db, "Lan", "xã Quang Lang", "chi_lang")
	na := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.Active, 80)
	resp, body := get(t, s.url+"/cho?vung=chi_lang&trang=3")
	if resp.Request.URL.RawQuery != "trang=1&vung=chi_lang" || article(body, na.Code) == "" || strings.Contains(body, "Chợ chưa có tin bán nào") {
		t.Errorf("page 3 of 1 leads to %s:\n%s", resp.Request.URL, body)
	}
}

func TestTheMarketIsPaged(t *testing.T) {
	db := pgtest.MustOpen(t)
	s := newSite(t, db, "", false)
	lan := seller(t, db, "Lan", "xã Quang Lang", "chi_lang")
	first := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.Active, 80) // the oldest: last
	for range pages.PerPage {
		listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.Active, 80)
	}
	_, one := get(t, s.url+"/cho?sp=na-chi-lang")
	if n := strings.Count(one, `<article class="listing"`); n != pages.PerPage || article(one, first.Code) != "" ||
		!strings.Contains(one, `<a rel="next" href="/cho?sp=na-chi-lang&amp;trang=2">`) || strings.Contains(one, `rel="prev"`) {
		t.Errorf("page 1 has %d listings:\n%s", n, one)
	}
	// The first two cards' photos, on screen as the page opens, load at
	// once; the others as they are scrolled to.
	imgs := regexp.MustCompile(`<img [^>]*>`).FindAllString(one, -1)
	for i, img := range imgs {
		if lazy := strings.Contains(img, `loading="lazy"`); lazy != (i >= 2) {
			t.Errorf("card %d's photo: lazy %v, want %v: %s", i+1, lazy, i >= 2, img)
		}
	}
	_, two := get(t, s.url+"/cho?sp=na-chi-lang&trang=2")
	if n := strings.Count(two, `<article class="listing"`); n != 1 || article(two, first.Code) == "" ||
		!strings.Contains(two, `<a rel="prev" href="/cho?sp=na-chi-lang&amp;trang=1">`) || strings.Contains(two, `rel="next"`) {
		t.Errorf("page 2 has %d listings:\n%s", n, two)
	}
}

func TestAListingPageShowsItForSharing(t *testing.T) {
	db := pgtest.MustOpen(t)
	s := newSite(t, db, "", false)
	lan := seller(t, db, "Lan", "xã Quang Lang", "chi_lang")
	na := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "Na dai, ngọt", flows.Active, 80)

	resp, body := get(t, s.url+"/cho/"+na.Code)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") != pages.CSP {
		t.Fatalf("GET /cho/%s: %d %v", na.Code, resp.StatusCode, resp.Header)
	}
	for _, want := range []string{
		`<meta property="og:title" content="Na Chi Lăng — 25.000 đ/kg">`,
		`<meta property="og:image" content="https://cho.example/media/` + photoID(na) + `?w=960">`,
		`<meta property="og:url" content="https://cho.example/cho/` + na.Code + `">`,
		`<meta property="og:description" content="Còn 80 kg · xã Quang Lang (Chi Lăng) · có hàng thứ Bảy 15/8 · nhà vườn Lan">`,
		`<h1>Na Chi Lăng</h1>`, `📝 Na dai, ngọt`, `<a class="order" href="https://t.me/nongsanbot?start=buy_`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the listing's page lacks %q", want)
		}
	}
}

// Whatever farmers type is shown as text, never run as the page's code.
func TestUserTextIsEscaped(t *testing.T) {
	db := pgtest.MustOpen(t)
	s := newSite(t, db, "", false)
	lan := seller(t, db, `Lan"><script>alert(1)</script>`, `<img src=x onerror=alert(2)>`, "chi_lang")
	l := listing(t, db, lan, "", `Na <script>alert(3)</script>`, `<script>alert("note")</script>`, flows.Active, 80)
	for _, path := range []string{"/cho", "/cho/" + l.Code, "/cua-hang/" + lan.Slug} {
		_, body := get(t, s.url+path)
		if strings.Contains(body, "<script") || strings.Contains(body, "<img src=x") || !strings.Contains(body, "&lt;script&gt;alert(") {
			t.Errorf("%s does not escape what farmers typed:\n%s", path, body)
		}
	}
}

func TestAStoreShowsItsListingsAndSoldOutOnesGreyed(t *testing.T) {
	db := pgtest.MustOpen(t)
	s := newSite(t, db, "", false)
	lan := seller(t, db, "Hoàng Thị Lan", "xã Quang Lang", "chi_lang")
	other := seller(t, db, "Mai", "xã Vũ Lễ", "bac_son")
	na := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.Active, 80)
	sold := listing(t, db, lan, "hong-khong-hat", "Hồng không hạt", "", flows.SoldOut, 0)
	closed := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.Closed, 10)
	theirs := listing(t, db, other, "quyt-bac-son", "Quýt Bắc Sơn", "", flows.Active, 10)

	resp, body := get(t, s.url+"/cua-hang/"+lan.Slug)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") != pages.CSP {
		t.Fatalf("GET the store: %d %v", resp.StatusCode, resp.Header)
	}
	if !strings.Contains(body, "Cửa hàng số của Hoàng Thị Lan") || !strings.Contains(article(body, na.Code), `class="order"`) {
		t.Errorf("the store:\n%s", body)
	}
	// A sold-out listing says so on its photo and in its text, under its
	// own heading after those on sale, with no way to order and no "Có
	// hàng" that reads as if it were still to be had.
	greyed := article(body, sold.Code)
	if !strings.HasPrefix(greyed, `<article class="listing sold-out"`) || !strings.Contains(greyed, `<span class="badge" aria-hidden="true">Đã hết hàng</span>`) ||
		!strings.Contains(greyed, `<p class="remaining">Đã hết hàng</p>`) || strings.Contains(greyed, `class="order`) || strings.Contains(greyed, "Có hàng") {
		t.Errorf("the sold-out listing:\n%s", greyed)
	}
	if heading, onSale, soldOut := strings.Index(body, `<h2 class="sold-out-heading">Đã bán hết gần đây</h2>`), strings.Index(body, article(body, na.Code)),
		strings.Index(body, greyed); heading < 0 || onSale > heading || heading > soldOut || !strings.Contains(body, "Đang có 1 tin bán.") {
		t.Errorf("the store shows what is on sale at %d, then the heading at %d, then the sold-out listing at %d; want that order:\n%s",
			onSale, heading, soldOut, body)
	}
	if strings.Contains(body, closed.Code) || strings.Contains(body, theirs.Code) {
		t.Errorf("the store shows a closed listing or another farmer's")
	}
	// A store with nothing on sale says so in words, not "0 tin bán".
	soldOnly := seller(t, db, "Cúc", "xã Vũ Lễ", "bac_son")
	gone := listing(t, db, soldOnly, "na-chi-lang", "Na Chi Lăng", "", flows.SoldOut, 0)
	if _, body := get(t, s.url+"/cua-hang/"+soldOnly.Slug); strings.Contains(body, "Đang có 0") ||
		!strings.Contains(body, "Nhà vườn chưa có hàng nào đang bán.") || article(body, gone.Code) == "" {
		t.Errorf("a store with only a sold-out listing:\n%s", body)
	}
	// No page shows anything personal.
	for _, path := range []string{"/cho", "/cho/" + na.Code, "/cho/" + sold.Code, "/cua-hang/" + lan.Slug} {
		_, body := get(t, s.url+path)
		for _, secret := range []string{"98765432", "987 654 32", "0123456789123", "Vietcombank", "HOANG THI LAN"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows %q", path, secret)
			}
		}
	}
}

func TestWhatIsNotShownIsNotFound(t *testing.T) {
	db := pgtest.MustOpen(t)
	s := newSite(t, db, "", false)
	lan := seller(t, db, "Lan", "xã Quang Lang", "chi_lang")
	sold := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.SoldOut, 0)
	closed := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.Closed, 10)
	expired := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.Expired, 10)
	// A sold-out listing cannot be ordered; its page leads to what else
	// the farmer sells.
	if resp, body := get(t, s.url+"/cho/"+sold.Code); resp.StatusCode != http.StatusOK ||
		!strings.HasPrefix(article(body, sold.Code), `<article class="listing single sold-out"`) || strings.Contains(body, "?start=") ||
		!strings.Contains(body, `<a class="go-store" href="/cua-hang/`+lan.Slug+`">🏪 Xem cửa hàng của Lan</a>`) {
		t.Errorf("a sold-out listing: %d\n%s", resp.StatusCode, body)
	} else if want := `<meta property="og:description" content="Đã hết hàng · xã Quang Lang (Chi Lăng) · nhà vườn Lan">`; !strings.Contains(body, want) {
		// A shared link's preview does not say when it will be ready.
		t.Errorf("a sold-out listing's preview lacks %s:\n%s", want, body)
	}
	if resp, body := get(t, s.url+"/cho/"+strings.ToLower(sold.Code)); resp.StatusCode != http.StatusOK || article(body, sold.Code) == "" {
		t.Errorf("a code in lower case: %d, want its listing", resp.StatusCode)
	}
	// One that ended, followed from an old link or a group post: its page
	// says so (410) and leads to the farmer's store and the market. One
	// sold out past its last day has ended too.
	soldLong := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.SoldOut, 0)
	if _, err := db.Pool.Exec(context.Background(), `UPDATE listings SET expires_at = now() - interval '1 hour' WHERE code = $1`, soldLong.Code); err != nil {
		t.Fatal(err)
	}
	for _, l := range []*flows.Listing{closed, expired, soldLong} {
		resp, body := get(t, s.url+"/cho/"+l.Code)
		for _, want := range []string{"<h1>Na Chi Lăng: tin bán đã kết thúc</h1>",
			"Tin bán Na Chi Lăng (" + l.Code + ") đã kết thúc, nhà vườn không bán hàng này nữa ạ.",
			`<a class="go-store" href="/cua-hang/` + lan.Slug + `">🏪 Xem cửa hàng của Lan</a>`, `<a href="/cho">← Xem cả chợ</a>`} {
			if !strings.Contains(body, want) {
				t.Errorf("the ended listing %s lacks %q:\n%s", l.Code, want, body)
			}
		}
		if resp.StatusCode != http.StatusGone || resp.Header.Get("Content-Security-Policy") != pages.CSP || strings.Contains(body, "98765432") {
			t.Errorf("the ended listing %s: %d, want 410 with the CSP, and no phone", l.Code, resp.StatusCode)
		}
	}
	// One a moderator took down is not found, as if it never was.
	removed := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.Removed, 10)
	for _, path := range []string{"/cho/" + removed.Code, "/cho/NS-2222", "/cho/ns-2222",
		"/cho/..%2F..%2Fetc", "/cua-hang/khong-co-2222", "/cua-hang/" + strings.ToUpper(lan.Slug), "/cua-hang/", "/cua-hang"} {
		resp, body := get(t, s.url+path)
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Security-Policy") != pages.CSP ||
			!strings.Contains(body, "Em không tìm thấy trang này") {
			t.Errorf("%s: %d, want a 404 page", path, resp.StatusCode)
		}
	}
}

// "/cho/", as typed or completed by a phone's browser, is the market
// (its filters kept), not a bare English "404 page not found".
func TestTheMarketWithATrailingSlashIsTheMarket(t *testing.T) {
	s := newSite(t, pgtest.MustOpen(t), "", false)
	resp, body := get(t, s.url+"/cho/?vung=chi_lang")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/cho" || resp.Request.URL.RawQuery != "vung=chi_lang" ||
		!strings.Contains(body, "<html") {
		t.Errorf("/cho/: %d at %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
}

// A long unbroken word a farmer typed (a link, "ngonnnnn…") wraps within
// its card on a phone instead of being cut off at the card's edge.
func TestALongWordWrapsInItsCard(t *testing.T) {
	s := newSite(t, pgtest.MustOpen(t), "", false)
	_, page := get(t, s.url+"/cho")
	css := regexp.MustCompile(`href="(/assets/pages\.[0-9a-f]+\.css)"`).FindStringSubmatch(page)
	if css == nil {
		t.Fatalf("no stylesheet in\n%s", page)
	}
	_, sheet := get(t, s.url+css[1])
	if rule := regexp.MustCompile(`\.listing \.body\{[^}]*\}`).FindString(sheet); !strings.Contains(rule, "overflow-wrap:anywhere") {
		t.Errorf("the cards' text does not wrap long words: %q", rule)
	}
}

// A page must load on 3G: a full market page and its CSS under 100 KB,
// with long names and notes.
func TestAFullPageIsUnder100KB(t *testing.T) {
	db := pgtest.MustOpen(t)
	s := newSite(t, db, "", false)
	long := strings.Repeat("Hợp tác xã nông nghiệp ", 4)
	lan := seller(t, db, long, "xã Quang Lang, "+long, "chi_lang")
	for i := range pages.PerPage + 1 {
		listing(t, db, lan, "na-chi-lang", fmt.Sprintf("Na Chi Lăng loại %d %s", i, long), strings.Repeat("ghi chú ", 30), flows.Active, 80)
	}
	_, body := get(t, s.url+"/cho")
	if n := strings.Count(body, `<article class="listing"`); n != pages.PerPage {
		t.Fatalf("the page shows %d listings, want a full page of %d", n, pages.PerPage)
	}
	css := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`).FindStringSubmatch(body)
	if css == nil {
		t.Fatal("no stylesheet")
	}
	resp, style := get(t, s.url+css[1])
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("the stylesheet: %d %v", resp.StatusCode, resp.Header)
	}
	if size := len(body) + len(style); size >= 100_000 {
		t.Errorf("a full market page and its CSS weigh %d bytes, over 100 KB", size)
	} else {
		t.Logf("a full market page: %d bytes of HTML, %d of CSS", len(body), len(style))
	}
}

func TestTheSandboxsPagesSayItIsASandbox(t *testing.T) {
	db := pgtest.MustOpen(t)
	s := newSite(t, db, "/sandbox", true)
	lan := seller(t, db, "Lan", "xã Quang Lang", "chi_lang")
	na := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.Active, 80)
	for _, path := range []string{"/sandbox/cho", "/sandbox/cho/" + na.Code, "/sandbox/cua-hang/" + lan.Slug, "/sandbox/cho/NS-2222"} {
		_, body := get(t, s.url+path)
		if !strings.Contains(body, `<div id="sandbox-banner" role="note">🧪 Đây là bản thử`) {
			t.Errorf("%s has no sandbox banner", path)
		}
	}
	_, body := get(t, s.url+"/sandbox/cho/"+na.Code)
	for _, want := range []string{`<img src="/sandbox/media/` + photoID(na) + `?w=480"`, `href="/sandbox/cua-hang/` + lan.Slug + `"`,
		`content="https://cho.example/sandbox/media/` + photoID(na) + `?w=960"`, `href="/sandbox/cho"`, `href="/sandbox/assets/pages.`,
		`">🛒 Đặt mua trong bản thử</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the sandbox's listing page lacks %q", want)
		}
	}
	if resp, _ := get(t, s.url+"/cho"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the sandbox's pages answer outside its base: %d", resp.StatusCode)
	}
}

// noFollow is a client that shows a redirect rather than following it.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// redirect is where GET url sends the browser.
func redirect(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := noFollow.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// The host alone, as typed from a poster, opens the market (the sandbox:
// its chat page, also at /sandbox/ as a phone completes it), and any other
// address the Vietnamese 404 page with its way back to the market, not
// the mux's bare English "404 page not found".
func TestTheHostAloneOpensTheMarketAndAnyOtherAddressIsTheVietnamese404(t *testing.T) {
	db := pgtest.MustOpen(t)
	for _, c := range []struct {
		name, base string
		sandbox    bool
		home       map[string]string // path → where it leads
		lost       []string          // paths of the 404 page
		back       string            // its link back to the market
	}{
		{"the real app", "", false, map[string]string{"/": "/cho"},
			[]string{"/khong-co", "/cho/NS-2222/anh", "/sandbox/", "/index.html", "/sandbox/cho"}, `href="/cho"`},
		{"the sandbox alone", "", true, map[string]string{"/": "/sandbox", "/sandbox/": "/sandbox"},
			[]string{"/khong-co", "/sandbox/khong-co"}, `href="/cho"`},
		{"the sandbox beside the real app", "/sandbox", true, map[string]string{"/sandbox/": "/sandbox"},
			[]string{"/sandbox/khong-co", "/sandbox/cho/NS-2222/anh"}, `href="/sandbox/cho"`},
	} {
		s := newSite(t, db, c.base, c.sandbox)
		for path, want := range c.home {
			if status, to := redirect(t, s.url+path); status != http.StatusFound || to != want {
				t.Errorf("%s: %s answers %d to %q, want %q", c.name, path, status, to, want)
			}
		}
		for _, path := range c.lost {
			resp, body := get(t, s.url+path)
			if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Security-Policy") != pages.CSP ||
				!strings.Contains(body, `<html lang="vi">`) || !strings.Contains(body, "Em không tìm thấy trang này") ||
				!strings.Contains(body, c.back+`>← Xem cả chợ</a>`) {
				t.Errorf("%s: %s: %d, want the Vietnamese 404 page with %s:\n%s", c.name, path, resp.StatusCode, c.back, body)
			}
		}
	}
}

// When PostgreSQL does not answer, the page says the market is busy, in
// its title too, and when to come back.
func TestTheMarketBusyPageSaysSo(t *testing.T) {
	db := pgtest.MustOpen(t)
	s := newSite(t, db, "", false)
	db.Close()
	resp, body := get(t, s.url+"/cho")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "30" ||
		!strings.Contains(body, "<title>Chợ đang bận · ") || !strings.Contains(body, "<h1>Chợ đang bận</h1>") ||
		strings.Contains(body, "Không tìm thấy") {
		t.Errorf("/cho without PostgreSQL: %d, Retry-After %q\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

// sandboxChat is the sandbox's web channel as an Orderer: its deep links
// are absolute, from PUBLIC_BASE_URL, and open its chat page.
type sandboxChat struct{ root string }

func (c sandboxChat) Name() flows.Channel { return flows.Web }
func (c sandboxChat) Caps() bot.Caps      { return bot.Caps{DeepLinks: true} }
func (c sandboxChat) DeepLink(payload string) string {
	return c.root + "/sandbox?start=" + payload
}

// Behind a proxy that serves the app under a path (PUBLIC_BASE_URL
// https://cho.example/nongsan, the prefix stripped), every link a page
// builds keeps the path; and the order buttons lead to the host the page
// was opened at (a phone on the LAN), not PUBLIC_BASE_URL's
// (localhost). Links shared elsewhere (OpenGraph) stay absolute.
func TestPagesLinkUnderPublicBaseURLsPathAndToTheHostTheyWereOpenedAt(t *testing.T) {
	db := pgtest.MustOpen(t)
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	p, err := pages.New(pages.Config{Base: "/sandbox", PublicURL: "https://cho.example/nongsan/sandbox", Sandbox: true, Store: db,
		Texts: texts, Channels: []pages.Orderer{sandboxChat{"https://cho.example/nongsan"}}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	p.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	lan := seller(t, db, "Lan", "xã Quang Lang", "chi_lang")
	na := listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.Active, 80)

	_, body := get(t, srv.URL+"/sandbox/cho/"+na.Code)
	for _, want := range []string{`<img src="/nongsan/sandbox/media/` + photoID(na) + `?w=480"`,
		`href="/nongsan/sandbox/cua-hang/` + lan.Slug + `"`, `href="/nongsan/sandbox/cho"`, `<a href="/nongsan/sandbox">`,
		`<a class="order" href="/nongsan/sandbox?start=buy_` + strings.ReplaceAll(na.Code, "-", "") + `">`,
		`content="https://cho.example/nongsan/sandbox/media/` + photoID(na) + `?w=960"`,
		`content="https://cho.example/nongsan/sandbox/cho/` + na.Code + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the listing page lacks %q:\n%s", want, body)
		}
	}
	if n := strings.Count(body, "https://cho.example"); n != 2 {
		t.Errorf("%d absolute links, want only og:image and og:url:\n%s", n, body)
	}
	css := regexp.MustCompile(`<link rel="stylesheet" href="/nongsan(/sandbox/assets/pages\.[0-9a-f]+\.css)">`).FindStringSubmatch(body)
	if css == nil {
		t.Fatalf("no stylesheet under /nongsan:\n%s", body)
	}
	if resp, _ := get(t, srv.URL+css[1]); resp.StatusCode != http.StatusOK {
		t.Errorf("the stylesheet, its prefix stripped by the proxy: %d", resp.StatusCode)
	}
	_, market := get(t, srv.URL+"/sandbox/cho")
	if !strings.Contains(market, `action="/nongsan/sandbox/cho"`) || !strings.Contains(market, `href="/nongsan/sandbox/cho/`+na.Code+`"`) {
		t.Errorf("the market's form and links lack the path:\n%s", market)
	}
	for path, want := range map[string]string{"/sandbox/cho/": "/nongsan/sandbox/cho", "/sandbox/": "/nongsan/sandbox",
		"/sandbox/cho/" + strings.ToLower(na.Code): "/nongsan/sandbox/cho/" + na.Code} {
		if _, to := redirect(t, srv.URL+path); to != want {
			t.Errorf("%s leads to %q, want %q", path, to, want)
		}
	}
}

// A buyer on the listing's page sees every photo the farmer sent, in her
// order, each of its own size so that nothing jumps as they load; a card
// on the market shows the first.
func TestAListingPageShowsEveryPhotoWithItsSize(t *testing.T) {
	db := pgtest.MustOpen(t)
	s := newSite(t, db, "", false)
	ctx := context.Background()
	lan := seller(t, db, "Lan", "xã Quang Lang", "chi_lang")
	refs := []flows.PhotoRef{
		{ID: flows.NewPhotoID(), Channel: flows.Telegram, Ref: "AgAD1"},
		{ID: flows.NewPhotoID(), Channel: flows.Telegram, Ref: "AgAD2"},
		{ID: flows.NewPhotoID(), Channel: flows.Telegram, Ref: "AgAD3"},
	}
	var tokens []string
	for _, r := range refs {
		tokens = append(tokens, r.String())
	}
	na, err := db.CreateListing(ctx, &flows.Listing{SellerID: lan.ID, Channel: flows.Telegram, ProductKey: "na-chi-lang",
		Product: "Na Chi Lăng", Photos: tokens, Quantity: vn.Quantity{Milli: 100_000, Unit: vn.UnitKg},
		Price: vn.Price{VND: 25_000, Per: vn.UnitKg}, PriceTyped: "25k", Ready: time.Date(2026, 8, 15, 0, 0, 0, 0, vn.Location())},
		"telegram:"+flows.NewPhotoID(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE listings SET expires_at = now() + interval '1 day' WHERE id = $1`, na.ID); err != nil {
		t.Fatal(err)
	}
	// The first a portrait, as phones take them; the third not kept yet.
	for i, size := range [][2]int{{960, 1280}, {1280, 960}} {
		if err := db.KeepPhoto(ctx, refs[i].ID, jpegOf(t, size[0], size[1]), "image/jpeg"); err != nil {
			t.Fatal(err)
		}
	}

	_, body := get(t, s.url+"/cho/"+na.Code)
	imgs := regexp.MustCompile(`<img [^>]*>`).FindAllString(article(body, na.Code), -1)
	if len(imgs) != 3 {
		t.Fatalf("the listing's page shows %d photos, want all 3:\n%s", len(imgs), article(body, na.Code))
	}
	// The way to order comes before the photos: a buyer sees it without
	// scrolling past them.
	if order, photos := strings.Index(body, `class="order"`), strings.Index(body, `<img `); order < 0 || order > photos {
		t.Errorf("the order link is at %d, the photos at %d: want the order first", order, photos)
	}
	// The first two load at once, the third as it is scrolled to.
	for i, want := range []string{
		`src="/media/` + refs[0].ID + `?w=480" srcset="/media/` + refs[0].ID + `?w=320 320w, /media/` + refs[0].ID + `?w=480 480w, /media/` + refs[0].ID + `?w=720 720w, /media/` + refs[0].ID + `?w=960 960w" sizes="(max-width: 42rem) calc(100vw - 2rem), 40rem" width="960" height="1280" alt="Ảnh 1/3: Na Chi Lăng của nhà vườn Lan">`,
		`src="/media/` + refs[1].ID + `?w=480" srcset="/media/` + refs[1].ID + `?w=320 320w, /media/` + refs[1].ID + `?w=480 480w, /media/` + refs[1].ID + `?w=720 720w, /media/` + refs[1].ID + `?w=960 960w" sizes="(max-width: 42rem) calc(100vw - 2rem), 40rem" width="1280" height="960" alt="Ảnh 2/3: Na Chi Lăng của nhà vườn Lan">`,
		`src="/media/` + refs[2].ID + `?w=480" srcset="/media/` + refs[2].ID + `?w=320 320w, /media/` + refs[2].ID + `?w=480 480w, /media/` + refs[2].ID + `?w=720 720w, /media/` + refs[2].ID + `?w=960 960w" sizes="(max-width: 42rem) calc(100vw - 2rem), 40rem" alt="Ảnh 3/3: Na Chi Lăng của nhà vườn Lan" loading="lazy">`,
	} {
		if !strings.HasSuffix(imgs[i], want) {
			t.Errorf("photo %d is %s\nwant it to end %s", i+1, imgs[i], want)
		}
	}

	_, market := get(t, s.url+"/cho")
	card := article(market, na.Code)
	if imgs := regexp.MustCompile(`<img [^>]*>`).FindAllString(card, -1); len(imgs) != 1 ||
		!strings.Contains(imgs[0], `src="/media/`+refs[0].ID+`?w=480"`) || !strings.Contains(imgs[0], `width="960" height="1280"`) {
		t.Errorf("the market's card shows %v, want the first photo alone, with its size", imgs)
	}
}

// jpegOf is a grey JPEG of w×h pixels.
func jpegOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A browser that accepts gzip (every one) gets the pages gzipped; a
// client that does not, plain.
func TestPagesAreGzippedForBrowsersThatAcceptIt(t *testing.T) {
	db := pgtest.MustOpen(t)
	s := newSite(t, db, "", false)
	lan := seller(t, db, "Lan", "xã Quang Lang", "chi_lang")
	for range 5 {
		listing(t, db, lan, "na-chi-lang", "Na Chi Lăng", "", flows.Active, 80)
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, accept := range []string{"gzip, deflate, br", ""} {
		req, _ := http.NewRequest(http.MethodGet, s.url+"/cho", nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := io.Reader(resp.Body)
		if enc := resp.Header.Get("Content-Encoding"); (enc == "gzip") != (accept != "") {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q", accept, enc)
		} else if enc == "gzip" {
			if body, err = gzip.NewReader(resp.Body); err != nil {
				t.Fatal(err)
			}
		}
		html, _ := io.ReadAll(body)
		resp.Body.Close()
		if !strings.Contains(string(html), "<h1>🌾 Hàng đang bán</h1>") || resp.Header.Get("Content-Security-Policy") != pages.CSP {
			t.Errorf("Accept-Encoding %q: the market reads %.300q", accept, html)
		}
	}
}

// A GET (or a POST) to an address served for another method only (the
// sandbox's API, a webhook) answers 405 with the methods it takes, not the
// 404 page, which a GET to an unknown address still gets.
func TestAnotherMethodOnAKnownAddressIs405WithAllow(t *testing.T) {
	db := pgtest.MustOpen(t)
	mux := http.NewServeMux()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	mux.Handle("POST /sandbox/api/send", ok)
	mux.Handle("POST /telegram/webhook", ok)
	mux.Handle("DELETE /telegram/webhook", ok)
	s := newSiteOn(t, mux, db, "", false)
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodGet, "/sandbox/api/send", "POST"},
		{http.MethodHead, "/sandbox/api/send", "POST"},
		{http.MethodGet, "/telegram/webhook", "POST, DELETE"},
		{http.MethodPost, "/cho", "GET, HEAD"},
	} {
		req, _ := http.NewRequest(c.method, s.url+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d, Allow %q; want 405, Allow %q", c.method, c.path, resp.StatusCode, resp.Header.Get("Allow"), c.allow)
		}
	}
	if resp, body := get(t, s.url+"/sandbox/api/khong-co"); resp.StatusCode != http.StatusNotFound ||
		!strings.Contains(body, "Em không tìm thấy trang này") {
		t.Errorf("GET of an unknown address: %d, want the Vietnamese 404 page:\n%s", resp.StatusCode, body)
	}
}
