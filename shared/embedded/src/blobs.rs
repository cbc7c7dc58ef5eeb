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

    /// Keys are relative, `/`-separated, without `.`/`..` segments.
    fn path(&self, key: &str) -> PortResult<PathBuf> {
        let ok = !key.is_empty()
            && key.len() <= 1024
            && !key.starts_with('/')
            && key.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
            && !key.contains('\\')
            && !key.contains('\0');
        if !ok {
            return Err(PortError::Invalid(format!("invalid blob key {key:?}")));
        }
        Ok(self.root.join(key))
    }
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
