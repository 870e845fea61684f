// Package locales holds every user-facing text (vi.toml, en.toml) and the
// catalogs the bot reads as data (products, banks), embedded in the binary.
package locales

import (
	"embed"
	"fmt"
	"sort"

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
}

var _ flows.Texts = (*Texts)(nil)

// New loads the embedded message files.
func New() (*Texts, error) {
	b := i18n.NewBundle(language.Vietnamese)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	t := &Texts{bundle: b, localizers: map[string]*i18n.Localizer{}, ids: map[string][]string{}}
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
	}
	return t, nil
}

// Langs lists the languages users can choose, the default first.
func (t *Texts) Langs() []string { return t.langs }

// Text renders m in lang (Vietnamese when lang is unknown). A message missing
// from a language falls back to Vietnamese; tests keep both complete.
func (t *Texts) Text(lang string, m flows.Msg) string {
	l, ok := t.localizers[lang]
	if !ok {
		l = t.localizers[Default]
	}
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: m.ID, TemplateData: m.Data, PluralCount: m.Count})
	if err != nil && s == "" {
		return m.ID // never empty: an unknown ID shows itself, and a test catches it
	}
	return s
}

// IDs lists the message IDs defined for lang, sorted.
func (t *Texts) IDs(lang string) []string { return t.ids[lang] }
