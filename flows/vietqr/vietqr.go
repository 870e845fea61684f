// Package vietqr builds VietQR payloads and images: the national bank-transfer
// QR that every Vietnamese banking app scans. A payload is an EMVCo
// merchant-presented QR string carrying NAPAS's identifier A000000727, the
// QRIBFTTA service (transfer to an account), the bank's NAPAS BIN, the account
// number, currency 704, an optional amount, country VN, an optional purpose
// (tag 62-08) and a CRC-16/CCITT-FALSE over the whole (tag 63).
//
// The package also reads the bank directory in locales/banks.toml and matches
// what a user types (`vcb`, `Agri`, `mb bank`, `ngân hàng Vietin`) to a bank.
package vietqr

import (
	"errors"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Field limits of the VietQR (NAPAS IBFT) specification, which follows EMVCo.
const (
	// MaxAccountLen is the longest account number (tag 38-01-01, `var. up to 19`).
	MaxAccountLen = 19
	// MaxPurposeLen is the longest purpose of transaction (tag 62-08, `var. up to 25`).
	// Longer purposes are cut to this length after folding to ASCII.
	MaxPurposeLen = 25
	// MaxAmount is the largest amount: tag 54 holds at most 13 characters.
	MaxAmount int64 = 9_999_999_999_999
)

// Errors returned by Payload and PNG. They are sentinel values: compare with
// errors.Is. Their text is for logs, never for users.
var (
	ErrBIN          = errors.New("vietqr: BIN must be exactly 6 digits")
	ErrAccount      = errors.New("vietqr: account must be 1 to 19 ASCII letters or digits")
	ErrAmount       = errors.New("vietqr: amount must be between 0 and 9999999999999 VND")
	ErrEmptyPayload = errors.New("vietqr: empty payload")
	ErrImageSize    = errors.New("vietqr: image size must be positive")
)

const (
	napasGUID       = "A000000727" // NAPAS's application identifier (tag 38-00)
	serviceTransfer = "QRIBFTTA"   // inter-bank fund transfer 24/7 to an account (tag 38-02)
	currencyVND     = "704"        // ISO 4217 numeric (tag 53)
	countryVN       = "VN"         // ISO 3166-1 alpha-2 (tag 58)
	initStatic      = "11"         // point of initiation: reusable QR, payer types the amount
	initDynamic     = "12"         // point of initiation: QR for one payment with a fixed amount
)

// Transfer is one bank transfer a VietQR code asks the payer to make.
type Transfer struct {
	BIN     string // bank's NAPAS BIN, 6 digits
	Account string // account number (digits/letters as banks allow)
	Amount  int64  // VND; 0 lets the payer type it (static QR, no tag 54)
	Purpose string // e.g. `NS-7K2Q don 123`; folded to ASCII and cut to MaxPurposeLen
}

// Payload returns the VietQR string for t. With an amount the QR is dynamic
// (point of initiation `12`, tag 54 present); without one it is static (`11`).
// An empty purpose, or one that folds to nothing, omits tag 62.
func Payload(t Transfer) (string, error) {
	if !isDigits(t.BIN, 6) {
		return "", ErrBIN
	}
	if !validAccount(t.Account) {
		return "", ErrAccount
	}
	if t.Amount < 0 || t.Amount > MaxAmount {
		return "", ErrAmount
	}

	var b strings.Builder
	b.Grow(128)
	writeTLV(&b, "00", "01")
	if t.Amount > 0 {
		writeTLV(&b, "01", initDynamic)
	} else {
		writeTLV(&b, "01", initStatic)
	}

	var beneficiary strings.Builder
	writeTLV(&beneficiary, "00", t.BIN)
	writeTLV(&beneficiary, "01", t.Account)
	var merchant strings.Builder
	writeTLV(&merchant, "00", napasGUID)
	writeTLV(&merchant, "01", beneficiary.String())
	writeTLV(&merchant, "02", serviceTransfer)
	writeTLV(&b, "38", merchant.String())

	writeTLV(&b, "53", currencyVND)
	if t.Amount > 0 {
		writeTLV(&b, "54", strconv.FormatInt(t.Amount, 10))
	}
	writeTLV(&b, "58", countryVN)
	if p := FoldPurpose(t.Purpose); p != "" {
		var extra strings.Builder
		writeTLV(&extra, "08", p)
		writeTLV(&b, "62", extra.String())
	}

	b.WriteString("6304")
	b.WriteString(crcHex(crc16CCITTFalse([]byte(b.String()))))
	return b.String(), nil
}

// FoldPurpose returns purpose as it will stand in the QR: Vietnamese letters
// without diacritics (`đ` as `d`, case kept), every character other than
// ASCII letters, digits, space, '-', '.' and '_' turned into a space, runs of
// space collapsed, trimmed, and cut to MaxPurposeLen. The character set is
// the one banking apps are known to carry through to the statement.
func FoldPurpose(purpose string) string {
	s := strings.ToValidUTF8(purpose, " ")
	// NFKD splits letters from their marks (and full-width digits into ASCII);
	// dropping the marks leaves the base letters.
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)))
	if folded, _, err := transform.String(t, s); err == nil {
		s = folded
	}
	var b strings.Builder
	space := true // drop leading space
	for _, r := range s {
		switch r {
		case 'đ':
			r = 'd'
		case 'Đ':
			r = 'D'
		}
		if !purposeChar(r) {
			r = ' '
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
		if b.Len() == MaxPurposeLen {
			break
		}
	}
	return strings.TrimRight(b.String(), " ")
}

func purposeChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	case r == '-', r == '.', r == '_':
		return true
	}
	return false
}

func validAccount(s string) bool {
	if len(s) == 0 || len(s) > MaxAccountLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// writeTLV appends one EMVCo data object: two-digit id, two-digit length,
// value. Callers keep values ASCII and at most 99 bytes long.
func writeTLV(b *strings.Builder, id, value string) {
	if len(value) > 99 {
		panic("vietqr: TLV value longer than 99 bytes") // unreachable: inputs are validated
	}
	b.WriteString(id)
	if len(value) < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.Itoa(len(value)))
	b.WriteString(value)
}

// crc16CCITTFalse is CRC-16/CCITT-FALSE: polynomial 0x1021, initial value
// 0xFFFF, no reflection, no final XOR.
func crc16CCITTFalse(data []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range data {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// crcHex formats a CRC as four uppercase hex digits, zero-padded.
func crcHex(crc uint16) string {
	const hexdigits = "0123456789ABCDEF"
	return string([]byte{
		hexdigits[crc>>12&0xF], hexdigits[crc>>8&0xF],
		hexdigits[crc>>4&0xF], hexdigits[crc&0xF],
	})
}
