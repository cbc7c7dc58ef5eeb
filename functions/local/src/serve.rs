//! `backupchecks serve`: the API and the UI, the drop folder, the scheduler
//! tick and the queue worker, in one process on one data folder.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use bc_core::{App, Config};
use bc_http::HttpOptions;

use crate::supervise::supervise;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The data folder (created if missing).
    #[arg(long, default_value = "data", env = "BACKUPCHECKS_DATA")]
    data: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "BACKUPCHECKS_ADDR")]
    addr: SocketAddr,
    /// The built frontend (index.html and the wasm bundle).
    #[arg(long, default_value = "frontend/dist", env = "BACKUPCHECKS_FRONTEND")]
    frontend: PathBuf,
    /// Base URL of the UI, for links in mail.
    #[arg(long, env = "BACKUPCHECKS_PUBLIC_URL")]
    public_url: Option<String>,
    /// Mark the session cookie Secure (when served over HTTPS via a proxy).
    #[arg(long, env = "BACKUPCHECKS_SECURE_COOKIE")]
    secure_cookie: bool,
    /// Proxies in front of this server that append to X-Forwarded-For (0: none).
    #[arg(long, default_value_t = 0, env = "BACKUPCHECKS_FORWARDED_FOR_HOPS")]
    forwarded_for_hops: usize,
    /// Host names (host:port, comma-separated) the server answers to, against
    /// DNS rebinding; `*` turns the check off. Default: the listen address,
    /// localhost and 127.0.0.1, each with the listen port.
    #[arg(long, env = "BACKUPCHECKS_ALLOWED_HOSTS", value_delimiter = ',')]
    allowed_hosts: Vec<String>,
    /// Days audit entries are kept.
    #[arg(long, default_value_t = 730, env = "BACKUPCHECKS_AUDIT_RETENTION_DAYS")]
    audit_retention_days: u32,
    /// Seconds between scheduler ticks.
    #[arg(long, default_value_t = 60)]
    tick_secs: u64,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .init();
    let config = Config {
        public_url: args.public_url.clone().unwrap_or_else(|| format!("http://{}", args.addr)),
        audit_retention_days: args.audit_retention_days.max(1),
        ..Config::default()
    };
    let (app, embedded) = crate::cli::embedded_app(&args.data, config)?;

    if let Some((user, password)) = app.bootstrap_admin().await? {
        println!(
            "\n  First start: created the admin user.\n    username: {user}\n    password: {password}\n  It is shown only now; change it after signing in.\n"
        );
    }

    let frontend = if args.frontend.join("index.html").is_file() {
        Some(args.frontend.clone())
    } else {
        tracing::warn!(dir = %args.frontend.display(), "no built frontend here; serving the API only");
        None
    };
    let router = bc_http::router(
        app.clone(),
        HttpOptions {
            cookie_secure: args.secure_cookie,
            frontend_dir: frontend,
            forwarded_for_hops: args.forwarded_for_hops,
        },
    );
    let allowed_hosts: Vec<String> =
        args.allowed_hosts.iter().map(|h| h.trim().to_string()).filter(|h| !h.is_empty()).collect();
    let allowed_hosts =
        if allowed_hosts.is_empty() { bc_http::default_allowed_hosts(args.addr) } else { allowed_hosts };
    tracing::info!(hosts = %allowed_hosts.join(","), "answering to these Host names (--allowed-hosts)");
    let router = bc_http::restrict_hosts(router, Some(allowed_hosts));

    let drop_dir = embedded.drop_dir();
    std::fs::create_dir_all(&drop_dir).with_context(|| format!("creating {}", drop_dir.display()))?;
    // Each loop restarts after a panic (with a growing pause and a log line).
    let restarts = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (a, d) = (app.clone(), drop_dir.clone());
    supervise("drop folder", restarts.clone(), move || drop_folder(a.clone(), d.clone()));
    let (a, every) = (app.clone(), Duration::from_secs(args.tick_secs.max(1)));
    supervise("scheduler", restarts.clone(), move || scheduler(a.clone(), every));
    let (a, n) = (app.clone(), embedded.queue.notifier());
    supervise("queue worker", restarts, move || worker(a.clone(), n.clone()));

    let listener =
        tokio::net::TcpListener::bind(args.addr).await.with_context(|| format!("listening on {}", args.addr))?;
    println!(
        "Backupchecks is running at http://{}  (data: {}, drop folder: {})",
        args.addr,
        args.data.display(),
        drop_dir.display()
    );
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving HTTP")?;
    Ok(ExitCode::SUCCESS)
}

/// Files younger than this may still be being written.
const SETTLE: Duration = Duration::from_millis(500);

/// Ingests every settled `*.eml` in the drop folder; ingested files are
/// removed (the raw mail is in the blob store), failures move to `failed/`
/// with a `.error.txt` beside them.
async fn drop_folder(app: App, dir: PathBuf) {
    loop {
        if let Err(e) = scan_drop_folder(&app, &dir).await {
            tracing::warn!(error = %e, "drop folder scan failed");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

pub async fn scan_drop_folder(app: &App, dir: &Path) -> anyhow::Result<usize> {
    let mut n = 0;
    let mut entries = tokio::fs::read_dir(dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        // One unreadable or vanishing file does not stop the scan.
        match drop_file(app, dir, &entry).await {
            Ok(true) => n += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(file = %entry.path().display(), error = %e, "drop folder file skipped"),
        }
    }
    Ok(n)
}

/// One entry of the drop folder; `Ok(true)` when it was ingested.
async fn drop_file(app: &App, dir: &Path, entry: &tokio::fs::DirEntry) -> anyhow::Result<bool> {
    {
        let path = entry.path();
        let is_eml = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("eml"));
        let hidden = path.file_name().and_then(|n| n.to_str()).is_none_or(|n| n.starts_with('.'));
        let meta = entry.metadata().await?;
        // (The entry's own metadata: a symbolic link is not a file.)
        if !is_eml || hidden || !meta.is_file() {
            return Ok(false);
        }
        let settled = meta
            .modified()
            .ok()
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .is_some_and(|age| age >= SETTLE);
        if !settled {
            return Ok(false);
        }
        // Never read a file larger than a mail may be: it is refused unread.
        let result = if meta.len() > bc_parsers::MAX_MAIL_BYTES as u64 {
            Err(bc_core::Error::TooLarge(format!(
                "the file is {} bytes; a mail may have at most {}",
                meta.len(),
                bc_parsers::MAX_MAIL_BYTES
            )))
        } else {
            app.ingest_bytes(tokio::fs::read(&path).await?).await
        };
        match result {
            Ok(out) => {
                tracing::info!(file = %path.display(), mail = %out.mail.id, state = ?out.mail.state, duplicate = out.duplicate, "ingested");
                tokio::fs::remove_file(&path).await?;
                return Ok(true);
            }
            Err(bc_core::Error::Backend(e)) => {
                // Transient: leave the file for the next scan.
                tracing::warn!(file = %path.display(), error = %e, "ingest failed; will retry");
            }
            Err(e) => {
                let failed = dir.join("failed");
                tokio::fs::create_dir_all(&failed).await?;
                let name = path.file_name().map(|n| n.to_owned()).unwrap_or_default();
                let target = failed.join(&name);
                tokio::fs::rename(&path, &target).await?;
                tokio::fs::write(failed.join(format!("{}.error.txt", name.to_string_lossy())), e.to_string()).await?;
                tracing::warn!(file = %path.display(), error = %e, "mail refused; moved to failed/");
            }
        }
    }
    Ok(false)
}

async fn scheduler(app: App, every: Duration) {
    let mut interval = tokio::time::interval(every);
    loop {
        interval.tick().await;
        match app.tick().await {
            Ok(r) if r != Default::default() => tracing::info!(?r, "scheduler tick"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "scheduler tick failed"),
        }
    }
}

async fn worker(app: App, notify: std::sync::Arc<tokio::sync::Notify>) {
    loop {
        match app.drain_queue_once(10).await {
            Ok(0) => {
                let _ = tokio::time::timeout(Duration::from_secs(1), notify.notified()).await;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "queue worker failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}
