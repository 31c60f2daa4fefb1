#!/usr/bin/env bash
# The org-wide sweep benchmark (issue 14), all figures from one sitting:
#   1. 20 repositories: 10 histories from the history generator (benches/history) and a fork
#      of each (a clone with a few commits of its own, sharing every blob of its base);
#   2. a full sweep with --state, then an immediate second sweep: blobs scanned (must be 0)
#      and the wall-time ratio;
#   3. 10 commits, each adding one new key, in 3 repositories; the third sweep with
#      --report new: blobs scanned (only the new ones) and findings (exactly the new keys);
#   4. --shard 1/4 … 4/4 as 4 processes, merged, against one unsharded sweep (same bytes);
#   5. peak RSS of the 20-repository sweep with --max-parallel 2 against the largest
#      single-repository `scan --git` of the set.
# Usage: benches/sweep/bench.sh WORKDIR [KEYSWEEP]  (KEYSWEEP defaults to target/release/keysweep)
set -euo pipefail
work=${1:?usage: bench.sh WORKDIR [KEYSWEEP]}
root=$(cd "$(dirname "$0")/../.." && pwd)
ks=${2:-$root/target/release/keysweep}
mkdir -p "$work"
work=$(cd "$work" && pwd)
repos="$work/repos"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.org

# wall SECONDS of a command, its stderr kept in $work/last.err
wall() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" 2> "$work/last.err" > "$work/last.out" || true
  t1=$(date +%s.%N)
  python3 -c "print(f'{$t1 - $t0:.3f}')"
}

# peak RSS in MiB of a command
rss() {
  /usr/bin/time -v "$@" 2> "$work/time.err" > /dev/null || true
  awk -F: '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$work/time.err"
}

# blobs scanned, summed over the per-repository lines (`keysweep: [k/n] …`) of the last sweep
scanned() {
  grep '^keysweep: \[' "$work/last.err" | grep -o ': [0-9]* blobs scanned' \
    | awk '{ s += $2 } END { print s + 0 }'
}

if [ ! -d "$repos" ]; then
  mkdir -p "$repos"
  for i in $(seq 0 9); do
    bash "$root/benches/history/make_repo.sh" "$repos/base-$i" $((1200 + 150 * i)) $((250 + 30 * i)) > /dev/null
    git clone -q --no-local "$repos/base-$i" "$repos/fork-$i"
    for c in 1 2 3; do
      echo "fork $i change $c" >> "$repos/fork-$i/FORK_NOTES.md"
      git -C "$repos/fork-$i" add -A
      git -C "$repos/fork-$i" commit -q -m "fork change $c"
    done
  done
fi
echo "repositories: $(find "$repos" -mindepth 1 -maxdepth 1 -type d | wc -l)"

rm -rf "$work/state" "$work/value.key"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/value.key"
full=$(wall "$ks" sweep --discover "$repos" --state "$work/state" --value-key "$work/value.key" --format jsonl)
full_blobs=$(scanned)
full_findings=$(wc -l < "$work/last.out")
second=$(wall "$ks" sweep --discover "$repos" --state "$work/state" --value-key "$work/value.key" --format jsonl)
second_blobs=$(scanned)
echo "full sweep:   ${full}s, $full_blobs blobs scanned, $full_findings findings"
echo "second sweep: ${second}s, $second_blobs blobs scanned ($(python3 -c "print(f'{$full / $second:.1f}')")x faster)"

# 10 commits with one new key each, in 3 repositories.
python3 - "$repos" "$work/added.txt" <<'PY'
import secrets, subprocess, sys
repos, added = sys.argv[1], sys.argv[2]
b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
with open(added, "w") as out:
    for name in ("base-1", "fork-4", "base-7"):
        for c in range(10):
            key = "AKIA" + "".join(secrets.choice(b32) for _ in range(16))
            path = f"incoming/{name}-{c}.env"
            full = f"{repos}/{name}/{path}"
            subprocess.run(["mkdir", "-p", f"{repos}/{name}/incoming"], check=True)
            with open(full, "w") as f:
                f.write(f"AWS_ACCESS_KEY_ID={key}\n")
            subprocess.run(["git", "-C", f"{repos}/{name}", "add", path], check=True)
            subprocess.run(["git", "-C", f"{repos}/{name}", "commit", "-q", "-m", f"add {path}"], check=True)
            out.write(path + "\n")
PY
third=$(wall "$ks" sweep --discover "$repos" --state "$work/state" --value-key "$work/value.key" --report new --format jsonl)
third_blobs=$(scanned)
python3 - "$work/last.out" "$work/added.txt" <<'PY'
import json, sys
got = sorted(json.loads(l)["path"] for l in open(sys.argv[1]) if l.strip())
want = sorted(l.strip() for l in open(sys.argv[2]) if l.strip())
print(f"third sweep:  {len(got)} new findings reported, {len(want)} keys added: "
      + ("exactly the new ones" if got == want else f"MISMATCH {set(got) ^ set(want)}"))
PY
echo "third sweep:  ${third}s, $third_blobs blobs scanned (30 new blobs added)"

# Shards against one unsharded run.
"$ks" sweep --discover "$repos" --value-key "$work/value.key" --format jsonl -o "$work/whole.jsonl" -q || true
for k in 1 2 3 4; do
  "$ks" sweep --discover "$repos" --value-key "$work/value.key" --shard "$k/4" --format jsonl \
    -o "$work/shard-$k.jsonl" -q &
done
wait
"$ks" merge -q -o "$work/merged.jsonl" "$work"/shard-{1,2,3,4}.jsonl || true
if cmp -s "$work/whole.jsonl" "$work/merged.jsonl"; then
  echo "shards:       4 shards merged == unsharded ($(wc -l < "$work/whole.jsonl") findings, same bytes)"
else
  echo "shards:       MISMATCH between merged shards and the unsharded sweep"
fi

# Peak RSS: the sweep with --max-parallel 2 against the largest single-repository scan.
largest=0
largest_repo=
for r in "$repos"/*; do
  m=$(rss "$ks" scan --git "$r" -q -f jsonl)
  if python3 -c "import sys; sys.exit(0 if $m > $largest else 1)"; then
    largest=$m
    largest_repo=$(basename "$r")
  fi
done
sweep_rss=$(rss "$ks" sweep --discover "$repos" --max-parallel 2 -q --format jsonl)
serial_rss=$(rss "$ks" sweep --discover "$repos" --max-parallel 1 -q --format jsonl)
echo "peak RSS:     sweep --max-parallel 1 ${serial_rss} MiB (one repository at a time)"
echo "peak RSS:     sweep --max-parallel 2 ${sweep_rss} MiB, largest single scan ${largest} MiB ($largest_repo): $(python3 -c "print(f'{$sweep_rss / $largest:.2f}')")x"
