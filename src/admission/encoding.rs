//! Text in encodings other than UTF-8 or ASCII-compatible ones: UTF-16 (PowerShell scripts,
//! Windows exports), with a byte-order mark or recognisably without one, transcoded to UTF-8
//! with encoding_rs so it is scanned rather than skipped as binary. Lines stay the same
//! lines, so positions still point where an editor shows them.
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};

/// The UTF-8 text of a UTF-16 blob; `None` for anything else (left as it is).
pub fn to_utf8(data: &[u8]) -> Option<Vec<u8>> {
    let (encoding, bom) = match Encoding::for_bom(data) {
        Some((e, n)) if e == UTF_16LE || e == UTF_16BE => (e, n),
        Some(_) => return None,
        None => (bomless_utf16(data)?, 0),
    };
    let (text, _) = encoding.decode_without_bom_handling(&data[bom..]);
    Some(text.into_owned().into_bytes())
}

/// UTF-16 without a byte-order mark, recognised by its zero bytes: in ASCII-range text every
/// other byte is zero. Requires 16 leading code units nearly all of that shape.
fn bomless_utf16(data: &[u8]) -> Option<&'static Encoding> {
    let units = data.len().min(512) / 2;
    if units < 16 || !data.len().is_multiple_of(2) {
        return None;
    }
    let head = &data[..units * 2];
    let zeros_at = |parity: usize| {
        head.chunks_exact(2)
            .filter(|c| c[parity] == 0 && c[1 - parity] != 0)
            .count()
    };
    let (le, be) = (zeros_at(1), zeros_at(0));
    if le * 10 >= units * 9 {
        Some(UTF_16LE)
    } else if be * 10 >= units * 9 {
        Some(UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_with_and_without_bom() {
        let text = "$env:BASETEN_API_KEY = 'x'\r\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(
            to_utf8(&[&[0xFF, 0xFE][..], &le].concat()).unwrap(),
            text.as_bytes()
        );
        assert_eq!(
            to_utf8(&[&[0xFE, 0xFF][..], &be].concat()).unwrap(),
            text.as_bytes()
        );
        assert_eq!(to_utf8(&le).unwrap(), text.as_bytes());
        assert_eq!(to_utf8(&be).unwrap(), text.as_bytes());
        assert!(to_utf8(b"plain text that is long enough to look at").is_none());
        assert!(to_utf8(&[0u8; 64]).is_none());
    }
}
