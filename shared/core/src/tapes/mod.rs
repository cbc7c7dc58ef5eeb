//! LTO tape media (seed 002): Cartridges, tape jobs written across them in
//! spanning order, where each Cartridge is and who handed it to whom, with
//! signatures. Every change goes to the audit trail (entity types `tape`
//! and `tape_job`), and a deleted Cartridge's entries stay.
//!
//! Everyone looks; who writes is per role ([`access`]: operators and admins
//! until an admin sets otherwise); only admins delete (`DeleteTapes`).
//! Checked here, whatever the UI shows.

pub mod access;
pub mod csv;
pub mod labels;
pub mod repo;
pub mod signature;

use std::collections::{HashMap, HashSet};

use bc_api_types::{self as api, Permission, Signature};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};
use crate::ports::PortError;
use crate::present;
use crate::repos::AuditFilter;
use repo::{MAX_TAPES_PER_INSERT, MAX_TAPES_PER_JOB};

/// Entity types of the tape audit trail.
pub const AUDIT_TAPE: &str = "tape";
pub const AUDIT_TAPE_JOB: &str = "tape_job";
/// Clocks drift: a time this far ahead of ours still counts as "now".
const FUTURE_SLACK_MINUTES: i64 = 5;
const MAX_RETENTION_DAYS: u32 = 36_500;
const MAX_CAPACITY_GB: u64 = 1_000_000;

/// A trimmed text of at most `max` characters without control characters
/// (notes may have line breaks).
fn text(s: &str, what: &str, max: usize, required: bool) -> Result<String> {
    let t = s.trim();
    if required && t.is_empty() {
        return Err(Error::Invalid(format!("{what} is required")));
    }
    if t.chars().count() > max || t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(Error::Invalid(format!("{what}: at most {max} characters, no control characters")));
    }
    Ok(t.to_string())
}

fn tags(raw: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in raw {
        let t = text(t, "a tag", 40, false)?;
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > 20 {
        return Err(Error::Invalid("at most 20 tags".into()));
    }
    Ok(out)
}

fn conflict(what: &str) -> impl Fn(PortError) -> Error + '_ {
    move |e| match e {
        PortError::Conflict(_) => Error::Conflict(format!("the {what} was changed meanwhile; reload it")),
        e => e.into(),
    }
}

/// A custody event as the audit trail keeps it: the drawn image's size,
/// not the image.
fn custody_for_audit(e: &api::CustodyEvent) -> Value {
    let mut v = serde_json::to_value(e).unwrap_or_default();
    if let (Some(Signature::Drawn { image, signer }), Some(obj)) = (&e.signature, v.as_object_mut()) {
        obj.insert("signature".into(), json!({"kind": "drawn", "signer": signer, "image_chars": image.len()}));
    }
    v
}

fn summarise_job(job: &api::TapeJob, barcodes: &HashMap<String, String>, now: DateTime<Utc>) -> api::TapeJobSummary {
    api::TapeJobSummary {
        barcodes: job
            .tape_ids
            .iter()
            .map(|t| barcodes.get(t).cloned().unwrap_or_else(|| format!("{t} (deleted)")))
            .collect(),
        expired: job.expires_at <= now,
        job: job.clone(),
    }
}

fn summarise_tape(tape: &api::Tape, jobs: &[&api::TapeJob], now: DateTime<Utc>) -> api::TapeSummary {
    api::TapeSummary {
        jobs: jobs.len() as u32,
        reusable: !jobs.is_empty() && jobs.iter().all(|j| j.expires_at <= now),
        overdue: tape
            .location
            .as_ref()
            .is_some_and(|l| l.kind == api::LocationKind::OffSite && l.return_due.is_some_and(|d| d < now)),
        tape: tape.clone(),
    }
}

/// A hand-off's checked fields: from, to, when, reason, signature.
type CustodyFields = (String, String, DateTime<Utc>, String, Option<Signature>);

impl App {
    fn not_in_future(&self, at: Option<DateTime<Utc>>, what: &str) -> Result<DateTime<Utc>> {
        let now = self.clock.now();
        let at = at.unwrap_or(now);
        if at > now + Duration::minutes(FUTURE_SLACK_MINUTES) {
            return Err(Error::Invalid(format!("{what} cannot be in the future")));
        }
        Ok(at)
    }

    async fn tape_or_404(&self, id: &str) -> Result<api::Tape> {
        check_id(id, "tape")?;
        self.store.get_tape(id).await?.ok_or(Error::NotFound("tape"))
    }

    async fn tape_job_or_404(&self, id: &str) -> Result<api::TapeJob> {
        check_id(id, "tape job")?;
        self.store.get_tape_job(id).await?.ok_or(Error::NotFound("tape job"))
    }

    /// The overview: totals, distributions, the Cartridges and recent jobs.
    pub async fn tapes_overview(&self, actor: &Actor) -> Result<api::TapesOverview> {
        actor.require(Permission::ViewTapes)?;
        let now = self.clock.now();
        let tapes = self.store.list_tapes().await?;
        let jobs = self.store.list_tape_jobs().await?;
        let mut by_tape: HashMap<&str, Vec<&api::TapeJob>> = HashMap::new();
        for j in &jobs {
            for t in &j.tape_ids {
                by_tape.entry(t.as_str()).or_default().push(j);
            }
        }
        let barcodes: HashMap<String, String> = tapes.iter().map(|t| (t.id.clone(), t.barcode.clone())).collect();
        let count = |keys: Vec<&str>, order: &[&str]| -> Vec<api::CountBy> {
            order
                .iter()
                .map(|k| api::CountBy { key: k.to_string(), count: keys.iter().filter(|x| *x == k).count() as u64 })
                .collect()
        };
        let status_keys: Vec<&str> = tapes.iter().map(|t| t.status.as_str()).collect();
        let location_keys: Vec<&str> =
            tapes.iter().map(|t| t.location.as_ref().map_or("unknown", |l| l.kind.as_str())).collect();
        let status_order: Vec<&str> = api::TapeStatus::ALL.iter().map(|s| s.as_str()).collect();
        let mut location_order: Vec<&str> = api::LocationKind::ALL.iter().map(|s| s.as_str()).collect();
        location_order.push("unknown");
        Ok(api::TapesOverview {
            total_tapes: tapes.len() as u64,
            total_jobs: jobs.len() as u64,
            by_status: count(status_keys, &status_order),
            by_location: count(location_keys, &location_order),
            tapes: tapes
                .iter()
                .map(|t| summarise_tape(t, by_tape.get(t.id.as_str()).map_or(&[][..], |v| v.as_slice()), now))
                .collect(),
            recent_jobs: jobs.iter().take(50).map(|j| summarise_job(j, &barcodes, now)).collect(),
            can_write: self.can_write_tapes(actor).await?,
            can_delete: actor.can(Permission::DeleteTapes),
        })
    }

    async fn jobs_of_tape(&self, tape_id: &str) -> Result<Vec<api::TapeJob>> {
        let ids = self.store.tape_job_ids_of_tape(tape_id).await?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(j) = self.store.get_tape_job(&id).await? {
                out.push(j);
            }
        }
        out.sort_by(|a, b| b.job_date.cmp(&a.job_date).then(b.id.cmp(&a.id)));
        Ok(out)
    }

    async fn barcodes_of(&self, jobs: &[api::TapeJob]) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        for id in jobs.iter().flat_map(|j| j.tape_ids.iter()) {
            if !out.contains_key(id)
                && let Some(t) = self.store.get_tape(id).await?
            {
                out.insert(id.clone(), t.barcode);
            }
        }
        Ok(out)
    }

    pub async fn tape_detail(&self, actor: &Actor, id: &str) -> Result<api::TapeDetail> {
        actor.require(Permission::ViewTapes)?;
        let tape = self.tape_or_404(id).await?;
        let now = self.clock.now();
        let jobs = self.jobs_of_tape(id).await?;
        let barcodes = self.barcodes_of(&jobs).await?;
        let current = tape.location.as_ref().map(|l| l.location_id.clone());
        let mut locations = self.store.list_tape_locations(id).await?;
        for l in &mut locations {
            l.current = Some(&l.id) == current.as_ref();
        }
        Ok(api::TapeDetail {
            summary: summarise_tape(&tape, &jobs.iter().collect::<Vec<_>>(), now),
            locations,
            custody: self.store.list_custody_events(id).await?,
            jobs: jobs.iter().map(|j| summarise_job(j, &barcodes, now)).collect(),
            can_write: self.can_write_tapes(actor).await?,
            can_delete: actor.can(Permission::DeleteTapes),
        })
    }

    /// Registers one Cartridge or a range of them, all or none.
    pub async fn register_tapes(&self, actor: &Actor, req: &api::RegisterTapes) -> Result<api::RegisteredTapes> {
        self.require_tapes_write(actor).await?;
        labels::check_generation(req.generation)?;
        let count = req.count.unwrap_or(1) as usize;
        if !(1..=MAX_TAPES_PER_INSERT).contains(&count) {
            return Err(Error::Invalid(format!("register 1 to {MAX_TAPES_PER_INSERT} tapes at once")));
        }
        let first = labels::normalise_barcode(&req.barcode)?;
        let barcodes = labels::barcode_range(&first, count)?;
        let tag_list = tags(&req.tags)?;
        let notes = text(&req.notes, "notes", 2_000, false)?;
        if let Some(c) = req.capacity_gb
            && !(1..=MAX_CAPACITY_GB).contains(&c)
        {
            return Err(Error::Invalid(format!("capacity is 1 to {MAX_CAPACITY_GB} GB")));
        }
        let now = self.clock.now();
        let mut warnings = Vec::new();
        let mut tapes = Vec::new();
        for b in barcodes {
            if let Some(w) = labels::check_label(&b, req.generation)? {
                warnings.push(w);
            }
            tapes.push(api::Tape {
                id: ids::random_id("tp"),
                capacity_gb: req.capacity_gb.unwrap_or_else(|| labels::default_capacity_gb(&b, req.generation)),
                barcode: b,
                generation: req.generation,
                tags: tag_list.clone(),
                status: req.status.unwrap_or(api::TapeStatus::Empty),
                notes: notes.clone(),
                location: None,
                created_by: actor.username.clone(),
                created_at: now,
                updated_by: None,
                updated_at: None,
                version: 0,
            });
        }
        self.store.insert_tapes(&tapes).await.map_err(|e| match e {
            PortError::Conflict(m) => Error::Conflict(m),
            e => e.into(),
        })?;
        let entries: Vec<_> = tapes
            .iter()
            .map(|t| {
                let after = serde_json::to_value(t).unwrap_or_default();
                audit_entry(self, actor, AUDIT_TAPE, &t.id, "create", Change::created(after))
            })
            .collect();
        self.audit_all(&entries).await?;
        Ok(api::RegisteredTapes { tapes, warnings })
    }

    pub async fn update_tape(&self, actor: &Actor, id: &str, edit: &api::TapeUpdate) -> Result<api::Tape> {
        self.require_tapes_write(actor).await?;
        let mut tape = self.tape_or_404(id).await?;
        labels::check_generation(edit.generation)?;
        labels::check_label(&tape.barcode, edit.generation)?;
        if !(1..=MAX_CAPACITY_GB).contains(&edit.capacity_gb) {
            return Err(Error::Invalid(format!("capacity is 1 to {MAX_CAPACITY_GB} GB")));
        }
        if tape.version != edit.version {
            return Err(Error::Conflict("the tape was changed meanwhile; reload it".into()));
        }
        let before = tape.clone();
        tape.generation = edit.generation;
        tape.capacity_gb = edit.capacity_gb;
        tape.tags = tags(&edit.tags)?;
        tape.status = edit.status;
        tape.notes = text(&edit.notes, "notes", 2_000, false)?;
        let mut change = Change::diff(&before, &tape);
        if change.is_empty() {
            return Ok(before);
        }
        tape.updated_by = Some(actor.username.clone());
        tape.updated_at = Some(self.clock.now());
        self.store.update_tape(&tape).await.map_err(conflict("tape"))?;
        tape.version += 1;
        // Only the fields the person changed.
        for side in [&mut change.before, &mut change.after] {
            if let Some(Value::Object(m)) = side {
                m.remove("updated_by");
                m.remove("updated_at");
            }
        }
        self.audit(audit_entry(self, actor, AUDIT_TAPE, id, "update", change)).await?;
        Ok(tape)
    }

    /// What deleting the Cartridge would remove (for the confirmation).
    pub async fn tape_delete_preview(&self, actor: &Actor, id: &str) -> Result<api::TapeCascade> {
        actor.require(Permission::ViewTapes)?;
        let tape = self.tape_or_404(id).await?;
        let jobs = self.jobs_of_tape(id).await?;
        Ok(api::TapeCascade {
            barcode: tape.barcode,
            locations: self.store.list_tape_locations(id).await?.len() as u64,
            custody_events: self.store.list_custody_events(id).await?.len() as u64,
            job_bindings: jobs.len() as u64,
            jobs: jobs.into_iter().map(|j| j.name).collect(),
        })
    }

    /// Deletes a Cartridge with its Locations, Custody events and job
    /// bindings (the jobs stay); its audit entries stay too.
    pub async fn delete_tape(&self, actor: &Actor, id: &str) -> Result<api::TapeCascade> {
        actor.require(Permission::DeleteTapes)?;
        let tape = self.tape_or_404(id).await?;
        let now = self.clock.now();
        // Out of its jobs first: a failure part-way leaves the Cartridge,
        // and a retry finishes the job.
        let mut job_names = Vec::new();
        for mut job in self.jobs_of_tape(id).await? {
            let before = job.tape_ids.clone();
            job.tape_ids.retain(|t| t != id);
            job.updated_by = Some(actor.username.clone());
            job.updated_at = Some(now);
            self.store.update_tape_job(&job).await.map_err(conflict("tape job"))?;
            self.audit(audit_entry(
                self,
                actor,
                AUDIT_TAPE_JOB,
                &job.id,
                "tape_deleted",
                Change::fields(
                    json!({"tape_ids": before}),
                    json!({"tape_ids": job.tape_ids, "deleted_tape": tape.barcode}),
                ),
            ))
            .await?;
            job_names.push(job.name);
        }
        let locations = self.store.delete_tape_locations(id).await?;
        let custody_events = self.store.delete_custody_events(id).await?;
        if !self.store.delete_tape(id).await? {
            return Err(Error::NotFound("tape"));
        }
        let cascade = api::TapeCascade {
            barcode: tape.barcode.clone(),
            locations,
            custody_events,
            job_bindings: job_names.len() as u64,
            jobs: job_names,
        };
        let mut change = Change::deleted(serde_json::to_value(&tape).unwrap_or_default());
        change.after = Some(json!({"deleted": true, "cascade": cascade}));
        self.audit(audit_entry(self, actor, AUDIT_TAPE, id, "delete", change)).await?;
        Ok(cascade)
    }

    /// Logs where a Cartridge is now; the new entry is the only current one.
    pub async fn log_tape_location(
        &self,
        actor: &Actor,
        id: &str,
        req: &api::LogLocation,
    ) -> Result<api::TapeLocation> {
        self.require_tapes_write(actor).await?;
        let mut tape = self.tape_or_404(id).await?;
        let at = self.not_in_future(req.at, "a location's time")?;
        if let Some(due) = req.return_due
            && due <= at
        {
            return Err(Error::Invalid("the return date is after the location's time".into()));
        }
        if tape.version != req.version {
            return Err(Error::Conflict("the tape was changed meanwhile; reload it".into()));
        }
        let now = self.clock.now();
        let loc = api::TapeLocation {
            id: ids::random_id("tl"),
            tape_id: id.to_string(),
            kind: req.kind,
            place: text(&req.place, "the shelf or locker", 200, false)?,
            custodian: text(&req.custodian, "the custodian", 200, false)?,
            provider: text(&req.provider, "the service provider", 200, false)?,
            at,
            return_due: req.return_due,
            notes: text(&req.notes, "notes", 2_000, false)?,
            logged_by: actor.username.clone(),
            logged_at: now,
            current: true,
        };
        let before = tape.location.clone();
        tape.location = Some(api::CurrentLocation {
            location_id: loc.id.clone(),
            kind: loc.kind,
            place: loc.place.clone(),
            custodian: loc.custodian.clone(),
            since: at,
            return_due: loc.return_due,
        });
        tape.updated_by = Some(actor.username.clone());
        tape.updated_at = Some(now);
        let mut stored = loc.clone();
        stored.current = false;
        self.store.log_tape_location(&tape, &stored).await.map_err(conflict("tape"))?;
        let change = Change {
            before: Some(json!({"location": before})),
            after: Some(json!({"location": serde_json::to_value(&loc).unwrap_or_default()})),
        };
        self.audit(audit_entry(self, actor, AUDIT_TAPE, id, "location", change)).await?;
        Ok(loc)
    }

    /// A hand-off's fields, checked: from, to, when, reason and signature.
    fn custody_fields(&self, req: &api::RecordCustody) -> Result<CustodyFields> {
        Ok((
            text(&req.from, "\"from\"", 100, true)?,
            text(&req.to, "\"to\"", 100, true)?,
            self.not_in_future(req.at, "a hand-off")?,
            text(&req.reason, "the reason", 500, false)?,
            req.signature.as_ref().map(signature::validate).transpose()?,
        ))
    }

    /// Appends a hand-off to a Cartridge's Custody chain.
    pub async fn record_custody(
        &self,
        actor: &Actor,
        tape_id: &str,
        req: &api::RecordCustody,
    ) -> Result<api::CustodyEvent> {
        self.require_tapes_write(actor).await?;
        self.tape_or_404(tape_id).await?;
        let (from, to, at, reason, signature) = self.custody_fields(req)?;
        if let Some(c) = &req.corrects {
            check_id(c, "custody event")?;
            let earlier = self.store.get_custody_event(c).await?;
            if earlier.is_none_or(|e| e.tape_id != tape_id) {
                return Err(Error::Invalid("the corrected event is not in this tape's chain".into()));
            }
        }
        let now = self.clock.now();
        let event = api::CustodyEvent {
            id: ids::random_id("tc"),
            tape_id: tape_id.to_string(),
            from,
            to,
            at,
            reason,
            signed_at: signature.is_some().then_some(now),
            signature,
            corrects: req.corrects.clone(),
            recorded_by: actor.username.clone(),
            recorded_at: now,
            version: 0,
        };
        self.store.insert_custody_event(&event).await?;
        let action = if event.corrects.is_some() { "custody_correction" } else { "custody" };
        let change = Change { before: None, after: Some(custody_for_audit(&event)) };
        self.audit(audit_entry(self, actor, AUDIT_TAPE, tape_id, action, change)).await?;
        Ok(event)
    }

    /// Edits (or signs) an unsigned hand-off; a signed one is final.
    pub async fn edit_custody(
        &self,
        actor: &Actor,
        tape_id: &str,
        event_id: &str,
        req: &api::RecordCustody,
    ) -> Result<api::CustodyEvent> {
        self.require_tapes_write(actor).await?;
        check_id(tape_id, "tape")?;
        check_id(event_id, "custody event")?;
        let mut event = self
            .store
            .get_custody_event(event_id)
            .await?
            .filter(|e| e.tape_id == tape_id)
            .ok_or(Error::NotFound("custody event"))?;
        if event.signature.is_some() {
            return Err(Error::Conflict(
                "a signed custody event cannot be edited; record a correcting event instead".into(),
            ));
        }
        let Some(version) = req.version else {
            return Err(Error::Invalid("name the version of the event you edit".into()));
        };
        if version != event.version {
            return Err(Error::Conflict("the custody event was changed meanwhile; reload it".into()));
        }
        let (from, to, at, reason, signature) = self.custody_fields(req)?;
        let before = custody_for_audit(&event);
        event.from = from;
        event.to = to;
        event.at = at;
        event.reason = reason;
        if signature.is_some() {
            event.signed_at = Some(self.clock.now());
        }
        event.signature = signature;
        self.store.update_custody_event(&event).await.map_err(conflict("custody event"))?;
        event.version += 1;
        let change = Change::fields(before, custody_for_audit(&event));
        self.audit(audit_entry(self, actor, AUDIT_TAPE, tape_id, "custody_edit", change)).await?;
        Ok(event)
    }

    pub async fn tape_jobs(&self, actor: &Actor) -> Result<Vec<api::TapeJobSummary>> {
        actor.require(Permission::ViewTapes)?;
        let jobs = self.store.list_tape_jobs().await?;
        let barcodes: HashMap<String, String> =
            self.store.list_tapes().await?.into_iter().map(|t| (t.id, t.barcode)).collect();
        let now = self.clock.now();
        Ok(jobs.iter().map(|j| summarise_job(j, &barcodes, now)).collect())
    }

    pub async fn tape_job_detail(&self, actor: &Actor, id: &str) -> Result<api::TapeJobDetail> {
        actor.require(Permission::ViewTapes)?;
        let job = self.tape_job_or_404(id).await?;
        let mut tapes = Vec::new();
        for t in &job.tape_ids {
            if let Some(tape) = self.store.get_tape(t).await? {
                tapes.push(tape);
            }
        }
        let barcodes = tapes.iter().map(|t| (t.id.clone(), t.barcode.clone())).collect();
        Ok(api::TapeJobDetail {
            summary: summarise_job(&job, &barcodes, self.clock.now()),
            tapes,
            can_write: self.can_write_tapes(actor).await?,
            can_delete: actor.can(Permission::DeleteTapes),
        })
    }

    /// The job's fields checked, its Cartridges existing and each once.
    async fn check_job_input(&self, input: &api::TapeJobInput) -> Result<api::TapeJobInput> {
        if input.retention_days > MAX_RETENTION_DAYS {
            return Err(Error::Invalid(format!("retention is 0 to {MAX_RETENTION_DAYS} days")));
        }
        if input.tape_ids.is_empty() || input.tape_ids.len() > MAX_TAPES_PER_JOB {
            return Err(Error::Invalid(format!("a tape job spans 1 to {MAX_TAPES_PER_JOB} tapes")));
        }
        let mut seen = HashSet::new();
        for t in &input.tape_ids {
            if !seen.insert(t) {
                return Err(Error::Invalid("a tape job cannot span the same tape twice".into()));
            }
            if !ids::is_valid_id(t) || self.store.get_tape(t).await?.is_none() {
                return Err(Error::Invalid(format!("no tape {t}")));
            }
        }
        Ok(api::TapeJobInput {
            name: text(&input.name, "the job name", 200, true)?,
            source_system: text(&input.source_system, "the source system", 200, false)?,
            technician: text(&input.technician, "the technician", 200, false)?,
            ..input.clone()
        })
    }

    async fn audit_bindings(&self, actor: &Actor, job: &api::TapeJob, before: &[String]) -> Result<()> {
        let mut entries = Vec::new();
        for t in job.tape_ids.iter().filter(|t| !before.contains(t)) {
            let after = json!({"job_id": job.id, "job": job.name});
            entries.push(audit_entry(
                self,
                actor,
                AUDIT_TAPE,
                t,
                "job_bound",
                Change { before: None, after: Some(after) },
            ));
        }
        for t in before.iter().filter(|t| !job.tape_ids.contains(t)) {
            let b = json!({"job_id": job.id, "job": job.name});
            entries.push(audit_entry(
                self,
                actor,
                AUDIT_TAPE,
                t,
                "job_unbound",
                Change { before: Some(b), after: None },
            ));
        }
        self.audit_all(&entries).await
    }

    pub async fn create_tape_job(&self, actor: &Actor, input: &api::TapeJobInput) -> Result<api::TapeJob> {
        self.require_tapes_write(actor).await?;
        let input = self.check_job_input(input).await?;
        let now = self.clock.now();
        let job = api::TapeJob {
            id: ids::random_id("tj"),
            name: input.name,
            job_date: input.job_date,
            retention_days: input.retention_days,
            expires_at: input.job_date + Duration::days(i64::from(input.retention_days)),
            total_files: input.total_files,
            total_bytes: input.total_bytes,
            verification: input.verification,
            source_system: input.source_system,
            technician: input.technician,
            tape_ids: input.tape_ids,
            created_by: actor.username.clone(),
            created_at: now,
            updated_by: None,
            updated_at: None,
            version: 0,
        };
        self.store.insert_tape_job(&job).await?;
        let after = serde_json::to_value(&job).unwrap_or_default();
        self.audit(audit_entry(self, actor, AUDIT_TAPE_JOB, &job.id, "create", Change::created(after))).await?;
        self.audit_bindings(actor, &job, &[]).await?;
        Ok(job)
    }

    /// Edits a job: its expiry is recalculated, its bindings follow the
    /// new Cartridge list in its new order.
    pub async fn update_tape_job(&self, actor: &Actor, id: &str, input: &api::TapeJobInput) -> Result<api::TapeJob> {
        self.require_tapes_write(actor).await?;
        let mut job = self.tape_job_or_404(id).await?;
        let input = self.check_job_input(input).await?;
        let Some(version) = input.version else {
            return Err(Error::Invalid("name the version of the job you edit".into()));
        };
        if version != job.version {
            return Err(Error::Conflict("the tape job was changed meanwhile; reload it".into()));
        }
        let before = job.clone();
        job.name = input.name;
        job.job_date = input.job_date;
        job.retention_days = input.retention_days;
        job.expires_at = input.job_date + Duration::days(i64::from(input.retention_days));
        job.total_files = input.total_files;
        job.total_bytes = input.total_bytes;
        job.verification = input.verification;
        job.source_system = input.source_system;
        job.technician = input.technician;
        job.tape_ids = input.tape_ids;
        let change = Change::diff(&before, &job);
        if change.is_empty() {
            return Ok(before);
        }
        job.updated_by = Some(actor.username.clone());
        job.updated_at = Some(self.clock.now());
        self.store.update_tape_job(&job).await.map_err(conflict("tape job"))?;
        job.version += 1;
        self.audit(audit_entry(self, actor, AUDIT_TAPE_JOB, id, "update", change)).await?;
        self.audit_bindings(actor, &job, &before.tape_ids).await?;
        Ok(job)
    }

    /// Deletes a job and its bindings; the Cartridges stay.
    pub async fn delete_tape_job(&self, actor: &Actor, id: &str) -> Result<api::TapeJobCascade> {
        actor.require(Permission::DeleteTapes)?;
        let job = self.tape_job_or_404(id).await?;
        if !self.store.delete_tape_job(id).await? {
            return Err(Error::NotFound("tape job"));
        }
        let cascade = api::TapeJobCascade { name: job.name.clone(), job_bindings: job.tape_ids.len() as u64 };
        let mut change = Change::deleted(serde_json::to_value(&job).unwrap_or_default());
        change.after = Some(json!({"deleted": true, "cascade": cascade}));
        self.audit(audit_entry(self, actor, AUDIT_TAPE_JOB, id, "delete", change)).await?;
        let no_more: Vec<String> = Vec::new();
        let gone = api::TapeJob { tape_ids: no_more, ..job.clone() };
        self.audit_bindings(actor, &gone, &job.tape_ids).await?;
        Ok(cascade)
    }

    /// The audit trail of one Cartridge or tape job, newest first; it
    /// outlives the entity.
    pub async fn tape_audit(&self, actor: &Actor, entity_type: &str, id: &str) -> Result<Vec<api::AuditEntry>> {
        actor.require(Permission::ViewTapes)?;
        if entity_type != AUDIT_TAPE && entity_type != AUDIT_TAPE_JOB {
            return Err(Error::Invalid(format!("entity type is {AUDIT_TAPE} or {AUDIT_TAPE_JOB}")));
        }
        check_id(id, "entity")?;
        let filter = AuditFilter { entity: Some((entity_type.to_string(), id.to_string())), ..AuditFilter::default() };
        let page = self.store.list_audit(&filter, None, crate::audit::MAX_AUDIT_PAGE).await?;
        Ok(page.items.iter().map(present::audit_entry).collect())
    }
}
