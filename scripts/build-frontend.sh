#!/usr/bin/env bash
# Builds the review UI (frontend/, a Yew app) into frontend/dist/, which
# `backupchecks serve --frontend frontend/dist` and CloudFront serve.
#
# Idempotent and offline after the first run: the wasm target and
# wasm-bindgen-cli (exactly the wasm-bindgen version of frontend/Cargo.lock)
# are installed only when missing. Nothing but crates is downloaded.
# Respects an exported CARGO_TARGET_DIR (else frontend/target).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fe="$root/frontend"
dist="$fe/dist"
target_dir="${CARGO_TARGET_DIR:-$fe/target}"

# 1. The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "==> rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli of exactly the locked wasm-bindgen version (the two
#    must match or the generated JS does not fit the wasm).
want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$fe/Cargo.lock")"
if [[ -z "$want" ]]; then
    echo "error: no wasm-bindgen version in frontend/Cargo.lock" >&2
    exit 1
fi
have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
if [[ "$have" != "$want" ]]; then
    echo "==> cargo install wasm-bindgen-cli --version $want (have: ${have:-none}; takes a few minutes once)"
    cargo install wasm-bindgen-cli --version "$want"
fi

# 3. The wasm.
echo "==> cargo build --release --target wasm32-unknown-unknown (frontend/)"
(cd "$fe" && CARGO_TARGET_DIR="$target_dir" cargo build --release --target wasm32-unknown-unknown)
wasm="$target_dir/wasm32-unknown-unknown/release/bc-frontend.wasm"

# 4. JS glue and the static files, into a fresh folder swapped in at the end
#    so a running server never sees a half-written dist/.
stage="$(mktemp -d "$fe/.dist.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-name app --out-dir "$stage/pkg" "$wasm"
build_id="$(cat "$stage/pkg/app_bg.wasm" "$fe/static/"* | sha256sum | cut -c1-12)"
for f in index.html boot.js style.css; do
    sed "s/__BUILD__/$build_id/g" "$fe/static/$f" > "$stage/$f"
done
rm -rf "$dist.old"
if [[ -d "$dist" ]]; then mv "$dist" "$dist.old"; fi
mv "$stage" "$dist"
chmod 755 "$dist"
rm -rf "$dist.old"
trap - EXIT

# 5. Bundle size: what a browser downloads to start.
size() { stat -c %s "$1"; }
gz() { gzip -9 -c "$1" | wc -c; }
raw=$(( $(size "$dist/pkg/app_bg.wasm") + $(size "$dist/pkg/app.js") + $(size "$dist/boot.js") ))
zip=$(( $(gz "$dist/pkg/app_bg.wasm") + $(gz "$dist/pkg/app.js") + $(gz "$dist/boot.js") ))
printf '==> frontend/dist built (build %s)\n' "$build_id"
printf '    wasm %7d B raw  %7d B gzip\n' "$(size "$dist/pkg/app_bg.wasm")" "$(gz "$dist/pkg/app_bg.wasm")"
printf '    js   %7d B raw  %7d B gzip\n' "$(( $(size "$dist/pkg/app.js") + $(size "$dist/boot.js") ))" "$(( $(gz "$dist/pkg/app.js") + $(gz "$dist/boot.js") ))"
printf '    css  %7d B raw  %7d B gzip\n' "$(size "$dist/style.css")" "$(gz "$dist/style.css")"
printf '    wasm+js: %d KB raw, %d KB gzip (target: under 400 KB gzip)\n' $(( raw / 1024 )) $(( zip / 1024 ))
