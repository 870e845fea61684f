package flows

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// safeTitle is a group's title as the bot repeats it to others. Anyone
// can name a group and make it a market, and its title reaches farmers
// ("📢 Tin bán … đã lên nhóm …"), so what in it could lead them to a
// stranger is left out ("…"): links and @names; what follows a word that
// points to a contact ("Zalo tên Hùng", "liên hệ anh Hùng", "STK …") up to
// the end of its part of the title; and numbers of six digits or more,
// however written ("0 9 8 …", "０９１２…", "O912…", "không chín tám …").
// It is a pure function of the title.
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
	// Fullwidth, circled or mathematical digits and letters become plain
	// ones: what looks like a number is read as one.
	// "…" stays itself (NFKC would make it "...").
	parts := strings.Split(title, "…")
	for i, p := range parts {
		parts[i] = norm.NFKC.String(p)
	}
	t := strings.Join(parts, "…")
	t = linkLike.ReplaceAllString(t, "…")
	t = afterContactWords(t)
	t = numberRuns(t)
	t = digitRun.ReplaceAllString(t, "…")
	t = ellipses.ReplaceAllString(t, "…")
	return strings.Join(strings.Fields(t), " ")
}

// linkLike finds links, web addresses and Telegram @names.
var linkLike = regexp.MustCompile(`(?i)(?:https?://|www\.)\S*|` +
	`(?:[\pL\d-]+\.)+(?:com|net|org|vn|me|io|co|info|biz|xyz|top|link|ly|app|site|online|shop|store|click)\b\S*|@\w{3,}`)

// digitRun finds six digits or more with little but punctuation between
// them, inside words too ("abc0912345678").
var digitRun = regexp.MustCompile(`\+?\d(?:[^\pL\d]{0,4}\d){5,}`)

// ellipses are several "…" in a row, made one.
var ellipses = regexp.MustCompile(`…(?:\s*…)+`)

// contactWords point to a contact, lower case, as typed with or without
// diacritics (but "nhắn", "gọi" only with them: "nhận hàng", "gói quà").
var contactWords = [][]string{
	{"zalo"}, {"zl"}, {"tele"}, {"telegram"}, {"facebook"}, {"fb"}, {"messenger"}, {"viber"}, {"whatsapp"},
	{"sđt"}, {"sdt"}, {"đt"}, {"dt"}, {"hotline"}, {"lh"}, {"gọi"}, {"call"}, {"inbox"}, {"ib"}, {"kb"},
	{"stk"}, {"tk"}, {"ck"}, {"nhắn"}, {"add"},
	{"liên", "hệ"}, {"lien", "he"}, {"liên", "lạc"}, {"lien", "lac"}, {"kết", "bạn"}, {"ket", "ban"},
	{"nhan", "tin"}, {"điện", "thoại"}, {"dien", "thoai"}, {"tài", "khoản"}, {"tai", "khoan"},
	{"chuyển", "khoản"}, {"chuyen", "khoan"},
}

// partEnds end a part of a title: "Chợ Na | Zalo Hùng | Lạng Sơn".
const partEnds = "|()[]{},;–—·•/"

// word is a run of letters and digits in a text, by byte offsets.
type word struct {
	start, end int
	text       string
}

// words splits t into its words.
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
	return ws
}

// afterContactWords leaves out what follows a contact word, up to the end
// of its part of the title; the word stays ("Chợ Na gọi …").
func afterContactWords(t string) string {
	ws := words(t)
	var b strings.Builder
	done := 0 // bytes of t written
	for i := 0; i < len(ws); i++ {
		n := contactAt(ws, i)
		if n == 0 || ws[i].start < done {
			continue
		}
		from := ws[i+n-1].end
		to := partEnd(t, from)
		if strings.IndexFunc(t[from:to], func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
			continue // nothing after it: "Chợ Na (Zalo)"
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
// 0 for none.
func contactAt(ws []word, i int) int {
	for _, cw := range contactWords {
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
			return len(cw)
		}
	}
	return 0
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

// digitWords are digits said in words, folded.
var digitWords = []string{"khong", "mot", "hai", "ba", "bon", "tu", "nam", "lam", "sau", "bay", "tam", "chin",
	"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// numberRuns leaves out runs of six digits or more made of words with
// little but punctuation between them: digits, digits in words, and
// letters that pass for digits among digits ("O912", "l23").
func numberRuns(t string) string {
	ws := words(t)
	var b strings.Builder
	done := 0
	for i := 0; i < len(ws); {
		j, n := i, 0
		for ; j < len(ws); j++ {
			d := digitsIn(ws[j].text)
			if d == 0 || j > i && (ws[j].start-ws[j-1].end > 4 || strings.ContainsAny(t[ws[j-1].end:ws[j].start], "\n")) {
				break
			}
			n += d
		}
		if n < 6 {
			i = max(j, i+1)
			continue
		}
		start := ws[i].start
		if start > 0 && t[start-1] == '+' {
			start--
		}
		b.WriteString(t[done:start])
		b.WriteString("…")
		done = ws[j-1].end
		i = j
	}
	b.WriteString(t[done:])
	return b.String()
}

// digitsIn is how many digits a word stands for: its digits, with letters
// that look like digits among them (o, l, I); 1 for a digit in words; 0
// for anything else.
func digitsIn(w string) int {
	real, look := 0, 0
	for _, r := range w {
		switch {
		case r >= '0' && r <= '9':
			real++
		case strings.ContainsRune("oOlI", r):
			look++
		default:
			if slices.Contains(digitWords, vn.Fold(w)) {
				return 1
			}
			return 0
		}
	}
	if real == 0 {
		if slices.Contains(digitWords, vn.Fold(w)) {
			return 1
		}
		return 0
	}
	return real + look
}
