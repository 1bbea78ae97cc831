using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary>Checks a user expects from image and flash commands: a pin the board does not have, an image too big for the OTA region, an OTA address off the chip.</summary>
public class InputChecksCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    [Fact]
    public async Task Image_make_refuses_a_recovery_pin_the_board_does_not_have()
    {
        using var dir = new TempDir();
        Assert.Equal("error: --recovery-pin 99: Arduino pin 99 is not connected on rtl8195a, so setRecoverPin() could not use it",
            CliAssert.OneLineError(await Run(dir, "image", "make", "--version", "1", "--recovery-pin", "99", "-o", "v1.bin"), 1));
        Assert.False(File.Exists(dir.File("v1.bin")));
        CliAssert.Ok(await Run(dir, "image", "make", "--version", "1", "--recovery-pin", "17", "--board", "rtl8710", "-o", "v1.bin"));
    }

    [Fact]
    public async Task Image_make_warns_with_the_reason_when_the_image_is_larger_than_the_ota_region()
    {
        using var dir = new TempDir();
        var r = await Run(dir, "image", "make", "--version", "2", "--size", "0x90000", "-o", "big.bin");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("warning: big.bin: 589824 bytes is over 0x80000: at the default OTA address it would run off a 1 MiB chip", r.Stderr.TrimEnd());
        Assert.Equal(0x90000, new FileInfo(dir.File("big.bin")).Length);
    }

    [Fact]
    public async Task Set_ota_address_refuses_an_address_off_the_chip_unless_forced()
    {
        using var dir = new TempDir();
        CliAssert.Ok(await Run(dir, "flash", "create", "board.bin"));
        var before = File.ReadAllBytes(dir.File("board.bin"));

        var refused = await Run(dir, "flash", "set-ota-address", "board.bin", "0x200000");
        Assert.Equal("error: 0x200000 is beyond the end of this 1024 KiB chip (0x100000): an OTA there would write past the end of the flash " +
                     "and wrap around to sector 0 (Image 1), bricking the board; --force writes it anyway", CliAssert.OneLineError(refused, 1));
        Assert.Equal(before, File.ReadAllBytes(dir.File("board.bin")));

        var forced = await Run(dir, "flash", "set-ota-address", "board.bin", "0x200000", "--force");
        Assert.Equal(0, forced.ExitCode);
        Assert.StartsWith("warning: --force: writing it anyway although 0x200000 is beyond the end", forced.Stderr);
        Assert.Equal(0x200000u, Chip.U32(File.ReadAllBytes(dir.File("board.bin")), 0x9000));

        CliAssert.Ok(await Run(dir, "flash", "create", "big.bin", "--size", "2M"));
        CliAssert.Ok(await Run(dir, "flash", "set-ota-address", "big.bin", "0x180000"));   // on a 2 MiB chip it is fine
    }
}
