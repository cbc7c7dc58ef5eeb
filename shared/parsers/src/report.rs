//! Building a [`Report`]: the cap on objects, run messages, status words.

use bc_api_types::{Report, ReportObject, Sizes, Status};
use chrono::{DateTime, FixedOffset};

use crate::util::text::{collapse_ws, truncate_chars};

/// Objects kept per report; the rest are counted in a run message.
pub const MAX_OBJECTS: usize = 10_000;
/// Run messages kept per report.
pub const MAX_MESSAGES: usize = 100;
/// Longest run or object message, in bytes.
pub const MAX_MESSAGE_LEN: usize = 4_000;
/// Longest job or object name, in bytes; longer ones are cut.
pub const MAX_NAME_LEN: usize = 256;

/// Reads a status word as reports print it: `Success`, `Warning`,
/// `Failed`, `Error`, `ok`, `err`, ... (first word, any case).
pub(crate) fn status_word(s: &str) -> Option<Status> {
    let word = s.trim().split(|c: char| !c.is_alphanumeric()).next()?.to_ascii_lowercase();
    match word.as_str() {
        "success" | "successful" | "succeeded" | "ok" | "completed" => Some(Status::Success),
        "warning" | "warnings" | "partial" | "pending" => Some(Status::Warning),
        "failed" | "failure" | "error" | "errors" | "err" | "fatal" | "aborted" => Some(Status::Failed),
        _ => None,
    }
}

/// A report under construction.
pub(crate) struct Draft {
    pub parser: &'static str,
    pub software: &'static str,
    pub job_type: String,
    pub job_name: String,
    pub status: Option<Status>,
    pub started_at: Option<DateTime<FixedOffset>>,
    pub ended_at: Option<DateTime<FixedOffset>>,
    pub duration_secs: Option<u64>,
    pub sizes: Sizes,
    /// 1 = the scheduled run, 2 = its first retry (see [`Report::attempt`]).
    pub attempt: Option<u32>,
    /// See [`Report::final_attempt`]; derived from the status when unset.
    pub final_attempt: Option<bool>,
    messages: Vec<String>,
    /// Facts about the run (`Retry 2`, `3 of 4 VMs processed`), listed
    /// after the warning and error texts so those stay first.
    notes: Vec<String>,
    objects: Vec<ReportObject>,
    objects_left_out: usize,
    worst_object: Option<Status>,
}

impl Draft {
    pub fn new(parser: &'static str, software: &'static str) -> Self {
        Self {
            parser,
            software,
            job_type: String::new(),
            job_name: String::new(),
            status: None,
            started_at: None,
            ended_at: None,
            duration_secs: None,
            sizes: Sizes::default(),
            attempt: None,
            final_attempt: None,
            messages: Vec::new(),
            notes: Vec::new(),
            objects: Vec::new(),
            objects_left_out: 0,
            worst_object: None,
        }
    }

    /// Adds a run-level message: whitespace collapsed, long text cut,
    /// duplicates and empties dropped.
    pub fn message(&mut self, text: &str) {
        if self.messages.len() >= MAX_MESSAGES {
            return;
        }
        let text = clean_message(text);
        if !text.is_empty() && !self.messages.contains(&text) {
            self.messages.push(text);
        }
    }

    /// Adds a fact about the run, listed after the messages.
    pub fn note(&mut self, text: &str) {
        let text = clean_message(text);
        if !text.is_empty() && !self.notes.contains(&text) && self.notes.len() < 8 {
            self.notes.push(text);
        }
    }

    pub fn has_messages(&self) -> bool {
        !self.messages.is_empty()
    }

    pub fn object(&mut self, mut object: ReportObject) {
        self.worst_object = Some(match self.worst_object {
            Some(w) => w.worst(object.status),
            None => object.status,
        });
        if self.objects.len() >= MAX_OBJECTS {
            self.objects_left_out += 1;
            return;
        }
        object.message = object.message.as_deref().map(clean_message).filter(|m| !m.is_empty());
        self.objects.push(object);
    }

    /// Counts an object that is not kept (past [`MAX_OBJECTS`]) but whose
    /// status still counts.
    pub fn object_left_out(&mut self, status: Status) {
        self.worst_object = Some(match self.worst_object {
            Some(w) => w.worst(status),
            None => status,
        });
        self.objects_left_out += 1;
    }

    /// The worst status of all objects seen, kept or not.
    pub fn worst_object(&self) -> Option<Status> {
        self.worst_object
    }

    /// Fills in what can be derived and returns the report. The status
    /// falls back to the worst object; without either it is an error.
    pub fn finish(mut self) -> Result<Report, String> {
        let status = self
            .status
            .or(self.worst_object)
            .ok_or_else(|| "no result (Success, Warning or Failed) found".to_string())?;
        if self.job_name.trim().is_empty() {
            return Err("no job name found".into());
        }
        if self.duration_secs.is_none()
            && let (Some(start), Some(end)) = (self.started_at, self.ended_at)
        {
            self.duration_secs = u64::try_from((end - start).num_seconds()).ok();
        }
        for note in std::mem::take(&mut self.notes) {
            if self.messages.len() >= MAX_MESSAGES {
                break;
            }
            if !self.messages.contains(&note) {
                self.messages.push(note);
            }
        }
        if self.objects_left_out > 0 {
            let note =
                format!("{} more objects were left out; a report keeps at most {MAX_OBJECTS}", self.objects_left_out);
            if self.messages.len() >= MAX_MESSAGES {
                self.messages.pop();
            }
            self.messages.push(note);
        }
        // A retry that did not fail is the last one; a failed retry may be
        // followed by another unless the report said so.
        let final_attempt = self.final_attempt.or(match (self.attempt, status) {
            (Some(_), Status::Success | Status::Warning) => Some(true),
            _ => None,
        });
        Ok(Report {
            parser: self.parser.to_string(),
            software: self.software.to_string(),
            job_type: self.job_type,
            job_name: truncate_chars(&collapse_ws(&self.job_name), MAX_NAME_LEN),
            status,
            started_at: self.started_at,
            ended_at: self.ended_at,
            duration_secs: self.duration_secs,
            sizes: self.sizes,
            messages: self.messages,
            objects: self.objects,
            attempt: self.attempt,
            final_attempt,
            original_sender: None,
            original_subject: None,
        })
    }
}

fn clean_message(text: &str) -> String {
    // Direction and zero-width marks (Windows puts U+200E into event times).
    let unmarked: String;
    let text = if text.contains(['\u{200e}', '\u{200f}', '\u{200b}', '\u{feff}']) {
        unmarked = text.chars().filter(|c| !matches!(c, '\u{200e}' | '\u{200f}' | '\u{200b}' | '\u{feff}')).collect();
        unmarked.as_str()
    } else {
        text
    };
    if !text.contains('\n') {
        return truncate_chars(&collapse_ws(text), MAX_MESSAGE_LEN);
    }
    let mut out = String::with_capacity(text.len().min(MAX_MESSAGE_LEN + 4));
    for line in text.lines() {
        let line = collapse_ws(line);
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&line);
        if out.len() > MAX_MESSAGE_LEN {
            break;
        }
    }
    truncate_chars(&out, MAX_MESSAGE_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(status: Status) -> ReportObject {
        ReportObject {
            name: "vm".into(),
            object_type: None,
            status,
            message: None,
            started_at: None,
            ended_at: None,
            size_bytes: None,
        }
    }

    #[test]
    fn status_words() {
        assert_eq!(status_word(" Success "), Some(Status::Success));
        assert_eq!(status_word("ERROR: disk full"), Some(Status::Failed));
        assert_eq!(status_word("err"), Some(Status::Failed));
        assert_eq!(status_word("Warning"), Some(Status::Warning));
        assert_eq!(status_word("Running"), None);
        assert_eq!(status_word(""), None);
    }

    #[test]
    fn objects_are_capped_and_counted() {
        let mut d = Draft::new("p", "s");
        d.job_name = "job".into();
        for i in 0..MAX_OBJECTS + 5 {
            d.object(object(if i == MAX_OBJECTS + 2 { Status::Failed } else { Status::Success }));
        }
        let r = d.finish().unwrap();
        assert_eq!(r.objects.len(), MAX_OBJECTS);
        assert_eq!(r.status, Status::Failed, "a left-out failure still counts");
        assert_eq!(r.messages, vec![format!("5 more objects were left out; a report keeps at most {MAX_OBJECTS}")]);
    }

    #[test]
    fn messages_are_cleaned() {
        let mut d = Draft::new("p", "s");
        d.message("  a   b \n\n c ");
        d.message("a b\nc");
        d.message("   ");
        assert_eq!(d.messages, vec!["a b\nc".to_string()]);
        assert!(d.finish().is_err(), "no status, no job name");
    }
}
