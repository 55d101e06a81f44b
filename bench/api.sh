#!/usr/bin/env bash
# bench api: throughput and tail latency of an authenticated API call against a peer endpoint of
# the same server. Run it as `./outreach2day bench api` (that builds the jar and sets JAVA_HOME).
#
# Starts its own sandbox server (fresh temp data dir, free loopback port, rate limit lifted), then
# with wrk (2 threads, 16 connections, --latency, warm-up first):
#   peer = GET /actuator/health        unauthenticated, the cheapest request the server answers
#   ours = GET /workspaces             with the bootstrap API key as a Bearer token
# Reports req/s and p99 of both, startup time to the first successful request and the server's
# resident memory. The last line is
#   bench api: ours=<req/s> req/s peer=<req/s> req/s ratio=<ours/peer, 2 decimals> goal=>=0.60
# and the exit code is 0 when that ratio is >= 0.60, else 1.
#
# Environment: BENCH_DURATION (s per measured run, default 15), BENCH_WARMUP (s per warm-up run,
# default 5, 0 skips it), O2D_JAVA_OPTS (extra JVM options), BENCH_JAR (defaults to the built jar).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_ROOT"

DURATION="${BENCH_DURATION:-15}"
WARMUP="${BENCH_WARMUP:-5}"
THREADS=2
CONNECTIONS=16
STARTUP_TIMEOUT=120   # seconds, from process start to health 200 and the bootstrap key on disk
GOAL=0.60
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "BENCH_DURATION must be a whole number of seconds >= 1, got '$DURATION'"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a whole number of seconds, got '$WARMUP'"

ensure_wrk
command -v curl >/dev/null 2>&1 || die "curl is missing"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/o2d-bench-api.XXXXXX")"
DATA_DIR="$TMP/data"
SERVER_LOG="$TMP/server.log"
mkdir -p "$DATA_DIR"

# Always: stop the server (and any embedded PostgreSQL it left under our data dir), show the end of
# its log when something failed, and remove the temp dir. Runs once, silently on success.
CLEANED=""
cleanup() {
  local rc=$? pid
  [ -n "$CLEANED" ] && return 0
  CLEANED=1
  trap - INT TERM
  if [ -n "$WRK_PID" ] && alive "$WRK_PID"; then kill -TERM "$WRK_PID" 2>/dev/null || true; wait "$WRK_PID" 2>/dev/null || true; fi
  if [ -n "$SERVER_PID" ]; then
    if alive "$SERVER_PID"; then
      stop_server "$SERVER_PID" 30
    else
      wait "$SERVER_PID" 2>/dev/null && pid=0 || pid=$?
      log "the server process had already exited (status $pid)"
    fi
  fi
  # An embedded PostgreSQL outlives a JVM that was killed: find its postmaster by our data dir on
  # its command line, then its backends as the postmaster's children.
  stop_leftovers "$TMP"
  if [ "$rc" -ne 0 ] && [ -s "$SERVER_LOG" ]; then
    echo "---- last 40 lines of the server log ----" >&2
    tail -n 40 "$SERVER_LOG" >&2 || true
    echo "-----------------------------------------" >&2
  fi
  rm -rf "$TMP"
  # On failure the last line still says so, in the same "bench api:" form.
  [ "$rc" -eq 0 ] || echo "bench api: FAILED (exit $rc): ${BENCH_FAILURE:-see the errors above}"
}
trap cleanup EXIT
trap 'BENCH_FAILURE="interrupted (SIGINT)"; exit 130' INT
trap 'BENCH_FAILURE="terminated (SIGTERM)"; exit 143' TERM

# ---- start the server and time it up to its first successful request -------------------------
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
log "starting $BENCH_JAR on $BASE (data dir $DATA_DIR)"
start_server "$SERVER_LOG" \
  O2D_HTTP_PORT="$PORT" O2D_DATA_DIR="$DATA_DIR" \
  O2D_RATE_LIMIT_RPS=1000000 O2D_RATE_LIMIT_BURST=1000000 O2D_MAIL_SMTP_PORT=0 O2D_MAIL_IMAP_PORT=0

if ! wait_http "$BASE/actuator/health" "$STARTUP_TIMEOUT" "$SERVER_PID"; then
  if alive "$SERVER_PID"; then die "server did not answer 200 on /actuator/health within ${STARTUP_TIMEOUT}s of starting"; fi
  wait "$SERVER_PID" && rc=0 || rc=$?
  SERVER_PID=""
  die "server exited with status $rc before answering /actuator/health"
fi
STARTUP_S="$(elapsed "$SERVER_STARTED_AT")"
log "first successful request after ${STARTUP_S}s"

KEY_FILE="$DATA_DIR/bootstrap-api-key"
left="$(awk -v t="$STARTUP_TIMEOUT" -v e="$(elapsed "$SERVER_STARTED_AT")" 'BEGIN { l = t - e; print (l < 5 ? 5 : int(l + 1)) }')"
wait_file "$KEY_FILE" "$left" "$SERVER_PID" || die "no bootstrap API key at $KEY_FILE within ${STARTUP_TIMEOUT}s of starting"
KEY="$(head -n 1 "$KEY_FILE" | tr -d '[:space:]')"
[ -n "$KEY" ] || die "$KEY_FILE holds no key"
AUTH="Authorization: Bearer $KEY"

code="$(http_status "$BASE/workspaces" -H "$AUTH")"
if [ "$code" != 200 ]; then
  curl -s --max-time 5 -H "$AUTH" "$BASE/workspaces" >&2 || true; echo >&2
  die "authenticated GET /workspaces answered $code, expected 200"
fi
code="$(http_status "$BASE/workspaces")"
[ "$code" = 200 ] && die "GET /workspaces without a key answered 200; the authenticated run would prove nothing"
log "GET /workspaces: 200 with the bootstrap key, $code without"

# ---- warm up, then measure ------------------------------------------------------------------
WRK_ARGS=(-t "$THREADS" -c "$CONNECTIONS" --latency)
if [ "$WARMUP" -gt 0 ]; then
  log "warm-up: ${WARMUP}s on each endpoint"
  run_wrk "$TMP/warm-peer.txt" "$WARMUP" "${WRK_ARGS[@]}" "$BASE/actuator/health"
  run_wrk "$TMP/warm-ours.txt" "$WARMUP" "${WRK_ARGS[@]}" -H "$AUTH" "$BASE/workspaces"
fi

log "peer: GET /actuator/health for ${DURATION}s"
run_wrk "$TMP/peer.txt" "$DURATION" "${WRK_ARGS[@]}" "$BASE/actuator/health"
show_wrk "$TMP/peer.txt"
log "ours: GET /workspaces (authenticated) for ${DURATION}s"
run_wrk "$TMP/ours.txt" "$DURATION" "${WRK_ARGS[@]}" -H "$AUTH" "$BASE/workspaces"
show_wrk "$TMP/ours.txt"

alive "$SERVER_PID" || die "the server exited during the benchmark"
RSS_KIB="$(rss_kib "$SERVER_PID")"
HWM_KIB="$(rss_kib "$SERVER_PID" peak)"
# Embedded PostgreSQL (sandbox mode): its postmaster names our data dir; add up it and its children.
PG_KIB=0; PG_PROCS=0
for pid in $(pids_mentioning "$DATA_DIR"); do
  [ "$pid" = "$SERVER_PID" ] && continue
  for p in "$pid" $(descendants "$pid"); do
    PG_KIB=$(( PG_KIB + $(pss_kib "$p") )); PG_PROCS=$(( PG_PROCS + 1 ))
  done
done

PEER_RPS="$(wrk_rps "$TMP/peer.txt")";  OURS_RPS="$(wrk_rps "$TMP/ours.txt")"
PEER_P99="$(wrk_p99_ms "$TMP/peer.txt")"; OURS_P99="$(wrk_p99_ms "$TMP/ours.txt")"
PEER_N="$(wrk_requests "$TMP/peer.txt")"; OURS_N="$(wrk_requests "$TMP/ours.txt")"
PEER_BAD="$(wrk_non2xx "$TMP/peer.txt")"; OURS_BAD="$(wrk_non2xx "$TMP/ours.txt")"
PEER_ERR="$(wrk_socket_errors "$TMP/peer.txt")"; OURS_ERR="$(wrk_socket_errors "$TMP/ours.txt")"

[ "$OURS_N" -gt 0 ] || die "the authenticated run completed no request"
[ "$PEER_N" -gt 0 ] || die "the peer run completed no request"
[ "$OURS_BAD" -eq 0 ] || die "the authenticated run got $OURS_BAD non-2xx responses out of $OURS_N (see the wrk output above)"
[ "$PEER_BAD" -eq 0 ] || die "the peer run (/actuator/health) got $PEER_BAD non-2xx responses out of $PEER_N"
[ "$PEER_ERR" -eq 0 ] || log "WARNING: $PEER_ERR socket errors in the peer run"
[ "$OURS_ERR" -eq 0 ] || log "WARNING: $OURS_ERR socket errors in the authenticated run"

RATIO="$(awk -v o="$OURS_RPS" -v p="$PEER_RPS" 'BEGIN { printf "%.2f", (p > 0 ? o / p : 0) }')"
P99_RATIO="$(awk -v o="$OURS_P99" -v p="$PEER_P99" 'BEGIN { if (p > 0) printf "%.2f", o / p; else print "n/a" }')"

# ---- report ---------------------------------------------------------------------------------
{
  echo
  echo "== bench api: ${DURATION}s per run, wrk ${THREADS} threads ${CONNECTIONS} connections, ${WARMUP}s warm-up each, $(nproc) CPUs shared with wrk =="
  printf '  %-44s %12s req/s   p99 %9s ms   (%s requests, %s non-2xx, %s socket errors)\n' \
    "peer  GET /actuator/health (no auth)" "$PEER_RPS" "$PEER_P99" "$PEER_N" "$PEER_BAD" "$PEER_ERR"
  printf '  %-44s %12s req/s   p99 %9s ms   (%s requests, %s non-2xx, %s socket errors)\n' \
    "ours  GET /workspaces (Bearer API key)" "$OURS_RPS" "$OURS_P99" "$OURS_N" "$OURS_BAD" "$OURS_ERR"
  printf '  %-44s %12s\n' "throughput ratio ours/peer" "$RATIO"
  printf '  %-44s %12s\n' "p99 ratio ours/peer" "$P99_RATIO"
  printf '  %-44s %12s s\n' "startup to first successful request" "$STARTUP_S"
  printf '  %-44s %12s MiB (peak %s MiB)\n' "server RSS after the runs (JVM)" "$(kib_to_mib "$RSS_KIB")" "$(kib_to_mib "$HWM_KIB")"
  if [ "$PG_PROCS" -gt 0 ]; then
    printf '  %-44s %12s MiB (PSS of %s processes)\n' "embedded PostgreSQL, besides the JVM" "$(kib_to_mib "$PG_KIB")" "$PG_PROCS"
  fi
}

# Stop the server and clean up now, so that nothing follows the last line.
cleanup
trap - EXIT

echo "bench api: ours=${OURS_RPS} req/s peer=${PEER_RPS} req/s ratio=${RATIO} goal=>=${GOAL}"
awk -v r="$RATIO" -v g="$GOAL" 'BEGIN { exit !(r + 0 >= g + 0) }'
