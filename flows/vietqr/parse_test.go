package vietqr

import (
	"strings"
	"testing"
)

// withCRC appends a correct CRC to body, which ends in "6304".
func withCRC(body string) string { return body + crcHex(crc16CCITTFalse([]byte(body))) }

func TestParseReadsWhatPayloadWrites(t *testing.T) {
	for _, tc := range knownGood {
		p, err := Payload(tc.in)
		if err != nil {
			t.Fatalf("Payload(%+v): %v", tc.in, err)
		}
		got, err := Parse(p)
		want := tc.in
		want.Purpose = FoldPurpose(want.Purpose)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", p, got, err, want)
		}
		if !Valid(p) {
			t.Errorf("Valid(%q) = false", p)
		}
	}
}

func TestParseRejects(t *testing.T) {
	good, err := Payload(Transfer{BIN: "970436", Account: "0011001932418", Amount: 50000, Purpose: "NS-7K2Q"})
	if err != nil {
		t.Fatal(err)
	}
	body := good[:len(good)-4]
	flipped := []byte(good)
	flipped[len(flipped)-1] ^= 1
	merchant := "0010A000000727" + "01240006970436011000110019" + "0208QRIBFTTA"
	for name, p := range map[string]string{
		"empty":            "",
		"garbage":          "hello",
		"tampered CRC":     string(flipped),
		"tampered body":    strings.Replace(good, "970436", "970437", 1),
		"no CRC":           body[:len(body)-4],
		"CRC not last":     withCRC(body[:len(body)-4] + "5802VN6304"),
		"too long":         withCRC(strings.Repeat("9999"+strings.Repeat("x", 99), 5) + "6304"),
		"not NAPAS":        withCRC(strings.Replace(body, "A000000727", "A000000728", 1)),
		"not a transfer":   withCRC(strings.Replace(body, "QRIBFTTA", "QRPUSHXX", 1)),
		"other currency":   withCRC(strings.Replace(body, "5303704", "5303840", 1)),
		"bad length":       withCRC("000201" + "0112" + "11" + "6304"),
		"no format":        withCRC("010211" + "38" + "57" + merchant + "53037045802VN6304"),
		"duplicate tag":    withCRC("000201010211010211" + "3857" + merchant + "53037045802VN6304"),
		"control char":     withCRC("000201010211" + "3857" + merchant + "53037045802VN6205" + "0801\n" + "6304"),
		"zero amount":      withCRC("000201010212" + "3857" + merchant + "5303704" + "54010" + "5802VN6304"),
		"bad BIN":          withCRC(strings.Replace(body, "0006970436", "00069704X6", 1)),
		"missing merchant": withCRC("000201010211" + "53037045802VN6304"),
	} {
		if tr, err := Parse(p); err == nil {
			t.Errorf("%s: Parse(%q) = %+v, want an error", name, p, tr)
		}
		if Valid(p) {
			t.Errorf("%s: Valid(%q) = true", name, p)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, tc := range knownGood {
		p, _ := Payload(tc.in)
		f.Add(p)
	}
	f.Add("000201")
	f.Add("\xff6304")
	f.Fuzz(func(t *testing.T, p string) {
		tr, err := Parse(p)
		if err != nil {
			return
		}
		if !crcOK(p) || len(p) > MaxPayloadLen {
			t.Fatalf("Parse accepted %q", p)
		}
		// What Parse accepts, Payload writes again: the same transfer.
		again, err := Payload(tr)
		if err != nil {
			t.Fatalf("Payload(%+v) of parsed %q: %v", tr, p, err)
		}
		if back, err := Parse(again); err != nil || back.BIN != tr.BIN || back.Account != tr.Account || back.Amount != tr.Amount {
			t.Fatalf("Parse(Payload(%+v)) = %+v, %v", tr, back, err)
		}
	})
}
