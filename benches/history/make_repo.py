#!/usr/bin/env python3
"""Writes a git fast-import stream for a realistic, deterministic history on stdout.

Usage: make_repo.py COMMITS FILES SECRETS_OUT
  - FILES text files (code-like lines) in ~FILES/50 directories,
  - COMMITS commits on main, each editing 1-5 files (changed, inserted, deleted lines),
    with renames and deletions now and then,
  - every 400 commits a side branch of 12 commits merged back; when both sides touched the
    same file the merge commit carries a resolution that differs from both parents,
  - tags every 1000 commits, one unmerged branch,
  - planted AWS access key ids, written to SECRETS_OUT as `key<TAB>kind<TAB>path`: some
    added and later removed, one only in a merge resolution, one only on the unmerged branch.
Same arguments, same stream (random.Random(42)).
"""
import random
import sys

COMMITS = int(sys.argv[1])
FILES = int(sys.argv[2])
SECRETS_OUT = sys.argv[3]
rng = random.Random(42)
out = sys.stdout.buffer
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

WORDS = ("value result config client request response handler buffer index count "
         "offset length name path user reader session cache item list map key data "
         "error status retry timeout limit queue worker state node parent child "
         "import export return yield async await match case else while for").split()


def make_line():
    k = rng.random()
    ind = "    " * rng.randint(0, 3)
    w = lambda: rng.choice(WORDS)
    if k < 0.004:
        # Benign lines holding rule keywords, at a realistic density.
        return rng.choice([f"{ind}let auth_token = config.token();",
                           f"{ind}// the password comes from the environment",
                           f"{ind}let secret = vault.read(\"{w()}\")?;"])
    if k < 0.012:
        return f'{ind}const DOCS: &str = "https://docs.example.com/{w()}/{w()}";'
    if k < 0.3:
        return f"{ind}let {w()}_{w()} = {w()}.{w()}({w()}, {rng.randint(0, 9999)});"
    if k < 0.5:
        return f"{ind}// {w()} {w()} {w()} {w()} {w()} {w()} {w()}"
    if k < 0.65:
        return f"{ind}if {w()}.{w()}() > {rng.randint(0, 500)} {{"
    if k < 0.75:
        return f"{ind}}}"
    if k < 0.9:
        return f"{ind}fn {w()}_{w()}(&self, {w()}: u{rng.choice([8, 16, 32, 64])}) -> Result<()> {{"
    return f'{ind}log::debug!("{w()} {w()} {{}}", {w()}_{w()});'


POOL = [make_line() for _ in range(40000)]


def new_lines(n):
    return [POOL[rng.randrange(len(POOL))] for _ in range(n)]


def aws_key():
    while True:
        k = "AKIA" + "".join(rng.choice(B32) for _ in range(16))
        if "EXAMPLE" not in k:
            return k


ndirs = max(1, FILES // 50)
dirs = [f"src/{rng.choice(WORDS)}_{i}" for i in range(ndirs)]
exts = [".rs", ".py", ".go", ".ts", ".txt"]
main_files = {}
for i in range(FILES):
    path = f"{dirs[i % ndirs]}/{rng.choice(WORDS)}_{i}{rng.choice(exts)}"
    main_files[path] = new_lines(rng.randint(40, 320))

secrets = []  # (key, kind, path)
mark = 0
when = 1_600_000_000


def data(b):
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")


def commit(ref, msg, changes, frm=None, merge=None):
    """changes: list of ('M', path, lines) | ('D', path) | ('R', old, new)."""
    global mark, when
    mark += 1
    when += rng.randint(60, 7200)
    who = rng.choice(["Ada Lovelace <ada@example.com>", "Alan Turing <alan@example.com>",
                      "Grace Hopper <grace@example.com>", "Linus T <linus@example.com>"])
    out.write(b"commit %s\nmark :%d\n" % (ref.encode(), mark))
    out.write(f"author {who} {when} +0000\ncommitter {who} {when} +0000\n".encode())
    data(msg.encode())
    if frm is not None:
        out.write(b"from :%d\n" % frm)
    if merge is not None:
        out.write(b"merge :%d\n" % merge)
    for c in changes:
        if c[0] == "M":
            out.write(f"M 100644 inline {c[1]}\n".encode())
            data(("\n".join(c[2]) + "\n").encode())
        elif c[0] == "D":
            out.write(f"D {c[1]}\n".encode())
        else:
            out.write(f"R {c[1]} {c[2]}\n".encode())
    out.write(b"\n")
    return mark


def edit(lines):
    lines = list(lines)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        at = rng.randrange(len(lines) + 1)
        if op < 0.5 and lines:
            at = min(at, len(lines) - 1)
            lines[at:at + rng.randint(1, 3)] = new_lines(rng.randint(1, 3))
        elif op < 0.8:
            lines[at:at] = new_lines(rng.randint(1, 8))
        elif len(lines) > 20:
            del lines[at:at + rng.randint(1, 4)]
    return lines


def random_edits(files, n, plant=None):
    changes = []
    paths = rng.sample(sorted(files) if len(files) < 64 else list(files), n)
    for p in paths:
        files[p] = edit(files[p])
        changes.append(("M", p, files[p]))
    if plant:
        p = paths[0]
        key = aws_key()
        lines = list(files[p])
        lines.insert(rng.randrange(len(lines) + 1), f'    let aws_access_key_id = "{key}";')
        files[p] = lines
        changes[0] = ("M", p, lines)
        secrets.append((key, plant, p))
        return changes, (p, key)
    return changes, None


# Initial import, in a few commits so the first tree is not one huge commit.
paths = list(main_files)
tip = None
for chunk in range(0, len(paths), 1000):
    tip = commit("refs/heads/main", "Import", [("M", p, main_files[p]) for p in paths[chunk:chunk + 1000]], frm=tip)

to_remove = []  # (commit number, path, key)
n = 0
while n < COMMITS:
    n += 1
    plant = None
    if n % 997 == 0:
        plant = "added"
    elif n % 1499 == 0:
        plant = "removed-later"
    changes, planted = random_edits(main_files, rng.randint(1, 5), plant)
    if planted and plant == "removed-later":
        to_remove.append((n + 37, planted[0], planted[1]))
    for due, p, key in [t for t in to_remove if t[0] == n]:
        if p in main_files:
            main_files[p] = [l for l in main_files[p] if key not in l]
            changes.append(("M", p, main_files[p]))
        to_remove.remove((due, p, key))
    if n % 211 == 0:
        old = rng.choice(list(main_files))
        if not any(c[1] == old for c in changes):
            new = old.rsplit("/", 1)[0] + f"/renamed_{n}_" + old.rsplit("/", 1)[1]
            main_files[new] = main_files.pop(old)
            changes.append(("R", old, new))
            for s in range(len(secrets)):
                if secrets[s][2] == old:
                    secrets[s] = (secrets[s][0], secrets[s][1], new)
    if n % 307 == 0:
        gone = rng.choice(list(main_files))
        if not any(c[1] == gone for c in changes) and not any(s[2] == gone for s in secrets):
            del main_files[gone]
            changes.append(("D", gone))
    tip = commit("refs/heads/main", f"Change {n}", changes)
    if n % 1000 == 0:
        out.write(f"reset refs/tags/v{n // 1000}\nfrom :{tip}\n\n".encode())
    if n % 400 == 0 and n + 12 < COMMITS:
        # Side branch: 12 commits, then merged back into main with a resolution commit.
        fork = tip
        side = dict(main_files)
        touched = set()
        side_tip = fork
        ref = f"refs/heads/topic/{n}"
        for k in range(12):
            ch, _ = random_edits(side, rng.randint(1, 3))
            touched.update(c[1] for c in ch)
            side_tip = commit(ref, f"Topic {n} step {k}", ch, frm=side_tip if k == 0 else None)
        # main moves on meanwhile, sometimes touching the same files.
        main_touched = set()
        for k in range(3):
            n += 1
            ch, _ = random_edits(main_files, rng.randint(1, 3))
            if k == 0:
                p = rng.choice(sorted(touched))
                main_files[p] = edit(main_files[p])
                ch.append(("M", p, main_files[p]))
            main_touched.update(c[1] for c in ch)
            tip = commit("refs/heads/main", f"Change {n}", ch)
        merged = []
        resolved_secret = (n // 400) == 3
        for p in sorted(touched):
            if main_files[p] is side[p]:
                continue
            if p in main_files and main_files[p] is not side.get(p) and rng.random() < 0.999:
                # Both sides or only the side changed it; the merge takes the side's version,
                # and resolves a conflict (new content) for files main touched too.
                lines = list(side[p])
                if p in main_touched:
                    lines.append("    // resolved merge conflict")
                    if resolved_secret:
                        key = aws_key()
                        lines.append(f'    const MERGE_KEY: &str = "{key}";')
                        secrets.append((key, "merge-resolution-only", p))
                        resolved_secret = False
                main_files[p] = lines
                merged.append(("M", p, lines))
        tip = commit("refs/heads/main", f"Merge topic {n}", merged, frm=tip, merge=side_tip)
        n += 1

# An unmerged branch with its own secret.
ch, planted = random_edits(dict(main_files), 2, "unmerged-branch-only")
commit("refs/heads/unmerged", "Unmerged work", ch, frm=tip)
out.write(b"done\n")
with open(SECRETS_OUT, "w") as f:
    for key, kind, path in secrets:
        f.write(f"{key}\t{kind}\t{path}\n")
