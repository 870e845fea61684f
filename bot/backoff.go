package bot

import "time"

// backoff is how long a sender waits after its nth failed send in a row:
// soon at first, then less often, never longer than max, jittered so that
// senders held by one outage do not all come back at once. The engine's
// outboxes and the broadcasts' targets back off alike.
type backoff struct{ min, max time.Duration }

// wait is how long to wait after the nth failed send in a row.
func (b backoff) wait(n int) time.Duration {
	return jitter(min(b.min<<min(n, 20), b.max))
}

// steps is how many failed sends in a row take the wait to max.
func (b backoff) steps() int {
	n := 0
	for n < 20 && b.min<<n < b.max {
		n++
	}
	return n
}

// unsaid is the wait after a 429 that did not say for how long (Zalo's
// quota, per second or per day), fails being the failures in a row before
// it: backed off as after a failed send, least at the least, and counted
// only while the backoff grows, so that a long quota brings no later
// failure closer to being given up. It returns the failures counted.
func (b backoff) unsaid(fails int, least time.Duration) (int, time.Duration) {
	n := max(fails, min(fails+1, b.steps()))
	return n, max(least, b.wait(n))
}
