"""Whole-service backups: one archive holding the database and every stored file it names.

The archive (`flask backup PATH`) is an uncompressed POSIX tar file with these members:

- `database/pcpt.sqlite3` (a SQLite online-backup copy) or `database/pcpt.pgdump`
  (`pg_dump --format=custom`, taken in the same snapshot as the counts below);
- `files/<location>`: every stored file a row points at (evidence attachments,
  certificates, exemption letters, and any column registered with the storage sweep), at
  the place the storage uses for its key (`ab/ab12...`, `exports/ab/ab12...`);
- `manifest.json`, last: the format (`pcpt-backup/1`), when and from which schema revision
  it was taken, the sha256 and size of every other member, the row count of every table,
  the audit chain's length and head hash, and which stored key each file member holds.

`flask restore PATH --check` re-reads all of it (see `checks`); `restore PATH --into URL`
checks, then writes the files and the database into an empty target (see `restore`).
The digests find damage and edits to a member; they are not a signature, so keep backups
where only the operators can write.
"""
