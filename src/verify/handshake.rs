//! The Docker Registry HTTP API v2 login handshake, as `docker login` does
//! it (distribution's token and OAuth2 specifications):
//!
//! 1. `GET /v2/` without credentials. `200` means the registry does not ask
//!    for any, so nothing can be learned. `401` names the scheme in
//!    `WWW-Authenticate`.
//! 2. `Basic`: `GET /v2/` again with Basic credentials (ECR, ACR admin
//!    users, htpasswd registries): `200` live, `401`/`403` invalid.
//! 3. `Bearer realm=R,service=S`: ask the token service.
//!    - a password: `GET R?service=S&account=USER` with Basic credentials
//!      (Docker Hub, GHCR, GitLab, Quay, Harbor, GCR/Artifact Registry with
//!      `_json_key` or `oauth2accesstoken`, ACR with a token or
//!      `00000000-0000-0000-0000-000000000000` and a refresh token);
//!    - an identity token: the OAuth2 `POST R` with
//!      `grant_type=refresh_token` (ACR and others);
//!
//!    then `GET /v2/` with the issued token. Basic is always sent, so an
//!    anonymous token never counts as live.
//! 4. A `registrytoken` is a bearer token: `GET /v2/` with it.
//!
//! ECR tokens and JWT identity or registry tokens that have expired are
//! invalid without any request.

use std::time::{SystemTime, UNIX_EPOCH};

use super::challenge::{parse_challenges, Challenge};
use super::http::{query_escape, Auth, Client, Origin, Request, Response};
use super::pool::Credential;
use super::target::Target;
use super::Verification;
use crate::judge::classify::{self, TokenKind};
use crate::model::finding::SecretKind;

/// The OAuth2 client id credscan announces to token services.
const CLIENT_ID: &str = "credscan";

pub fn check(client: &Client, cred: &Credential) -> Verification {
    let Some(target) = &cred.target else {
        return Verification::unknown(format!("`{}` is not a registry host name", cred.registry));
    };
    if let Some(v) = expired_offline(cred) {
        return v;
    }
    let secret = cred.secret.expose();
    let user = cred.username.as_deref().unwrap_or("");
    if cred.kind == SecretKind::Password && user.is_empty() {
        return Verification::unknown("no username: a password cannot be checked without one");
    }

    // 1. The anonymous probe decides the scheme for an insecure registry:
    // HTTPS without verification first, then plain HTTP, as the docker
    // daemon does.
    let insecure = client.is_insecure(&target.host, target.port);
    let (base, probe) = match probe(client, target, "https") {
        Ok(r) => (base_url(target, "https"), r),
        Err(e) if insecure => match probe(client, target, "http") {
            Ok(r) => (base_url(target, "http"), r),
            Err(e2) => return Verification::unknown(format!("{e}; over plain HTTP: {e2}")),
        },
        Err(e) => return Verification::unknown(e),
    };
    let v2 = format!("{base}/v2/");

    match probe.status {
        200 => {
            return Verification::unknown(
                "the registry answers /v2/ without authentication, so it does not check credentials there",
            )
        }
        401 => {}
        s => return Verification::unknown(unexpected("/v2/", s)),
    }
    if cred.kind == SecretKind::RegistryToken {
        return with_v2(
            client,
            &v2,
            Auth::Bearer(secret),
            "the registry accepted the bearer token",
        );
    }
    let challenges = parse_challenges(probe.challenges.iter().map(String::as_str));
    if let Some(bearer) = challenges.iter().find(|c| c.scheme == "bearer") {
        return token_flow(client, cred, bearer, &v2, user, secret);
    }
    if challenges.iter().any(|c| c.scheme == "basic") {
        if cred.kind == SecretKind::IdentityToken {
            return Verification::unknown(
                "the registry uses Basic authentication; an identity token needs its token service",
            );
        }
        return with_v2(
            client,
            &v2,
            Auth::Basic {
                user,
                password: secret,
            },
            "the registry accepted the Basic credentials",
        );
    }
    Verification::unknown("the registry's 401 names no Basic or Bearer challenge")
}

fn base_url(t: &Target, scheme: &str) -> String {
    format!("{scheme}://{}", t.authority())
}

fn probe(client: &Client, t: &Target, scheme: &str) -> Result<Response, String> {
    client.send(&Request {
        url: format!("{}/v2/", base_url(t, scheme)),
        auth: Auth::None,
        form: None,
    })
}

fn unexpected(what: &str, status: u16) -> String {
    match status {
        500..=599 => format!("server error from {what} (HTTP {status})"),
        404 => format!("no registry API at {what} (HTTP 404)"),
        s => format!("unexpected answer from {what} (HTTP {s})"),
    }
}

/// `GET /v2/` with credentials: 200 live, 401/403 invalid.
fn with_v2(client: &Client, v2: &str, auth: Auth<'_>, live: &str) -> Verification {
    match client.send(&Request {
        url: v2.to_string(),
        auth,
        form: None,
    }) {
        Ok(r) => match r.status {
            200 => Verification::live(live),
            401 | 403 => Verification::invalid(format!(
                "the registry rejected the credentials (HTTP {})",
                r.status
            )),
            s => Verification::unknown(unexpected("/v2/", s)),
        },
        Err(e) => Verification::unknown(e),
    }
}

fn token_flow(
    client: &Client,
    cred: &Credential,
    bearer: &Challenge,
    v2: &str,
    user: &str,
    secret: &str,
) -> Verification {
    let Some(realm) = bearer.param("realm").filter(|r| !r.is_empty()) else {
        return Verification::unknown("the Bearer challenge names no realm");
    };
    let realm_origin = match Origin::of(realm) {
        Ok(o) => o,
        Err(e) => return Verification::unknown(e),
    };
    // The realm is where the registry sends credentials; only over HTTPS,
    // unless the user named that host with --insecure-registry.
    if realm_origin.scheme != "https"
        && !client.is_insecure(&realm_origin.host, realm_origin.explicit_port)
    {
        return Verification::unknown(format!(
            "the token realm {realm} is not HTTPS; credentials are not sent there"
        ));
    }
    let service = bearer.param("service").unwrap_or("");
    let request = if cred.kind == SecretKind::IdentityToken {
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", secret),
            ("client_id", CLIENT_ID),
        ];
        if !service.is_empty() {
            form.push(("service", service));
        }
        Request {
            url: realm.to_string(),
            auth: Auth::None,
            form: Some(form),
        }
    } else {
        let mut url = realm.to_string();
        let mut sep = if url.contains('?') { '&' } else { '?' };
        for (k, v) in [("service", service), ("account", user)] {
            if !v.is_empty() {
                url.push(sep);
                url.push_str(k);
                url.push('=');
                url.push_str(&query_escape(v));
                sep = '&';
            }
        }
        Request {
            url,
            auth: Auth::Basic {
                user,
                password: secret,
            },
            form: None,
        }
    };
    let what = if cred.kind == SecretKind::IdentityToken {
        "refresh token"
    } else {
        "credentials"
    };
    let resp = match client.send(&request) {
        Ok(r) => r,
        Err(e) => return Verification::unknown(e),
    };
    match resp.status {
        200 => {}
        401 | 403 => {
            return Verification::invalid(format!(
                "the token service {} rejected the {what} (HTTP {})",
                realm_origin.authority(),
                resp.status
            ))
        }
        // OAuth2 answers a bad refresh token with 400 invalid_grant.
        400 if cred.kind == SecretKind::IdentityToken => {
            return Verification::invalid(format!(
                "the token service {} rejected the refresh token (HTTP 400)",
                realm_origin.authority()
            ))
        }
        s => {
            return Verification::unknown(unexpected(
                &format!("the token service {}", realm_origin.authority()),
                s,
            ))
        }
    }
    let Some(token) = issued_token(&resp.body) else {
        return Verification::unknown(format!(
            "the token service {} answered 200 without a token",
            realm_origin.authority()
        ));
    };
    // Confirm with the registry, as docker login does.
    match client.send(&Request {
        url: v2.to_string(),
        auth: Auth::Bearer(&token),
        form: None,
    }) {
        Ok(r) if r.status == 200 => Verification::live(format!(
            "the token service {} issued a token for the {what} and the registry accepted it",
            realm_origin.authority()
        )),
        Ok(r) => Verification::unknown(format!(
            "the token service issued a token but the registry answered HTTP {}",
            r.status
        )),
        Err(e) => Verification::unknown(e),
    }
}

/// `token` or `access_token` from a token service's JSON answer.
fn issued_token(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    ["token", "access_token"]
        .iter()
        .filter_map(|k| v.get(k)?.as_str())
        .find(|t| !t.is_empty())
        .map(str::to_string)
}

/// Expired ECR tokens and JWTs need no request.
fn expired_offline(cred: &Credential) -> Option<Verification> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let secret = cred.secret.expose();
    let exp = match cred.token {
        TokenKind::AwsEcrToken => classify::ecr_expiration(secret),
        _ if matches!(
            cred.kind,
            SecretKind::IdentityToken | SecretKind::RegistryToken
        ) || cred.token == TokenKind::AzureAcrRefreshToken =>
        {
            classify::jwt_expiration(secret)
        }
        _ => None,
    }?;
    (exp <= now).then(|| {
        Verification::invalid(format!(
            "expired at {} (read from the token; no request sent)",
            classify::iso8601(exp)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_from_either_field() {
        assert_eq!(issued_token(r#"{"token":"abc"}"#).as_deref(), Some("abc"));
        assert_eq!(
            issued_token(r#"{"token":"","access_token":"xyz"}"#).as_deref(),
            Some("xyz")
        );
        assert_eq!(issued_token(r#"{"details":"anonymous"}"#), None);
        assert_eq!(issued_token("<html>"), None);
    }
}
