use super::*;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;

/// 2024-01-01T00:00:00Z: the "now" of these tests.
const NOW: i64 = 1_704_067_200;

fn class(user: Option<&str>, secret: &str) -> Class {
    classify_at(
        Input {
            username: user,
            secret,
            field: SecretKind::Password,
            registry: None,
        },
        NOW,
    )
}

fn kind(user: &str, secret: &str) -> (TokenKind, Severity) {
    let c = class(Some(user), secret);
    (c.kind, c.severity)
}

fn ecr(expiration: i64) -> String {
    STANDARD.encode(format!(
        r#"{{"payload":"FAKEpayload","datakey":"FAKEdatakey","version":"2","type":"DATA_KEY","expiration":{expiration}}}"#
    ))
}

fn gcp_json(private_key: bool) -> String {
    let pk = if private_key {
        r#""private_key": "-----BEGIN PRIVATE KEY-----\nFAKEFAKE\n-----END PRIVATE KEY-----\n","#
    } else {
        ""
    };
    format!(
        r#"{{"type": "service_account", "project_id": "fake-project", "private_key_id": "fake0key0id0123", {pk} "client_email": "ci@fake-project.iam.gserviceaccount.test"}}"#
    )
}

#[test]
fn prefixes_name_the_issuer() {
    use Severity::*;
    use TokenKind::*;
    for (secret, k, s) in [
        ("dckr_pat_FAKE0credscan0test0token000", DockerHubPat, High),
        (
            "dckr_oat_FAKE0credscan0test0token0000000",
            DockerHubOat,
            High,
        ),
        (
            "ghp_FAKEcredscan000000000000000000000000",
            GithubPat,
            Critical,
        ),
        (
            "github_pat_11FAKE0credscan_0000",
            GithubFineGrainedPat,
            High,
        ),
        (
            "ghs_FAKEcredscan00000000000000000000000",
            GithubActionsToken,
            Medium,
        ),
        ("glpat-FAKEcredscan000000000", GitlabPat, Critical),
        ("gldt-FAKEcredscan000000000", GitlabDeployToken, High),
        ("glcbt-FAKEcredscan00000000", GitlabJobToken, Medium),
        ("nvapi-FAKEcredscan0000000000000000", NgcApiKey, High),
        (
            "AKCpFAKEcredscan00000000000000000000",
            JfrogApiKey,
            Critical,
        ),
        ("cmVmdGtuOjAxOjFBS0VjcmVkc2Nhbg", JfrogReferenceToken, High),
        ("ya29.FAKE-credscan-access-token", GcpAccessToken, Medium),
    ] {
        assert_eq!(kind("someone-fake", secret), (k, s), "{secret}");
    }
}

#[test]
fn usernames_name_the_registry() {
    use Severity::*;
    use TokenKind::*;
    for (user, k, s) in [
        ("oauth2accesstoken", GcpAccessToken, Medium),
        ("gitlab-ci-token", GitlabJobToken, Medium),
        ("gitlab+deploy-token-42", GitlabDeployToken, High),
        ("$oauthtoken", NgcApiKey, High),
        ("robot$acme+ci", HarborRobotSecret, High),
        ("acme+ci_puller", QuayRobotToken, High),
        (
            "openshift-release-dev+ocm_access_0123abcd",
            OpenshiftPullSecret,
            High,
        ),
        (ACR_USER, AzureAcrRefreshToken, Medium),
        ("ci-bot", Password, High),
    ] {
        assert_eq!(kind(user, "FAKEsecret-credscan-0001"), (k, s), "{user}");
    }
}

#[test]
fn ecr_expiry_decides_severity() {
    let c = class(Some("AWS"), &ecr(1_600_000_000));
    assert_eq!(
        (c.kind, c.severity),
        (TokenKind::AwsEcrToken, Severity::Low)
    );
    assert_eq!(c.detail.as_deref(), Some("expired 2020-09-13T12:26:40Z"));
    let c = class(Some("AWS"), &ecr(4_102_444_800));
    assert_eq!(c.severity, Severity::Medium);
    assert_eq!(c.detail.as_deref(), Some("expires 2100-01-01T00:00:00Z"));
    // The shape alone is enough, whatever the username.
    assert_eq!(class(None, &ecr(1)).kind, TokenKind::AwsEcrToken);
    // `AWS` with an unreadable token: still ECR, severity unknown -> medium.
    let c = class(Some("AWS"), "FAKE-not-an-ecr-token");
    assert_eq!(c.severity, Severity::Medium);
    assert_eq!(c.detail.as_deref(), Some("expiration not readable"));
}

#[test]
fn gcp_keys_report_project_and_account() {
    let c = class(Some("_json_key"), &gcp_json(true));
    assert_eq!(c.kind, TokenKind::GcpServiceAccountKey);
    assert_eq!(c.severity, Severity::Critical);
    let gcp = c.gcp.as_ref().unwrap();
    assert_eq!(gcp.project_id.as_deref(), Some("fake-project"));
    assert_eq!(
        gcp.client_email.as_deref(),
        Some("ci@fake-project.iam.gserviceaccount.test")
    );
    assert_eq!(gcp.private_key_id.as_deref(), Some("fake0key0id0123"));
    assert!(c.detail.unwrap().contains("project fake-project"));
    let b64 = STANDARD.encode(gcp_json(true));
    let c = class(Some("_json_key_base64"), &b64);
    assert_eq!(c.severity, Severity::Critical);
    // Without a private key it is still a key file, but less bad.
    let c = class(Some("_json_key"), &gcp_json(false));
    assert_eq!(c.severity, Severity::High);
    // Truncated JSON.
    let c = class(Some("_json_key"), "{\"type\": \"service_account\", \"proj");
    assert_eq!(c.kind, TokenKind::GcpServiceAccountKey);
    assert_eq!(c.severity, Severity::High);
    assert_eq!(
        c.detail.as_deref(),
        Some("service-account JSON not readable")
    );
}

fn jwt(exp: i64) -> String {
    format!(
        "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.{}.RkFLRS1zaWduYXR1cmU",
        URL_SAFE_NO_PAD.encode(format!(r#"{{"fake":true,"exp":{exp}}}"#))
    )
}

#[test]
fn acr_tokens_and_passwords() {
    let refresh = |user: Option<&str>, field, registry, exp| {
        classify_at(
            Input {
                username: user,
                secret: &jwt(exp),
                field,
                registry,
            },
            NOW,
        )
    };
    let c = refresh(Some(ACR_USER), SecretKind::Password, None, 4_102_444_800);
    assert_eq!(
        (c.kind, c.severity),
        (TokenKind::AzureAcrRefreshToken, Severity::Medium)
    );
    let c = refresh(
        None,
        SecretKind::IdentityToken,
        Some("fake.azurecr.io"),
        1_600_000_000,
    );
    assert_eq!(
        (c.kind, c.severity),
        (TokenKind::AzureAcrRefreshToken, Severity::Low)
    );
    assert!(c.detail.unwrap().starts_with("expired "));
    // An identity token elsewhere.
    let c = refresh(
        None,
        SecretKind::IdentityToken,
        Some("ghcr.io"),
        4_102_444_800,
    );
    assert_eq!(
        (c.kind, c.severity),
        (TokenKind::IdentityToken, Severity::High)
    );
    // Admin password shape, anywhere.
    let admin = format!(
        "{}+ACR{}",
        "FAKEcredscanFAKEcredscanFAKEcredscan012345", "FAKE01"
    );
    assert_eq!(kind("fakeregistry", &admin).0, TokenKind::AzureAcrPassword);
    // Any password on an ACR host.
    let c = classify_at(
        Input {
            username: Some("fakeregistry"),
            secret: "FAKEpass-acr-0042",
            field: SecretKind::Password,
            registry: Some("https://fakeregistry.azurecr.io"),
        },
        NOW,
    );
    assert_eq!(c.kind, TokenKind::AzureAcrPassword);
}

#[test]
fn fields_fall_back_to_their_kind() {
    let c = classify_at(
        Input {
            username: None,
            secret: "FAKE-opaque-bearer",
            field: SecretKind::RegistryToken,
            registry: None,
        },
        NOW,
    );
    assert_eq!(
        (c.kind, c.severity),
        (TokenKind::RegistryToken, Severity::Medium)
    );
    assert_eq!(class(None, "FAKEpass-1234").kind, TokenKind::Password);
}

#[test]
fn every_kind_has_distinct_names() {
    let mut names: Vec<&str> = TokenKind::ALL.iter().map(|k| k.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), TokenKind::ALL.len());
    for k in TokenKind::ALL {
        assert!(!k.describe().is_empty());
        assert_eq!(k.as_str(), k.as_str().to_ascii_lowercase());
    }
}

#[test]
fn dates() {
    assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
    assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(iso8601(NOW), "2024-01-01T00:00:00Z");
}

#[test]
fn acr_password_check_survives_multibyte_characters_at_any_offset() {
    // 52 bytes with `é` (2 bytes) or `€` (3 bytes) straddling byte 42.
    for (at, ch) in [(41, "é"), (41, "€"), (40, "€"), (45, "é"), (50, "é")] {
        let mut s = "Zq8vLm2Kp4Rt7Wx".repeat(4);
        s.truncate(at);
        s.push_str(ch);
        while s.len() < 52 {
            s.push('x');
        }
        s.truncate(52);
        assert_eq!(class(None, &s).kind, TokenKind::Password, "{s:?}");
    }
    // The real shape still classifies.
    let acr = format!(
        "{}+ACR{}",
        "Zq8vLm2Kp4Rt7Wx".repeat(3).get(..42).unwrap(),
        "Ab12Cd"
    );
    assert_eq!(acr.len(), 52);
    assert_eq!(class(None, &acr).kind, TokenKind::AzureAcrPassword);
}
