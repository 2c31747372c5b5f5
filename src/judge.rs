//! Judging a raw finding: what kind of secret it is and how severe
//! (`classify`), and what to do about it (`fix`).

#![warn(unreachable_pub)]

pub mod classify;
pub mod fix;
