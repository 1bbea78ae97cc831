using AmebaOta.Fleet.History;
using Spectre.Console;

namespace AmebaOta.Cli.Output;

/// <summary>Tables for <c>boards</c> and <c>history</c>.</summary>
public static class HistoryText
{
    /// <summary>The outcome's name; <c>unfinished</c> for an upload that never ended (still running, or its process died).</summary>
    public static string OutcomeName(UploadRecord u) => u.Outcome?.Name() ?? "unfinished";

    /// <summary>True back after its reboot, false not seen back, null not checked.</summary>
    public static bool? CameBack(UploadRecord? u) => u?.Outcome switch
    {
        UploadOutcome.Rebooted => true,
        UploadOutcome.NotBack => false,
        _ => null,
    };

    public static void Boards(IReadOnlyList<BoardSummary> boards)
    {
        if (boards.Count == 0) { Console.WriteLine("no boards recorded yet"); return; }
        bool sites = boards.Any(b => b.Site is not null);
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("board").AddColumn("family").AddColumn("address").AddColumn("last seen").AddColumn("last update").AddColumn("came back").AddColumn("believed to run");
        foreach (var b in boards)
        {
            table.AddRow(Printable.Markup(b.Name + (sites ? $" @{b.Site ?? "-"}" : "")), Printable.Markup(b.Family), Printable.Markup(b.Address is null ? "-" : $"{b.Address}:{b.Port}"), When(b.LastSeen),
                b.LastTaken is { } t ? Printable.Markup($"{Image(t.Image)} at {When(t.EndedAt)}") : "-",
                CameBack(b.LastTaken) switch { true => "yes", false => "[red]no[/]", null => b.LastTaken is null ? "-" : "not checked" },
                b.Believed is { } believed ? Printable.Markup(Image(believed.Image) + (b.BelievedVerified ? " (verified)" : " (not verified)")) : "unknown");
        }
        Terminal.Stdout.Write(table);
    }

    public static void Uploads(IReadOnlyList<UploadRecord> uploads)
    {
        if (uploads.Count == 0) { Console.WriteLine("no uploads match"); return; }
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("started (UTC)").AddColumn("board").AddColumn("family").AddColumn("image").AddColumn("outcome").AddColumn(new TableColumn("time").RightAligned())
            .AddColumn("command").AddColumn("error");
        foreach (var u in uploads)
        {
            string outcome = OutcomeName(u);
            table.AddRow(When(u.StartedAt), Printable.Markup(u.Board), Printable.Markup(u.Family), Printable.Markup(Image(u.Image)),
                u.Outcome switch
                {
                    UploadOutcome.Rebooted or UploadOutcome.Sent => $"[green]{outcome}[/]",
                    UploadOutcome.Failed or UploadOutcome.NotBack => $"[red]{outcome}[/]",
                    _ => $"[yellow]{outcome}[/]",
                },
                u.EndedAt is { } end ? $"{(end - u.StartedAt).TotalSeconds:0.00} s" : "",
                Printable.Markup(u.Command + (u.RolloutId is { } r ? $" #{r}" : "") + (u.Actor is { } a ? $" by {a}" : "") + (u.Site is { } site ? $" at {site}" : "")),
                Printable.Markup(u.Error is null ? "" : u.ExitCode is { } code ? $"(exit {code}) {u.Error}" : u.Error));
        }
        Terminal.Stdout.Write(table);
    }

    public static void Sites(IReadOnlyList<Fleet.Sites.SiteSummary> sites, IReadOnlyList<Fleet.Sites.AgentRecord> agents)
    {
        if (sites.Count == 0) { Console.WriteLine("no sites yet: start an agent at each (ameba-ota agent --db URL --site NAME)"); return; }
        var table = new Table().Border(TableBorder.Simple).AddColumn("site").AddColumn("agents up").AddColumn("boards online").AddColumn("open jobs").AddColumn("agents");
        foreach (var s in sites)
        {
            var mine = agents.Where(a => a.Site == s.Name).Select(a => a.Alive ? $"{a.Name} (up, {a.Boards} boards, {a.JobsRunning} jobs)"
                : $"{a.Name} ({(a.StoppedAt is { } stopped ? $"stopped {When(stopped)}" : $"[red]silent since {When(a.HeartbeatAt)}[/]")})");
            table.AddRow(Printable.Markup(s.Name), s.AgentsAlive == 0 ? "[red]0[/]" : $"{s.AgentsAlive} of {s.Agents}", $"{s.BoardsOnline} of {s.Boards}", s.OpenJobs.ToString(),
                string.Join("\n", mine.Select(m => m.Contains("[red]") ? m : Printable.Markup(m))));
        }
        Terminal.Stdout.Write(table);
    }

    public static void Audit(IReadOnlyList<AuditRecord> audit)
    {
        if (audit.Count == 0) return;
        Console.WriteLine("who did what:");
        foreach (var a in audit) Console.WriteLine($"  {When(a.At)}  {a.Actor,-16} {a.Action,-16} {a.Subject} {a.Detail}");
    }

    private static string Image(ImageIdentity i) => $"{i.FileName} {i.ShortSha[..8]}{(i.SketchVersion is { } v ? $" v{v}" : "")}";

    private static string When(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss") : "never";
}
