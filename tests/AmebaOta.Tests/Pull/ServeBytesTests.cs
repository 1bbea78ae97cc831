using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using AmebaOta.Images;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Pull;

/// <summary>What <c>serve</c> and <c>publish</c> put on the wire and on disk, byte for byte, and how they take a new image.</summary>
public class ServeBytesTests
{
    private static readonly byte[] V2 = TestImages.Image(2, 20 * 1024);
    private static readonly uint Sum = Checksum.ByteSum(V2);

    /// <summary>The request as the board's client sends it, and everything the server sends back until it closes.</summary>
    private static async Task<byte[]> ExchangeAsync(IPEndPoint server, string request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server);
        if (request.Length > 0) await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0) break;
            received.Write(buffer, 0, n);
            if (request.Contains("Connection: close") || request.Length == 0) continue;
            // http_update_ota keeps the connection: stop once the announced body is in.
            var text = Encoding.ASCII.GetString(received.ToArray());
            int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            var length = Regex.Match(text, "Content-Length: (\\d+)", RegexOptions.IgnoreCase);
            if (end >= 0 && length.Success && received.Length >= end + 4 + long.Parse(length.Groups[1].Value)) break;
        }
        return received.ToArray();
    }

    private static string CloudRequest(string path, IPEndPoint server) =>
        $"GET {path} HTTP/1.1\r\nHost: {server.Address}:{server.Port}\r\nUser-Agent: Ameba\r\nConnection: close\r\n\r\n";

    private static string SdkHttpRequest(string resource, IPEndPoint server) => $"GET /{resource} HTTP/1.1\r\nHost: {server.Address}\r\n\r\n";

    private static (string Head, byte[] Body) Split(byte[] response)
    {
        int end = response.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        return (Encoding.ASCII.GetString(response, 0, end), response[end..]);
    }

    private static string MaskDate(string head) => Regex.Replace(head, "Date: [^\r]*\r\n", "Date: *\r\n");

    private static byte[] WithTrailer()
    {
        var expected = new byte[V2.Length + 4];
        V2.CopyTo(expected, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(V2.Length), Sum);
        return expected;
    }

    [Fact]
    public async Task Each_client_gets_exactly_the_bytes_it_parses()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), V2);
        await using var serve = await ServeProcess.StartAsync(dir.Path, "v2.bin");

        var (head, body) = Split(await ExchangeAsync(serve.Http, CloudRequest("/check.txt", serve.Http)));
        Assert.Equal($"HTTP/1.1 200 OK\r\nContent-Length: {Sum.ToString().Length}\r\nConnection: close\r\nDate: *\r\n\r\n", MaskDate(head));
        Assert.Equal(Sum.ToString(), Encoding.ASCII.GetString(body));

        (head, body) = Split(await ExchangeAsync(serve.Http, CloudRequest("/ota.bin", serve.Http)));
        Assert.Equal($"HTTP/1.1 200 OK\r\nContent-Length: {V2.Length}\r\nConnection: close\r\nDate: *\r\n\r\n", MaskDate(head));
        Assert.True(head.Length < 512 - 100, "CloudOTA's first body read is 512 - header length");
        Assert.Equal(V2, body);

        foreach (var resource in new[] { "", "ota_sdk.bin", "firmware/any?x=1" })
        {
            (head, body) = Split(await ExchangeAsync(serve.Http, SdkHttpRequest(resource, serve.Http)));
            Assert.Equal($"HTTP/1.1 200 OK\r\nContent-Length: {V2.Length + 4}\r\nDate: *\r\n\r\n", MaskDate(head));
            Assert.Equal(WithTrailer(), body);
        }

        var tcp = await ExchangeAsync(serve.Tcp!, "");
        Assert.Equal(12 + V2.Length + 4, tcp.Length);
        Assert.Equal(Sum, BinaryPrimitives.ReadUInt32LittleEndian(tcp));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(tcp.AsSpan(4)));
        Assert.Equal((uint)(V2.Length + 4), BinaryPrimitives.ReadUInt32LittleEndian(tcp.AsSpan(8)));
        Assert.Equal(WithTrailer(), tcp[12..]);
    }

    [Theory]
    [InlineData("no-reason", "HTTP/1.1 200\r\nContent-Length: {0}\r\nConnection: close\r\n\r\n")]
    [InlineData("lowercase-length", "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {0}\r\nconnection: close\r\n\r\n")]
    [InlineData("404", "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 118\r\nConnection: close\r\n\r\n")]
    [InlineData("close-early", "HTTP/1.1 200 OK\r\nContent-Length: {0}\r\nConnection: close\r\n\r\n")]
    public async Task Each_fault_sends_the_head_it_is_named_after(string fault, string expectedHead)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), V2);
        await using var serve = await ServeProcess.StartAsync(dir.Path, "v2.bin", "--fault", fault);
        var (head, body) = Split(await ExchangeAsync(serve.Http, CloudRequest("/ota.bin", serve.Http)));
        Assert.Equal(string.Format(expectedHead, V2.Length), head);
        if (fault == "close-early") Assert.Equal(V2[..(V2.Length / 2)], body);
        else if (fault == "404") Assert.StartsWith("<html>", Encoding.ASCII.GetString(body));
        else Assert.Equal(V2, body);
        // check.txt is never the faulty part (else CloudOTA would never get to the download).
        var (_, check) = Split(await ExchangeAsync(serve.Http, CloudRequest("/check.txt", serve.Http)));
        Assert.Equal(Sum.ToString(), Encoding.ASCII.GetString(check));
        Assert.Contains(serve.Notes.Lines, l => l.StartsWith($"warning: --fault {fault}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publish_writes_the_three_files_a_web_server_serves()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), V2);
        var result = await Support.Cli.RunAsync(dir.Path, "publish", "v2.bin", "--to", "site");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(V2, File.ReadAllBytes(dir.File("site/ota.bin")));
        Assert.Equal(Sum.ToString(), File.ReadAllText(dir.File("site/check.txt")));
        Assert.Equal(WithTrailer(), File.ReadAllBytes(dir.File("site/ota_sdk.bin")));
        Assert.Equal(["check.txt", "ota.bin", "ota_sdk.bin"], Directory.GetFiles(dir.File("site")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("publish")]
    public async Task An_image_upload_would_refuse_is_refused_in_one_line(string command)
    {
        using var dir = new TempDir();
        var noRtkWin = (byte[])V2.Clone();
        noRtkWin[16 + 4] = (byte)'X';
        File.WriteAllBytes(dir.File("bad.bin"), noRtkWin);
        var result = command == "serve"
            ? await Support.Cli.RunAsync(dir.Path, "serve", "bad.bin", "--http-port", "0", "--tcp-port", "0")
            : await Support.Cli.RunAsync(dir.Path, "publish", "bad.bin", "--to", "site");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: bad.bin is refused: its Image 2 body lacks \"RTKWin\"", result.Stderr);
        Assert.EndsWith(command == "serve" ? "(--force serves it anyway)" : "(--allow-refused publishes it anyway)", result.Stderr.Trim());
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Publish_force_replaces_files_but_never_publishes_a_refused_image()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), V2);
        var noRtkWin = (byte[])V2.Clone();
        noRtkWin[16 + 4] = (byte)'X';
        File.WriteAllBytes(dir.File("bad.bin"), noRtkWin);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "publish", "v2.bin", "--to", "site")).ExitCode);

        var forced = await Support.Cli.RunAsync(dir.Path, "publish", "bad.bin", "--to", "site", "--force");
        Assert.Equal(2, forced.ExitCode);
        Assert.Contains("--allow-refused", forced.Stderr);
        Assert.Equal(V2, File.ReadAllBytes(dir.File("site/ota.bin")));   // the good image stays published

        var allowed = await Support.Cli.RunAsync(dir.Path, "publish", "bad.bin", "--to", "site", "--force", "--allow-refused");
        Assert.Equal(0, allowed.ExitCode);
        Assert.Contains("warning: served despite: its Image 2 body lacks", allowed.Stderr);
        Assert.Equal(noRtkWin, File.ReadAllBytes(dir.File("site/ota.bin")));
    }

    [Fact]
    public async Task A_new_image_is_taken_only_whole_from_the_file_or_from_an_authenticated_control_request()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), V2);
        await using var serve = await ServeProcess.StartAsync(dir.Path, "v2.bin");
        async Task<string> CheckAsync() => Encoding.ASCII.GetString(Split(await ExchangeAsync(serve.Http, CloudRequest("/check.txt", serve.Http))).Body);

        // A half-written file (its header promises more than it has) is not taken; the whole one is.
        var v3 = TestImages.Image(3, 20 * 1024);
        File.WriteAllBytes(dir.File("v2.bin"), v3[..5000]);
        await serve.Notes.WaitForAsync(l => l.Contains("not taken"), "the refusal of the half-written file");
        Assert.Equal(Sum.ToString(), await CheckAsync());
        File.WriteAllBytes(dir.File("v2.bin"), v3);
        await serve.Serial.WaitForAsync(l => l.Contains("now serving v2.bin") && l.Contains("version 3"), "the swap");
        Assert.Equal(Checksum.ByteSum(v3).ToString(), await CheckAsync());

        // The control endpoint: refused without the token, taken with it.
        using var http = new HttpClient { BaseAddress = new Uri($"http://{serve.HttpServer}") };
        var v4 = TestImages.Image(4, 20 * 1024);
        var denied = await http.PostAsync("/_ameba-ota/image", new ByteArrayContent(v4));
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal(Checksum.ByteSum(v3).ToString(), await CheckAsync());
        var request = new HttpRequestMessage(HttpMethod.Post, "/_ameba-ota/image") { Content = new ByteArrayContent(v4) };
        request.Headers.Authorization = new("Bearer", serve.Token);
        var taken = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        Assert.Equal(Checksum.ByteSum(v4).ToString(), await CheckAsync());
        request = new HttpRequestMessage(HttpMethod.Post, "/_ameba-ota/image") { Content = new ByteArrayContent(new byte[100]) };
        request.Headers.Authorization = new("Bearer", serve.Token);
        Assert.Equal((HttpStatusCode)422, (await http.SendAsync(request)).StatusCode);
        Assert.Equal(Checksum.ByteSum(v4).ToString(), await CheckAsync());

        // SIGHUP reads the file again.
        using (var hup = System.Diagnostics.Process.Start("kill", ["-HUP", serve.Pid.ToString()])) await hup.WaitForExitAsync();
        await serve.Serial.WaitForAsync(l => l.StartsWith("SIGHUP: now serving v2.bin", StringComparison.Ordinal), "the SIGHUP reload");
        Assert.Equal(Checksum.ByteSum(v3).ToString(), await CheckAsync());
    }

    [Fact]
    public async Task Json_log_has_one_object_per_request_and_a_non_loopback_bind_warns()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), V2);
        var psi = Support.Cli.StartInfo(dir.Path, "serve", "v2.bin", "--ip", "0.0.0.0", "--http-port", "0", "--tcp-port", "-1", "--json-log");
        using var process = System.Diagnostics.Process.Start(psi)!;
        try
        {
            string first = (await process.StandardOutput.ReadLineAsync())!;
            using var listening = System.Text.Json.JsonDocument.Parse(first);
            Assert.Equal("listening", listening.RootElement.GetProperty("event").GetString());
            var http = IPEndPoint.Parse(listening.RootElement.GetProperty("http").GetString()!);
            Assert.False(listening.RootElement.TryGetProperty("tcp", out _));
            await ExchangeAsync(new IPEndPoint(IPAddress.Loopback, http.Port), CloudRequest("/ota.bin", http));
            using var line = System.Text.Json.JsonDocument.Parse((await process.StandardOutput.ReadLineAsync())!);
            var r = line.RootElement;
            Assert.Equal("request", r.GetProperty("event").GetString());
            Assert.Equal("127.0.0.1", r.GetProperty("board").GetString());
            Assert.Equal("cloud-image", r.GetProperty("protocol").GetString());
            Assert.Equal(V2.Length, r.GetProperty("bytes").GetInt64());
            Assert.True(r.GetProperty("stayedToTheEnd").GetBoolean());
            Assert.True(r.GetProperty("durationMs").GetDouble() >= 0);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        Assert.Contains("warning: listening on 0.0.0.0, not loopback", await process.StandardError.ReadToEndAsync());
    }
}
