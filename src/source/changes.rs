//! What a range of commits, a push or a staged change adds, as a source. Each new blob is
//! read and scanned once; a candidate becomes a finding only on a line the change adds —
//! relative to every parent, so a merge reports only what neither side had — and is
//! attributed to the commit that added it.
use super::blobs;
use super::history::{earliest, Options};
use super::progress::Progress;
use super::AllowBase;
use crate::admission::{self, Chain};
use crate::finding::Finding;
use crate::git::changes::ChangeSet;
use crate::git::diff::{self, Added};
use crate::git::objects::{Blob, Objects};
use crate::git::{GitError, Repo};
use crate::run::{Run, ScannedText};
use gix::ObjectId;
use std::collections::HashMap;
use std::sync::atomic::Ordering::Relaxed;

/// Scans what `set` adds.
pub fn scan(
    repo: &Repo,
    set: ChangeSet,
    opts: &Options,
    run: &Run,
    allow: &AllowBase,
) -> Result<(), GitError> {
    for note in &set.notes {
        run.note(note);
    }
    run.counters
        .commits
        .fetch_add(set.commits.len() as u64, Relaxed);
    let bar = Progress::new(opts.progress && set.changes.len() > 200, "files");
    let on_read = || bar.blob();
    let mut seen = std::collections::HashSet::new();
    let total = set.changes.len() as u64;
    let (_, scanned) = blobs::read_while(repo, opts.threads, run, &on_read, |send| {
        for (i, c) in set.changes.iter().enumerate() {
            if seen.insert(c.new) && send.send((c.new, c.path.clone())).is_err() {
                break;
            }
            bar.set(i as u64 + 1, total);
        }
    });
    bar.finish();
    let git = repo.cli();
    let mut lines = AddedLines {
        repo,
        git: &git,
        objects: Objects::new(repo),
        run,
        texts: HashMap::new(),
        pairs: HashMap::new(),
    };
    let root = repo.root();
    let mut found: Vec<(Option<u32>, Finding)> = vec![];
    for c in &set.changes {
        let Some(s) = scanned.get(&c.new) else {
            continue;
        };
        let allow_path = allow.of(&root.join(&c.path));
        for text in &s.texts {
            let candidates = run.judge_text(text, &c.path, &allow_path);
            if candidates.is_empty() {
                continue;
            }
            let added = lines.added(text, &c.old, &c.new)?;
            for mut f in candidates {
                if added.touches(f.line, f.end_line) {
                    f.blob = Some(c.new.to_string());
                    found.push((c.commit, f));
                }
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
                f.commit = commit.map(|i| set.commits[i as usize].clone());
                f
            })
            .collect(),
    );
    Ok(())
}

/// Added lines of changed blobs, computed only for blobs with candidates, each pair once.
struct AddedLines<'a, 'r> {
    repo: &'a Repo,
    git: &'a crate::git::cli::Git,
    objects: Objects,
    run: &'a Run<'r>,
    /// The admitted texts of a blob, by chain (for texts git cannot diff).
    texts: HashMap<ObjectId, HashMap<Chain, Vec<u8>>>,
    /// (old, new, chain) → added lines.
    pairs: HashMap<(ObjectId, ObjectId, Chain), Added>,
}

impl AddedLines<'_, '_> {
    /// Lines of `text` (in blob `new`) added relative to every parent's blob.
    fn added(
        &mut self,
        text: &ScannedText,
        old: &[Option<ObjectId>],
        new: &ObjectId,
    ) -> Result<Added, GitError> {
        let mut result: Option<Added> = None;
        for parent in old {
            let a = match parent {
                None => Added::all(),
                Some(o) => self.pair(o, new, text)?,
            };
            result = Some(match result {
                None => a,
                Some(r) => r.intersect(&a),
            });
        }
        Ok(result.unwrap_or_else(Added::all))
    }

    fn pair(
        &mut self,
        old: &ObjectId,
        new: &ObjectId,
        text: &ScannedText,
    ) -> Result<Added, GitError> {
        let key = (*old, *new, text.chain.clone());
        if let Some(a) = self.pairs.get(&key) {
            return Ok(a.clone());
        }
        let added = if !text.derived {
            diff::git_added(self.git, old, new)?
        } else {
            let old_text = self.text_of(old, &text.chain);
            let new_text = self.text_of(new, &text.chain);
            match (old_text, new_text) {
                (Some(o), Some(n)) => diff::text_added(&o, &n),
                _ => Added::all(),
            }
        };
        self.pairs.insert(key, added.clone());
        Ok(added)
    }

    /// The admitted text at `chain` in blob `id` (re-read: only blobs with candidates get here).
    fn text_of(&mut self, id: &ObjectId, chain: &Chain) -> Option<Vec<u8>> {
        if !self.texts.contains_key(id) {
            let mut texts = HashMap::new();
            if let Blob::Data(data) = self.objects.blob(id, self.run.limits.max_file_size) {
                admission::admit(data, &self.run.limits, &mut |t| {
                    texts.insert(t.chain, t.data.into_owned());
                });
            }
            let _ = self.repo;
            self.texts.insert(*id, texts);
        }
        self.texts[id].get(chain).cloned()
    }
}
