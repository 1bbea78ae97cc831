using System.Text.Json;
using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Flash;
using AmebaOta.Tests.Families.AmebaPro2;
using AmebaOta.Tests.Support;
using static AmebaOta.Tests.Support.Cli;

namespace AmebaOta.Tests.Cli;

/// <summary><c>image make|info</c> and <c>flash create|dap|info|boot</c> with AmebaPro2 files, run as the real process.</summary>
public sealed class Pro2CliTests
{
    private static Task<CliResult> Make(TempDir dir, string output, params string[] more) =>
        RunAsync(dir.Path, ["image", "make", "--family", "amebapro2", "--server", "10.0.0.1:3000", "-o", output, .. more]);

    [Fact]
    public async Task Image_make_writes_an_ota_bin_and_image_info_reads_its_manifest_and_trailer()
    {
        using var dir = new TempDir();
        var made = CliAssert.Ok(await Make(dir, "ota.bin", "--version", "3", "--timestamp", "2025-01-31T15:19:16Z", "--manifest-version", "2"));
        Assert.Contains("version 2, built 2025-01-31 15:19:16 UTC", made.Stdout);
        var image = Pro2Image.Parse(File.ReadAllBytes(dir.File("ota.bin")));
        Assert.Equal(new Pro2BuildStamp(2, 1738336756), image.Stamp);
        Assert.Equal(3u, image.Sketch?.Version);

        var info = CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "ota.bin"));
        Assert.Contains("kind:          AmebaPro2 ota.bin (firmware.bin + byte-sum trailer)", info.Lines);
        Assert.Contains("TIMST:         1738336756 (2025-01-31 15:19:16 UTC)", info.Lines);
        Assert.Contains(info.Lines, l => l.StartsWith("VERSION:       2 (FCFFFFFF", StringComparison.Ordinal));
        Assert.Contains(info.Lines, l => l.StartsWith("trailer:       0x", StringComparison.Ordinal) && l.EndsWith("= byte-sum of the firmware (ok)", StringComparison.Ordinal));
        Assert.Contains("fits:          FW2 with OTA Mode: Disable (0x10000 bytes): yes", info.Lines);

        var json = JsonDocument.Parse(CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "ota.bin", "--json")).Stdout).RootElement;
        Assert.Equal("amebapro2", json.GetProperty("family").GetString());
        Assert.Equal(1738336756ul, json.GetProperty("timestamp").GetUInt64());
        Assert.True(json.GetProperty("trailerValid").GetBoolean());
        Assert.Equal(14, json.GetProperty("fields").GetArrayLength());
        Assert.Equal("ota-http", json.GetProperty("sketch").GetProperty("mode").GetString());
    }

    [Fact]
    public async Task Image_info_warns_about_a_firmware_bin_a_bad_trailer_and_a_slot_too_small()
    {
        using var dir = new TempDir();
        var made = await Make(dir, "firmware.bin", "--version", "1", "--firmware-bin");
        Assert.Equal(0, made.ExitCode);
        Assert.Contains("warning: firmware.bin: this is firmware.bin without the checksum trailer", made.Stderr);
        var info = CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "firmware.bin"));
        Assert.Contains(info.Lines, l => l.StartsWith("warning:       this is firmware.bin without the checksum trailer", StringComparison.Ordinal));

        var big = await Make(dir, "big.bin", "--version", "1", "--size", "0x20004");
        Assert.Equal(0, big.ExitCode);
        var bigInfo = CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "big.bin"));
        Assert.Contains("fits:          FW2 with OTA Mode: Disable (0x10000 bytes): NO", bigInfo.Lines);

        var bytes = File.ReadAllBytes(dir.File("big.bin"));
        bytes[^2] ^= 1;
        File.WriteAllBytes(dir.File("bad.bin"), bytes);
        var bad = CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "bad.bin"));
        Assert.Contains(bad.Lines, l => l.Contains("WRONG: the firmware's byte-sum is", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Image_make_refuses_what_an_amebapro2_image_cannot_be()
    {
        using var dir = new TempDir();
        Assert.Contains("ota-http sketch", CliAssert.OneLineError(await Make(dir, "x.bin", "--version", "1", "--mode", "basic"), 1));
        Assert.Contains("shorter than the checksum", CliAssert.OneLineError(await Make(dir, "x.bin", "--version", "1", "--size", "8194"), 1));
        Assert.Contains("not Unix seconds", CliAssert.OneLineError(await Make(dir, "x.bin", "--version", "1", "--timestamp", "yesterday"), 1));
        Assert.Contains("HOST:PORT", CliAssert.OneLineError(await RunAsync(dir.Path, "image", "make", "--family", "amebapro2", "--version", "1",
            "--server", "10.0.0.1:3000/x", "-o", "x.bin"), 1));
        Assert.Contains("for --family amebapro2", CliAssert.OneLineError(await RunAsync(dir.Path, "image", "make", "--version", "1", "--timestamp", "1", "-o", "x.bin"), 1));
        Assert.False(File.Exists(dir.File("x.bin")));
    }

    [Fact]
    public async Task Flash_create_dap_info_boot_on_a_16_MiB_chip_with_both_ota_modes()
    {
        using var dir = new TempDir();
        var created = CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "amb.bin", "--family", "amebapro2"));
        Assert.Contains("OTA Mode: Enable", created.Stdout);
        Assert.Equal(NorFlash.SixteenMiB, new FileInfo(dir.File("amb.bin")).Length);
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "off.bin", "--family", "amebapro2", "--ota-mode", "off"));
        Assert.Equal(0x10000u, FlashFile.Load(dir.File("off.bin")).ReadU32(0x2084));

        // An empty chip boots nothing: exit 3 with the boot loader's own error.
        var empty = await RunAsync(dir.Path, "flash", "boot", "amb.bin");
        Assert.Equal(3, empty.ExitCode);
        Assert.Contains("[BOOT Err]Invalid Image Mani Label!", empty.Lines);

        CliAssert.Ok(await Make(dir, "v1.bin", "--version", "1", "--timestamp", "1700000000"));
        var dap = CliAssert.Ok(await RunAsync(dir.Path, "flash", "dap", "amb.bin", "v1.bin"));
        Assert.Contains("into FW1 at 0x60000", dap.Stdout);
        var boot = CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "amb.bin"));
        Assert.Equal("== Rtl8735b IoT Platform ==", boot.Lines[0]);
        Assert.Contains("=== Load FW1 ===", boot.Lines);
        Assert.Equal("Boot Loader <==", boot.Lines[^1]);

        var info = CliAssert.Ok(await RunAsync(dir.Path, "flash", "info", "amb.bin"));
        Assert.Contains(info.Lines, l => l.StartsWith("FW1:", StringComparison.Ordinal) && l.Contains("RTL8735B, version 1, built 2023-11-14 22:13:20 UTC, sketch v1 ota-http", StringComparison.Ordinal));
        Assert.Contains("boots:            FW1 (version 1)", info.Lines);
        var json = JsonDocument.Parse(CliAssert.Ok(await RunAsync(dir.Path, "flash", "info", "amb.bin", "--json")).Stdout).RootElement;
        Assert.True(json.GetProperty("otaMode").GetBoolean());
        Assert.Equal(1, json.GetProperty("boot").GetProperty("slot").GetInt32());
        Assert.False(json.GetProperty("fw2").GetProperty("labelled").GetBoolean());
    }

    [Fact]
    public async Task An_ota_into_fw2_keeps_booting_over_an_older_usb_upload_and_the_cli_says_so()
    {
        using var dir = new TempDir();
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "amb.bin", "--family", "amebapro2"));
        var flash = FlashFile.Load(dir.File("amb.bin"));
        Pro2FlashTests.Write(flash, Pro2PartitionTable.Default(true).Fw2, Pro2ImageTests.Build(9, 1_800_000_000));
        FlashFile.Save(flash, dir.File("amb.bin"));
        CliAssert.Ok(await Make(dir, "old.bin", "--version", "1", "--timestamp", "1700000000"));

        var dap = await RunAsync(dir.Path, "flash", "dap", "amb.bin", "old.bin");
        Assert.Equal(0, dap.ExitCode);
        Assert.Contains("warning: FW2 still boots: FW2 (version 1, built 2027-01-15 08:00:00 UTC) is newer than FW1", dap.Stderr);
        var boot = CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "amb.bin", "--json"));
        Assert.Equal(2, JsonDocument.Parse(boot.Stdout).RootElement.GetProperty("slot").GetInt32());
    }

    [Fact]
    public async Task Ameba1_system_data_commands_refuse_a_pro2_chip()
    {
        using var dir = new TempDir();
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "amb.bin", "--family", "amebapro2"));
        var before = File.ReadAllBytes(dir.File("amb.bin"));
        Assert.Contains("left unchanged", CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "set-ota-address", "amb.bin", "0x80000"), 2));
        Assert.Equal(before, File.ReadAllBytes(dir.File("amb.bin")));
        Assert.Contains("--ota-mode is for", CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "create", "a1.bin", "--ota-mode", "off"), 1));
    }
}
