package vn

import (
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The parsers read Fold(input) as a list of tokens. Every vocabulary word
// below is ASCII because it is compared with folded text.

type tokKind uint8

const (
	tNum   tokKind = iota + 1 // ASCII digits, maybe with inner '.' or ','
	tWord                     // a run of letters
	tSlash                    // '/'
	tDash                     // '-', en/em dash, '~', '>', arrows: ranges
	tDong                     // the dong sign
	tOther                    // any other symbol: makes most parses fail
)

type token struct {
	kind  tokKind
	text  string
	glued bool // no space between this token and the previous one
	open  bool // an opening bracket or "=" stands just before: "2 tấn (2000kg)"
	start int  // byte offset in the folded text, to return what is left as typed
	said  bool // a number said in words ("hai lam"), made a number token
}

// maxNumLen bounds a number token, so that no parse does unbounded work
// and every value fits an int64 comfortably.
const maxNumLen = 40

// lex splits folded text into tokens. Spaces and the punctuation that never
// changes the meaning (",", ".", "!", "?", ":", ";", quotes, brackets)
// separate tokens; '.' and ',' between two digits stay inside a number.
func lex(s string) []token {
	var toks []token
	glued, open := false, false
	add := func(t token) {
		t.open, open = open, false
		toks = append(toks, t)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= '0' && r <= '9':
			j := i + 1
			for j < len(s) {
				c := s[j]
				if c >= '0' && c <= '9' {
					j++
					continue
				}
				if (c == '.' || c == ',') && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' {
					j += 2
					continue
				}
				break
			}
			add(token{kind: tNum, text: s[i:j], glued: glued && len(toks) > 0, start: i})
			i, glued = j, true
			continue
		case unicode.IsLetter(r):
			j := i + size
			for j < len(s) {
				r2, n := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) {
					break
				}
				j += n
			}
			add(token{kind: tWord, text: s[i:j], glued: glued && len(toks) > 0, start: i})
			i, glued = j, true
			continue
		case r == '(' || r == '[' || r == '=':
			glued, open = false, true
		case unicode.IsSpace(r) || strings.ContainsRune(",.!?:;\"')]{}*", r) || pictograph(r):
			glued = false
		case r == '/':
			add(token{kind: tSlash, text: "/", glued: glued && len(toks) > 0, start: i})
			glued = true
		case strings.ContainsRune("-~>\u2013\u2014\u2192\u2012\u2212", r):
			if n := len(toks); n > 0 && toks[n-1].kind == tDash && glued {
				i += size
				continue // "->" is one token
			}
			add(token{kind: tDash, text: "-", glued: glued && len(toks) > 0, start: i})
			glued = true
		case r == '\u20ab':
			add(token{kind: tDong, text: "d", glued: glued && len(toks) > 0, start: i})
			glued = true
		default:
			add(token{kind: tOther, text: string(r), glued: glued && len(toks) > 0, start: i})
			glued = true
		}
		i += size
	}
	return toks
}

// pictograph tells whether r is an emoji or a like symbol, or a part of
// one (a skin tone, a variation selector, a keycap): farmers end answers
// with them ("5 tạ 👍", "25k 🙏", "mai nhé 😊"), and they say nothing of
// the value, so they separate words as a space does. The ellipsis too
// ("mai nhé…").
func pictograph(r rune) bool {
	return r >= 0x80 && (unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) || unicode.Is(unicode.Me, r) ||
		unicode.Is(unicode.Variation_Selector, r) || r == '\u2026')
}

// WithoutPictographs is s without its emoji (see pictograph), spaces
// collapsed: "25k 🙏" as typed is echoed back "25k".
func WithoutPictographs(s string) string {
	if !strings.ContainsFunc(s, pictograph) {
		return s
	}
	return collapse(strings.Map(func(r rune) rune {
		if pictograph(r) {
			return ' '
		}
		return r
	}, s))
}

// joinSpacedThousands merges "25 000" into one number "25.000": a number of
// 1-3 plain digits followed, after a space, by numbers of exactly 3 digits.
func joinSpacedThousands(toks []token) []token {
	out := toks[:0:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tNum && allDigits(t.text) && len(t.text) <= 3 {
			for i+1 < len(toks) && toks[i+1].kind == tNum && !toks[i+1].glued &&
				len(toks[i+1].text) == 3 && allDigits(toks[i+1].text) {
				t.text += "." + toks[i+1].text
				i++
			}
		}
		out = append(out, t)
	}
	return out
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseNumber reads a number token as an exact rational. Vietnamese writes
// "1.234,5", English "1,234.5"; both are read. A single separator followed
// by exactly three digits is ambiguous ("25.000", "1,500"):
//   - grouping=true (money without a multiplier, where a fraction of a dong
//     makes no sense): it groups thousands;
//   - grouping=false (quantities, money before k/trieu): "." groups
//     thousands (Vietnamese habit) and "," is the decimal comma (Vietnamese
//     habit), except ",000" which nobody writes for a decimal.
//
// ok is false for malformed groupings such as "1.23.4".
func parseNumber(s string, grouping bool) (*big.Rat, bool) {
	if len(s) == 0 || len(s) > maxNumLen {
		return nil, false
	}
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	var intPart, frac string
	switch {
	case dots == 0 && commas == 0:
		intPart = s
	case dots > 0 && commas > 0:
		last := strings.LastIndexAny(s, ".,")
		decSep := s[last]
		if strings.Count(s, string(decSep)) != 1 {
			return nil, false
		}
		intPart, frac = s[:last], s[last+1:]
		var ok bool
		if intPart, ok = ungroup(intPart); !ok {
			return nil, false
		}
	case dots+commas > 1:
		var ok bool
		if intPart, ok = ungroup(s); !ok {
			return nil, false
		}
	default:
		k := strings.IndexAny(s, ".,")
		head, tail := s[:k], s[k+1:]
		isGroup := len(tail) == 3 && len(head) <= 3 && head != "0" && head[0] != '0'
		if isGroup && !grouping && s[k] == ',' && tail != "000" {
			isGroup = false
		}
		if isGroup {
			intPart = head + tail
		} else {
			intPart, frac = head, tail
		}
	}
	if !allDigits(intPart) || (frac != "" && !allDigits(frac)) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(intPart + "." + frac + "0")
	return r, ok
}

// ungroup removes thousands separators ("1.234.567", "1,234") and checks
// that the groups after the first have three digits.
func ungroup(s string) (string, bool) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == ',' })
	if len(parts) == 0 || strings.Count(s, ".")+strings.Count(s, ",") != len(parts)-1 {
		return "", false
	}
	if len(parts[0]) == 0 || len(parts[0]) > 3 {
		return "", false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return "", false
		}
	}
	return strings.Join(parts, ""), true
}

// numberWords are the one-word numbers a farmer may type instead of digits
// ("mot tan", "hai ta"), folded. "tam" is also "tam" (about) and "con" is
// also "con" (left): callers treat them as fillers before a number.
var numberWords = map[string]int64{
	"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6,
	"bay": 7, "tam": 8, "chin": 9, "muoi": 10,
}

// halfWords: "ruoi" (and a half), folded.
func isHalf(w string) bool { return w == "ruoi" }

// rangeWords separate the two ends of a range: "35 den 40k".
var rangeWords = map[string]bool{"den": true, "toi": true, "hoac": true, "hay": true}

var (
	ratHalf      = big.NewRat(1, 2)
	maxMagnitude = new(big.Rat).SetInt64(1_000_000_000_000_000) // 10^15
)

// roundRat rounds r (>= 0) half up to an int64; ok is false past 10^15.
func roundRat(r *big.Rat) (int64, bool) {
	if r.Sign() < 0 || r.Cmp(maxMagnitude) > 0 {
		return 0, false
	}
	x := new(big.Rat).Add(r, ratHalf)
	q := new(big.Int).Quo(x.Num(), x.Denom())
	return q.Int64(), true
}

func pow10(n int) *big.Rat {
	return new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil))
}

// stream is a cursor over tokens.
type stream struct {
	toks []token
	i    int
	// listing: the tokens are of a whole listing, where a number and a
	// unit after a price are the quantity (parsePriceText).
	listing bool
}

func (p *stream) done() bool { return p.i >= len(p.toks) }

func (p *stream) peek(k int) (token, bool) {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k], true
	}
	return token{}, false
}

func (p *stream) word(k int) string {
	if t, ok := p.peek(k); ok && t.kind == tWord {
		return t.text
	}
	return ""
}

func (p *stream) isKind(k int, kind tokKind) bool {
	t, ok := p.peek(k)
	return ok && t.kind == kind
}

// skip drops words of set at the cursor.
func (p *stream) skip(set map[string]bool) {
	for !p.done() && p.toks[p.i].kind == tWord && set[p.toks[p.i].text] {
		p.i++
	}
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
