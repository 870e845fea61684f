package vn

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A DigitRun is a stretch of text made of groups of digits and what
// people put between the groups of one number: anything but letters
// ("0912 345 678", "0912,345,678", "0912/345/678", "０９１２３４５６７８").
// Digits are read however they are written: full-width or circled
// ("０", "①"), said in words ("không chín một", "khong chin mot"), or
// with letters that look like them in a word of digits ("O912", "09l2")
// or between digits ("0968 lll 222").
// Any other letter ends it: "5 tạ 25k" is three runs.
type DigitRun struct {
	Start, End int // bytes of the text: from the first digit (or the '+' just before it) to past the last digit
	Groups     []DigitGroup
}

// A DigitGroup is digits written together, as ASCII digits: full-width
// and other compatibility digits ("０", "①") read as theirs, a digit said
// in words ("chín") or a word of digits ("O912") as one group.
type DigitGroup struct {
	Digits string
	Plus   bool // a '+' just before it ("+84")
	// Loose: apart from the group before by more than spaces, dots, dashes
	// and brackets, the way phone numbers are usually written: a comma, a
	// slash, an underscore, a star ("0912,345,678", "05/09, 06/09").
	Loose bool
	// Apart: apart from the group before by a dash between spaces, as
	// the parts of a title are ("2025 - 15/8").
	Apart bool
	// Start, End: bytes of the text, as DigitRun's.
	Start, End int
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

// Numbers splits the run into the numbers it holds: where its groups are
// set apart loosely or by a dash between spaces ("15/8/2025", "2025 -
// 15/8"), another number starts, unless the groups around may be one
// phone number's: no split is made where groups on both sides of it hold
// 9 to 16 digits together (a mobile number, with +84 or 0084, a landline,
// one written a digit short, or with a few more digits around it). A run
// is never split between groups written together or apart by spaces only
// ("không chín 1 2 3 4").
func (r DigitRun) Numbers() []DigitRun {
	g := r.Groups
	sum := make([]int, len(g)+1) // sum[i]: the digits of g[:i]
	for i, gr := range g {
		sum[i+1] = sum[i] + len(gr.Digits)
	}
	var out []DigitRun
	from := 0
	for j := 1; j <= len(g); j++ {
		if j < len(g) && (!g[j].Loose && !g[j].Apart || phoneAcross(sum, j)) {
			continue // the same number goes on
		}
		n := DigitRun{Start: g[from].Start, End: g[j-1].End, Groups: g[from:j]}
		if from == 0 {
			n.Start = r.Start
		}
		out = append(out, n)
		from = j
	}
	return out
}

// phoneAcross tells whether consecutive groups on both sides of the split
// before group j (sum: the digits before each group, as in Numbers) hold
// 9 to 16 digits together. Each group has a digit: a few steps each way.
func phoneAcross(sum []int, j int) bool {
	for i := j - 1; i >= 0 && sum[j]-sum[i] < 16; i-- {
		for k := j + 1; k < len(sum) && sum[k]-sum[i] <= 16; k++ {
			if sum[k]-sum[i] >= 9 {
				return true
			}
		}
	}
	return false
}

// DigitRuns finds the runs of digits in s, in order. Any text may be
// given; it is read once, a word at a time.
func DigitRuns(s string) []DigitRun {
	rd := runReader{plus: -1}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !inWord(r) {
			rd.between(i, r)
			i += size
			continue
		}
		end := i + size
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if !inWord(r) {
				break
			}
			end += size
		}
		rd.word(s, i, end)
		i = end
	}
	rd.endRun()
	return rd.runs
}

// inWord tells whether r belongs to a word: a letter, a number, a mark.
func inWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r)
}

// runReader reads DigitRuns.
type runReader struct {
	runs  []DigitRun
	run   DigitRun // being read, when it has groups
	open  bool     // the run's last group may go on: the rune before was its digit
	loose bool     // a loose separator since the last group
	gap   gap      // how far a dash between spaces is read since the last group
	plus  int      // where the '+' just before is, else -1
	// pending: words of look-alike letters only after the run's digits,
	// its digits if more follow ("0968 lll 222"), else a word like any.
	pending []DigitGroup
}

// gap reads a dash between spaces after a group: "2025 - 15/8".
type gap int

const (
	gapNone  gap = iota
	gapSpace     // a space after the group
	gapDash      // then a dash
	gapApart     // then a space: the next group is Apart
)

// between reads r at i, out of any word.
func (rd *runReader) between(i int, r rune) {
	rd.open, rd.plus = false, -1
	switch {
	case r == '+' || r == '＋':
		rd.plus = i
	case !tight(r):
		rd.loose = true
	}
	switch {
	case unicode.IsSpace(r) && rd.gap == gapNone:
		rd.gap = gapSpace
	case unicode.IsSpace(r) && rd.gap == gapDash:
		rd.gap = gapApart
	case (r == '-' || r == '–' || r == '—') && rd.gap == gapSpace:
		rd.gap = gapDash
	}
}

// word reads the word s[from:to]: a digit said in words, a word of
// digits (with look-alike letters), or digits and letters rune by rune
// ("lh0912345678": the letters end a run, the digits make one).
func (rd *runReader) word(s string, from, to int) {
	w := s[from:to]
	if d, ok := saidDigit(w); ok {
		rd.digits(from, to, d)
		rd.open = false
		return
	}
	d, real, ok := digitWord(w)
	if ok && real {
		rd.digits(from, to, d)
		rd.open = false
		return
	}
	if ok && len(rd.run.Groups) > 0 {
		rd.pending = append(rd.pending, DigitGroup{Digits: d, Loose: rd.loose, Apart: rd.gap == gapApart, Start: from, End: to})
		rd.open, rd.loose, rd.gap, rd.plus = false, false, gapNone, -1
		return
	}
	for k, r := range w {
		at := from + k
		if d := digitsOf(r); d != "" {
			rd.digits(at, at+utf8.RuneLen(r), d)
			continue
		}
		rd.open, rd.plus = false, -1
		if unicode.IsLetter(r) {
			rd.endRun()
		} else {
			rd.loose = true // a mark, a number that is no digit ("½")
		}
	}
	rd.open, rd.plus = false, -1
}

// digits adds d, read from s[from:to], to the run.
func (rd *runReader) digits(from, to int, d string) {
	rd.run.Groups = append(rd.run.Groups, rd.pending...)
	rd.pending = rd.pending[:0]
	g := rd.run.Groups
	if rd.open {
		g[len(g)-1].Digits += d
		g[len(g)-1].End = to
	} else {
		start := from
		if rd.plus >= 0 {
			start = rd.plus
		}
		if len(g) == 0 {
			rd.run.Start = start
		}
		rd.run.Groups = append(g, DigitGroup{Digits: d, Plus: rd.plus >= 0, Loose: rd.loose && len(g) > 0,
			Apart: rd.gap == gapApart && len(g) > 0, Start: start, End: to})
	}
	rd.run.End, rd.open, rd.loose, rd.gap, rd.plus = to, true, false, gapNone, -1
}

// endRun keeps the run read, if any, and starts another.
func (rd *runReader) endRun() {
	if len(rd.run.Groups) > 0 {
		rd.runs = append(rd.runs, rd.run)
	}
	rd.run, rd.open, rd.loose, rd.gap, rd.pending = DigitRun{}, false, false, gapNone, rd.pending[:0]
}

// saidDigits are digits said in words, lower case, as typed with their
// diacritics or with none: "chín" and "chin" are 9, "chìn" is no digit.
// "mốt", "lăm" and "tư" are said after tens, and give a number's digits
// when it is said in pairs ("chín mốt" is 91). "linh" and "lẻ" are left
// out: "bán lẻ" is no zero, and digits are said with "không".
var saidDigits = func() map[string]string {
	m := map[string]string{"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4",
		"five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
	for d, words := range [...][]string{
		{"không"}, {"một", "mốt"}, {"hai"}, {"ba"}, {"bốn", "tư"},
		{"năm", "lăm"}, {"sáu"}, {"bảy", "bẩy"}, {"tám"}, {"chín"},
	} {
		for _, w := range words {
			m[w] = string(rune('0' + d))
			m[Fold(w)] = string(rune('0' + d))
		}
	}
	return m
}()

// saidDigit reads w as a digit said in words.
func saidDigit(w string) (string, bool) {
	if len(w) > len("không")*2 { // longer than any, even decomposed
		return "", false
	}
	d, ok := saidDigits[norm.NFC.String(strings.ToLower(w))]
	return d, ok
}

// lookAlikes are letters typed for digits among digits ("O912", "09l2").
var lookAlikes = map[rune]string{'O': "0", 'o': "0", 'l': "1", 'I': "1"}

// digitWord reads a word made of digits and letters that look like
// digits ("O912" is 0912); real tells whether a digit is among them: "Ol"
// is a number only between digits.
func digitWord(w string) (d string, real, ok bool) {
	var b strings.Builder
	for _, r := range w {
		d := digitsOf(r)
		if d != "" {
			real = true
		} else if d = lookAlikes[r]; d == "" {
			return "", false, false
		}
		b.WriteString(d)
	}
	return b.String(), real, true
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
