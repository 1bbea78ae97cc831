using System.Diagnostics;
using AmebaOta.Flash;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.RealTime;

/// <summary>
/// The host against virtual boards that keep real flash time, with realistic back-pressure: each test runs its board and
/// its host in a network namespace of its own whose TCP buffers are 16 KiB (<see cref="PrivateNetwork"/>), and the board
/// offers lwIP's 2920-byte window. With the old uploader, "sent" meant "buffered by the host's kernel", a 3 s timeout gave
/// up while the board was still erasing, and the FIN it closed with left the board spinning in its download loop.
/// </summary>
public sealed class RealTimeUploadTests
{
    private const int Image480K = 480 * 1024;

    private static async Task<(TempDir Dir, PrivateNetwork Net)> PrepareAsync(int v2Size, string v2Mode = "basic")
    {
        var dir = new TempDir();
        FlashFile.Save(TestImages.ChipWith(TestImages.Image(1, mode: v2Mode == "basic" ? AmebaOta.Images.SketchMode.Basic : AmebaOta.Images.SketchMode.NonBlock)), dir.File("board.bin"));
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, v2Size));
        return (dir, await PrivateNetwork.CreateAsync());
    }

    private static DeviceProcess Board(PrivateNetwork net, TempDir dir, string timing) =>
        DeviceProcess.StartIn(net, dir.Path, "--flash", "board.bin", "--port", "0", "--no-mdns", "--flash-timing", timing);

    [Fact]
    public async Task Default_upload_of_480_KiB_to_a_typical_board_succeeds_at_real_speed_and_shows_the_erase()
    {
        var (dir, net) = await PrepareAsync(Image480K);
        using var _ = dir;
        using var __ = net;
        await using var board = Board(net, dir, "typical");
        int port = await board.WaitForPortAsync();

        var clock = Stopwatch.StartNew();
        var upload = net.CliAsync(dir.Path, TimeSpan.FromSeconds(90), "upload", "v2.bin", "--ip", "127.0.0.1", "--port", port.ToString());
        await board.Serial.WaitForAsync("Read OTA info...", timeout: TimeSpan.FromSeconds(20));
        string status = await board.StatusUntilAsync(s => s.Contains("OTA: erasing"));
        Assert.Matches(@"OTA: erasing sector \d+ of 120", status);

        var result = await upload;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("connected; board erasing ~120 sectors, about 5.4 s (up to 48 s on slow flash) before it reads the image", result.Stdout);
        Assert.Matches(@"acknowledged \d+ of 491520 bytes \(50%\)", result.Stdout);
        Assert.Matches(@"the board acknowledged 491520 bytes \+ 12-byte header in \d+\.\d s, [\d.]+ kB/s \(board erase \d+\.\d s\)", result.Stdout);
        // Datasheet typical: 120 erases (5.4 s) before the first byte is read, then 122,880 word programs (4.6 s).
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(9.5), $"the whole OTA took {clock.Elapsed}, less than the flash alone needs");

        await board.Serial.WaitForAsync("OTA success");
        await board.Serial.WaitForAsync("This is version 2");
    }

    [Fact]
    public async Task Waiting_for_the_board_costs_the_host_no_cpu_even_when_its_kernel_buffered_the_whole_image_at_once()
    {
        using var dir = new TempDir();
        FlashFile.Save(TestImages.ChipWith(TestImages.Image(1)), dir.File("board.bin"));
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, 256 * 1024));
        using var net = await PrivateNetwork.CreateAsync(tcpBuffer: 4 * 1024 * 1024);   // Linux's usual maximum: the image fits
        await using var board = Board(net, dir, "typical");
        int port = await board.WaitForPortAsync();

        var result = await net.CliAsync(dir.Path, TimeSpan.FromSeconds(60), "upload", "v2.bin", "--ip", "127.0.0.1", "--port", port.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        // About 5 s of the board erasing and writing while the host only waits for acknowledgements. A busy wait once the
        // kernel had taken the image used a whole core for all of it; start-up and JIT take most of what remains.
        Assert.True(result.Cpu < TimeSpan.FromSeconds(2.5), $"the upload used {result.Cpu} of CPU");
    }

    [Fact]
    public async Task Default_fleet_upload_of_480_KiB_to_typical_boards_succeeds()
    {
        using var dir = new TempDir();
        using var net = await PrivateNetwork.CreateAsync();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, Image480K));
        await using var farm = FarmProcess.StartIn(net, dir.Path, "--count", "3", "--image", "v1.bin", "--base-ip", "127.0.0.2", "--interface", "lo", "--flash-timing", "typical");
        await farm.WaitForAllListeningAsync(3);

        var result = await net.CliAsync(dir.Path, TimeSpan.FromSeconds(90), "fleet", "upload", "v2.bin",
            "--ip", "127.0.0.2", "--ip", "127.0.0.3", "--ip", "127.0.0.4", "--wait-reboot", "--interface", "lo");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("3 of 3 boards updated, 0 failed", result.Stdout);
        Assert.Equal(3, farm.Serial.Lines.Count(l => l.EndsWith("] This is version 2")));
    }

    [Fact]
    public async Task Default_upload_to_a_slow_board_succeeds()
    {
        var (dir, net) = await PrepareAsync(64 * 1024);
        using var _ = dir;
        using var __ = net;
        await using var board = Board(net, dir, "slow");
        int port = await board.WaitForPortAsync();

        var clock = Stopwatch.StartNew();
        var result = await net.CliAsync(dir.Path, TimeSpan.FromSeconds(90), "upload", "v2.bin", "--ip", "127.0.0.1", "--port", port.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        // Datasheet maxima: 16 erases of 400 ms before anything is read, then 16,384 word programs of 86 µs.
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(7.5), $"took {clock.Elapsed}");
        await board.Serial.WaitForAsync("This is version 2");
    }

    [Fact]
    public async Task A_short_explicit_timeout_warns_gives_up_during_the_erase_and_leaves_the_board_failed_not_hung()
    {
        var (dir, net) = await PrepareAsync(Image480K);
        using var _ = dir;
        using var __ = net;
        await using var board = Board(net, dir, "typical/4");   // 1.35 s of erase, more than the 0.5 s allowed
        int port = await board.WaitForPortAsync();

        var result = await net.CliAsync(dir.Path, TimeSpan.FromSeconds(60), "upload", "v2.bin", "--ip", "127.0.0.1", "--port", port.ToString(), "--timeout", "0.5");

        Assert.Equal(5, result.ExitCode);
        Assert.Contains("warning: a timeout of 500 ms may be too short: before it reads any image byte the board erases 120 sectors, about 5.4 s on typical flash and up to 48 s on slow flash", result.Stderr);
        Assert.Contains("(it may still have been erasing)", result.Stderr);
        Assert.Contains("the connection was reset, so the board prints \"Download fail\"", result.Stderr);
        await board.Serial.WaitForAsync("Download fail");
        await board.Serial.WaitForAsync("OTA fail");
        await board.SendAsync("status");
        string status = await board.Notes.WaitForAsync(l => l.Contains("ok: boots 1;"), "the status reply");
        Assert.DoesNotContain("hung", status);
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task An_interrupted_upload_resets_the_connection_so_the_board_fails_cleanly(string signal)
    {
        var (dir, net) = await PrepareAsync(Image480K);
        using var _ = dir;
        using var __ = net;
        await using var board = Board(net, dir, "typical/4");
        int port = await board.WaitForPortAsync();

        await using var upload = CommandProcess.StartIn(net, dir.Path, "upload", "v2.bin", "--ip", "127.0.0.1", "--port", port.ToString());
        await board.Serial.WaitForAsync("Start download", timeout: TimeSpan.FromSeconds(30));
        await upload.Serial.WaitForAsync(l => l.StartsWith("acknowledged "), "a quarter acknowledged", timeout: TimeSpan.FromSeconds(30));
        await upload.SignalAsync(signal);

        int exit = await upload.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(130, exit);
        string error = await upload.Notes.WaitForAsync(l => l.StartsWith("error: "), "the error line");
        Assert.StartsWith("error: upload interrupted after ", error);
        Assert.Contains("the connection was reset, so the board prints \"Download fail\" and \"OTA fail\" and keeps booting its old image", error);
        await board.Serial.WaitForAsync("Download fail");
        await board.Serial.WaitForAsync("OTA fail");
    }
}
