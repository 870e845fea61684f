// Package vn reads and writes Vietnamese as farmers type it: text
// normalisation, prices, quantities, dates and phone numbers. Every function
// is pure; vocabularies are data.
package vn

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Normalize returns s in NFC without zero-width characters, with surrounding
// space trimmed and inner runs of white space collapsed to one space: what
// the user wrote, tidied for display. Invalid UTF-8 becomes U+FFFD.
func Normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
			return -1 // zero-width spaces and joiners, word joiner, BOM, soft hyphen
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// Fold returns the matching key of s: normalised, lower case, without
// diacritics, `đ` as `d`. Both tone-mark placements (`huỷ`, `hủy`) and NFD
// input fold to the same key.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, Normalize(s))
	if err != nil {
		folded = Normalize(s)
	}
	folded = strings.Map(func(r rune) rune {
		switch r {
		case 'đ', 'Đ':
			return 'd'
		}
		return unicode.ToLower(r)
	}, folded)
	// A stray combining mark next to a space leaves the space at an end
	// once removed: collapse again so that Fold(Fold(s)) == Fold(s).
	return strings.Join(strings.Fields(folded), " ")
}
