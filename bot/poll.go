package bot

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"time"
)

// PollHandler hands the updates that long polling fetches from ch to
// Receive, as a webhook would, and tells the poller whether to go on
// (true) or to hand the update again (false). Only a failure is worth
// another try: an update the bot cannot read (4xx) would be refused again
// for ever. A webhook's platform stops retrying an update that keeps
// failing; a poller would hand it again for ever, every later update
// waiting behind it. So an update that fails maxAttempts times in a row
// while PostgreSQL and Redis answer (a panic, a store refusing it) is given
// up as the engine gives up on a failing step (Engine.Abandon): its user
// gets the apology and the chat starts over. In an outage it waits, as
// long as the outage lasts. The poller calls it from one goroutine.
func (s *Server) PollHandler(ctx context.Context, ch Channel) func(body []byte) bool {
	var failed [sha256.Size]byte // the update that failed last, fails times in a row
	fails := 0
	return func(body []byte) bool {
		status, cause := s.receivePolled(ctx, ch, body)
		switch {
		case status < http.StatusInternalServerError:
			if status >= http.StatusBadRequest {
				s.Log.Warn().Int("status", status).Str("channel", string(ch.Name())).Msg("polled update refused, skipped")
			}
			fails = 0
			return true
		case s.Ready != nil && s.Ready(ctx) != nil:
			return false // an outage, not this update's fault
		}
		if sum := sha256.Sum256(body); sum != failed {
			failed, fails = sum, 0
		}
		if fails++; fails < maxAttempts {
			return false
		}
		fails = 0
		s.abandon(ctx, ch, body, cause)
		return true
	}
}

// receivePolled is Receive, a panic included: its status is then 500.
func (s *Server) receivePolled(ctx context.Context, ch Channel, body []byte) (status int, cause error) {
	defer func() {
		if v := recover(); v != nil {
			s.Log.Error().Interface("panic", v).Str("channel", string(ch.Name())).Msg("polled update panicked")
			status, cause = http.StatusInternalServerError, fmt.Errorf("panicked: %v", v)
		}
	}()
	status = s.Receive(ctx, ch, body)
	return status, fmt.Errorf("handling answered %d", status)
}

// abandon gives a polled update up: its chat is told and starts over when
// the update can be read, else the update is only skipped.
func (s *Server) abandon(ctx context.Context, ch Channel, body []byte, cause error) {
	err := func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("panicked: %v", v)
			}
		}()
		in, ok, err := ch.Parse(body)
		if err != nil || !ok {
			return err
		}
		normalize(&in)
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handleBudget)
		defer cancel()
		return s.Engine.Abandon(ctx, in, cause)
	}()
	if err != nil {
		s.Log.Error().Err(err).AnErr("cause", cause).Str("channel", string(ch.Name())).
			Msg("polled update skipped after failing; its chat could not be told")
	}
}

// Pause waits d, or until ctx ends: a poller's wait between two tries.
func Pause(ctx context.Context, d time.Duration) { _ = sleep(ctx, d) }
