package telegramtest

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Telegram's flood limits, as the fake enforces them once SetLimits is
// called: a steady rate overall and per group, like a token bucket with a
// little room for jitter (Telegram is not exact either). A call over the
// rate is answered 429 "Too Many Requests: retry after N" with
// parameters.retry_after, and nothing is sent.
type limits struct {
	perSecond, perGroupPerMinute int
	next                         time.Time           // GCRA: when the next call is due overall
	groups                       map[int64]time.Time // and per group
}

// Tolerances: how early a call may come before its time. Overall, half a
// second's worth of messages; in a group, half a gap (1.5 s at 20/min).
const overallTolerance = 500 * time.Millisecond

// SetLimits has the server enforce Telegram's limits on the messages the
// bot sends and edits: perSecond in all (0: none), perGroupPerMinute to one
// group (negative chat id; 0: none).
func (s *Server) SetLimits(perSecond, perGroupPerMinute int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = limits{perSecond: perSecond, perGroupPerMinute: perGroupPerMinute, groups: map[int64]time.Time{}}
}

// limited methods send or change a message: the flood limits count them.
var limited = map[string]bool{"sendmessage": true, "sendphoto": true, "sendmediagroup": true, "senddocument": true,
	"editmessagetext": true, "editmessagecaption": true, "editmessagemedia": true, "editmessagereplymarkup": true}

// rateLocked answers 429 to a call over the limits, and counts it
// otherwise.
func (s *Server) rateLocked(req *request, now time.Time) *apiError {
	l := &s.limits
	if !limited[strings.ToLower(req.method)] || l.perSecond <= 0 && l.perGroupPerMinute <= 0 {
		return nil
	}
	chatID, _ := strconv.ParseInt(req.params["chat_id"], 10, 64)
	var wait time.Duration
	if l.perSecond > 0 {
		wait = max(wait, due(l.next, now, overallTolerance))
	}
	gap := time.Duration(0)
	if l.perGroupPerMinute > 0 && chatID < 0 {
		gap = time.Minute / time.Duration(l.perGroupPerMinute)
		wait = max(wait, due(l.groups[chatID], now, gap/2))
	}
	if wait > 0 {
		after := int(math.Ceil(wait.Seconds()))
		return &apiError{code: http.StatusTooManyRequests, desc: "Too Many Requests: retry after " + strconv.Itoa(after),
			params: &respParams{RetryAfter: after}}
	}
	if l.perSecond > 0 {
		l.next = later(l.next, now).Add(time.Second / time.Duration(l.perSecond))
	}
	if gap > 0 {
		l.groups[chatID] = later(l.groups[chatID], now).Add(gap)
	}
	return nil
}

// due is how long a call at now comes too early for a schedule whose next
// call is at next, tolerance allowed.
func due(next, now time.Time, tolerance time.Duration) time.Duration {
	return max(next.Add(-tolerance).Sub(now), 0)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Hold keeps every later call of method unanswered until Release: requests
// in flight, as when the bot is killed in the middle of one. Telegram acts
// on a request it received whether or not the client waits for the
// answer, so a held call is carried out on Release even if its client is
// gone.
func (s *Server) Hold(method string) { s.holds.Hold(method) }

// HoldNext keeps the next n calls of method unanswered until Release, as
// Hold does; later calls are answered (a request in flight while others
// go on).
func (s *Server) HoldNext(method string, n int) { s.holds.HoldNext(method, n) }

// Release answers the held calls and stops holding.
func (s *Server) Release() { s.holds.Release() }

// Holding is how many calls are held now.
func (s *Server) Holding() int { return s.holds.Holding() }

// WaitHolding waits until n calls are held; it fails the test after the
// server's wait timeout.
func (s *Server) WaitHolding(tb testing.TB, n int) {
	tb.Helper()
	s.holds.WaitHolding(tb, "telegramtest", n, s.waitTimeout)
}

// Delivered is how many messages the bot got through to a chat: successful
// calls of sendMessage, sendPhoto, sendMediaGroup (an album is one) and
// sendDocument.
func (s *Server) Delivered(chatID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, chat := 0, strconv.FormatInt(chatID, 10)
	for _, c := range s.calls {
		if c.ChatID == chat && c.Status == http.StatusOK && strings.HasPrefix(c.Method, "send") && c.Method != "sendChatAction" {
			n++
		}
	}
	return n
}

// RateLimited is how many calls were answered 429.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Status == http.StatusTooManyRequests {
			n++
		}
	}
	return n
}

// Pinned is the message pinned in a chat, 0 for none.
func (s *Server) Pinned(chatID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs := s.chats[chatID]; cs != nil {
		return cs.pinned
	}
	return 0
}

// pinChatMessage pins a message of a group where the bot is an admin
// (SetMemberStatus(chat, bot id, "administrator")).
func (s *Server) pinChatMessage(req *request) (any, *apiError) {
	p := req.params
	chatID, e := s.writableChatLocked(p)
	if e != nil {
		return nil, e
	}
	id, _ := strconv.Atoi(p["message_id"])
	if s.messageLocked(chatID, id) == nil {
		return nil, badRequest("message to pin not found")
	}
	if status := s.members[memberKey{chatID, s.botID}]; chatID < 0 && status != "administrator" && status != "creator" {
		return nil, badRequest("not enough rights to manage pinned messages in the chat")
	}
	s.chats[chatID].pinned = id
	return true, nil
}
