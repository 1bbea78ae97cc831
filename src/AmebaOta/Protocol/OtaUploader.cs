using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AmebaOta.Protocol;

/// <summary>
/// The host side of the OTA protocol, byte-compatible with the stock <c>upload_ota</c> (docs/reference section 7): one TCP
/// connection, the 12-byte <see cref="OtaHeader"/>, the file, then an orderly close (FIN). Nothing else is sent and
/// nothing is expected back: the board never answers. Unlike the stock tool it is safe for a real board (docs/reference section 9):
/// <list type="bullet">
/// <item>progress, stall detection and success follow the bytes the board has <b>acknowledged</b> (TCP_INFO on Linux),
/// not what the host's kernel buffered; success is reported only once the board acknowledged the last byte;</item>
/// <item>the stall budget defaults to the slowest erase the image can cost (<see cref="OtaUploadBudget.DefaultStall(long)"/>),
/// since the board reads nothing while it erases;</item>
/// <item>any failure or interruption after the connection opened (stall, cancellation, an error of ours) ends the
/// connection with a reset (SO_LINGER 0), never a FIN: after a FIN a stock board's <c>read()</c> returns 0 forever and
/// its download loop spins until someone resets it; after a reset it prints <c>Download fail</c> and keeps its old image.
/// The reset is armed before the connection opens and disarmed only once the board has acknowledged the last byte
/// (<see cref="AbortiveClose"/>), so it holds even when the process dies at any moment (<c>kill -9</c>, an OOM kill, a
/// crash): the kernel then closes the socket, and with SO_LINGER 0 that is a reset too;</item>
/// <item>a stock receiver never sends a byte on this connection: data from the peer means a wrong port or service, and
/// the upload fails (<see cref="OtaUploadFailure.NotAReceiver"/>) with a reset.</item>
/// </list>
/// Failures throw <see cref="OtaUploadException"/>, cancellation included (<see cref="OtaUploadFailure.Interrupted"/>).
/// </summary>
public static class OtaUploader
{
    /// <summary>Unacknowledged bytes below which the end of the upload is watched at <see cref="OtaUploadOptions.DrainPollInterval"/>.</summary>
    internal const long DrainWindow = 16 * 1024;

    /// <summary>Send buffer where acknowledgements cannot be read, so "handed to the kernel" stays close to "taken by the board".</summary>
    internal const int SmallSendBuffer = 8 * 1024;

    /// <summary>
    /// Sends <paramref name="image"/> to <paramref name="board"/> and returns once the board has acknowledged every byte.
    /// <paramref name="progress"/> is called synchronously, from the uploading task, as acknowledgements come in.
    /// </summary>
    public static async Task<OtaUploadResult> UploadAsync(
        IPEndPoint board, ReadOnlyMemory<byte> image, OtaUploadOptions? options = null,
        IProgress<OtaUploadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new OtaUploadOptions();
        if (options.ChunkSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), "the chunk size must be positive");
        var header = OtaHeader.For(image.Span);
        long total = image.Length;
        long wire = OtaHeader.Size + total;
        var stall = options.StallTimeout ?? OtaUploadBudget.DefaultStall(total);
        var clock = Stopwatch.StartNew();

        var socket = new Socket(board.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        AbortiveClose.Arm(socket);   // before connecting: no moment of the connection's life may end in a FIN before the last ack
        bool finished = false, seesAcks = false;
        var transfer = new Transfer();
        Task? sender = null;
        try
        {
            await ConnectAsync(socket, board, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            transfer.Connected = true;
            var connectTime = clock.Elapsed;
            seesAcks = TcpInfo.BytesAcknowledged(socket) is not null;
            if (!seesAcks) socket.SendBufferSize = SmallSendBuffer;

            using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            sender = options.Throttle is { } throttle && seesAcks
                ? SendPacedAsync(socket, header.ToArray(), image, throttle, OtaUploadOptions.ThrottledPoll, options.ErasingWindow, transfer, stopSending.Token)
                : SendAllAsync(socket, header.ToArray(), image, options.ChunkSize, transfer, stopSending.Token);
            long lastAckAt = clock.ElapsedTicks;
            TimeSpan? eraseWait = null;
            var phase = OtaUploadPhase.BoardErasing;
            var lastReport = new OtaUploadProgress(phase, 0, 0, total);
            progress?.Report(lastReport);
            while (true)
            {
                // While sending, wake when the sender finishes or at the poll interval. Once everything is handed over (the
                // host's kernel may buffer the whole image at once) only acknowledgements are awaited: at the poll interval,
                // and more often for the last few KB so that success is reported promptly.
                if (!sender.IsCompleted) await Task.WhenAny(sender, Task.Delay(options.PollInterval, cancellationToken)).ConfigureAwait(false);
                else await Task.Delay(wire - transfer.Acked > DrainWindow ? options.PollInterval : options.DrainPollInterval, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (sender.IsFaulted) await sender.ConfigureAwait(false);   // throws the send error

                // Whether the board closed its end is read first: it can only close after acknowledging what it took.
                var peer = PeerState(socket, out int waiting);
                long handed = transfer.Handed;
                long acked = seesAcks ? Math.Min(wire, TcpInfo.BytesAcknowledged(socket) ?? transfer.Acked) : handed;
                if (acked > transfer.Acked)
                {
                    transfer.Acked = acked;
                    lastAckAt = clock.ElapsedTicks;
                }
                long ackedImage = Math.Max(0, transfer.Acked - OtaHeader.Size);
                if (peer == Peer.SentData)
                    throw new OtaUploadException(OtaUploadFailure.NotAReceiver,
                        $"{board} sent data back ({waiting} bytes waiting) after acknowledging {ackedImage} of {total} bytes: a stock Ameba OTA receiver never " +
                        "sends a byte on this connection, so this is another service or the wrong port (the board's OTA port is printed on its serial line and " +
                        "advertised by mDNS); the connection was reset", ackedImage);
                if (phase == OtaUploadPhase.BoardErasing && ThrottledWindow.Phase(ackedImage, total, options.ErasingWindow) == OtaUploadPhase.Transferring)
                {
                    phase = OtaUploadPhase.Transferring;
                    eraseWait = clock.Elapsed - connectTime;
                }
                // Every byte acknowledged is success even if the sending task has not resumed yet to send its FIN: the board
                // may already have verified the image and closed (the close below sends the FIN then).
                bool done = transfer.Acked >= wire && (seesAcks || sender.IsCompletedSuccessfully);
                if (!done && peer is Peer.Closed or Peer.Reset)
                    throw new OtaUploadException(OtaUploadFailure.Dropped,
                        $"the board at {board} {(peer == Peer.Closed ? "closed" : "reset")} the connection after acknowledging {ackedImage} of {total} bytes; " +
                        "it keeps booting its old image", ackedImage);
                var report = new OtaUploadProgress(done ? OtaUploadPhase.Complete : phase, ackedImage, Math.Max(0, handed - OtaHeader.Size), total);
                if (report != lastReport) progress?.Report(report);
                lastReport = report;
                if (done) break;
                if (Stopwatch.GetElapsedTime(0, clock.ElapsedTicks - lastAckAt) > stall)
                    throw new OtaUploadException(OtaUploadFailure.Stalled,
                        $"the board at {board} acknowledged nothing for {OtaUploadBudget.Seconds(stall)} after {ackedImage} of {total} bytes" +
                        (phase == OtaUploadPhase.BoardErasing ? " (it may still have been erasing)" : "") + "; " + AfterReset(options, transfer.Acked),
                        ackedImage);
            }
            finished = true;
            AbortiveClose.Disarm(socket);   // the board has every byte: from now on a normal close
            var lastAck = clock.Elapsed;
            var close = options.AwaitBoardClose is { } closeWait
                ? await AwaitBoardCloseAsync(socket, board, total, closeWait, options.PollInterval, cancellationToken).ConfigureAwait(false)
                : null;
            socket.Close();   // the FIN went out after the last byte; nothing is left to send
            return new OtaUploadResult(board, header, total, connectTime, lastAck)
            {
                AcknowledgedByBoard = seesAcks, EraseWait = eraseWait, BoardClose = close,
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            long ackedImage = AckedImage(socket, transfer, wire, seesAcks);
            throw transfer.Connected
                ? new OtaUploadException(OtaUploadFailure.Interrupted,
                    $"upload interrupted after {ackedImage} of {total} bytes acknowledged; " + AfterReset(options, transfer.Acked), ackedImage)
                : new OtaUploadException(OtaUploadFailure.Interrupted, "upload interrupted before the connection was made; nothing was sent") { NothingSent = true };
        }
        catch (SocketException e) when (transfer.Connected)
        {
            // The sender can fail on the board's reset before the watching loop has read the last acknowledgements.
            long ackedImage = AckedImage(socket, transfer, wire, seesAcks);
            throw new OtaUploadException(OtaUploadFailure.Dropped,
                $"the connection to {board} dropped after {ackedImage} of {total} bytes acknowledged ({Describe(e.SocketErrorCode)}); the board keeps booting its old image",
                ackedImage, e);
        }
        finally
        {
            if (!finished) Abort(socket);
            if (sender is not null) await Observe(sender).ConfigureAwait(false);
            socket.Dispose();
        }
    }

    private enum Peer { Open, Closed, Reset, SentData }

    /// <summary>
    /// The board never sends anything, so a readable socket means it closed its end (FIN), reset it (RST), or is not a
    /// board at all (it sent data: <paramref name="waiting"/> bytes of it are queued).
    /// </summary>
    private static Peer PeerState(Socket socket, out int waiting)
    {
        waiting = 0;
        try
        {
            if (!socket.Poll(0, SelectMode.SelectRead)) return Peer.Open;
            Span<byte> one = stackalloc byte[1];
            if (socket.Receive(one, SocketFlags.Peek) == 0) return Peer.Closed;
            waiting = socket.Available;
            return Peer.SentData;
        }
        catch (SocketException)
        {
            return Peer.Reset;
        }
    }

    /// <summary>Image bytes the board acknowledged, read once more from the socket (the kernel keeps the count after a reset).</summary>
    private static long AckedImage(Socket socket, Transfer transfer, long wire, bool seesAcks)
    {
        if (seesAcks && TcpInfo.BytesAcknowledged(socket) is { } acked) transfer.Acked = Math.Max(transfer.Acked, Math.Min(wire, acked));
        return Math.Max(0, transfer.Acked - OtaHeader.Size);
    }

    /// <summary>What the board prints after the host's reset, and what it does next.</summary>
    private static string AfterReset(OtaUploadOptions options, long ackedWireBytes) =>
        "the connection was reset, so " + (options.AfterReset ?? Ameba1AfterReset)(ackedWireBytes);

    /// <summary>A stock Ameba1 receiver (docs/reference sections 6 and 9) after a reset.</summary>
    private static string Ameba1AfterReset(long ackedWireBytes) =>
        "the board prints " + (ackedWireBytes < OtaHeader.Size ? "\"Fail to read OTA info\"" : "\"Download fail\"") +
        " and \"OTA fail\" and keeps booting its old image (an ota_basic board listens again only after a reset; an ota_non_block board retries after 10 s)";

    /// <summary>
    /// After the last acknowledgement, waits for the board to close its end (it does once it has checked the image) at most
    /// <paramref name="wait"/>; returns when and how it closed, or null when it did not (or the wait was cancelled: the
    /// board has every byte by then, so there is nothing to undo). Data from the peer is still no receiver.
    /// </summary>
    private static async Task<BoardClose?> AwaitBoardCloseAsync(Socket socket, IPEndPoint board, long total, TimeSpan wait, TimeSpan poll, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            switch (PeerState(socket, out int waiting))
            {
                case Peer.Closed: return new BoardClose(clock.Elapsed, Reset: false);
                case Peer.Reset: return new BoardClose(clock.Elapsed, Reset: true);
                case Peer.SentData:
                    throw new OtaUploadException(OtaUploadFailure.NotAReceiver,
                        $"{board} sent data back ({waiting} bytes waiting) after acknowledging all {total} bytes: a stock Ameba OTA receiver never " +
                        "sends a byte on this connection, so this is another service or the wrong port", total);
            }
            if (clock.Elapsed >= wait) return null;
            try
            {
                await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    /// <summary>Ends the connection with a reset (SO_LINGER 0): a stock board's read() then fails, where a FIN would leave it spinning.</summary>
    private static void Abort(Socket socket)
    {
        AbortiveClose.Arm(socket);
        socket.Close();
    }

    private static async Task Observe(Task task)
    {
        try { await task.ConfigureAwait(false); }
        catch (Exception) { /* already reported through the main path */ }
    }

    /// <summary>Counters shared by the sending task and the watching loop.</summary>
    private sealed class Transfer
    {
        private long _handed;
        public bool Connected { get; set; }
        public long Handed { get => Volatile.Read(ref _handed); set => Volatile.Write(ref _handed, value); }
        public long Acked { get; set; }
    }

    private static async Task SendAllAsync(Socket socket, byte[] header, ReadOnlyMemory<byte> image, int chunk, Transfer transfer, CancellationToken cancellationToken)
    {
        await SendAsync(socket, header, cancellationToken).ConfigureAwait(false);
        transfer.Handed = header.Length;
        for (int sent = 0; sent < image.Length;)
        {
            int n = Math.Min(chunk, image.Length - sent);
            await SendAsync(socket, image.Slice(sent, n), cancellationToken).ConfigureAwait(false);
            sent += n;
            transfer.Handed = header.Length + sent;
        }
        // Orderly close, as the stock tool's close(): FIN right after the last byte, so the board can never see it early.
        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>
    /// As <see cref="SendAllAsync"/>, in pieces the throttle allows, never more than <see cref="ThrottledWindow.Room"/> allows ahead of what
    /// the board acknowledged (read here, between pieces, at the poll interval while waiting).
    /// </summary>
    private static async Task SendPacedAsync(Socket socket, byte[] header, ReadOnlyMemory<byte> image, IUploadThrottle throttle, TimeSpan poll,
        long erasingWindow, Transfer transfer, CancellationToken cancellationToken)
    {
        await SendAsync(socket, header, cancellationToken).ConfigureAwait(false);
        transfer.Handed = header.Length;
        for (int sent = 0; sent < image.Length;)
        {
            long? acked;
            int room;
            while (!ThrottledWindow.Enough(room = ThrottledWindow.Room(acked = TcpInfo.BytesAcknowledged(socket), header.Length + sent, header.Length + erasingWindow),
                       image.Length - sent))
                await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
            int n = ThrottledWindow.Piece(room, image.Length - sent);
            await throttle.TakeAsync(n, Math.Max(0, (acked ?? header.Length + sent) - header.Length), cancellationToken).ConfigureAwait(false);
            await SendAsync(socket, image.Slice(sent, n), cancellationToken).ConfigureAwait(false);
            sent += n;
            transfer.Handed = header.Length + sent;
        }
        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task SendAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
            bytes = bytes[await socket.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false)..];
    }

    private static async Task ConnectAsync(Socket socket, IPEndPoint board, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(board, timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OtaUploadException(OtaUploadFailure.ConnectTimedOut,
                $"cannot connect to {board}: no answer within {OtaUploadBudget.Seconds(timeout)} (is the board on, at this address, and waiting for an upload?)");
        }
        catch (SocketException e)
        {
            var failure = OtaUploadException.ClassifyConnect(e.SocketErrorCode);
            string why = failure switch
            {
                OtaUploadFailure.ConnectionRefused => "connection refused (nothing listens on that port: the board is not waiting for an upload, or the port is wrong)",
                OtaUploadFailure.ConnectTimedOut => "timed out",
                _ => $"{Describe(e.SocketErrorCode)} (no route to that address)",
            };
            throw new OtaUploadException(failure, $"cannot connect to {board}: {why}", 0, e);
        }
    }

    private static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionReset => "reset by the board",
        SocketError.ConnectionAborted => "aborted",
        SocketError.Shutdown => "closed by the board",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkDown => "network down",
        SocketError.AddressNotAvailable => "that address is not available on this machine",
        _ => error.ToString(),
    };
}
