//! Docker/Podman registry config JSON (CS001): `auths` entries and legacy
//! `.dockercfg` host maps, in a config file or embedded anywhere (a shell
//! heredoc, an escaped JSON string, a notebook, a base64 value).
//!
//! The layered engine reads it (`engine.rs`, `Engine::entry`): the JSON is
//! found by its quoted `auth`/`auths` keys in every decoded layer.

use super::{Check, Form};
use crate::model::rule::Rule;

pub(crate) const FORM: Form = Form {
    slug: "docker-config",
    rule: Rule::DockerConfig,
    title: "Docker/Podman registry config",
    // A structured config has a quoted `auth`/`auths` key (or, encoded
    // without a keyword in clear, an encoded `"auth`: see the prefilter).
    gate: &["auth"],
    check: Check::Layered,
    hint: None,
    doc: "A docker/podman config JSON: every `auths` entry with `auth`, `username`+`password`, `identitytoken` or `registrytoken`, for any number of registries (Docker Hub's `https://index.docker.io/v1/` included), whatever keys stand beside it. Also legacy `.dockercfg` host maps and podman `auth.json` with namespaced keys (`quay.io/org/repo`). A single entry given base64-encoded under a credential key, as the Engine API's `X-Registry-Auth` JSON is outside a header (`registryAuth = \"eyJ…\"` with `{username, password, serveraddress}`), is read the same way.",
};
