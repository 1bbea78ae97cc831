using System.Buffers.Binary;
using System.Net;
using AmebaOta.Boards;
using AmebaOta.Protocol.Lwip;

namespace AmebaOta.Families.Ameba1.Pull.Board;

/// <summary>
/// The SDK's <c>update_ota_local(ip, port)</c> task (<c>update_ota_local_task</c> in <c>ota_8195a.c</c>): connect to a
/// download server, which speaks first; rewrite the OTA address to 0x80000; read the 12-byte header
/// <c>{checksum, 0, file size}</c> with one <c>read()</c>; erase <c>ceil(size / 4096)</c> sectors; read up to 512 bytes at a
/// time (a <c>.</c> per read) and program them until <c>size</c> bytes are in or the server closes; compare the byte-sum
/// of all but the last 4 bytes with those 4 bytes; sign; reboot. Quirks kept: no receive timeout (a stalled server blocks
/// it forever); a header split over two segments reads as size 0 (<c>No checksum and file size</c>); an early FIN ends the
/// download quietly and the checksum then fails; Default Image 2 is not marked old.
/// </summary>
public sealed class UpdateOtaLocal(PullBoard board)
{
    private const string Task = "update_ota_local_task";

    /// <summary>Runs the task once; true when it ends in <c>Ready to reboot</c> (the caller then reboots after 100 ms).</summary>
    public async Task<bool> RunAsync(string ip, int port, CancellationToken cancellationToken)
    {
        var sdk = new SdkOta(board);
        var alloc = new byte[SdkOta.BufferSize + 4];   // alloc[0..3]: the checksum; buf = alloc + 4
        int ret = -1;
        sdk.Log(Task, "Update task start");
        LwipSocket? socket = null;
        try
        {
            // inet_addr: dotted quads only; anything else is INADDR_NONE, which never connects.
            var linkLost = await board.LinkTokenAsync(cancellationToken).ConfigureAwait(false);
            if (IPAddress.TryParse(ip, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                socket = await LwipSocket.ConnectAsync(board.Address, new IPEndPoint(address, port), linkLost, cancellationToken).ConfigureAwait(false);
            if (socket is null)
            {
                sdk.Log("update_ota_connect_server", "Socket connect failed");
                return Exit(sdk, ret);
            }

            uint newImage2Address = await sdk.PrepareAddressAsync(cancellationToken).ConfigureAwait(false);
            if (newImage2Address == SdkOta.Failed) return Exit(sdk, ret);

            var fileInfo = new byte[12];
            sdk.Log(Task, "Read info first");
            int readBytes = await socket.ReadAsync(fileInfo, null, cancellationToken).ConfigureAwait(false);
            if (readBytes < 0) fileInfo.AsSpan().Clear();
            uint txChecksum = BinaryPrimitives.ReadUInt32LittleEndian(fileInfo);
            uint fileSize = BinaryPrimitives.ReadUInt32LittleEndian(fileInfo.AsSpan(8));
            sdk.Log(Task, $"info {readBytes} bytes");
            sdk.Log(Task, $"tx chechsum 0x{txChecksum:x}, file size 0x{fileSize:x}");
            if (fileSize == 0)
            {
                sdk.Log(Task, "No checksum and file size");
                return Exit(sdk, ret);
            }

            uint newImage2Length = await sdk.EraseUpgradeRegionAsync(fileSize, newImage2Address, cancellationToken).ConfigureAwait(false);
            if (newImage2Length == SdkOta.Failed) return Exit(sdk, ret);

            alloc.AsSpan(0, 4).Clear();
            var buffer = alloc.AsMemory(4, SdkOta.BufferSize);
            long size = 0;
            board.Printf($"\n\rStart to read data {SdkOta.D(newImage2Length)} bytes\r\n");
            while (true)
            {
                buffer.Span.Clear();
                readBytes = await socket.ReadAsync(buffer, null, cancellationToken).ConfigureAwait(false);
                if (readBytes == 0) break;   // read end
                if (readBytes < 0)
                {
                    sdk.Log(Task, "Read socket failed");
                    return Exit(sdk, ret);
                }
                if (readBytes < 4) sdk.Log(Task, "Recv small packet");
                board.Printf(".");
                if (size + readBytes > newImage2Length)
                {
                    sdk.Log(Task, "Redundant bytes received");
                    readBytes = (int)(newImage2Length - size);
                }
                board.Flash.StreamWrite(unchecked(newImage2Address + (uint)size), buffer.Span[..readBytes]);
                await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
                size += readBytes;
                SdkOta.TakeAttachedChecksum(alloc, readBytes);
                if (size == newImage2Length) break;
            }
            board.Printf("\n\rRead data finished\r\n");

            uint flashChecksum = await sdk.FlashChecksumAsync(newImage2Address, size - 4, cancellationToken).ConfigureAwait(false);
            ret = await sdk.ChecksumAsync(BinaryPrimitives.ReadUInt32LittleEndian(alloc), flashChecksum, newImage2Address, cancellationToken).ConfigureAwait(false);
            if (ret == -1) board.Printf("\r\nThe checksume is wrong!\r\n");
            return Exit(sdk, ret);
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private static bool Exit(SdkOta sdk, int ret)
    {
        sdk.Log(Task, "Update task exit");
        if (ret != 0) return false;
        sdk.Log(Task, "Ready to reboot");
        return true;
    }
}
