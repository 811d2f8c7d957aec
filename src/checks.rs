//! Candidate checks that decide whether a regex hit looks like a real secret: entropy,
//! character mix, word-likeness, placeholders and token boundaries.

/// What the checks concluded about one candidate secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Looks like a real secret.
    Secret,
    /// Looks like a documentation placeholder (reported only with `--show-placeholders`).
    Placeholder(&'static str),
    /// Not a secret at all (identifier, hash, reference, too short, ...).
    Reject(&'static str),
}

/// Words that mark a value as a placeholder when they appear inside it (ASCII case-insensitive).
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "sample",
    "placeholder",
    "dummy",
    "changeme",
    "change_me",
    "redacted",
    "xxxx",
    "your_",
    "your-",
    "yourkey",
    "yourapi",
    "yoursecret",
    "yourtoken",
    "insert",
    "replace_me",
    "replaceme",
    "fake",
    "notreal",
    "not_real",
    "secretkey",
    "apikeyhere",
    "api_key_here",
    "****",
    "....",
    "<",
    ">",
];

/// Shannon entropy in bits per byte.
pub fn shannon_entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Upper,
    Lower,
    Digit,
    Other,
}

fn class(b: u8) -> Class {
    match b {
        b'A'..=b'Z' => Class::Upper,
        b'a'..=b'z' => Class::Lower,
        b'0'..=b'9' => Class::Digit,
        _ => Class::Other,
    }
}

/// Which of upper, lower and digit the string contains.
pub fn classes(s: &[u8]) -> (bool, bool, bool) {
    let mut c = (false, false, false);
    for &b in s {
        match class(b) {
            Class::Upper => c.0 = true,
            Class::Lower => c.1 = true,
            Class::Digit => c.2 = true,
            Class::Other => {}
        }
    }
    c
}

/// Fraction of adjacent pairs whose character class changes. Random base62 text changes
/// class on ~62% of pairs; camelCase identifiers and words on far fewer.
pub fn class_transition_ratio(s: &[u8]) -> f64 {
    if s.len() < 2 {
        return 1.0;
    }
    let changes = s.windows(2).filter(|w| class(w[0]) != class(w[1])).count();
    changes as f64 / (s.len() - 1) as f64
}

/// Longest run of characters that each step by +1 or -1 from the previous (`1234`, `dcba`),
/// and longest run of one repeated character.
pub fn runs(s: &[u8]) -> (usize, usize) {
    let (mut best_seq, mut best_rep) = (1usize.min(s.len()), 1usize.min(s.len()));
    let (mut up, mut down, mut rep) = (1usize, 1usize, 1usize);
    for w in s.windows(2) {
        let (a, b) = (w[0] as i16, w[1] as i16);
        let alnum = w[0].is_ascii_alphanumeric() && w[1].is_ascii_alphanumeric();
        up = if alnum && b == a + 1 { up + 1 } else { 1 };
        down = if alnum && b == a - 1 { down + 1 } else { 1 };
        rep = if a == b { rep + 1 } else { 1 };
        best_seq = best_seq.max(up).max(down);
        best_rep = best_rep.max(rep);
    }
    (best_seq, best_rep)
}

/// Fraction of characters that sit in a sequential or repeated run of 3 or more.
fn patterned_fraction(s: &[u8]) -> f64 {
    if s.len() < 3 {
        return 0.0;
    }
    let mut marked = vec![false; s.len()];
    for i in 0..s.len() - 2 {
        let (a, b, c) = (s[i] as i16, s[i + 1] as i16, s[i + 2] as i16);
        let step = b - a;
        if (step == 1 || step == -1 || step == 0) && c - b == step {
            marked[i] = true;
            marked[i + 1] = true;
            marked[i + 2] = true;
        }
    }
    marked.iter().filter(|&&m| m).count() as f64 / s.len() as f64
}

/// Returns why `s` looks like a placeholder, if it does.
pub fn placeholder_reason(s: &[u8]) -> Option<&'static str> {
    let lower = s.to_ascii_lowercase();
    if PLACEHOLDER_WORDS
        .iter()
        .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
    {
        return Some("contains a placeholder word");
    }
    let (seq, rep) = runs(s);
    if seq >= 5 {
        return Some("sequential characters");
    }
    if rep >= 5 {
        return Some("repeated characters");
    }
    if patterned_fraction(s) > 0.4 {
        return Some("mostly sequential or repeated characters");
    }
    if repeated_unit(s) {
        return Some("a short pattern repeated");
    }
    None
}

/// A unit of 2 to 4 characters repeated 4 or more times in a row (`Ab1Ab1Ab1Ab1`, `xyxyxyxy`).
/// Random text almost never has one.
fn repeated_unit(s: &[u8]) -> bool {
    (2..=4).any(|unit| {
        let mut run = 0;
        for i in unit..s.len() {
            run = if s[i] == s[i - unit] { run + 1 } else { 0 };
            if run >= unit * 3 {
                return true;
            }
        }
        false
    })
}

/// All hexadecimal digits (a hash or an id, never a Baseten key).
pub fn is_hex(s: &[u8]) -> bool {
    s.len() >= 16 && s.iter().all(|b| b.is_ascii_hexdigit())
}

/// The camel-case words of an identifier: `SecIdentityCreate` → Sec, Identity, Create;
/// `HTTPServer2` → HTTP, Server, 2. Anything but letters and digits splits too.
fn words(s: &[u8]) -> Vec<&[u8]> {
    let mut out = vec![];
    let mut start = 0;
    for i in 1..=s.len() {
        let split = i == s.len() || {
            let (a, b) = (s[i - 1], s[i]);
            let next_lower = s.get(i + 1).is_some_and(u8::is_ascii_lowercase);
            (a.is_ascii_lowercase() && b.is_ascii_uppercase())
                || (a.is_ascii_uppercase() && b.is_ascii_uppercase() && next_lower)
                || (a.is_ascii_alphabetic() != b.is_ascii_alphabetic())
                || !b.is_ascii_alphanumeric()
        };
        if split {
            if start < i && s[start..i].iter().all(u8::is_ascii_alphanumeric) {
                out.push(&s[start..i]);
            }
            start = if i < s.len() && !s[i].is_ascii_alphanumeric() {
                i + 1
            } else {
                i
            };
        }
    }
    out
}

/// Whether a run of letters reads as a word: long enough, with vowels in it, or an acronym
/// (`HTTP`, `URL`).
fn wordish(w: &[u8]) -> bool {
    let vowels = w.iter().filter(|b| b"aeiouyAEIOUY".contains(b)).count();
    let acronym = (2..=5).contains(&w.len()) && w.iter().all(u8::is_ascii_uppercase);
    acronym || (w.len() >= 2 && vowels > 0 && vowels * 5 <= w.len() * 4)
}

/// Whether `s` reads as a code identifier rather than random text: camel- or Pascal-case
/// words (each with vowels or an acronym, three letters or more on average), digits only as a
/// short suffix (`Name1`, `ConfigV2`). A random base62 string almost never passes: its case
/// flips every couple of characters and digits fall anywhere.
pub fn identifier_like(s: &[u8]) -> bool {
    let mut ws = words(s);
    if ws.last().is_some_and(|w| w.iter().all(u8::is_ascii_digit)) {
        if ws.pop().is_some_and(|d| d.len() > 2) {
            return false;
        }
        // A version letter before the number (`V2`).
        if ws
            .last()
            .is_some_and(|w| w.len() == 1 && w[0].is_ascii_alphabetic())
            && ws.len() > 1
        {
            ws.pop();
        }
    }
    if ws.is_empty() || ws.iter().any(|w| !w.iter().all(u8::is_ascii_alphabetic)) {
        return false;
    }
    let total: usize = ws.iter().map(|w| w.len()).sum();
    let wordy: usize = ws.iter().filter(|w| wordish(w)).map(|w| w.len()).sum();
    total >= 3 * ws.len() && wordy * 10 >= total * 9
}

/// Requirements a rule puts on its secret; see `rules/README.md`.
#[derive(Debug, Clone, Default)]
pub struct Requirements {
    pub min_length: usize,
    pub min_entropy: f64,
    pub require_upper: bool,
    pub require_lower: bool,
    pub require_digit: bool,
    pub min_transition_ratio: f64,
    /// Reject secrets whose dot-separated parts all read as code identifiers.
    pub reject_identifiers: bool,
}

impl Requirements {
    /// Classifies one candidate secret.
    pub fn judge(&self, secret: &[u8]) -> Verdict {
        if secret.len() < self.min_length {
            return Verdict::Reject("too short");
        }
        if let Some(why) = placeholder_reason(secret) {
            return Verdict::Placeholder(why);
        }
        if is_hex(secret) {
            return Verdict::Reject("hexadecimal");
        }
        let (u, l, d) = classes(secret);
        if (self.require_upper && !u) || (self.require_lower && !l) || (self.require_digit && !d) {
            return Verdict::Reject("missing character classes");
        }
        if shannon_entropy(secret) < self.min_entropy {
            return Verdict::Reject("low entropy");
        }
        if class_transition_ratio(secret) < self.min_transition_ratio {
            return Verdict::Reject("word-like");
        }
        if self.reject_identifiers && secret.split(|&b| b == b'.').all(identifier_like) {
            return Verdict::Reject("a code identifier");
        }
        Verdict::Secret
    }
}

/// Bytes that glue a token to its neighbours: a secret touching one of them on either side is
/// part of a longer token (base64, JWT segment, identifier).
fn is_glue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/')
}

/// True when `data[start..end]` stands on its own: not glued to more token characters and
/// not one segment of a dotted chain like `a.b.c` (a JWT, a hostname, a module path).
pub fn is_standalone(data: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| data[i]);
    let after = data.get(end).copied();
    if before.is_some_and(is_glue) || after.is_some_and(is_glue) {
        return false;
    }
    if before == Some(b'.') && start >= 2 && is_glue(data[start - 2]) {
        return false;
    }
    if after == Some(b'.') && data.get(end + 1).is_some_and(|&b| is_glue(b)) {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_placeholder_is_placeholder_despite_high_entropy() {
        let p = b"abcdefgh.1234567890ABCDEFGHIJKL1234567890";
        assert!(shannon_entropy(p) > 4.0);
        assert!(placeholder_reason(p).is_some());
    }

    #[test]
    fn repeated_units_are_placeholders() {
        assert!(placeholder_reason(b"Xy7Kq2Mn.YOURAb1Ab1Ab1Ab1Ab1Ab1A").is_some());
        assert!(placeholder_reason(b"q7Lm2Nv8Rc1sW4eY6uI0oP5aS2dF9gTx").is_none());
    }

    #[test]
    fn camel_case_is_word_like() {
        assert!(class_transition_ratio(b"getDefaultConfigurationProvider1") < 0.3);
        assert!(class_transition_ratio(b"q7Lm2Nv8Rc1sW4eY6uI0oP5aS2dF9gTx") > 0.5);
    }

    #[test]
    fn identifiers_read_as_identifiers_and_keys_do_not() {
        for id in [
            &b"Security"[..],
            b"SecIdentityCreateWithCertificate",
            b"SomeFactoryBuilderName1",
            b"Registry",
            b"HTTPServerConfigV2",
            b"getDefaultConfigurationProvider",
        ] {
            assert!(identifier_like(id), "{}", String::from_utf8_lossy(id));
        }
        for key in [
            &b"q7Lm2Nv8Rc1sW4eY6uI0oP5aS2dF9gTx"[..],
            b"Ab3dE9gH",
            b"qLmNvRcsWeYuIoPaSdFgTxKhJbZcVbNm",
            b"XKCDFGHJKLMNPQRSTVWXZBCDFGHJKLMN",
            b"aBcDeFgHiJkLmNoPqRsTuVwXyZaBcDeF",
        ] {
            assert!(!identifier_like(key), "{}", String::from_utf8_lossy(key));
        }
    }

    #[test]
    fn random_keys_never_read_as_identifiers() {
        const B62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            B62[(x % 62) as usize]
        };
        for _ in 0..200_000 {
            let key: Vec<u8> = (0..41)
                .map(|i| if i == 8 { b'.' } else { next() })
                .collect();
            assert!(
                !key.split(|&b| b == b'.').all(identifier_like),
                "{}",
                String::from_utf8_lossy(&key)
            );
        }
    }

    #[test]
    fn standalone_rejects_dotted_chains_and_glue() {
        let d = b"x.abc.def y";
        assert!(!is_standalone(d, 2, 5));
        assert!(is_standalone(b" abc ", 1, 4));
        assert!(!is_standalone(b"_abc ", 1, 4));
        assert!(is_standalone(b"abc.", 0, 3));
    }
}
