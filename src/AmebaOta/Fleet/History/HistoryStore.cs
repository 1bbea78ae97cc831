using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;

namespace AmebaOta.Fleet.History;

/// <summary>
/// The local history of boards, images, uploads and rollouts: one SQLite file in WAL mode, so that several processes (two fleet
/// runs, a dashboard reading) share it safely and a killed process leaves it consistent (every change is one transaction).
/// Thread-safe: one connection, used under a lock. Every failure is a <see cref="HistoryException"/>.
/// </summary>
public sealed partial class HistoryStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private readonly int _pid = Environment.ProcessId;

    private HistoryStore(string path, SqliteConnection connection)
    {
        Path = path;
        _connection = connection;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating the file and its directory if needed) and migrates the database at <paramref name="path"/>.</summary>
    /// <exception cref="HistoryException">It cannot be created, opened or migrated (read-only, not a database, made by a newer version).</exception>
    public static HistoryStore Open(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        // SQLite would say "unable to open database file" for a directory and "disk I/O error" for /dev/null.
        if (Directory.Exists(path))
            throw new HistoryException($"history database '{path}' is a directory: name a file (for example '{System.IO.Path.Combine(path, "history.db")}')");
        if (File.Exists(path) && Flash.UnixFile.IsRegularFile(path) == false)
            throw new HistoryException($"history database '{path}' is not a regular file (a device such as /dev/null, a pipe or a socket): name a database file");
        SqliteConnection? connection = null;
        try
        {
            if (System.IO.Path.GetDirectoryName(path) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
            connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30,
            }.ToString());
            connection.Open();
            // Concurrent writers wait for each other (up to 10 s) instead of failing at once.
            Execute(connection, null, "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;");
            string mode = Convert.ToString(Scalar(connection, null, "PRAGMA journal_mode = WAL;"), CultureInfo.InvariantCulture) ?? "";
            if (!mode.Equals("wal", StringComparison.OrdinalIgnoreCase))
                throw new HistoryException($"history database '{path}': cannot switch to WAL mode (journal mode is '{mode}')");
            // WAL + NORMAL: a commit survives the process being killed; only a power loss can lose the last commits.
            Execute(connection, null, "PRAGMA synchronous = NORMAL;");
            Migrate(connection, path);
            return new HistoryStore(path, connection);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            throw new HistoryException($"history database '{path}': {Describe(e)}", e);
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or EntryPointNotFoundException)
        {
            // A native build copied without libe_sqlite3.so next to it.
            connection?.Dispose();
            throw new HistoryException($"history database '{path}': SQLite's native library (e_sqlite3) cannot be loaded ({e.GetBaseException().Message})", e);
        }
        catch
        {
            connection?.Dispose();
            throw;
        }
    }

    private static void Migrate(SqliteConnection connection, string path)
    {
        int version = Convert.ToInt32(Scalar(connection, null, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        if (version > HistoryMigrations.Latest)
            throw new HistoryException($"history database '{path}' has schema version {version}, made by a newer ameba-ota (this one knows up to {HistoryMigrations.Latest})");
        if (version == HistoryMigrations.Latest) return;
        // BEGIN IMMEDIATE takes the write lock first, so two processes opening a new file do not both migrate it.
        using var tx = connection.BeginTransaction(deferred: false);
        version = Convert.ToInt32(Scalar(connection, tx, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        for (int v = version; v < HistoryMigrations.Latest; v++)
            Execute(connection, tx, HistoryMigrations.Steps[v]);
        Execute(connection, tx, $"PRAGMA user_version = {HistoryMigrations.Latest};");
        tx.Commit();
    }

    /// <summary>The schema version of the open database.</summary>
    public int SchemaVersion => Read(c => Convert.ToInt32(Scalar(c, null, "PRAGMA user_version;"), CultureInfo.InvariantCulture));

    /// <summary>Records boards seen by discovery (one transaction): creates them, or updates address, port, host, TXT board and last seen.</summary>
    public void RecordSightings(IEnumerable<BoardSighting> sightings) => Write((c, tx) =>
    {
        foreach (var s in sightings)
            Execute(c, tx, """
                INSERT INTO boards (name, address, port, host, board_id, first_seen, last_seen, family)
                VALUES ($name, $address, $port, $host, $board, $at, $at, COALESCE($family, 'ameba1'))
                ON CONFLICT (name) DO UPDATE SET address = excluded.address, port = excluded.port, host = excluded.host,
                    board_id = COALESCE(excluded.board_id, boards.board_id), last_seen = excluded.last_seen,
                    family = CASE WHEN $family IS NULL THEN boards.family ELSE excluded.family END
                """, ("$name", s.Name), ("$address", s.Address.ToString()), ("$port", s.Port), ("$host", s.Host), ("$board", s.BoardId), ("$at", Time(s.SeenAt)),
                ("$family", s.Family));
    });

    /// <summary>Records the start of an upload (board and image created if new); returns its id for <see cref="FinishUpload"/>.</summary>
    public long BeginUpload(UploadStart start) => Write((c, tx) =>
    {
        string now = Time(DateTimeOffset.UtcNow);
        string board = start.Board ?? NameAt(c, tx, start.EndPoint) ?? start.EndPoint.ToString();
        // The port is the one sent to, which for an AmebaD board is not the one it advertises: a sighting keeps the advertised one.
        Execute(c, tx, start.SeenNow
            ? """
              INSERT INTO boards (name, address, port, first_seen, last_seen, family) VALUES ($name, $address, $port, $at, $at, $family)
              ON CONFLICT (name) DO UPDATE SET address = excluded.address, last_seen = excluded.last_seen, family = excluded.family
              """
            : """
              INSERT INTO boards (name, address, port, first_seen, family) VALUES ($name, $address, $port, $at, $family)
              ON CONFLICT (name) DO UPDATE SET address = excluded.address, port = CASE WHEN boards.last_seen IS NULL THEN excluded.port ELSE boards.port END,
                  family = excluded.family
              """,
            ("$name", board), ("$address", start.EndPoint.Address.ToString()), ("$port", start.EndPoint.Port), ("$at", now), ("$family", start.Family));
        AddImage(c, tx, start.Image, now);
        return Convert.ToInt64(Scalar(c, tx, """
            INSERT INTO uploads (board, address, port, image_sha256, rollout_id, command, started_at, pid, family)
            VALUES ($board, $address, $port, $sha, $rollout, $command, $at, $pid, $family) RETURNING id
            """, ("$board", board), ("$address", start.EndPoint.Address.ToString()), ("$port", start.EndPoint.Port), ("$sha", start.Image.Sha256),
            ("$rollout", start.RolloutId), ("$command", start.Command), ("$at", now), ("$pid", _pid), ("$family", start.Family)), CultureInfo.InvariantCulture);
    });

    /// <summary>Records how the upload <paramref name="id"/> ended.</summary>
    public void FinishUpload(long id, UploadEnd end) => Write((c, tx) => Execute(c, tx, """
        UPDATE uploads SET ended_at = $at, outcome = $outcome, error = $error, exit_code = $exit, attempts = $attempts, reboot_ms = $reboot
        WHERE id = $id
        """, ("$id", id), ("$at", Time(DateTimeOffset.UtcNow)), ("$outcome", end.Outcome.Name()), ("$error", end.Error), ("$exit", end.ExitCode),
        ("$attempts", end.Attempts), ("$reboot", end.RebootTime is { } r ? Math.Round(r.TotalMilliseconds, 1) : null)));

    /// <summary>Records an image (if new) without an upload, e.g. when a rollout is created.</summary>
    public void RecordImage(ImageIdentity image) => Write((c, tx) => AddImage(c, tx, image, Time(DateTimeOffset.UtcNow)));

    internal static void AddImage(SqliteConnection c, SqliteTransaction tx, ImageIdentity image, string now) => Execute(c, tx, """
        INSERT INTO images (sha256, size, file_name, checksum, sketch_version, first_used) VALUES ($sha, $size, $file, $checksum, $version, $at)
        ON CONFLICT (sha256) DO NOTHING
        """, ("$sha", image.Sha256), ("$size", image.Size), ("$file", image.FileName), ("$checksum", (long)image.Checksum),
        ("$version", image.SketchVersion is { } v ? (long)v : null), ("$at", now));

    /// <summary>The name of the board last known at <paramref name="endPoint"/> (most recently seen first), if any.</summary>
    public string? BoardAt(IPEndPoint endPoint) => Read(c => NameAt(c, null, endPoint));

    /// <summary>
    /// The board seen at that address and port; failing that, the only board seen at that address when its family listens
    /// on another port than it advertises (an AmebaD board advertises 5000 and takes uploads on 8082).
    /// </summary>
    private static string? NameAt(SqliteConnection c, SqliteTransaction? tx, IPEndPoint endPoint)
    {
        if (Scalar(c, tx, """
            SELECT name FROM boards WHERE address = $address AND port = $port AND last_seen IS NOT NULL ORDER BY last_seen DESC LIMIT 1
            """, ("$address", endPoint.Address.ToString()), ("$port", endPoint.Port)) is string exact) return exact;
        using var command = Command(c, tx, "SELECT name, family FROM boards WHERE address = $address AND last_seen IS NOT NULL LIMIT 2",
            ("$address", endPoint.Address.ToString()));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        var (name, family) = (reader.GetString(0), reader.GetString(1));
        return !reader.Read() && Families.BoardFamilies.Find(family)?.Push is { ListensOnAdvertisedPort: false } push && push.DefaultPort == endPoint.Port ? name : null;
    }

    /// <summary>
    /// The board discovery last saw at <paramref name="address"/> (any port: an AmebaD board advertises one port and listens
    /// on another), with its family, if any.
    /// </summary>
    public (string Name, string Family)? BoardSeenAt(IPAddress address) => Read(c =>
    {
        using var command = Command(c, null, "SELECT name, family FROM boards WHERE address = $address AND last_seen IS NOT NULL ORDER BY last_seen DESC LIMIT 1",
            ("$address", address.ToString()));
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetString(1)) : ((string, string)?)null;
    });

    /// <summary>Runs a write in one transaction (BEGIN IMMEDIATE: a concurrent writer waits rather than failing later).</summary>
    internal T Write<T>(Func<SqliteConnection, SqliteTransaction, T> write)
    {
        lock (_lock)
        {
            try
            {
                using var tx = _connection.BeginTransaction(deferred: false);
                var result = write(_connection, tx);
                tx.Commit();
                return result;
            }
            catch (SqliteException e)
            {
                throw new HistoryException($"history database '{Path}': {Describe(e)}", e);
            }
        }
    }

    internal void Write(Action<SqliteConnection, SqliteTransaction> write) => Write<object?>((c, tx) => { write(c, tx); return null; });

    internal T Read<T>(Func<SqliteConnection, T> read)
    {
        lock (_lock)
        {
            try
            {
                return read(_connection);
            }
            catch (SqliteException e)
            {
                throw new HistoryException($"history database '{Path}': {Describe(e)}", e);
            }
        }
    }

    internal static void Execute(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(c, tx, sql, parameters);
        command.ExecuteNonQuery();
    }

    internal static object? Scalar(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(c, tx, sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    internal static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = c.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <summary>UTC, milliseconds, ISO 8601: sorts as text.</summary>
    internal static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string Describe(Exception e) => e is SqliteException s
        ? s.SqliteErrorCode switch
        {
            8 => "it is read-only",
            26 => "the file is not a database (corrupt, or another kind of file)",
            11 => "the database is corrupt",
            13 => "the disk is full",
            14 => "cannot open the file",
            _ => s.Message,
        }
        : e.Message;

    /// <summary>Closes the database.</summary>
    public void Dispose()
    {
        lock (_lock) _connection.Dispose();
    }
}
