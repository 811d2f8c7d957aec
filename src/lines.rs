//! Line arithmetic over a text: line bounds, windows of lines, and a cursor that turns byte
//! offsets (visited in increasing order) into 1-based lines and character columns in time
//! linear in the text, however many positions are asked for.
use memchr::{memchr, memchr_iter, memrchr};
use std::ops::Range;

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

/// Characters in `bytes`, counting each invalid UTF-8 sequence as one (as a lossy decode
/// shows it).
fn chars(bytes: &[u8]) -> usize {
    bytes
        .utf8_chunks()
        .map(|c| c.valid().chars().count() + usize::from(!c.invalid().is_empty()))
        .sum()
}

/// A 1-based position: line, and column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Positions of increasing offsets, each found from the previous one.
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    at: Position,
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8]) -> Cursor<'a> {
        Cursor {
            data,
            pos: 0,
            at: Position { line: 1, column: 1 },
        }
    }

    /// The position of `pos`, which must not be before the last one asked for.
    pub fn at(&mut self, pos: usize) -> Position {
        debug_assert!(pos >= self.pos);
        let gap = &self.data[self.pos..pos];
        match memrchr(b'\n', gap) {
            Some(last) => {
                self.at.line += memchr_iter(b'\n', gap).count();
                self.at.column = chars(&gap[last + 1..]) + 1;
            }
            None => self.at.column += chars(gap),
        }
        self.pos = pos;
        self.at
    }
}

/// The position just past `span`, from the position of its start.
pub fn end_of(data: &[u8], span: Range<usize>, start: Position) -> Position {
    Cursor {
        data,
        pos: span.start,
        at: start,
    }
    .at(span.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let d = "héllo\r\nab KEY cd".as_bytes();
        let s = d.windows(3).position(|w| w == b"KEY").unwrap();
        let mut c = Cursor::new(d);
        let p = c.at(s);
        assert_eq!((p.line, p.column), (2, 4));
        assert_eq!(end_of(d, s..s + 3, p), Position { line: 2, column: 7 });
        let d = "é KEY".as_bytes();
        assert_eq!(Cursor::new(d).at(3), Position { line: 1, column: 3 });
        let d = b"\xff\xfeab";
        assert_eq!(Cursor::new(d).at(3), Position { line: 1, column: 4 });
    }

    #[test]
    fn window_spans_lines() {
        let d = b"a\nb\nc\nd\ne";
        assert_eq!(&d[line_window(d, 4..5, 1)], b"b\nc\nd");
        assert_eq!(&d[line_window(d, 0..1, 2)], b"a\nb\nc");
    }
}
