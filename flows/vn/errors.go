package vn

import "errors"

// Sentinel errors of the parsers. They carry no user-facing text: the flows
// map each one to a localised message with an example of a good answer.
var (
	// ErrNoNumber: a quantity without any number ("tan roi", "Lang Son").
	ErrNoNumber = errors.New("vn: no number")
	// ErrUnknownUnit: a number followed by a word that is not a unit.
	ErrUnknownUnit = errors.New("vn: unknown unit")
	// ErrNoUnit: a bare number and no default unit to apply.
	ErrNoUnit = errors.New("vn: no unit")
	// ErrZero: a quantity of zero.
	ErrZero = errors.New("vn: zero quantity")
	// ErrNotQuantity: words around a quantity that could change its meaning.
	ErrNotQuantity = errors.New("vn: not a quantity")
	// ErrQuantityRange: a range ("5-6 ta") where one quantity is needed.
	ErrQuantityRange = errors.New("vn: quantity range")
	// ErrTooLarge: a number beyond what the bot handles (over 10^15).
	ErrTooLarge = errors.New("vn: number too large")

	// ErrNotPrice: the text is not a price.
	ErrNotPrice = errors.New("vn: not a price")
	// ErrPriceRange: a range ("35-40k") where one price is needed.
	ErrPriceRange = errors.New("vn: price range")
	// ErrFree: "mien phi", "0": a price of nothing, to confirm or ask again.
	ErrFree = errors.New("vn: free")

	// ErrNotDate: the text is not a date the bot understands.
	ErrNotDate = errors.New("vn: not a date")
	// ErrNoSuchDate: a well-formed date that does not exist (31/4, 30th of
	// a 29-day lunar month).
	ErrNoSuchDate = errors.New("vn: no such date")
	// ErrDatePast: a date before today (Asia/Ho_Chi_Minh).
	ErrDatePast = errors.New("vn: date in the past")
	// ErrDateFar: a date more than about a year ahead.
	ErrDateFar = errors.New("vn: date too far ahead")

	// ErrUnsure: the text writes one amount twice and the two disagree
	// ("2 tấn (200kg)", "25k (20.000đ)"). It comes WITH the first value
	// (ParseQuantity, ParsePrice): the flow confirms that value with the
	// usual Đúng rồi / Gõ lại rows rather than guess. The same amount written
	// twice ("2 tấn (2000kg)") is no error.
	ErrUnsure = errors.New("vn: two writings of an amount disagree")

	// ErrNotPhone: not a Vietnamese mobile number.
	ErrNotPhone = errors.New("vn: not a mobile phone number")
)
