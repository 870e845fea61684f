package flows

import (
	"slices"
	"strings"
)

// wordMeaning is what a word typed alone means to the bot, as controlKey
// reads it (folded, without the particles after it). One word may mean
// several things, each read only where it applies: "ok" answers an
// order's question, and between tasks it thanks; "huỷ" stops the task in
// progress, and before an order's code it is the buyer's ❌ Huỷ đơn.
type wordMeaning uint64

const (
	// Words every step understands.
	wordCancel   wordMeaning = 1 << iota // stop the task in progress
	wordHelp                             // what the bot can do
	wordBack                             // the question before
	wordQuit                             // stop the task as "huỷ" does; between tasks, no cancel
	wordParticle                         // a polite word after another ("ạ", "nhé"), dropped by controlKey

	// Answers to the bot's questions.
	// wordYes answers the new order notice's question ("Anh/chị có nhận
	// đơn này không ạ?"), the renewal's, a profile change's. A yes is
	// asked back about the order it would accept: "có" in one chat may be
	// meant for another.
	wordYes
	// wordPoliteYes are the commonest yes ("vâng", "dạ"), which also
	// thank: a yes to an order's question only when it was the latest
	// asked (it is asked back, so a wrong guess costs one question);
	// otherwise the warm word (wordThanks). No renewal or profile change
	// takes them.
	wordPoliteYes
	// wordLeadYes may start an answer politely: "dạ nhận", "vâng, không
	// nhận ạ". Read with their marks: a folded "da" is "đã" as well.
	wordLeadYes
	wordNo          // a no to the same questions
	wordRenewYes    // a yes to the renewal question only ("gia hạn")
	wordRenewNo     // a no to it only ("không gia hạn")
	wordThanks      // thanks or agrees, asking for nothing (a word or an emoji)
	wordMind        // at the question why she declines: she accepts after all
	wordCancelOrder // between tasks, a buyer's order cancelled ("huỷ đơn")

	// Verbs typed before an order's code (DH-7K2Q), which do what its
	// buttons do.
	wordAccept
	wordDecline
	wordShip
	wordReceived
	wordOrderCancel // the buyer's ❌ Huỷ đơn
	wordDrop        // the farmer's ❌ Không giao được nữa
	wordView
	// wordShipped is the farmer's 🚚 Đã giao hàng said alone, as done: a
	// verb without a code ("giao hàng" alone may be a question).
	wordShipped
	// wordShipLabel are the former labels of 🚚 Đã giao hàng, still read
	// as that button while it is on screen.
	wordShipLabel

	// Verbs typed before a listing's code (NS-7K2Q).
	wordRenew
	wordClose
	wordRemove // a moderator's take-down; for her own listing, a farmer's stop selling
	wordBan

	// wordSkip presses ⏭ Bỏ qua wherever a question offers it (a note,
	// the growing-area code, the bank account, an announcement's photo, a
	// reason): skipChoice's words. "thôi" there skips rather than cancel.
	wordSkip
	// A farmer's refusal that names a price (refusedPrice): "không bán
	// 30k", "ko bán giá 30k", "không bán giá đó, 30k mới bán".
	wordRefuse    // the refusal it starts with
	wordPriceFill // words around the price, dropped before reading it

	// wordControl are answers meant for the bot, never a name, a product
	// or a reason for the buyer (validName, validReason). A task's own
	// words ("đăng bán" at the product question) name it, not the answer.
	wordControl

	// The buttons of a profile change held for the farmer's word, typed
	// (typedAnswer): ✅ Đúng, tôi đổi and ❌ Không phải tôi.
	wordChangeYes
	wordChangeNo

	// The reasons a farmer declines by button, typed (reasonSaid): Hết
	// hàng sells the listing out, as its button does.
	wordSoldOut
	wordFar
	wordOtherReason // ❔ Lý do khác

	// Verbs that start a typed follow or unfollow ("theo dõi na", "bỏ
	// theo dõi na": followTyped).
	wordFollow
	wordUnfollow

	// wordAll asks for all that is left, at an order's quantity question
	// ("lấy hết").
	wordAll

	// wordCounter, before a declined order's code, buys at the price the
	// farmer named declining it (✅ Mua giá 30.000 đ/kg): "mua DH-7K2Q".
	wordCounter

	// wordPickLead are the words said before a choice's number ("số 2",
	// "chọn 2", "em chọn số hai"): pickedNumber drops them.
	wordPickLead

	// wordPriceMin before the price makes it her lowest, not her price:
	// "không bán dưới 20k", "không bán ít, 25k" (refusedPrice).
	wordPriceMin
	// wordPay asks, between tasks, how to pay: a buyer's accepted order's
	// 💳 Mã thanh toán typed ("stk", "số tài khoản": payTyped).
	wordPay
	// wordPaid says, between tasks, that the buyer paid an accepted order
	// ("đã chuyển khoản"): the farmer is told to check (paidTyped).
	wordPaid
)

// words are the words typed alone that mean something to the bot, folded
// as controlKey reads them, and the thanking emoji (thanksEmojiOnly). The
// lead words ("dạ", "vâng", "ừ") keep their marks: a folded "da" is also
// "đã". Each meaning's words are read by lexicon.of where a list is needed
// (a choice's Words).
var lexicon = wordTable{
	"chau":                  wordPickLead,
	"toi":                   wordPickLead,
	"muc":                   wordPickLead,
	"so":                    wordPickLead,
	"chon":                  wordPickLead,
	"a":                     wordParticle,
	"accept":                wordMind | wordAccept,
	"back":                  wordBack | wordControl,
	"ban":                   wordMind | wordControl,
	"ban them":              wordRenewYes | wordRenew,
	"ban them 7 ngay":       wordRenewYes | wordRenew,
	"bo qua":                wordSkip | wordControl,
	"boqua":                 wordSkip | wordControl,
	"cam on":                wordThanks,
	"cam on nhe":            wordThanks,
	"cam on nhieu":          wordThanks,
	"cancel":                wordCancel | wordOrderCancel | wordControl,
	"chan":                  wordBan,
	"chan nguoi dang":       wordBan,
	"chua":                  wordSkip,
	"chua can":              wordSkip,
	"chua co":               wordSkip,
	"close":                 wordClose,
	"co":                    wordYes | wordControl,
	"co a":                  wordYes,
	"co ban":                wordMind,
	"co ban them":           wordRenewYes,
	"co nhan":               wordYes | wordMind,
	"co nhan don":           wordMind,
	"da":                    wordPoliteYes | wordThanks | wordMind,
	"da co":                 wordYes,
	"da giao":               wordShip | wordShipped,
	"da giao hang":          wordShip | wordShipped,
	"da giao hang roi":      wordShip | wordShipped,
	"da giao roi":           wordShip | wordShipped,
	"da gui":                wordShip | wordShipped,
	"da gui hang":           wordShip | wordShipped | wordShipLabel,
	"da gui hang roi":       wordShip | wordShipped,
	"da gui roi":            wordShip | wordShipped,
	"da nhan duoc hang":     wordReceived,
	"da nhan duoc hang roi": wordReceived,
	"da nhan duoc roi":      wordReceived,
	"da nhan hang":          wordReceived,
	"da nhan hang roi":      wordReceived,
	"da vang":               wordPoliteYes | wordThanks,
	"de sau":                wordSkip,
	"decline":               wordDecline,
	"di":                    wordParticle,
	"dong tin":              wordClose,
	"dong y":                wordYes | wordControl,
	"dong y nhan":           wordMind,
	"duoc":                  wordYes,
	"duoc a":                wordYes,
	"duoc roi":              wordPoliteYes | wordThanks | wordMind,
	"em":                    wordParticle | wordPickLead,
	"gia han":               wordRenewYes | wordRenew,
	"gia han 7 ngay":        wordRenewYes,
	"giao hang":             wordShip,
	"giao hang roi":         wordShip | wordShipped,
	"giao roi":              wordShip | wordShipped,
	"gui hang roi":          wordShip | wordShipped,
	"gui roi":               wordShip | wordShipped,
	"giup":                  wordHelp,
	"go":                    wordRemove,
	"go tin":                wordRemove,
	"gui hang":              wordShipLabel,
	"hay qua":               wordThanks,
	"help":                  wordHelp | wordControl,
	"het hang":              wordClose | wordSoldOut,
	"hong co":               wordSkip,
	"huong dan":             wordHelp,
	"huy":                   wordCancel | wordOrderCancel | wordControl,
	"huy bo":                wordCancel | wordOrderCancel,
	"huy bo don":            wordCancelOrder,
	"huy don":               wordCancelOrder | wordOrderCancel,
	"huy don hang":          wordCancelOrder | wordOrderCancel,
	"huy don mua":           wordCancelOrder,
	"huy don nay":           wordCancelOrder | wordOrderCancel,
	"k":                     wordSkip,
	"k co":                  wordSkip,
	"khong":                 wordNo | wordSkip | wordControl,
	"khong a":               wordNo,
	"khong ban nua":         wordQuit | wordClose,
	"khong ban them":        wordRenewNo,
	"khong can":             wordSkip,
	"khong co":              wordSkip,
	"khong co gi":           wordSkip,
	"khong dang nua":        wordQuit,
	"khong gia han":         wordRenewNo,
	"khong giao":            wordDrop,
	"khong giao duoc":       wordDrop | wordFar,
	"khong giao duoc nua":   wordDrop,
	"khong lam nua":         wordQuit,
	"khong mua nua":         wordQuit | wordCancelOrder,
	"ko":                    wordSkip,
	"ko can":                wordSkip,
	"ko co":                 wordSkip,
	"ko co gi":              wordSkip,
	"khong nhan":            wordDecline | wordRefuse,
	"luon":                  wordParticle,
	"ngung ban":             wordClose,
	"nha":                   wordParticle,
	"nhan":                  wordMind | wordAccept,
	"nhan don":              wordMind | wordAccept,
	"nhan don nay":          wordMind,
	"nhan duoc":             wordMind,
	"nhan duoc hang":        wordReceived,
	"nhan duoc hang roi":    wordReceived,
	"nhan duoc roi":         wordReceived,
	"nhe":                   wordParticle,
	"no":                    wordNo | wordSkip | wordControl,
	"none":                  wordSkip,
	"ok":                    wordYes | wordThanks | wordControl,
	"okay":                  wordYes | wordThanks,
	"oke":                   wordYes | wordThanks | wordControl,
	"quay lai":              wordBack | wordControl,
	"received":              wordReceived,
	"remove":                wordRemove,
	"renew":                 wordRenewYes | wordRenew,
	"shipped":               wordShip | wordShipped | wordShipLabel,
	"skip":                  wordSkip | wordControl,
	"thank you":             wordThanks,
	"thanks":                wordThanks,
	"thoi":                  wordCancel | wordSkip,
	"thoi khong ban nua":    wordQuit,
	"thoi khong dang nua":   wordQuit,
	"thoi khong lam nua":    wordQuit,
	"thoi khong mua nua":    wordQuit | wordCancelOrder,
	"tot qua":               wordThanks,
	"tro giup":              wordHelp | wordControl,
	"tro lai":               wordBack,
	"tu choi":               wordDecline | wordRefuse,
	"u":                     wordPoliteYes | wordThanks | wordMind,
	"uh":                    wordPoliteYes | wordThanks | wordMind,
	"van ban":               wordMind,
	"van nhan":              wordMind,
	"vang":                  wordPoliteYes | wordLeadYes | wordThanks | wordMind,
	"vang a":                wordThanks,
	"vang da":               wordPoliteYes,
	"view":                  wordView,
	"xem":                   wordView,
	"xem don":               wordView,
	"xoa":                   wordRemove,
	"xoa tin":               wordRemove,
	"yes":                   wordYes | wordControl,
	// Answers meant for the bot, a change's buttons, the reasons to
	// decline and the follow verbs, typed (each its meaning above).
	"xong":                   wordControl,
	"xong roi":               wordControl,
	"roi":                    wordControl,
	"done":                   wordControl,
	"mua":                    wordControl | wordCounter,
	"buy":                    wordCounter,
	"mua lai":                wordCounter,
	"dat lai":                wordCounter,
	"mua gia nay":            wordCounter,
	"mua gia do":             wordCounter,
	"dang ban":               wordControl,
	"ban hang":               wordControl,
	"dung toi doi":           wordChangeYes,
	"dung la toi doi":        wordChangeYes,
	"toi doi":                wordChangeYes,
	"yes i changed it":       wordChangeYes,
	"khong phai toi":         wordChangeNo,
	"khong phai":             wordChangeNo,
	"not me":                 wordChangeNo,
	"it was not me":          wordChangeNo,
	"het":                    wordSoldOut | wordAll,
	"het roi":                wordSoldOut,
	"het hang roi":           wordSoldOut,
	"da het":                 wordSoldOut,
	"da het hang":            wordSoldOut,
	"ban het":                wordSoldOut,
	"ban het roi":            wordSoldOut,
	"ban het hang roi":       wordSoldOut,
	"het sach":               wordSoldOut,
	"het sach roi":           wordSoldOut,
	"het hang mat roi":       wordSoldOut,
	"khong con":              wordSoldOut,
	"khong con hang":         wordSoldOut,
	"khong con hang nua":     wordSoldOut,
	"hang het roi":           wordSoldOut,
	"sold out":               wordSoldOut,
	"xa qua":                 wordFar,
	"xa":                     wordFar,
	"khong giao duoc toi do": wordFar,
	"khong giao toi duoc":    wordFar,
	"xa qua khong giao duoc": wordFar,
	"khong giao duoc xa":     wordFar,
	"too far":                wordFar,
	"khac":                   wordOtherReason,
	"ly do khac":             wordOtherReason,
	"other":                  wordOtherReason,
	"theo doi":               wordFollow,
	"follow":                 wordFollow,
	"bo theo doi":            wordUnfollow,
	"huy theo doi":           wordUnfollow,
	"unfollow":               wordUnfollow,
	// All that is left, at an order's quantity question.
	"lay het":      wordAll,
	"mua het":      wordAll,
	"lay ca":       wordAll,
	"mua ca":       wordAll,
	"bao het":      wordAll,
	"lay tat ca":   wordAll,
	"mua tat ca":   wordAll,
	"lay het hang": wordAll,
	"mua het hang": wordAll,
	"all":          wordAll,
	// A refusal before a price (refusedPrice), and the words around
	// the price: "không bán giá đó, 30k mới bán".
	"khong ban": wordRefuse, "ko ban": wordRefuse, "k ban": wordRefuse, "kh ban": wordRefuse, "khg ban": wordRefuse,
	"hong ban": wordRefuse, "hok ban": wordRefuse, "khong ban duoc": wordRefuse, "ko ban duoc": wordRefuse,
	"khong nhan don": wordRefuse, "ko nhan": wordRefuse, "ko nhan don": wordRefuse,
	"gia do": wordPriceFill, "gia nay": wordPriceFill, "gia vay": wordPriceFill, "gia day": wordPriceFill,
	"voi gia": wordPriceFill, "o gia": wordPriceFill, "muc gia": wordPriceFill, "moi ban": wordPriceFill,
	"moi ban duoc": wordPriceFill, "thi ban": wordPriceFill, "thi moi ban": wordPriceFill, "nua": wordPriceFill,
	"dau": wordPriceFill,
	"stk": wordPay, "so tk": wordPay, "so tai khoan": wordPay, "xin stk": wordPay, "cho xin stk": wordPay,
	"xin so tai khoan": wordPay, "cho xin so tai khoan": wordPay, "ma qr": wordPay, "ma thanh toan": wordPay,
	"thanh toan": wordPay, "tra tien": wordPay, "chuyen khoan": wordPay, "tra tien the nao": wordPay,
	"chuyen khoan vao dau": wordPay, "tra tien vao dau": wordPay, "chuyen tien vao dau": wordPay,
	"da chuyen khoan": wordPaid, "da chuyen khoan roi": wordPaid, "chuyen khoan roi": wordPaid, "da ck": wordPaid,
	"da ck roi": wordPaid, "ck roi": wordPaid, "da chuyen tien": wordPaid, "da chuyen tien roi": wordPaid,
	"chuyen tien roi": wordPaid, "da thanh toan": wordPaid, "da thanh toan roi": wordPaid, "da tra tien": wordPaid,
	"da tra tien roi": wordPaid, "tra tien roi": wordPaid, "em da chuyen khoan": wordPaid, "toi da chuyen khoan": wordPaid,
	"duoi": wordPriceMin, "it": wordPriceMin, "it hon": wordPriceMin, "thap hon": wordPriceMin, "re hon": wordPriceMin,
	"nho hon": wordPriceMin, "be hon": wordPriceMin, "duoi gia": wordPriceMin, "gia duoi": wordPriceMin,
	// Read with their marks before another word (bareKeys).
	"dạ":   wordLeadYes,
	"vâng": wordLeadYes,
	"ừ":    wordLeadYes,
	// Thanking emoji, each alone or among others (thanksEmojiOnly); any
	// other (❓, 😡, 😢) asks for something, or is upset.
	"☑": wordThanks, "☺": wordThanks, "♥": wordThanks, "✅": wordThanks, "✔": wordThanks, "❤": wordThanks, "🆗": wordThanks, "🌸": wordThanks,
	"🌹": wordThanks, "🌾": wordThanks, "🎉": wordThanks, "👌": wordThanks, "👍": wordThanks, "👏": wordThanks, "💐": wordThanks, "💓": wordThanks,
	"💕": wordThanks, "💖": wordThanks, "💗": wordThanks, "💙": wordThanks, "💚": wordThanks, "💛": wordThanks, "💜": wordThanks, "💞": wordThanks,
	"💪": wordThanks, "💯": wordThanks, "😀": wordThanks, "😁": wordThanks, "😃": wordThanks, "😄": wordThanks, "😆": wordThanks, "😇": wordThanks,
	"😊": wordThanks, "😍": wordThanks, "😘": wordThanks, "🙂": wordThanks, "🙏": wordThanks, "🤗": wordThanks, "🤝": wordThanks, "🥰": wordThanks,
	"🧡": wordThanks, "🫶": wordThanks,
}

type wordTable map[string]wordMeaning

// meaning is what word means, 0 for nothing.
func (t wordTable) meaning(word string) wordMeaning { return t[word] }

// is tells whether word means any of m.
func (t wordTable) is(word string, m wordMeaning) bool { return t[word]&m != 0 }

// of lists the words meaning any of m, sorted: a choice's typed words.
func (t wordTable) of(m wordMeaning) []string {
	var out []string
	for w, mm := range t {
		if mm&m != 0 {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return out
}

// wordNames name the meanings, for a test's failure.
var wordNames = []string{"cancel", "help", "back", "quit", "particle", "yes", "polite_yes", "lead_yes", "no",
	"renew_yes", "renew_no", "thanks", "mind", "cancel_order", "accept", "decline", "ship", "received",
	"order_cancel", "drop", "view", "shipped", "ship_label", "renew", "close", "remove", "ban", "skip", "refuse", "price_fill",
	"control", "change_yes", "change_no", "sold_out", "far", "other_reason", "follow", "unfollow", "all", "counter", "pick_lead",
	"price_min", "pay"}

func (m wordMeaning) String() string {
	var names []string
	for i, name := range wordNames {
		if m&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return strings.Join(names, "|")
}
