using System.Text.Json;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Tests.Support;
using static AmebaOta.Tests.Support.Cli;

namespace AmebaOta.Tests.Cli;

/// <summary><c>ameba-ota flash create|dap|info|boot</c>, run as the real process on real flash files.</summary>
public class FlashCliTests
{
    private static readonly string[] UsbBootLog =
    [
        "===== Enter Image 1 ====",
        "load NEW fw 0",
        "Flash Image2:Addr 0xb000, Len 4080, Load to SRAM 0x10006000",
        "No Image3",
        "Img2 Sign: RTKWin, InfaStart @ 0x10006049",
        "===== Enter Image 2 ====",
    ];

    /// <summary>board.bin after a DAP upload of v1 (4 KiB) and an OTA of v2 (8 KiB) with recovery pin 18, done as the board does it.</summary>
    private static async Task<TempDir> BoardAfterOta()
    {
        var dir = new TempDir();
        CliAssert.Ok(await RunAsync(dir.Path, "image", "make", "--version", "1", "-o", "v1.bin", "--size", "4096"));
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "board.bin"));
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "dap", "board.bin", "v1.bin"));
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "set-ota-address", "board.bin", "0x80000"));
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "set-recovery-pin", "board.bin", "18"));
        var flash = FlashFile.Load(dir.File("board.bin"));
        var v2 = ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(2), 0x2000));
        flash.EraseSector(0x80000); flash.EraseSector(0x81000);
        flash.Program(0x80000, v2);
        flash.ProgramU32(0x80008, 0x35393138); flash.ProgramU32(0x8000C, 0x31313738);
        flash.ProgramU32(0xB008, 0x35393130);
        FlashFile.Save(flash, dir.File("board.bin"));
        return dir;
    }

    [Theory]
    [InlineData(null, 1024)]
    [InlineData("1M", 1024)]
    [InlineData("2M", 2048)]
    public async Task Create_makes_a_blank_chip_with_an_image1_header(string? size, int kib)
    {
        using var dir = new TempDir();
        var args = size is null ? new[] { "flash", "create", "board.bin" } : ["flash", "create", "board.bin", "--size", size];

        var r = CliAssert.Ok(await RunAsync(dir.Path, args));

        Assert.Equal($"created board.bin: blank {kib} KiB chip, Image 1 header points at Default Image 2 0xb000", r.Lines.Single());
        var bytes = File.ReadAllBytes(dir.File("board.bin"));
        Assert.Equal(kib * 1024, bytes.Length);
        Assert.Equal(BlankChip.Create(kib * 1024).Contents.ToArray(), bytes);
    }

    [Fact]
    public async Task Create_refuses_a_bad_size_and_an_existing_file()
    {
        using var dir = new TempDir();
        Assert.Equal("error: flash size must be 1M, 2M, 4M, 8M, 16M, not '3M'",
            CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "create", "board.bin", "--size", "3M"), 2));
        Assert.Equal("error: --size: Ameba1 (RTL8195A, RTL8710) chips are 1M or 2M",
            CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "create", "board.bin", "--size", "16M"), 1));
        Assert.False(File.Exists(dir.File("board.bin")));

        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "board.bin"));
        Assert.Contains("already exists; use --force",
            CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "create", "board.bin", "--size", "2M"), 2));
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "board.bin", "--size", "2M", "--force"));
        Assert.Equal(FlashLayout.TwoMiB, new FileInfo(dir.File("board.bin")).Length);
    }

    [Fact]
    public async Task Dap_of_an_image2_file_writes_0xB000_signed_new_and_erases_system_data()
    {
        using var dir = await BoardAfterOta();

        var r = CliAssert.Ok(await RunAsync(dir.Path, "flash", "dap", "board.bin", "v1.bin"));

        Assert.Equal("wrote 4096 bytes at 0xb000, Default Image 2 signed new, system data erased (2 sectors erased)", r.Lines[0]);
        Assert.StartsWith("sketch: version 1, basic", r.Lines[1]);
        var flash = FlashFile.Load(dir.File("board.bin"));
        Assert.Equal("81958711"u8.ToArray(), flash.Read(0xB008, 8));
        Assert.True(flash.Read(0x9000, 0x1000).All(b => b == 0xFF));
        Assert.Equal(UsbBootLog, CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "board.bin")).Lines);
    }

    [Fact]
    public async Task Dap_of_a_ram_all_bin_writes_from_address_zero()
    {
        using var dir = new TempDir();
        CliAssert.Ok(await RunAsync(dir.Path, "image", "make", "--version", "1", "-o", "ram_2.p.bin", "--signed", "--size", "4096"));
        var ramAll = RamAll.Build(File.ReadAllBytes(dir.File("ram_2.p.bin")));
        File.WriteAllBytes(dir.File("ram_all.bin"), ramAll);
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "board.bin"));

        var r = CliAssert.Ok(await RunAsync(dir.Path, "flash", "dap", "board.bin", "ram_all.bin"));

        Assert.StartsWith($"wrote {ramAll.Length} bytes from address 0 (Image 1 + Image 2)", r.Lines[0]);
        var bytes = File.ReadAllBytes(dir.File("board.bin"));
        Assert.Equal(ramAll[..0xA000], bytes[..0xA000]);
        Assert.Equal(ramAll[0xB000..], bytes[0xB000..(0xB000 + 4096)]);
        Assert.Equal(UsbBootLog, CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "board.bin")).Lines);
    }

    [Fact]
    public async Task Info_text_decodes_system_data_lists_images_and_explains_both_boots()
    {
        using var dir = await BoardAfterOta();

        var r = CliAssert.Ok(await RunAsync(dir.Path, "flash", "info", "board.bin"));

        var lines = r.Lines;
        Assert.Equal("flash:            board.bin (1024 KiB)", lines[0]);
        Assert.Equal("Image 1 header:   present, Default Image 2 at 0xb000", lines[1]);
        Assert.Contains("OTA address:      0x80000", lines);
        Assert.Contains("recovery pin 0:   unused", lines);
        Assert.Contains("recovery pin 1:   PE_5 (Arduino pin 18 on rtl8195a), active HIGH", lines);
        Assert.Contains(lines, l => l.Contains("0xb000") && l.Contains("Default Image 2") && l.Contains("old") && l.Contains("v1 basic MyAmeba"));
        Assert.Contains(lines, l => l.Contains("0x80000") && l.Contains("OTA image") && l.Contains("new") && l.Contains("v2 basic MyAmeba"));
        Assert.Contains("boots (recovery pin inactive): 0x80000 (version 2)", lines);
        Assert.Contains("  why:                         no recovery pin is active, so the NEW image is preferred; chose 0x80000 (NEW)", lines);
        Assert.Contains("boots (recovery pin active):   0xb000 (version 1)", lines);
        Assert.Contains("  why:                         recovery pin PE_5 is at its active level, so the OLD image is preferred; chose 0xb000 (OLD)", lines);
    }

    [Fact]
    public async Task Info_json_has_system_data_images_and_both_boots()
    {
        using var dir = await BoardAfterOta();

        var r = CliAssert.Ok(await RunAsync(dir.Path, "flash", "info", "board.bin", "--json"));

        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal(FlashLayout.OneMiB, root.GetProperty("size").GetInt32());
        Assert.True(root.GetProperty("image1Header").GetBoolean());
        Assert.Equal("0x80000", root.GetProperty("otaAddress").GetString());
        Assert.True(root.GetProperty("otaAddressUsable").GetBoolean());
        var pins = root.GetProperty("recoveryPins");
        Assert.False(pins[0].GetProperty("used").GetBoolean());
        Assert.Equal("0xc5", pins[1].GetProperty("raw").GetString());
        Assert.Equal("PE_5", pins[1].GetProperty("chipPin").GetString());
        Assert.Equal(18, pins[1].GetProperty("arduinoPin").GetInt32());
        Assert.Equal("high", pins[1].GetProperty("activeLevel").GetString());
        var images = root.GetProperty("images").EnumerateArray().Select(i => (i.GetProperty("address").GetString(), i.GetProperty("signature").GetString())).ToList();
        Assert.Equal([("0xb000", "old"), ("0x80000", "new")], images);
        var inactive = root.GetProperty("bootPinInactive");
        Assert.Equal("0x80000", inactive.GetProperty("address").GetString());
        Assert.True(inactive.GetProperty("fromOta").GetBoolean());
        Assert.Equal("load NEW fw 1", inactive.GetProperty("log")[1].GetString());
        var active = root.GetProperty("bootPinActive");
        Assert.Equal("0xb000", active.GetProperty("address").GetString());
        Assert.True(active.GetProperty("recoveryForced").GetBoolean());
        Assert.Equal(1u, active.GetProperty("sketch").GetProperty("version").GetUInt32());
    }

    [Fact]
    public async Task Info_without_a_recovery_pin_says_so()
    {
        using var dir = new TempDir();
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "board.bin"));
        var r = CliAssert.Ok(await RunAsync(dir.Path, "flash", "info", "board.bin"));
        Assert.Contains("OTA address:      none (0xFFFFFFFF)", r.Lines);
        Assert.Contains("images found:     none", r.Lines);
        Assert.Contains("boots (recovery pin inactive): nothing: Fatal:no fw", r.Lines);
        Assert.Contains("boots (recovery pin active):   no recovery pin configured, same as above", r.Lines);
        using var doc = JsonDocument.Parse(CliAssert.Ok(await RunAsync(dir.Path, "flash", "info", "board.bin", "--json")).Stdout);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("bootPinActive").ValueKind);
        Assert.Equal("no-firmware", doc.RootElement.GetProperty("bootPinInactive").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Boot_follows_the_recovery_pin_and_releasing_it_boots_the_ota_image_again()
    {
        using var dir = await BoardAfterOta();

        var ota = CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "board.bin"));
        Assert.Equal(
        [
            "===== Enter Image 1 ====",
            "load NEW fw 1",
            "Flash Image2:Addr 0x80000, Len 8176, Load to SRAM 0x10006000",
            "No Image3",
            "Img2 Sign: RTKWin, InfaStart @ 0x10006049",
            "===== Enter Image 2 ====",
        ], ota.Lines);

        var held = CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "board.bin", "--pin", "18=high"));
        Assert.Equal("load OLD fw 0", held.Lines[1]);
        Assert.Equal("Flash Image2:Addr 0xb000, Len 4080, Load to SRAM 0x10006000", held.Lines[2]);

        var chipName = CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "board.bin", "--pin", "PE_5=high"));
        Assert.Equal(held.Lines, chipName.Lines);

        var released = CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "board.bin", "--pin", "18=low"));
        Assert.Equal(ota.Lines, released.Lines);
    }

    [Fact]
    public async Task Boot_on_rtl8710_uses_pin_17()
    {
        using var dir = await BoardAfterOta();
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "set-recovery-pin", "board.bin", "17", "--board", "rtl8710"));

        var held = CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "board.bin", "--board", "rtl8710", "--pin", "17=high"));
        Assert.Equal("load OLD fw 0", held.Lines[1]);
        var free = CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "board.bin", "--board", "rtl8710"));
        Assert.Equal("load NEW fw 1", free.Lines[1]);

        Assert.Equal("error: Arduino pin 18 is not connected on rtl8710",
            CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "boot", "board.bin", "--board", "rtl8710", "--pin", "18=high"), 1));
    }

    [Fact]
    public async Task Boot_exits_3_after_fatal_no_fw_or_invalid_image2_signature()
    {
        using var dir = new TempDir();
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "board.bin"));
        var none = await RunAsync(dir.Path, "flash", "boot", "board.bin");
        Assert.Equal(3, none.ExitCode);
        Assert.Equal(["===== Enter Image 1 ====", "Fatal:no fw"], none.Lines);
        Assert.Empty(none.Stderr);

        var flash = FlashFile.Load(dir.File("board.bin"));
        var bad = Chip.Image(1, 0x1000, "new");
        bad[20] = (byte)'X';
        Chip.Write(flash, 0xB000, bad);
        FlashFile.Save(flash, dir.File("board.bin"));
        var invalid = await RunAsync(dir.Path, "flash", "boot", "board.bin");
        Assert.Equal(3, invalid.ExitCode);
        Assert.Equal("Invalid Image2 Signature", invalid.Lines[^1]);
    }

    [Fact]
    public async Task Boot_json_carries_outcome_address_and_log()
    {
        using var dir = await BoardAfterOta();
        var r = CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "board.bin", "--json", "--pin", "18=high"));
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("started", doc.RootElement.GetProperty("outcome").GetString());
        Assert.Equal("0xb000", doc.RootElement.GetProperty("address").GetString());
        Assert.False(doc.RootElement.GetProperty("fromOta").GetBoolean());
        Assert.Equal(6, doc.RootElement.GetProperty("log").GetArrayLength());
    }

    [Fact]
    public async Task Boot_refuses_a_bad_pin_assignment_in_one_line()
    {
        using var dir = new TempDir();
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "board.bin"));
        Assert.Equal("error: 'up' is not a pin level: use high or low",
            CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "boot", "board.bin", "--pin", "18=up"), 1));
    }
}
