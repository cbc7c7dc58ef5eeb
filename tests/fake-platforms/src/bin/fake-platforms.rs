//! `fake-platforms [--veeam 127.0.0.1:9419] [--cove 127.0.0.1:8090]`: runs the fake Veeam B&R and Cove APIs
//! with a little sample data until Ctrl-C, and prints what to register under Backup > Platforms.

use std::net::SocketAddr;

use chrono::{Duration, Utc};
use fake_platforms::{FakeCove, FakeVeeam};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut veeam: SocketAddr = "127.0.0.1:9419".parse().unwrap();
    let mut cove: SocketAddr = "127.0.0.1:8090".parse().unwrap();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().and_then(|v| v.parse().ok());
        match (a.as_str(), v) {
            ("--veeam", Some(v)) => veeam = v,
            ("--cove", Some(v)) => cove = v,
            _ => {
                eprintln!("usage: fake-platforms [--veeam ADDR] [--cove ADDR]");
                std::process::exit(2);
            }
        }
    }
    let v = FakeVeeam::start_on(veeam).await.unwrap_or_else(|e| {
        eprintln!("fake-platforms: cannot listen on {veeam}: {e}");
        std::process::exit(2)
    });
    let c = FakeCove::start_on(cove).await.unwrap_or_else(|e| {
        eprintln!("fake-platforms: cannot listen on {cove}: {e}");
        std::process::exit(2)
    });
    let now = Utc::now();
    let j1 = v.add_job("Daily VMs", "VSphereBackup");
    let j2 = v.add_job("File server agent", "WindowsAgentBackup");
    for d in 1..=3 {
        v.add_session(
            &j1,
            now - Duration::days(d),
            20,
            if d == 2 { "Warning" } else { "Success" },
            &[("vm-web01", "Success"), ("vm-db01", if d == 2 { "Warning" } else { "Success" })],
        );
        v.add_session(&j2, now - Duration::days(d) + Duration::hours(1), 30, "Success", &[("fs01", "Success")]);
    }
    v.add_object("vm-web01", "VM", "VMware");
    v.add_object("vm-db01", "VM", "VMware");
    c.add_device("ACME-DC01", "Acme Corp", 5, now - Duration::hours(5), Some(now - Duration::hours(5)));
    c.add_device("ACME-LAPTOP7", "Acme Corp", 2, now - Duration::hours(3), Some(now - Duration::days(6)));
    println!("Fake Veeam B&R REST API on {} (x-api-version up to 1.3-rev1)", v.base_url());
    println!("  register: host {}  username {}  password {}", v.base_url(), v.username(), v.password());
    println!("Fake Cove JSON-RPC API on {}", c.url());
    println!(
        "  register: host {}  partner {:?}  username {}  password {}",
        c.url(),
        c.partner(),
        c.username(),
        c.password()
    );
    println!(
        "(plain http on loopback: the Backupchecks server must allow loopback integrations, e.g. `serve --allow-loopback-webhooks`)"
    );
    let _ = tokio::signal::ctrl_c().await;
}
