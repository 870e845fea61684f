// Package pgtest gives each test its own migrated PostgreSQL database on the
// server named by DATABASE_URL (make test starts one).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// URL returns DATABASE_URL, failing the test when it is unset.
func URL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		tb.Fatal("DATABASE_URL is unset: run the tests with `make test`, which starts PostgreSQL")
	}
	return url
}

// NewDatabase creates an empty database for this test, dropped at its end,
// and returns its URL.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, URL(tb))
	if err != nil {
		tb.Fatalf("connect to postgres: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close(context.Background())
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop database: %v", err)
		}
	})
	u, err := url.Parse(URL(tb))
	if err != nil {
		tb.Fatalf("DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// MustOpen returns a store on a fresh, migrated database of its own.
func MustOpen(tb testing.TB) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), NewDatabase(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(db.Close)
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

// MustPublish stores a listing of na on channel with photos (tokens, as
// the flows keep them), by a seller of its own, and returns it.
func MustPublish(tb testing.TB, db *postgres.DB, channel flows.Channel, photos ...string) *flows.Listing {
	tb.Helper()
	ctx := context.Background()
	seller := &flows.Seller{Name: "Mai", Commune: "xã Hữu Kiên"}
	if err := db.SaveSeller(ctx, seller); err != nil {
		tb.Fatal(err)
	}
	l, err := db.CreateListing(ctx, &flows.Listing{SellerID: seller.ID, Channel: channel, Product: "Na", Photos: photos,
		Quantity: vn.Quantity{Milli: 50_000, Unit: vn.UnitKg}, Price: vn.Price{VND: 25_000, Per: vn.UnitKg},
		PriceTyped: "25k", Ready: time.Now()}, string(channel)+":"+flows.NewPhotoID(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}
