//! Which lines a change adds. For a text blob git's own diff decides (`git diff -U0` between
//! the two blob ids, so a moved hunk or a rename is judged exactly as `git diff` shows it);
//! for what git cannot diff as text (transcoded UTF-16, archive members) the admitted texts
//! are compared with imara-diff's Myers diff.
use super::cli::Git;
use super::GitError;
use gix::ObjectId;
use imara_diff::{Algorithm, Diff, InternedInput};

/// Sorted 1-based line numbers of the new side that a change adds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Added(Vec<u32>);

impl Added {
    /// Every line of a new file.
    pub fn all() -> Added {
        Added(vec![u32::MAX])
    }

    fn is_all(&self) -> bool {
        self.0 == [u32::MAX]
    }

    /// True when any line in `first..=last` was added.
    pub fn touches(&self, first: usize, last: usize) -> bool {
        if self.is_all() {
            return true;
        }
        let i = self.0.partition_point(|&l| (l as usize) < first);
        self.0.get(i).is_some_and(|&l| l as usize <= last)
    }

    /// Lines added relative to every parent of a merge: added against each one.
    pub fn intersect(mut self, other: &Added) -> Added {
        if other.is_all() {
            return self;
        }
        if self.is_all() {
            return other.clone();
        }
        self.0.retain(|l| other.0.binary_search(l).is_ok());
        self
    }
}

/// The lines blob `new` adds to blob `old`, as `git diff` computes them.
pub fn git_added(git: &Git, old: &ObjectId, new: &ObjectId) -> Result<Added, GitError> {
    let (old, new) = (old.to_string(), new.to_string());
    let out = git.output(&[
        "diff",
        "-a",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--no-relative",
        &old,
        &new,
    ])?;
    parse_hunks(&out).ok_or_else(|| GitError::Cli {
        command: "diff".into(),
        message: "unreadable hunk header".into(),
    })
}

/// New-side lines of every `@@ -a,b +c,d @@` header in a zero-context patch.
pub fn parse_hunks(patch: &[u8]) -> Option<Added> {
    let mut lines = vec![];
    for line in patch.split(|&b| b == b'\n') {
        let Some(rest) = line.strip_prefix(b"@@ -") else {
            continue;
        };
        let plus = memchr::memchr(b'+', rest)?;
        let range = &rest[plus + 1..];
        let end = memchr::memchr(b' ', range)?;
        let range = std::str::from_utf8(&range[..end]).ok()?;
        let (start, count) = match range.split_once(',') {
            Some((s, c)) => (s.parse::<u32>().ok()?, c.parse::<u32>().ok()?),
            None => (range.parse::<u32>().ok()?, 1),
        };
        lines.extend(start..start.checked_add(count)?);
    }
    lines.sort_unstable();
    lines.dedup();
    Some(Added(lines))
}

/// The lines `new` adds to `old`, for texts git cannot diff (decoded or extracted ones).
pub fn text_added(old: &[u8], new: &[u8]) -> Added {
    let input = InternedInput::new(old, new);
    let mut diff = Diff::compute(Algorithm::Myers, &input);
    diff.postprocess_lines(&input);
    let mut lines = vec![];
    for h in diff.hunks() {
        lines.extend(h.after.start + 1..h.after.end + 1);
    }
    Added(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers() {
        let p = b"diff --git a/x b/x\n@@ -1 +1,2 @@\n-a\n+b\n+c\n@@ -5,0 +7 @@\n+d\n@@ -9,2 +10,0 @@\n-x\n-y\n";
        assert_eq!(parse_hunks(p).unwrap(), Added(vec![1, 2, 7]));
        assert!(parse_hunks(b"@@ -1 +x @@\n").is_none());
    }

    #[test]
    fn text_diff_and_merge_intersection() {
        let a = text_added(b"a\nb\n", b"a\nx\nb\ny\n");
        assert_eq!(a, Added(vec![2, 4]));
        assert!(a.touches(2, 2) && !a.touches(3, 3) && a.touches(3, 4));
        assert_eq!(a.clone().intersect(&Added(vec![4, 5])), Added(vec![4]));
        assert_eq!(Added::all().intersect(&a), a);
    }
}
