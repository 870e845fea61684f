package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// counters are the server-side figures read before and after the load.
type counters struct {
	redisCmds int64 // INFO commandstats: calls of every command, scripts' inner ones included
	sql       int64
	sqlSource string
	queries   map[string]int64 // calls by statement, with pg_stat_statements
}

// snapshot reads the counters of the run's Redis and database (zero where
// the run knows neither).
func snapshot(ctx context.Context, st *stack) (counters, error) {
	var c counters
	if st.redisURL != "" {
		opt, err := redis.ParseURL(st.redisURL)
		if err != nil {
			return c, fmt.Errorf("REDIS_URL: %w", err)
		}
		rdb := redis.NewClient(opt)
		defer rdb.Close()
		info, err := rdb.Info(ctx, "commandstats").Result()
		if err != nil {
			return c, fmt.Errorf("redis INFO commandstats: %w", err)
		}
		c.redisCmds = commandCalls(info)
	}
	if st.dbURL != "" {
		n, source, queries, err := sqlStatements(ctx, st.dbURL)
		if err != nil {
			return c, err
		}
		c.sql, c.sqlSource, c.queries = n, source, queries
	}
	return c, nil
}

// commandCalls sums calls= over INFO commandstats' lines.
func commandCalls(info string) int64 {
	var n int64
	for _, line := range strings.Split(info, "\n") {
		_, rest, ok := strings.Cut(line, "calls=")
		if !strings.HasPrefix(line, "cmdstat_") || !ok {
			continue
		}
		v, _, _ := strings.Cut(rest, ",")
		calls, _ := strconv.ParseInt(v, 10, 64)
		n += calls
	}
	return n
}

// sqlStatements counts the statements run in the database: exactly, from
// pg_stat_statements where the server preloads it (deploy/dev/services.sh
// configures it); otherwise the transactions pg_stat_database counts,
// which a statement outside a transaction is one of.
func sqlStatements(ctx context.Context, dbURL string) (int64, string, map[string]int64, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, "", nil, fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	var preloaded bool
	if err := conn.QueryRow(ctx, `SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'`).Scan(&preloaded); err != nil {
		return 0, "", nil, fmt.Errorf("read shared_preload_libraries: %w", err)
	}
	if preloaded {
		if queries, err := statementCalls(ctx, conn); err == nil {
			var n int64
			for _, calls := range queries {
				n += calls
			}
			return n, "pg_stat_statements", queries, nil
		}
	}
	var n int64
	err = conn.QueryRow(ctx, `SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()`).Scan(&n)
	if err != nil {
		return 0, "", nil, fmt.Errorf("read pg_stat_database: %w", err)
	}
	return n, "pg_stat_database transactions", nil, nil
}

// statementCalls reads pg_stat_statements' calls in the current database,
// by statement.
func statementCalls(ctx context.Context, conn *pgx.Conn) (map[string]int64, error) {
	if _, err := conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		return nil, err
	}
	rows, err := conn.Query(ctx, `SELECT query, calls FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for rows.Next() {
		var q string
		var calls int64
		if err := rows.Scan(&q, &calls); err != nil {
			return nil, err
		}
		out[strings.Join(strings.Fields(q), " ")] += calls
	}
	return out, rows.Err()
}

// sampler records the replicas' resident memory now and then.
type sampler struct {
	stopc chan struct{}
	done  chan []rssSample
}

type rssSample struct {
	At  float64 `json:"at_s"`
	MiB []float64
}

func startSampling(st *stack, every time.Duration) *sampler {
	s := &sampler{stopc: make(chan struct{}), done: make(chan []rssSample, 1)}
	start := time.Now()
	go func() {
		var out []rssSample
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				smp := rssSample{At: time.Since(start).Seconds()}
				for _, p := range st.procs {
					smp.MiB = append(smp.MiB, mib(vmRSS(p.cmd.Process.Pid)))
				}
				out = append(out, smp)
			case <-s.stopc:
				s.done <- out
				return
			}
		}
	}()
	return s
}

func (s *sampler) stop() []rssSample { close(s.stopc); return <-s.done }

// vmRSS reads a process's resident set now, in bytes.
func vmRSS(pid int) int64 { return procStatus(pid, "VmRSS:") }

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// report is what a run prints (and -json encodes).
type report struct {
	Workload    string        `json:"workload"`
	Users       int           `json:"users"`
	Replicas    int           `json:"replicas"`
	Appendfsync string        `json:"redis_appendfsync,omitempty"`
	Seconds     float64       `json:"seconds"`
	Updates     int           `json:"updates"`
	PerSecond   float64       `json:"updates_per_s"`
	LatencyMs   latency       `json:"latency_ms"`
	Steps       []stepLatency `json:"steps"`
	Unexpected  []string      `json:"unexpected_replies,omitempty"`
	Errors      struct {
		Non200     int `json:"non_200"`
		Timeouts   int `json:"timeouts"`
		Unexpected int `json:"unexpected_replies"`
		Dropped    int `json:"dropped_calls"`
	} `json:"errors"`
	RedisPerUpdate float64 `json:"redis_cmds_per_update"`
	// CPU is where the machine's cores went, µs per update: the tool's own
	// (generator and fake Bot API) is what the load itself takes.
	CPU          cpuPerUpdate `json:"cpu_us_per_update"`
	SQLPerUpdate float64      `json:"sql_per_update"`
	SQLSource    string       `json:"sql_source"`
	TopSQL       []topSQL     `json:"top_sql,omitempty"`
	// Shares are the updates by kind of user, in percent.
	Shares     map[string]float64 `json:"shares_pct"`
	PeakRSSMiB []float64          `json:"peak_rss_mib"`
	RSSSamples []rssSample
	GroupCalls int64 `json:"bot_api_calls_to_groups"`
	// Typing counts "typing…" indicators: updates whose handling took over
	// a second (they do not end the latency, the answer does).
	Typing   int64 `json:"typing_indicators"`
	Notices  int   `json:"notices"`
	Listings int   `json:"listings_published"`
	Orders   int   `json:"orders_placed"`
	Machine  struct {
		CPU   string `json:"cpu"`
		Cores int    `json:"cores"`
		Go    string `json:"go"`
	} `json:"machine"`
	Check checkResult `json:"check"`
}

func newReport(o options, pop *population, scripts []script, api *fakeAPI, elapsed time.Duration, before, after counters, peaks []int64, samples []rssSample) *report {
	r := &report{Workload: o.workload, Users: o.users, Replicas: len(peaks), Seconds: elapsed.Seconds(), RSSSamples: samples}
	if o.targets != "" {
		r.Replicas = len(strings.Split(o.targets, ","))
	}
	if o.targets == "" && o.redisURL == "" {
		r.Appendfsync = o.appendfsync
	}
	var lat []int32
	var labels []string // in the order users first do them
	steps := map[string][]int32{}
	byKind := map[string]int{}
	for i, u := range pop.users {
		byKind[scripts[i].kind] += u.updates
		for j, l := range u.latencies {
			label := scripts[i].loop[j].label
			if _, ok := steps[label]; !ok {
				labels = append(labels, label)
			}
			steps[label] = append(steps[label], l...)
			lat = append(lat, l...)
		}
		if len(r.Unexpected) < 5 {
			r.Unexpected = append(r.Unexpected, u.odd...)
		}
		r.Updates += u.updates
		r.Errors.Non200 += u.non200
		r.Errors.Timeouts += u.timeouts
		r.Errors.Unexpected += u.extra
		r.Notices += u.notices
		r.Listings += len(u.codes)
		r.Orders += len(u.orders)
	}
	r.Shares = map[string]float64{}
	for k, n := range byKind {
		if r.Updates > 0 {
			r.Shares[k] = 100 * float64(n) / float64(r.Updates)
		}
	}
	r.Errors.Dropped = int(api.dropped.Load())
	r.GroupCalls = api.groupCalls.Load()
	r.Typing = api.typing.Load()
	r.PerSecond = float64(r.Updates) / elapsed.Seconds()
	r.LatencyMs = percentiles(lat)
	for _, label := range labels {
		if l := steps[label]; len(l) > 0 {
			r.Steps = append(r.Steps, stepLatency{Step: label, Turns: len(l), LatencyMs: percentiles(l)})
		}
	}
	if r.Updates > 0 {
		r.RedisPerUpdate = float64(after.redisCmds-before.redisCmds) / float64(r.Updates)
		r.SQLPerUpdate = float64(after.sql-before.sql) / float64(r.Updates)
	}
	r.SQLSource = after.sqlSource
	for q, calls := range after.queries {
		if d := calls - before.queries[q]; d > 0 && r.Updates > 0 {
			r.TopSQL = append(r.TopSQL, topSQL{float64(d) / float64(r.Updates), q})
		}
	}
	slices.SortFunc(r.TopSQL, func(a, b topSQL) int { return cmp.Compare(b.PerUpdate, a.PerUpdate) })
	r.TopSQL = r.TopSQL[:min(len(r.TopSQL), 8)]
	for _, p := range peaks {
		r.PeakRSSMiB = append(r.PeakRSSMiB, mib(p))
	}
	r.Machine.CPU, r.Machine.Cores, r.Machine.Go = cpuModel(), runtime.NumCPU(), runtime.Version()
	return r
}

// topSQL is a statement the service ran most often during the load.
type topSQL struct {
	PerUpdate float64 `json:"per_update"`
	Query     string  `json:"query"`
}

type latency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

type stepLatency struct {
	Step      string  `json:"step"`
	Turns     int     `json:"turns"`
	LatencyMs latency `json:"latency_ms"`
}

// percentiles sorts lat (µs) and reads it in milliseconds.
func percentiles(lat []int32) latency {
	if len(lat) == 0 {
		return latency{}
	}
	slices.Sort(lat)
	at := func(p float64) float64 { return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1000 }
	return latency{at(.50), at(.90), at(.99), at(1)}
}

func (r *report) print(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "workload %s: %d users, %d replica(s)", r.Workload, r.Users, r.Replicas)
	if r.Appendfsync != "" {
		fmt.Fprintf(&b, ", Redis appendfsync %s", r.Appendfsync)
	}
	fmt.Fprintf(&b, "\nupdates          %d in %.1f s: %.0f updates/s", r.Updates, r.Seconds, r.PerSecond)
	if len(r.Shares) > 1 {
		for _, k := range slices.Sorted(maps.Keys(r.Shares)) {
			fmt.Fprintf(&b, "; %s %.0f %%", k, r.Shares[k])
		}
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "latency          p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (webhook POST → the first answer in the chat)\n",
		r.LatencyMs.P50, r.LatencyMs.P90, r.LatencyMs.P99, r.LatencyMs.Max)
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "  %-30s %6d turns: p50 %6.1f  p90 %6.1f  p99 %6.1f ms\n", s.Step, s.Turns, s.LatencyMs.P50, s.LatencyMs.P90, s.LatencyMs.P99)
	}
	fmt.Fprintf(&b, "errors           %d non-200, %d timeouts, %d unexpected replies, %d calls for users not listening\n",
		r.Errors.Non200, r.Errors.Timeouts, r.Errors.Unexpected, r.Errors.Dropped)
	for _, t := range r.Unexpected {
		fmt.Fprintf(&b, "  unexpected: %q\n", t)
	}
	fmt.Fprintf(&b, "redis            %.2f commands/update (INFO commandstats)\n", r.RedisPerUpdate)
	fmt.Fprintf(&b, "sql              %.2f per update (%s)\n", r.SQLPerUpdate, r.SQLSource)
	for _, q := range r.TopSQL {
		if len(q.Query) > 100 {
			q.Query = q.Query[:100] + "…"
		}
		fmt.Fprintf(&b, "  %5.2f  %s\n", q.PerUpdate, q.Query)
	}
	for i, p := range r.PeakRSSMiB {
		fmt.Fprintf(&b, "peak RSS         replica %d: %.1f MiB\n", i+1, p)
	}
	if len(r.RSSSamples) > 0 {
		fmt.Fprintf(&b, "RSS samples      ")
		for _, s := range r.RSSSamples {
			fmt.Fprintf(&b, "%.0fs:%v ", s.At, roundAll(s.MiB))
		}
		b.WriteString("MiB\n")
	}
	fmt.Fprintf(&b, "published        %d listings, %d orders; %d Bot API calls to market groups, %d notices to users\n", r.Listings, r.Orders, r.GroupCalls, r.Notices)
	fmt.Fprintf(&b, "typing…          %d indicators (updates handled in over a second)\n", r.Typing)
	fmt.Fprintf(&b, "cpu              %.0f µs/update on the machine (%.0f %% of its cores busy):", r.CPU.Machine, r.CPU.BusyPct)
	if r.CPU.Service > 0 {
		fmt.Fprintf(&b, " service %.0f,", r.CPU.Service)
	}
	if r.CPU.Redis > 0 {
		fmt.Fprintf(&b, " Redis %.0f,", r.CPU.Redis)
	}
	fmt.Fprintf(&b, " tool %.0f (generator and fake Bot API), PostgreSQL and the rest %.0f\n", r.CPU.Tool, r.CPU.Rest)
	fmt.Fprintf(&b, "machine          %s, %d cores, %s\n", r.Machine.CPU, r.Machine.Cores, r.Machine.Go)
	if r.Check.OK {
		fmt.Fprintf(&b, "check            OK: %s\n", r.Check.Summary)
	} else {
		fmt.Fprintf(&b, "check            FAILED: %s\n", r.Check.Summary)
		for _, p := range r.Check.Problems {
			fmt.Fprintf(&b, "  - %s\n", p)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func roundAll(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(int(x*10+.5)) / 10
	}
	return out
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return runtime.GOARCH
}

// checkResult says whether the run ended as it should.
type checkResult struct {
	OK       bool     `json:"ok"`
	Summary  string   `json:"summary"`
	Problems []string `json:"problems,omitempty"`
}

// check verifies that every user's conversation ended at the expected
// reply and that every listing and order the bot confirmed exists exactly
// once in PostgreSQL (and, in a database of the run's own, nothing more).
func check(ctx context.Context, st *stack, pop *population, w workload) checkResult {
	var r checkResult
	problem := func(format string, a ...any) {
		if len(r.Problems) < 20 {
			r.Problems = append(r.Problems, fmt.Sprintf(format, a...))
		}
	}
	failed := 0
	var codes, orders []string
	for _, u := range pop.users {
		if u.failed != "" {
			failed++
			problem("user %d: %s", u.id, u.failed)
		}
		codes = append(codes, u.codes...)
		orders = append(orders, u.orders...)
	}
	if !w.stores() {
		r.OK = len(r.Problems) == 0
		r.Summary = fmt.Sprintf("%d of %d conversations ended at the expected reply", len(pop.users)-failed, len(pop.users))
		return r
	}
	conn, err := pgx.Connect(ctx, st.dbURL)
	if err != nil {
		problem("connect to postgres: %v", err)
		return r
	}
	defer conn.Close(ctx)
	count := func(table string, want []string) {
		var found, distinct int
		err := conn.QueryRow(ctx, `SELECT count(*), count(DISTINCT code) FROM `+table+` WHERE code = ANY($1)`, want).Scan(&found, &distinct)
		if err != nil {
			problem("count %s: %v", table, err)
			return
		}
		if found != len(want) || distinct != len(want) {
			problem("%d %s confirmed to users, %d rows (%d distinct) in PostgreSQL", len(want), table, found, distinct)
		}
		if st.dbName == "" { // a database others use: only ours are known
			return
		}
		var all int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&all); err != nil {
			problem("count %s: %v", table, err)
		} else if all != len(want) {
			problem("%d %s in the run's database, %d confirmed to users", all, table, len(want))
		}
	}
	count("listings", codes)
	count("orders", orders)
	r.OK = len(r.Problems) == 0
	r.Summary = fmt.Sprintf("%d of %d conversations ended at the expected reply; %d listings and %d orders confirmed, each found once in PostgreSQL",
		len(pop.users)-failed, len(pop.users), len(codes), len(orders))
	return r
}

// procStatus reads a size field of /proc/PID/status, in bytes.
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
