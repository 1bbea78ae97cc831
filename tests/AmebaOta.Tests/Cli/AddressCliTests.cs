using System.Net;
using System.Net.Sockets;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary>
/// Addresses are read strictly: the C library's shorthand IPv4 forms (127.1, 2130706433, 1.2.3) are refused with one
/// line and nothing is sent, since a typo must never send firmware to another host; host names are resolved explicitly.
/// </summary>
public class AddressCliTests
{
    private static async Task<TempDir> ImageDir()
    {
        var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2));
        return await Task.FromResult(dir);
    }

    [Theory]
    [InlineData("127.1")]
    [InlineData("2130706433")]
    [InlineData("127.0.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("0127.0.0.1")]
    [InlineData("127.0.0.1.")]
    public async Task Shorthand_ipv4_forms_are_refused_and_nothing_is_sent(string typed)
    {
        using var dir = await ImageDir();
        using var listener = new TcpListener(IPAddress.Loopback, 0);   // where each of these would have gone
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var r = await Support.Cli.RunAsync(dir.Path, "upload", "v2.bin", "--ip", typed, "--port", port.ToString());

        Assert.Equal($"error: --ip '{typed}' is not a dotted-quad IPv4 address: write all four numbers, 0 to 255, without leading zeros (for example 192.168.1.50)",
            CliAssert.OneLineError(r, 1));
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task Fleet_refuses_them_too_and_takes_address_colon_port()
    {
        using var dir = await ImageDir();
        var r = await Support.Cli.RunAsync(dir.Path, "fleet", "upload", "v2.bin", "--ip", "1.2.3");
        Assert.StartsWith("error: --ip '1.2.3' is not a dotted-quad IPv4 address", CliAssert.OneLineError(r, 1));
        var badPort = await Support.Cli.RunAsync(dir.Path, "fleet", "upload", "v2.bin", "--ip", "127.0.0.1:99999");
        Assert.Equal("error: --ip '127.0.0.1:99999': the port after ':' must be a number from 1 to 65535", CliAssert.OneLineError(badPort, 1));
    }

    [Fact]
    public async Task A_host_name_is_resolved_explicitly_and_the_upload_goes_to_its_address()
    {
        using var dir = await ImageDir();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();

        var r = await Support.Cli.RunAsync(dir.Path, "upload", "v2.bin", "--ip", "localhost", "--port", port.ToString());

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"to 127.0.0.1:{port}", r.Stdout);
        using var client = await accepted;
        var unknown = await Support.Cli.RunAsync(dir.Path, "upload", "v2.bin", "--ip", "no-such-host.invalid", "--port", port.ToString());
        Assert.Equal("error: --ip 'no-such-host.invalid': no such host (the name does not resolve to an address)", CliAssert.OneLineError(unknown, 4));
    }

    [Fact]
    public async Task Device_run_on_ipv6_with_mdns_and_an_address_not_of_this_machine_are_clear_errors()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "create", "board.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "flash", "dap", "board.bin", "v1.bin")).ExitCode);

        var v6 = await Support.Cli.RunAsync(dir.Path, "device", "run", "--flash", "board.bin", "--ip", "::1", "--interface", "lo", "--no-stdin");
        Assert.Equal("error: --ip ::1: the board's mDNS advertises an IPv4 address (an A record); use an IPv4 --ip, or add --no-mdns to listen on IPv6 without advertising",
            CliAssert.OneLineError(v6, 1));
        var elsewhere = await Support.Cli.RunAsync(dir.Path, "device", "run", "--flash", "board.bin", "--ip", "10.9.9.9", "--no-stdin");
        Assert.Equal("error: --ip 10.9.9.9 is not an address of this machine, so the board cannot listen on it (127.0.0.1 is always there)",
            CliAssert.OneLineError(elsewhere, 1));
    }

    [Theory]
    [InlineData("", "error: --name must be 1 to 63 bytes long (one DNS label); '' is 0")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123",
        "error: --name must be 1 to 63 bytes long (one DNS label); '0123456789012345678901234567890123456789…' is 64")]
    public async Task Mdns_advertise_with_an_empty_or_over_long_name_is_a_clear_error(string name, string expected)
    {
        using var dir = new TempDir();
        var r = await Support.Cli.RunAsync(dir.Path, "mdns", "advertise", "--name", name, "--ip", "127.0.0.1", "--interface", "lo");
        Assert.Equal(expected, CliAssert.OneLineError(r, 1));
    }
}
