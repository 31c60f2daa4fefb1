//! Generic rules that understand values: each class of real value the generic rules used to
//! miss, and each kind of clean text they used to report, as files in a temp dir scanned by
//! the real binary. Every value here is our own random string.

mod common;

use common::*;
use std::collections::BTreeMap;
use tempfile::TempDir;

/// Scans `files` (name, text) in one temp dir; returns each file's rule ids.
fn rules_by_file(files: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
    let d = TempDir::new().unwrap();
    for (name, text) in files {
        write(d.path(), name, text);
    }
    let (findings, out) = scan_json(d.path(), &["--exit-zero"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut by_file: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &findings {
        by_file
            .entry(f["path"].as_str().unwrap().to_string())
            .or_default()
            .push(f["rule_id"].as_str().unwrap().to_string());
    }
    by_file
}

/// Every file must be reported by `rule` (and by nothing else).
fn assert_found(cases: &[(&str, &str, &str)]) {
    let files: Vec<(&str, &str)> = cases.iter().map(|(n, t, _)| (*n, *t)).collect();
    let found = rules_by_file(&files);
    let wrong: Vec<String> = cases
        .iter()
        .filter(|(name, _, rule)| found.get(*name) != Some(&vec![rule.to_string()]))
        .map(|(name, _, rule)| format!("{name}: want [{rule}], got {:?}", found.get(*name)))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// No file may be reported.
fn assert_clean(files: &[(&str, &str)]) {
    let found = rules_by_file(files);
    assert!(found.is_empty(), "false alarms: {found:?}");
}

#[test]
fn passwords_with_dots_percent_signs_brackets_at_signs_and_stars_are_found() {
    assert_found(&[
        (
            "dot.py",
            "DB_PASSWORD = \"wrGow.EFkdceI\"\n",
            "password-assignment",
        ),
        (
            "dot.env",
            "DB_PASSWORD=sP8vs.81uDaZY\n",
            "password-in-config",
        ),
        (
            "dot-end.json",
            "{\"password\": \"64Kj9sETUtx7.\"}\n",
            "password-assignment",
        ),
        (
            "dot-start.yml",
            "db:\n  password: .99xGIZtHmvTr\n",
            "password-in-config",
        ),
        (
            "pct.py",
            "password = \"%kSALRcvwPE1A\"\n",
            "password-assignment",
        ),
        (
            "pct.env",
            "SMTP_PASSWORD=R5L5%Yp1VcqAb\n",
            "password-in-config",
        ),
        (
            "at.py",
            "admin_password = \"@hSlRQwjXMgEI\"\n",
            "password-assignment",
        ),
        (
            "at.env",
            "REDIS_PASSWORD=@pYFqO41iYw1N\n",
            "password-in-config",
        ),
        (
            "star.ts",
            "const dbPassword = \"nb2bb5PrCuRP*\";\n",
            "password-assignment",
        ),
        (
            "star.env",
            "MYSQL_PASSWORD=6ikNPgCy6AN5*\n",
            "password-in-config",
        ),
        (
            "paren.py",
            "password = \"(E0PlpmGLH68Y\"\n",
            "password-assignment",
        ),
        (
            "paren.env",
            "PGPASSWORD=WiZQ7KwTX17j(\n",
            "password-in-config",
        ),
    ]);
}

#[test]
fn letters_only_passwords_that_read_as_no_word_are_found() {
    assert_found(&[
        (
            "letters.py",
            "DB_PASSWORD = \"pGedlSRZihPZ\"\n",
            "password-assignment",
        ),
        (
            "letters.env",
            "POSTGRES_PASSWORD=AsUXyrEJmVClMq\n",
            "password-in-config",
        ),
    ]);
}

#[test]
fn placeholders_stay_placeholders_whatever_punctuation_or_escapes_surround_them() {
    assert_clean(&[
        ("a.py", "DB_PASSWORD = \"changeme.\"\n"),
        ("b.env", "DB_PASSWORD=(none)\n"),
        ("c.yml", "password: Passwort.\n"),
        ("d.py", "password = \"@db.password@\"\n"),
        ("e.pp", "password = \"%{hiera('db_password')}\"\n"),
        ("f.yaml", "password: '%env(DATABASE_PASSWORD)%'\n"),
        (
            "netrc_test.py",
            "NETRC = \"machine example.com login user password hunter2\\n\"\n",
        ),
        (
            "netrc2_test.py",
            "write(\"machine api.local login bot password secret\\\\n\")\n",
        ),
        ("g.py", "password = self.getPassword\n"),
        ("h.ts", "  password: PropTypes.string,\n"),
        ("i.env", "DB_PASSWORD=config.db.password\n"),
    ]);
}
