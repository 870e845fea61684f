package vn

import (
	"math"
	"math/big"
	"strings"
)

// Price is an exact price in dong, per a unit when the user gave one
// (`2 triệu/tạ` is {2000000, `ta`}); Per is empty when none was given. A
// price per tạ or tấn stays as written: PerKgVND compares it.
type Price struct {
	VND int64
	Per Unit
}

// priceMults: the words that multiply the number before them, folded.
// `cu` (củ) is slang for a million.
var priceMults = map[string]int64{
	"k": 1_000, "nghin": 1_000, "ngan": 1_000, "ngin": 1_000,
	"tr": 1_000_000, "trieu": 1_000_000, "cu": 1_000_000,
	"canh": 1_000, "ca": 1_000, // "30 cành", "30 cá": 30 nghìn, market slang
	"ty": 1_000_000_000, "ti": 1_000_000_000,
}

// currencyWords: `đ`, `đồng`, `vnđ`, `VND`, folded; the dong sign is lexed
// apart.
var currencyWords = setOf("d", "dong", "vnd", "vn")

var priceLead = setOf("gia", "khoang", "tam", "chung", "co", "la", "ban", "mua",
	"chi", "tu", "tren", "duoi", "gan", "hon", "lay", "thu", "de", "muon", "em",
	"anh", "toi", "minh", "hang", "dat", "cao", "nhat", "it", "so", "tien",
	// politeness, and who speaks or sets the price: "da em de gia 25k a"
	"da", "vang", "u", "uh", "ok", "oke", "chi", "ben", "nha", "thi", "tai", "vuon",
	"chac", "con", "cung", "chung", "uoc")

var priceTail = setOf("thoi", "nhe", "nha", "a", "ah", "nhi", "do", "day", "duoc",
	"hon", "la", "nhat", "chan", "thi", "tro", "len", "xuoi", "ok", "oke",
	"ak", "ha", "nhen", "ne", "anh", "chi", "em", "ban", "oi", "thoi", "luon",
	"tai", "vuon", "nha", "bac", "co", "chu", "vay", "roi",
	"thuong", "luong") // "25k co thuong luong": negotiable, still 25k

// freePhrases mean "free", folded: matched as whole words.
var freePhrases = []string{"mien phi", "free", "cho khong", "khong lay tien",
	"khong tinh tien", "khong mat tien", "bieu khong", "tang khong", "khong dong"}

// ParsePrice reads a price as farmers type it: "25000", "25.000", "25,000",
// `25.000 đ`, `25k`, `25 nghìn`, `25 nghìn rưỡi`, `25,5k`, `1tr2`,
// `1 triệu 2`, `1,2 triệu`, `1.2tr`, `1 củ 2`, `1 triệu rưỡi`,
// `1 triệu 200 nghìn`, `2 triệu/tạ`, `25k/kg`, `25k 1 kg`, `25k một cân`,
// `một cân 25k`, `50k/100g` (= 50k per lạng), `100k/5kg` (= 20k per kg),
// `30 cành` (slang: 30 nghìn), `dạ em để giá 25k ạ`, `ba mươi nghìn`,
// `hai chục nghìn`. A number said in words without a multiplier is in
// thousands ("hai lăm" is 25.000: nobody says a price in dong in words).
// Two writings of one price are one price (`25k (25.000đ)`); when they
// disagree the first is returned with ErrUnsure, for the flow to confirm.
//
// Errors: ErrPriceRange for `35-40k` or `35 đến 40 nghìn`; ErrFree for
// `miễn phí` or a zero price; ErrUnknownUnit for `25k/bịch`; ErrTooLarge
// past 10^15 đ; ErrUnsure (with the first price); ErrNotPrice otherwise. A bare number is read as dong:
// `25` is 25 đ, which PlausiblePrice rejects, so the flow can ask.
func ParsePrice(s string) (Price, error) { return parsePriceText(s, false) }

// parsePriceText is ParsePrice; in a listing (one message with the
// quantity too), a number and a unit after the amount are its quantity
// ("25k 3 tạ"), where answering the price question they are the amount's
// last digits and its unit ("1 triệu 2 tạ": 1,2 triệu a tạ).
func parsePriceText(s string, listing bool) (Price, error) {
	f := Fold(s)
	padded := " " + strings.Join(strings.FieldsFunc(f, func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	}), " ") + " "
	for _, ph := range freePhrases {
		if strings.Contains(padded, " "+ph+" ") {
			return Price{}, ErrFree
		}
	}
	toks := spoken(joinSpacedThousands(lex(f)), func(next string) bool {
		return priceMults[next] > 0 // "hai chuc nghin": 20.000
	})
	// A second writing of the price: "25k (25.000đ)", "25k = 25.000đ".
	for k := 1; k < len(toks); k++ {
		if !toks[k].open && !(toks[k].kind == tWord && (toks[k].text == "tuc" || toks[k].text == "bang")) {
			continue
		}
		first, err := parsePrice(&stream{toks: toks[:k], listing: listing})
		if err != nil {
			break
		}
		rest := &stream{toks: toks[k:], listing: listing}
		rest.skip(restatedWords)
		again, err := parsePrice(rest)
		switch {
		case err != nil:
			return Price{}, ErrNotPrice
		case first.VND != again.VND || first.Per != again.Per && first.Per != "" && again.Per != "":
			return first, ErrUnsure
		}
		if first.Per == "" {
			first.Per = again.Per
		}
		return first, nil
	}
	return parsePrice(&stream{toks: toks, listing: listing})
}

// parsePrice reads the tokens of one price, as ParsePrice.
func parsePrice(p *stream) (Price, error) {
	p.skipLead(priceLead)

	// A per part first: "1 kg 25k", "mot can 25 nghin", "moi ky 25k".
	per, perN := Unit(""), big.NewRat(1, 1)
	if t, ok := p.peek(0); ok && (t.text == "1" || t.text == "mot" || t.text == "moi") {
		if u, n := p.unit(1); n > 0 && p.i+1+n < len(p.toks) {
			per = u
			p.i += 1 + n
			p.skip(priceLead)
		}
	}
	amount, err := p.priceAmount()
	if err != nil {
		return Price{}, err
	}
	if p.isRangeSep() {
		return Price{}, ErrPriceRange
	}
	p.skipCurrency()
	if per == "" {
		if per, perN, err = p.perPart(); err != nil {
			return Price{}, err
		}
		p.skipCurrency()
	}
	tail := p.i
	p.skip(priceTail)
	if sunday(p.toks[tail:p.i]) {
		return Price{}, ErrNotPrice // "25k chủ nhật": a price, then a day
	}
	if !p.done() {
		if p.isRangeSep() {
			return Price{}, ErrPriceRange
		}
		return Price{}, ErrNotPrice
	}
	if per != "" && (per == unitGram || perN.Cmp(big.NewRat(1, 1)) != 0) {
		if per, amount, err = perOne(per, perN, amount); err != nil {
			return Price{}, err
		}
	}
	if amount.Sign() == 0 {
		return Price{}, ErrFree
	}
	if !amount.IsInt() && amount.Cmp(big.NewRat(1000, 1)) < 0 {
		return Price{}, ErrNotPrice // "25.5": not a price in dong
	}
	vnd, ok := roundRat(amount)
	if !ok {
		return Price{}, ErrTooLarge
	}
	return Price{VND: vnd, Per: per}, nil
}

// sunday tells whether toks, a price's tail words, say "chủ nhật"
// (Sunday): "chủ" and "nhất" are politeness after a price ("25k chứ",
// "25k là nhất"), the two together a day.
func sunday(toks []token) bool {
	for i := 1; i < len(toks); i++ {
		if toks[i-1].text == "chu" && toks[i].text == "nhat" {
			return true
		}
	}
	return false
}

// priceAmount reads the number part: groups of a number and a multiplier in
// decreasing order ("1 trieu 200 nghin"), then either "ruoi" (half the last
// multiplier) or a short tail ("1tr2" = 1,2 trieu; "25k5" = 25,5k).
func (p *stream) priceAmount() (*big.Rat, error) {
	total := new(big.Rat)
	var last int64
	said := false // the number is in words
	for group := 0; ; group++ {
		t, ok := p.peek(0)
		if !ok {
			return nil, ErrNotPrice
		}
		var v *big.Rat
		switch {
		case t.kind == tNum:
			said = t.said
			next := p.word(1)
			if v, ok = parseNumber(t.text, priceMults[next] == 0 && next != "tram"); !ok {
				return nil, ErrNotPrice
			}
		case group == 0 && numberWords[t.text] > 0:
			v = new(big.Rat).SetInt64(numberWords[t.text])
			said = true
		default:
			return nil, ErrNotPrice
		}
		p.i++
		if p.word(0) == "tram" {
			v.Mul(v, big.NewRat(100, 1))
			p.i++
			if isHalf(p.word(0)) {
				v.Add(v, big.NewRat(50, 1))
				p.i++
			}
			if priceMults[p.word(0)] == 0 && last >= 1_000_000 {
				// "1 trieu 2 tram": the hundreds are of thousands.
				v.Mul(v, big.NewRat(1000, 1))
				return total.Add(total, v), nil
			}
		}
		m := priceMults[p.word(0)]
		if m == 0 {
			if group > 0 {
				return nil, ErrNotPrice
			}
			if said && v.Cmp(big.NewRat(1000, 1)) < 0 {
				v.Mul(v, big.NewRat(1000, 1)) // "hai lam": 25 nghin
			}
			total.Add(total, v)
			if isHalf(p.word(0)) {
				total.Add(total, ratHalf)
				p.i++
			}
			return total, nil
		}
		if last != 0 && m >= last {
			return nil, ErrNotPrice
		}
		p.i++
		total.Add(total, v.Mul(v, new(big.Rat).SetInt64(m)))
		last = m
		if isHalf(p.word(0)) {
			total.Add(total, big.NewRat(m, 2))
			p.i++
			return total, nil
		}
		if d := tenthWord(p.word(0)); d > 0 && m >= 1_000_000 && p.unitAfter(1) == 0 && priceMults[p.word(1)] == 0 {
			// "mot trieu hai": 1,2 trieu, as "1 trieu 2"
			total.Add(total, big.NewRat(d*m, 10))
			p.i++
			return total, nil
		}
		t, ok = p.peek(0)
		if !ok || t.kind != tNum {
			return total, nil
		}
		if nx := p.word(1); priceMults[nx] > 0 || nx == "tram" {
			continue // the next group
		}
		if !allDigits(t.text) || len(t.text) > 3 {
			return total, nil
		}
		if !t.glued && (p.timeAfter(0) || (t.text == "1" || p.listing) && p.unitAfter(1) > 0) {
			return total, nil // "25k 1 kg": a per part; "25k 2 ngày nữa": a time; in a listing "25k 3 tạ": its quantity
		}
		d, _ := new(big.Rat).SetString(t.text)
		d.Mul(d, new(big.Rat).SetInt64(m))
		total.Add(total, d.Quo(d, pow10(len(t.text))))
		p.i++
		return total, nil
	}
}

func (p *stream) skipCurrency() {
	for !p.done() {
		t := p.toks[p.i]
		if t.kind != tDong && !(t.kind == tWord && currencyWords[t.text]) {
			return
		}
		p.i++
	}
}

// perPart reads "/kg", "/1 kg", "/100g", "1 kg", "mot can", "moi ky",
// "kg" after the amount. No per part gives ("", 1, nil).
func (p *stream) perPart() (Unit, *big.Rat, error) {
	one := big.NewRat(1, 1)
	start := p.i
	slash := p.isKind(0, tSlash)
	if slash {
		p.i++
	}
	n := one
	t, ok := p.peek(0)
	switch {
	case !ok:
		if slash {
			return "", nil, ErrNotPrice
		}
		return "", one, nil
	case t.kind == tNum:
		if !slash && t.text != "1" {
			return "", one, nil
		}
		v, ok := parseNumber(t.text, false)
		if !ok {
			return "", nil, ErrNotPrice
		}
		n = v
		p.i++
	case t.text == "mot" || t.text == "moi":
		p.i++
	}
	u, k := p.unit(0)
	if k == 0 {
		if slash {
			if p.isKind(0, tWord) {
				return "", nil, ErrUnknownUnit
			}
			return "", nil, ErrNotPrice
		}
		p.i = start
		return "", one, nil
	}
	p.i += k
	return u, n, nil
}

// perOne turns a price per n units (or per grams) into a price per one
// unit: per 100 g is per lang, per 1000 g per kg, per 5 kg becomes per kg,
// per 10 qua per qua.
func perOne(u Unit, n, amount *big.Rat) (Unit, *big.Rat, error) {
	if n.Sign() <= 0 {
		return "", nil, ErrNotPrice
	}
	if f := factorOf(u); f > 0 {
		grams := new(big.Rat).Mul(n, new(big.Rat).SetInt64(f))
		for _, w := range Units() {
			if wf := unitMilliKg[w]; wf > 0 && grams.Cmp(new(big.Rat).SetInt64(wf)) == 0 {
				return w, amount, nil
			}
		}
		perKg := new(big.Rat).Mul(amount, big.NewRat(1000, 1))
		return UnitKg, perKg.Quo(perKg, grams), nil
	}
	return u, new(big.Rat).Quo(amount, n), nil
}

// PerKgVND returns the price of one kg, rounded half up: 2 triệu/tạ is
// 20000. ok is false unless Per is a weight unit.
func (p Price) PerKgVND() (int64, bool) {
	f, ok := unitMilliKg[p.Per]
	if !ok || p.VND < 0 {
		return 0, false
	}
	v, ok := roundRat(new(big.Rat).SetFrac(
		new(big.Int).Mul(big.NewInt(p.VND), big.NewInt(1000)), big.NewInt(f)))
	return v, ok
}

// Counted is p as counted in unit u, as Quantity.Counted: where quả are
// counted (eggs sold by the piece), a price per chục is a tenth of it per
// quả (30k/chục is 3k/quả). Elsewhere, or when a tenth is not a whole
// number of đồng, p is returned as it is.
func (p Price) Counted(u Unit) Price {
	if p.Per != UnitChuc || u != UnitQua || p.VND%10 != 0 {
		return p
	}
	return Price{VND: p.VND / 10, Per: UnitQua}
}

// InCounted is p per unit u: as it is when per u, and, where a chục counts
// ten of counted (eggs: quả), a price per quả ten times that per chục (3k
// a quả is 30k a chục) and one per chục a tenth of it per quả when that is
// a whole number of đồng (Counted). ok is false otherwise, as for the
// chục and the quả of fruit.
func (p Price) InCounted(u, counted Unit) (Price, bool) {
	switch {
	case p.Per == u:
		return p, true
	case counted != UnitQua:
	case p.Per == UnitQua && u == UnitChuc && p.VND >= 0 && p.VND <= math.MaxInt64/10:
		return Price{VND: p.VND * 10, Per: UnitChuc}, true
	case p.Per == UnitChuc && u == UnitQua:
		if c := p.Counted(counted); c.Per == UnitQua {
			return c, true
		}
	}
	return Price{}, false
}

// Total is the price of q at p, rounded half up to the dong: 50 kg at
// 25k/kg is 1.250.000, 150 kg at 2 triệu/tạ is 3.000.000. A price without
// a unit is taken per q's unit. ok is false when the units do not match
// (a price per con for a quantity in kg) or past 10^15 đ.
func (p Price) Total(q Quantity) (int64, bool) {
	if p.VND < 0 || q.Milli < 0 {
		return 0, false
	}
	per := p.Per
	if per == "" {
		per = q.Unit
	}
	num := new(big.Int).Mul(big.NewInt(p.VND), big.NewInt(q.Milli))
	den := big.NewInt(1000)
	if per != q.Unit {
		fp, ok1 := unitMilliKg[per]
		fq, ok2 := unitMilliKg[q.Unit]
		if !ok1 || !ok2 {
			return 0, false
		}
		num.Mul(num, big.NewInt(fq))
		den.Mul(den, big.NewInt(fp))
	}
	return roundRat(new(big.Rat).SetFrac(num, den))
}

// Plausibility bounds, in dong.
const (
	minPlausibleVND   = 100         // below that, a typo ("25" for 25k)
	maxPlausiblePerKg = 1_000_000   // honey ~300-500k/kg, star anise ~100-200k/kg
	maxPlausibleAny   = 100_000_000 // no unit: a buffalo, a cow
)

// maxPerCount: the highest plausible price of one count or volume unit.
var maxPerCount = map[Unit]int64{
	UnitQua: 2_000_000, UnitChuc: 5_000_000, UnitThung: 20_000_000,
	UnitBao: 30_000_000, UnitBo: 1_000_000, UnitCon: 100_000_000,
	UnitLit: 2_000_000, UnitBuong: 2_000_000, UnitNai: 500_000, UnitSot: 5_000_000,
	UnitBi: 30_000_000, UnitMo: 1_000_000, UnitHop: 10_000_000, UnitKien: 50_000_000,
	UnitCay: 100_000_000, // a peach tree for Tết, a timber tree
}

// MinPerPiece: the lowest plausible price of one piece of produce sold by
// the piece (counted: hens' eggs, about 2.000–5.000 đ each), unless the
// product says otherwise (Product.PieceMin: quail eggs, 300–600 đ).
const MinPerPiece = 1_000

// CheapChuc reports whether p is a price per chục, where a chục counts ten
// of counted (eggs: quả), below ten pieces at their lowest plausible price
// pieceMin (0: MinPerPiece): "3k" a chục of hens' eggs is 300 đ an egg,
// surely 3k a quả, so the flow asks; a chục of quail eggs is sold for that.
// Never for a chục of fruit (counted empty), its own unit.
func (p Price) CheapChuc(counted Unit, pieceMin int64) bool {
	if pieceMin <= 0 {
		pieceMin = MinPerPiece
	}
	return p.Per == UnitChuc && counted == UnitQua && p.VND < 10*pieceMin
}

// PlausiblePrice reports whether p looks like a real price, so the flow
// asks again or asks to confirm otherwise. Per weight, the price per kg
// must lie in 100 đ … 1.000.000 đ (10 tỷ/kg fails; honey, star anise pass).
// Per count or volume unit: 100 đ … a bound per unit (quả 2 triệu, chục
// 5 triệu, thùng 20 triệu, bao 30 triệu, bó 1 triệu, con 100 triệu, lít
// 2 triệu, buồng 2 triệu, nải 500 nghìn, sọt 5 triệu, bì 30 triệu, mớ 1
// triệu, hộp 10 triệu, kiện 50 triệu, cây 100 triệu). Without a unit: 100 đ … 100 triệu; set Per to the listing's
// unit first for a sharper check.
func PlausiblePrice(p Price) bool {
	if p.VND < minPlausibleVND {
		return false
	}
	if p.Per == "" {
		return p.VND <= maxPlausibleAny
	}
	if perKg, ok := p.PerKgVND(); ok {
		return perKg >= minPlausibleVND && perKg <= maxPlausiblePerKg
	}
	max, ok := maxPerCount[p.Per]
	return ok && p.VND <= max
}
