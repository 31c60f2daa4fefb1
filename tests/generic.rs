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

#[test]
fn secret_names_outside_the_keyword_list_are_found() {
    assert_found(&[
        ("hmac.py", "HMAC_KEY = \"nrlRqy09JMrhGkikcwcNsx1G8n9N64tv\"\n", "generic-secret-assignment"),
        ("signing.go", "signingKey := \"z1wRiOsJOC2UzUlapj3osQRyXTLeX5UQ\"\n", "generic-secret-assignment"),
        ("master.yml", "rails:\n  master_key: q2m7AlU6a2cYvIIF7UBfOXzces3iCW8I\n", "generic-secret-in-config"),
        ("session.rb", "config.session_key = 'qdcVYfuMvC804jIXb58CuTcAHVHijsBY'\n", "generic-secret-assignment"),
        ("cipher.js", "const cipherKey = \"jmzH3NIHe9hvdZ88dFAEIIeuwT0n847m\";\n", "generic-secret-assignment"),
        ("cipher.env", "CIPHER_KEY=SmaKrnlOWY3TThkCn5uhmPT8eCtzbC7j\n", "generic-secret-in-config"),
        ("enc.ts", "const encryptionKey = \"fy4FwjlZFA8lxaYBACfYe5iFX5YZxF0c\";\n", "generic-secret-assignment"),
        (
            "Web.config",
            "<appSettings>\n  <add key=\"SecretKeyBase\" value=\"e10d3145b259827a644eabd6767935956f5b7ffca97a554a113a23573a7391ed142ef6454a819847de7e54940703739a3dd4ded1e0a252196f051e6fbc808e08\" />\n</appSettings>\n",
            "xml-key-value-secret",
        ),
        ("settings.py", "PAYMENT_KEY = \"f4O9TBDJTigD3kiMLGnVyWWVYFQNLNAp\"\n", "generic-key-variable"),
    ]);
}

#[test]
fn credential_formats_are_found() {
    assert_found(&[
        ("pgpass", "db.internal:5432:shop:app:YBvNiTqB4Y1Ulo\n", "pgpass-password"),
        (
            "db.py",
            "engine = create_engine(\"mssql+pyodbc://sa:pT1wsIhkLkaczw@sql.internal/shop?driver=ODBC+Driver+18\")\n",
            "url-embedded-credentials",
        ),
        (
            "db2.py",
            "engine = create_engine(\"postgresql+psycopg2://app:6N53DJONnHsC60@db.internal/shop\")\n",
            "postgres-connection-string",
        ),
        (
            "App.config",
            "<appSettings>\n  <add key=\"StripeKey\" value=\"DPNrIayBnHtXcdSuATVABqisO8shNIad\" />\n</appSettings>\n",
            "dotnet-appsettings-key",
        ),
        (
            "SETUP.md",
            "# Setup\n\nThe staging box uses DB_PASSWORD=UWBmGiyxw0GHnz for now; rotate it later.\n",
            "generic-secret-in-prose",
        ),
        ("bot.py", "BOT = \"6528675501:AAEHJO_sA1e2s7ousLTvgHc3Ig-IN5es9zJ\"\n", "telegram-bot-token-unnamed"),
        ("twilio.env", "TWILIO_API_KEY=SK24d6593930ad778a9f0d1f6e8332130d\n", "twilio-api-key"),
    ]);
}

#[test]
fn clean_text_stays_quiet() {
    let sealed = "AgPghBhQMPiTGOQVOHWMIvSBwbnBW2MjKNMmntS/G2PTtYd9ZEoW704P5v4UT7GOu/HHYvb98tjghLek55DlkJ5a2B47mfQnFL7EM0E6uax5qLxa+nomHsz8LFWacrFGMkCx4a06Y/1cSSi4yjooQ45QUKkS3Aka/NUVVgc7AgssSJtWlpr/3ghZubYJP7fxL0bTPcaxzDhosBr/wJtjJDNfCBSLdY995FIP2ENeCadTuZr30n8Dq5f/UhJ7X8+5e2GJADErlDzRDVDhLBYHPx59/Rn3sUj1M54eYGg6qXAwcjybHSiiQLoruuiyWvnfwZXl/uMA+WuWwHaEAB7xMtuLZmFtUpY6jSU8sqcscezTX8R1LbSPjBntvzpPpRJPgNUszyNHxQZcJqwPbjUpKSWV4mSGOs5w/2gs6q==";
    let sealed_secret = format!(
        "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nspec:\n  encryptedData:\n    api_token: {sealed}\n"
    );
    assert_clean(&[
        ("sealed.yaml", sealed_secret.as_str()),
        (
            "docs/settings.rst",
            "For example, in your settings module::\n\n    SECRET_KEY = 'DlohcHK4CDn5TI72'\n",
        ),
        (
            "README.md",
            "Generate your own key with `openssl rand -hex 32`; the one below only shows the shape.\n\n```\nAPI_TOKEN=220Cmtg6sSt8wqIS0H\n```\n",
        ),
        (
            "client.py",
            "def sign(key):\n    \"\"\"Sign the request, e.g. with secret=\"CWjtgxTKukbxYTq\".\"\"\"\n",
        ),
        (
            "0003_token.py",
            "    dependencies = [\n        (\"authtoken\", \"0002_auto_20160226_1747\"),\n    ]\n",
        ),
        ("keys.py", "SIGNING_PUBLIC_KEY = \"MCowBQYDK2VwAyEAq8bUkqLWx3mHd0dK2cnQdVFTKp0bYhE2Y1pW9xZrT5c=\"\n"),
    ]);
}

#[test]
fn a_token_the_docs_repeat_is_their_example_but_a_lone_one_is_reported() {
    let found = rules_by_file(&[
        (
            "docs/quickstart.md",
            "client = Client(api_key=\"jxnyO9pX20WgtnGfUu1iBpFYrJMO\")\n",
        ),
        (
            "docs/reference.rst",
            "    client = Client(api_key=\"jxnyO9pX20WgtnGfUu1iBpFYrJMO\")\n",
        ),
        (
            "docs/ops.md",
            "client = Client(api_key=\"9ewk8wJlWFlkkKJQxK6haCReaNU9\")\n",
        ),
    ]);
    assert_eq!(
        found.keys().collect::<Vec<_>>(),
        vec!["docs/ops.md"],
        "{found:?}"
    );
}
