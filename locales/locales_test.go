package locales_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

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

// msgID finds message IDs written in Go code: M("x.y" and Msg{ID: "x.y".
var msgID = regexp.MustCompile(`(?:\bM\(|ID:\s*)"([a-z_]+\.[a-z0-9_.]+)"\s*[,)}]`)

func TestEveryMessageUsedInCodeExists(t *testing.T) {
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
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
