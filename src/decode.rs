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
    /// For each byte of `text`, its offset in the blob; `None` when a decoded byte has no
    /// single source byte (base64): positions then point at the whole encoded span.
    pub map: Option<Vec<usize>>,
}

impl Decoded {
    /// The blob span a span of `text` came from.
    pub fn source(&self, r: Range<usize>) -> Range<usize> {
        match &self.map {
            Some(map) if r.end > r.start && r.end <= map.len() => map[r.start]..map[r.end - 1] + 1,
            _ => self.span.clone(),
        }
    }
}

/// Every decodable span of `data` (a blob at `path`).
pub fn decode_all(path: &str, data: &[u8]) -> Vec<Decoded> {
    let mut out = vec![];
    if looks_like_json(path, data) && memchr::memchr(b'\\', data).is_some() {
        json_strings(data, &mut out);
    }
    if base64_context(data) {
        base64_runs(data, &mut out);
    }
    if memmem::find(data, b"%2").is_some() || memmem::find(data, b"%3").is_some() {
        percent_runs(data, &mut out);
    }
    out
}

fn looks_like_json(path: &str, data: &[u8]) -> bool {
    let ext = path.rsplit('.').next().unwrap_or("");
    if matches!(ext, "json" | "ipynb" | "jsonl" | "har") {
        return true;
    }
    data.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|&b| b == b'{' || b == b'[')
}

/// Strings of a JSON text that contain escapes, unescaped, with a byte-exact map.
fn json_strings(data: &[u8], out: &mut Vec<Decoded>) {
    let mut i = 0;
    while let Some(q) = memchr::memchr(b'"', &data[i..]) {
        let start = i + q + 1;
        let mut j = start;
        let mut text = vec![];
        let mut map = vec![];
        let mut escaped = false;
        let mut closed = false;
        while j < data.len() {
            match data[j] {
                b'"' => {
                    closed = true;
                    break;
                }
                b'\n' => break,
                b'\\' if j + 1 < data.len() => {
                    escaped = true;
                    let (bytes, used) = unescape(&data[j..]);
                    for b in bytes {
                        text.push(b);
                        map.push(j);
                    }
                    j += used;
                    continue;
                }
                b => {
                    text.push(b);
                    map.push(j);
                }
            }
            j += 1;
        }
        if escaped && closed && text.len() >= 8 {
            out.push(Decoded { kind: "json", span: start..j, text, map: Some(map) });
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
            let hex = std::str::from_utf8(&s[2..6]).ok().and_then(|h| u32::from_str_radix(h, 16).ok());
            match hex.and_then(char::from_u32) {
                Some(c) => (c.to_string().into_bytes(), 6),
                None => (s[..2].to_vec(), 2),
            }
        }
        _ => (s[..2].to_vec(), 2),
    }
}

/// Words that say a blob may carry base64 worth decoding (Kubernetes Secrets, Docker
/// configs, basic auth, data URIs, env files stored encoded).
fn base64_context(data: &[u8]) -> bool {
    const TRIGGERS: &[&[u8]] = &[b"base64", b"data:", b"Secret", b"auths", b"Basic ", b"B64", b"b64"];
    TRIGGERS.iter().any(|t| memmem::find(data, t).is_some())
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// Runs of base64 or base64url characters that decode to text.
fn base64_runs(data: &[u8], out: &mut Vec<Decoded>) {
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
        let mut end = i;
        while end < data.len() && data[end] == b'=' && end - i < 2 {
            end += 1;
        }
        let run = &data[start..i];
        if run.len() < MIN_B64 || run.len() > MAX_B64 {
            continue;
        }
        // Plain words and identifiers are not base64 payloads.
        if run.iter().all(|b| b.is_ascii_lowercase() || *b == b'_' || *b == b'-') {
            continue;
        }
        let url = run.iter().any(|&b| b == b'-' || b == b'_');
        let std_ = run.iter().any(|&b| b == b'+' || b == b'/');
        if url && std_ {
            continue;
        }
        let engine = if url { &base64::engine::general_purpose::URL_SAFE_NO_PAD } else { &base64::engine::general_purpose::STANDARD_NO_PAD };
        let Ok(text) = engine.decode(run) else { continue };
        if is_text(&text) {
            out.push(Decoded { kind: if url { "base64url" } else { "base64" }, span: start..end, text, map: None });
        }
    }
}

/// Decoded bytes that read as text: no NUL, almost all printable.
fn is_text(b: &[u8]) -> bool {
    if b.len() < 16 || memchr::memchr(0, b).is_some() {
        return false;
    }
    let printable = b.iter().filter(|&&c| c.is_ascii_graphic() || c == b' ' || c == b'\n' || c == b'\r' || c == b'\t').count();
    printable * 100 >= b.len() * 95
}

/// URL-ish runs containing `%XX` escapes, decoded.
fn percent_runs(data: &[u8], out: &mut Vec<Decoded>) {
    let urlish = |b: u8| b.is_ascii_alphanumeric() || b"%._~+-=&?/:;,@!$*".contains(&b);
    let mut i = 0;
    while i < data.len() {
        if !urlish(data[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < data.len() && urlish(data[i]) {
            i += 1;
        }
        let run = &data[start..i];
        if run.len() < 16 || memchr::memchr(b'%', run).is_none() {
            continue;
        }
        let mut text = vec![];
        let mut map = vec![];
        let mut j = 0;
        let mut changed = false;
        while j < run.len() {
            let hex = |k: usize| run.get(k).and_then(|c| (*c as char).to_digit(16));
            if run[j] == b'%' {
                if let (Some(h), Some(l)) = (hex(j + 1), hex(j + 2)) {
                    text.push((h * 16 + l) as u8);
                    map.push(start + j);
                    j += 3;
                    changed = true;
                    continue;
                }
            }
            text.push(run[j]);
            map.push(start + j);
            j += 1;
        }
        if changed {
            out.push(Decoded { kind: "percent", span: start..i, text, map: Some(map) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_map_back_to_raw_offsets() {
        let raw = br#"{"s": "KEY = \"abc\u0064ef\"\n"}"#;
        let d = decode_all("x.json", raw);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].text, b"KEY = \"abcdef\"\n");
        let at = d[0].text.windows(6).position(|w| w == b"abcdef").unwrap();
        let src = d[0].source(at..at + 6);
        assert_eq!(&raw[src], br"abc\u0064ef");
    }

    #[test]
    fn base64_text_is_decoded_and_binary_is_not() {
        let enc = base64::engine::general_purpose::STANDARD.encode("BASETEN_API_KEY=some-long-value-here-123");
        let raw = format!("data:\n  key: {enc}\n");
        let d = decode_all("s.yaml", raw.as_bytes());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].kind, "base64");
        let bin = base64::engine::general_purpose::STANDARD.encode([0u8, 1, 2, 3, 200, 201, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
        assert!(decode_all("s.yaml", format!("data: {bin}").as_bytes()).is_empty());
    }

    #[test]
    fn percent_runs_decode() {
        let d = decode_all("u.txt", b"curl 'https://x/?h=Api-Key%20abcdefghij'");
        assert_eq!(d.len(), 1);
        assert!(d[0].text.ends_with(b"Api-Key abcdefghij"));
    }
}
