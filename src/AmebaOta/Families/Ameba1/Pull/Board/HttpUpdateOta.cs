using System.Buffers.Binary;
using System.Net;
using System.Text;
using AmebaOta.Boards;
using AmebaOta.Protocol.Http;
using AmebaOta.Protocol.Lwip;

namespace AmebaOta.Families.Ameba1.Pull.Board;

/// <summary>
/// The SDK's <c>http_update_ota(host, port, resource)</c> (<c>ota_8195a.c</c>, Ameba1 Arduino package): connect, rewrite
/// the OTA address to 0x80000, send <c>GET /{resource} HTTP/1.1\r\nHost: {host}\r\n\r\n</c>, parse the response with
/// <c>parse_http_response</c>, erase, download <c>Content-Length</c> bytes (a <c>.</c> before each read), compare the
/// byte-sum of all but the last 4 bytes with those 4 bytes, sign, and return 0 without rebooting. Quirks kept:
/// <list type="bullet">
/// <item>the status code is the 3 characters between the first two spaces of the first read: a status line with no
/// reason phrase, or one split from the rest, fails (silently);</item>
/// <item>only a line starting with <c>Content-Length</c> or <c>CONTENT-LENGTH</c> gives the length
/// (<c>No Content-Length in header</c>); a head longer than one 512-byte read is parsed in pieces that keep only the last
/// 32 bytes of the previous one;</item>
/// <item>no receive timeout anywhere, and <c>read() == 0</c> (the server's FIN) just loops again: a body cut short by an
/// orderly close spins forever, printing <c>.</c> without end (the model prints the first and then waits for a reset);</item>
/// <item>the checksum taken from the part of the body that came with the head is read from the wrong offset, so an image
/// whose whole response fits in the first read always fails the checksum;</item>
/// <item>Default Image 2 is not marked old.</item>
/// </list>
/// </summary>
public sealed class HttpUpdateOta(PullBoard board)
{
    private const string Function = "http_update_ota";
    private const int HeaderBackup = SdkHttpResponseParser.HeaderBackupLength;

    /// <summary>One call: 0 when the new image is written, verified and signed; -1 otherwise.</summary>
    public async Task<int> RunAsync(string host, int port, string resource, CancellationToken cancellationToken)
    {
        var sdk = new SdkOta(board);
        var alloc = new byte[SdkOta.BufferSize + 4 + 4];   // + 4: the parser looks up to 3 bytes past the data
        var buffer = alloc.AsMemory(4, SdkOta.BufferSize);
        var result = new SdkHttpResponseParser(SdkHttpHeadRules.Ameba1, board.Printf);
        int ret = -1;
        LwipSocket? socket = null;
        try
        {
            var address = await PullBoard.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
            if (address is null)
            {
                board.Printf("[ERROR] Get host ip failed\n");
                return ret;
            }
            var linkLost = await board.LinkTokenAsync(cancellationToken).ConfigureAwait(false);
            socket = await LwipSocket.ConnectAsync(board.Address, new IPEndPoint(address, port), linkLost, cancellationToken).ConfigureAwait(false);
            if (socket is null)
            {
                sdk.Log("update_ota_http_connect_server", "Socket connect failed");
                return ret;
            }
            uint newImage2Address = await sdk.PrepareAddressAsync(cancellationToken).ConfigureAwait(false);
            if (newImage2Address == SdkOta.Failed) return ret;
            alloc.AsSpan(0, 4).Clear();

            board.Printf("\n\r");
            var request = Encoding.ASCII.GetBytes($"GET /{resource} HTTP/1.1\r\nHost: {host}\r\n\r\n");
            if (await socket.WriteAsync(request, cancellationToken).ConfigureAwait(false) < 0)
            {
                sdk.Log(Function, "Send HTTP request failed");
                return ret;
            }

            uint index = 0;
            int readBytes;
            while (result.ParseStatus <= 3)
            {
                if (result.ParseStatus == 0)
                {
                    buffer.Span.Clear();
                    readBytes = await socket.ReadAsync(buffer, null, cancellationToken).ConfigureAwait(false);
                    if (readBytes == 0)
                    {
                        await board.SpinAsync("http_update_ota: the server closed the connection before its response: read() returns 0 and the header loop goes round forever", cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    if (readBytes < 0)
                    {
                        sdk.Log(Function, "Read socket failed");
                        return ret;
                    }
                    index = (uint)readBytes;
                    if (result.Parse(alloc.AsSpan(4), readBytes) == -1) return ret;
                }
                else
                {
                    buffer.Span.Clear();
                    result.HeaderBackup?.CopyTo(buffer.Span);
                    result.HeaderBackup = null;
                    readBytes = await socket.ReadAsync(buffer[HeaderBackup..], null, cancellationToken).ConfigureAwait(false);
                    if (readBytes == 0)
                    {
                        await board.SpinAsync("http_update_ota: the server closed the connection in the middle of its headers: read() returns 0 and the header loop goes round forever", cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    if (readBytes < 0)
                    {
                        sdk.Log(Function, "Read socket failed");
                        return ret;
                    }
                    index = (uint)(readBytes + HeaderBackup);
                    if (result.Parse(alloc.AsSpan(4), readBytes + HeaderBackup) == -1) return ret;
                }
            }

            if (result.BodyLength == 0)
            {
                sdk.Log(Function, "New firmware size = 0 !");
                return ret;
            }
            board.Printf($"\n\r[{Function}] Download new firmware begin, total size : {SdkOta.D(result.BodyLength)}\n\r");
            uint destination = newImage2Address;
            uint newImage2Length = await sdk.EraseUpgradeRegionAsync(result.BodyLength, newImage2Address, cancellationToken).ConfigureAwait(false);
            if (newImage2Length == SdkOta.Failed) return ret;

            // The part of the body that came with the head. The checksum is taken at buf + data_len, not past the head.
            int dataLength = unchecked((int)(index - result.HeaderLength));
            if (dataLength > 0)
            {
                SdkOta.TakeAttachedChecksum(alloc, dataLength);
                board.Flash.StreamWrite(destination, buffer.Span.Slice((int)result.HeaderLength, dataLength));
                await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
            }
            index = unchecked((uint)dataLength);
            while (index < newImage2Length)
            {
                board.Printf(".");
                dataLength = (int)Math.Min(newImage2Length - index, SdkOta.BufferSize);
                buffer.Span.Clear();
                readBytes = await socket.ReadAsync(buffer[..dataLength], null, cancellationToken).ConfigureAwait(false);
                if (readBytes == 0)
                {
                    await board.SpinAsync($"http_update_ota: the server closed the connection after {index} of {newImage2Length} bytes: read() returns 0 and the loop goes round forever, printing '.' each time", cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (readBytes < 0)
                {
                    sdk.Log(Function, "Read socket failed");
                    return ret;
                }
                if (readBytes < 4) sdk.Log(Function, "Recv small packet");
                board.Flash.StreamWrite(unchecked(destination + index), buffer.Span[..readBytes]);
                await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
                SdkOta.TakeAttachedChecksum(alloc, readBytes);
                index += (uint)readBytes;
            }
            board.Printf($"\n\r[{Function}] Download new firmware {SdkOta.D(index)} bytes completed\n\r");

            uint flashChecksum = await sdk.FlashChecksumAsync(newImage2Address, Math.Max(0, (long)index - 4), cancellationToken).ConfigureAwait(false);
            ret = await sdk.ChecksumAsync(BinaryPrimitives.ReadUInt32LittleEndian(alloc), flashChecksum, newImage2Address, cancellationToken).ConfigureAwait(false);
            if (ret == -1) board.Printf($"\n\r[{Function}] The checksume is wrong!\n\r");
            return ret;
        }
        finally
        {
            socket?.Dispose();
        }
    }
}
