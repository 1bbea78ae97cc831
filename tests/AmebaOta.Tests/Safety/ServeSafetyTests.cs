using System.Net;
using System.Net.Sockets;
using System.Text;
using AmebaOta.Images;
using AmebaOta.Tests.Support;
using Xunit.Abstractions;

namespace AmebaOta.Tests.Safety;

/// <summary>
/// <c>serve</c> as boards see it when things go wrong around it: the process killed outright mid-download, an image
/// rewritten in place while thousands of downloads run, many idle clients, more clients than it may hold.
/// </summary>
public sealed class ServeSafetyTests(ITestOutputHelper output)
{
    private static readonly int Kills = int.TryParse(Environment.GetEnvironmentVariable("AMEBAOTA_KILLS"), out int k) ? k : 6;

    private const double BoardRate = 200_000;

    [Theory]
    [InlineData("sdk-local")]
    [InlineData("http")]
    public async Task Serve_killed_at_random_points_resets_every_download_never_a_fin_before_the_last_byte(string path)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, 400_000));
        using var net = await PrivateNetwork.CreateAsync();
        int seed = Environment.TickCount;
        var random = new Random(seed);
        var outcomes = new List<string>();
        long whole = 0;
        for (int i = 0; i <= Kills; i++)
        {
            await using var serve = await ServeProcess.StartAsync(net, dir.Path, "v2.bin");
            using var board = net.NewTcpSocket();
            await board.ConnectAsync(path == "http" ? serve.Http : serve.Tcp!);
            if (path == "http") await board.SendAsync(Encoding.ASCII.GetBytes($"GET /ota_sdk.bin HTTP/1.1\r\nHost: {serve.HttpServer}\r\n\r\n"), SocketFlags.None);
            var peer = new PacedPeer();
            var reading = peer.ReadToEndAsync(board, BoardRate * 4, pauseAfter: 1, pause: TimeSpan.FromMilliseconds(100));
            if (i == 0)
            {
                // One whole download first: after the board acknowledged everything, the close is an ordinary FIN.
                var full = await reading;
                Assert.Equal(WireCapture.Ending.Fin, full.Ending);
                whole = full.Bytes;
                Assert.True(whole >= 400_004, $"a whole download was {whole} bytes");
                continue;
            }
            long killAt = random.NextInt64(0, whole);
            await peer.WaitForAsync(killAt, reading);
            await serve.KillAsync();
            var seen = await reading;
            outcomes.Add($"killed at {killAt}: {seen.Ending} after {seen.Bytes}");
            Assert.True(seen.Ending == WireCapture.Ending.Reset || seen.Bytes == whole,
                $"seed {seed}: the board saw a FIN after {seen.Bytes} of {whole} bytes\n{string.Join('\n', outcomes)}");
        }
        output.WriteLine($"serve {path}: {Kills} kills (seed {seed}), 0 FIN before the last byte\n{string.Join('\n', outcomes)}");
    }

    [Fact]
    public async Task Serve_ota_ui_killed_at_random_points_resets_every_download_never_a_fin_before_the_last_byte()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("ota.bin"), OtaUi.Pro2Boards.Image(2, 1_700_000_002, "127.0.0.1:3000", size: 400_000));
        using var net = await PrivateNetwork.CreateAsync();
        int seed = Environment.TickCount;
        var random = new Random(seed);
        var outcomes = new List<string>();
        long whole = 0;
        for (int i = 0; i <= Kills; i++)
        {
            await using var serve = CommandProcess.StartIn(net, dir.Path, "serve", "--ota-ui", "ota.bin", "--port", "0", "--db", "none", "--no-watch");
            string listen = await serve.Serial.WaitForAsync(l => l.StartsWith("ota ui: ", StringComparison.Ordinal), "serve's address line");
            var at = IPEndPoint.Parse(listen.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]);
            using var board = net.NewTcpSocket();
            await board.ConnectAsync(at);
            await board.SendAsync(Encoding.ASCII.GetBytes($"GET /api/uploadfile HTTP/1.1\r\nHost: {at}\r\n\r\n"), SocketFlags.None);
            var peer = new PacedPeer();
            var reading = peer.ReadToEndAsync(board, BoardRate * 4, pauseAfter: 1, pause: TimeSpan.FromMilliseconds(100));
            if (i == 0)
            {
                // One whole download first: after the board acknowledged everything, the close is an ordinary FIN.
                var full = await reading.WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(WireCapture.Ending.Fin, full.Ending);
                whole = full.Bytes;
                Assert.True(whole >= 400_000, $"a whole download was {whole} bytes");
                continue;
            }
            long killAt = random.NextInt64(0, whole);
            await peer.WaitForAsync(killAt, reading);
            await serve.KillAsync();
            var seen = await reading;
            outcomes.Add($"killed at {killAt}: {seen.Ending} after {seen.Bytes}");
            Assert.True(seen.Ending == WireCapture.Ending.Reset || seen.Bytes == whole,
                $"seed {seed}: the board saw a FIN after {seen.Bytes} of {whole} bytes\n{string.Join('\n', outcomes)}");
        }
        output.WriteLine($"serve --ota-ui: {Kills} kills (seed {seed}), 0 FIN before the last byte\n{string.Join('\n', outcomes)}");
    }

    [Fact]
    public async Task An_image_rewritten_in_place_during_thousands_of_downloads_is_never_served_mixed()
    {
        const int Size = 16 * 1024, Rewrites = 6;
        using var dir = new TempDir();
        var versions = Enumerable.Range(1, Rewrites + 1).Select(v => TestImages.Image((uint)v, Size)).ToArray();
        Assert.All(versions, v => Assert.Equal(versions[0].Length, v.Length));
        var bodies = versions.Select(v => Convert.ToHexString([.. v, .. BitConverter.GetBytes(Checksum.ByteSum(v))])).ToHashSet();
        File.WriteAllBytes(dir.File("image.bin"), versions[0]);
        await using var serve = await ServeProcess.StartAsync(dir.Path, "image.bin", "--settle", "3");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{serve.HttpServer}/") };

        using var stop = new CancellationTokenSource();
        int downloads = 0, mixed = 0;
        async Task DownloadAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var body = await http.GetByteArrayAsync("ota_sdk.bin");
                Interlocked.Increment(ref downloads);
                if (!bodies.Contains(Convert.ToHexString(body))) Interlocked.Increment(ref mixed);
            }
        }
        var clients = Enumerable.Range(0, 3).Select(_ => Task.Run(DownloadAsync)).ToArray();
        for (int v = 1; v <= Rewrites; v++)
        {
            // Two halves with a pause between, in place (as rsync --inplace or dd conv=notrunc would).
            using (var file = new FileStream(dir.File("image.bin"), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            {
                file.Write(versions[v], 0, Size / 2);
                file.Flush(flushToDisk: true);
                // Half written for at least 450 ms and enough downloads, but well inside --settle (a slow machine downloads less per second).
                int atHalf = Volatile.Read(ref downloads);
                var half = System.Diagnostics.Stopwatch.StartNew();
                await Task.Delay(450);
                while (Volatile.Read(ref downloads) - atHalf < 170 && half.Elapsed < TimeSpan.FromSeconds(1.5)) await Task.Delay(20);
                file.Write(versions[v], Size / 2, Size - Size / 2);
            }
            await serve.Serial.WaitForAsync(l => l.Contains($"now serving image.bin ({Size} bytes, checksum {Checksum.ByteSum(versions[v])}"),
                $"version {v + 1} served", timeout: TimeSpan.FromSeconds(20));
        }
        await stop.CancelAsync();
        await Task.WhenAll(clients.Select(c => c.ContinueWith(_ => { })));
        int swaps = serve.Serial.Lines.Count(l => l.Contains("now serving"));
        output.WriteLine($"{downloads} downloads, {mixed} mixed, {swaps} swaps for {Rewrites} rewrites");
        Assert.Equal(0, mixed);
        Assert.Equal(Rewrites, swaps);
        Assert.True(downloads > 1000, $"only {downloads} downloads");
        Assert.Contains(serve.Notes.Lines, l => l.Contains("image.bin is being rewritten in place") && l.Contains("rename it into place"));
    }

    [Fact]
    public async Task A_reload_asked_while_the_file_may_still_be_written_is_refused_until_it_has_settled()
    {
        using var dir = new TempDir();
        var v2 = TestImages.Image(2, 16 * 1024);
        var v3 = TestImages.Image(3, 16 * 1024);
        File.WriteAllBytes(dir.File("v2.bin"), v2);
        await using var serve = await ServeProcess.StartAsync(dir.Path, "v2.bin", "--no-watch", "--settle", "2");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{serve.HttpServer}") };
        async Task<HttpResponseMessage> ReloadAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/_ameba-ota/reload");
            request.Headers.Authorization = new("Bearer", serve.Token);
            return await http.SendAsync(request);
        }

        File.WriteAllBytes(dir.File("v2.bin"), v3);
        var early = await ReloadAsync();
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        var retry = early.Headers.RetryAfter?.Delta;
        Assert.NotNull(retry);
        Assert.InRange(retry!.Value.TotalSeconds, 1, 2);
        Assert.Contains("--settle", await early.Content.ReadAsStringAsync());
        Assert.Equal(Checksum.ByteSum(v2).ToString(), await CheckAsync());

        await Task.Delay(retry.Value);
        var late = await ReloadAsync();
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal(Checksum.ByteSum(v3).ToString(), await CheckAsync());

        async Task<string> CheckAsync() => await http.GetStringAsync("/check.txt");
    }

    [Fact]
    public async Task Idle_clients_cost_one_descriptor_each_and_the_connection_cap_refuses_with_a_reset_and_a_log_line()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, 400_000));
        await using var serve = await ServeProcess.StartAsync(dir.Path, "v2.bin", "--max-connections", "60");
        int before = Sockets(serve.Pid);
        var held = new List<Socket>();
        try
        {
            // Boards that never read: the sdk-local server sends first; half of them ask for the image on HTTP.
            for (int i = 0; i < 60; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                held.Add(s);
                await s.ConnectAsync(i % 2 == 0 ? serve.Tcp! : serve.Http);
                if (i % 2 == 1) await s.SendAsync(Encoding.ASCII.GetBytes($"GET /ota_sdk.bin HTTP/1.1\r\nHost: {serve.HttpServer}\r\n\r\n"), SocketFlags.None);
            }
            await WaitUntilAsync(() => serve.Serial.Lines.Count(l => l.Contains("ota_sdk.bin") || l.Contains("update_ota_local")) >= 0 && Sockets(serve.Pid) >= before + 60);
            await Task.Delay(500);   // every response under way
            int delta = Sockets(serve.Pid) - before;
            output.WriteLine($"{held.Count} idle connections: {delta} more socket descriptors");
            Assert.InRange(delta, 60, 62);

            using var refused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            // The kernel accepts it and serve resets it, sometimes before the connect has even completed here.
            WireCapture.Ending ending;
            try
            {
                await refused.ConnectAsync(serve.Tcp!);
                ending = await WireCapture.DrainAsync(refused);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                ending = WireCapture.Ending.Reset;
            }
            Assert.Equal(WireCapture.Ending.Reset, ending);
            await serve.Notes.WaitForAsync(l => l.Contains("refused a connection from 127.0.0.1:") && l.Contains("60 connections already open (--max-connections 60)"),
                "the refusal line");
        }
        finally
        {
            foreach (var s in held) s.Dispose();
        }
    }

    [Fact]
    public async Task A_connection_that_never_asks_is_dropped_after_the_idle_timeout()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, 64 * 1024));
        await using var serve = await ServeProcess.StartAsync(dir.Path, "v2.bin");
        using var idle = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await idle.ConnectAsync(serve.Http);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await WireCapture.DrainAsync(idle);   // a board sends its request at once: serve does not wait for one for long
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(14));
    }

    private static int Sockets(int pid) =>
        Directory.GetFiles($"/proc/{pid}/fd").Count(fd =>
        {
            try { return new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true; }
            catch (IOException) { return false; }
        });

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition()) await Task.Delay(20, deadline.Token);
    }
}
