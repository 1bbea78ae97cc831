using System.Net;
using AmebaOta.Images;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary><c>device run</c> as a real process, driven through its controls: standard input and the <c>--control</c> socket.</summary>
public class DeviceControlCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    private static async Task PrepareBoard(TempDir dir)
    {
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        Assert.Equal(0, (await Run(dir, "flash", "create", "board.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "flash", "dap", "board.bin", "v1.bin")).ExitCode);
    }

    /// <summary>The serial lines of the n-th boot (from its "Enter Image 1" to the next one or the end).</summary>
    private static string[] Boot(DeviceProcess device, int n)
    {
        var lines = device.Serial.Lines;
        var starts = lines.Select((l, i) => (l, i)).Where(p => p.l == "===== Enter Image 1 ====").Select(p => p.i).ToArray();
        int end = n < starts.Length ? starts[n] : lines.Length;
        return lines[starts[n - 1]..end];
    }

    [Fact]
    public async Task Recovery_pin_walkthrough_on_stdin_upload_v2_then_pin_18_high_and_reset_boots_v1_then_low_and_reset_boots_v2()
    {
        using var dir = new TempDir();
        await PrepareBoard(dir);
        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--no-mdns");
        int port = await device.WaitForPortAsync();

        await OtaUploader.UploadAsync(new IPEndPoint(IPAddress.Loopback, port), TestImages.Image(2, 10_000));
        await device.Serial.WaitForAsync("This is version 2");
        Assert.Contains("Flash Image2:Addr 0x80000, Len 9984, Load to SRAM 0x10006000", Boot(device, 2));

        await device.SendAsync("pin 18 high");
        await device.Notes.WaitForAsync("[virtual board] ok: pin 18 (PE_5) high: read at the next reset (reset to apply)");
        await device.SendAsync("reset");
        await device.Serial.WaitForAsync("This is version 1", 2);
        var recovered = Boot(device, 3);
        Assert.Contains("load OLD fw 0", recovered);
        Assert.Contains("Flash Image2:Addr 0xb000, Len 56, Load to SRAM 0x10006000", recovered);

        await device.SendAsync("pin 18 low");
        await device.SendAsync("reset");
        await device.Serial.WaitForAsync("This is version 2", 2);
        var again = Boot(device, 4);
        Assert.Contains("load NEW fw 1", again);
        Assert.Contains("Flash Image2:Addr 0x80000, Len 9984, Load to SRAM 0x10006000", again);

        await device.Serial.WaitForAsync("Wait for client", 4);
        await device.SendAsync("status");
        string status = await device.Notes.WaitForAsync(l => l.StartsWith("[virtual board] ok: boots 4;"), "the status reply");
        Assert.Contains("booted 0x80000 version 2 (basic); pins 18 (PE_5)=low; wifi up (connected); listening 127.0.0.1:", status);

        await device.SendAsync("quit");
        Assert.Equal(0, await device.WaitForExitAsync());
    }

    [Fact]
    public async Task Power_cut_during_an_upload_leaves_a_bootable_board_and_a_new_upload_then_succeeds()
    {
        using var dir = new TempDir();
        await PrepareBoard(dir);
        string socket = dir.File("ctl.sock");
        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--no-mdns", "--control", socket);
        int port = await device.WaitForPortAsync();
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        using var control = await ControlClient.ConnectAsync(socket);

        var v2 = TestImages.Image(2, 64 * 1024);
        using (var client = await RawClient.ConnectAsync(endPoint))
        {
            await client.SendHeaderAsync(Checksum.ByteSum(v2), (uint)v2.Length);
            await client.SendAsync(v2.AsMemory(0, 4096));
            await device.Serial.WaitForAsync("Start download");
            Assert.StartsWith("ok: power cut at the next flash operation", await control.SendAsync("power-cut"));
            try { await client.SendAsync(v2.AsMemory(4096)); } catch (System.Net.Sockets.SocketException) { /* the board died under it */ }
            await device.Serial.WaitForAsync("===== Enter Image 1 ====", 2);
        }
        await device.Notes.WaitForAsync(l => l.Contains("power cut at flash operation") && l.EndsWith("power is back on"), "the power-cut note");
        await device.Serial.WaitForAsync("Wait for client", 2);
        var afterCut = Boot(device, 2);
        Assert.Contains("load NEW fw 0", afterCut);
        Assert.Contains("Flash Image2:Addr 0xb000, Len 56, Load to SRAM 0x10006000", afterCut);
        Assert.Contains("This is version 1", afterCut);
        Assert.DoesNotContain("OTA success", device.Serial.Lines);

        await OtaUploader.UploadAsync(endPoint, v2);
        await device.Serial.WaitForAsync("This is version 2");
        Assert.StartsWith("ok: boots 3; booted 0x80000 version 2", await control.SendAsync("status"));
        Assert.Equal(0, await device.StopAsync());
        Assert.False(File.Exists(socket));
    }

    [Fact]
    public async Task Bad_commands_on_the_socket_and_stdin_get_one_line_errors_and_a_closed_stdin_does_not_stop_the_board()
    {
        using var dir = new TempDir();
        await PrepareBoard(dir);
        string socket = dir.File("ctl.sock");
        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--no-mdns", "--control", socket);
        int port = await device.WaitForPortAsync();

        await device.SendAsync("launch rockets");
        await device.Notes.WaitForAsync(l => l.StartsWith("[virtual board] error: unknown command 'launch'"), "the stdin error");
        device.CloseInput();

        using var control = await ControlClient.ConnectAsync(socket);
        foreach (var bad in new[] { "launch rockets", "pin 18", "pin 99 high", "pin 18 sideways", "wifi maybe", "reset twice", new string('z', 3000) })
        {
            string reply = await control.SendAsync(bad);
            Assert.StartsWith("error: ", reply);
        }
        await control.SendRawAsync([0xff, 0xfe, 0x00, 0x01, (byte)'\n']);
        Assert.StartsWith("error: ", await control.ReadLineAsync());

        // Still running, still answering, on the same connection and on a new one.
        Assert.StartsWith("ok: boots 1;", await control.SendAsync("status"));
        using (var second = await ControlClient.ConnectAsync(socket))
            Assert.Equal("ok: wifi down", await second.SendAsync("wifi down"));
        Assert.Contains("wifi down (not connected); not listening", await WaitForStatusAsync(control, s => s.Contains("; not listening")));
        await Assert.ThrowsAsync<OtaUploadException>(() => OtaUploader.UploadAsync(new IPEndPoint(IPAddress.Loopback, port), TestImages.Image(2)));
        Assert.Equal("ok: wifi up", await control.SendAsync("wifi up"));
        Assert.Contains("; listening 127.0.0.1:", await WaitForStatusAsync(control, s => s.Contains("; listening ")));
        await OtaUploader.UploadAsync(new IPEndPoint(IPAddress.Loopback, port), TestImages.Image(2));
        await device.Serial.WaitForAsync("This is version 2");

        Assert.Equal("ok: powering off", await control.SendAsync("quit"));
        Assert.Equal(0, await device.WaitForExitAsync());
        Assert.Contains(device.Notes.Lines, l => l.EndsWith("written back"));
    }

    /// <summary>Asks for the status until it satisfies <paramref name="done"/> (the board reopens its socket asynchronously after "wifi up").</summary>
    private static async Task<string> WaitForStatusAsync(ControlClient control, Func<string, bool> done)
    {
        for (int i = 0; i < 200; i++)
        {
            string status = await control.SendAsync("status");
            if (done(status)) return status;
            await Task.Delay(10);
        }
        throw new TimeoutException("the status never matched");
    }

    [Fact]
    public async Task A_bad_flaky_seed_or_an_unusable_control_path_is_a_one_line_error()
    {
        using var dir = new TempDir();
        await PrepareBoard(dir);
        var flaky = await Run(dir, "device", "run", "--flash", "board.bin", "--wifi-flaky", "soon");
        Assert.Equal(1, flaky.ExitCode);   // usage
        Assert.Equal("error: --wifi-flaky 'soon': the seed must be a whole number from 0 to 2147483647", flaky.Stderr.Trim());

        File.WriteAllText(dir.File("notes.txt"), "keep me");
        var taken = await Run(dir, "device", "run", "--flash", "board.bin", "--no-mdns", "--control", "notes.txt");
        Assert.NotEqual(0, taken.ExitCode);
        Assert.Single(taken.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error: "));
        Assert.Equal("keep me", File.ReadAllText(dir.File("notes.txt")));
    }

    [Fact]
    public async Task Wifi_flaky_notes_its_seed()
    {
        using var dir = new TempDir();
        await PrepareBoard(dir);
        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--no-mdns", "--wifi-flaky", "1234");
        await device.Notes.WaitForAsync("[virtual board] Wi-Fi flaky with seed 1234 (--wifi-flaky 1234 repeats it)");
        await device.Serial.WaitForAsync("Wait for client");
    }

    [Fact]
    public async Task Wifi_down_at_boot_makes_ota_basic_retry_until_wifi_up_on_stdin()
    {
        using var dir = new TempDir();
        await PrepareBoard(dir);
        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--no-mdns", "--wifi-down");
        await device.Serial.WaitForAsync("Failed. Wait 1s and retry...");
        await device.SendAsync("wifi up");
        await device.Serial.WaitForAsync("Wait for client");
        var lines = device.Serial.Lines;
        Assert.Equal(["Try to connect to yourNetwork", "Failed. Wait 1s and retry..."], lines[8..10]);
        Assert.Equal(["Connected to yourNetwork", "Wait for client"], lines[^2..]);
    }
}
