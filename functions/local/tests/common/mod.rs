//! `backupchecks serve` started as a child process on a free loopback port,
//! for the tests that drive the binary over HTTP.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_backupchecks");

pub struct Serve {
    pub child: Child,
    pub base: String,
    /// The first admin's password, as the first start prints it (empty on a later start).
    pub password: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts `serve --data <data> <args…>` with `envs`, and waits until it says it runs.
pub fn serve_with(data: &Path, args: &[&std::ffi::OsStr], envs: &[(&str, &std::ffi::OsStr)]) -> Serve {
    let port = free_port();
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--data"])
        .arg(data)
        .args(args)
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut password = String::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        if let Some(p) = line.trim().strip_prefix("password: ") {
            password = p.trim().to_string();
        }
        if line.contains("is running at") {
            break;
        }
    }
    std::thread::spawn(move || for _ in reader.lines() {});
    Serve { child, base: format!("http://127.0.0.1:{port}"), password }
}
