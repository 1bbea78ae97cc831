using Npgsql;

namespace AmebaOta.Fleet.History;

/// <summary>Which engine holds the history.</summary>
public enum DatabaseEngine
{
    /// <summary>One SQLite file: the embedded default for one machine.</summary>
    Sqlite,
    /// <summary>A PostgreSQL database: shared by every machine and site agent that reaches it.</summary>
    Postgres,
}

/// <summary>
/// Where the history is, as <c>--db</c> or <c>AMEBAOTA_DB</c> say it: a SQLite file path, a <c>postgres://user@host:port/db</c>
/// URL (libpq's form: <c>?host=/run/postgresql</c> for a unix socket, <c>sslmode</c>, <c>application_name</c>), or a
/// connection string (<c>Host=…;Username=…;Database=…</c>). The password may come from the URL, <c>PGPASSWORD</c> or <c>~/.pgpass</c>.
/// </summary>
/// <param name="Engine">SQLite or PostgreSQL.</param>
/// <param name="Target">The file path (SQLite) or the Npgsql connection string (PostgreSQL).</param>
/// <param name="Display">What to show: the path, or the URL with no password.</param>
public sealed record DatabaseLocation(DatabaseEngine Engine, string Target, string Display)
{
    /// <summary>Reads <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">A PostgreSQL URL or connection string that cannot be read.</exception>
    public static DatabaseLocation Parse(string text)
    {
        if (IsUrl(text)) return FromBuilder(PostgresUrl.ToBuilder(text));
        if (LooksLikeConnectionString(text))
        {
            NpgsqlConnectionStringBuilder builder;
            try { builder = new NpgsqlConnectionStringBuilder(text); }
            catch (ArgumentException e) { throw new FormatException($"'{Redact(text)}' is not a PostgreSQL connection string: {e.Message}"); }
            return FromBuilder(builder);
        }
        return new DatabaseLocation(DatabaseEngine.Sqlite, Path.GetFullPath(text), Path.GetFullPath(text));
    }

    /// <summary>True for <c>postgres://</c> and <c>postgresql://</c>.</summary>
    public static bool IsUrl(string text) =>
        text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    // "Host=db;Database=fleet": a key=value list naming a host or a database; a file path rarely holds both '=' and one of these.
    private static bool LooksLikeConnectionString(string text) =>
        text.Contains('=') && (text.Contains("host=", StringComparison.OrdinalIgnoreCase) || text.Contains("server=", StringComparison.OrdinalIgnoreCase)
                               || text.Contains("database=", StringComparison.OrdinalIgnoreCase));

    private static DatabaseLocation FromBuilder(NpgsqlConnectionStringBuilder builder)
    {
        builder.ApplicationName ??= "ameba-ota";
        string host = builder.Host ?? "localhost";
        string user = builder.Username is { } u ? u + "@" : "";
        string database = builder.Database ?? builder.Username ?? "";
        string port = builder.Port == NpgsqlConnection.DefaultPort ? "" : $":{builder.Port}";
        string display = host.StartsWith('/')
            ? $"postgres://{user}/{database}?host={host}{(port.Length > 0 ? "&port=" + port[1..] : "")}"   // a unix socket, as libpq writes it
            : $"postgres://{user}{(host.Contains(':') ? $"[{host}]" : host)}{port}/{database}";
        return new DatabaseLocation(DatabaseEngine.Postgres, builder.ConnectionString, display);
    }

    private static string Redact(string text) => System.Text.RegularExpressions.Regex.Replace(text, "(?i)(password\\s*=)[^;]*", "$1***");

    /// <inheritdoc />
    public override string ToString() => Display;
}
