//! Admission: the one step every blob passes before the matcher, whichever source it came
//! from (worktree file, standard input, index entry, git object, archive member). It applies
//! one set of limits, transcodes UTF-16, sets binaries aside and opens archives, and hands on
//! each text to scan with its place in the blob. What it cannot admit it says, and a limit
//! that leaves bytes unscanned always makes the scan incomplete.
pub mod archive;
pub mod encoding;

use std::borrow::Cow;

/// Files of this size or more are not read unless `--max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 25 * 1024 * 1024;

/// Bounds on what one blob may make tenscan read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest blob, and largest archive member, scanned.
    pub max_file_size: u64,
    /// Archives inside archives, counting the outer one.
    pub archive_depth: usize,
    /// Uncompressed bytes read from one top-level archive, all members together.
    pub archive_total: u64,
    pub archive_entries: usize,
    /// Open archives at all (off with `--no-decode`).
    pub archives: bool,
}

impl Limits {
    pub fn new(max_file_size: u64, archives: bool) -> Limits {
        Limits {
            max_file_size,
            archive_depth: 3,
            archive_total: 512 * 1024 * 1024,
            archive_entries: 20_000,
            archives,
        }
    }
}

/// One step of the way from a blob to a text inside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// An archive member, by its name in the archive.
    Member(String),
    /// The content of a `.gz` file, named after it without `.gz`.
    Gunzipped,
}

/// Where a text sits in its blob: empty for the blob itself.
pub type Chain = Vec<Segment>;

/// `path` extended by `chain`: `outer.zip!inner/notes.txt`, `log.txt.gz!log.txt`.
pub fn member_path(path: &str, chain: &[Segment]) -> String {
    let mut out = path.to_string();
    let mut last = path.rsplit(['/', '!']).next().unwrap_or(path).to_string();
    for seg in chain {
        let name = match seg {
            Segment::Member(n) => n.clone(),
            Segment::Gunzipped => {
                let base = last.rsplit('/').next().unwrap_or(&last);
                base.strip_suffix(".gz")
                    .or_else(|| base.strip_suffix(".GZ"))
                    .unwrap_or(base)
                    .to_string()
            }
        };
        out.push('!');
        out.push_str(&name);
        last = name;
    }
    out
}

/// A text ready for the matcher.
pub struct Text<'a> {
    pub chain: Chain,
    pub data: Cow<'a, [u8]>,
    /// The blob's bytes were transcoded (UTF-16 to UTF-8) or extracted from an archive:
    /// git's line diff of the blob does not apply to this text.
    pub derived: bool,
}

/// Something in a blob that was not scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub chain: Chain,
    pub kind: IssueKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    /// Binary content: skipped by design, counted.
    Binary,
    /// Bytes a limit or damage kept from being scanned: the scan is incomplete.
    Incomplete,
}

/// NUL bytes mark binary content (the test git and ripgrep use).
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, data).is_some()
}

/// Admits the blob `data`: hands each text in it to `text`, and returns what it left out.
/// The caller has already checked the blob against `limits.max_file_size`.
pub fn admit(data: &[u8], limits: &Limits, text: &mut dyn FnMut(Text)) -> Vec<Issue> {
    let mut issues = vec![];
    admit_at(
        data,
        vec![],
        limits,
        &mut limits.archive_total.clone(),
        text,
        &mut issues,
    );
    issues
}

/// Admission of one blob or member at `chain`, inside the budget of its top-level archive.
pub(crate) fn admit_at(
    data: &[u8],
    chain: Chain,
    limits: &Limits,
    budget: &mut u64,
    text: &mut dyn FnMut(Text),
    issues: &mut Vec<Issue>,
) {
    if limits.archives && archive::is_archive(data) {
        if chain
            .iter()
            .filter(|s| matches!(s, Segment::Member(_)))
            .count()
            + 1
            > limits.archive_depth
        {
            issues.push(Issue {
                chain,
                kind: IssueKind::Incomplete,
                message: format!(
                    "archive nested more than {} deep, not opened",
                    limits.archive_depth
                ),
            });
            return;
        }
        archive::expand(data, chain, limits, budget, text, issues);
        return;
    }
    if let Some(utf8) = encoding::to_utf8(data) {
        if is_binary(&utf8) {
            issues.push(Issue {
                chain,
                kind: IssueKind::Binary,
                message: "binary".into(),
            });
            return;
        }
        text(Text {
            chain,
            data: Cow::Owned(utf8),
            derived: true,
        });
        return;
    }
    if is_binary(data) {
        issues.push(Issue {
            chain,
            kind: IssueKind::Binary,
            message: "binary".into(),
        });
        return;
    }
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let derived = !chain.is_empty();
    text(Text {
        chain,
        data: Cow::Borrowed(data),
        derived,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_paths() {
        let c = vec![
            Segment::Member("a/b.zip".into()),
            Segment::Member("c.txt".into()),
        ];
        assert_eq!(member_path("x/outer.zip", &c), "x/outer.zip!a/b.zip!c.txt");
        assert_eq!(
            member_path("logs/app.log.gz", &[Segment::Gunzipped]),
            "logs/app.log.gz!app.log"
        );
        assert_eq!(member_path("p", &[]), "p");
    }

    #[test]
    fn binary_utf16_and_plain() {
        let limits = Limits::new(1 << 20, true);
        let mut le = vec![0xFF, 0xFE];
        le.extend("key = x\n".encode_utf16().flat_map(|u| u.to_le_bytes()));
        let mut got = vec![];
        let issues = admit(&le, &limits, &mut |t| {
            got.push((t.data.into_owned(), t.derived))
        });
        assert!(issues.is_empty());
        assert_eq!(got, vec![(b"key = x\n".to_vec(), true)]);
        let issues = admit(b"a\0b", &limits, &mut |_| panic!("binary admitted"));
        assert_eq!(issues[0].kind, IssueKind::Binary);
    }
}
