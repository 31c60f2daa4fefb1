#!/usr/bin/env bash
# One bench sitting: the same measurements for several keysweep binaries, interleaved by
# hyperfine in one run, so that their ratios hold on a shared, noisy machine (absolute times
# do not). The last binary is also compared with ripgrep over the keywords of its pack.
#
#   benches/sitting.sh OUT BIN [BIN...]
#
# Measures, each as one hyperfine comparison:
#   - start-up: `scan` of one small Python file (holding the keyword `password`);
#   - `scan --staged` with 5 changed files in the 50,000-file repository of
#     benches/staged_latency.sh (made there once; this script fails if it is missing);
#   - the generated tree of benches/tree/compare.sh (/tmp/keysweep-bench-tree), 2 threads;
#   - the crates of the cargo registry (real code, ignore files off), 2 threads;
#   - one thread on big single files of real code, if present: /tmp/rs.txt (Rust crates
#     concatenated) and /tmp/mix/mix.txt (benches/make_mix.py).
# Needs hyperfine and ripgrep (apt-get install hyperfine ripgrep). Writes everything to OUT.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,16p' "$0"; exit 2; }
out=$1; shift
bins=("$@")
last=${bins[-1]}
for tool in hyperfine rg; do
  command -v $tool >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 1; }
done
: >"$out"
log() { echo "$@" | tee -a "$out"; }
# hyperfine with one command per binary; "{}" in the template stands for the binary.
each() {
  local opts=$1 template=$2 extra=${3:-}
  local cmds=()
  [ -n "$extra" ] && cmds+=("$extra")
  for b in "${bins[@]}"; do cmds+=("${template//\{\}/$b}"); done
  # shellcheck disable=SC2086
  hyperfine -N $opts "${cmds[@]}" 2>&1 | tee -a "$out"
}
for b in "${bins[@]}"; do log "$b: $("$b" --version | head -n1)"; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'import os\n\ndef main():\n    password = os.environ["DB_PASSWORD"]\n    print("hello")\n' >"$work/app.py"

log "== start-up (one small file)"
each "--warmup 5 --runs 60" "{} scan --quiet $work/app.py"

repo=/tmp/keysweep-staged-bench-50000
if [ -d "$repo/.git" ]; then
  log "== staged (50,000-file repository, 5 files staged)"
  (
    cd "$repo"
    git reset -q --hard HEAD
    i=0
    for f in $(git ls-files | awk 'NR % 10000 == 1' | head -n 5); do
      printf 'token = "changed %s"\n' $i >>"$f"
      i=$((i + 1))
    done
    git add -u
    each "--warmup 3 --runs 30" "{} scan --staged --exit-zero --quiet"
    git reset -q --hard HEAD
  )
else
  log "== staged: no $repo (run benches/staged_latency.sh once)"
fi

kw="$work/keywords"
"$last" rules list --format json | python3 -c '
import json, sys
print("\n".join(sorted({k.lower() for r in json.load(sys.stdin) for k in r["keywords"]})))' >"$kw"
log "keywords of the last pack: $(wc -l <"$kw")"
if [ -d /tmp/keysweep-bench-tree ]; then
  log "== generated tree (/tmp/keysweep-bench-tree, 2 threads)"
  each "--warmup 1 --runs 6 -i" "{} scan --quiet --threads 2 /tmp/keysweep-bench-tree" \
    "rg -j2 --no-messages -i -c -F -f $kw /tmp/keysweep-bench-tree"
fi
real=$(ls -d ~/.cargo/registry/src/index.crates.io-*/ 2>/dev/null | head -n1 || true)
if [ -n "$real" ]; then
  log "== real tree ($real, $(du -sm "$real" | cut -f1) MB, 2 threads, no ignore files)"
  each "--warmup 1 --runs 4 -i" "{} scan --quiet --no-ignore --threads 2 $real" \
    "rg -j2 -uu --no-messages -i -c -F -f $kw $real"
fi
log "== engine-bound: one thread, one big file of real code, in page cache"
for f in /tmp/rs.txt /tmp/mix/mix.txt; do
  [ -f "$f" ] || continue
  log "$f: $(du -m "$f" | cut -f1) MB"
  each "--warmup 1 --runs 6 -i" "{} scan --quiet --exit-zero --threads 1 --max-file-size 200M $f"
done
