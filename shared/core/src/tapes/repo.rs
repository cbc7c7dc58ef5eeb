//! The tape repository: Cartridges (unique barcodes), tape jobs with their
//! Cartridge bindings, each Cartridge's Location log and Custody chain. The
//! stored documents are the shapes of `bc_api_types::tapes`.

use async_trait::async_trait;
use bc_api_types::{CustodyEvent, Tape, TapeJob, TapeLocation};

use crate::ports::PortResult;

/// Most Cartridges one register call (or one import chunk) writes, all or none.
pub const MAX_TAPES_PER_INSERT: usize = 40;
/// Most Cartridges one tape job spans (its bindings are written with it).
pub const MAX_TAPES_PER_JOB: usize = 40;

#[async_trait]
pub trait TapeRepo: Send + Sync {
    /// All or none; `Conflict` if a barcode or an id exists.
    async fn insert_tapes(&self, tapes: &[Tape]) -> PortResult<()>;
    async fn get_tape(&self, id: &str) -> PortResult<Option<Tape>>;
    /// Versioned write (`Conflict` when the version moved on). The barcode
    /// never changes.
    async fn update_tape(&self, tape: &Tape) -> PortResult<()>;
    /// By barcode.
    async fn list_tapes(&self) -> PortResult<Vec<Tape>>;
    /// Removes the Cartridge and its barcode; `false` if it was not there.
    /// Its Locations and Custody events go with their own calls.
    async fn delete_tape(&self, id: &str) -> PortResult<bool>;

    /// Appends `location` and writes `tape` (which names it as current) by
    /// version, together.
    async fn log_tape_location(&self, tape: &Tape, location: &TapeLocation) -> PortResult<()>;
    /// Newest first.
    async fn list_tape_locations(&self, tape_id: &str) -> PortResult<Vec<TapeLocation>>;
    /// Returns how many were removed.
    async fn delete_tape_locations(&self, tape_id: &str) -> PortResult<u64>;

    /// `Conflict` if the id exists.
    async fn insert_custody_event(&self, event: &CustodyEvent) -> PortResult<()>;
    async fn get_custody_event(&self, id: &str) -> PortResult<Option<CustodyEvent>>;
    /// Versioned write.
    async fn update_custody_event(&self, event: &CustodyEvent) -> PortResult<()>;
    /// The chain, oldest first.
    async fn list_custody_events(&self, tape_id: &str) -> PortResult<Vec<CustodyEvent>>;
    async fn delete_custody_events(&self, tape_id: &str) -> PortResult<u64>;

    /// Writes the job and a binding per Cartridge; `Conflict` if the id exists.
    async fn insert_tape_job(&self, job: &TapeJob) -> PortResult<()>;
    async fn get_tape_job(&self, id: &str) -> PortResult<Option<TapeJob>>;
    /// Versioned write; the bindings follow `job.tape_ids`.
    async fn update_tape_job(&self, job: &TapeJob) -> PortResult<()>;
    /// Newest job date first.
    async fn list_tape_jobs(&self) -> PortResult<Vec<TapeJob>>;
    /// Removes the job and its bindings; `false` if it was not there.
    async fn delete_tape_job(&self, id: &str) -> PortResult<bool>;
    /// The ids of the tape jobs written to a Cartridge (from the bindings).
    async fn tape_job_ids_of_tape(&self, tape_id: &str) -> PortResult<Vec<String>>;
}
