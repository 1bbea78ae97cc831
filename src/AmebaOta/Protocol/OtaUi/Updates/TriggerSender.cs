using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AmebaOta.Protocol.OtaUi.Updates;

/// <summary>How sending <c>start_ota</c> to a board went.</summary>
public enum TriggerOutcome
{
    /// <summary>Connected and sent; the board echoed what it read (it acts on it only if it is idle).</summary>
    Echoed,
    /// <summary>Connected and sent, but no echo came (a board that reads nothing, or not an OTA UI sketch).</summary>
    NoEcho,
    /// <summary>Nothing listens on the trigger port (connection refused).</summary>
    Refused,
    /// <summary>No answer at all within the connect timeout (the board is off, or not at that address).</summary>
    Unreachable,
}

/// <summary>What sending <c>start_ota</c> showed.</summary>
/// <param name="Outcome">How it went.</param>
/// <param name="Echo">The bytes the board sent back.</param>
/// <param name="BoardClosedAfter">When the board closed the connection after the echo: a Pro2 board does after 500 ms; an AmebaD board holds it (its thread sleeps 10 s).</param>
/// <param name="Error">The socket error, when it failed.</param>
public sealed record TriggerResult(TriggerOutcome Outcome, byte[] Echo, TimeSpan? BoardClosedAfter, string? Error)
{
    /// <summary>True when the board echoed exactly the signal sent.</summary>
    public bool EchoMatches => Echo.AsSpan().SequenceEqual(TriggerSender.Signal.Span);

    /// <summary>
    /// What the echo's end says of the sketch: a board that closes the connection itself soon after the echo runs
    /// AmebaPro2's library (<c>delay(500); client.stop()</c>); one that holds it runs AmebaD's (<c>vTaskDelay(10000)</c>,
    /// then it reads again). A hint, never proof.
    /// </summary>
    public string? LibraryHint => Outcome != TriggerOutcome.Echoed ? null : BoardClosedAfter is null ? "amebad" : "amebapro2";
}

/// <summary>
/// Sends the trigger of the OTA UI method: the bytes <c>start_ota</c> to the board's TCP port 5000, in one segment, as
/// nothing else: the board looks for them in what its first <c>read()</c> returns (up to 1 KiB) and never reads again on
/// that connection, so a trigger split over two segments can be missed (the stock page sends it as the body of an HTTP
/// POST from the browser). The board echoes what it read whatever its state; it starts its download only if it is idle.
/// Nothing but these 9 bytes goes to the board: no image travels on this connection.
/// </summary>
public static class TriggerSender
{
    /// <summary>The signal (<see cref="OtaUiTrigger.Request"/>).</summary>
    public static ReadOnlyMemory<byte> Signal { get; } = OtaUiTrigger.Request();

    /// <summary>How long to wait for the echo once sent.</summary>
    public static readonly TimeSpan EchoTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How long to watch for the board's close after the echo (long enough to see Pro2's 500 ms).</summary>
    public static readonly TimeSpan CloseWatch = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// Sends the signal to <paramref name="board"/> and reports what came back. <paramref name="cancellationToken"/> stops it
    /// until the signal goes out; from then on only <paramref name="afterSent"/> does (default: the same token): a board
    /// sent <c>start_ota</c> downloads whatever the host does next, so a caller that follows triggered boards to their end
    /// must not lose one to a stop that landed while the echo was awaited.
    /// </summary>
    public static async Task<TriggerResult> SendAsync(IPEndPoint board, TimeSpan connectTimeout, CancellationToken cancellationToken, CancellationToken? afterSent = null)
    {
        using var socket = new Socket(board.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connect.CancelAfter(connectTimeout);
                await socket.ConnectAsync(board, connect.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new TriggerResult(TriggerOutcome.Unreachable, [], null, $"no answer from {board} within {connectTimeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            return new TriggerResult(e.SocketErrorCode == SocketError.ConnectionRefused ? TriggerOutcome.Refused : TriggerOutcome.Unreachable, [], null,
                e.SocketErrorCode == SocketError.ConnectionRefused ? $"nothing listens on {board} (connection refused)" : $"{board}: {e.Message}");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var sent = afterSent ?? cancellationToken;
        try
        {
            await socket.SendAsync(Signal, SocketFlags.None, sent).ConfigureAwait(false);
            var echo = await ReadEchoAsync(socket, sent).ConfigureAwait(false);
            if (echo.Length == 0) return new TriggerResult(TriggerOutcome.NoEcho, echo, null, $"{board} accepted start_ota but echoed nothing within {EchoTimeout.TotalSeconds:0} s");
            var closedAfter = await WatchCloseAsync(socket, sent).ConfigureAwait(false);
            return new TriggerResult(TriggerOutcome.Echoed, echo, closedAfter, null);
        }
        catch (SocketException e)
        {
            return new TriggerResult(TriggerOutcome.NoEcho, [], null, $"{board}: {e.Message} after start_ota was sent");
        }
    }

    private static async Task<byte[]> ReadEchoAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[OtaUiTrigger.ReadBufferBytes];
        int total = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(EchoTimeout);
        try
        {
            while (total < Signal.Length)
            {
                int n = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (n == 0) break;
                total += n;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        return buffer[..total];
    }

    /// <summary>How long after the echo the board closed (null: still open after <see cref="CloseWatch"/>).</summary>
    private static async Task<TimeSpan?> WatchCloseAsync(Socket socket, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var buffer = new byte[256];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CloseWatch);
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (n == 0) return clock.Elapsed;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            return clock.Elapsed;   // a reset is a close too (lwIP resets when unread bytes are left)
        }
    }
}
