//! Which lines a change adds. For a text blob git's own diff decides (`git diff -U0` between
//! the two blob ids, so a moved hunk or a rename is judged exactly as `git diff` shows it);
//! for what git cannot diff as text (transcoded UTF-16, archive members) the admitted texts
//! are compared with imara-diff's Myers diff.
use super::cli::Git;
use super::GitError;
use gix::ObjectId;
use imara_diff::{Algorithm, Diff, InternedInput};

/// The 1-based line numbers of the new side that a change adds, as sorted, disjoint,
/// non-adjacent half-open ranges (a hunk's size costs nothing, however large it claims to be).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Added(Vec<std::ops::Range<u64>>);

impl Added {
    /// Every line of a new file.
    pub fn all() -> Added {
        Added(std::iter::once(0..u64::MAX).collect())
    }

    /// From ranges in any order, overlapping or not.
    pub fn from_ranges(mut ranges: Vec<std::ops::Range<u64>>) -> Added {
        ranges.retain(|r| !r.is_empty());
        ranges.sort_by_key(|r| r.start);
        let mut out: Vec<std::ops::Range<u64>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match out.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => out.push(r),
            }
        }
        Added(out)
    }

    /// True when any line in `first..=last` was added.
    pub fn touches(&self, first: usize, last: usize) -> bool {
        let (first, last) = (first as u64, last as u64);
        let i = self.0.partition_point(|r| r.end <= first);
        self.0.get(i).is_some_and(|r| r.start <= last)
    }

    /// Lines added relative to every parent of a merge: added against each one.
    pub fn intersect(&self, other: &Added) -> Added {
        let (mut i, mut j, mut out) = (0, 0, vec![]);
        while i < self.0.len() && j < other.0.len() {
            let (a, b) = (&self.0[i], &other.0[j]);
            let r = a.start.max(b.start)..a.end.min(b.end);
            if !r.is_empty() {
                out.push(r);
            }
            if a.end < b.end {
                i += 1;
            } else {
                j += 1;
            }
        }
        Added::from_ranges(out)
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
    let mut ranges = vec![];
    for line in patch.split(|&b| b == b'\n') {
        let Some(rest) = line.strip_prefix(b"@@ -") else {
            continue;
        };
        let plus = memchr::memchr(b'+', rest)?;
        let range = &rest[plus + 1..];
        let end = memchr::memchr(b' ', range)?;
        let range = std::str::from_utf8(&range[..end]).ok()?;
        let (start, count) = match range.split_once(',') {
            Some((s, c)) => (s.parse::<u64>().ok()?, c.parse::<u64>().ok()?),
            None => (range.parse::<u64>().ok()?, 1),
        };
        ranges.push(start..start.checked_add(count)?);
    }
    Some(Added::from_ranges(ranges))
}

/// The lines `new` adds to `old`, for texts git cannot diff (decoded or extracted ones).
pub fn text_added(old: &[u8], new: &[u8]) -> Added {
    let input = InternedInput::new(old, new);
    let mut diff = Diff::compute(Algorithm::Myers, &input);
    diff.postprocess_lines(&input);
    Added::from_ranges(
        diff.hunks()
            .map(|h| u64::from(h.after.start) + 1..u64::from(h.after.end) + 1)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers() {
        let p = b"diff --git a/x b/x\n@@ -1 +1,2 @@\n-a\n+b\n+c\n@@ -5,0 +7 @@\n+d\n@@ -9,2 +10,0 @@\n-x\n-y\n";
        assert_eq!(parse_hunks(p).unwrap(), Added(vec![1..3, 7..8]));
        let huge = parse_hunks(b"@@ -1 +1,4000000000 @@\n").unwrap();
        assert!(
            huge.touches(3_999_999_999, 3_999_999_999)
                && !huge.touches(4_000_000_001, 4_000_000_001)
        );
        assert!(parse_hunks(b"@@ -1 +x @@\n").is_none());
    }

    #[test]
    fn text_diff_and_merge_intersection() {
        let a = text_added(b"a\nb\n", b"a\nx\nb\ny\n");
        assert_eq!(a, Added(vec![2..3, 4..5]));
        assert!(a.touches(2, 2) && !a.touches(3, 3) && a.touches(3, 4));
        let (four_five, four) = (
            Added::from_ranges(std::iter::once(4..6).collect()),
            Added::from_ranges(std::iter::once(4..5).collect()),
        );
        assert_eq!(a.intersect(&four_five), four);
        assert_eq!(Added::all().intersect(&a), a);
        assert_eq!(a.intersect(&Added::all()), a);
    }
}
