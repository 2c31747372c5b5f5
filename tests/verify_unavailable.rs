//! The default build, without the `verify` feature, has no network code:
//! its `--verify` fails with a message that says how to get it.
#![cfg(not(feature = "verify"))]

mod common;

#[test]
fn verify_says_the_feature_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), common::leak_config()).unwrap();
    let (code, stdout, stderr) = common::run(common::credscan().arg("--verify").arg(dir.path()));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("without the `verify` feature"), "{stderr}");
    assert!(stderr.contains("--features verify"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
}
