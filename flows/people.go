package flows

import (
	"strings"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Lists of people a moderator or helper picks from (/xoamod, /bochan,
// /nhavuon) are shown a page at a time; typing a name, a phone number or
// its last digits shows those it matches. A province has many helpers: no
// one is out of reach.

// peoplePage: people are shown this many at a time.
const peoplePage = 10

// peopleList is where a moderator or helper is in such a list, in the
// flow's draft.
type peopleList struct {
	Page   int    `json:"page,omitempty"`   // from 0
	Search string `json:"search,omitempty"` // as typed
}

// PeopleQuery asks a store for a page of a list of people to pick from:
// those a search matches, Size at a time, so that a province with
// thousands of helpers or bans reads one page.
type PeopleQuery struct {
	Phone string // E.164: only whoever gave this number; else
	// Digits: only those whose number, written 0912345678, holds these
	// digits (its last ones, typed from memory); else
	Digits string
	Name   string // folded (vn.Fold): only those whose folded name holds it; "": everyone
	Page   int    // from 0; past the last page, the last
	Size   int    // 0: only the counts
}

// PeopleFound is what a store tells of a page besides the people on it.
type PeopleFound struct {
	Page  int // the page given, from 0
	Found int // those the search matches
	All   int // everyone listed
}

// query is the page of people to ask the store for: a search that reads
// as a phone number looks for that number, digits alone (3 or more) for
// the numbers holding them, any other for a name holding the words typed,
// with or without diacritics.
func (l peopleList) query() PeopleQuery {
	q := PeopleQuery{Page: max(l.Page, 0), Size: peoplePage}
	if l.Search == "" {
		return q
	}
	if phone, err := vn.ParsePhone(l.Search); err == nil {
		q.Phone = phone
	} else if part := partPhone(l.Search); part != "" {
		q.Digits = part
	} else {
		q.Name = vn.Fold(l.Search)
	}
	return q
}

// partPhone is the digits of a part of a phone number typed ("321",
// "654 321", "654.321"), "" if s is not one: fewer than 3 digits would
// match most numbers.
func partPhone(s string) string {
	typed := strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '-' {
			return -1
		}
		return r
	}, s)
	if len(typed) < 3 || !digits(typed) {
		return ""
	}
	return typed
}

// show is the page of people (one choice each) to offer, as the store
// found it, with the
// buttons that move through the pages and back from a search, and the
// data of the heading: Count (the people listed, or matched), Page and
// Pages (when several), Search.
func (l peopleList) show(people []Choice, n PeopleFound) (rows [][]Choice, data []any) {
	pages := max(1, (n.Found+peoplePage-1)/peoplePage)
	page := min(max(n.Page, 0), pages-1)
	for _, p := range people {
		rows = append(rows, []Choice{p})
	}
	var nav []Choice
	if page > 0 {
		nav = append(nav, Choice{Label: M("people.page_prev"), Value: "page:prev", Words: []string{"truoc", "trang truoc"}})
	}
	if page < pages-1 {
		nav = append(nav, Choice{Label: M("people.page_next"), Value: "page:next", Words: []string{"sau", "trang sau"}})
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	if l.Search != "" {
		rows = append(rows, []Choice{{Label: M("people.all"), Value: "people:all", Words: []string{"ca danh sach", "tat ca"}}})
	}
	shown := 0 // the page is said only when there are several
	if pages > 1 {
		shown = pages
	}
	return rows, []any{"Count", n.Found, "Page", page + 1, "Pages", shown, "Search", l.Search, "Many", n.All > peoplePage}
}

// maxSearch: a name or a phone number is short.
const maxSearch = 60

// take moves through the list as in asks: another page, back from a
// search, or a search typed. It tells whether in was one of those.
func (l *peopleList) take(in Input) bool {
	switch {
	case in.Kind == KindChoice && in.Text == "page:next":
		l.Page++
	case in.Kind == KindChoice && in.Text == "page:prev":
		l.Page = max(0, l.Page-1)
	case in.Kind == KindChoice && in.Text == "people:all":
		*l = peopleList{}
	case in.Kind == KindText && in.Command == "" && strings.TrimSpace(in.Text) != "" && !tooLong(in.Text, maxSearch):
		*l = peopleList{Search: strings.Join(strings.Fields(in.Text), " ")}
	default:
		return false
	}
	return true
}
