using System.Text.Json;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Images;
using AmebaOta.Tests.Images;
using AmebaOta.Tests.Support;
using static AmebaOta.Tests.Support.Cli;

namespace AmebaOta.Tests.Cli;

/// <summary><c>ameba-ota image make</c> and <c>image info</c>, run as the real process on real files.</summary>
public class ImageCliTests
{
    [Fact]
    public async Task Make_writes_an_unsigned_ota_bin_with_the_default_sketch()
    {
        using var dir = new TempDir();
        var r = CliAssert.Ok(await RunAsync(dir.Path, "image", "make", "--version", "1", "-o", "v1.bin"));

        Assert.StartsWith("wrote v1.bin: ", r.Stdout);
        Assert.Contains("unsigned (ota.bin format)", r.Stdout);
        var image = ImageFile.Load(dir.File("v1.bin"));
        Assert.Equal(ImageFileKind.UnsignedImage2, image.Kind);
        Assert.Equal(new SketchDescriptor(1, AppliesVersion1Settings: true), image.Body.Sketch);
    }

    [Fact]
    public async Task Make_honours_every_option()
    {
        using var dir = new TempDir();
        var made = await RunAsync(dir.Path, "image", "make", "--version", "2", "-o", "v2.bin", "--size", "512K", "--sdram", "--signed",
            "--name", "Kitchen", "--port", "6000", "--board", "rtl8710", "--mode", "non-block", "--v1-settings", "true", "--ssid", "lab");
        Assert.True(made.ExitCode == 0, made.ToString());
        Assert.Equal("warning: v2.bin: 524288 bytes is over 0x7F000: at the default OTA address it would overwrite the FlashMemory sector at 0xFF000", made.Stderr.TrimEnd());

        var bytes = File.ReadAllBytes(dir.File("v2.bin"));
        Assert.Equal(512 * 1024, bytes.Length);
        var image = ImageFile.Parse(bytes);
        Assert.Equal(ImageFileKind.SignedImage2, image.Kind);
        Assert.Equal(256u, image.Image3?.Length);
        Assert.Equal(new SketchDescriptor(2, "Kitchen", 6000, 17, BoardKind.Rtl8710, SketchMode.NonBlock, true, "lab"), image.Body.Sketch);
    }

    [Theory]
    [InlineData("1", null, true)]
    [InlineData("2", null, false)]
    [InlineData("1", "false", false)]
    [InlineData("3", "true", true)]
    public async Task V1_settings_default_to_version_1_only(string version, string? flag, bool applies)
    {
        using var dir = new TempDir();
        var args = new List<string> { "image", "make", "--version", version, "-o", "x.bin" };
        if (flag is not null) args.AddRange(["--v1-settings", flag]);
        CliAssert.Ok(await RunAsync(dir.Path, [.. args]));
        Assert.Equal(applies, ImageFile.Load(dir.File("x.bin")).Body.Sketch?.AppliesVersion1Settings);
    }

    [Fact]
    public async Task Make_refuses_to_overwrite_without_force()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("v1.bin"), "keep me");

        var refused = await RunAsync(dir.Path, "image", "make", "--version", "1", "-o", "v1.bin");
        Assert.Equal($"error: '{dir.File("v1.bin")}' already exists; use --force to overwrite it", CliAssert.OneLineError(refused, 2));
        Assert.Equal("keep me", File.ReadAllText(dir.File("v1.bin")));

        CliAssert.Ok(await RunAsync(dir.Path, "image", "make", "--version", "1", "-o", "v1.bin", "--force"));
        Assert.Equal(1u, ImageFile.Load(dir.File("v1.bin")).Body.Sketch?.Version);
    }

    [Theory]
    [InlineData("--size", "10", 2, "is too small")]
    [InlineData("--size", "lots", 1, "'lots' is not a size in bytes")]
    [InlineData("--board", "esp32", 1, "unknown board 'esp32': use rtl8195a, rtl8710, rtl8721d")]
    [InlineData("--mode", "turbo", 1, "unknown mode 'turbo': use basic, non-block, cloud, sdk-local, sdk-http or ota-http")]
    [InlineData("--name", "", 1, "the device name must be 1 to 63 UTF-8 bytes")]
    public async Task Make_explains_bad_options_in_one_line(string option, string value, int exit, string message)
    {
        using var dir = new TempDir();
        var r = await RunAsync(dir.Path, "image", "make", "--version", "1", "-o", "x.bin", option, value);
        Assert.Contains(message, CliAssert.OneLineError(r, exit));
        Assert.False(File.Exists(dir.File("x.bin")));
    }

    [Fact]
    public async Task Info_shows_header_signature_rtkwin_image3_checksum_and_sketch()
    {
        using var dir = new TempDir();
        CliAssert.Ok(await RunAsync(dir.Path, "image", "make", "--version", "3", "-o", "v3.bin", "--size", "4096", "--sdram"));
        uint sum = Checksum.ByteSum(File.ReadAllBytes(dir.File("v3.bin")));

        var r = CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "v3.bin"));

        Assert.Equal(
        [
            "file:          v3.bin (4096 bytes)",
            "kind:          Image 2, unsigned (ota.bin / ram_2.ns.bin)",
            "Image 2:       length 3808 (0xee0), load to 0x10006000",
            "signature:     unsigned (0xFF)",
            "entry point:   0x10006049",
            "RTKWin:        present",
            "Image 3:       length 256 (0x100), load to 0x30000000",
            $"checksum:      0x{sum:x8} ({sum}) - byte sum of the whole file, as the OTA header carries it",
            "sketch:        version 3, basic, device name \"MyAmeba\", OTA port 5000, recovery pin 18, rtl8195a, SSID \"yourNetwork\", does not apply the version-1 settings",
        ], r.Lines);
    }

    [Fact]
    public async Task Info_json_is_machine_readable()
    {
        using var dir = new TempDir();
        CliAssert.Ok(await RunAsync(dir.Path, "image", "make", "--version", "2", "-o", "v2.bin", "--signed", "--name", "Den"));
        uint sum = Checksum.ByteSum(File.ReadAllBytes(dir.File("v2.bin")));

        var r = CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "v2.bin", "--json"));

        using var json = JsonDocument.Parse(r.Stdout);
        var root = json.RootElement;
        Assert.Equal("v2.bin", root.GetProperty("file").GetString());
        Assert.Equal("new", root.GetProperty("image2").GetProperty("signature").GetString());
        Assert.Equal("0x10006000", root.GetProperty("image2").GetProperty("loadAddress").GetString());
        Assert.True(root.GetProperty("rtkWin").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("image3").ValueKind);
        Assert.Equal(sum, root.GetProperty("checksumDecimal").GetUInt32());
        Assert.Equal($"0x{sum:x8}", root.GetProperty("checksum").GetString());
        Assert.Equal(2u, root.GetProperty("sketch").GetProperty("version").GetUInt32());
        Assert.Equal("Den", root.GetProperty("sketch").GetProperty("deviceName").GetString());
        Assert.Equal(0, root.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public async Task Info_understands_a_ram_all_bin()
    {
        using var dir = new TempDir();
        CliAssert.Ok(await RunAsync(dir.Path, "image", "make", "--version", "1", "-o", "ram_2.p.bin", "--signed"));
        File.WriteAllBytes(dir.File("ram_all.bin"), RamAll.Build(File.ReadAllBytes(dir.File("ram_2.p.bin"))));

        var text = CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "ram_all.bin"));
        Assert.Contains("kind:          Image 1 + Image 2 (ram_all.bin)", text.Lines);
        Assert.Contains("Image 2 at:    0xb000 (from the Image 1 header)", text.Lines);
        Assert.Contains("signature:     new (\"81958711\")", text.Lines);
        Assert.Contains("warning:       ram_all.bin is for USB/DAP upload; send ota.bin over the air", text.Lines);

        var json = CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "ram_all.bin", "--json"));
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(0xB000, doc.RootElement.GetProperty("image2Offset").GetInt32());
        Assert.Equal(1u, doc.RootElement.GetProperty("sketch").GetProperty("version").GetUInt32());
    }

    [Fact]
    public async Task Info_on_real_arm_code_says_no_sketch_descriptor_and_exits_0()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("ota.bin"), ImageFileParserTests.RealImage2(out _));

        var r = CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "ota.bin"));
        Assert.Contains("sketch:        no sketch descriptor (real ARM code; the virtual board cannot run it)", r.Lines);

        var json = CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "ota.bin", "--json"));
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("sketch").ValueKind);
    }

    [Fact]
    public async Task Info_warns_when_an_image_lacks_RTKWin_or_is_too_big_for_the_ota_region()
    {
        using var dir = new TempDir();
        var bytes = ImageFileParserTests.RealImage2(out _);
        bytes[20] = (byte)'X';
        File.WriteAllBytes(dir.File("broken.bin"), bytes);
        Assert.Equal(0, (await RunAsync(dir.Path, "image", "make", "--version", "2", "-o", "big.bin", "--size", "0x7F001")).ExitCode);

        var broken = CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "broken.bin"));
        Assert.Contains("RTKWin:        MISSING (the boot loader would print \"Invalid Image2 Signature\")", broken.Lines);
        var big = CliAssert.Ok(await RunAsync(dir.Path, "image", "info", "big.bin"));
        Assert.Contains("warning:       520193 bytes is over 0x7F000: at the default OTA address it would overwrite the FlashMemory sector at 0xFF000", big.Lines);
    }
}
