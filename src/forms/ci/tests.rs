//! CI, k3s, containerd, Nomad, Terraform and Ansible forms, through
//! `engine::plaintext::scan`.

use crate::engine::plaintext::scan;
use crate::model::finding::{Context, RawFinding, SecretKind};
use crate::model::rule::Rule;

fn found(text: &str) -> Vec<RawFinding> {
    let mut out = Vec::new();
    let hits = crate::engine::hits::Hits::find(text.as_bytes());
    scan(text.as_bytes(), &hits, &mut out);
    out
}

/// Exactly one finding, at `span`; its secret is the span's text unless
/// the test checks a decoded one.
fn one(text: &str, span: &str, rule: Rule) -> RawFinding {
    let f = found(text);
    assert_eq!(f.len(), 1, "expected one finding in {text}, got {f:#?}");
    let f = f.into_iter().next().unwrap();
    assert_eq!(&text[f.span.clone()], span, "span in {text}");
    if !span.starts_with("Y2kt") {
        assert_eq!(f.secret.expose(), span);
    }
    assert_eq!(f.rule, rule);
    f
}

fn none(text: &str) {
    let f = found(text);
    assert!(f.is_empty(), "expected nothing in {text}, got {f:#?}");
}

#[test]
fn circleci_auth() {
    let text = "jobs:\n  build:\n    docker:\n      - image: r.example.test/acme/build:1\n        auth:\n          username: ci-bot\n          password: FAKEpass-circle-01\n";
    let f = one(text, "FAKEpass-circle-01", Rule::CiCredential);
    assert_eq!(f.username.as_deref(), Some("ci-bot"));
    assert_eq!(f.registry.as_deref(), Some("r.example.test"));
    assert_eq!(f.context, Context::Ci);
    let flow = "    docker:\n      - image: acme/build\n        auth: {username: ci-bot, password: \"FAKEpass-circle-02\"}\n";
    let f = one(flow, "FAKEpass-circle-02", Rule::CiCredential);
    assert_eq!(f.registry.as_deref(), Some("docker.io"));
    none("    docker:\n      - image: acme/build\n        auth:\n          username: $DOCKERHUB_USER\n          password: $DOCKERHUB_PASSWORD\n");
    none("    docker:\n      - image: acme/build\n        auth: {username: ci-bot, password: ${DOCKERHUB_PASSWORD}}\n");
}

#[test]
fn github_actions_login_action_and_credentials() {
    let text = "steps:\n  - uses: docker/login-action@v3\n    with:\n      registry: ghcr.io\n      username: octo-fake\n      password: ghp_FAKEcredscan000000000000000000000000\n";
    let f = one(
        text,
        "ghp_FAKEcredscan000000000000000000000000",
        Rule::CiCredential,
    );
    assert_eq!(f.registry.as_deref(), Some("ghcr.io"));
    none("steps:\n  - uses: docker/login-action@v3\n    with:\n      registry: ghcr.io\n      username: ${{ github.actor }}\n      password: ${{ secrets.GITHUB_TOKEN }}\n");
    // Another action's password is not a registry login.
    none("steps:\n  - uses: acme/deploy@v1\n    with:\n      password: FAKEpass-other-01\n");
    let container = "jobs:\n  t:\n    container:\n      image: ghcr.io/acme/ci:1\n      credentials:\n        username: octo-fake\n        password: FAKEpass-gha-container\n    services:\n      db:\n        image: r.example.test/db:1\n        credentials:\n          username: octo-fake\n          password: 'FAKEpass-gha-service'\n";
    let f = found(container);
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(f[0].registry.as_deref(), Some("ghcr.io"));
    assert_eq!(&container[f[1].span.clone()], "FAKEpass-gha-service");
    assert_eq!(f[1].registry.as_deref(), Some("r.example.test"));
}

#[test]
fn bitbucket_drone_jenkins() {
    let bb = "image:\n  name: r.example.test/acme/build:1\n  username: ci-bot\n  password: FAKEpass-bitbucket-1\n  email: ci@example.test\n";
    let f = one(bb, "FAKEpass-bitbucket-1", Rule::CiCredential);
    assert_eq!(f.registry.as_deref(), Some("r.example.test"));
    none("image:\n  name: r.example.test/acme/build:1\n  username: $DOCKER_USER\n  password: $DOCKER_PASSWORD\n");
    let drone = "pipeline:\n  build:\n    image: r.example.test/acme/build\n    auth_config:\n      username: ci-bot\n      password: FAKEpass-drone-01\n";
    one(drone, "FAKEpass-drone-01", Rule::CiCredential);
    let plugin = "steps:\n  - name: publish\n    image: plugins/docker\n    settings:\n      repo: acme/app\n      username: ci-bot\n      password: FAKEpass-drone-02\n";
    one(plugin, "FAKEpass-drone-02", Rule::CiCredential);
    none("steps:\n  - name: publish\n    image: plugins/docker\n    settings:\n      username: ci-bot\n      password:\n        from_secret: docker_password\n");
    none("steps:\n  - image: plugins/docker\n    settings:\n      password: {from_secret: docker_password}\n");
    let jcasc = "credentials:\n  system:\n    domainCredentials:\n      - credentials:\n          - usernamePassword:\n              scope: GLOBAL\n              id: registry\n              username: ci-bot\n              password: \"FAKEpass-jenkins-01\"\n";
    one(jcasc, "FAKEpass-jenkins-01", Rule::CiCredential);
    none("          - usernamePassword:\n              username: ci-bot\n              password: \"${REGISTRY_PASSWORD}\"\n");
    none("          - usernamePassword:\n              username: ci-bot\n              password: \"{AQAAABAAAAAQFAKEencryptedFAKE=}\"\n");
}

#[test]
fn unrelated_passwords_are_not_ci_credentials() {
    none("database:\n  username: app\n  password: FAKEpass-db-0001\n");
    none("image:\n  repository: acme/app\n  username: ci-bot\n  password: FAKEpass-helm-0001\n");
    none("auth:\n  username: app\n  password: FAKEpass-db-0002\n");
}

#[test]
fn k3s_registries_yaml() {
    let text = "mirrors:\n  docker.io:\n    endpoint: [\"https://r.example.test\"]\nconfigs:\n  \"r.example.test:5000\":\n    auth:\n      username: ci-bot\n      password: FAKEpass-k3s-0001\n    tls:\n      insecure_skip_verify: true\n";
    let f = one(text, "FAKEpass-k3s-0001", Rule::RuntimeConfig);
    assert_eq!(f.registry.as_deref(), Some("r.example.test:5000"));
    assert_eq!(f.context, Context::RuntimeConfig);
    // `auth` is base64 user:password; the engine's CS004 finding is replaced.
    let text =
        "configs:\n  r.example.test:\n    auth:\n      auth: Y2ktYm90OkZBS0VwYXNzLWszcy0wMDAy\n";
    let f = one(
        text,
        "Y2ktYm90OkZBS0VwYXNzLWszcy0wMDAy",
        Rule::RuntimeConfig,
    );
    assert_eq!(f.secret.expose(), "FAKEpass-k3s-0002");
    let text =
        "configs:\n  r.example.test:\n    auth:\n      identity_token: FAKEidentity-k3s-0003\n";
    assert_eq!(
        one(text, "FAKEidentity-k3s-0003", Rule::RuntimeConfig).kind,
        SecretKind::IdentityToken
    );
    none(
        "configs:\n  r.example.test:\n    auth:\n      username: xxxxxx\n      password: xxxxxx\n",
    );
}

#[test]
fn containerd_config_toml() {
    let text = "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry.configs.\"r.example.test\".auth]\n  username = \"ci-bot\"\n  password = \"FAKEpass-containerd-1\"\n  identitytoken = \"\"\n[plugins.\"io.containerd.grpc.v1.cri\".registry.configs.\"r.example.test\".tls]\n  insecure_skip_verify = true\n";
    let f = one(text, "FAKEpass-containerd-1", Rule::RuntimeConfig);
    assert_eq!(f.registry.as_deref(), Some("r.example.test"));
    assert_eq!(f.username.as_deref(), Some("ci-bot"));
    let text = "[plugins.cri.registry.auths.\"https://r.example.test\"]\n  auth = \"Y2ktYm90OkZBS0VwYXNzLWNvbnRhaW5lcmQtMg==\"";
    let f = one(
        text,
        "Y2ktYm90OkZBS0VwYXNzLWNvbnRhaW5lcmQtMg==",
        Rule::RuntimeConfig,
    );
    assert_eq!(f.secret.expose(), "FAKEpass-containerd-2");
    none("[plugins.\"io.containerd.grpc.v1.cri\".registry.configs.\"r.example.test\".auth]\n  username = \"ci-bot\"\n  password = \"${REGISTRY_PASSWORD}\"\n");
}

#[test]
fn nomad_and_terraform() {
    let nomad = "task \"app\" {\n  driver = \"docker\"\n  config {\n    image = \"r.example.test/acme/app:1\"\n    auth {\n      username = \"ci-bot\"\n      password = \"FAKEpass-nomad-0001\"\n      server_address = \"r.example.test\"\n    }\n  }\n}\n";
    let f = one(nomad, "FAKEpass-nomad-0001", Rule::RuntimeConfig);
    assert_eq!(f.registry.as_deref(), Some("r.example.test"));
    none("auth {\n  username = \"ci-bot\"\n  password = \"{{ with secret \\\"kv/reg\\\" }}{{ .Data.pw }}{{ end }}\"\n}\n");
    let tf = "provider \"docker\" {\n  registry_auth {\n    address  = \"r.example.test\"\n    username = \"ci-bot\"\n    password = \"FAKEpass-terraform-1\"\n  }\n}\n";
    let f = one(tf, "FAKEpass-terraform-1", Rule::IacCredential);
    assert_eq!(f.context, Context::Iac);
    assert_eq!(f.registry.as_deref(), Some("r.example.test"));
    none("provider \"docker\" {\n  registry_auth {\n    address  = \"r.example.test\"\n    username = var.registry_user\n    password = var.registry_password\n  }\n}\n");
    none("  registry_auth {\n    password = \"${var.registry_password}\"\n  }\n");
}

#[test]
fn ansible_docker_login() {
    let text = "- name: Log in\n  community.docker.docker_login:\n    registry_url: r.example.test\n    username: ci-bot\n    password: FAKEpass-ansible-01\n";
    let f = one(text, "FAKEpass-ansible-01", Rule::IacCredential);
    assert_eq!(f.registry.as_deref(), Some("r.example.test"));
    let text = "- containers.podman.podman_login:\n    registry: q.example.test\n    username: ci-bot\n    password: 'FAKEpass-ansible-02'\n";
    one(text, "FAKEpass-ansible-02", Rule::IacCredential);
    none("- docker_login:\n    username: ci-bot\n    password: \"{{ registry_password }}\"\n");
    none("- docker_login:\n    username: ci-bot\n    password: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      6162636465666768\n");
}
