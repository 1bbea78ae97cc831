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

/// <summary>
/// A ram_2.p.bin-style image (signed "new") never reaches a board with its signature, whichever command sends it: the
/// two signature words go out as 0xFF, the header's checksum is that of the bytes sent, and one line says so.
/// </summary>
public class PreSignedImageCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    private static async Task<byte[]> MakeSignedAsync(TempDir dir)
    {
        var made = await Run(dir, "image", "make", "--version", "2", "--size", "20000", "--signed", "-o", "v2.p.bin");
        Assert.True(made.ExitCode == 0, made.ToString());
        var file = File.ReadAllBytes(dir.File("v2.p.bin"));
        Assert.Equal(SignatureState.New, SegmentHeader.Read(file).Signature);
        return file;
    }

    private static byte[] Cleared(byte[] file)
    {
        var sent = (byte[])file.Clone();
        Array.Fill(sent, (byte)0xFF, 8, 8);
        return sent;
    }

    [Fact]
    public async Task Upload_sends_the_image_with_its_signature_cleared_and_says_so_in_one_line()
    {
        using var dir = new TempDir();
        var file = await MakeSignedAsync(dir);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var captured = WireCapture.AcceptOneAsync(listener);

        var upload = await Run(dir, "upload", "v2.p.bin", "--ip", "127.0.0.1", "--port", ((IPEndPoint)listener.LocalEndpoint).Port.ToString());

        Assert.True(upload.ExitCode == 0, upload.ToString());
        var sent = Cleared(file);
        var wire = (await captured).Bytes;
        Assert.Equal([.. OtaHeader.For(sent).ToArray(), .. sent], wire);
        var note = Assert.Single(upload.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("signed \"new\"", note);
        Assert.Contains("cleared to 0xFF", note);
        Assert.Contains($"checksum 0x{Checksum.ByteSum(sent):x8}", upload.Stdout);
    }

    [Fact]
    public async Task Upload_json_lists_the_note_in_its_warnings_and_reports_the_checksum_sent()
    {
        using var dir = new TempDir();
        var file = await MakeSignedAsync(dir);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var captured = WireCapture.AcceptOneAsync(listener);

        var upload = await Run(dir, "upload", "v2.p.bin", "--ip", "127.0.0.1", "--port", ((IPEndPoint)listener.LocalEndpoint).Port.ToString(), "--json");

        Assert.True(upload.ExitCode == 0, upload.ToString());
        await captured;
        using var json = JsonDocument.Parse(upload.Stdout);
        uint sum = Checksum.ByteSum(Cleared(file));
        Assert.Equal($"0x{sum:x8}", json.RootElement.GetProperty("checksum").GetString());
        var warning = Assert.Single(json.RootElement.GetProperty("warnings").EnumerateArray());
        Assert.Contains("cleared to 0xFF", warning.GetString());
    }

    [Fact]
    public async Task Fleet_upload_sends_the_image_with_its_signature_cleared()
    {
        using var dir = new TempDir();
        var file = await MakeSignedAsync(dir);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var captured = WireCapture.AcceptOneAsync(listener);

        var run = await Run(dir, "fleet", "upload", "v2.p.bin", "--ip", $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}", "--retries", "0");

        Assert.True(run.ExitCode == 0, run.ToString());
        var sent = Cleared(file);
        var wire = (await captured).Bytes;
        Assert.Equal([.. OtaHeader.For(sent).ToArray(), .. sent], wire);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("cleared to 0xFF"));
    }

    [Fact]
    public async Task A_virtual_board_updated_with_a_pre_signed_image_signs_it_itself_and_boots_it()
    {
        using var dir = new TempDir();
        await MakeSignedAsync(dir);
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "1", "-o", "v1.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "flash", "create", "board.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "flash", "dap", "board.bin", "v1.bin")).ExitCode);
        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--no-mdns");
        int port = await device.WaitForPortAsync();
        await device.Serial.WaitForAsync("Wait for client");

        var upload = await Run(dir, "upload", "v2.p.bin", "--ip", "127.0.0.1", "--port", port.ToString());

        Assert.True(upload.ExitCode == 0, upload.ToString());
        await device.Serial.WaitForAsync("This is version 2");
        Assert.Equal(0, await device.StopAsync());
        Assert.Equal(SignatureState.New, FlashImage.Read(FlashFile.Load(dir.File("board.bin")), FlashLayout.DefaultOtaAddress).Signature);
    }
}
