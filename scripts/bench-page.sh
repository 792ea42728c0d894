#!/usr/bin/env bash
# Page benchmark of the buyer's upload page (a benchmark, not a test: it never fails because
# a machine is slow, it only says whether each target was met).
#
#   scripts/bench-page.sh > bench.md      # table on stdout, progress on stderr
#
# For each backend (SQLite, then PostgreSQL if a local server can be used), a fresh release
# portal gets one seller, one buyer with two documents and a self-service invitation, all
# through the API; the link is opened BENCH_SESSIONS times with curl, as that many browsers
# would, and wrk loads `GET /kyc` with those sessions' cookies in turn. Right before it, wrk loads a bare actix-web + askama page of similar size
# (bench/bare-page, no database) built in the same run: the ratio of the two rates says what
# the portal's sessions, database reads and translations cost. Targets: portal page >= 40%
# of the bare page's requests/s, p99 latency < 25 ms, at 64 connections.
#
# Settings (environment):
#   BENCH_DURATION     length of each measured wrk run (default 10s)
#   BENCH_CONNECTIONS  open connections (default 64)
#   BENCH_THREADS      wrk threads (default 2)
#   BENCH_SESSIONS     buyer sessions the requests take turns with (default 64)
#   BENCH_POSTGRES     0 skips PostgreSQL (default 1)
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)

DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
SESSIONS=${BENCH_SESSIONS:-64}
WARMUP=2s
TARGET_RATIO=0.40
TARGET_P99_MS=25
PG_CLUSTER=(15 main)

TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
PORTAL_BIN=$TARGET_DIR/release/kyc-portal
BARE_BIN=$TARGET_DIR/release/bare-page

WORK=
SERVER_PID=
BASE=
PG_ROLE=
LOAD_AT_START=
ROWS=()
NOTES=()

log() { printf '%s\n' "$*" >&2; }

cleanup() {
    stop_server
    drop_postgres_database
    if [[ -n $WORK && -d $WORK ]]; then
        rm -rf -- "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The portal refuses unknown KYC_PORTAL_* variables and would honour known ones from the
# caller's shell; start from a clean slate so runs compare.
clear_portal_env() {
    local name
    for name in $(compgen -e); do
        if [[ $name == KYC_PORTAL_* ]]; then unset "$name"; fi
    done
}

build() {
    log "building the portal (release) ..."
    cargo build --release --locked >&2
    # Same target dir: the bare page reuses the dependencies the portal build compiled. Its
    # lock file starts as a copy of the portal's (cargo drops what it does not use), so both
    # run the same actix-web and askama.
    log "building the bare page (release) ..."
    if [[ ! -f bench/bare-page/Cargo.lock ]]; then cp Cargo.lock bench/bare-page/Cargo.lock; fi
    CARGO_TARGET_DIR=$TARGET_DIR cargo build --release \
        --manifest-path bench/bare-page/Cargo.toml >&2
    warn_if_versions_differ
}

# The ratio is only fair if both pages run the same actix-web and askama; the bare page's
# lock file is a copy of the portal's and can fall behind.
warn_if_versions_differ() {
    local crate
    for crate in actix-web askama; do
        if [[ $(locked_version Cargo.lock "$crate") != $(locked_version bench/bare-page/Cargo.lock "$crate") ]]; then
            NOTES+=("- WARNING: $crate differs between Cargo.lock and bench/bare-page/Cargo.lock; copy the portal's lock file over the bare page's and rerun.")
        fi
    done
}

locked_version() {
    awk -v name="$2" '$0 == "name = \"" name "\"" { getline; print $3; exit }' "$1"
}

ensure_wrk() {
    if command -v wrk >/dev/null; then return 0; fi
    log "installing wrk ..."
    if ! apt-get install -y -q wrk >&2; then
        apt-get update -q >&2
        apt-get install -y -q wrk >&2
    fi
}

make_scratch() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-page.XXXXXX")
    # Small: the page shows the file name and date, never the bytes.
    python3 scripts/make-pdf.py 16384 "$WORK/doc.pdf"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_until_up URL LOG: polls URL (at most 30 s) while the server is alive.
wait_until_up() {
    local i
    for ((i = 0; i < 300; i++)); do
        if curl -sf --max-time 2 -o /dev/null "$1"; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            log "server exited during startup; log:"
            tail -n 20 "$2" >&2
            exit 1
        fi
        sleep 0.1
    done
    log "server not up after 30 s: $1"
    exit 1
}

# start_portal DATABASE_URL: a fresh portal process on a free loopback port.
start_portal() {
    local port
    port=$(free_port)
    BASE="http://127.0.0.1:$port"
    mkdir -p "$WORK/data"
    # `env` execs the binary, so $! is the server itself (whose CPU time we read).
    env DATABASE_URL="$1" KYC_PORTAL_BIND="127.0.0.1:$port" KYC_PORTAL_DATA_DIR="$WORK/data" \
        "$PORTAL_BIN" serve 2>>"$WORK/portal.log" &
    SERVER_PID=$!
    wait_until_up "$BASE/healthz" "$WORK/portal.log"
}

start_bare() {
    local port
    port=$(free_port)
    BASE="http://127.0.0.1:$port"
    "$BARE_BIN" "127.0.0.1:$port" 2>>"$WORK/bare.log" &
    SERVER_PID=$!
    wait_until_up "$BASE/" "$WORK/bare.log"
}

stop_server() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

json_field() {
    python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# api_post PATH JSON FIELD: POST to /v1, print FIELD of the answer.
api_post() {
    curl -sS --fail-with-body --max-time 30 -X POST "$BASE/v1$1" \
        -H "Authorization: Bearer $API_TOKEN" -H "Content-Type: application/json" \
        -d "$2" | json_field "$3"
}

upload_document() {
    curl -sS --fail-with-body --max-time 30 -o /dev/null -H "Authorization: Bearer $API_TOKEN" \
        -F "type=$2" -F documentDate=2026-01-15 \
        -F "file=@$WORK/doc.pdf;type=application/pdf;filename=bench.pdf" \
        "$BASE/v1/partners/$1/kyc/documents"
}

# arrange_buyer DATABASE_URL: seller, buyer, two documents and an invitation through the API,
# then opens the link SESSIONS times; sets COOKIE to the first session's cookie value and
# writes the Lua script that has wrk's requests take turns with all of them.
arrange_buyer() {
    local seller buyer link token i
    API_TOKEN=$(env DATABASE_URL="$1" KYC_PORTAL_DATA_DIR="$WORK/data" \
        "$PORTAL_BIN" create-api-token --name bench 2>>"$WORK/portal.log")
    seller=$(api_post /partners '{"name": "Bench Seller GmbH"}' uuid)
    buyer=$(api_post "/partners/$seller/buyers" '{
        "kycMode": "MARKETPLACE_LED", "vatNumber": "DE136695976", "companyName": "Bench GmbH",
        "address": {"street": "Hauptstraße 1", "postCode": "10115", "city": "Berlin", "country": "DE"},
        "contacts": []}' uuid)
    # Received rows render more than missing ones; show both kinds.
    upload_document "$seller/buyers/$buyer" COC_EXTRACT
    upload_document "$seller/buyers/$buyer" BANK_CONFIRMATION
    link=$(api_post "/partners/$seller/buyers/$buyer/kyc/self-service-invitations" \
        '{"recipientEmail": "bench@example.com", "language": "de"}' publicLinkUrl)
    # The link names the configured public URL; only its token matters here.
    token=${link##*/}
    : >"$WORK/sessions"
    for ((i = 0; i < SESSIONS; i++)); do
        open_session "$token" >>"$WORK/sessions"
    done
    COOKIE=$(head -n 1 "$WORK/sessions")
    cat >"$WORK/sessions.lua" <<LUA
local cookies = {}
for line in io.lines("$WORK/sessions") do cookies[#cookies + 1] = line end
local turn = 0
request = function()
    turn = turn % #cookies + 1
    return wrk.format(nil, nil, { ["Cookie"] = "kyc_session=" .. cookies[turn] })
end
LUA
}

# open_session TOKEN: opens the link as a new browser would and prints its session's cookie.
# The link's landing page counts nothing; its Continue button (a POST with the landing page's
# token) opens the session.
open_session() {
    local jar=$WORK/cookies form_token status cookie
    rm -f -- "$jar"
    form_token=$(curl -s --max-time 30 -c "$jar" "$BASE/kyc/$1" |
        sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
    status=$(curl -s --max-time 30 -b "$jar" -c "$jar" -o /dev/null \
        -w '%{http_code}' --data-urlencode "csrf=$form_token" "$BASE/kyc/$1")
    if [[ $status != 303 ]]; then
        log "continuing from the link's landing page answered $status, not 303"
        exit 1
    fi
    # Netscape cookie file: name and value are the last two fields.
    cookie=$(awk '$6 == "kyc_session" { print $7 }' "$jar")
    if [[ -z $cookie ]]; then
        log "opening the link set no kyc_session cookie"
        exit 1
    fi
    echo "$cookie"
}

# page_bytes URL [COOKIE]: body size of one GET, after checking it answers 200 (a wrk run
# against an error page would measure the wrong thing).
page_bytes() {
    local out header=()
    if [[ -n ${2:-} ]]; then header=(-H "Cookie: kyc_session=$2"); fi
    out=$(curl -s --max-time 30 -o /dev/null -w '%{http_code} %{size_download}' "${header[@]}" "$1")
    if [[ ${out%% *} != 200 ]]; then
        log "GET $1 answered ${out%% *}, not 200"
        exit 1
    fi
    echo "${out#* }"
}

# to_ms VALUE: wrk's "812.00us" / "4.21ms" / "1.02s" in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n *= 1; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
        printf "%.2f", n }'
}

# server_cpu_ticks: user + system CPU time of the server so far, in clock ticks.
server_cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"
}

# measure URL [sessions]: a short warm-up (connection pools, caches), then the measured run,
# with the buyer sessions' cookies in turn when asked (see arrange_buyer). Sets RPS, P50, P99,
# REQUESTS, BAD (non-2xx/3xx + socket errors), CPU_US (server CPU microseconds per request).
measure() {
    local url=$1 out ticks0 ticks1
    local script=()
    if [[ ${2:-} == sessions ]]; then script=(-s "$WORK/sessions.lua"); fi
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${script[@]}" "$url" >/dev/null
    ticks0=$(server_cpu_ticks)
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${script[@]}" "$url")
    ticks1=$(server_cpu_ticks)
    printf '%s\n' "$out" | sed 's/^/    /' >&2
    RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
    REQUESTS=$(awk '/requests in/ { print $1 }' <<<"$out")
    P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
    P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
    BAD=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
        /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
        END { print n + 0 }' <<<"$out")
    CPU_US=$(awk -v a="$ticks0" -v b="$ticks1" -v hz="$(getconf CLK_TCK)" -v n="$REQUESTS" \
        'BEGIN { printf "%.0f", (b - a) / hz * 1e6 / (n > 0 ? n : 1) }')
}

# bench_bare BACKEND: the baseline row, measured right before that backend's portal run so
# both see the same machine.
bench_bare() {
    log "[$1] bare page ..."
    start_bare
    BARE_BYTES=$(page_bytes "$BASE/")
    measure "$BASE/"
    stop_server
    BARE_RPS=$RPS
    add_row "$1" "bare actix-web + askama" "$BARE_BYTES" "" ""
}

# bench_portal BACKEND DATABASE_URL
bench_portal() {
    log "[$1] portal page GET /kyc ..."
    start_portal "$2"
    arrange_buyer "$2"
    local bytes ratio ok_ratio ok_p99
    bytes=$(page_bytes "$BASE/kyc" "$COOKIE")
    measure "$BASE/kyc" sessions
    verdicts
    add_row "$1" "portal GET /kyc" "$bytes" "$ratio" "$ok_ratio" "$ok_p99"
    # The page with a confirmation line is never kept in memory: every request reads the
    # database and renders, as the first view after any change does.
    log "[$1] portal page rendered on every request ..."
    bytes=$(page_bytes "$BASE/kyc?received=none" "$COOKIE")
    measure "$BASE/kyc?received=none" sessions
    verdicts
    add_row "$1" "portal GET /kyc?received=… (rendered each time)" "$bytes" "$ratio" "$ok_ratio" "$ok_p99"
    stop_server
}

# verdicts: the last measurement against the targets; sets ratio, ok_ratio, ok_p99.
verdicts() {
    ratio=$(awk -v p="$RPS" -v b="$BARE_RPS" 'BEGIN { printf "%.2f", p / b }')
    ok_ratio=$(awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t) ? "met" : "NOT met" }')
    ok_p99=$(awk -v p="$P99" -v t="$TARGET_P99_MS" 'BEGIN { print (p < t) ? "met" : "NOT met" }')
}

# add_row BACKEND PAGE BYTES RATIO [RATIO_VERDICT P99_VERDICT]
add_row() {
    local ratio=${4:-1.00} bad=""
    if ((BAD > 0)); then bad=" ($BAD errors or non-2xx!)"; fi
    ROWS+=("| $1 | $2 | $3 | $RPS$bad | $P50 | $P99 | $CPU_US | $ratio | ${5:-–} | ${6:-–} |")
}

bench_sqlite() {
    bench_bare SQLite
    reset_data_dir
    mkdir -p "$WORK/sqlite"
    bench_portal SQLite "sqlite://$WORK/sqlite/kyc.db"
}

# Each backend gets its own data dir (server key, blobs, mail files).
reset_data_dir() { rm -rf -- "$WORK/data" "$WORK/cookies"; }

# postgres_ready: the local cluster answers, starting it if it is stopped.
postgres_ready() {
    if ! command -v pg_ctlcluster >/dev/null; then
        return 1
    fi
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
        log "starting PostgreSQL ${PG_CLUSTER[*]} ..."
        pg_ctlcluster "${PG_CLUSTER[@]}" start >&2 || return 1
        # Left running afterwards: someone may have started using it meanwhile.
        NOTES+=("- This run started PostgreSQL ${PG_CLUSTER[*]}; it was left running.")
    fi
    local i
    for ((i = 0; i < 100; i++)); do
        if pg_isready -q -h 127.0.0.1 -p 5432; then return 0; fi
        sleep 0.1
    done
    return 1
}

psql_admin() {
    su postgres -c "psql -q -v ON_ERROR_STOP=1 -c \"$1\"" >&2
}

# A throwaway role and database per run, so nothing of an earlier run is read.
create_postgres_database() {
    PG_ROLE=bench_page_$$
    PG_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    psql_admin "CREATE ROLE $PG_ROLE LOGIN PASSWORD '$PG_PASSWORD'" &&
        psql_admin "CREATE DATABASE $PG_ROLE OWNER $PG_ROLE"
}

drop_postgres_database() {
    if [[ -n $PG_ROLE ]]; then
        psql_admin "DROP DATABASE IF EXISTS $PG_ROLE WITH (FORCE)" || true
        psql_admin "DROP ROLE IF EXISTS $PG_ROLE" || true
        PG_ROLE=
    fi
}

bench_postgres() {
    if [[ ${BENCH_POSTGRES:-1} == 0 ]]; then
        NOTES+=("- PostgreSQL skipped (BENCH_POSTGRES=0).")
        return 0
    fi
    if ! postgres_ready; then
        log "PostgreSQL is not available; skipping it"
        NOTES+=("- PostgreSQL skipped: no local server could be started (pg_ctlcluster ${PG_CLUSTER[*]}).")
        return 0
    fi
    if ! create_postgres_database; then
        log "cannot create a PostgreSQL role and database; skipping PostgreSQL"
        NOTES+=("- PostgreSQL skipped: creating a role and database as the postgres user failed.")
        return 0
    fi
    bench_bare PostgreSQL
    reset_data_dir
    PG_VERSION=$(su postgres -c "psql -tA -c 'SHOW server_version'" | cut -d' ' -f1)
    bench_portal PostgreSQL "postgres://$PG_ROLE:$PG_PASSWORD@127.0.0.1:5432/$PG_ROLE"
    drop_postgres_database
}

machine_facts() {
    local cpu rev
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then rev="$rev (with uncommitted changes)"; fi
    echo "- nproc: $(nproc)${cpu:+ ($cpu)}"
    echo "- kernel: $(uname -sr)"
    echo "- memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    # Other work on the machine skews every figure; say how busy it was.
    echo "- load average (1, 5, 15 min): $LOAD_AT_START at start, $(cut -d' ' -f1-3 /proc/loadavg) at end"
    echo "- portal: $rev, release build; $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)${PG_VERSION:+; PostgreSQL $PG_VERSION}"
}

print_results() {
    echo "### Page benchmark ($(date -u +%Y-%m-%d))"
    echo
    echo "| backend | page | bytes | requests/s | p50 ms | p99 ms | server CPU µs/req | ratio to bare | >= 40% of bare | p99 < 25 ms |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    if ((${#NOTES[@]} > 0)); then
        printf '%s\n' "${NOTES[@]}"
        echo
    fi
    machine_facts
    echo
    echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, after a $WARMUP warm-up, on loopback; wrk"
    echo "shares the CPUs with the server. The portal page is \`GET /kyc\` in $SESSIONS open sessions"
    echo "of one buyer, taken in turn (the buyer has 2 of 5 required documents). A view is kept rendered for its session for up to a"
    echo "second while nothing is written (src/portal/cache.rs), so the first row is the page as a"
    echo "buyer re-loading it gets it; the second (a confirmation line on the page, never kept) reads"
    echo "the session with its invitation, buyer, seller and the buyer's documents in one query and renders,"
    echo "as the first view after any change does. The bare page (bench/bare-page) renders"
    echo "an askama page of the same shape with no database, measured right before each portal run."
    echo "Server CPU is the server process's user + system time over the measured run, per request"
    echo "(PostgreSQL's own processes not included)."
}

main() {
    clear_portal_env
    ensure_wrk
    build
    LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
    make_scratch
    bench_sqlite
    bench_postgres
    print_results
}

main "$@"
