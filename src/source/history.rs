//! The whole history as a source. The walk (`git::walk`) finds every blob reachable from any
//! ref and every path it lives at, while reader threads scan each blob once; then each
//! blob's candidates are judged at each of its paths and attributed to the first commit that
//! has the blob there, one finding per secret and path unless every occurrence was asked for.
use super::blobs;
use super::progress::Progress;
use super::AllowBase;
use crate::finding::Finding;
use crate::git::objects::Objects;
use crate::git::walk::{self, Visitor};
use crate::git::Repo;
use crate::run::Run;
use crossbeam_channel::Sender;
use gix::ObjectId;
use std::collections::HashMap;
use std::sync::atomic::Ordering::Relaxed;

/// How a git scan reads and reports.
#[derive(Debug, Clone)]
pub struct Options {
    pub threads: usize,
    /// Report every commit and path that carries a secret, not only where it entered.
    pub all_occurrences: bool,
    pub progress: bool,
}

struct Walker<'a, 'r> {
    send: &'a Sender<blobs::Job>,
    run: &'a Run<'r>,
    bar: &'a Progress,
}

impl Visitor for Walker<'_, '_> {
    fn new_blob(&mut self, id: ObjectId, path: &str) {
        // The readers stop only on a fatal error; the walk then just ends.
        let _ = self.send.send((id, path.to_string()));
    }
    fn incomplete(&self, message: String) {
        self.bar.suspend(|| self.run.incomplete(&message));
    }
    fn progress(&self, done: u64, total: u64) {
        self.bar.set(done, total);
    }
}

/// Scans every blob reachable from every ref of `repo`.
pub fn scan_all(repo: &Repo, opts: &Options, run: &Run, allow: &AllowBase) {
    // Pack pages are released as the readers go, so the resident set stays near the
    // working memory rather than the size of the packs.
    let _releaser = crate::git::residency::Releaser::start();
    let bar = Progress::new(opts.progress, "commits");
    let on_read = || bar.blob();
    let (history, scanned) = blobs::read_while(repo, opts.threads, run, &on_read, |send| {
        let mut objects = Objects::new(repo);
        walk::walk(
            repo,
            &mut objects,
            &mut Walker {
                send,
                run,
                bar: &bar,
            },
        )
    });
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
    let mut first: HashMap<&str, u32> = HashMap::new();
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
