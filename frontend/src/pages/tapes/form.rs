//! Reading the tape forms: their fields are the browser's (see
//! `hooks::field_value`), read by id when the form is sent.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

/// The value of the input, select or textarea with this id ("" if none).
pub fn val(id: &str) -> String {
    let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) else {
        return String::new();
    };
    if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
        i.value()
    } else if let Some(s) = el.dyn_ref::<HtmlSelectElement>() {
        s.value()
    } else if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
        t.value()
    } else {
        String::new()
    }
}

pub fn checked(id: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// Sets a field's value once (not through Yew's `value`, which would put
/// it back on every redraw while someone types; see `hooks::field_value`).
pub fn set_val(id: &str, value: &str) {
    let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) else {
        return;
    };
    if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
        i.set_value(value);
    } else if let Some(s) = el.dyn_ref::<HtmlSelectElement>() {
        s.set_value(value);
    } else if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
        t.set_value(value);
    }
}

/// Clears the inputs with these ids.
pub fn reset(ids: &[&str]) {
    for id in ids {
        if let Some(i) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        {
            i.set_value("");
        }
    }
}

/// A `datetime-local` value, read as UTC (the forms say so).
pub fn utc_time(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").ok().map(|t| t.and_utc())
}

/// A `date` value as midnight UTC.
pub fn utc_day(s: &str) -> Option<DateTime<Utc>> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

pub fn tags(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect()
}

/// "12 TB" for a capacity in GB.
pub fn capacity(gb: u64) -> String {
    if gb >= 1000 && gb.is_multiple_of(100) { format!("{} TB", gb as f64 / 1000.0) } else { format!("{gb} GB") }
}
