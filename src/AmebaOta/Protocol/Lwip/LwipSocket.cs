using System.Net;
using System.Net.Sockets;
using AmebaOta.Families.Ameba1.Push;

namespace AmebaOta.Protocol.Lwip;

/// <summary>
/// A board's TCP client socket with lwIP 1.4.1's semantics (docs/reference section 9), as the SDK and Arduino code see it through
/// <c>read()</c>/<c>recv()</c>: a read returns the bytes there are (at most what was asked), <b>0 after the server's FIN,
/// forever</b>, and -1 on a reset, an error, a dropped link or <c>SO_RCVTIMEO</c> expiring (then <see cref="LastError"/> says
/// which: <see cref="LwipError.WouldBlock"/> for a timeout, as <c>EAGAIN</c>). The socket offers lwIP's small receive window,
/// so a server feels a board's pace. It binds to the board's own address, so servers see one address per board.
/// </summary>
public sealed class LwipSocket : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationToken _linkLost;
    private readonly byte[] _pending = new byte[OtaReceiverOptions.LwipMss];
    private int _pendingStart, _pendingCount;
    private bool _finReceived;
    private bool _failed;

    private LwipSocket(Socket socket, CancellationToken linkLost)
    {
        _socket = socket;
        _linkLost = linkLost;
    }

    /// <summary>The error of the last read that returned -1 or 0 (<c>SO_ERROR</c> / <c>errno</c>).</summary>
    public LwipError LastError { get; private set; }

    /// <summary>The board's end of the connection.</summary>
    public IPEndPoint? LocalEndPoint => _socket.LocalEndPoint as IPEndPoint;

    /// <summary>
    /// <c>socket()</c> + <c>connect()</c> from <paramref name="bind"/> to <paramref name="server"/>. Null when the connection
    /// is refused or unreachable (or the link is down). <paramref name="linkLost"/> fails every later read, as a dropped
    /// Wi-Fi link does.
    /// </summary>
    public static async Task<LwipSocket?> ConnectAsync(IPAddress bind, IPEndPoint server, CancellationToken linkLost, CancellationToken cancellationToken,
        int? receiveWindow = OtaReceiverOptions.LwipWindow)
    {
        if (linkLost.IsCancellationRequested) return null;
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (receiveWindow is { } window) socket.ReceiveBufferSize = window;
            socket.NoDelay = true;   // start_client sets TCP_NODELAY
            if (!bind.Equals(IPAddress.Any) && bind.AddressFamily == server.AddressFamily) socket.Bind(new IPEndPoint(bind, 0));
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, linkLost);
            // lwIP gives up a connect after its SYN retries (about 20 s); a host that refuses answers at once.
            either.CancelAfter(TimeSpan.FromSeconds(20));
            await socket.ConnectAsync(server, either.Token).ConfigureAwait(false);
            return new LwipSocket(socket, linkLost);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            return null;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    /// <summary><c>write()</c>: the bytes sent, or -1.</summary>
    public async ValueTask<int> WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (_failed) return -1;
        try
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _linkLost);
            int sent = 0;
            while (sent < bytes.Length) sent += await _socket.SendAsync(bytes[sent..], SocketFlags.None, either.Token).ConfigureAwait(false);
            return sent;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail(LwipError.Aborted);
        }
        catch (SocketException)
        {
            return Fail(LwipError.Reset);
        }
    }

    /// <summary>
    /// <c>read()</c>/<c>recv()</c>: up to <paramref name="buffer"/>'s length; waits at most <paramref name="timeout"/>
    /// (null: forever, as a socket with no <c>SO_RCVTIMEO</c>).
    /// </summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty) return 0;
        if (_pendingCount > 0)
        {
            int n = Math.Min(buffer.Length, _pendingCount);
            _pending.AsSpan(_pendingStart, n).CopyTo(buffer.Span);
            _pendingStart += n;
            _pendingCount -= n;
            // lwIP hands over what it holds and, without blocking, what else has arrived.
            if (n < buffer.Length && _socket.Available > 0 && !_finReceived && !_failed)
            {
                int more = await ReceiveAsync(buffer[n..], TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                if (more > 0) n += more;
            }
            return n;
        }
        return await ReceiveAsync(buffer, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>recv(MSG_PEEK)</c> of one byte with the given timeout (the Arduino core peeks with 10 ms to answer
    /// <c>available()</c>): 1 when a byte is there, 0 after FIN, -1 on timeout or error (see <see cref="LastError"/>).
    /// </summary>
    public async ValueTask<int> PeekAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_pendingCount > 0) return 1;
        int n = await ReceiveAsync(_pending, timeout, cancellationToken).ConfigureAwait(false);
        if (n <= 0) return n;
        _pendingStart = 0;
        _pendingCount = n;
        return 1;
    }

    private async ValueTask<int> ReceiveAsync(Memory<byte> buffer, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (_failed) return -1;
        if (_finReceived)
        {
            LastError = LwipError.NotConnected;
            return 0;
        }
        try
        {
            int n;
            if (_socket.Available > 0)
            {
                n = _socket.Receive(buffer.Span, SocketFlags.None);
            }
            else if (timeout == TimeSpan.Zero)
            {
                LastError = LwipError.WouldBlock;
                return -1;
            }
            else
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _linkLost);
                if (timeout is { } t) either.CancelAfter(t);
                n = await _socket.ReceiveAsync(buffer, SocketFlags.None, either.Token).ConfigureAwait(false);
            }
            if (n == 0)
            {
                _finReceived = true;
                LastError = LwipError.NotConnected;
                return 0;
            }
            LastError = LwipError.None;
            return n;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (_linkLost.IsCancellationRequested) return Fail(LwipError.Aborted);
            LastError = LwipError.WouldBlock;   // SO_RCVTIMEO: EAGAIN, the connection is still there
            return -1;
        }
        catch (SocketException)
        {
            return Fail(LwipError.Reset);
        }
    }

    private int Fail(LwipError error)
    {
        _failed = true;
        LastError = error;
        return -1;
    }

    /// <summary><c>close()</c>: an orderly close (FIN), or a reset if unread data is left, as lwIP does.</summary>
    public void Dispose() => _socket.Dispose();
}

/// <summary>The <c>errno</c> of a failed lwIP socket call, as far as the OTA code tells them apart.</summary>
public enum LwipError
{
    /// <summary>No error.</summary>
    None,
    /// <summary><c>EAGAIN</c>/<c>EWOULDBLOCK</c>: <c>SO_RCVTIMEO</c> expired; the connection is fine.</summary>
    WouldBlock,
    /// <summary><c>ENOTCONN</c>: the server closed the connection (<c>ERR_CLSD</c>).</summary>
    NotConnected,
    /// <summary><c>ECONNRESET</c>: reset by the server, or any socket error.</summary>
    Reset,
    /// <summary><c>ECONNABORTED</c>: the link went down.</summary>
    Aborted,
}
