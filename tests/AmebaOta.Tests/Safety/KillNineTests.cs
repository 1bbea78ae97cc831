using System.Net;
using System.Net.Sockets;
using System.Text.Json;
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

    [Fact]
    public async Task An_amebad_upload_killed_at_random_points_resets_the_connection_too()
    {
        // The AmebaD sender goes through the same uploader: armed before it connects, whatever the family.
        using var dir = new TempDir();
        var image = AmebaDImages.OtaAll(2, ImageSize);
        File.WriteAllBytes(dir.File("OTA_All.bin"), image);
        using var net = await PrivateNetwork.CreateAsync();
        using var listener = net.NewTcpSocket();
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        long wire = image.Length + 12;
        int seed = Environment.TickCount;
        var random = new Random(seed);
        var outcomes = new List<string>();
        for (int i = 0; i < Math.Max(2, Kills / 2); i++)
        {
            long killAt = random.NextInt64(0, wire);
            await using var upload = CommandProcess.StartIn(net, dir.Path, "upload", "OTA_All.bin", "--ip", "127.0.0.1", "--port", port.ToString());
            using var board = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var peer = new PacedPeer();
            var reading = peer.ReadToEndAsync(board, BoardRate, pauseAfter: 44, pause: TimeSpan.FromMilliseconds(200));
            await peer.WaitForAsync(killAt, reading);
            await upload.KillAsync();
            var seen = await reading;
            outcomes.Add($"killed at {peer.Read} read: {seen.Ending} after {seen.Bytes}");
            Assert.True(seen.Ending == WireCapture.Ending.Reset || seen.Bytes == wire,
                $"seed {seed}: the board saw a FIN after {seen.Bytes} of {wire} bytes (killed once it had read {killAt})\n{string.Join('\n', outcomes)}");
        }
        output.WriteLine($"AmebaD upload: kills (seed {seed}), 0 FIN before the last byte\n{string.Join('\n', outcomes)}");
    }

    [Fact]
    public async Task Rollout_killed_mid_transfer_leaves_the_board_failed_cleanly_and_the_resume_marks_it_needs_reset_and_goes_on()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, 256 * 1024));
        using var net = await PrivateNetwork.CreateAsync();
        string prefix = "K" + Guid.NewGuid().ToString("n")[..5], db = dir.File("h.db");
        await using var farm = FarmProcess.StartIn(net, dir.Path, "--count", "3", "--image", "v1.bin", "--base-ip", "127.0.0.2", "--name-prefix", prefix,
            "--interface", "lo", "--flash-timing", "typical");
        await farm.WaitForAllListeningAsync(3);
        string[] rolloutArgs = ["fleet", "rollout", "v2.bin", "--match", prefix + "-*", "--interface", "lo", "--discover-timeout", "1.5", "--stages", "100%",
            "--parallel", "1", "--max-failures", "0", "--db", db, "--json"];

        long id;
        string cut;
        int seed = Environment.TickCount;
        var killAfter = TimeSpan.FromMilliseconds(new Random(seed).Next(0, 3500));   // erase (2.9 s) and part of the download (2.4 s)
        await using (var rollout = CommandProcess.StartIn(net, dir.Path, rolloutArgs))
        {
            string first = await rollout.Serial.WaitForAsync(l => l.Contains("\"state\":\"uploading\""), "the first upload", timeout: TimeSpan.FromSeconds(40));
            id = JsonDocument.Parse(rollout.Serial.Lines[0]).RootElement.GetProperty("rollout").GetInt64();
            cut = JsonDocument.Parse(first).RootElement.GetProperty("board").GetString()!;
            await farm.Serial.WaitForAsync($"[{cut}] Read OTA info...", timeout: TimeSpan.FromSeconds(20));
            await Task.Delay(killAfter);
            await rollout.KillAsync();
        }
        // The board's view: a reset, so "Download fail" and its old image; a FIN would have left it spinning, silent.
        await farm.Serial.WaitForAsync($"[{cut}] Download fail", timeout: TimeSpan.FromSeconds(30));
        await farm.Serial.WaitForAsync($"[{cut}] OTA fail");

        var resumed = await net.CliAsync(dir.Path, TimeSpan.FromSeconds(120), "fleet", "rollout", "--resume", id.ToString(), "--db", db, "--json");

        Assert.True(resumed.ExitCode == 8, $"seed {seed}, killed {killAfter.TotalMilliseconds} ms after the header\n{resumed}");
        var events = resumed.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var final = events.Where(e => e.GetProperty("event").GetString() == "board")
            .GroupBy(e => e.GetProperty("board").GetString()!).ToDictionary(g => g.Key, g => g.Last());
        Assert.Equal("needs-reset", final[cut].GetProperty("state").GetString());
        Assert.StartsWith("needs a reset (it was cut mid-transfer)", final[cut].GetProperty("error").GetString());
        Assert.Equal(2, final.Count(f => f.Value.GetProperty("state").GetString() == "success"));
        var end = events[^1];
        Assert.Equal("completed", end.GetProperty("result").GetString());
        Assert.Equal(0, end.GetProperty("failure").GetInt32());
        Assert.Equal(1, end.GetProperty("needsReset").GetInt32());
        output.WriteLine($"rollout: killed {killAfter.TotalMilliseconds} ms after {cut} took the header (seed {seed}): RST, resumed with {cut} needs-reset, 2 others updated");
    }
}
