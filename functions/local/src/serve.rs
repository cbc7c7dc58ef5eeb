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
    #[arg(long, default_value_t = 60, env = "BACKUPCHECKS_TICK_SECS")]
    tick_secs: u64,
    /// Let alert webhooks point at this machine (loopback, plain http): for
    /// trying alerts with a local receiver. Never on a shared server.
    #[arg(long, env = "BACKUPCHECKS_ALLOW_LOOPBACK_WEBHOOKS")]
    allow_loopback_webhooks: bool,
    /// Where Autotask zone discovery asks (default: Autotask's own); point it
    /// at `scripts/fake-autotask` to try the integration locally.
    #[arg(long, env = "BACKUPCHECKS_AUTOTASK_ZONE_LOOKUP")]
    autotask_zone_lookup: Option<String>,
    /// Seconds a client may take to send a request's headers (slowloris).
    #[arg(long, default_value_t = 30, env = "BACKUPCHECKS_HEADER_TIMEOUT_SECS")]
    header_timeout_secs: u64,
    /// Seconds a request body may send nothing (a stalled upload).
    #[arg(long, default_value_t = 30, env = "BACKUPCHECKS_BODY_IDLE_TIMEOUT_SECS")]
    body_idle_timeout_secs: u64,
    /// Seconds a whole request may take, upload and answer included.
    #[arg(long, default_value_t = 300, env = "BACKUPCHECKS_REQUEST_TIMEOUT_SECS")]
    request_timeout_secs: u64,
    /// Connections open at once; more wait until one closes.
    #[arg(long, default_value_t = 512, env = "BACKUPCHECKS_MAX_CONNECTIONS")]
    max_connections: usize,
    /// On SIGINT/SIGTERM, seconds to let requests in flight and the
    /// background loops finish before exiting anyway.
    #[arg(long, default_value_t = 10, env = "BACKUPCHECKS_SHUTDOWN_GRACE_SECS")]
    shutdown_grace_secs: u64,
    /// For end-to-end tests only: a file holding a number of seconds added
    /// to the clock (read at every reading of the clock), so a test can move
    /// this process's time forward. Never set it on a real server.
    #[arg(long, env = "BACKUPCHECKS_TEST_CLOCK_OFFSET_FILE", hide = true)]
    test_clock_offset_file: Option<PathBuf>,
}

/// The system clock plus an offset read from a file (tests move time with it).
struct OffsetFileClock(PathBuf);

impl bc_core::ports::Clock for OffsetFileClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        let offset = std::fs::read_to_string(&self.0).ok().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or(0);
        chrono::Utc::now() + chrono::Duration::seconds(offset)
    }
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
        allow_loopback_webhooks: args.allow_loopback_webhooks,
        ..Config::default()
    };
    let (mut app, embedded) = crate::cli::embedded_app(&args.data, config)?;
    if let Some(file) = &args.test_clock_offset_file {
        tracing::warn!(file = %file.display(), "the clock follows a test offset file (end-to-end tests only)");
        app.clock = std::sync::Arc::new(OffsetFileClock(file.clone()));
    }
    let psa = bc_autotask::AutotaskPsa::shared(args.autotask_zone_lookup.clone(), app.store.clone());
    let app = app.with_psa(std::sync::Arc::new(psa));

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
    // One stop signal for the HTTP server and the background loops.
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    // Each loop restarts after a panic (with a growing pause and a log line),
    // and ends for good once the stop signal is given.
    let restarts = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (a, d, s) = (app.clone(), drop_dir.clone(), stop.clone());
    let loops = [
        supervise("drop folder", restarts.clone(), stop.clone(), move || drop_folder(a.clone(), d.clone(), s.clone())),
        {
            let (a, every, s) = (app.clone(), Duration::from_secs(args.tick_secs.max(1)), stop.clone());
            supervise("scheduler", restarts.clone(), stop.clone(), move || scheduler(a.clone(), every, s.clone()))
        },
        {
            let (a, n, s) = (app.clone(), embedded.queue.notifier(), stop.clone());
            supervise("queue worker", restarts, stop.clone(), move || worker(a.clone(), n.clone(), s.clone()))
        },
    ];

    let signal = shutdown_signal()?;
    let listener =
        tokio::net::TcpListener::bind(args.addr).await.with_context(|| format!("listening on {}", args.addr))?;
    println!(
        "Backupchecks is running at http://{}  (data: {}, drop folder: {})",
        args.addr,
        args.data.display(),
        drop_dir.display()
    );
    let grace = Duration::from_secs(args.shutdown_grace_secs);
    let limits = bc_http::ServeLimits {
        header_read_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
        body_idle_timeout: Duration::from_secs(args.body_idle_timeout_secs.max(1)),
        request_timeout: Duration::from_secs(args.request_timeout_secs.max(1)),
        max_connections: args.max_connections.max(1),
        shutdown_grace: grace,
    };
    let mut signalled = stop.clone();
    tokio::spawn(async move {
        let signal = signal.await;
        tracing::info!(signal, grace = ?grace, "shutting down: no new connections; finishing requests in flight");
        let _ = stop_tx.send(true);
    });
    let served = bc_http::serve(listener, router, limits, async move {
        let _ = signalled.wait_for(|s| *s).await;
    })
    .await;
    // The loops were told at the signal; they get what is left of the grace.
    let waited = tokio::time::timeout(grace, async {
        for handle in loops {
            let _ = handle.await;
        }
    })
    .await;
    if waited.is_err() {
        tracing::warn!("background loops still busy after the grace; exiting anyway");
    }
    tracing::info!(connections_cut_off = served.cut_off, "stopped");
    Ok(ExitCode::SUCCESS)
}

/// SIGINT (Ctrl-C) or, on Unix, SIGTERM (service managers, containers).
/// The handlers are installed here, before the future is first polled, so a
/// signal that comes right after the start is not the default (an abrupt exit).
#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = &'static str>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => "SIGINT",
            _ = term.recv() => "SIGTERM",
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = &'static str>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    })
}

/// Sleeps `d`, or less if the stop signal comes; true when stopping.
async fn pause_or_stop(d: Duration, stop: &mut Stop) -> bool {
    let stopped = tokio::select! {
        _ = tokio::time::sleep(d) => false,
        _ = stop.wait_for(|s| *s) => true,
    };
    stopped || *stop.borrow()
}

/// The stop signal of `serve` (true once given).
pub type Stop = tokio::sync::watch::Receiver<bool>;

/// Files younger than this may still be being written.
const SETTLE: Duration = Duration::from_millis(500);

/// Ingests every settled `*.eml` in the drop folder; ingested files are
/// removed (the raw mail is in the blob store), failures move to `failed/`
/// with a `.error.txt` beside them.
async fn drop_folder(app: App, dir: PathBuf, mut stop: Stop) {
    while !*stop.borrow() {
        if let Err(e) = scan_drop_folder(&app, &dir).await {
            tracing::warn!(error = %e, "drop folder scan failed");
        }
        if pause_or_stop(Duration::from_millis(500), &mut stop).await {
            break;
        }
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
        let opened = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || open_settled(&path)).await??
        };
        // Never read a file larger than a mail may be: it is refused unread.
        let result = match opened {
            Dropped::NotReady => return Ok(false),
            Dropped::TooLarge(len) => Err(bc_core::Error::TooLarge(format!(
                "the file is {len} bytes; a mail may have at most {}",
                bc_parsers::MAX_MAIL_BYTES
            ))),
            Dropped::Mail(bytes) => app.ingest_bytes(bytes).await,
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

/// What the drop folder found at a path.
#[derive(Debug, PartialEq)]
enum Dropped {
    /// Not a settled regular file (still being written, or a symbolic link).
    NotReady,
    TooLarge(u64),
    Mail(Vec<u8>),
}

/// Opens a drop-folder file without following a symbolic link (`O_NOFOLLOW`:
/// a link swapped in after the listing is refused by the kernel, so nothing
/// outside the folder is read), then judges the opened file itself: a regular
/// file, settled, at most a mail's size.
fn open_settled(path: &Path) -> std::io::Result<Dropped> {
    use std::io::Read;
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut opts, libc::O_NOFOLLOW | libc::O_NONBLOCK);
    let file = match opts.open(path) {
        Ok(f) => f,
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Ok(Dropped::NotReady),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Dropped::NotReady),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    let settled =
        meta.modified().ok().and_then(|m| SystemTime::now().duration_since(m).ok()).is_some_and(|age| age >= SETTLE);
    if !meta.is_file() || !settled {
        return Ok(Dropped::NotReady);
    }
    let max = bc_parsers::MAX_MAIL_BYTES as u64;
    if meta.len() > max {
        return Ok(Dropped::TooLarge(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // One byte past the limit tells a file that grew since the check.
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Ok(Dropped::TooLarge(bytes.len() as u64));
    }
    Ok(Dropped::Mail(bytes))
}

async fn scheduler(app: App, every: Duration, mut stop: Stop) {
    let mut interval = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = stop.wait_for(|s| *s) => break,
        }
        match app.tick().await {
            Ok(r) if r != Default::default() => tracing::info!(?r, "scheduler tick"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "scheduler tick failed"),
        }
    }
}

async fn worker(app: App, notify: std::sync::Arc<tokio::sync::Notify>, mut stop: Stop) {
    while !*stop.borrow() {
        match app.drain_queue_once(10).await {
            Ok(0) => {
                tokio::select! {
                    _ = tokio::time::timeout(Duration::from_secs(1), notify.notified()) => {}
                    _ = stop.wait_for(|s| *s) => break,
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "queue worker failed");
                if pause_or_stop(Duration::from_secs(1), &mut stop).await {
                    break;
                }
            }
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn settle(path: &Path) {
        let old = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::options().write(true).open(path).and_then(|f| f.set_modified(old)).expect("set mtime");
    }

    #[test]
    fn drop_folder_files_are_opened_without_following_symbolic_links() {
        let outside = tempfile::tempdir().expect("tmp");
        let drop = tempfile::tempdir().expect("tmp");
        let secret = outside.path().join("secret.eml");
        std::fs::write(&secret, b"Subject: not for the drop folder\r\n\r\nsecret").expect("write");
        settle(&secret);
        let link = drop.path().join("link.eml");
        std::os::unix::fs::symlink(&secret, &link).expect("symlink");
        assert_eq!(open_settled(&link).expect("open"), Dropped::NotReady, "a symbolic link is never read");

        let real = drop.path().join("real.eml");
        std::fs::write(&real, b"Subject: x\r\n\r\nbody").expect("write");
        assert_eq!(open_settled(&real).expect("open"), Dropped::NotReady, "not settled yet");
        settle(&real);
        assert_eq!(open_settled(&real).expect("open"), Dropped::Mail(b"Subject: x\r\n\r\nbody".to_vec()));
        assert_eq!(open_settled(&drop.path().join("gone.eml")).expect("open"), Dropped::NotReady);
    }
}
