//! UTF-16 text files (PowerShell 5.1's `Out-File`/`>` default, several
//! editors) are decoded and scanned; findings are located in the decoded
//! text, at the same line and column as in the UTF-8 file.

mod common;

use common::*;
use serde_json::Value;

fn utf16le(s: &str, bom: bool) -> Vec<u8> {
    let mut v = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    for u in s.encode_utf16() {
        v.extend_from_slice(&u.to_le_bytes());
    }
    v
}

fn utf16be(s: &str) -> Vec<u8> {
    let mut v = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        v.extend_from_slice(&u.to_be_bytes());
    }
    v
}

fn findings(bytes: &[u8]) -> Vec<(u64, u64, String)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pull-secret.ps1");
    std::fs::write(&path, bytes).unwrap();
    let (code, out, err) = run(credscan().arg("--format").arg("json").arg(&path));
    assert!(code == 0 || code == 1, "{err}");
    rows(&serde_json::from_str(&out).unwrap())
}

/// (line, column, username) of each finding of a JSON report.
fn rows(report: &Value) -> Vec<(u64, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["username"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn utf16_files_are_scanned_with_decoded_positions() {
    // Non-ASCII text before the secret: columns count decoded characters.
    let text = format!(
        "# Größe: déploiement\r\n$cfg = @'\r\n{}'@\r\nSet-Content -Path config.json -Value $cfg\r\n",
        leak_config().replace('\n', "\r\n")
    );
    let want = findings(text.as_bytes());
    assert_eq!(want, vec![(6, 16, "ci-bot".to_string())]);
    assert_eq!(findings(&utf16le(&text, true)), want, "UTF-16LE with BOM");
    assert_eq!(
        findings(&utf16le(&text, false)),
        want,
        "UTF-16LE without BOM"
    );
    assert_eq!(findings(&utf16be(&text)), want, "UTF-16BE with BOM");
}

#[test]
fn binary_files_with_nuls_stay_skipped() {
    let mut bytes = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0];
    bytes.extend_from_slice(leak_config().as_bytes());
    assert!(findings(&bytes).is_empty());
}

/// JSON findings (line, column, username), the stderr and the bytes
/// scanned, for `bytes` in a file or on standard input.
fn scan_large(bytes: &[u8], stdin: bool) -> (Vec<(u64, u64, String)>, String, u64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("build-log.txt");
    std::fs::write(&path, bytes).unwrap();
    let mut cmd = credscan();
    cmd.arg("--format").arg("json");
    if stdin {
        cmd.arg("-").stdin(std::fs::File::open(&path).unwrap());
    } else {
        cmd.arg(&path);
    }
    let (code, out, err) = run(&mut cmd);
    assert!(code == 0 || code == 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    (rows(&v), err, v["stats"]["bytes_scanned"].as_u64().unwrap())
}

#[test]
fn utf16_files_larger_than_a_window_are_decoded_as_they_are_read() {
    // About 16 MiB of UTF-16: more than the 9 MiB read whole, and more
    // than one 8 MiB window of decoded text; with non-ASCII characters and
    // configs at the start, around the first window edge of the decoded
    // text and at the end.
    let filler = "ordinary line of a long build log, Größe ✓, nothing here\r\n";
    let mut text = String::new();
    let mut users = Vec::new();
    let mut n = 0;
    while text.len() < 8_650_000 {
        let edge = text.len() > (8 << 20) - 300 && text.len() < (8 << 20) + 300;
        if n == 0 || edge || text.len() > 8_649_900 {
            let user = format!("utf16-bot-{n}");
            text.push_str(
                &leak_config_for("registry.example.test", &user, "FAKEpass-utf16-big")
                    .replace('\n', "\r\n"),
            );
            users.push(user);
        } else {
            text.push_str(filler);
        }
        n += 1;
    }
    let want = findings(text.as_bytes());
    assert!(want.len() >= 3, "{want:?}");
    let bytes = utf16le(&text, true);
    assert!(text.len() > 8 << 20 && bytes.len() > 9 << 20);
    for stdin in [false, true] {
        let (got, err, scanned) = scan_large(&bytes, stdin);
        assert_eq!(got, want, "stdin: {stdin}");
        assert!(
            err.contains(" 0 skipped") && !err.contains("note:"),
            "{err}"
        );
        assert_eq!(scanned, bytes.len() as u64);
    }
}
