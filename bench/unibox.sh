#!/usr/bin/env bash
# bench unibox: the Unibox's inbox sync against a bare IMAP loop (ingest), and its thread list at
# depth against its first page (listing). Run it as `./outreach2day bench unibox` (that builds the
# jar and sets JAVA_HOME).
#
# Each case runs on a fresh sandbox server (own temp data dir, free loopback ports, rate limits
# lifted), stopped before the next case starts:
#
# ingest (O2D_SYNC_ENABLED=true, O2D_SYNC_INTERVAL=PT2S, O2D_SYNC_CONCURRENCY=BENCH_CONCURRENCY):
#   setup  through the API: test card, capacity, one bought domain (no mailboxes yet);
#   load   bench/UniboxPeer.java `load` (not rated): BENCH_MAILBOXES x BENCH_MESSAGES messages over
#          SMTP without AUTH to BENCH_MAILBOXES addresses on the bought domain, BEFORE they are
#          mailboxes: the built-in server (GreenMail) creates each account on arrival, login =
#          password = the address (checked over IMAP before the peer runs). BENCH_REPLY_PERCENT % of
#          each mailbox's messages answer an earlier one of the same mailbox (In-Reply-To,
#          References, "Re: ..."); ~2-4 KB multipart text + HTML, 256 senders at 16 companies;
#   warm   BENCH_WARMUP_MAILBOXES more mailboxes (warm001@…) are loaded the same way and read
#          untimed by both sides before they are timed: the peer reads them in its JVM, ours syncs
#          them as mailboxes of its own and waits until they are stored (each side's JIT);
#   peer   UniboxPeer `read`: logs in to each mailbox (login = password = the address), opens INBOX
#          read-only and fetches every message whole (FetchProfile UID + MESSAGE, batches of 100 like
#          the server's sync), reading its bytes and storing nothing; BENCH_CONCURRENCY mailboxes at
#          once; peer = messages / seconds from the first login to the last logout;
#   ours   POST /mailboxes with every address and "password": <the address> (so the stored IMAP
#          login matches the GreenMail account), then GET /threads/debug every 500 ms until the
#          folders' `messages` add up to every message: ours = messages / seconds from the create
#          call to the answer that shows the last one stored (new mailboxes are synced at once);
#   check  GET /threads?mode=full paged to the end: the thread count must equal the messages that
#          start a thread, and the threads' message_count must add up to every message; the same
#          counts straight from PostgreSQL.
# listing (O2D_SYNC_ENABLED=false: nothing to sync):
#   data   BENCH_LIST_MESSAGES messages as BENCH_LIST_MESSAGES / 2 threads of 2 (our campaign email
#          in Sent, the prospect's reply in INBOX) inserted with psql into the embedded PostgreSQL
#          (INSERT ... SELECT generate_series) in the bootstrap key's workspace, ids formatted and
#          ordered like real ones, spread over 100 mailbox ids; then VACUUM (ANALYZE) + CHECKPOINT;
#   walk   GET /threads?limit=50 and then its next_cursor, page after page, to BENCH_LIST_DEPTH
#          threads deep (checked: the first thread there is the expected one);
#   rated  wrk (2 threads, BENCH_LIST_CONNECTIONS connections, --latency) for BENCH_LIST_DURATION s
#          on the first page and on that deep page (each after BENCH_LIST_WARMUP s of warm-up):
#          p50/p99 of both; ours = deep p99, peer = first-page p99.
#
# Report lines (stdout), the last one repeating the ingest case:
#   bench unibox-ingest: ours=<msg/s> msg/s peer=<msg/s> msg/s ratio=<ours/peer> goal=>=0.50
#   bench unibox-listing: ours=<deep p99 ms> ms peer=<first-page p99 ms> ms ratio=<deep/first> goal=<=2.00
#   bench unibox: ours=<msg/s> msg/s peer=<msg/s> msg/s ratio=<ours/peer> goal=>=0.50
# (with BENCH_CASES=listing alone, the last line repeats the listing case). Exit code 0 when every
# case run meets its goal (and its checks pass), else 1. When the benchmark cannot finish, the last
# line is `bench unibox: FAILED (exit N): <reason>`.
#
# Environment: BENCH_MAILBOXES (default 100), BENCH_MESSAGES (per mailbox, default 1000),
# BENCH_REPLY_PERCENT (default 30), BENCH_WARMUP_MAILBOXES (untimed warm-up mailboxes of both sides,
# default 1, 0-10), BENCH_CONCURRENCY (mailboxes synced / read at once, ours and the
# peer, default 8), BENCH_LOAD_THREADS (loader SMTP connections, default 8), BENCH_LIST_MESSAGES
# (default 1000000), BENCH_LIST_DEPTH (threads deep, default 10000), BENCH_LIST_DURATION (s per rated
# wrk run, default 15), BENCH_LIST_WARMUP (s of wrk warm-up per URL, default 5, 0 skips it),
# BENCH_LIST_CONNECTIONS (default 16), BENCH_CASES (default "ingest listing"), BENCH_INGEST_TIMEOUT
# (s from the create call to wait for ours, default 3600; when it runs out ours is rated on what was
# stored and the case fails), BENCH_STALL_TIMEOUT (s without a change in the stored count after which
# ours stops waiting the same way, default 300), BENCH_PEER_TIMEOUT (s for the loader and for the peer, each, default
# 1200), BENCH_SQL_TIMEOUT (s per psql step, default 1800), O2D_JAVA_OPTS (extra server JVM options),
# BENCH_PEER_JAVA_OPTS (extra loader/peer JVM options), BENCH_JAR (defaults to the built jar).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_ROOT"

MAILBOXES="${BENCH_MAILBOXES:-100}"
PER_MAILBOX="${BENCH_MESSAGES:-1000}"
REPLY_PERCENT="${BENCH_REPLY_PERCENT:-30}"
CONCURRENCY="${BENCH_CONCURRENCY:-8}"
LOAD_THREADS="${BENCH_LOAD_THREADS:-8}"
LIST_MESSAGES="${BENCH_LIST_MESSAGES:-1000000}"
LIST_DEPTH="${BENCH_LIST_DEPTH:-10000}"
LIST_DURATION="${BENCH_LIST_DURATION:-15}"
LIST_WARMUP="${BENCH_LIST_WARMUP:-5}"
LIST_CONNECTIONS="${BENCH_LIST_CONNECTIONS:-16}"
CASES="${BENCH_CASES:-ingest listing}"
WARMUP_MAILBOXES="${BENCH_WARMUP_MAILBOXES:-1}"
INGEST_TIMEOUT="${BENCH_INGEST_TIMEOUT:-3600}"
STALL_TIMEOUT="${BENCH_STALL_TIMEOUT:-300}"
PEER_TIMEOUT="${BENCH_PEER_TIMEOUT:-1200}"
SQL_TIMEOUT="${BENCH_SQL_TIMEOUT:-1800}"
STARTUP_TIMEOUT=120   # seconds, from process start to health 200 and the bootstrap key on disk
POLL_S=0.5            # how often GET /threads/debug is asked while ours syncs
PAGE=50               # threads per page in the listing case
IMAP_BATCH=100        # messages per FETCH: the server's o2d.sync.batch, and the peer's
GOAL_INGEST=0.50
GOAL_LISTING=2.00
DOMAIN="o2d-bench-unibox.com"
for v in MAILBOXES PER_MAILBOX CONCURRENCY LOAD_THREADS LIST_MESSAGES LIST_DEPTH LIST_DURATION LIST_CONNECTIONS INGEST_TIMEOUT \
    STALL_TIMEOUT PEER_TIMEOUT SQL_TIMEOUT; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a whole number >= 1, got '${!v}'"
done
{ [[ "$REPLY_PERCENT" =~ ^[0-9]+$ ]] && [ "$REPLY_PERCENT" -le 90 ]; } || die "BENCH_REPLY_PERCENT must be a whole number 0-90, got '$REPLY_PERCENT'"
[[ "$LIST_WARMUP" =~ ^[0-9]+$ ]] || die "BENCH_LIST_WARMUP must be a whole number, got '$LIST_WARMUP'"
{ [[ "$WARMUP_MAILBOXES" =~ ^[0-9]+$ ]] && [ "$WARMUP_MAILBOXES" -le 10 ]; } || die "BENCH_WARMUP_MAILBOXES must be a whole number 0-10, got '$WARMUP_MAILBOXES'"
[ "$MAILBOXES" -le 1000 ] || die "BENCH_MAILBOXES must be at most 1000"
[ "$PER_MAILBOX" -le 2000 ] || die "BENCH_MESSAGES must be at most 2000 (one sync round of a folder reads at most 2,000)"
[ "$CONCURRENCY" -le 256 ] || die "BENCH_CONCURRENCY must be at most 256 (o2d.sync.concurrency's bound)"
[ "$LIST_MESSAGES" -ge 2000 ] || die "BENCH_LIST_MESSAGES must be at least 2000"
for c in $CASES; do [[ "$c" == ingest || "$c" == listing ]] || die "BENCH_CASES holds '$c'; use ingest and/or listing"; done
[ -n "${CASES// /}" ] || die "BENCH_CASES is empty"
TOTAL=$(( MAILBOXES * PER_MAILBOX ))
WARM_TOTAL=$(( WARMUP_MAILBOXES * PER_MAILBOX ))   # messages of the warm-up mailboxes (read untimed by both sides)
LIST_THREADS=$(( LIST_MESSAGES / 2 ))
# the deep page must lie well inside the list: at most half of it, in whole pages
MAX_DEPTH=$(( LIST_THREADS / 2 / PAGE * PAGE ))
LIST_DEPTH=$(( LIST_DEPTH / PAGE * PAGE ))
if [ "$LIST_DEPTH" -gt "$MAX_DEPTH" ] || [ "$LIST_DEPTH" -lt "$PAGE" ]; then
  [[ " $CASES " == *" listing "* ]] && log "BENCH_LIST_DEPTH lowered to $MAX_DEPTH: half of the $LIST_THREADS threads, in whole pages"
  LIST_DEPTH="$MAX_DEPTH"
fi

command -v curl >/dev/null 2>&1 || die "curl is missing"
JAVA="$(java_bin)"
JDK_BIN="$(dirname "$JAVA")"
if [ ! -x "$JDK_BIN/javac" ] || [ ! -x "$JDK_BIN/jar" ]; then die "JAVA_HOME ($JAVA_HOME) is not a full JDK (javac and jar needed for the peer)"; fi
[ -f "$BENCH_JAR" ] || die "$BENCH_JAR not found; build it with ./outreach2day build"
# psql for the listing data and the checks: Debian's client when it is missing (we run as root).
if ! command -v psql >/dev/null 2>&1; then
  log "psql not found; installing postgresql-client from Debian ..."
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql-client; } >&2 \
    || die "could not install psql (apt-get install postgresql-client)"
  command -v psql >/dev/null 2>&1 || die "psql still missing after apt-get install"
fi
[[ " $CASES " == *" listing "* ]] && ensure_wrk

TMP="$(mktemp -d "${TMPDIR:-/tmp}/o2d-bench-unibox.XXXXXX")"
SERVER_LOG=""   # the current case's server log
PEER_PID=""

# stop_everything [GRACE_S]: stops the loader/peer, wrk, the current server (SIGKILL after GRACE_S,
# default 30) and any embedded PostgreSQL left under our temp dir.
stop_everything() {
  stop_pid "$PEER_PID"; PEER_PID=""
  stop_pid "$WRK_PID"; WRK_PID=""
  stop_server_and_leftovers "$TMP" "${1:-30}"
}

bench_traps unibox "$TMP" stop_everything

# ---- helpers ----------------------------------------------------------------------------------
RESP="$TMP/response.json"   # where api (lib.sh) puts response bodies
API_TIMEOUT=120
PG_PORT=""

# sql [psql args ...]: psql against the current server's embedded PostgreSQL, stopping at the first
# error, bounded by BENCH_SQL_TIMEOUT.
sql() {
  timeout --kill-after=5 "$SQL_TIMEOUT" env PGPASSWORD=postgres \
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"
}
# sql_value QUERY: the one value QUERY returns.
sql_value() { sql -At -c "$1"; }

# wrk_pct_ms FILE PCT: the PCT line ("50%", "99%") of wrk's latency distribution, in ms.
wrk_pct_ms() {
  awk -v pct="$2" '
    /Latency Distribution/ { dist = 1; next }
    dist && $1 == pct {
      v = $2; n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
      f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
      if (f < 0) { print "unknown wrk time unit in " v > "/dev/stderr"; exit 1 }
      printf "%.3f\n", n * f; found = 1; exit
    }
    END { if (!found) print "NaN" }' "$1"
}

# sum_field KEY < JSON: the sum of every "KEY":<integer>; count_of TEXT < JSON: how often TEXT occurs.
sum_field() { { grep -o "\"$1\":[0-9]*" || true; } | awk -F: '{ s += $2 } END { print s + 0 }'; }
count_of() { { grep -o -F "$1" || true; } | awk 'END { print NR }'; }

# timed_out START LIMIT_S: true once LIMIT_S seconds have passed since START.
timed_out() { awk -v e="$(elapsed "$1")" -v t="$2" 'BEGIN { exit !(e >= t) }'; }

# start_case NAME [NAME=VALUE ...]: a fresh server for the case with the given extra environment;
# sets BASE, AUTH, SMTP_PORT, IMAP_PORT, PG_PORT and SERVER_LOG.
start_case() {
  local name="$1" dir port key_file left; shift
  dir="$TMP/$name"; mkdir -p "$dir/data"
  SERVER_LOG="$dir/server.log"
  port="$(free_port)"
  BASE="http://127.0.0.1:$port"
  log "[$name] starting the server on $BASE (data dir $dir/data; $*)"
  start_server "$SERVER_LOG" \
    O2D_HTTP_PORT="$port" O2D_DATA_DIR="$dir/data" O2D_PUBLIC_URL="$BASE" \
    O2D_RATE_LIMIT_RPS=1000000 O2D_RATE_LIMIT_BURST=1000000 O2D_MAIL_SMTP_PORT=0 O2D_MAIL_IMAP_PORT=0 O2D_DNS_PORT=0 "$@"
  if ! wait_http "$BASE/actuator/health" "$STARTUP_TIMEOUT" "$SERVER_PID"; then
    alive "$SERVER_PID" && die "[$name] server did not answer 200 on /actuator/health within ${STARTUP_TIMEOUT}s"
    die "[$name] server exited before answering /actuator/health"
  fi
  log "[$name] server up after $(elapsed "$SERVER_STARTED_AT")s"
  key_file="$dir/data/bootstrap-api-key"
  left="$(awk -v t="$STARTUP_TIMEOUT" -v e="$(elapsed "$SERVER_STARTED_AT")" 'BEGIN { l = t - e; print (l < 5 ? 5 : int(l + 1)) }')"
  wait_file "$key_file" "$left" "$SERVER_PID" || die "[$name] no bootstrap API key at $key_file"
  AUTH="Authorization: Bearer $(head -n 1 "$key_file" | tr -d '[:space:]')"
  SMTP_PORT="$(sed -n 's/.*Built-in mail server: SMTP 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$SERVER_LOG" | head -n 1)"
  IMAP_PORT="$(sed -n 's/.*Built-in mail server: SMTP .*IMAP 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$SERVER_LOG" | head -n 1)"
  { [ -n "$SMTP_PORT" ] && [ -n "$IMAP_PORT" ]; } \
    || die "[$name] no 'Built-in mail server: SMTP 127.0.0.1:<port> (AUTH), IMAP 127.0.0.1:<port>' line in the server log"
  PG_PORT="$(sed -n 's/.*Embedded PostgreSQL 17 on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$SERVER_LOG" | head -n 1)"
  [ -n "$PG_PORT" ] || die "[$name] no 'Embedded PostgreSQL 17 on 127.0.0.1:<port>' line in the server log"
  sql_value "SELECT 1" >/dev/null || die "[$name] psql cannot reach the embedded PostgreSQL on port $PG_PORT"
  log "[$name] built-in mail server: SMTP port $SMTP_PORT, IMAP port $IMAP_PORT; embedded PostgreSQL on port $PG_PORT"
}

# server_warnings SINCE_LINE: prints how many WARN/ERROR lines the server logged after line
# SINCE_LINE and shows the first ones on stderr.
server_warnings() {
  local n
  n="$(tail -n +"$(( $1 + 1 ))" "$SERVER_LOG" | grep -c -E ' (WARN|ERROR) ' || true)"
  if [ "${n:-0}" -gt 0 ]; then
    log "$n WARN/ERROR line(s) in the server log, the first ones:"
    tail -n +"$(( $1 + 1 ))" "$SERVER_LOG" | grep -E ' (WARN|ERROR) ' | head -n 5 | cut -c 1-400 >&2
  fi
  echo "${n:-0}"
}

# ---- the loader and the peer: compiled once, against the mail jars inside the server's jar ------
PEER_CP=""
if [[ " $CASES " == *" ingest "* ]]; then
  log "extracting the mail jars from $BENCH_JAR for the loader and the peer"
  mkdir -p "$TMP/lib" "$TMP/peer-classes"
  mapfile -t PEER_JARS < <("$JDK_BIN/jar" tf "$BENCH_JAR" | grep -E '^BOOT-INF/lib/(angus-mail|angus-activation|jakarta\.mail-api|jakarta\.activation-api)-[^/]*\.jar$')
  [ "${#PEER_JARS[@]}" -ge 4 ] || die "the mail jars were not found in $BENCH_JAR (BOOT-INF/lib)"
  (cd "$TMP/lib" && "$JDK_BIN/jar" xf "$BENCH_JAR" "${PEER_JARS[@]}") || die "could not extract the mail jars from $BENCH_JAR"
  PEER_CP="$(find "$TMP/lib" -name '*.jar' | sort | tr '\n' ':')"
  "$JDK_BIN/javac" -nowarn -d "$TMP/peer-classes" -cp "$PEER_CP" bench/UniboxPeer.java >&2 || die "bench/UniboxPeer.java does not compile"
fi

# run_peer OUTFILE MODE ARGS...: UniboxPeer in its own JVM, bounded by BENCH_PEER_TIMEOUT, in the
# background so a signal to the bench runs its traps at once. Its stdout goes to OUTFILE and is
# shown on stderr afterwards; fails the bench when it fails.
run_peer() {
  local out="$1" mode="$2" rc=0; shift 2
  # shellcheck disable=SC2086
  timeout --kill-after=5 "$PEER_TIMEOUT" "$JAVA" ${BENCH_PEER_JAVA_OPTS:-} -cp "$TMP/peer-classes:$PEER_CP" UniboxPeer "$mode" "$@" \
    >"$out" &
  PEER_PID=$!
  wait "$PEER_PID" || rc=$?
  PEER_PID=""
  cat "$out" >&2
  [ "$rc" -ne 124 ] || die "UniboxPeer $mode did not finish within ${PEER_TIMEOUT}s (BENCH_PEER_TIMEOUT)"
  [ "$rc" -eq 0 ] || die "UniboxPeer $mode failed (status $rc)"
}
# field OUTFILE PREFIX NAME: NAME=<value> from the line starting with PREFIX.
field() { sed -n "s/^$2: .*[ ]$3=\\([0-9.]*\\).*/\\1/p; s/^$2: $3=\\([0-9.]*\\).*/\\1/p" "$1" | head -n 1; }

# ---- case ingest -------------------------------------------------------------------------------
# Sets IN_OURS, IN_PEER, IN_INCOMPLETE, IN_CHECK_OK and IN_DETAIL.
run_ingest() {
  local name=ingest dir code from_line stored=0 last_stored errors=0 polls=0 poll_max
  local threads_expected threads msg_sum pages cursor pg_threads pg_messages warnings incomplete="" status_line
  dir="$TMP/$name"
  start_case "$name" O2D_SYNC_ENABLED=true O2D_SYNC_INTERVAL=PT2S O2D_SYNC_CONCURRENCY="$CONCURRENCY"

  # -- setup through the API: card, capacity, the domain; no mailboxes yet --
  api POST /workspaces/1/setup_payment_method
  local setup_url; setup_url="$(json_str setup_url <"$RESP")"
  [[ "$setup_url" == */billing/sandbox/setup/* ]] || die "[$name] unexpected setup_url '$setup_url'"
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "$BASE/billing/${setup_url#*/billing/}")"
  [ "$code" = 200 ] || die "[$name] confirming the sandbox test card answered $code"
  api POST /workspaces/1/upgrade "{\"new_max_mailboxes\":$(( MAILBOXES > 200 ? MAILBOXES : 200 ))}"
  api POST /domains/purchase "{\"domains\":[\"$DOMAIN\"],\"years\":1,\"whoisPrivacy\":true,\"contactInfo\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"email\":\"ada@acme.com\",\"phone\":\"+44.2079460000\",\"address1\":\"1 Engine St\",\"city\":\"London\",\"stateProvince\":\"London\",\"postalCode\":\"N1 9GU\",\"country\":\"GB\"}}"
  grep -q '"status":"registered"' "$RESP" || { cat "$RESP" >&2; echo >&2; die "[$name] buying $DOMAIN did not register it"; }
  awk -v n="$MAILBOXES" -v d="$DOMAIN" 'BEGIN { for (i = 1; i <= n; i++) printf "rep%03d@%s\n", i, d }' >"$TMP/mailboxes.txt"
  awk -v n="$WARMUP_MAILBOXES" -v d="$DOMAIN" 'BEGIN { for (i = 1; i <= n; i++) printf "warm%03d@%s\n", i, d }' >"$TMP/warmup.txt"
  cat "$TMP/warmup.txt" "$TMP/mailboxes.txt" >"$TMP/loaded.txt"

  # -- load: every message over SMTP, before the mailboxes exist --
  log "[$name] load: $MAILBOXES x $PER_MAILBOX messages ($REPLY_PERCENT % replies) over SMTP without AUTH, $LOAD_THREADS connections"
  run_peer "$dir/load.out" load --port "$SMTP_PORT" --mailboxes "$TMP/loaded.txt" --messages "$PER_MAILBOX" \
    --reply-percent "$REPLY_PERCENT" --threads "$LOAD_THREADS" --seed 20260309
  [ "$(field "$dir/load.out" load messages)" = "$(( TOTAL + WARM_TOTAL ))" ] || die "[$name] the loader did not deliver all $(( TOTAL + WARM_TOTAL )) messages"
  threads_expected="$(field "$dir/load.out" load threads_expected)"
  LOAD_RATE="$(field "$dir/load.out" load rate)"; LOAD_SECONDS="$(field "$dir/load.out" load seconds)"
  AVG_BYTES="$(field "$dir/load.out" load avg_bytes)"
  # The assumption the rest relies on: GreenMail made each recipient an account whose login and
  # password are the address. Checked on the first and the last mailbox with curl's IMAP.
  local addr count
  for addr in "$(head -n 1 "$TMP/mailboxes.txt")" "$(tail -n 1 "$TMP/mailboxes.txt")"; do
    count="$(curl -s --max-time 10 -u "$addr:$addr" "imap://127.0.0.1:$IMAP_PORT/" -X 'STATUS INBOX (MESSAGES)' 2>/dev/null \
      | sed -n 's/.*(MESSAGES \([0-9]*\)).*/\1/p' | head -n 1)"
    [ "$count" = "$PER_MAILBOX" ] \
      || die "[$name] IMAP login as $addr with password = the address does not show $PER_MAILBOX messages in INBOX (got '${count:-no answer}'): GreenMail did not auto-create the account as assumed"
  done
  log "[$name] checked: the built-in server created the accounts on delivery (IMAP login = password = address, $PER_MAILBOX messages in INBOX)"

  # -- the peer: a bare IMAP loop over the same mailboxes --
  log "[$name] peer: reading $TOTAL messages from $MAILBOXES INBOXes, $CONCURRENCY mailboxes at once, $IMAP_BATCH per FETCH"
  run_peer "$dir/peer.out" read --port "$IMAP_PORT" --mailboxes "$TMP/mailboxes.txt" --concurrency "$CONCURRENCY" \
    --batch "$IMAP_BATCH" --expect "$PER_MAILBOX" --warmup-mailboxes "$TMP/warmup.txt"
  IN_PEER="$(field "$dir/peer.out" peer rate)"
  PEER_SECONDS="$(field "$dir/peer.out" peer seconds)"
  PEER_BYTES="$(field "$dir/peer.out" peer avg_bytes)"
  [ -n "$IN_PEER" ] || die "[$name] no result line from the peer"

  # mailboxes_json FILE: the POST /mailboxes body for the addresses in FILE (IMAP password = the address)
  mailboxes_json() {
    awk 'BEGIN { printf "{\"mailboxes\":[" } {
        split($1, p, "@"); printf "%s{\"address\":\"%s\",\"password\":\"%s\",\"firstName\":\"Rep\",\"lastName\":\"%s\"}", (NR > 1 ? "," : ""), $1, $1, toupper(substr(p[1], 4))
      } END { print "]}" }' "$1"
  }

  # -- ours' warm-up, untimed like the peer's: the warm-up mailboxes, synced until all their mail is stored --
  if [ "$WARMUP_MAILBOXES" -gt 0 ]; then
    local t_warm
    mailboxes_json "$TMP/warmup.txt" >"$dir/warmup.json"
    log "[$name] ours' warm-up (untimed): POST /mailboxes ($WARMUP_MAILBOXES mailbox(es)), then GET /threads/debug until their $WARM_TOTAL messages are stored"
    t_warm="$(now)"
    api POST /mailboxes "@$dir/warmup.json"
    grep -q '"errors":\[\]' "$RESP" || { head -c 2000 "$RESP" >&2; echo >&2; die "[$name] creating the warm-up mailbox(es) reported errors"; }
    while :; do
      api GET /threads/debug
      [ "$(sum_field messages <"$RESP")" -ge "$WARM_TOTAL" ] && break
      timed_out "$t_warm" "$INGEST_TIMEOUT" && die "[$name] the warm-up mailbox(es) were not synced within ${INGEST_TIMEOUT}s"
      alive "$SERVER_PID" || die "[$name] the server exited during the warm-up"
      sleep "$POLL_S"
    done
    log "[$name] ours' warm-up: $WARM_TOTAL messages stored in $(elapsed "$t_warm")s (untimed)"
  fi

  # -- ours: create the mailboxes (IMAP password = the address), then wait until all is stored --
  # The wait is the only polling the benchmark does inside a rated window (the peer times itself), so
  # each poll starts curl and one awk and nothing else: bash's clock (us_now), integer microseconds,
  # and a FIFO to pause on (it started ~20 processes a poll before).
  mailboxes_json "$TMP/mailboxes.txt" >"$dir/mailboxes.json"
  from_line="$(wc -l <"$SERVER_LOG")"
  local pause_fd t_create_us t_now_us poll_start_us poll_us poll_max_us=0 first_us="" last_change_us last_log_us counts
  mkfifo "$TMP/pause.fifo"
  exec {pause_fd}<>"$TMP/pause.fifo"
  log "[$name] ours: POST /mailboxes ($MAILBOXES mailboxes), then GET /threads/debug every ${POLL_S}s until $TOTAL messages are stored"
  us_now t_create_us
  api POST /mailboxes "@$dir/mailboxes.json"
  us_now t_now_us
  CREATE_S="$(us_s $(( t_now_us - t_create_us )))"
  grep -q '"errors":\[\]' "$RESP" || { head -c 2000 "$RESP" >&2; echo >&2; die "[$name] creating the mailboxes reported errors"; }
  last_log_us="$t_now_us"; last_change_us="$t_now_us"; last_stored=0
  while :; do
    us_now poll_start_us
    api GET /threads/debug
    us_now t_now_us
    polls=$(( polls + 1 ))
    poll_us=$(( t_now_us - poll_start_us )); [ "$poll_us" -le "$poll_max_us" ] || poll_max_us="$poll_us"
    # the folders' stored messages and the mailboxes in error, in one pass ("," splits the one-line answer into records)
    awk -v RS=',' '/"messages":[0-9]/ { sub(/.*"messages":/, ""); s += $0 + 0 } index($0, "\"status\":\"error\"") { e++ }
      END { print s + 0, e + 0 }' "$RESP" >"$TMP/counts.txt"
    read -r counts errors <"$TMP/counts.txt"
    stored=$(( counts - WARM_TOTAL ))
    if [ -z "$first_us" ] && [ "$stored" -gt 0 ]; then first_us=$(( t_now_us - t_create_us )); fi
    if [ "$stored" -ge "$TOTAL" ]; then break; fi
    if [ "$stored" -ne "$last_stored" ]; then last_stored="$stored"; last_change_us="$t_now_us"; fi
    if (( t_now_us - t_create_us >= INGEST_TIMEOUT * 1000000 || t_now_us - last_change_us >= STALL_TIMEOUT * 1000000 )); then
      if (( t_now_us - t_create_us >= INGEST_TIMEOUT * 1000000 )); then
        incomplete="timed out after ${INGEST_TIMEOUT}s with $stored of $TOTAL stored"
      else
        incomplete="stalled: no change for ${STALL_TIMEOUT}s at $stored of $TOTAL stored"
      fi
      log "[$name] ours: $incomplete (PostgreSQL holds $(sql_value "SELECT count(*) FROM unibox_messages") messages); rating what was stored"
      break
    fi
    alive "$SERVER_PID" || die "[$name] the server exited while syncing"
    if (( t_now_us - last_log_us >= 10000000 )); then
      last_log_us="$t_now_us"
      status_line="$( { grep -o '"status":"[a-z]*"' "$RESP" || true; } | sort | uniq -c | awk '{ gsub(/"status":|"/, "", $2); printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }')"
      log "[$name] ours: $stored of $TOTAL stored after $(us_s $(( t_now_us - t_create_us )))s (mailboxes: $status_line)"
      if [ "$errors" -gt 0 ]; then
        grep -o '"lastError":"[^"]*"' "$RESP" | sort | uniq -c | sort -rn | head -n 3 | sed 's/^/    /' >&2 || true
      fi
    fi
    read -r -t "$POLL_S" -u "$pause_fd" _ || true
  done
  exec {pause_fd}<&-
  OURS_SECONDS="$(us_s $(( t_now_us - t_create_us )))"
  FIRST_S="${first_us:+$(us_s "$first_us")}"
  poll_max="$(us_s "$poll_max_us")"
  IN_OURS="$(awk -v n="$stored" -v s="$OURS_SECONDS" 'BEGIN { printf "%.1f", (s > 0 ? n / s : 0) }')"
  STEADY="$( [ -n "$FIRST_S" ] && awk -v n="$stored" -v a="$FIRST_S" -v b="$OURS_SECONDS" 'BEGIN { printf "%.1f", (b > a ? n / (b - a) : 0) }' || echo n/a)"
  log "[$name] ours: $stored stored in ${OURS_SECONDS}s (create call ${CREATE_S}s, first message seen after ${FIRST_S:-n/a}s; $polls debug polls, slowest ${poll_max}s)"
  if [ "$errors" -gt 0 ]; then
    log "[$name] $errors mailbox(es) report a sync error:"
    grep -o '"lastError":"[^"]*"' "$RESP" | sort | uniq -c | sort -rn | head -n 5 | sed 's/^/    /' >&2 || true
  fi

  # -- check: threads through the API (paged to the end), and straight from PostgreSQL --
  local t_walk; t_walk="$(now)"
  threads=0; msg_sum=0; pages=0; cursor=""
  while :; do
    api GET "/threads?mode=full&limit=200${cursor:+&cursor=$cursor}"
    pages=$(( pages + 1 ))
    threads=$(( threads + $(count_of '"message_count":' <"$RESP") )); msg_sum=$(( msg_sum + $(sum_field message_count <"$RESP") ))
    cursor="$(json_str next_cursor <"$RESP" || true)"
    [ -n "$cursor" ] || break
    [ "$pages" -le $(( (TOTAL + WARM_TOTAL) / 200 + 10 )) ] || die "[$name] GET /threads kept answering a next_cursor after $pages pages"
  done
  WALK_S="$(elapsed "$t_walk")"
  pg_threads="$(sql_value "SELECT count(*) FROM unibox_threads")"
  pg_messages="$(sql_value "SELECT count(*) FROM unibox_messages")"
  INTENTS="$(sql_value "SELECT string_agg(coalesce(reply_intent, 'none') || ' ' || n, ', ' ORDER BY n DESC) FROM (SELECT reply_intent, count(*) n FROM unibox_threads GROUP BY 1) x")"
  log "[$name] check: GET /threads?mode=full shows $threads threads holding $msg_sum messages ($pages pages of 200 in ${WALK_S}s); PostgreSQL holds $pg_threads threads, $pg_messages messages; expected $threads_expected threads, $(( TOTAL + WARM_TOTAL )) messages (the warm-up mailboxes' included)"
  log "[$name] reply intents of the threads: $INTENTS"
  CHECKS="threads $threads (expected $threads_expected), messages in them $msg_sum (expected $(( TOTAL + WARM_TOTAL ))), in PostgreSQL $pg_threads threads / $pg_messages messages"
  IN_CHECK_OK=1
  if [ -z "$incomplete" ]; then
    if [ "$threads" != "$threads_expected" ] || [ "$msg_sum" != "$(( TOTAL + WARM_TOTAL ))" ] || [ "$pg_threads" != "$threads_expected" ] \
      || [ "$pg_messages" != "$(( TOTAL + WARM_TOTAL ))" ]; then
      IN_CHECK_OK=0
      log "[$name] CHECK FAILED: $CHECKS"
    fi
  fi
  warnings="$(server_warnings "$from_line")"
  # failed sync rounds are logged at INFO ("Inbox sync of <address> failed: <reason>"); the mailbox is read again next round
  SYNC_FAILS="$(tail -n +"$(( from_line + 1 ))" "$SERVER_LOG" | grep -c 'Inbox sync of .* failed: ' || true)"
  SYNC_REASONS="$(tail -n +"$(( from_line + 1 ))" "$SERVER_LOG" | sed -n 's/.*Inbox sync of [^ ]* failed: //p' | cut -c 1-120 | sort | uniq -c | sort -rn | head -n 3 \
    | awk '{ n = $1; $1 = ""; printf "%s%d x%s", (NR > 1 ? "; " : ""), n, $0 }')"
  [ "${SYNC_FAILS:-0}" -eq 0 ] || log "[$name] $SYNC_FAILS failed sync round(s) (each mailbox is read again in a later round): $SYNC_REASONS"
  IN_INCOMPLETE="$incomplete"
  RSS_MIB="$(kib_to_mib "$(rss_kib "$SERVER_PID")")"; HWM_MIB="$(kib_to_mib "$(rss_kib "$SERVER_PID" peak)")"
  IN_DETAIL="$(printf '  ingest   ours %9s msg/s (%s of %s stored in %ss%s; create call %ss, first batch seen after %ss, %s msg/s from then on)\n  ingest   peer %9s msg/s (%s read in %ss, %s bytes a message, %s mailboxes at once)\n  ingest   load %9s msg/s over SMTP (not rated, %ss)\n  ingest   check: %s%s\n  ingest   server RSS %s MiB (peak %s MiB), %s WARN/ERROR log line(s) during the sync, %s failed sync round(s)%s' \
    "$IN_OURS" "$stored" "$TOTAL" "$OURS_SECONDS" "${incomplete:+; INCOMPLETE: $incomplete}" "$CREATE_S" "${FIRST_S:-n/a}" "$STEADY" \
    "$IN_PEER" "$TOTAL" "$PEER_SECONDS" "$PEER_BYTES" "$CONCURRENCY" "$LOAD_RATE" "$LOAD_SECONDS" "$CHECKS" \
    "$( [ "$IN_CHECK_OK" -eq 1 ] && echo "" || echo " -- CHECK FAILED")" "$RSS_MIB" "$HWM_MIB" "$warnings" "${SYNC_FAILS:-0}" "${SYNC_REASONS:+: $SYNC_REASONS}")"
  stop_everything 15
}

# ---- case listing ------------------------------------------------------------------------------
# Sets LI_OURS (deep p99), LI_PEER (first-page p99) and LI_DETAIL.
run_listing() {
  local name=listing dir ws t expect_first first_id deep_first cursor pages i url_first url_deep out
  dir="$TMP/$name"
  start_case "$name" O2D_SYNC_ENABLED=false
  api GET /workspaces
  ws="$(json_num workspace_id <"$RESP" || true)"
  { [ -n "$ws" ] && [ "$(count_of '"workspace_id":' <"$RESP")" -eq 1 ]; } \
    || die "[$name] expected exactly one workspace for the bootstrap key: $(head -c 500 "$RESP")"

  # -- data: LIST_THREADS threads of 2 messages, straight into PostgreSQL --
  log "[$name] inserting $LIST_THREADS threads and $(( LIST_THREADS * 2 )) messages into workspace $ws with psql ..."
  t="$(now)"
  sql -v ws="$ws" -v n="$LIST_THREADS" <<'SQL' || die "[$name] inserting the threads and messages failed"
-- Thread i (1..n) is created i seconds after t0 (its id sorts the same way, like a ULID): our
-- campaign email (message 2i-1, folder sent) and, an hour later, the prospect's reply (message 2i,
-- inbox), which is the thread's last message. Ids: 'thr_'/'msg_' + 26 sortable characters.
BEGIN;
CREATE TEMP TABLE bench_t0 AS SELECT date_trunc('second', now()) - (:n + 7200) * interval '1 second' AS t0;
INSERT INTO unibox_threads (workspace_id, id, mailbox_id, external_thread_id, subject, subject_display, subject_key, participant,
                            reply_intent, intent_confidence, has_incoming, message_count, last_message_id, last_at, created_at,
                            updated_at)
SELECT :ws, 'thr_' || lpad(i::text, 26, '0'), 'mbx_' || lpad((i % 100)::text, 26, '0'),
       'bench-' || i || '@o2d-bench-unibox.com',
       s.subject, s.subject, lower(s.subject),
       'prospect' || i || '@company' || (i % 997) || '.example-mail.test',
       (ARRAY['interested', 'not_interested', 'out_of_office', 'neutral', 'neutral', NULL])[1 + i % 6],
       CASE WHEN i % 6 = 5 THEN NULL ELSE 0.9 END,
       true, 2, 'msg_' || lpad((2 * i)::text, 26, '0'),
       t0 + i * interval '1 second' + interval '1 hour', t0 + i * interval '1 second', t0 + i * interval '1 second' + interval '1 hour'
  FROM generate_series(1, :n) i, bench_t0,
       LATERAL (SELECT (ARRAY['Question about your pricing', 'Partnership idea for your team', 'Following up on our call',
                              'Your proposal', 'Quick question about onboarding', 'Renewal of the contract'])[1 + i % 6]
                       || ' (Company ' || (i % 997) || ')' AS subject) s;
INSERT INTO unibox_messages (workspace_id, id, thread_id, mailbox_id, message_id, in_reply_to, refs, from_email, from_name, to_emails,
                             subject, date_received, body_text, body_html, is_incoming, folder, created_at)
SELECT :ws, 'msg_' || lpad((2 * i - 1 + k)::text, 26, '0'), 'thr_' || lpad(i::text, 26, '0'), 'mbx_' || lpad((i % 100)::text, 26, '0'),
       CASE k WHEN 0 THEN '<bench-' || i || '@o2d-bench-unibox.com>' ELSE '<re-' || i || '@company' || (i % 997) || '.example-mail.test>' END,
       CASE k WHEN 1 THEN '<bench-' || i || '@o2d-bench-unibox.com>' END,
       CASE k WHEN 1 THEN ARRAY['<bench-' || i || '@o2d-bench-unibox.com>'] ELSE '{}'::text[] END,
       CASE k WHEN 0 THEN 'rep' || lpad((i % 100)::text, 3, '0') || '@o2d-bench-unibox.com' ELSE 'prospect' || i || '@company' || (i % 997) || '.example-mail.test' END,
       CASE k WHEN 0 THEN 'Sales Rep' ELSE 'Prospect ' || i END,
       ARRAY[CASE k WHEN 1 THEN 'rep' || lpad((i % 100)::text, 3, '0') || '@o2d-bench-unibox.com' ELSE 'prospect' || i || '@company' || (i % 997) || '.example-mail.test' END],
       CASE k WHEN 1 THEN 'Re: ' ELSE '' END || 'Question about your pricing (Company ' || (i % 997) || ')',
       t0 + i * interval '1 second' + k * interval '1 hour',
       b.text, '<div style="font-family:Arial,sans-serif"><p>' || replace(b.text, E'\n\n', '</p><p>') || '</p></div>',
       k = 1, CASE k WHEN 0 THEN 'sent' ELSE 'inbox' END,
       t0 + i * interval '1 second' + k * interval '1 hour'
  FROM generate_series(1, :n) i CROSS JOIN (VALUES (0), (1)) v(k) CROSS JOIN bench_t0,
       LATERAL (SELECT CASE k WHEN 0 THEN 'Hi there,' ELSE 'Hello,' END || E'\n\n'
                       || (ARRAY['Thanks for getting back to me so quickly. I shared your note with the rest of the team this morning and we agreed that the timing is right to look at this more closely before the end of the quarter.',
                                 'Could you send over a short overview of how the pricing works for a team of our size? In particular I would like to understand what happens when we add mailboxes in the middle of a billing period.',
                                 'We had a look at the trial account yesterday. The setup was straightforward and the first campaign went out without problems. A few of my colleagues asked whether replies can be read in one place.',
                                 'I do not think this is a fit for us right now. We signed a two-year agreement with another vendor in the spring and are not in a position to change tools before it runs out.'])[1 + (i + k) % 4]
                       || E'\n\n'
                       || (ARRAY['Would Tuesday at 10:00 or Thursday at 15:00 work for a thirty-minute call? I would like to bring our head of sales operations, who owns the tooling decisions.',
                                 'Our security team will need to review a few documents before we can sign anything: the data processing agreement and the list of sub-processors.',
                                 'One more thing: several of our prospects are in Germany and France, so sending windows in the recipient''s time zone are important to us.'])[1 + (i * 7 + k) % 3]
                       || E'\n\nBest regards,\n' || CASE k WHEN 0 THEN 'Sales Rep' ELSE 'Prospect ' || i END || E'\nref ' || md5(i::text || k) AS text) b;
COMMIT;
VACUUM (ANALYZE) unibox_threads;
VACUUM (ANALYZE) unibox_messages;
CHECKPOINT;
SQL
  INSERT_S="$(elapsed "$t")"
  LIST_SIZE="$(sql_value "SELECT pg_size_pretty(pg_total_relation_size('unibox_threads')) || ' threads, ' || pg_size_pretty(pg_total_relation_size('unibox_messages')) || ' messages'")"
  local rows; rows="$(sql_value "SELECT (SELECT count(*) FROM unibox_threads) || ' ' || (SELECT count(*) FROM unibox_messages)")"
  [ "$rows" = "$LIST_THREADS $(( LIST_THREADS * 2 ))" ] || die "[$name] PostgreSQL holds '$rows' threads/messages, expected $LIST_THREADS $(( LIST_THREADS * 2 ))"
  log "[$name] inserted in ${INSERT_S}s, with VACUUM (ANALYZE) and CHECKPOINT ($LIST_SIZE with indexes)"

  # -- walk the cursor LIST_DEPTH threads deep --
  expect_first="thr_$(printf '%026d' "$LIST_THREADS")"
  t="$(now)"; cursor=""; pages=$(( LIST_DEPTH / PAGE ))
  for (( i = 0; i < pages; i++ )); do
    api GET "/threads?limit=$PAGE${cursor:+&cursor=$cursor}"
    if [ "$i" -eq 0 ]; then
      first_id="$(json_str id <"$RESP" || true)"
      [ "$first_id" = "$expect_first" ] || die "[$name] the first page starts with '$first_id', expected $expect_first"
      [ "$(count_of '"message_count":2' <"$RESP")" -eq "$PAGE" ] || die "[$name] the first page does not hold $PAGE threads of 2 messages"
    fi
    cursor="$(json_str next_cursor <"$RESP" || true)"
    [ -n "$cursor" ] || die "[$name] no next_cursor after page $(( i + 1 ))"
  done
  WALK_S="$(elapsed "$t")"
  url_first="$BASE/threads?limit=$PAGE"
  url_deep="$BASE/threads?limit=$PAGE&cursor=$cursor"
  api GET "/threads?limit=$PAGE&cursor=$cursor"
  deep_first="$(json_str id <"$RESP" || true)"
  [ "$deep_first" = "thr_$(printf '%026d' $(( LIST_THREADS - LIST_DEPTH )))" ] \
    || die "[$name] the page $LIST_DEPTH threads deep starts with '$deep_first', expected thr_$(printf '%026d' $(( LIST_THREADS - LIST_DEPTH )))"
  [ "$(count_of '"message_count":2' <"$RESP")" -eq "$PAGE" ] || die "[$name] the deep page does not hold $PAGE threads"
  log "[$name] walked $pages pages of $PAGE to $LIST_DEPTH threads deep in ${WALK_S}s ($(awk -v s="$WALK_S" -v n="$pages" 'BEGIN { printf "%.1f", 1000 * s / n }') ms a page, one at a time); the deep page starts with $deep_first"

  # -- rated: wrk on the first page, then on the deep page --
  local which
  for which in first deep; do
    url="$url_first"; [ "$which" = deep ] && url="$url_deep"
    if [ "$LIST_WARMUP" -gt 0 ]; then
      run_wrk "$dir/wrk-$which-warmup.txt" "$LIST_WARMUP" -t2 -c"$LIST_CONNECTIONS" --latency -H "$AUTH" "$url"
    fi
    out="$dir/wrk-$which.txt"
    log "[$name] wrk: $LIST_CONNECTIONS connections for ${LIST_DURATION}s on the $which page"
    run_wrk "$out" "$LIST_DURATION" -t2 -c"$LIST_CONNECTIONS" --latency -H "$AUTH" "$url"
    show_wrk "$out"
    [ "$(wrk_non2xx "$out")" = 0 ] || die "[$name] $(wrk_non2xx "$out") non-2xx answers on the $which page"
    [ "$(wrk_socket_errors "$out")" = 0 ] || die "[$name] $(wrk_socket_errors "$out") socket errors on the $which page"
    [ "$(wrk_requests "$out")" -gt 0 ] || die "[$name] no request completed on the $which page"
  done
  LI_FIRST_P50="$(wrk_pct_ms "$dir/wrk-first.txt" 50%)"; LI_PEER="$(wrk_pct_ms "$dir/wrk-first.txt" 99%)"
  LI_DEEP_P50="$(wrk_pct_ms "$dir/wrk-deep.txt" 50%)"; LI_OURS="$(wrk_pct_ms "$dir/wrk-deep.txt" 99%)"
  LI_DETAIL="$(printf '  listing  deep  page (%s threads deep): p50 %s ms, p99 %s ms, %s req/s\n  listing  first page:                    p50 %s ms, p99 %s ms, %s req/s\n  listing  data: %s threads / %s messages inserted in %ss (%s); cursor walk %ss for %s pages' \
    "$LIST_DEPTH" "$LI_DEEP_P50" "$LI_OURS" "$(wrk_rps "$dir/wrk-deep.txt")" "$LI_FIRST_P50" "$LI_PEER" "$(wrk_rps "$dir/wrk-first.txt")" \
    "$LIST_THREADS" "$(( LIST_THREADS * 2 ))" "$INSERT_S" "$LIST_SIZE" "$WALK_S" "$pages")"
  stop_everything 15
}

# ---- run the cases ------------------------------------------------------------------------------
OK=1
IN_LINE=""; LI_LINE=""; DETAILS=""
for case_name in $CASES; do
  if [ "$case_name" = ingest ]; then
    run_ingest
    IN_RATIO="$(awk -v o="$IN_OURS" -v p="$IN_PEER" 'BEGIN { printf "%.2f", (p > 0 ? o / p : 0) }')"
    IN_LINE="ours=$IN_OURS msg/s peer=$IN_PEER msg/s ratio=$IN_RATIO goal=>=$GOAL_INGEST"
    DETAILS+="$IN_DETAIL"$'\n'
    if [ -n "$IN_INCOMPLETE" ] || [ "$IN_CHECK_OK" -ne 1 ] || ! awk -v r="$IN_RATIO" -v g="$GOAL_INGEST" 'BEGIN { exit !(r + 0 >= g + 0) }'; then OK=0; fi
  else
    run_listing
    LI_RATIO="$(awk -v o="$LI_OURS" -v p="$LI_PEER" 'BEGIN { printf "%.2f", (p > 0 ? o / p : 0) }')"
    LI_LINE="ours=$LI_OURS ms peer=$LI_PEER ms ratio=$LI_RATIO goal=<=$GOAL_LISTING"
    DETAILS+="$LI_DETAIL"$'\n'
    awk -v r="$LI_RATIO" -v g="$GOAL_LISTING" 'BEGIN { exit !(r + 0 <= g + 0 && r + 0 > 0) }' || OK=0
  fi
done

# ---- report ---------------------------------------------------------------------------------
{
  echo
  heading=""
  [ -z "$IN_LINE" ] || heading+="ingest $MAILBOXES mailboxes x $PER_MAILBOX messages ($REPLY_PERCENT % replies, ~$AVG_BYTES bytes each), $CONCURRENCY at once; "
  [ -z "$LI_LINE" ] || heading+="listing $LIST_THREADS threads / $(( LIST_THREADS * 2 )) messages, $LIST_CONNECTIONS connections; "
  echo "== bench unibox: $heading$(nproc) CPUs shared =="
  printf '%s' "$DETAILS"
}
bench_cleanup
trap - EXIT
REPORTED=1
[ -z "$IN_LINE" ] || echo "bench unibox-ingest: $IN_LINE"
[ -z "$LI_LINE" ] || echo "bench unibox-listing: $LI_LINE"
echo "bench unibox: ${IN_LINE:-$LI_LINE}"
[ "$OK" -eq 1 ]
