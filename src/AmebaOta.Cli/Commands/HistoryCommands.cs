using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using AmebaOta.Cli.History;
using AmebaOta.Cli.Output;
using AmebaOta.Fleet.History;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota boards</c> and <c>ameba-ota history</c>: what the history database knows.</summary>
public static class HistoryCommands
{
    public static Command Boards()
    {
        var json = CommonOptions.Json();
        var db = HistoryDatabase.Option(readOnly: true);
        var command = new Command("boards",
            "Every board ever seen or updated: address, last seen by mDNS, the last image it took and whether it came back, the image it is believed to run.\n" +
            "Example: ameba-ota boards --json") { json, db };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var store = HistoryDatabase.OpenForReading(parse, db);
            var boards = Read(store.Boards);
            if (parse.GetValue(json)) JsonOut.Write(boards.Select(BoardHistoryJson.From).ToList(), HistoryJsonContext.Default.ListBoardHistoryJson);
            else HistoryText.Boards(boards);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Agents that miss their heartbeats this long are shown as down.</summary>
    public static readonly TimeSpan AgentStale = TimeSpan.FromSeconds(30);

    public static Command Sites()
    {
        var json = CommonOptions.Json();
        var db = HistoryDatabase.Option();
        var waitBoards = new Option<int?>("--wait-boards") { Description = "First wait until the sites' agents see at least N boards online (every site together); exit 6 if they do not within --timeout", HelpName = "N" };
        var timeout = new Option<double>("--timeout") { Description = "With --wait-boards: seconds to wait", DefaultValueFactory = _ => 60 };
        var command = new Command("sites",
            "The sites of a shared PostgreSQL database: each site's agents (up when their heartbeat is under 30 s old), its boards and its open jobs.\n" +
            "Example: ameba-ota sites --db postgres://viewer@db.example/fleet\n" +
            "Example: ameba-ota sites --wait-boards 300 --timeout 120    (in a script: the agents have found the boards, a rollout may start)") { json, db, waitBoards, timeout };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            int? wanted = parse.GetValue(waitBoards) is { } n ? OptionChecks.InRange(n, 1, 1_000_000, "--wait-boards") : null;
            var limit = TimeSpan.FromSeconds(OptionChecks.Seconds(parse.GetValue(timeout), 86400, "--timeout"));
            using var store = HistoryDatabase.OpenForReading(parse, db);
            if (store.Engine != DatabaseEngine.Postgres) throw new CliError(ExitCodes.Usage, $"'{store.Where}' is a SQLite file: sites and agents live in a shared PostgreSQL database");
            var queue = new Fleet.Sites.JobQueue(store);
            if (wanted is { } count) await WaitForBoardsAsync(queue, count, limit, cancellationToken);
            var sites = Read(() => queue.Sites(AgentStale, TimeSpan.FromMinutes(2)));
            var agents = Read(() => queue.Agents(AgentStale));
            if (parse.GetValue(json))
                JsonOut.Write(new SitesJson([.. sites.Select(SiteJson.From)], [.. agents.Select(AgentJson.From)]), HistoryJsonContext.Default.SitesJson);
            else HistoryText.Sites(sites, agents);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Waits until the agents see <paramref name="count"/> boards online; a database out of reach meanwhile is waited for too.</summary>
    private static async Task WaitForBoardsAsync(Fleet.Sites.JobQueue queue, int count, TimeSpan limit, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int online = 0;
        while (true)
        {
            try { online = queue.Sites(AgentStale, TimeSpan.FromMinutes(2)).Where(s => s.AgentsAlive > 0).Sum(s => s.BoardsOnline); }
            catch (HistoryException e) when (BestEffortHistory.IsConnectionLoss(e)) { }
            if (online >= count) return;
            if (clock.Elapsed >= limit)
                throw new CliError(ExitCodes.NotFound, $"the sites' agents see {online} board{(online == 1 ? "" : "s")} online, not {count}, after {limit.TotalSeconds:0} s (see ameba-ota sites)");
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    public static Command History()
    {
        var board = new Option<string?>("--board") { Description = "Only this board (its mDNS name, or ADDRESS:PORT)", HelpName = "NAME" };
        var image = new Option<string?>("--image") { Description = "Only this image: its SHA-256 (or a prefix of at least 6 hex digits), or an image file", HelpName = "SHA|FILE" };
        var since = new Option<string?>("--since") { Description = "Only uploads started since: a date (2025-01-31, 2025-01-31T12:00, UTC) or an age (30m, 12h, 7d)", HelpName = "WHEN" };
        var json = CommonOptions.Json();
        var db = HistoryDatabase.Option(readOnly: true);
        var command = new Command("history",
            "Uploads recorded by upload, fleet upload and fleet rollout, oldest first: board, image, outcome (sent, rebooted, not-back, failed,\n" +
            "cancelled; unfinished when its process died), time, error and exit code.\n" +
            "Example: ameba-ota history --board MyAmeba-007 --since 7d") { board, image, since, json, db };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var store = HistoryDatabase.OpenForReading(parse, db);
            var filter = new HistoryFilter(parse.GetValue(board), ImageSha(parse.GetValue(image), store), Since(parse.GetValue(since)));
            var uploads = Read(() => store.Uploads(filter));
            if (parse.GetValue(json)) JsonOut.Write(uploads.Select(UploadHistoryJson.From).ToList(), HistoryJsonContext.Default.ListUploadHistoryJson);
            else
            {
                HistoryText.Uploads(uploads);
                HistoryText.Audit(Read(() => store.AuditTrail(filter.Since)));
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string? ImageSha(string? text, HistoryStore store)
    {
        if (text is null) return null;
        if (File.Exists(text)) return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(text)));
        if (text.Length >= 6 && text.Length <= 64 && text.All(Uri.IsHexDigit))
        {
            var matches = Read(() => store.ImagesStartingWith(text));
            if (matches.Count > 1) throw new CliError(ExitCodes.Usage, $"--image {text} matches {matches.Count} images ({string.Join(", ", matches.Select(m => m[..12]))}): give more digits");
            return text.ToLowerInvariant();
        }
        throw new CliError(ExitCodes.BadInput, $"--image '{text}' is neither an image file nor a SHA-256 (at least 6 hex digits)");
    }

    /// <summary>"2025-01-31", "2025-01-31T12:00" (UTC), or an age: "30m", "12h", "7d".</summary>
    internal static DateTimeOffset? Since(string? text)
    {
        if (text is null) return null;
        text = text.Trim();
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && n >= 0)
        {
            TimeSpan? age = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(n), 'm' => TimeSpan.FromMinutes(n), 'h' => TimeSpan.FromHours(n), 'd' => TimeSpan.FromDays(n), _ => null,
            };
            if (age is { } a) return DateTimeOffset.UtcNow - a;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)) return at;
        throw new CliError(ExitCodes.Usage, $"--since '{text}' is neither a date (2025-01-31, 2025-01-31T12:00) nor an age (30m, 12h, 7d)");
    }

    private static T Read<T>(Func<T> read)
    {
        try { return read(); }
        catch (HistoryException e) { throw new CliError(ExitCodes.IoError, e.Message); }
    }
}
