//! The whole history as a source. The walk (`git::walk`, one thread) finds every blob
//! reachable from any ref and every path it lives at, while the packs are swept on every core
//! (`git::packs`), each blob read and scanned once in pack order; what the sweep did not give
//! is read by id. Then each reachable blob is counted, its candidates are judged at each of its
//! paths and attributed to the first commit that has the blob there, one finding per secret
//! and path unless every occurrence was asked for. Unreachable blobs in a pack are not history:
//! they are scanned by the sweep but never counted or reported.
use super::blobs;
use super::progress::Progress;
use super::AllowBase;
use crate::finding::Finding;
use crate::git::objects::Objects;
use crate::git::packs::Packs;
use crate::git::walk::{self, Visitor};
use crate::git::Repo;
use crate::run::{Run, Scanned};
use gix::hashtable::HashMap;
use gix::ObjectId;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Mutex;

/// How a git scan reads and reports.
#[derive(Debug, Clone)]
pub struct Options {
    pub threads: usize,
    /// Report every commit and path that carries a secret, not only where it entered.
    pub all_occurrences: bool,
    pub progress: bool,
}

struct Walker<'a, 'r> {
    run: &'a Run<'r>,
    bar: &'a Progress,
}

impl Visitor for Walker<'_, '_> {
    fn incomplete(&self, message: String) {
        self.bar.suspend(|| self.run.incomplete(&message));
    }
    fn progress(&self, done: u64, total: u64) {
        self.bar.set(done, total);
    }
}

/// Scans every blob reachable from every ref of `repo`.
pub fn scan_all(repo: &Repo, opts: &Options, run: &Run, allow: &AllowBase) {
    // Opened before the releaser starts, so it never releases a mapping that is gone.
    let packs = Packs::open(repo);
    // Pack pages are released as the sweep goes, so the resident set stays near the
    // working memory rather than the size of the packs.
    let releaser = crate::git::residency::Releaser::start();
    let bar = Progress::new(opts.progress, "commits");
    // The walk (one thread) finds which blobs history reaches and where, while the packs are
    // swept on every core; a blob is named and counted only once the walk reaches it.
    let swept: Mutex<HashMap<ObjectId, blobs::Read>> = Mutex::new(HashMap::default());
    let history = std::thread::scope(|s| {
        let walker = s.spawn(|| {
            let mut objects = Objects::new(repo);
            walk::walk(repo, &mut objects, &mut Walker { run, bar: &bar })
        });
        // Blobs up to the sniff cap are inflated whole, as reads by id inflate them to tell a
        // binary from text; a larger one stops the pack's sweep and is read by id.
        let limit = run.limits.max_file_size.max(blobs::SNIFF_CAP);
        packs.sweep(opts.threads, limit, &|id, data| {
            let read = blobs::examine(run, data);
            bar.blob();
            swept.lock().unwrap().insert(*id, read);
        });
        walker.join().expect("history walk")
    });
    let mut swept = swept.into_inner().unwrap();
    let mut scanned: HashMap<ObjectId, Scanned> = HashMap::default();
    // What the sweep did not give (loose objects, alternates, a pack it gave up on) is read by
    // id, where every error is reported.
    let mut rest = vec![];
    for (id, occ) in &history.occurrences {
        let path = &occ[0].path;
        match swept.remove(id) {
            Some(read) => {
                let s = blobs::account(run, read, id, path);
                if !s.is_empty() {
                    scanned.insert(*id, s);
                }
            }
            None => rest.push((*id, path.clone())),
        }
    }
    drop(swept);
    let on_read = || bar.blob();
    let ((), more) = blobs::read_while(repo, opts.threads, run, &on_read, |send| {
        for job in rest {
            let _ = send.send(job);
        }
    });
    scanned.extend(more);
    drop(releaser);
    bar.finish();
    run.counters
        .commits
        .fetch_add(history.commits.len() as u64, Relaxed);
    run.counters
        .skipped_other
        .fetch_add(history.skipped_other, Relaxed);
    let root = repo.root();
    let mut found: Vec<(Option<u32>, Finding)> = vec![];
    for (id, s) in &scanned {
        for occ in history.occurrences.get(id).into_iter().flatten() {
            for mut f in run.judge(s, &occ.path, &allow.of(&root.join(&occ.path))) {
                f.blob = Some(id.to_string());
                found.push((occ.commit, f));
            }
        }
    }
    let found = if opts.all_occurrences {
        found
    } else {
        earliest(found)
    };
    run.add(
        found
            .into_iter()
            .map(|(commit, mut f)| {
                f.commit = commit.map(|c| history.commits[c as usize].clone());
                f
            })
            .collect(),
    );
}

/// For each fingerprint (rule, path, secret), the findings of the earliest commit that has
/// it: a secret is reported where it entered history, on every line it entered on.
pub fn earliest(found: Vec<(Option<u32>, Finding)>) -> Vec<(Option<u32>, Finding)> {
    let order = |c: Option<u32>| c.unwrap_or(u32::MAX);
    let mut first: std::collections::HashMap<&str, u32> = Default::default();
    for (commit, f) in &found {
        let e = first.entry(f.fingerprint.as_str()).or_insert(u32::MAX);
        *e = (*e).min(order(*commit));
    }
    let keep: Vec<bool> = found
        .iter()
        .map(|(c, f)| first[f.fingerprint.as_str()] == order(*c))
        .collect();
    found
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(f, _)| f)
        .collect()
}
