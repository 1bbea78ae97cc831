using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AmebaOta.Discovery;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary><c>upload --wait-reboot</c>: success when the board comes back on mDNS, exit 7 when it does not.</summary>
public class WaitRebootCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    private static async Task<DeviceProcess> StartBoardAsync(TempDir dir, string name)
    {
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "1", "--name", name, "-o", "v1.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "2", "--name", name, "-o", "v2.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "flash", "create", "board.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "flash", "dap", "board.bin", "v1.bin")).ExitCode);
        var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--interface", "lo");
        await device.Serial.WaitForAsync("Wait for client");
        return device;
    }

    [Fact]
    public async Task Upload_by_address_waits_for_the_reboot_and_reports_how_long_it_took()
    {
        using var dir = new TempDir();
        string name = "Wait-" + Guid.NewGuid().ToString("n")[..6];
        await using var device = await StartBoardAsync(dir, name);
        int port = await device.WaitForPortAsync();

        // The value is optional: here the next word is the file, which must stay the file.
        var upload = await Run(dir, "upload", "--wait-reboot", "v2.bin", "-i", "127.0.0.1", "-p", port.ToString(), "--interface", "lo");

        Assert.True(upload.ExitCode == 0, upload.ToString());
        // Alone, --wait-reboot allows the whole slow-flash OTA of this image (one sector) plus 30 s for the reboot.
        Assert.Contains("waiting up to 30 s for the board to reboot", upload.Stdout);
        Assert.Matches(@"the board rebooted: it announced itself again \d+\.\d\d s after the upload", upload.Stdout);
        // What the announcement proves, and what it does not: a board back on its old image announces itself just the same.
        Assert.Contains("which image it booted does not show on the network: its serial output says", upload.Stdout);
        await device.Serial.WaitForAsync("This is version 2");
    }

    [Fact]
    public async Task Upload_by_name_with_json_reports_the_reboot()
    {
        using var dir = new TempDir();
        string name = "WaitJ-" + Guid.NewGuid().ToString("n")[..6];
        await using var device = await StartBoardAsync(dir, name);

        var upload = await Run(dir, "upload", "v2.bin", "--device", name, "--interface", "lo", "--wait-reboot", "15", "--json");

        Assert.True(upload.ExitCode == 0, upload.ToString());
        using var json = JsonDocument.Parse(upload.Stdout);
        var reboot = json.RootElement.GetProperty("reboot");
        Assert.True(reboot.GetProperty("rebooted").GetBoolean());
        Assert.True(reboot.GetProperty("probeSeen").GetBoolean());
        Assert.False(reboot.GetProperty("newImageConfirmed").GetBoolean());   // never claimed: a stock board does not tell
        Assert.InRange(reboot.GetProperty("elapsedMs").GetDouble(), 0, 15000);
    }

    [Fact]
    public async Task A_virtual_board_whose_ota_fails_stays_on_its_old_image_and_the_wait_exits_7()
    {
        using var dir = new TempDir();
        string name = "WaitF-" + Guid.NewGuid().ToString("n")[..6];
        await using var device = await StartBoardAsync(dir, name);
        int port = await device.WaitForPortAsync();
        // An image signed "old": the board cannot program "new" over it, prints "Put signature fail" and does not reboot.
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "3", "--name", name, "-o", "v3.bin")).ExitCode);
        var bytes = File.ReadAllBytes(dir.File("v3.bin"));
        BitConverter.GetBytes(0x35393130u).CopyTo(bytes, 8);
        BitConverter.GetBytes(0x31313738u).CopyTo(bytes, 12);
        File.WriteAllBytes(dir.File("v3.bin"), bytes);

        var upload = await Run(dir, "upload", "v3.bin", "-i", "127.0.0.1", "-p", port.ToString(), "--force", "--interface", "lo", "--wait-reboot", "2");

        Assert.Equal(7, upload.ExitCode);
        Assert.Contains("error:", upload.Stderr);
        await device.Serial.WaitForAsync("OTA failed!!");
        Assert.Contains("Put signature fail", device.Serial.Lines);
        Assert.DoesNotContain("This is version 3", device.Serial.Lines);
    }

    [Fact]
    public async Task A_board_that_takes_the_image_but_never_reboots_exits_7_even_while_it_answers_queries()
    {
        using var dir = new TempDir();
        string name = "Stuck-" + Guid.NewGuid().ToString("n")[..6];
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "2", "-o", "v2.bin")).ExitCode);
        // A "board" that reads the upload, stays advertised and answers every query, but never reboots.
        using var sink = new TcpListener(IPAddress.Loopback, 0);
        sink.Start();
        int port = ((IPEndPoint)sink.LocalEndpoint).Port;
        var drained = Task.Run(async () =>
        {
            using var client = await sink.AcceptTcpClientAsync();
            await client.GetStream().CopyToAsync(Stream.Null);
        });
        // One announcement only, so that all of its (re)announcing is over before the upload starts.
        await using var responder = new MdnsResponder(new MdnsResponderOptions { Interface = "lo", AnnouncementCount = 1 });
        await responder.StartAsync(new ServiceAdvertisement(name, name, IPAddress.Loopback, (ushort)port, ArduinoService.StockTxt));

        var upload = Run(dir, "upload", "v2.bin", "--device", name, "--interface", "lo", "--wait-reboot", "2");
        await drained;
        var browsed = await BoardResolver.ResolveAsync(name, "lo", TimeSpan.FromSeconds(3));   // someone browses meanwhile
        var result = await upload;

        Assert.NotNull(browsed);
        Assert.Equal(7, result.ExitCode);
        Assert.Contains("error: the board did not announce itself again within 2 s after the upload", result.Stderr);
        Assert.Contains("bytes + 12-byte header", result.Stdout);
    }

    [Fact]
    public async Task A_wait_that_is_not_a_positive_number_of_seconds_is_a_usage_error()
    {
        using var dir = new TempDir();
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "2", "-o", "v2.bin")).ExitCode);
        var upload = await Run(dir, "upload", "v2.bin", "-i", "127.0.0.1", "--wait-reboot", "0");
        Assert.Equal(1, upload.ExitCode);
        Assert.Equal("error: --wait-reboot takes a number of seconds above 0 and at most 3600, not 0", upload.Stderr.TrimEnd());
    }
}
