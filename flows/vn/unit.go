package vn

import "strings"

// Unit is the canonical key of a unit of measure. The flows show it with a
// localised name; Price.Per and Product.Unit hold these keys.
type Unit string

// The canonical units. "trai" (the southern word for a fruit) is an alias of
// UnitQua: both count pieces of fruit, so one key serves both.
const (
	UnitKg    Unit = "kg"
	UnitYen   Unit = "yen"   // 10 kg
	UnitTa    Unit = "ta"    // 100 kg
	UnitTan   Unit = "tan"   // 1000 kg
	UnitLang  Unit = "lang"  // 100 g
	UnitQua   Unit = "qua"   // a piece of fruit, an egg (also "trai")
	UnitChuc  Unit = "chuc"  // a "dozen" of fruit: not always 10, kept as is
	UnitThung Unit = "thung" // a crate
	UnitBao   Unit = "bao"   // a sack
	UnitBo    Unit = "bo"    // a bunch (of vegetables)
	UnitCon   Unit = "con"   // an animal
	UnitLit   Unit = "lit"   // a litre
	// Counts farmers and traders use every day, never converted to kg.
	UnitBuong Unit = "buong" // a bunch (stem) of bananas
	UnitNai   Unit = "nai"   // a hand of bananas
	UnitSot   Unit = "sot"   // a basket
	UnitBi    Unit = "bi"    // a large bag
	UnitMo    Unit = "mo"    // a handful (of vegetables)
	UnitCay   Unit = "cay"   // a plant, a stalk, a tree
	UnitHop   Unit = "hop"   // a box
	UnitKien  Unit = "kien"  // a bale, a parcel
)

// Units lists the canonical units, weights first.
func Units() []Unit {
	return []Unit{UnitKg, UnitYen, UnitTa, UnitTan, UnitLang, UnitQua, UnitChuc,
		UnitThung, UnitBao, UnitBo, UnitCon, UnitLit,
		UnitBuong, UnitNai, UnitSot, UnitBi, UnitMo, UnitCay, UnitHop, UnitKien}
}

// unitMilliKg: grams per unit of each weight unit.
var unitMilliKg = map[Unit]int64{
	UnitLang: 100, UnitKg: 1000, UnitYen: 10_000, UnitTa: 100_000, UnitTan: 1_000_000,
}

// Kg returns the grams (thousandths of a kg) in one u: kg 1000, yen 10000,
// ta 100000, tan 1000000, lang 100. ok is false for count and volume units.
func (u Unit) Kg() (milliKg int64, ok bool) {
	m, ok := unitMilliKg[u]
	return m, ok
}

// IsWeight reports whether u is a unit of weight.
func (u Unit) IsWeight() bool { _, ok := unitMilliKg[u]; return ok }

// Valid reports whether u is one of the canonical units.
func (u Unit) Valid() bool {
	for _, v := range Units() {
		if u == v {
			return true
		}
	}
	return false
}

// unitAliases maps folded words (one or two) to units. The pseudo-unit
// "g" (grams) is understood in quantities and prices and converted to kg.
var unitAliases = map[string]Unit{
	"kg": UnitKg, "kgs": UnitKg, "ky": UnitKg, "ki": UnitKg, "kilo": UnitKg,
	"kilogram": UnitKg, "kilogam": UnitKg, "ki lo": UnitKg, "ki lo gam": UnitKg,
	"can": UnitKg, "kilos": UnitKg,
	"yen": UnitYen,
	"ta":  UnitTa,
	"tan": UnitTan, "t": UnitTan,
	"lang": UnitLang,
	"qua":  UnitQua, "trai": UnitQua,
	"chuc":  UnitChuc,
	"thung": UnitThung,
	"bao":   UnitBao,
	"bo":    UnitBo,
	"con":   UnitCon,
	"lit":   UnitLit, "l": UnitLit, "lits": UnitLit,
	"buong": UnitBuong, "nai": UnitNai, "sot": UnitSot, "bi": UnitBi,
	"mo": UnitMo, "cay": UnitCay, "hop": UnitHop, "kien": UnitKien,
	"g": unitGram, "gr": unitGram, "gam": unitGram, "gram": unitGram,
}

// unitGram is understood in input and converted: it is not a canonical Unit.
const unitGram Unit = "g"

// notUnitAfter lists words that, following a unit word, show it is not a
// unit: "Lang Son" is the province, not 100 g.
var notUnitAfter = map[Unit]map[string]bool{
	UnitLang: {"son": true},
	UnitTan:  {"son": true}, // "Tan Son"
	UnitKg:   {"tho": true}, // "can tho"
}

// ParseUnit reads a unit typed alone (`tấn`, `ký`, `trái`, `kg`). `Lạng Sơn`
// is not a unit. Grams are not a canonical unit: ParseUnit("g") is false.
func ParseUnit(s string) (Unit, bool) {
	p := &stream{toks: lex(Fold(s))}
	if p.isKind(0, tSlash) {
		p.i++
	}
	if t, ok := p.peek(0); ok && ((t.kind == tNum && t.text == "1") || t.text == "mot" || t.text == "moi") {
		p.i++
	}
	u, n := p.unit(0)
	if n == 0 || p.i+n != len(p.toks) || u == unitGram {
		return "", false
	}
	return u, true
}

// unit reads a unit at offset k of the cursor; n is the number of tokens it
// spans (0: none).
func (p *stream) unit(k int) (Unit, int) {
	w := p.word(k)
	if w == "" {
		return "", 0
	}
	// Longest alias first: "ki lo gam", "ki lo".
	for n := 3; n >= 1; n-- {
		words := make([]string, 0, n)
		for j := 0; j < n; j++ {
			wj := p.word(k + j)
			if wj == "" {
				break
			}
			words = append(words, wj)
		}
		if len(words) != n {
			continue
		}
		u, ok := unitAliases[strings.Join(words, " ")]
		if !ok {
			continue
		}
		if notUnitAfter[u][p.word(k+n)] {
			return "", 0
		}
		return u, n
	}
	return "", 0
}
