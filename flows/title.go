package flows

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// safeTitle is a group's title as the bot repeats it to others. Anyone
// can name a group and make it a market, and its title reaches farmers
// ("📢 Tin bán … đã lên nhóm …"), so what in it could lead them to a
// stranger is left out ("…"): links and @names; what follows a word that
// points to a contact ("Zalo tên Hùng", "liên hệ anh Hùng", "STK …") up to
// the end of its part of the title, when it leads to someone ("Zalo Lạng
// Sơn" stays); and numbers of six digits or more, however written ("0 9 8
// …", "０９１２…", "O912…", "không chín tám …": vn.DigitRuns), but not
// what only reads as one ("2025 - 15/8": DigitRun.Numbers). It is a pure
// function of the title.
func safeTitle(title string) string {
	// Leaving something out can make a contact word of what was glued to
	// it ("gọi000000A0"): again, until nothing changes.
	t := cleanTitle(title)
	for i := 0; i < 8; i++ {
		again := cleanTitle(t)
		if again == t {
			break
		}
		t = again
	}
	return t
}

// cleanTitle leaves out of title, once, what safeTitle says.
func cleanTitle(title string) string {
	// Fullwidth, circled or mathematical letters become plain ones: what
	// looks like a link or a contact word is read as one (vn.DigitRuns
	// reads such digits itself). "…" stays itself (NFKC would make it "...").
	parts := strings.Split(title, "…")
	for i, p := range parts {
		parts[i] = norm.NFKC.String(p)
	}
	t := strings.Join(parts, "…")
	t = linkLike.ReplaceAllString(t, "…")
	t = afterContactWords(t)
	t = numberRuns(t)
	t = ellipses.ReplaceAllString(t, "…")
	return strings.Join(strings.Fields(t), " ")
}

// linkLike finds links, web addresses and Telegram @names.
var linkLike = regexp.MustCompile(`(?i)(?:https?://|www\.)\S*|` +
	`(?:[\pL\d-]+\.)+(?:com|net|org|vn|me|io|co|info|biz|xyz|top|link|ly|app|site|online|shop|store|click)\b\S*|@\w{3,}`)

// ellipses are several "…" in a row, made one.
var ellipses = regexp.MustCompile(`…(?:\s*…)+`)

// contactWords point to a contact, lower case, as typed with or without
// diacritics (but "nhắn", "gọi" only with them: "nhận hàng", "gói quà").
var contactWords = [][]string{
	{"zalo"}, {"zl"}, {"tele"}, {"telegram"}, {"facebook"}, {"fb"}, {"messenger"}, {"viber"}, {"whatsapp"},
	{"lh"}, {"gọi"}, {"call"}, {"inbox"}, {"ib"}, {"kb"}, {"ck"}, {"nhắn"}, {"add"},
	{"liên", "hệ"}, {"lien", "he"}, {"liên", "lạc"}, {"lien", "lac"}, {"kết", "bạn"}, {"ket", "ban"},
	{"nhan", "tin"}, {"chuyển", "khoản"}, {"chuyen", "khoan"},
}

// numberWords name a number: what follows one is the number or whose it
// is ("SĐT Hùng"), always left out.
var numberWords = [][]string{
	{"sđt"}, {"sdt"}, {"đt"}, {"dt"}, {"hotline"}, {"stk"}, {"tk"},
	{"điện", "thoại"}, {"dien", "thoai"}, {"tài", "khoản"}, {"tai", "khoan"},
}

// partEnds end a part of a title: "Chợ Na | Zalo Hùng | Lạng Sơn".
const partEnds = "|()[]{},;–—·•/"

// word is a run of letters and digits in a text, by byte offsets.
type word struct {
	start, end int
	text       string // as typed; letters typed apart ("Z a l o"), together
}

// words splits t into its words. Letters typed apart that spell a contact
// word ("Z a l o", "Z.a.l.o") are one word.
func words(t string) []word {
	var ws []word
	start := -1
	for i, r := range t {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			ws = append(ws, word{start, i, t[start:i]})
			start = -1
		}
	}
	if start >= 0 {
		ws = append(ws, word{start, len(t), t[start:]})
	}
	return spelled(t, ws)
}

// spelled makes one word of letters typed apart, one letter each with a
// space, a dot or so between, that spell a one-word contact word.
func spelled(t string, ws []word) []word {
	letter := func(w word) bool {
		r, n := utf8.DecodeRuneInString(w.text)
		return n == len(w.text) && unicode.IsLetter(r)
	}
	var out []word
	for i := 0; i < len(ws); {
		j := i + 1 // ws[i:j] are letters typed apart
		for letter(ws[i]) && j < len(ws) && letter(ws[j]) && ws[j].start-ws[j-1].end <= 3 &&
			!strings.Contains(t[ws[j-1].end:ws[j].start], "\n") {
			j++
		}
		for ; j >= i+2; j-- { // the longest first
			var b strings.Builder
			for _, w := range ws[i:j] {
				b.WriteString(w.text)
			}
			if n, _ := contactAt([]word{{text: b.String()}}, 0); n == 1 {
				out = append(out, word{ws[i].start, ws[j-1].end, b.String()})
				break
			}
		}
		if j < i+2 {
			out = append(out, ws[i])
			j = i + 1
		}
		i = j
	}
	return out
}

// afterContactWords leaves out what follows a contact word, up to the end
// of its part of the title, when it leads to someone; the word stays
// ("Chợ Na gọi …").
func afterContactWords(t string) string {
	ws := words(t)
	var b strings.Builder
	done := 0 // bytes of t written
	for i := 0; i < len(ws); i++ {
		n, number := contactAt(ws, i)
		if n == 0 || ws[i].start < done {
			continue
		}
		from := ws[i+n-1].end
		to := partEnd(t, from)
		if strings.IndexFunc(t[from:to], func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
			continue // nothing after it: "Chợ Na (Zalo)"
		}
		if !number && !leadsToSomeone(t, ws, i+n, to) {
			continue // "Chợ nông sản Zalo Lạng Sơn"
		}
		b.WriteString(t[done:from])
		b.WriteString(" …")
		if to < len(t) && t[to-1] == ' ' {
			b.WriteString(" ") // "Chợ Na gọi … (Zalo)"
		}
		done = to
	}
	b.WriteString(t[done:])
	return b.String()
}

// contactAt is the number of words of the contact word starting at ws[i],
// 0 for none, and whether it names a number ("SĐT").
func contactAt(ws []word, i int) (n int, number bool) {
	for l, list := range [][][]string{contactWords, numberWords} {
		for _, cw := range list {
			if i+len(cw) > len(ws) {
				continue
			}
			match := true
			for j, w := range cw {
				if strings.ToLower(ws[i+j].text) != w {
					match = false
					break
				}
			}
			if match {
				return len(cw), l == 1
			}
		}
	}
	return 0, false
}

// Words read after a contact word: "nhắn tin cho chị Lan", "Zalo tên Hùng".
var (
	// contactFill are passed over ("tin", "cho"), as is another contact
	// word ("kết bạn Zalo anh Hùng").
	contactFill = []string{"tin", "cho", "qua", "với", "số", "là", "của", "ngay", "mình"}
	// nameWords say that a name follows.
	nameWords = []string{"tên"}
	// kinWords come before a name ("anh Hùng", "a Hùng"), unless another
	// of them follows: "anh em", "bà con" are folks, no one.
	kinWords = []string{"anh", "chị", "em", "cô", "chú", "bác", "ông", "bà", "a", "c", "ad", "admin", "mr", "ms"}
	notNamed = []string{"con", "cháu", "cả"}
)

// leadsToSomeone tells whether the words of t from ws[k] up to byte to,
// past words that fill, start with a number (two digits or more, in any
// form) or a name ("tên Hùng", "anh Hùng").
func leadsToSomeone(t string, ws []word, k, to int) bool {
	for k < len(ws) && ws[k].end <= to {
		if n, _ := contactAt(ws, k); n > 0 {
			k += n
			continue
		}
		if !isWord(ws[k].text, contactFill...) {
			break
		}
		k++
	}
	if k >= len(ws) || ws[k].end > to {
		return false
	}
	if runs := vn.DigitRuns(t[ws[k].start:to]); len(runs) > 0 && runs[0].Start == 0 && len(runs[0].Digits()) >= 2 {
		return true // "gọi 0912…", "Zalo không chín…"; not "Zalo Ba Chẽ"
	}
	named := k+1 < len(ws) && ws[k+1].end <= to
	switch {
	case !named:
		return false
	case isWord(ws[k].text, nameWords...):
		return true
	case isWord(ws[k].text, kinWords...) && strings.ToLower(ws[k].text) != "ba": // "Ba Chẽ": "ba" is no "bà"
		return !isWord(ws[k+1].text, kinWords...) && !isWord(ws[k+1].text, notNamed...)
	}
	return false
}

// isWord tells whether w is one of words (lower case, with diacritics),
// typed with its diacritics or with none: "chị" and "chi", not "chì".
func isWord(w string, words ...string) bool {
	w = strings.ToLower(w)
	for _, o := range words {
		if w == o || w == vn.Fold(o) {
			return true
		}
	}
	return false
}

// partEnd is where the part of t going on at from ends: a partEnds rune,
// a dash between spaces, or the end.
func partEnd(t string, from int) int {
	for i, r := range t[from:] {
		at := from + i
		if strings.ContainsRune(partEnds, r) {
			return at
		}
		if r == '-' && at > 0 && t[at-1] == ' ' && at+1 < len(t) && t[at+1] == ' ' {
			return at
		}
	}
	return len(t)
}

// numberRuns leaves out numbers of six digits or more, however written
// (vn.DigitRuns), with a '+' before them. A run of digits holds several
// numbers where they are clearly not one (DigitRun.Numbers): "2025 - 15/8"
// is a year and a day, each too short to leave out.
func numberRuns(t string) string {
	var b strings.Builder
	done := 0
	for _, r := range vn.DigitRuns(t) {
		for _, n := range r.Numbers() {
			if len(n.Digits()) < 6 {
				continue
			}
			b.WriteString(t[done:n.Start])
			b.WriteString("…")
			done = n.End
		}
	}
	b.WriteString(t[done:])
	return b.String()
}
