using System.Data.Common;
using System.Net.Sockets;

namespace AmebaOta.Fleet.History;

/// <summary>
/// What differs between the engines under a <see cref="HistoryStore"/>: how a connection and a write transaction are had, how
/// the schema version is kept and migrated, and how an engine's errors read. The SQL itself is shared (<see cref="SqlSession"/>).
/// </summary>
internal abstract class SqlEngine : IDisposable
{
    protected SqlEngine(DatabaseLocation location) => Location = location;

    public DatabaseLocation Location { get; }

    /// <summary>Runs <paramref name="body"/> on a connection; a write runs in one transaction, committed when it returns.</summary>
    public abstract T Run<T>(bool write, Func<SqlSession, T> body);

    /// <summary>The schema version of the open database.</summary>
    public abstract int SchemaVersion();

    /// <summary>One short reason for an engine's error (read-only, not a database, connection refused, permission denied …).</summary>
    public abstract string Describe(Exception e);

    /// <summary>True for the errors a database in trouble gives (as opposed to a bug of ours).</summary>
    public static bool IsDatabaseError(Exception e) =>
        e is DbException or IOException or SocketException or TimeoutException or UnauthorizedAccessException
        || (e is InvalidOperationException && e.InnerException is DbException or IOException or SocketException or TimeoutException);

    /// <summary>Opens (creating a SQLite file and its directory if needed) and migrates the database.</summary>
    public static SqlEngine Open(DatabaseLocation location) => location.Engine == DatabaseEngine.Sqlite
        ? SqliteEngine.Open(location)
        : PostgresEngine.Open(location);

    public abstract void Dispose();

    protected static string Newer(DatabaseLocation location, int version) =>
        $"history database '{location.Display}' has schema version {version}, made by a newer ameba-ota (this one knows up to {HistoryMigrations.Latest})";
}
