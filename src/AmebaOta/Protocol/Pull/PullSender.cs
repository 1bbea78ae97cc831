using System.IO.Pipelines;

namespace AmebaOta.Protocol.Pull;

/// <summary>
/// Writes a <see cref="PullResponse"/> to a connection's pipe: the head (when the transport does not write its own), then
/// the body in chunks, flushing each so that a board's small receive window paces the server (progress counts what the
/// connection took; the head is not counted). Applies the response's pace, cut and stall.
/// </summary>
public static class PullSender
{
    /// <summary>Bytes per write while the body goes out at full speed.</summary>
    public const int ChunkSize = 16 * 1024;

    /// <summary>Bytes per write while a slow body trickles.</summary>
    public const int SlowChunkSize = 512;

    /// <summary>
    /// Sends <paramref name="response"/> (its head too when <paramref name="writeHead"/>) and returns how the transfer
    /// ended. A stalled body waits on <paramref name="clientGone"/> (or <paramref name="cancellationToken"/>) before returning.
    /// </summary>
    public static async Task<PullTransferOutcome> SendAsync(PipeWriter writer, PullResponse response, PullTransfer transfer, bool writeHead,
        CancellationToken clientGone, CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(clientGone, cancellationToken);
        var token = either.Token;
        try
        {
            if (writeHead)
            {
                // One segment: update_ota_local reads its 12-byte header with a single read().
                if (await WriteAsync(writer, response.Head, null, token).ConfigureAwait(false)) return Left(transfer);
            }
            var body = response.Body[..(int)response.SendBytes];
            int chunk = response.BytesPerSecond is null ? ChunkSize : SlowChunkSize;
            var pace = response.BytesPerSecond is { } rate ? TimeSpan.FromSeconds(chunk / rate) : TimeSpan.Zero;
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int offset = 0; offset < body.Length; offset += chunk)
            {
                var piece = body.Slice(offset, Math.Min(chunk, body.Length - offset));
                if (await WriteAsync(writer, piece, transfer, token).ConfigureAwait(false)) return Left(transfer);
                if (pace > TimeSpan.Zero)
                {
                    // Paced from the start, so timer lateness does not add up.
                    var due = pace * ((offset / chunk) + 1) - System.Diagnostics.Stopwatch.GetElapsedTime(started);
                    if (due > TimeSpan.Zero) await Task.Delay(due, token).ConfigureAwait(false);
                }
            }
            switch (response.End)
            {
                case PullBodyEnd.CloseEarly:
                    transfer.End(PullTransferOutcome.CutByFault);
                    return PullTransferOutcome.CutByFault;
                case PullBodyEnd.Stall:
                    // Silence, with the connection open, until the client gives up or the server stops.
                    try { await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false); }
                    catch (OperationCanceledException) { }
                    transfer.End(PullTransferOutcome.CutByFault);
                    return PullTransferOutcome.CutByFault;
                default:
                    transfer.End(PullTransferOutcome.Completed);
                    return PullTransferOutcome.Completed;
            }
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            return Left(transfer);
        }
        catch (OperationCanceledException)
        {
            transfer.End(PullTransferOutcome.Aborted);
            throw;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection broke under the writer (a reset from the board).
            return Left(transfer);
        }
    }

    private static PullTransferOutcome Left(PullTransfer transfer)
    {
        transfer.End(PullTransferOutcome.ClientLeft);
        return PullTransferOutcome.ClientLeft;
    }

    /// <summary>Writes and flushes; true when the connection is gone.</summary>
    private static async ValueTask<bool> WriteAsync(PipeWriter writer, ReadOnlyMemory<byte> bytes, PullTransfer? transfer, CancellationToken token)
    {
        if (bytes.IsEmpty) return false;
        var result = await writer.WriteAsync(bytes, token).ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted) return true;
        transfer?.Add(bytes.Length);
        return false;
    }
}
