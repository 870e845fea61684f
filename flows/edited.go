package flows

import (
	"slices"
	"strings"
)

// keepEdited is how many edited messages a chat remembers having answered.
const keepEdited = 8

// edited answers a message changed after it was sent (Telegram tells the
// bot of edits): what it said first was read then, and is not read again,
// since the question on screen may already be a later one. The farmer is
// told once per message how to change that answer now: ✏️ Sửa at a
// summary, "quay lại" at another question, a new message otherwise. The
// conversation is left as it was.
func (r *Router) edited(c *Conv, sess *Session) Result {
	var s Session
	if sess != nil {
		s = *sess
	}
	if slices.Contains(s.Edited, c.In.MessageID) {
		return Result{Session: sess} // told at its first edit
	}
	live := s.Active() && c.Now.Sub(s.Updated) <= r.TTL
	switch {
	case live && atSummary(&s):
		c.Say(M("edited.summary"))
	case live:
		c.Say(M("edited.step"))
	default:
		c.Say(M("edited.idle"))
	}
	s.Edited = append(slices.Clone(s.Edited), c.In.MessageID)
	if len(s.Edited) > keepEdited {
		s.Edited = s.Edited[len(s.Edited)-keepEdited:]
	}
	return Result{Session: &s, Replies: c.replies}
}

// atSummary tells whether the question on screen is a summary: it offers
// ✏️ Sửa ("edit", stamped "edit:<stamp>").
func atSummary(s *Session) bool {
	for _, o := range s.Offered {
		if o.Value == "edit" || strings.HasPrefix(o.Value, "edit:") {
			return true
		}
	}
	return false
}
