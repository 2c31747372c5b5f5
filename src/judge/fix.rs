//! Fix hints: where to rotate (by token kind) and what to do instead (by
//! the place the credential was found). Everything is in one table,
//! `TABLE`, so the advice stays consistent across outputs.
//!
//! A hint is two sentences: the most specific `Rotate` row for the token
//! kind, then the most specific `Instead` row for the (kind, place) pair.
//! `{user}`, `{registry}`, `{acr}`, `{key_id}`, `{client_email}`,
//! `{project}` and `{detail}` are filled from the finding.

use crate::judge::classify::{is_acr_host, Class, TokenKind};
use crate::model::finding::Context;

/// Where a finding sits, from its context and path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A shell command (scripts, Makefiles, Dockerfile `RUN`, docs).
    Command,
    /// A CI configuration file.
    CiFile,
    /// A Kubernetes Secret.
    Kubernetes,
    /// A docker/podman config file.
    ConfigFile,
    /// A container runtime or scheduler config (containerd, k3s, Nomad).
    RuntimeConfig,
    /// Infrastructure code (Terraform, Ansible).
    Iac,
    Other,
}

impl Place {
    pub const ALL: &'static [Place] = &[
        Place::Command,
        Place::CiFile,
        Place::Kubernetes,
        Place::ConfigFile,
        Place::RuntimeConfig,
        Place::Iac,
        Place::Other,
    ];
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
    match context {
        Context::Kubernetes => Place::Kubernetes,
        Context::Ci => Place::CiFile,
        Context::RuntimeConfig => Place::RuntimeConfig,
        Context::Iac => Place::Iac,
        _ if is_ci_path(path) => Place::CiFile,
        Context::Command => Place::Command,
        Context::DockerConfig => Place::ConfigFile,
        Context::Other if is_docker_config_path(path) => Place::ConfigFile,
        Context::Other => Place::Other,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Rotate,
    Instead,
}

/// Token kinds that share advice.
#[derive(Debug, Clone, Copy)]
enum Kinds {
    Any,
    One(TokenKind),
    Of(&'static [TokenKind]),
}

impl Kinds {
    fn matches(self, k: TokenKind) -> Option<u8> {
        match self {
            Kinds::Any => Some(0),
            Kinds::One(x) => (x == k).then_some(2),
            Kinds::Of(xs) => xs.contains(&k).then_some(2),
        }
    }
}

struct Row {
    kinds: Kinds,
    place: Option<Place>,
    part: Part,
    text: &'static str,
}

const fn rotate(kind: TokenKind, text: &'static str) -> Row {
    Row {
        kinds: Kinds::One(kind),
        place: None,
        part: Part::Rotate,
        text,
    }
}

const fn instead(kinds: Kinds, place: Place, text: &'static str) -> Row {
    Row {
        kinds,
        place: Some(place),
        part: Part::Instead,
        text,
    }
}

use TokenKind as K;

const ECR: Kinds = Kinds::One(K::AwsEcrToken);
const GCP: Kinds = Kinds::Of(&[K::GcpServiceAccountKey, K::GcpAccessToken]);
const GITHUB: Kinds = Kinds::Of(&[K::GithubPat, K::GithubFineGrainedPat, K::GithubActionsToken]);
const GITLAB: Kinds = Kinds::Of(&[K::GitlabPat, K::GitlabDeployToken, K::GitlabJobToken]);
const ACR: Kinds = Kinds::Of(&[K::AzureAcrPassword, K::AzureAcrRefreshToken]);

/// The hint table. A row applies to a kind (or any), a place (or any) and
/// one part; the most specific matching row wins.
const TABLE: &[Row] = &[
    // Where to rotate, per token kind.
    rotate(K::DockerHubPat, "Revoke this personal access token at Docker Hub (Account settings -> Personal access tokens, https://app.docker.com/settings/personal-access-tokens) and create a new one with the narrowest access scope it needs."),
    rotate(K::DockerHubOat, "Revoke this organization access token at Docker Hub (Organization settings -> Access tokens) and issue a new one limited to the repositories it needs."),
    rotate(K::GithubPat, "Revoke this classic token at GitHub (Settings -> Developer settings -> Personal access tokens, https://github.com/settings/tokens); it can reach far more than packages, so check the security log for its use, and replace it with a fine-grained token limited to packages."),
    rotate(K::GithubFineGrainedPat, "Revoke this fine-grained token at GitHub (https://github.com/settings/personal-access-tokens) and create a new one limited to packages on the repositories it needs."),
    rotate(K::GithubActionsToken, "A `ghs_` token expires when its workflow job ends; if the run may still be going, cancel it, then remove the copy."),
    rotate(K::GitlabPat, "Revoke this personal access token in GitLab (User settings -> Access tokens); it grants the user's API access, so check the audit events. For registry access use a deploy token with only `read_registry`/`write_registry`."),
    rotate(K::GitlabDeployToken, "Revoke deploy token `{user}` in GitLab (the project's or group's Settings -> Repository -> Deploy tokens) and create a new one with only `read_registry`/`write_registry`."),
    rotate(K::GitlabJobToken, "A CI job token is valid only while its job runs: cancel the job if it may still be running, then remove the copy."),
    rotate(K::AwsEcrToken, "ECR tokens are valid for 12 hours ({detail}): nothing to revoke at the registry, but rotate the IAM credentials that requested it if they were exposed too, and check CloudTrail for pulls while it was valid."),
    rotate(K::GcpServiceAccountKey, "Delete the key now: `gcloud iam service-accounts keys delete {key_id} --iam-account {client_email} --project {project}` (IAM & Admin -> Service accounts -> Keys), then review the account's audit logs."),
    rotate(K::GcpAccessToken, "A Google access token expires within an hour; if it may still be valid, revoke it (https://oauth2.googleapis.com/revoke) and find the script that printed it (`gcloud auth print-access-token`)."),
    rotate(K::AzureAcrRefreshToken, "ACR refresh tokens expire on their own ({detail}); to cut access sooner, remove the identity's role assignment on the registry (`az role assignment delete`) or reset its credentials (`az ad sp credential reset`)."),
    rotate(K::AzureAcrPassword, "Regenerate it: `az acr credential renew --name {acr} --password-name password` for the admin user (better: `az acr update --name {acr} --admin-enabled false`), or `az acr token credential generate --name {user} --registry {acr}` for a repository-scoped token."),
    rotate(K::QuayRobotToken, "Regenerate the token of robot account `{user}` in Quay (Organization -> Robot Accounts -> Regenerate Token)."),
    rotate(K::HarborRobotSecret, "Refresh the secret of robot account `{user}` in Harbor (Project -> Robot Accounts, or Administration -> Robot Accounts -> Refresh Secret)."),
    rotate(K::NgcApiKey, "Revoke this key at NVIDIA NGC (Setup -> API Keys, https://org.ngc.nvidia.com/setup/api-keys) and generate a new personal or service key."),
    rotate(K::JfrogApiKey, "Revoke this API key in the JFrog Platform (Edit Profile -> API Key): it carries all of the user's permissions and never expires. Replace it with a scoped access token."),
    rotate(K::JfrogReferenceToken, "Revoke this access token in the JFrog Platform (Administration -> User Management -> Access Tokens) and issue one with the narrowest scope and an expiry."),
    rotate(K::OpenshiftPullSecret, "This is a Red Hat account's pull secret (console.redhat.com/openshift/install/pull-secret); it cannot be revoked from the console: ask Red Hat support to invalidate it, then update clusters (`oc set data secret/pull-secret -n openshift-config`)."),
    rotate(K::Password, "Change this password at {registry} (and wherever else it is used); prefer a scoped access token or robot account to an account password."),
    rotate(K::IdentityToken, "Revoke this refresh token at {registry}'s identity provider: run `docker logout` where it was created and revoke the OAuth grant."),
    rotate(K::RegistryToken, "Bearer tokens are short-lived; rotate the credentials that obtained it if they may be exposed too."),
    // What to do instead, per place.
    instead(Kinds::Any, Place::Command, "Do not pass secrets as arguments (they land in shell history, `ps` and CI logs): pipe them from a secret store with `--password-stdin` (`vault kv get -field=password secret/registry | docker login -u USER --password-stdin REGISTRY`), use a credential helper, and in Dockerfiles use `RUN --mount=type=secret`."),
    instead(Kinds::Any, Place::CiFile, "Store the value as a masked, protected secret of the CI system (GitHub Actions secrets, GitLab masked variables, CircleCI contexts, Bitbucket secured variables, Drone `from_secret`, Jenkins credentials) and reference it here (`${{ secrets.REGISTRY_TOKEN }}`, `$REGISTRY_TOKEN`); prefer OIDC federation where the registry supports it."),
    instead(Kinds::Any, Place::Kubernetes, "Stop committing the Secret: generate it from a secret manager with External Secrets Operator, or commit it encrypted (SealedSecrets, SOPS)."),
    instead(Kinds::Any, Place::ConfigFile, "Remove the file from git (and its history), then log in again with `docker logout` / `docker login` using a credential helper (`credsStore`/`credHelpers`) so no secret is written to the file."),
    instead(Kinds::Any, Place::RuntimeConfig, "Keep registry secrets out of runtime configs in git (containerd `config.toml`, k3s `registries.yaml`, Nomad jobs): render them at deploy time from a secret store (Vault, a Nomad `template`, a cloud secret manager) or use a credential helper or kubelet image credential provider."),
    instead(Kinds::Any, Place::Iac, "Read the value from a secret store at apply time instead of writing it in code (Terraform: a `sensitive` variable or a Vault / Secrets Manager data source; Ansible: Ansible Vault or a lookup plugin), and keep state files encrypted."),
    instead(Kinds::Any, Place::Other, "Move it to a secret store and reference it from the environment or a credential helper instead of writing it in the file."),
    // Registry-specific alternatives.
    instead(ECR, Place::Command, "Fetch a fresh token at run time instead of copying one: `aws ecr get-login-password --region REGION | docker login --username AWS --password-stdin {registry}`, or use amazon-ecr-credential-helper."),
    instead(ECR, Place::CiFile, "Use OIDC federation (`aws-actions/configure-aws-credentials` then `aws-actions/amazon-ecr-login`, or the CI system's AWS OIDC support) so no token or key is stored."),
    instead(ECR, Place::Kubernetes, "Let the nodes authenticate with the kubelet ECR credential provider (`ecr-credential-provider`) or EKS node roles, rather than a Secret that expires every 12 hours."),
    instead(ECR, Place::ConfigFile, "Use amazon-ecr-credential-helper (`\"credHelpers\": {\"{registry}\": \"ecr-login\"}`) so no token is written to the file."),
    instead(GCP, Place::Command, "Use `gcloud auth configure-docker` (credential helper) or `gcloud auth print-access-token | docker login -u oauth2accesstoken --password-stdin https://REGION-docker.pkg.dev`."),
    instead(GCP, Place::CiFile, "Use Workload Identity Federation (`google-github-actions/auth` with `workload_identity_provider`, or the CI system's OIDC support) instead of a key or token."),
    instead(GCP, Place::Kubernetes, "Use GKE Workload Identity or the node service account for Artifact Registry pulls instead of a key in a Secret."),
    instead(GCP, Place::ConfigFile, "Use the `gcloud` credential helper (`gcloud auth configure-docker`) or docker-credential-gcr so no key is written to the file."),
    instead(GITHUB, Place::CiFile, "In GitHub Actions log in to ghcr.io with `${{ secrets.GITHUB_TOKEN }}` and `permissions: packages: read` (or `write`); elsewhere store the token as a masked CI secret."),
    instead(GITLAB, Place::CiFile, "In GitLab CI use the predefined `$CI_REGISTRY_USER` / `$CI_REGISTRY_PASSWORD` (or `$CI_DEPLOY_USER` / `$CI_DEPLOY_PASSWORD` for a `gitlab-deploy-token`); elsewhere store the token as a masked CI secret."),
    instead(ACR, Place::Command, "Use `az acr login --name {acr}` with a managed identity or service principal login instead of a stored password; pipe tokens with `--password-stdin`."),
    instead(ACR, Place::CiFile, "Use OIDC (`azure/login` with federated credentials, then `az acr login --name {acr}`) instead of a stored password."),
    instead(ACR, Place::Kubernetes, "Attach the registry to the cluster (`az aks update --attach-acr {acr}`) or use workload identity instead of a pull Secret."),
];

/// The most specific row for `(kind, place, part)`.
fn lookup(kind: TokenKind, place: Place, part: Part) -> &'static str {
    TABLE
        .iter()
        .filter(|r| r.part == part)
        .filter_map(|r| {
            let k = r.kinds.matches(kind)?;
            let p = match r.place {
                None => 0,
                Some(p) if p == place => 1,
                Some(_) => return None,
            };
            Some((k + p, r.text))
        })
        .max_by_key(|(score, _)| *score)
        .map(|(_, text)| text)
        .unwrap_or("")
}

/// What a hint's placeholders are filled with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    pub registry: Option<&'a str>,
    pub username: Option<&'a str>,
}

/// The fix hint for a credential of class `class` found at `path` in
/// `context`.
pub fn hint(class: &Class, context: Context, path: &str, facts: Facts<'_>) -> String {
    let (rotate, instead) = hint_parts(class, context, path, facts);
    format!("{rotate} {instead}")
}

/// The hint's two parts: where to rotate, and what to do instead. `hint`
/// joins them with a space; human output prints each distinct part once.
pub fn hint_parts(
    class: &Class,
    context: Context,
    path: &str,
    facts: Facts<'_>,
) -> (String, String) {
    let place = place(context, path);
    (
        fill(lookup(class.kind, place, Part::Rotate), class, facts),
        fill(lookup(class.kind, place, Part::Instead), class, facts),
    )
}

fn fill(text: &str, class: &Class, facts: Facts<'_>) -> String {
    let gcp = class.gcp.clone().unwrap_or_default();
    let acr = facts
        .registry
        .filter(|r| is_acr_host(r))
        .map(|r| {
            let h = r
                .trim_start_matches("https://")
                .trim_start_matches("http://");
            h.split('.').next().unwrap_or(h).to_string()
        })
        .or_else(|| facts.username.map(str::to_string))
        .unwrap_or_else(|| "REGISTRY_NAME".to_string());
    text.replace("{user}", facts.username.unwrap_or("(unknown)"))
        .replace("{registry}", facts.registry.unwrap_or("the registry"))
        .replace("{acr}", &acr)
        .replace(
            "{key_id}",
            gcp.private_key_id.as_deref().unwrap_or("KEY_ID"),
        )
        .replace(
            "{client_email}",
            gcp.client_email.as_deref().unwrap_or("SA_EMAIL"),
        )
        .replace("{project}", gcp.project_id.as_deref().unwrap_or("PROJECT"))
        .replace(
            "{detail}",
            class.detail.as_deref().unwrap_or("expiry unknown"),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::classify::{base_severity, GcpKey};

    fn class(kind: TokenKind) -> Class {
        Class {
            kind,
            severity: base_severity(kind),
            detail: None,
            gcp: None,
        }
    }

    fn h(kind: TokenKind, context: Context, path: &str) -> String {
        hint(&class(kind), context, path, Facts::default())
    }

    #[test]
    fn hints_follow_the_place() {
        let pw = TokenKind::Password;
        assert!(h(pw, Context::Other, ".docker/config.json").contains("docker logout"));
        assert!(h(pw, Context::Kubernetes, "k8s/secret.yaml").contains("SealedSecrets"));
        assert!(h(pw, Context::DockerConfig, ".gitlab-ci.yml").contains("masked"));
        assert!(h(pw, Context::Other, "ci/.github/workflows/x.yml").contains("masked"));
        assert!(h(pw, Context::Other, "scripts/setup.sh").contains("secret store"));
        assert!(h(pw, Context::Command, "scripts/setup.sh").contains("--password-stdin"));
        assert!(h(pw, Context::Command, ".gitlab-ci.yml").contains("masked"));
        assert!(h(pw, Context::RuntimeConfig, "etc/config.toml").contains("containerd"));
        assert!(h(pw, Context::Iac, "main.tf").contains("sensitive"));
    }

    #[test]
    fn hints_follow_the_kind() {
        let hub = h(TokenKind::DockerHubPat, Context::Command, "a.sh");
        assert!(
            hub.contains("app.docker.com/settings/personal-access-tokens"),
            "{hub}"
        );
        let ecr = h(TokenKind::AwsEcrToken, Context::Command, "a.sh");
        assert!(ecr.contains("aws ecr get-login-password"), "{ecr}");
        let gh = h(TokenKind::GithubPat, Context::Ci, "x.yml");
        assert!(gh.contains("github.com/settings/tokens") && gh.contains("GITHUB_TOKEN"));
        let quay = hint(
            &class(TokenKind::QuayRobotToken),
            Context::DockerConfig,
            "config.json",
            Facts {
                registry: Some("quay.io"),
                username: Some("acme+ci"),
            },
        );
        assert!(quay.contains("`acme+ci`") && quay.contains("credential helper"));
        let acr = hint(
            &class(TokenKind::AzureAcrPassword),
            Context::Kubernetes,
            "s.yaml",
            Facts {
                registry: Some("fakereg.azurecr.io"),
                username: Some("fakereg"),
            },
        );
        assert!(
            acr.contains("az acr credential renew --name fakereg"),
            "{acr}"
        );
        assert!(acr.contains("--attach-acr fakereg"), "{acr}");
    }

    #[test]
    fn gcp_hint_names_the_key_to_delete() {
        let mut c = class(TokenKind::GcpServiceAccountKey);
        c.gcp = Some(GcpKey {
            project_id: Some("fake-project".into()),
            client_email: Some("ci@fake-project.iam.gserviceaccount.test".into()),
            private_key_id: Some("fake0key0id".into()),
            has_private_key: true,
        });
        let text = hint(&c, Context::Ci, ".circleci/config.yml", Facts::default());
        assert!(text.contains(
            "keys delete fake0key0id --iam-account ci@fake-project.iam.gserviceaccount.test --project fake-project"
        ));
        assert!(text.contains("Workload Identity Federation"));
    }

    #[test]
    fn every_kind_and_place_has_one_specific_hint() {
        for &kind in TokenKind::ALL {
            for &place in Place::ALL {
                for part in [Part::Rotate, Part::Instead] {
                    let scores: Vec<u8> = TABLE
                        .iter()
                        .filter(|r| r.part == part)
                        .filter_map(|r| {
                            let k = r.kinds.matches(kind)?;
                            match r.place {
                                None => Some(k),
                                Some(p) if p == place => Some(k + 1),
                                Some(_) => None,
                            }
                        })
                        .collect();
                    let best = scores.iter().max().copied();
                    assert!(best.is_some(), "{kind:?} {place:?} {part:?}: no hint");
                    let n = scores.iter().filter(|&&s| Some(s) == best).count();
                    assert_eq!(n, 1, "{kind:?} {place:?} {part:?}: ambiguous hint");
                }
                let text = lookup(kind, place, Part::Rotate);
                assert!(!text.is_empty());
            }
        }
    }
}
