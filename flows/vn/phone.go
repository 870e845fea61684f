package vn

import (
	"slices"
	"strings"
	"unicode"
)

// phoneLabels: words that may precede a number (`SĐT: 0912 345 678`,
// "zalo 0912..."), folded.
var phoneLabels = setOf("sdt", "so", "dien", "thoai", "dt", "lien", "he", "zalo",
	"tel", "phone", "la", "goi", "call", "hotline", "cua", "toi", "em", "anh", "chi",
	"minh", "nha", "di", "dong")

// phoneNoise: politeness and words about the number that may stand around
// it ("dạ 0912345678 ạ", "0912345678 zalo luôn", "0912 345 678 nhé anh").
var phoneNoise = setOf("da", "vang", "u", "day", "a", "ah", "ak", "nhe", "nha", "ne",
	"nhen", "ha", "oi", "luon", "zalo", "nhe", "goi", "em", "anh", "chi", "minh",
	"ban", "cung", "duoc", "dc", "nhan", "tin", "sms", "cho")

// particles end a sentence politely: "ạ", "nhé", "nha".
var particles = setOf("a", "ah", "ak", "nhe", "nha", "ne", "nhen", "ha", "oi", "luon", "nhi")

// nameLead: words that introduce a name after a number ("tên Hoa").
var nameLead = setOf("ten", "la", "goi", "cua")

// oldPrefixes: in 2018 the 11-digit mobile numbers moved to 10 digits, and
// many older farmers still know theirs as 0168 912 3456. The old prefix
// (after the 0) gives the new one: 0168 is 038. Read as today's number, an
// old one is also kept out of names and posts like any other.
var oldPrefixes = map[string]string{
	"162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37", "168": "38", "169": "39", // Viettel
	"120": "70", "121": "79", "122": "77", "126": "76", "128": "78", // MobiFone
	"123": "83", "124": "84", "125": "85", "127": "81", "129": "82", // VinaPhone
	"186": "56", "188": "58", // Vietnamobile
	"199": "59", // Gmobile
}

// ParsePhone reads a Vietnamese mobile number and returns it in E.164:
// "0912 345 678", "0912.345.678", "0912-345-678", "+84 912 345 678",
// "84912345678", "(+84) 912345678", "+84 0912 345 678", "0084 912 345 678",
// `SĐT: 0912345678`, `số em là 0912 345 678 ạ` all give `+84912345678`.
// Mobile numbers only: 10 digits starting 03, 05, 07, 08 or 09, or an
// 11-digit one from before 2018 ("01689 123 456" gives +84389123456). Anything
// else around the number (a name: see ParsePhoneRest) gives ErrNotPhone.
func ParsePhone(s string) (e164 string, err error) {
	e, rest, err := ParsePhoneRest(s)
	if err != nil || rest != "" {
		return "", ErrNotPhone
	}
	return e, nil
}

// ParsePhoneRest reads a mobile number as ParsePhone, and returns what else
// was said, as typed: a name before or after the number ("0912345678 chị
// Lan" gives "chị Lan", "số em 0912 345 678 tên Hoa" gives "Hoa"), without
// labels (`SĐT`, `số em là`), politeness (`dạ`, `ạ`, `nhé`) or words about
// the number (`zalo`). rest is empty when nothing else was said.
func ParsePhoneRest(s string) (e164, rest string, err error) {
	f := Fold(s)
	start := strings.IndexAny(f, "0123456789+(")
	if start < 0 {
		return "", "", ErrNotPhone
	}
	end := start
	for end < len(f) && strings.IndexByte("0123456789+ .-()", f[end]) >= 0 {
		end++
	}
	for end > start && strings.IndexByte(" .-(", f[end-1]) >= 0 {
		end-- // "0912 345 678 (zalo)": the bracket is not the number's
	}
	e164, err = phoneNumber(f[start:end])
	if err != nil {
		return "", "", err
	}
	before := phoneWords(s, 0, start)
	for len(before) > 0 && (phoneLabels[before[0].folded] || phoneNoise[before[0].folded]) {
		before = before[1:]
	}
	after := phoneWords(s, end, len(f))
	if !slices.ContainsFunc(after, func(w phoneWord) bool {
		// A capital makes a name of a word: "anh Minh" (not "mình").
		noise := (phoneNoise[w.folded] || phoneLabels[w.folded]) && (w.typed == strings.ToLower(w.typed) || w.folded == "zalo")
		return !noise
	}) {
		after = nil // "0912345678 gọi em nhé"
	}
	for len(after) > 0 && particles[after[len(after)-1].folded] && after[len(after)-1].typed == strings.ToLower(after[len(after)-1].typed) {
		after = after[:len(after)-1] // "chị Lan ạ"; not the "A" of "Nguyễn Văn A"
	}
	for len(after) > 0 && nameLead[after[0].folded] {
		after = after[1:]
	}
	var out []string
	for _, w := range append(before, after...) {
		out = append(out, w.typed)
	}
	return e164, strings.Join(out, " "), nil
}

type phoneWord struct{ typed, folded string }

// phoneWords splits the typed text that folds to Fold(s)[from:to] into
// words, without punctuation.
func phoneWords(s string, from, to int) []phoneWord {
	var out []phoneWord
	for _, w := range strings.FieldsFunc(typedRange(s, from, to), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		out = append(out, phoneWord{w, Fold(w)})
	}
	return out
}

// phoneNumber reads the digits of a number (and its separators) as E.164.
func phoneNumber(f string) (string, error) {
	var digits []byte
	plus := false
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == '+':
			if plus || len(digits) > 0 {
				return "", ErrNotPhone
			}
			plus = true
		case c == ' ' || c == '.' || c == '-' || c == '(' || c == ')':
		default:
			return "", ErrNotPhone
		}
		if len(digits) > 15 {
			return "", ErrNotPhone
		}
	}
	d := string(digits)
	var national string
	switch {
	case plus && strings.HasPrefix(d, "84"):
		national = d[2:]
	case plus:
		return "", ErrNotPhone
	case strings.HasPrefix(d, "0084"):
		national = d[4:]
	case strings.HasPrefix(d, "84") && len(d) == 11, strings.HasPrefix(d, "841") && len(d) == 12:
		national = d[2:]
	case strings.HasPrefix(d, "0") && len(d) == 10, strings.HasPrefix(d, "01") && len(d) == 11:
		national = d[1:]
	default:
		return "", ErrNotPhone
	}
	if len(national) == 10 && national[0] == '0' { // "+84 0912 345 678"
		national = national[1:]
	}
	if now, ok := oldPrefixes[national[:min(3, len(national))]]; ok && len(national) == 10 {
		national = now + national[3:] // "0168 912 3456" is 0389 123 456
	}
	if len(national) != 9 || !strings.ContainsRune("35789", rune(national[0])) {
		return "", ErrNotPhone
	}
	return "+84" + national, nil
}

// FormatPhone shows an E.164 mobile number the Vietnamese way:
// "+84912345678" -> "0912 345 678". Anything else is returned unchanged.
func FormatPhone(e164 string) string {
	n, ok := strings.CutPrefix(e164, "+84")
	if !ok || len(n) != 9 || !allDigits(n) {
		return e164
	}
	return "0" + n[:3] + " " + n[3:6] + " " + n[6:]
}
