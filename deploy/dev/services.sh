#!/usr/bin/env bash
# Private development services for Nông Sản Bot: PostgreSQL on 127.0.0.1:55432,
# Redis on 127.0.0.1:56379 and, for the tests, a Redis Cluster of three masters
# on 127.0.0.1:56381-56383 (cluster bus 46381-46383), with their data under <repo>/.dev/.
#
#   deploy/dev/services.sh up      start them (installing Debian packages when root), reuse if running
#   deploy/dev/services.sh env     print `export` lines for DATABASE_URL / REDIS_URL / REDIS_TEST_CLUSTER_ADDRS
#   deploy/dev/services.sh down    stop the private instances
#   deploy/dev/services.sh status  say what runs
#   deploy/dev/services.sh clean   stop them and delete their data
#
# A variable already set (in the environment or in <repo>/.env) means "use that
# service, not a private one": `up` skips it and `env` prints nothing for it.
# REDIS_TEST_CLUSTER_ADDRS is for the tests only (the service reads
# REDIS_CLUSTER_ADDRS); `env` prints it while the private cluster is up.
# Messages go to stderr; only `env` writes to stdout.
set -euo pipefail

PG_PORT="${NONGSAN_DEV_PG_PORT:-55432}"       # override only to run two clones side by side
REDIS_PORT="${NONGSAN_DEV_REDIS_PORT:-56379}"
CLUSTER_PORT="${NONGSAN_DEV_REDIS_CLUSTER_PORT:-56381}" # the first of three
HOST=127.0.0.1
PG_DB=nongsan
PG_ROLE=nongsan
DEV_DATABASE_URL="postgres://${PG_ROLE}@${HOST}:${PG_PORT}/${PG_DB}?sslmode=disable"
DEV_REDIS_URL="redis://${HOST}:${REDIS_PORT}/0"
WAIT_SECONDS=30

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
DEV_DIR="$REPO_ROOT/.dev"
REDIS_DIR="$DEV_DIR/redis"
CLUSTER_DIR="$DEV_DIR/redis-cluster"
CLUSTER_PORTS=("$CLUSTER_PORT" "$((CLUSTER_PORT + 1))" "$((CLUSTER_PORT + 2))")
PG_LINK="$DEV_DIR/postgres" # the PostgreSQL area: a directory, or a symlink to one

log() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# live_comm PID: the command name of a live (not zombie) process, or nothing.
live_comm() {
	local st
	st="$(ps -o stat= -p "$1" 2>/dev/null || true)"
	case "$st" in "" | Z*) return 0 ;; esac
	ps -o comm= -p "$1" 2>/dev/null || true
}

# ---------------------------------------------------------------- configuration

# dotenv_value NAME: the value of NAME in <repo>/.env (last assignment wins), quotes removed.
dotenv_value() {
	local name="$1" file="$REPO_ROOT/.env" line value=""
	[ -f "$file" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		line="${line%$'\r'}"
		if [[ "$line" =~ ^[[:space:]]*(export[[:space:]]+)?${name}[[:space:]]*=[[:space:]]*(.*)$ ]]; then
			value="${BASH_REMATCH[2]}"
			if [[ "$value" =~ ^\"(.*)\"[[:space:]]*(#.*)?$ ]] || [[ "$value" =~ ^\'(.*)\'[[:space:]]*(#.*)?$ ]]; then
				value="${BASH_REMATCH[1]}"
			else
				value="${value%%[[:space:]]#*}"
				value="${value%"${value##*[![:space:]]}"}"
			fi
		fi
	done <"$file"
	printf '%s' "$value"
}

# user_set NAME: true when NAME is set (non-empty) in the environment or in .env
# to something other than the private instance's own URL (which `env` prints).
user_set() {
	local name="$1" dev v
	case "$name" in
	DATABASE_URL) dev="$DEV_DATABASE_URL" ;;
	REDIS_URL) dev="$DEV_REDIS_URL" ;;
	*) dev="" ;;
	esac
	v="${!name:-}"
	[ -n "$v" ] || v="$(dotenv_value "$name")"
	[ -n "$v" ] && [ "$v" != "$dev" ]
}

# ---------------------------------------------------------------- packages

pg_bindir() {
	local d best="" bestv=0 v
	for d in /usr/lib/postgresql/*/bin; do
		if [ ! -x "$d/pg_ctl" ] || [ ! -x "$d/initdb" ]; then continue; fi
		v="$(basename "$(dirname "$d")")"
		[[ "$v" =~ ^[0-9]+$ ]] || continue
		if [ "$v" -gt "$bestv" ]; then bestv="$v"; best="$d"; fi
	done
	[ -n "$best" ] || return 1
	printf '%s' "$best"
}

have_pg() { pg_bindir >/dev/null 2>&1; }
have_redis() { command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; }

# stop_system_service NAME: Debian starts a system instance on install (ports 5432 / 6379).
# We never use it; stop the one our own install just started (best effort).
stop_system_service() {
	local svc="$1"
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
		systemctl stop "$svc" >/dev/null 2>&1 || true
	elif command -v service >/dev/null 2>&1; then
		service "$svc" stop >/dev/null 2>&1 || true
	fi
}

ensure_packages() {
	local need_pg="$1" need_redis="$2" pkgs=()
	if [ "$need_pg" = 1 ] && ! have_pg; then pkgs+=(postgresql); fi
	if [ "$need_redis" = 1 ] && ! have_redis; then pkgs+=(redis-server); fi
	[ "${#pkgs[@]}" -gt 0 ] || return 0
	if ! is_root; then
		die "missing Debian package(s): ${pkgs[*]}. Install them (sudo apt-get install -y ${pkgs[*]}), run this as root, or set DATABASE_URL / REDIS_URL to existing services."
	fi
	command -v apt-get >/dev/null 2>&1 || die "missing ${pkgs[*]} and no apt-get to install them; install them by hand or set DATABASE_URL / REDIS_URL"
	log "installing ${pkgs[*]} with apt-get (output in $DEV_DIR/apt.log)"
	local apt_opts=(-o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
	if ! { DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update &&
		DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y --no-install-recommends "${pkgs[@]}"; } \
		</dev/null >"$DEV_DIR/apt.log" 2>&1; then
		tail -n 30 "$DEV_DIR/apt.log" >&2 || true
		die "apt-get install ${pkgs[*]} failed (full log: $DEV_DIR/apt.log)"
	fi
	local p
	for p in "${pkgs[@]}"; do
		case "$p" in
		postgresql) stop_system_service postgresql ;;
		redis-server) stop_system_service redis-server ;;
		esac
	done
	if [ "$need_pg" = 1 ]; then have_pg || die "postgresql installed but no /usr/lib/postgresql/<version>/bin/pg_ctl found"; fi
	if [ "$need_redis" = 1 ]; then have_redis || die "redis-server installed but redis-server/redis-cli not on PATH"; fi
	log "installed ${pkgs[*]}"
}

# ---------------------------------------------------------------- PostgreSQL

# PostgreSQL refuses to run as root, so as root every server command runs as the
# `postgres` system user. That user must reach the data directory: when the repo
# lies where it cannot go (a clone under /root, say), the data lives in the
# postgres user's home instead, in a folder keyed by a hash of the repo path, and
# .dev/postgres is a symlink to it.

as_pg() {
	if is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

pg_user_can_reach() { # DIR
	if is_root; then
		(cd / && runuser -u postgres -- test -x "$1" -a -w "$1") 2>/dev/null
	else
		[ -x "$1" ] && [ -w "$1" ]
	fi
}

# pg_area: print the real path of the PostgreSQL area, creating/choosing it if needed.
pg_area() {
	if [ -L "$PG_LINK" ]; then
		local target
		target="$(readlink -f "$PG_LINK" || true)"
		if [ -n "$target" ] && [ -d "$target" ]; then printf '%s' "$target"; return; fi
		rm -f "$PG_LINK" # dangling: choose again
	fi
	if is_root && ! getent passwd postgres >/dev/null; then
		die "running as root but there is no 'postgres' system user (the Debian postgresql package creates it)"
	fi
	if [ -d "$PG_LINK" ]; then
		if is_root; then chown postgres: "$PG_LINK" 2>/dev/null || true; fi
		if pg_user_can_reach "$PG_LINK"; then printf '%s' "$PG_LINK"; return; fi
	else
		mkdir -p "$PG_LINK"
		chmod 700 "$PG_LINK"
		if is_root; then chown postgres: "$PG_LINK" 2>/dev/null || true; fi
		if pg_user_can_reach "$PG_LINK"; then printf '%s' "$PG_LINK"; return; fi
		rmdir "$PG_LINK"
	fi
	[ -d "$PG_LINK" ] && [ -e "$PG_LINK/data/PG_VERSION" ] &&
		die "$PG_LINK holds a cluster that the postgres user cannot reach; move it away or run 'deploy/dev/services.sh clean'"
	rm -rf "$PG_LINK" 2>/dev/null || true

	local hash home base
	hash="$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12)"
	home="$(getent passwd postgres | cut -d: -f6 || true)"
	if [ -n "$home" ] && [ -d "$home" ] && pg_user_can_reach "$home"; then
		base="$home/nongsan-dev/$hash"
	else
		base="/var/tmp/nongsan-dev-pg-$hash"
	fi
	mkdir -p "$base"
	chmod 700 "$base"
	if is_root; then chown postgres: "$base" "$(dirname "$base")" 2>/dev/null || true; fi
	pg_user_can_reach "$base" || die "the postgres user cannot write to $base"
	ln -sfn "$base" "$PG_LINK"
	printf '%s' "$REPO_ROOT" >"$base/REPO_PATH" 2>/dev/null || true
	log "PostgreSQL data kept in $base (the postgres user cannot reach $DEV_DIR); $PG_LINK links to it"
	printf '%s' "$base"
}

pg_ready() {
	local bin
	bin="$(pg_bindir 2>/dev/null)" || bin=""
	if [ -n "$bin" ]; then
		"$bin/pg_isready" -q -h "$HOST" -p "$PG_PORT" -t 2 >/dev/null 2>&1
	elif command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -h "$HOST" -p "$PG_PORT" -t 2 >/dev/null 2>&1
	else
		return 1
	fi
}

# pg_remove_stale_lock AREA: after a hard kill, postmaster.pid may name a PID that
# now belongs to another process, which PostgreSQL would take for a live server.
pg_remove_stale_lock() {
	local area="$1" pidfile="$1/data/postmaster.pid" pid comm
	[ -f "$pidfile" ] || return 0
	pid="$(head -n1 "$pidfile" 2>/dev/null || true)"
	if [[ "$pid" =~ ^[0-9]+$ ]]; then
		comm="$(live_comm "$pid")"
		case "$comm" in postgres* | postmaster*) return 0 ;; esac
	fi
	log "removing stale $pidfile (PID ${pid:-?} is not a PostgreSQL server)"
	rm -f "$pidfile"
	rm -f "$area/.s.PGSQL.$PG_PORT.lock"
	return 0
}

pg_write_conf() {
	local area="$1" data="$1/data" sock="$1"
	# Unix socket paths are limited to ~107 bytes; clients use TCP anyway.
	if [ "${#sock}" -gt 90 ]; then sock=""; fi
	local conf="$data/nongsan-dev.conf"
	# pg_stat_statements (in Debian's postgresql package) counts the SQL
	# statements per update for cmd/loadtest; it loads at the server's start.
	local bin preload="#" track="#"
	if bin="$(pg_bindir)" && [ -f "$bin/../lib/pg_stat_statements.so" ]; then
		preload="shared_preload_libraries = 'pg_stat_statements'"
		track="pg_stat_statements.track = top"
	fi
	as_pg tee "$conf" >/dev/null <<EOF
# Written by deploy/dev/services.sh on every 'up'; edits are lost.
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$sock'
max_connections = 200
logging_collector = off
timezone = 'UTC'
$preload
$track
EOF
}

pg_up() {
	local bin area data logf
	bin="$(pg_bindir)" || die "no PostgreSQL binaries under /usr/lib/postgresql/<version>/bin"
	if pg_ready; then
		log "PostgreSQL already answers on $HOST:$PG_PORT: reusing it"
	else
		area="$(pg_area)"
		data="$area/data"
		logf="$area/postgres.log"
		if [ ! -f "$data/PG_VERSION" ]; then
			local locale=C
			if locale -a 2>/dev/null | grep -ixE 'c\.utf-?8' >/dev/null; then locale=C.UTF-8; fi
			log "initialising PostgreSQL cluster ($("$bin/postgres" --version | awk '{print $3}')) in $data"
			rm -rf "$data"
			if ! as_pg "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=trust \
				--encoding=UTF8 --locale="$locale" >"$DEV_DIR/initdb.log" 2>&1 9>&-; then
				tail -n 30 "$DEV_DIR/initdb.log" >&2 || true
				die "initdb failed (log: $DEV_DIR/initdb.log)"
			fi
			printf "\ninclude_if_exists = 'nongsan-dev.conf'\n" | as_pg tee -a "$data/postgresql.conf" >/dev/null
		fi
		pg_write_conf "$area"
		pg_remove_stale_lock "$area"
		log "starting PostgreSQL on $HOST:$PG_PORT (log: $logf)"
		if ! as_pg "$bin/pg_ctl" -D "$data" -l "$logf" -w -t "$WAIT_SECONDS" start >/dev/null 2>&1 9>&-; then
			tail -n 30 "$logf" >&2 || true
			die "PostgreSQL did not start on $HOST:$PG_PORT (log: $logf)"
		fi
	fi
	local i
	for ((i = 0; i < WAIT_SECONDS * 5; i++)); do
		pg_ready && break
		sleep 0.2
	done
	if ! pg_ready; then
		[ -n "${logf:-}" ] && tail -n 30 "$logf" >&2
		die "PostgreSQL on $HOST:$PG_PORT did not answer within ${WAIT_SECONDS}s"
	fi
	# Role and database, idempotently. SUPERUSER so that tests can CREATE DATABASE.
	local out
	if ! out="$("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PG_PORT" -U postgres -d postgres 2>&1 <<EOF
DO \$\$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
    CREATE ROLE $PG_ROLE LOGIN SUPERUSER;
  END IF;
END\$\$;
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_ROLE ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB')\gexec
EOF
	)"; then
		printf '%s\n' "$out" >&2
		die "could not create role/database '$PG_DB' on $HOST:$PG_PORT"
	fi
	log "PostgreSQL ready: $DEV_DATABASE_URL"
}

pg_down() {
	local bin area
	[ -e "$PG_LINK" ] || { log "PostgreSQL: no private instance"; return 0; }
	area="$(readlink -f "$PG_LINK")"
	if [ ! -f "$area/data/postmaster.pid" ]; then
		log "PostgreSQL: not running"
		return 0
	fi
	pg_remove_stale_lock "$area"
	[ -f "$area/data/postmaster.pid" ] || { log "PostgreSQL: not running"; return 0; }
	bin="$(pg_bindir)" || die "no PostgreSQL binaries to stop the server with"
	log "stopping PostgreSQL ($area/data)"
	as_pg "$bin/pg_ctl" -D "$area/data" -m fast -w -t "$WAIT_SECONDS" stop >/dev/null 2>&1 9>&- ||
		as_pg "$bin/pg_ctl" -D "$area/data" -m immediate -w -t "$WAIT_SECONDS" stop >/dev/null 2>&1 9>&- || true
}

# ---------------------------------------------------------------- Redis

redis_ready() {
	command -v redis-cli >/dev/null 2>&1 || return 1
	[ "$(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
}

redis_pid() { # prints the PID of our redis-server, if it runs
	local pid comm
	[ -f "$REDIS_DIR/redis.pid" ] || return 1
	pid="$(head -n1 "$REDIS_DIR/redis.pid" 2>/dev/null || true)"
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	comm="$(live_comm "$pid")"
	case "$comm" in redis-server* | redis-check*) printf '%s' "$pid" ;; *) return 1 ;; esac
}

redis_up() {
	if redis_ready; then
		log "Redis already answers on $HOST:$REDIS_PORT: reusing it"
		return 0
	fi
	mkdir -p "$REDIS_DIR"
	local conf="$REDIS_DIR/redis.conf" logf="$REDIS_DIR/redis.log"
	cat >"$conf" <<EOF
# Written by deploy/dev/services.sh on every 'up'; edits are lost.
port $REDIS_PORT
bind $HOST
protected-mode no
daemonize yes
pidfile "$REDIS_DIR/redis.pid"
logfile "$logf"
dir "$REDIS_DIR"
appendonly yes
# A 200 to Telegram must survive a crash of the machine too: everysec could
# lose the last second (deploy/BENCHMARKS.md measures the two).
appendfsync always
EOF
	rm -f "$REDIS_DIR/redis.pid"
	log "starting Redis on $HOST:$REDIS_PORT (log: $logf)"
	if ! redis-server "$conf" </dev/null >/dev/null 2>&1 9>&-; then
		tail -n 30 "$logf" >&2 2>/dev/null || true
		die "redis-server failed to start (log: $logf)"
	fi
	local i
	for ((i = 0; i < WAIT_SECONDS * 5; i++)); do
		redis_ready && break
		sleep 0.2
	done
	if ! redis_ready; then
		tail -n 30 "$logf" >&2 2>/dev/null || true
		die "Redis on $HOST:$REDIS_PORT did not answer within ${WAIT_SECONDS}s (log: $logf)"
	fi
	log "Redis ready: $DEV_REDIS_URL"
}

redis_down() {
	local pid i
	if ! pid="$(redis_pid)"; then
		log "Redis: not running"
		return 0
	fi
	log "stopping Redis (PID $pid)"
	kill -TERM "$pid" 2>/dev/null || true # graceful: flushes the append-only file
	for ((i = 0; i < WAIT_SECONDS * 5; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	die "Redis (PID $pid) did not stop within ${WAIT_SECONDS}s"
}

# ---------------------------------------------------------------- Redis Cluster

cluster_addrs() { # host:port,host:port,host:port
	local p out=""
	for p in "${CLUSTER_PORTS[@]}"; do out="${out:+$out,}$HOST:$p"; done
	printf '%s' "$out"
}

cluster_node_ready() { # PORT
	[ "$(redis-cli -h "$HOST" -p "$1" ping 2>/dev/null)" = "PONG" ]
}

cluster_info() { # PORT FIELD: one field of CLUSTER INFO
	redis-cli -h "$HOST" -p "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"
}

# cluster_ok: every node answers and sees all three masters with every slot served.
cluster_ok() {
	command -v redis-cli >/dev/null 2>&1 || return 1
	local p
	for p in "${CLUSTER_PORTS[@]}"; do
		[ "$(cluster_info "$p" cluster_state)" = ok ] || return 1
		[ "$(cluster_info "$p" cluster_known_nodes)" = 3 ] || return 1
	done
}

cluster_node_pid() { # PORT
	local pid comm f="$CLUSTER_DIR/$1/redis.pid"
	[ -f "$f" ] || return 1
	pid="$(head -n1 "$f" 2>/dev/null || true)"
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	comm="$(live_comm "$pid")"
	case "$comm" in redis-server*) printf '%s' "$pid" ;; *) return 1 ;; esac
}

cluster_up() {
	if cluster_ok; then
		log "Redis Cluster already serves $(cluster_addrs): reusing it"
		return 0
	fi
	local p dir i
	for p in "${CLUSTER_PORTS[@]}"; do
		cluster_node_ready "$p" && continue
		dir="$CLUSTER_DIR/$p"
		mkdir -p "$dir"
		# A test cluster: nothing in it is worth keeping across restarts,
		# but nodes.conf keeps the node's place in the cluster.
		cat >"$dir/redis.conf" <<EOF
# Written by deploy/dev/services.sh on every 'up'; edits are lost.
port $p
bind $HOST
protected-mode no
daemonize yes
pidfile "$dir/redis.pid"
logfile "$dir/redis.log"
dir "$dir"
cluster-enabled yes
cluster-port $((p - 10000))
cluster-config-file nodes.conf
cluster-node-timeout 5000
appendonly no
save ""
EOF
		rm -f "$dir/redis.pid"
		log "starting Redis Cluster node on $HOST:$p (log: $dir/redis.log)"
		redis-server "$dir/redis.conf" </dev/null >/dev/null 2>&1 9>&- || die "redis-server (cluster node $p) failed to start (log: $dir/redis.log)"
	done
	for p in "${CLUSTER_PORTS[@]}"; do
		for ((i = 0; i < WAIT_SECONDS * 5; i++)); do
			cluster_node_ready "$p" && break
			sleep 0.2
		done
		if ! cluster_node_ready "$p"; then
			tail -n 5 "$CLUSTER_DIR/$p/redis.log" >&2 2>/dev/null || true
			die "Redis Cluster node $HOST:$p did not answer within ${WAIT_SECONDS}s (log: $CLUSTER_DIR/$p/redis.log)"
		fi
	done
	if [ "$(cluster_info "$CLUSTER_PORT" cluster_slots_assigned)" = 0 ]; then
		log "creating the Redis Cluster on $(cluster_addrs)"
		local nodes=()
		for p in "${CLUSTER_PORTS[@]}"; do nodes+=("$HOST:$p"); done
		redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$CLUSTER_DIR/create.log" 2>&1 ||
			{ tail -n 20 "$CLUSTER_DIR/create.log" >&2; die "redis-cli --cluster create failed (log: $CLUSTER_DIR/create.log)"; }
	fi
	for ((i = 0; i < WAIT_SECONDS * 5; i++)); do
		cluster_ok && break
		sleep 0.2
	done
	cluster_ok || die "the Redis Cluster on $(cluster_addrs) is not ok within ${WAIT_SECONDS}s; 'services.sh clean' starts it afresh"
	log "Redis Cluster ready: $(cluster_addrs)"
}

cluster_down() {
	local p pid i
	for p in "${CLUSTER_PORTS[@]}"; do
		pid="$(cluster_node_pid "$p")" || continue
		log "stopping Redis Cluster node $p (PID $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < WAIT_SECONDS * 5; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
	done
}

# ---------------------------------------------------------------- commands

with_lock() {
	mkdir -p "$DEV_DIR"
	exec 9>"$DEV_DIR/.lock"
	flock -w 300 9 || die "another services.sh holds $DEV_DIR/.lock"
}

cmd_up() {
	local need_pg=1 need_redis=1
	user_set DATABASE_URL && need_pg=0
	user_set REDIS_URL && need_redis=0
	with_lock
	[ "$need_pg" = 1 ] || log "DATABASE_URL is set: not starting a private PostgreSQL"
	[ "$need_redis" = 1 ] || log "REDIS_URL is set: not starting a private Redis"
	ensure_packages "$need_pg" "$need_redis"
	[ "$need_pg" = 0 ] || pg_up
	[ "$need_redis" = 0 ] || redis_up
	if have_redis; then
		cluster_up
	else
		log "no redis-server: not starting the test Redis Cluster (its tests are skipped)"
	fi
}

cmd_env() {
	user_set DATABASE_URL || printf "export DATABASE_URL='%s'\n" "$DEV_DATABASE_URL"
	user_set REDIS_URL || printf "export REDIS_URL='%s'\n" "$DEV_REDIS_URL"
	if [ -n "${REDIS_TEST_CLUSTER_ADDRS:-}" ] || [ -n "$(dotenv_value REDIS_TEST_CLUSTER_ADDRS)" ]; then
		return 0
	fi
	if cluster_ok; then printf "export REDIS_TEST_CLUSTER_ADDRS='%s'\n" "$(cluster_addrs)"; fi
}

cmd_down() {
	with_lock
	pg_down
	redis_down
	cluster_down
}

cmd_status() {
	if user_set DATABASE_URL; then
		log "PostgreSQL: DATABASE_URL is set, private instance not used"
	fi
	if pg_ready; then
		local where="not started by this repo"
		[ -e "$PG_LINK" ] && [ -f "$(readlink -f "$PG_LINK")/data/postmaster.pid" ] && where="data $(readlink -f "$PG_LINK")/data"
		log "PostgreSQL: running on $HOST:$PG_PORT ($where)"
	else
		log "PostgreSQL: not running on $HOST:$PG_PORT"
	fi
	if user_set REDIS_URL; then
		log "Redis: REDIS_URL is set, private instance not used"
	fi
	if redis_ready; then
		local rwhere="not started by this repo" pid
		if pid="$(redis_pid)"; then rwhere="PID $pid, data $REDIS_DIR"; fi
		log "Redis: running on $HOST:$REDIS_PORT ($rwhere)"
	else
		log "Redis: not running on $HOST:$REDIS_PORT"
	fi
	if cluster_ok; then
		log "Redis Cluster: running on $(cluster_addrs) (data $CLUSTER_DIR)"
	else
		log "Redis Cluster: not running (or not ok) on $(cluster_addrs)"
	fi
}

cmd_clean() {
	cmd_down
	local area=""
	[ -L "$PG_LINK" ] && area="$(readlink -f "$PG_LINK" || true)"
	[ -n "$area" ] && rm -rf "$area"
	rm -rf "$PG_LINK" "$REDIS_DIR" "$CLUSTER_DIR"
	log "removed private PostgreSQL and Redis data"
}

usage() {
	sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

case "${1:-}" in
up) cmd_up ;;
env) cmd_env ;;
down) cmd_down ;;
status) cmd_status ;;
clean) cmd_clean ;;
-h | --help | help) usage ;;
*) usage; exit 2 ;;
esac
