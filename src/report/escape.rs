//! Untrusted text made safe for a terminal or a CI log. File names, snippets and git's
//! messages come from the repository under scan: every control character (C0, DEL, C1) and
//! every bidirectional-override character is shown as an escape, so nothing can move the
//! cursor, set a title, open a link, reorder what is shown, or start a new line (where a CI
//! runner would read a workflow command).
use std::borrow::Cow;

fn dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

fn escape(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| dangerous(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !dangerous(c) || keep(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push_str(&format!("\\u{{{:04X}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// One line: every control character escaped, newlines and tabs included.
pub fn line(s: &str) -> Cow<'_, str> {
    escape(s, |_| false)
}

/// A path given by the user or found in a scan, as one escaped line.
pub fn path(p: &std::path::Path) -> String {
    line(&p.to_string_lossy()).into_owned()
}

/// Source text shown as it is laid out: tabs kept, everything else escaped.
pub fn source(s: &str) -> Cow<'_, str> {
    escape(s, |c| c == '\t')
}

/// `s` quoted for a POSIX shell: nothing in it is expanded.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_overrides_are_escaped() {
        assert_eq!(line("a\n::error title=x::y"), "a\\n::error title=x::y");
        assert_eq!(line("\x1b]0;title\x07"), "\\x1B]0;title\\x07");
        assert_eq!(line("x\u{202E}y\u{9b}"), "x\\u{202E}y\\x9B");
        assert_eq!(source("a\tb\rc"), "a\tb\\rc");
        assert!(matches!(line("plain ü"), Cow::Borrowed(_)));
    }
}
