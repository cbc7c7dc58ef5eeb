-- LTO tapes (issue 16). Cartridges with a unique barcode; tape jobs with a
-- binding row per Cartridge (its position is the spanning order, the job's
-- document holds the same order); each Cartridge's Location log and
-- Custody chain. Deleting a Cartridge deletes its rows here one table at a
-- time from the use case (the audit trail, elsewhere, stays).
CREATE TABLE tapes (
    id       TEXT PRIMARY KEY,
    barcode  TEXT NOT NULL UNIQUE,
    version  INTEGER NOT NULL,
    doc      TEXT NOT NULL
);

CREATE TABLE tape_jobs (
    id        TEXT PRIMARY KEY,
    job_date  TEXT NOT NULL,
    version   INTEGER NOT NULL,
    doc       TEXT NOT NULL
);
CREATE INDEX tape_jobs_by_date ON tape_jobs (job_date DESC, id DESC);

CREATE TABLE tape_job_tapes (
    job_id    TEXT NOT NULL,
    tape_id   TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (job_id, tape_id)
);
CREATE INDEX tape_job_tapes_by_tape ON tape_job_tapes (tape_id);

CREATE TABLE tape_locations (
    id       TEXT PRIMARY KEY,
    tape_id  TEXT NOT NULL,
    at       TEXT NOT NULL,
    doc      TEXT NOT NULL
);
CREATE INDEX tape_locations_by_tape ON tape_locations (tape_id, at DESC, id DESC);

CREATE TABLE tape_custody (
    id       TEXT PRIMARY KEY,
    tape_id  TEXT NOT NULL,
    at       TEXT NOT NULL,
    version  INTEGER NOT NULL,
    doc      TEXT NOT NULL
);
CREATE INDEX tape_custody_by_tape ON tape_custody (tape_id, at, id);
