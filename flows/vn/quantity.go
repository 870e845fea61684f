package vn

import (
	"errors"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// Quantity is an exact amount of a unit in thousandths: 1,5 tan is
// {Milli: 1500, Unit: "tan"}, 2 tan ruoi {2500, "tan"}, 500 kg {500000, "kg"}.
// Grams typed by the user are stored as kg (500 g = {500, "kg"}).
type Quantity struct {
	Milli int64
	Unit  Unit
}

// qtyLead: words before a quantity that do not change it ("khoang 5 ta",
// "con 2 tan", "da em co tam 5 ta"). A lead word is skipped only when no
// unit follows it, so "tam ta" stays "8 ta" and "con" stays a unit after a
// number.
var qtyLead = setOf("khoang", "tam", "chung", "co", "con", "tren", "gan", "hon",
	"du", "duoi", "tong", "la", "ban", "mua", "lay", "can", "sl", "so", "luong",
	"cong", "tat", "ca", "dat", "duoc", "chi", "xin", "hang",
	// politeness and who speaks: "da", "vang", "u", "em", "nha em"
	"da", "vang", "u", "uh", "em", "anh", "minh", "toi", "nha", "ben", "thi",
	"uoc", "chac", "cung", "khoang chung", "ok", "oke", "dung", "roi")

// qtyTail: words after a quantity that do not change it ("5 ta thoi", "3
// ta a anh").
var qtyTail = setOf("thoi", "nhe", "nha", "a", "ah", "roi", "nua", "hon", "do",
	"day", "hang", "thi", "nhieu", "it", "chan", "khoang", "tam",
	"ak", "ha", "nhen", "ne", "nhi", "anh", "chi", "em", "ban", "oi", "luon",
	"bac", "co", "chu", "vay", "the", "ca", "tat")

// qtyMults: number words that multiply ("2 tram kg", "3 nghin qua").
var qtyMults = map[string]int64{"tram": 100, "nghin": 1000, "ngan": 1000, "trieu": 1_000_000}

// restatedWords introduce a second writing of the amount just read: "2 tấn
// tức 2000 kg", "5 tạ = 500kg" ("=" and brackets are marked by the lexer).
var restatedWords = setOf("tuc", "nghia", "tuong", "duong", "bang", "la")

// qtyStream lexes s for the quantity parsers, spoken numbers read.
// defaultUnit is what is counted: "chục quả" counts tens of quả where quả
// are (eggs sold by the piece), and is a chục of fruit, its own unit (not
// always ten), elsewhere. Either way "hai chục" stays 2 chục here; the
// parser counts it when quả is named (finishCounted).
func qtyStream(s string, defaultUnit Unit) *stream {
	return &stream{toks: spoken(joinSpacedThousands(lex(Fold(s))), func(next string) bool {
		u, ok := unitAliases[next]
		// "hai chuc can": 20 kg; "hai chuc": 2 chục
		return ok && u != UnitChuc && (u != UnitQua || defaultUnit == UnitQua)
	})}
}

// ParseQuantity reads an amount with its unit: `500kg`, `500 kg`, `5 tạ`,
// `nửa tấn`, `1,5 tấn`, `2 tấn rưỡi`, `tạ rưỡi`, `1 tấn 2` (1,2 tấn),
// `1 tấn 200 kg`, `1.000 kg`, `20 quả`, `500 g` (0,5 kg), `mot tan`,
// `năm mươi cân`, `hai lăm tạ`, `dạ em có tầm 3 tạ ạ`, `2 chục rưỡi quả`
// (2,5 chục). A bare number takes defaultUnit (an empty one gives
// ErrNoUnit), which is also what is counted: where it is quả, tens of quả
// named are ten quả each, so `3 chục quả` is 30 quả and `2 chục rưỡi quả`
// 25 quả; elsewhere a chục stays its own unit, and so does a bare `2
// chục` everywhere: only the flow knows whether the product's chục is ten
// (eggs, Quantity.Counted) or not (fruit, DOMAIN.md). `Lạng Sơn` is not 100 g,
// and `tan` is tấn only after a number. `1.500` is 1500; `1,5` and `1,500`
// are 1,5 (Vietnamese decimal comma), `1,000` is 1000.
//
// Two writings of one amount are one amount: `2 tấn (2000kg)`, `2 tấn tức
// 2000 kg`, `5 tạ = 500kg`, `2 tấn 2000 kg`. When they disagree (`2 tấn
// (200kg)`), the first is returned WITH ErrUnsure, for the flow to confirm
// ("2 tấn, đúng không?") rather than guess.
//
// Errors: ErrNoNumber, ErrUnknownUnit, ErrNoUnit, ErrZero, ErrNotQuantity,
// ErrQuantityRange, ErrTooLarge, ErrUnsure (with the first amount).
func ParseQuantity(s string, defaultUnit Unit) (Quantity, error) {
	return ParseQuantityOf(s, defaultUnit, "")
}

// ParseQuantityOf is ParseQuantity for an amount of product (its name as
// shown, "" for none): a word of a count unit that is the first word of
// the product's own name spelled otherwise names the product, not the
// unit ("20 bí" of bí đỏ is 20 quả, not 20 bì; "20 bào" of bào ngư is 20
// of defaultUnit when it counts, else ErrNoUnit, not 20 bao; see
// productWords).
func ParseQuantityOf(s string, defaultUnit Unit, product string) (Quantity, error) {
	p := qtyStream(s, defaultUnit)
	if p.countProduct(s, product, defaultUnit) {
		defaultUnit = "" // "20 bào" of bào ngư sold by weight: 20 what?
	}
	q, bare, err := p.quantity(defaultUnit)
	if err != nil && !errors.Is(err, ErrUnsure) {
		return Quantity{}, err
	}
	if err == nil {
		q, err = p.restated(q, defaultUnit)
	}
	p.skip(qtyTail)
	if !p.done() {
		if bare && p.isKind(0, tWord) {
			return Quantity{}, ErrUnknownUnit
		}
		return Quantity{}, ErrNotQuantity
	}
	return q, err
}

// ParseQuantityRest reads a quantity at the start of s, as ParseQuantity,
// and returns what follows it as typed (trimmed), e.g. the product or the
// kind of crate named after the amount: "3 tạ na" gives 3 tạ and "na",
// "10 thùng xốp" 10 thùng and "xốp", "100 quả bưởi" 100 quả and "bưởi". A
// bare number followed by words is ErrUnknownUnit, as in ParseQuantity:
// "3 na" names no unit.
func ParseQuantityRest(s string, defaultUnit Unit) (Quantity, string, error) {
	return ParseQuantityRestOf(s, defaultUnit, "")
}

// ParseQuantityRestOf is ParseQuantityRest for an amount of product, as
// ParseQuantityOf: "20 bí đỏ" of bí đỏ is 20 quả, nothing left.
func ParseQuantityRestOf(s string, defaultUnit Unit, product string) (Quantity, string, error) {
	p := qtyStream(s, defaultUnit)
	if p.countProduct(s, product, defaultUnit) {
		defaultUnit = ""
	}
	q, bare, err := p.quantity(defaultUnit)
	if err != nil && !errors.Is(err, ErrUnsure) {
		return Quantity{}, "", err
	}
	if err == nil {
		q, err = p.restated(q, defaultUnit)
	}
	p.skip(qtyTail)
	if p.done() {
		return q, "", err
	}
	if bare {
		return Quantity{}, "", ErrUnknownUnit
	}
	return q, restAsTyped(s, p.toks[p.i].start), err
}

// countSpellings: how the one-word aliases of each count unit are
// written, with their diacritics: a word typed so is the unit, whatever
// the product ("20 bì" of bí đỏ are 20 bì).
var countSpellings = map[Unit][]string{
	UnitQua: {"quả", "trái"}, UnitChuc: {"chục"}, UnitThung: {"thùng"}, UnitBao: {"bao"}, UnitBo: {"bó"},
	UnitCon: {"con"}, UnitLit: {"lít", "l", "lits"}, UnitBuong: {"buồng"}, UnitNai: {"nải"}, UnitSot: {"sọt"},
	UnitBi: {"bì"}, UnitMo: {"mớ"}, UnitCay: {"cây"}, UnitHop: {"hộp"}, UnitKien: {"kiện"},
}

// productCounts says what counts the products whose names are known to
// clash with a count unit's word: 20 bí (bí đỏ) are 20 quả, 20 bơ (an
// avocado) 20 quả, 20 mơ (an apricot) 20 quả, 20 bò (oxen) 20 con. The
// names typed without diacritics ("bi do") are in it too, as only here
// they are known to be the product's.
var productCounts = map[string]Unit{
	"bí": UnitQua, "bi": UnitQua, "bơ": UnitQua, "bo": UnitQua, "mơ": UnitQua, "mo": UnitQua,
	"bò": UnitCon,
}

// productWords is the product's name, folded, when its first word (after
// "quả", "trái") is another word than a count unit's it folds to: "bào"
// (bào ngư) folds to "bao", a sack; "mỡ" (mỡ lợn) to "mo", a mớ; "Nai"
// (deer, "Nai rừng") to "nai", a nải of bananas, and "nai" typed is
// either. Then a number followed by that word counts the product, not the
// unit, in what counts it: productCounts, else countUnit (the product's
// own count unit, "" when it has none: the unit is asked, not guessed). A
// name that is the unit's own word ("bì gạo", "cây giống") collides with
// nothing, nor does a name of several words typed wholly without
// diacritics whose first word may be the unit's ("cay giong", "nai
// chuoi"): whoever types so types the unit so too, and asking would bring
// the same answer back; known names (productCounts) aside. A lone "Nai" is
// the deer: no product is called a nải. A name that folds to a weight unit's
// word collides with nothing either: "5 can" of a free-typed "Cần tây" is
// 5 cân, "5 tan" of "Tần ô" 5 tấn, as people type them without
// diacritics.
func productWords(product string, countUnit Unit) (words []string, counts Unit, ok bool) {
	typed := strings.Fields(strings.ToLower(Normalize(product)))
	for len(typed) > 1 && (Fold(typed[0]) == "qua" || Fold(typed[0]) == "trai") {
		typed = typed[1:]
	}
	if len(typed) == 0 {
		return nil, "", false
	}
	head := typed[0]
	u, isUnit := unitAliases[Fold(head)]
	if !isUnit || len(countSpellings[u]) == 0 || slices.Contains(countSpellings[u], head) {
		return nil, "", false
	}
	counts, known := productCounts[head]
	switch {
	case known:
	case head == Fold(head) && len(typed) > 1 && plainName(product):
		return nil, "", false // "nai chuoi": nải chuối typed without diacritics
	case countUnit.Valid() && !countUnit.IsWeight():
		counts = countUnit
	}
	for _, w := range typed {
		words = append(words, Fold(w))
	}
	return words, counts, true
}

// plainName tells whether a product's name has no diacritics at all
// ("nai chuoi"), as typed with no Vietnamese keyboard.
func plainName(product string) bool {
	return strings.ToLower(Normalize(product)) == Fold(product)
}

// countProduct reads, after a number, the first word of product's name
// where it collides with a unit (productWords) as the product counted:
// "20 bí", "20 bi", "20 bí đỏ" of bí đỏ are 20 quả; "20 bào" of a
// free-typed bào ngư is 20 of it, in a unit to ask (unknown is true: the
// words are left out, the number is bare). "20 bì", written as the unit,
// is still 20 bì. s is the text the stream was made of; countUnit is the
// product's own count unit, if any (productWords).
func (p *stream) countProduct(s, product string, countUnit Unit) (unknown bool) {
	words, counts, ok := productWords(product, countUnit)
	if !ok {
		return false
	}
	unit := unitAliases[words[0]]
	out := p.toks[:0:0]
	for i := 0; i < len(p.toks); i++ {
		t := p.toks[i]
		if t.kind == tWord && t.text == words[0] && i > 0 && isNumberToken(p.toks[i-1]) &&
			!slices.Contains(countSpellings[unit], strings.ToLower(typedRange(s, t.start, t.start+len(t.text)))) {
			for j := 1; j < len(words) && i+1 < len(p.toks) && p.toks[i+1].kind == tWord && p.toks[i+1].text == words[j]; j++ {
				i++ // "20 bí đỏ": the rest of the name
			}
			if counts == "" {
				unknown = true
				continue
			}
			t.text = string(counts)
		}
		out = append(out, t)
	}
	p.toks = out
	return unknown
}

// isNumberToken tells whether t is a number, in digits or words.
func isNumberToken(t token) bool {
	return t.kind == tNum || t.kind == tWord && (numberWords[t.text] > 0 || qtyMults[t.text] > 0 || t.text == "nua")
}

// restated reads a second writing of q, if one follows ("(2000kg)", "tức
// 2000 kg"): the same amount gives q, another one q and ErrUnsure.
func (p *stream) restated(q Quantity, defaultUnit Unit) (Quantity, error) {
	t, ok := p.peek(0)
	if !ok {
		return q, nil
	}
	at := p.i
	if !t.open {
		if !restatedWords[t.text] {
			return q, nil
		}
		p.skip(restatedWords)
	}
	again, _, err := p.quantity(defaultUnit)
	if err != nil {
		p.i = at // not a quantity: left for the caller to judge
		return q, nil
	}
	return sameAmount(q, again)
}

// sameAmount is q when o is the same amount written another way, else q
// with ErrUnsure.
func sameAmount(q, o Quantity) (Quantity, error) {
	if SameAmount(q, o) {
		return q, nil
	}
	return q, ErrUnsure
}

// restAsTyped returns s from the rune that folds to folded byte offset at,
// trimmed.
func restAsTyped(s string, at int) string {
	return strings.TrimSpace(typedRange(s, at, len(Fold(s))))
}

// typedRange returns the part of Normalize(s) that folds to Fold(s)[from:to]:
// folding keeps one rune per rune of Normalize(s) but may change its length
// in bytes.
func typedRange(s string, from, to int) string {
	n := Normalize(s)
	start, folded := len(n), 0
	for i, r := range n {
		if folded >= from && start == len(n) {
			start = i
		}
		if folded >= to {
			return n[start:i]
		}
		folded += len(Fold(string(r)))
		if r == ' ' {
			folded++ // Fold trims a lone space to nothing
		}
	}
	return n[start:]
}

// quantity reads one amount and its unit; bare is true when the default
// unit was applied. It stops before the words that follow.
func (p *stream) quantity(defaultUnit Unit) (q Quantity, bare bool, err error) {
	p.skipLead(qtyLead)
	if p.done() {
		return Quantity{}, false, ErrNoNumber
	}
	var val *big.Rat
	var unit Unit
	if u, n := p.unit(0); n > 0 && isHalf(p.word(n)) { // "ta ruoi"
		val, unit = big.NewRat(3, 2), u
		p.i += n + 1
		q, err := finishCounted(val, unit, defaultUnit, p.chucOfQua(unit)) // "chuc ruoi qua"
		return q, false, err
	}
	val, err = p.qtyNumber()
	if err != nil {
		return Quantity{}, false, err
	}
	if p.isRangeSep() {
		return Quantity{}, false, ErrQuantityRange
	}
	u, n := p.unit(0)
	if n == 0 {
		if isHalf(p.word(0)) { // "2 ruoi" with the default unit
			val.Add(val, ratHalf)
			p.i++
		}
		if t, ok := p.peek(0); ok && !t.open && !restatedWords[t.text] && !qtyTail[t.text] {
			if t.kind == tWord {
				return Quantity{}, true, ErrUnknownUnit
			}
			return Quantity{}, true, ErrNotQuantity
		}
		if defaultUnit == "" {
			return Quantity{}, true, ErrNoUnit
		}
		q, err := finishQuantity(val, defaultUnit)
		return q, true, err
	}
	unit = u
	p.i += n
	named := p.chucOfQua(unit) // "3 chuc qua"
	if v2, n2 := p.piecesAfter(0); !named && n2 > 0 && unit == UnitChuc && defaultUnit == UnitQua {
		// "2 chuc 5 qua" of eggs: 25 qua, as "2 chuc ruoi qua" is
		p.i += n2
		q, err := chucAndPieces(val, v2)
		return q, false, err
	}
	// After the unit: `rưỡi`, a short decimal (`1 tan 2`), or a smaller
	// weight unit ("1 tan 200 kg"); a bracket starts a second writing.
	switch t, _ := p.peek(0); {
	case isHalf(p.word(0)):
		val.Add(val, ratHalf)
		p.i++
	case tenthWord(p.word(0)) > 0 && unitMilliKg[unit] >= unitMilliKg[UnitYen] && p.unitAfter(1) == 0:
		// "1 tan hai": 1,2 tan, as "1 tan 2"
		val.Add(val, big.NewRat(tenthWord(p.word(0)), 10))
		p.i++
	case t.kind == tNum && !t.open:
		if u2, n2 := p.unit(1); n2 > 0 {
			if factorOf(u2) == 0 || factorOf(unit) == 0 || factorOf(u2) >= factorOf(unit) {
				return Quantity{}, false, ErrNotQuantity
			}
			v2, ok := parseNumber(t.text, false)
			if !ok {
				return Quantity{}, false, ErrNotQuantity
			}
			p.i += 1 + n2
			return compound(val, unit, v2, u2)
		}
		if allDigits(t.text) && len(t.text) <= 3 && (unitMilliKg[unit] > 0 || unit == UnitChuc) && !p.timeAfter(0) {
			d, _ := new(big.Rat).SetString(t.text)
			val.Add(val, d.Quo(d, pow10(len(t.text))))
			p.i++
		}
	}
	if !named {
		named = p.chucOfQua(unit) // "2 chuc ruoi qua"
	}
	q, err = finishCounted(val, unit, defaultUnit, named)
	return q, false, err
}

// chucOfQua skips "qua" after a chục, naming what is counted ("3 chục
// quả", "2 chục rưỡi quả"), and tells whether it did.
func (p *stream) chucOfQua(unit Unit) bool {
	if u, n := p.unit(0); unit == UnitChuc && u == UnitQua {
		p.i += n
		return true
	}
	return false
}

// piecesAfter reads a whole number of quả at offset k ("5 quả", "năm
// quả", "lăm quả"), as after a chục of eggs; n is the number of tokens
// (0: none).
func (p *stream) piecesAfter(k int) (v int64, n int) {
	t, ok := p.peek(k)
	if !ok || t.open {
		return 0, 0
	}
	switch d, word := afterTens[t.text]; { // "hai chục lăm quả" too
	case t.kind == tNum && allDigits(t.text) && len(t.text) <= 3:
		v, _ = strconv.ParseInt(t.text, 10, 64)
	case t.kind == tWord && word:
		v = d
	default:
		return 0, 0
	}
	if u, n := p.unit(k + 1); n > 0 && u == UnitQua {
		return v, 1 + n
	}
	return 0, 0
}

// chucAndPieces is a chục and some quả of eggs, in quả: "2 chục 5 quả"
// is 25 quả. Ten quả or more after the chục ("2 chục 15 quả"), or after
// a part of one ("2,5 chục 3 quả"), are no amount anyone says.
func chucAndPieces(chuc *big.Rat, pieces int64) (Quantity, error) {
	if pieces >= 10 || !chuc.IsInt() {
		return Quantity{}, ErrNotQuantity
	}
	v := new(big.Rat).Mul(chuc, big.NewRat(10, 1))
	return finishQuantity(v.Add(v, big.NewRat(pieces, 1)), UnitQua)
}

// finishCounted is finishQuantity, then, where quả were named after a
// chục, counted as defaultUnit counts: "2 chục quả" is 20 quả where quả
// are counted (see Counted).
func finishCounted(v *big.Rat, u, defaultUnit Unit, named bool) (Quantity, error) {
	q, err := finishQuantity(v, u)
	if err != nil || !named {
		return q, err
	}
	if q, ok := q.Counted(defaultUnit); ok {
		return q, nil
	}
	return Quantity{}, ErrTooLarge
}

// skipLead drops lead words ("khoang", "gia", "con") when a number, another
// lead word or "ta ruoi" follows, so "tam ta" stays 8 ta and "tam 5 ta" is
// 5 ta.
func (p *stream) skipLead(set map[string]bool) {
	for set[p.word(0)] {
		t, ok := p.peek(1)
		if !ok {
			return
		}
		switch {
		case t.kind == tNum, numberWords[t.text] > 0, t.text == "nua", t.text == "moi", set[t.text]:
		default:
			if _, n := p.unit(1); n == 0 || !isHalf(p.word(1+n)) {
				return
			}
		}
		p.i++
	}
}

// isRangeSep: "-" or "den"/"toi"/"hoac" followed by a number.
func (p *stream) isRangeSep() bool {
	if !p.isKind(0, tDash) && !rangeWords[p.word(0)] {
		return false
	}
	t, ok := p.peek(1)
	return ok && (t.kind == tNum || numberWords[t.text] > 0)
}

// qtyNumber reads "1,5", "mot", "nua", optionally times "tram"/"nghin"
// and plus "ruoi" after such a word.
func (p *stream) qtyNumber() (*big.Rat, error) {
	t, ok := p.peek(0)
	if !ok {
		return nil, ErrNoNumber
	}
	var v *big.Rat
	switch {
	case t.kind == tNum:
		if v, ok = parseNumber(t.text, false); !ok {
			return nil, ErrNotQuantity
		}
	case t.kind == tWord && t.text == "nua":
		v = big.NewRat(1, 2)
	case t.kind == tWord && numberWords[t.text] > 0:
		v = new(big.Rat).SetInt64(numberWords[t.text])
	case t.kind == tWord:
		return nil, ErrNoNumber
	default:
		return nil, ErrNotQuantity
	}
	p.i++
	if m := qtyMults[p.word(0)]; m > 0 {
		v.Mul(v, new(big.Rat).SetInt64(m))
		p.i++
		if isHalf(p.word(0)) {
			v.Add(v, big.NewRat(m, 2))
			p.i++
		}
	}
	return v, nil
}

// factorOf: grams per unit, for weights and the pseudo-unit gram.
func factorOf(u Unit) int64 {
	if u == unitGram {
		return 1
	}
	return unitMilliKg[u]
}

// tenthWord is the digit said after a large unit or multiplier ("1 tấn
// hai", "một triệu hai"), 0 for none. "tu", "sau" and "tam" are left out:
// after an amount they are far more often "tự"/"từ", "sau" (after) and
// "tầm" ("20kg tự lấy").
func tenthWord(w string) int64 {
	if w == "tu" || w == "sau" || w == "tam" {
		return 0
	}
	return digitWords[w]
}

// timeWords count days, weeks and months: "5 tạ 3 ngày nữa".
var timeWords = map[string]bool{"ngay": true, "hom": true, "bua": true, "tuan": true, "thang": true}

// timeAfter tells whether the number at offset k counts days, weeks or
// months from now ("3 ngày nữa", "2 hôm tới"): then it is not the decimals
// of an amount before it ("5 tạ 3" is 5,3 tạ). "25 ngày mai" is 25, then
// tomorrow.
func (p *stream) timeAfter(k int) bool {
	return timeWords[p.word(k+1)] && (p.word(k+2) == "nua" || p.word(k+2) == "toi")
}

// unitAfter is the length of a unit at offset k (0: none).
func (p *stream) unitAfter(k int) int {
	_, n := p.unit(k)
	return n
}

// compound adds a smaller unit to a larger one: "1 tấn 200 kg". A second
// amount worth one of the first unit or more is the same amount written
// again ("2 tấn 2000 kg"), or a disagreeing one (ErrUnsure).
func compound(v1 *big.Rat, u1 Unit, v2 *big.Rat, u2 Unit) (Quantity, bool, error) {
	grams := new(big.Rat).Mul(v1, new(big.Rat).SetInt64(factorOf(u1)))
	grams2 := new(big.Rat).Mul(v2, new(big.Rat).SetInt64(factorOf(u2)))
	if grams2.Cmp(new(big.Rat).SetInt64(factorOf(u1))) >= 0 {
		first, err := finishQuantity(v1, u1)
		if err != nil {
			return Quantity{}, false, err
		}
		second, err := finishQuantity(v2, u2)
		if err != nil {
			return first, false, ErrUnsure
		}
		q, err := sameAmount(first, second)
		return q, false, err
	}
	grams.Add(grams, grams2)
	for _, u := range []Unit{u1, u2} {
		in := new(big.Rat).Quo(grams, new(big.Rat).SetInt64(factorOf(u)))
		if new(big.Rat).Mul(in, big.NewRat(1000, 1)).IsInt() || u == u2 {
			q, err := finishQuantity(in, u)
			return q, false, err
		}
	}
	return Quantity{}, false, ErrNotQuantity // unreachable
}

// finishQuantity turns v units of u into thousandths, rounding half up,
// and converts grams to kg.
func finishQuantity(v *big.Rat, u Unit) (Quantity, error) {
	milli := new(big.Rat).Mul(v, big.NewRat(1000, 1))
	if u == unitGram {
		milli.Quo(milli, big.NewRat(1000, 1))
		u = UnitKg
	}
	m, ok := roundRat(milli)
	if !ok {
		return Quantity{}, ErrTooLarge
	}
	if m == 0 {
		return Quantity{}, ErrZero
	}
	return Quantity{Milli: m, Unit: u}, nil
}

// Counted is q as counted in unit u. Where quả are counted (eggs sold by
// the piece, a listing by quả), a chục is ten of them: 2 chục is 20 quả,
// 2,5 chục 25 quả. Elsewhere q is returned as it is: a chục of fruit is
// its own unit, not always ten (DOMAIN.md). ok is false past 10^15
// thousandths, the parsers' bound.
func (q Quantity) Counted(u Unit) (Quantity, bool) {
	if q.Unit != UnitChuc || u != UnitQua {
		return q, true
	}
	if q.Milli > 100_000_000_000_000 || q.Milli < -100_000_000_000_000 {
		return Quantity{}, false
	}
	return Quantity{Milli: q.Milli * 10, Unit: UnitQua}, true
}

// Said is q as people say it where a chục counts ten of counted (eggs:
// quả): a chục that is not whole is said in quả, 2,7 chục of eggs is 27
// quả, as nobody counts eggs in tenths of a chục; a whole chục stays (3
// chục), and so does anything else, the chục of fruit included.
func (q Quantity) Said(counted Unit) Quantity {
	if q.Unit != UnitChuc || q.Milli%1000 == 0 {
		return q
	}
	if c, ok := q.Counted(counted); ok {
		return c
	}
	return q
}

// InKg returns q in grams (thousandths of a kg), for weight units only.
// A quantity in lang finer than 0,1 g is rounded half up.
func (q Quantity) InKg() (milli int64, ok bool) {
	f, ok := unitMilliKg[q.Unit]
	if !ok {
		return 0, false
	}
	r := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(q.Milli), big.NewInt(f)), big.NewInt(1000))
	neg := r.Sign() < 0
	if neg {
		r.Neg(r)
	}
	if r.Cmp(maxMagnitude) > 0 {
		return 0, false
	}
	g, _ := roundRat(r)
	if neg {
		g = -g
	}
	return g, true
}

// InCounted is q in unit u (In), or else, where a chục counts ten of
// counted (eggs: quả), q counted first (Counted): 2 chục of eggs is 20 quả
// of a listing by quả, and still 2 chục of one by the chục; the other way,
// 20 quả of eggs is 2 chục of a listing by the chục, and 25 quả 2,5 chục.
// Quả of fruit (counted empty) are no chục: it is not always ten.
func (q Quantity) InCounted(u, counted Unit) (Quantity, bool) {
	if r, ok := q.In(u); ok {
		return r, true
	}
	if c, ok := q.Counted(counted); ok && c != q {
		return c.In(u)
	}
	if counted == UnitQua && q.Unit == UnitQua && u == UnitChuc && q.Milli%10 == 0 {
		return Quantity{Milli: q.Milli / 10, Unit: UnitChuc}, true // as Counted, backwards
	}
	return Quantity{}, false
}

// In converts q to unit u exactly: the same unit, or between weight units
// when the result is a whole number of thousandths (1,5 ta in kg is 150 kg;
// 1 lang in tan is not exact).
func (q Quantity) In(u Unit) (Quantity, bool) {
	if q.Unit == u {
		return q, true
	}
	from, ok1 := unitMilliKg[q.Unit]
	to, ok2 := unitMilliKg[u]
	if !ok1 || !ok2 {
		return Quantity{}, false
	}
	n := new(big.Int).Mul(big.NewInt(q.Milli), big.NewInt(from))
	r, m := new(big.Int).QuoRem(n, big.NewInt(to), new(big.Int))
	if m.Sign() != 0 || !r.IsInt64() {
		return Quantity{}, false
	}
	return Quantity{Milli: r.Int64(), Unit: u}, true
}

// common converts q and o to one unit: theirs when equal, else the smaller
// of two weight units (always exact).
func common(q, o Quantity) (Quantity, Quantity, bool) {
	if q.Unit == o.Unit {
		return q, o, true
	}
	fq, ok1 := unitMilliKg[q.Unit]
	fo, ok2 := unitMilliKg[o.Unit]
	if !ok1 || !ok2 {
		return q, o, false
	}
	u := q.Unit
	if fo < fq {
		u = o.Unit
	}
	a, ok1 := q.In(u)
	b, ok2 := o.In(u)
	return a, b, ok1 && ok2
}

// Cmp compares q and o: -1, 0 or +1. ok is false when the units cannot be
// compared (kg and qua) or the conversion overflows.
func (q Quantity) Cmp(o Quantity) (int, bool) {
	a, b, ok := common(q, o)
	if !ok {
		return 0, false
	}
	switch {
	case a.Milli < b.Milli:
		return -1, true
	case a.Milli > b.Milli:
		return 1, true
	}
	return 0, true
}

// Add returns q+o in the smaller of the two units (5 ta + 50 kg = 550 kg).
// ok is false for units that do not mix, or on overflow.
func (q Quantity) Add(o Quantity) (Quantity, bool) {
	a, b, ok := common(q, o)
	if !ok {
		return Quantity{}, false
	}
	s := a.Milli + b.Milli
	if (s > a.Milli) != (b.Milli > 0) {
		return Quantity{}, false
	}
	return Quantity{Milli: s, Unit: a.Unit}, true
}

// Sub returns q-o in the smaller of the two units (500 kg - 50 kg =
// 450 kg; 5 ta - 50 kg = 450 kg). The result may be negative: check Cmp
// first to refuse an order larger than the stock.
func (q Quantity) Sub(o Quantity) (Quantity, bool) {
	if o.Milli == -o.Milli && o.Milli != 0 { // math.MinInt64
		return Quantity{}, false
	}
	return q.Add(Quantity{Milli: -o.Milli, Unit: o.Unit})
}
