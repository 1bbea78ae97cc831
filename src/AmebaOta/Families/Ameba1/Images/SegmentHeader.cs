using System.Buffers.Binary;

namespace AmebaOta.Families.Ameba1.Images;

/// <summary>The 16-byte header in front of every image segment: body length, load address, two signature words.</summary>
public readonly record struct SegmentHeader(uint Length, uint LoadAddress, uint Signature1, uint Signature2)
{
    /// <summary>Header size in bytes.</summary>
    public const int Size = 16;
    /// <summary>Load address of an Image 2 segment.</summary>
    public const uint SramLoadAddress = 0x10006000;
    /// <summary>Load address of an Image 3 (SDRAM) segment.</summary>
    public const uint SdramLoadAddress = 0x30000000;

    /// <summary>What the signature words mean.</summary>
    public SignatureState Signature => ImageSignature.Classify(Signature1, Signature2);

    /// <summary>Reads a header from 16 bytes.</summary>
    public static SegmentHeader Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]));

    /// <summary>Writes the header into 16 bytes.</summary>
    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[4..], LoadAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], Signature1);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[12..], Signature2);
    }

    /// <summary>The same header with the signature words of <paramref name="state"/>.</summary>
    public SegmentHeader WithSignature(SignatureState state)
    {
        var (w1, w2) = ImageSignature.Words(state);
        return this with { Signature1 = w1, Signature2 = w2 };
    }

    /// <summary>Image 3 is present when its length is neither 0 nor 0xFFFFFFFF and it loads to SDRAM.</summary>
    public bool IsImage3 => Length is not 0 and not 0xFFFFFFFF && LoadAddress == SdramLoadAddress;
}
