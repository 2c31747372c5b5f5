//! Hostile and faulty input through the built binary: crashes contained,
//! secrets never printed.

mod common;

use common::{credscan, json, leak_config_for, run, write};

/// 52 bytes with a 3-byte character at bytes 41-43: it once made the ACR
/// password check slice a `str` off a character boundary and panic.
fn multibyte_password() -> String {
    let mut s = "Zq8vLm2Kp4Rt7Wx".repeat(3);
    s.truncate(41);
    s.push('€');
    s.push_str("Kp4Rt7Wx");
    assert_eq!(s.len(), 52);
    s
}

#[test]
fn multibyte_password_at_acr_offsets_is_reported_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let password = multibyte_password();
    write(
        &dir.path().join("config.json"),
        &leak_config_for("registry.example.test", "deployer", &password),
    );
    let (code, stdout, stderr) = run(credscan().arg(dir.path()).args(["--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let v = json(&stdout);
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{stdout}");
    for out in [&stdout, &stderr] {
        assert!(!out.contains(&password), "secret printed: {out}");
    }
}

/// Debug builds panic on a file holding `CREDSCAN_DEBUG_PANIC_ON`'s bytes:
/// the scan reports that file as an error, keeps the other files, and the
/// panic's message (which quotes the file) is never printed.
#[test]
fn a_panic_in_one_file_is_contained_and_prints_no_content() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "Zq8vLm2Kp4Rt7Wx-panic";
    write(
        &dir.path().join("boom.json"),
        &format!(
            "PANIC-HERE {}",
            leak_config_for("registry.example.test", "deployer", secret)
        ),
    );
    write(
        &dir.path().join("other.json"),
        &leak_config_for("registry.example.test", "deployer", "Zq8vLm2Kp4Rt7Wx-other"),
    );
    let (code, stdout, stderr) = run(credscan()
        .arg(dir.path())
        .env("CREDSCAN_DEBUG_PANIC_ON", "PANIC-HERE")
        .args(["--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("boom.json"), "{stderr}");
    assert!(stderr.contains("internal error"), "{stderr}");
    let v = json(&stdout);
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{stdout}");
    for out in [&stdout, &stderr] {
        assert!(!out.contains(secret), "secret printed: {out}");
        assert!(!out.contains("PANIC-HERE"), "content printed: {out}");
    }

    // Nothing else found: exit 2.
    std::fs::remove_file(dir.path().join("other.json")).unwrap();
    let (code, stdout, stderr) = run(credscan()
        .arg(dir.path())
        .env("CREDSCAN_DEBUG_PANIC_ON", "PANIC-HERE"));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(!stderr.contains(secret), "{stderr}");
}
