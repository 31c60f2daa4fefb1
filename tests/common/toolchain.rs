//! The real toolchains the migrate tests check generated code with. A missing toolchain is
//! listed in the test output; under CI=true it fails the test when scripts/test could have
//! installed it (it installs every toolchain these checks use).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The program `name` on PATH (or at an absolute path), if it runs.
pub fn find(name: &str) -> Option<PathBuf> {
    let p = Path::new(name);
    if p.is_absolute() {
        return p.is_file().then(|| p.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|c| c.is_file())
}

/// The tool, or None after saying it is missing; under CI=true a missing tool fails.
pub fn require(name: &str, what: &str, skipped: &mut Vec<String>) -> Option<PathBuf> {
    if let Some(p) = find(name) {
        return Some(p);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(
        !ci,
        "{name} is missing ({what}); scripts/test installs it, and under CI=true a check may not be skipped"
    );
    shown(&format!(
        "SKIPPED: {what}: {name} is not installed (scripts/test installs it)"
    ));
    skipped.push(format!("{what} ({name} missing)"));
    None
}

/// A line on the real stderr: libtest captures `eprintln!` of passing tests, and a skipped
/// check must show in the test output.
pub fn shown(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Java syntax check without the SDK on the class path: javac's parser only (JavacTask.parse).
pub fn java_parse(files: &[PathBuf], dir: &Path) {
    let checker = dir.join("ParseOnly.java");
    std::fs::write(
        &checker,
        r#"import javax.tools.*;
import com.sun.source.util.JavacTask;
public class ParseOnly {
    public static void main(String[] args) throws Exception {
        JavaCompiler c = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> d = new DiagnosticCollector<>();
        StandardJavaFileManager fm = c.getStandardFileManager(d, null, null);
        JavacTask t = (JavacTask) c.getTask(null, fm, d, java.util.List.of("-proc:none"), null, fm.getJavaFileObjects(args));
        t.parse();
        boolean bad = false;
        for (Diagnostic<? extends JavaFileObject> x : d.getDiagnostics()) {
            if (x.getKind() == Diagnostic.Kind.ERROR) { System.err.println(x); bad = true; }
        }
        System.exit(bad ? 1 : 0);
    }
}
"#,
    )
    .unwrap();
    let mut c = Command::new("java");
    c.arg(&checker).args(files);
    super::moto::run_ok(&mut c, "java parse-only check");
}
