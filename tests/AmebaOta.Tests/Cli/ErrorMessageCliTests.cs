using System.Net;
using System.Net.Sockets;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary>
/// Every error is one line starting with "error:", in our words: never a .NET type name or a raw framework message, no
/// self-contradicting ranges, and on a typo the closest command or option.
/// </summary>
public class ErrorMessageCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    [Theory]
    [InlineData("error: unknown command 'imag' (did you mean 'image'?); see 'ameba-ota --help'", "imag", "make")]
    [InlineData("error: unknown command 'mkae' (did you mean 'make'?); see 'ameba-ota image --help'", "image", "mkae")]
    [InlineData("error: unknown command 'uplod' (did you mean 'upload'?); see 'ameba-ota --help'", "uplod", "v2.bin")]
    [InlineData("error: unknown option '--ipp' (did you mean '--ip'?); see 'ameba-ota upload --help'", "upload", "v2.bin", "--ipp", "1.2.3.4")]
    [InlineData("error: unknown option '--wait-rebot' (did you mean '--wait-reboot'?); see 'ameba-ota upload --help'", "upload", "v2.bin", "--wait-rebot")]
    [InlineData("error: unknown command 'frobnicate'; see 'ameba-ota --help'", "frobnicate")]
    public async Task A_typo_gets_one_line_with_the_closest_command_or_option(string expected, params string[] args)
    {
        using var dir = new TempDir();
        Assert.Equal(expected, CliAssert.OneLineError(await Run(dir, args), 1));
    }

    [Theory]
    [InlineData("error: --port takes a whole number, not 'abc'; see 'ameba-ota device run --help'", "device", "run", "--flash", "b.bin", "--port", "abc")]
    [InlineData("error: --port takes a whole number from 0 to 65535, not '99999'; see 'ameba-ota image make --help'", "image", "make", "--version", "1", "-o", "x.bin", "--port", "99999")]
    [InlineData("error: --timeout takes a number (e.g. 2.5), not 'soon'; see 'ameba-ota upload --help'", "upload", "v2.bin", "--ip", "127.0.0.1", "--timeout", "soon")]
    [InlineData("error: --flash is required (flash file the board boots from; written back after each OTA and on exit); see 'ameba-ota device run --help'", "device", "run")]
    [InlineData("error: --timeout takes a number of seconds above 0 and at most 86400, not -1", "upload", "v2.bin", "--ip", "127.0.0.1", "--timeout", "-1")]
    [InlineData("error: --wait-reboot takes a number of seconds above 0 and at most 3600, not 0", "upload", "v2.bin", "--ip", "127.0.0.1", "--wait-reboot", "0")]
    [InlineData("error: --parallel takes 1 to 1024, not 0", "fleet", "upload", "v2.bin", "--ip", "127.0.0.1", "--parallel", "0")]
    [InlineData("error: --max-rate takes 0 to 100000, not -5", "fleet", "upload", "v2.bin", "--ip", "127.0.0.1", "--max-rate", "-5")]
    public async Task Wrong_values_say_what_the_option_takes_without_dotnet_type_names(string expected, params string[] args)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2));
        string error = CliAssert.OneLineError(await Run(dir, args), 1);
        Assert.Equal(expected, error);
        Assert.DoesNotContain("System.", error);
    }

    [Fact]
    public async Task A_directory_where_a_file_belongs_is_named_as_such()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("out"));
        Assert.Equal("error: cannot write 'out': it is a directory", CliAssert.OneLineError(await Run(dir, "image", "make", "--version", "1", "-o", "out", "--force"), 9));
        Assert.Equal($"error: cannot write flash file 'out': it is a directory", CliAssert.OneLineError(await Run(dir, "flash", "create", "out", "--force"), 9));
        Assert.Equal("error: cannot write 'missing/v1.bin': its directory does not exist or takes no new files",
            CliAssert.OneLineError(await Run(dir, "image", "make", "--version", "1", "-o", "missing/v1.bin"), 9));
    }

    [Fact]
    public async Task Ctrl_C_while_waiting_is_exit_130_with_one_line_not_a_framework_message()
    {
        using var dir = new TempDir();
        // A control socket that takes the command and never answers: the client is then waiting, and we know it.
        string path = dir.File("silent.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        await using var control = CommandProcess.Start(dir.Path, "device", "control", path, "status", "--timeout", "60");
        using var accepted = await listener.AcceptAsync();
        using var reader = new StreamReader(new NetworkStream(accepted));
        Assert.Equal("status", await reader.ReadLineAsync());

        await control.SignalAsync("INT");

        Assert.Equal(130, await control.WaitForExitAsync());
        Assert.Equal(["error: interrupted"], control.Notes.Lines);
    }

    [Fact]
    public async Task Fleet_upload_interrupted_by_Ctrl_C_exits_130_and_its_help_agrees_with_its_exit_codes()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2));
        using var board = new TcpListener(IPAddress.Loopback, 0);   // takes the image, never reboots
        board.Start();
        int port = ((IPEndPoint)board.LocalEndpoint).Port;
        await using var fleet = CommandProcess.Start(dir.Path, "fleet", "upload", "v2.bin", "--ip", $"127.0.0.1:{port}", "--wait-reboot", "60", "--interface", "lo");
        using var client = await board.AcceptTcpClientAsync();
        await client.GetStream().CopyToAsync(Stream.Null);   // every byte, up to the uploader's close: it now waits for the reboot

        await fleet.SignalAsync("INT");

        Assert.Equal(130, await fleet.WaitForExitAsync());
        Assert.Equal("error: interrupted: 0 of 1 boards were updated before Ctrl+C (1 cancelled, 0 not started)", fleet.Notes.Lines[^1]);

        var help = await Run(dir, "fleet", "upload", "--help");
        Assert.Contains("a board that does not counts as not updated (exit 8)", help.Stdout);
        Assert.DoesNotContain("exit 7", help.Stdout);
    }
}
