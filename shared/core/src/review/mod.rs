//! The review workflow: Run Checks (jobs with unreviewed runs, worst first,
//! a page at a time), marking runs reviewed and unmarking them (in the
//! request, or in the worker when large), the runs of a job, and the remarks
//! and tickets operators attach to jobs and runs.

pub mod marks;
pub mod notes_repo;
pub mod remarks;
pub mod repo;
pub mod run_checks;
pub mod runs;
pub mod tickets;
