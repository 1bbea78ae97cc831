using System.Diagnostics;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Recipes;

/// <summary>
/// The fault campaigns under bench/campaigns keep working: each runs a few rounds against a real `device run` board (this
/// test process is already inside the private namespace) and reports no crash, no unbootable board, nothing lost.
/// </summary>
public class FaultCampaignScriptTests
{
    private static async Task<string> RunAsync(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(RepoFiles.Path($"bench/campaigns/{script}"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["AMEBAOTA_CLI"] = Support.Cli.DllPath;
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        string output = await stdout;
        Assert.True(process.ExitCode == 0, $"{script} exited {process.ExitCode}\n{output}\n{await stderr}");
        return output;
    }

    [Fact]
    public async Task Receiver_fuzz_reports_no_crash_no_unbootable_board_nothing_lost()
    {
        string output = await RunAsync("fuzz_receiver.py", "12", "7");
        Assert.Contains("tried 12 hostile sessions, crashed 0, unbootable 0, lost 0", output);
    }

    [Fact]
    public async Task Power_cuts_during_uploads_never_boot_a_half_written_image()
    {
        string output = await RunAsync("power_cuts.py", "10", "7");
        Assert.Contains("tried 10, crashed 0, unbootable 0, booted a half-written image 0, lost 0", output);
    }

    [Fact]
    public async Task The_soak_updates_every_time_and_samples_rss()
    {
        string output = await RunAsync("soak.py", "50", "16K");
        Assert.Contains("tried 50, updated 50, crashed 0, unbootable 0, lost 0", output);
        Assert.Matches(@"RSS every 50 updates \(MiB\): [\d.]+ [\d.]+", output);
    }
}
