//! Kubernetes image pull Secrets (CS002): `kubernetes.io/dockerconfigjson`
//! and `dockercfg` Secrets, whose `.dockerconfigjson` / `.dockercfg` value
//! holds a docker config, base64 under `data` or raw JSON under
//! `stringData`.
//!
//! The layered engine reads it (`engine.rs`): a docker config entry, or a
//! bare `user:password`, found under one of those keys carries this rule;
//! so does a `--set[-string] ….dockerconfigjson=<base64>` value of a helm
//! command (the chart's pull secret, with the command line's fix).

use super::{Check, Form};
use crate::model::rule::Rule;

pub(crate) const FORM: Form = Form {
    slug: "kubernetes",
    rule: Rule::KubernetesPullSecret,
    title: "Kubernetes image pull Secret",
    // Its data key is `.dockerconfigjson` or `.dockercfg`.
    gate: &["docker"],
    check: Check::Layered,
    hint: None,
    doc: "The same JSON in a Kubernetes `kubernetes.io/dockerconfigjson` or `dockercfg` Secret. The value may be under `data` (base64; plain, quoted, folded with `>-`/`\\|`, or wrapped across lines) or under `stringData` (raw JSON). Multi-document YAML, JSON manifests and `List` objects are covered, and so is a chart's pull secret given on a command line (`helm install … --set imagePullSecret.dockerconfigjson=<base64>`, `--set-string`).",
};
