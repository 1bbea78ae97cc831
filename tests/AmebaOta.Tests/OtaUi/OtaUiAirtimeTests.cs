using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using AmebaOta.Cli.Commands.OtaUi;
using AmebaOta.Device.Farm;
using AmebaOta.Families;
using AmebaOta.Fleet;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Protocol.OtaUi.Server;
using AmebaOta.Protocol.Serving;
using AmebaOta.Tests.Support;
using Xunit.Abstractions;

namespace AmebaOta.Tests.OtaUi;

/// <summary>
/// OTA UI fleet runs under the airtime budget, end to end: a <c>device farm</c> process of virtual AMB82-mini boards at
/// <c>typical</c> flash timing (each reads its image at its flash's pace, erasing 4 KiB blocks as they arrive), served by the
/// CLI's Kestrel OTA UI server. The budget in use is measured here, independently of the scheduler, from what the boards
/// acknowledged on the download connections (the server's transfers read it from the sockets).
/// </summary>
public class OtaUiAirtimeTests(ITestOutputHelper output)
{
    /// <summary>Every board by address: a loaded host may bring a board's first heartbeat after the 4 s a <c>--match</c> waits; the judge waits for it.</summary>
    private static string[] Boards(string baseIp, int count) => [.. FarmAddresses.Range(IPAddress.Parse(baseIp), count).SelectMany(a => new[] { "--ip", a.ToString() })];

    [Fact]
    public async Task A_fleet_of_pulling_boards_shares_the_budget_over_every_second()
    {
        const int count = 20;
        const double megabits = 2;   // 250 KB/s: room for about 3 boards reading at an AMB82-mini's 73 KB/s
        double budget = megabits * 1_000_000 / 8;
        using var dir = new TempDir();
        var listen = OtaUiTestServer.FreeEndPoint();
        File.WriteAllBytes(dir.File("v1.bin"), Pro2TestBoard.Image(1, listen, timestamp: 1_700_000_000));
        string baseIp = FarmProcess.UniqueBaseIp();
        await using var farm = FarmProcess.Start(dir.Path, "--family", "amebapro2", "--count", count.ToString(), "--image", "v1.bin", "--base-ip", baseIp,
            "--sketch-delays", "short", "--flash-timing", "typical");
        await farm.WaitForAllListeningAsync(count);
        await using var session = await OtaUiSession.StartAsync(listen, CancellationToken.None);

        var transfers = new ConcurrentQueue<PullTransfer>();
        session.Core.Activity.Started += transfers.Enqueue;
        var samples = new ConcurrentQueue<(double At, long Acked)>();
        var clock = Stopwatch.StartNew();
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                samples.Enqueue((clock.Elapsed.TotalSeconds, transfers.Sum(t => t.BoardBytes)));
                try { await Task.Delay(10, stopSampling.Token); } catch (OperationCanceledException) { }
            }
        });

        var image = OtaUiImage.From(Pro2TestBoard.Image(2, listen, timestamp: 1_700_000_100, size: 64 * 1024 + 4), "v2.bin");
        var targets = FarmAddresses.Range(IPAddress.Parse(baseIp), count)
            .Select(a => new FleetTarget($"{a}:{OtaUiTrigger.Port}", new IPEndPoint(a, OtaUiTrigger.Port), Family: BoardFamilies.AmebaPro2)).ToList();
        var sender = session.Sender(new FleetOptions { MaxBytesPerSecond = budget, Retries = 0 });
        var result = await sender.UpdateAsync(targets, FleetImages.Served([image]));
        await stopSampling.CancelAsync();
        await sampler;

        Assert.True(result.AllUpdated, string.Join("\n", result.Boards.Where(b => b.State != FleetBoardState.Updated)));
        Assert.Equal(count, transfers.Count(t => t.StayedToTheEnd));
        var series = samples.ToList();
        double peak = 0;
        for (int i = 0, j = 0; i < series.Count; i++)
        {
            while (series[j + 1].At < series[i].At - 1.0) j++;   // series[j]: the last sample at or before the second's start
            peak = Math.Max(peak, series[i].Acked - series[j].Acked);
        }
        var airtime = sender.Airtime.Snapshot();
        output.WriteLine($"{count} boards in {result.Duration.TotalSeconds:0.00} s; peak {peak * 8e-6:0.00} Mbit/s acknowledged over a second " +
            $"(scheduler: {airtime.PeakBytesPerSecond * 8e-6:0.00}), budget {megabits} Mbit/s; at most {airtime.PeakSending} taking bytes, {airtime.PeakOpen} open; " +
            $"a board took {airtime.BoardRate / 1000:0} KB/s");

        Assert.True(peak <= budget * 1.10, $"{peak * 8e-6:0.00} Mbit/s acknowledged over one second, budget {megabits} Mbit/s");
        Assert.True(airtime.PeakBytesPerSecond <= budget * 1.10, $"the scheduler saw {airtime.PeakBytesPerSecond * 8e-6:0.00} Mbit/s");
        // The budget binds: unpaced, 20 boards reading at 73 KB/s each would take 1.4 MB/s; the run used most of the 250 KB/s.
        Assert.True(peak >= budget * 0.6, $"only {peak * 8e-6:0.00} Mbit/s used: the budget did not bind");
        Assert.Equal(count, airtime.Started);
    }

    [Fact]
    public async Task Fleet_upload_keeps_a_small_max_rate_and_by_default_downloads_more_than_sixteen_at_once()
    {
        const int count = 24;
        using var dir = new TempDir();
        var server = OtaUiTestServer.FreeEndPoint();
        File.WriteAllBytes(dir.File("v1.bin"), Pro2TestBoard.Image(1, server, timestamp: 1_700_000_000));
        File.WriteAllBytes(dir.File("v2.bin"), Pro2TestBoard.Image(2, server, timestamp: 1_700_000_100, size: 32 * 1024 + 4));
        File.WriteAllBytes(dir.File("v3.bin"), Pro2TestBoard.Image(3, server, timestamp: 1_700_000_200, size: 128 * 1024 + 4));
        string baseIp = FarmProcess.UniqueBaseIp();
        await using var farm = FarmProcess.Start(dir.Path, "--family", "amebapro2", "--count", count.ToString(), "--image", "v1.bin", "--base-ip", baseIp,
            "--sketch-delays", "short", "--flash-timing", "typical");
        await farm.WaitForAllListeningAsync(count);

        // A small budget binds: the CLI reports the budget it kept, and every board is updated.
        var paced = await Support.Cli.RunAsync(dir.Path, ["fleet", "upload", "v2.bin", .. Boards(baseIp, count), "--listen", server.ToString(),
            "--max-rate", "2", "--db", dir.File("h.db"), "--json"]);
        Assert.True(paced.ExitCode == 0, paced.ToString());
        var (updated, airtime) = Read(paced);
        Assert.Equal(count, updated);
        Assert.Equal(250_000, airtime.GetProperty("maxBytesPerSecond").GetDouble());
        double peak = airtime.GetProperty("peakBytesPerSecond").GetDouble();
        output.WriteLine($"--max-rate 2: peak {peak * 8e-6:0.00} Mbit/s, at most {airtime.GetProperty("peakSending")} taking bytes");
        Assert.True(peak <= 250_000 * 1.10, $"{peak * 8e-6:0.00} Mbit/s over one second, budget 2 Mbit/s");
        Assert.True(peak >= 250_000 * 0.6, $"only {peak * 8e-6:0.00} Mbit/s used: the budget did not bind");

        // The default budget (45 Mbit/s) has room for every board: all are triggered at once, not 16 (the fixed count before).
        int downloading = 0, most = 0;
        int seen = farm.Serial.Lines.Length;   // the lines so far belong to the first run
        var free = await Support.Cli.RunAsync(dir.Path, ["fleet", "upload", "v3.bin", .. Boards(baseIp, count), "--listen", server.ToString(),
            "--db", dir.File("h.db"), "--json"]);
        Assert.True(free.ExitCode == 0, free.ToString());
        (updated, airtime) = Read(free);
        Assert.Equal(count, updated);
        foreach (var line in farm.Serial.Lines.Skip(seen))
        {
            if (line.Contains("Download new firmware begin")) most = Math.Max(most, ++downloading);
            else if (line.Contains("flash checksum")) downloading--;
        }
        output.WriteLine($"default: at most {most} boards downloading at once (serial), {airtime.GetProperty("peakOpen")} open (scheduler)");
        Assert.True(most > 16, $"at most {most} boards downloading at once");
        Assert.True(airtime.GetProperty("peakOpen").GetInt32() > 16);
        Assert.Equal(JsonValueKind.Null, airtime.GetProperty("maxParallel").ValueKind);
    }

    private static (int Updated, JsonElement Airtime) Read(CliResult run)
    {
        var lines = run.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        int updated = lines.Count(l => l.TryGetProperty("state", out var s) && s.GetString() == "updated");
        var airtime = lines.Single(l => l.TryGetProperty("airtime", out _)).GetProperty("airtime");
        return (updated, airtime);
    }
}
