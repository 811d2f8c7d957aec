//! Masking: how much of a secret any report may show.
use crate::checks::shannon_entropy;

/// Shows at most `reveal` leading characters (never more than a quarter of the secret, never
/// more than 8), then an ellipsis.
pub fn mask(secret: &str, reveal: usize) -> String {
    let n = secret.chars().count();
    let shown = reveal.min(8).min(n / 4);
    let mut out: String = secret.chars().take(shown).collect();
    out.push('…');
    out
}

fn token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'~')
}

/// Whether a token could be a credential: long, letters and digits mixed, not repetitive.
pub fn looks_secret(t: &[u8]) -> bool {
    t.len() >= 16
        && t.iter().any(u8::is_ascii_alphabetic)
        && t.iter().any(u8::is_ascii_digit)
        && shannon_entropy(t) >= 3.0
}

/// Byte ranges of the secret-shaped tokens of `text` (runs of token characters; a `.`
/// splits them, so a key's public prefix stays readable and its secret part does not).
pub fn secret_tokens(text: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = vec![];
    let mut i = 0;
    while i < text.len() {
        if !token_byte(text[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && token_byte(text[i]) {
            i += 1;
        }
        if looks_secret(&text[start..i]) {
            out.push(start..i);
        }
    }
    out
}

/// `text` with every secret-shaped token masked: for messages that quote a file the user may
/// have pasted a key into (config, baseline and rule errors).
pub fn mask_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in secret_tokens(text.as_bytes()) {
        out.push_str(&text[at..r.start]);
        out.push_str(&mask(&text[r.clone()], 4));
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Like `mask_tokens`, but keeping every byte offset (each hidden character becomes `*`):
/// for file excerpts whose labels point at byte positions.
pub fn mask_tokens_keeping_offsets(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for r in secret_tokens(text.as_bytes()) {
        let keep = (r.len() / 4).min(4);
        for b in &mut bytes[r.start + keep..r.end] {
            *b = b'*';
        }
    }
    // Tokens are ASCII, so replacing their bytes keeps the text valid UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_never_shows_more_than_eight_or_a_quarter() {
        // tenscan:allow-next-line (a made-up key)
        let key = "Ab3dE9gH.q7Lm2Nv8Rc1sW4eY6uI0oP5aS2dF9gTx";
        assert_eq!(mask(key, 8), "Ab3dE9gH…");
        assert_eq!(mask("short", 8), "s…");
        assert_eq!(mask("abcdefghijklmnop", 8), "abcd…");
    }

    #[test]
    fn tokens_that_look_like_credentials_are_masked() {
        let s =
            "x = 'Ab3dE9gH.q7Lm2Nv8Rc1sW4eY6uI0oP5aS2dF9gTx' # SecIdentityCreateWithCertificate"; // tenscan:allow (made-up key)
        let m = mask_tokens(s);
        assert!(m.contains("Ab3dE9gH.q7Lm…") && !m.contains("sW4eY6"), "{m}");
        assert!(m.contains("SecIdentityCreateWithCertificate"));
        let k = mask_tokens_keeping_offsets(s);
        assert_eq!(k.len(), s.len());
        assert!(k.contains("q7Lm****") && !k.contains("sW4eY6"), "{k}");
    }
}
