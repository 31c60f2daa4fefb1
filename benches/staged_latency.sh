#!/usr/bin/env bash
# Latency of the pre-commit path: `keysweep scan --staged` in a repository of 50,000 files
# (2,500 directories) with 5 changed files staged. Target: < 25 ms wall for the whole process.
#
#   benches/staged_latency.sh [FILES] [CHANGED]
#
# Builds the release binary, creates the repository once under ${TMPDIR:-/tmp} (reused on the
# next run), and times 20+ runs with hyperfine when installed, else with a shell loop.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-50000}
changed=${2:-5}
cargo build --release --quiet --bin keysweep
bin="$PWD/target/release/keysweep"
repo="${TMPDIR:-/tmp}/keysweep-staged-bench-$files"

export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.org
if [ ! -f "$repo/.git/keysweep-bench-ready" ]; then
  rm -rf "$repo"
  mkdir -p "$repo"
  git -c init.defaultBranch=main init -q "$repo"
  (
    cd "$repo"
    python3 - "$files" <<'PY'
import os, sys
n = int(sys.argv[1])
per_dir = 20
for i in range(n):
    d = f"src/m{i // (per_dir * 50):03d}/d{(i // per_dir) % 50:02d}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:05d}.py", "w") as f:
        f.write(f"# module {i}\n" + "".join(f"def f{i}_{j}(x):\n    return x + {j}\n" for j in range(20)))
PY
    git add -A
    git -c commit.gpgsign=false commit -qm "50k files"
    git gc -q # real repositories are packed
    touch .git/keysweep-bench-ready
  )
fi
cd "$repo"
git reset -q --hard HEAD
# Stage $changed modified files, one of them with a secret on a new line.
i=0
for f in $(git ls-files | awk -v n="$files" -v c="$changed" 'NR % int(n / c) == 1' | head -n "$changed"); do
  printf 'token = "changed %s"\n' "$i" >>"$f"
  i=$((i + 1))
done
printf 'aws_key = "AKIAQYLPMN5HHHFPZAM2"\n' >>"$f"
git add -u
echo "repository: $repo ($(git ls-files | wc -l) files, $(git diff --cached --name-only | wc -l) staged)"
"$bin" scan --staged --exit-zero >/dev/null

if command -v hyperfine >/dev/null; then
  hyperfine --warmup 3 --runs 30 -N "$bin scan --staged --exit-zero --quiet"
else
  start=$(date +%s%N)
  for _ in $(seq 1 20); do "$bin" scan --staged --exit-zero --quiet >/dev/null; done
  end=$(date +%s%N)
  echo "mean: $(((end - start) / 20000000)) ms over 20 runs"
fi
git reset -q --hard HEAD
