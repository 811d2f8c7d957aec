//! The masked excerpt of source shown beside a finding: the finding's lines with every hit on
//! them masked, cut down to a window around the secret when the line is long.
use crate::blob::{line_end, line_start};
use std::ops::Range;

/// Characters kept on each side of the secret when a line is too long to show whole.
const SIDE: usize = 60;
const MAX_LINE: usize = 2 * SIDE + 60;

/// Text to show, the first line's number, and where the secret's mask sits in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    pub first_line: usize,
    pub label: Range<usize>,
}

/// Builds the excerpt for `target`, replacing every span in `hidden` (which includes
/// `target`) by `replacement(span)`.
pub fn build(
    data: &[u8],
    first_line: usize,
    target: Range<usize>,
    hidden: &[(Range<usize>, String)],
) -> Snippet {
    let start = line_start(data, target.start);
    let end = line_end(data, target.end.min(data.len()));
    let mut text = String::new();
    let mut label = 0..0;
    let mut pos = start;
    let mut spans: Vec<_> = hidden.iter().filter(|(r, _)| r.start < end && r.end > start).collect();
    spans.sort_by_key(|(r, _)| r.start);
    for (r, shown) in spans {
        if r.start < pos {
            continue;
        }
        push_text(&mut text, &data[pos..r.start]);
        let at = text.len();
        text.push_str(shown);
        if *r == target {
            label = at..text.len();
        }
        pos = r.end;
    }
    push_text(&mut text, &data[pos..end]);
    if text.chars().count() <= MAX_LINE || text.contains('\n') {
        return Snippet { text, first_line, label };
    }
    // One long line: keep a window of characters around the label.
    let from = prev_chars(&text, label.start, SIDE);
    let to = next_chars(&text, label.end, SIDE);
    let mut cut = String::new();
    if from > 0 {
        cut.push('…');
    }
    let shift = cut.len() as isize - from as isize;
    cut.push_str(&text[from..to]);
    if to < text.len() {
        cut.push('…');
    }
    let label = (label.start as isize + shift) as usize..(label.end as isize + shift) as usize;
    Snippet { text: cut, first_line, label }
}

/// Appends bytes as text, dropping carriage returns so CRLF files render like LF ones.
fn push_text(text: &mut String, bytes: &[u8]) {
    text.extend(String::from_utf8_lossy(bytes).chars().filter(|&c| c != '\r'));
}

fn prev_chars(s: &str, at: usize, n: usize) -> usize {
    s[..at].char_indices().rev().nth(n.saturating_sub(1)).map_or(0, |(i, _)| i)
}

fn next_chars(s: &str, at: usize, n: usize) -> usize {
    s[at..].char_indices().nth(n).map_or(s.len(), |(i, _)| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_hidden_span_and_labels_the_target() {
        let d = b"a = SECRET1 b = SECRET2\nnext";
        let s = build(d, 1, 4..11, &[(4..11, "SE…".into()), (16..23, "SE…".into())]);
        assert_eq!(s.text, "a = SE… b = SE…");
        assert_eq!(&s.text[s.label.clone()], "SE…");
    }

    #[test]
    fn long_lines_are_windowed() {
        let mut d = vec![b'x'; 5000];
        d.extend_from_slice(b" KEY ");
        d.extend(vec![b'y'; 5000]);
        let s = build(&d, 1, 5001..5004, &[(5001..5004, "K…".into())]);
        assert!(s.text.len() < 200, "{}", s.text.len());
        assert_eq!(&s.text[s.label.clone()], "K…");
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
    }
}
