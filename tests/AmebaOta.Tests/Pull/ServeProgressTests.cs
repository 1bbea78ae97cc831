using System.Net;
using System.Net.Sockets;
using System.Text;
using AmebaOta.Cli.Serve;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol.Serving;
using AmebaOta.Tests.Device;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Pull;

/// <summary>
/// <c>serve</c>'s per-board progress: the library's transfers count what the board acknowledged (not what the host's
/// buffers took), the live table's model follows them from the library's events, and redirected output stays plain lines.
/// The terminal itself is in <see cref="ServeTerminalTests"/>.
/// </summary>
public class ServeProgressTests
{
    private static string CloudRequest(string path) => $"GET {path} HTTP/1.1\r\nHost: x\r\nUser-Agent: Ameba\r\nConnection: close\r\n\r\n";

    /// <summary>Sends <paramref name="request"/> and reads the response; returns the head's length once <paramref name="bodyBytes"/> of body are in.</summary>
    private static async Task<int> ReadResponseAsync(Socket socket, string request, int bodyBytes)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0) throw new InvalidOperationException("the server closed before the body was in");
            received.Write(buffer, 0, n);
            int end = received.ToArray().AsSpan().IndexOf("\r\n\r\n"u8);
            if (end >= 0 && received.Length >= end + 4 + bodyBytes) return end + 4;
        }
    }

    private static Socket Connect(IPEndPoint server, int? receiveBuffer = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBuffer is { } size) socket.ReceiveBufferSize = size;
        socket.Connect(server);
        return socket;
    }

    [Theory]
    [InlineData("/ota.bin", true, 20 * 1024)]
    [InlineData("/", false, 20 * 1024 + 4)]
    public async Task The_head_Kestrel_writes_is_counted_to_the_byte_so_the_body_bytes_a_board_acknowledged_are_exact(string path, bool close, int body)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, 20 * 1024));
        await using var serve = await InProcessServe.StartAsync(dir.File("v2.bin"));
        var ended = new TaskCompletionSource<PullTransfer>(TaskCreationOptions.RunContinuationsAsynchronously);
        serve.Activity.Ended += t => ended.TrySetResult(t);

        using var socket = Connect(serve.Http);
        string request = close ? CloudRequest(path) : $"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n";
        int head = await ReadResponseAsync(socket, request, body);
        var transfer = await ended.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(transfer.SeesAcknowledgements);
        Assert.Equal(head, transfer.HeadBytes);
        Assert.Equal(PullTransferOutcome.Completed, transfer.Outcome);
        Assert.Equal(body, transfer.BoardBytes);
    }

    [Fact]
    public async Task A_board_that_closes_as_soon_as_it_has_every_byte_stayed_to_the_end_on_every_port()
    {
        const int size = 20 * 1024, rounds = 20;
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, size));
        await using var serve = await InProcessServe.StartAsync(dir.File("v2.bin"));
        var ended = new System.Collections.Concurrent.ConcurrentQueue<PullTransfer>();
        serve.Activity.Ended += ended.Enqueue;
        for (int i = 0; i < rounds; i++)
        {
            // update_ota_local: the server speaks first; the board reads header, image and trailer, then closes.
            using (var board = Connect(serve.Tcp))
            {
                var buffer = new byte[64 * 1024];
                int got = 0;
                while (got < 12 + size + 4) got += await board.ReceiveAsync(buffer.AsMemory(0, Math.Min(buffer.Length, 12 + size + 4 - got)));
            }
            // http_update_ota: no "Connection: close"; the board closes once it has Content-Length bytes.
            using (var board = Connect(serve.Http)) await ReadResponseAsync(board, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", size + 4);
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (ended.Count < 2 * rounds && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(2 * rounds, ended.Count);
        Assert.All(ended, t => Assert.Equal(PullTransferOutcome.Completed, t.Outcome));
        Assert.All(ended, t => Assert.Equal(t.TotalBytes, t.BoardBytes));
    }

    [Theory]
    [InlineData("http")]
    [InlineData("tcp")]
    public async Task A_board_that_resets_at_once_is_recorded_with_the_bytes_it_acknowledged_not_nothing(string port)
    {
        const int size = 256 * 1024, taken = 64 * 1024;
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, size));
        await using var serve = await InProcessServe.StartAsync(dir.File("v2.bin"));
        var ended = new TaskCompletionSource<PullTransfer>(TaskCreationOptions.RunContinuationsAsynchronously);
        serve.Activity.Ended += t => ended.TrySetResult(t);

        // It reads 64 KiB through a small window, then resets at once: no look from serve is waited for.
        using (var board = Connect(port == "http" ? serve.Http : serve.Tcp, receiveBuffer: 2920))
        {
            if (port == "http") await ReadResponseAsync(board, CloudRequest("/ota.bin"), taken);
            else
            {
                var buffer = new byte[4096];
                int got = 0;
                while (got < 12 + taken) got += await board.ReceiveAsync(buffer.AsMemory(0, Math.Min(buffer.Length, 12 + taken - got)));
            }
            board.LingerState = new LingerOption(true, 0);
        }
        // Ended at once, not after a stall budget (Kestrel does not always tell a writer that handed over every byte).
        var transfer = await ended.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(PullTransferOutcome.ClientLeft, transfer.Outcome);
        Assert.True(transfer.SeesAcknowledgements);
        // What it read, plus at most what its window held when it left (the kernel may double a receive buffer).
        Assert.InRange(transfer.BoardBytes, taken - 64, taken + 4 * 2920);
    }

    [Fact]
    public async Task The_table_model_follows_each_board_from_the_library_events_erasing_sending_to_the_end_or_leaving_early()
    {
        const int size = 128 * 1024;
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, size));
        await using var serve = await InProcessServe.StartAsync(dir.File("v2.bin"));
        var table = new ServeProgressTable(serve.Activity, linger: TimeSpan.FromSeconds(3));
        var samples = new List<ServeProgressView>();

        // A board that leaves early: it takes part of the image at its own pace, then resets the connection.
        using (var quitter = Connect(serve.Http, receiveBuffer: 2920))
        {
            await ReadResponseAsync(quitter, CloudRequest("/ota.bin"), 8 * 1024);
            quitter.LingerState = new LingerOption(true, 0);
        }

        // A real board (ota_cloud, datasheet-typical flash): it erases 32 sectors (about 1.4 s) before it reads the image.
        var v1 = PullImages.Image(1, SketchMode.Cloud, serve.HttpServer);
        await using (var board = new BoardHarness(dir, v1, o => o with { FlashTiming = FlashTiming.Typical }))
        {
            var updated = board.Serial.WaitForAsync("This is version 2", timeout: TimeSpan.FromSeconds(60));
            while (!updated.IsCompleted)
            {
                samples.Add(table.Sample());
                await Task.WhenAny(updated, Task.Delay(100));
            }
            await updated;
        }
        ServeProgressView last;
        do
        {
            await Task.Delay(100);
            samples.Add(last = table.Sample());
        }
        while (last.Rows.Count > 0 && samples.Count < 600);

        var image = samples.SelectMany(s => s.Rows).Where(r => r.Protocol == "cloud-image" && r.Board == "127.0.0.1").ToList();
        // While the board erased, the table showed it taking (almost) nothing: what the board acknowledged, not what the host buffered.
        Assert.Contains(image, r => r.State == ServeRowState.WaitingForBoard && r.Bytes < size / 8);
        // Then the image went out at the board's pace, with a rate.
        Assert.Contains(image, r => r.State == ServeRowState.Sending && r.Bytes > size / 8 && r.Bytes < size && r.BytesPerSecond > 0);
        Assert.Contains(image, r => r.State == ServeRowState.StayedToTheEnd && r.Bytes == size);
        Assert.Contains(image, r => r.State == ServeRowState.LeftEarly && r.Bytes < size);
        // Finished rows went, and are summed up: check.txt and ota.bin stayed to the end, the quitter left early.
        Assert.Empty(last.Rows);
        Assert.Equal(new ServeProgressSummary(2, 1, 0, last.Finished.Bytes), last.Finished);
        Assert.InRange(last.Finished.Bytes, size + 8 * 1024, 2L * size);
        Assert.StartsWith("no board downloading · finished: 2 stayed to the end, 1 left early (", ServeTableView.Summary(last));
    }

    [Fact]
    public async Task Redirected_output_is_plain_log_lines_without_a_table_or_terminal_codes()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, 20 * 1024));
        await using var serve = await ServeProcess.StartAsync(dir.Path, "v2.bin");
        using (var socket = Connect(serve.Http)) await ReadResponseAsync(socket, CloudRequest("/ota.bin"), 20 * 1024);
        string line = await serve.Serial.WaitForAsync(l => l.Contains("cloud-image"), "the request's log line");
        Assert.Matches(@"^127\.0\.0\.1:\d+ cloud-image GET /ota\.bin 200: 20480/20480 bytes in \d+\.\d{3} s, stayed to the end$", line);
        await serve.StopAsync();
        Assert.DoesNotContain(serve.Serial.Lines.Concat(serve.Notes.Lines), l => l.Contains('\u001b') || l.Contains("stayed to the end ·") || l.Contains("downloading"));
    }
}
