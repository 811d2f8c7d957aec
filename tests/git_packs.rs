//! `tenscan history` sweeps packs in pack order and reads everything else by id. The two
//! paths must agree: the same repository gives the same report whether its objects are
//! loose, packed with deltas, or both, and whatever the sweep cannot give is read by id.
mod common;
use common::*;
use std::path::Path;

/// The report of `tenscan history` with its timing removed, findings sorted, and the
/// warnings on standard error, sorted.
fn report(dir: &Path) -> Report {
    let out = tenscan()
        .current_dir(dir)
        .args(["history", "-f", "json", "--allow-incomplete"])
        .args(["--max-file-size", "20000"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.code() != Some(2), "{err}");
    let mut r = json(&out.stdout);
    r["stats"].as_object_mut().unwrap().remove("duration_ms");
    let mut findings = r["findings"].as_array().unwrap().clone();
    findings.sort_by_key(|f| f.to_string());
    // The summary line without its timing (`in 41 ms,`).
    let untimed = |l: &str| match l.find(" ms,") {
        Some(end) => format!("{}{}", &l[..l[..end].rfind(' ').unwrap()], &l[end + 3..]),
        None => l.to_string(),
    };
    let mut warnings: Vec<String> = err.lines().map(untimed).collect();
    warnings.sort();
    (r["stats"].clone(), findings, warnings)
}

/// Asserts two reports are the same, showing the first part that differs.
fn same(a: &Report, b: &Report, what: &str) {
    assert_eq!(a.0, b.0, "{what}: stats");
    assert_eq!(a.2, b.2, "{what}: warnings");
    for (x, y) in a.1.iter().zip(&b.1) {
        assert_eq!(x, y, "{what}: a finding");
    }
    assert_eq!(a.1.len(), b.1.len(), "{what}: findings");
}

type Report = (serde_json::Value, Vec<serde_json::Value>, Vec<String>);

fn loose_objects(dir: &Path) -> u64 {
    let v = git(dir, &["count-objects", "-v"]);
    v.lines()
        .find_map(|l| l.strip_prefix("count: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// A history with every kind of blob the sweep must treat as reads by id do.
fn varied_history(p: &Path) {
    git_init(p);
    let filler: String = (0..400)
        .map(|i| format!("line {i} of the config\n"))
        .collect();
    for i in 0..30 {
        // One file edited in every commit, so a repack stores it as deltas; a key lives in
        // it from commit 10 to commit 19.
        let secret = if (10..20).contains(&i) {
            format!("BASETEN_API_KEY = \"{}\"\n", key())
        } else {
            String::new()
        };
        write(
            p,
            "app/settings.py",
            format!("{filler}{secret}version = {i}\n"),
        );
        if i == 3 {
            write(p, "notes-utf16.txt", utf16le(&format!("key: {}\n", key())));
            write(
                p,
                "bundle.zip",
                zip_of(&[("inner/.env", format!("BASETEN_API_KEY={}\n", key()))]),
            );
            // Over --max-file-size: text (the scan is incomplete) and binary (skipped).
            write(p, "big.txt", format!("{}\n{}\n", "x".repeat(30000), key()));
            write(p, "big.bin", [0u8, 1, 2, 3].repeat(10000));
            // A damaged archive: the scan says so.
            let zip = zip_of(&[("a.txt", "x".repeat(5000))]);
            write(p, "broken.zip", &zip[..zip.len() - 30]);
        }
        if i == 12 {
            // The same blob at a second path.
            std::fs::create_dir_all(p.join("backup")).unwrap();
            std::fs::copy(p.join("app/settings.py"), p.join("backup/settings.py.bak")).unwrap();
        }
        commit(p, &format!("c{i}"));
    }
}

#[test]
fn loose_packed_and_mixed_objects_give_the_same_report() {
    let d = tree();
    let p = d.path();
    varied_history(p);
    assert!(loose_objects(p) > 0);
    let loose = report(p);
    assert_eq!(loose.0["incomplete"], true, "big.txt and broken.zip");
    // Damage inside a blob is named by its path, as `scan` names it.
    assert!(
        loose
            .2
            .iter()
            .any(|w| w.starts_with("warning: broken.zip: damaged zip")),
        "{:?}",
        loose.2
    );
    assert!(loose.1.len() >= 5, "{:?}", loose.1);

    // Everything in one pack, with long delta chains.
    repack_with_deltas(p, 50);
    assert_eq!(loose_objects(p), 0);
    let verify = git(p, &["verify-pack", "-v", &pack_idx(p)]);
    assert!(
        verify.contains("chain length = 2"),
        "the pack has deltas: {verify}"
    );
    same(&report(p), &loose, "packed with deltas");

    // Unreachable blobs in the pack (a key, a damaged archive) are not history.
    let stray = p.join("stray.txt");
    std::fs::write(&stray, format!("BASETEN_API_KEY={}\n", key())).unwrap();
    git(p, &["hash-object", "-w", stray.to_str().unwrap()]);
    let zip = zip_of(&[("b.txt", "y".repeat(5000))]);
    std::fs::write(&stray, &zip[..zip.len() - 30]).unwrap();
    git(p, &["hash-object", "-w", stray.to_str().unwrap()]);
    std::fs::remove_file(&stray).unwrap();
    git(p, &["repack", "-q", "-a", "-d", "--keep-unreachable"]);
    assert_eq!(loose_objects(p), 0, "the strays are in the pack");
    same(&report(p), &loose, "unreachable objects in the pack");

    // New loose objects beside the pack, then packed too.
    write(p, "later.env", format!("BASETEN_API_KEY={}\n", key()));
    commit(p, "later");
    assert!(loose_objects(p) > 0);
    let mixed = report(p);
    assert_eq!(mixed.1.len(), loose.1.len() + 1, "{:?}", mixed.1);
    git(p, &["repack", "-q", "-a", "-d"]);
    same(&report(p), &mixed, "mixed, then packed");
}

#[test]
fn sha256_repositories_give_the_same_report_loose_and_packed() {
    let d = tree();
    let p = d.path();
    git(p, &["init", "-q", "-b", "main", "--object-format=sha256"]);
    for i in 0..6 {
        write(
            p,
            "app.env",
            format!("BASETEN_API_KEY={}\nround = {i}\n", key()),
        );
        write(p, "notes.txt", utf16le(&format!("key {}\n", key())));
        commit(p, &format!("c{i}"));
    }
    let loose = report(p);
    assert_eq!(loose.1.len(), 12, "{:?}", loose.1);
    git(p, &["repack", "-q", "-a", "-d", "-f"]);
    assert_eq!(loose_objects(p), 0);
    same(&report(p), &loose, "sha256, packed");
}

fn pack_idx(p: &Path) -> String {
    pack_file(p, "idx").to_string_lossy().into_owned()
}

/// Repacks everything into one pack, looking `depth` objects back for delta bases and
/// allowing chains that deep.
fn repack_with_deltas(p: &Path, depth: u32) {
    let (window, depth) = (format!("--window={depth}"), format!("--depth={depth}"));
    git(p, &["repack", "-q", "-a", "-d", "-f", &window, &depth]);
}

/// The repository's one pack file, made writable.
fn writable_pack(p: &Path) -> String {
    let pack = pack_file(p, "pack");
    writable(&pack);
    pack.to_string_lossy().into_owned()
}

/// Each file's blob id and its offset in the pack, from git.
fn pack_offsets(p: &Path) -> Vec<(String, String, u64)> {
    let ls = git(p, &["ls-tree", "-r", "HEAD"]);
    let idx = std::fs::read(pack_idx(p)).unwrap();
    let shown = std::process::Command::new("git")
        .arg("show-index")
        .current_dir(p)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(&idx)?;
            c.wait_with_output()
        })
        .unwrap();
    let offsets: std::collections::HashMap<String, u64> = String::from_utf8(shown.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let mut f = l.split_whitespace();
            let off = f.next().unwrap().parse().unwrap();
            (f.next().unwrap().to_string(), off)
        })
        .collect();
    ls.lines()
        .map(|l| {
            let (meta, path) = l.split_once('\t').unwrap();
            let id = meta.split_whitespace().nth(2).unwrap().to_string();
            let off = offsets[&id];
            (path.to_string(), id, off)
        })
        .collect()
}

#[test]
fn a_damaged_object_in_a_pack_costs_only_that_object() {
    let d = tree();
    let p = d.path();
    git_init(p);
    for i in 0..20 {
        // Distinct random files: each blob is stored whole, not as a delta.
        write(
            p,
            &format!("f{i:02}.env"),
            format!("BASETEN_API_KEY={}\n{}\n", key(), base62(3000)),
        );
        commit(p, &format!("c{i}"));
    }
    git(p, &["repack", "-q", "-a", "-d"]);
    let intact = report(p);
    assert_eq!(intact.1.len(), 20);
    // Damage the middle of one blob's deflate stream.
    let (path, _, offset) = pack_offsets(p)
        .into_iter()
        .find(|(path, ..)| path == "f07.env")
        .unwrap();
    let pack = writable_pack(p);
    let mut bytes = std::fs::read(&pack).unwrap();
    for b in &mut bytes[offset as usize + 40..offset as usize + 200] {
        *b = 0xFF;
    }
    std::fs::write(&pack, bytes).unwrap();
    let (stats, findings, warnings) = report(p);
    assert_eq!(stats["incomplete"], true);
    assert_eq!(findings.len(), 19, "every other key is still found");
    assert!(findings.iter().all(|f| f["path"] != path.as_str()));
    assert!(
        warnings.iter().any(|w| w.contains(&path)),
        "the damaged blob is named: {warnings:?}"
    );
    assert!(
        !warnings.iter().any(|w| w.contains("panicked")),
        "{warnings:?}"
    );
}

/// What `git fsck --full` finds wrong with the objects, beyond the pack's trailing checksum
/// (which any damaged byte breaks).
fn fsck_damage(p: &Path) -> Vec<String> {
    let out = std::process::Command::new("git")
        .args(["fsck", "--full", "--no-dangling"])
        .current_dir(p)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.contains("pack checksum mismatch"))
        .map(str::to_string)
        .collect()
}

#[test]
fn randomly_damaged_packs_are_incomplete_exactly_when_git_fsck_finds_damage() {
    let d = tree();
    let p = d.path();
    git_init(p);
    let filler: String = (0..300).map(|i| format!("setting_{i} = {i}\n")).collect();
    for i in 0..12 {
        write(
            p,
            "conf/app.py",
            format!("{filler}KEY_{i} = \"{}\"\n", key()),
        );
        write(
            p,
            &format!("notes/n{i}.md"),
            format!("note {i}\n{}\n", base62(2000)),
        );
        commit(p, &format!("c{i}"));
    }
    repack_with_deltas(p, 20);
    let pack = writable_pack(p);
    let intact = std::fs::read(&pack).unwrap();
    let keys = report(p).1.len();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut damaged = 0;
    for round in 0..40 {
        let mut bytes = intact.clone();
        // 1 to 8 bytes overwritten somewhere between the pack header and its trailer.
        let at = 12 + (next() as usize) % (bytes.len() - 32);
        for b in &mut bytes[at..at + 1 + (next() as usize) % 8] {
            *b = next() as u8;
        }
        std::fs::write(&pack, &bytes).unwrap();
        let out = tenscan()
            .current_dir(p)
            .args(["history", "-f", "json"])
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        assert!(!err.contains("panicked"), "round {round}: {err}");
        let r = json(&out.stdout);
        let damage = fsck_damage(p);
        if r["stats"]["incomplete"] == true {
            assert_eq!(code, Some(2), "an incomplete scan never passes: {err}");
            assert!(
                !damage.is_empty(),
                "round {round} (bytes at {at}): git fsck finds nothing wrong: {err}"
            );
            damaged += 1;
        } else {
            assert!(matches!(code, Some(0 | 1)), "round {round}: {code:?} {err}");
            assert_eq!(
                r["findings"].as_array().unwrap().len(),
                keys,
                "round {round}: a clean run lost a key"
            );
            let unreadable: Vec<_> = damage
                .iter()
                .filter(|l| !l.contains("index CRC mismatch"))
                .collect();
            assert!(
                unreadable.is_empty(),
                "round {round} (bytes at {at}): git fsck: {unreadable:?}; tenscan said complete"
            );
        }
    }
    assert!(damaged >= 20, "most damage is damage: {damaged}");
}
