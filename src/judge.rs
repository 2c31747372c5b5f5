//! Judging a raw finding: what kind of secret it is and how severe
//! (`classify`), what to do about it (`fix`), and what of its line may be
//! shown (`snippet`).

#![warn(unreachable_pub)]

pub mod classify;
pub mod fix;
pub(crate) mod snippet;
