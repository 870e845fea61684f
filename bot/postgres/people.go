package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/flows"
)

// Lists of people a moderator or helper picks from (/xoamod, /bochan,
// /nhavuon) are paged and searched here, so that a province with thousands of them reads one page.

// foldSQL is vn.Fold of the text column col, in SQL: decomposed, without
// the combining marks (the parameter marks, markClass), composed again,
// `đ` as `d`, lower case. Names are normalised as they come in (bot's
// routes), so the spaces and invisible characters vn.Normalize takes care
// of are not there; marks go before lower case, so that Vietnamese folds
// to ASCII whatever the database's locale.
func foldSQL(col, marks string) string {
	return `lower(translate(normalize(regexp_replace(normalize(` + col + `, NFD), ` + marks + `, '', 'g'), NFC), 'đĐ', 'dd'))`
}

// markClass is a regular expression of the characters vn.Fold takes off
// (Unicode's non-spacing marks), as PostgreSQL reads it.
var markClass = func() string {
	var b strings.Builder
	b.WriteString("[")
	add := func(lo, hi, stride uint32) {
		code := `\u%04x` // as PostgreSQL writes a code point
		if hi > 0xFFFF {
			code = `\U%08x`
		}
		if stride == 1 {
			fmt.Fprintf(&b, code+"-"+code, lo, hi)
			return
		}
		for c := lo; c <= hi; c += stride {
			fmt.Fprintf(&b, code, c)
		}
	}
	for _, r := range unicode.Mn.R16 {
		add(uint32(r.Lo), uint32(r.Hi), uint32(r.Stride))
	}
	for _, r := range unicode.Mn.R32 {
		add(r.Lo, r.Hi, r.Stride)
	}
	b.WriteString("]")
	return b.String()
}()

// pagePeople reads the page q asks of the people listed (a query with
// columns name and phone among others, whose parameters are listedArgs),
// in order, with how many are found and listed. Both reads see one
// snapshot.
func pagePeople[T any](ctx context.Context, db *DB, listed, order string, q flows.PeopleQuery,
	scan func(pgx.CollectableRow) (T, error), listedArgs ...any) ([]T, flows.PeopleFound, error) {
	var page []T
	var n flows.PeopleFound
	// The search's parameters follow the list's own.
	param := func(i int) string { return fmt.Sprintf("$%d", len(listedArgs)+i) }
	found, args := "true", slices.Clip(listedArgs) // no search: everyone, no name folded
	switch {
	case q.Phone != "":
		found, args = "phone = "+param(1), append(args, q.Phone)
	case q.Digits != "": // in the number as written, 0912345678
		found, args = "strpos(regexp_replace(phone, '^\\+84', '0'), "+param(1)+") > 0", append(args, q.Digits)
	case q.Name != "":
		found, args = "strpos("+foldSQL("name", param(1))+", "+param(2)+") > 0", append(args, markClass, q.Name)
	}
	limit := fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(args)+1, len(args)+2)
	err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `WITH listed AS (`+listed+`) SELECT count(*), count(*) FILTER (WHERE `+found+`) FROM listed`,
			args...).Scan(&n.All, &n.Found)
		if err != nil || q.Size <= 0 {
			return err
		}
		pages := max(1, (n.Found+q.Size-1)/q.Size)
		n.Page = min(max(q.Page, 0), pages-1)
		rows, err := tx.Query(ctx, `WITH listed AS (`+listed+`) SELECT * FROM listed WHERE `+found+`
			ORDER BY `+order+limit, append(args, q.Size, n.Page*q.Size)...)
		if err != nil {
			return err
		}
		page, err = pgx.CollectRows(rows, scan)
		return err
	})
	if err != nil {
		return nil, flows.PeopleFound{}, fmt.Errorf("page %d of people: %w", q.Page, err)
	}
	return page, n, nil
}
