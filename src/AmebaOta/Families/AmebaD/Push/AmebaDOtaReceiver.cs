using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using AmebaOta.Boards;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Flash;
using AmebaOta.Protocol;
using AmebaOta.Protocol.Lwip;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmebaOta.Families.AmebaD.Push;

/// <summary>
/// The board side of an AmebaD push: the stock <c>OTA::beginOTA(port)</c> of Realtek's AmebaD Arduino package, step by
/// step as docs/reference section 11.4 describes (<c>OTA.cpp</c>, <c>ard_socket.c</c>, and the SDK's
/// <c>rtl8721d_ota.c</c> whose functions it calls), with its serial output (exact <c>printf</c> text through
/// <paramref name="serial"/>), its time (every erase, program and read-back waits for the flash by its
/// <see cref="NorFlash.Timing"/>) and its quirks:
/// <list type="bullet">
/// <item>one shot: it listens once (backlog 10), takes one client and, whatever happens, closes and returns; the sketch's
/// <c>loop()</c> is empty, so nothing listens again until reset;</item>
/// <item>the accepted socket has <c>SO_RCVTIMEO</c> 3 s: a host pause longer than that fails the read in progress;</item>
/// <item>the 12-byte preamble is read and ignored; a FIN while reading it or the header is not an error (the reads just
/// stop), and what was not received is <b>modelled as zeros</b> (on the board it is whatever the buffer held);</item>
/// <item>the OTA header is trusted: only its id's first 3 bytes are checked; <c>FlashAddr</c> is replaced by the bank not
/// running; <c>ceil(ImgLen / 4096)</c> sectors (u32 arithmetic: 0 underflows to the whole chip, many times over) are
/// erased from that bank with no size check, the chip wrapping at its end; the image is taken to start where the header's
/// <c>Offset</c> says, counted in the stream (bytes "before" the buffer, when <c>Offset</c> is under 32, are modelled as zeros);</item>
/// <item>the image is read 512 bytes at a time; its first 8 bytes (the bank signature) are held in RAM and the rest written
/// from bank + 8; the loop ends at <c>ImgLen</c> or when <c>read()</c> returns 0 (the host's FIN). A short image prints
/// <c>download new firmware failed</c> but is <b>not</b> an error: the checksum is computed anyway over the bank, erased
/// bytes included (so an image cut within its 0xFF padding still passes);</item>
/// <item>after a matching checksum, the 8 signature bytes are written, then the other bank's first word is programmed with
/// a value starting 0x00 (the SDK writes 4 bytes from a 1-byte variable; the 3 bytes after it on the stack are modelled as
/// 0xFF, which leaves flash as it is);</item>
/// <item>success: <c>Ready to reboot</c>, 100 ms, the sockets closed, <c>Update task exit</c>; the watchdog the 100 ms
/// wait armed resets the chip 50 ms later (the caller's part).</item>
/// </list>
/// The sketch task runs at FreeRTOS priority 1, below lwIP's (9): the network is never starved, only delayed by each
/// sector erase (interrupts are off while the flash is busy). Cancelling the token (a reset) closes the sockets silently;
/// a <see cref="PowerCutException"/> from the flash propagates.
/// </summary>
public sealed class AmebaDOtaReceiver(NorFlash flash, SerialPrinter serial, ILogger? logger = null)
{
    /// <summary><c>BUF_SIZE</c>: the buffer the header and every chunk are read into.</summary>
    public const int BufferSize = 512;

    /// <summary><c>MAX_IMG_NUM</c>: image headers the target header has room for.</summary>
    public const int MaxImages = 2;

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary><c>OTA::beginOTA(port)</c>.</summary>
    public async Task<AmebaDReceiveResult> BeginOtaAsync(AmebaDReceiverOptions options, CancellationToken cancellationToken = default)
    {
        var activity = options.Activity ?? new OtaReceiverActivity();
        try
        {
            return await RunAsync(options, activity, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            activity.Set(OtaReceiverPhase.Idle);
        }
    }

    private async Task<AmebaDReceiveResult> RunAsync(AmebaDReceiverOptions options, OtaReceiverActivity activity, CancellationToken cancellationToken)
    {
        var target = AmebaDFlashLayout.Other(options.CurrentBank);
        serial.Print(AmebaDReceiverLog.AllocInit);
        serial.Print(AmebaDReceiverLog.AllocSucceed);

        var slot = new ListenerSlot();
        Socket? client = null;
        AmebaDReceiveResult result;
        try
        {
            // ota_bind_socket, ota_listen_socket, then ota_accept_socket.
            CancellationToken linkLost = options.Link is { } link ? await link.WaitUntilUpAsync(cancellationToken).ConfigureAwait(false) : CancellationToken.None;
            var listener = slot.Socket = Listen(options);
            if (listener is null)
            {
                serial.Print(AmebaDReceiverLog.BindFailed);
                serial.Print(AmebaDReceiverLog.WaitingForClient);
                serial.Print(AmebaDReceiverLog.AcceptFailed);
                result = new AmebaDReceiveResult(AmebaDReceiveOutcome.BindFailed, target, null, null, 0, null);
            }
            else
            {
                var endPoint = (IPEndPoint)listener.LocalEndPoint!;
                serial.Print(AmebaDReceiverLog.Listening(options.Port == 0 ? endPoint.Port : options.Port));
                options.ListenerChanged?.Invoke(endPoint);
                options.Listening?.Invoke(endPoint);
                serial.Print(AmebaDReceiverLog.WaitingForClient);
                activity.Set(OtaReceiverPhase.WaitingForClient);
                (client, linkLost) = await AcceptAsync(options, slot, linkLost, cancellationToken).ConfigureAwait(false);
                var remote = (IPEndPoint)client.RemoteEndPoint!;
                serial.Print(AmebaDReceiverLog.Accepted);
                serial.Print(AmebaDReceiverLog.Connected(remote));
                result = await ReceiveAsync(client, remote, options, target, activity, linkLost, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // update_ota_exit: close_socket(server_socket); close_socket(client_socket). Queued clients and unread data are reset.
            if (slot.Socket is { } open)
            {
                open.Dispose();
                options.ListenerChanged?.Invoke(null);
            }
            client?.Dispose();
        }
        cancellationToken.ThrowIfCancellationRequested();
        serial.Print(AmebaDReceiverLog.TaskExit);
        return result;
    }

    private Socket? Listen(AmebaDReceiverOptions options)
    {
        var listener = new Socket(options.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            PortReuse.AllowRebind(listener);
            if (options.ReceiveWindow is { } window) listener.ReceiveBufferSize = window;
            listener.Bind(new IPEndPoint(options.BindAddress, options.Port));
            listener.Listen(AmebaDReceiverOptions.Backlog);
            return listener;
        }
        catch (SocketException e)
        {
            _logger.LogWarning("AmebaD OTA receiver cannot listen on {Address}:{Port}: {Error}", options.BindAddress, options.Port, e.SocketErrorCode);
            listener.Dispose();
            return null;
        }
    }

    /// <summary>The listening socket, replaced while the link comes and goes; whatever it holds is closed at the end.</summary>
    private sealed class ListenerSlot
    {
        public Socket? Socket;
    }

    /// <summary>Accepts one client; while the link is down the listening socket is closed (a real board's is just unreachable), silently.</summary>
    private async Task<(Socket Client, CancellationToken LinkLost)> AcceptAsync(AmebaDReceiverOptions options, ListenerSlot slot, CancellationToken linkLost,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            using var accepting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, linkLost);
            try
            {
                return (await slot.Socket!.AcceptAsync(accepting.Token).ConfigureAwait(false), linkLost);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && options.Link is { } link)
            {
                _logger.LogDebug("link down: the AmebaD OTA listener is closed until it is back");
                slot.Socket!.Dispose();
                slot.Socket = null;
                options.ListenerChanged?.Invoke(null);
                linkLost = await link.WaitUntilUpAsync(cancellationToken).ConfigureAwait(false);
                slot.Socket = Listen(options) ?? throw new SocketException((int)SocketError.AddressAlreadyInUse);
                options.ListenerChanged?.Invoke((IPEndPoint)slot.Socket.LocalEndPoint!);
            }
        }
    }

    private Task<AmebaDReceiveResult> ReceiveAsync(Socket client, IPEndPoint remote, AmebaDReceiverOptions options, OtaBank target,
        OtaReceiverActivity activity, CancellationToken linkLost, CancellationToken cancellationToken) =>
        DownloadAsync(client, remote, options, target, activity, linkLost, cancellationToken);

    private async Task<AmebaDReceiveResult> DownloadAsync(Socket client, IPEndPoint remote, AmebaDReceiverOptions options, OtaBank target,
        OtaReceiverActivity activity, CancellationToken linkLost, CancellationToken cancellationToken)
    {
        var timeout = options.ReceiveTimeout;
        ValueTask<int> Read(Memory<byte> into) => LwipRead.ReadAsync(client, into, timeout, linkLost, cancellationToken);
        AmebaDReceiveResult Fail(AmebaDReceiveOutcome outcome, OtaAllHeader? header = null, long written = 0, uint? sum = null) =>
            new(outcome, target, remote, header, written, sum);

        serial.Print(AmebaDReceiverLog.WillBeUpgraded(target));
        serial.Print(AmebaDReceiverLog.Indexes(options.CurrentBank));
        activity.Set(OtaReceiverPhase.ReadingHeader);

        // recv_file_info_from_server: 12 bytes, ignored; read() == 0 just ends the loop.
        var fileInfo = new byte[12];
        for (int got = 0; got < fileInfo.Length;)
        {
            int n = await Read(fileInfo.AsMemory(got)).ConfigureAwait(false);
            if (n < 0)
            {
                serial.Print(AmebaDReceiverLog.FileInfoReadFailed);
                serial.Print(AmebaDReceiverLog.FileInfoFailed);
                return Fail(AmebaDReceiveOutcome.FileInfoFailed);
            }
            if (n == 0) break;
            got += n;
        }
        serial.Print(AmebaDReceiverLog.FileInfoDone);

        // recv_ota_file_hdr: 16 bytes, then HdrNum × ImgHdrLen − 8 more (u32), into the 512-byte buffer.
        var buffer = new byte[BufferSize];
        if (await ReadUpToAsync(Read, buffer, 0, 16).ConfigureAwait(false) < 0)
        {
            serial.Print(AmebaDReceiverLog.HeaderReadFailed);
            serial.Print(AmebaDReceiverLog.HeaderFailed);
            return Fail(AmebaDReceiveOutcome.HeaderReadFailed);
        }
        uint hdrNum = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(4));
        uint imgHdrLen = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(12));
        uint rest = unchecked(hdrNum * imgHdrLen - 8);
        uint revHdrLen = unchecked(hdrNum * imgHdrLen + 8);
        int restRead = await ReadUpToAsync(Read, buffer, 16, rest).ConfigureAwait(false);
        if (restRead == Overran) return await HangAsync(activity, target, remote, cancellationToken).ConfigureAwait(false);
        if (restRead < 0)
        {
            serial.Print(AmebaDReceiverLog.HeaderReadFailed);
            serial.Print(AmebaDReceiverLog.HeaderFailed);
            return Fail(AmebaDReceiveOutcome.HeaderReadFailed);
        }
        serial.Print(AmebaDReceiverLog.HeaderDone);

        var (headers, overrun) = GetTargetHeaders(buffer, hdrNum, imgHdrLen, revHdrLen, target);
        if (overrun) return await HangAsync(activity, target, remote, cancellationToken).ConfigureAwait(false);
        if (headers is null)
        {
            serial.Print(AmebaDReceiverLog.GetHeaderFailed);
            return Fail(AmebaDReceiveOutcome.BadHeader);
        }
        serial.Print(AmebaDReceiverLog.GetHeaderDone);
        var first = headers[0];

        // Erase ceil(ImgLen / 4096) sectors of the target bank (u32), no size check; nothing is read meanwhile.
        serial.Print(AmebaDReceiverLog.EraseOngoing);
        serial.Print(AmebaDReceiverLog.Erasing(target));
        uint bank = AmebaDFlashLayout.Start(target);
        uint sectors = unchecked((first.ImgLen - 1) / AmebaDFlashLayout.SectorSize + 1);
        for (uint i = 0; i < sectors; i++)
        {
            activity.Set(OtaReceiverPhase.Erasing, i, sectors);
            flash.EraseSector(unchecked(bank + i * AmebaDFlashLayout.SectorSize));
            await flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
        }

        // download_new_fw_from_server.
        var signatures = new byte[headers.Count][];
        long written = 0;
        var download = await ReceiveImagesAsync(Read, headers, first, signatures, activity, cancellationToken).ConfigureAwait(false);
        written = download.Written;
        if (!download.Ok)
        {
            serial.Print(AmebaDReceiverLog.DownloadFailed);
            return Fail(AmebaDReceiveOutcome.DownloadFailed, first, written);
        }
        serial.Print(AmebaDReceiverLog.DownloadDone);

        var (checksumOk, sum) = await VerifyChecksumsAsync(headers, signatures, activity, cancellationToken).ConfigureAwait(false);
        if (!checksumOk) return Fail(AmebaDReceiveOutcome.BadChecksum, first, written, sum);
        await ChangeSignatureAsync(headers, signatures, target, activity, cancellationToken).ConfigureAwait(false);
        serial.Print(AmebaDReceiverLog.SignatureDone);

        // ota_platform_reset: vTaskDelay(100), then the watchdog is armed (it fires 50 ms later).
        serial.Print(AmebaDReceiverLog.ReadyToReboot);
        await Task.Delay(options.ResetDelay, cancellationToken).ConfigureAwait(false);
        return new AmebaDReceiveResult(AmebaDReceiveOutcome.Success, target, remote, first, written, sum);
    }

    /// <summary>
    /// <c>get_ota_tartget_header</c> on the header bytes in <paramref name="buffer"/>: the image headers whose id starts
    /// <c>OTA</c>, each with its flash address replaced by <paramref name="target"/>'s start. Null when the header is bad
    /// (after printing <c>no valid image</c> when none was found); <c>Overrun</c> when more images than the target header
    /// holds would be copied (the stock code writes past it).
    /// </summary>
    internal (List<OtaAllHeader>? Headers, bool Overrun) GetTargetHeaders(byte[] buffer, uint hdrNum, uint imgHdrLen, uint revHdrLen, OtaBank target)
    {
        var headers = new List<OtaAllHeader>();
        var image = new byte[OtaAllHeader.Size];
        bool bad = revHdrLen < OtaAllHeader.ImageHeaderSize + 8;
        for (uint i = 0; !bad && i < hdrNum; i++)
        {
            long at = 8 + (long)imgHdrLen * i;
            if (at + 3 > BufferSize || !buffer.AsSpan((int)at, 3).SequenceEqual("OTA"u8)) { bad = true; break; }
            if (headers.Count == MaxImages) return (null, true);
            Array.Clear(image);
            buffer.AsSpan(0, 8).CopyTo(image);
            buffer.AsSpan((int)at, (int)Math.Min(OtaAllHeader.ImageHeaderSize, BufferSize - at)).CopyTo(image.AsSpan(8));
            var header = OtaAllHeader.Read(image) with { FlashAddr = AmebaDFlashLayout.ToAddress(AmebaDFlashLayout.Start(target)) };
            headers.Add(header);
        }
        if (!bad && headers.Count == 0)
        {
            serial.Print(AmebaDReceiverLog.NoValidImage);
            bad = true;
        }
        return (bad ? null : headers, false);
    }

    /// <summary><c>verify_ota_checksum</c>: each bank read back from +8 (user-mode reads), plus the held signature bytes, against the header's checksum.</summary>
    internal async Task<(bool Ok, uint Sum)> VerifyChecksumsAsync(List<OtaAllHeader> headers, byte[][] signatures, OtaReceiverActivity activity, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        uint sum = 0;
        for (int index = 0; index < headers.Count; index++)
        {
            var header = headers[index];
            uint offset = AmebaDFlashLayout.ToOffset(header.FlashAddr);
            uint length = unchecked(header.ImgLen - 8);
            activity.Set(OtaReceiverPhase.Verifying, 0, length);
            sum = 0;
            for (uint i = 0; i < length; i += BufferSize)
            {
                int n = (int)Math.Min(BufferSize, length - i);
                flash.Read(unchecked(offset + i + 8), buffer.AsSpan(0, n));
                sum = AmebaOta.Images.Checksum.Add(sum, buffer.AsSpan(0, n));
                if ((i & 0xFFFF) == 0) await flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
            }
            await flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
            sum = AmebaOta.Images.Checksum.Add(sum, signatures[index]);
            if (sum != header.Checksum)
            {
                serial.Print(AmebaDReceiverLog.ChecksumError(header.FlashAddr, sum, header.Checksum));
                return (false, sum);
            }
            serial.Print(AmebaDReceiverLog.ChecksumOk(header.FlashAddr));
        }
        return (true, sum);
    }

    /// <summary><c>change_ota_signature</c>: the held 8 bytes written last, then the old bank's first word programmed to a value starting 0x00.</summary>
    internal async Task ChangeSignatureAsync(List<OtaAllHeader> headers, byte[][] signatures, OtaBank target, OtaReceiverActivity activity, CancellationToken cancellationToken)
    {
        activity.Set(OtaReceiverPhase.Signing);
        foreach (var (header, index) in headers.Select((h, i) => (h, i)))
            Write(AmebaDFlashLayout.ToOffset(header.FlashAddr), signatures[index]);
        await flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
        foreach (var _ in headers)
            Write(AmebaDFlashLayout.Start(AmebaDFlashLayout.Other(target)), [0x00, 0xFF, 0xFF, 0xFF]);
        await flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
        serial.Print(AmebaDReceiverLog.SignatureUpdated);
    }

    internal sealed record DownloadResult(bool Ok, long Written);

    /// <summary>
    /// <c>download_new_fw_from_server</c>, line by line: the stream position <c>TempLen</c> counts from the headers' end
    /// (<c>HdrNum × ImgHdrLen + 8</c>); the image starts where <c>TempLen</c> passes its <c>Offset</c>; its first 8
    /// bytes are held back, possibly across reads; the rest is written from bank + 8.
    /// </summary>
    internal async Task<DownloadResult> ReceiveImagesAsync(Func<Memory<byte>, ValueTask<int>> read, List<OtaAllHeader> headers, OtaAllHeader first,
        byte[][] signatures, OtaReceiverActivity activity, CancellationToken cancellationToken, bool http = false)
    {
        // The buffer sits in a larger memory whose bytes before it read as zeros (they are heap bookkeeping on a board).
        const int Before = 1024;
        var memory = new byte[Before + BufferSize];
        uint tempLen = unchecked(first.HdrNum * first.ImgHdrLen + 8);
        bool otaFg = false, incFg = false;
        int readBytesBuf = 0;
        long written = 0;
        for (int i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            var signature = signatures[i] = new byte[8];
            uint flashAddr = AmebaDFlashLayout.ToOffset(header.FlashAddr) + 8;
            int remain = unchecked((int)(header.ImgLen - 8));
            uint sigCnt = 0;
            int size = 0;
            uint nextEraseSector = 0;
            activity.Set(OtaReceiverPhase.Downloading, 0, header.ImgLen);
            while (remain > 0)
            {
                int buf = Before;
                int readBytes;
                if (incFg)
                {
                    incFg = false;
                    readBytes = readBytesBuf;
                }
                else
                {
                    Array.Clear(memory, Before, BufferSize);
                    readBytes = await read(memory.AsMemory(Before, BufferSize)).ConfigureAwait(false);
                    if (http && readBytes <= 0)
                    {
                        // http_read_socket turns a FIN into an error too (-2).
                        serial.Print(AmebaDReceiverLog.HttpReadClosed);
                        serial.Print(AmebaDReceiverLog.HttpReadSocketFailed);
                        return new DownloadResult(false, written);
                    }
                    if (readBytes == 0) break;
                    if (readBytes < 0)
                    {
                        serial.Print(AmebaDReceiverLog.ReadSocketFailed);
                        return new DownloadResult(false, written);
                    }
                    readBytesBuf = readBytes;
                    tempLen = unchecked(tempLen + (uint)readBytes);
                }
                if (tempLen <= header.Offset) continue;
                if (!otaFg)
                {
                    otaFg = true;
                    uint tempCnt = tempLen - header.Offset;
                    sigCnt = Math.Min(tempCnt, 8u);
                    long from = buf + readBytes - (long)tempCnt;
                    Copy(memory, from, signature, 0, (int)sigCnt);
                    if (sigCnt < 8 || tempCnt - 8 == 0) continue;
                    buf = (int)Math.Max(0, from + 8);
                    readBytes = (int)(tempCnt - 8);
                }
                else if (sigCnt < 8)
                {
                    int need = (int)(8 - sigCnt);
                    if (readBytes < need)
                    {
                        Copy(memory, buf, signature, (int)sigCnt, readBytes);
                        sigCnt += (uint)readBytes;
                        continue;
                    }
                    Copy(memory, buf, signature, (int)sigCnt, need);
                    buf += need;
                    readBytes -= need;
                    sigCnt = 8;
                    if (readBytes == 0) continue;
                }
                remain -= readBytes;
                if (http)
                {
                    // download_new_fw_from_server_http erases as it goes: the sector of this chunk's end, once.
                    uint writeSector = unchecked((header.ImgLen - 8) - (uint)remain - 1 + 8) / AmebaDFlashLayout.SectorSize;
                    if (writeSector >= nextEraseSector)
                    {
                        flash.EraseSector(unchecked(AmebaDFlashLayout.ToOffset(header.FlashAddr) + writeSector * AmebaDFlashLayout.SectorSize));
                        await flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
                        nextEraseSector++;
                    }
                }
                if (remain < 0) readBytes -= -remain;
                uint at = unchecked(flashAddr + (uint)size);
                var chunk = memory.AsSpan(buf, readBytes);
                flash.Program(at, chunk, AmebaDFlashTiming.WriteStream(flash.Timing, at, readBytes));
                await flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
                size += readBytes;
                written += readBytes;
                activity.Progress(size + 8);
            }
            serial.Print(AmebaDReceiverLog.UpdateFileSize(size + 8, header.FlashAddr));
            if (unchecked((uint)size != header.ImgLen - 8))
            {
                _logger.LogDebug("download ended after {Bytes} of {Length} image bytes", size + 8, header.ImgLen);
                serial.Print(AmebaDReceiverLog.DownloadIncomplete);
                return new DownloadResult(true, written);   // the stock code jumps to exit with res still true
            }
            otaFg = false;
            incFg = true;
        }
        return new DownloadResult(true, written);
    }

    private static void Copy(byte[] memory, long from, byte[] to, int at, int count)
    {
        for (int k = 0; k < count; k++)
        {
            long index = from + k;
            to[at + k] = index >= 0 && index < memory.Length ? memory[index] : (byte)0;
        }
    }

    private void Write(uint offset, ReadOnlySpan<byte> bytes) =>
        flash.Program(offset, bytes, AmebaDFlashTiming.WriteStream(flash.Timing, offset, bytes.Length));

    private const int Overran = -2;

    /// <summary>
    /// A read loop of the stock header code: up to <paramref name="count"/> bytes (u32) into <paramref name="buffer"/> from
    /// <paramref name="at"/>, until done or <c>read()</c> returns 0. Returns the bytes read, -1 on a read error, or
    /// <see cref="Overran"/> when they would run past the buffer.
    /// </summary>
    private static async Task<int> ReadUpToAsync(Func<Memory<byte>, ValueTask<int>> read, byte[] buffer, int at, uint count)
    {
        int total = 0;
        var spill = new byte[BufferSize];
        while (count > 0)
        {
            int room = buffer.Length - at;
            int ask = (int)Math.Min(count, (uint)BufferSize);
            int n = room > 0 ? await read(buffer.AsMemory(at, Math.Min(ask, room))).ConfigureAwait(false)
                : await read(spill.AsMemory(0, ask)).ConfigureAwait(false);
            if (n < 0) return -1;
            if (n == 0) break;
            if (room <= 0) return Overran;
            at += n;
            total += n;
            count -= (uint)n;
        }
        return total;
    }

    /// <summary>The stock code has written past a buffer: undefined on a board; here a hang until reset.</summary>
    private async Task<AmebaDReceiveResult> HangAsync(OtaReceiverActivity activity, OtaBank target, IPEndPoint remote, CancellationToken cancellationToken)
    {
        _logger.LogWarning("the OTA header made the stock receiver write past its 512-byte buffer: undefined on a real board, a hang here");
        activity.Set(OtaReceiverPhase.Overrun);
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        return new AmebaDReceiveResult(AmebaDReceiveOutcome.Overrun, target, remote, null, 0, null);
    }
}
