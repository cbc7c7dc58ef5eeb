//! Every route of `/api/v1`, registered together with its OpenAPI entry so
//! the document at `/api/v1/openapi.json` cannot miss one.

mod alerts;
mod api_tokens;
mod audit;
mod auth;
mod backup;
mod backup_runs;
mod bes;
mod customers;
mod inbox;
mod jobs;
mod mails;
mod meta;
mod operations;
mod overrides;
mod ping;
mod platforms;
mod psa;
mod quarantine;
mod remarks;
mod reports;
mod reviewed;
mod runs;
mod schedules;
mod settings;
mod tapes;
mod tickets;
mod users;

use axum::extract::DefaultBodyLimit;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// JSON bodies above this are refused (413).
const JSON_LIMIT: usize = 1024 * 1024;
/// Uploaded mails and CSV imports may be larger.
const UPLOAD_LIMIT: usize = bc_core::parsers::MAX_MAIL_BYTES + 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Backupchecks API",
        description = "Backup report monitoring for MSPs. Authenticate with POST /api/v1/auth/login; \
                       the session travels in the HttpOnly cookie `bc_session`. Tools and scripts send \
                       `Authorization: Bearer <API token>` instead (admins create tokens with a role). Errors are \
                       `{\"error\": {\"code\", \"message\"}}`: 400 invalid, 401 no session, \
                       403 role lacks the right, 404 unknown id, 409 conflict, 413 too large, 429 rate limited."
    ),
    tags(
        (name = "auth"), (name = "inbox"), (name = "mails"), (name = "customers"),
        (name = "jobs"), (name = "runs"), (name = "overrides"), (name = "remarks"), (name = "tickets"),
        (name = "operations"), (name = "users"), (name = "api_tokens"), (name = "audit"), (name = "settings"),
        (name = "reports"), (name = "autotask"), (name = "meta"), (name = "quarantine"), (name = "schedules"),
        (name = "alerts"), (name = "ping"), (name = "tapes"), (name = "backup"), (name = "bes"), (name = "platforms")
    )
)]
struct ApiDoc;

pub(crate) fn api_router() -> OpenApiRouter<AppState> {
    let json = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(meta::health))
        .routes(routes!(meta::openapi_json))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::login_code))
        .routes(routes!(auth::two_factor_status))
        .routes(routes!(auth::two_factor_enrol))
        .routes(routes!(auth::two_factor_confirm))
        .routes(routes!(auth::two_factor_disable))
        .routes(routes!(inbox::list))
        .routes(routes!(inbox::list_deleted))
        .routes(routes!(inbox::detail, inbox::delete))
        .routes(routes!(inbox::approve))
        .routes(routes!(inbox::restore))
        .routes(routes!(inbox::reparse))
        .routes(routes!(mails::detail))
        .routes(routes!(mails::raw))
        .routes(routes!(mails::html))
        .routes(routes!(mails::text))
        .routes(routes!(customers::list, customers::create))
        .routes(routes!(customers::get, customers::update))
        .routes(routes!(customers::export_csv))
        .routes(routes!(jobs::list))
        .routes(routes!(jobs::get))
        .routes(routes!(jobs::runs))
        .routes(routes!(jobs::rename))
        .routes(routes!(jobs::move_to))
        .routes(routes!(jobs::archive))
        .routes(routes!(jobs::unarchive))
        .routes(routes!(jobs::merge))
        .routes(routes!(jobs::delete))
        .routes(routes!(jobs::unapprove))
        .routes(routes!(reports::job_history))
        .routes(routes!(reports::report))
        .routes(routes!(reports::export_csv))
        .routes(routes!(reports::export_pdf))
        .routes(routes!(runs::detail))
        .routes(routes!(runs::run_checks))
        .routes(routes!(runs::review))
        .routes(routes!(runs::unreview))
        .routes(routes!(reviewed::list))
        .routes(routes!(reviewed::stats))
        .routes(routes!(reviewed::reindex))
        .routes(routes!(overrides::list, overrides::create))
        .routes(routes!(overrides::get, overrides::update, overrides::delete))
        .routes(routes!(remarks::list, remarks::create))
        .routes(routes!(remarks::update))
        .routes(routes!(remarks::resolve))
        .routes(routes!(tickets::list, tickets::create))
        .routes(routes!(tickets::resolve))
        .routes(routes!(tickets::delete))
        .routes(routes!(operations::get))
        .routes(routes!(audit::list))
        .routes(routes!(api_tokens::list, api_tokens::create))
        .routes(routes!(api_tokens::revoke))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::update))
        .routes(routes!(settings::get, settings::put))
        .routes(routes!(settings::test_mail))
        .routes(routes!(settings::get_keyword_rules, settings::put_keyword_rules))
        .routes(routes!(psa::get, psa::put))
        .routes(routes!(psa::test))
        .routes(routes!(psa::validate))
        .routes(routes!(psa::reference))
        .routes(routes!(psa::companies))
        .routes(routes!(psa::map_company, psa::unmap_company))
        .routes(routes!(psa::create_ticket))
        .routes(routes!(psa::link_ticket))
        .routes(routes!(psa::check_ticket))
        .routes(routes!(psa::resolve_ticket))
        .routes(routes!(quarantine::list))
        .routes(routes!(quarantine::release))
        .routes(routes!(quarantine::process_held))
        .routes(routes!(schedules::put_schedule))
        .routes(routes!(schedules::daily_jobs))
        .routes(routes!(schedules::list_windows, schedules::create_window))
        .routes(routes!(schedules::delete_window))
        .routes(routes!(alerts::get))
        .routes(routes!(alerts::create_channel))
        .routes(routes!(alerts::delete_channel))
        .routes(routes!(alerts::test_channel))
        .routes(routes!(alerts::create_rule))
        .routes(routes!(alerts::update_rule, alerts::delete_rule))
        .routes(routes!(alerts::put_mutes))
        .routes(routes!(alerts::put_digest))
        .routes(routes!(alerts::dead_letters))
        .routes(routes!(alerts::retry_dead_letter))
        .routes(routes!(ping::create_job))
        .routes(routes!(ping::regenerate))
        .routes(routes!(tapes::overview, tapes::register))
        .routes(routes!(tapes::export_csv))
        .routes(routes!(tapes::audit))
        .routes(routes!(tapes::get, tapes::update, tapes::delete))
        .routes(routes!(tapes::delete_preview))
        .routes(routes!(tapes::log_location))
        .routes(routes!(tapes::record_custody))
        .routes(routes!(tapes::edit_custody))
        .routes(routes!(tapes::list_jobs, tapes::create_job))
        .routes(routes!(tapes::get_job, tapes::update_job, tapes::delete_job))
        .routes(routes!(tapes::get_access, tapes::put_access))
        .routes(routes!(backup::list_secrets, backup::rotate_secret))
        .routes(routes!(backup::list_engines))
        .routes(routes!(backup::get_engine, backup::update_engine, backup::delete_engine))
        .routes(routes!(backup::engine_deletion))
        .routes(routes!(backup::list_targets, backup::create_target))
        .routes(routes!(backup::get_target, backup::update_target, backup::delete_target))
        .routes(routes!(backup::list_policies, backup::create_policy))
        .routes(routes!(backup::get_policy, backup::update_policy, backup::delete_policy))
        .routes(routes!(backup::create_hook))
        .routes(routes!(backup::update_hook, backup::delete_hook))
        .routes(routes!(backup::list_replicas, backup::create_replica))
        .routes(routes!(backup::delete_replica))
        .routes(routes!(backup::list_hosts, backup::create_host))
        .routes(routes!(backup::assign_host))
        .routes(routes!(backup::set_assignment, backup::remove_assignment))
        .routes(routes!(backup::list_alerts))
        .routes(routes!(platforms::list, platforms::register))
        .routes(routes!(platforms::get, platforms::update))
        .routes(routes!(platforms::deletion))
        .routes(routes!(platforms::objects))
        .routes(routes!(platforms::delete))
        .routes(routes!(platforms::test))
        .routes(routes!(platforms::sync))
        .routes(routes!(platforms::unlink))
        .routes(routes!(platforms::retry))
        .routes(routes!(bes::register))
        .routes(routes!(bes::heartbeat))
        .routes(routes!(bes::rotate_key))
        .routes(routes!(bes::config))
        .routes(routes!(bes::jobs))
        .routes(routes!(bes::ack))
        .routes(routes!(bes::progress))
        .routes(routes!(bes::result))
        .routes(routes!(bes::redeem_bmr))
        .routes(routes!(backup_runs::job_runs))
        .routes(routes!(backup_runs::retry_job))
        .routes(routes!(backup_runs::run_now))
        .routes(routes!(backup_runs::restore_points))
        .routes(routes!(backup_runs::restore_point))
        .routes(routes!(backup_runs::browse))
        .routes(routes!(backup_runs::search))
        .routes(routes!(backup_runs::restore_files))
        .routes(routes!(backup_runs::restore_image))
        .routes(routes!(backup_runs::bmr))
        .routes(routes!(backup_runs::agent_job))
        .routes(routes!(backup_runs::health_check))
        .routes(routes!(backup_runs::verify))
        .routes(routes!(backup_runs::objects))
        .routes(routes!(backup_runs::update_object))
        .routes(routes!(backup_runs::dashboard_summary))
        .routes(routes!(backup_runs::dashboard_failed))
        .routes(routes!(backup_runs::dashboard_rpo))
        .routes(routes!(backup_runs::dashboard_storage))
        .routes(routes!(backup_runs::dashboard_verification))
        .routes(routes!(backup_runs::get_settings, backup_runs::put_settings))
        .layer(DefaultBodyLimit::max(JSON_LIMIT));
    // Ping URLs: bodies beyond 10 KB are cut, beyond 64 KB refused.
    let pings = OpenApiRouter::new()
        .routes(routes!(ping::success, ping::success_get))
        .routes(routes!(ping::fail, ping::fail_get))
        .routes(routes!(ping::start, ping::start_get))
        .layer(DefaultBodyLimit::max(64 * 1024));
    let uploads = OpenApiRouter::new()
        .routes(routes!(mails::upload))
        .routes(routes!(customers::import_csv))
        .routes(routes!(tapes::import_csv))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT));
    json.merge(uploads).merge(pings)
}

/// The OpenAPI document of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().into_openapi()
}

/// Query of paginated lists.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size (default and maximum 50 for the Inbox).
    pub limit: Option<usize>,
}
