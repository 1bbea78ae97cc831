using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Images;
using AmebaOta.Flash;
using AmebaOta.Tests.Support;
using static AmebaOta.Tests.Support.Cli;

namespace AmebaOta.Tests.Cli;

/// <summary>Every bad input through the real process: one <c>error: …</c> line on stderr, exit 2, never a stack trace, nothing changed.</summary>
public class BadInputCliTests
{
    private static readonly byte[] V1 = ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(1), 0x1000));

    public static IEnumerable<object[]> BadImages() =>
    [
        ["empty", "error: '"], // the whole line: SpecialInputFileCliTests
        ["truncated-header", "error: truncated header: 10 bytes, a segment header is 16"],
        ["length-past-eof", "error: header says the body is 4080 bytes but the file holds only 1008 after the header (truncated file?)"],
        ["garbage", "error: not an Ameba image: signature words 0x"],
        ["text", "error: not an Ameba image: signature words 0x"],
        ["truncated-image1-header", "error: truncated Image 1 header: 20 bytes, it needs 32"],
        ["ram-all-past-end", "error: Image 1 points at Image 2 at 0xb000, past the end of this 40960-byte ram_all.bin"],
        ["missing", "error: image file '"],
    ];

    private static void WriteBadImage(TempDir dir, string kind)
    {
        byte[]? bytes = kind switch
        {
            "empty" => [],
            "truncated-header" => V1[..10],
            "length-past-eof" => V1[..1024],
            "garbage" => Garbage(5000),
            "text" => "#include <OTA.h>\nvoid setup() {}\n"u8.ToArray(),
            "truncated-image1-header" => RamAll.Build(V1)[..20],
            "ram-all-past-end" => RamAll.Build(V1)[..0xA000],
            "missing" => null,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        if (bytes is not null) File.WriteAllBytes(dir.File("bad.bin"), bytes);
    }

    /// <summary>A file read but not an image: the parser's sentence, after the file's name (<c>error: '/…/bad.bin': truncated header …</c>).</summary>
    private static string NamingTheFile(string kind, string error, TempDir dir) =>
        kind is "empty" or "missing" ? error : error.Replace("error: ", $"error: '{dir.File("bad.bin")}': ");

    private static byte[] Garbage(int n)
    {
        var b = new byte[n];
        new Random(n).NextBytes(b);
        return b;
    }

    [Theory]
    [MemberData(nameof(BadImages))]
    public async Task Image_info_refuses_a_bad_image_in_one_line(string kind, string error)
    {
        using var dir = new TempDir();
        WriteBadImage(dir, kind);

        var r = await RunAsync(dir.Path, "image", "info", "bad.bin");

        error = NamingTheFile(kind, error, dir);
        Assert.StartsWith(error, CliAssert.OneLineError(r, 2));
        Assert.Empty(r.Stdout);
        var json = await RunAsync(dir.Path, "image", "info", "bad.bin", "--json");
        Assert.StartsWith(error, CliAssert.OneLineError(json, 2));
        Assert.Empty(json.Stdout);
    }

    [Theory]
    [MemberData(nameof(BadImages))]
    public async Task Flash_dap_refuses_a_bad_image_and_leaves_the_flash_file_alone(string kind, string error)
    {
        using var dir = new TempDir();
        WriteBadImage(dir, kind);
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "board.bin"));
        var before = File.ReadAllBytes(dir.File("board.bin"));

        Assert.StartsWith(NamingTheFile(kind, error, dir), CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "dap", "board.bin", "bad.bin"), 2));
        Assert.Equal(before, File.ReadAllBytes(dir.File("board.bin")));
    }

    [Fact]
    public async Task Flash_dap_refuses_an_image_that_does_not_fit_the_chip()
    {
        using var dir = new TempDir();
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "board.bin"));
        Assert.Equal(0, (await RunAsync(dir.Path, "image", "make", "--version", "1", "-o", "big.bin", "--size", "1M")).ExitCode);
        Assert.Equal("error: the image (1048576 bytes at 0xb000) does not fit this 1024 KiB chip",
            CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "dap", "board.bin", "big.bin"), 2));
    }

    public static IEnumerable<object[]> FlashCommands() =>
    [
        [new[] { "flash", "info", "F" }],
        [new[] { "flash", "info", "F", "--json" }],
        [new[] { "flash", "boot", "F" }],
        [new[] { "flash", "dap", "F", "v1.bin" }],
        [new[] { "flash", "set-ota-address", "F", "0x80000" }],
        [new[] { "flash", "set-recovery-pin", "F", "18" }],
    ];

    [Theory]
    [MemberData(nameof(FlashCommands))]
    public async Task Every_flash_command_refuses_a_wrong_size_file_in_one_line(string[] command)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), V1);
        foreach (int size in new[] { 1000, 0x100000 - 1, 0x180000 })
        {
            File.WriteAllBytes(dir.File("odd.bin"), new byte[size]);
            var r = await RunAsync(dir.Path, command.Select(a => a == "F" ? "odd.bin" : a).ToArray());
            Assert.Equal($"error: '{dir.File("odd.bin")}' is {size} bytes; a flash file is a raw image of the whole chip, exactly {NorFlash.DescribeSupportedSizes()}",
                CliAssert.OneLineError(r, 2));
            Assert.Equal(size, new FileInfo(dir.File("odd.bin")).Length);
        }
    }

    [Theory]
    [MemberData(nameof(FlashCommands))]
    public async Task Every_flash_command_refuses_a_missing_file_in_one_line(string[] command)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), V1);
        var r = await RunAsync(dir.Path, command.Select(a => a == "F" ? "nothere.bin" : a).ToArray());
        Assert.Equal($"error: flash file '{dir.File("nothere.bin")}' does not exist", CliAssert.OneLineError(r, 2));
        Assert.False(File.Exists(dir.File("nothere.bin")));
    }

    [Fact]
    public async Task A_directory_is_neither_an_image_nor_a_flash_file()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("sub"));
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "board.bin"));
        Assert.Equal($"error: '{dir.File("sub")}' is a directory, not an image file",
            CliAssert.OneLineError(await RunAsync(dir.Path, "image", "info", "sub"), 2));
        Assert.Equal($"error: '{dir.File("sub")}' is a directory, not a flash file",
            CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "boot", "sub"), 2));
    }

    [Fact]
    public async Task Dap_of_an_image2_file_onto_an_erased_chip_says_there_is_no_image1()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), V1);
        var erased = new byte[0x100000];
        Array.Fill(erased, (byte)0xFF);
        File.WriteAllBytes(dir.File("erased.bin"), erased);

        var r = await RunAsync(dir.Path, "flash", "dap", "erased.bin", "v1.bin");

        Assert.StartsWith("error: the flash has no Image 1 header (erased chip?)", CliAssert.OneLineError(r, 2));
        File.WriteAllBytes(dir.File("ram_all.bin"), RamAll.Build(V1));
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "dap", "erased.bin", "ram_all.bin"));
        Assert.Equal("===== Enter Image 2 ====", CliAssert.Ok(await RunAsync(dir.Path, "flash", "boot", "erased.bin")).Lines[^1]);
    }

    [Fact]
    public async Task A_garbage_flash_dump_of_the_right_size_is_inspected_and_booted_without_a_stack_trace()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("dump.bin"), Garbage(0x100000));

        var info = await RunAsync(dir.Path, "flash", "info", "dump.bin");
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("Image 1 header:   MISSING (magic words not found)", info.Stdout);

        var boot = await RunAsync(dir.Path, "flash", "boot", "dump.bin");
        Assert.True(boot.ExitCode is 0 or 3, boot.ToString());
        Assert.Equal("===== Enter Image 1 ====", boot.Lines[0]);
        Assert.Empty(boot.Stderr);
    }

    [Fact]
    public async Task An_all_zero_dump_boots_to_fatal_no_fw()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("zero.bin"), new byte[0x200000]);
        var boot = await RunAsync(dir.Path, "flash", "boot", "zero.bin");
        Assert.Equal(3, boot.ExitCode);
        // u16 at 0x18 is 0, so D = u32 at 0x10 + 32 = 0x20; the OTA address word 0 is below D + 0: INVALID.
        Assert.Equal(["===== Enter Image 1 ====", "OTA addr 0x0 INVALID", "Fatal:no fw"], boot.Lines);
    }
}
