using System.Net;
using System.Text.Json;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Flash;
using AmebaOta.Tests.Support;
using static AmebaOta.Tests.Discovery.MdnsLoopbackTests;

namespace AmebaOta.Tests.Farm;

/// <summary><c>ameba-ota device farm</c> as a real process, found and updated by the real <c>discover</c> and <c>upload</c>.</summary>
public class FarmCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    private static IPAddress Plus(string baseIp, int offset)
    {
        var bytes = IPAddress.Parse(baseIp).GetAddressBytes();
        bytes[3] = (byte)(bytes[3] + offset);
        return new IPAddress(bytes);
    }

    [Fact]
    public async Task A_farm_of_20_boards_is_found_by_one_discover_with_20_names_addresses_and_one_port()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        string prefix = UniqueName("Farm"), baseIp = FarmProcess.UniqueBaseIp();
        await using var farm = FarmProcess.Start(dir.Path, "--count", "20", "--image", "v1.bin", "--base-ip", baseIp, "--interface", "lo", "--name-prefix", prefix);
        await farm.WaitForAllListeningAsync(20);
        Assert.Contains(farm.Notes.Lines, l => l.StartsWith($"[farm] 20 boards {prefix}-001 … {prefix}-020 on {baseIp} … {Plus(baseIp, 19)}, port 5000, typical flash timing, mDNS on lo"));

        var discover = await Run(dir, "discover", "--interface", "lo", "--timeout", "1.5", "--json");
        Assert.Equal(0, discover.ExitCode);
        var ours = JsonDocument.Parse(discover.Stdout).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("name").GetString()!.StartsWith(prefix + "-"))
            .Select(e => (Name: e.GetProperty("name").GetString()!, Address: e.GetProperty("address").GetString()!, Port: e.GetProperty("port").GetInt32()))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(Enumerable.Range(1, 20).Select(k => $"{prefix}-{k:000} {Plus(baseIp, k - 1)} 5000"), ours.Select(e => $"{e.Name} {e.Address} {e.Port}"));
        Assert.Equal(20, farm.Serial.Lines.Count(l => l.EndsWith("] This is version 1")));
        Assert.Contains($"[{prefix}-007] This is version 1", farm.Serial.Lines);

        Assert.Equal(0, await farm.StopAsync());
        Assert.Equal($"[farm] stopped; 20 flash files written back", farm.Notes.Lines[^1]);
        Assert.Equal(20, Directory.GetFiles(dir.File("boards"), "board-*.bin").Length);
    }

    [Fact]
    public async Task The_farm_creates_missing_flash_files_from_the_image_and_boots_existing_ones_as_they_are()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        Directory.CreateDirectory(dir.File("boards"));
        FlashFile.Save(TestImages.ChipWith(TestImages.Image(7)), dir.File("boards/board-002.bin"));
        string prefix = UniqueName("Reuse");
        await using var farm = FarmProcess.Start(dir.Path, "--count", "3", "--image", "v1.bin", "--base-ip", FarmProcess.UniqueBaseIp(), "--interface", "lo", "--name-prefix", prefix);
        await farm.WaitForAllListeningAsync(3);
        Assert.Contains(farm.Notes.Lines, l => l.EndsWith("(2 created, 1 reused). Ctrl+C stops them all"));
        Assert.Contains($"[{prefix}-001] This is version 1", farm.Serial.Lines);
        Assert.Contains($"[{prefix}-002] This is version 7", farm.Serial.Lines);
        Assert.Contains($"[{prefix}-003] This is version 1", farm.Serial.Lines);
        Assert.Equal(0, await farm.StopAsync());

        foreach (var k in new[] { 1, 3 })
            Assert.Equal(FlashLayout.OneMiB, new FileInfo(dir.File($"boards/board-00{k}.bin")).Length);
        // Written back on exit: version 1 applied its settings (OTA address 0x80000) to the files the farm created.
        var info = await Run(dir, "flash", "info", "boards/board-001.bin", "--json");
        Assert.Equal(0, info.ExitCode);
        Assert.Contains("0x80000", info.Stdout);

        // A second start reuses all three, and needs no image.
        await using var again = FarmProcess.Start(dir.Path, "--count", "3", "--base-ip", FarmProcess.UniqueBaseIp(), "--interface", "lo", "--name-prefix", prefix);
        await again.WaitForAllListeningAsync(3);
        Assert.Contains(again.Notes.Lines, l => l.EndsWith("(0 created, 3 reused). Ctrl+C stops them all"));
        Assert.Equal(0, await again.StopAsync());
    }

    [Theory]
    [InlineData(1, "error: --count 0 is out of range", "--count", "0", "--image", "v1.bin")]
    [InlineData(1, "error: --count 5000 is out of range", "--count", "5000", "--image", "v1.bin")]
    [InlineData(1, "error: the base address 10.0.0.2 is not a loopback address", "--count", "2", "--image", "v1.bin", "--base-ip", "10.0.0.2")]
    [InlineData(1, "error: the base address ::1 is not IPv4", "--count", "2", "--image", "v1.bin", "--base-ip", "::1")]
    [InlineData(1, "error: --base-ip 'nonsense' is not an IP address", "--count", "2", "--image", "v1.bin", "--base-ip", "nonsense")]
    [InlineData(1, "error: 10 boards from 127.255.255.250 would run past 127.255.255.254: at most 5 fit", "--count", "10", "--image", "v1.bin", "--base-ip", "127.255.255.250")]
    [InlineData(1, "error: port 0 is out of range", "--count", "2", "--image", "v1.bin", "--port", "0")]
    [InlineData(2, "error: 2 of the 2 flash files do not exist", "--count", "2")]
    [InlineData(2, "error: ", "--count", "2", "--image", "missing.bin")]
    [InlineData(2, "error: ", "--count", "2", "--image", "notanimage.bin")]
    public async Task Bad_farm_arguments_are_one_error_line_and_a_non_zero_exit(int exitCode, string error, params string[] args)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        File.WriteAllBytes(dir.File("notanimage.bin"), new byte[100]);
        var result = await Run(dir, ["device", "farm", "--dir", "boards", "--interface", "lo", .. args]);
        Assert.Equal(exitCode, result.ExitCode);
        Assert.StartsWith(error, result.Stderr);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Equal("", result.Stdout);
        Assert.False(Directory.Exists(dir.File("boards")) && Directory.GetFiles(dir.File("boards")).Length > 0, "nothing may be created");
    }

    [Fact]
    public async Task A_farm_board_updated_over_the_air_reboots_into_v2_and_keeps_its_farm_name()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        string imageName = UniqueName("ImageName");
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "2", "--name", imageName, "-o", "v2.bin")).ExitCode);
        string prefix = UniqueName("Named"), baseIp = FarmProcess.UniqueBaseIp();
        await using var farm = FarmProcess.Start(dir.Path, "--count", "3", "--image", "v1.bin", "--base-ip", baseIp, "--interface", "lo", "--name-prefix", prefix);
        await farm.WaitForAllListeningAsync(3);

        string board = $"{prefix}-002", address = Plus(baseIp, 1).ToString();
        var upload = await Run(dir, "upload", "v2.bin", "--ip", address, "--port", "5000");
        Assert.Equal(0, upload.ExitCode);
        await farm.Serial.WaitForAsync($"[{board}] This is version 2");
        Assert.Contains(farm.Serial.Lines, l => l.StartsWith($"[{board}] Flash Image2:Addr 0x80000, Len "));
        // The second time its receiver listens, the new sketch has claimed its mDNS name.
        await farm.Notes.WaitForAsync($"[{board}] [virtual board] OTA receiver listening on {address}:5000", occurrence: 2);

        var found = await Run(dir, "discover", "--interface", "lo", "--device", board, "--json");
        Assert.Equal(0, found.ExitCode);
        var json = JsonDocument.Parse(found.Stdout).RootElement;
        Assert.Equal(board, json.GetProperty("name").GetString());
        Assert.Equal(address, json.GetProperty("address").GetString());
        Assert.Equal(5000, json.GetProperty("port").GetInt32());
        var byImageName = await Run(dir, "discover", "--interface", "lo", "--device", imageName, "--timeout", "0.5");
        Assert.Equal(6, byImageName.ExitCode);
        // The other boards were not touched.
        Assert.DoesNotContain(farm.Serial.Lines, l => l.StartsWith($"[{prefix}-001] OTA") || l.StartsWith($"[{prefix}-003] OTA"));
    }
}
