//! Recognises values that stand in for a secret rather than being one: placeholders,
//! template and environment references, obvious dummies. Shared by every rule that keeps
//! `placeholder_check` on, so the knowledge lives in one place.

/// Substrings (lower-case) that mark a value as an example or stand-in.
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "sample",
    "dummy",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "change_this",
    "your_",
    "your-",
    "yourpassword",
    "yoursecret",
    "yourtoken",
    "yourkey",
    "xxxx",
    "****",
    // An elided value: `MIIE...`, `eyJhbGciOi...`.
    "...",
    "redacted",
    "replace_me",
    "replaceme",
    "replace-me",
    "insert_",
    "insert-",
    "enter_your",
    "fill_me",
    "fillme",
    "todo",
    "fixme",
    "notreal",
    "not_real",
    "not-a-real",
    "fake_",
    // FTP's conventional `anonymous` login password (`-anonymous@`, `anonymous@example.com`).
    "anonymous",
    "fakepass",
    "fakesecret",
    "fake-",
    "secret_here",
    "key_here",
    "token_here",
    "password_here",
    "-here",
    "_here",
    "<your",
    "0000000000",
    "yourstrong",
    "<enter",
    // Validation rules (`'password' => 'required|min:8'`), not values.
    "required|",
    "|required",
    "nullable|",
    "|confirmed",
];

/// All of [`PLACEHOLDER_WORDS`] in one search: a `contains` per word was a measurable part
/// of judging the values of a tree full of test credentials.
static PLACEHOLDER_WORD_SEARCH: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(PLACEHOLDER_WORDS).expect("literal words always build")
    });

/// Prefixes (lower-case) of values that reference or encrypt a secret instead of holding it:
/// Jasypt `ENC(...)`, SOPS `ENC[...]`, Vault transit, Ansible Vault, KMS blobs, Spring Cloud
/// Config `{cipher}`, ARNs and secret-manager URIs.
const REFERENCE_PREFIXES: &[&str] = &[
    "enc(",
    "enc[",
    "vault:v",
    "!vault",
    "$ansible_vault",
    "aqicah",
    "{cipher}",
    "arn:aws:",
    "arn:aws-",
    "op://",
    "secretsmanager:",
    "ssm:",
    "sm://",
    // LiteLLM-style `api_key: os.environ/OPENAI_API_KEY`.
    "os.environ/",
    // OpenSSL passphrase sources: `env:VAR`, `file:path`, `fd:3`; `pass:` with a dummy after it.
    "pass:",
    "env:",
    "file:",
    "fd:",
    // Apache `AuthLDAPBindPassword exec:/path`, `SSLPassPhraseDialog exec:...`.
    "exec:",
    // Azure App Service Key Vault references.
    "@microsoft.keyvault(",
];

/// Prefixes (lower-case) of values that are public by design, found under key-like names:
/// DER public keys in base64 (SubjectPublicKeyInfo of Ed25519, P-256, P-384, RSA).
const PUBLIC_VALUE_PREFIXES: &[&str] = &[
    "mcowbqydk2vw",
    "mfkwewyhkozizj0caq",
    "mhywebgbyqgsm49agegbsubbaai",
    "miibijanbgkqhkig9w0baqefaaocaq8a",
];

/// Stripe's publishable keys: public, but only a generic rule may take them for that. Other
/// providers (Courier) use the same `pk_` prefixes for secret tokens, and their rules say so.
const PUBLISHABLE_PREFIXES: &[&str] = &["pk_live_", "pk_test_"];

/// True for a value a generic rule should leave alone because it is published by design.
pub fn is_publishable(s: &[u8]) -> bool {
    PUBLISHABLE_PREFIXES
        .iter()
        .any(|p| s.len() >= p.len() && s[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
}

/// Whole values (lower-case) that are words, not secrets.
const PLACEHOLDER_VALUES: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "key",
    "null",
    "nil",
    "none",
    "true",
    "false",
    "undefined",
    "string",
    "str",
    "required",
    "optional",
    "empty",
    "blank",
    "default",
    "test",
    "testing",
    "admin",
    "root",
    "user",
    "username",
    "value",
    "n/a",
    "na",
    "tbd",
    "unknown",
    "hidden",
    "masked",
    "secret123",
    "password123",
    "mypassword",
    "mysecret",
    "s3cr3t",
    "p@ssw0rd",
    "123456",
    "12345678",
    "qwerty",
    "letmein",
    "foobar",
    "foo",
    "bar",
    "baz",
    "abc123",
    "pass123",
    "pa55word",
    "client_secret",
    "access_token",
    "auth_token",
    "bearer",
    "basic",
    "secretkey",
    // Well-known defaults of images, tutorials and tools.
    "guest",
    "postgres",
    "mysql",
    "tiger",
    "changeit",
    "foobared",
    "redispw",
    "hunter2",
    "p4ssw0rd",
    "passw0rd",
    "pa$$word",
    "pa$$w0rd",
    "password1",
    "password!",
    "admin123",
    "mysecretpassword",
    "secretpassword",
    "supersecret",
    "topsecret",
    "minioadmin",
    "dbpass",
    "dbpassword",
    "string!",
    "string?",
    "test123",
    "test1234",
    "testtest",
];

/// True when `value` is a placeholder, a template/env reference or an obvious dummy, also
/// when it is the base64 of one (Kubernetes `Secret` data: `cGFzc3dvcmQ=`). The judgement
/// does not hang on incidental characters: `changeme.`, `password\n` (an escape inside a
/// captured string literal) and `(none)` are judged by what they wrap.
pub fn is_placeholder(value: &[u8]) -> bool {
    if is_plain_placeholder(value) {
        return true;
    }
    let core = core_of(value);
    if core.len() != value.len() && !core.is_empty() && is_plain_placeholder(core) {
        return true;
    }
    match decode_printable_base64(value) {
        Some(decoded) => is_plain_placeholder(&decoded),
        None => false,
    }
}

/// `value` without what surrounds a word in text and code rather than belonging to it:
/// literal escapes at the end (`\n`, `\r\n`, `\t`, `\0`, also escaped twice), then
/// sentence punctuation, quotes and brackets at either end (`secret.`, `(hidden)`, `*pw*`).
pub fn core_of(value: &[u8]) -> &[u8] {
    let mut v = value;
    while let Some(rest) = [&b"\\n"[..], b"\\r", b"\\t", b"\\0"]
        .iter()
        .find_map(|esc| v.strip_suffix(*esc))
    {
        v = rest;
    }
    let edge = |b: &u8| b".,;:!?*()[]\"'`\\".contains(b);
    let start = v.iter().position(|b| !edge(b)).unwrap_or(v.len());
    let end = v.iter().rposition(|b| !edge(b)).map_or(start, |i| i + 1);
    &v[start..end.max(start)]
}

/// Decodes padded base64 whose content is printable ASCII; `None` for anything else.
pub(crate) fn decode_printable_base64(value: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    if value.len() < 8
        || !value.len().is_multiple_of(4)
        || !value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value)
        .ok()?;
    (!decoded.is_empty() && decoded.iter().all(|b| (0x20..0x7f).contains(b))).then_some(decoded)
}

/// `%XX` escapes decoded (URL userinfo, query strings); `None` when there are none.
fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return None;
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut decoded = false;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
            decoded = true;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    if !decoded {
        return None;
    }
    String::from_utf8(out).ok()
}

fn is_plain_placeholder(value: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(value) else {
        return false;
    };
    if let Some(decoded) = percent_decode(s) {
        if !decoded.is_empty() && !decoded.contains('%') && is_plain_placeholder(decoded.as_bytes())
        {
            return true;
        }
    }
    let s = s.trim();
    if s.is_empty() {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if PLACEHOLDER_VALUES.contains(&lower.as_str()) {
        return true;
    }
    if PLACEHOLDER_WORD_SEARCH.is_match(&lower) {
        return true;
    }
    if REFERENCE_PREFIXES
        .iter()
        .chain(PUBLIC_VALUE_PREFIXES)
        .any(|p| lower.starts_with(p))
    {
        return true;
    }
    // Bitnami SealedSecret `encryptedData`: long base64 of a version-2 (`Ag...`) ciphertext.
    if s.len() >= 300
        && s.starts_with("Ag")
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return true;
    }
    if is_reference(s) {
        return true;
    }
    // One repeated character (`aaaaaaaa`, `********`) or a trivial run.
    let first = s.as_bytes()[0];
    if s.bytes().all(|b| b == first) {
        return true;
    }
    // A dummy run behind a real-looking prefix, cut off by a dot: `dt0c01.ABC123`.
    if lower.contains('.')
        && lower
            .split('.')
            .any(|p| is_trivial_sequence(p) || patterned_at_least(p, 6))
    {
        return true;
    }
    // Percent-encoded bytes rather than a typed secret (URL parser test vectors such as
    // `%60%7B%7D`): escapes make up half the value or more.
    let escapes = s
        .as_bytes()
        .windows(3)
        .filter(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
        .count();
    if escapes >= 2 && escapes * 3 * 2 >= s.len() {
        return true;
    }
    // An unsigned JWT (`alg: none`, empty signature): it proves nothing, so it is no secret.
    if lower.starts_with("eyj") && s.ends_with('.') && s.matches('.').count() == 2 {
        return true;
    }
    if is_trivial_sequence(&lower)
        || is_patterned(&lower)
        || is_leet_default(&lower)
        || is_keyboard_mash(&lower)
    {
        return true;
    }
    false
}

/// Typed-by-hand sequences: most characters continue an ascending run of letters or digits
/// that started one to three characters earlier (`abcd1234defg5678`, `a1b2c3d4`,
/// `123456789012345678901234567890`, `AB1C2defGHijkLMNo3PqQRstUvwxyz...`). Random values
/// score about 0.1 (base62) to 0.2 (hex); documentation samples score 0.7 and more.
fn is_patterned(lower: &str) -> bool {
    patterned_at_least(lower, 8)
}

/// [`is_patterned`] for values of `min_len` characters or more.
fn patterned_at_least(lower: &str, min_len: usize) -> bool {
    let b = lower.as_bytes();
    if b.len() < min_len {
        return false;
    }
    let succ = |prev: u8, cur: u8| {
        (prev.is_ascii_digit()
            && cur.is_ascii_digit()
            && (cur == prev + 1 || (prev == b'9' && cur == b'0')))
            || (prev.is_ascii_lowercase() && cur.is_ascii_lowercase() && cur == prev + 1)
    };
    let mut hits = 0usize;
    for i in 1..b.len() {
        if (i.saturating_sub(3)..i).any(|j| succ(b[j], b[i])) {
            hits += 1;
        }
    }
    hits * 10 >= b.len() * 6
}

/// Home-row mashing typed into docs and tests: `sdf0o9823sjdfsdf`, `2kjshdfp92i34asdasd`,
/// `lsdajfh923874`. Random lower-case text has about a third of its letters on the home row;
/// hex is left alone (a, d and f are home-row letters).
fn is_keyboard_mash(lower: &str) -> bool {
    let letters: Vec<u8> = lower.bytes().filter(u8::is_ascii_lowercase).collect();
    // Hex, also behind a short letter prefix (Twilio's `SK` + 32 hex: the `s` and `k` are
    // home-row letters too), has at most two letters past `f`; mashing has more.
    if letters.len() < 6 || letters.iter().filter(|c| **c > b'f').count() < 3 {
        return false;
    }
    let home = letters.iter().filter(|c| b"asdfghjkl".contains(c)).count();
    home * 100 >= letters.len() * 80
}

/// Well-known defaults dressed up with leetspeak and a suffix: `P@55w0rd!`, `Pass@Word1`,
/// `Adm1n123!`, `Ch4ngeM3`, `MyP@ssw0rd2024`.
fn is_leet_default(lower: &str) -> bool {
    if lower.len() > 24 {
        return false;
    }
    let core = lower.trim_end_matches(|c: char| !c.is_ascii_alphabetic());
    if core.is_empty() {
        return false;
    }
    let leet = |c: char| match c {
        '@' | '4' => Some('a'),
        '0' => Some('o'),
        '1' | '!' => Some('i'),
        '3' => Some('e'),
        '5' | '$' => Some('s'),
        '7' => Some('t'),
        c if c.is_ascii_alphabetic() => Some(c),
        _ => None,
    };
    let mapped: String = core.chars().filter_map(leet).collect();
    let letters: String = core.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    let mapped_l = mapped.replace('i', "l");
    [mapped, letters, mapped_l].iter().any(|w| {
        w.len() >= 4
            && (LEET_DEFAULTS.contains(&w.as_str()) || PLACEHOLDER_VALUES.contains(&w.as_str()))
    })
}

/// Default words whose leetspeak variants are dummies, not secrets.
const LEET_DEFAULTS: &[&str] = &[
    "password",
    "passwort",
    "mypassword",
    "changeme",
    "changeit",
    "admin",
    "administrator",
    "welcome",
    "letmein",
    "secret",
    "mysecret",
    "supersecret",
    "test",
    "testing",
    "qwerty",
    "default",
    "example",
    "sample",
];

/// Template expressions and environment/config references: `${X}`, `{{ .Values.x }}`,
/// `<password>`, `%(pw)s`, `$PASSWORD`, `#{x}`, `@{x}`, `%X%`, `[[x]]`, `{x}`.
pub fn is_reference(s: &str) -> bool {
    let b = s.as_bytes();
    let (first, last) = (b[0], b[b.len() - 1]);
    if s.contains("${")
        || s.contains("{{")
        || s.contains("<%")
        || s.contains("#{")
        || s.contains("%(")
        || s.contains("$(")
        || s.contains("@{")
        || s.starts_with("%{")
        || s.starts_with("@(")
        || s.starts_with("%env(")
    {
        return true;
    }
    // Maven resource filtering and Ant tokens: `@db.password@`.
    if first == b'@' && last == b'@' && b.len() > 2 {
        return true;
    }
    // `<token>`, `sk-<your key>`: an angle-bracket slot anywhere in the value.
    if has_angle_slot(b) {
        return true;
    }
    if (first == b'<' && last == b'>')
        || (first == b'{' && last == b'}')
        || (first == b'[' && last == b']')
        || (first == b'%' && last == b'%' && b.len() > 2)
    {
        return true;
    }
    // `$VAR` / `$var_name`: a shell or PHP variable, not a literal.
    if first == b'$'
        && b.len() > 1
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        return true;
    }
    false
}

/// `<` then 2+ letters, digits, `_`, `-`, `.` or spaces, then `>`.
fn has_angle_slot(b: &[u8]) -> bool {
    let mut i = 0;
    while let Some(open) = b[i..].iter().position(|&c| c == b'<') {
        let start = i + open + 1;
        let len = b[start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b' '))
            .count();
        if len >= 2 && b.get(start + len) == Some(&b'>') {
            return true;
        }
        i = start;
    }
    false
}

fn is_trivial_sequence(lower: &str) -> bool {
    const RUNS: &[&str] = &[
        "0123456789",
        "1234567890",
        "abcdefghijklmnopqrstuvwxyz",
        "qwertyuiop",
    ];
    lower.len() >= 6 && RUNS.iter().any(|r| r.contains(lower))
}

#[cfg(test)]
mod tests {
    use super::is_placeholder;

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "changeme",
            "<password>",
            "${DB_PASSWORD}",
            "{{ .Values.password }}",
            "your-api-key-here",
            "xxxxxxxxxxxx",
            "AKIAIOSFODNN7EXAMPLE",
            "********",
            "$PASSWORD",
            "%(password)s",
            "123456789",
            "cGFzc3dvcmQ=",
            "ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)",
            "ENC[AES256_GCM,data:Tr7o=,iv:1=,tag:2=,type:str]",
            "vault:v1:8SDd3WHDOjf7mq69CyCqYjBXAiQQAVZRkFM13ok481zoCmHnSeDX9vyf7w==",
            "{cipher}AQA5kZbuTmhcVxnVDkF0LBf5o1T8Rs8F",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
            "required|min:8|confirmed",
            "yourStrong(!)Password",
            "guest",
            "ATCTT3xFfGN0<token>",
            "sk-<your key>",
            "pass:foo",
            "env:KEY_PASSPHRASE",
            "test123",
            "os.environ/AZURE_API_KEY",
            "abcd1234defg5678",
            "a1b2c3d4567890ab",
            "a123b45c6d78e9f012a34cd5e6a7890b12c3d45e6f78a1b234c56d7e890a1234",
            "123456789012345678901234567890",
            "AB1C2defGHijkLMNo3PqQRstUvwxyzaBCDEfghh4ijklMN5opqrStuVWxyzAbCDEfghIJ",
            "A1b2c3d4",
            "P@55w0rd!",
            "Pass@Word1",
            "Adm1n123!",
            "pass%5B%7F",
            "p%40ss%3Aword",
            "exec:/usr/local/bin/ldap-pass",
            "sdf0o9823sjdfsdf",
            "2kjshdfp92i34asdasd",
            "lsdajfh923874",
            "kkk9d7dh3k39sjv7",
            "changeme.",
            "password\\n",
            "hunter2\\n",
            "(none)",
            "(hidden)",
            "@deploy.password@",
            "%{hiera('db_password')}",
            "%env(DATABASE_PASSWORD)%",
            "@(Model.Password)",
            "%60%7B%7D",
            "%20!%22$%&'()*+,-.%3A%3B%3C%3D%3E%40%5B%5C%5D%5E_%60%7B%7C%7D~",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p} should be a placeholder");
        }
    }

    #[test]
    fn sealed_secret_ciphertexts_are_not_literals() {
        let blob = format!("Ag{}", "BvK3mQ9xZ2pL7wR4".repeat(24));
        assert!(is_placeholder(blob.as_bytes()));
        assert!(!is_placeholder(b"Agile-Team!2024"));
    }

    #[test]
    fn real_values_are_not_placeholders() {
        for p in [
            "hX9$kq2!Lm7@zR4p",
            "Tr0ub4dor&3",
            "ghp_R2d2C3p0bb8ChewieHanLeiaLuke1234",
            "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
            "f798ab4899346a88599180fee9e14fa1",
            "Summer2024!Deploy",
            "Tr0ub4dor&3x",
            "k7Hq2mZx9LpV4wR3",
            // Twilio API key ids: `SK` and 32 hex, whatever the hex.
            "SK24d6593930ad778a9f0d1f6e8332130d",
            "SKfad4d1a2f3a5d6ad7f8a9d0a1f2d3a4f",
            "@Vq7kQ2mLz4xP",
            "Vq7(kQ2mLz4xP",
            "Vq7kQ2mLz4xP*",
            "Vq7%kQ2mLz4xP",
            "Vq7kQ2mLz4xP.",
        ] {
            assert!(
                !is_placeholder(p.as_bytes()),
                "{p} should not be a placeholder"
            );
        }
    }
}
