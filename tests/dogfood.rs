//! credscan on its own repository: clean under the project's
//! `.credscan.toml`, which excludes the fixtures and test code that hold
//! invented credentials. `.ci/run` runs the same scan on the fresh clone.

mod common;

use common::*;

#[test]
fn the_project_scans_clean_under_its_own_config() {
    let root = env!("CARGO_MANIFEST_DIR");
    let (code, stdout, stderr) = run(credscan()
        .current_dir(root)
        .args(["--format", "concise", "."]));
    assert_eq!(code, 0, "credscan . on this repository:\n{stdout}{stderr}");
    assert!(stderr.contains("exit 0 (clean)"), "{stderr}");
    // The exclusions are what makes it clean: without the config the
    // fixtures are reported.
    let (code, _, _) = run(credscan().current_dir(root).args([
        "--config",
        "/dev/null",
        "--format",
        "concise",
        "fixtures",
    ]));
    assert_eq!(code, 1);
}
