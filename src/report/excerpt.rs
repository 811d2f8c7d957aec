//! The excerpt shown beside a finding: a bounded window of the secret's line, with where the
//! other candidates in it sit. It is cut while the blob is in memory (linear in the window,
//! whatever the number of other findings) and rendered, masked, only by a reporter.
use super::escape;
use super::mask::{mask, secret_tokens};
use crate::lines::{line_end, line_start};
use std::ops::Range;

/// Bytes kept on each side of the secret when its line is long.
const SIDE: usize = 80;

/// The candidate spans of a text, for finding those that overlap a window in time that
/// does not grow with their number: short spans sorted by start (none longer than `SHORT`,
/// so only those starting at most `SHORT` before the window can reach it), and the few long
/// ones (decoded base64 or JSON strings) apart.
#[derive(Debug, Default)]
pub struct SpanIndex {
    short: Vec<Range<usize>>,
    long: Vec<Range<usize>>,
}

const SHORT: usize = 4 * SIDE;

impl SpanIndex {
    pub fn new(mut spans: Vec<Range<usize>>) -> SpanIndex {
        spans.sort_by_key(|r| (r.start, r.end));
        let (long, short) = spans.into_iter().partition(|r| r.len() > SHORT);
        SpanIndex { short, long }
    }

    /// Every span that overlaps `w`.
    pub fn overlapping(&self, w: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
        let first = self.short.partition_point(|r| r.start + SHORT <= w.start);
        let short = self.short[first..]
            .iter()
            .take_while(move |r| r.start < w.end);
        short
            .chain(&self.long)
            .filter(move |r| r.start < w.end && r.end > w.start)
            .cloned()
    }
}

#[derive(Clone, Default)]
pub struct Excerpt {
    /// Raw bytes of the window; it holds secrets, so `Debug` never shows it.
    text: Vec<u8>,
    pub first_line: usize,
    target: Range<usize>,
    others: Vec<Range<usize>>,
    cut_before: bool,
    cut_after: bool,
}

impl std::fmt::Debug for Excerpt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Excerpt(line {}, [redacted])", self.first_line)
    }
}

/// An excerpt ready to print: masked, escaped, with the secret's place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    pub first_line: usize,
    pub label: Range<usize>,
}

fn char_boundary_back(d: &[u8], mut i: usize, floor: usize) -> usize {
    while i > floor && i < d.len() && d[i] & 0xC0 == 0x80 {
        i -= 1;
    }
    i
}

fn char_boundary_fwd(d: &[u8], mut i: usize, ceil: usize) -> usize {
    while i < ceil && d[i] & 0xC0 == 0x80 {
        i += 1;
    }
    i
}

impl Excerpt {
    /// The window around `span` (on line `first_line` of `data`); `spans` indexes every
    /// candidate of the blob.
    pub fn extract(
        data: &[u8],
        span: Range<usize>,
        first_line: usize,
        spans: &SpanIndex,
    ) -> Excerpt {
        let ls = line_start(data, span.start);
        let le = line_end(data, span.end.min(data.len()));
        let start = if span.start - ls > SIDE {
            char_boundary_fwd(data, span.start - SIDE, span.start)
        } else {
            ls
        };
        let end = if le - span.end.min(le) > SIDE {
            char_boundary_back(data, span.end + SIDE, span.end)
        } else {
            le
        };
        let others = spans
            .overlapping(start..end)
            .filter(|r| *r != span)
            .map(|r| r.start.max(start) - start..r.end.min(end) - start)
            .collect();
        Excerpt {
            text: data[start..end].to_vec(),
            first_line,
            target: span.start - start..span.end.min(end) - start,
            others,
            cut_before: start > ls,
            cut_after: end < le,
        }
    }

    /// The excerpt with the secret shown as `shown`; unless `reveal`, every other candidate
    /// and every secret-shaped token on the line is masked too (what overlaps the secret
    /// itself is masked around it).
    pub fn render(&self, shown: &str, reveal: bool) -> Rendered {
        let t = &self.target;
        let mut hidden: Vec<Range<usize>> = vec![];
        if !reveal {
            for r in self.others.iter().cloned().chain(secret_tokens(&self.text)) {
                if r.start < t.start {
                    hidden.push(r.start..r.end.min(t.start));
                }
                if r.end > t.end {
                    hidden.push(r.start.max(t.end)..r.end);
                }
            }
        }
        hidden.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = vec![];
        for r in hidden.into_iter().filter(|r| !r.is_empty()) {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        let mut out = String::new();
        if self.cut_before {
            out.push('…');
        }
        let mut pos = 0;
        let mut label = 0..0;
        let mut put_target = |out: &mut String, pos: &mut usize| {
            push(out, &self.text[*pos..t.start]);
            let at = out.len();
            out.push_str(&escape::line(shown));
            label = at..out.len();
            *pos = t.end;
        };
        let mut target_done = false;
        for r in merged {
            if !target_done && r.start >= t.end {
                put_target(&mut out, &mut pos);
                target_done = true;
            }
            push(&mut out, &self.text[pos..r.start]);
            out.push_str(&mask(&String::from_utf8_lossy(&self.text[r.clone()]), 4));
            pos = r.end;
        }
        if !target_done {
            put_target(&mut out, &mut pos);
        }
        push(&mut out, &self.text[pos..]);
        if self.cut_after {
            out.push('…');
        }
        Rendered {
            text: out,
            first_line: self.first_line,
            label,
        }
    }
}

/// Raw source as printable text: CRLF ends dropped, control characters escaped.
fn push(out: &mut String, bytes: &[u8]) {
    let s = String::from_utf8_lossy(bytes);
    let s = s.strip_suffix('\r').unwrap_or(&s);
    out.push_str(&escape::source(s));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_candidate_and_labels_the_target() {
        let d = b"a = SECRET1 b = SECRET2\nnext";
        let e = Excerpt::extract(d, 4..11, 1, &SpanIndex::new(vec![4..11, 16..23]));
        let r = e.render("SE\u{2026}", false);
        assert_eq!(r.text, "a = SE\u{2026} b = S\u{2026}");
        assert_eq!(&r.text[r.label.clone()], "SE\u{2026}");
    }

    #[test]
    fn long_lines_are_windowed_and_unfound_tokens_masked() {
        let mut d = vec![b'x'; 5000];
        d.extend_from_slice(b" KEY q7Lm2Nv8Rc1sW4eY6uI0oP5aS2dF9gTx ");
        d.extend(vec![b'y'; 5000]);
        let e = Excerpt::extract(
            &d,
            5001..5004,
            1,
            &SpanIndex::new(std::iter::once(5001..5004).collect()),
        );
        let r = e.render("K\u{2026}", false);
        assert!(r.text.len() < 250, "{}", r.text.len());
        assert_eq!(&r.text[r.label.clone()], "K\u{2026}");
        assert!(r.text.starts_with('\u{2026}') && r.text.ends_with('\u{2026}'));
        assert!(!r.text.contains("sW4eY6"), "{}", r.text);
    }

    #[test]
    fn a_token_around_the_secret_is_masked_around_it() {
        // tenscan:allow-next-line (a made-up value)
        let d = b"BASETEN_API_KEY=p3kZZl4AblV7vY7AZQ3VZprkYSgy3c2Eom06 x";
        let e = Excerpt::extract(
            d,
            16..52,
            1,
            &SpanIndex::new(std::iter::once(16..52).collect()),
        );
        let r = e.render("p3kZ\u{2026}", false);
        assert_eq!(&r.text[r.label.clone()], "p3kZ\u{2026}");
        assert!(r.text.starts_with("BASETEN_API_KEY=p3kZ"), "{}", r.text);
    }

    #[test]
    fn overlapping_spans_of_any_length_are_found() {
        // A long decoded span before the window, nested and overlapping short ones.
        let d = vec![b'a'; 2000];
        let idx = SpanIndex::new(vec![
            0..1500,
            10..20,
            900..1010,
            1000..1041,
            1005..1006,
            1600..1700,
        ]);
        let e = Excerpt::extract(&d, 1000..1041, 1, &idx);
        assert_eq!(e.others.len(), 3, "{:?}", e.others);
        let found: Vec<_> = idx.overlapping(1000..1041).collect();
        assert_eq!(found, vec![900..1010, 1000..1041, 1005..1006, 0..1500]);
    }

    #[test]
    fn control_characters_are_escaped() {
        let d = b"k = \x1b[2JKEY\r\n";
        let e = Excerpt::extract(
            d,
            8..11,
            1,
            &SpanIndex::new(std::iter::once(8..11).collect()),
        );
        assert_eq!(e.render("K\u{2026}", false).text, "k = \\x1B[2JK\u{2026}");
    }
}
