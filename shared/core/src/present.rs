//! Presentation: domain entities to their API shapes (`bc-api-types`), in
//! one place.

use bc_api_types as api;

use crate::model::{ApiToken, AuditRecord, Customer, Job, Mail, Operation, Run, User};

pub(crate) fn customer(c: &Customer) -> api::Customer {
    api::Customer {
        id: c.id.clone(),
        name: c.name.clone(),
        active: c.active,
        created_at: c.created_at,
        job_count: c.job_count,
        autotask: c.psa.clone(),
    }
}

pub(crate) fn inbox_item(m: &Mail) -> api::InboxItem {
    api::InboxItem {
        id: m.id.clone(),
        received_at: m.received_at,
        sender: m.sender.clone(),
        subject: m.subject.clone(),
        state: m.state,
        parsed: m.parse.ok,
        parse_error: m.parse.error.clone(),
        parser: m.parse.parser.clone(),
        software: m.parse.software.clone(),
        job_type: m.parse.job_type.clone(),
        job_name: m.parse.job_name.clone(),
        status: m.parse.status,
        object_count: m.parse.object_count,
        deleted_at: m.deleted.as_ref().map(|d| d.at),
        deleted_by: m.deleted.as_ref().map(|d| d.by.clone()),
        conflict_of: m.conflict_of.clone(),
        expired_at: m.expired_at,
        auth_failed: m.intake.verdicts.as_ref().is_some_and(|v| v.failed_authentication()),
        held: m.intake.held.clone(),
    }
}

pub(crate) fn mail_detail(m: &Mail, report: Option<api::Report>) -> api::MailDetail {
    api::MailDetail {
        id: m.id.clone(),
        received_at: m.received_at,
        sender: m.sender.clone(),
        sender_name: m.sender_name.clone(),
        recipients: m.recipients.clone(),
        subject: m.subject.clone(),
        date: m.date,
        message_id: m.message_id.clone(),
        size: m.size,
        attachments: m
            .attachments
            .iter()
            .map(|a| api::Attachment {
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                size: a.size,
            })
            .collect(),
        has_text: m.text_key.is_some(),
        has_html: m.html_key.is_some(),
        state: m.state,
        parse: api::ParseResult { ok: m.parse.ok, error: m.parse.error.clone(), report },
        job_id: m.job_id.clone(),
        run_id: m.run_id.clone(),
        deleted_at: m.deleted.as_ref().map(|d| d.at),
        deleted_by: m.deleted.as_ref().map(|d| d.by.clone()),
        expired_at: m.expired_at,
        verdicts: m.intake.verdicts.clone(),
        auth_failed: m.intake.verdicts.as_ref().is_some_and(|v| v.failed_authentication()),
        held: m.intake.held.clone(),
        quarantine: m.intake.quarantine.clone(),
        ingest_attempts: m.intake.attempts,
    }
}

pub(crate) fn quarantined_mail(m: &Mail) -> Option<api::QuarantinedMail> {
    Some(api::QuarantinedMail {
        id: m.id.clone(),
        received_at: m.received_at,
        sender: m.sender.clone(),
        subject: m.subject.clone(),
        size: m.size,
        quarantine: m.intake.quarantine.clone()?,
        verdicts: m.intake.verdicts.clone(),
    })
}

pub(crate) fn job(j: &Job, customer_name: &str) -> api::Job {
    api::Job {
        id: j.id.clone(),
        customer_id: j.customer_id.clone(),
        customer_name: customer_name.to_string(),
        sender: j.sender.clone(),
        software: j.software.clone(),
        job_type: j.job_type.clone(),
        job_name: j.job_name.clone(),
        parser: j.parser.clone(),
        approved_at: j.approved_at,
        approved_by: j.approved_by.clone(),
        last_run_at: j.last_run.as_ref().map(|l| l.at),
        last_status: j.last_run.as_ref().map(|l| l.status),
        run_count: j.run_count,
        original_name: j.lifecycle.original_name.clone(),
        archived_at: j.lifecycle.archived.as_ref().map(|a| a.at),
        archived_by: j.lifecycle.archived.as_ref().map(|a| a.by.clone()),
        merged_from: j.lifecycle.merged_from.clone(),
        schedule: crate::schedules::expect::view(&j.schedule),
        // The URL holds the token: only [`crate::schedules::ping`] adds it, for who may manage jobs.
        ping: j.ping.as_ref().map(|p| api::PingInfo {
            url: None,
            created_at: p.created_at,
            started_at: p.started_at,
            last_ping_at: p.last_ping_at,
        }),
        source: j.source.clone(),
    }
}

/// `with_review`: whether the caller may see who reviewed it and when.
pub(crate) fn run(r: &Run, with_review: bool) -> api::Run {
    api::Run {
        late: r.late.clone(),
        id: r.id.clone(),
        job_id: r.job_id.clone(),
        mail_id: r.mail_id.clone(),
        status: r.status,
        started_at: r.started_at,
        ended_at: r.ended_at,
        received_at: r.received_at,
        duration_secs: r.duration_secs,
        sizes: r.sizes.clone(),
        object_count: r.object_count,
        message: r.message.clone(),
        reviewed: r.review.is_some(),
        review: if with_review { r.review.as_ref().map(|v| api::Review { by: v.by.clone(), at: v.at }) } else { None },
        overridden: r.overridden.clone(),
    }
}

pub(crate) fn user(u: &User) -> api::User {
    api::User {
        id: u.id.clone(),
        username: u.username.clone(),
        role: u.role,
        active: u.active,
        created_at: u.created_at,
    }
}

pub(crate) fn audit_entry(a: &AuditRecord) -> api::AuditEntry {
    api::AuditEntry {
        id: a.id.clone(),
        at: a.at,
        actor: a.actor.clone(),
        entity_type: a.entity_type.clone(),
        entity_id: a.entity_id.clone(),
        action: a.action.clone(),
        before: a.before.clone(),
        after: a.after.clone(),
    }
}

pub(crate) fn api_token(t: &ApiToken) -> api::ApiToken {
    api::ApiToken {
        id: t.id.clone(),
        name: t.name.clone(),
        role: t.role,
        prefix: t.prefix.clone(),
        created_by: t.created_by.clone(),
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        revoked_at: t.revoked_at,
    }
}

pub(crate) fn operation(o: &Operation) -> api::Operation {
    api::Operation {
        id: o.id.clone(),
        kind: o.kind.clone(),
        state: o.state,
        total: o.total,
        done: o.done,
        error: o.error.clone(),
        created_by: o.created_by.clone(),
        created_at: o.created_at,
        finished_at: o.finished_at,
    }
}
