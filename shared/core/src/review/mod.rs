//! The review workflow: Run Checks (jobs with unreviewed runs, worst first,
//! a page at a time), marking runs reviewed and unmarking them (in the
//! request, or in the worker when large), the runs of a job, and overrides.

pub mod marks;
pub mod overrides;
pub mod repo;
pub mod reviewed;
pub mod run_checks;
pub mod runs;
