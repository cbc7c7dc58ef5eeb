-- Overrides: few, read whole; the number is shown as #12 and unique.
CREATE TABLE overrides (
    id      TEXT PRIMARY KEY,
    number  INTEGER NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    doc     TEXT NOT NULL
);
