using System.Net;
using System.Text.Json;
using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Tests.Families.AmebaD;
using AmebaOta.Tests.Support;
using static AmebaOta.Tests.Support.Cli;

namespace AmebaOta.Tests.Cli;

/// <summary>The AmebaD side of <c>image</c>, <c>flash</c>, <c>device run</c> and <c>device farm</c>, run as the real process on real files.</summary>
public sealed class AmebaDCliTests
{
    [Fact]
    public async Task Image_make_writes_a_km0_km4_image2_and_ota_all_wraps_it_byte_for_byte()
    {
        using var dir = new TempDir();
        var made = CliAssert.Ok(await RunAsync(dir.Path, "image", "make", "--family", "amebad", "--version", "4", "--name", "Lab", "-o", "km0_km4_image2.bin"));
        Assert.StartsWith("wrote km0_km4_image2.bin: 8192 bytes, AmebaD km0_km4_image2.bin", made.Stdout);
        var image = File.ReadAllBytes(dir.File("km0_km4_image2.bin"));
        Assert.Equal(AmebaDImages.Sketch(4, "Lab"), AmebaDImageFile.Parse(image).Sketch);

        var wrapped = CliAssert.Ok(await RunAsync(dir.Path, "image", "ota-all", "km0_km4_image2.bin", "-o", "OTA_All.bin"));
        Assert.Equal($"wrote OTA_All.bin: 8224 bytes, OTA header + km0_km4_image2.bin (8192 bytes, checksum 0x{Checksum.ByteSum(image):x8})", wrapped.Stdout.TrimEnd());
        var ota = File.ReadAllBytes(dir.File("OTA_All.bin"));
        Assert.Equal([.. OtaAllHeader.For(image).ToArray(), .. image], ota);

        Assert.Equal("error: 'OTA_All.bin' is already an OTA_All.bin (it has the OTA header); it goes over the air as it is",
            CliAssert.OneLineError(await RunAsync(dir.Path, "image", "ota-all", "OTA_All.bin", "-o", "again.bin"), 2));
        File.WriteAllBytes(dir.File("ota.bin"), TestImages.Image(1));
        Assert.Contains("not an AmebaD image", CliAssert.OneLineError(await RunAsync(dir.Path, "image", "ota-all", "ota.bin", "-o", "x.bin"), 2));
        Assert.Contains("--recovery-pin is not for AmebaD images",
            CliAssert.OneLineError(await RunAsync(dir.Path, "image", "make", "--board", "bw16", "--version", "1", "--recovery-pin", "3", "-o", "x.bin"), 1));
    }

    [Fact]
    public async Task Image_info_says_what_a_board_would_do_with_either_file()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("km.bin"), AmebaDImages.Image(2));
        File.WriteAllBytes(dir.File("OTA_All.bin"), AmebaDImages.OtaAll(2));
        var bad = AmebaDImages.OtaAll(2);
        bad[16] ^= 1;
        File.WriteAllBytes(dir.File("bad.bin"), bad);

        var km = CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "km.bin")).Lines;
        Assert.Contains("kind:          AmebaD km0_km4_image2.bin (KM0 + KM4 image 2, the Arduino build output)", km);
        Assert.Contains(km, l => l.StartsWith("USB:           a USB upload writes this file into OTA1 (0x08006000)"));
        Assert.Contains("signature:     81958711 - the first 8 bytes, which a board holds back and writes last", km);

        var ota = CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "OTA_All.bin")).Lines;
        Assert.Contains(ota, l => l.StartsWith("OTA header:    FwVer 0xffffffff, HdrNum 1, ImgId \"OTA1\", ImgHdrLen 24, Checksum 0x"));
        Assert.Contains(ota, l => l.StartsWith("bank:          a board running OTA1 writes OTA2 (0x08106000), one running OTA2 writes OTA1 (0x08006000); 8192 of 1024000 bytes: fits, 2 sectors erased first"));
        Assert.DoesNotContain(ota, l => l.StartsWith("refused:"));

        var json = JsonDocument.Parse(CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "bad.bin", "--json")).Stdout).RootElement;
        Assert.Equal("amebad", json.GetProperty("family").GetString());
        Assert.Equal("ota-all", json.GetProperty("kind").GetString());
        Assert.False(json.GetProperty("checksumMatchesHeader").GetBoolean());
        Assert.Contains("is not the image's byte sum", json.GetProperty("refusals")[0].GetString());
    }

    [Fact]
    public async Task Flash_create_dap_boot_and_info_follow_the_amebad_boot_loader_and_warn_of_the_usb_after_ota_trap()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), AmebaDImages.Image(1));
        File.WriteAllBytes(dir.File("v3.bin"), AmebaDImages.Image(3));
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "bw16.bin", "--family", "amebad"));
        var empty = await RunAsync(dir.Path, "flash", "boot", "bw16.bin");
        Assert.Equal(3, empty.ExitCode);
        Assert.Equal("[MODULE_BOOT-LEVEL_ERROR]:IMG2 Invalid", empty.Stdout.TrimEnd());

        CliAssert.Ok(await RunAsync(dir.Path, "flash", "dap", "bw16.bin", "v1.bin"));
        var boot = CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "bw16.bin"));
        Assert.Equal(AmebaDBootLoader.Ota1Use, boot.Lines[0]);
        Assert.Equal("", boot.Stderr);

        // An OTA into OTA2 (as the board's receiver leaves it), then a USB upload of v3: the board keeps booting OTA2.
        var flash = FlashFile.Load(dir.File("bw16.bin"));
        flash.Program(AmebaDFlashLayout.Ota2, AmebaDImages.Image(2));
        flash.Program(AmebaDFlashLayout.Ota1, [0x00]);
        FlashFile.Save(flash, dir.File("bw16.bin"));
        var dap = await RunAsync(dir.Path, "flash", "dap", "bw16.bin", "v3.bin");
        Assert.True(dap.ExitCode == 0, dap.ToString());
        Assert.StartsWith("wrote the boot images and 8192 bytes into OTA1 (0x08006000), as a USB upload does", dap.Stdout);
        Assert.Contains("OTA2 still holds a valid image, so the board keeps booting OTA2", dap.Stderr);

        boot = await RunAsync(dir.Path, "flash", "boot", "bw16.bin");
        Assert.True(boot.ExitCode == 0, boot.ToString());
        Assert.Equal(AmebaDBootLoader.Ota2Use, boot.Lines[0]);
        Assert.Contains("erase the flash", boot.Stderr);
        var info = CliAssert.Ok(await RunAsync(dir.Path, "flash", "info", "bw16.bin")).Lines;
        Assert.Contains(info, l => l.StartsWith("OTA1 (0x08006000): signature 81958711 (valid)") && l.Contains("sketch version 3"));
        Assert.Contains("boots:            OTA2 (0x08106000), version 2", info);
        Assert.Contains(info, l => l.StartsWith("warning:          OTA1 (where a USB upload writes) holds a valid image too"));
        var json = JsonDocument.Parse(CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "bw16.bin", "--json")).Stdout).RootElement;
        Assert.Equal("OTA2", json.GetProperty("bank").GetString());

        CliAssert.Ok(await RunAsync(dir.Path, "flash", "dap", "bw16.bin", "v3.bin", "--erase-all"));
        Assert.Equal(AmebaDBootLoader.Ota1Use, CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "bw16.bin")).Lines[0]);

        Assert.Contains("an AmebaD flash: it has no OTA address", CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "set-ota-address", "bw16.bin", "0x80000"), 2));
        Assert.Contains("holds AmebaD (RTL8721D", CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "info", "bw16.bin", "--family", "ameba1"), 2));
        File.WriteAllBytes(dir.File("ota.bin"), TestImages.Image(1));
        Assert.Contains("not an AmebaD image", CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "dap", "bw16.bin", "ota.bin"), 2));
    }

    [Fact]
    public async Task Device_run_reads_the_family_from_the_flash_file_runs_ota_basic_and_reboots_into_ota2_after_a_push()
    {
        using var dir = new TempDir();
        FlashFile.Save(AmebaDImages.ChipWith(AmebaDImages.Image(1)), dir.File("bw16.bin"));
        await using var board = DeviceProcess.Start(dir.Path, "--flash", "bw16.bin", "--port", "0", "--no-mdns", "--sketch-delays", "short", "--flash-timing", "instant");
        int port = await board.WaitForPortAsync();
        await board.Serial.WaitForAsync("Waiting for client ...");
        Assert.Contains(board.Notes.Lines, l => l.Contains("bw16.bin: amebad board, 2048 KiB flash, instant timing"));

        await AmebaDRawSender.SendAsync(new IPEndPoint(IPAddress.Loopback, port), AmebaDImages.OtaAll(2));
        await board.Serial.WaitForAsync(AmebaDBootLoader.Ota2Use);
        await board.Serial.WaitForAsync("Waiting for client ...", 2);
        Assert.Equal(0, await board.StopAsync());
        Assert.Equal(OtaBank.Ota2, AmebaDBootLoader.Boot(FlashFile.Load(dir.File("bw16.bin"))).Bank);
    }

    [Fact]
    public async Task Device_farm_runs_a_mix_of_families_each_from_its_own_image_on_its_own_port()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        File.WriteAllBytes(dir.File("km.bin"), AmebaDImages.Image(1));
        string baseIp = FarmProcess.UniqueBaseIp();
        await using var farm = FarmProcess.Start(dir.Path, "--family", "ameba1:2,amebad:2", "--image", "v1.bin", "--image", "km.bin",
            "--base-ip", baseIp, "--interface", "lo", "--name-prefix", $"Mix{Environment.ProcessId}", "--sketch-delays", "short", "--flash-timing", "instant");
        await farm.WaitForAllListeningAsync(4);
        Assert.Contains(farm.Notes.Lines, l => l.Contains("port 5000 (ameba1), 8082 (amebad)"));
        Assert.Equal(2, farm.Serial.Lines.Count(l => l.EndsWith("] Listening on port 8082.")));
        Assert.Equal(2, farm.Serial.Lines.Count(l => l.EndsWith("] This is version 1")));
        Assert.Equal(0, await farm.StopAsync());
        var boards = Directory.GetFiles(dir.File("boards"), "board-*.bin").Order().ToArray();
        Assert.Equal([1024 * 1024, 1024 * 1024, 2048 * 1024, 2048 * 1024], boards.Select(b => (int)new FileInfo(b).Length));

        var e = CliAssert.OneLineError(await RunAsync(dir.Path, "device", "farm", "--family", "ameba1:2,amebad:2", "--image", "v1.bin", "--dir", "other", "--interface", "lo"), 2);
        Assert.Contains("2 amebad boards have no flash file yet and no amebad image was given", e);
    }
}
