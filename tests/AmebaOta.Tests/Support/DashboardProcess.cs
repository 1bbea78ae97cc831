using System.Diagnostics;

namespace AmebaOta.Tests.Support;

/// <summary>
/// <c>ameba-ota dashboard</c> as a real child process (in a <see cref="PrivateNetwork"/> when given): its start-up lines give
/// the address and the per-run token. Disposing stops it with SIGTERM.
/// </summary>
public sealed class DashboardProcess : CliProcess
{
    private DashboardProcess(Process process) : base(process)
    {
    }

    /// <summary>The page's address, without the token (<c>http://127.0.0.1:8080/</c>).</summary>
    public string Url { get; private set; } = "";

    /// <summary>The link the dashboard prints: the address with <c>#token=…</c>.</summary>
    public string Link => $"{Url}#token={Token}";

    public string Token { get; private set; } = "";

    /// <summary>Starts <c>dashboard ARGS</c> and returns once it listens.</summary>
    public static async Task<DashboardProcess> StartAsync(PrivateNetwork? network, string workingDirectory, params string[] args)
    {
        var psi = Cli.StartInfo(workingDirectory, ["dashboard", .. args]);
        var dashboard = new DashboardProcess(Process.Start(network is null ? psi : network.Wrap(psi))!);
        try
        {
            string link = await dashboard.Serial.WaitForAsync(l => l.StartsWith("dashboard: http://"), "the dashboard's address line", timeout: TimeSpan.FromSeconds(30));
            link = link["dashboard: ".Length..];
            dashboard.Url = link[..link.IndexOf('#')];
            dashboard.Token = link[(link.IndexOf("#token=", StringComparison.Ordinal) + 7)..];
        }
        catch (TimeoutException e)
        {
            await dashboard.DisposeAsync();
            throw new TimeoutException($"{e.Message}\n--- stderr\n{dashboard.Notes}");
        }
        return dashboard;
    }
}
