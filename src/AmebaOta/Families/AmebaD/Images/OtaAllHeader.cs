using System.Buffers.Binary;
using System.Text;

namespace AmebaOta.Families.AmebaD.Images;

/// <summary>
/// The 32-byte header of an <c>OTA_All.bin</c> (docs/reference section 11.2), byte for byte as Realtek's ImageTool and the
/// SDK's <c>prepend_ota_header.sh</c> write it: the firmware-file header (<c>update_file_hdr</c>), then one image header
/// (<c>update_file_img_hdr</c>), all u32 little-endian except the id.
/// <code>
/// off size field      Realtek's value
///   0    4 FwVer      0xFFFFFFFF
///   4    4 HdrNum     1
///   8    4 ImgId      ASCII "OTA1"
///  12    4 ImgHdrLen  24
///  16    4 Checksum   u32 byte sum of the image (km0_km4_image2.bin)
///  20    4 ImgLen     image length
///  24    4 Offset     32: where the image starts in the file
///  28    4 FlashAddr  0xFFFFFFFF (a board ignores it and writes the bank it is not running)
/// </code>
/// </summary>
public readonly record struct OtaAllHeader(
    uint FwVer, uint HdrNum, uint ImgId, uint ImgHdrLen, uint Checksum, uint ImgLen, uint Offset, uint FlashAddr)
{
    /// <summary>Header size in bytes (with one image header).</summary>
    public const int Size = 32;
    /// <summary>Bytes of the firmware-file header (<c>FwVer</c>, <c>HdrNum</c>).</summary>
    public const int FileHeaderSize = 8;
    /// <summary>Bytes of one image header (<c>sizeof(update_file_img_hdr)</c>).</summary>
    public const int ImageHeaderSize = 24;
    /// <summary>Realtek's <c>FwVer</c>: ImageTool's default "Image Version".</summary>
    public const uint DefaultFwVer = 0xFFFFFFFF;
    /// <summary>Realtek's <c>FlashAddr</c>.</summary>
    public const uint DefaultFlashAddr = 0xFFFFFFFF;
    /// <summary><c>OTA1</c> as the u32 read from the file (bytes 4F 54 41 31).</summary>
    public const uint Ota1Id = 0x3141544F;

    /// <summary>The header Realtek's tools write in front of <paramref name="image"/> (a <c>km0_km4_image2.bin</c>).</summary>
    public static OtaAllHeader For(ReadOnlySpan<byte> image) => new(DefaultFwVer, 1, Ota1Id, ImageHeaderSize,
        AmebaOta.Images.Checksum.ByteSum(image), (uint)image.Length, Size, DefaultFlashAddr);

    /// <summary>The id's four bytes as text (<c>OTA1</c>); bytes that are not printable ASCII show as <c>\xNN</c>.</summary>
    public string IdText
    {
        get
        {
            Span<byte> id = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(id, ImgId);
            var text = new StringBuilder(4);
            foreach (byte b in id) text.Append(b is >= 0x20 and <= 0x7E ? (char)b : $"\\x{b:x2}");
            return text.ToString();
        }
    }

    /// <summary>The board's test (<c>strncmp("OTA", ImgId, 3)</c>): the id starts with <c>OTA</c>.</summary>
    public bool IdStartsWithOta => (ImgId & 0x00FFFFFF) == (Ota1Id & 0x00FFFFFF);

    /// <summary>Where the image must start for a board to read it right: <c>8 + HdrNum × ImgHdrLen</c> (64-bit, no overflow).</summary>
    public ulong ExpectedOffset => FileHeaderSize + (ulong)HdrNum * ImgHdrLen;

    /// <summary>Reads the header from the first 32 bytes.</summary>
    public static OtaAllHeader Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[20..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[24..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[28..]));

    /// <summary>Writes the 32 bytes.</summary>
    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, FwVer);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[4..], HdrNum);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], ImgId);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[12..], ImgHdrLen);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[16..], Checksum);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[20..], ImgLen);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[24..], Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[28..], FlashAddr);
    }

    /// <summary>The 32 bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }
}
