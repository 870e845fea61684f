package flows

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
)

// PhotoRef is a photo as the flows keep it (drafts, listings, replies):
// where it came from and how to show it on any channel, without a lookup.
// Stored as a token "<id>:<channel>:<ref>" (String, ParsePhotoRef).
type PhotoRef struct {
	// ID is public and unguessable (NewPhotoID): a published photo is
	// served at /media/<ID> to channels other than its own.
	ID      string
	Channel Channel // the channel that keeps the original
	Ref     string  // the original there: a Telegram file_id, a Zalo image URL
}

// photoIDLen is the length of a photo id: 128 random bits in hex.
const photoIDLen = 32

// NewPhotoID draws a photo id: 128 random bits, so that nobody can guess
// the address of a photo they were not shown.
func NewPhotoID() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// ValidPhotoID tells whether id has the form NewPhotoID gives (checked
// before an id from a URL goes anywhere near a file name or a query).
func ValidPhotoID(id string) bool {
	if len(id) != photoIDLen {
		return false
	}
	for _, c := range []byte(id) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// String is the token the flows store.
func (p PhotoRef) String() string { return p.ID + ":" + string(p.Channel) + ":" + p.Ref }

// ErrBadPhoto is a stored photo token that cannot be read.
var ErrBadPhoto = errors.New("bad photo token")

// ParsePhotoRef reads a token made by String. A value without the prefix
// is a Telegram file_id kept before photos had ids (file_ids hold no ':').
// A photo without an ID (those, or one received outside the server, in
// tests) has no public address: it is shown on its own channel only.
func ParsePhotoRef(s string) (PhotoRef, error) {
	if s == "" {
		return PhotoRef{}, ErrBadPhoto
	}
	if !strings.Contains(s, ":") {
		return PhotoRef{Channel: Telegram, Ref: s}, nil
	}
	id, rest, _ := strings.Cut(s, ":")
	channel, ref, ok := strings.Cut(rest, ":") // the ref may hold ':' (a URL)
	if !ok || (id != "" && !ValidPhotoID(id)) || !validChannel(channel) || ref == "" {
		return PhotoRef{}, ErrBadPhoto
	}
	return PhotoRef{ID: id, Channel: Channel(channel), Ref: ref}, nil
}

// validChannel: channel names are short lower-case words.
func validChannel(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// KeptPhoto is a published listing's photo, as /media serves it.
type KeptPhoto struct {
	PhotoRef
	Listing int64
	Data    []byte // the kept copy, nil until fetched
	Type    string // its content type
}
