//! `fake-autotask [--addr 127.0.0.1:8089]`: runs the fake Autotask API until Ctrl-C and prints what to configure.

use std::net::SocketAddr;

use fake_autotask::{Credentials, FakeAutotask};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut addr: SocketAddr = "127.0.0.1:8089".parse().unwrap();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--addr" => match args.next().and_then(|v| v.parse().ok()) {
                Some(v) => addr = v,
                None => usage(),
            },
            _ => usage(),
        }
    }
    let fake = match FakeAutotask::start_on(addr, Credentials::default()).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("fake-autotask: cannot listen on {addr}: {e}");
            std::process::exit(2);
        }
    };
    let c = fake.credentials();
    println!("Fake Autotask API listening on {}", fake.base_url());
    println!();
    println!("  API username   (header UserName):           {}", c.username);
    println!("  API secret     (header Secret):             {}", c.secret);
    println!("  Tracking id    (header ApiIntegrationCode): {}", c.integration_code);
    println!("  Zone lookup:   {}/atservicesrest/v1.0/zoneInformation?user={}", fake.base_url(), c.username);
    println!("  Zone URL:      {}", fake.zone_url());
    println!();
    println!("Try:");
    println!(
        "  curl -H 'ApiIntegrationCode: {}' -H 'UserName: {}' -H 'Secret: {}' {}V1.0/Companies/0",
        c.integration_code,
        c.username,
        c.secret,
        fake.zone_url()
    );
    println!();
    println!(
        "Companies: 0 Fake MSP B.V., {} Acme Corp, {} Globex",
        fake.company_id("Acme Corp").unwrap(),
        fake.company_id("Globex").unwrap()
    );
    println!("Controls (no auth): GET /_fake/state, GET /_fake/requests, POST /_fake/companies {{\"name\"}},");
    println!("  POST /_fake/companies/ID/rename {{\"name\"}}, DELETE /_fake/companies/ID, DELETE /_fake/tickets/ID,");
    println!("  POST /_fake/tickets/ID/status {{\"status\"}}, POST /_fake/tickets/ID/time-entries {{\"hours\"}},");
    println!("  POST /_fake/picklists/FIELD/VALUE/deactivate,");
    println!(
        "  POST /_fake/faults {{\"kind\": \"rate-limited\"|\"slow\"|\"permission\"|\"forbidden\"|\"thread-limit\", \"endpoint\"?, \"retryAfter\"?, \"millis\"?}}"
    );
    println!("Ctrl-C stops it; the data lives in memory only.");
    let _ = tokio::signal::ctrl_c().await;
    drop(fake);
}

fn usage() -> ! {
    eprintln!("usage: fake-autotask [--addr 127.0.0.1:8089]");
    std::process::exit(2);
}
