//! Embeds the built-in rule pack (`patterns/*.toml`) into the binary.
//!
//! The TOML is parsed here, at build time, and embedded as JSON: parsing ~200 KB of TOML on
//! every start cost several milliseconds, which a pre-commit hook pays on every commit. A
//! syntax error in a pattern file fails the build with its file, line and column. The
//! schema itself (unknown fields, types) is checked when the JSON is loaded, by the rule
//! pack tests.
use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("patterns/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut pack = Vec::new();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(f).expect("read pattern file");
        let value: toml::Value = match toml::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                let (line, col) = e.span().map_or((0, 0), |s| {
                    let before = &text[..s.start];
                    (
                        before.matches('\n').count() + 1,
                        before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
                    )
                });
                panic!("patterns/{name}:{line}:{col}: {}", e.message());
            }
        };
        let json = serde_json::to_value(&value).expect("TOML to JSON");
        pack.push(serde_json::json!({ "file": name, "rules": json.get("rules").cloned().unwrap_or_default() }));
    }
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("patterns.json");
    fs::write(&out, serde_json::to_string(&pack).unwrap()).expect("write patterns.json");
}
