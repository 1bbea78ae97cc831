using System.Net;
using System.Net.Sockets;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Protocol;

/// <summary>The host side against plain listeners on 127.0.0.1: what goes on the wire, and how each failure is typed.</summary>
public class OtaUploaderTests
{
    /// <summary>Larger than any loopback socket buffers can absorb, so a peer that stops reading really stalls the sender.</summary>
    private static readonly byte[] Huge = TestImages.Image(2, 8 * 1024 * 1024);

    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(500), Long = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task On_the_wire_exactly_header_then_file_then_an_orderly_close()
    {
        var image = TestImages.Image(2, 300_000);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var captured = WireCapture.AcceptOneAsync(listener);
        var progress = new List<OtaUploadProgress>();
        var result = await OtaUploader.UploadAsync((IPEndPoint)listener.LocalEndpoint, image, progress: new CallbackProgress(progress.Add));
        var wire = await captured;

        Assert.True(wire.EndedWithFin);
        Assert.Equal([.. OtaHeader.For(image).ToArray(), .. image], wire.Bytes);
        Assert.Equal(image.Length, result.BytesSent);
        Assert.Equal(image.Length + 12, result.WireBytes);
        Assert.Equal(new OtaUploadProgress(OtaUploadPhase.Complete, image.Length, image.Length, image.Length), progress[^1]);
        Assert.Equal(OtaUploadPhase.BoardErasing, progress[0].Phase);
        var acknowledged = progress.Select(p => p.Acknowledged).ToList();
        Assert.True(acknowledged.SequenceEqual(acknowledged.Order()));
        Assert.True(result.AcknowledgedByBoard);
    }

    [Fact]
    public async Task Nothing_listening_is_connection_refused()
    {
        var e = await Assert.ThrowsAsync<OtaUploadException>(() =>
            OtaUploader.UploadAsync(new IPEndPoint(IPAddress.Loopback, TestImages.UnusedPort()), Huge));
        Assert.Equal(OtaUploadFailure.ConnectionRefused, e.Failure);
        Assert.True(e.IsConnectFailure);
    }

    [Fact]
    public async Task A_full_backlog_is_a_connect_timeout()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var board = (IPEndPoint)listener.LocalEndPoint!;
        using var queued = await WireCapture.FillBacklogAsync(board);

        var e = await Assert.ThrowsAsync<OtaUploadException>(() => OtaUploader.UploadAsync(board, Huge, new OtaUploadOptions { ConnectTimeout = Short }));
        Assert.Equal(OtaUploadFailure.ConnectTimedOut, e.Failure);
        Assert.True(e.IsConnectFailure);
    }

    [Fact]
    public async Task A_reset_mid_transfer_is_dropped()
    {
        using var listener = WireCapture.SmallBufferListener();
        var resetter = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            var header = new byte[12];
            await peer.ReceiveAsync(header, SocketFlags.None);
            peer.LingerState = new LingerOption(true, 0);  // close with RST
            peer.Close();
        });
        var e = await Assert.ThrowsAsync<OtaUploadException>(() => OtaUploader.UploadAsync((IPEndPoint)listener.LocalEndPoint!, Huge,
            new OtaUploadOptions { ConnectTimeout = Long, StallTimeout = Long }));
        await resetter;
        Assert.Equal(OtaUploadFailure.Dropped, e.Failure);
        Assert.False(e.IsConnectFailure);
        Assert.True(e.BytesSent < Huge.Length);
    }

    [Fact]
    public async Task A_peer_that_stops_reading_is_a_stall_after_the_timeout_and_gets_a_reset_never_a_fin()
    {
        using var listener = WireCapture.SmallBufferListener();
        var accepted = listener.AcceptAsync();
        var e = await Assert.ThrowsAsync<OtaUploadException>(() => OtaUploader.UploadAsync((IPEndPoint)listener.LocalEndPoint!, Huge,
            new OtaUploadOptions { ConnectTimeout = Long, StallTimeout = Short }));
        using var peer = await accepted;
        Assert.Equal(OtaUploadFailure.Stalled, e.Failure);
        Assert.Contains("acknowledged nothing for 500 ms", e.Message);
        Assert.Contains("the connection was reset, so the board prints \"Download fail\"", e.Message);
        Assert.Equal(WireCapture.Ending.Reset, await WireCapture.DrainAsync(peer));
    }

    [Fact]
    public async Task Cancelling_mid_transfer_resets_the_connection_and_says_what_the_board_does()
    {
        using var listener = WireCapture.SmallBufferListener();
        var accepted = listener.AcceptAsync();
        using var cancel = new CancellationTokenSource();
        var upload = OtaUploader.UploadAsync((IPEndPoint)listener.LocalEndPoint!, Huge, null,
            new CallbackProgress(p => { if (p.Acknowledged > 0) cancel.Cancel(); }), cancel.Token);
        using var peer = await accepted;
        // Read slowly so acknowledgements flow: the first one beyond the header cancels the upload.
        var ending = WireCapture.DrainAsync(peer);
        var e = await Assert.ThrowsAsync<OtaUploadException>(() => upload);
        Assert.Equal(OtaUploadFailure.Interrupted, e.Failure);
        Assert.Contains("upload interrupted after", e.Message);
        Assert.Contains("\"Download fail\" and \"OTA fail\"", e.Message);
        Assert.Equal(WireCapture.Ending.Reset, await ending);
    }

    [Fact]
    public async Task A_board_that_closes_its_end_early_is_dropped_without_waiting_for_the_stall()
    {
        using var listener = WireCapture.SmallBufferListener();
        var closer = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            var header = new byte[12];
            await peer.ReceiveAsync(header, SocketFlags.None);
            peer.Shutdown(SocketShutdown.Both);   // "OTA fail": the stock receiver closes its socket
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<OtaUploadException>(() => OtaUploader.UploadAsync((IPEndPoint)listener.LocalEndPoint!, Huge,
            new OtaUploadOptions { ConnectTimeout = Long, StallTimeout = TimeSpan.FromSeconds(60) }));
        await closer;
        Assert.Equal(OtaUploadFailure.Dropped, e.Failure);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_board_that_resets_mid_transfer_is_reported_with_the_bytes_it_acknowledged()
    {
        using var listener = WireCapture.SmallBufferListener();
        var resetter = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            var buffer = new byte[1460];
            for (int read = 0; read < 100_000;) read += await peer.ReceiveAsync(buffer, SocketFlags.None);
            peer.LingerState = new LingerOption(true, 0);
            peer.Close();
        });
        // Polling rarely: the sender's failure on the reset wakes the uploader before it has read any acknowledgement.
        var e = await Assert.ThrowsAsync<OtaUploadException>(() => OtaUploader.UploadAsync((IPEndPoint)listener.LocalEndPoint!, Huge,
            new OtaUploadOptions { ConnectTimeout = Long, StallTimeout = Long, PollInterval = TimeSpan.FromSeconds(30) }));
        await resetter;
        Assert.Equal(OtaUploadFailure.Dropped, e.Failure);
        // The peer read 100,000 bytes or a little more (header included); its stack had acknowledged at least that.
        Assert.InRange(e.BytesSent, 100_000 - 12, Huge.Length - 1);
        Assert.Contains($"after {e.BytesSent} of {Huge.Length} bytes acknowledged", e.Message);
    }

    [Fact]
    public async Task A_peer_that_sends_data_back_is_not_a_board_and_gets_a_reset()
    {
        var image = TestImages.Image(2, 400_000);
        using var listener = WireCapture.SmallBufferListener();
        var talker = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            await peer.SendAsync(new byte[64 * 1024], SocketFlags.None);   // garbage, while reading everything at a board's pace
            return (await new PacedPeer().ReadToEndAsync(peer, 1_000_000)).Ending;
        });
        var e = await Assert.ThrowsAsync<OtaUploadException>(() => OtaUploader.UploadAsync((IPEndPoint)listener.LocalEndPoint!, image,
            new OtaUploadOptions { ConnectTimeout = Long, StallTimeout = Long }));
        Assert.Equal(OtaUploadFailure.NotAReceiver, e.Failure);
        Assert.Contains("sent data back", e.Message);
        Assert.Contains("a stock Ameba OTA receiver never sends a byte on this connection, so this is another service or the wrong port", e.Message);
        Assert.Equal(WireCapture.Ending.Reset, await talker);
    }

    private sealed class CallbackProgress(Action<OtaUploadProgress> report) : IProgress<OtaUploadProgress>
    {
        public void Report(OtaUploadProgress value) => report(value);
    }
}
