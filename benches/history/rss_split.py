#!/usr/bin/env python3
"""Runs a command and samples its /proc status every 10 ms: peak anonymous memory (heap,
thread stacks) and peak file-backed memory (mapped packs and indexes) apart, which
/usr/bin/time's single peak RSS does not tell, with the peak of each over time.
Usage: rss_split.py CMD...   (the command's stdout is discarded, stderr passes through)"""
import subprocess, sys, time

def status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "RssAnon", "RssFile"):
                out[k] = int(v.split()[0]) // 1024
    return out

start = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
peak = {"VmHWM": 0, "RssAnon": 0, "RssFile": 0}
when = {}
while p.poll() is None:
    try:
        s = status(p.pid)
    except (FileNotFoundError, ProcessLookupError, ValueError):
        break
    for k, v in s.items():
        if v > peak[k]:
            peak[k], when[k] = v, time.monotonic() - start
    time.sleep(0.01)
p.wait()
wall = time.monotonic() - start
print(f"wall {wall:.2f}s  peak RSS (VmHWM) {peak['VmHWM']} MiB  "
      f"peak anon {peak['RssAnon']} MiB at {when.get('RssAnon', 0):.1f}s  "
      f"peak file-backed {peak['RssFile']} MiB at {when.get('RssFile', 0):.1f}s", file=sys.stderr)
