//! The engine's restic-format repositories (rustic_core, local backend): backup, forget + prune,
//! browse, search, restore, verify, capacity. Everything here is blocking; the job runner calls
//! it from `spawn_blocking`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, anyhow};
use bc_api_types::{SnapshotEntry, VerificationStatus, VerifyOutcome};
use chrono::{DateTime, Utc};
use rustic_backend::BackendOptions;
use rustic_core::repofile::{Node, SnapshotFile};
use rustic_core::{
    BackupOptions, CheckOptions, ConfigOptions, Credentials, Excludes, IndexedFull, KeyOptions, LocalDestination,
    LsOptions, OpenStatus, PathList, Progress, ProgressBars, ProgressType, PruneOptions, Repository, RepositoryOptions,
    RestoreOptions, RusticProgress, SnapshotOptions,
};
use sha2::{Digest, Sha256};

/// Byte counters a running job reads to report progress.
#[derive(Debug, Default)]
pub struct Counters {
    pub bytes_done: AtomicU64,
    pub bytes_total: AtomicU64,
}

#[derive(Debug, Clone)]
struct CountingBars(Arc<Counters>);

#[derive(Debug)]
struct CountingProgress(Arc<Counters>);

impl RusticProgress for CountingProgress {
    fn is_hidden(&self) -> bool {
        false
    }
    fn set_length(&self, len: u64) {
        self.0.bytes_total.store(len, Ordering::Relaxed);
    }
    fn set_title(&self, _title: &str) {}
    fn inc(&self, inc: u64) {
        self.0.bytes_done.fetch_add(inc, Ordering::Relaxed);
    }
    fn finish(&self) {}
}

impl ProgressBars for CountingBars {
    fn progress(&self, progress_type: ProgressType, _prefix: &str) -> Progress {
        match progress_type {
            ProgressType::Bytes => Progress::new(CountingProgress(self.0.clone())),
            _ => Progress::hidden(),
        }
    }
}

fn rerr(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("{e}")
}

/// A repository at a local path, opened with the engine's password (initialised on first use).
pub struct Repo {
    repo: Repository<OpenStatus>,
    pub path: PathBuf,
}

/// What a backup made.
#[derive(Debug, Clone)]
pub struct BackupOutcome {
    pub snapshot_id: String,
    pub parent: Option<String>,
    pub tree: rustic_core::TreeId,
    pub completed_at: DateTime<Utc>,
    pub size_bytes: u64,
    pub file_count: u64,
    /// Bytes added to the repository (after dedup and compression).
    pub bytes_added: u64,
    pub repository_id: String,
    pub paths: Vec<String>,
}

/// What a backup is asked to do.
#[derive(Debug, Clone, Default)]
pub struct BackupSpec {
    pub hostname: String,
    /// The snapshot label: the policy (a parent is looked for among the same host, label and paths).
    pub label: String,
    pub tags: Vec<String>,
    pub include_paths: Vec<PathBuf>,
    pub exclude_paths: Vec<String>,
    pub exclude_patterns: Vec<String>,
}

fn backends(path: &Path) -> anyhow::Result<rustic_core::RepositoryBackends> {
    let s = path.to_str().ok_or_else(|| anyhow!("the repository path is not UTF-8"))?;
    BackendOptions::default().repository(s).to_backends().map_err(rerr)
}

fn repo_options() -> RepositoryOptions {
    // A local repository needs no cache.
    RepositoryOptions::default().no_cache(true)
}

fn to_chrono(ts: rustic_core::jiff::Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp(ts.as_second(), ts.subsec_nanosecond().max(0) as u32).unwrap_or_else(Utc::now)
}

/// The chain a snapshot belongs to: the repository plus the host and the backed-up paths.
pub fn chain_id(repository_id: &str, hostname: &str, paths: &[String]) -> String {
    let mut paths = paths.to_vec();
    paths.sort();
    let mut h = Sha256::new();
    h.update(repository_id.as_bytes());
    h.update(b"\n");
    h.update(hostname.to_ascii_lowercase().as_bytes());
    for p in paths {
        h.update(b"\n");
        h.update(p.as_bytes());
    }
    format!("ch{}", &hex::encode(h.finalize())[..30])
}

impl Repo {
    /// Whether a repository exists at `path` (has a config file).
    pub fn exists(path: &Path) -> bool {
        path.join("config").is_file()
    }

    /// Opens the repository at `path`, initialising it when there is none.
    pub fn open_or_init(path: &Path, password: &str, counters: Option<Arc<Counters>>) -> anyhow::Result<Repo> {
        std::fs::create_dir_all(path)
            .with_context(|| format!("cannot create the repository directory {}", path.display()))?;
        let be = backends(path)?;
        let creds = Credentials::password(password);
        let bare = match counters {
            Some(c) => Repository::new_with_progress(&repo_options(), &be, CountingBars(c)),
            None => Repository::new(&repo_options(), &be),
        }
        .map_err(rerr)?;
        let repo = if bare.config_id().map_err(rerr)?.is_some() {
            bare.open(&creds).map_err(|e| anyhow!("cannot open the repository at {}: {e}", path.display()))?
        } else {
            bare.init(&creds, &KeyOptions::default(), &ConfigOptions::default())
                .map_err(|e| anyhow!("cannot initialise a repository at {}: {e}", path.display()))?
        };
        Ok(Repo { repo, path: path.to_path_buf() })
    }

    /// Opens an existing repository (no init).
    pub fn open(path: &Path, password: &str) -> anyhow::Result<Repo> {
        if !Self::exists(path) {
            anyhow::bail!("there is no repository at {}", path.display());
        }
        Self::open_or_init(path, password, None)
    }

    pub fn id(&self) -> String {
        full_id(&self.repo.config().id)
    }

    pub fn snapshots(&self) -> anyhow::Result<Vec<SnapshotFile>> {
        self.repo.get_all_snapshots().map_err(rerr)
    }

    /// Copies a snapshot into the repository at `dest` (initialised there,
    /// with the same password, when there is none) and returns the copy's
    /// id. A copy already there (same tree and time: what a copy keeps) is
    /// not made again, so a replication delivered twice copies once.
    pub fn copy_to(self, snapshot_id: &str, dest: &Path, password: &str) -> anyhow::Result<String> {
        let snap = self.snapshot(snapshot_id)?;
        let dest = Repo::open_or_init(dest, password, None)?;
        let is_copy = |s: &SnapshotFile| s.tree == snap.tree && s.time == snap.time;
        if let Some(c) = dest.snapshots()?.iter().find(|s| is_copy(s)) {
            return Ok(full_id(&c.id));
        }
        let src = self.repo.to_indexed().map_err(rerr)?;
        let dst = dest.repo.to_indexed_ids().map_err(rerr)?;
        src.copy(&dst, [&snap]).map_err(|e| anyhow!("copying snapshot {snapshot_id}: {e}"))?;
        let copies = dst.get_all_snapshots().map_err(rerr)?;
        copies
            .iter()
            .find(|s| is_copy(s))
            .map(|c| full_id(&c.id))
            .ok_or_else(|| anyhow!("the copy of snapshot {snapshot_id} is not in the replica repository"))
    }

    /// One snapshot by its id (or a unique prefix of it).
    pub fn snapshot(&self, id: &str) -> anyhow::Result<SnapshotFile> {
        let mut snaps = self.repo.get_snapshots(&[id]).map_err(|e| anyhow!("snapshot {id}: {e}"))?;
        snaps.pop().ok_or_else(|| anyhow!("snapshot {id} not found"))
    }

    /// Backs up `spec` into a new snapshot; the newest snapshot of the same host, label and paths is its parent.
    pub fn backup(self, spec: &BackupSpec) -> anyhow::Result<(Repo, BackupOutcome)> {
        let Repo { repo, path } = self;
        let repository_id = full_id(&repo.config().id);
        let mut globs = Vec::new();
        for p in &spec.exclude_paths {
            let p = p.trim_end_matches('/');
            if p.is_empty() {
                continue;
            }
            globs.push(format!("!{p}"));
        }
        for g in &spec.exclude_patterns {
            if !g.trim().is_empty() {
                globs.push(format!("!{}", g.trim()));
            }
        }
        let opts = BackupOptions::default().excludes(Excludes::default().globs(globs));
        let source: PathList = spec.include_paths.iter().cloned().collect();
        let source = source.sanitize().map_err(rerr)?;
        let mut snap_opts = SnapshotOptions::default().label(spec.label.clone()).host(spec.hostname.clone());
        if !spec.tags.is_empty() {
            snap_opts = snap_opts.add_tags(&spec.tags.join(",")).map_err(rerr)?;
        }
        let snap = snap_opts.to_snapshot().map_err(rerr)?;
        let indexed = repo.to_indexed_ids().map_err(rerr)?;
        let snap = indexed.backup(&opts, &source, snap).map_err(|e| anyhow!("backup failed: {e}"))?;
        let summary = snap.summary.clone().unwrap_or_default();
        let paths: Vec<String> = snap.paths.iter().map(|p| p.to_string()).collect();
        let outcome = BackupOutcome {
            snapshot_id: full_id(&snap.id),
            parent: snap.parent.map(|p| full_id(&p)),
            tree: snap.tree,
            completed_at: to_chrono(summary.backup_end.timestamp()),
            size_bytes: summary.total_bytes_processed,
            file_count: summary.total_files_processed,
            bytes_added: summary.data_added_packed,
            repository_id,
            paths,
        };
        Ok((Repo { repo: indexed.drop_index(), path }, outcome))
    }

    /// Removes the listed snapshots (those already gone count as removed) and, when asked, prunes.
    /// Returns the ids removed.
    pub fn forget(&self, ids: &[String], prune: bool) -> anyhow::Result<Vec<String>> {
        let all = self.snapshots()?;
        let mut to_delete = Vec::new();
        let mut forgotten = Vec::new();
        for id in ids {
            match all.iter().find(|s| matches_id(s, id)) {
                Some(s) => {
                    to_delete.push(s.id);
                    forgotten.push(id.clone());
                }
                // Already gone (a retried job): forgetting it again is a no-op.
                None => forgotten.push(id.clone()),
            }
        }
        if !to_delete.is_empty() {
            self.repo.delete_snapshots(&to_delete).map_err(|e| anyhow!("cannot remove snapshots: {e}"))?;
        }
        if prune {
            let opts = PruneOptions::default().instant_delete(true);
            let plan = self.repo.prune_plan(&opts).map_err(|e| anyhow!("prune: {e}"))?;
            self.repo.prune(&opts, plan).map_err(|e| anyhow!("prune: {e}"))?;
        }
        Ok(forgotten)
    }

    fn indexed(&self) -> anyhow::Result<Repository<impl IndexedFull>> {
        // `to_indexed` consumes the repository; open a second handle on the same backend.
        let be = backends(&self.path)?;
        let key = self.repo.key();
        let bare = Repository::new(&repo_options(), &be).map_err(rerr)?;
        let open = bare.open(&Credentials::Masterkey(key)).map_err(rerr)?;
        open.to_indexed().map_err(rerr)
    }

    /// The entries of one directory of a snapshot (`/` is its root).
    pub fn browse(&self, snapshot_id: &str, dir: &str, limit: usize) -> anyhow::Result<Vec<SnapshotEntry>> {
        let snap = self.snapshot(snapshot_id)?;
        let repo = self.indexed()?;
        let dir = normalise(dir);
        let node =
            repo.node_from_snapshot_and_path(&snap, &dir).map_err(|e| anyhow!("{dir} is not in the snapshot: {e}"))?;
        if !node.is_dir() {
            return Ok(vec![entry(&dir, &node)]);
        }
        let mut out = Vec::new();
        for item in repo.ls(&node, &LsOptions::default().recursive(false)).map_err(rerr)? {
            let (rel, node) = item.map_err(rerr)?;
            let full = join(&dir, &rel);
            out.push(entry(&full, &node));
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Files and directories of a snapshot whose name contains `query`, or, when it has `*`, `?`
    /// or `[`, whose name matches it as a glob (a glob with a `/` is matched against the whole
    /// path); case-insensitive.
    pub fn search(&self, snapshot_id: &str, query: &str, limit: usize) -> anyhow::Result<Vec<SnapshotEntry>> {
        let snap = self.snapshot(snapshot_id)?;
        let repo = self.indexed()?;
        let q = query.trim();
        let glob = if q.contains(['*', '?', '[']) {
            Some(
                globset::GlobBuilder::new(q).case_insensitive(true).literal_separator(false).build()?.compile_matcher(),
            )
        } else {
            None
        };
        let needle = q.to_lowercase();
        let root = repo.node_from_snapshot_and_path(&snap, "").map_err(rerr)?;
        let mut out = Vec::new();
        for item in repo.ls(&root, &LsOptions::default().recursive(true)).map_err(rerr)? {
            let (rel, node) = item.map_err(rerr)?;
            let full = join("/", &rel);
            let name = node.name().to_string_lossy().to_string();
            let hit = match &glob {
                // A glob with a `/` is matched against the whole path, else against the name.
                Some(g) if q.contains('/') => g.is_match(&full),
                Some(g) => g.is_match(&name),
                None => name.to_lowercase().contains(&needle),
            };
            if hit {
                out.push(entry(&full, &node));
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Restores `paths` of a snapshot under `target`, each at its own path inside it
    /// (`/srv/data/a.txt` to `<target>/srv/data/a.txt`). Without `overwrite`, files that exist are
    /// left alone. Returns the number of files written.
    pub fn restore(&self, snapshot_id: &str, paths: &[String], target: &Path, overwrite: bool) -> anyhow::Result<u64> {
        let snap = self.snapshot(snapshot_id)?;
        let repo = self.indexed()?;
        let mut restored = 0;
        for p in paths {
            let p = normalise(p);
            let node =
                repo.node_from_snapshot_and_path(&snap, &p).map_err(|e| anyhow!("{p} is not in the snapshot: {e}"))?;
            let dest_path = target.join(p.trim_start_matches('/'));
            let ls_opts = LsOptions::default().recursive(true);
            let dest_root = dest_path.clone();
            let is_dir = node.is_dir();
            // Without overwrite, leave out every file that already exists at its destination.
            let keep = move |item: &rustic_core::RusticResult<(PathBuf, Node)>| -> bool {
                if overwrite {
                    return true;
                }
                match item {
                    Ok((rel, node)) if !node.is_dir() => {
                        let d = if rel.as_os_str().is_empty() { dest_root.clone() } else { dest_root.join(rel) };
                        std::fs::symlink_metadata(d).is_err()
                    }
                    _ => true,
                }
            };
            let dest_str = if is_dir { format!("{}/", dest_path.display()) } else { dest_path.display().to_string() };
            if !is_dir && let Some(parent) = dest_path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let dest = LocalDestination::new(&dest_str, true, !is_dir).map_err(rerr)?;
            let opts = RestoreOptions::default();
            let streamer = repo.ls(&node, &ls_opts).map_err(rerr)?.filter(keep.clone());
            let plan =
                repo.prepare_restore(&opts, streamer, &dest, false).map_err(|e| anyhow!("restore of {p}: {e}"))?;
            restored += plan.stats.files.restore;
            let streamer = repo.ls(&node, &ls_opts).map_err(rerr)?.filter(keep);
            repo.restore(plan, &opts, streamer, &dest).map_err(|e| anyhow!("restore of {p}: {e}"))?;
        }
        Ok(restored)
    }

    /// Checks the repository's structure for the given snapshots (all when empty), then reads back
    /// `sample` files of each (decrypting and authenticating every blob) and compares their length.
    pub fn verify(&self, snapshot_ids: &[String], sample: u32) -> anyhow::Result<Vec<VerifyOutcome>> {
        let all = self.snapshots()?;
        let snaps: Vec<SnapshotFile> = if snapshot_ids.is_empty() {
            all
        } else {
            let mut v = Vec::new();
            for id in snapshot_ids {
                match all.iter().find(|s| matches_id(s, id)) {
                    Some(s) => v.push(s.clone()),
                    None => v.push(SnapshotFile {
                        id: Default::default(),
                        label: format!("missing:{id}"),
                        ..Default::default()
                    }),
                }
            }
            v
        };
        let trees: Vec<_> = snaps.iter().filter(|s| !s.label.starts_with("missing:")).map(|s| s.tree).collect();
        let check = self.repo.check_with_trees(CheckOptions::default(), trees).map_err(|e| anyhow!("check: {e}"))?;
        let structural: Vec<String> =
            check.0.iter().filter(|(level, _)| format!("{level:?}") == "Error").map(|(_, e)| e.to_string()).collect();
        let repo = if sample > 0 { Some(self.indexed()?) } else { None };
        let mut out = Vec::new();
        for s in &snaps {
            if let Some(id) = s.label.strip_prefix("missing:") {
                out.push(VerifyOutcome {
                    snapshot_id: id.to_string(),
                    status: VerificationStatus::Failed,
                    checked_files: 0,
                    errors: vec![format!("snapshot {id} is not in the repository")],
                });
                continue;
            }
            let mut errors = structural.clone();
            let mut checked = 0u64;
            let mut sample_errors = 0u64;
            if let Some(repo) = &repo {
                let (c, errs) = read_back(repo, s, sample as usize)?;
                checked = c;
                sample_errors = errs.len() as u64;
                errors.extend(errs);
            }
            let status = if !structural.is_empty() {
                VerificationStatus::Failed
            } else if sample_errors == 0 {
                VerificationStatus::Passed
            } else if sample_errors < checked {
                VerificationStatus::Partial
            } else {
                VerificationStatus::Failed
            };
            out.push(VerifyOutcome { snapshot_id: full_id(&s.id), status, checked_files: checked, errors });
        }
        Ok(out)
    }
}

/// Reads back up to `sample` files of a snapshot, spread over the snapshot. Returns the files read
/// and the errors found.
fn read_back(
    repo: &Repository<impl IndexedFull>,
    snap: &SnapshotFile,
    sample: usize,
) -> anyhow::Result<(u64, Vec<String>)> {
    let root = repo.node_from_snapshot_and_path(snap, "").map_err(rerr)?;
    let mut files = Vec::new();
    for item in repo.ls(&root, &LsOptions::default().recursive(true)).map_err(rerr)? {
        let (rel, node) = item.map_err(rerr)?;
        if node.is_file() {
            files.push((rel, node));
        }
    }
    if files.is_empty() || sample == 0 {
        return Ok((0, Vec::new()));
    }
    let step = (files.len() as f64 / sample.min(files.len()) as f64).max(1.0);
    let mut errors = Vec::new();
    let mut checked = 0;
    let mut i = 0.0;
    while (i as usize) < files.len() && checked < sample as u64 {
        let (rel, node) = &files[i as usize];
        checked += 1;
        let mut sink = CountingSink::default();
        match repo.dump(node, &mut sink) {
            Ok(()) if sink.0 == node.meta.size => {}
            Ok(()) => {
                errors.push(format!("/{}: read back {} bytes, expected {}", rel.display(), sink.0, node.meta.size))
            }
            Err(e) => errors.push(format!("/{}: {e}", rel.display())),
        }
        i += step;
    }
    Ok((checked, errors))
}

#[derive(Default)]
struct CountingSink(u64);

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The full (64 hex digit) form of a repository id; `Display` gives only the first 8.
fn full_id<T: std::ops::Deref<Target = rustic_core::Id>>(id: &T) -> String {
    (**id).to_hex().as_str().to_string()
}

/// Whether a snapshot has this id, or an id that starts with it (at least 8 hex digits).
fn matches_id(s: &SnapshotFile, id: &str) -> bool {
    let id = id.trim().to_ascii_lowercase();
    id.len() >= 8 && full_id(&s.id).starts_with(&id)
}

fn normalise(p: &str) -> String {
    let t = p.trim();
    if t.is_empty() || t == "/" {
        return "/".to_string();
    }
    let t = t.trim_end_matches('/');
    if t.starts_with('/') { t.to_string() } else { format!("/{t}") }
}

fn join(dir: &str, rel: &Path) -> String {
    let rel = rel.to_string_lossy();
    if rel.is_empty() {
        return dir.to_string();
    }
    if dir.ends_with('/') { format!("{dir}{rel}") } else { format!("{dir}/{rel}") }
}

fn entry(path: &str, node: &Node) -> SnapshotEntry {
    SnapshotEntry {
        path: path.to_string(),
        is_dir: node.is_dir(),
        size: if node.is_dir() { 0 } else { node.meta.size },
        modified_at: node.meta.mtime.map(to_chrono),
    }
}

/// Capacity of the file system holding `path` (or its nearest existing ancestor):
/// (total, used, free) bytes, free as available to unprivileged users.
pub fn capacity(path: &Path) -> anyhow::Result<(u64, u64, u64)> {
    let mut p = path.to_path_buf();
    while !p.exists() {
        if !p.pop() {
            anyhow::bail!("{} has no existing ancestor", path.display());
        }
    }
    statvfs(&p)
}

#[cfg(unix)]
fn statvfs(p: &Path) -> anyhow::Result<(u64, u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(p.as_os_str().as_bytes())?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` a properly sized out-parameter.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error()).with_context(|| format!("statvfs {}", p.display()));
    }
    let frsize = if st.f_frsize > 0 { st.f_frsize as u64 } else { st.f_bsize as u64 };
    let total = st.f_blocks as u64 * frsize;
    let used = (st.f_blocks as u64).saturating_sub(st.f_bfree as u64) * frsize;
    let free = (st.f_bavail as u64 * frsize).min(total - used);
    Ok((total, used, free))
}

#[cfg(not(unix))]
fn statvfs(p: &Path) -> anyhow::Result<(u64, u64, u64)> {
    anyhow::bail!("capacity of {} is not measured on this platform", p.display())
}
