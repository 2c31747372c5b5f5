//! The layer order of ARCHITECTURE.md, checked on the source: every path
//! into the crate (`crate::<module>`, or `super::` climbing to the crate
//! root) in a module's non-test code must name a module that module may
//! use. Test code (`tests.rs` files and `#[cfg(test)]` items) may drive
//! any stage. A new top-level module needs a line in `LAYERS`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and the modules its non-test code may
/// use (besides itself). The order is ARCHITECTURE.md's picture, read
/// from the leaf up.
const LAYERS: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("readers", &["model"]),
    ("forms", &["model", "readers"]),
    ("engine", &["model", "readers", "forms"]),
    ("judge", &["model", "readers", "forms", "engine"]),
    // Beside the pipeline, on the model alone.
    ("suppress", &["model"]),
    ("report", &["model"]),
    // Optional online checks of judged findings.
    ("verify", &["model", "readers", "judge"]),
    (
        "input",
        &[
            "model", "readers", "forms", "engine", "judge", "suppress", "report",
        ],
    ),
    // The config file, the command line and the wiring: settings below cli
    // below app.
    (
        "settings",
        &[
            "model", "readers", "forms", "engine", "judge", "suppress", "report", "verify", "input",
        ],
    ),
    (
        "cli",
        &[
            "model", "readers", "forms", "engine", "judge", "suppress", "report", "verify",
            "input", "settings",
        ],
    ),
    (
        "app",
        &[
            "model", "readers", "forms", "engine", "judge", "suppress", "report", "verify",
            "input", "cli", "settings",
        ],
    ),
    // Test helpers (compiled under cfg(test) only): findings to feed the
    // reporters and suppressors.
    ("testing", &["model"]),
];

/// Known breaks, each with what keeps it: `(file, module it uses, why)`.
/// The test fails when one of them is gone, so the list only shrinks.
const KNOWN: &[(&str, &str, &str)] = &[];

/// The `.rs` files under `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The lines of non-test code, with their 1-based numbers: drops
/// `#[cfg(test)]` items (to their closing brace at the attribute's
/// indentation, or their `;`) and plain comment lines.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            let indent = &line[..line.len() - trimmed.len()];
            let close = format!("{indent}}}");
            i += 1;
            // Further attributes of the same item.
            while i < lines.len() && lines[i].trim_start().starts_with("#[") {
                i += 1;
            }
            if i < lines.len() && lines[i].trim_end().ends_with(';') {
                i += 1;
                continue;
            }
            while i < lines.len() && lines[i].trim_end() != close && lines[i] != format!("{close};")
            {
                i += 1;
            }
            i += 1;
            continue;
        }
        if !trimmed.starts_with("//") {
            out.push((i + 1, line));
        }
        i += 1;
    }
    out
}

/// The crate's top-level modules that `line` names, in a file whose module
/// path is `depth` deep (`src/a.rs` is 1, `src/a/b.rs` is 2).
fn named_modules(line: &str, depth: usize) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = Vec::new();
    let bytes = line.as_bytes();
    let boundary = |at: usize| {
        at == 0
            || !(bytes[at - 1].is_ascii_alphanumeric()
                || bytes[at - 1] == b'_'
                || bytes[at - 1] == b':')
    };
    for (at, _) in line.match_indices("crate::") {
        if boundary(at) && !line[..at].ends_with('$') {
            found.push(ident(&line[at + "crate::".len()..]));
        }
    }
    for (at, _) in line.match_indices("super::") {
        if !boundary(at) {
            continue;
        }
        let mut rest = &line[at..];
        let mut ups = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            ups += 1;
            rest = r;
        }
        if ups >= depth {
            found.push(ident(rest));
        }
    }
    found
}

#[test]
fn imports_point_down_the_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let layers: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut breaks = Vec::new();
    let mut known_seen = BTreeSet::new();
    let mut unknown_modules = BTreeSet::new();
    for file in &files {
        let rel = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let inner = file.strip_prefix(&src).unwrap();
        let parts: Vec<String> = inner
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        let top = parts[0].as_str();
        if top == "lib" || top == "main" {
            continue;
        }
        let Some((_, allowed)) = LAYERS.iter().find(|(m, _)| *m == top) else {
            unknown_modules.insert(top.to_string());
            continue;
        };
        if parts.iter().any(|p| p == "tests") {
            continue;
        }
        let text = fs::read_to_string(file).unwrap();
        for (n, line) in code_lines(&text) {
            for used in named_modules(line, parts.len()) {
                if used == top
                    || !layers.contains(used.as_str())
                    || allowed.contains(&used.as_str())
                {
                    continue;
                }
                if KNOWN.iter().any(|(f, m, _)| *f == rel && *m == used) {
                    known_seen.insert((rel.clone(), used));
                    continue;
                }
                breaks.push(format!("{rel}:{n}: {top} uses {used}: {}", line.trim()));
            }
        }
    }
    assert!(
        unknown_modules.is_empty(),
        "top-level modules without a line in LAYERS: {unknown_modules:?}"
    );
    assert!(
        breaks.is_empty(),
        "imports against the layer order of ARCHITECTURE.md:\n{}",
        breaks.join("\n")
    );
    let gone: Vec<_> = KNOWN
        .iter()
        .filter(|(f, m, _)| !known_seen.contains(&(f.to_string(), m.to_string())))
        .collect();
    assert!(
        gone.is_empty(),
        "known breaks that no longer happen; remove them from KNOWN: {gone:?}"
    );
}

#[test]
fn the_checker_sees_paths_and_skips_test_code() {
    let text = "use crate::judge::classify;\n\
                // crate::app in a comment\n\
                fn f() { super::super::input::scan(); }\n\
                #[cfg(test)]\n\
                mod tests {\n    use crate::app;\n}\n\
                #[cfg(test)]\n\
                use crate::cli;\n\
                fn g() -> crate::report::Stats {}\n";
    let found: Vec<String> = code_lines(text)
        .into_iter()
        .flat_map(|(_, l)| named_modules(l, 2))
        .collect();
    assert_eq!(found, ["judge", "input", "report"]);
    // One `super::` from `src/a/b.rs` stays inside `a`.
    assert!(named_modules("use super::engine;", 2).is_empty());
    assert_eq!(named_modules("use super::engine;", 1), ["engine"]);
}
