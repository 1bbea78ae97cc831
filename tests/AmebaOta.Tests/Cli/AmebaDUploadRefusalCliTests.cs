using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using AmebaOta.Discovery;
using AmebaOta.Images;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary>
/// <c>upload</c> of AmebaD files as a process: what a stock board would choke on, and an image of another family than
/// the board's, are refused (exit 2) before any connection is made (docs/reference section 11.7).
/// </summary>
public sealed class AmebaDUploadRefusalCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    public static TheoryData<string, string> BadFiles => new()
    {
        { "id", "its image id is 'XTA1', not 'OTA…'" },
        { "offset", "its image offset is 36, not 8 + 1 × 24 = 32" },
        { "checksum", "is not the image's byte sum" },
        { "bank", "over a bank's 1024000" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_file_a_stock_board_would_choke_on_is_refused_before_connecting(string fault, string reason)
    {
        using var dir = new TempDir();
        var bytes = fault == "bank" ? AmebaDImages.OtaAll(2, 1_030_000) : AmebaDImages.OtaAll(2, 64 * 1024);
        switch (fault)
        {
            case "id": bytes[8] = (byte)'X'; break;
            case "offset": BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), 36); break;
            case "checksum": BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)) + 1); break;
        }
        File.WriteAllBytes(dir.File("OTA_All.bin"), bytes);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var upload = await Run(dir, "upload", "OTA_All.bin", "--ip", "127.0.0.1", "--port", port.ToString());

        Assert.Equal(2, upload.ExitCode);
        Assert.StartsWith("error: refusing to send OTA_All.bin: ", upload.Stderr);
        Assert.Contains(reason, upload.Stderr);
        Assert.Contains("(--force sends it anyway)", upload.Stderr);
        Assert.False(listener.Pending(), "nothing may connect");
    }

    [Fact]
    public async Task An_image_of_another_family_than_the_one_named_is_refused()
    {
        using var dir = new TempDir();
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "2", "-o", "ota.bin")).ExitCode);
        var upload = await Run(dir, "upload", "ota.bin", "--ip", "127.0.0.1", "--port", TestImages.UnusedPort().ToString(), "--family", "amebad");
        Assert.Equal(2, upload.ExitCode);
        Assert.Contains("refusing to send ota.bin: it is an Ameba1 (RTL8195A, RTL8710) image", upload.Stderr);
        Assert.Contains("--family says the board is an AmebaD", upload.Stderr);
        Assert.Contains("nothing was sent", upload.Stderr);
    }

    [Fact]
    public async Task An_amebad_image_for_an_ameba1_board_found_by_mdns_is_refused_before_connecting()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("OTA_All.bin"), AmebaDImages.OtaAll(2, 64 * 1024));
        using var listener = new TcpListener(IPAddress.Parse("127.0.0.61"), 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string name = "A1-" + Guid.NewGuid().ToString("n")[..6];
        await using var responder = new MdnsResponder(new MdnsResponderOptions { Interface = "lo" });
        await responder.StartAsync(new ServiceAdvertisement(name, name, IPAddress.Parse("127.0.0.61"), (ushort)port, ArduinoService.StockTxt));

        var upload = await Run(dir, "upload", "OTA_All.bin", "--device", name, "--interface", "lo", "--discover-timeout", "5");

        Assert.Equal(2, upload.ExitCode);
        Assert.Contains($"refusing to send OTA_All.bin: it is an AmebaD (RTL8721D: BW16, AMB21-AMB26) image", upload.Stderr);
        Assert.Contains($"'{name}' is an Ameba1 (RTL8195A, RTL8710) board (TXT board=ameba_rtl8195a)", upload.Stderr);
        Assert.False(listener.Pending(), "nothing may connect");
    }

    [Fact]
    public async Task A_board_that_does_not_listen_needs_a_reset_and_the_history_says_its_last_upload_failed()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("OTA_All.bin"), AmebaDImages.OtaAll(2, 64 * 1024));
        string db = dir.File("h.db");
        // A board that took the header, then closed: a failed upload; then nothing listens (OTA_Basic's one try per boot).
        var address = IPAddress.Parse("127.0.0.62");
        var listener = new TcpListener(address, 0);
        // lwIP's receive window (5 × 1460 bytes on the RTL8721D): without it, loopback's large buffer acknowledges the whole
        // image before the board has read its header, and a busy host then sees every byte acknowledged: a success.
        listener.Server.ReceiveBufferSize = 8192;
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var board = Task.Run(async () =>
        {
            using var peer = await listener.AcceptSocketAsync();
            var buffer = new byte[44];
            for (int got = 0; got < buffer.Length;) got += await peer.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None);
            peer.Close();
            listener.Stop();
        });
        var first = await Run(dir, "upload", "OTA_All.bin", "--ip", address.ToString(), "--port", port.ToString(), "--db", db);
        await board;
        Assert.True(first.ExitCode == 5, first.Stdout + first.Stderr);
        // The board's close (a reset: it leaves bytes unread) is seen by the watching loop or by the sending one, whichever is first.
        Assert.Matches(@"(closed|reset) the connection after acknowledging|dropped after \d+ of \d+ bytes acknowledged", first.Stderr);

        var second = await Run(dir, "upload", "OTA_All.bin", "--ip", address.ToString(), "--port", port.ToString(), "--db", db);
        Assert.Equal(4, second.ExitCode);
        Assert.Contains("connection refused", second.Stderr);
        Assert.Contains("nothing listens on 8082 until the board is reset", second.Stderr);
        Assert.Contains($"the last upload to {address}:{port}", second.Stderr);
        Assert.Contains("failed", second.Stderr);
    }
}
