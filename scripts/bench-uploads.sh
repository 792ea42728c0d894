#!/usr/bin/env bash
# Upload benchmark for KYC documents (a benchmark, not a test: it never fails
# because a machine is slow, it only says whether each target was met).
#
#   scripts/bench-uploads.sh > bench.md      # table on stdout, progress on stderr
#
# Scenarios, each against a fresh release server (so each peak RSS is its own):
#   (a) one 200 MiB PDF, with KYC_PORTAL_MAX_UPLOAD_BYTES raised to 256 MiB;
#   (b) 32 concurrent uploads of one 10 MiB PDF (default upload limit).
# Baseline, in the same run and on the same filesystem as the server's data
# dir: `dd bs=1M conv=fsync` of the same bytes; for (b) 32 dd processes in
# parallel, one per upload. Targets: upload MB/s >= 60% of dd; peak RSS
# (VmHWM) < 64 MiB for (a), < 256 MiB for (b).
#
# Settings (environment):
#   BENCH_RUNS  rounds per scenario, medians reported (default 3)
#   BENCH_DIR   parent of the scratch dir (default: target/ of this repo, i.e.
#               the disk the portal would run on, not a tmpfs /tmp)
#   BENCH_PORTAL_BIN  the portal binary (default: the release build of this repo, built
#               first)
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)

RUNS=${BENCH_RUNS:-3}
MIB=$((1024 * 1024))
BIG_BYTES=$((200 * MIB))
SMALL_BYTES=$((10 * MIB))
CONCURRENCY=32
BIG_LIMIT=$((256 * MIB))
TARGET_RATIO=0.60
TARGET_RSS_A=64
TARGET_RSS_B=256

BIN=${BENCH_PORTAL_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/release/kyc-portal}
WORK=
SERVER_PID=
PORTAL_ENV=()
LOAD_AT_START=
ROWS=()
VERDICTS=()

log() { printf '%s\n' "$*" >&2; }

cleanup() {
    stop_server
    if [[ -n $WORK && -d $WORK ]]; then
        rm -rf -- "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The portal refuses unknown KYC_PORTAL_* variables and would honour known
# ones from the caller's shell; start from a clean slate so runs compare.
clear_portal_env() {
    local name
    for name in $(compgen -e); do
        if [[ $name == KYC_PORTAL_* ]]; then unset "$name"; fi
    done
}

build() {
    [[ -n ${BENCH_PORTAL_BIN:-} ]] && return
    log "building release binary ..."
    cargo build --release --locked >&2
}

make_scratch() {
    local parent=${BENCH_DIR:-$REPO/target}
    mkdir -p "$parent"
    WORK=$(mktemp -d "$parent/bench-uploads.XXXXXX")
    mkdir -p "$WORK/data" "$WORK/files" "$WORK/dd" "$WORK/out"
    # The settings every portal process of this run gets.
    PORTAL_ENV=("DATABASE_URL=sqlite://$WORK/data/kyc.db" "KYC_PORTAL_DATA_DIR=$WORK/data")
}

make_pdfs() {
    log "generating test PDFs ..."
    python3 scripts/make-pdf.py "$BIG_BYTES" "$WORK/files/big.pdf"
    python3 scripts/make-pdf.py "$SMALL_BYTES" "$WORK/files/small.pdf"
    if command -v qpdf >/dev/null; then
        # Exit code 0 (clean) or 3 (warnings only) is a readable PDF.
        qpdf --check "$WORK/files/small.pdf" >/dev/null || [[ $? -eq 3 ]]
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

now_ns() { date +%s%N; }

# start_server [MAX_UPLOAD_BYTES]: fresh process, waits for /healthz.
start_server() {
    local port limit=${1:-}
    port=$(free_port)
    BASE="http://127.0.0.1:$port"
    local settings=("KYC_PORTAL_BIND=127.0.0.1:$port")
    if [[ -n $limit ]]; then settings+=("KYC_PORTAL_MAX_UPLOAD_BYTES=$limit"); fi
    # `env` execs the binary, so $! is the server itself (whose /proc status
    # we read), not a bash subshell.
    env "${PORTAL_ENV[@]}" "${settings[@]}" "$BIN" serve 2>>"$WORK/server.log" &
    SERVER_PID=$!
    local i
    for ((i = 0; i < 300; i++)); do
        if curl -sf -o /dev/null "$BASE/healthz"; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            log "server exited during startup; log:"
            tail -n 20 "$WORK/server.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    log "server not healthy after 30 s"
    exit 1
}

stop_server() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

# cpu_ticks: the server's user and system CPU time so far, in clock ticks.
cpu_ticks() {
    # Fields 14 and 15 of /proc/PID/stat; the command name (field 2) has no
    # spaces here, so plain splitting is safe.
    awk '{ print $14, $15 }' "/proc/$SERVER_PID/stat"
}

# rss_mib FIELD: VmHWM (peak) or VmRSS (now) of the server, in MiB.
rss_mib() {
    awk -v f="$1:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"
}

json_field() {
    python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# api_post PATH JSON: POST to /v1, print the created resource's uuid.
api_post() {
    curl -sS --fail-with-body -X POST "$BASE/v1$1" \
        -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
        -d "$2" | json_field uuid
}

# One seller and one buyer to upload to (the database outlives the servers).
make_buyer() {
    TOKEN=$(env "${PORTAL_ENV[@]}" "$BIN" create-api-token --name bench 2>>"$WORK/server.log")
    start_server
    SELLER_ID=$(api_post /partners '{"name": "Bench Seller GmbH"}')
    BUYER_ID=$(api_post "/partners/$SELLER_ID/buyers" '{
        "kycMode": "MARKETPLACE_LED", "vatNumber": "DE123456789",
        "companyName": "Bench GmbH",
        "address": {"street": "Hauptstraße 1", "postCode": "10115", "city": "Berlin", "country": "DE"},
        "contacts": []}')
    stop_server
    UPLOAD_URL_PATH="/v1/partners/$SELLER_ID/buyers/$BUYER_ID/kyc/documents"
}

# upload FILE OUT: one multipart upload; writes "status seconds" to OUT.status
# and the response body to OUT.json.
upload() {
    curl -sS -o "$2.json" -w '%{http_code} %{time_total}\n' \
        -H "Authorization: Bearer $TOKEN" \
        -F type=COC_EXTRACT -F documentDate=2026-01-15 \
        -F "file=@$1;type=application/pdf;filename=bench.pdf" \
        "$BASE$UPLOAD_URL_PATH" >"$2.status" || echo "000 0" >"$2.status"
}

# check_uploads BYTES SHA256 OUT...: every upload answered 201 with the right
# size and hash, else show the first failure and stop (the figures would lie).
check_uploads() {
    if ! verify_responses "$@"; then
        log "server log (last lines):"
        tail -n 20 "$WORK/server.log" >&2
        exit 1
    fi
}

verify_responses() {
    python3 - "$@" <<'PY'
import json, sys
size, sha, outs = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
for out in outs:
    status = open(out + ".status").read().split()[0]
    try:
        body = open(out + ".json").read()
    except OSError:
        body = ""
    ok = status == "201"
    if ok:
        doc = json.loads(body)
        ok = doc.get("sizeBytes") == size and doc.get("sha256", "").lower() == sha
    if not ok:
        sys.exit(f"upload failed: HTTP {status}: {body[:500]}")
PY
}

# dd_copy SRC DST: the raw write the upload is compared with.
dd_copy() {
    dd if="$1" of="$2" bs=1M conv=fsync status=none
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / s / 1e6 }'; }

secs_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }'; }

# Each round: sync (so earlier writes are not flushed on our clock), dd, then
# upload; dd and uploads interleave so drift in the disk hits both alike.
scenario_single() {
    local file=$WORK/files/big.pdf sha run t0 idle cpu0
    sha=$(sha256sum "$file" | cut -d' ' -f1)
    start_server "$BIG_LIMIT"
    idle=$(rss_mib VmRSS)
    cpu0=$(cpu_ticks)
    : >"$WORK/a.dd"
    : >"$WORK/a.up"
    for ((run = 1; run <= RUNS; run++)); do
        log "(a) round $run/$RUNS: dd + upload of 200 MiB"
        sync
        t0=$(now_ns)
        dd_copy "$file" "$WORK/dd/big.$run"
        secs_since "$t0" >>"$WORK/a.dd"
        rm -f "$WORK/dd/big.$run"
        sync
        upload "$file" "$WORK/out/a.$run"
        check_uploads "$BIG_BYTES" "$sha" "$WORK/out/a.$run"
        cut -d' ' -f2 "$WORK/out/a.$run.status" >>"$WORK/a.up"
        log "    dd $(tail -n1 "$WORK/a.dd") s, upload $(tail -n1 "$WORK/a.up") s"
    done
    report "(a) 1 x 200 MiB" "$BIG_BYTES" "$WORK/a.up" "$WORK/a.dd" "$TARGET_RSS_A" "$idle" "$cpu0"
    stop_server
}

scenario_concurrent() {
    local file=$WORK/files/small.pdf sha run i t0 idle cpu0 outs total
    sha=$(sha256sum "$file" | cut -d' ' -f1)
    total=$((SMALL_BYTES * CONCURRENCY))
    start_server
    idle=$(rss_mib VmRSS)
    cpu0=$(cpu_ticks)
    : >"$WORK/b.dd"
    : >"$WORK/b.up"
    for ((run = 1; run <= RUNS; run++)); do
        log "(b) round $run/$RUNS: $CONCURRENCY parallel dd + $CONCURRENCY concurrent uploads of 10 MiB"
        sync
        t0=$(now_ns)
        for ((i = 0; i < CONCURRENCY; i++)); do
            dd_copy "$file" "$WORK/dd/small.$run.$i" &
        done
        wait_all
        secs_since "$t0" >>"$WORK/b.dd"
        rm -f "$WORK"/dd/small.*
        sync
        outs=()
        t0=$(now_ns)
        for ((i = 0; i < CONCURRENCY; i++)); do
            upload "$file" "$WORK/out/b.$run.$i" &
            outs+=("$WORK/out/b.$run.$i")
        done
        wait_all
        # Wall time from the first start to the last finish.
        secs_since "$t0" >>"$WORK/b.up"
        check_uploads "$SMALL_BYTES" "$sha" "${outs[@]}"
        log "    dd $(tail -n1 "$WORK/b.dd") s, uploads $(tail -n1 "$WORK/b.up") s"
    done
    report "(b) $CONCURRENCY x 10 MiB" "$total" "$WORK/b.up" "$WORK/b.dd" "$TARGET_RSS_B" "$idle" "$cpu0"
    stop_server
}

# Wait for the background jobs of a round, but not for the server.
wait_all() {
    local pid
    for pid in $(jobs -p); do
        if [[ $pid != "$SERVER_PID" ]]; then wait "$pid"; fi
    done
}

# report NAME BYTES UPLOAD_SECS_FILE DD_SECS_FILE RSS_TARGET IDLE_RSS CPU_TICKS_BEFORE
report() {
    local name=$1 bytes=$2 secs dd_secs up dd ratio peak ok_tp ok_rss cpu
    secs=$(median <"$3" | awk '{ printf "%.3f", $1 }')
    dd_secs=$(median <"$4" | awk '{ printf "%.3f", $1 }')
    up=$(mbps "$bytes" "$secs")
    dd=$(mbps "$bytes" "$dd_secs")
    ratio=$(awk -v u="$secs" -v d="$dd_secs" 'BEGIN { printf "%.2f", d / u }')
    peak=$(rss_mib VmHWM)
    # Server CPU per round says where the time goes: user time is parsing,
    # inspecting and hashing; system time is socket reads and file writes.
    cpu=$(awk -v a="$7" -v b="$(cpu_ticks)" -v hz="$(getconf CLK_TCK)" -v n="$RUNS" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        printf "%.2f s user + %.2f s system", (y[1] - x[1]) / hz / n, (y[2] - x[2]) / hz / n }')
    ROWS+=("| $name | $bytes | $secs | $up | $dd | $ratio | $peak |")
    ok_tp=$(awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t) ? "met" : "NOT met" }')
    ok_rss=$(awk -v p="$peak" -v t="$5" 'BEGIN { print (p < t) ? "met" : "NOT met" }')
    VERDICTS+=("- $name: throughput >= 60% of dd: **$ok_tp** ($ratio); peak RSS < $5 MiB: **$ok_rss** ($peak MiB; $6 MiB idle after start); server CPU per round: $cpu")
}

machine_facts() {
    local fs cpu rev
    fs=$(df -PT "$WORK/data" | awk 'NR == 2 { print $2 " on " $1 " (" $7 ")" }')
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then rev="$rev (with uncommitted changes)"; fi
    echo "- nproc: $(nproc)${cpu:+ ($cpu)}"
    echo "- kernel: $(uname -sr)"
    echo "- data dir filesystem: $fs"
    echo "- memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    # Other work on the machine skews every figure; say how busy it was.
    echo "- load average at start: $LOAD_AT_START (1, 5, 15 min)"
    echo "- portal: $rev, release build; $RUNS rounds per scenario, medians shown"
}

print_results() {
    echo "### Upload benchmark ($(date -u +%Y-%m-%d))"
    echo
    echo "| scenario | bytes | seconds | MB/s | dd MB/s | ratio | peak RSS MiB |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    echo
    printf '%s\n' "${VERDICTS[@]}"
    echo
    machine_facts
    echo
    echo "MB = 10^6 bytes. Upload seconds: curl's total time for (a); for (b) the wall time from"
    echo "starting the first of the $CONCURRENCY curl processes to the last one finishing. dd:"
    echo "\`dd bs=1M conv=fsync\` of the same file into the same filesystem; for (b) $CONCURRENCY dd"
    echo "processes in parallel, timed the same way. Peak RSS is the server's VmHWM after the"
    echo "scenario (one fresh server per scenario)."
}

main() {
    clear_portal_env
    build
    LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
    make_scratch
    make_pdfs
    make_buyer
    scenario_single
    scenario_concurrent
    print_results
}

main "$@"
