#!/usr/bin/env bash
# Compares `keysweep scan --git` with a `git log -p --all | rg` keyword pipeline on a repo
# built by make_repo.sh, and checks every planted secret is found.
# Usage: compare.sh REPO [KEYSWEEP]   (KEYSWEEP defaults to target/release/keysweep)
# Reports wall time, CPU time (user+sys), peak RSS (/usr/bin/time -v), and MB/s of unique
# blob bytes (all blobs in the repository, as `git cat-file` counts them).
set -euo pipefail
repo=$(cd "${1:?usage: compare.sh REPO [KEYSWEEP]}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
ks=${2:-$root/target/release/keysweep}
secrets="$repo.secrets"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$ks" rules list --format json | python3 -c '
import json, sys
kws = sorted({k for r in json.load(sys.stdin) for k in r.get("keywords") or []})
print("\n".join(kws))' > "$tmp/keywords"
blob_bytes=$(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' \
  | awk '$1 == "blob" { s += $2 } END { print s }')
# Warm the page cache for both contenders.
cat "$repo"/.git/objects/pack/* > /dev/null

# measure NAME CMD...: runs CMD under /usr/bin/time -v, prints one result row.
measure() {
  local name=$1; shift
  /usr/bin/time -v "$@" 2> "$tmp/time" > "$tmp/$name.out" || true
  python3 - "$name" "$tmp/time" "$blob_bytes" <<'PY'
import re, sys
name, path, blob_bytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = open(path).read()
def field(label):
    return re.search(re.escape(label) + r":\s*(.+)", t).group(1).strip()
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
parts = [float(p) for p in wall.split(":")]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
rss = int(field("Maximum resident set size (kbytes)")) / 1024
print(f"{name:10s} wall {secs:7.2f}s  cpu {cpu:7.2f}s  peak RSS {rss:7.1f} MiB  "
      f"{blob_bytes / 1e6 / secs:7.1f} MB/s of unique blob bytes")
with open(path + "." + name, "w") as f:
    f.write(f"{secs}\n")
PY
}

echo "repo: $repo"
echo "commits: $(git -C "$repo" rev-list --all | wc -l), unique blob bytes: $((blob_bytes / 1000000)) MB, pack: $(du -sh "$repo/.git/objects/pack" | cut -f1)"
echo "keywords: $(wc -l < "$tmp/keywords"), cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
measure keysweep "$ks" scan --git "$repo" --format json --show-secrets --quiet
measure gitlog-rg bash -c "git -C '$repo' log -p --all | rg -c -i -F -f '$tmp/keywords'"
python3 - "$tmp" <<'PY'
import sys
t = sys.argv[1]
k = float(open(t + "/time.keysweep").read()); g = float(open(t + "/time.gitlog-rg").read())
print(f"speed-up: {g / k:.1f}x (git log -p | rg matched {open(t + '/gitlog-rg.out').read().strip()} lines)")
PY

# Planted secrets: keysweep must find each; the git log pipeline only sees a secret as an
# added line if some commit's diff adds it (merge resolutions are not shown by git log -p).
git -C "$repo" log -p --all | rg -F -f <(cut -f1 "$secrets") | rg '^\+' > "$tmp/added" || true
python3 - "$tmp/keysweep.out" "$secrets" "$tmp/added" "$repo" <<'PY'
import json, subprocess, sys
findings = json.load(open(sys.argv[1]))
added = open(sys.argv[3]).read()
missing = 0
for line in open(sys.argv[2]):
    key, kind, path = line.rstrip("\n").split("\t")
    hits = [f for f in findings if f["secret"] == key]
    where = ""
    if hits:
        c = hits[0]["commit"]["id"]
        parents = subprocess.run(["git", "-C", sys.argv[4], "rev-list", "--parents", "-n1", c],
                                 capture_output=True, text=True).stdout.split()[1:]
        where = f"{hits[0]['path']}:{hits[0]['line']} in {c[:10]} ({len(parents)} parent(s))"
        if kind == "merge-resolution-only" and len(parents) < 2:
            where += "  <-- expected a merge commit"
            missing += 1
    else:
        missing += 1
    print(f"  {kind:22s} {key[:4]}...  keysweep: {'found ' + where if hits else 'MISSING'}"
          f"  | git log -p added line: {'yes' if key in added else 'no'}")
print("all planted secrets found" if missing == 0 else f"{missing} planted secret(s) missing or misattributed")
sys.exit(1 if missing else 0)
PY
