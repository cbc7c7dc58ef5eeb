//! `FileSecrets`: integration credentials encrypted at rest with AES-256-GCM
//! under a key file of the data folder (`secrets.key`, created on first use,
//! readable by the owner only). Each secret is `secrets/<name>.enc`: a
//! random 96-bit nonce followed by the ciphertext.

use std::path::PathBuf;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use async_trait::async_trait;
use bc_core::ports::{PortError, PortResult, SecretName, Secrets};

pub struct FileSecrets {
    key_file: PathBuf,
    dir: PathBuf,
}

fn io(what: &str) -> impl Fn(std::io::Error) -> PortError + '_ {
    move |e| PortError::Backend(format!("secrets {what}: {e}"))
}

impl FileSecrets {
    pub fn new(data_dir: &std::path::Path) -> FileSecrets {
        FileSecrets { key_file: data_dir.join("secrets.key"), dir: data_dir.join("secrets") }
    }

    fn cipher(&self, create: bool) -> PortResult<Option<Aes256Gcm>> {
        let key = match std::fs::read(&self.key_file) {
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let key: [u8; 32] = rand::random();
                write_private(&self.key_file, &key).map_err(io("key file"))?;
                key.to_vec()
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("key file")(e)),
        };
        if key.len() != 32 {
            return Err(PortError::Backend(format!("{} is not a 32-byte key", self.key_file.display())));
        }
        Ok(Some(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key))))
    }

    fn path(&self, name: SecretName) -> PathBuf {
        self.dir.join(format!("{}.enc", name.as_str()))
    }
}

/// Creates a file only its owner can read (0600 on Unix).
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let tmp = path.with_extension(format!("tmp{}", rand::random::<u32>()));
    let mut f = opts.open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[async_trait]
impl Secrets for FileSecrets {
    async fn get(&self, name: SecretName) -> PortResult<Option<String>> {
        let data = match std::fs::read(self.path(name)) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("read")(e)),
        };
        let cipher = self.cipher(false)?.ok_or(PortError::Backend("secrets.key is missing".into()))?;
        if data.len() < 12 {
            return Err(PortError::Backend(format!("secret {} is corrupt", name.as_str())));
        }
        let (nonce, ct) = data.split_at(12);
        let plain = cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| PortError::Backend(format!("secret {} does not decrypt with secrets.key", name.as_str())))?;
        let s = String::from_utf8(plain).map_err(|_| PortError::Backend("secret is not UTF-8".into()))?;
        Ok(Some(s).filter(|s| !s.is_empty()))
    }

    async fn put(&self, name: SecretName, value: &str) -> PortResult<()> {
        let cipher = self.cipher(true)?.ok_or(PortError::Backend("secrets.key is missing".into()))?;
        let nonce: [u8; 12] = rand::random();
        let mut out = nonce.to_vec();
        out.extend(
            cipher
                .encrypt(Nonce::from_slice(&nonce), value.as_bytes())
                .map_err(|_| PortError::Backend("encryption failed".into()))?,
        );
        std::fs::create_dir_all(&self.dir).map_err(io("folder"))?;
        write_private(&self.path(name), &out).map_err(io("write"))
    }
}
