#!/usr/bin/env bash
# Installs what the browser build (web/build.sh) and the browser tests (tests/browser) need.
# Idempotent: each step checks first and does nothing when its tool is already there.
# Needs root (apt-get) and the package registries only (Debian, crates.io, npm): no other download.
#
#   scripts/setup-web.sh            everything
#   scripts/setup-web.sh --no-npm   skip `npm ci` in tests/browser (build only)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
with_npm=1
for arg in "$@"; do
    case "$arg" in
        --no-npm) with_npm=0 ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "setup-web.sh: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done

log() { echo "setup-web: $*"; }

apt_updated=0
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if [ "$apt_updated" -eq 0 ]; then
        apt-get update -qq
        apt_updated=1
    fi
    log "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

# The active rustc has a wasm32 standard library when its target libdir holds libstd
# (`--print target-libdir` prints a path even when the directory does not exist).
rustup_has_wasm_std() {
    local libdir
    libdir="$(rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null)" || return 1
    compgen -G "$libdir/libstd-*.rlib" >/dev/null
}

# 1. A browser for the tests: Debian's Chromium (never a browser download of Playwright's).
apt_install chromium

# 2. A compiler for wasm32. `rustup target add` needs rustup's servers, which are not reachable from
#    every machine, so when the target is missing we take Debian's rustc with the standard library's
#    sources and build std ourselves (web/build.sh picks the route the same way).
# The rustup route builds several times faster (no std from source), so try it first, bounded:
# rustup's servers answer slowly or not at all from some machines.
if ! rustup_has_wasm_std && command -v rustup >/dev/null 2>&1; then
    log "trying rustup target add wasm32-unknown-unknown (at most 5 minutes)"
    timeout 300 rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || log "rustup could not add the target"
fi
if rustup_has_wasm_std; then
    log "rustc $(rustc --version | cut -d' ' -f2) has the wasm32 standard library: plain cargo route"
else
    log "no wasm32 standard library for the active rustc: Debian route (build-std)"
    apt_install rustc-web cargo-web rust-web-src lld-19
fi

# 3. wasm-bindgen-cli, exactly the version of the wasm-bindgen crate in Cargo.lock (the two must match).
want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$repo/Cargo.lock")"
if [ -z "$want" ]; then
    echo "setup-web: no wasm-bindgen in $repo/Cargo.lock" >&2
    exit 1
fi
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have" = "$want" ]; then
    log "wasm-bindgen $have present"
else
    log "cargo install wasm-bindgen-cli $want (had: ${have:-none})"
    # --locked first (the CLI's own tested lock file); when a crate it pins is missing from the
    # registry (seen: webpki-roots 1.0.11), resolve again within the same semver ranges.
    # Its error output is kept in a log, not shown: on the normal path (the yanked pin) it is noise.
    locked_log="$(mktemp)"
    if ! cargo install wasm-bindgen-cli --version "$want" --locked >"$locked_log" 2>&1; then
        log "wasm-bindgen-cli's own lock file cannot be used here (details: $locked_log); resolving within its semver ranges"
        cargo install wasm-bindgen-cli --version "$want"
    fi
fi

# 4. The test driver (playwright-core, pinned in tests/browser/package-lock.json).
if [ "$with_npm" -eq 1 ]; then
    if ! command -v npm >/dev/null; then
        apt_install nodejs npm
    fi
    lock="$repo/tests/browser/package-lock.json"
    stamp="$repo/tests/browser/node_modules/.setup-web-stamp"
    if [ -f "$stamp" ] && cmp -s "$lock" "$stamp"; then
        log "tests/browser/node_modules up to date"
    else
        log "npm ci in tests/browser"
        (cd "$repo/tests/browser" && npm ci --no-audit --no-fund)
        cp "$lock" "$stamp"
    fi
fi

log "done"
