//! CLI tests through the built binary.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

const PASSWORD: &str = "FAKEpass-cli-0042-credscan";

fn auth() -> String {
    STANDARD.encode(format!("ci-bot:{PASSWORD}"))
}

fn leak_config() -> String {
    format!(
        "{{\n  \"auths\": {{\n    \"registry.example.test\": {{\n      \"auth\": \"{}\"\n    }}\n  }}\n}}\n",
        auth()
    )
}

fn credscan() -> Command {
    let mut c = Command::cargo_bin("credscan").unwrap();
    c.env_remove("NO_COLOR");
    c
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join(".docker")).unwrap();
    fs::write(dir.path().join(".docker/config.json"), leak_config()).unwrap();
    fs::write(dir.path().join("README.md"), "nothing to see\n").unwrap();
    dir
}

#[test]
fn clean_tree_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), "auth: ${REGISTRY_AUTH}\n").unwrap();
    let (code, stdout, stderr) = run(credscan().arg(dir.path()));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("0 findings"), "{stderr}");
}

#[test]
fn leak_exits_1_and_human_output_is_redacted() {
    let dir = tree();
    let (code, stdout, stderr) = run(credscan().arg(dir.path()).arg("--color=never"));
    assert_eq!(code, 1);
    assert!(stdout.contains(".docker/config.json:4:16"), "{stdout}");
    assert!(stdout.contains("registry.example.test"));
    assert!(stdout.contains("ci-bot"));
    assert!(stdout.contains("FA********an"), "{stdout}");
    assert!(stdout.contains("docker logout"));
    assert!(
        stdout.contains(
            ".docker/config.json:4:16 high password ci-bot@registry.example.test CS001 \
             docker-config-credential [fix 1, 2]"
        ),
        "{stdout}"
    );
    for out in [&stdout, &stderr] {
        assert!(!out.contains(PASSWORD), "secret leaked: {out}");
        assert!(!out.contains(&auth()), "encoded secret leaked: {out}");
    }
    assert!(!stdout.contains('\u{1b}'), "no color expected");
    assert!(stderr.contains("1 finding in 1 file"), "{stderr}");
    assert!(stderr.contains("exit 1 (findings)"), "{stderr}");
}

#[test]
fn json_output_follows_the_contract() {
    let dir = tree();
    let (code, stdout, _) = run(credscan().arg("--format=json").arg(dir.path()));
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["version"], 1);
    let f = &v["findings"][0];
    for key in [
        "rule",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "byte_start",
        "byte_end",
        "registry",
        "username",
        "secret",
        "secret_kind",
        "severity",
        "detail",
        "decode_chain",
        "fingerprint",
        "fix",
    ] {
        assert!(f.get(key).is_some(), "missing {key}");
    }
    assert_eq!(f["severity"], "high");
    assert!(f["detail"].is_null());
    assert_eq!(f["rule"], "CS001");
    assert!(f["path"].as_str().unwrap().ends_with(".docker/config.json"));
    assert_eq!(f["line"], 4);
    assert_eq!(f["column"], 16);
    assert_eq!(f["end_line"], 4);
    assert_eq!(f["end_column"], 16 + auth().len());
    assert_eq!(f["registry"], "registry.example.test");
    assert_eq!(f["username"], "ci-bot");
    assert_eq!(f["secret"], "FA********an");
    assert_eq!(f["secret_kind"], "password");
    let text = leak_config();
    let (s, e) = (
        f["byte_start"].as_u64().unwrap() as usize,
        f["byte_end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[s..e], auth());
    for key in [
        "files_scanned",
        "bytes_scanned",
        "files_skipped",
        "errors",
        "elapsed_ms",
    ] {
        assert!(v["stats"].get(key).is_some(), "missing stats.{key}");
    }
    assert_eq!(v["stats"]["files_scanned"], 2);
    assert!(!stdout.contains(PASSWORD));
}

#[test]
fn reveal_shows_the_secret() {
    let dir = tree();
    let (code, stdout, _) = run(credscan()
        .args(["--reveal", "--format", "json"])
        .arg(dir.path()));
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["findings"][0]["secret"], PASSWORD);
}

#[test]
fn fingerprint_is_stable_when_lines_move() {
    let dir = tree();
    let (_, a, _) = run(credscan().arg("--format=json").arg(dir.path()));
    let moved = format!("\n\n\n{}", leak_config().replace("  ", "\t"));
    fs::write(dir.path().join(".docker/config.json"), moved).unwrap();
    let (_, b, _) = run(credscan().arg("--format=json").arg(dir.path()));
    let fa: Value = serde_json::from_str(&a).unwrap();
    let fb: Value = serde_json::from_str(&b).unwrap();
    assert_ne!(fa["findings"][0]["line"], fb["findings"][0]["line"]);
    assert_eq!(
        fa["findings"][0]["fingerprint"],
        fb["findings"][0]["fingerprint"]
    );
}

#[test]
fn stdin_is_scanned_under_its_name() {
    let (code, stdout, _) = run(credscan()
        .args(["-", "--stdin-name", "piped/config.json", "--format", "json"])
        .write_stdin_compat(leak_config()));
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["findings"][0]["path"], "piped/config.json");
    let (code, stdout, _) = run(credscan()
        .args(["-", "--format", "json"])
        .write_stdin_compat(leak_config()));
    assert_eq!(code, 1);
    assert!(stdout.contains("\"<stdin>\""));
}

/// `Command` has no stdin helper; spawn with piped stdin.
trait WriteStdin {
    fn write_stdin_compat(&mut self, data: String) -> &mut Self;
}

impl WriteStdin for Command {
    fn write_stdin_compat(&mut self, data: String) -> &mut Self {
        let dir = tempfile::tempdir().unwrap().keep();
        let file = dir.join("stdin");
        fs::write(&file, data).unwrap();
        self.stdin(fs::File::open(file).unwrap());
        self
    }
}

#[test]
fn missing_path_is_exit_2_and_named() {
    let (code, _, stderr) = run(credscan().arg("does/not/exist"));
    assert_eq!(code, 2);
    assert!(stderr.contains("does/not/exist"), "{stderr}");
}

#[test]
fn bad_flag_is_exit_2() {
    let (code, _, stderr) = run(credscan().arg("--format=xml"));
    assert_eq!(code, 2);
    assert!(stderr.contains("xml"));
    let (code, _, stderr) = run(credscan().arg("--max-file-size=lots"));
    assert_eq!(code, 2);
    assert!(stderr.contains("lots"));
}

fn run_unprivileged(args: &[&Path]) -> (i32, String, String) {
    let bin = assert_cmd::cargo::cargo_bin("credscan");
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let mut cmd = if is_root {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ])
        .arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args);
    run(&mut cmd)
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_reported_and_exit_2_but_scan_continues() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let secret = dir.path().join("locked.json");
    fs::write(&secret, "{}").unwrap();
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    fs::write(dir.path().join("ok.txt"), "fine\n").unwrap();
    fs::set_permissions(dir.path().join("ok.txt"), fs::Permissions::from_mode(0o644)).unwrap();
    let (code, _, stderr) = run_unprivileged(&[dir.path()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("locked.json"), "{stderr}");
    assert!(stderr.contains("permission denied"), "{stderr}");
    assert!(stderr.contains("scanned 1 file"), "{stderr}");
    // A leak elsewhere still wins: exit 1.
    fs::write(dir.path().join("config.json"), leak_config()).unwrap();
    fs::set_permissions(
        dir.path().join("config.json"),
        fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let (code, _, _) = run_unprivileged(&[dir.path()]);
    assert_eq!(code, 1);
}

#[cfg(unix)]
#[test]
fn fifo_does_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let mut child = credscan()
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0));
            break;
        }
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("credscan hung on a FIFO");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
}

#[test]
fn binary_files_are_skipped_and_ignore_rules_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let mut bin = vec![0u8, 1, 2, 3];
    bin.extend_from_slice(leak_config().as_bytes());
    fs::write(dir.path().join("blob.bin"), bin).unwrap();
    fs::write(dir.path().join(".gitignore"), "ignored/\n").unwrap();
    fs::create_dir_all(dir.path().join("ignored")).unwrap();
    fs::write(dir.path().join("ignored/config.json"), leak_config()).unwrap();
    let (code, _, stderr) = run(credscan().arg(dir.path()));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("1 skipped"), "{stderr}");
    let (code, stdout, _) = run(credscan().arg("--no-ignore").arg(dir.path()));
    assert_eq!(code, 1);
    assert!(stdout.contains("ignored/config.json"));
}

#[test]
fn hidden_files_scanned_git_dir_not() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join(".git/objects")).unwrap();
    fs::write(dir.path().join(".git/objects/config.json"), leak_config()).unwrap();
    let (code, _, _) = run(credscan().arg(dir.path()));
    assert_eq!(code, 0);
    fs::write(
        dir.path().join(".env"),
        format!("REGISTRY_AUTH={}\n", auth()),
    )
    .unwrap();
    let (code, stdout, _) = run(credscan().arg(dir.path()));
    assert_eq!(code, 1);
    assert!(stdout.contains(".env"));
}

#[test]
fn large_files_are_skipped_with_a_note() {
    let dir = tree();
    let (code, _, stderr) = run(credscan().args(["--max-file-size", "10"]).arg(dir.path()));
    assert_eq!(code, 0);
    assert!(stderr.contains("larger than --max-file-size"), "{stderr}");
    let (_, _, stderr) = run(credscan()
        .args(["--max-file-size", "10", "-q"])
        .arg(dir.path()));
    // Quiet drops the notes, not the count of what was left out.
    assert_eq!(stderr.lines().count(), 1, "quiet: {stderr}");
    assert!(
        stderr.contains("suppressed: 2 files over the size limit"),
        "quiet: {stderr}"
    );
}

#[test]
fn inline_allow_suppresses() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("values.yaml"),
        format!("auth: {} # credscan:allow test fixture\n", auth()),
    )
    .unwrap();
    let (code, _, _) = run(credscan().arg(dir.path()));
    assert_eq!(code, 0);
}

#[test]
fn colors_follow_flag_and_no_color() {
    let dir = tree();
    let (_, stdout, _) = run(credscan().arg("--color=always").arg(dir.path()));
    assert!(stdout.contains('\u{1b}'));
    let (_, stdout, _) = run(credscan().env("NO_COLOR", "1").arg(dir.path()));
    assert!(!stdout.contains('\u{1b}'));
}

#[test]
fn threads_and_quiet() {
    let dir = tree();
    let (code, stdout, stderr) = run(credscan().args(["-j1", "-q"]).arg(dir.path()));
    assert_eq!(code, 1);
    assert!(stdout.contains("config.json"));
    // Quiet, but a non-zero exit still says why, on one line.
    assert_eq!(
        stderr, "credscan: 1 finding, 0 errors; exit 1 (findings)\n",
        "{stderr}"
    );
    let (code, _, _) = run(credscan().args(["-j", "0"]).arg(dir.path()));
    assert_eq!(code, 2);
}

#[test]
fn help_and_version() {
    let (code, stdout, _) = run(credscan().arg("--help"));
    assert_eq!(code, 0);
    assert!(stdout.contains("--reveal"));
    assert!(stdout.contains("Exit status"));
    let (code, stdout, _) = run(credscan().arg("--version"));
    assert_eq!(code, 0);
    assert!(stdout.starts_with("credscan "));
}

#[test]
fn large_files_are_scanned_in_windows_with_exact_positions() {
    // 12 MB of lines, then a leak: read through bounded windows, not whole.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    let line = "an ordinary log line without anything in it, just filler text\n";
    while text.len() < 12 << 20 {
        text.push_str(line);
    }
    let lines_before = text.matches('\n').count();
    text.push_str(&leak_config());
    fs::write(dir.path().join("big.log"), &text).unwrap();
    let (code, stdout, _) = run(credscan().arg("--format=json").arg(dir.path()));
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["line"], lines_before + 4);
    assert_eq!(f["column"], 16);
    let start = f["byte_start"].as_u64().unwrap() as usize;
    assert_eq!(&text[start..start + auth().len()], auth());
    // The same through standard input.
    let (code, stdout, _) = run(credscan()
        .args(["-", "--format", "json"])
        .write_stdin_compat(text.clone()));
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["findings"][0]["line"], lines_before + 4);
    assert_eq!(v["stats"]["bytes_scanned"], text.len());
}

#[test]
fn plaintext_login_in_a_script_is_classified_with_a_specific_fix() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("deploy.sh"),
        "docker login -u octo-fake -p dckr_pat_FAKE0credscan0cli0000001 registry.example.test\n",
    )
    .unwrap();
    let (code, stdout, _) = run(credscan().arg("--format=json").arg(dir.path()));
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "CS010");
    assert_eq!(f["rule_name"], "registry-login-command");
    assert_eq!(f["secret_kind"], "docker-hub-pat");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["line"], 1);
    assert_eq!(f["column"], 30);
    assert_eq!(f["username"], "octo-fake");
    let fix = f["fix"].as_str().unwrap();
    assert!(fix.contains("personal-access-tokens"), "{fix}");
    assert!(fix.contains("--password-stdin"), "{fix}");
    assert!(!stdout.contains("dckr_pat_FAKE0credscan0cli0000001"));
}

/// Two leaks with the same "instead" advice and different rotation advice.
fn two_leaks() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("a/.docker")).unwrap();
    fs::create_dir_all(dir.path().join("b/.docker")).unwrap();
    fs::write(dir.path().join("a/.docker/config.json"), leak_config()).unwrap();
    fs::write(
        dir.path().join("b/.docker/config.json"),
        leak_config().replace("registry.example.test", "other.example.test"),
    )
    .unwrap();
    dir
}

#[test]
fn default_output_groups_by_file_and_prints_each_fix_once() {
    let dir = two_leaks();
    let (code, stdout, stderr) = run(credscan()
        .current_dir(dir.path())
        .args(["--color=never", "."]));
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "a/.docker/config.json (1 finding)", "{stdout}");
    assert!(
        lines[1].starts_with(
            "  a/.docker/config.json:4:16 high password ci-bot@registry.example.test CS001 "
        ),
        "{stdout}"
    );
    assert!(lines[1].ends_with("[fix 1, 2]"), "{stdout}");
    assert!(
        stdout.contains("\nb/.docker/config.json (1 finding)\n"),
        "{stdout}"
    );
    assert!(stdout.contains("other.example.test CS001 docker-config-credential [fix 3, 2]"));
    // The config-file advice applies to both and is printed once, with both
    // places; each registry's rotation advice is its own hint.
    assert_eq!(stdout.matches("credential helper").count(), 1, "{stdout}");
    assert!(
        stdout.contains(
            "fix 2 (2 findings):\n    a/.docker/config.json:4:16, b/.docker/config.json:4:16\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("fix 1 (1 finding):\n    a/.docker/config.json:4:16\n  Change this password at registry.example.test"));
    assert!(stdout.contains(
        "      decoded: JSON auths[\"registry.example.test\"].auth -> base64 -> user:password"
    ));
    assert!(!stdout.contains(PASSWORD) && !stdout.contains(&auth()));
    // The closing lines on stderr: summary with exit reason, then the next
    // step with the exact commands for this invocation.
    assert!(
        stderr.contains("credscan: 2 findings in 2 files;")
            && stderr.contains("; exit 1 (findings)\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("next: rotate each leaked credential"),
        "{stderr}"
    );
    assert!(
        stderr.contains("\n        credscan --write-baseline .credscan-baseline.json .\n        credscan --baseline .credscan-baseline.json .\n"),
        "{stderr}"
    );
    assert!(stderr.contains("[[allow]]"), "{stderr}");
}

#[test]
fn next_step_commands_work_when_run() {
    let dir = two_leaks();
    let (_, _, stderr) = run(credscan().current_dir(dir.path()).args(["a", "b"]));
    let commands: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("credscan --"))
        .collect();
    assert_eq!(
        commands,
        [
            "credscan --write-baseline .credscan-baseline.json a b",
            "credscan --baseline .credscan-baseline.json a b"
        ],
        "{stderr}"
    );
    for (command, expected) in commands.iter().zip([0, 0]) {
        let args: Vec<&str> = command.split(' ').skip(1).collect();
        let (code, _, err) = run(credscan().current_dir(dir.path()).args(&args));
        assert_eq!(code, expected, "{command}: {err}");
    }
    // For a file list (what the hooks pass) the baseline is written for the
    // whole tree, so other files' entries are kept.
    let (_, _, stderr) = run(credscan()
        .current_dir(dir.path())
        .arg("a/.docker/config.json"));
    assert!(
        stderr.contains("credscan --write-baseline .credscan-baseline.json .\n")
            && stderr
                .contains("credscan --baseline .credscan-baseline.json a/.docker/config.json\n"),
        "{stderr}"
    );
}

#[test]
fn concise_is_one_line_per_finding() {
    let dir = two_leaks();
    let (code, stdout, stderr) = run(credscan()
        .current_dir(dir.path())
        .args(["--format", "concise", "."]));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stdout,
        "a/.docker/config.json:4:16 high password ci-bot@registry.example.test CS001\n\
         b/.docker/config.json:4:16 high password ci-bot@other.example.test CS001\n"
    );
    assert!(stderr.contains("2 findings in 2 files"), "{stderr}");
    assert!(stderr.contains("credscan --write-baseline"), "{stderr}");
}

#[test]
fn summary_reaches_stderr_with_machine_formats_and_quiet_says_why() {
    let dir = two_leaks();
    let out = tempfile::tempdir().unwrap();
    for format in ["json", "jsonl", "sarif", "github"] {
        let file = out.path().join(format);
        let (code, stdout, stderr) = run(credscan()
            .current_dir(dir.path())
            .args(["--format", format, "--output"])
            .arg(&file)
            .arg("."));
        assert_eq!(code, 1, "{format}: {stderr}");
        assert!(stdout.is_empty(), "{format}: {stdout}");
        assert!(
            stderr.contains("2 findings in 2 files") && stderr.contains("exit 1 (findings)"),
            "{format}: {stderr}"
        );
        assert!(
            !stderr.contains("next:"),
            "machine formats get no advice: {stderr}"
        );
        let (code, _, stderr) = run(credscan()
            .current_dir(dir.path())
            .args(["-q", "--format", format, "--output"])
            .arg(&file)
            .arg("."));
        assert_eq!(code, 1);
        assert_eq!(
            stderr,
            "credscan: 2 findings, 0 errors; exit 1 (findings)\n"
        );
    }
    // A clean quiet run prints nothing at all.
    let clean = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(credscan().arg("-q").arg(clean.path()));
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, stdout, stderr) = run(credscan().args(["--completions", shell]));
        assert_eq!(code, 0, "{shell}: {stderr}");
        assert!(stdout.contains("write-baseline"), "{shell}: {stdout}");
        if matches!(shell, "bash" | "zsh" | "fish") {
            assert!(
                stdout.contains("concise"),
                "{shell} completes format values"
            );
        }
    }
    // The bash script parses.
    let (_, script, _) = run(credscan().args(["--completions", "bash"]));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credscan.bash");
    fs::write(&file, &script).unwrap();
    let status = Command::new("bash").arg("-n").arg(&file).status().unwrap();
    assert!(status.success());

    let (code, man, _) = run(credscan().arg("--man"));
    assert_eq!(code, 0);
    assert!(man.starts_with(".ie"), "{man}");
    assert!(man.contains(".TH credscan 1"), "{man}");
    assert!(man.contains("\\-\\-write\\-baseline"), "{man}");
    // The generators are hidden from --help and the man page.
    let (_, help, _) = run(credscan().arg("--help"));
    assert!(!help.contains("--completions") && !help.contains("--man"));
    assert!(!man.contains("\\-\\-completions"));
    let (code, _, _) = run(credscan().args(["--man", "."]));
    assert_eq!(code, 2, "--man takes no other argument");
}
