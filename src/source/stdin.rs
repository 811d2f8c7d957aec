//! Standard input as a single blob named `<stdin>`.
use crate::blob::Blob;
use crate::scan::Collector;
use std::io::Read;

pub const NAME: &str = "<stdin>";

pub fn scan(sink: &Collector) -> std::io::Result<()> {
    let mut data = vec![];
    std::io::stdin().lock().read_to_end(&mut data)?;
    if super::is_binary(&data) {
        sink.counters.skipped_binary.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Ok(());
    }
    sink.blob(Blob { path: NAME, data: &data });
    Ok(())
}
