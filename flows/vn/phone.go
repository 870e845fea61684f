package vn

import "strings"

// phoneLabels: words that may precede a number (`SĐT: 0912 345 678`,
// "zalo 0912..."), folded.
var phoneLabels = setOf("sdt", "so", "dien", "thoai", "dt", "lien", "he", "zalo",
	"tel", "phone", "la", "goi", "call", "hotline", "cua", "toi", "em", "anh", "chi",
	"minh", "nha", "di", "dong")

// ParsePhone reads a Vietnamese mobile number and returns it in E.164:
// "0912 345 678", "0912.345.678", "0912-345-678", "+84 912 345 678",
// "84912345678", "(+84) 912345678", "+84 0912 345 678", "0084 912 345 678",
// `SĐT: 0912345678` all give `+84912345678`. Mobile numbers only: 10
// digits starting 03, 05, 07, 08 or 09. Otherwise ErrNotPhone.
func ParsePhone(s string) (e164 string, err error) {
	f := Fold(s)
	start := strings.IndexAny(f, "0123456789+(")
	if start < 0 {
		return "", ErrNotPhone
	}
	for _, w := range strings.FieldsFunc(f[:start], func(r rune) bool {
		return r == ' ' || r == ':' || r == '-' || r == '.' || r == ','
	}) {
		if !phoneLabels[w] {
			return "", ErrNotPhone
		}
	}
	var digits []byte
	plus := false
	for i := start; i < len(f); i++ {
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
	case strings.HasPrefix(d, "84") && len(d) == 11:
		national = d[2:]
	case strings.HasPrefix(d, "0") && len(d) == 10:
		national = d[1:]
	default:
		return "", ErrNotPhone
	}
	if len(national) == 10 && national[0] == '0' { // "+84 0912 345 678"
		national = national[1:]
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
