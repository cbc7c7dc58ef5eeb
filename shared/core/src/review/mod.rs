//! The review workflow: Run Checks (jobs with unreviewed runs, worst first,
//! a page at a time), marking runs reviewed and unmarking them (in the
//! request, or in the worker when large), the runs of a job, overrides,
//! the admin's Reviewed view, and the remarks and tickets operators attach
//! to jobs and runs.

pub mod marks;
pub mod notes_repo;
pub mod overrides;
pub mod reindex;
pub mod remarks;
pub mod repo;
pub mod reviewed;
pub mod run_checks;
pub mod runs;
pub mod tickets;
