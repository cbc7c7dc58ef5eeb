//! What the browser test stands on: the real `backupchecks serve` binary on
//! a loopback port with a fresh data folder, Debian's chromedriver and
//! headless Chromium, and a small page helper over fantoccini that waits,
//! clicks, types and takes screenshots.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// How long the UI may take for anything (ingest polls the drop folder every 0.5 s).
pub const PATIENCE: Duration = Duration::from_secs(20);

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

/// A program from $VAR, else the Debian path, else a clear failure.
fn program(var: &str, default: &str, package: &str) -> PathBuf {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default));
    assert!(
        path.is_file(),
        "{} not found: the browser test needs Debian's {package} (apt-get install -y chromium chromium-driver), \
         or set {var} to its path",
        path.display()
    );
    path
}

/// Fails with the fix when the frontend was not built.
pub fn require_frontend() -> PathBuf {
    let dist = workspace_root().join("frontend/dist");
    assert!(
        dist.join("index.html").is_file(),
        "frontend/dist/index.html is missing: build the UI first with scripts/build-frontend.sh"
    );
    dist
}

/// Kills the child when dropped, so a failing test leaves nothing running.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `backupchecks serve` on a fresh data folder.
pub struct Server {
    _child: Guard,
    pub data: tempfile::TempDir,
    pub base: String,
    pub admin_password: String,
}

impl Server {
    /// Builds the binary if needed (a no-op when fresh) and starts it, with
    /// extra environment for the server.
    pub fn start_with_env(frontend: &Path, env: &[(&str, String)]) -> Server {
        let root = workspace_root();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "backupchecks"])
            .current_dir(&root)
            .status()
            .expect("running cargo build -p backupchecks");
        assert!(status.success(), "cargo build -p backupchecks failed");
        let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target"));
        let bin = root.join(target).join("debug/backupchecks");
        assert!(bin.is_file(), "{} is missing after cargo build", bin.display());

        let data = tempfile::tempdir().expect("temp data folder");
        let addr = format!("127.0.0.1:{}", free_port());
        let mut child = Command::new(&bin)
            .args(["serve", "--data"])
            .arg(data.path())
            .args(["--addr", &addr, "--frontend"])
            .arg(frontend)
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting backupchecks serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let guard = Guard(child);

        // Read the one-time admin password, then keep draining the output.
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                eprintln!("[server] {line}");
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + PATIENCE;
        let (mut password, mut running) = (None, false);
        while Instant::now() < deadline && !(password.is_some() && running) {
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(line) => {
                    if let Some(p) = line.trim().strip_prefix("password:") {
                        password = Some(p.trim().to_string());
                    }
                    running |= line.contains("is running at");
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        let admin_password = password.expect("the server printed no one-time admin password");
        assert!(running, "the server did not say it is running");
        Server { _child: guard, data, base: format!("http://{addr}"), admin_password }
    }

    /// Drops a report mail into the drop folder, written under a hidden name
    /// first so the server never reads half a file.
    pub fn drop_mail(&self, name: &str, eml: &[u8]) {
        let dir = self.data.path().join("drop");
        std::fs::create_dir_all(&dir).expect("drop folder");
        let tmp = dir.join(format!(".{name}.part"));
        std::fs::write(&tmp, eml).expect("writing the mail");
        std::fs::rename(&tmp, dir.join(format!("{name}.eml"))).expect("moving the mail in place");
    }
}

/// chromedriver driving headless Chromium.
pub struct Browser {
    _driver: Guard,
    _profile: tempfile::TempDir,
    pub client: Client,
}

impl Browser {
    pub async fn start() -> Browser {
        let chromium = program("CHROMIUM", "/usr/bin/chromium", "chromium");
        let chromedriver = program("CHROMEDRIVER", "/usr/bin/chromedriver", "chromium-driver");
        let port = free_port();
        let driver = Guard(
            Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("starting chromedriver"),
        );
        let profile = tempfile::tempdir().expect("browser profile folder");
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1366,900", "--lang=en-US",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let caps = match caps {
            serde_json::Value::Object(m) => m,
            _ => unreachable!("a JSON object literal"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + PATIENCE;
        let client = loop {
            match ClientBuilder::new(HttpConnector::new()).capabilities(caps.clone()).connect(&url).await {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => panic!("could not start a Chromium session through chromedriver: {e}"),
            }
        };
        Browser { _driver: driver, _profile: profile, client }
    }
}

/// The page under test, with waits that fail with what was on screen.
pub struct Ui {
    pub c: Client,
    pub base: String,
    shots: PathBuf,
}

impl Ui {
    pub fn new(c: Client, base: &str) -> Ui {
        // The documented screenshots are refreshed on request
        // (`BC_SCREENSHOTS=1`); otherwise they go to a temporary folder, so
        // a test run does not change the repository.
        let shots = if std::env::var_os("BC_SCREENSHOTS").is_some() {
            workspace_root().join("docs/screenshots")
        } else {
            std::env::temp_dir().join("backupchecks-screenshots")
        };
        std::fs::create_dir_all(&shots).expect("screenshot folder");
        Ui { c, base: base.to_string(), shots }
    }

    pub async fn go(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.expect("navigate");
    }

    pub async fn path(&self) -> String {
        self.c.current_url().await.map(|u| u.path().to_string()).unwrap_or_default()
    }

    /// Saves a PNG of the viewport as NAME.png (in docs/screenshots/ with
    /// `BC_SCREENSHOTS=1`).
    pub async fn shot(&self, name: &str) {
        // Let fonts and layout settle after the last change.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = self.c.screenshot().await.expect("screenshot");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("writing the screenshot");
    }

    async fn fail(&self, what: &str) -> ! {
        let _ = std::fs::write(
            std::env::temp_dir().join("backupchecks-browser-failure.png"),
            self.c.screenshot().await.unwrap_or_default(),
        );
        let body = match self.c.find(Locator::Css("body")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        panic!(
            "{what} (url {}); screenshot in {}; the page said:\n{body}",
            self.path().await,
            std::env::temp_dir().join("backupchecks-browser-failure.png").display()
        );
    }

    /// The first element matching `css` whose text contains `text`.
    pub async fn find_text(&self, css: &str, text: &str) -> Option<fantoccini::elements::Element> {
        for el in self.c.find_all(Locator::Css(css)).await.unwrap_or_default() {
            if el.text().await.unwrap_or_default().contains(text) {
                return Some(el);
            }
        }
        None
    }

    /// Waits until an element matching `css` contains `text`.
    pub async fn wait_text(&self, css: &str, text: &str) -> fantoccini::elements::Element {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(el) = self.find_text(css, text).await {
                return el;
            }
            if Instant::now() > deadline {
                self.fail(&format!("no {css} containing {text:?}")).await;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until no element matching `css` contains `text`.
    pub async fn wait_gone(&self, css: &str, text: &str) {
        let deadline = Instant::now() + PATIENCE;
        while self.find_text(css, text).await.is_some() {
            if Instant::now() > deadline {
                self.fail(&format!("{css} containing {text:?} did not go away")).await;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    pub async fn wait(&self, css: &str) -> fantoccini::elements::Element {
        match self.c.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await {
            Ok(el) => el,
            Err(_) => self.fail(&format!("no element {css}")).await,
        }
    }

    /// Reloads `path` until `css` contains `text` (for lists that do not poll).
    pub async fn reload_until(&self, path: &str, css: &str, text: &str) -> fantoccini::elements::Element {
        let deadline = Instant::now() + PATIENCE;
        loop {
            self.go(path).await;
            // Give the app a moment to load the list.
            for _ in 0..10 {
                if let Some(el) = self.find_text(css, text).await {
                    return el;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            if Instant::now() > deadline {
                self.fail(&format!("{path}: no {css} containing {text:?}")).await;
            }
        }
    }

    /// Clicks `css`. A toast (fixed at the bottom right, gone after five
    /// seconds) may lie over the element for a moment: an intercepted click
    /// is tried again until it passes, as a person would wait for it.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let el = self.wait(css).await;
            match el.click().await {
                Ok(()) => return,
                // Covered for a moment, or redrawn between finding and clicking.
                Err(e)
                    if (e.to_string().contains("intercepted") || e.to_string().contains("stale"))
                        && Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => panic!("click {css}: {e:?}"),
            }
        }
    }

    /// Clicks the first `css` element holding `text`, again if the page
    /// redrew it between finding and clicking.
    pub async fn click_text(&self, css: &str, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let el = self.wait_text(css, text).await;
            match el.click().await {
                Ok(()) => return,
                Err(e)
                    if (e.to_string().contains("intercepted") || e.to_string().contains("stale"))
                        && Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => panic!("click {css} with {text:?}: {e:?}"),
            }
        }
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.wait(css).await;
        el.clear().await.expect("clear");
        el.send_keys(text).await.expect("type");
    }

    /// Presses one key on whatever has focus, as a person would.
    pub async fn key(&self, key: char) {
        let keys =
            KeyActions::new("keyboard".into()).then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
        self.c.perform_actions(keys).await.expect("key press");
    }

    pub async fn sign_in(&self, user: &str, password: &str) {
        self.type_into("#username", user).await;
        self.type_into("#password", password).await;
        self.click("form.login-card button[type=submit]").await;
        self.wait(".topbar").await;
    }

    pub async fn sign_out(&self) {
        self.click("[data-testid=user-menu]").await;
        self.wait_text(".menu button", "Sign out").await.click().await.expect("sign out");
        self.wait("#username").await;
    }
}
