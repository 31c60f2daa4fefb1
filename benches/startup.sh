#!/usr/bin/env bash
# Start-up: `keysweep scan` of one small file, whole process wall time (hyperfine if present).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
printf 'import os\n\ndef main():\n    password = os.environ["DB_PASSWORD"]\n    print("hello")\n' > "$d/app.py"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 5 --runs 100 "target/release/keysweep scan --quiet $d/app.py" "cat $d/app.py"
else
  python3 - "$d/app.py" <<'PY'
import subprocess, sys, time
ts = []
for _ in range(100):
    s = time.perf_counter(); subprocess.run(["target/release/keysweep", "scan", "--quiet", sys.argv[1]]); ts.append(time.perf_counter() - s)
ts.sort(); print(f"keysweep scan one file: median {ts[50]*1000:.1f} ms, min {ts[0]*1000:.1f} ms")
PY
fi
