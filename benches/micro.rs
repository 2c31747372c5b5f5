//! Microbenchmarks for the candidate finder, the prefilter and the
//! decoders: `cargo bench --bench micro [-- NAME...]`. Plain timing loops (median of
//! several rounds, MB/s), so no benchmark framework is pulled in; compare
//! numbers from one run, as ratios, on a noisy machine.

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use credscan::engine::{self as scan, prefilter};
use credscan::readers::{decode, json};

/// A deterministic xorshift generator, so inputs are the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const SIZE: usize = 8 << 20;

fn code_text(rng: &mut Rng) -> Vec<u8> {
    let words = [
        "fn",
        "let",
        "return",
        "match",
        "author",
        "self",
        "config",
        "value",
        "registry",
        "=>",
        "{",
        "}",
        "(",
        ")",
        ";",
        "token",
        "String::new()",
        "if",
        "else",
        "docker",
    ];
    let mut out = Vec::with_capacity(SIZE);
    while out.len() < SIZE {
        let w = words[(rng.next() % words.len() as u64) as usize];
        out.extend_from_slice(w.as_bytes());
        out.push(if rng.next().is_multiple_of(9) {
            b'\n'
        } else {
            b' '
        });
    }
    out
}

fn lockfile_text(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::with_capacity(SIZE);
    while out.len() < SIZE {
        let hash = STANDARD.encode(rng.bytes(64));
        out.extend_from_slice(
            format!("    \"integrity\": \"sha512-{hash}\",\n    \"dev\": true,\n").as_bytes(),
        );
    }
    out
}

fn secrets_yaml(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::with_capacity(SIZE);
    let mut i = 0u64;
    while out.len() < SIZE {
        let value = STANDARD.encode(format!("some-setting-{}-{}", i, rng.next()));
        out.extend_from_slice(
            format!("---\napiVersion: v1\nkind: Secret\ntype: Opaque\ndata:\n  key{i}: {value}\n")
                .as_bytes(),
        );
        i += 1;
    }
    out
}

fn bench(name: &str, bytes: usize, mut f: impl FnMut()) {
    // `cargo bench --bench micro -- decode::runs` runs only the benchmarks
    // whose name contains the words given.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if !filters.is_empty() && !filters.iter().any(|w| name.contains(w.as_str())) {
        return;
    }
    let mut times = Vec::new();
    let deadline = Instant::now() + Duration::from_millis(1500);
    while times.len() < 5 || (Instant::now() < deadline && times.len() < 50) {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    let mbs = bytes as f64 / (1 << 20) as f64 / median.as_secs_f64();
    println!(
        "{name:<40} {:>9.3} ms  {mbs:>9.0} MB/s  ({} rounds)",
        median.as_secs_f64() * 1e3,
        times.len()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass
    // test flags: only run when benchmarking.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let mut rng = Rng(0x5eed_c4ed_5ca9);
    let inputs = [
        ("code", code_text(&mut rng)),
        ("lockfile", lockfile_text(&mut rng)),
        ("secrets-yaml", secrets_yaml(&mut rng)),
        (
            "random-bytes-b64",
            STANDARD.encode(rng.bytes(SIZE * 3 / 4)).into_bytes(),
        ),
    ];
    println!("inputs: {} MiB each", SIZE >> 20);
    for (name, text) in &inputs {
        bench(&format!("decode::runs [{name}]"), text.len(), || {
            black_box(decode::runs(black_box(text)));
        });
        bench(&format!("prefilter::plan [{name}]"), text.len(), || {
            black_box(prefilter::plan(black_box(text)));
        });
        bench(&format!("scan::scan [{name}]"), text.len(), || {
            black_box(scan::scan(black_box(text)));
        });
        bench(&format!("scan::scan_full [{name}]"), text.len(), || {
            black_box(scan::scan_full(black_box(text)));
        });
    }
    // Decoders on small values, as the engine meets them.
    let auth = STANDARD.encode("ci-bot:FAKEpass-micro-0042");
    let values: Vec<String> = (0..10_000)
        .map(|i| STANDARD.encode(format!("user{i}:FAKEpass-{i}-credscan")))
        .collect();
    let total: usize = values.iter().map(String::len).sum();
    bench("decode::decode_text [10k pairs]", total, || {
        for v in &values {
            black_box(decode::decode_text(v.as_bytes()));
        }
    });
    let config = format!(
        r#"{{"auths":{{"ghcr.io":{{"auth":"{auth}"}},"quay.io":{{"auth":"{auth}"}}}},"credsStore":"desktop"}}"#
    );
    bench(
        "json::parse_at [config x 10k]",
        config.len() * 10_000,
        || {
            for _ in 0..10_000 {
                black_box(json::parse_at(black_box(config.as_bytes()), 0));
            }
        },
    );
}
