using AmebaOta.Fleet;
using AmebaOta.Fleet.Airtime;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Rollouts;
using Spectre.Console;

namespace AmebaOta.Cli.Output;

/// <summary>How <c>fleet rollout</c> shows a run: the plan, a live table on a terminal or plain lines when redirected, then a summary.</summary>
public static class RolloutText
{
    public static void Plan(long? id, IReadOnlyList<ImageIdentity> images, RolloutPlan plan, bool resumed)
    {
        string name = id is { } i ? $"rollout {i}" : "rollout (not recorded: it cannot be resumed)";
        string what = string.Join(" and ", images.Select(image => $"{image.FileName} ({(images.Count > 1 ? $"{image.Family}, " : "")}{image.Size} bytes, sha256 {image.ShortSha}" +
                                                                   $"{(image.SketchVersion is { } v ? $", version {v}" : "")})"));
        Console.WriteLine($"{name}{(resumed ? " resumed" : "")}: {what} " +
                          $"to {plan.Boards.Count} board{(plan.Boards.Count == 1 ? "" : "s")} in {plan.StageCount} stage{(plan.StageCount == 1 ? "" : "s")}");
        for (int stage = 1; stage <= plan.StageCount; stage++)
        {
            var boards = plan.Stage(stage).ToList();
            var todo = boards.Where(b => !b.State.IsDone()).Select(b => b.Target.Name).ToList();
            var done = boards.Where(b => b.State.IsDone()).ToList();
            Console.WriteLine($"  stage {stage}{(stage == 1 ? " (canary)" : "")}: {boards.Count} board{(boards.Count == 1 ? "" : "s")}: {Names(boards.Select(b => b.Target.Name))}" +
                              (done.Count > 0 ? $" ({done.Count} done already: {string.Join(", ", done.GroupBy(b => b.State.Name()).Select(g => $"{g.Count()} {g.Key}"))})" : ""));
        }
    }

    public static string Names(IEnumerable<string> names)
    {
        var list = names.ToList();
        return Printable.Of(list.Count <= 6 ? string.Join(", ", list) : $"{string.Join(", ", list.Take(3))} … {string.Join(", ", list.TakeLast(2))}");
    }

    public static void StageLine(RolloutStageEvent e)
    {
        string line = e.Kind switch
        {
            RolloutStageEventKind.Pausing => $"stage {e.Stage}: pausing before it",
            RolloutStageEventKind.Started => $"stage {e.Stage}: sending to {e.Boards} board{(e.Boards == 1 ? "" : "s")}",
            _ => $"stage {e.Stage}: done",
        };
        lock (Console.Out) Console.WriteLine(line);
    }

    /// <summary>Plain lines for a redirected run: each board's final state (and retries), not every chunk.</summary>
    public static void PlainLine(RolloutBoardStatus s)
    {
        var b = s.Board;
        string? line = b.State switch
        {
            RolloutBoardState.Success => s.Fleet?.RebootTime is { } r
                ? $"success in {s.Fleet.Elapsed.TotalSeconds:0.00} s (back after its reboot in {r.TotalSeconds:0.00} s)"
                : $"success: sent in {s.Fleet?.Elapsed.TotalSeconds ?? 0:0.00} s",
            RolloutBoardState.Failure => $"failure: {b.Error}",
            RolloutBoardState.Aborted => $"aborted: {b.Error}",
            RolloutBoardState.NeedsReset => b.Error,
            RolloutBoardState.Uploading when s.Fleet?.State == FleetBoardState.Retrying => $"retrying: attempt {s.Fleet.Attempt} failed: {s.Fleet.Error}",
            _ => null,
        };
        if (line is null) return;
        lock (Console.Out) Console.WriteLine(Printable.Of($"{b.Target.Name} ({b.Target.EndPoint}, stage {b.Stage}): {line}"));
    }

    /// <summary>Runs <paramref name="run"/> under a live table refreshed ten times a second.</summary>
    public static Task<RolloutResult> WithLiveTableAsync(Func<(RolloutBoardStatus[] Boards, int Stage)> latest, Func<AirtimeSnapshot> airtime, int stages,
        Func<Task<RolloutResult>> run) =>
        LiveTable.RunAsync(() => Table(latest(), airtime(), stages), run);

    private static Table Table((RolloutBoardStatus[] Boards, int Stage) now, AirtimeSnapshot airtime, int stages)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("board").AddColumn("address").AddColumn(new TableColumn("stage").RightAligned()).AddColumn("state")
            .AddColumn(new TableColumn("progress").RightAligned()).AddColumn(new TableColumn("time").RightAligned());
        foreach (var s in FleetText.Shown(now.Boards, b => b.Board.State is RolloutBoardState.Uploading or RolloutBoardState.Rebooting or RolloutBoardState.Failure))
        {
            var b = s.Board;
            string state = b.State switch
            {
                RolloutBoardState.Success => "[green]success[/]",
                RolloutBoardState.AlreadyInstalled => "[green]already-installed[/]",
                RolloutBoardState.Failure => $"[red]failure[/] {Markup.Escape(Printable.Of(Short(b.Error)))}",
                RolloutBoardState.Aborted => "[yellow]aborted[/]",
                RolloutBoardState.NeedsReset => "[yellow]needs-reset[/]",
                _ => Markup.Escape(b.State.Name()),
            };
            var f = s.Fleet;
            string progress = f is null || f.Length == 0 ? "" : $"{f.BytesSent * 100 / f.Length}%";
            table.AddRow(Markup.Escape(Printable.Of(b.Target.Name)), Markup.Escape(b.Target.EndPoint.ToString()), b.Stage.ToString(), state, progress,
                f is null || f.State == FleetBoardState.Queued ? "" : $"{f.Elapsed.TotalSeconds:0.00} s");
        }
        int done = now.Boards.Count(b => b.Board.State.IsDone());
        table.Caption($"stage {Math.Max(1, now.Stage)} of {stages}: {done} of {now.Boards.Length} done, " +
                      $"{now.Boards.Count(b => b.Board.State == RolloutBoardState.Success)} success, {now.Boards.Count(b => b.Board.State == RolloutBoardState.Failure)} failure\n" +
                      Markup.Escape(airtime.Describe()));
        return table;
    }

    private static string Short(string? error) => error is null ? "" : error.Length <= 50 ? error : error[..47] + "...";

    /// <summary>The closing lines: how it ended, which boards have which image, every failure, and how to resume.</summary>
    public static void Summary(long? id, RolloutResult result, ImageIdentity image, IReadOnlyDictionary<string, BoardSummary> history)
    {
        Console.WriteLine();
        string what = result.End switch
        {
            RolloutEnd.Completed => "completed",
            RolloutEnd.EmergencyStopped => "EMERGENCY STOP",
            _ => "stopped",
        };
        Console.WriteLine($"rollout{(id is { } i ? $" {i}" : "")}: {what} in {result.Duration.TotalSeconds:0.00} s{(result.Reason is { } r ? $": {Printable.Of(r)}" : "")}: " +
                          $"{result.Count(RolloutBoardState.Success)} success, {result.Count(RolloutBoardState.AlreadyInstalled)} already-installed, " +
                          $"{result.Count(RolloutBoardState.Failure)} failure, {result.Count(RolloutBoardState.Aborted)} aborted, {result.Count(RolloutBoardState.Pending)} pending" +
                          (result.Count(RolloutBoardState.NeedsReset) is > 0 and var n ? $", {n} needs-reset" : ""));
        Console.WriteLine("which image each board has:");
        foreach (var group in result.Boards.GroupBy(b => ImageOf(b, image, history)).OrderBy(g => g.Key))
            Console.WriteLine($"  {group.Key}: {group.Count()} board{(group.Count() == 1 ? "" : "s")}: {Names(group.Select(b => b.Target.Name))}");
        foreach (var b in result.Boards.Where(b => b.State == RolloutBoardState.Failure))
            Console.WriteLine(Printable.Of($"  failure: {b.Target.Name} ({b.Target.EndPoint}): {b.Error}"));
        foreach (var b in result.Boards.Where(b => b.State == RolloutBoardState.NeedsReset))
            Console.WriteLine(Printable.Of($"  {b.Target.Name} ({b.Target.EndPoint}) {RolloutBoard.NeedsResetReason}: reset it (power or its reset button), then resume to send it again"));
        if ((result.End != RolloutEnd.Completed || result.Count(RolloutBoardState.NeedsReset) > 0) && id is not null)
            Console.WriteLine($"resume with: ameba-ota fleet rollout --resume {id}");
    }

    private static string ImageOf(RolloutBoard b, ImageIdentity image, IReadOnlyDictionary<string, BoardSummary> history)
    {
        if (b.State is RolloutBoardState.Success or RolloutBoardState.AlreadyInstalled) return Describe(image, "(this rollout's image)");
        if (!history.TryGetValue(b.Target.Name, out var known) || known.Believed is not { } believed) return "unknown (no update recorded)";
        if (believed.Image.Sha256 == image.Sha256) return Describe(image, "(this rollout's image, not confirmed)");
        return Describe(believed.Image, known.BelievedVerified ? "(verified)" : "(sent, not verified)");
    }

    private static string Describe(ImageIdentity i, string note) =>
        $"{i.FileName} {i.ShortSha}{(i.SketchVersion is { } v ? $" version {v}" : "")} {note}";
}
