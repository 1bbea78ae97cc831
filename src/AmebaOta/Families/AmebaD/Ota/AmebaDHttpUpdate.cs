using System.Buffers.Binary;
using AmebaOta.Boards;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Families.AmebaD.Push;
using AmebaOta.Protocol;
using AmebaOta.Protocol.Http;
using AmebaOta.Protocol.OtaUi.Board;

namespace AmebaOta.Families.AmebaD.Ota;

/// <summary>
/// AmebaD's <c>http_update_ota(host, port, resource)</c> (<c>rtl8721d_ota.c</c>; docs/reference sections 12.4 and 11.4), with
/// the receiver's rules (<see cref="AmebaDOtaReceiver"/>: the bank not running, the 8-byte signature held back and written
/// last, the other bank's signature cleared): connect, <c>GET /{resource}</c>, the head read 512 bytes at a time with
/// AmebaD's rules (only <c>Content-Length</c> or <c>CONTENT-LENGTH</c>; 302 followed), then the OTA_All.bin header from
/// the body (<c>recv_ota_file_hdr_http</c>: 32 bytes), then the image, each sector erased as the data reaches it. No
/// receive timeout; a FIN before the end fails (<c>http_read_socket</c>); a checksum mismatch fails; success returns 0
/// and the library resets the board.
/// </summary>
public sealed class AmebaDHttpUpdate(PullBoard board)
{
    private const string Function = "http_update_ota";

    /// <summary>The socket number <c>update_ota_http_connect_server</c> prints (lwIP numbers them; with the listener, its client and a heartbeat open, the next is 3).</summary>
    public const int SocketNumber = 3;

    /// <summary>AmebaD's head rules (only <c>Content-Length</c> or <c>CONTENT-LENGTH</c>), 512-byte reads, lines ending in <c>\n</c>.</summary>
    private static readonly SdkHttpUpdateStyle Style = new(SdkHttpHeadRules.AmebaD, AmebaDOtaReceiver.BufferSize,
        $"[update_ota_http_connect_server] Create socket: {SocketNumber} success!\n", LineStart: "", LineEnd: "\n");

    /// <summary>One call on a board running from <paramref name="current"/>: 0 on success, anything else on failure.</summary>
    public async Task<int> RunAsync(string host, int port, string resource, OtaBank current, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (ret, redirect) = await OnceAsync(host, port, resource, current, cancellationToken).ConfigureAwait(false);
            if (redirect is not { Port: not 0 } r) return ret;
            (host, port, resource) = (r.Host, r.Port, r.Resource);
            // The SDK prints the port with %s (undefined behaviour on a board); shown here as a number.
            board.Printf($"OTA redirect host: {host}, port: {port}, resource: {resource}\n\r");
        }
    }

    private async Task<(int Ret, SdkRedirect? Redirect)> OnceAsync(string host, int port, string resource, OtaBank current, CancellationToken cancellationToken)
    {
        using var download = new SdkHttpDownload(board, Style);
        if (!await download.OpenAsync(host, port, resource, cancellationToken).ConfigureAwait(false)) return (download.Ret, download.Redirect);
        int ret = download.Ret;
        var (buffer, parser, index, socket) = (download.Buffer, download.Parser, download.Index, download.Socket!);
        board.Printf($"[{Function}] Download new firmware begin, total size : {(int)parser.BodyLength}\n");

        // The part of the body that came with the head, moved to the buffer's start.
        int writeLength = index - (int)parser.HeaderLength;
        Array.Copy(buffer, (int)parser.HeaderLength, buffer, 0, writeLength);
        Array.Clear(buffer, writeLength, buffer.Length - writeLength);

        var target = AmebaDFlashLayout.Other(current);
        board.Printf($"\n\r[{Function}] {(target == OtaBank.Ota2 ? "OTA2" : "OTA1")} address space will be upgraded");

        // recv_ota_file_hdr_http: the rest of the first 32 bytes, if the first read did not bring them.
        for (int have = writeLength; have < OtaAllHeader.Size;)
        {
            int n = await socket.ReadAsync(buffer.AsMemory(have, OtaAllHeader.Size - have), null, cancellationToken).ConfigureAwait(false);
            if (n < 0)
            {
                board.Printf("[recv_ota_file_hdr_http] read socket failed\n");
                board.Printf($"\n\r[{Function}] rev firmware header failed");
                return (ret, null);
            }
            if (n == 0) break;
            have += n;
        }
        uint hdrNum = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(4));
        uint imgHdrLen = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(12));
        uint revHdrLen = unchecked(hdrNum * imgHdrLen + 8);

        var receiver = new AmebaDOtaReceiver(board.Flash, board.Serial, board.Logger);
        var (headers, overrun) = receiver.GetTargetHeaders(buffer, hdrNum, imgHdrLen, revHdrLen, target);
        if (overrun)
        {
            await board.SpinAsync("http_update_ota: the OTA header lists more images than the SDK's header has room for; it writes past it", cancellationToken).ConfigureAwait(false);
            return (ret, null);
        }
        if (headers is null)
        {
            board.Printf("\n\rget OTA header failed\n");
            return (ret, null);
        }
        var first = headers[0];

        // download_new_fw_from_server_http: the bytes after the headers that came with the first read count first.
        int leftover = writeLength > first.Offset ? writeLength - (int)revHdrLen : 0;
        int leftoverAt = (int)revHdrLen;
        var activity = new OtaReceiverActivity();
        var signatures = new byte[headers.Count][];
        async ValueTask<int> Read(Memory<byte> into)
        {
            if (leftover > 0)
            {
                int n = Math.Min(leftover, into.Length);
                buffer.AsMemory(leftoverAt, n).CopyTo(into);
                leftoverAt += n;
                leftover -= n;
                return n;
            }
            return await socket.ReadAsync(into, null, cancellationToken).ConfigureAwait(false);
        }
        var received = await receiver.ReceiveImagesAsync(Read, headers, first, signatures, activity, cancellationToken, http: true).ConfigureAwait(false);
        if (!received.Ok) return (ret, null);

        var (checksumOk, _) = await receiver.VerifyChecksumsAsync(headers, signatures, activity, cancellationToken).ConfigureAwait(false);
        if (!checksumOk) return (ret, null);
        await receiver.ChangeSignatureAsync(headers, signatures, target, activity, cancellationToken).ConfigureAwait(false);
        return (0, null);
    }
}
