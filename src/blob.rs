//! A blob: the bytes of one file version and the path it is reported under, plus the line
//! arithmetic every stage shares.
use memchr::{memchr, memchr_iter, memrchr};
use std::ops::Range;

/// One file's content as found in a source (worktree file, index entry, git blob, stdin).
#[derive(Debug, Clone, Copy)]
pub struct Blob<'a> {
    /// Path relative to the scan root, with `/` separators.
    pub path: &'a str,
    pub data: &'a [u8],
}

/// Start of the line containing `pos`.
pub fn line_start(data: &[u8], pos: usize) -> usize {
    memrchr(b'\n', &data[..pos]).map_or(0, |i| i + 1)
}

/// End of the line containing `pos` (index of its `\n`, or the data's end).
pub fn line_end(data: &[u8], pos: usize) -> usize {
    memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i)
}

/// The byte range of `n` whole lines above and below the lines covering `span`.
pub fn line_window(data: &[u8], span: Range<usize>, n: usize) -> Range<usize> {
    let mut start = line_start(data, span.start);
    for _ in 0..n {
        if start == 0 {
            break;
        }
        start = line_start(data, start - 1);
    }
    let mut end = line_end(data, span.end.min(data.len()));
    for _ in 0..n {
        if end >= data.len() {
            break;
        }
        end = line_end(data, end + 1);
    }
    start..end
}

/// 1-based line number of `pos`.
pub fn line_number(data: &[u8], pos: usize) -> usize {
    memchr_iter(b'\n', &data[..pos]).count() + 1
}

/// 1-based column of `pos`, counted in characters (invalid UTF-8 counts one per bad sequence).
pub fn column(data: &[u8], pos: usize) -> usize {
    String::from_utf8_lossy(&data[line_start(data, pos)..pos]).chars().count() + 1
}

/// Positions of a span as (line, column, end_line, end_column), end exclusive in bytes,
/// inclusive of the last character in the reported end column.
pub fn position(data: &[u8], span: Range<usize>) -> (usize, usize, usize, usize) {
    let line = line_number(data, span.start);
    let end_line = line + memchr_iter(b'\n', &data[span.clone()]).count();
    (line, column(data, span.start), end_line, column(data, span.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let d = "héllo\r\nab KEY cd".as_bytes();
        let s = d.windows(3).position(|w| w == b"KEY").unwrap();
        assert_eq!(position(d, s..s + 3), (2, 4, 2, 7));
        let d = "é KEY".as_bytes();
        assert_eq!(position(d, 3..6), (1, 3, 1, 6));
    }

    #[test]
    fn window_spans_lines() {
        let d = b"a\nb\nc\nd\ne";
        assert_eq!(&d[line_window(d, 4..5, 1)], b"b\nc\nd");
        assert_eq!(&d[line_window(d, 0..1, 2)], b"a\nb\nc");
    }
}
