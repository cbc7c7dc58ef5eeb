//! Backup throughput of the reference engine: generates a directory of mixed files (random,
//! compressible text, duplicates) and backs it up twice into a fresh repository: a first (full)
//! backup, then an incremental one after changing a few files. Prints MB/s for each.
//!
//! ```text
//! cargo run --release -p bc-engine --example throughput -- [SIZE_MB] [WORK_DIR]
//! ```
//! SIZE_MB defaults to 1024; WORK_DIR to a temp dir (deleted afterwards).

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use bc_engine::repo::{BackupSpec, Repo};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

const WORDS: &[&str] =
    &["backup", "restore", "snapshot", "invoice", "customer", "policy", "engine", "retention", "server", "report"];

/// About `total` bytes: 50 % random files (64 KiB..8 MiB), 30 % compressible text, 20 % copies.
fn generate(root: &Path, total: u64) -> std::io::Result<(u64, u64)> {
    let mut rng = Rng(0x9E3779B97F4A7C15);
    let mut written = 0u64;
    let mut files = 0u64;
    let mut originals = Vec::new();
    let mut i = 0;
    while written < total {
        let dir = root.join(format!("d{:03}", i % 40));
        fs::create_dir_all(&dir)?;
        let kind = rng.next() % 10;
        let path = dir.join(format!("f{i:06}"));
        let len = if kind < 5 {
            let len = 64 * 1024 + (rng.next() % (8 * 1024 * 1024)) as usize;
            let mut buf = vec![0u8; len];
            rng.fill(&mut buf);
            fs::write(&path, &buf)?;
            originals.push(path.clone());
            len
        } else if kind < 8 {
            let target = 16 * 1024 + (rng.next() % (2 * 1024 * 1024)) as usize;
            let mut f = std::io::BufWriter::new(fs::File::create(&path)?);
            let mut n = 0;
            while n < target {
                let line = format!(
                    "{} {} {} line {}\n",
                    WORDS[(rng.next() % 10) as usize],
                    WORDS[(rng.next() % 10) as usize],
                    rng.next() % 1000,
                    n
                );
                f.write_all(line.as_bytes())?;
                n += line.len();
            }
            f.flush()?;
            n
        } else if !originals.is_empty() {
            let src = &originals[(rng.next() as usize) % originals.len()];
            fs::copy(src, &path)? as usize
        } else {
            continue;
        };
        written += len as u64;
        files += 1;
        i += 1;
    }
    Ok((written, files))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let size_mb: u64 = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(1024);
    let tmp = tempfile::tempdir()?;
    let work = args.get(2).map(std::path::PathBuf::from).unwrap_or_else(|| tmp.path().to_path_buf());
    let src = work.join("source");
    let repo_dir = work.join("repo");
    let _ = fs::remove_dir_all(&src);
    let _ = fs::remove_dir_all(&repo_dir);
    let t = Instant::now();
    let (bytes, files) = generate(&src, size_mb * 1024 * 1024)?;
    println!("generated {files} files, {:.0} MB in {:.1} s", bytes as f64 / 1e6, t.elapsed().as_secs_f64());
    let spec = BackupSpec {
        hostname: "bench".into(),
        label: "bench".into(),
        tags: vec![],
        include_paths: vec![src.clone()],
        exclude_paths: vec![],
        exclude_patterns: vec![],
    };
    let t = Instant::now();
    let repo = Repo::open_or_init(&repo_dir, "bench-password", None)?;
    let (repo, first) = repo.backup(&spec)?;
    let d1 = t.elapsed().as_secs_f64();
    println!(
        "first backup:       {:.0} MB in {:.1} s = {:.0} MB/s; {:.0} MB stored (dedup + compression)",
        first.size_bytes as f64 / 1e6,
        d1,
        first.size_bytes as f64 / 1e6 / d1,
        first.bytes_added as f64 / 1e6
    );
    drop(repo);
    // Change a few files, add one.
    for (n, e) in fs::read_dir(src.join("d000"))?.take(5).enumerate() {
        let p = e?.path();
        let mut f = fs::OpenOptions::new().append(true).open(&p)?;
        writeln!(f, "changed {n}")?;
    }
    fs::write(src.join("d001/new-file"), vec![42u8; 1_000_000])?;
    let t = Instant::now();
    let repo = Repo::open_or_init(&repo_dir, "bench-password", None)?;
    let (_repo, second) = repo.backup(&spec)?;
    let d2 = t.elapsed().as_secs_f64();
    println!(
        "incremental backup: {:.0} MB in {:.1} s = {:.0} MB/s; {:.1} MB stored; parent {}",
        second.size_bytes as f64 / 1e6,
        d2,
        second.size_bytes as f64 / 1e6 / d2,
        second.bytes_added as f64 / 1e6,
        second.parent.as_deref().unwrap_or("none")
    );
    Ok(())
}
