#!/usr/bin/env python3
"""Builds a large, secret-free source tree deterministically for whole-scan benchmarks.

usage: make_tree.py DIR [FILES] [TOTAL_MB]   (default 20000 files, 500 MB)

Files are realistic code in several languages. About one line in 60 uses a word the rules key
on (password, token, secret, api_key, URLs) the way secret-free code does (parameters, env
lookups, i18n) — real code measured at about one such line per 5 KB — so the prefilter fires
and confirmation runs as on a real repository. KEYWORD_EVERY=3 makes a dense tree instead.
"""
import os
import random
import sys

PY = [
    "def handle(self, request, *args, **kwargs):",
    "    user = self.get_object(request.user.id)",
    "    return JsonResponse({'status': 'ok', 'count': len(items)})",
    "    logger.debug('processed %s of %s', i, len(items))",
    "    for i, item in enumerate(items):",
    "        total += item.price * item.quantity",
]
KEYWORD_LINES = [
    "    if not user.check_password(form.cleaned_data['password']):",
    "        raise ValidationError(_(\"Enter your password\"))",
    "    token = request.headers.get('Authorization', '').split(' ')[-1]",
    "    api_key = os.environ['SERVICE_API_KEY']",
    "  const [password, setPassword] = useState('');",
    "  const apiKey = process.env.NEXT_PUBLIC_API_KEY;",
    "\tsecret := os.Getenv(\"APP_SECRET\")",
    "    @Value(\"${app.jwt.secret}\") private String jwtSecret;",
    "          valueFrom: { secretKeyRef: { name: db, key: password } }",
    "// See https://docs.example.org/guide/configuration.html for the options.",
]
JS = [
    "import { useState, useEffect } from 'react';",
    "export function OrderList({ orders, onSelect }) {",
    "  useEffect(() => { fetchData(url).then(setItems); }, [url]);",
    "  return <ul>{orders.map(o => <li key={o.id}>{o.total}</li>)}</ul>;",
]
GO = [
    "func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {",
    "\tif err := json.NewDecoder(r.Body).Decode(&req); err != nil {",
    "\t\thttp.Error(w, err.Error(), http.StatusBadRequest)",
    "\t}",
]
JAVA = [
    "public class UserService implements Service<User> {",
    "    private static final Logger LOG = LoggerFactory.getLogger(UserService.class);",
    "    public Optional<User> findByEmail(String email) { return repo.findByEmail(email); }",
    "}",
]
YAML = [
    "spec:",
    "  containers:",
    "    - name: web",
    "      image: registry.local/web:1.4.2",
    "      env:",
    "        - name: DB_PASSWORD",
    "          valueFrom: { secretKeyRef: { name: db, key: password } }",
]
LANGS = [(".py", PY), (".tsx", JS), (".go", GO), (".java", JAVA), (".yaml", YAML)]
KEYWORD_EVERY = int(os.environ.get("KEYWORD_EVERY", "60"))
WORDS = "alpha beta gamma delta items count total price value index result buffer cache".split()


def main():
    root = sys.argv[1]
    files = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    total = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    per_file = total * 1_000_000 // files
    rnd = random.Random(42)
    for i in range(files):
        ext, lines = LANGS[i % len(LANGS)]
        d = os.path.join(root, f"pkg{i % 97:02d}", f"mod{i % 13:02d}")
        os.makedirs(d, exist_ok=True)
        out = []
        size = 0
        while size < per_file:
            if rnd.randrange(KEYWORD_EVERY) == 0:
                line = rnd.choice(KEYWORD_LINES)
            else:
                line = rnd.choice(lines)
            if rnd.random() < 0.3:
                line += f"  # {rnd.choice(WORDS)} {rnd.randrange(10000)}"
            out.append(line)
            size += len(line) + 1
        with open(os.path.join(d, f"file{i}{ext}"), "w") as f:
            f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
