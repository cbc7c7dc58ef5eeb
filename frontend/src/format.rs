//! How numbers and times read: sizes, durations, and instants in the MSP's
//! time zone (through the browser's `Intl`, so no time-zone database ships
//! in the bundle) with a relative "2 h ago" where it helps.

use std::cell::RefCell;

use chrono::{DateTime, Utc};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
    type Dtf;

    #[wasm_bindgen(constructor, catch, js_namespace = Intl, js_class = "DateTimeFormat")]
    fn new(locale: &str, options: &Object) -> Result<Dtf, JsValue>;

    #[wasm_bindgen(method, js_name = formatToParts)]
    fn format_to_parts(this: &Dtf, epoch_ms: f64) -> Array;
}

thread_local! {
    /// One formatter per zone; building them is slow.
    static FORMATTER: RefCell<Option<(String, Dtf)>> = const { RefCell::new(None) };
}

fn formatter(tz: &str) -> Option<Dtf> {
    let opts = Object::new();
    let set = |k: &str, v: &str| Reflect::set(&opts, &k.into(), &v.into()).is_ok();
    let all_set = set("timeZone", tz)
        && set("year", "numeric")
        && set("month", "2-digit")
        && set("day", "2-digit")
        && set("hour", "2-digit")
        && set("minute", "2-digit")
        && set("hourCycle", "h23");
    if !all_set {
        return None;
    }
    Dtf::new("en-GB", &opts).ok()
}

/// `2024-05-01 13:45` in the zone; UTC (marked) when the zone is unknown.
pub fn datetime(at: &DateTime<Utc>, tz: &str) -> String {
    let ms = at.timestamp_millis() as f64;
    let parts = FORMATTER.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.as_ref().is_none_or(|(zone, _)| zone != tz) {
            *cell = formatter(tz).map(|f| (tz.to_string(), f));
        }
        cell.as_ref().map(|(_, f)| f.format_to_parts(ms))
    });
    let Some(parts) = parts else {
        return format!("{} UTC", at.format("%Y-%m-%d %H:%M"));
    };
    let field = |name: &str| -> String {
        parts
            .iter()
            .find(|p| Reflect::get(p, &"type".into()).ok().and_then(|t| t.as_string()).as_deref() == Some(name))
            .and_then(|p| Reflect::get(&p, &"value".into()).ok())
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    format!("{}-{}-{} {}:{}", field("year"), field("month"), field("day"), field("hour"), field("minute"))
}

/// Now, from the browser clock.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// "just now", "5 min ago", "2 h ago", "3 d ago", or "in 5 min" for the future.
pub fn relative(at: &DateTime<Utc>, now: &DateTime<Utc>) -> String {
    let secs = (*now - *at).num_seconds();
    let (abs, future) = (secs.unsigned_abs(), secs < 0);
    let span = match abs {
        0..=44 => return "just now".into(),
        45..=3_599 => format!("{} min", abs.div_ceil(60).min(59)),
        3_600..=86_399 => format!("{} h", abs / 3_600),
        86_400..=2_591_999 => format!("{} d", abs / 86_400),
        _ => format!("{} mo", abs / 2_592_000),
    };
    if future { format!("in {span}") } else { format!("{span} ago") }
}

/// Bytes in binary units, as backup software reports them: `1.5 GB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KB", "MB", "GB", "TB", "PB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{n} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// `45 s`, `12 min 5 s`, `2 h 05 min`.
pub fn duration(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3_599 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {:02} min", secs / 3_600, (secs % 3_600) / 60),
    }
}

/// Every IANA zone the browser knows, for the Settings picker.
pub fn time_zones() -> Vec<String> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok();
    let f = intl.as_ref().and_then(|i| Reflect::get(i, &"supportedValuesOf".into()).ok());
    match (intl, f.and_then(|f| f.dyn_into::<js_sys::Function>().ok())) {
        (Some(intl), Some(f)) => f
            .call1(&intl, &"timeZone".into())
            .ok()
            .map(|v| Array::from(&v).iter().filter_map(|z| z.as_string()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A count with thousands separators: `1,250`.
pub fn count(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A JSON value in a few words: strings bare, `—` for null, others compact,
/// cut after `max` characters.
pub fn json_short(v: &serde_json::Value, max: usize) -> String {
    let s = match v {
        serde_json::Value::Null => "—".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > max { format!("{}…", s.chars().take(max).collect::<String>()) } else { s }
}
