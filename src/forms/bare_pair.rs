//! A bare base64 `user:password` (CS004), reported only in a credential
//! context: the value of a key naming auth, registry, docker or credential
//! (`REGISTRY_AUTH=`, Helm `imageCredentials.auth:`), or after
//! `Authorization: Basic`.
//!
//! The layered engine reads it (`engine.rs`, `Engine::bare_pair`): a
//! decoded layer that is itself `user:password` under such a key.

use super::{Check, Form};
use crate::model::rule::Rule;

pub(crate) const FORM: Form = Form {
    slug: "bare-pair",
    rule: Rule::BasicAuthPair,
    title: "base64 user:password in a credential context",
    // A key holding one of these words (lower-cased) makes a decoded pair a
    // credential; `basic` is `Authorization: Basic`.
    gate: &["auth", "regist", "docker", "cred", "basic"],
    check: Check::Layered,
    hint: None,
    doc: "A base64 `user:password` pair in a credential context: a key naming auth, registry, docker or credential (`REGISTRY_AUTH=`, Helm `imageCredentials.auth:`), or `Authorization: Basic`.",
};
