using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AmebaOta.Cli.Serve;

/// <summary>Draws a <see cref="ServeProgressView"/>: a table of the boards downloading (and those just finished), and a summary line.</summary>
public static class ServeTableView
{
    public static string StateName(ServeRowState state) => state switch
    {
        ServeRowState.Sending => "sending",
        ServeRowState.WaitingForBoard => "waiting for the board",
        ServeRowState.StayedToTheEnd => "stayed to the end",
        ServeRowState.LeftEarly => "left early",
        ServeRowState.CutByFault => "cut short by --fault",
        _ => "stopped by the server",
    };

    /// <summary>The table with at most <paramref name="maxRows"/> rows (the running ones first), or just the summary line when there are none.</summary>
    public static IRenderable Render(ServeProgressView view, int maxRows)
    {
        if (view.Rows.Count == 0) return new Markup(Markup.Escape(Summary(view)));
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("board").AddColumn("protocol").AddColumn(new TableColumn("bytes").RightAligned())
            .AddColumn(new TableColumn("rate").RightAligned()).AddColumn(new TableColumn("time").RightAligned()).AddColumn("state");
        var shown = view.Rows.Where(r => r.State is ServeRowState.Sending or ServeRowState.WaitingForBoard)
            .Concat(view.Rows.Where(r => r.State is not (ServeRowState.Sending or ServeRowState.WaitingForBoard)))
            .Take(Math.Max(1, maxRows)).ToList();
        foreach (var r in shown)
        {
            long percent = r.TotalBytes == 0 ? 100 : r.Bytes * 100 / r.TotalBytes;
            table.AddRow(Markup.Escape(r.Board), Markup.Escape(r.Protocol), $"{Size(r.Bytes)} of {Size(r.TotalBytes)} ({percent}%)",
                $"{Size((long)r.BytesPerSecond)}/s", Seconds(r.Elapsed), Styled(r.State));
        }
        string more = view.Rows.Count > shown.Count ? $" ({view.Rows.Count - shown.Count} more rows not shown)" : "";
        table.Caption(Markup.Escape(Summary(view) + more));
        return table;
    }

    /// <summary>"3 downloading · finished: 47 stayed to the end, 1 left early (11.8 MiB)".</summary>
    public static string Summary(ServeProgressView view)
    {
        var f = view.Finished;
        string running = view.Running == 0 ? "no board downloading" : $"{view.Running} downloading";
        if (f.Count == 0) return running;
        string other = f.Other > 0 ? $", {f.Other} cut short or stopped" : "";
        return $"{running} · finished: {f.StayedToTheEnd} stayed to the end, {f.LeftEarly} left early{other} ({Size(f.Bytes)})";
    }

    private static string Styled(ServeRowState state) => state switch
    {
        ServeRowState.StayedToTheEnd => $"[green]{StateName(state)}[/]",
        ServeRowState.LeftEarly or ServeRowState.Stopped => $"[red]{StateName(state)}[/]",
        ServeRowState.WaitingForBoard or ServeRowState.CutByFault => $"[yellow]{StateName(state)}[/]",
        _ => StateName(state),
    };

    /// <summary>"512 B", "128.0 KiB", "1.25 MiB".</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / (1024.0 * 1024)).ToString("0.00", CultureInfo.InvariantCulture) + " MiB",
    };

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
