// Package flows is the centre of Nông Sản Bot: the neutral types every channel
// speaks (Input, Reply), the users and sessions they act on, and the
// conversations themselves as tables of typed steps. It makes no platform
// calls and runs no SQL or Redis commands; those sit behind the interfaces
// declared here.
package flows

import (
	"context"
	"time"
)

// Channel names a chat platform.
type Channel string

const (
	Telegram Channel = "telegram"
	Zalo     Channel = "zalo"
	Web      Channel = "web"
)

// ChatType tells a private chat from a group.
type ChatType string

const (
	Private ChatType = "private"
	Group   ChatType = "group"
)

// InputKind says what the user did.
type InputKind string

const (
	KindText    InputKind = "text"    // typed text (commands included, see Input.Command)
	KindChoice  InputKind = "choice"  // a button pressed; Input.Text holds its value
	KindPhoto   InputKind = "photo"   // a photo, maybe with a caption and an album id
	KindContact InputKind = "contact" // a shared phone contact
	KindSticker InputKind = "sticker" // stickers, voice notes, files: nothing a step reads
	KindVoice   InputKind = "voice"   //
	KindVideo   InputKind = "video"   //
	KindFile    InputKind = "file"    // an image sent as a file that cannot be taken as a photo: too big (Photo.Size) or of too many pixels, or of a type no photo is sent as
	KindOther   InputKind = "other"   //
	// KindProtected: the platform withholds what was sent, whatever it
	// was, because the sender's account is protected (Zalo's
	// message.unsupported.received, for children and people who cannot
	// read among others). Every message of such an account comes so.
	KindProtected InputKind = "protected"
	KindJoined    InputKind = "joined"   // the bot was added to a group
	KindLeft      InputKind = "left"     // the bot was removed from a group
	KindMigrated  InputKind = "migrated" // a group became a supergroup: Arg is its new id
	KindReaction  InputKind = "reaction" // reactions and the like: acknowledged, no reply
	KindEdited    InputKind = "edited"   // a message changed after it was sent: Text is the new one, MessageID names it
)

// Input is one update from one user, in channel-neutral form.
type Input struct {
	Channel   Channel
	UpdateID  string // unique per channel; duplicates are dropped
	ChatID    string
	ChatType  ChatType
	ChatTitle string
	UserID    string
	UserName  string // the platform's display name, offered as a default
	Lang      string // the platform's language code, if any
	MessageID string // the message pressed (choices) or sent (others)
	AckID     string // what to acknowledge to the platform (a button press)
	Admin     bool   // in a group: the sender administers it (set for commands only)
	// NoAdmins: in a group of a platform that cannot tell who administers
	// it (Zalo has no such API). Admin is then only what the update said,
	// and otherwise only moderators run group commands.
	NoAdmins bool
	ReplyTo  string // the message this one answers, if any
	// RepliesToBot: in a group, a reply to one of the bot's messages
	// whose platform does not say which (Zalo): ReplyTo is then "".
	RepliesToBot bool
	// NewGroup: in a group, the first update of it the bot commits, no
	// event having said it was added (Zalo sends none): the group is
	// greeted as when the bot joins (Router.SeeGroup).
	NewGroup bool

	Kind     InputKind
	Text     string // NFC-normalised text, caption or choice value
	Command  string // "start" for "/start abc", lower case, without the bot name
	Arg      string // "abc" for "/start abc"
	Photo    *Photo
	Phone    string // a shared contact's number as the platform gave it
	PhoneOwn bool   // the contact shared is the sender's own
	At       time.Time
}

// Photo is a photo the platform keeps for us.
type Photo struct {
	FileID       string // the platform's reference: a Telegram file_id, a Zalo image URL
	MediaGroupID string // photos of one album share it
	Size         int64  // bytes, where the platform says (a photo sent as a file)
	// Pixels: a photo sent as a file of more pixels than the bot makes
	// copies of, as its header says (bot.Server); 0 otherwise.
	Pixels int
	// ID and Channel are given when the photo is received (bot.Server),
	// never by an adapter: ID is its public, unguessable name.
	ID      string
	Channel Channel
}

// Ref is the photo as the flows keep it.
func (p Photo) Ref() PhotoRef { return PhotoRef{ID: p.ID, Channel: p.Channel, Ref: p.FileID} }

// ChatKey identifies a chat across channels.
func (in Input) ChatKey() ChatRef { return ChatRef{Channel: in.Channel, ChatID: in.ChatID} }

// ChatRef addresses a chat on a channel.
type ChatRef struct {
	Channel Channel
	ChatID  string
}

// User is a person known to the bot, as one channel's account sees it.
type User struct {
	// ID is the person: an account linked to another has that one's ID
	// (see Links); Channel, PlatformID and Name stay the account's own.
	ID         int64
	Channel    Channel
	PlatformID string
	Name       string
	Lang       string // saved choice; empty until the user picks one
	Created    bool   // true on the user's first update
	// Linked: the account acts as another (ID is that one's). The engine
	// reads such a user afresh at every update, so that a link undone
	// (/bonoi) holds from the account's next message.
	Linked bool
}

// Users stores user profiles.
type Users interface {
	// Touch returns the user of the input, creating it on first sight;
	// a linked account gets the ID of the account it acts as.
	Touch(ctx context.Context, in Input) (*User, error)
	SetLang(ctx context.Context, userID int64, lang string) error
}

// GreetWithin is how long after a group is first heard from (Zalo) its
// greeting may still come, with the first of its updates the bot gets
// through: well within the time a chat's state is kept.
const GreetWithin = 24 * time.Hour

// Chats records the groups the bot is in.
type Chats interface {
	// SaveGroup records that the bot is (active) or is no longer in a group.
	SaveGroup(ctx context.Context, ref ChatRef, title string, active bool) error
	// SeeGroup records a group the bot hears from without having been
	// told it was added (Zalo sends no such event), and tells whether it
	// is new: first heard from within GreetWithin. The engine greets it
	// with the first update of the group it commits (the greeting in the
	// same commit as that update's outbox), so that an update that failed
	// after the group was recorded does not lose the greeting.
	SeeGroup(ctx context.Context, ref ChatRef, title string) (bool, error)
	// MoveGroup follows a group that became a supergroup with a new id:
	// its market registration and its listing posts move along.
	MoveGroup(ctx context.Context, from, to ChatRef) error
	// GroupGone records that a send to ref said the bot is no longer
	// there (removed, the group deleted), where the platform sends no
	// event of it (Zalo): the group gets no more posts. A private chat is
	// left alone.
	GroupGone(ctx context.Context, ref ChatRef) error
}
