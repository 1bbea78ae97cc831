using System.Runtime.CompilerServices;

namespace AmebaOta.Tests.Support;

/// <summary>
/// Every CLI process the tests start records its uploads into one throw-away database (not the user's ~/.local/share), shared by
/// the whole run, so recording is exercised by every upload test and with many writers at once. Tests that look at the history
/// pass their own <c>--db</c>.
/// </summary>
internal static class HistoryIsolation
{
    public static string SharedDatabase { get; } = Path.Combine(Path.GetTempPath(), "amebaota-tests", $"history-{Environment.ProcessId}.db");

#pragma warning disable CA2255 // a test assembly: setting the environment before any test starts a process is the point
    [ModuleInitializer]
    internal static void Isolate() => Environment.SetEnvironmentVariable("AMEBAOTA_DB", SharedDatabase);
#pragma warning restore CA2255
}
