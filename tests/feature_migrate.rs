//! A build without the `migrate` feature (`cargo test --no-default-features`, run by
//! scripts/test) keeps the subcommand and refuses it in one line that says how to get it,
//! before scanning or contacting anything.
#![cfg(not(feature = "migrate"))]

mod common;

use common::{run, stderr, stdout, write, AWS_KEY_ID};

#[test]
fn migrate_without_the_feature_says_how_to_get_it() {
    let dir = tempfile::TempDir::new().unwrap();
    write(
        dir.path(),
        "settings.py",
        format!("AWS_KEY = \"{AWS_KEY_ID}\"\n"),
    );

    let out = run(dir.path(), &["migrate", ".", "--apply"]);

    assert_eq!(out.status.code(), Some(2), "stderr: {}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "keysweep: error: keysweep was built without the `migrate` feature; rebuild with \
         `cargo install --locked --path . --features migrate`\n"
    );
    assert_eq!(stdout(&out), "", "nothing is scanned or printed");
}
