namespace AmebaOta.Cli.Dashboard;

/// <summary>Opens the history the dashboard records to and reads from.</summary>
public static class DashboardHistory
{
    /// <summary>The history at <paramref name="database"/> (null: the default place), or none; a problem is one warning, never a failure.</summary>
    public static IDashboardHistory Open(string? database, Action<string> warn) =>
        new NoHistory("no history database in this build: the history view stays empty");
}
