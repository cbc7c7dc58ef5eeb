//! The parsers, one file each, and the order the registry asks them in.

mod proxmox_vzdump;
mod synology_hyper_backup;
mod veeam_agent;
mod veeam_layout;
mod veeam_vbr;

use crate::registry::Parser;

/// Every parser, lowest `order` first; the first that claims a mail wins.
/// Specific senders and subjects go before body-pattern parsers.
pub(crate) static PARSERS: [Parser; 4] = [
    proxmox_vzdump::PARSER,
    veeam_agent::PARSER,
    veeam_vbr::PARSER,
    synology_hyper_backup::PARSER,
];
