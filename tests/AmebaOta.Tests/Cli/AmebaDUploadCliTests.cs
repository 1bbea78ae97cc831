using System.Text.Json;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary>
/// <c>upload</c> to a virtual AmebaD (<c>device run</c> on an AmebaD flash file, OTA_Basic with its real delays: 10 s for
/// Wi-Fi, 3 s for mDNS), everything a process on loopback: the board advertises 5000 and listens on 8082 at an address of
/// its own, the host finds it by name and sends to 8082.
/// </summary>
public sealed class AmebaDUploadCliTests
{
    private static readonly TimeSpan Boot = TimeSpan.FromSeconds(60);
    private const string Waiting = "Waiting for client ...";

    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    private static async Task Ok(TempDir dir, params string[] args)
    {
        var result = await Run(dir, args);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    /// <summary>A board at an address of its own (port 8082 is the same for every AmebaD board), running version 1 from OTA1.</summary>
    private static async Task<(string Name, string Address)> BoardFilesAsync(TempDir dir)
    {
        string name = "BW16-" + Guid.NewGuid().ToString("n")[..6];
        string address = $"127.0.{Random.Shared.Next(100, 250)}.{Random.Shared.Next(2, 250)}";
        await Ok(dir, "image", "make", "--family", "amebad", "--version", "1", "--name", name, "-o", "v1.bin");
        await Ok(dir, "image", "make", "--family", "amebad", "--version", "2", "--name", name, "--size", "200K", "-o", "v2.bin");
        await Ok(dir, "flash", "create", "--family", "amebad", "bw16.bin");
        await Ok(dir, "flash", "dap", "bw16.bin", "v1.bin");
        return (name, address);
    }

    private static DeviceProcess StartBoard(TempDir dir, string address) =>
        DeviceProcess.Start(dir.Path, "--flash", "bw16.bin", "--ip", address, "--interface", "lo");

    [Fact]
    public async Task A_km0_km4_image2_goes_to_8082_wrapped_the_board_closes_reboots_into_ota2_and_the_trap_is_named()
    {
        using var dir = new TempDir();
        var (name, address) = await BoardFilesAsync(dir);
        string db = dir.File("h.db");
        await using (var board = StartBoard(dir, address))
        {
            await board.Serial.WaitForAsync(Waiting, timeout: Boot);

            var found = await Run(dir, "discover", "--device", name, "--interface", "lo", "--timeout", "10", "--json");
            Assert.True(found.ExitCode == 0, found.ToString());
            using (var json = JsonDocument.Parse(found.Stdout))
            {
                Assert.Equal("amebad", json.RootElement.GetProperty("family").GetString());
                Assert.Equal(5000, json.RootElement.GetProperty("port").GetInt32());
                Assert.Equal(8082, json.RootElement.GetProperty("otaPort").GetInt32());
            }

            var upload = await Run(dir, "upload", "v2.bin", "--device", name, "--interface", "lo", "--discover-timeout", "10", "--wait-reboot", "--db", db);

            Assert.True(upload.ExitCode == 0, upload.ToString());
            Assert.Contains($"found {name} at {address} (ameba_rtl8721d), OTA port 8082", upload.Stdout);
            Assert.Contains("advertises port 5000 but listens on 8082", upload.Stdout);
            Assert.Contains("the km0_km4_image2.bin is sent as OTA_All.bin", upload.Stderr);
            Assert.Contains($"uploading v2.bin (amebad, {200 * 1024 + 32} bytes", upload.Stdout);
            Assert.Contains("the board closed the connection", upload.Stdout);
            Assert.Contains("the board rebooted: it announced itself again", upload.Stdout);
            Assert.Contains("note: by this history the new image is in OTA2 (1 OTA update", upload.Stdout);
            await board.Serial.WaitForAsync("OTA image(08106000) checksum ok!!!");
            await board.Serial.WaitForAsync("[MODULE_BOOT-LEVEL_INFO]:OTA2 USE");
            Assert.Equal(0, await board.StopAsync());
        }

        var history = await Run(dir, "history", "--board", name, "--json", "--db", db);
        Assert.True(history.ExitCode == 0, history.ToString());
        using (var json = JsonDocument.Parse(history.Stdout))
        {
            var only = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal("amebad", only.GetProperty("family").GetString());
            Assert.Equal("rebooted", only.GetProperty("outcome").GetString());
            Assert.Equal(8082, only.GetProperty("port").GetInt32());
        }

        // The USB-after-OTA trap: version 3 uploaded by USB goes to OTA1, and the board keeps booting version 2 in OTA2.
        await Ok(dir, "image", "make", "--family", "amebad", "--version", "3", "--name", name, "-o", "v3.bin");
        await Ok(dir, "flash", "dap", "bw16.bin", "v3.bin");
        await using (var board = StartBoard(dir, address))
        {
            await board.Serial.WaitForAsync(Waiting, timeout: Boot);
            Assert.Contains("[MODULE_BOOT-LEVEL_INFO]:OTA2 USE", board.Serial.Lines);
            Assert.DoesNotContain(board.Serial.Lines, l => l.Contains("This is version 3") || l.Contains("version 3"));

            // Over the air it goes to OTA1 and clears OTA2: the warning says why this fixes it, the note where it went.
            await Ok(dir, "image", "ota-all", "v3.bin", "-o", "OTA_All.bin");
            var upload = await Run(dir, "upload", "OTA_All.bin", "--device", name, "--interface", "lo", "--discover-timeout", "10", "--wait-reboot", "--db", db);
            Assert.True(upload.ExitCode == 0, upload.ToString());
            Assert.Contains($"by this history {name} runs from OTA2", upload.Stderr);
            Assert.Contains("a sketch uploaded over USB since then was written to OTA1 and is not running", upload.Stderr);
            Assert.Contains("note: by this history the new image is in OTA1 (2 OTA updates", upload.Stdout);
            await board.Serial.WaitForAsync("[MODULE_BOOT-LEVEL_INFO]:OTA1 USE");
        }
    }

    [Fact]
    public async Task A_checksum_error_closes_without_a_reboot_and_the_next_try_is_told_the_board_needs_a_reset()
    {
        using var dir = new TempDir();
        var (name, address) = await BoardFilesAsync(dir);
        string db = dir.File("h.db");
        await Ok(dir, "image", "ota-all", "v2.bin", "-o", "OTA_All.bin");
        var bytes = File.ReadAllBytes(dir.File("OTA_All.bin"));
        bytes[16] ^= 0x01;   // the header's checksum: the board writes the bank, then finds the sums differ
        File.WriteAllBytes(dir.File("bad.bin"), bytes);
        await using var board = StartBoard(dir, address);
        await board.Serial.WaitForAsync(Waiting, timeout: Boot);

        var refused = await Run(dir, "upload", "bad.bin", "--ip", address, "--db", db);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("is not the image's byte sum", refused.Stderr);

        var forced = await Run(dir, "upload", "bad.bin", "--ip", address, "--force", "--wait-reboot", "15", "--interface", "lo", "--db", db);
        Assert.Equal(7, forced.ExitCode);
        Assert.Contains("--force: SENDING ANYWAY", forced.Stderr);
        Assert.Contains("the board closed the connection", forced.Stdout);
        Assert.Contains("which it also does when the checksum does not match: most likely the checksum failed", forced.Stderr);
        await board.Serial.WaitForAsync(l => l.Contains("checksum error!!!"), "the checksum error");

        var again = await Run(dir, "upload", "OTA_All.bin", "--ip", address, "--db", db);
        Assert.Equal(4, again.ExitCode);
        Assert.Contains("connection refused", again.Stderr);
        Assert.Contains("nothing listens on 8082 until the board is reset", again.Stderr);
        Assert.Contains($"the last upload to {address}:8082", again.Stderr);   // never seen by discovery: known by its address
        Assert.Contains("was not seen back", again.Stderr);
    }
}
