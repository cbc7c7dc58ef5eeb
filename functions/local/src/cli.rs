//! The command line: `serve`, `ingest`, `parse`, `admin create-user`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use bc_api_types::Role;
use bc_core::{App, Config, SystemClock};
use bc_embedded::Embedded;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "backupchecks", version, about = "Backup report monitoring for MSPs")]
pub struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the API, the UI, the drop folder, the scheduler and the workers in one process.
    Serve(crate::serve::ServeArgs),
    /// Ingest .eml files into the store, as if they had arrived by mail.
    Ingest {
        #[arg(long, default_value = "data", env = "BACKUPCHECKS_DATA")]
        data: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Parse .eml files and print one JSON object per file (nothing is stored).
    Parse {
        /// Parse options as JSON, e.g. `{"keyword_rules": [...]}` (the same
        /// rules as Settings > Keyword rules).
        #[arg(long)]
        options: Option<PathBuf>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Administration.
    Admin {
        #[command(subcommand)]
        cmd: AdminCmd,
    },
}

#[derive(Subcommand)]
enum AdminCmd {
    /// Store an integration credential (autotask, storage, platforms), encrypted with the
    /// data folder's key; the value is read from standard input.
    SetSecret {
        #[arg(long, default_value = "data", env = "BACKUPCHECKS_DATA")]
        data: PathBuf,
        #[arg(long)]
        name: String,
    },
    /// Create a user; the password is read from standard input.
    CreateUser {
        #[arg(long, default_value = "data", env = "BACKUPCHECKS_DATA")]
        data: PathBuf,
        #[arg(long)]
        username: String,
        /// admin, operator, reporter or viewer
        #[arg(long)]
        role: String,
    },
}

/// The core on the embedded adapters of a data folder.
pub fn embedded_app(data: &Path, config: Config) -> anyhow::Result<(App, Embedded)> {
    let e = Embedded::open(data).with_context(|| format!("opening the data folder {}", data.display()))?;
    let app = e.app(config, Arc::new(SystemClock));
    Ok((app, e))
}

pub async fn run(cli: Cli) -> ExitCode {
    let result = match cli.cmd {
        Cmd::Parse { options, files } => return crate::parse_cmd::run(options.as_deref(), &files),
        Cmd::Serve(args) => crate::serve::run(args).await,
        Cmd::Ingest { data, files } => ingest(&data, &files).await,
        Cmd::Admin { cmd: AdminCmd::CreateUser { data, username, role } } => create_user(&data, &username, &role).await,
        Cmd::Admin { cmd: AdminCmd::SetSecret { data, name } } => set_secret(&data, &name).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn ingest(data: &Path, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let (app, _e) = embedded_app(data, Config::default())?;
    let mut code = ExitCode::SUCCESS;
    for f in files {
        let too_large = std::fs::metadata(f).is_ok_and(|m| m.len() > bc_parsers::MAX_MAIL_BYTES as u64);
        if too_large {
            eprintln!("error: {}: larger than a mail may be ({} bytes)", f.display(), bc_parsers::MAX_MAIL_BYTES);
            code = ExitCode::from(1);
            continue;
        }
        let raw = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {}: {e}", f.display());
                code = ExitCode::from(2);
                continue;
            }
        };
        match app.ingest_bytes(raw).await {
            Ok(out) => {
                let line = serde_json::json!({
                    "file": f.display().to_string(),
                    "mail_id": out.mail.id,
                    "state": out.mail.state,
                    "duplicate": out.duplicate,
                    "parsed": out.mail.parse.ok,
                    "error": out.mail.parse.error,
                    "job_id": out.mail.job_id,
                    "run_id": out.mail.run_id,
                });
                println!("{line}");
            }
            Err(e) => {
                eprintln!("error: {}: {e}", f.display());
                code = ExitCode::from(1);
            }
        }
    }
    Ok(code)
}

async fn create_user(data: &Path, username: &str, role: &str) -> anyhow::Result<ExitCode> {
    let role: Role = role.parse().map_err(anyhow::Error::msg)?;
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password).context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    let (app, _e) = embedded_app(data, Config::default())?;
    let user = app.create_user_unchecked(username, password, role).await?;
    println!("created {} ({})", user.username, user.role);
    Ok(ExitCode::SUCCESS)
}

async fn set_secret(data: &Path, name: &str) -> anyhow::Result<ExitCode> {
    let name: bc_core::SecretName = name.parse().map_err(anyhow::Error::msg)?;
    let mut value = String::new();
    std::io::stdin().read_to_string(&mut value).context("reading the value from standard input")?;
    let (app, _e) = embedded_app(data, Config::default())?;
    app.secrets.put(name, value.trim_end_matches(['\r', '\n'])).await?;
    println!("stored the {} secret (encrypted)", name.as_str());
    Ok(ExitCode::SUCCESS)
}
