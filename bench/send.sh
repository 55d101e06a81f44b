#!/usr/bin/env bash
# bench send: campaign sending throughput of the real pipeline against a bare Angus Mail loop, with
# and without DKIM. Run it as `./outreach2day bench send` (that builds the jar and sets JAVA_HOME).
#
# For each case (nodkim, then dkim) on a fresh sandbox server (own temp data dir, free loopback
# ports, limits lifted, O2D_DELIVERY_DKIM=false|true, concurrency 64, batch 200):
#   setup  through the API: test card, capacity, one bought domain, BENCH_MAILBOXES `local`
#          mailboxes (explicit passwords, dailyLimit 1000), a campaign with one ~2 KB personalised
#          HTML step (firstName, company, spintax, unsubscribeUrl), schedule every day 00:00-23:59
#          UTC with gaps 0/0, all mailboxes attached, BENCH_MAILBOXES x BENCH_CONTACTS contacts;
#   peer   bench/SendPeer.java: logs in as the same mailboxes on the built-in SMTP server,
#          pre-renders the same messages and sends them over kept-open transports with the same
#          concurrency (signing each one inside the timed loop in the dkim case); run once just
#          before ours and once just after, and the peer's rate is the mean of the two (the
#          machine's speed drifts between runs seconds apart);
#   ours   POST /campaigns/{id}/launch, then GET /campaigns/{id}/stats every 200 ms until every
#          contact's email is sent: ours = messages / seconds from launch to the last one sent.
# Both get the same untimed warm-up first (BENCH_WARMUP messages, by default as many as the run, so
# the JITs of the sender and of the receiving server are warm, as in a server that has been running):
# the peer in its own JVM, to the contacts (so their accounts on the receiving server exist before
# either timed run, as they do for ours), ours as a separate warm-up campaign on the same mailboxes
# to other recipients, sent before the launch. The peer runs first, so the receiving mail server is
# warm for both.
#
# Report lines (stdout), the last one for the DKIM case, which is what production runs:
#   bench send-nodkim: ours=<msg/s> msg/s peer=<msg/s> msg/s ratio=<ours/peer> goal=>=0.50
#   bench send-dkim: ours=<msg/s> msg/s peer=<msg/s> msg/s ratio=<ours/peer> goal=>=0.80
#   bench send: ours=<msg/s> msg/s peer=<msg/s> msg/s ratio=<ours/peer> goal=>=0.80
# Exit code 0 when every case run meets its goal, else 1.
#
# Environment: BENCH_MAILBOXES (default 100), BENCH_CONTACTS (contacts per mailbox, default 50),
# BENCH_CASES (default "nodkim dkim"), BENCH_CONCURRENCY (default 64), BENCH_BATCH (default 200),
# BENCH_SEND_TIMEOUT (s from launch to wait for ours to finish, default 90; when it runs out, ours is
# rated on what it sent by then and the case fails), BENCH_WARMUP (untimed warm-up messages, for the
# peer and for ours alike, default "all" = as many as the run; longer ones go round the contacts' names
# again, up to the mailboxes' daily limit with the run; BENCH_PEER_WARMUP is its old name), O2D_JAVA_OPTS (extra server JVM options),
# BENCH_PEER_JAVA_OPTS (extra peer JVM options), BENCH_JAR (defaults to the built jar).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_ROOT"

MAILBOXES="${BENCH_MAILBOXES:-100}"
PER_MAILBOX="${BENCH_CONTACTS:-50}"
CASES="${BENCH_CASES:-nodkim dkim}"
CONCURRENCY="${BENCH_CONCURRENCY:-64}"
BATCH="${BENCH_BATCH:-200}"
SEND_TIMEOUT="${BENCH_SEND_TIMEOUT:-90}"
PEER_WARMUP="${BENCH_WARMUP:-${BENCH_PEER_WARMUP:-all}}"
STARTUP_TIMEOUT=120   # seconds, from process start to health 200 and the bootstrap key on disk
GOAL_NODKIM=0.50
GOAL_DKIM=0.80
DOMAIN="o2d-bench-send.com"
for v in MAILBOXES PER_MAILBOX CONCURRENCY BATCH SEND_TIMEOUT; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a whole number >= 1, got '${!v}'"
done
[[ "$PEER_WARMUP" =~ ^([0-9]+|all)$ ]] || die "BENCH_WARMUP must be a whole number or 'all', got '$PEER_WARMUP'"
[ "$MAILBOXES" -le 1000 ] || die "BENCH_MAILBOXES must be at most 1000"
[ "$PER_MAILBOX" -le 1000 ] || die "BENCH_CONTACTS must be at most 1000 (the mailboxes' daily limit)"
for c in $CASES; do [[ "$c" == nodkim || "$c" == dkim ]] || die "BENCH_CASES holds '$c'; use nodkim and/or dkim"; done
[ -n "${CASES// /}" ] || die "BENCH_CASES is empty"
TOTAL=$(( MAILBOXES * PER_MAILBOX ))
[ "$PEER_WARMUP" != all ] || PEER_WARMUP="$TOTAL"
# every mailbox sends its share of the warm-up and of the run on one day, within its daily limit of 1000
[ $(( (PEER_WARMUP + TOTAL + MAILBOXES - 1) / MAILBOXES )) -le 1000 ] \
  || die "BENCH_WARMUP + the run must be at most 1000 messages per mailbox (the mailboxes' daily limit)"
WARMUP_TIMEOUT=$(( SEND_TIMEOUT * ((PEER_WARMUP + TOTAL - 1) / TOTAL) ))

command -v curl >/dev/null 2>&1 || die "curl is missing"
JAVA="$(java_bin)"
JDK_BIN="$(dirname "$JAVA")"
if [ ! -x "$JDK_BIN/javac" ] || [ ! -x "$JDK_BIN/jar" ]; then die "JAVA_HOME ($JAVA_HOME) is not a full JDK (javac and jar needed for the peer)"; fi
[ -f "$BENCH_JAR" ] || die "$BENCH_JAR not found; build it with ./outreach2day build"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/o2d-bench-send.XXXXXX")"
SERVER_LOG=""   # the current case's server log
PEER_PID=""

# stop_everything [GRACE_S]: stops the peer, the current server (SIGKILL after GRACE_S, default
# 30) and any embedded PostgreSQL left under our temp dir.
stop_everything() {
  stop_pid "$PEER_PID"; PEER_PID=""
  stop_server_and_leftovers "$TMP" "${1:-30}"
}

bench_traps send "$TMP" stop_everything

# ---- the API from bash ----------------------------------------------------------------------
RESP="$TMP/response.json"   # where api (lib.sh) puts response bodies
API_TIMEOUT=120
# json_escape < TEXT: the text as one JSON string (with the quotes).
json_escape() { awk 'BEGIN { ORS = "" } { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, ""); s = s (NR > 1 ? "\\n" : "") $0 } END { print "\"" s "\"" }'; }

# ---- test data, shared by ours and the peer -----------------------------------------------------
RUN_SECRET="$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
awk -v n="$MAILBOXES" -v d="$DOMAIN" -v s="$RUN_SECRET" 'BEGIN {
  split("Sam Alex Jordan Taylor Morgan Casey Riley Jamie Robin Avery", F, " ")
  split("Miller Carter Brooks Hayes Parker Reed Ellis Foster Grant Hughes", L, " ")
  for (i = 1; i <= n; i++)
    printf "sender%03d@%s\tbench-%s-%03d\t%s\t%s\n", i, d, s, i, F[(i - 1) % 10 + 1], L[int((i - 1) / 10) % 10 + 1]
}' >"$TMP/mailboxes.tsv"
awk -v n="$TOTAL" 'BEGIN {
  nf = split("Ada Grace Alan Linus Barbara Ken Margaret Dennis Frances John Radia Tim Sophie Edsger Hedy Donald", F, " ")
  nl = split("Lovelace Hopper Turing Torvalds Liskov Thompson Hamilton Ritchie Allen Backus Perlman Lee Wilson Dijkstra Lamarr Knuth", L, " ")
  nc = split("Northwind Contoso Initech Globex Umbrella Hooli Vandelay Soylent Tyrell Cyberdyne Wonka Stark Wayne Acme Oscorp Pied", C, " ")
  for (i = 1; i <= n; i++) {
    f = F[(i - 1) % nf + 1]; l = L[int((i - 1) / nf) % nl + 1]; c = C[(i * 7) % nc + 1]; k = int((i - 1) / 10)
    printf "%s.%s.%05d@%s-%04d.com\t%s\t%s\t%s Labs %d\n", tolower(f), tolower(l), i, tolower(c), k, f, l, c, k
  }
}' >"$TMP/contacts.tsv"
printf '%s\n' 'Quick question about {{company}}, {{firstName}}' >"$TMP/subject.txt"
cat >"$TMP/body.html" <<'HTML'
<p>{Hi|Hello|Hey} {{firstName}},</p>
<p>I have been following {{company}} for a while and noticed that your team has been growing quickly over
the last few quarters. Growth like that usually means the outbound side of the business gets stretched:
more territories, more prospects, and the same handful of people trying to keep every conversation warm.</p>
<p>We help companies like {{company}} send personal, well-timed emails from their own domains and mailboxes,
without handing their reputation to a shared IP pool. Every message is signed, throttled per mailbox and
stopped the moment someone replies, so your prospects only ever see a short, relevant note from a real person.</p>
<p>Most teams we talk to already have a good list and a good offer. What they are missing is a way to
send at a steady pace from many mailboxes at once while keeping every message personal, and a clear picture
of which mailboxes and which messages are doing the work. That is exactly the part we take off your plate.</p>
<p>A few things teams usually care about:</p>
<ul>
<li>Warm-up and daily limits per mailbox, so new domains build a clean sending history.</li>
<li>One inbox for every reply across all mailboxes, with out-of-office and bounce handling done for you.</li>
<li>Clear numbers per step and per mailbox, so you know which message actually starts conversations.</li>
</ul>
<p>Would it make sense to compare notes for fifteen minutes next week? If the timing is wrong, {just let me know|a quick no is fine too|tell me who owns this instead}
and I will not follow up again.</p>
<p>Best regards,<br>{{senderFirstName}} {{senderLastName}}<br>Outreach team</p>
<p style='font-size:12px;color:#777777'>You are receiving this because {{company}} matched our research on growing
sales teams. If you would rather not hear from us, <a href='{{unsubscribeUrl}}'>unsubscribe with one click</a>.</p>
HTML

# ---- the peer: compiled once, against the mail jars inside the server's jar -------------------
log "extracting the mail jars from $BENCH_JAR for the peer"
mkdir -p "$TMP/lib" "$TMP/peer-classes"
mapfile -t PEER_JARS < <("$JDK_BIN/jar" tf "$BENCH_JAR" | grep -E '^BOOT-INF/lib/(angus-mail|angus-activation|jakarta\.mail-api|jakarta\.activation-api|utils-mail-dkim|utils-data-fetcher|commons-nulls|bcprov|bcpkix|bcutil)-[^/]*\.jar$')
[ "${#PEER_JARS[@]}" -ge 5 ] || die "the mail jars were not found in $BENCH_JAR (BOOT-INF/lib)"
(cd "$TMP/lib" && "$JDK_BIN/jar" xf "$BENCH_JAR" "${PEER_JARS[@]}") || die "could not extract the mail jars from $BENCH_JAR"
PEER_CP="$(find "$TMP/lib" -name '*.jar' | sort | tr '\n' ':')"
"$JDK_BIN/javac" -nowarn -d "$TMP/peer-classes" -cp "$PEER_CP" bench/SendPeer.java >&2 || die "bench/SendPeer.java does not compile"

# ---- the peer ------------------------------------------------------------------------------------
# run_peer NAME DKIM DIR WHEN: one run of the bare loop (with its own untimed warm-up) against the
# current case's server; sets PEER_RATE_<WHEN>, PEER_SECONDS_<WHEN> and PEER_BYTES.
run_peer() {
  local name="$1" dkim="$2" dir="$3" when="$4" code rate
  log "[$name] peer ($when ours): $TOTAL messages over $MAILBOXES transports, $CONCURRENCY virtual threads$([ "$dkim" = true ] && echo ', DKIM-signed in the loop')"
  # shellcheck disable=SC2086
  timeout --kill-after=5 300 "$JAVA" ${BENCH_PEER_JAVA_OPTS:-} -cp "$TMP/peer-classes:$PEER_CP" SendPeer \
    --port "$smtp_port" --mailboxes "$TMP/mailboxes.tsv" --contacts "$TMP/contacts.tsv" --subject "$TMP/subject.txt" \
    --body "$TMP/body.html" --base-url "$BASE" --dkim "$dkim" --concurrency "$CONCURRENCY" --warmup "$PEER_WARMUP" \
    >"$dir/peer-$when.out" &
  PEER_PID=$!
  wait "$PEER_PID" && code=0 || code=$?
  PEER_PID=""
  cat "$dir/peer-$when.out" >&2
  [ "$code" -eq 0 ] || die "[$name] the peer ($when ours) failed (status $code)"
  rate="$(sed -n 's/^peer: .* rate=\([0-9.]*\) .*/\1/p' "$dir/peer-$when.out")"
  [ -n "$rate" ] || die "[$name] no result line from the peer ($when ours)"
  printf -v "PEER_RATE_$when" '%s' "$rate"
  printf -v "PEER_SECONDS_$when" '%s' "$(sed -n 's/^peer: .* seconds=\([0-9.]*\) .*/\1/p' "$dir/peer-$when.out")"
  PEER_BYTES="$(sed -n 's/^peer: .* avg_bytes=\([0-9]*\) .*/\1/p' "$dir/peer-$when.out")"
}

# ---- one case --------------------------------------------------------------------------------
# run_case NAME DKIM: sets OURS_RATE, PEER_RATE and the details below.
run_case() {
  local name="$1" dkim="$2" dir port key_file left code smtp_port from to t_launch t_launched t_first t_end now_s
  local sent failed bounced skipped unknown done_n stats setup_start short poll_start log_lines
  dir="$TMP/$name"; mkdir -p "$dir/data"
  SERVER_LOG="$dir/server.log"
  port="$(free_port)"
  BASE="http://127.0.0.1:$port"
  log "[$name] starting the server on $BASE (O2D_DELIVERY_DKIM=$dkim, data dir $dir/data)"
  start_server "$SERVER_LOG" \
    O2D_HTTP_PORT="$port" O2D_DATA_DIR="$dir/data" O2D_PUBLIC_URL="$BASE" \
    O2D_RATE_LIMIT_RPS=1000000 O2D_RATE_LIMIT_BURST=1000000 O2D_MAIL_SMTP_PORT=0 O2D_MAIL_IMAP_PORT=0 O2D_DNS_PORT=0 \
    O2D_DELIVERY_DKIM="$dkim" O2D_DELIVERY_CONCURRENCY="$CONCURRENCY" O2D_DELIVERY_BATCH="$BATCH" \
    O2D_MAILBOX_DAILY_LIMIT=1000 O2D_DEFAULT_MAX_MAILBOXES=10
  if ! wait_http "$BASE/actuator/health" "$STARTUP_TIMEOUT" "$SERVER_PID"; then
    alive "$SERVER_PID" && die "[$name] server did not answer 200 on /actuator/health within ${STARTUP_TIMEOUT}s"
    die "[$name] server exited before answering /actuator/health"
  fi
  log "[$name] server up after $(elapsed "$SERVER_STARTED_AT")s"
  key_file="$dir/data/bootstrap-api-key"
  left="$(awk -v t="$STARTUP_TIMEOUT" -v e="$(elapsed "$SERVER_STARTED_AT")" 'BEGIN { l = t - e; print (l < 5 ? 5 : int(l + 1)) }')"
  wait_file "$key_file" "$left" "$SERVER_PID" || die "[$name] no bootstrap API key at $key_file"
  AUTH="Authorization: Bearer $(head -n 1 "$key_file" | tr -d '[:space:]')"
  smtp_port="$(sed -n 's/.*Built-in mail server: SMTP 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$SERVER_LOG" | head -n 1)"
  [ -n "$smtp_port" ] || die "[$name] no 'Built-in mail server: SMTP 127.0.0.1:<port>' line in the server log"
  imap_port="$(sed -n 's/.*Built-in mail server: SMTP .*IMAP 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$SERVER_LOG" | head -n 1)"
  log "[$name] built-in mail server: SMTP port $smtp_port, IMAP port ${imap_port:-?}"

  # -- setup through the API --
  setup_start="$(now)"
  api POST /workspaces/1/setup_payment_method
  local setup_url; setup_url="$(json_str setup_url <"$RESP")"
  [[ "$setup_url" == */billing/sandbox/setup/* ]] || die "[$name] unexpected setup_url '$setup_url'"
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "$BASE/billing/${setup_url#*/billing/}")"
  [ "$code" = 200 ] || die "[$name] confirming the sandbox test card answered $code"
  api POST /workspaces/1/upgrade "{\"new_max_mailboxes\":$(( MAILBOXES > 200 ? MAILBOXES : 200 ))}"
  api POST /domains/purchase "{\"domains\":[\"$DOMAIN\"],\"years\":1,\"whoisPrivacy\":true,\"contactInfo\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"email\":\"ada@acme.com\",\"phone\":\"+44.2079460000\",\"address1\":\"1 Engine St\",\"city\":\"London\",\"stateProvince\":\"London\",\"postalCode\":\"N1 9GU\",\"country\":\"GB\"}}"
  grep -q '"status":"registered"' "$RESP" || { cat "$RESP" >&2; echo >&2; die "[$name] buying $DOMAIN did not register it"; }
  for (( from = 1; from <= MAILBOXES; from += 100 )); do
    to=$(( from + 99 > MAILBOXES ? MAILBOXES : from + 99 ))
    awk -F '\t' -v a="$from" -v b="$to" 'BEGIN { printf "{\"mailboxes\":[" } NR >= a && NR <= b {
        printf "%s{\"address\":\"%s\",\"password\":\"%s\",\"firstName\":\"%s\",\"lastName\":\"%s\",\"dailyLimit\":1000}", (NR > a ? "," : ""), $1, $2, $3, $4
      } END { print "]}" }' "$TMP/mailboxes.tsv" >"$dir/mailboxes.json"
    api POST /mailboxes "@$dir/mailboxes.json"
    grep -q '"errors":\[\]' "$RESP" || { head -c 2000 "$RESP" >&2; echo >&2; die "[$name] creating mailboxes $from-$to reported errors"; }
  done
  api POST /campaigns '{"name":"bench send","priority":"HIGH"}'
  CMP="$(json_str id <"$RESP")"
  [ -n "$CMP" ] || die "[$name] no campaign id in $(head -c 500 "$RESP")"
  printf '{"order":1,"subject":%s,"bodyHtml":%s,"delayDays":0}' "$(json_escape <"$TMP/subject.txt")" "$(json_escape <"$TMP/body.html")" >"$dir/step.json"
  api POST "/campaigns/$CMP/steps" "@$dir/step.json"
  api PUT "/campaigns/$CMP/schedule" '{"timezone":"UTC","windows":[{"days":["mon","tue","wed","thu","fri","sat","sun"],"start":"00:00","end":"23:59"}],"useContactTimezone":false,"minGapSeconds":0,"maxGapSeconds":0}'
  for (( from = 1; from <= MAILBOXES; from += 500 )); do
    to=$(( from + 499 > MAILBOXES ? MAILBOXES : from + 499 ))
    awk -F '\t' -v a="$from" -v b="$to" 'BEGIN { printf "{\"mailboxes\":[" } NR >= a && NR <= b { printf "%s\"%s\"", (NR > a ? "," : ""), $1 } END { print "]}" }' \
      "$TMP/mailboxes.tsv" >"$dir/attach.json"
    api POST "/campaigns/$CMP/mailboxes" "@$dir/attach.json"
  done
  for (( from = 1; from <= TOTAL; from += 1000 )); do
    to=$(( from + 999 > TOTAL ? TOTAL : from + 999 ))
    awk -F '\t' -v a="$from" -v b="$to" 'BEGIN { printf "{\"contacts\":[" } NR >= a && NR <= b {
        printf "%s{\"email\":\"%s\",\"firstName\":\"%s\",\"lastName\":\"%s\",\"company\":\"%s\"}", (NR > a ? "," : ""), $1, $2, $3, $4
      } END { print "]}" }' "$TMP/contacts.tsv" >"$dir/contacts.json"
    api POST "/campaigns/$CMP/contacts" "@$dir/contacts.json"
    [ "$(json_num added <"$RESP")" = $(( to - from + 1 )) ] || { head -c 2000 "$RESP" >&2; echo >&2; die "[$name] adding contacts $from-$to did not add them all"; }
  done
  api GET "/campaigns/$CMP/preflight"
  grep -q '"ready":true' "$RESP" || { head -c 3000 "$RESP" >&2; echo >&2; die "[$name] the campaign's preflight does not pass"; }
  # the warm-up campaign for ours: the same step and schedule on the same mailboxes, other recipients
  local warm_cmp=""
  if [ "$PEER_WARMUP" -gt 0 ]; then
    api POST /campaigns '{"name":"bench send warm-up","priority":"HIGH"}'
    warm_cmp="$(json_str id <"$RESP")"
    api POST "/campaigns/$warm_cmp/steps" "@$dir/step.json"
    api PUT "/campaigns/$warm_cmp/schedule" '{"timezone":"UTC","windows":[{"days":["mon","tue","wed","thu","fri","sat","sun"],"start":"00:00","end":"23:59"}],"useContactTimezone":false,"minGapSeconds":0,"maxGapSeconds":0}'
    for (( from = 1; from <= MAILBOXES; from += 500 )); do
      to=$(( from + 499 > MAILBOXES ? MAILBOXES : from + 499 ))
      awk -F '\t' -v a="$from" -v b="$to" 'BEGIN { printf "{\"mailboxes\":[" } NR >= a && NR <= b { printf "%s\"%s\"", (NR > a ? "," : ""), $1 } END { print "]}" }' \
        "$TMP/mailboxes.tsv" >"$dir/attach.json"
      api POST "/campaigns/$warm_cmp/mailboxes" "@$dir/attach.json"
    done
    for (( from = 1; from <= PEER_WARMUP; from += 1000 )); do
      to=$(( from + 999 > PEER_WARMUP ? PEER_WARMUP : from + 999 ))
      # warm-up contact k takes the names of the run's contact ((k - 1) mod TOTAL) + 1
      awk -F '\t' -v a="$from" -v b="$to" '{ f[NR] = $2; l[NR] = $3; c[NR] = $4 } END {
          printf "{\"contacts\":["
          for (k = a; k <= b; k++) { r = (k - 1) % NR + 1
            printf "%s{\"email\":\"warmup-%d@ours-warmup.com\",\"firstName\":\"%s\",\"lastName\":\"%s\",\"company\":\"%s\"}", (k > a ? "," : ""), k, f[r], l[r], c[r] }
          print "]}" }' "$TMP/contacts.tsv" >"$dir/contacts.json"
      api POST "/campaigns/$warm_cmp/contacts" "@$dir/contacts.json"
    done
  fi
  log "[$name] setup through the API took $(elapsed "$setup_start")s ($MAILBOXES mailboxes, $TOTAL contacts, campaign $CMP${warm_cmp:+, warm-up campaign $warm_cmp})"

  # -- the peer, first: the same messages over kept-open transports (and again after ours, below) --
  run_peer "$name" "$dkim" "$dir" before

  # -- ours: the untimed warm-up campaign, then launch, then wait until every email is sent --
  if [ -n "$warm_cmp" ]; then
    local warm_start warm_sent=0; warm_start="$(now)"
    api POST "/campaigns/$warm_cmp/launch" '{"confirm":true}'
    grep -q '"admitted":true' "$RESP" || { head -c 2000 "$RESP" >&2; echo >&2; die "[$name] the warm-up launch was not admitted"; }
    while [ "$warm_sent" -lt "$PEER_WARMUP" ]; do
      awk -v e="$(elapsed "$warm_start")" -v t="$WARMUP_TIMEOUT" 'BEGIN { exit !(e >= t) }' && die "[$name] ours: the warm-up did not finish within ${WARMUP_TIMEOUT}s ($warm_sent of $PEER_WARMUP sent)"
      alive "$SERVER_PID" || die "[$name] the server exited during the warm-up"
      sleep 0.2
      api GET "/campaigns/$warm_cmp/stats"
      warm_sent="$(sed 's/.*"sends":{//' "$RESP" | json_num sent)"
    done
    log "[$name] ours: warm-up campaign sent $warm_sent messages in $(elapsed "$warm_start")s (untimed)"
  fi
  log "[$name] ours: launching campaign $CMP ($TOTAL contacts)"
  log_lines="$(wc -l <"$SERVER_LOG")"
  t_launch="$(now)"
  api POST "/campaigns/$CMP/launch" '{"confirm":true}'
  t_launched="$(now)"
  grep -q '"admitted":true' "$RESP" || { head -c 2000 "$RESP" >&2; echo >&2; die "[$name] the launch was not admitted"; }
  local job; job="$(json_str jobId <"$RESP")"
  # Each poll's time is when its answer arrived: "until the stats show" every email sent.
  t_first=""; t_end=""; sent=0; short=""; POLLS=0; POLL_MAX=0
  while :; do
    poll_start="$(now)"
    api GET "/campaigns/$CMP/stats"
    now_s="$(now)"
    POLLS=$(( POLLS + 1 ))
    POLL_MAX="$(awk -v m="$POLL_MAX" -v d="$(elapsed "$poll_start" "$now_s")" 'BEGIN { printf "%.3f", (d > m ? d : m) }')"
    stats="$(sed 's/.*"sends":{//' "$RESP")"
    sent="$(json_num sent <<<"$stats")"; failed="$(json_num failed <<<"$stats")"; bounced="$(json_num bounced <<<"$stats")"
    skipped="$(json_num skipped <<<"$stats")"; unknown="$(json_num unknown <<<"$stats")"
    [ -n "$sent" ] || die "[$name] no sends.sent in the stats: $(head -c 500 "$RESP")"
    if [ -z "$t_first" ] && [ "$sent" -gt 0 ]; then t_first="$now_s"; fi
    if [ "$sent" -ge "$TOTAL" ]; then t_end="$now_s"; break; fi
    done_n=$(( sent + failed + bounced + skipped + unknown ))
    if [ "$done_n" -ge "$TOTAL" ]; then t_end="$now_s"; short=1; break; fi
    if awk -v e="$(elapsed "$t_launch")" -v t="$SEND_TIMEOUT" 'BEGIN { exit !(e >= t) }'; then
      log "[$name] ours: only $sent of $TOTAL sent after ${SEND_TIMEOUT}s (failed $failed, bounced $bounced, skipped $skipped, unknown $unknown); rating what was sent"
      t_end="$now_s"; OURS_INCOMPLETE="timed out after ${SEND_TIMEOUT}s"
      [ $(( failed + bounced + skipped + unknown )) -eq 0 ] \
        || OURS_INCOMPLETE+=", and failed $failed, bounced $bounced, skipped $skipped, unknown $unknown"
      break
    fi
    alive "$SERVER_PID" || die "[$name] the server exited while sending"
    sleep 0.2
  done
  OURS_SENT="$sent"
  if [ $(( failed + bounced + skipped + unknown )) -gt 0 ]; then
    local st
    for st in skipped failed bounced unknown; do
      api GET "/campaigns/$CMP/sends?status=$st&limit=200"
      grep -o '"reason":"[^"]*"' "$RESP" | sort | uniq -c | sort -rn | head -n 5 | sed "s/^/    $st: /" >&2 || true
    done
  fi
  if [ -n "$short" ]; then
    OURS_INCOMPLETE="finished with $(( TOTAL - sent )) not sent: failed $failed, bounced $bounced, skipped $skipped, unknown $unknown"
    log "[$name] ours: $OURS_INCOMPLETE (see the reasons above); rating what was sent"
  fi
  api GET "/campaigns/$CMP/launch-jobs/$job"
  grep -q '"enrolled":'"$TOTAL"'[,}]' "$RESP" || { head -c 2000 "$RESP" >&2; echo >&2; die "[$name] the launch job did not enrol all $TOTAL contacts"; }
  OURS_SECONDS="$(elapsed "$t_launch" "$t_end")"
  OURS_RATE="$(awk -v n="$sent" -v s="$OURS_SECONDS" 'BEGIN { printf "%.1f", (s > 0 ? n / s : 0) }')"
  LAUNCH_S="$(elapsed "$t_launch" "$t_launched")"
  FIRST_S="$( [ -n "$t_first" ] && elapsed "$t_launch" "$t_first" || echo n/a)"
  STEADY_RATE="$( [ -n "$t_first" ] && awk -v n="$sent" -v a="$t_first" -v b="$t_end" 'BEGIN { printf "%.1f", (b > a ? n / (b - a) : 0) }' || echo n/a)"
  log "[$name] ours: $sent sent in ${OURS_SECONDS}s (launch call ${LAUNCH_S}s, first send seen after ${FIRST_S}s; $POLLS stats polls, slowest ${POLL_MAX}s)"

  # -- one of our messages as the prospect got it: its size, and a DKIM signature exactly when on --
  OURS_BYTES="n/a"
  local first_contact uid msg
  api GET "/campaigns/$CMP/sends?status=sent&limit=1"
  first_contact="$(json_str email <"$RESP")"
  # before ours, each contact got the peer's warm-up messages (a round of the contacts each) and its timed one
  for uid in $(seq 1 $(( (PEER_WARMUP + TOTAL - 1) / TOTAL + 2 ))); do
    msg="$(curl -s --max-time 5 -u "$first_contact:$first_contact" "imap://127.0.0.1:${imap_port:-0}/INBOX;UID=$uid" 2>/dev/null || true)"
    if grep -qi '^Message-ID: *<snd_' <<<"$msg"; then
      OURS_BYTES="$(printf '%s' "$msg" | wc -c | tr -d ' ')"
      if [ "$dkim" = true ]; then
        grep -qi '^DKIM-Signature:' <<<"$msg" || die "[$name] our message to $first_contact has no DKIM-Signature"
      else
        grep -qi '^DKIM-Signature:' <<<"$msg" && die "[$name] our message to $first_contact is DKIM-signed with O2D_DELIVERY_DKIM=false"
      fi
      grep -q 'unsubscribe with one click' <<<"$msg" || log "[$name] WARNING: our message to $first_contact lacks the rendered body"
      break
    fi
  done
  [ "$OURS_BYTES" != n/a ] || log "[$name] WARNING: could not read our message to '$first_contact' over IMAP"

  # -- the peer again, after ours: the machine's speed drifts between runs seconds apart (the bare
  # loop alone moved between 1,200 and 2,000 msg/s here), so ours is rated against the mean of a
  # peer run just before and one just after it --
  run_peer "$name" "$dkim" "$dir" after
  PEER_RATE="$(awk -v a="$PEER_RATE_before" -v b="$PEER_RATE_after" 'BEGIN { printf "%.1f", (a + b) / 2 }')"
  WARNINGS="$(tail -n +"$(( log_lines + 1 ))" "$SERVER_LOG" | grep -c -E ' (WARN|ERROR) ' || true)"
  if [ "${WARNINGS:-0}" -gt 0 ]; then
    log "[$name] $WARNINGS WARN/ERROR line(s) in the server log since the launch, the first ones:"
    tail -n +"$(( log_lines + 1 ))" "$SERVER_LOG" | grep -E ' (WARN|ERROR) ' | head -n 5 >&2
  fi

  stop_everything 10
}

# ---- run the cases ------------------------------------------------------------------------------
declare -A R_OURS R_PEER R_RATIO R_GOAL R_DETAIL
OK=1
for case_name in $CASES; do
  OURS_INCOMPLETE=""
  if [ "$case_name" = dkim ]; then run_case dkim true; goal="$GOAL_DKIM"; else run_case nodkim false; goal="$GOAL_NODKIM"; fi
  ratio="$(awk -v o="$OURS_RATE" -v p="$PEER_RATE" 'BEGIN { printf "%.2f", (p > 0 ? o / p : 0) }')"
  R_OURS[$case_name]="$OURS_RATE"; R_PEER[$case_name]="$PEER_RATE"; R_RATIO[$case_name]="$ratio"; R_GOAL[$case_name]="$goal"
  R_DETAIL[$case_name]="$(printf '  %-8s ours %8s msg/s (%s of %s sent in %ss%s; launch call %ss, first send after %ss, %s msg/s from then on, %s bytes)\n  %-8s peer %8s msg/s (mean of %s msg/s before ours, %s in %ss, and %s msg/s after, in %ss; %s bytes before signing)' \
    "$case_name" "$OURS_RATE" "$OURS_SENT" "$TOTAL" "$OURS_SECONDS" "${OURS_INCOMPLETE:+; INCOMPLETE: $OURS_INCOMPLETE}" "$LAUNCH_S" "$FIRST_S" "$STEADY_RATE" "$OURS_BYTES" \
    "" "$PEER_RATE" "$PEER_RATE_before" "$TOTAL" "$PEER_SECONDS_before" "$PEER_RATE_after" "$PEER_SECONDS_after" "$PEER_BYTES")"
  if [ -n "$OURS_INCOMPLETE" ] || ! awk -v r="$ratio" -v g="$goal" 'BEGIN { exit !(r + 0 >= g + 0) }'; then OK=0; fi
done

# ---- report ---------------------------------------------------------------------------------
{
  echo
  echo "== bench send: $MAILBOXES mailboxes x $PER_MAILBOX contacts = $TOTAL messages per case, concurrency $CONCURRENCY, batch $BATCH, $(nproc) CPUs shared =="
  for case_name in $CASES; do echo "${R_DETAIL[$case_name]}"; done
}
bench_cleanup
trap - EXIT
REPORTED=1
for case_name in $CASES; do
  echo "bench send-$case_name: ours=${R_OURS[$case_name]} msg/s peer=${R_PEER[$case_name]} msg/s ratio=${R_RATIO[$case_name]} goal=>=${R_GOAL[$case_name]}"
done
final=dkim; [[ " $CASES " == *" dkim "* ]] || final=nodkim
echo "bench send: ours=${R_OURS[$final]} msg/s peer=${R_PEER[$final]} msg/s ratio=${R_RATIO[$final]} goal=>=${R_GOAL[$final]}"
[ "$OK" -eq 1 ]
