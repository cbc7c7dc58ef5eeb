//! Pure override logic: validating a spec, compiling its patterns, and
//! evaluating a run against the overrides in effect.
//!
//! The rule:
//! - An override applies to a run when it is in effect now (inside its
//!   validity window), its scope covers the run's job, and the run's
//!   original status (what the report said) is one it matches.
//! - Without an object pattern it matches the run when its message pattern
//!   (if any) finds any of the run's texts (the run's own messages and its
//!   objects' messages). The run then shows Success.
//! - With an object pattern it matches the objects whose name fits the
//!   pattern (exact, or a glob with `*` and `?`; case-insensitive) and
//!   whose status and message match. Those objects count as Success, and the
//!   run is recomputed: the worst of its other objects, and of its own
//!   status when that was worse than every object's (a job-level error).
//! - A run that is Success by its report is never touched.
//!
//! Patterns use `regex-lite`, whose matching is linear in the text (no
//! backtracking), with a compiled-size and nesting limit, so no pattern can
//! make evaluation slow.

use bc_api_types::{OverrideRef, OverrideScope, OverrideSpec, ReportObject, RunOverride, Status, TextMatch};
use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::ids::is_valid_id;
use crate::model::{Job, Override};

pub const MAX_COMMENT: usize = 1_000;
pub const MAX_PATTERN: usize = 500;
pub const MAX_OBJECT: usize = 256;
pub const MAX_SOFTWARE: usize = 200;
/// Compiled size limit of a regular expression, in bytes.
pub const REGEX_SIZE_LIMIT: usize = 64 * 1024;
const REGEX_NEST_LIMIT: u32 = 32;

/// A text pattern, ready to match.
#[derive(Debug, Clone)]
enum Text {
    /// Lower-cased needle.
    Contains(String),
    Regex(regex_lite::Regex),
}

impl Text {
    fn is_match(&self, hay: &str) -> bool {
        match self {
            Text::Contains(n) => hay.to_lowercase().contains(n.as_str()),
            Text::Regex(r) => r.is_match(hay),
        }
    }
}

/// An object-name pattern.
#[derive(Debug, Clone)]
enum Object {
    /// Lower-cased exact name.
    Exact(String),
    Glob(regex_lite::Regex),
}

impl Object {
    fn is_match(&self, name: &str) -> bool {
        match self {
            Object::Exact(n) => name.to_lowercase() == *n,
            Object::Glob(r) => r.is_match(name),
        }
    }
}

/// An override with its patterns compiled.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub ov: Override,
    text: Option<Text>,
    object: Option<Object>,
}

fn regex(pattern: &str, case_insensitive: bool) -> std::result::Result<regex_lite::Regex, String> {
    regex_lite::RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(REGEX_NEST_LIMIT)
        .build()
        .map_err(|e| {
            let e = e.to_string();
            if e.contains("size limit") || e.contains("exceeds") {
                format!("the regular expression is too large once compiled (limit {REGEX_SIZE_LIMIT} bytes)")
            } else {
                format!("invalid regular expression: {}", e.lines().last().unwrap_or(&e).trim())
            }
        })
}

/// `*` any run of characters, `?` one character; everything else literal.
fn glob(pattern: &str) -> std::result::Result<regex_lite::Regex, String> {
    let mut re = String::from("^");
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex_lite::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex(&re, true)
}

fn is_glob(p: &str) -> bool {
    p.contains('*') || p.contains('?')
}

/// Trims the spec's texts and refuses what cannot be stored or matched,
/// with the reason. Does not check that a named customer or job exists.
pub fn validate(spec: &OverrideSpec) -> Result<OverrideSpec> {
    let bad = |m: String| Err(Error::Invalid(m));
    let mut s = spec.clone();
    s.comment = s.comment.trim().to_string();
    if s.comment.is_empty() {
        return bad("an override needs a comment: why is this noise?".into());
    }
    if s.comment.chars().count() > MAX_COMMENT {
        return bad(format!("a comment has at most {MAX_COMMENT} characters"));
    }
    match &mut s.scope {
        OverrideScope::Global => {}
        OverrideScope::Customer { customer_id } if !is_valid_id(customer_id) => return bad("no such customer".into()),
        OverrideScope::Job { job_id } if !is_valid_id(job_id) => return bad("no such job".into()),
        OverrideScope::Customer { .. } | OverrideScope::Job { .. } => {}
        OverrideScope::Software { software, job_type } => {
            *software = software.trim().to_string();
            if software.is_empty() || software.chars().count() > MAX_SOFTWARE {
                return bad(format!("a software name has 1 to {MAX_SOFTWARE} characters"));
            }
            if let Some(t) = job_type {
                *t = t.trim().to_string();
                if t.chars().count() > MAX_SOFTWARE {
                    return bad(format!("a job type has at most {MAX_SOFTWARE} characters"));
                }
            }
            if job_type.as_ref().is_some_and(|t| t.is_empty()) {
                *job_type = None;
            }
        }
    }
    if let Some(o) = &mut s.object {
        *o = o.trim().to_string();
        if o.is_empty() {
            s.object = None;
        } else if o.chars().count() > MAX_OBJECT {
            return bad(format!("an object pattern has at most {MAX_OBJECT} characters"));
        } else if o.chars().any(char::is_control) {
            return bad("an object pattern cannot hold control characters".into());
        }
    }
    if let Some(m) = &s.message {
        let p = match m {
            TextMatch::Contains(p) | TextMatch::Regex(p) => p,
        };
        if p.trim().is_empty() {
            return bad("a message pattern cannot be empty (leave it out to match any message)".into());
        }
        if p.chars().count() > MAX_PATTERN {
            return bad(format!("a message pattern has at most {MAX_PATTERN} characters"));
        }
        if let TextMatch::Regex(r) = m {
            regex(r, true).map_err(Error::Invalid)?;
        }
    }
    if let (Some(f), Some(u)) = (s.valid_from, s.valid_until)
        && u <= f
    {
        return bad("the validity window ends before it starts".into());
    }
    Ok(s)
}

impl Compiled {
    /// Compiles a stored override (validated when it was saved).
    pub fn new(ov: Override) -> std::result::Result<Compiled, String> {
        let text = match &ov.spec.message {
            None => None,
            Some(TextMatch::Contains(p)) => Some(Text::Contains(p.to_lowercase())),
            Some(TextMatch::Regex(p)) => Some(Text::Regex(regex(p, true)?)),
        };
        let object = match &ov.spec.object {
            None => None,
            Some(p) if is_glob(p) => Some(Object::Glob(glob(p)?)),
            Some(p) => Some(Object::Exact(p.to_lowercase())),
        };
        Ok(Compiled { ov, text, object })
    }

    pub fn in_effect(&self, now: DateTime<Utc>) -> bool {
        self.ov.spec.valid_from.is_none_or(|f| f <= now) && self.ov.spec.valid_until.is_none_or(|u| now < u)
    }

    pub fn covers(&self, job: &Job) -> bool {
        match &self.ov.spec.scope {
            OverrideScope::Global => true,
            OverrideScope::Customer { customer_id } => job.customer_id == *customer_id,
            OverrideScope::Job { job_id } => job.id == *job_id,
            OverrideScope::Software { software, job_type } => {
                job.software.eq_ignore_ascii_case(software)
                    && job_type.as_ref().is_none_or(|t| job.job_type.eq_ignore_ascii_case(t))
            }
        }
    }

    pub fn per_object(&self) -> bool {
        self.object.is_some()
    }

    fn reference(&self) -> OverrideRef {
        OverrideRef { id: self.ov.id.clone(), number: self.ov.number, comment: self.ov.spec.comment.clone() }
    }
}

/// Compiles all; one that no longer compiles is skipped with a log line.
pub fn compile_all(overrides: Vec<Override>) -> Vec<Compiled> {
    overrides
        .into_iter()
        .filter_map(|o| {
            let id = o.id.clone();
            Compiled::new(o).map_err(|e| tracing::warn!(override_id = %id, error = %e, "override skipped")).ok()
        })
        .collect()
}

/// What a run is evaluated on.
pub struct Subject<'a> {
    pub job: &'a Job,
    /// The report's status.
    pub original: Status,
    /// The run's own texts (its messages, or its summary message).
    pub messages: &'a [String],
    /// The report's objects, when loaded.
    pub objects: Option<&'a [ReportObject]>,
}

/// The outcome: the status to show, and the override marker if it differs
/// from the report's.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    pub overridden: Option<RunOverride>,
}

/// The overrides that may apply to a job now (in effect, in scope).
pub fn applicable<'a>(all: &'a [Compiled], job: &Job, now: DateTime<Utc>) -> Vec<&'a Compiled> {
    all.iter().filter(|c| c.in_effect(now) && c.covers(job)).collect()
}

/// Evaluates a run against the applicable overrides (see the module doc).
pub fn evaluate(applicable: &[&Compiled], s: &Subject<'_>) -> Outcome {
    let unchanged = Outcome { status: s.original, overridden: None };
    if s.original == Status::Success || applicable.is_empty() {
        return unchanged;
    }
    let objects = s.objects.unwrap_or(&[]);
    let texts = || s.messages.iter().map(String::as_str).chain(objects.iter().filter_map(|o| o.message.as_deref()));
    // Whole-run overrides.
    let whole: Vec<OverrideRef> = applicable
        .iter()
        .filter(|c| !c.per_object() && c.ov.spec.status.matches(s.original))
        .filter(|c| c.text.as_ref().is_none_or(|t| texts().any(|x| t.is_match(x))))
        .map(|c| c.reference())
        .collect();
    if !whole.is_empty() {
        return Outcome {
            status: Status::Success,
            overridden: Some(RunOverride { original_status: s.original, by: whole }),
        };
    }
    // Per-object overrides.
    let per_object: Vec<&&Compiled> = applicable.iter().filter(|c| c.per_object()).collect();
    if per_object.is_empty() || objects.is_empty() {
        return unchanged;
    }
    let mut used: Vec<OverrideRef> = Vec::new();
    let mut worst_remaining = Status::Success;
    let mut worst_object = Status::Success;
    for o in objects {
        worst_object = worst_object.worst(o.status);
        if o.status == Status::Success {
            continue;
        }
        let hit = per_object.iter().find(|c| {
            c.ov.spec.status.matches(o.status)
                && c.object.as_ref().is_some_and(|p| p.is_match(&o.name))
                && c.text.as_ref().is_none_or(|t| o.message.as_deref().is_some_and(|m| t.is_match(m)))
        });
        match hit {
            Some(c) => {
                if !used.iter().any(|r| r.id == c.ov.id) {
                    used.push(c.reference());
                }
            }
            None => worst_remaining = worst_remaining.worst(o.status),
        }
    }
    // The run's own status counts where no object explains it.
    let own = if s.original.severity() > worst_object.severity() { s.original } else { Status::Success };
    let status = own.worst(worst_remaining);
    if used.is_empty() || status == s.original {
        return unchanged;
    }
    Outcome { status, overridden: Some(RunOverride { original_status: s.original, by: used }) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bc_api_types::StatusMatch;
    use chrono::TimeZone;

    fn at(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, 6, 0, 0).unwrap()
    }

    fn job() -> Job {
        Job {
            id: "j1".into(),
            identity: "i".into(),
            customer_id: "c1".into(),
            sender: "s@x".into(),
            software: "Veeam".into(),
            job_type: "Backup".into(),
            job_name: "SQL".into(),
            parser: "veeam".into(),
            approved_at: at(1),
            approved_by: "a".into(),
            last_run: None,
            run_count: 0,
            lifecycle: Default::default(),
            schedule: Default::default(),
            ping: None,
            source: Default::default(),
            version: 0,
        }
    }

    fn spec(
        scope: OverrideScope,
        object: Option<&str>,
        status: StatusMatch,
        message: Option<TextMatch>,
    ) -> OverrideSpec {
        OverrideSpec {
            scope,
            object: object.map(str::to_string),
            status,
            message,
            valid_from: None,
            valid_until: None,
            comment: "known".into(),
        }
    }

    fn ov(n: u64, spec: OverrideSpec) -> Compiled {
        Compiled::new(Override {
            id: format!("o{n}"),
            number: n,
            spec: validate(&spec).unwrap(),
            created_by: "a".into(),
            created_at: at(1),
            updated_by: None,
            updated_at: None,
            version: 0,
        })
        .unwrap()
    }

    fn obj(name: &str, status: Status, message: Option<&str>) -> ReportObject {
        ReportObject {
            name: name.into(),
            object_type: None,
            status,
            message: message.map(str::to_string),
            started_at: None,
            ended_at: None,
            size_bytes: None,
        }
    }

    fn eval(ovs: &[Compiled], original: Status, messages: &[&str], objects: &[ReportObject]) -> Outcome {
        let j = job();
        let messages: Vec<String> = messages.iter().map(|m| m.to_string()).collect();
        let app = applicable(ovs, &j, at(10));
        evaluate(&app, &Subject { job: &j, original, messages: &messages, objects: Some(objects) })
    }

    #[test]
    fn a_whole_run_override_matches_status_and_text() {
        let o = ov(
            12,
            spec(
                OverrideScope::Job { job_id: "j1".into() },
                None,
                StatusMatch::Warning,
                Some(TextMatch::Contains("cbt IS disabled".into())),
            ),
        );
        let out = eval(std::slice::from_ref(&o), Status::Warning, &["CBT is disabled on SQL02"], &[]);
        assert_eq!(out.status, Status::Success);
        let by = out.overridden.unwrap();
        assert_eq!(by.original_status, Status::Warning);
        assert_eq!(by.describe(), "Warning, overridden by #12: known");
        // Another text, another status, a Success run: untouched.
        assert_eq!(eval(std::slice::from_ref(&o), Status::Warning, &["disk full"], &[]).overridden, None);
        assert_eq!(eval(std::slice::from_ref(&o), Status::Failed, &["CBT is disabled"], &[]).status, Status::Failed);
        assert_eq!(eval(std::slice::from_ref(&o), Status::Success, &["CBT is disabled"], &[]).overridden, None);
    }

    #[test]
    fn scope_and_window_decide_whether_it_applies() {
        let mut s = spec(
            OverrideScope::Software { software: "veeam".into(), job_type: Some("backup".into()) },
            None,
            StatusMatch::Any,
            None,
        );
        assert_eq!(eval(&[ov(1, s.clone())], Status::Failed, &[], &[]).status, Status::Success);
        s.valid_until = Some(at(9));
        assert_eq!(eval(&[ov(1, s.clone())], Status::Failed, &[], &[]).status, Status::Failed, "expired");
        s.valid_until = None;
        s.valid_from = Some(at(11));
        assert_eq!(eval(&[ov(1, s.clone())], Status::Failed, &[], &[]).status, Status::Failed, "not yet");
        let other = spec(OverrideScope::Customer { customer_id: "c2".into() }, None, StatusMatch::Any, None);
        assert_eq!(eval(&[ov(1, other)], Status::Failed, &[], &[]).status, Status::Failed);
    }

    #[test]
    fn object_overrides_recompute_the_run_from_the_rest() {
        let o = ov(3, spec(OverrideScope::Global, Some("sql*"), StatusMatch::Warning, None));
        let objs = [obj("SQL02", Status::Warning, Some("CBT")), obj("FS01", Status::Success, None)];
        let out = eval(std::slice::from_ref(&o), Status::Warning, &[], &objs);
        assert_eq!(out.status, Status::Success);
        assert_eq!(out.overridden.unwrap().by[0].number, 3);
        // Another object still fails: the run stays Failed, no marker.
        let objs = [obj("SQL02", Status::Warning, None), obj("FS01", Status::Failed, Some("disk"))];
        let out = eval(std::slice::from_ref(&o), Status::Failed, &[], &objs);
        assert_eq!(out, Outcome { status: Status::Failed, overridden: None });
        // Another object warns while the failure was overridden: Warning.
        let f = ov(4, spec(OverrideScope::Global, Some("FS01"), StatusMatch::Failed, None));
        let objs = [obj("SQL02", Status::Warning, None), obj("fs01", Status::Failed, Some("disk"))];
        let out = eval(std::slice::from_ref(&f), Status::Failed, &[], &objs);
        assert_eq!(out.status, Status::Warning);
        assert_eq!(out.overridden.unwrap().original_status, Status::Failed);
        // A job-level failure no object explains stays.
        let objs = [obj("SQL02", Status::Warning, None)];
        let out = eval(std::slice::from_ref(&o), Status::Failed, &["job failed"], &objs);
        assert_eq!(out.status, Status::Failed);
    }

    #[test]
    fn bad_specs_are_refused_with_a_reason() {
        let base = spec(OverrideScope::Global, None, StatusMatch::Any, None);
        let mut s = base.clone();
        s.comment = "  ".into();
        assert!(validate(&s).is_err());
        let mut s = base.clone();
        s.valid_from = Some(at(5));
        s.valid_until = Some(at(4));
        assert!(matches!(validate(&s), Err(Error::Invalid(m)) if m.contains("ends before")));
        let mut s = base.clone();
        s.message = Some(TextMatch::Regex("(unclosed".into()));
        assert!(matches!(validate(&s), Err(Error::Invalid(m)) if m.contains("invalid regular expression")));
        let mut s = base.clone();
        s.message = Some(TextMatch::Regex("(a{100}){100}".into()));
        assert!(matches!(validate(&s), Err(Error::Invalid(m)) if m.contains("too large")), "{:?}", validate(&s));
        let mut s = base.clone();
        s.message = Some(TextMatch::Regex("x".repeat(MAX_PATTERN + 1)));
        assert!(validate(&s).is_err());
        let mut s = base;
        s.scope = OverrideScope::Job { job_id: "../etc".into() };
        assert!(validate(&s).is_err());
    }

    #[test]
    fn a_classic_catastrophic_pattern_is_linear_here() {
        let o = ov(1, spec(OverrideScope::Global, None, StatusMatch::Any, Some(TextMatch::Regex("^(a+)+$".into()))));
        let hay = format!("{}!", "a".repeat(20_000));
        // A backtracking engine would not return; this one scans once.
        assert_eq!(eval(std::slice::from_ref(&o), Status::Failed, &[&hay], &[]).status, Status::Failed);
    }
}
