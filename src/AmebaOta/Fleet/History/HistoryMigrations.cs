namespace AmebaOta.Fleet.History;

/// <summary>
/// The schema, one migration per version, the same steps for SQLite (<c>PRAGMA user_version</c>) and PostgreSQL (table
/// <c>schema_version</c>), written once with the few types that differ left as placeholders. Never edit a released step: add
/// the next one. SQLite keeps times as UTC ISO 8601 text (<c>2025-01-31T12:00:00.000Z</c>: sorts as text, reads well in the
/// sqlite3 shell), PostgreSQL as <c>timestamptz</c>; names of boards compare case-insensitively in both.
/// </summary>
internal static class HistoryMigrations
{
    private static IReadOnlyList<string> Templates { get; } =
    [
        // 1: boards, images, uploads, rollouts.
        """
        CREATE TABLE boards (
            name        {NAME} PRIMARY KEY,  -- mDNS instance name, or ADDRESS:PORT for a board only ever given by address
            address     TEXT,
            port        INTEGER,
            host        TEXT,
            board_id    TEXT,                             -- TXT board=
            first_seen  {TIME} NOT NULL,
            last_seen   {TIME}                              -- last answer by mDNS; NULL if never seen by discovery
        );
        CREATE TABLE images (
            sha256          TEXT PRIMARY KEY,
            size            {BIGINT} NOT NULL,
            file_name       TEXT NOT NULL,
            checksum        {BIGINT} NOT NULL,
            sketch_version  {BIGINT},                      -- from the sketch descriptor, when the image has one
            first_used      {TIME} NOT NULL
        );
        CREATE TABLE rollouts (
            id              {ID},
            image_sha256    TEXT NOT NULL REFERENCES images(sha256),
            image_path      TEXT NOT NULL,
            stages          TEXT NOT NULL,
            max_failures    TEXT NOT NULL,
            pause_seconds   {REAL} NOT NULL,
            parallel        INTEGER NOT NULL,
            connect_timeout {REAL} NOT NULL,
            stall_timeout   {REAL},                         -- NULL: from the image size
            retries         INTEGER NOT NULL,
            retry_delay     {REAL} NOT NULL,
            wait_reboot     {REAL},
            interface       TEXT,
            force           {BOOL} NOT NULL,
            skip_current    {BOOL} NOT NULL,
            allow_downgrade {BOOL} NOT NULL,
            state           TEXT NOT NULL,                -- running | stopping | stopped | emergency-stopped | completed
            reason          TEXT,
            created_at      {TIME} NOT NULL,
            updated_at      {TIME} NOT NULL,
            heartbeat_at    {TIME},
            owner_pid       INTEGER
        );
        CREATE TABLE rollout_boards (
            rollout_id  {BIGINT} NOT NULL REFERENCES rollouts(id),
            board       {NAME} NOT NULL,
            position    INTEGER NOT NULL,
            stage       INTEGER NOT NULL,
            address     TEXT NOT NULL,
            port        INTEGER NOT NULL,
            by_name     {BOOL} NOT NULL,
            state       TEXT NOT NULL,                    -- pending | uploading | rebooting | success | failure | already-installed | aborted
            error       TEXT,
            updated_at  {TIME} NOT NULL,
            PRIMARY KEY (rollout_id, board)
        );
        CREATE TABLE uploads (
            id            {ID},
            board         {NAME} NOT NULL REFERENCES boards(name),
            address       TEXT NOT NULL,
            port          INTEGER NOT NULL,
            image_sha256  TEXT NOT NULL REFERENCES images(sha256),
            rollout_id    {BIGINT} REFERENCES rollouts(id),
            command       TEXT NOT NULL,
            started_at    {TIME} NOT NULL,
            ended_at      {TIME},
            outcome       TEXT,                           -- sent | rebooted | not-back | failed | cancelled; NULL until it ends (or if the process died)
            error         TEXT,
            exit_code     INTEGER,
            attempts      INTEGER,
            reboot_ms     {REAL},
            pid           INTEGER NOT NULL
        );
        CREATE INDEX uploads_by_board ON uploads(board, started_at);
        CREATE INDEX uploads_by_image ON uploads(image_sha256, started_at);
        CREATE INDEX uploads_by_time ON uploads(started_at);
        """,
        // 2: board families and sites, who did what (audit), the image bytes, site agents and their job queue.
        """
        ALTER TABLE boards ADD COLUMN family TEXT NOT NULL DEFAULT 'ameba1';   -- ameba1 | amebad | amebapro2
        ALTER TABLE boards ADD COLUMN site TEXT;                               -- the site whose agent saw it; NULL: seen by a command, no site
        ALTER TABLE uploads ADD COLUMN family TEXT NOT NULL DEFAULT 'ameba1';
        ALTER TABLE uploads ADD COLUMN site TEXT;
        ALTER TABLE uploads ADD COLUMN actor TEXT;                             -- who asked for it (OS user, dashboard user)
        ALTER TABLE uploads ADD COLUMN agent TEXT;                             -- the site agent that sent it; NULL: the command itself
        ALTER TABLE uploads ADD COLUMN job_id {BIGINT};
        ALTER TABLE rollouts ADD COLUMN actor TEXT;
        ALTER TABLE rollouts ADD COLUMN owner_host TEXT;                       -- the machine of owner_pid
        ALTER TABLE rollouts ADD COLUMN sites TEXT;                            -- --site filter it was planned with; NULL: every site
        CREATE TABLE image_blobs (                                             -- the bytes sent, so that agents and --resume anywhere have them
            sha256      TEXT PRIMARY KEY REFERENCES images(sha256),
            bytes       {BLOB} NOT NULL
        );
        CREATE TABLE audit (
            id          {ID},
            at          {TIME} NOT NULL,
            actor       TEXT NOT NULL,
            action      TEXT NOT NULL,                    -- rollout.create | rollout.stop | rollout.resume | job.request | job.cancel | agent.start ...
            subject     TEXT,                             -- rollout 7, board MyAmeba-001, site lab
            detail      TEXT
        );
        CREATE INDEX audit_by_time ON audit(at);
        CREATE TABLE agents (
            name          TEXT PRIMARY KEY,               -- site/host/pid
            site          TEXT NOT NULL,
            host          TEXT NOT NULL,
            pid           INTEGER NOT NULL,
            version       TEXT,
            interface     TEXT,
            started_at    {TIME} NOT NULL,
            heartbeat_at  {TIME} NOT NULL,
            stopped_at    {TIME},
            boards        INTEGER NOT NULL DEFAULT 0,     -- boards it sees now
            jobs_running  INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE jobs (                                                    -- work for the site agents: one board, one image
            id              {ID},
            site            TEXT NOT NULL,
            board           {NAME} NOT NULL,
            family          TEXT NOT NULL DEFAULT 'ameba1',
            address         TEXT NOT NULL,
            port            INTEGER NOT NULL,
            image_sha256    TEXT NOT NULL REFERENCES images(sha256),
            rollout_id      {BIGINT} REFERENCES rollouts(id),
            batch           TEXT NOT NULL,                -- the request that made it (a run follows its batch)
            command         TEXT NOT NULL,
            connect_timeout {REAL} NOT NULL,
            stall_timeout   {REAL},
            retries         INTEGER NOT NULL,
            retry_delay     {REAL} NOT NULL,
            wait_reboot     {REAL},
            state           TEXT NOT NULL,                -- queued | running | interrupted | succeeded | failed | cancelled
            detail          TEXT,                         -- connecting | board-erasing | sending | rebooting | retrying
            bytes_sent      {BIGINT} NOT NULL DEFAULT 0,
            length          {BIGINT} NOT NULL,
            attempt         INTEGER NOT NULL DEFAULT 0,
            runs            INTEGER NOT NULL DEFAULT 0,   -- times an agent took it (more than 1: taken over after an agent died)
            cancel_requested {BOOL} NOT NULL DEFAULT {FALSE},
            lease_owner     TEXT,
            lease_until     {TIME},
            upload_id       {BIGINT},
            error           TEXT,
            reboot_ms       {REAL},
            requested_by    TEXT NOT NULL,
            created_at      {TIME} NOT NULL,
            updated_at      {TIME} NOT NULL,
            ended_at        {TIME}
        );
        -- A board is never updated by two workers at once: one open job per board.
        CREATE UNIQUE INDEX jobs_one_open_per_board ON jobs(board) WHERE state IN ('queued', 'running', 'interrupted');
        CREATE INDEX jobs_open_by_site ON jobs(site, id) WHERE state IN ('queued', 'running', 'interrupted');
        CREATE INDEX jobs_by_batch ON jobs(batch);
        CREATE INDEX boards_by_site ON boards(site);
        """,
        // 3: mixed fleets: each rollout board's family, and a rollout's image for each family.
        """
        ALTER TABLE rollout_boards ADD COLUMN family TEXT;                      -- NULL: unknown (given by address): it takes the rollout's only image
        CREATE TABLE rollout_images (                                          -- a rollout's image for each family; rollouts.image_* is the first
            rollout_id    {BIGINT} NOT NULL REFERENCES rollouts(id),
            family        TEXT NOT NULL,
            image_sha256  TEXT NOT NULL REFERENCES images(sha256),
            image_path    TEXT NOT NULL,
            position      INTEGER NOT NULL,
            PRIMARY KEY (rollout_id, family)
        );
        """,
        // 4: a rollout's airtime budget (image bytes per second; NULL: none, as for every rollout before); parallel 0 is "no cap".
        """
        ALTER TABLE rollouts ADD COLUMN max_rate {REAL};
        """,
    ];

    public static int Latest => Templates.Count;

    /// <summary>The steps as SQLite runs them.</summary>
    public static IReadOnlyList<string> Sqlite { get; } = Render(new Dictionary<string, string>
    {
        ["{ID}"] = "INTEGER PRIMARY KEY AUTOINCREMENT", ["{NAME}"] = "TEXT COLLATE NOCASE", ["{TIME}"] = "TEXT", ["{REAL}"] = "REAL",
        ["{BOOL}"] = "INTEGER", ["{FALSE}"] = "0", ["{BIGINT}"] = "INTEGER", ["{BLOB}"] = "BLOB",
    });

    /// <summary>The steps as PostgreSQL runs them.</summary>
    public static IReadOnlyList<string> Postgres { get; } = Render(new Dictionary<string, string>
    {
        ["{ID}"] = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", ["{NAME}"] = "TEXT COLLATE amebaota_nocase", ["{TIME}"] = "TIMESTAMPTZ",
        ["{REAL}"] = "DOUBLE PRECISION", ["{BOOL}"] = "BOOLEAN", ["{FALSE}"] = "FALSE", ["{BIGINT}"] = "BIGINT", ["{BLOB}"] = "BYTEA",
    });

    /// <summary>What PostgreSQL needs before step 1: the case-insensitive collation names use (ICU, as Debian builds it).</summary>
    public const string PostgresPreamble = """
        CREATE COLLATION IF NOT EXISTS amebaota_nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
        CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
        """;

    private static IReadOnlyList<string> Render(IReadOnlyDictionary<string, string> types) =>
        [.. Templates.Select(t => types.Aggregate(t, (sql, type) => sql.Replace(type.Key, type.Value, StringComparison.Ordinal)))];
}
