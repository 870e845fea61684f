package pages

import (
	"context"
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
		l, ok := find(p, w, r, "code", codePattern, p.Store.ShownListing)
		if !ok {
			return
		}
		c := p.card(*l, 480)
		for i := range c.Photos {
			// Each as wide as the page's column; the first is what the page
			// is opened to see, the others load as they are scrolled to.
			c.Photos[i].Sizes, c.Photos[i].Lazy = singleSizes, i > 0
		}
		title := p.t("pages.listing_title", "Product", l.Product, "Price", c.Price)
		description := p.t("pages.listing_description", "Remaining", c.Remaining, "Place", c.Place, "Ready", c.Ready, "Seller", l.Store.Name)
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
			Cards       []card
			OnSale      int
		}{page: p.page(title, p.t("pages.store_description", "Name", s.Name, "Place", place)), Name: s.Name, Place: place}
		for _, l := range s.Listings {
			c := p.card(l, 480)
			if !c.SoldOut {
				view.OnSale++
			}
			view.Cards = append(view.Cards, c)
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
