//! Reports: per job of one customer (or all), the Success / Warning /
//! Failed counts and success rate of a week, a month or a custom period,
//! with the same report as CSV and as a PDF to send a customer.

use bc_api_types::JobReport;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::api::reports::ReportParams;
use crate::components::{ErrorView, Loading};
use crate::format;
use crate::hooks::use_fetch;
use crate::route::Route;

fn table(r: &JobReport) -> Html {
    if r.rows.is_empty() {
        return html! {
            <div class="state empty" role="status">
                <h2>{ "No jobs" }</h2>
                <p>{ "This customer has no approved jobs yet." }</p>
            </div>
        };
    }
    let rate = |v: Option<f64>| v.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "–".into());
    html! {
        <div class="table-wrap">
            <table class="table reports">
                <thead><tr>
                    <th scope="col">{ "Customer" }</th><th scope="col">{ "Job" }</th>
                    <th scope="col" class="hide-narrow">{ "Software" }</th>
                    <th scope="col" class="num">{ "Success" }</th><th scope="col" class="num">{ "Warning" }</th>
                    <th scope="col" class="num">{ "Failed" }</th><th scope="col" class="num">{ "Success rate" }</th>
                </tr></thead>
                <tbody>
                    { for r.rows.iter().map(|row| html! {
                        <tr key={row.job_id.clone()}>
                            <td>{ &row.customer_name }</td>
                            <td><Link<Route> to={Route::Job { id: row.job_id.clone() }}>{ &row.job_name }</Link<Route>></td>
                            <td class="hide-narrow">{ &row.software }</td>
                            <td class="num">{ row.success }</td>
                            <td class="num">{ row.warning }</td>
                            <td class="num">{ row.failed }</td>
                            <td class="num">{ rate(row.success_rate) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn ReportsPage() -> Html {
    let customers = use_fetch((), |_| async { api::customers::list().await });
    let today = format::now().date_naive().to_string();
    let params = use_state(|| ReportParams {
        customer_id: String::new(),
        period: "month".into(),
        date: today.clone(),
        from: String::new(),
        to: String::new(),
    });
    let custom_incomplete = params.period == "custom" && (params.from.is_empty() || params.to.is_empty());
    let report = use_fetch(((*params).clone(), custom_incomplete), |(p, incomplete)| async move {
        if incomplete { Ok(None) } else { api::reports::get(&p).await.map(Some) }
    });

    let set = |apply: fn(&mut ReportParams, String)| {
        let params = params.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<HtmlSelectElement>()
                .map(|s| s.value())
                .or_else(|| e.target_dyn_into::<HtmlInputElement>().map(|i| i.value()))
                .unwrap_or_default();
            let mut p = (*params).clone();
            apply(&mut p, value);
            params.set(p);
        })
    };
    let customer_options = customers.data.as_ref().map(|l| l.items.clone()).unwrap_or_default();
    let p = (*params).clone();
    let file =
        |ext: &str| format!("report-{}.{ext}", if p.customer_id.is_empty() { "all" } else { p.customer_id.as_str() });

    let body = match (report.data.as_deref(), &report.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(report.reload.clone())} /> },
        (None, None) => html! { <Loading what="the report" /> },
        (Some(None), None) => html! { <p class="muted">{ "Choose the first and the last day of the period." }</p> },
        (Some(Some(r)), None) => html! {
            <>
                <p class="muted report-period">
                    { format!("{} · {} to {}", r.customer_name.clone().unwrap_or_else(|| "All customers".into()), r.from, r.to) }
                </p>
                { table(r) }
            </>
        },
    };
    html! {
        <section class="page">
            <div class="page-head">
                <h1>{ "Reports" }</h1>
                if !custom_incomplete {
                    <div class="head-actions">
                        <a class="btn btn-ghost" id="report-csv" href={api::reports::csv_url(&p)} download={file("csv")}>{ "Download CSV" }</a>
                        <a class="btn" id="report-pdf" href={api::reports::pdf_url(&p)} download={file("pdf")}>{ "Download PDF" }</a>
                    </div>
                }
            </div>
            <div class="toolbar">
                <label>{ "Customer " }
                    <select id="report-customer" onchange={set(|p, v| p.customer_id = v)}>
                        <option value="" selected={p.customer_id.is_empty()}>{ "All customers" }</option>
                        { for customer_options.iter().map(|c| html! {
                            <option value={c.id.clone()} selected={p.customer_id == c.id}>{ &c.name }</option>
                        }) }
                    </select>
                </label>
                <label>{ "Period " }
                    <select id="report-period" onchange={set(|p, v| p.period = v)}>
                        { for [("week", "Week"), ("month", "Month"), ("custom", "Custom")].iter().map(|(v, l)| html! {
                            <option value={*v} selected={p.period == *v}>{ *l }</option>
                        }) }
                    </select>
                </label>
                if p.period == "custom" {
                    <label>{ "From " }<input id="report-from" type="date" value={p.from.clone()} onchange={set(|p, v| p.from = v)} /></label>
                    <label>{ "To " }<input id="report-to" type="date" value={p.to.clone()} onchange={set(|p, v| p.to = v)} /></label>
                } else {
                    <label>{ if p.period == "week" { "Week of " } else { "Month of " } }
                        <input id="report-date" type="date" value={p.date.clone()} onchange={set(|p, v| p.date = v)} />
                    </label>
                }
            </div>
            if let Some(e) = &customers.error {
                <ErrorView error={e.clone()} onretry={Some(customers.reload.clone())} />
            }
            { body }
        </section>
    }
}
