using AmebaOta.Fleet;
using AmebaOta.Fleet.Airtime;
using Spectre.Console;

namespace AmebaOta.Cli.Output;

/// <summary>How <c>fleet upload</c> shows a run: a live table on a terminal, plain lines when redirected, then a summary.</summary>
public static class FleetText
{
    public static string StateName(FleetBoardState state) => state switch
    {
        FleetBoardState.Queued => "queued",
        FleetBoardState.Connecting => "connecting",
        FleetBoardState.BoardErasing => "board erasing",
        FleetBoardState.Sending => "sending",
        FleetBoardState.WaitingForReboot => "waiting for reboot",
        FleetBoardState.Retrying => "retrying",
        FleetBoardState.Updated => "updated",
        FleetBoardState.Failed => "failed",
        FleetBoardState.Skipped => "skipped",
        FleetBoardState.Cancelled => "cancelled",
        _ => state.ToString(),
    };

    /// <summary>Plain lines for a redirected run: retries, "sent", and how each board ended (not every chunk).</summary>
    public static void PlainLine(FleetBoardStatus s)
    {
        string? line = s.State switch
        {
            FleetBoardState.Retrying => $"retrying: attempt {s.Attempt} failed: {s.Error}",
            FleetBoardState.WaitingForReboot => $"the board acknowledged all {s.Length} bytes in {s.Elapsed.TotalSeconds:0.00} s; waiting for the reboot",
            FleetBoardState.Updated => s.RebootTime is { } r
                ? $"updated in {s.Elapsed.TotalSeconds:0.00} s (back after its reboot in {r.TotalSeconds:0.00} s)"
                : $"updated: the board acknowledged all {s.Length} bytes in {s.Elapsed.TotalSeconds:0.00} s",
            FleetBoardState.Failed => $"failed after {s.Attempt} attempt{(s.Attempt == 1 ? "" : "s")}: {s.Error}",
            FleetBoardState.Skipped => $"skipped: {s.Error}",
            FleetBoardState.Cancelled => $"cancelled: {s.Error}",
            _ => null,
        };
        if (line is null) return;
        lock (Console.Out) Console.WriteLine(Printable.Of($"{s.Target.Name} ({s.Target.EndPoint}): {line}"));
    }

    /// <summary>"as many at a time as 45 Mbit/s of airtime allows", "16 at a time".</summary>
    public static string Pace(FleetOptions options) => (options.MaxBytesPerSecond, options.MaxParallel) switch
    {
        ({ } rate, null) => $"as many at a time as {AirtimeSnapshot.Megabits(rate)} Mbit/s of airtime allows",
        ({ } rate, { } cap) => $"as many at a time as {AirtimeSnapshot.Megabits(rate)} Mbit/s of airtime allows, at most {cap}",
        (null, { } cap) => $"{cap} at a time",
        _ => "every board at once",
    };

    /// <summary>The closing line on the airtime budget: the most used over any second, the mean, the most boards at once.</summary>
    public static void AirtimeSummary(AirtimeSnapshot a)
    {
        if (a.TotalBytes == 0) return;
        string budget = a.MaxBytesPerSecond is { } max ? $" of {AirtimeSnapshot.Megabits(max)}" : "";
        Console.WriteLine($"airtime: at most {AirtimeSnapshot.Megabits(a.PeakBytesPerSecond)}{budget} Mbit/s over any second, {AirtimeSnapshot.Megabits(a.MeanBytesPerSecond)} Mbit/s on average; " +
            $"at most {a.PeakSending} board{(a.PeakSending == 1 ? "" : "s")} taking bytes and {a.PeakOpen} upload{(a.PeakOpen == 1 ? "" : "s")} open at once" +
            (a.Erase is { } e ? $" (a board erased for {e.TotalSeconds:0.0} s before it took bytes)" : ""));
    }

    /// <summary>Runs <paramref name="run"/> under a live table refreshed ten times a second from <paramref name="latest"/>, the budget in use below it.</summary>
    public static Task<FleetResult> WithLiveTableAsync(Func<FleetBoardStatus[]> latest, Func<AirtimeSnapshot> airtime, Func<Task<FleetResult>> run) =>
        LiveTable.RunAsync(() => Table(latest(), airtime()), run);

    /// <summary>Rows worth a line: every board of a small fleet; of a large one, the boards under way and those that failed.</summary>
    public static IEnumerable<T> Shown<T>(IReadOnlyList<T> boards, Func<T, bool> interesting) => boards.Count <= MaxRows ? boards : boards.Where(interesting);

    /// <summary>Fleets up to this size list every board in the live table.</summary>
    public const int MaxRows = 40;

    private static Table Table(FleetBoardStatus[] boards, AirtimeSnapshot airtime)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("board").AddColumn("address").AddColumn("state").AddColumn(new TableColumn("progress").RightAligned()).AddColumn(new TableColumn("time").RightAligned());
        foreach (var s in Shown(boards, b => b.State is not (FleetBoardState.Queued or FleetBoardState.Updated or FleetBoardState.Skipped)))
        {
            string state = s.State switch
            {
                FleetBoardState.Updated => "[green]updated[/]",
                FleetBoardState.Failed => $"[red]failed[/] {Markup.Escape(Printable.Of(Short(s.Error)))}",
                FleetBoardState.Retrying => $"[yellow]retrying[/] (attempt {s.Attempt + 1})",
                _ => Markup.Escape(StateName(s.State)),
            };
            long percent = s.Length == 0 ? 100 : s.BytesSent * 100 / s.Length;
            table.AddRow(Markup.Escape(Printable.Of(s.Target.Name)), Markup.Escape(s.Target.EndPoint.ToString()), state, $"{percent}%",
                s.State == FleetBoardState.Queued ? "" : $"{s.Elapsed.TotalSeconds:0.00} s");
        }
        int done = boards.Count(b => b.IsFinal);
        table.Caption($"{done} of {boards.Length} done: {boards.Count(b => b.State == FleetBoardState.Updated)} updated, {boards.Count(b => b.State == FleetBoardState.Failed)} failed\n" +
            Markup.Escape(airtime.Describe()));
        return table;
    }

    private static string Short(string? error) => error is null ? "" : error.Length <= 60 ? error : error[..57] + "...";

    /// <summary>The closing lines: counts, every failed board with its reason, then the boards that were not tried.</summary>
    public static void Summary(FleetResult result, Commands.FleetTargets targets)
    {
        Console.WriteLine();
        string cancelled = result.Cancelled > 0 ? $", {result.Cancelled} cancelled" : "";
        string skipped = targets.NotMatched > 0 ? $", {targets.NotMatched} skipped (did not match '{targets.Pattern}')" : result.Skipped > 0 ? $", {result.Skipped} skipped" : "";
        string refused = targets.Refused.Count > 0 ? $", {targets.Refused.Count} refused (no image of their family)" : "";
        Console.WriteLine($"{result.Updated} of {result.Boards.Count} boards updated, {result.Failed} failed{cancelled}{skipped}{refused}, in {result.Duration.TotalSeconds:0.00} s");
        foreach (var b in result.Boards.Where(b => b.State == FleetBoardState.Failed))
            Console.WriteLine(Printable.Of($"  failed: {b.Target.Name} ({b.Target.EndPoint}): {b.Error}"));
        foreach (var c in targets.Conflicts)
            Console.WriteLine(Printable.Of($"  not updated: {c.InstanceName}: answered from {string.Join(" and ", c.AllAddresses)} (name conflict)"));
        foreach (var b in targets.Silent)
            Console.WriteLine(Printable.Of($"  not updated: {b.Name}: known to the history, did not answer"));
        foreach (var (t, _) in targets.Refused)
            Console.WriteLine(Printable.Of($"  refused: {t.Name} ({t.EndPoint}): {(t.Family is { } f ? $"{f.Id} board, no {f.Id} image given" : "family unknown")}; nothing was sent"));
    }
}
