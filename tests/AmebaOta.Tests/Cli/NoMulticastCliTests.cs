using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary>
/// <c>device run</c> and <c>device farm</c> where <c>lo</c> has no multicast, as on a stock machine outside a namespace (here:
/// a namespace of the test's own whose <c>lo</c> is up without the MULTICAST flag): one line saying what to do, before
/// anything boots; and the suggested <c>--no-mdns</c> does run the board.
/// </summary>
public class NoMulticastCliTests
{
    /// <summary>The CLI inside a fresh network namespace whose lo is up but carries no multicast.</summary>
    private static Task<CliResult> RunWithoutMulticast(TempDir dir, params string[] args) =>
        ShellRun.RunAsync("unshare", ["--net", "--", "sh", "-c", "ip link set lo up && exec \"$@\"", "sh", "dotnet", Support.Cli.DllPath, .. args],
            dir.Path, timeout: TimeSpan.FromSeconds(60));

    private static async Task PrepareAsync(TempDir dir)
    {
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "create", "board.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "dap", "board.bin", "v1.bin")).ExitCode);
    }

    [Fact]
    public async Task Device_run_fails_before_booting_and_says_what_to_do()
    {
        using var dir = new TempDir();
        await PrepareAsync(dir);

        var run = await RunWithoutMulticast(dir, "device", "run", "--flash", "board.bin", "--no-stdin", "--flash-timing", "instant");

        Assert.Equal(9, run.ExitCode);
        Assert.Equal("", run.Stdout);   // no boot log
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: mDNS needs multicast on lo, which is off here (no multicast-capable interface has address 127.0.0.1); ", line);
        Assert.Matches($@"\(from a clone of AmebaOta: scripts/netns-run \S*dotnet {System.Text.RegularExpressions.Regex.Escape(Support.Cli.DllPath)} device run --flash board.bin --no-stdin --flash-timing instant\)", line);
        Assert.Contains("ip link set lo multicast on", line);
        Assert.EndsWith("or add --no-mdns to only listen on the port", line);
    }

    [Fact]
    public async Task Device_run_with_no_mdns_boots_there()
    {
        using var dir = new TempDir();
        await PrepareAsync(dir);
        var psi = new System.Diagnostics.ProcessStartInfo("unshare")
        {
            WorkingDirectory = dir.Path, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "--net", "--", "sh", "-c", "ip link set lo up && exec \"$@\"", "sh", "dotnet", Support.Cli.DllPath,
                     "device", "run", "--flash", "board.bin", "--no-mdns", "--flash-timing", "instant" }) psi.ArgumentList.Add(a);
        using var board = System.Diagnostics.Process.Start(psi)!;
        try
        {
            var timeout = TimeSpan.FromSeconds(30);
            while (await board.StandardOutput.ReadLineAsync().WaitAsync(timeout) is { } line && line != "Wait for client") { }
            await board.StandardInput.WriteLineAsync("quit");
            await board.StandardInput.FlushAsync();
            await board.WaitForExitAsync().WaitAsync(timeout);
            Assert.Equal(0, board.ExitCode);
        }
        finally
        {
            if (!board.HasExited) board.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Device_farm_fails_before_booting_and_says_what_to_do()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));

        var farm = await RunWithoutMulticast(dir, "device", "farm", "--count", "2", "--image", "v1.bin", "--flash-timing", "instant");

        Assert.Equal(9, farm.ExitCode);
        Assert.Equal("", farm.Stdout);
        var line = Assert.Single(farm.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: mDNS needs multicast on lo, which is off here (no multicast-capable interface has address 127.0.0.2); ", line);
        Assert.Matches(@"scripts/netns-run \S*dotnet \S+ device farm --count 2 --image v1.bin --flash-timing instant\)", line);
        Assert.DoesNotContain("--no-mdns", line);   // a farm has no such option
        Assert.False(Directory.Exists(dir.File("boards")), "no flash file was created");
    }
}
