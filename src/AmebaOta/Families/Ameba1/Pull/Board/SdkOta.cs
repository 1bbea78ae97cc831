using System.Globalization;
using AmebaOta.Boards;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Images;

namespace AmebaOta.Families.Ameba1.Pull.Board;

/// <summary>
/// The parts of the SDK's <c>ota_8195a.c</c> that <c>update_ota_local</c> and <c>http_update_ota</c> share, as the Ameba1
/// Arduino package builds it (<c>WRITE_OTA_ADDR 1</c>, <c>SWAP_UPDATE 0</c>, <c>CONFIG_CUSTOM_SIGNATURE 0</c>,
/// <c>BUF_SIZE 512</c>). Quirks kept: the OTA address is always rewritten to 0x80000 first, through the backup sector
/// whenever the word is not erased (even when it already holds 0x80000); the checksum that counts is the last 4 bytes
/// the board received; the new image is signed without checking the read-back, and Default Image 2 is <b>not</b> marked
/// old, so two images may be signed "new" afterwards (the boot loader then prefers the OTA address, docs/reference section 4).
/// </summary>
public sealed class SdkOta(PullBoard board)
{
    /// <summary><c>BUF_SIZE</c>.</summary>
    public const int BufferSize = 512;
    /// <summary>The OTA address <c>update_ota_prepare_addr</c> writes (<c>WRITE_OTA_ADDR</c>).</summary>
    public const uint OtaAddress = 0x80000;
    /// <summary>Returned for -1 by the functions that return <c>uint32_t</c>.</summary>
    public const uint Failed = 0xFFFFFFFF;

    /// <summary><c>printf("\n\r[%s] ...", __FUNCTION__)</c>.</summary>
    public void Log(string function, string text) => board.Printf($"\n\r[{function}] {text}");

    /// <summary><c>update_ota_prepare_addr</c>: writes 0x80000 to system data, reads it back; the OTA address, or <see cref="Failed"/>.</summary>
    public async Task<uint> PrepareAddressAsync(CancellationToken cancellationToken)
    {
        const string function = "update_ota_prepare_addr";
        uint image2Length = board.Flash.ReadU32(FlashLayout.DefaultImage2);
        uint imageX = unchecked(FlashLayout.DefaultImage2 + image2Length + 0x10);
        uint imageXLength = board.Flash.ReadU32(imageX);
        uint imageXLoad = board.Flash.ReadU32(unchecked(imageX + 4));
        if (imageXLoad == SegmentHeader.SdramLoadAddress)
        {
            Log(function, $"IMAGE_3 0x{imageX:x} Img3Len 0x{imageXLength:x}");
        }
        else
        {
            Log(function, "There is no IMAGE_3");
            imageX = FlashLayout.DefaultImage2;
            imageXLength = image2Length;
        }
        if (Illegal(OtaAddress, imageX, imageXLength))
        {
            Log(function, $"illegal ota addr 0x{OtaAddress:x}");
            return Failed;
        }
        await WriteOtaAddressToSystemDataAsync(OtaAddress, cancellationToken).ConfigureAwait(false);
        uint newImage2Address = board.Flash.ReadU32(FlashLayout.SystemData);
        if (Illegal(newImage2Address, imageX, imageXLength))
        {
            Log(function, $"Invalid OTA Address 0x{newImage2Address:x}");
            return Failed;
        }
        return newImage2Address;
    }

    private static bool Illegal(uint address, uint imageX, uint imageXLength) =>
        (address > imageX && address < unchecked(imageX + imageXLength)) || address < imageX || (address & 0xFFF) != 0 || address == 0xFFFFFFFF;

    /// <summary><c>write_ota_addr_to_system_data</c>: a plain word write when erased, else the whole sector through the backup.</summary>
    public async Task WriteOtaAddressToSystemDataAsync(uint otaAddress, CancellationToken cancellationToken)
    {
        var flash = board.Flash;
        uint data = flash.ReadU32(FlashLayout.SystemData);
        Log("write_ota_addr_to_system_data", $"data 0x{data:x} ota_addr 0x{otaAddress:x}");
        if (data == 0xFFFFFFFF)
        {
            flash.ProgramU32(FlashLayout.SystemData, otaAddress);
            await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        flash.EraseSector(FlashLayout.BackupSector);
        await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
        for (uint i = 0; i < FlashLayout.SectorSize; i += 4)
        {
            uint word = i == 0 ? otaAddress : flash.ReadU32(FlashLayout.SystemData + i);
            flash.ProgramU32(FlashLayout.BackupSector + i, word);
            await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        flash.EraseSector(FlashLayout.SystemData);
        await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
        for (uint i = 0; i < FlashLayout.SectorSize; i += 4)
        {
            flash.ProgramU32(FlashLayout.SystemData + i, flash.ReadU32(FlashLayout.BackupSector + i));
            await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        flash.EraseSector(FlashLayout.BackupSector);
        await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>update_ota_erase_upg_region(img_len, 0, addr)</c>: erases <c>ceil(len / 4096)</c> sectors; the length, or <see cref="Failed"/>.</summary>
    public async Task<uint> EraseUpgradeRegionAsync(uint imageLength, uint newImage2Address, CancellationToken cancellationToken)
    {
        const string function = "update_ota_erase_upg_region";
        uint length = imageLength;
        Log(function, $"NewImg2Len {D(length)}  ");
        if (unchecked((int)length) > 0)
        {
            uint blocks = (length - 1) / 4096 + 1;
            Log(function, $"NewImg2BlkSize {D(blocks)}  0x{blocks,8:x}");
            for (uint i = 0; i < blocks; i++)
            {
                board.Flash.EraseSector(unchecked(newImage2Address + i * 4096));
                await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            Log(function, "Size INVALID");
            return Failed;
        }
        Log(function, $"NewImg2Addr 0x{newImage2Address:x}");
        return length;
    }

    /// <summary>Sums <paramref name="length"/> bytes from <paramref name="address"/> as the task does, 512 at a time.</summary>
    public async Task<uint> FlashChecksumAsync(uint address, long length, CancellationToken cancellationToken)
    {
        uint sum = 0;
        var buffer = new byte[BufferSize];
        for (long i = 0; i < length; i += BufferSize)
        {
            int n = (int)Math.Min(BufferSize, length - i);
            board.Flash.Read(unchecked(address + (uint)i), buffer.AsSpan(0, n));
            sum = Checksum.Add(sum, buffer.AsSpan(0, n));
        }
        await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
        return sum;
    }

    /// <summary><c>update_ota_checksum</c>: compares, and on a match signs the new image (no read-back check, no "old" mark): 0 or -1.</summary>
    public async Task<int> ChecksumAsync(uint attached, uint flashChecksum, uint newImage2Address, CancellationToken cancellationToken)
    {
        board.Printf($"\n\rflash checksum 0x{flashChecksum,8:x} attached checksum 0x{attached,8:x}");
        if (attached != flashChecksum) return -1;
        board.Flash.ProgramU32(unchecked(newImage2Address + 8), ImageSignature.NewWord1);
        board.Flash.ProgramU32(unchecked(newImage2Address + 12), ImageSignature.Word2);
        await board.FlashReadyAsync(cancellationToken).ConfigureAwait(false);
        uint readBack0 = board.Flash.ReadU32(unchecked(newImage2Address + 8));
        uint readBack1 = board.Flash.ReadU32(unchecked(newImage2Address + 12));
        Log("update_ota_checksum", $"signature {readBack0:x},{readBack1:x}");
        Log("update_ota_checksum", "Update OTA success!");
        return 0;
    }

    /// <summary>
    /// The running checksum after a read of <paramref name="read"/> bytes: the 4 bytes before <c>buf + read</c>, where the
    /// 4 bytes before <c>buf</c> are the checksum itself (<c>alloc[4 + read - 4]</c>…), so short reads slide it along.
    /// </summary>
    public static void TakeAttachedChecksum(byte[] alloc, int read)
    {
        for (int k = 0; k < 4; k++) alloc[k] = alloc[read + k];
    }

    /// <summary>%d of a value.</summary>
    public static string D(uint value) => unchecked((int)value).ToString(CultureInfo.InvariantCulture);
}
