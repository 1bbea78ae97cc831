using System.Data.Common;
using System.Globalization;

namespace AmebaOta.Fleet.History;

/// <summary>
/// One connection (and, for a write, its transaction) of a <see cref="HistoryStore"/>: the SQL is the same for SQLite and
/// PostgreSQL (<c>@name</c> parameters); a <see cref="DateTimeOffset"/> parameter becomes what the engine stores (ISO text, or
/// a UTC <c>timestamptz</c>), and <see cref="Time"/> reads either back.
/// </summary>
public sealed class SqlSession
{
    internal SqlSession(DbConnection connection, DbTransaction? transaction, DatabaseEngine engine)
    {
        Connection = connection;
        Transaction = transaction;
        Engine = engine;
    }

    internal DbConnection Connection { get; }
    internal DbTransaction? Transaction { get; }

    /// <summary>SQLite or PostgreSQL.</summary>
    public DatabaseEngine Engine { get; }

    /// <summary><c> FOR UPDATE</c> where the engine locks rows (PostgreSQL); SQLite's write transaction already holds the database.</summary>
    internal string ForUpdate => Engine == DatabaseEngine.Postgres ? " FOR UPDATE" : "";

    internal int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    internal object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    internal long Long(string sql, params (string Name, object? Value)[] parameters) =>
        Convert.ToInt64(Scalar(sql, parameters), CultureInfo.InvariantCulture);

    internal List<T> Query<T>(string sql, Func<DbDataReader, T> row, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        using var reader = command.ExecuteReader();
        var result = new List<T>();
        while (reader.Read()) result.Add(row(reader));
        return result;
    }

    internal DbCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = Transaction;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = Value(value);
            command.Parameters.Add(p);
        }
        return command;
    }

    private object Value(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset at when Engine == DatabaseEngine.Sqlite => TimeText(at),
        DateTimeOffset at => at.UtcDateTime,
        _ => value,
    };

    /// <summary>UTC, milliseconds, ISO 8601: how SQLite keeps times (they sort as text).</summary>
    internal static string TimeText(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>A time column, from either engine.</summary>
    internal static DateTimeOffset Time(DbDataReader r, int i) => r.GetValue(i) switch
    {
        string text => ParseTime(text),
        DateTime utc => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)),
        DateTimeOffset at => at,
        var other => throw new InvalidCastException($"column {i} is not a time ({other.GetType().Name})"),
    };

    internal static DateTimeOffset? TimeOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Time(r, i);

    internal static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    internal static int? IntOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);

    internal static long? LongOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    internal static double? DoubleOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);

    internal static int Int(DbDataReader r, int i) => Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);

    internal static long Long(DbDataReader r, int i) => Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    internal static double Double(DbDataReader r, int i) => Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);

    internal static bool Bool(DbDataReader r, int i) => r.GetValue(i) switch { bool b => b, var v => Convert.ToInt64(v, CultureInfo.InvariantCulture) != 0 };
}
