using System.Net.Sockets;

namespace AmebaOta.Protocol.OtaUi.Board;

/// <summary>
/// A connection the trigger listener accepted, read and written as the Arduino core does: <c>SO_RCVTIMEO</c> 3 s
/// (<c>get_available</c> sets it), <c>SO_SNDTIMEO</c> 30 s. Reads return the bytes, 0 after the peer's FIN, -1 when the
/// timeout expires (the connection is still there) and -2 on a reset or error.
/// </summary>
internal sealed class TriggerConnection(Socket socket, CancellationToken linkLost) : IDisposable
{
    public static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);

    private bool _fin;

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_fin) return 0;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, linkLost);
        either.CancelAfter(ReceiveTimeout);
        try
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, either.Token).ConfigureAwait(false);
            if (n == 0) _fin = true;
            return n;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return linkLost.IsCancellationRequested ? -2 : -1;
        }
        catch (SocketException)
        {
            return -2;
        }
    }

    /// <summary><c>client.write</c>: true when the bytes were handed to the stack.</summary>
    public async ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, linkLost);
        either.CancelAfter(SendTimeout);
        try
        {
            int sent = 0;
            while (sent < bytes.Length) sent += await socket.SendAsync(bytes[sent..], SocketFlags.None, either.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary><c>client.stop()</c>: FIN, or a reset when unread bytes are left (as lwIP and Linux both do).</summary>
    public void Dispose() => socket.Dispose();
}
