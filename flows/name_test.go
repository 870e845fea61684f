package flows_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/flows"
)

// lastData is the template data of the last message said to user with id.
func (m *market) lastData(user, id string) map[string]any {
	m.t.Helper()
	for i := len(m.said) - 1; i >= 0; i-- {
		if r := m.said[i]; r.To.ChatID == user && r.Text.ID == id {
			return r.Text.Data
		}
	}
	m.t.Fatalf("%s was not said to %s: %v", id, user, idsTo(m.said, user))
	return nil
}

// play has user answer, each input followed by the last message expected.
func (m *market) play(user string, turns ...[3]string) {
	m.t.Helper()
	for i, t := range turns {
		kind := flows.KindText
		if text, ok := strings.CutPrefix(t[0], "="); ok {
			kind, t[0] = flows.KindChoice, text
		}
		in := m.input(user, kind, t[0])
		if cmd, ok := strings.CutPrefix(t[0], "/"); ok {
			in.Command = cmd
		}
		m.asked(in)
		if said := idsTo(m.said, user); len(said) == 0 || said[len(said)-1] != t[1] || m.step(user) != t[2] {
			m.t.Fatalf("turn %d %q: said %v at %s; want %s at %s", i, t[0], said, m.step(user), t[1], t[2])
		}
	}
}

func (m *market) step(user string) string {
	if s := m.sess[user]; s.Active() {
		return string(s.Flow) + "/" + string(s.Step)
	}
	return ""
}

// Words typed after the phone number are about the number (whose it is,
// when to call), not a new name: the name given a moment before is kept,
// and it is the one shown in every group post. A second number is asked
// about, never kept.
func TestWordsAfterThePhoneNumberNeverReplaceTheName(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	const farmer = "1"
	m.play(farmer,
		[3]string{"/hoso", "reg.name", "profile/reg_name"},
		[3]string{"Lê Thị Hoa", "reg.phone", "profile/reg_phone"},
		[3]string{"0987 654 321 hoặc zalo 0912345678", "reg.phone_one", "profile/reg_phone"},
		[3]string{"0987 654 321 của chồng em", "reg.commune", "profile/reg_commune"},
		[3]string{"xã Quang Lang, Chi Lăng", "reg.code", "profile/reg_code"},
		[3]string{"bỏ qua", "reg.bank", "profile/reg_bank"},
		[3]string{"bỏ qua", "profile.summary", "profile/summary"},
	)
	if got := m.lastData(farmer, "profile.summary")["Name"]; got != "Lê Thị Hoa" {
		t.Fatalf("after registering, the name is %q", got)
	}
	for _, typed := range []string{"0912 345 678 của chồng em", "0912345678 (chồng)", "0912345678 gọi giờ trưa",
		"0912345678 Viettel", "0912345678 ko nghe thì nhắn tin", "0912345678 tên Mai"} {
		m.play(farmer,
			[3]string{"=field:phone", "reg.phone", "profile/reg_phone"},
			[3]string{typed, "profile.summary", "profile/summary"},
		)
		data := m.lastData(farmer, "profile.summary")
		if data["Name"] != "Lê Thị Hoa" || data["Phone"] != "0912 345 678" {
			t.Errorf("after %q the profile shows %q, %q", typed, data["Name"], data["Phone"])
		}
	}
	m.play(farmer,
		[3]string{"=field:phone", "reg.phone", "profile/reg_phone"},
		[3]string{"0987 654 321 hoặc zalo 0912345678", "reg.phone_one", "profile/reg_phone"},
	)
}

// The name a person shows on Telegram or Zalo is offered as a button only
// if it could have been typed as a name: not with a phone number in it
// (it would be shown in group posts), not too long, not a lone emoji. If
// not, they are asked to type it, and an older button does not take it.
func TestAPlatformNameIsOfferedOnlyIfItCouldBeTypedAsAName(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	m.names = map[string]string{"1": "Hoa bán na 0912345678", "2": strings.Repeat("Hoàng Văn Lâm ", 10), "3": "🌾", "4": "Lê Thị Hoa"}
	keep := func(user string) bool {
		for _, r := range m.said {
			if r.To.ChatID == user && slices.ContainsFunc(r.Choices, func(row []flows.Choice) bool {
				return slices.ContainsFunc(row, func(c flows.Choice) bool { return c.Value == "keep" })
			}) {
				return true
			}
		}
		return false
	}
	for _, user := range []string{"1", "2", "3"} {
		m.play(user, [3]string{"/hoso", "reg.name", "profile/reg_name"})
		if keep(user) || m.lastData(user, "reg.name")["Name"] != "" {
			t.Errorf("%q is offered as a name", m.names[user])
		}
		m.play(user, [3]string{"=keep", "reg.name", "profile/reg_name"}) // a button from before
	}
	m.play("1",
		[3]string{"Hoa", "reg.phone", "profile/reg_phone"},
		[3]string{"0987 654 321", "reg.commune", "profile/reg_commune"},
		[3]string{"xã Quang Lang, Chi Lăng", "reg.code", "profile/reg_code"},
		[3]string{"bỏ qua", "reg.bank", "profile/reg_bank"},
		[3]string{"bỏ qua", "profile.summary", "profile/summary"},
	)
	if got := m.lastData("1", "profile.summary")["Name"]; got != "Hoa" {
		t.Errorf("the name typed is saved as %q", got)
	}

	// A name that could be typed is offered, and taken.
	m.play("4",
		[3]string{"/hoso", "reg.name", "profile/reg_name"},
		[3]string{"=keep", "reg.phone", "profile/reg_phone"},
	)

	// The buyer's name reaches the farmer before the order is accepted:
	// the same holds for it.
	l := m.listing("9")
	m.play("1",
		[3]string{"mua " + l.Code, "order.quantity", "order/quantity"},
		[3]string{"40 kg", "order.name", "order/name"},
	)
	if keep("1") || m.lastData("1", "order.name")["Name"] != "" {
		t.Errorf("%q is offered as the buyer's name", m.names["1"])
	}
	m.play("1",
		[3]string{"=keep", "order.name", "order/name"},
		[3]string{"Hoa", "order.phone", "order/phone"},
		[3]string{"0987654321 hoặc 0912 345 678", "reg.phone_one", "order/phone"},
		[3]string{"0987654321", "order.delivery", "order/delivery"},
		[3]string{"=pickup", "order.note", "order/note"},
		[3]string{"=skip", "order.summary", "order/summary"},
	)
	if got := m.lastData("1", "order.summary")["Name"]; got != "Hoa" {
		t.Errorf("the buyer's name is %q", got)
	}
	m.play("4",
		[3]string{"/huy", "cancel.done", ""},
		[3]string{"mua " + l.Code, "order.quantity", "order/quantity"},
		[3]string{"40 kg", "order.name", "order/name"},
		[3]string{"=keep", "order.phone", "order/phone"},
	)
}
