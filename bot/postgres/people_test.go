package postgres_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// The people a moderator picks from are read a page at a time, a page
// past the last giving the last; a name searched matches in PostgreSQL
// exactly those vn.Fold would: without diacritics or case, both tone-mark
// placements, decomposed text, other scripts.
func TestPeopleArePagedAndFoundAsTheBotFoldsNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	names := []string{"Hoàng Thị Mai", "Hoa\u0300ng Thi\u0323 Lan", "ĐẶNG VĂN ƯỚC", "Nguyễn Thị Thuỷ", "Nguyễn Thị Thủy",
		"Иван Йошкин", "김민준", "Ørjan Æsir", "İlknur", "Straße", "สมศักดิ์"}
	for i := range 25 {
		names = append(names, "Người "+strconv.Itoa(100+i))
	}
	ids := make([]int64, len(names))
	for i, name := range names {
		u, err := db.Touch(ctx, flows.Input{Channel: flows.Telegram, UserID: strconv.Itoa(i + 1), UserName: name})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = u.ID
		if _, err := db.Pool.Exec(ctx, `INSERT INTO user_roles (user_id, role, granted_at) VALUES ($1, 'helper', now() + $2 * interval '1 second')`,
			u.ID, i); err != nil {
			t.Fatal(err)
		}
	}

	page, n, err := db.GrantedRoles(ctx, flows.PeopleQuery{Page: 1, Size: 10})
	if err != nil || n != (flows.PeopleFound{Page: 1, Found: 36, All: 36}) || len(page) != 10 || page[0].UserID != ids[10] || page[9].UserID != ids[19] {
		t.Fatalf("page 2: %+v %+v (%v), want the 11th to the 20th of 36", page, n, err)
	}
	if page, n, err = db.GrantedRoles(ctx, flows.PeopleQuery{Page: 9, Size: 10}); err != nil || n.Page != 3 || len(page) != 6 || page[5].UserID != ids[35] {
		t.Fatalf("a page past the last: %+v %+v (%v), want the last six", page, n, err)
	}
	if _, n, err = db.GrantedRoles(ctx, flows.PeopleQuery{}); err != nil || n != (flows.PeopleFound{Found: 36, All: 36}) {
		t.Fatalf("the counts alone: %+v (%v)", n, err)
	}

	for _, c := range []struct {
		search string
		want   int
	}{
		{"hoang thi", 2}, {"thuy", 2}, {"THỦY", 2}, {"dang van uoc", 1}, {"Đặng", 1}, {"йош", 1}, {"ИВАН", 1},
		{"민준", 1}, {"ørjan", 1}, {"ilk", 1}, {"straße", 1}, {"ศักดิ์", 1}, {"người 10", 10}, {"lâm", 0},
	} {
		folded := vn.Fold(c.search)
		var want []int64
		for i, name := range names {
			if strings.Contains(vn.Fold(name), folded) {
				want = append(want, ids[i])
			}
		}
		if len(want) != c.want {
			t.Fatalf("%q: vn.Fold finds %d, the test expects %d", c.search, len(want), c.want)
		}
		page, n, err := db.GrantedRoles(ctx, flows.PeopleQuery{Name: folded, Size: 20})
		var got []int64
		for _, g := range page {
			got = append(got, g.UserID)
		}
		if err != nil || n.Found != len(want) || n.All != 36 || !slices.Equal(got, want) {
			t.Errorf("%q: found %v %+v (%v), want %v", c.search, got, n, err, want)
		}
	}
}
