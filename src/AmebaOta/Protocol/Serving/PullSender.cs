using System.IO.Pipelines;

namespace AmebaOta.Protocol.Serving;

/// <summary>
/// Writes a <see cref="PullResponse"/> to a connection's pipe: the head (when the transport does not write its own), then
/// the body in chunks, flushing each so that a board's small receive window paces the server. Applies the response's
/// pace, cut and stall. A whole body counts as completed only once the board has acknowledged all of it (where the
/// transfer can see acknowledgements): the host's buffers take a whole image while the board is still erasing, and a
/// board that resets meanwhile never got it. A body with a <see cref="PullResponse.Throttle"/> (a fleet's airtime budget)
/// goes in the pieces it allows, a few KB ahead of what the board acknowledged, as a throttled push does.
/// </summary>
public static class PullSender
{
    /// <summary>Bytes per write while the body goes out at full speed.</summary>
    public const int ChunkSize = 16 * 1024;

    /// <summary>Bytes per write while a slow body trickles.</summary>
    public const int SlowChunkSize = 512;

    /// <summary>How often the last acknowledgements are looked for once the whole body is handed over.</summary>
    public static readonly TimeSpan AcknowledgementPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Sends <paramref name="response"/> (its head too when <paramref name="writeHead"/>) and returns how the transfer
    /// ended. A stalled body (a server fault on purpose) waits on <paramref name="clientGone"/> (or
    /// <paramref name="cancellationToken"/>) before returning. A board that takes no byte for <paramref name="stall"/>
    /// (default: what a host gives a stock board, <see cref="OtaUploadBudget.DefaultStall(long)"/>) has left: a client that
    /// connects and never reads is not held forever.
    /// </summary>
    public static async Task<PullTransferOutcome> SendAsync(PipeWriter writer, PullResponse response, PullTransfer transfer, bool writeHead,
        CancellationToken clientGone, CancellationToken cancellationToken, TimeSpan? stall = null)
    {
        using var stalled = new CancellationTokenSource();
        using var either = CancellationTokenSource.CreateLinkedTokenSource(clientGone, cancellationToken, stalled.Token);
        var token = either.Token;
        using var stopWatching = new CancellationTokenSource();
        // The stall fault keeps its silence on purpose (it shows that the SDK clients wait forever): no watchdog there.
        var watchdog = response.End == PullBodyEnd.Stall ? Task.CompletedTask
            : WatchForStallAsync(transfer, stall ?? OtaUploadBudget.DefaultStall(transfer.TotalBytes), stalled, stopWatching.Token);
        // The throttle learns what the board acknowledged from a loop of its own: the sender waits on the throttle, and the
        // throttle waits for acknowledgements (its bytes in flight) that only a report frees.
        var follower = Throttled(response, transfer) is { } throttle ? FollowAsync(transfer, throttle, stopWatching.Token) : Task.CompletedTask;
        try
        {
            return await SendBodyAsync(writer, response, transfer, writeHead, clientGone, stalled, token, stall).ConfigureAwait(false);
        }
        finally
        {
            await stopWatching.CancelAsync().ConfigureAwait(false);
            await watchdog.ConfigureAwait(false);
            await follower.ConfigureAwait(false);
        }
    }

    /// <summary>Cancels <paramref name="stalled"/> when the board has taken no byte for <paramref name="stall"/> while bytes wait for it.</summary>
    private static async Task WatchForStallAsync(PullTransfer transfer, TimeSpan stall, CancellationTokenSource stalled, CancellationToken stop)
    {
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(stall.TotalMilliseconds / 4, 10, 1000));
        long last = -1;
        long lastChange = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            while (transfer.Outcome == PullTransferOutcome.Running)
            {
                await Task.Delay(poll, stop).ConfigureAwait(false);
                long now = transfer.BoardBytes;
                if (now != last || transfer.AllAcknowledged && transfer.SentBytes >= transfer.TotalBytes)
                {
                    last = now;
                    lastChange = System.Diagnostics.Stopwatch.GetTimestamp();
                }
                else if (System.Diagnostics.Stopwatch.GetElapsedTime(lastChange) > stall)
                {
                    await stalled.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<PullTransferOutcome> SendBodyAsync(PipeWriter writer, PullResponse response, PullTransfer transfer, bool writeHead,
        CancellationToken clientGone, CancellationTokenSource stalled, CancellationToken token, TimeSpan? stall)
    {
        try
        {
            if (writeHead)
            {
                // One segment: update_ota_local reads its 12-byte header with a single read().
                if (await WriteAsync(writer, response.Head, null, token).ConfigureAwait(false)) return Left(transfer);
                transfer.HeadWritten(response.Head.Length);
            }
            var body = response.Body[..(int)response.SendBytes];
            var throttle = Throttled(response, transfer);
            if (await (throttle is null ? SendChunksAsync(writer, body, response, transfer, token) : SendPacedAsync(writer, body, transfer, throttle, token))
                    .ConfigureAwait(false))
                return Left(transfer);
            switch (response.End)
            {
                case PullBodyEnd.CloseEarly:
                    transfer.End(PullTransferOutcome.CutByFault);
                    return PullTransferOutcome.CutByFault;
                case PullBodyEnd.Stall:
                    // Silence, with the connection open, until the client gives up, the server stops, or the board takes nothing more.
                    try { await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false); }
                    catch (OperationCanceledException) { }
                    transfer.End(PullTransferOutcome.CutByFault);
                    return PullTransferOutcome.CutByFault;
                default:
                    if (!await AllAcknowledgedAsync(transfer, stall, token).ConfigureAwait(false)) return Left(transfer);
                    transfer.End(PullTransferOutcome.Completed);
                    return PullTransferOutcome.Completed;
            }
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested || stalled.IsCancellationRequested)
        {
            return LeftOrDone(transfer, response);
        }
        catch (OperationCanceledException)
        {
            if (Whole(transfer, response))
            {
                // Stopped while only waiting for acknowledgements that had all come: the board got it all.
                transfer.End(PullTransferOutcome.Completed);
                return PullTransferOutcome.Completed;
            }
            transfer.End(PullTransferOutcome.Aborted);
            throw;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection broke under the writer (a reset from the board).
            return LeftOrDone(transfer, response);
        }
    }

    /// <summary>
    /// Waits until the board has acknowledged every body byte; false when it takes none for as long as a host gives a
    /// stock board (<see cref="OtaUploadBudget.DefaultStall(long)"/>: its slowest erase and a margin), as a board that died does,
    /// or at once when it reset the connection (the framework does not always tell a writer that has handed over every byte).
    /// </summary>
    private static async Task<bool> AllAcknowledgedAsync(PullTransfer transfer, TimeSpan? stallTimeout, CancellationToken token)
    {
        var stall = stallTimeout ?? OtaUploadBudget.DefaultStall(transfer.TotalBytes);
        long last = -1;
        long lastChange = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!transfer.AllAcknowledged)
        {
            if (transfer.ConnectionOver) return transfer.AllAcknowledged;
            long now = transfer.BoardBytes;
            if (now != last)
            {
                last = now;
                lastChange = System.Diagnostics.Stopwatch.GetTimestamp();
            }
            else if (System.Diagnostics.Stopwatch.GetElapsedTime(lastChange) > stall)
            {
                return false;
            }
            await Task.Delay(AcknowledgementPoll, token).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>Writes the body in chunks, at the response's own pace if it has one; true when the connection is gone.</summary>
    private static async Task<bool> SendChunksAsync(PipeWriter writer, ReadOnlyMemory<byte> body, PullResponse response, PullTransfer transfer, CancellationToken token)
    {
        int chunk = response.BytesPerSecond is null ? ChunkSize : SlowChunkSize;
        var pace = response.BytesPerSecond is { } rate ? TimeSpan.FromSeconds(chunk / rate) : TimeSpan.Zero;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int offset = 0; offset < body.Length; offset += chunk)
        {
            var piece = body.Slice(offset, Math.Min(chunk, body.Length - offset));
            if (await WriteAsync(writer, piece, transfer, token).ConfigureAwait(false)) return true;
            if (pace > TimeSpan.Zero)
            {
                // Paced from the start, so timer lateness does not add up.
                var due = pace * ((offset / chunk) + 1) - System.Diagnostics.Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.Zero) await Task.Delay(due, token).ConfigureAwait(false);
            }
        }
        return false;
    }

    /// <summary>The response's throttle, where it can pace: the board's acknowledgements are seen, and the body has no pace of its own.</summary>
    private static IReportingThrottle? Throttled(PullResponse response, PullTransfer transfer) =>
        response.BytesPerSecond is null && transfer.SeesAcknowledgements ? response.Throttle : null;

    /// <summary>
    /// Writes the body in the pieces <paramref name="throttle"/> allows, never more than <see cref="ThrottledWindow.Room"/>
    /// ahead of what the board acknowledged (read between pieces, and every <see cref="OtaUploadOptions.ThrottledPoll"/>
    /// while waiting); true when the connection is gone.
    /// </summary>
    private static async Task<bool> SendPacedAsync(PipeWriter writer, ReadOnlyMemory<byte> body, PullTransfer transfer, IReportingThrottle throttle, CancellationToken token)
    {
        for (int sent = 0; sent < body.Length;)
        {
            long acked;
            int room;
            while (!ThrottledWindow.Enough(room = ThrottledWindow.Room(acked = transfer.BoardBytes, sent, OtaUploadOptions.DefaultErasingWindow), body.Length - sent))
            {
                if (transfer.ConnectionOver) return true;   // reset by the board: no room will come
                await Task.Delay(OtaUploadOptions.ThrottledPoll, token).ConfigureAwait(false);
            }
            int n = ThrottledWindow.Piece(room, body.Length - sent);
            await throttle.TakeAsync(n, acked, token).ConfigureAwait(false);
            if (await WriteAsync(writer, body.Slice(sent, n), transfer, token).ConfigureAwait(false)) return true;
            sent += n;
        }
        return false;
    }

    /// <summary>
    /// Tells <paramref name="throttle"/> what the board acknowledged, every <see cref="AcknowledgementPoll"/> while it changes,
    /// until the transfer ends or <paramref name="stop"/> (erasing until its first window is taken, as a push counts it).
    /// </summary>
    private static async Task FollowAsync(PullTransfer transfer, IReportingThrottle throttle, CancellationToken stop)
    {
        long reported = -1;
        void Report()
        {
            long acked = transfer.BoardBytes;
            if (acked == reported) return;
            throttle.Report(ThrottledWindow.Phase(acked, transfer.TotalBytes, OtaUploadOptions.DefaultErasingWindow), acked);
            reported = acked;
        }
        try
        {
            while (transfer.Outcome == PullTransferOutcome.Running)
            {
                Report();
                await Task.Delay(AcknowledgementPoll, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        Report();   // the last acknowledgements, read before the transfer ended
    }

    /// <summary>The client went away: still a whole transfer if it had acknowledged every byte of a whole body first.</summary>
    private static PullTransferOutcome LeftOrDone(PullTransfer transfer, PullResponse response)
    {
        if (!Whole(transfer, response)) return Left(transfer);
        transfer.End(PullTransferOutcome.Completed);
        return PullTransferOutcome.Completed;
    }

    /// <summary>True when a whole body was handed over and the board acknowledged all of it.</summary>
    private static bool Whole(PullTransfer transfer, PullResponse response) =>
        response.End == PullBodyEnd.Complete && transfer.SentBytes >= response.SendBytes && transfer.AllAcknowledged;

    private static PullTransferOutcome Left(PullTransfer transfer)
    {
        transfer.End(PullTransferOutcome.ClientLeft);
        return PullTransferOutcome.ClientLeft;
    }

    /// <summary>Writes and flushes; true when the connection is gone.</summary>
    private static async ValueTask<bool> WriteAsync(PipeWriter writer, ReadOnlyMemory<byte> bytes, PullTransfer? transfer, CancellationToken token)
    {
        if (bytes.IsEmpty) return false;
        // Where acknowledgements are seen, bytes count as handed over once in the pipe: a board that resets while the
        // write waits for room may have taken part of them, and only its acknowledgements (never more) are counted.
        bool counted = transfer is { SeesAcknowledgements: true };
        if (counted) transfer!.Add(bytes.Length);
        var result = await writer.WriteAsync(bytes, token).ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted) return true;
        if (!counted) transfer?.Add(bytes.Length);
        return false;
    }
}
