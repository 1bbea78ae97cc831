using System.Net;
using System.Net.Sockets;
using System.Text;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Protocol.OtaUi.Updates;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.OtaUi;

/// <summary>
/// Compatibility both ways with Realtek's own OTA UI server (Ameba-AIoT/ameba-OTA-UI, run unchanged with Next.js
/// 14.2.3 on Node: <see cref="RealtekOtaUiServer"/>), all real processes: the virtual AMB82-mini (<c>device run</c>)
/// updates through it; the virtual AmebaD <c>OTA_Http</c> fails on its lower-case <c>content-length</c> as AmebaD's SDK
/// does; and <c>serve --ota-ui --fault stock</c> answers a board's download byte for byte as it does (docs/reference
/// section 12.6). Where Realtek's server is not installed (<c>scripts/realtek-ota-ui.sh install</c>) these tests say so
/// and check nothing; CI installs it and requires it.
/// </summary>
public sealed class RealtekOtaUiTests
{
    private static int _next;

    private static string NextBoard() => $"127.0.41.{Interlocked.Increment(ref _next) + 10}";

    private static async Task Ok(TempDir dir, params string[] args)
    {
        var result = await Support.Cli.RunAsync(dir.Path, args);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    /// <summary>What the page's "Start OTA" sends to a board: Chromium's <c>fetch</c> POST with the word as its body, in one write.</summary>
    private static byte[] PageTrigger(string board, RealtekOtaUiServer server) => Encoding.ASCII.GetBytes(
        $"POST / HTTP/1.1\r\nHost: {board}:5000\r\nConnection: keep-alive\r\nContent-Length: 9\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n" +
        $"Content-Type: text/plain;charset=UTF-8\r\nAccept: */*\r\nOrigin: http://{server.Address}\r\nReferer: http://{server.Address}/\r\n" +
        "Accept-Encoding: gzip, deflate\r\nAccept-Language: en-US,en;q=0.9\r\n\r\nstart_ota");

    [Fact]
    public async Task A_virtual_amb82_mini_beats_to_realteks_server_is_listed_takes_the_pages_trigger_downloads_its_ota_bin_and_boots_it()
    {
        using var dir = new TempDir();
        await using var realtek = await RealtekOtaUiServer.StartAsync(dir);
        if (realtek is null) return;
        string board = NextBoard();
        await Ok(dir, "image", "make", "--family", "amebapro2", "--version", "1", "--server", realtek.Address, "--timestamp", "1700000000", "-o", "v1.bin");
        await Ok(dir, "image", "make", "--family", "amebapro2", "--version", "2", "--server", realtek.Address, "--timestamp", "1700000100",
            "--size", "65540", "-o", "v2.bin");
        await Ok(dir, "flash", "create", "amb82.bin", "--family", "amebapro2");
        await Ok(dir, "flash", "dap", "amb82.bin", "v1.bin");
        Assert.Equal("""{"success":true,"name":"ota.bin"}""", await realtek.UploadAsync(File.ReadAllBytes(dir.File("v2.bin"))));

        await using var device = DeviceProcess.Start(dir.Path, "--flash", "amb82.bin", "--ip", board, "--sketch-delays", "short", "--flash-timing", "typical/10");
        var seen = await realtek.WaitForStateAsync(board, OtaUiStates.Name(OtaUiState.Idle));

        using (var page = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Parse(board), OtaUiTrigger.Port)))
        {
            var trigger = PageTrigger(board, realtek);
            await page.SendAsync(trigger);
            var echo = await ReadUntilClosedAsync(page.Socket, TimeSpan.FromSeconds(5));
            Assert.Equal(trigger, echo.Bytes);   // the whole request echoed, not an HTTP answer (the page's fetch fails), then closed
            Assert.True(echo.Closed, "an AmebaPro2 board closes the trigger connection 500 ms after its echo");
        }

        await device.Serial.WaitForAsync("This is version 2", timeout: TimeSpan.FromSeconds(60));
        var booted = DateTimeOffset.UtcNow;
        Assert.Contains("[http_update_ota] Download new firmware begin, total size : 65540", device.Serial.Lines);   // Pro2 reads content-length
        Assert.Contains("=== Load FW2 ===", device.Serial.Lines);
        // The new build beats to the same server and is listed idle again.
        await realtek.WaitForStateAsync(board, OtaUiStates.Name(OtaUiState.Idle), seen, since: booted);
    }

    [Fact]
    public async Task A_virtual_amebad_ota_http_board_refuses_realteks_lower_case_content_length_stays_completed_and_boots_its_old_firmware()
    {
        using var dir = new TempDir();
        await using var realtek = await RealtekOtaUiServer.StartAsync(dir);
        if (realtek is null) return;
        string board = NextBoard();
        await Ok(dir, "image", "make", "--family", "amebad", "--mode", "ota-http", "--version", "1", "--server", realtek.Address, "-o", "v1.bin");
        await Ok(dir, "image", "make", "--family", "amebad", "--mode", "ota-http", "--version", "2", "--server", realtek.Address, "--size", "64K",
            "--ota-all", "-o", "OTA_All.bin");
        await Ok(dir, "flash", "create", "bw16.bin", "--family", "amebad");
        await Ok(dir, "flash", "dap", "bw16.bin", "v1.bin");
        Assert.Equal("""{"success":true,"name":"ota.bin"}""", await realtek.UploadAsync(File.ReadAllBytes(dir.File("OTA_All.bin"))));

        await using var device = DeviceProcess.Start(dir.Path, "--flash", "bw16.bin", "--ip", board, "--sketch-delays", "short", "--flash-timing", "typical/10");
        var seen = await realtek.WaitForStateAsync(board, OtaUiStates.Name(OtaUiState.Idle));
        var trigger = await TriggerSender.SendAsync(new IPEndPoint(IPAddress.Parse(board), OtaUiTrigger.Port), TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.True(trigger.EchoMatches, trigger.ToString());

        await device.Serial.WaitForAsync("[parse_http_response] No Content-Length in header");
        await realtek.WaitForStateAsync(board, OtaUiStates.Name(OtaUiState.DownloadFirmwareCompleted), seen);
        Assert.DoesNotContain(device.Serial.Lines, l => l.Contains("Download new firmware begin", StringComparison.Ordinal));

        await device.SendAsync("reset");
        await device.Serial.WaitForAsync("This is version 1", 2);
        await realtek.WaitForStateAsync(board, OtaUiStates.Name(OtaUiState.Idle), seen, since: DateTimeOffset.UtcNow);
        Assert.DoesNotContain("This is version 2", device.Serial.Lines);
    }

    [Fact]
    public async Task Serve_ota_ui_fault_stock_answers_a_boards_download_as_realteks_server_does_with_and_without_a_file()
    {
        using var dir = new TempDir();
        await using var realtek = await RealtekOtaUiServer.StartAsync(dir);
        if (realtek is null) return;
        await Ok(dir, "image", "make", "--family", "amebapro2", "--version", "2", "--server", "127.0.0.1:3000", "--size", "20484", "-o", "v2.bin");
        byte[] image = File.ReadAllBytes(dir.File("v2.bin"));
        await using var ours = CommandProcess.Start(dir.Path, "serve", "--ota-ui", "v2.bin", "--port", "0", "--fault", "stock", "--no-watch");
        string listen = await ours.Serial.WaitForAsync(l => l.StartsWith("ota ui: ", StringComparison.Ordinal), "serve's address line");
        var oursAt = IPEndPoint.Parse(listen.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]);
        string changes = await ours.Serial.WaitForAsync(l => l.StartsWith("changes: ", StringComparison.Ordinal), "serve's token line");
        string token = changes[(changes.IndexOf("Bearer ", StringComparison.Ordinal) + 7)..].TrimEnd('"');
        using var http = new HttpClient();
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"http://{oursAt}/api/uploadfile") { Headers = { { "Authorization", $"Bearer {token}" } } })
            Assert.True((await http.SendAsync(delete)).IsSuccessStatusCode);

        var theirsMissing = await DownloadAsync(IPEndPoint.Parse(realtek.Address));
        var oursMissing = await DownloadAsync(oursAt);
        Assert.StartsWith("HTTP/1.1 200 OK\r\nvary: ", theirsMissing.Head);
        Assert.Contains("\r\nTransfer-Encoding: chunked", theirsMissing.Head);   // no length at all: every SDK says "No Content-Length in header"
        Assert.Equal("2c\r\n{\"success\":false,\"message\":\"File not found\"}\r\n0\r\n\r\n", Encoding.ASCII.GetString(theirsMissing.Body));
        AssertSame(theirsMissing, oursMissing);

        Assert.Contains("\"success\":true", await realtek.UploadAsync(image));
        using (var upload = new HttpRequestMessage(HttpMethod.Post, $"http://{oursAt}/api/uploadfile")
        {
            Headers = { { "Authorization", $"Bearer {token}" } },
            Content = RealtekOtaUiServer.BrowserForm(image, "v2.bin"),
        })
            Assert.True((await http.SendAsync(upload)).IsSuccessStatusCode);
        var theirsImage = await DownloadAsync(IPEndPoint.Parse(realtek.Address));
        var oursImage = await DownloadAsync(oursAt);
        Assert.Contains("\r\ncontent-length: 20484\r\n", theirsImage.Head);   // lower case: AmebaD's SDK does not find it
        Assert.Equal(image, theirsImage.Body);
        AssertSame(theirsImage, oursImage);
    }

    private static void AssertSame(Download theirs, Download ours)
    {
        static string[] Lines(string head) => [.. head.Split("\r\n").Select(l => l.StartsWith("Date: ", StringComparison.Ordinal) ? "Date: (now)" : l)];
        Assert.Equal(Lines(theirs.Head), Lines(ours.Head));
        Assert.Equal(theirs.Body, ours.Body);
        Assert.Equal(theirs.ClosedWithinASecond, ours.ClosedWithinASecond);   // both keep the connection (Keep-Alive: timeout=5)
    }

    private sealed record Download(string Head, byte[] Body, bool ClosedWithinASecond);

    /// <summary>A board's download request, byte for byte (section 12.4); the head, the body as framed, and whether the server then closed within 1 s.</summary>
    private static async Task<Download> DownloadAsync(IPEndPoint server)
    {
        using var client = await RawClient.ConnectAsync(server);
        await client.SendAsync(OtaUiDownload.Request("127.0.0.1"));
        var received = new List<byte>();
        var buffer = new byte[65536];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int headEnd;
        while ((headEnd = IndexOf(received, "\r\n\r\n"u8)) < 0) received.AddRange(buffer.AsSpan(0, await Receive(client.Socket, buffer, timeout.Token)));
        string head = Encoding.ASCII.GetString([.. received.Take(headEnd)]);
        bool chunked = head.Contains("\r\nTransfer-Encoding: chunked", StringComparison.Ordinal);
        long length = chunked ? -1 : long.Parse(head.Split("\r\n").Single(l => l.StartsWith("content-length: ", StringComparison.OrdinalIgnoreCase))[16..]);
        bool Whole() => chunked ? IndexOf(received, "0\r\n\r\n"u8) >= 0 && received.Count >= headEnd + 4 + 5 &&
            received.Skip(received.Count - 5).SequenceEqual("0\r\n\r\n"u8.ToArray()) : received.Count - headEnd - 4 >= length;
        while (!Whole()) received.AddRange(buffer.AsSpan(0, await Receive(client.Socket, buffer, timeout.Token)));
        var closed = await ReadUntilClosedAsync(client.Socket, TimeSpan.FromSeconds(1));
        Assert.Empty(closed.Bytes);
        return new Download(head, [.. received.Skip(headEnd + 4)], closed.Closed);
    }

    private static async Task<int> Receive(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        if (n == 0) throw new IOException("the server closed before its answer was whole");
        return n;
    }

    /// <summary>Whatever arrives within <paramref name="window"/>, and whether the peer closed in it.</summary>
    private static async Task<(byte[] Bytes, bool Closed)> ReadUntilClosedAsync(Socket socket, TimeSpan window)
    {
        var bytes = new List<byte>();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(window);
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0) bytes.AddRange(buffer.AsSpan(0, n));
            return ([.. bytes], true);
        }
        catch (OperationCanceledException)
        {
            return ([.. bytes], false);
        }
        catch (SocketException)
        {
            return ([.. bytes], true);
        }
    }

    private static int IndexOf(List<byte> haystack, ReadOnlySpan<byte> needle) => CollectionsMarshalSpan(haystack).IndexOf(needle);

    private static ReadOnlySpan<byte> CollectionsMarshalSpan(List<byte> list) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);
}
