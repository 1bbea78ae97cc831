using System.Buffers.Binary;
using System.Text;
using AmebaOta.Images;

namespace AmebaOta.Families.AmebaPro2.Images;

/// <summary>
/// The manifest at the start of every AmebaPro2 image (<c>img_manifest_t</c>, <c>fw_img_tlv.h</c>; docs/reference
/// section 11.3), as Realtek's <c>elf2bin</c> lays it out:
/// <code>
/// 0x000   8  label "RTL8735B"
/// 0x008   2  size (u16): 0x3E0, the header, the encryption records and the TLV area
/// 0x00A   2  verification algorithm (u16)
/// 0x00C   4  encryption remap base (u32), then 16 reserved bytes
/// 0x020 256  8 encryption records of 32 bytes
/// 0x120 704  TLV fields: id (1 byte), length (3 bytes LE), value, 0xFE up to a multiple of 4; in the firmware JSON's
///            order PK 384, TYPE_ID 2, VERSION 32, TIMST 8, IMGSZ 4, ENCALG 1, ENCKN 32, ENCKS 32, ENCIV 16,
///            HSHALG 1, HSHKN 32, HSHKS 32, IE_RESV 32, HASH 32 (exactly 704 bytes)
/// 0x3E0 384  signature
/// </code>
/// The image's own header follows at 0x1000 (the manifest padded with 0xFF to 4 KiB).
/// </summary>
public sealed record Pro2Manifest(ushort Size, ushort VerifyAlgorithm, IReadOnlyList<Pro2ManifestField> Fields)
{
    /// <summary>Bytes of the label.</summary>
    public const int LabelSize = 8;
    /// <summary>Where the TLV area starts.</summary>
    public const int FieldsOffset = 0x120;
    /// <summary>Bytes of the TLV area.</summary>
    public const int FieldsSize = 704;
    /// <summary>Where the signature starts: also the header's size value.</summary>
    public const int SignatureOffset = FieldsOffset + FieldsSize;
    /// <summary>Bytes of the whole manifest structure.</summary>
    public const int TotalSize = SignatureOffset + 384;
    /// <summary>Where the image header follows the manifest (<c>IMG_HDR_START_OFFSET</c>).</summary>
    public const int ImageHeaderOffset = 0x1000;
    /// <summary>"No verification" as Realtek's tools write it (<c>NA_VRF_CHECK</c>).</summary>
    public const ushort NoVerification = 0xF0F0;

    /// <summary>The label every AmebaPro2 image starts with.</summary>
    public static ReadOnlySpan<byte> Label => "RTL8735B"u8;

    /// <summary>True when <paramref name="bytes"/> start with the label.</summary>
    public static bool HasLabel(ReadOnlySpan<byte> bytes) => bytes.Length >= LabelSize && bytes[..LabelSize].SequenceEqual(Label);

    /// <summary>The field with <paramref name="id"/>, or null.</summary>
    public Pro2ManifestField? Field(byte id) => Fields.FirstOrDefault(f => f.Id == id);

    /// <summary>VERSION's 32 bytes (null when absent or not 32 bytes).</summary>
    public byte[]? Version => Field(Pro2ManifestField.VersionId) is { Value.Length: Pro2Version.Size } f ? f.Value : null;

    /// <summary>TIMST as u64 Unix seconds (null when absent or not 8 bytes).</summary>
    public ulong? Timestamp => Field(Pro2ManifestField.TimestampId) is { Value.Length: 8 } f ? BinaryPrimitives.ReadUInt64LittleEndian(f.Value) : null;

    /// <summary>TYPE_ID (null when absent).</summary>
    public ushort? TypeId => Field(Pro2ManifestField.TypeIdId) is { Value.Length: 2 } f ? BinaryPrimitives.ReadUInt16LittleEndian(f.Value) : null;

    /// <summary>IMGSZ (null when absent).</summary>
    public uint? ImageSize => Field(Pro2ManifestField.ImageSizeId) is { Value.Length: 4 } f ? BinaryPrimitives.ReadUInt32LittleEndian(f.Value) : null;

    /// <summary>What the boot code compares: VERSION's level (0 when absent) and TIMST (0 when absent).</summary>
    public Pro2BuildStamp Stamp => new(Version is { } v ? Pro2Version.Level(v) : 0, Timestamp ?? 0);

    /// <summary>
    /// Reads the manifest at the start of <paramref name="bytes"/>. Throws <see cref="ImageFormatException"/> when the
    /// label is not there, the bytes end inside the manifest, or a field runs past the TLV area.
    /// </summary>
    public static Pro2Manifest Read(ReadOnlySpan<byte> bytes)
    {
        if (!HasLabel(bytes))
            throw new ImageFormatException($"not an AmebaPro2 image: it does not start with the label RTL8735B (it starts with {Describe(bytes[..Math.Min(LabelSize, bytes.Length)])})");
        if (bytes.Length < TotalSize)
            throw new ImageFormatException($"the AmebaPro2 manifest is cut short: {bytes.Length} bytes, the manifest alone takes {TotalSize}");
        ushort size = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
        ushort algorithm = BinaryPrimitives.ReadUInt16LittleEndian(bytes[10..]);
        var fields = new List<Pro2ManifestField>();
        int at = FieldsOffset;
        while (at + 4 <= SignatureOffset && bytes[at] != 0xFF)
        {
            int length = bytes[at + 1] | bytes[at + 2] << 8 | bytes[at + 3] << 16;
            if (at + 4 + length > SignatureOffset)
                throw new ImageFormatException($"the AmebaPro2 manifest is damaged: field {Pro2ManifestField.NameOf(bytes[at])} at 0x{at:X} claims {length} bytes, past the end of the field area");
            fields.Add(new Pro2ManifestField(bytes[at], at, bytes.Slice(at + 4, length).ToArray()));
            at += Pro2ManifestField.EncodedSizeOf(length);
        }
        return new Pro2Manifest(size, algorithm, fields);
    }

    /// <summary>
    /// Writes a manifest into the first <see cref="ImageHeaderOffset"/> bytes of <paramref name="destination"/>, laid out
    /// as Realtek's firmware JSON makes it (the fields the tools fill "auto" are left 0xFF; padding is 0xFE).
    /// </summary>
    public static void Write(Span<byte> destination, ushort typeId, ReadOnlySpan<byte> version, ulong timestamp, uint imageSize)
    {
        if (version.Length != Pro2Version.Size) throw new ArgumentException("VERSION is 32 bytes", nameof(version));
        var page = destination[..ImageHeaderOffset];
        page.Fill(0xFF);
        Label.CopyTo(page);
        BinaryPrimitives.WriteUInt16LittleEndian(page[8..], SignatureOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(page[10..], NoVerification);
        for (int record = 0; record < 8; record++)
        {
            var r = page.Slice(0x20 + record * 32, 32);
            r[0] = 0; r[1] = 0; r[8] = 0;   // encryption off, as in Realtek's images
        }
        Span<byte> u16 = stackalloc byte[2], u64 = stackalloc byte[8], u32 = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(u16, typeId);
        BinaryPrimitives.WriteUInt64LittleEndian(u64, timestamp);
        BinaryPrimitives.WriteUInt32LittleEndian(u32, imageSize);
        int at = FieldsOffset;
        at = WriteField(page, at, Pro2ManifestField.PublicKeyId, Blank(384));
        at = WriteField(page, at, Pro2ManifestField.TypeIdId, u16);
        at = WriteField(page, at, Pro2ManifestField.VersionId, version);
        at = WriteField(page, at, Pro2ManifestField.TimestampId, u64);
        at = WriteField(page, at, Pro2ManifestField.ImageSizeId, u32);
        foreach (var (id, length) in AutoFields) at = WriteField(page, at, id, Blank(length));
        if (at != SignatureOffset) throw new InvalidOperationException($"the manifest fields take {at - FieldsOffset} bytes, not {FieldsSize}");
    }

    /// <summary>ENCALG, ENCKN, ENCKS, ENCIV, HSHALG, HSHKN, HSHKS, IE_RESV, HASH with their lengths.</summary>
    private static readonly (byte Id, int Length)[] AutoFields = [(0x05, 1), (0x06, 32), (0x07, 32), (0x08, 16), (0x09, 1), (0x0A, 32), (0x0B, 32), (0x15, 32), (0x0C, 32)];

    private static byte[] Blank(int length)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, (byte)0xFF);
        return bytes;
    }

    private static int WriteField(Span<byte> page, int at, byte id, ReadOnlySpan<byte> value)
    {
        page[at] = id;
        page[at + 1] = (byte)value.Length;
        page[at + 2] = (byte)(value.Length >> 8);
        page[at + 3] = (byte)(value.Length >> 16);
        value.CopyTo(page[(at + 4)..]);
        int end = at + Pro2ManifestField.EncodedSizeOf(value.Length);
        page[(at + 4 + value.Length)..end].Fill(0xFE);
        return end;
    }

    private static string Describe(ReadOnlySpan<byte> start) =>
        start.Length == 0 ? "nothing" : start.ToArray().All(b => b is >= 0x20 and < 0x7F) ? $"\"{Encoding.ASCII.GetString(start)}\"" : Convert.ToHexString(start);
}
