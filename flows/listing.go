package flows

import (
	"context"
	"errors"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vietqr"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Seller is a farmer who sells: registered by themselves (UserID set) or by
// a helper for a farmer without a smartphone (UserID zero, CreatedBy set).
type Seller struct {
	ID          int64
	UserID      int64
	Name        string
	Phone       string // E.164
	Commune     string // as typed
	Area        string // an area tag from Areas, "" for other provinces
	GrowingCode string // mã số vùng trồng, optional
	Bank        *BankAccount
	CreatedBy   int64 // the helper who registered the farmer
	// Slug names the farmer's public store page, /cua-hang/{slug}; given
	// by the store when the seller is first saved, and never changed.
	Slug string `json:"slug,omitempty"`
	// PhoneVerified: the user shared their own contact, so the number is
	// theirs and may claim a profile a helper made for them.
	PhoneVerified bool `json:"phone_verified,omitempty"`
}

// BankAccount is where buyers pay the seller.
type BankAccount struct {
	BIN     string `json:"bin"`
	Bank    string `json:"bank"` // short name, e.g. "Vietcombank"
	Account string `json:"account"`
	Holder  string `json:"holder"`
}

// Areas are Lạng Sơn's old district names, by which its produce is known;
// each has a label "area.<tag>" in locales. Listings and market groups are
// routed by them.
var Areas = []string{"chi_lang", "bac_son", "cao_loc", "van_lang", "trang_dinh", "binh_gia",
	"van_quan", "huu_lung", "loc_binh", "dinh_lap", "tp_lang_son"}

// Listing statuses.
const (
	Active  = "active"
	SoldOut = "sold_out"
	Closed  = "closed"
	Removed = "removed" // taken down by a moderator
	Expired = "expired"
)

// Answers tells whether userID answers for l, its orders and changes:
// its farmer, or the helper who posted it for a farmer without an account
// of her own. Once the farmer claims her profile, what was posted for her
// is hers alone: the helper no longer sees its orders (nor the buyers'
// details) nor changes it.
func (l *Listing) Answers(userID int64) bool {
	return userID != 0 && (l.Seller.UserID == userID || l.Seller.UserID == 0 && l.HelperID == userID)
}

// PostedFor tells whether userID is the helper who posted l for a farmer
// who has since claimed her profile: she is told the farmer answers now.
func (l *Listing) PostedFor(userID int64) bool {
	return userID != 0 && l.HelperID == userID && l.Seller.UserID != 0 && l.Seller.UserID != userID
}

// Listing is a harvest offered for sale.
type Listing struct {
	ID         int64
	Code       string // NS-7K2Q, typed by buyers
	SellerID   int64
	HelperID   int64 // the helper who posted it, if any
	Channel    Channel
	ProductKey string // catalog key, "" for free text
	Product    string
	Photos     []string // PhotoRef tokens
	Quantity   vn.Quantity
	Remaining  int64 // milli-units left
	Price      vn.Price
	PriceTyped string // the farmer's words, echoed back
	Ready      time.Time
	Note       string
	Status     string
	SoldOutBy  string // "orders" or "farmer", when sold out
	MinOrder   int64  // the smallest order in milli-units, 0 for any
	ExpiresAt  time.Time
	UpdatedAt  time.Time // changes are refused if it moved meanwhile
	Seller     Seller    // for display
}

// MarketGroup is a group registered as a market.
type MarketGroup struct {
	Ref   ChatRef
	Title string
	Areas []string // area tags; none takes every area
}

// Post is a listing's post in one group.
type Post struct {
	ListingID  int64
	Group      ChatRef
	MessageIDs []string // the photo or album
	ButtonsID  string   // the message with the order button (albums cannot carry one)
	Link       string
	Title      string // the group's
	// Hidden: the group's admin took the listing down there (the post says
	// so); nothing more of it is sent there.
	Hidden bool
	// HiddenSource is the update that took it down there: run again, that
	// update finds the post as it left it.
	HiddenSource string
}

// ErrNotFound means there is no such record.
var ErrNotFound = errors.New("not found")

// ErrBadState means a conversation's stored state cannot be used: it does
// not decode, or names a flow or step that no longer exists. The engine
// resets the chat and tells the user, rather than fail on every update.
var ErrBadState = errors.New("unusable conversation state")

// ErrPhoneTaken means another seller has the phone number.
var ErrPhoneTaken = errors.New("phone number taken")

// Sellers stores farmers' profiles.
type Sellers interface {
	SellerOf(ctx context.Context, userID int64) (*Seller, error) // ErrNotFound if unregistered
	SellerByPhone(ctx context.Context, phone string) (*Seller, error)
	// SaveSeller creates or updates by ID (sets ID), with the notices that
	// report the change; ErrStale for a profile that is another user's.
	SaveSeller(ctx context.Context, s *Seller, notices ...Reply) error
	// PhoneTaken tells whether SaveSeller would refuse s with ErrPhoneTaken.
	PhoneTaken(ctx context.Context, s *Seller) (bool, error)
	// SaveHelped saves the name, address, growing-area code and bank
	// account of a farmer's profile that helper registered and that no
	// user holds, with the notices that report the change; ErrStale for
	// any other profile.
	SaveHelped(ctx context.Context, s *Seller, helper int64, notices ...Reply) error
	// HelpedFarmers lists the page q asks of the farmers helper registered
	// who have not claimed their profile, the last registered first (ID,
	// Name, Phone, Commune, Area).
	HelpedFarmers(ctx context.Context, helper int64, q PeopleQuery) ([]Seller, PeopleFound, error)
	// HelpedFarmer is one of them, whole; ErrNotFound for any other.
	HelpedFarmer(ctx context.Context, helper, sellerID int64) (*Seller, error)
}

// Listings stores listings and their group posts. Where a method takes
// notices, they are the replies the change reports, queued for sending in
// the same transaction (see Notice): committed together or not at all.
type Listings interface {
	// CreateListing stores l with a fresh code. The same source (update) never
	// creates two listings: a retried update gets the first one back. posts
	// (nil: none) builds the listing's group posts from the listing as it
	// is stored; each group they address gets a pending post, and they are
	// queued with the listing. l.ID, when set, is the id reserved for it
	// (PostingOf.Reserve).
	CreateListing(ctx context.Context, l *Listing, source string, posts func(*Listing) []Reply) (*Listing, error)
	Listing(ctx context.Context, id int64) (*Listing, error)
	// ListingsOf lists the user's listings, own and helped: those up
	// first (on sale, then sold out), then those ended lately.
	ListingsOf(ctx context.Context, userID int64) ([]*Listing, error)
	// OnSale lists a seller's listings on sale or sold out, whoever
	// posted them: those whose posts show her profile.
	OnSale(ctx context.Context, sellerID int64) ([]*Listing, error)
	UpdateListing(ctx context.Context, l *Listing, notices ...Reply) error
	// RemoveListing is a moderator's take-down of l, made by source, with
	// its notices, unless l changed since it was read or was taken down
	// already (ErrStale); run again by that source, nil, and nothing is
	// changed or queued again.
	RemoveListing(ctx context.Context, l *Listing, source string, notices ...Reply) error
	// SavePost records where a pending post landed, with its notices;
	// hidden, the group took the listing down meanwhile: the post is
	// recorded, the notices are not queued.
	SavePost(ctx context.Context, p Post, notices ...Reply) (hidden bool, err error)
	// Posts lists where a listing was posted, hidden posts too.
	Posts(ctx context.Context, listingID int64) ([]Post, error)
	// HidePosts takes a listing down in the groups of posts, as read, for
	// the user by, with the notices that reports (the edits of the posts
	// sent): every one of them not hidden yet, and none sent since it was
	// read (its edit would be missing), else ErrStale and nothing changes.
	// Run again by the source that hid them, nil, and nothing is changed
	// or queued again.
	HidePosts(ctx context.Context, listingID int64, posts []Post, by int64, source string, notices ...Reply) error
	// Expiring lists the listings on sale or sold out past their expiry
	// at now, and the active ones not past it expiring by askBy whose seller was not asked about
	// renewing yet (none when askBy is zero).
	Expiring(ctx context.Context, now, askBy time.Time) (expired, ask []*Listing, err error)
	// AskedRenew marks a listing's seller asked about renewing, at, unless
	// they were already, or it ended or its expiry is no longer expires
	// (renewed since it was read): then ErrStale.
	AskedRenew(ctx context.Context, id int64, expires, at time.Time, notices ...Reply) error
	// RenewAskedLast lists a user's listings (as seller, or the helper who
	// posted them) on sale whose renewal question is unanswered and came
	// after every pending order's notice or reminder (the mirror of
	// Orders.LastAsked), every listing the user published since and
	// after, when she began or ended a task then (Session.TaskAt), the
	// latest asked first: what a bare "có" or "không" answers.
	RenewAskedLast(ctx context.Context, userID int64, after time.Time) ([]*Listing, error)
	// ListingsSince counts a farmer's listings created since, a helper's
	// included, leaving out the one published by source.
	ListingsSince(ctx context.Context, sellerID int64, since time.Time, source string) (int, error)
	// Posting reads what PostingOf asks in one round trip: the sell flow
	// decides on it as it starts and as it publishes. ErrNotFound: no
	// such user.
	Posting(ctx context.Context, q PostingOf) (Posting, error)
}

// PostingOf asks Listings.Posting what a user may post, and as asked:
type PostingOf struct {
	User   int64
	Seller int64 // the seller posted for; 0: the user's own profile, read into Posting.Seller
	// Since, unless zero: the seller's listings created since are counted
	// (ListingsSince), leaving out the one published by Source.
	Since  time.Time
	Source string
	// Markets: the market groups, on every channel, that take Area's
	// listings are read (a listing reaches buyers wherever they are).
	Markets bool
	Area    string
	// Reserve: an id is drawn for the listing about to be published
	// (Posting.ListingID), so that CreateListing stores it with its posts,
	// which name it, in one round trip.
	Reserve bool
}

// Posting is what Listings.Posting read.
type Posting struct {
	Poster
	Seller *Seller // the user's own profile (PostingOf.Seller 0); nil: none yet
	Listed int     // the seller's listings since PostingOf.Since
	Groups []MarketGroup
	// SellerBanned: the seller posted for (PostingOf.Seller), not the
	// user's own, is banned, for SellerReason. The user's own profile
	// banned is Poster.Banned.
	SellerBanned bool
	SellerReason string
	ListingID    int64 // the id reserved (PostingOf.Reserve), for Listing.ID
}

// Markets stores market groups.
type Markets interface {
	RegisterMarket(ctx context.Context, g MarketGroup, by int64) error
	// UnregisterMarket stops a group being a market (ErrNotFound: it was
	// not one).
	UnregisterMarket(ctx context.Context, group ChatRef) error
	// AllMarkets lists every active market group, on every channel, with
	// its areas: what a broadcast picks its targets from.
	AllMarkets(ctx context.Context) ([]MarketGroup, error)
}

// Chats of users, for messages the bot starts (a renewal question).
type UserChats interface {
	// ChatOf returns a user's private chat and language.
	ChatOf(ctx context.Context, userID int64) (ChatRef, string, error)
}

// Roles tells who may do what beyond selling and buying.
type Roles interface {
	IsModerator(ctx context.Context, userID int64) (bool, error)
	// IsHelper tells whether a user may post for farmers: a helper or a
	// moderator.
	IsHelper(ctx context.Context, userID int64) (bool, error)
	// Ban stops who posting, with the reason; notices are queued in the
	// same transaction. ErrStale: who may not post already (Banned). Run
	// again by the source that banned, nil, and nothing is changed or
	// queued again.
	Ban(ctx context.Context, who BanOf, by int64, reason, source string, notices ...Reply) error
	// Unban lifts the ban of b.Who, for source, with notices, and returns
	// b (ErrStale: there was none). Run again by the source that lifted
	// it, it changes nothing and returns b's Name and Account as then.
	Unban(ctx context.Context, b Banned, source string, notices ...Reply) (Banned, error)
	// Banned tells whether who may not post, and why: a user whose own
	// seller profile is banned is, and a profile whose owner is.
	Banned(ctx context.Context, who BanOf) (reason string, banned bool, err error)
	// BannedUsers lists the page q asks of the bans, longest first.
	BannedUsers(ctx context.Context, q PeopleQuery) ([]Banned, PeopleFound, error)
	// BanDetails is the ban of who (ErrNotFound: none).
	BanDetails(ctx context.Context, who BanOf) (Banned, error)
	// NameOf is the name a moderator knows a user by: their seller name,
	// else the one their chat shows.
	NameOf(ctx context.Context, userID int64) (string, error)
}

// BanOf names whom a ban stops posting: a user (whatever they post, for
// themselves or, as a helper, for others), or a farmer's seller profile
// (Seller, User 0), which no helper may post for, nor the farmer once
// they take the profile over.
type BanOf struct {
	User   int64
	Seller int64
}

// Poster is what a user may post.
type Poster struct {
	// Helper: a helper or a moderator, who may post for farmers.
	Helper bool
	// Banned: may not post at all, for Reason.
	Banned bool
	Reason string
}

// Banned is someone who may not post listings.
type Banned struct {
	Who    BanOf
	Name   string
	Phone  string // E.164, to be found by (never shown); "" if none given
	Reason string
	// Account is the user told when the ban is lifted: the banned user,
	// or the banned profile's owner; 0: nobody.
	Account int64
}

// Catalogs are the data the flows read: products and banks.
type Catalogs struct {
	Products *vn.Catalog
	Banks    []vietqr.Bank
}
