#!/usr/bin/env bash
# Fuzzes one target for SECONDS: `scripts/fuzz.sh TARGET SECONDS [libFuzzer flags…]`;
# `scripts/fuzz.sh all SECONDS` runs each target in turn, `scripts/fuzz.sh build` only
# builds them (with the environment's CARGO_BUILD_JOBS). Targets: fuzz/fuzz_targets/*.rs
# (FUZZING.md says what each reads).
#
# cargo-fuzz (pinned) is installed into target/tools if missing. The targets build on the
# stable toolchain: with `--sanitizer none` (ASan is nightly-only; the code is safe Rust)
# cargo-fuzz instruments with stable `-C` flags only (no `-Z` flag, no RUSTC_BOOTSTRAP):
# CI has only the stable toolchain. Overflow checks and debug assertions are on.
#
# Limits: an input that takes more than 10 s is a hang, more than 256 MB of memory (the
# process's, libFuzzer's -rss_limit_mb; one allocation, the targets' allocator) a failure.
# New inputs go to target/fuzz-corpus/TARGET (the seeds in fuzz/corpus/TARGET are read,
# never written); a failing input to target/fuzz-artifacts/
# TARGET/, and the script exits non-zero naming it. One process, one thread (libFuzzer's
# default; `-jobs=1` would only move its output into a log file).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

CARGO_FUZZ_VERSION=0.13.2
tools="$repo/target/tools"
export PATH="$tools/bin:$PATH"
build_dir="$repo/target/fuzz"
bin_dir="$build_dir/x86_64-unknown-linux-gnu/release"

targets() {
  ls fuzz/fuzz_targets | sed -n 's/\.rs$//p'
}

usage() {
  echo "usage: scripts/fuzz.sh TARGET|all SECONDS [libFuzzer flags…] | scripts/fuzz.sh build" >&2
  echo "targets: $(targets | tr '\n' ' ')" >&2
  exit 2
}

install() {
  if ! cargo-fuzz --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION\$"; then
    echo "== installing cargo-fuzz $CARGO_FUZZ_VERSION into target/tools"
    cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION" --root "$tools"
  fi
}

build() {
  install
  echo "== building the fuzz targets ($(rustc --version))"
  (cd fuzz && cargo fuzz build --sanitizer none --debug-assertions --target-dir "$build_dir" "$@")
}

run() {
  local target="$1" seconds="$2"
  shift 2
  local corpus="$repo/target/fuzz-corpus/$target" artifacts="$repo/target/fuzz-artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  echo "== fuzzing $target for ${seconds}s"
  set +e
  "$bin_dir/$target" "$corpus" "fuzz/corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=256 -malloc_limit_mb=256 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "$@" 2>&1 \
    | grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse)|^\s+NEW_FUNC|^WARNING: Failed to find function "__sanitizer'
  local status="${PIPESTATUS[0]}"
  set -e
  if [ "$status" -ne 0 ]; then
    echo "== $target FAILED (exit $status): input in $(ls -t "$artifacts" | head -n 1 | sed "s|^|$artifacts/|")" >&2
    return "$status"
  fi
}

[ $# -ge 1 ] || usage
case "$1" in
  build)
    shift
    build "$@"
    ;;
  all)
    [ $# -ge 2 ] || usage
    seconds="$2"
    shift 2
    build
    for target in $(targets); do run "$target" "$seconds" "$@"; done
    ;;
  *)
    [ $# -ge 2 ] || usage
    target="$1"
    seconds="$2"
    shift 2
    [ -f "fuzz/fuzz_targets/$target.rs" ] || usage
    build "$target"
    run "$target" "$seconds" "$@"
    ;;
esac
