using System.Net;
using System.Net.Sockets;
using AmebaOta.Discovery;

namespace AmebaOta.Tests.Support;

/// <summary>
/// Boards that misbehave, advertised by mDNS on lo next to real virtual boards: one whose OTA port refuses every connection
/// (its upload fails), one that takes every byte but never reboots (it never comes back).
/// </summary>
public sealed class FakeBoard : IAsyncDisposable
{
    private readonly MdnsResponder _responder;
    private readonly TcpListener? _sink;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _draining = Task.CompletedTask;

    private FakeBoard(MdnsResponder responder, TcpListener? sink, int port)
    {
        _responder = responder;
        _sink = sink;
        Port = port;
        if (sink is not null)
            _draining = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        using var client = await sink.AcceptTcpClientAsync(_stop.Token);
                        Interlocked.Increment(ref _uploads);
                        await client.GetStream().CopyToAsync(Stream.Null, _stop.Token);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException) { }
            });
    }

    private int _uploads;

    public int Port { get; }

    /// <summary>Connections accepted (uploads received) so far.</summary>
    public int Uploads => Volatile.Read(ref _uploads);

    /// <summary>Advertised at 127.0.0.1 on a port nothing listens on: connection refused.</summary>
    public static Task<FakeBoard> RefusingAsync(string name) => StartAsync(name, null, TestImages.UnusedPort());

    /// <summary>Reads whole uploads and stays advertised, but never reboots (no fresh announcement after the upload).</summary>
    public static Task<FakeBoard> NeverBackAsync(string name)
    {
        var sink = new TcpListener(IPAddress.Loopback, 0);
        sink.Start();
        return StartAsync(name, sink, ((IPEndPoint)sink.LocalEndpoint).Port);
    }

    private static async Task<FakeBoard> StartAsync(string name, TcpListener? sink, int port)
    {
        // One announcement only, so that its announcing is over before any upload starts.
        var responder = new MdnsResponder(new MdnsResponderOptions { Interface = "lo", AnnouncementCount = 1 });
        await responder.StartAsync(new ServiceAdvertisement(name, name, IPAddress.Loopback, (ushort)port, ArduinoService.StockTxt));
        return new FakeBoard(responder, sink, port);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _sink?.Stop();
        await _draining;
        await _responder.DisposeAsync();
        _stop.Dispose();
    }
}
