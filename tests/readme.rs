//! The README's rules table is generated from the form registry
//! (`credscan::forms::rules_table`); this test fails when it is stale.
//! Run with `CREDSCAN_UPDATE_README=1` to rewrite it.

use std::path::Path;

const START: &str = "<!-- forms-table: generated from src/forms/*.rs by `cargo test --test readme`; do not edit -->\n";
const END: &str = "<!-- forms-table:end -->";

#[test]
fn readme_rules_table_matches_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let text = std::fs::read_to_string(&path).expect("README.md");
    let start = text
        .find(START)
        .expect("README has the forms-table start marker")
        + START.len();
    let end = start + text[start..].find(END).expect("README has the end marker");
    let want = credscan::forms::rules_table();
    if text[start..end] != want {
        if std::env::var_os("CREDSCAN_UPDATE_README").is_some() {
            let updated = format!("{}{want}{}", &text[..start], &text[end..]);
            std::fs::write(&path, updated).expect("write README.md");
            return;
        }
        panic!(
            "README.md's rules table is stale; run `CREDSCAN_UPDATE_README=1 cargo test --test readme`.\nExpected:\n{want}"
        );
    }
}
