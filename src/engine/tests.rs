use super::*;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;

fn b64(s: &str) -> String {
    STANDARD.encode(s)
}

fn one(text: &str) -> RawFinding {
    let f = scan(text.as_bytes());
    assert_eq!(f.len(), 1, "expected one finding in {text:?}, got {f:#?}");
    f.into_iter().next().unwrap()
}

fn none(text: &str) {
    let f = scan(text.as_bytes());
    assert!(f.is_empty(), "expected no finding in {text:?}, got {f:#?}");
}

#[test]
fn docker_config_every_registry() {
    let a = b64("octo-fake:FAKEpass-ghcr-0001");
    let b = b64("hub-fake:dckr_pat_FAKE0credscan0test0token000");
    let text = format!(
        r#"{{"auths":{{"ghcr.io":{{"auth":"{a}"}},"https://index.docker.io/v1/":{{"auth":"{b}"}},"gcr.io":{{}}}},"credsStore":"desktop","credHelpers":{{"x.example.test":"ecr-login"}}}}"#
    );
    let f = scan(text.as_bytes());
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(f[0].registry.as_deref(), Some("ghcr.io"));
    assert_eq!(f[0].username.as_deref(), Some("octo-fake"));
    assert_eq!(&text[f[0].span.clone()], a);
    assert_eq!(
        f[1].registry.as_deref(),
        Some("https://index.docker.io/v1/")
    );
    assert_eq!(f[1].secret.expose(), "dckr_pat_FAKE0credscan0test0token000");
    assert_eq!(f[0].rule, Rule::DockerConfig);
    assert_eq!(
        f[0].chain,
        vec![
            "JSON auths[\"ghcr.io\"].auth".to_string(),
            "base64".into(),
            "user:password".into()
        ]
    );
}

#[test]
fn kubectl_entry_is_one_finding() {
    let a = b64("ci-bot:FAKEpass-1234-k8s");
    let text = format!(
        r#"{{"auths":{{"registry.example.test":{{"username":"ci-bot","password":"FAKEpass-1234-k8s","email":"ci@example.test","auth":"{a}"}}}}}}"#
    );
    let f = one(&text);
    assert_eq!(&text[f.span.clone()], a);
}

#[test]
fn username_password_only_points_at_password() {
    let text =
        r#"{"auths": {"quay.io": {"Username": "acme+bot", "Password": "FAKE0QUAY0ROBOT0TOKEN"}}}"#;
    let f = one(text);
    assert_eq!(&text[f.span.clone()], "FAKE0QUAY0ROBOT0TOKEN");
    assert_eq!(f.username.as_deref(), Some("acme+bot"));
}

#[test]
fn identity_token_shape() {
    let a = b64("00000000-0000-0000-0000-000000000000:");
    let text = format!(
        r#"{{"auths":{{"fake.azurecr.io":{{"auth":"{a}","identitytoken":"eyJhbGciOiJSUzI1NiJ9.eyJmYWtlIjp0cnVlfQ.RkFLRS1zaWc"}}}}}}"#
    );
    let f = one(&text);
    assert_eq!(f.kind, SecretKind::IdentityToken);
    assert!(text[f.span.clone()].starts_with("eyJhbGci"));
    // Without the token the shape is not a finding.
    none(&format!(
        r#"{{"auths":{{"fake.azurecr.io":{{"auth":"{a}"}}}}}}"#
    ));
}

#[test]
fn legacy_dockercfg() {
    let a = b64("ci-bot:FAKEpass-legacy-77");
    let text = format!(
        "{{\n  \"https://index.docker.io/v1/\": {{\n    \"email\": \"ci@example.test\",\n    \"auth\": \"{a}\"\n  }}\n}}\n"
    );
    let f = one(&text);
    assert_eq!(f.registry.as_deref(), Some("https://index.docker.io/v1/"));
    assert_eq!(&text[f.span.clone()], a);
}

#[test]
fn kubernetes_secret_data_and_folded() {
    let inner = format!(
        r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#,
        b64("octo-fake:FAKEpass-k8s-0042")
    );
    let outer = b64(&inner);
    let text = format!(
        "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {outer}\n"
    );
    let f = one(&text);
    assert_eq!(f.rule, Rule::KubernetesPullSecret);
    assert_eq!(&text[f.span.clone()], outer);
    assert_eq!(
        f.chain.join(" -> "),
        "data[\".dockerconfigjson\"] -> base64 -> JSON auths[\"ghcr.io\"].auth -> base64 -> user:password"
    );
    let folded = format!("data:\n  .dockerconfigjson: >-\n    {outer}\n");
    let f = one(&folded);
    assert_eq!(f.rule, Rule::KubernetesPullSecret);
    // Wrapped at 76 columns in a `|` block.
    let wrapped: Vec<String> = outer
        .as_bytes()
        .chunks(76)
        .map(|c| format!("    {}", std::str::from_utf8(c).unwrap()))
        .collect();
    let block = format!("data:\n  .dockerconfigjson: |\n{}\n", wrapped.join("\n"));
    let f = one(&block);
    assert_eq!(f.span.start, block.find(&outer[..76]).unwrap());
}

#[test]
fn string_data_raw_json() {
    let text = format!(
        "stringData:\n  .dockerconfigjson: |\n    {{\"auths\": {{\"ghcr.io\": {{\"auth\": \"{}\"}}}}}}\n",
        b64("octo-fake:FAKEpass-sd-0042")
    );
    let f = one(&text);
    assert_eq!(f.rule, Rule::KubernetesPullSecret);
    assert!(f.chain[0].starts_with("stringData["));
}

#[test]
fn escaped_json_in_toml_and_nested_escapes() {
    let a = b64("ci-bot:FAKEpass-escaped-1");
    let text = format!(
        "environment = [\"DOCKER_AUTH_CONFIG={{\\\"auths\\\":{{\\\"registry.example.test:5000\\\":{{\\\"auth\\\":\\\"{a}\\\"}}}}}}\"]\n"
    );
    let f = one(&text);
    assert_eq!(&text[f.span.clone()], a);
    assert_eq!(f.registry.as_deref(), Some("registry.example.test:5000"));
    // Two levels of escaping.
    let text2 = format!(
        "{{\"cmd\": \"echo \\\"{{\\\\\\\"auths\\\\\\\":{{\\\\\\\"ghcr.io\\\\\\\":{{\\\\\\\"auth\\\\\\\":\\\\\\\"{a}\\\\\\\"}}}}}}\\\"\"}}"
    );
    let f = one(&text2);
    assert_eq!(&text2[f.span.clone()], a);
}

#[test]
fn notebook_lines_are_joined() {
    let a = b64("octo-fake:FAKEpass-notebook-9");
    let text = format!(
        "{{\"outputs\": [{{\"text\": [\n    \"{{\\n\",\n    \"  \\\"auths\\\": {{\\n\",\n    \"    \\\"ghcr.io\\\": {{\\n\",\n    \"      \\\"auth\\\": \\\"{a}\\\"\\n\",\n    \"    }}\\n\",\n    \"  }}\\n\",\n    \"}}\"\n]}}]}}"
    );
    let f = one(&text);
    assert_eq!(f.registry.as_deref(), Some("ghcr.io"));
    assert_eq!(&text[f.span.clone()], a);
}

#[test]
fn nested_base64_four_layers_and_urlsafe() {
    let inner = format!(
        r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#,
        b64("octo-fake:FAKEpass-deep-0042")
    );
    let twice = b64(&b64(&inner));
    let text = format!("blob = \"{twice}\"\n");
    let f = one(&text);
    assert_eq!(&text[f.span.clone()], twice);
    let url = URL_SAFE_NO_PAD.encode(&inner);
    let text = format!("blob: {url}\n");
    one(&text);
}

#[test]
fn bare_pairs_need_a_credential_context() {
    let pair = b64("ci-bot:FAKEpass-bare-0042");
    let f = one(&format!("REGISTRY_AUTH={pair}\n"));
    assert_eq!(f.rule, Rule::BasicAuthPair);
    assert_eq!(f.username.as_deref(), Some("ci-bot"));
    one(&format!(
        "imageCredentials:\n  registry: quay.io\n  auth: {pair}\n"
    ));
    one(&format!("GET /v2/ HTTP/1.1\nAuthorization: Basic {pair}\n"));
    none(&format!("checksum: {pair}\n"));
    none(&format!("some text {pair} more\n"));
}

#[test]
fn placeholders_are_not_reported() {
    for pair in [
        "username:password",
        "user:pass",
        "foo:bar",
        "admin:admin",
        "janedoe:xxxxxxxxxxx",
        "ci-bot:${CI_REGISTRY_PASSWORD}",
        "ci-bot:",
        "https://example.test/path",
        "12:30:45",
        "registry.example.test:5000",
    ] {
        let a = b64(pair);
        none(&format!(r#"{{"auths":{{"ghcr.io":{{"auth":"{a}"}}}}}}"#));
        none(&format!("REGISTRY_AUTH={a}\n"));
    }
    none(r#"{"auths":{"ghcr.io":{"auth":"c3R...zE2"}}}"#);
    none(r#"{"auths":{"ghcr.io":{"auth":"${DOCKER_AUTH}"}}}"#);
    none(r#"{"auths":{"ghcr.io":{"username":"ci-bot","password":"$REGISTRY_PASSWORD"}}}"#);
    none(r#"{"auths":{"ghcr.io":{}},"credsStore":"desktop"}"#);
    let really = format!(
        r#"{{"auths":{{"registry.example.test":{{"auth":"{}"}}}}}}"#,
        b64("Really really reeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeally long auth keys")
    );
    none(&format!("data:\n  .dockerconfigjson: {}\n", b64(&really)));
}

#[test]
fn random_base64_and_hashes_are_not_reported() {
    none("\"integrity\": \"sha512-Q2hlY2tzdW0gb2YgYSBmYWtlIHBhY2thZ2UgZm9yIGNyZWRzY2FuIHRlc3Rz+/AbCdEfGh==\"");
    none("ci-bot:$apr1$FAKEsalt$abcdefghijklmnopqrstuv\n");
    none("data:\n  key: 3q2+7wAAAAD/////AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
}

#[test]
fn depth_is_bounded() {
    let mut v = format!(
        r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#,
        b64("octo-fake:FAKEpass-deep-0042")
    );
    for _ in 0..20 {
        v = b64(&v);
    }
    // Not found past the depth limit, and no stack overflow or blow-up.
    assert!(scan(v.as_bytes()).is_empty());
}

/// A `kubernetes.io/dockerconfigjson` Secret followed by another document
/// (`kubectl get -o yaml`, `helm template`, `kustomize build` streams): the
/// `---` line is base64url-shaped but is not a wrapped continuation.
#[test]
fn document_separator_after_secret_data_does_not_hide_it() {
    let auth = b64("deployer:Zq8vLm2Kp4Rt7Wx");
    let blob = b64(&format!(
        r#"{{"auths":{{"registry.example.com":{{"auth":"{auth}"}}}}}}"#
    ));
    for tail in [
        "---\n",
        "---\napiVersion: apps/v1\nkind: Deployment\n",
        "-----\n",
    ] {
        let text = format!(
            "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {blob}\n{tail}"
        );
        let f = one(&text);
        assert_eq!(f.username.as_deref(), Some("deployer"), "{tail:?}");
        assert_eq!(&text[f.span.clone()], blob);
    }
}

/// Generated passwords contain `%` before a letter; only a value that is a
/// template (`%s`, `%s:%s`) is a placeholder.
#[test]
fn percent_inside_random_password_is_not_a_placeholder() {
    let auth = b64("deployer:Zq8v%dLm2Kp4Rt7Wx");
    let f = one(&format!(
        r#"{{"auths":{{"registry.example.test":{{"auth":"{auth}"}}}}}}"#
    ));
    assert_eq!(f.secret.expose(), "Zq8v%dLm2Kp4Rt7Wx");
    let f = one(
        "kubectl create secret docker-registry regcred --docker-server=registry.example.test \
         --docker-username=deployer --docker-password='ab%qXy7Lm2Kp4Rt'\n",
    );
    assert_eq!(f.secret.expose(), "ab%qXy7Lm2Kp4Rt");
    none(&format!(
        r#"{{"auths":{{"registry.example.test":{{"auth":"{}"}}}}}}"#,
        b64("%s:%s")
    ));
    none("docker login -u deployer -p '%s' registry.example.test\n");
}

#[test]
fn a_form_hint_rides_on_its_findings() {
    let text = b"woodpecker-cli registry add --hostname r.example.test --username deployer --password Zq8vLm2Kp4Rt7Wx\n";
    let found = scan(text);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].hint.is_some_and(|h| h.contains("Woodpecker")));
    assert_eq!(found[0].rule, Rule::CiCredential);
}

/// Docs pages print configs with typographic quotes; a pasted real token
/// is found, at its place in the file.
#[test]
fn typographic_quotes_are_read_as_ascii() {
    let a = b64("wiki-bot:Zq8vLm2Kp4Rt7Wx");
    let text = format!(
        "\u{201c}auths\u{201d}:{{ \u{201c}https://index.docker.io/v1/\u{201d}:{{ \u{201c}auth\u{201d}:\u{201d}{a}\u{201d} }} }}\n"
    );
    let f = one(&text);
    assert_eq!(&text[f.span.clone()], a);
    assert_eq!(f.username.as_deref(), Some("wiki-bot"));
    none("\u{201c}auths\u{201d}:{ \u{201c}x.example.test\u{201d}:{ \u{201c}auth\u{201d}:\u{201d}<auth token>\u{201d} } }\n");
}

#[test]
fn helm_set_dockerconfigjson_is_the_charts_pull_secret_on_a_command_line() {
    let cfg = b64(&format!(
        r#"{{"auths":{{"registry.example.test":{{"auth":"{}"}}}}}}"#,
        b64("helm-bot:FAKEpass-helm-0001")
    ));
    for (line, key) in [
        (
            format!("helm install x ./c --set imagePullSecret.dockerconfigjson={cfg}"),
            "imagePullSecret.dockerconfigjson",
        ),
        (
            format!("helm install x ./c --set-string 'a=1,secret.data.\\.dockerconfigjson={cfg}'"),
            "secret.data.\\.dockerconfigjson",
        ),
        (
            format!("helm install x ./c --set=registry.dockerconfigjson={cfg}"),
            "registry.dockerconfigjson",
        ),
    ] {
        let f = one(&line);
        assert_eq!(&line[f.span.clone()], cfg, "{line}");
        assert_eq!(f.rule, Rule::KubernetesPullSecret);
        assert_eq!(f.context, Context::Command, "{line}");
        assert_eq!(f.username.as_deref(), Some("helm-bot"));
        assert_eq!(f.registry.as_deref(), Some("registry.example.test"));
        assert_eq!(f.chain[0], format!("helm --set {key}"));
    }
    // The same key in a values file is not a command line.
    let f = one(&format!("imagePullSecret:\n  dockerconfigjson: {cfg}\n"));
    assert_ne!(f.context, Context::Command);
    // Another option's value is not a `--set`.
    assert_eq!(helm_set_key(b"--values x.dockerconfigjson=", 28), None);
    assert_eq!(
        helm_set_key(b"--set a=1,b.dockerconfigjson=", 29).as_deref(),
        Some("b.dockerconfigjson")
    );
}

#[test]
fn encoded_auth_config_json_under_a_credential_key_is_an_entry() {
    let json = r#"{"username":"engine-bot","password":"FAKEpass-engine-0001","serveraddress":"registry.example.test"}"#;
    for value in [b64(json), URL_SAFE_NO_PAD.encode(json)] {
        let text = format!("const registryAuth = \"{value}\"\n");
        let f = one(&text);
        assert_eq!(&text[f.span.clone()], value);
        assert_eq!(f.rule, Rule::DockerConfig);
        assert_eq!(f.username.as_deref(), Some("engine-bot"));
        assert_eq!(f.registry.as_deref(), Some("registry.example.test"));
        assert_eq!(f.secret.expose(), "FAKEpass-engine-0001");
        assert_eq!(f.chain, ["registryAuth", "base64", "JSON.password"]);
    }
    // `auth` inside: one finding, not a second bare pair for the inner value.
    let inner = format!(
        r#"{{"auth":"{}","serveraddress":"ghcr.io"}}"#,
        b64("engine-bot:FAKEpass-engine-0002")
    );
    let f = one(&format!("auth: {}\n", b64(&inner)));
    assert_eq!(f.registry.as_deref(), Some("ghcr.io"));
    assert_eq!(f.secret.expose(), "FAKEpass-engine-0002");
    // The `X-Registry-Config` map: one entry per registry.
    let map = r#"{"registry.example.test":{"username":"engine-bot","password":"FAKEpass-engine-0004"},"auths":{}}"#;
    let f = one(&format!("registryConfig: {}\n", b64(map)));
    assert_eq!(f.registry.as_deref(), Some("registry.example.test"));
    assert_eq!(f.secret.expose(), "FAKEpass-engine-0004");
    // Outside a credential key, doc values, references, other JSON: silent.
    none(&format!("const encoded = \"{}\"\n", b64(json)));
    for silent in [
        r#"{"username":"string","password":"string","serveraddress":"string"}"#,
        r#"{"username":"deployer","password":"${REGISTRY_PASSWORD}"}"#,
        r#"{"user":"engine-bot","name":"FAKEpass-engine-0003"}"#,
    ] {
        none(&format!("registryAuth: {}\n", b64(silent)));
    }
}

proptest::proptest! {
    /// The quote layer's map gives, for every layer offset, the file offset
    /// of that byte (and the file's end past the layer's end), as a table
    /// of every byte's offset would.
    #[test]
    fn quote_layer_offsets_map_to_the_file(parts in proptest::collection::vec(
        proptest::sample::select(vec![
            "a", "auth", " ", "\u{201C}", "\u{201D}", "\u{201E}", "\u{2018}", "\u{2019}",
            "\u{2014}", "\u{2026}", "\u{2022}", "\"", "\u{e9}",
        ]),
        0..40,
    )) {
        let text = parts.concat().into_bytes();
        let Some((plain, at)) = ascii_quotes(&text) else {
            let quotes = ["\u{201C}", "\u{201D}", "\u{201E}", "\u{2018}", "\u{2019}"];
            let none = !parts.iter().any(|p| quotes.contains(p));
            proptest::prop_assert!(none);
            return Ok(());
        };
        // Each byte's file offset, one at a time.
        let mut table = Vec::new();
        let mut i = 0;
        while i < text.len() {
            table.push(i);
            let q = matches!(text[i..], [0xE2, 0x80, 0x98 | 0x99 | 0x9C..=0x9E, ..]);
            i += if q { 3 } else { 1 };
        }
        table.push(text.len());
        proptest::prop_assert_eq!(table.len(), plain.len() + 1);
        let map = Map::Quotes { at, len: plain.len() };
        for (l, &f) in table.iter().enumerate() {
            proptest::prop_assert_eq!(map.point(l), f);
            if f < text.len() && !matches!(plain[l], b'"' | b'\'') {
                proptest::prop_assert_eq!(plain[l], text[f]);
            }
        }
        proptest::prop_assert_eq!(map.point(plain.len() + 5), text.len());
    }
}
