using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using AmebaOta.Families.Ameba1.Pull;

namespace AmebaOta.Tests.Pull;

/// <summary>
/// The library's raw pull server on plain sockets in the test process (an HTTP port and an <c>update_ota_local</c> port on
/// 127.0.0.1): cheap enough to serve the thousands of short runs of a power-cut sweep.
/// </summary>
public sealed class PullTestServer : IAsyncDisposable
{
    private readonly TcpListener _http = new(IPAddress.Loopback, 0);
    private readonly TcpListener _tcp = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loops;

    public PullTestServer(PullImage image, PullFault fault = PullFault.None)
    {
        Options = new PullConnectionOptions(new PullImageSource(image), fault);
        _http.Start();
        _tcp.Start();
        _loops = Task.WhenAll(AcceptAsync(_http, true), AcceptAsync(_tcp, false));
    }

    public PullConnectionOptions Options { get; }
    public IPEndPoint Http => (IPEndPoint)_http.LocalEndpoint;
    public IPEndPoint Tcp => (IPEndPoint)_tcp.LocalEndpoint;

    private sealed class SocketPipe(Stream stream) : IDuplexPipe
    {
        public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    private async Task AcceptAsync(TcpListener listener, bool http)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await listener.AcceptSocketAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            _ = Task.Run(async () =>
            {
                using (socket)
                await using (var stream = new NetworkStream(socket))
                {
                    var pipe = new SocketPipe(stream);
                    try
                    {
                        var remote = (IPEndPoint?)socket.RemoteEndPoint;
                        if (http) await RawPullConnection.ServeHttpAsync(pipe, remote, Options, _stop.Token);
                        else await RawPullConnection.ServeSdkLocalAsync(pipe, remote, Options, _stop.Token);
                        socket.Shutdown(SocketShutdown.Send);
                    }
                    catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                    {
                        // The board died mid-transfer.
                    }
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _http.Stop();
        _tcp.Stop();
        await _loops;
        _stop.Dispose();
    }
}
