using System.Net.Sockets;
using Npgsql;

namespace AmebaOta.Fleet.History;

/// <summary>
/// A PostgreSQL database (Npgsql, pooled): every operation takes a connection from the pool, so any number of threads and
/// processes share it; a write is one transaction. The schema is migrated under an advisory lock, so two processes meeting a
/// new database do not both migrate it; a role that may not change the schema (an agent's, a viewer's) only checks its version.
/// </summary>
internal sealed class PostgresEngine : SqlEngine
{
    // "ameb" as a number: the advisory lock the migration holds.
    private const long MigrationLock = 0x616d6562;

    private readonly NpgsqlDataSource _source;

    private PostgresEngine(DatabaseLocation location, NpgsqlDataSource source) : base(location) => _source = source;

    public NpgsqlDataSource Source => _source;

    public static new PostgresEngine Open(DatabaseLocation location)
    {
        NpgsqlDataSource? source = null;
        try
        {
            source = new NpgsqlSlimDataSourceBuilder(location.Target).EnableTransportSecurity().Build();
            var engine = new PostgresEngine(location, source);
            engine.Migrate();
            return engine;
        }
        catch (Exception e) when (IsDatabaseError(e) || e is ArgumentException)
        {
            source?.Dispose();
            throw new HistoryException($"history database '{location.Display}': {DescribePostgres(e)}", e);
        }
        catch
        {
            source?.Dispose();
            throw;
        }
    }

    private void Migrate()
    {
        int version = Run(false, Version);
        if (version > HistoryMigrations.Latest) throw new HistoryException(Newer(Location, version));
        if (version == HistoryMigrations.Latest) return;
        Run(true, s =>
        {
            s.Execute("SELECT pg_advisory_xact_lock(@lock)", ("lock", MigrationLock));
            s.Execute(HistoryMigrations.PostgresPreamble);
            int now = Version(s);
            for (int v = now; v < HistoryMigrations.Latest; v++) s.Execute(HistoryMigrations.Postgres[v]);
            s.Execute("DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES (@v)", ("v", HistoryMigrations.Latest));
            return 0;
        });
    }

    private static int Version(SqlSession s) => s.Scalar("SELECT to_regclass('schema_version') IS NOT NULL") is true
        ? (int)s.Long("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        : 0;

    public override int SchemaVersion() => Run(false, Version);

    public override T Run<T>(bool write, Func<SqlSession, T> body)
    {
        using var connection = _source.OpenConnection();
        if (!write) return body(new SqlSession(connection, null, DatabaseEngine.Postgres));
        using var tx = connection.BeginTransaction();
        var result = body(new SqlSession(connection, tx, DatabaseEngine.Postgres));
        tx.Commit();
        return result;
    }

    /// <summary>A connection of its own (for LISTEN), from the pool.</summary>
    public NpgsqlConnection OpenConnection() => _source.OpenConnection();

    public override string Describe(Exception e) => DescribePostgres(e);

    private static string DescribePostgres(Exception e)
    {
        switch (e)
        {
            case PostgresException p when p.SqlState == PostgresErrorCodes.InsufficientPrivilege:
                return $"{p.MessageText} (the role has no right to this: see the roles in docs/database.md)";
            case PostgresException p:
                return p.MessageText;
            case NpgsqlException { InnerException: SocketException s }:
                return $"cannot connect to PostgreSQL ({s.Message})";
            case NpgsqlException { InnerException: TimeoutException }:
            case TimeoutException:
                return "PostgreSQL did not answer in time";
            case NpgsqlException { InnerException: IOException io }:
                return $"the connection to PostgreSQL broke ({io.Message})";
            default:
                return e.Message;
        }
    }

    public override void Dispose() => _source.Dispose();
}
