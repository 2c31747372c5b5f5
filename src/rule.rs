//! Rule identifiers: stable ids that baselines, SARIF and config refer to.

use serde::Serialize;

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
}

impl Rule {
    pub const ALL: &'static [Rule] = &[
        Rule::DockerConfig,
        Rule::KubernetesPullSecret,
        Rule::BasicAuthPair,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::DockerConfig => "CS001",
            Rule::KubernetesPullSecret => "CS002",
            Rule::BasicAuthPair => "CS004",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Rule::DockerConfig => "docker-config-credential",
            Rule::KubernetesPullSecret => "kubernetes-pull-secret",
            Rule::BasicAuthPair => "basic-auth-pair",
        }
    }

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
        }
    }

    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.id().eq_ignore_ascii_case(id) || r.name().eq_ignore_ascii_case(id))
    }
}
