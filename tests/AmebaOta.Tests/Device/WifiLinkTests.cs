using System.Net;
using System.Net.Sockets;
using AmebaOta.Device;
using AmebaOta.Device.Families.Ameba1.Sketches;
using AmebaOta.Discovery;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Images;
using AmebaOta.Protocol;
using AmebaOta.Tests.Discovery;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Device;

/// <summary>The Wi-Fi link model with the real mDNS responder on loopback: down means unreachable and silent; up means back and announced.</summary>
public class WifiLinkTests
{
    private static byte[] Image(uint version, string name, SketchMode mode = SketchMode.Basic) =>
        ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(version, DeviceName: name, Mode: mode, AppliesVersion1Settings: version == 1)));

    private static BoardHarness Board(TempDir dir, byte[] image, WifiNetwork wifi) =>
        new(dir, image, o => o with
        {
            Wifi = wifi,
            Timing = NonBlockSketchTests.Fast,
            AdvertiserFactory = () => MdnsLoopbackTests.Responder(),
        });

    private static async Task AssertRefusedAsync(IPEndPoint endPoint)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var e = await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync(endPoint));
        Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
    }

    [Fact]
    public async Task Wifi_down_closes_the_ota_port_and_silences_mdns_and_wifi_up_brings_both_back_without_a_line_on_serial()
    {
        string name = MdnsLoopbackTests.UniqueName("WifiBoard");
        using var dir = new TempDir();
        var wifi = new WifiNetwork();
        await using var board = Board(dir, Image(1, name), wifi);
        var endPoint = await board.WaitForClientAsync();
        await board.Mdns.WaitForAsync($"advertising {name}");
        Assert.NotNull(await BoardResolver.ResolveAsync(name, MdnsLoopbackTests.Lo, TimeSpan.FromSeconds(3)));
        int serialLines = board.Serial.Lines.Length;

        wifi.SetUp(false);
        await board.Listener.WaitForAsync("closed");
        await board.Mdns.WaitForAsync("silent");
        await AssertRefusedAsync(endPoint);
        Assert.Null(await BoardResolver.ResolveAsync(name, MdnsLoopbackTests.Lo, TimeSpan.FromMilliseconds(1200)));
        Assert.Null(board.Board.ListeningOn);
        Assert.Null(board.Board.AdvertisedName);

        wifi.SetUp(true);
        await board.Mdns.WaitForAsync($"advertising {name}", 2);
        var found = await BoardResolver.ResolveAsync(name, MdnsLoopbackTests.Lo, TimeSpan.FromSeconds(3));
        Assert.NotNull(found);
        Assert.Equal(endPoint.Port, found.Port);
        await board.Listener.WaitForAsync(l => l == $"open {endPoint}", "the listener back", 2);

        // ota_basic never printed anything about it: the SDK reconnected, the sketch is still in beginLocal.
        Assert.Equal(serialLines, board.Serial.Lines.Length);
        await OtaUploader.UploadAsync(endPoint, Image(2, name));
        await board.Serial.WaitForAsync("This is version 2");
    }

    [Fact]
    public async Task A_reset_goes_silent_without_goodbye_and_announces_again_only_a_clean_power_off_says_goodbye()
    {
        string name = MdnsLoopbackTests.UniqueName("Reboot");
        using var dir = new TempDir();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new LineLog();
        var browser = new MdnsBrowser(new MdnsBrowserOptions { Interface = MdnsLoopbackTests.Lo });
        var watching = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in browser.WatchAsync(stop.Token))
                    if (e.Service.InstanceName == name) events.Add(e.Kind.ToString());
            }
            catch (OperationCanceledException) { }
        });

        var wifi = new WifiNetwork();
        var board = Board(dir, Image(1, name), wifi);
        try
        {
            await events.WaitForAsync("Appeared");
            board.Board.Reset();
            await board.Mdns.WaitForAsync("silent");
            await board.Mdns.WaitForAsync($"advertising {name}", 2);
            await board.WaitForClientAsync(2);
            Assert.Equal(["Appeared"], events.Lines);   // no goodbye: the browser never saw it leave

            await board.PowerOffAsync();
            await events.WaitForAsync("Disappeared");   // the clean power-off said goodbye
        }
        finally
        {
            await board.DisposeAsync();
            await stop.CancelAsync();
            await watching;
        }
    }

    [Fact]
    public async Task Ota_basic_with_the_access_point_down_at_boot_retries_every_second_until_it_is_up()
    {
        using var dir = new TempDir();
        var wifi = new WifiNetwork(up: false);
        await using var board = new BoardHarness(dir, TestImages.Image(1), o => o with { Wifi = wifi, Timing = NonBlockSketchTests.Fast });
        await board.Serial.WaitForAsync(BasicOtaSketch.WifiRetry, 3);
        wifi.SetUp(true);
        await board.WaitForClientAsync();
        var lines = board.Serial.Lines;
        int tryAt = Array.IndexOf(lines, "Try to connect to yourNetwork");
        Assert.True(tryAt > 0);
        Assert.All(lines[(tryAt + 1)..^2], l => Assert.Equal(BasicOtaSketch.WifiRetry, l));
        Assert.Equal(["Connected to yourNetwork", "Wait for client"], lines[^2..]);
    }

    [Fact]
    public async Task A_drop_in_the_middle_of_a_transfer_fails_it_like_a_read_error_and_the_old_image_still_boots()
    {
        using var dir = new TempDir();
        var wifi = new WifiNetwork();
        await using var board = new BoardHarness(dir, TestImages.Image(1), o => o with { Wifi = wifi });
        var endPoint = await board.WaitForClientAsync();
        var v2 = TestImages.Image(2, 64 * 1024);
        using (var client = await RawClient.ConnectAsync(endPoint))
        {
            await client.SendHeaderAsync(Checksum.ByteSum(v2), (uint)v2.Length);
            await client.SendAsync(v2.AsMemory(0, 4096));
            await board.Serial.WaitForAsync("Start download");
            wifi.SetUp(false);
            await board.Serial.WaitForAsync("OTA failed!!");
        }
        Assert.Equal(["Download fail", "OTA fail", "OTA failed!!"], board.Serial.Lines[^3..]);
        var flash = await board.PowerOffAsync();
        Assert.Equal(0xB000u, AmebaOta.Families.Ameba1.Boot.BootLoader.Boot(flash, AmebaOta.Pins.PinLevels.AllLow).Booted!.Address);
    }

    [Fact]
    public void The_flaky_pattern_is_seeded_and_stays_within_its_bounds()
    {
        var pattern = new WifiFlakiness(42);
        var first = pattern.Durations().Take(400).ToArray();
        Assert.Equal(first, new WifiFlakiness(42).Durations().Take(400));
        Assert.NotEqual(first, new WifiFlakiness(43).Durations().Take(400));
        var ups = first.Where((_, i) => i % 2 == 0).ToArray();
        var downs = first.Where((_, i) => i % 2 == 1).ToArray();
        Assert.All(ups, d => Assert.True(d >= TimeSpan.FromMilliseconds(100)));
        Assert.All(downs, d => Assert.InRange(d.TotalSeconds, 1, 5));
        Assert.InRange(ups.Average(d => d.TotalSeconds), 15, 25);   // exponential, mean 20 s
    }

    [Fact]
    public async Task The_flaky_pattern_drives_the_board_down_and_up_and_the_sketch_follows()
    {
        using var dir = new TempDir();
        var flaky = new WifiFlakiness(7) { MeanUp = TimeSpan.FromMilliseconds(150), MinDown = TimeSpan.FromMilliseconds(50), MaxDown = TimeSpan.FromMilliseconds(100) };
        await using var board = new BoardHarness(dir, TestImages.Image(1, mode: SketchMode.NonBlock),
            o => o with { WifiFlaky = flaky, Timing = NonBlockSketchTests.Fast with { WifiCheck = TimeSpan.FromMilliseconds(10) } });
        await board.Notes.WaitForAsync("Wi-Fi flaky: access point back up", 3);
        await board.Serial.WaitForAsync("Connected to yourNetwork", 2);
        Assert.Equal(1, board.Serial.Count("Wait for client"));
    }
}
