#!/usr/bin/env bash
# Builds the git fuzz target's seed repository with git and writes what the harness and its
# corpus need (all committed; rerun only to change the seed):
#   objects   every object, as `git cat-file --batch-all-objects --batch` prints them
#   refs      `OID REFNAME` per line (HEAD is refs/heads/main)
#   seed.pack, seed.idx   the repository repacked into one pack with deltas
#   ../corpus/git/*       seed inputs of each mode of fuzz_targets/git.rs
# Dates, names and file contents are fixed, so the object ids are the same on every run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export HOME="$work" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME="Seed Author" GIT_AUTHOR_EMAIL="seed@example.invalid"
export GIT_COMMITTER_NAME="Seed Author" GIT_COMMITTER_EMAIL="seed@example.invalid"
repo="$work/repo"
git init -q -b main "$repo"
cd "$repo"
commit() { # commit DATE MESSAGE
  GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" git commit -q -m "$2"
}

# A source file long enough for git to store its second version as a delta.
for i in $(seq 1 60); do echo "fn step_$i() -> u32 { $i * 7 } // keep the numbers small"; done >src.rs
printf 'seed repository of the git fuzz target\n' >README.md
mkdir -p conf
printf 'password = "change-me"\napi_key = "<placeholder>"\n' >conf/app.env
git add -A && commit "2024-01-01T00:00:00Z" "first"

echo 'fn step_61() -> u32 { 61 * 7 } // one more' >>src.rs
printf 'password = "still-not-a-secret"\n' >>conf/app.env
git add -A && commit "2024-01-02T00:00:00Z" "second"

git checkout -q -b side
mkdir -p docs/deep
printf 'token: "example-token-value"\n' >docs/deep/notes.yml
git add -A && commit "2024-01-03T00:00:00Z" "side"
git checkout -q main
GIT_AUTHOR_DATE="2024-01-04T00:00:00Z" GIT_COMMITTER_DATE="2024-01-04T00:00:00Z" \
  git merge -q --no-ff -m "merge side" side
GIT_COMMITTER_DATE="2024-01-05T00:00:00Z" git tag -a v1 -m "release one"

git repack -q -a -d -f --window=10
cp .git/objects/pack/pack-*.pack "$here/seed.pack"
cp .git/objects/pack/pack-*.idx "$here/seed.idx"
chmod 644 "$here/seed.pack" "$here/seed.idx"
git cat-file --batch-all-objects --batch >"$here/objects"
git for-each-ref --format='%(objectname) %(refname)' >"$here/refs"

# Corpus seeds, in the input format of fuzz_targets/git.rs (see its doc comment).
python3 - "$here" <<'PY'
import os, struct, sys
here = sys.argv[1]
corpus = os.path.join(here, "..", "corpus", "git")
os.makedirs(corpus, exist_ok=True)
for f in os.listdir(corpus):
    os.remove(os.path.join(corpus, f))

data = open(os.path.join(here, "objects"), "rb").read()
objects = []  # (oid, type, content), in the file's order (sorted by id)
pos = 0
while pos < len(data):
    nl = data.index(b"\n", pos)
    oid, kind, size = data[pos:nl].split()
    size = int(size)
    objects.append((oid.decode(), kind.decode(), data[nl + 1 : nl + 1 + size]))
    pos = nl + 1 + size + 1

def write(name, payload):
    with open(os.path.join(corpus, name), "wb") as f:
        f.write(payload)

def edit(obj, op, payload):
    return bytes([obj, op]) + struct.pack("<H", len(payload)) + payload

def varint(n):  # the size varint of a git delta
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)

# Mode 0: the pack as git wrote it; mode 0x80: the same under a range selection.
pack = open(os.path.join(here, "seed.pack"), "rb").read()
write("raw-pack", b"\x00" + pack)
write("raw-pack-range", b"\x80" + pack)

# Mode 1: each object loose, the first of each type the fuzzed one.
seen = set()
for i, (oid, kind, content) in enumerate(objects):
    if kind not in seen:
        seen.add(kind)
        write(f"loose-{kind}", bytes([1, i, 0]) + kind.encode() + b" %d\x00" % len(content) + content)

# Mode 2: packs the harness builds from the objects, with edits.
write("built-plain", b"\x02")
blobs = [i for i, o in enumerate(objects) if o[1] == "blob"]
trees = [i for i, o in enumerate(objects) if o[1] == "tree"]
big = max(blobs, key=lambda i: len(objects[i][2]))
small = min(blobs, key=lambda i: len(objects[i][2]))
write("built-replace", b"\x02" + edit(small, 0, b'aws_secret = "not-a-key"\n' * 3))
write("built-size-lie", b"\x02" + edit(small, 1, struct.pack("<Q", 1 << 40)))
write("built-raw-body", b"\x02" + edit(trees[0], 4, b"not zlib at all"))
write("built-drop", b"\x02" + edit(trees[-1], 5, b""))
# The small blob as a delta on the big one: copy 16 bytes of the base, insert the rest.
base = objects[big][2]
target = base[:16] + b"\npassword = hunter-two\n"
delta = varint(len(base)) + varint(len(target)) + bytes([0x90, 16])
rest = target[16:]
delta += bytes([len(rest)]) + rest
write("built-ofs-delta", b"\x02" + edit(small, 2, bytes([big]) + delta))
write("built-ref-delta", b"\x02" + edit(small, 3, bytes([big]) + delta))
PY
echo "seed: $(wc -l <"$here/refs") refs, $(grep -c -E '^[0-9a-f]{40} ' "$here/objects") objects, pack $(wc -c <"$here/seed.pack") bytes"
