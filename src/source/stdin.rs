//! Standard input as a single blob named `<stdin>`, read up to the size limit like a file.
use crate::run::Run;
use crate::source::AllowBase;
use std::io::{IsTerminal, Read};

pub const NAME: &str = "<stdin>";

pub fn scan(run: &Run, _allow: &AllowBase) -> std::io::Result<()> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        run.note("reading the text to scan from standard input (end it with Ctrl-D)");
    }
    let max = run.limits.max_file_size;
    let mut data = vec![];
    stdin.lock().take(max + 1).read_to_end(&mut data)?;
    if data.len() as u64 > max {
        // As for a file: a binary stream is skipped, text or an archive left unread is not.
        let head = &data[..data.len().min(8000)];
        if crate::admission::is_binary(head) && !crate::admission::archive::is_archive(head) {
            run.counters
                .skipped_binary
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        } else {
            run.too_large(NAME, None);
        }
        return Ok(());
    }
    let scanned = run.scan(&data, NAME);
    run.add(run.judge(&scanned, NAME, NAME));
    Ok(())
}
