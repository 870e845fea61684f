package flows

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
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
	// Not "qua lay": "quả" folds the same ("mua 20 quả lấy về biếu").
	pickupWords = []string{"tu lay", "tu den lay", "lay tai vuon", "nhan tai vuon", "den lay"}
	// An address names a place or has a number ("12 Trần Phú"); the words
	// after "giao" often do not ("chiều nay nhé", "cho chồng mình"): then
	// the address is asked.
	placeWords = []string{"ha noi", "hn", "sai gon", "hcm", "tphcm", "tp", "thanh pho", "tinh", "quan", "huyen",
		"thi xa", "thi tran", "phuong", "xa", "thon", "xom", "duong", "pho", "ngo", "ngach", "hem", "khu", "chung cu",
		"lang son", "bac giang", "bac ninh", "hai phong", "da nang", "can tho", "thai nguyen", "quang ninh", "cao bang",
		"chi lang", "bac son", "cao loc", "loc binh", "huu lung", "dinh lap", "van lang", "van quan", "trang dinh",
		"binh gia", "cau giay", "ba dinh", "dong da", "hoan kiem", "thanh xuan", "long bien", "ha dong"}
	// Words that make a message a question ("có giao không?"), whose
	// "giao" is no instruction.
	askWords = []string{"khong", "ko", "hong", "chua"}
)

// looksLikeAddress tells whether text, said after "giao", is a place.
func looksLikeAddress(text string) bool {
	if strings.ContainsAny(text, "0123456789") {
		return true
	}
	folded := " " + vn.Fold(strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) {
			return ' '
		}
		return r
	}, text)) + " "
	return slices.ContainsFunc(placeWords, func(p string) bool { return strings.Contains(folded, " "+p+" ") })
}

// asks tells whether a message is a question about delivery rather than
// an order to deliver: a question mark, or "không" right after it.
func asks(text string, folded []string, i int) bool {
	return strings.Contains(text, "?") || slices.ContainsFunc(folded[i+1:min(len(folded), i+4)], func(w string) bool {
		return slices.Contains(askWords, w)
	})
}

// maxOrderSaid: the characters of a buyer's message read for an order.
const maxOrderSaid = 300

// readOrderSaid reads a buyer's message for an order: a quantity naming
// its unit (a bare "20" is asked, not guessed), then maybe "giao …" and an
// address, or a phrase saying the buyer collects. What is not sure is left
// unsaid, to be asked: never a quantity from a phone number or the address.
func readOrderSaid(text string) orderSaid {
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
	var late vn.Quantity
	for i, w := range folded {
		if slices.Contains(deliverWords, w) {
			if asks(text, folded, i) {
				break // "có giao không?": asked when it is time
			}
			said.Delivery, end = "deliver", i
			lead := func(j int) int {
				for j < len(words) && slices.Contains(addressLead, folded[j]) {
					j++
				}
				return j
			}
			j := lead(i + 1)
			// "giao 20kg về Hà Nội": an amount with its unit may come first.
			if q, n := leadingQuantity(words[j:]); n > 0 {
				late, j = q, lead(j+n)
			}
			if address := strings.TrimFunc(strings.Join(words[j:], " "), isSeparator); utf8.RuneCountInString(address) >= 5 &&
				!tooLong(address, maxAddress) && !vn.ContainsPhone(address) && looksLikeAddress(address) {
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
	// The free-text reader finds the amount, as it does in a listing: one
	// naming its unit, never in a phone number; a second that disagrees
	// makes it unsure ("2 tấn (200kg)").
	r := vn.ReadListing(strings.Join(words[:end], " "), time.Time{}, nil, nil)
	said.Quantity, said.Unsure = r.Quantity, r.QuantityUnsure
	if late.Milli > 0 && said.Quantity.Milli == 0 {
		said.Quantity = late
	} else if late.Milli > 0 {
		said.Unsure = said.Unsure || !vn.SameAmount(late, said.Quantity)
	}
	return said
}

func isSeparator(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) }

// leadingQuantity is the amount that words start with, when it names its
// unit ("20kg về Hà Nội"; not the house number of "12 Trần Phú"), and how
// many words it takes.
func leadingQuantity(words []string) (vn.Quantity, int) {
	for n := min(len(words), 6); n > 0; n-- {
		if q, err := vn.ParseQuantity(strings.Join(words[:n], " "), ""); err == nil && q.Milli > 0 {
			return q, n
		}
	}
	return vn.Quantity{}, 0
}

// saidInOpening is what the message that opened an order says besides the
// listing's code: a typed "mua NS-7K2Q 20kg giao Hà Nội", or a deep link
// from a group reply carrying its quantity ("buy_NS7K2Q_q20kg").
func saidInOpening(in Input) orderSaid {
	switch {
	case in.Command == "start":
		_, arg, _ := strings.Cut(strings.TrimPrefix(in.Arg, "buy_"), "_")
		q, _ := parseQuantityArg(arg)
		return orderSaid{Quantity: q}
	case in.Kind == KindText && in.Command == "":
		return readOrderSaid(codePattern.ReplaceAllString(in.Text, " "))
	}
	return orderSaid{}
}
