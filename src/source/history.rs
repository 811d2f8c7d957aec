//! The git sources: every unique blob reachable from all refs (whole-history audits), the
//! lines added by a range of commits, and the lines a staged change adds. Each blob is read
//! and scanned once, in parallel; findings are attributed to the commit that introduced them.
use super::git::{self, AddedFile, CommitInfo, GitError};
use crate::blob::Blob;
use crate::scan::{Collector, Reported};
use git2::{ObjectType, Oid, Repository, Sort};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use crossbeam_channel::Sender;
use std::collections::{hash_map::Entry, HashMap, HashSet};
use std::path::Path;
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

/// Object ids are already uniformly random: hashing their first 8 bytes is enough, and much
/// cheaper than SipHash on the tens of millions of lookups a big history takes.
#[derive(Default, Clone, Copy)]
struct OidHasher(u64);

impl std::hash::Hasher for OidHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut word = [0u8; 8];
        let n = bytes.len().min(8);
        word[..n].copy_from_slice(&bytes[..n]);
        self.0 = self.0.rotate_left(29) ^ u64::from_le_bytes(word);
    }
}

type OidBuild = std::hash::BuildHasherDefault<OidHasher>;
type OidMap<V> = HashMap<Oid, V, OidBuild>;
type OidSet = HashSet<Oid, OidBuild>;

/// Jobs keyed by blob id, in first-seen order (ranges and staged changes: all known before
/// any is read).
#[derive(Default)]
struct Jobs {
    index: OidMap<usize>,
    jobs: Vec<BlobJob>,
}

/// Blobs met while walking every tree of a history: a new blob is sent to the readers at
/// once; a known blob at a new path is kept aside and gets the blob's findings at the end.
struct TreeJobs<'a> {
    paths: OidMap<Vec<String>>,
    send: &'a Sender<BlobJob>,
    extra: Vec<(Oid, Occurrence)>,
}

/// `prefix/name` without building it.
fn is_path(path: &str, prefix: &str, name: &str) -> bool {
    if prefix.is_empty() {
        return path == name;
    }
    path.len() == prefix.len() + 1 + name.len() && path.starts_with(prefix) && path.ends_with(name) && path.as_bytes()[prefix.len()] == b'/'
}

impl TreeJobs<'_> {
    /// A blob met in a tree walk: recorded only if it is new, or new at this path. The path
    /// string is built only then; an unchanged file in a new tree costs one lookup.
    fn add(&mut self, oid: Oid, prefix: &str, name: &str, commit: u32) {
        let path = || if prefix.is_empty() { name.to_string() } else { format!("{prefix}/{name}") };
        match self.paths.get_mut(&oid) {
            Some(paths) => {
                if !paths.iter().any(|p| is_path(p, prefix, name)) {
                    let path = path();
                    paths.push(path.clone());
                    self.extra.push((oid, Occurrence { path, commit: Some(commit), lines: None }));
                }
            }
            None => {
                self.paths.insert(oid, vec![path()]);
                // The readers may have stopped (a fatal error); the walk then just ends.
                let _ = self.send.send(BlobJob { oid, occurrences: vec![Occurrence { path: path(), commit: Some(commit), lines: None }] });
            }
        }
    }
}

impl Jobs {
    /// Hands every collected job to the readers.
    fn send_all(self, send: &Sender<BlobJob>, commits: Vec<CommitInfo>) -> Produced {
        for job in self.jobs {
            if send.send(job).is_err() {
                break;
            }
        }
        Produced { commits, extra: vec![] }
    }

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
    timing("start");
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    let mut tips = 0;
    let mut push = |walk: &mut git2::Revwalk, id: Oid, name: &str| match walk.push(id) {
        Ok(()) => tips += 1,
        Err(e) => incomplete(sink, &format!("{name}: cannot walk from {id}: {}", e.message())),
    };
    for r in repo.references()? {
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                incomplete(sink, &format!("unreadable ref: {}", e.message()));
                continue;
            }
        };
        let name = r.name().unwrap_or("?").to_string();
        match r.peel(ObjectType::Commit) {
            Ok(c) => push(&mut walk, c.id(), &name),
            Err(e) if e.code() == git2::ErrorCode::NotFound || e.class() == git2::ErrorClass::Odb || e.class() == git2::ErrorClass::Zlib => {
                incomplete(sink, &format!("{name}: {}", e.message()))
            }
            Err(_) => sink.note(&format!("{name}: does not point at a commit, skipped")),
        }
    }
    if let Ok(head) = repo.head() {
        if let Ok(c) = head.peel_to_commit() {
            push(&mut walk, c.id(), "HEAD");
        }
    }
    if tips == 0 {
        return Ok(()); // empty repository or unborn HEAD: nothing committed yet
    }
    let order: Vec<_> = walk.collect();
    timing("sorted commits");
    let odb = repo.odb()?;
    run(repo.path(), opts, sink, |send| {
        let bar = progress(opts.progress, "commits");
        let mut jobs = TreeJobs { paths: OidMap::default(), send, extra: vec![] };
        let mut seen_trees = OidSet::default();
        // The visit never fails: an unreadable tree is a warning inside walk_tree.
        let commits = each_commit(repo, order, &bar, sink, |commit, index| {
            walk_tree(&odb, commit.tree_id(), "", index, &mut seen_trees, &mut jobs, sink);
            Ok(())
        })
        .unwrap_or_default();
        bar.finish_and_clear();
        timing("walked commits and trees");
        Produced { commits, extra: jobs.extra }
    });
    timing("read and scanned blobs");
    Ok(())
}

/// Visits commits in order, numbering the readable ones; an unreadable one is a warning and
/// makes the scan incomplete. Returns who made each visited commit and when.
fn each_commit(
    repo: &Repository,
    ids: impl IntoIterator<Item = Result<Oid, git2::Error>>,
    bar: &ProgressBar,
    sink: &Collector,
    mut visit: impl FnMut(&git2::Commit, u32) -> Result<(), GitError>,
) -> Result<Vec<CommitInfo>, GitError> {
    let mut commits = vec![];
    for id in ids {
        let commit = match id.and_then(|id| repo.find_commit(id)) {
            Ok(c) => c,
            Err(e) => {
                incomplete(sink, &format!("cannot read a commit: {}", e.message()));
                continue;
            }
        };
        let index = commits.len() as u32;
        commits.push(CommitInfo::of(&commit));
        bar.inc(1);
        visit(&commit, index)?;
    }
    Ok(commits)
}

/// With `TENSCAN_TIMING` set, prints how long each phase took (for profiling).
fn timing(what: &str) {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let start = START.get_or_init(std::time::Instant::now);
    if std::env::var_os("TENSCAN_TIMING").is_some() {
        eprintln!("timing: {what}: {:.2}s", start.elapsed().as_secs_f64());
    }
}

/// Records the blobs of tree `oid` (at `prefix`) not in a tree seen in an earlier commit.
/// Trees are parsed from their raw bytes: a big history has tens of millions of entries, and
/// per-entry library calls dominated the walk.
fn walk_tree(odb: &git2::Odb, oid: Oid, prefix: &str, commit: u32, seen: &mut OidSet, jobs: &mut TreeJobs, sink: &Collector) {
    if !seen.insert(oid) {
        return;
    }
    let obj = match odb.read(oid) {
        Ok(o) => o,
        Err(e) => return incomplete(sink, &format!("tree {oid} ({}): {}", if prefix.is_empty() { "/" } else { prefix }, e.message())),
    };
    let mut rest = obj.data();
    while !rest.is_empty() {
        let Some(entry) = parse_tree_entry(rest) else {
            return incomplete(sink, &format!("tree {oid} ({prefix}): malformed entry"));
        };
        rest = &rest[entry.len..];
        let name = String::from_utf8_lossy(entry.name);
        let Ok(id) = Oid::from_bytes(entry.id) else { continue };
        match entry.mode {
            b"40000" => {
                if !seen.contains(&id) {
                    let path = if prefix.is_empty() { name.into_owned() } else { format!("{prefix}/{name}") };
                    walk_tree(odb, id, &path, commit, seen, jobs, sink);
                }
            }
            b"160000" => {
                sink.counters.skipped_other.fetch_add(1, Relaxed); // submodule
            }
            _ => jobs.add(id, prefix, &name, commit),
        }
    }
}

/// One entry of a raw tree object: `<mode> <name>\0<20-byte id>`.
struct TreeEntry<'a> {
    mode: &'a [u8],
    name: &'a [u8],
    id: &'a [u8],
    len: usize,
}

fn parse_tree_entry(data: &[u8]) -> Option<TreeEntry<'_>> {
    let sp = memchr::memchr(b' ', data)?;
    let nul = sp + 1 + memchr::memchr(0, &data[sp + 1..])?;
    let id = data.get(nul + 1..nul + 21)?;
    Some(TreeEntry { mode: &data[..sp], name: &data[sp + 1..nul], id, len: nul + 21 })
}

/// The lines added by each commit in `commits` (oldest first), each against its first parent.
pub fn scan_commits(repo: &Repository, commit_ids: &[Oid], opts: &GitScanOptions, sink: &Collector) -> Result<(), GitError> {
    let mut jobs = Jobs::default();
    let bar = progress(opts.progress, "commits");
    let commits = each_commit(repo, commit_ids.iter().map(|&id| Ok(id)), &bar, sink, |commit, index| {
        let parent_tree = commit.parents().next().and_then(|p| p.tree().ok());
        let tree = commit.tree()?;
        let mut diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut git::diff_options()))?;
        for file in git::added_lines(&mut diff)? {
            jobs.add(file.oid, Occurrence { path: file.path.clone(), commit: Some(index), lines: Some(file) });
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    run(repo.path(), opts, sink, |send| jobs.send_all(send, commits));
    Ok(())
}

/// The lines a staged change adds: HEAD's tree (or nothing, before the first commit) against
/// the index git is about to commit (`GIT_INDEX_FILE` when git sets it, as `commit -a` does).
pub fn scan_staged(repo: &Repository, opts: &GitScanOptions, sink: &Collector) -> Result<(), GitError> {
    timing("staged start");
    let head_tree = match repo.head() {
        Ok(h) => Some(h.peel_to_tree()?.id()),
        Err(_) => None, // unborn branch: everything staged is new
    };
    let index_path = match std::env::var_os("GIT_INDEX_FILE") {
        Some(p) => std::path::PathBuf::from(p),
        None => repo.path().join("index"),
    };
    let added = match fast_staged(repo, head_tree, &index_path, sink) {
        Some(added) => added?,
        None => slow_staged(repo, head_tree, &index_path, sink)?,
    };
    timing("staged changes");
    let mut jobs = Jobs::default();
    for file in added {
        jobs.add(file.oid, Occurrence { path: file.path.clone(), commit: None, lines: Some(file) });
    }
    run(repo.path(), opts, sink, |send| jobs.send_all(send, vec![]));
    Ok(())
}

/// The staged change through libgit2's own index reader and tree-to-index diff.
fn slow_staged(repo: &Repository, head: Option<Oid>, index_path: &Path, sink: &Collector) -> Result<Vec<AddedFile>, GitError> {
    let head_tree = head.map(|id| repo.find_tree(id)).transpose()?;
    let index = if index_path.exists() { git2::Index::open(index_path)? } else { repo.index()? };
    if index.has_conflicts() {
        sink.note("the index has unresolved conflicts; conflicted files are scanned once resolved");
    }
    let mut diff = repo.diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut git::diff_options()))?;
    git::added_lines(&mut diff)
}

/// The staged change from tenscan's own index reader: directories the cache tree shows
/// unchanged are skipped, the rest of HEAD's tree and of the index are merged by path, and
/// each changed file is diffed blob to blob. `None`: an index this reader leaves to libgit2.
fn fast_staged(repo: &Repository, head: Option<Oid>, index_path: &Path, sink: &Collector) -> Option<Result<Vec<AddedFile>, GitError>> {
    let data = std::fs::read(index_path).ok()?;
    let index = super::index::parse(&data)?;
    let odb = match repo.odb() {
        Ok(o) => o,
        Err(e) => return Some(Err(e.into())),
    };
    let mut clean: HashSet<Vec<u8>> = HashSet::new();
    if let (Some(root), Some(cache)) = (head, &index.tree) {
        mark_clean(&odb, root, cache, &mut vec![], &mut clean);
    }
    if clean.contains(&b""[..]) {
        return Some(Ok(vec![])); // the staged tree is HEAD's
    }
    let mut tree = vec![];
    if let Some(root) = head {
        list_tree(&odb, root, &mut vec![], &clean, &mut tree, sink);
    }
    let mut last_clean: Vec<u8> = vec![];
    let mut staged: Vec<(Vec<u8>, Oid)> = vec![];
    for e in index.entries {
        if e.mode == 0o160000 {
            continue; // submodule
        }
        if !last_clean.is_empty() && e.path.starts_with(&last_clean) && e.path.get(last_clean.len()) == Some(&b'/') {
            continue;
        }
        if let Some(dir) = memchr::memchr_iter(b'/', &e.path).map(|i| &e.path[..i]).find(|d| clean.contains(*d)) {
            last_clean = dir.to_vec();
            continue;
        }
        staged.push((e.path, e.id));
    }
    tree.sort_by(|a, b| a.0.cmp(&b.0));
    staged.sort_by(|a, b| a.0.cmp(&b.0));
    Some(diff_staged(repo, merge_changes(&tree, &staged)))
}

/// Marks the directories whose cache-tree id equals HEAD's tree at the same path.
fn mark_clean(odb: &git2::Odb, tree: Oid, node: &super::index::CacheTree, prefix: &mut Vec<u8>, clean: &mut HashSet<Vec<u8>>) {
    if node.id == Some(tree) {
        clean.insert(prefix.clone());
        return;
    }
    let Ok(obj) = odb.read(tree) else { return };
    let mut rest = obj.data();
    while let Some(entry) = parse_tree_entry(rest) {
        rest = &rest[entry.len..];
        if entry.mode != b"40000" {
            continue;
        }
        let (Some(child), Ok(id)) = (node.children.iter().find(|c| c.name == entry.name), Oid::from_bytes(entry.id)) else { continue };
        let len = prefix.len();
        if len > 0 {
            prefix.push(b'/');
        }
        prefix.extend_from_slice(entry.name);
        mark_clean(odb, id, child, prefix, clean);
        prefix.truncate(len);
    }
}

/// (path, id in HEAD, id staged) for every path that differs.
type Change = (Vec<u8>, Option<Oid>, Option<Oid>);

fn merge_changes(tree: &[(Vec<u8>, Oid)], staged: &[(Vec<u8>, Oid)]) -> Vec<Change> {
    let (mut i, mut j, mut out) = (0, 0, vec![]);
    loop {
        match (tree.get(i), staged.get(j)) {
            (Some(t), Some(s)) if t.0 == s.0 => {
                if t.1 != s.1 {
                    out.push((s.0.clone(), Some(t.1), Some(s.1)));
                }
                i += 1;
                j += 1;
            }
            (Some(t), Some(s)) if t.0 < s.0 => {
                out.push((t.0.clone(), Some(t.1), None));
                i += 1;
            }
            (Some(t), None) => {
                out.push((t.0.clone(), Some(t.1), None));
                i += 1;
            }
            (_, Some(s)) => {
                out.push((s.0.clone(), None, Some(s.1)));
                j += 1;
            }
            (None, None) => break,
        }
    }
    out
}

/// Added lines of each changed file; a file moved without edits adds nothing.
fn diff_staged(repo: &Repository, changes: Vec<Change>) -> Result<Vec<AddedFile>, GitError> {
    let deleted: HashSet<Oid> = changes.iter().filter(|c| c.2.is_none()).filter_map(|c| c.1).collect();
    let mut out = vec![];
    for (path, old, new) in changes {
        let Some(new) = new else { continue };
        if old.is_none() && deleted.contains(&new) {
            continue; // a rename
        }
        let path_str = String::from_utf8_lossy(&path).into_owned();
        let new_blob = repo.find_blob(new)?;
        let old_blob = old.map(|o| repo.find_blob(o)).transpose()?;
        let p = Path::new(&path_str);
        let old_data = old_blob.as_ref().map_or(&[][..], |b| b.content());
        let patch = git2::Patch::from_buffers(old_data, Some(p), new_blob.content(), Some(p), Some(&mut git::diff_options()))?;
        let lines = git::patch_added_lines(&patch)?;
        if !lines.is_empty() {
            out.push(AddedFile { oid: new, path: path_str, lines });
        }
    }
    Ok(out)
}

/// Every blob path of a tree, except under `clean` directories.
fn list_tree(odb: &git2::Odb, oid: Oid, prefix: &mut Vec<u8>, clean: &HashSet<Vec<u8>>, out: &mut Vec<(Vec<u8>, Oid)>, sink: &Collector) {
    let obj = match odb.read(oid) {
        Ok(o) => o,
        Err(e) => return incomplete(sink, &format!("tree {oid}: {}", e.message())),
    };
    let mut rest = obj.data();
    while let Some(entry) = parse_tree_entry(rest) {
        rest = &rest[entry.len..];
        let Ok(id) = Oid::from_bytes(entry.id) else { continue };
        let len = prefix.len();
        if len > 0 {
            prefix.push(b'/');
        }
        prefix.extend_from_slice(entry.name);
        if entry.mode == b"40000" {
            if !clean.contains(prefix.as_slice()) {
                list_tree(odb, id, prefix, clean, out, sink);
            }
        } else if entry.mode != b"160000" {
            out.push((prefix.clone(), id));
        }
        prefix.truncate(len);
    }
}

/// What a producer of blob jobs hands back once it is done: the commits it walked, and the
/// blobs it met again at other paths after they were sent.
struct Produced {
    commits: Vec<CommitInfo>,
    extra: Vec<(Oid, Occurrence)>,
}

/// Reads each blob `produce` sends, once, on `threads` readers, while `produce` is still
/// walking (a bounded queue between them keeps memory flat); then reports each occurrence's
/// findings, keeping the earliest per fingerprint unless every occurrence was asked for.
fn run(git_dir: &Path, opts: &GitScanOptions, sink: &Collector, produce: impl FnOnce(&Sender<BlobJob>) -> Produced) {
    let bar = progress(opts.progress, "blobs");
    let (send, receive) = crossbeam_channel::bounded::<BlobJob>(1024);
    let mut found: Vec<(Option<u32>, Reported)> = vec![];
    let mut by_blob: OidMap<Vec<Reported>> = OidMap::default();
    let produced = std::thread::scope(|s| {
        let readers: Vec<_> = (0..opts.threads.max(1))
            .map(|_| {
                let (receive, bar) = (receive.clone(), &bar);
                s.spawn(move || {
                    let mut found = vec![];
                    let mut by_blob = vec![];
                    let repo = Repository::open(git_dir);
                    let odb = match repo.as_ref().map_err(|e| e.message().to_string()).and_then(|r| r.odb().map_err(|e| e.message().to_string())) {
                        Ok(odb) => odb,
                        Err(e) => {
                            incomplete(sink, &format!("cannot open the object database: {e}"));
                            // Drain the queue so the walk is not blocked.
                            receive.iter().for_each(drop);
                            return (found, by_blob);
                        }
                    };
                    for job in receive.iter() {
                        bar.inc(1);
                        let (f, first) = scan_job(&odb, &job, opts, sink);
                        found.extend(f);
                        if !first.is_empty() {
                            by_blob.push((job.oid, first));
                        }
                    }
                    (found, by_blob)
                })
            })
            .collect();
        drop(receive);
        let produced = produce(&send);
        drop(send);
        for r in readers {
            let (f, b) = r.join().expect("reader thread");
            found.extend(f);
            by_blob.extend(b);
        }
        produced
    });
    bar.finish_and_clear();
    sink.counters.commits.fetch_add(produced.commits.len() as u64, Relaxed);
    for (oid, occ) in &produced.extra {
        for r in by_blob.get(oid).into_iter().flatten() {
            found.push((occ.commit, r.at_path(&occ.path)));
        }
    }
    let commits = &produced.commits;
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

/// Reads and scans one blob. Returns the findings of every occurrence, and the findings at
/// the first path (for occurrences met later).
fn scan_job(odb: &git2::Odb, job: &BlobJob, opts: &GitScanOptions, sink: &Collector) -> (Vec<(Option<u32>, Reported)>, Vec<Reported>) {
    let first = &job.occurrences[0];
    match odb.read_header(job.oid) {
        Ok((size, _)) if size as u64 > opts.max_file_size => {
            sink.counters.skipped_size.fetch_add(1, Relaxed);
            return (vec![], vec![]);
        }
        Ok(_) => {}
        Err(e) => {
            incomplete(sink, &format!("blob {} ({}): {}", job.oid, first.path, e.message()));
            return (vec![], vec![]);
        }
    }
    let obj = match odb.read(job.oid) {
        Ok(o) => o,
        Err(e) => {
            incomplete(sink, &format!("blob {} ({}): {}", job.oid, first.path, e.message()));
            return (vec![], vec![]);
        }
    };
    let data = obj.data();
    if sink.engine.options.decode && super::archive::is_archive(data) {
        // Archive members are attributed like the archive's first occurrence.
        super::archive::scan(&first.path, data, &super::archive::Limits::new(opts.max_file_size), sink);
        return (vec![], vec![]);
    }
    if super::is_binary(data) {
        sink.counters.skipped_binary.fetch_add(1, Relaxed);
        return (vec![], vec![]);
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
    (out, found)
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
