namespace AmebaOta.Cli.Dashboard;

/// <summary>A request the dashboard turns down, with the HTTP status and the one line the page shows (as the CLI would say it).</summary>
public sealed class DashboardError(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
