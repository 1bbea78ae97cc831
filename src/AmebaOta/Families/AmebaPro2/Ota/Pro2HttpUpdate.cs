using AmebaOta.Boards;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Protocol.Http;
using AmebaOta.Protocol.OtaUi.Board;

namespace AmebaOta.Families.AmebaPro2.Ota;

/// <summary>
/// AmebaPro2's <c>http_update_ota(host, port, resource)</c> (<c>ota_8735b.c</c>; docs/reference sections 12 and 13):
/// connect, send <c>GET /{resource} HTTP/1.1</c> and <c>Host</c>, read the head with the AmebaPro2 rules (302 followed),
/// then the body in 4 KiB blocks, printing <c>..</c> before each, each written by <see cref="Pro2OtaFlashWriter"/> into
/// the slot that is not running; the file's last 4 bytes are the checksum and are not written. Quirks kept:
/// <list type="bullet">
/// <item>no receive timeout: a server that stops sending without closing leaves the board downloading forever;</item>
/// <item>a read that fails after at least one block was written leaves the return value at that block's 0, so the
/// update "succeeds": the board reboots, and boots its old firmware (the new slot never got its label);</item>
/// <item>a body whose last block holds 1 to 3 bytes makes the SDK read before and write past its buffer: a real board
/// crashes (<see cref="BoardCrashException"/>);</item>
/// <item>a 302's <c>Location</c> is read to the end of the first read, so the redirected request carries the following
/// header lines in its path.</item>
/// </list>
/// </summary>
public sealed class Pro2HttpUpdate(PullBoard board)
{
    private const string Function = "http_update_ota";
    private const int BlockSize = Pro2Image.BlockSize;

    /// <summary>AmebaPro2's head rules (<c>content-length</c> too), 4 KiB reads, lines starting with <c>\n\r</c>; no socket line.</summary>
    private static readonly SdkHttpUpdateStyle Style = new(SdkHttpHeadRules.AmebaPro2, BlockSize, SocketCreated: null, LineStart: "\n\r", LineEnd: "");

    /// <summary>One call, the board running <paramref name="runningSlot"/> (1 or 2; null: unknown, which the SDK treats as a failure).</summary>
    public async Task<int> RunAsync(string host, int port, string resource, int? runningSlot, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (ret, redirect) = await OnceAsync(host, port, resource, runningSlot, cancellationToken).ConfigureAwait(false);
            if (redirect is not { Port: not 0 } r) return ret;
            (host, port, resource) = (r.Host, r.Port, r.Resource);
            board.Printf($"\n\r[{Function}] OTA redirect host: {host}, port: {port}, resource: {resource}");
        }
    }

    private async Task<(int Ret, SdkRedirect? Redirect)> OnceAsync(string host, int port, string resource, int? runningSlot, CancellationToken cancellationToken)
    {
        using var download = new SdkHttpDownload(board, Style);
        if (!await download.OpenAsync(host, port, resource, cancellationToken).ConfigureAwait(false)) return (download.Ret, download.Redirect);
        int ret = download.Ret;
        var (buffer, socket) = (download.Buffer, download.Socket!);
        uint otaLength = download.Parser.BodyLength;
        board.Printf($"\n\r[{Function}] Download new firmware begin, total size : {(int)otaLength}\n\r");
        int totalBlocks = (int)((otaLength + BlockSize - 1) / BlockSize);
        board.Printf($"\n\r[{Function}] Current firmware index is {runningSlot ?? 0}\r\n");
        if (runningSlot is not (1 or 2)) return (ret, null);
        var writer = new Pro2OtaFlashWriter(board, runningSlot == 1 ? 2 : 1);

        // The part of the body that came with the head.
        int readBytes = download.Index - (int)download.Parser.HeaderLength;
        if (readBytes > 0)
        {
            Array.Copy(buffer, (int)download.Parser.HeaderLength, buffer, 0, readBytes);
            Array.Clear(buffer, readBytes, BlockSize - readBytes);
        }
        else
        {
            Array.Clear(buffer);
            readBytes = 0;
        }

        long done = 0;
        uint attached = 0;
        var checksum = new byte[4];
        while (done < otaLength)
        {
            board.Printf("..");
            int dataLength = (int)Math.Min(otaLength - done, BlockSize);
            while (readBytes < dataLength)
            {
                int r = await socket.ReadAsync(buffer.AsMemory(readBytes, dataLength - readBytes), null, cancellationToken).ConfigureAwait(false);
                if (r <= 0)
                {
                    board.Printf($"\n\r[{Function}] Read socket failed");
                    return (ret, null);
                }
                readBytes += r;
            }
            if (done + readBytes > otaLength)
            {
                board.Printf($"\n\r[{Function}] Redundant bytes received");
                readBytes = (int)(otaLength - done);
                dataLength = readBytes;
            }
            if (done + readBytes > (long)otaLength - 4)
            {
                if (readBytes < 4)
                    throw new BoardCrashException(
                        $"http_update_ota: the last 4 KiB block holds {readBytes} byte(s), fewer than the 4-byte checksum, so the SDK reads the checksum from before its buffer and writes 0xFF past it");
                buffer.AsSpan(readBytes - 4, 4).CopyTo(checksum);
                attached = BitConverter.ToUInt32(checksum);
            }
            int block = (int)(done / BlockSize);
            if (block == totalBlocks - 1)
            {
                dataLength -= 4;
                buffer.AsSpan(dataLength, BlockSize - dataLength).Fill(0xFF);
            }
            ret = await writer.WriteBlockAsync(totalBlocks, block, buffer, dataLength, attached, cancellationToken).ConfigureAwait(false);
            if (ret < 0)
            {
                board.Printf($"\n\r[{Function}] ota flash failed");
                return (ret, null);
            }
            done += readBytes;
            Array.Clear(buffer);
            readBytes = 0;
        }
        board.Printf($"\n\r[{Function}] Download new firmware {done} bytes completed\n\r");
        return (ret, null);
    }
}
