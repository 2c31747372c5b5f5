//! Which host a finding's registry names, and whether the user allowed it
//! to be reached without verified TLS.

use std::fmt;

/// A registry's API endpoint: a lower-case host and an optional port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    pub port: Option<u16>,
}

/// Docker Hub's names: config files key its credentials by
/// `https://index.docker.io/v1/`, but its registry API is served here.
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";
const DOCKER_HUB_NAMES: &[&str] = &[
    "index.docker.io",
    "docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
];

impl Target {
    /// Reads a registry as findings carry it: `host`, `host:port`,
    /// `https://host/v1/`, `http://host:5000`, `[::1]:5000`, `host/path`.
    /// `None` for anything that is not a plain host name: user info,
    /// variables, spaces, empty names.
    pub fn parse(registry: &str) -> Option<Target> {
        let s = registry.trim();
        let rest = match s.split_once("://") {
            Some((scheme, rest))
                if scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http") =>
            {
                rest
            }
            Some(_) => return None,
            None => s,
        };
        let authority = rest.split('/').next().unwrap_or("");
        let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
            let (h, after) = inner.split_once(']')?;
            if !h.contains(':')
                || !h
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
            {
                return None;
            }
            (h, after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        let port = match port {
            Some(p) => Some(p.parse::<u16>().ok().filter(|&p| p > 0)?),
            None => None,
        };
        if !valid_host(host) {
            return None;
        }
        let host = host.to_ascii_lowercase();
        if DOCKER_HUB_NAMES.contains(&host.as_str()) && port.is_none() {
            return Some(Target {
                host: DOCKER_HUB_API.to_string(),
                port: None,
            });
        }
        Some(Target { host, port })
    }

    /// `host[:port]`, with brackets around IPv6 addresses, for URLs.
    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.port {
            Some(p) => format!("{host}:{p}"),
            None => host,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.authority())
    }
}

fn valid_host(h: &str) -> bool {
    if h.contains(':') {
        // An IPv6 address (checked by the caller).
        return true;
    }
    !h.is_empty()
        && h.len() <= 253
        && !h.starts_with(['.', '-'])
        && !h.ends_with(['-'])
        && !h.contains("..")
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')
}

/// The `--insecure-registry` entries: registries that may be reached over
/// plain HTTP or TLS without certificate verification. As in the docker
/// daemon, an entry matches the registry name exactly: `host:port` matches
/// only that port and `host` only the default port.
#[derive(Debug, Clone, Default)]
pub struct Insecure(Vec<Target>);

impl Insecure {
    pub fn parse(entries: &[String]) -> Result<Insecure, String> {
        let mut out = Vec::new();
        for e in entries {
            let lower = e.to_ascii_lowercase();
            if lower.contains("://") || e.contains('/') {
                return Err(format!(
                    "--insecure-registry {e}: give HOST or HOST:PORT, without scheme or path"
                ));
            }
            let t = Target::parse(e)
                .ok_or_else(|| format!("--insecure-registry {e}: not a host name or HOST:PORT"))?;
            out.push(t);
        }
        Ok(Insecure(out))
    }

    pub fn allows(&self, host: &str, port: Option<u16>) -> bool {
        self.0
            .iter()
            .any(|t| t.host.eq_ignore_ascii_case(host) && t.port == port)
    }

    pub fn allows_target(&self, t: &Target) -> bool {
        self.allows(&t.host, t.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(host: &str, port: Option<u16>) -> Option<Target> {
        Some(Target {
            host: host.to_string(),
            port,
        })
    }

    #[test]
    fn registry_names() {
        assert_eq!(Target::parse("ghcr.io"), t("ghcr.io", None));
        assert_eq!(
            Target::parse("https://Registry.Example.test:5000/v2/"),
            t("registry.example.test", Some(5000))
        );
        assert_eq!(
            Target::parse("http://127.0.0.1:5000"),
            t("127.0.0.1", Some(5000))
        );
        assert_eq!(Target::parse("[::1]:5000"), t("::1", Some(5000)));
        assert_eq!(
            Target::parse("europe-west3-docker.pkg.dev/project/repo"),
            t("europe-west3-docker.pkg.dev", None)
        );
        for bad in [
            "",
            "${REGISTRY}",
            "user@host",
            "host:0",
            "host:99999",
            "host:port",
            "ftp://host",
            "a b",
            "-host",
            "[zz::1]",
        ] {
            assert_eq!(Target::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn docker_hub_keys_map_to_its_api_host() {
        for key in [
            "https://index.docker.io/v1/",
            "index.docker.io",
            "docker.io",
            "registry.hub.docker.com",
            "https://registry-1.docker.io",
        ] {
            assert_eq!(Target::parse(key), t(DOCKER_HUB_API, None), "{key}");
        }
    }

    #[test]
    fn authority_brackets_ipv6() {
        assert_eq!(
            Target::parse("[::1]:5000").unwrap().authority(),
            "[::1]:5000"
        );
        assert_eq!(Target::parse("ghcr.io").unwrap().authority(), "ghcr.io");
    }

    #[test]
    fn insecure_entries_match_exactly() {
        let ins = Insecure::parse(&["127.0.0.1:5000".into(), "registry.local".into()]).unwrap();
        assert!(ins.allows("127.0.0.1", Some(5000)));
        assert!(!ins.allows("127.0.0.1", Some(5001)));
        assert!(!ins.allows("127.0.0.1", None));
        assert!(ins.allows("REGISTRY.local", None));
        assert!(!ins.allows("registry.local", Some(5000)));
        assert!(Insecure::parse(&["http://host".into()]).is_err());
        assert!(Insecure::parse(&["host/path".into()]).is_err());
        assert!(Insecure::parse(&["".into()]).is_err());
    }
}
