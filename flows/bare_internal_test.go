package flows

import (
	"slices"
	"testing"
)

// Between tasks, thanking words and emoji get the warm word; other emoji
// (a question, anger, tears) and punctuation ask for something: not thanks.
func TestOnlyThankingWordsAndEmojiAreThanks(t *testing.T) {
	for text, want := range map[string]bool{
		"cảm ơn":          true,
		"Cảm ơn em nhiều": true,
		"ok":              true,
		"👍":               true,
		"👍👍👍":             true,
		"👍🏻":              true, // a skin tone
		"🙏 🙏":             true,
		"❤️":              true, // with its variation selector
		"😊":               true,
		"🥰":               true,
		"👌":               true,
		"❓":               false,
		"😡":               false,
		"😢":               false,
		"👍❓":              false,
		"?":               false,
		"...":             false,
		" ":               false,
		"":                false,
		"na chi lăng":     false,
		"👍 na":            false,
	} {
		if got := thanks(text); got != want {
			t.Errorf("thanks(%q) = %v, want %v", text, got, want)
		}
	}
}

// A bare yes or no to the renewal question, as typed: with particles,
// capitals, the renewal's own verbs.
func TestRenewalAnswerWords(t *testing.T) {
	for text, want := range map[string]string{
		"có":              "yes",
		"Có ạ":            "yes",
		"ok":              "yes",
		"được":            "yes",
		"Gia hạn":         "yes",
		"bán thêm":        "yes",
		"đồng ý nhé":      "yes",
		"không":           "no",
		"Không ạ":         "no",
		"không gia hạn":   "no",
		"có hàng":         "",
		"không bán nữa":   "",
		"gia hạn NS-7K2Q": "",
	} {
		key := controlKey(text)
		got := ""
		switch {
		case lexicon.is(key, renewYes):
			got = "yes"
		case lexicon.is(key, renewNo):
			got = "no"
		}
		if got != want {
			t.Errorf("%q (%q) reads %q, want %q", text, key, got, want)
		}
	}
}

// A word typed alone is read as typed, then without the particles after
// it, then without a polite "dạ"/"vâng" before it; "đã" is no "dạ".
func TestBareWordsAreReadWithTheirPoliteWordsAround(t *testing.T) {
	for text, want := range map[string][]string{
		"Nhận ạ":          {"nhan a", "nhan"},
		"Nhận nhé":        {"nhan nhe", "nhan"},
		"nhận đơn nha":    {"nhan don nha", "nhan don"},
		"Có em":           {"co em", "co"},
		"Từ chối ạ":       {"tu choi a", "tu choi"},
		"Không nhận ạ":    {"khong nhan a", "khong nhan"},
		"Vâng ạ":          {"vang a", "vang"},
		"Dạ vâng":         {"da vang", "da vang", "vang"},
		"Dạ nhận":         {"da nhan", "da nhan", "nhan"},
		"Vâng, từ chối ạ": {"vang tu choi a", "vang tu choi", "tu choi"},
		"Đã nhận":         {"da nhan", "da nhan"},
		"✅ Nhận đơn":      {"nhan don", "nhan don"},
		"dạ":              {"da", "da"},
	} {
		if got := bareKeys(text); !slices.Equal(got, want) {
			t.Errorf("bareKeys(%q) = %q, want %q", text, got, want)
		}
	}
}
