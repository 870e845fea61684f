package redis

// SetHot replaces the client of s's update path, for tests that make it
// misbehave as a real client can.
func SetHot(s *Store, hot hotClient) { s.hot = hot }
