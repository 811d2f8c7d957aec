//! Archives inside a blob: members of `.zip` (wheels, jars, notebooks' checkpoints), `.tar`,
//! `.tar.gz` and `.gz`, each admitted like a blob of its own, within depth, size, entry and
//! total-expansion limits. A damaged archive is salvaged as far as it decompresses; whatever
//! a limit or damage leaves unread is reported as an incomplete scan, never passed silently.
use super::{admit_at, Chain, Issue, IssueKind, Limits, Segment, Text};
use std::io::Read;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zip,
    Tar,
    Gzip,
}

fn kind(data: &[u8]) -> Option<Kind> {
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        Some(Kind::Zip)
    } else if data.starts_with(&[0x1f, 0x8b]) {
        Some(Kind::Gzip)
    } else if data.len() > 262 && &data[257..262] == b"ustar" {
        Some(Kind::Tar)
    } else {
        None
    }
}

pub fn is_archive(data: &[u8]) -> bool {
    kind(data).is_some()
}

struct Ctx<'t, 'i> {
    limits: Limits,
    text: &'t mut dyn FnMut(Text),
    issues: &'i mut Vec<Issue>,
}

impl Ctx<'_, '_> {
    fn incomplete(&mut self, chain: &Chain, message: String) {
        self.issues.push(Issue {
            chain: chain.clone(),
            kind: IssueKind::Incomplete,
            message,
        });
    }

    /// Reads one member within the member limit and what is left of the budget; a read error
    /// keeps what was read before it. Returns `None` when nothing is worth scanning.
    fn read(&mut self, r: &mut dyn Read, chain: &Chain, budget: &mut u64) -> Option<Vec<u8>> {
        let cap = self.limits.max_file_size.min(*budget);
        let mut data = vec![];
        let result = r.take(cap + 1).read_to_end(&mut data);
        let over = data.len() as u64 > cap;
        *budget = budget.saturating_sub(data.len() as u64);
        if over {
            let why = if cap < self.limits.max_file_size {
                format!(
                    "the archive expands past {} bytes (zip bomb?); the rest is not scanned",
                    self.limits.archive_total
                )
            } else {
                format!(
                    "larger than --max-file-size {}, not scanned",
                    self.limits.max_file_size
                )
            };
            self.incomplete(chain, why);
            return None;
        }
        if let Err(e) = result {
            self.incomplete(
                chain,
                format!(
                    "damaged ({e}); scanned the {} bytes before the damage",
                    data.len()
                ),
            );
        }
        (!data.is_empty()).then_some(data)
    }

    fn member(&mut self, data: &[u8], chain: Chain, budget: &mut u64) {
        admit_at(data, chain, &self.limits, budget, self.text, self.issues);
    }
}

/// Admits every member of the archive `data` found at `chain`.
pub(super) fn expand(
    data: &[u8],
    chain: Chain,
    limits: &Limits,
    budget: &mut u64,
    text: &mut dyn FnMut(Text),
    issues: &mut Vec<Issue>,
) {
    let mut ctx = Ctx {
        limits: *limits,
        text,
        issues,
    };
    match kind(data) {
        Some(Kind::Zip) => zip_members(data, &chain, budget, &mut ctx),
        Some(Kind::Tar) => tar_members(data, &chain, budget, &mut ctx),
        Some(Kind::Gzip) => gzip_member(data, chain, budget, &mut ctx),
        None => {}
    }
}

fn with(chain: &Chain, seg: Segment) -> Chain {
    let mut c = chain.clone();
    c.push(seg);
    c
}

fn zip_members(data: &[u8], chain: &Chain, budget: &mut u64, ctx: &mut Ctx) {
    let mut zip = match zip::ZipArchive::new(std::io::Cursor::new(data)) {
        Ok(z) => z,
        Err(e) => return zip_salvage(data, chain, budget, ctx, &e.to_string()),
    };
    let entries = zip.len();
    if entries > ctx.limits.archive_entries {
        ctx.incomplete(
            chain,
            format!(
                "{entries} entries; only the first {} are scanned",
                ctx.limits.archive_entries
            ),
        );
    }
    for i in 0..entries.min(ctx.limits.archive_entries) {
        if *budget == 0 {
            ctx.incomplete(
                chain,
                format!(
                    "the archive expands past {} bytes (zip bomb?); the rest is not scanned",
                    ctx.limits.archive_total
                ),
            );
            return;
        }
        let mut f = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                ctx.incomplete(chain, format!("member {}: {e}", i + 1));
                continue;
            }
        };
        if f.is_dir() {
            continue;
        }
        let name = f
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("member-{}", i + 1));
        let member = with(chain, Segment::Member(name));
        if let Some(bytes) = ctx.read(&mut f, &member, budget) {
            drop(f);
            ctx.member(&bytes, member, budget);
        }
    }
}

/// A zip without a readable central directory (truncated, damaged): its members are read in
/// order from their local headers until the damage.
fn zip_salvage(data: &[u8], chain: &Chain, budget: &mut u64, ctx: &mut Ctx, why: &str) {
    let mut reader = std::io::Cursor::new(data);
    let mut n = 0;
    loop {
        if n >= ctx.limits.archive_entries || *budget == 0 {
            ctx.incomplete(
                chain,
                "archive limits reached while salvaging; the rest is not scanned".into(),
            );
            return;
        }
        match zip::read::read_zipfile_from_stream(&mut reader) {
            Ok(Some(mut f)) => {
                n += 1;
                if f.is_dir() {
                    continue;
                }
                let name = f
                    .name()
                    .map(|n| n.into_owned())
                    .unwrap_or_else(|_| format!("member-{n}"));
                let member = with(chain, Segment::Member(name));
                let bytes = ctx.read(&mut f, &member, budget);
                drop(f);
                if let Some(bytes) = bytes {
                    ctx.member(&bytes, member, budget);
                }
            }
            Ok(None) => break,
            Err(_) => break,
        }
    }
    ctx.incomplete(
        chain,
        format!("damaged zip ({why}); scanned the {n} members readable before the damage"),
    );
}

fn tar_members(data: &[u8], chain: &Chain, budget: &mut u64, ctx: &mut Ctx) {
    let mut tar = tar::Archive::new(data);
    let entries = match tar.entries() {
        Ok(e) => e,
        Err(e) => return ctx.incomplete(chain, format!("unreadable tar: {e}")),
    };
    for (n, entry) in entries.enumerate() {
        if n >= ctx.limits.archive_entries {
            ctx.incomplete(
                chain,
                format!(
                    "more than {} entries; the rest is not scanned",
                    ctx.limits.archive_entries
                ),
            );
            return;
        }
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                return ctx.incomplete(chain, format!("damaged tar ({e}); the rest is not scanned"))
            }
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| format!("member-{}", n + 1));
        let member = with(chain, Segment::Member(name));
        if let Some(bytes) = ctx.read(&mut entry, &member, budget) {
            ctx.member(&bytes, member, budget);
        }
    }
}

fn gzip_member(data: &[u8], chain: Chain, budget: &mut u64, ctx: &mut Ctx) {
    let mut gz = flate2::read::GzDecoder::new(data);
    let Some(bytes) = ctx.read(&mut gz, &chain, budget) else {
        return;
    };
    if kind(&bytes) == Some(Kind::Tar) {
        // A .tar.gz: its members, named directly under the outer file.
        return tar_members(&bytes, &chain, budget, ctx);
    }
    ctx.member(&bytes, with(&chain, Segment::Gunzipped), budget);
}
