package vn

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/BurntSushi/toml"
)

// Product is an entry of the product catalog (locales/products.toml).
type Product struct {
	Key      string   `toml:"key"`      // stable id: callback data, storage
	Name     string   `toml:"name"`     // canonical Vietnamese display name
	NameEN   string   `toml:"name_en"`  // English display name
	Aliases  []string `toml:"aliases"`  // other names, matched folded
	Unit     Unit     `toml:"unit"`     // default unit of quantities and prices
	Area     string   `toml:"area"`     // optional area tag, e.g. "chi-lang"
	Featured bool     `toml:"featured"` // shown as a button
	// PieceMin: the lowest plausible price of one piece, in đồng, for a
	// product counted by the quả (eggs); 0: MinPerPiece, a hen's egg.
	// Quail eggs go for a few hundred.
	PieceMin int64 `toml:"piece_min"`
}

// Catalog is an immutable list of products with a folded-name index.
type Catalog struct {
	products []Product
	byKey    map[string]int
	byName   map[string]int   // folded name or alias -> product index
	names    [][][]string     // per product: its folded names, as words
	typoKeys []catalogTypoKey // names long enough for typo matching
}

type catalogTypoKey struct {
	name string
	idx  int
}

// matchLead: words before a product name that do not change it ("ban na",
// "qua bo"... "qua" and "trai" are fruit, "cay" a plant).
var matchLead = setOf("ban", "mua", "can", "co", "hang", "qua", "trai", "cay", "cu",
	"loai", "mat", "san", "pham", "nong", "gia", "tim", "xin", "dang")

// ParseCatalog reads the product catalog (TOML, a [[product]] table per
// product). It checks that keys are unique slugs, names are present, units
// are canonical and no folded name or alias belongs to two products.
func ParseCatalog(data []byte) (*Catalog, error) {
	var file struct {
		Product []Product `toml:"product"`
	}
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&file)
	if err != nil {
		return nil, fmt.Errorf("product catalog: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("product catalog: unknown field %s", und[0])
	}
	c := &Catalog{byKey: map[string]int{}, byName: map[string]int{}}
	for i, p := range file.Product {
		p.Name = Normalize(p.Name)
		p.NameEN = Normalize(p.NameEN)
		switch {
		case !isSlug(p.Key):
			return nil, fmt.Errorf("product catalog: product %d: key %q is not a slug", i+1, p.Key)
		case p.Name == "":
			return nil, fmt.Errorf("product catalog: %s: no name", p.Key)
		case !p.Unit.Valid():
			return nil, fmt.Errorf("product catalog: %s: unit %q is not canonical", p.Key, p.Unit)
		case p.Area != "" && !isSlug(p.Area):
			return nil, fmt.Errorf("product catalog: %s: area %q is not a slug", p.Key, p.Area)
		case p.PieceMin < 0 || p.PieceMin > 0 && p.Unit != UnitQua:
			return nil, fmt.Errorf("product catalog: %s: piece_min %d is for a product counted by the quả", p.Key, p.PieceMin)
		}
		if _, dup := c.byKey[p.Key]; dup {
			return nil, fmt.Errorf("product catalog: duplicate key %s", p.Key)
		}
		c.byKey[p.Key] = i
		var words [][]string
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			f := matchKey(n)
			if f == "" {
				return nil, fmt.Errorf("product catalog: %s: empty alias", p.Key)
			}
			if j, dup := c.byName[f]; dup && j != i {
				return nil, fmt.Errorf("product catalog: %q names both %s and %s",
					f, file.Product[j].Key, p.Key)
			} else if dup {
				continue
			}
			c.byName[f] = i
			words = append(words, strings.Fields(f))
			if len(f) >= 5 {
				c.typoKeys = append(c.typoKeys, catalogTypoKey{f, i})
			}
		}
		p.Aliases = slices.Clone(p.Aliases)
		c.products = append(c.products, p)
		c.names = append(c.names, words)
	}
	if len(c.products) == 0 {
		return nil, errors.New("product catalog: no product")
	}
	return c, nil
}

func isSlug(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// matchKey folds s and keeps only letters and digits, one space between
// words.
// Courtesy tells whether s is a courtesy ("cảm ơn", "cám ơn em"): it
// names no product, though "cảm" folds to "cam", an orange.
func Courtesy(s string) bool {
	k := untyped(matchKey(s)) // "camr own" too
	for c := range courtesies {
		if k == c || strings.HasPrefix(k, c+" ") {
			return true
		}
	}
	return false
}

func matchKey(s string) string {
	return strings.Join(strings.FieldsFunc(Fold(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

func clone(p Product) Product {
	p.Aliases = slices.Clone(p.Aliases)
	return p
}

// Products lists every product in catalog order.
func (c *Catalog) Products() []Product {
	out := make([]Product, len(c.products))
	for i, p := range c.products {
		out[i] = clone(p)
	}
	return out
}

// Featured lists the products shown as buttons, in catalog order.
func (c *Catalog) Featured() []Product {
	var out []Product
	for _, p := range c.products {
		if p.Featured {
			out = append(out, clone(p))
		}
	}
	return out
}

// ByKey finds a product by its key.
func (c *Catalog) ByKey(key string) (Product, bool) {
	i, ok := c.byKey[key]
	if !ok {
		return Product{}, false
	}
	return clone(c.products[i]), true
}

// Match finds the product a farmer means, without diacritics or case:
//  1. the whole text is a name or alias (`na`, `mãng cầu`, `Na Chi Lăng`);
//  2. else, after lead words (`bán`, `quả`, `loại`), the text starts with a
//     name or alias, the longest winning ("na dai loai 1", "rau muong",
//     "trung ga");
//  3. else, the whole text is one typo (an edit) away from exactly one
//     name or alias of 5 letters or more ("quyt bac sonn").
func (c *Catalog) Match(s string) (Product, bool) { return c.match(s, true) }

// match is Match, with or without typos (3.).
func (c *Catalog) match(s string, typos bool) (Product, bool) {
	f := matchKey(s)
	if f == "" || Courtesy(s) {
		return Product{}, false
	}
	if i, ok := c.byName[f]; ok {
		return clone(c.products[i]), true
	}
	words := strings.Fields(f)
	for len(words) > 1 && matchLead[words[0]] {
		if _, ok := c.byName[strings.Join(words, " ")]; ok {
			break
		}
		words = words[1:]
	}
	if i, ok := c.byName[strings.Join(words, " ")]; ok {
		return clone(c.products[i]), true
	}
	best, bestWords, bestChars := -1, 0, 0
	for i, names := range c.names {
		for _, n := range names {
			if len(n) > len(words) || !slices.Equal(n, words[:len(n)]) {
				continue
			}
			chars := len(strings.Join(n, " "))
			if len(n) > bestWords || len(n) == bestWords && chars > bestChars {
				best, bestWords, bestChars = i, len(n), chars
			}
		}
	}
	if best >= 0 {
		return clone(c.products[best]), true
	}
	if plain := untyped(f); typos && plain != f {
		return c.match(plain, true) // "nax", "cams", "maatj ong": Na, Cam, Mật ong
	}
	if typos && len(f) >= 5 {
		found := -1
		for _, k := range c.typoKeys {
			if k.idx != found && withinOneEdit(f, k.name) {
				if found >= 0 {
					return Product{}, false // two products: ambiguous
				}
				found = k.idx
			}
		}
		if found >= 0 {
			return clone(c.products[found]), true
		}
	}
	return Product{}, false
}

// isName tells whether s, lead words aside ("bán", "cây"), is one of p's
// names: its canonical name or an alias ("Thạch đen", "khoai môn", "mận
// hậu").
func (c *Catalog) isName(s string, p Product) bool {
	i, ok := c.byKey[p.Key]
	if !ok {
		return false
	}
	named := func(words []string) bool {
		j, ok := c.byName[strings.Join(words, " ")]
		return ok && j == i
	}
	words := strings.Fields(matchKey(s))
	for len(words) > 1 && matchLead[words[0]] && !named(words) {
		words = words[1:]
	}
	return named(words)
}

// MatchName finds the product as Match does, and the name to show for it:
// the farmer's words when they say more than the catalog's name, so that a
// qualifier that matters is kept ("mật ong rừng" is Mật ong, shown "Mật ong
// rừng"; "bưởi da xanh", "na dai", "gà đồi", "mãng cầu"), else the
// catalog's name ("na", "quả na" are Na Chi Lăng). Only the words of the
// matched name count: "na dai loại 1" shows "Na dai", a typo shows the
// catalog's name.
func (c *Catalog) MatchName(s string) (Product, string, bool) {
	p, ok := c.Match(s)
	if !ok {
		return Product{}, "", false
	}
	folded := strings.Fields(matchKey(s))
	typed := strings.FieldsFunc(Normalize(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(typed) != len(folded) {
		return p, p.Name, true
	}
	from := 0
	for from < len(folded)-1 && matchLead[folded[from]] {
		if _, whole := c.byName[strings.Join(folded[from:], " ")]; whole {
			break
		}
		from++
	}
	// The longest name of p that the words start with.
	n := 0
	for _, name := range c.names[c.byKey[p.Key]] {
		if len(name) > n && len(name) <= len(folded)-from && slices.Equal(name, folded[from:from+len(name)]) {
			n = len(name)
		}
	}
	canonical := strings.Fields(matchKey(p.Name))
	says := false
	for _, w := range folded[from : from+n] {
		says = says || !slices.Contains(canonical, w) && !matchLead[w] // "quả na" says no more
	}
	if !says {
		return p, p.Name, true
	}
	name := []rune(strings.Join(typed[from:from+n], " "))
	name[0] = unicode.ToUpper(name[0])
	return p, string(name), true
}

// untyped is folded text f without what a Telex or VNI keyboard left in
// it when it did not turn the keys into marks, as on a phone set up for
// English: "nax" (nà), "cams" (cám), "maatj ong" (mật ong), "buwoir"
// (bưởi), "dduaf" (đùa), "na2", "ma65t ong". No Vietnamese word written
// without marks holds s, f, r, x, j or w after its vowel (its initial
// consonants come before it), a doubled a, e, o or d, or a digit after a
// letter: each goes (a doubled letter becomes one; a w before any vowel,
// u). Words with none are
// left as they are; the result is f when there is nothing to take out.
func untyped(f string) string {
	return Untyped(f)
}

// Untyped is untyped for the flows: a choice's words typed on a keyboard
// that left its Telex or VNI keys ("xongf", "bor qua", "ddoongf y").
func Untyped(f string) string {
	words := strings.Fields(f)
	for i, w := range words {
		if w == "" || !('a' <= w[0] && w[0] <= 'z') {
			continue // "5ta", "25k": numbers, not words
		}
		b, vowel := make([]byte, 0, len(w)), false
		for j := 0; j < len(w); j++ {
			ch := w[j]
			prev := byte(0)
			if len(b) > 0 {
				prev = b[len(b)-1]
			}
			switch {
			case ch < 'a' || ch > 'z':
				if '1' <= ch && ch <= '9' {
					continue // VNI: 1-5 tones, 6-8 hats and hooks, 9 đ
				}
			case strings.IndexByte("sfrxjw", ch) >= 0 && vowel:
				continue // a tone or a hook, typed anywhere after the vowel: "cams", "truwngs", "trungws"
			case ch == 'w':
				ch = 'u'
			case ch == prev && strings.IndexByte("aeod", ch) >= 0:
				continue // â, ê, ô, đ
			}
			vowel = vowel || isVowel(ch)
			b = append(b, ch)
		}
		words[i] = string(b)
	}
	return strings.Join(words, " ")
}

func isVowel(c byte) bool { return c != 0 && strings.IndexByte("aeiouy", c) >= 0 }

// withinOneEdit reports whether a and b differ by at most one insertion,
// deletion, substitution or swap of adjacent bytes (ASCII after folding).
func withinOneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true
	}
	if len(a) == len(b) {
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return a[i:] == b[i+1:]
}
