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

/// Every line of every text output, checked for raw control characters
/// and for lines a CI runner would read as workflow commands (only
/// credscan's own `::error file=` annotations, `annotations` of them, may
/// start with `::`).
fn assert_no_injection_but(out: &str, annotations: usize) {
    let mut commands = 0;
    for (i, line) in out.split('\n').enumerate() {
        assert!(
            !line.chars().any(|c| c.is_control() && c != '\t'),
            "raw control character on line {i}: {line:?}"
        );
        if line.trim_start().starts_with("::") {
            assert!(line.starts_with("::error file="), "forged: {line:?}");
            commands += 1;
        }
    }
    assert_eq!(commands, annotations, "{out}");
}

fn assert_no_injection(out: &str) {
    assert_no_injection_but(out, 0);
}

#[test]
fn registry_keys_and_lines_cannot_inject_into_terminals_or_logs() {
    let dir = tempfile::tempdir().unwrap();
    // JSON escapes: the decoded keys hold ESC, BEL, CR, LF and forged
    // workflow commands.
    let auth = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        "deployer:Zq8vLm2Kp4Rt7Wx-inject",
    );
    write(
        &dir.path().join("config.json"),
        &format!(
            "{{\"auths\": {{\"registry.example.test\\u001b]0;owned\\u0007\\u001b[2J\\n::error file=x::forged\": {{\"auth\": \"{auth}\"}}}}}}\n"
        ),
    );
    write(
        &dir.path().join("other.json"),
        "{\"auths\": {\"registry.example.test\\n::error::x\\r\\n  ::add-mask::x\": {\"username\": \"deployer\", \"password\": \"Zq8vLm2Kp4Rt7Wx-inject2\"}}}\n",
    );
    for (format, annotations) in [("human", 0), ("github", 2)] {
        let (code, stdout, stderr) = run(credscan()
            .arg(dir.path())
            .args(["--color", "never", "--format", format]));
        assert_eq!(code, 1, "{stdout}{stderr}");
        assert_no_injection_but(&stdout, annotations);
        assert_no_injection(&stderr);
    }
    let (_, stdout, _) = run(credscan()
        .arg(dir.path())
        .args(["--color", "never", "--reveal"]));
    assert_no_injection(&stdout);
    assert!(stdout.contains("\\033]0;owned\\a"), "{stdout}");
    assert!(stdout.contains("\\r\\n  ::add-mask::x"), "{stdout}");
}

#[cfg(unix)]
#[test]
fn odd_file_names_are_quoted_not_replaced() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let leak = leak_config_for("registry.example.test", "deployer", "Zq8vLm2Kp4Rt7Wx-names");
    let names: [&[u8]; 3] = [b"back\\slash.json", b"caf\xe9.json", b"new\nline\x1b.json"];
    for n in names {
        std::fs::write(dir.path().join(std::ffi::OsStr::from_bytes(n)), &leak).unwrap();
    }
    let (code, stdout, stderr) = run(credscan()
        .current_dir(dir.path())
        .args(["--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let v = json(&stdout);
    let mut paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        // JSON carries the real name (JSON escapes it); only a name that
        // is not UTF-8 is quoted, as git quotes it.
        [
            r#""caf\351.json""#,
            r"back\slash.json",
            "new\nline\u{1b}.json"
        ]
    );
    let (_, stdout, stderr) = run(credscan()
        .current_dir(dir.path())
        .args(["--color", "never"]));
    assert_no_injection(&stdout);
    assert_no_injection(&stderr);
    assert!(stdout.contains(r#""caf\351.json""#), "{stdout}");
    assert!(stdout.contains(r"back\slash.json"), "{stdout}");
    assert!(stdout.contains(r"new\nline\033.json"), "{stdout}");
}

/// A visibly invented GitHub classic token.
const GHP: &str = "ghp_Zq8vLm2Kp4Rt7WxZq8vLm2Kp4Rt7WxAbCd12";

fn auth_config(pair: &str) -> String {
    let auth = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pair);
    format!("{{\"auths\": {{\"ghcr.io\": {{\"auth\": \"{auth}\"}}}}}}\n")
}

fn all_formats(dir: &std::path::Path) -> Vec<(String, String)> {
    ["human", "json", "jsonl", "sarif", "github"]
        .iter()
        .map(|f| {
            let (code, stdout, stderr) = run(credscan()
                .arg(dir)
                .args(["--color", "never", "--format", f]));
            assert_eq!(code, 1, "{f}: {stdout}{stderr}");
            (stdout, stderr)
        })
        .collect()
}

#[test]
fn a_token_in_the_username_slot_is_the_secret_and_redacted() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("config.json"),
        &auth_config(&format!("{GHP}:x-oauth-basic")),
    );
    for (stdout, stderr) in all_formats(dir.path()) {
        assert!(
            !stdout.contains(GHP) && !stderr.contains(GHP),
            "{stdout}{stderr}"
        );
        assert!(!stdout.contains("Zq8vLm2Kp4Rt7WxZq8v"), "{stdout}");
    }
    let (_, stdout, _) = run(credscan().arg(dir.path()).args(["--format", "json"]));
    let f = &json(&stdout)["findings"][0];
    assert_eq!(f["username"], "x-oauth-basic", "{f}");
    assert_eq!(f["secret_kind"], "github-pat", "{f}");
}

#[test]
fn tokens_with_an_empty_password_or_equal_to_the_user_are_reported() {
    for pair in [format!("{GHP}:"), format!("{GHP}:{GHP}")] {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("config.json"), &auth_config(&pair));
        for (stdout, stderr) in all_formats(dir.path()) {
            assert!(
                !stdout.contains(GHP) && !stderr.contains(GHP),
                "{stdout}{stderr}"
            );
        }
        let (_, stdout, _) = run(credscan().arg(dir.path()).args(["--format", "json"]));
        let v = json(&stdout);
        assert_eq!(
            v["findings"].as_array().unwrap().len(),
            1,
            "{pair}: {stdout}"
        );
        assert_eq!(v["findings"][0]["secret_kind"], "github-pat");
    }
    // Equal halves that are no token stay quiet (documentation pairs).
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("config.json"),
        &auth_config("deployer:deployer"),
    );
    let (code, stdout, _) = run(credscan().arg(dir.path()));
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn passwords_and_usernames_with_spaces_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("auth.json"),
        &auth_config("deploy bot:correct horse battery staple 42"),
    );
    write(
        &dir.path().join("fields.json"),
        "{\"auths\": {\"registry.example.test\": {\"username\": \"deployer\", \"password\": \"correct horse battery staple 42\"}}}\n",
    );
    let (code, stdout, stderr) = run(credscan().arg(dir.path()).args(["--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(
        json(&stdout)["findings"].as_array().unwrap().len(),
        2,
        "{stdout}"
    );
    // Placeholders with spaces stay quiet.
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("doc.json"),
        "{\"auths\": {\"registry.example.test\": {\"username\": \"deployer\", \"password\": \"<your password here>\"}}}\n",
    );
    let (code, stdout, _) = run(credscan().arg(dir.path()));
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn output_over_a_scanned_file_is_refused_and_the_file_kept() {
    let dir = tempfile::tempdir().unwrap();
    let leak = leak_config_for(
        "registry.example.test",
        "deployer",
        "Zq8vLm2Kp4Rt7Wx-output",
    );
    let target = dir.path().join("config.json");
    write(&target, &leak);
    let (code, stdout, stderr) = run(credscan()
        .arg(dir.path())
        .arg("-o")
        .arg(&target)
        .args(["--format", "json"]));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("one of the scanned files"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), leak);
    // The same file named directly, and through another path.
    let (code, _, _) = run(credscan().arg(&target).arg("-o").arg(&target));
    assert_eq!(code, 2);
    let other = dir.path().join("sub/../config.json");
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    let (code, _, _) = run(credscan().arg(dir.path()).arg("-o").arg(&other));
    assert_eq!(code, 2);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), leak);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
}

#[test]
fn output_is_written_whole_beside_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let scanned = dir.path().join("tree");
    write(
        &scanned.join("config.json"),
        &leak_config_for(
            "registry.example.test",
            "deployer",
            "Zq8vLm2Kp4Rt7Wx-output2",
        ),
    );
    let out = dir.path().join("report.json");
    write(&out, "old report\n");
    let (code, stdout, stderr) = run(credscan()
        .arg(&scanned)
        .arg("-o")
        .arg(&out)
        .args(["--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.is_empty());
    let v = json(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
}
