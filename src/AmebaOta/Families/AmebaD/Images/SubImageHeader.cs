using System.Buffers.Binary;

namespace AmebaOta.Families.AmebaD.Images;

/// <summary>
/// The 32-byte header Realtek's <c>pick</c> tool puts in front of every AmebaD sub-image (docs/reference section 11.2):
/// the 8 ASCII bytes <c>81958711</c>, the body size, the load address, then 16 bytes of 0xFF. The first header of a bank
/// is also the bank's signature: the boot loader boots a bank only when it starts with <c>81958711</c>.
/// <code>
/// off size field
///   0    8 signature "81958711" (u32 0x35393138, 0x31313738)
///   8    4 body size (u32 LE)
///  12    4 load address (u32 LE)
///  16   16 0xFF
/// </code>
/// </summary>
public readonly record struct SubImageHeader(uint Signature1, uint Signature2, uint Size, uint LoadAddress)
{
    /// <summary>Header size in bytes.</summary>
    public const int Length = 32;
    /// <summary>The signature's first word, ASCII <c>8195</c>.</summary>
    public const uint SignedWord1 = 0x35393138;
    /// <summary>The signature's second word, ASCII <c>8711</c>.</summary>
    public const uint SignedWord2 = 0x31313738;
    /// <summary>Bytes of the signature (what the OTA receiver holds back and writes last).</summary>
    public const int SignatureLength = 8;

    /// <summary>The signature as it stands in flash.</summary>
    public static ReadOnlySpan<byte> Signature => "81958711"u8;

    /// <summary>A signed header for a body of <paramref name="size"/> bytes loaded at <paramref name="loadAddress"/>.</summary>
    public static SubImageHeader Signed(uint size, uint loadAddress) => new(SignedWord1, SignedWord2, size, loadAddress);

    /// <summary>True when the header starts with <c>81958711</c>.</summary>
    public bool IsSigned => Signature1 == SignedWord1 && Signature2 == SignedWord2;

    /// <summary>True when <paramref name="bytes"/> starts with <c>81958711</c>.</summary>
    public static bool StartsSigned(ReadOnlySpan<byte> bytes) => bytes.Length >= SignatureLength && bytes[..SignatureLength].SequenceEqual(Signature);

    /// <summary>Reads a header from 32 bytes (at least 16).</summary>
    public static SubImageHeader Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]));

    /// <summary>Writes the 32 bytes, the last 16 as 0xFF.</summary>
    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Signature1);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[4..], Signature2);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], Size);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[12..], LoadAddress);
        bytes.Slice(16, 16).Fill(0xFF);
    }

    /// <summary>The signature as text for people: <c>81958711</c>, or its bytes in hex when they are not printable.</summary>
    public static string DescribeSignature(ReadOnlySpan<byte> eight)
    {
        foreach (byte b in eight)
            if (b is < 0x20 or > 0x7E) return Convert.ToHexString(eight).ToLowerInvariant();
        return System.Text.Encoding.ASCII.GetString(eight);
    }
}
