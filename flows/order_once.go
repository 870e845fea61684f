package flows

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// orderSaid is what a buyer said with the listing's code or under its
// post, in one message: "lấy 20kg", "mua NS-7K2Q 20kg giao Hà Nội".
type orderSaid struct {
	Quantity vn.Quantity // Milli 0: not said
	// Unsure: the message said another amount too ("2 tấn (200kg)",
	// "20kg à không 30kg"): Quantity is to be confirmed, not taken.
	Unsure   bool
	Delivery string // "pickup", "deliver", or "" when not said
	Address  string // where to deliver, as typed; "" when not said
}

// quantityArg is a quantity as a deep link carries it after the listing's
// code: "q20kg", "q1p5ta" (1,5 tạ): digits, p for the decimal comma, and
// the unit's ASCII name. Telegram's start payload allows [A-Za-z0-9_-].
func quantityArg(q vn.Quantity) string {
	if q.Milli <= 0 || !q.Unit.Valid() {
		return ""
	}
	s := "q" + strconv.FormatInt(q.Milli/1000, 10)
	if frac := q.Milli % 1000; frac != 0 {
		s += "p" + strings.TrimRight(strconv.FormatInt(1000+frac, 10)[1:], "0")
	}
	return s + string(q.Unit)
}

var quantityArgPattern = regexp.MustCompile(`^q(\d{1,9})(?:p(\d{1,3}))?([a-z]+)$`)

// parseQuantityArg reads quantityArg back; ok is false for anything else.
func parseQuantityArg(s string) (vn.Quantity, bool) {
	m := quantityArgPattern.FindStringSubmatch(s)
	if m == nil || !vn.Unit(m[3]).Valid() {
		return vn.Quantity{}, false
	}
	whole, _ := strconv.ParseInt(m[1], 10, 64)
	frac, _ := strconv.ParseInt((m[2] + "000")[:3], 10, 64)
	q := vn.Quantity{Milli: whole*1000 + frac, Unit: vn.Unit(m[3])}
	return q, q.Milli > 0
}

// Words that lead to an address ("giao Hà Nội", "ship về 12 Trần Phú"),
// those between them and the address, and phrases meaning the buyer
// collects, all folded.
var (
	// Not "gửi" nor "chuyển": "gửi cho mình 20kg", "chuyển khoản trước".
	deliverWords = []string{"giao", "ship"}
	addressLead  = []string{"hang", "den", "toi", "ve", "tan", "tai", "cho", "o", "ra", "vao", "len", "xuong",
		"minh", "em", "anh", "chi", "nha"}
	pickupWords = []string{"tu lay", "tu den lay", "lay tai vuon", "nhan tai vuon", "den lay", "qua lay"}
)

// maxOrderSaid: the characters of a buyer's message read for an order.
const maxOrderSaid = 300

// readOrderSaid reads a buyer's message for an order: a quantity counted
// in def when no unit is given, then maybe "giao …" and an address, or a
// phrase saying the buyer collects. What is not sure is left unsaid, to be
// asked: a quantity is taken only from a span the quantity parser reads
// whole, never from a phone number or the address.
func readOrderSaid(text string, def vn.Unit) orderSaid {
	var said orderSaid
	words := strings.Fields(text)
	// An order is said in a line or two; the rest is not read (finding
	// phone numbers in a long run of digits takes time: no group member
	// may keep the bot busy with one).
	for n, i := 0, 0; i < len(words); i++ {
		if n += utf8.RuneCountInString(words[i]) + 1; n > maxOrderSaid {
			words = words[:i]
			break
		}
	}
	folded := make([]string, len(words))
	for i, w := range words {
		folded[i] = vn.Fold(strings.TrimFunc(w, unicode.IsPunct))
	}
	end := len(words) // the quantity is before any address
	var late []vn.Quantity
	for i, w := range folded {
		if slices.Contains(deliverWords, w) {
			said.Delivery, end = "deliver", i
			lead := func(j int) int {
				for j < len(words) && slices.Contains(addressLead, folded[j]) {
					j++
				}
				return j
			}
			j := lead(i + 1)
			// "giao 20kg về Hà Nội": an amount with its unit may come first.
			if q, n := leadingQuantity(words[j:], def); n > 0 {
				late, j = []vn.Quantity{q}, lead(j+n)
			}
			if address := strings.TrimFunc(strings.Join(words[j:], " "), isSeparator); utf8.RuneCountInString(address) >= 5 &&
				!tooLong(address, maxAddress) && !containsPhone(address) {
				said.Address = address
			}
			break
		}
	}
	if joined := " " + strings.Join(folded, " ") + " "; said.Delivery == "" {
		for _, p := range pickupWords {
			if strings.Contains(joined, " "+p+" ") {
				said.Delivery = "pickup"
			}
		}
	}
	// Brackets end a span: "2 tấn (2000kg)" is said twice, not added up.
	before := strings.NewReplacer("(", " ( ", ")", " ) ").Replace(withoutPhones(strings.Join(words[:end], " ")))
	qs := append(quantities(strings.Fields(before), def), late...)
	if len(qs) > 0 {
		said.Quantity = qs[0]
		said.Unsure = len(qs) > 1 && !sameAmount(qs[0], qs[1])
	}
	return said
}

// sameAmount tells whether a and b are one amount written two ways.
func sameAmount(a, b vn.Quantity) bool {
	ka, ok1 := a.InKg()
	kb, ok2 := b.InKg()
	if ok1 && ok2 {
		return ka == kb
	}
	return a == b
}

// withoutPhones blanks the phone numbers in text: their digits are no
// quantity.
func withoutPhones(text string) string {
	return phoneLike.ReplaceAllStringFunc(text, func(run string) string {
		if containsPhone(run) {
			return " "
		}
		return run
	})
}

func isSeparator(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) }

// firstQuantity is the quantity of the first, longest span of words that
// the quantity parser reads whole ("cho mình 2 tạ" → 2 tạ).
// quantities are the amounts of the first spans of words that the
// quantity parser reads whole ("cho mình 2 tạ" → 2 tạ), left to right,
// the longest span first; two at most. Spans are of at most 6 words,
// among the first 30: a quantity is said early and short. A number in
// words needs its unit: "Na năm nay đẹp" is no 5 kg.
func quantities(words []string, def vn.Unit) []vn.Quantity {
	var qs []vn.Quantity
	words = words[:min(len(words), 30)]
	for i := 0; i < len(words) && len(qs) < 2; i++ {
		for j := min(len(words), i+6); j > i; j-- {
			span := strings.Join(words[i:j], " ")
			if strings.ContainsAny(span, "()") {
				continue
			}
			q, err := vn.ParseQuantity(span, def)
			if err != nil || q.Milli <= 0 {
				continue
			}
			if other, _ := vn.ParseQuantity(span, otherUnit(def)); other.Unit == q.Unit || strings.ContainsAny(span, "0123456789") {
				qs, i = append(qs, q), j-1
				break
			}
		}
	}
	return qs
}

// leadingQuantity is the amount that words start with, when it names its
// unit ("20kg về Hà Nội"; not the house number of "12 Trần Phú"), and how
// many words it takes.
func leadingQuantity(words []string, def vn.Unit) (vn.Quantity, int) {
	for n := min(len(words), 6); n > 0; n-- {
		span := strings.Join(words[:n], " ")
		q, err := vn.ParseQuantity(span, def)
		if other, _ := vn.ParseQuantity(span, otherUnit(def)); err == nil && q.Milli > 0 && other.Unit == q.Unit {
			return q, n
		}
	}
	return vn.Quantity{}, 0
}

// otherUnit is a unit other than u, to tell whether a quantity named its own.
func otherUnit(u vn.Unit) vn.Unit {
	if u == vn.UnitQua {
		return vn.UnitKg
	}
	return vn.UnitQua
}

// saidInOpening is what the message that opened an order says besides the
// listing's code: a typed "mua NS-7K2Q 20kg giao Hà Nội", or a deep link
// from a group reply carrying its quantity ("buy_NS7K2Q_q20kg").
func saidInOpening(in Input, def vn.Unit) orderSaid {
	switch {
	case in.Command == "start":
		_, arg, _ := strings.Cut(strings.TrimPrefix(in.Arg, "buy_"), "_")
		q, _ := parseQuantityArg(arg)
		return orderSaid{Quantity: q}
	case in.Kind == KindText && in.Command == "":
		return readOrderSaid(codePattern.ReplaceAllString(in.Text, " "), def)
	}
	return orderSaid{}
}
