using System.Net;
using System.Net.Sockets;
using AmebaOta.Tests.Device;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary>
/// One board per address and port, one board per flash file: a second <c>device run</c> on either is refused with one
/// line, instead of the kernel sharing uploads between two boards or two boards writing one file back in turn.
/// </summary>
public class OneBoardPerPortAndFileCliTests
{
    private static async Task<TempDir> BoardDir(params string[] files)
    {
        var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        foreach (var f in files)
        {
            Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "create", f)).ExitCode);
            Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "dap", f, "v1.bin")).ExitCode);
        }
        return dir;
    }

    [Fact]
    public async Task A_second_board_on_the_same_address_and_port_is_refused_with_one_line()
    {
        using var dir = await BoardDir("a.bin", "b.bin");
        await using var first = DeviceProcess.Start(dir.Path, "--flash", "a.bin", "--port", "0", "--no-mdns", "--no-stdin");
        int port = await first.WaitForPortAsync();

        var second = await Support.Cli.RunAsync(dir.Path, "device", "run", "--flash", "b.bin", "--port", port.ToString(), "--no-mdns", "--no-stdin");

        string error = CliAssert.OneLineError(second, 9);
        Assert.Equal($"error: 127.0.0.1:{port} is taken: another board (device run) or program listens there; stop it, or give this board another --port (--port 0: any free port)", error);
        Assert.Equal("", second.Stdout);   // it never booted
    }

    [Fact]
    public async Task A_board_listens_without_SO_REUSEPORT_so_no_other_socket_can_share_its_port()
    {
        // .NET's ReuseAddress means SO_REUSEADDR + SO_REUSEPORT on Linux. Had the board's receiver (or its port
        // reservation) set it too, this second listener would join it and the kernel would share uploads between them.
        using var dir = new TempDir();
        await using var board = new BoardHarness(dir, TestImages.Image(1));
        var endPoint = await board.WaitForClientAsync();

        using var intruder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        intruder.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        var e = Assert.Throws<SocketException>(() =>
        {
            intruder.Bind(endPoint);
            intruder.Listen(1);
        });
        Assert.Equal(SocketError.AddressAlreadyInUse, e.SocketErrorCode);
    }

    [Fact]
    public async Task A_second_board_on_the_same_flash_file_is_refused_even_through_a_symlink_and_readers_still_work()
    {
        using var dir = await BoardDir("board.bin");
        File.CreateSymbolicLink(dir.File("link.bin"), "board.bin");
        await using var first = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--no-mdns", "--no-stdin");
        await first.WaitForPortAsync();

        var second = await Support.Cli.RunAsync(dir.Path, "device", "run", "--flash", "board.bin", "--port", "0", "--no-mdns", "--no-stdin");
        Assert.Equal("error: 'board.bin' is in use by another running board (device run or device farm): stop it first, or give this board its own copy of the flash file",
            CliAssert.OneLineError(second, 9));
        var viaLink = await Support.Cli.RunAsync(dir.Path, "device", "run", "--flash", "link.bin", "--port", "0", "--no-mdns", "--no-stdin");
        Assert.Contains("'link.bin' is in use by another running board", CliAssert.OneLineError(viaLink, 9));

        // The lock is only for boards: reading the file while the board runs still works.
        CliAssert.Ok(await Support.Cli.RunAsync(dir.Path, "flash", "info", "board.bin"));

        // After the first board's write-backs (each one replaces the file), the lock still holds: upload, then try again.
        await AmebaOta.Protocol.OtaUploader.UploadAsync(new IPEndPoint(IPAddress.Loopback, await first.WaitForPortAsync()), TestImages.Image(2, 5000));
        await first.Serial.WaitForAsync("This is version 2");
        await first.WaitForPortAsync(2);
        var third = await Support.Cli.RunAsync(dir.Path, "device", "run", "--flash", "board.bin", "--port", "0", "--no-mdns", "--no-stdin");
        Assert.Contains("is in use by another running board", CliAssert.OneLineError(third, 9));

        Assert.Equal(0, await first.StopAsync());
        await using var next = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--no-mdns", "--no-stdin");
        await next.Serial.WaitForAsync("This is version 2");   // free again once the first board stopped
    }
}
