// Package locales holds every user-facing text (vi.toml, en.toml) and the
// catalogs the bot reads as data (products, banks), embedded in the binary.
package locales

import (
	"embed"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/nongsan-bot/nongsan/flows"
)

//go:embed vi.toml en.toml
var messages embed.FS

// Default is the language of users who have not chosen one.
const Default = "vi"

// Texts localises flows.Msg values.
type Texts struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
	langs      []string
	ids        map[string][]string
	// press is, per language, the verb for picking a choice: with
	// buttons, and from a numbered list.
	press map[string][2]string
	// plain is, per language, the texts of messages without data, by ID,
	// as rendered once: button labels are rendered in every language at
	// every update that offers them, to be typed.
	plain map[string]*sync.Map
	// filled is, per language, the texts of messages whose data are plain
	// values (the product's name, a price, a code…), by message and data:
	// the same question is asked of many farmers, and its template costs
	// more than the key.
	filled map[string]*textCache
}

// textCache holds up to maxFilled texts; full, it starts over, so that
// texts of one-off data (a user's name) do not fill it for good.
type textCache struct {
	texts atomic.Pointer[sync.Map]
	n     atomic.Int64
}

const maxFilled = 4096

func (c *textCache) load(key string) (string, bool) {
	s, ok := c.texts.Load().Load(key)
	if !ok {
		return "", false
	}
	return s.(string), true
}

func (c *textCache) store(key, text string) {
	if c.n.Add(1) > maxFilled {
		c.texts.Store(&sync.Map{})
		c.n.Store(1)
	}
	c.texts.Load().Store(key, text)
}

var _ flows.Texts = (*Texts)(nil)

// New loads the embedded message files.
func New() (*Texts, error) {
	b := i18n.NewBundle(language.Vietnamese)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	t := &Texts{bundle: b, localizers: map[string]*i18n.Localizer{}, ids: map[string][]string{}, press: map[string][2]string{},
		plain: map[string]*sync.Map{}, filled: map[string]*textCache{}}
	for _, lang := range []string{"vi", "en"} {
		f, err := b.LoadMessageFileFS(messages, lang+".toml")
		if err != nil {
			return nil, fmt.Errorf("load %s messages: %w", lang, err)
		}
		for _, m := range f.Messages {
			t.ids[lang] = append(t.ids[lang], m.ID)
		}
		sort.Strings(t.ids[lang])
		t.localizers[lang] = i18n.NewLocalizer(b, lang)
		t.langs = append(t.langs, lang)
		t.plain[lang] = &sync.Map{}
		t.filled[lang] = &textCache{}
		t.filled[lang].texts.Store(&sync.Map{})
		t.press[lang] = [2]string{t.localise(lang, flows.M("render.press")), t.localise(lang, flows.M("render.press_numbered"))}
	}
	return t, nil
}

// Langs lists the languages users can choose, the default first.
func (t *Texts) Langs() []string { return t.langs }

// Text renders m in lang (Vietnamese when lang is unknown). A message missing
// from a language falls back to Vietnamese; tests keep both complete.
//
// Every text can say how the user picks a choice: {{.Press}} ({{.PressCap}}
// to begin a sentence) is render.press ("bấm" a button) or, when the data
// says NoButtons (the renderer does on channels without buttons),
// render.press_numbered ("chọn" from a numbered list).
func (t *Texts) Text(lang string, m flows.Msg) string {
	if _, ok := t.localizers[lang]; !ok {
		lang = Default
	}
	plain := len(m.Data) == 0 && m.Count == nil
	if plain {
		if s, ok := t.plain[lang].Load(m.ID); ok {
			return s.(string)
		}
	}
	key, simple := "", false
	if !plain {
		if key, simple = dataKey(m); simple {
			if s, ok := t.filled[lang].load(key); ok {
				return s
			}
		}
	}
	s := t.text(lang, m)
	switch {
	case plain:
		t.plain[lang].Store(m.ID, s)
	case simple:
		t.filled[lang].store(key, s)
	}
	return s
}

// dataKey names a message with its data, when every value is a string, a
// number or a bool (the data of most texts); false for any other value,
// which is rendered every time.
func dataKey(m flows.Msg) (string, bool) {
	if len(m.Data) > 8 {
		return "", false
	}
	var names [8]string
	keys := names[:0]
	for k := range m.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, 128)
	b = append(b, m.ID...)
	for _, k := range append(keys, "") {
		v := m.Count
		if k != "" {
			v = m.Data[k]
		}
		b = append(append(append(b, 0), k...), 0)
		switch v := v.(type) {
		case nil:
			b = append(b, 'n')
		case string: // its length first: no value can pass for two
			b = append(append(strconv.AppendInt(append(b, 's'), int64(len(v)), 10), ':'), v...)
		case int:
			b = strconv.AppendInt(append(b, 'i'), int64(v), 10)
		case int64:
			b = strconv.AppendInt(append(b, 'l'), v, 10)
		case float64:
			b = strconv.AppendFloat(append(b, 'f'), v, 'g', -1, 64)
		case bool:
			b = strconv.AppendBool(append(b, 'b'), v)
		default:
			return "", false
		}
	}
	return string(b), true
}

func (t *Texts) text(lang string, m flows.Msg) string {
	press := t.press[lang][0]
	if noButtons, _ := m.Data["NoButtons"].(bool); noButtons {
		press = t.press[lang][1]
	}
	data := maps.Clone(m.Data)
	if data == nil {
		data = map[string]any{}
	}
	if _, ok := data["Press"]; !ok {
		data["Press"], data["PressCap"] = press, capitalise(press)
	}
	for k, v := range data {
		// A count that went through JSON (the outbox) comes back a float:
		// a template's {{if eq .Left 1}} would fail on it, and the text
		// show its ID.
		if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			data[k] = int64(f)
		}
	}
	m.Data = data
	return t.localise(lang, m)
}

func (t *Texts) localise(lang string, m flows.Msg) string {
	s, err := t.localizers[lang].Localize(&i18n.LocalizeConfig{MessageID: m.ID, TemplateData: m.Data, PluralCount: m.Count})
	if err != nil && s == "" {
		return m.ID // never empty: an unknown ID shows itself, and a test catches it
	}
	return s
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// IDs lists the message IDs defined for lang, sorted.
func (t *Texts) IDs(lang string) []string { return t.ids[lang] }
