-- Schedules: a job's next due time (its expected run's window end plus the
-- grace) as a column, with a partial index that holds only jobs that have
-- one, so the scheduler reads the due jobs and never all jobs.
ALTER TABLE jobs ADD COLUMN next_due_at TEXT;
CREATE INDEX jobs_due ON jobs (next_due_at, id) WHERE next_due_at IS NOT NULL;
