//! Hashes of secrets, for baselines and fingerprints. Plain SHA-256 is safe for a random
//! 41-character key but not for a short one (an 8-character truss secret falls to brute
//! force), so: with `TENSCAN_HASH_KEY` set, every hash is keyed (HMAC-SHA-256); without it, a
//! weak secret gets no hash at all (its fingerprint is derived from its public part and
//! length, and a baseline refuses to record it).
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// The environment variable holding the hash key.
pub const KEY_VAR: &str = "TENSCAN_HASH_KEY";

/// Secrets with fewer estimated bits than this are weak (≈ 16 random letters and digits).
pub const STRONG_BITS: f64 = 95.0;

static KEY: OnceLock<Option<Vec<u8>>> = OnceLock::new();

/// The hash key, from the environment, read once.
pub fn key() -> Option<&'static [u8]> {
    KEY.get_or_init(|| {
        std::env::var_os(KEY_VAR)
            .filter(|v| !v.is_empty())
            .map(|v| v.as_encoded_bytes().to_vec())
    })
    .as_deref()
}

/// How a hash in a baseline was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sha256,
    Hmac,
}

/// An upper estimate of a secret's strength: its length times the bits of an alphabet made
/// of the character classes it uses.
pub fn strength_bits(secret: &[u8]) -> f64 {
    let mut alphabet = 0u32;
    let has = |f: fn(&u8) -> bool| secret.iter().any(f);
    if has(u8::is_ascii_lowercase) {
        alphabet += 26;
    }
    if has(u8::is_ascii_uppercase) {
        alphabet += 26;
    }
    if has(u8::is_ascii_digit) {
        alphabet += 10;
    }
    if has(|b| !b.is_ascii_alphanumeric()) {
        alphabet += 32;
    }
    secret.len() as f64 * f64::from(alphabet.max(1)).log2()
}

pub fn is_weak(secret: &[u8]) -> bool {
    strength_bits(secret) < STRONG_BITS
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of the secret under a tenscan-specific prefix.
pub fn sha256(secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"tenscan-secret-v1\0");
    h.update(secret);
    hex(&h.finalize())
}

/// HMAC-SHA-256 of the secret with `key`.
pub fn hmac(key: &[u8], secret: &[u8]) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(b"tenscan-secret-v1\0");
    m.update(secret);
    hex(&m.finalize().into_bytes())
}

/// The hash a finding carries: keyed when a key is set; plain for a strong secret; for a
/// weak secret without a key, a stand-in that does not depend on the hidden part.
pub fn secret_hash(secret: &[u8], public: usize) -> String {
    if let Some(k) = key() {
        return hmac(k, secret);
    }
    if !is_weak(secret) {
        return sha256(secret);
    }
    let shown = &secret[..public.min(secret.len() / 4)];
    let mut h = Sha256::new();
    h.update(b"tenscan-weak-v1\0");
    h.update(shown);
    h.update(secret.len().to_le_bytes());
    format!("weak:{}", hex(&h.finalize()))
}

/// Whether `hash` is a weak stand-in (never written to a baseline).
pub fn is_stand_in(hash: &str) -> bool {
    hash.starts_with("weak:")
}

/// A stable identifier for "this secret, found by this rule, at this path". It does not
/// depend on the line, so it survives edits that move the secret, and the secret enters it
/// only through `secret_hash`.
pub fn fingerprint(rule_id: &str, path: &str, secret_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"tenscan-fingerprint-v1\0");
    h.update(rule_id.as_bytes());
    h.update(b"\0");
    h.update(path.as_bytes());
    h.update(b"\0");
    h.update(secret_hash.as_bytes());
    hex(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_depends_on_rule_path_and_secret_only() {
        let (s1, s2) = (sha256(b"s1"), sha256(b"s2"));
        let a = fingerprint("r", "p", &s1);
        assert_eq!(a, fingerprint("r", "p", &s1));
        assert_ne!(a, fingerprint("r", "p", &s2));
        assert_ne!(a, fingerprint("r", "q", &s1));
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn short_secrets_are_weak_and_keys_are_not() {
        assert!(is_weak(b"hunter22"));
        assert!(is_weak(b"abcdefghijklmnop"));
        assert!(!is_weak(b"Ab3dE9gH.q7Lm2Nv8Rc1sW4eY6uI0oP5aS2dF9gTx")); // tenscan:allow (made-up)
        assert_ne!(hmac(b"k", b"x"), hmac(b"j", b"x"));
    }
}
