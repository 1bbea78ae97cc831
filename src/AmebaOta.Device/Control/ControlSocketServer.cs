using System.Net.Sockets;
using System.Text;

namespace AmebaOta.Device.Control;

/// <summary>
/// <c>device run --control PATH</c>: a Unix domain socket (stream) that takes <see cref="BoardControl"/> commands, one per
/// line, and answers each with one line (<c>ok: …</c> / <c>error: …</c>). Any number of clients, one after another or at
/// once (e.g. <c>echo status | nc -U PATH</c> or <c>socat - UNIX-CONNECT:PATH</c>). A stale socket file left by a
/// killed board is replaced; a path some other running board listens on, or a non-empty regular file, is refused.
/// The file is removed on dispose.
/// </summary>
public sealed class ControlSocketServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<Stream, CancellationToken, Task> _serve;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private ControlSocketServer(string path, Socket listener, Func<Stream, CancellationToken, Task> serve)
    {
        Path = path;
        _listener = listener;
        _serve = serve;
        _accepting = AcceptLoopAsync();
    }

    public string Path { get; }

    /// <summary>Binds and listens; throws <see cref="IOException"/> with a one-line reason when it cannot.</summary>
    public static ControlSocketServer Start(string path, BoardControl control, Action quit) => Start(path, async (stream, ct) =>
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false));
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };
        await control.ReadCommandsAsync(reader, writer.WriteLine, quit, ct).ConfigureAwait(false);
    });

    /// <summary>
    /// Binds and listens, serving each client's stream with <paramref name="serve"/> (the stream is disposed afterwards; the
    /// token is cancelled when the server stops). Throws <see cref="IOException"/> with a one-line reason when it cannot listen.
    /// </summary>
    public static ControlSocketServer Start(string path, Func<Stream, CancellationToken, Task> serve)
    {
        path = System.IO.Path.GetFullPath(path);
        UnixDomainSocketEndPoint endPoint;
        try
        {
            endPoint = new UnixDomainSocketEndPoint(path);
        }
        catch (ArgumentException)
        {
            throw new IOException($"control socket path '{path}' is too long for a Unix socket (at most about 100 bytes)");
        }
        RemoveStale(path, endPoint);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(endPoint);
            listener.Listen(8);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"cannot listen on control socket '{path}': {e.Message}");
        }
        return new ControlSocketServer(path, listener, serve);
    }

    private static void RemoveStale(string path, UnixDomainSocketEndPoint endPoint)
    {
        if (!File.Exists(path)) return;
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(endPoint);
                throw new IOException($"control socket '{path}' is in use by another running board");
            }
            catch (SocketException)
            {
                // Nobody listens: a stale socket from a board that was killed.
            }
        }
        if (new FileInfo(path).Length != 0) throw new IOException($"'{path}' exists and is not a socket; choose another --control path");
        File.Delete(path);
    }

    private async Task AcceptLoopAsync()
    {
        var clients = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                clients.RemoveAll(t => t.IsCompleted);
                clients.Add(ServeAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        await Task.WhenAll(clients).ConfigureAwait(false);
    }

    private async Task ServeAsync(Socket client)
    {
        await Task.Yield();
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: true);
            await _serve(stream, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or DecoderFallbackException)
        {
            // The client went away, or the board is shutting down.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        try { File.Delete(Path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _stop.Dispose();
    }
}
