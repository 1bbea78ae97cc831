using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

public class FoundationCliTests
{
    [Fact]
    public async Task Make_dap_boot_prints_the_boot_log_of_a_usb_upload()
    {
        using var dir = new TempDir();
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "1", "-o", "v1.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "create", "board.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "dap", "board.bin", "v1.bin")).ExitCode);
        var boot = await Support.Cli.RunAsync(dir.Path, "flash", "boot", "board.bin");
        Assert.Equal(0, boot.ExitCode);
        Assert.Equal(
        [
            "===== Enter Image 1 ====",
            "load NEW fw 0",
            "Flash Image2:Addr 0xb000, Len 56, Load to SRAM 0x10006000",
            "No Image3",
            "Img2 Sign: RTKWin, InfaStart @ 0x10006049",
            "===== Enter Image 2 ====",
        ], boot.Lines);
    }
}
