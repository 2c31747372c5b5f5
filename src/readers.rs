//! Readers: span-keeping parsers for the text formats credentials are
//! written in (JSON, YAML, HCL, shell words and command arguments, base64).
//! They know nothing of credentials; the forms ask them for keys, values
//! and offsets.

#![warn(unreachable_pub)]

pub(crate) mod args;
pub mod decode;
pub(crate) mod hcl;
pub mod json;
pub(crate) mod shell;
pub(crate) mod yaml;
