namespace AmebaOta.Cli.Dashboard;

/// <summary>A person who may change things on the dashboard, with a token of their own.</summary>
public sealed record DashboardUser(string Name, string Token);

/// <summary>
/// <c>dashboard --users FILE</c>: one person a line, <c>NAME TOKEN</c> (blank lines and <c># comments</c> skipped). Each
/// person opens <c>URL#token=TOKEN</c>; what they change is recorded as NAME in the history and the audit trail.
/// </summary>
public static class DashboardUsers
{
    /// <summary>A token shorter than this is refused: it would be guessed.</summary>
    public const int MinTokenLength = 16;

    /// <exception cref="CliError">The file cannot be read, or a line is not NAME TOKEN (exit 2).</exception>
    public static IReadOnlyList<DashboardUser> Load(string path)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliError(ExitCodes.Usage, $"--users: cannot read {path}: {e.Message}");
        }
        var users = new List<DashboardUser>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            string where = $"--users: {path} line {i + 1}";
            if (words.Length != 2) throw new CliError(ExitCodes.Usage, $"{where}: expected NAME TOKEN");
            if (words[1].Length < MinTokenLength) throw new CliError(ExitCodes.Usage, $"{where}: {words[0]}'s token is shorter than {MinTokenLength} characters (make one: openssl rand -hex 16)");
            if (users.Any(u => u.Token == words[1])) throw new CliError(ExitCodes.Usage, $"{where}: {words[0]} has the same token as {users.First(u => u.Token == words[1]).Name}");
            users.Add(new DashboardUser(words[0], words[1]));
        }
        if (users.Count == 0) throw new CliError(ExitCodes.Usage, $"--users: {path} names nobody (one NAME TOKEN a line)");
        return users;
    }
}
