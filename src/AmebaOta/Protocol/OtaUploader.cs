using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AmebaOta.Protocol;

/// <summary>
/// The host side of the OTA protocol, byte-compatible with the stock <c>upload_ota</c> (spec section 7): one TCP
/// connection, the 12-byte <see cref="OtaHeader"/>, the file, then an orderly close (FIN). Nothing else is sent and
/// nothing is expected back: the board never answers. Unlike the stock tool it has connect and send timeouts,
/// reports progress, and fails with a typed <see cref="OtaUploadException"/>.
/// </summary>
public static class OtaUploader
{
    /// <summary>Sends <paramref name="image"/> to <paramref name="board"/>; throws <see cref="OtaUploadException"/> on failure.
    /// <paramref name="progress"/> is called synchronously with the file bytes sent so far (header not counted) after each chunk.</summary>
    public static async Task<OtaUploadResult> UploadAsync(
        IPEndPoint board, ReadOnlyMemory<byte> image, OtaUploadOptions? options = null,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new OtaUploadOptions();
        if (options.ChunkSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), "the chunk size must be positive");
        var header = OtaHeader.For(image.Span);
        var clock = Stopwatch.StartNew();

        using var socket = new Socket(board.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await ConnectAsync(socket, board, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        var connectTime = clock.Elapsed;

        long sent = 0;
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await SendAllAsync(socket, header.ToArray(), options.SendTimeout, stall).ConfigureAwait(false);
            while (sent < image.Length)
            {
                int n = (int)Math.Min(options.ChunkSize, image.Length - sent);
                await SendAllAsync(socket, image.Slice((int)sent, n), options.SendTimeout, stall).ConfigureAwait(false);
                sent += n;
                progress?.Report(sent);
            }
            // Orderly close, as the stock tool's close(): FIN after the last byte, then release the socket.
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OtaUploadException(OtaUploadFailure.Stalled,
                $"the board at {board} stopped taking data after {sent} of {image.Length} bytes (nothing for {Seconds(options.SendTimeout)}); it will keep booting its old image",
                sent);
        }
        catch (SocketException e)
        {
            throw new OtaUploadException(OtaUploadFailure.Dropped,
                $"the connection to {board} dropped after {sent} of {image.Length} bytes ({Describe(e.SocketErrorCode)}); the board will keep booting its old image",
                sent, e);
        }
        socket.Close();
        return new OtaUploadResult(board, header, sent, connectTime, clock.Elapsed);
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
                $"cannot connect to {board}: no answer within {Seconds(timeout)} (is the board on, at this address, and waiting for an upload?)");
        }
        catch (SocketException e)
        {
            var failure = OtaUploadException.ClassifyConnect(e.SocketErrorCode);
            string why = failure switch
            {
                OtaUploadFailure.ConnectionRefused => "connection refused (nothing listens on that port: the board is not waiting for an upload, or the port is wrong)",
                OtaUploadFailure.ConnectTimedOut => $"timed out",
                _ => $"{Describe(e.SocketErrorCode)} (no route to that address)",
            };
            throw new OtaUploadException(failure, $"cannot connect to {board}: {why}", 0, e);
        }
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes, TimeSpan timeout, CancellationTokenSource stall)
    {
        while (!bytes.IsEmpty)
        {
            stall.CancelAfter(timeout);
            int n = await socket.SendAsync(bytes, SocketFlags.None, stall.Token).ConfigureAwait(false);
            bytes = bytes[n..];
        }
        stall.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.###} s";

    private static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionReset => "reset by the board",
        SocketError.ConnectionAborted => "aborted",
        SocketError.Shutdown => "closed by the board",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkDown => "network down",
        _ => error.ToString(),
    };
}
