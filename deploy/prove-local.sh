#!/usr/bin/env bash
# Prove the production layout (Dockerfile + compose.yaml + deploy/nginx.conf) on this machine,
# end to end through the proxy, even without Docker Hub:
#   1. stand-in base images from Debian's packages (debootstrap; deploy/local/*.Dockerfile):
#      python3 for the app image, postgresql-15 behind the postgres image's env contract, nginx
#   2. the app image from the real Dockerfile, by `compose build` on the stand-in python
#   3. `compose up` of the real compose.yaml with POSTGRES_IMAGE / PROXY_IMAGE pointed at the
#      stand-ins, plus deploy/local/compose.prove.yaml: the built-in Open311 sandbox as the
#      city's server (OPEN311_ENDPOINT=http://sandbox:8000/open311/v2/)
#   4. through the proxy: /readyz 200, a forged webhook 403, signed SMS conversations
#      (`intake replay` of the project's fixtures, signed like Twilio) whose reports the
#      worker delivers to the sandbox, each exactly once
#   5. `--scale worker=N`, conversations sent all at once, no report filed twice
#   6. `compose down -v`, also on failure
# Needs: a Docker engine, debootstrap (only while open311-local/debian:bookworm is missing),
# docker-compose v1.29+ or `docker compose`, and the project's venv (`make .venv/.installed`).
# Usage: deploy/prove-local.sh            (exit status 0 when every check passed)
# Env: COMPOSE ("docker compose" or "docker-compose"), WORKERS (3), BURST (8 conversations),
#      REBUILD=1 (rebuild the stand-ins and the Debian base too), KEEP=1 (leave it running),
#      CA_BUNDLE (the trust store the python stand-in gets for pip; this machine's by default).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
INTAKE=${INTAKE:-$ROOT/.venv/bin/intake}
WORKERS=${WORKERS:-3}  # compose.yaml itself runs 2 (deploy.replicas)
BURST=${BURST:-8}
NICE=(nice -n 10)  # builds share the machine politely
DEBIAN_IMAGE=open311-local/debian:bookworm
if [ -z "${COMPOSE:-}" ]; then
    if docker compose version >/dev/null 2>&1; then COMPOSE="docker compose"; else COMPOSE=docker-compose; fi
fi
T0=$(date +%s.%N)
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(date +%s.%N)"; }
say() { printf '[prove %6ss] %s\n' "$(elapsed "$T0")" "$*"; }
fail() { say "FAILED: $*"; exit 1; }
build() {  # build IMAGE DOCKERFILE CONTEXT [args...]: host network, so apt and pip reach their mirrors
    local image=$1 file=$2 context=$3 old; shift 3
    old=$(image_id "$image")
    "${NICE[@]}" docker build --network host -q -t "$image" -f "$file" "$@" "$context" 2>&1 \
        | grep -v -i -E 'legacy builder|buildx|^sha256:|^ *$' || true
    docker image inspect "$image" >/dev/null 2>&1 || fail "could not build $image"
    forget "$image" "$old"
}
image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
forget() {  # forget IMAGE OLD_ID: remove the image a rebuild replaced (its layers add up)
    local now; now=$(image_id "$1")
    [ -z "$2" ] || [ "$2" = "$now" ] || docker rmi "$2" >/dev/null 2>&1 || true
}
size() { docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1 / 1e6}'; }

[ -x "$INTAKE" ] || fail "no $INTAKE: run make .venv/.installed first"
docker info >/dev/null 2>&1 || fail "no Docker engine answers"
WORK=$(mktemp -d)
PROJECT=open311-prove-$$
DC=($COMPOSE -p "$PROJECT" -f compose.yaml -f deploy/local/compose.prove.yaml)
STARTED=""
cleanup() {
    if [ -n "$STARTED" ] && [ "${KEEP:-}" = 1 ]; then
        say "KEEP=1: left running as compose project $PROJECT"
    elif [ -n "$STARTED" ]; then
        local t; t=$(date +%s.%N)
        "${DC[@]}" down -v --remove-orphans >"$WORK/down.log" 2>&1 \
            && say "compose down -v in $(elapsed "$t") s: containers, network, database volume removed" \
            || { cat "$WORK/down.log"; say "compose down -v failed"; }
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# 1. stand-in base images
if [ "${REBUILD:-}" = 1 ] || ! docker image inspect "$DEBIAN_IMAGE" >/dev/null 2>&1; then
    command -v debootstrap >/dev/null || fail "debootstrap is needed once: apt-get install debootstrap"
    say "debootstrap: Debian bookworm (minbase) -> $DEBIAN_IMAGE"
    "${NICE[@]}" debootstrap --variant=minbase bookworm "$WORK/rootfs" http://deb.debian.org/debian \
        >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap"; }
    rm -rf "$WORK"/rootfs/var/cache/apt/archives/*.deb "$WORK"/rootfs/var/lib/apt/lists/*
    old=$(image_id "$DEBIAN_IMAGE")
    tar -C "$WORK/rootfs" -c . | docker import - "$DEBIAN_IMAGE" >/dev/null
    forget "$DEBIAN_IMAGE" "$old"
    rm -rf "$WORK/rootfs"
fi
say "base $DEBIAN_IMAGE: $(size "$DEBIAN_IMAGE")"
cp "${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}" "$WORK/ca-certificates.crt"
nocache=(); [ "${REBUILD:-}" = 1 ] && nocache=(--no-cache)
build open311-local/python deploy/local/python.Dockerfile "$WORK" "${nocache[@]}"
build open311-local/postgres deploy/local/postgres.Dockerfile deploy/local "${nocache[@]}"
build open311-local/nginx deploy/local/nginx.Dockerfile deploy/local "${nocache[@]}"
say "stand-ins: open311-local/python $(size open311-local/python), open311-local/postgres" \
    "$(size open311-local/postgres), open311-local/nginx $(size open311-local/nginx)"

# 2. the settings of this run, then the app image as compose.yaml builds it (its `build:`
#    with BASE=$PYTHON_IMAGE), never from the layer cache: this is the proof
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
HTTP_PORT=$(free_port); SANDBOX_PORT=$(free_port)
BASE_URL=http://127.0.0.1:$HTTP_PORT
TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
mkdir -p "$WORK/city"  # no staff or street files: the demo city's, inside the image
# the proxy is published on the loopback only (compose.yaml: "${HTTP_PORT:-8080}:80")
export HTTP_PORT=127.0.0.1:$HTTP_PORT SANDBOX_PORT TWILIO_AUTH_TOKEN=$TOKEN PUBLIC_BASE_URL=$BASE_URL \
    OPEN311_ENDPOINT=http://sandbox:8000/open311/v2/ CITY_DIR=$WORK/city \
    POSTGRES_IMAGE=open311-local/postgres PROXY_IMAGE=open311-local/nginx \
    PYTHON_IMAGE=open311-local/python POSTGRES_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(8))') \
    DUPLICATE_CHECK=off  # the fixtures file the same pothole again and again on purpose
t=$(date +%s.%N); old=$(image_id open311-intake:latest)
"${NICE[@]}" "${DC[@]}" build --no-cache app >"$WORK/build.log" 2>&1 \
    || { tail -40 "$WORK/build.log"; fail "compose build app"; }
forget open311-intake:latest "$old"
say "app image open311-intake:latest built by $COMPOSE build in $(elapsed "$t") s: $(size open311-intake:latest)"

# 3. the stack
say "$COMPOSE ($($COMPOSE version --short 2>/dev/null || true)) up -d: project $PROJECT, proxy on $BASE_URL"
t=$(date +%s.%N); STARTED=1
"${DC[@]}" up -d --no-build >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; "${DC[@]}" logs --no-color --tail 30 || true; fail "compose up"; }
ready=""
for _ in $(seq 240); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/readyz" || true)
    [ "$code" = 200 ] && { ready=1; break; }
    sleep 0.5
done
[ -n "$ready" ] || { "${DC[@]}" ps; "${DC[@]}" logs --no-color --tail 30; fail "no 200 from $BASE_URL/readyz"; }
say "healthy $(elapsed "$t") s after compose up: GET $BASE_URL/readyz -> 200 through the proxy"
COLUMNS=200 "${DC[@]}" ps

containers() { docker ps -a -q --filter "label=com.docker.compose.project=$PROJECT" \
    --filter "label=com.docker.compose.service=$1"; }
running() { containers "$1" | xargs -r docker inspect -f '{{.State.Running}}' | grep -c true || true; }
say "containers running: app $(running app), worker $(running worker), poller $(running poller)," \
    "db $(running db), proxy $(running proxy), sandbox $(running sandbox); migrate exited with" \
    "$(containers migrate | xargs -r docker inspect -f '{{.State.ExitCode}}')"

# 4. webhooks through the proxy
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'X-Twilio-Signature: Zm9yZ2Vk' \
    --data 'From=%2B15555550100&To=%2B15555550311&Body=pothole&MessageSid=SM1' "$BASE_URL/sms")
say "forged POST /sms (curl) -> $code"; [ "$code" = 403 ] || fail "a forged webhook was answered $code, not 403"
replay() { "$INTAKE" replay --url "$BASE_URL" --token "$TOKEN" --wait 60 \
    --open311 "http://127.0.0.1:$SANDBOX_PORT/open311/v2/" "$@"; }
t=$(date +%s.%N)
replay fixtures/forged_signature.json fixtures/sms_english.json fixtures/sms_one_shot_english.json \
    | tee "$WORK/replay.log" || fail "intake replay"
say "replayed 3 fixtures in $(elapsed "$t") s, each filing looked up in the sandbox"

# 5. more workers, many conversations at once, no report filed twice
"${DC[@]}" up -d --no-build --scale "worker=$WORKERS" >"$WORK/scale.log" 2>&1 \
    || { cat "$WORK/scale.log"; fail "compose up --scale worker=$WORKERS"; }
say "--scale worker=$WORKERS: $(running worker) worker containers running"
t=$(date +%s.%N)
for i in $(seq "$BURST"); do
    replay fixtures/sms_one_shot_english.json >"$WORK/burst-$i.log" 2>&1 &
done
burst_failed=0
for job in $(jobs -p); do wait "$job" || burst_failed=$((burst_failed + 1)); done
grep -h '^ok:\|^FAILED' "$WORK"/burst-*.log || true
say "$BURST conversations at once: $((BURST - burst_failed)) ok in $(elapsed "$t") s"
answered=$("${DC[@]}" logs --no-color proxy 2>/dev/null | grep -o '"POST [^"]*" [0-9]*' \
    | awk '{print $NF}' | sort | uniq -c | awk '{printf "%s x%s, ", $2, $1}')
say "webhooks answered by the proxy (its access log): ${answered%, }"
[ "$burst_failed" = 0 ] || { cat "$WORK"/burst-*.log; fail "$burst_failed conversations failed"; }

read -r reports delivered ids < <("${DC[@]}" exec -T db psql -U intake -d intake -At -F ' ' -c \
    "SELECT count(*), count(*) FILTER (WHERE status = 'delivered'), count(DISTINCT service_request_id) FROM reports")
filed=$(curl -s "http://127.0.0.1:$SANDBOX_PORT/open311/v2/requests.json" | python3 -c '
import json, re, sys
refs = [m.group(1) for r in json.load(sys.stdin) for m in [re.search(r"ref (\d+)", r.get("description") or "")] if m]
print(len(refs), len(refs) - len(set(refs)))')
read -r sandbox_requests duplicates <<<"$filed"
by_worker=$("${DC[@]}" logs --no-color worker 2>/dev/null | grep -o '^[^ |]*worker[^ |]*.*filed as' \
    | awk '{print $1}' | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}')
say "reports in the intake database: $reports, delivered $delivered, distinct Open311 ids $ids;" \
    "requests in the sandbox: $sandbox_requests, filed twice: $duplicates; filed by ${by_worker%, }"
[ "$reports" = "$delivered" ] && [ "$ids" = "$reports" ] && [ "$sandbox_requests" = "$reports" ] \
    && [ "$duplicates" = 0 ] || fail "reports and Open311 requests do not match one to one"
say "PROVED: $(elapsed "$T0") s in all"
