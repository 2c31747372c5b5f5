//! Rule identifiers: stable ids that baselines, SARIF and config refer to.

#![warn(missing_docs)]

use serde::Serialize;

/// A rule: what a finding is about. Several forms may share one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Rule {
    /// A docker/podman config JSON entry (`auths` map or legacy `.dockercfg`).
    #[serde(rename = "CS001")]
    DockerConfig,
    /// A Kubernetes `kubernetes.io/dockerconfigjson` or `dockercfg` Secret.
    #[serde(rename = "CS002")]
    KubernetesPullSecret,
    /// A base64 `user:password` pair in a credential context.
    #[serde(rename = "CS004")]
    BasicAuthPair,
    /// A registry login command with a literal password or token.
    #[serde(rename = "CS010")]
    LoginCommand,
    /// A registry credential written in a CI configuration file.
    #[serde(rename = "CS011")]
    CiCredential,
    /// A Docker Engine API `X-Registry-Auth` / `X-Registry-Config` header.
    #[serde(rename = "CS012")]
    EngineAuthHeader,
    /// A registry credential in a container runtime or scheduler config.
    #[serde(rename = "CS013")]
    RuntimeConfig,
    /// A registry credential in infrastructure code (Terraform, Ansible).
    #[serde(rename = "CS014")]
    IacCredential,
    /// A registry credential object in any structured text (YAML, JSON,
    /// TOML, HCL, XML, env files, code), found by its registry signal.
    #[serde(rename = "CS015")]
    RegistryCredential,
}

impl Rule {
    /// Every rule, in id order.
    pub const ALL: &'static [Rule] = &[
        Rule::DockerConfig,
        Rule::KubernetesPullSecret,
        Rule::BasicAuthPair,
        Rule::LoginCommand,
        Rule::CiCredential,
        Rule::EngineAuthHeader,
        Rule::RuntimeConfig,
        Rule::IacCredential,
        Rule::RegistryCredential,
    ];

    /// The stable id (`CS001`) baselines, SARIF and config use.
    pub fn id(self) -> &'static str {
        match self {
            Rule::DockerConfig => "CS001",
            Rule::KubernetesPullSecret => "CS002",
            Rule::BasicAuthPair => "CS004",
            Rule::LoginCommand => "CS010",
            Rule::CiCredential => "CS011",
            Rule::EngineAuthHeader => "CS012",
            Rule::RuntimeConfig => "CS013",
            Rule::IacCredential => "CS014",
            Rule::RegistryCredential => "CS015",
        }
    }

    /// The kebab-case name (`docker-config-credential`).
    pub fn name(self) -> &'static str {
        match self {
            Rule::DockerConfig => "docker-config-credential",
            Rule::KubernetesPullSecret => "kubernetes-pull-secret",
            Rule::BasicAuthPair => "basic-auth-pair",
            Rule::LoginCommand => "registry-login-command",
            Rule::CiCredential => "ci-registry-credential",
            Rule::EngineAuthHeader => "engine-api-auth-header",
            Rule::RuntimeConfig => "runtime-registry-config",
            Rule::IacCredential => "iac-registry-credential",
            Rule::RegistryCredential => "registry-credential",
        }
    }

    /// One sentence saying what the rule reports.
    pub fn description(self) -> &'static str {
        match self {
            Rule::DockerConfig => {
                "A Docker/Podman registry config (auths map or legacy .dockercfg) holds a credential"
            }
            Rule::KubernetesPullSecret => {
                "A Kubernetes image pull Secret (.dockerconfigjson/.dockercfg) holds a credential"
            }
            Rule::BasicAuthPair => {
                "A base64 user:password pair is written where a registry credential is expected"
            }
            Rule::LoginCommand => {
                "A registry login command (docker/podman/helm/oras/crane/skopeo/kubectl/ctr ...) carries a literal password or token"
            }
            Rule::CiCredential => {
                "A CI configuration (CircleCI, GitHub Actions, Bitbucket, Drone, Jenkins JCasC) holds a literal registry password"
            }
            Rule::EngineAuthHeader => {
                "A Docker Engine API X-Registry-Auth / X-Registry-Config header carries a credential"
            }
            Rule::RuntimeConfig => {
                "A containerd, k3s or Nomad registry auth config holds a literal credential"
            }
            Rule::IacCredential => {
                "Terraform registry_auth or an Ansible docker_login task holds a literal registry password"
            }
            Rule::RegistryCredential => {
                "A literal registry password or token sits in a credential object beside a registry (config, build file, SDK call, environment variable)"
            }
        }
    }

    /// The rule with this id or name, compared case-insensitively.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.id().eq_ignore_ascii_case(id) || r.name().eq_ignore_ascii_case(id))
    }
}

/// What the form registry says about one form, for the reporters (which
/// depend on the model, not on the forms): SARIF rule descriptors list the
/// forms of their rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormNote {
    /// The rule the form's findings carry.
    pub rule: Rule,
    /// The form's slug (`docker-config`).
    pub slug: &'static str,
    /// What the form is, in a few words.
    pub title: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_are_unique_and_round_trip() {
        let mut ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Rule::ALL.len());
        for &r in Rule::ALL {
            assert_eq!(Rule::from_id(r.id()), Some(r));
            assert_eq!(Rule::from_id(r.name()), Some(r));
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.id())
            );
            assert!(!r.description().is_empty());
        }
    }
}
