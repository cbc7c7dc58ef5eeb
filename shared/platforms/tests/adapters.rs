//! The adapters against the fakes (and a TLS server with a self-signed
//! certificate): the pinned fingerprint, revision fallback, paging when an
//! item disappears between pages, Cove's visa renewal and bad login.

use std::collections::HashSet;
use std::sync::Arc;

use bc_api_types::PlatformKind;
use bc_core::platforms::port::{Connection, PlatformConnector, PlatformError, StartOutcome};
use bc_platforms::HttpPlatforms;
use chrono::{Duration, Utc};
use fake_platforms::{FakeCove, FakeVeeam, Fault};

fn veeam_conn(base: &str, user: &str, pass: &str) -> Connection {
    Connection {
        kind: PlatformKind::VeeamVbr,
        base_url: base.to_string(),
        cert_sha256: None,
        partner: None,
        username: user.into(),
        password: pass.into(),
        allow_plain_loopback: true,
    }
}

fn pem_der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(b64).expect("pem base64")
}

/// A TLS server with a fresh self-signed certificate that answers every request with Veeam's 401.
/// Returns its port and the certificate's SHA-256 (hex).
async fn tls_server() -> (u16, String) {
    let dir = std::env::temp_dir().join(format!("bc-pin-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=veeam.local",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(dir.join("k.pem"))
        .arg("-out")
        .arg(dir.join("c.pem"))
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl");
    assert!(status.success());
    let cert = pem_der(&std::fs::read_to_string(dir.join("c.pem")).unwrap());
    let key = pem_der(&std::fs::read_to_string(dir.join("k.pem")).unwrap());
    let fp = ring::digest::digest(&ring::digest::SHA256, &cert).as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![rustls::pki_types::CertificateDer::from(cert)],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let mut buf = [0u8; 4096];
                let _ = tls.read(&mut buf).await;
                let body =
                    r#"{"errorCode":"AccessDenied","message":"Invalid username or password.","resourceId":null}"#;
                let resp = format!(
                    "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(resp.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, fp)
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64
}

#[tokio::test]
async fn a_self_signed_certificate_is_trusted_only_by_its_pinned_fingerprint() {
    let (port, fp) = tls_server().await;
    let base = format!("https://127.0.0.1:{port}");
    let mut c = veeam_conn(&base, "u", "p");
    // Not pinned: a self-signed certificate is refused.
    let e = HttpPlatforms.connect(&c).await.err().expect("refused");
    assert!(matches!(e, PlatformError::Certificate(_)), "{e:?}");
    // Pinned to another certificate: "certificate changed".
    c.cert_sha256 = Some("00".repeat(32));
    let e = HttpPlatforms.connect(&c).await.err().expect("refused");
    assert!(matches!(&e, PlatformError::Certificate(m) if m.contains("certificate changed")), "{e:?}");
    // Pinned to it: TLS succeeds, and the server's answer (bad login) comes through.
    c.cert_sha256 = Some(fp);
    let e = HttpPlatforms.connect(&c).await.err().expect("bad login");
    assert!(matches!(&e, PlatformError::Auth(m) if m.contains("AccessDenied")), "{e:?}");
    // Plain http to a non-loopback host is never used.
    let e = HttpPlatforms.connect(&veeam_conn("http://10.0.0.1:9419", "u", "p")).await.err().expect("refused");
    assert!(matches!(e, PlatformError::Certificate(_)), "{e:?}");
}

#[tokio::test]
async fn an_older_server_gets_its_revision_and_its_differences() {
    let v = FakeVeeam::start().await;
    v.set_max_revision("1.1-rev2");
    let j = v.add_job("Nightly", "VSphereBackup");
    v.add_session(&j, Utc::now() - Duration::hours(5), 10, "Warning", &[("vm1", "Warning")]);
    let mut s = HttpPlatforms.connect(&veeam_conn(&v.base_url(), v.username(), v.password())).await.expect("connect");
    assert_eq!(s.api_version().as_deref(), Some("1.1-rev2"));
    let jobs = s.list_jobs().await.unwrap();
    assert_eq!(jobs[0].job_type, "Backup");
    let page = s.sessions_page(None, 0).await.unwrap();
    assert_eq!(page.items.len(), 1, "sessions map to jobs by name in 1.1 (no jobId): {page:?}");
    assert_eq!(page.items[0].job_external_id, j);
    assert!(s.task_sessions(&page.items[0]).await.unwrap().is_empty(), "no task sessions before 1.2");
    assert!(matches!(s.start_job(&j).await.unwrap(), StartOutcome::Started { session_id: Some(_) }));
    assert_eq!(v.started(), vec![(j.clone(), "start".to_string())]);
    // Wrong password: a clear refusal, no retry loop.
    let e = HttpPlatforms.connect(&veeam_conn(&v.base_url(), v.username(), "wrong")).await.err().expect("refused");
    assert!(matches!(e, PlatformError::Auth(_)), "{e:?}");
    // A missing version header is refused by the fake (as a real server does, by the doc's guess).
    let r = reqwest::Client::new()
        .post(format!("{}/api/oauth2/token", v.base_url()))
        .body("grant_type=password")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn no_session_is_lost_when_one_disappears_between_pages() {
    let v = FakeVeeam::start().await;
    v.bulk(10, 450, Utc::now(), 24);
    let all: HashSet<String> = v.sessions_of_all().into_iter().collect();
    v.inject(Fault::DisappearAfterPage, "/api/v1/sessions");
    let mut s = HttpPlatforms.connect(&veeam_conn(&v.base_url(), v.username(), v.password())).await.unwrap();
    s.list_jobs().await.unwrap();
    let mut seen = HashSet::new();
    let mut skip = 0;
    loop {
        let p = s.sessions_page(None, skip).await.unwrap();
        seen.extend(p.items.into_iter().map(|x| x.id));
        match p.next {
            Some(n) => skip = n,
            None => break,
        }
    }
    assert_eq!(seen, all, "every session read once or more");
    // A 401 on a call (token revoked on the server): renewed once, the call still answers; a slow answer is waited for.
    v.inject(Fault::Status(401), "/api/v1/jobs/states");
    v.inject(Fault::Slow(std::time::Duration::from_millis(300)), "/api/v1/jobs/states");
    assert_eq!(s.list_jobs().await.unwrap().len(), 10);
    // 429 and 503: "busy", which the sync turns into a retried task.
    v.inject(Fault::Status(429), "/api/v1/backupObjects");
    assert!(matches!(s.backup_objects().await, Err(PlatformError::Unavailable(_))));
    // Expired token mid-paging: renewed (refresh token), the page still comes.
    v.inject(Fault::ExpireTokens, "/api/v1/sessions");
    assert_eq!(s.sessions_page(None, 0).await.unwrap().items.len(), 200);
}

#[tokio::test]
async fn cove_renews_its_visa_and_refuses_a_bad_login() {
    let c = FakeCove::start().await;
    let now = Utc::now();
    for i in 0..3 {
        c.add_device(&format!("PC{i}"), "Acme", 5, now - Duration::hours(i + 1), Some(now - Duration::hours(i + 1)));
    }
    let conn = Connection {
        kind: PlatformKind::Cove,
        base_url: c.url(),
        cert_sha256: None,
        partner: Some(c.partner().into()),
        username: c.username().into(),
        password: c.password().into(),
        allow_plain_loopback: true,
    };
    let mut s = HttpPlatforms.connect(&conn).await.expect("login");
    c.inject(Fault::ExpireTokens, "EnumerateAccountStatistics");
    assert_eq!(s.list_jobs().await.unwrap().len(), 3);
    assert_eq!(c.requests().iter().filter(|m| *m == "Login").count(), 2, "{:?}", c.requests());
    let page = s.sessions_page(None, 0).await.unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(page.items[0].objects.as_ref().unwrap().len(), 2);
    c.inject(Fault::MalformedItem, "EnumerateAccountStatistics");
    assert_eq!(s.sessions_page(None, 0).await.unwrap().malformed.len(), 1);
    c.inject(Fault::Status(503), "EnumerateAccountStatistics");
    assert!(matches!(s.list_jobs().await, Err(PlatformError::Unavailable(_))));
    let mut bad = conn.clone();
    bad.password = "nope".into();
    let e = HttpPlatforms.connect(&bad).await.err().expect("refused");
    assert!(matches!(&e, PlatformError::Auth(m) if m.contains("2100")), "{e:?}");
}
