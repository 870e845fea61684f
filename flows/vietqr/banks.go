package vietqr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// ErrBankData reports a bank directory (locales/banks.toml) that cannot be
// used: bad TOML, an unknown key, a missing field, a BIN that is not 6
// digits, or a BIN, code or name that two banks share.
var ErrBankData = errors.New("vietqr: invalid bank directory")

// Bank is one entry of the bank directory.
type Bank struct {
	Code      string   // NAPAS/VietQR short code, e.g. "VCB"
	ShortName string   // name people use, e.g. "Vietcombank"
	Name      string   // full Vietnamese legal name
	BIN       string   // NAPAS BIN, 6 digits
	Aliases   []string // other names people type: former names, tickers, Vietnamese words
}

type bankFile struct {
	Bank []struct {
		Code      string   `toml:"code"`
		ShortName string   `toml:"short_name"`
		Name      string   `toml:"name"`
		BIN       string   `toml:"bin"`
		Aliases   []string `toml:"aliases"`
	} `toml:"bank"`
}

// ParseBanks reads a bank directory in the format of locales/banks.toml: an
// array of [[bank]] tables with code, short_name, name, bin and aliases. It
// checks that every bank is complete, every BIN is 6 digits and unique, and
// that no code, name or alias of one bank matches another bank, so that
// MatchBank never has to choose.
func ParseBanks(data []byte) ([]Bank, error) {
	var f bankFile
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBankData, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%w: unknown key %s", ErrBankData, und[0])
	}
	if len(f.Bank) == 0 {
		return nil, fmt.Errorf("%w: no [[bank]] entries", ErrBankData)
	}
	banks := make([]Bank, 0, len(f.Bank))
	byBIN := map[string]string{}
	byKey := map[string]string{}
	for i, e := range f.Bank {
		b := Bank{
			Code:      strings.TrimSpace(e.Code),
			ShortName: strings.TrimSpace(e.ShortName),
			Name:      strings.TrimSpace(e.Name),
			BIN:       strings.TrimSpace(e.BIN),
			Aliases:   e.Aliases,
		}
		if b.Code == "" || b.ShortName == "" || b.Name == "" {
			return nil, fmt.Errorf("%w: bank #%d (%q) lacks code, short_name or name", ErrBankData, i+1, b.ShortName)
		}
		if !isDigits(b.BIN, 6) {
			return nil, fmt.Errorf("%w: %s: BIN %q is not 6 digits", ErrBankData, b.Code, b.BIN)
		}
		if other, dup := byBIN[b.BIN]; dup {
			return nil, fmt.Errorf("%w: BIN %s belongs to both %s and %s", ErrBankData, b.BIN, other, b.Code)
		}
		byBIN[b.BIN] = b.Code
		for _, name := range b.names() {
			k := matchKey(name)
			if k == "" {
				return nil, fmt.Errorf("%w: %s: name %q matches nothing", ErrBankData, b.Code, name)
			}
			if other, dup := byKey[k]; dup && other != b.Code {
				return nil, fmt.Errorf("%w: %q of %s also names %s", ErrBankData, name, b.Code, other)
			}
			byKey[k] = b.Code
		}
		banks = append(banks, b)
	}
	return banks, nil
}

// MatchBank finds the bank whose code, short name, full name, alias or BIN
// is what s says, ignoring case, diacritics, spaces and punctuation, a
// leading `ngân hàng`/"NH" and a trailing "bank": "vcb", "Vietcombank",
// `ngân hàng ngoại thương`, "MB Bank", "mbbank" and "agri" all match.
// It reports false when nothing matches; it does not guess at typos.
func MatchBank(banks []Bank, s string) (Bank, bool) {
	k := matchKey(s)
	if k == "" {
		return Bank{}, false
	}
	for _, b := range banks {
		if k == b.BIN {
			return b, true
		}
		for _, name := range b.names() {
			if matchKey(name) == k {
				return b, true
			}
		}
	}
	return Bank{}, false
}

func (b Bank) names() []string {
	names := make([]string, 0, 3+len(b.Aliases))
	names = append(names, b.Code, b.ShortName, b.Name)
	return append(names, b.Aliases...)
}

// matchKey folds a bank name to the form names are compared in: lower case
// ASCII letters and digits only, without a leading "ngan hang" or "nh" and
// without a trailing "bank" ("MB Bank" and "mbbank" give "mb").
func matchKey(s string) string {
	words := strings.FieldsFunc(vn.Fold(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	switch {
	case len(words) >= 3 && words[0] == "ngan" && words[1] == "hang":
		words = words[2:]
	case len(words) >= 2 && words[0] == "nh":
		words = words[1:]
	}
	k := strings.Join(words, "")
	if strings.HasSuffix(k, "bank") && len(k) > len("bank") {
		k = strings.TrimSuffix(k, "bank")
	}
	return k
}
