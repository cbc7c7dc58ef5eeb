//! The repository operations against a temp dir: backup, incremental backup, browse, search,
//! restore, verify, forget + prune.

use std::fs;
use std::path::Path;

use bc_api_types::VerificationStatus;
use bc_engine::repo::{BackupSpec, Repo, capacity};

fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn make_source(root: &Path) {
    fs::create_dir_all(root.join("docs/sub")).unwrap();
    fs::create_dir_all(root.join("skip")).unwrap();
    fs::write(root.join("docs/Report.DOCX"), pseudo_random(300_000, 1)).unwrap();
    fs::write(root.join("docs/notes.txt"), "hello notes\n".repeat(1000)).unwrap();
    fs::write(root.join("docs/sub/deep.bin"), pseudo_random(1_000_000, 2)).unwrap();
    fs::write(root.join("docs/scratch.tmp"), b"temporary").unwrap();
    fs::write(root.join("skip/secret.txt"), b"not backed up").unwrap();
}

#[test]
fn backup_incremental_browse_search_restore_verify_forget() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    let repo_dir = t.path().join("repo");
    make_source(&src);
    let spec = BackupSpec {
        hostname: "fs01".into(),
        label: "pol1".into(),
        tags: vec!["policy:pol1".into(), "host:hst1".into()],
        include_paths: vec![src.clone()],
        exclude_paths: vec![src.join("skip").display().to_string()],
        exclude_patterns: vec!["*.tmp".into()],
    };

    // First backup: everything new.
    let repo = Repo::open_or_init(&repo_dir, "pw", None).unwrap();
    let (repo, first) = repo.backup(&spec).unwrap();
    assert!(first.parent.is_none());
    assert_eq!(first.snapshot_id.len(), 64, "the full id, not restic's 8-digit short form");
    assert_eq!(first.file_count, 3, "{first:?}");
    assert!(first.size_bytes >= 1_300_000);
    assert!(first.bytes_added > 1_000_000, "{first:?}");

    // Change one file, add one; the second backup has the first as parent and adds little.
    fs::write(src.join("docs/notes.txt"), "changed notes\n".repeat(1000)).unwrap();
    fs::write(src.join("docs/new.txt"), b"a new file").unwrap();
    drop(repo);
    let repo = Repo::open_or_init(&repo_dir, "pw", None).unwrap();
    let (repo, second) = repo.backup(&spec).unwrap();
    assert_eq!(second.parent.as_deref(), Some(first.snapshot_id.as_str()));
    assert_eq!(second.file_count, 4);
    assert!(second.bytes_added < first.bytes_added / 5, "first {} second {}", first.bytes_added, second.bytes_added);
    assert_eq!(repo.snapshots().unwrap().len(), 2);

    // Browse the root and a directory.
    let root = repo.browse(&second.snapshot_id, "/", 100).unwrap();
    assert_eq!(root.len(), 1, "{root:?}");
    assert!(root[0].is_dir);
    let docs_path = format!("{}/docs", src.display());
    let docs = repo.browse(&second.snapshot_id, &docs_path, 100).unwrap();
    let names: Vec<&str> = docs.iter().map(|e| e.path.rsplit('/').next().unwrap()).collect();
    assert!(names.contains(&"Report.DOCX") && names.contains(&"new.txt") && names.contains(&"sub"), "{names:?}");
    assert!(!names.contains(&"scratch.tmp"), "excluded pattern was backed up");
    let report = docs.iter().find(|e| e.path.ends_with("Report.DOCX")).unwrap();
    assert_eq!(report.path, format!("{docs_path}/Report.DOCX"));
    assert_eq!(report.size, 300_000);
    assert!(report.modified_at.is_some());
    let src_listing = repo.browse(&second.snapshot_id, &src.display().to_string(), 100).unwrap();
    assert!(src_listing.iter().all(|e| !e.path.ends_with("/skip")), "excluded path was backed up: {src_listing:?}");

    // Search: substring and glob, case-insensitive, with a limit.
    let hits = repo.search(&second.snapshot_id, "report", 100).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    let hits = repo.search(&second.snapshot_id, "*.docx", 100).unwrap();
    assert_eq!(hits.len(), 1);
    let hits = repo.search(&second.snapshot_id, "*.txt", 100).unwrap();
    assert_eq!(hits.len(), 2);
    let hits = repo.search(&second.snapshot_id, "*.txt", 1).unwrap();
    assert_eq!(hits.len(), 1);
    // A substring is looked for in names, not in the directories above them.
    let hits = repo.search(&second.snapshot_id, "docs", 100).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].is_dir);
    let hits = repo.search(&second.snapshot_id, &format!("{docs_path}/sub/*"), 100).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].path.ends_with("/sub/deep.bin"));

    // Restore a file and a directory; bytes match.
    let out = t.path().join("restore");
    let file = format!("{docs_path}/sub/deep.bin");
    let n = repo.restore(&second.snapshot_id, std::slice::from_ref(&file), &out, false).unwrap();
    assert_eq!(n, 1);
    let restored = out.join(file.trim_start_matches('/'));
    assert_eq!(fs::read(&restored).unwrap(), fs::read(src.join("docs/sub/deep.bin")).unwrap());
    // Without overwrite an existing file is left alone.
    fs::write(&restored, b"local edit").unwrap();
    let n = repo.restore(&second.snapshot_id, std::slice::from_ref(&docs_path), &out, false).unwrap();
    assert_eq!(fs::read(&restored).unwrap(), b"local edit");
    assert_eq!(n, 3, "Report.DOCX, notes.txt, new.txt");
    assert_eq!(
        fs::read(out.join(docs_path.trim_start_matches('/')).join("notes.txt")).unwrap(),
        fs::read(src.join("docs/notes.txt")).unwrap()
    );
    // With overwrite it is replaced.
    repo.restore(&second.snapshot_id, std::slice::from_ref(&file), &out, true).unwrap();
    assert_eq!(fs::read(&restored).unwrap(), fs::read(src.join("docs/sub/deep.bin")).unwrap());
    // The first snapshot still has the old notes.
    let old = t.path().join("old");
    repo.restore(&first.snapshot_id, &[format!("{docs_path}/notes.txt")], &old, false).unwrap();
    assert_eq!(
        fs::read_to_string(old.join(docs_path.trim_start_matches('/')).join("notes.txt")).unwrap(),
        "hello notes\n".repeat(1000)
    );

    // Verify: structure plus read-back samples.
    let v = repo.verify(std::slice::from_ref(&second.snapshot_id), 3).unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].status, VerificationStatus::Passed, "{v:?}");
    assert_eq!(v[0].checked_files, 3);
    let v = repo.verify(&["deadbeef".into()], 1).unwrap();
    assert_eq!(v[0].status, VerificationStatus::Failed);

    // Forget the first and prune; the second still restores.
    let gone = repo.forget(std::slice::from_ref(&first.snapshot_id), true).unwrap();
    assert_eq!(gone, vec![first.snapshot_id.clone()]);
    let left = repo.snapshots().unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id.to_hex().as_str(), second.snapshot_id);
    // Forgetting again is harmless.
    assert_eq!(repo.forget(std::slice::from_ref(&first.snapshot_id), true).unwrap().len(), 1);
    let v = repo.verify(&[], 10).unwrap();
    assert_eq!(v[0].status, VerificationStatus::Passed, "{v:?}");
    assert_eq!(v[0].checked_files, 4);

    // The wrong password does not open it.
    assert!(Repo::open(&repo_dir, "wrong").is_err());
    let (total, used, free) = capacity(&repo_dir).unwrap();
    assert!(total > 0 && used + free <= total);
}
