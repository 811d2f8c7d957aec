//! The scrub plan: for the findings of a history scan, the file `git filter-repo
//! --replace-text` reads to remove their secrets from every commit, and the checklist printed
//! beside it. The file is the one output that holds secrets in full: it is written only on
//! request, mode 0600.
use super::escape;
use crate::finding::{Finding, Form};
use crate::verify;
use std::collections::BTreeSet;
use std::path::Path;

/// What each secret becomes in the rewritten history.
pub const REPLACEMENT: &str = "***REMOVED***";

pub struct Plan {
    /// The replace-text file: one line per way a secret is written.
    pub text: Vec<u8>,
    pub secrets: usize,
    /// Files that hold secrets inside archives or gzip streams, which text replacement cannot
    /// reach: they must be removed from history whole.
    pub packed: BTreeSet<String>,
    /// Whether some secrets live in UTF-16 files: git filter-repo treats those as binary (a
    /// NUL byte in the first 8 KiB) and leaves them out of `--replace-text`, so the checklist
    /// adds a blob callback that applies the plan to binary blobs too.
    pub wide: bool,
    /// Prefixes of the Baseten API keys among the secrets (to revoke).
    pub prefixes: BTreeSet<String>,
    /// Secrets that are not Baseten API keys (webhook secrets, tokens): rotated by hand.
    pub others: usize,
}

impl Plan {
    pub fn of(found: &[Finding]) -> Plan {
        let mut lines = BTreeSet::new();
        let mut secrets = BTreeSet::new();
        let mut packed = BTreeSet::new();
        let mut prefixes = BTreeSet::new();
        let mut others = BTreeSet::new();
        let mut wide = false;
        for f in found.iter().filter(|f| !f.placeholder) {
            let secret = f.secret.expose();
            secrets.insert(secret);
            if verify::is_api_key_shape(secret) {
                prefixes.insert(secret[..8].to_string());
            } else {
                others.insert(secret);
            }
            let written = f.written.as_ref().unwrap_or(&f.secret).expose();
            match &f.form {
                Form::Plain => {
                    lines.insert(line(written.as_bytes(), REPLACEMENT.as_bytes()));
                }
                // The file holds UTF-16: the secret and its replacement in both byte orders.
                Form::Utf16 => {
                    wide = true;
                    for le in [true, false] {
                        lines.insert(line(&utf16(written, le), &utf16(REPLACEMENT, le)));
                    }
                }
                Form::Packed { file } => {
                    packed.insert(file.clone());
                }
            }
        }
        let mut text = vec![];
        for l in lines {
            text.extend_from_slice(&l);
            text.push(b'\n');
        }
        Plan {
            text,
            secrets: secrets.len(),
            packed,
            wide,
            prefixes,
            others: others.len(),
        }
    }

    /// The steps, in the order that limits the damage, with the commands filled in.
    pub fn checklist(&self, plan: &Path) -> String {
        if self.secrets == 0 {
            return format!(
                "scrub plan: no secrets found; {} is empty (nothing to scrub)",
                escape::path(plan)
            );
        }
        let mut s = format!(
            "scrub plan: {} secret(s) written to {} (mode 0600: it holds them in full; delete it when you are done)\n",
            self.secrets,
            escape::path(plan)
        );
        s.push_str("Removing a secret from history does not un-leak it: every clone, fork and cache keeps it.\n");
        s.push_str("  1. Revoke first (after moving your apps to replacement keys):\n");
        if !self.prefixes.is_empty() {
            let list: Vec<&str> = self.prefixes.iter().map(String::as_str).collect();
            s.push_str(&format!(
                "       tenscan revoke {}          (a dry run; add --yes; needs BASETEN_ADMIN_API_KEY)\n",
                list.join(" ")
            ));
        }
        if self.others > 0 {
            s.push_str(&format!(
                "       rotate the {} other secret(s) (webhook secrets, tokens) in Baseten's settings\n",
                self.others
            ));
        }
        s.push_str("  2. Rewrite a fresh mirror clone, never your working copy, in one pass:\n");
        s.push_str("       git clone --mirror <remote-url> scrub.git && cd scrub.git\n");
        if self.wide {
            s.push_str("     (the blob callback applies the plan to files git filter-repo treats as binary, such as UTF-16 text)\n");
        }
        if !self.packed.is_empty() {
            s.push_str(&format!(
                "     ({} file(s) hold secrets inside archives, which no replacement reaches: --invert-paths removes them)\n",
                self.packed.len()
            ));
        }
        let absolute = std::path::absolute(plan).unwrap_or_else(|_| plan.to_path_buf());
        let absolute = escape::path(&absolute);
        s.push_str(&format!(
            "       git filter-repo --replace-text {}",
            shell_word(&absolute)
        ));
        if self.wide {
            s.push_str(&format!(
                " --blob-callback {}",
                shell_word(&binary_callback(&absolute))
            ));
        }
        if !self.packed.is_empty() {
            s.push_str(" --invert-paths");
            for p in &self.packed {
                s.push_str(&format!(" --path {}", shell_word(&escape::line(p))));
            }
        }
        s.push('\n');
        s.push_str("  3. Check the result: tenscan history   (in scrub.git: nothing from the plan remains)\n");
        s.push_str(
            "  4. Force-push every branch and tag: git push --force --mirror <remote-url>\n",
        );
        s.push_str("  5. Ask every collaborator to re-clone (an old clone pushes the secrets back); rebase or close open pull requests.\n");
        s.push_str("  6. Have forks deleted or rewritten, and ask your host to drop cached views and pull-request refs\n");
        s.push_str("     (GitHub: Support); clear CI caches and artifacts that hold a checkout.");
        s
    }
}

/// One replace-text line. `literal:` keeps a secret that starts with `regex:` or `glob:` a
/// literal; what the line format cannot hold (a newline, a carriage return, `==>`) becomes a
/// regex of escaped bytes.
fn line(old: &[u8], new: &[u8]) -> Vec<u8> {
    let plain = !old.iter().any(|&b| b == b'\n' || b == b'\r')
        && memchr::memmem::find(old, b"==>").is_none();
    let mut out = vec![];
    if plain {
        out.extend_from_slice(b"literal:");
        out.extend_from_slice(old);
    } else {
        out.extend_from_slice(b"regex:");
        for &b in old {
            if b.is_ascii_alphanumeric() {
                out.push(b);
            } else {
                out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
            }
        }
    }
    out.extend_from_slice(b"==>");
    out.extend_from_slice(new);
    out
}

/// The body of a git filter-repo blob callback that applies the plan at `plan` to the blobs
/// `--replace-text` skips (a NUL byte in the first 8 KiB). It reads the plan once.
fn binary_callback(plan: &str) -> String {
    let quoted = plan.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        r#"
         global scrub_plan
         import re
         if "scrub_plan" not in globals():
             scrub_plan = []
             for l in open("{quoted}", "rb").read().split(b"\n"):
                 kind, _, rest = l.partition(b":")
                 old, _, new = rest.rpartition(b"==>")
                 if kind == b"literal": scrub_plan.append((re.compile(re.escape(old)), new))
                 elif kind == b"regex": scrub_plan.append((re.compile(old), new))
         if b"\0" in blob.data[:8192]:
             for old, new in scrub_plan: blob.data = old.sub(lambda m: new, blob.data)
       "#
    )
}

fn utf16(s: &str, le: bool) -> Vec<u8> {
    s.encode_utf16()
        .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
        .collect()
}

/// `s` as one shell word (single-quoted unless it is plain).
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%,=".contains(&b))
    {
        s.to_string()
    } else {
        escape::sh_quote(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_the_replace_text_format_can_hold() {
        assert_eq!(line(b"abc", b"X"), b"literal:abc==>X");
        assert_eq!(line(b"regex:.*", b"X"), b"literal:regex:.*==>X");
        assert_eq!(line(b"a==>b", b"X"), b"regex:a\\x3d\\x3d\\x3eb==>X");
        assert_eq!(line(b"a\nb", b"X"), b"regex:a\\x0ab==>X");
        assert_eq!(shell_word("/tmp/plan.txt"), "/tmp/plan.txt");
        assert_eq!(shell_word("it's here"), r"'it'\''s here'");
    }
}
