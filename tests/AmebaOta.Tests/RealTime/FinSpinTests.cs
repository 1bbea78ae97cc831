using System.Net;
using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.RealTime;

/// <summary>
/// What the stock receiver does when a host ends the stream with a FIN before the last byte: lwIP's read() returns 0
/// forever and the download loop spins, printing nothing, the board dead on the network, until reset. The virtual board
/// reproduces it; only the host's reset (RST) gives a clean <c>Download fail</c>.
/// </summary>
public sealed class FinSpinTests
{
    [Fact]
    public async Task A_stream_cut_with_a_fin_hangs_the_board_until_reset_then_the_old_image_boots()
    {
        using var dir = new TempDir();
        FlashFile.Save(TestImages.ChipWith(TestImages.Image(1)), dir.File("board.bin"));
        await using var board = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--no-mdns", "--flash-timing", "instant");
        int port = await board.WaitForPortAsync();
        var v2 = TestImages.Image(2, 64 * 1024);

        using (var client = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)))
        {
            await client.SendHeaderAsync(Checksum.ByteSum(v2), (uint)v2.Length);
            await client.SendAsync(v2.AsMemory(0, 20_000));
            client.Close();   // FIN, as the stock upload_ota's close() after a short write
        }

        await board.Serial.WaitForAsync("Start download");
        string status = await board.StatusUntilAsync(s => s.Contains("hung"));
        Assert.Contains("OTA: hung in the download loop at 20000 of 65536 bytes", status);
        Assert.Contains("only reset or power-cut recovers", status);

        await board.SendAsync("reset");
        await board.Serial.WaitForAsync("This is version 1", occurrence: 2);
        Assert.DoesNotContain("Download fail", board.Serial.Lines);
        Assert.DoesNotContain("OTA fail", board.Serial.Lines);
        Assert.Equal(2, board.Serial.Count("===== Enter Image 1 ===="));
        Assert.Contains("Flash Image2:Addr 0xb000, Len", board.Serial.Lines.Last(l => l.StartsWith("Flash Image2:")));
    }

    [Fact]
    public async Task A_non_block_board_hung_after_a_fin_keeps_ticking_but_stops_answering_mdns()
    {
        using var dir = new TempDir();
        var advertiser = new DeafnessRecorder();
        await using var board = new Device.BoardHarness(dir, TestImages.Image(1, mode: SketchMode.NonBlock), o => o with
        {
            Timing = new AmebaOta.Device.Sketches.SketchTiming { Tick = TimeSpan.FromMilliseconds(50) },
            AdvertiserFactory = () => advertiser,
        });
        var endPoint = await board.WaitForClientAsync();
        using (var client = await RawClient.ConnectAsync(endPoint))
        {
            await client.SendHeaderAsync(0, 4096);
            await client.SendAsync(new byte[100]);
            client.Close();
        }
        await board.Board.OtaActivity.WaitForAsync(a => a.Phase == OtaReceiverPhase.HungAfterFin).WaitAsync(TimeSpan.FromSeconds(20));

        // loop() runs at the same realtime priority as the spinning OTA thread, so time slicing keeps it ticking...
        int ticks = board.Serial.Lines.Count(l => l.StartsWith("Current system tick: "));
        await board.Serial.WaitForAsync(l => l.StartsWith("Current system tick: "), "two more ticks", ticks + 2);
        // ...while the network threads, of lower priority, starve: the responder hears nothing.
        Assert.True(advertiser.Deaf);
        Assert.DoesNotContain("Download fail", board.Serial.Lines);
    }

    [Fact]
    public async Task While_the_board_erases_its_responder_hears_nothing_and_afterwards_it_answers_again()
    {
        using var dir = new TempDir();
        var advertiser = new DeafnessRecorder();
        await using var board = new Device.BoardHarness(dir, TestImages.Image(1), o => o with
        {
            FlashTiming = FlashTiming.Typical.Faster(4),
            AdvertiserFactory = () => advertiser,
        });
        var endPoint = await board.WaitForClientAsync();
        var v2 = TestImages.Image(2, 64 * 1024);
        using var client = await RawClient.ConnectAsync(endPoint);
        await client.SendHeaderAsync(Checksum.ByteSum(v2), (uint)v2.Length);
        await board.Board.OtaActivity.WaitForAsync(a => a.Phase == OtaReceiverPhase.Erasing).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(advertiser.Deaf);
        await client.SendAsync(v2);
        await board.Serial.WaitForAsync("OTA success");
        // Deafened for the erase only: heard before (header), deaf while erasing, hearing again for the download and after.
        var runs = advertiser.Changes.Where((d, i) => i == 0 || d != advertiser.Changes[i - 1]).ToList();
        Assert.Equal([false, true, false], runs);
    }

    private sealed class DeafnessRecorder : global::AmebaOta.Discovery.IServiceAdvertiser
    {
        public bool Deaf { get; private set; }
        public List<bool> Changes { get; } = [];
        public Task<string> StartAsync(global::AmebaOta.Discovery.ServiceAdvertisement advertisement, CancellationToken cancellationToken = default) => Task.FromResult(advertisement.InstanceName);
        public Task StopAsync() => Task.CompletedTask;
        public Task SilenceAsync() => Task.CompletedTask;
        public void SetDeaf(bool deaf)
        {
            lock (Changes) Changes.Add(deaf);
            Deaf = deaf;
        }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
