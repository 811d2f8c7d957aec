//! The whole-history walk: the commits of every ref (branches, tags, stash, a detached HEAD)
//! in topological order, parents first; every tree read once, iteratively, with git's depth
//! limit; and every path each blob appears at, with the first commit that has it there. It
//! reads only commits and trees, so blobs can be read beside it (`git::packs`).
use super::objects::Objects;
use super::{format_date, CommitInfo, Repo};
use gix::hashtable::{HashMap, HashSet};
use gix::ObjectId;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

/// Deeper trees are refused, as git refuses them (`core.maxTreeDepth`).
pub const MAX_TREE_DEPTH: usize = 4096;

/// One place a blob appears: its path and the first commit (index into `History::commits`)
/// that has it there; `None` for a tree or blob a ref points at directly.
#[derive(Debug, Clone)]
pub struct Occurrence {
    pub path: String,
    pub commit: Option<u32>,
}

/// What the walk found.
#[derive(Default)]
pub struct History {
    pub commits: Vec<Arc<CommitInfo>>,
    pub occurrences: HashMap<ObjectId, Vec<Occurrence>>,
    /// Submodule entries and symbolic links met (not scanned).
    pub skipped_other: u64,
}

/// What the walk reports as it goes.
pub trait Visitor {
    /// Something that could not be read: the scan is incomplete.
    fn incomplete(&self, message: String);
    /// The commits are known (`total`) and `done` of them have been walked.
    fn progress(&self, done: u64, total: u64);
}

struct Node {
    id: ObjectId,
    tree: ObjectId,
    parents: Vec<ObjectId>,
    time: i64,
    info: Arc<CommitInfo>,
}

/// Walks every ref of `repo`.
pub fn walk(repo: &Repo, objects: &mut Objects, visitor: &mut dyn Visitor) -> History {
    let local = repo.local();
    let mut tips: Vec<(String, ObjectId)> = vec![];
    match local.references() {
        Ok(platform) => match platform.all() {
            Ok(iter) => {
                for r in iter {
                    match r {
                        Ok(mut r) => {
                            let name = r.name().as_bstr().to_string();
                            match r.peel_to_id() {
                                Ok(id) => tips.push((name, id.detach())),
                                Err(e) => visitor.incomplete(format!(
                                    "{}: cannot resolve: {}",
                                    esc(&name),
                                    super::objects::message(&e)
                                )),
                            }
                        }
                        Err(e) => visitor
                            .incomplete(format!("unreadable ref: {}", super::objects::message(&e))),
                    }
                }
            }
            Err(e) => {
                visitor.incomplete(format!("cannot list refs: {}", super::objects::message(&e)))
            }
        },
        Err(e) => visitor.incomplete(format!("cannot list refs: {}", super::objects::message(&e))),
    }
    if let Ok(id) = local.head_id() {
        tips.push(("HEAD".into(), id.detach()));
    }
    let shallow: HashSet<ObjectId> = match local.shallow_commits() {
        Ok(Some(list)) => list.iter().copied().collect(),
        _ => HashSet::default(),
    };
    drop(local);

    let mut history = History::default();
    let mut commit_tips = vec![];
    let mut other_tips = vec![];
    for (name, id) in tips {
        match objects.kind(&id) {
            Ok(Some(gix::object::Kind::Commit)) => commit_tips.push(id),
            Ok(Some(kind @ (gix::object::Kind::Tree | gix::object::Kind::Blob))) => {
                other_tips.push((name, id, kind))
            }
            Ok(Some(_)) => {}
            Ok(None) => {
                visitor.incomplete(format!("{}: points at {id}, which is missing", esc(&name)))
            }
            Err(e) => visitor.incomplete(format!("{}: cannot read {id}: {e}", esc(&name))),
        }
    }
    let nodes = read_commits(objects, commit_tips, &shallow, visitor);
    let order = topological(&nodes);
    let total = order.len() as u64;
    let mut trees = TreeWalk {
        seen: HashMap::default(),
        history: &mut history,
    };
    for (done, &i) in order.iter().enumerate() {
        let node = &nodes[i];
        let index = trees.history.commits.len() as u32;
        trees.history.commits.push(node.info.clone());
        trees.walk(objects, node.tree, String::new(), Some(index), visitor);
        visitor.progress(done as u64 + 1, total);
    }
    // Trees and blobs that a ref names directly (`git tag t <tree>`), outside any commit.
    for (name, id, kind) in other_tips {
        match kind {
            gix::object::Kind::Tree => trees.walk(objects, id, format!("{name}:"), None, visitor),
            _ => trees.add_blob(id, &name, None),
        }
    }
    history
}

/// Every commit reachable from `tips`; an unreadable one is reported and its ancestry lost.
fn read_commits(
    objects: &mut Objects,
    tips: Vec<ObjectId>,
    shallow: &HashSet<ObjectId>,
    visitor: &mut dyn Visitor,
) -> Vec<Node> {
    let hash = objects.hash_kind();
    let mut seen: HashSet<ObjectId> = HashSet::default();
    let mut stack = tips;
    let mut nodes = vec![];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let data = match objects.object(&id, gix::object::Kind::Commit) {
            Ok(d) => d,
            Err(e) => {
                visitor.incomplete(format!("commit {id}: {e}"));
                continue;
            }
        };
        match parse_commit(data, hash, id) {
            Ok(node) => {
                if !shallow.contains(&id) {
                    stack.extend(node.parents.iter().copied());
                }
                nodes.push(node);
            }
            Err(e) => visitor.incomplete(format!("commit {id}: {e}")),
        }
    }
    nodes
}

fn parse_commit(data: &[u8], hash: gix::hash::Kind, id: ObjectId) -> Result<Node, String> {
    use gix::objs::commit::ref_iter::Token;
    let mut tree = None;
    let mut parents = vec![];
    let mut author = None;
    for token in gix::objs::CommitRefIter::from_bytes(data, hash) {
        match token.map_err(|e| super::objects::message(&e))? {
            Token::Tree { id } => tree = Some(id),
            Token::Parent { id } => parents.push(id),
            Token::Author { signature } => {
                author = Some((
                    format!("{} <{}>", signature.name, signature.email),
                    signature.time().ok(),
                ));
                break;
            }
            _ => {}
        }
    }
    let tree = tree.ok_or("no tree")?;
    let (author, time) = author.ok_or("no author")?;
    let (seconds, offset) = time.map_or((0, 0), |t| (t.seconds, t.offset));
    let info = Arc::new(CommitInfo {
        id: id.to_string(),
        author,
        date: format_date(seconds, offset),
    });
    Ok(Node {
        id,
        tree,
        parents,
        time: seconds,
        info,
    })
}

/// Indices of `nodes` with every commit after its parents; among commits ready at the same
/// time, the older first.
fn topological(nodes: &[Node]) -> Vec<usize> {
    let index: HashMap<ObjectId, usize> =
        nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let mut pending = vec![0usize; nodes.len()];
    let mut children: Vec<Vec<usize>> = vec![vec![]; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        let mut parents: Vec<usize> = n
            .parents
            .iter()
            .filter_map(|p| index.get(p).copied())
            .collect();
        parents.sort_unstable();
        parents.dedup();
        pending[i] = parents.len();
        for p in parents {
            children[p].push(i);
        }
    }
    let mut ready: BinaryHeap<Reverse<(i64, usize)>> = (0..nodes.len())
        .filter(|&i| pending[i] == 0)
        .map(|i| Reverse((nodes[i].time, i)))
        .collect();
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(Reverse((_, i))) = ready.pop() {
        order.push(i);
        for &c in &children[i] {
            pending[c] -= 1;
            if pending[c] == 0 {
                ready.push(Reverse((nodes[c].time, c)));
            }
        }
    }
    order
}

struct TreeWalk<'h> {
    /// Trees already walked, each with the hashes of the paths it was walked at: a tree met
    /// again at the same path adds nothing, but at a new path (a moved directory) it is
    /// walked again so every path its blobs live at is known.
    seen: HashMap<ObjectId, Vec<u64>>,
    history: &'h mut History,
}

/// `prefix/name` compared without building it.
fn is_path(path: &str, prefix: &str, name: &[u8]) -> bool {
    let sep = usize::from(!prefix.is_empty() && !prefix.ends_with(':'));
    path.len() == prefix.len() + sep + name.len()
        && path.as_bytes().starts_with(prefix.as_bytes())
        && path.as_bytes().ends_with(name)
        && (sep == 0 || path.as_bytes()[prefix.len()] == b'/')
}

fn join(prefix: &str, name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    if prefix.is_empty() || prefix.ends_with(':') {
        format!("{prefix}{name}")
    } else {
        format!("{prefix}/{name}")
    }
}

impl TreeWalk<'_> {
    /// Records the blob `id` at `path` if it is new, or new at this path.
    fn add_blob(&mut self, id: ObjectId, path: &str, commit: Option<u32>) {
        self.add(id, "", path.as_bytes(), commit)
    }

    fn add(&mut self, id: ObjectId, prefix: &str, name: &[u8], commit: Option<u32>) {
        match self.history.occurrences.get_mut(&id) {
            Some(list) => {
                if !list.iter().any(|o| is_path(&o.path, prefix, name)) {
                    list.push(Occurrence {
                        path: join(prefix, name),
                        commit,
                    });
                }
            }
            None => {
                let path = join(prefix, name);
                self.history
                    .occurrences
                    .insert(id, vec![Occurrence { path, commit }]);
            }
        }
    }

    fn first_visit(&mut self, id: ObjectId, path: &str) -> bool {
        use std::hash::{BuildHasher, RandomState};
        static PATHS: std::sync::OnceLock<RandomState> = std::sync::OnceLock::new();
        let h = PATHS.get_or_init(RandomState::new).hash_one(path);
        let paths = self.seen.entry(id).or_default();
        if paths.contains(&h) {
            return false;
        }
        paths.push(h);
        true
    }

    /// Walks the tree `root` (at `root_prefix`) and the trees under it not seen before.
    fn walk(
        &mut self,
        objects: &mut Objects,
        root: ObjectId,
        root_prefix: String,
        commit: Option<u32>,
        visitor: &mut dyn Visitor,
    ) {
        let hash = objects.hash_kind();
        // (tree, its path, depth); paths are built once per tree, not per entry.
        let mut stack = vec![(root, root_prefix, 1usize)];
        while let Some((id, prefix, depth)) = stack.pop() {
            if !self.first_visit(id, &prefix) {
                continue;
            }
            let shown = if prefix.is_empty() {
                "/"
            } else {
                prefix.as_str()
            };
            if depth > MAX_TREE_DEPTH {
                visitor.incomplete(format!(
                    "tree {id} ({}): nested deeper than {MAX_TREE_DEPTH} levels, not scanned",
                    esc(&shorten(shown))
                ));
                continue;
            }
            let data = match objects.object(&id, gix::object::Kind::Tree) {
                Ok(d) => d.to_vec(),
                Err(e) => {
                    visitor.incomplete(format!("tree {id} ({}): {e}", esc(&shorten(shown))));
                    continue;
                }
            };
            for entry in gix::objs::TreeRefIter::from_bytes(&data, hash) {
                let entry = match entry {
                    Ok(e) => e,
                    Err(_) => {
                        visitor.incomplete(format!(
                            "tree {id} ({}): malformed entry",
                            esc(&shorten(shown))
                        ));
                        break;
                    }
                };
                let mode = entry.mode;
                if mode.is_tree() {
                    stack.push((
                        entry.oid.to_owned(),
                        join(&prefix, entry.filename),
                        depth + 1,
                    ));
                } else if mode.is_blob() {
                    self.add(entry.oid.to_owned(), &prefix, entry.filename, commit);
                } else {
                    self.history.skipped_other += 1; // submodules and symbolic links
                }
            }
        }
    }
}

/// A very long path, cut for a message.
fn shorten(p: &str) -> String {
    if p.len() <= 120 {
        return p.to_string();
    }
    let cut = p
        .char_indices()
        .map(|(i, _)| i)
        .take_while(|&i| i <= 117)
        .last()
        .unwrap_or(0);
    format!("{}…", &p[..cut])
}

fn esc(s: &str) -> String {
    crate::report::escape::line(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_compare_without_joining() {
        assert!(is_path("a/b", "a", b"b"));
        assert!(is_path("b", "", b"b"));
        assert!(is_path("refs/tags/t:b", "refs/tags/t:", b"b"));
        assert!(!is_path("ab", "a", b"b"));
        assert!(!is_path("a/bc", "a", b"b"));
        assert_eq!(join("refs/tags/t:", b"x"), "refs/tags/t:x");
    }
}
