//! The README's recipes, read from README.md so the tests run what a user
//! pastes. A recipe is the fenced code block right after a
//! `<!-- recipe: NAME -->` line.

use std::path::Path;

/// The text of recipe `name`.
pub fn recipe(name: &str) -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let marker = format!("<!-- recipe: {name} -->\n");
    let start = readme
        .find(&marker)
        .unwrap_or_else(|| panic!("README.md has no recipe {name}"));
    let rest = &readme[start + marker.len()..];
    assert!(rest.starts_with("```"), "recipe {name}: no code block");
    let body = &rest[rest.find('\n').unwrap() + 1..];
    let end = body.find("\n```").expect("closed code block");
    body[..=end].to_string()
}

/// The URL and rev the pre-commit recipes show, which a user replaces.
pub const REPO_URL: &str = "https://git.example.test/you/credscan";
pub const REV: &str = "v0.1.0";

/// A pre-commit recipe with its `repo:` and `rev:` replaced, and nothing
/// else.
pub fn pre_commit_config(name: &str, repo: &Path, rev: &str) -> String {
    let text = recipe(name);
    assert_eq!(text.matches(REPO_URL).count(), 1, "{name}: {text}");
    assert_eq!(
        text.matches(&format!("rev: {REV}")).count(),
        1,
        "{name}: {text}"
    );
    text.replace(REPO_URL, &repo.to_string_lossy())
        .replace(&format!("rev: {REV}"), &format!("rev: {rev}"))
}

/// The lines of a `sh` recipe that are commands (comments stripped).
pub fn shell_lines(name: &str) -> Vec<String> {
    recipe(name)
        .lines()
        .map(|l| match l.find("  #") {
            Some(i) => l[..i].trim_end(),
            None => l.trim_end(),
        })
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// One step of a GitHub Actions job.
#[derive(Debug, Default, Clone)]
pub struct Step {
    pub name: Option<String>,
    pub uses: Option<String>,
    pub run: Option<String>,
    pub condition: Option<String>,
    /// `with:` inputs.
    pub with: Vec<(String, String)>,
    /// `env:` variables, as written (expressions unexpanded).
    pub env: Vec<(String, String)>,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The steps of the (single) job of a workflow, read with the little YAML
/// the recipe uses: `- key: value` items, `key: value` pairs, `run: |`
/// blocks and `with:` and `env:` maps.
pub fn github_steps(workflow: &str) -> Vec<Step> {
    let lines: Vec<&str> = workflow.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == "steps:")
        .expect("steps:");
    let item_indent = indent(lines[start + 1]);
    let mut steps: Vec<Step> = Vec::new();
    let mut i = start + 1;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            i += 1;
            continue;
        }
        let ind = indent(line);
        if ind < item_indent {
            break;
        }
        let mut text = line.trim_start();
        if ind == item_indent {
            text = text.strip_prefix("- ").expect("a list item");
            steps.push(Step::default());
        }
        let step = steps.last_mut().expect("a step");
        let (key, value) = text.split_once(':').expect("key: value");
        let value = value.trim();
        match key.trim() {
            "name" => step.name = Some(value.to_string()),
            "uses" => step.uses = Some(value.to_string()),
            "if" => step.condition = Some(value.to_string()),
            "run" if value == "|" => {
                let mut block = String::new();
                let body_indent = indent(lines[i + 1]);
                while i + 1 < lines.len()
                    && (lines[i + 1].trim().is_empty() || indent(lines[i + 1]) >= body_indent)
                {
                    i += 1;
                    block.push_str(lines[i].get(body_indent..).unwrap_or(""));
                    block.push('\n');
                }
                step.run = Some(block);
            }
            "run" => step.run = Some(value.to_string()),
            map @ ("with" | "env") => {
                let map_indent = indent(lines[i + 1]);
                while i + 1 < lines.len() && indent(lines[i + 1]) == map_indent {
                    i += 1;
                    let entry = lines[i].trim();
                    let entry = entry.split("  #").next().unwrap_or(entry);
                    let (k, v) = entry.split_once(':').expect("key: value");
                    let pair = (k.trim().to_string(), v.trim().to_string());
                    if map == "with" {
                        step.with.push(pair);
                    } else {
                        step.env.push(pair);
                    }
                }
            }
            other => panic!("unexpected step key {other}"),
        }
        i += 1;
    }
    steps
}

/// The `script:` lines of a GitLab CI job.
pub fn gitlab_script(job: &str) -> Vec<String> {
    let lines: Vec<&str> = job.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == "script:")
        .expect("script:");
    let base = indent(lines[start]);
    lines[start + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || indent(l) > base)
        .map(|l| l.trim())
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.strip_prefix("- ").expect("a script item").to_string())
        .collect()
}

/// `text` with each `${{ expression }}` replaced by its value in `values`,
/// as the Actions runner does; an expression not in `values` panics.
pub fn expand(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closed expression") + start;
        let expr = rest[start + 3..end].trim();
        let value = values
            .iter()
            .find(|(e, _)| *e == expr)
            .unwrap_or_else(|| panic!("no value for ${{{{ {expr} }}}}"))
            .1;
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}
