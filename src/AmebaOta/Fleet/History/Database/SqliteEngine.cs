using System.Globalization;
using Microsoft.Data.Sqlite;

namespace AmebaOta.Fleet.History;

/// <summary>
/// One SQLite file in WAL mode, so that several processes (two fleet runs, a dashboard reading) share it safely and a killed
/// process leaves it consistent. One connection, used under a lock; writes take the write lock first (<c>BEGIN IMMEDIATE</c>).
/// </summary>
internal sealed class SqliteEngine : SqlEngine
{
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();

    private SqliteEngine(DatabaseLocation location, SqliteConnection connection) : base(location) => _connection = connection;

    public static new SqliteEngine Open(DatabaseLocation location)
    {
        string path = location.Target;
        // SQLite would say "unable to open database file" for a directory and "disk I/O error" for /dev/null.
        if (Directory.Exists(path))
            throw new HistoryException($"history database '{path}' is a directory: name a file (for example '{Path.Combine(path, "history.db")}')");
        if (File.Exists(path) && Flash.UnixFile.IsRegularFile(path) == false)
            throw new HistoryException($"history database '{path}' is not a regular file (a device such as /dev/null, a pipe or a socket): name a database file");
        SqliteConnection? connection = null;
        try
        {
            if (Path.GetDirectoryName(path) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
            connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30,
            }.ToString());
            connection.Open();
            var session = new SqlSession(connection, null, DatabaseEngine.Sqlite);
            // Concurrent writers wait for each other (up to 10 s) instead of failing at once.
            session.Execute("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;");
            string mode = Convert.ToString(session.Scalar("PRAGMA journal_mode = WAL;"), CultureInfo.InvariantCulture) ?? "";
            if (!mode.Equals("wal", StringComparison.OrdinalIgnoreCase))
                throw new HistoryException($"history database '{path}': cannot switch to WAL mode (journal mode is '{mode}')");
            // WAL + NORMAL: a commit survives the process being killed; only a power loss can lose the last commits.
            session.Execute("PRAGMA synchronous = NORMAL;");
            Migrate(connection, location);
            return new SqliteEngine(location, connection);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            throw new HistoryException($"history database '{path}': {DescribeSqlite(e)}", e);
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

    private static void Migrate(SqliteConnection connection, DatabaseLocation location)
    {
        int version = UserVersion(new SqlSession(connection, null, DatabaseEngine.Sqlite));
        if (version > HistoryMigrations.Latest) throw new HistoryException(Newer(location, version));
        if (version == HistoryMigrations.Latest) return;
        // BEGIN IMMEDIATE takes the write lock first, so two processes opening a new file do not both migrate it.
        using var tx = connection.BeginTransaction(deferred: false);
        var session = new SqlSession(connection, tx, DatabaseEngine.Sqlite);
        version = UserVersion(session);
        for (int v = version; v < HistoryMigrations.Latest; v++) session.Execute(HistoryMigrations.Sqlite[v]);
        session.Execute($"PRAGMA user_version = {HistoryMigrations.Latest};");
        tx.Commit();
    }

    private static int UserVersion(SqlSession session) => Convert.ToInt32(session.Scalar("PRAGMA user_version;"), CultureInfo.InvariantCulture);

    public override int SchemaVersion() => Run(false, UserVersion);

    public override T Run<T>(bool write, Func<SqlSession, T> body)
    {
        lock (_lock)
        {
            if (!write) return body(new SqlSession(_connection, null, DatabaseEngine.Sqlite));
            using var tx = _connection.BeginTransaction(deferred: false);
            var result = body(new SqlSession(_connection, tx, DatabaseEngine.Sqlite));
            tx.Commit();
            return result;
        }
    }

    public override string Describe(Exception e) => DescribeSqlite(e);

    private static string DescribeSqlite(Exception e) => e is SqliteException s
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

    public override void Dispose()
    {
        lock (_lock) _connection.Dispose();
    }
}
