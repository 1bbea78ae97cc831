using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using AmebaOta.Protocol;
using AmebaOta.Protocol.Http;

namespace AmebaOta.Families.Ameba1.Pull;

/// <summary>What a raw connection needs from the server around it.</summary>
/// <param name="Images">The image to serve (read once per request: one snapshot from first byte to last).</param>
/// <param name="Fault">The deliberate mistake to make, if any.</param>
/// <param name="SlowBytesPerSecond">Pace of a <see cref="PullFault.Slow"/> body.</param>
/// <param name="Started">Called when a response starts, with its transfer (for logs and live progress).</param>
public sealed record PullConnectionOptions(PullImageSource Images, PullFault Fault = PullFault.None, double? SlowBytesPerSecond = null,
    Action<PullTransfer>? Started = null)
{
    /// <summary>How long a client may take to send its request head (a board sends it as soon as it is connected).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a board may take no byte before it counts as gone (null: <see cref="OtaUploadBudget.DefaultStall(long)"/> of the image).</summary>
    public TimeSpan? StallTimeout { get; init; }
}

/// <summary>
/// Serves one connection straight on its byte pipe, with no HTTP framework in between, so every byte is the one
/// <see cref="PullResponses"/> chose: the <c>update_ota_local</c> download server (the server speaks first), and the HTTP
/// port when a <see cref="PullFault"/> must produce what a framework never would (a status line with no reason phrase,
/// lower-case header names, a body cut short). One request per connection, then close.
/// <para>With the connection's socket, the close is a reset (<see cref="AbortiveClose"/>, armed by the server when it
/// accepted the connection) unless the board acknowledged the whole response, or a <see cref="PullFault.CloseEarly"/> fault
/// wants its FIN.</para>
/// </summary>
public static class RawPullConnection
{
    /// <summary>The <c>update_ota_local</c> server: 12-byte header, image, trailer, close; the board never sends anything.</summary>
    /// <remarks>With the connection's <paramref name="socket"/>, progress and "stayed to the end" follow what the board acknowledged.</remarks>
    public static async Task<PullTransfer> ServeSdkLocalAsync(IDuplexPipe pipe, IPEndPoint? remote, PullConnectionOptions options, CancellationToken cancellationToken,
        Socket? socket = null)
    {
        var response = PullResponses.For(PullProtocol.SdkLocal, options.Images.Current, options.Fault, options.SlowBytesPerSecond);
        var transfer = new PullTransfer(remote, PullProtocol.SdkLocal, "", 0, response.Body.Length, TcpAckCounter.StartingNow(socket));
        options.Started?.Invoke(transfer);
        await SendAsync(pipe, response, transfer, options, socket, cancellationToken).ConfigureAwait(false);
        return transfer;
    }

    /// <summary>One HTTP request on a raw connection: read the head, answer by path, close. Null when no request came.</summary>
    /// <remarks>With the connection's <paramref name="socket"/>, progress and "stayed to the end" follow what the board acknowledged.</remarks>
    public static async Task<PullTransfer?> ServeHttpAsync(IDuplexPipe pipe, IPEndPoint? remote, PullConnectionOptions options, CancellationToken cancellationToken,
        Socket? socket = null)
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

        PullResponse response;
        string path = head.Target;
        if (head.Method is not ("GET" or "HEAD")) response = PullResponses.Error(405, "only GET is served here");
        else response = PullResponses.For(PullProtocols.ForPath(path), options.Images.Current, options.Fault, options.SlowBytesPerSecond);
        if (head.Method == "HEAD") response = response with { SendBytes = 0 };

        var transfer = new PullTransfer(remote, response.Protocol, path, response.Status, response.Body.Length, TcpAckCounter.StartingNow(socket));
        options.Started?.Invoke(transfer);
        await SendAsync(pipe, response, transfer, options, socket, cancellationToken).ConfigureAwait(false);
        return transfer;
    }

    private static async Task SendAsync(IDuplexPipe pipe, PullResponse response, PullTransfer transfer, PullConnectionOptions options, Socket? socket,
        CancellationToken cancellationToken)
    {
        try
        {
            using var clientGone = new CancellationTokenSource();
            var watching = WatchForCloseAsync(pipe.Input, clientGone, cancellationToken);
            var outcome = await PullSender.SendAsync(pipe.Output, response, transfer, writeHead: true, clientGone.Token, cancellationToken, options.StallTimeout)
                .ConfigureAwait(false);
            if (socket is not null && (outcome == PullTransferOutcome.Completed || response.End == PullBodyEnd.CloseEarly && outcome == PullTransferOutcome.CutByFault))
                AbortiveClose.Disarm(socket);
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
