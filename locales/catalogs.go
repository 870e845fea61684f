package locales

import (
	"embed"
	"fmt"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vietqr"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

//go:embed products.toml banks.toml
var catalogs embed.FS

// Catalogs loads the product catalog and the list of banks.
func Catalogs() (flows.Catalogs, error) {
	products, err := catalogs.ReadFile("products.toml")
	if err != nil {
		return flows.Catalogs{}, err
	}
	banks, err := catalogs.ReadFile("banks.toml")
	if err != nil {
		return flows.Catalogs{}, err
	}
	c := flows.Catalogs{}
	if c.Products, err = vn.ParseCatalog(products); err != nil {
		return c, fmt.Errorf("products.toml: %w", err)
	}
	if c.Banks, err = vietqr.ParseBanks(banks); err != nil {
		return c, fmt.Errorf("banks.toml: %w", err)
	}
	return c, nil
}
