#!/usr/bin/env python3
"""False alarms on clean public code: findings per MB per corpus, and a sample to review.

The corpora are well-known public code already on the machine, which holds no live
credentials: every finding is a false alarm or a documented example worth a look.

  benches/clean-code.py [--bin PATH] [--per-rule N] [--corpus NAME=DIR ...]

Default corpora: the crates in ~/.cargo/registry/src, the Python standard library, and a
node_modules given with --corpus (e.g. `npm install express eslint webpack axios` in /tmp).
Each corpus is scanned with --no-ignore so that the bytes scanned do not depend on the ignore
convention of the binary under test. Secrets stay redacted (the scanner's default).
"""
import argparse
import collections
import json
import os
import random
import subprocess
import sys
import sysconfig
import time
from pathlib import Path


def default_corpora():
    out = {}
    registry = Path.home() / ".cargo" / "registry" / "src"
    if registry.is_dir():
        out["cargo-registry"] = str(registry)
    stdlib = sysconfig.get_paths()["stdlib"]
    if os.path.isdir(stdlib):
        out["python-stdlib"] = stdlib
    return out


# Installed third-party packages live inside the stdlib directory; they are not the stdlib.
EXCLUDED_DIRS = {"site-packages"}


def tree_bytes(root):
    """Bytes of the regular files under root (symlinks not followed, as the scanner)."""
    total = 0
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in EXCLUDED_DIRS]
        for f in files:
            p = os.path.join(dirpath, f)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if os.path.isfile(p) and not os.path.islink(p):
                total += st.st_size
    return total


def scan(binary, root):
    start = time.perf_counter()
    excludes = [a for d in sorted(EXCLUDED_DIRS) for a in ("--exclude", f"**/{d}/")]
    proc = subprocess.run(
        [binary, "scan", "--no-ignore", *excludes, "--format", "json", "--exit-zero", "--quiet", root],
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{binary} failed on {root} (exit {proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout or "[]"), elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="target/release/keysweep")
    ap.add_argument("--per-rule", type=int, default=3, help="findings shown per rule and corpus")
    ap.add_argument("--seed", type=int, default=1, help="seed of the sample")
    ap.add_argument("--corpus", action="append", default=[], metavar="NAME=DIR")
    args = ap.parse_args()
    corpora = default_corpora()
    for c in args.corpus:
        name, _, d = c.partition("=")
        if not d or not os.path.isdir(d):
            sys.exit(f"--corpus {c}: expected NAME=DIR with an existing directory")
        corpora[name] = d
    if not corpora:
        sys.exit("no corpus found: pass --corpus NAME=DIR")
    print(f"binary: {args.bin}")
    print(f"{'corpus':<16} {'MB':>8} {'findings':>9} {'per MB':>8} {'seconds':>8}")
    details = []
    for name, root in corpora.items():
        mb = tree_bytes(root) / 1e6
        findings, secs = scan(args.bin, root)
        print(f"{name:<16} {mb:>8.1f} {len(findings):>9} {len(findings) / mb:>8.3f} {secs:>8.1f}")
        details.append((name, root, findings))
    for name, root, findings in details:
        by_rule = collections.Counter(f["rule_id"] for f in findings)
        print(f"\n== {name}: findings by rule")
        for rule, n in by_rule.most_common():
            print(f"  {n:>5}  {rule}")
        # A few of each rule, so that one noisy rule does not hide the others.
        rng = random.Random(args.seed)
        sample = []
        for rule in by_rule:
            of_rule = [f for f in findings if f["rule_id"] == rule]
            sample += rng.sample(of_rule, min(args.per_rule, len(of_rule)))
        print(f"== {name}: sample of {len(sample)} (redacted)")
        for f in sorted(sample, key=lambda f: (f["path"], f["line"])):
            path = os.path.relpath(f["path"], root)
            snippet = f.get("snippet", "").strip()[:140]
            conf = f.get("confidence", "-")
            print(f"  {f['rule_id']} [{conf}] {path}:{f['line']}\n      {snippet}")


if __name__ == "__main__":
    main()
