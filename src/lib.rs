//! credscan: finds leaked Docker registry credentials.
//!
//! The modules are pipeline stages; each uses only the stages above it:
//!
//! - `model`: findings, secrets, rules, spans (vocabulary only);
//! - `readers`: span-keeping parsers (JSON, YAML, HCL, shell, base64);
//! - `forms`: the credential forms, one per file;
//! - `engine`: the prefilter and the layered scan that runs the forms;
//! - `judge`: classification, severity and fix hints;
//! - `input`: files, standard input and the git index, read and scanned;
//! - `suppress` and `report` (which depend on the model only);
//! - `verify`: opt-in checks of findings against their registries, the
//!   only network code (run by `app` under `--verify` alone);
//! - `settings`, `cli` and `app`: the command line and the config file.
//!
//! Only the `report` module prints.

// Slicing a `str` panics off a character boundary; untrusted text goes
// through `str::get` or byte slices instead.
#![cfg_attr(not(test), deny(clippy::string_slice))]

pub mod app;
pub(crate) mod cli;
pub mod engine;
pub mod forms;
pub mod input;
pub mod judge;
pub mod model;
pub mod readers;
pub mod report;
pub(crate) mod settings;
pub mod suppress;
#[cfg(test)]
mod testing;
pub mod verify;
