package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
)

// The page, its script and its style, in the binary: no CDN, no build step.
//
//go:embed ui/page.html ui/app.js ui/app.css
var files embed.FS

var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"t": func(string) string { return "" }, // replaced per channel, with its texts
}).ParseFS(files, "ui/page.html"))

// scriptStrings are the words the script shows, given to it with the page.
var scriptStrings = map[string]flows.Msg{
	"photo_alt": flows.M("sandbox.photo_alt"),
	"qr_alt":    flows.M("sandbox.qr_alt"),
	"offline":   flows.M("sandbox.offline"),
	"cleared":   flows.M("sandbox.cleared"),
	"sending":   flows.M("sandbox.sending"),
	"busy":      flows.M("sandbox.busy"),
	"menu":      flows.M("sandbox.menu"),
	"bad_photo": flows.M("sandbox.photo_bad"),
	"farmer":    flows.M("persona.farmer"),
	"buyer":     flows.M("persona.buyer"),
	"moderator": flows.M("persona.moderator"),
}

type persona struct{ ID, Role, Name string }

// page answers GET /sandbox: the chat page, in Vietnamese.
func (c *Channel) page() http.Handler {
	t := template.Must(pageTemplate.Clone()).Funcs(template.FuncMap{
		"t": func(id string) string { return c.text(flows.M(id)) },
	})
	strs := map[string]string{}
	for k, m := range scriptStrings {
		strs[k] = c.text(m)
	}
	roles := map[string]flows.Msg{Farmer: flows.M("sandbox.role_farmer"), Buyer: flows.M("sandbox.role_buyer"),
		Moderator: flows.M("sandbox.role_moderator")}
	var ps []persona
	for _, id := range Personas {
		ps = append(ps, persona{ID: id, Role: c.text(roles[id]), Name: c.text(personaNames[id])})
	}
	data := struct {
		Root     string
		Assets   map[string]string
		Origin   string
		Strings  map[string]string
		Personas []persona
		Market   string
	}{c.path, hashed, c.origin, strs, ps, c.text(personaNames[Market])}
	var buf bytes.Buffer
	err := t.Execute(&buf, data)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err != nil {
			c.cfg.Logger.Error().Err(err).Msg("sandbox page")
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		c.welcome(w, r)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(buf.Bytes()))
	})
}

// asset is the script or the style, by the names the page asks for.
type asset struct {
	body, gzipped []byte
	etag, gzEtag  string
	mime          string
}

func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

// assets are the script and the style, at their plain names (pages cached
// before a release ask for them, checked each time) and at names with
// their content's hash (the page's: cached for a year). Gzipped once here:
// on 3G the script is a third of the page's weight.
var assets, hashed = func() (map[string]asset, map[string]string) {
	all, names := map[string]asset{}, map[string]string{}
	for _, name := range []string{"app.js", "app.css"} {
		body, err := files.ReadFile("ui/" + name)
		if err != nil {
			panic(err)
		}
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		mime := "text/javascript; charset=utf-8"
		if strings.HasSuffix(name, ".css") {
			mime = "text/css; charset=utf-8"
		}
		sum := sha256.Sum256(body)
		base, ext, _ := strings.Cut(name, ".")
		names[name] = base + "." + hex.EncodeToString(sum[:6]) + "." + ext
		all[name] = asset{body, z.Bytes(), etag(body), etag(z.Bytes()), mime}
		all[names[name]] = all[name]
	}
	return all, names
}()

// ui serves the script and the style; nothing else of the ui folder.
func ui() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := assets[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.mime)
		h.Set("Vary", "Accept-Encoding")
		if _, plain := hashed[r.URL.Path]; plain {
			h.Set("Cache-Control", "no-cache")
		} else {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		body, tag := a.body, a.etag
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
			body, tag = a.gzipped, a.gzEtag
		}
		h.Set("ETag", tag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}
