using System.Text.Json;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary>The whole host workflow by name: the board advertises by mDNS on lo, <c>discover</c> and <c>upload --device</c> find it.</summary>
public class UploadByNameCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    /// <summary>v1.bin and v2.bin of a sketch advertising <paramref name="name"/>, and board.bin booting v1.</summary>
    private static async Task ImagesAndFlashAsync(TempDir dir, string name)
    {
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "1", "--name", name, "-o", "v1.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "2", "--name", name, "-o", "v2.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "flash", "create", "board.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "flash", "dap", "board.bin", "v1.bin")).ExitCode);
    }

    [Fact]
    public async Task Upload_by_device_name_updates_the_board_and_it_announces_itself_again_after_the_reboot()
    {
        using var dir = new TempDir();
        string name = "E2E-" + Guid.NewGuid().ToString("n")[..6];
        await ImagesAndFlashAsync(dir, name);

        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--interface", "lo");
        int port = await device.WaitForPortAsync();
        await device.Serial.WaitForAsync("Wait for client");

        var found = await Run(dir, "discover", "--device", name, "--interface", "lo", "--json", "--timeout", "5");
        Assert.True(found.ExitCode == 0, found.ToString());
        using (var json = JsonDocument.Parse(found.Stdout))
        {
            Assert.Equal("127.0.0.1", json.RootElement.GetProperty("address").GetString());
            Assert.Equal(port, json.RootElement.GetProperty("port").GetInt32());
            Assert.Equal($"{name} at 127.0.0.1 (Ameba RTL8195A)", json.RootElement.GetProperty("label").GetString());
        }

        var upload = await Run(dir, "upload", "v2.bin", "--device", name, "--interface", "lo", "--discover-timeout", "5");
        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Contains($"found {name} at 127.0.0.1 (Ameba RTL8195A), OTA port {port}", upload.Stdout);
        await device.Serial.WaitForAsync("This is version 2");
        await device.Serial.WaitForAsync("Wait for client", 2);

        // After the reboot the board advertises again, and is found by name.
        var again = await Run(dir, "discover", "--device", name, "--interface", "lo", "--timeout", "5");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"{name} at 127.0.0.1", again.Stdout);
    }

    [Fact]
    public async Task Upload_to_a_device_name_nobody_answers_exits_6_without_connecting_anywhere()
    {
        using var dir = new TempDir();
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "2", "-o", "v2.bin")).ExitCode);
        var upload = await Run(dir, "upload", "v2.bin", "--device", "Nobody-" + Guid.NewGuid().ToString("n")[..6], "--interface", "lo", "--discover-timeout", "0.5");
        Assert.Equal(6, upload.ExitCode);
        Assert.StartsWith("error: no board named 'Nobody-", upload.Stderr);
        Assert.Single(upload.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Device_with_an_ip_it_does_not_answer_from_sends_nothing()
    {
        using var dir = new TempDir();
        string name = "E2E-" + Guid.NewGuid().ToString("n")[..6];
        await ImagesAndFlashAsync(dir, name);
        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--interface", "lo");
        await device.WaitForPortAsync();
        await device.Serial.WaitForAsync("Wait for client");

        var upload = await Run(dir, "upload", "v2.bin", "--device", name, "--ip", "127.0.0.9", "--interface", "lo", "--discover-timeout", "5");
        Assert.Equal(6, upload.ExitCode);
        Assert.Contains($"'{name}' answered by mDNS from 127.0.0.1, not from 127.0.0.9", upload.Stderr);
        Assert.DoesNotContain("Start download", device.Serial.Lines);
    }
}
