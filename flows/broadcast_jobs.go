package flows

import (
	"slices"
	"strings"
	"time"
)

// BroadcastTarget is one group of a broadcast as a worker holds it: claimed
// until Claim, which also tells the worker's claim from a later one.
type BroadcastTarget struct {
	Broadcast Broadcast
	Group     MarketGroup
	Attempts  int // sends tried before this one
	Claim     time.Time
}

// Reasons a target did not get a broadcast, as the report names them.
const (
	MissGone    = "gone"    // the bot was removed, blocked, or the chat is gone: the group is deactivated
	MissRefused = "refused" // the platform refused this message for good
	MissFailed  = "failed"  // it kept failing, and was given up
	MissPartial = "partial" // part of it went (a photo without its text)
	MissUnsure  = "unsure"  // the request was on its way when the worker stopped: never sent again
	PinRefused  = "pin"     // sent, but the bot may not pin there: a BroadcastMiss of the report's pins
	// PinUnsupported is why, when the channel has no pinning at all
	// (Zalo): no admin rights would make it pin, and the report says so.
	PinUnsupported = "the channel cannot pin"
)

// BroadcastTally is where a broadcast stands, target by target.
type BroadcastTally struct {
	ID         int64
	Chat       ChatRef // the author's private chat
	Lang       string
	Status     string
	Pin        bool
	ProgressID string // the progress message; "" none yet (or being sent)
	Total      int
	Sent       int
	Failed     int
	Unsure     int
	Cancelled  int
	Pinned     int // sent and pinned
	PinFailed  int // sent, not pinned: the bot may not pin there
	NoPin      int // sent, not pinned: the channel cannot pin (PinUnsupported)
	Open       int // pending, claimed or sending
	NoPhoto    int // sent without its photo: the platform could not fetch it
}

// BroadcastMiss is a group that did not get a broadcast, or may not have.
type BroadcastMiss struct {
	Title  string
	Reason string // a Miss… constant
}

// BroadcastProgress is a broadcast's progress message, to its author, with
// the button that stops it while it runs.
func BroadcastProgress(t BroadcastTally) Reply {
	running := t.Status == BroadcastSending && t.Open > 0
	r := Reply{To: t.Chat, Lang: t.Lang, Text: M("broadcast_run.progress",
		"Sent", t.Sent, "Total", t.Total, "Failed", t.Failed+t.Unsure, "Running", running)}
	if running {
		r.Choices = [][]Choice{{StopChoice(t.ID)}}
	}
	return r
}

// BroadcastReport is what the author is told when a broadcast has ended:
// its progress message edited one last time (without its button), and the
// report: how many groups got it, which did not and why, the pins and the
// groups where pinning was refused (misses of reason PinRefused, by name).
func BroadcastReport(texts Texts, t BroadcastTally, misses []BroadcastMiss) []Reply {
	var out []Reply
	if t.ProgressID != "" {
		p := BroadcastProgress(t)
		p.Choices, p.Edit = nil, &Edit{MessageID: t.ProgressID}
		out = append(out, p)
	}
	var lines, unpinned []string
	for _, m := range misses {
		if m.Reason == PinRefused {
			unpinned = append(unpinned, texts.Text(t.Lang, M("broadcast_run.unpinned", "Title", m.Title)))
			continue
		}
		if !slices.Contains([]string{MissGone, MissRefused, MissFailed, MissPartial, MissUnsure}, m.Reason) {
			m.Reason = MissFailed
		}
		reason := texts.Text(t.Lang, M("broadcast_run.reason_"+m.Reason))
		lines = append(lines, texts.Text(t.Lang, M("broadcast_run.miss", "Title", m.Title, "Reason", reason)))
	}
	pins := ""
	if t.Pin && t.Pinned+t.PinFailed+t.NoPin > 0 {
		pins = texts.Text(t.Lang, M("broadcast_run.pins", "Pinned", t.Pinned, "NotPinned", t.PinFailed, "NoPin", t.NoPin,
			"Unpinned", strings.Join(unpinned, "\n"), "More", max(0, t.PinFailed-len(unpinned))))
	}
	id := "broadcast_run.report_done"
	if t.Status == BroadcastCancelled {
		id = "broadcast_run.report_stopped"
	}
	text := M(id, "Sent", t.Sent, "Total", t.Total, "Cancelled", t.Cancelled, "Pins", pins,
		"NoPhoto", t.NoPhoto, "Misses", strings.Join(lines, "\n"), "More", t.Failed+t.Unsure-len(lines))
	return append(out, Reply{To: t.Chat, Lang: t.Lang, Text: text})
}
