#!/usr/bin/env bash
# Builds ASL Studio for the browser into web/dist/ (index.html, loader.js, asl_studio.js, asl_studio_bg.wasm).
#
#   web/build.sh                  release build
#   web/build.sh --serve [PORT]   build, then serve web/dist on http://127.0.0.1:PORT/ (default 8080)
#   web/build.sh --serve-only [PORT]   serve what is already built
#   web/build.sh --preview        build with a small built-in preview instead of the designer
#                                 (the shell alone, for when the designer does not build for the web)
#
# Needs what scripts/setup-web.sh installs. Picks the compiler route:
# - the active (rustup) rustc has a wasm32 standard library: plain cargo;
# - otherwise Debian's rustc-web builds the standard library from source (-Zbuild-std).
# Each route has its own target dir: ${CARGO_TARGET_DIR:-<repo>/target/wasm} and the same with
# "-debian" appended, so the two compilers never share artefacts. ASL_STUDIO_WASM_ROUTE=rustup|debian
# forces a route.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="$repo/web/dist"
serve=0
build=1
port=8080
features=()

while [ "$#" -gt 0 ]; do
    case "$1" in
        --serve|--serve-only)
            serve=1
            [ "$1" = "--serve-only" ] && build=0
            if [ "${2:-}" != "" ] && [[ "$2" =~ ^[0-9]+$ ]]; then
                port="$2"
                shift
            fi
            ;;
        --preview) features=(--no-default-features) ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

log() { echo "web/build.sh: $*" >&2; }

if [ "$build" -eq 1 ]; then
    base_target="${CARGO_TARGET_DIR:-$repo/target/wasm}"
    triple=wasm32-unknown-unknown
    libdir="$(rustc --print target-libdir --target "$triple" 2>/dev/null || true)"
    started=$SECONDS
    # WebAssembly SIMD (every current browser has it): without it the glyph rasterizer's SIMD
    # code (fearless_simd under vello_cpu) is compiled as a scalar fallback several times its
    # size. ASL_STUDIO_WASM_RUSTFLAGS adds flags (for size experiments).
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128 ${ASL_STUDIO_WASM_RUSTFLAGS:-}"
    route="${ASL_STUDIO_WASM_ROUTE:-}"   # force "rustup" or "debian" (to test both routes)
    if [ -z "$route" ]; then
        if [ -n "$libdir" ] && compgen -G "$libdir/libstd-*.rlib" >/dev/null; then route=rustup; else route=debian; fi
    fi
    if [ "$route" = rustup ]; then
        target_dir="$base_target"
        log "route: rustup ($(rustc --version)), target dir $target_dir"
        (cd "$repo" && env -u RUSTC -u RUSTC_BOOTSTRAP CARGO_TARGET_DIR="$target_dir" \
            cargo build --profile wasm-release --lib --target "$triple" -p asl-studio-web ${features[@]+"${features[@]}"})
    else
        target_dir="$base_target-debian"
        for tool in /usr/bin/rustc /usr/bin/cargo wasm-ld-19; do
            if ! command -v "$tool" >/dev/null; then
                log "no wasm32 standard library for $(rustc --version 2>/dev/null || echo rustc) and $tool is missing: run scripts/setup-web.sh"
                exit 1
            fi
        done
        log "route: Debian build-std ($(/usr/bin/rustc --version)), target dir $target_dir"
        (cd "$repo" && CARGO_TARGET_DIR="$target_dir" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
            CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-19 \
            /usr/bin/cargo build --profile wasm-release --lib --target "$triple" -Zbuild-std=std,panic_abort -p asl-studio-web ${features[@]+"${features[@]}"})
    fi
    wasm_in="$target_dir/$triple/wasm-release/asl_studio_web.wasm"
    log "cargo took $((SECONDS - started)) s"

    want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$repo/Cargo.lock")"
    have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
    if [ "$have" != "$want" ]; then
        log "wasm-bindgen-cli ${have:-(missing)} does not match the wasm-bindgen crate $want: run scripts/setup-web.sh"
        exit 1
    fi

    rm -rf "$dist"
    mkdir -p "$dist"
    # No wasm-opt: see GUIDE (Debian's binaryen breaks wasm-bindgen's output; gains little gzipped).
    wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
        --out-name asl_studio --out-dir "$dist" "$wasm_in"
    cp "$repo/web/index.html" "$repo/web/loader.js" "$dist/"

    wasm_out="$dist/asl_studio_bg.wasm"
    raw=$(stat -c %s "$wasm_out")
    gz=$(gzip -9 -c "$wasm_out" | wc -c)
    js_gz=$(gzip -9 -c "$dist/asl_studio.js" | wc -c)
    echo "wasm: $raw bytes raw, $gz bytes gzipped ($(awk -v r="$raw" -v g="$gz" 'BEGIN { printf "%.2f MB, %.2f MB", r/1e6, g/1e6 }')); glue JS $js_gz bytes gzipped"
    echo "dist: $dist"
fi

if [ "$serve" -eq 1 ]; then
    if [ ! -f "$dist/index.html" ]; then
        log "nothing built in $dist"
        exit 1
    fi
    echo "serving $dist on http://127.0.0.1:$port/ (Ctrl-C stops)"
    exec python3 -m http.server --bind 127.0.0.1 --directory "$dist" "$port"
fi
