# shellcheck shell=bash disable=SC2034
# (SC2034: this file sets globals such as SERVER_PID for the scripts that source it.)
# Shared helpers for the benchmarks in bench/*.sh. Source it, do not run it:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Only bash, awk, curl, wrk and coreutils are used. Every wait is bounded in time and every
# address is on the loopback interface (127.0.0.1). Functions print their result on stdout;
# progress and errors go to stderr, so `x="$(fn ...)"` captures only the result.

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_JAR="${BENCH_JAR:-$BENCH_ROOT/target/outreach2day.jar}"

log()  { echo "[$(date +%H:%M:%S)] $*" >&2; }
# die MESSAGE: prints MESSAGE, keeps it in BENCH_FAILURE (for a final summary line) and exits 1.
BENCH_FAILURE=""
die()  { BENCH_FAILURE="$*"; echo "ERROR: $*" >&2; exit 1; }

# now: seconds since the epoch with nanoseconds, e.g. 1732896000.123456789
now() { date +%s.%N; }

# elapsed START [END]: END-START (END defaults to now) in seconds, 3 decimals.
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.3f", b - a }'; }

# ensure_wrk: installs wrk from Debian's packages when it is missing (we run as root).
ensure_wrk() {
  command -v wrk >/dev/null 2>&1 && return 0
  log "wrk not found; installing it from Debian ..."
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk; } >&2 \
    || die "could not install wrk (apt-get install wrk)"
  command -v wrk >/dev/null 2>&1 || die "wrk still missing after apt-get install"
}

# java_bin: the java to run the server with: $JAVA_HOME/bin/java (the launcher exports JAVA_HOME).
java_bin() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then echo "$JAVA_HOME/bin/java"; return; fi
  die "JAVA_HOME is not set to a JDK 25; run benchmarks through ./outreach2day bench <name>"
}

# port_in_use PORT: true when any TCP socket (v4 or v6, any state) on this machine uses PORT locally.
port_in_use() {
  local hex
  hex="$(printf '%04X' "$1")"
  awk -v p=":$hex" 'FNR > 1 && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# free_port: prints a TCP port that no socket uses. Picked at random in 20000-32767, below the
# kernel's ephemeral range, so wrk's own client sockets cannot take it meanwhile.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 12768 ))
    port_in_use "$port" || { echo "$port"; return 0; }
  done
  die "no free TCP port found in 20000-32767"
}

# server_app JAVA: the jar start_server runs: BENCH_JAR extracted to a plain class path, as
# ./outreach2day run does (the fat jar's nested-jar class loader froze the server on virtual
# threads, ADR 0010). The launcher's own target/app/ for the built jar; any other BENCH_JAR is
# extracted (again when it changed) into target/bench-app/.
server_app() {
  local java="$1" dir
  if [ "$BENCH_JAR" = "$BENCH_ROOT/target/outreach2day.jar" ]; then dir="$BENCH_ROOT/target/app"; else dir="$BENCH_ROOT/target/bench-app"; fi
  if [ ! -f "$dir/.extracted" ] || [ "$BENCH_JAR" -nt "$dir/.extracted" ] || [ "$(cat "$dir/.extracted")" != "$BENCH_JAR" ]; then
    rm -rf "$dir"
    "$java" -Djarmode=tools -jar "$BENCH_JAR" extract --destination "$dir" >/dev/null \
      || die "could not extract $BENCH_JAR (java -Djarmode=tools -jar ... extract)"
    echo "$BENCH_JAR" >"$dir/.extracted"
  fi
  echo "$dir/$(basename "$BENCH_JAR")"
}

# start_server LOGFILE [NAME=VALUE ...]: starts the server jar in the background with the given
# environment added (plus the server's JVM options, @jvm.options and then $O2D_JAVA_OPTS, like
# ./outreach2day run), stdout and
# stderr to LOGFILE. Sets SERVER_PID (the JVM's own pid) and SERVER_STARTED_AT (now, taken just
# before the process is started).
SERVER_PID=""
SERVER_STARTED_AT=""
start_server() {
  local logfile="$1"; shift
  local java
  java="$(java_bin)"
  [ -f "$BENCH_JAR" ] || die "$BENCH_JAR not found; build it with ./outreach2day build"
  local app
  app="$(server_app "$java")"
  SERVER_STARTED_AT="$(now)"
  # env execs java, so $! is the JVM's pid (what /proc/$pid/status and signals need).
  # shellcheck disable=SC2086
  env "$@" "$java" "@$BENCH_ROOT/jvm.options" ${O2D_JAVA_OPTS:-} -jar "$app" >"$logfile" 2>&1 &
  SERVER_PID=$!
  log "server started: pid $SERVER_PID, log $logfile"
}

# alive PID: true while the process exists and is not a zombie (read with bash alone: benchmarks
# call it in their polling loops, where every process started costs the measured side CPU).
alive() {
  local key value
  [ -n "$1" ] && [ -r "/proc/$1/status" ] || return 1
  while read -r key value; do
    [ "$key" = "State:" ] && { [[ "$value" != Z* ]]; return; }
  done 2>/dev/null <"/proc/$1/status"
  return 1
}

# us_now VAR: sets VAR to the wall clock in whole microseconds, from bash's EPOCHREALTIME (no
# process started; for polling loops).
us_now() { local t="$EPOCHREALTIME"; printf -v "$1" '%s' "${t//[.,]/}"; }

# us_s MICROSECONDS: prints them as seconds with 3 decimals.
us_s() { printf '%d.%03d' $(( $1 / 1000000 )) $(( $1 % 1000000 / 1000 )); }

# any_alive PID ...: true while at least one of the processes is alive.
any_alive() {
  local pid
  for pid in "$@"; do alive "$pid" && return 0; done
  return 1
}

# http_status URL [curl args ...]: prints the HTTP status code (000 when there is no answer).
http_status() {
  local url="$1"; shift
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" 2>/dev/null || true
}

# wait_http URL TIMEOUT_S PID [curl args ...]: polls URL every 50 ms until it answers 200.
# Fails after TIMEOUT_S seconds, or at once when PID (if not empty) has exited.
wait_http() {
  local url="$1" timeout="$2" pid="$3"; shift 3
  local start code
  start="$(now)"
  while :; do
    code="$(http_status "$url" "$@")"
    [ "$code" = 200 ] && return 0
    if [ -n "$pid" ] && ! alive "$pid"; then
      log "process $pid exited while waiting for $url"; return 1
    fi
    if awk -v e="$(elapsed "$start")" -v t="$timeout" 'BEGIN { exit !(e >= t) }'; then
      log "no 200 from $url within ${timeout}s (last status $code)"; return 1
    fi
    sleep 0.05
  done
}

# wait_file PATH TIMEOUT_S PID: waits until PATH exists and is not empty (same rules as wait_http).
wait_file() {
  local path="$1" timeout="$2" pid="$3" start
  start="$(now)"
  until [ -s "$path" ]; do
    if [ -n "$pid" ] && ! alive "$pid"; then log "process $pid exited while waiting for $path"; return 1; fi
    if awk -v e="$(elapsed "$start")" -v t="$timeout" 'BEGIN { exit !(e >= t) }'; then
      log "$path did not appear within ${timeout}s"; return 1
    fi
    sleep 0.05
  done
}

# pids_mentioning TEXT: pids (other than this shell's) whose command line contains TEXT, e.g. the
# embedded PostgreSQL processes that a sandbox server started under its temp data dir.
pids_mentioning() {
  local text="$1" d pid cmd
  [ -n "$text" ] || return 0
  for d in /proc/[0-9]*; do
    pid="${d#/proc/}"
    if [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ]; then continue; fi
    cmd="$( { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null )" || continue
    [[ "$cmd" == *"$text"* ]] && echo "$pid"
  done
  return 0
}

# descendants PID: the pids of all children of PID, their children and so on (not PID itself).
descendants() {
  awk -v root="$1" '
    FNR == 1 { sub(/.*\) /, ""); parent[FILENAME] = $2 }   # after "pid (comm) ": state ppid ...
    END {
      for (f in parent) { pid = f; gsub(/[^0-9]/, "", pid); kids[parent[f]] = kids[parent[f]] " " pid }
      todo = root
      while (todo != "") {
        split(todo, cur, " "); todo = ""
        for (i in cur) { n = split(kids[cur[i]], k, " "); for (j = 1; j <= n; j++) { print k[j]; todo = todo " " k[j] } }
      }
    }' /proc/[0-9]*/stat 2>/dev/null
  return 0
}

# stop_server PID [GRACE_S]: SIGTERM, waits up to GRACE_S seconds (default 30), then SIGKILL.
stop_server() {
  local pid="$1" grace="${2:-30}"
  alive "$pid" || return 0
  log "stopping server pid $pid (SIGTERM, up to ${grace}s) ..."
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $(( grace * 10 ))); do
    alive "$pid" || { wait "$pid" 2>/dev/null || true; log "server stopped"; return 0; }
    sleep 0.1
  done
  log "server pid $pid still running after ${grace}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# rss_kib PID: resident memory of PID in KiB (VmRSS from /proc/PID/status); VmHWM with "peak".
rss_kib() {
  local field=VmRSS
  [ "${2:-}" = peak ] && field=VmHWM
  awk -v f="$field:" '$1 == f { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$1/status" 2>/dev/null \
    || echo 0
}

# pss_kib PID: proportional set size of PID in KiB (shared pages split among their users), from
# /proc/PID/smaps_rollup; falls back to VmRSS. Use it to add up a group of processes that share
# memory, such as PostgreSQL's backends.
pss_kib() {
  awk '$1 == "Pss:" { print $2; found = 1; exit } END { if (!found) exit 1 }' "/proc/$1/smaps_rollup" 2>/dev/null \
    || rss_kib "$1"
}

# kib_to_mib KIB: MiB with one decimal.
kib_to_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# run_wrk OUTFILE DURATION_S [wrk args ...]: runs wrk (bounded by DURATION_S + 30 s) and keeps its
# output in OUTFILE. The URL goes last among the wrk args. wrk runs in the background while the
# shell waits for it, so a SIGTERM to the benchmark runs its traps at once; WRK_PID is the pid
# of the `timeout` wrapping wrk (killing it stops wrk too), for such a trap.
WRK_PID=""
run_wrk() {
  local out="$1" duration="$2" rc=0; shift 2
  timeout --kill-after=5 $(( duration + 30 )) wrk -d "${duration}s" "$@" >"$out" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  # The message names the URL only: the other arguments may hold a secret (an API key).
  [ "$rc" -eq 0 ] || { cat "$out" >&2; die "wrk failed (status $rc) on ${*: -1}"; }
}

# show_wrk FILE: wrk's output, indented, on stderr.
show_wrk() { sed 's/^/    /' "$1" >&2; }

# The parsers below read a file holding wrk's output (run with --latency).

# wrk_rps FILE: the "Requests/sec:" figure.
wrk_rps() { awk '$1 == "Requests/sec:" { print $2; found = 1 } END { if (!found) print 0 }' "$1"; }

# wrk_p99_ms FILE: the 99% line of the latency distribution, converted to ms (wrk prints us/ms/s/m/h).
wrk_p99_ms() {
  awk '
    /Latency Distribution/ { dist = 1; next }
    dist && $1 == "99%" {
      v = $2; n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
      f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
      if (f < 0) { print "unknown wrk time unit in " v > "/dev/stderr"; exit 1 }
      printf "%.3f\n", n * f; found = 1; exit
    }
    END { if (!found) print "NaN" }' "$1"
}

# wrk_requests FILE: the total request count ("N requests in ...").
wrk_requests() { awk '$2 == "requests" && $3 == "in" { print $1; found = 1 } END { if (!found) print 0 }' "$1"; }

# wrk_non2xx FILE: responses that were neither 2xx nor 3xx ("Non-2xx or 3xx responses: N"), else 0.
wrk_non2xx() { awk '/Non-2xx or 3xx responses:/ { print $NF; found = 1 } END { if (!found) print 0 }' "$1"; }

# wrk_socket_errors FILE: connect+read+write+timeout errors ("Socket errors: connect 0, read 0, ...").
wrk_socket_errors() {
  awk '/Socket errors:/ { gsub(/,/, ""); for (i = 3; i <= NF; i += 2) s += $(i + 1) } END { print s + 0 }' "$1"
}

# stop_leftovers DIR: stops what still runs with DIR on its command line and its children (an
# embedded PostgreSQL outlives a JVM that was killed): SIGTERM, up to 5 s, then SIGKILL.
stop_leftovers() {
  local -a leftovers
  local pid
  mapfile -t leftovers < <(pids_mentioning "$1")
  [ "${#leftovers[@]}" -gt 0 ] || return 0
  mapfile -t -O "${#leftovers[@]}" leftovers < <(for pid in "${leftovers[@]}"; do descendants "$pid"; done)
  log "stopping leftover processes under $1: ${leftovers[*]}"
  for pid in "${leftovers[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do any_alive "${leftovers[@]}" || break; sleep 0.1; done
  for pid in "${leftovers[@]}"; do if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi; done
  return 0
}

# api METHOD PATH [JSON]: calls $BASE$PATH with the $AUTH header; the response body goes to $RESP
# (set by the caller); any status but 2xx fails the bench. API_TIMEOUT: seconds (default 60).
api() {
  local method="$1" path="$2" data="${3:-}" code
  local -a args=(-s -S --max-time "${API_TIMEOUT:-60}" -X "$method" -H "$AUTH" -o "$RESP" -w '%{http_code}')
  [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  code="$(curl "${args[@]}" "$BASE$path" 2>"$RESP.curl-err")" || code="000 ($(head -c 300 "$RESP.curl-err"))"
  if [[ "$code" != 2?? ]]; then
    echo "$method $path answered $code: $(head -c 3000 "$RESP" 2>/dev/null)" >&2
    [[ "$code" == 000* ]] && keep_server_state "$method $path gave no answer"
    die "$method $path answered ${code%% *} (expected 2xx)"
  fi
}

# keep_server_state REASON: when the server stops answering, keeps what explains it before the
# run's directory is removed: a dump of every thread, virtual ones included (jcmd
# Thread.dump_to_file), and the server log, under target/bench-state/. Says where.
keep_server_state() {
  local out
  [ -n "${SERVER_PID:-}" ] && alive "$SERVER_PID" || return 0
  out="$BENCH_ROOT/target/bench-state/$(date -u +%Y%m%dT%H%M%SZ)-$SERVER_PID"
  mkdir -p "$out" || return 0
  "${JAVA_HOME:-/usr}/bin/jcmd" "$SERVER_PID" Thread.dump_to_file -format=text "$out/threads.txt" >/dev/null 2>&1 || true
  [ -n "${SERVER_LOG:-}" ] && cp "$SERVER_LOG" "$out/server.log" 2>/dev/null
  echo "$1: thread dump and server log kept in $out" >&2
  return 0
}
# json_str KEY < JSON: the first "KEY":"value"; json_num KEY < JSON: the first "KEY":<integer>.
json_str() { grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | sed 's/^"[^"]*":"//; s/"$//'; }
json_num() { grep -o "\"$1\":[0-9]*" | head -n 1 | sed 's/^"[^"]*"://'; }

# stop_pid PID: stops a helper process of a benchmark (SIGTERM) and waits for it; nothing when PID
# is empty or the process is gone.
stop_pid() {
  if [ -n "$1" ] && alive "$1"; then kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; fi
  return 0
}

# stop_server_and_leftovers DIR [GRACE_S]: stops SERVER_PID (SIGKILL after GRACE_S, default 30;
# says so when it had already exited), clears it, then stops any embedded PostgreSQL left under DIR
# (it outlives a JVM that was killed).
stop_server_and_leftovers() {
  local rc dir="$1" grace="${2:-30}"
  if [ -n "$SERVER_PID" ]; then
    if alive "$SERVER_PID"; then
      stop_server "$SERVER_PID" "$grace"
    else
      wait "$SERVER_PID" 2>/dev/null && rc=0 || rc=$?
      log "the server process had already exited (status $rc)"
    fi
    SERVER_PID=""
  fi
  stop_leftovers "$dir"
  return 0
}

# finish_bench NAME RC DIR: the end of a benchmark's EXIT trap, after its processes are stopped: on
# failure the last 40 lines of SERVER_LOG; DIR removed; and on failure, unless the report was
# printed (REPORTED), a last line "bench NAME: FAILED (exit RC): <reason>" in the usual form.
finish_bench() {
  local name="$1" rc="$2" dir="$3"
  if [ "$rc" -ne 0 ] && [ -n "${SERVER_LOG:-}" ] && [ -s "$SERVER_LOG" ]; then
    echo "---- last 40 lines of the server log ----" >&2
    tail -n 40 "$SERVER_LOG" >&2 || true
    echo "-----------------------------------------" >&2
  fi
  rm -rf "$dir"
  [ "$rc" -eq 0 ] || [ -n "${REPORTED:-}" ] || echo "bench $name: FAILED (exit $rc): ${BENCH_FAILURE:-see the errors above}"
  return 0
}

# bench_traps NAME DIR STOP_FUNCTION: installs a benchmark's traps. On EXIT, once: STOP_FUNCTION
# (stops the benchmark's own processes, called with a grace of 15 s), then finish_bench NAME RC DIR.
# SIGINT/SIGTERM exit with 130/143 and say so in the FAILED line. Call bench_cleanup at the end of
# a run to do the same before the report's exit status is decided.
BENCH_CLEANED=""
bench_traps() {
  BENCH_NAME="$1"; BENCH_DIR="$2"; BENCH_STOP="$3"
  trap bench_cleanup EXIT
  trap 'BENCH_FAILURE="interrupted (SIGINT)"; exit 130' INT
  trap 'BENCH_FAILURE="terminated (SIGTERM)"; exit 143' TERM
}

bench_cleanup() {
  # shellcheck disable=SC2320  # the exit status of the script (or of the report block before the call)
  local rc=$?
  [ -n "$BENCH_CLEANED" ] && return 0
  BENCH_CLEANED=1
  trap - INT TERM
  "$BENCH_STOP" 15
  finish_bench "$BENCH_NAME" "$rc" "$BENCH_DIR"
}
