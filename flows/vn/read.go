package vn

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Area is a place the reader recognises: a tag and its names, in any
// language ("chi_lang": "Chi Lăng").
type Area struct {
	Tag   string
	Names []string
}

// Reading is what one free-text message says about a listing: "Na Chi Lăng
// 5 tạ 25k mai có hàng", "bán 2 tấn quýt Bắc Sơn giá 18 nghìn, thu hoạch
// rằm tháng 9". A field not said is zero. Every value comes from a span of
// words that the field's own parser reads whole.
type Reading struct {
	// Product: a catalog product, or one typed freely after a selling verb
	// ("bán dưa hấu 3 tấn": Key "", Name "dưa hấu"); Name "" when not said.
	Product  Product
	Quantity Quantity // Milli 0: not said
	// QuantityUnsure: a second amount disagrees ("2 tấn (200kg)"):
	// Quantity, the first, is to be confirmed.
	QuantityUnsure bool
	Price          Price  // VND 0: not said; Per "" when no unit was given
	PriceTyped     string // the price's words as typed
	// PriceUnsure: a price in millions with no unit, for produce sold by
	// weight ("1tr2" on na): per kg or per tạ is to be asked.
	PriceUnsure bool
	// PriceRange: a range was given ("35-40k"): one price is to be asked.
	PriceRange bool
	Ready      time.Time // zero: not said
	// ReadyPast: a ready date that has passed ("hôm qua"), when no other
	// was said: the date is to be asked, saying why.
	ReadyPast time.Time
	Area      string // an area tag named in the text, or ""
	Note      string // what is left, "" when only fillers are left
	Phone     bool   // a phone number is in the text
	Selling   bool   // a selling verb ("bán", "cần bán") is in the text
	Question  bool   // the text asks something ("?", "bao nhiêu")
	// Over: a text that is no listing says selling is over, sold out or
	// stopped ("bán hết rồi", "đã bán xong", "không bán nữa", "hết
	// hàng"); NotYet, that nothing sold yet ("chưa bán được"). Their
	// "bán" is no selling verb.
	Over, NotYet bool
}

// Listing tells whether the text reads as a listing rather than a greeting
// or a question: a selling verb, or a product with a quantity or a price,
// or a quantity with a price. "giá na hôm nay bao nhiêu?", "ai mua cam
// không", "chào" are not.
func (r Reading) Listing() bool {
	said := r.Quantity.Milli > 0 || r.Price.VND > 0
	if r.Question {
		return r.Quantity.Milli > 0 && r.Price.VND > 0
	}
	return r.Selling && (said || r.Product.Name != "") || r.Product.Name != "" && said ||
		r.Quantity.Milli > 0 && r.Price.VND > 0
}

// maxSpan: a value is said in a few words.
const maxSpan = 6

// readWord is a word of the message: as typed (punctuation trimmed),
// folded, and whether a separator (",", ".", "(", "-") ends it.
type readWord struct {
	raw, fold string
	end       bool // no span goes past this word
	used      bool
	neg       bool // a negation of a "bán" near it (markNegations)
}

// The reader's vocabulary, folded.
var (
	sellVerbs = []string{"nhuong", "thanh ly", "xa hang"} // and "bán": sells

	moneyWords = setOf("k", "nghin", "ngan", "ngin", "tr", "trieu", "cu", "ty", "ti", "d", "dong", "vnd")
	// dateCues: words around a ready date that do not change it.
	dateCues = [][]string{{"thu", "hoach"}, {"co", "hang"}, {"hang", "co"}, {"san", "sang"}, {"tu"},
		{"den"}, {"la", "co"}, {"se", "co"}, {"co"}, {"hang"}}
	// fillers: words a note made of only them says nothing with.
	fillers = setOf("nha", "em", "minh", "toi", "co", "ban", "can", "hang", "gia", "a", "nhe", "nha", "oi",
		"ah", "la", "va", "voi", "con", "moi", "thu", "hoach", "ok", "lien", "he", "inbox", "ib", "ai", "mua",
		"khong", "ko", "k", "day", "do", "nay", "dang", "qua", "trai", "loai", "tai", "o", "vuon", "ngon",
		"rat", "sach", "re", "nhieu", "xin", "chao", "chi", "anh", "ca", "nha", "ba", "con",
		"tam", "khoang", "tu", "x") // "giá tầm 25k", "giá từ 25k", "5 tạ x 25k"
	questionWords = []string{"bao nhieu", "the nao", "khong", "ko", "chua", "nao", "gi", "sao"}
	// courtesies: words that name no product though the catalog would
	// read one ("cảm ơn" folds to cam, an orange).
	courtesies = setOf("cam on")
)

// ReadListing reads a message for a listing. Longest spans first, no two
// overlapping, in this order: phone numbers (never read as anything else),
// prices (with a money word, or after "giá": a bare "25" there is
// 25.000 đ), quantities naming their unit, ready dates, a catalog
// product, an area, a product typed freely after a selling verb; the rest
// is the note.
//
// Eggs (a product counted by the quả) are read again counting a chục as
// ten quả, so that "Trứng gà 2 chục 5 quả" is 25 quả, not two amounts
// that disagree; a chục of fruit is its own unit and is never so read.
func ReadListing(text string, now time.Time, c *Catalog, areas []Area) Reading {
	r := readListing(text, now, c, areas, "")
	if r.Product.Unit != UnitQua {
		return r
	}
	if again := readListing(text, now, c, areas, UnitQua); again.Product.Key == r.Product.Key {
		return again
	}
	return r
}

// readListing is ReadListing, where counted is what a chục counts ten of
// (see ParseQuantity): tried on amounts that name a chục and are no
// amount otherwise ("2 chục 5 quả").
func readListing(text string, now time.Time, c *Catalog, areas []Area, counted Unit) Reading {
	var r Reading
	ws := readWords(Normalize(text))
	markNegations(ws, text, c)
	folded := " " + joinFold(ws) + " "
	for _, v := range sellVerbs {
		r.Selling = r.Selling || strings.Contains(folded, " "+v+" ")
	}
	for i := range ws {
		if !sells(ws, i) {
			continue
		}
		switch negated(ws, i) {
		case "":
			r.Selling = true
			continue
		case notYet:
			r.NotYet = true
		case over:
			r.Over = true
		}
		if i+1 < len(ws) && doneSelling[ws[i+1].fold] {
			ws[i].used, ws[i+1].used = true, true // "bán hết 5 tạ": no note "bán hết"
		}
	}
	r.Question = strings.Contains(text, "?")
	for _, q := range questionWords {
		r.Question = r.Question || strings.HasSuffix(folded, " "+q+" ") || q == "bao nhieu" && strings.Contains(folded, " "+q+" ")
	}

	spans(ws, 4, func(s string, _, _, _ []readWord) bool {
		_, err := ParsePhone(s)
		r.Phone = r.Phone || err == nil
		return err == nil && strings.ContainsAny(s, "0123456789")
	})
	spans(ws, maxSpan, func(s string, before, span, rest []readWord) bool {
		if countsPast(span, rest) {
			return false
		}
		if breaksArea(span, rest, areas) {
			return false // "25k Bắc Sơn": 25k, then the area (bác, chị: politeness)
		}
		p, err := readPrice(s, before, span, rest)
		if err == nil && breaksDate(span, rest, now) {
			return false // "25k chủ nhật": 25k, then Sunday
		}
		switch {
		case err == ErrPriceRange && len(span) > 1:
			// The shortest span that is a range: "35-40k mai" is the range,
			// then tomorrow.
			if _, shorter := readPrice(joinRaw(span[:len(span)-1]), before, span[:len(span)-1], rest); shorter == ErrPriceRange {
				return false
			}
			r.PriceRange = true
			return true
		case err == ErrPriceRange:
			r.PriceRange = true
			return true
		case err != nil || p.VND <= 0 || r.Price.VND > 0:
			return false
		}
		r.Price, r.PriceTyped = p, s
		return true
	})
	var qs []Quantity
	qFrom := -1 // where the first quantity starts
	spans(ws, maxSpan, func(s string, before, span, rest []readWord) bool {
		if countsPast(span, rest) || breaksArea(span, rest, areas) {
			return false
		}
		q, err := ParseQuantity(s, "")
		if err != nil && counted != "" && slices.ContainsFunc(span, func(w readWord) bool { return w.fold == "chuc" }) {
			q, err = ParseQuantity(s, counted)
		}
		if err != nil || q.Milli <= 0 {
			return false
		}
		if len(qs) == 0 {
			qFrom = len(before)
		}
		qs = append(qs, q)
		return true
	})
	if len(qs) > 0 {
		r.Quantity = qs[0]
		for _, q := range qs[1:] {
			r.QuantityUnsure = r.QuantityUnsure || !SameAmount(q, qs[0])
		}
	}
	spans(ws, maxSpan, func(_ string, before, span, rest []readWord) bool {
		if notThere(before, span) {
			return false
		}
		d, err := readDate(span, rest, now)
		switch {
		case err == nil && r.Ready.IsZero():
			r.Ready, r.ReadyPast = d, time.Time{}
		case errors.Is(err, ErrDatePast) && r.Ready.IsZero() && r.ReadyPast.IsZero():
			r.ReadyPast = d
		}
		return err == nil || errors.Is(err, ErrDatePast)
	})
	spans(ws, 2, func(s string, _, _, _ []readWord) bool { return courtesies[Fold(s)] })
	if c != nil {
		spans(ws, 4, func(s string, before, span, _ []readWord) bool {
			// A typo of one word is trusted right after "bán" only ("bán
			// trứnh"): among a listing's other words too many are one
			// letter from a product ("Tràng Định" is no "trứng").
			typos := len(span) > 1 || len(before) > 0 && sells(before, len(before)-1)
			// ...but never over a negation: "van chua" (vẫn chưa) is no
			// typo of "vai chua".
			// ...nor once the product is read: "đã phơi khô" is no typo
			// of "hồi khô", and stays in the note.
			p, ok := c.match(s, false)
			if !ok && typos && r.Product.Name == "" && !slices.ContainsFunc(span, func(w readWord) bool { return w.neg }) {
				p, ok = c.match(s, true)
			}
			if ok && len(span) > 1 {
				ok = !c.readApart(span, p, areas)
			}
			if ok && r.Product.Name == "" {
				r.Product = p
				// Shown as the product question shows it: "Khoai môn",
				// "Mận hậu", "Gà đồi", not the catalogue's "Khoai".
				if q, name, named := c.MatchName(s); named && q.Key == p.Key {
					r.Product.Name = name
				}
			}
			return ok
		})
	}
	spans(ws, 4, func(s string, _, _, _ []readWord) bool {
		tag := areaNamed(Fold(s), areas)
		if tag != "" && r.Area == "" {
			r.Area = tag
		}
		return tag != ""
	})
	spans(ws, 2, func(s string, before, span, _ []readWord) bool {
		ok := len(span) == 2 && producePhrase(before, span)
		if ok && r.Product.Name == "" {
			r.Product = Product{Name: s}
		}
		return ok
	})
	if r.Product.Name == "" && r.Selling {
		r.Product = Product{Name: freeProduct(ws)}
	}
	if r.Product.Name == "" && !r.Question {
		r.Product = Product{Name: leadProduct(ws, qFrom)}
	}
	r.Note = note(ws)
	// Over and NotYet say something only of what is no listing.
	r.Over = (r.Over || strings.Contains(folded, " het hang ")) && !r.Question && !r.Listing()
	r.NotYet = r.NotYet && !r.Over && !r.Question && !r.Listing()
	if r.Price.Per == "" && r.Price.VND >= 1_000_000 {
		u := r.Product.Unit
		r.PriceUnsure = u == "" || u.IsWeight()
	}
	return r
}

// readApart tells whether a shorter span at the start of span names a
// product, leaving words that are to be read apart: "Na Chi Lăng" is na,
// then an area; "Na ngon" is na, with "ngon" for the note. A span that is
// one of p's names, canonical or alias, is p, when the words past the
// shorter one name no area: "Thạch đen" is not thạch with a note "đen",
// nor "Đào Mẫu Sơn" đào with "Mẫu Sơn", nor "Khoai môn" khoai with "môn".
func (c *Catalog) readApart(span []readWord, p Product, areas []Area) bool {
	k := 1
	for k < len(span) {
		if _, ok := c.match(joinRaw(span[:k]), k > 1); ok {
			break
		}
		k++
	}
	if k == len(span) {
		return false
	}
	if !c.isName(joinRaw(span), p) {
		return true
	}
	left := span[k:]
	for i := range left {
		for j := i + 1; j <= len(left); j++ {
			if areaNamed(Fold(joinRaw(left[i:j])), areas) != "" {
				return true
			}
		}
	}
	return false
}

// SameAmount tells whether a and b are one amount written two ways
// ("2 tấn (2000kg)").
func SameAmount(a, b Quantity) bool {
	ka, ok1 := a.InKg()
	kb, ok2 := b.InKg()
	if ok1 && ok2 {
		return ka == kb
	}
	return a == b
}

// Words around "bán" that say it sells nothing: before it, a negation or
// a past ("không bán", "chưa bán", "thôi bán", "đã bán"), a word or two
// away ("không muốn bán"); right after it, that it is done ("bán hết",
// "bán xong", "bán rồi", "bán được"), or, after a negation, "bán nữa".
// A negation is compared as typed: folded, "chưa" is cà "chua", "hông" is
// "hồng" (a persimmon), "dừng" is "Dũng", "thôi" is "thời"; only in a text
// typed with no diacritics at all are the folded forms read ("khong ban
// nua"). "đã" never is: "da" is also "dạ", a polite yes ("Dạ bán na 5 tạ").
var (
	notSelling      = setOf("không", "hông", "hổng", "ko", "k", "kh", "hok", "chưa", "thôi", "ngừng", "đừng", "dừng", "hết", "đã")
	notSellingPlain = setOf("khong", "ko", "k", "kh", "hong", "hok", "chua", "thoi", "ngung", "dung", "het")
	doneSelling     = setOf("het", "xong", "roi", "duoc", "nua")
)

// markNegations marks the words of ws that negate a "bán" near them
// (notSelling), but for those inside a catalogue product's name: "Hồng
// không hạt bán" sells.
func markNegations(ws []readWord, text string, c *Catalog) {
	plain := !strings.ContainsFunc(text, func(r rune) bool { return r > unicode.MaxASCII && unicode.IsLetter(r) })
	for k := range ws {
		ws[k].neg = notSelling[strings.ToLower(ws[k].raw)] || plain && notSellingPlain[ws[k].fold]
		if ws[k].fold == "k" && k > 0 && isNumberWord(ws[k-1]) {
			ws[k].neg = false // "25 k": thousands
		}
	}
	for k := 0; k+2 < len(ws); k++ {
		// "hong ban 30k" typed plain is hồng (persimmons, of the
		// catalogue's Lạng Sơn) sold at 30k, as "Hồng bán 30k" is, not the
		// southern "hổng bán": a number after "bán" offers, where selling
		// that is over names none ("hong ban nua").
		if plain && ws[k].fold == "hong" && ws[k+1].fold == "ban" && !ws[k].end && !ws[k+1].end && startsNumber(ws[k+2]) {
			ws[k].neg = false
		}
	}
	for k := 0; k+1 < len(ws); k++ {
		if producePhrase(ws[:k], ws[k:k+2]) {
			ws[k].neg, ws[k+1].neg = false, false // "ca chua ban 15k"
		}
	}
	if c == nil {
		return
	}
	for i := range ws {
		for j := min(len(ws), i+4); j > i+1; j-- {
			if _, ok := c.byName[matchKey(joinRaw(ws[i:j]))]; ok {
				for k := i; k < j; k++ {
					ws[k].neg = false
				}
				break
			}
		}
	}
}

// negated tells why the "bán" at ws[i] sells nothing: notYet ("chưa
// bán", "không bán được": nothing sold), over (another word that ends
// selling), or "" when it sells.
func negated(ws []readWord, i int) string {
	before := ""
	for k := i - 1; k >= max(0, i-2); k-- {
		if ws[k].end {
			break // "Không, bán na 5 tạ": the no answers something else
		}
		if ws[k].neg {
			before = ws[k].fold
			break
		}
	}
	after := ""
	if i+1 < len(ws) && !ws[i].end && doneSelling[ws[i+1].fold] && (ws[i+1].fold != "nua" || before != "") {
		after = ws[i+1].fold
	}
	switch {
	case before == "chua" || before != "" && before != "da" && after == "duoc":
		return notYet
	case before != "" || after != "":
		return over
	}
	return ""
}

const (
	over   = "over"
	notYet = "not yet"
)

// sells tells whether ws[i] is "bán", or "ban" typed without diacritics;
// not "bạn" (a friend), which folds the same: "ban" typed so after "chào",
// "kết", "các", "cảm ơn" or before "ơi", "bè" is the friend ("chao ban",
// "ket ban zalo", "ban oi").
func sells(ws []readWord, i int) bool {
	switch strings.ToLower(ws[i].raw) {
	case "bán":
		return true
	case "ban":
		return !(i > 0 && !ws[i-1].end && friendBefore[ws[i-1].fold] ||
			i+1 < len(ws) && !ws[i].end && friendAfter[ws[i+1].fold])
	}
	return false
}

var (
	friendBefore = setOf("chao", "ket", "cac", "on")
	friendAfter  = setOf("oi", "be")
)

// produceNames: produce outside the catalogue whose name holds a word that
// folds to a negation (cà chua, khế chua, dưa chua, măng chua: "chua" is
// also "chưa"). Typed without diacritics, "ca chua ban 15k" sells
// tomatoes; the name is read as a product typed freely. Not "me chua":
// "mẹ chưa bán được" is a helper speaking of her mother.
var produceNames = setOf("ca chua", "khe chua", "dua chua", "mang chua")

// producePhrase tells whether span, two words, names produce of
// produceNames; "tất cả chưa bán được" (all not yet sold) does not.
func producePhrase(before, span []readWord) bool {
	if span[0].end || !produceNames[span[0].fold+" "+span[1].fold] {
		return false
	}
	return !(span[0].fold == "ca" && len(before) > 0 && before[len(before)-1].fold == "tat")
}

// readWords splits text into words; separators end spans: ",", ".", ";",
// "!", "?", ":", brackets, and a lone dash or plus. A separator typed with
// no space after it separates all the same ("5 tạ,25k,mai có hàng"), but
// between two digits, where it groups them or marks decimals ("25.000",
// "1,5 tấn", "0912.345.678"). Emoji around a word are left out ("25k🙏" is
// "25k").
func readWords(text string) []readWord {
	var ws []readWord
	for _, f := range gluedFields(text) {
		if strings.HasPrefix(f, "(") || strings.HasPrefix(f, "[") {
			if n := len(ws); n > 0 {
				ws[n-1].end = true
			}
		}
		f = strings.TrimFunc(f, pictograph)
		if f == "" {
			continue // an emoji alone ("👍", "🙏"): a space
		}
		raw := strings.TrimLeftFunc(f, func(r rune) bool { return pictograph(r) || strings.ContainsRune("([\"'", r) })
		trimmed := strings.TrimRight(raw, ",.;!?:)]\"'")
		if t := strings.TrimRightFunc(trimmed, pictograph); t != trimmed { // "25k🙏."
			trimmed = strings.TrimRight(t, ",.;!?:)]\"'")
		}
		if trimmed == "" || strings.Trim(trimmed, "-–—+|*•") == "" {
			if n := len(ws); n > 0 {
				ws[n-1].end = true
			}
			continue
		}
		ws = append(ws, readWord{raw: trimmed, fold: Fold(trimmed), end: len(trimmed) < len(raw)})
	}
	return ws
}

// gluedFields is strings.Fields(text), each field cut after a separator
// glued to the next word ("tạ,25k", "25k.mai", "giá:25k"), the separator
// kept at the end of the first part; not between two digits ("25.000",
// "1,5").
func gluedFields(text string) []string {
	var out []string
	for _, f := range strings.Fields(text) {
		rs := []rune(f)
		from := 0
		for i := 1; i+1 < len(rs); i++ {
			if !strings.ContainsRune(",.;:!?", rs[i]) || unicode.IsDigit(rs[i-1]) && unicode.IsDigit(rs[i+1]) ||
				strings.ContainsRune(",.;:!?", rs[i+1]) {
				continue
			}
			out = append(out, string(rs[from:i+1]))
			from = i + 1
		}
		out = append(out, string(rs[from:]))
	}
	return out
}

// spans tries every span of unused words that no separator cuts, from the
// left, the longest first at each start, and marks those that take
// accepts; take also sees the words before the span and after it.
func spans(ws []readWord, max int, take func(s string, before, span, rest []readWord) bool) {
	for i := 0; i < len(ws); i++ {
		for j := min(len(ws), i+max); j > i; j-- {
			span := ws[i:j]
			if !free(span) {
				continue
			}
			if take(joinRaw(span), ws[:i], span, ws[j:]) {
				for k := i; k < j; k++ {
					ws[k].used = true
				}
				i = j - 1
				break
			}
		}
	}
}

// countsPast tells whether span ends in a number that counts what comes
// after it, a unit or days ("25k 3" before "tạ", "5 tạ 3" before "ngày
// nữa"): that number is not the decimals of the span's amount.
func countsPast(span, rest []readWord) bool {
	last := span[len(span)-1]
	if len(span) < 2 || last.end || len(rest) == 0 || rest[0].used {
		return false
	}
	if toks := lex(last.fold); len(toks) != 1 || toks[0].kind != tNum {
		return false // "1kg" holds its own unit
	}
	p := &stream{toks: lex(last.fold + " " + joinFold(rest[:min(len(rest), 3)]))}
	return p.unitAfter(1) > 0 || p.timeAfter(0)
}

// free tells whether no word of span is used and no separator cuts it.
func free(span []readWord) bool {
	for k, w := range span {
		if w.used || w.end && k < len(span)-1 {
			return false
		}
	}
	return true
}

func joinRaw(ws []readWord) string {
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = w.raw
	}
	return strings.Join(s, " ")
}

func joinFold(ws []readWord) string {
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = w.fold
	}
	return strings.Join(s, " ")
}

// readPrice reads a span as a price when a money word says it is one
// ("25k", "18 nghìn", "1tr2", "25.000đ") or "giá" leads it ("giá 25",
// "giá 25/kg", "giá 25 một cân": a bare number under 1.000 after giá is
// thousands), or when it is a number alone that only a price in đồng is
// ("25.000", "25,000", "25000"; not before a unit: "2000 quả").
func readPrice(s string, before, span, rest []readWord) (Price, error) {
	toks := lex(span[0].fold)
	led := len(toks) > 0 && toks[0].text == "gia"
	// Other lead words start no price span: the price is read from the
	// next word on, and "50 con 150k/con" keeps its "con" for the quantity.
	if len(toks) > 0 && !led && priceLead[toks[0].text] {
		return Price{}, ErrNotPrice
	}
	money := false
	for _, t := range lex(joinFold(span)) {
		money = money || t.kind == tDong || moneyWords[t.text]
	}
	if !led && !money && len(span) == 1 && bareDong(before, span, rest) {
		return parsePriceText(s, true)
	}
	if !led && !money || led && len(span) == 1 {
		return Price{}, ErrNotPrice
	}
	// "1 tấn 120k" in a listing is a quantity, then a price, not 120k a
	// tấn: a price per one unit says "một" or "mỗi" ("một cân 25k"). Nor
	// is "5-6 tạ 25k" a range of prices.
	if toks := lex(span[0].fold); len(toks) > 0 && toks[0].kind == tNum && len(span) > 1 {
		if _, err := ParseQuantity(joinRaw(span[:2]), ""); err == nil || errors.Is(err, ErrQuantityRange) && unitWord(span[1].fold) {
			return Price{}, ErrNotPrice
		}
	}
	p, err := parsePriceText(s, true)
	if err == nil && !money && p.VND < 1000 && p.Per == "" {
		if last := lex(span[len(span)-1].fold); len(last) > 0 && last[len(last)-1].kind == tNum {
			return parsePriceText(s+"k", true)
		}
	}
	if err == nil && led && !money && p.VND < 1000 && p.Per != "" {
		if at := firstNumber.FindStringIndex(s); at != nil {
			return parsePriceText(s[:at[1]]+"k"+s[at[1]:], true) // "giá 25/kg": 25k/kg
		}
	}
	return p, err
}

var (
	firstNumber = regexp.MustCompile(`\d+([.,]\d+)?`)
	// dongNumber: a number that is a price in đồng by its look: grouped
	// by thousands ("25.000", "25,000", "1.200.000"), or of 5 to 9 digits
	// ending in 00 ("25000").
	dongNumber = regexp.MustCompile(`^(\d{1,3}([.,]\d{3})+|\d{3,7}00)$`)
)

// bareDong tells whether span, one word, is a number alone that only a
// price is: dongNumber, maybe per a unit ("25000/kg"), no unit or money
// word after it ("2.000 quả" is a quantity), no year before it ("năm
// 2000").
func bareDong(before, span, rest []readWord) bool {
	number, per, _ := strings.Cut(span[0].fold, "/") // "25000/kg"
	if !dongNumber.MatchString(number) || countedAfter(span, rest) || per != "" && !unitWord(per) {
		return false
	}
	return len(before) == 0 || before[len(before)-1].end || before[len(before)-1].fold != "nam"
}

// breaksDate tells whether a price span's tail words ("có", "chủ",
// "nhất": politeness after a price) start a ready date of two words or
// more, which names a day ("chủ nhật", "có hàng 20-12"), with the words
// that follow the span: the price is to end before them. A date made only
// of readyWords ("có hàng luôn") breaks nothing, nor does "có" alone.
func breaksDate(span, rest []readWord, now time.Time) bool {
	for k := 1; k < len(span); k++ {
		tail := append(slices.Clone(span[k:]), rest...)
		for m := min(len(tail), maxSpan); m >= 2; m-- {
			if !free(tail[:m]) || onlyReadyWords(tail[:m]) {
				continue
			}
			if _, err := readDate(tail[:m], tail[m:], now); err == nil || errors.Is(err, ErrDatePast) {
				return true
			}
		}
	}
	return false
}

// breaksArea tells whether a span's tail words ("bác", "chị": politeness
// after a price or a quantity) start an area's name with the words that
// follow the span ("25k Bắc Sơn", "5 tạ chi lang"): the span is to end
// before them.
func breaksArea(span, rest []readWord, areas []Area) bool {
	for k := 1; k < len(span); k++ {
		tail := append(slices.Clone(span[k:]), rest...)
		for m := 1; m <= min(len(tail), 4); m++ {
			if !free(tail[:m]) {
				break
			}
			if areaNamed(Fold(joinRaw(tail[:m])), areas) != "" {
				return true
			}
		}
	}
	return false
}

// notThere tells whether span, made only of readyWords, says the produce
// is not there: after a negation ("chưa có hàng", "không có ảnh"), or
// about a photo ("có ảnh": ảnh folds to anh, a word of politeness).
func notThere(before, span []readWord) bool {
	if !onlyReadyWords(span) {
		return false
	}
	if n := len(before); n > 0 && before[n-1].neg && !before[n-1].end {
		return true
	}
	return slices.ContainsFunc(span, func(w readWord) bool { return strings.ToLower(w.raw) == "ảnh" })
}

func onlyReadyWords(ws []readWord) bool {
	for _, w := range ws {
		if !readyWords[w.fold] {
			return false
		}
	}
	return true
}

// dashDate: a day and month written with dashes, maybe a year ("15-12",
// "15-12-2026").
var dashDate = regexp.MustCompile(`^\d{1,2}-\d{1,2}(-\d{2,4})?$`)

// readDate reads a span as a ready date, its cue words ("thu hoạch", "có
// hàng") around it; rest is what follows the span. A bare number is no date
// ("5" may be anything), nor "nay" alone ("năm nay"). A date with dashes
// ("15-12") is one only after or before a cue ("thu hoạch 15-12", "có hàng
// 20-12"), and not before a unit or a money word: alone, or in "có 10-12
// quả/kg", "hàng 5-6 tạ", it is a range.
func readDate(span, rest []readWord, now time.Time) (time.Time, error) {
	words := strings.Fields(joinFold(span))
	cued := false
	for trimmed := true; trimmed; {
		trimmed = false
		for _, cue := range dateCues {
			if len(words) > len(cue) && slices.Equal(words[:len(cue)], cue) {
				words, cued, trimmed = words[len(cue):], true, true
			}
			if len(words) > len(cue) && slices.Equal(words[len(words)-len(cue):], cue) {
				words, cued, trimmed = words[:len(words)-len(cue)], true, true
			}
		}
	}
	core := strings.Join(words, " ")
	if core == "san" && !cued && len(span) == 1 && cassava(span[0], rest) {
		return time.Time{}, ErrNotDate
	}
	dashed := cued && dashDate.MatchString(core) && !countedAfter(span, rest)
	if !dashed && !strings.ContainsFunc(core, func(r rune) bool { return unicode.IsLetter(r) || r == '/' }) ||
		core == "nay" && !cued {
		return time.Time{}, ErrNotDate
	}
	d, err := ParseDate(core, now)
	if err != nil {
		return time.Time{}, err
	}
	err = CheckDate(d, now)
	// "qua" alone is rather quả or quá than yesterday: a past date is one
	// said plainly ("hôm qua", "15/8").
	if errors.Is(err, ErrDatePast) && len(words) == 1 && !strings.ContainsAny(core, "0123456789") {
		return time.Time{}, ErrNotDate
	}
	return d, err
}

// cassava tells whether w, a lone "san", is sắn (cassava, a product) rather
// than sẵn (ready): typed "sắn", or typed "san" before an amount ("san 2
// ta 5k"); "sẵn" is ready, and so is "san" after a cue ("co san").
func cassava(w readWord, rest []readWord) bool {
	switch strings.ToLower(w.raw) {
	case "sắn":
		return true
	case "san":
		return len(rest) > 0 && !w.end && isNumberWord(rest[0])
	}
	return false
}

// isNumberWord tells whether w ends in a number, in digits or words
// ("25", "hai").
// startsNumber tells whether w begins with digits: "30k", "5", "3ta";
// not "nua", which is "nửa" (half) as well as "nữa".
func startsNumber(w readWord) bool {
	return w.fold != "" && w.fold[0] >= '0' && w.fold[0] <= '9'
}

func isNumberWord(w readWord) bool {
	toks := lex(w.fold)
	return len(toks) > 0 && isNumberToken(toks[len(toks)-1])
}

// countedAfter tells whether a unit or a money word follows span, no
// separator between them ("10-12 quả/kg", "5-6 tạ", "20-25k").
func countedAfter(span, rest []readWord) bool {
	if len(rest) == 0 || span[len(span)-1].end {
		return false
	}
	toks := lex(rest[0].fold)
	if len(toks) == 0 || toks[0].kind != tWord {
		return len(toks) > 0 && toks[0].kind == tDong
	}
	_, unit := unitAliases[toks[0].text]
	return unit || moneyWords[toks[0].text] || priceMults[toks[0].text] > 0
}

// unitWord tells whether s, folded, is a unit, maybe after a number ("kg",
// "1kg", "ta").
func unitWord(s string) bool {
	toks := lex(s)
	if len(toks) > 0 && toks[0].kind == tNum {
		toks = toks[1:]
	}
	if len(toks) != 1 || toks[0].kind != tWord {
		return false
	}
	_, ok := unitAliases[toks[0].text]
	return ok
}

// areaNamed is the tag of the area whose name is s, folded.
func areaNamed(s string, areas []Area) string {
	for _, a := range areas {
		for _, n := range a.Names {
			if Fold(n) == s {
				return a.Tag
			}
		}
	}
	return ""
}

// freeProduct is the product typed freely after a selling verb: the unused
// words that follow it, up to a separator or a value ("bán dưa hấu 3
// tấn" → "dưa hấu"), at most 4.
func freeProduct(ws []readWord) string {
	for i := range ws {
		if !sells(ws, i) || negated(ws, i) != "" {
			continue
		}
		j := i + 1
		for j < len(ws) && ws[j].used {
			j++ // "bán 2 tấn dưa hấu": the quantity first
		}
		var name []readWord
		for ; j < len(ws) && !ws[j].used && len(name) < 4; j++ {
			ws[j].used = true
			name = append(name, ws[j])
			if ws[j].end {
				break
			}
		}
		if len(name) > 0 {
			ws[i].used = true
			return joinRaw(name)
		}
	}
	return ""
}

// leadProduct is a product typed freely as the message's first words,
// right before its quantity (maybe an area between them): "Mít 2 tạ 15k",
// "Bí xanh 20 quả", "Chè Tràng Định 1 tạ"; at most 3 words of letters. Not
// words that lead a quantity or a price, greet, negate or sell, nor those
// a note of only them says nothing with ("Hàng đẹp 5 tạ", "Nhà em 5 tạ",
// "Khoảng 5 tạ", "Dạ 5 tạ"): "" then, and the product is asked.
func leadProduct(ws []readWord, qFrom int) string {
	n := 0
	for n < qFrom && !ws[n].used {
		n++
		if ws[n-1].end {
			break
		}
	}
	if n == 0 || n > 3 || slices.ContainsFunc(ws[n:max(n, qFrom)], func(w readWord) bool { return !w.used }) {
		return ""
	}
	first := ws[0].fold
	if !leadProduce[strings.ToLower(ws[0].raw)] && (fillers[first] || qtyLead[first] || priceLead[first] || notLead[first]) ||
		Fold(joinRaw(ws[:n])) == "lang son" {
		return ""
	}
	for i, w := range ws[:n] {
		if sells(ws, i) || !strings.ContainsFunc(w.fold, unicode.IsLetter) ||
			strings.ContainsFunc(w.fold, func(r rune) bool { return !unicode.IsLetter(r) }) {
			return ""
		}
	}
	for i := range ws[:n] {
		ws[i].used = true
	}
	return joinRaw(ws[:n])
}

// notLead: first words of a message that name no product ("Dạ", "Alo",
// "Tổng", "Lô", "Đợt", "Vụ", "Năm nay"), folded; leadProduce: produce
// typed with its marks whose name folds to one of them, or to a filler
// (ổi is no "ơi", nấm no "năm", tỏi no "tôi", cà no "cả").
var (
	notLead = setOf("da", "vang", "alo", "hi", "hello", "xin", "chao", "tong", "lo", "dot", "vu", "nam", "mua",
		"thang", "tuan", "hom", "sang", "chieu", "toi", "tet", "ngay", "duoc", "khoang", "tam", "hon", "gan", "tren",
		"duoi", "sl", "so", "con", "het", "chi", "cho", "gui", "dang", "can", "ai", "ben", "ship", "giao",
		"chua", "thoi", "ngung", "dung", "khong", "ko", "kh", "hok")
	leadProduce = setOf("ổi", "nấm", "tỏi", "cà", "đỗ", "mơ", "mía", "măng", "dứa", "dừa")
)

// note is what is left: the unused words, runs joined by ", "; "" when
// they are only fillers ("nhà em có", "ạ").
func note(ws []readWord) string {
	var runs []string
	var run []readWord
	meaning := false
	flush := func() {
		if len(run) > 0 {
			runs = append(runs, joinRaw(run))
		}
		run = nil
	}
	for _, w := range ws {
		if w.used {
			flush()
			continue
		}
		run = append(run, w)
		meaning = meaning || !fillers[w.fold] && strings.ContainsFunc(w.fold, unicode.IsLetter)
		if w.end {
			flush()
		}
	}
	flush()
	if !meaning {
		return ""
	}
	return strings.Join(runs, ", ")
}
