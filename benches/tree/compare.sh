#!/usr/bin/env bash
# Whole-tree scan: keysweep vs `rg --count-matches -F -f KEYWORDS` over the same tree, both
# on 2 threads, page cache warm. Prints wall times and the ratio (keysweep / rg).
#
# usage: [KEYWORD_EVERY=60] benches/tree/compare.sh [TREE_DIR] [FILES] [TOTAL_MB]
# (KEYWORD_EVERY=3 builds a keyword-dense tree: a stress test of the confirm step)
set -euo pipefail
cd "$(dirname "$0")/../.."
tree=${1:-/tmp/keysweep-bench-tree}
files=${2:-20000}
mb=${3:-500}
command -v rg >/dev/null || { echo "needs ripgrep (apt-get install ripgrep)" >&2; exit 1; }
cargo build --release --quiet
ks=target/release/keysweep
every=${KEYWORD_EVERY:-60}
if [ ! -f "$tree/.done-$files-$mb-$every" ]; then
  rm -rf "$tree"; mkdir -p "$tree"
  KEYWORD_EVERY=$every python3 benches/tree/make_tree.py "$tree" "$files" "$mb"
  touch "$tree/.done-$files-$mb-$every"
fi
kw=$(mktemp)
"$ks" rules list --format json | python3 -c '
import json, sys
kws = sorted({k.lower() for r in json.load(sys.stdin) for k in r["keywords"]})
print("\n".join(kws))' > "$kw"
echo "tree: $tree ($(find "$tree" -type f | wc -l) files, $(du -sm "$tree" | cut -f1) MB); keywords: $(wc -l < "$kw")"

best() { # best wall time of 5 runs, in seconds
  local b=999999
  for _ in 1 2 3 4 5; do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    b=$(python3 -c "print(min($b, $e - $s))")
  done
  echo "$b"
}
"$ks" scan --quiet --threads 2 "$tree" >/dev/null 2>&1 || true   # warm the page cache
rg_t=$(best rg -j2 --no-messages --count-matches -F -f "$kw" "$tree")
rgi_t=$(best rg -j2 --no-messages -i --count-matches -F -f "$kw" "$tree")
ks_t=$(best "$ks" scan --quiet --threads 2 "$tree")
python3 - "$ks_t" "$rg_t" "$rgi_t" <<'PY'
import sys
ks, rg, rgi = map(float, sys.argv[1:])
print(f"keysweep scan:                 {ks:.3f} s")
print(f"rg --count-matches -F -f KW:   {rg:.3f} s   ratio keysweep/rg    = {ks/rg:.2f}")
print(f"rg -i --count-matches -F -f KW: {rgi:.3f} s   ratio keysweep/rg -i = {ks/rgi:.2f}")
PY
rm -f "$kw"
