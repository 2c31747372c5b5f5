//! Property tests for the decoders and the engine.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use proptest::prelude::*;

use credscan::placeholder::plausible_pair;
use credscan::{decode, json, scan};

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
