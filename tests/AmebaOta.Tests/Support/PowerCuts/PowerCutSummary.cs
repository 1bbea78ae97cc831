namespace AmebaOta.Tests.Support.PowerCuts;

/// <summary>
/// Collects the one-line summaries of every campaign run in this test process; with <c>AMEBAOTA_POWER_CUT_SUMMARY</c> set to
/// a file path, each line is also appended there (<c>bench/power-cuts-exhaustive.sh</c> prints that file).
/// </summary>
public static class PowerCutSummary
{
    private static readonly Lock Gate = new();

    /// <summary>Adds the report's summary line.</summary>
    public static void Record(PowerCutReport report)
    {
        if (Environment.GetEnvironmentVariable("AMEBAOTA_POWER_CUT_SUMMARY") is not { Length: > 0 } path) return;
        lock (Gate) File.AppendAllText(path, report.Summary + Environment.NewLine);
    }
}
