// Package vn reads and writes Vietnamese as farmers type it: text
// normalisation, prices, quantities, dates and phone numbers. Every function
// is pure; vocabularies are data.
package vn

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Normalize returns s in NFC without zero-width or control characters, with
// surrounding space trimmed and inner runs of white space collapsed to one
// space: what the user wrote, tidied for display. Invalid UTF-8 becomes
// U+FFFD. (PostgreSQL refuses a NUL in text: a name holding one would fail
// every update of its user.)
func Normalize(s string) string {
	if isPlain(s) { // valid, in NFC, without zero-width or control characters
		return collapse(s)
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
			return -1 // zero-width spaces and joiners, word joiner, BOM, soft hyphen
		}
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return collapse(norm.NFC.String(s))
}

// collapse trims s and collapses its inner runs of white space to one
// space; most input needs neither, and is returned as it is.
func collapse(s string) string {
	space := true // at the start, a space is one too many
	for _, r := range s {
		if unicode.IsSpace(r) {
			if space || r != ' ' {
				return strings.Join(strings.Fields(s), " ")
			}
			space = true
			continue
		}
		space = false
	}
	if space && s != "" {
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}

// Fold returns the matching key of s: normalised, lower case, without
// diacritics, `đ` as `d`. Both tone-mark placements (`huỷ`, `hủy`) and NFD
// input fold to the same key.
func Fold(s string) string {
	s = Normalize(s)
	folded, ok := foldLatin(s)
	if !ok {
		folded = foldAny(s)
	}
	// A stray combining mark next to a space leaves the space at an end
	// once removed: collapse again so that Fold(Fold(s)) == Fold(s).
	return collapse(folded)
}

// foldLatin folds text in the Latin scripts (Vietnamese among them) a rune
// at a time, without the buffers of a transform chain: each letter's
// canonical decomposition is its base letter and combining marks, and no
// two letters compose once marks between them are gone. Other text is not
// for it (false).
func foldLatin(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b = append(b, byte(r))
			continue
		case r >= 0x370 && (r < 0x1E00 || r >= 0x1F00):
			return "", false
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.Is(unicode.Mn, r):
			continue
		}
		if d := norm.NFD.PropertiesString(string(r)).Decomposition(); d != nil {
			r, _ = utf8.DecodeRune(d) // the marks after it go
		}
		b = utf8.AppendRune(b, unicode.ToLower(r))
	}
	return string(b), true
}

// foldAny folds any text: decomposed, without combining marks, composed
// again, then lower case.
func foldAny(s string) string {
	t := folders.Get().(transform.Transformer)
	if folded, _, err := transform.String(t, s); err == nil {
		s = folded
	}
	folders.Put(t)
	return strings.Map(func(r rune) rune {
		switch r {
		case 'đ', 'Đ':
			return 'd'
		}
		return unicode.ToLower(r)
	}, s)
}

// folders take the diacritics off; a chain allocates 8 KiB of buffers, and
// farmers' words are folded a dozen times an update, so chains are reused.
var folders = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// isPlain tells whether s is printable ASCII (white space allowed): text
// Normalize need not map.
func isPlain(s string) bool {
	for i := range len(s) {
		if c := s[i]; c >= utf8.RuneSelf || c == 0x7f || c < ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}
