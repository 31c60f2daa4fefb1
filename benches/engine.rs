//! Engine throughput on secret-free source code, and the cost of the aho-corasick settings.
//!
//! The corpus is generated deterministically: realistic lines of Python, JS/TS, Go, Java,
//! YAML and JSON, including the words the generic rules key on (`password`, `token`,
//! `secret`, `api_key`) used the way real code uses them (parameters, env lookups, i18n),
//! so the prefilter fires and the confirm step runs as it would on a real repository.
//!
//! Run: `cargo bench --bench engine` (criterion prints MiB/s per benchmark; one thread).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use keysweep::engine::RuleSet;
use keysweep::rules::builtin_rules;
use std::hint::black_box;

const LINES: &[&str] = &[
    "def handle_request(self, request, *args, **kwargs):",
    "    user = self.get_object(request.user.id)",
    "    if not user.check_password(form.cleaned_data['password']):",
    "        raise ValidationError(_(\"Enter your password\"))",
    "    token = request.headers.get(\"Authorization\", \"\").split(\" \")[-1]",
    "    return JsonResponse({\"status\": \"ok\", \"count\": len(items)})",
    "import { useState, useEffect } from 'react';",
    "export function LoginForm({ onSubmit }: Props) {",
    "  const [password, setPassword] = useState<string>('');",
    "  const apiKey = process.env.NEXT_PUBLIC_API_KEY;",
    "  useEffect(() => { fetchData(url).then(setItems); }, [url]);",
    "  return <input type=\"password\" value={password} onChange={e => setPassword(e.target.value)} />;",
    "func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {",
    "\tsecret := os.Getenv(\"APP_SECRET\")",
    "\tif err := json.NewDecoder(r.Body).Decode(&req); err != nil {",
    "\t\thttp.Error(w, err.Error(), http.StatusBadRequest)",
    "public class UserService implements Service<User> {",
    "    private final PasswordEncoder passwordEncoder;",
    "    @Value(\"${app.jwt.secret}\") private String jwtSecret;",
    "    public Optional<User> findByEmail(String email) { return repo.findByEmail(email); }",
    "spec:",
    "  containers:",
    "    - name: web",
    "      image: registry.local/web:1.4.2",
    "      env:",
    "        - name: DB_PASSWORD",
    "          valueFrom: { secretKeyRef: { name: db, key: password } }",
    "{\"name\": \"left-pad\", \"version\": \"1.3.0\", \"integrity\": \"sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQcmV2a9GYsmuWi3Y4nSy4BWwZBgBRHm1tMGwvSmV4ZJmJ5A==\"}",
    "# Compute the rolling average over the last N samples and keep the window bounded.",
    "for i, item in enumerate(items):",
    "    total += item.price * item.quantity",
    "    logger.debug(\"processed %s of %s\", i, len(items))",
    "",
];

/// About `size` bytes of code built from `LINES` with varying indentation and identifiers.
fn corpus(size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 256);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    while out.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let line = LINES[(state % LINES.len() as u64) as usize];
        out.extend_from_slice(line.as_bytes());
        if state % 5 == 0 {
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
    let data = corpus(16 << 20);
    let set = RuleSet::compile(builtin_rules().unwrap()).unwrap();
    assert!(set.scan(&data).is_empty(), "the corpus must be secret-free");

    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(20);
    g.bench_function("full scan (prefilter + confirm)", |b| {
        b.iter(|| black_box(set.scan(black_box(&data))))
    });
    g.bench_function("prefilter only (lower-cased chunks, LeftmostLongest)", |b| {
        b.iter(|| black_box(set.prefilter_hits(black_box(&data))))
    });

    // The settings we rejected, measured on the same keywords: ascii_case_insensitive
    // turns the SIMD prefilter off; Standard match kind cannot use it either.
    let kw = keywords();
    let insensitive: AhoCorasick = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostFirst)
        .ascii_case_insensitive(true)
        .build(&kw)
        .unwrap();
    g.bench_function("alternative: ascii_case_insensitive automaton", |b| {
        b.iter(|| black_box(insensitive.find_iter(black_box(&data[..])).count()))
    });
    let standard = AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .build(&kw)
        .unwrap();
    g.bench_function("alternative: MatchKind::Standard on raw bytes", |b| {
        b.iter(|| black_box(standard.find_iter(black_box(&data[..])).count()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
