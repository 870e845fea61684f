package flows

import (
	"strings"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Lists of people a moderator picks from (/xoamod, /bochan) are shown a
// page at a time; typing a name or a phone number shows those it matches.
// A province has many helpers: no one is out of reach.

// peoplePage: people are shown this many at a time.
const peoplePage = 10

// peopleList is where a moderator is in such a list, in the flow's draft.
type peopleList struct {
	Page   int    `json:"page,omitempty"`   // from 0
	Search string `json:"search,omitempty"` // as typed
}

// person is one of a list: the choice shown, and what a search matches (the
// phone number is matched, never shown).
type person struct {
	Choice
	Name  string
	Phone string // E.164, or ""
}

// matches tells whether p is one the search asks for: a name holding the
// words typed, with or without diacritics, or the phone number typed.
func (l peopleList) matches(p person) bool {
	if l.Search == "" {
		return true
	}
	if phone, err := vn.ParsePhone(l.Search); err == nil {
		return phone == p.Phone
	}
	return strings.Contains(vn.Fold(p.Name), vn.Fold(l.Search))
}

// show is the page of people to offer, with the buttons that move through
// the pages and back from a search, and the data of the heading: Count
// (the people listed, or matched), Page and Pages (when several), Search.
func (l peopleList) show(people []person) (rows [][]Choice, data []any) {
	var found []person
	for _, p := range people {
		if l.matches(p) {
			found = append(found, p)
		}
	}
	pages := max(1, (len(found)+peoplePage-1)/peoplePage)
	page := min(max(l.Page, 0), pages-1)
	for _, p := range found[page*peoplePage : min(len(found), (page+1)*peoplePage)] {
		rows = append(rows, []Choice{p.Choice})
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
	return rows, []any{"Count", len(found), "Page", page + 1, "Pages", shown, "Search", l.Search, "Many", len(people) > peoplePage}
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
