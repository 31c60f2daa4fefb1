#!/usr/bin/env bash
# Builds a deterministic history repository for the --git benchmark with git fast-import.
# Usage: make_repo.sh DIR [COMMITS=20000] [FILES=5000]
# Writes DIR (a bare-less normal repo, objects packed) and DIR.secrets (planted keys).
set -euo pipefail
dir=${1:?usage: make_repo.sh DIR [COMMITS] [FILES]}
commits=${2:-20000}
files=${3:-5000}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$dir"
git -c init.defaultBranch=main init -q "$dir"
python3 "$here/make_repo.py" "$commits" "$files" "$dir.secrets" \
  | git -C "$dir" -c gc.auto=0 fast-import --quiet --done
# A real repository is packed by git gc: repack so delta chains look like one.
# (retried: on a shared sandbox repack was seen to fail now and then for reasons outside git)
for attempt in 1 2 3; do
  git -C "$dir" -c pack.threads=2 repack -a -d -f -q --window=10 --depth=50 && break
  echo "repack failed (attempt $attempt), retrying" >&2
done
git -C "$dir" checkout -q main 2>/dev/null || true
echo "$dir: $(git -C "$dir" rev-list --all | wc -l) commits, $(git -C "$dir" count-objects -vH | grep size-pack)"
