//! What the engine keeps on its own machine (the state directory): its engine id and Ed25519 seed
//! after registration, and the password of its repositories. Every file is written 0600.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

const IDENTITY_FILE: &str = "identity.json";
const PASSWORD_FILE: &str = "repository-password";

/// The engine's registration: its id and the 32-byte Ed25519 seed (hex).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Identity {
    pub engine_id: String,
    pub key_seed_hex: String,
    pub server: String,
}

impl Identity {
    pub fn seed(&self) -> anyhow::Result<[u8; 32]> {
        let bytes = hex::decode(&self.key_seed_hex).context("identity.json: key_seed_hex is not hex")?;
        bytes.try_into().map_err(|_| anyhow::anyhow!("identity.json: key_seed_hex is not 32 bytes"))
    }
}

#[derive(Debug, Clone)]
pub struct StateDir {
    dir: PathBuf,
}

/// Writes a file readable by its owner only (0600 on unix), atomically (temp file + rename).
pub fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        f.write_all(contents)?;
        f.sync_all()?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600))?;
    }
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    use rand::RngCore;
    let mut b = [0u8; N];
    rand::rng().fill_bytes(&mut b);
    b
}

impl StateDir {
    /// Opens (creating, 0700) the state directory.
    pub fn open(dir: impl Into<PathBuf>) -> anyhow::Result<StateDir> {
        let dir = dir.into();
        fs::create_dir_all(&dir).with_context(|| format!("cannot create the state directory {}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))?;
        }
        Ok(StateDir { dir })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn identity(&self) -> anyhow::Result<Option<Identity>> {
        let p = self.dir.join(IDENTITY_FILE);
        match fs::read(&p) {
            Ok(bytes) => {
                Ok(Some(serde_json::from_slice(&bytes).with_context(|| format!("{} is not valid", p.display()))?))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", p.display())),
        }
    }

    pub fn save_identity(&self, identity: &Identity) -> anyhow::Result<()> {
        write_private(&self.dir.join(IDENTITY_FILE), &serde_json::to_vec_pretty(identity)?)
    }

    /// The repositories' password: generated once (32 random bytes, hex), kept here, never sent.
    pub fn repository_password(&self) -> anyhow::Result<String> {
        let p = self.dir.join(PASSWORD_FILE);
        match fs::read_to_string(&p) {
            Ok(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            Ok(_) => anyhow::bail!("{} is empty", p.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let pw = hex::encode(random_bytes::<32>());
                write_private(&p, pw.as_bytes())?;
                Ok(pw)
            }
            Err(e) => Err(e).with_context(|| format!("cannot read {}", p.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_stable_and_private() {
        let t = tempfile::tempdir().unwrap();
        let s = StateDir::open(t.path().join("state")).unwrap();
        let a = s.repository_password().unwrap();
        let b = s.repository_password().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(s.path().join(PASSWORD_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(s.identity().unwrap().is_none());
        let id = Identity { engine_id: "bes1".into(), key_seed_hex: hex::encode([7u8; 32]), server: "http://x".into() };
        s.save_identity(&id).unwrap();
        assert_eq!(s.identity().unwrap().unwrap().seed().unwrap(), [7u8; 32]);
    }
}
