use super::*;

fn found(text: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    let at = crate::forms::gate_positions(text.as_bytes(), FORM.gate);
    scan(text.as_bytes(), &at, &mut out);
    out
}

/// Exactly one finding, whose span is `secret`; returns it.
fn one(text: &str, secret: &str) -> Candidate {
    let f = found(text);
    assert_eq!(f.len(), 1, "expected one finding in {text:?}, got {f:#?}");
    let f = f.into_iter().next().unwrap();
    assert_eq!(&text[f.span.clone()], secret, "span in {text:?}");
    assert_eq!(f.secret, secret);
    assert_eq!(f.rule, Rule::LoginCommand);
    assert_eq!(f.context, Context::Command);
    f
}

fn none(text: &str) {
    let f = found(text);
    assert!(f.is_empty(), "expected nothing in {text:?}, got {f:#?}");
}

#[test]
fn login_flags_of_every_tool() {
    for cmd in [
        "docker login -u ci-bot -p FAKEpass-0001 registry.example.test",
        "sudo podman login registry.example.test --username ci-bot --password FAKEpass-0001",
        "buildah login --username=ci-bot --password=FAKEpass-0001 registry.example.test",
        "nerdctl login -u ci-bot -pFAKEpass-0001 registry.example.test",
        "/usr/local/bin/docker --config /tmp/cfg login -u ci-bot -p=FAKEpass-0001 registry.example.test",
        "helm registry login registry.example.test -u ci-bot -p FAKEpass-0001",
        "oras login registry.example.test -u ci-bot --password 'FAKEpass-0001'",
        "crane auth login registry.example.test -u ci-bot -p \"FAKEpass-0001\"",
        "skopeo login -u ci-bot -p FAKEpass-0001 registry.example.test",
        "regctl registry login registry.example.test -u ci-bot --pass FAKEpass-0001",
    ] {
        let f = one(cmd, "FAKEpass-0001");
        assert_eq!(f.username.as_deref(), Some("ci-bot"), "{cmd}");
        assert_eq!(f.registry.as_deref(), Some("registry.example.test"), "{cmd}");
    }
    let f = one(
        "az acr login -n fakereg -u fakereg -p FAKEpass-0001",
        "FAKEpass-0001",
    );
    assert_eq!(f.registry.as_deref(), Some("fakereg.azurecr.io"));
}

#[test]
fn continuations_and_carriers() {
    let text = "#!/bin/sh\nset -e\ndocker login \\\n  --username ci-bot \\\n  --password FAKEpass-0002 \\\n  registry.example.test\n";
    let f = one(text, "FAKEpass-0002");
    assert_eq!(f.registry.as_deref(), Some("registry.example.test"));
    one(
        "RUN docker login -u ci-bot -p FAKEpass-0003 && docker pull x",
        "FAKEpass-0003",
    );
    one(
        "      - run: docker login -u ci-bot -p FAKEpass-0004 ghcr.io",
        "FAKEpass-0004",
    );
    one(
        "deploy:\n\tdocker login -u ci-bot -p FAKEpass-0005\n",
        "FAKEpass-0005",
    );
    one(
        "Log in with `docker login -u ci-bot -p FAKEpass-0006` first.",
        "FAKEpass-0006",
    );
    one(
        r#"  script: "docker login -u ci-bot -p FAKEpass-0007 registry.example.test""#,
        "FAKEpass-0007",
    );
    one(
        r#"{"cmd": "docker login -u ci-bot -p \"FAKEpass-0008\""}"#,
        "FAKEpass-0008",
    );
    one(
        "docker login `\n  -u ci-bot `\n  -p FAKEpass-0009",
        "FAKEpass-0009",
    );
    one(
        "docker login -u ci-bot -p FAKEpass-0010\r\n",
        "FAKEpass-0010",
    );
}

#[test]
fn password_stdin_from_a_literal() {
    let f = one(
        "echo FAKEpass-0011 | docker login -u ci-bot --password-stdin registry.example.test",
        "FAKEpass-0011",
    );
    assert_eq!(f.username.as_deref(), Some("ci-bot"));
    one(
        "echo -n 'FAKEpass-0012' | podman login -u ci-bot --password-stdin q.example.test",
        "FAKEpass-0012",
    );
    one("printf '%s' \"FAKEpass-0013\" | helm registry login r.example.test -u ci-bot --password-stdin", "FAKEpass-0013");
    one(
        "docker login -u ci-bot --password-stdin r.example.test <<< FAKEpass-0014",
        "FAKEpass-0014",
    );
    one(
        "printf 'FAKEpass-0015\\n' | crane auth login r.example.test -u ci-bot --password-stdin",
        "FAKEpass-0015",
    );
}

#[test]
fn password_stdin_from_a_variable_or_file_is_not_reported() {
    none("echo $REGISTRY_PASSWORD | docker login -u ci-bot --password-stdin");
    none("echo \"${{ secrets.GHCR_TOKEN }}\" | docker login ghcr.io -u ci-bot --password-stdin");
    none("cat ~/pw.txt | docker login -u ci-bot --password-stdin");
    none("docker login -u ci-bot --password-stdin < ~/pw.txt");
    none("aws ecr get-login-password | docker login --username AWS --password-stdin 1.dkr.ecr.us-east-1.amazonaws.com");
    none("echo $(vault kv get -field=pw secret/reg) | docker login -u ci-bot --password-stdin");
    none("docker login -u ci-bot --password-stdin");
}

#[test]
fn references_and_placeholders_are_not_reported() {
    for cmd in [
        "docker login -u ci-bot -p $REGISTRY_PASSWORD",
        "docker login -u ci-bot -p \"${REGISTRY_PASSWORD}\"",
        "docker login -u ci-bot -p $(cat /run/secrets/pw)",
        "docker login -u ci-bot -p `cat pw`",
        "docker login -u ci-bot -p ${{ secrets.REGISTRY_PASSWORD }}",
        "docker login -u ci-bot -p {{ registry_password }}",
        "docker login -u %REG_USER% -p %REG_PASS%",
        "docker login -u $env:REG_USER -p $env:REG_PASS",
        "docker login -u $(REG_USER) -p $$REG_PASS",
        "docker login -u <username> -p <your-pword>",
        "docker login -u ci-bot -p YOUR_TOKEN",
        "docker login -u username -p password",
        "docker login -u ci-bot -p xxxxxxxx",
        "docker login -u ci-bot -p ********",
        "docker login -u ci-bot",
        "docker logout registry.example.test",
        "docker run -p 8080:80 nginx",
        "npm login --password FAKEpass-0099",
        "gh auth login --with-token",
        "The docker login command reads -p from the flag.",
        "crane auth login -u AzureDiamond -p hunter2 r.example.test",
        "skopeo copy --src-creds=testuser:testpassword docker://a/b docker://c/d",
        "docker login -u AWS -p $(aws ecr get-login-password --region us-east-1) 1.dkr.ecr.us-east-1.amazonaws.com",
        "docker login -u _json_key -p \"$(cat keyfile.json)\" https://gcr.io",
        "docker login --username AWS --password-stdin <<< $(aws ecr get-login-password)",
    ] {
        none(cmd);
    }
}

#[test]
fn kubectl_docker_registry_secret() {
    let f = one(
        "kubectl create secret docker-registry regcred \\\n  --docker-server=registry.example.test \\\n  --docker-username=ci-bot \\\n  --docker-password=FAKEpass-0020 \\\n  --docker-email=ci@example.test",
        "FAKEpass-0020",
    );
    assert_eq!(f.username.as_deref(), Some("ci-bot"));
    assert_eq!(f.registry.as_deref(), Some("registry.example.test"));
    one("oc create secret docker-registry pull --docker-username ci-bot --docker-password 'FAKEpass-0021'", "FAKEpass-0021");
    none("kubectl create secret docker-registry regcred --docker-username=ci-bot --docker-password=$PASSWORD");
    none("kubectl create secret generic x --from-literal=password=FAKEpass-0022");
}

#[test]
fn skopeo_ctr_crictl_pairs() {
    let f = one(
        "skopeo copy --src-creds ci-bot:FAKEpass-0030 docker://src.example.test/app:1 docker://dst.example.test/app:1",
        "FAKEpass-0030",
    );
    assert_eq!(f.username.as_deref(), Some("ci-bot"));
    assert_eq!(f.registry.as_deref(), Some("src.example.test"));
    let f = one(
        "skopeo copy docker://src.example.test/app:1 docker://dst.example.test/app:1 --dest-creds=ci-bot:FAKEpass-0031",
        "FAKEpass-0031",
    );
    assert_eq!(f.registry.as_deref(), Some("dst.example.test"));
    one(
        "skopeo inspect --creds 'ci-bot:FAKE:pass-0032' docker://r.example.test/app",
        "FAKE:pass-0032",
    );
    let f = one(
        "ctr -n k8s.io images pull -u ci-bot:FAKEpass-0033 r.example.test/app:1",
        "FAKEpass-0033",
    );
    assert_eq!(f.registry.as_deref(), Some("r.example.test"));
    one(
        "ctr i pull --user ci-bot:FAKEpass-0034 r.example.test/app:1",
        "FAKEpass-0034",
    );
    one(
        "crictl pull --creds ci-bot:FAKEpass-0035 r.example.test/app:1",
        "FAKEpass-0035",
    );
    none("skopeo copy --src-creds \"$SRC_USER:$SRC_PASS\" docker://a.example.test/x docker://b.example.test/x");
    none("skopeo inspect --creds ci-bot docker://r.example.test/app");
    none("skopeo inspect --creds ${CREDS} docker://r.example.test/app");
    none("ctr images pull -u $CTR_USER:$CTR_PASS r.example.test/app:1");
    none("ctrl -u ci-bot:FAKEpass-0036");
}

#[test]
fn oras_identity_token_and_other_commands() {
    let f = one(
        "oras login r.example.test --identity-token FAKEtoken-0040",
        "FAKEtoken-0040",
    );
    assert_eq!(f.kind, SecretKind::IdentityToken);
    let f = one(
        "oras push r.example.test/app:1 -u ci-bot -p FAKEpass-0041 ./a.txt",
        "FAKEpass-0041",
    );
    assert_eq!(f.registry.as_deref(), Some("r.example.test"));
}

#[test]
fn ngc_and_harbor_usernames_are_kept() {
    let f = one(
        "docker login nvcr.io -u '$oauthtoken' -p nvapi-FAKEcredscan00000000",
        "nvapi-FAKEcredscan00000000",
    );
    assert_eq!(f.username.as_deref(), Some("$oauthtoken"));
    let f = one(
        "docker login h.example.test -u 'robot$ci+puller' -p FAKErobot-secret-01",
        "FAKErobot-secret-01",
    );
    assert_eq!(f.username.as_deref(), Some("robot$ci+puller"));
}

#[test]
fn long_lines_and_many_continuations_are_linear() {
    let mut big = "x ".repeat(200_000);
    big.push_str("docker login -u ci-bot -p FAKEpass-0050\n");
    one(&big, "FAKEpass-0050");
    let mut minified = "var login=function(a){return a};".repeat(100_000);
    minified.push_str("run(\"docker login -u ci-bot -p FAKEpass-0051\");");
    minified.push_str(&"var password=1;".repeat(100_000));
    one(&minified, "FAKEpass-0051");
    let t = std::time::Instant::now();
    let many = "docker login \\\n".repeat(100_000);
    let _ = found(&many);
    let opts = format!("docker {}\n", "-a ".repeat(100_000));
    let _ = found(&opts.repeat(3));
    assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
}

#[test]
fn commands_behind_prompts_and_comment_markers() {
    for prefix in [
        "$ ", "# ", "#", "## ", "> ", "PS> ", "C:\\> ", "// ", "REM ", ":: ", "  # ",
    ] {
        for cmd in [
            "docker login -u ci-bot -p Zq8vLm2Kp4Rt7Wx registry.example.test",
            "skopeo inspect --creds ci-bot:Zq8vLm2Kp4Rt7Wx docker://registry.example.test/a:1",
            "kubectl create secret docker-registry rc --docker-username=ci-bot --docker-password=Zq8vLm2Kp4Rt7Wx",
        ] {
            let text = format!("{prefix}{cmd}\n");
            let f = one(&text, "Zq8vLm2Kp4Rt7Wx");
            assert_eq!(f.username.as_deref(), Some("ci-bot"), "{text}");
        }
    }
    // Inside a fenced code block, the fence is no continuation.
    one(
        "```\n# docker login -u ci-bot -p Zq8vLm2Kp4Rt7Wx registry.example.test\n```\n",
        "Zq8vLm2Kp4Rt7Wx",
    );
    none("# docker login -u ci-bot -p $REGISTRY_PASSWORD registry.example.test\n");
    none("#!/bin/sh\n# docker login -u <user> -p <password>\n");
}

#[test]
fn login_after_an_unclosed_backtick_or_quote() {
    for text in [
        "var script = `docker login -u ci-bot -p Zq8vLm2Kp4Rt7Wx registry.example.test\ndocker push x\n`\n",
        "script = \"docker login -u ci-bot -p Zq8vLm2Kp4Rt7Wx registry.example.test\n\"\n",
        "args: 'docker login -u ci-bot -p Zq8vLm2Kp4Rt7Wx registry.example.test\n",
    ] {
        one(text, "Zq8vLm2Kp4Rt7Wx");
    }
    // An apostrophe inside a word stays literal prose.
    none("don't docker login -u ci-bot -p $PASS registry.example.test\n");
}

#[test]
fn creds_on_every_podman_and_buildah_subcommand() {
    for sub in ["pull", "push", "run", "build", "bud", "from", "login"] {
        for (prog, creds) in [
            ("podman", "--creds ci-bot:Zq8vLm2Kp4Rt7Wx"),
            ("buildah", "--creds=ci-bot:Zq8vLm2Kp4Rt7Wx"),
            ("podman", "--creds 'ci-bot:Zq8vLm2Kp4Rt7Wx'"),
        ] {
            let text = format!("{prog} {sub} {creds} registry.example.test/a:1\n");
            let f = one(&text, "Zq8vLm2Kp4Rt7Wx");
            assert_eq!(f.username.as_deref(), Some("ci-bot"), "{text}");
        }
    }
    none("podman pull --creds \"$USER:$PASS\" registry.example.test/a:1\n");
    none("buildah bud --creds $(REGISTRY_USER):$(REGISTRY_PASSWORD) .\n");
}

#[test]
fn argv_arrays_in_code() {
    for text in [
        "subprocess.run([\"podman\", \"pull\", \"--creds\", \"ci-bot:Zq8vLm2Kp4Rt7Wx\", img])\n",
        "cmd := exec.Command(\"skopeo\", \"copy\", \"--src-creds\", \"ci-bot:Zq8vLm2Kp4Rt7Wx\", src, dst)\n",
        "spawn('docker', ['login', '-u', 'ci-bot', '-p', 'Zq8vLm2Kp4Rt7Wx', 'registry.example.test'])\n",
    ] {
        one(text, "Zq8vLm2Kp4Rt7Wx");
    }
    none("subprocess.run([\"podman\", \"pull\", \"--creds\", creds, img])\n");
}

#[test]
fn kubectl_alias_k() {
    let f = one(
        "k create secret docker-registry rc --docker-server=r.example.test --docker-username=ci-bot --docker-password=Zq8vLm2Kp4Rt7Wx\n",
        "Zq8vLm2Kp4Rt7Wx",
    );
    assert_eq!(f.registry.as_deref(), Some("r.example.test"));
}

#[test]
fn helm_set_with_registry_credential_keys() {
    for set in [
        "--set imageCredentials.password=Zq8vLm2Kp4Rt7Wx",
        "--set-string imagePullSecret.password=Zq8vLm2Kp4Rt7Wx",
        "--set registry.username=ci-bot,registry.password=Zq8vLm2Kp4Rt7Wx",
        "--set=global.docker.password=Zq8vLm2Kp4Rt7Wx",
    ] {
        one(
            &format!("helm upgrade --install app ./chart {set}\n"),
            "Zq8vLm2Kp4Rt7Wx",
        );
    }
    let f = one(
        "helm install app ./c --set imageCredentials.username=ci-bot --set imageCredentials.password=Zq8vLm2Kp4Rt7Wx\n",
        "Zq8vLm2Kp4Rt7Wx",
    );
    assert_eq!(f.username.as_deref(), Some("ci-bot"));
    none("helm install app ./c --set postgresql.auth.password=Zq8vLm2Kp4Rt7Wx\n");
    none("helm install app ./c --set imageCredentials.password=$REGISTRY_PASSWORD\n");
}

#[test]
fn password_option_with_a_registry_argument() {
    for text in [
        "argocd repo add registry.example.test/charts --type helm --enable-oci --username ci-bot --password Zq8vLm2Kp4Rt7Wx\n",
        "flux create secret oci s --url=ghcr.io/acme --username=ci-bot --password=Zq8vLm2Kp4Rt7Wx\n",
        "apptainer remote login --username ci-bot --password Zq8vLm2Kp4Rt7Wx docker://registry.example.test\n",
        "az containerapp registry set -n app --server acme.azurecr.io --username ci-bot --password Zq8vLm2Kp4Rt7Wx\n",
    ] {
        let f = one(text, "Zq8vLm2Kp4Rt7Wx");
        assert_eq!(f.username.as_deref(), Some("ci-bot"), "{text}");
    }
    // No registry in sight: a database or an unrelated tool.
    none("mysql -h db.internal --user app --password Zq8vLm2Kp4Rt7Wx\n");
    none("argocd repo add https://git.example.test/app.git --username ci-bot --password Zq8vLm2Kp4Rt7Wx\n");
}
