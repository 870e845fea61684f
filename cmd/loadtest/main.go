// Command loadtest drives simulated Telegram users through the service's
// real webhook, closed loop (each user waits for the bot's reply before
// sending the next message), against a fake Bot API in this process, and
// reports throughput, latency (webhook POST sent → the first answering Bot
// API call for that chat: a message, an edit, a callback's answer; not
// "typing…"), errors, Redis commands and SQL statements per update, where
// the machine's CPU went and the service's peak memory; at the end it checks that every conversation
// ended where it should and every listing exists exactly once.
//
// By default it builds and starts the service itself (`-replicas N`,
// requests round-robin over them) against a throwaway redis-server and a
// fresh database on DATABASE_URL's server; `-target URL,URL` attaches to
// running services instead. See deploy/BENCHMARKS.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"
)

type options struct {
	users       int
	duration    time.Duration
	rounds      int
	workload    string
	replicas    int
	targets     string
	apiAddr     string
	secret      string
	appendfsync string
	redisURL    string
	databaseURL string
	bin         string
	timeout     time.Duration
	sample      time.Duration
	jsonOut     bool
	keep        bool
	verbose     bool
	cpuprofile  string
	env         envList
}

// envList is -env, repeated: settings for the services the tool starts.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }
func (e *envList) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("-env %q: want NAME=value", v)
	}
	*e = append(*e, v)
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
	if !rep.Check.OK {
		os.Exit(2)
	}
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.users, "users", 200, "simulated users, each with one keep-alive connection per replica")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long the measured load lasts")
	fs.IntVar(&o.rounds, "rounds", 0, "if > 0: each user does this many rounds of the workload, then stops (instead of -duration)")
	fs.StringVar(&o.workload, "workload", "sell", "sell, mixed, or reference (the reference bot, deploy/bench/reference: -bin deploy/bench/reference/serve)")
	fs.IntVar(&o.replicas, "replicas", 1, "service processes to start; requests go round-robin over them")
	fs.StringVar(&o.targets, "target", "", "comma-separated base URLs of running services to attach to (nothing started); their TELEGRAM_API_ENDPOINT must be http://<-api-addr>/bot%s/%s and TELEGRAM_BOT_TOKEN "+botToken)
	fs.StringVar(&o.apiAddr, "api-addr", "127.0.0.1:0", "listen address of the fake Bot API")
	fs.StringVar(&o.secret, "secret", "loadtest-secret-0123456789", "the webhook secret (TELEGRAM_WEBHOOK_SECRET)")
	fs.StringVar(&o.appendfsync, "appendfsync", "always", "the throwaway Redis's AOF fsync, as deployed: always; or everysec, no, off (no AOF)")
	fs.StringVar(&o.redisURL, "redis-url", "", "use this Redis (counted for commands per update) instead of starting one")
	fs.StringVar(&o.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL server to create the run's database on (env DATABASE_URL; default the dev instance)")
	fs.StringVar(&o.bin, "bin", "", "the nongsan binary (default: go build ./cmd/nongsan)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "a turn with no expected reply within this fails the user")
	fs.DurationVar(&o.sample, "sample", 10*time.Second, "how often the replicas' resident memory is sampled (the soak)")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	fs.BoolVar(&o.keep, "keep", false, "keep the database, Redis data and logs of the run")
	fs.Var(&o.env, "env", "NAME=value for the services the tool starts, after its own settings (repeat it)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write this tool's CPU profile of the measured load to the file")
	fs.BoolVar(&o.verbose, "v", false, "print every turn of every user (for small runs)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.databaseURL == "" {
		o.databaseURL = "postgres://nongsan@127.0.0.1:55432/nongsan?sslmode=disable"
	}
	if o.workload != "sell" && o.workload != "mixed" && o.workload != "reference" {
		return o, fmt.Errorf("-workload %q: sell, mixed or reference", o.workload)
	}
	if o.users < 1 || o.replicas < 1 {
		return o, errors.New("-users and -replicas must be at least 1")
	}
	return o, nil
}

// run is the whole load run; it prints the report to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (*report, error) {
	o, err := parse(args, stderr)
	if err != nil {
		return nil, err
	}
	cat, err := newCatalogue()
	if err != nil {
		return nil, err
	}
	// Fresh users every run, also against a database that has seen others.
	pop := &population{base: 1_000_000 + rand.Int64N(8_000_000), groups: map[int64]*user{}}
	if pop.base+int64(o.users) >= 10_000_000 {
		pop.base = 10_000_000 - int64(o.users) - 1
	}
	api, err := startFakeAPI(o.apiAddr, pop, groupAdmin)
	if err != nil {
		return nil, err
	}
	defer api.Close()

	st := &stack{}
	var urls []string
	if o.targets != "" {
		urls = strings.Split(o.targets, ",")
		st.redisURL = o.redisURL
		st.dbURL = o.databaseURL
		// The services may start after the tool: they ask its fake Bot API
		// who they are (getMe) as they start.
		for _, u := range urls {
			if err := waitFor(ctx, 2*time.Minute, func() bool { return ready(u) }); err != nil {
				return nil, fmt.Errorf("%s/readyz: %w", u, err)
			}
		}
	} else {
		if st.dir, err = os.MkdirTemp("", "loadtest-"); err != nil {
			return nil, err
		}
		defer st.close(o.keep)
		if o.redisURL != "" {
			st.redisURL = o.redisURL
		} else if err := st.startRedis(ctx, o.appendfsync); err != nil {
			return nil, err
		}
		if err := st.createDatabase(ctx, o.databaseURL); err != nil {
			return nil, err
		}
		bin := o.bin
		if bin == "" {
			if bin, err = st.build(ctx); err != nil {
				return nil, err
			}
		}
		env := []string{
			"DATABASE_URL=" + st.dbURL,
			"REDIS_URL=" + st.redisURL,
			"REDIS_PREFIX=" + randomName("load") + ":",
			"TELEGRAM_BOT_TOKEN=" + botToken,
			"TELEGRAM_WEBHOOK_SECRET=" + o.secret,
			"TELEGRAM_API_ENDPOINT=" + api.Endpoint(),
			"LOG_LEVEL=info",
			"SANDBOX=0",
			// A simulated farmer types far faster than a person and lists
			// far more in a day: the abuse limits would stop the load.
			"MAX_MESSAGES_PER_MINUTE=0",
			"MAX_LISTINGS_PER_DAY=0",
			"MAX_OPEN_ORDERS=0",
		}
		env = append(env, o.env...)
		if err := st.startReplicas(ctx, bin, o.replicas, env); err != nil {
			return nil, err
		}
		urls = st.urls
		if o.keep {
			fmt.Fprintf(stderr, "loadtest: the run's files are in %s, its database is %s\n", st.dir, st.dbName)
		}
	}

	for i := range o.users {
		pop.users = append(pop.users, newUser(pop.base+int64(i), urls, o.secret, o.timeout))
	}
	scripts := make([]script, o.users)
	w, err := newWorkload(o.workload, cat, pop)
	if err != nil {
		return nil, err
	}
	for i, u := range pop.users {
		scripts[i] = w.script(i, u.id)
	}
	if w.stores() {
		if err := registerMarkets(ctx, cat, pop, urls, o); err != nil {
			return nil, err
		}
	}

	// Setup (registration, seed listings, first orders) is not measured.
	for phase := range 2 {
		var wg sync.WaitGroup
		for i, u := range pop.users {
			steps := scripts[i].setup
			if phase == 1 {
				steps = scripts[i].after
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, s := range steps {
					if u.do(s, 0, false, 0) != nil {
						return
					}
					if o.verbose {
						fmt.Fprintf(stderr, "%d setup %s → %q\n", u.id, s.label, u.last)
					}
				}
			}()
		}
		wg.Wait()
		for _, u := range pop.users {
			if u.failed != "" {
				return nil, fmt.Errorf("user %d failed during setup: %s", u.id, u.failed)
			}
		}
		if phase == 0 {
			w.ready()
		}
	}

	before, err := snapshot(ctx, st)
	if err != nil {
		return nil, err
	}
	rss := startSampling(st, o.sample)
	cpu0 := st.readCPU(ctx)
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	end := start.Add(o.duration)
	var wg sync.WaitGroup
	for i, u := range pop.users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 1; ctx.Err() == nil; round++ {
				if o.rounds > 0 && round > o.rounds {
					return
				}
				for j, s := range scripts[i].loop {
					if o.rounds == 0 && time.Now().After(end) {
						return
					}
					if u.do(s, round, true, j) != nil {
						return
					}
					if o.verbose {
						fmt.Fprintf(stderr, "%d %s → %q\n", u.id, s.label, u.last)
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1 := st.readCPU(ctx)
	pprof.StopCPUProfile()
	samples := rss.stop()
	peaks := st.peakRSS()
	// Stopped replicas have flushed their statistics to PostgreSQL.
	st.stopReplicas()
	after, err := snapshot(ctx, st)
	if err != nil {
		return nil, err
	}
	rep := newReport(o, pop, scripts, api, elapsed, before, after, peaks, samples)
	rep.CPU = spent(cpu0, cpu1, rep.Updates, elapsed, runtime.NumCPU())
	rep.Check = check(ctx, st, pop, w)
	if o.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.print(stdout)
	}
	return rep, err
}

// registerMarkets adds the bot to the market groups and registers them, as
// their admin would, so that publishing posts to them.
func registerMarkets(ctx context.Context, cat catalogue, pop *population, urls []string, o options) error {
	for _, g := range marketGroups {
		admin := newGroupAdmin(g.chat, groupAdmin, urls, o.secret, o.timeout)
		pop.groups[g.chat] = admin
		want := cat.exact("group.registered_all")
		if area, ok := strings.CutPrefix(g.cmd, "/dangky "); ok {
			want = cat.exact("group.registered", "Area", area)
		}
		for _, s := range []step{
			{kind: sendAdded, label: "added to the group", want: cat.firstLine("group.hello")},
			textStep(g.cmd, want),
		} {
			if err := admin.do(s, 0, false, 0); err != nil {
				return fmt.Errorf("register market group %d: %s", g.chat, admin.failed)
			}
		}
	}
	return ctx.Err()
}

// cpuTime is the CPU this process has used, user and system: the tool's
// own cost, fake Bot API included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
