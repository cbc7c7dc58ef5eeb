//! The Autotask REST API itself: routing after the auth and limit checks, entities, queries and paging.

use super::*;

pub(crate) fn zone_information(inner: &Inner, method: &Method, query: Option<&str>) -> Response {
    if method != Method::GET {
        return method_not_allowed(method);
    }
    match query_param(query, "user") {
        Some(u) if u.eq_ignore_ascii_case(&inner.creds.username) => ok(json!({
            "zoneName": "Fake Zone (loopback)",
            "url": format!("{}/ATServicesRest/", inner.base_url),
            "webUrl": format!("{}/", inner.base_url),
            "ci": 0
        })),
        _ => errors(StatusCode::INTERNAL_SERVER_ERROR, &["Zone information could not be determined"]),
    }
}

fn method_not_allowed(method: &Method) -> Response {
    errors(
        StatusCode::METHOD_NOT_ALLOWED,
        &[&format!("The requested resource does not support http method '{method}'.")],
    )
}

pub(crate) fn not_found() -> Response {
    errors(StatusCode::NOT_FOUND, &["No HTTP resource was found that matches the request URI."])
}

fn parse_body(body: &Bytes) -> Result<Value, Response> {
    if body.is_empty() {
        return Err(errors(
            StatusCode::INTERNAL_SERVER_ERROR,
            &["Object reference not set to an instance of an object."],
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| errors(StatusCode::INTERNAL_SERVER_ERROR, &[&format!("Invalid JSON: {e}")]))
}

pub(crate) fn api(inner: &Inner, method: &Method, endpoint: &str, query: Option<&str>, body: &Bytes) -> Response {
    let parts: Vec<String> = endpoint.split('/').filter(|p| !p.is_empty()).map(|p| p.to_ascii_lowercase()).collect();
    let p: Vec<&str> = parts.iter().map(String::as_str).collect();
    let id_of = |s: &str| s.parse::<i64>().ok();
    match (method.as_str(), p.as_slice()) {
        ("GET", ["thresholdinformation"]) => {
            let n = inner.request_times.lock().unwrap().len();
            ok(json!({"externalRequestThreshold": 10000, "requestThresholdTimeframe": 60,
                      "currentTimeframeRequestCount": n}))
        }
        (_, ["thresholdinformation"]) => method_not_allowed(method),
        ("GET", [entity, "entityinformation", "fields"]) => fields(inner, entity),
        ("GET", [entity, "entityinformation"]) if known_entity(entity) => ok(json!({"info": {
            "name": entity, "canCreate": true, "canDelete": false, "canQuery": true, "canUpdate": true,
            "hasUserDefinedFields": false, "supportsWebhookCallouts": true}})),
        // Query and its paging.
        ("POST", [entity, "query"]) => query_entity(inner, entity, body, None),
        ("POST", [entity, "query", "next"]) => {
            query_entity(inner, entity, body, query_param(query, "paging").as_deref().or(Some("")))
        }
        ("GET", [_, "query", "next"]) => method_not_allowed(method),
        ("POST", [entity, "query", "count"]) => count_entity(inner, entity, body),
        ("GET", ["tickets", id, "notes"]) => match id_of(id) {
            Some(tid) => {
                let db = inner.db.lock().unwrap();
                let items: Vec<Value> = db.notes.values().filter(|n| n["ticketID"] == tid).cloned().collect();
                ok(page_json(items, None, 500))
            }
            None => not_found(),
        },
        ("POST", ["tickets", id, "notes"]) => match id_of(id) {
            Some(tid) => create_note(inner, tid, body),
            None => not_found(),
        },
        ("GET", [entity, id]) if known_entity(entity) => match id_of(id) {
            Some(id) => {
                let db = inner.db.lock().unwrap();
                let item = collection(&db, entity).and_then(|c| c.get(&id)).cloned().unwrap_or(Value::Null);
                ok(json!({ "item": item }))
            }
            None => errors(StatusCode::INTERNAL_SERVER_ERROR, &[&format!("The value '{id}' is not valid.")]),
        },
        ("POST", ["tickets"]) => create_ticket(inner, body),
        ("PATCH", ["tickets"]) => update_ticket(inner, body),
        ("POST", ["ticketnotes"]) => not_found(),
        (_, [entity, ..]) if known_entity(entity) => method_not_allowed(method),
        _ => not_found(),
    }
}

fn known_entity(e: &str) -> bool {
    matches!(e, "companies" | "tickets" | "ticketnotes" | "timeentries" | "deletedticketlogs")
}

fn collection<'a>(db: &'a Db, entity: &str) -> Option<&'a BTreeMap<i64, Value>> {
    Some(match entity {
        "companies" => &db.companies,
        "tickets" => &db.tickets,
        "ticketnotes" => &db.notes,
        "timeentries" => &db.time_entries,
        "deletedticketlogs" => &db.deleted_ticket_logs,
        _ => return None,
    })
}

fn page_json(items: Vec<Value>, next: Option<String>, request_count: usize) -> Value {
    let n = items.len();
    json!({"items": items, "pageDetails": {"count": n, "requestCount": request_count, "prevPageUrl": null,
                                          "nextPageUrl": next}})
}

/// Reads `filter` (or `Filter`) of a query body; Autotask refuses a query without one.
fn body_filter(body: &Value) -> Result<Vec<Value>, Response> {
    let f = body.get("filter").or_else(|| body.get("Filter"));
    match f {
        Some(Value::Array(items)) if !items.is_empty() => Ok(items.clone()),
        _ => Err(errors(StatusCode::INTERNAL_SERVER_ERROR, &["A query must contain at least one filter item."])),
    }
}

fn filtered(inner: &Inner, entity: &str, body: &Bytes) -> Result<Vec<Value>, Response> {
    let body = parse_body(body)?;
    let filter = body_filter(&body)?;
    for f in &filter {
        filter::validate(f).map_err(|m| errors(StatusCode::INTERNAL_SERVER_ERROR, &[&m]))?;
    }
    let db = inner.db.lock().unwrap();
    let coll = collection(&db, entity).ok_or_else(not_found)?;
    Ok(coll.values().filter(|item| filter.iter().all(|f| filter::matches(f, item))).cloned().collect())
}

fn query_entity(inner: &Inner, entity: &str, body: &Bytes, paging: Option<&str>) -> Response {
    let all = match filtered(inner, entity, body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let page_size = *inner.page_size.lock().unwrap();
    let max_records =
        parsed.get("MaxRecords").or_else(|| parsed.get("maxRecords")).and_then(Value::as_u64).map(|m| m as usize);
    let size = max_records.unwrap_or(page_size).clamp(1, page_size);
    let (after, previous): (i64, Vec<i64>) = match paging {
        None => (i64::MIN, vec![-1]),
        Some(p) => match serde_json::from_str::<Value>(p) {
            Ok(v) => {
                let next = v["nextIds"].get(0).and_then(Value::as_i64);
                let prev = v["previousIds"].as_array().map(|a| a.iter().filter_map(Value::as_i64).collect());
                match (next, prev) {
                    (Some(n), Some(prev)) => (n - 1, prev),
                    _ => return errors(StatusCode::INTERNAL_SERVER_ERROR, &["Invalid paging parameter."]),
                }
            }
            Err(_) => return errors(StatusCode::INTERNAL_SERVER_ERROR, &["Invalid paging parameter."]),
        },
    };
    let rest: Vec<Value> = all.into_iter().filter(|v| v["id"].as_i64().unwrap_or(0) > after).collect();
    let has_more = rest.len() > size;
    let mut items: Vec<Value> = rest.into_iter().take(size).collect();
    let next = if has_more {
        let last = items.last().and_then(|v| v["id"].as_i64()).unwrap_or(0);
        let first = items.first().and_then(|v| v["id"].as_i64()).unwrap_or(0);
        let mut prev = previous;
        prev.push(first);
        let paging = json!({"pageSize": size, "previousIds": prev, "nextIds": [last + 1]}).to_string();
        let entity_name = entity_display(entity);
        Some(format!(
            "{}/ATServicesRest/V1.0/{entity_name}/query/next?paging={}",
            inner.base_url,
            urlencoding::encode(&paging)
        ))
    } else {
        None
    };
    if let Some(fields) = parsed.get("IncludeFields").or_else(|| parsed.get("includeFields")).and_then(Value::as_array)
        && !fields.is_empty()
    {
        let wanted: Vec<String> = fields.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect();
        for item in &mut items {
            if let Value::Object(m) = item {
                m.retain(|k, _| k == "id" || wanted.contains(&k.to_ascii_lowercase()));
            }
        }
    }
    ok(page_json(items, next, size))
}

fn entity_display(entity: &str) -> &'static str {
    match entity {
        "companies" => "Companies",
        "tickets" => "Tickets",
        "ticketnotes" => "TicketNotes",
        "timeentries" => "TimeEntries",
        _ => "DeletedTicketLogs",
    }
}

fn count_entity(inner: &Inner, entity: &str, body: &Bytes) -> Response {
    match filtered(inner, entity, body) {
        Ok(v) => ok(json!({ "queryCount": v.len() })),
        Err(r) => r,
    }
}

fn fields(inner: &Inner, entity: &str) -> Response {
    if entity != "tickets" {
        if known_entity(entity) {
            return ok(json!({"fields": [{"name": "id", "dataType": "long", "isRequired": true, "isReadOnly": true,
                                          "isPickList": false, "picklistValues": null}]}));
        }
        return not_found();
    }
    let db = inner.db.lock().unwrap();
    let mut out = vec![
        plain_field("id", "long", true, true),
        plain_field("ticketNumber", "string", false, true),
        plain_field("companyID", "integer", true, false),
        plain_field("title", "string", true, false),
        plain_field("description", "string", false, false),
        plain_field("createDate", "datetime", false, true),
        plain_field("completedDate", "datetime", false, true),
        plain_field("dueDateTime", "datetime", true, false),
    ];
    for (name, values) in picklists() {
        let required = matches!(name, "status" | "priority");
        let list: Vec<Value> = values
            .iter()
            .enumerate()
            .map(|(i, (v, label))| {
                let value = v.to_string();
                let active = !db.inactive.iter().any(|(f, iv)| f.eq_ignore_ascii_case(name) && *iv == value);
                let default = (name == "status" && *v == STATUS_NEW) || (name == "priority" && *v == PRIORITY_MEDIUM);
                json!({"value": value, "label": label, "isDefaultValue": default, "sortOrder": i,
                       "parentValue": "", "isActive": active, "isSystem": name == "status" && (*v == 1 || *v == 5)})
            })
            .collect();
        out.push(json!({"name": name, "dataType": "integer", "length": 0, "isRequired": required,
                        "isReadOnly": false, "isQueryable": true, "isReference": false, "referenceEntityType": "",
                        "isPickList": true, "picklistValues": list, "picklistParentValueField": "",
                        "isSupportedWebhookField": true}));
    }
    ok(json!({ "fields": out }))
}

fn plain_field(name: &str, data_type: &str, required: bool, read_only: bool) -> Value {
    json!({"name": name, "dataType": data_type, "length": 0, "isRequired": required, "isReadOnly": read_only,
           "isQueryable": true, "isReference": name == "companyID",
           "referenceEntityType": if name == "companyID" { "Company" } else { "" },
           "isPickList": false, "picklistValues": null, "picklistParentValueField": "", "isSupportedWebhookField": true})
}

pub(crate) fn validation(msg: &str) -> Response {
    errors(StatusCode::INTERNAL_SERVER_ERROR, &[msg])
}

/// Checks a picklist value: it must exist, and (on create or change) be active.
fn check_picklist(db: &Db, field: &str, value: &Value) -> Result<(), Response> {
    let Some((_, values)) = picklists().into_iter().find(|(n, _)| *n == field) else { return Ok(()) };
    let Some(v) = value.as_i64() else {
        return Err(validation(&format!("Value for field {field} must be an integer.")));
    };
    if !values.iter().any(|(pv, _)| *pv == v) {
        return Err(validation(&format!("Invalid value for picklist field {field}: {v}.")));
    }
    if db.inactive.iter().any(|(f, iv)| f == field && *iv == v.to_string()) {
        return Err(validation(&format!("Value {v} of picklist field {field} is inactive.")));
    }
    Ok(())
}

fn create_ticket(inner: &Inner, body: &Bytes) -> Response {
    let v = match parse_body(body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return validation("The request body must be a JSON object."),
        Err(r) => return r,
    };
    let get = |k: &str| v.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v.clone());
    let present = |k: &str| get(k).is_some_and(|v| !v.is_null() && v != "");
    for f in ["companyID", "title", "status", "priority"] {
        if !present(f) {
            return validation(&format!("Missing Required Field: {f}"));
        }
    }
    let has_resource = present("assignedResourceID") && present("assignedResourceRoleID");
    if !present("queueID") && !has_resource {
        return validation(
            "assignedResourceID, assignedResourceRoleID, and queueID cannot all be empty. Supply a queueID or both \
             an assignedResourceID and assignedResourceRoleID.",
        );
    }
    let mut db = inner.db.lock().unwrap();
    let company = get("companyID").and_then(|c| c.as_i64());
    if !company.is_some_and(|c| db.companies.contains_key(&c)) {
        return validation("Reference value on field: companyID of type: Company does not exist or is invalid.");
    }
    for f in ["status", "priority", "queueID", "source"] {
        if let Some(val) = get(f).filter(|v| !v.is_null())
            && let Err(r) = check_picklist(&db, f, &val)
        {
            return r;
        }
    }
    if get("title").and_then(|t| t.as_str().map(str::len)).unwrap_or(0) > 255 {
        return validation("Value for field title exceeds the maximum length of 255.");
    }
    if get("description").and_then(|t| t.as_str().map(str::len)).unwrap_or(0) > 8000 {
        return validation("Value for field description exceeds the maximum length of 8000.");
    }
    // Store with Autotask's field casing for the ones we know.
    let mut stored = Map::new();
    for (k, val) in v {
        let canonical = ["companyID", "queueID", "assignedResourceID", "assignedResourceRoleID", "dueDateTime"]
            .into_iter()
            .find(|c| c.eq_ignore_ascii_case(&k))
            .map(str::to_string)
            .unwrap_or(k);
        stored.insert(canonical, val);
    }
    stored.remove("id");
    let id = insert_ticket(&mut db, stored);
    ok(json!({ "itemId": id }))
}

fn update_ticket(inner: &Inner, body: &Bytes) -> Response {
    let v = match parse_body(body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return validation("The request body must be a JSON object."),
        Err(r) => return r,
    };
    let Some(id) = v.get("id").and_then(Value::as_i64) else { return validation("Missing Required Field: id") };
    let mut db = inner.db.lock().unwrap();
    if !db.tickets.contains_key(&id) {
        return validation(&format!("Ticket with id {id} does not exist or is not accessible."));
    }
    for (k, val) in &v {
        if ["status", "priority", "queueID", "source"].contains(&k.as_str())
            && let Err(r) = check_picklist(&db, k, val)
        {
            return r;
        }
        if ["ticketNumber", "createDate", "completedDate"].iter().any(|r| r.eq_ignore_ascii_case(k)) {
            return validation(&format!("Field {k} is read-only."));
        }
    }
    let t = db.tickets.get_mut(&id).unwrap();
    for (k, val) in v {
        if k == "id" {
            continue;
        }
        if k == "status" {
            apply_status(t, val.as_i64().unwrap_or(0));
        } else {
            t[k.as_str()] = val;
        }
    }
    t["lastActivityDate"] = json!(now());
    ok(json!({ "itemId": id }))
}

fn create_note(inner: &Inner, ticket_id: i64, body: &Bytes) -> Response {
    let v = match parse_body(body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return validation("The request body must be a JSON object."),
        Err(r) => return r,
    };
    for f in ["title", "description", "noteType", "publish"] {
        if v.get(f).is_none_or(|x| x.is_null() || x == "") {
            return validation(&format!("Missing Required Field: {f}"));
        }
    }
    if v["description"].as_str().map(str::len).unwrap_or(0) > 32000 {
        return validation("Value for field description exceeds the maximum length of 32000.");
    }
    if !matches!(v["publish"].as_i64(), Some(1 | 2 | 4)) {
        return validation("Invalid value for picklist field publish.");
    }
    let mut db = inner.db.lock().unwrap();
    if !db.tickets.contains_key(&ticket_id) {
        return validation(&format!("Parent Ticket with id {ticket_id} does not exist or is not accessible."));
    }
    let id = db.id();
    let mut note = v;
    note.insert("id".into(), json!(id));
    note.insert("ticketID".into(), json!(ticket_id));
    note.insert("createDateTime".into(), json!(now_without_z()));
    note.insert("lastActivityDate".into(), json!(now()));
    note.insert("creatorResourceID".into(), Value::Null);
    db.notes.insert(id, Value::Object(note));
    if let Some(t) = db.tickets.get_mut(&ticket_id) {
        t["lastActivityDate"] = json!(now());
    }
    ok(json!({ "itemId": id }))
}
