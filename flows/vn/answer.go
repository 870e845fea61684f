package vn

import (
	"strings"
	"unicode"
)

// People answer a question as they would answer a person: "Tôi tên là
// Hoàng Thị Hoa", "Dạ, tôi ở thôn Bản Chành, xã Hữu Kiên ạ". The lead
// words and the closing particle are not the name or the place, yet each is
// shown on every group post. Lead phrases are folded words, longest first.
var (
	nameLeads = phrases(
		"ho va ten cua toi la", "ho va ten toi la", "ho va ten la", "ho va ten",
		"ho ten cua toi la", "ho ten toi la", "ho ten la", "ho ten",
		"ten cua toi la", "ten cua em la", "ten cua minh la", "ten cua chau la",
		"ten toi la", "ten em la", "ten minh la", "ten chau la", "ten tui la", "ten la",
		"ten toi", "ten em", "ten minh", "ten chau",
		"toi ten la", "em ten la", "minh ten la", "chau ten la", "tui ten la",
		"toi ten", "em ten", "minh ten", "chau ten", "tui ten",
		"toi la", "em la", "minh la", "chau la", "tui la", "ten")
	placeLeads = phrases(
		"dia chi cua toi la", "dia chi cua em la", "dia chi toi la", "dia chi em la", "dia chi la", "dia chi",
		"nha toi o", "nha em o", "nha minh o", "nha chau o", "nha tui o",
		"toi song o", "em song o", "toi o", "em o", "minh o", "chau o", "tui o", "o")
	// answerOpeners come before what is said: "dạ", "vâng", "thưa em".
	answerOpeners = setOf("da", "vang", "thua", "ok", "oke")
	// answerClosers end the answer politely, as typed in lower case (a
	// name's "Hà" or "Nhã" is not one); "a" without its mark only after a
	// lead: "tên em là Hoa a", not the "a" of "nguyễn văn a".
	answerClosers = setOf("ạ", "ạh", "ah", "ak", "nhé", "nhe", "nha", "nhá", "nhen")
)

// phrases splits each folded phrase into its words.
func phrases(ps ...string) [][]string {
	out := make([][]string, len(ps))
	for i, p := range ps {
		out[i] = strings.Fields(p)
	}
	return out
}

// NameAnswer is the name in an answer to "what is your name": without a
// lead such as "tôi tên là", "tên em là", "họ tên:" and without "dạ" or a
// closing "ạ"/"nhé", as typed otherwise. cut tells whether anything was
// taken off, for the bot to show what it kept. A name that would be left
// empty is returned whole.
func NameAnswer(s string) (name string, cut bool) { return answer(s, nameLeads) }

// PlaceAnswer is the place in an answer to "where are you": without "tôi
// ở", "nhà em ở", "địa chỉ:" and the like, as NameAnswer.
func PlaceAnswer(s string) (place string, cut bool) { return answer(s, placeLeads) }

func answer(s string, leads [][]string) (string, bool) {
	n := Normalize(s)
	words := answerWords(n)
	from, to := 0, len(words)
	for from < to-1 && answerOpeners[words[from].folded] {
		from++
	}
	led := false
	for _, lead := range leads {
		if to-from > len(lead) && wordsAre(words[from:from+len(lead)], lead) {
			if to-from == len(lead)+1 && words[to-1].folded == "la" {
				break // "tôi tên là": a lead, and no name after it
			}
			from, led = from+len(lead), true
			break
		}
	}
	for to-from > 1 && (answerClosers[words[to-1].typed] || led && words[to-1].typed == "a") {
		to--
	}
	if from == 0 && to == len(words) {
		return n, false
	}
	kept := strings.TrimFunc(n[words[from].start:words[to-1].end], func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != ')'
	})
	if kept == "" {
		return n, false
	}
	return kept, true
}

// answerWord is a word of a normalised answer, where it is in it.
type answerWord struct {
	typed, folded string
	start, end    int
}

// answerWords splits n into its words (letters and digits), with their
// places in n.
func answerWords(n string) []answerWord {
	var out []answerWord
	start := -1
	for i, r := range n + " " {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			out = append(out, answerWord{typed: n[start:i], folded: Fold(n[start:i]), start: start, end: i})
			start = -1
		}
	}
	return out
}

func wordsAre(ws []answerWord, lead []string) bool {
	for i, w := range lead {
		if ws[i].folded != w {
			return false
		}
	}
	return true
}
