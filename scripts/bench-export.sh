#!/usr/bin/env bash
# Export benchmark (a benchmark, not a test): how much memory the server needs to send one
# buyer's export when the buyer's documents add up to hundreds of MiB.
#
#   scripts/bench-export.sh > export.md      # table on stdout, progress on stderr
#
# Uploads BENCH_FILES PDFs of BENCH_FILE_MIB MiB each (default 8 x 50 MiB = 400 MiB) to one
# buyer, restarts the server (so its peak RSS is the export's own), downloads the export once,
# checks the archive with Python's zipfile (every CRC, every size) and prints the server's peak
# RSS (VmHWM) before and after the export, the archive's size and the time it took.
# Target: the export adds less than 64 MiB to the server's peak RSS, whatever the buyer's size.
#
# Settings (environment): BENCH_FILES, BENCH_FILE_MIB, BIN (default: the release build, built
# first), BENCH_DIR (parent of the scratch folder; default target/).
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
FILES=${BENCH_FILES:-8}
FILE_MIB=${BENCH_FILE_MIB:-50}
MIB=$((1024 * 1024))
TARGET_GROWTH_MIB=64

log() { printf '%s\n' "$*" >&2; }

if [[ -z ${BIN:-} ]]; then
    log "building release binary ..."
    cargo build --release --locked >&2
    BIN=${CARGO_TARGET_DIR:-$REPO/target}/release/kyc-portal
fi

for name in $(compgen -e); do
    if [[ $name == KYC_PORTAL_* ]]; then unset "$name"; fi
done
PARENT=${BENCH_DIR:-$REPO/target}
mkdir -p "$PARENT"
WORK=$(mktemp -d "$PARENT/bench-export.XXXXXX")
SERVER_PID=
stop_server() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}
trap 'stop_server; rm -rf -- "$WORK"' EXIT
mkdir -p "$WORK/data"
PORTAL_ENV=("DATABASE_URL=sqlite://$WORK/data/kyc.db" "KYC_PORTAL_DATA_DIR=$WORK/data"
    "KYC_PORTAL_MAX_UPLOAD_BYTES=$(((FILE_MIB + 1) * MIB))")

start_server() {
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    BASE="http://127.0.0.1:$port"
    env "${PORTAL_ENV[@]}" "KYC_PORTAL_BIND=127.0.0.1:$port" "$BIN" serve 2>>"$WORK/server.log" &
    SERVER_PID=$!
    for _ in $(seq 300); do
        if curl -sf -o /dev/null "$BASE/healthz"; then return 0; fi
        sleep 0.1
    done
    log "server not healthy after 30 s"; tail -n 20 "$WORK/server.log" >&2; exit 1
}
peak_mib() { awk '$1 == "VmHWM:" { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
uuid_of() { python3 -c 'import json, sys; print(json.load(sys.stdin)["uuid"])'; }
api_post() {
    curl -sS --fail-with-body -X POST "$BASE/v1$1" -H "Authorization: Bearer $TOKEN" \
        -H "Content-Type: application/json" -d "$2" | uuid_of
}

TOKEN=$(env "${PORTAL_ENV[@]}" "$BIN" create-api-token --name bench 2>>"$WORK/server.log")
start_server
SELLER=$(api_post /partners '{"name": "Bench Seller GmbH"}')
BUYER=$(api_post "/partners/$SELLER/buyers" '{"kycMode": "MARKETPLACE_LED",
    "vatNumber": "DE123456789", "companyName": "Bench GmbH", "contacts": [],
    "address": {"street": "Hauptstraße 1", "postCode": "10115", "city": "Berlin", "country": "DE"}}')
for i in $(seq "$FILES"); do
    log "uploading document $i of $FILES ($FILE_MIB MiB) ..."
    python3 scripts/make-pdf.py $((FILE_MIB * MIB - i)) "$WORK/doc.pdf"
    curl -sS --fail-with-body -o /dev/null -H "Authorization: Bearer $TOKEN" \
        -F type=COC_EXTRACT -F documentDate=2026-01-15 \
        -F "file=@$WORK/doc.pdf;type=application/pdf;filename=doc-$i.pdf" \
        "$BASE/v1/partners/$SELLER/buyers/$BUYER/kyc/documents"
done
rm -f "$WORK/doc.pdf"
stop_server

start_server
before=$(peak_mib)
log "exporting ..."
seconds=$(curl -sS --fail -o "$WORK/export.zip" -w '%{time_total}' -H "Authorization: Bearer $TOKEN" \
    "$BASE/v1/partners/$SELLER/buyers/$BUYER/export")
after=$(peak_mib)
stop_server
python3 - "$WORK/export.zip" "$FILES" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    assert bad is None, f"bad CRC in {bad}"
    files = [i for i in z.infolist() if i.filename.startswith("documents/")]
    assert len(files) == int(sys.argv[2]), f"{len(files)} files in the archive"
PY
size=$(stat -c %s "$WORK/export.zip")
python3 - "$size" "$seconds" "$before" "$after" "$TARGET_GROWTH_MIB" <<'PY'
import sys
size, seconds, before, after, target = (float(a) for a in sys.argv[1:])
growth = after - before
print("| archive (MiB) | time (s) | MiB/s | server peak RSS before (MiB) | after (MiB) | growth (MiB) | target < %d MiB |" % target)
print("|---|---|---|---|---|---|---|")
print("| %.0f | %.2f | %.0f | %.1f | %.1f | %.1f | %s |" % (size / 2**20, seconds, size / 2**20 / seconds,
      before, after, growth, "met" if growth < target else "NOT met"))
PY
