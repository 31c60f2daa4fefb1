//! Extra checks a rule can ask for after its regex matched: checksums where a format carries
//! one, structural decoding (JWT), and shape filters that keep generic rules off hashes and ids.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    /// GitHub `gh?_` tokens: the last 6 characters are the base62 CRC32 of the 30 before.
    GithubChecksum,
    /// npm `npm_` tokens: same scheme as GitHub.
    NpmChecksum,
    /// `header.payload.signature` whose header decodes to JSON with an `alg`.
    Jwt,
    /// Rejects canonical UUIDs (8-4-4-4-12 hex): ids, not credentials, in generic contexts.
    NotUuid,
    /// Rejects bare hex digests of 32/40/64/128 chars (git SHAs, md5/sha hashes, lockfiles).
    NotHexDigest,
    /// Rejects values that are a code identifier or expression rather than a literal
    /// (`self.password`, `getPassword()`, `config.db.pass`, `os.environ`).
    NotIdentifier,
    /// Rejects natural-language text (`Enter your password`): several words with spaces.
    NotProse,
    /// Rejects a value made only of letters (a word, not a secret) unless it is long.
    NotWord,
    /// Rejects file paths and plain URLs (`/run/secrets/db`, `./key.json`, `creds.json`,
    /// `prod/app/db`, `https://host/x`): where a secret lives, not the secret.
    NotPath,
    /// HTTP Basic credentials: base64 of printable `user:password` whose password (or, when
    /// empty, whose user: `apikey:`) is not a placeholder.
    BasicAuth,
    /// Rejects secrets published in vendor documentation or built into local emulators
    /// (the Azurite storage account key, jwt.io's sample token): well known, never live.
    NotPublicExample,
    /// Rejects values that say what they stand for (`test_password`, `refresh-token-value`,
    /// `my-jwt-secret`, base64 of `a secret`): dummies typed by people, not generated secrets.
    NotSelfDescribing,
    /// Cisco type 7 passwords: a two-digit offset (0-15) into Cisco's fixed key, then hex
    /// bytes that XOR with the key to printable text. Random hex almost never decodes so.
    CiscoType7,
}

impl Validator {
    pub fn check(self, secret: &[u8]) -> bool {
        match self {
            Validator::GithubChecksum => base62_crc32_ok(secret, 4),
            Validator::NpmChecksum => base62_crc32_ok(secret, 4),
            Validator::Jwt => jwt_ok(secret),
            Validator::NotUuid => !is_uuid(secret),
            Validator::NotHexDigest => !is_hex_digest(secret),
            Validator::NotIdentifier => !is_identifier_expr(secret),
            Validator::NotProse => !is_prose(secret),
            Validator::NotWord => !is_word(secret),
            Validator::NotPath => !is_path(secret),
            Validator::BasicAuth => basic_auth_ok(secret),
            Validator::NotPublicExample => !is_public_example(secret),
            Validator::NotSelfDescribing => !is_self_describing(secret),
            Validator::CiscoType7 => cisco_type7_ok(secret),
        }
    }
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Base62 encoding, left-padded with '0' to `width`.
pub fn base62(mut n: u32, width: usize) -> String {
    let mut out = Vec::new();
    while n > 0 {
        out.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

/// `prefix_len` bytes of prefix, then the random part, then 6 checksum characters.
fn base62_crc32_ok(token: &[u8], prefix_len: usize) -> bool {
    if token.len() < prefix_len + 7 {
        return false;
    }
    let body = &token[prefix_len..];
    let (random, sum) = body.split_at(body.len() - 6);
    base62(crc32fast::hash(random), 6).as_bytes() == sum
}

/// The XOR key of Cisco IOS `password 7` obfuscation (public since the 1990s).
const CISCO_TYPE7_KEY: &[u8] = b"dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87";

fn cisco_type7_ok(s: &[u8]) -> bool {
    if s.len() < 4 || !s.len().is_multiple_of(2) || !s[..2].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let offset = usize::from(s[0] - b'0') * 10 + usize::from(s[1] - b'0');
    if offset > 15 {
        return false;
    }
    let hex = |b: u8| (b as char).to_digit(16);
    s[2..].chunks(2).enumerate().all(|(i, pair)| {
        let (Some(hi), Some(lo)) = (hex(pair[0]), hex(pair[1])) else {
            return false;
        };
        let plain = (hi * 16 + lo) as u8 ^ CISCO_TYPE7_KEY[(offset + i) % CISCO_TYPE7_KEY.len()];
        (0x20..=0x7e).contains(&plain)
    })
}

fn jwt_ok(token: &[u8]) -> bool {
    let mut parts = token.split(|&b| b == b'.');
    let Some(header) = parts.next() else {
        return false;
    };
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let trimmed: Vec<u8> = header.iter().copied().filter(|&b| b != b'=').collect();
    let Ok(decoded) = engine.decode(trimmed) else {
        return false;
    };
    match serde_json::from_slice::<serde_json::Value>(&decoded) {
        Ok(serde_json::Value::Object(map)) => map.contains_key("alg") || map.contains_key("typ"),
        _ => false,
    }
}

fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn is_hex_digest(s: &[u8]) -> bool {
    let body = s
        .strip_prefix(b"sha1:")
        .or_else(|| s.strip_prefix(b"sha256:"))
        .or_else(|| s.strip_prefix(b"md5:"))
        .unwrap_or(s);
    matches!(body.len(), 32 | 40 | 64 | 128) && body.iter().all(|b| b.is_ascii_hexdigit())
}

fn is_identifier_expr(s: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(s) else {
        return false;
    };
    // An argument or element cut off by the regex: `encryption_key=TEST_KEY1)` in a call,
    // `'PrivateKey': private_key}`, `x = config[`: judge the name without the closer.
    let trimmed = s.trim_end_matches([')', ']', '}', ',', ';', '[', '(']);
    if trimmed.len() != s.len() && !trimmed.is_empty() && is_identifier_expr(trimmed.as_bytes()) {
        return true;
    }
    // A C-style cast of an expression: `(ULONG)requested`, `(size_t)len`.
    if let Some(rest) = s.strip_prefix('(') {
        if let Some((ty, expr)) = rest.split_once(')') {
            // Type names are one case (`ULONG`, `size_t`, `char *`), and so is the operand.
            let one_case = |t: &str, extra: &[u8]| {
                !t.is_empty()
                    && t.as_bytes()[0].is_ascii_alphabetic()
                    && (t.bytes().all(|b| !b.is_ascii_lowercase())
                        || t.bytes().all(|b| !b.is_ascii_uppercase()))
                    && t.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || extra.contains(&b))
            };
            if one_case(ty, b" *") && (one_case(expr, b"") || is_identifier_expr(expr.as_bytes())) {
                return true;
            }
        }
    }
    // A command-line flag: `--oidc-service-account-email`.
    if s.len() > 3
        && s.starts_with("--")
        && s[2..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return true;
    }
    // Generated snake_case names with numbers: Django migrations (`0002_auto_20160226_1747`,
    // `0012_alter_user_first_name_max_length`), next to a `token` app or field name.
    if s.matches('_').count() >= 2
        && s.split('_').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && s.split('_')
            .any(|p| p.len() >= 3 && p.bytes().all(|b| b.is_ascii_lowercase()))
    {
        return true;
    }
    // `SCREAMING_CASE` constants with digits: `TEST_ENCRYPTION_KEY1`, `TEST_DATA_BASE64`.
    if is_constant_name(s) {
        return true;
    }
    // Calls and index expressions.
    if s.ends_with(')') && s.contains('(') || s.ends_with(']') && s.contains('[') {
        return true;
    }
    // Member access after an index: `groups[-1].name`, `resp["items"][0].id`,
    // `StreamDescription.Shards[-1].ShardId`.
    if s.contains('[')
        && s.contains("].")
        && (s.as_bytes()[0].is_ascii_alphabetic() || s.as_bytes()[0] == b'_')
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b'.' | b'[' | b']' | b'-' | b'"' | b'\'')
        })
    {
        return true;
    }
    // CamelCase names made only of letters: `ExclusiveStartBackupArn`, `LastEvaluatedKey`
    // (API field names in service models, not values).
    if is_camel_case_name(s) {
        return true;
    }
    // Dotted member paths of identifiers: `self.password`, `config.db.pass`. Each part reads
    // as a name (`db2`, `getPassword`, `MAX_LEN`); a generated password with a dot in it
    // (`Xk9q.Lm2Zr`) has parts that do not.
    let dotted = s.contains('.')
        && s.split('.').all(is_name_part)
        && (s.split('.').any(|p| p.bytes().any(|b| b.is_ascii_lowercase()))
            || s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_' || b == b'.'))
        // A JWT (`eyJhbGciOi...eyJzdWIi...sig`) has the same shape; its long, mixed-case,
        // digit-bearing parts are not identifiers.
        && !s.split('.').any(looks_random);
    if dotted {
        return true;
    }
    // `snake_case`/`SCREAMING_CASE` env names and `camelCase` identifiers with no digits
    // are names more often than secrets.
    let ident = s.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_');
    ident && (s.contains('_') && s.len() < 64)
}

/// One part of a dotted name: an identifier whose digits, if any, come at the end (`db2`,
/// `v1`), or a long one that switches case and digits rarely (`MLKEM768X25519PrivateKey`).
/// Parts of a generated password with a dot in it (`Xk9q.Lm2Zr`) are neither.
fn is_name_part(part: &str) -> bool {
    let b = part.as_bytes();
    if b.is_empty()
        || !(b[0].is_ascii_alphabetic() || b[0] == b'_')
        || !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        return false;
    }
    let letters = part.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits_at_end = !letters.bytes().any(|c| c.is_ascii_digit());
    let l = letters.as_bytes();
    (digits_at_end && !is_random_letters(l) && !flips_case_like_noise(l))
        || (part.len() >= 12 && !looks_random(part))
}

/// `UPPER_CASE_WITH_DIGITS2`: at least two underscore-separated parts, two of them words.
fn is_constant_name(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 6 || !b[0].is_ascii_uppercase() || !s.contains('_') {
        return false;
    }
    if !b
        .iter()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
    {
        return false;
    }
    let parts: Vec<&str> = s.split('_').collect();
    !parts.iter().any(|p| p.is_empty())
        && parts
            .iter()
            .filter(|p| p.len() >= 2 && p.bytes().filter(u8::is_ascii_uppercase).count() >= 2)
            .count()
            >= 2
}

/// A long run mixing upper case, lower case and digits that switches between them often:
/// random, not a name (`MLKEM768X25519PrivateKey` switches rarely and is a name).
fn looks_random(part: &str) -> bool {
    let class = |b: u8| {
        if b.is_ascii_digit() {
            0
        } else if b.is_ascii_uppercase() {
            1
        } else if b.is_ascii_lowercase() {
            2
        } else {
            3
        }
    };
    let b = part.as_bytes();
    let switches = b.windows(2).filter(|w| class(w[0]) != class(w[1])).count();
    part.len() >= 16
        && b.iter().any(|b| b.is_ascii_digit())
        && b.iter().any(|b| b.is_ascii_uppercase())
        && b.iter().any(|b| b.is_ascii_lowercase())
        && switches * 10 >= part.len() * 4
}

/// `ExclusiveStartKey`, `nextPartNumberMarker`: letters only, at least two words, every
/// capital followed by a lower-case letter.
fn is_camel_case_name(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 6
        || b.len() > 60
        || !b.iter().all(|c| c.is_ascii_alphabetic())
        || is_random_letters(b)
    {
        return false;
    }
    let mut words = 0;
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_uppercase() {
            if !b.get(i + 1).is_some_and(u8::is_ascii_lowercase) {
                return false;
            }
            words += 1;
        }
    }
    words >= 2 || (words == 1 && b[0].is_ascii_lowercase())
}

fn is_prose(s: &[u8]) -> bool {
    let spaces = s.iter().filter(|&&b| b == b' ').count();
    spaces >= 2 || (spaces == 1 && s.iter().all(|b| b.is_ascii_alphabetic() || *b == b' '))
}

/// Publicly documented credentials that are not placeholders by their look.
const PUBLIC_EXAMPLES: &[&[u8]] = &[
    // Azurite / Azure Storage Emulator key of `devstoreaccount1`.
    b"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    // Signature part of the HS256 sample token shown on jwt.io and in countless tutorials.
    b"SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    // Signature of PyJWT's README token (`{"some": "payload"}` signed with "secret").
    b"4twFt5NiznN84AWoo1d7KO1T_yoc0Z6XOpOVswacPZg",
    // OAuth 2.0 (RFC 6749/6750) and OAuth 1.0 (RFC 5849) example tokens and client
    // credentials, copied into countless libraries and docs.
    b"2YotnFZFEjr1zCsicMWpAA",
    b"tGzv3JOkF0XG5Qx2TlKWIA",
    b"czZCaGRSa3F0MzpnWDFmQmF0M2JW",
    b"mF_9.B5f-4.1JqM",
    b"ad180jjd733klru7",
    b"h480djs93hd8",
    // Azure Cosmos DB emulator key: the same in every local emulator install.
    b"C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==",
];

fn is_public_example(s: &[u8]) -> bool {
    PUBLIC_EXAMPLES
        .iter()
        .any(|p| memchr::memmem::find(s, p).is_some())
}

/// Words that a generated secret does not contain but a hand-written dummy usually does.
const SELF_DESCRIBING_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "credential",
];

fn is_self_describing(s: &[u8]) -> bool {
    let names_itself = |v: &[u8]| {
        let lower = v.to_ascii_lowercase();
        SELF_DESCRIBING_WORDS
            .iter()
            .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
    };
    names_itself(s)
        || crate::rules::placeholder::decode_printable_base64(s).is_some_and(|d| names_itself(&d))
}

/// A word or a few, not a secret: letters (and `-`, spaces) only, shorter than 24, judged
/// without the punctuation around it (`Passwort.`). Letters that do not read as words are
/// kept: a generated letters-only password (`qXvTmRkLbZwH`) is a secret in a password context.
fn is_word(s: &[u8]) -> bool {
    let s = crate::rules::placeholder::core_of(s);
    s.len() < 24
        && s.iter()
            .all(|b| b.is_ascii_alphabetic() || *b == b'-' || *b == b' ')
        && !is_random_letters(s)
}

/// Letters that no language spells: mixed case that switches within short runs
/// (`qXvTmRkLbZw`), or long runs without vowels (`kqzvmtrbxlwp`). Words, names and
/// identifiers (`Passwort`, `ExclusiveStartKey`, `hunter`, `strengths`) are not.
fn is_random_letters(s: &[u8]) -> bool {
    if s.len() < 8 || !s.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let vowel = |b: &u8| b"aeiouyAEIOUY".contains(b);
    // Runs of one case: `qXvTm` is q, X, v, T, m.
    let runs = 1 + s
        .windows(2)
        .filter(|w| w[0].is_ascii_uppercase() != w[1].is_ascii_uppercase())
        .count();
    let short_case_runs = runs >= 5 && s.len() * 10 <= runs * 25;
    let vowels = s.iter().filter(|b| vowel(b)).count();
    let mut longest_consonants = 0;
    let mut run = 0;
    for b in s {
        run = if vowel(b) { 0 } else { run + 1 };
        longest_consonants = longest_consonants.max(run);
    }
    let unpronounceable = longest_consonants >= 6
        || (s.len() >= 10 && vowels * 5 < s.len() && longest_consonants >= 5);
    short_case_runs || unpronounceable
}

/// Letters whose case flips the way noise does, not names: a lower-case letter alone between
/// capitals (`xIQjH`, `RnDPS`), or one capital closing a lower-case run (`LsrqL`). Names
/// keep lower-case runs of two or more after a capital (`PropTypes`, `getURL`, `iOS`).
fn flips_case_like_noise(letters: &[u8]) -> bool {
    if letters.len() < 4 {
        return false;
    }
    let mut runs: Vec<(bool, usize)> = Vec::new();
    for &c in letters {
        let upper = c.is_ascii_uppercase();
        match runs.last_mut() {
            Some((u, n)) if *u == upper => *n += 1,
            _ => runs.push((upper, 1)),
        }
    }
    let lone_lower = runs.iter().skip(1).any(|&(upper, n)| !upper && n == 1);
    let lone_closing_capital = runs.len() >= 2 && runs[runs.len() - 1] == (true, 1);
    lone_lower || lone_closing_capital
}

/// Extensions of files that hold secrets or config; a value ending in one names a file.
const FILE_EXTENSIONS: &[&str] = &[
    ".json",
    ".pem",
    ".key",
    ".p12",
    ".pfx",
    ".jks",
    ".keystore",
    ".txt",
    ".yaml",
    ".yml",
    ".crt",
    ".cer",
    ".der",
    ".env",
    ".ppk",
    ".pub",
    ".gpg",
    ".asc",
    ".cfg",
    ".conf",
    ".ini",
    ".xml",
    ".properties",
    ".toml",
    ".secret",
    ".enc",
];

fn is_path(s: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(s) else {
        return false;
    };
    let lower = s.to_ascii_lowercase();
    // A dotfile's name: `.pgpass`, `.env.local`, `.docker/config.json`.
    if s.len() > 1
        && s.starts_with('.')
        && s[1..]
            .bytes()
            .all(|c| c.is_ascii_lowercase() || matches!(c, b'.' | b'-' | b'_' | b'/'))
    {
        return true;
    }
    if ["/", "./", "../", "~/", "\\\\", "file:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return true;
    }
    let b = lower.as_bytes();
    if b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
    {
        return true;
    }
    if (lower.starts_with("http://") || lower.starts_with("https://")) && !lower.contains('@') {
        return true;
    }
    if FILE_EXTENSIONS
        .iter()
        .any(|e| lower.ends_with(e) && lower.len() > e.len())
    {
        return true;
    }
    // Host names (`sql-component.googleapis.com`) and lower-case slugs with a path or dot
    // (`auth-request-type/at`): where something lives or what it is called.
    let seps = s
        .bytes()
        .filter(|c| matches!(c, b'/' | b'.' | b'-' | b'_'))
        .count();
    if seps >= 2
        && (s.contains('/') || s.contains('.'))
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || matches!(c, b'/' | b'.' | b'-' | b'_'))
    {
        return true;
    }
    if let Some((_, tld)) = s.rsplit_once('.') {
        if (2..=12).contains(&tld.len())
            && tld.bytes().all(|c| c.is_ascii_lowercase())
            && s.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-')
            && s.split('.').count() >= 3
        {
            return true;
        }
    }
    // Kebab-case names of three or more words: `server-side-encryption-header`.
    if s.matches('-').count() >= 2
        && s.split('-')
            .all(|w| w.len() >= 2 && w.bytes().all(|c| c.is_ascii_lowercase()))
    {
        return true;
    }
    // `prod/app/db`, `kv/data/service`: lower-case segments separated by slashes.
    s.matches('/').count() >= 2
        && s.split('/').all(|seg| {
            seg.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
        })
}

fn basic_auth_ok(s: &[u8]) -> bool {
    let trimmed: Vec<u8> = s.iter().copied().filter(|&b| b != b'=').collect();
    let Ok(decoded) = base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed) else {
        return false;
    };
    if decoded.is_empty() || !decoded.iter().all(|b| (0x20..0x7f).contains(b)) {
        return false;
    }
    let Some(colon) = decoded.iter().position(|&b| b == b':') else {
        return false;
    };
    let (user, pass) = (&decoded[..colon], &decoded[colon + 1..]);
    let cred = if pass.is_empty() { user } else { pass };
    cred.len() >= 4 && !crate::rules::placeholder::is_placeholder(cred) && !is_self_describing(cred)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github_token(prefix: &str, random: &str) -> String {
        format!(
            "{prefix}{random}{}",
            base62(crc32fast::hash(random.as_bytes()), 6)
        )
    }

    #[test]
    fn github_checksum_accepts_valid_and_rejects_tampered() {
        let t = github_token("ghp_", "R2d2C3p0bb8ChewieHanLeiaLuke12");
        assert!(Validator::GithubChecksum.check(t.as_bytes()));
        let mut bad = t.into_bytes();
        bad[10] = if bad[10] == b'x' { b'y' } else { b'x' };
        assert!(!Validator::GithubChecksum.check(&bad));
    }

    /// Cisco type 7 encoding, the inverse of the validator's decoding.
    fn cisco_type7(offset: usize, plain: &str) -> String {
        let mut out = format!("{offset:02}");
        for (i, b) in plain.bytes().enumerate() {
            let k = CISCO_TYPE7_KEY[(offset + i) % CISCO_TYPE7_KEY.len()];
            out.push_str(&format!("{:02X}", b ^ k));
        }
        out
    }

    #[test]
    fn cisco_type7_accepts_encoded_text_and_rejects_random_hex() {
        for offset in [0, 7, 15] {
            let enc = cisco_type7(offset, "Rtr!Adm1n-2024");
            assert!(Validator::CiscoType7.check(enc.as_bytes()), "{enc}");
        }
        // Offsets above 15, odd lengths and bytes that decode to control characters.
        assert!(!Validator::CiscoType7.check(cisco_type7(16, "Rtr!Adm1n").as_bytes()));
        assert!(!Validator::CiscoType7.check(b"0822455D0A1"));
        assert!(!Validator::CiscoType7.check(b"07FFFFFFFFFFFF"));
        assert!(!Validator::CiscoType7.check(b"07E3B1C4D9F0A2"));
    }

    #[test]
    fn jwt_header_must_decode() {
        let good = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0In0.abc";
        assert!(Validator::Jwt.check(good));
        assert!(!Validator::Jwt.check(b"eyJub3Rqc29u.eyJ.abc"));
    }

    #[test]
    fn shape_filters() {
        assert!(!Validator::NotUuid.check(b"550e8400-e29b-41d4-a716-446655440000"));
        assert!(!Validator::NotHexDigest.check(b"da39a3ee5e6b4b0d3255bfef95601890afd80709"));
        assert!(!Validator::NotIdentifier.check(b"self.password"));
        assert!(!Validator::NotIdentifier.check(b"getPassword()"));
        assert!(Validator::NotIdentifier.check(b"hX9kq2Lm7zR4p"));
        assert!(!Validator::NotIdentifier.check(b"config.db.password"));
        assert!(!Validator::NotIdentifier.check(b"_ffi.NULL"));
        assert!(!Validator::NotIdentifier.check(b"self._token"));
        assert!(Validator::NotIdentifier.check(
            b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJidWlsZC1ib3QifQ.k2mZx7LpV9wR3tY6uI8oP1aSdFgHjKlZ"
        ));
        assert!(!Validator::NotProse.check(b"Enter your password"));
        // A generated password with a dot is no member path; letters that read as no word
        // are no word.
        for v in [
            "Xk9q.Lm2Zr4",
            "hT4w.9kQ2mZx",
            "qXvTmRkLbZwH",
            "kqzvmtrbxlwp",
            "xIQjH.KAwhl",
            "jPhnCiNaTy",
            "LsrqL.Bvzwn",
        ] {
            assert!(Validator::NotIdentifier.check(v.as_bytes()), "{v}");
            assert!(Validator::NotWord.check(v.as_bytes()), "{v}");
        }
        for w in [
            "Passwort",
            "hunter",
            "strengths",
            "Password.",
            "ChangePassword",
        ] {
            assert!(!Validator::NotWord.check(w.as_bytes()), "{w}");
        }
        assert!(!Validator::NotPath.check(b".pgpass"));
        for name in [
            "PropTypes.string",
            "_PrimitiveType.ValueType",
            "self.getURL",
            "app.iOS",
        ] {
            assert!(!Validator::NotIdentifier.check(name.as_bytes()), "{name}");
        }
        for expr in [
            "TEST_ENCRYPTION_KEY1)",
            "TEST_DATA_BASE64",
            "private_key}",
            "azuread_config[",
            "--oidc-service-account-email",
            "HEADER.SIMULATED_JWT_PAYLOAD.SIGNATURE",
            "gs_external_account_authorized_user_file",
            "stacks_resp[-1].stack_id",
            "groups[-1].name",
            "StreamDescription.Shards[-1].ShardId",
            "rust_openssl.hpke.MLKEM768X25519PrivateKey",
            "_PrimitiveType.ValueType",
            "ExclusiveStartBackupArn",
            "LastEvaluatedKey",
            "0002_auto_20160226_1747",
            "0012_alter_user_first_name_max_length",
            "(ULONG)requested",
        ] {
            assert!(!Validator::NotIdentifier.check(expr.as_bytes()), "{expr}");
        }
        for v in [
            "k7Hq2mZx9LpV4wR3tY6u",
            "aB3dE5fG7hJ9kL1mN3pQ5r",
            "kQWmzXpLRtvBnHsY",
        ] {
            assert!(Validator::NotIdentifier.check(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn paths_and_urls_are_not_secrets() {
        for p in [
            "/run/secrets/db_password",
            "./config/key.json",
            "~/.ssh/id_rsa",
            "C:\\keys\\prod.pfx",
            "service-account.json",
            "prod/myapp/db",
            "https://vault.internal/v1/secret",
        ] {
            assert!(!Validator::NotPath.check(p.as_bytes()), "{p} is a path");
        }
        for p in [
            "sql-component.googleapis.com",
            "auth-request-type/at",
            "server-side-encryption-header",
        ] {
            assert!(!Validator::NotPath.check(p.as_bytes()), "{p} is a name");
        }
        for s in [
            "aB3/xY9+Qw7/Lm2=",
            "hX9$kq2!Lm7@zR4p",
            "s3cr3t/2024",
            "correct-h0rse-battery",
        ] {
            assert!(Validator::NotPath.check(s.as_bytes()), "{s} is not a path");
        }
    }

    #[test]
    fn self_describing_values_are_dummies() {
        for v in [
            "test_password",
            "refresh-token-value",
            "NEW!!secret-access-token",
            "YSBzZWNyZXQ=",
        ] {
            assert!(!Validator::NotSelfDescribing.check(v.as_bytes()), "{v}");
        }
        for v in ["Xk9#mQ2v!pLz", "k7Hq2mZx9LpV4wR3tY6u", "WGszIXBROXpMbTd3"] {
            assert!(Validator::NotSelfDescribing.check(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn basic_auth_decodes_and_rejects_placeholders() {
        // deploy:Xk3!pQ9z
        assert!(Validator::BasicAuth.check(b"ZGVwbG95OlhrMyFwUTl6"));
        // sk_live_51HxQkLz9pQ2w: (key as user, empty password)
        assert!(Validator::BasicAuth.check(b"c2tfbGl2ZV81MUh4UWtMejlwUTJ3Og=="));
        // username:password
        assert!(!Validator::BasicAuth.check(b"dXNlcm5hbWU6cGFzc3dvcmQ="));
        // no colon, not base64, binary
        assert!(!Validator::BasicAuth.check(b"aGVsbG8gd29ybGQ="));
        assert!(!Validator::BasicAuth.check(b"not base64!"));
        assert!(!Validator::BasicAuth.check(b"/w8A/w8A"));
    }

    #[test]
    fn public_examples_are_rejected() {
        let jwt_io = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        assert!(!Validator::NotPublicExample.check(jwt_io));
        let other = b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.q9Xv2LmZ7kR4pT1wN8sY3bHcJ6dF0gAe";
        assert!(Validator::NotPublicExample.check(other));
    }
}
