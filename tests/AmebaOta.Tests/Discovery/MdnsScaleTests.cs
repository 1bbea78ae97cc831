using System.Net;
using System.Text.Json;
using AmebaOta.Discovery;
using AmebaOta.Tests.Support;
using static AmebaOta.Tests.Discovery.MdnsLoopbackTests;

namespace AmebaOta.Tests.Discovery;

/// <summary>Hundreds of boards at once: every one found by another process, every reboot seen (issue 14: 632 of 1000 were found).</summary>
public class MdnsScaleTests
{
    private static IPAddress AddressOf(int i) => IPAddress.Parse($"127.0.{2 + (i + 100) / 256}.{(i + 100) % 256}");

    private static async Task<List<MdnsResponder>> StartBoardsAsync(string prefix, int count)
    {
        var responders = Enumerable.Range(0, count).Select(_ => Responder()).ToList();
        await Task.WhenAll(responders.Select((r, i) => r.StartAsync(Board($"{prefix}-{i:000}", 5000, AddressOf(i).ToString()))));
        return responders;
    }

    private static async Task StopAllAsync(IEnumerable<MdnsResponder> responders)
    {
        foreach (var r in responders) await r.DisposeAsync();
    }

    [Fact]
    public async Task Discover_in_another_process_finds_every_one_of_300_boards_in_one_window()
    {
        var prefix = UniqueName("Many");
        var boards = await StartBoardsAsync(prefix, 300);
        try
        {
            using var dir = new TempDir();
            var result = await Support.Cli.RunAsync(dir.Path, "discover", "--interface", "lo", "--timeout", "3", "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            using var json = JsonDocument.Parse(result.Stdout);
            var ours = json.RootElement.EnumerateArray()
                .Where(b => b.GetProperty("name").GetString()!.StartsWith(prefix))
                .ToDictionary(b => b.GetProperty("name").GetString()!, b => b.GetProperty("address").GetString());
            Assert.Equal(300, ours.Count);
            Assert.Equal(AddressOf(123).ToString(), ours[$"{prefix}-123"]);
        }
        finally
        {
            await StopAllAsync(boards);
        }
    }

    [Fact]
    public async Task A_watcher_sees_every_one_of_200_boards_that_reboot_at_the_same_moment()
    {
        var prefix = UniqueName("Rb");
        var boards = await StartBoardsAsync(prefix, 200);
        try
        {
            await using var watcher = new RebootWatcher("lo");
            var watches = boards.Select((_, i) => i % 2 == 0
                ? watcher.Watch($"{prefix}-{i:000}")
                : watcher.Watch(new IPEndPoint(AddressOf(i), 5000))).ToList();
            foreach (var w in watches) w.UploadFinished();
            await Task.WhenAll(boards.Select(async (r, i) =>
            {
                await r.SilenceAsync();
                await r.StartAsync(Board($"{prefix}-{i:000}", 5000, AddressOf(i).ToString()));
            }));
            var results = await Task.WhenAll(watches.Select(w => w.WaitAsync(TimeSpan.FromSeconds(20))));
            Assert.Equal(200, results.Count(r => r.Rebooted && r.ProbeSeen));
            foreach (var w in watches) w.Dispose();
        }
        finally
        {
            await StopAllAsync(boards);
        }
    }

    [Fact]
    public async Task The_shared_socket_gets_a_receive_buffer_for_bursts()
    {
        await using var transport = new MdnsTransport(MdnsInterface.Resolve("lo"), _ => { }, MdnsInterest.None);
        {
            int rmemMax = int.Parse(File.ReadAllText("/proc/sys/net/core/rmem_max").Trim());
            // Linux doubles what it grants; without CAP_NET_ADMIN it caps the request at rmem_max.
            int floor = 2 * Math.Min(MdnsSocket.WantedReceiveBuffer, rmemMax);
            Assert.True(transport.Socket.ReceiveBufferBytes >= floor, $"{transport.Socket.ReceiveBufferBytes} bytes, want at least {floor}");
        }
    }
}
