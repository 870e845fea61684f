package flows

import "testing"

// The question's words are read with its code after them or without,
// however a farmer types them; other words are not them.
func TestTypedAnswersReadTheQuestionsCode(t *testing.T) {
	for _, c := range []struct{ typed, action, code string }{
		{"ĐÚNG TÔI ĐỔI 4827", "ok", "4827"},
		{"dung toi doi 48 27", "ok", "4827"},
		{"Đúng, tôi đổi: 0482", "ok", "0482"},
		{"✅ Đúng, tôi đổi", "ok", ""},
		{"KHÔNG PHẢI TÔI 4827", "no", "4827"},
		{"khong phai toi", "no", ""},
		{"not me 4827", "no", "4827"},
		{"4827", "", ""},
		{"dừng 4827", "", ""},
		{"đúng", "", ""},
	} {
		action, code := typedAnswer(Input{Kind: KindText, Text: c.typed})
		if action != c.action || code != c.code {
			t.Errorf("%q read as %q %q, want %q %q", c.typed, action, code, c.action, c.code)
		}
	}
}
