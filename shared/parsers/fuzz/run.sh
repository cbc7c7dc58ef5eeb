#!/usr/bin/env bash
# Fuzzes the whole parse path (read_mail -> parse_report) for SECONDS
# (default 60), seeded with every fixture mail. Exits non-zero on a finding;
# the input is then in fuzz/artifacts/<target>/ (replay: `cargo fuzz run
# <target> <file>`). TARGET (default `parse`) picks the target: `parse`
# (raw mails) or `text` (bodies wrapped as text, damaged-MIME and forwarded
# mails). The structure-aware test `tests/structured_fuzz.rs` runs inside
# `cargo test` besides.
#
# The toolchain here is stable; cargo-fuzz needs nightly flags, which
# RUSTC_BOOTSTRAP=1 unlocks on a stable compiler. cargo-fuzz is installed
# from crates.io when missing.
set -euo pipefail
seconds="${1:-60}"
target="${TARGET:-parse}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

corpus="$here/corpus/$target"
mkdir -p "$corpus"
find "$here/../tests/fixtures" -name '*.eml' -exec cp -f {} "$corpus/" \;

export RUSTC_BOOTSTRAP=1
# -timeout: one input taking longer than 10 s is a hang; -rss_limit_mb: more
# than 2 GiB is unbounded allocation; -max_len: room for whole fixture mails.
cargo fuzz run "$target" "$corpus" -- \
    -max_total_time="$seconds" \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -max_len=262144 \
    -print_final_stats=1
