package flows

// Notice is what a committed change reports: replies written to PostgreSQL
// in the same transaction as the change, so that a crash after the commit
// cannot lose them. A relay moves each notice into the outbox once.
type Notice struct {
	ID      int64
	Replies []Reply
}
