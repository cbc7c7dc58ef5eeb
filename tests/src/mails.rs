//! Report mails for tests and benchmarks: Veeam Backup & Replication job
//! notifications in the layout of the parser fixtures, with a chosen job,
//! status, object count and Message-ID.

use bc_api_types::Status;
use chrono::{DateTime, Duration, FixedOffset, TimeZone};

/// What a generated mail says.
#[derive(Debug, Clone)]
pub struct VeeamMail {
    pub sender: String,
    pub job: String,
    pub status: Status,
    pub objects: usize,
    /// Distinguishes mails of one job: Message-ID and start time.
    pub seq: u64,
    /// How many objects carry the run's Warning/Failed status (the first ones); at least one when not Success.
    pub failing: usize,
    /// The run-level message; `None` is Veeam's usual "Job finished with error/warning".
    pub message: Option<String>,
    /// The start, instead of the one `seq` gives.
    pub start: Option<DateTime<FixedOffset>>,
}

impl VeeamMail {
    pub fn new(sender: &str, job: &str, status: Status, seq: u64) -> Self {
        VeeamMail {
            sender: sender.into(),
            job: job.into(),
            status,
            objects: 3,
            seq,
            failing: 1,
            message: None,
            start: None,
        }
    }

    pub fn objects(mut self, n: usize) -> Self {
        self.objects = n;
        self
    }

    /// The first `n` objects carry the run's Warning/Failed status.
    pub fn failing(mut self, n: usize) -> Self {
        self.failing = n.max(1);
        self
    }

    /// Starts at `at` (instead of a day per `seq` in March 2026).
    pub fn started_at(mut self, at: DateTime<FixedOffset>) -> Self {
        self.start = Some(at);
        self
    }

    /// The run-level message ("" for none).
    pub fn message(mut self, m: &str) -> Self {
        self.message = Some(m.to_string());
        self
    }

    /// The start of the run: one day per `seq` after 2026-03-01 22:00 +01:00.
    pub fn started(&self) -> DateTime<FixedOffset> {
        if let Some(s) = self.start {
            return s;
        }
        let tz = FixedOffset::east_opt(3600).expect("valid offset");
        tz.with_ymd_and_hms(2026, 3, 1, 22, 0, 0).single().expect("valid time") + Duration::days(self.seq as i64)
    }

    pub fn message_id(&self) -> String {
        let local = self.job.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-");
        format!("{}.{}.vbr@{}", self.seq, local, self.sender.split('@').nth(1).unwrap_or("example.com"))
    }

    pub fn eml(&self) -> Vec<u8> {
        let start = self.started();
        let end = start + Duration::minutes(31);
        let date = end + Duration::seconds(12);
        let (colour, word) = match self.status {
            Status::Success => ("#00B050", "Success"),
            Status::Warning => ("#ffd96c", "Warning"),
            Status::Failed => ("#fb9895", "Failed"),
            Status::Missed => unreachable!("a report never says Missed: the scheduler gives that status"),
        };
        let td = r#"style="padding: 2px 3px 2px 3px;vertical-align: top;border: 1px solid #a7a9ac;font-family: Tahoma;font-size: 12px;""#;
        let mut rows = String::new();
        for i in 0..self.objects {
            let (st, st_colour, detail) = match self.status {
                Status::Failed if i < self.failing => {
                    ("Failed", "#fb9895", "Error: Failed to create VM snapshot. Timed out")
                }
                Status::Warning if i < self.failing => ("Warning", "#ffd96c", "Changed block tracking is disabled"),
                _ => ("Success", "#00B050", ""),
            };
            let s = start + Duration::seconds(30 + i as i64 * 40);
            let e = s + Duration::minutes(7);
            rows.push_str(&format!(
                "<tr style=\"height: 17px;\">\n<td nowrap=\"\" {td}>VM{i:03}</td>\n<td nowrap=\"\" {td}><span style=\"color: {st_colour};\">{st}</span></td>\n\
                 <td nowrap=\"\" {td}>{}</td>\n<td nowrap=\"\" {td}>{}</td>\n<td nowrap=\"\" {td}>{}.0 GB</td>\n<td nowrap=\"\" {td}>12.5 GB</td>\n\
                 <td nowrap=\"\" {td}>4.2 GB</td>\n<td nowrap=\"\" {td}>0:07:00</td>\n<td {td}>{detail}</td>\n</tr>\n",
                s.format("%H:%M:%S"),
                e.format("%H:%M:%S"),
                40 + i,
            ));
        }
        let (ok, warn, err) = match self.status {
            Status::Success => (self.objects, 0, 0),
            Status::Warning => (self.objects.saturating_sub(self.failing), self.failing.min(self.objects), 0),
            Status::Failed | Status::Missed => {
                (self.objects.saturating_sub(self.failing), 0, self.failing.min(self.objects))
            }
        };
        let cell = |label: &str, value: &str| {
            format!("<td nowrap=\"\" {td}><b>{label}</b></td>\n<td nowrap=\"\" {td}>{value}</td>\n")
        };
        let html = format!(
            "<html>\n<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\" /></head>\n<body>\n\
<table cellspacing=\"0\" cellpadding=\"0\" width=\"100%\" border=\"0\" style=\"border-collapse: collapse;\">\n\
<tr><td style=\"border:none; padding: 0px;font-family: Tahoma;font-size: 12px;\"><table cellspacing=\"0\" cellpadding=\"0\" width=\"100%\" border=\"0\" style=\"border-collapse: collapse;\">\n\
<tr style=\"height:70px\"><td style=\"width: 80%;border: none;background-color: {colour};color: White;font-weight: bold;font-size: 16px;\">Backup job: {job}\n\
<div class=\"jobDescription\" style=\"margin-top: 5px;font-size: 12px;\">Generated test job</div></td><td style=\"border: none;background-color: {colour};color: White;font-weight: bold;font-size: 16px;\">{word}\n\
<div class=\"jobDescription\" style=\"margin-top: 5px;font-size: 12px;\">{n} of {n} VMs processed</div></td></tr>\n\
<tr><td colspan=\"2\" style=\"border: none; padding: 0px;\"><table width=\"100%\" cellspacing=\"0\" cellpadding=\"0\" class=\"inner\" border=\"0\" style=\"margin: 0px;border-collapse: collapse;\">\n\
<tr style=\"height: 17px;\"><td colspan=\"9\" class=\"sessionDetails\"><span>{session}</span></td></tr>\n\
<tr style=\"height: 17px;\">\n{c1}{c2}{c3}{c4}<td rowspan=\"3\" {td}><span class=\"small_label\" style=\"font-size: 10px;\">{msg}</span></td>\n</tr>\n\
<tr style=\"height: 17px;\">\n{c5}{c6}{c7}{c8}</tr>\n\
<tr style=\"height: 17px;\">\n{c9}{c10}{c11}{c12}</tr>\n\
<tr style=\"height: 17px;\"><td colspan=\"9\" nowrap=\"\" {td}>Details</td></tr>\n\
<tr class=\"processObjectsHeader\" style=\"height: 23px\">\n<td nowrap=\"\" {td}><b>Name</b></td>\n<td nowrap=\"\" {td}><b>Status</b></td>\n<td nowrap=\"\" {td}><b>Start time</b></td>\n\
<td nowrap=\"\" {td}><b>End time</b></td>\n<td nowrap=\"\" {td}><b>Size</b></td>\n<td nowrap=\"\" {td}><b>Read</b></td>\n<td nowrap=\"\" {td}><b>Transferred</b></td>\n\
<td nowrap=\"\" {td}><b>Duration</b></td>\n<td nowrap=\"\" {td}><b>Details</b></td>\n</tr>\n{rows}\
</table></td></tr>\n</table></td></tr>\n<tr><td style=\"font-size: 12px;color: #626365;\">Veeam Backup &amp; Replication 12.3.1.1139</td></tr>\n</table>\n</body>\n</html>\n",
            job = html_escape(&self.job),
            n = self.objects,
            session = start.format("%A, %B %-d, %Y %H:%M:%S"),
            msg = match (&self.message, self.status) {
                (Some(m), _) => html_escape(m),
                (None, Status::Success) => String::new(),
                (None, Status::Warning) => "Job finished with warning".to_string(),
                (None, Status::Failed | Status::Missed) => "Job finished with error".to_string(),
            },
            c1 = cell("Success", &ok.to_string()),
            c2 = cell("Start time", &start.format("%H:%M:%S").to_string()),
            c3 = cell("Total size", "1.2 TB"),
            c4 = cell("Backup size", "96.4 GB"),
            c5 = cell("Warning", &warn.to_string()),
            c6 = cell("End time", &end.format("%H:%M:%S").to_string()),
            c7 = cell("Data read", "310.5 GB"),
            c8 = cell("Dedupe", "1.6x"),
            c9 = cell("Error", &err.to_string()),
            c10 = cell("Duration", "0:31:00"),
            c11 = cell("Transferred", "94.1 GB"),
            c12 = cell("Compression", "2.1x"),
        );
        let subject = format!(
            "[{word}] {} ({} objects){}",
            self.job,
            self.objects,
            match self.status {
                Status::Success => "",
                Status::Warning => " 1 warning",
                Status::Failed | Status::Missed => " 1 error",
            }
        );
        let mut eml = format!(
            "From: \"Veeam Backup\" <{sender}>\r\nTo: backups@msp.example.net\r\nSubject: {subject}\r\nDate: {date}\r\n\
             Message-ID: <{mid}>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
            sender = self.sender,
            date = date.to_rfc2822(),
            mid = self.message_id(),
        );
        eml.push_str(&html.replace('\n', "\r\n"));
        eml.into_bytes()
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A mail no parser claims.
pub fn newsletter(seq: u64) -> Vec<u8> {
    format!(
        "From: news@vendor.example.org\r\nTo: backups@msp.example.net\r\nSubject: Our autumn newsletter\r\n\
         Date: Mon, 02 Mar 2026 09:00:00 +0000\r\nMessage-ID: <news-{seq}@vendor.example.org>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nHello! Nothing about backups here.\r\n"
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_mails_parse_as_veeam() {
        for status in Status::ALL.into_iter().filter(|s| *s != Status::Missed) {
            let m = VeeamMail::new("veeam@acme.example.com", "Daily <VMs> & more", status, 7).objects(20);
            let eml = m.eml();
            let mail = bc_parsers::read_mail(&eml).expect("readable");
            let r = bc_parsers::parse_report(&mail).expect("parsed");
            assert_eq!(r.parser, "veeam-vbr");
            assert_eq!(r.job_name, "Daily <VMs> & more");
            assert_eq!(r.status, status);
            assert_eq!(r.objects.len(), 20);
            assert_eq!(r.started_at, Some(m.started()));
            assert_eq!(mail.message_id.as_deref(), Some(m.message_id().as_str()));
        }
    }

    #[test]
    fn typical_size_is_a_few_dozen_kilobytes() {
        let n = VeeamMail::new("v@x.example.com", "Job", Status::Success, 1).objects(20).eml().len();
        assert!((20_000..60_000).contains(&n), "{n} bytes");
    }

    #[test]
    fn newsletters_match_no_parser() {
        let mail = bc_parsers::read_mail(&newsletter(1)).expect("readable");
        assert!(bc_parsers::parse_report(&mail).is_err());
    }
}
