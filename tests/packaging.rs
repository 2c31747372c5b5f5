//! The Python packaging stays in step with Cargo.toml: the wheel
//! (`packaging/wheel/pyproject.toml`, maturin `bin` bindings) and the
//! pre-commit shim (`pyproject.toml`) that pins it. The wheel itself is
//! built and installed through pre-commit in `tests/precommit.rs`.

use std::path::Path;

fn toml(path: &str) -> toml::Table {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.parse()
        .unwrap_or_else(|e| panic!("{path} is not TOML: {e}"))
}

#[test]
fn the_wheel_and_the_hook_shim_follow_the_cargo_version() {
    let version = env!("CARGO_PKG_VERSION");
    let wheel = toml("packaging/wheel/pyproject.toml");
    assert_eq!(
        wheel["build-system"]["build-backend"].as_str(),
        Some("maturin")
    );
    assert_eq!(wheel["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
    assert_eq!(
        wheel["tool"]["maturin"]["manifest-path"].as_str(),
        Some("../../Cargo.toml")
    );
    assert_eq!(wheel["project"]["name"].as_str(), Some("docker-credscan"));
    let dynamic = wheel["project"]["dynamic"].as_array().unwrap();
    assert!(
        dynamic.iter().any(|v| v.as_str() == Some("version")),
        "the wheel takes its version from Cargo.toml"
    );

    let shim = toml("pyproject.toml");
    assert_eq!(shim["project"]["version"].as_str(), Some(version));
    let deps: Vec<&str> = shim["project"]["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d.as_str())
        .collect();
    assert_eq!(deps, [format!("docker-credscan=={version}")]);
}

#[test]
fn every_hook_scans_files_serially() {
    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    for (id, language) in [
        ("credscan", "rust"),
        ("credscan-system", "system"),
        ("credscan-wheel", "python"),
        ("credscan-pre-push-wheel", "python"),
    ] {
        let start = hooks
            .find(&format!("- id: {id}\n"))
            .unwrap_or_else(|| panic!("no hook {id}"));
        let entry = &hooks[start..];
        let entry = &entry[..entry[2..].find("\n- id:").map_or(entry.len(), |i| i + 2)];
        assert!(
            entry.contains(&format!("language: {language}\n")),
            "{entry}"
        );
        let command = if id.contains("pre-push") {
            "credscan --pre-push"
        } else {
            "credscan"
        };
        assert!(entry.contains(&format!("entry: {command}\n")), "{entry}");
        assert!(entry.contains("require_serial: true\n"), "{entry}");
        let pass = if id.contains("pre-push") {
            "false"
        } else {
            "true"
        };
        assert!(
            entry.contains(&format!("pass_filenames: {pass}\n")),
            "{entry}"
        );
    }
}
