//! The `/_fake/` control routes: the handle's controls over HTTP, for a person running `scripts/fake-autotask`.

use super::*;
use crate::api::{not_found, validation};

pub(crate) fn control(inner: &Arc<Inner>, method: &Method, path: &str, body: &Bytes) -> Response {
    let parts: Vec<&str> = path.trim_start_matches("/_fake").split('/').filter(|p| !p.is_empty()).collect();
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let fake = inner;
    let id = |s: &str| s.parse::<i64>().ok();
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["state"]) => {
            let db = inner.db.lock().unwrap();
            let vals = |m: &BTreeMap<i64, Value>| m.values().cloned().collect::<Vec<_>>();
            ok(json!({"companies": vals(&db.companies), "tickets": vals(&db.tickets), "notes": vals(&db.notes),
                      "timeEntries": vals(&db.time_entries), "deletedTicketLogs": vals(&db.deleted_ticket_logs)}))
        }
        ("GET", ["requests"]) => {
            let reqs = inner.requests.lock().unwrap();
            let list: Vec<Value> = reqs
                .iter()
                .map(|r| json!({"method": r.method, "path": r.path, "query": r.query, "body": r.body}))
                .collect();
            ok(json!(list))
        }
        ("POST", ["companies"]) => match body["name"].as_str() {
            Some(n) => {
                let mut db = inner.db.lock().unwrap();
                let id = db.id();
                db.companies.insert(id, company_json(id, n, 1));
                ok(json!({"itemId": id}))
            }
            None => validation("name required"),
        },
        ("POST", ["companies", cid, "rename"]) => match (id(cid), body["name"].as_str()) {
            (Some(c), Some(n)) => {
                fake.rename_company(c, n);
                ok(json!({"itemId": c}))
            }
            _ => validation("name required"),
        },
        ("DELETE", ["companies", cid]) => match id(cid) {
            Some(c) => {
                inner.db.lock().unwrap().companies.remove(&c);
                ok(json!({"itemId": c}))
            }
            None => not_found(),
        },
        ("DELETE", ["tickets", tid]) => match id(tid) {
            Some(t) => {
                fake.delete_ticket(t);
                ok(json!({"itemId": t}))
            }
            None => not_found(),
        },
        ("POST", ["tickets", tid, "status"]) => match (id(tid), body["status"].as_i64()) {
            (Some(t), Some(s)) => {
                fake.set_ticket_status(t, s);
                ok(json!({"itemId": t}))
            }
            _ => validation("status required"),
        },
        ("POST", ["tickets", tid, "time-entries"]) => match id(tid) {
            Some(t) => ok(json!({"itemId": fake.add_time_entry(t, body["hours"].as_f64().unwrap_or(1.0))})),
            None => not_found(),
        },
        ("POST", ["picklists", field, value, "deactivate"]) => match id(value) {
            Some(v) => {
                inner.db.lock().unwrap().inactive.push((field.to_string(), v.to_string()));
                ok(json!({}))
            }
            None => not_found(),
        },
        ("POST", ["faults"]) => {
            let fault = match body["kind"].as_str() {
                Some("rate-limited") => Fault::RateLimited { retry_after_secs: body["retryAfter"].as_u64() },
                Some("slow") => Fault::Slow(Duration::from_millis(body["millis"].as_u64().unwrap_or(60_000))),
                Some("permission") => Fault::PermissionDenied,
                Some("forbidden") => Fault::Forbidden,
                Some("thread-limit") => Fault::ThreadLimit,
                _ => return validation("kind: rate-limited | slow | permission | forbidden | thread-limit"),
            };
            let endpoint = body["endpoint"].as_str().map(str::to_ascii_lowercase);
            inner.faults.lock().unwrap().push_back(PendingFault { fault, endpoint });
            ok(json!({}))
        }
        _ => not_found(),
    }
}
