package locales_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

func TestLanguagesAreComplete(t *testing.T) {
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	vi, en := texts.IDs("vi"), texts.IDs("en")
	if len(vi) == 0 {
		t.Fatal("no Vietnamese messages")
	}
	for _, id := range vi {
		if !slices.Contains(en, id) {
			t.Errorf("%s is in vi.toml but not in en.toml", id)
		}
	}
	for _, id := range en {
		if !slices.Contains(vi, id) {
			t.Errorf("%s is in en.toml but not in vi.toml", id)
		}
	}
}

// msgID finds message IDs written in Go code: M("x.y" and Msg{ID: "x.y",
// and in web pages' templates: {{t "x.y"}} and p.t("x.y".
var msgID = regexp.MustCompile(`(?:\bM\(|ID:\s*|\{\{t |\bt\()"([a-z_]+\.[a-z0-9_.]+)"\s*[,)} ]`)

func TestEveryMessageUsedInCodeExists(t *testing.T) {
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		code := strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".html")
		if err != nil || d.IsDir() || !code || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range msgID.FindAllStringSubmatch(string(src), -1) {
			found++
			for _, lang := range texts.Langs() {
				if !slices.Contains(texts.IDs(lang), m[1]) {
					t.Errorf("%s uses message %q, missing from %s.toml", path, m[1], lang)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range flows.BuiltMessageIDs() {
		for _, lang := range texts.Langs() {
			if !slices.Contains(texts.IDs(lang), id) {
				t.Errorf("the flows build message %q, missing from %s.toml", id, lang)
			}
		}
	}
	if found < 10 {
		t.Fatalf("found only %d message IDs in code: is the pattern still right?", found)
	}
}

func TestTextRendersTemplateAndFallsBack(t *testing.T) {
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	got := texts.Text("vi", flows.M("start.welcome", "Name", "Lan"))
	if !strings.Contains(got, "Lan") || !strings.Contains(got, "anh/chị") {
		t.Errorf("vi welcome = %q", got)
	}
	if got := texts.Text("fr", flows.M("menu.help")); got != texts.Text("vi", flows.M("menu.help")) {
		t.Errorf("unknown language should fall back to Vietnamese, got %q", got)
	}
	if got := texts.Text("en", flows.M("menu.help")); !strings.Contains(got, "Help") {
		t.Errorf("en help = %q", got)
	}
}

// raw reads a message file as written: each ID's text, or its plural forms.
func raw(t *testing.T, lang string) map[string]string {
	t.Helper()
	var file map[string]any
	if _, err := toml.DecodeFile(lang+".toml", &file); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case string:
			out[prefix] = v
		case map[string]any:
			if other, ok := v["other"].(string); ok { // plural forms
				out[prefix] = other
				return
			}
			for k, sub := range v {
				walk(strings.TrimPrefix(prefix+"."+k, "."), sub)
			}
		}
	}
	walk("", file)
	return out
}

// field finds the template fields a message uses; action its template
// actions.
var (
	field  = regexp.MustCompile(`\.([A-Z][A-Za-z]*)`)
	action = regexp.MustCompile(`{{[^}]*}}`)
)

// Every message, rendered with sample data as a channel with buttons and as
// one without (numbered lists, as the renderer marks it with NoButtons),
// reads as the Voice section of DOMAIN.md asks: no template left over, no
// "anh/chị" glued to a full name, no "nút bên dưới" (the button is named),
// nothing to press where there are no buttons, short enough for a small
// phone; and the Vietnamese is not left in English.
func TestEveryMessageReadsWell(t *testing.T) {
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	vi, en := raw(t, "vi"), raw(t, "en")
	// Names of things that are the same in both languages.
	same := regexp.MustCompile(`^(fmt|unit|unit_many|area|product|channel|persona)\.|^lang\.|^(menu\.lang|cmd\.\w+)$`)
	glued := regexp.MustCompile(`(?i)anh/chị\s+(Hoàng|Lâm)`)
	press := regexp.MustCompile(`(?i)\b(bấm|press|tap)\b`)
	for id, text := range vi {
		data := map[string]any{}
		for _, m := range field.FindAllStringSubmatch(text+en[id], -1) {
			data[m[1]] = "Mẫu"
		}
		data["Name"] = "Hoàng Văn Lâm"
		// What the renderer and the texts fill in about the channel.
		delete(data, "Press")
		delete(data, "PressCap")
		for _, lang := range texts.Langs() {
			for _, noButtons := range []bool{false, true} {
				data["NoButtons"] = noButtons
				got := texts.Text(lang, flows.Msg{ID: id, Data: data, Count: 2})
				switch {
				case strings.Contains(got, "{{") || strings.Contains(got, "<no value>"):
					t.Errorf("%s (%s, no buttons: %v) leaves template markers: %q", id, lang, noButtons, got)
				case noButtons && press.MatchString(got) && id != "render.press": // the verb itself
					t.Errorf("%s (%s) says to press where there are no buttons (say choose, or what to type): %q", id, lang, got)
				case lang == "vi" && glued.MatchString(got):
					t.Errorf("%s writes anh/chị before a name (say Xin chào Hoàng Văn Lâm): %q", id, got)
				case lang == "vi" && strings.Contains(strings.ToLower(got), "bên dưới"):
					t.Errorf("%s says the button is below instead of naming it: %q", id, got)
				case utf8.RuneCountInString(got) > 700:
					t.Errorf("%s (%s) is %d characters: split it", id, lang, utf8.RuneCountInString(got))
				}
			}
		}
		words := action.ReplaceAllString(text, "") // what is left to translate
		if text == en[id] && !same.MatchString(id) && strings.ContainsFunc(words, unicode.IsLetter) {
			t.Errorf("%s is the same in Vietnamese and English: %q", id, text)
		}
	}
}

// A message without data is rendered once and kept; the same message with
// data is rendered with it, never served from what was kept.
func TestPlainTextsAreKeptApart(t *testing.T) {
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	plain := texts.Text("vi", flows.M("menu.title"))
	numbered := texts.Text("vi", flows.M("menu.title", "NoButtons", true))
	if plain == numbered || !strings.Contains(plain, "bấm") || !strings.Contains(numbered, "chọn") {
		t.Errorf("with buttons %q, numbered %q", plain, numbered)
	}
	if again := texts.Text("vi", flows.M("menu.title")); again != plain {
		t.Errorf("kept %q, first %q", again, plain)
	}
	if en := texts.Text("en", flows.M("menu.title")); en == plain {
		t.Errorf("English served the Vietnamese text %q", en)
	}
}

// Texts with plain data are kept by message and data: the same data gives
// the text as first rendered, other data, another language, other value
// types or a value that would pass for two never get it, and a value of
// another kind (a slice) is rendered every time.
func TestFilledTextsAreKeptApart(t *testing.T) {
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	lan := texts.Text("vi", flows.M("start.welcome", "Name", "Lan"))
	for _, c := range []struct {
		lang string
		m    flows.Msg
		same bool
	}{
		{"vi", flows.M("start.welcome", "Name", "Lan"), true},
		{"vi", flows.M("start.welcome", "Name", "Mai"), false},
		{"en", flows.M("start.welcome", "Name", "Lan"), false},
		{"vi", flows.M("start.welcome", "Name", 7), false},
		{"vi", flows.M("start.welcome", "Name", "La\x00n"), false},
		{"vi", flows.M("start.welcome", "Name", []string{"Lan"}), false},
	} {
		got := texts.Text(c.lang, c.m)
		again := texts.Text(c.lang, c.m)
		if got != again {
			t.Errorf("%s %v: %q, then %q", c.lang, c.m.Data, got, again)
		}
		if (got == lan) != c.same {
			t.Errorf("%s %v: %q, the first was %q", c.lang, c.m.Data, got, lan)
		}
	}
}

// English counts read in the singular for one, whether the count came as
// an int or, relayed as JSON, as a float64; and a quantity's unit is a
// plain name ("5 yến", not "5 yến (10 kg)").
func TestEnglishCountsOfOneReadInTheSingular(t *testing.T) {
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		m    flows.Msg
		want string
	}{
		{flows.M("follow.list", "Count", 1, "List", ""), "You follow 1 product:"},
		{flows.M("follow.list", "Count", float64(1), "List", ""), "You follow 1 product:"},
		{flows.M("follow.list", "Count", 2, "List", ""), "You follow 2 products:"},
		{flows.M("follow.digest", "Count", float64(1), "List", ""), "🔔 1 new listing you follow"},
		{flows.M("broadcast.picked_done", "Count", 1), "✅ Done (1 group)"},
		{flows.M("broadcast.areas_done", "Count", 3), "✅ Done (3 groups)"},
		{flows.M("broadcast_run.pins", "Pinned", 1, "NotPinned", 0), "📌 Pinned in 1 group."},
		{flows.M("broadcast_run.pins", "Pinned", 2, "NotPinned", 1, "Unpinned", "• Chợ Na"), "📌 In 1 group I could not pin it"},
		{flows.M("orders.awaiting", "Count", 2, "Orders", "", "Example", "DH-7K2Q"), "You have 2 orders waiting"},
		{flows.M("fmt.quantity", "Amount", "5", "Unit", texts.Text("en", flows.M("unit.yen"))), "5 yến"},
		// Counts that went through the outbox's JSON are floats.
		{flows.M("moderation.hidden", "Code", "NS-7K2Q", "Groups", "Chợ Na", "Left", float64(1)), "in 1 other group;"},
		{flows.M("unlink.pick", "Name", "Lan", "Phone", "0912 345 678", "Count", float64(2)), "shared with 2 accounts"},
		{flows.M("follow.followers", "Count", float64(1), "Product", "Na"), "1 person follows Na"},
		{flows.M("broadcast.pick", "Page", float64(2), "Pages", float64(3)), "Page 2 of 3."},
	} {
		if got := texts.Text("en", c.m); !strings.Contains(got, c.want) {
			t.Errorf("%s %v: %q, want %q in it", c.m.ID, c.m.Data, got, c.want)
		}
	}
}
