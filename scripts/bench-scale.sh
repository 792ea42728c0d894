#!/usr/bin/env bash
# Scale benchmark of the buyer lists and searches (a benchmark, not a test: it never fails
# because a machine is slow, it prints what it measured).
#
#   scripts/bench-scale.sh > bench.md      # table on stdout, progress on stderr
#
# For each backend (SQLite, then PostgreSQL when BENCH_POSTGRES_URL or KYC_TEST_POSTGRES_URL
# names a server) and each size N: a fresh database is migrated, sellers are made through the
# API, then N buyers (spread over the sellers), documents and audit entries are written
# straight into the tables in one statement each (the bulk path: no HTTP call per row) and
# ANALYZE runs. Then every request below is timed BENCH_SAMPLES times with curl (after three
# warm-up calls) and the table shows p50 / p95 per size and the growth of p50 from the
# smallest to the largest size.
#
# Settings (environment):
#   BENCH_SIZES          buyer counts (default "1000 1000000")
#   BENCH_SELLERS        sellers the buyers are spread over (default 5)
#   BENCH_DOCS           documents per buyer (default 3)
#   BENCH_AUDIT          audit entries per buyer (default 5)
#   BENCH_SAMPLES        timed calls per request (default 30)
#   BENCH_MAX_MINUTES    no new size starts after this many minutes (default 120)
#   BENCH_POSTGRES       0 skips PostgreSQL (default 1)
#   BENCH_POSTGRES_URL   a PostgreSQL URL whose user may create databases
#   BENCH_MIGRATION      1 (the default) times, at the largest size, migrations 0020, 0043 and
#                        0051 (the buyer lists' indexes and columns) applied again to the
#                        loaded database, as an upgrade of an existing installation runs them
#   BENCH_PORTAL_BIN     the portal binary (default: release build in the target dir, built
#                        when missing)
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)

SIZES=(${BENCH_SIZES:-1000 1000000})
SELLERS=${BENCH_SELLERS:-5}
DOCS=${BENCH_DOCS:-3}
AUDIT=${BENCH_AUDIT:-5}
SAMPLES=${BENCH_SAMPLES:-30}
MAX_MINUTES=${BENCH_MAX_MINUTES:-120}
PG_URL=${BENCH_POSTGRES_URL:-${KYC_TEST_POSTGRES_URL:-}}
TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
PORTAL_BIN=${BENCH_PORTAL_BIN:-$TARGET_DIR/release/kyc-portal}
PASSWORD="bench password, long enough"

WORK=
SERVER_PID=
BASE=
PG_DB=
declare -A P50 P95
REQUESTS=(
    "API list, first page"
    "API q= part of a name"
    "API q= a VAT number"
    "API upsert of a new buyer"
    "staff buyer list, first page"
    "staff search (part of a name)"
    "staff filter by KYC status"
    "staff list, page 200"
    "buyer page /kyc"
)

log() { printf '%s\n' "$*" >&2; }

cleanup() {
    stop_server
    drop_postgres_database
    if [[ -n $WORK && -d $WORK ]]; then rm -rf -- "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

clear_portal_env() {
    local name
    for name in $(compgen -e); do
        if [[ $name == KYC_PORTAL_* ]]; then unset "$name"; fi
    done
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

portal() { env DATABASE_URL="$DB_URL" KYC_PORTAL_DATA_DIR="$WORK/data" "$PORTAL_BIN" "$@"; }

start_portal() {
    local port i
    port=$(free_port)
    BASE="http://127.0.0.1:$port"
    env DATABASE_URL="$DB_URL" KYC_PORTAL_BIND="127.0.0.1:$port" KYC_PORTAL_DATA_DIR="$WORK/data" \
        RUST_LOG=warn "$PORTAL_BIN" serve 2>>"$WORK/portal.log" &
    SERVER_PID=$!
    for ((i = 0; i < 600; i++)); do
        if curl -sf --max-time 2 -o /dev/null "$BASE/healthz"; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            tail -n 20 "$WORK/portal.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    log "portal not up after 60 s"
    exit 1
}

stop_server() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

drop_postgres_database() {
    if [[ -n $PG_DB ]]; then
        psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
        PG_DB=
    fi
}

json_field() {
    python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

api_post() {
    curl -sS --fail-with-body --max-time 30 -X POST "$BASE/v1$1" \
        -H "Authorization: Bearer $API_TOKEN" -H "Content-Type: application/json" \
        -d "$2" | json_field "$3"
}

# sql TEXT: runs SQL on the bench database.
sql() {
    case $BACKEND in
        SQLite) sqlite3 -bail "$WORK/kyc.db" "$1" >&2 ;;
        PostgreSQL) psql -q -v ON_ERROR_STOP=1 "$DB_URL" -c "$1" >&2 ;;
    esac
}

# bulk_load N: N buyers over the sellers in bench_sellers (k = 0 .. SELLERS-1), buyer n of
# seller n % SELLERS, created one second apart; every fourth KYC-valid, every tenth blocked;
# DOCS documents and AUDIT audit entries each.
bulk_load() {
    local n=$1 series num
    case $BACKEND in
        SQLite)
            series="(WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $n) SELECT n FROM g)"
            num() { echo "substr('000000000' || $1, -9)"; } ;;
        PostgreSQL)
            series="(SELECT generate_series(1, $n)::bigint AS n)"
            num() { echo "lpad(($1)::text, 9, '0')"; } ;;
    esac
    log "[$BACKEND $n] writing $n buyers, $((n * DOCS)) documents, $((n * AUDIT)) audit entries ..."
    sql "INSERT INTO buyers (id, seller_id, vat_number, company_name, search_name, street, post_code,
           city, country, contacts, kyc_mode, status, blocked_reason, version, created_at, updated_at, kyc_status)
         SELECT 'b-' || $(num n), (SELECT id FROM bench_sellers WHERE k = g.n % $SELLERS),
           'DE' || $(num n), 'Bulk Handel ' || n || ' GmbH', 'bulk handel ' || n || ' gmbh',
           'Hauptstraße 1', '10115', 'Berlin', 'DE', '[]', 'NT24_LED',
           CASE WHEN n % 10 = 0 THEN 'BLOCKED' ELSE 'ACTIVE' END, NULL, 0,
           1600000000000 + n * 1000, 1600000000000 + n * 1000,
           CASE WHEN n % 4 = 0 THEN 'VALID' ELSE 'PENDING' END
         FROM $series AS g"
    local d
    for ((d = 1; d <= DOCS; d++)); do
        sql "INSERT INTO documents (id, buyer_id, type, document_date, status, version, file_name,
               content_type, size_bytes, sha256, blob_key, source, invitation_id, created_at, archived_at)
             SELECT 'd$d-' || $(num n), 'b-' || $(num n),
               CASE $d WHEN 1 THEN 'COC_EXTRACT' WHEN 2 THEN 'BANK_CONFIRMATION' ELSE 'VAT_CERTIFICATE' END,
               '2026-01-15', 'ACTIVE', 1, 'doc.pdf', 'application/pdf', 16384, 'none',
               'bulk/d$d-' || $(num n), 'API', NULL, 1600000000000 + n * 1000, NULL
             FROM $series AS g"
    done
    for ((d = 1; d <= AUDIT; d++)); do
        sql "INSERT INTO audit_log (id, entity_type, entity_id, action, actor, at, before_state, after_state)
             SELECT 'a$d-' || $(num n), 'buyer', 'b-' || $(num n), 'updated', 'bench',
               1600000000000 + n * 1000 + $d, NULL, NULL
             FROM $series AS g"
    done
    sql "ANALYZE"
}

# time_get NAME URL [CURL_ARGS...]: SAMPLES timed GETs (after three untimed ones).
time_get() {
    local name=$1 url=$2 i code
    shift 2
    for ((i = 0; i < 3; i++)); do curl -s -o /dev/null --max-time 30 "$@" "$url"; done
    code=$(curl -s -o /dev/null --max-time 30 -w '%{http_code}' "$@" "$url")
    if [[ $code != 200 ]]; then log "GET $url answered $code"; exit 1; fi
    for ((i = 0; i < SAMPLES; i++)); do
        curl -s -o /dev/null --max-time 30 -w '%{time_total}\n' "$@" "$url"
    done | record "$name"
}

# record NAME: p50 and p95 (ms) of the seconds on stdin, for the current backend and size.
record() {
    local stats
    stats=$(python3 -c '
import statistics, sys
ms = sorted(float(line) * 1000 for line in sys.stdin if line.strip())
p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
print(f"{statistics.median(ms):.1f} {p95:.1f}")')
    # Called at the end of a pipeline (a subshell): the results go through a file.
    printf '%s\t%s\t%s\n' "$BACKEND|$SIZE|$1" "${stats% *}" "${stats#* }" >>"$WORK/results"
    log "    $1: p50 ${stats% *} ms, p95 ${stats#* } ms"
}

sign_in_staff() {
    local csrf
    csrf=$(curl -s -c "$WORK/staff" -b "$WORK/staff" --max-time 30 "$BASE/admin/login" |
        sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
    curl -s -o /dev/null -c "$WORK/staff" -b "$WORK/staff" --max-time 30 \
        --data-urlencode "csrf=$csrf" --data-urlencode "email=bench@example.com" \
        --data-urlencode "password=$PASSWORD" "$BASE/admin/login"
}

# page_200: the staff list's link to page 200 (or to the last page, for fewer buyers),
# followed through the pages' own "next" links.
page_200() {
    local url="$BASE/admin/buyers" next i
    for ((i = 1; i < 200; i++)); do
        next=$(curl -s -b "$WORK/staff" --max-time 30 "$url" |
            sed -n 's/.*href="\([^"]*\)" rel="next".*/\1/p' | sed 's/&#38;/\&/g; s/&amp;/\&/g')
        if [[ -z $next ]]; then break; fi
        url="$BASE$next"
    done
    echo "$url"
}

bench_size() {
    SIZE=$1
    log "[$BACKEND $SIZE] fresh database ..."
    rm -rf -- "$WORK/data" "$WORK/kyc.db"* "$WORK/staff" "$WORK/kyc-cookie"
    mkdir -p "$WORK/data"
    case $BACKEND in
        SQLite) DB_URL="sqlite://$WORK/kyc.db" ;;
        PostgreSQL)
            PG_DB="bench_scale_$$_$SIZE"
            psql -q "$PG_URL" -c "CREATE DATABASE $PG_DB" >/dev/null
            DB_URL="${PG_URL%/*}/$PG_DB" ;;
    esac
    portal migrate 2>>"$WORK/portal.log"
    API_TOKEN=$(portal create-api-token --name bench 2>>"$WORK/portal.log")
    printf '%s\n' "$PASSWORD" | portal create-admin --email bench@example.com 2>>"$WORK/portal.log" >/dev/null
    start_portal
    local k sellers=()
    for ((k = 0; k < SELLERS; k++)); do
        sellers+=("$(api_post /partners "{\"name\": \"Bench Seller $k GmbH\"}" uuid)")
    done
    stop_server
    sql "CREATE TABLE bench_sellers (k INTEGER, id TEXT)"
    for ((k = 0; k < SELLERS; k++)); do sql "INSERT INTO bench_sellers VALUES ($k, '${sellers[$k]}')"; done
    local started=$SECONDS
    bulk_load "$SIZE"
    LOAD_SECONDS["$BACKEND|$SIZE"]=$((SECONDS - started))
    start_portal
    sign_in_staff

    # A buyer of the first seller in the middle of the list; its name and VAT number.
    local n=$(((SIZE / 2) / SELLERS * SELLERS)) seller=${sellers[0]} vat target buyers
    vat=$(printf 'DE%09d' "$n")
    target="ndel $n g"
    buyers="$BASE/v1/partners/$seller/buyers"
    local auth=(-H "Authorization: Bearer $API_TOKEN")
    log "[$BACKEND $SIZE] timing ..."
    time_get "API list, first page" "$buyers" "${auth[@]}"
    time_get "API q= part of a name" "$buyers?q=${target// /%20}" "${auth[@]}"
    time_get "API q= a VAT number" "$buyers?q=$vat" "${auth[@]}"
    local i body
    for ((i = 0; i < SAMPLES; i++)); do
        body=$(printf '{"kycMode": "NT24_LED", "vatNumber": "DE9%08d", "companyName": "Neu %d GmbH",
            "address": {"street": "Hauptstraße 1", "postCode": "10115", "city": "Berlin", "country": "DE"},
            "contacts": []}' "$i" "$i")
        curl -s -o /dev/null --max-time 30 -w '%{time_total}\n' -X POST "${auth[@]}" \
            -H "Content-Type: application/json" -d "$body" "$buyers"
    done | record "API upsert of a new buyer"
    local staff=(-b "$WORK/staff")
    time_get "staff buyer list, first page" "$BASE/admin/buyers" "${staff[@]}"
    time_get "staff search (part of a name)" "$BASE/admin/buyers?q=${target// /+}" "${staff[@]}"
    time_get "staff filter by KYC status" "$BASE/admin/buyers?kyc=VALID" "${staff[@]}"
    time_get "staff list, page 200" "$(page_200)" "${staff[@]}"
    # The buyer's page: a buyer made through the API, as a marketplace would.
    local link token page_buyer cookie
    page_buyer=$(api_post "/partners/$seller/buyers" '{
        "kycMode": "MARKETPLACE_LED", "vatNumber": "DE136695976", "companyName": "Bench GmbH",
        "address": {"street": "Hauptstraße 1", "postCode": "10115", "city": "Berlin", "country": "DE"},
        "contacts": []}' uuid)
    link=$(api_post "/partners/$seller/buyers/$page_buyer/kyc/self-service-invitations" \
        '{"recipientEmail": "bench@example.com", "language": "de"}' publicLinkUrl)
    token=${link##*/}
    # The link shows a button first (so that mail scanners opening it start no session).
    local csrf
    csrf=$(curl -s -c "$WORK/kyc-cookie" -b "$WORK/kyc-cookie" --max-time 30 "$BASE/kyc/$token" |
        sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
    curl -s -o /dev/null -c "$WORK/kyc-cookie" -b "$WORK/kyc-cookie" --max-time 30 \
        --data-urlencode "csrf=$csrf" "$BASE/kyc/$token"
    # Netscape cookie file: name and value are the last two fields.
    cookie=$(awk '$6 == "kyc_session" { print $7 }' "$WORK/kyc-cookie")
    time_get "buyer page /kyc" "$BASE/kyc" -H "Cookie: kyc_session=$cookie"
    stop_server
    if [[ ${BENCH_MIGRATION:-1} != 0 && $SIZE == "${SIZES[-1]}" ]]; then reapply_list_migrations; fi
    drop_postgres_database
}

# Takes away what the buyer lists' migrations made (their indexes, the FTS5 table and its
# triggers, the columns they added) and times `migrate` putting it back: what upgrading an
# installation of this size from before them costs.
LIST_MIGRATIONS=(0020 0043 0051)
reapply_list_migrations() {
    local folder=sqlite undo="" name
    [[ $BACKEND == PostgreSQL ]] && folder=postgres
    for name in $(cd "migrations/$folder" && for v in "${LIST_MIGRATIONS[@]}"; do
        grep -ho 'CREATE INDEX [a-z_]*' "${v}"_*.sql | awk '{ print $3 }'; done); do
        undo+="DROP INDEX IF EXISTS $name; "
    done
    if [[ $BACKEND == SQLite ]]; then
        undo+="DROP TRIGGER buyers_fts_insert; DROP TRIGGER buyers_fts_delete; "
        undo+="DROP TRIGGER buyers_fts_update; DROP TABLE buyers_fts; "
    fi
    undo+="ALTER TABLE buyers DROP COLUMN last_activity_at; ALTER TABLE buyers DROP COLUMN kyc_status; "
    undo+="DELETE FROM _sqlx_migrations WHERE version IN (20, 43, 51);"
    log "[$BACKEND $SIZE] migrations ${LIST_MIGRATIONS[*]} again ..."
    sql "$undo"
    local started=$SECONDS
    portal migrate 2>>"$WORK/portal.log"
    MIGRATION_SECONDS["$BACKEND"]=$((SECONDS - started))
}

declare -A LOAD_SECONDS MIGRATION_SECONDS
BACKENDS=(SQLite)
if [[ ${BENCH_POSTGRES:-1} != 0 && -n $PG_URL ]]; then BACKENDS+=(PostgreSQL); fi

clear_portal_env
if [[ ! -x $PORTAL_BIN ]]; then
    log "building the portal (release) ..."
    cargo build --release --locked >&2
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-scale.XXXXXX")
DONE_SIZES=()
for SIZE in "${SIZES[@]}"; do
    if ((SECONDS > MAX_MINUTES * 60)); then
        log "time is up (BENCH_MAX_MINUTES=$MAX_MINUTES): $SIZE buyers not measured"
        break
    fi
    for BACKEND in "${BACKENDS[@]}"; do bench_size "$SIZE"; done
    DONE_SIZES+=("$SIZE")
done

while IFS=$'\t' read -r key p50 p95; do
    P50["$key"]=$p50
    P95["$key"]=$p95
done <"$WORK/results"
first=${DONE_SIZES[0]}
last=${DONE_SIZES[-1]}
header="| request |"
rule="|---|"
for BACKEND in "${BACKENDS[@]}"; do
    for SIZE in "${DONE_SIZES[@]}"; do header+=" $BACKEND $SIZE p50 / p95 (ms) |"; rule+="---|"; done
    header+=" $BACKEND growth |"
    rule+="---|"
done
echo "$header"
echo "$rule"
for request in "${REQUESTS[@]}"; do
    line="| $request |"
    for BACKEND in "${BACKENDS[@]}"; do
        for SIZE in "${DONE_SIZES[@]}"; do
            line+=" ${P50["$BACKEND|$SIZE|$request"]:-–} / ${P95["$BACKEND|$SIZE|$request"]:-–} |"
        done
        line+=" $(awk -v a="${P50["$BACKEND|$first|$request"]:-0}" -v b="${P50["$BACKEND|$last|$request"]:-0}" \
            'BEGIN { if (a > 0) printf "%.1f×", b / a; else printf "–" }') |"
    done
    echo "$line"
done
echo
for BACKEND in "${BACKENDS[@]}"; do
    for SIZE in "${DONE_SIZES[@]}"; do
        echo "- $BACKEND, $SIZE buyers: bulk load took ${LOAD_SECONDS["$BACKEND|$SIZE"]} s."
    done
done
for BACKEND in "${BACKENDS[@]}"; do
    [[ -n ${MIGRATION_SECONDS["$BACKEND"]:-} ]] && echo "- $BACKEND, $last buyers: migrations \
${LIST_MIGRATIONS[*]} (the buyer lists' columns and indexes) applied again took ${MIGRATION_SECONDS["$BACKEND"]} s."
done
echo "- Portal binary: $PORTAL_BIN; $SAMPLES samples per request; $(nproc) CPUs."
