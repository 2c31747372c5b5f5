//! Classification: what kind of token a finding holds and how bad its leak
//! is (docs/classification.md).
//!
//! Every finding is classified from its username, secret, secret field and
//! registry, whichever detector produced it. The kind decides where to
//! rotate (see `fix`); the severity ranks the findings for the user:
//!
//! - **critical**: long-lived and reaching beyond one registry, or carrying
//!   a private key (GCP service-account keys, GitHub classic PATs, GitLab
//!   PATs, JFrog API keys).
//! - **high**: long-lived, registry-scoped (Docker Hub tokens, robots,
//!   deploy tokens, plain passwords, refresh tokens of unknown lifetime).
//! - **medium**: short-lived tokens that may still be valid (ECR tokens
//!   before their `expiration`, GCP access tokens, CI job tokens).
//! - **low**: tokens shown to have expired (ECR `expiration` or JWT `exp`
//!   in the past).
//!
//! Only the token's shape is used: nothing here touches the network.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::model::finding::SecretKind;
use crate::readers::decode;

use crate::model::kind::ISSUER_PREFIXES;
pub use crate::model::kind::{is_recognised_token, Severity, TokenKind};

/// The outcome of classifying one secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    pub kind: TokenKind,
    pub severity: Severity,
    /// What the secret itself revealed: expiry, GCP project and account.
    pub detail: Option<String>,
    /// GCP service-account key facts, for the fix hint.
    pub gcp: Option<GcpKey>,
}

/// The non-secret identifiers of a GCP service-account key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GcpKey {
    pub project_id: Option<String>,
    pub client_email: Option<String>,
    pub private_key_id: Option<String>,
    pub has_private_key: bool,
}

/// What to classify.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub username: Option<&'a str>,
    pub secret: &'a str,
    pub field: SecretKind,
    pub registry: Option<&'a str>,
}

/// Classifies a secret, judging expiry against the current time.
pub fn classify(input: Input<'_>) -> Class {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    classify_at(input, now)
}

/// Classifies a secret, judging expiry against `now` (Unix seconds).
pub fn classify_at(input: Input<'_>, now: i64) -> Class {
    let kind = kind_of(&input);
    let mut class = Class {
        kind,
        severity: base_severity(kind),
        detail: None,
        gcp: None,
    };
    match kind {
        TokenKind::AwsEcrToken => {
            let exp = ecr_expiration(input.secret);
            class.detail = Some(expiry_detail(exp, now));
            if exp.is_some_and(|e| e <= now) {
                class.severity = Severity::Low;
            }
        }
        TokenKind::GcpServiceAccountKey => {
            let key = gcp_key(input.secret);
            class.detail = Some(gcp_detail(key.as_ref()));
            if !key.as_ref().is_some_and(|k| k.has_private_key) {
                class.severity = Severity::High;
            }
            class.gcp = key;
        }
        TokenKind::AzureAcrRefreshToken | TokenKind::IdentityToken | TokenKind::RegistryToken => {
            if let Some(exp) = jwt_expiration(input.secret) {
                class.detail = Some(expiry_detail(Some(exp), now));
                if exp <= now {
                    class.severity = Severity::Low;
                }
            }
        }
        _ => {}
    }
    class
}

/// The severity of a kind before expiry or key contents are considered.
pub fn base_severity(kind: TokenKind) -> Severity {
    use TokenKind::*;
    match kind {
        GcpServiceAccountKey | GithubPat | GitlabPat | JfrogApiKey => Severity::Critical,
        DockerHubPat | DockerHubOat | GithubFineGrainedPat | GitlabDeployToken | QuayRobotToken
        | HarborRobotSecret | NgcApiKey | JfrogReferenceToken | OpenshiftPullSecret
        | AzureAcrPassword | Password | IdentityToken => Severity::High,
        AwsEcrToken | GcpAccessToken | GithubActionsToken | GitlabJobToken
        | AzureAcrRefreshToken | RegistryToken => Severity::Medium,
    }
}

/// Puts a recognised token where the secret goes: `ghp_...:x-oauth-basic`
/// and other pairs that carry the token in the username slot become the
/// token as secret and the other half as username. When both halves are
/// tokens the username is redacted. The username returned never holds a
/// recognised token.
pub fn token_as_secret(username: Option<String>, secret: String) -> (Option<String>, String) {
    let real = |s: &str| is_recognised_token(s) && !crate::forms::placeholder::is_placeholder(s);
    match username {
        Some(u) if real(&u) => {
            if is_recognised_token(&secret) {
                (Some(crate::model::finding::redact(&u)), secret)
            } else {
                let other = secret.trim();
                let user = (!other.is_empty()).then(|| other.to_string());
                (user, u)
            }
        }
        other => (other, secret),
    }
}

const ACR_USER: &str = "00000000-0000-0000-0000-000000000000";

fn kind_of(input: &Input<'_>) -> TokenKind {
    let secret = input.secret.trim();
    if let Some((_, kind)) = ISSUER_PREFIXES.iter().find(|(p, _)| secret.starts_with(p)) {
        return *kind;
    }
    let user = input.username.unwrap_or("").trim();
    let lower = user.to_ascii_lowercase();
    match lower.as_str() {
        "aws" => return TokenKind::AwsEcrToken,
        "_json_key" | "_json_key_base64" => return TokenKind::GcpServiceAccountKey,
        "oauth2accesstoken" => return TokenKind::GcpAccessToken,
        "gitlab-ci-token" => return TokenKind::GitlabJobToken,
        "$oauthtoken" => return TokenKind::NgcApiKey,
        ACR_USER => return TokenKind::AzureAcrRefreshToken,
        _ => {}
    }
    if lower.starts_with("openshift-release-dev+") {
        return TokenKind::OpenshiftPullSecret;
    }
    if lower.starts_with("gitlab+deploy-token") {
        return TokenKind::GitlabDeployToken;
    }
    if lower.starts_with("robot$") {
        return TokenKind::HarborRobotSecret;
    }
    if is_quay_robot(user) {
        return TokenKind::QuayRobotToken;
    }
    if secret.starts_with("eyJwYXlsb2FkIjoi") {
        return TokenKind::AwsEcrToken;
    }
    if secret.starts_with("eyJ0eXBlIjoic2VydmljZV9hY2NvdW50")
        || (secret.starts_with('{') && secret.contains("service_account"))
    {
        return TokenKind::GcpServiceAccountKey;
    }
    let acr_host = input.registry.is_some_and(is_acr_host);
    if is_acr_admin_password(secret) {
        return TokenKind::AzureAcrPassword;
    }
    match input.field {
        SecretKind::IdentityToken if acr_host => TokenKind::AzureAcrRefreshToken,
        SecretKind::IdentityToken => TokenKind::IdentityToken,
        SecretKind::RegistryToken => TokenKind::RegistryToken,
        SecretKind::Password if acr_host => TokenKind::AzureAcrPassword,
        SecretKind::Password => TokenKind::Password,
    }
}

/// `org+name`: a Quay robot account.
fn is_quay_robot(user: &str) -> bool {
    let Some((org, name)) = user.split_once('+') else {
        return false;
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
    };
    ok(org) && ok(name)
}

/// `*.azurecr.io` and the sovereign clouds' equivalents.
pub fn is_acr_host(registry: &str) -> bool {
    let host = registry
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host = host.split('/').next().unwrap_or(host).to_ascii_lowercase();
    [".azurecr.io", ".azurecr.cn", ".azurecr.us", ".azurecr.de"]
        .iter()
        .any(|s| host.ends_with(s))
}

/// ACR admin and token passwords: 42 base64 characters, `+ACR`, 6 more.
/// Byte-level: the secret is untrusted text, and a multi-byte character
/// may straddle any fixed offset.
fn is_acr_admin_password(s: &str) -> bool {
    let b = s.as_bytes();
    let [head @ .., b'+', b'A', b'C', b'R', t0, t1, t2, t3, t4, t5] = b else {
        return false;
    };
    head.len() == 42
        && head
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/'))
        && [t0, t1, t2, t3, t4, t5]
            .iter()
            .all(|c| c.is_ascii_alphanumeric())
}

/// The `expiration` of an ECR token: base64 JSON with `payload`.
pub fn ecr_expiration(secret: &str) -> Option<i64> {
    let json = decode::decode_text(secret.trim().as_bytes())?;
    let v: serde_json::Value = serde_json::from_str(&json).ok()?;
    number(v.get("expiration")?)
}

/// The `exp` claim of a JWT.
pub fn jwt_expiration(secret: &str) -> Option<i64> {
    let mut parts = secret.trim().split('.');
    let (header, claims) = (parts.next()?, parts.next()?);
    if !header.starts_with("eyJ") {
        return None;
    }
    let json = decode::decode_text(claims.as_bytes())?;
    let v: serde_json::Value = serde_json::from_str(&json).ok()?;
    number(v.get("exp")?)
}

fn number(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The identifiers in a `_json_key` (raw JSON) or `_json_key_base64`
/// (base64 JSON) password.
fn gcp_key(secret: &str) -> Option<GcpKey> {
    let t = secret.trim();
    let json = if t.starts_with('{') {
        t.to_string()
    } else {
        decode::decode_text(t.as_bytes())?
    };
    let v: serde_json::Value = serde_json::from_str(&json).ok()?;
    let field = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    };
    Some(GcpKey {
        project_id: field("project_id"),
        client_email: field("client_email"),
        private_key_id: field("private_key_id"),
        has_private_key: field("private_key").is_some_and(|k| k.contains("PRIVATE KEY")),
    })
}

fn gcp_detail(key: Option<&GcpKey>) -> String {
    let Some(k) = key else {
        return "service-account JSON not readable".to_string();
    };
    let mut parts = Vec::new();
    if let Some(p) = &k.project_id {
        parts.push(format!("project {p}"));
    }
    if let Some(e) = &k.client_email {
        parts.push(format!("client_email {e}"));
    }
    if let Some(id) = &k.private_key_id {
        parts.push(format!("private_key_id {id}"));
    }
    parts.push(
        if k.has_private_key {
            "holds a private key"
        } else {
            "no private key inside"
        }
        .to_string(),
    );
    parts.join(", ")
}

fn expiry_detail(exp: Option<i64>, now: i64) -> String {
    match exp {
        Some(e) if e <= now => format!("expired {}", iso8601(e)),
        Some(e) => format!("expires {}", iso8601(e)),
        None => "expiration not readable".to_string(),
    }
}

/// Unix seconds as `YYYY-MM-DDThh:mm:ssZ` (proleptic Gregorian, UTC).
pub fn iso8601(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests;
