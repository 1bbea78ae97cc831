using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary><c>ameba-ota upload</c> as a real process, against plain listeners and the virtual board, on 127.0.0.1.</summary>
public class UploadCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    private static async Task MakeImage(TempDir dir, string name, params string[] args)
    {
        var made = await Run(dir, ["image", "make", "-o", name, .. args]);
        Assert.True(made.ExitCode == 0, made.ToString());
    }

    [Fact]
    public async Task End_to_end_device_run_then_upload_v2_reboots_the_board_from_0x80000_into_version_2()
    {
        using var dir = new TempDir();
        await MakeImage(dir, "v1.bin", "--version", "1");
        await MakeImage(dir, "v2.bin", "--version", "2", "--size", "256K");
        Assert.Equal(0, (await Run(dir, "flash", "create", "board.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "flash", "dap", "board.bin", "v1.bin")).ExitCode);

        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0");
        int port = await device.WaitForPortAsync();
        await device.Serial.WaitForAsync("Wait for client");
        Assert.Contains("This is version 1", device.Serial.Lines);

        var upload = await Run(dir, "upload", "v2.bin", "--ip", "127.0.0.1", "--port", port.ToString());
        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Contains("the board acknowledged 262144 bytes + 12-byte header", upload.Stdout);

        await device.Serial.WaitForAsync("This is version 2");
        await device.Serial.WaitForAsync("Wait for client", 2);
        var lines = device.Serial.Lines;
        int success = Array.IndexOf(lines, "OTA success");
        Assert.True(success > 0, device.Serial.ToString());
        Assert.Equal(["===== Enter Image 1 ====", "load NEW fw 1", "Flash Image2:Addr 0x80000, Len 262128, Load to SRAM 0x10006000"],
            lines[(success + 1)..(success + 4)]);
        Assert.Equal(port, await device.WaitForPortAsync(2));  // same port after the reboot
        Assert.Equal(0, await device.StopAsync());

        var flash = FlashFile.Load(dir.File("board.bin"));
        var v2 = File.ReadAllBytes(dir.File("v2.bin"));
        Assert.Equal(SignatureState.New, FlashImage.Read(flash, 0x80000).Signature);
        Assert.Equal(v2.AsSpan(16).ToArray(), flash.Read(0x80000 + 16, v2.Length - 16));
        Assert.Equal(SignatureState.Old, FlashImage.Read(flash, 0xB000).Signature);
        Assert.Equal(0x80000u, new SystemData(flash).OtaAddress);
    }

    [Fact]
    public async Task Stock_flags_put_exactly_header_and_file_on_the_wire_then_close()
    {
        using var dir = new TempDir();
        await MakeImage(dir, "v2.bin", "--version", "2", "--size", "100000");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var captured = WireCapture.AcceptOneAsync(listener);

        var upload = await Run(dir, "upload", "-i", "127.0.0.1", "-p", ((IPEndPoint)listener.LocalEndpoint).Port.ToString(), "-f", "v2.bin");
        Assert.True(upload.ExitCode == 0, upload.ToString());
        var wire = await captured;
        var file = File.ReadAllBytes(dir.File("v2.bin"));
        Assert.True(wire.EndedWithFin);
        Assert.Equal([.. OtaHeader.For(file).ToArray(), .. file], wire.Bytes);
    }

    [Fact]
    public async Task Json_reports_bytes_sent_checksum_and_duration()
    {
        using var dir = new TempDir();
        await MakeImage(dir, "v2.bin", "--version", "2");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var captured = WireCapture.AcceptOneAsync(listener);

        var upload = await Run(dir, "upload", "v2.bin", "--ip", "127.0.0.1", "--port", ((IPEndPoint)listener.LocalEndpoint).Port.ToString(), "--json");
        Assert.True(upload.ExitCode == 0, upload.ToString());
        await captured;
        var file = File.ReadAllBytes(dir.File("v2.bin"));
        using var json = JsonDocument.Parse(upload.Stdout);
        var root = json.RootElement;
        Assert.Equal(file.Length, root.GetProperty("bytesSent").GetInt64());
        Assert.Equal(file.Length + 12, root.GetProperty("wireBytes").GetInt64());
        Assert.Equal($"0x{Checksum.ByteSum(file):x8}", root.GetProperty("checksum").GetString());
        Assert.Equal(Checksum.ByteSum(file), root.GetProperty("checksumDecimal").GetUInt32());
        Assert.True(root.GetProperty("durationMs").GetDouble() >= 0);
    }

    [Fact]
    public async Task An_image_over_0x80000_is_refused_with_one_sentence_and_exit_2_before_connecting()
    {
        using var dir = new TempDir();
        await MakeImage(dir, "big.bin", "--version", "2", "--size", "0x80010");
        var upload = await Run(dir, "upload", "big.bin", "--ip", "127.0.0.1", "--port", TestImages.UnusedPort().ToString());
        Assert.Equal(2, upload.ExitCode);
        var error = Assert.Single(upload.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: refusing to send big.bin: it is 524304 bytes, over 0x80000", error);
        Assert.Contains("wrap to sector 0 and brick", error);
    }

    [Fact]
    public async Task Force_sends_an_oversized_image_with_a_loud_warning()
    {
        using var dir = new TempDir();
        await MakeImage(dir, "big.bin", "--version", "2", "--size", "0x80010");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var captured = WireCapture.AcceptOneAsync(listener);
        var upload = await Run(dir, "upload", "big.bin", "--ip", "127.0.0.1", "--port", ((IPEndPoint)listener.LocalEndpoint).Port.ToString(), "--force");
        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Contains("warning: --force: SENDING ANYWAY", upload.Stderr);
        Assert.Equal(0x80010 + 12, (await captured).Bytes.Length);
    }

    [Fact]
    public async Task Over_0x7F000_warns_about_the_user_data_sector_but_sends()
    {
        using var dir = new TempDir();
        await MakeImage(dir, "v2.bin", "--version", "2", "--size", "0x7F100");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var captured = WireCapture.AcceptOneAsync(listener);
        var upload = await Run(dir, "upload", "v2.bin", "-i", "127.0.0.1", "-p", ((IPEndPoint)listener.LocalEndpoint).Port.ToString());
        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Contains("warning: 520448 bytes is over 0x7F000", upload.Stderr);
        await captured;
    }

    [Fact]
    public async Task Not_an_image_is_exit_2_and_a_missing_address_is_exit_1()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("junk.bin"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
        var junk = await Run(dir, "upload", "junk.bin", "--ip", "127.0.0.1");
        Assert.Equal(2, junk.ExitCode);
        Assert.StartsWith("error: not an Ameba image", junk.Stderr);

        await MakeImage(dir, "v2.bin", "--version", "2");
        var noIp = await Run(dir, "upload", "v2.bin");
        Assert.Equal(1, noIp.ExitCode);
        Assert.Contains("--ip", noIp.Stderr);
    }

    [Fact]
    public async Task Nothing_listening_is_exit_4()
    {
        using var dir = new TempDir();
        await MakeImage(dir, "v2.bin", "--version", "2");
        var upload = await Run(dir, "upload", "v2.bin", "--ip", "127.0.0.1", "--port", TestImages.UnusedPort().ToString());
        Assert.Equal(4, upload.ExitCode);
        Assert.Contains("connection refused", upload.Stderr);
    }

    [Fact]
    public async Task A_connect_timeout_is_exit_4()
    {
        using var dir = new TempDir();
        await MakeImage(dir, "v2.bin", "--version", "2");
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var queued = await WireCapture.FillBacklogAsync((IPEndPoint)listener.LocalEndPoint!);
        var upload = await Run(dir, "upload", "v2.bin", "--ip", "127.0.0.1", "--port", ((IPEndPoint)listener.LocalEndPoint!).Port.ToString(), "--timeout", "0.5");
        Assert.Equal(4, upload.ExitCode);
        Assert.Contains("no answer within 500 ms", upload.Stderr);
    }

    [Fact]
    public async Task A_connection_reset_mid_transfer_is_exit_5()
    {
        using var dir = new TempDir();
        await MakeImage(dir, "huge.bin", "--version", "2", "--size", "2M");
        using var listener = WireCapture.SmallBufferListener();
        var resetter = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            await peer.ReceiveAsync(new byte[12], SocketFlags.None);
            peer.LingerState = new LingerOption(true, 0);
            peer.Close();
        });
        var upload = await Run(dir, "upload", "huge.bin", "--ip", "127.0.0.1", "--port", ((IPEndPoint)listener.LocalEndPoint!).Port.ToString(), "--force", "--timeout", "5");
        await resetter;
        Assert.Equal(5, upload.ExitCode);
        // Seen as a failed send or as the board's reset, whichever the uploader notices first.
        Assert.Matches("dropped after|reset the connection after acknowledging", upload.Stderr);
    }

    [Fact]
    public async Task A_board_that_stops_reading_is_exit_5_after_the_timeout()
    {
        using var dir = new TempDir();
        await MakeImage(dir, "huge.bin", "--version", "2", "--size", "2M");
        using var listener = WireCapture.SmallBufferListener();
        var accepted = listener.AcceptAsync();
        var upload = await Run(dir, "upload", "huge.bin", "--ip", "127.0.0.1", "--port", ((IPEndPoint)listener.LocalEndPoint!).Port.ToString(), "--force", "--timeout", "1");
        using var peer = await accepted;
        Assert.Equal(5, upload.ExitCode);
        Assert.Contains("acknowledged nothing for 1 s", upload.Stderr);
        Assert.Contains("the connection was reset", upload.Stderr);
    }
}
