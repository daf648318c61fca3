#!/usr/bin/env bash
# The whole HA set of deploy/README.md on one machine, for tests and demos: a pg_auto_failover
# monitor, a primary and a synchronous standby, N HQ processes and haproxy in front of them, all on
# 127.0.0.1, all under one folder in /tmp. Nothing here is needed in production; it follows the
# same steps IT follows on separate machines.
#
#   deploy/up.sh up   [--base DIR] [--port-base N] [--hqs N] [--tls] [--lifetime-s N] [--fast-failover]
#   deploy/up.sh down [--base DIR]
#   deploy/up.sh kill-primary [--base DIR] [--port-base N]   # kill -9 the primary's keeper and PostgreSQL (a lost machine)
#   deploy/up.sh state [--base DIR] [--port-base N]          # `nodename reportedstate` lines, from the monitor
#
# Ports: monitor BASE, nodes BASE+1 and BASE+2, haproxy BASE+10 (stats BASE+9), HQs BASE+11….
# `up` prints `CLUSTER_READY {json}` last (and writes it to DIR/cluster.json): the URLs, pids and the
# enrolment code for store S001. The HQ command is `node dist/sync/hq/cli.js` (npm run build first)
# or SHOPFLOOR_HQ_CMD. pg_autoctl refuses to run as root: as root, every pg_autoctl runs as the
# `postgres` user through runuser (the way sync/testing/postgres-binaries.ts runs PostgreSQL).
# Bounded: `--lifetime-s` (default 1800) starts a detached timer that runs `down`.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cmd="${1:-}"
shift || true
BASE=/tmp/shopfloor-ha
PORT_BASE=56000
HQS=2
TLS=0
LIFETIME_S=1800
FAST=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base) BASE="$2"; shift 2 ;;
    --port-base) PORT_BASE="$2"; shift 2 ;;
    --hqs) HQS="$2"; shift 2 ;;
    --tls) TLS=1; shift ;;
    --lifetime-s) LIFETIME_S="$2"; shift 2 ;;
    --fast-failover) FAST=1; shift ;;
    *) echo "up.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$PORT_BASE" =~ ^[0-9]+$ && "$PORT_BASE" -ge 1024 && "$PORT_BASE" -le 65000 ]] || { echo "up.sh: --port-base must be 1024–65000" >&2; exit 2; }
[[ "$HQS" =~ ^[1-9]$ ]] || { echo "up.sh: --hqs must be 1–9" >&2; exit 2; }
case "$BASE" in /tmp/?*) ;; *) echo "up.sh: --base must be a folder under /tmp, got $BASE" >&2; exit 2 ;; esac

MONITOR_PORT=$PORT_BASE
NODE_PORTS=($((PORT_BASE + 1)) $((PORT_BASE + 2)))
STATS_PORT=$((PORT_BASE + 9))
PROXY_PORT=$((PORT_BASE + 10))
DBNAME=shopfloor
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
export PG_CONFIG="$PGBIN/pg_config"
# pg_autoctl keeps its state and config under XDG folders keyed by PGDATA: keep them in BASE too.
XDG_ENV=(XDG_CONFIG_HOME="$BASE/xdg/config" XDG_DATA_HOME="$BASE/xdg/data" XDG_RUNTIME_DIR="$BASE/xdg/run" PG_CONFIG="$PG_CONFIG" PATH="$PGBIN:$PATH")

# As root, as the postgres user, from / (the caller's folder may be one postgres cannot enter: a
# mktemp -d clone of the repo is root's only, and PostgreSQL's tools warn of every chdir back).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- env -C / "${XDG_ENV[@]}" "$@"; else env "${XDG_ENV[@]}" "$@"; fi
}

# Runs a command with its output in a log; if it fails, says which and shows the end of the log
# (set -e alone would end up.sh with nothing but an exit code).
logged() {
  local log="$1"
  shift
  "$@" >"$log" 2>&1 && return 0
  local code=$?
  echo "up.sh: ${*:2:3} failed (exit $code); the end of $log:" >&2
  tail -n 25 "$log" >&2
  exit 1
}

need() { command -v "$1" >/dev/null 2>&1 || { echo "up.sh: $1 is missing (apt-get install $2)" >&2; exit 3; }; }

# Starts `pg_autoctl run` for one data folder in its own session: its own process group, with
# the PostgreSQL it starts, so kill-primary and down can end the keeper and its PostgreSQL together.
run_node() {
  local pgdata="$1" log="$2"
  # exec in a subshell: nothing left holding up.sh's own output open (a caller waits for it to close).
  (
    exec >"$log" 2>&1 </dev/null
    as_pg setsid pg_autoctl run --pgdata "$pgdata"
  ) &
}

# The keeper's pid (= its process group) from the pid file pg_autoctl keeps under XDG_RUNTIME_DIR.
keeper_pid() {
  local file="$BASE/xdg/run/pg_autoctl$1/pg_autoctl.pid"
  [[ -f "$file" ]] && head -1 "$file"
}

wait_for() {
  local what="$1" seconds="$2"
  shift 2
  for ((i = 0; i < seconds * 4; i++)); do
    if "$@" >/dev/null; then return 0; fi
    sleep 0.25
  done
  echo "up.sh: $what not within ${seconds}s" >&2
  return 1
}

monitor_uri() { echo "postgres://autoctl_node@127.0.0.1:$MONITOR_PORT/pg_auto_failover?sslmode=disable"; }
database_url() { echo "postgresql://postgres@127.0.0.1:${NODE_PORTS[0]},127.0.0.1:${NODE_PORTS[1]}/$DBNAME?target_session_attrs=read-write"; }
monitor_sql() { as_pg psql -X -q -At -h 127.0.0.1 -p "$MONITOR_PORT" -U autoctl_node -d pg_auto_failover -c "$1"; }
monitor_super_sql() { as_pg psql -X -q -At -h 127.0.0.1 -p "$MONITOR_PORT" -U postgres -d pg_auto_failover -c "$1"; }

# The node the monitor names primary: "name port pgdata".
primary() {
  local port
  port=$(monitor_sql "SELECT nodeport FROM pgautofailover.node WHERE reportedstate IN ('primary', 'wait_primary', 'single') LIMIT 1")
  for i in 0 1; do
    if [[ "${NODE_PORTS[$i]}" == "$port" ]]; then echo "node$((i + 1)) $port $BASE/node$((i + 1))"; fi
  done
}

up() {
  need pg_autoctl "postgresql-15-auto-failover pg-auto-failover-cli"
  need haproxy haproxy
  need openssl openssl
  [[ -x "$PG_CONFIG" ]] || { echo "up.sh: PostgreSQL server binaries are missing (apt-get install postgresql)" >&2; exit 3; }
  if [[ -e "$BASE/cluster.json" || -e "$BASE/monitor" ]]; then echo "up.sh: $BASE is in use: run down first" >&2; exit 2; fi
  mkdir -p "$BASE/xdg/config" "$BASE/xdg/data" "$BASE/xdg/run" "$BASE/logs"
  chmod 700 "$BASE/xdg/run"
  [[ $(id -u) -eq 0 ]] && chown -R postgres:postgres "$BASE"
  # The bound: whatever happens to the caller, everything stops after LIFETIME_S.
  setsid bash -c "sleep $LIFETIME_S; '$ROOT/deploy/up.sh' down --base '$BASE'" >/dev/null 2>&1 < /dev/null &
  echo $! >"$BASE/lifetime.pid"

  # 1. The monitor: pg_auto_failover's own PostgreSQL, which decides who is primary.
  logged "$BASE/logs/create-monitor.log" as_pg pg_autoctl create monitor --pgdata "$BASE/monitor" --pgport "$MONITOR_PORT" \
    --hostname 127.0.0.1 --listen 127.0.0.1 --auth trust --no-ssl
  run_node "$BASE/monitor" "$BASE/logs/monitor.log"
  wait_for "the monitor" 60 monitor_up
  if [[ $FAST == 1 ]]; then
    # Tests and demos: notice a dead primary in ~3 s and promote after ~5 s instead of ~60–80 s.
    monitor_super_sql "ALTER SYSTEM SET pgautofailover.health_check_period = 1000"
    monitor_super_sql "ALTER SYSTEM SET pgautofailover.health_check_timeout = 1000"
    monitor_super_sql "ALTER SYSTEM SET pgautofailover.health_check_max_retries = 1"
    monitor_super_sql "ALTER SYSTEM SET pgautofailover.health_check_retry_delay = 500"
    monitor_super_sql "ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = 3000"
    monitor_super_sql "ALTER SYSTEM SET pgautofailover.primary_demote_timeout = 5000"
    monitor_super_sql "SELECT pg_reload_conf()" >/dev/null
  fi

  # 2. Primary, then the standby (a base backup of the primary), both registered with the monitor.
  for i in 0 1; do
    local name="node$((i + 1))"
    logged "$BASE/logs/create-$name.log" as_pg pg_autoctl create postgres --pgdata "$BASE/$name" --pgport "${NODE_PORTS[$i]}" \
      --hostname 127.0.0.1 --name "$name" --dbname "$DBNAME" --monitor "$(monitor_uri)" --auth trust --no-ssl \
      --listen 127.0.0.1
    run_node "$BASE/$name" "$BASE/logs/$name.log"
    if [[ $i == 0 ]]; then
      wait_for "the primary" 120 node_is node1 single
    fi
  done
  wait_for "the synchronous standby" 180 node_is node2 secondary
  wait_for "the primary" 60 node_is node1 primary
  # HQ's account: the local `postgres` superuser over TCP, trusted on 127.0.0.1 only (see README for production).

  # 3. HQ processes, one after the other (the first loads the sample brand once), all with one signing key.
  local hq_cmd="${SHOPFLOOR_HQ_CMD:-node $ROOT/dist/sync/hq/cli.js}"
  local enrolment='' hq_pids=() hq_ports=()
  for ((n = 1; n <= HQS; n++)); do
    local port=$((PORT_BASE + 10 + n)) extra=()
    [[ $n == 1 ]] && extra=(--sample-skus "${SHOPFLOOR_SAMPLE_SKUS:-2000}" --sample-customers "${SHOPFLOOR_SAMPLE_CUSTOMERS:-200}" --enrol-store S001)
    mkdir -p "$BASE/hq$n"
    DATABASE_URL="$(database_url)" SHOPFLOOR_ADMIN_PASSWORD="${SHOPFLOOR_ADMIN_PASSWORD:-ha-demo-admin}" \
      setsid $hq_cmd --port "$port" --data-dir "$BASE/hq$n" --hq-key-file "$BASE/hq-signing-key.pem" \
      --trust-proxy 127.0.0.1 --lifetime-s "$LIFETIME_S" "${extra[@]}" >"$BASE/logs/hq$n.out" 2>"$BASE/logs/hq$n.log" < /dev/null &
    hq_pids+=($!)
    hq_ports+=("$port")
    echo $! >"$BASE/hq$n.pid"
    wait_for "HQ $n (see $BASE/logs/hq$n.log)" 180 hq_ready "$n" $!
    [[ $n == 1 ]] && enrolment=$(sed -n 's/^HQ_READY .*"enrolment":"\([^"]*\)".*/\1/p' "$BASE/logs/hq1.out")
  done

  # 4. haproxy: HTTP (or HTTPS) on one port, round robin over the HQs, /health checked every second.
  local bind="bind 127.0.0.1:$PROXY_PORT" scheme=http
  if [[ $TLS == 1 ]]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$BASE/tls-key.pem" \
      -out "$BASE/tls-cert.pem" -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost 2>/dev/null
    cat "$BASE/tls-cert.pem" "$BASE/tls-key.pem" >"$BASE/haproxy.pem"
    bind="$bind ssl crt $BASE/haproxy.pem alpn http/1.1"
    scheme=https
  fi
  sed -e "s#@BIND@#$bind#" -e "s#@STATS@#127.0.0.1:$STATS_PORT#" -e "s#@PIDFILE@#$BASE/haproxy.pid#" "$ROOT/deploy/haproxy.cfg" \
    >"$BASE/haproxy.cfg"
  for ((n = 1; n <= HQS; n++)); do
    echo "  server hq$n 127.0.0.1:${hq_ports[$((n - 1))]} check" >>"$BASE/haproxy.cfg"
  done
  haproxy -c -q -f "$BASE/haproxy.cfg"
  haproxy -D -f "$BASE/haproxy.cfg" </dev/null >/dev/null 2>>"$BASE/logs/haproxy.log"
  wait_for "haproxy" 30 curl -fsk "$scheme://127.0.0.1:$PROXY_PORT/health"

  local json
  json=$(printf '{"url":"%s://127.0.0.1:%s","databaseUrl":"%s","monitorUrl":"%s","enrolment":"%s","hqPids":[%s],"hqPorts":[%s],"nodePorts":[%s,%s],"base":"%s"}' \
    "$scheme" "$PROXY_PORT" "$(database_url)" "$(monitor_uri)" "$enrolment" "$(IFS=,; echo "${hq_pids[*]}")" \
    "$(IFS=,; echo "${hq_ports[*]}")" "${NODE_PORTS[0]}" "${NODE_PORTS[1]}" "$BASE")
  echo "$json" >"$BASE/cluster.json"
  echo "CLUSTER_READY $json"
}

# Ends one process by the pid in a file, if it still runs.
kill_pidfile() {
  local file="$1" signal="${2:-TERM}"
  [[ -f "$file" ]] || return 0
  local pid
  pid=$(head -1 "$file")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -"$signal" "$pid" 2>/dev/null || true
}

down() {
  [[ -d "$BASE" ]] || return 0
  kill_pidfile "$BASE/haproxy.pid"
  for f in "$BASE"/hq*.pid; do [[ -e "$f" ]] && kill_pidfile "$f"; done
  for name in node2 node1 monitor; do
    [[ -d "$BASE/$name" ]] || continue
    as_pg pg_autoctl stop --pgdata "$BASE/$name" --immediate >/dev/null 2>&1 || true
  done
  sleep 1
  # What did not stop: the keepers' process groups, the postmasters, by their recorded pids.
  for name in node2 node1 monitor; do
    local pid
    pid=$(keeper_pid "$BASE/$name" || true)
    [[ "$pid" =~ ^[0-9]+$ ]] && { kill -KILL -- "-$pid" 2>/dev/null || true; }
    [[ -f "$BASE/$name/postmaster.pid" ]] && kill_pidfile "$BASE/$name/postmaster.pid" KILL
  done
  for f in "$BASE"/hq*.pid; do [[ -e "$f" ]] && kill_pidfile "$f" KILL; done
  # The lifetime timer (its own process group, its sleep included) — unless this down is the timer's.
  local timer
  timer=$(head -1 "$BASE/lifetime.pid" 2>/dev/null || true)
  if [[ "$timer" =~ ^[0-9]+$ && "$(ps -o pgid= -p $$ | tr -d ' ')" != "$timer" ]]; then
    kill -KILL -- "-$timer" 2>/dev/null || true
  fi
  rm -rf "$BASE"
}

# kill -9 of the primary's machine: its keeper's whole process group and its postmaster.
kill_primary() {
  local line name port pgdata
  line=$(primary)
  [[ -n "$line" ]] || { echo "up.sh: no primary" >&2; exit 1; }
  read -r name port pgdata <<<"$line"
  local postmaster keeper
  postmaster=$(head -1 "$pgdata/postmaster.pid")
  keeper=$(keeper_pid "$pgdata")
  [[ "$keeper" =~ ^[0-9]+$ && "$postmaster" =~ ^[0-9]+$ ]] || { echo "up.sh: no pids for $name" >&2; exit 1; }
  # The keeper first (it would start PostgreSQL again), with its process group, then the postmaster.
  kill -KILL -- "-$keeper" 2>/dev/null || true
  kill -KILL "$postmaster" 2>/dev/null || true
  echo "killed $name (port $port, keeper $keeper, postmaster $postmaster)"
}

# The monitor's reported state of one node (single, primary, secondary, wait_primary, …).
state_of() {
  monitor_sql "SELECT reportedstate FROM pgautofailover.node WHERE nodename = '$1'" 2>/dev/null
}
# HQ n printed its ready line; a HQ that exited fails `up` at once, with the end of its log.
hq_ready() {
  grep -q HQ_READY "$BASE/logs/hq$1.out" 2>/dev/null && return 0
  if ! kill -0 "$2" 2>/dev/null; then
    echo "up.sh: HQ $1 exited; the end of $BASE/logs/hq$1.log:" >&2
    tail -n 25 "$BASE/logs/hq$1.log" >&2
    exit 1
  fi
  return 1
}
monitor_up() { monitor_sql "SELECT 1" >/dev/null 2>&1; }
node_is() { [[ "$(state_of "$1")" == "$2" ]]; }

case "$cmd" in
  up) up ;;
  down) down ;;
  kill-primary) kill_primary ;;
  state) monitor_sql "SELECT nodename || ' ' || reportedstate FROM pgautofailover.node ORDER BY nodeid" ;;
  *) echo "usage: deploy/up.sh up|down|kill-primary|state [--base DIR] …" >&2; exit 2 ;;
esac
