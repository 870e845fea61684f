package vietqr

import (
	"errors"
	"strconv"
)

// MaxPayloadLen bounds the payloads Parse reads: a VietQR of this package
// is under 160 bytes; EMVCo allows at most 512.
const MaxPayloadLen = 512

// ErrInvalid is a payload that is not a well-formed VietQR transfer.
var ErrInvalid = errors.New("vietqr: not a well-formed VietQR transfer")

// Valid tells whether payload is a well-formed VietQR transfer.
func Valid(payload string) bool {
	_, err := Parse(payload)
	return err == nil
}

// Parse reads a VietQR payload back into its transfer: the top-level EMVCo
// data objects in order, each at most once, the CRC-16 (tag 63) last and
// matching, NAPAS's identifier and the transfer service in tag 38, currency
// 704 and country VN. The purpose is returned as it stands in the QR.
func Parse(payload string) (Transfer, error) {
	if len(payload) > MaxPayloadLen {
		return Transfer{}, ErrInvalid
	}
	tags, ok := readTLVs(payload)
	if !ok || len(tags) < 2 || tags[0].id != "00" || tags[0].value != "01" {
		return Transfer{}, ErrInvalid
	}
	last := tags[len(tags)-1]
	if last.id != "63" || len(last.value) != 4 ||
		last.value != crcHex(crc16CCITTFalse([]byte(payload[:len(payload)-4]))) {
		return Transfer{}, ErrInvalid
	}
	top, ok := byID(tags)
	if !ok || top["53"] != currencyVND || top["58"] != countryVN {
		return Transfer{}, ErrInvalid
	}
	var t Transfer
	if amount, ok := top["54"]; ok {
		n, err := strconv.ParseInt(amount, 10, 64)
		if err != nil || n <= 0 || n > MaxAmount || !isDigits(amount, len(amount)) {
			return Transfer{}, ErrInvalid
		}
		t.Amount = n
	}
	if extra, ok := top["62"]; ok {
		fields, ok := readMap(extra)
		if !ok {
			return Transfer{}, ErrInvalid
		}
		t.Purpose = fields["08"]
	}
	merchant, ok := readMap(top["38"])
	if !ok || merchant["00"] != napasGUID || merchant["02"] != serviceTransfer {
		return Transfer{}, ErrInvalid
	}
	beneficiary, ok := readMap(merchant["01"])
	if !ok || !isDigits(beneficiary["00"], 6) || !validAccount(beneficiary["01"]) {
		return Transfer{}, ErrInvalid
	}
	t.BIN, t.Account = beneficiary["00"], beneficiary["01"]
	return t, nil
}

type dataObject struct{ id, value string }

// readTLVs splits s into EMVCo data objects: two-digit id, two-digit
// length, value of printable ASCII; ok is false unless they cover s exactly.
func readTLVs(s string) (tags []dataObject, ok bool) {
	for i := 0; i < len(s); {
		if len(s)-i < 4 || !isDigits(s[i:i+2], 2) || !isDigits(s[i+2:i+4], 2) {
			return nil, false
		}
		n, _ := strconv.Atoi(s[i+2 : i+4])
		start := i + 4
		if n == 0 || len(s)-start < n {
			return nil, false
		}
		for _, c := range []byte(s[start : start+n]) {
			if c < ' ' || c > '~' {
				return nil, false
			}
		}
		tags = append(tags, dataObject{s[i : i+2], s[start : start+n]})
		i = start + n
	}
	return tags, true
}

// byID maps ids to values; ok is false for an id seen twice.
func byID(tags []dataObject) (map[string]string, bool) {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if _, dup := m[t.id]; dup {
			return nil, false
		}
		m[t.id] = t.value
	}
	return m, true
}

// readMap reads a template's nested data objects.
func readMap(s string) (map[string]string, bool) {
	tags, ok := readTLVs(s)
	if !ok || len(tags) == 0 {
		return nil, false
	}
	return byID(tags)
}
