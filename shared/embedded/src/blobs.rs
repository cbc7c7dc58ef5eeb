//! `FsBlobs`: blobs as files under one folder. Keys map to relative paths;
//! writes go to a temporary file and are renamed into place.

use std::path::PathBuf;

use async_trait::async_trait;
use bc_core::ports::{Blobs, PortError, PortResult};

pub struct FsBlobs {
    root: PathBuf,
}

impl FsBlobs {
    pub fn new(root: PathBuf) -> std::io::Result<FsBlobs> {
        std::fs::create_dir_all(&root)?;
        Ok(FsBlobs { root })
    }

    /// Where a key lives: `{first segment}/{two hex digits}/{rest}` with the
    /// rest's `/` written as `~`. A fixed set of shard folders instead of a
    /// folder per mail: creating directories dominated ingest time (ext4
    /// spreads new directories over block groups).
    fn path(&self, key: &str) -> PortResult<PathBuf> {
        let ok = !key.is_empty()
            && key.len() <= 1024
            && !key.starts_with('/')
            && key.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
            && !key.contains(['\\', '\0', '~']);
        if !ok {
            return Err(PortError::Invalid(format!("invalid blob key {key:?}")));
        }
        let (top, rest) = key.split_once('/').unwrap_or(("root", key));
        let shard = format!("{:02x}", fnv1a(key.as_bytes()) as u8);
        Ok(self.root.join(top).join(shard).join(rest.replace('/', "~")))
    }
}

/// A small stable hash to spread keys over the shard folders.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100000001b3))
}

fn io<'a>(op: &'static str, key: &'a str) -> impl Fn(std::io::Error) -> PortError + 'a {
    move |e| PortError::Backend(format!("blob {op} {key}: {e}"))
}

#[async_trait]
impl Blobs for FsBlobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, _content_type: &str) -> PortResult<()> {
        let path = self.path(key)?;
        // One blocking hop for mkdir + write + rename, not three.
        let owned = key.to_string();
        tokio::task::spawn_blocking(move || {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io("mkdir", &owned))?;
            }
            let tmp = path.with_extension(format!("tmp{}", rand::random::<u32>()));
            std::fs::write(&tmp, &bytes).map_err(io("write", &owned))?;
            std::fs::rename(&tmp, &path).map_err(io("rename", &owned))
        })
        .await
        .map_err(|e| PortError::Backend(format!("blob put {key}: {e}")))?
    }

    async fn get(&self, key: &str) -> PortResult<Option<Vec<u8>>> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("read", key)(e)),
        }
    }

    async fn delete(&self, key: &str) -> PortResult<()> {
        let path = self.path(key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io("delete", key)(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_into_shards_and_cannot_escape() {
        let dir = tempfile::tempdir().unwrap();
        let b = FsBlobs::new(dir.path().to_path_buf()).unwrap();
        let p = b.path("mail/m123/body.html").unwrap();
        assert!(p.starts_with(dir.path().join("mail")));
        assert!(p.file_name().unwrap().to_str().unwrap() == "m123~body.html");
        assert_eq!(p, b.path("mail/m123/body.html").unwrap(), "stable");
        for bad in ["", "/etc/passwd", "../x", "a/../b", "a//b", "a/./b", "a\\b", "a~b", "a\0b"] {
            assert!(b.path(bad).is_err(), "{bad:?}");
        }
    }
}
