using System.Net;
using System.Text.Json;
using AmebaOta.Discovery;
using AmebaOta.Tests.Discovery;
using AmebaOta.Tests.Fleet;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Safety;

/// <summary>
/// Two mDNS answers for one instance name with different addresses (a duplicate, or an impostor that keeps the name):
/// neither <c>upload --device</c> nor <c>fleet upload --match</c> picks one silently; <c>--ip</c> says which.
/// </summary>
public sealed class NameConflictTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    /// <summary>Announces <paramref name="name"/> from two hosts, at 127.0.0.1 and 127.0.0.9, every 250 ms (neither probes nor yields the name).</summary>
    private sealed class TwoClaimants : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public TwoClaimants(string name, int port)
        {
            var claims = new[] { (Host: name + "-a", Address: IPAddress.Loopback), (Host: name + "-b", Address: IPAddress.Parse("127.0.0.9")) }
                .Select(c => new ServiceRecords(new ServiceAdvertisement(name, c.Host, c.Address, (ushort)port, ArduinoService.StockTxt), name, c.Host)).ToList();
            _loop = Task.Run(async () =>
            {
                using var socket = new RawMdnsSocket(new IPEndPoint(IPAddress.Any, 0));
                while (!_stop.IsCancellationRequested)
                {
                    foreach (var c in claims) socket.Send(c.Announcement());
                    try { await Task.Delay(250, _stop.Token); } catch (OperationCanceledException) { }
                }
            });
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task A_name_claimed_from_two_addresses_is_refused_unless_ip_says_which_then_fleet_skips_it_and_reports_the_conflict()
    {
        using var dir = new TempDir();
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "2", "-o", "v2.bin")).ExitCode);
        await using var real = await NamedBoards.StartAsync(1);   // the board at 127.0.0.1 (under its own name too)
        string name = "Dup" + Guid.NewGuid().ToString("n")[..6];
        await using var claimants = new TwoClaimants(name, real.EndPoints[0].Port);

        var refused = await Run(dir, "upload", "v2.bin", "--device", name, "--interface", "lo", "--discover-timeout", "5");
        Assert.Equal(6, refused.ExitCode);
        Assert.Contains($"'{name}' answered by mDNS from 2 addresses (", refused.Stderr);
        Assert.Contains("127.0.0.9", refused.Stderr);
        Assert.Contains("a duplicate name or an impostor; nothing was sent (give --ip ADDRESS as well", refused.Stderr);

        var fleet = await Run(dir, "fleet", "upload", "v2.bin", "--match", name, "--interface", "lo", "--discover-timeout", "1.5", "--json");
        Assert.Equal(8, fleet.ExitCode);
        var line = Assert.Single(fleet.Lines, l => l.Contains("\"board\":"));   // and the airtime line
        using (var json = JsonDocument.Parse(line))
        {
            Assert.Equal("conflict", json.RootElement.GetProperty("state").GetString());
            Assert.Contains("127.0.0.9", json.RootElement.GetProperty("address").GetString());
        }
        Assert.DoesNotContain("Start download", real.Boards[0].Serial.Lines);

        var chosen = await Run(dir, "upload", "v2.bin", "--device", name, "--ip", "127.0.0.1", "--interface", "lo", "--discover-timeout", "5");
        Assert.True(chosen.ExitCode == 0, chosen.ToString());
        Assert.Contains("--ip chose 127.0.0.1", chosen.Stdout);
        await real.Boards[0].Serial.WaitForAsync("This is version 2");
    }
}
