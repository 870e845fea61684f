package postgres

import (
	"context"

	"github.com/pressly/goose/v3"
)

// MigrateTo applies the migrations up to version, for tests of a migration
// on the data before it.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	return db.migrations(func(p *goose.Provider) error {
		_, err := p.UpTo(ctx, version)
		return err
	})
}

// Apply applies one migration, out of order if need be.
func (db *DB) Apply(ctx context.Context, version int64) error {
	return db.migrations(func(p *goose.Provider) error {
		_, err := p.ApplyVersion(ctx, version, true)
		return err
	})
}

// DueReminders is DueOrders' query of the orders to remind, for a test of
// its plan.
const DueReminders = selectOrders + dueReminders

// ToldKept is how long a held notice told already is kept.
const ToldKept = toldKept
