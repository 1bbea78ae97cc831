using AmebaOta.Protocol;
using Spectre.Console;

namespace AmebaOta.Cli.Output;

/// <summary>How <c>upload</c> shows its progress: a Spectre.Console bar on a terminal, plain lines when redirected.</summary>
public static class UploadText
{
    public static bool UseProgressBar => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>
    /// A bar that follows the bytes the board acknowledged. Until the board has finished erasing (it reads nothing
    /// meanwhile) the bar says so, with the expected erase time, instead of sitting still.
    /// </summary>
    public static Task<OtaUploadResult> WithProgressBarAsync(string label, long length, string erasingText, Func<IProgress<OtaUploadProgress>, Task<OtaUploadResult>> upload) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(),
                new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                string erasing = Markup.Escape($"{label}: {erasingText}");
                var task = context.AddTask(erasing, maxValue: Math.Max(1, length));
                var result = await upload(new CallbackProgress<OtaUploadProgress>(p =>
                {
                    task.Description = p.Phase == OtaUploadPhase.BoardErasing ? erasing : Markup.Escape(label);
                    task.Value = p.Acknowledged;
                }));
                task.Description = Markup.Escape(label);
                task.Value = task.MaxValue;
                return result;
            });

    /// <summary>Plain lines: the erase phase once (<paramref name="erasingText"/>: the family's "board erasing ~120 sectors, about 5.4 s …"), then "acknowledged 131072 of 524288 bytes (25%)" at every quarter.</summary>
    public static IProgress<OtaUploadProgress> PlainLines(long length, string erasingText)
    {
        int lastQuarter = 0;
        bool erasingSaid = false;
        return new CallbackProgress<OtaUploadProgress>(p =>
        {
            if (!erasingSaid)
            {
                erasingSaid = true;
                Console.WriteLine($"connected; {erasingText} before it reads the image");
            }
            int quarter = length == 0 ? 4 : (int)(p.Acknowledged * 4 / length);
            if (quarter <= lastQuarter || quarter >= 4) return;
            lastQuarter = quarter;
            Console.WriteLine($"acknowledged {p.Acknowledged} of {length} bytes ({quarter * 25}%)");
        });
    }

    /// <summary>
    /// The success line of <c>--wait-reboot</c>, saying exactly what it proves: the board went down and announced itself
    /// again after the upload. Not which image it booted: a stock board does not say, and one that lost power during the
    /// update comes back on its old image and announces itself just the same.
    /// </summary>
    public static string RebootedLine(Discovery.RebootResult reboot, string meaning) =>
        $"the board rebooted: it announced itself again {reboot.Elapsed.TotalSeconds:0.00} s after the upload{RebootSigns(reboot)}; {meaning}";

    /// <summary>" (goodbye, probe seen)": what the board did on its way down and up, for the "rebooted" line.</summary>
    public static string RebootSigns(Discovery.RebootResult reboot)
    {
        var signs = new List<string>();
        if (reboot.GoodbyeSeen) signs.Add("goodbye");
        if (reboot.ProbeSeen) signs.Add("probe");
        return signs.Count == 0 ? "" : $" ({string.Join(", ", signs)} seen)";
    }

    /// <summary>"830 ms" or "6.9 s".</summary>
    public static string Duration(TimeSpan t) => t.TotalSeconds < 1 ? $"{t.TotalMilliseconds:0} ms" : $"{t.TotalSeconds:0.0} s";

    public static string Rate(long bytes, TimeSpan duration)
    {
        if (duration.TotalSeconds <= 0) return "";
        double perSecond = bytes / duration.TotalSeconds;
        return perSecond >= 1e6 ? $", {perSecond / 1e6:0.0} MB/s" : $", {perSecond / 1e3:0.0} kB/s";
    }
}
