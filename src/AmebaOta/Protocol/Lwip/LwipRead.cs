using System.Net.Sockets;

namespace AmebaOta.Protocol.Lwip;

/// <summary>A board receiver's <c>read()</c> on an accepted socket, with lwIP's semantics (docs/reference sections 9.4, 11.6).</summary>
public static class LwipRead
{
    /// <summary>
    /// One read: the bytes read, 0 once the peer has closed (FIN, and forever after), or -1 on a reset, a socket error, a
    /// dropped link or <c>SO_RCVTIMEO</c> expiring (the timeout runs only while this read waits). Cancelling
    /// <paramref name="cancellationToken"/> (a board reset) throws.
    /// </summary>
    public static async ValueTask<int> ReadAsync(Socket client, Memory<byte> buffer, TimeSpan timeout, CancellationToken linkLost, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, linkLost);
        timer.CancelAfter(timeout);
        try
        {
            return await client.ReceiveAsync(buffer, SocketFlags.None, timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return -1;
        }
        catch (SocketException)
        {
            return -1;
        }
    }
}
