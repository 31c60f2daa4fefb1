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
    "....",
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
];

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
];

/// True when `value` is a placeholder, a template/env reference or an obvious dummy.
pub fn is_placeholder(value: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(value) else {
        return false;
    };
    let s = s.trim();
    if s.is_empty() {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if PLACEHOLDER_VALUES.contains(&lower.as_str()) {
        return true;
    }
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
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
    if is_trivial_sequence(&lower) {
        return true;
    }
    false
}

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
    {
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
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p} should be a placeholder");
        }
    }

    #[test]
    fn real_values_are_not_placeholders() {
        for p in [
            "hX9$kq2!Lm7@zR4p",
            "Tr0ub4dor&3",
            "ghp_R2d2C3p0bb8ChewieHanLeiaLuke1234",
        ] {
            assert!(
                !is_placeholder(p.as_bytes()),
                "{p} should not be a placeholder"
            );
        }
    }
}
