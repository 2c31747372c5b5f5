//! What a secret is (`TokenKind`) and how bad its leak is (`Severity`):
//! the vocabulary `judge::classify` decides and the reporters print, and
//! the prefixes that name a token's issuer (which the forms' plausibility
//! checks and the classifier both read).

#![warn(missing_docs)]

/// How bad a leak is. Ordered from worst to mildest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Long-lived and reaching beyond one registry, or carrying a private key.
    Critical,
    /// Long-lived and registry-scoped.
    High,
    /// Short-lived, possibly still valid.
    Medium,
    /// Shown to have expired.
    Low,
}

impl Severity {
    /// The lower-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// The kind of token a secret is. `as_str` is the JSON `secret_kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Docker Hub personal access token (`dckr_pat_`).
    DockerHubPat,
    /// Docker Hub organization access token (`dckr_oat_`).
    DockerHubOat,
    /// GitHub classic personal access token (`ghp_`).
    GithubPat,
    /// GitHub fine-grained personal access token (`github_pat_`).
    GithubFineGrainedPat,
    /// GitHub Actions job token (`ghs_`).
    GithubActionsToken,
    /// GitLab personal access token (`glpat-`).
    GitlabPat,
    /// GitLab deploy token (`gldt-`, user `gitlab+deploy-token-N`).
    GitlabDeployToken,
    /// GitLab CI job token (user `gitlab-ci-token`, `glcbt-`).
    GitlabJobToken,
    /// AWS ECR authorization token (user `AWS`).
    AwsEcrToken,
    /// GCP service-account key JSON (user `_json_key`).
    GcpServiceAccountKey,
    /// GCP OAuth access token (`ya29.`, user `oauth2accesstoken`).
    GcpAccessToken,
    /// Azure Container Registry refresh token.
    AzureAcrRefreshToken,
    /// Azure Container Registry admin or token password.
    AzureAcrPassword,
    /// Quay robot account token (user `org+name`).
    QuayRobotToken,
    /// Harbor robot account secret (user `robot$...`).
    HarborRobotSecret,
    /// NVIDIA NGC API key (user `$oauthtoken`, `nvapi-`).
    NgcApiKey,
    /// JFrog API key (`AKCp`).
    JfrogApiKey,
    /// JFrog reference token (`cmVmdGtu`).
    JfrogReferenceToken,
    /// OpenShift / Red Hat pull secret (user `openshift-release-dev+ocm_access_...`).
    OpenshiftPullSecret,
    /// A password of no recognised token shape.
    Password,
    /// An OAuth refresh token (`identitytoken`) of no recognised registry.
    IdentityToken,
    /// A bearer token (`registrytoken`).
    RegistryToken,
}

impl TokenKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [TokenKind] = &[
        TokenKind::DockerHubPat,
        TokenKind::DockerHubOat,
        TokenKind::GithubPat,
        TokenKind::GithubFineGrainedPat,
        TokenKind::GithubActionsToken,
        TokenKind::GitlabPat,
        TokenKind::GitlabDeployToken,
        TokenKind::GitlabJobToken,
        TokenKind::AwsEcrToken,
        TokenKind::GcpServiceAccountKey,
        TokenKind::GcpAccessToken,
        TokenKind::AzureAcrRefreshToken,
        TokenKind::AzureAcrPassword,
        TokenKind::QuayRobotToken,
        TokenKind::HarborRobotSecret,
        TokenKind::NgcApiKey,
        TokenKind::JfrogApiKey,
        TokenKind::JfrogReferenceToken,
        TokenKind::OpenshiftPullSecret,
        TokenKind::Password,
        TokenKind::IdentityToken,
        TokenKind::RegistryToken,
    ];

    /// The kebab-case name: the JSON `secret_kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::DockerHubPat => "docker-hub-pat",
            TokenKind::DockerHubOat => "docker-hub-oat",
            TokenKind::GithubPat => "github-pat",
            TokenKind::GithubFineGrainedPat => "github-fine-grained-pat",
            TokenKind::GithubActionsToken => "github-actions-token",
            TokenKind::GitlabPat => "gitlab-pat",
            TokenKind::GitlabDeployToken => "gitlab-deploy-token",
            TokenKind::GitlabJobToken => "gitlab-job-token",
            TokenKind::AwsEcrToken => "aws-ecr-token",
            TokenKind::GcpServiceAccountKey => "gcp-service-account-key",
            TokenKind::GcpAccessToken => "gcp-access-token",
            TokenKind::AzureAcrRefreshToken => "azure-acr-refresh-token",
            TokenKind::AzureAcrPassword => "azure-acr-password",
            TokenKind::QuayRobotToken => "quay-robot-token",
            TokenKind::HarborRobotSecret => "harbor-robot-secret",
            TokenKind::NgcApiKey => "ngc-api-key",
            TokenKind::JfrogApiKey => "jfrog-api-key",
            TokenKind::JfrogReferenceToken => "jfrog-reference-token",
            TokenKind::OpenshiftPullSecret => "openshift-pull-secret",
            TokenKind::Password => "password",
            TokenKind::IdentityToken => "identity-token",
            TokenKind::RegistryToken => "registry-token",
        }
    }

    /// A short human description.
    pub fn describe(self) -> &'static str {
        match self {
            TokenKind::DockerHubPat => "Docker Hub personal access token",
            TokenKind::DockerHubOat => "Docker Hub organization access token",
            TokenKind::GithubPat => "GitHub personal access token (classic)",
            TokenKind::GithubFineGrainedPat => "GitHub fine-grained personal access token",
            TokenKind::GithubActionsToken => "GitHub Actions installation token",
            TokenKind::GitlabPat => "GitLab personal access token",
            TokenKind::GitlabDeployToken => "GitLab deploy token",
            TokenKind::GitlabJobToken => "GitLab CI job token",
            TokenKind::AwsEcrToken => "AWS ECR authorization token",
            TokenKind::GcpServiceAccountKey => "Google Cloud service-account key",
            TokenKind::GcpAccessToken => "Google OAuth2 access token",
            TokenKind::AzureAcrRefreshToken => "Azure Container Registry refresh token",
            TokenKind::AzureAcrPassword => "Azure Container Registry admin or token password",
            TokenKind::QuayRobotToken => "Quay robot account token",
            TokenKind::HarborRobotSecret => "Harbor robot account secret",
            TokenKind::NgcApiKey => "NVIDIA NGC API key",
            TokenKind::JfrogApiKey => "JFrog API key",
            TokenKind::JfrogReferenceToken => "JFrog reference (access) token",
            TokenKind::OpenshiftPullSecret => "Red Hat OpenShift pull secret",
            TokenKind::Password => "registry password",
            TokenKind::IdentityToken => "registry OAuth refresh token",
            TokenKind::RegistryToken => "registry bearer token",
        }
    }
}

/// Secret prefixes that name their issuer, in the order the classifier
/// tries them.
pub const ISSUER_PREFIXES: &[(&str, TokenKind)] = &[
    ("dckr_pat_", TokenKind::DockerHubPat),
    ("dckr_oat_", TokenKind::DockerHubOat),
    ("github_pat_", TokenKind::GithubFineGrainedPat),
    ("ghp_", TokenKind::GithubPat),
    ("ghs_", TokenKind::GithubActionsToken),
    ("glpat-", TokenKind::GitlabPat),
    ("gldt-", TokenKind::GitlabDeployToken),
    ("glcbt-", TokenKind::GitlabJobToken),
    ("nvapi-", TokenKind::NgcApiKey),
    ("AKCp", TokenKind::JfrogApiKey),
    ("cmVmdGtu", TokenKind::JfrogReferenceToken),
    ("ya29.", TokenKind::GcpAccessToken),
];

/// Whether `s` is a token of a recognised issuer: one of the issuer
/// prefixes followed by at least 8 token characters. Such a value is a
/// secret wherever it sits, the username slot included.
pub fn is_recognised_token(s: &str) -> bool {
    let s = s.trim();
    ISSUER_PREFIXES.iter().any(|(p, _)| {
        s.strip_prefix(p).is_some_and(|rest| {
            rest.len() >= 8
                && rest.bytes().all(|c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, b'_' | b'-' | b'.' | b'=' | b'+' | b'/')
                })
        })
    })
}
