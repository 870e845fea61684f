// Package pages serves the public market pages: /cho (the listings on
// sale, filtered by product and area), /cho/{code} (one listing, with the
// OpenGraph tags a shared link shows), /cua-hang/{slug} (a farmer's store).
// Server-rendered, light enough for 3G, Vietnamese, and never showing a
// phone number or anything not on sale.
package pages

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed assets/pages.css
var css []byte

// Lang is the pages' language.
const Lang = "vi"

// PerPage is how many listings a market page shows.
const PerPage = 20

// CSP lets a page load its own CSS and photos and nothing else: no
// script at all.
const CSP = "default-src 'none'; img-src 'self' data:; style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Orderer is a channel buyers order through: by a deep link into its chat
// where it has them, else by typing the listing's code.
type Orderer interface {
	Name() flows.Channel
	Caps() bot.Caps
	DeepLink(payload string) string
}

// Config is what the pages need.
type Config struct {
	// Base is where they are mounted ("" or "/sandbox"); PublicURL is the
	// absolute URL of Base, for links shared elsewhere (OpenGraph).
	Base      string
	PublicURL string
	Sandbox   bool // show the sandbox banner
	Store     flows.Showcase
	Texts     flows.Texts
	Products  *vn.Catalog // names of products in the filter; nil: as listed
	Channels  []Orderer   // the ways to order, in this order
	Now       func() time.Time
	Log       zerolog.Logger
}

// Pages serves the market pages.
type Pages struct {
	Config
	tmpl    map[string]*template.Template
	cssPath string // {Base}/assets/pages.<hash>.css: cached for ever
	// root is where links start: Base under PublicURL's path, which a
	// proxy that serves the app below a path (https://host/nongsan/)
	// strips before the request comes here; chat is the sandbox's chat
	// page there. origin is PublicURL's scheme and host, cut from links
	// to this site so that they lead to the host the page was opened at
	// (a phone on the LAN, not localhost).
	root, chat, origin string
}

var _ bot.Mounter = (*Pages)(nil)

// New parses the templates.
func New(cfg Config) (*Pages, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Base, cfg.PublicURL = strings.TrimRight(cfg.Base, "/"), strings.TrimRight(cfg.PublicURL, "/")
	sum := sha256.Sum256(css)
	p := &Pages{Config: cfg, tmpl: map[string]*template.Template{},
		cssPath: cfg.Base + "/assets/pages." + hex.EncodeToString(sum[:6]) + ".css", root: cfg.Base}
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Host != "" {
		p.root, p.origin = strings.TrimRight(u.Path, "/"), u.Scheme+"://"+u.Host
	}
	p.chat = strings.TrimSuffix(p.root, cfg.Base) + "/sandbox"
	funcs := template.FuncMap{"t": p.t}
	names, err := fs.Glob(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if name == "templates/layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templates, "templates/layout.html", name)
		if err != nil {
			return nil, err
		}
		p.tmpl[strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")] = t
	}
	return p, nil
}

// t is a text of the pages' language; kv are its template's data.
func (p *Pages) t(id string, kv ...any) string { return p.Texts.Text(Lang, flows.M(id, kv...)) }

// Mount adds the pages' routes.
func (p *Pages) Mount(mux *http.ServeMux) {
	mux.Handle("GET "+p.Base+"/cho", p.headers(p.market()))
	mux.Handle("GET "+p.Base+"/cho/{code}", p.headers(p.listing()))
	mux.Handle("GET "+p.Base+"/cua-hang/{slug}", p.headers(p.store()))
	// As typed or completed by a phone's browser: the market, and the 404
	// page rather than the mux's bare English one.
	mux.Handle("GET "+p.Base+"/cho/{$}", p.headers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to := p.root + "/cho"
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, to, http.StatusMovedPermanently)
	})))
	// Every other address (one mistyped, an old link) gets the 404 page,
	// with its way back to the market; one served for another method (a
	// POST-only API) answers 405 with Allow, as the mux would without
	// this catch-all.
	for _, path := range []string{"/cua-hang", "/cua-hang/{$}", "/"} {
		mux.Handle("GET "+p.Base+path, p.headers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if allow := allowed(mux, r); allow != "" {
				w.Header().Set("Allow", allow)
				http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
				return
			}
			p.fail(w, r, flows.ErrNotFound)
		})))
	}
	// The host alone, as typed from a poster, opens the market; in the
	// sandbox, its chat page, which /sandbox/ (a slash a phone added) opens
	// too.
	home := func(to string) http.Handler {
		return p.headers(http.RedirectHandler(to, http.StatusFound))
	}
	switch {
	case !p.Sandbox:
		mux.Handle("GET "+p.Base+"/{$}", home(p.root+"/cho"))
	case p.Base == "":
		mux.Handle("GET /{$}", home(p.chat))
		mux.Handle("GET /sandbox/{$}", home(p.chat))
	default:
		mux.Handle("GET "+p.Base+"/{$}", home(p.chat))
	}
	mux.HandleFunc("GET "+p.cssPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(css)
	})
}

// allowed lists the methods other than GET that mux serves r's path with,
// "" if none.
func allowed(mux *http.ServeMux, r *http.Request) string {
	var methods []string
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		other := r.Clone(r.Context())
		other.Method = m
		if _, pattern := mux.Handler(other); pattern != "" {
			methods = append(methods, m)
		}
	}
	return strings.Join(methods, ", ")
}

// headers are every page's: the CSP, no sniffing, and no cached copy used
// without asking (what is left changes with every order). Pages are
// gzipped for browsers that accept it.
func (p *Pages) headers(next http.Handler) http.Handler {
	next = bot.Compress(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r)
	})
}

// page is what the layout shows around every page.
type page struct {
	Title       string
	Description string
	OG          *openGraph // nil: none
	Sandbox     bool
	Base        string // where links to the pages start
	Chat        string // the sandbox's chat page
	CSS         string
}

// openGraph is what a link shared on Zalo or Telegram shows: absolute URLs.
type openGraph struct {
	Title, Description, Image, URL string
}

func (p *Pages) page(title, description string) page {
	return page{Title: title, Description: description, Sandbox: p.Sandbox, Base: p.root, Chat: p.chat,
		CSS: p.root + strings.TrimPrefix(p.cssPath, p.Base)}
}

// render writes a page, whole or not at all.
func (p *Pages) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := p.tmpl[name].Execute(&buf, data); err != nil {
		p.Log.Error().Err(err).Str("page", name).Msg("render page")
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail answers 404 for what is not shown (unknown, ended, a draft), and
// 503 when the store cannot say, with a page either way.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, title, text := http.StatusNotFound, p.t("pages.not_found_title"), p.t("pages.not_found")
	if !errors.Is(err, flows.ErrNotFound) {
		p.Log.Warn().Err(err).Str("path", r.URL.Path).Msg("page unavailable")
		status, title, text = http.StatusServiceUnavailable, p.t("pages.unavailable_title"), p.t("pages.unavailable")
		w.Header().Set("Retry-After", "30")
	}
	p.render(w, status, "error", struct {
		page
		Text string
	}{p.page(title, ""), text})
}

// Codes and slugs as they can be; anything else is not looked up.
var (
	codePattern = regexp.MustCompile(`^NS-[2-9A-HJ-NP-Z]{4}$`)
	slugPattern = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)
)

// format renders values the DOMAIN way.
func (p *Pages) format() flows.Format {
	return flows.Format{Texts: p.Texts, Lang: Lang, Now: p.Now(), Products: p.Products}
}

// card is one listing as pages show it.
type card struct {
	Code, Product, URL string
	Photos             []photo // the first on a card, all on the listing's page
	Price, Remaining   string
	Quantity           string
	Place, Ready       string
	ReadyLine          string // when it is ready, as the card says it
	Note, GrowingCode  string
	SoldOut            bool
	Seller, StoreURL   string
	Orders             []orderWay
}

// photo is a listing's photo as an img: relative URLs, in every width
// offered, and the kept copy's size (0: not known yet, no attributes).
type photo struct {
	Src, Set, Alt string
	Sizes         string // the photo's width on the page, for srcset
	Width, Height int
	Lazy          bool
}

// orderWay is a link into a channel's chat, or what to type there.
type orderWay struct {
	Label, URL string
}

func (p *Pages) card(l flows.Shown, width int) card {
	f := p.format()
	today := vn.Today(p.Now())
	c := card{
		Code: l.Code, Product: l.Product, URL: p.root + "/cho/" + l.Code,
		Price:       f.Price(l.Price),
		Quantity:    f.Stock(l.Quantity, l.ProductKey),
		Remaining:   p.t("pages.remaining", "Quantity", f.Stock(vn.Quantity{Milli: l.Remaining, Unit: l.Quantity.Unit}, l.ProductKey)),
		Place:       f.Place(l.Store.Place()),
		Ready:       f.Date(l.Ready),
		Note:        l.Note,
		GrowingCode: l.GrowingCode,
		SoldOut:     l.Status != flows.Active || l.Remaining == 0,
		Seller:      l.Store.Name,
		StoreURL:    p.root + "/cua-hang/" + l.Store.Slug,
	}
	if c.SoldOut {
		c.Remaining = p.t("pages.sold_out")
	} else {
		c.Orders = p.orderWays(l.Code)
	}
	// A listing stays up for days after its ready date: then it is ready
	// now, not "thứ Hai 30/11" as if still to come.
	switch ready := vn.Today(l.Ready); {
	case ready.Before(today):
		c.ReadyLine = p.t("pages.ready_now")
	case ready.Equal(today):
		c.ReadyLine = p.t("pages.ready_today", "Date", c.Ready)
	case ready.Equal(today.AddDate(0, 0, 1)):
		c.ReadyLine = p.t("pages.ready_tomorrow", "Date", c.Ready)
	default:
		c.ReadyLine = p.t("pages.ready", "Date", c.Ready)
	}
	for i, ph := range l.Photos {
		// Every width offered: a phone of 360 px at DPR 2 takes the 960
		// only when the card is that wide.
		var set []string
		for _, w := range bot.PageWidths {
			set = append(set, p.photoURL(ph.ID, w)+" "+itoa(w)+"w")
		}
		alt := p.t("pages.photo_alt", "Product", l.Product, "Seller", l.Store.Name)
		if len(l.Photos) > 1 {
			alt = p.t("pages.photo_alt_nth", "N", i+1, "Total", len(l.Photos), "Product", l.Product, "Seller", l.Store.Name)
		}
		c.Photos = append(c.Photos, photo{Src: p.photoURL(ph.ID, width), Set: strings.Join(set, ", "), Alt: alt, Sizes: cardSizes,
			Width: ph.Width, Height: ph.Height, Lazy: true})
	}
	return c
}

// The width of a card's photo (the grid's columns) and of the listing
// page's, as the CSS lays them out.
const (
	cardSizes   = "(max-width: 40rem) calc(100vw - 2rem), 21rem"
	singleSizes = "(max-width: 42rem) calc(100vw - 2rem), 40rem"
)

// photoURL is a listing photo's URL on this site, in one of the media widths.
func (p *Pages) photoURL(id string, width int) string {
	if !slices.Contains(bot.PageWidths, width) {
		return p.root + "/media/" + id
	}
	return p.root + "/media/" + id + "?w=" + itoa(width)
}

// orderWays are how to order a listing on each channel the app has.
func (p *Pages) orderWays(code string) []orderWay {
	var ways []orderWay
	for _, ch := range p.Channels {
		name := flows.ChannelName(p.Texts, Lang, ch.Name())
		if ch.Caps().DeepLinks {
			payload := flows.Action{Kind: flows.ActOrder, Code: code}.Payload()
			label := p.t("pages.order_via", "Channel", name)
			if p.Sandbox { // its one channel is the sandbox's chat page
				label = p.t("pages.order_sandbox")
			}
			ways = append(ways, orderWay{Label: label, URL: p.local(ch.DeepLink(payload))})
			continue
		}
		ways = append(ways, orderWay{Label: p.t("pages.order_typed", "Code", code, "Channel", name, "BotName", ch.Caps().BotName)})
	}
	return ways
}

// local makes a link to this site a path, so that it leads to the host
// the page was opened at; other links stay as they are.
func (p *Pages) local(u string) string {
	if p.origin == "" {
		return u
	}
	if rest, ok := strings.CutPrefix(u, p.origin); ok && (rest == "" || rest[0] == '/' || rest[0] == '?') {
		return rest
	}
	return u
}

func itoa(n int) string { return strconv.Itoa(n) }

// ctx bounds a page's reads.
func ctx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), 5*time.Second)
}
