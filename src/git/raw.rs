//! Parser for what `git diff --raw -z` and `git log --raw -z --format=…` print: the changed
//! paths of each commit (combined for merges) with the blob ids on each side. Fuzzed by
//! `fuzz/fuzz_targets/git_raw.rs`; git itself is the oracle in `tests/git_differential.rs`.
use gix::ObjectId;

/// The `--format` that `parse_log` expects: a commit header per commit.
/// Dates come as `--date=raw` (`<seconds> <±hhmm>`).
pub const LOG_FORMAT: &str = "--format=%x01%H %P%x00%an <%ae>%x00%ad%x00";

/// One changed path: what it held in each parent and what it holds now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Mode and blob in each parent (one for a plain diff, one per parent for a merge);
    /// `None` where the path did not exist.
    pub old: Vec<Option<(u32, ObjectId)>>,
    pub new_mode: u32,
    /// Zero when the path was deleted.
    pub new: ObjectId,
    /// Status letters (`M`, `A`, `R`, …; one per parent for merges) without the score.
    pub status: Vec<u8>,
    pub path: Vec<u8>,
    /// The source path of a rename or copy.
    pub from_path: Option<Vec<u8>>,
}

/// One commit of `git log` with its changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub id: ObjectId,
    pub parents: Vec<ObjectId>,
    pub author: String,
    pub date: String,
    pub entries: Vec<Entry>,
}

/// Why git's output could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unexpected git output at byte {at}: {what}")]
pub struct ParseError {
    pub at: usize,
    pub what: &'static str,
}

struct Cursor<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn err<T>(&self, what: &'static str) -> Result<T, ParseError> {
        Err(ParseError { at: self.at, what })
    }

    /// Bytes up to the next `end`, consuming it.
    fn until(&mut self, end: u8, what: &'static str) -> Result<&'a [u8], ParseError> {
        let Some(n) = memchr::memchr(end, &self.data[self.at..]) else {
            return self.err(what);
        };
        let s = &self.data[self.at..self.at + n];
        self.at += n + 1;
        Ok(s)
    }

    fn skip_separators(&mut self) {
        while self.at < self.data.len() && matches!(self.data[self.at], b'\0' | b'\n') {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.at).copied()
    }
}

fn oid(hex: &[u8], c: &Cursor) -> Result<ObjectId, ParseError> {
    ObjectId::from_hex(hex).or_else(|_| c.err("bad object id"))
}

fn mode(octal: &[u8], c: &Cursor) -> Result<u32, ParseError> {
    if octal.is_empty() || octal.len() > 7 || !octal.iter().all(|b| (b'0'..=b'7').contains(b)) {
        return c.err("bad mode");
    }
    Ok(octal.iter().fold(0, |m, b| m * 8 + u32::from(b - b'0')))
}

/// One `:`-entry at the cursor (which points at its first colon).
fn entry(c: &mut Cursor) -> Result<Entry, ParseError> {
    let colons = c.data[c.at..].iter().take_while(|&&b| b == b':').count();
    c.at += colons;
    let meta = c.until(b'\0', "unterminated entry")?;
    let fields: Vec<&[u8]> = meta.split(|&b| b == b' ').collect();
    let parents = colons;
    if parents == 0 || fields.len() != 2 * (parents + 1) + 1 {
        return c.err("wrong number of fields");
    }
    let modes = fields[..=parents]
        .iter()
        .map(|m| mode(m, c))
        .collect::<Result<Vec<_>, _>>()?;
    let ids = fields[parents + 1..=2 * parents + 1]
        .iter()
        .map(|h| oid(h, c))
        .collect::<Result<Vec<_>, _>>()?;
    let status_field = fields[2 * parents + 2];
    let status: Vec<u8> = status_field
        .iter()
        .copied()
        .take_while(|b| b.is_ascii_alphabetic())
        .collect();
    if status.is_empty() || (parents > 1 && status.len() != parents) {
        return c.err("bad status");
    }
    let two_paths = parents == 1 && matches!(status[0], b'R' | b'C');
    let first = c.until(b'\0', "unterminated path")?.to_vec();
    let (path, from_path) = if two_paths {
        (c.until(b'\0', "unterminated path")?.to_vec(), Some(first))
    } else {
        (first, None)
    };
    let old = (0..parents)
        .map(|i| (!ids[i].is_null()).then_some((modes[i], ids[i])))
        .collect();
    Ok(Entry {
        old,
        new_mode: modes[parents],
        new: ids[parents],
        status,
        path,
        from_path,
    })
}

/// Entries of `git diff --raw -z` (no commit headers).
pub fn parse_diff(data: &[u8]) -> Result<Vec<Entry>, ParseError> {
    let mut c = Cursor { data, at: 0 };
    let mut out = vec![];
    loop {
        c.skip_separators();
        match c.peek() {
            None => return Ok(out),
            Some(b':') => out.push(entry(&mut c)?),
            Some(_) => return c.err("expected a `:` entry"),
        }
    }
}

/// Commits of `git log --raw -z` with `LOG_FORMAT`, each with its entries.
pub fn parse_log(data: &[u8]) -> Result<Vec<Commit>, ParseError> {
    let mut c = Cursor { data, at: 0 };
    let mut out: Vec<Commit> = vec![];
    loop {
        c.skip_separators();
        match c.peek() {
            None => return Ok(out),
            Some(0x01) => {
                c.at += 1;
                let ids = c.until(b'\0', "unterminated commit header")?;
                let mut words = ids.split(|&b| b == b' ').filter(|w| !w.is_empty());
                let Some(id) = words.next() else {
                    return c.err("no commit id");
                };
                let id = oid(id, &c)?;
                let parents = words.map(|p| oid(p, &c)).collect::<Result<Vec<_>, _>>()?;
                let author =
                    String::from_utf8_lossy(c.until(b'\0', "unterminated author")?).into_owned();
                let date =
                    String::from_utf8_lossy(c.until(b'\0', "unterminated date")?).into_owned();
                out.push(Commit {
                    id,
                    parents,
                    author,
                    date,
                    entries: vec![],
                });
            }
            Some(b':') => {
                let e = entry(&mut c)?;
                match out.last_mut() {
                    Some(commit) => commit.entries.push(e),
                    None => return c.err("an entry before any commit"),
                }
            }
            Some(_) => return c.err("expected a commit header or an entry"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "422c2b7ab3b3c668038da977e4e93a5fc623169c";
    const B: &str = "b77b4eb1d946f923f61785536da9ca5af6909f06";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn plain_renames_and_additions() {
        let data =
            format!(":100644 100644 {A} {B} R097\0old name\0new\0:000000 100644 {Z} {B} A\0n\0");
        let e = parse_diff(data.as_bytes()).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].from_path.as_deref(), Some(&b"old name"[..]));
        assert_eq!(e[0].path, b"new");
        assert_eq!(e[0].status, b"R");
        assert_eq!(e[1].old, vec![None]);
        assert_eq!(e[1].new_mode, 0o100644);
    }

    #[test]
    fn log_with_a_combined_merge() {
        let data = format!(
            "\x01{A} {B}\0T <t@x>\02026-01-01T00:00:00Z\0\n:100644 100644 {A} {B} M\0f\0\x01{B} {A} {A}\0T <t@x>\0d\0\0::100644 100644 100644 {A} {Z} {B} MA\0f:g\0"
        );
        let c = parse_log(data.as_bytes()).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].parents.len(), 2);
        assert_eq!(c[1].entries[0].old.len(), 2);
        assert_eq!(c[1].entries[0].old[1], None);
        assert_eq!(c[1].entries[0].path, b"f:g");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            &b":1 2"[..],
            b"::100644 100644 x y M\0p\0",
            b"\x01",
            b"zz",
            b":100644 100644 abc def M\0p\0",
        ] {
            assert!(parse_diff(bad).is_err() || parse_log(bad).is_err());
        }
    }
}
