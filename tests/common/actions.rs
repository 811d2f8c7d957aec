//! A small GitHub Actions runner for a composite action, for tests: it loads `action.yml`
//! with a strict YAML parser, then runs its steps as a runner would — `${{ }}` expressions
//! evaluated (contexts `inputs`, `steps`, `github`, `runner`; operators `! == != && ||`;
//! `success() failure() cancelled() always()`), `if:` conditions honoured, `run:` steps
//! executed by bash with GITHUB_OUTPUT, GITHUB_PATH and GITHUB_STEP_SUMMARY files, and
//! `uses:` steps recorded (with their inputs evaluated) instead of run.
#![allow(dead_code)]
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use yaml_rust2::{Yaml, YamlLoader};

/// `action.yml`, parsed strictly.
pub fn load_action(path: &Path) -> Yaml {
    let text = std::fs::read_to_string(path).unwrap();
    let mut docs = YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
    assert_eq!(docs.len(), 1, "one document");
    docs.remove(0)
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
}

impl Value {
    fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Num(n) => *n != 0.0,
            Value::Str(s) => !s.is_empty(),
        }
    }
    pub fn text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Num(n) => n.to_string(),
            Value::Str(s) => s.clone(),
        }
    }
    /// GitHub's loose equality: strings compare case-insensitively, numbers by value.
    fn loose_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => a.eq_ignore_ascii_case(b),
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (a, b) => a.num() == b.num(),
        }
    }
    fn num(&self) -> f64 {
        match self {
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Num(n) => *n,
            Value::Str(s) => {
                if s.is_empty() {
                    0.0
                } else {
                    s.trim().parse().unwrap_or(f64::NAN)
                }
            }
        }
    }
}

/// What expressions can see.
#[derive(Debug, Default, Clone)]
pub struct Contexts {
    /// `inputs.x`, `github.x`, `runner.x`, `steps.id.outputs.x`, `steps.id.outcome`.
    pub values: HashMap<String, String>,
    pub failed: bool,
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    ctx: &'a Contexts,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, tok: &str) -> bool {
        self.ws();
        if self.s[self.i..].starts_with(tok.as_bytes()) {
            self.i += tok.len();
            true
        } else {
            false
        }
    }
    fn or(&mut self) -> Value {
        let mut v = self.and();
        while self.eat("||") {
            let r = self.and();
            v = if v.truthy() { v } else { r };
        }
        v
    }
    fn and(&mut self) -> Value {
        let mut v = self.cmp();
        while self.eat("&&") {
            let r = self.cmp();
            v = if v.truthy() { r } else { v };
        }
        v
    }
    fn cmp(&mut self) -> Value {
        let v = self.unary();
        if self.eat("==") {
            let r = self.unary();
            return Value::Bool(v.loose_eq(&r));
        }
        if self.eat("!=") {
            let r = self.unary();
            return Value::Bool(!v.loose_eq(&r));
        }
        v
    }
    fn unary(&mut self) -> Value {
        if self.eat("!") {
            return Value::Bool(!self.unary().truthy());
        }
        self.atom()
    }
    fn atom(&mut self) -> Value {
        self.ws();
        if self.eat("(") {
            let v = self.or();
            assert!(self.eat(")"), "missing )");
            return v;
        }
        if self.eat("'") {
            let start = self.i;
            while self.s[self.i] != b'\'' {
                self.i += 1;
            }
            let v = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
            self.i += 1;
            return Value::Str(v);
        }
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric()
                || matches!(self.s[self.i], b'.' | b'_' | b'-'))
        {
            self.i += 1;
        }
        let word = std::str::from_utf8(&self.s[start..self.i])
            .unwrap()
            .to_string();
        assert!(
            !word.is_empty(),
            "unexpected character at {} in {:?}",
            self.i,
            String::from_utf8_lossy(self.s)
        );
        if self.eat("(") {
            assert!(self.eat(")"), "functions take no arguments here");
            return Value::Bool(match word.as_str() {
                "success" => !self.ctx.failed,
                "failure" => self.ctx.failed,
                "cancelled" => false,
                "always" => true,
                f => panic!("unsupported function {f}()"),
            });
        }
        match word.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            w if w.parse::<f64>().is_ok() => Value::Num(w.parse().unwrap()),
            w => {
                let known = ["inputs.", "steps.", "github.", "runner.", "env."]
                    .iter()
                    .any(|p| w.starts_with(p));
                assert!(known, "unknown context in `{w}`");
                self.ctx
                    .values
                    .get(w)
                    .map_or(Value::Null, |v| Value::Str(v.clone()))
            }
        }
    }
}

pub fn eval(expr: &str, ctx: &Contexts) -> Value {
    let mut p = Parser {
        s: expr.as_bytes(),
        i: 0,
        ctx,
    };
    let v = p.or();
    p.ws();
    assert_eq!(p.i, expr.len(), "trailing text in expression {expr:?}");
    v
}

/// `text` with every `${{ expr }}` replaced by its value.
pub fn substitute(text: &str, ctx: &Contexts) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("}}").expect("unterminated ${{") + i;
        out.push_str(&eval(rest[i + 3..end].trim(), ctx).text());
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A step that was not run (`uses:`), with its evaluated inputs.
#[derive(Debug, Clone)]
pub struct Used {
    pub uses: String,
    pub with: HashMap<String, String>,
}

/// What running the action produced.
#[derive(Debug, Default)]
pub struct Job {
    pub stdout: String,
    pub stderr: String,
    pub failed: bool,
    /// Steps in order: (id or name, ran, exit code).
    pub steps: Vec<(String, bool, Option<i32>)>,
    pub used: Vec<Used>,
    pub outputs: HashMap<String, String>,
    pub summary: String,
    pub ctx: Contexts,
}

/// Where and how to run the action.
pub struct Runner {
    pub action_dir: PathBuf,
    pub workspace: PathBuf,
    pub temp: PathBuf,
    pub event_name: String,
    pub event: serde_json::Value,
    pub inputs: HashMap<String, String>,
    pub github: HashMap<String, String>,
    /// Extra environment for every step (PATH, HOME, test overrides).
    pub env: Vec<(String, String)>,
}

fn s(y: &Yaml) -> String {
    match y {
        Yaml::String(s) => s.clone(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Real(r) => r.clone(),
        Yaml::Null | Yaml::BadValue => String::new(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// GITHUB_OUTPUT's `key=value` and `key<<DELIM … DELIM` forms.
pub fn parse_outputs(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if let Some((k, delim)) = l.split_once("<<") {
            let mut v = vec![];
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                v.push(l);
            }
            out.insert(k.to_string(), v.join("\n"));
        } else if let Some((k, v)) = l.split_once('=') {
            out.insert(k.to_string(), v.to_string());
        }
    }
    out
}

impl Runner {
    pub fn run(&self) -> Job {
        let action = load_action(&self.action_dir.join("action.yml"));
        let mut ctx = Contexts::default();
        let declared = &action["inputs"];
        for (k, v) in declared.as_hash().expect("inputs") {
            let given = self.inputs.get(&s(k)).cloned();
            ctx.values.insert(
                format!("inputs.{}", s(k)),
                given.unwrap_or_else(|| s(&v["default"])),
            );
        }
        for k in self.inputs.keys() {
            assert!(
                ctx.values.contains_key(&format!("inputs.{k}")),
                "input `{k}` is not declared"
            );
        }
        let event_path = self.temp.join("event.json");
        std::fs::write(&event_path, self.event.to_string()).unwrap();
        let summary = self.temp.join("summary.md");
        let path_file = self.temp.join("github_path");
        std::fs::write(&summary, "").unwrap();
        std::fs::write(&path_file, "").unwrap();
        for (k, v) in [
            ("github.event_name", self.event_name.clone()),
            ("github.workspace", self.workspace.display().to_string()),
            ("github.action_path", self.action_dir.display().to_string()),
            ("runner.os", "Linux".into()),
            ("runner.arch", "X64".into()),
            ("runner.temp", self.temp.display().to_string()),
        ] {
            ctx.values.insert(k.into(), v);
        }
        for (k, v) in &self.github {
            ctx.values.insert(format!("github.{k}"), v.clone());
        }
        let mut job = Job::default();
        let base_path = self
            .env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| std::env::var("PATH").unwrap());
        let mut extra_path: Vec<String> = vec![];
        for (n, step) in action["runs"]["steps"]
            .as_vec()
            .expect("steps")
            .iter()
            .enumerate()
        {
            let id = if step["id"].is_badvalue() {
                format!("step{n}")
            } else {
                s(&step["id"])
            };
            let cond = if step["if"].is_badvalue() {
                "success()".to_string()
            } else {
                s(&step["if"])
            };
            let cond = cond
                .trim()
                .trim_start_matches("${{")
                .trim_end_matches("}}")
                .trim()
                .to_string();
            ctx.failed = job.failed;
            if !eval(&cond, &ctx).truthy() {
                job.steps.push((id, false, None));
                continue;
            }
            if !step["uses"].is_badvalue() {
                let mut with = HashMap::new();
                if let Some(h) = step["with"].as_hash() {
                    for (k, v) in h {
                        with.insert(s(k), substitute(&s(v), &ctx));
                    }
                }
                job.used.push(Used {
                    uses: s(&step["uses"]),
                    with,
                });
                job.steps.push((id, true, Some(0)));
                continue;
            }
            assert_eq!(
                s(&step["shell"]),
                "bash",
                "run steps of a composite action need a shell"
            );
            let script = self.temp.join(format!("step{n}.sh"));
            std::fs::write(&script, substitute(&s(&step["run"]), &ctx)).unwrap();
            let output_file = self.temp.join(format!("output{n}"));
            std::fs::write(&output_file, "").unwrap();
            let mut cmd = std::process::Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script)
                .current_dir(&self.workspace);
            for (k, v) in &self.env {
                cmd.env(k, v);
            }
            let mut path = extra_path.clone();
            path.push(base_path.clone());
            cmd.env("PATH", path.join(":"))
                .env("GITHUB_ACTION_PATH", &self.action_dir)
                .env("GITHUB_WORKSPACE", &self.workspace)
                .env("GITHUB_EVENT_PATH", &event_path)
                .env("GITHUB_EVENT_NAME", &self.event_name)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_PATH", &path_file)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .env("RUNNER_TEMP", &self.temp);
            if let Some(h) = step["env"].as_hash() {
                for (k, v) in h {
                    cmd.env(s(k), substitute(&s(v), &ctx));
                }
            }
            let out = cmd.output().unwrap();
            job.stdout.push_str(&String::from_utf8_lossy(&out.stdout));
            job.stderr.push_str(&String::from_utf8_lossy(&out.stderr));
            let code = out.status.code();
            job.steps.push((id.clone(), true, code));
            for (k, v) in parse_outputs(&std::fs::read_to_string(&output_file).unwrap()) {
                ctx.values.insert(format!("steps.{id}.outputs.{k}"), v);
            }
            extra_path = std::fs::read_to_string(&path_file)
                .unwrap()
                .lines()
                .map(String::from)
                .rev()
                .collect();
            if code != Some(0) {
                job.failed = true;
            }
        }
        ctx.failed = job.failed;
        if let Some(h) = action["outputs"].as_hash() {
            for (k, v) in h {
                job.outputs.insert(s(k), substitute(&s(&v["value"]), &ctx));
            }
        }
        job.summary = std::fs::read_to_string(&summary).unwrap();
        job.ctx = ctx;
        job
    }
}
