//! Fix hints, chosen by where a credential was found. One table, so the
//! advice stays consistent across outputs.

use crate::finding::Context;

/// The kind of file a finding is in, from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    DockerConfigFile,
    Kubernetes,
    CiFile,
    Other,
}

/// CI configuration files by name or directory.
pub fn is_ci_path(path: &str) -> bool {
    let p = path.replace('\\', "/").to_ascii_lowercase();
    let name = p.rsplit('/').next().unwrap_or(&p);
    p.contains(".github/workflows/")
        || p.contains(".circleci/")
        || p.contains(".buildkite/")
        || p.contains(".gitlab/ci")
        || matches!(
            name,
            ".gitlab-ci.yml"
                | ".gitlab-ci.yaml"
                | "bitbucket-pipelines.yml"
                | ".drone.yml"
                | ".woodpecker.yml"
                | "azure-pipelines.yml"
                | "jenkinsfile"
                | ".travis.yml"
                | "cloudbuild.yaml"
                | "buildspec.yml"
                | "codefresh.yml"
        )
}

fn is_docker_config_path(path: &str) -> bool {
    let p = path.replace('\\', "/").to_ascii_lowercase();
    let name = p.rsplit('/').next().unwrap_or(&p);
    matches!(name, ".dockercfg" | "auth.json")
        || (name == "config.json" && (p.contains(".docker/") || p.contains("docker")))
        || name.ends_with(".dockercfg")
}

pub fn place(context: Context, path: &str) -> Place {
    if context == Context::Kubernetes {
        Place::Kubernetes
    } else if is_ci_path(path) {
        Place::CiFile
    } else if is_docker_config_path(path) || context == Context::DockerConfig {
        Place::DockerConfigFile
    } else {
        Place::Other
    }
}

/// The fix hint for a credential found at `path` in `context`.
pub fn hint(context: Context, path: &str) -> &'static str {
    match place(context, path) {
        Place::DockerConfigFile => {
            "Remove this file from git (and its history), rotate the credential at the registry, \
             then log in again with `docker logout` / `docker login` using a credential helper \
             (`credsStore`/`credHelpers`) so no secret is written to the file."
        }
        Place::Kubernetes => {
            "Rotate the credential at the registry, then stop committing the Secret: generate it \
             from a secret manager with External Secrets Operator, or commit it encrypted \
             (SealedSecrets, SOPS)."
        }
        Place::CiFile => {
            "Rotate the credential at the registry and store it as a masked, protected CI \
             variable (or the CI system's secret store); reference the variable here instead \
             of the value."
        }
        Place::Other => {
            "Rotate the credential at the registry and move it to a secret store; reference it \
             from the environment or a credential helper instead of writing it in the file."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_follow_the_place() {
        assert!(hint(Context::Other, ".docker/config.json").contains("docker logout"));
        assert!(hint(Context::Kubernetes, "k8s/secret.yaml").contains("SealedSecrets"));
        assert!(hint(Context::DockerConfig, ".gitlab-ci.yml").contains("masked"));
        assert!(hint(Context::Other, "ci/.github/workflows/x.yml").contains("masked"));
        assert!(hint(Context::Other, "scripts/setup.sh").contains("secret store"));
    }
}
