using System.Net;
using System.Net.Sockets;
using AmebaOta.Tests.Support;
using Xunit.Abstractions;

namespace AmebaOta.Tests.Safety;

/// <summary>
/// A host process killed outright (<c>kill -9</c>: an OOM kill, a CI runner's hard timeout, a crash) runs no handler: the
/// kernel closes its sockets. Every connection that carries image bytes to a board must then end with a reset, never a
/// FIN before the board has the last byte (after a FIN a stock receiver spins until reset). Each test kills a real
/// <c>ameba-ota</c> process at random points of transfers under small TCP buffers (a namespace of its own, 16 KiB) and
/// checks what the board's side of the connection saw.
/// </summary>
public sealed class KillNineTests(ITestOutputHelper output)
{
    /// <summary>Kills per test; <c>AMEBAOTA_KILLS</c> raises it for a longer campaign (BENCHMARKS.md).</summary>
    private static readonly int Kills = int.TryParse(Environment.GetEnvironmentVariable("AMEBAOTA_KILLS"), out int k) ? k : 8;

    private const int ImageSize = 400_000;

    /// <summary>About a board's pace over Wi-Fi (section 9.6 of docs/reference): 400 kB take about 2 s.</summary>
    private const double BoardRate = 200_000;

    [Fact]
    public async Task Upload_killed_at_random_points_resets_the_connection_never_a_fin_before_the_last_byte()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, ImageSize));
        using var net = await PrivateNetwork.CreateAsync();
        using var listener = net.NewTcpSocket();
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        long wire = ImageSize + 12;
        int seed = Environment.TickCount;
        var random = new Random(seed);
        var outcomes = new List<string>();
        for (int i = 0; i < Kills; i++)
        {
            long killAt = random.NextInt64(0, wire);
            await using var upload = CommandProcess.StartIn(net, dir.Path, "upload", "v2.bin", "--ip", "127.0.0.1", "--port", port.ToString());
            using var board = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var peer = new PacedPeer();
            var reading = peer.ReadToEndAsync(board, BoardRate, pauseAfter: 12, pause: TimeSpan.FromMilliseconds(200));
            await peer.WaitForAsync(killAt, reading);
            await upload.KillAsync();
            var seen = await reading;
            outcomes.Add($"killed at {peer.Read} read: {seen.Ending} after {seen.Bytes}");
            Assert.True(seen.Ending == WireCapture.Ending.Reset || seen.Bytes == wire,
                $"seed {seed}: the board saw a FIN after {seen.Bytes} of {wire} bytes (killed once it had read {killAt})\n{string.Join('\n', outcomes)}");
        }
        output.WriteLine($"upload: {Kills} kills (seed {seed}), 0 FIN before the last byte\n{string.Join('\n', outcomes)}");
    }
}
