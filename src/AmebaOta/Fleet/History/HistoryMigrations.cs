namespace AmebaOta.Fleet.History;

/// <summary>
/// The schema, one migration per version (SQLite's <c>PRAGMA user_version</c>). Never edit a released step: add the next one.
/// Times are UTC ISO 8601 text (<c>2025-01-31T12:00:00.000Z</c>), so they sort as text and read well in the sqlite3 shell.
/// </summary>
internal static class HistoryMigrations
{
    public static IReadOnlyList<string> Steps { get; } =
    [
        // 1: boards, images, uploads, rollouts.
        """
        CREATE TABLE boards (
            name        TEXT PRIMARY KEY COLLATE NOCASE,  -- mDNS instance name, or ADDRESS:PORT for a board only ever given by address
            address     TEXT,
            port        INTEGER,
            host        TEXT,
            board_id    TEXT,                             -- TXT board=
            first_seen  TEXT NOT NULL,
            last_seen   TEXT                              -- last answer by mDNS; NULL if never seen by discovery
        );
        CREATE TABLE images (
            sha256          TEXT PRIMARY KEY,
            size            INTEGER NOT NULL,
            file_name       TEXT NOT NULL,
            checksum        INTEGER NOT NULL,
            sketch_version  INTEGER,                      -- from the sketch descriptor, when the image has one
            first_used      TEXT NOT NULL
        );
        CREATE TABLE rollouts (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            image_sha256    TEXT NOT NULL REFERENCES images(sha256),
            image_path      TEXT NOT NULL,
            stages          TEXT NOT NULL,
            max_failures    TEXT NOT NULL,
            pause_seconds   REAL NOT NULL,
            parallel        INTEGER NOT NULL,
            connect_timeout REAL NOT NULL,
            stall_timeout   REAL,                         -- NULL: from the image size
            retries         INTEGER NOT NULL,
            retry_delay     REAL NOT NULL,
            wait_reboot     REAL,
            interface       TEXT,
            force           INTEGER NOT NULL,
            skip_current    INTEGER NOT NULL,
            allow_downgrade INTEGER NOT NULL,
            state           TEXT NOT NULL,                -- running | stopping | stopped | emergency-stopped | completed
            reason          TEXT,
            created_at      TEXT NOT NULL,
            updated_at      TEXT NOT NULL,
            heartbeat_at    TEXT,
            owner_pid       INTEGER
        );
        CREATE TABLE rollout_boards (
            rollout_id  INTEGER NOT NULL REFERENCES rollouts(id),
            board       TEXT NOT NULL COLLATE NOCASE,
            position    INTEGER NOT NULL,
            stage       INTEGER NOT NULL,
            address     TEXT NOT NULL,
            port        INTEGER NOT NULL,
            by_name     INTEGER NOT NULL,
            state       TEXT NOT NULL,                    -- pending | uploading | rebooting | success | failure | already-installed | aborted
            error       TEXT,
            updated_at  TEXT NOT NULL,
            PRIMARY KEY (rollout_id, board)
        );
        CREATE TABLE uploads (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            board         TEXT NOT NULL COLLATE NOCASE REFERENCES boards(name),
            address       TEXT NOT NULL,
            port          INTEGER NOT NULL,
            image_sha256  TEXT NOT NULL REFERENCES images(sha256),
            rollout_id    INTEGER REFERENCES rollouts(id),
            command       TEXT NOT NULL,
            started_at    TEXT NOT NULL,
            ended_at      TEXT,
            outcome       TEXT,                           -- sent | rebooted | not-back | failed | cancelled; NULL until it ends (or if the process died)
            error         TEXT,
            exit_code     INTEGER,
            attempts      INTEGER,
            reboot_ms     REAL,
            pid           INTEGER NOT NULL
        );
        CREATE INDEX uploads_by_board ON uploads(board, started_at);
        CREATE INDEX uploads_by_image ON uploads(image_sha256, started_at);
        CREATE INDEX uploads_by_time ON uploads(started_at);
        """,
        // 2: a rollout's airtime budget (image bytes per second; NULL: none, as for every rollout before); parallel 0 is "no cap".
        """
        ALTER TABLE rollouts ADD COLUMN max_rate REAL;
        """,
    ];

    public static int Latest => Steps.Count;
}
