//! Sources: where blobs come from (worktree files, stdin; git sources plug in here too).
pub mod archive;
pub mod git;
pub mod history;
pub mod index;
pub mod stdin;
pub mod worktree;

/// Files of this size or more are skipped unless `--max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 25 * 1024 * 1024;

/// A NUL byte marks a blob as binary (the heuristic git and ripgrep use).
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, data).is_some()
}

/// UTF-16 text (with a byte-order mark) as UTF-8, so it is scanned rather than skipped as
/// binary; lines and columns in characters stay the same. Other data is left as it is.
pub fn utf16_to_utf8(data: &[u8]) -> Option<Vec<u8>> {
    let le = match data {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return None,
    };
    let units = data[2..].chunks_exact(2).map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
    Some(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect::<String>().into_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn utf16_with_bom_is_transcoded() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("héllo\nkey".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(super::utf16_to_utf8(&le).unwrap(), "héllo\nkey".as_bytes());
        let mut be = vec![0xFE, 0xFF];
        be.extend("ok".encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(super::utf16_to_utf8(&be).unwrap(), b"ok");
        assert!(super::utf16_to_utf8(b"plain").is_none());
    }
}
