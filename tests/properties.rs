//! Property tests for the decoders and the engine.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use proptest::prelude::*;

use credscan::engine as scan;
use credscan::forms::placeholder::plausible_pair;
use credscan::readers::{decode, json};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode::decode(&bytes);
        let _ = decode::decode_text(&bytes);
        let _ = decode::runs(&bytes);
    }

    #[test]
    fn json_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512), start in 0usize..16) {
        if start < bytes.len() {
            let _ = json::parse_at(&bytes, start);
        }
    }

    #[test]
    fn scanner_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let _ = scan::scan(&bytes);
    }

    #[test]
    fn scanner_never_panics_on_config_like_text(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("{".to_string()), Just("}".to_string()), Just("\"auths\"".to_string()),
                Just("\"auth\"".to_string()), Just(":".to_string()), Just(",".to_string()),
                Just("\\\"".to_string()), Just("\"".to_string()), Just("\n".to_string()),
                "[A-Za-z0-9+/=]{0,40}",
            ],
            0..64,
        )
    ) {
        let text: String = parts.concat();
        let _ = scan::scan(text.as_bytes());
    }

    /// Any plausible pair, encoded the way docker writes it, is found with
    /// its username and password, at the encoded value.
    #[test]
    fn encoded_plausible_pairs_are_found(
        user in "[a-z][a-z0-9._+-]{2,20}",
        password in "[A-Za-z0-9!#%&*+,.;=?@^_~:/-]{7,48}",
        host in "(ghcr\\.io|quay\\.io/acme/app|https://index\\.docker\\.io/v1/|registry\\.example\\.test:5000)",
    ) {
        prop_assume!(plausible_pair(&user, &password));
        let auth = STANDARD.encode(format!("{user}:{password}"));
        let config = format!(r#"{{"auths":{{"{host}":{{"auth":"{auth}"}}}}}}"#);
        let found = scan::scan(config.as_bytes());
        prop_assert_eq!(found.len(), 1);
        prop_assert_eq!(found[0].username.as_deref(), Some(user.as_str()));
        prop_assert_eq!(found[0].secret.expose(), password.as_str());
        prop_assert_eq!(found[0].registry.as_deref(), Some(host.as_str()));
        prop_assert_eq!(&config[found[0].span.clone()], auth.as_str());

        // The same config as a Kubernetes Secret value, URL-safe unpadded.
        let k8s = format!("data:\n  .dockerconfigjson: {}\n", URL_SAFE_NO_PAD.encode(&config));
        let found = scan::scan(k8s.as_bytes());
        prop_assert_eq!(found.len(), 1);
        prop_assert_eq!(found[0].secret.expose(), password.as_str());

        // A bare pair in a credential context.
        let env = format!("REGISTRY_AUTH={auth}\n");
        let found = scan::scan(env.as_bytes());
        prop_assert_eq!(found.len(), 1);
        prop_assert_eq!(found[0].username.as_deref(), Some(user.as_str()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A docker config encoded 1 to `ENCODED_LAYERS` times, in either
    /// alphabet, padded or not, under a key that names nothing, is still
    /// found: the file-level prefilter never drops it.
    #[test]
    fn encoded_configs_without_keywords_pass_the_prefilter(
        host in "[a-z]{1,12}\\.(io|test)(:[0-9]{2,5})?",
        pad in "[ \n]{0,3}",
        layers in 1usize..=credscan::engine::prefilter::ENCODED_LAYERS,
        url in any::<bool>(),
        key in "(blob|value|x|data1)",
    ) {
        let auth = STANDARD.encode("octo-fake:FAKEpass-prop-0042");
        let mut v = format!(r#"{{{pad}"auths":{{"{host}":{{"auth":"{auth}"}}}}}}"#);
        for _ in 0..layers {
            v = if url { URL_SAFE_NO_PAD.encode(&v) } else { STANDARD.encode(&v) };
        }
        let text = format!("{key}: {v}\n");
        let found = scan::scan(text.as_bytes());
        prop_assert_eq!(found.len(), 1);
        prop_assert_eq!(found[0].registry.as_deref(), Some(host.as_str()));
    }
}

fn line_strategy() -> impl Strategy<Value = String> {
    let pair = STANDARD.encode("ci-bot:FAKEpass-anchor-0042");
    let cfg = STANDARD.encode(format!(
        r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#,
        STANDARD.encode("octo-fake:FAKEpass-anchor-0043")
    ));
    let keys = prop_oneof![
        Just("auth: ".to_string()),
        Just("REGISTRY_AUTH=".to_string()),
        Just("  .dockerconfigjson: ".to_string()),
        Just("  .dockerconfigjson: |\n    ".to_string()),
        Just("Authorization: Basic ".to_string()),
        Just("author: ".to_string()),
        Just("credentials:\n  value: ".to_string()),
        Just("data: ".to_string()),
        Just("- ".to_string()),
        Just("  \"registryAuth\" : \"".to_string()),
        Just("export DOCKER_REGISTRY_AUTH_VALUE='".to_string()),
        Just("curl -H 'Basic ".to_string()),
        Just("Basic: ".to_string()),
        Just("auth:\n  - ".to_string()),
        Just("imageCredentials.auth=".to_string()),
        Just("x_auth_y: >-\n    ".to_string()),
        Just("auth: |2-\n\t".to_string()),
        Just("registry: ghcr.io # docker auth=".to_string()),
        Just("".to_string()),
    ];
    let values = prop_oneof![
        Just(pair),
        Just(cfg),
        "[A-Za-z0-9+/]{10,60}={0,2}",
        "[a-z ]{0,30}",
    ];
    (keys, values).prop_map(|(k, v)| format!("{k}{v}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The prefiltered scan finds exactly what decoding every run finds.
    #[test]
    fn prefiltered_scan_equals_full_scan(lines in proptest::collection::vec(line_strategy(), 0..12)) {
        let text = lines.join("\n");
        let fast = scan::scan(text.as_bytes());
        let full = scan::scan_full(text.as_bytes());
        prop_assert_eq!(fast, full);
        // Dense with keywords: the prefilter switches from visiting keywords
        // to filtering all runs.
        let dense = format!("{}\n{text}", "author registry ".repeat(64));
        prop_assert!(matches!(
            credscan::engine::prefilter::plan(dense.as_bytes()),
            credscan::engine::prefilter::Plan::Anchored | credscan::engine::prefilter::Plan::Full
        ));
        prop_assert_eq!(scan::scan(dense.as_bytes()), scan::scan_full(dense.as_bytes()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The plaintext detectors never panic on text built from the pieces
    /// they look for: quotes, continuations, operators, YAML, HCL, headers.
    #[test]
    fn detectors_never_panic_on_command_like_text(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("docker".to_string()), Just(" login".to_string()), Just(" -p".to_string()),
                Just(" -u".to_string()), Just(" --password=".to_string()), Just("\\\n".to_string()),
                Just("`".to_string()), Just("'".to_string()), Just("\"".to_string()),
                Just("$(".to_string()), Just("${".to_string()), Just(")".to_string()),
                Just("}".to_string()), Just(" | ".to_string()), Just(" <<< ".to_string()),
                Just(" --password-stdin".to_string()), Just("echo ".to_string()),
                Just("printf '%s' ".to_string()), Just(" --creds ".to_string()),
                Just("ctr -u ".to_string()), Just("\n".to_string()), Just("\r\n".to_string()),
                Just("configs:\n".to_string()), Just("  auth:\n".to_string()),
                Just("    password: ".to_string()), Just("- ".to_string()),
                Just("{".to_string()), Just(": ".to_string()), Just(", ".to_string()),
                Just("auth {\n".to_string()), Just("password = \"".to_string()),
                Just("[plugins.\"x\".registry.configs.\"h\".auth]\n".to_string()),
                Just("X-Registry-Auth: ".to_string()), Just("é".to_string()),
                "[A-Za-z0-9+/=_:.-]{0,24}",
            ],
            0..64,
        )
    ) {
        let text: String = parts.concat();
        for f in scan::scan(text.as_bytes()) {
            prop_assert!(f.span.start <= f.span.end && f.span.end <= text.len());
        }
    }

    /// A plausible literal on a login command is found at its exact span;
    /// the same command with a reference is not.
    #[test]
    fn literal_login_passwords_are_found_and_references_are_not(
        user in "[a-z][a-z0-9-]{2,12}",
        password in "FAKE[A-Za-z0-9_.@+=-]{6,30}",
        var in "[A-Z][A-Z0-9_]{2,16}",
        form in 0usize..5,
    ) {
        prop_assume!(plausible_pair(&user, &password));
        let text = match form {
            0 => format!("docker login -u {user} -p {password} registry.example.test\n"),
            1 => format!("podman login registry.example.test \\\n  --username {user} \\\n  --password '{password}'\n"),
            2 => format!("echo \"{password}\" | docker login -u {user} --password-stdin\n"),
            3 => format!("kubectl create secret docker-registry x --docker-username={user} --docker-password={password}\n"),
            _ => format!("skopeo copy --src-creds {user}:{password} docker://a.example.test/x docker://b.example.test/x\n"),
        };
        let found = scan::scan(text.as_bytes());
        prop_assert_eq!(found.len(), 1, "{}", text);
        prop_assert_eq!(&text[found[0].span.clone()], password.as_str());
        prop_assert_eq!(found[0].username.as_deref(), Some(user.as_str()));

        for reference in [format!("${var}"), format!("${{{var}}}"), format!("$({var})"), format!("%{var}%")] {
            let text = text.replace(&password, &reference);
            prop_assert!(scan::scan(text.as_bytes()).is_empty(), "{}", text);
        }
    }
}
