package vn

import "strconv"

// Spoken numbers under a thousand, folded: "ba muoi" (30), "muoi lam" (15),
// "hai lam" and "hai nham" (25: "lăm"/"nhăm" are five after tens), "bon
// mot" (41: "mốt" is one after tens), "hai tu" (24), "mot tram linh nam"
// (105), "mot tram hai" (120, the tens left unsaid). A single number word
// ("ba ta") is read by the parsers themselves, and "tram" after a lone
// digit word stays for them too ("mot tram ruoi" = 150).
//
// "chuc" is a unit of its own for fruit (DOMAIN.md: "2 chục cam" is 2
// chục), so "hai chuc" is twenty only when what follows says it is a
// number: in a price, a multiplier ("hai chục nghìn" = 20.000); in a
// quantity, another unit ("hai chục cân" = 20 kg).
var (
	digitWords = map[string]int64{
		"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6,
		"bay": 7, "tam": 8, "chin": 9,
	}
	// afterTens: the ones as said after tens ("hai muoi mot" or "hai mot").
	afterTens = map[string]int64{"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4,
		"nam": 5, "lam": 5, "nham": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}
	// shortOnes: the ones that make "hai lam", "bon mot", "hai tu" a
	// number with the tens left unsaid; other pairs ("ba bon ta") mean
	// "three or four", which is no number.
	shortOnes = setOf("mot", "lam", "nham", "tu")
	zeroWords = setOf("linh", "le")
)

// spoken replaces spoken numbers by number tokens. chucNumber tells
// whether "chuc" followed by the word after it is the tens (see above).
func spoken(toks []token, chucNumber func(next string) bool) []token {
	var out []token
	for i := 0; i < len(toks); {
		if v, n := spokenAt(toks, i, chucNumber); n > 1 {
			t := toks[i]
			t.kind, t.text, t.said = tNum, strconv.FormatInt(v, 10), true
			out = append(out, t)
			i += n
			continue
		}
		out = append(out, toks[i])
		i++
	}
	return out
}

// spokenAt reads a spoken number at toks[i]: its value and length (0:
// none).
func spokenAt(toks []token, i int, chucNumber func(string) bool) (int64, int) {
	w := func(k int) string {
		if i+k < len(toks) && toks[i+k].kind == tWord {
			return toks[i+k].text
		}
		return ""
	}
	d, isDigit := digitWords[w(0)]
	if isDigit && w(1) == "tram" {
		if o := digitWords[w(3)]; zeroWords[w(2)] && o > 0 { // "mot tram linh nam"
			return d*100 + o, 4
		}
		if v, n := tensAt(toks, i+2, chucNumber); n > 0 {
			return d*100 + v, 2 + n
		}
		if o, ok := digitWords[w(2)]; ok && w(3) != "tram" && w(3) != "muoi" && w(3) != "chuc" {
			if _, more := digitWords[w(3)]; !more {
				return d*100 + o*10, 3 // "mot tram hai": 120
			}
		}
		return 0, 0
	}
	return tensAt(toks, i, chucNumber)
}

// tensAt reads 10..99 said in words at toks[i].
func tensAt(toks []token, i int, chucNumber func(string) bool) (int64, int) {
	w := func(k int) string {
		if i+k < len(toks) && toks[i+k].kind == tWord {
			return toks[i+k].text
		}
		return ""
	}
	if w(0) == "muoi" { // "muoi lam": 15; "muoi" alone is a number word
		if o := afterTens[w(1)]; o > 0 {
			return 10 + o, 2
		}
		return 0, 0
	}
	d, ok := digitWords[w(0)]
	if !ok || d < 2 && w(1) != "chuc" {
		return 0, 0
	}
	switch {
	case w(1) == "muoi" || w(1) == "chuc" && chucNumber(w(2)):
		if o := afterTens[w(2)]; o > 0 && w(1) == "muoi" {
			return d*10 + o, 3
		}
		return d * 10, 2
	case shortOnes[w(1)] && w(0) != "tam" && w(0) != "mot":
		// "tam mot" is "about one" (tầm một), not 81.
		return d*10 + afterTens[w(1)], 2
	}
	return 0, 0
}
