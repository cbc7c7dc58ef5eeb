//! LTO tapes on both runtimes, over HTTP (issue 16's "done when"): register
//! a box of Cartridges, log a tape job spanning three of them, reorder
//! them, move one off-site and back with signed custody hand-offs, see each
//! change in the audit JSON, delete the Cartridge and see what cascaded
//! while its audit entries remain; bad input is refused with nothing
//! changed, and read-only users are refused every write.

use bc_api_types::{
    AuditEntry, CustodyEvent, RegisteredTapes, Signature, TapeCascade, TapeDetail, TapeJob, TapeJobCascade,
    TapeJobDetail, TapeLocation, TapesOverview,
};
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, REPORTER, Runtime, VIEWER};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// A 1 x 1 PNG, as the signature pad would send a (very small) drawing.
const PNG: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

fn typed<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("unexpected shape ({e}): {v}"))
}

async fn get<T: DeserializeOwned>(c: &Client, path: &str) -> T {
    let (s, body) = c.get(path).await;
    assert_eq!(s, StatusCode::OK, "GET {path}: {body}");
    typed(body)
}

async fn audit(c: &Client, entity: &str, id: &str) -> Vec<AuditEntry> {
    get(c, &format!("/api/v1/tapes/audit/{entity}/{id}")).await
}

fn actions(entries: &[AuditEntry]) -> Vec<&str> {
    // Oldest first reads like the story.
    entries.iter().rev().map(|e| e.action.as_str()).collect()
}

fn refused(s: StatusCode, body: &Value, what: &str) {
    assert_eq!(s, StatusCode::FORBIDDEN, "{what}: {body}");
    assert_eq!(body["error"]["code"], "forbidden", "{what}");
}

async fn tapes_on(rt: Runtime) {
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;
    let viewer = server.login(VIEWER).await;
    let reporter = server.login(REPORTER).await;

    // A box of three LTO-8 Cartridges, and one with a house label.
    let (s, body) = op
        .post("/api/v1/tapes", &json!({"barcode": "abc100l8", "count": 3, "generation": 8, "tags": ["weekly"]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let reg: RegisteredTapes = typed(body);
    let barcodes: Vec<&str> = reg.tapes.iter().map(|t| t.barcode.as_str()).collect();
    assert_eq!(barcodes, ["ABC100L8", "ABC101L8", "ABC102L8"]);
    assert!(reg.tapes.iter().all(|t| t.capacity_gb == 12_000), "LTO-8 native capacity by default");
    assert!(reg.warnings.is_empty());
    let ids: Vec<String> = reg.tapes.iter().map(|t| t.id.clone()).collect();
    let (s, body) = op.post("/api/v1/tapes", &json!({"barcode": "VAULT-01", "generation": 9})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let house: RegisteredTapes = typed(body);
    assert_eq!(house.warnings.len(), 1, "a non-LTO label is allowed with a warning");

    // Bad input: a clear 4xx and nothing changed.
    let (s, body) = op.post("/api/v1/tapes", &json!({"barcode": "ABC099L8", "count": 3, "generation": 8})).await;
    assert_eq!(s, StatusCode::CONFLICT, "a box overlapping a registered barcode: {body}");
    assert!(body["error"]["message"].as_str().unwrap_or("").contains("ABC100L8"), "{body}");
    let (s, body) = op.post("/api/v1/tapes", &json!({"barcode": "ABC200L8", "generation": 9})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "generation contradicts the label: {body}");
    let (s, body) = op.post("/api/v1/tapes", &json!({"barcode": "ABC300L8", "generation": 11})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let overview: TapesOverview = get(&viewer, "/api/v1/tapes").await;
    assert_eq!(overview.total_tapes, 4, "nothing of the refused registrations was written");
    assert!(
        overview.can_write && !overview.can_delete,
        "a viewer writes until an admin says otherwise; only admins delete"
    );

    // A tape job spanning three Cartridges; its expiry is computed.
    let job_date = Utc::now() - Duration::days(2);
    let job_body = |tapes: &[&String], retention: u32, version: Option<u64>| {
        json!({
            "name": "Weekly full fs01", "job_date": job_date, "retention_days": retention,
            "total_files": 120000, "total_bytes": 25_000_000_000_000u64, "verification": "passed",
            "source_system": "fs01", "technician": "Olga", "tape_ids": tapes, "version": version,
        })
    };
    let (s, body) = op.post("/api/v1/tape-jobs", &job_body(&[&ids[0], &ids[1], &ids[0]], 30, None)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "the same tape twice: {body}");
    let (s, body) = op.post("/api/v1/tape-jobs", &job_body(&[&ids[0], &ids[1], &ids[2]], 30, None)).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let job: TapeJob = typed(body);
    assert_eq!(job.expires_at, job.job_date + Duration::days(30));
    assert_eq!(job.tape_ids, ids);

    // Reorder (and keep it longer): the order sticks, the expiry follows.
    let (s, body) = op
        .put(&format!("/api/v1/tape-jobs/{}", job.id), &job_body(&[&ids[2], &ids[0], &ids[1]], 60, Some(job.version)))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = op
        .put(&format!("/api/v1/tape-jobs/{}", job.id), &job_body(&[&ids[0], &ids[1], &ids[2]], 60, Some(job.version)))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a stale edit: {body}");
    let detail: TapeJobDetail = get(&viewer, &format!("/api/v1/tape-jobs/{}", job.id)).await;
    assert_eq!(detail.summary.barcodes, ["ABC102L8", "ABC100L8", "ABC101L8"]);
    assert_eq!(detail.summary.job.expires_at, job.job_date + Duration::days(60));
    let job_audit = audit(&viewer, "tape_job", &job.id).await;
    assert_eq!(actions(&job_audit), ["create", "update"]);
    let update = &job_audit[0];
    assert_eq!(update.before.as_ref().map(|b| b["tape_ids"].clone()), Some(json!(ids)));
    assert_eq!(update.after.as_ref().map(|a| a["tape_ids"].clone()), Some(json!([ids[2], ids[0], ids[1]])));
    assert!(update.after.as_ref().is_some_and(|a| a.get("expires_at").is_some()), "retention change audited");

    // ABC100L8 goes off-site: a drawn signature from the courier, then the vault.
    let t0 = &ids[0];
    let tape: TapeDetail = get(&op, &format!("/api/v1/tapes/{t0}")).await;
    let (s, body) = op
        .post(
            &format!("/api/v1/tapes/{t0}/custody"),
            &json!({
                "from": "Olga", "to": "Carl Courier", "reason": "weekly rotation to the vault",
                "signature": {"kind": "drawn", "image": PNG, "signer": "Carl Courier"},
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let handoff: CustodyEvent = typed(body);
    assert!(handoff.signed_at.is_some());
    let (s, body) = op
        .post(
            &format!("/api/v1/tapes/{t0}/locations"),
            &json!({
                "kind": "off_site", "place": "Vault B, slot 12", "custodian": "Iron Vault BV", "provider": "Iron Vault",
                "at": Utc::now() + Duration::days(1), "version": tape.summary.tape.version,
            }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a location in the future: {body}");
    let (s, body) = op
        .post(
            &format!("/api/v1/tapes/{t0}/locations"),
            &json!({
                "kind": "off_site", "place": "Vault B, slot 12", "custodian": "Iron Vault BV", "provider": "Iron Vault",
                "return_due": Utc::now() + Duration::days(28), "version": tape.summary.tape.version,
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let off: TapeLocation = typed(body);
    assert!(off.current);

    // A signed hand-off is final; a bad drawing is refused.
    let (s, body) = op
        .put(
            &format!("/api/v1/tapes/{t0}/custody/{}", handoff.id),
            &json!({
                "from": "Olga", "to": "Someone else", "version": handoff.version,
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "editing a signed event: {body}");
    let (s, body) = op
        .post(
            &format!("/api/v1/tapes/{t0}/custody"),
            &json!({
                "from": "Vault", "to": "Olga",
                "signature": {"kind": "drawn", "image": "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", "signer": "Olga"},
            }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "not a PNG: {body}");

    // And back on-site, signed by typing a name.
    let (s, body) = op
        .post(
            &format!("/api/v1/tapes/{t0}/custody"),
            &json!({
                "from": "Iron Vault BV", "to": "Olga", "reason": "restore test",
                "signature": {"kind": "typed", "name": "Olga"},
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let tape: TapeDetail = get(&op, &format!("/api/v1/tapes/{t0}")).await;
    let (s, body) = op
        .post(&format!("/api/v1/tapes/{t0}/locations"), &json!({
            "kind": "on_site", "place": "Server room shelf 2", "custodian": "Olga", "version": tape.summary.tape.version,
        }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, body) = op
        .post(
            &format!("/api/v1/tapes/{t0}/locations"),
            &json!({
                "kind": "in_transit", "version": tape.summary.tape.version,
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a location logged on a stale read: {body}");

    let tape: TapeDetail = get(&viewer, &format!("/api/v1/tapes/{t0}")).await;
    assert_eq!(tape.locations.len(), 2);
    assert_eq!(tape.locations.iter().filter(|l| l.current).count(), 1, "only one current location");
    assert_eq!(tape.locations[0].kind, bc_api_types::LocationKind::OnSite);
    assert!(tape.locations[0].current);
    assert_eq!(tape.custody.len(), 2);
    assert!(matches!(&tape.custody[0].signature, Some(Signature::Drawn { signer, .. }) if signer == "Carl Courier"));
    assert!(matches!(&tape.custody[1].signature, Some(Signature::Typed { name }) if name == "Olga"));
    assert_eq!(tape.jobs.len(), 1);
    let tape_audit = audit(&reporter, "tape", t0).await;
    assert_eq!(actions(&tape_audit), ["create", "job_bound", "custody", "location", "custody", "location"]);
    let drawn = &tape_audit[3];
    assert!(drawn.after.as_ref().is_some_and(|a| a["signature"]["signer"] == "Carl Courier"));
    assert!(
        drawn.after.as_ref().is_some_and(|a| a["signature"].get("image").is_none()),
        "the audit keeps the signer, not the picture"
    );

    // Until an admin says otherwise every role writes (seed 002); the admin
    // makes reporters and viewers read-only.
    let (s, access) = admin.get("/api/v1/settings/tapes-access").await;
    assert_eq!(s, StatusCode::OK, "{access}");
    assert_eq!(
        access,
        json!({"operator_writes": true, "reporter_writes": true, "viewer_writes": true}),
        "the seed's default: other roles write until overridden"
    );
    let (s, b) = admin
        .put(
            "/api/v1/settings/tapes-access",
            &json!({"operator_writes": true, "reporter_writes": false, "viewer_writes": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // Read-only users see everything and change nothing.
    for c in [&viewer, &reporter] {
        let (s, b) = c.post("/api/v1/tapes", &json!({"barcode": "ZZZ001L8", "generation": 8})).await;
        refused(s, &b, "register");
        let (s, b) = c
            .put(
                &format!("/api/v1/tapes/{t0}"),
                &json!({
                    "generation": 8, "capacity_gb": 1, "status": "full", "version": tape.summary.tape.version,
                }),
            )
            .await;
        refused(s, &b, "edit a tape");
        let (s, b) =
            c.post(&format!("/api/v1/tapes/{t0}/locations"), &json!({"kind": "in_transit", "version": 0})).await;
        refused(s, &b, "log a location");
        let (s, b) = c.post(&format!("/api/v1/tapes/{t0}/custody"), &json!({"from": "a", "to": "b"})).await;
        refused(s, &b, "record custody");
        let (s, b) =
            c.put(&format!("/api/v1/tapes/{t0}/custody/{}", handoff.id), &json!({"from": "a", "to": "b"})).await;
        refused(s, &b, "edit custody");
        let (s, b) = c.post("/api/v1/tape-jobs", &job_body(&[&ids[0]], 1, None)).await;
        refused(s, &b, "log a job");
        let (s, b) = c.put(&format!("/api/v1/tape-jobs/{}", job.id), &job_body(&[&ids[0]], 1, Some(1))).await;
        refused(s, &b, "edit a job");
        let (s, b) = c.delete(&format!("/api/v1/tape-jobs/{}", job.id)).await;
        refused(s, &b, "delete a job");
        let (s, b) = c.delete(&format!("/api/v1/tapes/{t0}")).await;
        refused(s, &b, "delete a tape");
        let (s, b) = c.post_raw("/api/v1/tapes/import", "text/csv", b"barcode,generation\nZZZ002L8,8\n".to_vec()).await;
        refused(s, &b, "import");
    }
    // Admins decide which roles write (Settings): a viewer may, then may not again.
    let (s, b) = op
        .put(
            "/api/v1/settings/tapes-access",
            &json!({"operator_writes": true, "reporter_writes": false, "viewer_writes": true}),
        )
        .await;
    refused(s, &b, "an operator sets tape access");
    let (s, access) = admin.get("/api/v1/settings/tapes-access").await;
    assert_eq!(s, StatusCode::OK, "{access}");
    assert_eq!(
        access,
        json!({"operator_writes": true, "reporter_writes": false, "viewer_writes": false}),
        "as the admin set it"
    );
    let (s, b) = admin
        .put(
            "/api/v1/settings/tapes-access",
            &json!({"operator_writes": true, "reporter_writes": false, "viewer_writes": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let overview: TapesOverview = get(&viewer, "/api/v1/tapes").await;
    assert!(overview.can_write && !overview.can_delete, "a viewer with write access still does not delete");
    let (s, b) = viewer.post("/api/v1/tapes", &json!({"barcode": "VWR001L8", "generation": 8})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let vwr: RegisteredTapes = typed(b);
    let (s, b) = viewer.delete(&format!("/api/v1/tapes/{}", vwr.tapes[0].id)).await;
    refused(s, &b, "a writing viewer deletes");
    let (s, b) = admin
        .put(
            "/api/v1/settings/tapes-access",
            &json!({"operator_writes": false, "reporter_writes": false, "viewer_writes": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = viewer.post("/api/v1/tapes", &json!({"barcode": "VWR002L8", "generation": 8})).await;
    refused(s, &b, "a viewer after write access was taken back");
    let (s, b) = op.post(&format!("/api/v1/tapes/{t0}/custody"), &json!({"from": "a", "to": "b"})).await;
    refused(s, &b, "an operator set to read-only");
    let (s, b) = admin
        .put(
            "/api/v1/settings/tapes-access",
            &json!({"operator_writes": true, "reporter_writes": false, "viewer_writes": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = admin.delete(&format!("/api/v1/tapes/{}", vwr.tapes[0].id)).await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // Operators write but do not delete.
    let (s, b) = op.delete(&format!("/api/v1/tapes/{t0}")).await;
    refused(s, &b, "operator deletes a tape");
    let after: TapeDetail = get(&viewer, &format!("/api/v1/tapes/{t0}")).await;
    assert_eq!(after.summary.tape, tape.summary.tape, "the refused writes changed nothing");
    assert_eq!(audit(&viewer, "tape", t0).await.len(), tape_audit.len());

    // The admin deletes ABC100L8: the confirmation says what goes with it.
    let preview: TapeCascade = get(&admin, &format!("/api/v1/tapes/{t0}/delete-preview")).await;
    assert_eq!((preview.locations, preview.custody_events, preview.job_bindings), (2, 2, 1));
    let (s, body) = admin.delete(&format!("/api/v1/tapes/{t0}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let cascade: TapeCascade = typed(body);
    assert_eq!(cascade, preview);
    assert_eq!(cascade.jobs, ["Weekly full fs01"]);
    let (s, _) = admin.get(&format!("/api/v1/tapes/{t0}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = admin.delete(&format!("/api/v1/tapes/{t0}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "deleting again finds nothing");
    let detail: TapeJobDetail = get(&viewer, &format!("/api/v1/tape-jobs/{}", job.id)).await;
    assert_eq!(detail.summary.barcodes, ["ABC102L8", "ABC101L8"], "the job stays, without the deleted tape");
    let kept = audit(&viewer, "tape", t0).await;
    assert_eq!(kept.len(), tape_audit.len() + 1, "the deleted tape's audit entries remain");
    assert_eq!(kept[0].action, "delete");
    assert_eq!(kept[0].after.as_ref().map(|a| a["cascade"]["custody_events"].clone()), Some(json!(2)));
    assert_eq!(actions(&audit(&viewer, "tape_job", &job.id).await), ["create", "update", "tape_deleted"]);

    // Deleting the job removes it and its bindings; the Cartridges stay.
    let (s, body) = admin.delete(&format!("/api/v1/tape-jobs/{}", job.id)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let gone: TapeJobCascade = typed(body);
    assert_eq!(gone.job_bindings, 2);
    let overview: TapesOverview = get(&viewer, "/api/v1/tapes").await;
    assert_eq!((overview.total_tapes, overview.total_jobs), (3, 0));
    assert!(overview.tapes.iter().all(|t| t.jobs == 0));
    assert_eq!(actions(&audit(&viewer, "tape_job", &job.id).await).last(), Some(&"delete"));

    // Rotation: a Cartridge whose every job has expired is reusable; one
    // off-site past its return date is overdue.
    let house_id = &house.tapes[0].id;
    let old_job = json!({
        "name": "Monthly archive", "job_date": Utc::now() - Duration::days(100), "retention_days": 30,
        "tape_ids": [house_id],
    });
    let (s, body) = op.post("/api/v1/tape-jobs", &old_job).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let house_tape: TapeDetail = get(&op, &format!("/api/v1/tapes/{house_id}")).await;
    let (s, body) = op
        .post(
            &format!("/api/v1/tapes/{house_id}/locations"),
            &json!({
                "kind": "off_site", "at": Utc::now() - Duration::days(10), "return_due": Utc::now() - Duration::days(1),
                "version": house_tape.summary.tape.version,
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let overview: TapesOverview = get(&viewer, "/api/v1/tapes").await;
    let row = overview.tapes.iter().find(|t| &t.tape.id == house_id).expect("listed");
    assert!(row.reusable && row.overdue, "{row:?}");
    assert!(overview.tapes.iter().filter(|t| &t.tape.id != house_id).all(|t| !t.reusable && !t.overdue));
    assert!(overview.by_location.iter().any(|c| c.key == "off_site" && c.count == 1), "{:?}", overview.by_location);

    // CSV: export for the auditor; import refuses a duplicate whole.
    let (s, _, csv) = viewer.get_text("/api/v1/tapes/export.csv").await;
    assert_eq!(s, StatusCode::OK);
    assert!(csv.starts_with("barcode,generation") && csv.contains("ABC101L8") && !csv.contains("ABC100L8"), "{csv}");
    let (s, body) =
        op.post_raw("/api/v1/tapes/import", "text/csv", b"barcode,generation\nDEF001L9,9\nABC101L8,8\n".to_vec()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let (s, body) =
        op.post_raw("/api/v1/tapes/import", "text/csv", b"barcode,generation,status\nDEF001L9,9,full\n".to_vec()).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let overview: TapesOverview = get(&viewer, "/api/v1/tapes").await;
    assert_eq!(overview.total_tapes, 4);
    let (s, body) = viewer.get("/api/v1/tapes/audit/customer/c1").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "only tapes and tape jobs: {body}");
}

#[tokio::test]
async fn tapes_on_the_embedded_store() {
    tapes_on(Runtime::embedded().with_users().await).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn tapes_on_dynamodb_s3_sqs_through_moto() {
    tapes_on(Runtime::aws("tapes").await.with_users().await).await;
}
