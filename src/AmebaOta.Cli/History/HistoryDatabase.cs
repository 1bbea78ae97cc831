using System.CommandLine;
using AmebaOta.Fleet.History;

namespace AmebaOta.Cli.History;

/// <summary>
/// <c>--db PATH|URL</c>, shared by every command that records or reads the history, and where the database is when it is not
/// given: <c>$AMEBAOTA_DB</c>, else <c>ameba-ota/history.db</c> in the user's data directory (<c>~/.local/share</c> on Linux).
/// A SQLite file path, or a PostgreSQL URL (<c>postgres://user@host/db</c>) or connection string. <c>none</c> turns recording off.
/// </summary>
public static class HistoryDatabase
{
    public const string EnvironmentVariable = "AMEBAOTA_DB";

    /// <param name="readOnly">For commands that only read it (<c>boards</c>, <c>history</c>): no "'none': do not record".</param>
    public static Option<string?> Option(bool readOnly = false) => new("--db")
    {
        Description = $"History database: a SQLite file, or PostgreSQL (postgres://user@host/db, or a connection string); default ${EnvironmentVariable}, " +
                      $"else {DefaultPath() ?? "ameba-ota/history.db in the user's data directory"}" + (readOnly ? "" : "; 'none': do not record"),
        HelpName = "PATH|URL",
    };

    /// <summary>The database to use (a path or a PostgreSQL URL or connection string), or null for none.</summary>
    public static string? Resolve(string? option)
    {
        string? path = option ?? (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? env : DefaultPath());
        return path is null || path.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : path;
    }

    public static string? DefaultPath() =>
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify) is { Length: > 0 } data
            ? Path.Combine(data, "ameba-ota", "history.db")
            : null;

    /// <summary>What to show for <paramref name="database"/>: the full path, or the URL without its password.</summary>
    public static string Display(string database)
    {
        try { return DatabaseLocation.Parse(database).Display; }
        catch (FormatException) { return "(a PostgreSQL URL that cannot be read)"; }
    }

    /// <summary>Reads <paramref name="database"/> (the command's error when it cannot be read).</summary>
    public static DatabaseLocation Location(string database)
    {
        try { return DatabaseLocation.Parse(database); }
        catch (FormatException e) { throw new CliError(ExitCodes.Usage, $"--db: {e.Message}"); }
    }

    /// <summary>Opens the history for recording: a failure is one warning on stderr, then the command goes on without it.</summary>
    public static BestEffortHistory OpenForRecording(ParseResult parse, Option<string?> option) =>
        Resolve(parse.GetValue(option)) is { } path
            ? BestEffortHistory.Open(path, message => Console.Error.WriteLine($"warning: {message}"))
            : BestEffortHistory.Disabled();

    /// <summary>Opens the history to read it (<c>boards</c>, <c>history</c>): here a failure is the command's error.</summary>
    public static HistoryStore OpenForReading(ParseResult parse, Option<string?> option) => OpenRequired(parse.GetValue(option), mustExist: true);

    /// <summary>Opens the database a command cannot do without (reading commands, <c>db</c>, <c>agent</c>): a failure is its error (exit 9).</summary>
    public static HistoryStore OpenRequired(string? option, bool mustExist)
    {
        var text = Resolve(option) ?? throw new CliError(ExitCodes.Usage, "no history database (--db none, or no data directory): nothing to show");
        var location = Location(text);
        if (mustExist && location.Engine == DatabaseEngine.Sqlite && !File.Exists(location.Target) && !Directory.Exists(location.Target))
            throw new CliError(ExitCodes.BadInput, $"no history database at '{location.Target}' yet: uploads record there (or give --db PATH)");
        try
        {
            return HistoryStore.Open(location);
        }
        catch (HistoryException e)
        {
            throw new CliError(ExitCodes.IoError, e.Message);
        }
    }
}
