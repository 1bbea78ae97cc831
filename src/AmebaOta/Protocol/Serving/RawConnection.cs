using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using AmebaOta.Protocol.Http;

namespace AmebaOta.Protocol.Serving;

/// <summary>What a raw connection needs from the server around it.</summary>
/// <param name="Started">Called when a response starts, with its transfer (for logs and live progress).</param>
public sealed record RawServeOptions(Action<PullTransfer>? Started = null)
{
    /// <summary>How long a client may take to send its request head (a board sends it as soon as it is connected).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a board may take no byte before it counts as gone (null: <see cref="OtaUploadBudget.DefaultStall(long)"/> of the body).</summary>
    public TimeSpan? StallTimeout { get; init; }
}

/// <summary>
/// Serves one connection straight on its byte pipe, with no HTTP framework in between, so every byte is the one the
/// protocol chose: a server that speaks first (Ameba1's <c>update_ota_local</c> download server), and an HTTP port that
/// must produce what a framework never would (a status line with no reason phrase, lower-case header names, a body cut
/// short). One request per connection, then close (at once, or when the client closes or <see cref="PullResponse.HoldOpen"/> passes).
/// <para>With the connection's socket, the close is a reset (<see cref="AbortiveClose"/>, armed by the server when it
/// accepted the connection) unless the board acknowledged the whole response, or a <see cref="PullBodyEnd.CloseEarly"/>
/// response wants its FIN.</para>
/// </summary>
public static class RawConnection
{
    /// <summary>Sends <paramref name="response"/> at once (the board never sends anything first), then closes.</summary>
    /// <remarks>With the connection's <paramref name="socket"/>, progress and "stayed to the end" follow what the board acknowledged.</remarks>
    public static async Task<PullTransfer> ServeAsync(IDuplexPipe pipe, IPEndPoint? remote, PullResponse response, RawServeOptions options,
        CancellationToken cancellationToken, Socket? socket = null)
    {
        var transfer = new PullTransfer(remote, response.Protocol, "", response.Status, response.Body.Length, TcpAckCounter.StartingNow(socket));
        options.Started?.Invoke(transfer);
        await SendAsync(pipe, response, transfer, options, socket, cancellationToken).ConfigureAwait(false);
        return transfer;
    }

    /// <summary>
    /// One HTTP request on a raw connection: read the head, answer with what <paramref name="respond"/> chooses for it
    /// (a HEAD request gets the head only), close. Null when no whole request came in time.
    /// </summary>
    /// <remarks>With the connection's <paramref name="socket"/>, progress and "stayed to the end" follow what the board acknowledged.</remarks>
    public static async Task<PullTransfer?> ServeRequestAsync(IDuplexPipe pipe, IPEndPoint? remote, Func<HttpRequestHead, PullResponse> respond,
        RawServeOptions options, CancellationToken cancellationToken, Socket? socket = null)
    {
        HttpRequestHead? head;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(options.RequestTimeout);
            try
            {
                head = await ReadHeadAsync(pipe.Input, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;   // no whole request in time: drop the connection
            }
        }
        if (head is null) return null;

        var response = respond(head);
        if (head.Method == "HEAD") response = response with { SendBytes = 0 };
        var transfer = new PullTransfer(remote, response.Protocol, head.Target, response.Status, response.Body.Length, TcpAckCounter.StartingNow(socket));
        options.Started?.Invoke(transfer);
        await SendAsync(pipe, response, transfer, options, socket, cancellationToken).ConfigureAwait(false);
        return transfer;
    }

    private static async Task SendAsync(IDuplexPipe pipe, PullResponse response, PullTransfer transfer, RawServeOptions options, Socket? socket,
        CancellationToken cancellationToken)
    {
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        transfer.CutWith(cut.Cancel);
        cancellationToken = cut.Token;
        try
        {
            using var clientGone = new CancellationTokenSource();
            var watching = WatchForCloseAsync(pipe.Input, clientGone, cancellationToken);
            var outcome = await PullSender.SendAsync(pipe.Output, response, transfer, writeHead: true, clientGone.Token, cancellationToken, options.StallTimeout)
                .ConfigureAwait(false);
            if (socket is not null && (outcome == PullTransferOutcome.Completed || response.End == PullBodyEnd.CloseEarly && outcome == PullTransferOutcome.CutByFault))
                AbortiveClose.Disarm(socket);
            if (outcome == PullTransferOutcome.Completed && response.HoldOpen is { } hold)
                await Task.WhenAny(watching, Task.Delay(hold, cancellationToken)).ConfigureAwait(false);
            await pipe.Output.CompleteAsync().ConfigureAwait(false);
            await clientGone.CancelAsync().ConfigureAwait(false);
            await watching.ConfigureAwait(false);
        }
        finally
        {
            transfer.End(PullTransferOutcome.Aborted);   // only if nothing ended it
        }
    }

    private static async Task<HttpRequestHead?> ReadHeadAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (HttpRequestHead.TryRead(buffer, out var head, out var consumed, out var examined))
            {
                input.AdvanceTo(consumed, examined);
                return head;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled) return null;
        }
    }

    /// <summary>Reads (and drops) whatever the client sends until it closes; then cancels <paramref name="clientGone"/>.</summary>
    private static async Task WatchForCloseAsync(PipeReader input, CancellationTokenSource clientGone, CancellationToken cancellationToken)
    {
        try
        {
            while (!clientGone.IsCancellationRequested)
            {
                var result = await input.ReadAsync(clientGone.Token).ConfigureAwait(false);
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled) break;
            }
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException
            or InvalidOperationException)
        {
            // A reset or an aborted connection (Kestrel's ConnectionAbortedException is a cancellation): the client is gone all the same.
        }
        if (!cancellationToken.IsCancellationRequested) await clientGone.CancelAsync().ConfigureAwait(false);
    }
}
