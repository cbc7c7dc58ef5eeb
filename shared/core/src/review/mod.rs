//! The review workflow: Run Checks (jobs with unreviewed runs, worst first,
//! a page at a time), marking runs reviewed and unmarking them (in the
//! request, or in the worker when large), and the runs of a job.

pub mod marks;
pub mod repo;
pub mod run_checks;
pub mod runs;
