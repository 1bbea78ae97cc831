using System.Diagnostics;
using System.Net;
using AmebaOta.Device;
using AmebaOta.Device.Families.Ameba1.Sketches;
using AmebaOta.Device.Sketches;
using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Images;
using AmebaOta.Pins;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Device;

/// <summary><c>ota_non_block</c> on an in-process board with short (settable) delays: real sockets, lines awaited, no sleeps.</summary>
public class NonBlockSketchTests
{
    internal static readonly SketchTiming Fast = new()
    {
        Tick = TimeSpan.FromMilliseconds(40),
        WifiCheck = TimeSpan.FromMilliseconds(20),
        WifiRetry = TimeSpan.FromMilliseconds(20),
        OtaRetry = TimeSpan.FromMilliseconds(300),
        TimeWait = TimeSpan.Zero,
    };

    private static readonly byte[] V1 = TestImages.Image(1, mode: SketchMode.NonBlock);
    private static readonly byte[] V2 = TestImages.Image(2, 64 * 1024, mode: SketchMode.NonBlock);

    private static BoardHarness Board(TempDir dir, byte[] image, WifiNetwork? wifi = null) =>
        new(dir, image, o => o with { Timing = Fast, Wifi = wifi ?? new WifiNetwork() });

    private static bool IsTick(string line) => line.StartsWith("Current system tick: ", StringComparison.Ordinal);

    [Fact]
    public async Task Setup_prints_the_version_the_wifi_thread_connects_and_the_ota_thread_listens_while_loop_ticks()
    {
        using var dir = new TempDir();
        await using var board = Board(dir, V1);
        await board.WaitForClientAsync();
        await board.Serial.WaitForAsync(IsTick, "a tick after listening", occurrence: 3);

        var lines = board.Serial.Lines;
        Assert.Equal(
        [
            "===== Enter Image 1 ====",
            "load NEW fw 0",
            "Flash Image2:Addr 0xb000, Len 56, Load to SRAM 0x10006000",
            "No Image3",
            "Img2 Sign: RTKWin, InfaStart @ 0x10006049",
            "===== Enter Image 2 ====",
            "This is version 1",
            "",
            "WiFi is not connected. Try to connect to yourNetwork",
            "Connected to yourNetwork",
            "Wait for client",
        ], lines.Where(l => !IsTick(l)).ToArray());

        // millis() since boot, growing by about a tick each time.
        var ticks = lines.Where(IsTick).Select(l => long.Parse(l["Current system tick: ".Length..])).ToArray();
        Assert.True(ticks.Length >= 3);
        Assert.All(ticks.Zip(ticks.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"{pair.First} then {pair.Second}"));
        Assert.True(ticks[0] >= Fast.Tick.TotalMilliseconds - 5, $"the first tick comes after delay(1000): {ticks[0]}");
        // Version 1 applied its settings from the OTA thread.
        Assert.Equal(0x80000u, new SystemData(board.Board.Flash).OtaAddress);
    }

    [Fact]
    public async Task The_sketch_keeps_ticking_during_an_upload_and_then_reboots_into_version_2()
    {
        using var dir = new TempDir();
        await using var board = Board(dir, V1);
        var endPoint = await board.WaitForClientAsync();

        using (var client = await RawClient.ConnectAsync(endPoint))
        {
            await client.SendHeaderAsync(Checksum.ByteSum(V2), (uint)V2.Length);
            await client.SendAsync(V2.AsMemory(0, 8192));
            await board.Serial.WaitForAsync("Start download");
            // The main loop goes on while the OTA thread is in the middle of a download.
            int ticksSoFar = board.Serial.Lines.Count(IsTick);
            await board.Serial.WaitForAsync(IsTick, "ticks during the download", ticksSoFar + 2);
            await client.SendAsync(V2.AsMemory(8192));
            client.Close();
        }
        await board.Serial.WaitForAsync("This is version 2");
        await board.WaitForClientAsync(2);

        var lines = board.Serial.Lines;
        int connected = Array.FindIndex(lines, l => l.StartsWith("Client connected. IP:127.0.0.1 port:", StringComparison.Ordinal));
        int success = Array.IndexOf(lines, "OTA success");
        Assert.True(connected > 0 && success > connected);
        Assert.True(lines[connected..success].Count(IsTick) >= 2, string.Join('\n', lines[connected..success]));
        Assert.Equal(["Read OTA info...", "Start download", "OTA success"], lines[(connected + 1)..(success + 1)].Where(l => l != "" && !IsTick(l)));
        Assert.Equal(["===== Enter Image 1 ====", "load NEW fw 1", $"Flash Image2:Addr 0x80000, Len {V2.Length - 16}, Load to SRAM 0x10006000"],
            lines[(success + 1)..(success + 4)]);
    }

    [Fact]
    public async Task The_ota_thread_is_created_exactly_once_across_five_wifi_drops_and_an_upload_still_works()
    {
        using var dir = new TempDir();
        var wifi = new WifiNetwork();
        await using var board = Board(dir, V1, wifi);
        await board.WaitForClientAsync();
        const string notConnected = "WiFi is not connected. Try to connect to yourNetwork";

        for (int drop = 1; drop <= 5; drop++)
        {
            wifi.SetUp(false);
            await board.Serial.WaitForAsync(notConnected, drop + 1);
            await board.Serial.WaitForAsync(BasicOtaSketch.WifiRetry, drop);   // one failed WiFi.begin at least
            await board.Listener.WaitForAsync("closed", drop);                 // unreachable while down
            wifi.SetUp(true);
            await board.Serial.WaitForAsync("Connected to yourNetwork", drop + 1);
            await board.Listener.WaitForAsync(l => l.StartsWith("open "), "the listener back", drop + 1);
        }

        // One OTA thread: one "Wait for client", the settings written once, the receiver still the first one.
        Assert.Equal(1, board.Serial.Count("Wait for client"));
        Assert.Equal(6, board.Serial.Count("Connected to yourNetwork"));
        Assert.DoesNotContain("OTA fail", board.Serial.Lines);
        Assert.Equal(1, board.Board.BootCount);

        await OtaUploader.UploadAsync(board.Board.ListeningOn!, V2);
        await board.Serial.WaitForAsync("This is version 2");
    }

    [Fact]
    public async Task A_failed_attempt_prints_Retry_OTA_after_10s_and_listens_again_after_the_retry_interval()
    {
        using var dir = new TempDir();
        await using var board = Board(dir, V1);
        var endPoint = await board.WaitForClientAsync();

        var clock = Stopwatch.StartNew();
        using (var client = await RawClient.ConnectAsync(endPoint))
        {
            await client.SendHeaderAsync(0, 0);
            client.Close();
        }
        await board.Serial.WaitForAsync(NonBlockOtaSketch.RetryOta);
        var retryAt = clock.Elapsed;
        var again = await board.WaitForClientAsync(2);
        Assert.True(clock.Elapsed - retryAt >= Fast.OtaRetry - TimeSpan.FromMilliseconds(20), $"listened again after {(clock.Elapsed - retryAt).TotalMilliseconds} ms");

        var withoutTicks = board.Serial.Lines.Where(l => !IsTick(l)).ToArray();
        int fail = Array.IndexOf(withoutTicks, "OTA image len is 0");
        Assert.Equal(["OTA image len is 0", "OTA fail", "Retry OTA after 10s", "Wait for client"], withoutTicks[fail..(fail + 4)]);
        Assert.Equal(1, board.Board.BootCount);

        await OtaUploader.UploadAsync(again, V2);
        await board.Serial.WaitForAsync("This is version 2");
        var flash = await board.PowerOffAsync();
        Assert.Equal(0x80000u, BootLoader.Boot(flash, PinLevels.AllLow).Booted!.Address);
    }

    [Fact]
    public async Task After_the_board_closes_first_its_port_is_in_time_wait_and_each_retry_prints_bind_fail_until_it_expires()
    {
        using var dir = new TempDir();
        var timing = Fast with { OtaRetry = TimeSpan.FromMilliseconds(100), TimeWait = TimeSpan.FromMilliseconds(800) };
        await using var board = new BoardHarness(dir, V1, o => o with { Timing = timing });
        var endPoint = await board.WaitForClientAsync();

        // The host keeps its end open: the board reads "length 0", fails and closes first.
        using var client = await RawClient.ConnectAsync(endPoint);
        await client.SendHeaderAsync(0, 0);
        await board.Serial.WaitForAsync("OTA fail");
        var clock = Stopwatch.StartNew();
        await board.Serial.WaitForAsync("Bind fail");
        await board.WaitForClientAsync(2);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(700), $"listened again after {clock.ElapsedMilliseconds} ms");
        var lines = board.Serial.Lines.Where(l => !IsTick(l)).ToArray();
        int first = Array.IndexOf(lines, "Bind fail");
        Assert.Equal(["Bind fail", "OTA fail", "Retry OTA after 10s"], lines[first..(first + 3)]);
    }

    [Fact]
    public async Task With_the_access_point_down_at_boot_the_wifi_thread_retries_every_interval_until_it_is_up()
    {
        using var dir = new TempDir();
        var wifi = new WifiNetwork(up: false);
        await using var board = Board(dir, V1, wifi);
        await board.Serial.WaitForAsync(BasicOtaSketch.WifiRetry, 3);
        Assert.Empty(board.Listener.Lines);
        wifi.SetUp(true);
        await board.WaitForClientAsync();
        var withoutTicks = board.Serial.Lines.Where(l => !IsTick(l)).SkipWhile(l => l != "WiFi is not connected. Try to connect to yourNetwork").ToArray();
        Assert.Equal(1, withoutTicks.Count(l => l.StartsWith("WiFi is not connected", StringComparison.Ordinal)));
        Assert.All(withoutTicks[1..^2], l => Assert.Equal(BasicOtaSketch.WifiRetry, l));
        Assert.Equal(["Connected to yourNetwork", "Wait for client"], withoutTicks[^2..]);
    }

    [Fact]
    public async Task A_power_cut_in_the_ota_thread_reboots_the_whole_board_into_the_old_image()
    {
        using var dir = new TempDir();
        await using var board = Board(dir, V1);
        var endPoint = await board.WaitForClientAsync();
        using (var client = await RawClient.ConnectAsync(endPoint))
        {
            await client.SendHeaderAsync(Checksum.ByteSum(V2), (uint)V2.Length);
            await client.SendAsync(V2.AsMemory(0, 4096));
            await board.Serial.WaitForAsync("Start download");
            Assert.True(board.Board.PowerCut());
            try { await client.SendAsync(V2.AsMemory(4096)); } catch (System.Net.Sockets.SocketException) { }
            await board.WaitForClientAsync(2);
        }
        Assert.Contains(board.Notes.Lines, l => l.EndsWith("power is back on"));
        Assert.Equal(2, board.Serial.Count("This is version 1"));
        Assert.Equal(2, board.Board.BootCount);
        await board.Serial.WaitForAsync(IsTick, "ticks after the power cut", board.Serial.Lines.Count(IsTick) + 1);
    }
}
