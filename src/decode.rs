//! Decoders: finds encoded spans inside a blob (JSON string escapes, base64 and base64url
//! runs, percent-encoding), decodes them, and says where each decoded byte came from, so a
//! secret found inside is reported at the right place of the raw file. Only candidate spans
//! are decoded, and only in blobs whose content calls for it.
use base64::Engine as _;
use memchr::memmem;
use std::ops::Range;

/// How deep decoders nest (base64 inside JSON inside base64 …).
pub const MAX_DEPTH: usize = 3;
/// Shortest base64 run worth decoding: a 41-character key is 56 characters of base64.
const MIN_B64: usize = 40;
/// Longest base64 run decoded: longer ones are images, fonts and other payloads.
const MAX_B64: usize = 64 * 1024;

/// One decoded span.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub kind: &'static str,
    /// The encoded span in the blob it was found in.
    pub span: Range<usize>,
    pub text: Vec<u8>,
    /// Where each byte of `text` came from; `None` when a decoded byte has no single source
    /// byte (base64): positions then point at the whole encoded span.
    pub map: Option<OffsetMap>,
    /// Decoding produced token characters (letters, digits, `.`, `-`, `_`): a secret may be
    /// visible only now. When false, only keyword rules can find something new.
    pub new_tokens: bool,
}

/// Where the bytes of a decoded text came from, one entry per run copied as it was and per
/// escape (not one per byte: an 18 MB JSON file would need 144 MB for that).
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    /// (start in the text, start in the source, source length; for a copied run the text and
    /// source lengths are equal, for an escape the text bytes all map to the whole escape).
    pieces: Vec<(usize, usize, usize, bool)>,
    len: usize,
}

impl OffsetMap {
    fn copied(&mut self, src: usize, n: usize) {
        match self.pieces.last_mut() {
            Some((t, s, l, true)) if *t + *l == self.len && *s + *l == src => *l += n,
            _ => self.pieces.push((self.len, src, n, true)),
        }
        self.len += n;
    }

    fn escape(&mut self, src: usize, src_len: usize, text_len: usize) {
        self.pieces.push((self.len, src, src_len, false));
        self.len += text_len;
    }

    /// The source range of text byte `t`.
    fn of(&self, t: usize) -> Range<usize> {
        let i = self.pieces.partition_point(|p| p.0 <= t) - 1;
        let (ts, ss, sl, copied) = self.pieces[i];
        if copied {
            ss + (t - ts)..ss + (t - ts) + 1
        } else {
            ss..ss + sl
        }
    }
}

impl Decoded {
    /// The blob span a span of `text` came from.
    pub fn source(&self, r: Range<usize>) -> Range<usize> {
        match &self.map {
            Some(map) if r.end > r.start && r.end <= map.len => {
                map.of(r.start).start..map.of(r.end - 1).end
            }
            _ => self.span.clone(),
        }
    }
}

/// Which decoders a blob calls for, from words the matcher's keyword pass saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Triggers {
    pub base64: bool,
}

impl Triggers {
    /// Triggers of a small decoded text, in any letter case as the matcher finds them in a
    /// blob.
    pub fn of(data: &[u8]) -> Triggers {
        let folded = data.to_ascii_lowercase();
        let mut t = Triggers::default();
        for (word, kind) in TRIGGERS {
            if memmem::find(&folded, word.to_ascii_lowercase().as_bytes()).is_some() {
                t.set(*kind);
            }
        }
        t
    }

    pub fn set(&mut self, kind: Trigger) {
        match kind {
            Trigger::Base64 => self.base64 = true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Base64,
}

/// Words that call for base64 decoding: contexts that carry it (Kubernetes Secrets, Docker
/// configs, basic auth, data URIs, encoded env files). They join the matcher's keyword pass,
/// so finding them costs no extra pass over the blob. JSON escapes and percent escapes are
/// found with memchr on single bytes instead: short words would slow that pass down.
pub const TRIGGERS: &[(&str, Trigger)] = &[
    ("base64", Trigger::Base64),
    ("Secret\n", Trigger::Base64),
    ("\"auths\"", Trigger::Base64),
    ("dockerconfigjson", Trigger::Base64),
    ("Basic ", Trigger::Base64),
    ("_B64", Trigger::Base64),
    ("_b64", Trigger::Base64),
];

/// Calls `each` with every decodable span of `data` (an admitted text, or text decoded from
/// one), one at a time, so only one decoded span is in memory at once. JSON strings are
/// decoded in text that reads as JSON (a notebook, a HAR file, a config), whatever the
/// file's name, so a blob decodes the same at any path. `keyword` says whether raw text holds
/// a rule keyword: percent-encoded runs are decoded only when decoding makes new token
/// characters or the run has a keyword in it.
pub fn decode_each(
    data: &[u8],
    triggers: Triggers,
    keyword: &dyn Fn(&[u8]) -> bool,
    each: &mut dyn FnMut(Decoded),
) {
    if starts_like_json(data) && memchr::memchr(b'\\', data).is_some() {
        json_strings(data, each);
    }
    if triggers.base64 {
        base64_runs(data, each);
    }
    percent_runs(data, keyword, each);
}

/// Every decodable span of `data`, collected (for tests and fuzzing).
pub fn decode_all(
    data: &[u8],
    triggers: Triggers,
    keyword: &dyn Fn(&[u8]) -> bool,
) -> Vec<Decoded> {
    let mut out = vec![];
    decode_each(data, triggers, keyword, &mut |d| out.push(d));
    out
}

fn starts_like_json(data: &[u8]) -> bool {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    data.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{' || b == b'[')
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')
}

/// Strings of a JSON text that contain escapes, unescaped, with a byte-exact map. A string
/// without an escape is skipped with one memchr, never copied.
fn json_strings(data: &[u8], each: &mut dyn FnMut(Decoded)) {
    let mut i = 0;
    while let Some(q) = memchr::memchr(b'"', &data[i..]) {
        let start = i + q + 1;
        // The first quote, backslash or newline after the opening quote.
        let Some(k) = memchr::memchr3(b'"', b'\\', b'\n', &data[start..]) else {
            return;
        };
        let stop = start + k;
        match data[stop] {
            b'"' => {
                i = stop + 1;
                continue;
            }
            b'\n' => {
                i = stop;
                continue;
            }
            _ => {}
        }
        let mut text = Vec::with_capacity(64);
        let mut map = OffsetMap::default();
        let mut new_tokens = false;
        let mut closed = false;
        let mut j = start;
        while j < data.len() {
            match data[j] {
                b'"' => {
                    closed = true;
                    break;
                }
                b'\n' => break,
                b'\\' if j + 1 < data.len() => {
                    let (bytes, used) = unescape(&data[j..]);
                    // New tokens: an escape that decodes to token characters (`\u0041`), or
                    // one that decodes to a separator right before a token (`x\nKEY`: KEY
                    // stands alone only once `\n` is a newline).
                    let before_token = data.get(j + used).is_some_and(|&b| is_token(b))
                        && !bytes.iter().all(|&b| is_token(b));
                    new_tokens |= (used > 2 && bytes.iter().any(|&b| is_token(b))) || before_token;
                    map.escape(j, used, bytes.len());
                    text.extend_from_slice(&bytes);
                    j += used;
                }
                // A backslash as the text's last byte escapes nothing: copied as it is.
                b'\\' => {
                    map.copied(j, 1);
                    text.push(b'\\');
                    j += 1;
                }
                _ => {
                    // Copy up to the next special byte in one go.
                    let n =
                        memchr::memchr3(b'"', b'\\', b'\n', &data[j..]).unwrap_or(data.len() - j);
                    map.copied(j, n);
                    text.extend_from_slice(&data[j..j + n]);
                    j += n;
                }
            }
        }
        if closed && text.len() >= 8 {
            each(Decoded {
                kind: "json",
                span: start..j,
                text,
                map: Some(map),
                new_tokens,
            });
        }
        i = if closed { j + 1 } else { j.max(start) };
        if i >= data.len() {
            break;
        }
    }
}

/// One JSON escape at the start of `s` (which begins with `\`): its UTF-8 bytes and length.
fn unescape(s: &[u8]) -> (Vec<u8>, usize) {
    let simple = |c: u8| -> Vec<u8> { vec![c] };
    match s[1] {
        b'"' => (simple(b'"'), 2),
        b'\\' => (simple(b'\\'), 2),
        b'/' => (simple(b'/'), 2),
        b'n' => (simple(b'\n'), 2),
        b't' => (simple(b'\t'), 2),
        b'r' => (simple(b'\r'), 2),
        b'b' => (simple(8), 2),
        b'f' => (simple(12), 2),
        b'u' if s.len() >= 6 => {
            let hex = std::str::from_utf8(&s[2..6])
                .ok()
                .and_then(|h| u32::from_str_radix(h, 16).ok());
            match hex.and_then(char::from_u32) {
                Some(c) => (c.to_string().into_bytes(), 6),
                None => (s[..2].to_vec(), 2),
            }
        }
        _ => (s[..2].to_vec(), 2),
    }
}

/// Byte classes as lookup tables: the loops below touch every byte of triggered blobs.
const fn table(extra: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        t[extra[i] as usize] = true;
        i += 1;
    }
    t
}
static B64: [bool; 256] = table(b"+/-_");
static URLISH: [bool; 256] = table(b"%._~+-=&?/:;,@!$*");

fn is_b64(b: u8) -> bool {
    B64[b as usize]
}

/// Runs of base64 or base64url characters that decode to text. Runs shorter than
/// `MIN_B64` are skipped without reading most of their bytes: a long enough run that starts
/// after position `i` must cover `i + MIN_B64 - 1`, so only that byte is looked at first.
fn base64_runs(data: &[u8], each: &mut dyn FnMut(Decoded)) {
    // Invariant: `i == 0` or `data[i - 1]` is not a base64 character, and no run worth
    // decoding starts before `i` unless it was already handled.
    let mut i = 0;
    while i + MIN_B64 <= data.len() {
        let probe = i + MIN_B64 - 1;
        if !is_b64(data[probe]) {
            i = probe + 1;
            continue;
        }
        let mut start = probe;
        while start > i && is_b64(data[start - 1]) {
            start -= 1;
        }
        let mut stop = probe + 1;
        while stop < data.len() && is_b64(data[stop]) {
            stop += 1;
        }
        i = stop + 1;
        if let Some(d) = base64_run(data, start, stop) {
            each(d);
        }
    }
}

/// The maximal run `data[start..stop]` of base64 characters, decoded if it is worth it.
fn base64_run(data: &[u8], start: usize, stop: usize) -> Option<Decoded> {
    let run = &data[start..stop];
    if run.len() < MIN_B64 || run.len() > MAX_B64 {
        return None;
    }
    // Plain words and identifiers are not base64 payloads, nor are hex digests (lock-file
    // checksums, commit ids): base64 of text always has letters past `f`.
    let all = |f: fn(&u8) -> bool| run.iter().all(f);
    if all(|b| b.is_ascii_lowercase() || *b == b'_' || *b == b'-')
        || all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        || all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b))
    {
        return None;
    }
    let url = run.iter().any(|&b| b == b'-' || b == b'_');
    let std_ = run.iter().any(|&b| b == b'+' || b == b'/');
    if url && std_ {
        return None;
    }
    let engine = if url {
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
    } else {
        &base64::engine::general_purpose::STANDARD_NO_PAD
    };
    let text = engine.decode(run).ok()?;
    if !is_text(&text) {
        return None;
    }
    let mut end = stop;
    while end < data.len() && data[end] == b'=' && end - stop < 2 {
        end += 1;
    }
    Some(Decoded {
        kind: if url { "base64url" } else { "base64" },
        span: start..end,
        text,
        map: None,
        new_tokens: true,
    })
}

/// Decoded bytes that read as text: no NUL, almost all printable.
fn is_text(b: &[u8]) -> bool {
    if b.len() < 16 || memchr::memchr(0, b).is_some() {
        return false;
    }
    let printable = b
        .iter()
        .filter(|&&c| c.is_ascii_graphic() || c == b' ' || c == b'\n' || c == b'\r' || c == b'\t')
        .count();
    printable * 100 >= b.len() * 95
}

/// URL-ish runs around each `%XX` escape, decoded when that can reveal something.
fn percent_runs(data: &[u8], keyword: &dyn Fn(&[u8]) -> bool, each: &mut dyn FnMut(Decoded)) {
    let urlish = |b: u8| URLISH[b as usize];
    let mut done = 0;
    for p in memchr::memchr_iter(b'%', data) {
        if p < done {
            continue;
        }
        let mut start = p;
        while start > 0 && urlish(data[start - 1]) {
            start -= 1;
        }
        let mut end = p;
        while end < data.len() && urlish(data[end]) {
            end += 1;
        }
        done = end;
        let run = &data[start..end];
        if run.len() < 16 {
            continue;
        }
        let hex = |k: usize| run.get(k).and_then(|c| (*c as char).to_digit(16));
        let escape_at = |k: usize| {
            (run[k] == b'%')
                .then(|| Some((hex(k + 1)? * 16 + hex(k + 2)?) as u8))
                .flatten()
        };
        // A light look first: decode only runs whose escapes can reveal something.
        let (mut changed, mut new_tokens) = (false, false);
        for k in memchr::memchr_iter(b'%', run) {
            if let Some(b) = escape_at(k) {
                changed = true;
                new_tokens |= is_token(b);
            }
        }
        if !changed || !(new_tokens || keyword(run)) {
            continue;
        }
        let mut text = Vec::with_capacity(run.len());
        let mut map = OffsetMap::default();
        let mut j = 0;
        while j < run.len() {
            if let Some(b) = escape_at(j) {
                text.push(b);
                map.escape(start + j, 3, 1);
                j += 3;
                continue;
            }
            text.push(run[j]);
            map.copied(start + j, 1);
            j += 1;
        }
        each(Decoded {
            kind: "percent",
            span: start..end,
            text,
            map: Some(map),
            new_tokens,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_map_back_to_raw_offsets() {
        let raw = br#"{"s": "KEY = \"abc\u0064ef\"\n"}"#;
        let d = decode_all(raw, Triggers::of(raw), &|_| true);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].text, b"KEY = \"abcdef\"\n");
        let at = d[0].text.windows(6).position(|w| w == b"abcdef").unwrap();
        let src = d[0].source(at..at + 6);
        assert_eq!(&raw[src], br"abc\u0064ef");
    }

    #[test]
    fn base64_text_is_decoded_and_binary_is_not() {
        let enc = base64::engine::general_purpose::STANDARD
            .encode("BASETEN_API_KEY=some-long-value-here-123"); // tenscan:allow (made-up)
        let raw = format!("data:\n  key: {enc}\n");
        let d = decode_all(raw.as_bytes(), Triggers { base64: true }, &|_| true);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].kind, "base64");
        let bin = base64::engine::general_purpose::STANDARD.encode([
            0u8, 1, 2, 3, 200, 201, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
            23, 24, 25, 26, 27, 28, 29, 30,
        ]);
        assert!(decode_all(
            format!("data: {bin}").as_bytes(),
            Triggers { base64: true },
            &|_| true
        )
        .is_empty());
    }

    /// Every maximal run, byte by byte: what the skipping scan must agree with.
    fn base64_runs_bytewise(data: &[u8]) -> Vec<(Range<usize>, Vec<u8>)> {
        let mut out = vec![];
        let mut i = 0;
        while i < data.len() {
            if !is_b64(data[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < data.len() && is_b64(data[i]) {
                i += 1;
            }
            out.extend(base64_run(data, start, i).map(|d| (d.span, d.text)));
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn the_skipping_base64_scan_finds_every_run(
            parts in proptest::collection::vec(
                (0usize..4, 0usize..120, proptest::collection::vec(0u8..=255, 0..4)),
                0..12,
            )
        ) {
            // Runs of base64 text (encoded prose, hex, identifiers) of many lengths between
            // arbitrary separators.
            let mut data = vec![];
            for (kind, len, sep) in parts {
                let prose = "BASETEN_API_KEY=made-up value, and more words here ".repeat(3);
                let run: String = match kind {
                    0 => base64::engine::general_purpose::STANDARD.encode(&prose[..len.min(prose.len())]),
                    1 => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&prose[..len.min(prose.len())]),
                    2 => "0123456789abcdef".repeat(8)[..len].to_string(),
                    _ => "someIdentifierName_".repeat(7)[..len].to_string(),
                };
                data.extend_from_slice(run.as_bytes());
                data.extend_from_slice(&sep);
            }
            let mut fast = vec![];
            base64_runs(&data, &mut |d| fast.push((d.span, d.text)));
            proptest::prop_assert_eq!(fast, base64_runs_bytewise(&data));
        }
    }

    #[test]
    fn a_string_cut_after_a_backslash_ends_the_scan() {
        // Found by the matcher fuzz target: the copy step found the backslash again at
        // once and never advanced.
        for raw in [&b"[sk_y\"6(\0\\"[..], b"{\"a\": \"x\\", b"[\"\\"] {
            assert!(decode_all(raw, Triggers::of(raw), &|_| true).is_empty());
        }
    }

    #[test]
    fn percent_runs_decode() {
        let d = decode_all(
            b"curl 'https://x/?h=Api-Key%20abcdefghij'",
            Triggers::default(),
            &|_| true,
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].text.ends_with(b"Api-Key abcdefghij"));
    }
}
