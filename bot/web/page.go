package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
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
		Origin   string
		Strings  map[string]string
		Personas []persona
		Market   string
	}{c.path, c.origin, strs, ps, c.text(personaNames[Market])}
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

// ui serves the script and the style.
func ui() http.Handler {
	sub, _ := fs.Sub(files, "ui")
	return http.FileServerFS(onlyAssets{sub})
}

// onlyAssets is the ui folder without the page's template.
type onlyAssets struct{ fs.FS }

func (a onlyAssets) Open(name string) (fs.File, error) {
	if name != "app.js" && name != "app.css" {
		return nil, fs.ErrNotExist
	}
	return a.FS.Open(name)
}
