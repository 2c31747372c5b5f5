use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;

use crate::engine::plaintext::scan;
use crate::model::finding::{RawFinding, SecretKind};
use crate::model::rule::Rule;

fn b64u(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(json)
}

fn found(text: &str) -> Vec<RawFinding> {
    let mut out = Vec::new();
    let hits = crate::engine::hits::Hits::find(text.as_bytes());
    scan(text.as_bytes(), &hits, &mut out);
    out
}

#[test]
fn x_registry_auth_in_http_curl_and_code() {
    let v = b64u(
        r#"{"username":"ci-bot","password":"FAKEpass-header-01","serveraddress":"r.example.test"}"#,
    );
    for text in [
        format!("POST /images/create?fromImage=r.example.test/app HTTP/1.1\nX-Registry-Auth: {v}\n"),
        format!("curl -H \"X-Registry-Auth: {v}\" --unix-socket /var/run/docker.sock http://x/images/create\n"),
        format!("headers = {{\"X-Registry-Auth\": \"{v}\"}}\n"),
        format!("req.Header.Set(\"x-registry-auth\", \"{v}\")\n"),
    ] {
        let f = found(&text);
        assert_eq!(f.len(), 1, "{text}: {f:#?}");
        assert_eq!(&text[f[0].span.clone()], v);
        assert_eq!(f[0].rule, Rule::EngineAuthHeader);
        assert_eq!(f[0].secret.expose(), "FAKEpass-header-01");
        assert_eq!(f[0].username.as_deref(), Some("ci-bot"));
        assert_eq!(f[0].registry.as_deref(), Some("r.example.test"));
    }
}

#[test]
fn identity_tokens_and_padded_standard_base64() {
    let v = STANDARD.encode(r#"{"identitytoken":"FAKEidentity-header-02"}"#);
    let text = format!("X-Registry-Auth: {v}\n");
    let f = found(&text);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, SecretKind::IdentityToken);
}

#[test]
fn x_registry_config_maps_registries() {
    let auth = STANDARD.encode("quay-fake:FAKEpass-header-04");
    let v = b64u(&format!(
        r#"{{"r.example.test":{{"username":"ci-bot","password":"FAKEpass-header-03"}},"q.example.test":{{"auth":"{auth}"}}}}"#
    ));
    let text = format!("X-Registry-Config: {v}\n");
    let mut f = found(&text);
    f.sort_by(|a, b| a.registry.cmp(&b.registry));
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(f[0].registry.as_deref(), Some("q.example.test"));
    assert_eq!(f[0].username.as_deref(), Some("quay-fake"));
    assert_eq!(f[0].secret.expose(), "FAKEpass-header-04");
    assert_eq!(f[1].secret.expose(), "FAKEpass-header-03");
    assert!(f.iter().all(|x| x.rule == Rule::EngineAuthHeader));
}

#[test]
fn placeholders_and_references_are_not_reported() {
    for json in [
        r#"{"username":"hannibal","password":"xxxx","serveraddress":"https://index.docker.io/v1/"}"#,
        r#"{"username":"ci-bot","password":"${REGISTRY_PASSWORD}"}"#,
        r#"{"username":"ci-bot"}"#,
    ] {
        let text = format!("X-Registry-Auth: {}\n", b64u(json));
        assert!(found(&text).is_empty(), "{json}");
    }
    assert!(found("X-Registry-Auth: $(echo -n \"$AUTH\" | base64)\n").is_empty());
    assert!(found("X-Registry-Auth: ${REGISTRY_AUTH}\n").is_empty());
}
