//! credscan: finds leaked Docker registry credentials.
//!
//! Data flows one way: `source` (files, stdin) -> `scan` (candidates, decoding
//! layer by layer, detectors) -> `finding` -> `suppress` -> `report`.
//! Only the `report` module prints.

// Slicing a `str` panics off a character boundary; untrusted text goes
// through `str::get` or byte slices instead.
#![cfg_attr(not(test), deny(clippy::string_slice))]

pub mod app;
pub mod classify;
pub mod cli;
pub mod decode;
pub mod detect;
pub mod finding;
pub mod fix;
pub mod json;
pub mod placeholder;
pub mod prefilter;
pub mod report;
pub mod rule;
pub mod scan;
pub mod settings;
pub mod source;
pub mod span;
pub mod suppress;
#[cfg(test)]
mod testing;
pub mod verify;
