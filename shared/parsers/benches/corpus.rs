//! Throughput of the whole parse path (`read_mail` + `parse_report`) on one
//! thread: over the fixture corpus, over generated typical reports of 20–60
//! KB (Veeam HTML with 12–31 objects, 8bit and base64; Proxmox vzdump text
//! with 36–93 guests and their logs), and over generic-CSV mails with
//! 240–620 rows (one Object per row, so a heavier case). Target: 5,000
//! mails/s for the typical reports.
//!
//! `cargo bench -p bc-parsers --bench corpus` (set `BENCH_SECONDS` to
//! change the time per set, default 3).

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use bc_parsers::{parse_report, read_mail};

fn fixtures() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root).expect("fixtures folder").flatten() {
        for file in std::fs::read_dir(dir.path()).into_iter().flatten().flatten() {
            if file.path().extension().is_some_and(|e| e == "eml") {
                out.push(std::fs::read(file.path()).expect("readable fixture"));
            }
        }
    }
    out.sort();
    out
}

fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len() * 4 / 3 + data.len() / 57 * 2 + 4);
    for (i, chunk) in data.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for j in 0..4 {
            if j <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * j)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

const TD: &str = r#"style="padding: 2px 3px 2px 3px;vertical-align: top;border: 1px solid #a7a9ac;font-family: Tahoma;font-size: 12px;""#;

fn veeam_html(objects: usize, seq: usize) -> String {
    let mut rows = String::new();
    for i in 0..objects {
        let (st, detail) =
            if i == 0 && seq % 3 == 1 { ("Warning", "Changed block tracking is disabled") } else { ("Success", "") };
        let _ = write!(
            rows,
            "<tr style=\"height: 17px;\">\n<td nowrap=\"\" {TD}>VM{i:03}</td>\n<td nowrap=\"\" {TD}><span style=\"color: #00B050;\">{st}</span></td>\n\
             <td nowrap=\"\" {TD}>22:{m:02}:10</td>\n<td nowrap=\"\" {TD}>23:{m:02}:40</td>\n<td nowrap=\"\" {TD}>{s}.0 GB</td>\n<td nowrap=\"\" {TD}>12,5 GB</td>\n\
             <td nowrap=\"\" {TD}>4,2 GB</td>\n<td nowrap=\"\" {TD}>1:00:30</td>\n<td {TD}><span class=\"small_label\">{detail}</span></td>\n</tr>\n",
            m = i % 60,
            s = 40 + i,
        );
    }
    let cell = |l: &str, v: &str| format!("<td nowrap=\"\" {TD}><b>{l}</b></td>\n<td nowrap=\"\" {TD}>{v}</td>\n");
    format!(
        "<html>\n<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\" /></head>\n<body>\n\
<table cellspacing=\"0\" cellpadding=\"0\" width=\"100%\" border=\"0\"><tr><td><table cellspacing=\"0\" cellpadding=\"0\" width=\"100%\" border=\"0\">\n\
<tr style=\"height:70px\"><td style=\"width: 80%;background-color: #00B050;color: White;font-weight: bold;font-size: 16px;\">Backup job: Job {seq}\n\
<div class=\"jobDescription\">Generated job</div></td><td style=\"background-color: #00B050;color: White;\">Success\n\
<div class=\"jobDescription\">{objects} of {objects} VMs processed</div></td></tr>\n\
<tr><td colspan=\"2\"><table width=\"100%\" cellspacing=\"0\" cellpadding=\"0\" class=\"inner\" border=\"0\">\n\
<tr style=\"height: 17px;\"><td colspan=\"9\" class=\"sessionDetails\"><span>Tuesday, March 3, 2026 22:00:14</span></td></tr>\n\
<tr>\n{}{}{}{}<td rowspan=\"3\" {TD}></td>\n</tr>\n<tr>\n{}{}{}{}</tr>\n<tr>\n{}{}{}{}</tr>\n\
<tr><td colspan=\"9\" nowrap=\"\" {TD}>Details</td></tr>\n\
<tr class=\"processObjectsHeader\">\n<td {TD}><b>Name</b></td><td {TD}><b>Status</b></td><td {TD}><b>Start time</b></td><td {TD}><b>End time</b></td>\
<td {TD}><b>Size</b></td><td {TD}><b>Read</b></td><td {TD}><b>Transferred</b></td><td {TD}><b>Duration</b></td><td {TD}><b>Details</b></td>\n</tr>\n{rows}\
</table></td></tr>\n</table></td></tr>\n<tr><td>Veeam Backup &amp; Replication 12.3.1.1139</td></tr>\n</table>\n</body>\n</html>\n",
        cell("Success", &objects.to_string()),
        cell("Start time", "22:00:14"),
        cell("Total size", "1,2 TB"),
        cell("Backup size", "96,4 GB"),
        cell("Warning", "0"),
        cell("End time", "23:59:40"),
        cell("Data read", "310,5 GB"),
        cell("Dedupe", "1,6x"),
        cell("Error", "0"),
        cell("Duration", "1:59:26"),
        cell("Transferred", "94,1 GB"),
        cell("Compression", "2,1x"),
    )
}

fn headers(from: &str, subject: &str, seq: usize) -> String {
    format!(
        "From: {from}\r\nTo: backups@msp.example.net\r\nSubject: {subject}\r\nDate: Wed, 04 Mar 2026 00:10:00 +0100\r\n\
         Message-ID: <bench.{seq}@example.com>\r\nMIME-Version: 1.0\r\n"
    )
}

fn veeam_8bit(objects: usize, seq: usize) -> Vec<u8> {
    let mut m = headers("\"Veeam\" <veeam@example.com>", &format!("[Success] Job {seq} ({objects} objects)"), seq);
    m.push_str("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
    m.push_str(&veeam_html(objects, seq).replace('\n', "\r\n"));
    m.into_bytes()
}

fn veeam_base64(objects: usize, seq: usize) -> Vec<u8> {
    let mut m = headers("veeam@example.com", &format!("[Success] Job {seq} ({objects} VMs)"), seq);
    m.push_str("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    m.push_str(&base64(veeam_html(objects, seq).as_bytes()));
    m.push_str("\r\n");
    m.into_bytes()
}

fn vzdump(guests: usize, seq: usize) -> Vec<u8> {
    let mut m = headers(
        "\"vzdump backup tool\" <root@pve1.example.com>",
        "vzdump backup status (pve1.example.com): backup successful",
        seq,
    );
    m.push_str("Content-Type: text/plain; charset=utf-8\r\n\r\nDetails\r\n=======\r\n");
    m.push_str("VMID    Name          Status    Time       Size           Filename\r\n");
    for g in 0..guests {
        let _ = write!(
            m,
            "{:<8}{:<14}{:<10}{:<11}{:<15}vm/{}/2026-03-03T22:{:02}:02Z\r\n",
            100 + g,
            format!("guest{g}"),
            "ok",
            "1m 23s",
            "1.5 GiB",
            100 + g,
            g % 60
        );
    }
    m.push_str("\r\nTotal running time: 1h 2m 3s\r\nTotal size: 40 GiB\r\n\r\nLogs\r\n====\r\n");
    for g in 0..guests {
        let id = 100 + g;
        for line in [
            format!("INFO: Starting Backup of VM {id} (qemu)"),
            "INFO: status = running".to_string(),
            "INFO: backup mode: snapshot".to_string(),
            "INFO: creating Proxmox Backup Server archive 'vm/x'".to_string(),
            "INFO: transferred 1.5 GiB in 83 seconds (18.5 MiB/s)".to_string(),
            format!("INFO: Finished Backup of VM {id} (00:01:23)"),
        ] {
            let _ = write!(m, "{id}: 2026-03-03 22:{:02}:{:02} {line}\r\n", g % 60, g % 50);
        }
    }
    m.into_bytes()
}

fn csv_report(rows: usize, seq: usize) -> Vec<u8> {
    let mut csv = String::from("Device,Status,Backup Date,Job,Client,Data Size\r\n");
    for r in 0..rows {
        let _ =
            write!(csv, "PC-{r:04},Success,2026-03-03 21:{:02}:00,Laptops,Example Dental,{}.5 GB\r\n", r % 60, r % 40);
    }
    let mut m = headers("reports@rmm.example.com", "Backup Report CSV - Laptops", seq);
    m.push_str("Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attachment.\r\n--b\r\n");
    m.push_str("Content-Type: text/csv; name=\"r.csv\"\r\nContent-Disposition: attachment; filename=\"r.csv\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    m.push_str(&base64(csv.as_bytes()));
    m.push_str("\r\n--b--\r\n");
    m.into_bytes()
}

/// Sizes in the 20-60 KB band: 12-31 Veeam objects, 36-93 guests.
fn typical() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for seq in 0..40 {
        let n = 12 + seq / 2;
        out.push(veeam_8bit(n, seq));
        out.push(veeam_base64(n, seq));
        out.push(vzdump(n * 3, seq));
    }
    out
}

/// CSV attachments of 240-620 rows (20-60 KB mails).
fn csv_mails() -> Vec<Vec<u8>> {
    (0..40).map(|seq| csv_report((12 + seq / 2) * 20, seq)).collect()
}

struct Result {
    mails: usize,
    bytes: usize,
    elapsed: Duration,
    /// CPU time this thread got (Linux; `None` elsewhere): on a shared
    /// machine the rate per CPU-second is the stable figure.
    cpu: Option<Duration>,
    parsed: usize,
}

/// This thread's user + system CPU time from `/proc/thread-self/stat`
/// (clock ticks of 10 ms, the Linux default of 100 Hz).
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of the whole line are utime and stime; after the
    // name (field 2) they are at 11 and 12.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn run(set: &[Vec<u8>], budget: Duration) -> Result {
    // Warm up once (lazy statics, caches).
    for raw in set {
        let _ = black_box(read_mail(raw).map(|m| parse_report(&m)));
    }
    let start = Instant::now();
    let cpu_start = thread_cpu();
    let (mut mails, mut bytes, mut parsed) = (0, 0, 0);
    while start.elapsed() < budget {
        for raw in set {
            if let Ok(mail) = read_mail(black_box(raw))
                && black_box(parse_report(&mail)).is_ok()
            {
                parsed += 1;
            }
            mails += 1;
            bytes += raw.len();
        }
    }
    Result {
        mails,
        bytes,
        elapsed: start.elapsed(),
        cpu: thread_cpu().zip(cpu_start).map(|(end, start)| end.saturating_sub(start)),
        parsed,
    }
}

fn main() {
    let secs: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let budget = Duration::from_secs(secs);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("bc-parsers corpus benchmark, one thread, {secs} s per set; load average: {}", load.trim());
    let typical = typical();
    let kind = |k: usize| typical.iter().skip(k).step_by(3).cloned().collect::<Vec<_>>();
    let sets = [
        ("fixture corpus", fixtures()),
        ("typical 20-60 KB reports", typical.clone()),
        ("  of which Veeam 8bit", kind(0)),
        ("  of which Veeam base64", kind(1)),
        ("  of which vzdump text", kind(2)),
        ("CSV, 240-620 rows", csv_mails()),
    ];
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    for (name, set) in sets.iter().filter(|(n, _)| n.contains(only.as_str())) {
        let total: usize = set.iter().map(Vec::len).sum();
        let (min, max) = (set.iter().map(Vec::len).min().unwrap_or(0), set.iter().map(Vec::len).max().unwrap_or(0));
        let r = run(set, budget);
        let s = r.elapsed.as_secs_f64();
        let cpu = r.cpu.map(|c| c.as_secs_f64()).filter(|c| *c > 0.0);
        println!(
            "{name:>26}: {n} mails ({min}..{max} B, avg {avg} B); wall: {mps:>6.0} mails/s, {mbs:>5.1} MB/s; \
             per CPU-second: {cmps} mails/s, {cmbs} MB/s ({cpu_share:.0}% CPU); {ok}/{all} parsed",
            n = set.len(),
            avg = total / set.len().max(1),
            mps = r.mails as f64 / s,
            mbs = r.bytes as f64 / s / 1e6,
            cmps = cpu.map_or("?".into(), |c| format!("{:.0}", r.mails as f64 / c)),
            cmbs = cpu.map_or("?".into(), |c| format!("{:.1}", r.bytes as f64 / c / 1e6)),
            cpu_share = cpu.map_or(0.0, |c| c / s * 100.0),
            ok = r.parsed,
            all = r.mails,
        );
    }
}
