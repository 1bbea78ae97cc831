using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Tests.Support;
using static AmebaOta.Tests.Support.Cli;

namespace AmebaOta.Tests.Cli;

/// <summary><c>flash set-ota-address</c> and <c>flash set-recovery-pin</c>: the words in system data, and what they print.</summary>
public class SystemDataCliTests
{
    private static async Task<TempDir> Board()
    {
        var dir = new TempDir();
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "board.bin"));
        return dir;
    }

    private static uint Word(TempDir dir, uint address) => Chip.U32(File.ReadAllBytes(dir.File("board.bin")), address);

    [Fact]
    public async Task Set_ota_address_writes_0x9000()
    {
        using var dir = await Board();
        var r = CliAssert.Ok(await RunAsync(dir.Path, "flash", "set-ota-address", "board.bin", "0x80000"));
        Assert.Equal(["OTA address set to 0x80000"], r.Lines);
        Assert.Equal(0x80000u, Word(dir, 0x9000));
    }

    [Fact]
    public async Task Changing_the_ota_address_rewrites_through_the_backup_sector_and_none_erases_it()
    {
        using var dir = await Board();
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "set-recovery-pin", "board.bin", "18"));
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "set-ota-address", "board.bin", "524288"));

        var r = CliAssert.Ok(await RunAsync(dir.Path, "flash", "set-ota-address", "board.bin", "0xC0000"));
        Assert.Equal(["OTA address set to 0xc0000 (the word held another value: sector rewritten through the backup sector 0x8000)"], r.Lines);
        Assert.Equal(0xC0000u, Word(dir, 0x9000));
        Assert.Equal(0x0000C5FFu, Word(dir, 0x9008));
        Assert.True(File.ReadAllBytes(dir.File("board.bin")).AsSpan(0x8000, 0x1000).IndexOfAnyExcept((byte)0xFF) < 0);

        CliAssert.Ok(await RunAsync(dir.Path, "flash", "set-ota-address", "board.bin", "none"));
        Assert.Equal(0xFFFFFFFFu, Word(dir, 0x9000));
    }

    [Fact]
    public async Task An_unaligned_ota_address_is_written_with_a_warning()
    {
        using var dir = await Board();
        var r = await RunAsync(dir.Path, "flash", "set-ota-address", "board.bin", "0x80800");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("warning: the address is not 4 KiB aligned; the boot loader will print \"OTA addr ... INVALID\" and ignore it", r.Stderr.TrimEnd());
        Assert.Equal(0x80800u, Word(dir, 0x9000));
    }

    [Fact]
    public async Task A_bad_address_is_a_usage_error()
    {
        using var dir = await Board();
        Assert.Equal("error: 'far' is not an address (use 0x80000 or 524288)",
            CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "set-ota-address", "board.bin", "far"), 1));
    }

    [Fact]
    public async Task Set_recovery_pin_18_stores_PE_5_active_high_in_byte_1()
    {
        using var dir = await Board();
        var r = CliAssert.Ok(await RunAsync(dir.Path, "flash", "set-recovery-pin", "board.bin", "18"));
        Assert.Equal(["recovery pin set: PE_5 (Arduino pin 18 on rtl8195a), active HIGH"], r.Lines);
        Assert.Equal(new byte[] { 0xFF, 0xC5, 0x00, 0x00 }, File.ReadAllBytes(dir.File("board.bin"))[0x9008..0x900C]);
    }

    [Fact]
    public async Task Set_recovery_pin_with_two_pins_puts_the_second_in_byte_0()
    {
        using var dir = await Board();
        var r = CliAssert.Ok(await RunAsync(dir.Path, "flash", "set-recovery-pin", "board.bin", "18", "17"));
        Assert.Equal(["recovery pin set: PE_5 (Arduino pin 18 on rtl8195a), active HIGH; second pin PA_0 (Arduino pin 17 on rtl8195a), active HIGH"], r.Lines);
        Assert.Equal(0x0000C580u, Word(dir, 0x9008));

        var info = CliAssert.Ok(await RunAsync(dir.Path, "flash", "info", "board.bin"));
        Assert.Contains("recovery pin 0:   PA_0 (Arduino pin 17 on rtl8195a), active HIGH", info.Lines);
        Assert.Contains("recovery pin 1:   PE_5 (Arduino pin 18 on rtl8195a), active HIGH (checked last: this one decides)", info.Lines);
    }

    [Fact]
    public async Task Set_recovery_pin_on_rtl8710_maps_17_to_PA_0_and_accepts_chip_names()
    {
        using var dir = await Board();
        var r = CliAssert.Ok(await RunAsync(dir.Path, "flash", "set-recovery-pin", "board.bin", "17", "--board", "rtl8710"));
        Assert.Equal(["recovery pin set: PA_0 (Arduino pin 17 on rtl8710), active HIGH"], r.Lines);
        Assert.Equal(0x000080FFu, Word(dir, 0x9008) );

        using var dir2 = await Board();
        CliAssert.Ok(await RunAsync(dir2.Path, "flash", "set-recovery-pin", "board.bin", "PE_5"));
        Assert.Equal(0x0000C5FFu, Word(dir2, 0x9008));
    }

    [Theory]
    [InlineData("18", "rtl8710", "error: Arduino pin 18 is not connected on rtl8710")]
    [InlineData("D18", "rtl8195a", "error: 'D18' is not a pin: use an Arduino pin number (18) or a chip pin name (PE_5)")]
    [InlineData("18", "esp32", "error: unknown board 'esp32': use rtl8195a or rtl8710")]
    public async Task Bad_pins_and_boards_are_usage_errors_and_change_nothing(string pin, string board, string error)
    {
        using var dir = await Board();
        var before = File.ReadAllBytes(dir.File("board.bin"));
        Assert.Equal(error, CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "set-recovery-pin", "board.bin", pin, "--board", board), 1));
        Assert.Equal(before, File.ReadAllBytes(dir.File("board.bin")));
    }

    [Fact]
    public async Task The_flash_file_stays_a_whole_chip_image()
    {
        using var dir = await Board();
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "set-ota-address", "board.bin", "0x80000"));
        Assert.Equal(FlashLayout.OneMiB, new FileInfo(dir.File("board.bin")).Length);
        Assert.Equal(["board.bin"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}
