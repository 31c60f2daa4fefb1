#!/usr/bin/env bash
# One sitting of `keysweep scan --git` (every ref) against Kingfisher's full-history scan on a
# real repository: RUNS alternating runs of each, wall time and peak RSS (/usr/bin/time -v).
# Usage: kingfisher.sh REPO [RUNS] [KEYSWEEP] [KINGFISHER]
#   REPO may be bare; RUNS defaults to 2; KEYSWEEP to target/release/keysweep; KINGFISHER to
#   /tmp/kf-venv/bin/kingfisher (python3 -m venv /tmp/kf-venv && /tmp/kf-venv/bin/pip install
#   kingfisher-bin). Kingfisher runs with validation and update checks off: no network.
set -euo pipefail
repo=$(cd "${1:?usage: kingfisher.sh REPO [RUNS] [KEYSWEEP] [KINGFISHER]}" && pwd)
runs=${2:-2}
root=$(cd "$(dirname "$0")/../.." && pwd)
ks=${3:-$root/target/release/keysweep}
kf=${4:-/tmp/kf-venv/bin/kingfisher}
pack="$(git -C "$repo" rev-parse --absolute-git-dir)/objects/pack"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Warm the page cache for both contenders.
cat "$pack"/* > /dev/null
echo "repo: $repo"
echo "commits: $(git -C "$repo" rev-list --all | wc -l), refs: $(git -C "$repo" for-each-ref | wc -l), pack: $(du -sh "$pack" | cut -f1)"
echo "keysweep: $("$ks" --version), kingfisher: $("$kf" --version), cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"

# measure NAME CMD...: runs CMD under /usr/bin/time -v, prints one result row.
measure() {
  local name=$1; shift
  /usr/bin/time -v "$@" 2> "$tmp/time" > "$tmp/$name.out" || true
  python3 - "$name" "$tmp/time" <<'PY'
import re, sys
name, path = sys.argv[1], sys.argv[2]
t = open(path).read()
def field(label):
    return re.search(re.escape(label) + r":\s*(.+)", t).group(1).strip()
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
parts = [float(p) for p in wall.split(":")]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
rss = int(field("Maximum resident set size (kbytes)")) / 1024
print(f"{name:10s} wall {secs:7.2f}s  cpu {cpu:7.2f}s  peak RSS {rss:7.1f} MiB  "
      f"exit {field('Exit status')}")
PY
}

for i in $(seq "$runs"); do
  measure keysweep "$ks" scan --git "$repo" --format json --quiet --timings
  grep -h 'git timings' "$tmp/time" || true
  measure kingfisher "$kf" scan "$repo" --git-history full --no-validate --no-update-check \
    --format json --quiet
done
echo "keysweep findings (last run): $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/keysweep.out")"
