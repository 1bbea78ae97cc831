using System.Diagnostics;
using System.Net;
using System.Text.Json;
using AmebaOta.Discovery;
using AmebaOta.Tests.Support;
using static AmebaOta.Tests.Discovery.MdnsLoopbackTests;

namespace AmebaOta.Tests.Discovery;

/// <summary>
/// Interoperability with an independent mDNS stack: Debian's python3-zeroconf under /usr/bin/python3 (installed by .ci/run),
/// pinned to 127.0.0.1. Missing python3-zeroconf is a failure with a clear message, never a silent skip.
/// </summary>
public class ZeroconfInteropTests
{
    private const string Python = "/usr/bin/python3";
    private static readonly string Helper = Path.Combine(AppContext.BaseDirectory, "Discovery", "zeroconf_helper.py");

    private static ProcessStartInfo Start(params string[] args)
    {
        if (!File.Exists(Python))
            Assert.Fail($"{Python} is missing: install Debian's python3 and python3-zeroconf (apt-get install python3-zeroconf; .ci/run does this)");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(Helper);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    private static void FailIfZeroconfMissing(int exitCode, string stderr)
    {
        if (exitCode == 2 && stderr.Contains("not installed"))
            Assert.Fail($"python3-zeroconf is required for the interop tests: apt-get install python3-zeroconf (.ci/run does this). {stderr.Trim()}");
    }

    [Fact]
    public async Task Zeroconf_resolves_our_responder_with_the_stock_txt_keys()
    {
        var name = UniqueName("ZcSees");
        await using var responder = Responder();
        await responder.StartAsync(Board(name, 5000, "127.0.0.1"));

        using var python = Process.Start(Start("resolve", name, "5000"))!;
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        FailIfZeroconfMissing(python.ExitCode, await stderr);
        Assert.True(python.ExitCode == 0, $"zeroconf exit {python.ExitCode}: {await stderr}");

        using var json = JsonDocument.Parse(await stdout);
        var root = json.RootElement;
        Assert.Equal($"{name}._arduino._tcp.local.", root.GetProperty("name").GetString());
        Assert.Equal($"{name}.local.", root.GetProperty("server").GetString());
        Assert.Equal(5000, root.GetProperty("port").GetInt32());
        Assert.Equal(["127.0.0.1"], root.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(
            new Dictionary<string, string?> { ["board"] = "ameba_rtl8195a", ["auth_upload"] = "no", ["tcp_check"] = "no", ["ssh_upload"] = "no" },
            root.GetProperty("txt").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()));
    }

    [Fact]
    public async Task Our_discover_finds_a_service_zeroconf_registers()
    {
        var name = UniqueName("PyBoard");
        using var python = Process.Start(Start("register", name, "8266", "127.0.0.1"))!;
        var stderr = python.StandardError.ReadToEndAsync();
        try
        {
            var line = await python.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
            if (line is null)
            {
                await python.WaitForExitAsync();
                FailIfZeroconfMissing(python.ExitCode, await stderr);
                Assert.Fail($"zeroconf helper ended: exit {python.ExitCode}: {await stderr}");
            }
            Assert.Equal($"registered {name}", line);

            using var dir = new TempDir();
            var result = await Support.Cli.RunAsync(dir.Path, "discover", "--interface", "127.0.0.1", "--device", name, "--timeout", "5");
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal($"{name} at 127.0.0.1 (RTL8195AM)  host {name.ToLowerInvariant()}.local  port 8266  board ameba_rtl8195a  family ameba1", result.Lines.Single());

            var list = await Support.Cli.RunAsync(dir.Path, "discover", "--interface", "lo", "--timeout", "1.5");
            Assert.Contains(list.Lines, l => l.StartsWith($"{name} at 127.0.0.1 (RTL8195AM)"));
        }
        finally
        {
            python.StandardInput.Close();
            if (!python.WaitForExit(10_000)) python.Kill();
        }
    }

    [Fact]
    public async Task Our_browser_sees_a_zeroconf_goodbye()
    {
        var name = UniqueName("PyBye");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        var browser = new MdnsBrowser(new MdnsBrowserOptions { Interface = Lo });
        await using var events = browser.WatchAsync(cts.Token).Where(e => e.Service.InstanceName == name).GetAsyncEnumerator(cts.Token);
        var next = events.MoveNextAsync();
        using var python = Process.Start(Start("register", name, "8266", "127.0.0.1"))!;
        var stderr = python.StandardError.ReadToEndAsync();
        try
        {
            if (await python.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20)) is null)
            {
                await python.WaitForExitAsync();
                FailIfZeroconfMissing(python.ExitCode, await stderr);
                Assert.Fail($"zeroconf helper ended: exit {python.ExitCode}: {await stderr}");
            }
            Assert.True(await next);
            Assert.Equal(ServiceEventKind.Appeared, events.Current.Kind);
            Assert.Equal(IPAddress.Loopback, events.Current.Service.Address);
            next = events.MoveNextAsync();
            python.StandardInput.Close();   // the helper unregisters: zeroconf sends goodbyes
            Assert.True(await next);
            Assert.Equal(ServiceEventKind.Disappeared, events.Current.Kind);
        }
        finally
        {
            python.StandardInput.Close();
            if (!python.WaitForExit(10_000)) python.Kill();
        }
    }
}
