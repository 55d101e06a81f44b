#!/usr/bin/env bash
# bench webhooks: webhook delivery throughput of the server against a bare JDK HttpClient loop
# posting the same bodies, and the delay of healthy deliveries while a failing and a slow endpoint
# misbehave. Run it as `./outreach2day bench webhooks` (that builds the jar and sets JAVA_HOME).
#
# One sandbox server (own temp data dir, free loopback ports, rate limits lifted,
# O2D_WEBHOOKS_ALLOW_PRIVATE_TARGETS=true so loopback receivers are allowed). Everything else is
# bench/WebhookBench.java (JDK only, run as a single-file program), which in its own JVM:
#   receivers  20 HTTP servers on loopback ports: 18 healthy (200 at once), 1 failing (always 500),
#              1 slow (200 after BENCH_SLOW_SECONDS); each keeps the first arrival of every
#              webhook-id and counts repeats; signatures are verified after the runs;
#   setup      one subscription per receiver (POST /campaigns/webhooks/subscriptions), secret kept;
#   warm-up    (untimed) BENCH_WARMUP test events to the healthy subscriptions, delivered;
#   ours       all 20 paused, BENCH_EVENTS test events queued (POST …/subscriptions/{id}/test,
#              spread evenly, BENCH_QUEUE_THREADS calls at once), all 20 resumed: ours = healthy
#              deliveries / seconds from the first resume call to the last healthy arrival (bounded
#              by BENCH_DELIVERY_TIMEOUT); every healthy receiver must get exactly its events;
#   peer       the same bodies posted to the 18 healthy receivers by one virtual thread each, one
#              after the other, over one HttpClient (HTTP/1.1), after an untimed warm-up:
#              peer = posts / seconds;
#   latency    all 20 active; BENCH_RATE events/s for BENCH_LATENCY_SECONDS, round-robin over the
#              20: p50/p99/max of the delay from just before the queueing call to the arrival at a
#              healthy receiver (waiting at most BENCH_LATENCY_WAIT s after the last call).
#
# Report (stdout), ending with
#   webhooks latency: p50=<ms> ms p99=<ms> ms max=<ms> ms (healthy receivers, <n> of <m> events at <r>/s, failing ones backing off)
#   bench webhooks: ours=<deliveries/s> deliveries/s peer=<deliveries/s> deliveries/s ratio=<ours/peer> goal=>=0.50
# Exit code 0 when the ratio is >= 0.50 and the checks pass (every healthy event delivered in time,
# no bad signature, no stale timestamp), else 1. When the benchmark cannot finish, the last line is
# `bench webhooks: FAILED (exit N): <reason>`.
#
# Environment: BENCH_EVENTS (default 100000), BENCH_RATE (events/s in the latency run, default
# 200), BENCH_LATENCY_SECONDS (default 15), BENCH_LATENCY_WAIT (s, default 60),
# BENCH_DELIVERY_TIMEOUT (s from the first resume, default 600), BENCH_WARMUP (events, default
# 2000, 0 skips both warm-ups), BENCH_QUEUE_THREADS (default 8), BENCH_SLOW_SECONDS (default 5),
# O2D_JAVA_OPTS (extra server JVM options), BENCH_PEER_JAVA_OPTS (extra JVM options of
# WebhookBench), BENCH_JAR (defaults to the built jar).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_ROOT"

EVENTS="${BENCH_EVENTS:-100000}"
RATE="${BENCH_RATE:-200}"
LATENCY_SECONDS="${BENCH_LATENCY_SECONDS:-15}"
LATENCY_WAIT="${BENCH_LATENCY_WAIT:-60}"
DELIVERY_TIMEOUT="${BENCH_DELIVERY_TIMEOUT:-600}"
WARMUP="${BENCH_WARMUP:-2000}"
QUEUE_THREADS="${BENCH_QUEUE_THREADS:-8}"
SLOW_SECONDS="${BENCH_SLOW_SECONDS:-5}"
STARTUP_TIMEOUT=120   # seconds, from process start to health 200 and the bootstrap key on disk
RECEIVERS=20          # 18 healthy, 1 failing, 1 slow (fixed in WebhookBench.java)
GOAL=0.50
for v in EVENTS RATE LATENCY_SECONDS LATENCY_WAIT DELIVERY_TIMEOUT QUEUE_THREADS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a whole number >= 1, got '${!v}'"
done
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a whole number, got '$WARMUP'"
[[ "$SLOW_SECONDS" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "BENCH_SLOW_SECONDS must be a number of seconds, got '$SLOW_SECONDS'"
[ "$QUEUE_THREADS" -le 256 ] || die "BENCH_QUEUE_THREADS must be at most 256"
[ "$EVENTS" -ge "$RECEIVERS" ] || die "BENCH_EVENTS must be at least $RECEIVERS"
if [ $(( EVENTS % RECEIVERS )) -ne 0 ]; then
  EVENTS=$(( EVENTS / RECEIVERS * RECEIVERS ))
  log "BENCH_EVENTS lowered to $EVENTS: the same number for each of the $RECEIVERS subscriptions"
fi
LATENCY_EVENTS=$(( RATE * LATENCY_SECONDS ))
[ "$LATENCY_EVENTS" -le 1000000 ] || die "BENCH_RATE x BENCH_LATENCY_SECONDS must be at most 1000000"

command -v curl >/dev/null 2>&1 || die "curl is missing"
JAVA="$(java_bin)"
[ -f "$BENCH_JAR" ] || die "$BENCH_JAR not found; build it with ./outreach2day build"
# WebhookBench's own bounds add up to less than this; it is only a safety net.
BENCH_BOUND=$(( 300 + (EVENTS / 20 > 600 ? EVENTS / 20 : 600) + DELIVERY_TIMEOUT + 2 * 600 + LATENCY_SECONDS * 2 + LATENCY_WAIT + 600 ))

TMP="$(mktemp -d "${TMPDIR:-/tmp}/o2d-bench-webhooks.XXXXXX")"
SERVER_LOG="$TMP/server.log"
BENCH_PID=""

# stop_everything [GRACE_S]: stops WebhookBench, the server (SIGKILL after GRACE_S, default 30)
# and any embedded PostgreSQL left under our temp dir.
stop_everything() {
  stop_pid "$BENCH_PID"; BENCH_PID=""
  stop_server_and_leftovers "$TMP" "${1:-30}"
}
bench_traps webhooks "$TMP" stop_everything

# result_field PREFIX NAME: NAME=<value> from WebhookBench's result line starting with "PREFIX: ".
result_field() { sed -n "s/^$1: \\(.* \\)\\{0,1\\}$2=\\([^ ]*\\).*/\\2/p" "$TMP/bench.out" | head -n 1; }

# ---- the server ---------------------------------------------------------------------------------
mkdir -p "$TMP/data"
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
log "starting the server on $BASE (data dir $TMP/data)"
start_server "$SERVER_LOG" \
  O2D_HTTP_PORT="$PORT" O2D_DATA_DIR="$TMP/data" O2D_PUBLIC_URL="$BASE" \
  O2D_RATE_LIMIT_RPS=1000000 O2D_RATE_LIMIT_BURST=1000000 O2D_MAIL_SMTP_PORT=0 O2D_MAIL_IMAP_PORT=0 O2D_DNS_PORT=0 \
  O2D_WEBHOOKS_ENABLED=true O2D_WEBHOOKS_ALLOW_PRIVATE_TARGETS=true
if ! wait_http "$BASE/actuator/health" "$STARTUP_TIMEOUT" "$SERVER_PID"; then
  alive "$SERVER_PID" && die "server did not answer 200 on /actuator/health within ${STARTUP_TIMEOUT}s"
  die "server exited before answering /actuator/health"
fi
log "server up after $(elapsed "$SERVER_STARTED_AT")s"
KEY_FILE="$TMP/data/bootstrap-api-key"
left="$(awk -v t="$STARTUP_TIMEOUT" -v e="$(elapsed "$SERVER_STARTED_AT")" 'BEGIN { l = t - e; print (l < 5 ? 5 : int(l + 1)) }')"
wait_file "$KEY_FILE" "$left" "$SERVER_PID" || die "no bootstrap API key at $KEY_FILE"

# ---- WebhookBench: receivers, setup, ours, the peer, latency ------------------------------------
# The key goes as a file name, not on the command line (where ps would show it).
FROM_LINE="$(wc -l <"$SERVER_LOG")"
log "running bench/WebhookBench.java: $EVENTS events to $RECEIVERS receivers, then $LATENCY_EVENTS at $RATE/s (bounded by ${BENCH_BOUND}s)"
rc=0
# shellcheck disable=SC2086
timeout --kill-after=5 "$BENCH_BOUND" "$JAVA" ${BENCH_PEER_JAVA_OPTS:-} bench/WebhookBench.java \
  --base "$BASE" --key-file "$KEY_FILE" --events "$EVENTS" --rate "$RATE" --latency-seconds "$LATENCY_SECONDS" \
  --latency-wait "$LATENCY_WAIT" --timeout "$DELIVERY_TIMEOUT" --warmup "$WARMUP" --queue-threads "$QUEUE_THREADS" \
  --slow-seconds "$SLOW_SECONDS" >"$TMP/bench.out" &
BENCH_PID=$!
wait "$BENCH_PID" || rc=$?
BENCH_PID=""
sed 's/^/    /' "$TMP/bench.out" >&2
[ "$rc" -ne 124 ] || die "WebhookBench did not finish within ${BENCH_BOUND}s"
[ "$rc" -eq 0 ] || die "WebhookBench failed (status $rc; see its errors above)"
alive "$SERVER_PID" || die "the server exited during the run"

OURS="$(result_field ours rate)";           PEER="$(result_field peer rate)"
{ [ -n "$OURS" ] && [ -n "$PEER" ]; } || die "no ours/peer result line from WebhookBench"
OURS_N="$(result_field ours deliveries)";   OURS_EXPECTED="$(result_field ours expected)"
OURS_S="$(result_field ours seconds)";      OURS_FIRST="$(result_field ours first)"
COMPLETE="$(result_field ours complete)";   MISSING="$(result_field ours missing)"
INV1="$(result_field ours inversions)"
FAIL_REQ="$(result_field ours failing_requests)"; FAIL_EV="$(result_field ours failing_events)"
SLOW_REQ="$(result_field ours slow_requests)"
PEER_N="$(result_field peer deliveries)";   PEER_S="$(result_field peer seconds)"
PEER_FAILED="$(result_field peer failed)";  PEER_REPEATED="$(result_field peer repeated)"
PEER_WARM="$(result_field peer warmup)"
Q_RATE="$(result_field queue rate)";        Q_S="$(result_field queue seconds)"
WARM_S="$(result_field warmup seconds)"
P50="$(result_field latency p50)";          P99="$(result_field latency p99)";   PMAX="$(result_field latency max)"
L_HEALTHY="$(result_field latency healthy)"; L_MISSING="$(result_field latency missing)"
L_QP99="$(result_field latency queue_p99)"; INV2="$(result_field latency inversions)"
L_FAIL_REQ="$(result_field latency failing_requests)"; L_SLOW_REQ="$(result_field latency slow_requests)"
SIGNED="$(result_field checks signed)";     BAD="$(result_field checks bad_signatures)"
STALE="$(result_field checks stale_timestamps)"; DUPS="$(result_field checks duplicates)"
UNKNOWN="$(result_field checks unknown)";   NO_ID="$(result_field checks no_id)"
{ [ -n "$BAD" ] && [ -n "$P99" ]; } || die "no latency/checks result line from WebhookBench"

# WARN/ERROR lines the server logged during the run (the first ones on stderr).
WARNINGS="$(tail -n +"$(( FROM_LINE + 1 ))" "$SERVER_LOG" | grep -c -E ' (WARN|ERROR) ' || true)"
if [ "${WARNINGS:-0}" -gt 0 ]; then
  log "$WARNINGS WARN/ERROR line(s) in the server log during the run, the first ones:"
  tail -n +"$(( FROM_LINE + 1 ))" "$SERVER_LOG" | grep -E ' (WARN|ERROR) ' | head -n 5 | cut -c 1-400 >&2
fi

RATIO="$(awk -v o="$OURS" -v p="$PEER" 'BEGIN { printf "%.2f", (p > 0 ? o / p : 0) }')"
FAILED_CHECKS=""
[ "$COMPLETE" = 1 ] || FAILED_CHECKS+="; ours did not deliver every healthy event within ${DELIVERY_TIMEOUT}s ($MISSING missing)"
[ "$BAD" = 0 ] || FAILED_CHECKS+="; $BAD bad signature(s)"
[ "$STALE" = 0 ] || FAILED_CHECKS+="; $STALE stale timestamp(s) (a receiver would reject them)"
[ "$PEER_FAILED" = 0 ] || FAILED_CHECKS+="; $PEER_FAILED failed peer post(s)"
FAILED_CHECKS="${FAILED_CHECKS#; }"
LATENCY_NOTE=""   # for the report line
LATENCY_TAIL=""   # for the latency line before the last one
if [ "$L_MISSING" != 0 ]; then
  LATENCY_NOTE="; $L_MISSING of $L_HEALTHY never arrived within ${LATENCY_WAIT}s and count with the time waited, a lower bound"
  LATENCY_TAIL="; $L_MISSING never arrived within ${LATENCY_WAIT}s: lower bounds"
fi
[ "$COMPLETE" = 1 ] || LATENCY_NOTE+="; it started behind the $MISSING healthy events ours had not delivered"

# ---- report ---------------------------------------------------------------------------------
{
  echo
  echo "== bench webhooks: $EVENTS events to $RECEIVERS receivers (18 healthy, 1 answering 500, 1 answering after ${SLOW_SECONDS}s), $(nproc) CPUs shared =="
  printf '  %-50s %10s deliveries/s  (%s of %s in %ss from the first resume; first arrival after %ss)\n' \
    "ours  the server, to the 18 healthy receivers" "$OURS" "$OURS_N" "$OURS_EXPECTED" "$OURS_S" "$OURS_FIRST"
  printf '  %-50s %10s deliveries/s  (%s posts in %ss, %s failed%s; warm-up %s posts)\n' \
    "peer  bare HttpClient loop, same bodies, 18 threads" "$PEER" "$PEER_N" "$PEER_S" "$PEER_FAILED" \
    "$( [ "$PEER_REPEATED" = 0 ] || echo ", $PEER_REPEATED bodies reused for what ours did not deliver")" "$PEER_WARM"
  printf '  %-50s %10s\n' "throughput ratio ours/peer" "$RATIO"
  printf '  %-50s %10s events/s      (%s test events in %ss, %s calls at once; warm-up %ss)\n' \
    "queueing  POST .../subscriptions/{id}/test" "$Q_RATE" "$EVENTS" "$Q_S" "$QUEUE_THREADS" "${WARM_S:-0}"
  printf '  %-50s p50 %s ms, p99 %s ms, max %s ms (%s healthy events; queueing call p99 %s ms%s)\n' \
    "latency  queueing call -> arrival, $RATE/s" "$P50" "$P99" "$PMAX" "$L_HEALTHY" "$L_QP99" "$LATENCY_NOTE"
  printf '  %-50s %s attempts for %s of its %s events during ours, %s during the latency run\n' \
    "failing receiver (500)" "$FAIL_REQ" "$FAIL_EV" "$(( EVENTS / RECEIVERS ))" "$L_FAIL_REQ"
  printf '  %-50s %s deliveries of its %s during ours, %s during the latency run\n' \
    "slow receiver (${SLOW_SECONDS}s)" "$SLOW_REQ" "$(( EVENTS / RECEIVERS ))" "$L_SLOW_REQ"
  printf '  %-50s %s deliveries verified: %s bad signatures, %s stale timestamps, %s repeats, %s unknown ids, %s without webhook-id\n' \
    "checks" "$SIGNED" "$BAD" "$STALE" "$DUPS" "$UNKNOWN" "$NO_ID"
  printf '  %-50s %s during ours, %s during the latency run (healthy and slow receivers)\n' \
    "deliveries out of event order" "$INV1" "$INV2"
  printf '  %-50s %s\n' "server log WARN/ERROR lines during the run" "$WARNINGS"
  [ -z "$FAILED_CHECKS" ] || printf '  %-50s %s\n' "FAILED CHECKS" "$FAILED_CHECKS"
}

# Stop the server and clean up now, so that nothing follows the last lines.
bench_cleanup
trap - EXIT
REPORTED=1
echo "webhooks latency: p50=$P50 ms p99=$P99 ms max=$PMAX ms (healthy receivers, $L_HEALTHY of $LATENCY_EVENTS events at $RATE/s, failing ones backing off$LATENCY_TAIL)"
echo "bench webhooks: ours=$OURS deliveries/s peer=$PEER deliveries/s ratio=$RATIO goal=>=$GOAL"
[ -z "$FAILED_CHECKS" ] && awk -v r="$RATIO" -v g="$GOAL" 'BEGIN { exit !(r + 0 >= g + 0) }'
