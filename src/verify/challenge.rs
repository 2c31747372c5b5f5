//! `WWW-Authenticate` challenges (RFC 7235): `Basic realm="r"`,
//! `Bearer realm="https://auth.example.test/token",service="registry"`.

/// One challenge: its scheme (lower case) and parameters (names lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub scheme: String,
    pub params: Vec<(String, String)>,
}

impl Challenge {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses every challenge in the given header values. Malformed parts are
/// skipped; parsing never fails.
pub fn parse_challenges<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Challenge> {
    let mut out = Vec::new();
    for v in values {
        parse_one_header(v, &mut out);
    }
    out
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn parse_one_header(s: &str, out: &mut Vec<Challenge>) {
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && (b[*i] == ' ' || b[*i] == '\t') {
            *i += 1;
        }
    };
    let token = |i: &mut usize| -> String {
        let start = *i;
        while *i < b.len() && is_token_char(b[*i]) {
            *i += 1;
        }
        b[start..*i].iter().collect()
    };
    loop {
        // Skip separators between challenges.
        while i < b.len() && (b[i] == ',' || b[i] == ' ' || b[i] == '\t') {
            i += 1;
        }
        if i >= b.len() {
            return;
        }
        let scheme = token(&mut i);
        if scheme.is_empty() {
            // Not a token: skip one character and resynchronise.
            i += 1;
            continue;
        }
        let mut ch = Challenge {
            scheme: scheme.to_ascii_lowercase(),
            params: Vec::new(),
        };
        // Parameters: name=value pairs separated by commas, until a name
        // that is not followed by `=` (the next challenge's scheme).
        loop {
            skip_ws(&mut i);
            let save = i;
            let name = token(&mut i);
            skip_ws(&mut i);
            if name.is_empty() || i >= b.len() || b[i] != '=' {
                i = save;
                break;
            }
            i += 1;
            skip_ws(&mut i);
            let value = if i < b.len() && b[i] == '"' {
                i += 1;
                let mut v = String::new();
                while i < b.len() && b[i] != '"' {
                    if b[i] == '\\' && i + 1 < b.len() {
                        i += 1;
                    }
                    v.push(b[i]);
                    i += 1;
                }
                i += 1; // closing quote (or end)
                v
            } else {
                let start = i;
                while i < b.len() && b[i] != ',' && b[i] != ' ' && b[i] != '\t' {
                    i += 1;
                }
                b[start..i].iter().collect()
            };
            ch.params.push((name.to_ascii_lowercase(), value));
            skip_ws(&mut i);
            if i < b.len() && b[i] == ',' {
                i += 1;
            } else {
                break;
            }
        }
        out.push(ch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_with_quoted_commas() {
        let c = parse_challenges([
            r#"Bearer realm="https://auth.example.test/token",service="registry.example.test",scope="repository:team/app:pull,push""#,
        ]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme, "bearer");
        assert_eq!(c[0].param("realm"), Some("https://auth.example.test/token"));
        assert_eq!(c[0].param("service"), Some("registry.example.test"));
        assert_eq!(c[0].param("scope"), Some("repository:team/app:pull,push"));
    }

    #[test]
    fn basic_and_several_challenges() {
        let c = parse_challenges([
            r#"Basic realm="Registry Realm", Bearer realm=https://t.example.test/x , service = reg"#,
        ]);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].scheme, "basic");
        assert_eq!(c[0].param("realm"), Some("Registry Realm"));
        assert_eq!(c[1].scheme, "bearer");
        assert_eq!(c[1].param("realm"), Some("https://t.example.test/x"));
        assert_eq!(c[1].param("service"), Some("reg"));
    }

    #[test]
    fn separate_header_values_and_escapes() {
        let c = parse_challenges(["basic", r#"BEARER Realm="a\"b""#]);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].scheme, "basic");
        assert!(c[0].params.is_empty());
        assert_eq!(c[1].param("realm"), Some("a\"b"));
    }

    #[test]
    fn garbage_never_panics() {
        for s in [
            "",
            "=",
            "\"",
            "Bearer realm=\"unterminated",
            ",,,",
            "Bearer =x",
            "é=ü",
        ] {
            let _ = parse_challenges([s]);
        }
    }
}
