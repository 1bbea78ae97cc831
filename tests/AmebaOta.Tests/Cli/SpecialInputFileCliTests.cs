using System.Diagnostics;
using AmebaOta.Tests.Support;
using static AmebaOta.Tests.Support.Cli;

namespace AmebaOta.Tests.Cli;

/// <summary>
/// An endless or special file (/dev/zero, a FIFO, a directory) or one larger than a chip, given as an image or a flash
/// file: refused in one line with exit 2 before anything is read, never an internal error, never a hang.
/// </summary>
public class SpecialInputFileCliTests
{
    private const string NotRegular = "it is empty, or not a regular file (a device such as /dev/zero, a pipe, a socket)";

    public static TheoryData<string> Specials => ["/dev/zero", "fifo", "empty", "directory"];

    /// <summary>The path of a special file of the given kind inside <paramref name="dir"/> (or /dev/zero).</summary>
    private static string Make(TempDir dir, string kind)
    {
        switch (kind)
        {
            case "/dev/zero":
                return kind;
            case "fifo":
                using (var mkfifo = Process.Start("mkfifo", dir.File("fifo.bin"))!) mkfifo.WaitForExit();
                Assert.True(File.Exists(dir.File("fifo.bin")));
                return dir.File("fifo.bin");
            case "empty":
                File.WriteAllBytes(dir.File("empty.bin"), []);
                return dir.File("empty.bin");
            default:
                Directory.CreateDirectory(dir.File("sub.bin"));
                return dir.File("sub.bin");
        }
    }

    private static string Expected(string path, string kind, string what) => kind == "directory"
        ? $"error: '{path}' is a directory, not {what}"
        : $"error: '{path}' is not {what}: {NotRegular}";

    [Theory]
    [MemberData(nameof(Specials))]
    public async Task Image_commands_refuse_it_in_one_line(string kind)
    {
        using var dir = new TempDir();
        string path = Make(dir, kind);
        CliAssert.Ok(await RunAsync(dir.Path, "flash", "create", "board.bin"));
        string expected = Expected(path, kind, "an image file");

        Assert.Equal(expected, CliAssert.OneLineError(await RunAsync(dir.Path, "image", "info", path), 2));
        Assert.Equal(expected, CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "dap", "board.bin", path), 2));
        Assert.Equal(expected, CliAssert.OneLineError(await RunAsync(dir.Path, "upload", path, "--ip", "127.0.0.1", "--port", TestImages.UnusedPort().ToString()), 2));
        Assert.Equal(expected, CliAssert.OneLineError(await RunAsync(dir.Path, "fleet", "upload", path, "--ip", "127.0.0.1"), 2));
    }

    [Theory]
    [MemberData(nameof(Specials))]
    public async Task Flash_commands_refuse_it_in_one_line(string kind)
    {
        using var dir = new TempDir();
        string path = Make(dir, kind);
        string expected = Expected(path, kind, "a flash file");

        Assert.Equal(expected, CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "info", path), 2));
        Assert.Equal(expected, CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "boot", path), 2));
        Assert.Equal(expected, CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "set-ota-address", path, "0x80000"), 2));
        Assert.Equal(expected, CliAssert.OneLineError(await RunAsync(dir.Path, "device", "run", "--flash", path, "--no-mdns", "--port", "0"), 2));
    }

    [Fact]
    public async Task An_image_larger_than_a_chip_is_refused_without_reading_it()
    {
        using var dir = new TempDir();
        using (var f = File.Create(dir.File("big.bin"))) f.SetLength(2 * 1024 * 1024 + 1);

        var error = CliAssert.OneLineError(await RunAsync(dir.Path, "image", "info", "big.bin"), 2);

        Assert.Equal($"error: '{dir.File("big.bin")}' is 2097153 bytes, larger than any Ameba flash (2 MiB): not an image", error);
    }

    [Fact]
    public async Task A_flash_file_larger_than_a_chip_is_refused_with_its_size()
    {
        using var dir = new TempDir();
        using (var f = File.Create(dir.File("big.bin"))) f.SetLength(1L << 32);

        var error = CliAssert.OneLineError(await RunAsync(dir.Path, "flash", "info", "big.bin"), 2);

        Assert.StartsWith($"error: '{dir.File("big.bin")}' is 4294967296 bytes; a flash file is a raw image of the whole chip", error);
    }
}
