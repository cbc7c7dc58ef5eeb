//! The parsers, one file each, and the order the registry asks them in.
//! Adding a parser: a file here, its `PARSER` in the list below, fixtures
//! under `tests/fixtures/<id>/` (see the README).

mod acronis;
mod altaro;
mod arcserve_udp;
mod backup_exec;
pub(crate) mod common;
mod datto;
mod duplicati;
mod generic_csv;
mod iperius;
mod macrium;
mod msp360;
mod nakivo;
mod proxmox_backup_server;
mod proxmox_vzdump;
mod qnap_hbs;
mod retrospect;
mod shadowprotect;
mod sql_server_agent;
mod syncovery;
mod synology_active_backup;
pub(crate) mod synology_dsm_event;
mod synology_hyper_backup;
mod veeam_agent;
mod veeam_cloud;
pub(crate) mod veeam_layout;
mod veeam_m365;
mod veeam_vbr;
mod windows_server_backup;

use crate::registry::Parser;

/// Every parser, lowest `order` first; the first that claims a mail wins.
/// Specific senders and subjects go before body-pattern parsers.
pub(crate) static PARSERS: &[Parser] = &[
    proxmox_vzdump::PARSER,
    proxmox_backup_server::PARSER,
    veeam_agent::PARSER,
    veeam_m365::PARSER,
    veeam_cloud::PARSER,
    veeam_vbr::PARSER,
    synology_hyper_backup::PARSER,
    synology_active_backup::PARSER,
    synology_dsm_event::PARSER,
    acronis::PARSER,
    windows_server_backup::PARSER,
    sql_server_agent::PARSER,
    duplicati::PARSER,
    backup_exec::PARSER,
    retrospect::PARSER,
    nakivo::PARSER,
    altaro::PARSER,
    datto::PARSER,
    msp360::PARSER,
    macrium::PARSER,
    arcserve_udp::PARSER,
    iperius::PARSER,
    shadowprotect::PARSER,
    qnap_hbs::PARSER,
    syncovery::PARSER,
    generic_csv::PARSER,
];
