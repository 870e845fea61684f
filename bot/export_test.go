package bot

// Loading is how many requests are in Media.load: fetching, or waiting for
// the one that fetches.
func (m *Media) Loading() int64 { return m.loading.Load() }
