package pages

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nongsan-bot/nongsan/flows"
)

// filter is a select of the market's form.
type filter struct {
	Name, Label string
	Options     []option
}

// option is one choice of a filter.
type option struct {
	Value, Label string
	Selected     bool
}

// market answers GET /cho?sp=<product key>&vung=<area tag>&trang=<page>.
func (p *Pages) market() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := p.query(r.URL.Query())
		ctx, cancel := ctx(r)
		defer cancel()
		listings, more, err := p.Store.Market(ctx, q)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		if len(listings) == 0 && q.Page > 1 {
			// A stale link past the last page: its first, not "the market
			// is empty".
			http.Redirect(w, r, p.marketURL(q, 1), http.StatusFound)
			return
		}
		products, err := p.Store.MarketProducts(ctx)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		view := struct {
			page
			Cards            []card
			Filters          []filter
			Filtered         bool
			Page             int
			PrevURL, NextURL string
		}{page: p.page(p.t("pages.market_title"), p.t("pages.market_description")),
			Filtered: q.Product != "" || q.Area != "", Page: q.Page}
		for _, l := range listings {
			view.Cards = append(view.Cards, p.card(l, 480))
		}
		eager(view.Cards)
		sp := filter{Name: "sp", Label: p.t("pages.filter_product"), Options: []option{{Label: p.t("pages.filter_all")}}}
		for _, mp := range products {
			name := mp.Name
			if pr, ok := p.catalogName(mp.Key); ok {
				name = pr
			}
			sp.Options = append(sp.Options, option{Value: mp.Key, Label: name, Selected: mp.Key == q.Product})
		}
		vung := filter{Name: "vung", Label: p.t("pages.filter_area"), Options: []option{{Label: p.t("pages.filter_all")}}}
		for _, a := range flows.Areas {
			vung.Options = append(vung.Options, option{Value: a, Label: p.format().Area(a), Selected: a == q.Area})
		}
		view.Filters = []filter{sp, vung}
		if q.Page > 1 {
			view.PrevURL = p.marketURL(q, q.Page-1)
		}
		if more {
			view.NextURL = p.marketURL(q, q.Page+1)
		}
		p.render(w, http.StatusOK, "market", view)
	})
}

// query reads the market's filters; what is not a product key, an area or
// a page number is left out.
func (p *Pages) query(v url.Values) flows.MarketQuery {
	q := flows.MarketQuery{Page: 1, PerPage: PerPage}
	if key := v.Get("sp"); slugPattern.MatchString(key) {
		q.Product = key
	}
	if area := v.Get("vung"); slices.Contains(flows.Areas, area) {
		q.Area = area
	}
	if n, err := strconv.Atoi(v.Get("trang")); err == nil && n > 1 && n <= 1000 {
		q.Page = n
	}
	return q
}

func (p *Pages) marketURL(q flows.MarketQuery, page int) string {
	v := url.Values{}
	if q.Product != "" {
		v.Set("sp", q.Product)
	}
	if q.Area != "" {
		v.Set("vung", q.Area)
	}
	v.Set("trang", strconv.Itoa(page))
	return p.root + "/cho?" + v.Encode()
}

func (p *Pages) catalogName(key string) (string, bool) {
	if p.Products == nil {
		return "", false
	}
	pr, ok := p.Products.ByKey(key)
	return pr.Name, ok
}

// listing answers GET /cho/{code}: a listing on sale or sold out.
func (p *Pages) listing() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A code typed in lower case ("ns-7k2q") is the listing's.
		if code := r.PathValue("code"); strings.ToUpper(code) != code && codePattern.MatchString(strings.ToUpper(code)) {
			http.Redirect(w, r, p.root+"/cho/"+strings.ToUpper(code), http.StatusMovedPermanently)
			return
		}
		found, ok := find(p, w, r, "code", codePattern, p.shownOrEnded)
		if !ok {
			return
		}
		if found.ended != nil {
			p.ended(w, found.ended)
			return
		}
		l := found.shown
		c := p.card(*l, 480)
		for i := range c.Photos {
			// Each as wide as the page's column; the first ones are what the
			// page is opened to see, the others load as they are scrolled to.
			c.Photos[i].Sizes, c.Photos[i].Lazy = singleSizes, i >= eagerPhotos
		}
		title := p.t("pages.listing_title", "Product", l.Product, "Price", c.Price)
		description := p.t("pages.listing_description", "Remaining", c.Remaining, "Place", c.Place, "Ready", c.Ready, "Seller", l.Store.Name,
			"SoldOut", c.SoldOut)
		view := struct {
			page
			Card card
		}{p.page(title, description), c}
		view.OG = &openGraph{Title: title, Description: description, URL: p.PublicURL + "/cho/" + l.Code}
		if l.Photo != "" {
			view.OG.Image = p.PublicURL + "/media/" + l.Photo + "?w=960"
		}
		p.render(w, http.StatusOK, "listing", view)
	})
}

// shownOrEnded is a listing on sale or sold out, else one that ended.
type shownOrEnded struct {
	shown *flows.Shown
	ended *flows.Ended
}

func (p *Pages) shownOrEnded(ctx context.Context, code string) (shownOrEnded, error) {
	l, err := p.Store.ShownListing(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		var e *flows.Ended
		if e, err = p.Store.EndedListing(ctx, code); err == nil {
			return shownOrEnded{ended: e}, nil
		}
	}
	return shownOrEnded{shown: l}, err
}

// ended answers for a listing whose page came down: 410, with a page that
// says so and leads to the farmer's store (what else they sell) and the
// market, rather than "not found" to a buyer who followed an old link.
func (p *Pages) ended(w http.ResponseWriter, e *flows.Ended) {
	view := struct {
		page
		Text, Seller, StoreURL string
	}{page: p.page(p.t("pages.ended_title", "Product", e.Product), ""),
		Text: p.t("pages.ended", "Product", e.Product, "Code", e.Code), Seller: e.Store.Name}
	if e.Store.Slug != "" {
		view.StoreURL = p.root + "/cua-hang/" + e.Store.Slug
	}
	p.render(w, http.StatusGone, "ended", view)
}

// store answers GET /cua-hang/{slug}: a farmer's store.
func (p *Pages) store() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := find(p, w, r, "slug", slugPattern, p.Store.Store)
		if !ok {
			return
		}
		title := p.t("pages.store_title", "Name", s.Name)
		place := p.format().Place(s.Place())
		view := struct {
			page
			Name, Place string
			Cards       []card // on sale
			SoldOut     []card // sold out lately, below, under their heading
			OnSale      int
		}{page: p.page(title, p.t("pages.store_description", "Name", s.Name, "Place", place)), Name: s.Name, Place: place}
		for _, l := range s.Listings {
			c := p.card(l, 480)
			if c.SoldOut {
				view.SoldOut = append(view.SoldOut, c)
				continue
			}
			view.Cards = append(view.Cards, c)
		}
		view.OnSale = len(view.Cards)
		eager(view.Cards)
		if len(view.Cards) == 0 {
			eager(view.SoldOut)
		}
		view.OG = &openGraph{Title: title, Description: view.Description, URL: p.PublicURL + "/cua-hang/" + s.Slug}
		for _, l := range s.Listings {
			if l.Photo != "" {
				view.OG.Image = p.PublicURL + "/media/" + l.Photo + "?w=960"
				break
			}
		}
		p.render(w, http.StatusOK, "store", view)
	})
}

// find reads what a page shows by its path value name, which must match
// pattern; else it answers with the 404 (or 503) page and false.
func find[T any](p *Pages, w http.ResponseWriter, r *http.Request, name string, pattern *regexp.Regexp,
	get func(context.Context, string) (T, error)) (T, bool) {
	var zero T
	value := r.PathValue(name)
	if !pattern.MatchString(value) {
		p.fail(w, r, flows.ErrNotFound)
		return zero, false
	}
	ctx, cancel := ctx(r)
	defer cancel()
	v, err := get(ctx, value)
	if err != nil {
		p.fail(w, r, err)
		return zero, false
	}
	return v, true
}

// eagerPhotos is how many photos a page loads at once, those a phone
// shows without scrolling: the first cards' (each shows one), or the
// listing page's first; the others load as they are scrolled to.
const eagerPhotos = 2

// eager loads the photos of the first cards at once.
func eager(cards []card) {
	for i := range cards[:min(len(cards), eagerPhotos)] {
		for j := range cards[i].Photos {
			cards[i].Photos[j].Lazy = false
		}
	}
}
