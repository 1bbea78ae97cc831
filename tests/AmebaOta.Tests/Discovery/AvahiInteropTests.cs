using System.Diagnostics;
using System.Text.Json;

namespace AmebaOta.Tests.Discovery;

/// <summary>
/// Interoperability with the system mDNS daemon: Debian's avahi-daemon (installed by .ci/run), started by
/// <c>avahi_helper.sh</c> in a nested loopback-only namespace with its own D-Bus, against the real CLI. avahi drops
/// packets whose source is 0.0.0.0, which is what our packets had on a loopback-only host before the interface was chosen
/// by address. A missing avahi is a failure with a clear message, never a silent skip.
/// </summary>
public class AvahiInteropTests
{
    private static readonly string Helper = Path.Combine(AppContext.BaseDirectory, "Discovery", "avahi_helper.sh");

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunHelperAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Helper);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        var result = (process.ExitCode, await stdout, await stderr);
        if (result.ExitCode == 3) Assert.Fail($"the system mDNS daemon case needs avahi: {result.Item3.Trim()}");
        if (result.ExitCode == 4) Assert.Fail($"avahi_helper.sh could not create its private namespaces (needs root or a user namespace): {result.Item3.Trim()}");
        return result;
    }

    [Fact]
    public async Task Avahi_resolves_a_board_our_responder_advertises_from_its_own_address()
    {
        var name = MdnsLoopbackTests.UniqueName("AvSees");
        var (exit, stdout, stderr) = await RunHelperAsync("browse", Support.Cli.DllPath, name, "127.0.0.9");
        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        // =;lo;IPv4;NAME;_arduino._tcp;local;HOST;ADDRESS;PORT;TXT
        var fields = stdout.Trim().Split(';');
        Assert.Equal(name, fields[3]);
        Assert.Equal($"{name}.local", fields[6]);
        Assert.Equal("127.0.0.9", fields[7]);
        Assert.Equal("5000", fields[8]);
        Assert.Contains("\"board=ameba_rtl8195a\"", fields[9]);
    }

    [Fact]
    public async Task Our_discover_finds_a_service_avahi_publishes()
    {
        var name = MdnsLoopbackTests.UniqueName("AvBoard");
        var (exit, stdout, stderr) = await RunHelperAsync("publish", Support.Cli.DllPath, name);
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(name, json.RootElement.GetProperty("name").GetString());
        Assert.Equal(5001, json.RootElement.GetProperty("port").GetInt32());
        Assert.Equal("127.0.0.1", json.RootElement.GetProperty("address").GetString());
        Assert.Equal("ameba_rtl8195a", json.RootElement.GetProperty("board").GetString());
    }
}
