using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using AmebaOta.Device.Farm;
using AmebaOta.Images;
using AmebaOta.Fleet;
using AmebaOta.Tests.Support;
using Xunit.Abstractions;

namespace AmebaOta.Tests.Fleet;

/// <summary>
/// The airtime budget end to end: <see cref="FleetUpdater"/> with its default scheduling against a <c>device farm</c> process
/// at <c>typical</c> flash timing (real erases, real TCP, each board taking the image at its flash's pace). The budget in
/// use is measured here, independently of the scheduler, from the acknowledged bytes each board reports.
/// </summary>
public class AirtimeFleetTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Boards_start_during_the_others_erase_and_the_budget_holds_where_a_fixed_sixteen_would_exceed_it()
    {
        const int count = 40;
        const double megabits = 8;   // 1 MB/s: room for about 9 boards taking bytes at a stock board's 106 KB/s
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        string baseIp = FarmProcess.UniqueBaseIp();
        await using var farm = FarmProcess.Start(dir.Path, "--count", count.ToString(), "--image", "v1.bin", "--dir", "boards", "--base-ip", baseIp,
            "--interface", "lo", "--name-prefix", "Air" + Guid.NewGuid().ToString("n")[..5], "--flash-timing", "typical");
        await farm.WaitForAllListeningAsync(count);
        var targets = FarmAddresses.Range(IPAddress.Parse(baseIp), count)
            .Select((a, i) => new FleetTarget($"board-{i + 1}", new IPEndPoint(a, SketchDescriptor.DefaultPort))).ToList();

        var budget = megabits * 1_000_000 / 8;
        var updater = new FleetUpdater(new FleetOptions { MaxBytesPerSecond = budget, Retries = 0 });
        var clock = Stopwatch.StartNew();
        var events = new ConcurrentQueue<(double At, FleetBoardStatus Status)>();
        updater.BoardChanged += s => events.Enqueue((clock.Elapsed.TotalSeconds, s));
        var result = await updater.UpdateAsync(targets, TestImages.Image(2, 64 * 1024));

        Assert.True(result.AllUpdated, string.Join("\n", result.Boards.Where(b => b.State != FleetBoardState.Updated)));
        var timeline = events.OrderBy(e => e.At).ToList();

        // The rate in use, from the bytes each board acknowledged, over every one-second window.
        var acked = new Dictionary<string, long>();
        var moved = new List<(double At, long Bytes)>();
        foreach (var (at, s) in timeline)
        {
            long before = acked.GetValueOrDefault(s.Target.Name);
            if (s.BytesSent > before && s.State is FleetBoardState.BoardErasing or FleetBoardState.Sending)
            {
                moved.Add((at, s.BytesSent - before));
                acked[s.Target.Name] = s.BytesSent;
            }
        }
        double peak = 0;
        for (int i = 0, j = 0; i < moved.Count; i++)
        {
            while (moved[j].At <= moved[i].At - 1.0) j++;
            peak = Math.Max(peak, moved.Skip(j).Take(i - j + 1).Sum(m => m.Bytes));
        }

        // Boards under way at once, and how many of them were erasing when another one started.
        var state = new Dictionary<string, FleetBoardState>();
        int mostOpen = 0, mostErasingAtAStart = 0;
        foreach (var (_, s) in timeline)
        {
            if (s.State == FleetBoardState.Connecting)
                mostErasingAtAStart = Math.Max(mostErasingAtAStart, state.Values.Count(v => v == FleetBoardState.BoardErasing));
            state[s.Target.Name] = s.State;
            mostOpen = Math.Max(mostOpen, state.Values.Count(v => v is FleetBoardState.Connecting or FleetBoardState.BoardErasing or FleetBoardState.Sending));
        }
        var airtime = updater.Airtime.Snapshot();
        output.WriteLine($"{count} boards in {result.Duration.TotalSeconds:0.00} s; peak {peak * 8e-6:0.00} Mbit/s over a second (scheduler: {airtime.PeakBytesPerSecond * 8e-6:0.00}), " +
            $"budget {megabits} Mbit/s; at most {mostOpen} open, {airtime.PeakSending} taking bytes; {mostErasingAtAStart} erasing when one started");

        Assert.True(peak <= budget * 1.10, $"{peak * 8e-6:0.00} Mbit/s acknowledged over one second, budget {megabits} Mbit/s");
        Assert.True(airtime.PeakBytesPerSecond <= budget * 1.10);
        // A fixed 16 would never have more than 16 open, and its 16 boards taking bytes at once (1.7 MB/s) would exceed the budget.
        // How many take bytes at once is not asserted: it follows how fast they take them. On a busy host the boards (and the
        // uploader's polls) are slower, so more are admitted, and the pacing makes them share the budget (AirtimeScheduler: a
        // wrong estimate costs time, never the budget); on an idle machine about 9 take bytes at once, under load up to 18.
        Assert.True(mostOpen > 16, $"at most {mostOpen} boards under way at once");
        Assert.True(mostErasingAtAStart >= 5, $"at most {mostErasingAtAStart} boards were erasing when another started");
    }
}
