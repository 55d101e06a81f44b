#!/usr/bin/env bash
# bench import: end-to-end CSV import through the HTTP API against the practical ceiling of the same
# database (psql \copy into a staging table + one INSERT … ON CONFLICT). Run it as
# `./outreach2day bench import` (that builds the jar and sets JAVA_HOME).
#
# Data (bench/gen-contacts.awk, deterministic): 10 columns, 7 standard (Email, First Name, Last
# Name, Company, Title, Phone, Timezone) and 3 custom (City, Industry, Lead Score), ~97 bytes a row.
#   base file      BENCH_ROWS rows, all emails distinct: fills a campaign so it "already holds" them;
#   incoming file  BENCH_ROWS rows: every 20th row (5 %) repeats an email from earlier in the file
#                  (half of them among the last 2,000 distinct emails, half anywhere before); of the other 95 %
#                  half are contacts of the base file (updates) and half are new (inserts);
#   small file     BENCH_SMALL_ROWS rows made like the incoming file, for the memory comparison.
#
# One sandbox server (fresh temp data dir, free loopback port, limits lifted), its embedded
# PostgreSQL reached with psql as well. In order:
#   1. campaign S: import the small file through the API, then read the server's VmHWM (and its
#      live heap: heap used after jcmd GC.run);
#   2. campaign A: import the base file through the API (fill, reported but not rated);
#   3. campaign B: copied from A with one SQL INSERT … SELECT (new ids, same change numbers);
#      VACUUM ANALYZE + CHECKPOINT, so both rated runs start from the same state;
#   4. peer (B): psql `\copy` of the incoming file into a plain unindexed staging table, then one
#      transaction reserving change numbers and running INSERT … SELECT DISTINCT ON (email) …
#      ON CONFLICT (workspace_id, campaign_id, email) DO UPDATE with the same columns, the same
#      normalisation (trim, lower-case email, blank → NULL, custom fields as jsonb) and the same
#      update rule as the server's merge; peer = rows / (copy + merge seconds);
#      VACUUM ANALYZE + CHECKPOINT again;
#   5. ours (A): `curl -F file=@incoming.csv` to POST /campaigns/{A}/contacts/import, then
#      GET /imports/{id} every 200 ms until it says completed: ours = rows / seconds from the start
#      of the upload to that answer;
#   6. checks: the job's counts, the row counts of A and B, and that A and B hold the same contacts
#      field for field; then the server's VmHWM and live heap again.
#
# Report lines (stdout); the last one is
#   bench import: ours=<rows/s> rows/s peer=<rows/s> rows/s ratio=<ours/peer, 2 decimals> goal=>=0.60
# and the exit code is 0 when that ratio is >= 0.60, else 1. When the benchmark cannot finish the
# last line is `bench import: FAILED (exit N): <reason>` and the exit code is not 0.
#
# Environment: BENCH_ROWS (rows of the base and incoming files, default 1000000), BENCH_SMALL_ROWS
# (rows of the small file, default BENCH_ROWS / 5), BENCH_IMPORT_TIMEOUT (s allowed per import,
# psql step or check, default 1200), O2D_JAVA_OPTS (extra server JVM options), BENCH_JAR (defaults to the
# built jar).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_ROOT"

ROWS="${BENCH_ROWS:-1000000}"
[[ "$ROWS" =~ ^[1-9][0-9]*$ ]] && [ "$ROWS" -ge 100 ] || die "BENCH_ROWS must be a whole number >= 100, got '$ROWS'"
SMALL_ROWS="${BENCH_SMALL_ROWS:-$(( ROWS / 5 ))}"
[[ "$SMALL_ROWS" =~ ^[1-9][0-9]*$ ]] && [ "$SMALL_ROWS" -ge 20 ] || die "BENCH_SMALL_ROWS must be a whole number >= 20, got '$SMALL_ROWS'"
IMPORT_TIMEOUT="${BENCH_IMPORT_TIMEOUT:-1200}"
[[ "$IMPORT_TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "BENCH_IMPORT_TIMEOUT must be a whole number of seconds, got '$IMPORT_TIMEOUT'"
STARTUP_TIMEOUT=120   # seconds, from process start to health 200 and the bootstrap key on disk
POLL_S=0.2            # how often GET /imports/{id} is asked while an import runs
GOAL=0.60
GEN="$BENCH_ROOT/bench/gen-contacts.awk"
# Header → target, the same for every upload (the peer maps the same columns the same way).
MAPPING='{"Email":"email","First Name":"firstName","Last Name":"lastName","Company":"company","Title":"title","Phone":"phone","Timezone":"timezone","City":"custom:city","Industry":"custom:industry","Lead Score":"custom:leadScore"}'
PEER_IMPORT_ID="imp_bench_peer"

command -v curl >/dev/null 2>&1 || die "curl is missing"
[ -f "$GEN" ] || die "$GEN is missing"
# psql for the peer: Debian's client when it is missing (we run as root).
if ! command -v psql >/dev/null 2>&1; then
  log "psql not found; installing postgresql-client from Debian ..."
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql-client; } >&2 \
    || die "could not install psql (apt-get install postgresql-client)"
  command -v psql >/dev/null 2>&1 || die "psql still missing after apt-get install"
fi
JCMD=""
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jcmd" ]; then JCMD="$JAVA_HOME/bin/jcmd"; fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/o2d-bench-import.XXXXXX")"
DATA_DIR="$TMP/data"
SERVER_LOG="$TMP/server.log"
mkdir -p "$DATA_DIR" "$TMP/jvmtmp"

# Always: stop the server (and any embedded PostgreSQL it left under our temp dir), show the end of
# its log when something failed, and remove the temp dir (CSV files, database, uploads).
CLEANED=""
cleanup() {
  local rc=$? pid
  [ -n "$CLEANED" ] && return 0
  CLEANED=1
  trap - INT TERM
  if [ -n "$SERVER_PID" ]; then
    if alive "$SERVER_PID"; then
      stop_server "$SERVER_PID" 30
    else
      wait "$SERVER_PID" 2>/dev/null && pid=0 || pid=$?
      log "the server process had already exited (status $pid)"
    fi
  fi
  stop_leftovers "$TMP"
  if [ "$rc" -ne 0 ] && [ -s "$SERVER_LOG" ]; then
    echo "---- last 40 lines of the server log ----" >&2
    tail -n 40 "$SERVER_LOG" >&2 || true
    echo "-----------------------------------------" >&2
  fi
  rm -rf "$TMP"
  [ "$rc" -eq 0 ] || echo "bench import: FAILED (exit $rc): ${BENCH_FAILURE:-see the errors above}"
}
trap cleanup EXIT
trap 'BENCH_FAILURE="interrupted (SIGINT)"; exit 130' INT
trap 'BENCH_FAILURE="terminated (SIGTERM)"; exit 143' TERM

# ---- helpers ----------------------------------------------------------------------------------
RESP="$TMP/response.json"   # where api (lib.sh) puts response bodies
API_TIMEOUT=60
# div A B [DECIMALS]: A / B.
div() { awk -v a="$1" -v b="$2" -v d="${3:-0}" 'BEGIN { if (b > 0) printf "%.*f", d, a / b; else print "0" }'; }

# sql [psql args ...]: psql against the server's embedded PostgreSQL, stopping at the first error,
# bounded by BENCH_IMPORT_TIMEOUT.
sql() {
  timeout --kill-after=5 "$IMPORT_TIMEOUT" env PGPASSWORD=postgres \
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"
}
# sql_value QUERY: the one value QUERY returns.
sql_value() { sql -At -c "$1"; }

# jvm_heap: "committed X MiB, used Y MiB" of the server's heap (jcmd GC.heap_info), or "n/a".
jvm_heap() {
  [ -n "$JCMD" ] || { echo "n/a"; return 0; }
  timeout 20 "$JCMD" "$SERVER_PID" GC.heap_info 2>/dev/null | awk '
    / committed [0-9]+K, used [0-9]+K/ && !done {
      for (i = 1; i < NF; i++) { if ($i == "committed") c = $(i + 1); if ($i == "used") u = $(i + 1) }
      gsub(/[K,]/, "", c); gsub(/[K,]/, "", u); printf "heap committed %.0f MiB, used %.0f MiB", c / 1024, u / 1024; done = 1 }
    END { if (!done) print "n/a" }' || echo "n/a"
}

# CPU accounting, to tell how much of the machine a rated run had and where its CPU time went.
# One pass over /proc: the busy jiffies of the whole machine (not idle/iowait), of the server JVM,
# of the embedded PostgreSQL (the postmaster with the backends it has reaped, and its live
# children) and of this shell with its finished children (psql, curl, awk …).
CLK_TCK="$(getconf CLK_TCK 2>/dev/null || echo 100)"
PG_PM=""   # the postmaster's pid, read from its pid file once the server is up
# cpu_mark: "<now> <machine> <jvm> <postgres> <shell>" (jiffies)
cpu_mark() {
  local t; t="$(now)"
  # cat, not awk, opens the files: mawk gives up on a file that vanished (a process that ended).
  echo "$t $( { head -n 1 /proc/stat; cat /proc/[0-9]*/stat 2>/dev/null; } | awk -v jvm="$SERVER_PID" -v pm="${PG_PM:-none}" -v sh="$$" '
    NR == 1 { m = $2 + $3 + $4 + $7 + $8 + $9; next }   # the "cpu" line: user nice system (idle iowait) irq softirq steal
    {
      pid = $1; sub(/.*\) /, "")   # after "pid (comm) ": state ppid … utime stime cutime cstime at 12-15
      if (pid == jvm) j = $12 + $13 + $14 + $15
      else if (pid == pm) p += $12 + $13 + $14 + $15
      else if ($2 == pm) p += $12 + $13
      else if (pid == sh) c = $12 + $13 + $14 + $15
    }
    END { print m + 0, j + 0, p + 0, c + 0 }')"
}
# cpu_since MARK: CPU seconds used since MARK (a cpu_mark): "<other processes> <their share of what
# the machine had over that wall time, %> <server JVM> <PostgreSQL> <bench shell and its children>".
cpu_since() {
  local t0 m0 j0 p0 c0 t1 m1 j1 p1 c1
  read -r t0 m0 j0 p0 c0 <<<"$1"; read -r t1 m1 j1 p1 c1 <<<"$(cpu_mark)"
  awk -v m="$(( m1 - m0 ))" -v j="$(( j1 - j0 ))" -v p="$(( p1 - p0 ))" -v c="$(( c1 - c0 ))" -v hz="$CLK_TCK" \
      -v w="$(elapsed "$t0" "$t1")" -v n="$(nproc)" 'BEGIN {
    f = (m - j - p - c) / hz; if (f < 0) f = 0
    printf "%.1f %.0f %.1f %.1f %.1f", f, (w > 0 ? 100 * f / (w * n) : 0), j / hz, p / hz, c / hz }'
}
# autovacuums: "vacuums analyzes" that autovacuum has run on campaign_contacts so far.
autovacuums() { sql_value "SELECT autovacuum_count || ' ' || autoanalyze_count FROM pg_stat_user_tables WHERE relname = 'campaign_contacts'"; }

# jvm_live: the server's live heap in MiB: heap used right after a full GC (jcmd GC.run), or "n/a".
# Run it after reading VmHWM: it does not lower the peak, but it frees what the peak was made of.
jvm_live() {
  [ -n "$JCMD" ] || { echo "n/a"; return 0; }
  timeout 60 "$JCMD" "$SERVER_PID" GC.run >/dev/null 2>&1 || { echo "n/a"; return 0; }
  timeout 20 "$JCMD" "$SERVER_PID" GC.heap_info 2>/dev/null | awk '
    / committed [0-9]+K, used [0-9]+K/ && !done {
      for (i = 1; i < NF; i++) if ($i == "used") u = $(i + 1)
      gsub(/[K,]/, "", u); printf "%.0f", u / 1024; done = 1 }
    END { if (!done) print "n/a" }' || echo "n/a"
}

# import_csv NAME CAMPAIGN FILE ROWS: uploads FILE with curl -F and polls GET /imports/{id} every
# POLL_S until the job has finished. Sets IMP_ID, IMP_SECONDS (start of the upload to the answer
# that says completed), IMP_UPLOAD_S (start → the upload's 202), IMP_FIRST_S (start → the first
# answer showing committed rows) and IMP_STATUS (the last JSON); keeps "<seconds since start>
# <processedRows>" samples in $TMP/NAME.progress. (The job's own timestamps have whole seconds only.)
import_csv() {
  local name="$1" campaign="$2" file="$3" rows="$4" t0 t_up t_end code status processed total
  log "[$name] uploading $(basename "$file") ($(du -m "$file" | cut -f1) MB, $rows rows) into campaign $campaign ..."
  : >"$TMP/$name.progress"
  IMP_FIRST_S=""
  t0="$EPOCHREALTIME"
  code="$(curl -s -S --max-time "$IMPORT_TIMEOUT" -H "$AUTH" -o "$RESP" -w '%{http_code}' \
    -F "file=@$file;type=text/csv" --form-string "mapping=$MAPPING" --form-string "dedupe=update" \
    "$BASE/campaigns/$campaign/contacts/import" 2>"$TMP/curl.err")" || code="000 ($(head -c 300 "$TMP/curl.err"))"
  t_up="$EPOCHREALTIME"
  if [ "$code" != 202 ]; then
    echo "POST /campaigns/$campaign/contacts/import answered $code: $(head -c 3000 "$RESP" 2>/dev/null)" >&2
    die "[$name] the upload answered ${code%% *} (expected 202)"
  fi
  IMP_ID="$(json_str importId <"$RESP")"
  total="$(json_num totalRows <"$RESP")"
  [ -n "$IMP_ID" ] || die "[$name] no importId in $(head -c 500 "$RESP")"
  [ "$total" = "$rows" ] || die "[$name] the server counted $total rows in the file, expected $rows"
  log "[$name] upload answered 202 after $(elapsed "$t0" "$t_up")s: $IMP_ID, $total rows; waiting for it to complete"
  # The poll loop forks only curl and sleep (no grep/sed/awk/date): the bench shares the 2 CPUs
  # with the import it measures.
  local t0_us now_us el_us body st
  t0_us="${t0//[.,]/}"
  while :; do
    body="$(curl -s -S --max-time 60 -H "$AUTH" -w '\n%{http_code}' "$BASE/imports/$IMP_ID" 2>"$TMP/curl.err")" || body=$'\n000'
    t_end="$EPOCHREALTIME"
    code="${body##*$'\n'}"; body="${body%$'\n'*}"
    [ "$code" = 200 ] || die "[$name] GET /imports/$IMP_ID answered $code: ${body:0:500} $(head -c 300 "$TMP/curl.err")"
    status=""; processed=0
    [[ $body =~ \"status\":\"([a-z_]+)\" ]] && status="${BASH_REMATCH[1]}"
    [[ $body =~ \"processedRows\":([0-9]+) ]] && processed="${BASH_REMATCH[1]}"
    now_us="${t_end//[.,]/}"; el_us=$(( 10#$now_us - 10#$t0_us ))
    printf '%d.%06d %s\n' $(( el_us / 1000000 )) $(( el_us % 1000000 )) "$processed" >>"$TMP/$name.progress"
    if [ -z "$IMP_FIRST_S" ] && [ "$processed" -gt 0 ]; then IMP_FIRST_S="$(printf '%d.%03d' $(( el_us / 1000000 )) $(( el_us % 1000000 / 1000 )))"; fi
    case "$status" in
      completed) break ;;
      failed|cancelled) printf '%s' "$body" >"$RESP"; die "[$name] import $IMP_ID ended $status: $(json_str error <"$RESP")" ;;
    esac
    if (( el_us >= IMPORT_TIMEOUT * 1000000 )); then
      die "[$name] import $IMP_ID not completed within ${IMPORT_TIMEOUT}s (status $status, $processed of $rows rows)"
    fi
    st=""; read -r st <"/proc/$SERVER_PID/stat" 2>/dev/null || true
    [[ -n "$st" && "${st##*) }" != Z* ]] || die "[$name] the server exited during the import"
    sleep "$POLL_S"
  done
  printf '%s' "$body" >"$RESP"
  IMP_STATUS="$(cat "$RESP")"
  IMP_SECONDS="$(elapsed "$t0" "$t_end")"
  IMP_UPLOAD_S="$(elapsed "$t0" "$t_up")"
  log "[$name] completed after ${IMP_SECONDS}s: $(tr -d '\n' <"$RESP" | head -c 400)"
}

# rate_profile NAME ROWS: the import's rate in each tenth of the file, from the poll samples
# ("<s> <processedRows>"), as "r1 r2 … r10" rows/s (chunks commit 10,000 rows at a time, so a tenth
# of a 1M-row file spans ten commits).
rate_profile() {
  awk -v n="$2" '
    { t[NR] = $1; p[NR] = $2 }
    END {
      k = 1
      for (d = 1; d <= 10; d++) {
        target = n * d / 10
        while (k < NR && p[k] < target) k++
        # first sample at or past this tenth, and the first at or past the previous one
        te[d] = t[k]; pe[d] = p[k]
      }
      # the tenths start where processing started: the last sample still at 0 rows
      s = 0; ps = 0
      for (i = 1; i <= NR; i++) if (p[i] == 0) s = t[i]
      for (d = 1; d <= 10; d++) {
        dt = te[d] - s; dp = pe[d] - ps
        printf "%s%.0f", (d > 1 ? " " : ""), (dt > 0 ? dp / dt : 0)
        s = te[d]; ps = pe[d]
      }
      print ""
    }' "$TMP/$1.progress"
}

# ---- test data --------------------------------------------------------------------------------
log "generating the CSV files ($ROWS-row base and incoming files, $SMALL_ROWS-row small file) ..."
gen_start="$(now)"
awk -v mode=base -v rows="$ROWS" -f "$GEN" >"$TMP/base.csv"
awk -v mode=incoming -v rows="$ROWS" -v offset="$ROWS" -f "$GEN" >"$TMP/incoming.csv"
awk -v mode=incoming -v rows="$SMALL_ROWS" -v offset="$(( 2 * ROWS ))" -f "$GEN" >"$TMP/small.csv"
for f in base incoming small; do
  [ -s "$TMP/$f.csv" ] || die "generating $f.csv failed"
done
INCOMING_BYTES="$(stat -c %s "$TMP/incoming.csv")"
# What the incoming file must do to a campaign holding the base file (see bench/gen-contacts.awk).
DUP_ROWS=$(( ROWS / 20 )); UNIQUE=$(( ROWS - DUP_ROWS ))
EXP_UPDATED=$(( (UNIQUE + 1) / 2 )); EXP_IMPORTED=$(( UNIQUE / 2 ))
SMALL_DUP=$(( SMALL_ROWS / 20 ))
log "generated in $(elapsed "$gen_start")s: incoming.csv is $(kib_to_mib $(( INCOMING_BYTES / 1024 ))) MiB"

# ---- the server -------------------------------------------------------------------------------
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
MAX_BYTES=$(( 1024 * 1024 * 1024 ))
MAX_ROWS=$(( ROWS > 1000000 ? ROWS : 1000000 ))
# The JVM's temp dir (Tomcat's multipart spool) in our temp dir, so a killed run leaves nothing behind.
export O2D_JAVA_OPTS="${O2D_JAVA_OPTS:-} -Djava.io.tmpdir=$TMP/jvmtmp"
log "starting $BENCH_JAR on $BASE (data dir $DATA_DIR)"
start_server "$SERVER_LOG" \
  O2D_HTTP_PORT="$PORT" O2D_DATA_DIR="$DATA_DIR" O2D_PUBLIC_URL="$BASE" \
  O2D_RATE_LIMIT_RPS=1000000 O2D_RATE_LIMIT_BURST=1000000 O2D_MAIL_SMTP_PORT=0 O2D_MAIL_IMAP_PORT=0 O2D_DNS_PORT=0 \
  O2D_MAX_UPLOAD_BYTES="$MAX_BYTES" O2D_IMPORT_MAX_BYTES="$MAX_BYTES" O2D_IMPORT_MAX_ROWS="$MAX_ROWS"
if ! wait_http "$BASE/actuator/health" "$STARTUP_TIMEOUT" "$SERVER_PID"; then
  alive "$SERVER_PID" && die "server did not answer 200 on /actuator/health within ${STARTUP_TIMEOUT}s of starting"
  die "server exited before answering /actuator/health"
fi
log "server up after $(elapsed "$SERVER_STARTED_AT")s"
KEY_FILE="$DATA_DIR/bootstrap-api-key"
left="$(awk -v t="$STARTUP_TIMEOUT" -v e="$(elapsed "$SERVER_STARTED_AT")" 'BEGIN { l = t - e; print (l < 5 ? 5 : int(l + 1)) }')"
wait_file "$KEY_FILE" "$left" "$SERVER_PID" || die "no bootstrap API key at $KEY_FILE within ${STARTUP_TIMEOUT}s of starting"
KEY="$(head -n 1 "$KEY_FILE" | tr -d '[:space:]')"
[ -n "$KEY" ] || die "$KEY_FILE holds no key"
AUTH="Authorization: Bearer $KEY"
PG_PORT="$(sed -n 's/.*Embedded PostgreSQL 17 on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$SERVER_LOG" | head -n 1)"
[ -n "$PG_PORT" ] || die "no 'Embedded PostgreSQL 17 on 127.0.0.1:<port>' line in the server log"
PG_PM="$(head -n 1 "$DATA_DIR/postgres/postmaster.pid" 2>/dev/null || true)"
[[ "$PG_PM" =~ ^[0-9]+$ ]] || { log "WARNING: no postmaster pid in $DATA_DIR/postgres/postmaster.pid; CPU accounting will count PostgreSQL as foreign"; PG_PM=""; }
PG_VERSION="$(sql_value "SHOW server_version")" || die "psql cannot reach the embedded PostgreSQL on port $PG_PORT"
log "embedded PostgreSQL $PG_VERSION on port $PG_PORT (shared_buffers $(sql_value 'SHOW shared_buffers'), synchronous_commit $(sql_value 'SHOW synchronous_commit'), fsync $(sql_value 'SHOW fsync'))"

api POST /campaigns '{"name":"bench import small"}'; CMP_S="$(json_str id <"$RESP")"
api POST /campaigns '{"name":"bench import ours"}';  CMP_A="$(json_str id <"$RESP")"
api POST /campaigns '{"name":"bench import peer"}';  CMP_B="$(json_str id <"$RESP")"
[ -n "$CMP_S" ] && [ -n "$CMP_A" ] && [ -n "$CMP_B" ] || die "creating the campaigns returned no ids"
WS="$(sql_value "SELECT workspace_id FROM campaigns WHERE id = '$CMP_A'")"
[[ "$WS" =~ ^[0-9]+$ ]] || die "campaign $CMP_A not found in the campaigns table"
log "campaigns: small $CMP_S, ours $CMP_A, peer $CMP_B (workspace $WS)"

# ---- 1. the small import, for the memory comparison --------------------------------------------
import_csv small "$CMP_S" "$TMP/small.csv" "$SMALL_ROWS"
SMALL_S="$IMP_SECONDS"
[ "$(json_num duplicates <<<"$IMP_STATUS")" = "$SMALL_DUP" ] || die "[small] expected $SMALL_DUP duplicates: $IMP_STATUS"
HWM_SMALL="$(rss_kib "$SERVER_PID" peak)"; RSS_SMALL="$(rss_kib "$SERVER_PID")"; HEAP_SMALL="$(jvm_heap)"
LIVE_SMALL="$(jvm_live)"
log "after the $SMALL_ROWS-row import: VmHWM $(kib_to_mib "$HWM_SMALL") MiB, VmRSS $(kib_to_mib "$RSS_SMALL") MiB, $HEAP_SMALL, live $LIVE_SMALL MiB"

# ---- 2. fill campaign A with the base file -----------------------------------------------------
import_csv fill "$CMP_A" "$TMP/base.csv" "$ROWS"
FILL_S="$IMP_SECONDS"
[ "$(json_num imported <<<"$IMP_STATUS")" = "$ROWS" ] || die "[fill] expected $ROWS imported: $IMP_STATUS"

# ---- 3. campaign B = a copy of A; the peer's staging table ----------------------------------------
log "copying campaign $CMP_A's $ROWS contacts into campaign $CMP_B (SQL, not timed) ..."
copy_start="$(now)"
sql -v ws="$WS" -v a="$CMP_A" -v b="$CMP_B" <<'SQL' || die "preparing campaign B failed"
BEGIN;
INSERT INTO campaign_contacts (workspace_id, id, campaign_id, email, first_name, last_name, company, title, phone, timezone,
                               custom_fields, status, current_step, next_send_at, last_sent_at, reply_intent, change_seq,
                               created_at, updated_at, last_import_id)
SELECT workspace_id, 'ctc_z' || substr(id, 6), :'b', email, first_name, last_name, company, title, phone, timezone,
       custom_fields, status, current_step, next_send_at, last_sent_at, reply_intent, change_seq, created_at, updated_at, last_import_id
  FROM campaign_contacts WHERE workspace_id = :ws AND campaign_id = :'a' ORDER BY change_seq;
INSERT INTO contact_change_counters (workspace_id, campaign_id, value)
SELECT workspace_id, :'b', value FROM contact_change_counters WHERE workspace_id = :ws AND campaign_id = :'a';
COMMIT;
CREATE TABLE bench_import_staging (
    ord        bigint GENERATED ALWAYS AS IDENTITY,
    email      text, first_name text, last_name text, company text, title text, phone text, timezone text,
    city       text, industry   text, lead_score text
);
SQL
[ "$(sql_value "SELECT count(*) FROM campaign_contacts WHERE workspace_id = $WS AND campaign_id = '$CMP_B'")" = "$ROWS" ] \
  || die "campaign $CMP_B does not hold $ROWS contacts after the copy"
log "copied in $(elapsed "$copy_start")s"

# settle: the same starting state for each rated run (dead tuples vacuumed, statistics fresh, no
# dirty buffers left for the run to write out).
settle() {
  local t; t="$(now)"
  sql -c "VACUUM (ANALYZE) campaign_contacts" -c "VACUUM (ANALYZE) contact_change_counters" -c "CHECKPOINT" \
    || die "VACUUM/CHECKPOINT failed"
  log "VACUUM ANALYZE + CHECKPOINT in $(elapsed "$t")s"
}
settle

# ---- 4. the peer: \copy + one INSERT … ON CONFLICT into campaign B -----------------------------
log "[peer] \\copy of incoming.csv into the staging table ..."
PEER_AV0="$(autovacuums)"; PEER_CPU0="$(cpu_mark)"
peer_t0="$(now)"
sql -c "\\copy bench_import_staging (email, first_name, last_name, company, title, phone, timezone, city, industry, lead_score) FROM '$TMP/incoming.csv' WITH (FORMAT csv, HEADER true)" \
  || die "[peer] \\copy failed"
peer_t1="$(now)"
log "[peer] copied in $(elapsed "$peer_t0" "$peer_t1")s; merging ..."
sql -v ws="$WS" -v b="$CMP_B" -v imp="$PEER_IMPORT_ID" -v n="$ROWS" <<'SQL' >"$TMP/peer-merge.out" || die "[peer] the merge failed"
BEGIN;
-- change numbers for every row, as the server reserves them (its counter row stays locked until commit)
INSERT INTO contact_change_counters AS k (workspace_id, campaign_id, value) VALUES (:ws, :'b', :n)
ON CONFLICT (workspace_id, campaign_id) DO UPDATE SET value = k.value + EXCLUDED.value
RETURNING k.value - :n AS base \gset
INSERT INTO campaign_contacts AS c (workspace_id, id, campaign_id, email, first_name, last_name, company, title, phone,
                                    timezone, custom_fields, change_seq, last_import_id)
SELECT :ws, 'ctc_p' || lpad(s.ord::text, 25, '0'), :'b', s.email, s.first_name, s.last_name, s.company, s.title, s.phone,
       s.timezone, s.custom_fields, :base + row_number() OVER (ORDER BY s.ord), :'imp'
  FROM (SELECT DISTINCT ON (lower(btrim(email))) ord, lower(btrim(email)) AS email,
               NULLIF(btrim(first_name), '') AS first_name, NULLIF(btrim(last_name), '') AS last_name,
               NULLIF(btrim(company), '') AS company, NULLIF(btrim(title), '') AS title, NULLIF(btrim(phone), '') AS phone,
               NULLIF(btrim(timezone), '') AS timezone,
               jsonb_strip_nulls(jsonb_build_object('city', NULLIF(btrim(city), ''), 'industry', NULLIF(btrim(industry), ''),
                                                    'leadScore', NULLIF(btrim(lead_score), ''))) AS custom_fields
          FROM bench_import_staging
         ORDER BY lower(btrim(email)), ord) s
 ORDER BY s.ord
ON CONFLICT (workspace_id, campaign_id, email) DO UPDATE
   SET first_name = COALESCE(EXCLUDED.first_name, c.first_name), last_name = COALESCE(EXCLUDED.last_name, c.last_name),
       company = COALESCE(EXCLUDED.company, c.company), title = COALESCE(EXCLUDED.title, c.title),
       phone = COALESCE(EXCLUDED.phone, c.phone), timezone = COALESCE(EXCLUDED.timezone, c.timezone),
       custom_fields = contact_merge_fields(c.custom_fields, EXCLUDED.custom_fields),
       change_seq = EXCLUDED.change_seq, last_import_id = :'imp', updated_at = now()
 WHERE c.last_import_id IS DISTINCT FROM :'imp';
COMMIT;
SQL
peer_t2="$(now)"
PEER_COPY_S="$(elapsed "$peer_t0" "$peer_t1")"
PEER_MERGE_S="$(elapsed "$peer_t1" "$peer_t2")"
PEER_S="$(elapsed "$peer_t0" "$peer_t2")"
read -r PEER_FOREIGN_S PEER_FOREIGN_PCT PEER_JVM_S PEER_PG_S PEER_SH_S <<<"$(cpu_since "$PEER_CPU0")"; PEER_AV1="$(autovacuums)"
log "[peer] merged in ${PEER_MERGE_S}s; total ${PEER_S}s"
settle

# ---- 5. ours: the same file through the HTTP upload into campaign A ---------------------------------
OURS_AV0="$(autovacuums)"; OURS_CPU0="$(cpu_mark)"
import_csv ours "$CMP_A" "$TMP/incoming.csv" "$ROWS"
read -r OURS_FOREIGN_S OURS_FOREIGN_PCT OURS_JVM_S OURS_PG_S OURS_SH_S <<<"$(cpu_since "$OURS_CPU0")"; OURS_AV1="$(autovacuums)"
OURS_S="$IMP_SECONDS"; OURS_UPLOAD_S="$IMP_UPLOAD_S"; OURS_FIRST_S="${IMP_FIRST_S:-$IMP_SECONDS}"
OURS_STATUS="$IMP_STATUS"; OURS_ID="$IMP_ID"
HWM_BIG="$(rss_kib "$SERVER_PID" peak)"; RSS_BIG="$(rss_kib "$SERVER_PID")"; HEAP_BIG="$(jvm_heap)"
LIVE_BIG="$(jvm_live)"
if [ "$ROWS" -ge 100000 ]; then PROFILE="$(rate_profile ours "$ROWS")"; else PROFILE="n/a (needs BENCH_ROWS >= 100000)"; fi

# ---- 6. checks -----------------------------------------------------------------------------------
for f in imported:"$EXP_IMPORTED" updated:"$EXP_UPDATED" duplicates:"$DUP_ROWS" suppressed:0 invalid:0; do
  got="$(json_num "${f%%:*}" <<<"$OURS_STATUS")"
  [ "$got" = "${f#*:}" ] || die "[ours] expected ${f%%:*}=${f#*:}, the job says $got: $OURS_STATUS"
done
COUNT_A="$(sql_value "SELECT count(*) FROM campaign_contacts WHERE workspace_id = $WS AND campaign_id = '$CMP_A'")"
COUNT_B="$(sql_value "SELECT count(*) FROM campaign_contacts WHERE workspace_id = $WS AND campaign_id = '$CMP_B'")"
EXPECTED=$(( ROWS + EXP_IMPORTED ))
[ "$COUNT_A" = "$EXPECTED" ] || die "campaign A holds $COUNT_A contacts, expected $EXPECTED"
[ "$COUNT_B" = "$EXPECTED" ] || die "campaign B (peer) holds $COUNT_B contacts, expected $EXPECTED"
DIFF="$(sql_value "
  WITH a AS (SELECT email, first_name, last_name, company, title, phone, timezone, custom_fields,
                    last_import_id IS NOT DISTINCT FROM '$OURS_ID' AS touched
               FROM campaign_contacts WHERE workspace_id = $WS AND campaign_id = '$CMP_A'),
       b AS (SELECT email, first_name, last_name, company, title, phone, timezone, custom_fields,
                    last_import_id IS NOT DISTINCT FROM '$PEER_IMPORT_ID' AS touched
               FROM campaign_contacts WHERE workspace_id = $WS AND campaign_id = '$CMP_B')
  SELECT (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b) x)
       + (SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a) y)")"
[ "$DIFF" = 0 ] || die "campaigns A (ours) and B (peer) differ in $DIFF rows after the imports"
SEQ_OK="$(sql_value "SELECT count(*) = count(DISTINCT change_seq) FROM campaign_contacts WHERE workspace_id = $WS AND campaign_id IN ('$CMP_A', '$CMP_B') GROUP BY campaign_id" | sort -u | tr -d '\n')"
[ "$SEQ_OK" = t ] || die "change numbers are not unique per campaign"
log "checks passed: both campaigns hold $EXPECTED contacts, identical field for field"

PG_KIB=0; PG_PROCS=0
for pid in $(pids_mentioning "$DATA_DIR"); do
  [ "$pid" = "$SERVER_PID" ] && continue
  for p in "$pid" $(descendants "$pid"); do
    PG_KIB=$(( PG_KIB + $(pss_kib "$p") )); PG_PROCS=$(( PG_PROCS + 1 ))
  done
done

OURS_RPS="$(div "$ROWS" "$OURS_S")"
PEER_RPS="$(div "$ROWS" "$PEER_S")"
RATIO="$(awk -v o="$OURS_RPS" -v p="$PEER_RPS" 'BEGIN { printf "%.2f", (p > 0 ? o / p : 0) }')"
GROWTH_PCT="$(awk -v a="$HWM_SMALL" -v b="$HWM_BIG" 'BEGIN { printf "%+.1f", (a > 0 ? (b - a) * 100 / a : 0) }')"

# av_delta BEFORE AFTER: "v a" differences of two autovacuums readings.
av_delta() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%d, %d", y[1] - x[1], y[2] - x[2] }'; }
FOREIGN_MAX="$(awk -v a="$PEER_FOREIGN_PCT" -v b="$OURS_FOREIGN_PCT" 'BEGIN { print (a > b ? a : b) }')"
if [ "$FOREIGN_MAX" -gt 10 ]; then
  log "WARNING: other processes used up to ${FOREIGN_MAX}% of the machine's CPU during a rated run; the numbers are noisy"
fi

# ---- report ---------------------------------------------------------------------------------
{
  echo
  echo "== bench import: $ROWS rows ($(kib_to_mib $(( INCOMING_BYTES / 1024 ))) MiB, 7 standard + 3 custom columns, $DUP_ROWS in-file duplicates, $EXP_UPDATED existing, $EXP_IMPORTED new) into a campaign of $ROWS contacts; PostgreSQL $PG_VERSION embedded, $(nproc) CPUs =="
  printf '  %-46s %10s rows/s  %8ss  (copy %ss + merge %ss)\n' "peer  psql \\copy + INSERT … ON CONFLICT" "$PEER_RPS" "$PEER_S" "$PEER_COPY_S" "$PEER_MERGE_S"
  printf '  %-46s %10s rows/s  %8ss  (upload→202 %ss, 202→completed %ss; first chunk seen at %ss)\n' \
    "ours  curl -F upload → GET says completed" "$OURS_RPS" "$OURS_S" "$OURS_UPLOAD_S" "$(elapsed "$OURS_UPLOAD_S" "$OURS_S")" "$OURS_FIRST_S"
  printf '  %-46s %10s\n' "throughput ratio ours/peer" "$RATIO"
  printf '  %-46s %s\n' "ours rows/s by tenth of the file" "$PROFILE"
  printf '  %-46s peer %s, ours %s (vacuums, analyzes)\n' "autovacuum runs on campaign_contacts during" \
    "$(av_delta "$PEER_AV0" "$PEER_AV1")" "$(av_delta "$OURS_AV0" "$OURS_AV1")"
  printf '  %-46s peer: PostgreSQL %s s + psql %s s (server JVM, idle: %s s); ours: server JVM %s s + PostgreSQL %s s (+ curl polling %s s)\n' \
    "CPU time used by the rated runs" "$PEER_PG_S" "$PEER_SH_S" "$PEER_JVM_S" "$OURS_JVM_S" "$OURS_PG_S" "$OURS_SH_S"
  printf '  %-46s peer %s CPU-s (%s%% of the machine), ours %s CPU-s (%s%%)\n' "other processes' CPU during the rated runs" \
    "$PEER_FOREIGN_S" "$PEER_FOREIGN_PCT" "$OURS_FOREIGN_S" "$OURS_FOREIGN_PCT"
  printf '  %-46s imported %s, updated %s, duplicates %s, suppressed %s, invalid %s\n' "ours job counts" \
    "$(json_num imported <<<"$OURS_STATUS")" "$(json_num updated <<<"$OURS_STATUS")" "$(json_num duplicates <<<"$OURS_STATUS")" \
    "$(json_num suppressed <<<"$OURS_STATUS")" "$(json_num invalid <<<"$OURS_STATUS")"
  printf '  %-46s %10s rows/s  %8ss  (%s rows into an empty campaign)\n' "fill  (not rated) base file, through the API" "$(div "$ROWS" "$FILL_S")" "$FILL_S" "$ROWS"
  printf '  %-46s %10s rows/s  %8ss  (%s rows into an empty campaign)\n' "small (not rated) small file, through the API" "$(div "$SMALL_ROWS" "$SMALL_S")" "$SMALL_S" "$SMALL_ROWS"
  printf '  %-46s %s MiB after the %s-row import, %s MiB after the %s-row imports (%s%%)\n' "server peak RSS (VmHWM, JVM)" \
    "$(kib_to_mib "$HWM_SMALL")" "$SMALL_ROWS" "$(kib_to_mib "$HWM_BIG")" "$ROWS" "$GROWTH_PCT"
  printf '  %-46s %s MiB after the %s-row import, %s MiB at the end\n' "server RSS (VmRSS, JVM)" \
    "$(kib_to_mib "$RSS_SMALL")" "$SMALL_ROWS" "$(kib_to_mib "$RSS_BIG")"
  printf '  %-46s %s after the %s-row import; %s at the end\n' "server JVM heap (jcmd GC.heap_info)" "$HEAP_SMALL" "$SMALL_ROWS" "$HEAP_BIG"
  printf '  %-46s %s MiB after the %s-row import, %s MiB after the %s-row imports\n' "server live heap (used after a full GC)" \
    "$LIVE_SMALL" "$SMALL_ROWS" "$LIVE_BIG" "$ROWS"
  if [ "$PG_PROCS" -gt 0 ]; then
    printf '  %-46s %s MiB (PSS of %s processes, at the end)\n' "embedded PostgreSQL, besides the JVM" "$(kib_to_mib "$PG_KIB")" "$PG_PROCS"
  fi
  echo "bench import: server peak RSS (VmHWM) $(kib_to_mib "$HWM_BIG") MiB after ${ROWS}-row imports vs $(kib_to_mib "$HWM_SMALL") MiB after a ${SMALL_ROWS}-row import"
}

# Stop the server and clean up now, so that nothing follows the last line.
cleanup
trap - EXIT

echo "bench import: ours=${OURS_RPS} rows/s peer=${PEER_RPS} rows/s ratio=${RATIO} goal=>=${GOAL}"
awk -v r="$RATIO" -v g="$GOAL" 'BEGIN { exit !(r + 0 >= g + 0) }'
