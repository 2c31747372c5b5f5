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
    assert!(stdout.contains("\\r\\n  \\072:add-mask::x"), "{stdout}");
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
    write(
        &dir.path().join("login.sh"),
        "docker login -u deployer -p \"correct horse battery staple 42\" registry.example.test\n",
    );
    // A quoted value in structured text (Helm values) keeps its blanks.
    write(
        &dir.path().join("values.yaml"),
        "imageCredentials:\n  registry: registry.example.test\n  username: deployer\n  password: \"correct horse battery staple 42\"\n",
    );
    let (code, stdout, stderr) = run(credscan().arg(dir.path()).args(["--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let findings = json(&stdout)["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 4, "{stdout}");
    assert!(
        findings.iter().any(|f| f["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("values.yaml"))
            && f["line"] == 4),
        "{stdout}"
    );
    // Placeholders with spaces stay quiet.
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("doc.sh"),
        "docker login -u deployer -p \"your password here\" registry.example.test\n",
    );
    write(
        &dir.path().join("doc.json"),
        "{\"auths\": {\"registry.example.test\": {\"username\": \"deployer\", \"password\": \"<your password here>\"}}}\n",
    );
    // Unquoted blanks are prose; a quoted phrase describing the secret is
    // an example.
    write(
        &dir.path().join("values.yaml"),
        "imageCredentials:\n  registry: registry.example.test\n  username: deployer\n  password: must be at least 12 characters\n---\nregistry:\n  url: registry.example.test\n  password: \"the robot token here\"\n",
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

fn leak(password: &str) -> String {
    leak_config_for("registry.example.test", "deployer", password)
}

#[test]
fn a_nested_config_passed_first_is_not_read() {
    let repo = common::repo();
    let root = repo.path();
    write(&root.join("app/.credscan.toml"), "exclude = [\"**\"]\n");
    write(&root.join("app/leak.json"), &leak("Zq8vLm2Kp4Rt7Wx-nested"));
    // As a pre-commit hook passes files: the nested config first.
    let (code, stdout, stderr) = run(credscan()
        .current_dir(root)
        .args(["app/.credscan.toml", "app/leak.json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    // From the subdirectory too.
    let (code, _, _) = run(credscan().current_dir(root.join("app")).arg("."));
    assert_eq!(code, 1);
    // The root's config is the one read.
    write(&root.join(".credscan.toml"), "exclude = [\"app/\"]\n");
    let (code, _, stderr) = run(credscan().current_dir(root.join("app")).args(["-q", "."]));
    assert_eq!(code, 0);
    assert!(
        stderr.contains("suppressed: 2 paths by exclude"),
        "{stderr}"
    );
}

#[test]
fn every_suppression_is_counted_and_named_even_when_quiet() {
    let repo = common::repo();
    let root = repo.path();
    write(
        &root.join("allowed.json"),
        &leak_config_for("quay.io", "robot", "Zq8vLm2Kp4Rt7Wx-allow"),
    );
    write(
        &root.join("inline.yaml"),
        &format!(
            "auth: {} # credscan:allow reviewed\n",
            base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                "deployer:Zq8vLm2Kp4Rt7Wx-inline"
            )
        ),
    );
    write(
        &root.join("vendor/x.json"),
        &leak("Zq8vLm2Kp4Rt7Wx-exclude"),
    );
    write(
        &root.join("big.json"),
        &format!("{}{}", leak("Zq8vLm2Kp4Rt7Wx-big"), " ".repeat(4096)),
    );
    write(&root.join("ignored.json"), &leak("Zq8vLm2Kp4Rt7Wx-ignored"));
    write(&root.join(".gitignore"), "ignored.json\n");
    write(
        &root.join(".credscan.toml"),
        "exclude = [\"vendor/\"]\nmax_file_size = \"2K\"\n\n[[allow]]\nregistry = \"quay.io\"\nreason = \"test\"\n",
    );
    let (code, stdout, stderr) = run(credscan().current_dir(root).args(["-q", "."]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    for part in [
        "1 finding by allow entries",
        "1 finding by inline markers",
        "1 path by exclude",
        "1 path by ignore files",
        "1 file over the size limit",
    ] {
        assert!(stderr.contains(part), "{part}: {stderr}");
    }
    let (_, stdout, _) = run(credscan().current_dir(root).args(["--format", "json", "."]));
    let s = &json(&stdout)["suppressions"];
    assert_eq!(
        (
            s["allow"].as_u64(),
            s["inline"].as_u64(),
            s["exclude"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{s}"
    );
    assert_eq!(
        (s["ignore_file"].as_u64(), s["size_limit"].as_u64()),
        (Some(1), Some(1))
    );
    let (_, stdout, _) = run(credscan()
        .current_dir(root)
        .args(["--format", "sarif", "."]));
    let run0 = &json(&stdout)["runs"][0];
    assert_eq!(run0["properties"]["suppressions"]["allow"], 1, "{run0}");
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{run0}");
    assert_eq!(results[0]["suppressions"][0]["kind"], "external");
    assert!(
        results[0]["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .contains("allow entry"),
        "{run0}"
    );
}

#[test]
fn tracked_files_are_scanned_whatever_ignore_files_say() {
    let repo = common::repo();
    let root = repo.path();
    write(
        &root.join("deploy/config.json"),
        &leak("Zq8vLm2Kp4Rt7Wx-tracked"),
    );
    common::git(root, ["add", "."]);
    common::git(root, ["commit", "-qm", "add"]);
    write(&root.join(".gitignore"), "deploy/\n*.json\n");
    write(&root.join(".ignore"), "*\n");
    let (code, stdout, stderr) = run(credscan().current_dir(root).args(["--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(json(&stdout)["findings"][0]["path"], "deploy/config.json");
    // An untracked file git ignores stays out, and is counted.
    write(&root.join("local.json"), &leak("Zq8vLm2Kp4Rt7Wx-local"));
    let (_, stdout, stderr) = run(credscan().current_dir(root).arg("."));
    assert!(!stdout.contains("local.json"), "{stdout}");
    assert!(stderr.contains("by ignore files"), "{stderr}");
}

#[test]
fn inline_markers_count_only_outside_the_value_and_whole() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("inside.json"),
        "{\"auths\": {\"registry.example.test\": {\"username\": \"deployer\", \"password\": \"Zq8v gitleaks:allow Lm2Kp4\"}}}\n",
    );
    write(
        &dir.path().join("partial.json"),
        &format!(
            "{} \n",
            leak("Zq8vLm2Kp4Rt7Wx-partial")
                .trim_end()
                .replace("\n}", " # pragma: allowlist secretive\n}")
        ),
    );
    let (code, stdout, stderr) = run(credscan().arg(dir.path()).args(["--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let v = json(&stdout);
    assert_eq!(v["findings"].as_array().unwrap().len(), 2, "{stdout}");
    assert_eq!(v["suppressions"]["inline"], 0);
}

#[test]
fn huge_thread_counts_are_clamped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("config.json"),
        &leak("Zq8vLm2Kp4Rt7Wx-threads"),
    );
    let start = std::time::Instant::now();
    let (code, stdout, stderr) = run(credscan().arg(dir.path()).args(["-j", "100000"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("--threads 100000"), "{stderr}");
    assert!(stderr.contains("using "), "{stderr}");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[cfg(unix)]
#[test]
fn fifos_and_dev_stdin_named_on_the_command_line_are_read() {
    use std::io::Write as _;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let text = leak("Zq8vLm2Kp4Rt7Wx-fifo");
    let writer = {
        let (fifo, text) = (fifo.clone(), text.clone());
        std::thread::spawn(move || std::fs::write(fifo, text).unwrap())
    };
    let (code, stdout, stderr) = run(credscan().arg(&fifo).args(["--format", "json"]));
    writer.join().unwrap();
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(json(&stdout)["findings"].as_array().unwrap().len(), 1);

    let mut child = credscan()
        .args(["/dev/stdin", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&stdout)["findings"][0]["path"], "/dev/stdin");
}

/// The CI mode for untrusted changes: settings and baseline come from the
/// base revision; the change's own attempts to silence the scan are
/// ignored and reported.
#[test]
fn config_from_a_trusted_revision_ignores_the_work_trees_silencers() {
    let repo = common::repo();
    let root = repo.path();
    write(&root.join("README.md"), "base\n");
    write(&root.join(".credscan.toml"), "exclude = [\"docs/\"]\n");
    common::git(root, ["add", "."]);
    common::git(root, ["commit", "-qm", "base"]);
    common::git(root, ["branch", "base"]);
    // The untrusted change: a leak, and every way to hide it.
    write(
        &root.join("deploy/config.json"),
        &leak("Zq8vLm2Kp4Rt7Wx-untrusted"),
    );
    write(
        &root.join(".credscan.toml"),
        "exclude = [\"**\"]\nmax_file_size = 1\n[[allow]]\nregistry = \"registry.example.test\"\n",
    );
    write(&root.join(".ignore"), "*\n");
    write(&root.join(".gitignore"), "deploy/\n");
    common::git(root, ["add", "-f", "."]);
    common::git(root, ["commit", "-qm", "change"]);
    let (code, _, _) = run(credscan().current_dir(root));
    assert_eq!(code, 0, "the work tree's config silences the plain scan");
    let (code, stdout, stderr) =
        run(credscan()
            .current_dir(root)
            .args(["--config-from", "base", "-q", "--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(json(&stdout)["findings"][0]["path"], "deploy/config.json");
    for changed in [".credscan.toml", ".gitignore", ".ignore"] {
        assert!(
            stderr.contains(&format!("notice: {changed} differs from base")),
            "{changed}: {stderr}"
        );
    }
    // The base's own exclude still applies.
    write(&root.join("docs/x.json"), &leak("Zq8vLm2Kp4Rt7Wx-docs"));
    let (_, stdout, _) =
        run(credscan()
            .current_dir(root)
            .args(["--config-from", "base", "--format", "json"]));
    assert_eq!(
        json(&stdout)["findings"].as_array().unwrap().len(),
        1,
        "{stdout}"
    );

    // A baseline from the change is not honoured; the base's is.
    let (code, _, _) = run(credscan()
        .current_dir(root)
        .args(["--write-baseline", "baseline.json"]));
    assert_eq!(code, 0);
    common::git(root, ["add", "-f", "baseline.json"]);
    common::git(root, ["commit", "-qm", "baseline"]);
    let (code, _, stderr) = run(credscan().current_dir(root).args([
        "--config-from",
        "base",
        "--baseline",
        "baseline.json",
    ]));
    assert_eq!(code, 2, "base has no baseline.json: {stderr}");
    assert!(stderr.contains("base:baseline.json"), "{stderr}");
}

#[test]
fn an_escaped_newline_in_a_string_literal_ends_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("task.json"),
        "{\"cmd\": \"docker login -u deployer -p Zq8vLm2Kp4Rt7Wx-escape registry.example.test\\nmake push\"}\n",
    );
    let (code, stdout, stderr) = run(credscan().arg(dir.path()).args(["--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let v = json(&stdout);
    assert_eq!(
        v["findings"][0]["registry"], "registry.example.test",
        "{stdout}"
    );
}

#[test]
fn paths_and_fingerprints_are_the_same_however_the_path_is_typed() {
    let repo = common::repo();
    let root = repo.path().canonicalize().unwrap();
    write(&root.join("k8s/x.json"), &leak("Zq8vLm2Kp4Rt7Wx-paths"));
    let runs: Vec<(std::path::PathBuf, Vec<std::ffi::OsString>)> = vec![
        (root.clone(), vec![".".into()]),
        (root.clone(), vec!["k8s/../k8s/x.json".into()]),
        (root.clone(), vec![root.join("k8s/x.json").into_os_string()]),
        (root.join("k8s"), vec!["x.json".into()]),
        (root.join("k8s"), vec![".".into()]),
        (root.join("k8s"), vec!["../k8s/./x.json".into()]),
    ];
    let mut seen = Vec::new();
    for (cwd, args) in runs {
        let (code, stdout, stderr) = run(credscan()
            .current_dir(&cwd)
            .args(&args)
            .args(["--format", "json"]));
        assert_eq!(code, 1, "{args:?}: {stdout}{stderr}");
        let f = &json(&stdout)["findings"][0];
        seen.push((f["path"].clone(), f["fingerprint"].clone()));
    }
    assert_eq!(seen[0].0, "k8s/x.json");
    assert!(seen.iter().all(|s| *s == seen[0]), "{seen:?}");
}

#[test]
fn staged_lfs_pointers_are_scanned_through_the_local_object() {
    let repo = common::repo();
    let root = repo.path();
    let content = leak("Zq8vLm2Kp4Rt7Wx-lfs");
    let oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
    write(
        &root.join("deploy/config.json"),
        &format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {}\n",
            content.len()
        ),
    );
    common::git(root, ["add", "."]);
    let object = root.join(".git/lfs/objects/4d/7a").join(oid);
    write(&object, &content);
    let (code, stdout, stderr) = run(credscan()
        .current_dir(root)
        .args(["--staged", "--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(json(&stdout)["findings"][0]["path"], "deploy/config.json");
    std::fs::remove_file(&object).unwrap();
    let (code, _, stderr) = run(credscan().current_dir(root).arg("--staged"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("git-lfs pointer"), "{stderr}");
    assert!(stderr.contains("not in the local store"), "{stderr}");
}

#[test]
fn outside_git_ignore_files_still_apply_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("secret.json"),
        &leak("Zq8vLm2Kp4Rt7Wx-outside"),
    );
    write(&dir.path().join("ok.txt"), "nothing\n");
    write(&dir.path().join(".ignore"), "secret.json\n");
    let (code, stdout, stderr) = run(credscan().current_dir(dir.path()).args(["-q", "."]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("1 path by ignore files"), "{stderr}");
    let (code, _, _) = run(credscan()
        .current_dir(dir.path())
        .args(["--no-ignore", "."]));
    assert_eq!(code, 1);
}

#[test]
fn config_pointed_at_a_credential_file_does_not_print_it() {
    let dir = tempfile::tempdir().unwrap();
    let password = "Zq8vLm2Kp4Rt7Wx-config";
    write(&dir.path().join("config.json"), &leak(password));
    let (code, stdout, stderr) = run(credscan().current_dir(dir.path()).args([
        "--config",
        "config.json",
        "--color",
        "never",
        ".",
    ]));
    assert_eq!(code, 2, "{stdout}{stderr}");
    let auth = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("deployer:{password}"),
    );
    assert!(!stderr.contains(&auth[..12]), "{stderr}");
    assert!(!stderr.contains(password), "{stderr}");
}

#[test]
fn output_over_a_staged_file_is_refused() {
    let repo = common::repo();
    let root = repo.path();
    let text = leak("Zq8vLm2Kp4Rt7Wx-staged-out");
    write(&root.join("config.json"), &text);
    common::git(root, ["add", "."]);
    let (code, _, stderr) =
        run(credscan()
            .current_dir(root)
            .args(["--staged", "-o", "config.json"]));
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(root.join("config.json")).unwrap(),
        text
    );
}
