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
    let v: Value = serde_json::from_str(&out).unwrap();
    v["findings"]
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
