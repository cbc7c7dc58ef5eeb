//! `backupchecks serve` as a service manager runs it: a client stalling in
//! its headers is disconnected, and SIGTERM with an upload hanging still
//! ends the process within the shutdown grace.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_backupchecks");

struct Serve {
    child: Child,
    port: u16,
    _data: tempfile::TempDir,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn serve(extra: &[&str]) -> Serve {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--frontend", "/nonexistent", "--data"])
        .arg(data.path())
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.contains("is running at") {
            break;
        }
    }
    std::thread::spawn(move || for _ in reader.lines() {});
    Serve { child, port, _data: data }
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s
}

/// Waits for the child to exit, at most `bound`.
fn exited_within(child: &mut Child, bound: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + bound;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// Reads to the end: true when the server closed the connection (end of
/// stream or reset), false when the 30 s read timeout ran out instead.
fn closed_by_server(s: &mut TcpStream, buf: &mut Vec<u8>) -> bool {
    match s.read_to_end(buf) {
        Ok(_) => true,
        Err(e) => !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
    }
}

#[test]
fn a_half_sent_header_is_disconnected_by_the_binary() {
    let s = serve(&["--header-timeout-secs", "1"]);
    let mut slow = connect(s.port);
    slow.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n").unwrap();
    let mut buf = Vec::new();
    assert!(closed_by_server(&mut slow, &mut buf), "the stalled client was disconnected");
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"));
    // Others are still served.
    let mut ok = connect(s.port);
    ok.write_all(
        format!("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", s.port).as_bytes(),
    )
    .unwrap();
    let mut answer = String::new();
    ok.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn sigterm_with_an_upload_hanging_exits_within_the_grace() {
    let mut s = serve(&["--shutdown-grace-secs", "2", "--body-idle-timeout-secs", "120"]);
    let mut slow = connect(s.port);
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{",
        s.port
    );
    slow.write_all(head.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    let pid = s.child.id() as libc::pid_t;
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = exited_within(&mut s.child, Duration::from_secs(20)).expect("serve exited within the bound");
    assert!(status.success(), "a clean exit: {status:?}");
    assert!(asked.elapsed() >= Duration::from_secs(1), "the upload was given the grace first: {:?}", asked.elapsed());
    // The hanging upload's connection was closed.
    assert!(closed_by_server(&mut slow, &mut Vec::new()), "the hanging upload's connection is closed");
    assert!(TcpStream::connect(("127.0.0.1", s.port)).is_err(), "nothing listens any more");
}

#[test]
fn sigint_on_an_idle_server_exits_at_once() {
    let mut s = serve(&["--shutdown-grace-secs", "30"]);
    let pid = s.child.id() as libc::pid_t;
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    // Nothing in flight: no reason to use any of the 30 s grace (the loops stop at their next pause).
    let status = exited_within(&mut s.child, Duration::from_secs(15)).expect("serve exited");
    assert!(status.success(), "{status:?}");
}
