//! `backupchecks-engine`: the reference backup engine's command line.
//!
//! ```text
//! backupchecks-engine run --server http://127.0.0.1:8080 --state-dir /var/lib/backupchecks-engine \
//!     --registration-secret bcr_...
//! ```

use std::path::PathBuf;

use anyhow::Context;
use bc_engine::{Engine, EngineConfig};
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "backupchecks-engine", version, about = "The Backupchecks reference backup engine (BES)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Register if needed, then heartbeat, poll and run jobs until SIGINT/SIGTERM.
    Run(Opts),
    /// Register if needed, one heartbeat, one poll, run the jobs it got, print a summary (JSON), exit.
    Once(Opts),
    /// Register (first run only) and print the engine id.
    Register(Opts),
}

#[derive(Args, Clone)]
struct Opts {
    /// A JSON file with the engine's settings (keys as in EngineConfig: server, state_dir,
    /// registration_secret, name, hostname, host_aliases, ...); flags override it.
    #[arg(long, env = "BC_ENGINE_CONFIG")]
    config: Option<PathBuf>,
    /// Backupchecks' base URL.
    #[arg(long, env = "BC_ENGINE_SERVER")]
    server: Option<String>,
    /// Where the engine keeps its identity and repository password.
    #[arg(long, env = "BC_ENGINE_STATE_DIR")]
    state_dir: Option<PathBuf>,
    /// The registration secret (first run only).
    #[arg(long, env = "BC_ENGINE_REGISTRATION_SECRET", hide_env_values = true)]
    registration_secret: Option<String>,
    /// The engine's name in Backupchecks (default: the host name).
    #[arg(long)]
    name: Option<String>,
    /// This machine's host name as reported (default: the system's).
    #[arg(long)]
    hostname: Option<String>,
    /// Concurrent jobs.
    #[arg(long)]
    max_concurrent_jobs: Option<usize>,
}

impl Opts {
    fn to_config(&self) -> anyhow::Result<EngineConfig> {
        let mut cfg = match &self.config {
            Some(p) => {
                let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
                serde_json::from_slice(&bytes)
                    .with_context(|| format!("{} is not a valid engine configuration", p.display()))?
            }
            None => EngineConfig::default(),
        };
        if let Some(v) = &self.server {
            cfg.server = v.clone();
        }
        if let Some(v) = &self.state_dir {
            cfg.state_dir = v.clone();
        }
        if let Some(v) = &self.registration_secret {
            cfg.registration_secret = Some(v.clone());
        }
        if let Some(v) = &self.name {
            cfg.name = v.clone();
        }
        if let Some(v) = &self.hostname {
            cfg.hostname = Some(v.clone());
        }
        if let Some(v) = self.max_concurrent_jobs {
            cfg.max_concurrent_jobs = v;
        }
        Ok(cfg)
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down after the running jobs (signal again to stop now)");
    tokio::spawn(async {
        let _ = tokio::signal::ctrl_c().await;
        std::process::exit(130);
    });
}

#[tokio::main]
async fn main() {
    if let Err(e) = real_main().await {
        eprintln!("backupchecks-engine: {e:#}");
        std::process::exit(1);
    }
}

async fn real_main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,rustic_core=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Run(o) => {
            let engine = Engine::new(o.to_config()?)?;
            engine.run(shutdown_signal()).await
        }
        Command::Once(o) => {
            let engine = Engine::new(o.to_config()?)?;
            let r = engine.run_once().await?;
            let summary = serde_json::json!({
                "engine_id": engine.engine_id(),
                "status": r.heartbeat.status,
                "next_poll_seconds": r.next_poll_seconds,
                "results": r.results.iter().map(|(id, res)| serde_json::json!({"job_id": id, "result": res})).collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&summary)?);
            Ok(())
        }
        Command::Register(o) => {
            let engine = Engine::new(o.to_config()?)?;
            println!("{}", engine.register_if_needed().await?);
            Ok(())
        }
    }
}
