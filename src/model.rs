//! The vocabulary every stage speaks: findings and the secrets they carry,
//! rule identifiers, byte spans and line positions. Nothing here scans,
//! decides or prints.

#![warn(unreachable_pub)]

pub mod finding;
pub mod kind;
pub(crate) mod path;
pub mod rule;
pub mod snippet;
pub mod span;
pub mod verification;
