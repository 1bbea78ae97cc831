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
        var progress = new List<long>();
        var result = await OtaUploader.UploadAsync((IPEndPoint)listener.LocalEndpoint, image, progress: new CallbackProgress(progress.Add));
        var wire = await captured;

        Assert.True(wire.EndedWithFin);
        Assert.Equal([.. OtaHeader.For(image).ToArray(), .. image], wire.Bytes);
        Assert.Equal(image.Length, result.BytesSent);
        Assert.Equal(image.Length + 12, result.WireBytes);
        Assert.Equal(image.Length, progress[^1]);
        Assert.True(progress.SequenceEqual(progress.Order()));
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
            new OtaUploadOptions { ConnectTimeout = Long, SendTimeout = Long }));
        await resetter;
        Assert.Equal(OtaUploadFailure.Dropped, e.Failure);
        Assert.False(e.IsConnectFailure);
        Assert.True(e.BytesSent < Huge.Length);
    }

    [Fact]
    public async Task A_peer_that_stops_reading_is_a_stall_after_the_send_timeout()
    {
        using var listener = WireCapture.SmallBufferListener();
        var accepted = listener.AcceptAsync();
        var e = await Assert.ThrowsAsync<OtaUploadException>(() => OtaUploader.UploadAsync((IPEndPoint)listener.LocalEndPoint!, Huge,
            new OtaUploadOptions { ConnectTimeout = Long, SendTimeout = Short }));
        using var peer = await accepted;
        Assert.Equal(OtaUploadFailure.Stalled, e.Failure);
        Assert.Contains("stopped taking data", e.Message);
    }

    private sealed class CallbackProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
