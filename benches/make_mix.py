#!/usr/bin/env python3
"""Real-code inputs for the engine bench (KEYSWEEP_BENCH_FILE) and the keyword filter's
candidate counts: per family of scripts/gen-trigrams, MB bytes of its files, taken in the
generator's order but after the first SKIP MB, so that with SKIP equal to the generator's
budget the sample is held out from what the trigram table was measured on (a family with
less on the machine than SKIP + MB gets its last MB bytes instead, overlapping the table's
sample; the script says which). Writes OUT/FAMILY.txt per family and OUT/mix.txt, all of them
concatenated in family order.

Usage: benches/make_mix.py OUT [--skip-mb 8] [--mb 3] --corpus FAMILY DIR ... (the same
--corpus / --corpus-all arguments as scripts/gen-trigrams; see its docstring)
"""

import argparse
import collections
import hashlib
import importlib.machinery
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
loader = importlib.machinery.SourceFileLoader(
    "gen_trigrams", os.path.join(HERE, "..", "scripts", "gen-trigrams")
)
spec = importlib.util.spec_from_loader("gen_trigrams", loader)
gen = importlib.util.module_from_spec(spec)
loader.exec_module(gen)


def sample(family, sources, skip, size):
    chunks, seen = [], set()
    for path in gen.candidates(family, sources):
        try:
            with open(path, "rb") as f:
                data = f.read(gen.MAX_FILE)
        except OSError:
            continue
        digest = hashlib.sha256(data).digest()
        if not gen.usable(data) or digest in seen:
            continue
        seen.add(digest)
        chunks.append(data)
    # Concatenated as the generator counts them, so that byte SKIP is where its budget ended.
    stream = b"".join(chunks)
    held_out = len(stream) >= skip + size
    start = skip if held_out else max(0, len(stream) - size)
    return stream[start : start + size], held_out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--corpus", nargs=2, action="append", default=[], metavar=("FAMILY", "DIR"))
    ap.add_argument("--corpus-all", nargs=2, action="append", default=[], metavar=("FAMILY", "DIR"))
    ap.add_argument("--skip-mb", type=float, default=8.0)
    ap.add_argument("--mb", type=float, default=3.0)
    args = ap.parse_args()
    sources = collections.defaultdict(list)
    for take_all, pairs in ((False, args.corpus), (True, args.corpus_all)):
        for family, root in pairs:
            sources[family].append((root, take_all))
    os.makedirs(args.out, exist_ok=True)
    mix = []
    for family in gen.FAMILIES:
        if family not in sources:
            continue
        data, held_out = sample(family, sources[family], int(args.skip_mb * 1e6), int(args.mb * 1e6))
        with open(os.path.join(args.out, family + ".txt"), "wb") as f:
            f.write(data)
        mix.append(data)
        note = "held out" if held_out else "OVERLAPS the table's sample (too little on this machine)"
        print(f"{family}: {len(data) / 1e6:.1f} MB, {note}", file=sys.stderr)
    with open(os.path.join(args.out, "mix.txt"), "wb") as f:
        f.write(b"".join(mix))


if __name__ == "__main__":
    main()
