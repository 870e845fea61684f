package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// cpuUse is the CPU time used so far by the machine (all cores, busy only)
// and by the parts of the stack the tool can see: where the cores go is
// the question a throughput target on one machine comes down to.
type cpuUse struct {
	machine, service, redis, tool time.Duration
	serviceKnown, redisKnown      bool
}

// userHZ is the unit of /proc's CPU times: 100 on every Linux we run on.
const userHZ = 100

func ticks(n int64) time.Duration { return time.Duration(n) * time.Second / userHZ }

// readCPU reads the machine's, the service replicas' (started by the tool),
// the run's Redis's (INFO cpu) and the tool's own CPU time.
func (s *stack) readCPU(ctx context.Context) cpuUse {
	u := cpuUse{machine: machineBusy(), tool: cpuTime(), serviceKnown: len(s.procs) > 0}
	for _, p := range s.procs {
		t, ok := processCPU(p.cmd.Process.Pid)
		u.service += t
		u.serviceKnown = u.serviceKnown && ok // every replica, or the sum means nothing
	}
	if s.redisURL != "" {
		u.redis, u.redisKnown = redisCPU(ctx, s.redisURL)
	}
	return u
}

// machineBusy sums /proc/stat's first line but idle and iowait.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal guest guest_nice
	var busy int64
	for i, f := range fields {
		if i == 0 || i == 4 || i == 5 || i > 8 { // guest time is counted in user already
			continue
		}
		n, _ := strconv.ParseInt(f, 10, 64)
		busy += n
	}
	return ticks(busy)
}

// processCPU reads a process's user and system time from /proc/PID/stat.
func processCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may hold spaces: the fields after
	// it start at the third, the state; utime and stime are the 14th and 15th.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 13 {
		return 0, false
	}
	user, err1 := strconv.ParseInt(fields[11], 10, 64)
	sys, err2 := strconv.ParseInt(fields[12], 10, 64)
	return ticks(user + sys), err1 == nil && err2 == nil
}

// redisCPU reads Redis's own CPU time, main thread and children (an AOF
// rewrite), from INFO cpu.
func redisCPU(ctx context.Context, url string) (time.Duration, bool) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return 0, false
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	info, err := rdb.Info(ctx, "cpu").Result()
	if err != nil {
		return 0, false
	}
	var secs float64
	for _, line := range strings.Split(info, "\r\n") {
		name, v, ok := strings.Cut(line, ":")
		if !ok || !strings.HasPrefix(name, "used_cpu_") || strings.HasSuffix(name, "_main_thread") {
			continue
		}
		f, _ := strconv.ParseFloat(v, 64)
		secs += f
	}
	return time.Duration(secs * float64(time.Second)), true
}

// cpuPerUpdate is where the machine's CPU went during the load, µs per
// update; Rest is PostgreSQL and whatever else ran (the kernel's network
// work for the others included), and each part the tool could not see.
type cpuPerUpdate struct {
	Machine float64 `json:"machine"`
	Service float64 `json:"service,omitempty"`
	Redis   float64 `json:"redis,omitempty"`
	Tool    float64 `json:"tool"`
	Rest    float64 `json:"rest"`
	// BusyPct is how busy the machine's cores were, on average.
	BusyPct float64 `json:"busy_pct"`
}

func spent(before, after cpuUse, updates int, elapsed time.Duration, cores int) cpuPerUpdate {
	if updates == 0 {
		return cpuPerUpdate{}
	}
	per := func(d time.Duration) float64 { return float64(d/time.Microsecond) / float64(updates) }
	c := cpuPerUpdate{Machine: per(after.machine - before.machine), Tool: per(after.tool - before.tool)}
	if before.serviceKnown && after.serviceKnown {
		c.Service = per(after.service - before.service)
	}
	if after.redisKnown && before.redisKnown {
		c.Redis = per(after.redis - before.redis)
	}
	c.Rest = max(0, c.Machine-c.Service-c.Redis-c.Tool)
	c.BusyPct = 100 * float64(after.machine-before.machine) / (float64(elapsed) * float64(cores))
	return c
}
