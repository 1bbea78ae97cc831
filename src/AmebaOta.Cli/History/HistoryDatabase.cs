using System.CommandLine;
using AmebaOta.Fleet.History;

namespace AmebaOta.Cli.History;

/// <summary>
/// <c>--db PATH</c>, shared by every command that records or reads the history, and where the database is when it is not
/// given: <c>$AMEBAOTA_DB</c>, else <c>ameba-ota/history.db</c> in the user's data directory (<c>~/.local/share</c> on Linux).
/// <c>none</c> turns recording off.
/// </summary>
public static class HistoryDatabase
{
    public const string EnvironmentVariable = "AMEBAOTA_DB";

    /// <param name="readOnly">For commands that only read it (<c>boards</c>, <c>history</c>): no "'none': do not record".</param>
    public static Option<string?> Option(bool readOnly = false) => new("--db")
    {
        Description = $"History database (SQLite); default ${EnvironmentVariable}, else {DefaultPath() ?? "ameba-ota/history.db in the user's data directory"}" +
            (readOnly ? "" : "; 'none': do not record"),
        HelpName = "PATH",
    };

    /// <summary>The database file to use, or null for none.</summary>
    public static string? Resolve(string? option)
    {
        string? path = option ?? (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? env : DefaultPath());
        return path is null || path.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : path;
    }

    public static string? DefaultPath() =>
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify) is { Length: > 0 } data
            ? Path.Combine(data, "ameba-ota", "history.db")
            : null;

    /// <summary>Opens the history for recording: a failure is one warning on stderr, then the command goes on without it.</summary>
    public static BestEffortHistory OpenForRecording(ParseResult parse, Option<string?> option) =>
        Resolve(parse.GetValue(option)) is { } path
            ? BestEffortHistory.Open(path, message => Console.Error.WriteLine($"warning: {message}"))
            : BestEffortHistory.Disabled();

    /// <summary>Opens the history to read it (<c>boards</c>, <c>history</c>): here a failure is the command's error.</summary>
    public static HistoryStore OpenForReading(ParseResult parse, Option<string?> option)
    {
        var path = Resolve(parse.GetValue(option)) ?? throw new CliError(ExitCodes.Usage, "no history database (--db none, or no data directory): nothing to show");
        if (!File.Exists(path) && !Directory.Exists(path)) throw new CliError(ExitCodes.BadInput, $"no history database at '{path}' yet: uploads record there (or give --db PATH)");
        try
        {
            return HistoryStore.Open(path);
        }
        catch (HistoryException e)
        {
            throw new CliError(ExitCodes.IoError, e.Message);
        }
    }
}
