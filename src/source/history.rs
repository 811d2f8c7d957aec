//! The git sources: every unique blob reachable from all refs (whole-history audits), the
//! lines added by a range of commits, and the lines a staged change adds. Each blob is read
//! and scanned once, in parallel; findings are attributed to the commit that introduced them.
use super::git::{self, AddedFile, CommitInfo, GitError};
use crate::blob::Blob;
use crate::scan::{Collector, Reported};
use git2::{ObjectType, Oid, Repository, Sort, Tree};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::collections::{hash_map::Entry, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;

/// How a git scan reads and reports.
#[derive(Debug, Clone)]
pub struct GitScanOptions {
    pub threads: usize,
    pub max_file_size: u64,
    /// Report every commit/path that carries a secret, not just where it entered.
    pub all_occurrences: bool,
    pub progress: bool,
}

/// Where one blob appears: a path, the commit it appeared in (index into the commit list,
/// `None` for the index), and the lines that count (`None`: all of them).
#[derive(Debug, Clone)]
struct Occurrence {
    path: String,
    commit: Option<u32>,
    lines: Option<AddedFile>,
}

/// A blob to read once, with every place it is reported at.
#[derive(Debug)]
struct BlobJob {
    oid: Oid,
    occurrences: Vec<Occurrence>,
}

/// Jobs keyed by blob id, in first-seen order.
#[derive(Default)]
struct Jobs {
    index: HashMap<Oid, usize>,
    jobs: Vec<BlobJob>,
}

impl Jobs {
    fn add(&mut self, oid: Oid, occ: Occurrence) {
        match self.index.entry(oid) {
            Entry::Occupied(e) => {
                let job = &mut self.jobs[*e.get()];
                // Keep one occurrence per path and added-lines set: the earliest.
                if occ.lines.is_some() || !job.occurrences.iter().any(|o| o.path == occ.path) {
                    job.occurrences.push(occ);
                }
            }
            Entry::Vacant(e) => {
                e.insert(self.jobs.len());
                self.jobs.push(BlobJob { oid, occurrences: vec![occ] });
            }
        }
    }
}

/// Every blob reachable from every ref, attributed to the first commit that has it at a path.
pub fn scan_all(repo: &Repository, opts: &GitScanOptions, sink: &Collector) -> Result<(), GitError> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    let mut tips = 0;
    for r in repo.references()? {
        let Ok(r) = r else { continue };
        match r.peel(ObjectType::Commit) {
            Ok(c) => {
                walk.push(c.id())?;
                tips += 1;
            }
            Err(_) => sink.note(&format!("{}: does not point at a commit, skipped", r.name().unwrap_or("?"))),
        }
    }
    if let Ok(head) = repo.head() {
        if let Ok(c) = head.peel_to_commit() {
            walk.push(c.id())?;
            tips += 1;
        }
    }
    if tips == 0 {
        return Ok(()); // empty repository or unborn HEAD: nothing committed yet
    }
    let bar = progress(opts.progress, "commits");
    let mut commits = vec![];
    let mut jobs = Jobs::default();
    let mut seen_trees = HashSet::new();
    for oid in walk {
        let commit = match oid.and_then(|oid| repo.find_commit(oid)) {
            Ok(c) => c,
            Err(e) => {
                incomplete(sink, &format!("cannot read a commit: {}", e.message()));
                continue;
            }
        };
        let index = commits.len() as u32;
        commits.push(CommitInfo::of(&commit));
        bar.inc(1);
        match commit.tree() {
            Ok(tree) => walk_tree(repo, &tree, "", index, &mut seen_trees, &mut jobs, sink),
            Err(e) => incomplete(sink, &format!("commit {}: cannot read its tree: {}", commit.id(), e.message())),
        }
    }
    bar.finish_and_clear();
    sink.counters.commits.fetch_add(commits.len() as u64, Relaxed);
    run(repo.path(), jobs.jobs, &commits, opts, sink);
    Ok(())
}

/// Records the blobs of `tree` (at `prefix`) not in a tree seen in an earlier commit.
fn walk_tree(repo: &Repository, tree: &Tree, prefix: &str, commit: u32, seen: &mut HashSet<Oid>, jobs: &mut Jobs, sink: &Collector) {
    if !seen.insert(tree.id()) {
        return;
    }
    for entry in tree.iter() {
        let name = String::from_utf8_lossy(entry.name_bytes());
        let path = if prefix.is_empty() { name.into_owned() } else { format!("{prefix}/{name}") };
        match entry.kind() {
            Some(ObjectType::Tree) => {
                if seen.contains(&entry.id()) {
                    continue;
                }
                match repo.find_tree(entry.id()) {
                    Ok(sub) => walk_tree(repo, &sub, &path, commit, seen, jobs, sink),
                    Err(e) => incomplete(sink, &format!("tree {} ({path}): {}", entry.id(), e.message())),
                }
            }
            Some(ObjectType::Blob) => jobs.add(entry.id(), Occurrence { path, commit: Some(commit), lines: None }),
            Some(ObjectType::Commit) => {
                sink.counters.skipped_other.fetch_add(1, Relaxed);
            }
            _ => {}
        }
    }
}

/// The lines added by each commit in `commits` (oldest first), each against its first parent.
pub fn scan_commits(repo: &Repository, commit_ids: &[Oid], opts: &GitScanOptions, sink: &Collector) -> Result<(), GitError> {
    let mut commits = vec![];
    let mut jobs = Jobs::default();
    let bar = progress(opts.progress, "commits");
    for &oid in commit_ids {
        let commit = match repo.find_commit(oid) {
            Ok(c) => c,
            Err(e) => {
                incomplete(sink, &format!("commit {oid}: {}", e.message()));
                continue;
            }
        };
        let index = commits.len() as u32;
        commits.push(CommitInfo::of(&commit));
        bar.inc(1);
        let parent_tree = commit.parents().next().and_then(|p| p.tree().ok());
        let tree = commit.tree()?;
        let mut diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut git::diff_options()))?;
        for file in git::added_lines(&mut diff)? {
            jobs.add(file.oid, Occurrence { path: file.path.clone(), commit: Some(index), lines: Some(file) });
        }
    }
    bar.finish_and_clear();
    sink.counters.commits.fetch_add(commits.len() as u64, Relaxed);
    run(repo.path(), jobs.jobs, &commits, opts, sink);
    Ok(())
}

/// The lines a staged change adds: HEAD's tree (or nothing, before the first commit) against
/// the index git is about to commit (`GIT_INDEX_FILE` when git sets it, as `commit -a` does).
pub fn scan_staged(repo: &Repository, opts: &GitScanOptions, sink: &Collector) -> Result<(), GitError> {
    let head_tree = match repo.head() {
        Ok(h) => Some(h.peel_to_tree()?),
        Err(_) => None, // unborn branch: everything staged is new
    };
    let index = match std::env::var_os("GIT_INDEX_FILE") {
        Some(p) => git2::Index::open(Path::new(&p))?,
        None => repo.index()?,
    };
    if index.has_conflicts() {
        sink.note("the index has unresolved conflicts; conflicted files are scanned once resolved");
    }
    let mut diff = repo.diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut git::diff_options()))?;
    let mut jobs = Jobs::default();
    for file in git::added_lines(&mut diff)? {
        jobs.add(file.oid, Occurrence { path: file.path.clone(), commit: None, lines: Some(file) });
    }
    run(repo.path(), jobs.jobs, &[], opts, sink);
    Ok(())
}

/// Reads every job's blob once, in parallel, scans it, and reports each occurrence's findings,
/// keeping the earliest per fingerprint unless every occurrence was asked for.
fn run(git_dir: &Path, jobs: Vec<BlobJob>, commits: &[CommitInfo], opts: &GitScanOptions, sink: &Collector) {
    let bar = progress(opts.progress, "blobs");
    bar.set_length(jobs.len() as u64);
    let git_dir: PathBuf = git_dir.into();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(opts.threads).build().expect("thread pool");
    let found: Vec<(Option<u32>, Reported)> = pool.install(|| {
        jobs.par_iter()
            .map_init(
                || Repository::open(&git_dir),
                |repo, job| {
                    bar.inc(1);
                    match repo.as_ref().map_err(|e| e.message().to_string()).and_then(|r| r.odb().map_err(|e| e.message().to_string())) {
                        Ok(odb) => scan_job(&odb, job, opts, sink),
                        Err(e) => {
                            incomplete(sink, &format!("cannot open the object database: {e}"));
                            vec![]
                        }
                    }
                },
            )
            .flatten()
            .collect()
    });
    bar.finish_and_clear();
    let mut best: HashMap<String, (Option<u32>, Reported)> = HashMap::new();
    let mut all = vec![];
    for (commit, r) in found {
        if opts.all_occurrences {
            all.push((commit, r));
            continue;
        }
        match best.entry(r.finding.fingerprint.clone()) {
            Entry::Occupied(mut e) => {
                if commit < e.get().0 {
                    e.insert((commit, r));
                }
            }
            Entry::Vacant(e) => {
                e.insert((commit, r));
            }
        }
    }
    all.extend(best.into_values());
    let out = all
        .into_iter()
        .map(|(commit, mut r)| {
            if let Some(c) = commit.map(|i| &commits[i as usize]) {
                r.finding.commit = Some(c.id.clone());
                r.finding.author = Some(c.author.clone());
                r.finding.date = Some(c.date.clone());
            }
            r
        })
        .collect();
    sink.extend(out);
}

fn scan_job(odb: &git2::Odb, job: &BlobJob, opts: &GitScanOptions, sink: &Collector) -> Vec<(Option<u32>, Reported)> {
    let first = &job.occurrences[0];
    match odb.read_header(job.oid) {
        Ok((size, _)) if size as u64 > opts.max_file_size => {
            sink.counters.skipped_size.fetch_add(1, Relaxed);
            return vec![];
        }
        Ok(_) => {}
        Err(e) => {
            incomplete(sink, &format!("blob {} ({}): {}", job.oid, first.path, e.message()));
            return vec![];
        }
    }
    let obj = match odb.read(job.oid) {
        Ok(o) => o,
        Err(e) => {
            incomplete(sink, &format!("blob {} ({}): {}", job.oid, first.path, e.message()));
            return vec![];
        }
    };
    let data = obj.data();
    if sink.engine.options.decode && super::archive::is_archive(data) {
        // Archive members are attributed like the archive's first occurrence.
        super::archive::scan(&first.path, data, &super::archive::Limits::new(opts.max_file_size), sink);
        return vec![];
    }
    if super::is_binary(data) {
        sink.counters.skipped_binary.fetch_add(1, Relaxed);
        return vec![];
    }
    sink.count_blob(data.len());
    let found = sink.engine.scan_blob(Blob { path: &first.path, data }, &sink.counters);
    let mut out = vec![];
    for occ in &job.occurrences {
        for r in &found {
            let f = &r.finding;
            if occ.lines.as_ref().is_some_and(|a| !a.touches(f.line, f.end_line)) {
                continue;
            }
            let r = if occ.path == first.path { r.clone() } else { r.at_path(&occ.path) };
            out.push((occ.commit, r));
        }
    }
    out
}

fn incomplete(sink: &Collector, message: &str) {
    sink.warn(message);
    sink.counters.skipped_error.fetch_add(1, Relaxed);
    sink.counters.incomplete.store(true, Relaxed);
}

fn progress(enabled: bool, what: &'static str) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template("{spinner} {pos} {msg} {elapsed}").unwrap());
    bar.set_message(what);
    bar
}
