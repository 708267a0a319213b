#!/usr/bin/env python3
"""make_store_seeds.py OUTDIR - the store fuzzer's seed corpus: small progress
stores of every schema version (0..3, made by replaying the migrations of
player/store/store_sqlite.c in order, as older relax versions left them), a
few listens and profiles in each, and the schema versions relax must refuse.
512-byte pages keep each file a few KB. Run once; the files are in the tree."""
import os
import sqlite3
import sys

# player/store/store_sqlite.c, migrations[] (append-only there, so copied here verbatim)
MIGRATIONS = [
    """CREATE TABLE profiles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
       created_ms INTEGER NOT NULL, has_mix INTEGER NOT NULL DEFAULT 0,
       volume_db REAL NOT NULL DEFAULT 0, background_db REAL NOT NULL DEFAULT 0, device TEXT);
       CREATE TABLE listens (id INTEGER PRIMARY KEY, profile_id INTEGER NOT NULL REFERENCES profiles(id),
       session_id TEXT NOT NULL, session_hash TEXT NOT NULL, week INTEGER NOT NULL DEFAULT 0,
       length_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL, ended_ms INTEGER NOT NULL,
       from_ms INTEGER NOT NULL, position_ms INTEGER NOT NULL, furthest_ms INTEGER NOT NULL,
       played_ms INTEGER NOT NULL, credit_ms INTEGER NOT NULL, completed INTEGER NOT NULL DEFAULT 0,
       finished INTEGER NOT NULL DEFAULT 0);
       CREATE INDEX listens_by_profile ON listens(profile_id, session_id, started_ms);""",
    """ALTER TABLE listens ADD COLUMN uuid TEXT; ALTER TABLE listens ADD COLUMN room TEXT;
       ALTER TABLE listens ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
       UPDATE listens SET uuid = lower(hex(randomblob(16))) WHERE uuid IS NULL;
       CREATE UNIQUE INDEX listens_by_uuid ON listens(uuid);""",
    "ALTER TABLE listens ADD COLUMN rendered INTEGER NOT NULL DEFAULT 0;",
]


def make(path, version, wal=True, user_version=None, listens=2):
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA page_size = 512")
    if wal:
        db.execute("PRAGMA journal_mode = WAL")
    for v in range(version):
        db.executescript(MIGRATIONS[v])
        if v == 0:
            db.execute("INSERT INTO profiles(name, created_ms, has_mix, volume_db, device)"
                       " VALUES('default', 1700000000000, 1, -6.5, 'pulse')")
            db.execute("INSERT INTO profiles(name, created_ms) VALUES('ana', 1700000001000)")
            for i in range(listens):
                db.execute("INSERT INTO listens(profile_id, session_id, session_hash, week, length_ms,"
                           " started_ms, ended_ms, from_ms, position_ms, furthest_ms, played_ms, credit_ms,"
                           " completed, finished) VALUES(?, ?, '0123456789abcdef', ?, 1200000, ?, ?, 0,"
                           " 600000, 600000, 600000, 600000, ?, 1)",
                           (1 + i % 2, "week-%02d" % (i + 1), i + 1, 1700000000000 + i, 1700000600000 + i, i % 2))
    db.execute("PRAGMA user_version = %d" % (version if user_version is None else user_version))
    db.close()
    for ext in ("-wal", "-shm"):
        if os.path.exists(path + ext):
            os.remove(path + ext)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    open(os.path.join(out, "v0-empty"), "wb").close()   # what relax creates before the first migration
    for v in range(4):
        make(os.path.join(out, "v%d" % v), v)
    make(os.path.join(out, "v1-rollback-journal"), 1, wal=False)
    make(os.path.join(out, "v3-empty"), 3, listens=0)
    make(os.path.join(out, "version-negative"), 3, user_version=-1)
    make(os.path.join(out, "version-newer"), 3, user_version=4)
    make(os.path.join(out, "version-huge"), 1, user_version=0x7fffffff)
    make(os.path.join(out, "version-says-3-schema-1"), 1, user_version=3)
    make(os.path.join(out, "version-says-1-schema-3"), 3, user_version=1)
    with open(os.path.join(out, "not-a-database"), "wb") as f:
        f.write(b"relax progress\n" * 8)


main()
