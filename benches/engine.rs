//! Engine throughput on secret-free source code, and the keyword filter against
//! aho-corasick's searchers (automaton, ascii_case_insensitive, packed Teddy in groups) on
//! the same keywords and data.
//!
//! The corpus is generated deterministically: realistic lines of Python, JS/TS, Go, Java,
//! YAML and JSON, including the words the generic rules key on (`password`, `token`,
//! `secret`, `api_key`) used the way real code uses them (parameters, env lookups, i18n),
//! so the prefilter fires and the confirm step runs as it would on a real repository.
//!
//! Run: `cargo bench --bench engine` (criterion prints MiB/s per benchmark; one thread).
//!
//! Real code as well: `KEYSWEEP_BENCH_FILE=F cargo bench --bench engine -- real` benches the
//! full scan and the prefilter on the bytes of file F (e.g. many source files concatenated:
//! `find ~/.cargo/registry/src -name '*.rs' | head -3000 | xargs cat > /tmp/rs.txt`), or a
//! mix of every language and format the rules target, held out from the sample the trigram
//! table was measured on: `benches/make_mix.py /tmp/mix` with the `--corpus` arguments of
//! `scripts/gen-trigrams` writes `/tmp/mix/mix.txt` (and one file per family).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use keysweep::engine::RuleSet;
use keysweep::rules::builtin_rules;
use std::hint::black_box;

/// Lines that hold no keyword: the bulk of real code.
const PLAIN: &[&str] = &[
    "def handle_request(self, request, *args, **kwargs):",
    "    user = self.get_object(request.user.id)",
    "    return JsonResponse({\"status\": \"ok\", \"count\": len(items)})",
    "import { useState, useEffect } from 'react';",
    "export function OrderList({ orders, onSelect }: Props) {",
    "  useEffect(() => { fetchData(url).then(setItems); }, [url]);",
    "func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {",
    "\tif err := json.NewDecoder(r.Body).Decode(&req); err != nil {",
    "\t\thttp.Error(w, err.Error(), http.StatusBadRequest)",
    "public class UserService implements Service<User> {",
    "    public Optional<User> findByEmail(String email) { return repo.findByEmail(email); }",
    "    private static final Logger LOG = LoggerFactory.getLogger(UserService.class);",
    "spec:",
    "  containers:",
    "    - name: web",
    "      image: registry.local/web:1.4.2",
    "{\"name\": \"left-pad\", \"version\": \"1.3.0\", \"integrity\": \"sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQcmV2a9GYsmuWi3Y4nSy4BWwZBgBRHm1tMGwvSmV4ZJmJ5A==\"}",
    "# Compute the rolling average over the last N samples and keep the window bounded.",
    "for i, item in enumerate(items):",
    "    total += item.price * item.quantity",
    "    logger.debug(\"processed %s of %s\", i, len(items))",
    "        let mut buf = Vec::with_capacity(len.min(MAX_CHUNK));",
    "        match self.state { State::Idle => return Ok(None), State::Busy(ref j) => j.poll()?, }",
    "    SELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.region = $1",
    "",
];

/// Lines that name a keyword the way secret-free code does: parameters, env lookups, i18n,
/// URLs in comments, parser tokens.
const KEYWORD: &[&str] = &[
    "    if not user.check_password(form.cleaned_data['password']):",
    "        raise ValidationError(_(\"Enter your password\"))",
    "    token = request.headers.get(\"Authorization\", \"\").split(\" \")[-1]",
    "  const [password, setPassword] = useState<string>('');",
    "  const apiKey = process.env.NEXT_PUBLIC_API_KEY;",
    "\tsecret := os.Getenv(\"APP_SECRET\")",
    "    @Value(\"${app.jwt.secret}\") private String jwtSecret;",
    "          valueFrom: { secretKeyRef: { name: db, key: password } }",
    "// See https://docs.example.org/guide/configuration.html for the options.",
    "            Token::Ident(name) => self.parse_path(name)?,",
];

/// About `size` bytes of code: one line in `keyword_every` names a keyword (real code
/// measured at about one keyword line per 5 KB; the dense corpus has one in three).
fn corpus(size: usize, keyword_every: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 256);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    while out.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let line = if state.is_multiple_of(keyword_every) {
            KEYWORD[((state >> 8) % KEYWORD.len() as u64) as usize]
        } else {
            PLAIN[((state >> 8) % PLAIN.len() as u64) as usize]
        };
        out.extend_from_slice(line.as_bytes());
        if state % 5 == 1 {
            out.extend_from_slice(format!("  # step {}", state % 1000).as_bytes());
        }
        out.push(b'\n');
    }
    out
}

fn keywords() -> Vec<String> {
    let mut k: Vec<String> = builtin_rules()
        .unwrap()
        .iter()
        .flat_map(|r| r.keywords.iter().map(|k| k.to_ascii_lowercase()))
        .collect();
    k.sort();
    k.dedup();
    k
}

fn bench(c: &mut Criterion) {
    let data = corpus(16 << 20, 60);
    let dense = corpus(16 << 20, 3);
    let set = RuleSet::new(builtin_rules().unwrap());
    assert!(set.scan(&data).is_empty(), "the corpus must be secret-free");
    assert!(
        set.scan(&dense).is_empty(),
        "the corpus must be secret-free"
    );

    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(20);
    g.bench_function("full scan (prefilter + confirm)", |b| {
        b.iter(|| black_box(set.scan(black_box(&data))))
    });
    g.bench_function("dense corpus: full scan (a keyword every 3 lines)", |b| {
        b.iter(|| black_box(set.scan(black_box(&dense))))
    });
    g.bench_function("prefilter only (hashed 4-gram filter on raw bytes)", |b| {
        b.iter(|| black_box(set.prefilter_hits(black_box(&data))))
    });

    // The aho-corasick settings we rejected, on the same keywords and the same data. The
    // automaton (LeftmostLongest) is what `AhoCorasick::new` gives for more than 64
    // keywords: no SIMD prefilter. ascii_case_insensitive would spare the lower-casing pass
    // but also runs without it.
    let kw = keywords();
    let lowered = data.to_ascii_lowercase();
    let automaton: AhoCorasick = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&kw)
        .unwrap();
    g.bench_function(
        "alternative: automaton (LeftmostLongest) on lower-cased bytes",
        |b| b.iter(|| black_box(automaton.find_iter(black_box(&lowered[..])).count())),
    );
    let insensitive: AhoCorasick = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .ascii_case_insensitive(true)
        .build(&kw)
        .unwrap();
    g.bench_function(
        "alternative: ascii_case_insensitive automaton on raw bytes",
        |b| b.iter(|| black_box(insensitive.find_iter(black_box(&data[..])).count())),
    );
    // Pieces of the prefilter, to see where the time goes.
    g.bench_function("piece: lower-casing pass alone", |b| {
        let mut buf = Vec::with_capacity(data.len());
        b.iter(|| {
            buf.clear();
            buf.extend(black_box(&data).iter().map(u8::to_ascii_lowercase));
            black_box(buf.len())
        })
    });
    let mut sorted = kw.clone();
    sorted.retain(|k| k.len() >= 3);
    for size in [12, 16, 24, 32, 64] {
        let groups: Vec<_> = sorted
            .chunks(size)
            .map(|group| {
                aho_corasick::packed::Config::new()
                    .match_kind(aho_corasick::packed::MatchKind::LeftmostLongest)
                    .builder()
                    .extend(group)
                    .build()
                    .unwrap()
            })
            .collect();
        g.bench_function(format!("piece: Teddy in groups of {size}"), |b| {
            b.iter(|| {
                groups
                    .iter()
                    .map(|t| t.find_iter(black_box(&lowered[..])).count())
                    .sum::<usize>()
            })
        });
    }
    g.finish();

    if let Ok(path) = std::env::var("KEYSWEEP_BENCH_FILE") {
        let real = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut g = c.benchmark_group("real");
        g.throughput(Throughput::Bytes(real.len() as u64));
        g.sample_size(10);
        g.bench_function("full scan of KEYSWEEP_BENCH_FILE", |b| {
            b.iter(|| black_box(set.scan(black_box(&real))))
        });
        g.bench_function("prefilter only on KEYSWEEP_BENCH_FILE", |b| {
            b.iter(|| black_box(set.prefilter_hits(black_box(&real))))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
