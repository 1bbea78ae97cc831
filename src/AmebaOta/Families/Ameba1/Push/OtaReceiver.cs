using System.Net;
using System.Net.Sockets;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol;
using AmebaOta.Protocol.Lwip;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmebaOta.Families.Ameba1.Push;

/// <summary>
/// The board side: the stock Arduino <c>OTA.beginLocal(port)</c>, step by step as docs/reference section 6 describes, with
/// its log lines (written to <paramref name="serial"/>, one line per call), its timing (every erase and program waits
/// for the flash by its <see cref="NorFlash.Timing"/>, the image written with <c>flash_stream_write</c> a word at a time;
/// nothing is read from the socket while the sectors are erased) and its quirks (docs/reference section 6):
/// <list type="bullet">
/// <item>the alignment test is <c>ota_addr &amp; 1</c> (C precedence), so an even but unaligned address passes;</item>
/// <item>the 12-byte header is read with a single read: whatever a short read leaves is <b>modelled as zeros</b>
/// (on the board it is stack garbage, whose value cannot be known), so a client that closes at once or sends fewer than
/// 9 bytes gets <c>OTA image len is 0</c>;</item>
/// <item><c>ceil(length / 4096)</c> sectors are erased from the OTA address with no end-of-flash check: the chip
/// wraps, so a huge length erases sector 0 onwards and bricks the board;</item>
/// <item>chunks are read 512 bytes at a time whatever remains, so bytes beyond the declared length that arrive in the
/// same read are programmed too and the download then fails (<c>processed != length</c>);</item>
/// <item>the download loop stops only when <c>read()</c> returns less than 0 (lwIP 1.4.1: a reset or the receive
/// timeout). After the host's FIN, <c>read()</c> returns 0 forever, so a stream that ends early leaves the board
/// spinning in the loop, printing nothing, until reset (<see cref="OtaReceiverPhase.HungAfterFin"/>);</item>
/// <item>a failed attempt that the board closes while the host's end is still open leaves the port in lwIP's TIME_WAIT
/// for 120 s: <c>beginLocal</c> prints <c>Bind fail</c> until then (<see cref="OtaReceiverOptions.TimeWait"/>);</item>
/// <item>the checksum is printed with <c>%d</c> (negative above 0x7FFFFFFF);</item>
/// <item>Default Image 2 is taken to be at 0xB000 (the library's hard-coded <c>IMAGE_2</c>), not read from Image 1.</item>
/// </list>
/// The socket is lwIP-like: a receive window of a few KB and an MSS of 1460 (<see cref="OtaReceiverOptions.ReceiveWindow"/>).
/// The receiver listens with backlog 1 and accepts exactly one client; others queue unanswered and are reset when it
/// closes. It never writes to the socket. With <see cref="OtaReceiverOptions.Link"/> the listening socket follows the
/// link (closed while it is down, without a log line) and a transfer cut by a dropped link fails as a read error. Cancelling
/// the token (a board reset) closes the sockets and throws <see cref="OperationCanceledException"/> without printing
/// anything; a <see cref="PowerCutException"/> from the flash propagates the same way.
/// </summary>
public sealed class OtaReceiver(NorFlash flash, Action<string> serial, ILogger? logger = null)
{
    /// <summary>The stock <c>BUFSIZE</c>: bytes per read while downloading.</summary>
    public const int ChunkSize = 512;

    /// <summary>The stock library's hard-coded <c>IMAGE_2</c>.</summary>
    public const uint Image2Address = FlashLayout.DefaultImage2;

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary><c>OTA.beginLocal(port)</c>: waits for one upload, writes it, verifies it and marks it bootable (docs/reference section 6).</summary>
    public async Task<OtaReceiveResult> BeginLocalAsync(OtaReceiverOptions options, CancellationToken cancellationToken = default)
    {
        var activity = options.Activity ?? new OtaReceiverActivity();
        try
        {
            return await BeginLocalAsync(options, activity, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            activity.Set(OtaReceiverPhase.Idle);
        }
    }

    private async Task<OtaReceiveResult> BeginLocalAsync(OtaReceiverOptions options, OtaReceiverActivity activity, CancellationToken cancellationToken)
    {
        // Steps 1-3: OTA address and image bounds.
        uint ota = SyncOtaAddress();
        await flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
        uint upperBound = ImageUpperBound();
        if ((ota & 1) != 0 || ota == SystemData.None || ota < upperBound)
        {
            serial(OtaReceiverLog.InvalidOtaAddress(ota));
            return Fail(new OtaReceiveResult(OtaReceiveOutcome.InvalidOtaAddress, ota, null, default, 0, 0));
        }

        // Step 4: listen (backlog 1), accept one client. While the link is down the socket is closed, silently.
        Socket? listener = null;
        Socket? client = null;
        OtaReceiveResult result;
        try
        {
            bool waiting = false;
            int port = options.Port;
            CancellationToken linkLost;
            while (true)
            {
                linkLost = options.Link is { } link ? await link.WaitUntilUpAsync(cancellationToken).ConfigureAwait(false) : CancellationToken.None;
                if (options.TimeWait?.Remaining(options.Port) is { } held)
                {
                    _logger.LogDebug("port {Port} is in TIME_WAIT for {Seconds:0} s more", options.Port, held.TotalSeconds);
                    serial(OtaReceiverLog.BindFail);
                    return Fail(new OtaReceiveResult(OtaReceiveOutcome.BindFailed, ota, null, default, 0, 0));
                }
                listener = Listen(options);
                if (listener is null)
                {
                    serial(OtaReceiverLog.BindFail);
                    return Fail(new OtaReceiveResult(OtaReceiveOutcome.BindFailed, ota, null, default, 0, 0));
                }
                var endPoint = (IPEndPoint)listener.LocalEndPoint!;
                port = endPoint.Port;
                options.ListenerChanged?.Invoke(endPoint);
                if (!waiting)
                {
                    waiting = true;
                    activity.Set(OtaReceiverPhase.WaitingForClient);
                    options.Listening?.Invoke(endPoint);
                    serial(OtaReceiverLog.WaitForClient);
                }
                using var accepting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, linkLost);
                try
                {
                    client = await listener.AcceptAsync(accepting.Token).ConfigureAwait(false);
                    break;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    _logger.LogDebug("link down: OTA listener on {EndPoint} closed until it is back", endPoint);
                    Close(ref listener, options);
                }
            }
            var remote = (IPEndPoint)client.RemoteEndPoint!;
            serial(OtaReceiverLog.ClientConnected(remote));
            serial("");
            result = await ReceiveAsync(client, remote, ota, options.ReceiveTimeout, activity, linkLost, cancellationToken).ConfigureAwait(false);
            // A failed attempt closes the socket; if the host had not closed its end yet, lwIP keeps the port in TIME_WAIT.
            if (!result.Succeeded && TcpInfo.State(client) == TcpInfo.Established) options.TimeWait?.Enter(port);
        }
        finally
        {
            // The stock code closes the server socket, then the client: queued clients are reset, unread data too.
            Close(ref listener, options);
            client?.Dispose();
        }
        cancellationToken.ThrowIfCancellationRequested();
        return result.Succeeded ? result : Fail(result);
    }

    /// <summary>A listening socket with backlog 1, or null when the port cannot be bound.</summary>
    private Socket? Listen(OtaReceiverOptions options)
    {
        var listener = new Socket(options.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            PortReuse.AllowRebind(listener);   // never SO_REUSEPORT: a second board must not share this port
            // Set before listening, so accepted sockets inherit them and the SYN-ACK announces them.
            if (options.ReceiveWindow is { } window) listener.ReceiveBufferSize = window;
            if (options.MaxSegmentSize is { } mss) TrySetMaxSegment(listener, mss);
            listener.Bind(new IPEndPoint(options.BindAddress, options.Port));
            listener.Listen(1);
            return listener;
        }
        catch (SocketException e)
        {
            _logger.LogWarning("OTA receiver cannot listen on {Address}:{Port}: {Error}", options.BindAddress, options.Port, e.SocketErrorCode);
            listener.Dispose();
            return null;
        }
    }

    private void TrySetMaxSegment(Socket socket, int mss)
    {
        const int IpProtoTcp = 6, TcpMaxSeg = 2;
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        try
        {
            socket.SetRawSocketOption(IpProtoTcp, TcpMaxSeg, BitConverter.GetBytes(mss));
        }
        catch (SocketException e)
        {
            _logger.LogDebug("TCP_MAXSEG {Mss} not taken: {Error}", mss, e.SocketErrorCode);
        }
    }

    private static void Close(ref Socket? listener, OtaReceiverOptions options)
    {
        if (listener is null) return;
        listener.Dispose();
        listener = null;
        options.ListenerChanged?.Invoke(null);
    }

    private OtaReceiveResult Fail(OtaReceiveResult result)
    {
        serial(OtaReceiverLog.Fail);
        return result;
    }

    /// <summary>Step 1, <c>sync_ota_addr</c>: an erased address word becomes 0x80000, written with a plain word write.</summary>
    public uint SyncOtaAddress()
    {
        uint ota = flash.ReadU32(FlashLayout.SystemData + SystemData.OtaAddressOffset);
        if (ota != SystemData.None) return ota;
        serial(OtaReceiverLog.UseDefaultOtaAddress);
        flash.ProgramU32(FlashLayout.SystemData + SystemData.OtaAddressOffset, FlashLayout.DefaultOtaAddress);
        return FlashLayout.DefaultOtaAddress;
    }

    /// <summary>Step 2, <c>get_image_info</c>: end of Default Image 2 (+ Image 3 when its load address is SDRAM), u32 arithmetic.</summary>
    public uint ImageUpperBound()
    {
        unchecked
        {
            uint image2Length = flash.ReadU32(Image2Address);
            uint image3Address = Image2Address + image2Length + SegmentHeader.Size;
            uint image3Length = flash.ReadU32(image3Address);
            uint image3Load = flash.ReadU32(image3Address + 4);
            if (image3Load != SegmentHeader.SdramLoadAddress) image3Length = 0;
            uint upper = Image2Address + SegmentHeader.Size + image2Length;
            if (image3Length > 0) upper += SegmentHeader.Size + image3Length;
            return upper;
        }
    }

    private async Task<OtaReceiveResult> ReceiveAsync(Socket client, IPEndPoint remote, uint ota, TimeSpan timeout,
        OtaReceiverActivity activity, CancellationToken linkLost, CancellationToken cancellationToken)
    {
        // A dropped link fails the pending read the way a timeout or socket error does.
        var buffer = new byte[ChunkSize];

        // Step 5: the header, with one read.
        activity.Set(OtaReceiverPhase.ReadingHeader);
        serial(OtaReceiverLog.ReadOtaInfo);
        int read = await LwipRead.ReadAsync(client, buffer.AsMemory(0, OtaHeader.Size), timeout, linkLost, cancellationToken).ConfigureAwait(false);
        if (read < 0)
        {
            serial(OtaReceiverLog.FailToReadOtaInfo);
            return new OtaReceiveResult(OtaReceiveOutcome.ReadInfoFailed, ota, remote, default, 0, 0);
        }
        if (read < OtaHeader.Size) _logger.LogDebug("short header read: {Bytes} of 12 bytes; the missing words are taken as zero", read);
        var header = OtaHeader.Read(buffer.AsSpan(0, read));
        if (header.Length == 0)
        {
            serial(OtaReceiverLog.ImageLengthZero);
            return new OtaReceiveResult(OtaReceiveOutcome.ZeroLength, ota, remote, header, 0, 0);
        }

        // Step 6: erase by the declared length, no bounds check (the chip wraps). Nothing is read meanwhile.
        uint sectors = unchecked((header.Length - 1) / FlashLayout.SectorSize + 1);
        for (uint i = 0; i < sectors; i++)
        {
            activity.Set(OtaReceiverPhase.Erasing, i, sectors);
            flash.EraseSector(unchecked(ota + i * FlashLayout.SectorSize));
            await flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
        }

        // Step 7: download, 512 bytes per read, programmed as it comes, until processed reaches the length or read() < 0.
        serial(OtaReceiverLog.StartDownload);
        activity.Set(OtaReceiverPhase.Downloading, 0, header.Length);
        long processed = 0;
        while (processed < header.Length)
        {
            read = await LwipRead.ReadAsync(client, buffer, timeout, linkLost, cancellationToken).ConfigureAwait(false);
            if (read < 0) break;
            if (read == 0)
            {
                await SpinAsync(activity, processed, header.Length, cancellationToken).ConfigureAwait(false);
                continue;
            }
            flash.StreamWrite(unchecked(ota + (uint)processed), buffer.AsSpan(0, read));
            await flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
            processed += read;
            activity.Progress(processed);
        }
        if (processed != header.Length)
        {
            _logger.LogDebug("download ended after {Bytes} of {Length} bytes", processed, header.Length);
            serial(OtaReceiverLog.DownloadFail);
            return new OtaReceiveResult(OtaReceiveOutcome.DownloadFailed, ota, remote, header, processed, 0);
        }

        // Step 8: read back and byte-sum.
        activity.Set(OtaReceiverPhase.Verifying, 0, header.Length);
        uint checksum = 0;
        for (long done = 0; done < header.Length; done += ChunkSize)
        {
            int n = (int)Math.Min(ChunkSize, header.Length - done);
            flash.Read(unchecked(ota + (uint)done), buffer.AsSpan(0, n));
            checksum = Checksum.Add(checksum, buffer.AsSpan(0, n));
        }
        await flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
        if (checksum != header.Checksum)
        {
            serial(OtaReceiverLog.BadChecksum(checksum, header.Checksum));
            return new OtaReceiveResult(OtaReceiveOutcome.BadChecksum, ota, remote, header, processed, checksum);
        }

        // Step 9: sign the new image "new" (read back), then mark Default Image 2 "old".
        activity.Set(OtaReceiverPhase.Signing);
        flash.ProgramU32(unchecked(ota + 8), ImageSignature.NewWord1);
        flash.ProgramU32(unchecked(ota + 12), ImageSignature.Word2);
        await flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
        if (flash.ReadU32(unchecked(ota + 8)) != ImageSignature.NewWord1 || flash.ReadU32(unchecked(ota + 12)) != ImageSignature.Word2)
        {
            serial(OtaReceiverLog.PutSignatureFail);
            return new OtaReceiveResult(OtaReceiveOutcome.SignatureFailed, ota, remote, header, processed, checksum);
        }
        flash.ProgramU32(Image2Address + 8, ImageSignature.OldWord1);
        await flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);

        // Step 10.
        serial(OtaReceiverLog.Success);
        return new OtaReceiveResult(OtaReceiveOutcome.Success, ota, remote, header, processed, checksum);
    }

    /// <summary>
    /// The stock loop after the host's FIN: <c>read()</c> returns 0 at once, forever (lwIP keeps returning
    /// <c>ERR_CLSD</c>), and the loop goes round again without blocking. The board prints nothing more from this thread,
    /// and its network threads, of lower priority, get no CPU (see <see cref="OtaReceiverPhase.HungAfterFin"/>). Modelled as
    /// one wait for the reset (or power cut) that alone ends it, without burning a host core.
    /// </summary>
    private async Task SpinAsync(OtaReceiverActivity activity, long processed, long length, CancellationToken cancellationToken)
    {
        _logger.LogDebug("the host closed the connection after {Bytes} of {Length} bytes: read() returns 0 forever, the download loop spins", processed, length);
        activity.Set(OtaReceiverPhase.HungAfterFin, processed, length);
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
    }
}
