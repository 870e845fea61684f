package vn

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A DigitRun is a stretch of text made of groups of digits and what
// people put between the groups of one number: anything but letters
// ("0912 345 678", "0912,345,678", "0912/345/678", "０９１２３４５６７８").
// A letter ends it: "5 tạ 25k" is three runs.
type DigitRun struct {
	Start, End int // bytes of the text: from the first digit (or the '+' just before it) to past the last digit
	Groups     []DigitGroup
}

// A DigitGroup is digits written together, as ASCII digits: full-width
// and other compatibility digits ("０", "①") read as theirs.
type DigitGroup struct {
	Digits string
	Plus   bool // a '+' just before it ("+84")
	// Loose: apart from the group before by more than spaces, dots, dashes
	// and brackets, the way phone numbers are usually written: a comma, a
	// slash, an underscore, a star ("0912,345,678", "05/09, 06/09").
	Loose bool
}

// Digits is all the run's digits, together.
func (r DigitRun) Digits() string {
	n := 0
	for _, g := range r.Groups {
		n += len(g.Digits)
	}
	b := make([]byte, 0, n)
	for _, g := range r.Groups {
		b = append(b, g.Digits...)
	}
	return string(b)
}

// DigitRuns finds the runs of digits in s, in order. Any text may be
// given; it is read once.
func DigitRuns(s string) []DigitRun {
	var (
		runs  []DigitRun
		run   DigitRun // being read, when it has groups
		group []byte   // digits of the run's last group, while it is read
		loose bool     // a loose separator since the last group
		plus  int      // where the '+' just before is, else -1
	)
	endGroup := func() {
		if len(group) > 0 {
			run.Groups[len(run.Groups)-1].Digits = string(group)
			group = group[:0]
		}
	}
	endRun := func() {
		endGroup()
		if len(run.Groups) > 0 {
			runs = append(runs, run)
		}
		run, loose = DigitRun{}, false
	}
	plus = -1
	for i, r := range s {
		if d := digitsOf(r); d != "" {
			if len(group) == 0 { // a new group
				if len(run.Groups) == 0 {
					run.Start = i
					if plus >= 0 {
						run.Start = plus
					}
				}
				run.Groups = append(run.Groups, DigitGroup{Plus: plus >= 0, Loose: loose && len(run.Groups) > 0})
			}
			group = append(group, d...)
			run.End, loose, plus = i+utf8.RuneLen(r), false, -1
			continue
		}
		endGroup()
		plus = -1
		switch {
		case unicode.IsLetter(r):
			endRun()
		case r == '+' || r == '＋':
			plus = i
		case !tight(r):
			loose = true
		}
	}
	endRun()
	return runs
}

// digitsOf is the ASCII digits a rune stands for: "7" for '7' and '７',
// "10" for '⑩', "" for a rune that is no number.
func digitsOf(r rune) string {
	switch {
	case '0' <= r && r <= '9':
		return string(r)
	case r < utf8.RuneSelf || !unicode.IsNumber(r):
		return ""
	}
	d := norm.NFKC.String(string(r))
	if !allDigits(d) {
		return "" // "½" is "1⁄2": no digit of a number
	}
	return d
}

// tight tells whether r is what joins the groups of a number whichever
// their length: white space, a dot, a dash, a bracket, an invisible
// format character.
func tight(r rune) bool {
	switch r {
	case '.', '-', '(', ')', '–', '—':
		return true
	}
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// ContainsPhone tells whether text holds a Vietnamese mobile number
// (ParsePhone), however its groups are set apart: "lh 0912,345,678",
// "0912/345/678", "0912_345_678", "0912*345*678", "０９１２３４５６７８".
// Other digits may stand before it in the same run ("loại 1 0912 345 678").
// Groups set apart loosely (a comma, a slash) join only when both hold at
// least 3 digits, as in phone numbers (0912 345 678, 091 234 5678), or
// follow "+84": dates
// ("05/09, 06/09, 07/09") and prices ("25,000") are not read as one.
// Linear in the length of text.
func ContainsPhone(text string) bool {
	for _, run := range DigitRuns(text) {
		g := run.Groups
		for i := range g {
			var digits []byte
			if g[i].Plus {
				digits = append(digits, '+')
			}
			// A phone number is at most 15 digits (phoneNumber): each
			// start tries a bounded number of groups.
			for j := i; j < len(g) && len(digits)+len(g[j].Digits) <= 16; j++ {
				if j > i && g[j].Loose && !looseJoin(g[j-1], g[j], j-1 == i) {
					break
				}
				digits = append(digits, g[j].Digits...)
				if _, err := phoneNumber(string(digits)); err == nil {
					return true
				}
			}
		}
	}
	return false
}

// looseJoin tells whether groups set apart loosely may be one number's:
// both of 3 digits or more, or the first a "+84" that starts it.
func looseJoin(before, g DigitGroup, first bool) bool {
	return len(g.Digits) >= 3 && (len(before.Digits) >= 3 || first && before.Plus)
}
